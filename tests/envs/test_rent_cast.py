"""Behaviour of RentCast: records by full address, listing searches, market months, portfolio and saved searches."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "RentCast"


def untracked(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM properties WHERE id NOT IN (SELECT id FROM portfolio) ORDER BY id")


def test_property_id_is_the_dashed_address_and_lookups_need_the_full_address(env: Any, world: Any) -> None:
    p = untracked(world)
    record = world.call("get_property_by_address", {"address": p["address"]})
    assert record["id"] == p["address"].replace(" ", "-") and record["owner_name"] == p["owner_name"]
    street = p["address"].split(",")[0]
    assert fails(env, world, "get_rent_estimate", {"address": street}) == (
        f"no property record for '{street}'; give the full address as 'Street, City, State Zip', e.g. "
        "'5500 Grand Lake Dr, San Antonio, TX 78244'")


def test_sale_search_filters_active_listings_by_price(env: Any, world: Any) -> None:
    found = world.call("search_sale_listings", {"city": "phoenix", "state": "az", "max_price": 400000, "limit": 50})
    expected = world.rows("SELECT l.id FROM sale_listings l JOIN properties p USING (id) WHERE p.city = 'Phoenix'"
                          " AND l.status = 'Active' AND l.price <= 400000 ORDER BY l.price, l.id")
    assert [r["id"] for r in found["listings"]] == [r["id"] for r in expected] and found["total"] == len(expected)
    assert fails(env, world, "search_rental_listings", {"city": "Phoenix", "state": "AZ", "min_rent": 3000,
                                                        "max_rent": 2000}) == (
        "the maximum (2000) is below the minimum (3000); swap them or widen the range")
    assert fails(env, world, "search_sale_listings", {"city": "Boise", "state": "ID"}) == (
        "RentCast has no data for 'Boise, ID'; check the city and the 2-letter state")


def test_market_months_and_schema_limits(env: Any, world: Any) -> None:
    assert world.call("get_market_data", {"zip_code": "78209"})["month"] == "2026-02"
    assert fails(env, world, "get_market_data", {"zip_code": "78209", "month": "2024-01"}) == (
        "no statistics for 2024-01; months 2025-03 to 2026-02 are available")
    limit = world_set(ENV)(0).tools["search_sale_listings"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert fails(env, world, "search_sale_listings", {"city": "Phoenix", "state": "AZ", "limit": 51}) == (
        "invalid arguments for 'search_sale_listings': limit must be between 1 and 50")


def test_portfolio_add_and_remove(env: Any, world: Any) -> None:
    p = untracked(world)
    before = world.call("get_portfolio", {})
    held = world.call("add_to_portfolio", {"address": p["address"], "purchase_price": 200000,
                                           "purchase_date": "2020-05-01", "monthly_rent": 1500})
    assert held == {"id": p["id"], "address": p["address"], "purchase_price": 200000, "purchase_date": "2020-05-01",
                    "monthly_rent": 1500, "estimated_value": p["value"], "equity": p["value"] - 200000}
    after = world.call("get_portfolio", {})
    assert after["total_equity"] == before["total_equity"] + held["equity"]
    arguments = {"address": p["address"], "purchase_price": 1000, "purchase_date": "2021-01-01"}
    assert fails(env, world, "add_to_portfolio", arguments) == f"{p['address']} is already in the portfolio"
    future = {**arguments, "address": world.value("SELECT address FROM properties WHERE id != ? AND id NOT IN"
                                                  " (SELECT id FROM portfolio)", p["id"]), "purchase_date": "2026-04-01"}
    assert fails(env, world, "add_to_portfolio", future) == (
        "purchase_date 2026-04-01 is in the future; give the date the property was bought")
    assert world.call("remove_from_portfolio", {"property_id": p["id"]}) == {"id": p["id"], "removed": True}
    assert world.row("SELECT 1 FROM portfolio WHERE id = ?", p["id"]) is None
    assert fails(env, world, "remove_from_portfolio", {"property_id": p["id"]}) == (
        f"'{p['id']}' is not in the portfolio; get_portfolio lists the tracked properties")


def test_saved_searches_are_limited_and_unique(env: Any, world: Any) -> None:
    saved = world.call("save_search", {"name": "Atlanta starter homes", "listing_type": "sale", "city": "atlanta",
                                       "state": "ga", "max_price": 350000})
    assert saved["city"] == "Atlanta" and saved["state"] == "GA" and saved["created"] == "2026-03-02 09:00"
    assert world.row("SELECT name FROM saved_searches WHERE search_id = ?", saved["search_id"])
    again = {"name": "ATLANTA starter homes", "listing_type": "rental", "city": "Atlanta", "state": "GA"}
    assert fails(env, world, "save_search", again) == (
        "a saved search named 'ATLANTA starter homes' already exists; choose another name")
    count = world.value("SELECT COUNT(*) FROM saved_searches")
    for n in range(5 - count):
        world.call("save_search", {**again, "name": f"extra {n}"})
    assert fails(env, world, "save_search", {**again, "name": "one too many"}) == (
        "you already have 5 saved searches; delete one before saving another")
    assert world.call("delete_saved_search", {"search_id": saved["search_id"]})["removed"] is True
    assert fails(env, world, "delete_saved_search", {"search_id": saved["search_id"]}) == (
        f"no saved search '{saved['search_id']}'; list_saved_searches shows the ids")


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("chain", [""])[-1] == "add_to_portfolio" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "purchase_price": arguments["purchase_price"] + 1000})
                               ]) == 0.0
    assert play(env, task.id, []) == 0.0
