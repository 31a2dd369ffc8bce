"""ExcelServer: .xlsx workbooks on the local disk, read and edited cell by cell: sheets, A1 ranges, Excel tables
(ListObjects), cell formats and sheet copies."""

from __future__ import annotations

import functools
import json
import random
import re
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
#: Cells a write statement upserts at once (one statement per chunk size, so few prepared statements).
CHUNK = 16
REGIONS = ["North", "South", "East", "West", "Central"]
PRODUCTS = {"Laptop Stand": 39.0, "USB-C Hub": 54.0, "Wireless Mouse": 25.0, "Monitor 27in": 289.0,
            "Desk Lamp": 45.0, "Webcam HD": 79.0, "Keyboard": 65.0}
CATEGORIES = ["Travel", "Software", "Office supplies", "Meals", "Training", "Hardware", "Marketing"]
DEPARTMENTS = ["Engineering", "Sales", "Finance", "Operations", "Marketing", "Support"]
FilePath = Annotated[str, UserKnown, Field(pattern=r"^/.+\.xlsx$")]
SheetName = Annotated[str, Field(min_length=1, max_length=31)]
Range = Annotated[str, Field(pattern=r"^\$?[A-Za-z]{1,3}\$?[0-9]+(:\$?[A-Za-z]{1,3}\$?[0-9]+)?$")]
Scalar = str | int | float | bool | None


class Style(TypedDict, total=False):
    bold: bool
    italic: bool
    fontColor: str
    fill: str
    numberFormat: str
    border: str


TableInfo = TypedDict("TableInfo", {"tableName": str, "cellRange": str})
SheetInfo = TypedDict("SheetInfo", {"name": str, "usedRange": str, "tables": list[TableInfo]})
Sheets = TypedDict("Sheets", {"fileAbsolutePath": str, "sheets": list[SheetInfo]})
ReadResult = TypedDict("ReadResult", {"sheetName": str, "cellRange": str, "values": list[list[Any]],
                                      "styles": list[list[dict[str, Any]]] | None})
Capture = TypedDict("Capture", {"imagePath": str, "sheetName": str, "cellRange": str})
WriteResult = TypedDict("WriteResult", {"status": str, "fileAbsolutePath": str, "sheetName": str, "cellRange": str})
TableResult = TypedDict("TableResult", {"tableName": str, "cellRange": str, "sheetName": str})
CopyResult = TypedDict("CopyResult", {"srcSheetName": str, "dstSheetName": str, "fileAbsolutePath": str})
FormatResult = TypedDict("FormatResult", {"status": str, "formattedRange": str, "sheetName": str})


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_range(text: str) -> tuple[int, int, int, int]:
    """'B2:D5' (or one cell 'B2') -> (first row, first column, last row, last column), 1-based."""
    corners = []
    for part in text.upper().split(":"):
        found = CELL.match(part.strip())
        if not found or column_number(found.group(1)) > MAX_COLS or int(found.group(2)) > MAX_ROWS:
            raise ToolError(f"'{part}' is not a cell inside a sheet (A1 to XFD1048576)")
        corners.append((int(found.group(2)), column_number(found.group(1))))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    if r2 < r1 or c2 < c1:
        raise ToolError(f"range '{text}' must go from its top-left to its bottom-right cell")
    return r1, c1, r2, c2


def a1(r1: int, c1: int, r2: int, c2: int) -> str:
    first, last = f"{column_letters(c1)}{r1}", f"{column_letters(c2)}{r2}"
    return first if first == last else f"{first}:{last}"


@functools.lru_cache(maxsize=4096)
def merged_style(old: str, style: tuple[tuple[str, Any], ...]) -> str:
    """A cell's style (JSON) with the keys of ``style`` replacing its old ones."""
    return json.dumps({**json.loads(old), **dict(style)}, sort_keys=True)


@functools.cache
def upsert_sql(columns: str, update: str, count: int) -> str:
    """An upsert of ``count`` cells (rows of ``columns``) in one statement; rows are applied in order."""
    one = "(" + ", ".join("?" * len(columns.split(", "))) + ")"
    return f"INSERT INTO cells ({columns}) VALUES {', '.join([one] * count)} ON CONFLICT DO UPDATE SET {update}"


