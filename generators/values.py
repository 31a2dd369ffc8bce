"""Real values of a seeded state, and how task generation picks tool arguments from them.

Arguments come from the rows of the initial state wherever a parameter names a column (several parameters that
name columns of one table are filled from one row, so a search finds something and a login matches its account),
from the schema (enums, defaults), from the shape of the name (dates, times, durations, limits) and, for things a
write tool creates, from fresh values.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.core.worldset import WorldSet

#: Parameter and field names whose values only a tool can know: never stated by a user (unless a phrase says so).
_ID_NAME = re.compile(r"(?:^|_)(?:id|ids|uuid|guid|hash|sha|token|cursor|secret|signature)$|[a-z]Ids?$")
#: Names of fields that label a row the way a person would name it, best first.
LABELS = ("name", "title", "summary", "subject", "full_name", "display_name", "username", "label", "email",
          "filename", "path", "headline", "topic", "city", "code", "symbol", "number")
#: Parameter names that take values of another column when no column has their own name.
ALIASES = {"source": "path", "destination": "path", "src": "path", "dst": "path", "file": "path",
           "directory": "path", "folder": "path", "dir": "path", "filepath": "path", "file_path": "path"}
#: Parameter names of free-text search boxes: filled with a label of the tool's entity.
SEARCH_NAMES = frozenset({"query", "q", "keyword", "keywords", "search", "term", "text", "pattern"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?$")
_PAIRS = (("start", "end"), ("begin", "end"), ("from", "to"), ("min", "max"), ("checkin", "checkout"),
          ("check_in", "check_out"), ("departure", "return"), ("old", "new"))
_ADJECTIVES = ("Quarterly", "Weekly", "Urgent", "Quiet", "Early", "Late", "Blue", "Northern", "Final", "Spring",
               "Autumn", "Open", "Annual", "Joint", "Short", "Extended", "Remote", "Field", "Evening", "Morning")
_NOUNS = ("planning", "review", "workshop", "catch-up", "briefing", "retrospective", "budget", "roadmap", "launch",
          "check-in", "offsite", "kickoff", "report", "summary", "draft", "proposal", "notes", "itinerary")


#: Values shaped like generated identifiers (``evt_40cca5a5a1``, ``cus_93a6ea2981``), whatever their field.
_ID_VALUE = re.compile(r"^[A-Za-z]{1,12}_[0-9a-fA-F]{8,}$|^[0-9a-f]{12,}$")


def is_id_like(name: str) -> bool:
    """Whether a parameter or field name denotes an identifier, hash or token (``event_id``, ``access_token``)."""
    return bool(_ID_NAME.search(name))


def speakable(value: object) -> bool:
    """Whether a request can state the value verbatim (rendering joins lines, so no line breaks)."""
    return not (isinstance(value, str) and "\n" in value)


def looks_like_id(value: object) -> bool:
    """Whether a value is shaped like a generated identifier or a hash."""
    return isinstance(value, str) and bool(_ID_VALUE.match(value))


def singular(word: str) -> str:
    """A cheap English singular (``events`` -> ``event``, ``categories`` -> ``category``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def human(name: str) -> str:
    """A parameter or field name as words (``start_time`` -> ``start time``, ``oldText`` -> ``old text``)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").lower().strip()


def json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null")


@dataclass(frozen=True)
class Column:
    world: str
    table: str
    name: str
    values: tuple[Any, ...]


@dataclass
class Pools:
    """Distinct values of every column of a seeded initial state (of every member world)."""

    columns: dict[str, list[Column]] = field(default_factory=dict)
    tables: dict[tuple[str, str], dict[str, Column]] = field(default_factory=dict)
    rows: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    #: Every value a user could know: the initial state's values outside id-like columns that are not ids, as text.
    known: set[str] = field(default_factory=set)
    #: Every value of an id-like column, and every value shaped like an id, as text.
    ids: set[str] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)

    def column(self, name: str, world: str | None = None, table: str | None = None) -> Column | None:
        """The column called ``name`` that has values, preferring the given table, then the given world, then
        the table it is named after (``user_id`` in ``users``), then the one with the most values."""
        found = [c for c in self.columns.get(name, []) if c.values]
        if not found:
            return None
        return min(found, key=lambda c: ((c.world, c.table) != (world, table), c.world != world,
                                         f"{singular(c.table)}_id" != name, -len(c.values)))


@functools.cache
def pools(worlds_cls: type[WorldSet], seed: int, rows_per_table: int = 300) -> Pools:
    """The value pools of ``worlds_cls`` at ``seed`` (built once per process)."""
    worlds = worlds_cls(seed)
    out = Pools()
    dates: set[str] = set()
    for world_name, world in worlds.worlds.items():
        for table in world.tables:
            if table.bookkeeping:
                continue
            cursor = world.conn.execute(f'SELECT * FROM "{table.name}" ORDER BY rowid LIMIT {rows_per_table}')
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor]
            out.rows[world_name, table.name] = rows
            columns = {}
            for name in names:
                values = tuple(sorted({r[name] for r in rows if r[name] is not None}, key=repr))
                column = Column(world_name, table.name, name, values)
                columns[name] = column
                out.columns.setdefault(name, []).append(column)
                texts = {str(v) for v in values}
                (out.ids if is_id_like(name) else out.known).update(texts)
                dates.update(v[:10] for v in values if isinstance(v, str) and _DATETIME.match(v) or _is_date(v))
            out.tables[world_name, table.name] = columns
    out.ids.update(v for v in out.known if looks_like_id(v))
    out.known -= out.ids
    out.dates = sorted(dates)
    return out


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE.match(value))


def param_type(schema: dict[str, Any]) -> tuple[str, bool]:
    """(JSON type of a value, whether it is an array of them) of a parameter's schema."""
    if "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
    if schema.get("type") == "array":
        items = schema.get("items", {})
        return items.get("type", "string" if "enum" not in items else json_type(items["enum"][0])), True
    if "enum" in schema and "type" not in schema:
        return json_type(schema["enum"][0]), False
    return schema.get("type", "string"), False


def enum_of(schema: dict[str, Any]) -> list[Any] | None:
    if "anyOf" in schema:
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    return schema.get("enum")


class Chooser:
    """Picks values for the user-provided parameters of one call from a state's pools."""

    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.pools = pools
        self.rng = rng

    def arguments(self, world: str, entity: str | None, writes: bool, params: dict[str, dict[str, Any]],
                  names: Iterable[str], fresh: Collection[str] = (),
                  pinned: dict[str, Any] | None = None) -> dict[str, Any]:
        """Values for ``names`` (parameters of one tool, given as name -> JSON schema); ``fresh`` names must get
        new values (the key columns of the rows a write tool creates: a new customer needs a new email);
        ``pinned`` names keep the given values (what the user already said), and other names read from one row
        take it from a row that agrees with them (the password of the card already named)."""
        names = list(names)
        pinned = {n: v for n, v in (pinned or {}).items() if n in names and n not in fresh}
        out = self._from_one_row(world, [n for n in names if not (writes and _is_label(n)) and n not in fresh],
                                 skip=entity if writes else None, pinned=pinned)
        out.update(pinned)
        for name in names:
            if name not in out:
                value = self.value(world, entity, writes, name, params[name], name in fresh)
                if value is not None:
                    out[name] = value
        _order_pairs(out, self.rng)
        return out

    def _from_one_row(self, world: str, names: list[str], skip: str | None,
                      pinned: dict[str, Any] | None = None) -> dict[str, Any]:
        """Parameters naming two or more columns of one table take their values from one row of it (one that
        agrees with the ``pinned`` values, where there is one).

        ``skip``: the table a write tool creates rows in (copying a row of it would only duplicate the row).
        """
        best: tuple[int, tuple[str, str]] | None = None
        for key, columns in self.pools.tables.items():
            if key[0] != world or key[1] == skip:
                continue
            hits = sum(1 for n in names if n in columns and not free_text(n))
            if hits >= 2 and (best is None or hits > best[0]):
                best = (hits, key)
        if best is None or not self.pools.rows[best[1]]:
            return {}
        rows = self.pools.rows[best[1]]
        if pinned:
            agreeing = [r for r in rows if all(r.get(n) == v for n, v in pinned.items() if n in r)]
            rows = agreeing or rows
        row = self.rng.choice(rows)
        return {n: row[n] for n in names if n in row and row[n] is not None and speakable(row[n])}

    def value(self, world: str, entity: str | None, writes: bool, name: str, schema: dict[str, Any],
              new: bool = False) -> Any:
        """One value for a parameter (``new``: not one of the state's), or None when nothing sensible is known."""
        rng = self.rng
        kind, array = param_type(schema)
        enum = enum_of(schema)
        if enum:
            choice = rng.choice(enum)
            return [choice] if array else choice
        base = singular(name) if array else name
        if writes and kind == "string" and _is_label(base):
            value: Any = fresh_text(rng)
        elif new:
            value = self._shaped(base, kind)
        else:
            value = self._real(world, entity, base, kind, writes)
        if value is None:
            value = self._shaped(base, kind)
        if value is None:
            return None
        return [value] if array else value

    def _real(self, world: str, entity: str | None, name: str, kind: str, writes: bool = False) -> Any:
        column = self.pools.column(name, world, entity) or self.pools.column(
            ALIASES.get(name, "path" if name.endswith("_path") else name), world, entity)
        if column is None and name in SEARCH_NAMES and entity is not None:
            columns = self.pools.tables.get((world, entity), {})
            column = next((columns[label] for label in LABELS if label in columns), None)
        if column is None:
            return None
        values = [v for v in column.values if (json_type(v) == kind or (kind == "number" and isinstance(v, int)))
                  and speakable(v)]
        if not values:
            return None
        value = self.rng.choice(values)
        if writes and isinstance(value, str) and "/" in value.strip("/") and self.rng.random() < 0.5:
            folder, _, leaf = value.rpartition("/")  # a new file or folder next to an existing one
            extension = leaf[leaf.rfind("."):] if "." in leaf else ""
            value = f"{folder}/{fresh_text(self.rng).lower().replace(' ', '-')}{extension}"
        return value

    def _shaped(self, name: str, kind: str) -> Any:
        rng = self.rng
        words = set(human(name).split())
        if kind == "string" and words & {"date", "day"} and self.pools.dates:
            return rng.choice(self.pools.dates)
        if kind == "string" and (words & {"time", "start", "end", "at"}) and self.pools.dates:
            day = dt.datetime.fromisoformat(rng.choice(self.pools.dates))
            return (day + dt.timedelta(hours=rng.randrange(8, 18), minutes=rng.choice([0, 30]))).strftime(
                "%Y-%m-%dT%H:%M")
        if kind == "integer":
            if words & {"minutes", "duration"}:
                return rng.choice([30, 45, 60, 90])
            if words & {"limit", "max", "count", "results", "top", "size"}:
                return rng.choice([3, 5, 10])
            return rng.randint(1, 5)
        if kind == "number":
            return round(rng.uniform(10, 500), 2)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "string":
            if "email" in words:
                return f"{rng.choice(_NOUNS)}.{rng.choice(_NOUNS)}@example.com".replace("-", "")
            return fresh_text(rng)
        return None


def free_text(name: str) -> bool:
    """Long free-text fields (descriptions, bodies) never pin a row for :meth:`Chooser._from_one_row`."""
    return name in {"description", "content", "body", "message", "notes", "comment", "text"}


def _is_label(name: str) -> bool:
    """Names of titles a write tool gives to what it creates (a person's name is not one: it comes from rows)."""
    return name in LABELS[:4] or name.endswith("_title")


def fresh_text(rng: random.Random) -> str:
    """A new, readable title for something a write tool creates."""
    return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"


def _order_pairs(values: dict[str, Any], rng: random.Random) -> None:
    """Make the second of a start/end (from/to, min/max, ...) pair come after the first."""
    for first, second in _PAIRS:
        for name in list(values):
            if first not in name:
                continue
            other = name.replace(first, second)
            if other == name or other not in values:
                continue
            a, b = values[name], values[other]
            if isinstance(a, str) and isinstance(b, str) and _DATETIME.match(a) and _DATETIME.match(b):
                start = dt.datetime.fromisoformat(a.replace(" ", "T"))
                end = start + dt.timedelta(minutes=rng.choice([30, 60, 90, 120]))
                values[other] = end.strftime("%Y-%m-%dT%H:%M" if "T" in a else "%Y-%m-%d %H:%M")[:len(a)]
            elif isinstance(a, str) and isinstance(b, str) and _DATE.match(a) and _DATE.match(b):
                values[other] = (dt.date.fromisoformat(a) + dt.timedelta(days=rng.randint(1, 5))).isoformat()
            elif isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and b <= a:
                values[other] = type(b)(a + (b if b > 0 else 1))
