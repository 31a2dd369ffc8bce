"""The built-in reward hackers: they state the answer (or act), yet earn 0 under the commitment rule."""

from __future__ import annotations

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401
from envfactory_gym.agents import ADVERSARIES, DumpAgent, EchoAgent, OracleAgent, OverActAgent, run_episode


@pytest.fixture(scope="module")
def calendar() -> gym.Env:
    return gym.make("EnvFactory/Calendar-v0")


def read_tasks(env: gym.Env) -> list:
    return [t for t in env.unwrapped.tasks if t.answer_facts and not t.tags.get("writes")]


def test_dump_states_the_facts_but_also_competing_values(calendar: gym.Env) -> None:
    caught = 0
    for task in read_tasks(calendar):
        result = run_episode(calendar, DumpAgent(), task.id)
        facts = result.reward_info["facts"]
        assert result.reward == 0.0 and result.tool_calls > 1
        if all(f["found"] for f in facts):
            caught += 1
            assert any(f["competing"] for f in facts)
            assert "Here is everything I found: " in result.messages[-1]["content"]
    assert caught >= 5  # the old substring rule paid these


def test_echo_and_over_act_earn_nothing_and_the_oracle_everything(calendar: gym.Env) -> None:
    task = next(t for t in calendar.unwrapped.tasks if t.tags.get("writes"))
    assert run_episode(calendar, OracleAgent(), task.id).reward == 1.0
    echo = run_episode(calendar, EchoAgent(), task.id)
    assert echo.reward == 0.0 and echo.messages[-1]["content"].startswith("You asked: ")
    over = run_episode(calendar, OverActAgent(), task.id)
    written = {c["function"]["name"] for m in over.messages for c in m.get("tool_calls", ())
               if calendar.unwrapped.worlds.writes(c["function"]["name"])}
    assert over.reward == 0.0 and len(written) >= 3


def test_every_adversary_earns_zero_on_every_calendar_task(calendar: gym.Env) -> None:
    for name, make in ADVERSARIES.items():
        wins = [t.id for t in calendar.unwrapped.tasks if run_episode(calendar, make(), t.id).success]
        assert wins == [], (name, wins)
