"""GRPO against an SFT-only control of equal compute, over several seeds, from one SFT checkpoint.

    python -m rl.compare --seeds 4 --out runs/compare [-- more rl.train flags, given to every run]

Runs, each a ``python -m rl.train`` in this process with the flags after ``--`` (``--sft-epochs`` etc. shape the
base run), in ``--out``: ``base/`` (the default run with ``--seed 0``: SFT,
then GRPO: seed 0's RL arm), then for every further seed S ``grpo-S/`` (GRPO from ``base/sft``) and for every seed
``control-S/`` (``--control sft`` from ``base/sft``: as many supervised steps on the gold trajectories of the same RL
tasks as GRPO takes optimizer steps). A run whose ``metrics.jsonl`` ends with its ``done`` record is reused, so an
interrupted comparison continues where it stopped. Prints greedy held-out success per environment, mean and spread
(sample standard deviation) over the seeds of each arm, and writes it to ``compare.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from rl import train
from rl.report import read_records

#: The arms and the table row of each run's final evaluation.
ARMS = {"GRPO": "after RL", "SFT control": "after SFT control"}


def runs(seeds: int, out: Path) -> list[tuple[str, int, Path, list[str]]]:
    """(arm, seed, directory, rl.train flags) of every run, the base run first."""
    checkpoint = str(out / "base" / "sft")
    plan = [("GRPO", 0, out / "base", ["--seed", "0"])]
    start = ["--model", checkpoint, "--sft-epochs", "0", "--no-eval-start"]  # base/ evaluated that checkpoint
    plan += [("GRPO", s, out / f"grpo-{s}", ["--seed", str(s), *start]) for s in range(1, seeds)]
    plan += [("SFT control", s, out / f"control-{s}", ["--seed", str(s), *start, "--control", "sft"])
             for s in range(seeds)]
    return plan


def finished(directory: Path) -> list[dict[str, Any]] | None:
    """The records of a run that ran to its end, else None."""
    path = directory / "metrics.jsonl"
    if not path.exists():
        return None
    records = read_records(path)
    return records if records and records[-1]["phase"] == "done" else None


def evaluations(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Stage -> {"all trained": success, environment: success, ..., "RL train sample": success} of a run's
    evaluations (the last row when ``--train-eval`` played it)."""
    stages = {r["stage"]: {"all trained": r["success"], **r["per_env"]} for r in records if r["phase"] == "eval"}
    for r in records:
        if r["phase"] == "train_eval":
            stages[r["stage"]]["RL train sample"] = r["success"]
    return stages


def summarize(results: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, dict[str, float]]]:
    """Arm -> row -> mean, spread (sample std; 0 for one seed), min, max and the seeds' figures."""
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for arm, figures in results.items():
        summary[arm] = {}
        for row in figures[0]:
            values = [f[row] for f in figures]
            summary[arm][row] = {"mean": statistics.fmean(values),
                                 "spread": statistics.stdev(values) if len(values) > 1 else 0.0,
                                 "min": min(values), "max": max(values), "seeds": values}
    return summary


def render(summary: dict[str, dict[str, dict[str, float]]], seeds: int, heldout: list[str]) -> str:
    """The comparison as a Markdown table: one row per environment; the shared start, then mean ± spread per arm."""
    arms = list(summary)
    header = [f"{arm} ({seeds} seeds)" if arm in ARMS else arm for arm in arms]
    lines = [f"| test tasks | {' | '.join(header)} |", "|---|" + "---|" * len(arms)]
    for row in summary[arms[0]]:
        label = f"{row} (never trained)" if row in heldout else row
        cells = [f"{summary[a][row]['mean']:.3f}" + (f" ± {summary[a][row]['spread']:.3f}" if a in ARMS else "")
                 for a in arms]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1:]
    parser = argparse.ArgumentParser(prog="python -m rl.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=4, help="seeds per arm (at least 2 for a spread)")
    parser.add_argument("--out", default="runs/compare", help="directory of the runs and compare.json")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    out = Path(args.out)
    banned = {"--seed", "--model", "--out", "--control", "--resume"} & {a.split("=")[0] for a in extra}
    if banned:
        parser.error(f"{', '.join(sorted(banned))}: set by rl.compare for each run")
    results: dict[str, list[dict[str, float]]] = {arm: [] for arm in ARMS}
    for arm, seed, directory, flags in runs(args.seeds, out):
        records = finished(directory)
        if records is None:
            command = extra + flags + ["--out", str(directory)]  # the run's own flags last: they win
            print(f"== {arm}, seed {seed}: python -m rl.train {' '.join(command)}", flush=True)
            train.main(command)
            records = finished(directory)
        else:
            print(f"== {arm}, seed {seed}: reusing {directory}", flush=True)
        results[arm].append(evaluations(records)[ARMS[arm]])
    base = read_records(out / "base" / "metrics.jsonl")
    start = evaluations(base)["after SFT"]
    heldout = next(r["heldout_envs"] for r in base if r["phase"] == "setup")
    summary = {"after SFT (shared)": {row: {"mean": v, "spread": 0.0, "min": v, "max": v, "seeds": [v]}
                                      for row, v in start.items()}, **summarize(results)}
    (out / "compare.json").write_text(json.dumps({"seeds": args.seeds, "flags": extra, "arms": summary}, indent=1))
    print(render(summary, args.seeds, heldout))
    return summary


if __name__ == "__main__":
    main()
