"""GoogleSheets: the user's Google Sheets in Drive: spreadsheets with ids, sheets with grid properties, cell values
by A1 ranges ('Sheet1!A1:C3'), row and column edits, sheet copies, and sharing with edit rights."""

from __future__ import annotations

import functools
import random
import string
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World
from envs.office.excel_server import a1, parse_range

ME = "me@gmail.com"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
ID_CHARS = string.ascii_letters + string.digits + "-_"
COLUMNS = {  # header -> value maker (rng, fake)
    "Name": lambda rng, fake: fake.name(), "Email": lambda rng, fake: fake.free_email(),
    "Company": lambda rng, fake: fake.company(), "City": lambda rng, fake: fake.city(),
    "Stage": lambda rng, fake: rng.choice(["Applied", "Phone screen", "Onsite", "Offer", "Rejected"]),
    "Role": lambda rng, fake: rng.choice(["Backend Engineer", "Designer", "Data Analyst", "Account Executive"]),
    "Amount": lambda rng, fake: round(rng.uniform(5, 1500), 2), "Month": lambda rng, fake: rng.choice(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]),
    "Category": lambda rng, fake: rng.choice(["Rent", "Groceries", "Utilities", "Transport", "Fun", "Ads", "Events"]),
    "Owner": lambda rng, fake: fake.first_name(), "Status": lambda rng, fake: rng.choice(
        ["Not started", "In progress", "Complete", "Blocked"]),
    "Points": lambda rng, fake: rng.choice([1, 2, 3, 5, 8, 13]), "Title": lambda rng, fake: fake.catch_phrase(),
    "Author": lambda rng, fake: fake.name(), "RSVP": lambda rng, fake: rng.choice(["Yes", "No", "Maybe"]),
    "Price": lambda rng, fake: round(rng.uniform(3, 250), 2), "Phone": lambda rng, fake: fake.numerify("###-###-####"),
}
BOOKS = {  # title -> sheets (name, headers)
    "Marketing Budget 2026": [("Budget", ["Month", "Category", "Owner", "Amount"]), ("Vendors", ["Company", "Email"])],
    "Customer Contacts": [("Contacts", ["Name", "Company", "Email", "Phone", "City"])],
    "Hiring Pipeline": [("Candidates", ["Name", "Role", "Stage", "Email"]), ("Archive", ["Name", "Role", "Stage"])],
    "Book Club Reading List": [("Books", ["Title", "Author", "Owner", "Status"])],
    "Wedding Guest List": [("Guests", ["Name", "Email", "RSVP", "City"])],
    "Sprint Board": [("Sprint 14", ["Title", "Owner", "Points", "Status"]), ("Sprint 15", ["Title", "Owner", "Points", "Status"])],
    "Household Expenses": [("Expenses", ["Month", "Category", "Amount"])],
    "Vendor Price Comparison": [("Quotes", ["Company", "Category", "Price", "Email"])],
    "Team OKRs Q1": [("Objectives", ["Title", "Owner", "Status"])],
}
SpreadsheetId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{20,}$")]
Grid = list[list[str | int | float | bool | None]]

Spreadsheet = TypedDict("Spreadsheet", {"spreadsheet_id": str, "title": str, "owner": str, "access": str})
SpreadsheetList = TypedDict("SpreadsheetList", {"spreadsheets": list[Spreadsheet]})
GridProperties = TypedDict("GridProperties", {"rowCount": int, "columnCount": int})
SheetProperties = TypedDict("SheetProperties", {"sheet_id": int, "title": str, "index": int,
                                                "gridProperties": GridProperties})
Info = TypedDict("Info", {"spreadsheet_id": str, "title": str, "owner": str, "sheets": list[SheetProperties],
                          "created_time": str, "modified_time": str})
SheetNames = TypedDict("SheetNames", {"spreadsheet_id": str, "sheet_names": list[str]})
Values = TypedDict("Values", {"range": str, "data": list[list[Any]]})
Created = TypedDict("Created", {"spreadsheet_id": str, "title": str, "url": str})
NewSheet = TypedDict("NewSheet", {"sheet_id": int, "title": str, "spreadsheet_id": str})
Updated = TypedDict("Updated", {"updated_ranges": list[str], "total_updated_cells": int, "spreadsheet_id": str})
Resized = TypedDict("Resized", {"sheet": str, "spreadsheet_id": str, "rowCount": int, "columnCount": int})
Renamed = TypedDict("Renamed", {"old_name": str, "new_name": str, "spreadsheet_id": str})
Permission = TypedDict("Permission", {"spreadsheet_id": str, "email": str, "role": str})


