"""EtsyServer: Etsy for a maker who runs one shop: listings (draft, active, expired), receipts, favorites, fees."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

DAY = "%Y-%m-%d"
MY_SHOP = "ThistleAndPineStudio"
LISTING_FEE = 20  # cents, charged when a listing is published or renewed
LISTING_MONTHS_DAYS = 120  # a listing runs four months
#: taxonomy_id -> (name, path, [(title, materials, typical price)])
TAXONOMY = {
    1633: ("Candles", "Home & Living > Home Decor > Candles", [("Soy Wax Candle", "soy wax, cotton wick", 22),
                                                              ("Beeswax Taper Candles", "beeswax", 18)]),
    1207: ("Necklaces", "Jewelry > Necklaces", [("Sterling Silver Moon Necklace", "sterling silver", 48),
                                                ("Pressed Flower Pendant", "resin, brass", 34)]),
    1208: ("Rings", "Jewelry > Rings", [("Hammered Gold Stacking Ring", "14k gold fill", 39),
                                        ("Raw Crystal Ring", "quartz, copper", 28)]),
    2078: ("Prints", "Art & Collectibles > Prints", [("Botanical Watercolor Print", "archival paper", 25),
                                                     ("Mountain Linocut Print", "cotton paper, ink", 40)]),
    1002: ("Mugs", "Home & Living > Kitchen & Dining > Mugs", [("Speckled Ceramic Mug", "stoneware", 36),
                                                               ("Hand Thrown Espresso Cup", "porcelain", 24)]),
    1150: ("Knitting Patterns", "Craft Supplies & Tools > Patterns > Knitting", [
        ("Cable Knit Sweater Pattern PDF", "digital file", 8), ("Chunky Beanie Pattern", "digital file", 6)]),
    1210: ("Totes", "Bags & Purses > Totes", [("Waxed Canvas Tote Bag", "waxed canvas, leather", 68),
                                              ("Embroidered Linen Tote", "linen", 42)]),
    1380: ("Vintage Clothing", "Clothing > Vintage", [("1970s Suede Fringe Jacket", "suede", 145),
                                                      ("1990s Denim Overalls", "denim", 58)]),
}
ADJECTIVES = ["Rustic", "Personalized", "Minimalist", "Boho", "Handmade", "Dainty", "Woodland", "Cottagecore",
              "Lavender", "Sage Green", "Custom", "Tiny"]
SHOP_WORDS = ["Willow", "Fern", "Copper", "Juniper", "Honey", "Moss", "Birch", "Saffron", "Clover", "Maple", "Indigo"]
SHOP_ENDS = ["Studio", "Goods", "Atelier", "Makery", "AndCo", "Workshop", "Vintage", "Press"]
VARIANTS = ["", "", " - Gift for Her", " Set of 2", " in Gift Box", " - Small Batch", " (Made to Order)"]
STATES = ("active", "draft", "expired", "inactive", "sold_out")
WhenMade = Literal["made_to_order", "2020_2026", "2010_2019", "2000_2006", "1990s", "before_1990"]
VINTAGE = {"2000_2006", "1990s", "before_1990"}
ListingId = Annotated[int, Field(ge=1)]


def usd(cents: int) -> float:
    return round(cents / 100, 2)


Shop = TypedDict("Shop", {"shop_id": int, "shop_name": str, "tagline": str, "owner": str, "location": str,
                          "is_vacation": bool, "active_listings": int, "transaction_sold_count": int})
Node = TypedDict("Node", {"taxonomy_id": int, "name": str, "path": str})
ListingCard = TypedDict("ListingCard", {"listing_id": int, "title": str, "price": float, "currency_code": str,
                                        "quantity": int, "state": str, "shop_name": str, "num_favorers": int})
Listings = TypedDict("Listings", {"count": int, "results": list[ListingCard]})
ShippingProfile = TypedDict("ShippingProfile", {"origin_country": str, "processing_days": int,
                                                "shipping_cost": float})
ListingDetails = TypedDict("ListingDetails", {
    "listing_id": int, "title": str, "description": str, "price": float, "currency_code": str, "quantity": int,
    "state": str, "shop": Shop, "taxonomy_id": int, "tags": list[str], "materials": list[str], "who_made": str,
    "when_made": str, "created": str, "ending": str | None, "num_favorers": int, "shipping_profile": ShippingProfile})
Created = TypedDict("Created", {"listing_id": int, "title": str, "state": str, "created": str, "url": str})
StateChange = TypedDict("StateChange", {"listing_id": int, "state": str, "ending": str, "quantity": int,
                                        "fee_charged": float})
Transaction = TypedDict("Transaction", {"listing_id": int, "title": str, "quantity": int, "price": float})
Receipt = TypedDict("Receipt", {"receipt_id": int, "buyer_name": str, "status": str, "is_shipped": bool,
                                "created": str, "grandtotal": float, "carrier_name": str | None,
                                "tracking_code": str | None, "transactions": list[Transaction]})
Receipts = TypedDict("Receipts", {"count": int, "results": list[Receipt]})
Favorite = TypedDict("Favorite", {"listing_id": int, "title": str, "num_favorers": int, "created": str})


class EtsyServer(World):
    """Etsy for the signed-in seller who owns the shop 'ThistleAndPineStudio' (prices in USD) and also shops and
    favorites elsewhere. A new listing starts as a draft; publishing or renewing costs a 0.20 USD listing fee
    and runs four months; listings are active, draft, expired, inactive or sold_out. Dates are 'YYYY-MM-DD'."""

    domain = "Commerce"
    schema = """
    CREATE TABLE shops (shop_id INTEGER PRIMARY KEY, shop_name TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
                        owner TEXT NOT NULL, location TEXT NOT NULL, is_vacation INTEGER NOT NULL,
                        processing_days INTEGER NOT NULL);
    CREATE TABLE taxonomy (taxonomy_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, path TEXT NOT NULL);
    CREATE TABLE listings (listing_id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL REFERENCES shops,
                           title TEXT NOT NULL, description TEXT NOT NULL, price_cents INTEGER NOT NULL,
                           quantity INTEGER NOT NULL, state TEXT NOT NULL, taxonomy_id INTEGER NOT NULL,
                           who_made TEXT NOT NULL, when_made TEXT NOT NULL, tags TEXT NOT NULL,
                           materials TEXT NOT NULL, created TEXT NOT NULL, ending TEXT,
                           shipping_cents INTEGER NOT NULL, num_favorers INTEGER NOT NULL);
    CREATE INDEX listings_by_shop ON listings (shop_id, state);
    CREATE INDEX listings_by_taxonomy ON listings (taxonomy_id, state, price_cents);
    CREATE TABLE receipts (receipt_id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL REFERENCES shops,
                           buyer_name TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
                           carrier_name TEXT, tracking_code TEXT);
    CREATE INDEX receipts_by_shop ON receipts (shop_id, created);
    CREATE TABLE transactions (transaction_id INTEGER PRIMARY KEY, receipt_id INTEGER NOT NULL REFERENCES receipts,
                               listing_id INTEGER NOT NULL, quantity INTEGER NOT NULL, price_cents INTEGER NOT NULL);
    CREATE INDEX transactions_by_receipt ON transactions (receipt_id);
    CREATE TABLE favorites (listing_id INTEGER PRIMARY KEY REFERENCES listings, created TEXT NOT NULL);
    CREATE TABLE ledger (entry_id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, listing_id INTEGER,
                         description TEXT NOT NULL, amount_cents INTEGER NOT NULL, created TEXT NOT NULL);
    """
    text_search = {"listings": ("title", "tags", "materials"), "shops": ("shop_name",)}
    volatile = {"listings": ("created", "ending"), "favorites": ("created",), "ledger": ("created",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["taxonomy"].insert_all({"taxonomy_id": t, "name": n, "path": p} for t, (n, p, _) in TAXONOMY.items())
        names = [MY_SHOP]
        while len(names) < 18:
            name = rng.choice(SHOP_WORDS) + rng.choice(SHOP_WORDS) + rng.choice(SHOP_ENDS)
            names += [] if name in names else [name]
        shops = [{"shop_id": rng.randrange(10**7, 5 * 10**7), "shop_name": n, "title": f"{rng.choice(ADJECTIVES)} handmade goods from {fake.city()}",
                  "owner": "me" if n == MY_SHOP else fake.first_name(), "location": f"{fake.city()}, {fake.state()}",
                  "is_vacation": int(n != MY_SHOP and rng.random() < 0.15), "processing_days": rng.randrange(1, 6)}
                 for n in names]
        db["shops"].insert_all(shops)
        listings, receipts, lines, favorites, ledger, next_id = [], [], [], [], [], rng.randrange(10**9, 2 * 10**9)
        for shop in shops:
            mine = shop["shop_name"] == MY_SHOP
            for _ in range(rng.randrange(25, 35) if mine else rng.randrange(5, 12)):
                taxonomy = rng.choice(sorted(TAXONOMY))
                base, materials, price = rng.choice(TAXONOMY[taxonomy][2])
                state = rng.choice(["active"] * 5 + ["draft", "expired", "inactive", "sold_out"] if mine else
                                   ["active"] * 6 + ["expired", "sold_out"])
                created = cls.days_before_start(rng, 1, 400)
                if state in ("active", "sold_out", "inactive"):
                    created = max(created, cls.days_before_start(rng, 1, LISTING_MONTHS_DAYS - 1))
                vintage = taxonomy == 1380
                next_id += rng.randrange(1, 90000)
                listings.append({
                    "listing_id": next_id, "shop_id": shop["shop_id"],
                    "title": f"{rng.choice(ADJECTIVES)} {base}{rng.choice(VARIANTS)}",
                    "description": f"{base}, made with {materials}. {fake.sentence(nb_words=10)}",
                    "price_cents": round(price * rng.uniform(0.7, 1.5)) * 100 - rng.choice([0, 1, 5]),
                    "quantity": 0 if state == "sold_out" else rng.randrange(1, 25), "state": state,
                    "taxonomy_id": taxonomy, "who_made": "someone_else" if vintage else "i_did",
                    "when_made": rng.choice(["1990s", "before_1990"]) if vintage else "made_to_order",
                    "tags": ",".join(rng.sample(["gift for her", "handmade", "wedding", "cozy", "minimalist",
                                                 "birthday gift", "eco friendly", "home decor", "boho"], 3)),
                    "materials": materials, "created": created.strftime(DAY),
                    "ending": None if state == "draft" else (created + dt.timedelta(LISTING_MONTHS_DAYS)).strftime(DAY),
                    "shipping_cents": rng.choice([0, 395, 550, 899]), "num_favorers": 0 if state == "draft" else rng.randrange(0, 400)})
                if state != "draft":
                    ledger.append({"entry_id": len(ledger) + 1, "shop_id": shop["shop_id"], "listing_id": next_id,
                                   "description": "listing fee", "amount_cents": -LISTING_FEE,
                                   "created": created.strftime(DAY)})
                if not mine and state == "active" and rng.random() < 0.2:
                    favorites.append({"listing_id": next_id, "created": cls.days_before_start(rng, 1, 60).strftime(DAY)})
            sold = [x for x in listings if x["shop_id"] == shop["shop_id"] and x["state"] != "draft"]
            for _ in range(rng.randrange(20, 30) if mine else rng.randrange(2, 8)):
                receipt_id = rng.randrange(2 * 10**9, 4 * 10**9)
                status = rng.choice(["paid", "paid", "completed", "completed", "completed", "canceled"])
                shipped = status == "completed"
                receipts.append({"receipt_id": receipt_id, "shop_id": shop["shop_id"], "buyer_name": fake.name(),
                                 "status": status, "created": cls.days_before_start(rng, 0 if status == "paid" else 8,
                                                                                     10 if status == "paid" else 90
                                                                                     ).strftime(DAY),
                                 "carrier_name": "usps" if shipped else None,
                                 "tracking_code": f"9400{rng.randrange(10**18):018d}" if shipped else None})
                for listing in rng.sample(sold, min(len(sold), rng.choice([1, 1, 1, 2]))):
                    lines.append({"transaction_id": rng.randrange(10**9, 4 * 10**9), "receipt_id": receipt_id,
                                  "listing_id": listing["listing_id"], "quantity": rng.choice([1, 1, 2]),
                                  "price_cents": listing["price_cents"]})
        db["listings"].insert_all(listings)
        db["receipts"].insert_all(receipts)
        db["transactions"].insert_all(lines)
        db["favorites"].insert_all(favorites)
        db["ledger"].insert_all(ledger)

    # ------------------------------------------------------------------ helpers
    def _shop(self, shop_id: int, own: str | None = None) -> dict[str, Any]:
        shop = self.require("SELECT * FROM shops WHERE shop_id = ?", shop_id,
                            error=f"no Etsy shop with shop_id {shop_id}; find_shops looks shops up by name")
        if own and shop["owner"] != "me":
            raise ToolError(f"you do not own the shop {shop['shop_name']}; only its owner can {own}")
        return shop

    def _listing(self, listing_id: int, own: str | None = None) -> dict[str, Any]:
        listing = self.require("SELECT * FROM listings WHERE listing_id = ?", listing_id,
                               error=f"no Etsy listing {listing_id}; search_listings or get_shop_listings find ids")
        if own:
            self._shop(listing["shop_id"], own)
        return listing

    def _card(self, shop: dict[str, Any]) -> Shop:
        counts = self.row("SELECT (SELECT COUNT(*) FROM listings WHERE shop_id = ?1 AND state = 'active') AS a,"
                          " (SELECT COALESCE(SUM(t.quantity), 0) FROM transactions t JOIN receipts r USING (receipt_id)"
                          " WHERE r.shop_id = ?1 AND r.status != 'canceled') AS s", shop["shop_id"])
        return {"shop_id": shop["shop_id"], "shop_name": shop["shop_name"], "tagline": shop["title"],
                "owner": shop["owner"], "location": shop["location"], "is_vacation": bool(shop["is_vacation"]),
                "active_listings": counts["a"], "transaction_sold_count": counts["s"]}

    def _cards(self, where: str, *params: Any) -> Listings:
        rows = self.rows("SELECT listing_id, listings.title, price_cents, quantity, state, shop_name, num_favorers"
                         f" FROM listings JOIN shops USING (shop_id) WHERE {where}", *params)
        return {"count": len(rows), "results": [
            {"listing_id": r["listing_id"], "title": r["title"], "price": usd(r["price_cents"]), "currency_code": "USD",
             "quantity": r["quantity"], "state": r["state"], "shop_name": r["shop_name"],
             "num_favorers": r["num_favorers"]} for r in rows]}

    def _activate(self, listing: dict[str, Any], quantity: int, what: str) -> StateChange:
        today = self.now().date()
        ending = (today + dt.timedelta(LISTING_MONTHS_DAYS)).strftime(DAY)
        self.execute("UPDATE listings SET state = 'active', quantity = ?, ending = ? WHERE listing_id = ?",
                     quantity, ending, listing["listing_id"])
        self.execute("INSERT INTO ledger VALUES ((SELECT MAX(entry_id) + 1 FROM ledger), ?, ?, ?, ?, ?)",
                     listing["shop_id"], listing["listing_id"], what, -LISTING_FEE, today.strftime(DAY))
        return {"listing_id": listing["listing_id"], "state": "active", "ending": ending, "quantity": quantity,
                "fee_charged": usd(LISTING_FEE)}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find the Etsy shop {shop_name}", "look up the shop called {shop_name} on Etsy"])
    def find_shops(self, shop_name: Annotated[str, Field(min_length=3, pattern=r"\S")]) -> list[Shop]:
        """Find shops whose name contains the text (case-insensitive), with their shop_id.

        Args:
            shop_name: The shop's name or part of it, e.g. "WillowFern".
        """
        matches, params = self.text_filter("shops", shop_name)
        return [self._card(s) for s in self.rows(f"SELECT * FROM shops WHERE {matches} ORDER BY shop_name LIMIT 10",
                                                 *params)]

    @tool(phrase=["show me Etsy's seller categories", "list the categories I can list items under on Etsy"])
    def get_taxonomy(self) -> list[Node]:
        """The seller taxonomy: categories a listing can be placed in, with their taxonomy_id."""
        return self.rows("SELECT taxonomy_id, name, path FROM taxonomy ORDER BY path")

    @tool(phrase=["search Etsy for {keywords}[ in {category}][ from {min_price}][ up to {max_price} dollars]",
                  "find {keywords} on Etsy[ in {category}][ priced from {min_price}][ up to {max_price} dollars]"])
    def search_listings(self, keywords: NonEmptyStr, category: str | None = None,
                        min_price: Annotated[float, Field(ge=0)] | None = None,
                        max_price: Annotated[float, Field(ge=0)] | None = None,
                        limit: Annotated[int, Field(ge=1, le=100)] = 25) -> Listings:
        """Search active listings of every shop by words in the title, tags or materials, cheapest first.

        Args:
            keywords: Words to look for, e.g. "ceramic mug".
            category: A category name from get_taxonomy, e.g. "Candles".
            min_price: Lowest price in USD.
            max_price: Highest price in USD.
            limit: At most this many listings.
        """
        taxonomy = None
        if category is not None:
            taxonomy = self.require("SELECT taxonomy_id FROM taxonomy WHERE name = ? COLLATE NOCASE", category.strip(),
                                    error=f"no Etsy category '{category}'; get_taxonomy lists them")["taxonomy_id"]
        if min_price is not None and max_price is not None and max_price < min_price:
            raise ToolError("max_price must not be below min_price")
        matches, params = self.text_filter("listings", keywords)
        return self._cards(f"{matches} AND state = 'active' AND (? IS NULL OR taxonomy_id = ?) AND price_cents"
                           " BETWEEN ? AND ? ORDER BY price_cents, listing_id LIMIT ?", *params, taxonomy,
                           taxonomy, round((min_price or 0) * 100), round((max_price or 10**7) * 100), limit)

    @tool(phrase=["show me {listing_id} on Etsy", "pull up the details of {listing_id}"])
    def get_listing_details(self, listing_id: ListingId) -> ListingDetails:
        """One listing with its shop, tags, materials, who made it, when it expires and its shipping profile
        (another shop's draft or inactive listing is not visible).

        Args:
            listing_id: The listing's numeric id.
        """
        listing = self._listing(listing_id)
        shop = self._shop(listing["shop_id"])
        if listing["state"] in ("draft", "inactive") and shop["owner"] != "me":
            raise ToolError(f"no Etsy listing {listing_id}; search_listings or get_shop_listings find ids")
        return {**{k: listing[k] for k in ("listing_id", "title", "description", "quantity", "state", "taxonomy_id",
                                           "who_made", "when_made", "created", "ending", "num_favorers")},
                "price": usd(listing["price_cents"]), "currency_code": "USD", "shop": self._card(shop),
                "tags": [t for t in listing["tags"].split(",") if t],
                "materials": [m for m in listing["materials"].split(", ") if m],
                "shipping_profile": {"origin_country": "United States", "processing_days": shop["processing_days"],
                                     "shipping_cost": usd(listing["shipping_cents"])}}

    @tool(phrase=["list the listings of {shop_id}[ that are {status}]", "show me what {shop_id} has[ in {status}]"])
    def get_shop_listings(self, shop_id: int, status: Literal[STATES] = "active",  # type: ignore[valid-type]
                          limit: Annotated[int, Field(ge=1, le=100)] = 25) -> Listings:
        """A shop's listings in one state, newest first; only the owner sees draft, expired, inactive and sold_out.

        Args:
            shop_id: The shop's numeric id (find_shops).
            status: active, draft, expired, inactive or sold_out.
            limit: At most this many listings.
        """
        self._shop(shop_id, None if status == "active" else f"see its {status} listings")
        return self._cards("shop_id = ? AND state = ? ORDER BY created DESC, listing_id LIMIT ?",
                           shop_id, status, limit)

    @tool(writes=True, phrase=[
        "draft a new listing in my shop {shop_id}: {title} for {price} dollars, {quantity} in stock, in {taxonomy_id}",
        "create a draft listing {title} in {shop_id} priced at {price} with {quantity} available under {taxonomy_id}"
        "[, made by {who_made}][, made {when_made}]"])
    def create_listing(self, shop_id: int, title: Annotated[str, Field(min_length=1, max_length=140, pattern=r"\S")],
                       description: NonEmptyStr, price: Annotated[float, Field(ge=0.2, le=50000)],
                       quantity: Annotated[int, Field(ge=1, le=999)], taxonomy_id: int,
                       who_made: Literal["i_did", "someone_else", "collective"] = "i_did",
                       when_made: WhenMade = "made_to_order",
                       tags: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=13)] | None = None
                       ) -> Created:
        """Create a listing in your shop as a draft (publish_listing puts it live). Items someone else made may only
        be sold as vintage (made 2006 or earlier).

        Args:
            shop_id: Your shop's numeric id (find_shops).
            title: Up to 140 characters.
            description: The listing text.
            price: Price in USD, 0.20 to 50,000.
            quantity: Units in stock, 1-999.
            taxonomy_id: Category id from get_taxonomy.
            who_made: i_did, someone_else or collective.
            when_made: made_to_order, 2020_2026, 2010_2019, 2000_2006, 1990s or before_1990.
            tags: Up to 13 search tags of at most 20 characters.
        """
        self._shop(shop_id, "add listings to it")
        self.require("SELECT 1 FROM taxonomy WHERE taxonomy_id = ?", taxonomy_id,
                     error=f"no taxonomy_id {taxonomy_id}; get_taxonomy lists the categories")
        if who_made == "someone_else" and when_made not in VINTAGE:
            raise ToolError("Etsy only allows items someone else made when they are vintage (when_made 2000_2006 or "
                            "earlier); choose i_did or collective if you made it")
        listing_id = self.value("SELECT MAX(listing_id) FROM listings") + 1
        self.mark_generated("listings", listing_id)
        created = self.now().strftime(DAY)
        self.execute("INSERT INTO listings VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, '', ?, NULL, 0, 0)",
                     listing_id, shop_id, title.strip(), description.strip(), round(price * 100), quantity,
                     taxonomy_id, who_made, when_made, ",".join(t.strip().lower() for t in tags or []), created)
        return {"listing_id": listing_id, "title": title.strip(), "state": "draft", "created": created,
                "url": f"https://www.etsy.com/listing/{listing_id}"}

    @tool(writes=True, phrase=["publish my draft listing {listing_id}", "make {listing_id} live in my shop"])
    def publish_listing(self, listing_id: ListingId) -> StateChange:
        """Put one of your draft or inactive listings live for four months (charges the 0.20 USD listing fee when
        it is a draft).

        Args:
            listing_id: The listing's numeric id.
        """
        listing = self._listing(listing_id, "publish its listings")
        if listing["state"] not in ("draft", "inactive"):
            hint = "renew_listing renews it" if listing["state"] in ("expired", "sold_out") else "it is already live"
            raise ToolError(f"listing {listing_id} is {listing['state']}; only draft or inactive listings can be "
                            f"published ({hint})")
        if listing["state"] == "inactive":
            self.execute("UPDATE listings SET state = 'active' WHERE listing_id = ?", listing_id)
            return {"listing_id": listing_id, "state": "active", "ending": listing["ending"],
                    "quantity": listing["quantity"], "fee_charged": 0.0}
        return self._activate(listing, listing["quantity"], "listing fee")

    @tool(writes=True, phrase=["renew my listing {listing_id}[ with {quantity} in stock]",
                               "relist {listing_id}[ and restock it to {quantity}]"])
    def renew_listing(self, listing_id: ListingId,
                      quantity: Annotated[int, Field(ge=1, le=999)] | None = None) -> StateChange:
        """Renew one of your expired, sold-out or active listings for another four months (0.20 USD fee). A
        sold-out listing needs a new quantity.

        Args:
            listing_id: The listing's numeric id.
            quantity: New stock; required for a sold-out listing.
        """
        listing = self._listing(listing_id, "renew its listings")
        if listing["state"] not in ("expired", "sold_out", "active"):
            raise ToolError(f"listing {listing_id} is {listing['state']}; use publish_listing for draft or "
                            "inactive listings")
        if listing["state"] == "sold_out" and quantity is None:
            raise ToolError(f"listing {listing_id} is sold out; give the quantity you have in stock to renew it")
        return self._activate(listing, quantity or listing["quantity"], "renewal fee")

    @tool(writes=True, phrase=["change the price of my listing {listing_id} to {price} dollars",
                               "set the stock of {listing_id} to {quantity}",
                               "update {listing_id}[: price {price}][, quantity {quantity}][, title {title}]"])
    def update_listing(self, listing_id: ListingId, price: Annotated[float, Field(ge=0.2, le=50000)] | None = None,
                       quantity: Annotated[int, Field(ge=1, le=999)] | None = None,
                       title: Annotated[str, Field(min_length=1, max_length=140, pattern=r"\S")] | None = None
                       ) -> ListingDetails:
        """Change the price, stock or title of one of your active, draft or inactive listings.

        Args:
            listing_id: The listing's numeric id.
            price: New price in USD.
            quantity: New stock.
            title: New title.
        """
        listing = self._listing(listing_id, "edit its listings")
        if listing["state"] in ("expired", "sold_out"):
            raise ToolError(f"listing {listing_id} is {listing['state']}; renew_listing brings it back first")
        if price is None and quantity is None and title is None:
            raise ToolError("give at least one of price, quantity or title to change")
        self.execute("UPDATE listings SET price_cents = COALESCE(?, price_cents), quantity = COALESCE(?, quantity),"
                     " title = COALESCE(?, title) WHERE listing_id = ?", None if price is None else round(price * 100),
                     quantity, title and title.strip(), listing_id)
        return self.get_listing_details(listing_id)

    @tool(writes=True, phrase=["favorite {listing_id}", "save {listing_id} to my Etsy favorites"])
    def favorite_listing(self, listing_id: ListingId) -> Favorite:
        """Add another shop's active listing to your favorites.

        Args:
            listing_id: The listing's numeric id.
        """
        listing = self._listing(listing_id)
        if self._shop(listing["shop_id"])["owner"] == "me":
            raise ToolError(f"listing {listing_id} is in your own shop; you can only favorite other shops' items")
        if listing["state"] != "active":
            raise ToolError(f"listing {listing_id} is {listing['state']}; only active listings can be favorited")
        if self.value("SELECT 1 FROM favorites WHERE listing_id = ?", listing_id):
            raise ToolError(f"listing {listing_id} is already in your favorites")
        created = self.now().strftime(DAY)
        self.execute("INSERT INTO favorites VALUES (?, ?)", listing_id, created)
        self.execute("UPDATE listings SET num_favorers = num_favorers + 1 WHERE listing_id = ?", listing_id)
        return {"listing_id": listing_id, "title": listing["title"], "num_favorers": listing["num_favorers"] + 1,
                "created": created}

    @tool(phrase=["show the orders of my shop {shop_id}[ placed from {min_created}][ until {max_created}]",
                  "list the receipts of {shop_id}[ since {min_created}][ up to {max_created}]"])
    def get_receipts(self, shop_id: int, min_created: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None
                     = None, max_created: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None,
                     limit: Annotated[int, Field(ge=1, le=100)] = 25) -> Receipts:
        """Your shop's orders (receipts) with what was bought, newest first, optionally within a date range.

        Args:
            shop_id: Your shop's numeric id (find_shops).
            min_created: Only orders on or after this day, YYYY-MM-DD.
            max_created: Only orders on or before this day, YYYY-MM-DD.
            limit: At most this many receipts.
        """
        self._shop(shop_id, "see its orders")
        receipts = self.rows("SELECT * FROM receipts WHERE shop_id = ? AND created >= COALESCE(?, '') AND created <="
                             " COALESCE(?, '9999') ORDER BY created DESC, receipt_id LIMIT ?", shop_id, min_created,
                             max_created, limit)
        return {"count": len(receipts), "results": [self._receipt(r) for r in receipts]}

    def _receipt(self, r: dict[str, Any]) -> Receipt:
        lines = self.rows("SELECT t.listing_id, l.title, t.quantity, t.price_cents FROM transactions t JOIN listings l"
                          " USING (listing_id) WHERE t.receipt_id = ? ORDER BY t.transaction_id", r["receipt_id"])
        return {"receipt_id": r["receipt_id"], "buyer_name": r["buyer_name"], "status": r["status"],
                "is_shipped": r["status"] == "completed", "created": r["created"],
                "grandtotal": usd(sum(x["price_cents"] * x["quantity"] for x in lines)),
                "carrier_name": r["carrier_name"], "tracking_code": r["tracking_code"],
                "transactions": [{"listing_id": x["listing_id"], "title": x["title"], "quantity": x["quantity"],
                                  "price": usd(x["price_cents"])} for x in lines]}

    @tool(writes=True, phrase=["mark Etsy order {receipt_id} as shipped via {carrier_name} with tracking {tracking_code}",
                               "add {carrier_name} tracking {tracking_code} to my order {receipt_id}"])
    def create_receipt_shipment(self, receipt_id: Annotated[int, UserKnown],
                                carrier_name: Literal["usps", "ups", "fedex", "dhl", "canada-post"],
                                tracking_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{8,30}$")]) -> Receipt:
        """Add tracking to a paid order of your shop, which completes it and notifies the buyer.

        Args:
            receipt_id: The order (receipt) number.
            carrier_name: usps, ups, fedex, dhl or canada-post.
            tracking_code: The carrier's tracking code (8-30 capital letters or digits).
        """
        receipt = self.require("SELECT * FROM receipts WHERE receipt_id = ?", receipt_id,
                               error=f"no Etsy order {receipt_id}; get_receipts lists your shop's orders")
        self._shop(receipt["shop_id"], "ship its orders")
        if receipt["status"] != "paid":
            raise ToolError(f"order {receipt_id} is {receipt['status']}; only paid orders can be marked shipped")
        self.execute("UPDATE receipts SET status = 'completed', carrier_name = ?, tracking_code = ? WHERE receipt_id = ?",
                     carrier_name, tracking_code, receipt_id)
        return self._receipt({**receipt, "status": "completed", "carrier_name": carrier_name,
                              "tracking_code": tracking_code})
