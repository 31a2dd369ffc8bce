"""MCP: every environment served over stdio and streamable HTTP to the SDK's real client, isolated sessions,
tool errors, the bearer token, evaluation tools, ``backend="mcp"`` equivalence and ``wrap_mcp``."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import gymnasium as gym
import httpx2
import pytest
import uvicorn
from gymnasium.utils.env_checker import check_env
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types.version import HANDSHAKE_PROTOCOL_VERSIONS

import envfactory_gym
from envfactory_gym.agents import OracleAgent
from envfactory_gym.cli import main as cli_main
from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.episode.replay import translate
from envfactory_gym.mcp.client import McpEnv, result_text
from envfactory_gym.mcp.server import EVAL_TOOLS, EnvironmentServer, http_app
from envfactory_gym.registration import (
    DOMAINS,
    ENVIRONMENTS,
    env_id,
    load_tasks,
    world_set,
)
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.tools import ToolError
from envfactory_gym.evaluation.verify import adversarial_actions
from envfactory_gym.core.worldset import WorldSet

ROOT = Path(__file__).resolve().parent.parent
NAMES = [n for n in [*ENVIRONMENTS, *DOMAINS] if load_tasks(n)]
PRIMARY = "Calendar" if "Calendar" in NAMES else NAMES[0]
TOKEN = "test-token-7f3a"


# ----------------------------------------------------------------- helpers
def serve_command(name: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "envfactory_gym.cli", "serve", name, *options]


def stdio(name: str, *options: str) -> StdioServerParameters:
    command = serve_command(name, *options)
    return StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ), cwd=ROOT)


def write_task(name: str) -> Task:
    """A task whose gold calls change the state (the first task when none does)."""
    tasks = load_tasks(name)
    return next((t for t in tasks if t.tags.get("writes")), tasks[0])


def gold(name: str, task: Task) -> list[tuple[str, dict[str, Any]]]:
    worlds = world_set(name)(task.seed)
    return [(translate(worlds, task, g), g["arguments"]) for g in task.gold]


def local_text(worlds: WorldSet, tool: str, arguments: Any) -> tuple[bool, str]:
    """(is_error, text) of a call run in process: what a session must answer."""
    try:
        return False, json.dumps(worlds.call(tool, arguments), ensure_ascii=False, default=str)
    except ToolError as exc:
        return True, str(exc)


async def answer(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[bool, str]:
    result = await client.call_tool(tool, arguments)
    return bool(result.is_error), result_text(result)


async def check_session(client: Client, name: str, task: Task) -> None:
    """tools/list carries every tool's schema; the task's gold calls and failing calls answer as in process."""
    local = world_set(name)(task.seed)
    listed = (await client.list_tools()).tools
    assert [(t.name, t.description, t.input_schema) for t in listed] == [
        (public, spec.description, spec.parameters) for public, (_, spec) in local.tools.items()
    ]
    calls = gold(name, task) + [("no_such_tool", {}), (listed[0].name, {"no_such_argument": 1})]
    for tool, arguments in calls:
        assert await answer(client, tool, arguments) == local_text(local, tool, arguments)


@contextmanager
def http_server(server: EnvironmentServer, token: str | None = None) -> Iterator[str]:
    """Serve the streamable HTTP app on a free 127.0.0.1 port in a thread; yields the endpoint URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(http_app(server, token=token), log_level="warning"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "the HTTP server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        uv.should_exit = True
        thread.join(10)


@asynccontextmanager
async def http_session(url: str, token: str) -> AsyncIterator[Client]:
    """An SDK client session over HTTP carrying a bearer token."""
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


# -------------------------------------------------------- import and CLI
def test_import_and_cli_parser_stay_free_of_mcp() -> None:
    code = ("import sys, envfactory_gym; from envfactory_gym.cli import build_parser; build_parser(); "
            "print('mcp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_serve_rejects_unknown_names_and_tasks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", "NoSuchEnvironment"]) == 2
    assert cli_main(["serve", PRIMARY, "--task", "no-such-task"]) == 2
    assert "unknown" in capsys.readouterr().err


