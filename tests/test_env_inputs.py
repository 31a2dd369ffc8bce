"""The environment generator's readers: the reference format, MCP ``tools/list`` (a saved file, a live server over
stdio and over streamable HTTP) and OpenAPI 3.0/3.1 documents read into an ApiSpec, and the errors malformed
descriptions raise."""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp import Client

from envfactory_gym.mcp.client import McpUnauthorizedError
from envfactory_gym.mcp.server import EnvironmentServer, http_app
from envfactory_gym.registration import world_set
from generators.environments.inputs import MAX_REF_DEPTH, from_mcp, from_openapi, from_reference
from generators.environments.spec import ApiSpec, Operation, Shape

DATA = Path(__file__).resolve().parent / "data" / "envgen"
S = Shape  # short for the expected shapes below


def ops(spec: ApiSpec) -> dict[str, Operation]:
    return {op.name: op for op in spec.operations}


def params(op: Operation) -> dict[str, tuple[Shape, bool, Any]]:
    return {p.name: (p.shape, p.required, p.default) for p in op.params}


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


# ------------------------------------------------------------- reference
def test_reference_reads_every_type_form() -> None:
    spec = from_reference(DATA / "reference.json", "PlantShop")
    assert (spec.name, spec.domain, spec.source, spec.description) == ("PlantShop", "Commerce", "reference", "")
    tools = ops(spec)
    assert list(tools) == ["search_plants", "place_order", "cancel_order"]
    assert params(tools["search_plants"]) == {
        "query": (S(type="string"), True, None),
        "max_price": (S(type="number"), False, None),
        "in_stock": (S(type="boolean"), False, None),
        "light": (S(type="string", enum=["low", "medium", "bright"]), False, None),
        "page_size": (S(type="integer"), False, None),  # "page-size" is not an identifier
    }
    assert tools["search_plants"].returns == S(type="object", fields={
        "plants": S(type="array", items=S(type="object")), "total": S(type="integer"),
        "@odata.nextLink": S(type="string"),  # return fields keep the service's spelling
    })
    assert params(tools["place_order"]) == {
        "plant_ids": (S(type="array", items=S(type="string")), True, None),
        "gift_wrap": (S(type="array", items=S(type="string", enum=["paper", "cloth"])), False, None),
        "address": (S(type="object"), True, None),
        "notes": (S(type="array"), False, None),  # array<any>: items unknown
        "grid": (S(type="array", items=S(type="array")), False, None),
        "anything": (S(type="string"), False, None),  # any value reads as a string
    }
    assert tools["place_order"].returns.fields == {
        "order_id": S(type="string"), "status": S(type="string", enum=["placed"]),
        "lines": S(type="array", items=S(type="array", items=S(type="object"))),
        "weights": S(type="array", items=S(type="number")), "tags": S(type="array"),
    }
    assert tools["cancel_order"].returns == S(type="object")  # no returns listed: an object of unknown fields
    assert all(op.method is op.path is op.read_only is None for op in spec.operations)


def test_reference_descriptions_and_escaped_enums() -> None:
    spec = from_reference(DATA / "reference.json", "ParcelTracker")
    assert (spec.domain, spec.description) == ("Lifestyle", "Tracks parcels.")
    op = spec.operations[0]
    assert op.description == "Estimated delivery time."
    assert op.params[0].shape.enum == ["标准快递", "特快专递"]


def test_reference_unknown_environment_lists_names() -> None:
    path = DATA / "reference.json"
    with pytest.raises(ValueError) as error:
        from_reference(path, "PlantShops")
    assert str(error.value) == f"{path}: no environment 'PlantShops'; did you mean PlantShop? known (2): PlantShop, " \
                               "ParcelTracker"
    with pytest.raises(ValueError) as error:
        from_reference(path, "Zzz")
    assert str(error.value) == f"{path}: no environment 'Zzz'; known (2): PlantShop, ParcelTracker"


