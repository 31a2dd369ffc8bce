"""Retail: an online store's customers, catalogue, orders, payments, returns and exchanges."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

TIME_FORMAT = "%Y-%m-%d %H:%M"
CancelReason = Literal["no longer needed", "ordered by mistake"]

#: Product name -> (description, base price, option name -> values).
CATALOGUE: dict[str, tuple[str, float, dict[str, list[str]]]] = {
    "T-Shirt": ("Soft cotton crew-neck tee.", 24.0,
                {"color": ["red", "blue", "black", "white"], "size": ["S", "M", "L", "XL"]}),
    "Running Shoes": ("Lightweight road running shoes.", 89.0,
                      {"color": ["black", "grey", "neon green"], "size": ["8", "9", "10", "11"]}),
    "Water Bottle": ("Reusable bottle that keeps drinks cold for hours.", 19.0,
                     {"capacity": ["500ml", "750ml", "1000ml"], "material": ["plastic", "stainless steel", "glass"]}),
    "Desk Lamp": ("Adjustable LED desk lamp.", 45.0,
                  {"color": ["black", "white", "silver"], "brightness": ["low", "medium", "high"],
                   "power source": ["USB", "AC adapter", "battery"]}),
    "Backpack": ("Everyday backpack with a padded laptop sleeve.", 65.0,
                 {"color": ["black", "navy", "olive"], "size": ["small", "medium", "large"],
                  "material": ["nylon", "polyester", "leather"]}),
    "Wireless Earbuds": ("Bluetooth earbuds with a charging case.", 79.0,
                         {"color": ["black", "white", "blue"], "battery life": ["6 hours", "8 hours", "10 hours"],
                          "water resistance": ["IPX4", "IPX7", "none"]}),
    "Coffee Maker": ("Countertop coffee machine.", 120.0,
                     {"type": ["drip", "espresso", "pour-over"], "capacity": ["1 cup", "4 cups", "8 cups"]}),
    "Yoga Mat": ("Non-slip exercise mat.", 32.0,
                 {"thickness": ["4mm", "6mm", "8mm"], "color": ["purple", "green", "grey", "pink"]}),
    "Office Chair": ("Ergonomic chair with lumbar support.", 210.0,
                     {"material": ["mesh", "leather", "fabric"], "color": ["black", "grey", "blue"]}),
    "Bluetooth Speaker": ("Portable speaker with deep bass.", 59.0,
                          {"color": ["red", "black", "teal"], "battery life": ["10 hours", "20 hours"],
                           "water resistance": ["yes", "no"]}),
    "Mechanical Keyboard": ("Keyboard with hot-swappable switches.", 99.0,
                            {"switch type": ["linear", "tactile", "clicky"], "backlight": ["none", "white", "RGB"],
                             "layout": ["full size", "80%", "60%"]}),
    "Electric Kettle": ("Fast-boil kettle with auto shut-off.", 38.0,
                        {"capacity": ["1L", "1.5L", "1.7L"], "material": ["plastic", "stainless steel", "glass"]}),
}
CARD_BRANDS = ("Visa", "Mastercard", "American Express", "Discover")
ADDRESS_FIELDS = ("address", "city", "state", "country", "zip_code")
#: (share of orders, earliest and latest age in days) per seeded order status.
ORDER_AGES = {"pending": (0.3, 1, 4), "processed": (0.15, 3, 8), "delivered": (0.4, 10, 80), "cancelled": (0.15, 5, 80)}


def options_text(options: dict[str, str]) -> str:
    """How a customer would describe a variant: 'color red, size M'."""
    return ", ".join(f"{name} {value}" for name, value in options.items())


def round_money(amount: float) -> float:
    return round(amount, 2)


# ------------------------------------------------------------------------------------------- declared returns
OrderStatus = Literal["pending", "processed", "delivered", "cancelled"]
#: A non-empty list of item ids.
ItemIds = Annotated[list[str], Field(min_length=1)]


class UserSummary(TypedDict):
    user_id: str
    name: str
    email: str
    zip_code: str


class FullName(TypedDict):
    first_name: str
    last_name: str


class Address(TypedDict):
    address: str
    city: str
    state: str
    country: str
    zip_code: str


class PaymentMethod(TypedDict):
    """A saved payment method: cards carry brand and last four digits, gift cards their balance."""

    payment_method_id: str
    kind: Literal["credit_card", "paypal", "gift_card"]
    brand: NotRequired[str]
    last_four: NotRequired[str]
    balance: NotRequired[float]


class UserDetails(TypedDict):
    user_id: str
    name: FullName
    email: str
    address: Address
    payment_methods: list[PaymentMethod]
    order_ids: list[str]


class OrderSummary(TypedDict):
    order_id: str
    created_at: str
    status: OrderStatus
    products: list[str]


class OrderLine(TypedDict):
    line: int
    item_id: str
    product_id: str
    product_name: str
    options: dict[str, str]
    price: float
    status: Literal["ordered", "returned", "exchanged"]
    #: The variant a delivered item was exchanged for.
    exchanged_for: NotRequired[str]


class OrderPayment(TypedDict):
    payment_method_id: str
    kind: Literal["payment", "refund"]
    amount: float
    created_at: str


class Order(TypedDict):
    order_id: str
    user_id: str
    status: OrderStatus
    created_at: str
    address: Address
    payment_method_id: str
    cancel_reason: NotRequired[str]
    items: list[OrderLine]
    total_amount: float
    payments: list[OrderPayment]


class ProductRef(TypedDict):
    product_id: str
    name: str


class Variant(TypedDict):
    item_id: str
    options: dict[str, str]
    price: float
    available: bool


class Product(TypedDict):
    product_id: str
    name: str
    description: str
    items: list[Variant]


class Retail(World):
    """An online store's customer service desk: customers, products and their variants, orders, refunds."""

    domain = "Commerce"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                        email TEXT NOT NULL UNIQUE, address TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL,
                        country TEXT NOT NULL, zip_code TEXT NOT NULL);
    CREATE TABLE payment_methods (payment_method_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users,
                                  kind TEXT NOT NULL CHECK (kind IN ('credit_card', 'paypal', 'gift_card')),
                                  brand TEXT, last_four TEXT, balance REAL);
    CREATE TABLE products (product_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL);
    CREATE TABLE items (item_id TEXT PRIMARY KEY, product_id TEXT NOT NULL REFERENCES products,
                        options TEXT NOT NULL, price REAL NOT NULL, available INTEGER NOT NULL);
    CREATE INDEX items_by_product ON items (product_id, item_id);
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users,
                         status TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'delivered', 'cancelled')),
                         created_at TEXT NOT NULL, address TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL,
                         country TEXT NOT NULL, zip_code TEXT NOT NULL,
                         payment_method_id TEXT NOT NULL REFERENCES payment_methods, cancel_reason TEXT);
    CREATE TABLE order_items (order_id TEXT NOT NULL REFERENCES orders, line INTEGER NOT NULL,
                              item_id TEXT NOT NULL REFERENCES items, price REAL NOT NULL,
                              PRIMARY KEY (order_id, line));
    CREATE TABLE transactions (transaction_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders,
                               payment_method_id TEXT NOT NULL REFERENCES payment_methods,
                               kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund')), amount REAL NOT NULL,
                               created_at TEXT NOT NULL);
    CREATE INDEX transactions_by_order ON transactions (order_id);
    CREATE TABLE returns (return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders,
                          kind TEXT NOT NULL CHECK (kind IN ('return', 'exchange')),
                          payment_method_id TEXT NOT NULL REFERENCES payment_methods, created_at TEXT NOT NULL);
    CREATE TABLE return_lines (return_id TEXT NOT NULL REFERENCES returns, order_id TEXT NOT NULL,
                               line INTEGER NOT NULL, new_item_id TEXT REFERENCES items,
                               PRIMARY KEY (order_id, line), FOREIGN KEY (order_id, line) REFERENCES order_items);
    """
    volatile = {"transactions": ("created_at",), "returns": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        products, items = [], []
        for name, (description, base, dimensions) in CATALOGUE.items():
            product_id = fake_id(rng, "prod_")
            products.append({"product_id": product_id, "name": name, "description": description})
            combos = list(itertools.product(*dimensions.values()))
            for combo in sorted(rng.sample(combos, min(len(combos), rng.randint(6, 9)))):
                items.append({"item_id": fake_id(rng, "item_"), "product_id": product_id,
                              "options": json.dumps(dict(zip(dimensions, combo))),
                              "price": round_money(base * rng.uniform(0.85, 1.3)), "available": int(rng.random() < 0.8)})
        db["products"].insert_all(products)
        db["items"].insert_all(items)
        users, methods, orders, lines, transactions = [], [], [], [], []
        names: set[tuple[str, str]] = set()
        while len(users) < 20:
            first, last = fake.first_name(), fake.last_name()
            if (first, last) in names:
                continue
            names.add((first, last))
            user = {"user_id": fake_id(rng, "usr_"), "first_name": first, "last_name": last,
                    "email": f"{first}.{last}{rng.randrange(10, 99)}@example.com".lower().replace("'", ""),
                    **cls._fake_address(fake)}
            users.append(user)
            wallet = cls._fake_wallet(rng, user["user_id"])
            methods += wallet
            for order, order_lines, paid in cls._fake_orders(rng, fake, user, wallet, items):
                orders.append(order)
                lines += order_lines
                transactions += paid
        db["users"].insert_all(users)
        db["payment_methods"].insert_all(methods)
        db["orders"].insert_all(orders)
        db["order_items"].insert_all(lines)
        db["transactions"].insert_all(transactions)

    @staticmethod
    def _fake_address(fake: Any) -> dict[str, str]:
        return {"address": fake.street_address(), "city": fake.city(), "state": fake.state_abbr(),
                "country": "USA", "zip_code": fake.zipcode()}

    @staticmethod
    def _fake_wallet(rng: random.Random, user_id: str) -> list[dict[str, Any]]:
        def card() -> dict[str, Any]:
            return {"payment_method_id": fake_id(rng, "credit_card_"), "user_id": user_id, "kind": "credit_card",
                    "brand": rng.choice(CARD_BRANDS), "last_four": f"{rng.randrange(10000):04d}", "balance": None}

        wallet = [card()] + ([card()] if rng.random() < 0.25 else [])
        if len({(m["brand"], m["last_four"]) for m in wallet}) < len(wallet):
            wallet.pop()
        if rng.random() < 0.5:
            wallet.append({"payment_method_id": fake_id(rng, "paypal_"), "user_id": user_id, "kind": "paypal",
                           "brand": None, "last_four": None, "balance": None})
        if rng.random() < 0.55:
            wallet.append({"payment_method_id": fake_id(rng, "gift_card_"), "user_id": user_id, "kind": "gift_card",
                           "brand": None, "last_four": None, "balance": round_money(rng.uniform(20, 400))})
        return wallet

    @classmethod
    def _fake_orders(cls, rng: random.Random, fake: Any, user: dict[str, Any], wallet: list[dict[str, Any]],
                     items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
        by_product: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_product.setdefault(item["product_id"], []).append(item)
        statuses = list(ORDER_AGES)
        days: set[int] = set()
        out = []
        for _ in range(rng.randint(1, 4)):
            status = rng.choices(statuses, weights=[ORDER_AGES[s][0] for s in statuses])[0]
            age = rng.randint(*ORDER_AGES[status][1:])
            if age in days:
                continue
            days.add(age)
            created = (cls.start_time - dt.timedelta(days=age, hours=rng.randint(0, 10), minutes=rng.randrange(60)))
            order_id = fake_id(rng, "ord_")
            address = {k: user[k] for k in ADDRESS_FIELDS}
            if rng.random() < 0.15:
                address = cls._fake_address(fake)
            method = rng.choice(wallet)
            chosen = [rng.choice(by_product[p]) for p in rng.sample(sorted(by_product), rng.randint(1, 4))]
            lines = [{"order_id": order_id, "line": n, "item_id": item["item_id"], "price": item["price"]}
                     for n, item in enumerate(chosen, 1)]
            total = round_money(sum(item["price"] for item in chosen))
            stamp = created.strftime(TIME_FORMAT)
            paid = [{"transaction_id": fake_id(rng, "txn_"), "order_id": order_id,
                     "payment_method_id": method["payment_method_id"], "kind": "payment", "amount": total,
                     "created_at": stamp}]
            reason = None
            if status == "cancelled":
                reason = rng.choice(["no longer needed", "ordered by mistake"])
                paid.append({**paid[0], "transaction_id": fake_id(rng, "txn_"), "kind": "refund"})
            out.append(({"order_id": order_id, "user_id": user["user_id"], "status": status, "created_at": stamp,
                         **address, "payment_method_id": method["payment_method_id"], "cancel_reason": reason},
                        lines, paid))
        return out

    # ------------------------------------------------------------------ helpers
    def _user(self, user_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM users WHERE user_id = ?", user_id,
                            error=f"no user with id '{user_id}'; find_user_by_email or find_user_by_name_zip gives it")

    def _user_summary(self, user: dict[str, Any]) -> UserSummary:
        return {"user_id": user["user_id"], "name": f"{user['first_name']} {user['last_name']}",
                "email": user["email"], "zip_code": user["zip_code"]}

    def _payment_method(self, user_id: str, payment_method_id: str) -> dict[str, Any]:
        method = self.require("SELECT * FROM payment_methods WHERE payment_method_id = ?", payment_method_id,
                              error=f"no payment method with id '{payment_method_id}'; get_user_details lists the"
                                    " customer's payment methods")
        if method["user_id"] != user_id:
            raise ToolError(f"payment method '{payment_method_id}' does not belong to this order's customer;"
                            " get_user_details lists their payment methods")
        return method

    def _order(self, order_id: str, payments: bool = True) -> dict[str, Any]:
        """An order with its address, items, total and payments (left out when ``payments`` is false: for writes
        that read them again after paying, adding them as the last key as here)."""
        order = self.require("SELECT * FROM orders WHERE order_id = ?", order_id,
                             error=f"no order with id '{order_id}'; list_user_orders lists a customer's orders")
        order["address"] = {k: order.pop(k) for k in ADDRESS_FIELDS}
        order["items"] = [self._line(line) for line in self.rows(
            "SELECT l.line, l.item_id, i.product_id, p.name AS product_name, i.options, l.price, rt.kind AS handled,"
            " CASE WHEN rt.kind IS NOT NULL THEN rl.new_item_id END AS new_item_id"
            " FROM order_items l JOIN items i USING (item_id) JOIN products p USING (product_id)"
            # a line's return (a return line with its return), looked up by key: no subquery materialized and
            # indexed on every call
            " LEFT JOIN return_lines rl ON rl.order_id = l.order_id AND rl.line = l.line"
            " LEFT JOIN returns rt ON rt.return_id = rl.return_id"
            " WHERE l.order_id = ? ORDER BY l.line", order_id)]
        order["total_amount"] = round_money(sum(line["price"] for line in order["items"]))
        if payments:
            order["payments"] = self._payments(order_id)
        if order["cancel_reason"] is None:
            del order["cancel_reason"]
        return order

    def _payments(self, order_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT payment_method_id, kind, amount, created_at FROM transactions"
                         " WHERE order_id = ? ORDER BY created_at, rowid", order_id)

    @staticmethod
    def _line(line: dict[str, Any]) -> dict[str, Any]:
        handled, new_item_id = line.pop("handled"), line.pop("new_item_id")
        line["options"] = json.loads(line["options"])
        line["status"] = {None: "ordered", "return": "returned", "exchange": "exchanged"}[handled]
        if new_item_id is not None:
            line["exchanged_for"] = new_item_id
        return line

    def _order_in(self, order_id: str, status: str, action: str, payments: bool = True) -> dict[str, Any]:
        order = self._order(order_id, payments)
        if order["status"] != status:
            raise ToolError(f"order '{order_id}' is {order['status']}; only {status} orders can {action}")
        return order

    def _lines(self, order: dict[str, Any], item_ids: list[str]) -> list[dict[str, Any]]:
        """The order lines holding the given items (an item listed twice takes two lines)."""
        free = [line for line in order["items"] if line["status"] == "ordered"]
        taken = []
        for item_id in item_ids:
            line = next((line for line in free if line["item_id"] == item_id), None)
            if line is None:
                held = ", ".join(f"{x['item_id']} ({x['product_name']}, {x['status']})" for x in order["items"])
                raise ToolError(f"item '{item_id}' is not among the not yet returned or exchanged items of order"
                                f" '{order['order_id']}'; its items: {held}")
            free.remove(line)
            taken.append(line)
        return taken

    def _replacements(self, lines: list[dict[str, Any]], new_item_ids: list[str]) -> list[dict[str, Any]]:
        """The new items for each line: same product, a different variant, in stock."""
        if len(new_item_ids) != len(lines):
            raise ToolError(f"new_item_ids must have one item per item in item_ids ({len(lines)}),"
                            f" got {len(new_item_ids)}")
        new_items = []
        for line, new_item_id in zip(lines, new_item_ids):
            item = self.require("SELECT i.*, p.name AS product_name FROM items i JOIN products p USING (product_id)"
                                " WHERE item_id = ?", new_item_id,
                                error=f"no item with id '{new_item_id}'; get_product_details lists a product's items")
            if item["product_id"] != line["product_id"]:
                raise ToolError(f"item '{new_item_id}' is a {item['product_name']}, but '{line['item_id']}' is a"
                                f" {line['product_name']}; an item can only be swapped for another variant of the"
                                " same product")
            if new_item_id == line["item_id"]:
                raise ToolError(f"item '{new_item_id}' is the variant already ordered; pick a different one")
            if not item["available"]:
                raise ToolError(f"item '{new_item_id}' ({options_text(json.loads(item['options']))}) is out of stock")
            new_items.append(item)
        return new_items

    def _record(self, order_id: str, method: dict[str, Any], kind: str, amount: float) -> None:
        """Charge (payment) or credit (refund) a payment method for an order; gift cards carry a balance."""
        amount = round_money(amount)
        if method["kind"] == "gift_card":
            balance = self.value("SELECT balance FROM payment_methods WHERE payment_method_id = ?",
                                 method["payment_method_id"])
            if kind == "payment" and balance < amount - 1e-9:
                raise ToolError(f"gift card '{method['payment_method_id']}' has a balance of {balance}, not enough"
                                f" to pay {amount}; choose another payment method")
            self.execute("UPDATE payment_methods SET balance = ? WHERE payment_method_id = ?",
                         round_money(balance - amount if kind == "payment" else balance + amount),
                         method["payment_method_id"])
        self.execute("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?)", self.new_id("transactions", "txn_"),
                     order_id, method["payment_method_id"], kind, amount, self.now().strftime(TIME_FORMAT))

    def _settle(self, order_id: str, method: dict[str, Any], difference: float) -> None:
        """Charge a positive price difference to a method, or refund a negative one to it."""
        if abs(difference) >= 0.005:
            self._record(order_id, method, "payment" if difference > 0 else "refund", abs(difference))

    def _net_paid(self, order_id: str) -> list[dict[str, Any]]:
        """What each payment method has paid for an order so far, payments minus refunds."""
        return self.rows("SELECT payment_method_id, ROUND(SUM(CASE kind WHEN 'payment' THEN amount ELSE -amount END),"
                         " 2) AS net FROM transactions WHERE order_id = ? GROUP BY payment_method_id"
                         " HAVING net > 0.004 ORDER BY payment_method_id", order_id)

    def _refund_all(self, order: dict[str, Any], keep: str | None = None) -> None:
        for paid in self._net_paid(order["order_id"]):
            if paid["payment_method_id"] != keep:
                method = self._payment_method(order["user_id"], paid["payment_method_id"])
                self._record(order["order_id"], method, "refund", paid["net"])

    def _set_address(self, table: Literal["users", "orders"], key: str, **fields: str) -> None:
        """Store an address (trimmed) on the customer or the order whose id is ``key``."""
        id_column = "user_id" if table == "users" else "order_id"
        self.execute(f"UPDATE {table} SET address = ?, city = ?, state = ?, country = ?, zip_code = ?"
                     f" WHERE {id_column} = ?", *(value.strip() for value in fields.values()), key)

    def _swap_request(self, order_id: str, status: str, action: str, item_ids: list[str], new_item_ids: list[str],
                      payment_method_id: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]],
                                                       list[dict[str, Any]]]:
        """Check a swap of an order's items for other variants: the order, the method, the lines, the new items."""
        order = self._order_in(order_id, status, action, payments=False)  # the caller reads them after paying
        method = self._payment_method(order["user_id"], payment_method_id)
        lines = self._lines(order, item_ids)
        return order, method, lines, self._replacements(lines, new_item_ids)

    def _settle_swap(self, order_id: str, method: dict[str, Any], lines: list[dict[str, Any]],
                     new_items: list[dict[str, Any]]) -> None:
        """Charge or refund the price difference between swapped order lines and their new items."""
        self._settle(order_id, method, sum(i["price"] for i in new_items) - sum(x["price"] for x in lines))

    # -------------------------------------------------------------------- tools
    @tool(phrase=['look up the customer with the email address {email}', 'find the customer whose email is {email}'])
    def find_user_by_email(self, email: Annotated[NonEmptyStr, UserKnown]) -> UserSummary:
        """Find a customer by their email address.

        Args:
            email: The customer's email address.
        """
        user = self.require("SELECT * FROM users WHERE email = ?", email.strip().lower(),
                            error=f"no customer with email '{email}'; try find_user_by_name_zip")
        return self._user_summary(user)

    @tool(phrase=[
        'look up the customer with first name {first_name}, last name {last_name} and zip code {zip_code}',
        'find the customer whose first name is {first_name}, last name {last_name}, zip code {zip_code}'])
    def find_user_by_name_zip(self, first_name: Annotated[NonEmptyStr, UserKnown],
                              last_name: Annotated[NonEmptyStr, UserKnown],
                              zip_code: Annotated[NonEmptyStr, UserKnown]) -> UserSummary:
        """Find a customer by first name, last name and the zip code of their address.

        Args:
            first_name: The customer's first name.
            last_name: The customer's last name.
            zip_code: The zip code of the customer's address on file.
        """
        user = self.require("SELECT * FROM users WHERE first_name = ? COLLATE NOCASE AND last_name = ? COLLATE NOCASE"
                            " AND zip_code = ?", first_name.strip(), last_name.strip(), zip_code.strip(),
                            error=f"no customer named {first_name} {last_name} with zip code '{zip_code}';"
                                  " try find_user_by_email")
        return self._user_summary(user)

    @tool(phrase=['check the payment methods on the account of {user_id}', 'pull up the account of {user_id}'])
    def get_user_details(self, user_id: str) -> UserDetails:
        """Get a customer's address, payment methods (gift cards with their balance) and order ids.

        Args:
            user_id: The customer's id.
        """
        user = self._user(user_id)
        methods = []
        for method in self.rows("SELECT * FROM payment_methods WHERE user_id = ? ORDER BY payment_method_id", user_id):
            methods.append({k: v for k, v in method.items() if v is not None and k != "user_id"})
        return {"user_id": user_id, "name": {"first_name": user["first_name"], "last_name": user["last_name"]},
                "email": user["email"],
                "address": {k: user[k] for k in ADDRESS_FIELDS},
                "payment_methods": methods,
                "order_ids": [r["order_id"] for r in self.rows(
                    "SELECT order_id FROM orders WHERE user_id = ? ORDER BY created_at", user_id)]}

    @tool(phrase=['list the [{status} ]orders of {user_id}', 'show me the [{status} ]orders of {user_id}'])
    def list_user_orders(self, user_id: str, status: OrderStatus | None = None) -> list[OrderSummary]:
        """List a customer's orders, oldest first, with their date, status and the products in them.

        Args:
            user_id: The customer's id.
            status: Only orders in this status.
        """
        self._user(user_id)
        orders = self.rows("SELECT order_id, created_at, status FROM orders WHERE user_id = ?1"
                           " AND (?2 IS NULL OR status = ?2) ORDER BY created_at", user_id, status)
        for order in orders:
            order["products"] = [r["name"] for r in self.rows(
                "SELECT p.name FROM order_items l JOIN items USING (item_id) JOIN products p USING (product_id)"
                " WHERE l.order_id = ? ORDER BY l.line", order["order_id"])]
        return orders

    @tool(phrase=['look up my order {order_id}', 'pull up the details of my order {order_id}',
                  'check on my order {order_id}'])
    def get_order_details(self, order_id: Annotated[str, UserKnown]) -> Order:
        """Get an order: status, shipping address, items (with options and prices), total and payments.

        Args:
            order_id: The order's id.
        """
        return self._order(order_id)

    @tool(phrase=['list the products the store sells', "show me the store's product range"])
    def list_product_types(self) -> list[ProductRef]:
        """List the products the store sells, with their ids."""
        return self.rows("SELECT product_id, name FROM products ORDER BY name")

    @tool(phrase=['show me the variants of {product_id}', 'look up {product_id} with all its variants'])
    def get_product_details(self, product_id: str) -> Product:
        """Get a product with all its variants (items): options, price and whether each is in stock.

        Args:
            product_id: The product's id (list_product_types lists them).
        """
        product = self.require("SELECT * FROM products WHERE product_id = ?", product_id,
                               error=f"no product with id '{product_id}'; list_product_types lists them")
        product["items"] = [
            {"item_id": r["item_id"], "options": json.loads(r["options"]), "price": r["price"],
             "available": bool(r["available"])}
            for r in self.rows("SELECT * FROM items WHERE product_id = ? ORDER BY item_id", product_id)]
        return product

    @tool(writes=True, phrase=[
        'change the address on the account of {user_id} to {address}, {city}, {state} {zip_code}, {country}',
        'update the account address of {user_id} to {address}, {city}, {state} {zip_code}, {country}'])
    def modify_user_address(self, user_id: str, address: NonEmptyStr, city: NonEmptyStr, state: NonEmptyStr,
                            country: NonEmptyStr, zip_code: NonEmptyStr) -> UserDetails:
        """Change the address on a customer's account (existing orders keep their shipping address).

        Args:
            user_id: The customer's id.
            address: Street address, including any apartment or suite.
            city: City.
            state: State or province code.
            country: Country.
            zip_code: Zip or postal code.
        """
        self._user(user_id)
        self._set_address("users", user_id, address=address, city=city, state=state, country=country,
                          zip_code=zip_code)
        return self.get_user_details(user_id)

    @tool(writes=True, phrase=[
        'ship {order_id} to {address}, {city}, {state} {zip_code}, {country} instead',
        'change the shipping address of {order_id} to {address}, {city}, {state} {zip_code}, {country}'])
    def modify_pending_order_address(self, order_id: Annotated[str, UserKnown], address: NonEmptyStr,
                                     city: NonEmptyStr, state: NonEmptyStr, country: NonEmptyStr,
                                     zip_code: NonEmptyStr) -> Order:
        """Change the shipping address of a pending order.

        Args:
            order_id: The order's id.
            address: Street address, including any apartment or suite.
            city: City.
            state: State or province code.
            country: Country.
            zip_code: Zip or postal code.
        """
        order = self._order_in(order_id, "pending", "be modified")
        self._set_address("orders", order_id, address=address, city=city, state=state, country=country,
                          zip_code=zip_code)
        # The order as _order reads it back: only its address changed (stored trimmed).
        return {**order, "address": {"address": address.strip(), "city": city.strip(), "state": state.strip(),
                                     "country": country.strip(), "zip_code": zip_code.strip()}}

    @tool(writes=True, phrase=[
        'swap {item_ids} in {order_id} for {new_item_ids}, settling the difference with {payment_method_id}',
        'change {item_ids} of {order_id} to {new_item_ids} and charge or refund the difference on {payment_method_id}'])
    def modify_pending_order_items(self, order_id: Annotated[str, UserKnown], item_ids: ItemIds,
                                   new_item_ids: ItemIds, payment_method_id: str) -> Order:
        """Swap items of a pending order for other variants of the same products; settles the price difference.

        A higher price is charged to the payment method, a lower one refunded to it.

        Args:
            order_id: The order's id.
            item_ids: Items of the order to swap.
            new_item_ids: The replacement items, in the same order as item_ids.
            payment_method_id: The customer's payment method that pays or receives the price difference.
        """
        order, method, lines, new_items = self._swap_request(order_id, "pending", "be modified", item_ids,
                                                             new_item_ids, payment_method_id)
        self.executemany("UPDATE order_items SET item_id = ?, price = ? WHERE order_id = ? AND line = ?",
                         [(item["item_id"], item["price"], order_id, line["line"]) for line, item in zip(lines, new_items)])
        self._settle_swap(order_id, method, lines, new_items)
        # The order as _order reads it back: the swapped lines (dicts of order["items"]) hold the new items (same
        # product), so the total changes; the payments changed.
        for line, item in zip(lines, new_items):
            line.update(item_id=item["item_id"], options=json.loads(item["options"]), price=item["price"])
        order["total_amount"] = round_money(sum(line["price"] for line in order["items"]))
        order["payments"] = self._payments(order_id)
        return order

    @tool(writes=True, phrase=[
        'pay for {order_id} with {payment_method_id} instead',
        'switch the payment of {order_id} to {payment_method_id}'])
    def modify_pending_order_payment(self, order_id: Annotated[str, UserKnown], payment_method_id: str) -> Order:
        """Pay a pending order with another of the customer's payment methods; earlier payments are refunded.

        Args:
            order_id: The order's id.
            payment_method_id: The customer's payment method to pay the whole order with.
        """
        order = self._order_in(order_id, "pending", "be modified", payments=False)  # read after paying
        method = self._payment_method(order["user_id"], payment_method_id)
        paid = self._net_paid(order_id)
        if [p["payment_method_id"] for p in paid] == [payment_method_id]:
            raise ToolError(f"order '{order_id}' is already paid with '{payment_method_id}'; choose another method")
        already = next((p["net"] for p in paid if p["payment_method_id"] == payment_method_id), 0.0)
        self._refund_all(order, keep=payment_method_id)
        self._settle(order_id, method, order["total_amount"] - already)
        self.execute("UPDATE orders SET payment_method_id = ? WHERE order_id = ?", payment_method_id, order_id)
        # The order as _order reads it back: its items are unchanged; its method and payments changed.
        return {**order, "payment_method_id": payment_method_id, "payments": self._payments(order_id)}

    @tool(writes=True, phrase=['cancel {order_id} (reason: {reason})', 'call off {order_id}, reason: {reason}',
                               'cancel my order {order_id}; the reason is {reason}'])
    def cancel_pending_order(self, order_id: Annotated[str, UserKnown], reason: CancelReason) -> Order:
        """Cancel a pending order; everything paid is refunded to the methods that paid it.

        Args:
            order_id: The order's id.
            reason: Why the customer cancels.
        """
        order = self._order_in(order_id, "pending", "be cancelled", payments=False)  # read after refunding
        self._refund_all(order)
        self.execute("UPDATE orders SET status = 'cancelled', cancel_reason = ? WHERE order_id = ?", reason, order_id)
        # The order as _order reads it back: its items are unchanged; its status, reason (in its column's place,
        # before the address) and payments changed.
        cancelled = {}
        for key, value in order.items():
            if key == "address":
                cancelled["cancel_reason"] = reason
            cancelled[key] = value
        cancelled["status"] = "cancelled"
        cancelled["payments"] = self._payments(order_id)
        return cancelled

    def _start_return(self, order: dict[str, Any], kind: str, method: dict[str, Any]) -> str:
        return_id = self.new_id("returns", "ret_")
        self.execute("INSERT INTO returns VALUES (?, ?, ?, ?, ?)", return_id, order["order_id"], kind,
                     method["payment_method_id"], self.now().strftime(TIME_FORMAT))
        return return_id

    @tool(writes=True, phrase=[
        'return {item_ids} from {order_id} and refund it to {payment_method_id}',
        'send back {item_ids} of {order_id}, with the refund going to {payment_method_id}'])
    def return_delivered_order_items(self, order_id: Annotated[str, UserKnown], item_ids: ItemIds,
                                     payment_method_id: str) -> Order:
        """Return items of a delivered order and refund their price.

        The refund goes to the order's original payment method or to one of the customer's gift cards.

        Args:
            order_id: The order's id.
            item_ids: Items of the order to return.
            payment_method_id: Where the refund goes: the original payment method or a gift card of the customer.
        """
        order = self._order_in(order_id, "delivered", "have items returned", payments=False)  # read after refunding
        method = self._payment_method(order["user_id"], payment_method_id)
        if method["kind"] != "gift_card" and payment_method_id != order["payment_method_id"]:
            raise ToolError(f"refunds go to the order's original payment method ('{order['payment_method_id']}')"
                            " or to one of the customer's gift cards")
        lines = self._lines(order, item_ids)
        return_id = self._start_return(order, "return", method)
        self.executemany("INSERT INTO return_lines VALUES (?, ?, ?, NULL)",
                         [(return_id, order_id, line["line"]) for line in lines])
        self._record(order_id, method, "refund", sum(line["price"] for line in lines))
        # The order as _order reads it back: the returned lines (dicts of order["items"]) are marked returned; the
        # payments changed.
        for line in lines:
            line["status"] = "returned"
        order["payments"] = self._payments(order_id)
        return order

    @tool(writes=True, phrase=[
        'exchange {item_ids} from {order_id} for {new_item_ids}, settling the difference with {payment_method_id}',
        'swap the delivered {item_ids} of {order_id} for {new_item_ids}; the difference goes on {payment_method_id}'])
    def exchange_delivered_order_items(self, order_id: Annotated[str, UserKnown], item_ids: ItemIds,
                                       new_item_ids: ItemIds, payment_method_id: str) -> Order:
        """Exchange items of a delivered order for other variants of the same products.

        A higher price is charged to the payment method, a lower one refunded to it.

        Args:
            order_id: The order's id.
            item_ids: Items of the order to exchange.
            new_item_ids: The replacement items, in the same order as item_ids.
            payment_method_id: The customer's payment method that pays or receives the price difference.
        """
        order, method, lines, new_items = self._swap_request(order_id, "delivered", "have items exchanged", item_ids,
                                                             new_item_ids, payment_method_id)
        return_id = self._start_return(order, "exchange", method)
        self.executemany("INSERT INTO return_lines VALUES (?, ?, ?, ?)",
                         [(return_id, order_id, line["line"], item["item_id"]) for line, item in zip(lines, new_items)])
        self._settle_swap(order_id, method, lines, new_items)
        # The order as _order reads it back: the exchanged lines (dicts of order["items"]) are marked exchanged, with
        # their new items; the payments changed.
        for line, item in zip(lines, new_items):
            line["status"] = "exchanged"
            line["exchanged_for"] = item["item_id"]
        order["payments"] = self._payments(order_id)
        return order
