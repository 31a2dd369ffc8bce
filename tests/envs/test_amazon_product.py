"""Behaviour of the AmazonProduct environment: cart and wish list writes, limits, search and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "AmazonProduct"


def buyable(world: Any, least: int = 3) -> dict[str, Any]:
    """A variation or stand-alone item with stock and a limit of at least ``least``, not in the cart, no deal."""
    return world.row("SELECT * FROM items WHERE price_cents IS NOT NULL AND stock >= ?1 AND max_per_customer >= ?1"
                     " AND asin NOT IN (SELECT asin FROM cart) AND asin NOT IN (SELECT asin FROM deals)"
                     " ORDER BY asin", least)


def test_add_to_cart_then_change_and_remove(env: Any, world: Any) -> None:
    item = buyable(world)
    before = world.call("get_cart", {})
    cart = world.call("add_to_cart", {"asin": item["asin"], "quantity": 2})
    price = item["price_cents"] / 100
    assert cart["lines"][-1] == {"asin": item["asin"], "title": item["title"], "quantity": 2, "price": price,
                                 "line_total": round(price * 2, 2)}
    assert cart["subtotal"] == round(before["subtotal"] + price * 2, 2)
    assert world.row("SELECT quantity, added FROM cart WHERE asin = ?", item["asin"]) == {
        "quantity": 2, "added": "2026-03-02T09:00"}
    world.call("update_cart_item", {"asin": item["asin"], "quantity": 1})
    assert world.value("SELECT quantity FROM cart WHERE asin = ?", item["asin"]) == 1
    assert world.call("update_cart_item", {"asin": item["asin"], "quantity": 0}) == before
    assert fails(env, world, "update_cart_item", {"asin": item["asin"], "quantity": 1}) == (
        f"'{item['title']}' is not in your cart; add it with add_to_cart")


def test_cart_limits(env: Any, world: Any) -> None:
    item = buyable(world)
    limit = item["max_per_customer"]
    if item["stock"] >= limit:
        world.call("add_to_cart", {"asin": item["asin"], "quantity": limit})
        assert fails(env, world, "add_to_cart", {"asin": item["asin"]}) == (
            f"'{item['title']}' is limited to {limit} per customer; {limit + 1} would be over the limit")
    scarce = world.row("SELECT * FROM items WHERE stock BETWEEN 1 AND 3 AND max_per_customer > stock ORDER BY asin")
    assert fails(env, world, "add_to_cart", {"asin": scarce["asin"], "quantity": scarce["stock"] + 1}) == (
        f"only {scarce['stock']} of '{scarce['title']}' left in stock; {scarce['stock'] + 1} requested")
    gone = world.row("SELECT * FROM items WHERE stock = 0 AND price_cents IS NOT NULL ORDER BY asin")
    assert fails(env, world, "add_to_cart", {"asin": gone["asin"]}) == (
        f"'{gone['title']}' is currently unavailable (out of stock)")
    parent = world.row("SELECT * FROM items WHERE price_cents IS NULL ORDER BY asin")
    assert fails(env, world, "add_to_cart", {"asin": parent["asin"]}) == (
        f"{parent['asin']} is the parent of '{parent['title']}' variations and cannot be bought itself; "
        "get_variations lists the ASIN of each variation")


def test_wish_list_add_and_remove(env: Any, world: Any) -> None:
    item = buyable(world, 1)
    listed = world.call("add_to_wish_list", {"asin": item["asin"], "list_name": "home office", "priority": "high"})
    assert listed["list_name"] == "Home Office"
    assert item["asin"] in [i["asin"] for i in listed["items"]]
    assert world.row("SELECT priority, added FROM wish_list_items WHERE asin = ? AND list_name = 'Home Office'",
                     item["asin"]) == {"priority": "high", "added": "2026-03-02T09:00"}
    assert fails(env, world, "add_to_wish_list", {"asin": item["asin"], "list_name": "Home Office"}) == (
        f"'{item['title']}' is already on your Home Office list")
    assert fails(env, world, "add_to_wish_list", {"asin": item["asin"], "list_name": "Gifts"}) == (
        "you have no wish list called 'Gifts'; your lists: Wish List, Birthday Ideas, Home Office")
    world.call("remove_from_wish_list", {"asin": item["asin"], "list_name": "Home Office"})
    assert world.value("SELECT COUNT(*) FROM wish_list_items WHERE asin = ? AND list_name = 'Home Office'",
                       item["asin"]) == 0
    assert fails(env, world, "remove_from_wish_list", {"asin": item["asin"], "list_name": "Home Office"}) == (
        f"{item['asin']} is not on your Home Office list; get_wish_list shows what is")


def test_variations_and_search(env: Any, world: Any) -> None:
    found = world.call("search_items", {"keywords": "hydro flask", "search_index": "SportsAndOutdoors"})
    parent = found["items"][0]
    assert parent["title"] == "Hydro Flask 32 oz Wide Mouth Bottle" and parent["price"] is None
    variations = world.call("get_variations", {"asin": parent["asin"]})
    assert variations["dimension"] == "Color" and variations["variation_count"] == 3
    child = variations["items"][0]
    assert world.call("get_variations", {"asin": child["asin"]})["parent_asin"] == parent["asin"]
    assert world.call("search_items", {"keywords": "hydro flask", "search_index": "Books"})["total_results"] == 0
    only = world.call("get_items", {"asins": [child["asin"]], "resources": ["CustomerReviews"]})[0]
    assert only["title"] is None and only["price"] is None and only["rating"] is not None
    assert fails(env, world, "get_items", {"asins": ["B000000000"]}) == "no item with ASIN 'B000000000'"


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    params = tools["add_to_cart"][1].parameters["properties"]
    assert (params["quantity"]["minimum"], params["quantity"]["maximum"]) == (1, 30)
    assert params["asin"]["pattern"] == "^[A-Z0-9]{10}$"
    assert tools["get_items"][1].parameters["properties"]["asins"]["maxItems"] == 10
    assert "list_name" in tools["add_to_wish_list"][1].user_known


def test_buy_variation_gold_earns_one_and_another_color_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "buy_a_variation", lambda t: t.seed == 0 and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    sibling = world.value("SELECT asin FROM items WHERE parent_asin = (SELECT parent_asin FROM items WHERE asin = ?)"
                          " AND asin != ? AND stock >= 2 ORDER BY asin", arguments["asin"], arguments["asin"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "asin": sibling})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = scenario_task(env, "grab_a_lightning_deal", lambda t: t.seed == 0)
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"Added; the deal price is {task.answer_facts[0]}.") == 1.0
    assert play(env, task.id, calls, answer="Added it to your cart.") == 0.0