def test_serve_rejects_an_unknown_name_before_importing_mcp() -> None:
    code = ("import sys; from envfactory_gym import cli; rc = cli.main(['serve', 'Nope']); "
            "print(rc, 'mcp' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "2 False"
    assert out.stderr.count("unknown environment or domain 'Nope'") == 1


# ------------------------------------------------------ real client sessions
@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n == PRIMARY else pytest.mark.slow) for n in NAMES])
def test_stdio_session_lists_and_calls_tools(name: str) -> None:
    task = write_task(name)

    async def main() -> None:
        async with Client(stdio(name, "--task", task.id)) as client:  # mode="auto": falls back to initialize
            assert client.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
            await check_session(client, name, task)

    anyio.run(main)


@pytest.mark.parametrize("name", NAMES)
def test_http_session_lists_and_calls_tools(name: str) -> None:
    task = write_task(name)
    with http_server(EnvironmentServer(name, task_id=task.id)) as url:

        async def main() -> None:
            async with Client(url) as client:
                assert client.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
                await check_session(client, name, task)

        anyio.run(main)


def test_concurrent_http_sessions_are_isolated() -> None:
    task = write_task(PRIMARY)
    calls = gold(PRIMARY, task)
    probe = world_set(PRIMARY)(task.seed)
    reads = [(tool, arguments) for tool, arguments in calls if not probe.writes(tool)]
    assert len(reads) < len(calls), "the task must write"
    created: list[WorldSet] = []

    def new_worlds() -> WorldSet:
        created.append(world_set(PRIMARY)(task.seed))
        return created[-1]

    fresh, after = world_set(PRIMARY)(task.seed), world_set(PRIMARY)(task.seed)
    for tool, arguments in calls:
        after.call(tool, arguments)
    with http_server(EnvironmentServer(PRIMARY, task_id=task.id, worlds=new_worlds)) as url:

        async def main() -> None:
            async with Client(url) as writer, Client(url) as reader:

                async def replay(client: Client, sequence: list[tuple[str, dict[str, Any]]]) -> None:
                    for tool, arguments in sequence * 3:
                        await client.call_tool(tool, arguments)

                async with anyio.create_task_group() as group:
                    group.start_soon(replay, writer, calls)
                    group.start_soon(replay, reader, reads)
                for tool, arguments in reads:  # the writer's changes are invisible to the reader
                    assert await answer(reader, tool, arguments) == local_text(fresh, tool, arguments)

        anyio.run(main)
    sessions = created[1:]  # created[0] is the server's template
    assert len(sessions) == 2
    assert sorted(w.digest() for w in sessions) == sorted([fresh.digest(), _replayed_thrice(calls, task)])


def _replayed_thrice(calls: list[tuple[str, dict[str, Any]]], task: Task) -> str:
    worlds = world_set(PRIMARY)(task.seed)
    for tool, arguments in calls * 3:
        local_text(worlds, tool, arguments)
    return worlds.digest()


def test_unknown_id_comes_back_as_an_error_result_with_the_exact_message() -> None:
    if "Calendar" not in NAMES:
        pytest.skip("Calendar has no tasks")
    local = world_set("Calendar")(0)
    expected = local_text(local, "get_event", {"event_id": "evt_missing"})
    assert expected[0] and "evt_missing" in expected[1]

    async def main() -> None:
        async with Client(EnvironmentServer("Calendar"), mode="legacy") as client:
            assert await answer(client, "get_event", {"event_id": "evt_missing"}) == expected

    anyio.run(main)


def test_sessionless_protocol_is_refused_with_the_reason() -> None:
    async def main() -> None:
        async with Client(EnvironmentServer(PRIMARY)) as client:  # in process, 2026-07-28: no session
            tools = (await client.list_tools()).tools
            with pytest.raises(MCPError, match="one episode per session"):
                await client.call_tool(tools[0].name, {})

    anyio.run(main)


