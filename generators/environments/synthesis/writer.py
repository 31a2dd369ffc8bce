"""Rendering, last part: :class:`ModuleWriter` assembles the whole module (docstring, imports, constants, types,
helpers, schema, seeding code and the World class)."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from generators.environments.synthesis.bodies import BodyRenderer, prefix_of
from generators.environments.synthesis.model import DAYS, GRID, SERIES, Column, Table, ToolPlan
from generators.environments.synthesis.names import camel, human, id_stem, norm, python_name
from generators.environments.synthesis.rendering import Code, sql_name
from generators.environments.synthesis.seeding import (
    DATE_ONLY,
    choices,
    document_expr,
    keys_name,
    matches,
    pattern_expr,
    scalar_expr,
)

HELPERS = {
    "_when": '''
def _when(start: dt.datetime, rng: random.Random, low: int, high: int) -> dt.datetime:
    """A seeded moment ``low``-``high`` days from the episode clock's start, in working hours."""
    day = start.replace(hour=0, minute=0) + dt.timedelta(days=rng.randint(low, high))
    return day + dt.timedelta(hours=rng.randint(8, 18), minutes=rng.choice((0, 15, 30, 45)))
''',
    "_distinct": '''
def _distinct(make: Any, count: int) -> list[Any]:
    """``count`` distinct values of ``make()`` (a value made twice is numbered)."""
    found: list[Any] = []
    seen: set[Any] = set()
    for index in range(count):
        value = make()
        for _ in range(20):
            if value not in seen:
                break
            value = make()
        if value in seen:
            value = f"{value} {index + 1}"
        seen.add(value)
        found.append(value)
    return found
''',
    "_decoded": '''
