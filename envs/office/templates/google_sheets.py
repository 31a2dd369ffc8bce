"""Task templates of GoogleSheets: finding a spreadsheet by its title, then reading or editing its cells."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.office.google_sheets import ME, GoogleSheets


def id_of(title: str) -> Any:
    return lambda listing: next(s["spreadsheet_id"] for s in listing["spreadsheets"] if s["title"] == title)


def editable_sheet(world: GoogleSheets, rng: random.Random, edit: bool = True) -> dict[str, Any]:
    return rng.choice(world.rows(
        "SELECT s.*, b.title, (SELECT MAX(row) FROM cells c WHERE c.spreadsheet_id = s.spreadsheet_id AND"
        " c.sheet_id = s.sheet_id) AS last_row FROM sheets s JOIN spreadsheets b USING (spreadsheet_id)"
        " JOIN permissions p ON p.spreadsheet_id = s.spreadsheet_id AND p.email = ?"
        " WHERE (?2 = 0 OR p.role != 'reader') ORDER BY s.spreadsheet_id, s.sheet", ME, int(edit)))


def value(world: GoogleSheets, sheet: dict[str, Any], row: int, col: int) -> Any:
    return world.value("SELECT value FROM cells WHERE spreadsheet_id = ? AND sheet_id = ? AND row = ? AND col = ?",
                       sheet["spreadsheet_id"], sheet["sheet_id"], row, col)


def unique_row(world: GoogleSheets, rng: random.Random, sheet: dict[str, Any]) -> int | None:
    firsts = [value(world, sheet, r, 1) for r in range(2, sheet["last_row"] + 1)]
    rows = [r for r, v in enumerate(firsts, 2) if firsts.count(v) == 1]
    return rng.choice(rows) if rows else None


@scenario
def look_up_cell(world: GoogleSheets, rng: random.Random) -> Draft | None:
    sheet = editable_sheet(world, rng, edit=False)
    row = unique_row(world, rng, sheet)
    if row is None:
        return None
    col = rng.randrange(2, 4)
    header = value(world, sheet, 1, col)
    return Draft(request=f"In my '{sheet['title']}' spreadsheet, tab {sheet['sheet']}: what's the {header} for"
                         f" {value(world, sheet, row, 1)}?",
                 calls=(call("list_spreadsheets"),
                        call("get_sheet_data", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"])),
                 answer=(value(world, sheet, row, col),))


@scenario
def append_entry(world: GoogleSheets, rng: random.Random) -> Draft | None:
    sheet = editable_sheet(world, rng)
    width = world.value("SELECT MAX(col) FROM cells WHERE spreadsheet_id = ? AND sheet_id = ?",
                        sheet["spreadsheet_id"], sheet["sheet_id"])
    headers = [value(world, sheet, 1, c) for c in range(1, width + 1)]
    entry = [rng.choice(["Jordan Lee", "Priya Nair", "Sam Ortiz", "Mia Chen"]) if h in ("Name", "Owner", "Author")
             else (rng.randrange(5, 300) if h in ("Amount", "Price", "Points") else
                   value(world, sheet, 2, c)) for c, h in enumerate(headers, 1)]
    row = sheet["last_row"] + 1
    calls = [call("list_spreadsheets")]
    if row > sheet["row_count"]:
        calls.append(call("add_rows", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"],
                          count=1))
    calls.append(call("batch_update_cells", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"],
                      range=f"A{row}:{chr(64 + width)}{row}", data=[entry]))
    said = ", ".join(f"{h}: {v}" for h, v in zip(headers, entry))
    return Draft(request=f"Add a row at the end of the {sheet['sheet']} tab in '{sheet['title']}' (row {row}) with"
                         f" {said}.", calls=tuple(calls))


@scenario
def remove_entry(world: GoogleSheets, rng: random.Random) -> Draft | None:
    sheet = editable_sheet(world, rng)
    row = unique_row(world, rng, sheet)
    if row is None:
        return None
    return Draft(request=f"Delete the row for {value(world, sheet, row, 1)} from the {sheet['sheet']} tab of my"
                         f" '{sheet['title']}' spreadsheet; the rows below should move up.",
                 calls=(call("list_spreadsheets"),
                        call("get_sheet_data", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"]),
                        call("delete_rows", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"],
                             start_index=row - 1, count=1)))


@scenario
def drop_column(world: GoogleSheets, rng: random.Random) -> Draft | None:
    sheet = editable_sheet(world, rng)
    width = world.value("SELECT MAX(col) FROM cells WHERE spreadsheet_id = ? AND sheet_id = ?",
                        sheet["spreadsheet_id"], sheet["sheet_id"])
    if width < 3:
        return None
    col = rng.randrange(2, width + 1)
    return Draft(request=f"We don't need the {value(world, sheet, 1, col)} column on the {sheet['sheet']} tab of"
                         f" '{sheet['title']}' anymore. Remove it entirely.",
                 calls=(call("list_spreadsheets"),
                        call("get_sheet_data", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"],
                             range="A1:Z1"),
                        call("delete_columns", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"],
                             start_index=col - 1, count=1)))


@scenario
def fix_cell(world: GoogleSheets, rng: random.Random) -> Draft | None:
    sheet = editable_sheet(world, rng)
    row = unique_row(world, rng, sheet)
    if row is None:
        return None
    choices = {"Status": ["Complete", "Blocked"], "Stage": ["Offer", "Rejected"], "RSVP": ["Yes", "No"],
               "City": ["Berlin", "Austin"], "Company": ["Acme Corp"], "Category": ["Events", "Transport"]}
    cols = [c for c in range(2, 6) if value(world, sheet, 1, c) in choices]
    if not cols:
        return None
    col = rng.choice(cols)
    header = value(world, sheet, 1, col)
    new = rng.choice([v for v in choices[header] if v != value(world, sheet, row, col)] or ["n/a"])
    return Draft(request=f"In '{sheet['title']}', tab {sheet['sheet']}, change the {header} of"
                         f" {value(world, sheet, row, 1)} to {new}.",
                 calls=(call("list_spreadsheets"),
                        call("get_sheet_data", spreadsheet_id=Ref(0, then=id_of(sheet["title"])), sheet=sheet["sheet"]),
                        call("batch_update_cells", spreadsheet_id=Ref(0, then=id_of(sheet["title"])),
                             sheet=sheet["sheet"], ranges={f"{chr(64 + col)}{row}": [[new]]})))


@scenario
def share_with_colleague(world: GoogleSheets, rng: random.Random) -> Draft:
    book = rng.choice(world.rows("SELECT * FROM spreadsheets WHERE owner = ? ORDER BY spreadsheet_id", ME))
    email = rng.choice(["dana.ruiz@example.com", "li.wei@example.com", "omar.haddad@example.com"])
    role = rng.choice(["reader", "commenter", "writer"])
    verb = {"reader": "view", "commenter": "comment on", "writer": "edit"}[role]
    return Draft(request=f"Let {email} {verb} my '{book['title']}' spreadsheet.",
                 calls=(call("list_spreadsheets"),
                        call("share_spreadsheet", spreadsheet_id=Ref(0, then=id_of(book["title"])), email=email,
                             role=role)))
