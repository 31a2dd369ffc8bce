"""Cross-environment task templates of the Commerce domain: a shopper, a seller and a property investor chaining the
services they use.

- AmazonProduct + BestBuyServer: buy a pair of headphones at the store that sells that colour for less.
- AmazonProduct + PriceComparison: buy on Amazon only when today's price beats the tracker's record low, otherwise
  set a price alert at that low.
- EbayServer + BestBuyServer: a new console from the cheaper of eBay's new Buy It Now listings and Best Buy.
- PriceComparison + EbayServer: list a used gadget on eBay priced under what stores charge for a new one.
- EtsyServer + ShopifyEcommerce: ship an Etsy order from the Shopify warehouse stock; copy an Etsy listing to the
  Shopify store.
- FakeStoreServer + EtsyServer: swap a mass-produced ring in the FakeStore cart for a handmade one favorited on Etsy.
- RentCast + AttomRealEstate + ZillowRealEstate: homes to trade a rental for, kept when valued below it; the
  better rent yield of two markets (Zillow and RentCast cover different cities).

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`. Many tool names are shared by two members
(``search_items``, ``add_to_cart``, ``create_listing``, ``get_property_valuation``...) and offered prefixed, so every
gold call goes through :func:`member_call`. The members' catalogues are their own: where two stores sell the same
product the templates match it by name (``SAME_PRODUCT``); the property services cover different cities, so no
address is on file in two of them.
"""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.commerce.ebay_server import ME as EBAY_ME
from envs.commerce.etsy_server import MY_SHOP

FIRST = ["Maya", "Daniel", "Priya", "Lucas", "Hannah", "Omar", "Grace", "Ethan", "Sofia", "Noah", "Chloe", "Jonah"]
LAST = ["Reyes", "Thornton", "Okafor", "Lindqvist", "Haddad", "Moreau", "Castillo", "Whitfield", "Nakamura", "Brennan"]
HEADPHONES = "Sony WH-1000XM5 Wireless Noise Canceling Headphones"
#: product -> (Amazon title, Best Buy name) of the same headphones in each colour both stores may carry.
COLOURS = ("Black", "Midnight Blue")
#: The same product in the price tracker and on Amazon: tracker name -> (Amazon title of the item bought, what the
#: user calls it, Amazon search words, Amazon parent title or None for an item without variations).
SAME_PRODUCT = {
    "Sony WH-1000XM5 Wireless Headphones": [
        (f"{HEADPHONES}, {c}", f"Sony WH-1000XM5 headphones in {c.lower()}", "Sony WH-1000XM5", HEADPHONES)
        for c in ("Black", "Silver", "Midnight Blue")],
    "Apple AirPods Pro (2nd generation)": [
        ("Apple AirPods Pro (2nd Generation) with USB-C", "AirPods Pro (2nd generation)", "AirPods Pro", None)],
    "Samsung 32-inch Odyssey G5 Monitor": [
        ("Samsung Odyssey G5 Curved Gaming Monitor, 32-inch", "32-inch Samsung Odyssey G5 monitor", "Odyssey G5",
         "Samsung Odyssey G5 Curved Gaming Monitor")],
}
#: console the user asks for -> (eBay search words, Best Buy search words, Best Buy name of the standard console).
CONSOLES = {
    "Nintendo Switch OLED": ("Nintendo Switch OLED", "Switch OLED", "Nintendo - Switch OLED Model - Standard"),
    "Xbox Series X": ("Xbox Series X", "Xbox Series X", "Microsoft - Xbox Series X 1TB Console - Standard"),
    "PlayStation 5": ("PlayStation 5", "PlayStation 5", "Sony - PlayStation 5 Slim Console - Standard"),
}
EBAY_CONSOLES = "139971"
#: tracker product -> (eBay leaf category, how the user names their used one).
RESALE = {
    "Nintendo Switch OLED Model": ("139971", "Nintendo Switch OLED"),
    "PlayStation 5 Slim Digital Edition": ("139971", "PS5 Slim Digital Edition"),
    "Xbox Series S 1TB": ("139971", "Xbox Series S 1TB"),
    "Amazon Kindle Paperwhite 16GB": ("171485", "Kindle Paperwhite 16GB"),
    "Kobo Clara 2E": ("171485", "Kobo Clara 2E e-reader"),
    "Apple iPad Air 11-inch M2": ("171485", "iPad Air 11-inch (M2)"),
    "Samsung Galaxy Tab S9 FE": ("171485", "Galaxy Tab S9 FE"),
    "Canon EOS R50 Kit": ("31388", "Canon EOS R50 kit"),
    "GoPro HERO12 Black": ("31388", "GoPro HERO12 Black"),
}
#: Etsy taxonomy id -> the Shopify product type of the same kind of goods.
ETSY_TO_SHOPIFY = {1002: "Mug", 1633: "Candle", 1210: "Tote Bag"}
US = 1  # the price tracker's point of sale for the United States


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first}.{last}@{rng.choice(['gmail.com', 'outlook.com', 'fastmail.com'])}".lower()


