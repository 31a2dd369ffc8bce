"""Readers of API descriptions into an :class:`~generators.environments.spec.ApiSpec`.

- :func:`from_reference`: one entry of a file in the reference format (``{"environments": [{"env", "domain",
  "tools": [{"name", "params": {name: type}, "required", "returns": {field: type}}]}]}``, types such as
  ``"string"``, ``"array<object>"`` or ``'string enum["a", "b"]'``);
- :func:`from_mcp`: a live MCP server's ``tools/list`` (a command line spoken to over stdio, or a streamable HTTP
  URL) or a saved ``tools/list`` JSON file;
- :func:`from_openapi`: an OpenAPI 3.0 or 3.1 document, JSON or YAML.

JSON Schemas (MCP input and output schemas, OpenAPI schemas) are read by one reader: ``$ref`` within the document
(``#/$defs/...``, ``#/components/...``), ``allOf`` merged, the first non-null alternative of ``anyOf``/``oneOf``,
nullable types, enums and ``const``, bounds, ``maxLength``, ``pattern``, formats and descriptions. A recursive
schema is cut where it recurs (an object or array whose contents are not described further); a ``$ref`` chain
that loops without ever reaching a schema is an error; schemas nested more than :data:`MAX_REF_DEPTH` ``$ref``
levels deep keep their type, enum and bounds but not their fields or items. A schema without a type (``{}``,
"any value") reads as a string. Parameter and operation names are kept as the source spells them when they are
valid (camelCase included) and normalized with :func:`~generators.environments.spec.normalize_name` otherwise.

Malformed descriptions raise :class:`ValueError` saying what is wrong and where; an MCP server that cannot be
started, reached or listed raises :class:`ConnectionError` (one that wants a bearer token it was not given:
:class:`~envfactory_gym.mcp.client.McpUnauthorizedError`, a :class:`PermissionError`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from generators.environments.spec import (
    IDENTIFIER,
    TOOL_NAME,
    ApiSpec,
    Operation,
    Param,
    Shape,
    class_name,
    normalize_name,
)

JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
#: Header parameters OpenAPI says to ignore (the transport sets them).
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
URL = re.compile(r"^https?://", re.I)
#: Schemas nested through more ``$ref`` levels than this keep their type, enum and bounds but not their fields
#: or items (APIs whose objects reference each other would otherwise nest exponentially).
MAX_REF_DEPTH = 3


# ------------------------------------------------------------------ names
def _param_name(name: str) -> str:
    return name if IDENTIFIER.match(name) else normalize_name(name)


def _tool_name(name: str) -> str:
    return name if TOOL_NAME.match(name) else normalize_name(name)[:64]


def _unique(names: Iterable[str]) -> list[str]:
    """The names with repeats suffixed ``_2``, ``_3``... (two source names that normalize alike)."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _check_unique_operations(operations: list[Operation], wheres: list[str], source: str) -> None:
    first: dict[str, str] = {}
    for op, where in zip(operations, wheres):
        if op.name in first:
            raise ValueError(f"{source}: two operations are named {op.name!r}: {first[op.name]} and {where}")
        first[op.name] = where


def _any_shape(description: str = "") -> Shape:
    """A value of any type: read as a string (the one type every value can be written as)."""
    return Shape(type="string", description=description)


