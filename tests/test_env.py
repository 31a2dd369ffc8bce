"""The Gymnasium contract: registration, spaces, episodes, errors, rendering, vectorization."""

from __future__ import annotations

import json
from typing import Any
import subprocess
import sys

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import envfactory_gym
from envfactory_gym.agents import OracleAgent, run_episode
from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, env_id, load_tasks

ALL_IDS = [env_id(n) for n in [*ENVIRONMENTS, *DOMAINS]]
NAME = "Calendar"


def test_every_environment_and_domain_is_registered() -> None:
    assert ENVIRONMENTS and len(DOMAINS) == 7
    for id_ in ALL_IDS:
        assert id_ in gym.registry


@pytest.mark.parametrize("id_", ALL_IDS)
def test_make_and_check_env(id_: str) -> None:
    env = gym.make(id_)
    check_env(env.unwrapped, skip_render_check=True)
    observation, info = env.reset(seed=0)
    turns = json.loads(observation)
    assert [t["role"] for t in turns] == ["system", "user"]
    assert "<tools>" in turns[0]["content"] and turns[1]["content"] == env.unwrapped.task.request
    assert {s["function"]["name"] for s in info["tools"]} == set(env.unwrapped.worlds.tools)


def test_import_is_light_and_prefixed_id_works_without_import() -> None:
    code = "import envfactory_gym, sys; print(sorted(m for m in ('mcp', 'torch', 'faker', 'transformers') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    code = ("import gymnasium as gym; env = gym.make('envfactory_gym:EnvFactory/Travel-v0'); "
            "obs, info = env.reset(seed=0); print(info['env'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "Travel"


@pytest.fixture
def env() -> gym.Env:
    return gym.make(env_id(NAME), render_mode="ansi")


def _task(env: gym.Env, **tags: object):
    return next(t for t in env.unwrapped.tasks if all(t.tags.get(k) == v for k, v in tags.items()))


def test_tool_call_observation_and_state_change(env: gym.Env) -> None:
    task = _task(env, writes=True)
    env.reset(seed=0, options={"task_id": task.id})
    before = env.unwrapped.state_digest()
    name, arguments = env.unwrapped.gold_calls()[-1]
    call = f'<tool_call>{json.dumps({"name": name, "arguments": arguments})}</tool_call>'
    observation, reward, terminated, truncated, info = env.step(call)
    turns = json.loads(observation)
    assert [t["role"] for t in turns] == ["tool"] and turns[0]["name"] == name
    assert not turns[0]["content"].startswith("Error") and info["calls"] == [{"name": name, "arguments": arguments}]
    assert (reward, terminated, truncated) == (0.0, False, False)
    assert env.unwrapped.state_digest() != before


def test_invalid_actions_become_error_turns_without_state_change(env: gym.Env) -> None:
    env.reset(seed=0)
    before = env.unwrapped.state_digest()
    for action, error in [
        ({"name": "nope", "arguments": {}}, "Error: unknown tool 'nope'; available tools: "),
        ({"name": "get_event", "arguments": {"event_id": "evt_missing"}}, "Error: no event with id 'evt_missing'"),
        ("<tool_call>{bad</tool_call>", "Error: the tool call is not valid JSON"),
        ({"name": "delete_event", "arguments": {}}, "Error: invalid arguments for 'delete_event': event_id: required"),
    ]:
        observation, reward, terminated, truncated, info = env.step(action)
        (turn,) = json.loads(observation)
        assert turn["role"] == "tool" and turn["content"].startswith(error), turn
        assert info["errors"] == [turn["content"]] and not terminated
    assert env.unwrapped.state_digest() == before


def test_progress_signal_follows_state_changes(env: gym.Env) -> None:
    task = next(t for t in env.unwrapped.tasks if t.tags["writes"] and not t.answer_facts and not t.conversational)
    _, info = env.reset(seed=0, options={"task_id": task.id})
    assert "progress" not in info and env.unwrapped.progress == 0.0
    for name, arguments in env.unwrapped.gold_calls():
        env.step({"name": name, "arguments": arguments})
    assert env.unwrapped.progress == 1.0
    tracked = gym.make(env.spec.id, progress=True)
    _, info = tracked.reset(seed=0, options={"task_id": task.id})
    assert info["progress"] == 0.0
    for name, arguments in tracked.unwrapped.gold_calls():
        _, _, _, _, info = tracked.step({"name": name, "arguments": arguments})
    assert info["progress"] == 1.0


