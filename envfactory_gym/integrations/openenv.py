"""OpenEnv: any environment or domain of the suite served with OpenEnv's environment-server protocol.

``envfactory serve Calendar --protocol openenv`` (or :func:`create_openenv_app` in your own ASGI server) speaks the
protocol of ``openenv-core``'s :class:`~openenv.core.env_server.http_server.HTTPEnvServer`: a WebSocket ``/ws`` where
each connection is one session with its own episode (messages ``reset``, ``step``, ``state``, ``close``), and
``/health``, ``/schema``, ``/metadata``. Its clients (``GenericEnvClient``, ``MCPToolClient``, or the typed
:class:`EnvFactoryClient` here) work unchanged. The stateless HTTP ``POST /reset`` and ``/step`` of OpenEnv build a
fresh environment per request, so an episode lives on the WebSocket only.

An action is one agent turn, exactly what :meth:`ToolUseEnv.step` accepts:

- ``{"message": ...}``: the model's raw text (Qwen3/Hermes ``<tool_call>`` blocks or a message to the user), an
  OpenAI-style assistant message, a call ``{"name", "arguments"}`` or a list of calls;
- ``{"tool_calls": [...]}``: parallel calls, ``{"name", "arguments"}`` or OpenAI ``{"function": {...}}`` items;
- ``{"type": "call_tool", "tool_name", "arguments"}``: OpenEnv's MCP ``CallToolAction`` (one call, one step);
- ``{"type": "list_tools"}``: OpenEnv's ``ListToolsAction`` (not a step; works before ``reset``).

The observation carries the suite's new turns (``turns``: the decoded observation of the in-process env, the system
prompt and request at reset), ``reward`` (0 until the episode ends, then the suite's reward) and ``done``
(terminated or truncated; ``truncated`` says which), plus the task id, the turn, the calls and the error turns.
A ``call_tool`` action answers with a ``CallToolObservation`` (``result.data`` is the tool's decoded result; a
refused call sets ``error``, so ``MCPToolClient.call_tool`` raises with the suite's message). ``state`` gives the
episode id, the step count, the task and the canonical digest of the episode's world state.

Importing this module imports ``openenv`` (several seconds: its server package loads Gradio); ``envfactory_gym``
never imports it.
"""

from __future__ import annotations

import functools
import json
import re
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any, Literal

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.mcp_types import (
    CallToolAction,
    CallToolObservation,
    ListToolsAction,
    ListToolsObservation,
    Tool,
    ToolError,
    ToolErrorType,
)
from openenv.core.env_server.types import Action, EnvironmentMetadata, Observation, State
from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from envfactory_gym import __version__
from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.registration import env_id

#: Keyword arguments ``reset`` accepts (OpenEnv passes the client's ``reset(**kwargs)`` through).
RESET_KEYS = ("seed", "episode_id", "task_id")
#: Concurrent WebSocket sessions (episodes) a server holds by default.
MAX_SESSIONS = 64
_ID = re.compile(r"^(?:envfactory_gym:)?EnvFactory/(?P<name>[\w-]+)-v0$")

# World sets share per-process caches (snapshots, idle connections); OpenEnv runs each session's calls on its own
# thread, so every environment operation takes this lock (the work is Python under the GIL: nothing is lost).
_LOCK = threading.RLock()


def env_name(name: str) -> str:
    """A suite name from a name or an id (``"Calendar"``, ``"EnvFactory/Calendar-v0"``)."""
    found = _ID.match(name)
    return found.group("name") if found else name


# ------------------------------------------------------------------- models
class EnvFactoryAction(Action):
    """One agent turn: ``message`` (text, an assistant message, a call or a list of calls), ``tool_calls``, or
    OpenEnv's ``call_tool`` / ``list_tools``."""

    type: Literal["turn", "call_tool", "list_tools"] = Field(default="turn", description="action kind")
    message: str | dict[str, Any] | list[Any] | None = Field(
        default=None, description="the model's text (with <tool_call> blocks), an assistant message, or calls")
    tool_calls: list[Any] | None = Field(
        default=None, description="parallel calls: {name, arguments} or OpenAI {function: {name, arguments}} items")
    tool_name: str | None = Field(default=None, description="call_tool: the tool")
    arguments: dict[str, Any] = Field(default_factory=dict, description="call_tool: its arguments")

    @model_validator(mode="after")
    def _one_form(self) -> EnvFactoryAction:
        # PydanticCustomError, not ValueError: OpenEnv sends ``errors()`` back as JSON, and a ValueError in its
        # context cannot be serialized (the session would end with SESSION_ERROR instead of VALIDATION_ERROR)
        given = [f for f in ("message", "tool_calls", "tool_name") if getattr(self, f) is not None]
        expected = {"turn": None, "call_tool": ["tool_name"], "list_tools": []}[self.type]
        if expected is None:
            if len(given) != 1 or given[0] == "tool_name":
                raise PydanticCustomError(
                    "action_form", "a turn action needs exactly one of 'message' or 'tool_calls' "
                    f"(or type 'call_tool' with 'tool_name'), got {given or 'neither'}")
        elif given != expected:
            raise PydanticCustomError(
                "action_form", f"a {self.type} action takes {expected or 'no fields'} besides 'type', got {given}")
        if self.type != "call_tool" and self.arguments:
            raise PydanticCustomError("action_form", "'arguments' belongs to a call_tool action")
        return self


