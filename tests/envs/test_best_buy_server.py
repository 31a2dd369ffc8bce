"""Behaviour of BestBuyServer: search, store pickup reservations, cancellations, reviews, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "BestBuyServer"


def stocked(world: Any) -> dict[str, Any]:
    return world.row("SELECT k.* FROM store_stock k JOIN products p USING (sku) WHERE p.active = 1 AND k.quantity >= 3"
                     " ORDER BY k.sku, k.storeId")


def test_reserve_takes_stock_and_cancel_returns_it(env: Any, world: Any) -> None:
    stock = stocked(world)
    args = {"sku": stock["sku"], "store_id": stock["storeId"], "customer_name": "Ana Diaz", "email": "Ana@Example.com"}
    order = world.call("reserve_for_pickup", {**args, "quantity": 2})
    price = world.value("SELECT salePrice FROM products WHERE sku = ?", stock["sku"])
    assert order == {"orderId": order["orderId"], "sku": stock["sku"], "storeId": stock["storeId"], "quantity": 2,
                     "total": round(price * 2, 2), "customerName": "Ana Diaz", "email": "ana@example.com",
                     "status": "reserved", "pickupBy": "2026-03-07"}
    left = "SELECT quantity FROM store_stock WHERE storeId = ? AND sku = ?"
    assert world.value(left, stock["storeId"], stock["sku"]) == stock["quantity"] - 2
    assert fails(env, world, "reserve_for_pickup", {**args, "quantity": 2}) == (
        f"limit 3 per customer: ana@example.com already holds 2 of SKU {stock['sku']}")
    assert fails(env, world, "cancel_pickup", {"order_id": order["orderId"], "email": "bob@example.com"}) == (
        f"pickup order {order['orderId']} was not placed with bob@example.com")
    assert world.call("cancel_pickup", {"order_id": order["orderId"], "email": "ana@example.com"})["status"] == (
        "cancelled")
    assert world.value(left, stock["storeId"], stock["sku"]) == stock["quantity"]
    assert fails(env, world, "cancel_pickup", {"order_id": order["orderId"], "email": "ana@example.com"}) == (
        f"pickup order {order['orderId']} is already cancelled and cannot be cancelled")
    assert world.call("get_pickup_orders", {"email": "ana@example.com"})[0]["orderId"] == order["orderId"]


def test_reserve_refuses_a_store_without_stock(env: Any, world: Any) -> None:
    empty = world.row("SELECT k.*, s.name FROM store_stock k JOIN stores s USING (storeId) JOIN products p USING (sku)"
                      " WHERE k.quantity = 0 AND p.active = 1 ORDER BY k.sku")
    message = fails(env, world, "reserve_for_pickup", {"sku": empty["sku"], "store_id": empty["storeId"],
                                                        "customer_name": "Al", "email": "al@example.com"})
    assert message == (f"the {empty['name']} store has 0 of SKU {empty['sku']} for pickup; check_store_availability "
                       "shows stores that have it")
    gone = world.row("SELECT sku, name FROM products WHERE active = 0 ORDER BY sku")
    assert fails(env, world, "get_product_details", {"sku": gone["sku"]}) == (
        f"SKU {gone['sku']} ({gone['name']}) is discontinued and no longer sold")


def test_add_review_counts_once_per_reviewer(env: Any, world: Any) -> None:
    sku = stocked(world)["sku"]
    before = world.call("get_product_reviews", {"sku": sku})
    review = {"sku": sku, "rating": 5, "title": "Great", "comment": "Works exactly as described, fast too.",
              "reviewer": "ana_d"}
    posted = world.call("add_review", review)
    after = world.call("get_product_reviews", {"sku": sku, "limit": 1})
    assert after["totalReviewCount"] == before["totalReviewCount"] + 1 and after["reviews"] == [posted]
    assert posted["submissionTime"] == "2026-03-02T09:00"
    assert fails(env, world, "add_review", {**review, "reviewer": "ANA_D"}) == (
        f"ANA_D has already reviewed SKU {sku}; one review per product")
    short = fails(env, world, "add_review", {**review, "reviewer": "bo_b", "comment": "meh"})
    assert short.startswith("invalid arguments for 'add_review': comment:")


def test_search_filters_and_schema_limits(env: Any, world: Any) -> None:
    found = world.call("search_products", {"keywords": "macbook", "max_price": 1500, "limit": 100})["products"]
    assert found and all("MacBook" in p["name"] and p["salePrice"] <= 1500 for p in found)
    assert [p["salePrice"] for p in found] == sorted(p["salePrice"] for p in found)
    laptops = world.call("search_products", {"keywords": "Dell", "category": "Computers & Tablets"})["products"]
    assert laptops and {p["categoryId"] for p in laptops} == {"abcat0502000"}
    assert fails(env, world, "search_products", {"keywords": "tv", "category": "Toys"}) == (
        "no category 'Toys'; get_categories lists ids and names")
    assert fails(env, world, "get_stores", {"lat": 30.0}) == "give both lat and lng, or neither"
    tools = world_set(ENV)(0).tools
    quantity = tools["reserve_for_pickup"][1].parameters["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 3)
    assert "email" in tools["cancel_pickup"][1].user_known


def test_gold_earns_one_and_another_store_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "reserve_where_most_stock")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_best_rated_answer_is_graded(env: Any) -> None:
    assert_answer_is_graded(env, scenario_task(env, "cheapest_best_rated"))
