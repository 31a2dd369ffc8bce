"""The RL driver's former silent traps, each pinned by a run or an update: the KL reference when SFT is skipped
and on resume, resume adding steps and keeping the records, the PPO value head across a resume, minibatched updates
whose ratio moves, one loss aggregation for every term, the SFT-only control arm."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shutil

import pytest
import torch

from rl import algo
from rl import model as models
from rl import train

TINY = ["--envs", "Calendar", "--scenarios", "", "--heldout-envs", "", "--max-calls", "1", "--max-tasks", "3",
        "--sft-epochs", "1", "--steps", "1", "--tasks-per-step", "2", "--group-size", "2", "--minibatch-size", "2",
        "--max-new-tokens", "6", "--max-turns", "2", "--vocab-size", "600", "--train-worlds", "2", "--sft-worlds", "1",
        "--test-worlds", "1", "--train-eval", "0", "--size", "tiny", "--threads", "1"]


def records(run) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def weights(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture
def spy(monkeypatch):
    """The arguments of every rl_update call of a run (model and reference weights as the update starts)."""
    calls: list[dict] = []
    original = train.rl_update

    def recording(model, value_head, ref, opt, episodes, cfg, rng):
        calls.append({"model": weights(model), "ref": None if ref is None else weights(ref),
                      "value_head": None if value_head is None else weights(value_head)})
        return original(model, value_head, ref, opt, episodes, cfg, rng)

    monkeypatch.setattr(train, "rl_update", recording)
    return calls


@pytest.fixture
def checkpoint(tiny_model, tokenizer, tmp_path):
    train.save(tiny_model, tokenizer, tmp_path / "model")
    return tmp_path / "model"


def test_kl_reference_is_the_model_checkpoint_when_sft_is_skipped(checkpoint, tiny_model, tmp_path, spy):
    train.main(TINY + ["--model", str(checkpoint), "--sft-epochs", "0", "--kl", "0.5", "--out", str(tmp_path / "run"),
                       "--no-progress"])
    assert spy[0]["ref"] is not None and same(spy[0]["ref"], weights(tiny_model))  # before: no reference, KL off
    assert "kl" in [r for r in records(tmp_path / "run") if r["phase"] == "rl"][0]


def test_resume_keeps_the_reference_the_run_started_with_and_says_when_it_is_gone(checkpoint, tiny_model, tmp_path,
                                                                                   spy):
    run = tmp_path / "run"
    train.main(TINY + ["--model", str(checkpoint), "--sft-epochs", "0", "--out", str(run), "--no-progress"])
    moved = models.load(run / "checkpoint", "cpu")  # the policy has moved away from its start
    with torch.no_grad():
        for p in moved.parameters():
            p.add_(0.01)
    moved.save_pretrained(run / "checkpoint")
    train.main(TINY + ["--resume", str(run), "--kl", "0.5", "--no-progress"])
    assert same(spy[-1]["model"], weights(moved)) and same(spy[-1]["ref"], weights(tiny_model))
    shutil.rmtree(checkpoint)
    with pytest.raises(SystemExit, match=rf"^python -m rl.train: --kl 0.5 needs the reference model, the policy as RL "
                                         rf"started \({re.escape(str(checkpoint.resolve()))}\), which is missing$"):
        train.main(TINY + ["--resume", str(run), "--kl", "0.5", "--no-progress"])


def test_resume_adds_steps_keeps_the_records_and_shows_the_totals(tmp_path, capsys):
    run = tmp_path / "run"
    train.main(TINY + ["--out", str(run)])
    first = records(run)
    capsys.readouterr()
    table = train.main(TINY + ["--resume", str(run), "--steps", "2"])  # into the resumed directory
    again = records(run)
    assert again[: len(first)] == first  # before: deleted, and 0 steps run
    assert [r["step"] for r in again if r["phase"] == "rl"] == [1, 2, 3]
    assert [r["stage"] for r in again if r["phase"] == "eval"] == ["after SFT", "after RL", "after RL"]
    assert list(table) == ["after SFT", "after RL"]  # the SFT row from the records, not a re-evaluation
    err = capsys.readouterr().err
    assert re.search(r"\[2/3\] RL: 100%\|[^\r\n]*\| 3/3 \[[^\r\n]*reward=[0-9.]+, success=[0-9.]+\]", err), err[-1500:]
    assert "eval after SFT" not in err
    train.main(TINY + ["--resume", str(run), "--out", str(tmp_path / "more"), "--no-progress"])
    assert records(run) == again  # an explicit --out leaves the resumed run alone and gets its records
    assert [r["step"] for r in records(tmp_path / "more") if r["phase"] == "rl"] == [1, 2, 3, 4]


def test_ppo_value_head_and_its_optimizer_state_survive_a_resume(tmp_path, spy):
    run = tmp_path / "run"
    train.main(TINY + ["--algo", "ppo", "--out", str(run), "--no-progress"])
    state = torch.load(run / "trainer_state.pt", weights_only=False)
    n_model = len(list(models.load(run / "checkpoint", "cpu").parameters()))
    assert len(state["optimizer"]["state"]) == n_model + 2  # the value head's weight and bias have Adam moments
    train.main(TINY + ["--algo", "ppo", "--resume", str(run), "--no-progress"])
    assert same(spy[-1]["value_head"], state["value_head"])  # before: not saved, a random critic
    with pytest.raises(SystemExit, match=rf"^python -m rl.train: {re.escape(str(run))} was trained with --algo ppo "
                                         r"without --control; resume it with the same$"):
        train.main(TINY + ["--resume", str(run), "--no-progress"])


def test_sft_control_trains_on_gold_trajectories_and_never_samples(tmp_path, monkeypatch):
    def no_sampling(*args, **kwargs):
        pytest.fail("the SFT control played a sampled rollout")

    monkeypatch.setattr(train, "rollouts", no_sampling)
    run = tmp_path / "run"
    table = train.main(TINY + ["--control", "sft", "--steps", "2", "--out", str(run), "--no-progress"])
    assert list(table) == ["after SFT", "after SFT control"]
    control = [r for r in records(run) if r["phase"] == "control"]
    # 2 tasks x 2 samples = 4 gold episodes per step; 2 epochs of minibatches of 2 = 4 optimizer steps, like RL's
    assert [(r["step"], r["episodes"], r["optimizer_steps"]) for r in control] == [(1, 4, 4), (2, 4, 4)]
    assert all(r["loss"] > 0 for r in control) and not [r for r in records(run) if r["phase"] == "rl"]
    assert not same(weights(models.load(run / "sft", "cpu")), weights(models.load(run / "checkpoint", "cpu")))


# --- the update itself, on the oracle's Calendar episodes


def batch(oracle_episodes, rewards, groups, **info):
    """Episodes of different lengths with the given env rewards and groups."""
    chosen = sorted(oracle_episodes, key=lambda e: e.model_tokens)[:: max(len(oracle_episodes) // len(rewards), 1)]
    return [dataclasses.replace(e, reward=float(r), info={**e.info, "group": g, **info})
            for e, r, g in zip(chosen[: len(rewards)], rewards, groups)]


def config(*flags: str) -> train.Config:
    return train.parse_args(["--threads", "1", "--micro-batch-size", "4", "--max-new-tokens", "96", *flags])


def test_minibatches_move_the_ratio_so_clipping_acts(tiny_model, oracle_episodes):
    import random

    episodes = batch(oracle_episodes, [1, 0, 1, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 1, 1, 1])
    model = copy.deepcopy(tiny_model)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-2)
    stats = train.rl_update(model, None, None, opt, episodes, config("--clip", "0.05", "--minibatch-size", "2"),
                            random.Random(0))
    assert stats["optimizer_steps"] == 8  # 2 epochs x 8 episodes / 2 per minibatch
    assert stats["clip_frac"] > 0 and stats["approx_kl"] > 0 and stats["policy_loss"] != 0  # before: loss 0 always
    model = copy.deepcopy(tiny_model)
    whole = train.rl_update(model, None, None, torch.optim.AdamW(model.parameters(), lr=3e-2), episodes,
                            config("--minibatch-size", "8", "--update-epochs", "1"), random.Random(0))
    assert whole["clip_frac"] == whole["approx_kl"] == 0  # one full-batch step: the ratio is 1


def test_every_term_follows_the_loss_aggregation(tiny_model, tokenizer, oracle_episodes):
    """KL to the reference and entropy are each episode's token mean, then the mean over episodes, under
    --loss-agg sequence (before: the KL term averaged over all tokens)."""
    import random

    episodes = batch(oracle_episodes, [1, 1, 1, 1], [0, 0, 0, 0])  # no advantage: only the KL term
    ref = models.build(tokenizer, models.SIZES["tiny"], seed=1).eval()
    with torch.no_grad():
        lp, mask, _, entropy = algo.token_logprobs(tiny_model, episodes, entropy=True)
        kl = algo.kl_k3(lp, algo.token_logprobs(ref, episodes).logprobs)
    lengths = mask.sum(1)
    assert len(set(lengths.tolist())) == 4  # episodes of different lengths tell the aggregations apart
    model = copy.deepcopy(tiny_model)
    opt = torch.optim.AdamW(model.parameters(), lr=0.0)
    for how, expected_kl, expected_entropy in [
        ("sequence", ((kl * mask).sum(1) / lengths).mean(), ((entropy * mask).sum(1) / lengths).mean()),
        ("token", (kl * mask).sum() / lengths.sum(), (entropy * mask).sum() / lengths.sum()),
    ]:
        stats = train.rl_update(model, None, ref, opt, episodes, config("--loss-agg", how, "--kl", "0.1"),
                                random.Random(0))
        assert stats["kl"] == pytest.approx(float(expected_kl), rel=1e-3), how
        assert stats["entropy"] == pytest.approx(float(expected_entropy), rel=1e-3), how


def test_overlong_mask_takes_the_policy_gradient_of_cut_episodes(tiny_model, oracle_episodes):
    import random

    episodes = batch(oracle_episodes, [1, 0, 1, 0], [0, 0, 0, 0], overflow=True)
    model = copy.deepcopy(tiny_model)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.0)
    stats = train.rl_update(model, None, None, opt, episodes, config("--overlong-mask"), random.Random(0))
    assert stats["policy_loss"] == 0 and same(weights(model), weights(tiny_model))
    train.rl_update(model, None, None, opt, episodes, config(), random.Random(0))
    assert not same(weights(model), weights(tiny_model))
    assert train.overlong(dataclasses.replace(episodes[0], info={"truncated": True}))  # the env's turn limit
    assert not train.overlong(dataclasses.replace(episodes[0], info={"truncated": False}))


def test_play_records_whether_the_turn_limit_ended_an_episode(fmt):
    from rl.rollout import EnvPool, Job, oracle_actor, play
    from rl import envs

    task = envs.tasks(["Calendar"], "train")[0][1]
    assert task.tags["calls"] >= 1
    short, enough = (play([Job("Calendar", task.id, task.seed)], oracle_actor(fmt), fmt, EnvPool(turns), 4096, 96,
                          oracle=True)[0] for turns in (1, 12))
    assert short.info["truncated"] and short.reward == 0  # one turn: the gold call, never the answer
    assert not enough.info["truncated"] and enough.reward == 1
