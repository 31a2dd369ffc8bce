"""Grounding a sampled chain: execute it on a seeded state, choosing arguments from real rows.

Derived inputs take a value from a row of an earlier result; that row must be one a user could name (a label such
as a title or a name that is unique in its table), so the request can point at it ("the event 'Retro wind'")
without its id. User-provided inputs come from :class:`generators.values.Chooser`. Read goals get answer facts:
fields of the row or rows they return. The outcome is a :class:`~envfactory_gym.core.tasks.Draft`-ready record whose
derived arguments are :class:`~envfactory_gym.core.tasks.Ref` into earlier results.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.core.state import Change
from envfactory_gym.core.tasks import Call, Ref
from envfactory_gym.core.tools import ToolError
from envfactory_gym.core.worldset import WorldSet
from generators.graph import ToolGraph
from generators.sampling import Step
from generators.scenarios import Rejected
from generators.values import LABELS, Chooser, Pools, human, is_id_like, looks_like_id, singular

ATTEMPTS = 5
MAX_FACTS = 5


class GroundingFailed(Rejected):
    """No working call was found for step ``step`` of the chain."""

    def __init__(self, step: int, tool: str) -> None:
        super().__init__(f"grounding failed: no working call of {tool}")
        self.step = step


@dataclass(frozen=True)
class Selection:
    """The row of an earlier result a derived input was taken from, and how the request names it."""

    step: int
    container: str
    index: int | None
    row: Any
    reference: str
    mentions: tuple[str, ...]


@dataclass
class Fact:
    """Something a read goal must report: a field name and a reference to its value."""

    field: str
    ref: Ref
    value: Any


@dataclass
class GroundedStep:
    """One executed call: literal arguments, references for derived ones, what the user states, the result."""

    tool: str
    goal: bool
    writes: bool
    arguments: dict[str, Any]
    refs: dict[str, Ref]
    user: dict[str, Any]
    references: dict[str, Selection]
    result: Any = None
    facts: list[Fact] = field(default_factory=list)
    each: bool = False
    first: int | None = None

    @property
    def rendered(self) -> bool:
        """Whether the request mentions this call: goals, writes, and look-ups of something the user states
        (otherwise the request could lose the only value that identifies what a later step acts on)."""
        return self.goal or self.writes or bool(self.user)

    def call(self) -> Call:
        return Call(self.tool, {**self.arguments, **self.refs})


@dataclass
class Grounded:
    """An executed chain and the episode state it left."""

    seed: int
    steps: list[GroundedStep]
    worlds: WorldSet
    #: The canonical change set the chain leaves.
    changes: Counter[Change]

    def stated(self) -> set[str]:
        """Text of every user-provided value and every row label the request may state."""
        return _stated(self.steps)


def ground(graph: ToolGraph, chain: Sequence[Step], seed: int, pools: Pools, rng: random.Random) -> Grounded:
    """Execute ``chain`` on a fresh state of ``seed``; raise :class:`Rejected` when a step cannot be grounded."""
    worlds = graph.worlds(seed)
    chooser = Chooser(pools, rng)
    steps: list[GroundedStep] = []
    selections: dict[tuple[int, str], Selection] = {}
    producers = {producer for step in chain for _, producer, _ in step.bindings}
    changes: Counter[Change] = Counter()
    written: dict[str, Any] = {}
    for index, step in enumerate(chain):
        node = graph.tools[step.tool]
        world = worlds.tools[step.tool][0]
        optional = [p.name for p in node.params.values() if p.kind == "user" and not p.required
                    and (not node.phrases or p.name in node.placeholders())]
        keys = graph.keys.get((node.env, node.entity or ""), ()) if node.writes else ()
        known = worlds.tools[step.tool][1].user_known
        for attempt in range(ATTEMPTS):
            fresh: dict[tuple[int, str], Selection] = {}
            grounded = _bind(graph, step, steps, selections, fresh, pools, worlds, rng)
            if grounded is None:
                continue
            wanted = [p.name for p in node.params.values() if p.kind == "user" and p.required]
            wanted += [p for p in optional if rng.random() < 0.3]
            # a value the user already stated for the same parameter (their card number) is said once: one entity
            pinned = _said(worlds, steps, world.name) if attempt < ATTEMPTS - 2 else {}
            grounded.user = chooser.arguments(world.name, node.entity, node.writes,
                                              {p: node.params[p].schema for p in wanted}, wanted, fresh=keys,
                                              pinned={p: v for p, v in pinned.items() if p in known})
            grounded.arguments.update(grounded.user)
            try:
                grounded.result = worlds.call(step.tool, grounded.arguments)
            except ToolError:
                if not fresh and not grounded.user:
                    break  # nothing left to vary: every input is pinned by earlier choices
                continue
            if index in producers and grounded.result in (None, [], {}):
                continue
            if node.writes:
                after = worlds.diff()  # every table: a login changes only ungraded state, yet it did something
                if after == written:
                    continue  # a write that changes nothing (inviting someone already invited) proves nothing
                written, changes = after, worlds.changes()
            obvious = _stated([*steps, grounded]) | {str(p.schema["default"]) for p in node.params.values()
                                                     if p.schema.get("default") is not None}
            if step.goal and not node.writes and not _ask_facts(grounded, index, obvious, graph.public, rng):
                continue
            selections.update(fresh)
            steps.append(grounded)
            break
        if len(steps) <= index:
            raise GroundingFailed(index, step.tool)
    return Grounded(seed, steps, worlds, changes)


def _said(worlds: WorldSet, steps: list[GroundedStep], world: str) -> dict[str, Any]:
    """User-known values the chain's earlier calls of ``world`` state, by parameter name (the first one said)."""
    out: dict[str, Any] = {}
    for step in steps:
        owner, spec = worlds.tools[step.tool]
        if owner.name == world:
            for param, value in step.user.items():
                if param in spec.user_known:
                    out.setdefault(param, value)
    return out


