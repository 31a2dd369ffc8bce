"""Task templates of EtsyServer: a shop owner publishing, renewing and restocking listings and shipping orders."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.etsy_server import MY_SHOP, TAXONOMY, EtsyServer


def my_listing(world: EtsyServer, rng: random.Random, state: str) -> dict[str, Any] | None:
    """A listing of the user's shop in ``state`` whose title is unique in the shop."""
    rows = world.rows("SELECT l.* FROM listings l JOIN shops s USING (shop_id) WHERE s.shop_name = ? AND l.state = ?"
                      " AND l.title IN (SELECT title FROM listings WHERE shop_id = s.shop_id GROUP BY title"
                      " HAVING COUNT(*) = 1) ORDER BY l.listing_id", MY_SHOP, state)
    return rng.choice(rows) if rows else None


def shop_lookup(state: str) -> tuple[Any, ...]:
    return (call("find_shops", shop_name=MY_SHOP), call("get_shop_listings", shop_id=Ref(0, "0.shop_id"),
                                                        status=state, limit=100))


def tracking(rng: random.Random) -> str:
    return f"9400{rng.randrange(10**18):018d}"


@scenario
def publish_draft(world: EtsyServer, rng: random.Random) -> Draft | None:
    listing = my_listing(world, rng, "draft")
    if listing is None:
        return None
    return Draft(request=rng.choice(["My draft '{t}' in {s} is ready; put it live, please.",
                                     "Publish the '{t}' draft in my Etsy shop {s}."]).format(t=listing["title"], s=MY_SHOP),
                 calls=(*shop_lookup("draft"), call("publish_listing", listing_id=listing["listing_id"])))


@scenario
def renew_expired(world: EtsyServer, rng: random.Random) -> Draft | None:
    listing = my_listing(world, rng, "expired")
    if listing is None:
        return None
    return Draft(request=f"My Etsy listing '{listing['title']}' in {MY_SHOP} expired. Renew it and tell me until "
                         "when it will run.",
                 calls=(*shop_lookup("expired"), call("renew_listing", listing_id=listing["listing_id"])),
                 answer=("2026-06-30",))


@scenario
def restock_sold_out(world: EtsyServer, rng: random.Random) -> Draft | None:
    listing = my_listing(world, rng, "sold_out")
    if listing is None:
        return None
    quantity = rng.randrange(3, 20)
    request = f"I made more of '{listing['title']}' for {MY_SHOP}, which sold out. Bring the listing back"
    if rng.random() < 0.5:
        return Draft(request=request + "; ask me how many I have.",
                     calls=(*shop_lookup("sold_out"), call("renew_listing", listing_id=listing["listing_id"],
                                                           quantity=quantity)),
                     ask=(UserFact("how many in stock", str(quantity), ("how many", "quantity", "stock")),))
    return Draft(request=request + f" with {quantity} in stock.",
                 calls=(*shop_lookup("sold_out"), call("renew_listing", listing_id=listing["listing_id"],
                                                       quantity=quantity)))


@scenario
def ship_order_of_buyer(world: EtsyServer, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT r.* FROM receipts r JOIN shops s USING (shop_id) WHERE s.shop_name = ? AND"
                      " r.status = 'paid' AND r.buyer_name IN (SELECT buyer_name FROM receipts GROUP BY buyer_name"
                      " HAVING COUNT(*) = 1) ORDER BY receipt_id", MY_SHOP)
    if not rows:
        return None
    receipt, code = rng.choice(rows), tracking(rng)
    return Draft(request=f"I shipped {receipt['buyer_name']}'s order from {MY_SHOP} by USPS, tracking {code}. "
                         "Mark it shipped and tell me the order total.",
                 calls=(call("find_shops", shop_name=MY_SHOP), call("get_receipts", shop_id=Ref(0, "0.shop_id"),
                                                                   limit=100),
                        call("create_receipt_shipment", receipt_id=receipt["receipt_id"], carrier_name="usps",
                             tracking_code=code)),
                 answer=(world.rows("SELECT SUM(price_cents * quantity) / 100.0 AS t FROM transactions WHERE"
                                    " receipt_id = ?", receipt["receipt_id"])[0]["t"],))


@scenario
def ship_order_number(world: EtsyServer, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT r.* FROM receipts r JOIN shops s USING (shop_id) WHERE s.shop_name = ? AND"
                      " r.status = 'paid' ORDER BY receipt_id", MY_SHOP)
    receipt, carrier, code = rng.choice(rows), rng.choice(["ups", "fedex", "usps"]), tracking(rng)
    return Draft(request=f"Etsy order {receipt['receipt_id']} went out with {carrier.upper()} today. Please add the "
                         "tracking; I'll give you the code when you ask.",
                 calls=(call("create_receipt_shipment", receipt_id=receipt["receipt_id"], carrier_name=carrier,
                             tracking_code=code),),
                 ask=(UserFact("tracking code", code, ("tracking", "code")),))


@scenario
def new_listing_live(world: EtsyServer, rng: random.Random) -> Draft | None:
    taxonomy = rng.choice(sorted(t for t in TAXONOMY if t != 1380))
    name, _, items = TAXONOMY[taxonomy]
    base, materials, price = rng.choice(items)
    title, quantity = f"{rng.choice(['Spring', 'Limited Edition', 'Hand Painted'])} {base}", rng.randrange(2, 15)
    return Draft(
        request=f"Add '{title}' to my Etsy shop {MY_SHOP} under {name}: ${price} each, {quantity} in stock, "
                f"described as 'Made by hand with {materials}.' Then publish it right away.",
        calls=(call("find_shops", shop_name=MY_SHOP), call("get_taxonomy"),
               call("create_listing", shop_id=Ref(0, "0.shop_id"), title=title,
                    description=f"Made by hand with {materials}.", price=price, quantity=quantity,
                    taxonomy_id=taxonomy),
               call("publish_listing", listing_id=Ref(2, "listing_id"))))


@scenario
def favorite_cheapest(world: EtsyServer, rng: random.Random) -> Draft | None:
    name = rng.choice([v[0] for v in TAXONOMY.values()])
    base = rng.choice(next(v[2] for v in TAXONOMY.values() if v[0] == name))[0]
    found = world.search_listings(keywords=base, category=name, limit=100)["results"]
    found = [x for x in found if x["shop_name"] != MY_SHOP]
    if len(found) < 2 or found[0]["price"] == found[1]["price"] or world.value(
            "SELECT 1 FROM favorites WHERE listing_id = ?", found[0]["listing_id"]):
        return None
    return Draft(request=f"Find the cheapest '{base}' on Etsy in {name} from another shop, favorite it, and tell me "
                         "which shop sells it and for how much.",
                 calls=(call("search_listings", keywords=base, category=name, limit=100),
                        call("favorite_listing", listing_id=found[0]["listing_id"])),
                 answer=(found[0]["shop_name"], found[0]["price"]))
