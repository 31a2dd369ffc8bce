"""rl.compare: the runs it plans, the mean and spread it reports, and an end-to-end comparison that resumes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rl import compare



def test_plan_shares_one_sft_checkpoint_and_gives_every_arm_every_seed():
    plan = compare.runs(3, Path("o"))
    assert [(arm, seed, d.name) for arm, seed, d, _ in plan] == [
        ("GRPO", 0, "base"), ("GRPO", 1, "grpo-1"), ("GRPO", 2, "grpo-2"),
        ("SFT control", 0, "control-0"), ("SFT control", 1, "control-1"), ("SFT control", 2, "control-2")]
    assert plan[0][3] == ["--seed", "0"]
    assert plan[4][3] == ["--seed", "1", "--model", str(Path("o/base/sft")), "--sft-epochs", "0", "--no-eval-start",
                          "--control", "sft"]


def test_summary_is_mean_and_sample_spread_per_row():
    seeds = [{"all trained": 0.2, "Calendar": 0.5}, {"all trained": 0.4, "Calendar": 0.5}]
    summary = compare.summarize({"GRPO": seeds})
    row = summary["GRPO"]["all trained"]
    assert math.isclose(row["mean"], 0.3) and math.isclose(row["spread"], math.sqrt(0.02))
    assert (row["min"], row["max"], row["seeds"]) == (0.2, 0.4, [0.2, 0.4])
    assert summary["GRPO"]["Calendar"]["spread"] == 0.0
    table = compare.render({"after SFT (shared)": {"Calendar": {"mean": 0.1}}, "GRPO": {"Calendar": row}}, 2, [])
    assert table.splitlines() == ["| test tasks | after SFT (shared) | GRPO (2 seeds) |", "|---|---|---|",
                                  "| Calendar | 0.100 | 0.300 ± 0.141 |"]


def test_flags_it_sets_per_run_are_refused(capsys):
    with pytest.raises(SystemExit):
        compare.main(["--seeds", "2", "--", "--seed", "3", "--steps", "1"])
    assert "--seed: set by rl.compare for each run" in capsys.readouterr().err


def test_comparison_runs_both_arms_from_one_checkpoint_and_resumes(tmp_path, capsys, smoke_flags):
    flags = [f for f in smoke_flags if f != "--eval-before-sft"]
    summary = compare.main(["--seeds", "1", "--out", str(tmp_path), "--", *flags, "--no-progress"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "compare.json", "control-0"]
    assert list(summary) == ["after SFT (shared)", "GRPO", "SFT control"]
    control = [json.loads(line) for line in (tmp_path / "control-0" / "metrics.jsonl").read_text().splitlines()]
    assert [r["phase"] for r in control].count("control") == 1  # --steps 1 of the control, none of SFT
    assert not any(r["phase"] == "sft" for r in control)
    assert [r["stage"] for r in control if r["phase"] == "eval"] == ["after SFT control"]  # its start: base's figures
    saved = json.loads((tmp_path / "compare.json").read_text())
    assert saved["arms"] == json.loads(json.dumps(summary))
    out = capsys.readouterr().out
    assert "| all trained |" in out and "| ExcelServer (never trained) |" in out and "| RL train sample |" in out
    assert summary["SFT control"]["RL train sample"]["seeds"] == [
        next(r["success"] for r in control if r["phase"] == "train_eval")]
    again = compare.main(["--seeds", "1", "--out", str(tmp_path), "--", *flags, "--no-progress"])
    assert again == summary and "reusing" in capsys.readouterr().out
