"""Tool declaration: a plain method becomes a tool with a JSON schema derived from its signature and docstring.

Format v2 declares in the types what a tool body would otherwise check by hand:

- limits: ``Annotated[int, Field(ge=1, le=100)]``, ``Literal[...]``, patterns and lengths (:data:`NonEmptyStr`);
  they appear in the schema the agent sees and are enforced before the body runs;
- returns: a TypedDict or pydantic model (or a list of them) as the return annotation becomes the tool's output
  schema (the MCP ``outputSchema``), which the tool graph reads and ``envfactory verify`` checks results against;
- inputs a user knows: ``Annotated[str, UserKnown]`` marks a parameter the user can state themselves (their
  account id, an order number from a receipt), so task generation never demands a producer for it.

Arguments are validated (pydantic, compiled once per tool) before the body runs, so a tool body only ever sees
well-typed values. A tool reports a problem the agent can fix by raising :class:`ToolError`.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import docstring_parser
import pydantic

#: A string that must hold something besides whitespace.
NonEmptyStr = Annotated[str, pydantic.Field(min_length=1, pattern=r"\S")]


class UserKnown:
    """``Annotated`` metadata: the user can state this parameter themselves (it is never tool-derived)."""

#: Longest string argument a tool accepts (SQLite refuses LIKE patterns over 50,000 bytes).
MAX_STRING_ARGUMENT = 10_000

#: A ``{parameter}`` placeholder of a phrase (see :func:`tool`).
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ToolError(Exception):
    """Raised by a tool body when a call cannot be carried out; the message is shown to the agent."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool of an environment: its callable, whether it writes, its JSON schema and its request phrasings."""

    name: str
    function: Callable[..., Any]
    writes: bool
    description: str
    parameters: dict[str, Any]
    validator: pydantic.TypeAdapter = field(repr=False, compare=False)
    phrases: tuple[str, ...] = ()
    #: JSON schema of the declared return (None when the annotation declares nothing: ``Any``, bare ``dict``).
    output_schema: dict[str, Any] | None = None
    returns: pydantic.TypeAdapter | None = field(default=None, repr=False, compare=False)
    #: Parameters declared :class:`UserKnown`.
    user_known: frozenset[str] = frozenset()

    def schema(self, name: str | None = None) -> dict[str, Any]:
        """OpenAI function-calling form: ``{"type": "function", "function": {name, description, parameters}}``."""
        return {
            "type": "function",
            "function": {"name": name or self.name, "description": self.description, "parameters": self.parameters},
        }

    def validate(self, arguments: Any) -> dict[str, Any]:
        """Return the validated keyword arguments, or raise :class:`ToolError` naming every bad field."""
        if not isinstance(arguments, dict):
            raise ToolError(f"arguments of '{self.name}' must be a JSON object, got {type(arguments).__name__}")
        try:
            model = self.validator.validate_python(arguments)
        except pydantic.ValidationError as exc:
            raise ToolError(f"invalid arguments for '{self.name}': {self._format_errors(exc)}") from None
        return vars(model)

    def nonconformity(self, result: Any) -> str | None:
        """Why a result does not match the declared return (None when it does or nothing is declared)."""
        if self.returns is None:
            return None
        try:
            normal = self.returns.dump_python(self.returns.validate_python(result, strict=True), mode="json")
        except pydantic.ValidationError as exc:
            return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'result'}: {e['msg']}"
                             for e in exc.errors(include_url=False)[:3])
        if normal != result:
            return "the result holds fields the declared return type does not name"
        return None

    def _format_errors(self, exc: pydantic.ValidationError) -> str:
        parts = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "arguments"
            schema = self.parameters.get("properties", {}).get(str(error["loc"][0]), {}) if error["loc"] else {}
            low, high = schema.get("minimum"), schema.get("maximum")
            kind = error["type"]
            if kind == "missing":
                parts.append(f"{where}: required argument is missing")
            elif kind == "extra_forbidden":
                parts.append(f"{where}: unknown argument")
            elif kind in BOUND_ERRORS and low is not None and high is not None and len(error["loc"]) == 1:
                parts.append(f"{where} must be between {low} and {high}")
            elif kind in ("string_too_short", "string_pattern_mismatch") and schema.get("pattern") == r"\S":
                parts.append(f"{where} must not be empty")
            else:
                parts.append(f"{where}: {error['msg']}")
        return "; ".join(parts)