def check_sheet_name(name: str) -> str:
    name = name.strip()
    if not name or BAD_SHEET_CHARS.search(name):
        raise ToolError(f"sheet name '{name}' may not be empty or contain any of [ ] : * ? / \\")
    return name


def grid(rng: random.Random, fake: Any, kind: str, rows: int) -> list[list[Any]]:
    """A header row and ``rows`` data rows of a seeded sheet of the given kind."""
    if kind == "sales":
        body = []
        for _ in range(rows):
            product = rng.choice(list(PRODUCTS))
            units = rng.randrange(1, 40)
            body.append([f"2026-{rng.randrange(1, 3):02d}-{rng.randrange(1, 29):02d}", rng.choice(REGIONS),
                         fake.first_name(), product, units, round(units * PRODUCTS[product], 2)])
        return [["Date", "Region", "Rep", "Product", "Units", "Revenue"], *sorted(body)]
    if kind == "budget":
        body = [[c, *(rng.randrange(20, 400) * 100 for _ in range(4))] for c in CATEGORIES]
        return [["Category", "Q1", "Q2", "Q3", "Q4"], *body]
    if kind == "stock":
        body = [[f"SKU-{rng.randrange(1000, 9999)}", f"{fake.color_name()} {rng.choice(list(PRODUCTS))}",
                 rng.choice(["Reno", "Dallas", "Newark"]), rng.randrange(0, 300), rng.choice([10, 20, 25, 50]),
                 PRODUCTS[rng.choice(list(PRODUCTS))]] for _ in range(rows)]
        return [["SKU", "Item", "Warehouse", "On hand", "Reorder level", "Unit cost"], *body]
    if kind == "staff":
        body = []
        for n in range(rows):
            first, last = fake.first_name(), fake.last_name()
            body.append([f"E{1040 + n * 7}", f"{first} {last}", rng.choice(DEPARTMENTS), fake.job()[:40],
                         f"20{rng.randrange(15, 26)}-{rng.randrange(1, 13):02d}-01",
                         f"{first}.{last}@contoso.com".lower().replace("'", "")])
        return [["Employee ID", "Name", "Department", "Title", "Start date", "Email"], *body]
    body = [[f"2026-02-{rng.randrange(1, 29):02d}", fake.company(), rng.choice(CATEGORIES),
             round(rng.uniform(8, 900), 2), fake.first_name()] for _ in range(rows)]
    return [["Date", "Vendor", "Category", "Amount", "Paid by"], *sorted(body)]