def unique_min(options: list[Any], key: Any) -> Any | None:
    """The option with the smallest key, or None when two share it."""
    if not options:
        return None
    ranked = sorted(options, key=key)
    if len(ranked) > 1 and key(ranked[0]) == key(ranked[1]):
        return None
    return ranked[0]


def balanced(options: list[Any], branch: Any, rng: random.Random) -> Any:
    """An option, drawn so that both outcomes of ``branch`` come up alike when both are possible."""
    if not options:
        return None
    want = rng.random() < 0.5
    return rng.choice([o for o in options if branch(o) == want] or options)


def pickup_store(world: WorldSet, rng: random.Random, sku: int) -> dict[str, Any] | None:
    """A Best Buy store holding the SKU whose city has no other Best Buy store (the user names their city)."""
    bestbuy = world.worlds["BestBuyServer"]
    stores = [s for s in bestbuy.check_store_availability(sku)["stores"]
              if bestbuy.value("SELECT COUNT(*) FROM stores WHERE lower(city) = lower(?)", s["city"]) == 1]
    return rng.choice(stores) if stores else None


def reserve_calls(world: WorldSet, sku: int, store: dict[str, Any], name: str, email: str) -> tuple[Call, ...]:
    return (member_call(world, "BestBuyServer", "check_store_availability", sku=sku),
            member_call(world, "BestBuyServer", "reserve_for_pickup", sku=sku, store_id=store["storeId"],
                        customer_name=name, email=email, quantity=1))


# ------------------------------------------------------------------------------ AmazonProduct + BestBuyServer
@scenario
def headphones_where_cheaper(world: WorldSet, rng: random.Random) -> Draft | None:
    amazon, bestbuy = world.worlds["AmazonProduct"], world.worlds["BestBuyServer"]
    options = []
    for colour in COLOURS:
        item = amazon.row("SELECT * FROM items WHERE title = ? AND stock > 0 AND asin NOT IN (SELECT asin FROM cart)",
                          f"{HEADPHONES}, {colour}")
        product = bestbuy.row("SELECT * FROM products WHERE name = ? AND active = 1",
                              f"Sony - WH-1000XM5 Wireless Noise Canceling - {colour}")
        if item and product:
            options.append((colour, item, product))
    if not options:
        return None
    priced = [(c, i, p, amazon.get_items([i["asin"]])[0]["price"], bestbuy.get_product_details(p["sku"])["salePrice"])
              for c, i, p in options]
    priced = [o for o in priced if o[3] != o[4] and (o[3] < o[4] or pickup_store(world, rng, o[2]["sku"]))]
    if not priced:
        return None
    colour, item, product, amazon_price, bestbuy_price = balanced(priced, lambda o: o[3] < o[4], rng)
    name, email = person(rng)
    store = pickup_store(world, rng, product["sku"])
    city = store["city"] if store else rng.choice(bestbuy.rows("SELECT city FROM stores ORDER BY storeId"))["city"]
    reads = (member_call(world, "AmazonProduct", "search_items", keywords="Sony WH-1000XM5"),
             member_call(world, "AmazonProduct", "get_variations",
                         asin=Ref(0, "items", then=pick("asin", title=HEADPHONES))),
             member_call(world, "BestBuyServer", "search_products", keywords="WH-1000XM5"))
    if amazon_price < bestbuy_price:
        buy: tuple[Call, ...] = (member_call(world, "AmazonProduct", "add_to_cart", asin=item["asin"], quantity=1),)
    else:
        buy = reserve_calls(world, product["sku"], store, name, email)
    return Draft(
        request=rng.choice([
            ("I want the Sony WH-1000XM5 headphones in {c}. Check what Amazon and Best Buy charge for that colour and "
             "get them wherever it's cheaper: on Amazon just put one in my cart; at Best Buy reserve one for pickup "
             "at the {city} store for {n} ({e})."),
            ("Buy me one pair of Sony WH-1000XM5 in {c} from whichever of Amazon or Best Buy sells that colour for "
             "less. Amazon: add it to my cart. Best Buy: hold it for store pickup in {city}, name {n}, email {e}."),
        ]).format(c=colour.lower(), city=city, n=name, e=email),
        calls=(*reads, *buy))


