"""Gold replay: the change set a task's gold calls produce, which the reward compares the episode with."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict

from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.worldset import WorldSet
from envfactory_gym.registration import world_set

#: Expected change sets kept per process (least recently used dropped first); a replay costs about a millisecond.
EXPECTED_CACHE_SIZE = 8192
_EXPECTED: OrderedDict[tuple[str, str, int, str], Counter[Change]] = OrderedDict()


def expected_changes(name: str, task: Task) -> Counter[Change]:
    """The canonical change set the task's gold calls produce (replayed once per process and task, LRU-bounded)."""
    key = (name, task.id, task.seed, json.dumps(task.gold, sort_keys=True))
    found = _EXPECTED.get(key)
    if found is not None:
        _EXPECTED.move_to_end(key)
        return found
    worlds = world_set(name)(task.seed)
    for gold in task.gold:
        worlds.call(translate(worlds, task, gold["name"]), gold["arguments"])
    found = _EXPECTED[key] = worlds.changes()
    if len(_EXPECTED) > EXPECTED_CACHE_SIZE:
        _EXPECTED.popitem(last=False)
    return found


def translate(worlds: WorldSet, task: Task, tool: str) -> str:
    """A gold call's tool name as offered in ``worlds`` (member tasks inside a domain may be prefixed)."""
    return worlds.public_name(task.env, tool) if task.env in worlds.worlds else tool