class ExcelServer(World):
    """Excel workbooks (.xlsx) on the user's disk, addressed by absolute path. Each has sheets of cells in A1
    notation (columns A..XFD, rows 1..1048576), Excel tables over ranges, and cell formats. Writes save the file."""

    domain = "Office"
    schema = """
    CREATE TABLE workbooks (fileAbsolutePath TEXT PRIMARY KEY, author TEXT NOT NULL);
    CREATE TABLE sheets (fileAbsolutePath TEXT NOT NULL REFERENCES workbooks, sheetName TEXT NOT NULL,
                         position INTEGER NOT NULL, PRIMARY KEY (fileAbsolutePath, sheetName));
    CREATE TABLE cells (fileAbsolutePath TEXT NOT NULL, sheetName TEXT NOT NULL, row INTEGER NOT NULL,
                        col INTEGER NOT NULL, value, formula TEXT, style TEXT NOT NULL DEFAULT '{}',
                        PRIMARY KEY (fileAbsolutePath, sheetName, row, col));
    CREATE TABLE excel_tables (fileAbsolutePath TEXT NOT NULL, tableName TEXT NOT NULL, sheetName TEXT NOT NULL,
                               cellRange TEXT NOT NULL, PRIMARY KEY (fileAbsolutePath, tableName));
    CREATE INDEX tables_by_sheet ON excel_tables (fileAbsolutePath, sheetName);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        home = f"/Users/{fake.user_name()}"
        books = [(f"{home}/Documents/Sales/q1-2026-sales.xlsx", [("January", "sales", 24), ("February", "sales", 20)]),
                 (f"{home}/Documents/Finance/budget-2026.xlsx", [("Budget", "budget", 0), ("Notes", "", 0)]),
                 (f"{home}/Documents/Finance/expenses-feb.xlsx", [("Expenses", "expenses", 30)]),
                 (f"{home}/Documents/Ops/inventory.xlsx", [("Stock", "stock", 35), ("Archive", "stock", 12)]),
                 (f"{home}/Documents/HR/team-roster.xlsx", [("Staff", "staff", 28)]),
                 (f"{home}/Desktop/regional-sales-draft.xlsx", [("Sheet1", "sales", 15)])]
        sheets, cells, tables = [], [], []
        for path, specs in books:
            db["workbooks"].insert({"fileAbsolutePath": path, "author": fake.name()})
            for position, (name, kind, rows) in enumerate(specs, 1):
                sheets.append({"fileAbsolutePath": path, "sheetName": name, "position": position})
                values = grid(rng, fake, kind, rows) if kind else [["Owner", fake.name()], ["Reviewed", "no"]]
                for r, line in enumerate(values, 1):
                    for c, value in enumerate(line, 1):
                        cells.append({"fileAbsolutePath": path, "sheetName": name, "row": r, "col": c,
                                      "value": value, "formula": None,
                                      "style": '{"bold": true}' if r == 1 and kind else "{}"})
                if kind == "budget":
                    cells += [{"fileAbsolutePath": path, "sheetName": name, "row": r, "col": 6, "style": "{}",
                               "value": sum(values[r - 1][1:5]) if r > 1 else "Total",
                               "formula": f"=SUM(B{r}:E{r})" if r > 1 else None} for r in range(1, len(values) + 1)]
                if kind in ("sales", "stock", "staff") and name != "Sheet1" and rng.random() < 0.8:
                    tables.append({"fileAbsolutePath": path, "tableName": f"{name}{kind.title()}", "sheetName": name,
                                   "cellRange": a1(1, 1, len(values), len(values[0]))})
        db["sheets"].insert_all(sheets)
        db["cells"].insert_all(cells)
        db["excel_tables"].insert_all(tables)

    # ------------------------------------------------------------------ helpers
    def _sheet(self, path: str, sheet: str) -> None:
        book, found = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM workbooks WHERE fileAbsolutePath = ?1), EXISTS (SELECT 1 FROM sheets"
            " WHERE fileAbsolutePath = ?1 AND sheetName = ?2)", (path, sheet)).fetchone()
        if not book:
            raise ToolError(f"no workbook at '{path}'; check the absolute path and the .xlsx extension")
        if not found:
            raise ToolError(f"workbook '{path}' has no sheet '{sheet}'; excel_describe_sheets lists its sheets")

    def _upsert(self, columns: str, update: str, cells: list[tuple[Any, ...]]) -> None:
        """Upsert cells (tuples of ``columns``), in order, CHUNK at a time."""
        for start in range(0, len(cells), CHUNK):
            chunk = cells[start : start + CHUNK]
            self.execute(upsert_sql(columns, update, len(chunk)), *(value for cell in chunk for value in cell))

    def _used(self, path: str, sheet: str) -> tuple[int, int, int, int]:
        rows, cols = self.conn.execute("SELECT MAX(row), MAX(col) FROM cells WHERE fileAbsolutePath = ? AND"
                                       " sheetName = ?", (path, sheet)).fetchone()
        return 1, 1, rows or 1, cols or 1

    def _cells(self, path: str, sheet: str, bounds: tuple[int, int, int, int]) -> dict[tuple[int, int], Any]:
        r1, c1, r2, c2 = bounds
        return {(c["row"], c["col"]): c for c in self.rows(
            "SELECT row, col, value, formula, style FROM cells WHERE fileAbsolutePath = ? AND sheetName = ?"
            " AND row BETWEEN ? AND ? AND col BETWEEN ? AND ?", path, sheet, r1, r2, c1, c2)}

    def _shaped(self, bounds: tuple[int, int, int, int], grid_: list[list[Any]], what: str) -> None:
        r1, c1, r2, c2 = bounds
        if len(grid_) != r2 - r1 + 1 or any(len(line) != c2 - c1 + 1 for line in grid_):
            raise ToolError(f"{what} must have {r2 - r1 + 1} row(s) of {c2 - c1 + 1} value(s) each to fill"
                            f" {a1(*bounds)}")

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me which sheets are in {fileAbsolutePath}", "describe the sheets of {fileAbsolutePath}"])
    def excel_describe_sheets(self, fileAbsolutePath: FilePath) -> Sheets:
        """List a workbook's sheets in order with their used range and the Excel tables on each.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
        """
        self.require("SELECT 1 FROM workbooks WHERE fileAbsolutePath = ?", fileAbsolutePath,
                     error=f"no workbook at '{fileAbsolutePath}'; check the absolute path and the .xlsx extension")
        return {"fileAbsolutePath": fileAbsolutePath, "sheets": [{
            "name": s["sheetName"], "usedRange": a1(*self._used(fileAbsolutePath, s["sheetName"])),
            "tables": self.rows("SELECT tableName, cellRange FROM excel_tables WHERE fileAbsolutePath = ? AND"
                                " sheetName = ? ORDER BY tableName", fileAbsolutePath, s["sheetName"])}
            for s in self.rows("SELECT sheetName FROM sheets WHERE fileAbsolutePath = ? ORDER BY position",
                               fileAbsolutePath)]}

    @tool(phrase=["read the {sheetName} sheet of {fileAbsolutePath}[ in {cellRange}]",
                  "show me what is in {cellRange} on sheet {sheetName} of {fileAbsolutePath}"])
    def excel_read_sheet(self, fileAbsolutePath: FilePath, sheetName: SheetName, cellRange: Range | None = None,
                         showFormula: bool = False, showStyle: bool = False) -> ReadResult:
        """Read the values of a range of a sheet (the used range by default), row by row; empty cells are null.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            sheetName: The sheet to read.
            cellRange: Range in A1 notation, e.g. "A1:C10".
            showFormula: Show formulas (e.g. "=SUM(B2:E2)") instead of their computed values.
            showStyle: Also return each cell's format.
        """
        self._sheet(fileAbsolutePath, sheetName)
        bounds = parse_range(cellRange) if cellRange else self._used(fileAbsolutePath, sheetName)
        r1, c1, r2, c2 = bounds
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 5000:
            raise ToolError(f"range {a1(*bounds)} has more than 5000 cells; read it in smaller ranges")
        found = self._cells(fileAbsolutePath, sheetName, bounds)
        empty = {"value": None, "formula": None, "style": "{}"}
        cells = [[found.get((r, c), empty) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        return {"sheetName": sheetName, "cellRange": a1(*bounds),
                "values": [[(c["formula"] if showFormula and c["formula"] else c["value"]) for c in line]
                           for line in cells],
                "styles": [[json.loads(c["style"]) for c in line] for line in cells] if showStyle else None}

    @tool(phrase=["take a screenshot of {cellRange} on {sheetName} in {fileAbsolutePath}",
                  "capture an image of sheet {sheetName} of {fileAbsolutePath}[, range {cellRange}]"])
    def excel_screen_capture(self, fileAbsolutePath: FilePath, sheetName: SheetName,
                             cellRange: Range | None = None) -> Capture:
        """Render a range of a sheet (the used range by default) to a PNG image beside the workbook.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            sheetName: The sheet to capture.
            cellRange: Range in A1 notation.
        """
        self._sheet(fileAbsolutePath, sheetName)
        shown = a1(*(parse_range(cellRange) if cellRange else self._used(fileAbsolutePath, sheetName)))
        stem = fileAbsolutePath.rsplit(".", 1)[0]
        return {"imagePath": f"{stem}-{sheetName.replace(' ', '_')}-{shown.replace(':', '_')}.png",
                "sheetName": sheetName, "cellRange": shown}

    @tool(writes=True, phrase=["write {values} into {cellRange} of sheet {sheetName} in {fileAbsolutePath}",
                               "put {values} in {cellRange} on the {sheetName} sheet of {fileAbsolutePath}"])
    def excel_write_to_sheet(self, fileAbsolutePath: FilePath, sheetName: SheetName, newSheet: bool,
                             cellRange: Range, values: list[list[Scalar]]) -> WriteResult:
        """Write values into a range, row by row (a value starting with "=" is stored as a formula); newSheet
        true creates the sheet first (it must not exist yet), false writes into an existing sheet.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            sheetName: The sheet to write to.
            newSheet: Create the sheet as a new last sheet before writing.
            cellRange: Range in A1 notation; its shape must match values.
            values: Rows of values; null clears a cell.
        """
        if newSheet:
            self.require("SELECT 1 FROM workbooks WHERE fileAbsolutePath = ?", fileAbsolutePath,
                         error=f"no workbook at '{fileAbsolutePath}'; check the absolute path and the .xlsx extension")
            name = check_sheet_name(sheetName)
            if self.row("SELECT 1 FROM sheets WHERE fileAbsolutePath = ? AND lower(sheetName) = lower(?)",
                        fileAbsolutePath, name):
                raise ToolError(f"sheet '{name}' already exists; pass newSheet false to write into it")
            self.execute("INSERT INTO sheets VALUES (?, ?, (SELECT MAX(position) + 1 FROM sheets WHERE"
                         " fileAbsolutePath = ?1))", fileAbsolutePath, name)
            sheetName = name
        self._sheet(fileAbsolutePath, sheetName)
        bounds = parse_range(cellRange)
        self._shaped(bounds, values, "values")
        cells = []
        for dr, line in enumerate(values):
            for dc, value in enumerate(line):
                formula = value if isinstance(value, str) and value.startswith("=") else None
                cells.append((fileAbsolutePath, sheetName, bounds[0] + dr, bounds[1] + dc,
                              None if formula else value, formula))
        self._upsert("fileAbsolutePath, sheetName, row, col, value, formula",
                     "value = excluded.value, formula = excluded.formula", cells)
        return {"status": "written", "fileAbsolutePath": fileAbsolutePath, "sheetName": sheetName,
                "cellRange": a1(*bounds)}

    @tool(writes=True, phrase=["make {cellRange} on {sheetName} in {fileAbsolutePath} a table called {tableName}",
                               "format {cellRange} of sheet {sheetName} ({fileAbsolutePath}) as table {tableName}"])
    def excel_create_table(self, fileAbsolutePath: FilePath, sheetName: SheetName, cellRange: Range,
                           tableName: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")]
                           ) -> TableResult:
        """Turn a range with a header row into an Excel table. Table names are unique in a workbook (no spaces);
        a table may not overlap another table; every header cell must hold a distinct label.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            sheetName: The sheet the range is on.
            cellRange: The range, header row first, at least two rows.
            tableName: Name of the new table, e.g. "Sales2026".
        """
        self._sheet(fileAbsolutePath, sheetName)
        r1, c1, r2, c2 = bounds = parse_range(cellRange)
        if r2 == r1:
            raise ToolError("a table needs a header row and at least one data row")
        if self.row("SELECT 1 FROM excel_tables WHERE fileAbsolutePath = ? AND lower(tableName) = lower(?)",
                    fileAbsolutePath, tableName):
            raise ToolError(f"workbook already has a table named '{tableName}'; choose another name")
        for other in self.rows("SELECT tableName, cellRange FROM excel_tables WHERE fileAbsolutePath = ? AND"
                               " sheetName = ?", fileAbsolutePath, sheetName):
            o1, oc1, o2, oc2 = parse_range(other["cellRange"])
            if r1 <= o2 and o1 <= r2 and c1 <= oc2 and oc1 <= c2:
                raise ToolError(f"{a1(*bounds)} overlaps table '{other['tableName']}' ({other['cellRange']});"
                                " tables cannot overlap")
        header = self._cells(fileAbsolutePath, sheetName, (r1, c1, r1, c2))
        labels = [header.get((r1, c), {}).get("value") for c in range(c1, c2 + 1)]
        if any(v in (None, "") for v in labels) or len({str(v).lower() for v in labels}) != len(labels):
            raise ToolError(f"the header row {a1(r1, c1, r1, c2)} needs a distinct label in every cell;"
                            " write the headers first")
        self.execute("INSERT INTO excel_tables VALUES (?, ?, ?, ?)", fileAbsolutePath, tableName, sheetName,
                     a1(*bounds))
        return {"tableName": tableName, "cellRange": a1(*bounds), "sheetName": sheetName}

    @tool(writes=True, phrase=["duplicate sheet {srcSheetName} of {fileAbsolutePath} as {dstSheetName}",
                               "copy the {srcSheetName} sheet in {fileAbsolutePath} to a new sheet {dstSheetName}"])
    def excel_copy_sheet(self, fileAbsolutePath: FilePath, srcSheetName: SheetName,
                         dstSheetName: SheetName) -> CopyResult:
        """Copy a sheet (values, formulas, formats) to a new last sheet of the same workbook; tables are not copied.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            srcSheetName: The sheet to copy.
            dstSheetName: Name of the new sheet (at most 31 characters, none of [ ] : * ? / \\).
        """
        self._sheet(fileAbsolutePath, srcSheetName)
        name = check_sheet_name(dstSheetName)
        if self.row("SELECT 1 FROM sheets WHERE fileAbsolutePath = ? AND lower(sheetName) = lower(?)",
                    fileAbsolutePath, name):
            raise ToolError(f"sheet '{name}' already exists in '{fileAbsolutePath}'; choose another name")
        self.execute("INSERT INTO sheets VALUES (?, ?, (SELECT MAX(position) + 1 FROM sheets WHERE"
                     " fileAbsolutePath = ?1))", fileAbsolutePath, name)
        self.execute("INSERT INTO cells SELECT fileAbsolutePath, ?, row, col, value, formula, style FROM cells"
                     " WHERE fileAbsolutePath = ? AND sheetName = ?", name, fileAbsolutePath, srcSheetName)
        return {"srcSheetName": srcSheetName, "dstSheetName": name, "fileAbsolutePath": fileAbsolutePath}

    @tool(writes=True, phrase=["format {cellRange} on sheet {sheetName} of {fileAbsolutePath} with {styles}",
                               "apply the styles {styles} to {cellRange} in {sheetName} of {fileAbsolutePath}"])
    def excel_format_range(self, fileAbsolutePath: FilePath, sheetName: SheetName, cellRange: Range,
                           styles: list[list[Style]]) -> FormatResult:
        """Format the cells of a range: one style object per cell, row by row (bold, italic, fontColor and fill
        as '#RRGGBB', numberFormat such as '0.00' or 'yyyy-mm-dd', border). Given keys replace the cell's old ones.

        Args:
            fileAbsolutePath: Absolute path of the .xlsx file.
            sheetName: The sheet the range is on.
            cellRange: Range in A1 notation; its shape must match styles.
            styles: Rows of style objects.
        """
        self._sheet(fileAbsolutePath, sheetName)
        bounds = parse_range(cellRange)
        self._shaped(bounds, styles, "styles")
        found = {at: cell["style"] for at, cell in self._cells(fileAbsolutePath, sheetName, bounds).items()}
        cells = []
        for dr, line in enumerate(styles):
            for dc, style in enumerate(line):
                at = (bounds[0] + dr, bounds[1] + dc)
                for key in ("fontColor", "fill"):
                    if key in style and not COLOUR.fullmatch(style[key]):
                        raise ToolError(f"{key} '{style[key]}' must be a colour like '#FFEB9C'")
                cells.append((fileAbsolutePath, sheetName, *at,
                              merged_style(found.get(at, "{}"), tuple(style.items()))))
        self._upsert("fileAbsolutePath, sheetName, row, col, style", "style = excluded.style", cells)
        return {"status": "formatted", "formattedRange": a1(*bounds), "sheetName": sheetName}
