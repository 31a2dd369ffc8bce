"""Advantages, reward placement, and the exactness of the shared-prefix forward and sampling."""

from __future__ import annotations

import pytest
import torch

from rl import algo
from rl.rollout import generate
from rl.tokens import Episode


def test_group_advantages_are_normalized_within_groups():
    rewards = [1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1]
    groups = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    adv = algo.group_advantages(rewards, groups)
    for g in (0, 2):
        part = adv[torch.tensor(groups) == g]
        assert abs(part.mean()) < 1e-6 and abs(part.std(unbiased=False) - 1) < 1e-4
    assert torch.equal(adv[4:8], torch.zeros(4))  # all equal: no signal
    assert adv[0] > 0 > adv[1]


def test_baselines_on_hand_computed_values():
    rewards, groups = [1, 0, 0, 1, 0.5, 0.5], [0, 0, 0, 0, 1, 1]  # group 0: mean 0.5, std 0.5
    assert torch.allclose(algo.group_advantages(rewards, groups, "grpo"),
                          torch.tensor([1, -1, -1, 1, 0, 0.0]), atol=1e-4)
    assert torch.allclose(algo.group_advantages(rewards, groups, "drgrpo"), torch.tensor([0.5, -0.5, -0.5, 0.5, 0, 0]))
    # RLOO: 1 - (0 + 0 + 1) / 3 = 2/3 and 0 - (1 + 0 + 1) / 3 = -2/3
    assert torch.allclose(algo.group_advantages(rewards, groups, "rloo"),
                          torch.tensor([2 / 3, -2 / 3, -2 / 3, 2 / 3, 0, 0]))
    assert algo.group_advantages([1.0], [0], "rloo").tolist() == [0.0]  # no other sample to compare with
    with pytest.raises(ValueError, match="^baseline must be one of grpo, drgrpo, rloo, not 'mean'$"):
        algo.group_advantages(rewards, groups, "mean")


def test_aggregations_on_hand_computed_values():
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=torch.float32)  # episodes of 2 and 4 model tokens
    values = torch.tensor([[1.0, 3, 9, 9], [2, 2, 2, 6]])  # token means 2 and 3; token sums 4 and 12
    for how, constant, expected in [("token", 1, 16 / 6), ("sequence", 1, (2 + 3) / 2), ("sum", 8, (4 + 12) / 8 / 2)]:
        weights = algo.episode_weights([2, 4], how, constant)
        assert float(algo.aggregate(values, mask, weights)) == pytest.approx(expected), how
    # micro-batches of a minibatch add up to the minibatch's aggregate when given its weights
    weights = algo.episode_weights([2, 4], "sequence")
    parts = algo.aggregate(values[:1], mask[:1], weights[:1]) + algo.aggregate(values[1:], mask[1:], weights[1:])
    assert float(parts) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="^loss aggregation must be one of token, sequence, sum, not 'mean'$"):
        algo.episode_weights([2, 4], "mean")


def test_clipped_policy_loss_and_clip_fraction():
    lp = torch.log(torch.tensor([[1.5, 0.5, 1.1, 1.0]]))  # ratios to old log-probs 0: 1.5, 0.5, 1.1, 1
    loss, clipped = algo.clipped_policy_loss(lp, torch.zeros(1, 4), torch.tensor([[1.0, -1.0, 1.0, -1.0]]), 0.2)
    assert torch.allclose(loss, torch.tensor([[-1.2, 0.8, -1.1, 1.0]]))
    assert clipped.tolist() == [[1.0, 1.0, 0.0, 0.0]]


def test_reward_lands_on_the_last_model_token():
    episode = Episode(list(range(10)), mask=[0, 0, 1, 1, 0, 0, 1, 1, 0, 0])
    rewards = algo.token_rewards(episode, 1.0, width=12)
    assert rewards.tolist() == [0] * 7 + [1] + [0] * 4


def test_gae_skips_environment_tokens():
    mask = torch.tensor([[0, 1, 1, 0, 0, 1, 0.0]])
    rewards = torch.tensor([[0, 0, 0, 0, 0, 1, 0.0]])
    adv, ret = algo.gae(rewards, torch.zeros_like(mask), mask, gamma=1.0, lam=1.0)
    assert adv.tolist() == [[0, 1, 1, 0, 0, 1, 0]] and torch.equal(ret, adv)


def test_shared_prefix_logprobs_and_entropy_equal_a_plain_forward(tiny_model, oracle_episodes):
    batch = oracle_episodes[:3]
    lp, mask, _, entropy = algo.token_logprobs(tiny_model, batch, entropy=True)
    for row, episode in enumerate(batch):
        ids = torch.tensor([episode.ids])
        with torch.no_grad():
            full = torch.log_softmax(tiny_model(input_ids=ids).logits[0, :-1].float(), -1)
        ref = full.gather(-1, ids[0, 1:, None])[:, 0]
        sel = torch.tensor(episode.mask[1:]).bool()
        assert torch.allclose(lp[row, 1:len(episode.ids)][sel], ref[sel], atol=1e-4)
        assert torch.allclose(entropy[row, 1:len(episode.ids)][sel], -(full.exp() * full).sum(-1)[sel], atol=1e-4)
        assert mask[row, :len(episode.ids)].tolist() == [float(m) for m in episode.mask]


def test_batched_greedy_generation_matches_one_by_one(tiny_model, fmt, oracle_episodes):
    contexts = [e.ids[: e.turns[0][0]] for e in oracle_episodes[:3]] + [oracle_episodes[0].ids[: 50]]
    batched = generate(tiny_model, contexts, 6, fmt.eos_id, fmt.tokenizer.pad_token_id, greedy=True)
    for context, tokens in zip(contexts, batched):
        with torch.no_grad():
            ref = tiny_model.generate(torch.tensor([context]), max_new_tokens=6, do_sample=False,
                                      eos_token_id=fmt.eos_id, pad_token_id=fmt.tokenizer.pad_token_id)
        assert tokens == ref[0, len(context):].tolist()[: len(tokens)]


def test_context_weight_covers_the_other_tokens_of_each_episode(tiny_model, oracle_episodes):
    batch = oracle_episodes[:2]
    lp, plain, _, _ = algo.token_logprobs(tiny_model, batch)
    lp_weighted, weighted, _, _ = algo.token_logprobs(tiny_model, batch, context_weight=0.25)
    assert torch.equal(lp, lp_weighted)
    for row, episode in enumerate(batch):
        n = len(episode.ids)
        computed = weighted[row, :n] > 0
        start = int(computed.nonzero()[0])  # tokens after the shared prefix are scored, padding is not
        assert computed[start:].all() and not weighted[row, n:].any()
        ours = plain[row, :n] == 1
        assert weighted[row, :n][ours].eq(1).all() and weighted[row, :n][computed & ~ours].eq(0.25).all()
