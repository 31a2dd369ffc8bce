"""Behaviour of ZillowRealEstate: zpid look-ups, Zestimate history, comps, keyword search, favorites and tours."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "ZillowRealEstate"


def home(world: Any, status: str = "FOR_SALE") -> dict[str, Any]:
    return world.row("SELECT * FROM homes WHERE home_status = ? AND zpid NOT IN (SELECT zpid FROM tours)"
                     " AND zpid NOT IN (SELECT zpid FROM favorites) ORDER BY zpid", status)


def test_lookup_by_street_and_city_state_zip(env: Any, world: Any) -> None:
    h = home(world)
    details = world.call("get_property_details", {"address": h["address"], "city_state_zip": h["zipcode"]})
    assert (details["zpid"], details["street"], details["price"]) == (h["zpid"], h["address"], h["price"])
    zestimate = world.call("get_zestimate", {"address": h["address"], "city_state_zip": h["city_state_zip"]})
    assert zestimate["zestimate"] == h["zestimate"] and zestimate["value_range_low"] < h["zestimate"]
    assert fails(env, world, "get_zestimate", {"address": h["address"], "city_state_zip": "Boise, ID 83702"}
                 ) == (f"Zillow found no home at '{h['address']}, Boise, ID 83702'; give the street address and "
                       "'City, ST zip', e.g. '2114 Bigelow Ave N' and 'Seattle, WA 98109'")


def test_history_and_comparables(env: Any, world: Any) -> None:
    h = home(world)
    history = world.call("get_zestimate_history", {"zpid": h["zpid"], "months": 3})
    assert [p["date"] for p in history["history"]] == ["2025-12-01", "2026-01-01", "2026-02-01"]
    assert history["change"] == history["history"][-1]["zestimate"] - history["history"][0]["zestimate"]
    comps = world.call("get_comparables", {"zpid": h["zpid"], "count": 25})["comparables"]
    assert all(c["home_status"] == "RECENTLY_SOLD" and c["home_type"] == h["home_type"] for c in comps)
    assert [abs(c["sqft"] - h["sqft"]) for c in comps] == sorted(abs(c["sqft"] - h["sqft"]) for c in comps)
    months = world_set(ENV)(0).tools["get_zestimate_history"][1].parameters["properties"]["months"]
    assert (months["minimum"], months["maximum"]) == (2, 12)
    assert fails(env, world, "get_zestimate_history", {"zpid": h["zpid"], "months": 24}) == (
        "invalid arguments for 'get_zestimate_history': months must be between 2 and 12")


def test_keyword_search_uses_the_descriptions(env: Any, world: Any) -> None:
    h = home(world)
    word = h["description"].split(",")[0]
    found = world.call("search_properties", {"city": h["city"], "state": h["state"], "keywords": word.lower()})
    assert h["zpid"] in [r["zpid"] for r in found["results"]]
    assert all(word.lower() in world.value("SELECT description FROM homes WHERE zpid = ?", r["zpid"]).lower()
               for r in found["results"])
    assert fails(env, world, "search_properties", {"city": h["city"], "state": h["state"], "min_price": 5,
                                                   "max_price": 1}) == "max_price is below min_price; swap them"


def test_favorites_save_and_remove(env: Any, world: Any) -> None:
    h = home(world)
    count = world.value("SELECT COUNT(*) FROM favorites")
    assert world.call("save_favorite", {"zpid": h["zpid"]}) == {"zpid": h["zpid"], "street": h["address"],
                                                                "saved": True, "saved_count": count + 1}
    assert world.call("get_saved_homes", {})[0]["zpid"] == h["zpid"]
    assert fails(env, world, "save_favorite", {"zpid": h["zpid"]}) == f"{h['address']} is already in your saved homes"
    assert world.call("remove_favorite", {"zpid": h["zpid"]})["saved_count"] == count
    assert fails(env, world, "remove_favorite", {"zpid": h["zpid"]}) == f"{h['address']} is not in your saved homes"


def test_tour_rules(env: Any, world: Any) -> None:
    h = home(world)
    tour = world.call("request_tour", {"zpid": h["zpid"], "date": "2026-03-05", "time": "10:30"})
    assert tour == {"tour_id": tour["tour_id"], "zpid": h["zpid"], "street": h["address"], "date": "2026-03-05",
                    "time": "10:30", "status": "requested"}
    assert fails(env, world, "request_tour", {"zpid": h["zpid"], "date": "2026-03-06", "time": "11:00"}) == (
        f"you already have tour request {tour['tour_id']} for {h['address']}; cancel it to pick another time")
    assert world.call("cancel_tour", {"tour_id": tour["tour_id"]})["status"] == "cancelled"
    assert world.value("SELECT status FROM tours WHERE tour_id = ?", tour["tour_id"]) == "cancelled"
    assert fails(env, world, "cancel_tour", {"tour_id": tour["tour_id"]}) == (
        f"tour request {tour['tour_id']} is already cancelled")
    assert fails(env, world, "request_tour", {"zpid": h["zpid"], "date": "2026-04-01", "time": "11:00"}) == (
        "tours can be requested 1 to 14 days ahead (2026-03-03 to 2026-03-16); 2026-04-01 is outside that window")
    sold = home(world, "RECENTLY_SOLD")
    assert fails(env, world, "request_tour", {"zpid": sold["zpid"], "date": "2026-03-05", "time": "11:00"}) == (
        f"{sold['address']} is RECENTLY_SOLD; tours can only be requested for homes for sale or rent")
    late = fails(env, world, "request_tour", {"zpid": h["zpid"], "date": "2026-03-05", "time": "19:00"})
    assert late.startswith("invalid arguments for 'request_tour': time:")


def test_gold_earns_one_and_another_home_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if "save_favorite" in t.tags.get("chain", []) and not t.user_facts)
    calls = gold_calls(task)
    answer = "Here it is: " + "; ".join(task.answer_facts) + "."
    assert play(env, task.id, calls, answer=answer) == 1.0
    at = next(i for i, (name, _) in enumerate(calls) if name == "save_favorite")
    other = world.value("SELECT zpid FROM homes WHERE zpid NOT IN (SELECT zpid FROM favorites) AND zpid != ?",
                        calls[at][1]["zpid"])
    wrong = [*calls[:at], ("save_favorite", {"zpid": other}), *calls[at + 1:]]
    assert play(env, task.id, wrong, answer=answer) == 0.0
