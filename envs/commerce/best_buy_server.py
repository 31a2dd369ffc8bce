"""BestBuyServer: the Best Buy Products, Reviews, Categories and Stores APIs, with store pickup and reviews."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

CATEGORIES = {  # id -> (name, parent id, {manufacturer: product lines}, variants, price range)
    "abcat0500000": ("Computers & Tablets", None, {}, [], (0, 0)),
    "abcat0502000": ("Laptops", "abcat0500000", {"Apple": ["MacBook Air 13.6\"", "MacBook Pro 14\""],
                     "Dell": ["XPS 13", "Inspiron 15"], "HP": ["Pavilion 15.6\"", "ENVY x360 14\""],
                     "Lenovo": ["IdeaPad Slim 5", "Yoga 7i"], "ASUS": ["Zenbook 14 OLED", "ROG Strix G16"]},
                     ["8GB Memory 256GB SSD", "16GB Memory 512GB SSD", "16GB Memory 1TB SSD"], (449, 2499)),
    "pcmcat209000050006": ("iPad & Tablets", "abcat0500000", {"Apple": ["iPad Air 11\"", "iPad mini"],
                           "Samsung": ["Galaxy Tab S9", "Galaxy Tab A9+"], "Amazon": ["Fire HD 10"]},
                           ["64GB Wi-Fi", "128GB Wi-Fi", "256GB Wi-Fi + Cellular"], (99, 1099)),
    "abcat0100000": ("TV & Home Theater", None, {}, [], (0, 0)),
    "abcat0101000": ("TVs", "abcat0100000", {"Samsung": ["Class Crystal UHD 4K", "Class QLED Q80C"],
                     "LG": ["Class OLED evo C3", "Class UR9000 4K"], "Sony": ["Class BRAVIA XR X90L"],
                     "TCL": ["Class Q6 QLED 4K"], "Insignia": ["Class F30 Series LED 4K Fire TV"]},
                     ["43\"", "55\"", "65\"", "75\""], (199, 3299)),
    "abcat0204000": ("Headphones", "abcat0200000", {"Sony": ["WH-1000XM5 Wireless Noise Canceling",
                     "WF-1000XM5 True Wireless Earbuds"], "Bose": ["QuietComfort Ultra Headphones",
                     "QuietComfort Earbuds II"], "Apple": ["AirPods Pro (2nd generation)"],
                     "Beats": ["Studio Pro Wireless", "Solo 4 Wireless"], "JBL": ["Tune 760NC"]},
                     ["Black", "White", "Midnight Blue", "Sandstone"], (49, 549)),
    "abcat0200000": ("Audio", None, {}, [], (0, 0)),
    "pcmcat209400050001": ("Cell Phones", None, {"Apple": ["iPhone 15", "iPhone 15 Pro"],
                           "Samsung": ["Galaxy S24", "Galaxy Z Flip5"], "Google": ["Pixel 8", "Pixel 8a"],
                           "Motorola": ["moto g stylus 5G"]}, ["128GB Unlocked", "256GB Unlocked"], (199, 1199)),
    "pcmcat1494520026299": ("Video Games", None, {"Sony": ["PlayStation 5 Slim Console"],
                            "Microsoft": ["Xbox Series X 1TB Console", "Xbox Series S 512GB Console"],
                            "Nintendo": ["Switch OLED Model", "Switch Lite"]}, ["Standard", "Bundle"], (199, 649)),
}
FIRST_NAMES = ["Alex", "Jordan", "Sam", "Taylor", "Chris", "Pat", "Morgan", "Casey", "Jamie", "Riley", "Drew"]
REVIEW_TITLES = {5: ["Love it", "Excellent purchase", "Exactly what I needed"], 4: ["Very good", "Solid buy"],
                 3: ["It's okay", "Decent for the price"], 2: ["Disappointed", "Not great"],
                 1: ["Stopped working", "Would not buy again"]}
MAX_PER_CUSTOMER = 3
PICKUP_DAYS = 5
Sku = Annotated[int, Field(ge=1000000, le=9999999)]
Money = Annotated[float, Field(ge=0, le=100000)]


class Summary(TypedDict):
    sku: int
    name: str
    manufacturer: str
    salePrice: float
    regularPrice: float
    onSale: bool
    categoryId: str
    onlineAvailability: bool
    customerReviewAverage: float
    customerReviewCount: int


class Search(TypedDict):
    total: int
    products: list[Summary]


class CategoryNode(TypedDict):
    id: str
    name: str


class Details(Summary):
    description: str
    longDescription: str
    modelNumber: str
    images: dict[str, str]
    categoryPath: list[CategoryNode]
    features: list[str]


class Review(TypedDict):
    id: int
    rating: int
    title: str
    comment: str
    reviewer: str
    submissionTime: str


class Reviews(TypedDict):
    sku: int
    overallRating: float
    totalReviewCount: int
    reviews: list[Review]


class Category(CategoryNode):
    path: str


class Categories(TypedDict):
    categories: list[Category]


class Store(TypedDict):
    storeId: int
    name: str
    address: str
    city: str
    state: str
    postalCode: str
    phone: str
    distance: float | None


class Stores(TypedDict):
    stores: list[Store]


class StockAt(TypedDict):
    storeId: int
    name: str
    city: str
    state: str
    quantity: int


class Availability(TypedDict):
    sku: int
    stores: list[StockAt]


class Pickup(TypedDict):
    orderId: str
    sku: int
    storeId: int
    quantity: int
    total: float
    customerName: str
    email: str
    status: str
    pickupBy: str


class BestBuyServer(World):
    """Best Buy's catalog (SKUs, prices in US dollars, categories), customer reviews, stores with their stock,
    and in-store pickup reservations (held 5 days; at most 3 units of one SKU per customer)."""

    domain = "Commerce"
    schema = """
    CREATE TABLE categories (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, parent TEXT REFERENCES categories);
    CREATE TABLE products (sku INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, manufacturer TEXT NOT NULL,
                           modelNumber TEXT NOT NULL, categoryId TEXT NOT NULL REFERENCES categories,
                           regularPrice REAL NOT NULL, salePrice REAL NOT NULL, description TEXT NOT NULL,
                           longDescription TEXT NOT NULL, features TEXT NOT NULL,
                           onlineAvailability INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);
    CREATE INDEX products_by_category ON products (categoryId, salePrice);
    CREATE INDEX products_by_price ON products (salePrice);
    CREATE TABLE reviews (id INTEGER PRIMARY KEY, sku INTEGER NOT NULL REFERENCES products, rating INTEGER NOT NULL,
                          title TEXT NOT NULL, comment TEXT NOT NULL, reviewer TEXT NOT NULL,
                          submissionTime TEXT NOT NULL);
    CREATE INDEX reviews_by_sku ON reviews (sku, submissionTime);
    CREATE TABLE stores (storeId INTEGER PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL, city TEXT NOT NULL,
                         state TEXT NOT NULL, postalCode TEXT NOT NULL, lat REAL NOT NULL, lng REAL NOT NULL,
                         phone TEXT NOT NULL);
    CREATE INDEX stores_by_place ON stores (state, city);
    CREATE INDEX stores_by_zip ON stores (postalCode);
    CREATE TABLE store_stock (storeId INTEGER NOT NULL REFERENCES stores, sku INTEGER NOT NULL REFERENCES products,
                              quantity INTEGER NOT NULL, PRIMARY KEY (storeId, sku));
    CREATE INDEX stock_by_sku ON store_stock (sku, quantity);
    CREATE TABLE pickups (orderId TEXT PRIMARY KEY, sku INTEGER NOT NULL REFERENCES products,
                          storeId INTEGER NOT NULL REFERENCES stores, quantity INTEGER NOT NULL, total REAL NOT NULL,
                          customerName TEXT NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL,
                          createdAt TEXT NOT NULL, pickupBy TEXT NOT NULL);
    CREATE INDEX pickups_by_email ON pickups (email, sku);
    """
    text_search = {"products": ("name", "manufacturer", "modelNumber", "description")}
    volatile = {"reviews": ("submissionTime",), "pickups": ("createdAt", "pickupBy")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["categories"].insert_all({"id": cid, "name": c[0], "parent": c[1]} for cid, c in CATEGORIES.items())
        products, skus = [], rng.sample(range(4000000, 6999999), 200)
        for cid, (_, _, lines, variants, (low, high)) in CATEGORIES.items():
            for maker, models in lines.items():
                for model in models:
                    for variant in rng.sample(variants, rng.randrange(2, len(variants) + 1)):
                        regular = rng.randrange(low, high) + 0.99
                        sale = round(regular * rng.choice([0.8, 0.85, 0.9]), 0) - 0.01 if rng.random() < 0.3 else regular
                        name = (f"{maker} - {variant} {model}" if cid == "abcat0101000" else
                                f"{maker} - {model} - {variant}")
                        products.append({
                            "sku": skus[len(products)], "name": name, "manufacturer": maker,
                            "modelNumber": f"{maker[:2].upper()}{rng.randrange(1000, 9999)}{fake.lexify('??').upper()}",
                            "categoryId": cid, "regularPrice": regular, "salePrice": sale,
                            "description": f"{model} {variant}. {fake.sentence(6)}",
                            "longDescription": fake.paragraph(4),
                            "features": "|".join(fake.sentence(5) for _ in range(3)),
                            "onlineAvailability": int(rng.random() < 0.8), "active": int(rng.random() < 0.95)})
        db["products"].insert_all(products)
        reviews = []
        for product in products:
            for _ in range(rng.randrange(0, 9)):
                rating = rng.choices([5, 4, 3, 2, 1], weights=[40, 30, 13, 8, 9])[0]
                reviews.append({"id": len(reviews) + 90000001, "sku": product["sku"], "rating": rating,
                                "title": rng.choice(REVIEW_TITLES[rating]), "comment": fake.paragraph(2),
                                "reviewer": f"{rng.choice(FIRST_NAMES)}{rng.randrange(10, 999)}",
                                "submissionTime": f"{cls.days_before_start(rng, 3, 700)}T{rng.randrange(8, 22):02d}:00"})
        db["reviews"].insert_all(reviews)
        stores, stock = [], []
        for _ in range(36):
            city = fake.city()
            stores.append({"storeId": rng.randrange(100, 1999), "name": city, "address": fake.street_address(),
                           "city": city, "state": fake.state_abbr(include_territories=False),
                           "postalCode": fake.zipcode(), "lat": round(rng.uniform(26, 48), 4),
                           "lng": round(rng.uniform(-122, -71), 4), "phone": fake.numerify("###-###-####")})
        stores = list({s["storeId"]: s for s in stores}.values())
        db["stores"].insert_all(stores)
        for store in stores:
            for product in rng.sample(products, 60):
                stock.append({"storeId": store["storeId"], "sku": product["sku"], "quantity": rng.randrange(0, 8)})
        db["store_stock"].insert_all(stock)
        pickups = []
        for _ in range(40):
            product, store = rng.choice(products), rng.choice(stores)
            first, last = fake.first_name(), fake.last_name()
            made = cls.days_before_start(rng, 0, 30)
            status = "reserved" if made >= cls.days_before_start(rng, 5, 5) and rng.random() < 0.8 else rng.choice(
                ["picked_up", "picked_up", "cancelled"])
            quantity = rng.choice([1, 1, 1, 2])
            pickups.append({"orderId": fake_id(rng, "BBY01-"), "sku": product["sku"], "storeId": store["storeId"],
                            "quantity": quantity, "total": round(product["salePrice"] * quantity, 2),
                            "customerName": f"{first} {last}", "email": f"{first}.{last}@example.com".lower(),
                            "status": status, "createdAt": f"{made}T{rng.randrange(9, 21):02d}:00",
                            "pickupBy": (made + dt.timedelta(days=PICKUP_DAYS)).isoformat()})
        db["pickups"].insert_all(pickups)

    # ------------------------------------------------------------------ helpers
    def _summaries(self, where: str, *params: Any, limit: int = 100) -> list[Summary]:
        rows = self.rows(
            "SELECT products.sku, name, manufacturer, salePrice, regularPrice, salePrice < regularPrice AS onSale,"
            " categoryId, onlineAvailability, COALESCE(ROUND(AVG(r.rating), 1), 0.0) AS customerReviewAverage,"
            f" COUNT(r.id) AS customerReviewCount FROM products LEFT JOIN reviews r ON r.sku = products.sku"
            f" WHERE active = 1 AND {where} GROUP BY products.sku ORDER BY salePrice, products.sku LIMIT ?",
            *params, limit)
        for row in rows:
            row["onSale"], row["onlineAvailability"] = bool(row["onSale"]), bool(row["onlineAvailability"])
            row["customerReviewAverage"] = float(row["customerReviewAverage"])
        return rows

    def _product(self, sku: int) -> dict[str, Any]:
        product = self.require("SELECT * FROM products WHERE sku = ?", sku,
                               error=f"no product with SKU {sku}; search_products finds SKUs")
        if not product["active"]:
            raise ToolError(f"SKU {sku} ({product['name']}) is discontinued and no longer sold")
        return product

    def _store(self, store_id: int) -> dict[str, Any]:
        return self.require("SELECT * FROM stores WHERE storeId = ?", store_id,
                            error=f"no Best Buy store with id {store_id}; get_stores lists them")

    def _category(self, category: str) -> str:
        found = self.value("SELECT id FROM categories WHERE id = ?1 OR lower(name) = lower(?1)", category.strip())
        if found is None:
            raise ToolError(f"no category '{category}'; get_categories lists ids and names")
        return found

    # -------------------------------------------------------------------- tools
    @tool(phrase=["search Best Buy for {keywords}[ in {category}][ under ${max_price}][ from ${min_price}]",
                  "find {keywords}[ in {category}] at Best Buy[ priced ${min_price} to ${max_price}]"])
    def search_products(self, keywords: NonEmptyStr, category: str | None = None, min_price: Money | None = None,
                        max_price: Money | None = None, in_stock_only: bool = False,
                        limit: Annotated[int, Field(ge=1, le=100)] = 10) -> Search:
        """Search products by words in the name, brand, model number or description, cheapest first.

        Args:
            keywords: Text to look for, e.g. "OLED" or "MacBook".
            category: Only this category (its id or name) and its subcategories.
            min_price: Lowest sale price in US dollars.
            max_price: Highest sale price in US dollars.
            in_stock_only: Only products available to buy online.
            limit: At most this many products.
        """
        if min_price is not None and max_price is not None and max_price < min_price:
            raise ToolError("max_price must not be below min_price")
        cid = None if category is None else self._category(category)
        matches, params = self.text_filter("products", keywords)
        found = self._summaries(
            f"{matches} AND (? IS NULL OR categoryId IN (SELECT id FROM categories WHERE id = ? OR parent = ?))"
            " AND (? IS NULL OR salePrice >= ?) AND (? IS NULL OR salePrice <= ?) AND (? = 0 OR onlineAvailability = 1)",
            *params, cid, cid, cid, min_price, min_price, max_price, max_price, int(in_stock_only), limit=limit)
        return {"total": len(found), "products": found}

    @tool(phrase=["tell me about SKU {sku}", "pull up the full specs of SKU {sku}"])
    def get_product_details(self, sku: Sku) -> Details:
        """Get one product's full details: prices, descriptions, model number, category path, features, rating.

        Args:
            sku: The product's Best Buy SKU.
        """
        product = self._product(sku)
        path, cid = [], product["categoryId"]
        while cid is not None:
            node = self.row("SELECT id, name, parent FROM categories WHERE id = ?", cid)
            path.insert(0, {"id": node["id"], "name": node["name"]})
            cid = node["parent"]
        return {**self._summaries("products.sku = ?", sku)[0], "description": product["description"],
                "longDescription": product["longDescription"], "modelNumber": product["modelNumber"],
                "images": {"standard": f"https://pisces.bbystatic.com/image2/BestBuy_US/images/products/{sku}_sd.jpg"},
                "categoryPath": path, "features": product["features"].split("|")}

    @tool(phrase=["show me the newest reviews of SKU {sku}", "what do customers say about SKU {sku}",
                  "read me the latest {limit} reviews of SKU {sku}"])
    def get_product_reviews(self, sku: Sku, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> Reviews:
        """A product's overall rating and its customer reviews, newest first.

        Args:
            sku: The product's Best Buy SKU.
            limit: At most this many reviews.
        """
        summary = self._summaries("products.sku = ?", self._product(sku)["sku"])[0]
        return {"sku": sku, "overallRating": summary["customerReviewAverage"],
                "totalReviewCount": summary["customerReviewCount"], "reviews": self.rows(
                    "SELECT id, rating, title, comment, reviewer, submissionTime FROM reviews WHERE sku = ?"
                    " ORDER BY submissionTime DESC, id DESC LIMIT ?", sku, limit)}

    @tool(phrase=["which product categories does Best Buy have", "list Best Buy's departments"])
    def get_categories(self) -> Categories:
        """All categories with their ids and full paths (use an id or name in search_products)."""
        names = {r["id"]: r for r in self.rows("SELECT * FROM categories")}
        out = []
        for cid, row in sorted(names.items(), key=lambda item: item[1]["name"]):
            parent = names.get(row["parent"])
            out.append({"id": cid, "name": row["name"],
                        "path": " > ".join(x["name"] for x in (parent, row) if x is not None)})
        return {"categories": out}

    @tool(phrase=["find Best Buy stores[ in {city}][, {state}][ near ZIP {zip_code}][ within {radius} miles]",
                  "which Best Buy stores are there[ in {city}][ in {state}][ around {zip_code}]"])
    def get_stores(self, city: str | None = None, state: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None,
                   zip_code: Annotated[str, Field(pattern=r"^\d{5}$")] | None = None,
                   lat: Annotated[float, Field(ge=-90, le=90)] | None = None,
                   lng: Annotated[float, Field(ge=-180, le=180)] | None = None,
                   radius: Annotated[int, Field(ge=1, le=500)] = 25) -> Stores:
        """Find stores by city, state or ZIP code, or within a radius of a point or of a store's ZIP code;
        nearest first when a point or ZIP is given.

        Args:
            city: City name.
            state: Two-letter state code, e.g. "TX".
            zip_code: Five-digit ZIP code of a store; with radius, stores around it.
            lat: Latitude of the point to search around (with lng).
            lng: Longitude of the point to search around (with lat).
            radius: Search radius in miles around the point or ZIP code.
        """
        if (lat is None) != (lng is None):
            raise ToolError("give both lat and lng, or neither")
        if zip_code is not None and lat is None:
            origin = self.require("SELECT lat, lng FROM stores WHERE postalCode = ?", zip_code,
                                  error=f"no store near ZIP code {zip_code}; search by city or state instead")
            lat, lng = origin["lat"], origin["lng"]
        rows = self.rows("SELECT * FROM stores WHERE (? IS NULL OR lower(city) = lower(?))"
                         " AND (? IS NULL OR state = upper(?)) ORDER BY storeId", city, city and city.strip(),
                         state, state)
        out = []
        for row in rows:
            distance = None if lat is None else round(miles(lat, lng, row["lat"], row["lng"]), 1)
            if distance is None or distance <= radius:
                out.append({k: row[k] for k in ("storeId", "name", "address", "city", "state", "postalCode", "phone")}
                           | {"distance": distance})
        return {"stores": sorted(out, key=lambda s: (s["distance"] or 0, s["storeId"]))}

    @tool(phrase=["which stores have SKU {sku} in stock[ in {state}]", "check store availability of SKU {sku}[ in {state}]"])
    def check_store_availability(self, sku: Sku, state: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None
                                 ) -> Availability:
        """Stores holding a product for pickup today, with their quantity, most units first.

        Args:
            sku: The product's Best Buy SKU.
            state: Only stores in this state (two-letter code).
        """
        self._product(sku)
        return {"sku": sku, "stores": self.rows(
            "SELECT s.storeId, s.name, s.city, s.state, k.quantity FROM store_stock k JOIN stores s USING (storeId)"
            " WHERE k.sku = ? AND k.quantity > 0 AND (? IS NULL OR s.state = upper(?))"
            " ORDER BY k.quantity DESC, s.storeId", sku, state, state)}

    @tool(writes=True, phrase=[
        "reserve {quantity} of SKU {sku} for pickup at {store_id} for {customer_name} ({email})",
        "hold SKU {sku} at {store_id} so {customer_name} can pick it up; my email is {email}"])
    def reserve_for_pickup(self, sku: Sku, store_id: int, customer_name: NonEmptyStr,
                           email: Annotated[str, UserKnown, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")],
                           quantity: Annotated[int, Field(ge=1, le=MAX_PER_CUSTOMER)] = 1) -> Pickup:
        """Buy a product online and reserve it for in-store pickup; the store must have the units, a reservation
        is held 5 days, and one customer may hold at most 3 units of a SKU.

        Args:
            sku: The product's Best Buy SKU.
            store_id: The store to pick it up at.
            customer_name: Who picks it up.
            email: The customer's email address.
            quantity: Units, 1-3.
        """
        product, store = self._product(sku), self._store(store_id)
        email = email.strip().lower()
        on_hand = self.value("SELECT quantity FROM store_stock WHERE storeId = ? AND sku = ?", store_id, sku) or 0
        if on_hand < quantity:
            raise ToolError(f"the {store['name']} store has {on_hand} of SKU {sku} for pickup; check_store_availability "
                            f"shows stores that have it")
        held = self.value("SELECT COALESCE(SUM(quantity), 0) FROM pickups WHERE email = ? AND sku = ?"
                          " AND status = 'reserved'", email, sku)
        if held + quantity > MAX_PER_CUSTOMER:
            raise ToolError(f"limit {MAX_PER_CUSTOMER} per customer: {email} already holds {held} of SKU {sku}")
        order_id = self.new_id("pickups", "BBY01-")
        now = self.now()
        self.execute("UPDATE store_stock SET quantity = quantity - ? WHERE storeId = ? AND sku = ?",
                     quantity, store_id, sku)
        self.execute("INSERT INTO pickups VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?)", order_id, sku, store_id,
                     quantity, round(product["salePrice"] * quantity, 2), customer_name.strip(), email,
                     now.isoformat(timespec="minutes"), (now + dt.timedelta(days=PICKUP_DAYS)).date().isoformat())
        return self._pickup(order_id)

    def _pickup(self, order_id: str) -> Pickup:
        row = self.require("SELECT * FROM pickups WHERE orderId = ?", order_id.strip(),
                           error=f"no pickup order '{order_id}'; get_pickup_orders lists a customer's orders")
        row.pop("createdAt")
        return row

    @tool(phrase=["show the pickup orders of {email}", "list my store pickup reservations ({email})"])
    def get_pickup_orders(self, email: Annotated[str, UserKnown, Field(min_length=3, max_length=120)]
                          ) -> list[Pickup]:
        """A customer's store pickup orders, newest first.

        Args:
            email: The customer's email address.
        """
        return [self._pickup(r["orderId"]) for r in self.rows(
            "SELECT orderId FROM pickups WHERE email = ? ORDER BY createdAt DESC, orderId", email.strip().lower())]

    @tool(writes=True, phrase=["cancel pickup order {order_id} ({email})",
                               "I no longer want pickup order {order_id}; my email is {email}"])
    def cancel_pickup(self, order_id: Annotated[str, UserKnown, Field(min_length=1, max_length=40)],
                      email: Annotated[str, UserKnown, Field(min_length=3, max_length=120)]) -> Pickup:
        """Cancel a reserved pickup order (only the customer who placed it, and only before pickup); the units go
        back to the store's stock and the payment is refunded.

        Args:
            order_id: The pickup order number, e.g. "BBY01-1A2B3C4D5E".
            email: The email address the order was placed with.
        """
        order = self._pickup(order_id)
        if order["email"] != email.strip().lower():
            raise ToolError(f"pickup order {order['orderId']} was not placed with {email.strip()}")
        if order["status"] != "reserved":
            raise ToolError(f"pickup order {order['orderId']} is already {order['status']} and cannot be cancelled")
        self.execute("UPDATE pickups SET status = 'cancelled' WHERE orderId = ?", order["orderId"])
        self.execute("UPDATE store_stock SET quantity = quantity + ? WHERE storeId = ? AND sku = ?",
                     order["quantity"], order["storeId"], order["sku"])
        return self._pickup(order["orderId"])

    @tool(writes=True, phrase=[
        "give SKU {sku} a {rating} out of 5 in a review titled {title}, signed {reviewer}: {comment}",
        "rate SKU {sku} {rating}/5 under the name {reviewer}, headline {title}, saying {comment}"])
    def add_review(self, sku: Sku, rating: Annotated[int, Field(ge=1, le=5)], title: NonEmptyStr,
                   comment: Annotated[str, Field(min_length=20, max_length=2000)],
                   reviewer: Annotated[str, UserKnown, Field(pattern=r"^\w{3,30}$")]) -> Review:
        """Post a customer review (one per reviewer and product; the text needs at least 20 characters).

        Args:
            sku: The product's Best Buy SKU.
            rating: Stars, 1-5.
            title: Review headline.
            comment: Review text, 20-2000 characters.
            reviewer: The reviewer's screen name (letters, digits, underscore).
        """
        self._product(sku)
        if self.value("SELECT 1 FROM reviews WHERE sku = ? AND lower(reviewer) = lower(?)", sku, reviewer):
            raise ToolError(f"{reviewer} has already reviewed SKU {sku}; one review per product")
        review = self.value("SELECT COALESCE(MAX(id), 90000000) + 1 FROM reviews")
        self.mark_generated("reviews", review)
        self.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?)", review, sku, rating, title.strip(),
                     comment.strip(), reviewer, self.now().isoformat(timespec="minutes"))
        return self.row("SELECT id, rating, title, comment, reviewer, submissionTime FROM reviews WHERE id = ?",
                        review)


def miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in miles."""
    a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2))
         * math.sin(math.radians(lng2 - lng1) / 2) ** 2)
    return 3958.8 * 2 * math.asin(math.sqrt(a))
