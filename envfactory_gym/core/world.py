"""A world: one environment's SQLite schema, seeded data and tools, bound to one episode's in-memory database.

An environment module subclasses :class:`World`: it declares ``schema`` (SQL DDL), ``populate`` (seeded data),
optionally ``volatile`` columns, and tools with :func:`~envfactory_gym.core.tools.tool`. Everything else (snapshots,
atomic calls, the clock, generated ids, digests and diffs) lives here and in :mod:`envfactory_gym.core.state`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import random
import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

from envfactory_gym.core import state
from envfactory_gym.core.domains import domain_of
from envfactory_gym.core.tasks import marked
from envfactory_gym.core.tools import ToolError, ToolSpec, build_spec

BOOKKEEPING_SCHEMA = """
CREATE TABLE _meta (key TEXT PRIMARY KEY, value);
CREATE TABLE _generated (value PRIMARY KEY, tbl TEXT NOT NULL);
CREATE TABLE _dirty (tbl TEXT PRIMARY KEY);
"""
# (No "OR IGNORE": an UPSERT's conflict clause would override it inside the trigger.)
#: Initial states kept per process, over all environments (least recently used dropped first). A snapshot of
#: an environment with realistic data is 100-400 kB; a rebuild costs hundreds of milliseconds.
SNAPSHOT_CACHE_SIZE = 512
DIRTY_TRIGGER = """CREATE TRIGGER "_dirty_{table}_{op}" AFTER {op} ON "{table}"
BEGIN INSERT INTO _dirty SELECT '{table}' WHERE NOT EXISTS (SELECT 1 FROM _dirty WHERE tbl = '{table}'); END;"""


class World:
    """Base class of every environment; an instance is one episode's state."""

    name: ClassVar[str]
    domain: ClassVar[str]
    schema: ClassVar[str]
    #: Columns whose values depend on the path taken (timestamps of the episode clock), per table.
    volatile: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Tables that are not the user's outcome (sessions, auth tokens, cursors, view state): never graded.
    ungraded: ClassVar[tuple[str, ...]] = ()
    #: Result fields holding money in minor units (cents), so "75.00" in an answer matches 7500.
    minor_units: ClassVar[frozenset[str]] = frozenset()
    #: Wall time of the episode clock at reset; it advances one minute per successful write call.
    start_time: ClassVar[dt.datetime] = dt.datetime(2026, 3, 2, 9, 0)
    tools: ClassVar[dict[str, ToolSpec]]
    tables: ClassVar[tuple[state.Table, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = cls.__dict__.get("name", cls.__name__)
        cls.domain = cls.__dict__.get("domain") or domain_of(cls.__module__)
        specs = [build_spec(fn, **marker) for fn, marker in marked(cls, "__envfactory_tool__").values()]
        cls.tools = {spec.name: spec for spec in specs}

    # ----------------------------------------------------------------- data
    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        """Fill a fresh database (a ``sqlite_utils.Database``) with seeded synthetic rows."""
        raise NotImplementedError

    @classmethod
    def snapshot(cls, seed: int) -> bytes:
        """The serialized initial state for ``seed`` (built once, then cached; see :data:`SNAPSHOT_CACHE_SIZE`)."""
        return cls._initial(seed)[0]

    @classmethod
    @functools.lru_cache(maxsize=SNAPSHOT_CACHE_SIZE)
    def _initial(cls, seed: int) -> tuple[bytes, dict[str, bytes]]:
        """The serialized initial state for ``seed`` and its per-table digests (Faker is imported only here)."""
        import faker
        import sqlite_utils

        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.executescript(BOOKKEEPING_SCHEMA + cls.schema)
        conn.execute("INSERT INTO _meta VALUES ('seed', ?), ('clock', 0), ('ids', 0)", (seed,))
        fake = faker.Faker("en_US")
        fake.seed_instance(seed)
        cls.populate(sqlite_utils.Database(conn), random.Random(seed), fake)
        tables = state.describe_tables(conn)
        for table in tables:
            if not table.bookkeeping:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    conn.execute(DIRTY_TRIGGER.format(table=table.name, op=op))
        conn.execute("VACUUM")
        cls.tables = tables
        return conn.serialize(), {t.name: state.table_digest(conn, t) for t in tables}

    @classmethod
    def days_before_start(cls, rng: random.Random, least: int, most: int) -> dt.date:
        """A seeded date ``least``-``most`` days before the episode clock starts (for ``populate``: Faker's
        relative dates such as ``date_between("-1y")`` read the wall clock and would change the data every day)."""
        return (cls.start_time - dt.timedelta(days=rng.randint(least, most))).date()

    def __init__(self, seed: int = 0) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self.reset(seed)

    def reset(self, seed: int) -> None:
        """Restore the initial state of ``seed`` (deserializes the cached snapshot)."""
        self.seed = seed
        self.conn.deserialize(type(self).snapshot(seed))
        self.conn.execute("PRAGMA query_only = 1")

    def load(self, data: bytes) -> None:
        """Replace the state with serialized bytes (from :meth:`serialize`)."""
        self.conn.deserialize(data)
        self.conn.execute("PRAGMA query_only = 1")
        self.seed = self.value("SELECT value FROM _meta WHERE key = 'seed'")

    def serialize(self) -> bytes:
        return self.conn.serialize()

    # ----------------------------------------------------------------- calls
    def call(self, name: str, arguments: Any) -> Any:
        """Validate and run one tool call atomically; raises :class:`ToolError` on any failure."""
        spec = self.tools.get(name)
        if spec is None:
            raise ToolError(f"unknown tool '{name}'; available tools: {', '.join(self.tools)}")
        kwargs = spec.validate(arguments)
        if not spec.writes:
            return spec.function(self, **kwargs)
        conn = self.conn
        conn.execute("PRAGMA query_only = 0")
        conn.execute("SAVEPOINT tool_call")
        try:
            result = spec.function(self, **kwargs)
            conn.execute("UPDATE _meta SET value = value + 1 WHERE key = 'clock'")
        except BaseException:
            conn.execute("ROLLBACK TO tool_call")
            raise
        finally:
            conn.execute("RELEASE tool_call")
            conn.execute("PRAGMA query_only = 1")
        return result

    # ------------------------------------------------- helpers for tool bodies
    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """All rows of a query as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values)) for values in cursor]

    def row(self, sql: str, *params: Any) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        cursor = self.conn.execute(sql, params)
        values = cursor.fetchone()
        return None if values is None else dict(zip([c[0] for c in cursor.description], values))

    def require(self, sql: str, *params: Any, error: str) -> dict[str, Any]:
        """The first row of a query, or a :class:`ToolError` with ``error`` when there is none."""
        found = self.row(sql, *params)
        if found is None:
            raise ToolError(error)
        return found

    def value(self, sql: str, *params: Any) -> Any:
        """The first column of the first row, or None."""
        found = self.conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    def execute(self, sql: str, *params: Any) -> int:
        """Run a write statement (only inside a ``writes=True`` tool); returns the number of changed rows."""
        return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def upsert(self, table: str, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Insert a row, or update ``values`` of the row with this ``key`` (column names come from trusted code)."""
        row = {**key, **values}
        quoted = lambda columns: ", ".join(f'"{c}"' for c in columns)  # noqa: E731
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
        self.conn.execute(
            f'INSERT INTO "{table}" ({quoted(row)}) VALUES ({", ".join("?" * len(row))})'
            f" ON CONFLICT ({quoted(key)}) DO UPDATE SET {updates}", tuple(row.values()))

    def new_id(self, table: str, prefix: str) -> str:
        """A fresh, deterministic id for a row about to be inserted into ``table``."""
        counter = self.conn.execute("UPDATE _meta SET value = value + 1 WHERE key = 'ids' RETURNING value").fetchall()[0][0]
        digest = hashlib.blake2b(f"{self.seed}:{prefix}:{counter}".encode(), digest_size=5).hexdigest()
        generated = f"{prefix}{digest}"
        self.conn.execute("INSERT INTO _generated VALUES (?, ?)", (generated, table))
        return generated

    def mark_generated(self, table: str, value: Any) -> None:
        """Record a key the database generated itself (an INTEGER PRIMARY KEY) as path-dependent."""
        self.conn.execute("INSERT INTO _generated VALUES (?, ?)", (value, table))

    def now(self) -> dt.datetime:
        """The episode clock."""
        return self.start_time + dt.timedelta(minutes=self.value("SELECT value FROM _meta WHERE key = 'clock'"))

    # ----------------------------------------------------------------- state
    def dirty(self) -> set[str]:
        """Tables written since the initial state (tracked by triggers, so clean tables are never rescanned)."""
        return {row[0] for row in self.conn.execute("SELECT tbl FROM _dirty")}

    def digest(self) -> str:
        """Canonical digest of the whole state (tables in name order, rows in key order)."""
        initial = self._initial(self.seed)[1]
        dirty = self.dirty()
        clean = {k: v for k, v in initial.items() if k not in dirty and not k.startswith("_")}
        return state.digest(self.conn, self.tables, clean)

    def diff(self, base: bytes | None = None) -> dict[str, state.TableDiff]:
        """Structured diff against serialized ``base`` bytes (default: this seed's initial state)."""
        if base is None:
            dirty = self.dirty()
            return state.diff(self.conn, tuple(t for t in self.tables if t.name in dirty), self.snapshot(self.seed))
        return state.diff(self.conn, self.tables, base)

    def changes(self, prefix: str = "") -> Counter[state.Change]:
        """Canonical change records since this seed's initial state (what rewards compare; ``ungraded`` tables
        are left out)."""
        graded = {name: change for name, change in self.diff().items() if name not in self.ungraded}
        return state.Canonicalizer(self.conn, self.tables, self.volatile).changes(graded, prefix)


def fake_id(rng: random.Random, prefix: str) -> str:
    """An id in the same shape as :meth:`World.new_id`, for seeded rows."""
    return f"{prefix}{rng.getrandbits(40):010x}"


def like_pattern(text: str) -> str:
    r"""A LIKE pattern matching ``text`` literally anywhere; use it with ``LIKE ? ESCAPE ''``."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
