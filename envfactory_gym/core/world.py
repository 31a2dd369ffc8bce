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
import re
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NoReturn, TypeVar

from envfactory_gym.core import state
from envfactory_gym.core.domains import domain_of
from envfactory_gym.core.tasks import marked
from envfactory_gym.core.tools import ToolError, ToolSpec, build_spec

BOOKKEEPING_SCHEMA = """
CREATE TABLE _meta (key TEXT PRIMARY KEY, value);
CREATE TABLE _generated (value PRIMARY KEY, tbl TEXT NOT NULL);
"""
#: Initial states kept per process by default, over all environments (least recently used dropped first). A
#: snapshot of an environment with realistic data is 100-400 kB; a rebuild costs 10-600 ms. See :func:`keep_snapshots`.
SNAPSHOT_CACHE_SIZE = 512
#: A serialized initial state and the digest of each of its tables.
InitialState = tuple[bytes, dict[str, bytes]]
_SNAPSHOTS: OrderedDict[tuple[type, int], InitialState] = OrderedDict()
_snapshot_capacity = SNAPSHOT_CACHE_SIZE
_SNAPSHOTS_LOCK = threading.Lock()
#: Idle connections kept per process, over all environments and seeds (least recently used closed first). An
#: idle connection holds a seed's initial state with its schema already parsed, so an episode that starts on that
#: seed again skips deserializing and re-reading the schema.
IDLE_CONNECTIONS = 128
_IDLE: OrderedDict[tuple[type, int], list[sqlite3.Connection]] = OrderedDict()
#: Connections on their way to the idle pool. A world's finalizer may run in the middle of the pool's own change (the
#: garbage collector runs at any allocation, e.g. while a reset iterates the pool): it then only queues its
#: connection here, and the change in progress takes it in (see _pool_freed).
_FREED: list[tuple[tuple[type, int], sqlite3.Connection]] = []
_pool_busy = False
# The trigram index of a table's text columns holds the initial state only (no triggers, so writes pay nothing);
# once an episode writes to the table, its searches scan (see World.text_filter).
TEXT_INDEX = """CREATE VIRTUAL TABLE "{table}_text" USING fts5({columns}, content="{table}", tokenize="trigram");
INSERT INTO "{table}_text"("{table}_text") VALUES ('rebuild');"""
#: Shortest text a trigram index can look up; shorter texts are matched by scanning.
TRIGRAM = 3
# Per table, the change log that diffs read: the first version of every row an episode touched (``_existed`` 0
# for rows it inserted); a table whose log holds a row is dirty. A trigger's insert does nothing for a row already
# logged (its conflict clause; an upsert's clause holds even where the statement that fired the trigger has a
# conflict clause of its own, which would override an "OR IGNORE" here), so writing a row again costs one lookup.
# Checking first instead ("WHEN NOT EXISTS (SELECT ...)") opened a second cursor on the log for every row written.
# An update that keeps the rowid (nearly all) logs the old row; one that changes it has its own
# trigger.
CHANGE_LOG = """CREATE TABLE "{log}" (_rid INTEGER PRIMARY KEY, _existed INTEGER NOT NULL, {columns});
CREATE TRIGGER "_log_{table}_insert" AFTER INSERT ON "{table}" BEGIN
INSERT INTO "{log}" (_rid, _existed) VALUES (new.rowid, 0) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER "_log_{table}_update" AFTER UPDATE ON "{table}" WHEN new.rowid = old.rowid BEGIN
INSERT INTO "{log}" SELECT old.rowid, 1, {old} WHERE true ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER "_log_{table}_rekey" AFTER UPDATE ON "{table}" WHEN new.rowid != old.rowid BEGIN
INSERT INTO "{log}" SELECT old.rowid, 1, {old} WHERE true ON CONFLICT DO NOTHING;
INSERT INTO "{log}" (_rid, _existed) VALUES (new.rowid, 0) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER "_log_{table}_delete" AFTER DELETE ON "{table}" BEGIN
INSERT INTO "{log}" SELECT old.rowid, 1, {old} WHERE true ON CONFLICT DO NOTHING;
END;"""
#: Authorizer actions that change the database (see Authorizer).
WRITE_ACTIONS = frozenset({
    sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE, sqlite3.SQLITE_CREATE_TABLE,
    sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_CREATE_INDEX, sqlite3.SQLITE_DROP_INDEX,
    sqlite3.SQLITE_CREATE_TRIGGER, sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_CREATE_VIEW, sqlite3.SQLITE_DROP_VIEW,
    sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH})