# ---------------------------------------------------------------------------- AmazonProduct + PriceComparison
@scenario
def amazon_price_or_alert(world: WorldSet, rng: random.Random) -> Draft | None:
    amazon, tracker = world.worlds["AmazonProduct"], world.worlds["PriceComparison"]
    if tracker.value("SELECT COUNT(*) FROM alerts WHERE status = 'active'") >= 8:
        return None
    options = []
    for tracked, variants in SAME_PRODUCT.items():
        pid = tracker.value("SELECT pid FROM products WHERE name = ?", tracked)
        if pid is None or not tracker.value("SELECT 1 FROM prices WHERE pid = ? AND pos = ?", pid, US):
            continue
        if tracker.value("SELECT 1 FROM alerts WHERE pid = ? AND pos = ?", pid, US):
            continue
        for title, spoken, words, parent in variants:
            item = amazon.row("SELECT * FROM items WHERE title = ? AND stock > 0 AND asin NOT IN (SELECT asin FROM"
                              " cart)", title)
            if item:
                options.append((pid, item, spoken, words, parent))
    priced = []
    for pid, item, spoken, words, parent in options:
        low = tracker.get_price_history(pid, US)["lowest_price"]
        in_stock = [o["price"] for o in tracker.compare_price(pid, US)["retailers"] if o["in_stock"]]
        price = amazon.get_items([item["asin"]])[0]["price"]
        if price == low or (price > low and in_stock and low >= min(in_stock)):
            continue  # a tie, or no alert can be set at the record low (a store sells at or below it today)
        priced.append((pid, item, spoken, words, parent, low, price))
    if not priced:
        return None
    pid, item, spoken, words, parent, low, price = balanced(priced, lambda o: o[6] < o[5], rng)
    reads = [member_call(world, "PriceComparison", "get_pid_pos_details", name=words, country="United States"),
             member_call(world, "PriceComparison", "get_price_history", pid=pid, pos=US),
             member_call(world, "AmazonProduct", "search_items", keywords=words)]
    if parent:
        reads.append(member_call(world, "AmazonProduct", "get_variations",
                                 asin=Ref(2, "items", then=pick("asin", title=parent))))
    act = (member_call(world, "AmazonProduct", "add_to_cart", asin=item["asin"], quantity=1) if price < low else
           member_call(world, "PriceComparison", "create_price_alert", pid=pid, pos=US, target_price=low))
    return Draft(
        request=rng.choice([
            ("I'm after the {p}. If Amazon's price today is below the lowest US price my price tracker has ever "
             "recorded for it, put one in my Amazon cart. If not, set a US price alert in the tracker (any store) "
             "at exactly that record low."),
            ("Is Amazon's current price for the {p} lower than the all-time US low in the price tracker's history? "
             "Yes: add one to my Amazon cart. No: create a tracker alert for the US market at that record-low "
             "price, not tied to a store."),
        ]).format(p=spoken),
        calls=(*reads, act))


