"""Gold replay: the change set a task's gold calls produce, which the reward compares the episode with."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from typing import Any

from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.worldset import WorldSet
from envfactory_gym.episode.answers import seen_values, tool_results
from envfactory_gym.episode.reward import RewardBreakdown, grade, progress
from envfactory_gym.registration import world_set

#: Expected change sets kept per process (least recently used dropped first); a replay costs about a millisecond.
EXPECTED_CACHE_SIZE = 8192
_EXPECTED: OrderedDict[tuple[str, str, int, str, type[WorldSet] | None], Counter[Change]] = OrderedDict()


def expected_changes(name: str, task: Task, worlds_cls: type[WorldSet] | None = None) -> Counter[Change]:
    """The canonical change set the task's gold calls produce (replayed once per process and task, LRU-bounded);
    ``worlds_cls`` replays on a world set that is not registered under ``name``."""
    key = (name, task.id, task.seed, json.dumps(task.gold, sort_keys=True), worlds_cls)
    found = _EXPECTED.get(key)
    if found is not None:
        _EXPECTED.move_to_end(key)
        return found
    worlds = (worlds_cls or world_set(name))(task.seed)
    for gold in task.gold:
        worlds.call(translate(worlds, task, gold), gold["arguments"])
    found = _EXPECTED[key] = worlds.changes()
    if len(_EXPECTED) > EXPECTED_CACHE_SIZE:
        _EXPECTED.popitem(last=False)
    return found


def grade_episode(name: str, task: Task, worlds: WorldSet, messages: list[dict[str, Any]],
                  worlds_cls: type[WorldSet] | None = None) -> RewardBreakdown:
    """Grade an episode's state and its messages to the user against the task."""
    return grade(expected_changes(name, task, worlds_cls), worlds.changes(), *_answer(task, messages),
                 worlds.minor_units)


def episode_progress(name: str, task: Task, worlds: WorldSet, messages: list[dict[str, Any]],
                     worlds_cls: type[WorldSet] | None = None) -> float:
    """``grade_episode(...).partial``, computed without the breakdown."""
    return progress(expected_changes(name, task, worlds_cls), worlds.changes(), *_answer(task, messages),
                    worlds.minor_units)


def _answer(task: Task, messages: list[dict[str, Any]]) -> tuple[tuple[str, ...], str, dict[str, set[str]]]:
    """The task's facts, the agent's messages to the user, and the values it was shown by field."""
    if not task.answer_facts:  # what the agent said and saw matters only to answer facts
        return (), "", {}
    answer = "\n".join(m["content"] for m in messages if m["role"] == "assistant" and m.get("content"))
    return task.answer_facts, answer, seen_values(tool_results(messages))


def translate(worlds: WorldSet, task: Task, call: dict[str, Any]) -> str:
    """A gold call's tool name as offered in ``worlds``: a call names its environment's own tool (``env`` in a
    cross-environment task's calls, else the task's environment), which a domain may offer prefixed."""
    env = call.get("env", task.env)
    return worlds.public_name(env, call["name"]) if env in worlds.worlds else call["name"]
