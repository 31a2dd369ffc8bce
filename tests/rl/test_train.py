"""The training driver end to end (tiny settings), checkpoint reload."""

from __future__ import annotations

import json
import re
import warnings

import pytest
import torch

from rl import model as models
from rl import train
from rl.tokenizer import TRAINING_TEMPLATE, load_tokenizer

from tests.rl.conftest import SMOKE


def test_checkpoint_reload(tiny_model, tokenizer, tmp_path):
    train.save(tiny_model, tokenizer, tmp_path)
    again, tok = models.load(tmp_path, "cpu"), load_tokenizer(tmp_path)
    ids = torch.tensor([tokenizer.encode("<|im_start|>user\nhello<|im_end|>")])
    with torch.no_grad():
        assert torch.allclose(again(input_ids=ids).logits, tiny_model(input_ids=ids).logits, atol=1e-6)
    assert tok.chat_template["training"] == TRAINING_TEMPLATE and tok.encode("<tool_call>") == tokenizer.encode("<tool_call>")


def test_episodes_played_in_several_processes_are_those_of_one_and_a_failure_there_is_raised(tiny_model, fmt):
    from rl import envs
    from rl.rollout import EnvPool, Job, env_groups, model_actor, play, play_in_processes

    jobs = [Job(n, t.id, t.seed) for n, t in envs.tasks(["Calendar", "MongoDBServer", "KospiKosdaqStock"], "test", 4)]
    assert env_groups(jobs, 2) == [[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7]]  # whole environments, fewest jobs first
    greedy = model_actor(tiny_model, fmt, 8, greedy=True)
    counted: list[int] = []
    split = play_in_processes(jobs, greedy, fmt, EnvPool(2), 4096, 8, processes=2, progress=counted.append)
    one = play(jobs, greedy, fmt, EnvPool(2), 4096, 8)
    assert sum(counted) == len(jobs)
    assert [(e.ids, e.mask, e.reward, e.info["task_id"]) for e in split] == [
        (e.ids, e.mask, e.reward, e.info["task_id"]) for e in one]

    def failing(episodes, budgets):
        if episodes[0].info["env"] == "MongoDBServer":  # played by the child
            raise ValueError("no MongoDB here")
        return greedy(episodes, budgets)

    with pytest.raises(RuntimeError, match="^a process playing episodes failed$") as raised:
        play_in_processes(jobs, failing, fmt, EnvPool(2), 4096, 8, processes=2)
    assert str(raised.value.__cause__) == "no MongoDB here"


def test_smoke_run_writes_metrics_plot_and_a_loadable_checkpoint(tmp_path, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = train.main(SMOKE + ["--out", str(tmp_path)])
    assert set(table) == {"before SFT", "after SFT", "after RL"}
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records if r["phase"] in ("eval", "rl")] == ["eval", "eval", "rl", "eval"]
    assert (tmp_path / "reward_curve.png").stat().st_size > 0
    # every evaluation leaves its greedy episodes, one line each, with the score the table counted
    for stage in table:
        lines = (tmp_path / "transcripts" / f"{stage.replace(' ', '_')}.jsonl").read_text().splitlines()
        rows = [json.loads(line) for line in lines]
        counts = next(r["test_tasks"] for r in records if r["phase"] == "setup")
        assert {env: sum(r["env"] == env for r in rows) for env in counts} == counts and len(rows) == 12
        trained = [r for r in rows if r["env"] != "ExcelServer"]
        assert sum(r["reward"] >= 1.0 for r in trained) / len(trained) == table[stage]
        assert all(r["dialogue"].count("<|im_end|>") >= 1 and "<|im_start|>system" not in r["dialogue"] for r in rows)
    # progress: every phase has a bar on stderr, numbered among all of them, that ends at its total
    err = capsys.readouterr().err
    plan = train.phase_plan(train.parse_args(SMOKE))
    assert plan == ["generate tasks", "tokenizer", "eval before SFT", "gold trajectories", "SFT", "eval after SFT",
                    "train eval after SFT", "RL", "eval after RL", "train eval after RL"]
    for i, phase in enumerate(plan):
        assert re.search(rf"\[{i + 1}/10\] {phase}: 100%\|[^\r\n]*\| ([1-9][0-9]*)/\1 \[", err), (phase, err[-2000:])
    # 3 trained environments x (2 train worlds + 1 test world) + 1 test world of the held-out environment
    assert "[1/10] generate tasks: 100%" in err and "| 10/10 [" in err
    # transformers' deprecation of the past_key_values argument: neither its FutureWarning nor its log line
    assert not [w for w in caught if "past_key_values" in str(w.message)] and "past_key_values" not in err
    again = train.main(SMOKE + ["--out", str(tmp_path / "again"), "--model", str(tmp_path / "checkpoint"),
                                "--sft-epochs", "0", "--steps", "0", "--no-progress"])
    assert again["after SFT"] == table["after RL"]  # the reloaded checkpoint plays the same greedy episodes
    assert list(again) == ["after SFT"]  # no steps: the same model is not evaluated again as "after RL"
    assert "eval after SFT" not in capsys.readouterr().err


def test_bad_choices_are_usage_errors(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--loss-agg", "mean"])
    assert "--loss-agg token, sequence or sum" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.parse_args(["--control", "sft", "--curriculum"])
    assert "--control sft trains on the gold trajectories of the fixed RL train tasks: drop --curriculum" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.parse_args(["--no-eval-start"])  # a model built here has not been evaluated
    assert "--no-eval-start skips evaluating a --model start: it needs --model, --sft-epochs 0 and --steps" in \
        capsys.readouterr().err
    start = train.parse_args(["--model", "ckpt", "--sft-epochs", "0", "--no-eval-start"])
    assert "eval after SFT" not in train.phase_plan(start) and "eval after RL" in train.phase_plan(start)
    assert train.parse_args(["--baseline", "drgrpo"]).loss_agg == "sum"  # Dr. GRPO's constant normaliser
    assert train.parse_args(["--resume", "runs/x"]).out == "runs/x"  # a resumed run continues in its directory


def test_sft_worlds_give_sft_and_rl_disjoint_worlds():
    from rl.rollout import Job

    jobs = [Job("Calendar", f"t{seed}", seed) for seed in (0, 1, 2, 3, 1)]
    sft, rl = train.split_by_world(jobs, 2)
    assert [j.seed for j in sft] == [0, 1, 1] and [j.seed for j in rl] == [2, 3]
    assert train.split_by_world(jobs, 0) == (jobs, jobs)
    with pytest.raises(ValueError, match=r"^--sft-worlds must be 0 or fewer than --train-worlds \(RL needs worlds"):
        train.task_split(train.parse_args(["--train-worlds", "2", "--sft-worlds", "2"]), ["Calendar"])


def test_envs_without_tasks_of_the_selected_size_exit_with_the_fix(tmp_path):
    tiny_split = ["--train-worlds", "2", "--sft-worlds", "1", "--test-worlds", "1", "--out", str(tmp_path)]
    with pytest.raises(SystemExit, match=r"^python -m rl.train: no train tasks for Retail \(--tasks generated, "
                                         r"--max-calls 1\): raise --max-calls \(0: any number of calls\)"):
        train.main(["--envs", "Retail", "--max-calls", "1", *tiny_split])
    with pytest.raises(SystemExit, match=r"^python -m rl.train: 'OpenLibrary' has no task templates to generate from; "
                                         r"use --tasks suite$"):
        train.main(["--envs", "OpenLibrary", *tiny_split])