def _entry(**tool: Any) -> dict[str, Any]:
    return {"environments": [{"env": "Shop", "domain": "Commerce",
                              "tools": [{"name": "find", "params": {}, "required": [], "returns": {}, **tool}]}]}


@pytest.mark.parametrize(("data", "message"), [
    ("{oops", "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    ([], "a reference file is a JSON object with an 'environments' list"),
    ({"environments": [{"env": "Shop", "tools": []}]}, "environment 'Shop': 'tools' must be a non-empty list"),
    (_entry(params={"q": "strng"}),
     "environment 'Shop', tools[0] (find), parameter 'q': unknown type 'strng' (known: string, integer, number, "
     "boolean, object, array, any, array<T>, T enum[...])"),
    (_entry(params={"q": 3}), "environment 'Shop', tools[0] (find), parameter 'q': a type must be a string, got 3"),
    (_entry(params={"q": "string enum[a, b]"}),
     "environment 'Shop', tools[0] (find), parameter 'q': enum values '[a, b]' are not a JSON list"),
    (_entry(returns={"items": "array<strin>"}),
     "environment 'Shop', tools[0] (find), return field 'items': unknown type 'strin' (known: string, integer, "
     "number, boolean, object, array, any, array<T>, T enum[...])"),
    (_entry(params={"q": "string"}, required=["q", "limit"]),
     "environment 'Shop', tools[0] (find): required names unknown parameters: limit"),
    (_entry(params=["q"]), "environment 'Shop', tools[0] (find): 'params' must be a JSON object"),
    (_entry(name=None), "environment 'Shop', tools[0]: a tool is a JSON object with a 'name'"),
    ({"environments": [{"env": "Shop", "tools": [{"name": "a"}, {"name": "a"}]}]},
     "environment 'Shop': two operations are named 'a': tools[0] and tools[1]"),
])
def test_reference_errors_say_what_and_where(tmp_path: Path, data: Any, message: str) -> None:
    path = write(tmp_path / "ref.json", data)
    with pytest.raises(ValueError) as error:
        from_reference(path, "Shop")
    assert str(error.value) == f"{path}: {message}"


# ------------------------------------------------------------------- MCP
@pytest.fixture(scope="module")
def calendar_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's Calendar server's tools/list, listed in memory and saved as {"tools": [...]}."""

    async def listing() -> list[dict[str, Any]]:
        async with Client(EnvironmentServer("Calendar"), mode="legacy") as client:
            tools = (await client.list_tools()).tools
            return [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]

    return write(tmp_path_factory.mktemp("mcp") / "Calendar.json", {"tools": anyio.run(listing)})


def test_mcp_saved_calendar_matches_the_environment(calendar_file: Path) -> None:
    spec = from_mcp(str(calendar_file))
    assert (spec.name, spec.domain, spec.source, spec.description) == ("Calendar", "Utilities", "mcp", "")
    worlds = world_set("Calendar")(0)
    assert [op.name for op in spec.operations] == list(worlds.tools)
    for op in spec.operations:
        tool = worlds.tools[op.name][1]
        assert op.description == tool.description
        assert op.read_only is (not tool.writes)
        assert [p.name for p in op.params] == list(tool.parameters["properties"])
        assert {p.name for p in op.params if p.required} == set(tool.parameters.get("required", []))
    tools = ops(spec)
    assert params(tools["list_events"])["max_results"] == (
        S(type="integer", minimum=1, maximum=100, description="At most this many events."), False, 20)
    # pydantic >= 2.14 also writes the runtime's longest-string limit into every string's schema
    longest = worlds.tools["search_events"][1].parameters["properties"]["query"].get("maxLength")
    emails = worlds.tools["add_attendees"][1].parameters["properties"]["emails"]["items"].get("maxLength")
    assert params(tools["search_events"])["query"][0] == S(type="string", pattern=r"\S", max_length=longest,
                                                           description="Text to look for.")
    assert params(tools["add_attendees"])["emails"][0] == S(type="array", items=S(type="string", max_length=emails),
                                                            description="Email addresses to invite.")
    # a list return travels as {"result": [...]} in MCP and is read back as the list
    assert tools["list_calendars"].returns == S(type="array", items=S(type="object", fields={
        "calendar_id": S(type="string"), "name": S(type="string"), "color": S(type="string"),
        "is_primary": S(type="integer")}))
    assert tools["find_free_slots"].returns == S(type="array", items=S(type="string"))
    assert tools["delete_event"].returns == S(type="object", fields={"deleted": S(type="string")})


def test_mcp_stdio_reads_the_live_server(calendar_file: Path) -> None:
    command = "envfactory serve Calendar" if shutil.which("envfactory") else \
        f"{sys.executable} -m envfactory_gym.cli serve Calendar"
    spec = from_mcp(command)
    assert spec.name == "Calendar"  # from serverInfo.name "EnvFactory/Calendar-v0"
    assert spec.description.startswith("Calendar: The user's calendars")  # the server's instructions
    assert spec.operations == from_mcp(str(calendar_file)).operations


@pytest.fixture
def http_calendar() -> Iterator[str]:
    """The Calendar server over streamable HTTP on a free loopback port, wanting the bearer token "t0k"."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(http_app(EnvironmentServer("Calendar"), token="t0k"), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the HTTP server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        server.should_exit = True
        thread.join(10)


def test_mcp_http_reads_the_live_server(http_calendar: str, calendar_file: Path) -> None:
    spec = from_mcp(http_calendar, headers={"Authorization": "Bearer t0k"})
    assert spec.name == "Calendar"
    assert spec.operations == from_mcp(str(calendar_file)).operations
    with pytest.raises(McpUnauthorizedError, match="answered HTTP 401 Unauthorized"):
        from_mcp(http_calendar)


def test_mcp_memory_server_file() -> None:
    """The reference "memory" knowledge-graph server's tools/list (written by hand, saved as a bare list)."""
    spec = from_mcp(str(DATA / "memory.tools.json"))
    assert spec.name == "Memory"
    tools = ops(spec)
    assert list(tools) == ["create_entities", "create_relations", "add_observations", "delete_entities",
                           "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes"]
    assert [n for n, op in tools.items() if op.read_only] == ["read_graph", "search_nodes", "open_nodes"]
    entity = S(type="object", fields={
        "name": S(type="string", description="The name of the entity"),
        "entityType": S(type="string", description="The type of the entity"),
        "observations": S(type="array", items=S(type="string"),
                          description="An array of observation contents associated with the entity"),
    })
    assert params(tools["create_entities"]) == {"entities": (S(type="array", items=entity), True, None)}
    assert list(params(tools["delete_relations"])["relations"][0].items.fields) == ["from", "to", "relationType"]
    assert params(tools["delete_entities"])["entityNames"][1] is True  # camelCase kept
    assert tools["read_graph"].params == []
    assert tools["read_graph"].returns.fields["entities"] == S(type="array", items=entity)  # through $defs
    assert tools["open_nodes"].returns == tools["search_nodes"].returns == tools["read_graph"].returns
    assert tools["delete_entities"].returns == S(type="object", fields={"success": S(type="boolean"),
                                                                         "message": S(type="string")})
    assert tools["create_relations"].description == ("Create multiple new relations between entities in the "
                                                     "knowledge graph. Relations should be in active voice")


def test_mcp_json_rpc_response_snake_case_and_schema_features(tmp_path: Path) -> None:
    """A saved JSON-RPC answer with keys as a Python dump spells them; nullable, anyOf, allOf, const, exclusive
    bounds, recursion, names that need normalizing."""
    node = {"type": "object", "properties": {"label": {"type": "string"},
                                             "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}
    tool = {
        "name": "files.search",
        "title": "Search files",
        "input_schema": {
            "type": "object",
            "properties": {
                "pageSize": {"anyOf": [{"type": "integer", "exclusiveMinimum": 0, "maximum": 50}, {"type": "null"}],
                             "default": None, "description": "Page length."},
                "sort-by": {"enum": ["name", "size", None]},
                "kind": {"const": 3},
                "tree": {"$ref": "#/$defs/Node"},
                "where": {"allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"size": {"type": "number"}},
                                                               "required": ["size"]}]},
                "id": {"type": "string", "readOnly": True},
                "blob": {},
            },
            "required": ["pageSize"],
            "$defs": {"Node": node, "Base": {"type": "object", "properties": {"path": {"type": ["string", "null"]}}}},
        },
        "output_schema": {"type": "object", "properties": {"result": {"type": "integer"}}, "required": ["result"]},
        "annotations": {"read_only_hint": True},
    }
    path = write(tmp_path / "acme-files_tools.json", {"jsonrpc": "2.0", "id": 1, "result": {"tools": [tool]}})
    spec = from_mcp(str(path))
    assert spec.name == "AcmeFiles"
    op = spec.operations[0]
    assert (op.name, op.description, op.read_only) == ("files_search", "Search files", True)
    assert op.returns == S(type="integer")
    tree = S(type="object", fields={"label": S(type="string"),
                                    "children": S(type="array", items=S(type="object"))})  # recursion cut
    assert params(op) == {
        "pageSize": (S(type="integer", minimum=1, maximum=50, description="Page length."), True, None),
        "sort_by": (S(type="string", enum=["name", "size"]), False, None),
        "kind": (S(type="integer", enum=[3]), False, None),
        "tree": (tree, False, None),
        "where": (S(type="object", fields={"path": S(type="string"), "size": S(type="number")}), False, None),
        "blob": (S(type="string"), False, None),
    }


def test_mcp_nesting_through_references_is_bounded(tmp_path: Path) -> None:
    """Objects that reference each other nest at most MAX_REF_DEPTH $ref levels; deeper ones keep their type,
    enum and bounds but not their fields."""
    defs = {f"L{i}": {"type": "object", "properties": {"next": {"$ref": f"#/$defs/L{i + 1}"}, "n": {"type": "integer"}}}
            for i in range(1, 5)}
    defs["L5"] = {"type": "string", "enum": ["end"]}
    defs["L4"]["properties"]["next"] = {"$ref": "#/$defs/L5"}
    tool = _tool(outputSchema={"$ref": "#/$defs/L1", "$defs": defs})
    returns = from_mcp(str(write(tmp_path / "deep.json", [tool]))).operations[0].returns
    assert MAX_REF_DEPTH == 3
    third = returns.fields["next"].fields["next"]
    assert third.type == "object" and list(third.fields) == ["next", "n"]
    assert third.fields["next"] == S(type="object")  # L4, the fourth level: not expanded
    defs["L3"]["properties"]["next"] = {"$ref": "#/$defs/L5"}
    returns = from_mcp(str(write(tmp_path / "deep.json", [tool]))).operations[0].returns
    assert returns.fields["next"].fields["next"].fields["next"] == S(type="string", enum=["end"])


def _tool(**fields: Any) -> dict[str, Any]:
    return {"name": "find", "inputSchema": {"type": "object", "properties": {}}, **fields}


@pytest.mark.parametrize(("data", "message"), [
    ({"tools": {}}, "a saved tools/list is a JSON list of tools or an object with a 'tools' list"),
    ([], "the server lists no tools"),
    ([{"description": "no name"}], "tools[0]: a tool is a JSON object with a 'name'"),
    ([{"name": "find"}], "tools[0] (find): inputSchema must be a JSON object (an object schema)"),
    ([_tool(inputSchema={"type": "string"})],
     "tools[0] (find): inputSchema: parameters must be an object schema, got type 'string'"),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"type": "text"}}})],
     "tools[0] (find): inputSchema/properties/q: unknown type 'text' (JSON Schema types: string, integer, "
     "number, boolean, array, object, null)"),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"$ref": "#/$defs/Q"}}})],
     "tools[0] (find): inputSchema/properties/q: $ref '#/$defs/Q' does not resolve: no '$defs'"),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"$ref": "#/$defs/A"}},
                         "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}})],
     "tools[0] (find): inputSchema/properties/q: $ref cycle that never reaches a schema: #/$defs/A -> #/$defs/B "
     "-> #/$defs/A"),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"$ref": "https://x.org/q.json"}}})],
     "tools[0] (find): inputSchema/properties/q: $ref 'https://x.org/q.json' points outside the document (only '#/...' "
     "references are read)"),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"type": "integer", "maximum": "9"}}})],
     "tools[0] (find): inputSchema/properties/q: maximum must be a number, got \"9\""),
    ([_tool(inputSchema={"type": "object", "properties": {"q": {"enum": "a"}}})],
     "tools[0] (find): inputSchema/properties/q: enum must be a list, got \"a\""),
    ([_tool(inputSchema={"type": "object", "properties": {"q": [1]}})],
     "tools[0] (find): inputSchema/properties/q: a schema must be a JSON object, got [1]"),
    ([_tool(outputSchema={"anyOf": []})], "tools[0] (find): outputSchema: anyOf must be a non-empty list of schemas"),
    ([_tool(annotations=[])], "tools[0] (find): annotations must be a JSON object"),
    ([_tool(), _tool()], "two operations are named 'find': tools[0] and tools[1]"),
])
def test_mcp_saved_errors_say_what_and_where(tmp_path: Path, data: Any, message: str) -> None:
    path = write(tmp_path / "bad.json", data)
    with pytest.raises(ValueError) as error:
        from_mcp(str(path))
    assert str(error.value) == f"{path}: {message}"