# ------------------------------------------------------------ JSON Schema
class SchemaReader:
    """Reads the JSON Schemas of one document into :class:`Shape` objects, resolving ``$ref`` within it.

    Args:
        root: the document ``$ref`` pointers start from (a tool's schema, an OpenAPI document).
        source: the document's name, the start of every error message.
    """

    def __init__(self, root: Any, source: str) -> None:
        self.root = root
        self.source = source

    def error(self, where: str, what: str) -> ValueError:
        return ValueError(f"{self.source}: {where}: {what}")

    def pointer(self, ref: str, where: str) -> Any:
        """The node a local ``$ref`` (``#/a/b``, JSON Pointer escapes allowed) points to."""
        if not ref.startswith("#"):
            raise self.error(where, f"$ref {ref!r} points outside the document (only '#/...' references are read)")
        node = self.root
        for token in ref[1:].split("/")[1:]:
            key = unquote(token).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise self.error(where, f"$ref {ref!r} does not resolve: no {key!r}")
        return node

    def deref(self, node: Any, where: str) -> tuple[Any, tuple[str, ...]]:
        """``node`` with its ``$ref`` chain followed (sibling keys of a ``$ref`` override the target's), and the
        references followed."""
        chain: tuple[str, ...] = ()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise self.error(where, f"$ref must be a string, got {json.dumps(ref)}")
            if ref in chain:
                raise self.error(where, "$ref cycle that never reaches a schema: " + " -> ".join([*chain, ref]))
            chain += (ref,)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            target = self.pointer(ref, where)
            node = {**target, **siblings} if siblings and isinstance(target, dict) else target
        return node, chain

    def flatten(self, schema: Any, where: str,
                active: frozenset[str] = frozenset()) -> tuple[dict[str, Any], frozenset[str], bool]:
        """The schema as one dict (``$ref`` followed, ``allOf`` merged, one ``anyOf``/``oneOf`` alternative
        chosen), ``active`` with the references followed to it, and whether it recurs into one of ``active``
        (the references being read further up; such a schema is not expanded again)."""
        if isinstance(schema, bool):
            return {}, active, False
        schema, chain = self.deref(schema, where)
        if not isinstance(schema, dict):
            raise self.error(where, f"a schema must be a JSON object, got {json.dumps(schema)[:80]}")
        if active.intersection(chain):
            return schema, active, True
        active = active.union(chain)
        if "allOf" in schema:
            parts = schema["allOf"]
            if not isinstance(parts, list):
                raise self.error(where, "allOf must be a list of schemas")
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            properties = self.properties(merged, where)
            required = self.required(merged, where)
            reached = active
            for i, part in enumerate(parts):
                part, part_active, recurs = self.flatten(part, f"{where}/allOf/{i}", active)
                if recurs:
                    raise self.error(where, f"allOf part {i} includes the schema itself")
                reached = reached.union(part_active)
                properties.update(self.properties(part, f"{where}/allOf/{i}"))
                required += [r for r in self.required(part, f"{where}/allOf/{i}") if r not in required]
                for key, value in part.items():
                    merged.setdefault(key, value)
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = required
            schema, active = merged, reached
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = schema[key]
                if not isinstance(options, list) or not options:
                    raise self.error(where, f"{key} must be a non-empty list of schemas")
                rest = {k: v for k, v in schema.items() if k != key}
                chosen = next((o for o in options if not self._is_null(o, where)), options[0])
                option, active, recurs = self.flatten(chosen, f"{where}/{key}", active)
                if recurs:
                    return option, active, True
                schema = {**option, **{k: v for k, v in rest.items() if k not in option or k == "description"}}
        return schema, active, False

    def _is_null(self, schema: Any, where: str) -> bool:
        schema, _ = self.deref(schema, where)
        return isinstance(schema, dict) and schema.get("type") == "null"

    def type_of(self, schema: dict[str, Any], where: str) -> str | None:
        """The schema's JSON type (``null`` dropped from a list of types), inferred when not stated; None: any."""
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if kinds else None
        if kind is None:
            if "properties" in schema or "additionalProperties" in schema:
                return "object"
            if "items" in schema or "prefixItems" in schema:
                return "array"
            values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
            return _value_type(values)
        if kind == "null":
            return None
        if kind not in JSON_TYPES:
            raise self.error(where, f"unknown type {kind!r} (JSON Schema types: {', '.join(JSON_TYPES)}, null)")
        return kind

    def shape(self, schema: Any, where: str, omit: str | None = None, active: frozenset[str] = frozenset(),
              depth: int = 0) -> Shape:
        """A Shape of the schema; ``omit`` names a flag (``readOnly`` in requests, ``writeOnly`` in responses)
        whose properties are left out; ``depth``: how many ``$ref`` levels up the schema is nested in."""
        flat, reached, recurs = self.flatten(schema, where, active)
        depth += reached != active
        kind = self.type_of(flat, where)
        description = flat.get("description") if isinstance(flat.get("description"), str) else ""
        if kind is None:
            return _any_shape(description)
        enum = flat.get("enum", [flat["const"]] if "const" in flat else None)
        if enum is not None and not isinstance(enum, list):
            raise self.error(where, f"enum must be a list, got {json.dumps(enum)[:80]}")
        scalars: dict[str, Any] = {"format": flat["format"]} if isinstance(flat.get("format"), str) else {}
        if kind in ("integer", "number"):
            scalars["minimum"], scalars["maximum"] = self._bounds(flat, kind, where)
        if kind == "string":
            scalars["max_length"] = self._number(flat, "maxLength", where)
            if isinstance(flat.get("pattern"), str):
                scalars["pattern"] = flat["pattern"]
        shape = Shape(type=kind, enum=None if enum is None else [v for v in enum if v is not None],
                      description=description, **scalars)
        if recurs or depth > MAX_REF_DEPTH:
            return shape
        if kind == "array":
            items = flat.get("items", flat.get("prefixItems"))
            if isinstance(items, list):
                items = items[0] if items else None
            if items is not None and items is not True and items != {}:
                shape.items = self.shape(items, f"{where}/items", omit, reached, depth)
        if kind == "object":
            shape.fields = {
                str(name): self.shape(prop, f"{where}/properties/{name}", omit, reached, depth)
                for name, prop in self.properties(flat, where, omit).items()
            }
        return shape

    def properties(self, flat: dict[str, Any], where: str, omit: str | None = None) -> dict[str, Any]:
        """An object schema's properties, less those flagged ``omit``."""
        properties = flat.get("properties", {})
        if not isinstance(properties, dict):
            raise self.error(where, "properties must be a JSON object")
        return {
            name: prop for name, prop in properties.items()
            if not (omit and self.flatten(prop, f"{where}/properties/{name}")[0].get(omit) is True)
        }

    def params(self, schema: Any, where: str, required: bool = True) -> list[Param]:
        """An object schema's properties as parameters (``required``: whether the object itself is)."""
        flat, active, _ = self.flatten(schema, where)
        if self.type_of(flat, where) not in ("object", None):
            raise self.error(where, f"parameters must be an object schema, got type {flat.get('type')!r}")
        properties = self.properties(flat, where, "readOnly")
        needed = self.required(flat, where)
        names = _unique(_param_name(str(name)) for name in properties)
        return [
            Param(
                name=param_name,
                shape=self.shape(prop, f"{where}/properties/{name}", "readOnly", active, int(bool(active))),
                required=required and name in needed,
                default=self.flatten(prop, f"{where}/properties/{name}")[0].get("default"),
            )
            for param_name, (name, prop) in zip(names, properties.items())
        ]

    def required(self, flat: dict[str, Any], where: str) -> list[Any]:
        """An object schema's required property names."""
        needed = flat.get("required", [])
        if not isinstance(needed, list):
            raise self.error(where, "required must be a list of property names")
        return needed

    def _number(self, schema: dict[str, Any], key: str, where: str) -> Any:
        value = schema.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise self.error(where, f"{key} must be a number, got {json.dumps(value)}")
        return value

    def _bounds(self, schema: dict[str, Any], kind: str, where: str) -> tuple[float | None, float | None]:
        """minimum and maximum, exclusive bounds included (3.0 booleans, 3.1 numbers; an integer's exclusive
        bound moves one step in, a number's is kept as it is)."""
        step = 1 if kind == "integer" else 0
        low, high = self._number(schema, "minimum", where), self._number(schema, "maximum", where)
        exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if exclusive_low is True and low is not None:
            low += step
        elif not isinstance(exclusive_low, bool) and exclusive_low is not None:
            low = self._number(schema, "exclusiveMinimum", where) + step
        if exclusive_high is True and high is not None:
            high -= step
        elif not isinstance(exclusive_high, bool) and exclusive_high is not None:
            high = self._number(schema, "exclusiveMaximum", where) - step
        return low, high


