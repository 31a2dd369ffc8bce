"""An adaptive curriculum over generated tasks: difficulty follows the agent.

:class:`Curriculum` keeps a ladder of difficulty levels (dicts of :class:`generators.live.Difficulty` axes, easiest
first) and success statistics per level from the rewards it is told about; :class:`CurriculumWrapper` makes any
suite env (``gym.make(ID)``) reset into a freshly generated task at the current level and reports each finished
episode back. ``python -m rl.train --curriculum`` drives the same class.

The rule (aiming at a success rate of ``target``, 0.5 by default):

- an episode is a success when its reward is at least ``threshold`` (1.0: the binary reward's success);
- each level keeps its last ``window`` outcomes (20 by default) and lifetime counts;
- after ``min_episodes`` outcomes at the current level since the last move (10 by default), the level's windowed
  success rate decides: above ``target + band`` (0.65) the level goes up one, below ``target - band`` (0.35) it
  goes down one, otherwise it stays; the counter of episodes since the last move restarts after a move;
- outcomes of episodes started at another level (episodes in flight when the level moved) update that level's
  statistics but never move the level;
- a level the environment cannot generate (e.g. conversational tasks where no request can keep a value back) is
  marked unsupported and skipped from then on.

So the agent trains where it succeeds about half the time: the band keeps the level from oscillating on noise,
and the window lets a level it once failed be retried once it has improved. ``state_dict()`` /
``load_state_dict()`` save and restore everything (plain JSON), so a run resumes where it left off.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym

#: The default ladder, easiest first; levels asking for more environments than an env has are dropped.
LEVELS: tuple[dict[str, Any], ...] = (
    {"calls": 1, "carry_ids": False},
    {"calls": 1, "carry_ids": False, "distractors": 3},
    {"calls": 2, "carry_ids": False},
    {"calls": 2, "carry_ids": True},
    {"calls": 2, "carry_ids": True, "conversational": True},
    {"calls": 3, "carry_ids": True},
    {"calls": 3, "envs": 2, "carry_ids": True},
    {"calls": 4, "carry_ids": True, "distractors": 3},
    {"calls": 5, "envs": 2, "carry_ids": True, "conversational": True},
)


def ladder(environments: int, levels: Sequence[Mapping[str, Any]] = LEVELS) -> list[dict[str, Any]]:
    """The levels an env of ``environments`` member environments can play."""
    return [dict(level) for level in levels if level.get("envs", 1) <= environments]


class Curriculum:
    """Per-level success statistics and the current level (see the module docstring for the rule)."""

    def __init__(self, levels: Sequence[Mapping[str, Any]] = LEVELS, start: int = 0, target: float = 0.5,
                 band: float = 0.15, window: int = 20, min_episodes: int = 10, threshold: float = 1.0) -> None:
        if not levels:
            raise ValueError("a curriculum needs at least one level")
        if not 0 <= start < len(levels):
            raise ValueError(f"start level must be from 0 to {len(levels) - 1}, got {start}")
        if not 0 < target < 1 or not 0 <= band < min(target, 1 - target):
            raise ValueError(f"need 0 < target < 1 and 0 <= band < min(target, 1 - target), got {target}, {band}")
        if window < 1 or not 1 <= min_episodes <= window:
            raise ValueError(f"need window >= 1 and 1 <= min_episodes <= window, got {window}, {min_episodes}")
        from generators.live import Difficulty

        for level in levels:
            Difficulty.of(level)  # a bad axis fails here, not at some later reset
        self.levels = [dict(level) for level in levels]
        self.target, self.band, self.window, self.min_episodes, self.threshold = target, band, window, min_episodes, \
            threshold
        self.level = start
        self.recent: list[deque[int]] = [deque(maxlen=window) for _ in self.levels]
        self.episodes = [0] * len(self.levels)
        self.successes = [0] * len(self.levels)
        self.unsupported: set[int] = set()
        self.since_move = 0
        self.moves: list[tuple[int, int]] = []  # (episodes seen, new level)

    def difficulty(self) -> dict[str, Any]:
        """The axes of the current level."""
        return dict(self.levels[self.level])

    def rate(self, level: int | None = None) -> float | None:
        """Windowed success rate of a level (the current one by default); None before any outcome."""
        recent = self.recent[self.level if level is None else level]
        return sum(recent) / len(recent) if recent else None

    def update(self, level: int, reward: float) -> int:
        """Record an episode played at ``level`` that earned ``reward``; returns the (possibly new) level."""
        success = int(reward >= self.threshold)
        self.recent[level].append(success)
        self.episodes[level] += 1
        self.successes[level] += success
        if level != self.level:
            return self.level
        self.since_move += 1
        if self.since_move >= self.min_episodes:
            rate = self.rate()
            assert rate is not None
            if rate > self.target + self.band:
                self._move(+1)
            elif rate < self.target - self.band:
                self._move(-1)
        return self.level

    def mark_unsupported(self, level: int) -> None:
        """A level that cannot be generated: skipped from now on (the current level moves off it)."""
        self.unsupported.add(level)
        if len(self.unsupported) == len(self.levels):
            raise RuntimeError("no level of the curriculum can be generated")
        if level == self.level:
            self._move(+1) if self._next(+1) is not None else self._move(-1)

    def _next(self, step: int) -> int | None:
        level = self.level + step
        while 0 <= level < len(self.levels) and level in self.unsupported:
            level += step
        return level if 0 <= level < len(self.levels) else None

    def _move(self, step: int) -> None:
        level = self._next(step)
        if level is None:
            return
        self.level = level
        self.since_move = 0
        self.moves.append((sum(self.episodes), level))

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue (JSON-serializable)."""
        return {"levels": self.levels, "level": self.level, "target": self.target, "band": self.band,
                "window": self.window, "min_episodes": self.min_episodes, "threshold": self.threshold,
                "recent": [list(r) for r in self.recent], "episodes": list(self.episodes),
                "successes": list(self.successes), "unsupported": sorted(self.unsupported),
                "since_move": self.since_move, "moves": [list(m) for m in self.moves]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.__init__(state["levels"], state["level"], state["target"], state["band"],  # type: ignore[misc]
                      state["window"], state["min_episodes"], state["threshold"])
        for recent, saved in zip(self.recent, state["recent"], strict=True):
            recent.extend(saved)
        self.episodes, self.successes = list(state["episodes"]), list(state["successes"])
        self.unsupported = set(state["unsupported"])
        self.since_move = state["since_move"]
        self.moves = [tuple(m) for m in state["moves"]]  # type: ignore[misc]

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Curriculum:
        curriculum = cls(state["levels"])
        curriculum.load_state_dict(state)
        return curriculum

    def summary(self) -> dict[str, Any]:
        """Level, its rate and per-level counts, for logs."""
        return {"level": self.level, "rate": self.rate(),
                "per_level": [{"episodes": n, "success": s / n if n else None}
                              for n, s in zip(self.episodes, self.successes)]}


class CurriculumWrapper(gym.Wrapper):
    """Resets the wrapped suite env into a fresh generated task at the curriculum's level and feeds each finished
    episode's reward back (``info["curriculum"]`` says the level played).

    ``gym.make`` the env as usual (any split: the catalog is not used); ``reset(options={"task_id": ...})`` still
    replays a catalog task, outside the curriculum.
    """

    def __init__(self, env: gym.Env, curriculum: Curriculum | None = None, **kwargs: Any) -> None:
        super().__init__(env)
        if curriculum is None:
            curriculum = Curriculum(ladder(len(env.unwrapped.worlds.worlds)), **kwargs)
        elif kwargs:
            raise TypeError("pass either a Curriculum or its keyword arguments, not both")
        self.curriculum = curriculum
        self.playing: int | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        if options.get("task_id") is not None:
            self.playing = None
            return self.env.reset(seed=seed, options=options)
        while True:
            level = self.curriculum.level
            try:
                observation, info = self.env.reset(seed=seed, options={**options,
                                                                       "generate": self.curriculum.difficulty()})
            except RuntimeError:  # no task at this level in this environment: skip the level
                self.curriculum.mark_unsupported(level)
                continue
            self.playing = level
            info["curriculum"] = {"level": level, "difficulty": self.curriculum.levels[level]}
            return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        if self.playing is not None:
            info["curriculum"] = {"level": self.playing, "difficulty": self.curriculum.levels[self.playing]}
            if terminated or truncated:
                self.curriculum.update(self.playing, float(reward))
                self.playing = None
        return observation, reward, terminated, truncated, info
