"""Task synthesis: tool graph, topology-aware chains, implicit-intent requests, calibration, exports, CLI."""

from __future__ import annotations

import functools
import http.server
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

import pytest

from envfactory_gym.registration import ENVIRONMENTS, load_tasks, world_set
from envfactory_gym.core.tasks import Call, Draft, Task
from envfactory_gym.core.tools import PLACEHOLDER, ToolError, build_spec, tool
from envfactory_gym.core.world import World, fake_id
from envfactory_gym.core.worldset import WorldSet
from generators.graph import build, leaves, tool_graph
from generators.grounding import ground
from generators.llm import LLMRewriter
from generators.rendering import _narration, fill, find_leaks, lookups, narrates_lookup, render, secrets
from generators.sampling import ChainSampler, Step, topology_holds
from generators.scenarios import Rejected, calibrate
from generators.synthesis import _perturbed_fails, _Seen, masked, synthesize
from generators.values import is_id_like, pools

CITIES = ["Lisbon", "Osaka", "Denver", "Dublin"]


class Airline(World):
    """Flights between cities, with tickets; city codes identify the cities."""

    domain = "ToyTravel"
    schema = """
    CREATE TABLE cities (city_code TEXT PRIMARY KEY, city TEXT NOT NULL UNIQUE);
    CREATE TABLE flights (flight_id TEXT PRIMARY KEY, flight_number TEXT NOT NULL UNIQUE, origin TEXT NOT NULL,
                          city_code TEXT NOT NULL, day TEXT NOT NULL, price INTEGER NOT NULL);
    CREATE TABLE tickets (ticket_id TEXT PRIMARY KEY, flight_id TEXT NOT NULL, passenger TEXT NOT NULL);
    CREATE TABLE pings (rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["cities"].insert_all({"city_code": c[:3].upper(), "city": c} for c in CITIES)
        db["flights"].insert_all(
            {"flight_id": fake_id(rng, "fl_"), "flight_number": f"TA{100 + i}", "origin": rng.choice(CITIES),
             "city_code": rng.choice(CITIES)[:3].upper(), "day": f"2026-03-0{1 + i % 5}",
             "price": rng.randrange(80, 400)} for i in range(16))
        db["tickets"].insert_all({"ticket_id": fake_id(rng, "tk_"), "flight_id": "x", "passenger": fake.name()}
                                 for _ in range(3))

    @tool(phrase="find flights to {city_code} on {day}")
    def search_flights(self, city_code: str, day: str) -> list[dict[str, Any]]:
        """Find flights to a city on a day.

        Args:
            city_code: Code of the destination city.
            day: Day of departure, YYYY-MM-DD.
        """
        return self.rows("SELECT flight_id, flight_number, city_code, price FROM flights WHERE city_code = ?"
                         " AND day = ? ORDER BY flight_number", city_code, day)

    @tool
    def list_cities(self) -> list[dict[str, Any]]:
        """List the cities served, with their codes."""
        return self.rows("SELECT city_code, city FROM cities ORDER BY city")

    @tool(writes=True, phrase=["book {flight_id} for {passenger}", "get {passenger} a seat on {flight_id}"])
    def book_flight(self, flight_id: str, passenger: str) -> dict[str, Any]:
        """Book a seat on a flight.

        Args:
            flight_id: The flight's id.
            passenger: Full name of the traveller.
        """
        flight = self.require("SELECT * FROM flights WHERE flight_id = ?", flight_id, error="no such flight")
        ticket_id = self.new_id("tickets", "tk_")
        self.execute("INSERT INTO tickets VALUES (?, ?, ?)", ticket_id, flight_id, passenger)
        return {"ticket_id": ticket_id, "flight_number": flight["flight_number"], "city_code": flight["city_code"]}

    @tool(writes=True)
    def touch(self, mood: Literal["calm", "busy"]) -> dict[str, str]:
        """Record a visit (the mood is ignored: a tool whose argument does not matter).

        Args:
            mood: How the visitor feels.
        """
        self.execute("INSERT INTO pings (kind) VALUES ('visit')")
        return {"kind": "visit"}


class Lodging(World):
    """Hotels per city code, and stays booked in them."""

    domain = "ToyTravel"
    schema = """
    CREATE TABLE hotels (hotel_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, city_code TEXT NOT NULL,
                         stars INTEGER NOT NULL);
    CREATE TABLE stays (stay_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL, guest TEXT NOT NULL,
                        nights INTEGER NOT NULL);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["hotels"].insert_all(
            {"hotel_id": fake_id(rng, "h_"), "name": f"Hotel {fake.last_name()} {i}",
             "city_code": CITIES[i % 4][:3].upper(), "stars": rng.randint(2, 5)} for i in range(10))

    @tool
    def list_hotels(self, city_code: str) -> list[dict[str, Any]]:
        """List the hotels of a city.

        Args:
            city_code: Code of the city.
        """
        return self.rows("SELECT hotel_id, name, stars FROM hotels WHERE city_code = ? ORDER BY name", city_code)

    @tool(writes=True, phrase="book {nights} nights at {hotel_id} for {guest}")
    def book_stay(self, hotel_id: str, guest: str, nights: int) -> dict[str, Any]:
        """Book a stay in a hotel.

        Args:
            hotel_id: The hotel's id.
            guest: Full name of the guest.
            nights: Number of nights, 1-14.
        """
        if not 1 <= nights <= 14:
            raise ToolError("nights must be between 1 and 14")
        self.require("SELECT 1 FROM hotels WHERE hotel_id = ?", hotel_id, error="no such hotel")
        stay_id = self.new_id("stays", "st_")
        self.execute("INSERT INTO stays VALUES (?, ?, ?, ?)", stay_id, hotel_id, guest, nights)
        return {"stay_id": stay_id, "nights": nights}