def _value_type(values: list[Any]) -> str | None:
    """The JSON type all the values share (integers widen to number), else None."""
    kinds = {
        "boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else "number"
        if isinstance(v, float) else "string" if isinstance(v, str) else "array" if isinstance(v, list)
        else "object" if isinstance(v, dict) else "null"
        for v in values
    } - {"null"}
    if kinds == {"integer", "number"}:
        return "number"
    return kinds.pop() if len(kinds) == 1 else None


# ----------------------------------------------------------------- files
def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _load_yaml(path: Path) -> Any:
    """YAML with dates left as strings (a JSON document has no date type)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"{path}: not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None


# ------------------------------------------------------------- reference
REFERENCE_BASES = ("string", "integer", "number", "boolean", "object", "array", "any")
ENUM_TYPE = re.compile(r"^(string|integer|number|boolean)\s+enum\s*(\[.*\])$", re.S)


def reference_shape(text: Any, where: str) -> Shape | None:
    """A Shape of a reference type string (``"array<string>"``, ``'string enum["a"]'``...); None: any value."""
    if not isinstance(text, str):
        raise ValueError(f"{where}: a type must be a string, got {json.dumps(text)}")
    text = text.strip()
    if text.startswith("array<") and text.endswith(">"):
        return Shape(type="array", items=reference_shape(text[6:-1], where))
    enum = ENUM_TYPE.match(text)
    if enum:
        try:
            values = json.loads(enum.group(2))
        except json.JSONDecodeError:
            raise ValueError(f"{where}: enum values {enum.group(2)!r} are not a JSON list") from None
        return Shape(type=enum.group(1), enum=values)
    if text not in REFERENCE_BASES:
        raise ValueError(f"{where}: unknown type {text!r} (known: {', '.join(REFERENCE_BASES)}, array<T>, "
                         "T enum[...])")
    return None if text == "any" else Shape(type=text)


def reference_names(path: str | Path) -> list[str]:
    """The environment names of a reference-format file, in file order."""
    return [str(e.get("env")) for e in _reference_entries(Path(path)) if isinstance(e, dict)]


def _reference_entries(path: Path) -> list[Any]:
    data = _load_json(path)
    entries = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: a reference file is a JSON object with an 'environments' list")
    return entries


def from_reference(path: str | Path, env: str) -> ApiSpec:
    """The ApiSpec of environment ``env`` in a reference-format file."""
    path = Path(path)
    entries = _reference_entries(path)
    names = [e.get("env") for e in entries if isinstance(e, dict)]
    matches = [e for e in entries if isinstance(e, dict) and e.get("env") == env]
    if not matches:
        close = difflib.get_close_matches(env, [n for n in names if isinstance(n, str)], n=3)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        shown = ", ".join(str(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        raise ValueError(f"{path}: no environment {env!r}; {hint}known ({len(names)}): {shown}")
    entry = matches[0]
    where = f"{path}: environment {env!r}"
    tools = entry.get("tools")
    if not isinstance(tools, list) or not tools:
        raise ValueError(f"{where}: 'tools' must be a non-empty list")
    operations = [_reference_operation(tool, f"{where}, tools[{i}]") for i, tool in enumerate(tools)]
    _check_unique_operations(operations, [f"tools[{i}]" for i in range(len(tools))], where)
    return ApiSpec(
        name=class_name(env),
        domain=str(entry.get("domain") or "Utilities"),
        description=str(entry.get("description") or ""),
        operations=operations,
        source="reference",
    )


def _reference_operation(tool: Any, where: str) -> Operation:
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise ValueError(f"{where}: a tool is a JSON object with a 'name'")
    where = f"{where} ({tool['name']})"
    params, required, returns = tool.get("params", {}), tool.get("required", []), tool.get("returns", {})
    for key, value, kind in (("params", params, dict), ("required", required, list), ("returns", returns, dict)):
        if not isinstance(value, kind):
            raise ValueError(f"{where}: '{key}' must be a JSON {'object' if kind is dict else 'list'}")
    unknown = [r for r in required if not isinstance(r, str) or r not in params]
    if unknown:
        raise ValueError(f"{where}: required names unknown parameters: {', '.join(map(str, unknown))}")
    names = _unique(_param_name(name) for name in params)
    return Operation(
        name=_tool_name(tool["name"]),
        description=str(tool.get("description") or ""),
        params=[
            Param(name=param_name,
                  shape=reference_shape(kind, f"{where}, parameter {name!r}") or _any_shape(),
                  required=name in required)
            for param_name, (name, kind) in zip(names, params.items())
        ],
        returns=Shape(type="object", fields={
            field: reference_shape(kind, f"{where}, return field {field!r}") or _any_shape()
            for field, kind in returns.items()
        }),
    )


# ------------------------------------------------------------------- MCP
def from_mcp(target: str, *, headers: dict[str, str] | None = None, timeout: float = 60.0) -> ApiSpec:
    """The ApiSpec of an MCP server's tools.

    Args:
        target: a saved ``tools/list`` JSON file (``{"tools": [...]}``, a bare list, or a JSON-RPC response
            whose ``result`` is one), an ``http(s)://`` URL (streamable HTTP) or a command line (stdio).
        headers: HTTP headers for a URL (``{"Authorization": "Bearer ..."}``).
        timeout: seconds to wait for the server to start and answer.
    """
    if target.lower().endswith(".json") and not URL.match(target):
        path = Path(target)
        data = _load_json(path)
        if isinstance(data, dict) and isinstance(data.get("result"), dict):
            data = data["result"]
        tools = data.get("tools") if isinstance(data, dict) else data
        if not isinstance(tools, list):
            raise ValueError(f"{path}: a saved tools/list is a JSON list of tools or an object with a 'tools' list")
        stem = re.sub(r"([._-](tools|list|tools_list))+$", "", path.name[: -len(".json")], flags=re.I)
        return _mcp_spec(tools, stem or "Mcp", "", str(path))
    server_name, instructions, tools = _list_tools(target, headers, timeout)
    return _mcp_spec(tools, _server_name(server_name) or _fallback_name(target), instructions, target)


def _mcp_spec(tools: list[Any], name: str, description: str, source: str) -> ApiSpec:
    if not tools:
        raise ValueError(f"{source}: the server lists no tools")
    operations = [_mcp_operation(tool, f"{source}: tools[{i}]") for i, tool in enumerate(tools)]
    _check_unique_operations(operations, [f"tools[{i}]" for i in range(len(tools))], source)
    return ApiSpec(name=class_name(name), description=description, operations=operations, source="mcp")


def _pick(mapping: dict[str, Any], camel: str, snake: str) -> Any:
    """A key as the protocol spells it, or as a Python dump of the SDK's models does."""
    return mapping.get(camel, mapping.get(snake))