# ------------------------------------------------------------------------------- EbayServer + BestBuyServer
@scenario
def new_console_cheapest(world: WorldSet, rng: random.Random) -> Draft | None:
    ebay, bestbuy = world.worlds["EbayServer"], world.worlds["BestBuyServer"]
    now = ebay.now().strftime("%Y-%m-%dT%H:%M")
    options = []
    for console, (words, bb_words, standard) in CONSOLES.items():
        product = bestbuy.row("SELECT * FROM products WHERE name = ? AND active = 1", standard)
        listings = ebay.rows("SELECT * FROM items WHERE category_id = ? AND status = 'ACTIVE' AND end_time > ?"
                             " AND listing_format = 'FIXED_PRICE' AND condition = 'NEW' AND quantity > sold"
                             " AND (title LIKE ?3 OR description LIKE ?3) ORDER BY item_id", EBAY_CONSOLES, now,
                             f"%{words}%")
        best = unique_min(listings, lambda i: i["price_cents"] + i["shipping_cents"])
        if product and best and best["seller"] != EBAY_ME:
            options.append((console, words, bb_words, product, best))
    if not options:
        return None
    console, words, bb_words, product, best = rng.choice(options)
    ebay_total = (best["price_cents"] + best["shipping_cents"]) / 100
    price = bestbuy.get_product_details(product["sku"])["salePrice"]
    if round(ebay_total, 2) == price:
        return None
    name, email = person(rng)
    store = pickup_store(world, rng, product["sku"])
    if price < ebay_total and store is None:
        return None
    city = store["city"] if store else rng.choice(bestbuy.rows("SELECT city FROM stores ORDER BY storeId"))["city"]
    reads = (member_call(world, "EbayServer", "search_items", keywords=words, category_id=EBAY_CONSOLES, limit=50,
                         sort="price_asc"),
             member_call(world, "EbayServer", "get_item_details", item_id=best["item_id"]),
             member_call(world, "BestBuyServer", "search_products", keywords=bb_words))
    buy = ((member_call(world, "EbayServer", "buy_item", item_id=best["item_id"], quantity=1),) if ebay_total < price
           else reserve_calls(world, product["sku"], store, name, email))
    return Draft(
        request=rng.choice([
            ("I want a brand-new {c}. Compare the cheapest new-condition Buy It Now listing on eBay (shipping "
             "included) with Best Buy's price for the standard console, and buy the cheaper: on eBay buy it now; at "
             "Best Buy reserve it for pickup at the {city} store for {n}, {e}."),
            ("Get me a new {c} as cheaply as possible: either eBay's cheapest brand-new fixed-price listing, counting "
             "its shipping, or the standard console from Best Buy picked up in {city} (reservation for {n}, {e})."),
        ]).format(c=console, city=city, n=name, e=email),
        calls=(*reads, *buy))


# ---------------------------------------------------------------------------- PriceComparison + EbayServer
@scenario
def resell_under_retail(world: WorldSet, rng: random.Random) -> Draft | None:
    tracker = world.worlds["PriceComparison"]
    options = [r for r in tracker.rows("SELECT DISTINCT p.pid, p.name FROM products p JOIN prices USING (pid)"
                                       " WHERE pos = ? ORDER BY p.name", US) if r["name"] in RESALE]
    if not options:
        return None
    product = rng.choice(options)
    category, spoken = RESALE[product["name"]]
    comparison = tracker.compare_price(product["pid"], US)
    if not comparison["retailers"][0]["in_stock"]:
        return None
    below = rng.choice([25, 40, 50, 60, 75, 100])
    price = round(comparison["lowest_total"] - below, 2)
    if price < comparison["lowest_total"] * 0.5:
        return None
    title = f"{spoken} - used, {rng.choice(['excellent', 'great', 'very good'])} condition"
    description = rng.choice(["Lightly used, fully working, original box and charger included.",
                              "Used for a few months, no scratches, factory reset and ready to go.",
                              "Works perfectly; comes with everything from the original box."])
    words = product["name"].split(" ")[0] if product["name"].startswith("Kobo") else " ".join(
        product["name"].split()[:3])
    return Draft(
        request=rng.choice([
            ("I'm selling my used {s} on eBay. Check the price tracker for the cheapest total a US store charges "
             "for a new one today and list mine {b} dollars under that, Buy It Now, one unit, in the right eBay "
             "category, titled '{t}' with the description '{d}'."),
            ("List my {s} on eBay as a used fixed-price item at {b} dollars below the cheapest new one in the US "
             "according to my price tracker (price plus shipping). Title: '{t}'. Description: '{d}'. Use the proper "
             "category."),
        ]).format(s=spoken, b=below, t=title, d=description),
        calls=(member_call(world, "PriceComparison", "get_pid_pos_details", name=words, country="United States"),
               member_call(world, "PriceComparison", "compare_price", pid=product["pid"], pos=US),
               member_call(world, "EbayServer", "get_categories"),
               member_call(world, "EbayServer", "create_listing", title=title, description=description,
                           category_id=category, price=Ref(1, "lowest_total", then=lambda t: round(t - below, 2)),
                           condition="USED", quantity=1, listing_format="FIXED_PRICE")))


