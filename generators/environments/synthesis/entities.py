"""Entity and table inference, the first part of analysis: identifiers name entities, each entity has a table,
and the parameters and fields the tools name are its columns."""

from __future__ import annotations

import random
import re

from generators.environments.spec import ApiSpec, Param, Shape, normalize_name
from generators.environments.synthesis.model import (
    BOOLEAN,
    DAYS,
    GRID,
    INTEGER,
    NUMBER,
    SERIES,
    STRING,
    Column,
    Model,
    Table,
    ToolPlan,
    is_object_array,
    is_scalar,
)
from generators.environments.synthesis.names import (
    entity_column_of,
    id_stem,
    is_time_name,
    norm,
    pair_bound,
    plural,
    words,
)
from generators.environments.synthesis.vocabulary import (
    CURSOR_PARAMS,
    DATE_MAX,
    DATE_MIN,
    DIRECTION_PARAMS,
    DISTANCE_PARAMS,
    LIMIT_PARAMS,
    MEASURES,
    OFFSET_PARAMS,
    PAGE_PARAMS,
    PARTY_PARAMS,
    PRESENTATION,
    QUERY_PARAMS,
    RANGES,
    SORT_PARAMS,
    SQL_RESERVED,
    TOKEN_PARAMS,
)
from generators.values import singular


