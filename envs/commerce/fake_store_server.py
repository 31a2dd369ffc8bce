"""FakeStoreServer: the FakeStore REST API: a product catalog with ratings, users, login tokens and carts."""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

Category = Literal["electronics", "jewelery", "men's clothing", "women's clothing"]
CATALOG: dict[str, tuple[list[str], list[str], list[str], tuple[int, int]]] = {
    # category -> (brands, kinds, qualifiers, price range in dollars)
    "electronics": (["SanDisk", "WD", "Silicon Power", "Acer", "Samsung", "Logitech", "Anker"],
                    ["2TB External Hard Drive", "1TB Internal SSD", "256GB SSD", "27-inch Monitor",
                     "Wireless Mouse", "Mechanical Keyboard", "USB-C Hub", "Portable Charger"],
                    ["Plus", "Pro", "Ultra", "Gaming", "Slim"], (9, 700)),
    "jewelery": (["John Hardy", "Pierced Owl", "WHITE GOLD", "Solid Gold", "Luna"],
                 ["Dragon Station Chain Bracelet", "Rose Gold Plated Earrings", "Princess Ring",
                  "Micropave Petite Ring", "Tunnel Plug Earrings", "Pendant Necklace", "Cuff Bangle"],
                 ["Classic", "Vintage", "Petite", "Statement"], (9, 700)),
    "men's clothing": (["Fjallraven", "Mens", "Harbor", "Northfield", "Carhartt"],
                       ["Foldsack Backpack", "Casual Premium Slim Fit T-Shirt", "Cotton Jacket", "Slim Fit Chinos",
                        "Wool Sweater", "Denim Shirt", "Rain Parka"], ["Classic", "Outdoor", "Urban", "Summer"],
                       (12, 180)),
    "women's clothing": (["BIYLACLESIV", "Lock and Love", "Rain Jacket Women", "MBJ", "Opna", "DANVOUY"],
                         ["3-in-1 Snowboard Jacket", "Removable Hooded Faux Leather Moto Biker Jacket",
                          "Windbreaker Striped Climbing Raincoat", "Solid Short Sleeve Boat Neck V",
                          "Short Sleeve Moisture Tee", "Casual Cotton T-Shirt", "Knit Cardigan"],
                         ["Classic", "Lightweight", "Cozy", "Summer"], (7, 120)),
}
MAX_PER_PRODUCT = 10
TOKEN_HEAD = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
Limit = Annotated[int, Field(ge=1, le=100)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class Rating(TypedDict):
    rate: float
    count: int


class Product(TypedDict):
    id: int
    title: str
    price: float
    description: str
    category: str
    image: str
    rating: Rating


class Products(TypedDict):
    products: list[Product]


class Categories(TypedDict):
    categories: list[str]


class CartLine(TypedDict):
    productId: int
    title: str
    price: float
    quantity: int


class Cart(TypedDict):
    id: int
    userId: int
    date: str
    products: list[CartLine]


class Carts(TypedDict):
    carts: list[Cart]


class Login(TypedDict):
    token: str
    userId: int


class Deleted(TypedDict):
    id: int
    deleted: bool


class FakeStoreServer(World):
    """The FakeStore shop API: products (prices in US dollars, ratings out of 5) in four categories, registered
    users, and their shopping carts (one cart a date; a user's newest cart is the open one). Changing a cart needs
    a token from user_login."""

    domain = "Commerce"
    schema = """
    CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, price REAL NOT NULL,
                           description TEXT NOT NULL, category TEXT NOT NULL, image TEXT NOT NULL,
                           rate REAL NOT NULL DEFAULT 0, count INTEGER NOT NULL DEFAULT 0,
                           deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX products_by_category ON products (category, id);
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password TEXT NOT NULL,
                        email TEXT NOT NULL UNIQUE, firstname TEXT NOT NULL, lastname TEXT NOT NULL,
                        city TEXT NOT NULL, street TEXT NOT NULL, zipcode TEXT NOT NULL, phone TEXT NOT NULL);
    CREATE TABLE carts (id INTEGER PRIMARY KEY, userId INTEGER NOT NULL REFERENCES users, date TEXT NOT NULL);
    CREATE INDEX carts_by_user ON carts (userId, date);
    CREATE INDEX carts_by_date ON carts (date);
    CREATE TABLE cart_items (cartId INTEGER NOT NULL REFERENCES carts, productId INTEGER NOT NULL REFERENCES products,
                             quantity INTEGER NOT NULL, PRIMARY KEY (cartId, productId));
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        products: dict[str, dict[str, Any]] = {}
        for category, (brands, kinds, qualifiers, (low, high)) in CATALOG.items():
            while sum(p["category"] == category for p in products.values()) < 16:
                title = f"{rng.choice(brands)} {rng.choice(qualifiers)} {rng.choice(kinds)}"
                if title not in products:
                    products[title] = {"id": len(products) + 1, "title": title, "category": category,
                                       "price": round(rng.uniform(low, high), 2) if rng.random() < 0.7 else
                                       rng.randrange(low, high) + 0.99, "description": fake.paragraph(3),
                                       "image": f"https://fakestoreapi.com/img/{rng.getrandbits(32):08x}.jpg",
                                       "rate": round(rng.uniform(1.9, 4.9), 1), "count": rng.randrange(7, 700)}
        db["products"].insert_all(products.values())
        users, carts, items = [], [], []
        while len(users) < 30:
            first, last = fake.first_name(), fake.last_name()
            username = f"{first.lower()}{last[0].lower()}{rng.randrange(10) if rng.random() < 0.4 else ''}"
            if any(u["username"] == username for u in users):
                continue
            users.append({"id": len(users) + 1, "username": username, "email": f"{username}@gmail.com",
                          "password": fake.password(length=8, special_chars=rng.random() < 0.5),
                          "firstname": first.lower(), "lastname": last.lower(), "city": fake.city().lower(),
                          "street": fake.street_name().lower(), "zipcode": fake.zipcode(),
                          "phone": f"1-{rng.randrange(200, 999)}-{rng.randrange(200, 999)}-{rng.randrange(10**4):04d}"})
            for day in sorted({cls.days_before_start(rng, 1, 120) for _ in range(rng.randrange(1, 4))}):
                carts.append({"id": len(carts) + 1, "userId": len(users), "date": day.isoformat()})
                for product in rng.sample(range(1, len(products) + 1), rng.randrange(1, 5)):
                    items.append({"cartId": len(carts), "productId": product, "quantity": rng.randrange(1, 6)})
        db["users"].insert_all(users)
        db["carts"].insert_all(carts)
        db["cart_items"].insert_all(items)

    # ------------------------------------------------------------------ helpers
    def _products(self, where: str, *params: Any, order: str = "id", limit: int = 100) -> list[Product]:
        return [{"id": r["id"], "title": r["title"], "price": r["price"], "description": r["description"],
                 "category": r["category"], "image": r["image"], "rating": {"rate": r["rate"], "count": r["count"]}}
                for r in self.rows(f"SELECT * FROM products WHERE deleted = 0 AND {where} ORDER BY {order} LIMIT ?",
                                   *params, limit)]

    def _product(self, product_id: int) -> Product:
        found = self._products("id = ?", product_id)
        if not found:
            raise ToolError(f"no product with id {product_id}; get_all_products or get_products_by_category list them")
        return found[0]

    def _cart(self, cart: dict[str, Any]) -> Cart:
        lines = self.rows("SELECT productId, title, price, quantity FROM cart_items JOIN products ON id = productId"
                          " WHERE cartId = ? ORDER BY productId", cart["id"])
        return {"id": cart["id"], "userId": cart["userId"], "date": cart["date"], "products": lines}

    def _open_cart(self, user_id: int) -> dict[str, Any] | None:
        return self.row("SELECT * FROM carts WHERE userId = ? ORDER BY date DESC, id DESC LIMIT 1", user_id)

    def _signature(self, user_id: int) -> str:
        """The token's signature: a keyed digest of the user and their current password (a JWT stand-in)."""
        return self._sign(user_id, self.value("SELECT password FROM users WHERE id = ?", user_id))

    def _sign(self, user_id: int, password: str | None) -> str:
        return hashlib.blake2b(f"{self.seed}:{user_id}:{password or ''}".encode(), digest_size=16).hexdigest()

    def _session_cart(self, token: str) -> tuple[int, dict[str, Any] | None]:
        """The user a token from user_login signs for (a ToolError for a bad token) and their open cart (as
        :meth:`_open_cart`), read in one query."""
        head, _, rest = token.strip().partition(".")
        claim, _, signature = rest.partition(".")
        try:
            user = int(base64.urlsafe_b64decode(claim.encode() + b"==").decode().removeprefix("sub:"))
        except ValueError:
            user = 0
        password, cart_id, date = self.conn.execute(
            "SELECT (SELECT password FROM users WHERE id = ?1),"
            " (SELECT id FROM carts WHERE userId = ?1 ORDER BY date DESC, id DESC LIMIT 1),"
            " (SELECT date FROM carts WHERE userId = ?1 ORDER BY date DESC, id DESC LIMIT 1)", (user,)).fetchone()
        if head != TOKEN_HEAD or signature != self._sign(user, password):
            raise ToolError("invalid or expired token; log in with user_login and use the token it returns")
        return user, None if cart_id is None else {"id": cart_id, "userId": user, "date": date}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me the[ first {limit}] products in the store", "list the store's products"])
    def get_all_products(self, limit: Limit = 20, sort: Literal["asc", "desc"] = "asc") -> Products:
        """List the catalog by product id.

        Args:
            limit: At most this many products.
            sort: "asc" for lowest ids first, "desc" for newest first.
        """
        return {"products": self._products("1", order=f"id {'DESC' if sort == 'desc' else 'ASC'}", limit=limit)}

    @tool(phrase=["look up {product_id}", "show me the details of {product_id}"])
    def get_product_by_id(self, product_id: int) -> Product:
        """Get one product with its price, description, category and rating.

        Args:
            product_id: The product's number.
        """
        return self._product(product_id)

    @tool(phrase=["show me everything in {category}", "list the {category} products",
                  "browse the {category} section"])
    def get_products_by_category(self, category: Category) -> Products:
        """List the products of one category, by id.

        Args:
            category: One of the store's categories.
        """
        return {"products": self._products("category = ?", category)}

    @tool(phrase=["which categories does the store have", "list the shop's categories"])
    def get_all_categories(self) -> Categories:
        """The store's product categories."""
        return {"categories": [r["category"] for r in self.rows(
            "SELECT DISTINCT category FROM products WHERE deleted = 0 ORDER BY category")]}

    @tool(writes=True, phrase=[
        "add a new product {title} to the {category} catalog at ${price} with the description {description}"
        " and the image {image}",
        "list {title} in {category} for ${price}, described as {description}, picture at {image}"])
    def create_product(self, title: NonEmptyStr, price: Annotated[float, Field(gt=0, le=10000)],
                       description: NonEmptyStr, category: Category,
                       image: Annotated[str, Field(pattern=r"^https?://\S+$")]) -> Product:
        """Add a product to the catalog (it starts unrated).

        Args:
            title: Product title, unique in the store.
            price: Price in US dollars, above 0 and at most 10000.
            description: Product description.
            category: One of the store's categories.
            image: URL of the product picture.
        """
        title = title.strip()
        taken, new = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM products WHERE title = ? AND deleted = 0),"
            " (SELECT COALESCE(MAX(id), 0) + 1 FROM products)", (title,)).fetchone()
        if taken:
            raise ToolError(f"a product titled '{title}' already exists; update_product changes it")
        self.mark_generated("products", new)
        price = float(round(price, 2))  # as the REAL column stores it
        self.execute("INSERT INTO products (id, title, price, description, category, image) VALUES (?, ?, ?, ?, ?, ?)",
                     new, title, price, description, category, image)
        # the new row as stored: unrated (rate and count take their defaults, 0.0 and 0)
        return {"id": new, "title": title, "price": price, "description": description, "category": category,
                "image": image, "rating": {"rate": 0.0, "count": 0}}

    @tool(writes=True, phrase=["change the price of {product_id} to ${price}",
                               "rename {product_id} to {title}",
                               "update {product_id}[: new title {title}][, new price ${price}]"
                               "[, new description {description}]"])
    def update_product(self, product_id: int, title: NonEmptyStr | None = None,
                       price: Annotated[float, Field(gt=0, le=10000)] | None = None,
                       description: NonEmptyStr | None = None) -> Product:
        """Change a product's title, price or description; fields left out stay as they are.

        Args:
            product_id: The product's number.
            title: New title.
            price: New price in US dollars.
            description: New description.
        """
        clean_title = title.strip() if title else None
        changed = None
        if title is not None or price is not None or description is not None:
            # updated only when the product exists and no other product has the new title (checked below otherwise)
            changed = self.conn.execute(
                "UPDATE products SET title = COALESCE(?1, title), price = COALESCE(?2, price),"
                " description = COALESCE(?3, description) WHERE id = ?4 AND deleted = 0"
                " AND NOT EXISTS (SELECT 1 FROM products WHERE title = ?1 AND id != ?4)"
                " RETURNING id, title, price, description, category, image, rate, count",
                (clean_title, None if price is None else float(round(price, 2)), description, product_id)).fetchall()
            changed = changed[0] if changed else None
        if changed is None:
            if not self.value("SELECT EXISTS (SELECT 1 FROM products WHERE deleted = 0 AND id = ?)", product_id):
                raise ToolError(f"no product with id {product_id}; get_all_products or get_products_by_category list them")
            if title is None and price is None and description is None:
                raise ToolError("give at least one of title, price or description to change")
            raise ToolError(f"another product is already titled '{title.strip()}'")
        r = changed
        # RETURNING gives a REAL column's whole numbers as ints; a read gives floats
        return {"id": r[0], "title": r[1], "price": float(r[2]), "description": r[3], "category": r[4],
                "image": r[5], "rating": {"rate": float(r[6]), "count": r[7]}}

    @tool(writes=True, phrase=["take {product_id} off the store", "delete {product_id} from the catalog"])
    def delete_product(self, product_id: int) -> Deleted:
        """Remove a product from the catalog (carts that hold it keep their lines).

        Args:
            product_id: The product's number.
        """
        self._product(product_id)
        self.execute("UPDATE products SET deleted = 1 WHERE id = ?", product_id)
        return {"id": product_id, "deleted": True}

    @tool(phrase=["show me the[ first {limit}] carts[ dated from {startdate}][ up to {enddate}]",
                  "list the carts[ created since {startdate}][ until {enddate}]"])
    def get_all_carts(self, limit: Limit = 20, sort: Literal["asc", "desc"] = "asc",
                      startdate: Day | None = None, enddate: Day | None = None) -> Carts:
        """List carts by id, optionally only those dated within a range.

        Args:
            limit: At most this many carts.
            sort: "asc" for lowest ids first, "desc" for highest first.
            startdate: Only carts on or after this day (YYYY-MM-DD).
            enddate: Only carts on or before this day (YYYY-MM-DD).
        """
        if startdate and enddate and enddate < startdate:
            raise ToolError("enddate must not be before startdate")
        carts = self.rows(f"SELECT * FROM carts WHERE (?1 IS NULL OR date >= ?1) AND (?2 IS NULL OR date <= ?2)"
                          f" ORDER BY id {'DESC' if sort == 'desc' else 'ASC'} LIMIT ?3", startdate, enddate, limit)
        return {"carts": [self._cart(c) for c in carts]}

    @tool(phrase=["show me what is in the cart of user {user_id}", "open the current cart of user {user_id}"])
    def get_user_cart(self, user_id: int) -> Cart:
        """The user's open cart (their newest one).

        Args:
            user_id: The user's number.
        """
        self.require("SELECT 1 FROM users WHERE id = ?", user_id, error=f"no user with id {user_id}")
        cart = self._open_cart(user_id)
        if cart is None:
            raise ToolError(f"user {user_id} has no cart yet; add_to_cart starts one")
        return self._cart(cart)

    @tool(phrase=["log in as {username} with the password {password}",
                               "sign me in, username {username}, password {password}"])
    def user_login(self, username: Annotated[str, UserKnown, Field(min_length=1, max_length=40)],
                   password: Annotated[str, UserKnown, Field(min_length=1, max_length=64)]) -> Login:
        """Log a user in; the token authorizes cart changes.

        Args:
            username: The user's username.
            password: The user's password.
        """
        user = self.require("SELECT id, password FROM users WHERE username = ?", username.strip(),
                            error=f"no user named '{username.strip()}'")
        if user["password"] != password:
            raise ToolError(f"username and password do not match for '{username.strip()}'")
        claim = base64.urlsafe_b64encode(f"sub:{user['id']}".encode()).decode().rstrip("=")
        return {"token": f"{TOKEN_HEAD}.{claim}.{self._signature(user['id'])}", "userId": user["id"]}

    @tool(writes=True, phrase=["put {quantity} of {product_id} in my cart (sign in with {token})",
                               "add {product_id} to my cart[, {quantity} of them] (sign in with {token})"])
    def add_to_cart(self, token: str, product_id: int,
                    quantity: Annotated[int, Field(ge=1, le=MAX_PER_PRODUCT)] = 1) -> Cart:
        """Add a product to the logged-in user's open cart (adds to a quantity already there; at most 10 of one
        product per cart). Starts a cart dated today when the user has none.

        Args:
            token: The token from user_login.
            product_id: The product's number.
            quantity: How many to add, 1-10.
        """
        user, cart = self._session_cart(token)
        # the product's title and how many of it the open cart holds, in one query
        found = self.conn.execute(
            "SELECT title, (SELECT quantity FROM cart_items WHERE cartId = ?1 AND productId = id) FROM products"
            " WHERE deleted = 0 AND id = ?2", (cart and cart["id"], product_id)).fetchone()
        if found is None:
            raise ToolError(f"no product with id {product_id}; get_all_products or get_products_by_category list them")
        title, held = found[0], found[1] or 0
        if cart is None:
            new = self.value("SELECT COALESCE(MAX(id), 0) + 1 FROM carts")
            self.mark_generated("carts", new)
            self.execute("INSERT INTO carts VALUES (?, ?, ?)", new, user, self.now().date().isoformat())
            cart = self._open_cart(user)
            held = self.value("SELECT quantity FROM cart_items WHERE cartId = ? AND productId = ?",
                              cart["id"], product_id) or 0
        if held + quantity > MAX_PER_PRODUCT:
            raise ToolError(f"a cart holds at most {MAX_PER_PRODUCT} of one product; there are already {held} of "
                            f"'{title}' in cart {cart['id']}")
        self.execute("INSERT INTO cart_items VALUES (?, ?, ?) ON CONFLICT (cartId, productId)"
                     " DO UPDATE SET quantity = quantity + excluded.quantity", cart["id"], product_id, quantity)
        return self._cart(cart)

    @tool(writes=True, phrase=["take {product_id} out of my cart (sign in with {token})",
                               "remove {product_id} from my cart (sign in with {token})"])
    def remove_from_cart(self, token: str, product_id: int) -> Cart:
        """Remove a product line from the logged-in user's open cart.

        Args:
            token: The token from user_login.
            product_id: The product's number.
        """
        user, cart = self._session_cart(token)
        if cart is None or not self.execute("DELETE FROM cart_items WHERE cartId = ? AND productId = ?",
                                            cart["id"], product_id):
            raise ToolError(f"product {product_id} is not in the open cart of user {user}; get_user_cart shows it")
        return self._cart(cart)
