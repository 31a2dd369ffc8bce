"""Behaviour of the Weather environment: saved locations, forecasts and history on the episode clock, alerts,
exact errors, schema limits and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Weather"


def city(world: Any, name: str) -> dict[str, Any]:
    return world.row("SELECT * FROM cities WHERE city = ? ORDER BY population DESC", name)


def at(row: dict[str, Any]) -> dict[str, float]:
    return {"latitude": row["latitude"], "longitude": row["longitude"]}


def test_save_location_adds_a_row_and_refuses_a_taken_alias(env: Any, world: Any) -> None:
    oslo = city(world, "Oslo")
    before = world.value("SELECT COUNT(*) FROM saved_locations")
    saved = world.call("save_location", {"alias": " cottage ", **at(oslo)})
    assert saved == {"alias": "cottage", "name": "Oslo", "timezone": "Europe/Oslo", **at(oslo)}
    assert world.row("SELECT * FROM saved_locations WHERE alias = 'cottage'") == {
        **saved, "saved_at": "2026-03-02T09:00"}
    assert world.value("SELECT COUNT(*) FROM saved_locations") == before + 1
    assert fails(env, world, "save_location", {"alias": "COTTAGE", **at(oslo)}) == (
        "the alias 'COTTAGE' is already saved; remove it first or pick another alias")
    assert fails(env, world, "save_location", {"alias": "boat", "latitude": 0, "longitude": -30}).startswith(
        "no weather station within 50 km of 0.0, -30.0 (the nearest,")


def test_saved_locations_are_capped_at_ten(env: Any, world: Any) -> None:
    tokyo = city(world, "Tokyo")
    for n in range(10 - world.value("SELECT COUNT(*) FROM saved_locations")):
        world.call("save_location", {"alias": f"spot {n}", "name": f"Spot {n}", **at(tokyo)})
    assert fails(env, world, "save_location", {"alias": "spot x", **at(tokyo)}) == (
        "you already have 10 saved locations, the most allowed; remove one first")


def test_remove_and_get_saved_location(env: Any, world: Any) -> None:
    home = world.row("SELECT * FROM saved_locations WHERE alias = 'home'")
    got = world.call("get_saved_location", {"alias": "HOME"})
    assert got == {k: home[k] for k in ("alias", "name", "timezone", "latitude", "longitude")}
    count = world.value("SELECT COUNT(*) FROM saved_locations")
    assert world.call("remove_saved_location", {"alias": "home"}) == {
        "confirmation": f"removed 'home' ({home['name']})", "remaining_count": count - 1}
    assert world.row("SELECT 1 FROM saved_locations WHERE alias = 'home'") is None
    left = ", ".join(r["alias"] for r in world.rows("SELECT alias FROM saved_locations ORDER BY alias"))
    assert fails(env, world, "remove_saved_location", {"alias": "home"}) == f"no saved location 'home'; saved: {left}"


def test_forecast_starts_today_on_the_episode_clock(env: Any, world: Any) -> None:
    denver = city(world, "Denver")
    forecast = world.call("get_forecast", {**at(denver), "days": 5})
    assert forecast["location"]["name"] == "Denver"
    assert [d["date"] for d in forecast["daily"]] == [f"2026-03-0{n}" for n in range(2, 7)]
    assert len(world.call("get_forecast", at(denver))["daily"]) == 3
    assert fails(env, world, "get_forecast", {**at(denver), "days": 11}) == (
        "invalid arguments for 'get_forecast': days must be between 1 and 10")


def test_history_covers_the_last_thirty_days_up_to_yesterday(env: Any, world: Any) -> None:
    paris = city(world, "Paris")
    records = world.call("get_historical_weather", {**at(paris), "start_date": "2026-02-25",
                                                    "end_date": "2026-03-01", "limit": 3})["records"]
    assert [r["date"] for r in records] == ["2026-02-25", "2026-02-26", "2026-02-27"]
    assert fails(env, world, "get_historical_weather", {**at(paris), "start_date": "2026-02-25",
                                                        "end_date": "2026-03-02"}) == (
        "history ends yesterday (2026-03-01); get_forecast covers today on")
    assert fails(env, world, "get_historical_weather", {**at(paris), "start_date": "2026-01-01",
                                                        "end_date": "2026-01-05"}) == (
        "history goes back 30 days, to 2026-01-31")
    assert fails(env, world, "get_historical_weather", {**at(paris), "start_date": "2026-02-20",
                                                        "end_date": "2026-02-10"}) == (
        "end_date must not be before start_date")


def test_alerts_filter_out_expired_and_cancelled_ones(world: Any) -> None:
    row = world.row("SELECT c.* FROM cities c JOIN alerts a USING (city_id) GROUP BY c.city_id"
                    " ORDER BY COUNT(*) DESC, c.city_id")
    everything = world.call("get_alerts", {**at(row), "active_only": False})["alerts"]
    active = world.call("get_alerts", at(row))["alerts"]
    assert len(everything) == world.value("SELECT COUNT(*) FROM alerts WHERE city_id = ?", row["city_id"])
    assert active == [a for a in everything if a["expires"] > "2026-03-02T09:00" and a["status"] != "cancelled"]


def test_search_finds_every_city_of_a_name(world: Any) -> None:
    found = world.call("search_location", {"city": "portland"})["results"]
    assert [(r["name"], r["region"]) for r in found] == [("Portland", "Oregon"), ("Portland", "Maine")]


def test_schema_shows_limits_and_user_known_aliases() -> None:
    tools = world_set(ENV)(0).tools
    latitude = tools["get_current_weather"][1].parameters["properties"]["latitude"]
    assert (latitude["minimum"], latitude["maximum"]) == (-90, 90)
    assert tools["get_historical_weather"][1].parameters["properties"]["limit"]["maximum"] == 31
    assert tools["remove_saved_location"][1].user_known == frozenset({"alias"})


def test_remove_task_gold_earns_one_and_another_alias_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if tuple(t.tags["chain"]) == ("remove_saved_location",) or (
        t.tags["chain"][-1] == "remove_saved_location" and not t.answer_facts and not t.user_facts))
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    removed = calls[-1][1]["alias"]
    env.reset(options={"task_id": task.id})
    other = next(r["alias"] for r in world.rows("SELECT alias FROM saved_locations ORDER BY alias")
                 if r["alias"] != removed)
    assert play(env, task.id, [*calls[:-1], ("remove_saved_location", {"alias": other})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if tuple(t.tags["chain"]) == ("get_saved_location",))
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It is at " + ", ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="It is somewhere nice.") == 0.0
