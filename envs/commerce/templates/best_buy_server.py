"""Task templates of BestBuyServer: finding a product, reserving it at a store that has it, and follow-ups."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.best_buy_server import BestBuyServer


def stocked(world: BestBuyServer, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """An active product with a uniquely best-stocked store, and that store."""
    product = rng.choice(world.rows("SELECT * FROM products WHERE active = 1 ORDER BY sku"))
    stores = world.check_store_availability(product["sku"])["stores"]
    if len(stores) < 2 or stores[0]["quantity"] == stores[1]["quantity"]:
        return None
    return product, stores[0]


@scenario
def reserve_where_most_stock(world: BestBuyServer, rng: random.Random) -> Draft | None:
    found = stocked(world, rng)
    if found is None:
        return None
    product, store = found
    name = rng.choice(world.rows("SELECT DISTINCT customerName, email FROM pickups ORDER BY email"))
    quantity = rng.choice([1, 2])
    return Draft(
        request=(f"I want {quantity} of the '{product['name']}' for store pickup, from whichever Best Buy has the most "
                 f"of them. Put it under {name['customerName']}, {name['email']}."),
        calls=(call("search_products", keywords=product["name"]),
               call("check_store_availability", sku=Ref(0, "products.0.sku")),
               call("reserve_for_pickup", sku=product["sku"], store_id=Ref(1, "stores.0.storeId"),
                    customer_name=name["customerName"], email=name["email"], quantity=quantity)))


@scenario
def cancel_my_pickup(world: BestBuyServer, rng: random.Random) -> Draft | None:
    orders = world.rows("SELECT p.*, name FROM pickups p JOIN products USING (sku) WHERE status = 'reserved'"
                        " AND email IN (SELECT email FROM pickups GROUP BY email HAVING COUNT(*) = 1) ORDER BY orderId")
    if not orders:
        return None
    order = rng.choice(orders)
    asked = rng.random() < 0.4
    return Draft(
        request=(f"Please cancel my store pickup of the '{order['name']}'. "
                 + ("I'll give you my email if you need it." if asked else f"My email is {order['email']}.")),
        calls=(call("get_pickup_orders", email=order["email"]),
               call("cancel_pickup", order_id=order["orderId"], email=order["email"])),
        ask=(UserFact("email", order["email"], ("email", "address")),) if asked else ())


@scenario
def cheapest_best_rated(world: BestBuyServer, rng: random.Random) -> Draft | None:
    maker = rng.choice(world.rows("SELECT DISTINCT manufacturer FROM products ORDER BY manufacturer"))["manufacturer"]
    found = world.search_products(maker, limit=100)["products"]
    rated = [p for p in found if p["customerReviewCount"] >= 3]
    if len(rated) < 3:
        return None
    best = max(rated, key=lambda p: (p["customerReviewAverage"], -p["salePrice"]))
    if sum(p["customerReviewAverage"] == best["customerReviewAverage"] for p in rated) > 1:
        return None
    return Draft(
        request=(f"Among {maker} products at Best Buy with at least 3 reviews, which one has the best average "
                 "rating, and what does it cost?"),
        calls=(call("search_products", keywords=maker, limit=100),),
        answer=(best["name"], f"{best['salePrice']:.2f}"))


@scenario
def review_after_pickup(world: BestBuyServer, rng: random.Random) -> Draft | None:
    orders = world.rows("SELECT p.*, name FROM pickups p JOIN products USING (sku) WHERE status = 'picked_up'"
                        " AND active = 1 AND email IN (SELECT email FROM pickups GROUP BY email HAVING COUNT(*) = 1)"
                        " ORDER BY orderId")
    if not orders:
        return None
    order = rng.choice(orders)
    stars = rng.choice([2, 4, 5])
    handle = order["customerName"].split()[0].lower() + str(rng.randrange(10, 99))
    text = {2: "Stopped pairing after a week and support was slow.", 4: "Works well, setup took a few minutes.",
            5: "Great value, does everything I hoped for and more."}[stars]
    return Draft(
        request=(f"I picked up my Best Buy order ({order['email']}) and want to review that product: {stars} stars, "
                 f"title 'My take', text '{text}', posted as {handle}."),
        calls=(call("get_pickup_orders", email=order["email"]),
               call("add_review", sku=Ref(0, "0.sku"), rating=stars, title="My take", comment=text,
                    reviewer=handle)))
