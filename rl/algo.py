"""Policy-gradient pieces: token log-probabilities with a shared prefix, advantages (GRPO, Dr. GRPO, RLOO, PPO/GAE),
per-token loss terms and the one aggregation every term of the loss goes through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import torch

from rl import model as models
from rl.rollout import cache_kwargs, common_prefix, shared_prefix_cache
from rl.tokens import Episode

BASELINES = ("grpo", "drgrpo", "rloo")
AGGREGATIONS = ("token", "sequence", "sum")


class Scores(NamedTuple):
    """What :func:`token_logprobs` computes for a batch, each ``[batch, time]`` and aligned with the ids."""

    logprobs: torch.Tensor
    mask: torch.Tensor
    values: torch.Tensor | None
    entropy: torch.Tensor | None


def token_logprobs(model: Any, episodes: Sequence[Episode], temperature: float = 1.0, values: Any = None,
                   context_weight: float = 0.0, entropy: bool = False) -> Scores:
    """Log-probabilities ``lp[b, t] = log p(ids[t] | ids[:t])`` of a batch, right-padded to the longest episode.

    The common prefix of the batch (up to the first model token) is run once and its cache shared over the batch.
    Also returns the loss mask aligned with ``ids`` (1 on the model's tokens, ``context_weight`` on the others, 0 on
    padding and on positions not computed), when a ``values`` head is given its estimate ``v[b, t]`` of the return
    before token ``t``, and with ``entropy`` the entropy of the distribution ``ids[t]`` was drawn from (no gradient:
    it is logged, not optimized).
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
    logits = out.logits[:, :-1]
    lp = torch.zeros(ids.shape, device=device)
    lp[:, p + 1:] = models.selected_logprobs(logits, ids[:, p + 1:], temperature)
    mask[:, : p + 1] = 0
    v = ent = None
    if values is not None:
        v = torch.zeros(ids.shape, device=device)
        v[:, p + 1:] = values(out.hidden_states[-1][:, :-1].float())[..., 0]
    if entropy:
        ent = torch.zeros(ids.shape, device=device)
        ent[:, p + 1:] = models.token_entropy(logits, temperature)
    return Scores(lp, mask, v, ent)


def group_advantages(rewards: Sequence[float], groups: Sequence[int], baseline: str = "grpo",
                     eps: float = 1e-6) -> torch.Tensor:
    """Each reward minus a baseline from its group (samples of one task and seed).

    ``grpo``: the group's mean, divided by the group's std (0 where a group's rewards are all equal); ``drgrpo``
    (Dr. GRPO): the mean, no division by the std; ``rloo``: the mean of the group's other rewards (0 in a group of
    one), i.e. ``n / (n - 1)`` times the centred reward.
    """
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {', '.join(BASELINES)}, not {baseline!r}")
    r = torch.tensor(rewards, dtype=torch.float32)
    g = torch.tensor(groups)
    adv = torch.zeros_like(r)
    for key in g.unique():
        sel = g == key
        n = int(sel.sum())
        centred = r[sel] - r[sel].mean()
        if baseline == "grpo":
            std = r[sel].std(unbiased=False)
            adv[sel] = centred / (std + eps) if std > eps else torch.zeros_like(centred)
        elif baseline == "drgrpo":
            adv[sel] = centred
        else:
            adv[sel] = centred * n / (n - 1) if n > 1 else torch.zeros_like(centred)
    return adv


def episode_weights(lengths: Sequence[int], how: str, constant: int = 1) -> torch.Tensor:
    """Per-episode factors ``w`` that make ``sum_i w_i sum_t x[i, t]`` (``t`` over episode ``i``'s ``lengths[i]``
    model tokens) the loss aggregation ``how`` of per-token values ``x``; every term goes through it alike:

    ``token``: the mean over all model tokens of the batch (long episodes weigh more); ``sequence``: each episode's
    token mean, then the mean over episodes (GRPO); ``sum``: each episode's token sum divided by ``constant`` (the
    most model tokens an episode can have), then the mean over episodes (Dr. GRPO's length-unbiased form).
    """
    n = torch.tensor(lengths, dtype=torch.float32).clamp(min=1)
    if how == "token":
        return torch.full_like(n, 1 / float(n.sum()))
    if how == "sequence":
        return 1 / n / len(n)
    if how == "sum":
        return torch.full_like(n, 1 / (constant * len(n)))
    raise ValueError(f"loss aggregation must be one of {', '.join(AGGREGATIONS)}, not {how!r}")


def aggregate(values: torch.Tensor, mask: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """``sum_i weights[i] sum_t mask[i, t] values[i, t]``: per-token values aggregated with :func:`episode_weights`
    (of a whole minibatch, so micro-batches of it add up to the minibatch's aggregate)."""
    return (values * mask * weights[:, None].to(values.device)).sum()


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


def clipped_policy_loss(lp: torch.Tensor, old_lp: torch.Tensor, adv: torch.Tensor,
                        clip: float) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate as a per-token loss, and where the clipped branch is the one taken (no gradient
    flows there: the clip fraction)."""
    ratio = torch.exp(lp - old_lp)
    unclipped, clipped = ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv
    return -torch.minimum(unclipped, clipped), (clipped < unclipped).float()


def kl_k3(lp: torch.Tensor, ref_lp: torch.Tensor) -> torch.Tensor:
    """The k3 estimator of KL(sampled || other) per token, ``lp`` the log-probs of the distribution the tokens were
    drawn from: KL(policy || reference) as ``kl_k3(lp, ref_lp)``, PPO's approximate KL to the behaviour policy as
    ``kl_k3(old_lp, lp)``."""
    delta = ref_lp - lp
    return torch.exp(delta) - delta - 1
