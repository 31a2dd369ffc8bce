"""Behaviour of ShopifyEcommerce: orders against stock, fulfilment and cancellation rules, products, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "ShopifyEcommerce"


def variant(world: Any, least: int = 3) -> dict[str, Any]:
    return world.row("SELECT v.*, p.title AS product FROM variants v JOIN products p ON p.id = v.product_id"
                     " WHERE p.status = 'active' AND inventory_quantity >= ? ORDER BY v.id", least)


def test_create_order_reserves_stock_and_updates_the_customer(env: Any, world: Any) -> None:
    item, buyer = variant(world), world.row("SELECT * FROM customers ORDER BY id")
    order = world.call("create_order", {"line_items": [{"variant_id": item["id"], "quantity": 2}],
                                        "customer": {"email": buyer["email"]}})["order"]
    assert order["name"] == "#1091" and order["financial_status"] == "paid" and order["fulfillment_status"] is None
    assert order["total_price"] == f"{item['price'] * 2:.2f}"
    assert world.value("SELECT inventory_quantity FROM variants WHERE id = ?", item["id"]) == (
        item["inventory_quantity"] - 2)
    after = world.row("SELECT * FROM customers WHERE id = ?", buyer["id"])
    assert after["orders_count"] == buyer["orders_count"] + 1
    assert round(after["total_spent"], 2) == round(buyer["total_spent"] + item["price"] * 2, 2)
    too_many = {"line_items": [{"variant_id": item["id"], "quantity": 999}], "customer": {"email": buyer["email"]}}
    left = item["inventory_quantity"] - 2
    assert fails(env, world, "create_order", too_many) == (
        f"only {left} of '{item['product']} - {item['title']}' in stock; quantity must be 1-{left}")
    stranger = {"line_items": [{"variant_id": item["id"], "quantity": 1}], "customer": {"email": "zz@example.com"}}
    assert fails(env, world, "create_order", stranger) == (
        "no customer with email zz@example.com; give first_name and last_name to create one")


def test_order_transitions(env: Any, world: Any) -> None:
    open_order = world.value("SELECT id FROM orders WHERE cancelled_at IS NULL AND fulfillment_status IS NULL"
                             " AND financial_status = 'paid' ORDER BY id")
    name = world.value("SELECT name FROM orders WHERE id = ?", open_order)
    lines = world.rows("SELECT variant_id, quantity FROM line_items WHERE order_id = ?", open_order)
    stock = {r["variant_id"]: world.value("SELECT inventory_quantity FROM variants WHERE id = ?", r["variant_id"])
             for r in lines}
    cancelled = world.call("cancel_order", {"order_id": open_order, "reason": "customer"})["order"]
    assert cancelled["financial_status"] == "refunded" and cancelled["cancelled_at"] == "2026-03-02T09:00:00"
    for line in lines:
        assert world.value("SELECT inventory_quantity FROM variants WHERE id = ?", line["variant_id"]) == (
            stock[line["variant_id"]] + line["quantity"])
    assert fails(env, world, "fulfill_order", {"order_id": open_order}) == (
        f"order {name} was cancelled and cannot be fulfilled")
    assert fails(env, world, "cancel_order", {"order_id": open_order}) == f"order {name} is already cancelled"
    shipped = world.row("SELECT id, name FROM orders WHERE fulfillment_status = 'fulfilled' ORDER BY id")
    assert fails(env, world, "cancel_order", {"order_id": shipped["id"]}) == (
        f"order {shipped['name']} is fulfilled and cannot be cancelled; refund it instead")
    assert fails(env, world, "fulfill_order", {"order_id": shipped["id"]}) == (
        f"order {shipped['name']} is already fulfilled")


def test_created_product_is_found_by_title_search_and_drafts_are_not_sold(env: Any, world: Any) -> None:
    made = world.call("create_product", {"title": "Harbor Rain Shell", "vendor": "Trailmark",
                                         "variants": [{"title": "M", "price": 120, "sku": "RSH-1",
                                                       "inventory_quantity": 4}]})["product"]
    assert made["status"] == "draft" and made["variants"][0]["price"] == "120.00"
    assert [p["id"] for p in world.call("get_products", {"title": "rain shell"})["products"]] == [made["id"]]
    buyer = world.value("SELECT email FROM customers ORDER BY id")
    order = {"line_items": [{"variant_id": made["variants"][0]["id"], "quantity": 1}], "customer": {"email": buyer}}
    assert fails(env, world, "create_order", order) == (
        "'Harbor Rain Shell' is draft, not on sale; activate it first")
    assert fails(env, world, "create_product", {"title": "Other", "variants": [
        {"title": "S", "price": 1, "sku": "RSH-1", "inventory_quantity": 1}]}) == (
        "SKU 'RSH-1' is already used by another variant")


def test_adjust_inventory_never_goes_negative(env: Any, world: Any) -> None:
    item = variant(world)
    assert world.call("adjust_inventory", {"variant_id": item["id"], "delta": -1})["inventory_quantity"] == (
        item["inventory_quantity"] - 1)
    left = item["inventory_quantity"] - 1
    assert fails(env, world, "adjust_inventory", {"variant_id": item["id"], "delta": -left - 1}) == (
        f"only {left} units of {item['sku']} in stock; cannot remove {left + 1}")
    delta = world_set(ENV)(0).tools["adjust_inventory"][1].parameters["properties"]["delta"]
    assert (delta["minimum"], delta["maximum"]) == (-1000, 1000)


def test_gold_earns_one_and_a_wrong_quantity_zero(env: Any) -> None:
    task = scenario_task(env, "order_for_customer")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    wrong = {**arguments, "financial_status": "pending" if arguments["financial_status"] == "paid" else "paid"}
    assert play(env, task.id, [*calls[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, []) == 0.0