TOY = WorldSet.of("ToyTravel", (Airline, Lodging))


@functools.cache
def toy_graph() -> Any:
    return build("ToyTravel", TOY)


def _chains(name: str) -> bool:
    """Whether an environment's committed tasks include tool-graph chains (some come from templates only, where
    chains cannot fill a tool's object parameters)."""
    try:
        world_set(name)
    except Exception:  # noqa: BLE001 - an environment being written may not import yet
        return False
    return any("chain" in task.tags for task in load_tasks(name))


ENVS = [name for name in ENVIRONMENTS if _chains(name)]


# ------------------------------------------------------------------------------------------ declarations
def test_phrases_are_declared_with_tools_and_validated() -> None:
    assert Airline.tools["book_flight"].phrases == ("book {flight_id} for {passenger}",
                                                    "get {passenger} a seat on {flight_id}")
    assert Airline.tools["list_cities"].phrases == ()

    def bad(self: Any, city: str) -> None:
        """Look something up.

        Args:
            city: A city.
        """

    with pytest.raises(TypeError, match="unknown parameters"):
        build_spec(bad, writes=False, phrase="find {town}")
    with pytest.raises(TypeError, match="brackets"):
        build_spec(bad, writes=False, phrase="find [{city}")
    assert tool(phrase="x")(bad).__envfactory_tool__ == {"writes": False, "phrase": "x", "public_name": None}


def test_fill_drops_optional_parts_and_needs_required_placeholders() -> None:
    assert fill("create {a}[ in {b}]", {"a": "x"}) == "create x"
    assert fill("create {a}[ in {b}]", {"a": "x", "b": "y"}) == "create x in y"
    assert fill("create {a} in {b}", {"a": "x"}) is None