def _stated(steps: list[GroundedStep]) -> set[str]:
    out = set()
    for step in steps:
        for value in step.user.values():
            out.update(str(v) for v in (value if isinstance(value, list) else [value]))
        for selection in step.references.values():
            out.update(selection.mentions)
    return out


def _bind(graph: ToolGraph, step: Step, steps: list[GroundedStep], selections: dict[tuple[int, str], Selection],
          fresh: dict[tuple[int, str], Selection], pools: Pools, worlds: WorldSet,
          rng: random.Random) -> GroundedStep | None:
    """Derived arguments of ``step`` from the rows of earlier results (choosing rows a user could name)."""
    node = graph.tools[step.tool]
    grounded = GroundedStep(step.tool, step.goal, node.writes, {}, {}, {}, {})
    for param, producer, path in step.bindings:
        container = _container(path)
        if container.count("[]") > 1:
            return None
        key = (producer, container)
        selection = selections.get(key) or fresh.get(key)
        if selection is None:
            known = _Known(pools.known, _stated(steps))
            selection = _select(graph, producer, container, path, steps[producer], known, pools, worlds, rng, param)
            if selection is None:
                return None
            fresh[key] = selection
        rest = path[len(container):].lstrip(".")
        value = selection.row if not rest else _get(selection.row, rest)
        if value is None:
            return None
        where = container.replace("[]", str(selection.index)) if container else ""
        wrap = node.params[param].array and not isinstance(value, list)
        grounded.arguments[param] = [value] if wrap else value
        grounded.refs[param] = Ref(producer, ".".join(x for x in (where, rest) if x), then=_listed if wrap else None)
        grounded.references[param] = selection
    return grounded


def _listed(value: Any) -> list[Any]:
    return [value]


def _container(path: str) -> str:
    """The path of the list whose elements are the rows holding ``path`` ("" when the result is the row)."""
    return path[:path.rfind("[]") + 2] if "[]" in path else ""


