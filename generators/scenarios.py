"""Tasks from the scenario templates environments declare: draft, ground by executing, calibrate, split.

A scenario reads a seeded initial state and proposes a request with gold calls (arguments may refer to results
of earlier calls). Grounding executes the calls on a fresh episode state; calibration keeps a task only if the
gold calls succeed, doing nothing fails, stopping one call short fails, the gold's changes keep every time span
sound (:func:`check_spans`), hidden facts are not in the request, no earlier task has the same gold calls, every
built-in adversary (:data:`envfactory_gym.agents.ADVERSARIES`) earns 0 and every alternative path the template
declares (``Draft.alternatives``) earns 1 (:func:`challenge`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from envfactory_gym.agents import ADVERSARIES, ASK_TEMPLATE, final_message, run_episode
from envfactory_gym.registration import ENVIRONMENTS, templates, world_set
from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.episode.replay import translate
from envfactory_gym.episode.reward import grade
from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Draft, Task, mask_request, resolve
from envfactory_gym.core.tools import ToolError
from envfactory_gym.core.world import World
from envfactory_gym.core.worldset import WorldSet
from generators.crashes import ToolCrash, crash_of


@dataclass
class BuildReport:
    kept: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    per_scenario: Counter[str] = field(default_factory=Counter)
    #: Kept tasks that passed an alternative-path check.
    alt_paths: int = 0
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


def qualified(tools: dict[str, tuple[World, Any]], gold: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gold calls as stored: across several environments, each names its environment and that environment's own
    tool, so the task still plays when a new domain member makes a tool name ambiguous (and prefixed)."""
    if len({world.name for world, _ in tools.values()}) < 2:
        return gold
    return [{"env": tools[g["name"]][0].name, "name": tools[g["name"]][1].name, "arguments": g["arguments"]}
            for g in gold]


def calibrate(name: str | type[WorldSet], seed: int, draft: Draft, gold: list[dict[str, Any]],
              facts: list[str]) -> Counter[Change]:
    """Raise :class:`Rejected` unless the task separates the gold path from doing nothing and from stopping short.

    Returns the expected change set of the gold calls.
    """
    worlds = _worlds(name)(seed)
    spans = span_rows(worlds)
    short: Counter[Change] = Counter()
    for index, step in enumerate(gold):
        if index == len(gold) - 1:
            short = worlds.changes()
        worlds.call(step["name"], step["arguments"])
        if worlds.writes(step["name"]):
            spans, before = span_rows(worlds), spans
            check_spans(before, spans)
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