def test_mcp_targets_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as error:
        from_mcp(str(tmp_path / "missing.json"))
    assert str(error.value) == f"{tmp_path / 'missing.json'}: no such file"
    with pytest.raises(ValueError) as error:
        from_mcp("  ")
    assert str(error.value) == "an MCP target is a command line, an http(s) URL or a .json file; got an empty string"
    with pytest.raises(ValueError) as error:
        from_mcp("serve 'Calendar")
    assert str(error.value) == "MCP command line \"serve 'Calendar\": No closing quotation"
    with pytest.raises(ConnectionError) as error:
        from_mcp("no-such-command-envgen serve")
    assert str(error.value) == ("MCP server 'no-such-command-envgen serve' could not be listed: FileNotFoundError: "
                                "[Errno 2] No such file or directory: 'no-such-command-envgen'")
    with pytest.raises(ConnectionError) as error:
        from_mcp(f"{sys.executable} -c 'import sys; sys.exit(3)'")
    assert str(error.value).endswith("could not be listed: MCPError: Connection closed")


# --------------------------------------------------------------- OpenAPI
def test_openapi_30_yaml_library() -> None:
    spec = from_openapi(DATA / "library.yaml")
    assert (spec.name, spec.source) == ("LibraryLending", "openapi")  # "Library Lending API (v1)"
    assert spec.description == "Books, members and loans of a city library."
    tools = ops(spec)
    assert [(op.name, op.method, op.path) for op in spec.operations] == [
        ("listBooks", "GET", "/books"), ("addBook", "POST", "/books"), ("getBook", "GET", "/books/{bookId}"),
        ("updateBook", "PATCH", "/books/{bookId}"), ("removeBook", "DELETE", "/books/{bookId}"),
        ("listMembers", "GET", "/members"), ("registerMember", "POST", "/members"),
        ("listMemberLoans", "GET", "/members/{memberId}/loans"), ("listLoans", "GET", "/loans"),
        ("borrowBook", "POST", "/loans"), ("returnLoan", "POST", "/loans/{loanId}/return"),
        ("post_loans_loan_id_renew", "POST", "/loans/{loanId}/renew"),  # no operationId
    ]
    assert tools["listBooks"].description == ("List books in the catalogue\n\nFilter by genre, author or "
                                              "availability; results come in pages.")
    genre = S(type="string", enum=["fiction", "mystery", "science", "history", "children"])
    # query parameters through components/parameters; the Accept header is the transport's
    assert params(tools["listBooks"]) == {
        "genre": (genre, False, None),
        "author": (S(type="string", max_length=80, description="Part of an author's name."), False, None),
        "available": (S(type="boolean"), False, None),
        "page": (S(type="integer", minimum=1), False, 1),
        "pageSize": (S(type="integer", minimum=1, maximum=100), False, 20),
        "x_request_id": (S(type="string", format="uuid"), False, None),
    }
    book = tools["getBook"].returns
    assert list(book.fields) == ["id", "isbn", "title", "authors", "genre", "publishedYear", "copiesTotal",
                                 "copiesAvailable"]
    # allOf of a page header and the items
    assert tools["listBooks"].returns == S(type="object", fields={
        "total": S(type="integer"), "page": S(type="integer"), "pageSize": S(type="integer"),
        "items": S(type="array", items=book)})
    # a JSON body's properties become parameters; readOnly ones are left out of requests
    assert params(tools["addBook"]) == {
        "isbn": (S(type="string", pattern="^97[89][0-9]{10}$"), True, None),
        "title": (S(type="string", max_length=200), True, None),
        "authors": (S(type="array", items=S(type="string")), True, None),
        "genre": (genre, False, None),
        "publishedYear": (S(type="integer", minimum=1450, maximum=2100), False, None),
        "copiesTotal": (S(type="integer", minimum=0), False, 1),
    }
    assert tools["addBook"].returns == book  # 201
    # path-level parameters; an optional body's properties are all optional
    assert params(tools["updateBook"]) == {
        "bookId": (S(type="string", description="The book's id."), True, None),
        "title": (S(type="string"), False, None), "genre": (genre, False, None),
        "copiesTotal": (S(type="integer", minimum=0), False, None),
    }
    assert tools["removeBook"].returns == S(type="object")  # 204: nothing described
    # cookie parameters are left out; writeOnly fields are left out of responses
    assert list(params(tools["listMembers"])) == ["q", "tier", "page"]
    assert list(params(tools["registerMember"])) == ["name", "email", "tier", "pin"]
    assert "pin" not in tools["registerMember"].returns.fields
    loan = tools["returnLoan"].returns
    assert tools["listMemberLoans"].returns == S(type="array", items=loan)  # arrays stay arrays
    assert loan.fields["returnedOn"] == S(type="string", format="date")  # nullable
    assert loan.fields["status"] == S(type="string", enum=["active", "returned", "overdue", "lost"])
    assert params(tools["listLoans"])["since"] == (
        S(type="string", format="date", description="Only loans borrowed on or after this day."), False,
        "2024-01-01")  # a YAML date stays a string
    assert params(tools["borrowBook"]) == {  # components/requestBodies
        "bookId": (S(type="string"), True, None), "memberId": (S(type="string"), True, None),
        "days": (S(type="integer", minimum=1, maximum=28), False, 14),
    }
    assert params(tools["returnLoan"]) == {
        "loanId": (S(type="string"), True, None),
        "condition": (S(type="string", enum=["good", "damaged", "lost"]), False, "good"),
    }


