"""The training driver end to end (tiny settings), checkpoint reload, and the OpenRLHF dry run."""

from __future__ import annotations

import json

import pytest
import torch

from rl import model as models
from rl import train
from rl.tokenizer import TRAINING_TEMPLATE, load_tokenizer

SMOKE = ["--max-tasks", "3", "--sft-epochs", "1", "--steps", "1", "--tasks-per-step", "2", "--group-size", "2",
         "--max-new-tokens", "6", "--max-turns", "2", "--vocab-size", "600", "--train-worlds", "2", "--test-worlds", "1"]


def test_checkpoint_reload(tiny_model, tokenizer, tmp_path):
    train.save(tiny_model, tokenizer, tmp_path)
    again, tok = models.load(tmp_path, "cpu"), load_tokenizer(tmp_path)
    ids = torch.tensor([tokenizer.encode("<|im_start|>user\nhello<|im_end|>")])
    with torch.no_grad():
        assert torch.allclose(again(input_ids=ids).logits, tiny_model(input_ids=ids).logits, atol=1e-6)
    assert tok.chat_template["training"] == TRAINING_TEMPLATE and tok.encode("<tool_call>") == tokenizer.encode("<tool_call>")


def test_smoke_run_writes_metrics_plot_and_a_loadable_checkpoint(tmp_path):
    table = train.main(SMOKE + ["--out", str(tmp_path)])
    assert set(table) == {"before SFT", "after SFT", "after RL"}
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in records if r["phase"] in ("eval", "rl")] == ["eval", "eval", "rl", "eval"]
    assert (tmp_path / "reward_curve.png").stat().st_size > 0
    again = train.main(SMOKE + ["--out", str(tmp_path / "again"), "--model", str(tmp_path / "checkpoint"),
                                "--sft-epochs", "0", "--steps", "0"])
    assert again["after SFT"] == table["after RL"]  # the reloaded checkpoint plays the same greedy episodes


@pytest.mark.slow
def test_resume_continues_from_the_saved_step(tmp_path):
    train.main(SMOKE + ["--out", str(tmp_path)])
    train.main(SMOKE + ["--out", str(tmp_path), "--resume", str(tmp_path), "--steps", "2"])
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if r["phase"] == "rl"] == [2]


def test_openrlhf_dry_run_writes_the_dataset_and_prints_the_command(tiny_model, tokenizer, tmp_path, capsys):
    train.save(tiny_model, tokenizer, tmp_path / "model")
    train.main(["--backend", "openrlhf", "--dry-run", "--model", str(tmp_path / "model"), "--out", str(tmp_path)])
    command = capsys.readouterr().out.strip().splitlines()[-1]
    assert "-m openrlhf.cli.train_ppo_ray" in command and "--train.agent_func_path" in command
    assert "--algo.advantage.estimator group_norm" in command
    rows = [json.loads(line) for line in (tmp_path / "openrlhf" / "train.jsonl").read_text().splitlines()]
    label = json.loads(rows[0]["label"])
    assert set(label) == {"env", "task_id", "seed", "max_turns"} and rows[0]["prompt"].endswith("<|im_start|>assistant\n")