def test_message_ends_episode_and_grades(env: gym.Env) -> None:
    task = _task(env, conversational=False)
    env.reset(seed=0, options={"task_id": task.id})
    _, reward, terminated, truncated, info = env.step("Sorry, I cannot do that.")
    assert (reward, terminated, truncated) == (0.0, True, False)
    assert info["reward_info"]["success"] is False
    observation, reward, terminated, _, _ = env.step("hello?")  # stepping a finished episode never raises
    assert "the episode has ended" in observation and terminated


def test_oracle_solves_every_task_and_transcript_renders(env: gym.Env) -> None:
    for task in env.unwrapped.tasks:
        result = run_episode(env, OracleAgent(), task.id)
        assert result.reward == 1.0, (task.id, result.reward_info)
    text = env.render()
    assert text.startswith("[system] ") and "[assistant -> " in text and "[tool:" in text


def test_conversational_task_needs_the_hidden_fact(env: gym.Env) -> None:
    task = _task(env, conversational=True)
    fact = task.user_facts[0]
    env.reset(seed=0, options={"task_id": task.id})
    observation, reward, terminated, _, _ = env.step(f"Which {fact.keywords[0]} do you mean?")
    assert json.loads(observation) == [{"role": "user", "content": f"My {fact.name} is {fact.value}."}]
    assert not terminated


def test_truncation_at_turn_limit() -> None:
    env = gym.make(env_id(NAME), max_turns=2)
    env.reset(seed=0)
    call = {"name": "list_calendars", "arguments": {}}
    assert env.step(call)[3] is False
    _, reward, terminated, truncated, info = env.step(call)
    assert (reward, terminated, truncated) == (0.0, False, True) and "reward_info" in info


def test_partial_reward_mode() -> None:
    env = gym.make(env_id(NAME), reward_mode="partial")
    task = next(t for t in env.unwrapped.tasks if t.answer_facts and len(t.answer_facts) >= 2 and not t.tags["writes"])
    env.reset(seed=0, options={"task_id": task.id})
    _, reward, *_ = env.step(f"It is {task.answer_facts[0]}.")
    assert 0 < reward < 1


def test_bad_options_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="reward_mode must be 'binary' or 'partial', got 'dense'"):
        gym.make(env_id(NAME), reward_mode="dense")
    env = gym.make(env_id(NAME))
    with pytest.raises(ValueError, match="unknown task_id 'nope' for 'Calendar'"):
        env.reset(options={"task_id": "nope"})
    with pytest.raises(KeyError, match="unknown environment or domain 'Nope'"):
        load_tasks("Nope")


def test_same_seed_same_episode() -> None:
    a, b = gym.make(env_id(NAME)), gym.make(env_id(NAME))
    assert a.reset(seed=11)[0] == b.reset(seed=11)[0]
    assert a.unwrapped.task.id == b.unwrapped.task.id


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_returns_current_text(mode: str) -> None:
    envs = gym.make_vec(env_id(NAME), num_envs=2, vectorization_mode=mode)
    try:
        observations, infos = envs.reset(seed=[1, 2])
        requests = [json.loads(o)[1]["content"] for o in observations]
        assert requests == [t for t in infos["task_id"]] or all(requests)
        actions = ['<tool_call>{"name": "list_calendars", "arguments": {}}</tool_call>',
                   '<tool_call>{"name": "find_contact", "arguments": {"name": "a"}}</tool_call>']
        observations, *_ = envs.step(actions)
        names = [json.loads(o)[0]["name"] for o in observations]
        assert names == ["list_calendars", "find_contact"]
        observations, *_ = envs.step(actions[::-1])
        assert [json.loads(o)[0]["name"] for o in observations] == ["find_contact", "list_calendars"]
    finally:
        envs.close()


def test_same_step_autoreset() -> None:
    from gymnasium.vector import AutoresetMode

    envs = gym.make_vec(env_id(NAME), num_envs=2, vectorization_mode="sync",
                        vector_kwargs={"autoreset_mode": AutoresetMode.SAME_STEP})
    envs.reset(seed=0)
    observations, rewards, terminated, _, infos = envs.step(["Bye.", "Bye."])
    assert terminated.all()
    assert all(json.loads(o)[0]["role"] == "system" for o in observations)  # already the next episode


