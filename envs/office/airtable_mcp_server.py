"""AirtableMcpServer: Airtable through its MCP server (bases the user can access with a permission level, tables of
typed fields, views, records with field values checked against the field types, formula filters, search)."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id

STAMP = "%Y-%m-%dT%H:%M:%S.000Z"
FieldType = Literal["singleLineText", "multilineText", "email", "url", "number", "currency", "checkbox",
                    "singleSelect", "date", "rating", "autoNumber"]
PRIMARY_TYPES = {"singleLineText", "multilineText", "email", "url", "number", "currency", "date", "autoNumber"}
WRITERS = {"create": "create", "edit": "edit"}  # permission levels that may change records
BASES = {  # base -> permission, {table -> ([(field, type, choices)], view filter (field, value) or None)}
    "Product Roadmap": ("create", {
        "Features": ([("Name", "singleLineText", None), ("Status", "singleSelect", ["Backlog", "In progress", "Shipped"]),
                      ("Priority", "singleSelect", ["P0", "P1", "P2"]), ("Owner", "email", None),
                      ("Estimate (days)", "number", None), ("Target date", "date", None),
                      ("Notes", "multilineText", None), ("ID", "autoNumber", None)], ("Status", "In progress")),
        "Releases": ([("Version", "singleLineText", None), ("Release date", "date", None),
                      ("Shipped", "checkbox", None)], None)}),
    "Sales CRM": ("create", {
        "Deals": ([("Deal name", "singleLineText", None), ("Company", "singleLineText", None),
                   ("Stage", "singleSelect", ["Lead", "Qualified", "Proposal", "Won", "Lost"]),
                   ("Value", "currency", None), ("Close date", "date", None), ("Owner", "email", None)],
                  ("Stage", "Won")),
        "Companies": ([("Name", "singleLineText", None), ("Industry", "singleSelect",
                                                           ["Software", "Retail", "Healthcare", "Finance", "Logistics"]),
                       ("Website", "url", None), ("Employees", "number", None)], None)}),
    "Event Planning": ("edit", {
        "Guests": ([("Name", "singleLineText", None), ("Email", "email", None),
                    ("RSVP", "singleSelect", ["Yes", "No", "Maybe"]), ("Plus one", "checkbox", None),
                    ("Dietary needs", "singleSelect", ["None", "Vegetarian", "Vegan", "Gluten-free"])],
                   ("RSVP", "Yes")),
        "Vendors": ([("Vendor", "singleLineText", None), ("Service", "singleSelect",
                                                          ["Catering", "Venue", "Music", "Photography", "Flowers"]),
                     ("Cost", "currency", None), ("Booked", "checkbox", None), ("Rating", "rating", None)], None)}),
    "Company Directory": ("read", {
        "Employees": ([("Name", "singleLineText", None), ("Department", "singleSelect",
                                                          ["Engineering", "Sales", "Marketing", "Finance", "People"]),
                       ("Title", "singleLineText", None), ("Email", "email", None), ("Start date", "date", None)],
                      ("Department", "Engineering"))}),
}
TOKEN = re.compile(r"\s*(?:(?P<field>\{[^}]+\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
                   r"|(?P<op>!=|>=|<=|=|>|<)|(?P<fn>AND|OR|TRUE|FALSE|BLANK)\s*\(|(?P<punct>[(),]))")

FieldSpec = TypedDict("FieldSpec", {"name": str, "type": FieldType, "choices": NotRequired[list[str]]})
Base = TypedDict("Base", {"id": str, "name": str, "permissionLevel": str})
Bases = TypedDict("Bases", {"bases": list[Base]})
FieldInfo = TypedDict("FieldInfo", {"id": str, "name": str, "type": str, "choices": list[str] | None})
View = TypedDict("View", {"id": str, "name": str})
Table = TypedDict("Table", {"id": str, "name": str, "description": str, "primaryFieldId": str,
                            "fields": list[FieldInfo], "views": list[View]})
Tables = TypedDict("Tables", {"base_id": str, "tables": list[Table]})
Record = TypedDict("Record", {"id": str, "createdTime": str, "fields": dict[str, Any]})
Records = TypedDict("Records", {"records": list[Record], "offset": str | None})
Deleted = TypedDict("Deleted", {"id": str, "deleted": bool})


def canonical(cells: dict[str, Any]) -> str:
    """Stored form of a record's cells: empty values dropped (Airtable omits them), keys sorted."""
    return json.dumps({k: v for k, v in cells.items() if v not in (None, False, "", [])}, sort_keys=True)


