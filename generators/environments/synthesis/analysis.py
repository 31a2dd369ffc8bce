"""Analysis: an :class:`~generators.environments.spec.ApiSpec` read into a
:class:`~generators.environments.synthesis.model.Model`. :class:`Analyzer` classifies each operation by the verb
of its name and the source's hints and plans it (reads, writes, logins); the tables and columns come from
:class:`~generators.environments.synthesis.entities.EntityInference`, the sources of result fields from
:class:`~generators.environments.synthesis.results.ResultInference`."""

from __future__ import annotations

import random
import re
from typing import Any

from generators.environments.spec import ApiSpec, Operation, Param, Shape, normalize_name
from generators.environments.synthesis.model import (
    BOOLEAN,
    GRID,
    STRING,
    Arg,
    Column,
    Model,
    Table,
    ToolPlan,
    is_object_array,
    is_scalar,
    same_kind,
)
from generators.environments.synthesis.names import (
    envelope,
    id_stem,
    is_text_name,
    is_time_name,
    norm,
    past,
    plural_word,
    python_name,
    words,
)
from generators.environments.synthesis.results import ResultInference
from generators.environments.synthesis.vocabulary import (
    BODY_NAMES,
    CREATE_VERBS,
    DELETE_VERBS,
    GENERIC_ARRAYS,
    GENERIC_CREATES,
    HTTP_VERBS,
    INCREMENTS,
    LABELS,
    LOGIN_VERBS,
    LOGOUT_VERBS,
    NOUN_STOP,
    PRESENTATION,
    READ_VERBS,
    RESERVED_METHODS,
    SQL_RESERVED,
    TOKEN_PARAMS,
    TRANSITIONS,
    UPDATE_VERBS,
    VERB_NOUNS,
    WRITE_FLAGS,
)
from generators.values import singular


