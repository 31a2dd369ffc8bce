"""An environment or domain served as an MCP server (official SDK 2.x, ``MCPServer``).

Each client session is one episode: its first tool call creates the session's own :class:`WorldSet` at the served
seed, kept in the SDK's per-connection state, so concurrent clients never see each other's changes. Sessions
belong to the handshake era of the protocol (2024-11-05 ... 2025-11-25): the 2026-07-28 revision is
sessionless, so this server declines it (stdio answers its probe with "method not found", HTTP with
"unsupported protocol version") and clients in the SDK's default ``mode="auto"`` fall back to ``initialize``.

Tool failures come back as ``isError`` results carrying the runtime's message, exactly as the in-process env
shows it. Evaluation tools (``eval_reset``, ``eval_task``, ``eval_score``) exist only when asked for.
Importing this module imports ``mcp``; ``envfactory_gym`` itself never does.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp import types
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.runner import serve_loop
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp.types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from envfactory_gym import __version__
from envfactory_gym.registration import env_id, load_tasks, world_set
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.tools import ToolError as EnvToolError
from envfactory_gym.core.worldset import WorldSet

logger = logging.getLogger(__name__)

EVAL_TOOLS = ("eval_reset", "eval_task", "eval_score")
_EPISODE = "envfactory_episode"
SESSIONLESS = (
    "this server keeps one episode per session and the 2026-07-28 protocol has no sessions: "
    "connect with the initialize handshake (mcp.Client(..., mode='legacy'))"
)


@dataclass
class Episode:
    """The state of one client session: its worlds, for the evaluation tools its task, and the results shown
    since the last reset (answers are graded against them)."""

    worlds: WorldSet
    task: Task | None
    shown: list[Any] = field(default_factory=list)


def mcp_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """A declared return as an MCP ``outputSchema``: an object as it is; anything else under ``result``."""
    if schema is None or schema.get("type") == "object":
        return schema
    inner = {k: v for k, v in schema.items() if k != "$defs"}
    wrapped = {"type": "object", "properties": {"result": inner}, "required": ["result"]}
    return {**wrapped, "$defs": schema["$defs"]} if "$defs" in schema else wrapped


class EnvironmentServer(MCPServer):
    """One environment or domain as an MCP server with one isolated episode per client session.

    Args:
        name: an environment (``"Calendar"``) or a domain (``"Office"``).
        seed: the seed every session starts from (default: the task's seed, else 0).
        task_id: a task of ``name``; sessions start from its seed and the evaluation tools grade against it.
        eval_tools: also offer ``eval_reset``, ``eval_task`` and ``eval_score`` (never to an agent being scored).
        worlds: a factory of each new session's worlds (default: a fresh ``WorldSet`` at ``seed``).
    """

    def __init__(
        self,
        name: str,
        *,
        seed: int | None = None,
        task_id: str | None = None,
        eval_tools: bool = False,
        worlds: Callable[[], WorldSet] | None = None,
    ) -> None:
        self.env_name = name
        self.tasks = {t.id: t for t in load_tasks(name)}
        if task_id is not None and task_id not in self.tasks:
            raise ValueError(f"unknown task {task_id!r} for '{name}'")
        self.task = self.tasks[task_id] if task_id is not None else None
        if seed is not None and self.task is not None and seed != self.task.seed:
            raise ValueError(f"task {task_id!r} starts from seed {self.task.seed}, not {seed}")
        self.seed = seed if seed is not None else (self.task.seed if self.task else 0)
        self.new_worlds = worlds or (lambda: world_set(name)(self.seed))
        template = self.new_worlds()  # also builds the seed's snapshot once, before the first session
        now = min(cls.start_time for cls in template.members).strftime("%Y-%m-%d %H:%M")
        super().__init__(
            name=env_id(name),
            version=__version__,
            instructions=f"{template.describe()}\nThe current time is {now}.",
            log_level="WARNING",
        )
        self.env_tools = [
            types.Tool(
                name=public,
                description=spec.description,
                input_schema=spec.parameters,
                output_schema=mcp_output_schema(spec.output_schema),
                annotations=types.ToolAnnotations(read_only_hint=not spec.writes, open_world_hint=False),
            )
            for public, (_, spec) in template.tools.items()
        ]
        self.eval_names = set(EVAL_TOOLS) if eval_tools else set()
        if eval_tools:
            clash = set(EVAL_TOOLS) & set(template.tools)
            if clash:
                raise ValueError(f"'{name}' already has tools named {', '.join(sorted(clash))}")
            for tool in (self.eval_reset, self.eval_task, self.eval_score):
                self.add_tool(tool)

    # ------------------------------------------------------------ protocol
    async def list_tools(self) -> list[types.Tool]:
        return self.env_tools + await super().list_tools()

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context | None = None
    ) -> types.CallToolResult:
        """Run an environment tool on the calling session's episode (evaluation tools go to ``MCPServer``)."""
        if name in self.eval_names:
            return await super().call_tool(name, arguments, context)
        episode = self.episode(context)
        try:
            result = episode.worlds.call(name, arguments)
        except EnvToolError as exc:
            raise ToolError(str(exc)) from None
        except Exception as exc:  # a bug in a tool body: reported like the in-process env does, state rolled back
            logger.exception("tool %r crashed", name)
            raise ToolError(f"internal error in tool '{name}': {type(exc).__name__}: {exc}") from None
        episode.shown.append(result)
        text = json.dumps(result, ensure_ascii=False, default=str)
        structured = result if isinstance(result, dict) else {"result": result}
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=structured)

    def episode(self, context: Context | None) -> Episode:
        """The calling session's episode, created on its first use."""
        if context is None:
            raise ToolError("environment tools run inside a client session")
        request = context.request_context
        if request.protocol_version in MODERN_PROTOCOL_VERSIONS:
            raise MCPError(code=types.INVALID_REQUEST, message=SESSIONLESS)
        # Per-connection scratch state (`Connection.state`); the request context does not expose the
        # connection itself yet (mcp 2.3), so it is read off the request's session.
        state = request.session._connection.state
        if _EPISODE not in state:
            state[_EPISODE] = Episode(self.new_worlds(), self.task)
        return state[_EPISODE]

    # ----------------------------------------------------- evaluation tools
    def eval_reset(self, ctx: Context, task_id: str | None = None, seed: int | None = None) -> dict[str, Any]:
        """Start this session's episode again from the initial state of a task (its seed) or of a seed.

        Args:
            task_id: a task of this environment; its request becomes the session's task.
            seed: a seed to start from when no task is named (default: the served seed).
        """
        episode = self.episode(ctx)
        if task_id is not None:
            if task_id not in self.tasks:
                raise ToolError(f"unknown task {task_id!r}")
            episode.task = self.tasks[task_id]
            seed = episode.task.seed
        elif seed is None:
            seed = self.seed
        episode.worlds.reset(seed)
        episode.shown.clear()
        return {"task_id": episode.task.id if episode.task else None, "seed": seed}

    def eval_task(self, ctx: Context) -> dict[str, Any]:
        """The session's task: its id and the user's request."""
        task = self._require_task(ctx)
        return {"task_id": task.id, "request": task.request}

    def eval_score(self, ctx: Context, answer: str = "") -> dict[str, Any]:
        """Grade the session's episode against its task: end state and the facts the answer must state.

        Args:
            answer: everything the agent said to the user.
        """
        from envfactory_gym.episode.answers import seen_values
        from envfactory_gym.episode.replay import expected_changes
        from envfactory_gym.episode.reward import grade

        task = self._require_task(ctx)
        episode = self.episode(ctx)
        worlds = episode.worlds
        return grade(expected_changes(self.env_name, task), worlds.changes(), task.answer_facts, answer,
                     seen_values(episode.shown), worlds.minor_units).as_dict()

    def _require_task(self, ctx: Context) -> Task:
        task = self.episode(ctx).task
        if task is None:
            raise ToolError("no task in this session: call eval_reset with a task_id")
        return task


