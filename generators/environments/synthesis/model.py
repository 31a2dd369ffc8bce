"""What analysis makes of a description and rendering writes out: shapes, the tables of the world and their
columns, and one plan per tool (its kind, table, arguments and result fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generators.environments.spec import ApiSpec, Operation, Param, Shape
from generators.environments.synthesis.names import column_name, is_text_name, norm
from generators.environments.synthesis.vocabulary import LABELS


def shape_of(text: str) -> Shape:
    return Shape(type=text)


STRING, INTEGER, NUMBER, BOOLEAN = (shape_of(t) for t in ("string", "integer", "number", "boolean"))


def is_object_array(shape: Shape) -> bool:
    return shape.type == "array" and shape.items is not None and shape.items.type == "object"


def is_scalar(shape: Shape) -> bool:
    return shape.type in ("string", "integer", "number", "boolean")


def compatible(a: str, b: str) -> bool:
    """Whether values of JSON types ``a`` and ``b`` can share a column."""
    return a == b or {a, b} == {"integer", "number"}


def same_kind(a: Shape, b: Shape) -> bool:
    """Whether values of two shapes can share a column (lists of objects with lists of objects, not of text)."""
    if not compatible(a.type, b.type):
        return False
    if a.type == "array":
        return compatible((a.items or STRING).type, (b.items or STRING).type)
    return True


#: Series of a time-series table, and days of each; positions of a grid table.
SERIES, DAYS, GRID = 6, 20, 4


@dataclass
class Column:
    """A column of a table: its name (as tools return it), JSON shape and role."""

    name: str
    shape: Shape
    key: bool = False
    unique: bool = False
    #: The table whose key this column holds.
    ref: str | None = None
    #: Set from the episode clock by writes (a volatile column).
    stamp: bool = False
    #: Some write may leave it empty.
    nullable: bool = False
    #: Kept for the task generator's choice of consistent arguments, never returned: a range parameter's value
    #: that the row falls within (``derive``: the column it bounds and "min" or "max").
    hidden: bool = False
    derive: tuple[str, str] | None = None
    #: Seeded from 1 to this (a position among a few).
    domain: int | None = None

    @property
    def type(self) -> str:
        return self.shape.type

    @property
    def sql(self) -> str:
        return {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}.get(self.type, "TEXT")

    @property
    def document(self) -> bool:
        """Stored as JSON text (arrays and objects)."""
        return self.type in ("array", "object")


@dataclass
class Table:
    """A table of the world: one entity's rows."""

    name: str
    entity: str
    key: str
    columns: dict[str, Column] = field(default_factory=dict)
    #: The owning table (rows are made per parent row) and the column holding the parent's key.
    parent: str | None = None
    parent_column: str | None = None
    singleton: bool = False
    #: Rows only writes make (sessions, sent messages still get seeded rows unless this is set).
    empty: bool = False
    #: Users state this table's keys themselves (no tool lists them).
    known_key: bool = False
    #: Not the user's outcome (sessions).
    ungraded: bool = False
    rows: int = 40
    #: A time series: (the column naming the series, the date column); seeded as consecutive days per series.
    series: tuple[str, str] | None = None
    #: A column of small numbers (1 to GRID) that every parent row has a row at, for lists filtered by it.
    grid: str | None = None
    text: list[str] = field(default_factory=list)
    #: Tools whose results show this table's keys (for error messages).
    listers: list[str] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (compared in normalized form)."""
        found = self.columns.get(name) or self.columns.get(column_name(name))
        if found is not None:
            return found
        wanted = norm(name)  # SQL names are case-insensitive too: nameServers is nameservers
        return next((c for c in self.columns.values() if norm(c.name) == wanted or
                     c.name.lower() == column_name(name).lower()), None)

    def add(self, name: str, shape: Shape, **flags: Any) -> Column:
        """The column ``name``, added when missing (an existing column keeps its shape)."""
        name = column_name(name)
        found = self.column(name)
        if found is None:
            found = Column(name, shape.model_copy(deep=True), **flags)
            self.columns[name] = found
        else:
            for flag, value in flags.items():
                if value and not getattr(found, flag):
                    setattr(found, flag, value)
            if found.type == shape.type:  # what a parameter demands of the values, the seeded rows must meet
                for limit in ("pattern", "minimum", "maximum", "max_length", "format"):
                    if getattr(shape, limit) is not None and getattr(found.shape, limit) is None:
                        setattr(found.shape, limit, getattr(shape, limit))
                if shape.enum and not found.shape.enum:
                    found.shape.enum = list(shape.enum)
        return found

    @property
    def label(self) -> str | None:
        """The column that names a row for a person."""
        for wanted in (*LABELS, self.entity, f"{self.entity}_name", f"{self.entity}_title"):
            column = self.column(wanted)
            if column is not None and column.type == "string" and not column.key and not column.hidden and not (
                    wanted not in LABELS and is_text_name(column.name)):  # a message's text names no message
                return column.name
        return next((c.name for c in self.columns.values() if c.unique and c.type == "string" and not c.key), None)


@dataclass
class Arg:
    """A parameter of a tool and what the body does with it."""

    param: Param
    py: str
    #: key (locates the row), parent (locates the owner), filter, min, max, query, limit, offset, page, cursor,
    #: sort, direction, value (stored), new (stored into ``column``), option (presentation), token, only, include,
    #: credential
    role: str
    column: str | None = None
    #: The table a key or parent argument locates a row of.
    table: str | None = None

    @property
    def name(self) -> str:
        return self.param.name


@dataclass
class Out:
    """A field of a tool's result and where its value comes from.

    ``source``: column (of the row), param (the argument echoed), rows (the listed rows), values (a column of the
    listed rows), children (rows under the row), ids (keys of rows under the row), count (rows under the row),
    total / shown / cursor / more / page / pages (of a list), flag (true once a write is done), message, token.
    """

    name: str
    shape: Shape
    source: str
    table: str | None = None
    column: str | None = None
    arg: str | None = None


@dataclass
class ToolPlan:
    """How one operation becomes a tool."""

    op: Operation
    method: str
    kind: str
    noun: str
    verb: str | None
    #: The words of the name after any shared prefix and the verb.
    words: list[str] = field(default_factory=list)
    table: Table | None = None
    #: The row an argument locates (the anchor), when the tool's rows are under it or are it.
    anchor: Table | None = None
    args: list[Arg] = field(default_factory=list)
    #: For lists: the table of the rows listed, and the result field holding them ("" for a bare list).
    rows_table: Table | None = None
    rows_field: str | None = None
    #: For transitions: the column and the state it is set to.
    state_column: str | None = None
    state_value: Any = None
    returns: Shape = field(default_factory=lambda: Shape(type="object"))
    #: The result's fields (empty for a bare list or value).
    outs: list[Out] = field(default_factory=list)
    #: The result is a bare list of rows (or of one column's values), or one row, when the description gave none.
    bare: str | None = None

    def arg(self, role: str) -> Arg | None:
        return next((a for a in self.args if a.role == role), None)

    def roles(self, *roles: str) -> list[Arg]:
        return [a for a in self.args if a.role in roles]


@dataclass
class Model:
    spec: ApiSpec
    tables: dict[str, Table]
    plans: list[ToolPlan]
    #: Name of the single-row table of the service's own state, if any.
    singleton: str | None = None
    #: The login tool's account table and the session table, if the service has a login.
    accounts: str | None = None
    sessions: str | None = None
    #: States each (table, column) is set to by transitions (seeded rows mostly start elsewhere).
    states: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
