"""Task templates of EbayServer: bidding, Buy It Now follow-ups, shipping sales and ending listings."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.ebay_server import ME, PRODUCTS, EbayServer

OPEN = "status = 'ACTIVE' AND end_time > '2026-03-03T12:00'"


def unique_item(world: EbayServer, rng: random.Random, where: str, *params: Any) -> dict[str, Any] | None:
    """An active item (meeting ``where``) whose title no other item shares, so naming it is unambiguous."""
    rows = world.rows(f"SELECT * FROM items WHERE {OPEN} AND {where} AND title IN (SELECT title FROM items"
                      " GROUP BY title HAVING COUNT(*) = 1) ORDER BY item_id", *params)
    return rng.choice(rows) if rows else None


def tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(16))
    return f"9405{rng.randrange(10**18):018d}"


@scenario
def bid_with_maximum(world: EbayServer, rng: random.Random) -> Draft | None:
    item = unique_item(world, rng, "listing_format = 'AUCTION' AND seller != ?", ME)
    if item is None:
        return None
    top = round(item["price_cents"] / 100 + rng.choice([15, 25, 40, 60]))
    seller = world.get_item_details(item["item_id"])["seller"]
    return Draft(
        request=rng.choice(["Bid on the '{t}' auction for me, up to ${m} at most, and tell me the seller's feedback "
                            "score.", "I want the '{t}' auction on eBay. My limit is ${m}; put that in as my maximum "
                            "bid. How many feedback points does the seller have?"]).format(t=item["title"], m=top),
        calls=(call("search_items", keywords=item["title"]), call("get_item_details", item_id=item["item_id"]),
               call("place_bid", item_id=item["item_id"], max_bid=top)),
        answer=(seller["feedback_score"],))


@scenario
def bid_the_minimum(world: EbayServer, rng: random.Random) -> Draft | None:
    item = unique_item(world, rng, "listing_format = 'AUCTION' AND seller != ? AND item_id IN"
                                   " (SELECT item_id FROM bids)", ME)
    if item is None:
        return None
    return Draft(
        request=f"Place the lowest bid eBay will accept on the '{item['title']}' auction, and tell me what it was.",
        calls=(call("search_items", keywords=item["title"]), call("get_item_details", item_id=item["item_id"]),
               call("place_bid", item_id=item["item_id"], max_bid=Ref(1, "minimum_bid"))),
        answer=(world.get_item_details(item["item_id"])["minimum_bid"],))


@scenario
def ship_a_sale(world: EbayServer, rng: random.Random) -> Draft | None:
    orders = world.rows("SELECT * FROM orders WHERE seller = ? AND status = 'PAID' ORDER BY order_id", ME)
    if not orders:
        return None
    order, carrier = rng.choice(orders), rng.choice(["USPS", "UPS", "FedEx"])
    number = tracking(rng, carrier)
    calls = (call("get_order_details", order_id=order["order_id"]),
             call("ship_order", order_id=order["order_id"], carrier=carrier, tracking_number=number))
    if rng.random() < 0.5:
        return Draft(request=f"I just dropped off the package for eBay order {order['order_id']} at {carrier}. "
                             "Please mark it shipped; ask me for the tracking number.", calls=calls,
                     ask=(UserFact("tracking number", number, ("tracking", "number")),))
    return Draft(request=f"Mark my sale {order['order_id']} as shipped with {carrier}, tracking {number}, and tell "
                         "me where it is going.", calls=calls, answer=(order["ship_to"],))


@scenario
def ship_oldest_paid_sale(world: EbayServer, rng: random.Random) -> Draft | None:
    orders = world.list_orders(role="seller", status="PAID", limit=50)
    if len(orders) < 2:
        return None
    oldest, carrier = orders[-1], rng.choice(["USPS", "UPS"])
    number = tracking(rng, carrier)
    return Draft(
        request=f"Which of my paid eBay sales has waited longest to ship? Ship it with {carrier} tracking {number} "
                "and tell me what the buyer bought.",
        calls=(call("list_orders", role="seller", status="PAID", limit=50),
               call("ship_order", order_id=oldest["order_id"], carrier=carrier, tracking_number=number)),
        answer=(oldest["title"],))


@scenario
def end_broken_listing(world: EbayServer, rng: random.Random) -> Draft | None:
    item = unique_item(world, rng, "seller = ? AND item_id NOT IN (SELECT item_id FROM bids)", ME)
    if item is None:
        return None
    reason, why = rng.choice([("LostOrBroken", "it got damaged in storage"), ("NotAvailable", "I sold it locally"),
                              ("Incorrect", "the listing has the wrong details")])
    if rng.random() < 0.5:
        return Draft(request=f"Take down my eBay listing '{item['title']}', {why}.",
                     calls=(call("search_items", keywords=item["title"]),
                            call("end_listing", item_id=item["item_id"], reason=reason)))
    return Draft(request=f"Take down my eBay listing '{item['title']}' ({why}) and tell me how many units were "
                         "still unsold.",
                 calls=(call("search_items", keywords=item["title"]), call("get_item_details", item_id=item["item_id"]),
                        call("end_listing", item_id=item["item_id"], reason=reason)),
                 answer=(item["quantity"] - item["sold"],))


@scenario
def relist_cheaper(world: EbayServer, rng: random.Random) -> Draft | None:
    item = unique_item(world, rng, "seller = ? AND listing_format = 'FIXED_PRICE' AND item_id NOT IN"
                                   " (SELECT item_id FROM bids)", ME)
    if item is None:
        return None
    price = round(item["price_cents"] / 100 * 0.8, 2)
    return Draft(
        request=f"My '{item['title']}' isn't selling. End that listing (it's incorrect) and list it again as a new "
                f"{item['condition']} fixed-price listing at ${price:.2f} with the same title, description and "
                "category.",
        calls=(call("search_items", keywords=item["title"]), call("get_item_details", item_id=item["item_id"]),
               call("end_listing", item_id=item["item_id"], reason="Incorrect"),
               call("create_listing", title=item["title"], description=Ref(1, "description"),
                    category_id=Ref(1, "category_id"), price=price, condition=item["condition"],
                    quantity=item["quantity"] - item["sold"])))


@scenario
def list_an_auction(world: EbayServer, rng: random.Random) -> Draft | None:
    leaf = rng.choice(world.rows("SELECT c.* FROM categories c WHERE marketplace_id = 'EBAY_US' AND parent_id"
                                 " IS NOT NULL ORDER BY category_id"))
    title = f"{rng.choice(PRODUCTS[leaf['category_id']])} {rng.choice(['- Barely Used', 'Lot', 'w/ Charger', '+ Case'])}"
    start, days = rng.choice([9.99, 19.99, 49.0]), rng.choice([3, 5, 7])
    return Draft(
        request=f"Start a {days}-day eBay auction for '{title}' in the {leaf['name']} category, used condition, "
                f"bidding from ${start}. Description: 'Sold as shown, ships in 2 days.'",
        calls=(call("get_categories"),
               call("create_listing", title=title, description="Sold as shown, ships in 2 days.",
                    category_id=leaf["category_id"], price=start, condition="USED", listing_format="AUCTION",
                    duration_days=days)))


@scenario
def buy_cheapest(world: EbayServer, rng: random.Random) -> Draft | None:
    category = rng.choice(sorted(PRODUCTS))
    product = rng.choice(PRODUCTS[category])
    found = world.search_items(keywords=product, category_id=category, sort="price_asc", limit=50)["items"]
    found = [i for i in found if i["listing_format"] == "FIXED_PRICE" and i["seller"] != ME]
    if len(found) < 2 or found[0]["price"] == found[1]["price"]:
        return None
    total = world.get_item_details(found[0]["item_id"])
    return Draft(
        request=f"Buy the cheapest Buy It Now '{product}' on eBay for me (not an auction) and tell me the order "
                "total with shipping.",
        calls=(call("search_items", keywords=product, category_id=category, sort="price_asc", limit=50),
               call("buy_item", item_id=found[0]["item_id"])),
        answer=(round(total["price"] + total["shipping_cost"], 2),))
