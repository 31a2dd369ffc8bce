"""Task templates of ShopifyEcommerce: a merchant placing orders for customers and handling open orders."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.shopify_ecommerce import ShopifyEcommerce


def in_stock(world: ShopifyEcommerce, rng: random.Random, least: int = 2) -> dict[str, Any]:
    """A variant of an active product with at least ``least`` units, with its product's title and type."""
    return rng.choice(world.rows(
        "SELECT v.*, p.title AS product, p.product_type FROM variants v JOIN products p ON p.id = v.product_id"
        " WHERE p.status = 'active' AND v.inventory_quantity >= ? AND p.title IN (SELECT title FROM products)"
        " ORDER BY v.id", least))


def variant_of(title: str, option: str) -> Any:
    """A transform picking a variant id from get_products by product title and variant title (for Ref)."""
    return lambda products: next(v["id"] for p in products if p["title"] == title
                                 for v in p["variants"] if v["title"] == option)


@scenario
def order_for_customer(world: ShopifyEcommerce, rng: random.Random) -> Draft:
    variant = in_stock(world, rng)
    buyer = rng.choice(world.rows("SELECT * FROM customers ORDER BY id"))
    quantity = rng.choice([1, 2])
    paid = rng.random() < 0.6
    return Draft(
        request=(f"{buyer['first_name']} {buyer['last_name']} ({buyer['email']}) called to order {quantity} x "
                 f"'{variant['product']}' in {variant['title']}. " +
                 ("They already paid by phone." if paid else "They'll pay later, so leave the payment pending.")),
        calls=(call("get_customers", email=buyer["email"]),
               call("get_products", product_type=variant["product_type"]),
               call("create_order", line_items=[{"variant_id": Ref(1, "products", then=variant_of(
                   variant["product"], variant["title"])), "quantity": quantity}],
                    customer={"email": buyer["email"]}, financial_status="paid" if paid else "pending")))


@scenario
def order_for_new_customer(world: ShopifyEcommerce, rng: random.Random) -> Draft:
    variant = in_stock(world, rng, 1)
    first, last = rng.choice(["Ines", "Marco", "Priya", "Tomas", "Yuki"]), rng.choice(["Okafor", "Lind", "Reyes"])
    email = f"{first}.{last}@fastmail.com".lower()
    return Draft(
        request=(f"New customer {first} {last}, {email}, just paid for one '{variant['product']}' "
                 f"({variant['title']}). Please put the order in."),
        calls=(call("get_products", product_type=variant["product_type"]),
               call("create_order", line_items=[{"variant_id": Ref(0, "products", then=variant_of(
                   variant["product"], variant["title"])), "quantity": 1}],
                    customer={"email": email, "first_name": first, "last_name": last}, financial_status="paid")))


@scenario
def cancel_open_order(world: ShopifyEcommerce, rng: random.Random) -> Draft:
    order = rng.choice(world.rows("SELECT * FROM orders WHERE cancelled_at IS NULL AND fulfillment_status IS NULL"
                                  " ORDER BY id"))
    asked = rng.random() < 0.4
    return Draft(
        request=(f"The customer of order {order['name']} changed their mind; cancel it and put the items back in stock."
                 if not asked else "A customer changed their mind; cancel their order and restock it. "
                 "I'll give you the order number."),
        calls=(call("get_orders", name=order["name"]),
               call("cancel_order", order_id=Ref(0, "orders.0.id"), reason="customer", restock=True)),
        ask=(UserFact("order number", order["name"], ("order", "number")),) if asked else ())


@scenario
def ship_paid_orders_of(world: ShopifyEcommerce, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT email, MIN(id) AS id, COUNT(*) AS n FROM orders WHERE cancelled_at IS NULL AND"
                      " fulfillment_status IS NULL AND financial_status = 'paid' GROUP BY email HAVING n = 1"
                      " ORDER BY email")
    if not rows:
        return None
    row = rng.choice(rows)
    return Draft(
        request=f"Ship the paid, unfulfilled order of {row['email']}.",
        calls=(call("get_orders", email=row["email"]), call("fulfill_order", order_id=row["id"])))