#: A LIKE or GLOB whose pattern is a bare parameter. SQLite prepares such a statement again every time the
#: parameter is bound (to try its LIKE-prefix optimisation on the value), a full prepare per call; with the pattern as
#: an expression, ``LIKE (? || '')``, the prepared statement is kept (see :func:`kept_prepared`).
_PATTERN_PARAMETER = re.compile(r"\b(LIKE|GLOB)\s+(\?\d*|[:@$]\w+)", re.IGNORECASE)


class Authorizer:
    """SQLite's check of every statement as it is prepared, on a world's connection: no writes while a read tool
    runs (SQLite's own schema bookkeeping, such as a full-text index declaring its columns on first use, is not a
    write), and no database file attached, ever. It holds no reference to its world, so the connection holding it
    keeps no world alive: a world nobody holds is freed at once and its connection is on its way back to the idle
    pool, not when the garbage collector next runs (meanwhile every new world of that seed deserialized its snapshot
    again)."""

    __slots__ = ("read_only",)

    def __init__(self) -> None:
        #: True while a read-only tool runs: statements prepared then may not write.
        self.read_only = False

    def __call__(self, action: int, table: str | None, *_: Any) -> int:
        if self.read_only and action in WRITE_ACTIONS and table != "sqlite_master":
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_ATTACH and table not in ("", ":memory:"):  # no tool reaches a file (VACUUM INTO too)
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK


