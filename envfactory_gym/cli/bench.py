"""The suite's benchmark (``envfactory bench`` or ``python -m envfactory_gym.cli.bench``).

Measures, in this process on one core: steps/s of a typical tool call through the Gymnasium env, reset time
after the first build of a seed, grading time, state digest time at 1,000 rows, memory per live episode, and the
throughput of 2,048 concurrent episodes of mixed environments through :class:`~envfactory_gym.vector.BatchedEnv`.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from typing import Any

BENCH_ENV = "Calendar"


def _per_call(fn: Callable[[], Any], repeat: int) -> float:
    """Seconds per call of ``fn`` (best of three rounds of ``repeat`` calls)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_step(name: str, repeat: int) -> dict[str, float]:
    import gymnasium as gym

    env = gym.make(f"EnvFactory/{name}-v0", max_turns=10**9)
    task = env.unwrapped.tasks[0]
    env.reset(seed=0, options={"task_id": task.id})
    tool, arguments = env.unwrapped.gold_calls()[0]
    text = f'<tool_call>{json.dumps({"name": tool, "arguments": arguments})}</tool_call>'
    step_text = _per_call(lambda: env.step(text), repeat)
    env.reset(seed=0, options={"task_id": task.id})
    step_dict = _per_call(lambda: env.step({"name": tool, "arguments": arguments}), repeat)
    reset = _per_call(lambda: env.reset(seed=0, options={"task_id": task.id}), repeat)
    return {"step_text_per_s": 1 / step_text, "step_dict_per_s": 1 / step_dict, "reset_us": reset * 1e6,
            "typical_call": tool}


def bench_grade(name: str, repeat: int) -> dict[str, float]:
    import gymnasium as gym

    from envfactory_gym.agents import OracleAgent

    env = gym.make(f"EnvFactory/{name}-v0").unwrapped
    task = next(t for t in env.tasks if t.tags.get("writes"))
    _, info = env.reset(options={"task_id": task.id})
    agent = OracleAgent()
    agent.reset(env, info)
    for action in agent.plan[:-1]:
        env.step(action)
    env.grade()
    return {"grade_ms": _per_call(env.grade, repeat) * 1e3}


def bench_digest(name: str, rows: int = 1000) -> dict[str, float]:
    """Digest time of a world padded to ``rows`` rows (copies of its largest table's rows with fresh keys)."""
    from envfactory_gym.registration import world_set

    world = next(iter(world_set(name)(0).worlds.values()))
    tables = [t for t in world.tables if not t.bookkeeping]
    count = lambda: sum(world.value(f'SELECT COUNT(*) FROM "{t.name}"') for t in tables)  # noqa: E731
    target = max(tables, key=lambda t: world.value(f'SELECT COUNT(*) FROM "{t.name}"'))
    world.conn.execute("PRAGMA query_only = 0")
    key = target.key[0]
    copy = 0
    while count() < rows:
        copy += 1
        columns = ", ".join(f'"{c}"' for c in target.columns)
        select = ", ".join(f"\"{c}\" || '-copy{copy}'" if c == key else f'"{c}"' for c in target.columns)
        world.conn.execute(f'INSERT INTO "{target.name}" ({columns}) SELECT {select} FROM "{target.name}"'
                           f" LIMIT {rows - count()}")
    return {"digest_ms": _per_call(world.digest, 200) * 1e3, "digest_rows": count()}


def bench_batch(names: list[str], episodes: int) -> dict[str, float]:
    """Memory per live episode and oracle-driven throughput of ``episodes`` concurrent episodes."""
    from envfactory_gym.agents import OracleAgent
    from envfactory_gym.vector import BatchedEnv

    slots = [names[i % len(names)] for i in range(episodes)]
    BatchedEnv(names).reset()  # build every snapshot and catalog first, so only per-episode memory is counted
    before = _rss_bytes()
    batch = BatchedEnv(slots, max_turns=50)
    started = batch.reset(seeds=list(range(episodes)))
    memory = (_rss_bytes() - before) / episodes
    agents = []
    for slot, (_, info) in started.items():
        agent = OracleAgent()
        agent.reset(batch.envs[slot], info)
        agents.append(agent)
    infos = {slot: info for slot, (_, info) in started.items()}
    steps, start = 0, time.perf_counter()
    while active := batch.active():
        results = batch.step({slot: agents[slot].act(infos[slot]) for slot in active})
        steps += len(results)
        infos.update({slot: r.info for slot, r in results.items()})
    elapsed = time.perf_counter() - start
    solved = sum(env.breakdown.success for env in batch.envs if env.breakdown)
    return {"episode_memory_kib": memory / 1024, "batch_episodes": episodes, "batch_steps_per_s": steps / elapsed,
            "batch_episodes_per_s": episodes / elapsed, "batch_solved": solved}


