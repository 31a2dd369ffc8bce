"""Behaviour of the HKBus environment: arrivals, directions, night routes, favourites, alerts and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "HKBus"


def test_direction_is_needed_where_a_route_stops_both_ways(env: Any, world: Any) -> None:
    assert fails(env, world, "get_next_bus", {"route": "2", "stop_name": "Jordan Road"}) == (
        "route 2 stops at Jordan Road in both directions (outbound to So Uk Estate, inbound to Star Ferry);"
        " give the direction")
    at_terminus = world.call("get_next_bus", {"route": "1a", "stop_name": "star ferry"})
    assert (at_terminus["route"], at_terminus["direction"]) == ("1A", "outbound")
    etas = world.call("get_bus_eta", {"route": "2", "stop_name": "Jordan Road", "direction": "inbound"})["arrivals"]
    assert len(etas) == 3 and [e["minutes"] for e in etas] == sorted(e["minutes"] for e in etas)
    assert fails(env, world, "get_next_bus", {"route": "6X", "stop_name": "Star Ferry"}) == (
        "route 6X does not stop at Star Ferry; get_route_stops_info lists its stops")
    assert fails(env, world, "get_next_bus", {"route": "N216", "stop_name": "Lam Tin Station",
                                              "direction": "outbound"}).startswith("route N216 is not running now")
    assert fails(env, world, "get_bus_eta", {"route": "2", "stop_name": "Jordan Road", "count": 4}) == (
        "invalid arguments for 'get_bus_eta': count must be between 1 and 3")


def test_search_tools(world: Any) -> None:
    found = world.call("find_buses_to_destination", {"destination": "Stanley", "origin": "Central"})["routes"]
    assert [(r["route"], r["direction"]) for r in found] == [("6X", "outbound")]
    trips = world.call("search_route_by_stops", {"from_stop_name": "Jordan Road",
                                                 "to_stop_name": "Hung Hom Station"})["routes"]
    assert {t["route"] for t in trips} == {"104", "14", "A21"}
    assert [s["stop_name"] for s in world.call("find_stop_by_name", {"stop_name": "ferry"})["stops"]] == [
        "Kwun Tong Ferry", "North Point Ferry Pier", "Star Ferry"]


def test_favourites_add_and_remove(env: Any, world: Any) -> None:
    before = world.value("SELECT COUNT(*) FROM favourites")
    added = world.call("add_favourite", {"route": "6X", "stop_name": "Stanley Village", "label": "Beach"})
    assert (added["direction"], added["label"]) == ("inbound", "Beach")
    assert world.value("SELECT COUNT(*) FROM favourites") == before + 1
    assert fails(env, world, "add_favourite", {"route": "6x", "stop_name": "Stanley Village"}) == (
        "route 6X at Stanley Village is already a favourite ('Beach')")
    left = world.call("remove_favourite", {"favourite_id": added["favourite_id"]})
    assert added["favourite_id"] not in [f["favourite_id"] for f in left["favourites"]]
    assert fails(env, world, "remove_favourite", {"favourite_id": "fav_nope"}) == (
        "no favourite 'fav_nope'; list_favourites shows them")


def test_alerts_limit_and_cancel(env: Any, world: Any) -> None:
    first = world.call("set_arrival_alert", {"route": "15", "stop_name": "The Peak Tower", "minutes_before": 5})
    assert world.row("SELECT status, minutes_before FROM alerts WHERE alert_id = ?", first["alert_id"]) == {
        "status": "active", "minutes_before": 5}
    assert fails(env, world, "set_arrival_alert", {"route": "15", "stop_name": "The Peak Tower",
                                                   "minutes_before": 3}) == (
        "you already have an active alert for route 15 at The Peak Tower")
    world.call("set_arrival_alert", {"route": "8", "stop_name": "Quarry Bay", "minutes_before": 4,
                                     "direction": "outbound"})
    assert fails(env, world, "set_arrival_alert", {"route": "6X", "stop_name": "Repulse Bay", "minutes_before": 4,
                                                   "direction": "outbound"}) == (
        "you already have 3 active alerts; cancel one first")
    assert world.call("cancel_arrival_alert", {"alert_id": first["alert_id"]})["status"] == "cancelled"
    assert fails(env, world, "cancel_arrival_alert", {"alert_id": first["alert_id"]}) == (
        f"alert '{first['alert_id']}' is already cancelled")
    schema = world_set(ENV)(0).tools["set_arrival_alert"][1].parameters["properties"]["minutes_before"]
    assert (schema["minimum"], schema["maximum"]) == (1, 30)


def test_gold_earns_one_and_a_wrong_favourite_zero(env: Any) -> None:
    task = next(t for t in env.tasks if tuple(t.tags.get("chain", ())) == ("add_favourite",) and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[0]
    assert play(env, task.id, [(name, {**arguments, "label": "Elsewhere"})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_every_saved_journey_runs_along_one_day_route() -> None:
    # seed 513 used to fail: each stop of the journey's route was compared with a fresh random route
    for seed in (0, 513):
        world = world_set(ENV)(seed).worlds[ENV]
        for journey in world.rows("SELECT * FROM journeys"):
            assert world.value(
                "SELECT COUNT(*) FROM route_stops a JOIN route_stops b USING (route, direction) WHERE a.stop_name = ?"
                " AND b.stop_name = ? AND a.seq < b.seq AND direction = 'outbound' AND route NOT LIKE 'N%'",
                journey["from_stop_name"], journey["to_stop_name"]) >= 1, journey
