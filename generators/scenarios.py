"""Tasks from the scenario templates environments declare: draft, ground by executing, calibrate, split.

A scenario reads a seeded initial state and proposes a request with gold calls (arguments may refer to results
of earlier calls). Grounding executes the calls on a fresh episode state; calibration keeps a task only if the
gold calls succeed, doing nothing fails, stopping one call short fails, hidden facts are not in the request,
and no earlier task has the same gold calls.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.registration import ENVIRONMENTS, templates, world_set
from envfactory_gym.episode.reward import grade
from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Draft, Task, resolve
from envfactory_gym.core.tools import ToolError
from envfactory_gym.core.worldset import WorldSet
from generators.crashes import ToolCrash, crash_of


@dataclass
class BuildReport:
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    per_scenario: Counter[str] = field(default_factory=Counter)
    #: Templates or tool bodies that crashed; the build went on without them.
    crashes: list[ToolCrash] = field(default_factory=list)


class Rejected(Exception):
    """A draft that cannot become a task; the message's text before any ':' is the rejection reason."""


def _worlds(name: str | type[WorldSet]) -> type[WorldSet]:
    """The world-set class of a registered name, or the class itself (generators may pass one directly)."""
    return name if isinstance(name, type) else world_set(name)


def split_of(task_id: str, test_share: float) -> str:
    """A stable train/test assignment from the task id."""
    bucket = int.from_bytes(hashlib.blake2b(task_id.encode(), digest_size=4).digest(), "big") / 2**32
    return "test" if bucket < test_share else "train"


def ground(name: str | type[WorldSet], seed: int, draft: Draft) -> tuple[list[dict[str, Any]], list[str]]:
    """Execute a draft's calls on a fresh state; return the literal gold calls and the resolved answer facts."""
    _, gold, facts = run_draft(name, seed, draft)
    return gold, facts


def run_draft(name: str | type[WorldSet], seed: int, draft: Draft) -> tuple[WorldSet, list[dict[str, Any]], list[str]]:
    """:func:`ground`, also returning the episode state the calls leave behind."""
    worlds = _worlds(name)(seed)
    results: list[Any] = []
    gold = []
    for step in draft.calls:
        try:
            arguments = resolve(step.arguments, results)
        except (IndexError, KeyError, TypeError, ValueError) as exc:
            raise Rejected(f"a reference to an earlier result failed: {type(exc).__name__}: {exc}") from None
        try:
            results.append(worlds.call(step.name, arguments))
        except ToolError as exc:
            raise Rejected(f"gold call {step.name} failed: {exc}") from None
        gold.append({"name": step.name, "arguments": json.loads(json.dumps(arguments))})
    try:
        facts = [str(resolve(fact, results)) for fact in draft.answer]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise Rejected(f"a reference to an earlier result failed: {type(exc).__name__}: {exc}") from None
    return worlds, gold, facts


def calibrate(name: str | type[WorldSet], seed: int, draft: Draft, gold: list[dict[str, Any]],
              facts: list[str]) -> Counter[Change]:
    """Raise :class:`Rejected` unless the task separates the gold path from doing nothing and from stopping short.

    Returns the expected change set of the gold calls.
    """
    worlds = _worlds(name)(seed)
    for step in gold[:-1]:
        worlds.call(step["name"], step["arguments"])
    short = worlds.changes()
    worlds.call(gold[-1]["name"], gold[-1]["arguments"])
    expected = worlds.changes()
    if not expected and not facts:
        raise Rejected("no state change and no answer facts")
    if grade(expected, Counter(), facts, "").success:
        raise Rejected("doing nothing succeeds")
    if grade(expected, short, facts, "").success:
        raise Rejected("stopping one call short succeeds")
    lowered = draft.request.lower()
    for fact in draft.ask:
        if fact.value.lower() in lowered:
            raise Rejected("a hidden user fact appears in the request")
    return expected


def build_tasks(name: str, n: int, seeds: Iterable[int] = (0, 1, 2), test_share: float = 0.3,
                max_attempts: int = 50) -> tuple[list[Task], BuildReport]:
    """Up to ``n`` calibrated tasks from the templates of an environment (or a domain's cross-environment
    templates); none when it has no templates."""
    worldset_cls = world_set(name)
    source = worldset_cls.members[0] if name in ENVIRONMENTS else worldset_cls
    scenarios = templates(name)
    tools = worldset_cls(0).tools
    report = BuildReport()
    tasks: list[Task] = []
    seen: set[str] = set()
    seeds = list(seeds)
    for attempt in range(max_attempts):
        for seed in seeds:
            instance = source(seed)
            for scenario_name, scenario in scenarios.items():
                if len(tasks) >= n:
                    return tasks, report
                rng = random.Random(f"{name}:{scenario_name}:{seed}:{attempt}")
                try:
                    draft = scenario(instance, rng)
                    if draft is None:
                        report.rejected["scenario has no instance in this state"] += 1
                        continue
                    gold, facts = ground(name, seed, draft)
                    key = json.dumps(gold, sort_keys=True)
                    if key in seen:
                        raise Rejected("duplicate gold calls")
                    calibrate(name, seed, draft, gold, facts)
                except Rejected as exc:
                    report.rejected[str(exc).split(":")[0]] += 1
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug in a template or a tool body: reported, go on
                    report.crashes.append(crash_of(exc, worldset_cls, f"(template {scenario_name})"))
                    report.rejected["a template or tool crashed"] += 1
                    continue
                seen.add(key)
                task_id = f"{name}-{scenario_name}-s{seed}-{attempt}"
                tasks.append(Task(
                    id=task_id, env=name, seed=seed, split=split_of(task_id, test_share), request=draft.request,
                    gold=tuple(gold), answer_facts=tuple(facts), user_facts=draft.ask,
                    tags={"calls": len(gold), "envs": len({tools[g["name"]][0].name for g in gold}),
                          "conversational": bool(draft.ask), "scenario": scenario_name,
                          "writes": any(tools[g["name"]][1].writes for g in gold)},
                ))
                report.kept += 1
                report.per_scenario[scenario_name] += 1
    return tasks, report