def test_batched_env_mixed_episodes() -> None:
    from envfactory_gym.vector import BatchedEnv

    names = [n for n in ENVIRONMENTS if load_tasks(n)]
    batch = BatchedEnv(names * 3)
    started = batch.reset(seeds=list(range(len(batch))))
    agents = {}
    for slot, (_, info) in started.items():
        agents[slot] = OracleAgent()
        agents[slot].reset(batch.envs[slot], info)
    infos = {slot: info for slot, (_, info) in started.items()}
    rewards = {}
    while active := batch.active():
        for slot, result in batch.step({s: agents[s].act(infos[s]) for s in active[::2]}).items():
            infos[slot] = result.info
            if result.done:
                rewards[slot] = result.reward
    assert rewards == {slot: 1.0 for slot in range(len(batch))}


def test_env_plays_given_tasks() -> None:
    from dataclasses import replace

    from envfactory_gym.episode.env import ToolUseEnv

    original = load_tasks(NAME)[0]
    task = replace(original, id="custom-1", split="test")
    env = ToolUseEnv(NAME, tasks=[task])
    assert [t.id for t in env.tasks] == ["custom-1"]
    assert run_episode(env, OracleAgent(), "custom-1").reward == 1.0
    assert ToolUseEnv(NAME, tasks=[task], split="train").task_ids == ["custom-1"]  # given tasks are played as given
    with pytest.raises(ValueError, match="^no tasks given for 'Calendar'$"):
        ToolUseEnv(NAME, tasks=[])


def test_reset_draws_train_tasks_by_default_and_test_on_request() -> None:
    train = gym.make(env_id(NAME)).unwrapped
    assert {t.split for t in train.tasks} == {"train"}
    assert {t.split for t in gym.make(env_id(NAME), split="test").unwrapped.tasks} == {"test"}
    assert len(gym.make(env_id(NAME), split=None).unwrapped.tasks) == len(load_tasks(NAME))
    with pytest.raises(ValueError, match=r"^split must be 'train', 'test' or None \(both\), got 'dev'$"):
        gym.make(env_id(NAME), split="dev")


def test_a_bad_reset_leaves_the_env_usable() -> None:
    env = gym.make(env_id(NAME))
    test_id = next(t.id for t in load_tasks(NAME, "test"))
    with pytest.raises(ValueError, match=rf"^unknown task_id '{test_id}' for 'Calendar' \(split='train', \d+ tasks, "
                                         r"e\.g\. .*\); env\.unwrapped\.task_ids lists them all, and split='test'"):
        env.reset(options={"task_id": test_id})
    env.reset(seed=0)
    _, _, _, _, info = env.step({"name": "list_calendars", "arguments": {}})
    assert info["errors"] == [] and len(info["calls"]) == 1


def test_reset_options_are_checked() -> None:
    env = gym.make(env_id(NAME)).unwrapped
    with pytest.raises(ValueError, match=r"^unknown reset option\(s\) 'taskid'; accepted: generate, task_id$"):
        env.reset(options={"taskid": env.task_ids[0]})
    with pytest.raises(TypeError, match=r"^reset options must be a dict such as \{'task_id': \.\.\.\}, got str$"):
        env.reset(options="Calendar-x")
    assert env.reset(options={"task_id": env.task_ids[1]})[1]["task_id"] == env.task_ids[1]


@pytest.mark.parametrize("action", ["", "   ", [], "<think>planning</think>", {"role": "assistant", "content": ""}])
def test_an_empty_action_is_an_error_turn_not_the_end(action: Any) -> None:
    env = gym.make(env_id(NAME))
    env.reset(seed=0)
    observation, reward, terminated, truncated, info = env.step(action)
    assert not terminated and not truncated and reward == 0.0
    assert info["errors"] == ["Error: the action holds no tool call and no message; call a tool or reply to the user."]


def test_the_action_space_contains_what_step_accepts() -> None:
    space = gym.make(env_id(NAME)).action_space
    call = {"name": "list_calendars", "arguments": {}}
    assert space.contains("hello") and space.contains(call) and space.contains([call, call])
    assert space.contains({"role": "assistant", "content": None, "tool_calls": [{"function": call}]})
    assert not space.contains({"foo": 1}) and not space.contains(7) and not space.contains([])
    with pytest.raises(ValueError, match=r"^max_turns must be a positive integer, got 0$"):
        gym.make(env_id(NAME), max_turns=0)
