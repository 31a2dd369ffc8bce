"""MCP clients for synchronous Gymnasium code: ``ToolUseEnv(backend="mcp")`` and :func:`wrap_mcp`.

The SDK's clients are async; here each one lives on a background event loop (one daemon thread per process,
shared by every client) and is called through blocking wrappers. Importing this module imports ``mcp``.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from mcp import Client, StdioServerParameters, types

from envfactory_gym.episode.actions import ParsedCall
from envfactory_gym.episode.dialogue import DialogueEnv
from envfactory_gym.episode.prompt import tool_prompt
from envfactory_gym.core.tools import ToolError
from envfactory_gym.core.worldset import WorldSet

T = TypeVar("T")
Connect = Callable[[], AbstractAsyncContextManager[Client]]

DEFAULT_SYSTEM_PROMPT = """You are an assistant that completes the user's request by calling tools. When the request \
is complete, reply to the user without a tool call."""

_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _forget_loop() -> None:
    """A forked child has no loop thread: it starts its own on first use (clients must be made in the child)."""
    global _loop, _loop_lock
    _loop, _loop_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_loop)


def background_loop() -> asyncio.AbstractEventLoop:
    """The process's event loop for MCP clients, running in a daemon thread (started on first use)."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="envfactory-mcp", daemon=True).start()
    return _loop


def run_sync(coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run a coroutine on the background loop and wait for its result (cancelled if it times out)."""
    future = asyncio.run_coroutine_threadsafe(coroutine, background_loop())
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise


async def _hold(connect: Connect, ready: asyncio.Future[Client], stop: asyncio.Event) -> None:
    """Keep one client connected until ``stop`` is set (entered and exited in this one task, as anyio requires)."""
    try:
        async with connect() as client:
            ready.set_result(client)
            await stop.wait()
    except BaseException as exc:
        if ready.done():
            raise
        ready.set_exception(exc)


async def _open(connect: Connect) -> tuple[Client, asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
    holder = asyncio.ensure_future(_hold(connect, ready, stop))
    return await ready, stop, holder


async def _close(stop: asyncio.Event, holder: asyncio.Task[None]) -> None:
    stop.set()
    await asyncio.gather(holder, return_exceptions=True)


class SyncClient:
    """A connected ``mcp.Client`` driven from synchronous code; closed by :meth:`close` or when collected.

    Args:
        connect: returns the async context manager of a client (``lambda: mcp.Client(...)``).
        timeout: seconds to wait for the connection and for each request.
    """

    def __init__(self, connect: Connect, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.client, stop, self._holder = run_sync(_open(connect), timeout)
        self._finalizer = weakref.finalize(self, background_loop().call_soon_threadsafe, stop.set)
        self._stop = stop

    def list_tools(self) -> list[types.Tool]:
        """Every tool the server lists (all pages)."""

        async def collect() -> list[types.Tool]:
            tools: list[types.Tool] = []
            cursor = None
            while True:
                page = await self.client.list_tools(cursor=cursor)
                tools += page.tools
                cursor = page.next_cursor
                if not cursor:
                    return tools

        return run_sync(collect(), self.timeout)

    def call_tool(self, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        return run_sync(self.client.call_tool(name, arguments), self.timeout)

    def close(self) -> None:
        if self._finalizer.detach() is not None:
            run_sync(_close(self._stop, self._holder), self.timeout)


def result_text(result: types.CallToolResult) -> str:
    """A tool result as the text an agent reads: text blocks as they are, other blocks and bare structured
    content as JSON."""
    parts = [
        block.text if isinstance(block, types.TextContent)
        else json.dumps(block.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False)
        for block in result.content
    ]
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)


class McpToolBackend:
    """The tool calls of a :class:`~envfactory_gym.episode.env.ToolUseEnv` through an MCP client session.

    The session talks to an in-memory :class:`~envfactory_gym.mcp.server.EnvironmentServer` whose episode is the
    env's own ``worlds``, so resets, digests and grading read the same state the server changes.
    """

    def __init__(self, name: str, worlds: WorldSet, timeout: float = 60.0) -> None:
        from envfactory_gym.mcp.server import EnvironmentServer

        server = EnvironmentServer(name, worlds=lambda: worlds)
        self.worlds = worlds
        self.client = SyncClient(lambda: Client(server, mode="legacy"), timeout)

    def call(self, name: str, arguments: Any) -> Any:
        """Same contract as :meth:`WorldSet.call`: the JSON result, or :class:`ToolError` with the message."""
        if not isinstance(arguments, dict):
            # MCP carries object arguments only; other shapes get the runtime's own rejection (no tool body runs).
            return self.worlds.call(name, arguments)
        result = self.client.call_tool(name, arguments)
        text = result_text(result)
        if result.is_error:
            raise ToolError(text)
        return json.loads(text)

    def close(self) -> None:
        self.client.close()


def openai_schema(tool: types.Tool) -> dict[str, Any]:
    """An MCP tool in the OpenAI function-calling form the suite's prompts and ``info["tools"]`` use."""
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description or "", "parameters": tool.input_schema},
    }


