"""Many episodes of mixed environments in one process: the fast path for trainers.

Unlike Gymnasium's vector envs, slots step independently (multi-turn episodes have uneven lengths): a slot
with no action this round is left alone, and a finished slot waits until it is reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from envfactory_gym.episode.env import ToolUseEnv


@dataclass
class SlotStep:
    observation: str
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated


class BatchedEnv:
    """``len(names)`` episode slots; slot ``i`` plays environment (or domain) ``names[i]``."""

    def __init__(self, names: Sequence[str], **env_kwargs: Any) -> None:
        self.envs = [ToolUseEnv(name, **env_kwargs) for name in names]

    def __len__(self) -> int:
        return len(self.envs)

    def reset(self, slots: Sequence[int] | None = None, seeds: Sequence[int | None] | None = None,
              task_ids: Sequence[str | None] | None = None) -> dict[int, tuple[str, dict[str, Any]]]:
        """Start new episodes in ``slots`` (all by default); returns ``{slot: (observation, info)}``."""
        slots = range(len(self.envs)) if slots is None else slots
        out = {}
        for position, slot in enumerate(slots):
            seed = seeds[position] if seeds is not None else None
            task_id = task_ids[position] if task_ids is not None else None
            out[slot] = self.envs[slot].reset(seed=seed, options={"task_id": task_id} if task_id else None)
        return out

    def step(self, actions: dict[int, Any]) -> dict[int, SlotStep]:
        """Apply one action per listed slot; returns ``{slot: SlotStep}`` for those slots."""
        return {slot: SlotStep(*self.envs[slot].step(action)) for slot, action in actions.items()}

    def active(self) -> list[int]:
        """Slots whose episode is still running."""
        return [i for i, env in enumerate(self.envs) if not env.done]
