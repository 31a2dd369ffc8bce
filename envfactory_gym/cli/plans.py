"""``envfactory plans``: the statements of environments' tools that read a whole table.

Replays the gold calls of every task, records each statement a tool runs (SQLite's trace of it, with its values)
and asks SQLite for its query plan. A statement that scans a table of ``--rows`` rows or more is listed with the
tool that ran it and how often: a keyed lookup there wants an index in the environment's schema, a substring search
wants ``text_search``; an aggregate over the whole table reads it all by design. Full-text index lookups are not
scans and are not listed.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Tables with fewer rows are left out: scanning them costs about what an index lookup does.
ROWS = 100
#: SQLite's query-plan line of a full scan: ``SCAN name`` (a table or its alias), maybe ``USING [COVERING] INDEX``.
_SCAN = re.compile(r"^SCAN (\S+)(?=\s|$)(?! VIRTUAL TABLE)")
#: A statement's values, replaced to group the statements that differ only in them.
_VALUES = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


@dataclass
class Scan:
    """A tool's scans of one table: the most rows it held, how many gold calls scanned it, and one such statement
    (its values replaced by ``?``)."""

    env: str
    tool: str
    table: str
    rows: int
    calls: int
    statement: str


@contextlib.contextmanager
def traced(env: Any) -> Iterator[list[tuple[Any, str]]]:
    """The statements SQLite runs on an env's worlds meanwhile, each with its world and its values (a statement is
    reported again, with the same text, for each change-log trigger program it starts)."""
    ran: list[tuple[Any, str]] = []
    worlds = list(env.worlds.worlds.values())
    for world in worlds:
        world.conn.set_trace_callback(lambda sql, world=world: ran.append((world, sql)))
    try:
        yield ran
    finally:
        for world in worlds:
            world.conn.set_trace_callback(None)


def scans(name: str, rows: int = ROWS) -> list[Scan]:
    """The scans of tables of at least ``rows`` rows in the gold calls of an environment's (or a domain's) tasks,
    one per tool and table."""
    from envfactory_gym.episode.env import ToolUseEnv

    env = ToolUseEnv(name, split=None, max_turns=10**9)
    found: dict[tuple[str, str], Scan] = {}
    counted: set[tuple[str, str, str, int]] = set()  # (tool, table, task, position of the call)
    planned: dict[str, list[tuple[str, int]]] = {}
    for task in env.tasks:
        env.reset(options={"task_id": task.id})
        ran: list[tuple[Any, int, str, str]] = []
        for position, (tool, arguments) in enumerate(env.gold_calls()):
            with traced(env) as statements:
                env.step({"name": tool, "arguments": arguments})
            ran += [(world, position, tool, sql) for world, sql in statements]
        for world, position, tool, sql in ran:
            if sql not in planned:
                planned[sql] = _scanned(world, sql)
            for table, size in planned[sql]:
                if size < rows:
                    continue
                statement = _VALUES.sub("?", " ".join(sql.split()))
                scan = found.setdefault((tool, table), Scan(name, tool, table, size, 0, statement))
                scan.rows = max(scan.rows, size)
                if (tool, table, task.id, position) not in counted:
                    counted.add((tool, table, task.id, position))
                    scan.calls += 1
    return list(found.values())


def _scanned(world: Any, sql: str) -> list[tuple[str, int]]:
    """The tables (and their rows) a statement's plan scans; none for statements SQLite cannot plan here."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE", "INSERT")):
        return []
    try:
        plan = world.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    except sqlite3.Error:  # a trigger's statement (it names old./new. rows), or one using a temporary object
        return []
    tables = {t.name for t in world.tables if not t.bookkeeping}
    out = []
    for *_, detail in plan:
        match = _SCAN.match(detail)
        if match is None:
            continue
        table = _table_of(match.group(1), sql, tables)
        if table is not None:
            out.append((table, world.conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]))
    return out


def _table_of(name: str, sql: str, tables: set[str]) -> str | None:
    """The table a plan's name stands for: itself, or the table it aliases in the statement."""
    if name in tables:
        return name
    aliased = re.search(rf'\b(?:FROM|JOIN)\s+"?(\w+)"?\s+(?:AS\s+)?"?{re.escape(name)}"?(?:\s|$|,|\))', sql, re.I)
    return aliased.group(1) if aliased and aliased.group(1) in tables else None


def render(found: list[Scan]) -> str:
    from tabulate import tabulate

    if not found:
        return "no gold call scans a table of that size"
    ordered = sorted(found, key=lambda s: (s.env, -s.rows, s.tool))
    return tabulate([[s.env, s.tool, f"{s.table} ({s.rows:,})", s.calls, s.statement[:110]] for s in ordered],
                    headers=["environment", "tool", "table scanned (rows)", "calls", "a statement"],
                    tablefmt="github")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", help="environments or domains (default: every environment with tasks)")
    parser.add_argument("--rows", type=int, default=ROWS,
                        help=f"list scans of tables of at least this many rows (default {ROWS})")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from envfactory_gym.registration import ENVIRONMENTS, load_tasks, register_all, unknown_names

    register_all()
    names, error = unknown_names(args.names)
    if error:
        print(f"envfactory plans: error: {error}", file=sys.stderr)
        return 2
    found = [scan for name in tqdm(names or [n for n in ENVIRONMENTS if load_tasks(n)], desc="plans", unit="env")
             for scan in scans(name, args.rows)]
    print(render(found))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.cli.plans")
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