# ---------------------------------------------------------------------------- EtsyServer + ShopifyEcommerce
def my_shop(world: WorldSet) -> dict[str, Any]:
    return world.worlds["EtsyServer"].row("SELECT * FROM shops WHERE shop_name = ?", MY_SHOP)


@scenario
def ship_etsy_order_from_shopify(world: WorldSet, rng: random.Random) -> Draft | None:
    etsy, shopify = world.worlds["EtsyServer"], world.worlds["ShopifyEcommerce"]
    shop = my_shop(world)
    receipts = etsy.rows(
        "SELECT r.receipt_id, r.buyer_name, t.quantity, l.taxonomy_id FROM receipts r JOIN transactions t USING"
        " (receipt_id) JOIN listings l USING (listing_id) WHERE r.shop_id = ?1 AND r.status = 'paid' AND"
        " (SELECT COUNT(*) FROM transactions x WHERE x.receipt_id = r.receipt_id) = 1 AND (SELECT COUNT(*) FROM"
        " receipts b WHERE b.shop_id = ?1 AND b.buyer_name = r.buyer_name) = 1 ORDER BY r.receipt_id", shop["shop_id"])
    receipts = [r for r in receipts if r["taxonomy_id"] in ETSY_TO_SHOPIFY]
    if not receipts:
        return None
    receipt = rng.choice(receipts)
    variants = shopify.rows("SELECT v.*, p.title AS product FROM variants v JOIN products p ON p.id = v.product_id"
                            " WHERE p.product_type = ? AND v.inventory_quantity >= ? ORDER BY v.id",
                            ETSY_TO_SHOPIFY[receipt["taxonomy_id"]], receipt["quantity"])
    if not variants:
        return None
    variant = rng.choice(variants)
    carrier = rng.choice(["usps", "ups", "fedex"])
    code = (f"9400{rng.randrange(10**18):018d}" if carrier == "usps" else
            f"1Z{rng.randrange(16**16):016X}" if carrier == "ups" else f"{rng.randrange(10**12):012d}")
    return Draft(
        request=rng.choice([
            ("{b}'s Etsy order is going out from our Shopify warehouse stock, the {v} {p}. Take the units they "
             "bought off that variant's Shopify inventory, then mark their Etsy order shipped with {c}, tracking "
             "{t}."),
            ("Fulfil {b}'s order in my Etsy shop from Shopify stock: reduce the Shopify inventory of '{p}' ({v}) by "
             "the quantity on their order and add {c} tracking {t} to the Etsy order."),
        ]).format(b=receipt["buyer_name"], v=variant["title"], p=variant["product"], c=carrier.upper(), t=code),
        calls=(member_call(world, "EtsyServer", "find_shops", shop_name=MY_SHOP),
               member_call(world, "EtsyServer", "get_receipts", shop_id=Ref(0, "0.shop_id"), limit=100),
               member_call(world, "ShopifyEcommerce", "get_products", title=variant["product"]),
               member_call(world, "ShopifyEcommerce", "adjust_inventory", variant_id=variant["id"],
                           delta=-receipt["quantity"]),
               member_call(world, "EtsyServer", "create_receipt_shipment", receipt_id=receipt["receipt_id"],
                           carrier_name=carrier, tracking_code=code)))


