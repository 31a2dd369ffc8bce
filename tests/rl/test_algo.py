"""Advantages, reward placement, and the exactness of the shared-prefix forward and sampling."""

from __future__ import annotations

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


def test_sequence_weights_make_the_token_sum_loss_a_mean_over_episodes():
    lengths = [2, 6, 4]
    mask = torch.tensor([[1, 1, 0, 0, 0, 0], [1] * 6, [1, 1, 1, 1, 0, 0]], dtype=torch.float32)
    per_token = torch.tensor([[3.0] * 6, [1.0] * 6, [2.0] * 6]) * torch.arange(1, 7)  # any per-token losses
    weights = algo.sequence_weights(lengths)
    token_sum = (per_token * weights[:, None] * mask).sum() / mask.sum()
    episode_means = [(per_token[i] * mask[i]).sum() / lengths[i] for i in range(3)]
    assert torch.allclose(token_sum, sum(episode_means) / 3)
    assert torch.allclose(algo.sequence_weights([5, 5]), torch.ones(2))  # equal lengths: token mean unchanged


def test_reward_lands_on_the_last_model_token():
    episode = Episode(list(range(10)), mask=[0, 0, 1, 1, 0, 0, 1, 1, 0, 0])
    rewards = algo.token_rewards(episode, 1.0, width=12)
    assert rewards.tolist() == [0] * 7 + [1] + [0] * 4


def test_gae_skips_environment_tokens():
    mask = torch.tensor([[0, 1, 1, 0, 0, 1, 0.0]])
    rewards = torch.tensor([[0, 0, 0, 0, 0, 1, 0.0]])
    adv, ret = algo.gae(rewards, torch.zeros_like(mask), mask, gamma=1.0, lam=1.0)
    assert adv.tolist() == [[0, 1, 1, 0, 0, 1, 0]] and torch.equal(ret, adv)


def test_shared_prefix_logprobs_equal_a_plain_forward(tiny_model, oracle_episodes):
    batch = oracle_episodes[:3]
    lp, mask, _ = algo.token_logprobs(tiny_model, batch)
    for row, episode in enumerate(batch):
        ids = torch.tensor([episode.ids])
        with torch.no_grad():
            full = torch.log_softmax(tiny_model(input_ids=ids).logits[0, :-1].float(), -1)
        ref = full.gather(-1, ids[0, 1:, None])[:, 0]
        sel = torch.tensor(episode.mask[1:]).bool()
        assert torch.allclose(lp[row, 1:len(episode.ids)][sel], ref[sel], atol=1e-4)
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
    lp, plain, _ = algo.token_logprobs(tiny_model, batch)
    lp_weighted, weighted, _ = algo.token_logprobs(tiny_model, batch, context_weight=0.25)
    assert torch.equal(lp, lp_weighted)
    for row, episode in enumerate(batch):
        n = len(episode.ids)
        computed = weighted[row, :n] > 0
        start = int(computed.nonzero()[0])  # tokens after the shared prefix are scored, padding is not
        assert computed[start:].all() and not weighted[row, n:].any()
        ours = plain[row, :n] == 1
        assert weighted[row, :n][ours].eq(1).all() and weighted[row, :n][computed & ~ours].eq(0.25).all()
