"""What a run reports: metrics as JSON Lines, progress bars per phase, the final table and the reward plot."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rl.rollout import Job


class Log:
    """Metrics as JSON Lines, echoed briefly to stdout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: Any = None  # opened by the first record (a run that exits on a usage error leaves none open)
        self.start = time.time()

    def __call__(self, phase: str, **values: Any) -> dict[str, Any]:
        record = {"phase": phase, "time": round(time.time() - self.start, 2), **values}
        if self.file is None:
            self.file = self.path.open("a", encoding="utf-8")
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()
        shown = " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items())
        tqdm.write(shown, file=sys.stdout)  # above the progress bars rather than through them
        sys.stdout.flush()
        return record


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a metrics.jsonl."""
    return [json.loads(line) for line in path.read_text().splitlines()]


class Phases:
    """Progress bars of a run's phases (on stderr): each phase numbered among all of them, with its total and ETA.

    Counting only: nothing here touches a random generator or the order of work, so metrics are unchanged."""

    def __init__(self, names: list[str], enabled: bool) -> None:
        self.names = names
        self.enabled = enabled
        self.done = 0

    def __call__(self, name: str, total: int, unit: str, initial: int = 0) -> tqdm:
        """The bar of the next phase, called ``name`` (one of ``names``, which may repeat: e.g. evaluations);
        ``initial``: units already done (a resumed run's steps, left out of the rate and the ETA)."""
        self.done += 1
        return tqdm(total=total, initial=initial, desc=f"[{self.done}/{len(self.names)}] {name}", unit=unit,
                    file=sys.stderr, disable=not self.enabled, dynamic_ncols=True, leave=True)


def report(table: dict[str, float], per_env: dict[str, dict[str, float]], seen: dict[str, float], names: list[str],
           heldout: list[str], test: list[Job], train_eval: int) -> str:
    """The final table: greedy success per stage (columns) on each environment's test tasks (rows), the trained
    environments together, the held-out ones, and the RL train sample."""
    stages = list(table)
    counts = {n: sum(j.env == n for j in test) for n in names + heldout}
    rows = [(f"{n} ({counts[n]})", [per_env[s][n] for s in stages]) for n in names]
    rows.append((f"all trained ({sum(counts[n] for n in names)})", [table[s] for s in stages]))
    rows += [(f"{n} ({counts[n]}, never trained)", [per_env[s][n] for s in stages]) for n in heldout]
    if seen:
        rows.append((f"RL train sample ({train_eval})", [seen.get(s) for s in stages]))
    width, column = max(len(label) for label, _ in rows) + 2, max(len(s) for s in stages) + 3
    lines = ["", "greedy success on held-out test tasks (unseen worlds; count in brackets):",
             f"{'test tasks':<{width}}" + "".join(f"{s:>{column}}" for s in stages)]
    lines += [f"{label:<{width}}" + "".join(f"{'-' if v is None else f'{v:.3f}':>{column}}" for v in values)
              for label, values in rows]
    return "\n".join(lines)


def plot(records: list[dict[str, Any]], path: Path) -> None:
    """Mean rollout reward per RL step and the held-out success marks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r for r in records if r["phase"] == "rl"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["step"] for r in steps], [r["reward"] for r in steps], marker="o", label="train rollouts (mean reward)")
    for r in records:
        if r["phase"] == "eval":
            ax.axhline(r["success"], linestyle="--", linewidth=1, color={"before SFT": "grey", "after SFT": "tab:orange",
                       "after RL": "tab:green"}.get(r["stage"], "black"), label=f"held-out success, {r['stage']}")
    ax.set_xlabel("RL step")
    ax.set_ylabel("reward / success")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