@scenario
def copy_etsy_listing_to_shopify(world: WorldSet, rng: random.Random) -> Draft | None:
    etsy, shopify = world.worlds["EtsyServer"], world.worlds["ShopifyEcommerce"]
    shop = my_shop(world)
    listings = [r for r in etsy.rows(
        "SELECT * FROM listings l WHERE shop_id = ?1 AND state = 'active' AND (SELECT COUNT(*) FROM listings x"
        " WHERE x.shop_id = ?1 AND x.title = l.title) = 1 ORDER BY listing_id", shop["shop_id"])
        if r["taxonomy_id"] in ETSY_TO_SHOPIFY and not shopify.value("SELECT 1 FROM products WHERE title = ?",
                                                                     r["title"])]
    if not listings:
        return None
    listing = rng.choice(listings)
    kind = ETSY_TO_SHOPIFY[listing["taxonomy_id"]]
    stock = rng.choice([5, 8, 10, 12, 20])
    sku = f"TP-{kind[:3].upper()}-{rng.randrange(100, 999)}"
    return Draft(
        request=rng.choice([
            ("Bring my Etsy listing '{t}' over to our Shopify store: an active product with the same title and the "
             "same price as on Etsy, vendor 'Thistle & Pine Studio', product type {k}, no description, and one "
             "variant titled 'Default Title' with SKU {s} and {n} units in stock."),
            ("Create '{t}' in Shopify, live right away, priced exactly as my Etsy listing of that name. Vendor "
             "'Thistle & Pine Studio', type {k}, leave the description empty; a single 'Default Title' variant, "
             "SKU {s}, stock {n}."),
        ]).format(t=listing["title"], k=kind, s=sku, n=stock),
        calls=(member_call(world, "EtsyServer", "find_shops", shop_name=MY_SHOP),
               member_call(world, "EtsyServer", "get_shop_listings", shop_id=Ref(0, "0.shop_id"), status="active",
                           limit=100),
               member_call(world, "ShopifyEcommerce", "create_product", title=listing["title"],
                           vendor="Thistle & Pine Studio", product_type=kind, status="active", variants=[
                               {"title": "Default Title", "sku": sku, "inventory_quantity": stock,
                                "price": Ref(1, "results", then=pick("price", listing_id=listing["listing_id"]))}])))


# ----------------------------------------------------------------------------- FakeStoreServer + EtsyServer
@scenario
def handmade_ring_instead(world: WorldSet, rng: random.Random) -> Draft | None:
    store, etsy = world.worlds["FakeStoreServer"], world.worlds["EtsyServer"]
    lines = store.rows(
        "SELECT u.id AS user_id, u.username, u.password, p.id AS product_id, p.title, p.price FROM users u JOIN carts c"
        " ON c.userId = u.id JOIN cart_items i ON i.cartId = c.id JOIN products p ON p.id = i.productId WHERE c.id ="
        " (SELECT id FROM carts WHERE userId = u.id ORDER BY date DESC, id DESC LIMIT 1) AND p.title LIKE '% Ring'"
        " AND p.deleted = 0 ORDER BY u.id, p.id")
    if not lines:
        return None
    line = rng.choice(lines)
    rings = etsy.rows("SELECT l.* FROM listings l JOIN shops s USING (shop_id) JOIN taxonomy t USING (taxonomy_id)"
                      " WHERE t.name = 'Rings' AND l.state = 'active' AND s.shop_name != ? AND l.price_cents < ?"
                      " AND l.listing_id NOT IN (SELECT listing_id FROM favorites) ORDER BY l.listing_id", MY_SHOP,
                      round(line["price"] * 100))
    ring = unique_min(rings, lambda r: r["price_cents"])
    if ring is None or etsy.value("SELECT 1 FROM listings l JOIN favorites USING (listing_id) JOIN taxonomy t USING"
                                  " (taxonomy_id) WHERE t.name = 'Rings' AND l.price_cents <= ?", ring["price_cents"]):
        return None
    return Draft(
        request=rng.choice([
            ("I'm {u} on FakeStore (password '{pw}'). Take the '{r}' out of my cart; I'd rather buy a handmade ring. "
             "Favorite the cheapest ring another maker has for sale on Etsy instead."),
            ("Swap the '{r}' in my FakeStore cart for something handmade: remove it (login {u}, password '{pw}') and "
             "add the cheapest active ring on Etsy from some other shop than mine to my Etsy favorites."),
        ]).format(u=line["username"], pw=line["password"], r=line["title"]),
        calls=(member_call(world, "FakeStoreServer", "user_login", username=line["username"],
                           password=line["password"]),
               member_call(world, "FakeStoreServer", "remove_from_cart", token=Ref(0, "token"),
                           product_id=line["product_id"]),
               member_call(world, "EtsyServer", "search_listings", keywords="ring", category="Rings",
                           max_price=line["price"]),
               member_call(world, "EtsyServer", "favorite_listing", listing_id=ring["listing_id"])))


