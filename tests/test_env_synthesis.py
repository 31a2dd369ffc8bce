"""Offline environment synthesis and its gate: API descriptions of our own (tests/data/envgen/synthesis.json and
ApiSpecs built here) become v2 modules that pass the sandbox's static check and the executed gate, and a module
broken by hand fails it, tool by tool."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from envfactory_gym.core.tasks import Task
from generators.environments.gate import CHECKS, GateReport, gate
from generators.environments.inputs import from_reference
from generators.environments.sandbox import ALLOWED_IMPORTS, check_source
from generators.environments.spec import ApiSpec, Operation, Param, Shape
from generators.environments.synthesis import synthesize

DATA = Path(__file__).resolve().parent / "data" / "envgen" / "synthesis.json"
S = Shape


def pantry() -> ApiSpec:
    """A description with what the reference format cannot say: nested objects, known item fields, enums,
    bounds, a Python keyword as a parameter, a tool name that is no identifier."""
    item = S(type="object", fields={
        "item_id": S(type="string"), "name": S(type="string"), "price": S(type="number"),
        "category": S(type="string"), "tags": S(type="array", items=S(type="string")),
        "size": S(type="object", fields={"width": S(type="number"), "height": S(type="number")})})
    categories = ["fruit", "grain", "dairy"]
    return ApiSpec(name="Pantry", domain="Lifestyle", description="A household pantry.", source="test", operations=[
        Operation(name="list_items", description="List pantry items.", params=[
            Param(name="from", shape=S(type="string", format="date", description="Only items added since this day.")),
            Param(name="category", shape=S(type="string", enum=categories)),
            Param(name="min_price", shape=S(type="number", minimum=0))],
            returns=S(type="object", fields={"items": S(type="array", items=item)})),
        Operation(name="get-item", params=[Param(name="item_id", required=True)],
                  returns=S(type="object", fields={"item_id": S(type="string"), "name": S(type="string"),
                                                   "price": S(type="number")})),
        Operation(name="add_item", params=[
            Param(name="name", required=True, shape=S(type="string", max_length=40)),
            Param(name="price", required=True, shape=S(type="number", minimum=0, maximum=1000)),
            Param(name="category", required=True, shape=S(type="string", enum=categories))],
            returns=S(type="object", fields={"item_id": S(type="string"), "name": S(type="string")})),
        Operation(name="delete_item", params=[Param(name="item_id", required=True)],
                  returns=S(type="object", fields={"deleted": S(type="boolean")})),
    ])


@pytest.fixture(scope="module")
def library() -> tuple[str, GateReport]:
    source = synthesize(from_reference(DATA, "Library"))
    return source, gate(source, "Library", tasks=30)


def checks(report: GateReport) -> dict[str, bool]:
    return {c.name: c.passed for c in report.checks}


def test_crud_service_passes_the_gate_with_30_tasks(library: tuple[str, GateReport]) -> None:
    source, report = library
    assert report.passed, report.render()
    assert checks(report) == dict.fromkeys(CHECKS, True)
    assert report.tasks_kept >= 30
    assert {t.name: (t.kind, t.status) for t in report.tools} == {
        "list_books": ("search books", "ok"), "get_book": ("get books", "ok"),
        "create_loan": ("create loans", "ok"), "return_loan": ("transition loans", "ok"),
        "list_loans": ("list loans", "ok")}
    tasks = [Task.from_dict(json.loads(line)) for line in report.tasks]
    assert {t.env for t in tasks} == {"Library"}
    assert any(t.tags["writes"] for t in tasks) and any(not t.tags["writes"] for t in tasks)
    assert "PASSED the gate" in report.render()


def test_crud_module_reads_like_a_v2_environment(library: tuple[str, GateReport]) -> None:
    source, _ = library
    assert check_source(source) == []
    imported = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
    assert all(any(m == p or m.startswith(p + ".") for p in ALLOWED_IMPORTS) for m in imported)
    assert "class Library(World):" in source
    assert 'text_search = {"books": ("title",)}' in source.replace("'", '"')
    # the transition refuses a second return, naming the state
    assert 'raise ToolError("the loan is already returned")' in source
    # an unknown id says which tool lists them
    assert "no book with book id '{book_id}'; list_books or get_book show the book ids" in source
    # user-stated inputs are UserKnown; enums are Literal; limits are declared
    assert "member_email: Annotated[str, UserKnown, Field(min_length=1)]" in source
    assert "status: Literal['active', 'returned', 'overdue'] | None = None" in source
    assert "limit: Annotated[int, Field(ge=1, le=100)] = 20" in source
    # seeded dates come from the episode clock, never from Faker's relative dates or the wall clock
    assert "_when(start, rng," in source and "date_between" not in source and "now()" not in source.split(
        "def populate")[1].split("    def ")[0]


def test_read_only_service_passes_the_gate() -> None:
    source = synthesize(from_reference(DATA, "WeatherStations"))
    report = gate(source, "WeatherStations", tasks=30)
    assert report.passed, report.render()
    assert {t.name: t.kind for t in report.tools} == {
        "list_stations": "list stations", "get_station": "get stations", "get_readings": "list readings"}
    assert "writes=True" not in source


def test_synthesis_is_deterministic_in_the_seed() -> None:
    spec = from_reference(DATA, "Library")
    assert synthesize(spec, seed=0) == synthesize(spec, seed=0)
    assert synthesize(spec, seed=1) == synthesize(spec, seed=1)
    assert synthesize(spec, seed=0) != synthesize(spec, seed=1)  # the seed varies table sizes


def test_api_spec_with_nested_shapes_keywords_and_odd_names() -> None:
    source = synthesize(pantry())
    assert check_source(source) == []
    # a tool name that is no identifier keeps the service's name
    assert "@tool(phrase=['look up {item_id}', 'show me the details of {item_id}'], name='get-item')" in source
    assert "def get_item(self, item_id: Annotated[str, Field(min_length=1)]) -> GetItemResult:" in source
    # a Python keyword as a parameter, said in its description
    assert "from_: Only items added since this day. (the service calls it 'from')" in source
    # bounds and enums from the shapes, known item fields as TypedDicts (nested objects too)
    assert "price: Annotated[float, Field(ge=0.0, le=1000.0)]," in source
    assert "name: Annotated[str, UserKnown, Field(min_length=1, max_length=40)]," in source
    assert "category: Literal['fruit', 'grain', 'dairy']," in source
    assert 'ItemSize = TypedDict("ItemSize", {\'width\': float, \'height\': float})' in source
    report = gate(source, "Pantry", tasks=30)
    assert report.passed, report.render()


def test_a_module_broken_by_hand_fails_the_gate_per_tool(library: tuple[str, GateReport]) -> None:
    source, _ = library
    broken = source.replace("        row = self._book(book_id)\n",
                            "        row = self._book(book_id)\n        row = {**row, 'year': str(row['year'])}\n")
    assert broken != source
    report = gate(broken, "Library", tasks=30)
    assert not report.passed
    assert not checks(report)["tools"]
    status = {t.name: t for t in report.tools}
    assert status["get_book"].status == "failed"
    assert status["get_book"].error == "returned what it does not declare: year: Input should be a valid integer"
    assert all(t.status == "ok" for name, t in status.items() if name != "get_book")
    assert "- tool 'get_book': returned what it does not declare: year: Input should be a valid integer" in \
        report.render()


def test_the_static_check_stops_a_hostile_module_before_anything_runs(library: tuple[str, GateReport]) -> None:
    source, _ = library
    hostile = source.replace("import random\n", "import random\nimport os\n", 1)
    report = gate(hostile, "Library", tasks=30)
    assert not report.passed
    static = report.checks[0]
    assert (static.name, static.passed) == ("static", False)
    assert static.failures == ["line 14: import of os is not allowed (not in the allowed imports)"]
    assert [(c.name, c.detail) for c in report.checks[1:]] == [
        (name, "not run: the static check failed") for name in CHECKS[1:]]
    assert report.tools == [] and report.tasks == []


def test_a_module_without_the_named_class_fails_the_build_check(library: tuple[str, GateReport]) -> None:
    source, _ = library
    report = gate(source.replace("class Library(World):", "class Libraries(World):"), "Library", tasks=30)
    assert not report.passed
    build = next(c for c in report.checks if c.name == "builds")
    assert build.failures == ["the World subclass is Libraries, not Library"]


def test_a_module_whose_world_fails_on_a_later_seed_fails_the_build_check(library: tuple[str, GateReport]) -> None:
    source, _ = library
    broken = source.replace("        start = cls.start_time\n", "        start = cls.start_time\n"
                            "        if db['_meta'].get('seed')['value'] == 513:\n"
                            "            raise ValueError('Sample larger than population or is negative')\n", 1)
    assert broken != source
    report = gate(broken, "Library", tasks=30)
    assert not report.passed
    build = next(c for c in report.checks if c.name == "builds")
    assert build.failures == ["populate (seed 513): ValueError: Sample larger than population or is negative"]
