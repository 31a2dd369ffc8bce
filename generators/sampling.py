"""Topology-aware chain sampling on a tool graph.

A chain is built goal by goal: pick a goal tool (favouring tools the kept tasks use least), then, for each of its
derived inputs, either reuse a step already in the chain that produces it or plan a producer first (recursively),
so every derived input has a producer earlier in the chain and every non-goal step feeds a later one. Goals are
added until the chain reaches a target length (1-8) or holds three goals (a request states one to three goals); a
chain across environments takes its goals from 2-3 of them.

The sampler also learns which links ground: :meth:`ChainSampler.learn` records, per (tool, input, producer),
whether grounding got through, and choices are weighted by that success rate (a contact found by name is
seldom an attendee of a given event, so removing "that contact" from "that event" is tried less and less).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generators.graph import ToolGraph

#: Relative frequency of target chain lengths.
LENGTHS = {1: 2.0, 2: 3.0, 3: 3.0, 4: 2.0, 5: 1.0, 6: 0.5, 7: 0.3, 8: 0.2}
MAX_LENGTH = 8
#: Most goals of one chain: a request states one to three things the user wants.
MAX_GOALS = 3
#: Chance of binding an optional derived input (e.g. a calendar id where the default calendar would do).
OPTIONAL_BIND = 0.35
#: Chance of reusing a producer already in the chain rather than planning a new one.
REUSE = 0.6
#: Extra weight of a tool no kept task uses yet (its success rate still tempers it, so a tool that never grounds
#: stops eating attempts).
UNUSED = 4.0
#: Weight of a write tool as a producer, relative to a read tool.
WRITE_PRODUCER = 0.3
#: Weight of a producer whose field is a foreign key in its row (an event's calendar id, for a calendar id).
FOREIGN_PRODUCER = 0.25


@dataclass(frozen=True)
class Step:
    """One call of a chain: the tool, and which earlier step (and output field) feeds each derived input."""

    tool: str
    bindings: tuple[tuple[str, int, str], ...]
    goal: bool


class ChainSampler:
    """Samples chains on ``graph``; all randomness comes from the ``rng`` passed to :meth:`sample`."""

    def __init__(self, graph: ToolGraph, max_length: int = MAX_LENGTH) -> None:
        self.graph = graph
        self.max_length = max_length
        self.reachable = [t for t in graph.reachable() if graph.cost[t] <= max_length]
        #: (tool, input, producer tool) -> [grounded, failed]; ("tool", "", "") counts the tool itself.
        self.outcomes: dict[tuple[str, str, str], list[int]] = {}

    def learn(self, chain: Sequence[Step], failed_at: int | None) -> None:
        """Record how grounding went: every step before ``failed_at`` grounded, that one failed (None: all did)."""
        for index, step in enumerate(chain):
            if failed_at is not None and index > failed_at:
                break
            outcome = 1 if index == failed_at else 0
            keys = [(step.tool, "", ""), *((step.tool, p, chain[i].tool) for p, i, _ in step.bindings)]
            for key in keys:
                self.outcomes.setdefault(key, [0, 0])[outcome] += 1

    def _rate(self, key: tuple[str, str, str]) -> float:
        grounded, failed = self.outcomes.get(key, (0, 0))
        return (grounded + 1) / (grounded + failed + 2)

    def sample(self, rng: random.Random, coverage: Counter[str], envs: int = 1,
               length: int | None = None) -> tuple[Step, ...] | None:
        """A chain whose goals come from ``envs`` distinct environments, or None when planning failed."""
        length = length or rng.choices(list(LENGTHS), weights=list(LENGTHS.values()))[0]
        names = sorted({self.graph.tools[t].env for t in self.reachable})
        if len(names) < envs:
            return None
        chosen = rng.sample(names, envs)
        length = max(length, envs)
        steps: list[Step] = []
        for index in range(self.max_length):
            env = chosen[index] if index < envs else rng.choice(chosen)
            if index >= envs and (len(steps) >= length or self._goals(steps) >= MAX_GOALS):
                break
            room = self.max_length - len(steps)
            asked = {s.tool for s in steps if s.goal and not self.graph.tools[s.tool].writes}
            goals = [t for t in self.reachable if self.graph.tools[t].env == env and self.graph.cost[t] <= room
                     and t not in asked]
            if not goals:
                return None if index < envs else self._finish(steps)
            goal = self._weighted(rng, goals, coverage, [(t, "", "") for t in goals])
            if self._plan(rng, goal, steps, coverage, (), goal=True) is None:
                self.outcomes.setdefault((goal, "", ""), [0, 0])[1] += 1
                return None
        return self._finish(steps)

    def _goals(self, steps: list[Step]) -> int:
        """How many goals a request for ``steps`` states (its goals and its writes)."""
        return sum(1 for s in steps if s.goal or self.graph.tools[s.tool].writes)

    def _finish(self, steps: list[Step]) -> tuple[Step, ...] | None:
        if not steps or len(steps) > self.max_length:
            return None
        return tuple(steps)

    def _weighted(self, rng: random.Random, tools: Sequence[str], coverage: Counter[str],
                  outcomes: Sequence[tuple[str, str, str]], keyed: set[str] | None = None,
                  serves: Counter[str] | None = None) -> str:
        """A tool drawn by under-coverage and success rate, and for producers by kind of link and by how many of
        the consumer's inputs it can feed at once (``serves``)."""
        weights = []
        for tool, key in zip(tools, outcomes, strict=True):
            weight = self._rate(key) ** 2 / (1 + coverage[tool]) * (UNUSED if not coverage[tool] else 1.0)
            if keyed is not None:
                weight *= WRITE_PRODUCER if self.graph.tools[tool].writes else 1.0
                weight *= 1.0 if tool in keyed else FOREIGN_PRODUCER
            if serves is not None:
                weight *= (1 + serves[tool]) ** 2
            weights.append(weight)
        return rng.choices(list(tools), weights=weights)[0]

    def _plan(self, rng: random.Random, tool: str, steps: list[Step], coverage: Counter[str],
              stack: tuple[str, ...], goal: bool) -> int | None:
        """Append ``tool`` after producers of its derived inputs; return its index (None: cannot be planned).

        ``stack``: the tools being planned that wait for this one (never planned again as its producers).
        """
        depth = len(stack)
        if depth > 4 or len(steps) >= self.max_length:
            return None
        node = self.graph.tools[tool]
        bindings = []
        for param in node.params.values():
            if param.kind != "derived" or not param.required and (
                    not (goal or node.writes) or rng.random() > OPTIONAL_BIND):
                continue  # an unmentioned look-up gets no optional filters: they would only lengthen the chain
            options = self.graph.producers(tool, param.name)
            taken = {(index, _container(path)) for _, index, path in bindings}
            existing = [(i, path) for i, step in enumerate(steps) for producer, path in options
                        if step.tool == producer and (i, _container(path)) not in taken]
            made = any(self.graph.tools[steps[i].tool].writes for i, _ in existing)
            if existing and (rng.random() < REUSE or depth >= 2 or made):  # a login's token is reused, not remade
                index, path = rng.choices(existing, weights=[
                    self._rate((tool, param.name, steps[i].tool)) for i, _ in existing])[0]
                bindings.append((param.name, index, path))
                continue
            room = self.max_length - len(steps) - 1
            fresh = sorted({p for p, _ in self.graph.planned_producers(tool, param.name)
                            if self.graph.cost[p] <= room and p not in stack})
            if not fresh:
                if param.required:
                    return None
                continue
            producer = self._weighted(rng, fresh, coverage, [(tool, param.name, p) for p in fresh],
                                      keyed={p for p, path in options if self.graph.is_key(p, path)},
                                      serves=Counter(p for other in node.params.values() if other.kind == "derived"
                                                     and other.required for p in {
                                                         q for q, _ in self.graph.producers(tool, other.name)}))
            index = self._plan(rng, producer, steps, coverage, (*stack, tool), goal=False)
            if index is None:
                self.outcomes.setdefault((tool, param.name, producer), [0, 0])[1] += 1
                if param.required:
                    return None
                continue
            paths = [path for p, path in options if p == producer and (index, _container(path)) not in taken]
            if not paths:
                return None
            bindings.append((param.name, index, rng.choice(paths)))
        firsts = self.graph.requires.get(tool, ())
        if firsts and not any(step.tool in firsts for step in steps):
            candidates = [t for t in firsts if t not in stack] or list(firsts)
            first = self._weighted(rng, candidates, coverage, [(tool, "", t) for t in candidates], keyed=set(firsts))
            if self._plan(rng, first, steps, coverage, (*stack, tool), goal=False) is None:
                return None
        steps.append(Step(tool, tuple(bindings), goal))
        return len(steps) - 1


def _container(path: str) -> str:
    """The list a field's rows come from (two inputs taken from one row of one call are usually the same thing)."""
    return path[:path.rfind("[]") + 2] if "[]" in path else ""


def topology_holds(graph: ToolGraph, chain: Sequence[Step]) -> bool:
    """Every required derived input is bound, to an earlier step that the graph says produces it, and every
    tool with a precondition runs after one of its preconditions."""
    for index, step in enumerate(chain):
        firsts = graph.requires.get(step.tool, ())
        if firsts and not any(earlier.tool in firsts for earlier in chain[:index]):
            return False
        bound = {param: (producer, path) for param, producer, path in step.bindings}
        for param in graph.tools[step.tool].params.values():
            if param.kind == "derived" and param.required and param.name not in bound:
                return False
        for param, (producer, path) in bound.items():
            if not 0 <= producer < index or (chain[producer].tool, path) not in graph.producers(step.tool, param):
                return False
    return True