def _mcp_operation(tool: Any, where: str) -> Operation:
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise ValueError(f"{where}: a tool is a JSON object with a 'name'")
    where = f"{where} ({tool['name']})"
    input_schema = _pick(tool, "inputSchema", "input_schema")
    if not isinstance(input_schema, dict):
        raise ValueError(f"{where}: inputSchema must be a JSON object (an object schema)")
    params = SchemaReader(input_schema, where).params(input_schema, "inputSchema")
    output_schema = _pick(tool, "outputSchema", "output_schema")
    returns = Shape(type="object")
    if output_schema is not None:
        reader = SchemaReader(output_schema, where)
        returns = _unwrap_result(reader.shape(output_schema, "outputSchema", "writeOnly"))
    annotations = tool.get("annotations", {})
    if not isinstance(annotations, dict):
        raise ValueError(f"{where}: annotations must be a JSON object")
    read_only = _pick(annotations, "readOnlyHint", "read_only_hint")
    return Operation(
        name=_tool_name(tool["name"]),
        description=str(tool.get("description") or tool.get("title") or annotations.get("title") or ""),
        params=params,
        returns=returns,
        read_only=read_only if isinstance(read_only, bool) else None,
    )


def _unwrap_result(shape: Shape) -> Shape:
    """A non-object return, which MCP carries as ``{"result": value}`` (structured content is an object)."""
    if set(shape.fields) == {"result"} and shape.fields["result"].type != "object":
        return shape.fields["result"]
    return shape


