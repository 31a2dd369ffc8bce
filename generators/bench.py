"""Benchmark of task generation: verified tasks per second on one core, offline.

``python -m generators.bench [NAME] [--n 1000]`` prints a JSON object; :func:`measure` returns it. Building the
seeded world states (Faker) and probing the tool graph happen once per process and are timed apart.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any


def measure(name: str = "Calendar", n: int = 1000, seed: int = 0, world_seeds: tuple[int, ...] = (0, 1, 2)
            ) -> dict[str, Any]:
    """Generate ``n`` verified tasks of ``name`` on one core and report wall and CPU time."""
    from envfactory_gym.registration import world_set
    from generators.graph import tool_graph
    from generators.synthesis import generate
    from generators.values import pools

    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})
    try:
        started = time.perf_counter()
        for world_seed in world_seeds:
            pools(world_set(name), world_seed)
        tool_graph(name, world_seeds[0])
        setup = time.perf_counter() - started
        wall, cpu = time.perf_counter(), time.process_time()
        tasks, report = generate(name, n, seed, world_seeds=world_seeds)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
    return {
        "name": name, "tasks": len(tasks), "attempts": report.attempts, "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2), "tasks_per_s": round(len(tasks) / wall, 1), "setup_s": round(setup, 2),
        "coverage": round(report.coverage, 3), "three_plus_calls": round(
            sum(1 for t in tasks if t.tags["calls"] >= 3) / max(1, len(tasks)), 3),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generators.bench", description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", default="Calendar", help="environment or domain (default Calendar)")
    parser.add_argument("--n", type=int, default=1000, help="verified tasks to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.name, args.n, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
