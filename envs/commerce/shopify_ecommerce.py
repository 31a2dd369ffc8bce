"""ShopifyEcommerce: a Shopify store's Admin API: products with variants and inventory, customers and orders."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

LINES = {  # product type -> (vendors, items, variant options, price range)
    "T-Shirt": (["Northwind Apparel", "Juniper Goods"], ["Classic Crew Tee", "Organic Pocket Tee", "Vintage Logo Tee"],
                ["S", "M", "L", "XL"], (18, 38)),
    "Hoodie": (["Northwind Apparel", "Summit Threads"], ["Fleece Pullover Hoodie", "Zip Hoodie"], ["S", "M", "L"],
               (45, 89)),
    "Mug": (["Clayhouse"], ["Stoneware Mug", "Travel Mug", "Espresso Cup Set"], ["White", "Sage", "Charcoal"], (12, 34)),
    "Candle": (["Ember & Oak"], ["Cedar Candle", "Lavender Candle", "Sea Salt Candle"], ["8 oz", "14 oz"], (16, 42)),
    "Backpack": (["Summit Threads", "Trailmark"], ["Daypack 20L", "Commuter Backpack", "Roll-Top Pack"],
                 ["Black", "Olive", "Navy"], (59, 149)),
    "Notebook": (["Juniper Goods"], ["Dot Grid Notebook", "Leather Journal"], ["A5", "A6"], (9, 29)),
    "Water Bottle": (["Trailmark"], ["Insulated Bottle", "Glass Bottle"], ["20 oz", "32 oz"], (19, 45)),
    "Beanie": (["Summit Threads", "Northwind Apparel"], ["Cuffed Beanie", "Merino Beanie"], ["One Size"], (18, 36)),
    "Tote Bag": (["Juniper Goods"], ["Canvas Tote", "Market Tote", "Zip Tote"], ["Natural", "Black"], (16, 48)),
}
TIME = "%Y-%m-%dT%H:%M:%S"
Limit = Annotated[int, Field(ge=1, le=250)]
ProductStatus = Literal["active", "draft", "archived"]


class Variant(TypedDict):
    id: int
    title: str
    sku: str
    price: str
    inventory_quantity: int


class Product(TypedDict):
    id: int
    title: str
    body_html: str
    vendor: str
    product_type: str
    status: str
    variants: list[Variant]


class Products(TypedDict):
    products: list[Product]


class ProductResult(TypedDict):
    product: Product


class VariantInput(TypedDict):
    title: str
    price: float
    sku: str
    inventory_quantity: int


class LineItemInput(TypedDict):
    variant_id: int
    quantity: int


class CustomerInput(TypedDict, total=False):
    email: str
    first_name: str
    last_name: str


class LineItem(TypedDict):
    variant_id: int
    title: str
    variant_title: str
    quantity: int
    price: str


class Order(TypedDict):
    id: int
    name: str
    email: str
    created_at: str
    financial_status: str
    fulfillment_status: str | None
    cancelled_at: str | None
    total_price: str
    line_items: list[LineItem]


class Orders(TypedDict):
    orders: list[Order]


class OrderResult(TypedDict):
    order: Order


class Customer(TypedDict):
    id: int
    first_name: str
    last_name: str
    email: str
    orders_count: int
    total_spent: str


class Customers(TypedDict):
    customers: list[Customer]


class InventoryLevel(TypedDict):
    variant_id: int
    sku: str
    inventory_quantity: int


def money(value: float) -> str:
    return f"{value:.2f}"


class ShopifyEcommerce(World):
    """A Shopify store's admin: products (active, draft or archived) with variants, prices in USD and stock;
    customers; and orders with a financial status (pending, paid, refunded, voided) and a fulfillment status.
    Stock is never oversold; fulfilled orders cannot be cancelled, cancelled ones cannot be fulfilled."""

    domain = "Commerce"
    schema = """
    CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, body_html TEXT NOT NULL,
                           vendor TEXT NOT NULL, product_type TEXT NOT NULL, status TEXT NOT NULL);
    CREATE INDEX products_by_vendor ON products (vendor, product_type);
    CREATE INDEX products_by_type ON products (product_type);
    CREATE TABLE variants (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES products,
                           title TEXT NOT NULL, sku TEXT NOT NULL UNIQUE, price REAL NOT NULL,
                           inventory_quantity INTEGER NOT NULL);
    CREATE INDEX variants_by_product ON variants (product_id);
    CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                            email TEXT NOT NULL UNIQUE, orders_count INTEGER NOT NULL, total_spent REAL NOT NULL);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, customer_id INTEGER REFERENCES customers,
                         email TEXT NOT NULL, created_at TEXT NOT NULL, financial_status TEXT NOT NULL,
                         fulfillment_status TEXT, cancelled_at TEXT, cancel_reason TEXT, total_price REAL NOT NULL);
    CREATE INDEX orders_by_created ON orders (created_at);
    CREATE INDEX orders_by_customer ON orders (customer_id);
    CREATE INDEX orders_by_status ON orders (financial_status, fulfillment_status);
    CREATE TABLE line_items (order_id INTEGER NOT NULL REFERENCES orders, variant_id INTEGER NOT NULL REFERENCES
                             variants, title TEXT NOT NULL, variant_title TEXT NOT NULL, quantity INTEGER NOT NULL,
                             price REAL NOT NULL, PRIMARY KEY (order_id, variant_id));
    """
    volatile = {"orders": ("created_at", "cancelled_at")}
    text_search = {"products": ("title",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        products, variants = [], []
        for kind, (vendors, items, options, (low, high)) in LINES.items():
            for vendor in vendors:
                for item in items:
                    product = 6_700_000_000 + rng.randrange(10**8)
                    products.append({"id": product, "title": f"{item}" if len(vendors) == 1 else f"{vendor.split()[0]}"
                                     f" {item}", "body_html": f"<p>{fake.sentence(10)}</p>", "vendor": vendor,
                                     "product_type": kind, "status": rng.choice(["active"] * 6 + ["draft", "archived"])})
                    price = rng.randrange(low, high) + rng.choice([0.0, 0.5, 0.99])
                    for option in options:
                        variants.append({"id": 44_000_000_000 + rng.randrange(10**9), "product_id": product,
                                         "title": option, "sku": f"{kind[:3].upper()}-{len(variants) + 1001}",
                                         "price": price, "inventory_quantity": rng.choice([0, 1, 3, 5, 8, 12, 20, 40])})
        products = list({p["title"]: p for p in products}.values())
        variants = [v for v in variants if v["product_id"] in {p["id"] for p in products}]
        db["products"].insert_all(products)
        db["variants"].insert_all(variants)
        customers = {}
        while len(customers) < 40:
            first, last = fake.first_name(), fake.last_name()
            customers[f"{first}.{last}@{rng.choice(['gmail.com', 'outlook.com', 'icloud.com'])}".lower()] = {
                "id": 7_100_000_000 + rng.randrange(10**8), "first_name": first, "last_name": last,
                "orders_count": 0, "total_spent": 0.0}
        orders, items = [], []
        sellable = [v for v in variants if any(p["id"] == v["product_id"] and p["status"] == "active" for p in products)]
        titles = {p["id"]: p["title"] for p in products}
        for number in range(1001, 1091):
            email = rng.choice(sorted(customers))
            made = cls.days_before_start(rng, 1, 90)
            chosen = rng.sample(sellable, rng.randrange(1, 4))
            lines = [{"variant_id": v["id"], "title": titles[v["product_id"]], "variant_title": v["title"],
                      "quantity": rng.choice([1, 1, 2, 3]), "price": v["price"]} for v in chosen]
            total = round(sum(line["price"] * line["quantity"] for line in lines), 2)
            state = rng.choices(["open_pending", "open_paid", "fulfilled", "cancelled"], [2, 4, 7, 1])[0]
            order = 5_900_000_000 + number * 1000 + rng.randrange(1000)
            orders.append({"id": order, "name": f"#{number}", "customer_id": customers[email]["id"], "email": email,
                           "created_at": f"{made}T{rng.randrange(8, 22):02d}:{rng.randrange(60):02d}:00",
                           "financial_status": {"open_pending": "pending", "cancelled": "voided"}.get(state, "paid"),
                           "fulfillment_status": "fulfilled" if state == "fulfilled" else None,
                           "cancelled_at": f"{made}T23:00:00" if state == "cancelled" else None,
                           "cancel_reason": "customer" if state == "cancelled" else None, "total_price": total})
            items += [{"order_id": order, **line} for line in lines]
            if state != "cancelled":
                customers[email]["orders_count"] += 1
                customers[email]["total_spent"] += total if state != "open_pending" else 0
        db["customers"].insert_all({"email": e, **c, "total_spent": round(c["total_spent"], 2)}
                                   for e, c in customers.items())
        db["orders"].insert_all(orders)
        db["line_items"].insert_all(items)

    # ------------------------------------------------------------------ helpers
    def _product(self, product_id: int) -> Product:
        product = self.require("SELECT * FROM products WHERE id = ?", product_id,
                               error=f"no product with id {product_id}; get_products lists them")
        product["variants"] = [{**v, "price": money(v["price"])} for v in self.rows(
            "SELECT id, title, sku, price, inventory_quantity FROM variants WHERE product_id = ? ORDER BY id",
            product_id)]
        return product

    def _order(self, order_id: int) -> Order:
        order = self.require("SELECT id, name, email, created_at, financial_status, fulfillment_status, cancelled_at,"
                             " total_price FROM orders WHERE id = ?", order_id,
                             error=f"no order with id {order_id}; get_orders lists orders")
        order["total_price"] = money(order["total_price"])
        order["line_items"] = [{**line, "price": money(line["price"])} for line in self.rows(
            "SELECT variant_id, title, variant_title, quantity, price FROM line_items WHERE order_id = ?"
            " ORDER BY title, variant_title", order_id)]
        return order

    def _new_key(self, table: str) -> int:
        new = self.value(f"SELECT MAX(id) + 1 FROM {table}")
        self.mark_generated(table, new)
        return new

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list the {product_type} products[ by {vendor}]", "show me what {vendor} products we carry",
                  "show me our products[ of type {product_type}][ from {vendor}]",
                  "find our products with {title} in the name"])
    def get_products(self, limit: Limit = 50, vendor: str | None = None, product_type: str | None = None,
                     status: ProductStatus | None = None, title: str | None = None) -> Products:
        """List the store's products with their variants (price, SKU, stock), by title.

        Args:
            limit: At most this many products.
            vendor: Only products of this vendor.
            product_type: Only products of this type, e.g. "Mug".
            status: Only products with this status.
            title: Only products whose title contains this text.
        """
        matches, params = self.text_filter("products", title) if title and title.strip() else ("1", ())
        rows = self.rows(f"SELECT id FROM products WHERE {matches} AND (? IS NULL OR vendor = ?) AND (? IS NULL OR"
                         " product_type = ?) AND (? IS NULL OR status = ?) ORDER BY title LIMIT ?",
                         *params, vendor, vendor, product_type, product_type, status, status, limit)
        return {"products": [self._product(r["id"]) for r in rows]}

    @tool(writes=True, phrase=[
        "add a draft product {title}[ by {vendor}][ of type {product_type}][ described as {body_html}]",
        "create a new product listing called {title}[ from {vendor}][ in {product_type}]"])
    def create_product(self, title: NonEmptyStr, body_html: str = "", vendor: str = "", product_type: str = "",
                       variants: Annotated[list[VariantInput], Field(max_length=20)] | None = None,
                       status: ProductStatus = "draft") -> ProductResult:
        """Create a product; without variants it gets one "Default Title" variant at 0.00 with no stock.

        Args:
            title: Product title, unique in the store.
            body_html: Description (HTML).
            vendor: Brand or supplier.
            product_type: Category of the product, e.g. "Mug".
            variants: Variants with title, price, a store-unique SKU and starting stock.
            status: "draft" (hidden, the default), "active" (on sale) or "archived".
        """
        # whether the title is taken, and the new product's key (see _new_key)
        taken, product = self.conn.execute("SELECT EXISTS (SELECT 1 FROM products WHERE title = ?),"
                                           " (SELECT MAX(id) + 1 FROM products)", (title.strip(),)).fetchone()
        if taken:
            raise ToolError(f"a product titled '{title.strip()}' already exists")
        variants = variants or [{"title": "Default Title", "price": 0.0, "sku": "", "inventory_quantity": 0}]
        for variant in variants:
            if variant["price"] < 0 or variant["inventory_quantity"] < 0:
                raise ToolError(f"variant '{variant['title']}': price and inventory_quantity must not be negative")
            if variant["sku"] and self.value("SELECT 1 FROM variants WHERE sku = ?", variant["sku"]):
                raise ToolError(f"SKU '{variant['sku']}' is already used by another variant")
        if product is None:
            product = self._new_key("products")
        else:
            self.mark_generated("products", product)
        self.execute("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?)", product, title.strip(), body_html, vendor,
                     product_type, status)
        key, rows = None, []
        for variant in variants:
            if key is None:
                key = self._new_key("variants")
            else:  # MAX(id) + 1 is one more than the key just inserted
                key += 1
                self.mark_generated("variants", key)
            price = float(round(variant["price"], 2))  # as the REAL column stores it
            self.execute("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?)", key, product, variant["title"],
                         variant["sku"] or f"SKU-{key}", price, variant["inventory_quantity"])
            rows.append({"id": key, "title": variant["title"], "sku": variant["sku"] or f"SKU-{key}",
                         "price": money(price), "inventory_quantity": variant["inventory_quantity"]})
        if product is None or any(r["id"] is None for r in rows):  # keys SQLite chose: read them back
            return {"product": self._product(product)}
        # the rows just inserted, as _product reads them (variants in key order)
        return {"product": {"id": product, "title": title.strip(), "body_html": body_html, "vendor": vendor,
                            "product_type": product_type, "status": status, "variants": rows}}

    @tool(phrase=["show me the {status} orders[ since {created_at_min}]", "list orders[ placed since {created_at_min}]",
                  "pull up order {name}"])
    def get_orders(self, status: Literal["open", "closed", "cancelled", "any"] = "open", limit: Limit = 50,
                   created_at_min: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}")] | None = None,
                   name: Annotated[str, UserKnown, Field(pattern=r"^#?\d{4,6}$")] | None = None,
                   email: str | None = None) -> Orders:
        """List orders, newest first: "open" (not fulfilled, not cancelled), "closed" (fulfilled), "cancelled", "any".

        Args:
            status: Which orders.
            limit: At most this many orders.
            created_at_min: Only orders created at or after this date or time (YYYY-MM-DD[THH:MM:SS]).
            name: Only the order with this number, e.g. "#1012".
            email: Only orders of this customer email.
        """
        where = {"open": "cancelled_at IS NULL AND fulfillment_status IS NULL",
                 "closed": "cancelled_at IS NULL AND fulfillment_status = 'fulfilled'",
                 "cancelled": "cancelled_at IS NOT NULL", "any": "1"}[status]
        rows = self.rows(f"SELECT id FROM orders WHERE {where} AND (?1 IS NULL OR created_at >= ?1) AND (?2 IS NULL"
                         " OR name = ?2) AND (?3 IS NULL OR email = lower(?3)) ORDER BY created_at DESC LIMIT ?4",
                         created_at_min, name and "#" + name.lstrip("#"), email and email.strip(), limit)
        return {"orders": [self._order(r["id"]) for r in rows]}

    @tool(writes=True)
    def create_order(self, line_items: Annotated[list[LineItemInput], Field(min_length=1, max_length=20)],
                     customer: CustomerInput | None = None,
                     financial_status: Literal["pending", "paid"] = "paid") -> OrderResult:
        """Place an order for active products' variants; stock must cover every line (it is reserved at once).
        A customer email not on file creates the customer.

        Args:
            line_items: Variants and quantities, e.g. [{"variant_id": 44012345678, "quantity": 2}].
            customer: The buyer: email (required), and first_name and last_name for a new customer.
            financial_status: "paid" (captured) or "pending" (payment due later).
        """
        lines = []
        for item in line_items:
            variant = self.require(
                "SELECT v.*, p.title AS product, p.status FROM variants v JOIN products p ON p.id = v.product_id"
                " WHERE v.id = ?", item["variant_id"],
                error=f"no variant with id {item['variant_id']}; get_products lists variant ids")
            label = f"{variant['product']} - {variant['title']}"
            if variant["status"] != "active":
                raise ToolError(f"'{variant['product']}' is {variant['status']}, not on sale; activate it first")
            if not 1 <= item["quantity"] <= variant["inventory_quantity"]:
                raise ToolError(f"only {variant['inventory_quantity']} of '{label}' in stock; "
                                f"quantity must be 1-{variant['inventory_quantity']}")
            lines.append((variant, item["quantity"]))
        email = (customer or {}).get("email", "").strip().lower()
        if not email:
            raise ToolError("give the customer's email (customer.email)")
        buyer = self.value("SELECT id FROM customers WHERE email = ?", email)
        if buyer is None:
            if not (customer or {}).get("first_name") or not (customer or {}).get("last_name"):
                raise ToolError(f"no customer with email {email}; give first_name and last_name to create one")
            buyer = self._new_key("customers")
            self.execute("INSERT INTO customers VALUES (?, ?, ?, ?, 0, 0)", buyer, customer["first_name"],
                         customer["last_name"], email)
        total = round(sum(v["price"] * q for v, q in lines), 2)
        order = self._new_key("orders")
        number = self.value("SELECT MAX(CAST(substr(name, 2) AS INTEGER)) + 1 FROM orders")
        self.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)", order, f"#{number}", buyer,
                     email, self.now().strftime(TIME), financial_status, total)
        for variant, quantity in lines:
            self.execute("UPDATE variants SET inventory_quantity = inventory_quantity - ? WHERE id = ?", quantity,
                         variant["id"])
            self.execute("INSERT INTO line_items VALUES (?, ?, ?, ?, ?, ?)", order, variant["id"], variant["product"],
                         variant["title"], quantity, variant["price"])
        self.execute("UPDATE customers SET orders_count = orders_count + 1, total_spent = ROUND(total_spent + ?, 2)"
                     " WHERE id = ?", total if financial_status == "paid" else 0, buyer)
        return {"order": self._order(order)}

    @tool(phrase=["look up the customer with email {email}", "list our customers"])
    def get_customers(self, limit: Limit = 50, email: Annotated[str, UserKnown] | None = None) -> Customers:
        """List customers by last name, or find one by email.

        Args:
            limit: At most this many customers.
            email: Only the customer with this email.
        """
        rows = self.rows("SELECT id, first_name, last_name, email, orders_count, total_spent FROM customers"
                         " WHERE (?1 IS NULL OR email = lower(?1)) ORDER BY last_name, first_name LIMIT ?2",
                         email and email.strip(), limit)
        return {"customers": [{**r, "total_spent": money(r["total_spent"])} for r in rows]}

    @tool(writes=True, phrase=["mark {order_id} as fulfilled", "ship {order_id}", "fulfill {order_id}"])
    def fulfill_order(self, order_id: int) -> OrderResult:
        """Fulfill every line of an open order (it becomes closed).

        Args:
            order_id: The order's id.
        """
        order = self._order(order_id)
        if order["cancelled_at"]:
            raise ToolError(f"order {order['name']} was cancelled and cannot be fulfilled")
        if order["fulfillment_status"] == "fulfilled":
            raise ToolError(f"order {order['name']} is already fulfilled")
        self.execute("UPDATE orders SET fulfillment_status = 'fulfilled' WHERE id = ?", order_id)
        return {"order": self._order(order_id)}

    @tool(writes=True, phrase=["cancel {order_id}[ because of {reason}][, restocking: {restock}]",
                               "call off {order_id}[ (reason: {reason})]"])
    def cancel_order(self, order_id: int, reason: Literal["customer", "inventory", "fraud", "declined", "other"] =
                     "other", restock: bool = True) -> OrderResult:
        """Cancel an unfulfilled order: a paid one is refunded, a pending one voided; restock returns the items.

        Args:
            order_id: The order's id.
            reason: Why it is cancelled.
            restock: Put the ordered quantities back in stock.
        """
        order = self._order(order_id)
        if order["cancelled_at"]:
            raise ToolError(f"order {order['name']} is already cancelled")
        if order["fulfillment_status"] == "fulfilled":
            raise ToolError(f"order {order['name']} is fulfilled and cannot be cancelled; refund it instead")
        paid = order["financial_status"] == "paid"
        self.execute("UPDATE orders SET cancelled_at = ?, cancel_reason = ?, financial_status = ? WHERE id = ?",
                     self.now().strftime(TIME), reason, "refunded" if paid else "voided", order_id)
        self.execute("UPDATE customers SET orders_count = orders_count - 1, total_spent = ROUND(total_spent - ?, 2)"
                     " WHERE id = (SELECT customer_id FROM orders WHERE id = ?)",
                     float(order["total_price"]) if paid else 0, order_id)
        if restock:
            for line in order["line_items"]:
                self.execute("UPDATE variants SET inventory_quantity = inventory_quantity + ? WHERE id = ?",
                             line["quantity"], line["variant_id"])
        return {"order": self._order(order_id)}

    @tool(writes=True, phrase=["add {delta} units of stock to {variant_id}", "adjust the stock of {variant_id} by {delta}"])
    def adjust_inventory(self, variant_id: int, delta: Annotated[int, Field(ge=-1000, le=1000)]) -> InventoryLevel:
        """Change a variant's stock by a number of units (negative to remove, e.g. damaged goods); stock cannot
        go below zero.

        Args:
            variant_id: The variant's id.
            delta: Units to add (or remove when negative), -1000 to 1000.
        """
        variant = self.require("SELECT id, sku, inventory_quantity FROM variants WHERE id = ?", variant_id,
                               error=f"no variant with id {variant_id}; get_products lists variant ids")
        if variant["inventory_quantity"] + delta < 0:
            raise ToolError(f"only {variant['inventory_quantity']} units of {variant['sku']} in stock; "
                            f"cannot remove {-delta}")
        if delta == 0:
            raise ToolError("delta must not be 0")
        self.execute("UPDATE variants SET inventory_quantity = inventory_quantity + ? WHERE id = ?", delta, variant_id)
        return {"variant_id": variant_id, "sku": variant["sku"], "inventory_quantity": variant["inventory_quantity"]
                + delta}
