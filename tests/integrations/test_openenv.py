"""OpenEnv: ``envfactory serve NAME --protocol openenv`` driven by the real ``openenv-core`` clients
(``GenericEnvClient``, ``MCPToolClient`` and the typed ``EnvFactoryClient``): gold paths read reward 1 with the
in-process env's exact turns, wrong paths read 0, concurrent sessions keep their own state, errors are exact."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envfactory_gym.agents import OracleAgent
from envfactory_gym.cli import build_parser
from envfactory_gym.cli import main as cli_main
from envfactory_gym.core.tasks import Task
from envfactory_gym.episode.env import ToolUseEnv

try:
    import openenv.core  # noqa: F401  (its server package loads Gradio: several seconds)

    OPENENV = None
except ImportError as exc:  # CI installs openenv-core; only a local run without it skips
    OPENENV = f"openenv-core is not installed ({exc}); pip install openenv-core==0.3.0"

needs_openenv = pytest.mark.skipif(OPENENV is not None, reason=OPENENV or "")
ROOT = Path(__file__).resolve().parents[2]
NAME = "Calendar"
WRONG = "Sorry, I cannot do that."


# ----------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``envfactory serve Calendar --protocol openenv --port 0`` as a process; yields its base URL."""
    if OPENENV is not None:
        pytest.skip(OPENENV)
    command = [sys.executable, "-m", "envfactory_gym.cli", "serve", NAME, "--protocol", "openenv", "--port", "0",
               "--max-sessions", "8"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = process.stderr.readline() if process.stderr else ""
        found = re.search(r"http://\S+", line)
        assert found, f"no URL announced: {line!r}"
        # keep reading its stderr: a full pipe would block the server at its next log line
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(10)


def local() -> ToolUseEnv:
    return ToolUseEnv(NAME)


def pick(env: ToolUseEnv, **tags: Any) -> Task:
    return next(t for t in env.tasks if all(
        (bool(t.answer_facts) if k == "facts" else t.conversational if k == "conversational" else t.tags.get(k)) == v
        for k, v in tags.items()))


def oracle_plan(env: ToolUseEnv, task: Task) -> list[Any]:
    env.reset(options={"task_id": task.id})
    agent = OracleAgent()
    agent.reset(env, {})
    return list(agent.plan)


# ------------------------------------------------------------ CLI contract
def test_cli_keeps_mcp_defaults_and_rejects_options_that_do_not_apply(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["serve", NAME])
    assert (args.protocol, args.transport, args.host) == ("mcp", None, "127.0.0.1")  # run() resolves stdio
    assert cli_main(["serve", NAME, "--split", "test"]) == 2
    assert "--split apply to --protocol openenv only" in capsys.readouterr().err
    assert cli_main(["serve", NAME, "--protocol", "openenv", "--token", "t", "--transport", "stdio"]) == 2
    assert "--transport stdio, --token: not for --protocol openenv" in capsys.readouterr().err
    assert cli_main(["serve", NAME, "--protocol", "openenv", "--max-sessions", "0"]) == 2
    assert "--max-sessions must be at least 1" in capsys.readouterr().err


def test_import_and_parser_stay_free_of_openenv() -> None:
    code = ("import sys, envfactory_gym; from envfactory_gym.cli import build_parser; build_parser(); "
            "print('openenv' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


@needs_openenv
def test_unknown_task_is_refused_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", NAME, "--protocol", "openenv", "--task", "no-such-task"]) == 2
    assert "unknown task_id 'no-such-task' for 'Calendar'" in capsys.readouterr().err


# ----------------------------------------------------------- the server
def test_binds_loopback_and_serves_openenv_endpoints(server: str) -> None:
    import httpx

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server)
    port = int(server.rsplit(":", 1)[1])
    listening = Path("/proc/net/tcp")
    if listening.exists():  # local address 0100007F = 127.0.0.1, state 0A = LISTEN
        rows = [line.split() for line in listening.read_text().splitlines()[1:]]
        assert [r[1] for r in rows if r[3] == "0A" and int(r[1].split(":")[1], 16) == port] == [f"0100007F:{port:04X}"]
    assert httpx.get(f"{server}/health").json() == {"status": "healthy"}
    schema = httpx.get(f"{server}/schema").json()
    assert {"type", "message", "tool_calls", "tool_name", "arguments"} <= set(schema["action"]["properties"])
    assert httpx.get(f"{server}/metadata").json()["name"] == "EnvFactory/Calendar-v0"


@pytest.mark.parametrize("kind", [dict(writes=True, facts=False, conversational=False), dict(writes=False),
                                  dict(conversational=True)], ids=["write", "read-only", "conversational"])
def test_gold_path_reads_reward_one_with_the_in_process_turns(server: str, kind: dict[str, Any]) -> None:
    from openenv.core import GenericEnvClient

    env = local()
    task = pick(env, **kind)
    plan = oracle_plan(env, task)
    expected_first, _ = env.reset(options={"task_id": task.id})
    with GenericEnvClient(base_url=server).sync() as client:
        result = client.reset(task_id=task.id)
        assert (result.reward, result.done) == (None, False)
        assert result.observation["turns"] == json.loads(expected_first)
        assert result.observation["tool_schemas"] == env.tool_schemas
        for action in plan:
            observation, reward, terminated, truncated, info = env.step(action)
            result = client.step({"message": action})
            assert result.observation["turns"] == json.loads(observation)
            assert (result.reward, result.done, result.observation["truncated"]) == (reward, terminated, truncated)
        assert result.done and result.reward == 1.0
        assert result.observation["reward_info"] == info["reward_info"] and info["reward_info"]["success"]
        state = client.state()
        assert state["state_digest"] == env.state_digest() and state["task_id"] == task.id
        assert (state["step_count"], state["reward"], state["done"]) == (len(plan), 1.0, True)


def test_wrong_path_reads_reward_zero(server: str) -> None:
    from openenv.core import GenericEnvClient

    env = local()
    task = pick(env, writes=True, conversational=False)
    env.reset(options={"task_id": task.id})
    _, reward, terminated, _, info = env.step(WRONG)
    with GenericEnvClient(base_url=server).sync() as client:
        client.reset(task_id=task.id)
        name, arguments = env.gold_calls()[0]
        result = client.step({"tool_calls": [{"type": "function", "function": {"name": name, "arguments": "{}"}}]})
        assert not result.done and result.observation["errors"][0].startswith(f"Error: invalid arguments for '{name}'")
        result = client.step({"message": WRONG})
        assert (result.reward, result.done) == (reward, terminated) == (0.0, True)
        assert result.observation["reward_info"]["success"] is False
        assert result.observation["reward_info"]["missing_changes"] == info["reward_info"]["missing_changes"]


def test_mcp_tool_client_lists_and_calls_tools(server: str) -> None:
    from openenv.core.mcp_client import MCPToolClient

    env = local()
    task = pick(env, writes=True, conversational=False)
    env.reset(options={"task_id": task.id})
    name, arguments = env.gold_calls()[0]
    expected = env.worlds.call(name, arguments)
    with MCPToolClient(base_url=server).sync() as client:
        tools = client.list_tools()  # before reset: discovery is not a step
        assert [t.name for t in tools] == [s["function"]["name"] for s in env.tool_schemas]
        assert tools[0].input_schema == env.tool_schemas[0]["function"]["parameters"]
        client.reset(task_id=task.id)
        assert json.loads(json.dumps(client.call_tool(name, **arguments), default=str)) == json.loads(
            json.dumps(expected, default=str))
        with pytest.raises(RuntimeError, match=r"^Tool 'get_event' failed: Error: no event with id 'evt_none'.*"
                                               r"\(type: execution_error\)$"):
            client.call_tool("get_event", event_id="evt_none")
        with pytest.raises(RuntimeError, match=r"\(type: tool_not_found\)$"):
            client.call_tool("no_such_tool")
        assert client.state().step_count == 3  # every call is one agent turn of the episode


def test_typed_client_takes_raw_model_text(server: str) -> None:
    from envfactory_gym.integrations.openenv import (
        EnvFactoryClient,
        EnvFactoryObservation,
        EnvFactoryState,
        EnvFactoryToolObservation,
    )
    from openenv.core.env_server.mcp_types import CallToolAction

    env = local()
    task = pick(env, writes=True, facts=False, conversational=False)
    env.reset(options={"task_id": task.id})
    (first, first_args), *rest = env.gold_calls()
    with EnvFactoryClient(base_url=server).sync() as client:
        result = client.reset(task_id=task.id, seed=3, episode_id="ep-1")
        assert isinstance(result.observation, EnvFactoryObservation) and result.observation.task_id == task.id
        result = client.step(CallToolAction(tool_name=first, arguments=first_args))
        assert isinstance(result.observation, EnvFactoryToolObservation) and result.observation.error is None
        for name, arguments in rest:
            text = f'<think>plan</think><tool_call>{json.dumps({"name": name, "arguments": arguments})}</tool_call>'
            result = client.step(text)
            assert result.observation.calls == [{"name": name, "arguments": arguments}]
        result = client.step("All set.")
        assert result.done and result.reward == 1.0
        state = client.state()
        assert isinstance(state, EnvFactoryState) and state.episode_id == "ep-1"
        for name, arguments in [(first, first_args), *rest]:
            env.step({"name": name, "arguments": arguments})
        assert state.state_digest == env.state_digest()


def test_concurrent_sessions_keep_separate_state(server: str) -> None:
    from openenv.core import GenericEnvClient

    env = local()
    task = pick(env, writes=True, facts=False, conversational=False)
    env.reset(options={"task_id": task.id})
    initial = env.state_digest()
    gold = env.gold_calls()

    async def episode(solve: bool) -> tuple[float, str]:
        async with GenericEnvClient(base_url=server) as client:
            await client.reset(task_id=task.id)
            for name, arguments in gold if solve else []:
                await client.step({"message": {"name": name, "arguments": arguments}})
                await asyncio.sleep(0)  # interleave with the other sessions
            digest = (await client.state())["state_digest"]
            result = await client.step({"message": "All set." if solve else WRONG})
            return result.reward, digest

    async def main() -> list[tuple[float, str]]:
        return await asyncio.gather(*(episode(solve=i % 2 == 0) for i in range(6)))

    results = asyncio.run(main())
    for name, arguments in gold:
        env.step({"name": name, "arguments": arguments})
    assert results == [(1.0, env.state_digest()), (0.0, initial)] * 3 and env.state_digest() != initial


def test_protocol_errors_are_exact(server: str) -> None:
    from openenv.core import GenericEnvClient

    with GenericEnvClient(base_url=server).sync() as client:
        with pytest.raises(RuntimeError, match=re.escape(
                "Server error: no episode in this session: call reset() before step() (code: EXECUTION_ERROR)")):
            client.step({"message": "hello"})
        with pytest.raises(RuntimeError, match=re.escape(
                "Server error: unknown reset argument(s) 'options'; accepted: seed, episode_id, task_id")):
            client.reset(options={"task_id": "x"})
        with pytest.raises(RuntimeError, match=re.escape("Server error: unknown task_id 'x' for 'Calendar'")):
            client.reset(task_id="x")
        client.reset(seed=5)
        with pytest.raises(RuntimeError, match=re.escape("Server error: Invalid message (code: VALIDATION_ERROR)")):
            client.step({"message": "a", "tool_calls": []})
        result = client.step({"message": "<tool_call>{bad</tool_call>"})  # a malformed call is a step, as in process
        assert not result.done and result.observation["errors"][0].startswith("Error: the tool call is not valid JSON")
        assert client.state()["step_count"] == 1
