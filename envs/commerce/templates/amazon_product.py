"""Task templates of AmazonProduct: choosing a variation for the cart, changing the cart, wish list to cart."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.amazon_product import AmazonProduct


def titled(title: str) -> Any:
    """A transform picking the ASIN of the item with this title from a list of items (for Ref)."""
    return lambda items: next(i["asin"] for i in items if i["title"] == title)


def variation(world: AmazonProduct, rng: random.Random, spare: int = 2) -> dict[str, Any]:
    """A variation that can be bought ``spare`` times, with its parent's title."""
    return rng.choice(world.rows(
        "SELECT c.*, p.title AS product FROM items c JOIN items p ON p.asin = c.parent_asin WHERE c.stock >= ?1"
        " AND c.max_per_customer >= ?1 AND c.asin NOT IN (SELECT asin FROM cart) ORDER BY c.asin", spare))


@scenario
def buy_a_variation(world: AmazonProduct, rng: random.Random) -> Draft:
    item = variation(world, rng)
    quantity = rng.choice([1, 2])
    choice = item["variation"].split(": ", 1)[1]
    asked = rng.random() < 0.35
    return Draft(
        request=(f"Put {quantity} of the {item['product']} in my cart" +
                 (", the one in " + choice + "." if not asked else ". I'll tell you which option I want.")),
        calls=(call("search_items", keywords=item["product"]),
               call("get_variations", asin=Ref(0, "items", then=titled(item["product"]))),
               call("add_to_cart", asin=Ref(1, "items", then=titled(item["title"])), quantity=quantity)),
        ask=(UserFact("option", choice, ("color", "size", "format", "option", "which")),) if asked else ())


@scenario
def change_cart_quantity(world: AmazonProduct, rng: random.Random) -> Draft | None:
    lines = world.rows("SELECT c.quantity, i.* FROM cart c JOIN items i USING (asin) WHERE i.stock >= 2"
                       " AND i.max_per_customer >= 2 ORDER BY asin")
    if not lines:
        return None
    line = rng.choice(lines)
    quantity = rng.choice([0, 2])
    cart = world.get_cart()
    price = next(c["price"] for c in cart["lines"] if c["asin"] == line["asin"])
    want = "take it out of the cart" if quantity == 0 else "make it 2 instead of 1"
    return Draft(request=f"About the '{line['title']}' in my Amazon cart: {want}, then tell me the new subtotal.",
                 calls=(call("get_cart"), call("update_cart_item", asin=line["asin"], quantity=quantity)),
                 answer=(round(cart["subtotal"] + (quantity - 1) * price, 2),))


@scenario
def wish_list_to_cart(world: AmazonProduct, rng: random.Random) -> Draft | None:
    saved = world.rows("SELECT w.list_name, i.* FROM wish_list_items w JOIN items i USING (asin) WHERE i.stock > 0"
                       " AND i.asin NOT IN (SELECT asin FROM cart) ORDER BY i.asin")
    if not saved:
        return None
    item = rng.choice(saved)
    return Draft(
        request=(f"I've decided to buy the '{item['title']}' from my {item['list_name']} list. Move it into my cart "
                 "and off the list."),
        calls=(call("get_wish_list", list_name=item["list_name"]),
               call("add_to_cart", asin=item["asin"], quantity=1),
               call("remove_from_wish_list", asin=item["asin"], list_name=item["list_name"])))


@scenario
def grab_a_lightning_deal(world: AmazonProduct, rng: random.Random) -> Draft | None:
    deals = world.rows("SELECT d.*, i.title FROM deals d JOIN items i USING (asin) WHERE d.deal_type ="
                       " 'LIGHTNING_DEAL' AND d.asin NOT IN (SELECT asin FROM cart) ORDER BY d.ends, d.deal_id")
    if not deals:
        return None
    deal = deals[0]
    if len(deals) > 1 and deals[1]["ends"] == deal["ends"]:
        return None
    return Draft(
        request="Which lightning deal on Amazon ends first? Add one of it to my cart and tell me the deal price.",
        calls=(call("get_deals", deal_types=["LIGHTNING_DEAL"]), call("add_to_cart", asin=deal["asin"])),
        answer=(round(deal["deal_cents"] / 100, 2),))