def _server_name(name: str) -> str:
    """A service name from ``serverInfo.name``: its last path segment, less a version suffix
    (``EnvFactory/Calendar-v0`` -> ``Calendar``)."""
    name = name.rsplit("/", 1)[-1]
    return re.sub(r"[-_@ ]v?\d+(\.\d+)*$", "", name)


def _fallback_name(target: str) -> str:
    """A service name when the server gives none: the URL's host, or the command's last argument."""
    if URL.match(target):
        host = urlparse(target).hostname or ""
        return host.split(".")[0] if host and not host[0].isdigit() else "Mcp"
    words = [w for w in shlex.split(target) if not w.startswith("-")]
    return Path(words[-1]).stem if words else "Mcp"


def _list_tools(target: str, headers: dict[str, str] | None, timeout: float) -> tuple[str, str, list[dict[str, Any]]]:
    """The server's name, instructions and every tool (all pages) as ``tools/list`` JSON."""
    from mcp import Client, StdioServerParameters

    from envfactory_gym.mcp.client import McpUnauthorizedError, _http_client, run_sync

    if URL.match(target):
        connect = lambda: _http_client(target, headers)  # noqa: E731
    else:
        try:
            words = shlex.split(target)
        except ValueError as exc:
            raise ValueError(f"MCP command line {target!r}: {exc}") from None
        if not words:
            raise ValueError("an MCP target is a command line, an http(s) URL or a .json file; got an empty string")
        params = StdioServerParameters(command=words[0], args=words[1:], env=dict(os.environ))
        connect = lambda: Client(params)  # noqa: E731

    async def fetch() -> tuple[str, str, list[dict[str, Any]]]:
        async with connect() as client:
            tools, cursor, cursors = [], None, set()
            while True:
                page = await client.list_tools(cursor=cursor)
                tools += page.tools
                cursor = page.next_cursor
                if not cursor or cursor in cursors:
                    break
                cursors.add(cursor)
            info = client.server_info
            return (info.name if info else "", client.instructions or "",
                    [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools])

    try:
        return run_sync(fetch(), timeout)
    except McpUnauthorizedError:
        raise
    except TimeoutError:
        raise ConnectionError(f"MCP server {target!r} did not list its tools within {timeout:g} s") from None
    except Exception as exc:  # noqa: BLE001 - the SDK's errors arrive wrapped in exception groups
        raise ConnectionError(f"MCP server {target!r} could not be listed: {_innermost(exc)}") from exc


