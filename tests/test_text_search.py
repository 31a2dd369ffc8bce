"""Text search through the trigram index matches exactly what a LIKE scan matches, before and after writes, and
LIKE patterns given as parameters keep their prepared statements."""

from __future__ import annotations

import pytest

from envfactory_gym.core.world import kept_prepared
from envs.office.calendar import Calendar

ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
COLUMNS = Calendar.text_search["events"]


def liked(world: Calendar, text: str) -> list[str]:
    """Ids of the events whose text columns contain ``text``, folding ASCII case only (SQLite's LIKE)."""
    wanted = text.strip().translate(ASCII_LOWER)
    return sorted(row["event_id"] for row in world.rows(f"SELECT event_id, {', '.join(COLUMNS)} FROM events")
                  if any(wanted in (row[c] or "").translate(ASCII_LOWER) for c in COLUMNS))


def found(world: Calendar, text: str) -> list[str]:
    condition, params = world.text_filter("events", text)
    return sorted(r["event_id"] for r in world.rows(f"SELECT event_id FROM events WHERE {condition}", *params))


def queries(world: Calendar) -> list[str]:
    summaries = [r["summary"] for r in world.rows("SELECT summary FROM events ORDER BY event_id LIMIT 12")]
    return [*summaries, *(s.upper() for s in summaries[:4]), *(s[2:9] for s in summaries[:4]), "  room  ", "ro",
            "a", "zzqx", 'say "hi"', "50%", "a_b", "café", "Room A", "review final"]


@pytest.mark.parametrize("seed", [0, 1])
def test_indexed_search_matches_the_like_scan(seed: int) -> None:
    world = Calendar(seed)
    assert world.dirty() == frozenset()
    for text in queries(world):
        assert found(world, text) == liked(world, text), text
    assert any(found(world, text) for text in queries(world))


def test_after_a_write_the_search_sees_the_new_state() -> None:
    world = Calendar(0)
    event = world.row("SELECT event_id, summary FROM events ORDER BY event_id LIMIT 1")
    before = found(world, event["summary"])
    assert event["event_id"] in before
    world.call("update_event", {"event_id": event["event_id"], "summary": "Quarterly café sync"})
    assert world.dirty() == {"events"}
    assert found(world, event["summary"]) == liked(world, event["summary"]) == sorted(set(before) - {event["event_id"]})
    assert found(world, "CAFÉ sync") == [] and found(world, "quarterly CAFé") == [event["event_id"]]
    world.reset(0)
    assert world.dirty() == frozenset() and found(world, event["summary"]) == before


def test_like_and_glob_parameters_are_wrapped_and_match_the_same_rows() -> None:
    assert kept_prepared("SELECT 1 FROM t WHERE a LIKE ? ESCAPE '\\' OR b glob ?2 OR c LIKE :name") == (
        "SELECT 1 FROM t WHERE a LIKE (? || '') ESCAPE '\\' OR b glob (?2 || '') OR c LIKE (:name || '')")
    assert kept_prepared("SELECT 1 FROM t WHERE a LIKE 'x%' AND b = ?") == "SELECT 1 FROM t WHERE a LIKE 'x%' AND b = ?"
    world = Calendar(0)
    sql = "SELECT event_id FROM events WHERE summary LIKE ? ORDER BY event_id"
    for pattern in ("%a%", "R%", None, 5):
        assert world.rows(sql, pattern) == [dict(zip(["event_id"], r)) for r in world.conn.execute(sql, (pattern,))]