class World:
    """Base class of every environment; an instance is one episode's state."""

    name: ClassVar[str]
    domain: ClassVar[str]
    schema: ClassVar[str]
    #: Columns whose values depend on the path taken (timestamps of the episode clock), per table.
    volatile: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: Tables that are not the user's outcome (sessions, auth tokens, cursors, view state): never graded.
    ungraded: ClassVar[tuple[str, ...]] = ()
    #: Text columns that search tools match by substring, per table: each gets a trigram index of the initial
    #: state; tools filter with :meth:`text_filter` instead of scanning every row with LIKE.
    text_search: ClassVar[dict[str, tuple[str, ...]]] = {}
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
        return cls.initial_state(seed)[0]

    @classmethod
    def initial_state(cls, seed: int) -> InitialState:
        """The serialized initial state for ``seed`` and its per-table digests, from the cache or built."""
        with _SNAPSHOTS_LOCK:  # episodes may reset in several threads (an MCP server's, a thread pool's)
            found = _SNAPSHOTS.get((cls, seed))
            if found is not None:
                _SNAPSHOTS.move_to_end((cls, seed))  # most recently used last
                return found
        found = cls.build_initial(seed)  # outside the lock: other threads go on meanwhile
        cls._cache(seed, found)
        return found

    @classmethod
    def adopt_initial_state(cls, seed: int, initial: InitialState) -> None:
        """Cache the initial state of ``seed`` that :meth:`initial_state` gave in another process running the same
        code (a worker that built the world to generate tasks), so that this process does not build it again."""
        if "tables" not in cls.__dict__:  # set by build_initial, which this process may not have run
            conn = sqlite3.connect(":memory:")
            conn.deserialize(initial[0])
            cls.tables = state.describe_tables(conn)
            conn.close()
        cls._cache(seed, initial)

    @classmethod
    def _cache(cls, seed: int, initial: InitialState) -> None:
        with _SNAPSHOTS_LOCK:
            _SNAPSHOTS[(cls, seed)] = initial
            _SNAPSHOTS.move_to_end((cls, seed))
            while len(_SNAPSHOTS) > _snapshot_capacity:
                _SNAPSHOTS.popitem(last=False)

    @classmethod
    def build_initial(cls, seed: int) -> InitialState:
        """Build the serialized initial state for ``seed`` and its per-table digests, uncached (Faker is imported
        only here)."""
        import faker
        import sqlite_utils

        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.executescript(BOOKKEEPING_SCHEMA + cls.schema)
        conn.execute("INSERT INTO _meta VALUES ('seed', ?), ('clock', 0), ('ids', 0)", (seed,))
        fake = faker.Faker("en_US")
        fake.seed_instance(seed)
        cls.populate(sqlite_utils.Database(conn), random.Random(seed), fake)
        for table, columns in cls.text_search.items():
            conn.executescript(TEXT_INDEX.format(table=table, columns=", ".join(f'"{c}"' for c in columns)))
        tables = state.describe_tables(conn)
        for table in tables:
            if not table.bookkeeping:
                conn.executescript(CHANGE_LOG.format(
                    table=table.name, log=table.log, columns=", ".join(f'"{c}"' for c in table.columns),
                    old=", ".join(f'old."{c}"' for c in table.columns)))
        conn.execute("VACUUM")
        cls.tables = tables
        return conn.serialize(), {t.name: state.table_digest(conn, t) for t in tables}

    @classmethod
    def days_before_start(cls, rng: random.Random, least: int, most: int) -> dt.date:
        """A seeded date ``least``-``most`` days before the episode clock starts (for ``populate``: Faker's
        relative dates such as ``date_between("-1y")`` read the wall clock and would change the data every day)."""
        return (cls.start_time - dt.timedelta(days=rng.randint(least, most))).date()

    def __init__(self, seed: int = 0) -> None:
        self.conn: sqlite3.Connection | None = None
        self.seed = seed
        self._authorizer = Authorizer()
        #: Values derived from the state (see :meth:`derived`) and the connection's change count they hold for.
        self._derived: dict[str, Any] = {}
        self._derived_at: int | None = None
        #: Minutes the episode clock has advanced since ``start_time`` (one per successful write call), and the
        #: number of ids :meth:`new_id` has generated. Both are part of the state but kept here, not in SQL, so a
        #: write call pays no statement for them; :meth:`digest` stores them in ``_meta``, where the digest sees them.
        self.clock = 0
        self._ids = 0
        #: The episode's successful write calls with their arguments as given, for :meth:`_replay_writes` (None once
        #: the state changed outside calls, which a replay would lose: write calls then take a savepoint), and the
        #: change count after the last.
        self._writes: list[tuple[ToolSpec, dict[str, Any]]] | None = []
        self._changes = 0
        self.reset(seed)

    def reset(self, seed: int) -> None:
        """Restore the initial state of ``seed``: roll the episode back when it started on ``seed``, else take an
        idle connection holding that state or deserialize the cached snapshot into a new one."""
        self._derived_at = None
        self.clock = self._ids = 0
        self._writes = []
        if self.conn is not None and seed == self.seed:
            self.conn.execute("ROLLBACK")
        else:
            self._release()
            self.conn = _take_idle((type(self), seed))
            if self.conn is None:
                self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                self.conn.execute("PRAGMA recursive_triggers = 1")  # rows an INSERT OR REPLACE deletes are logged too
                self.conn.deserialize(type(self).snapshot(seed))
            self.conn.set_authorizer(self._authorizer)
            self.seed = seed
        self.conn.execute("BEGIN")
        self._changes = self.conn.total_changes

    def _release(self) -> None:
        """Give the connection back to the idle pool (rolled back, it holds its seed's initial state)."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        conn.execute("ROLLBACK")
        conn.set_authorizer(None)
        _FREED.append(((type(self), self.seed), conn))
        _pool_freed()

    def __del__(self) -> None:
        try:
            self._release()
        except Exception:  # noqa: BLE001 - at interpreter exit the pool and sqlite3 may be gone already
            pass

    def _store_counters(self) -> None:
        """Write the clock and the id counter into ``_meta`` (inside the episode's transaction; a replay of the write
        calls restores them, so this is no write outside calls)."""
        after_calls = self.conn.total_changes == self._changes
        self.conn.executemany("UPDATE _meta SET value = ? WHERE key = ?", ((self.clock, "clock"), (self._ids, "ids")))
        if after_calls:
            self._changes = self.conn.total_changes

    # ----------------------------------------------------------------- calls
    def call(self, name: str, arguments: Any) -> Any:
        """Validate and run one tool call atomically; raises :class:`ToolError` on any failure. ``arguments`` is a
        JSON object (a dict of JSON values); a write call keeps a copy of its top level for a replay (see below), so
        the caller may reuse the dict but should not change the lists and objects inside it afterwards."""
        spec = self.tools.get(name)
        if spec is None:
            raise ToolError(f"unknown tool '{name}'; available tools: {', '.join(self.tools)}")
        kwargs = spec.validate(arguments)
        conn = self.conn
        if not spec.writes:
            # Statements a read tool prepares may not write (see Authorizer); a write statement prepared earlier
            # and cached is caught by the change count. (Not PRAGMA query_only: toggling it expires every
            # prepared statement, so the next statements all re-prepare.)
            changes, self._authorizer.read_only = conn.total_changes, True
            try:
                result = spec.function(self, **kwargs)
            finally:
                self._authorizer.read_only = False
            if conn.total_changes != changes:
                raise RuntimeError(f"tool '{name}' is declared read-only but changed the state; "
                                   "declare it with @tool(writes=True)")
            return result
        # Atomic without a savepoint while the episode's state is its write calls' doing: a call that fails after
        # writing is undone by replaying the calls before it (see _replay_writes); a savepoint per call would cost
        # every write call (its statements, and copies of the pages it touches) for the rare one that fails so.
        if self._writes is not None and conn.total_changes != self._changes:
            self._writes = None  # written outside calls since
        savepoint = self._writes is None
        ids, changes = self._ids, conn.total_changes
        if savepoint:
            conn.execute("SAVEPOINT tool_call")
        try:
            result = spec.function(self, **kwargs)
        except BaseException:
            if savepoint:
                conn.execute("ROLLBACK TO tool_call")
            elif conn.total_changes != changes:
                self._replay_writes()
            self._ids = ids
            self._derived_at = None  # values derived from the rolled-back writes (the change count does not go back)
            raise
        finally:
            if savepoint:
                conn.execute("RELEASE tool_call")
        self.clock += 1
        self._derived_at = None  # the clock moved, whether or not the call changed a row
        if not savepoint:
            self._writes.append((spec, dict(arguments)))
            self._changes = conn.total_changes
        return result

    def _replay_writes(self) -> None:
        """Restore the state after the episode's successful write calls: roll back to the initial state and run
        them again (a call's effect depends only on the state, its arguments, the clock and the id counter) on
        their arguments as given, validated again (a tool that changed the values it was given does not change them
        here)."""
        self.conn.execute("ROLLBACK")
        self.conn.execute("BEGIN")
        self.clock = self._ids = 0
        for spec, arguments in self._writes:
            self._derived_at = None
            try:
                spec.function(self, **spec.validate(arguments))
            except Exception as error:
                raise RuntimeError(f"tool '{spec.name}' failed when replayed with the same state and arguments: "
                                   "its effect depends on something outside them") from error
            self.clock += 1
        self._changes = self.conn.total_changes

    # ------------------------------------------------- helpers for tool bodies
    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """All rows of a query as dicts."""
        cursor = self.conn.execute(kept_prepared(sql), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values)) for values in cursor]

    def row(self, sql: str, *params: Any) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        cursor = self.conn.execute(kept_prepared(sql), params)
        values = cursor.fetchone()
        return None if values is None else dict(zip([c[0] for c in cursor.description], values))

    def require(self, sql: str, *params: Any, error: str) -> dict[str, Any]:
        """The first row of a query, or a :class:`ToolError` with ``error`` when there is none."""
        found = self.row(sql, *params)
        if found is None:
            raise ToolError(error)
        return found

    def refused(self, checks: Callable[..., Any], *args: Any) -> NoReturn:
        """For a write made conditional on a tool's checks that changed nothing: run ``checks(*args)``, which raise
        the tool's :class:`ToolError`. Checks that pass mean the condition and the checks disagree, a bug in the tool
        (RuntimeError), rather than a reply as if the write had happened."""
        checks(*args)
        raise RuntimeError(f"{getattr(checks, '__qualname__', checks)} passed, but the write conditional on the same"
                           " checks changed nothing")

    def value(self, sql: str, *params: Any) -> Any:
        """The first column of the first row, or None."""
        found = self.conn.execute(kept_prepared(sql), params).fetchone()
        return None if found is None else found[0]

    def column(self, sql: str, *params: Any) -> list[Any]:
        """The first column of every row (no dict per row: for queries of one column over many rows)."""
        return [found[0] for found in self.conn.execute(kept_prepared(sql), params)]

    def text_filter(self, table: str, text: str) -> tuple[str, tuple[str, ...]]:
        """An SQL condition and its parameters: rows of ``table`` whose ``text_search`` columns contain ``text``
        (case-insensitive, as ``LIKE``). While the episode has not written to the table, texts of 3+ characters
        narrow the rows through the trigram index first (rows holding its first, middle and last three characters;
        a phrase of every trigram costs more than checking the few rows these leave); otherwise every row is
        scanned. Either way the rows are exactly those the ``LIKE`` matches."""
        indexed, scan, columns = self._text_conditions(table)
        text = text.strip()
        patterns = (like_pattern(text),) * columns
        if len(text) >= TRIGRAM and table not in self.dirty():
            middle = (len(text) - TRIGRAM) // 2
            trigrams = dict.fromkeys((text[:TRIGRAM], text[middle : middle + TRIGRAM], text[-TRIGRAM:]))
            return indexed, (" AND ".join('"' + t.replace('"', '""') + '"' for t in trigrams), *patterns)
        return scan, patterns

    @classmethod
    @functools.cache
    def _text_conditions(cls, table: str) -> tuple[str, str, int]:
        """The index lookup and the scan of a table's ``text_search`` columns (built once per class)."""
        columns = cls.text_search.get(table)
        if columns is None:
            raise KeyError(f"{cls.__name__}.text_search declares no columns for table '{table}'")
        scan = "(" + " OR ".join(f'"{table}"."{column}" LIKE ? ESCAPE \'\\\'' for column in columns) + ")"
        indexed = f'"{table}".rowid IN (SELECT rowid FROM "{table}_text" WHERE "{table}_text" MATCH ?) AND {scan}'
        return indexed, scan, len(columns)

    def execute(self, sql: str, *params: Any) -> int:
        """Run a write statement (only inside a ``writes=True`` tool); returns the number of changed rows."""
        return self.conn.execute(kept_prepared(sql), params).rowcount

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        self.conn.executemany(kept_prepared(sql), rows)

    def upsert(self, table: str, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Insert a row, or update ``values`` of the row with this ``key`` (column names come from trusted code)."""
        self.conn.execute(_upsert_sql(table, tuple(key), tuple(values)), (*key.values(), *values.values()))

    def new_id(self, table: str, prefix: str) -> str:
        """A fresh, deterministic id for a row about to be inserted into ``table``."""
        self._ids += 1
        digest = hashlib.blake2b(f"{self.seed}:{prefix}:{self._ids}".encode(), digest_size=5).hexdigest()
        generated = f"{prefix}{digest}"
        self.conn.execute("INSERT INTO _generated VALUES (?, ?)", (generated, table))
        return generated

    def mark_generated(self, table: str, value: Any) -> None:
        """Record a key the database generated itself (an INTEGER PRIMARY KEY) as path-dependent."""
        self.conn.execute("INSERT INTO _generated VALUES (?, ?)", (value, table))

    def now(self) -> dt.datetime:
        """The episode clock."""
        return self.start_time + dt.timedelta(minutes=self.clock)

    def clock_text(self, layout: str) -> str:
        """The episode clock formatted with ``layout`` (``strftime``; formatted once per state change)."""
        return self.derived(f"clock_text {layout}", lambda: self.now().strftime(layout))

    def derived(self, name: str, compute: Callable[[], Any]) -> Any:
        """A value derived from the state, computed again only once the state has changed (the connection's change
        count moved, a write call returned, or the world was reset)."""
        changes = self.conn.total_changes
        if changes != self._derived_at:
            self._derived, self._derived_at = {}, changes
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]

    # ----------------------------------------------------------------- state
    def dirty(self) -> frozenset[str]:
        """Tables written since the initial state (tracked by triggers, so clean tables are never rescanned; read
        again only after the state changed)."""
        return self.derived("dirty", lambda: frozenset(row[0] for row in self.conn.execute(self._dirty_query())))

    @classmethod
    @functools.cache
    def _dirty_query(cls) -> str:
        """One query naming the tables whose change log holds a row (built once per class)."""
        logged = [t for t in cls.tables if not t.bookkeeping]
        return " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.log}\")" for t in logged) or (
            "SELECT NULL WHERE 0")

    def digest(self) -> str:
        """Canonical digest of the whole state (tables in name order, rows in key order)."""
        initial = self.initial_state(self.seed)[1]
        dirty = self.dirty()
        self._store_counters()
        clean = {k: v for k, v in initial.items() if k not in dirty and not k.startswith("_")}
        return state.digest(self.conn, self.tables, clean)

    def diff(self) -> dict[str, state.TableDiff]:
        """Rows added, removed and changed (paired by key) since this seed's initial state (from the change log
        of the tables written, so it costs what changed)."""
        dirty = self.dirty()
        found = ((t.name, state.logged_diff(self.conn, t)) for t in self.tables if t.name in dirty)
        return {name: change for name, change in found if change}

    def changes(self, prefix: str = "") -> Counter[state.Change]:
        """Canonical change records since this seed's initial state (what rewards compare; ``ungraded`` tables
        are left out)."""
        graded = {name: change for name, change in self.diff().items() if name not in self.ungraded}
        return state.Canonicalizer(self.conn, self.tables, self.volatile).changes(graded, prefix)


@functools.lru_cache(maxsize=1024)
def _upsert_sql(table: str, key: tuple[str, ...], values: tuple[str, ...]) -> str:
    """The statement of :meth:`World.upsert` for these columns (built once)."""
    quoted = lambda columns: ", ".join(f'"{c}"' for c in columns)  # noqa: E731
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
    return (f'INSERT INTO "{table}" ({quoted(key + values)}) VALUES ({", ".join("?" * len(key + values))})'
            f" ON CONFLICT ({quoted(key)}) DO UPDATE SET {updates}")


def keep_snapshots(count: int) -> None:
    """Cache at least ``count`` initial states (default :data:`SNAPSHOT_CACHE_SIZE`): a job that walks more worlds
    than that several times over, such as ``rl.train``'s phases over its train and test worlds, would otherwise build
    every world again on each walk. Never lowers the capacity."""
    global _snapshot_capacity
    _snapshot_capacity = max(_snapshot_capacity, count)


def _pool_freed() -> None:
    """Take the queued connections (:data:`_FREED`) into the idle pool, most recently used last, and close the least
    recently used beyond :data:`IDLE_CONNECTIONS`; nothing when called inside a change of the pool (by a finalizer),
    whose connection the change in progress takes in."""
    global _pool_busy
    if _pool_busy:
        return
    _pool_busy = True
    try:
        while _FREED:
            key, conn = _FREED.pop(0)
            _IDLE.setdefault(key, []).append(conn)
            _IDLE.move_to_end(key)
            while sum(map(len, _IDLE.values())) > IDLE_CONNECTIONS:
                key, oldest = next(iter(_IDLE.items()))
                oldest.pop(0).close()
                if not oldest:
                    del _IDLE[key]
    finally:
        _pool_busy = False


def _take_idle(key: tuple[type, int]) -> sqlite3.Connection | None:
    """An idle connection holding the initial state of ``key``'s seed, taken out of the pool (None: there is none)."""
    global _pool_busy
    _pool_freed()
    _pool_busy = True
    try:
        idle = _IDLE.get(key)
        if not idle:
            return None
        if len(idle) == 1:
            del _IDLE[key]
        return idle.pop()
    finally:
        _pool_busy = False
        _pool_freed()  # what finalizers queued meanwhile