# ------------------------------------------------------------- RentCast + AttomRealEstate + ZillowRealEstate
@scenario
def trade_rental_for_denver_home(world: WorldSet, rng: random.Random) -> Draft | None:
    rentcast, attom, zillow = (world.worlds[n] for n in ("RentCast", "AttomRealEstate", "ZillowRealEstate"))
    held = rng.choice(rentcast.rows("SELECT p.* FROM portfolio JOIN properties p USING (id) ORDER BY id"))
    worth = held["value"]
    plists = attom.rows("SELECT * FROM lists ORDER BY list_id")
    plist = rng.choice(plists)
    candidates = attom.rows("SELECT * FROM properties WHERE city = 'Denver' AND attom_id NOT IN (SELECT attom_id FROM"
                            " list_items WHERE list_id = ?) ORDER BY attom_id", plist["list_id"])
    homes = zillow.rows("SELECT * FROM homes WHERE city = 'Denver' AND home_status = 'FOR_SALE' AND zpid NOT IN"
                        " (SELECT zpid FROM favorites) ORDER BY zpid")
    if not candidates or not homes:
        return None
    house, home = rng.choice(candidates), rng.choice(homes)
    keep_house, keep_home = house["avm_value"] <= worth, home["zestimate"] <= worth
    if not (keep_house or keep_home) or house["avm_value"] == worth or home["zestimate"] == worth:
        return None
    sold = rng.random() < 0.4
    calls = [member_call(world, "RentCast", "get_property_valuation", address=held["address"]),
             member_call(world, "AttomRealEstate", "get_property_valuation", address=house["address"]),
             member_call(world, "ZillowRealEstate", "get_zestimate", address=home["address"],
                         city_state_zip=home["city_state_zip"])]
    if keep_house:
        calls += [member_call(world, "AttomRealEstate", "get_property_lists"),
                  member_call(world, "AttomRealEstate", "add_property_to_list", list_id=plist["list_id"],
                              address=house["address"])]
    if keep_home:
        calls.append(member_call(world, "ZillowRealEstate", "save_favorite", zpid=Ref(2, "zpid")))
    if sold:
        calls += [member_call(world, "RentCast", "get_portfolio"),
                  member_call(world, "RentCast", "remove_from_portfolio", property_id=held["id"])]
    opening = (f"I've just sold my rental at {held['address']}, so take it off my RentCast portfolio. " if sold else
               f"I'm thinking of trading my rental at {held['address']} for a home in Denver. ")
    return Draft(
        request=opening + rng.choice([
            ("Two Denver candidates: {a} (check its ATTOM valuation) and {z}, {czs} on Zillow (its Zestimate). Keep "
             "each one that is valued at or below what RentCast estimates my rental is worth: the first on my ATTOM "
             "list '{l}', the Zillow one saved to my Zillow homes."),
            ("Compare RentCast's value estimate of my rental with ATTOM's estimate for {a} and the Zestimate of "
             "{z} ({czs}). Any of those two that is not worth more than my rental: save it, the ATTOM one on my "
             "'{l}' list and the Zillow one as a saved home."),
        ]).format(a=house["address"], z=home["address"], czs=home["city_state_zip"], l=plist["name"]),
        calls=tuple(calls))


