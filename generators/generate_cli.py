"""``envfactory generate tasks|sft|rl|graph NAME``: synthesize tasks on the tool graph and export them
(``envfactory generate env ...``, environments from API descriptions, is :mod:`generators.environments.cli`).

``tasks`` writes task JSON Lines (the runtime's format; point ``--out`` at ``envs/<domain>/tasks/<NAME>.jsonl``
to replace an environment's task set), ``sft`` chat rows of oracle episodes, ``rl`` RL prompts, ``graph`` the
tool graph as JSON plus a PNG picture beside it. ``sft`` and ``rl`` generate tasks first unless ``--tasks`` names
a task file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SUFFIX = {"tasks": ".tasks.jsonl", "sft": ".sft.jsonl", "rl": ".rl.jsonl", "graph": ".graph.json"}


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1 (a count of tasks, say)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer of at least 0 (0 meaning none)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or a positive integer, got {value}")
    return value


def share(text: str) -> float:
    """argparse type: a fraction between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value:g}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None


def configure(parser: argparse.ArgumentParser) -> None:
    from generators.environments import cli as env_cli

    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    env_cli.configure(kinds.add_parser("env", help="an environment module from an API description (reference "
                                       "file, MCP server or OpenAPI document), gated before it is written",
                                       description=env_cli.__doc__))
    common = argparse.ArgumentParser(add_help=False)
    _tasks_options(common)
    for kind, help_text in KIND_HELP.items():
        kinds.add_parser(kind, parents=[common], help=help_text, description=help_text)


KIND_HELP = {"tasks": "verified tasks as JSON Lines", "sft": "chat rows of oracle episodes", "rl": "RL prompts",
             "graph": "the tool graph as JSON and a PNG picture"}


def _tasks_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="an environment, or a domain for cross-environment tasks")
    parser.add_argument("--n", type=positive_int, default=200, help="verified tasks to generate (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--out", type=Path, help="output file (default ./<NAME>.<kind>.json[l])")
    parser.add_argument("--world-seeds", type=int, nargs="+", default=[0, 1, 2], help="world states to use")
    parser.add_argument("--test-share", type=share, default=0.3, help="share of tasks in the test split")
    parser.add_argument("--conversational", type=share, default=0.15, help="share of tasks with a hidden fact")
    parser.add_argument("--tasks", type=Path, help="sft/rl: export this task file instead of generating")
    parser.add_argument("--llm-base-url", help="OpenAI-compatible endpoint to paraphrase requests with")
    parser.add_argument("--llm-model", help="model name at that endpoint")
    parser.add_argument("--llm-api-key", default="EMPTY", help="API key for that endpoint")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    if args.kind == "env":
        from generators.environments import cli as env_cli

        return env_cli.run(args)
    out = args.out or Path(f"{args.name}{SUFFIX[args.kind]}")
    if args.kind == "graph":
        return _graph(args.name, out)
    from envfactory_gym.core.tasks import read_tasks, write_tasks
    from generators.export import rl_rows, sft_rows, write_jsonl

    if args.tasks:
        tasks = read_tasks(args.tasks)
    else:
        from generators.llm import LLMRewriter
        from generators.synthesis import generate

        rewriter = LLMRewriter(args.llm_base_url, args.llm_model, args.llm_api_key) if args.llm_base_url else None
        with tqdm(total=args.n, desc=f"generate {args.name}", unit="task") as bar:
            tasks, report = generate(args.name, args.n, args.seed, world_seeds=args.world_seeds,
                                     test_share=args.test_share, conversational=args.conversational,
                                     rewriter=rewriter, progress=bar.update)
        print(report.summary())
    if args.kind == "tasks":
        write_tasks(out, tasks)
        print(f"wrote {len(tasks)} tasks to {out}")
    elif args.kind == "sft":
        with tqdm(total=len(tasks), desc=f"replay {args.name}", unit="episode") as bar:
            rows = sft_rows(args.name, tasks, progress=bar.update)
        write_jsonl(out, rows)
        print(f"wrote {len(rows)} SFT rows ({len(tasks) - len(rows)} episodes below reward 1) to {out}")
    else:
        count = write_jsonl(out, rl_rows(args.name, tasks))
        print(f"wrote {count} RL prompts to {out}")
    return 0


def _graph(name: str, out: Path) -> int:
    from tabulate import tabulate

    from generators.graph import UNREACHABLE, tool_graph

    graph = tool_graph(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph.write_json(out)
    picture = out.with_suffix(".png")
    graph.draw(picture)
    rows = [[t.name, t.env, "write" if t.writes else "read",
             ", ".join(p.name for p in t.params.values() if p.kind == "user") or "-",
             ", ".join(p.name for p in t.params.values() if p.kind == "derived") or "-",
             "unreachable" if graph.cost[t.name] == UNREACHABLE else int(graph.cost[t.name])]
            for t in graph.tools.values()]
    print(tabulate(rows, headers=["tool", "env", "kind", "user-provided", "tool-derived", "min chain"]))
    print(f"{len(graph.tools)} tools, {graph.graph.number_of_edges()} edges; wrote {out} and {picture}")
    return 0
