"""Task synthesis on a tool graph: sample a chain, ground it, render the request, calibrate, keep or reject.

Calibration reuses :mod:`generators.scenarios` (the gold calls are replayed by :func:`~generators.scenarios.ground`
and checked by :func:`~generators.scenarios.calibrate`: doing nothing and stopping one call short must fail,
hidden facts stay out of the request) and adds: the exploration run must earn reward 1 against the replayed
expectation (determinism), one argument swapped for another real value must fail (a plausible wrong chain), no
tool-only value may appear in the request, and no earlier task may have the same gold calls, the same chain with
the same stated values, a near-identical request, or the same request once values are masked (:func:`masked`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.agents import final_message
from envfactory_gym.episode.reward import grade
from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Call, Draft, Ref, Task, mask_request
from envfactory_gym.core.tools import ToolError
from generators.crashes import ToolCrash, crash_of
from generators.graph import UNREACHABLE, ToolGraph, leaves, tool_graph
from generators.grounding import Grounded, GroundedStep, GroundingFailed, ground
from generators.rendering import find_leaks, render, secrets
from generators.sampling import ChainSampler
from generators.scenarios import Rejected, calibrate, challenge, run_draft, split_of
from generators.values import Chooser, Pools, pools

#: A request rewriter: (request, values it must keep, values it must not contain) -> new request or None.
Rewriter = Callable[[str, Sequence[str], set[str]], "str | None"]


@dataclass
class Report:
    """What a generation run kept and rejected, and how well its tasks cover the tools."""

    name: str
    tools: list[str]
    unreachable: list[str]
    kept: int = 0
    attempts: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    used: Counter[str] = field(default_factory=Counter)
    lengths: Counter[int] = field(default_factory=Counter)
    cross: int = 0
    conversational: int = 0
    rewritten: int = 0
    #: Kept tasks whose gold passed an alternative-path check (another producer of a derived input).
    alt_paths: int = 0
    seconds: float = 0.0
    #: Tool bodies that crashed (probing the graph, grounding, replaying); the run went on without them.
    crashes: list[ToolCrash] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return sum(1 for t in self.tools if self.used[t]) / max(1, len(self.tools))

    def summary(self) -> str:
        """A table of the run: kept, rejected by reason, coverage, length histogram."""
        from tabulate import tabulate

        rows: list[tuple[str, Any]] = [
            ("kept", self.kept), ("attempts", self.attempts), ("seconds", f"{self.seconds:.1f}"),
            ("coverage", f"{self.coverage:.0%} of {len(self.tools)} tools"),
            ("3+ calls", f"{sum(v for k, v in self.lengths.items() if k >= 3) / max(1, self.kept):.0%}"),
            ("cross-environment", self.cross), ("conversational", self.conversational),
        ]
        if self.rewritten:
            rows.append(("rewritten by the LLM", self.rewritten))
        rows.append(("alternative path checked", self.alt_paths))
        rows += [(f"length {k}", "#" * max(1, round(40 * v / max(1, self.kept))) + f" {v}")
                 for k, v in sorted(self.lengths.items())]
        rows += [(f"rejected: {reason}", count) for reason, count in self.rejected.most_common()]
        unused = [t for t in self.tools if not self.used[t]]
        if unused:
            rows.append(("unused tools", ", ".join(unused)))
        if self.unreachable:
            rows.append(("unreachable tools", ", ".join(self.unreachable)))
        return tabulate(rows, headers=[self.name, ""], tablefmt="simple")


def generate(name: str, n: int, seed: int = 0, **options: Any) -> tuple[list[Task], Report]:
    """Up to ``n`` verified tasks of a registered environment or domain (see :func:`synthesize`)."""
    return synthesize(tool_graph(name), n, seed, **options)


def synthesize(graph: ToolGraph, n: int, seed: int = 0, world_seeds: Sequence[int] = (0, 1, 2),
               test_share: float = 0.3, conversational: float = 0.15, rewriter: Rewriter | None = None,
               progress: Callable[[int], None] | None = None, max_attempts: int | None = None
               ) -> tuple[list[Task], Report]:
    """Up to ``n`` verified tasks on ``graph``; a graph of several environments yields cross-environment tasks."""
    started = time.perf_counter()
    report = Report(graph.name, list(graph.tools), [t for t in graph.tools if graph.cost[t] == UNREACHABLE])
    report.crashes.extend(graph.crashes)
    sampler = ChainSampler(graph)
    envs = len(graph.envs())
    seen = _Seen()
    tasks: list[Task] = []
    max_attempts = max_attempts or 40 * n + 200
    while len(tasks) < n and report.attempts < max_attempts:
        report.attempts += 1
        rng = random.Random(f"{graph.name}:{seed}:{report.attempts}")
        try:
            task = _attempt(graph, sampler, rng, report, seen, envs, world_seeds, test_share, conversational,
                            rewriter)
        except Rejected as exc:
            report.rejected[str(exc).split(":")[0]] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a bug in a tool body: reported, generation goes on
            report.crashes.append(crash_of(exc, graph.worlds))
            report.rejected["a tool crashed"] += 1
            continue
        tasks.append(task)
        report.kept += 1
        report.used.update(set(task.tags["chain"]))
        report.lengths[task.tags["calls"]] += 1
        report.cross += task.tags["envs"] > 1
        report.conversational += task.conversational
        if progress:
            progress(1)
    report.seconds = time.perf_counter() - started
    return tasks, report


def _attempt(graph: ToolGraph, sampler: ChainSampler, rng: random.Random, report: Report, seen: _Seen, envs: int,
             world_seeds: Sequence[int], test_share: float, conversational: float,
             rewriter: Rewriter | None) -> Task:
    world_seed = rng.choice(list(world_seeds))
    wanted_envs = 1 if envs == 1 else rng.choice([k for k in (2, 3) if k <= envs])
    chain = sampler.sample(rng, report.used, wanted_envs)
    if chain is None:
        raise Rejected("sampling found no chain")
    state = pools(graph.worlds, world_seed)
    try:
        grounded = ground(graph, chain, world_seed, state, rng)
    except GroundingFailed as exc:
        sampler.learn(chain, exc.step)
        raise
    sampler.learn(chain, None)
    rendered = render(graph, grounded, rng, conversational=rng.random() < conversational)
    forbidden = secrets(graph, grounded, state)
    request = rendered.request
    if rewriter is not None:
        rewritten = rewriter(request, rendered.mentions, forbidden | {f.value for f in rendered.user_facts})
        if rewritten is not None:
            request = rewritten
            report.rewritten += 1
    leaked = find_leaks(request, forbidden)
    if leaked:
        raise Rejected(f"a tool-only value appears in the request: {leaked[0]}")
    draft = Draft(request, tuple(s.call() for s in grounded.steps),
                  tuple(f.ref for s in grounded.steps for f in s.facts), rendered.user_facts)
    _, gold, facts = run_draft(graph.worlds, world_seed, draft)
    tools = [g["name"] for g in gold]
    seen.check(gold, tools, rendered.mentions, request)
    expected = calibrate(graph.worlds, world_seed, draft, gold, facts)
    if not grade(expected, grounded.changes, facts, final_message(facts)).success:
        raise Rejected("the gold calls do not reach reward 1 when replayed")
    _perturbed_fails(graph, grounded, draft, expected, facts, world_seed, state, rng)
    key = json.dumps(gold, sort_keys=True) + request
    task_id = f"{graph.name}-gen-{hashlib.blake2b(key.encode(), digest_size=5).hexdigest()}"
    used_envs = len({graph.tools[t].env for t in tools})
    task = Task(
        id=task_id, env=graph.name, seed=world_seed, split=split_of(task_id, test_share), request=request,
        gold=tuple(gold), answer_facts=tuple(facts), user_facts=rendered.user_facts,
        tags={"calls": len(gold), "envs": used_envs, "conversational": bool(rendered.user_facts),
              "writes": bool(expected),
              "difficulty": difficulty(len(gold), used_envs, bool(rendered.user_facts)),
              "generator": "graph", "chain": tools},
    )
    if challenge(task, graph.worlds, _alternative_paths(graph, grounded, gold, world_seed)):
        task.tags["alt_path"] = True
        report.alt_paths += 1
    seen.add(gold, tools, rendered.mentions, request)
    return task


def difficulty(calls: int, envs: int, conversational: bool) -> str:
    """easy / medium / hard from the number of calls, environments and whether the user must be asked."""
    score = calls + 2 * (envs - 1) + 2 * conversational
    return "easy" if score <= 2 else "medium" if score <= 4 else "hard"


def _perturbed_fails(graph: ToolGraph, grounded: Grounded, draft: Draft, expected: Counter[Change],
                     facts: list[str], seed: int, state: Pools, rng: random.Random) -> None:
    """Swap one argument of a mentioned call for another real value; the first such chain that runs must fail."""
    candidates = [(i, p) for i, s in enumerate(grounded.steps) if s.rendered for p in s.arguments]
    rng.shuffle(candidates)
    for index, param in candidates[:8]:
        other = _alternative(graph, grounded.steps[index], param, state, rng)
        if other is None:
            continue
        calls = list(draft.calls)
        calls[index] = Call(calls[index].name, {**calls[index].arguments, param: other})
        try:
            worlds, _, their_facts = run_draft(graph.worlds, seed, Draft(draft.request, tuple(calls), draft.answer))
        except Rejected:
            continue
        if grade(expected, worlds.changes(), facts, final_message(their_facts)).success:
            raise Rejected("a perturbed chain also succeeds")
        return
    raise Rejected("no plausible perturbation runs")


def _alternative_paths(graph: ToolGraph, grounded: Grounded, gold: list[dict[str, Any]], seed: int,
                       limit: int = 1) -> list[list[dict[str, Any]]]:
    """The gold with one look-up swapped for another producer of the same values (``graph.planned_producers``):
    a read tool, called with the arguments of the look-up it accepts, whose result shows every value the later
    calls take from the look-up, under the same field names. Look-ups that yield answer facts are kept."""
    steps = grounded.steps
    paths: list[list[dict[str, Any]]] = []
    for j, step in enumerate(steps):
        consumers = [(i, p, ref) for i, s in enumerate(steps) for p, ref in s.refs.items() if ref.step == j]
        if step.writes or step.facts or not consumers:
            continue
        wanted = {(_field_of(steps[i], p), json.dumps(Ref(0, ref.path).resolve([step.result]), default=str))
                  for i, p, ref in consumers}
        first, param, _ = consumers[0]
        for producer, _ in graph.planned_producers(steps[first].tool, param):
            node = graph.tools[producer]
            arguments = {k: v for k, v in step.arguments.items() if k in node.params}
            if producer == step.tool or node.writes or any(
                    q.required and q.name not in arguments for q in node.params.values()):
                continue
            worlds = graph.worlds(seed)
            for done in gold[:j]:
                worlds.call(done["name"], done["arguments"])
            try:
                result = worlds.call(producer, arguments)
            except ToolError:
                continue
            shown = {(path.rsplit(".", 1)[-1], json.dumps(value, default=str)) for path, _, value in leaves(result)}
            if wanted <= shown:
                paths.append([*gold[:j], {"name": producer, "arguments": arguments}, *gold[j + 1:]])
                break
        if len(paths) >= limit:
            break
    return paths


def _alternative(graph: ToolGraph, step: GroundedStep, param: str, state: Pools, rng: random.Random) -> Any:
    """Another real value for one argument: same column for a derived one, a fresh choice for a stated one."""
    node = graph.tools[step.tool]
    current = step.arguments[param]
    one = current[0] if isinstance(current, list) and current else current
    world = node.env
    if param in step.refs:
        column = state.column(_field_of(step, param), world)
        options = [v for v in (column.values if column else ()) if v != one and type(v) is type(one)]
        other = rng.choice(options) if options else None
    else:
        chooser = Chooser(state, rng)
        other = None
        for _ in range(6):
            value = chooser.value(world, node.entity, node.writes, param, node.params[param].schema)
            value = value[0] if isinstance(value, list) and value else value
            if value is not None and value != one:
                other = value
                break
    if other is None:
        return None
    return [other] if isinstance(current, list) else other


def _field_of(step: GroundedStep, param: str) -> str:
    """The output field name a derived argument was taken from (its Ref path's last part)."""
    path = step.refs[param].path
    last = path.rsplit(".", 1)[-1] if path else param
    return param if last.isdigit() else last


class _Seen:
    """Duplicate and near-duplicate detection over the kept tasks."""

    def __init__(self) -> None:
        self.gold: set[str] = set()
        self.stated: set[tuple[tuple[str, ...], frozenset[str]]] = set()
        self.words: dict[tuple[str, ...], list[frozenset[str]]] = {}
        self.masked: set[str] = set()

    def check(self, gold: list[dict[str, Any]], tools: list[str], mentions: Sequence[str], request: str) -> None:
        if json.dumps(gold, sort_keys=True) in self.gold:
            raise Rejected("duplicate gold calls")
        if (tuple(tools), frozenset(m.lower() for m in mentions)) in self.stated:
            raise Rejected("near-duplicate: same chain and stated values")
        if masked(request, mentions) in self.masked:
            raise Rejected("near-duplicate: same request after masking values")
        words = _words(request)
        for other in self.words.get(tuple(tools), []):
            if len(words & other) / max(1, len(words | other)) >= 0.9:
                raise Rejected("near-duplicate: request reads like another")

    def add(self, gold: list[dict[str, Any]], tools: list[str], mentions: Sequence[str], request: str) -> None:
        self.gold.add(json.dumps(gold, sort_keys=True))
        self.stated.add((tuple(tools), frozenset(m.lower() for m in mentions)))
        self.words.setdefault(tuple(tools), []).append(_words(request))
        self.masked.add(masked(request, mentions))


def masked(request: str, mentions: Sequence[str] = ()) -> str:
    """A request's shape (:func:`~envfactory_gym.core.tasks.mask_request`), the values it mentions masked too."""
    text = request
    for value in sorted({str(m) for m in mentions if len(str(m)) >= 2}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", "'<v>'", text, flags=re.IGNORECASE)
    return mask_request(text)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))
