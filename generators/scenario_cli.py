"""``envfactory tasks NAME``: build and write an environment's task file from its scenario templates."""

from __future__ import annotations

import argparse
from collections import Counter


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="+", help="environment names, or domains with cross-environment scenarios")
    parser.add_argument("--n", type=int, default=60, help="tasks to keep per name (default 60)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="world seeds (default 0 1 2)")
    parser.add_argument("--test-share", type=float, default=0.3, help="share of tasks in the test split")
    parser.add_argument("--dry-run", action="store_true", help="report without writing the task files")


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import task_file
    from envfactory_gym.tasks import write_tasks
    from generators.scenarios import build_tasks

    for name in args.names:
        tasks, report = build_tasks(name, args.n, args.seeds, args.test_share)
        lengths = Counter(t.tags["calls"] for t in tasks)
        print(f"{name}: kept {report.kept}; splits {dict(Counter(t.split for t in tasks))}; "
              f"calls {dict(sorted(lengths.items()))}; rejected {dict(report.rejected)}")
        if not args.dry_run:
            write_tasks(task_file(name), tasks)
            print(f"  wrote {task_file(name)}")
    return 0