class McpEnv(DialogueEnv):
    """A Gymnasium env over any MCP server: tools from ``tools/list``, the suite's action formats and
    JSON-turn observations, and the reward a callback gives at the end of the episode (0 without one).

    An episode opens with the system prompt (tools included) and a user message; a reply without a tool call
    ends it. The server's state carries over between episodes unless ``fresh_session`` reconnects on every
    reset (for a stdio command: a fresh server process).
    """

    def __init__(
        self,
        connect: Connect,
        user_message: str | Sequence[str],
        system_prompt: str | None = None,
        reward_fn: Callable[[list[dict[str, Any]]], float] | None = None,
        max_turns: int = 30,
        fresh_session: bool = False,
        render_mode: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(max_turns, render_mode)
        self.user_messages = [user_message] if isinstance(user_message, str) else list(user_message)
        if not self.user_messages:
            raise ValueError("user_message must be a message or a non-empty sequence of messages")
        self.connect = connect
        self.reward_fn = reward_fn
        self.fresh_session = fresh_session
        self.timeout = timeout
        self.client = SyncClient(connect, timeout)
        self.tool_schemas = [openai_schema(t) for t in self.client.list_tools()]
        self.prompt = f"{system_prompt or DEFAULT_SYSTEM_PROMPT}\n\n{tool_prompt(self.tool_schemas)}"
        self.episodes = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode; ``options={"user_message": ...}`` overrides the seeded choice of message."""
        super().reset(seed=seed)
        message = (options or {}).get("user_message")
        if message is None:
            message = self.user_messages[int(self.np_random.integers(len(self.user_messages)))]
        if self.fresh_session and self.episodes:
            self.client.close()
            self.client = SyncClient(self.connect, self.timeout)
        self.episodes += 1
        return self.start(message, self.prompt), self.info([], [])

    def execute(self, call: ParsedCall) -> str:
        if not isinstance(call.arguments, dict):
            raise ToolError(f"arguments of '{call.name}' must be a JSON object, got {type(call.arguments).__name__}")
        try:
            result = self.client.call_tool(call.name, call.arguments)
        except Exception as exc:  # noqa: BLE001 - a protocol error (unknown tool on some servers, timeout, server gone)
            raise ToolError(f"{type(exc).__name__}: {exc}") from None
        text = result_text(result)
        if result.is_error:
            raise ToolError(text)
        return text

    def final_reward(self) -> float:
        return float(self.reward_fn(self.messages)) if self.reward_fn is not None else 0.0

    def close(self) -> None:
        self.client.close()


class McpUnauthorizedError(PermissionError):
    """The MCP server at a URL answered HTTP 401: it wants a bearer token (none was sent, or the wrong one)."""


def unauthorized_message(url: str, headers: dict[str, str] | None) -> str:
    sent = any(k.lower() == "authorization" for k in (headers or {}))
    why = "rejected the Authorization header sent" if sent else "wants a bearer token and none was sent"
    return (f"{url} answered HTTP 401 Unauthorized: the server {why}. Pass the token the server was started with "
            f"(envfactory serve --token, or $ENVFACTORY_MCP_TOKEN): "
            f"wrap_mcp(url=..., headers={{\"Authorization\": \"Bearer <token>\"}})")


@asynccontextmanager
async def _http_client(url: str, headers: dict[str, str] | None) -> AsyncIterator[Client]:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    # The SDK reports a 401 as a bare "Server returned an error response" inside nested exception groups: watch
    # the status codes ourselves and say what the server wants.
    statuses: list[int] = []

    async def record(response: httpx2.Response) -> None:
        statuses.append(response.status_code)

    connected = False
    try:
        async with (
            httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300),
                               event_hooks={"response": [record]}) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            connected = True
            yield client
    except BaseException as exc:
        if not connected and 401 in statuses and isinstance(exc, Exception):
            raise McpUnauthorizedError(unauthorized_message(url, headers)) from None
        raise


def wrap_mcp(
    command: Sequence[str] | None = None,
    url: str | None = None,
    *,
    user_message: str | Sequence[str],
    reward_fn: Callable[[list[dict[str, Any]]], float] | None = None,
    system_prompt: str | None = None,
    headers: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    max_turns: int = 30,
    fresh_session: bool = False,
    render_mode: str | None = None,
    timeout: float = 60.0,
) -> McpEnv:
    """A Gymnasium env over an external MCP server, started as a stdio ``command`` or reached at a streamable
    HTTP ``url``.

    Args:
        command: the server's command line (``["envfactory", "serve", "Calendar"]``), spoken to over stdio.
        url: the server's streamable HTTP endpoint (``"http://127.0.0.1:8000/mcp"``).
        user_message: the first user turn, or several to draw from with the reset seed.
        reward_fn: ``messages -> float`` called once when an episode ends; the reward is 0 without it.
        system_prompt: the instructions placed before the tool list (a generic default otherwise).
        headers: HTTP headers for every request (``{"Authorization": "Bearer ..."}``); a server that answers 401
            (no token, or the wrong one) makes this raise :class:`McpUnauthorizedError`.
        env: environment variables of the stdio process (the SDK's safe default set otherwise).
        cwd: working directory of the stdio process.
        max_turns: agent actions before an episode is truncated.
        fresh_session: reconnect on every reset after the first (a fresh process for a stdio command).
        render_mode: ``"ansi"`` returns the transcript as text.
        timeout: seconds to wait for the connection and for each request.
    """
    if (command is None) == (url is None):
        raise ValueError("give exactly one of command= or url=")
    if command is not None:
        if not command:
            raise ValueError("command must name a program")
        params = StdioServerParameters(command=command[0], args=list(command[1:]), env=env, cwd=cwd)
        connect: Connect = lambda: Client(params)
    else:
        connect = lambda: _http_client(url, headers)
    return McpEnv(connect, user_message, system_prompt, reward_fn, max_turns, fresh_session, render_mode, timeout)
