"""Behaviour of AttomRealEstate: address look-ups, saved lists, report orders paid in credits, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "AttomRealEstate"


def a_property(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM properties ORDER BY attom_id")


def test_partial_address_uses_the_text_index_and_full_address_is_exact(env: Any, world: Any) -> None:
    p = a_property(world)
    profile = world.call("get_property_profile", {"address": p["street"]})
    assert profile == {"property_id": str(p["attom_id"]), "fips": p["fips"], "apn": p["apn"], "address": p["address"],
                       "city": p["city"], "state": p["state"], "zip": p["zip"]}
    assert world.call("get_property_details", {"address": p["address"].upper()})["sqft"] == p["sqft"]
    missing = fails(env, world, "get_property_valuation", {"address": "1 Nowhere Lane, Austin, TX 78704"})
    assert missing == ("no property record found for '1 Nowhere Lane, Austin, TX 78704'; give the street address,"
                       " city, state and ZIP, e.g. '4529 Winona Ct, Denver, CO 80212'")
    assert "matches several properties" in fails(env, world, "get_property_profile", {"address": ", TX 787"})


def test_assessments_by_year_and_history(world: Any) -> None:
    p = a_property(world)
    history = world.call("get_assessment_history", {"address": p["address"]})["assessments"]
    assert [a["tax_year"] for a in history] == [2025, 2024, 2023, 2022, 2021]
    assert world.call("get_tax_assessment", {"address": p["address"]}) == history[0]
    assert world.call("get_tax_assessment", {"address": p["address"], "tax_year": 2022}) == history[3]


def test_schema_limits_are_visible_and_enforced(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    radius = tools["get_nearby_schools"][1].parameters["properties"]["radius"]
    assert (radius["minimum"], radius["maximum"]) == (1, 20)
    assert tools["add_property_to_list"][1].user_known == frozenset({"address"})
    too_far = fails(env, world, "get_nearby_schools", {"address": a_property(world)["address"], "radius": 50})
    assert too_far == "invalid arguments for 'get_nearby_schools': radius must be between 1 and 20"
    schools = world.call("get_nearby_schools", {"address": a_property(world)["address"], "radius": 20})["schools"]
    assert [s["distance_miles"] for s in schools] == sorted(s["distance_miles"] for s in schools)


def test_lists_create_add_remove(env: Any, world: Any) -> None:
    p = a_property(world)
    created = world.call("create_property_list", {"name": "Duplex hunt"})
    list_id = created["list_id"]
    assert created == {"list_id": list_id, "name": "Duplex hunt", "property_count": 0, "message": "list created"}
    assert fails(env, world, "create_property_list", {"name": "duplex hunt"}) == (
        "a property list named 'duplex hunt' already exists; add properties to it instead")
    added = world.call("add_property_to_list", {"list_id": list_id, "address": p["address"]})
    assert added["property_count"] == 1
    assert world.rows("SELECT attom_id FROM list_items WHERE list_id = ?", list_id) == [{"attom_id": p["attom_id"]}]
    assert fails(env, world, "add_property_to_list", {"list_id": list_id, "address": p["address"]}) == (
        f"{p['address']} is already on the list 'Duplex hunt'")
    world.call("remove_property_from_list", {"list_id": list_id, "address": p["address"]})
    assert world.value("SELECT COUNT(*) FROM list_items WHERE list_id = ?", list_id) == 0
    assert fails(env, world, "remove_property_from_list", {"list_id": list_id, "address": p["address"]}) == (
        f"{p['address']} is not on the list 'Duplex hunt'")


def test_report_orders_spend_and_refund_credits(env: Any, world: Any) -> None:
    p = a_property(world)
    credits = world.value("SELECT credits FROM account")
    result = world.call("order_property_report", {"address": p["address"], "report_type": "avm_report"})
    order = result["order"]
    assert result["credits_left"] == credits - 2 == world.value("SELECT credits FROM account")
    assert (order["status"], order["credits"], order["ordered_at"]) == ("processing", 2, "2026-03-02 09:00")
    assert fails(env, world, "order_property_report", {"address": p["address"], "report_type": "avm_report"}) == (
        f"a avm_report report for {p['address']} is already being prepared (order {order['order_id']})")
    cancelled = world.call("cancel_report_order", {"order_id": order["order_id"]})
    assert cancelled["order"]["status"] == "cancelled" and cancelled["credits_left"] == credits
    assert fails(env, world, "cancel_report_order", {"order_id": order["order_id"]}) == (
        f"order {order['order_id']} is cancelled and can no longer be cancelled")
    for _ in range(credits // 4):  # spend credits on full reports of other properties until fewer than 4 are left
        other = world.value("SELECT address FROM properties WHERE attom_id NOT IN (SELECT attom_id FROM reports"
                            " WHERE status = 'processing') AND attom_id != ? ORDER BY attom_id", p["attom_id"])
        world.call("order_property_report", {"address": other, "report_type": "full_property_report"})
    left = world.value("SELECT credits FROM account")
    assert fails(env, world, "order_property_report", {"address": p["address"], "report_type": "full_property_report"}
                 ) == (f"a full_property_report report costs 4 credits but the account has {left}; buy more credits"
                       " or order a cheaper report")


def test_gold_earns_one_and_a_wrong_list_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("chain", [""])[-1] == "add_property_to_list" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = next(lst["list_id"] for lst in env.worlds.worlds[ENV].call("get_property_lists", {})
                 if lst["list_id"] != arguments["list_id"] and arguments["address"] not in lst["addresses"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "list_id": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