class EntityInference:
    """The tables a description implies: one type per name, a table per entity made on first use, the columns and
    roles of parameters, and the finishing touches once every tool is planned (labels, listers, sizes).

    The base of :class:`~generators.environments.synthesis.analysis.Analyzer`, which sets these attributes.
    """

    spec: ApiSpec
    rng: random.Random
    tables: dict[str, Table]
    by_entity: dict[str, str]
    notes: list[str]
    open: dict[str, set[str]]
    types: dict[str, str]
    model: Model

    # ------------------------------------------------------------------ types
    def _types(self) -> dict[str, str]:
        """Parameters and results sometimes disagree on an identifier's type (``meeting_id`` a string in, an
        integer out): one type per normalized name, that of the parameters."""
        seen: dict[str, list[str]] = {}
        for op in self.spec.operations:
            for param in op.params:
                if is_scalar(param.shape):
                    seen.setdefault(norm(param.name), []).insert(0, param.shape.type)
                elif param.shape.type == "array" and param.shape.items is not None and is_scalar(param.shape.items):
                    seen.setdefault(norm(singular(param.name)), []).append(param.shape.items.type)
        return {name: kinds[0] for name, kinds in seen.items()}

    def canonical(self, name: str, shape: Shape) -> Shape:
        """``shape`` with the service-wide type of ``name`` where that is a scalar of another type."""
        wanted = self.types.get(norm(name))
        if wanted and is_scalar(shape) and shape.type != wanted and {shape.type, wanted} != {"integer", "number"}:
            if shape.type != "boolean" and wanted != "boolean":
                self.notes.append(f"{name} is a {wanted} everywhere (the description also gives it as {shape.type})")
                return Shape(type=wanted, description=shape.description)
        return shape

    # ----------------------------------------------------------------- tables
    def table(self, entity: str, key: str | None = None, key_shape: Shape | None = None) -> Table:
        """The table of ``entity``, made on first use (keyed by ``key``, or ``<entity>_id``)."""
        entity = normalize_name(entity)
        compact = entity.replace("_", "")
        for known, name in self.by_entity.items():  # task_list and tasklist are one entity
            if known == entity or known.replace("_", "") == compact:
                return self.tables[name]
        name = plural(entity)
        if name in self.tables or name in ("sessions",):
            name = f"{entity}_rows"
        key = key or f"{entity}_id"
        if norm(key) in SQL_RESERVED or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            key = f"{entity}_key"
        shape = key_shape or Shape(type=self.types.get(norm(key), "string"))
        table = Table(name, entity, key)
        table.columns[key] = Column(key, shape, key=True, unique=True)
        table.rows = self.rng.randint(30, 60)
        self.tables[name] = table
        self.by_entity[entity] = name
        return table

    def entity_of_id(self, name: str) -> Table | None:
        stem = id_stem(name)
        return self.table(stem, key=name) if stem else None

    # ---------------------------------------------------------------- roles
    def is_key_param(self, param: Param) -> bool:
        """A parameter naming one row (or, as an array, several rows) by an identifier."""
        shape = param.shape.items if param.shape.type == "array" and param.shape.items else param.shape
        return is_scalar(shape) and shape.type != "boolean" and id_stem(singular(param.name) if
                                                                       param.shape.type == "array" else
                                                                       param.name) is not None

    def entity_column(self, table: Table, name: str) -> str | None:
        return entity_column_of(table, name)

    def output_column(self, table: Table, name: str) -> str | None:
        """The column a result field shows (a hidden column a result names is shown from then on)."""
        column = entity_column_of(table, name)
        if column is not None:
            table.columns[column].hidden = False
        return column

    def label_of(self, table: Table) -> str:
        """The table's label column, ``name`` added when it has none."""
        label = table.label
        if label is None:
            kind = table.entity.split("_")[-1]
            label = "subject" if kind in ("message", "email", "mail", "thread", "conversation", "chat") else \
                "title" if kind in ("task", "event", "issue", "page", "document", "note", "post", "article", "story",
                                    "book", "movie", "job", "ticket", "video", "song", "paper", "listing", "project",
                                    "course", "comment", "review", "recording", "meeting") else "name"
            table.add(label, STRING, unique=True)
        return label

    def noun_table(self, noun: str, fallback: str) -> Table:
        """The table an operation's noun names: an existing entity named by one of its words (longest match
        first), else a new one."""
        parts = [p for p in noun.split("_") if p]
        compact = {entity.replace("_", ""): entity for entity in self.by_entity}
        for size in range(len(parts), 0, -1):
            for start in range(len(parts) - size, -1, -1):
                candidate = "".join(parts[start:start + size])  # "task_list" is the tasklist of tasklist_id
                if candidate in compact:
                    return self.tables[self.by_entity[compact[candidate]]]
        return self.table(noun or fallback)

    def known_noun(self, noun: str) -> bool:
        """Whether a word of ``noun`` names a table already."""
        parts = noun.split("_")
        compact = {entity.replace("_", "") for entity in self.by_entity}
        return any("".join(parts[i:j]) in compact for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))

    def singleton_table(self) -> Table:
        """The single-row table of the service's own state."""
        if self.model.singleton is None:
            base = re.sub(r"(Server|Service|Api|API|Mcp|MCP|Processor|Platform|System|Manager|Management|Bot|"
                          r"Control|Controller|Client)$", "", self.spec.name) or self.spec.name
            entity = normalize_name(base) or "service"
            if entity in self.by_entity:
                entity = f"{entity}_state"
            table = self.table(entity)
            table.singleton, table.rows = True, 1
            self.model.singleton = table.name
        return self.tables[self.model.singleton]

    def accounts_table(self) -> Table:
        """The accounts a login checks (the table of users when the service has one)."""
        if self.model.accounts is None:
            existing = next((t for t in self.tables.values() if t.entity in ("user", "account", "customer",
                                                                               "member", "client")), None)
            table = existing or self.table("account")
            self.model.accounts = table.name
            sessions = Table("sessions", "session", "token", ungraded=True, empty=True)
            sessions.columns["token"] = Column("token", STRING, key=True, unique=True)
            sessions.columns["account"] = Column("account", table.columns[table.key].shape, ref=table.name)
            sessions.columns["created_at"] = Column("created_at", STRING, stamp=True)
            self.tables["sessions"] = sessions
            self.model.sessions = "sessions"
        return self.tables[self.model.accounts]

    @staticmethod
    def flag_column(table: Table, name: str) -> str:
        """A true/false column called ``name`` (``is_<name>`` when ``name`` holds something else)."""
        found = table.column(name)
        if found is not None and found.type != "boolean":
            name = f"is_{normalize_name(name)}"
        return table.add(name, BOOLEAN).name

    def bounded(self, table: Table, name: str, bound: str, column: str) -> str:
        """``column``, which the range parameter ``name`` bounds; the table keeps a hidden column of that name whose
        seeded values the row falls within, so a task's window can be taken from one row."""
        if norm(name) != norm(column) and table.column(name) is None:
            table.columns[name] = Column(name, table.columns[column].shape.model_copy(), hidden=True,
                                         derive=(column, bound))
        return column

    def filter_role(self, param: Param, table: Table, kind: str,
                    siblings: frozenset[str] = frozenset()) -> tuple[str, str | None]:
        """(role, column) of a non-key parameter of a read over ``table`` (``siblings``: the tool's other
        parameters, for start/end pairs)."""
        name, key = param.name, norm(param.name)
        shape = param.shape
        if key in TOKEN_PARAMS and self.model.accounts:
            return "token", None
        if key.startswith("x_"):
            return "option", None  # X-Request-Id and other headers
        if key in QUERY_PARAMS and shape.type == "string":
            label = self.label_of(table)
            if table.column(name) is None:  # a term each row is found by, for the task generator to search with
                table.columns[name] = Column(name, STRING, hidden=True, derive=(label, "term"))
            return "query", None
        if key in PRESENTATION:
            return "option", None
        if key in SORT_PARAMS and shape.type == "string":
            return "sort", None
        if key in DIRECTION_PARAMS and shape.type in ("string", "boolean"):
            return "direction", None
        if kind == "list":
            if key in CURSOR_PARAMS or (key in OFFSET_PARAMS and shape.type == "string"):
                return "cursor", None
            if key in OFFSET_PARAMS and shape.type == "integer":
                return "offset", None
            if key in PAGE_PARAMS and shape.type in ("integer", "string"):
                return "page", None
            if key in LIMIT_PARAMS or key.startswith(("max_", "num_")) and key[4:] in (table.name, table.entity) \
                    or key in (f"max_{norm(table.name)}", f"max_{table.entity}s"):
                if shape.type in ("integer", "string", "number"):
                    return "limit", None
        if shape.type == "boolean" and table.column(name) is not None and table.column(name).type != "boolean":
            return "option", None  # "title": true searches titles only; the rows are those the query finds
        if shape.type == "boolean":
            match = re.match(r"^(?:include|show|with)_(.+)$", key)
            if match:
                return "include", self.flag_column(table, match.group(1))
            match = re.match(r"^(.+)_only$|^only_(.+)$", key)
            if match:
                return "only", self.flag_column(table, match.group(1) or match.group(2))
            return "filter", self.flag_column(table, name)
        date_kind = "max" if key in DATE_MAX else "min" if key in DATE_MIN else pair_bound(key, siblings)
        if date_kind and shape.type in ("string", "integer", "number") and (
                key in DATE_MAX | DATE_MIN or is_time_name(name) or re.search(r"date|time|day", key)):
            return date_kind, self.bounded(table, name, date_kind, self.date_column(table, key, shape))
        if shape.type == "integer" and key in PARTY_PARAMS:
            # how many people: rows that can take at least that many
            return "min", table.add(f"max_{name}", INTEGER).name
        if key in DISTANCE_PARAMS and shape.type in ("integer", "number"):
            return "max", self.bounded(table, name, "max", table.add("distance", NUMBER).name)
        for pattern, bound in RANGES:
            match = pattern.match(key)
            if match and shape.type in ("integer", "number", "string"):
                stem = match.group(1)
                existing = self.entity_column(table, stem) or self.entity_column(table, singular(stem))
                timed = bool(re.search(r"date|time|created|updated|due", stem))
                if shape.type == "string" and not timed:
                    continue
                column = existing or table.add(stem, self.canonical(stem, Shape(type=shape.type))).name
                return bound, self.bounded(table, name, bound, column)
        if shape.type == "array":
            item = shape.items or STRING
            if not is_scalar(item):
                return "option", None
            base = singular(name)
            column = self.entity_column(table, base) or self.entity_column(table, name)
            if column is None:
                column = table.add(base, self.canonical(base, item)).name
            return "any", column
        if shape.type == "object":
            return "option", None
        column = self.entity_column(table, name)
        if column is None:
            owner = self.entity_of_id(name) if id_stem(name) and is_scalar(shape) else None
            column = table.add(name, self.canonical(name, shape), ref=owner.name if owner is not None and
                               owner is not table else None).name
        return "filter", column

    def date_column(self, table: Table, key: str, shape: Shape) -> str:
        """The column a date bound filters: named alike (``created_at_min`` -> created_at), else the table's
        first date or time column, else a new ``date``."""
        stem = re.sub(r"^(?:min|max|from|to|start|end|since|until|after|before|begin|filter_date)_|"
                      r"_(?:min|max|from|to|after|before)$", "", key)
        for candidate in (stem, f"{stem}_at", f"{stem}_date", f"{stem}_time"):
            found = table.column(candidate)
            if found is not None and found.type in ("string", "integer", "number") and not found.key:
                return found.name
        for column in table.columns.values():
            if is_time_name(column.name) and column.type == ("string" if shape.type == "string" else column.type):
                return column.name
        name = "date" if "date" in key or shape.type != "string" else "timestamp"
        if shape.type == "string" and "time" not in key:
            name = "date"
        return table.add(name, Shape(type=shape.type)).name

    # ----------------------------------------------------------------- finish
    def open_rows(self, table: Table, plan: ToolPlan, field_name: str, shape: Shape) -> None:
        """Note a table whose rows a result shows without naming their fields (their columns are then ours to
        choose: the words of the tool and the field suggest some, see :meth:`enrich`)."""
        items = shape.items if shape.type == "array" else shape
        if items is None or not items.fields:
            self.open.setdefault(table.name, set()).update([*plan.words, *words(field_name)])

    def enrich(self, table: Table, said: set[str]) -> None:
        """Columns for rows whose fields no description names: measures the tool's words mention (``compare_price``
        rows get a price, ``get_stock_ohlcv`` rows open, high, low, close and volume), a date for histories and
        trends, and a description when the row would hold nothing else."""
        for word in sorted(said):
            for name, kind in MEASURES.get(singular(word), MEASURES.get(word, ())):
                table.add(name, Shape(type=kind))
        if said & {"history", "histories", "trend", "trends", "timeline", "series", "schedule", "schedules",
                   "forecast", "events", "log", "logs", "activity", "chart", "prices", "news", "data"} and not any(
                is_time_name(c.name) for c in table.columns.values()):
            table.add("date", STRING)
        data = [c for c in table.columns.values() if not (c.key or c.ref or c.hidden) and c.name != table.label]
        if len(data) < 2:
            table.add("description", STRING)

    def prune(self) -> None:
        """Drop tables no tool works on, reads or names by a column (an identifier only a delete took)."""
        used = {t.name for p in self.model.plans for t in (p.table, p.anchor, p.rows_table) if t is not None}
        used |= {o.table for p in self.model.plans for o in p.outs if o.table}
        used |= {a.table for p in self.model.plans for a in p.args if a.table}
        while True:
            needed = used | {c.ref for name in used for c in self.tables[name].columns.values() if c.ref} | {
                self.tables[name].parent for name in used if self.tables[name].parent}
            if needed <= used:
                break
            used |= {n for n in needed if n in self.tables}
        for name in [n for n in self.tables if n not in used]:
            del self.tables[name]
            self.by_entity = {e: t for e, t in self.by_entity.items() if t != name}

    def constrain(self) -> None:
        """What a parameter declares about its values (a pattern, an enum, bounds, a length) holds for the column
        it reads or writes, so that seeded rows are values the tools accept."""
        for plan in self.model.plans:
            for arg in plan.args:
                shape = arg.param.shape
                if shape.type == "array" and shape.items is not None and is_scalar(shape.items):
                    shape = shape.items
                if not is_scalar(shape) or not arg.column:
                    continue
                home = plan.rows_table if plan.kind in ("list", "search") and plan.rows_table is not None else \
                    plan.table
                if arg.role in ("key", "parent", "ref", "match") and arg.table in self.tables:
                    owner = self.tables[arg.table]
                    target = owner.key if arg.role != "match" else arg.column
                    if owner.column(target) is not None and owner.column(target).type == shape.type:
                        owner.add(target, shape)
                if home is not None and arg.role not in ("min", "max", "option", "token") and \
                        home.column(arg.column) is not None and home.column(arg.column).type == shape.type:
                    home.add(arg.column, shape)
                hidden = home.column(arg.name) if home is not None else None
                if hidden is not None and hidden.hidden and hidden.type == shape.type:
                    home.add(arg.name, shape)
                if arg.role not in ("min", "max") and (shape.pattern or shape.enum or shape.minimum is not None or
                                                       shape.maximum is not None or shape.max_length):
                    # a train number is a train number in every table: each column so named meets the constraint
                    for table in self.tables.values():
                        for column in list(table.columns.values()):
                            if norm(column.name) == norm(arg.column) and column.type == shape.type:
                                table.add(column.name, shape)

    def finish(self) -> None:
        """Labels, listers, user-known keys, text columns and table sizes once every tool is planned."""
        self.prune()
        self.constrain()
        for table in self.tables.values():
            if table.columns[table.key].shape.enum:
                table.rows = len(dict.fromkeys(table.columns[table.key].shape.enum))
        for table in self.tables.values():
            if not table.singleton and not table.ungraded:
                self.label_of(table)
        for name, said in self.open.items():
            self.enrich(self.tables[name], said)
        shown: dict[str, list[str]] = {}
        for plan in self.model.plans:
            for name in self.shown_tables(plan):
                shown.setdefault(name, []).append(plan.op.name)
        for table in self.tables.values():
            table.listers = list(dict.fromkeys(shown.get(table.name, [])))
            # keys that only tools needing them already show, or only bare lists of keys, are what the user states
            # (their card number, the number on a museum label)
            table.known_key = not any(not self.needs_key(p, table) and not self.takes_objects(p) and
                                      table.name in self.shown_tables(p, named=True) for p in self.model.plans)
            if table.parent:
                table.rows = min(200, max(20, self.tables[table.parent].rows * self.rng.randint(2, 3)))
            if table.series:
                table.rows = SERIES * DAYS
            if table.grid and table.parent:
                table.rows = min(200, self.tables[table.parent].rows * GRID)
        for plan in self.model.plans:
            if plan.kind in ("list", "search") and plan.rows_table is not None and plan.rows_table.text:
                continue
            if plan.kind in ("list", "search") and any(a.role == "query" for a in plan.args):
                table = plan.rows_table
                table.text = [self.label_of(table)]

    @staticmethod
    def takes_objects(plan: ToolPlan) -> bool:
        """Whether a tool requires a JSON object (or a list of them): a request states no such thing, so the keys
        such a tool alone gives out (a taxi estimate's trace id) are ones users hold themselves."""
        return any(a.param.required and (a.param.shape.type == "object" or is_object_array(a.param.shape))
                   for a in plan.args)

    @staticmethod
    def needs_key(plan: ToolPlan, table: Table) -> bool:
        """Whether a tool requires the key of a row of ``table`` as an argument."""
        return any(a.param.required and a.table == table.name and a.role in ("key", "parent", "ref")
                   for a in plan.args)

    def shown_tables(self, plan: ToolPlan, named: bool = False) -> list[str]:
        """Tables whose keys a tool's result shows (``named``: only beside something a user could name the row by,
        not in a bare list of identifiers)."""
        found = []
        if plan.bare in ("rows", "row") and plan.table is not None:
            found.append(plan.table.name)
        for out in plan.outs:
            if out.source in ("rows", "children") and out.table:
                found.append(out.table)
            elif out.source == "values" and out.table and self.tables[out.table].key == out.column and not named:
                found.append(out.table)
            elif out.source == "ids" and out.table and not named:
                found.append(out.table)
            elif out.source == "column" and out.table and out.column == self.tables[out.table].key:
                found.append(out.table)
            elif out.source in ("column", "first") and out.table and self.tables[out.table].columns[out.column].ref:
                found.append(self.tables[out.table].columns[out.column].ref)
        if plan.kind == "create" and plan.table is not None and any(
                o.source == "column" and o.column == plan.table.key for o in plan.outs):
            found.append(plan.table.name)
        return found