# ----------------------------------------------------------------------------------------------- graph
def test_calendar_graph_edges_and_provenance(tmp_path: Any) -> None:
    graph = tool_graph("Calendar")
    edges = graph.graph
    assert {"field": "[].event_id", "param": "event_id"} in edges.edges["search_events", "delete_event"]["links"]
    assert {"field": "[].email", "param": "emails"} in edges.edges["find_contact", "add_attendees"]["links"]
    assert edges.has_edge("list_calendars", "create_event")
    assert not edges.has_edge("list_calendars", "find_contact")  # a calendar's name is not a contact's name
    kinds = {(t, p.name): p.kind for t, node in graph.tools.items() for p in node.params.values()}
    assert kinds["delete_event", "event_id"] == "derived"
    assert kinds["add_attendees", "emails"] == "derived"
    assert kinds["create_event", "summary"] == kinds["search_events", "query"] == kinds["find_contact", "name"] \
        == "user"
    assert all(kind != "user" for (_, name), kind in kinds.items() if is_id_like(name))
    graph.write_json(tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text())
    assert {t["name"] for t in data["tools"]} == set(graph.tools)
    assert len(data["edges"]) == edges.number_of_edges()
    graph.draw(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_domain_graph_links_environments_and_phrases_declare_user_values() -> None:
    domain = toy_graph()
    assert domain.graph.has_edge("list_cities", "list_hotels")  # the airline's city codes find the hotels
    assert not domain.graph.has_edge("search_flights", "list_hotels")  # a flight's city code is no city key
    assert domain.tools["list_hotels"].params["city_code"].kind == "derived"
    assert domain.tools["search_flights"].params["city_code"].kind == "user"  # named in its phrase
    alone = build("Lodging", WorldSet.of("Lodging", (Lodging,)))
    assert alone.tools["list_hotels"].params["city_code"].kind == "user"  # nothing produces it there


# -------------------------------------------------------------------------------------------- sampling
@pytest.mark.parametrize("which", ["Calendar", "ToyTravel"])
def test_chains_respect_topology_and_are_reproducible(which: str) -> None:
    graph = tool_graph("Calendar") if which == "Calendar" else toy_graph()
    envs = 1 if which == "Calendar" else 2

    def chains(seed: int) -> list[Any]:
        sampler = ChainSampler(graph)
        return [sampler.sample(random.Random(f"{seed}:{i}"), Counter(), envs) for i in range(200)]

    found = [c for c in chains(0) if c is not None]
    assert len(found) > 100
    for chain in found:
        assert 1 <= len(chain) <= 8 and chain[-1].goal
        assert topology_holds(graph, chain)
        produced = {i for step in chain for _, i, _ in step.bindings}
        assert all(step.goal or i in produced or graph.tools[step.tool].writes for i, step in enumerate(chain))
        if envs == 2:
            assert len({graph.tools[s.tool].env for s in chain if s.goal}) == 2
    assert chains(0) == chains(0) and chains(0) != chains(1)
    broken = (Step("delete_event", (), True),)
    assert which != "Calendar" or not topology_holds(graph, broken)


# ---------------------------------------------------------------------------------------- generation
def _replay_secrets(task: Task) -> set[str]:
    """Independently of the generator: ids and generated values the gold calls see or produce."""
    worlds = world_set(task.env)(task.seed) if task.env != "ToyTravel" else TOY(task.seed)
    found, stated = set(), set()
    for call in task.gold:
        spec = worlds.tools[call["name"]][1]
        declared = {p for text in spec.phrases for p in PLACEHOLDER.findall(text)}  # ids a user knows (a client id)
        found.update(str(v) for k, v in call["arguments"].items() if is_id_like(k) and k not in declared)
        stated.update(str(v) for k, v in call["arguments"].items() if k in spec.user_known)
        for path, _, value in leaves(worlds.call(call["name"], call["arguments"])):
            if is_id_like(path.rsplit(".", 1)[-1]):
                found.add(str(value))
    for world in worlds.worlds.values():
        found.update(str(r[0]) for r in world.conn.execute("SELECT value FROM _generated"))
    return {s for s in found - stated if len(s) >= 4}  # what the user knows (UserKnown) is theirs to say


def _check_tasks(tasks: list[Task]) -> None:
    assert len({t.request for t in tasks}) == len(tasks)
    assert len({json.dumps(t.gold, sort_keys=True) for t in tasks}) == len(tasks)
    for task in tasks:
        assert 1 <= task.tags["calls"] == len(task.gold) <= 8
        assert task.tags["difficulty"] in ("easy", "medium", "hard")
        words = set(re.findall(r"[\w.@:/+-]+", task.request))
        leaked = {s for s in _replay_secrets(task) if s in words or s.rstrip(".") in words}
        assert not leaked, (task.request, leaked)
        for fact in task.user_facts:
            assert fact.value.lower() not in task.request.lower()


@pytest.mark.parametrize("name", ENVS)
def test_generated_tasks_are_verified_and_leak_no_ids(name: str) -> None:
    tasks, report = synthesize(tool_graph(name), 12, seed=3)
    assert tasks, report.summary()
    assert report.kept == len(tasks) and report.attempts >= len(tasks)
    _check_tasks(tasks)
    again, _ = synthesize(tool_graph(name), 12, seed=3)
    assert [t.to_json() for t in again] == [t.to_json() for t in tasks]


def test_cross_environment_tasks_in_a_domain() -> None:
    tasks, report = synthesize(toy_graph(), 15, seed=0, conversational=0.3)
    assert len(tasks) >= 10, report.summary()
    assert all(t.tags["envs"] >= 2 for t in tasks) and report.cross == len(tasks)
    _check_tasks(tasks)
    booked = [t for t in tasks if "book_flight" in t.tags["chain"] and not t.user_facts]
    assert booked and all(re.search(r"for |a seat on", t.request) for t in booked)  # the declared phrase


def test_a_leaked_id_is_caught() -> None:
    assert find_leaks("Cancel (evt_123abc).", {"evt_123abc"}) == ["evt_123abc"]
    assert find_leaks("Cancel evt_123abcd", {"evt_123abc"}) == []
    assert find_leaks("Move 'Retro wind' please", {"Retro wind"}) == ["Retro wind"]
    graph = tool_graph("Calendar")
    rng = random.Random(0)
    chain = (Step("search_events", (), False), Step("delete_event", (("event_id", 0, "[].event_id"),), True))
    state = pools(graph.worlds, 0)
    grounded = ground(graph, chain, 0, state, rng)
    forbidden = secrets(graph, grounded, state)
    event_id = grounded.steps[1].arguments["event_id"]
    assert event_id in forbidden
    assert find_leaks(f"Please delete {event_id}.", forbidden) == [event_id]
    assert not find_leaks(f"Please delete {grounded.steps[1].references['event_id'].reference}.", forbidden)


# ---------------------------------------------------------------------------------------- goal-level requests
def test_a_lookup_feeding_an_update_is_implied_not_narrated() -> None:
    graph = tool_graph("Calendar")
    search = _narration(graph, "search_events")
    assert search is not None and search.search("please search my events for 'retro wind'")
    chain = (Step("search_events", (), False), Step("update_event", (("event_id", 0, "[].event_id"),), True))
    state = pools(graph.worlds, 0)
    for seed in range(8):
        grounded = ground(graph, chain, 0, state, random.Random(seed))
        request = render(graph, grounded, random.Random(seed)).request
        assert grounded.steps[1].references["event_id"].reference in request  # the goal names the event
        assert not search.search(" ".join(request.lower().split())), request  # the look-up stays implied
        assert not re.search(r"\b(?:find out|then|next)\b", request, re.IGNORECASE), request
    tasks, _ = synthesize(graph, 12, seed=5)
    fed = [t for t in tasks if lookups(t, graph)]
    assert fed and not any(narrates_lookup(t, graph) for t in tasks)


def test_requests_equal_after_masking_values_are_near_duplicates() -> None:
    assert masked("Top up campus card 2024059446 with 5.0 yuan via wechat on 2026-03-04T13:30.") == \
        masked("top up campus card 201617521 with 18.9 yuan via wechat on 2026-03-11T09:00.")
    assert masked("Delete the event 'Gym side'.") == masked("Delete the event 'Retro wind'.")
    assert masked("Delete the event 'Gym side'.") != masked("Move the event 'Gym side'.")
    seen = _Seen()
    seen.add([{"name": "delete_event", "arguments": {"event_id": "a"}}], ["search_events", "delete_event"],
             ["Gym side"], "Please delete the event 'Gym side'.")
    with pytest.raises(Rejected, match="near-duplicate: same request after masking"):
        seen.check([{"name": "delete_event", "arguments": {"event_id": "b"}}], ["list_events", "delete_event"],
                   ["Retro wind"], "Please delete the event 'Retro wind'.")
    seen.check([{"name": "delete_event", "arguments": {"event_id": "b"}}], ["list_events", "delete_event"],
               ["Retro wind"], "Could you remove the event 'Retro wind' from my calendar?")


def test_a_campus_card_request_names_one_cardholder() -> None:
    graph = tool_graph("CampusCard")
    chain = (Step("query_balance", (), True), Step("recharge", (), True), Step("query_basic_info", (), True))
    state = pools(graph.worlds, 0)
    world = graph.worlds(0).worlds["CampusCard"]
    one = 0
    for seed in range(8):
        grounded = ground(graph, chain, 0, state, random.Random(seed))
        first = grounded.steps[0].arguments["userId"]
        if world.value("SELECT card_status FROM cardholders WHERE userId = ?", first) != "active":
            continue  # a lost or frozen card cannot be topped up: the top-up is another card's
        one += 1
        assert {s.arguments["userId"] for s in grounded.steps} == {first}
        request = render(graph, grounded, random.Random(seed)).request
        assert set(re.findall(r"\b\d{9,10}\b", request)) == {first}, request
    assert one >= 4
    tasks, _ = synthesize(graph, 12, seed=3)
    several = [t for t in tasks if len(t.gold) > 1]
    assert several and sum(len({g["arguments"]["userId"] for g in t.gold}) == 1 for t in several) \
        >= 0.7 * len(several)


# -------------------------------------------------------------------------------------------- calibration
def test_calibration_rejects_bad_tasks() -> None:
    graph = toy_graph()
    with pytest.raises(Rejected, match="no state change and no answer facts"):
        calibrate(TOY, 0, Draft("List the cities.", ()), [{"name": "list_cities", "arguments": {}}], [])
    twice = [{"name": "touch", "arguments": {"mood": "calm"}}, {"name": "touch", "arguments": {"mood": "calm"}}]
    with pytest.raises(Rejected, match="stopping one call short succeeds"):
        calibrate(TOY, 0, Draft("Visit.", ()), [twice[0], {"name": "list_cities", "arguments": {}}], [])
    gold = twice[:1]
    draft = Draft("Record a visit.", (Call("touch", {"mood": "calm"}),))
    grounded = ground(graph, (Step("touch", (), True),), 0, pools(TOY, 0), random.Random(0))
    with pytest.raises(Rejected, match="a perturbed chain also succeeds"):  # the mood is ignored by the tool
        _perturbed_fails(graph, grounded, draft, calibrate(TOY, 0, draft, gold, []), [], 0, pools(TOY, 0),
                         random.Random(0))
    seen = _Seen()
    seen.add(twice, ["touch", "touch"], ["calm"], "Record two visits please.")
    with pytest.raises(Rejected, match="duplicate gold calls"):
        seen.check(twice, ["touch", "touch"], ["busy"], "Something else.")
    with pytest.raises(Rejected, match="near-duplicate"):
        seen.check(gold, ["touch", "touch"], ["calm"], "Another text.")
    with pytest.raises(Rejected, match="near-duplicate"):
        seen.check(gold, ["touch", "touch"], ["busy"], "Record two visits please!")
    _, report = synthesize(build("Airline", WorldSet.of("Airline", (Airline,))), 10, seed=1)
    assert report.rejected["a perturbed chain also succeeds"] > 0


# -------------------------------------------------------------------------------------------------- LLM
class _Endpoint(http.server.BaseHTTPRequestHandler):
    """A stand-in chat-completions server: answers with the next scripted reply, or echoes the request."""

    replies: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][0]["content"]
        reply = self.replies.pop(0) if self.replies else "Hello! " + prompt.rsplit("Request: ", 1)[1]
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_llm_rewrite_is_checked(endpoint: str) -> None:
    rewrite = LLMRewriter(endpoint, "tiny")
    keep, forbidden = ["Retro wind", "Room B"], {"evt_40cca5a5a1"}
    _Endpoint.replies[:] = ["Hey, could you move Retro wind over to Room B?", "Move Retro wind (evt_40cca5a5a1).",
                         "Move it to Room B.", '"Please put Retro wind in Room B."']
    assert rewrite("Move 'Retro wind' to Room B.", keep, forbidden) == "Hey, could you move Retro wind over to Room B?"
    assert rewrite("Move 'Retro wind' to Room B.", keep, forbidden) is None  # leaks an id
    assert rewrite("Move 'Retro wind' to Room B.", keep, forbidden) is None  # drops a value
    assert rewrite("Move 'Retro wind' to Room B.", keep, forbidden) == "Please put Retro wind in Room B."
    assert LLMRewriter("http://127.0.0.1:9/v1", "tiny", timeout=2)("x", [], set()) is None  # nothing listening
    tasks, report = synthesize(tool_graph("Calendar"), 5, seed=2, rewriter=rewrite)
    assert len(tasks) == 5 and report.rewritten >= 5  # a rewritten request may still be rejected (a duplicate)
    assert all(t.request.startswith("Hello! ") for t in tasks)