# ------------------------------------------------------------------ transports
async def serve_stdio(server: EnvironmentServer) -> None:
    """Serve one client over stdin/stdout in the handshake era (the process is the session)."""
    lowlevel = server._lowlevel_server
    async with stdio_server() as (read, write), lowlevel.lifespan(lowlevel) as state:
        await serve_loop(
            lowlevel, read, write, lifespan_state=state, init_options=lowlevel.create_initialization_options()
        )


class HttpGate:
    """ASGI wrapper of the streamable HTTP app: the bearer token (401 without it) and the handshake era only."""

    def __init__(self, app: ASGIApp, token: str | None = None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            if self.expected is not None and not hmac.compare_digest(headers.get(b"authorization", b""), self.expected):
                response = JSONResponse(
                    {"error": "invalid_token", "error_description": "a valid bearer token is required"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                return await response(scope, receive, send)
            version = headers.get(b"mcp-protocol-version", b"").decode("latin-1")
            if version and version not in HANDSHAKE_PROTOCOL_VERSIONS:
                error = {
                    "code": types.UNSUPPORTED_PROTOCOL_VERSION,
                    "message": f"Unsupported protocol version: {SESSIONLESS}",
                    "data": {"supported": list(HANDSHAKE_PROTOCOL_VERSIONS), "requested": version},
                }
                return await JSONResponse({"jsonrpc": "2.0", "id": None, "error": error}, status_code=400)(
                    scope, receive, send
                )
        await self.app(scope, receive, send)


def http_app(server: EnvironmentServer, host: str = "127.0.0.1", token: str | None = None) -> ASGIApp:
    """The streamable HTTP app (endpoint ``/mcp``), DNS-rebinding protected on loopback hosts."""
    return HttpGate(server.streamable_http_app(host=host), token)


async def serve_http(
    server: EnvironmentServer,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve streamable HTTP on ``host:port`` (port 0 picks a free one); ``on_ready`` gets the endpoint URL."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_host, bound_port = sock.getsockname()[:2]
    authority = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
    url = f"http://{authority}:{bound_port}/mcp"
    uvicorn_server = uvicorn.Server(uvicorn.Config(http_app(server, host, token), log_level="warning"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(uvicorn_server.serve, [sock])
        while not uvicorn_server.started:
            if uvicorn_server.should_exit:
                return
            await anyio.sleep(0.01)
        if on_ready is not None:
            on_ready(url)


def announce(url: str) -> None:
    print(f"envfactory: serving MCP at {url}", file=sys.stderr, flush=True)
