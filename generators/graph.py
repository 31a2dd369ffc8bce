"""The tool-dependency graph of an environment or a domain.

Nodes are tools. What a tool returns is read from its declared return type (its output schema); for a tool that
declares none it is found by running it on a seeded state (the gold calls of existing tasks, then schema-valid
calls with arguments from real rows). An edge runs
from a tool to another when one of its output fields can feed one of the other's parameters: same name (or
singular/plural, a ``<role>_<name>`` suffix, or ``<entity>_id`` for an ``id`` field) and the same JSON type. An
identifier feeds any such parameter; a plain field feeds one only when it identifies a row of another entity than
the tool's (a primary-key or UNIQUE column: a contact's email, to invite the contact), since any other field (an
event's summary, a user's zip code) or the tool's own look-up key (a user's email, to find the user) is a value
the user states.

A tool that never works on the initial state but works once some write tool has run (reading an inbox after a
login) gets that tool as a precondition: a state edge, planned before it like a producer.

Each parameter is *derived* (an earlier call must produce it) or *user* (the request states it): a parameter with
a producer is derived, and identifiers, hashes and tokens are never user-provided (without a producer they make
the tool unreachable). A parameter declared :class:`~envfactory_gym.core.tools.UserKnown` is always user-provided,
whether or not some tool echoes it (an account id the user has on their card). A parameter named in one of the
tool's phrases (see :func:`envfactory_gym.core.tools.tool`) is user-provided unless it is an identifier with a
producer.
"""

from __future__ import annotations

import functools
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from envfactory_gym.core.tools import PLACEHOLDER, ToolError
from envfactory_gym.core.worldset import WorldSet
from generators.crashes import ToolCrash, crash_of
from generators.values import (
    Chooser,
    is_id_like,
    json_type,
    param_type,
    pools,
    singular,
)

#: Field names too common to mean the same thing across entities (a calendar's name is not a contact's name).
GENERIC = frozenset({
    "name", "title", "summary", "description", "status", "type", "kind", "date", "time", "query", "value", "text",
    "content", "body", "message", "notes", "note", "label", "amount", "price", "quantity", "limit", "count", "start",
    "end", "location", "color", "currency", "comment", "reason", "category", "tags", "tag", "url", "path", "size",
    "rating", "created_at", "updated_at", "first_name", "last_name", "country", "state", "city", "address",
})
UNREACHABLE = float("inf")


@dataclass(frozen=True)
class Output:
    """A field of a tool's result: where it sits, its JSON type and the table of the row holding it."""

    path: str
    name: str | None
    type: str
    container: str
    entity: str | None


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    array: bool
    required: bool
    kind: str
    schema: dict[str, Any] = field(compare=False, repr=False)


@dataclass
class ToolNode:
    """A tool of the graph (``name`` is its public name in the world set)."""

    name: str
    env: str
    writes: bool
    description: str
    phrases: tuple[str, ...]
    entity: str | None
    params: dict[str, Param]
    outputs: dict[str, Output]
    probed: int

    def placeholders(self) -> set[str]:
        return {p for text in self.phrases for p in PLACEHOLDER.findall(text)}


