"""Fingerprints of the oracle replaying every committed task: observations, rewards, per-step progress and the
final state digest of each episode, hashed. The runtime's speed-ups must leave every one unchanged.

``python -m tests.oracle_replay`` rewrites ``tests/data/oracle_replay.json`` (after adding tasks or environments,
never to hide a change in behaviour).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from envfactory_gym.agents import OracleAgent
from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.core.tasks import read_tasks
from envfactory_gym.registration import ENVIRONMENTS, cross_domains, load_tasks, register_all, task_file

EXPECTED = Path(__file__).parent / "data" / "oracle_replay.json"


def task_sets() -> list[str]:
    """Every environment with tasks, and every domain with cross-environment tasks of its own."""
    register_all()
    return [n for n in ENVIRONMENTS if load_tasks(n)] + [d for d in cross_domains() if task_file(d).exists()]


def fingerprints(name: str) -> dict[str, str]:
    """Task id -> hash of the oracle's episode on that task file's tasks."""
    env = ToolUseEnv(name, split=None, tasks=read_tasks(task_file(name)))
    out = {}
    for task in env.tasks:
        h = hashlib.blake2b(digest_size=8)
        _, info = env.reset(options={"task_id": task.id})
        agent = OracleAgent()
        agent.reset(env, info)
        h.update(json.dumps(info["messages"][1:]).encode())  # not the system prompt: a domain's grows with it
        done = False
        while not done:
            observation, reward, terminated, truncated, info = env.step(agent.act(info))
            done = terminated or truncated
            h.update(json.dumps([observation, reward, terminated, truncated, env.progress]).encode())
        h.update(env.state_digest().encode())
        h.update(json.dumps(info["reward_info"], sort_keys=True, default=str).encode())
        out[task.id] = h.hexdigest()
    return out


def main() -> None:
    names = sys.argv[1:] or task_sets()
    expected = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    for name in names:
        expected[name] = fingerprints(name)
        print(f"{name}: {len(expected[name])} tasks")
    EXPECTED.write_text(json.dumps(dict(sorted(expected.items())), indent=0, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