class GoogleSheets(World):
    """The Google Sheets of the user me@gmail.com: their own spreadsheets and ones others shared with them (as
    reader or writer; only writers and owners may edit, only owners may share). Each sheet has a grid size
    (gridProperties rowCount x columnCount); writes must fit inside it. Ranges are A1 notation, optionally with
    the sheet name: 'A1:C3' or 'Sheet1!A1:C3'."""

    domain = "Office"
    schema = """
    CREATE TABLE spreadsheets (spreadsheet_id TEXT PRIMARY KEY, title TEXT NOT NULL, owner TEXT NOT NULL,
                               created_time TEXT NOT NULL, modified_time TEXT NOT NULL);
    CREATE TABLE sheets (spreadsheet_id TEXT NOT NULL REFERENCES spreadsheets, sheet_id INTEGER NOT NULL,
                         sheet TEXT NOT NULL, sheet_index INTEGER NOT NULL, row_count INTEGER NOT NULL,
                         column_count INTEGER NOT NULL, PRIMARY KEY (spreadsheet_id, sheet_id),
                         UNIQUE (spreadsheet_id, sheet));
    CREATE TABLE cells (spreadsheet_id TEXT NOT NULL, sheet_id INTEGER NOT NULL, row INTEGER NOT NULL,
                        col INTEGER NOT NULL, value, PRIMARY KEY (spreadsheet_id, sheet_id, row, col));
    CREATE TABLE permissions (spreadsheet_id TEXT NOT NULL REFERENCES spreadsheets, email TEXT NOT NULL,
                              role TEXT NOT NULL, PRIMARY KEY (spreadsheet_id, email));
    CREATE INDEX permissions_by_email ON permissions (email, role);
    """
    volatile = {"spreadsheets": ("modified_time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        books, sheets, cells, permissions = [], [], [], []
        for title, specs in BOOKS.items():
            book_id = "1" + "".join(rng.choice(ID_CHARS) for _ in range(43))
            owner = ME if rng.random() < 0.7 else fake.free_email()
            created = cls.days_before_start(rng, 30, 400)
            books.append({"spreadsheet_id": book_id, "title": title, "owner": owner,
                          "created_time": f"{created}T10:00:00Z",
                          "modified_time": f"{cls.days_before_start(rng, 0, 29)}T16:30:00Z"})
            permissions.append({"spreadsheet_id": book_id, "email": owner, "role": "owner"})
            if owner != ME:
                permissions.append({"spreadsheet_id": book_id, "email": ME, "role": rng.choice(["reader", "writer"])})
            for email in sorted({fake.free_email() for _ in range(rng.randrange(0, 4))} - {ME, owner}):
                permissions.append({"spreadsheet_id": book_id, "email": email, "role": rng.choice(["reader", "writer"])})
            for index, (name, headers) in enumerate(specs):
                sheet_id = 0 if index == 0 else rng.randrange(10**8, 2 * 10**9)
                lines = rng.randrange(8, 30)
                sheets.append({"spreadsheet_id": book_id, "sheet_id": sheet_id, "sheet": name, "sheet_index": index,
                               "row_count": rng.choice([lines + 1, 100, 1000]), "column_count": rng.choice(
                                   [len(headers), 26])})
                for r in range(1, lines + 2):
                    for c, header in enumerate(headers, 1):
                        cells.append({"spreadsheet_id": book_id, "sheet_id": sheet_id, "row": r, "col": c,
                                      "value": header if r == 1 else COLUMNS[header](rng, fake)})
        for table, rows in [("spreadsheets", books), ("sheets", sheets), ("cells", cells),
                            ("permissions", permissions)]:
            db[table].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _book(self, spreadsheet_id: str, edit: bool = False) -> dict[str, Any]:
        book = self.row("SELECT s.*, p.role FROM spreadsheets s JOIN permissions p USING (spreadsheet_id)"
                        " WHERE s.spreadsheet_id = ? AND p.email = ?", spreadsheet_id, ME)
        return self._access(book, spreadsheet_id, edit)

    def _access(self, book: dict[str, Any] | None, spreadsheet_id: str, edit: bool) -> dict[str, Any]:
        """Check a spreadsheet shared with the user (for ``edit``, with edit rights, and mark it modified)."""
        if book is None:
            raise ToolError(f"spreadsheet '{spreadsheet_id}' not found or not shared with you;"
                            " list_spreadsheets shows yours")
        if edit and book["role"] == "reader":
            raise ToolError(f"you only have view access to '{book['title']}'; ask its owner {book['owner']}"
                            " for edit access")
        if edit:
            self.execute("UPDATE spreadsheets SET modified_time = ? WHERE spreadsheet_id = ?", self.clock_text(STAMP),
                         spreadsheet_id)
        return book

    def _sheet(self, spreadsheet_id: str, sheet: str, edit: bool = False, free: str | None = None) -> dict[str, Any]:
        """The sheets row of a sheet of a spreadsheet checked as _book checks it (one query for both); ``free``:
        also check that no sheet of the spreadsheet is named ``free`` (stripped, ignoring case)."""
        taken = ", EXISTS (SELECT 1 FROM sheets WHERE spreadsheet_id = ?1 AND lower(sheet) = lower(?4)) AS taken"
        book = self._access(self.row(
            "SELECT s.title, s.owner, p.role, t.spreadsheet_id AS t_spreadsheet_id, t.sheet_id, t.sheet, t.sheet_index,"
            f" t.row_count, t.column_count{taken if free is not None else ''} FROM spreadsheets s JOIN permissions p"
            " USING (spreadsheet_id) LEFT JOIN sheets t ON t.spreadsheet_id = s.spreadsheet_id AND t.sheet = ?3 WHERE"
            " s.spreadsheet_id = ?1 AND p.email = ?2", spreadsheet_id, ME, sheet,
            *(() if free is None else (free.strip(),))), spreadsheet_id, edit)
        if book["sheet_id"] is None:  # sheet_id is NOT NULL: no such sheet
            raise ToolError(f"'{book['title']}' has no sheet '{sheet}'; list_sheets shows its sheets")
        if free is not None and book["taken"]:
            raise ToolError(f"a sheet named '{free.strip()}' already exists; choose another name")
        return {"spreadsheet_id": book["t_spreadsheet_id"], "sheet_id": book["sheet_id"], "sheet": book["sheet"],
                "sheet_index": book["sheet_index"], "row_count": book["row_count"],
                "column_count": book["column_count"]}

    def _bounds(self, sheet: dict[str, Any], text: str) -> tuple[int, int, int, int]:
        if "!" in text:
            name, _, text = text.rpartition("!")
            if name.strip("'") != sheet["sheet"]:
                raise ToolError(f"range names sheet '{name.strip(chr(39))}' but the call is for '{sheet['sheet']}'")
        bounds = parse_range(text)
        if bounds[2] > sheet["row_count"] or bounds[3] > sheet["column_count"]:
            raise ToolError(f"range {a1(*bounds)} exceeds grid limits of '{sheet['sheet']}' ({sheet['row_count']}"
                            f" rows x {sheet['column_count']} columns); add_rows or add_columns first")
        return bounds

    def _add_sheet(self, spreadsheet_id: str, name: str, rows: int = 1000, cols: int = 26, first: bool = False
                   ) -> tuple[str, int]:
        """Append a sheet named ``name`` (stripped; no sheet of the spreadsheet may have that name, ignoring case);
        returns its name and id (``first``: the spreadsheet was just created, so it has no sheets yet)."""
        name = name.strip()
        if first:
            self.execute("INSERT INTO sheets VALUES (?, 0, ?, 0, ?, ?)", spreadsheet_id, name, rows, cols)
            return name, 0
        count, after, taken = self.conn.execute(
            "SELECT COUNT(*), COALESCE(MAX(sheet_id), 0) + 1, EXISTS (SELECT 1 FROM sheets WHERE spreadsheet_id = ?1"
            " AND lower(sheet) = lower(?2)) FROM sheets WHERE spreadsheet_id = ?1", (spreadsheet_id, name)).fetchone()
        if taken:
            raise ToolError(f"a sheet named '{name}' already exists; choose another name")
        sheet_id = after if count else 0
        self.execute("INSERT INTO sheets VALUES (?, ?, ?, ?, ?, ?)", spreadsheet_id, sheet_id, name, count, rows, cols)
        return name, sheet_id

    def _upsert(self, cells: list[tuple[Any, ...]]) -> None:
        """Write cells (spreadsheet_id, sheet_id, row, col, value), in order, CHUNK per statement."""
        for start in range(0, len(cells), CHUNK):
            chunk = cells[start : start + CHUNK]
            self.execute(_upsert_cells(len(chunk)), *(value for cell in chunk for value in cell))

    @staticmethod
    def _resized(spreadsheet_id: str, sheet: str, rows: int, columns: int) -> Resized:
        return {"sheet": sheet, "spreadsheet_id": spreadsheet_id, "rowCount": rows, "columnCount": columns}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list my spreadsheets", "show me the Google Sheets I can open"])
    def list_spreadsheets(self) -> SpreadsheetList:
        """List the spreadsheets you own or that are shared with you, with your access (owner, writer, reader)."""
        return {"spreadsheets": self.rows(
            "SELECT s.spreadsheet_id, s.title, s.owner, p.role AS access FROM spreadsheets s JOIN permissions p"
            " USING (spreadsheet_id) WHERE p.email = ? ORDER BY s.modified_time DESC, s.title", ME)}

    @tool(phrase=["get the details of {spreadsheet_id}", "show me the sheets and grid sizes of {spreadsheet_id}"])
    def get_spreadsheet_info(self, spreadsheet_id: SpreadsheetId) -> Info:
        """A spreadsheet's title, owner, times and sheets with their ids and grid sizes.

        Args:
            spreadsheet_id: The spreadsheet's id (from its URL or list_spreadsheets).
        """
        book = self._book(spreadsheet_id)
        return {"spreadsheet_id": spreadsheet_id, "title": book["title"], "owner": book["owner"],
                "created_time": book["created_time"], "modified_time": book["modified_time"], "sheets": [
                    {"sheet_id": s["sheet_id"], "title": s["sheet"], "index": s["sheet_index"],
                     "gridProperties": {"rowCount": s["row_count"], "columnCount": s["column_count"]}}
                    for s in self.rows("SELECT * FROM sheets WHERE spreadsheet_id = ? ORDER BY sheet_index",
                                       spreadsheet_id)]}

    @tool(phrase=["list the sheets of {spreadsheet_id}", "which tabs does {spreadsheet_id} have"])
    def list_sheets(self, spreadsheet_id: SpreadsheetId) -> SheetNames:
        """The names of a spreadsheet's sheets (tabs), in order.

        Args:
            spreadsheet_id: The spreadsheet's id.
        """
        self._book(spreadsheet_id)
        return {"spreadsheet_id": spreadsheet_id, "sheet_names": [r["sheet"] for r in self.rows(
            "SELECT sheet FROM sheets WHERE spreadsheet_id = ? ORDER BY sheet_index", spreadsheet_id)]}

    @tool(phrase=["read the {sheet} tab of {spreadsheet_id}[, range {range}]",
                  "show me the data on sheet {sheet} of {spreadsheet_id}"])
    def get_sheet_data(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr,
                       range: str | None = None) -> Values:  # noqa: A002 (the API's name)
        """Read cell values of a sheet, row by row (the filled part of the grid by default); trailing empty cells
        of a row are left out, as in the Sheets API.

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            range: A1 range, e.g. 'A1:C10' or 'Budget!A1:C10'.
        """
        found = self._sheet(spreadsheet_id, sheet)
        if range:
            r1, c1, r2, c2 = self._bounds(found, range)
        else:
            r2, c2 = self.conn.execute("SELECT MAX(row), MAX(col) FROM cells WHERE spreadsheet_id = ? AND"
                                       " sheet_id = ?", (spreadsheet_id, found["sheet_id"])).fetchone()
            r1, c1, r2, c2 = 1, 1, r2 or 1, c2 or 1
        cells = {(c["row"], c["col"]): c["value"] for c in self.rows(
            "SELECT row, col, value FROM cells WHERE spreadsheet_id = ? AND sheet_id = ? AND row BETWEEN ? AND ?"
            " AND col BETWEEN ? AND ?", spreadsheet_id, found["sheet_id"], r1, r2, c1, c2)}
        data = []
        for r in range_(r1, r2):
            line = [cells.get((r, c)) for c in range_(c1, c2)]
            while line and line[-1] in (None, ""):
                line.pop()
            data.append(line)
        return {"range": f"{sheet}!{a1(r1, c1, r2, c2)}", "data": data}

    @tool(writes=True, phrase=["create a new spreadsheet called {title}", "start a Google Sheet named {title}"])
    def create_spreadsheet(self, title: NonEmptyStr) -> Created:
        """Create a spreadsheet you own, with one empty sheet 'Sheet1' of 1000 rows x 26 columns.

        Args:
            title: The spreadsheet's title.
        """
        book_id = "1" + self.new_id("spreadsheets", "ss").ljust(43, "0")
        stamp = self.clock_text(STAMP)
        self.execute("INSERT INTO spreadsheets VALUES (?, ?, ?, ?, ?)", book_id, title.strip(), ME, stamp, stamp)
        self.execute("INSERT INTO permissions VALUES (?, ?, 'owner')", book_id, ME)
        self._add_sheet(book_id, "Sheet1", first=True)
        return {"spreadsheet_id": book_id, "title": title.strip(),
                "url": f"https://docs.google.com/spreadsheets/d/{book_id}/edit"}

    @tool(writes=True, phrase=["add a new tab {title} to {spreadsheet_id}", "create a sheet named {title} in {spreadsheet_id}"])
    def create_sheet(self, spreadsheet_id: SpreadsheetId, title: NonEmptyStr) -> NewSheet:
        """Add an empty sheet (1000 x 26) at the end of a spreadsheet.

        Args:
            spreadsheet_id: The spreadsheet's id.
            title: Name of the new sheet, unique in the spreadsheet.
        """
        self._book(spreadsheet_id, edit=True)
        name, sheet_id = self._add_sheet(spreadsheet_id, title)
        return {"sheet_id": sheet_id, "title": name, "spreadsheet_id": spreadsheet_id}

    @tool(writes=True, phrase=["write {data} into {range} of the {sheet} tab in {spreadsheet_id}",
                               "fill the cells {ranges} on sheet {sheet} of {spreadsheet_id}"])
    def batch_update_cells(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr,
                           ranges: dict[str, Grid] | None = None, range: str | None = None,  # noqa: A002
                           data: Grid | None = None) -> Updated:
        """Write values into one or more ranges of a sheet: either ranges {'A1:B2': [[..],[..]], ...} or one
        range with data. Each range's shape must match its rows; ranges must fit in the sheet's grid.

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            ranges: A1 ranges mapped to rows of values.
            range: One A1 range (with data).
            data: Rows of values for range.
        """
        found = self._sheet(spreadsheet_id, sheet, edit=True)
        todo = dict(ranges or {})
        if range is not None or data is not None:
            if range is None or data is None:
                raise ToolError("give range and data together (or use ranges)")
            todo[range] = data
        if not todo:
            raise ToolError("nothing to write: give ranges, or range and data")
        written, total = [], 0
        for text, rows in todo.items():
            r1, c1, r2, c2 = bounds = self._bounds(found, text)
            if len(rows) != r2 - r1 + 1 or any(len(line) != c2 - c1 + 1 for line in rows):
                raise ToolError(f"{a1(*bounds)} needs {r2 - r1 + 1} row(s) of {c2 - c1 + 1} value(s)")
            cells = [(spreadsheet_id, found["sheet_id"], r1 + dr, c1 + dc, value)
                     for dr, line in enumerate(rows) for dc, value in enumerate(line)]
            self._upsert(cells)
            total += len(cells)
            written.append(f"{sheet}!{a1(*bounds)}")
        return {"updated_ranges": written, "total_updated_cells": total, "spreadsheet_id": spreadsheet_id}

    @tool(writes=True, phrase=["add [{count} ]rows at the bottom of the {sheet} tab of {spreadsheet_id}",
                               "make room for {count} more rows in sheet {sheet} of {spreadsheet_id}"])
    def add_rows(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr,
                 count: Annotated[int, Field(ge=1, le=5000)] = 1) -> Resized:
        """Grow a sheet's grid by empty rows at the bottom.

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            count: How many rows to add.
        """
        found = self._sheet(spreadsheet_id, sheet, edit=True)
        self.execute("UPDATE sheets SET row_count = row_count + ? WHERE spreadsheet_id = ? AND sheet = ?", count,
                     spreadsheet_id, sheet)
        return self._resized(spreadsheet_id, sheet, found["row_count"] + count, found["column_count"])

    @tool(writes=True, phrase=["add [{count} ]columns to the {sheet} tab of {spreadsheet_id}",
                               "give sheet {sheet} of {spreadsheet_id} {count} more columns"])
    def add_columns(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr,
                    count: Annotated[int, Field(ge=1, le=500)] = 1) -> Resized:
        """Grow a sheet's grid by empty columns at the right (at most 18,278 columns, up to ZZZ).

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            count: How many columns to add.
        """
        found = self._sheet(spreadsheet_id, sheet, edit=True)
        if found["column_count"] + count > 18_278:
            raise ToolError(f"a sheet has at most 18278 columns; '{sheet}' has {found['column_count']}")
        self.execute("UPDATE sheets SET column_count = column_count + ? WHERE spreadsheet_id = ? AND sheet = ?",
                     count, spreadsheet_id, sheet)
        return self._resized(spreadsheet_id, sheet, found["row_count"], found["column_count"] + count)

    def _delete(self, spreadsheet_id: str, sheet: str, axis: str, start_index: int, count: int) -> Resized:
        found = self._sheet(spreadsheet_id, sheet, edit=True)
        size_column = {"row": "row_count", "col": "column_count"}[axis]
        size = found[size_column]
        if start_index + count > size:
            raise ToolError(f"'{sheet}' has only {size} {'column' if axis == 'col' else 'row'}s (indexes 0 to {size - 1}); nothing to delete at"
                            f" {start_index}+{count}")
        if count >= size:
            raise ToolError(f"cannot delete every {'column' if axis == 'col' else 'row'} of '{sheet}'; a sheet keeps at least one")
        first, key = start_index + 1, found["sheet_id"]
        self.execute(f"DELETE FROM cells WHERE spreadsheet_id = ? AND sheet_id = ? AND {axis} BETWEEN ? AND ?",
                     spreadsheet_id, key, first, first + count - 1)
        self.execute(f"UPDATE cells SET {axis} = -({axis} - ?) WHERE spreadsheet_id = ? AND sheet_id = ? AND"
                     f" {axis} >= ?", count, spreadsheet_id, key, first + count)
        self.execute(f"UPDATE cells SET {axis} = -{axis} WHERE spreadsheet_id = ? AND sheet_id = ? AND {axis} < 0",
                     spreadsheet_id, key)
        self.execute(f"UPDATE sheets SET {size_column} = {size_column} - ? WHERE spreadsheet_id = ? AND sheet = ?",
                     count, spreadsheet_id, sheet)
        sizes = {"row_count": found["row_count"], "column_count": found["column_count"], size_column: size - count}
        return self._resized(spreadsheet_id, sheet, sizes["row_count"], sizes["column_count"])

    @tool(writes=True, phrase=["delete [{count} ]rows of the {sheet} tab in {spreadsheet_id} from 0-based index {start_index}",
                               "remove rows from sheet {sheet} of {spreadsheet_id}, starting at index {start_index}[, {count} of them]"])
    def delete_rows(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr, start_index: Annotated[int, Field(ge=0)],
                    count: Annotated[int, Field(ge=1, le=5000)] = 1) -> Resized:
        """Delete rows; the rows below move up. start_index is 0-based (row 1 is index 0).

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            start_index: 0-based index of the first row to delete.
            count: How many rows to delete.
        """
        return self._delete(spreadsheet_id, sheet, "row", start_index, count)

    @tool(writes=True, phrase=["delete [{count} ]columns of the {sheet} tab in {spreadsheet_id} from 0-based index {start_index}",
                               "remove columns from sheet {sheet} of {spreadsheet_id}, starting at index {start_index}[, {count} of them]"])
    def delete_columns(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr,
                       start_index: Annotated[int, Field(ge=0)],
                       count: Annotated[int, Field(ge=1, le=500)] = 1) -> Resized:
        """Delete columns; the columns to the right move left. start_index is 0-based (column A is index 0).

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's name.
            start_index: 0-based index of the first column to delete.
            count: How many columns to delete.
        """
        return self._delete(spreadsheet_id, sheet, "col", start_index, count)

    @tool(writes=True, phrase=["duplicate the {sheet} tab of {spreadsheet_id} as {new_sheet_name}",
                               "make a copy of sheet {sheet} in {spreadsheet_id} named {new_sheet_name}"])
    def copy_sheet(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr, new_sheet_name: NonEmptyStr) -> NewSheet:
        """Duplicate a sheet (values and grid size) as a new last sheet of the same spreadsheet.

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet to copy.
            new_sheet_name: Name of the copy, unique in the spreadsheet.
        """
        found = self._sheet(spreadsheet_id, sheet, edit=True)
        name, sheet_id = self._add_sheet(spreadsheet_id, new_sheet_name, found["row_count"], found["column_count"])
        self.execute("INSERT INTO cells SELECT spreadsheet_id, ?, row, col, value FROM cells WHERE spreadsheet_id = ?"
                     " AND sheet_id = ?", sheet_id, spreadsheet_id, found["sheet_id"])
        return {"sheet_id": sheet_id, "title": name, "spreadsheet_id": spreadsheet_id}

    @tool(writes=True, phrase=["rename the {sheet} tab of {spreadsheet_id} to {new_name}",
                               "call sheet {sheet} in {spreadsheet_id} {new_name} from now on"])
    def rename_sheet(self, spreadsheet_id: SpreadsheetId, sheet: NonEmptyStr, new_name: NonEmptyStr) -> Renamed:
        """Rename a sheet (tab).

        Args:
            spreadsheet_id: The spreadsheet's id.
            sheet: The sheet's current name.
            new_name: Its new name, unique in the spreadsheet.
        """
        self._sheet(spreadsheet_id, sheet, edit=True, free=new_name)
        name = new_name.strip()  # free, as _sheet checked
        self.execute("UPDATE sheets SET sheet = ? WHERE spreadsheet_id = ? AND sheet = ?", name, spreadsheet_id, sheet)
        return {"old_name": sheet, "new_name": name, "spreadsheet_id": spreadsheet_id}

    @tool(writes=True, phrase=["share {spreadsheet_id} with {email} as {role}",
                               "give {email} {role} access to {spreadsheet_id}"])
    def share_spreadsheet(self, spreadsheet_id: SpreadsheetId,
                          email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")],
                          role: Literal["reader", "commenter", "writer"]) -> Permission:
        """Share a spreadsheet you own with someone (or change their role). Only the owner can share.

        Args:
            spreadsheet_id: The spreadsheet's id.
            email: The person's email address.
            role: reader, commenter or writer.
        """
        book = self._book(spreadsheet_id)
        if book["role"] != "owner":
            raise ToolError(f"only the owner ({book['owner']}) can share '{book['title']}'")
        email = email.strip().lower()
        if email == ME:
            raise ToolError("you already own this spreadsheet")
        self.upsert("permissions", {"spreadsheet_id": spreadsheet_id, "email": email}, {"role": role})
        return {"spreadsheet_id": spreadsheet_id, "email": email, "role": role}


@functools.cache
def _upsert_cells(count: int) -> str:
    """An upsert of ``count`` cells in one statement (rows applied in order)."""
    return ("INSERT INTO cells VALUES " + ", ".join(["(?, ?, ?, ?, ?)"] * count) +
            " ON CONFLICT DO UPDATE SET value = excluded.value")


#: Cells one write statement upserts at most (one prepared statement per chunk size).
CHUNK = 16


def range_(first: int, last: int) -> range:
    return range(first, last + 1)