def measure(repeat: int = 5000, episodes: int = 2048) -> dict[str, Any]:
    from envfactory_gym.registration import ENVIRONMENTS, load_tasks

    names = [n for n in ENVIRONMENTS if load_tasks(n)]
    figures: dict[str, Any] = {"environments": len(names)}
    figures |= bench_step(BENCH_ENV, repeat)
    figures |= bench_grade(BENCH_ENV, 200)
    figures |= bench_digest(BENCH_ENV)
    figures |= bench_batch(names, episodes)
    return figures


TARGETS = {
    "step_text_per_s": (">=", 20_000, "steps/s, raw Qwen3 text action"),
    "step_dict_per_s": (">=", 20_000, "steps/s, dict action"),
    "reset_us": ("<=", 50, "µs per reset (cached snapshot)"),
    "grade_ms": ("<=", 1, "ms to grade an episode"),
    "digest_ms": ("<=", 1, "ms per state digest"),
    "episode_memory_kib": ("<=", 1024, "KiB per live episode"),
    "batch_steps_per_s": (None, None, "steps/s over concurrent episodes (oracle)"),
}


def render(figures: dict[str, Any]) -> str:
    from tabulate import tabulate

    rows = []
    for key, (op, target, label) in TARGETS.items():
        value = figures[key]
        met = "" if op is None else ("yes" if (value >= target if op == ">=" else value <= target) else "NO")
        rows.append([label, f"{value:,.1f}" if value >= 10 else f"{value:.3f}", f"{op} {target:,}" if op else "", met])
    head = (f"{figures['environments']} environments; typical call: {figures['typical_call']} on {BENCH_ENV}; "
            f"digest at {figures['digest_rows']} rows; {figures['batch_episodes']} concurrent episodes, "
            f"{figures['batch_solved']} solved by the oracle")
    return head + "\n" + tabulate(rows, headers=["measure", "value", "target", "met"], tablefmt="github")


SECTIONS = ("core", "mcp", "generation")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="what to measure: the env core, MCP transports, task generation (default: all)")
    parser.add_argument("--repeat", type=int, default=5000, help="calls per timing round")
    parser.add_argument("--episodes", type=int, default=2048, help="concurrent episodes in the batched run")
    parser.add_argument("--mcp-calls", type=int, default=500, help="calls per MCP transport")
    parser.add_argument("--tasks", type=int, default=1000, help="verified tasks to generate")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    figures: dict[str, Any] = {}
    if "core" in args.sections:
        figures["core"] = measure(args.repeat, args.episodes)
    if "mcp" in args.sections:
        from envfactory_gym.mcp import bench as bench_mcp

        figures["mcp"] = bench_mcp.measure(BENCH_ENV, args.mcp_calls)
    if "generation" in args.sections:
        from generators import bench as generation

        figures["generation"] = generation.measure(BENCH_ENV, args.tasks)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    if "core" in figures:
        print(render(figures["core"]))
    if "mcp" in figures:
        from envfactory_gym.mcp import bench as bench_mcp

        print("\n" + bench_mcp.render(figures["mcp"]))
    if "generation" in figures:
        g = figures["generation"]
        print(f"\nTask generation on one core: {g['tasks']} verified {g['name']} tasks in {g['wall_s']} s "
              f"({g['tasks_per_s']} tasks/s; setup {g['setup_s']} s; tool coverage {g['coverage']:.0%}; "
              f"{g['three_plus_calls']:.0%} with 3+ calls)")
    print(f"\nload average while measuring: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.cli.bench", description=__doc__)
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