def test_openapi_31_json_notes() -> None:
    spec = from_openapi(DATA / "notes.json")
    assert (spec.name, spec.description) == ("Notes", "Personal notes.")
    tools = ops(spec)
    assert list(tools) == ["get_notes", "createNote", "notes_bulk_import", "getNote", "replaceNote", "deleteNote"]
    note = tools["getNote"].returns
    assert note.fields["body"] == S(type="string", description="Markdown text.")  # type ["string", "null"]
    assert note.fields["priority"] == S(type="integer", minimum=1, maximum=5)  # 3.1 exclusive bounds
    assert note.fields["kind"] == S(type="string", enum=["note"])  # const
    assert note.fields["parent"] == S(type="object")  # the recursive reference is cut
    assert params(tools["get_notes"]) == {
        "tag": (S(type="array", items=S(type="string")), False, None),
        "page_size": (S(type="integer"), False, 10),
        "filter": (S(type="object", fields={"pinned": S(type="boolean")}), False, None),  # content-typed
    }
    assert list(params(tools["createNote"])) == ["title", "body", "tags", "priority", "kind", "parent"]
    assert params(tools["createNote"])["parent"][0] == S(type="object")
    body = params(tools["notes_bulk_import"])["body"]  # an array body is one parameter
    assert body[0].type == "array" and body[0].items.fields.keys() == params(tools["createNote"]).keys()
    assert body[0].description == "Notes to import." and body[1] is False
    assert tools["notes_bulk_import"].returns == S(type="object", fields={"jobId": S(type="string")})  # 202
    assert list(params(tools["replaceNote"])) == ["id", "title"]  # the body's "id" is the path's
    assert tools["get_notes"].returns == S(type="array", items=note)