UNIONS = (types.UnionType, Union)
BOUND_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def tool(function: Callable[..., Any] | None = None, *, writes: bool = False,
         phrase: str | Sequence[str] | None = None, name: str | None = None) -> Any:
    """Mark a method of a :class:`~envfactory_gym.core.world.World` as a tool.

    ``writes=True`` declares that the tool may change the state (it then runs atomically: see ``World.call``).
    The description is the docstring's summary; parameter descriptions come from its ``Args:`` section.

    ``name`` offers the tool under another name than the method's (a tool called ``diff`` would shadow
    :meth:`World.diff`, so its method is ``diff_files`` with ``name="diff"``).

    ``phrase`` (optional; one string or alternatives) says how a user would ask for this call, for task
    generation: an imperative clause with ``{parameter}`` placeholders, e.g.
    ``"book a {travel_class} flight from {departure_airport} to {arrival_airport} on {travel_date}"``.
    Text in ``[...]`` is dropped when a placeholder inside it has no value in the call. Placeholders of
    parameters the user states are filled with the value; a placeholder of an id the agent must look up is
    filled with a description of the thing it identifies ("the event 'Retro wind'"). Naming a non-id parameter
    in a phrase declares it user-provided.
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__envfactory_tool__ = {"writes": writes, "phrase": phrase, "public_name": name}  # type: ignore[attr-defined]
        return fn

    return mark(function) if function is not None else mark


def build_spec(function: Callable[..., Any], writes: bool, phrase: str | Sequence[str] | None = None,
               public_name: str | None = None) -> ToolSpec:
    """Derive a :class:`ToolSpec` from a tool method (``self`` is skipped)."""
    doc = docstring_parser.parse(inspect.getdoc(function) or "")
    if not doc.short_description:
        raise TypeError(f"tool {function.__qualname__} needs a docstring")
    described = {p.arg_name: (p.description or "").replace("\n", " ") for p in doc.params}
    hints = get_type_hints(function, include_extras=True)
    fields: dict[str, Any] = {}
    user_known = set()
    for name, parameter in list(inspect.signature(function).parameters.items())[1:]:
        if name not in hints:
            raise TypeError(f"tool {function.__qualname__}: parameter '{name}' needs a type hint")
        if name not in described:
            raise TypeError(f"tool {function.__qualname__}: parameter '{name}' is not described under Args:")
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        if _marked_known(hints[name]):
            user_known.add(name)
        fields[name] = (hints[name], pydantic.Field(default, description=described[name]))
    model = pydantic.create_model(
        f"{function.__name__}_arguments",
        __config__=pydantic.ConfigDict(extra="forbid", str_max_length=MAX_STRING_ARGUMENT),
        **fields,
    )
    parameters = pydantic.TypeAdapter(model).json_schema()
    parameters.pop("title", None)
    for prop in parameters.get("properties", {}).values():
        _simplify(prop)
    parameters.setdefault("required", [])
    description = doc.short_description + (f"\n\n{doc.long_description}" if doc.long_description else "")
    phrases = (phrase,) if isinstance(phrase, str) else tuple(phrase or ())
    for text in phrases:
        unknown = set(PLACEHOLDER.findall(text)) - set(fields)
        if unknown or text.count("[") != text.count("]"):
            raise TypeError(f"tool {function.__qualname__}: phrase {text!r} names unknown parameters "
                            f"{sorted(unknown)} or has unbalanced brackets")
    returns = _declared(hints.get("return", Any))
    return ToolSpec(
        name=public_name or function.__name__,
        function=function,
        writes=writes,
        description=description,
        parameters=parameters,
        validator=pydantic.TypeAdapter(model),
        phrases=phrases,
        output_schema=None if returns is None else returns.json_schema(mode="serialization"),
        returns=returns,
        user_known=frozenset(user_known),
    )


def _marked_known(annotation: Any) -> bool:
    """Whether an annotation carries :class:`UserKnown` (also inside ``X | None``)."""
    if get_origin(annotation) is Annotated:
        return UserKnown in get_args(annotation)[1:] or _marked_known(get_args(annotation)[0])
    return any(_marked_known(arg) for arg in get_args(annotation)) if get_origin(annotation) in UNIONS else False


def _declared(annotation: Any) -> pydantic.TypeAdapter | None:
    """A validator of a return annotation that declares a shape (not ``Any``, a bare dict or a dict of Any)."""
    if annotation is Any or annotation is dict or annotation is None:
        return None
    if get_origin(annotation) is dict and get_args(annotation)[1:] == (Any,):
        return None
    if get_origin(annotation) is list and get_args(annotation) and _declared(get_args(annotation)[0]) is None:
        return None
    return pydantic.TypeAdapter(annotation)


def _simplify(prop: dict[str, Any]) -> None:
    """Present ``X | None = None`` as plain ``X`` (still optional; null stays accepted) and drop titles."""
    prop.pop("title", None)
    variants = prop.get("anyOf", [])
    if prop.get("default", 0) is None and len(variants) == 2 and {"type": "null"} in variants:
        prop.pop("anyOf")
        prop.pop("default")
        prop.update(next(v for v in variants if v != {"type": "null"}))
