"""``envfactory plans``: which gold calls scan whole tables, found from SQLite's own query plans."""

from __future__ import annotations

import pytest

from envfactory_gym import cli
from envfactory_gym.cli.plans import render, scans


def test_a_scan_of_a_large_table_is_listed_with_its_tool_and_lookups_by_index_are_not() -> None:
    maps = {(s.tool, s.table): s for s in scans("Maps", rows=50)}
    nearest = maps["maps_reverse_geocode", "places"]  # the nearest place is found among all of them
    assert nearest.rows >= 50 and nearest.calls >= 1 and nearest.statement.startswith("SELECT rowid, latitude")
    assert "?" in nearest.statement and "'locality'" not in nearest.statement  # values replaced
    assert not [s for s in maps.values() if s.tool in ("maps_place_details", "maps_geocode")]  # keyed, by index
    # a full-text index lookup is not a scan; a table under the threshold is left out
    assert not [s for s in scans("Calendar", rows=50) if s.table.endswith("_text")]
    assert scans("Maps", rows=10_000) == []


def test_render_says_when_nothing_is_scanned() -> None:
    assert render([]) == "no gold call scans a table of that size"
    header, _, *rows = render(scans("Maps", rows=50)).splitlines()
    assert [cell.strip() for cell in header.split("|")[1:-1]] == ["environment", "tool", "table scanned (rows)",
                                                                  "calls", "a statement"]
    assert any("| maps_reverse_geocode" in row and "| places (68)" in row for row in rows)


def test_an_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plans", "Nope"]) == 2
    assert "envfactory plans: error: unknown environment or domain: Nope; known: " in capsys.readouterr().err