def _decoded(rows: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    """Rows as tools return them: flag columns as booleans, JSON columns as values."""
    for row in rows:
        for name in FLAGS.get(table, ()):
            if row.get(name) is not None:
                row[name] = bool(row[name])
        for name in DOCUMENTS.get(table, ()):
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
    return rows
''',
    "_bound": '''
def _bound(value: Any, direction: int, rng: random.Random, day: bool = False) -> Any:
    """A range bound a seeded row falls within: a little below (direction -1) or above (+1) its value (``day``:
    as a date without a time)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value) + dt.timedelta(days=direction * rng.randint(0, 3))
        except ValueError:
            return value
        return moment.strftime(DAY if day or len(value) == 10 else TIME)
    if isinstance(value, int):
        return value + direction * rng.randint(0, max(1, abs(value) // 5))
    return round(value + direction * rng.uniform(0, abs(value) / 5), 2)
''',
    "_term": '''
def _term(label: Any) -> Any:
    """What a user would search a row by: the first two words of its label."""
    return " ".join(str(label).split()[:2]) if label is not None else None
''',
    "_start": '''
def _start(cursor: str | None) -> int:
    """The offset a cursor from an earlier page stands for."""
    if cursor in (None, ""):
        return 0
    if not cursor.isdigit():
        raise ToolError(f"cursor '{cursor}' is not one this service gave; pass the next_cursor of an earlier call "
                        "or leave it out to start from the first page")
    return int(cursor)
''',
    "_stored": '''
def _stored(value: Any) -> Any:
    """A value as a column holds it: lists and objects as JSON text, booleans as 0/1."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value
''',
}


class ModuleWriter(BodyRenderer):
    """The whole module: docstring, imports, constants, types, helpers and the World class."""

    def source(self) -> str:
        for _ in range(2):  # the first pass settles which columns writes stamp or leave empty
            self.typed, self.typed_by_body, self.helpers, self.lookups = {}, {}, set(), set()
            tools = [self.tool_code(plan) for plan in self.model.plans]
            lookups = self.lookup_code("\n".join(tools))
        populate = self.populate_code()
        cls = self.class_code(tools, lookups, populate)
        constants = self.constants()
        types = "\n".join(self.typed.values())
        used = f"{constants}\n{types}\n{cls}"
        helpers = "\n".join(HELPERS[name] for name in sorted(HELPERS) if f"{name}(" in used)
        body = f"{constants}\n\n{types}\n\n{helpers}\n\n{cls}"
        return f"{self.docstring()}\n\nfrom __future__ import annotations\n\n{self.imports(body)}\n\n{body}\n"

    # ----------------------------------------------------------------- parts
    def docstring(self) -> str:
        spec = self.model.spec
        about = " ".join(spec.description.split()).rstrip(".") or f"the {spec.name} service"
        text = (f"Synthesized offline from {spec.source or 'an API description'} by generators.environments."
                "synthesis: its tables are inferred from the tools' identifiers and results, each tool's behaviour "
                "from its name (INFERRED lists both). Generic behaviours: a read that is no get or list returns the "
                "first row of its table matching every argument given; a write that is no update, delete or "
                "transition stores a new row of its table.")
        if self.model.singleton:
            text += (f" Tools without identifiers share the single row of \"{self.model.singleton}\" (the "
                     "service's own state).")
        notes = [textwrap.fill(f"Note: {note}.", 116) for note in self.model.notes[:8]]
        return "\n".join([f'"""{spec.name}: {about}.', "", textwrap.fill(text, 116), *notes, '"""'])

    def imports(self, body: str) -> str:
        std = [f"import {name}" for name, used in (("datetime as dt", "dt." in body), ("json", "json." in body),
                                                   ("random", True)) if used]
        typing = [n for n in ("Annotated", "Any", "Literal") if re.search(rf"\b{n}\b", body)]
        lines = [*std, f"from typing import {', '.join(typing)}", ""]
        if "Field(" in body:
            lines.append("from pydantic import Field")
        lines += ["from typing_extensions import TypedDict", ""]
        tools = [n for n in ("ToolError", "UserKnown", "tool") if re.search(rf"\b{n}\b", body)]
        lines.append(f"from envfactory_gym.core.tools import {', '.join(tools)}")
        world = ["World"] + (["fake_id"] if "fake_id(" in body else [])
        lines.append(f"from envfactory_gym.core.world import {', '.join(world)}")
        return "\n".join(lines)

    def constants(self) -> str:
        lines = ['TIME = "%Y-%m-%dT%H:%M"', 'DAY = "%Y-%m-%d"', "EPOCH = dt.datetime(1970, 1, 1)"]
        flags = {t.name: tuple(c.name for c in t.columns.values() if c.type == "boolean")
                 for t in self.tables.values()}
        documents = {t.name: tuple(c.name for c in t.columns.values() if c.document) for t in self.tables.values()}
        lines.append("#: Columns holding true/false (stored as 0/1), per table.")
        lines.append(f"FLAGS = {pretty({k: v for k, v in flags.items() if v})}")
        lines.append("#: Columns holding JSON (lists and objects), per table.")
        lines.append(f"DOCUMENTS = {pretty({k: v for k, v in documents.items() if v})}")
        inferred = {plan.op.name: f"{plan.kind} {plan.table.name if plan.table else ''}".strip()
                    for plan in self.model.plans}
        lines.append("#: How each tool was inferred: its kind and the table it works on.")
        lines.append(f"INFERRED = {pretty(inferred)}")
        return "\n".join(lines)

    def tool_code(self, plan: ToolPlan) -> str:
        code = Code()
        writes = plan.kind in ("create", "update", "delete", "transition", "login", "logout")
        options = []
        if writes:
            options.append("writes=True")
        phrases = self.phrases(plan)
        if phrases:
            options.append(f"phrase={pretty(list(dict.fromkeys(phrases)))}")
        if plan.method != plan.op.name:
            options.append(f"name={plan.op.name!r}")
        code.add(1, f"@tool({', '.join(options)})")
        ordered = [a for a in plan.args if a.param.required] + [a for a in plan.args if not a.param.required]
        params = ", ".join(["self"] + [f"{a.py}: {self.param_annotation(plan, a)}" +
                                       (f" = {self.default(a)}" if not a.param.required else "") for a in ordered])
        result = self.result_annotation(plan)
        header = f"def {plan.method}({params}) -> {result}:"
        code.add(1, wrap_signature(header))
        doc = [f'"""{self.summary(plan)}']
        if plan.args:
            doc.append("")
            doc.append("Args:")
            for arg in ordered:
                text = self.describe_arg(plan, arg)
                if arg.py != arg.name:
                    text += f" (the service calls it '{arg.name}')"
                doc.append(f"    {arg.py}: {text}")
        doc.append('"""')
        code.add(2, "\n".join(doc))
        body = self.body(plan)
        code.add(2, body.text())
        return code.text()

    def lookup_code(self, tools: str) -> str:
        """The row helpers the tools call: ``_<entity>(key)``, ``_state()`` and ``_signed_in(token)``."""
        code = Code()
        signed_in = "self._signed_in(" in tools
        if signed_in:
            self.entity_helper(self.tables[self.model.accounts])
        if self.model.singleton and "_state" in self.lookups:
            table = self.tables[self.model.singleton]
            code.add(1, "def _state(self) -> dict[str, Any]:")
            code.add(2, '"""The service\'s own state (the single row of its table)."""')
            code.add(2, f"return _decoded([self.row('SELECT * FROM {sql_name(table.name)} ORDER BY rowid')], "
                        f"{table.name!r})[0]")
            code.add(0, "")
        for name in sorted(self.lookups - {"_state"}):
            table = self.tables[name]
            key = table.key
            kind = self.annotation(table.columns[key].shape, "Key")
            code.add(1, f"def _{table.entity}(self, {python_name(key)}: {kind}) -> dict[str, Any]:")
            code.add(2, f'"""The {human(table.entity)} with this {human(key)}, or a ToolError saying where to '
                        'find one."""')
            code.add(2, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {sql_name(key)} = ?', "
                        f"{python_name(key)})")
            code.add(2, "if row is None:")
            code.add(3, f'raise ToolError(f"no {human(table.entity)} with {human(key)} \'{{{python_name(key)}}}\'; '
                        f'{self.missing(table, human(key) + "s")}")')
            code.add(2, f"return _decoded([row], {table.name!r})[0]")
            code.add(0, "")
        if signed_in:
            accounts = self.tables[self.model.accounts]
            login = next((p.op.name for p in self.model.plans if p.kind == "login"), "the login tool")
            code.add(1, "def _signed_in(self, token: str) -> dict[str, Any]:")
            code.add(2, '"""The account a session token belongs to."""')
            code.add(2, "session = self.row('SELECT \"account\" FROM \"sessions\" WHERE \"token\" = ?', token)")
            code.add(2, "if session is None:")
            code.add(3, f'raise ToolError("invalid or expired access token; log in with {login} first")')
            code.add(2, f"return self.{self.entity_helper(accounts)}(session[\"account\"])")
        return code.text()

    def class_code(self, tools: list[str], lookups: str, populate: str) -> str:
        spec = self.model.spec
        code = Code()
        code.add(0, f"class {spec.name}(World):")
        summary = " ".join(spec.description.split()) or f"The {spec.name} service, simulated on seeded data."
        tables = ", ".join(t.name for t in self.tables.values())
        code.add(1, f'"""{summary}\n\nTables: {tables}."""' if len(summary) + len(tables) < 200 else
                 f'"""{summary}"""')
        code.add(0, "")
        code.add(1, f"domain = {spec.domain!r}")
        code.add(1, 'schema = """')
        code.add(0, self.schema())
        code.add(1, '"""')
        volatile = {t.name: tuple(c.name for c in t.columns.values() if c.stamp) for t in self.tables.values()}
        volatile = {k: v for k, v in volatile.items() if v}
        if volatile:
            code.add(1, f"volatile = {pretty(volatile, 4)}")
        ungraded = tuple(t.name for t in self.tables.values() if t.ungraded)
        if ungraded:
            code.add(1, f"ungraded = {ungraded!r}")
        text = {t.name: tuple(t.text) for t in self.tables.values() if t.text}
        if text:
            code.add(1, f"text_search = {pretty(text, 4)}")
        code.add(0, "")
        code.add(0, populate)
        code.add(0, "")
        if lookups:
            code.add(0, lookups.rstrip("\n"))
            code.add(0, "")
        code.add(0, "\n\n".join(tools))
        return code.text()

    def schema(self) -> str:
        lines = []
        for table in self.tables.values():
            columns = []
            for column in table.columns.values():
                text = f"{sql_name(column.name)} {column.sql}"
                if column.key:
                    text += " PRIMARY KEY"
                if column.ref and column.ref in self.tables and not column.document:
                    text += f" REFERENCES {sql_name(column.ref)}"
                columns.append(text)
            lines.append(f"    CREATE TABLE {sql_name(table.name)} ({', '.join(columns)});")
            for column in self.indexed(table):
                lines.append(f"    CREATE INDEX {sql_name(table.name + '_by_' + column)} ON {sql_name(table.name)} "
                             f"({sql_name(column)});")
        return "\n".join(wrap_sql(line) for line in lines)

    def indexed(self, table: Table) -> list[str]:
        """Columns tools filter ``table`` by (its key is indexed already)."""
        found = []
        for plan in self.model.plans:
            if table not in (plan.table, plan.rows_table):
                continue
            for arg in plan.args:
                if arg.column and arg.role in ("filter", "any", "min", "max", "parent", "locate", "only", "include") \
                        and table.column(arg.column) is not None and not table.columns[arg.column].key \
                        and not table.columns[arg.column].document:
                    found.append(table.columns[arg.column].name)
        for column in table.columns.values():
            if column.ref and not column.key and not column.document:
                found.append(column.name)
        return list(dict.fromkeys(found))

    # --------------------------------------------------------------- seeding
    def order(self) -> list[Table]:
        """Tables with parents after their parents."""
        done: list[Table] = []
        pending = list(self.tables.values())
        while pending:
            ready = [t for t in pending if not t.parent or t.parent not in self.tables or
                     self.tables[t.parent] in done or t.parent == t.name]
            ready = ready or pending[:1]
            for table in ready:
                done.append(table)
                pending.remove(table)
        return done

    def populate_code(self) -> str:
        code = Code()
        code.add(1, "@classmethod")
        code.add(1, "def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:")
        code.add(2, "start = cls.start_time")
        tables = [t for t in self.order() if not t.empty]
        done: set[str] = set()
        for table in tables:
            code.add(2, f"{keys_name(table.name)} = {self.key_values(table, self.base(table))}")
        for table in tables:
            code.add(2, f"{table.name}_rows = []")
            if table.series:
                named = table.columns[table.series[0]]
                source = f"{keys_name(named.ref)}[:{SERIES}]" if named.ref in self.tables else \
                    f"_distinct(lambda: {scalar_expr(self.model, table, named)}, {SERIES})"
                code.add(2, f"{table.name}_series = {source}  # {DAYS} consecutive days of each")
            uniques = [c for c in table.columns.values() if c.unique and not c.key and not c.ref and
                       not c.document and not choices(self.model, table, c) and
                       not re.search(r"\b(key|i)\b", scalar_expr(self.model, table, c))]
            for column in uniques:
                code.add(2, f"{table.name}_{column.name} = _distinct(lambda: {scalar_expr(self.model, table, column)}, "
                            f"len({keys_name(table.name)}))")
                self.helpers.add("_distinct")
            code.add(2, f"for i, key in enumerate({keys_name(table.name)}):")
            entries = []
            for column in table.columns.values():
                if column.derive:
                    continue
                if table.grid and column.name == table.grid:
                    value = f"i % {GRID} + 1"
                elif table.grid and column.name == table.parent_column:
                    value = f"{keys_name(table.parent)}[i // {GRID}]"
                elif column.domain:
                    value = f"rng.randint(1, {column.domain})"
                elif table.series and column.name == table.series[0]:
                    value = f"{table.name}_series[i // {DAYS} % len({table.name}_series)]"
                elif table.series and column.name == table.series[1]:
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) or column.name == "date" else "TIME"
                    value = f"(start - dt.timedelta(days=i % {DAYS} + 1)).strftime({fmt})"
                elif column.key:
                    value = "key"
                elif column in uniques:
                    value = f"{table.name}_{column.name}[i]"
                elif column.ref and column.ref in self.tables and not column.document:
                    parent = keys_name(column.ref)
                    if column.name == table.parent_column:
                        value = f"{parent}[i] if i < len({parent}) else rng.choice({parent})"
                    else:
                        value = f"rng.choice({parent})"
                    if not self.tables[column.ref].empty and self.tables[column.ref] is table:
                        value = f"rng.choice({parent})"
                elif column.document:
                    self.helpers.add("_stored")
                    value = f"_stored({document_expr(self.model, table, column)})"
                else:
                    value = scalar_expr(self.model, table, column)
                entries.append(f"{column.name!r}: {value}")
            code.add(3, "row = {")
            for entry in entries:
                code.add(4, entry + ",")
            code.add(3, "}")
            inherited = self.inherited(table) if table.parent in done else []
            if inherited:  # a pull request's comment is in the pull request's repository
                code.add(3, f"parent_row = {table.parent}_by_key[row[{table.parent_column!r}]]")
                for name in inherited:
                    code.add(3, f"row[{name!r}] = parent_row[{name!r}]")
            for column in table.columns.values():
                if column.derive and column.derive[1] == "term":
                    code.add(3, f"row[{column.name!r}] = _term(row[{column.derive[0]!r}])")
                elif column.derive and column.derive[1] == "copy":
                    code.add(3, f"row[{column.name!r}] = row[{column.derive[0]!r}]")
                elif column.derive:
                    direction = -1 if column.derive[1] == "min" else 1
                    day = ", day=True" if column.shape.pattern and matches(column.shape.pattern, "2026-03-05") \
                        and not matches(column.shape.pattern, "2026-03-05T14:30") else ""
                    code.add(3, f"row[{column.name!r}] = _bound(row[{column.derive[0]!r}], {direction}, rng{day})")
            code.add(3, f"{table.name}_rows.append(row)")
            code.add(2, f"db[{table.name!r}].insert_all({table.name}_rows)")
            done.add(table.name)
            if any(self.inherited(child) for child in self.tables.values() if child.parent == table.name):
                code.add(2, f"{table.name}_by_key = {{r[{table.key!r}]: r for r in {table.name}_rows}}")
        return code.text()

    def inherited(self, table: Table) -> list[str]:
        """Columns a child row copies from its parent row (the owner and repository of a pull request's comment)."""
        parent = self.tables.get(table.parent or "")
        if parent is None or parent is table or not table.parent_column or parent.empty:
            return []
        return [c.name for c in table.columns.values() if c.name in parent.columns and not c.key and not c.derive
                and c.name != table.parent_column and not parent.columns[c.name].key and not c.document
                and parent.columns[c.name].shape.type == c.type and not parent.columns[c.name].document
                and not (c.unique or c.name == table.label)]

    def key_values(self, table: Table, base: int) -> str:
        """The keys of a table's seeded rows."""
        if table.empty:
            return "[]"
        count = table.rows if not table.singleton else 1
        key = table.columns[table.key]
        if key.shape.enum:  # a marketplace among EBAY_US, EBAY_GB and EBAY_DE: one row each
            return repr(list(dict.fromkeys(key.shape.enum)))
        if key.type in ("integer", "number"):
            step = 1 + (base // 10000) % 7
            if key.shape.minimum is not None and base < key.shape.minimum:
                base = int(key.shape.minimum)
            if key.shape.maximum is not None and base + step * count > key.shape.maximum:
                base, step = int(key.shape.minimum or 1), 1  # a key the declared limits allow
            return f"[{base} + {step} * i for i in range({count})]"
        shaped = pattern_expr(key.shape.pattern) if key.shape.pattern else None
        if shaped:  # keys such as DB00001 (^DB\\d{5}$)
            return f"_distinct(lambda: {shaped}, {count})"
        if table.known_key:
            letters = re.sub(r"[^A-Z]", "", camel(table.entity).upper())[:3] or "ID"
            return f"_distinct(lambda: f\"{letters}-{{rng.randint(10000, 99999)}}\", {count})"
        if table.label == table.key or not is_id_like_name(table.key):
            made = scalar_expr(self.model, table, Column(table.key, key.shape))
            if re.search(r"\bi\b", made) and not re.search(r"\bkey\b", made):
                return f"[{made} for i in range({count})]"  # numbered, hence distinct
            if not re.search(r"\b(i|key)\b", made):
                return f"_distinct(lambda: {made}, {count})"
        self.helpers.add("_distinct")
        return f"_distinct(lambda: fake_id(rng, {prefix_of(table)!r}), {count})"


def is_id_like_name(name: str) -> bool:
    from generators.values import is_id_like

    return is_id_like(name) or id_stem(name) is not None


def pretty(value: Any, indent: int = 0) -> str:
    """A Python literal, wrapped when long."""
    text = repr(value)
    if len(text) <= 100 or not isinstance(value, (dict, list)):
        return text
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        inner = f",\n{pad}".join(f"{k!r}: {v!r}" for k, v in value.items())
        return "{\n" + pad + inner + ",\n" + " " * indent + "}"
    inner = f",\n{pad}".join(repr(v) for v in value)
    return "[\n" + pad + inner + ",\n" + " " * indent + "]"


def wrap_signature(header: str) -> str:
    """A def line, its parameters one per line when it is long."""
    if len(header) <= 116:
        return header
    start = header.index("(") + 1
    end = header.rindex(") ->")
    params = split_top(header[start:end])
    return header[:start] + "\n" + "".join(f"        {p},\n" for p in params) + header[end:]


def split_top(text: str) -> list[str]:
    """``text`` split at commas outside brackets and string literals."""
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote and not current.endswith("\\") else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def wrap_sql(line: str) -> str:
    if len(line) <= 116:
        return line
    head, _, rest = line.partition("(")
    parts = split_top(rest.rstrip(");"))
    return head + "(" + (",\n" + " " * (len(head) + 1)).join(parts) + ");"
