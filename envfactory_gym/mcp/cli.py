"""``envfactory serve``: an environment or domain as an MCP server over stdio or streamable HTTP.

Imported to build the command line parser, so the MCP SDK is imported only inside :func:`run`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

TOKEN_VARIABLE = "ENVFACTORY_MCP_TOKEN"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="environment or domain, e.g. Calendar or Office")
    parser.add_argument("--task", help="task id: sessions start from its seed and the eval tools grade against it")
    parser.add_argument("--seed", type=int, help="seed every session starts from (default: the task's, else 0)")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="default: stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port, 0 for a free one (default: 8000)")
    parser.add_argument(
        "--token",
        default=os.environ.get(TOKEN_VARIABLE),
        help=f"HTTP bearer token required on every request (default: ${TOKEN_VARIABLE}, else none)",
    )
    parser.add_argument(
        "--eval-tools", action="store_true", help="also offer eval_reset, eval_task and eval_score (off by default)"
    )


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import members

    try:  # a typo is answered at once, before the MCP SDK (about a second to import) is loaded
        members(args.name)
    except KeyError as exc:
        print(f"envfactory serve: {exc.args[0]}", file=sys.stderr)
        return 2

    import anyio

    from envfactory_gym.mcp.server import EnvironmentServer, announce, serve_http, serve_stdio

    try:
        server = EnvironmentServer(args.name, seed=args.seed, task_id=args.task, eval_tools=args.eval_tools)
    except (KeyError, ValueError) as exc:
        print(f"envfactory serve: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.transport == "http" and not args.token and not _loopback(args.host):
        print(f"envfactory serve: warning: {args.host} is reachable from other machines and no --token is set",
              file=sys.stderr)
    try:
        if args.transport == "stdio":
            anyio.run(serve_stdio, server)
        else:
            anyio.run(lambda: serve_http(server, args.host, args.port, args.token, on_ready=announce))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the address is taken or cannot be bound
        print(f"envfactory serve: {exc}", file=sys.stderr)
        return 1
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
