"""EbayServer: eBay for one signed-in member who buys and sells: auction and fixed-price items, bids, orders."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

TIME_FORMAT = "%Y-%m-%dT%H:%M"
ME = "harborline_goods"
#: marketplace -> (currency, [(category_id, name, parent_id)]); items are listed in leaf categories only.
MARKETPLACES = {
    "EBAY_US": ("USD", [("15032", "Cell Phones & Accessories", None), ("9355", "Cell Phones & Smartphones", "15032"),
                        ("625", "Cameras & Photo", None), ("31388", "Digital Cameras", "625"),
                        ("3323", "Camera Lenses & Filters", "625"), ("58058", "Computers/Tablets & Networking", None),
                        ("175672", "Laptops & Netbooks", "58058"), ("171485", "Tablets & eBook Readers", "58058"),
                        ("1249", "Video Games & Consoles", None), ("139971", "Video Game Consoles", "1249"),
                        ("139973", "Video Games", "1249"), ("281", "Jewelry & Watches", None),
                        ("31387", "Wristwatches", "281"), ("619", "Musical Instruments & Gear", None),
                        ("33034", "Electric Guitars", "619"), ("220", "Toys & Hobbies", None),
                        ("19006", "LEGO Complete Sets & Packs", "220")]),
    "EBAY_GB": ("GBP", [("15033", "Mobile Phones & Communication", None), ("9356", "Mobile & Smart Phones", "15033"),
                        ("626", "Cameras & Photography", None), ("11724", "Digital Cameras", "626"),
                        ("1250", "Video Games & Consoles", None), ("139972", "Consoles", "1250")]),
    "EBAY_DE": ("EUR", [("15034", "Handys & Kommunikation", None), ("9357", "Handys ohne Vertrag", "15034"),
                        ("1251", "PC- & Videospiele", None), ("139974", "Konsolen", "1251")]),
}
#: leaf category -> product names its items are titled after
PRODUCTS = {
    "9355": ["Apple iPhone 13 128GB", "Apple iPhone 14 Pro 256GB", "Samsung Galaxy S23 256GB", "Google Pixel 8",
             "OnePlus 11 5G 128GB", "Motorola Edge 2023"],
    "31388": ["Canon PowerShot G7 X Mark III", "Sony Cyber-shot RX100 VII", "Fujifilm X100V", "Nikon Coolpix P950"],
    "3323": ["Canon EF 50mm f/1.8 STM Lens", "Sony FE 85mm f/1.8 Lens", "Nikon AF-S 35mm f/1.8G Lens"],
    "175672": ["Apple MacBook Air M1 13in", "Lenovo ThinkPad T14 Gen 2", "Dell XPS 13 9310", "HP Spectre x360 14"],
    "171485": ["Apple iPad Air 5th Gen 64GB", "Samsung Galaxy Tab S8", "Kindle Paperwhite 11th Gen"],
    "139971": ["Nintendo Switch OLED Console", "Sony PlayStation 5 Disc Edition", "Xbox Series X 1TB Console",
               "Steam Deck 512GB"],
    "139973": ["Zelda Tears of the Kingdom Switch", "Elden Ring PS5", "Pokemon Scarlet Switch", "Halo Infinite Xbox"],
    "31387": ["Seiko 5 Sports SRPD55 Automatic", "Casio G-Shock GA2100", "Omega Seamaster 300M", "Tissot PRX 40mm"],
    "33034": ["Fender Player Stratocaster", "Gibson Les Paul Studio", "Epiphone SG Standard", "Squier Classic Vibe Tele"],
    "19006": ["LEGO Millennium Falcon 75257", "LEGO Titanic 10294", "LEGO Hogwarts Castle 71043", "LEGO Bonsai 10281"],
}
SUFFIXES = ["", " - Excellent Condition", " w/ Box", " Bundle", " Black", " Silver", " - Fast Shipping", " Tested"]
CONDITIONS = ("NEW", "OPEN_BOX", "USED", "FOR_PARTS")
#: (price below, in cents -> bid increment in cents), eBay US bid increments
INCREMENTS = [(100, 5), (500, 25), (2500, 50), (10000, 100), (25000, 250), (50000, 500), (100000, 1000),
              (250000, 2500), (500000, 5000)]
MIN_RESERVE = 9900
Money = Annotated[float, Field(ge=0.99, le=100000)]
ItemId = Annotated[str, Field(pattern=r"^\d{12}$")]


def increment(cents: int) -> int:
    return next((step for below, step in INCREMENTS if cents < below), 10000)


def auction_price(start: int, bids: list[dict[str, Any]]) -> tuple[str | None, int]:
    """Proxy bidding: the highest maximum leads (earlier wins a tie) and pays one increment over the runner-up."""
    best: dict[str, dict[str, Any]] = {}
    for bid in sorted(bids, key=lambda b: (b["placed_at"], b["bidder"])):
        if bid["bidder"] not in best or bid["max_cents"] > best[bid["bidder"]]["max_cents"]:
            best[bid["bidder"]] = bid
    ranked = sorted(best.values(), key=lambda b: (-b["max_cents"], b["placed_at"]))
    if not ranked:
        return None, start
    if len(ranked) == 1:
        return ranked[0]["bidder"], start
    second = ranked[1]["max_cents"]
    return ranked[0]["bidder"], max(start, min(ranked[0]["max_cents"], second + increment(second)))


def dollars(cents: int | None) -> float:
    return round((cents or 0) / 100, 2)


Category = TypedDict("Category", {"category_id": str, "name": str, "parent_id": str | None, "leaf": bool})
Categories = TypedDict("Categories", {"marketplace_id": str, "currency": str, "categories": list[Category]})
ItemSummary = TypedDict("ItemSummary", {"item_id": str, "title": str, "price": float, "currency": str,
                                        "listing_format": str, "condition": str, "bid_count": int,
                                        "end_time": str, "seller": str})
SearchResult = TypedDict("SearchResult", {"total": int, "items": list[ItemSummary]})
Seller = TypedDict("Seller", {"username": str, "feedback_score": int, "positive_percent": float})
ItemDetails = TypedDict("ItemDetails", {
    "item_id": str, "title": str, "description": str, "category_id": str, "listing_format": str,
    "condition": str, "status": str, "price": float, "currency": str, "quantity_available": int,
    "bid_count": int, "minimum_bid": float | None, "reserve_met": bool | None, "high_bidder": str | None,
    "end_time": str, "seller": Seller, "shipping_cost": float, "return_days": int})
NewListing = TypedDict("NewListing", {"listing_id": str, "status": str, "created_at": str, "end_time": str,
                                      "url": str})
BidResult = TypedDict("BidResult", {"item_id": str, "your_max_bid": float, "current_price": float,
                                    "bid_count": int, "winning": bool, "reserve_met": bool | None,
                                    "end_time": str})
OrderLine = TypedDict("OrderLine", {"item_id": str, "title": str, "quantity": int, "unit_price": float})
Order = TypedDict("Order", {"order_id": str, "status": str, "buyer": str, "seller": str, "items": list[OrderLine],
                            "total": float, "currency": str, "ship_to": str, "carrier": str | None,
                            "tracking_number": str | None, "created_at": str})
OrderSummary = TypedDict("OrderSummary", {"order_id": str, "status": str, "title": str, "total": float,
                                          "buyer": str, "seller": str, "created_at": str})
Ended = TypedDict("Ended", {"item_id": str, "status": str, "ended_at": str, "reason": str})


class EbayServer(World):
    """eBay (marketplace EBAY_US, prices in USD) for the signed-in member 'harborline_goods', who both buys and
    sells. Items are AUCTION (one unit, bids with proxy bidding, optional reserve) or FIXED_PRICE (Buy It Now,
    several units); listings go in leaf categories; orders are PAID, SHIPPED, DELIVERED or CANCELLED.
    Times are 'YYYY-MM-DDTHH:MM'."""

    domain = "Commerce"
    schema = """
    CREATE TABLE categories (marketplace_id TEXT NOT NULL, category_id TEXT NOT NULL, name TEXT NOT NULL,
                             parent_id TEXT, PRIMARY KEY (marketplace_id, category_id));
    CREATE TABLE members (username TEXT PRIMARY KEY, feedback_score INTEGER NOT NULL, positive_percent REAL NOT NULL,
                          location TEXT NOT NULL);
    CREATE TABLE items (item_id TEXT PRIMARY KEY, seller TEXT NOT NULL REFERENCES members, title TEXT NOT NULL,
                        description TEXT NOT NULL, category_id TEXT NOT NULL, listing_format TEXT NOT NULL,
                        condition TEXT NOT NULL, status TEXT NOT NULL, start_cents INTEGER NOT NULL,
                        price_cents INTEGER NOT NULL, reserve_cents INTEGER, quantity INTEGER NOT NULL,
                        sold INTEGER NOT NULL DEFAULT 0, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
                        shipping_cents INTEGER NOT NULL, return_days INTEGER NOT NULL, end_reason TEXT, ended_at TEXT);
    CREATE INDEX items_by_category ON items (category_id, status);
    CREATE INDEX items_by_seller ON items (seller, status);
    CREATE INDEX items_by_end ON items (status, end_time);
    CREATE TABLE bids (item_id TEXT NOT NULL REFERENCES items, bidder TEXT NOT NULL, max_cents INTEGER NOT NULL,
                       placed_at TEXT NOT NULL, PRIMARY KEY (item_id, bidder, placed_at));
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, buyer TEXT NOT NULL, seller TEXT NOT NULL,
                         item_id TEXT NOT NULL REFERENCES items, quantity INTEGER NOT NULL,
                         unit_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL, status TEXT NOT NULL,
                         ship_to TEXT NOT NULL, carrier TEXT, tracking_number TEXT, created_at TEXT NOT NULL);
    CREATE INDEX orders_by_buyer ON orders (buyer, created_at);
    CREATE INDEX orders_by_seller ON orders (seller, created_at);
    """
    text_search = {"items": ("title", "description")}
    volatile = {"items": ("start_time", "end_time", "ended_at"), "bids": ("placed_at",), "orders": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["categories"].insert_all({"marketplace_id": m, "category_id": c, "name": n, "parent_id": p}
                                    for m, (_, rows) in MARKETPLACES.items() for c, n, p in rows)
        names = {ME}
        while len(names) < 30:
            names.add(f"{fake.user_name()}{rng.choice(['', '_store', '-deals', str(rng.randrange(10, 99))])}")
        members = sorted(names)
        db["members"].insert_all({"username": m, "feedback_score": rng.randrange(3, 9000),
                                  "positive_percent": round(rng.uniform(94, 100), 1),
                                  "location": f"{fake.city()}, {fake.state_abbr()}"} for m in members)
        now, items, bids, orders = cls.start_time, [], [], []
        for n in range(140):
            category = rng.choice(sorted(PRODUCTS))
            seller = ME if n % 9 == 0 else rng.choice([m for m in members if m != ME])
            auction = rng.random() < 0.45
            base = rng.randrange(15, 900) * 100 - rng.choice([0, 1, 5, 51])
            start = now - dt.timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))
            end = (start + dt.timedelta(days=rng.choice([3, 5, 7, 10]))) if auction else now + dt.timedelta(days=30)
            ended = end <= now
            title = rng.choice(PRODUCTS[category]) + rng.choice(SUFFIXES)
            item = {"item_id": f"{rng.randrange(1, 4)}{rng.randrange(10**11):011d}", "seller": seller,
                    "title": title, "description": f"{title}. {fake.sentence(nb_words=12)}",
                    "category_id": category, "listing_format": "AUCTION" if auction else "FIXED_PRICE",
                    "condition": rng.choice(CONDITIONS), "status": "ENDED" if ended else "ACTIVE",
                    "start_cents": base // 3 if auction else base, "price_cents": base // 3 if auction else base,
                    "reserve_cents": base if auction and rng.random() < 0.3 and base >= MIN_RESERVE else None,
                    "quantity": 1 if auction else rng.randrange(1, 12), "sold": 0,
                    "start_time": start.strftime(TIME_FORMAT), "end_time": end.strftime(TIME_FORMAT),
                    "shipping_cents": rng.choice([0, 0, 599, 899, 1299]), "return_days": rng.choice([0, 14, 30, 60]),
                    "end_reason": None, "ended_at": end.strftime(TIME_FORMAT) if ended else None}
            if auction:
                placed, history = start, []
                for _ in range(rng.randrange(0, 7)):
                    placed += dt.timedelta(hours=rng.randrange(1, 20))
                    if placed >= min(end, now):
                        break
                    bidder = rng.choice([m for m in members if m != seller])
                    floor = item["price_cents"] + (increment(item["price_cents"]) if history else 0)
                    history.append({"item_id": item["item_id"], "bidder": bidder, "placed_at": placed.strftime(
                        TIME_FORMAT), "max_cents": floor + rng.randrange(0, max(floor // 4, 1))})
                    item["price_cents"] = auction_price(item["start_cents"], history)[1]
                bids += history
                item["sold"] = int(ended and bool(history))
            items.append(item)
            buyers = [m for m in members if m != seller and (seller == ME or m == ME or rng.random() < 0.1)]
            for _ in range(rng.randrange(2 if seller == ME else 0, 4) if not auction else item["sold"]):
                at = start + dt.timedelta(hours=rng.randrange(1, 200))
                if at >= now:
                    continue
                age = (now - at).days - (3 if seller == ME else 0)
                orders.append({"order_id": f"{rng.randrange(10, 28)}-{rng.randrange(10**5):05d}-{rng.randrange(10**5):05d}",
                               "buyer": rng.choice(buyers), "seller": seller, "item_id": item["item_id"],
                               "quantity": 1, "unit_cents": item["price_cents"], "shipping_cents": item["shipping_cents"],
                               "status": rng.choice(["PAID"] if age < 2 else ["SHIPPED", "DELIVERED", "DELIVERED",
                                                                                "CANCELLED", "PAID"]),
                               "ship_to": f"{fake.name()}, {fake.city()}, {fake.state_abbr()} {fake.zipcode()}",
                               "carrier": None, "tracking_number": None, "created_at": at.strftime(TIME_FORMAT)})
                if orders[-1]["status"] in ("SHIPPED", "DELIVERED"):
                    orders[-1].update(carrier=rng.choice(["USPS", "UPS", "FedEx"]),
                                      tracking_number=f"9400{rng.randrange(10**18):018d}")
                item["sold"] += 0 if auction else 1
        db["items"].insert_all(items)
        db["bids"].insert_all(bids)
        db["orders"].insert_all(orders)

    # ------------------------------------------------------------------ helpers
    def _item(self, item_id: str) -> dict[str, Any]:
        item = self.require("SELECT * FROM items WHERE item_id = ?", item_id,
                            error=f"no eBay item {item_id}; search_items finds item ids")
        if item["status"] == "ACTIVE" and item["end_time"] <= self.now().strftime(TIME_FORMAT):
            item["status"] = "ENDED"
        return item

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.require("SELECT * FROM orders WHERE order_id = ?", order_id,
                             error=f"no order {order_id}; order numbers look like 12-34567-89012")
        if ME not in (order["buyer"], order["seller"]):
            raise ToolError(f"order {order_id} is not one of your purchases or sales")
        return order

    def _bids(self, item_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM bids WHERE item_id = ?", item_id)

    def _reserve_met(self, item: dict[str, Any]) -> bool | None:
        return None if item["reserve_cents"] is None else item["price_cents"] >= item["reserve_cents"]

    def _open(self, item: dict[str, Any]) -> None:
        if item["status"] != "ACTIVE":
            raise ToolError(f"item {item['item_id']} has ended; search_items finds active listings")

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me the eBay category tree[ of {marketplace_id}]", "list the eBay categories[ on {marketplace_id}]"])
    def get_categories(self, marketplace_id: Literal["EBAY_US", "EBAY_GB", "EBAY_DE"] = "EBAY_US") -> Categories:
        """The category tree of an eBay marketplace; only leaf categories take listings.

        Args:
            marketplace_id: The eBay site: EBAY_US, EBAY_GB or EBAY_DE.
        """
        rows = self.rows("SELECT category_id, name, parent_id, NOT EXISTS (SELECT 1 FROM categories k WHERE"
                         " k.marketplace_id = c.marketplace_id AND k.parent_id = c.category_id) AS leaf"
                         " FROM categories c WHERE marketplace_id = ? ORDER BY rowid", marketplace_id)
        return {"marketplace_id": marketplace_id, "currency": MARKETPLACES[marketplace_id][0],
                "categories": [{**r, "leaf": bool(r["leaf"])} for r in rows]}

    @tool(phrase=["search eBay for {keywords}[ in {category_id}][, sorted by {sort}]",
                  "find listings for {keywords} on eBay[ in {category_id}]"])
    def search_items(self, keywords: NonEmptyStr, category_id: str | None = None,
                     limit: Annotated[int, Field(ge=1, le=50)] = 10,
                     sort: Literal["best_match", "price_asc", "price_desc", "ending_soonest", "newly_listed"]
                     = "best_match") -> SearchResult:
        """Search active listings by words in the title or description, optionally within a category (a parent
        category includes its subcategories).

        Args:
            keywords: Words to look for, e.g. "iphone 13".
            category_id: Only items in this category (see get_categories).
            limit: At most this many items.
            sort: best_match, price_asc, price_desc, ending_soonest or newly_listed.
        """
        matches, params = self.text_filter("items", keywords)
        order = {"best_match": "title", "price_asc": "price_cents", "price_desc": "price_cents DESC",
                 "ending_soonest": "end_time", "newly_listed": "start_time DESC"}[sort]
        where = (f"{matches} AND status = 'ACTIVE' AND end_time > ? AND (? IS NULL OR category_id = ? OR category_id"
                 " IN (SELECT category_id FROM categories WHERE marketplace_id = 'EBAY_US' AND parent_id = ?))")
        args = (*params, self.now().strftime(TIME_FORMAT), category_id, category_id, category_id)
        items = self.rows(
            "SELECT item_id, title, price_cents, listing_format, condition, end_time, seller,"
            f" (SELECT COUNT(*) FROM bids b WHERE b.item_id = items.item_id) AS bid_count FROM items WHERE {where}"
            f" ORDER BY {order}, item_id LIMIT ?", *args, limit)
        return {"total": self.value(f"SELECT COUNT(*) FROM items WHERE {where}", *args),
                "items": [{"item_id": i["item_id"], "title": i["title"], "price": dollars(i["price_cents"]),
                           "currency": "USD", "listing_format": i["listing_format"], "condition": i["condition"],
                           "bid_count": i["bid_count"], "end_time": i["end_time"], "seller": i["seller"]}
                          for i in items]}

    @tool(phrase=["pull up {item_id} on eBay", "show me the details of {item_id}"])
    def get_item_details(self, item_id: ItemId) -> ItemDetails:
        """Everything about one item: description, price or current bid, the next minimum bid, reserve, seller,
        shipping and returns.

        Args:
            item_id: The 12-digit eBay item number.
        """
        item, bids = self._item(item_id), self._bids(item_id)
        auction = item["listing_format"] == "AUCTION"
        seller = self.row("SELECT username, feedback_score, positive_percent FROM members WHERE username = ?",
                          item["seller"])
        next_bid = item["price_cents"] + (increment(item["price_cents"]) if bids else 0)
        return {"item_id": item_id, "title": item["title"], "description": item["description"],
                "category_id": item["category_id"], "listing_format": item["listing_format"],
                "condition": item["condition"], "status": item["status"], "price": dollars(item["price_cents"]),
                "currency": "USD", "quantity_available": item["quantity"] - item["sold"], "bid_count": len(bids),
                "minimum_bid": dollars(next_bid) if auction and item["status"] == "ACTIVE" else None,
                "reserve_met": self._reserve_met(item), "high_bidder": auction_price(item["start_cents"], bids)[0],
                "end_time": item["end_time"], "seller": seller, "shipping_cost": dollars(item["shipping_cents"]),
                "return_days": item["return_days"]}

    @tool(writes=True, phrase=[
        "list {title} for sale on eBay at {price} dollars[ under {category_id}][ as {condition}][, {quantity} available]",
        "put up an {listing_format} listing for {title} starting at {price} dollars[ under {category_id}]"
        "[, running {duration_days} days][ with a reserve of {reserve_price}]",
        "sell my {title} on eBay for {price}[ as a {listing_format} listing][, described as {description}]"])
    def create_listing(self, title: Annotated[str, Field(min_length=1, max_length=80, pattern=r"\S")],
                       description: NonEmptyStr, category_id: str, price: Money, currency: str = "USD",
                       condition: Literal["NEW", "OPEN_BOX", "USED", "FOR_PARTS"] = "USED",
                       quantity: Annotated[int, Field(ge=1, le=999)] = 1,
                       listing_format: Literal["FIXED_PRICE", "AUCTION"] = "FIXED_PRICE",
                       duration_days: Literal[1, 3, 5, 7, 10] = 7, reserve_price: Money | None = None) -> NewListing:
        """List an item for sale on eBay US. FIXED_PRICE listings run Good 'Til Cancelled at the given price;
        AUCTION listings start bidding at the price, sell one unit, run duration_days and may have a reserve
        (at least 99.00 USD and above the starting price).

        Args:
            title: Listing title, at most 80 characters.
            description: What the buyer gets.
            category_id: A leaf category of EBAY_US (see get_categories).
            price: Buy It Now price, or the starting bid of an auction, in USD.
            currency: Must be USD on eBay US.
            condition: NEW, OPEN_BOX, USED or FOR_PARTS.
            quantity: Units for sale (auctions sell exactly 1).
            listing_format: FIXED_PRICE or AUCTION.
            duration_days: Auction length in days.
            reserve_price: Lowest price the auction may sell at (auctions only).
        """
        category = self.require("SELECT * FROM categories WHERE marketplace_id = 'EBAY_US' AND category_id = ?",
                                category_id, error=f"no EBAY_US category {category_id}; get_categories lists them")
        if self.value("SELECT 1 FROM categories WHERE marketplace_id = 'EBAY_US' AND parent_id = ?", category_id):
            raise ToolError(f"category {category_id} ({category['name']}) is not a leaf category; "
                            "choose one of its subcategories")
        if currency.upper() != "USD":
            raise ToolError(f"your account sells on EBAY_US; list in USD, not {currency}")
        cents, reserve = round(price * 100), None if reserve_price is None else round(reserve_price * 100)
        auction = listing_format == "AUCTION"
        if auction and quantity != 1:
            raise ToolError("an auction sells exactly one unit; use FIXED_PRICE to sell several")
        if reserve is not None and (not auction or reserve < MIN_RESERVE or reserve <= cents):
            raise ToolError("a reserve price needs an AUCTION listing and must be at least 99.00 USD and above "
                            "the starting price")
        now = self.now()
        end = now + dt.timedelta(days=duration_days if auction else 30)
        item_id = str(int(self.value("SELECT MAX(CAST(item_id AS INTEGER)) FROM items")) + 1)
        self.mark_generated("items", item_id)
        self.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, 0, ?, ?, 0, 30, NULL, NULL)",
                     item_id, ME, title.strip(), description.strip(), category_id, listing_format, condition, cents,
                     cents, reserve, quantity, now.strftime(TIME_FORMAT), end.strftime(TIME_FORMAT))
        return {"listing_id": item_id, "status": "ACTIVE", "created_at": now.strftime(TIME_FORMAT),
                "end_time": end.strftime(TIME_FORMAT), "url": f"https://www.ebay.com/itm/{item_id}"}

    @tool(writes=True, phrase=["bid up to {max_bid} dollars on {item_id}", "place a maximum bid of {max_bid} on {item_id}"])
    def place_bid(self, item_id: ItemId, max_bid: Money) -> BidResult:
        """Bid on an auction with your maximum: eBay bids for you one increment over the next bidder, up to it.

        Args:
            item_id: The auction's 12-digit item number.
            max_bid: The most you will pay, in USD.
        """
        item = self._item(item_id)
        if item["listing_format"] != "AUCTION":
            raise ToolError(f"item {item_id} is a fixed-price listing; buy it with buy_item instead of bidding")
        self._open(item)
        if item["seller"] == ME:
            raise ToolError(f"item {item_id} is your own listing; sellers cannot bid on their own items")
        bids, cents = self._bids(item_id), round(max_bid * 100)
        least = item["price_cents"] + (increment(item["price_cents"]) if bids else 0)
        mine = max((b["max_cents"] for b in bids if b["bidder"] == ME), default=0)
        if cents < least or cents <= mine:
            raise ToolError(f"your maximum bid must be at least {dollars(max(least, mine + 1)):.2f} USD "
                            "(the current price plus one bid increment, and above your earlier maximum)")
        placed = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO bids VALUES (?, ?, ?, ?)", item_id, ME, cents, placed)
        leader, price = auction_price(item["start_cents"], [*bids, {"bidder": ME, "max_cents": cents,
                                                                     "placed_at": placed}])
        self.execute("UPDATE items SET price_cents = ? WHERE item_id = ?", price, item_id)
        return {"item_id": item_id, "your_max_bid": dollars(cents), "current_price": dollars(price),
                "bid_count": len(bids) + 1, "winning": leader == ME,
                "reserve_met": self._reserve_met({**item, "price_cents": price}), "end_time": item["end_time"]}

    @tool(writes=True, phrase=["buy {item_id}[ ({quantity} of them)] with Buy It Now", "purchase {quantity} of {item_id}"])
    def buy_item(self, item_id: ItemId, quantity: Annotated[int, Field(ge=1, le=10)] = 1) -> Order:
        """Buy a fixed-price item at its Buy It Now price; the order is paid at once and shipped to your address.

        Args:
            item_id: The 12-digit item number.
            quantity: How many units.
        """
        item = self._item(item_id)
        if item["listing_format"] == "AUCTION":
            raise ToolError(f"item {item_id} is an auction; bid on it with place_bid")
        self._open(item)
        if item["seller"] == ME:
            raise ToolError(f"item {item_id} is your own listing; you cannot buy from yourself")
        if quantity > (left := item["quantity"] - item["sold"]):
            raise ToolError(f"only {left} of item {item_id} left; lower the quantity")
        order_id = self.value("SELECT MAX(order_id) FROM orders")  # the key's index holds it
        digits = f"{int(order_id.replace('-', '')) + 1:012d}"
        order_id = f"{digits[:2]}-{digits[2:7]}-{digits[7:]}"
        self.mark_generated("orders", order_id)
        self.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, 'PAID', ?, NULL, NULL, ?)", order_id, ME,
                     item["seller"], item_id, quantity, item["price_cents"], item["shipping_cents"],
                     "Harbor Line Goods, 41 Wharf St, Portland, ME 04101", self.now().strftime(TIME_FORMAT))
        self.execute("UPDATE items SET sold = sold + ?1, status = CASE WHEN sold + ?1 >= quantity THEN 'ENDED'"
                     " ELSE status END, ended_at = CASE WHEN sold + ?1 >= quantity THEN ?2 END WHERE item_id = ?3",
                     quantity, self.now().strftime(TIME_FORMAT), item_id)
        return self.get_order_details(order_id)

    @tool(phrase=["check the status of my eBay order {order_id}", "look up order {order_id}"])
    def get_order_details(self, order_id: Annotated[str, UserKnown, Field(pattern=r"^\d{2}-\d{5}-\d{5}$")]) -> Order:
        """One of your orders (as buyer or seller): status, item, total with shipping, address and tracking.

        Args:
            order_id: The order number, like 12-34567-89012.
        """
        order = self._order(order_id)
        title = self.value("SELECT title FROM items WHERE item_id = ?", order["item_id"])
        total = order["unit_cents"] * order["quantity"] + order["shipping_cents"]
        return {"order_id": order_id, "status": order["status"], "buyer": order["buyer"], "seller": order["seller"],
                "items": [{"item_id": order["item_id"], "title": title, "quantity": order["quantity"],
                           "unit_price": dollars(order["unit_cents"])}], "total": dollars(total), "currency": "USD",
                "ship_to": order["ship_to"], "carrier": order["carrier"], "tracking_number": order["tracking_number"],
                "created_at": order["created_at"]}

    @tool(phrase=["show my eBay {role} orders[ that are {status}]", "list the orders where I am the {role}[ with status {status}]"])
    def list_orders(self, role: Literal["buyer", "seller"],
                    status: Literal["PAID", "SHIPPED", "DELIVERED", "CANCELLED"] | None = None,
                    limit: Annotated[int, Field(ge=1, le=50)] = 20) -> list[OrderSummary]:
        """Your purchases (role buyer) or sales (role seller), newest first.

        Args:
            role: buyer for what you bought, seller for what you sold.
            status: Only orders in this status.
            limit: At most this many orders.
        """
        return self.rows(
            f"SELECT o.order_id, o.status, i.title, ROUND((o.unit_cents * o.quantity + o.shipping_cents) / 100.0, 2)"
            f" AS total, o.buyer, o.seller, o.created_at FROM orders o JOIN items i USING (item_id)"
            f" WHERE o.{role} = ? AND (? IS NULL OR o.status = ?) ORDER BY o.created_at DESC, o.order_id LIMIT ?",
            ME, status, status, limit)

    @tool(writes=True, phrase=["mark order {order_id} as shipped with {carrier} tracking number {tracking_number}",
                               "add {carrier} tracking {tracking_number} to the order {order_id}"])
    def ship_order(self, order_id: Annotated[str, UserKnown, Field(pattern=r"^\d{2}-\d{5}-\d{5}$")],
                   carrier: Literal["USPS", "UPS", "FedEx", "DHL"],
                   tracking_number: Annotated[str, Field(pattern=r"^[A-Z0-9]{8,30}$")]) -> Order:
        """Upload tracking for one of your sales and mark it SHIPPED (only a PAID order can ship).

        Args:
            order_id: The order number, like 12-34567-89012.
            carrier: USPS, UPS, FedEx or DHL.
            tracking_number: The carrier's tracking number (8-30 capital letters or digits).
        """
        order = self._order(order_id)
        if order["seller"] != ME:
            raise ToolError(f"you bought order {order_id}; only its seller can add tracking")
        if order["status"] != "PAID":
            raise ToolError(f"order {order_id} is {order['status']}; only PAID orders can be marked shipped")
        self.execute("UPDATE orders SET status = 'SHIPPED', carrier = ?, tracking_number = ? WHERE order_id = ?",
                     carrier, tracking_number, order_id)
        return self.get_order_details(order_id)

    @tool(writes=True, phrase=["end {item_id} early (reason: {reason})", "take down {item_id}, which I am selling"])
    def end_listing(self, item_id: ItemId,
                    reason: Literal["NotAvailable", "Incorrect", "LostOrBroken", "OtherListingError"]) -> Ended:
        """End one of your active listings before its end time. An auction with bids cannot be ended in its last
        12 hours.

        Args:
            item_id: The 12-digit item number.
            reason: NotAvailable, Incorrect, LostOrBroken or OtherListingError.
        """
        item = self._item(item_id)
        if item["seller"] != ME:
            raise ToolError(f"item {item_id} is sold by {item['seller']}; you can only end your own listings")
        self._open(item)
        now = self.now()
        if self._bids(item_id) and item["end_time"] <= (now + dt.timedelta(hours=12)).strftime(TIME_FORMAT):
            raise ToolError(f"auction {item_id} has bids and ends within 12 hours, so it can no longer be ended early")
        self.execute("UPDATE items SET status = 'ENDED', ended_at = ?, end_reason = ? WHERE item_id = ?",
                     now.strftime(TIME_FORMAT), reason, item_id)
        return {"item_id": item_id, "status": "ENDED", "ended_at": now.strftime(TIME_FORMAT), "reason": reason}
