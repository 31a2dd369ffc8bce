"""Task templates of FakeStoreServer: shoppers signing in to change their cart, and questions about it."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.fake_store_server import CATALOG, FakeStoreServer


def shopper(world: FakeStoreServer, rng: random.Random, lines: int = 2) -> tuple[dict[str, Any], dict[str, Any]]:
    """A user whose open cart holds at least ``lines`` products, and that cart."""
    users = world.rows("SELECT * FROM users ORDER BY id")
    while True:
        user = rng.choice(users)
        cart = world.get_user_cart(user["id"])
        if len(cart["products"]) >= lines:
            return user, cart


def login(user: dict[str, Any]) -> Any:
    return call("user_login", username=user["username"], password=user["password"])


@scenario
def drop_from_cart(world: FakeStoreServer, rng: random.Random) -> Draft:
    user, cart = shopper(world, rng)
    line = rng.choice(cart["products"])
    asked = rng.random() < 0.4
    secret = "my password (I'll tell you when you need it)" if asked else f"password {user['password']}"
    return Draft(
        request=rng.choice(["I'm {u} on the store, {p}. Please take the '{t}' out of my cart.",
                            "Remove '{t}' from my shopping cart. My username is {u}, {p}."]).format(
            u=user["username"], p=secret, t=line["title"]),
        calls=(login(user), call("get_user_cart", user_id=Ref(0, "userId")),
               call("remove_from_cart", token=Ref(0, "token"), product_id=line["productId"])),
        ask=(UserFact("password", user["password"], ("password",)),) if asked else ())


@scenario
def cart_total(world: FakeStoreServer, rng: random.Random) -> Draft:
    user, cart = shopper(world, rng)
    total = round(sum(line["price"] * line["quantity"] for line in cart["products"]), 2)
    return Draft(
        request=rng.choice(["How much would my current cart come to? I log in as {u} with password {p}.",
                            "Sign in as {u} (password {p}) and tell me the total of everything in my cart."]).format(
            u=user["username"], p=user["password"]),
        calls=(login(user), call("get_user_cart", user_id=Ref(0, "userId"))),
        answer=(f"{total:.2f}",))


@scenario
def buy_cheapest_in_category(world: FakeStoreServer, rng: random.Random) -> Draft | None:
    user = rng.choice(world.rows("SELECT * FROM users ORDER BY id"))
    category = rng.choice(sorted(CATALOG))
    products = world.get_products_by_category(category)["products"]
    cheapest = min(products, key=lambda p: (p["price"], p["id"]))
    if sum(p["price"] == cheapest["price"] for p in products) > 1:
        return None
    quantity = rng.choice([1, 2, 3])
    return Draft(
        request=(f"Put {quantity} of the cheapest item in {category} into my cart. "
                 f"My login is {user['username']} / {user['password']}."),
        calls=(call("get_products_by_category", category=category), login(user),
               call("add_to_cart", token=Ref(1, "token"), product_id=cheapest["id"], quantity=quantity)))


@scenario
def top_rated_reprice(world: FakeStoreServer, rng: random.Random) -> Draft | None:
    category = rng.choice(sorted(CATALOG))
    products = world.get_products_by_category(category)["products"]
    best = max(products, key=lambda p: (p["rating"]["rate"], p["rating"]["count"]))
    if sum(p["rating"]["rate"] == best["rating"]["rate"] for p in products) > 1:
        return None
    price = round(best["price"] * rng.choice([0.8, 0.9, 1.1]), 2)
    return Draft(
        request=f"Our best-rated {category} product should now sell for ${price:.2f}; please update its price.",
        calls=(call("get_products_by_category", category=category),
               call("update_product", product_id=best["id"], price=price)))
