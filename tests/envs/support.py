"""Helpers shared by the environment test modules (the fixtures ``env`` and ``world`` live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError

Calls = list[tuple[str, dict[str, Any]]]


def fails(env: Any, world: Any, tool: str, arguments: dict[str, Any]) -> str:
    """Call a tool that must fail; check the state is untouched and return the error message."""
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call(tool, arguments)
    assert env.state_digest() == before
    return str(error.value)


def play(env: Any, task_id: str, calls: Calls, answer: str = "Done.") -> float:
    """Reset to a task, make the calls, send the final message and return the episode's reward."""
    env.reset(options={"task_id": task_id})
    for name, arguments in calls:
        env.step({"name": name, "arguments": arguments})
    _, reward, terminated, _, _ = env.step(answer)
    assert terminated
    return reward


def assert_answer_is_graded(env: Any, task: Any) -> None:
    """A read task's gold calls earn 1 with its answer facts stated, and 0 with an answer that states none."""
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="Here it is: " + "; ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="I looked it up for you.") == 0.0


def gold_calls(task: Any, env: Any = None) -> Calls:
    """A task's gold calls as (name, arguments) pairs, the shape :func:`play` takes; a cross-environment task's
    calls name their environment's own tools, so pass the domain ``env`` to get the names it offers."""
    if env is None:
        return [(g["name"], g["arguments"]) for g in task.gold]
    from envfactory_gym.episode.replay import translate

    return [(translate(env.worlds, task, g), g["arguments"]) for g in task.gold]


def scenario_task(env: Any, scenario: str, where: Callable[[Any], bool] = lambda task: True) -> Any:
    """The first task of the env drawn from a scenario (and meeting ``where``)."""
    return next(t for t in env.tasks if t.tags.get("scenario") == scenario and where(t))