def _get(value: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _rows(result: Any, container: str) -> list[Any] | None:
    value = result
    for part in container.split("."):
        if part == "[]":
            return value if isinstance(value, list) else None
        value = value.get(part) if isinstance(value, dict) else None
    return None


class _Known:
    """Values a user knows: those of the initial state, and those the request states so far."""

    def __init__(self, initial: set[str], stated: set[str]) -> None:
        self.initial, self.stated = initial, stated

    def __contains__(self, value: object) -> bool:
        return value in self.initial or value in self.stated


def _select(graph: ToolGraph, producer: int, container: str, path: str, source: GroundedStep, known: _Known,
            pools: Pools, worlds: WorldSet, rng: random.Random, param: str) -> Selection | None:
    """A row of ``source``'s result that a user could name, and its reference text.

    A value that is not the row's own key (the calendar id of an event) is referred to through the row
    ("the calendar of the event 'Retro wind'").
    """
    output = graph.tools[source.tool].outputs.get(path)
    table = output.entity if output else None
    world = worlds.tools[source.tool][0]
    noun = human(singular(table)) if table else _noun(param)
    field = path.rsplit(".", 1)[-1]
    if is_id_like(field) and field not in graph.keys.get((world.name, table or ""), (field,)):
        noun = f"{_noun(param)} of the {noun}"
    scope = table if container in ("", "[]") else None
    keys = graph.keys.get((world.name, table or ""), ())
    if not container:
        label = _label(source.result, [source.result], world, scope, pools, known, keys)
        if label is None or source.rendered and label[0] not in LABELS[:8]:
            # what a mentioned call returns is "it"; naming it by a side field ("the session with scope 'read'")
            # would only confuse
            return Selection(producer, "", None, source.result, f"the {noun}", ())
        return Selection(producer, "", None, source.result, _phrase(noun, *label), (str(label[1]),))
    rows = _rows(source.result, container)
    if not rows:
        return None
    order = list(range(len(rows)))
    rng.shuffle(order)
    for index in order:
        row = rows[index]
        if isinstance(row, str) and rows.count(row) == 1 and row in known:
            return Selection(producer, container, index, row, f"the {noun} '{row}'", (row,))
        label = _label(row, rows, world, scope, pools, known, keys)
        if label is not None:
            return Selection(producer, container, index, row, _phrase(noun, *label), (str(label[1]),))
    return None


def _noun(param: str) -> str:
    """What a parameter identifies, in words (``calendar_id`` -> ``calendar``)."""
    words = human(singular(param)).split()
    return " ".join(w for w in words if w not in ("id", "ids")) or "item"


def _label(row: Any, rows: list[Any], world: Any, table: str | None, pools: Pools, known: _Known,
           keys: tuple[str, ...]) -> tuple[str, Any] | None:
    """A field whose value names ``row``: readable, known to a user, unique among ``rows`` and (for rows of a
    top-level result, ``table`` given) unique in its table. Label-like names come first, then the table's
    unique columns (a flight number), then the rest."""
    if not isinstance(row, dict):
        return None
    names = list(dict.fromkeys([*(f for f in LABELS if f in row), *(f for f in keys if f in row), *sorted(row)]))
    for name in names:
        value = row[name]
        if is_id_like(name) or not isinstance(value, str) or not 2 <= len(value) <= 80 or looks_like_id(value):
            continue
        if value not in known:
            continue
        if sum(1 for r in rows if isinstance(r, dict) and r.get(name) == value) != 1:
            continue
        if table is not None and name in pools.tables.get((world.name, table), {}):
            if world.value(f'SELECT COUNT(*) FROM "{table}" WHERE "{name}" = ?', value) != 1:
                continue
        return name, value
    return None


def _phrase(noun: str, name: str, value: Any) -> str:
    if name in LABELS[:8]:
        return f"the {noun} '{value}'"
    return f"the {noun} with {human(name)} '{value}'"


def _ask_facts(step: GroundedStep, index: int, stated: set[str], public: frozenset[str],
               rng: random.Random) -> bool:
    """Pick what a read goal must report; False when its result offers nothing worth asking.

    Worth asking: text or numbers that are not ids, not already stated, and not words of the tool schemas (a
    ``"object": "list"`` envelope field or a default could be answered without calling anything).
    """
    def worth(value: Any) -> bool:
        return _worth(value) and str(value) not in stated and str(value).lower() not in public

    step.facts, step.each, step.first = [], False, None
    result, prefix = step.result, ""
    if isinstance(result, dict) and not any(worth(v) and not is_id_like(f) for f, v in result.items()):
        listed = next((f for f, v in result.items() if isinstance(v, list) and v), None)
        result, prefix = (result[listed], f"{listed}.") if listed else (result, "")
    if isinstance(result, list):
        rows = list(enumerate(result))
        if len(rows) > MAX_FACTS:
            step.first, rows = 3, rows[:3]
        if rows and all(isinstance(r, dict) for _, r in rows):
            keys = [f for f in LABELS if f in rows[0][1]] + [f for f in rows[0][1] if f not in LABELS]
            name = next((f for f in keys if not is_id_like(f) and all(worth(r.get(f)) for _, r in rows)), None)
            if name is None:
                return False
            step.each = True
            step.facts = [Fact(name, Ref(index, f"{prefix}{i}.{name}"), r[name]) for i, r in rows]
        else:
            step.facts = [Fact("", Ref(index, f"{prefix}{i}"), r) for i, r in rows]
    elif isinstance(result, dict):
        candidates = [f for f, v in result.items() if not is_id_like(f) and worth(v)]
        rng.shuffle(candidates)
        step.facts = [Fact(f, Ref(index, f"{prefix}{f}"), result[f]) for f in candidates[:rng.choice([1, 2])]]
    elif worth(result):
        step.facts = [Fact("", Ref(index), result)]
    step.facts = [f for f in step.facts if worth(f.value)]
    return bool(step.facts)


def _worth(value: Any) -> bool:
    """A value an answer can be checked for: text or a number of three or more characters, not a flag or an id."""
    return (isinstance(value, str | int | float) and not isinstance(value, bool) and 3 <= len(str(value)) <= 120
            and not looks_like_id(value))
