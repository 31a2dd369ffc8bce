"""Policy-gradient pieces: token log-probabilities with a shared prefix, advantages (GRPO, PPO/GAE), losses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from rl.rollout import cache_kwargs, common_prefix, shared_prefix_cache
from rl.tokens import Episode


def token_logprobs(model: Any, episodes: Sequence[Episode], temperature: float = 1.0, values: Any = None,
                   context_weight: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Log-probabilities ``lp[b, t] = log p(ids[t] | ids[:t])`` of a batch, right-padded to the longest episode.

    The common prefix of the batch (up to the first model token) is run once and its cache shared over the batch.
    Returns ``(logprobs, mask, values)``: the loss mask aligned with ``ids`` (1 on the model's tokens,
    ``context_weight`` on the others, 0 on padding and on positions not computed), and, when a ``values`` head is
    given, its estimate ``v[b, t]`` of the return before token ``t``.
    """
    device = model.device
    first = min(e.mask.index(1) for e in episodes)
    p = max(min(common_prefix([e.ids for e in episodes]), first) - 1, 0)
    cache = shared_prefix_cache(model, episodes[0].ids[:p], len(episodes)) if p else None
    width = max(len(e.ids) for e in episodes)
    ids = torch.tensor([e.ids + [0] * (width - len(e.ids)) for e in episodes], device=device)
    mask = torch.tensor([[m or context_weight for m in e.mask] + [0] * (width - len(e.mask)) for e in episodes],
                        device=device, dtype=torch.float32)
    positions = torch.arange(p, width, device=device)[None].expand(len(episodes), -1)
    out = model(input_ids=ids[:, p:], position_ids=positions, use_cache=cache is not None,
                output_hidden_states=values is not None, **cache_kwargs(model, cache))
    logits = out.logits[:, :-1].float() / temperature
    lp = torch.zeros(ids.shape, device=device)
    lp[:, p + 1:] = torch.log_softmax(logits, -1).gather(-1, ids[:, p + 1:, None])[..., 0]
    mask[:, : p + 1] = 0
    v = None
    if values is not None:
        v = torch.zeros(ids.shape, device=device)
        v[:, p + 1:] = values(out.hidden_states[-1][:, :-1].float())[..., 0]
    return lp, mask, v


def group_advantages(rewards: Sequence[float], groups: Sequence[int], eps: float = 1e-6) -> torch.Tensor:
    """GRPO: each reward minus its group's mean, divided by the group's std; 0 where a group's rewards are all equal."""
    r = torch.tensor(rewards, dtype=torch.float32)
    g = torch.tensor(groups)
    adv = torch.zeros_like(r)
    for key in g.unique():
        sel = g == key
        centred = r[sel] - r[sel].mean()
        std = r[sel].std(unbiased=False)
        adv[sel] = centred / (std + eps) if std > eps else torch.zeros_like(centred)
    return adv


def sequence_weights(lengths: Sequence[int]) -> torch.Tensor:
    """Per-episode advantage factors that turn a loss summed over tokens and divided by the batch's token count into
    GRPO's mean over episodes of each episode's token mean (every episode weighs the same, whatever its length)."""
    n = torch.tensor(lengths, dtype=torch.float32).clamp(min=1)
    return n.sum() / len(n) / n


def token_rewards(episode: Episode, reward: float, width: int | None = None) -> torch.Tensor:
    """Per-token rewards for PPO: the episode's reward on its last model token, 0 elsewhere (padded to ``width``)."""
    r = torch.zeros(width or len(episode.ids))
    r[max(i for i, m in enumerate(episode.mask) if m)] = reward
    return r


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0,
        lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalized advantage estimation over the model's tokens of each row (environment tokens are skipped).

    ``rewards``, ``values``, ``mask``: ``[batch, time]``. Returns (advantages, returns), 0 off the mask.
    """
    adv = torch.zeros_like(rewards)
    for b in range(rewards.shape[0]):
        steps = mask[b].nonzero()[:, 0].tolist()
        running, next_value = 0.0, 0.0
        for t in reversed(steps):
            delta = rewards[b, t] + gamma * next_value - values[b, t]
            running = float(delta) + gamma * lam * running
            adv[b, t] = running
            next_value = float(values[b, t])
    return adv, (adv + values) * mask


def whiten(advantages: list[torch.Tensor], masks: list[torch.Tensor]) -> None:
    """Normalize advantages in place to mean 0 and std 1 over all masked tokens of a batch."""
    flat = torch.cat([a[m] for a, m in zip(advantages, masks)])
    mean, std = flat.mean(), flat.std() + 1e-6
    for a, m in zip(advantages, masks):
        a.sub_(mean).div_(std).mul_(m)


def clipped_policy_loss(lp: torch.Tensor, old_lp: torch.Tensor, adv: torch.Tensor, mask: torch.Tensor,
                        clip: float) -> torch.Tensor:
    """PPO's clipped surrogate, summed over masked tokens (callers divide by the batch's token count)."""
    ratio = torch.exp(lp - old_lp)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv)
    return -(surrogate * mask).sum()


def kl_k3(lp: torch.Tensor, ref_lp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The k3 estimator of KL(policy || reference), summed over masked tokens."""
    delta = ref_lp - lp
    return ((torch.exp(delta) - delta - 1) * mask).sum()
