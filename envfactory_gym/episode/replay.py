"""Gold replay: the change set a task's gold calls produce, which the reward compares the episode with."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from typing import Any

from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.worldset import WorldSet
from envfactory_gym.episode.answers import seen_values, tool_results
from envfactory_gym.episode.reward import RewardBreakdown, grade
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
        worlds.call(translate(worlds, task, gold["name"]), gold["arguments"])
    found = _EXPECTED[key] = worlds.changes()
    if len(_EXPECTED) > EXPECTED_CACHE_SIZE:
        _EXPECTED.popitem(last=False)
    return found


def grade_episode(name: str, task: Task, worlds: WorldSet, messages: list[dict[str, Any]],
                  worlds_cls: type[WorldSet] | None = None) -> RewardBreakdown:
    """Grade an episode's state and its messages to the user against the task."""
    answer = "\n".join(m["content"] for m in messages if m["role"] == "assistant" and m.get("content"))
    # what the agent was shown matters only to answer facts: write-only tasks (most write steps) skip the parse
    seen = seen_values(tool_results(messages)) if task.answer_facts else {}
    return grade(expected_changes(name, task, worlds_cls), worlds.changes(), task.answer_facts, answer, seen,
                 worlds.minor_units)


def translate(worlds: WorldSet, task: Task, tool: str) -> str:
    """A gold call's tool name as offered in ``worlds`` (member tasks inside a domain may be prefixed)."""
    return worlds.public_name(task.env, tool) if task.env in worlds.worlds else tool