def common_prefix(names: list[str]) -> str:
    """A first word most operation names share (``notion_``, ``lol_``), dropped when reading verbs and nouns."""
    if len(names) < 2:
        return ""
    firsts = [words(n)[0] for n in names if words(n)]
    best = max(set(firsts), key=firsts.count)
    if firsts.count(best) >= max(2, (len(names) + 1) // 2) and best not in READ_VERBS | CREATE_VERBS | \
            UPDATE_VERBS | DELETE_VERBS | set(TRANSITIONS):
        return best
    return ""


class Analyzer(ResultInference):
    """Reads an ApiSpec into a :class:`Model`: tables, columns and one plan per operation."""

    def __init__(self, spec: ApiSpec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"{spec.name}:{seed}")
        self.tables: dict[str, Table] = {}
        self.by_entity: dict[str, str] = {}
        self.prefix = common_prefix([op.name for op in spec.operations])
        self.notes: list[str] = []
        self.param_names = {p.name for op in spec.operations for p in op.params}
        #: Tables whose rows results show without naming their fields -> words of the tools showing them.
        self.open: dict[str, set[str]] = {}
        #: One JSON type per column name across the service (parameters win over results).
        self.types = self._types()
        self.model = Model(spec, self.tables, [])

    # ------------------------------------------------------------------ verbs
    def op_words(self, op: Operation) -> list[str]:
        found = words(op.name)
        if self.prefix and found[:1] == [self.prefix] and len(found) > 1:
            found = found[1:]
        return found

    def verb_and_noun(self, op: Operation) -> tuple[str | None, str]:
        found = self.op_words(op)
        verb = found[0] if found else None
        known = READ_VERBS | CREATE_VERBS | UPDATE_VERBS | DELETE_VERBS | set(TRANSITIONS) | LOGIN_VERBS | \
            LOGOUT_VERBS
        if op.path and verb in HTTP_VERBS and len(found) > 2 and found[-1] in known - HTTP_VERBS:
            # post_loans_loan_id_renew (POST /loans/{loanId}/renew): the action is the path's last word
            verb, found = found[-1], [found[-1], *found[1:-1]]
        if verb not in known:
            if len(found) > 1 and "_".join(found[:2]) in LOGIN_VERBS | LOGOUT_VERBS:
                verb, found = "_".join(found[:2]), found[1:]
            else:
                verb, found = None, [None, *found]
        rest = [w for w in found[1:] if w and w not in NOUN_STOP and w not in ("id", "ids")]
        rest = [w for i, w in enumerate(rest) if i == 0 or singular(w) != singular(rest[i - 1])]
        # "get_pull_request_by_number": the noun is before "by"
        if "by" in found[1:]:
            head = found[1:found.index("by")]
            rest = [w for w in head if w and w not in NOUN_STOP] or rest
        noun = "_".join(singular(w) for w in rest[-2:]) if rest else ""
        return verb, noun

    def kind_of(self, op: Operation, verb: str | None) -> str:
        """read, create, update, delete, transition, login or logout."""
        if verb in LOGIN_VERBS:
            return "login"
        if verb in LOGOUT_VERBS:
            return "logout"
        hinted = op.read_only
        if hinted is None and op.method:
            hinted = op.method.upper() in ("GET", "HEAD", "OPTIONS")
        if verb in DELETE_VERBS or (op.method or "").upper() == "DELETE":
            return "delete"
        if verb in TRANSITIONS and hinted is not True:
            return "transition"
        if verb in CREATE_VERBS and hinted is not True:
            return "create"
        if verb in UPDATE_VERBS and hinted is not True:
            return "update"
        if hinted is False:
            return "create" if (op.method or "").upper() == "POST" else "update"
        return "read"

    # ---------------------------------------------------------------- planning
    def analyze(self) -> Model:
        ops = self.spec.operations
        heads = [(op, *self.verb_and_noun(op)) for op in ops]
        kinds = {op.name: self.kind_of(op, verb) for op, verb, _ in heads}
        for op in ops:  # parameters first: a key column is spelled as the tools taking it spell it
            for param in op.params:
                if self.is_key_param(param):
                    self.entity_of_id(singular(param.name) if param.shape.type == "array" else param.name)
        for op in ops:
            for name, shape in op.returns.fields.items():
                if is_scalar(shape) or (shape.type == "array" and shape.items is not None and
                                        is_scalar(shape.items) and norm(name).endswith("_ids")):
                    self.entity_of_id(singular(name) if shape.type == "array" else name)
        if "login" in kinds.values():
            self.accounts_table()
        methods: set[str] = set()
        plans = []
        for op, verb, noun in heads:
            plans.append(ToolPlan(op, self.method_name(op, methods), kinds[op.name], noun, verb,
                                  self.op_words(op)[1 if verb else 0:]))
            methods.add(plans[-1].method)
        # reads that return one row's fields first: their fields say what the columns are (a "title" is text
        # before a search's "title" flag is read)
        for plan in sorted(plans, key=lambda p: (p.kind != "read", -sum(is_scalar(s) for s in
                                                                         p.op.returns.fields.values()))):
            self.plan(plan)
            self.model.plans.append(plan)
        self.model.plans.sort(key=plans.index)
        self.finish()
        self.model.notes = list(dict.fromkeys(self.notes))
        return self.model

    def method_name(self, op: Operation, taken: set[str]) -> str:
        """The Python method of a tool: the service's name where it is a free identifier (else ``@tool(name=)``
        keeps the service's name)."""
        base = op.name if re.match(r"^[A-Za-z][A-Za-z0-9_]*$", op.name) else normalize_name(op.name)
        if base in RESERVED_METHODS or base.startswith("_"):
            base = f"{normalize_name(base)}_tool"
        while base in taken or base in RESERVED_METHODS:
            base += "_"
        return base

    def anchor_param(self, plan: ToolPlan) -> Param | None:
        """The required identifier naming the row a tool is about: the one naming the tool's noun, else the
        last (``get_task(task_id, tasklist_id)`` is about the task; ``get_usage(customer_id, line_id)`` the line)."""
        keys = [p for p in plan.op.params if p.required and p.shape.type != "array" and self.is_key_param(p)]
        if not keys:
            return None
        nouns = set(plan.noun.split("_")) | {plan.noun}
        named = [p for p in keys if id_stem(p.name) in nouns]
        return (named or keys)[-1]

    def plan(self, plan: ToolPlan) -> None:
        op = plan.op
        names: set[str] = set()
        anchor_param = self.anchor_param(plan)
        plan.anchor = self.entity_of_id(anchor_param.name) if anchor_param else None
        token = next((p for p in op.params if norm(p.name) in TOKEN_PARAMS), None)
        if plan.anchor is None and token is not None and self.model.accounts and plan.kind != "login":
            plan.anchor = self.tables[self.model.accounts]
        for param in op.params:
            py = python_name(param.name, names | BODY_NAMES)
            names.add(py)
            plan.args.append(Arg(param, py, "", None))
        if plan.kind == "login":
            self.plan_login(plan)
        elif plan.kind == "logout":
            plan.table = self.tables[self.model.sessions] if self.model.sessions else self.accounts_table()
            for arg in plan.args:
                arg.role = "token" if norm(arg.name) in TOKEN_PARAMS else "option"
            self.outputs(plan, plan.table, write=True)
        elif plan.kind == "read":
            self.plan_read(plan, anchor_param)
        else:
            self.plan_write(plan, anchor_param)

    # ------------------------------------------------------------------ reads
    def plan_read(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        op = plan.op
        fields = op.returns.fields if op.returns.type == "object" else {}
        params = {norm(p.name) for p in op.params}
        arrays = [f for f, s in fields.items() if is_object_array(s)]
        value_arrays = [f for f, s in fields.items() if s.type == "array" and is_scalar(s.items or STRING)]
        substantive = [f for f, s in fields.items() if is_scalar(s) and not envelope(f) and norm(f) not in params] \
            + [f for f, s in fields.items() if s.type == "object" or (s.type == "array" and s.items is not None
                                                                       and s.items.type == "array")]
        listy = plan.verb in ("list", "search", "find", "browse", "query", "ls", "grep", "explore", "discover") or \
            plural_word(self.op_words(op)[-1] if self.op_words(op) else "")
        status_read = plan.noun.endswith(("login_status", "auth_status")) or norm(op.name).endswith(
            ("login_status", "is_logged_in", "auth_status"))
        if status_read and self.model.sessions:
            plan.kind, plan.table = "session", self.tables[self.model.sessions]
            for arg in plan.args:
                arg.role = "token" if norm(arg.name) in TOKEN_PARAMS else "option"
            self.outputs(plan, self.accounts_table(), write=False)
            return
        if op.returns.type == "array" or (arrays and not substantive) or (not fields and listy) or \
                (value_arrays and not arrays and not substantive and len(fields) - len(value_arrays) <= 2):
            self.plan_list(plan, anchor_param, fields, arrays, value_arrays)
            return
        optional_key = next((p for p in op.params if not p.required and self.is_key_param(p) and
                             p.shape.type != "array"), None)
        if plan.anchor is not None:
            plan.kind, plan.table = "get", plan.anchor
        else:
            plan.kind = "lookup"
            required = [p for p in op.params if p.required]
            if required:
                plan.table = self.lookup_table(plan)
            elif optional_key is not None:  # taxi_query_order(order_id=None): that order, else the first
                plan.table = self.entity_of_id(optional_key.name)
            else:
                plan.table = self.singleton_table()
        self.locate(plan, anchor_param)
        for arg in plan.args:
            if arg.role:
                continue
            if plan.table.singleton:
                column = self.entity_column(plan.table, arg.name)
                arg.role, arg.column = ("filter", column) if column else ("option", None)
                continue
            arg.role, arg.column = self.filter_role(arg.param, plan.table, "get", self.siblings(plan))
            if arg.role in ("limit", "offset", "page", "cursor"):
                arg.role = "child_limit" if arg.role == "limit" else "option"
        self.outputs(plan, plan.table, write=False)

    @staticmethod
    def siblings(plan: ToolPlan) -> frozenset[str]:
        return frozenset(norm(a.name) for a in plan.args)

    def lookup_table(self, plan: ToolPlan) -> Table:
        """The table a read without identifier looks a row up in: that of an earlier lookup by the same required
        parameters, or the rows a search by the same parameters lists, else its noun's."""
        required = tuple(sorted(norm(p.name) for p in plan.op.params if p.required))
        for other in self.model.plans:
            if other.kind == "lookup" and other.table is not None and not other.table.singleton and tuple(sorted(
                    norm(p.name) for p in other.op.params if p.required)) == required:
                return other.table
        for op in self.spec.operations:  # search_arxiv finds what search_metadata lists
            listed = [f for f, s in op.returns.fields.items() if is_object_array(s) and norm(f) not in GENERIC_ARRAYS]
            if op is not plan.op and listed and required and tuple(sorted(
                    norm(p.name) for p in op.params if p.required)) == required:
                return self.table(singular(norm(listed[0])))
        fields = plan.op.returns.fields
        keyed = [self.entity_of_id(f) for f, s in fields.items() if is_scalar(s) and id_stem(f)]
        nouns = set(plan.noun.split("_"))
        found = next((t for t in keyed if t.entity in nouns), keyed[0] if keyed else None)
        if found is not None:
            return found
        if len(required) == 1 and not self.known_noun(plan.noun) and plan.noun:
            param = next(p for p in plan.op.params if p.required)
            if is_scalar(param.shape) and norm(param.name) not in SQL_RESERVED and re.match(
                    r"^[A-Za-z_][A-Za-z0-9_]*$", param.name):
                return self.table(plan.noun, key=param.name, key_shape=self.canonical(param.name, param.shape))
        return self.noun_table(plan.noun, "record")

    def locate(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        """Mark the arguments naming the row (the anchor's key, its owners' keys, a token)."""
        for arg in plan.args:
            key = norm(arg.name)
            if anchor_param is not None and arg.param is anchor_param:
                arg.role, arg.table, arg.column = "key", plan.anchor.name, plan.anchor.key
            elif key in TOKEN_PARAMS and self.model.accounts:
                arg.role = "token"
            elif arg.param.required and arg.param.shape.type != "array" and self.is_key_param(arg.param) and \
                    plan.anchor is not None:
                owner = self.entity_of_id(arg.name)
                if owner is plan.anchor:
                    continue
                arg.role, arg.table = "parent", owner.name
                arg.column = plan.anchor.add(arg.name, owner.columns[owner.key].shape, ref=owner.name).name
                if plan.anchor.parent is None and owner is not plan.anchor:
                    plan.anchor.parent, plan.anchor.parent_column = owner.name, arg.column
            elif arg.param.required and is_scalar(arg.param.shape) and plan.anchor is not None and \
                    plan.kind in ("read", "list") and plan.anchor.column(arg.name) is not None and \
                    not plan.anchor.column(arg.name).key and anchor_param is not None and \
                    not (plan.kind == "list" and arg.param.shape.type == "integer"):
                # owner and repo name a pull request's repository: checked on the pull request
                arg.role, arg.table, arg.column = "match", plan.anchor.name, plan.anchor.column(arg.name).name

    def plan_list(self, plan: ToolPlan, anchor_param: Param | None, fields: dict[str, Shape], arrays: list[str],
                  value_arrays: list[str]) -> None:
        op = plan.op
        plan.kind = "list"
        if op.returns.type == "array":
            plan.rows_field = ""
            items = op.returns.items or STRING
            if not is_scalar(items):
                table = self.noun_table(plan.noun, "record")
            else:
                table, column = self.values_table(plan, singular(plan.noun or "value"), items)
                plan.state_column = column
        elif arrays:
            nouns = {plan.noun, *plan.noun.split("_")}
            field_name = next((f for f in arrays if singular(norm(f)) in nouns), None) or next(
                (f for f in arrays if singular(norm(f)) in self.by_entity), arrays[0])
            plan.rows_field = field_name
            table = self.rows_table(plan, field_name)
        elif value_arrays:
            field_name = value_arrays[0]
            plan.rows_field = field_name
            item = fields[field_name].items or STRING
            table, column = self.values_table(plan, singular(norm(field_name)), item)
            plan.state_column = column
        else:
            plan.rows_field = ""
            table = self.noun_table(plan.noun, "record")
        if plan.anchor is not None and table is not plan.anchor:
            column = table.add(plan.anchor.key if plan.anchor.name == self.model.accounts else
                               (anchor_param.name if anchor_param else plan.anchor.key),
                               plan.anchor.columns[plan.anchor.key].shape, ref=plan.anchor.name)
            if table.parent is None:
                table.parent, table.parent_column = plan.anchor.name, column.name
        plan.rows_table = table
        plan.table = table
        self.locate(plan, anchor_param)
        for arg in plan.args:
            if arg.role == "key":
                arg.role, arg.column = "parent", table.column(anchor_param.name).name if anchor_param and \
                    table.column(anchor_param.name) else table.parent_column
            if not arg.role:
                arg.role, arg.column = self.filter_role(arg.param, table, "list", self.siblings(plan))
        same = [a for a in plan.args if a.role == "filter" and a.param.required and a.column]
        window = [a for a in plan.args if a.role in ("min", "max") and a.column and is_time_name(a.column)]
        if same and window and table.series is None and not table.parent:
            table.series = (same[0].column, window[0].column)  # prices of a ticker, day after day
        slots = [a for a in same if table.columns[a.column].type == "integer" and plan.anchor is not None and
                 table.parent == plan.anchor.name and plan.anchor.column(a.column) is not None]
        if slots and table.grid is None:
            # compare_price(pid, pos): every product has rows at each of a few positions
            table.grid = slots[0].column
            for owner in (table, plan.anchor):
                owner.columns[slots[0].column].domain = GRID
        if any(a.role == "query" for a in plan.args):
            plan.kind = "search"
            label = self.label_of(table)
            table.text = list(dict.fromkeys([*table.text, label, *(c.name for c in table.columns.values() if
                                                                    is_text_name(c.name) and c.type == "string")]))
        self.outputs(plan, table, write=False)

    def values_table(self, plan: ToolPlan, value: str, item: Shape) -> tuple[Table, str]:
        """(table, column) whose distinct values a list of scalars shows (``categories`` -> the category of the
        products, ``sheet_names`` -> the sheets' names, ``airport_codes`` -> the airports' keys)."""
        stem = id_stem(value)
        if stem:
            table = self.table(stem, key=value)
            return table, table.key
        preferred = [self.tables[self.by_entity[e]] for e in (plan.noun, *plan.noun.split("_")) if e in self.by_entity]
        if plan.anchor is not None:
            preferred += [t for t in self.tables.values() if t.parent == plan.anchor.name]
        for table in [*preferred, *self.tables.values()]:
            column = self.entity_column(table, value)
            if column is not None and not table.ungraded:
                return table, column
        base = value.removeprefix(plan.noun + "_") if plan.noun else value
        table = self.noun_table(plan.noun, base) if plan.noun else self.table(base)
        column = self.entity_column(table, base) or table.add(base, self.canonical(base, item)).name
        return table, column

    # ----------------------------------------------------------------- writes
    def plan_write(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        op = plan.op
        noun = plan.noun or (VERB_NOUNS.get(plan.verb or "", "") if plan.kind == "create" else "")
        anchor = plan.anchor
        required_plain = [p for p in op.params if p.required and is_scalar(p.shape) and not self.is_key_param(p)
                          and norm(p.name) not in TOKEN_PARAMS]
        if plan.kind == "create":
            shown = [self.entity_of_id(f) for f, s in op.returns.fields.items() if is_scalar(s) and id_stem(f)]
            nouns = set(noun.split("_"))
            made = next((t for t in shown if t is not anchor and t.entity in nouns), None) or next(
                (t for t in shown if t is not anchor), None)  # borrowBook(bookId) returns the loan it makes
            table = made or (self.noun_table(noun, plan.verb or "record") if noun else (
                self.table(f"{anchor.entity}_{plan.verb}") if anchor and plan.verb else self.table("record")))
            if table is anchor and anchor is not None:
                others = [p for p in op.params if p.required and p is not anchor_param and
                          norm(p.name) not in TOKEN_PARAMS]
                keyed = [p for p in others if self.is_key_param(p) and p.shape.type != "array"]
                if plan.verb in GENERIC_CREATES and others and len(keyed) < len(others):
                    plan.anchor = anchor = anchor_param = None  # addBook(isbn, title...): the caller names the book
                elif keyed:  # add_to_list(list_id, work_id): a work on the list
                    table = self.table(f"{anchor.entity}_{self.entity_of_id(keyed[0].name).entity}")
                elif plan.verb in VERB_NOUNS and plan.verb not in GENERIC_CREATES:
                    table = self.table(VERB_NOUNS[plan.verb])
                else:  # save_job(job_id): a saved job
                    table = self.table(f"{past(plan.verb or 'record')}_{anchor.entity}")
            plan.table = table
        elif anchor is not None and anchor.entity not in noun.split("_") and self.known_noun(noun) and not (
                anchor.name == self.model.accounts and noun in ("user", "account", "profile")):
            plan.table = self.noun_table(noun, "record")
        elif anchor is not None:
            plan.table = anchor
        elif required_plain and noun:
            plan.table = self.noun_table(noun, "record")
        elif required_plain:
            plan.table = self.lookup_table(plan)
        elif plan.kind == "delete":  # the service's own state is never deleted: delete_entities removes entities
            plan.table = self.noun_table(noun or "record", "record")
        else:
            plan.table = self.singleton_table()
        table = plan.table
        self.locate(plan, anchor_param)
        if anchor is not None and table is not anchor:
            column = table.add(anchor_param.name if anchor_param else anchor.key,
                               anchor.columns[anchor.key].shape, ref=anchor.name)
            if table.parent is None:
                table.parent, table.parent_column = anchor.name, column.name
            for arg in plan.args:
                if arg.role == "key":
                    arg.role, arg.column = "parent", column.name
        if plan.kind != "create" and not table.singleton and anchor is None or (
                plan.kind != "create" and anchor is not None and table is not anchor and required_plain):
            locator = next((a for a in plan.args if a.param in required_plain and not norm(a.name).startswith(
                ("new_", "old_"))), None)
            if locator is not None:
                locator.role = "locate"
                locator.column = self.entity_column(table, locator.name) or table.add(
                    locator.name, self.canonical(locator.name, locator.param.shape)).name
        if plan.kind == "transition":
            self.plan_state(plan, table)
        if plan.kind == "delete" and not any(a.role in ("key", "locate", "parent", "token") for a in plan.args):
            self.plan_purge(plan, table)
        if plan.kind == "create":
            self.plan_batch(plan, table)
        for arg in plan.args:
            if arg.role:
                continue
            key = norm(arg.name)
            if key in TOKEN_PARAMS and self.model.accounts:
                arg.role = "token"
            elif key in PRESENTATION or key.startswith("x_") or plan.kind == "delete":
                # a header says nothing about the row; a delete removes the row whatever else is said
                arg.role = "option"
            elif key in PRESENTATION:
                arg.role = "option"
            elif self.is_key_param(arg.param):
                owner = self.entity_of_id(singular(arg.name) if arg.param.shape.type == "array" else arg.name)
                if owner is table and arg.param.shape.type != "array":
                    # the row's own key: chosen by the caller in a create, narrowing the rows acted on otherwise
                    arg.role, arg.column = ("value" if plan.kind == "create" else "narrow"), table.key
                    continue
                arg.role, arg.table = "ref", owner.name
                shape = self.canonical(arg.name, arg.param.shape)
                arg.column = table.add(arg.name, shape, ref=owner.name, nullable=not arg.param.required).name
            else:
                target = re.sub(r"^(?:new|updated|set)_", "", key) if key.startswith(("new_", "updated_", "set_")) \
                    else arg.name
                column = self.entity_column(table, target)
                if column is not None and not same_kind(table.columns[column].shape, arg.param.shape):
                    # a text address beside the address object, a completion date beside a completed flag
                    target, column = f"{target}_{'text' if arg.param.shape.type == 'string' else 'value'}", None
                arg.role = "value"
                arg.column = column or table.add(target, self.canonical(target, arg.param.shape),
                                                 nullable=not arg.param.required).name
        if plan.kind == "update" and plan.verb in INCREMENTS:
            self.plan_increment(plan, table)
        if plan.kind == "update" and not any(a.role in ("value", "ref", "amount") for a in plan.args):
            # nothing to set: "mark_message_read" moves the message to the state its name says
            rest = [w for w in plan.words if w not in table.entity.split("_") and w not in NOUN_STOP]
            plan.kind = "transition"
            self.plan_state(plan, table, rest[-1] if rest else past(plan.verb or "done"))
        self.outputs(plan, table, write=True)

    def plan_batch(self, plan: ToolPlan, table: Table) -> None:
        """``create_entities(entities=[...])``: a list of objects named like the table makes one row per object
        (their fields are columns)."""
        for arg in plan.args:
            shape = arg.param.shape
            if arg.role or not arg.param.required or not is_object_array(shape) or not shape.items.fields:
                continue
            if singular(norm(arg.name)) in (table.entity, singular(norm(table.name))) or norm(arg.name) == norm(
                    table.name):
                for name, item in shape.items.fields.items():
                    self.item_column(table, name, item)
                arg.role = "batch"
                return

    def plan_purge(self, plan: ToolPlan, table: Table) -> None:
        """A delete naming its rows by a list: ``delete_entities(entityNames)`` removes the rows whose name is one
        of them, ``delete_relations(relations)`` those equal to one of the given objects in every field given."""
        for arg in plan.args:
            shape = arg.param.shape
            if not arg.param.required or shape.type != "array" or shape.items is None:
                continue
            if is_scalar(shape.items):
                base = singular(arg.name)
                arg.role = "purge"
                arg.column = self.entity_column(table, base) or (
                    self.label_of(table) if re.search(r"name|title|label", norm(base)) else table.add(
                        base, self.canonical(base, shape.items)).name)
                if table.column(base) is None:  # entityNames: the names, under the name the task generator asks
                    table.columns[base] = Column(base, STRING, hidden=True, derive=(arg.column, "copy"))
                return
            if shape.items.fields:
                for field_name, field_shape in shape.items.fields.items():
                    if is_scalar(field_shape):
                        self.item_column(table, field_name, field_shape)
                arg.role = "purge"
                return

    def plan_increment(self, plan: ToolPlan, table: Table) -> None:
        """``refuel_data(gb_amount)`` adds to what its result calls ``new_data_refueling_gb``: the first number the
        result names that is a column (less ``new_``/``current_``/``_after``), else the amount's own column."""
        amounts = [a for a in plan.args if a.role == "value" and a.param.shape.type in ("integer", "number")]
        if not amounts:
            return
        amount = amounts[0]
        target = amount.column
        for name, shape in plan.op.returns.fields.items():
            stripped = re.sub(r"^(?:new|current|updated|total|remaining)_|_(?:after|now)$", "", norm(name))
            column = self.entity_column(table, stripped)
            if shape.type in ("integer", "number") and column and column != amount.column and \
                    table.columns[column].type in ("integer", "number"):
                target = column
                break
        amount.role, amount.column = "amount", target
        plan.state_value = INCREMENTS[plan.verb or ""]

    def plan_state(self, plan: ToolPlan, table: Table, target: str | None = None) -> None:
        """The column a transition sets and its new value (the spelling of the declared enum when there is one)."""
        target = target or TRANSITIONS[plan.verb or ""]
        fields = plan.op.returns.fields
        if plan.verb in ("enable", "disable", "lock", "unlock", "activate", "deactivate", "engage", "release"):
            flag = next((f for f, s in fields.items() if s.type == "boolean" and norm(f) not in WRITE_FLAGS), None)
            if flag is not None:
                plan.state_column = table.add(flag, BOOLEAN).name
                plan.state_value = plan.verb in ("enable", "lock", "activate", "engage")
                return
        status = next((f for f, s in fields.items() if s.type in ("string", "integer") and re.search(
            r"(^|_)(status|state)$", norm(f))), None)
        kind = fields[status].type if status else "string"
        column = table.add(status or "status", Shape(type=kind))
        kind = column.type  # an existing column keeps its type
        value: Any = target
        enum = fields[status].enum if status and fields[status].enum else None
        if enum:
            value = next((e for e in enum if str(e).lower() == target), enum[0] if len(enum) == 1 else target)
        if kind == "integer" and not isinstance(value, int):
            value = enum[-1] if enum and isinstance(enum[-1], int) else 2  # TickTick: 2 is completed
        plan.state_column, plan.state_value = column.name, value
        self.model.states.setdefault((table.name, column.name), set()).add(value)

    def plan_login(self, plan: ToolPlan) -> None:
        accounts = self.accounts_table()
        plan.table = accounts
        for arg in plan.args:
            if arg.param.required and is_scalar(arg.param.shape) and not arg.param.shape.enum:
                arg.role = "credential"
                arg.column = self.entity_column(accounts, arg.name) or accounts.add(
                    arg.name, self.canonical(arg.name, arg.param.shape), unique=norm(arg.name) in (
                        "username", "email", "client_id", "login", "user_name")).name
            else:
                arg.role = "option"
        self.outputs(plan, accounts, write=True)
        sessions = self.tables[self.model.sessions]
        for out in plan.outs:
            if out.source == "column" and out.table == accounts.name and not accounts.columns[out.column].ref and \
                    accounts.columns[out.column].name not in self.login_columns(plan, accounts):
                # token_type, expires_in, scope: of the session, not of the account
                column = sessions.add(out.name, accounts.columns[out.column].shape)
                out.table, out.column = sessions.name, column.name

    @staticmethod
    def login_columns(plan: ToolPlan, accounts: Table) -> set[str]:
        """Account columns a login result shows as they are (its credentials, labels, keys)."""
        return {a.column for a in plan.args if a.column} | {accounts.key} | {
            c for c in accounts.columns if c in LABELS or norm(c) in ("user_id", "account_id", "name")}
