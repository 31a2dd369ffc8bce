"""``envfactory list``: the suite's environments with their tools and task sets."""

from __future__ import annotations

import argparse


def summary() -> list[dict[str, object]]:
    """One row per environment and per domain with cross-environment tasks."""
    from envfactory_gym.registration import ENVIRONMENTS, cross_domains, load_tasks, world_set

    rows = []
    for name in [*ENVIRONMENTS, *cross_domains()]:
        tools = world_set(name)(0).tools
        tasks = [t for t in load_tasks(name) if t.env == name]
        rows.append({
            "id": f"EnvFactory/{name}-v0",
            "domain": ENVIRONMENTS[name][0] if name in ENVIRONMENTS else name,
            "tools": len(tools),
            "write tools": sum(spec.writes for _, spec in tools.values()),
            "tasks": len(tasks),
            "test": sum(t.split == "test" for t in tasks),
            "3+ calls": sum(t.tags["calls"] >= 3 for t in tasks),
            "conversational": sum(t.conversational for t in tasks),
            "answer facts": sum(bool(t.answer_facts) for t in tasks),
        })
    return rows


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="github", help="table format (tabulate's names; default github)")


def run(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    print(tabulate(summary(), headers="keys", tablefmt=args.format))
    return 0
