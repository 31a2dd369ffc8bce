"""Rendering, first part: :class:`Code` (lines at an indentation) and :class:`Renderer`, which writes what a
tool says about itself: the annotations of its parameters and result, the phrases a user asks for it with,
and its docstring."""

from __future__ import annotations

import re
from typing import Any

from generators.environments.spec import Shape
from generators.environments.synthesis.model import STRING, Arg, Model, Out, Table, ToolPlan
from generators.environments.synthesis.names import camel, entity_column_of, human, is_time_name, norm, plural
from generators.environments.synthesis.seeding import slug
from generators.environments.synthesis.vocabulary import NOUN_STOP

TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"


class Code:
    """Lines of Python at an indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str) -> None:
        self.lines.extend(("    " * indent + line) if line else "" for line in text.split("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)


def literal(value: Any) -> str:
    return repr(value)


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def self_words(plan: ToolPlan) -> list[str]:
    """The words of a tool's name after its verb, minus filler (``get_fuel_level`` -> fuel level)."""
    return [w for w in plan.words if w not in NOUN_STOP]


class Renderer:
    """Writes what each tool of a :class:`Model` says about itself: its annotations, phrases and
    docstring (:class:`~generators.environments.synthesis.bodies.BodyRenderer` adds the bodies)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.tables = model.tables
        self.typed: dict[str, str] = {}
        self.typed_by_body: dict[str, str] = {}
        self.helpers: set[str] = set()
        self.lookups: set[str] = set()
        self.service = slug(model.spec.name)

    # ---------------------------------------------------------------- types
    def annotation(self, shape: Shape, hint: str, nullable: bool = False, enum: bool = False) -> str:
        if shape.type == "array":
            text = f"list[{self.annotation(shape.items or STRING, hint + 'Item')}]"
        elif shape.type == "object":
            if shape.fields:
                text = self.typed_dict(hint, {name: self.annotation(sub, hint + camel(name), False, enum)
                                              for name, sub in shape.fields.items()}, total=not enum)
            else:
                text = "dict[str, Any]"
        elif enum and shape.enum and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in shape.enum):
            text = f"Literal[{', '.join(literal(v) for v in shape.enum)}]"
        else:
            text = {"integer": "int", "number": "float", "boolean": "bool"}.get(shape.type, "str")
        return f"{text} | None" if nullable else text

    def typed_dict(self, name: str, fields: dict[str, str], total: bool = True) -> str:
        """The name of a TypedDict with these fields (one definition per distinct set of fields)."""
        body = ", ".join(f"{key!r}: {value}" for key, value in fields.items())
        signature = body + ("" if total else ", total=False")
        if signature in self.typed_by_body:
            return self.typed_by_body[signature]
        base, index = name, 2
        while name in self.typed:
            name, index = f"{base}{index}", index + 1
        definition = f'{name} = TypedDict("{name}", {{{body}}}{"" if total else ", total=False"})'
        if len(definition) > 116:
            pad = " " * len(f'{name} = TypedDict("{name}", {{')
            definition = f'{name} = TypedDict("{name}", {{' + f",\n{pad}".join(
                f"{key!r}: {value}" for key, value in fields.items()) + "}" + ("" if total else ", total=False") + ")"
        self.typed[name] = definition
        self.typed_by_body[signature] = name
        return name

    def column_annotation(self, table: Table, column: str, nullable: bool = False) -> str:
        found = table.columns[column]
        return self.annotation(found.shape, camel(table.entity) + camel(column), nullable or found.nullable)

    def row_type(self, table: Table) -> str:
        return self.typed_dict(camel(table.entity), {c.name: self.column_annotation(table, c.name)
                                                     for c in table.columns.values() if not c.hidden})

    @staticmethod
    def select_list(table: Table) -> str:
        """The columns tools return (all but hidden ones), for a SELECT."""
        if not any(c.hidden for c in table.columns.values()):
            return "*"
        return ", ".join(sql_name(c.name) for c in table.columns.values() if not c.hidden)

    def projection(self, table: Table, fields: dict[str, Shape], hint: str) -> tuple[str, dict[str, str]]:
        """(TypedDict, field -> column) of listed rows showing the given fields."""
        mapping = {}
        for name in fields:
            mapping[name] = entity_column_of(table, name)
        annotation = self.typed_dict(hint, {name: self.column_annotation(table, column)
                                            for name, column in mapping.items()})
        return annotation, mapping

    def out_annotation(self, plan: ToolPlan, out: Out) -> str:
        hint = camel(plan.method) + camel(out.name)
        source = out.source
        if source == "column":
            table = self.tables[out.table]
            return self.column_annotation(table, out.column, nullable=plan.kind == "session")
        if source == "first":
            return self.column_annotation(self.tables[out.table], out.column, nullable=True)
        if source == "param":
            arg = next(a for a in plan.args if a.py == out.arg)
            return self.annotation(out.shape, hint, nullable=not arg.param.required)
        if source == "none":
            return self.annotation(out.shape, hint)
        if source in ("rows", "children", "written"):
            table = self.tables[out.table]
            items = out.shape.items if out.shape.items is not None else None
            if items is not None and items.fields:
                return f"list[{self.projection(table, items.fields, hint + 'Item')[0]}]"
            return f"list[{self.row_type(table)}]"
        if source == "values":
            table = self.tables[out.table]
            found = table.columns[out.column]
            inner = found.shape.items if found.document and found.shape.items else found.shape
            return f"list[{self.annotation(inner, hint)}]"
        if source == "ids":
            table = self.tables[out.table]
            return f"list[{self.column_annotation(table, table.key)}]"
        if source in ("count", "total", "shown", "page", "pages"):
            return "float" if out.shape.type == "number" else "int"
        if source in ("more", "flag"):
            return "bool"
        return "str"

    def result_annotation(self, plan: ToolPlan) -> str:
        table = plan.table
        if plan.bare == "rows":
            items = plan.returns.items
            if items is not None and items.fields:
                return f"list[{self.projection(table, items.fields, camel(plan.method) + 'Item')[0]}]"
            return f"list[{self.row_type(table)}]"
        if plan.bare == "values":
            found = table.columns[plan.state_column]
            inner = found.shape.items if found.document and found.shape.items else found.shape
            return f"list[{self.annotation(inner, camel(plan.method))}]"
        if plan.bare == "row":
            return self.row_type(table)
        if plan.bare == "scalar":
            return self.out_annotation(plan, plan.outs[0])
        return self.typed_dict(camel(plan.method) + "Result", {o.name: self.out_annotation(plan, o)
                                                                for o in plan.outs})

    def param_annotation(self, plan: ToolPlan, arg: Arg) -> str:
        param = arg.param
        shape = param.shape
        hint = camel(plan.method) + camel(arg.name)
        base = self.annotation(shape, hint, enum=True)
        if arg.role == "sort" and not shape.enum and shape.type == "string":
            base = f"Literal[{', '.join(literal(v) for v in self.sort_options(plan, arg))}]"
        constraints = []
        if arg.role == "limit" and shape.type == "integer":
            constraints.append(f"ge={int(shape.minimum) if shape.minimum is not None else 1}, "
                               f"le={int(shape.maximum) if shape.maximum is not None else 100}")
        elif arg.role in ("offset",) and shape.type == "integer":
            constraints.append("ge=0")
        elif arg.role == "page" and shape.type == "integer":
            constraints.append("ge=1")
        elif shape.type in ("integer", "number") and (shape.minimum is not None or shape.maximum is not None):
            bounds = [f"ge={shape.minimum!r}" if shape.minimum is not None else "",
                      f"le={shape.maximum!r}" if shape.maximum is not None else ""]
            constraints.append(", ".join(b for b in bounds if b))
        elif shape.type == "string" and not shape.enum:
            if shape.pattern:
                constraints.append(f"pattern={shape.pattern!r}")
            elif arg.role == "limit":
                constraints.append('pattern=r"^\\d+$"')
            elif self.is_time_arg(arg):
                constraints.append(f"pattern={TIME_PATTERN!r}")
            elif arg.role in ("key", "parent", "ref", "locate", "credential", "value") and param.required:
                constraints.append("min_length=1")
            if shape.max_length is not None:
                constraints.append(f"max_length={shape.max_length}")
        known = self.user_known(arg)
        extras = (["UserKnown"] if known else []) + [f"Field({', '.join(constraints)})"] * bool(constraints)
        text = f"Annotated[{base}, {', '.join(extras)}]" if extras else base
        if not param.required and not (self.numbered(arg) or param.default is not None):
            text = f"{text} | None"
        return text

    def is_time_arg(self, arg: Arg) -> bool:
        if arg.param.shape.type != "string" or arg.param.shape.format not in (None, "date", "date-time"):
            return False
        if arg.role in ("min", "max"):
            column = arg.column and any(arg.column in t.columns and is_time_name(arg.column) for t in
                                        self.tables.values())
            return bool(column) or is_time_name(arg.name)
        return arg.role in ("value", "filter") and is_time_name(arg.name) and not re.search(
            r"period|range|zone|frame|span", norm(arg.name))

    def user_known(self, arg: Arg) -> bool:
        """Whether the user states this input themselves: names, emails, free text, credentials, and identifiers
        of rows no tool lists."""
        if arg.role in ("credential", "locate", "query"):
            return True
        if arg.role in ("key", "parent", "ref"):
            return arg.table is not None and self.tables[arg.table].known_key
        key = norm(arg.name)
        return arg.param.shape.type == "string" and bool(re.search(
            r"(^|_)(name|title|email|username|user_name|address|phone|phone_number|number|city|country|subject|"
            r"description|text|body|"
            r"message|content|notes?|comment|reason|password|symbol|ticker|query|keywords?|location|destination|"
            r"origin|summary|topic|label)$", key))

    def default(self, arg: Arg) -> str:
        """The default of an optional parameter ("" for a required one)."""
        param = arg.param
        if param.required:
            return ""
        if param.default is not None and not isinstance(param.default, (dict, list)):
            return literal(param.default)
        if self.numbered(arg):
            high = int(param.shape.maximum) if param.shape.maximum is not None else 100
            return {"limit": str(min(20, high)), "offset": "0", "page": "1"}[arg.role]
        return "None"

    @staticmethod
    def numbered(arg: Arg) -> bool:
        """An optional integer limit, offset or page: it gets a number as default instead of None."""
        return arg.role in ("limit", "offset", "page") and arg.param.shape.type == "integer" and not \
            arg.param.required

    def sort_options(self, plan: ToolPlan, sort: Arg) -> dict[str, str]:
        """Accepted sort values -> columns (the declared enum's values that name columns, else every column)."""
        table = plan.rows_table
        if sort.param.shape.enum:
            found = {str(v): entity_column_of(table, str(v)) or entity_column_of(table, norm(str(v)))
                     for v in sort.param.shape.enum}
            return {v: c for v, c in found.items() if c}
        return {c.name: c.name for c in table.columns.values() if not c.document}

    # --------------------------------------------------------------- phrases
    def phrases(self, plan: ToolPlan) -> list[str]:
        """How a user asks for a call: an imperative clause per kind, placeholders for what they state."""
        table = plan.table
        thing = human(table.entity) if table is not None else "record"
        things = human(plan.rows_table.name) if plan.rows_table is not None else human(plural(thing))
        args = {a.role: a for a in plan.args}
        key = next((a for a in plan.args if a.role == "key"), None) or args.get("locate")
        parents = [a for a in plan.args if a.role == "parent"]
        owner = "".join(f" of {{{a.py}}}" for a in parents if a.param.required)
        values = [a for a in plan.args if a.role in ("value", "ref", "credential")]
        filters = [a for a in plan.args if a.role in ("filter", "any", "min", "max", "only", "include",
                                                      "child_limit") or (a.role == "parent" and not a.param.required)]
        tail = "".join(self.phrase_part(a) for a in filters if a.param.required)
        tail += "".join(f"[{self.phrase_part(a)}]" for a in filters if not a.param.required)
        limit = args.get("limit")
        verb = (plan.verb or "get").replace("_", " ")
        if plan.kind == "login":
            said = ", ".join(f"{human(a.name)} {{{a.py}}}" for a in values)
            return [f"log in with {said}" if said else "log in", f"sign in using {said}" if said else "sign in"]
        if plan.kind == "logout":
            return ["log out", "sign me out"]
        if plan.kind == "session":
            return ["check whether I'm logged in", "tell me if my session is still active"]
        if plan.kind in ("get", "lookup"):
            if key is not None:
                subject = f"{{{key.py}}}" if key.role == "key" else f"the {thing} with {human(key.name)} {{{key.py}}}"
                return [f"look up {subject}{owner}{tail}", f"show me the details of {subject}{owner}{tail}"]
            if table is not None and table.singleton and not tail:
                words_ = " ".join(self_words(plan)) or thing
                return [f"check the {words_}", f"tell me the {words_}"]
            return [f"look up the {thing}{tail}", f"find the {thing}{tail}"]
        if plan.kind in ("list", "search"):
            query = args.get("query")
            shown = f"[ (at most {{{limit.py}}})]" if limit is not None else ""
            if query is not None:
                q = f"{{{query.py}}}" if query.param.required else f"[ matching {{{query.py}}}]"
                if query.param.required:
                    return [f"search the {things}{owner} for {q}{tail}{shown}",
                            f"find {things}{owner} matching {q}{tail}{shown}"]
                return [f"list the {things}{owner}{q}{tail}{shown}", f"show me the {things}{owner}{q}{tail}{shown}"]
            return [f"list the {things}{owner}{tail}{shown}", f"show me the {things}{owner}{tail}{shown}"]
        target = f"{{{key.py}}}" if key is not None and key.role == "key" else (
            f"the {thing} with {human(key.name)} {{{key.py}}}" if key is not None else
            (f"the {thing}{owner}" if owner else f"the {thing}"))
        if key is not None:
            target += owner
        required = [a for a in values if a.param.required]
        optional = [a for a in values if not a.param.required]
        said = ", ".join(f"the {human(a.name)} {{{a.py}}}" for a in required)
        extra = "".join(f"[, the {human(a.name)} {{{a.py}}}]" for a in optional)
        if plan.kind == "create":
            article = "an" if thing[:1] in "aeiou" else "a"
            subject = f"{article} {thing}{owner}"
            with_ = f" with {said}" if said else ""
            return [f"{verb} {subject}{with_}{extra}", f"{verb} a new {thing}{owner}{with_}{extra}"]
        rest = " ".join(w for w in plan.words if w not in thing.split() and w not in NOUN_STOP)
        action = f"{verb} {rest}".strip()  # "enable roaming", "refuel data", "mark read"
        amounts = [a for a in plan.args if a.role == "amount"]
        if amounts:
            settings = "".join(f"[, setting the {human(a.name)} to {{{a.py}}}]" for a in values)
            return [f"{action} for {target} by {{{amounts[0].py}}}{settings}",
                    f"{action} of {target}: {{{amounts[0].py}}} more{settings}" if plan.state_value == 1 else
                    f"{action} of {target}: {{{amounts[0].py}}} less{settings}"]
        if plan.kind == "update":
            settings = [a for a in values]
            if not settings:
                return [f"{verb} {target}"]
            combined = f"update {target}" + "".join(f"[, setting the {human(a.name)} to {{{a.py}}}]" if not
                                                    a.param.required else f", setting the {human(a.name)} to "
                                                    f"{{{a.py}}}" for a in settings)
            single = [f"change the {human(a.name)} of {target} to {{{a.py}}}" for a in settings
                      if all(b.param.required is False or b is a for b in settings)]
            return [combined, *single[:4]]
        if plan.kind == "delete":
            return [f"delete {target}", f"remove {target}"]
        lead = f"{action} for" if rest else verb
        return [f"{lead} {target}{(' with ' + said) if said else ''}{extra}",
                f"please {lead} {target}{(' with ' + said) if said else ''}{extra}"]

    def phrase_part(self, arg: Arg) -> str:
        name = human(arg.column or arg.name)
        if arg.role == "min":
            return f" from {{{arg.py}}}" if self.is_time_arg(arg) else f" with {name} at least {{{arg.py}}}"
        if arg.role == "max":
            return f" until {{{arg.py}}}" if self.is_time_arg(arg) else f" with {name} at most {{{arg.py}}}"
        if arg.role == "only":
            return f" (only {name}: {{{arg.py}}})"
        if arg.role == "include":
            return f" (including {name}: {{{arg.py}}})"
        if arg.role == "child_limit":
            return f" showing at most {{{arg.py}}} of them"
        if arg.role == "parent":
            return f" of {{{arg.py}}}"
        return f" with {human(arg.name)} {{{arg.py}}}"

    # ------------------------------------------------------------- docstrings
    def summary(self, plan: ToolPlan) -> str:
        text = " ".join(plan.op.description.split())
        if text:
            return text if text.endswith(".") else text + "."
        table = plan.table
        thing = human(table.entity) if table is not None else "record"
        things = human(plan.rows_table.name) if plan.rows_table is not None else thing
        return {
            "get": f"Get one {thing} by its identifier.",
            "lookup": f"Look up the {thing} matching the given values." if table is not None and not table.singleton
            else f"Get the current {' '.join(self_words(plan)) or thing}.",
            "list": f"List {things}, filtered and paged.",
            "search": f"Search {things} by text, filtered and paged.",
            "create": f"Create {'an' if thing[:1] in 'aeiou' else 'a'} {thing}.",
            "update": (f"Change {'an' if thing[:1] in 'aeiou' else 'a'} {thing}; only the values given change."
                       if not plan.arg("amount") else
                       f"{'Add to' if plan.state_value == 1 else 'Take from'} the {human(plan.arg('amount').column)} "
                       f"of {'an' if thing[:1] in 'aeiou' else 'a'} {thing}."),
            "delete": f"Delete {'an' if thing[:1] in 'aeiou' else 'a'} {thing}.",
            "transition": (f"Mark {'an' if thing[:1] in 'aeiou' else 'a'} {thing} as {plan.state_value}."
                           if not isinstance(plan.state_value, bool) else
                           f"Turn {human(plan.state_column or '')} {'on' if plan.state_value else 'off'} for "
                           f"{'an' if thing[:1] in 'aeiou' else 'a'} {thing}."),
            "login": "Log in; the token returned identifies the session.",
            "logout": "Log out (end the session).",
            "session": "Whether someone is logged in.",
        }.get(plan.kind, f"{human(plan.op.name).capitalize()}.")

    def describe_arg(self, plan: ToolPlan, arg: Arg) -> str:
        if arg.param.shape.description:
            text = " ".join(arg.param.shape.description.split())
            return text if text.endswith(".") else text + "."
        name = human(arg.name)
        things = human(plan.rows_table.name) if plan.rows_table is not None else "results"
        table = self.tables.get(arg.table or "") if arg.table else None
        role = arg.role
        if role in ("key", "parent", "ref"):
            owner = table or plan.table
            listers = ", ".join(owner.listers[:2]) if owner is not None and owner.listers else ""
            return f"The {human(owner.entity) if owner else name}'s {human(owner.key) if owner else 'id'}" + (
                f" (as {listers} show{'s' if len(owner.listers) == 1 else ''})." if listers else ".")
        texts = {
            "filter": f"Only {things} whose {human(arg.column or arg.name)} is this.",
            "any": f"Only {things} whose {human(arg.column or arg.name)} is one of these.",
            "min": f"Only {things} whose {human(arg.column or arg.name)} is at least this.",
            "max": f"Only {things} whose {human(arg.column or arg.name)} is at most this.",
            "only": f"True: only {things} that are {human(arg.column or arg.name)}.",
            "include": f"False: leave out {things} that are {human(arg.column or arg.name)}.",
            "query": f"Text to look for in the {things} (case-insensitive).",
            "limit": f"At most this many {things}.",
            "child_limit": "At most this many rows in each list of the result.",
            "offset": f"Skip this many {things} first.",
            "page": "Page number, from 1.",
            "cursor": "The cursor an earlier call returned, to go on from there.",
            "sort": "Field to order by.",
            "direction": "asc or desc.",
            "option": "How the result is presented (the data returned is the same).",
            "token": "The access token the login returned.",
            "credential": f"The account's {name}.",
            "locate": f"The {name} of the {human(plan.table.entity) if plan.table else 'record'}.",
            "value": f"The {name}.",
        }
        return texts.get(role, f"The {name}.")