class _Turns(BaseModel):
    """What every step observation of the suite carries besides reward and done."""

    turns: list[dict[str, Any]] = Field(default_factory=list, description="the new dialogue turns")
    env: str = Field(default="", description="environment or domain")
    task_id: str | None = Field(default=None, description="the episode's task")
    turn: int = Field(default=0, description="agent actions so far")
    truncated: bool = Field(default=False, description="done because the turn limit was reached")
    calls: list[dict[str, Any]] = Field(default_factory=list, description="the well-formed calls of the action")
    errors: list[str] = Field(default_factory=list, description="error turns of the action")
    reward_info: dict[str, Any] | None = Field(default=None, description="the reward breakdown, once done")


class EnvFactoryObservation(Observation, _Turns):
    """The suite's new turns; at reset the system prompt and the user's request, with the tool schemas."""

    tool_schemas: list[dict[str, Any]] = Field(
        default_factory=list, description="OpenAI-style tool schemas (at reset only)")


class EnvFactoryToolObservation(CallToolObservation, _Turns):
    """A ``call_tool`` step: OpenEnv's ``CallToolObservation`` plus the suite's turn fields."""


class EnvFactoryState(State):
    """The session's episode: OpenEnv's id and step count, the task, and the world-state digest."""

    env: str = ""
    task_id: str | None = None
    done: bool = True
    reward: float | None = None
    state_digest: str | None = None