# ---------------------------------------------------------------------------------------------- exports
QWEN3_STYLE_TEMPLATE = (
    "{%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0].role == 'system' %}"
    "{{- messages[0].content + '\\n\\n' }}{%- endif %}"
    "{{- '# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with "
    "function signatures within <tools></tools> XML tags:\\n<tools>' }}"
    "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}"
    "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}\\n</tool_call><|im_end|>\\n' }}"
    "{%- elif messages[0].role == 'system' %}{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message.role == 'user' %}{{- '<|im_start|>user\\n' + message.content + '<|im_end|>\\n' }}"
    "{%- elif message.role == 'assistant' %}{{- '<|im_start|>assistant\\n' + (message.content or '') }}"
    "{%- if message.tool_calls %}{%- for call in message.tool_calls %}"
    "{%- if (loop.first and message.content) or not loop.first %}{{- '\\n' }}{%- endif %}"
    "{%- set call = call.function %}{{- '<tool_call>\\n{\"name\": \"' + call.name + '\", \"arguments\": ' }}"
    "{%- if call.arguments is string %}{{- call.arguments }}{%- else %}{{- call.arguments | tojson }}{%- endif %}"
    "{{- '}\\n</tool_call>' }}{%- endfor %}{%- endif %}{{- '<|im_end|>\\n' }}"
    "{%- elif message.role == 'tool' %}"
    "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}"
    "{{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}"
    "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}"
    "{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


@functools.cache
def calendar_tasks() -> list[Task]:
    tasks, _ = synthesize(tool_graph("Calendar"), 12, seed=3, conversational=0.5)
    return tasks


def test_sft_export_loads_and_renders_with_a_qwen3_style_template(tmp_path: Any) -> None:
    datasets = pytest.importorskip("datasets", reason="datasets is not installed (pip install datasets)")
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    from tokenizers import Tokenizer, models, pre_tokenizers

    from envfactory_gym.episode.prompt import system_prompt
    from generators.export import sft_rows, write_jsonl

    tasks = calendar_tasks()
    rows = sft_rows("Calendar", tasks)
    assert len(rows) == len(tasks)  # every oracle episode earns reward 1
    assert any(t.user_facts for t in tasks)
    path = tmp_path / "sft.jsonl"
    write_jsonl(path, rows)
    loaded = datasets.load_dataset("json", data_files=str(path), split="train")
    assert len(loaded) == len(rows) and set(loaded.column_names) >= {"messages", "tools", "task_id"}
    specials = ["<|im_start|>", "<|im_end|>"]
    core = Tokenizer(models.WordLevel({"[UNK]": 0, **{s: i + 1 for i, s in enumerate(specials)}}, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]", eos_token="<|im_end|>",
                                                     additional_special_tokens=specials,
                                                     chat_template=QWEN3_STYLE_TEMPLATE)
    prompt = system_prompt(world_set("Calendar")(0))
    for row, task in zip(loaded, tasks, strict=True):
        text = tokenizer.apply_chat_template(row["messages"], tools=json.loads(row["tools"]), tokenize=False)
        assert f"<|im_start|>system\n{prompt}<|im_end|>" in text  # exactly the prompt the environment shows
        assert task.request in text and text.count('<tool_call>\n{"name": "') == len(task.gold)
        assert text.count("<tool_response>") == len(task.gold)
        ids = tokenizer.apply_chat_template(row["messages"], tools=json.loads(row["tools"]), tokenize=True)
        ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
        assert len(ids) > 0 and ids.count(tokenizer.convert_tokens_to_ids("<|im_end|>")) >= 3


def test_rl_prompts_name_env_task_seed_and_initial_messages() -> None:
    from generators.export import rl_rows

    tasks = calendar_tasks()
    rows = rl_rows("Calendar", tasks)
    assert [r["task_id"] for r in rows] == [t.id for t in tasks]
    for row, task in zip(rows, tasks, strict=True):
        assert row["env_id"] == "EnvFactory/Calendar-v0" and row["seed"] == task.seed
        assert [m["role"] for m in row["messages"]] == ["system", "user"]
        assert row["messages"][1]["content"] == task.request


def test_cli_generate_writes_tasks_graph_and_prints_a_summary(tmp_path: Any, capsys: Any) -> None:
    from envfactory_gym.cli import main
    from envfactory_gym.core.tasks import read_tasks

    assert main(["generate", "tasks", "Calendar", "--n", "6", "--seed", "4", "--out", str(tmp_path / "t.jsonl")]) == 0
    assert len(read_tasks(tmp_path / "t.jsonl")) == 6
    out = capsys.readouterr().out
    assert "kept" in out and "coverage" in out and "length " in out
    assert main(["generate", "graph", "Calendar", "--out", str(tmp_path / "g.json")]) == 0
    assert (tmp_path / "g.json").exists() and (tmp_path / "g.png").exists()
    assert main(["generate", "rl", "Calendar", "--tasks", str(tmp_path / "t.jsonl"),
                 "--out", str(tmp_path / "rl.jsonl")]) == 0
    assert len((tmp_path / "rl.jsonl").read_text().splitlines()) == 6


def test_benchmark_reports_a_rate() -> None:
    from generators.bench import measure

    result = measure("Calendar", n=10)
    assert result["tasks"] == 10 and result["tasks_per_s"] > 0 and result["cpu_s"] > 0


# ------------------------------------------------------------------------- calibration: adversaries, paths, spans
def _toy_task(request: str, gold: list[dict[str, Any]], facts: tuple[str, ...]) -> Task:
    return Task(id="ToyTravel-probe", env="ToyTravel", seed=0, split="train", request=request, gold=tuple(gold),
                answer_facts=facts)


def test_a_task_an_adversary_wins_is_rejected() -> None:
    from generators.scenarios import challenge

    cities = TOY(0).call("list_cities", {})
    lisbon = next(c for c in cities if c["city"] == "Lisbon")
    look = [{"name": "list_cities", "arguments": {}}]
    # the answer is in the request: echoing it back wins
    with pytest.raises(Rejected, match="an adversary earns reward 1: echo"):
        challenge(_toy_task("Is Lisbon one of the cities you serve?", look, ("Lisbon",)), TOY)
    # the code must be read, and dumping every code read states competing codes: no adversary wins
    assert challenge(_toy_task("What is the code of the city Lisbon?", look, (lisbon["city_code"],)), TOY) == 0


def test_an_update_of_one_end_of_a_time_span_is_rejected() -> None:
    from envfactory_gym.registration import world_set
    from generators.scenarios import check_spans

    event = world_set("Calendar")(0).worlds["Calendar"].rows("SELECT * FROM events ORDER BY event_id LIMIT 1")[0]
    draft = Draft("Move it.", ())
    import datetime as dt

    earlier = (dt.datetime.fromisoformat(event["start_time"]) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    start_only = [{"name": "update_event", "arguments": {"event_id": event["event_id"], "start_time": earlier}}]
    with pytest.raises(Rejected, match="an update changes one end of a time span: events.start_time"):
        calibrate("Calendar", 0, draft, start_only, [])
    both = [{"name": "update_event", "arguments": {"event_id": event["event_id"], "start_time": "2026-03-20T09:00",
                                                   "end_time": "2026-03-20T10:00"}}]
    assert calibrate("Calendar", 0, draft, both, [])
    # a row the chain itself created is held to it too (the net change is one added row)
    created = [{"name": "create_event", "arguments": {"summary": "Probe", "start_time": "2026-03-20T09:00",
                                                      "end_time": "2026-03-20T10:00"}},
               {"name": "update_event", "arguments": {"event_id": "<created>", "end_time": "2026-03-24T10:00"}}]
    worlds = world_set("Calendar")(0)
    created[1]["arguments"]["event_id"] = worlds.call("create_event", created[0]["arguments"])["event_id"]
    with pytest.raises(Rejected, match="an update changes one end of a time span: events.end_time"):
        calibrate("Calendar", 0, draft, created, [])
    row = {"event_id": "e1", "start_time": "2026-03-20T09:00", "end_time": "2026-03-20T10:00"}
    with pytest.raises(Rejected, match="a row ends before it starts"):
        check_spans({("Calendar", "events"): {}}, {("Calendar", "events"): {
            ("e1",): {**row, "end_time": "2026-03-20T08:00"}}})
    check_spans({("Calendar", "events"): {}}, {("Calendar", "events"): {("e1",): row}})


def test_the_six_calendar_tasks_of_issue_12_are_rejected() -> None:
    """Calendar-gen-ede7df5517, Calendar-gen-96ff727f5d and the train tasks whose update changes one end only."""
    wrong = [t for t in load_tasks("Calendar") if any(
        g["name"] == "update_event" and ("start_time" in g["arguments"]) != ("end_time" in g["arguments"])
        for g in t.gold)]
    for task in wrong:
        with pytest.raises(Rejected, match="one end of a time span"):
            calibrate("Calendar", task.seed, Draft(task.request, ()), list(task.gold), list(task.answer_facts))
    tasks, _ = synthesize(tool_graph("Calendar"), 40, seed=2)
    for task in tasks:
        for call in task.gold:
            if call["name"] == "update_event":
                assert ("start_time" in call["arguments"]) == ("end_time" in call["arguments"]), task.request


def test_alternative_paths_pass_and_are_tagged() -> None:
    from generators.scenarios import alternative_paths, build_tasks, challenge

    tasks, report = build_tasks("Calendar", 30)
    tagged = [t for t in tasks if t.tags.get("alt_path")]
    assert tagged and report.alt_paths == len(tagged)
    assert {t.tags["scenario"] for t in tagged} <= {"when_is_event", "move_event", "cancel_event", "relocate_event"}
    # a declared alternative that does not reach the same outcome rejects the task
    task = next(t for t in tagged if t.tags["scenario"] == "cancel_event")
    event_id = task.gold[-1]["arguments"]["event_id"]
    other = next(e["event_id"] for e in world_set("Calendar")(task.seed).call("list_events", {"max_results": 100})
                 if e["event_id"] != event_id)
    with pytest.raises(Rejected, match="an alternative path fails"):
        challenge(task, world_set("Calendar"), [[{"name": "delete_event", "arguments": {"event_id": other}}]])
    with pytest.raises(Rejected, match="an alternative path fails"):
        broken = Draft("x", (), alternatives=((Call("get_event", {"event_id": "no"}),),))
        alternative_paths("Calendar", task.seed, broken)
    # graph chains: a look-up swapped for another producer of the same value
    chains, chain_report = synthesize(tool_graph("Calendar"), 30, seed=4)
    swapped = [t for t in chains if t.tags.get("alt_path")]
    assert swapped and chain_report.alt_paths == len(swapped)


def test_writes_tag_means_the_gold_changes_graded_state() -> None:
    from envfactory_gym.episode.replay import expected_changes
    from generators.scenarios import build_tasks

    tasks, _ = build_tasks("Message", 40)
    chains, _ = synthesize(tool_graph("Message"), 12, seed=1)
    worlds = world_set("Message")(0)
    for task in tasks + chains:
        assert task.tags["writes"] == bool(expected_changes("Message", task)), task.request
    login_only = [t for t in tasks + chains
                  if {g["name"] for g in t.gold if worlds.writes(g["name"])} <= {"login", "logout"}]
    assert login_only and not any(t.tags["writes"] for t in login_only)