def _doc(**paths: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": paths,
            "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}}


@pytest.mark.parametrize(("name", "data", "message"), [
    ("s.json", {"swagger": "2.0", "paths": {}}, "Swagger 2.0 is not read; convert it to OpenAPI 3 first"),
    ("s.json", {"openapi": "2.5", "paths": {}}, "'openapi' must name version 3.0.x or 3.1.x, got '2.5'"),
    ("s.json", {"paths": {}}, "'openapi' must name version 3.0.x or 3.1.x, got 'nothing'"),
    ("s.json", ["openapi"], "an OpenAPI document is a JSON/YAML object"),
    ("s.json", {"openapi": "3.1.0", "paths": []}, "'paths' must be an object"),
    ("s.json", _doc(), "the document has no operations under 'paths'"),
    ("s.json", _doc(**{"/a": {"get": {"parameters": [{"name": "q"}]}}}),
     "GET /a parameters[0]: a parameter is an object with a 'name' and an 'in'"),
    ("s.json", _doc(**{"/a": {"get": {"parameters": [{"name": "q", "in": "body"}]}}}),
     "GET /a parameters[0]: parameter 'q': 'in' must be path, query, header or cookie, got 'body'"),
    ("s.json", _doc(**{"/a": {"get": {"parameters": {"q": 1}}}}), "GET /a: the operation's parameters must be a list"),
    ("s.json", _doc(**{"/a": {"get": {"parameters": [{"name": "q", "in": "query",
                                                       "schema": {"$ref": "#/components/schemas/A"}}]}}}),
     "GET /a parameters[0] (q): $ref cycle that never reaches a schema: #/components/schemas/A -> "
     "#/components/schemas/A"),
    ("s.json", _doc(**{"/a": {"post": {"requestBody": {"$ref": "other.yaml#/Body"}}}}),
     "POST /a requestBody: $ref 'other.yaml#/Body' points outside the document (only '#/...' references are read)"),
    ("s.json", _doc(**{"/a": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/Nope"}}}}}}}}}}),
     "GET /a responses/200/properties/n: $ref '#/components/schemas/Nope' does not resolve: no 'Nope'"),
    ("s.json", _doc(**{"/a": {"get": {"operationId": "x"}}, "/b": {"get": {"operationId": "x"}}}),
     "two operations are named 'x': GET /a and GET /b"),
    ("s.json", _doc(**{"/a": {"get": {"operationId": 7}}}), "GET /a: operationId must be a string"),
    ("s.json", _doc(**{"/a": {"get": {"responses": []}}}), "GET /a: responses must be an object"),
    ("s.json", _doc(**{"/a": []}), "path /a: a path item must be an object"),
    ("s.yaml", "openapi: 3.0.0\npaths: {a: [}\n",
     "not valid YAML at line 2, column 13: expected the node content, but found '}'"),
])
def test_openapi_errors_say_what_and_where(tmp_path: Path, name: str, data: Any, message: str) -> None:
    path = write(tmp_path / name, data)
    with pytest.raises(ValueError) as error:
        from_openapi(path)
    prefix = path if message.startswith("not valid") else path.name
    assert str(error.value) == f"{prefix}: {message}"