@scenario
def better_rent_yield(world: WorldSet, rng: random.Random) -> Draft | None:
    rentcast, zillow = world.worlds["RentCast"], world.worlds["ZillowRealEstate"]
    beds = rng.choice([2, 3])
    if rentcast.value("SELECT COUNT(*) FROM saved_searches") >= 5:
        return None
    cheapest_z, cheapest_r = [], []
    for zcity in zillow.rows("SELECT DISTINCT city, state FROM homes ORDER BY city"):
        found = zillow.search_properties(zcity["city"], zcity["state"], status="FOR_SALE", min_beds=beds)["results"]
        home = unique_min(found, lambda h: h["price"])
        if home and not zillow.value("SELECT 1 FROM favorites WHERE zpid = ?", home["zpid"]):
            rent = zillow.get_zestimate(home["street"], home["city_state_zip"])["rent_zestimate"]
            cheapest_z.append((zcity, home, rent / home["price"]))
    for rcity in rentcast.rows("SELECT DISTINCT city, state FROM properties ORDER BY city"):
        found = rentcast.search_sale_listings(rcity["city"], rcity["state"], bedrooms=beds, limit=50)["listings"]
        listing = unique_min(found, lambda h: h["price"])
        if listing and not rentcast.value("SELECT 1 FROM saved_searches WHERE name = ?",
                                          f"{rcity['city']} rentals to buy"):
            rent = rentcast.get_rent_estimate(listing["address"])["rent"]
            cheapest_r.append((rcity, listing, rent / listing["price"]))
    pairs = [(z, r) for z in cheapest_z for r in cheapest_r if abs(z[2] - r[2]) >= 0.0002]
    chosen = balanced(pairs, lambda pair: pair[0][2] > pair[1][2], rng)
    if chosen is None:
        return None
    (zcity, home, yield_z), (rcity, listing, yield_r) = chosen
    name = f"{rcity['city']} rentals to buy"
    calls = [member_call(world, "ZillowRealEstate", "search_properties", city=zcity["city"], state=zcity["state"],
                         status="FOR_SALE", min_beds=beds),
             member_call(world, "ZillowRealEstate", "get_zestimate", address=home["street"],
                         city_state_zip=home["city_state_zip"]),
             member_call(world, "RentCast", "search_sale_listings", city=rcity["city"], state=rcity["state"],
                         bedrooms=beds),
             member_call(world, "RentCast", "get_rent_estimate", address=listing["address"])]
    if yield_z > yield_r:
        calls.append(member_call(world, "ZillowRealEstate", "save_favorite", zpid=home["zpid"]))
    else:
        calls.append(member_call(world, "RentCast", "save_search", name=name, listing_type="sale",
                                 city=rcity["city"], state=rcity["state"], max_price=listing["price"]))
    return Draft(
        request=rng.choice([
            ("I'm choosing where to buy my next rental: {zc} or {rc}. Take the cheapest home for sale with at least "
             "{b} bedrooms in each ({zc} on Zillow, {rc} on RentCast) and compare expected monthly rent to price "
             "(Zillow's Rent Zestimate, RentCast's rent estimate). If {zc} wins, save that home on Zillow; if {rc} "
             "wins, save a RentCast sale search named '{n}' for {rc} capped at that home's price."),
            ("Which gives more rent per dollar: the cheapest {b}+ bedroom home for sale in {zc} (Zillow, Rent "
             "Zestimate) or in {rc} (RentCast, rent estimate)? Save the {zc} home to my Zillow homes if it's the "
             "better one; otherwise save a sale search called '{n}' on RentCast for {rc} up to that listing's "
             "price."),
        ]).format(zc=f"{zcity['city']}, {zcity['state']}", rc=f"{rcity['city']}, {rcity['state']}", b=beds, n=name),
        calls=tuple(calls))