@dataclass
class ToolGraph:
    """Tools, their parameters' provenance, and producer -> consumer edges (a :class:`networkx.DiGraph`)."""

    name: str
    worlds: type[WorldSet]
    tools: dict[str, ToolNode]
    graph: nx.DiGraph
    links: dict[tuple[str, str], list[tuple[str, str]]]
    cost: dict[str, float]
    #: Columns identifying a row of every table (one-column primary key, UNIQUE), by (environment, table).
    keys: dict[tuple[str, str], tuple[str, ...]]
    #: Write tools one of which must run before a tool works at all (a login), by tool.
    requires: dict[str, tuple[str, ...]]
    #: Lower-cased words of the tool schemas (descriptions, enums, defaults): public, never a leak.
    public: frozenset[str] = frozenset()
    #: Tool bodies that crashed while probing.
    crashes: list[ToolCrash] = field(default_factory=list)

    def producers(self, tool: str, param: str) -> list[tuple[str, str]]:
        """(producer tool, output path) pairs that can feed ``tool``'s ``param``."""
        return self.links.get((tool, param), [])

    def planned_producers(self, tool: str, param: str) -> list[tuple[str, str]]:
        """Producers worth adding to a chain for ``param``: not those that need an input of the same name
        themselves (getting an event by its id yields no event id that was not already there)."""
        return [(p, path) for p, path in self.producers(tool, param) if not _needs(self.tools[p], param)]

    def is_key(self, tool: str, path: str) -> bool:
        """Whether an output field is the primary key of the row holding it (an event's id in an event)."""
        output = self.tools[tool].outputs.get(path)
        if output is None or output.entity is None or output.name is None:
            return False
        return output.name in self.keys.get((self.tools[tool].env, output.entity), ())

    def reachable(self) -> list[str]:
        return [t for t in self.tools if self.cost[t] < UNREACHABLE]

    def envs(self) -> list[str]:
        return list(dict.fromkeys(node.env for node in self.tools.values()))

    def to_json(self) -> dict[str, Any]:
        """Nodes (with parameters, provenance and outputs) and edges, JSON-ready."""
        return {
            "name": self.name,
            "tools": [
                {"name": n.name, "env": n.env, "writes": n.writes, "entity": n.entity, "description": n.description,
                 "phrases": list(n.phrases), "reachable": self.cost[n.name] < UNREACHABLE,
                 "min_chain": None if self.cost[n.name] == UNREACHABLE else int(self.cost[n.name]),
                 "params": {p.name: {"type": p.type, "array": p.array, "required": p.required, "kind": p.kind}
                            for p in n.params.values()},
                 "runs_after": list(self.requires.get(n.name, ())),
                 "outputs": [asdict(o) for o in n.outputs.values()]}
                for n in self.tools.values()
            ],
            "edges": [{"from": a, "to": b, "links": data["links"]} for a, b, data in self.graph.edges(data=True)],
        }

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def draw(self, path: str | Path) -> None:
        """A PNG picture: tools as nodes (squares write, circles read; colour per environment), edges labelled."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        graph = self.graph
        envs = self.envs()
        size = max(9.0, 0.9 * len(graph) ** 0.5 * 3)
        fig, ax = plt.subplots(figsize=(size, size))
        order = sorted(graph, key=lambda t: (envs.index(self.tools[t].env), self.tools[t].writes, t))
        layout = nx.circular_layout(order)
        colours = matplotlib.colormaps["tab10"]
        for writes, shape in ((False, "o"), (True, "s")):
            nodes = [t for t in graph if self.tools[t].writes == writes]
            nx.draw_networkx_nodes(graph, layout, nodelist=nodes, node_shape=shape, ax=ax, node_size=900,
                                   node_color=[colours(envs.index(self.tools[t].env) % 10) for t in nodes],
                                   alpha=[0.35 if self.cost[t] == UNREACHABLE else 0.9 for t in nodes])
        nx.draw_networkx_labels(graph, layout, font_size=8, ax=ax,
                                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
        nx.draw_networkx_edges(graph, layout, ax=ax, arrows=True, arrowsize=12, node_size=900, alpha=0.5,
                               edge_color="#555555", connectionstyle="arc3,rad=0.08")
        if graph.number_of_edges() <= 40:
            labels = {(a, b): ", ".join(sorted({link["param"] for link in d["links"]}))
                      for a, b, d in graph.edges(data=True)}
            nx.draw_networkx_edge_labels(graph, layout, edge_labels=labels, font_size=6, ax=ax)
        ax.set_title(f"{self.name}: {len(graph)} tools, {graph.number_of_edges()} edges "
                     f"(square: writes; faded: unreachable; colour: {', '.join(envs)})")
        ax.axis("off")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


# ------------------------------------------------------------------------------------------------ probing
def _walk(value: Any, path: tuple[str, ...], container: tuple[str, ...], keys: tuple[str, ...] | None,
          out: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None, Any]]) -> None:
    if isinstance(value, dict):
        row_keys = tuple(value)
        for key, item in value.items():
            _walk(item, (*path, key), container, row_keys, out)
    elif isinstance(value, list):
        for item in value[:50]:
            _walk(item, (*path, "[]"), (*path, "[]"), keys, out)
    elif value is not None:
        out.append((path, container, keys, value))


def leaves(result: Any) -> list[tuple[str, str, Any]]:
    """(path, container path, value) of every scalar in a result; paths join keys and ``[]`` with dots."""
    found: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None, Any]] = []
    _walk(result, (), (), None, found)
    return [(".".join(p), ".".join(c), v) for p, c, _, v in found]


def _outputs(result: Any, entity_of: Any) -> dict[str, Output]:
    found: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None, Any]] = []
    _walk(result, (), (), None, found)
    out = {}
    for path, container, keys, value in found:
        named = [p for p in path if p != "[]"]
        name = None
        if named:
            name = named[-1] if path[-1] != "[]" else singular(named[-1])
        out[".".join(path)] = Output(".".join(path), name, json_type(value), ".".join(container),
                                     entity_of(keys) if keys else None)
    return out


def _schema_outputs(schema: dict[str, Any], entity_of: Any) -> dict[str, Output]:
    """The fields of a declared output schema, in the form :func:`_outputs` gives for a probed result."""
    definitions = schema.get("$defs", {})
    out: dict[str, Output] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...], container: tuple[str, ...],
             keys: tuple[str, ...] | None, seen: frozenset[str] = frozenset()) -> None:
        if "$ref" in node:
            if node["$ref"] in seen:  # a recursive type (a tree's children): its fields are already listed
                return
            seen = seen | {node["$ref"]}
            node = definitions[node["$ref"].rsplit("/", 1)[1]]
        variants = [v for v in node.get("anyOf", ()) if v.get("type") != "null"]
        if variants:
            for variant in variants:
                walk(variant, path, container, keys, seen)
            return
        kind = node.get("type")
        if kind == "object" and "properties" in node:
            for key, item in node["properties"].items():
                walk(item, (*path, key), container, tuple(node["properties"]), seen)
        elif kind == "array":
            walk(node.get("items", {}), (*path, "[]"), (*path, "[]"), keys, seen)
        elif kind in ("string", "integer", "number", "boolean"):
            named = [p for p in path if p != "[]"]
            name = (named[-1] if path[-1] != "[]" else singular(named[-1])) if named else None
            out.setdefault(".".join(path), Output(".".join(path), name, kind, ".".join(container),
                                                  entity_of(keys) if keys else None))

    walk(schema, (), (), None)
    return out


def probe(worlds_cls: type[WorldSet], seed: int, gold: list[list[dict[str, Any]]], attempts: int = 40,
          crashes: list[ToolCrash] | None = None) -> tuple[dict[str, list[Any]], dict[str, tuple[str, ...]]]:
    """Results of successful calls of every tool (replayed gold calls, then calls with real-row arguments on the
    initial state), and the write tools some tools need to have run first (found for tools that never work on
    the initial state: a login before reading one's inbox; what the write returned fills inputs of the same
    name, such as its access token). A tool body that crashes is recorded in ``crashes`` and treated as failing."""
    worlds = worlds_cls(seed)
    crashes = [] if crashes is None else crashes

    def run(name: str, arguments: Any) -> Any:
        """The result of a call, or :class:`ToolError` for a refusal and for a crash (recorded)."""
        try:
            return worlds.call(name, arguments)
        except ToolError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in the tool body: reported, probing goes on
            crashes.append(crash_of(exc, worlds_cls))
            raise ToolError("crashed") from None

    results: dict[str, list[Any]] = {name: [] for name in worlds.tools}
    for calls in gold:
        worlds.reset(seed)
        for step in calls:
            try:
                results[step["name"]].append(run(step["name"], step["arguments"]))
            except (ToolError, KeyError):
                break
    chooser = Chooser(pools(worlds_cls, seed), random.Random(f"probe:{seed}"))
    working: dict[str, dict[str, Any]] = {}
    for name in worlds.tools:
        for attempt in range(attempts):
            if name in working and sum(1 for r in results[name] if r not in (None, [], {})) >= 3:
                break
            worlds.reset(seed)
            arguments = _probe_arguments(worlds, name, chooser, attempt / attempts)
            try:
                results[name].append(run(name, arguments))
                working.setdefault(name, arguments)
            except ToolError:
                pass
    requires: dict[str, tuple[str, ...]] = {}
    for name in worlds.tools:
        if name in working:
            continue
        found = []
        for first, arguments in working.items():
            if not worlds.tools[first][1].writes:
                continue
            for attempt in range(attempts // 4):
                worlds.reset(seed)
                try:
                    made = {path.rsplit(".", 1)[-1]: value for path, _, value in leaves(run(first, arguments))}
                except ToolError:
                    continue
                params = worlds.tools[name][1].parameters.get("properties", {})
                trial = {**_probe_arguments(worlds, name, chooser, attempt / 10),
                         **{p: made[p] for p in params if p in made}}  # e.g. the token the login returned
                try:
                    results[name].append(run(name, trial))
                except ToolError:
                    continue
                found.append(first)
                break
        if found:
            requires[name] = tuple(found)
    worlds.reset(seed)
    return results, requires


def _probe_arguments(worlds: WorldSet, name: str, chooser: Chooser, optional: float) -> dict[str, Any]:
    world, spec = worlds.tools[name]
    props = spec.parameters.get("properties", {})
    required = set(spec.parameters.get("required", []))
    wanted = [p for p in props if p in required or chooser.rng.random() < 0.3 + optional / 2]
    return chooser.arguments(world.name, tool_entity(spec.name, _table_names(world)), spec.writes, props, wanted)


# -------------------------------------------------------------------------------------------- inference
def _table_names(world: Any) -> list[str]:
    return [t.name for t in type(world).tables if not t.bookkeeping]


def tool_entity(tool: str, tables: list[str]) -> str | None:
    """The table a tool works on, from the last word of its name that names a table (``add_attendees``)."""
    found = None
    for word in tool.lower().split("_"):
        for table in tables:
            if word in (table, singular(table)) or singular(word) == singular(table):
                found = table
    return found


def _entity_of(tables: list[Any]) -> Any:
    def best(keys: tuple[str, ...]) -> str | None:
        scored = []
        for table in tables:
            overlap = len(set(keys) & set(table.columns))
            if overlap >= min(2, len(keys)):
                scored.append((overlap, any(k in keys for k in table.key), table.name))
        return max(scored)[2] if scored else None

    return functools.lru_cache(maxsize=None)(best)


def _feeds(param: Param, consumer: ToolNode, output: Output, keys: tuple[str, ...]) -> bool:
    """Whether an output field can be passed as the parameter (name, type and entity rules of the module doc).

    ``keys`` are the columns that identify a row of the output row's table (primary key, UNIQUE).
    """
    if output.name is None or not _same_type(param.type, output.type):
        return False
    p, f = param.name, output.name
    p_one = singular(p) if param.array else p
    if is_id_like(p):
        if not is_id_like(f):
            return False
        if f == "id":
            return output.entity is not None and p_one in (f"{singular(output.entity)}_id", "id") and (
                p_one != "id" or output.entity == consumer.entity)
        return p_one == f or p_one.endswith("_" + f) or (p_one == "id" and consumer.entity is not None
                                                          and f == f"{singular(consumer.entity)}_id")
    if p_one != f and not p_one.endswith("_" + f) or f in GENERIC or p_one in GENERIC:
        return False
    return f in keys and output.entity != consumer.entity


def _same_type(a: str, b: str) -> bool:
    return a == b or {a, b} == {"integer", "number"}


def build(name: str, worlds_cls: type[WorldSet], seed: int = 0,
          gold: list[list[dict[str, Any]]] | None = None) -> ToolGraph:
    """Probe the tools of ``worlds_cls`` and infer the graph (``gold``: calls of existing tasks, public names)."""
    crashes: list[ToolCrash] = []
    results, requires = probe(worlds_cls, seed, gold or [], crashes=crashes)
    worlds = worlds_cls(seed)
    keys = {(w.name, t.name): _keys(w.conn, t.name, t.key) for w in worlds.worlds.values() for t in type(w).tables}
    tools: dict[str, ToolNode] = {}
    for public, (world, spec) in worlds.tools.items():
        tables = [t for t in type(world).tables if not t.bookkeeping]
        entity_of = _entity_of(tables)
        outputs: dict[str, Output] = {}
        if spec.output_schema is not None:
            outputs = _schema_outputs(spec.output_schema, entity_of)
        for result in [] if spec.output_schema is not None else results[public]:
            for path, output in _outputs(result, entity_of).items():
                outputs.setdefault(path, output)
        entity = tool_entity(spec.name, [t.name for t in tables]) or next(
            (o.entity for o in outputs.values() if o.container in ("", "[]") and o.entity), None)
        props = spec.parameters.get("properties", {})
        required = set(spec.parameters.get("required", []))
        params = {}
        for pname, schema in props.items():
            kind, array = param_type(schema)
            params[pname] = Param(pname, kind, array, pname in required, "user", schema)
        tools[public] = ToolNode(public, world.name, spec.writes, spec.description, spec.phrases, entity, params,
                                 outputs, sum(1 for r in results[public] if r not in (None, [], {})))
    graph = nx.DiGraph()
    graph.add_nodes_from(tools)
    links: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for consumer in tools.values():
        for param in consumer.params.values():
            for producer in tools.values():
                if producer.name == consumer.name:
                    continue
                for output in producer.outputs.values():
                    if _feeds(param, consumer, output, keys.get((producer.env, output.entity or ""), ())):
                        links.setdefault((consumer.name, param.name), []).append((producer.name, output.path))
    for consumer in tools.values():
        named = consumer.placeholders()
        known = worlds.tools[consumer.name][1].user_known
        for pname, param in list(consumer.params.items()):
            produced = bool(links.get((consumer.name, pname)))
            if pname in known:
                kind = "user"
            elif is_id_like(pname):
                kind = "derived" if produced else ("user" if pname in named else "unreachable")
            else:
                kind = "user" if pname in named or not produced else "derived"
            if kind != "derived":
                links.pop((consumer.name, pname), None)
            consumer.params[pname] = Param(pname, param.type, param.array, param.required, kind, param.schema)
    for (consumer, pname), found in links.items():
        for producer, path in found:
            if not graph.has_edge(producer, consumer):
                graph.add_edge(producer, consumer, links=[])
            graph.edges[producer, consumer]["links"].append({"field": path, "param": pname})
    for consumer, firsts in requires.items():
        for first in firsts:
            if not graph.has_edge(first, consumer):
                graph.add_edge(first, consumer, links=[])
            graph.edges[first, consumer]["links"].append({"field": "(state)", "param": "(runs first)"})
    public = frozenset(w.lower() for w in re.findall(r"[\w.@:/+~-]+", json.dumps(worlds.schemas())))
    return ToolGraph(name, worlds_cls, tools, graph, links, _costs(tools, links, requires), keys, requires, public,
                     crashes)


def _needs(node: ToolNode, param: str) -> bool:
    """Whether a tool requires a derived input of the given name."""
    found = node.params.get(param)
    return found is not None and found.required and found.kind == "derived"


def _keys(conn: Any, table: str, primary: tuple[str, ...]) -> tuple[str, ...]:
    """Columns that identify a row of ``table`` alone: a one-column primary key and one-column UNIQUE columns."""
    found = list(primary) if len(primary) == 1 else []
    for index in conn.execute(f'PRAGMA index_list("{table}")').fetchall():
        if index[2]:
            columns = conn.execute(f'PRAGMA index_info("{index[1]}")').fetchall()
            if len(columns) == 1:
                found.append(columns[0][2])
    return tuple(dict.fromkeys(found))


def _costs(tools: dict[str, ToolNode], links: dict[tuple[str, str], list[tuple[str, str]]],
           requires: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """About the fewest calls a chain needs to call each tool (inf: some required input can never be produced).

    Producers are often shared (one order gives its id, its items and its payment method), so this is the
    longest single dependency path, a lower bound; the sampler checks the real length of what it plans.
    """
    cost = {t: UNREACHABLE for t in tools}
    for _ in range(len(tools) + 1):
        changed = False
        for node in tools.values():
            total = 1.0
            for param in node.params.values():
                if not param.required or param.kind == "user":
                    continue
                options = [cost[p] for p, _ in links.get((node.name, param.name), [])
                           if not _needs(tools[p], param.name)]
                total = max(total, 1 + min(options, default=UNREACHABLE))
            if node.name in requires:
                total = max(total, 1 + min(cost[first] for first in requires[node.name]))
            if total < cost[node.name]:
                cost[node.name], changed = total, True
        if not changed:
            break
    return cost


@functools.cache
def tool_graph(name: str, seed: int = 0) -> ToolGraph:
    """The graph of a registered environment or domain (probed once per process)."""
    from envfactory_gym.episode.replay import translate
    from envfactory_gym.registration import load_tasks, world_set

    worlds_cls = world_set(name)
    worlds = worlds_cls(seed)
    gold = []
    for task in load_tasks(name):
        if task.seed == seed:
            gold.append([{"name": translate(worlds, task, g), "arguments": g["arguments"]} for g in task.gold])
    return build(name, worlds_cls, seed, gold)

