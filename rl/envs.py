"""The suite seen from the trainer: which environments load, their tasks, and oracle (gold) actions as model text."""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import gymnasium as gym

import envfactory_gym
from envfactory_gym.agents import OracleAgent
from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.world import InitialState, World


def available(names: list[str]) -> list[str]:
    """The given environments/domains whose modules import and that have train and test tasks (others warned, skipped)."""
    from envfactory_gym.registration import world_set

    found = []
    for name in names:
        try:
            world_set(name)
            if envfactory_gym.load_tasks(name, "train") and envfactory_gym.load_tasks(name, "test"):
                found.append(name)
                continue
            warnings.warn(f"skipping '{name}': it has no train or no test tasks", stacklevel=2)
        except Exception as exc:  # noqa: BLE001 (an env still being written, a typo: say so and go on)
            warnings.warn(f"skipping '{name}': {type(exc).__name__}: {exc}", stacklevel=2)
    return found


def make(name: str, max_turns: int, split: str | None = None, tasks: Sequence[Task] | None = None) -> gym.Env:
    """The registered env (the committed tasks of ``split``), or, given ``tasks``, one that plays exactly those."""
    if tasks is not None:
        return TaskListEnv(name, tasks, max_turns=max_turns)
    return gym.make(envfactory_gym.env_id(name), split=split, max_turns=max_turns)


class TaskListEnv(ToolUseEnv):
    """A :class:`ToolUseEnv` over an explicit task list (e.g. tasks generated in memory) instead of the task files.

    Everything else (tools, worlds, scripted user, grading) is the env's own: it only swaps the catalog that
    ``reset`` draws from and that ``options={"task_id": ...}`` looks ids up in.
    """

    def __init__(self, name: str, tasks: Sequence[Task], **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        if not tasks or any(t.env != name and t.env not in self.worlds.worlds for t in tasks):
            raise ValueError(f"TaskListEnv('{name}') needs a non-empty list of tasks of that environment")
        self.tasks = list(tasks)
        self.task_index = {t.id: t for t in self.tasks}
        self.task = self.tasks[0]


def world_tasks(name: str, seed: int, scenarios: frozenset[str] | None = None) -> list[Task]:
    """Every task the scenario templates of ``name`` (those named in ``scenarios``, when given) give on world
    ``seed`` (built, grounded, calibrated)."""
    from generators.scenarios import build_tasks

    return build_tasks(name, 10**6, seeds=[seed], max_attempts=1, only=scenarios)[0]


def world_tasks_and_states(name: str, seed: int, scenarios: frozenset[str] | None = None
                           ) -> tuple[list[Task], list[tuple[type[World], InitialState]]]:
    """:func:`world_tasks` and the initial state of each member world it built, for the calling process to adopt
    (a process pool's worker builds the world once for everyone)."""
    members = envfactory_gym.registration.world_set(name).members
    return world_tasks(name, seed, scenarios), [(member, member.initial_state(seed)) for member in members]


def generated_tasks(name: str, seeds: Iterable[int], split: str, max_calls: int = 0,
                    conversational: bool = True, progress: Callable[[int], Any] | None = None,
                    executor: Executor | None = None, scenarios: frozenset[str] | None = None) -> list[Task]:
    """Tasks of ``name`` built in memory from its scenario templates, one per scenario on each world seed.

    Kept: at most ``max_calls`` gold calls (0: any), unless ``conversational`` no facts only the user knows, and
    when ``scenarios`` is given only the scenarios it names.
    All are labelled ``split``: a generalisation split is made by giving train and test disjoint world seeds.
    ``progress(1)`` is called after each world seed; ``executor`` (a process pool, say) builds the worlds in
    parallel, with the same result, and hands their initial states back to this process's snapshot cache
    (:func:`envfactory_gym.core.world.keep_snapshots` sets how many it keeps), so that episodes here do not build
    them again.

    Built one world at a time (for ``progress``), dropping a task whose gold calls an earlier world's task already
    has: the same tasks, in the same order, as one ``build_tasks`` call over all the seeds, whose only state
    across worlds is that set of gold calls.
    """
    if not envfactory_gym.registration.templates(name):
        raise ValueError(f"'{name}' has no task templates to generate from; use --tasks suite")
    seeds = list(seeds)
    if scenarios is not None and not scenarios & set(envfactory_gym.registration.templates(name)):
        raise ValueError(f"none of the scenarios {sorted(scenarios)} is a task template of '{name}'; its templates: "
                         f"{', '.join(envfactory_gym.registration.templates(name))}")
    picked = [scenarios] * len(seeds)
    if executor is not None:
        worlds = (adopted(seed, *found) for seed, found in zip(seeds, executor.map(
            world_tasks_and_states, [name] * len(seeds), seeds, picked, chunksize=4)))
    else:
        worlds = map(world_tasks, [name] * len(seeds), seeds, picked)
    built: list[Task] = []
    seen: set[str] = set()
    for tasks_of_world in worlds:
        for task in tasks_of_world:
            key = json.dumps(list(task.gold), sort_keys=True)
            if key not in seen:
                seen.add(key)
                built.append(task)
        if progress is not None:
            progress(1)
    return [dataclasses.replace(t, split=split) for t in built
            if (not max_calls or t.tags["calls"] <= max_calls) and (conversational or not t.user_facts)]


def adopted(seed: int, tasks_of_world: list[Task], states: list[tuple[type[World], InitialState]]) -> list[Task]:
    """The tasks of a world built in another process, its initial states now cached in this one."""
    for member, initial in states:
        member.adopt_initial_state(seed, initial)
    return tasks_of_world


def tasks(names: list[str], split: str, limit: int = 0) -> list[tuple[str, Task]]:
    """(env name, task) for the tasks of the split (the first ``limit`` per env when given), in a stable order."""
    return [(name, task) for name in names for task in envfactory_gym.load_tasks(name, split)[: limit or None]]


def action_text(action: Any) -> str:
    """An agent action as Qwen3/Hermes model text: a tool call block per call, or the message itself."""
    if isinstance(action, str):
        return action
    calls = action if isinstance(action, list) else [action]
    return "\n".join(
        '<tool_call>\n{"name": ' + json.dumps(c["name"], ensure_ascii=False) + ', "arguments": '
        + json.dumps(c["arguments"], ensure_ascii=False) + "}\n</tool_call>" for c in calls)


class OraclePolicy:
    """The oracle agent's actions as text (gold calls, questions for hidden facts, the final answer)."""

    def __init__(self, env: gym.Env, info: dict[str, Any]) -> None:
        self.agent = OracleAgent()
        self.agent.reset(env, info)

    def __call__(self, info: dict[str, Any]) -> str:
        return action_text(self.agent.act(info))


def oracle_conversation(env: gym.Env, task_id: str, seed: int = 0) -> tuple[list[dict[str, Any]], float]:
    """The gold trajectory as chat messages (assistant turns as raw model text) and the reward it earned."""
    _, info = env.reset(seed=seed, options={"task_id": task_id})
    policy = OraclePolicy(env, info)
    messages = list(info["messages"])
    done, reward = False, 0.0
    while not done:
        text = policy(info)
        _, reward, terminated, truncated, info = env.step(text)
        messages.append({"role": "assistant", "content": text})
        messages += info["new_messages"]
        done = terminated or truncated
    return messages, float(reward)
