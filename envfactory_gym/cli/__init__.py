"""The ``envfactory`` command. Each subcommand lives in its own module exposing ``configure(parser)`` and
``run(args) -> int``; those modules are imported to build the parser, so they import heavy things inside ``run``."""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("envfactory_gym.cli.catalog", "list the environments with their tools and task sets"),
    "verify": ("envfactory_gym.evaluation.verify", "run the executed checks of environments and print a table"),
    "card": ("envfactory_gym.evaluation.card", "print or write the quality card of environments (envs/QUALITY.md)"),
    "tasks": ("generators.scenario_cli", "build an environment's task file from its scenario templates"),
    "generate": ("generators.generate_cli", "generate environments from API descriptions, or tasks, SFT data, RL prompts and the tool graph"),
    "bench": ("envfactory_gym.cli.bench", "measure step, reset, digest, memory and batched throughput"),
    "plans": ("envfactory_gym.cli.plans", "list the statements of gold calls whose query plan scans a whole table"),
    "serve": ("envfactory_gym.mcp.cli", "serve an environment or domain as an MCP server (stdio or streamable HTTP)"),
    "eval": ("envfactory_gym.evaluation.evaluate", "evaluate an agent on environments and report pass@1 and pass^k"),
    "leaderboard": ("envfactory_gym.evaluation.leaderboard", "render leaderboards/README.md and the chart from result files"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="envfactory", description="EnvFactory-Gym command line")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).configure(sub)
        sub.set_defaults(module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return importlib.import_module(args.module).run(args)


if __name__ == "__main__":
    sys.exit(main())
