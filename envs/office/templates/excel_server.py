"""Task templates of ExcelServer: a user editing their own workbooks, named by path."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.office.excel_server import ExcelServer, a1, column_letters


def some_sheet(world: ExcelServer, rng: random.Random, kinds: tuple[str, ...] = ()) -> dict[str, Any]:
    rows = world.rows("SELECT s.*, (SELECT MAX(row) FROM cells c WHERE c.fileAbsolutePath = s.fileAbsolutePath"
                      " AND c.sheetName = s.sheetName) AS last_row, (SELECT MAX(col) FROM cells c WHERE"
                      " c.fileAbsolutePath = s.fileAbsolutePath AND c.sheetName = s.sheetName) AS last_col"
                      " FROM sheets s ORDER BY fileAbsolutePath, sheetName")
    rows = [r for r in rows if r["last_row"] > 3 and (not kinds or r["sheetName"] in kinds)]
    return rng.choice(rows)


def cell(world: ExcelServer, sheet: dict[str, Any], row: int, col: int) -> Any:
    return world.value("SELECT value FROM cells WHERE fileAbsolutePath = ? AND sheetName = ? AND row = ? AND col = ?",
                       sheet["fileAbsolutePath"], sheet["sheetName"], row, col)


def unique_row(world: ExcelServer, rng: random.Random, sheet: dict[str, Any]) -> int | None:
    """A data row whose first-column value appears once, so the request can name the row by it."""
    firsts = [cell(world, sheet, r, 1) for r in range(2, sheet["last_row"] + 1)]
    choices = [r for r, v in enumerate(firsts, 2) if firsts.count(v) == 1]
    return rng.choice(choices) if choices else None


@scenario
def read_one_value(world: ExcelServer, rng: random.Random) -> Draft | None:
    sheet = some_sheet(world, rng, ("Stock", "Staff", "Budget", "Archive"))
    row = unique_row(world, rng, sheet)
    if row is None:
        return None
    col = rng.randrange(2, sheet["last_col"] + 1)
    label, header = cell(world, sheet, row, 1), cell(world, sheet, 1, col)
    return Draft(request=f"In {sheet['fileAbsolutePath']}, sheet {sheet['sheetName']}: what is the {header}"
                         f" of {label}?",
                 calls=(call("excel_read_sheet", fileAbsolutePath=sheet["fileAbsolutePath"],
                             sheetName=sheet["sheetName"]),),
                 answer=(cell(world, sheet, row, col),))


@scenario
def update_one_value(world: ExcelServer, rng: random.Random) -> Draft | None:
    sheet = some_sheet(world, rng, ("Stock", "Archive"))
    row = unique_row(world, rng, sheet)
    if row is None:
        return None
    count = rng.randrange(0, 250)
    path, name = sheet["fileAbsolutePath"], sheet["sheetName"]
    return Draft(request=f"We recounted {cell(world, sheet, row, 1)}: there are {count} on hand now. Update the"
                         f" {name} sheet of {path}.",
                 calls=(call("excel_read_sheet", fileAbsolutePath=path, sheetName=name),
                        call("excel_write_to_sheet", fileAbsolutePath=path, sheetName=name, newSheet=False,
                             cellRange=f"D{row}", values=[[count]])))


@scenario
def add_total_row(world: ExcelServer, rng: random.Random) -> Draft | None:
    sheet = some_sheet(world, rng, ("January", "February", "Sheet1", "Expenses"))
    path, name, last = sheet["fileAbsolutePath"], sheet["sheetName"], sheet["last_row"]
    col = column_letters(sheet["last_col"] if name != "Expenses" else 4)
    return Draft(request=f"Add a total under the data of sheet {name} in {path}: the word Total in column A of the"
                         f" first empty row and a SUM formula of column {col} beside it in column {col}.",
                 calls=(call("excel_describe_sheets", fileAbsolutePath=path),
                        call("excel_write_to_sheet", fileAbsolutePath=path, sheetName=name, newSheet=False,
                             cellRange=f"A{last + 1}", values=[["Total"]]),
                        call("excel_write_to_sheet", fileAbsolutePath=path, sheetName=name, newSheet=False,
                             cellRange=f"{col}{last + 1}", values=[[f"=SUM({col}2:{col}{last})"]])))


@scenario
def make_table(world: ExcelServer, rng: random.Random) -> Draft | None:
    sheets = [s for s in world.rows("SELECT * FROM sheets ORDER BY fileAbsolutePath, sheetName")
              if not world.row("SELECT 1 FROM excel_tables WHERE fileAbsolutePath = ? AND sheetName = ?",
                               s["fileAbsolutePath"], s["sheetName"]) and s["sheetName"] not in ("Notes",)]
    if not sheets:
        return None
    sheet = rng.choice(sheets)
    name = rng.choice(["Data", "Records", "Tracker", "Log"]) + str(rng.randrange(1, 9))
    path = sheet["fileAbsolutePath"]
    return Draft(request=f"Turn all the data on sheet {sheet['sheetName']} of {path} into an Excel table named"
                         f" {name}.",
                 calls=(call("excel_describe_sheets", fileAbsolutePath=path),
                        call("excel_create_table", fileAbsolutePath=path, sheetName=sheet["sheetName"],
                             tableName=name, cellRange=Ref(0, "sheets", then=lambda sheets, n=sheet["sheetName"]:
                                                           next(s["usedRange"] for s in sheets if s["name"] == n)))))


@scenario
def backup_sheet(world: ExcelServer, rng: random.Random) -> Draft:
    sheet = some_sheet(world, rng)
    copy = rng.choice([f"{sheet['sheetName']} backup", f"{sheet['sheetName']} (old)", "Before changes"])
    return Draft(request=rng.choice([
        "Before I edit {p}, make a copy of its {s} sheet called '{c}'.",
        "Duplicate the {s} sheet in {p} and name the copy '{c}'."]).format(
            p=sheet["fileAbsolutePath"], s=sheet["sheetName"], c=copy),
        calls=(call("excel_copy_sheet", fileAbsolutePath=sheet["fileAbsolutePath"], srcSheetName=sheet["sheetName"],
                    dstSheetName=copy),))


@scenario
def highlight_header(world: ExcelServer, rng: random.Random) -> Draft:
    sheet = some_sheet(world, rng)
    fill = rng.choice([("yellow", "#FFFF00"), ("light green", "#C6EFCE"), ("light blue", "#DDEBF7")])
    width = sheet["last_col"]
    return Draft(request=f"Give the header row of sheet {sheet['sheetName']} in {sheet['fileAbsolutePath']} a"
                         f" {fill[0]} ({fill[1]}) fill, and make it bold.",
                 calls=(call("excel_describe_sheets", fileAbsolutePath=sheet["fileAbsolutePath"]),
                        call("excel_format_range", fileAbsolutePath=sheet["fileAbsolutePath"],
                             sheetName=sheet["sheetName"], cellRange=a1(1, 1, 1, width),
                             styles=[[{"bold": True, "fill": fill[1]}] * width])))


@scenario
def summary_sheet(world: ExcelServer, rng: random.Random) -> Draft | None:
    sheet = some_sheet(world, rng, ("January", "February", "Sheet1"))
    path = sheet["fileAbsolutePath"]
    title = rng.choice(["Summary", "Totals", "Overview"])
    last = sheet["last_row"]
    return Draft(request=f"In {path}, add a new sheet '{title}' with 'Units' in A1 and 'Revenue' in B1, and in"
                         f" row 2 formulas summing the Units and Revenue columns of sheet {sheet['sheetName']}.",
                 calls=(call("excel_read_sheet", fileAbsolutePath=path, sheetName=sheet["sheetName"],
                             cellRange="A1:F1"),
                        call("excel_write_to_sheet", fileAbsolutePath=path, sheetName=title, newSheet=True,
                             cellRange="A1:B2", values=[["Units", "Revenue"],
                                                        [f"=SUM('{sheet['sheetName']}'!E2:E{last})",
                                                         f"=SUM('{sheet['sheetName']}'!F2:F{last})"]])))


@scenario
def stock_capture(world: ExcelServer, rng: random.Random) -> Draft:
    sheet = some_sheet(world, rng)
    return Draft(request=f"I need a picture of the first ten rows of sheet {sheet['sheetName']} in"
                         f" {sheet['fileAbsolutePath']} for a slide; where is the image saved?",
                 calls=(call("excel_screen_capture", fileAbsolutePath=sheet["fileAbsolutePath"],
                             sheetName=sheet["sheetName"], cellRange=a1(1, 1, 10, sheet["last_col"])),),
                 answer=(f"{sheet['fileAbsolutePath'].rsplit('.', 1)[0]}-{sheet['sheetName']}-A1_"
                         f"{column_letters(sheet['last_col'])}10.png",))
