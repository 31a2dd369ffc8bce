"""``envfactory tasks NAME``: build an environment's task file from its templates (if it has any), adding tasks
sampled along its tool graph (``--chains N``, :mod:`generators.synthesis`), and report coverage. A tool body
that crashes is reported (environment, tool, arguments, traceback head) and the file is not written (exit 1)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from envfactory_gym.core.tasks import Task, mask_request
from generators.generate_cli import non_negative_int, positive_int, share


def merge(scenario_tasks: list[Task], chain_tasks: list[Task]) -> list[Task]:
    """Template tasks first, then chain tasks whose gold calls and request shape (values masked) no earlier task
    has."""
    seen = {json.dumps(t.gold, sort_keys=True) for t in scenario_tasks}
    shapes = {mask_request(t.request) for t in scenario_tasks}
    merged = list(scenario_tasks)
    for task in chain_tasks:
        key, shape = json.dumps(task.gold, sort_keys=True), mask_request(task.request)
        if key not in seen and shape not in shapes:
            seen.add(key)
            shapes.add(shape)
            merged.append(task)
    return merged


def coverage(name: str, tasks: list[Task]) -> tuple[int, list[str]]:
    """How many of the offered tools some task's gold calls use, and the unused ones."""
    from envfactory_gym.episode.replay import translate
    from envfactory_gym.registration import world_set

    worlds = world_set(name)(0)
    tools = list(worlds.tools)
    used = {translate(worlds, t, g) for t in tasks for g in t.gold}
    return len(used & set(tools)), [t for t in tools if t not in used]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", help="environment names, or domains with cross-environment scenarios")
    parser.add_argument("--n", type=positive_int, default=60, help="scenario tasks to keep per name (default 60)")
    parser.add_argument("--chains", type=non_negative_int, default=0,
                        help="also add up to this many tasks sampled along the tool graph (default 0)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="world seeds (default 0 1 2)")
    parser.add_argument("--test-share", type=share, default=0.3, help="share of tasks in the test split")
    parser.add_argument("--dry-run", action="store_true", help="report without writing the task files")


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import ENVIRONMENTS, task_file
    from envfactory_gym.core.tasks import write_tasks
    from generators.crashes import report as crash_report
    from generators.scenarios import build_tasks
    from generators.synthesis import generate

    status = 0
    for name in args.names:
        tasks, report = build_tasks(name, args.n, args.seeds, args.test_share, distinct_requests=True)
        crashes = list(report.crashes)
        if args.chains:
            chains, chain_report = generate(name, args.chains, world_seeds=args.seeds, test_share=args.test_share)
            crashes += chain_report.crashes
            tasks = merge(tasks, chains)
        lengths = Counter(t.tags["calls"] for t in tasks)
        used, unused = coverage(name, tasks)
        long_share = sum(n for calls, n in lengths.items() if calls >= 3) / max(len(tasks), 1)
        print(f"{name}: {len(tasks)} tasks ({report.kept} from scenarios); splits "
              f"{dict(Counter(t.split for t in tasks))}; calls {dict(sorted(lengths.items()))} "
              f"({long_share:.0%} with 3+); tools used {used}/{used + len(unused)}"
              + (f" (unused: {', '.join(unused)})" if unused and name in ENVIRONMENTS else "")
              + f"; scenario rejections {dict(report.rejected)}")
        if crashes:
            print(f"{name}: not written: {crash_report(crashes)}", file=sys.stderr)
            status = 1
        elif not args.dry_run:
            write_tasks(task_file(name), tasks)
            print(f"  wrote {task_file(name)}")
    return status