def _innermost(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------- OpenAPI
def from_openapi(path: str | Path) -> ApiSpec:
    """The ApiSpec of an OpenAPI 3.0 or 3.1 document: JSON by a ``.json`` suffix, YAML otherwise."""
    path = Path(path)
    doc = _load_json(path) if path.suffix.lower() == ".json" else _load_yaml(path)
    source = path.name
    if not isinstance(doc, dict):
        raise ValueError(f"{source}: an OpenAPI document is a JSON/YAML object")
    if "swagger" in doc:
        raise ValueError(f"{source}: Swagger {doc['swagger']} is not read; convert it to OpenAPI 3 first")
    version = str(doc.get("openapi", ""))
    if not re.match(r"^3\.[01]\.", version + "."):
        raise ValueError(f"{source}: 'openapi' must name version 3.0.x or 3.1.x, got {version or 'nothing'!r}")
    paths = doc.get("paths", {})
    if not isinstance(paths, dict):
        raise ValueError(f"{source}: 'paths' must be an object")
    reader = SchemaReader(doc, source)
    operations, wheres = [], []
    for route, item in paths.items():
        item, _ = reader.deref(item, f"path {route}")
        if not isinstance(item, dict):
            raise reader.error(f"path {route}", "a path item must be an object")
        for method in [key for key in item if key in HTTP_METHODS]:
            where = f"{method.upper()} {route}"
            operations.append(_openapi_operation(reader, str(route), method, item, where))
            wheres.append(where)
    if not operations:
        raise ValueError(f"{source}: the document has no operations under 'paths'")
    _check_unique_operations(operations, wheres, source)
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    return ApiSpec(
        name=class_name(_title_name(str(info.get("title") or "")) or path.stem),
        description=str(info.get("description") or info.get("summary") or ""),
        operations=operations,
        source="openapi",
    )


def _title_name(title: str) -> str:
    """A service name from a document title: less parentheses and the words API, OpenAPI, REST and versions."""
    words = re.split(r"[^A-Za-z0-9.]+", re.sub(r"\([^)]*\)", " ", title))
    kept = [w for w in words if w and w.lower() not in ("api", "openapi", "rest")
            and not re.match(r"^v?\d+(\.\d+)*$", w, re.I)]
    return " ".join(w.replace(".", " ") for w in kept)


def _openapi_operation(reader: SchemaReader, route: str, method: str, item: dict[str, Any], where: str) -> Operation:
    op, _ = reader.deref(item[method], where)
    if not isinstance(op, dict):
        raise reader.error(where, "an operation must be an object")
    operation_id = op.get("operationId")
    if operation_id is not None and not isinstance(operation_id, str):
        raise reader.error(where, "operationId must be a string")
    params = _parameters(reader, item, op, where)
    taken = {p.name for p in params}
    params += [p for p in _body_params(reader, op, where) if p.name not in taken]
    for param, name in zip(params, _unique(p.name for p in params)):
        param.name = name
    summary, description = str(op.get("summary") or ""), str(op.get("description") or "")
    return Operation(
        name=_tool_name(operation_id) if operation_id else normalize_name(f"{method} {route}")[:64],
        description="\n\n".join(d for d in dict.fromkeys((summary.strip(), description.strip())) if d),
        params=params,
        returns=_returns(reader, op, where),
        method=method.upper(),
        path=route,
    )


def _parameters(reader: SchemaReader, item: dict[str, Any], op: dict[str, Any], where: str) -> list[Param]:
    """Path, query and header parameters (the path item's, overridden by the operation's)."""
    chosen: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for level, listing in (("path item", item.get("parameters")), ("operation", op.get("parameters"))):
        if listing is None:
            continue
        if not isinstance(listing, list):
            raise reader.error(where, f"the {level}'s parameters must be a list")
        for i, raw in enumerate(listing):
            spot = f"{where} parameters[{i}]"
            param, _ = reader.deref(raw, spot)
            if not isinstance(param, dict) or not isinstance(param.get("name"), str) or "in" not in param:
                raise reader.error(spot, "a parameter is an object with a 'name' and an 'in'")
            if param["in"] not in ("path", "query", "header", "cookie"):
                raise reader.error(spot, f"parameter {param['name']!r}: 'in' must be path, query, header or cookie, "
                                         f"got {param['in']!r}")
            chosen[(param["name"], param["in"])] = (param, spot)
    out = []
    for (name, location), (param, spot) in chosen.items():
        if location == "cookie" or (location == "header" and name.lower() in IGNORED_HEADERS):
            continue
        schema = param.get("schema")
        if schema is None and isinstance(param.get("content"), dict):
            schema = _media_schema(reader, param["content"], spot)
        spot = f"{spot} ({name})"
        shape = reader.shape(schema, spot, "readOnly") if schema is not None else _any_shape()
        if isinstance(param.get("description"), str):
            shape.description = param["description"]
        default = reader.flatten(schema, spot)[0].get("default") if schema is not None else None
        out.append(Param(name=_param_name(name), shape=shape, default=default,
                         required=location == "path" or param.get("required") is True))
    return out


def _media_schema(reader: SchemaReader, content: Any, where: str) -> Any:
    """The schema of a content map's JSON media type (else form data, else the first that has one)."""
    if not isinstance(content, dict):
        raise reader.error(where, "content must be an object of media types")

    def rank(media: str) -> int:
        base = media.split(";")[0].strip().lower()
        return 0 if base == "application/json" else 1 if base.endswith("+json") else \
            2 if base in ("application/x-www-form-urlencoded", "multipart/form-data") else 3

    for media in sorted(content, key=rank):
        entry = content[media]
        if isinstance(entry, dict) and entry.get("schema") is not None:
            return entry["schema"]
    return None


def _body_params(reader: SchemaReader, op: dict[str, Any], where: str) -> list[Param]:
    """The request body's properties as parameters (one level), or one parameter ``body``."""
    if op.get("requestBody") is None:
        return []
    spot = f"{where} requestBody"
    body, _ = reader.deref(op["requestBody"], spot)
    if not isinstance(body, dict):
        raise reader.error(spot, "a request body must be an object")
    schema = _media_schema(reader, body.get("content", {}), spot)
    if schema is None:
        return []
    required = body.get("required") is True
    flat = reader.flatten(schema, spot)[0]
    if reader.type_of(flat, spot) == "object" and flat.get("properties"):
        return reader.params(schema, spot, required)
    shape = reader.shape(schema, spot, "readOnly")
    if isinstance(body.get("description"), str) and not shape.description:
        shape.description = body["description"]
    return [Param(name="body", shape=shape, required=required)]


def _returns(reader: SchemaReader, op: dict[str, Any], where: str) -> Shape:
    """The shape of the first success response with a schema (200, 201, other 2xx, 2XX); an object of unknown
    fields when none has one."""
    responses = op.get("responses", {})
    if not isinstance(responses, dict):
        raise reader.error(where, "responses must be an object")
    codes = sorted((str(c) for c in responses if re.match(r"^2(\d\d|XX)$", str(c), re.I)),
                   key=lambda c: (c not in ("200", "201"), c.upper()))
    by_code = {str(c): r for c, r in responses.items()}
    for code in codes:
        spot = f"{where} responses/{code}"
        response, _ = reader.deref(by_code[code], spot)
        if not isinstance(response, dict):
            raise reader.error(spot, "a response must be an object")
        schema = _media_schema(reader, response.get("content", {}), spot)
        if schema is not None:
            return reader.shape(schema, spot, "writeOnly")
    return Shape(type="object")