def close_idle_connections() -> None:
    """Close the pool's idle connections, handing their memory back (an episode on one of their seeds will
    deserialize its snapshot again)."""
    _pool_freed()
    while _IDLE:
        for conn in _IDLE.popitem()[1]:
            conn.close()


_Drawn = TypeVar("_Drawn")


def draw_unique(draw: Callable[[], _Drawn], taken: set[_Drawn]) -> _Drawn:
    """A value of ``draw()`` that is not in ``taken`` (drawn again while it is), added to ``taken``: for seeded ids
    and numbers that must stay unique in ``populate`` however the draws fall."""
    while (value := draw()) in taken:
        pass
    taken.add(value)
    return value


def fake_id(rng: random.Random, prefix: str) -> str:
    """An id in the same shape as :meth:`World.new_id`, for seeded rows."""
    return f"{prefix}{rng.getrandbits(40):010x}"


@functools.lru_cache(maxsize=4096)
def kept_prepared(sql: str) -> str:
    """``sql`` with every LIKE/GLOB pattern parameter wrapped as ``(? || '')``: the same rows, but a statement SQLite
    keeps prepared across calls (see :data:`_PATTERN_PARAMETER`). The world's query helpers run every statement
    through it."""
    return _PATTERN_PARAMETER.sub(r"\1 (\2 || '')", sql)


