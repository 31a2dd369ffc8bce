"""Behaviour of the AirDNA environment: saved markets, comp sets, estimates, smart rates, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "AirDNA"


def listing(world: Any, market_id: str | None = None) -> dict[str, Any]:
    return world.row("SELECT * FROM listings WHERE ?1 IS NULL OR market_id = ?1 ORDER BY property_id", market_id)


def test_market_data_matches_its_listings(env: Any, world: Any) -> None:
    stats = world.call("get_market_data", {"city": "nashville", "state": "tn"})
    rows = world.rows("SELECT adr_ltm, occupancy_ltm FROM listings WHERE market_id = 'mkt_tn_nashville'")
    assert stats["active_listings"] == len(rows)
    assert stats["average_adr"] == round(sum(r["adr_ltm"] for r in rows) / len(rows), 2)
    assert fails(env, world, "get_market_data", {"city": "Boise", "state": "ID"}) == (
        "AirDNA covers no market 'Boise, ID'; search_markets lists the markets by name")


def test_save_and_unsave_market(env: Any, world: Any) -> None:
    before = world.rows("SELECT * FROM saved_markets ORDER BY market_id")
    fresh = world.row("SELECT * FROM markets WHERE market_id NOT IN (SELECT market_id FROM saved_markets)"
                      " ORDER BY market_id")
    saved = world.call("save_market", {"city": fresh["city"], "state": fresh["state"], "note": "beach"})
    assert saved == {"market_id": fresh["market_id"], "city": fresh["city"], "state": fresh["state"],
                     "note": "beach", "saved_at": "2026-03-02 09:00"}
    assert world.value("SELECT COUNT(*) FROM saved_markets") == len(before) + 1
    assert fails(env, world, "save_market", {"city": fresh["city"], "state": fresh["state"]}) == (
        f"{fresh['city']}, {fresh['state']} is already saved; list_saved_markets shows it")
    left = world.call("unsave_market", {"market_id": fresh["market_id"]})
    assert sorted(m["market_id"] for m in left) == [m["market_id"] for m in before]
    assert fails(env, world, "unsave_market", {"market_id": fresh["market_id"]}) == (
        f"market '{fresh['market_id']}' is not saved; list_saved_markets shows the saved ones")


def test_saved_market_limit(env: Any, world: Any) -> None:
    for market in world.rows("SELECT * FROM markets WHERE market_id NOT IN (SELECT market_id FROM saved_markets)"
                             " ORDER BY market_id LIMIT 5"):
        world.call("save_market", {"city": market["city"], "state": market["state"]})
    last = world.row("SELECT * FROM markets WHERE market_id NOT IN (SELECT market_id FROM saved_markets)")
    assert fails(env, world, "save_market", {"city": last["city"], "state": last["state"]}) == (
        "the plan allows 8 saved markets; remove one with unsave_market first")


def test_comp_set_created_then_market_rule(env: Any, world: Any) -> None:
    first = listing(world, "mkt_tx_austin")
    result = world.call("add_to_comp_set", {"comp_set_name": "Austin comps", "airbnb_property_id": first["property_id"]})
    assert result["market_id"] == "mkt_tx_austin" and [r["property_id"] for r in result["listings"]] == [
        first["property_id"]]
    assert result["average_adr"] == first["adr_ltm"]
    assert world.value("SELECT COUNT(*) FROM comp_set_listings WHERE comp_set_id = ?", result["comp_set_id"]) == 1
    other = listing(world, "mkt_fl_miami")
    assert fails(env, world, "add_to_comp_set", {"comp_set_name": "austin comps",
                                                 "airbnb_property_id": other["property_id"]}) == (
        f"comp set 'Austin comps' holds listings of mkt_tx_austin; listing {other['property_id']} is in"
        " mkt_fl_miami: use another comp set")
    assert fails(env, world, "add_to_comp_set", {"comp_set_name": "Austin comps",
                                                 "airbnb_property_id": first["property_id"]}) == (
        f"listing {first['property_id']} is already in comp set 'Austin comps'")


def test_estimate_and_smart_rates_rules(env: Any, world: Any) -> None:
    estimate = world.call("get_rental_estimate", {"address": "1 Oak St, Austin, TX", "bedrooms": 2, "bathrooms": 1})
    assert estimate["market_id"] == "mkt_tx_austin" and estimate["comparables"] > 0
    assert fails(env, world, "get_rental_estimate", {"address": "1 Oak St", "bedrooms": 2, "bathrooms": 1}) == (
        "address must end with the city and two-letter state, e.g. '12 Oak St, Austin, TX'")
    pid = listing(world)["property_id"]
    rates = world.call("get_smart_rates", {"airbnb_property_id": pid, "start_date": "2026-03-06",
                                           "end_date": "2026-03-08"})
    assert [r["date"] for r in rates["recommendations"]] == ["2026-03-06", "2026-03-07", "2026-03-08"]
    assert fails(env, world, "get_smart_rates", {"airbnb_property_id": pid, "start_date": "2026-03-06",
                                                 "end_date": "2026-05-08"}) == (
        "end_date must be on or after start_date and at most 30 days after it")


def test_schema_limits_and_text_search(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["list_listings"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert "city" in tools["save_market"][1].user_known
    message = fails(env, world, "list_listings", {"market_id": "mkt_tx_austin", "limit": 51})
    assert message == "invalid arguments for 'list_listings': limit must be between 1 and 50"
    found = world.call("search_markets", {"query": "spring"})["markets"]
    assert [m["city"] for m in found] == ["Palm Springs"]


def test_gold_earns_one_and_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "save_market" and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "note": arguments.get("note", "") + " x"})]) == 0.0
    assert play(env, task.id, []) == 0.0
