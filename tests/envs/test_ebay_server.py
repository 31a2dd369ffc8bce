"""Behaviour of the EbayServer environment: proxy bidding, Buy It Now, listing rules, shipping, ending, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.commerce.ebay_server import ME
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "EbayServer"
OPEN = "status = 'ACTIVE' AND end_time > '2026-03-03T12:00'"


def item(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM items WHERE {OPEN} AND {where} ORDER BY item_id")


def test_place_bid_uses_proxy_bidding(env: Any, world: Any) -> None:
    auction = item(world, f"listing_format = 'AUCTION' AND seller != '{ME}' AND item_id IN (SELECT item_id FROM bids)")
    details = world.call("get_item_details", {"item_id": auction["item_id"]})
    low = details["minimum_bid"] - 0.01
    assert fails(env, world, "place_bid", {"item_id": auction["item_id"], "max_bid": low}).startswith(
        f"your maximum bid must be at least {details['minimum_bid']:.2f} USD")
    result = world.call("place_bid", {"item_id": auction["item_id"], "max_bid": details["minimum_bid"] + 500})
    bids = world.rows("SELECT * FROM bids WHERE item_id = ? AND bidder = ?", auction["item_id"], ME)
    assert [b["max_cents"] for b in bids] == [round((details["minimum_bid"] + 500) * 100)]
    assert result["bid_count"] == details["bid_count"] + 1 and result["your_max_bid"] == details["minimum_bid"] + 500
    assert world.value("SELECT price_cents FROM items WHERE item_id = ?", auction["item_id"]) == round(
        result["current_price"] * 100)
    if result["winning"]:
        assert world.call("get_item_details", {"item_id": auction["item_id"]})["high_bidder"] == ME


def test_bidding_rules(env: Any, world: Any) -> None:
    fixed = item(world, f"listing_format = 'FIXED_PRICE' AND seller != '{ME}'")
    assert fails(env, world, "place_bid", {"item_id": fixed["item_id"], "max_bid": 5000}) == (
        f"item {fixed['item_id']} is a fixed-price listing; buy it with buy_item instead of bidding")
    own = item(world, f"listing_format = 'AUCTION' AND seller = '{ME}'")
    if own:
        assert fails(env, world, "place_bid", {"item_id": own["item_id"], "max_bid": 90000}) == (
            f"item {own['item_id']} is your own listing; sellers cannot bid on their own items")
    ended = world.row("SELECT * FROM items WHERE status = 'ENDED' AND listing_format = 'AUCTION' ORDER BY item_id")
    assert fails(env, world, "place_bid", {"item_id": ended["item_id"], "max_bid": 90000}) == (
        f"item {ended['item_id']} has ended; search_items finds active listings")
    assert fails(env, world, "get_item_details", {"item_id": "999999999999"}) == (
        "no eBay item 999999999999; search_items finds item ids")


def test_buy_item_creates_a_paid_order_and_takes_stock(env: Any, world: Any) -> None:
    fixed = item(world, f"listing_format = 'FIXED_PRICE' AND seller != '{ME}' AND quantity - sold >= 2")
    left = fixed["quantity"] - fixed["sold"]
    assert fails(env, world, "buy_item", {"item_id": fixed["item_id"], "quantity": min(left + 1, 10)}) == (
        f"only {left} of item {fixed['item_id']} left; lower the quantity") or left + 1 > 10
    order = world.call("buy_item", {"item_id": fixed["item_id"], "quantity": 2})
    assert (order["status"], order["buyer"], order["seller"]) == ("PAID", ME, fixed["seller"])
    assert order["total"] == round((fixed["price_cents"] * 2 + fixed["shipping_cents"]) / 100, 2)
    assert world.value("SELECT sold FROM items WHERE item_id = ?", fixed["item_id"]) == fixed["sold"] + 2
    mine = world.call("list_orders", {"role": "buyer", "status": "PAID", "limit": 50})
    assert order["order_id"] in [o["order_id"] for o in mine]


def test_create_listing_rules_and_row(env: Any, world: Any) -> None:
    base = {"title": "Nikon F3 Film Camera Body", "description": "Works, light meter ok.", "category_id": "31388",
            "price": 150}
    assert fails(env, world, "create_listing", {**base, "category_id": "625"}) == (
        "category 625 (Cameras & Photo) is not a leaf category; choose one of its subcategories")
    assert fails(env, world, "create_listing", {**base, "currency": "EUR"}) == (
        "your account sells on EBAY_US; list in USD, not EUR")
    assert fails(env, world, "create_listing", {**base, "listing_format": "AUCTION", "quantity": 2}) == (
        "an auction sells exactly one unit; use FIXED_PRICE to sell several")
    assert fails(env, world, "create_listing", {**base, "listing_format": "AUCTION", "reserve_price": 50}).startswith(
        "a reserve price needs an AUCTION listing and must be at least 99.00 USD")
    too_long = fails(env, world, "create_listing", {**base, "title": "x" * 81})
    assert too_long.startswith("invalid arguments for 'create_listing': title")
    made = world.call("create_listing", {**base, "listing_format": "AUCTION", "reserve_price": 300,
                                         "duration_days": 5})
    row = world.row("SELECT * FROM items WHERE item_id = ?", made["listing_id"])
    assert (row["seller"], row["status"], row["start_cents"], row["reserve_cents"], row["end_time"]) == (
        ME, "ACTIVE", 15000, 30000, "2026-03-07T09:00")
    found = world.call("search_items", {"keywords": "nikon f3", "sort": "newly_listed"})
    assert found["items"][0]["item_id"] == made["listing_id"]


def test_ship_order_only_for_paid_sales(env: Any, world: Any) -> None:
    sale = world.row("SELECT * FROM orders WHERE seller = ? AND status = 'PAID' ORDER BY order_id", ME)
    args = {"order_id": sale["order_id"], "carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    shipped = world.call("ship_order", args)
    assert (shipped["status"], shipped["carrier"], shipped["tracking_number"]) == ("SHIPPED", "UPS", args[
        "tracking_number"])
    assert fails(env, world, "ship_order", args) == (
        f"order {sale['order_id']} is SHIPPED; only PAID orders can be marked shipped")
    bought = world.row("SELECT * FROM orders WHERE buyer = ? ORDER BY order_id", ME)
    assert fails(env, world, "ship_order", {**args, "order_id": bought["order_id"]}) == (
        f"you bought order {bought['order_id']}; only its seller can add tracking")
    other = world.row("SELECT * FROM orders WHERE buyer != ?1 AND seller != ?1 ORDER BY order_id", ME)
    assert fails(env, world, "get_order_details", {"order_id": other["order_id"]}) == (
        f"order {other['order_id']} is not one of your purchases or sales")


def test_end_listing(env: Any, world: Any) -> None:
    theirs = item(world, f"seller != '{ME}'")
    assert fails(env, world, "end_listing", {"item_id": theirs["item_id"], "reason": "Incorrect"}) == (
        f"item {theirs['item_id']} is sold by {theirs['seller']}; you can only end your own listings")
    mine = item(world, f"seller = '{ME}' AND item_id NOT IN (SELECT item_id FROM bids)")
    assert world.call("end_listing", {"item_id": mine["item_id"], "reason": "NotAvailable"})["status"] == "ENDED"
    assert world.row("SELECT status, end_reason FROM items WHERE item_id = ?", mine["item_id"]) == {
        "status": "ENDED", "end_reason": "NotAvailable"}
    assert fails(env, world, "end_listing", {"item_id": mine["item_id"], "reason": "NotAvailable"}) == (
        f"item {mine['item_id']} has ended; search_items finds active listings")


def test_schema_shows_limits_and_user_known() -> None:
    tools = world_set(ENV)(0).tools
    title = tools["create_listing"][1].parameters["properties"]["title"]
    assert title["maxLength"] == 80
    assert tools["get_order_details"][1].user_known == frozenset({"order_id"})
    assert tools["search_items"][1].parameters["properties"]["limit"]["maximum"] == 50


def test_gold_earns_one_and_wrong_bid_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "place_bid" and not t.user_facts
                and isinstance(t.gold[-1]["arguments"]["max_bid"], int | float))
    calls, answer = gold_calls(task), "Done: " + "; ".join(map(str, task.answer_facts)) + "."
    assert play(env, task.id, calls, answer) == 1.0
    name, arguments = calls[-1]
    wrong = [*calls[:-1], (name, {**arguments, "max_bid": arguments["max_bid"] + 7})]
    assert play(env, task.id, wrong, answer) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer() -> None:
    import gymnasium as gym
    env = gym.make(f"EnvFactory/{ENV}-v0", split=None).unwrapped
    assert_answer_is_graded(env, next(t for t in env.tasks if t.answer_facts and len(t.gold) == 1))