def path(name: str) -> str:
    return '$."' + name.replace('"', '\\"') + '"'


class AirtableMcpServer(World):
    """Airtable bases the user can access (permission 'create' lets them add tables, 'edit' change records, 'read'
    only read), their tables of typed fields, views and records. Records' fields are keyed by field name; dates
    are YYYY-MM-DD, currency values plain numbers."""

    domain = "Office"
    schema = """
    CREATE TABLE bases (base_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, permissionLevel TEXT NOT NULL);
    CREATE TABLE tables (table_id TEXT PRIMARY KEY, base_id TEXT NOT NULL REFERENCES bases, name TEXT NOT NULL,
                         description TEXT NOT NULL DEFAULT '', UNIQUE (base_id, name));
    CREATE TABLE fields (field_id TEXT PRIMARY KEY, table_id TEXT NOT NULL REFERENCES tables, name TEXT NOT NULL,
                         type TEXT NOT NULL, choices TEXT, position INTEGER NOT NULL, UNIQUE (table_id, name));
    CREATE INDEX fields_by_table ON fields (table_id, position);
    CREATE TABLE views (view_id TEXT PRIMARY KEY, table_id TEXT NOT NULL REFERENCES tables, name TEXT NOT NULL,
                        filter_field TEXT, filter_value TEXT);
    CREATE INDEX views_by_table ON views (table_id);
    CREATE TABLE records (record_id TEXT PRIMARY KEY, table_id TEXT NOT NULL REFERENCES tables,
                          createdTime TEXT NOT NULL, fields TEXT NOT NULL, search_text TEXT NOT NULL);
    CREATE INDEX records_by_table ON records (table_id, createdTime);
    """
    volatile = {"records": ("createdTime",)}
    text_search = {"records": ("search_text",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        rows: dict[str, list[dict[str, Any]]] = {"bases": [], "tables": [], "fields": [], "views": [], "records": []}
        for base, (permission, tables) in BASES.items():
            base_id = fake_id(rng, "app")
            rows["bases"].append({"base_id": base_id, "name": base, "permissionLevel": permission})
            for table, (fields, view) in tables.items():
                table_id = fake_id(rng, "tbl")
                rows["tables"].append({"table_id": table_id, "base_id": base_id, "name": table,
                                       "description": f"{table} of {base}"})
                rows["fields"].extend({"field_id": fake_id(rng, "fld"), "table_id": table_id, "name": name,
                                       "type": kind, "choices": choices and json.dumps(choices), "position": i}
                                      for i, (name, kind, choices) in enumerate(fields))
                rows["views"].append({"view_id": fake_id(rng, "viw"), "table_id": table_id, "name": "Grid view"})
                if view:
                    rows["views"].append({"view_id": fake_id(rng, "viw"), "table_id": table_id,
                                          "name": f"{view[1]} only", "filter_field": view[0],
                                          "filter_value": json.dumps(view[1])})
                names: set[str] = set()
                for number in range(1, rng.randrange(12, 36)):
                    cells = {name: cls._fake_cell(rng, fake, table, name, kind, choices, number)
                             for name, kind, choices in fields}
                    if cells[fields[0][0]] in names:
                        continue
                    names.add(cells[fields[0][0]])
                    rows["records"].append({
                        "record_id": fake_id(rng, "rec"), "table_id": table_id, "fields": canonical(cells),
                        "createdTime": (cls.start_time - dt.timedelta(days=200 - number * 5, minutes=rng.randrange(
                            600))).strftime(STAMP), "search_text": " ".join(str(v) for v in cells.values() if v)})
        for table, found in rows.items():
            db[table].insert_all(found)

    @classmethod
    def _fake_cell(cls, rng: random.Random, fake: Any, table: str, name: str, kind: str,
                   choices: list[str] | None, number: int) -> Any:
        day = lambda: (cls.start_time + dt.timedelta(days=rng.randrange(-120, 90))).date().isoformat()  # noqa: E731
        value = {"singleSelect": lambda: rng.choice(choices or [""]), "checkbox": lambda: rng.random() < 0.5,
                 "date": day, "email": lambda: fake.email(), "url": lambda: f"https://{fake.domain_name()}",
                 "currency": lambda: rng.randrange(5, 900) * 50, "rating": lambda: rng.randint(1, 5),
                 "autoNumber": lambda: number, "multilineText": lambda: fake.sentence(nb_words=10),
                 "number": lambda: rng.randrange(1, 40 if "Estimate" in name else 5000)}.get(kind)
        if value:
            return value()
        if name == "Version":
            return f"v{rng.randrange(1, 4)}.{rng.randrange(0, 12)}.{rng.randrange(0, 9)}"
        if name == "Deal name":
            return f"{fake.company()} {rng.choice(['renewal', 'expansion', 'pilot', 'license'])}"
        if table == "Features":
            return fake.catch_phrase()
        return {"Title": fake.job, "Company": fake.company, "Vendor": fake.company}.get(
            name, fake.company if table == "Companies" else fake.name)()

    # ------------------------------------------------------------------ helpers
    def _base(self, base_id: str, write: str = "") -> dict[str, Any]:
        base = self.require("SELECT * FROM bases WHERE base_id = ?", base_id,
                            error=f"no base with id '{base_id}' is shared with you; list_bases shows the ids")
        if write == "records" and base["permissionLevel"] not in WRITERS:
            raise ToolError(f"you have {base['permissionLevel']}-only access to base '{base['name']}'; ask its owner "
                            "for edit access")
        if write == "schema" and base["permissionLevel"] != "create":
            raise ToolError(f"creating tables in base '{base['name']}' needs creator access; you have "
                            f"{base['permissionLevel']} access")
        return base

    def _table(self, base_id: str, table_id: str, write: str = "") -> tuple[dict[str, Any], dict[str, dict]]:
        self._base(base_id, write)
        table = self.require("SELECT * FROM tables WHERE base_id = ? AND (table_id = ? OR name = ?)", base_id,
                             table_id, table_id, error=f"no table '{table_id}' in base '{base_id}'; list_tables "
                                                       "shows its tables")
        fields = {f["name"]: f for f in self.rows("SELECT * FROM fields WHERE table_id = ? ORDER BY position",
                                                   table["table_id"])}
        return table, fields

    def _record(self, table_id: str, record_id: str) -> dict[str, Any]:
        found = self.require("SELECT * FROM records WHERE record_id = ? AND table_id = ?", record_id, table_id,
                             error=f"no record '{record_id}' in this table; list_records shows the ids")
        return {"id": found["record_id"], "createdTime": found["createdTime"], "fields": json.loads(found["fields"])}

    def _cell(self, field: dict[str, Any], value: Any) -> Any:
        kind, name = field["type"], field["name"]
        if value is None:
            return None
        wrong = lambda what: ToolError(f"field '{name}' is a {kind} field and needs {what}, got {value!r}")  # noqa: E731
        if kind == "autoNumber":
            raise ToolError(f"field '{name}' cannot accept a value because it is computed (autoNumber)")
        if kind == "checkbox":
            if not isinstance(value, bool):
                raise wrong("true or false")
            return value
        if kind in ("number", "currency", "rating"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise wrong("a number")
            if kind == "rating" and value not in (1, 2, 3, 4, 5):
                raise wrong("a whole number from 1 to 5")
            value = round(value, 2)
            return int(value) if float(value).is_integer() else value
        if not isinstance(value, str):
            raise wrong("text")
        value = value.strip()
        if kind == "singleSelect" and value not in json.loads(field["choices"]):
            raise ToolError(f"'{value}' is not an option of field '{name}'; options: "
                            f"{', '.join(json.loads(field['choices']))}")
        if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise wrong("a date like 2026-03-05")
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise wrong("an email address")
        if kind == "url" and not value.startswith(("http://", "https://")):
            raise wrong("a URL starting with http:// or https://")
        if kind == "singleLineText" and "\n" in value:
            raise wrong("a single line")
        return value

    def _write(self, table_id: str, fields: dict[str, dict], cells: dict[str, Any], record: dict[str, Any]) -> None:
        unknown = sorted(set(cells) - set(fields))
        if unknown:
            raise ToolError(f"unknown field names: {', '.join(unknown)}; list_tables shows the table's fields")
        merged = {**record["fields"], **{k: self._cell(fields[k], v) for k, v in cells.items()}}
        self.upsert("records", {"record_id": record["id"]}, {
            "table_id": table_id, "createdTime": record["createdTime"], "fields": canonical(merged),
            "search_text": " ".join(str(v) for v in merged.values() if v not in (None, False, ""))})

    def _formula(self, text: str, fields: dict[str, dict]) -> tuple[str, list[Any]]:
        """SQL for a filterByFormula of comparisons ({Field} op value), joined by AND(...) / OR(...)."""
        tokens, at = [], 0
        while at < len(text.rstrip()):
            match = TOKEN.match(text, at)
            if match is None:
                raise ToolError(f"invalid filter_by_formula near {text[at:at + 20]!r}; write comparisons like "
                                "{Status} = 'Done', joined with AND(...) or OR(...)")
            tokens.append((match.lastgroup, match.group(match.lastgroup)))
            at = match.end()
        sql, params, rest = self._expr(tokens, fields)
        if rest:
            raise ToolError("invalid filter_by_formula: unexpected text after the expression")
        return sql, params

    def _expr(self, tokens: list, fields: dict[str, dict]) -> tuple[str, list[Any], list]:
        if not tokens:
            raise ToolError("invalid filter_by_formula: the expression ends too early")
        (kind, value), rest = tokens[0], tokens[1:]
        if kind == "fn" and value in ("AND", "OR"):
            parts, params = [], []
            while True:
                sql, more, rest = self._expr(rest, fields)
                parts.append(sql)
                params += more
                if not rest or rest[0][1] not in (",", ")"):
                    raise ToolError(f"invalid filter_by_formula: {value}(...) needs a closing parenthesis")
                if rest.pop(0)[1] == ")":
                    return "(" + f" {value} ".join(parts) + ")", params, rest
        if kind != "field" or value[1:-1] not in fields or len(rest) < 2 or rest[0][0] != "op":
            raise ToolError(f"invalid filter_by_formula at {value!r}: compare a known field like {{Name}} = 'x'")
        field, op, (vkind, literal), rest = fields[value[1:-1]], rest[0][1], rest[1], rest[2:]
        column = "json_extract(fields, ?)"
        if vkind == "fn" and literal in ("TRUE", "FALSE", "BLANK"):
            rest = rest[1:] if rest and rest[0][1] == ")" else rest
            if literal == "BLANK":
                return f"({column} IS {'' if op == '=' else 'NOT '}NULL)", [path(field["name"])], rest
            return f"(coalesce({column}, 0) {op} ?)", [path(field["name"]), int(literal == "TRUE")], rest
        if vkind == "str":
            return f"({column} {op} ?)", [path(field["name"]), literal[1:-1]], rest
        if vkind == "num":
            return f"({column} {op} ?)", [path(field["name"]), float(literal)], rest
        raise ToolError(f"invalid filter_by_formula: {literal!r} is not a value")

    def _table_out(self, table: dict[str, Any]) -> Table:
        fields = self.rows("SELECT field_id AS id, name, type, choices FROM fields WHERE table_id = ?"
                           " ORDER BY position", table["table_id"])
        return {"id": table["table_id"], "name": table["name"], "description": table["description"],
                "primaryFieldId": fields[0]["id"],
                "fields": [{**f, "choices": f["choices"] and json.loads(f["choices"])} for f in fields],
                "views": self.rows("SELECT view_id AS id, name FROM views WHERE table_id = ? ORDER BY rowid",
                                   table["table_id"])}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me the Airtable bases I can access", "list my Airtable bases"])
    def list_bases(self) -> Bases:
        """List the bases shared with the user, with the user's permission level on each."""
        return {"bases": self.rows("SELECT base_id AS id, name, permissionLevel FROM bases"
                                   " ORDER BY name")}

    @tool(phrase=["show the tables of {base_id}", "list the tables and fields of {base_id}"])
    def list_tables(self, base_id: str) -> Tables:
        """List a base's tables with their fields (name, type, select options) and views.

        Args:
            base_id: The base's id (app...).
        """
        self._base(base_id)
        return {"base_id": base_id, "tables": [self._table_out(t) for t in self.rows(
            "SELECT * FROM tables WHERE base_id = ? ORDER BY rowid", base_id)]}

    @tool(phrase=["list the records in {table_id}[ in the view {view}]", "show me what is in {table_id}"])
    def list_records(self, base_id: str, table_id: str, view: str | None = None,
                     filter_by_formula: str | None = None, max_records: Annotated[int, Field(ge=1, le=1000)] = 100,
                     page_size: Annotated[int, Field(ge=1, le=100)] = 100, offset: str | None = None) -> Records:
        """List a table's records in creation order, optionally as a view shows them or filtered by a formula of
        field comparisons such as AND({Status} = 'Done', {Estimate (days)} > 3).

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            view: A view's id or name; only the records it shows.
            filter_by_formula: Comparisons of {Field} with 'text', numbers, TRUE(), FALSE() or BLANK(), joined by
                AND(...) or OR(...).
            max_records: At most this many records in all.
            page_size: At most this many records per page.
            offset: The offset of the previous page.
        """
        table, fields = self._table(base_id, table_id)
        where, params = "", []
        if view is not None:
            shown = self.require("SELECT * FROM views WHERE table_id = ? AND (view_id = ? OR name = ?)",
                                 table["table_id"], view, view, error=f"no view '{view}' in table '{table['name']}'")
            if shown["filter_field"]:
                where, params = " AND json_extract(fields, ?) = ?", [path(shown["filter_field"]),
                                                                    json.loads(shown["filter_value"])]
        if filter_by_formula:
            sql, more = self._formula(filter_by_formula, fields)
            where, params = f"{where} AND {sql}", params + more
        start = int(offset[3:]) if offset and re.fullmatch(r"itr\d+", offset) else 0
        if offset and not start:
            raise ToolError(f"invalid offset {offset!r}; pass the offset of the previous page")
        count = min(page_size, max_records - start)
        found = self.rows(f"SELECT record_id FROM records WHERE table_id = ?{where} ORDER BY createdTime, record_id"
                          " LIMIT ? OFFSET ?", table["table_id"], *params, max(count, 0) + 1, start)
        more = len(found) > count and start + count < max_records
        return {"records": [self._record(table["table_id"], r["record_id"]) for r in found[:max(count, 0)]],
                "offset": f"itr{start + count}" if more else None}

    @tool(phrase=["search {table_id} for {search_term}", "find the records of {table_id} mentioning {search_term}"])
    def search_records(self, base_id: str, table_id: str, search_term: NonEmptyStr,
                       max_records: Annotated[int, Field(ge=1, le=100)] = 20) -> Records:
        """Find records of a table with any field containing the text (case-insensitive).

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            search_term: Text to look for.
            max_records: At most this many records.
        """
        table, _ = self._table(base_id, table_id)
        matches, params = self.text_filter("records", search_term)
        found = self.rows(f"SELECT record_id FROM records WHERE {matches} AND table_id = ? ORDER BY createdTime,"
                          " record_id LIMIT ?", *params, table["table_id"], max_records)
        return {"records": [self._record(table["table_id"], r["record_id"]) for r in found], "offset": None}

    @tool(phrase=["pull up the record {record_id}"])
    def get_record(self, base_id: str, table_id: str, record_id: str) -> Record:
        """Get one record with all its field values.

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            record_id: The record's id (rec...).
        """
        return self._record(self._table(base_id, table_id)[0]["table_id"], record_id)

    @tool(writes=True, phrase=["add a record to {table_id}"])
    def create_record(self, base_id: str, table_id: str, fields: dict[str, Any]) -> Record:
        """Create a record; each value must fit its field's type (select options must exist; computed fields
        such as autoNumber are filled by Airtable). Needs edit access to the base.

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            fields: Values keyed by field name.
        """
        table, found = self._table(base_id, table_id, write="records")
        record = {"id": self.new_id("records", "rec"), "createdTime": self.now().strftime(STAMP), "fields": {}}
        auto = [f["name"] for f in found.values() if f["type"] == "autoNumber"]
        for name in auto:
            record["fields"][name] = 1 + (self.value("SELECT MAX(json_extract(fields, ?)) FROM records WHERE "
                                                     "table_id = ?", path(name), table["table_id"]) or 0)
        self._write(table["table_id"], found, fields, record)
        return self._record(table["table_id"], record["id"])

    @tool(writes=True, phrase=["change fields of the record {record_id}"])
    def update_record(self, base_id: str, table_id: str, record_id: str, fields: dict[str, Any]) -> Record:
        """Change some fields of a record (others stay; null clears a field). Needs edit access to the base.

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            record_id: The record's id.
            fields: New values keyed by field name.
        """
        table, found = self._table(base_id, table_id, write="records")
        self._write(table["table_id"], found, fields, self._record(table["table_id"], record_id))
        return self._record(table["table_id"], record_id)

    @tool(writes=True, phrase=["delete the record {record_id}", "remove {record_id} from its table"])
    def delete_record(self, base_id: str, table_id: str, record_id: str) -> Deleted:
        """Delete a record. Needs edit access to the base.

        Args:
            base_id: The base's id.
            table_id: The table's id or name.
            record_id: The record's id.
        """
        table, _ = self._table(base_id, table_id, write="records")
        self._record(table["table_id"], record_id)
        self.execute("DELETE FROM records WHERE record_id = ?", record_id)
        return {"id": record_id, "deleted": True}

    @tool(writes=True, phrase=["create a table {name} in {base_id}"])
    def create_table(self, base_id: str, name: NonEmptyStr, fields: Annotated[list[FieldSpec], Field(min_length=1)],
                     description: str = "") -> Table:
        """Create a table with fields; the first field is the primary one (it cannot be a checkbox, select or
        rating). Needs creator access to the base.

        Args:
            base_id: The base's id.
            name: The table's name, unique in the base.
            fields: Fields as {name, type, choices (for singleSelect)}.
            description: What the table is for.
        """
        self._base(base_id, write="schema")
        if self.value("SELECT 1 FROM tables WHERE base_id = ? AND lower(name) = lower(?)", base_id, name.strip()):
            raise ToolError(f"a table named '{name.strip()}' already exists in this base")
        if fields[0]["type"] not in PRIMARY_TYPES:
            raise ToolError(f"the primary (first) field cannot be of type {fields[0]['type']}")
        names = [f["name"].strip() for f in fields]
        if "" in names or len({n.lower() for n in names}) < len(names):
            raise ToolError("field names must be non-empty and unique")
        table_id = self.new_id("tables", "tbl")
        self.execute("INSERT INTO tables VALUES (?, ?, ?, ?)", table_id, base_id, name.strip(), description)
        for position, spec in enumerate(fields):
            if (spec["type"] == "singleSelect") != bool(spec.get("choices")):
                raise ToolError(f"field '{spec['name']}': choices are required for singleSelect fields and only "
                                "for them")
            self.execute("INSERT INTO fields VALUES (?, ?, ?, ?, ?, ?)", self.new_id("fields", "fld"), table_id,
                         names[position], spec["type"], spec.get("choices") and json.dumps(spec["choices"]),
                         position)
        self.execute("INSERT INTO views (view_id, table_id, name) VALUES (?, ?, 'Grid view')",
                     self.new_id("views", "viw"), table_id)
        return self._table_out(self.row("SELECT * FROM tables WHERE table_id = ?", table_id))
