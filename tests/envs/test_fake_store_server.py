"""Behaviour of FakeStoreServer: login tokens, cart writes, catalog writes, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "FakeStoreServer"


def login(world: Any, user_id: int = 3) -> tuple[dict[str, Any], str]:
    user = world.row("SELECT * FROM users WHERE id = ?", user_id)
    return user, world.call("user_login", {"username": user["username"], "password": user["password"]})["token"]


def test_add_to_cart_adds_to_the_open_cart_and_caps_a_line(env: Any, world: Any) -> None:
    user, token = login(world)
    cart = world.call("get_user_cart", {"user_id": user["id"]})
    product = world.value("SELECT id FROM products WHERE id NOT IN (SELECT productId FROM cart_items WHERE cartId = ?)"
                          " ORDER BY id", cart["id"])
    after = world.call("add_to_cart", {"token": token, "product_id": product, "quantity": 4})
    assert after["id"] == cart["id"] and len(after["products"]) == len(cart["products"]) + 1
    assert world.value("SELECT quantity FROM cart_items WHERE cartId = ? AND productId = ?", cart["id"], product) == 4
    world.call("add_to_cart", {"token": token, "product_id": product, "quantity": 6})
    title = world.value("SELECT title FROM products WHERE id = ?", product)
    assert fails(env, world, "add_to_cart", {"token": token, "product_id": product}) == (
        f"a cart holds at most 10 of one product; there are already 10 of '{title}' in cart {cart['id']}")
    removed = world.call("remove_from_cart", {"token": token, "product_id": product})
    assert removed["products"] == cart["products"]
    assert fails(env, world, "remove_from_cart", {"token": token, "product_id": product}) == (
        f"product {product} is not in the open cart of user {user['id']}; get_user_cart shows it")


def test_login_and_token_errors(env: Any, world: Any) -> None:
    user, token = login(world)
    assert fails(env, world, "user_login", {"username": user["username"], "password": "nope"}) == (
        f"username and password do not match for '{user['username']}'")
    assert fails(env, world, "user_login", {"username": "nobody_here", "password": "x"}) == "no user named 'nobody_here'"
    forged = token[:-4] + "0000"
    assert fails(env, world, "add_to_cart", {"token": forged, "product_id": 1}) == (
        "invalid or expired token; log in with user_login and use the token it returns")
    assert fails(env, world, "add_to_cart", {"token": token, "product_id": 9999}) == (
        "no product with id 9999; get_all_products or get_products_by_category list them")


def test_catalog_writes_and_their_rules(env: Any, world: Any) -> None:
    created = world.call("create_product", {"title": "Trail Lamp", "price": 19.5, "description": "A small lamp.",
                                            "category": "electronics", "image": "https://img.example/lamp.jpg"})
    assert created["rating"] == {"rate": 0, "count": 0} and created["price"] == 19.5
    assert created["id"] == world.value("SELECT MAX(id) FROM products")
    listed = world.call("get_products_by_category", {"category": "electronics"})["products"]
    assert created in listed
    duplicate = {"title": "Trail Lamp", "price": 5, "description": "x", "category": "jewelery",
                 "image": "https://img.example/x.jpg"}
    assert fails(env, world, "create_product", duplicate) == (
        "a product titled 'Trail Lamp' already exists; update_product changes it")
    assert world.call("update_product", {"product_id": created["id"], "price": 17})["price"] == 17
    assert fails(env, world, "update_product", {"product_id": created["id"]}) == (
        "give at least one of title, price or description to change")
    assert world.call("delete_product", {"product_id": created["id"]}) == {"id": created["id"], "deleted": True}
    assert fails(env, world, "get_product_by_id", {"product_id": created["id"]}).startswith(
        f"no product with id {created['id']}")


def test_schema_shows_limits_and_user_known_inputs() -> None:
    tools = world_set(ENV)(0).tools
    quantity = tools["add_to_cart"][1].parameters["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 10)
    assert tools["user_login"][1].user_known == frozenset({"username", "password"})
    assert "electronics" in tools["get_products_by_category"][1].parameters["properties"]["category"]["enum"]


def test_carts_filter_by_date(env: Any, world: Any) -> None:
    found = world.call("get_all_carts", {"startdate": "2026-02-01", "enddate": "2026-02-28", "limit": 100})["carts"]
    assert found and all("2026-02-01" <= c["date"] <= "2026-02-28" for c in found)
    assert fails(env, world, "get_all_carts", {"startdate": "2026-02-10", "enddate": "2026-02-01"}) == (
        "enddate must not be before startdate")


def test_gold_earns_one_and_a_wrong_product_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "drop_from_cart", lambda t: not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = world.value("SELECT id FROM products WHERE id != ? ORDER BY id", arguments["product_id"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "product_id": other})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_cart_total_is_graded(env: Any) -> None:
    assert_answer_is_graded(env, scenario_task(env, "cart_total"))
