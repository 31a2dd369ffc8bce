"""State digests, structured diffs and the canonical change sets that rewards compare."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

Change = tuple[Any, ...]
#: Name prefix of the change-log tables (one per table; they are bookkeeping, never described or digested).
LOG_PREFIX = "_was_"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]

    @property
    def bookkeeping(self) -> bool:
        return self.name.startswith("_")

    @functools.cached_property
    def ordered_select(self) -> str:
        return f'SELECT * FROM "{self.name}" ORDER BY {", ".join(self.key)}'

    @property
    def log(self) -> str:
        """The change-log table of this table (see :func:`logged_diff`)."""
        return f"{LOG_PREFIX}{self.name}"

    @functools.cached_property
    def log_selects(self) -> tuple[str, str, str]:
        """Queries of :func:`logged_diff`: first versions of touched rows, touched rows now, and the untouched rows
        that may equal one of those: every untouched row whose first column holds a touched version's value, or
        NULL (all that equal one, and a few more; narrowed in SQL instead of fetching the whole table)."""
        columns = ", ".join(f'"{c}"' for c in self.columns)
        first = f'"{self.columns[0]}"'
        touched = f'rowid IN (SELECT _rid FROM "{self.log}")'
        versions = (f'SELECT {first} FROM "{self.log}" WHERE _existed'
                    f' UNION ALL SELECT {first} FROM "{self.name}" WHERE {touched}')
        return (f'SELECT {columns} FROM "{self.log}" WHERE _existed ORDER BY _rid',
                f'SELECT {columns} FROM "{self.name}" WHERE {touched} ORDER BY rowid',
                f'SELECT {columns} FROM "{self.name}" WHERE NOT {touched}'
                f' AND ({first} IN ({versions}) OR {first} IS NULL)')


def describe_tables(conn: sqlite3.Connection) -> tuple[Table, ...]:
    """Every ordinary table of a database with its columns and key (primary key, or rowid); full-text indexes
    (virtual tables and their shadow tables) are derived data and left out."""
    names = sorted(r[0] for r in conn.execute("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'")
                   if not r[0].startswith(("sqlite_", LOG_PREFIX)))
    tables = []
    for name in names:
        info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])) or ("rowid",)
        tables.append(Table(name, tuple(r[1] for r in info), key))
    return tuple(tables)


def table_digest(conn: sqlite3.Connection, table: Table) -> bytes:
    """A digest of one table's rows in key order."""
    return hashlib.blake2b(repr(conn.execute(table.ordered_select).fetchall()).encode(), digest_size=16).digest()


def digest(conn: sqlite3.Connection, tables: tuple[Table, ...], known: dict[str, bytes] | None = None) -> str:
    """A hex digest of every row of every table, in a canonical order; ``known`` holds digests of unchanged tables."""
    known = known or {}
    h = hashlib.blake2b(digest_size=16)
    for table in tables:
        h.update(table.name.encode())
        h.update(known.get(table.name) or table_digest(conn, table))
    return h.hexdigest()


@dataclass
class TableDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": [
                {"before": old, "after": {k: v for k, v in new.items() if old.get(k) != v}} for old, new in self.changed
            ],
        }


def logged_diff(conn: sqlite3.Connection, table: Table) -> TableDiff:
    """Rows of ``table`` added, removed and changed (paired by key) since the initial state, from its change log:
    only touched rows are read, except in a table without a declared key, where a touched row may equal an
    untouched one (so rows compare as whole-table sets there, of the untouched rows those that may equal one)."""
    first, now_touched, untouched = table.log_selects
    before = conn.execute(first).fetchall()
    now = conn.execute(now_touched).fetchall()
    if table.key == ("rowid",):
        rest = set(conn.execute(untouched).fetchall())
        base, current = rest.union(before), rest.union(now)
        before, now = list(dict.fromkeys(before)), list(dict.fromkeys(now))
    else:
        base, current = set(before), set(now)
    cols = table.columns
    key_index = [cols.index(k) for k in table.key] if table.key != ("rowid",) else list(range(len(cols)))
    old = {tuple(r[i] for i in key_index): dict(zip(cols, r)) for r in before if r not in current}
    change = TableDiff()
    for r in now:
        if r in base:
            continue
        k = tuple(r[i] for i in key_index)
        row = dict(zip(cols, r))
        if k in old:
            change.changed.append((old.pop(k), row))
        else:
            change.added.append(row)
    change.removed.extend(old.values())
    return change


class Canonicalizer:
    """Rewrites rows so that path-dependent values compare equal across valid paths.

    Volatile columns are dropped; a generated key (see :meth:`World.new_id`) is replaced, wherever it appears,
    by a signature of the row it identifies, so references to created rows are compared by content.
    """

    def __init__(self, conn: sqlite3.Connection, tables: tuple[Table, ...], volatile: dict[str, tuple[str, ...]]):
        self.conn = conn
        self.tables = {t.name: t for t in tables}
        self.volatile = volatile
        self.generated = dict(conn.execute("SELECT value, tbl FROM _generated").fetchall())
        self._signatures: dict[Any, str] = {}

    def value(self, value: Any, depth: int = 0) -> Any:
        if value not in self.generated or isinstance(value, float):
            return value
        if value in self._signatures:
            return self._signatures[value]
        table = self.tables[self.generated[value]]
        if depth > 3:
            return f"<{table.name}>"
        cursor = self.conn.execute(f'SELECT * FROM "{table.name}" WHERE "{table.key[0]}" = ?', (value,))
        found = cursor.fetchone()
        if found is None:
            signature = f"<{table.name}:deleted>"
        else:
            row = {c: v for c, v in zip(table.columns, found) if c != table.key[0]}
            signature = f"<{table.name}:{self.row(table.name, row, depth + 1)}>"
        self._signatures[value] = signature
        return signature

    def row(self, table: str, row: dict[str, Any], depth: int = 0) -> tuple[tuple[str, Any], ...]:
        skip = self.volatile.get(table, ())
        return tuple(sorted((c, self.value(v, depth)) for c, v in row.items() if c not in skip))

    def changes(self, diffs: dict[str, TableDiff], prefix: str = "") -> Counter[Change]:
        """The multiset of canonical change records of a diff."""
        out: Counter[Change] = Counter()
        for name, change in diffs.items():
            label = prefix + name
            key = self.tables[name].key
            for row in change.added:
                out["added", label, self.row(name, row)] += 1
            for row in change.removed:
                out["removed", label, self.row(name, row)] += 1
            for old, new in change.changed:
                moved = {c: v for c, v in new.items() if old[c] != v}
                record = self.row(name, moved)
                if record:
                    out["changed", label, self.row(name, {k: old[k] for k in key if k in old}), record] += 1
        return out
