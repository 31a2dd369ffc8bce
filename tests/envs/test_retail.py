"""Behaviour of the Retail environment: order rules, payments and refunds, exact errors, atomicity and rewards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "Retail"


def order_in(world: Any, status: str, where: str = "1", *params: Any) -> dict[str, Any]:
    return world.row(f"SELECT * FROM orders WHERE status = ? AND {where} ORDER BY order_id", status, *params)


def lines(world: Any, order_id: str) -> list[dict[str, Any]]:
    return world.rows("SELECT * FROM order_items WHERE order_id = ? ORDER BY line", order_id)


def transactions(world: Any, order_id: str) -> list[tuple[str, str, float]]:
    return [(t["payment_method_id"], t["kind"], t["amount"]) for t in world.rows(
        "SELECT * FROM transactions WHERE order_id = ? ORDER BY rowid", order_id)]


def other_variant(world: Any, item_id: str, available: int = 1) -> dict[str, Any] | None:
    return world.row("SELECT * FROM items WHERE product_id = (SELECT product_id FROM items WHERE item_id = ?)"
                     " AND item_id != ? AND available = ? ORDER BY item_id", item_id, item_id, available)


def swappable_line(world: Any, status: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An order in a status, one of its lines, and an in-stock variant of that line's product."""
    for order in world.rows("SELECT * FROM orders WHERE status = ? ORDER BY order_id", status):
        for line in lines(world, order["order_id"]):
            variant = other_variant(world, line["item_id"])
            if variant:
                return order, line, variant
    raise AssertionError(f"seed 0 has no {status} order with a swappable item")


def gift_card(world: Any, user_id: str) -> dict[str, Any] | None:
    return world.row("SELECT * FROM payment_methods WHERE user_id = ? AND kind = 'gift_card'", user_id)


def test_users_are_found_by_email_or_by_name_and_zip(world: Any) -> None:
    user = world.row("SELECT * FROM users ORDER BY user_id")
    by_email = world.call("find_user_by_email", {"email": user["email"].upper()})
    by_name = world.call("find_user_by_name_zip", {"first_name": user["first_name"].lower(),
                                                   "last_name": user["last_name"], "zip_code": user["zip_code"]})
    assert by_email == by_name == {"user_id": user["user_id"], "name": f"{user['first_name']} {user['last_name']}",
                                   "email": user["email"], "zip_code": user["zip_code"]}
    with pytest.raises(ToolError) as error:
        world.call("find_user_by_email", {"email": "nobody@example.com"})
    assert str(error.value) == "no customer with email 'nobody@example.com'; try find_user_by_name_zip"
    details = world.call("get_user_details", {"user_id": user["user_id"]})
    assert details["order_ids"] == [o["order_id"] for o in world.rows(
        "SELECT order_id FROM orders WHERE user_id = ? ORDER BY created_at", user["user_id"])]
    assert all(("balance" in m) == (m["kind"] == "gift_card") for m in details["payment_methods"])


def test_order_details_total_and_status_filter(world: Any) -> None:
    order = order_in(world, "delivered")
    details = world.call("get_order_details", {"order_id": order["order_id"]})
    assert details["total_amount"] == round(sum(x["price"] for x in lines(world, order["order_id"])), 2)
    assert [x["status"] for x in details["items"]] == ["ordered"] * len(details["items"])
    listed = world.call("list_user_orders", {"user_id": order["user_id"], "status": "delivered"})
    assert order["order_id"] in [o["order_id"] for o in listed]
    assert {o["status"] for o in listed} == {"delivered"}


def test_cancel_pending_order_refunds_what_was_paid(world: Any) -> None:
    order = order_in(world, "pending")
    paid = transactions(world, order["order_id"])
    result = world.call("cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"})
    assert result["status"] == "cancelled" and result["cancel_reason"] == "ordered by mistake"
    assert transactions(world, order["order_id"]) == paid + [(paid[0][0], "refund", paid[0][2])]


def test_only_pending_orders_can_be_cancelled_or_modified(env: Any, world: Any) -> None:
    order = order_in(world, "delivered")
    message = fails(env, world, "cancel_pending_order", {"order_id": order["order_id"], "reason": "no longer needed"})
    assert message == f"order '{order['order_id']}' is delivered; only pending orders can be cancelled"
    message = fails(env, world, "modify_pending_order_address", {
        "order_id": order["order_id"], "address": "1 Main St", "city": "Austin", "state": "TX", "country": "USA",
        "zip_code": "73301"})
    assert message == f"order '{order['order_id']}' is delivered; only pending orders can be modified"
    assert fails(env, world, "get_order_details", {"order_id": "ord_missing"}) == (
        "no order with id 'ord_missing'; list_user_orders lists a customer's orders")