def _span_pairs(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(start column, end column) pairs of a row: ``start_time``/``end_time``, ``startDate``/``endDate``..."""
    pairs = []
    for column in row:
        for start, end in (("start", "end"), ("Start", "End"), ("START", "END")):
            if start in column and column.replace(start, end, 1) in row:
                pairs.append((column, column.replace(start, end, 1)))
                break
    return pairs


def _ordered(start: Any, end: Any) -> bool | None:
    """Whether ``end`` is after ``start``; None when the two cannot be compared (NULL, mixed types or formats)."""
    if isinstance(start, bool) or isinstance(end, bool) or start is None or end is None:
        return None
    if isinstance(start, int | float) and isinstance(end, int | float):
        return end > start
    if isinstance(start, str) and isinstance(end, str) and len(start) == len(end):
        return end > start
    return None


SpanRows = dict[tuple[str, str], dict[tuple[Any, ...], dict[str, Any]]]


@functools.cache
def _span_tables(world_cls: type[World]) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[int, ...]], ...]:
    """(table, columns, span columns, key column indexes) of the graded tables of an environment with a span."""
    world = world_cls(0)
    found = []
    for table in world.tables:
        if table.bookkeeping or table.name in world.ungraded or not _span_pairs(dict.fromkeys(table.columns)):
            continue
        keys = table.key if table.key != ("rowid",) else table.columns
        found.append((table.name, table.columns, keys, tuple(table.columns.index(k) for k in keys)))
    return tuple(found)


def span_rows(worlds: WorldSet) -> SpanRows:
    """The rows of every graded table having a time span, by (environment, table) and key."""
    out: SpanRows = {}
    for name, world in worlds.worlds.items():
        for table, columns, _, index in _span_tables(type(world)):
            rows = world.conn.execute(f'SELECT * FROM "{table}"').fetchall()
            out[name, table] = {tuple(r[i] for i in index): dict(zip(columns, r)) for r in rows}
    return out


def check_spans(before: SpanRows, after: SpanRows) -> None:
    """Raise :class:`Rejected` when one call broke a time span of a graded row.

    A span is a pair of columns named alike but for ``start``/``end``. A row the call added or changed must end
    after it starts, and the call must not change one end of a span without the other: moving a meeting's start
    alone silently changes its length, which no request asks for (a request that states both is the sound way).
    Checked per call, so a row created and then updated in the same chain is held to it too.
    """
    for (_, table), rows in after.items():
        old_rows = before.get((_, table), {})
        for key, new in rows.items():
            old = old_rows.get(key)
            if old == new:
                continue
            for start, end in _span_pairs(new):
                if old is not None and (old[start] != new[start]) != (old[end] != new[end]):
                    moved = start if old[start] != new[start] else end
                    raise Rejected(f"an update changes one end of a time span: {table}.{moved}")
                if _ordered(new[start], new[end]) is False:
                    raise Rejected(f"a row ends before it starts: {table}.{start} {new[start]}, {end} {new[end]}")


class PathAgent:
    """Plays a given path: asks for every hidden user fact, makes the calls one by one, then states the facts."""

    def __init__(self, calls: list[dict[str, Any]], facts: Iterable[str]) -> None:
        self.calls = calls
        self.facts = list(facts)

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        base = env.unwrapped
        self.plan: list[Any] = [ASK_TEMPLATE.format(keyword=fact.keywords[0]) for fact in base.task.user_facts]
        self.plan += [{"name": translate(base.worlds, base.task, c), "arguments": c["arguments"]}
                      for c in self.calls]
        self.plan.append(final_message(self.facts))

    def act(self, info: dict[str, Any]) -> Any:
        return self.plan.pop(0) if self.plan else final_message(())


def challenge(task: Task, worlds: type[WorldSet], alternatives: Iterable[list[dict[str, Any]]] = ()) -> int:
    """Play the task as an episode: raise :class:`Rejected` when a built-in adversary earns reward 1, or when an
    alternative path (literal calls to the same outcome) does not; return how many alternative paths passed."""
    env = ToolUseEnv(task.env, tasks=[task], worlds=worlds)
    passed = 0
    try:
        for hacker, make in ADVERSARIES.items():
            if hacker == "ask_then_dump" and not task.user_facts:
                continue  # with nothing to ask it plays exactly as 'dump'
            if run_episode(env, make(), task.id).success:
                raise Rejected(f"an adversary earns reward 1: {hacker}")
        for path in alternatives:
            result = run_episode(env, PathAgent(path, task.answer_facts), task.id)
            if not result.success:
                raise Rejected(f"an alternative path fails: {[c['name'] for c in path]}")
            passed += 1
    finally:
        env.close()
    return passed


def alternative_paths(name: str | type[WorldSet], seed: int, draft: Draft) -> list[list[dict[str, Any]]]:
    """The literal calls of each alternative a draft declares; :class:`Rejected` when one does not run."""
    paths = []
    for calls in draft.alternatives:
        try:
            paths.append(run_draft(name, seed, Draft(draft.request, calls))[1])
        except Rejected as exc:
            raise Rejected(f"an alternative path fails: {exc}") from None
    return paths


def build_tasks(name: str, n: int, seeds: Iterable[int] = (0, 1, 2), test_share: float = 0.3,
                max_attempts: int = 50, distinct_requests: bool = False,
                only: Iterable[str] | None = None) -> tuple[list[Task], BuildReport]:
    """Up to ``n`` calibrated tasks from the templates of an environment (or a domain's cross-environment
    templates); none when it has no templates. ``distinct_requests`` also drops a task whose request equals an
    earlier one after masking values (a task file wants that; training over many worlds of one template does not).
    ``only`` keeps the named scenarios (all when None)."""
    worldset_cls = world_set(name)
    source = worldset_cls.members[0] if name in ENVIRONMENTS else worldset_cls
    scenarios = templates(name)
    if only is not None:
        scenarios = {key: value for key, value in scenarios.items() if key in set(only)}
    tools = worldset_cls(0).tools
    report = BuildReport()
    tasks: list[Task] = []
    seen: set[str] = set()
    shapes: set[str] = set()  # requests after masking values
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
                    if distinct_requests and mask_request(draft.request) in shapes:
                        raise Rejected("near-duplicate: same request after masking values")
                    expected = calibrate(name, seed, draft, gold, facts)
                    paths = alternative_paths(name, seed, draft)
                    task_id = f"{name}-{scenario_name}-s{seed}-{attempt}"
                    task = Task(
                        id=task_id, env=name, seed=seed, split=split_of(task_id, test_share), request=draft.request,
                        gold=tuple(qualified(tools, gold)), answer_facts=tuple(facts), user_facts=draft.ask,
                        tags={"calls": len(gold), "envs": len({tools[g["name"]][0].name for g in gold}),
                              "conversational": bool(draft.ask), "scenario": scenario_name,
                              "writes": bool(expected)})
                    if challenge(task, worldset_cls, paths):
                        task.tags["alt_path"] = True
                        report.alt_paths += 1
                except Rejected as exc:
                    report.rejected[str(exc).split(":")[0]] += 1
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug in a template or a tool body: reported, go on
                    report.crashes.append(crash_of(exc, worldset_cls, f"(template {scenario_name})"))
                    report.rejected["a template or tool crashed"] += 1
                    continue
                seen.add(key)
                shapes.add(mask_request(task.request))
                tasks.append(task)
                report.kept += 1
                report.per_scenario[scenario_name] += 1
    return tasks, report
