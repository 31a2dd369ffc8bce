"""Behaviour of the GoogleSheets environment: grid limits, row/column edits, sharing rights, errors and rewards."""

from __future__ import annotations

from typing import Any

from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "GoogleSheets"


def sheet_with(world: Any, role: str) -> dict[str, Any]:
    return world.row("SELECT s.*, b.title, b.owner FROM sheets s JOIN spreadsheets b USING (spreadsheet_id) JOIN"
                     " permissions p ON p.spreadsheet_id = s.spreadsheet_id AND p.email = 'me@gmail.com'"
                     " WHERE p.role = ? ORDER BY s.spreadsheet_id, s.sheet", role)


def cells(world: Any, sheet: dict[str, Any]) -> dict[tuple[int, int], Any]:
    return {(r["row"], r["col"]): r["value"] for r in world.rows(
        "SELECT * FROM cells WHERE spreadsheet_id = ? AND sheet_id = ?", sheet["spreadsheet_id"], sheet["sheet_id"])}


def test_batch_update_writes_inside_the_grid_only(env: Any, world: Any) -> None:
    sheet = sheet_with(world, "owner")
    key = {"spreadsheet_id": sheet["spreadsheet_id"], "sheet": sheet["sheet"]}
    result = world.call("batch_update_cells", {**key, "ranges": {"A2": [["x"]], f"{sheet['sheet']}!B2:C2": [[1, 2]]}})
    assert result == {"updated_ranges": [f"{sheet['sheet']}!A2", f"{sheet['sheet']}!B2:C2"], "total_updated_cells": 3,
                      "spreadsheet_id": sheet["spreadsheet_id"]}
    assert world.call("get_sheet_data", {**key, "range": "A2:C2"})["data"] == [["x", 1, 2]]
    beyond = f"A{sheet['row_count'] + 1}"
    assert fails(env, world, "batch_update_cells", {**key, "range": beyond, "data": [["y"]]}) == (
        f"range {beyond} exceeds grid limits of '{sheet['sheet']}' ({sheet['row_count']} rows x"
        f" {sheet['column_count']} columns); add_rows or add_columns first")
    grown = world.call("add_rows", {**key, "count": 2})
    assert grown["rowCount"] == sheet["row_count"] + 2
    world.call("batch_update_cells", {**key, "range": beyond, "data": [["y"]]})
    assert fails(env, world, "batch_update_cells", {**key, "range": "Other!A1", "data": [["y"]]}) == (
        f"range names sheet 'Other' but the call is for '{sheet['sheet']}'")


def test_delete_rows_shifts_cells_up(env: Any, world: Any) -> None:
    sheet = sheet_with(world, "owner")
    key = {"spreadsheet_id": sheet["spreadsheet_id"], "sheet": sheet["sheet"]}
    before = cells(world, sheet)
    world.call("delete_rows", {**key, "start_index": 1, "count": 2})
    after = cells(world, sheet)
    assert after[(1, 1)] == before[(1, 1)] and after[(2, 1)] == before[(4, 1)]
    assert world.value("SELECT row_count FROM sheets WHERE spreadsheet_id = ? AND sheet_id = ?",
                       sheet["spreadsheet_id"], sheet["sheet_id"]) == sheet["row_count"] - 2
    world.call("delete_columns", {**key, "start_index": 0})
    assert cells(world, sheet)[(1, 1)] == before[(1, 2)]
    assert fails(env, world, "delete_rows", {**key, "start_index": sheet["row_count"]}) == (
        f"'{sheet['sheet']}' has only {sheet['row_count'] - 2} rows (indexes 0 to {sheet['row_count'] - 3});"
        f" nothing to delete at {sheet['row_count']}+1")


def test_view_only_and_sharing_rules(env: Any, world: Any) -> None:
    viewer = sheet_with(world, "reader")
    key = {"spreadsheet_id": viewer["spreadsheet_id"], "sheet": viewer["sheet"]}
    assert fails(env, world, "rename_sheet", {**key, "new_name": "Mine"}) == (
        f"you only have view access to '{viewer['title']}'; ask its owner {viewer['owner']} for edit access")
    assert fails(env, world, "share_spreadsheet", {"spreadsheet_id": viewer["spreadsheet_id"],
                                                   "email": "a@b.com", "role": "reader"}) == (
        f"only the owner ({viewer['owner']}) can share '{viewer['title']}'")
    own = sheet_with(world, "owner")
    shared = world.call("share_spreadsheet", {"spreadsheet_id": own["spreadsheet_id"], "email": "Ann@Example.com",
                                              "role": "writer"})
    assert shared == {"spreadsheet_id": own["spreadsheet_id"], "email": "ann@example.com", "role": "writer"}
    assert world.value("SELECT role FROM permissions WHERE spreadsheet_id = ? AND email = 'ann@example.com'",
                       own["spreadsheet_id"]) == "writer"
    assert "role" in fails(env, world, "share_spreadsheet", {"spreadsheet_id": own["spreadsheet_id"],
                                                              "email": "a@b.com", "role": "owner"})


def test_create_copy_and_rename(env: Any, world: Any) -> None:
    made = world.call("create_spreadsheet", {"title": "Trip plan"})
    assert made["url"].endswith(f"/d/{made['spreadsheet_id']}/edit")
    listed = world.call("list_spreadsheets", {})["spreadsheets"]
    assert {"spreadsheet_id": made["spreadsheet_id"], "title": "Trip plan", "owner": "me@gmail.com",
            "access": "owner"} in listed
    key = {"spreadsheet_id": made["spreadsheet_id"]}
    assert world.call("create_sheet", {**key, "title": "Costs"})["sheet_id"] == 1
    world.call("copy_sheet", {**key, "sheet": "Costs", "new_sheet_name": "Costs copy"})
    assert world.call("rename_sheet", {**key, "sheet": "Sheet1", "new_name": "Days"})["old_name"] == "Sheet1"
    assert world.call("list_sheets", key)["sheet_names"] == ["Days", "Costs", "Costs copy"]
    assert fails(env, world, "create_sheet", {**key, "title": "costs"}) == (
        "a sheet named 'costs' already exists; choose another name")
    count = world.tools["add_rows"].parameters["properties"]["count"]
    assert (count["minimum"], count["maximum"]) == (1, 5000)


def test_write_task_gold_earns_one_and_a_wrong_row_zero(env: Any) -> None:
    task = scenario_task(env, "remove_entry")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "start_index": arguments["start_index"] + 1})]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = scenario_task(env, "look_up_cell")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It is " + ", ".join(map(str, task.answer_facts))) == 1.0
    assert play(env, task.id, calls, answer="I looked.") == 0.0