def test_modify_pending_order_address_and_user_address(world: Any) -> None:
    order = order_in(world, "pending")
    address = {"address": "9 Cedar Court", "city": "Madison", "state": "WI", "country": "USA", "zip_code": "53703"}
    result = world.call("modify_pending_order_address", {"order_id": order["order_id"], **address})
    assert result["address"] == address
    assert world.row("SELECT user_id, status FROM orders WHERE order_id = ?", order["order_id"]) == {
        "user_id": order["user_id"], "status": "pending"}
    user = world.call("modify_user_address", {"user_id": order["user_id"], **address})
    assert user["address"] == address
    assert fails_quietly(world, "modify_user_address", {"user_id": order["user_id"], **address, "city": " "}) == (
        "invalid arguments for 'modify_user_address': city must not be empty")


def fails_quietly(world: Any, tool: str, arguments: dict[str, Any]) -> str:
    with pytest.raises(ToolError) as error:
        world.call(tool, arguments)
    return str(error.value)


def test_declared_limits_show_in_the_schema_and_are_enforced(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    returned = tools["return_delivered_order_items"][1].parameters["properties"]["item_ids"]
    assert returned["minItems"] == 1
    assert tools["modify_user_address"][1].parameters["properties"]["city"]["minLength"] == 1
    assert tools["list_user_orders"][1].parameters["properties"]["status"]["enum"] == [
        "pending", "processed", "delivered", "cancelled"]
    assert {"order_id", "item_ids"} <= set(tools["return_delivered_order_items"][1].parameters["required"])
    assert tools["get_order_details"][1].user_known == {"order_id"}
    assert tools["get_order_details"][1].output_schema is not None
    order = order_in(world, "delivered")
    assert fails(env, world, "return_delivered_order_items", {
        "order_id": order["order_id"], "item_ids": [], "payment_method_id": order["payment_method_id"]}) == (
        "invalid arguments for 'return_delivered_order_items': item_ids: List should have at least 1 item after"
        " validation, not 0")


def test_modify_pending_order_items_swaps_variant_and_settles_difference(world: Any) -> None:
    order, line, variant = swappable_line(world, "pending")
    card = world.row("SELECT * FROM payment_methods WHERE user_id = ? AND kind != 'gift_card'", order["user_id"])
    before = transactions(world, order["order_id"])
    result = world.call("modify_pending_order_items", {
        "order_id": order["order_id"], "item_ids": [line["item_id"]], "new_item_ids": [variant["item_id"]],
        "payment_method_id": card["payment_method_id"]})
    swapped = next(x for x in result["items"] if x["line"] == line["line"])
    assert (swapped["item_id"], swapped["price"]) == (variant["item_id"], variant["price"])
    difference = round(variant["price"] - line["price"], 2)
    kind = "payment" if difference > 0 else "refund"
    assert transactions(world, order["order_id"]) == before + [(card["payment_method_id"], kind, abs(difference))]


def test_swaps_must_stay_within_the_product_and_in_stock(env: Any, world: Any) -> None:
    order, line, _ = swappable_line(world, "pending")
    method = world.value("SELECT payment_method_id FROM payment_methods WHERE user_id = ?", order["user_id"])
    foreign = world.row("SELECT i.item_id, p.name FROM items i JOIN products p USING (product_id)"
                        " WHERE product_id != (SELECT product_id FROM items WHERE item_id = ?) ORDER BY item_id",
                        line["item_id"])
    own = world.value("SELECT p.name FROM items JOIN products p USING (product_id) WHERE item_id = ?", line["item_id"])
    arguments = {"order_id": order["order_id"], "item_ids": [line["item_id"]], "new_item_ids": [foreign["item_id"]],
                 "payment_method_id": method}
    assert fails(env, world, "modify_pending_order_items", arguments) == (
        f"item '{foreign['item_id']}' is a {foreign['name']}, but '{line['item_id']}' is a {own}; an item can only"
        " be swapped for another variant of the same product")
    out_of_stock = other_variant(world, line["item_id"], available=0)
    if out_of_stock:
        arguments["new_item_ids"] = [out_of_stock["item_id"]]
        assert fails(env, world, "modify_pending_order_items", arguments).endswith("is out of stock")
    arguments.update(new_item_ids=[foreign["item_id"], foreign["item_id"]])
    assert fails(env, world, "modify_pending_order_items", arguments) == (
        "new_item_ids must have one item per item in item_ids (1), got 2")
    arguments.update(item_ids=[foreign["item_id"]], new_item_ids=[line["item_id"]])
    assert fails(env, world, "modify_pending_order_items", arguments).startswith(
        f"item '{foreign['item_id']}' is not among the not yet returned or exchanged items of order"
        f" '{order['order_id']}'; its items: {line['item_id']} (")


def test_payment_methods_must_belong_to_the_customer(env: Any, world: Any) -> None:
    order = order_in(world, "pending")
    stranger = world.value("SELECT payment_method_id FROM payment_methods WHERE user_id != ? ORDER BY 1",
                           order["user_id"])
    assert fails(env, world, "modify_pending_order_payment", {
        "order_id": order["order_id"], "payment_method_id": stranger}) == (
        f"payment method '{stranger}' does not belong to this order's customer; get_user_details lists their"
        " payment methods")
    assert fails(env, world, "modify_pending_order_payment", {
        "order_id": order["order_id"], "payment_method_id": order["payment_method_id"]}) == (
        f"order '{order['order_id']}' is already paid with '{order['payment_method_id']}'; choose another method")


def test_modify_pending_order_payment_refunds_old_and_charges_new(world: Any) -> None:
    order = order_in(world, "pending", "user_id IN (SELECT user_id FROM payment_methods GROUP BY user_id"
                                       " HAVING SUM(kind != 'gift_card') >= 2)")
    new = world.value("SELECT payment_method_id FROM payment_methods WHERE user_id = ? AND kind != 'gift_card'"
                      " AND payment_method_id != ? ORDER BY 1", order["user_id"], order["payment_method_id"])
    total = world.call("get_order_details", {"order_id": order["order_id"]})["total_amount"]
    before = transactions(world, order["order_id"])
    world.call("modify_pending_order_payment", {"order_id": order["order_id"], "payment_method_id": new})
    assert transactions(world, order["order_id"]) == before + [
        (order["payment_method_id"], "refund", total), (new, "payment", total)]
    assert world.value("SELECT payment_method_id FROM orders WHERE order_id = ?", order["order_id"]) == new


def test_gift_card_must_cover_the_order(env: Any, world: Any) -> None:
    for order in world.rows("SELECT * FROM orders WHERE status = 'pending' ORDER BY order_id"):
        card = gift_card(world, order["user_id"])
        total = world.call("get_order_details", {"order_id": order["order_id"]})["total_amount"]
        if card and card["payment_method_id"] != order["payment_method_id"] and card["balance"] < total:
            break
    else:
        raise AssertionError("seed 0 has no pending order larger than its customer's gift card")
    assert fails(env, world, "modify_pending_order_payment", {
        "order_id": order["order_id"], "payment_method_id": card["payment_method_id"]}) == (
        f"gift card '{card['payment_method_id']}' has a balance of {card['balance']}, not enough to pay {total};"
        " choose another payment method")


def test_return_refunds_the_original_method_once(env: Any, world: Any) -> None:
    order = order_in(world, "delivered")
    line = lines(world, order["order_id"])[0]
    arguments = {"order_id": order["order_id"], "item_ids": [line["item_id"]],
                 "payment_method_id": order["payment_method_id"]}
    result = world.call("return_delivered_order_items", arguments)
    assert next(x for x in result["items"] if x["line"] == line["line"])["status"] == "returned"
    assert transactions(world, order["order_id"])[-1] == (order["payment_method_id"], "refund", line["price"])
    assert world.row("SELECT kind, payment_method_id FROM returns WHERE order_id = ?", order["order_id"]) == {
        "kind": "return", "payment_method_id": order["payment_method_id"]}
    assert fails(env, world, "return_delivered_order_items", arguments).startswith(
        f"item '{line['item_id']}' is not among the not yet returned or exchanged items of order")


def test_return_refund_goes_to_original_method_or_a_gift_card(env: Any, world: Any) -> None:
    order = order_in(world, "delivered", "user_id IN (SELECT user_id FROM payment_methods WHERE kind = 'gift_card')"
                                         " AND payment_method_id NOT LIKE 'gift%'")
    line = lines(world, order["order_id"])[0]
    other = world.value("SELECT payment_method_id FROM payment_methods WHERE user_id = ? AND kind != 'gift_card'"
                        " AND payment_method_id != ?", order["user_id"], order["payment_method_id"])
    if other:
        assert fails(env, world, "return_delivered_order_items", {
            "order_id": order["order_id"], "item_ids": [line["item_id"]], "payment_method_id": other}) == (
            f"refunds go to the order's original payment method ('{order['payment_method_id']}') or to one of the"
            " customer's gift cards")
    card = gift_card(world, order["user_id"])
    world.call("return_delivered_order_items", {"order_id": order["order_id"], "item_ids": [line["item_id"]],
                                                "payment_method_id": card["payment_method_id"]})
    assert gift_card(world, order["user_id"])["balance"] == round(card["balance"] + line["price"], 2)
    pending = order_in(world, "pending")
    assert fails(env, world, "return_delivered_order_items", {
        "order_id": pending["order_id"], "item_ids": [lines(world, pending["order_id"])[0]["item_id"]],
        "payment_method_id": pending["payment_method_id"]}) == (
        f"order '{pending['order_id']}' is pending; only delivered orders can have items returned")


def test_exchange_records_the_new_variant_and_the_difference(world: Any) -> None:
    order, line, variant = swappable_line(world, "delivered")
    method = world.value("SELECT payment_method_id FROM payment_methods WHERE user_id = ? AND kind != 'gift_card'",
                         order["user_id"])
    result = world.call("exchange_delivered_order_items", {
        "order_id": order["order_id"], "item_ids": [line["item_id"]], "new_item_ids": [variant["item_id"]],
        "payment_method_id": method})
    exchanged = next(x for x in result["items"] if x["line"] == line["line"])
    assert (exchanged["status"], exchanged["exchanged_for"], exchanged["item_id"]) == (
        "exchanged", variant["item_id"], line["item_id"])
    assert world.row("SELECT new_item_id FROM return_lines WHERE order_id = ? AND line = ?",
                     order["order_id"], line["line"]) == {"new_item_id": variant["item_id"]}
    difference = round(variant["price"] - line["price"], 2)
    if difference:
        assert transactions(world, order["order_id"])[-1] == (
            method, "payment" if difference > 0 else "refund", abs(difference))


def test_product_details_list_variants(world: Any) -> None:
    product = world.call("list_product_types", {})[0]
    details = world.call("get_product_details", {"product_id": product["product_id"]})
    stored = world.rows("SELECT * FROM items WHERE product_id = ? ORDER BY item_id", product["product_id"])
    assert [(i["item_id"], i["options"], i["available"]) for i in details["items"]] == [
        (s["item_id"], json.loads(s["options"]), bool(s["available"])) for s in stored]


def test_gold_path_earns_one_and_cancelling_another_order_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "cancel_order", lambda t: not t.user_facts)
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    target = gold[-1][1]["order_id"]
    other = env.worlds.worlds["Retail"].value("SELECT order_id FROM orders WHERE status = 'pending' AND order_id != ?"
                                              " ORDER BY order_id", target)
    assert play(env, task.id, [*gold[:-1], ("cancel_pending_order", {**gold[-1][1], "order_id": other})]) == 0.0
    wrong_reason = "no longer needed" if gold[-1][1]["reason"] == "ordered by mistake" else "ordered by mistake"
    assert play(env, task.id, [*gold[:-1], ("cancel_pending_order", {**gold[-1][1], "reason": wrong_reason})]) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = scenario_task(env, "order_status", lambda t: not t.user_facts)
    gold = gold_calls(task)
    assert play(env, task.id, gold, answer="It is " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, gold, answer="Your order is on its way.") == 0.0


def test_returning_too_little_earns_zero(env: Any) -> None:
    task = scenario_task(env, "return_items",
                         lambda t: not t.user_facts and len(t.gold[-1]["arguments"]["item_ids"]) == 2)
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    returned = gold[-1][1]
    assert play(env, task.id, [*gold[:-1], (gold[-1][0], {**returned, "item_ids": returned["item_ids"][:1]})]) == 0.0