#: The patterns ``datetime.strptime`` matches the numeric directives with (see :func:`strptime`).
_NUMERIC_DIRECTIVES = {"Y": r"(\d\d\d\d)", "m": r"(1[0-2]|0[1-9]|[1-9])", "d": r"(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])",
                       "H": r"(2[0-3]|[01]\d|\d)", "M": r"([0-5]\d|\d)", "S": r"(6[01]|[0-5]\d|\d)"}


@functools.lru_cache(maxsize=64)
def _numeric_layout(layout: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A layout of numeric directives as strptime's regular expression and its fields (None for other layouts)."""
    pieces, fields = re.split(r"%(.)", layout), []
    pattern = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            pattern += re.sub(r"(?:\\\s)+", r"\\s+", re.escape(piece))
        elif piece == "%":
            pattern += "%"
        elif piece in _NUMERIC_DIRECTIVES and piece not in fields:
            pattern += _NUMERIC_DIRECTIVES[piece]
            fields.append(piece)
        else:
            return None
    return re.compile(pattern, re.IGNORECASE), tuple(fields)


@functools.lru_cache(maxsize=16384)
def strptime(text: str, layout: str) -> dt.datetime:
    """``datetime.strptime(text, layout)``, the same result and errors, without its per-call locale checks for
    layouts of ``%Y %m %d %H %M %S`` (several times faster; tools parse times on every call, mostly the same times
    of a seed's rows again, so results are kept: a datetime is immutable)."""
    compiled = _numeric_layout(layout)
    found = compiled[0].match(text) if compiled is not None else None
    if found is None or found.end() != len(text):
        return dt.datetime.strptime(text, layout)
    values = dict(zip(compiled[1], map(int, found.groups())))
    try:
        return dt.datetime(values.get("Y", 1900), values.get("m", 1), values.get("d", 1), values.get("H", 0),
                           values.get("M", 0), values.get("S", 0))
    except ValueError:
        return dt.datetime.strptime(text, layout)


def paths_below(path: str) -> tuple[str, str]:
    """The range of the slash-separated paths below ``path`` (those that start with it and a '/'): at least that,
    and less than it and a '0', which follows '/'; so ``WHERE path >= ? AND path < ?`` is a lookup in the path
    column's index, not a scan. Below the root '/' is every absolute path."""
    prefix = path.rstrip("/")
    return prefix + "/", prefix + "0"


def like_pattern(text: str) -> str:
    r"""A LIKE pattern matching ``text`` literally anywhere; use it with ``LIKE ? ESCAPE ''``."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
