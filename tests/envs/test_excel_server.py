"""Behaviour of the ExcelServer environment: writes, tables, sheet copies, formats, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "ExcelServer"


def book(world: Any, name: str) -> str:
    return world.value("SELECT fileAbsolutePath FROM workbooks WHERE fileAbsolutePath LIKE ?", f"%{name}")


def test_write_values_and_formulas(world: Any) -> None:
    path = book(world, "inventory.xlsx")
    result = world.call("excel_write_to_sheet", {"fileAbsolutePath": path, "sheetName": "Stock", "newSheet": False,
                                                 "cellRange": "H1:I2", "values": [["Note", "Sum"], ["ok", "=SUM(D2:D5)"]]})
    assert result == {"status": "written", "fileAbsolutePath": path, "sheetName": "Stock", "cellRange": "H1:I2"}
    read = world.call("excel_read_sheet", {"fileAbsolutePath": path, "sheetName": "Stock", "cellRange": "H1:I2",
                                           "showFormula": True})
    assert read["values"] == [["Note", "Sum"], ["ok", "=SUM(D2:D5)"]]
    created = world.call("excel_write_to_sheet", {"fileAbsolutePath": path, "sheetName": "Q2", "newSheet": True,
                                                  "cellRange": "A1", "values": [["x"]]})
    assert created["sheetName"] == "Q2"
    assert [s["name"] for s in world.call("excel_describe_sheets", {"fileAbsolutePath": path})["sheets"]][-1] == "Q2"


def test_write_rules(env: Any, world: Any) -> None:
    path = book(world, "inventory.xlsx")
    base = {"fileAbsolutePath": path, "sheetName": "Stock", "newSheet": False}
    assert fails(env, world, "excel_write_to_sheet", {**base, "cellRange": "A1:B1", "values": [["x"]]}) == (
        "values must have 1 row(s) of 2 value(s) each to fill A1:B1")
    assert fails(env, world, "excel_write_to_sheet", {**base, "newSheet": True, "cellRange": "A1",
                                                      "values": [["x"]]}) == (
        "sheet 'Stock' already exists; pass newSheet false to write into it")
    assert fails(env, world, "excel_write_to_sheet", {**base, "sheetName": "Nope", "cellRange": "A1",
                                                      "values": [["x"]]}) == (
        f"workbook '{path}' has no sheet 'Nope'; excel_describe_sheets lists its sheets")
    assert fails(env, world, "excel_write_to_sheet", {**base, "cellRange": "XFE1", "values": [["x"]]}) == (
        "'XFE1' is not a cell inside a sheet (A1 to XFD1048576)")
    assert "fileAbsolutePath" in fails(env, world, "excel_describe_sheets", {"fileAbsolutePath": "budget.csv"})


def test_create_table_rules(env: Any, world: Any) -> None:
    path = book(world, "budget-2026.xlsx")
    made = world.call("excel_create_table", {"fileAbsolutePath": path, "sheetName": "Budget", "cellRange": "A1:F8",
                                             "tableName": "Budget2026"})
    assert made == {"tableName": "Budget2026", "cellRange": "A1:F8", "sheetName": "Budget"}
    base = {"fileAbsolutePath": path, "sheetName": "Budget"}
    assert fails(env, world, "excel_create_table", {**base, "cellRange": "B2:C4", "tableName": "Other"}) == (
        "B2:C4 overlaps table 'Budget2026' (A1:F8); tables cannot overlap")
    assert fails(env, world, "excel_create_table", {**base, "cellRange": "H1:I3", "tableName": "budget2026"}) == (
        "workbook already has a table named 'budget2026'; choose another name")
    assert fails(env, world, "excel_create_table", {**base, "cellRange": "H1:I3", "tableName": "Empty"}) == (
        "the header row H1:I1 needs a distinct label in every cell; write the headers first")
    pattern = world.tools["excel_create_table"].parameters["properties"]["tableName"]["pattern"]
    assert pattern == r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$"
    assert fails(env, world, "excel_create_table", {**base, "cellRange": "H1:I3", "tableName": "has space"}
                 ).startswith("invalid arguments for 'excel_create_table': tableName")


def test_copy_sheet_and_format(env: Any, world: Any) -> None:
    path = book(world, "team-roster.xlsx")
    before = world.value("SELECT COUNT(*) FROM cells WHERE fileAbsolutePath = ? AND sheetName = 'Staff'", path)
    world.call("excel_copy_sheet", {"fileAbsolutePath": path, "srcSheetName": "Staff", "dstSheetName": "Staff old"})
    assert world.value("SELECT COUNT(*) FROM cells WHERE fileAbsolutePath = ? AND sheetName = 'Staff old'",
                       path) == before
    assert fails(env, world, "excel_copy_sheet", {"fileAbsolutePath": path, "srcSheetName": "Staff",
                                                  "dstSheetName": "staff OLD"}) == (
        f"sheet 'staff OLD' already exists in '{path}'; choose another name")
    assert fails(env, world, "excel_copy_sheet", {"fileAbsolutePath": path, "srcSheetName": "Staff",
                                                  "dstSheetName": "a/b"}) == (
        "sheet name 'a/b' may not be empty or contain any of [ ] : * ? / \\")
    world.call("excel_format_range", {"fileAbsolutePath": path, "sheetName": "Staff", "cellRange": "A1:B1",
                                      "styles": [[{"fill": "#FFFF00"}, {"italic": True}]]})
    styles = world.call("excel_read_sheet", {"fileAbsolutePath": path, "sheetName": "Staff", "cellRange": "A1:B1",
                                             "showStyle": True})["styles"]
    assert styles == [[{"bold": True, "fill": "#FFFF00"}, {"bold": True, "italic": True}]]
    assert fails(env, world, "excel_format_range", {"fileAbsolutePath": path, "sheetName": "Staff",
                                                    "cellRange": "A1", "styles": [[{"fill": "yellow"}]]}) == (
        "fill 'yellow' must be a colour like '#FFEB9C'")


def test_write_task_gold_earns_one_and_a_wrong_value_zero(env: Any) -> None:
    task = scenario_task(env, "update_one_value")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "values": [[arguments["values"][0][0] + 1]]})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = scenario_task(env, "read_one_value")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It is " + ", ".join(map(str, task.answer_facts))) == 1.0
    assert play(env, task.id, calls, answer="I checked it.") == 0.0
