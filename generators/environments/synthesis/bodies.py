"""Rendering, second part: the body of each tool method (the kinds of
:class:`~generators.environments.synthesis.model.ToolPlan` as SQL over the world's tables)."""

from __future__ import annotations

import re

from generators.environments.synthesis.model import Arg, Column, Out, Table, ToolPlan, is_scalar
from generators.environments.synthesis.names import entity_column_of, human, is_time_name, norm
from generators.environments.synthesis.rendering import Code, Renderer, literal, sql_name
from generators.environments.synthesis.seeding import DATE_ONLY, choices
from generators.environments.synthesis.vocabulary import FINAL_STATES, REVIVERS

#: What a new session's token fields hold.
SESSION_DEFAULTS = {"token_type": "'Bearer'", "expires_in": "3600", "scope": "'read write'", "status": "'active'"}


def prefix_of(table: Table) -> str:
    """The prefix of a table's generated keys (``meetings`` -> ``mee_``)."""
    letters = re.sub(r"[^a-z]", "", table.entity.lower())
    return (letters[:3] or "row") + "_"


class BodyRenderer(Renderer):
    """A :class:`Renderer` that also writes each tool's body: the SQL over the world's tables that reads, lists,
    creates, updates or deletes rows, and the ToolErrors that say what was wrong."""

    # ----------------------------------------------------------------- bodies
    def entity_helper(self, table: Table) -> str:
        """The name of the method returning a row of ``table`` by key (or raising a ToolError)."""
        self.lookups.add(table.name)
        return f"_{table.entity}"

    def missing(self, table: Table, what: str) -> str:
        """An error message's advice: which tools show what was not found."""
        listers = [t for t in table.listers][:2]
        if listers:
            return f"{' or '.join(listers)} show{'s' if len(listers) == 1 else ''} the {what}"
        return f"check the {what}"

    def where(self, plan: ToolPlan, table: Table, code: Code, indent: int) -> tuple[str, list[str], bool]:
        """(SQL condition, its argument expressions, whether it is an f-string) for the filters of a read."""
        clauses: list[str] = []
        values: list[str] = []
        dynamic = False
        for arg in plan.args:
            role, py = arg.role, arg.py
            column = table.column(arg.column) if arg.column else None
            if arg.role == "query":
                self.ensure_text(table)
                if arg.param.required:
                    code.add(indent, f"match, terms = self.text_filter({table.name!r}, {py})")
                else:
                    code.add(indent, f"match, terms = self.text_filter({table.name!r}, {py}) if {py} else "
                                     "(\"1\", ())")
                clauses.append("{match}")
                values.append("*terms")
                dynamic = True
                continue
            if arg.role == "token" and plan.anchor is not None and plan.anchor.name == self.model.accounts:
                owner = next((c for c in table.columns.values() if c.ref == plan.anchor.name), None)
                if owner is not None and table is not plan.anchor:
                    code.add(indent, f"account = self._signed_in({py})")
                    clauses.append(f"{sql_name(owner.name)} = ?")
                    values.append(f"account[{plan.anchor.key!r}]")
                continue
            if column is None or role not in ("filter", "any", "min", "max", "only", "include", "parent"):
                continue
            name = f'{sql_name(table.name)}.{sql_name(column.name)}'
            optional = not arg.param.required
            text = column.type == "string"
            if role == "parent":
                condition, args = f"{name} = ?", [py]
            elif role == "filter":
                if column.document:
                    condition = f"EXISTS (SELECT 1 FROM json_each({name}) WHERE value = ?)"
                else:
                    condition = f"{name} = ?" + (" COLLATE NOCASE" if text else "")
                args = [py if arg.param.shape.type != "boolean" else f"_stored({py})"]
                if arg.param.shape.type == "boolean":
                    self.helpers.add("_stored")
            elif role == "any":
                self.helpers.add("_stored")
                inner = "SELECT value FROM json_each(?)"
                condition = (f"EXISTS (SELECT 1 FROM json_each({name}) WHERE value IN ({inner}))" if column.document
                             else f"{name} IN ({inner})")
                args = [f"_stored({py})"]
            elif role in ("min", "max"):
                op = ">=" if role == "min" else "<="
                if text:
                    condition, args = f"substr({name}, 1, length(?)) {op} ?", [py, py]
                else:
                    condition, args = f"{name} {op} ?", [py]
            elif role == "only":
                condition, args = f"(NOT ? OR {name} = 1)", [py]
            else:
                condition, args = f"(? OR {name} = 0)", [py]
            if optional:
                condition = f"(? IS NULL OR {condition})"
                args = [args[0], *args]
            clauses.append(condition)
            values.extend(args)
        return (" AND ".join(clauses) or "1"), values, dynamic

    def ensure_text(self, table: Table) -> None:
        if not table.text:
            table.text = [c for c in (table.label,) if c] or [next(c.name for c in table.columns.values()
                                                                   if c.type == "string")]

    def order_by(self, plan: ToolPlan, table: Table, code: Code) -> str:
        """The ORDER BY of a list: the sort argument's column, else the label, then the key."""
        default = table.label or table.key
        sort = plan.arg("sort")
        direction = plan.arg("direction")
        column = sql_name(default)
        if sort is not None:
            options = self.sort_options(plan, sort)
            mapping = ", ".join(f"{value!r}: {sql_name(col)!r}" for value, col in options.items())
            code.add(0, f"column = {{{mapping}}}.get({sort.py} or '', {sql_name(default)!r})")
            column = "{column}"
        text = f"{sql_name(table.name)}.{column}"
        if direction is not None:
            text += ' {"DESC" if ' + self.descending(direction) + ' else "ASC"}'
        if default != table.key:
            text += f", {sql_name(table.name)}.{sql_name(table.key)}"
        return text

    @staticmethod
    def descending(arg: Arg) -> str:
        if arg.param.shape.type == "boolean":
            return f"{arg.py}" if norm(arg.name) in ("descending", "desc") else f"{arg.py} is False"
        return f"str({arg.py}).lower().startswith(\"desc\")"

    def out_expr(self, plan: ToolPlan, out: Out, row: str) -> str:
        """The expression of one result field."""
        source = out.source
        if source in ("column", "first"):
            return f"{row}[{out.column!r}]"
        if source == "param":
            return out.arg
        if source == "written":
            return self.project(out, self.tables[out.table], "created" if plan.arg("batch") else f"[{row}]")
        if source == "none":
            return "[]"
        if source in ("children", "ids", "count"):
            table = self.tables[out.table]
            parent = self.tables[table.columns[out.column].ref or plan.table.name] if source == "children" else (
                self.tables[table.parent] if table.parent else plan.table)
            fk = out.column if source == "children" else (table.parent_column or next(
                (c.name for c in table.columns.values() if c.ref == parent.name), table.key))
            key = f"{row}[{parent.key!r}]"
            if source == "count":
                return f"self.value('SELECT COUNT(*) FROM {sql_name(table.name)} WHERE {sql_name(fk)} = ?', {key})"
            if source == "ids":
                return (f"[r[{table.key!r}] for r in self.rows('SELECT {sql_name(table.key)} FROM "
                        f"{sql_name(table.name)} WHERE {sql_name(fk)} = ? ORDER BY {sql_name(table.key)}', {key})]")
            limit = plan.arg("child_limit")
            limit_sql, limit_arg = (" LIMIT ?", f", {limit.py} or 50") if limit is not None else (" LIMIT 50", "")
            self.helpers.add("_decoded")
            fetched = (f"_decoded(self.rows('SELECT {self.select_list(table)} FROM {sql_name(table.name)} "
                       f"WHERE {sql_name(fk)} = ? "
                       f"ORDER BY rowid{limit_sql}', {key}{limit_arg}), {table.name!r})")
            return self.project(out, table, fetched)
        if source == "flag":
            return "True" if plan.kind != "session" else "row is not None"
        if source == "message":
            thing = human(plan.table.entity) if plan.table is not None else "record"
            done = {"create": "created", "update": "updated", "delete": "deleted", "transition": "updated",
                    "login": "logged in", "logout": "logged out"}.get(plan.kind, "done")
            key = plan.table.key if plan.table is not None else None
            if plan.kind in ("transition",):
                done = f"now {plan.state_value}"
            if key and plan.kind not in ("logout",):
                return f'f"{thing} {{{row}[{key!r}]}} {done}"'
            return f'"{thing} {done}"'
        if source == "token":
            return "token"
        return "None"

    def project(self, out: Out, table: Table, fetched: str) -> str:
        """Listed rows showing the declared fields (all columns when the description names none)."""
        items = out.shape.items
        if items is None or not items.fields:
            if self.select_list(table) == "*" or "SELECT" in fetched:
                return fetched
            body = ", ".join(f"{c.name!r}: r[{c.name!r}]" for c in table.columns.values() if not c.hidden)
            return f"[{{{body}}} for r in {fetched}]"
        mapping = {name: entity_column_of(table, name) for name in items.fields}
        if all(name == column for name, column in mapping.items()) and list(mapping) == list(table.columns):
            return fetched
        body = ", ".join(f"{name!r}: r[{column!r}]" for name, column in mapping.items())
        return f"[{{{body}}} for r in {fetched}]"

    def result_dict(self, plan: ToolPlan, row: str) -> str:
        if plan.bare == "row":
            if self.select_list(plan.table) == "*":
                return row
            return "{" + ", ".join(f"{c.name!r}: {row}[{c.name!r}]" for c in plan.table.columns.values()
                                   if not c.hidden) + "}"
        if plan.bare == "scalar":
            return self.out_expr(plan, plan.outs[0], row)
        parts = [f"{o.name!r}: {self.out_expr(plan, o, row)}" for o in plan.outs]
        return "{" + ", ".join(parts) + "}"

    def locate(self, plan: ToolPlan, code: Code, indent: int, var: str = "row") -> str:
        """Lines that fetch the row a tool acts on into ``var``; returns how it is keyed ("key", "scope" for every
        row under an owner, "state" for the single row)."""
        table = plan.table
        key = next((a for a in plan.args if a.role == "key" and a.table == table.name), None)
        locator = plan.arg("locate")
        parents = [a for a in plan.args if a.role == "parent" and a.param.required]
        token = plan.arg("token")
        for parent in parents:
            owner = self.tables[parent.table] if parent.table else None
            if owner is not None and owner is not table:
                code.add(indent, f"self.{self.entity_helper(owner)}({parent.py})")
        if table.singleton:
            code.add(indent, f"{var} = self._state()")
            self.lookups.add("_state")
            return "state"
        if token is not None and self.model.accounts == table.name:
            code.add(indent, f"{var} = self._signed_in({token.py})")
            return "key"
        if key is not None:
            code.add(indent, f"{var} = self.{self.entity_helper(table)}({key.py})")
            for parent in parents:
                column = parent.column
                if column and table.column(column) is not None:
                    code.add(indent, f"if {var}[{column!r}] != {parent.py}:")
                    code.add(indent + 1, f'raise ToolError(f"{human(table.entity)} \'{{{key.py}}}\' does not belong '
                                         f'to {human(parent.name)} \'{{{parent.py}}}\'")')
            return "key"
        conditions, values = [], []
        if locator is not None:
            text = table.columns[locator.column].type == "string"
            conditions.append(f"{sql_name(locator.column)} = ?" + (" COLLATE NOCASE" if text else ""))
            values.append(locator.py)
        for parent in parents:
            if parent.column and table.column(parent.column) is not None:
                conditions.append(f"{sql_name(parent.column)} = ?")
                values.append(parent.py)
        narrow = [a for a in plan.args if a.role == "narrow"]
        for arg in narrow:
            conditions.append(f"(? IS NULL OR {sql_name(arg.column)} = ?)")
            values.extend([arg.py, arg.py])
        if token is not None and self.model.accounts:
            owner = next((c for c in table.columns.values() if c.ref == self.model.accounts), None)
            if owner is not None:
                code.add(indent, f"account = self._signed_in({token.py})")
                conditions.append(f"{sql_name(owner.name)} = ?")
                values.append(f"account[{self.tables[self.model.accounts].key!r}]")
        said = " and ".join(f"{human(a.name)} '{{{a.py}}}'" for a in [locator, *parents] if a is not None)
        what = f"no {human(table.entity)} with {said}" if said else f"no {human(table.entity)} found"
        self.helpers.add("_decoded")
        condition = " AND ".join(conditions) or "1"
        code.add(indent, f"{var} = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition} ORDER BY rowid'"
                         f"{''.join(', ' + v for v in values)})")
        code.add(indent, f"if {var} is None:")
        code.add(indent + 1, f'raise ToolError(f"{what}; {self.missing(table, human(table.entity) + "s")}")')
        code.add(indent, f"{var} = _decoded([{var}], {table.name!r})[0]")
        return "scope" if locator is None and parents and not narrow else "key"

    def body(self, plan: ToolPlan) -> Code:
        code = Code()
        kind = plan.kind
        if kind in ("get", "lookup"):
            self.body_get(plan, code)
        elif kind in ("list", "search"):
            self.body_list(plan, code)
        elif kind == "create":
            self.body_create(plan, code)
        elif kind in ("update", "transition"):
            self.body_update(plan, code)
        elif kind == "delete":
            self.body_delete(plan, code)
        elif kind == "login":
            self.body_login(plan, code)
        elif kind == "logout":
            self.body_logout(plan, code)
        else:
            self.body_session(plan, code)
        return code

    def body_get(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        if plan.kind == "lookup" and not table.singleton and not plan.arg("locate"):
            where, values, dynamic = self.where(plan, table, code, 0)
            self.helpers.add("_decoded")
            prefix = "f" if dynamic else ""
            code.add(0, f"row = self.row({prefix}'SELECT * FROM {sql_name(table.name)} WHERE {where} "
                        f"ORDER BY rowid'{''.join(', ' + v for v in values)})")
            said = " and ".join(f"{human(a.name)} '{{{a.py}}}'" for a in plan.args
                                if a.role in ("filter", "any", "min", "max") and a.param.required)
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError(f"no {human(table.entity)} {("with " + said) if said else "matches"}; '
                        f'{self.missing(table, human(table.name))}")')
            code.add(0, f"row = _decoded([row], {table.name!r})[0]")
        else:
            self.locate(plan, code, 0)
            for arg in plan.args:
                if arg.role in ("filter", "match") and arg.column and not table.singleton:
                    code.add(0, f"if {arg.py} is not None and row[{arg.column!r}] != {arg.py}:")
                    code.add(1, f'raise ToolError(f"{human(table.entity)} has {human(arg.column)} '
                                f'\'{{row[{arg.column!r}]}}\', not \'{{{arg.py}}}\'")')
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_list(self, plan: ToolPlan, code: Code) -> None:
        table = plan.rows_table
        parents = [a for a in plan.args if a.role == "parent" and a.param.required and a.table]
        for parent in parents:
            owner = self.tables[parent.table]
            if owner is table:
                continue
            matched = [a for a in plan.args if a.role == "match" and a.table == owner.name]
            if not matched:
                code.add(0, f"self.{self.entity_helper(owner)}({parent.py})")
                continue
            code.add(0, f"parent_row = self.{self.entity_helper(owner)}({parent.py})")
            for arg in matched:
                code.add(0, f"if parent_row[{arg.column!r}] != {arg.py}:")
                code.add(1, f'raise ToolError(f"{human(owner.entity)} \'{{{parent.py}}}\' has {human(arg.column)} '
                            f'\'{{parent_row[{arg.column!r}]}}\', not \'{{{arg.py}}}\'")')
        where, values, dynamic = self.where(plan, table, code, 0)
        limit, offset, page, cursor = plan.arg("limit"), plan.arg("offset"), plan.arg("page"), plan.arg("cursor")
        size = "20"
        if limit is not None:
            size = limit.py if limit.param.shape.type == "integer" and (limit.param.required or self.numbered(
                limit)) else f"int({limit.py} or 20)"
        code.add(0, f"batch = {size}")
        if cursor is not None:
            self.helpers.add("_start")
            code.add(0, f"first = _start({cursor.py})")
        elif offset is not None:
            code.add(0, f"first = {offset.py}" + ("" if self.numbered(offset) or offset.param.required else " or 0"))
        elif page is not None:
            page_value = page.py if self.numbered(page) or page.param.required else f"int({page.py} or 1)"
            code.add(0, f"first = ({page_value} - 1) * batch")
        else:
            code.add(0, "first = 0")
        args = "".join(", " + v for v in values)
        code.add(0, f"where = f'{where}'" if dynamic else f"where = '{where}'")
        order = self.order_by(plan, table, code)
        self.helpers.add("_decoded")
        source = sql_name(table.name)
        if plan.bare == "values" or any(o.source == "values" and o.name == plan.rows_field for o in plan.outs):
            column = table.columns[plan.state_column]
            if column.document:
                select = (f"SELECT DISTINCT j.value AS value FROM {source}, json_each({source}."
                          f"{sql_name(column.name)}) AS j WHERE {{where}}")
            else:
                select = f"SELECT DISTINCT {source}.{sql_name(column.name)} AS value FROM {source} WHERE {{where}}"
            code.add(0, f"total = self.value(f'SELECT COUNT(*) FROM ({select})'{args})")
            code.add(0, f"shown = [r['value'] for r in self.rows(f'{select} ORDER BY value LIMIT ? OFFSET ?'"
                        f"{args}, batch, first)]")
            listed = "shown"
        else:
            code.add(0, f"total = self.value(f'SELECT COUNT(*) FROM {source} WHERE {{where}}'{args})")
            code.add(0, f"rows = _decoded(self.rows(f'SELECT {self.select_list(table)} FROM {source} WHERE {{where}} "
                        f"ORDER BY {order} "
                        f"LIMIT ? OFFSET ?'{args}, batch, first), {table.name!r})")
            listed = "rows"
        if plan.bare in ("rows", "values"):
            items = plan.returns.items
            if plan.bare == "rows" and items is not None and items.fields:
                mapping = {name: entity_column_of(table, name) for name in items.fields}
                body = ", ".join(f"{name!r}: r[{column!r}]" for name, column in mapping.items())
                code.add(0, f"return [{{{body}}} for r in rows]")
            else:
                code.add(0, f"return {listed}")
            return
        parts = []
        for out in plan.outs:
            parts.append(f"{out.name!r}: {self.list_out(plan, out, listed)}")
        code.add(0, "return {" + ", ".join(parts) + "}")

    def list_out(self, plan: ToolPlan, out: Out, listed: str) -> str:
        source = out.source
        if source == "rows":
            table = self.tables[out.table]
            if out.table == plan.rows_table.name:
                return self.project(out, table, listed)
            return self.project(out, table, self.extra_rows(plan, table))
        if source == "values":
            if out.name == plan.rows_field:
                return listed
            column = self.tables[out.table].columns[out.column]
            if column.document:
                return f"sorted({{v for r in {listed} for v in (r[{out.column!r}] or [])}}, key=str)"
            return f"[r[{out.column!r}] for r in {listed}]"
        if source == "total":
            return "total"
        if source == "shown":
            return f"len({listed})"
        if source == "cursor":
            return f"str(first + len({listed})) if first + len({listed}) < total else \"\""
        if source == "more":
            return f"first + len({listed}) < total"
        if source == "page":
            return "first // batch + 1"
        if source == "pages":
            return "(total + batch - 1) // batch"
        if source == "first":
            return f"{listed}[0][{out.column!r}] if {listed} else None"
        if source == "param":
            return out.arg
        if plan.anchor is not None and out.source == "column":
            owner = next((a for a in plan.args if a.role == "parent" and a.table == plan.anchor.name), None)
            token = plan.arg("token")
            if owner is not None:
                return f"self.{self.entity_helper(plan.anchor)}({owner.py})[{out.column!r}]"
            if token is not None and self.model.accounts == plan.anchor.name:
                return f"self._signed_in({token.py})[{out.column!r}]"
        return self.out_expr(plan, out, "row")

    def extra_rows(self, plan: ToolPlan, table: Table) -> str:
        """Rows of a second array of a list result (``upcoming_games`` beside ``current_games``), filtered alike
        (a text query only filters the first)."""
        self.helpers.add("_decoded")
        where, values, dynamic = self.where(plan, table, Code(), 0)
        if dynamic:
            where, values = "1", []
        args = "".join(", " + v for v in values)
        return (f"_decoded(self.rows('SELECT {self.select_list(table)} FROM {sql_name(table.name)} WHERE {where} "
                f"ORDER BY rowid LIMIT ?'"
                f"{args}, batch), {table.name!r})")

    def insert_value(self, table: Table, column: Column) -> str:
        """What a create stores in a column no argument fills."""
        key = norm(column.name)
        if column.key:
            return "key"
        if column.hidden:
            return "None"
        if (column.stamp or is_time_name(column.name)) and column.type == "string":
            column.stamp = True
            fmt = "DAY" if DATE_ONLY.search(key) else "TIME"
            return f"self.now().strftime({fmt})"
        if is_time_name(column.name) and column.type in ("integer", "number"):
            column.stamp = True
            return "int((self.now() - EPOCH).total_seconds())"
        found = choices(self.model, table, column)
        if found:
            start = [c for c in found if c not in FINAL_STATES and c not in ("inactive", "suspended")] or found
            return literal(start[0])
        if key in SESSION_DEFAULTS and table.name == self.model.sessions:
            return SESSION_DEFAULTS[key]
        if column.type == "boolean":
            return "0"
        if column.type in ("integer", "number"):
            return "0"
        if column.type == "array":
            return literal("[]")
        if column.document and not column.shape.fields:
            return literal("{}")
        if column.document:  # an object whose fields nothing given fills
            column.nullable = True
            return "None"
        if column.name == table.label or column.unique:
            return f'f"{human(table.entity).title()} {{key}}"'
        if re.search(r"url|link|href|uri$", key):
            return f'f"https://{self.service}.example.com/{table.name}/{{key}}"'
        column.nullable = True
        return "None"

    def new_key(self, table: Table, code: Code) -> None:
        """A fresh key for a row about to be inserted."""
        key = table.columns[table.key]
        if key.type == "integer":  # in the table's own range, never a key given out before (and deleted since)
            code.add(0, f"key = self.value('SELECT MAX(COALESCE(MAX({sql_name(table.key)}), 0), {self.base(table)}, "
                        f"(SELECT COALESCE(MAX(value), 0) FROM _generated WHERE tbl = ?)) + 1 FROM "
                        f"{sql_name(table.name)}', {table.name!r})")
            code.add(0, f"self.mark_generated({table.name!r}, key)")
        elif key.type == "number":
            code.add(0, f"key = float(self.value('SELECT COALESCE(MAX({sql_name(table.key)}), 0) + 1 FROM "
                        f"{sql_name(table.name)}'))")
        else:
            code.add(0, f"key = self.new_id({table.name!r}, {prefix_of(table)!r})")

    def base(self, table: Table) -> int:
        """Where a table's integer keys start (each table its own range of 10000)."""
        return 10000 * (list(self.tables).index(table.name) + 1)

    def check_refs(self, plan: ToolPlan, code: Code) -> None:
        """Lines raising a ToolError for an argument naming a row that does not exist."""
        for arg in plan.args:
            if arg.role not in ("ref", "parent") or not arg.table or arg.table == plan.table.name:
                continue
            if arg.role == "parent" and arg.param.required:
                continue  # checked by locate
            helper = self.entity_helper(self.tables[arg.table])
            if arg.param.shape.type == "array":
                code.add(0, f"for value in {arg.py} or []:")
                code.add(1, f"self.{helper}(value)")
            elif arg.param.required:
                code.add(0, f"self.{helper}({arg.py})")
            else:
                code.add(0, f"if {arg.py} is not None:")
                code.add(1, f"self.{helper}({arg.py})")

    def stored(self, arg: Arg) -> str:
        if arg.param.shape.type in ("array", "object", "boolean"):
            self.helpers.add("_stored")
            return f"_stored({arg.py})"
        return arg.py

    def body_create(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        for parent in [a for a in plan.args if a.role == "parent" and a.param.required and a.table]:
            code.add(0, f"self.{self.entity_helper(self.tables[parent.table])}({parent.py})")
        self.check_refs(plan, code)
        token = plan.arg("token")
        if token is not None and self.model.accounts:
            code.add(0, f"account = self._signed_in({token.py})")
        for arg in plan.args:
            column = table.column(arg.column) if arg.column and arg.role in ("value", "locate") else None
            if column is not None and (column.unique or column.key) and is_scalar(arg.param.shape):
                code.add(0, f"if {arg.py} is not None and self.row('SELECT 1 FROM {sql_name(table.name)} WHERE "
                            f"{sql_name(column.name)} = ? COLLATE NOCASE', {arg.py}):")
                code.add(1, f'raise ToolError(f"a {human(table.entity)} with {human(column.name)} \'{{{arg.py}}}\' '
                            f'already exists")')
        own = next((a for a in plan.args if a.role == "value" and a.column == table.key), None)
        if own is not None and own.param.required:
            code.add(0, f"key = {own.py}")
        elif plan.arg("batch") is None:
            self.new_key(table, code)
            if own is not None:
                code.add(0, f"if {own.py} is not None:")
                code.add(1, f"key = {own.py}")
        given: dict[str, str] = {}
        for arg in plan.args:
            if arg.column and arg.role in ("value", "ref", "parent", "locate") and table.column(arg.column):
                column = table.column(arg.column)
                value = self.stored(arg)
                if not arg.param.required and arg.role == "value" and not column.key:
                    fallback = self.insert_value(table, column)
                    value = value if fallback == "None" else f"{value} if {arg.py} is not None else {fallback}"
                given.setdefault(column.name, value)
        if token is not None and self.model.accounts:
            owner = next((c for c in table.columns.values() if c.ref == self.model.accounts), None)
            if owner is not None:
                given.setdefault(owner.name, f"account[{self.tables[self.model.accounts].key!r}]")
        batch = plan.arg("batch")
        if batch is not None:  # one row per object given
            fields = batch.param.shape.items.fields
            for name, shape in fields.items():
                column = table.column(name)
                if column is not None and not column.key:
                    self.helpers.add("_stored")
                    value = f"item.get({name!r})"
                    given.setdefault(column.name, value if is_scalar(shape) else f"_stored({value})")
        values = {}
        for column in table.columns.values():
            values[column.name] = "key" if column.key else given.get(column.name) or self.insert_value(
                table, column)
        names = ", ".join(sql_name(n) for n in values)
        marks = ", ".join("?" for _ in values)
        insert = (f"self.execute('INSERT INTO {sql_name(table.name)} ({names}) VALUES ({marks})', "
                  f"{', '.join(values.values())})")
        if batch is None:
            code.add(0, insert)
            code.add(0, f"row = self.{self.entity_helper(table)}(key)")
        else:
            code.add(0, "created = []")
            code.add(0, f"for item in {batch.py}:")
            if own is None:
                body = Code()
                self.new_key(table, body)
                code.add(1, body.text())
            code.add(1, insert)
            code.add(1, f"created.append(self.{self.entity_helper(table)}(key))")
            code.add(0, "if not created:")
            code.add(1, f'raise ToolError("give at least one {human(table.entity)} to create")')
            code.add(0, "row = created[0]")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_update(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        keyed = self.locate(plan, code, 0)
        self.check_refs(plan, code)
        where = f"{sql_name(table.key)} = ?"
        target = f"row[{table.key!r}]"
        if keyed == "scope":
            parent = self.scope_arg(plan)
            where, target = f"{sql_name(parent.column)} = ?", parent.py
        settings = [a for a in plan.args if a.role in ("value", "ref") and a.column]
        for arg in plan.args:
            if arg.role != "amount":
                continue
            column, sign = sql_name(arg.column), "+" if plan.state_value == 1 else "-"
            if sign == "-":
                code.add(0, f"if (row[{arg.column!r}] or 0) < {arg.py}:")
                code.add(1, f'raise ToolError(f"not enough {human(arg.column)}: {{row[{arg.column!r}] or 0}} left, '
                            f'{{{arg.py}}} asked")')
            code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {column} = COALESCE({column}, 0) {sign} ? "
                        f"WHERE {where}', {arg.py}, {target})")
        if plan.kind == "transition":
            state, value = plan.state_column, plan.state_value
            current = f"row[{state!r}]"
            code.add(0, f"if {current} == {literal(value)}:")
            already = value if not isinstance(value, bool) else f"{'on' if value else 'off'} ({human(state)})"
            code.add(1, f'raise ToolError("the {human(table.entity)} is already {already}")')
            if plan.verb not in REVIVERS and isinstance(value, str):
                final = sorted({c for c in choices(self.model, table, table.columns[state]) or []
                                if c in FINAL_STATES and c != value})
                if final:
                    code.add(0, f"if {current} in {tuple(final)!r}:")
                    code.add(1, f'raise ToolError(f"the {human(table.entity)} is {{{current}}} and can no longer be '
                                f'{value}")')
            changes = {state: literal(value)}
            for arg in settings:
                changes[arg.column] = self.stored(arg)
            for column in table.columns.values():
                if is_time_name(column.name) and column.type == "string" and plan.verb and \
                        plan.verb[:5] in norm(column.name):
                    column.stamp = True
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) else "TIME"
                    changes[column.name] = f"self.now().strftime({fmt})"
            assignments = ", ".join(f"{sql_name(c)} = COALESCE(?, {sql_name(c)})" if c != state else
                                    f"{sql_name(c)} = ?" for c in changes)
            code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {assignments} WHERE {where}', "
                        f"{', '.join(changes.values())}, {target})")
        else:
            entries = ", ".join(f"{a.column!r}: {self.stored(a)}" for a in settings)
            if settings:
                code.add(0, f"changes = {{{entries}}}")
            if settings and any(not a.param.required for a in settings):
                code.add(0, "changes = {column: value for column, value in changes.items() if value is not None}")
                names = [a.name for a in settings]
                listed = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
                code.add(0, "if not changes:")
                code.add(1, f'raise ToolError("give at least one of {listed} to change")')
            if settings:
                code.add(0, "for column, value in changes.items():")
                code.add(1, f"self.execute(f'UPDATE {sql_name(table.name)} SET \"{{column}}\" = ? WHERE {where}', "
                            f"value, {target})")
            for column in table.columns.values():
                if column.stamp and re.search(r"updated|modified|edited|changed", norm(column.name)):
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) else "TIME"
                    code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {sql_name(column.name)} = ? "
                                f"WHERE {where}', self.now().strftime({fmt}), {target})")
        if keyed == "scope":
            code.add(0, f"row = _decoded([self.row('SELECT * FROM {sql_name(table.name)} WHERE {where} "
                        f"ORDER BY rowid', {target})], {table.name!r})[0]")
        else:
            code.add(0, f"row = self.{self.entity_helper(table)}(row[{table.key!r}])")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    @staticmethod
    def scope_arg(plan: ToolPlan) -> Arg:
        """The argument naming the owner of every row a scoped write acts on (the one the table has a column of)."""
        scoped = [a for a in plan.args if a.role == "parent" and a.param.required and a.column
                  and plan.table.column(a.column) is not None]
        return next((a for a in scoped if a.column == plan.table.parent_column), scoped[-1])

    def body_delete(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        purge = plan.arg("purge")
        if purge is not None:
            self.body_purge(plan, purge, code)
            return
        keyed = self.locate(plan, code, 0)
        if keyed == "scope":
            parent = self.scope_arg(plan)
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {sql_name(parent.column)} = ?', "
                        f"{parent.py})")
        else:
            for child in self.descendants(table):
                code.add(0, child)
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {sql_name(table.key)} = ?', "
                        f"row[{table.key!r}])")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_purge(self, plan: ToolPlan, purge: Arg, code: Code) -> None:
        """Delete the rows a list names (by one column, or objects by their scalar fields)."""
        table = plan.table
        things = human(table.name)
        self.helpers.add("_decoded")
        if purge.column:
            self.helpers.add("_stored")
            condition = f"{sql_name(purge.column)} IN (SELECT value FROM json_each(?))"
            code.add(0, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition} ORDER BY rowid', "
                        f"_stored({purge.py}))")
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError("none of the given {things} exists; {self.missing(table, things)}")')
            code.add(0, f"row = _decoded([row], {table.name!r})[0]")
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {condition}', _stored({purge.py}))")
        else:
            fields = [f for f, shape in (purge.param.shape.items.fields or {}).items() if is_scalar(shape)
                      and table.column(f) is not None]
            condition = " AND ".join(f"{sql_name(table.column(f).name)} IS ?" for f in fields)
            values = ", ".join(f"item.get({f!r})" for f in fields)
            code.add(0, "row = None")
            code.add(0, f"for item in {purge.py}:")
            code.add(1, f"found = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition}', {values})")
            code.add(1, "if found is not None:")
            code.add(2, f"row = row or _decoded([found], {table.name!r})[0]")
            code.add(2, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {condition}', {values})")
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError("none of the given {things} exists; {self.missing(table, things)}")')
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def descendants(self, table: Table, depth: int = 0) -> list[str]:
        """DELETE statements for the rows under a row of ``table`` (two levels down), deepest first."""
        found = []
        for child in self.tables.values():
            if child.parent != table.name or child is table or depth > 1:
                continue
            scope = (f"SELECT {sql_name(child.key)} FROM {sql_name(child.name)} "
                     f"WHERE {sql_name(child.parent_column)} = ?")
            for grandchild in self.tables.values():
                if grandchild.parent == child.name and grandchild is not child:
                    found.append(f"self.execute('DELETE FROM {sql_name(grandchild.name)} WHERE "
                                 f"{sql_name(grandchild.parent_column)} IN ({scope})', row[{table.key!r}])")
            found.append(f"self.execute('DELETE FROM {sql_name(child.name)} "
                         f"WHERE {sql_name(child.parent_column)} = ?', "
                         f"row[{table.key!r}])")
        return found

    def body_login(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        credentials = [a for a in plan.args if a.role == "credential"]
        condition = " AND ".join(f"{sql_name(a.column)} = ?" for a in credentials) or "1"
        names = " and ".join(human(a.name) for a in credentials) or "account"
        code.add(0, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition}'"
                    f"{''.join(', ' + a.py for a in credentials)})")
        code.add(0, "if row is None:")
        code.add(1, f'raise ToolError("wrong {names}: no account matches them")')
        self.helpers.add("_decoded")
        code.add(0, f"row = _decoded([row], {table.name!r})[0]")
        sessions = self.tables[self.model.sessions]
        values = {"token": "token", "account": f"row[{table.key!r}]", "created_at": "self.now().strftime(TIME)"}
        args = {norm(a.name): a for a in plan.args}
        for column in sessions.columns.values():
            if column.name not in values:
                arg = args.get(norm(column.name))
                values[column.name] = arg.py if arg is not None else self.insert_value(sessions, column)
        names = ", ".join(sql_name(n) for n in values)
        code.add(0, "token = self.new_id('sessions', 'tok_')")
        code.add(0, f"self.execute('INSERT INTO \"sessions\" ({names}) VALUES ({', '.join('?' * len(values))})', "
                    f"{', '.join(values.values())})")
        code.add(0, "session = self.row('SELECT * FROM \"sessions\" WHERE \"token\" = ?', token)")
        parts = [f"{o.name!r}: session[{o.column!r}]" if o.table == sessions.name and o.source == "column" else
                 f"{o.name!r}: {self.out_expr(plan, o, 'row')}" for o in plan.outs]
        code.add(0, "return {" + ", ".join(parts) + "}" if plan.outs else "return {\"token\": token}")

    def body_logout(self, plan: ToolPlan, code: Code) -> None:
        token = plan.arg("token")
        if token is not None:
            code.add(0, f"ended = self.execute('DELETE FROM \"sessions\" WHERE \"token\" = ?', {token.py})")
        else:
            code.add(0, "ended = self.execute('DELETE FROM \"sessions\"')")
        code.add(0, "if not ended:")
        code.add(1, 'raise ToolError("nobody is logged in")')
        code.add(0, "row = None")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_session(self, plan: ToolPlan, code: Code) -> None:
        accounts = self.tables[self.model.accounts]
        self.helpers.add("_decoded")
        code.add(0, f"row = self.row('SELECT a.* FROM \"sessions\" AS s JOIN {sql_name(accounts.name)} AS a ON "
                    f"a.{sql_name(accounts.key)} = s.\"account\" ORDER BY s.\"created_at\" DESC, s.rowid DESC')")
        code.add(0, f"row = _decoded([row], {accounts.name!r})[0] if row is not None else "
                    f"dict.fromkeys({tuple(accounts.columns)!r})")
        code.add(0, "signed_in = bool(row[" + repr(accounts.key) + "])")
        parts = [f"{o.name!r}: {'signed_in' if o.source == 'flag' else self.out_expr(plan, o, 'row')}"
                 for o in plan.outs]
        code.add(0, "return {" + ", ".join(parts) + "}")
