"""MCP throughput and start-up (``python -m envfactory_gym.mcp.bench``).

Tool calls per second through the SDK's client against an environment server: in memory (client and server in
this process, async, and through the synchronous wrapper ``ToolUseEnv(backend="mcp")`` uses), over stdio (a
server process) and over streamable HTTP (a server process on 127.0.0.1); and the server start time: from
spawning ``envfactory serve`` to its first ``tools/list`` answer over stdio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from typing import Any

BENCH_ENV = "Calendar"


def _serve_command(name: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "envfactory_gym.cli", "serve", name, *options]


def _read_call(name: str) -> tuple[str, dict[str, Any]]:
    """The first read-only gold call of the environment's tasks (a typical lookup)."""
    from envfactory_gym.registration import load_tasks, world_set

    worlds = world_set(name)(0)
    return next(
        (call["name"], call["arguments"])
        for task in load_tasks(name)
        for call in task.gold
        if call["name"] in worlds.tools and not worlds.writes(call["name"])
    )


async def _calls_per_s(client: Any, tool: str, arguments: dict[str, Any], calls: int) -> tuple[float, float]:
    """Calls per wall-clock second and per CPU second of this process."""
    for _ in range(min(20, calls)):
        await client.call_tool(tool, arguments)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        await client.call_tool(tool, arguments)
    return calls / (time.perf_counter() - start), calls / (time.process_time() - cpu)


def measure(name: str = BENCH_ENV, calls: int = 500) -> dict[str, Any]:
    """Calls/s in process (reference), in memory (async and sync), over stdio and over HTTP; stdio start time."""
    import anyio
    from mcp import Client, StdioServerParameters

    from envfactory_gym.mcp.client import McpToolBackend
    from envfactory_gym.mcp.server import EnvironmentServer
    from envfactory_gym.registration import world_set

    tool, arguments = _read_call(name)
    figures: dict[str, Any] = {"env": name, "call": tool}
    worlds = world_set(name)(0)
    start = time.perf_counter()
    for _ in range(calls):
        worlds.call(tool, arguments)
    figures["inprocess_calls_per_s"] = calls / (time.perf_counter() - start)
    server = EnvironmentServer(name)

    async def in_memory() -> tuple[float, float]:
        async with Client(server, mode="legacy") as client:
            return await _calls_per_s(client, tool, arguments, calls)

    figures["memory_calls_per_s"], figures["memory_calls_per_cpu_s"] = anyio.run(in_memory)
    backend = McpToolBackend(name, worlds)
    backend.call(tool, arguments)
    start = time.perf_counter()
    for _ in range(calls):
        backend.call(tool, arguments)
    figures["memory_sync_calls_per_s"] = calls / (time.perf_counter() - start)
    backend.close()

    command = _serve_command(name)
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))

    async def stdio() -> tuple[float, float]:
        start = time.perf_counter()
        async with Client(params) as client:
            await client.list_tools()
            started = time.perf_counter() - start
            return started, (await _calls_per_s(client, tool, arguments, calls))[0]

    figures["stdio_start_s"], figures["stdio_calls_per_s"] = anyio.run(stdio)

    process = subprocess.Popen(
        _serve_command(name, "--transport", "http", "--port", "0"), stderr=subprocess.PIPE, text=True
    )
    try:
        url = re.search(r"http://\S+", process.stderr.readline() if process.stderr else "")
        if url is None:
            raise RuntimeError("the HTTP server did not announce its URL")

        async def http() -> float:
            async with Client(url.group(0)) as client:
                return (await _calls_per_s(client, tool, arguments, calls))[0]

        figures["http_calls_per_s"] = anyio.run(http)
    finally:
        process.terminate()
        process.wait()
    return figures


LABELS = {
    "inprocess_calls_per_s": "calls/s in process, no MCP (reference)",
    "memory_calls_per_s": "calls/s in memory (async client)",
    "memory_calls_per_cpu_s": "calls per CPU second in memory (client and server)",
    "memory_sync_calls_per_s": "calls/s in memory (sync wrapper, ToolUseEnv backend='mcp')",
    "stdio_calls_per_s": "calls/s over stdio",
    "http_calls_per_s": "calls/s over streamable HTTP (127.0.0.1)",
    "stdio_start_s": "seconds from spawn to first tools/list (stdio)",
}


def render(figures: dict[str, Any]) -> str:
    from tabulate import tabulate

    rows = [[label, f"{figures[key]:,.1f}" if figures[key] >= 10 else f"{figures[key]:.2f}"]
            for key, label in LABELS.items()]
    head = f"MCP on {figures['env']}, typical call: {figures['call']}"
    return head + "\n" + tabulate(rows, headers=["measure", "value"], tablefmt="github")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.mcp.bench", description=__doc__)
    parser.add_argument("--env", default=BENCH_ENV, help=f"environment or domain (default: {BENCH_ENV})")
    parser.add_argument("--calls", type=int, default=500, help="calls per transport")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(args.env, args.calls)
    print(json.dumps(figures, indent=2) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