# ------------------------------------------------ HTTP: binding and token
@pytest.fixture(scope="module")
def http_cli() -> Iterator[str]:
    """``envfactory serve --transport http --port 0 --token ...`` as a process; yields the announced URL."""
    process = subprocess.Popen(serve_command(PRIMARY, "--transport", "http", "--port", "0", "--token", TOKEN),
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = process.stderr.readline() if process.stderr else ""
        found = re.search(r"http://\S+", line)
        assert found, f"no URL announced: {line!r}"
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(10)


def test_http_binds_loopback_by_default(http_cli: str) -> None:
    assert http_cli.startswith("http://127.0.0.1:") and http_cli.endswith("/mcp")
    port = int(http_cli.rsplit(":", 1)[1].split("/")[0])
    listening = Path("/proc/net/tcp")
    if listening.exists():  # local address 0100007F = 127.0.0.1, state 0A = LISTEN
        rows = [line.split() for line in listening.read_text().splitlines()[1:]]
        assert [r[1] for r in rows if r[3] == "0A" and int(r[1].split(":")[1], 16) == port] == [f"0100007F:{port:04X}"]


def test_bearer_token_is_enforced(http_cli: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = httpx2.post(http_cli, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")

    async def main() -> None:
        async with http_session(http_cli, TOKEN) as client:
            await check_session(client, PRIMARY, load_tasks(PRIMARY)[0])
        with pytest.raises(BaseException):  # noqa: B017 - the SDK raises its transport's own error group
            async with Client(http_cli) as client:
                await client.list_tools()

    anyio.run(main)


# ------------------------------------------------------- evaluation tools
def test_eval_tools_are_absent_by_default_and_grade_when_enabled() -> None:
    task = write_task(PRIMARY)
    calls = gold(PRIMARY, task)

    async def main() -> None:
        async with Client(EnvironmentServer(PRIMARY), mode="legacy") as client:
            assert not {t.name for t in (await client.list_tools()).tools} & set(EVAL_TOOLS)
            error, text = await answer(client, "eval_score", {})
            assert error and text.startswith("unknown tool 'eval_score'")
        async with Client(EnvironmentServer(PRIMARY, eval_tools=True), mode="legacy") as client:
            assert set(EVAL_TOOLS) <= {t.name for t in (await client.list_tools()).tools}
            assert (await client.call_tool("eval_task", {})).is_error  # no task yet
            reset = await client.call_tool("eval_reset", {"task_id": task.id})
            assert reset.structured_content == {"task_id": task.id, "seed": task.seed}
            current = await client.call_tool("eval_task", {})
            assert current.structured_content == {"task_id": task.id, "request": task.request}
            for tool, arguments in calls:
                assert not (await client.call_tool(tool, arguments)).is_error
            score = await client.call_tool("eval_score", {"answer": " ".join(task.answer_facts)})
            assert score.structured_content and score.structured_content["success"] is True
            await client.call_tool("eval_reset", {"task_id": task.id})
            score = await client.call_tool("eval_score", {"answer": ""})
            assert score.structured_content and score.structured_content["success"] is (not calls and not task.answer_facts)

    anyio.run(main)


# ------------------------------------------------------ backend="mcp"
def _play(env: ToolUseEnv, task_id: str) -> tuple[list[str], float, str]:
    observation, info = env.reset(seed=3, options={"task_id": task_id})
    agent = OracleAgent()
    agent.reset(env, info)
    observations = [observation]
    while True:
        observation, reward, terminated, truncated, info = env.step(agent.act(info))
        observations.append(observation)
        if terminated or truncated:
            return observations, reward, env.state_digest()


@pytest.mark.parametrize("name", NAMES)
def test_mcp_backend_matches_in_process_env(name: str, request: pytest.FixtureRequest) -> None:
    """The oracle on every task (with --runslow; an even sample of 12 otherwise), then garbage actions."""
    local, remote = ToolUseEnv(name), ToolUseEnv(name, backend="mcp")
    tasks = local.tasks if request.config.getoption("--runslow") else local.tasks[:: -(-len(local.tasks) // 12)]
    try:
        for task in tasks:
            played = _play(local, task.id)
            assert played[1] == 1.0
            assert _play(remote, task.id) == played, task.id
        specs = {public: spec for public, (_, spec) in local.worlds.tools.items()}
        local.reset(seed=0)
        remote.reset(seed=0)
        for action in adversarial_actions(specs, 100, random.Random(0)):
            assert remote.step(action)[:4] == local.step(action)[:4]
            assert remote.state_digest() == local.state_digest()
            if local.done:
                local.reset(seed=0)
                remote.reset(seed=0)
    finally:
        remote.close()


def test_mcp_backend_through_gym_make_and_a_forked_async_vector_env() -> None:
    env = gym.make(env_id(PRIMARY), backend="mcp")
    try:
        check_env(env.unwrapped, skip_render_check=True)
        tool, arguments = env.unwrapped.gold_calls()[0]
    finally:
        env.close()
    # the parent's client loop is running when the workers fork: each worker must start its own
    envs = gym.make_vec(env_id(PRIMARY), num_envs=2, vectorization_mode="async", backend="mcp")
    try:
        envs.reset(seed=0)
        observations, *_ = envs.step([{"name": tool, "arguments": arguments}] * 2)
        assert all(json.loads(o)[0]["role"] == "tool" for o in observations)
    finally:
        envs.close()


# ------------------------------------------------------------- wrap_mcp
def test_wrap_mcp_over_a_stdio_server_process() -> None:
    task = write_task(PRIMARY)
    seen: list[list[dict[str, Any]]] = []
    env = envfactory_gym.wrap_mcp(
        command=serve_command(PRIMARY, "--task", task.id),
        env=dict(os.environ),
        cwd=ROOT,
        user_message=task.request,
        reward_fn=lambda messages: seen.append(list(messages)) or 1.0,
    )
    local = ToolUseEnv(PRIMARY)
    try:
        check_env(env, skip_render_check=True)
        observation, info = env.reset(seed=0)
        turns = json.loads(observation)
        assert [t["role"] for t in turns] == ["system", "user"] and turns[1]["content"] == task.request
        assert info["tools"] == local.tool_schemas
        local.reset(seed=0, options={"task_id": task.id})
        forms = [
            lambda t, a: {"name": t, "arguments": a},
            lambda t, a: [{"name": t, "arguments": a}],
            lambda t, a: {"role": "assistant", "content": None,
                          "tool_calls": [{"id": "x", "type": "function",
                                          "function": {"name": t, "arguments": json.dumps(a)}}]},
            lambda t, a: f"<think>plan</think><tool_call>{json.dumps({'name': t, 'arguments': a})}</tool_call>",
        ]
        for index, (tool, arguments) in enumerate(gold(PRIMARY, task)):
            action = forms[index % len(forms)](tool, arguments)
            observation, reward, terminated, truncated, info = env.step(action)
            assert observation == local.step(action)[0] and not info["errors"]
            assert (reward, terminated, truncated) == (0.0, False, False)
        observation, reward, terminated, truncated, info = env.step("<tool_call>{broken</tool_call>")
        assert info["errors"] and not terminated
        observation, reward, terminated, truncated, info = env.step("All done.")
        assert (observation, reward, terminated) == ("[]", 1.0, True)
        assert seen[-1][-1] == {"role": "assistant", "content": "All done."}
    finally:
        env.close()


def test_wrap_mcp_over_http_with_a_token() -> None:
    with http_server(EnvironmentServer(PRIMARY), token=TOKEN) as url:
        env = envfactory_gym.wrap_mcp(url=url, headers={"Authorization": f"Bearer {TOKEN}"}, user_message="hi")
        try:
            env.reset(seed=0)
            tool = env.tool_schemas[0]["function"]["name"]
            observation, reward, terminated, *_ = env.step({"name": tool, "arguments": {"no_such_argument": 1}})
            assert json.loads(observation)[0]["content"].startswith(f"Error: invalid arguments for '{tool}'")
            assert (reward, terminated) == (0.0, False)
        finally:
            env.close()


def test_wrap_mcp_without_the_token_says_the_server_wants_one() -> None:
    from envfactory_gym.mcp.client import McpUnauthorizedError

    with http_server(EnvironmentServer(PRIMARY), token=TOKEN) as url:
        for headers, why in ((None, "wants a bearer token and none was sent"),
                             ({"Authorization": "Bearer wrong"}, "rejected the Authorization header")):
            with pytest.raises(McpUnauthorizedError) as caught:
                envfactory_gym.wrap_mcp(url=url, headers=headers, user_message="hi", timeout=30)
            message = str(caught.value)
            assert message.startswith(f"{url} answered HTTP 401 Unauthorized: the server {why}")
            assert 'headers={"Authorization": "Bearer <token>"}' in message
            assert isinstance(caught.value, PermissionError) and caught.value.__suppress_context__


def test_fresh_session_gives_every_episode_its_own_state() -> None:
    created: list[WorldSet] = []

    def new_worlds() -> WorldSet:
        created.append(world_set(PRIMARY)(0))
        return created[-1]

    server = EnvironmentServer(PRIMARY, worlds=new_worlds)
    tool = next(iter(created[0].tools))
    env = McpEnv(lambda: Client(server, mode="legacy"), ["a", "b"], fresh_session=True, max_turns=1)
    try:
        for episode in range(3):
            env.reset(seed=episode)
            _, _, terminated, truncated, _ = env.step({"name": tool, "arguments": {}})
            assert truncated and not terminated
        assert len(created) == 4  # the template and one episode per reset
    finally:
        env.close()