# -------------------------------------------------------------- environment
class EnvFactoryEnvironment(Environment[EnvFactoryAction, Observation, EnvFactoryState]):
    """One OpenEnv session: a :class:`ToolUseEnv` over ``name`` (``env_kwargs`` go to it: ``split``,
    ``max_turns``, ``reward_mode``, ...). ``task_id`` is the task of every reset that names none."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, name: str, task_id: str | None = None, **env_kwargs: Any) -> None:
        super().__init__()
        with _LOCK:
            self.env = ToolUseEnv(env_name(name), **env_kwargs)
        if task_id is not None and task_id not in self.env.task_index:
            raise ValueError(f"unknown task_id {task_id!r} for '{self.env.name}' (split={self.env.split!r})")
        self.default_task = task_id
        self.episode_id: str | None = None
        self.reward: float | None = None

    def reset(self, seed: int | None = None, episode_id: str | None = None, task_id: str | None = None,
              **kwargs: Any) -> EnvFactoryObservation:
        if kwargs:
            raise ValueError(f"unknown reset argument(s) {', '.join(map(repr, sorted(kwargs)))}; "
                             f"accepted: {', '.join(RESET_KEYS)}")
        task_id = task_id if task_id is not None else self.default_task
        with _LOCK:
            observation, info = self.env.reset(seed=seed, options={"task_id": task_id} if task_id else None)
        self.episode_id = episode_id if episode_id is not None else uuid.uuid4().hex
        self.reward = None
        return EnvFactoryObservation(turns=json.loads(observation), tool_schemas=info["tools"], env=info["env"],
                                     task_id=info["task_id"], reward=None, done=False)

    def step(self, action: Action, timeout_s: float | None = None, **kwargs: Any) -> Observation:
        kind, tool_name, arguments = _kind(action)
        if kind == "list_tools":
            tools = [Tool(name=s["function"]["name"], description=s["function"]["description"],
                          input_schema=s["function"]["parameters"]) for s in self.env.tool_schemas]
            return ListToolsObservation(tools=tools, done=self.episode_id is not None and self.env.done)
        if self.episode_id is None:
            raise RuntimeError("no episode in this session: call reset() before step()")
        if kind == "call_tool":
            suite_action: Any = {"name": tool_name, "arguments": arguments}
        elif action.message is not None:
            suite_action = action.message
        else:
            suite_action = {"role": "assistant", "content": "", "tool_calls": action.tool_calls}
        with _LOCK:
            observation, reward, terminated, truncated, info = self.env.step(suite_action)
        done = terminated or truncated
        if done:
            self.reward = reward
        fields = dict(turns=json.loads(observation), env=info["env"], task_id=info["task_id"], turn=info["turn"],
                      truncated=truncated, calls=info["calls"], errors=info["errors"],
                      reward_info=info.get("reward_info"), reward=reward, done=done)
        if kind != "call_tool":
            return EnvFactoryObservation(**fields)
        content = fields["turns"][0]["content"] if fields["turns"] else ""
        failed = content.startswith("Error:")
        return EnvFactoryToolObservation(tool_name=tool_name, result=_tool_result(content, failed),
                                         error=_tool_error(content) if failed else None, **fields)

    @property
    def state(self) -> EnvFactoryState:
        started = self.episode_id is not None
        with _LOCK:
            digest = self.env.state_digest() if started else None
        return EnvFactoryState(episode_id=self.episode_id, step_count=self.env.turns if started else 0,
                               env=self.env.name, task_id=self.env.task.id if started else None,
                               done=self.env.done, reward=self.reward, state_digest=digest)

    def get_metadata(self) -> EnvironmentMetadata:
        return EnvironmentMetadata(name=env_id(self.env.name), description=self.env.worlds.describe(),
                                   version=__version__)

    def close(self) -> None:
        with _LOCK:
            self.env.close()


def _kind(action: Action) -> tuple[str, str | None, dict[str, Any]]:
    if isinstance(action, ListToolsAction) or getattr(action, "type", None) == "list_tools":
        return "list_tools", None, {}
    if isinstance(action, CallToolAction) or getattr(action, "type", None) == "call_tool":
        return "call_tool", action.tool_name, dict(action.arguments)
    return "turn", None, {}


def _tool_result(content: str, failed: bool) -> dict[str, Any]:
    """The shape of FastMCP's ``CallToolResult`` as OpenEnv's MCP environments send it (``data`` decoded)."""
    data = None
    if not failed:
        try:
            data = json.loads(content)
        except ValueError:  # a result clipped to the observation limit stays text
            data = content
    return {"content": [{"type": "text", "text": content}], "data": data, "is_error": failed}


def _tool_error(content: str) -> ToolError:
    lowered = content.lower()
    if lowered.startswith("error: unknown tool"):
        kind = ToolErrorType.TOOL_NOT_FOUND
    elif lowered.startswith(("error: invalid arguments", "error: the arguments", "error: the tool call")):
        kind = ToolErrorType.INVALID_ARGS
    else:
        kind = ToolErrorType.EXECUTION_ERROR
    return ToolError(error_type=kind, message=content)


# ---------------------------------------------------------------- server
def create_openenv_app(name: str, *, task_id: str | None = None, max_sessions: int = MAX_SESSIONS,
                       **env_kwargs: Any) -> Any:
    """The FastAPI app of OpenEnv's server over ``name`` (``env_kwargs``: ``split``, ``max_turns``,
    ``reward_mode``, ... of :class:`ToolUseEnv`); at most ``max_sessions`` concurrent WebSocket sessions."""
    EnvFactoryEnvironment(name, task_id=task_id, **env_kwargs).close()  # a bad name or task fails here, not per session
    factory = functools.partial(EnvFactoryEnvironment, name, task_id, **env_kwargs)
    return create_app(factory, EnvFactoryAction, EnvFactoryObservation, env_name=env_name(name),
                      max_concurrent_envs=max_sessions)


async def serve_openenv(app: Any, host: str = "127.0.0.1", port: int = 8000,
                        on_ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one); ``on_ready`` gets the base URL."""
    import anyio
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_host, bound_port = sock.getsockname()[:2]
    authority = f"[{bound_host}]" if family == socket.AF_INET6 else bound_host
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="websockets-sansio"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        while not server.started:
            if server.should_exit:
                return
            await anyio.sleep(0.01)
        if on_ready is not None:
            on_ready(f"http://{authority}:{bound_port}")


def announce(url: str) -> None:
    print(f"envfactory: serving OpenEnv at {url} (WebSocket sessions at {url.replace('http', 'ws', 1)}/ws)",
          file=sys.stderr, flush=True)


# ---------------------------------------------------------------- client
class EnvFactoryClient(EnvClient[EnvFactoryAction, Observation, EnvFactoryState]):
    """OpenEnv's ``EnvClient`` typed for this server: ``step`` takes an :class:`EnvFactoryAction`, a
    ``CallToolAction``/``ListToolsAction``, a dict of action fields, or the model's text."""

    def _step_payload(self, action: Any) -> dict[str, Any]:
        if isinstance(action, str):
            return {"message": action}
        if isinstance(action, BaseModel):
            return action.model_dump(exclude_none=True, exclude={"metadata"})
        return dict(action)

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[Observation]:
        data = {**payload.get("observation", {}), "reward": payload.get("reward"), "done": payload.get("done", False)}
        if "tools" in data:
            observation: Observation = ListToolsObservation.model_validate(data)
        elif "tool_name" in data:
            observation = EnvFactoryToolObservation.model_validate(data)
        else:
            observation = EnvFactoryObservation.model_validate(data)
        return StepResult(observation=observation, reward=payload.get("reward"), done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> EnvFactoryState:
        return EnvFactoryState.model_validate(payload)
