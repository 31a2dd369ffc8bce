"""Behaviour of the Kuaidi100 environment: traces, quotes, pickup orders, subscriptions, redirects, errors, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Kuaidi100"
ORDER = {"kuaidi_company": "zhongtong", "sender_name": "Wang Wei", "sender_phone": "13800000001",
         "from_addr": "12 Wensan Road, Xihu District, Hangzhou", "recipient_name": "Li Na",
         "recipient_phone": "13900000002", "to_addr": "8 Renmin Road, Wuhou District, Chengdu", "weight": 2.5,
         "pickup_date": "2026-03-03"}


def shipment(world: Any, where: str, *params: Any) -> dict[str, Any]:
    return world.row(f"SELECT * FROM shipments WHERE {where} ORDER BY kuaidi_num", *params)


def test_trace_lists_events_newest_first_and_sf_needs_the_phone(env: Any, world: Any) -> None:
    parcel = shipment(world, "kuaidi_company = 'shunfeng' AND state = 'delivered'")
    number = parcel["kuaidi_num"]
    assert fails(env, world, "query_trace", {"kuaidi_num": number}) == (
        "SF Express waybills need the last 4 digits of the sender's or recipient's phone number; pass them as phone")
    wrong = "0000" if parcel["recipient_phone"][-4:] != "0000" else "1111"
    if wrong != parcel["sender_phone"][-4:]:
        assert fails(env, world, "query_trace", {"kuaidi_num": number, "phone": wrong}) == (
            f"phone '{wrong}' matches neither the sender nor the recipient of waybill '{number}'")
    trace = world.call("query_trace", {"kuaidi_num": number, "phone": parcel["recipient_phone"][-4:]})
    assert (trace["kuaidi_company"], trace["state"], trace["delivery_address"]) == (
        "shunfeng", "delivered", parcel["to_addr"])
    times = [event["time"] for event in trace["data"]]
    assert times == sorted(times, reverse=True) and len(times) == 6
    assert fails(env, world, "query_trace", {"kuaidi_num": "ZZ0000000000"}) == (
        "no trace found for waybill 'ZZ0000000000'; check the number on the label")


def test_price_and_time_follow_zone_weight_and_service(env: Any, world: Any) -> None:
    route = {"from_addr": "Hangzhou", "to_addr": "Chengdu"}
    quote = world.call("estimate_price", {"kuaidi_company": "zhongtong", **route, "weight": 2.5})
    assert quote == {"kuaidi_company": "zhongtong", "exp_type": "standard", "billable_weight": 3, "price": 18.0,
                     "currency": "CNY", "estimated_days": 3}
    same_city = world.call("estimate_price", {"kuaidi_company": "shunfeng", "from_addr": "Ningbo",
                                              "to_addr": "Ningbo", "exp_type": "express"})
    assert (same_city["price"], same_city["estimated_days"]) == (18.0, 1)
    late = world.call("estimate_time", {"kuaidi_company": "shunfeng", **route, "exp_type": "express",
                                        "order_time": "2026-03-02 18:30"})
    assert late == {"kuaidi_company": "shunfeng", "exp_type": "express", "arrivalTime": "2026-03-04 12:00",
                    "remaining_transit_time": 42}
    assert fails(env, world, "estimate_price", {"kuaidi_company": "yunda", **route, "exp_type": "express"}) == (
        "Yunda Express (yunda) offers no express service; it offers standard, economy")
    assert fails(env, world, "estimate_price", {"kuaidi_company": "jd", "from_addr": "Atlantis",
                                                "to_addr": "Chengdu"}).startswith(
        "from_addr 'Atlantis' names no city Kuaidi100 quotes for; include one of: Beijing, ")


def test_schema_shows_the_limits_and_what_the_user_knows() -> None:
    tools = world_set(ENV)(0).tools
    weight = tools["estimate_price"][1].parameters["properties"]["weight"]
    assert (weight["minimum"], weight["maximum"]) == (0.1, 50)
    assert tools["create_pickup_order"][1].parameters["properties"]["kuaidi_company"]["enum"][:2] == [
        "shunfeng", "jd"]
    assert tools["query_trace"][1].user_known == frozenset({"kuaidi_num", "phone"})
    assert "pattern" in tools["subscribe_tracking"][1].parameters["properties"]["phone"]


def test_pickup_order_creates_a_shipment_and_can_be_cancelled_once(env: Any, world: Any) -> None:
    made = world.call("create_pickup_order", ORDER)
    assert {k: made[k] for k in ("kuaidi_company", "status", "weight", "pickup_date", "price", "exp_type")} == {
        "kuaidi_company": "zhongtong", "status": "pending", "weight": 2.5, "pickup_date": "2026-03-03",
        "price": 18.0, "exp_type": "standard"}
    number = made["kuaidi_num"]
    assert number.startswith("75") and len(number) == 15
    assert shipment(world, "kuaidi_num = ?", number)["state"] == "awaiting_pickup"
    assert world.call("list_pickup_orders", {"sender_phone": "13800000001"}) == [made]
    trace = world.call("query_trace", {"kuaidi_num": number})
    assert trace["data"] == [{"time": "2026-03-02 09:00", "location": "Hangzhou",
                              "context": "Order placed; courier pickup booked for 2026-03-03"}]
    mine = {"order_id": made["order_id"], "sender_phone": "13800000001"}
    assert fails(env, world, "cancel_pickup_order", {**mine, "sender_phone": "13800000009"}) == (
        f"pickup order '{made['order_id']}' was not placed with the phone number 13800000009")
    cancelled = world.call("cancel_pickup_order", {**mine, "reason": "wrong_address"})
    assert cancelled == {**made, "status": "cancelled"}
    assert world.row("SELECT status, cancel_reason FROM orders WHERE order_id = ?", made["order_id"]) == {
        "status": "cancelled", "cancel_reason": "wrong_address"}
    assert shipment(world, "kuaidi_num = ?", number)["state"] == "cancelled"
    assert fails(env, world, "cancel_pickup_order", mine) == (
        f"pickup order '{made['order_id']}' is already cancelled and cannot be cancelled")


def test_pickup_rules(env: Any, world: Any) -> None:
    assert fails(env, world, "create_pickup_order", {**ORDER, "pickup_date": "2026-03-01"}) == (
        "pickup_date must be between 2026-03-02 and 2026-03-09")
    assert fails(env, world, "create_pickup_order", {**ORDER, "kuaidi_company": "jtexpress",
                                                     "exp_type": "economy"}) == (
        "J&T Express (jtexpress) offers no economy service; it offers standard")
    heavy = fails(env, world, "create_pickup_order", {**ORDER, "weight": 60})
    assert heavy == "invalid arguments for 'create_pickup_order': weight must be between 0.1 and 50"
    collected = world.row("SELECT * FROM orders WHERE status = 'collected' ORDER BY order_id")
    assert fails(env, world, "cancel_pickup_order", {k: collected[k] for k in ("order_id", "sender_phone")}) == (
        f"pickup order '{collected['order_id']}' is already collected and cannot be cancelled; once collected, ask the "
        "courier to return the parcel")


def test_subscription_rules(env: Any, world: Any) -> None:
    parcel = shipment(world, "state = 'in_transit' AND kuaidi_num NOT IN (SELECT kuaidi_num FROM subscriptions)")
    seeded = world.value("SELECT COUNT(*) FROM subscriptions")
    result = world.call("subscribe_tracking", {"kuaidi_num": parcel["kuaidi_num"], "phone": "13700000003"})
    assert result == {"subscription_id": result["subscription_id"], "kuaidi_num": parcel["kuaidi_num"],
                      "phone": "13700000003", "state": "in_transit"}
    assert world.value("SELECT COUNT(*) FROM subscriptions") == seeded + 1
    again = {"kuaidi_num": parcel["kuaidi_num"], "phone": "13700000003"}
    assert fails(env, world, "subscribe_tracking", again) == (
        f"13700000003 is already subscribed to waybill '{parcel['kuaidi_num']}'")
    done = shipment(world, "state = 'delivered'")["kuaidi_num"]
    assert fails(env, world, "subscribe_tracking", {"kuaidi_num": done, "phone": "13700000003"}) == (
        f"waybill '{done}' is already delivered; there are no more updates")


def test_address_change_only_before_dispatch(env: Any, world: Any) -> None:
    parcel = shipment(world, "state = 'collected' AND kuaidi_company = 'zhongtong'") or shipment(
        world, "state = 'collected'")
    new = "5 Keji Road, Nanshan District, Shenzhen"
    result = world.call("change_delivery_address", {"kuaidi_num": parcel["kuaidi_num"],
                                                    "phone": parcel["sender_phone"], "new_addr": new})
    assert (result["old_addr"], result["new_addr"], result["state"]) == (parcel["to_addr"], new, "collected")
    after = shipment(world, "kuaidi_num = ?", parcel["kuaidi_num"])
    assert after["to_addr"] == new and after["price"] == round(parcel["price"] + result["extra_fee"], 2)
    assert world.row("SELECT old_addr, new_addr FROM address_changes WHERE kuaidi_num = ? AND new_addr = ?",
                     parcel["kuaidi_num"], new) == {"old_addr": parcel["to_addr"], "new_addr": new}
    assert fails(env, world, "change_delivery_address", {"kuaidi_num": parcel["kuaidi_num"],
                                                         "phone": parcel["sender_phone"], "new_addr": new}) == (
        f"'{new}' is already the delivery address of waybill '{parcel['kuaidi_num']}'")
    moving = shipment(world, "state = 'in_transit'")
    assert fails(env, world, "change_delivery_address", {"kuaidi_num": moving["kuaidi_num"],
                                                         "phone": moving["recipient_phone"], "new_addr": new}) == (
        f"waybill '{moving['kuaidi_num']}' is in_transit; the address can only be changed before the parcel "
        "leaves the origin (awaiting_pickup or collected)")


def test_write_task_gold_earns_one_and_a_wrong_value_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "change_delivery_address" and not t.user_facts
                and not t.answer_facts and "change_delivery_address" not in t.tags["chain"][:-1])
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    wrong = {**arguments, "new_addr": arguments["new_addr"] + " (gate 2)"}
    assert play(env, task.id, [*calls[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["estimate_price"] and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It costs " + " ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="It is not expensive.") == 0.0
