"""``envfactory serve``: an environment or domain as an MCP server over stdio or streamable HTTP, or with
``--protocol openenv`` as an OpenEnv environment server (:mod:`envfactory_gym.integrations.openenv`).

Imported to build the command line parser, so the MCP SDK (and openenv) are imported only inside :func:`run`.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

TOKEN_VARIABLE = "ENVFACTORY_MCP_TOKEN"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="environment or domain, e.g. Calendar or Office")
    parser.add_argument("--task", help="task id: MCP sessions start from its seed and the eval tools grade against it; "
                                        "OpenEnv resets that name no task_id play it")
    parser.add_argument("--seed", type=int, help="seed every session starts from (default: the task's, else 0)")
    parser.add_argument("--protocol", choices=("mcp", "openenv"), default="mcp",
                        help="mcp (default), or openenv: OpenEnv's environment-server protocol (HTTP + WebSocket), "
                             "one episode per WebSocket session, reset/step/state with the suite's rewards")
    parser.add_argument("--transport", choices=("stdio", "http"), default=None,
                        help="MCP transport (default: stdio); openenv always serves HTTP")
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
    openenv = parser.add_argument_group("--protocol openenv only")
    openenv.add_argument("--split", choices=("train", "test", "all"), default=None,
                         help="the tasks resets draw from (default: train)")
    openenv.add_argument("--max-turns", type=int, default=None, help="agent actions before truncation (default: 30)")
    openenv.add_argument("--reward-mode", choices=("binary", "partial"), default=None, help="default: binary")
    openenv.add_argument("--max-sessions", type=int, default=None,
                         help="concurrent WebSocket sessions (episodes) held at once (default: 64)")


OPENENV_ONLY = ("split", "max_turns", "reward_mode", "max_sessions")


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import members

    try:  # a typo is answered at once, before the MCP SDK (about a second to import) is loaded
        members(args.name)
    except KeyError as exc:
        print(f"envfactory serve: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.protocol == "openenv":
        return run_openenv(args)
    given = [f"--{o.replace('_', '-')}" for o in OPENENV_ONLY if getattr(args, o) is not None]
    if given:
        print(f"envfactory serve: {', '.join(given)} apply to --protocol openenv only", file=sys.stderr)
        return 2
    if args.transport is None:
        args.transport = "stdio"

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


def run_openenv(args: argparse.Namespace) -> int:
    """``--protocol openenv``: OpenEnv's HTTP + WebSocket server on ``--host``/``--port``."""
    given = [flag for flag, value in (("--transport stdio", args.transport == "stdio"),
                                      ("--seed", args.seed is not None),
                                      ("--token", bool(args.token) and args.token != os.environ.get(TOKEN_VARIABLE)),
                                      ("--eval-tools", args.eval_tools)) if value]
    if given:
        print(f"envfactory serve: {', '.join(given)}: not for --protocol openenv (it serves HTTP only, OpenEnv "
              "clients send no credentials; reset(seed=..., task_id=...) picks the episode)", file=sys.stderr)
        return 2
    for option in ("max_turns", "max_sessions"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            print(f"envfactory serve: --{option.replace('_', '-')} must be at least 1", file=sys.stderr)
            return 2
    import anyio

    try:
        from envfactory_gym.integrations.openenv import MAX_SESSIONS, announce, create_openenv_app, serve_openenv
    except ImportError as exc:
        print(f"envfactory serve: --protocol openenv needs openenv-core ({exc}); "
              "pip install 'envfactory-gym[openenv]'", file=sys.stderr)
        return 2

    env_kwargs = {"split": None if args.split == "all" else (args.split or "train"),
                  "max_turns": args.max_turns or 30, "reward_mode": args.reward_mode or "binary"}
    try:
        app = create_openenv_app(args.name, task_id=args.task, max_sessions=args.max_sessions or MAX_SESSIONS,
                                 **env_kwargs)
    except (KeyError, ValueError) as exc:
        print(f"envfactory serve: {exc.args[0]}", file=sys.stderr)
        return 2
    if not _loopback(args.host):
        print(f"envfactory serve: warning: {args.host} is reachable from other machines and the OpenEnv protocol "
              "has no authentication", file=sys.stderr)
    try:
        anyio.run(lambda: serve_openenv(app, args.host, args.port, on_ready=announce))
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
