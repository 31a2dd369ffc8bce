"""Behaviour of the Didi environment: estimates, orders, cancellation rules and fees, ratings and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Didi"


def book(world: Any, product: str = "express", **extra: Any) -> dict[str, Any]:
    estimate = world.call("taxi_estimate", {"origin_location": "Guomao CBD", "destination_location": "Summer Palace"})
    return world.call("taxi_create_order", {"estimate_trace_id": estimate["estimate_trace_id"],
                                            "product_category": product, **extra})


def test_create_order_assigns_a_driver_and_stores_the_order(world: Any) -> None:
    seeded = world.value("SELECT COUNT(*) FROM orders")
    order = book(world, "premier")
    row = world.row("SELECT * FROM orders WHERE order_id = ?", order["order_id"])
    assert (row["status"], row["origin_location"], row["destination_location"]) == (
        "driver_arriving", "Guomao CBD", "Summer Palace")
    assert world.value("SELECT status FROM drivers WHERE driver_id = ?", row["driver_id"]) == "busy"
    assert world.value("SELECT COUNT(*) FROM orders") == seeded + 1
    assert world.call("taxi_query_order", {"order_id": order["order_id"]})["car_model"] in (
        "VW Passat", "Toyota Camry", "Buick Regal")


def test_cancel_is_free_early_then_costs_a_fee(env: Any, world: Any) -> None:
    order = book(world)
    assert world.call("taxi_cancel_order", {"order_id": order["order_id"]})["cancel_fee"] == 0.0
    late = book(world, "premier")
    for _ in range(4):  # each write moves the episode clock a minute
        world.call("taxi_estimate", {"origin_location": "Lama Temple", "destination_location": "Beijing Zoo"})
    cancelled = world.call("taxi_cancel_order", {"order_id": late["order_id"], "reason": "plans changed"})
    assert (cancelled["cancel_fee"], cancelled["refund_status"]) == (10.0, "fee charged")
    row = world.row("SELECT status, cancel_reason FROM orders WHERE order_id = ?", late["order_id"])
    assert row == {"status": "cancelled", "cancel_reason": "plans changed"}
    assert fails(env, world, "taxi_cancel_order", {"order_id": late["order_id"]}) == (
        f"order '{late['order_id']}' is already cancelled")


def test_rules_of_pickup_one_ride_per_rider_and_places(env: Any, world: Any) -> None:
    riding = world.row("SELECT * FROM orders WHERE status = 'in_trip'")
    assert fails(env, world, "taxi_cancel_order", {"order_id": riding["order_id"]}) == (
        f"order '{riding['order_id']}' cannot be cancelled: the rider is already in the car; an order can only be"
        " cancelled before pickup")
    estimate = world.call("taxi_estimate", {"origin_location": "Lama Temple", "destination_location": "Beijing Zoo"})
    again = {"estimate_trace_id": estimate["estimate_trace_id"], "product_category": "express",
             "caller_car_phone": riding["caller_car_phone"]}
    assert fails(env, world, "taxi_create_order", again) == (
        f"the rider on {riding['caller_car_phone']} already has order '{riding['order_id']}' in progress; wait for"
        " it to finish or cancel it before ordering another car")
    assert fails(env, world, "taxi_estimate", {"origin_location": "Nowhere Mall",
                                                "destination_location": "Beijing Zoo"}) == (
        "no place called 'Nowhere Mall' for origin; maps_place_around finds places by keyword, or give coordinates"
        " as 'lat,lng'")
    far = {"origin_location": "Guomao CBD", "destination_location": "Beijing Daxing International Airport"}
    trace = world.call("taxi_estimate", far)
    assert "carpool" not in [p["product_category"] for p in trace["products"]]
    assert fails(env, world, "taxi_create_order", {"estimate_trace_id": trace["estimate_trace_id"],
                                                   "product_category": "carpool"}) == (
        "carpool is not offered for trips over 30 km; choose another car type")


def test_rating_only_completed_trips_once(env: Any, world: Any) -> None:
    trip = world.row("SELECT * FROM orders WHERE status = 'completed' AND rating IS NULL ORDER BY order_id")
    assert world.call("taxi_rate_order", {"order_id": trip["order_id"], "rating": 4, "comment": " ok "}) == {
        "order_id": trip["order_id"], "rating": 4, "comment": "ok"}
    assert world.row("SELECT rating, comment FROM orders WHERE order_id = ?", trip["order_id"]) == {
        "rating": 4, "comment": "ok"}
    assert fails(env, world, "taxi_rate_order", {"order_id": trip["order_id"], "rating": 5}) == (
        f"order '{trip['order_id']}' was already rated 4 stars")
    assert fails(env, world, "taxi_rate_order", {"order_id": trip["order_id"], "rating": 6}) == (
        "invalid arguments for 'taxi_rate_order': rating must be between 1 and 5")


def test_schema_limits_and_place_search() -> None:
    tools = world_set(ENV)(0).tools
    radius = tools["maps_place_around"][1].parameters["properties"]["max_distance"]
    assert (radius["minimum"], radius["maximum"]) == (100, 50000)
    assert "luxe" in tools["taxi_create_order"][1].parameters["properties"]["product_category"]["enum"]
    assert "origin_location" in tools["taxi_estimate"][1].user_known


def test_place_around_finds_coffee_nearest_first(world: Any) -> None:
    places = world.call("maps_place_around", {"keywords": "coffee", "location": "Guomao CBD",
                                              "max_distance": 50000})["places"]
    assert places and all("Coffee" in p["name"] or p["category"] == "cafe" for p in places)
    assert [p["distance"] for p in places] == sorted(p["distance"] for p in places)


def test_gold_tasks_earn_one_and_a_wrong_product_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("chain", [""])[-1] == "taxi_create_order" and not t.answer_facts
                and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = "luxe" if arguments["product_category"] != "luxe" else "express"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "product_category": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
