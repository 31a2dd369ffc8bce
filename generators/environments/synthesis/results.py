"""Result inference, the second part of analysis: the source of every field a tool returns, and the tables
a result's arrays hold."""

from __future__ import annotations

import re

from generators.environments.spec import Shape, normalize_name
from generators.environments.synthesis.entities import EntityInference
from generators.environments.synthesis.model import (
    BOOLEAN,
    STRING,
    Arg,
    Out,
    Table,
    ToolPlan,
    is_object_array,
    is_scalar,
)
from generators.environments.synthesis.names import id_stem, norm, plural
from generators.environments.synthesis.vocabulary import (
    COUNT_FIELDS,
    CURSOR_FIELDS,
    GENERIC_ARRAYS,
    MESSAGE_FIELDS,
    MORE_FIELDS,
    PAGE_FIELDS,
    PAGES_FIELDS,
    TOTAL_FIELDS,
    WRITE_FLAGS,
)
from generators.values import singular


class ResultInference(EntityInference):
    """Where each field of a tool's result comes from: a column of the row, an argument echoed, the listed rows or
    a column of them, rows under the row, a count, a page of a list, a flag or message of a write."""

    # ---------------------------------------------------------------- results
    def outputs(self, plan: ToolPlan, table: Table, write: bool) -> None:
        """The result's fields and their sources (columns a result names are added to the tables)."""
        shape = plan.op.returns
        kind = plan.kind
        if shape.type == "object" and not shape.fields:
            plan.bare = "row" if kind not in ("list", "search", "delete", "login", "logout", "session") else None
            if kind in ("list", "search"):
                plan.bare = "values" if plan.state_column and plan.rows_table and plan.rows_field == "" and \
                    plan.op.returns.type == "array" else "rows"
                plan.returns = Shape(type="array", items=Shape(type="object"))
                self.open_rows(table, plan, "", plan.returns)
                return
            if plan.bare == "row":
                plan.returns = Shape(type="object")
                return
            fields = {"login": {"token": STRING}, "logout": {"success": BOOLEAN},
                      "session": {"is_authenticated": BOOLEAN}}.get(kind) or {
                table.key: table.columns[table.key].shape, "deleted": BOOLEAN}
            shape = Shape(type="object", fields=fields)
        if shape.type == "array":
            plan.bare = "values" if plan.state_column else "rows"
            plan.returns = shape
            if plan.bare == "rows" and shape.items is not None and shape.items.fields:
                for name, item in shape.items.fields.items():
                    self.item_column(table, name, item)
            return
        if shape.type != "object":
            plan.bare = "scalar"
            plan.returns = shape
            plan.outs = [self.field_source(plan, table, normalize_name(plan.noun or "value"), shape, write)]
            return
        plan.returns = shape
        plan.outs = [self.field_source(plan, table, name, item, write) for name, item in shape.fields.items()]
        named = {o.name for o in plan.outs}
        for out in list(plan.outs):
            alias = norm(out.name)
            if alias != out.name and alias in self.param_names and id_stem(alias) and alias not in named:
                # "taskId" out, "task_id" in: the result also carries the name the other tools take
                plan.outs.append(Out(alias, out.shape, out.source, out.table, out.column, out.arg))
                self.notes.append(f"{plan.op.name} also returns {out.name} as {alias}, the name other tools take")

    def item_column(self, table: Table, name: str, shape: Shape) -> None:
        """A column for a field of listed rows (an identifier of another table refers to it)."""
        if self.output_column(table, name) is not None:
            return
        stem = id_stem(name)
        ref = self.entity_of_id(name) if stem and stem != table.entity else None
        if ref is not None and ref is not table:
            table.add(name, ref.columns[ref.key].shape, ref=ref.name)
        else:
            table.add(name, self.canonical(name, shape))

    def field_source(self, plan: ToolPlan, table: Table, name: str, shape: Shape, write: bool) -> Out:
        key = norm(name)
        args = {norm(a.name): a for a in plan.args}
        listing = plan.kind in ("list", "search")
        if listing:
            found = self.list_field(plan, table, name, shape, args)
            if found is not None:
                return found
            table = plan.anchor or table
        if plan.kind == "login" and shape.type == "string" and re.search(r"token|session|key$", key):
            return Out(name, shape, "token")
        if plan.kind == "logout":
            return Out(name, shape, {"boolean": "flag", "integer": "ended"}.get(shape.type, "message"))
        if plan.kind == "session" and shape.type == "boolean":
            return Out(name, shape, "flag")
        if write and shape.type == "boolean" and key in WRITE_FLAGS:
            return Out(name, shape, "flag")
        if write and shape.type == "string" and key in MESSAGE_FIELDS:
            return Out(name, shape, "message")
        if plan.kind == "transition" and norm(name) == norm(plan.state_column or ""):
            return Out(name, self.column_shape(table, plan.state_column, shape), "column", table.name,
                       plan.state_column)
        column = self.output_column(table, name)
        if column is None and write:
            stripped = re.sub(r"^(?:new|updated|current|old|previous|total|remaining)_", "", key)
            column = self.output_column(table, stripped) if stripped != key else None
        if column is not None and table.columns[column].document == (shape.type in ("array", "object")):
            declared = self.canonical(name, shape) if is_scalar(shape) else self.column_shape(table, column, shape)
            return Out(name, declared, "column", table.name, column)
        if key in args and is_scalar(shape) and args[key].param.shape.type == shape.type:
            return Out(name, self.canonical(name, shape), "param", arg=args[key].py)
        if write and shape.type == "array" and re.search(r"(^|_)(skipped|failed|errors|conflicts|rejected|missing)$",
                                                           key):
            return Out(name, shape, "none")
        if write and is_object_array(shape) and (key.endswith("ed") or key in GENERIC_ARRAYS or
                                                 singular(key) == table.entity or key == norm(table.name)):
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(table, item, item_shape)
            return Out(name, shape, "written", table.name)
        if is_object_array(shape):
            child = self.child_table(table, name)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(child, item, item_shape)
            self.open_rows(child, plan, name, shape)
            fk = next(c.name for c in child.columns.values() if c.ref == table.name)
            return Out(name, shape, "children", child.name, fk)
        if shape.type == "array" and key.endswith("_ids"):
            target = self.entity_of_id(singular(key))
            if target is not None and target is not table:
                column = target.add(table.key if table.key != "id" else f"{table.entity}_id",
                                    table.columns[table.key].shape, ref=table.name)
                if target.parent is None:
                    target.parent, target.parent_column = table.name, column.name
                if target.parent == table.name:
                    return Out(name, shape, "ids", target.name, target.parent_column)
        counted = re.match(r"^(?:num_|number_of_)?(.+?)(?:_count|count)?$", key)
        if shape.type == "integer" and counted and key.endswith(("_count", "count")) and counted.group(1):
            child = next((t for t in self.tables.values() if t.parent == table.name and norm(t.name) in (
                counted.group(1), plural(counted.group(1)))), None)
            if child is not None:
                return Out(name, shape, "count", child.name)
        column = table.add(name, self.canonical(name, shape) if is_scalar(shape) else shape).name
        return Out(name, self.column_shape(table, column, shape), "column", table.name, column)

    def column_shape(self, table: Table, column: str, declared: Shape) -> Shape:
        """The declared shape of a result field read from a column (arrays and objects as the column has them)."""
        found = table.columns[column]
        if is_scalar(declared):
            return Shape(type=found.type, enum=declared.enum, description=declared.description) \
                if found.type != declared.type and is_scalar(found.shape) else declared
        return declared if declared.type == found.type else found.shape

    def list_field(self, plan: ToolPlan, table: Table, name: str, shape: Shape, args: dict[str, Arg]) -> Out | None:
        """The source of a field of a list result, or None for a field of the row the list is under."""
        key = norm(name)
        if name == plan.rows_field:
            if plan.state_column:
                return Out(name, shape, "values", table.name, plan.state_column)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(table, item, item_shape)
            self.open_rows(table, plan, name, shape)
            return Out(name, shape, "rows", table.name)
        if shape.type == "integer" or (shape.type == "number" and key in TOTAL_FIELDS | COUNT_FIELDS):
            if key in TOTAL_FIELDS or re.match(r"^total_\w+$", key) and not table.column(name):
                return Out(name, shape, "total")
            if key in COUNT_FIELDS:
                return Out(name, shape, "shown")
            if key in PAGE_FIELDS:
                return Out(name, shape, "page")
            if key in PAGES_FIELDS:
                return Out(name, shape, "pages")
        if shape.type == "string" and key in CURSOR_FIELDS:
            return Out(name, shape, "cursor")
        if shape.type == "boolean" and key in MORE_FIELDS:
            return Out(name, shape, "more")
        if key in args and is_scalar(shape) and args[key].param.shape.type == shape.type:
            return Out(name, Shape(type=shape.type, enum=shape.enum), "param", arg=args[key].py)
        if is_object_array(shape):
            extra = self.rows_table(plan, name)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(extra, item, item_shape)
            for arg in plan.args:
                if arg.role in ("filter", "any", "min", "max", "only", "include") and arg.column and \
                        extra.column(arg.column) is None:
                    extra.add(arg.column, table.columns[arg.column].shape)
                if arg.role == "parent" and arg.column and extra.column(arg.column) is None:
                    extra.add(arg.column, table.columns[arg.column].shape, ref=table.columns[arg.column].ref)
            if extra is not table:
                return Out(name, shape, "rows", extra.name)
        if shape.type == "array" and shape.items is not None and is_scalar(shape.items):
            column = self.output_column(table, singular(key)) or self.output_column(table, key)
            if column is None:
                column = table.add(singular(key), self.canonical(singular(key), shape.items)).name
            if not table.columns[column].document:
                return Out(name, shape, "values", table.name, column)
        if plan.anchor is None:
            column = self.output_column(table, name) or table.add(name, self.canonical(name, shape) if is_scalar(
                shape) else shape).name
            return Out(name, self.column_shape(table, column, shape), "first", table.name, column)
        return None

    def child_table(self, table: Table, name: str) -> Table:
        """The table of rows under ``table`` that a result's array of objects holds."""
        key = norm(name)
        entity = singular(key)
        if key in GENERIC_ARRAYS or entity in GENERIC_ARRAYS:
            entity = f"{table.entity}_{entity}"
        child = self.tables[self.by_entity[entity]] if entity in self.by_entity else self.table(entity)
        if child is table:
            child = self.table(f"{table.entity}_{entity}")
        column = child.add(table.key if table.key not in ("id",) else f"{table.entity}_id",
                           table.columns[table.key].shape, ref=table.name)
        if child.parent is None:
            child.parent, child.parent_column = table.name, column.name
        return child

    def rows_table(self, plan: ToolPlan, field_name: str) -> Table:
        """The table whose rows a list result's array holds."""
        key = norm(field_name)
        if key in GENERIC_ARRAYS or singular(key) in GENERIC_ARRAYS:
            signature = self.signature(plan)
            for other in self.model.plans:  # get_stock_ohlcv and get_stock_market_cap list one kind of row
                if signature and other.kind in ("list", "search") and other.rows_table is not None and \
                        other.rows_field and norm(other.rows_field) in GENERIC_ARRAYS and \
                        self.signature(other) == signature:
                    return other.rows_table
            return self.noun_table(plan.noun, "record") if plan.noun else (plan.anchor or self.table("record"))
        entity = singular(key)
        if self.known_noun(entity) and entity.replace("_", "") in {e.replace("_", "") for e in self.by_entity}:
            return self.table(entity)
        if plan.anchor is not None and entity.startswith(plan.anchor.entity + "_") and \
                entity[len(plan.anchor.entity) + 1:] in self.by_entity:
            return self.tables[self.by_entity[entity[len(plan.anchor.entity) + 1:]]]
        return self.table(entity)

    @staticmethod
    def signature(plan: ToolPlan) -> tuple[str, ...]:
        return tuple(sorted(norm(p.name) for p in plan.op.params if p.required))
