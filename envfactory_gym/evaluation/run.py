"""What one evaluation run produced (read by the evaluator's CLI and by the leaderboard)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envfactory_gym.evaluation.agent_loader import LoadedAgent


@dataclass
class EvalRun:
    """What :func:`evaluate` did: the run directory, the agent, the selected episodes and their summary."""

    run_dir: Path
    agent: LoadedAgent
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    played: int
