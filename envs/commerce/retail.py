"""Retail: an online store's customers, catalogue, orders, payments, returns and exchanges."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from typing import Any, Literal

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, pick, scenario
from envfactory_gym.core.tools import ToolError, tool
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
NEW_ADDRESSES = [("18 Birch Lane", "Portland", "OR", "97205"), ("402 Harbor Road Apt. 7", "Annapolis", "MD", "21401"),
                 ("77 Mill Street", "Burlington", "VT", "05401"), ("1250 Sunset Boulevard", "Boise", "ID", "83702"),
                 ("9 Cedar Court", "Madison", "WI", "53703"), ("3318 Elm Avenue Suite 12", "Tulsa", "OK", "74103"),
                 ("56 Lakeview Drive", "Duluth", "MN", "55802"), ("840 Willow Way", "Savannah", "GA", "31401")]


def options_text(options: dict[str, str]) -> str:
    """How a customer would describe a variant: 'color red, size M'."""
    return ", ".join(f"{name} {value}" for name, value in options.items())


def round_money(amount: float) -> float:
    return round(amount, 2)




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

    def _user_summary(self, user: dict[str, Any]) -> dict[str, Any]:
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

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.require("SELECT * FROM orders WHERE order_id = ?", order_id,
                             error=f"no order with id '{order_id}'; list_user_orders lists a customer's orders")
        order["address"] = {k: order.pop(k) for k in ADDRESS_FIELDS}
        order["items"] = [self._line(line) for line in self.rows(
            "SELECT l.line, l.item_id, i.product_id, p.name AS product_name, i.options, l.price, r.kind AS handled,"
            " r.new_item_id FROM order_items l JOIN items i USING (item_id) JOIN products p USING (product_id)"
            " LEFT JOIN (SELECT rl.order_id, rl.line, rl.new_item_id, rt.kind FROM return_lines rl"
            "            JOIN returns rt USING (return_id)) r ON r.order_id = l.order_id AND r.line = l.line"
            " WHERE l.order_id = ? ORDER BY l.line", order_id)]
        order["total_amount"] = round_money(sum(line["price"] for line in order["items"]))
        order["payments"] = self.rows("SELECT payment_method_id, kind, amount, created_at FROM transactions"
                                      " WHERE order_id = ? ORDER BY created_at, rowid", order_id)
        if order["cancel_reason"] is None:
            del order["cancel_reason"]
        return order

    @staticmethod
    def _line(line: dict[str, Any]) -> dict[str, Any]:
        handled, new_item_id = line.pop("handled"), line.pop("new_item_id")
        line["options"] = json.loads(line["options"])
        line["status"] = {None: "ordered", "return": "returned", "exchange": "exchanged"}[handled]
        if new_item_id is not None:
            line["exchanged_for"] = new_item_id
        return line

    def _order_in(self, order_id: str, status: str, action: str) -> dict[str, Any]:
        order = self._order(order_id)
        if order["status"] != status:
            raise ToolError(f"order '{order_id}' is {order['status']}; only {status} orders can {action}")
        return order

    def _lines(self, order: dict[str, Any], item_ids: list[str]) -> list[dict[str, Any]]:
        """The order lines holding the given items (an item listed twice takes two lines)."""
        if not item_ids:
            raise ToolError("item_ids must name at least one item of the order")
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

    @staticmethod
    def _check_address(**fields: str) -> dict[str, str]:
        for name, value in fields.items():
            if not value.strip():
                raise ToolError(f"{name} must not be empty")
        return {name: value.strip() for name, value in fields.items()}

    def _set_address(self, table: Literal["users", "orders"], key: str, **fields: str) -> None:
        """Check an address and store it on the customer or the order whose id is ``key``."""
        fields = self._check_address(**fields)
        id_column = "user_id" if table == "users" else "order_id"
        self.execute(f"UPDATE {table} SET address = ?, city = ?, state = ?, country = ?, zip_code = ?"
                     f" WHERE {id_column} = ?", *fields.values(), key)

    def _swap_request(self, order_id: str, status: str, action: str, item_ids: list[str], new_item_ids: list[str],
                      payment_method_id: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]],
                                                       list[dict[str, Any]]]:
        """Check a swap of an order's items for other variants: the order, the method, the lines, the new items."""
        order = self._order_in(order_id, status, action)
        method = self._payment_method(order["user_id"], payment_method_id)
        lines = self._lines(order, item_ids)
        return order, method, lines, self._replacements(lines, new_item_ids)

    def _settle_swap(self, order_id: str, method: dict[str, Any], lines: list[dict[str, Any]],
                     new_items: list[dict[str, Any]]) -> None:
        """Charge or refund the price difference between swapped order lines and their new items."""
        self._settle(order_id, method, sum(i["price"] for i in new_items) - sum(x["price"] for x in lines))

    # -------------------------------------------------------------------- tools
    @tool(phrase=['look up the customer with the email address {email}', 'find the customer whose email is {email}'])
    def find_user_by_email(self, email: str) -> dict[str, Any]:
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
    def find_user_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> dict[str, Any]:
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
    def get_user_details(self, user_id: str) -> dict[str, Any]:
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
    def list_user_orders(self, user_id: str,
                         status: Literal["pending", "processed", "delivered", "cancelled"] | None = None
                         ) -> list[dict[str, Any]]:
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

    @tool(phrase=['look up {order_id}', 'pull up the details of {order_id}'])
    def get_order_details(self, order_id: str) -> dict[str, Any]:
        """Get an order: status, shipping address, items (with options and prices), total and payments.

        Args:
            order_id: The order's id.
        """
        return self._order(order_id)

    @tool(phrase=['list the products the store sells', "show me the store's product range"])
    def list_product_types(self) -> list[dict[str, str]]:
        """List the products the store sells, with their ids."""
        return self.rows("SELECT product_id, name FROM products ORDER BY name")

    @tool(phrase=['show me the variants of {product_id}', 'look up {product_id} with all its variants'])
    def get_product_details(self, product_id: str) -> dict[str, Any]:
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
    def modify_user_address(self, user_id: str, address: str, city: str, state: str, country: str,
                            zip_code: str) -> dict[str, Any]:
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
    def modify_pending_order_address(self, order_id: str, address: str, city: str, state: str, country: str,
                                     zip_code: str) -> dict[str, Any]:
        """Change the shipping address of a pending order.

        Args:
            order_id: The order's id.
            address: Street address, including any apartment or suite.
            city: City.
            state: State or province code.
            country: Country.
            zip_code: Zip or postal code.
        """
        self._order_in(order_id, "pending", "be modified")
        self._set_address("orders", order_id, address=address, city=city, state=state, country=country,
                          zip_code=zip_code)
        return self._order(order_id)

    @tool(writes=True, phrase=[
        'swap {item_ids} in {order_id} for {new_item_ids}, settling the difference with {payment_method_id}',
        'change {item_ids} of {order_id} to {new_item_ids} and charge or refund the difference on {payment_method_id}'])
    def modify_pending_order_items(self, order_id: str, item_ids: list[str], new_item_ids: list[str],
                                   payment_method_id: str) -> dict[str, Any]:
        """Swap items of a pending order for other variants of the same products; settles the price difference.

        A higher price is charged to the payment method, a lower one refunded to it.

        Args:
            order_id: The order's id.
            item_ids: Items of the order to swap.
            new_item_ids: The replacement items, in the same order as item_ids.
            payment_method_id: The customer's payment method that pays or receives the price difference.
        """
        _, method, lines, new_items = self._swap_request(order_id, "pending", "be modified", item_ids, new_item_ids,
                                                         payment_method_id)
        self.executemany("UPDATE order_items SET item_id = ?, price = ? WHERE order_id = ? AND line = ?",
                         [(item["item_id"], item["price"], order_id, line["line"]) for line, item in zip(lines, new_items)])
        self._settle_swap(order_id, method, lines, new_items)
        return self._order(order_id)

    @tool(writes=True, phrase=[
        'pay for {order_id} with {payment_method_id} instead',
        'switch the payment of {order_id} to {payment_method_id}'])
    def modify_pending_order_payment(self, order_id: str, payment_method_id: str) -> dict[str, Any]:
        """Pay a pending order with another of the customer's payment methods; earlier payments are refunded.

        Args:
            order_id: The order's id.
            payment_method_id: The customer's payment method to pay the whole order with.
        """
        order = self._order_in(order_id, "pending", "be modified")
        method = self._payment_method(order["user_id"], payment_method_id)
        paid = self._net_paid(order_id)
        if [p["payment_method_id"] for p in paid] == [payment_method_id]:
            raise ToolError(f"order '{order_id}' is already paid with '{payment_method_id}'; choose another method")
        already = next((p["net"] for p in paid if p["payment_method_id"] == payment_method_id), 0.0)
        self._refund_all(order, keep=payment_method_id)
        self._settle(order_id, method, order["total_amount"] - already)
        self.execute("UPDATE orders SET payment_method_id = ? WHERE order_id = ?", payment_method_id, order_id)
        return self._order(order_id)

    @tool(writes=True, phrase=['cancel {order_id} (reason: {reason})', 'call off {order_id}, reason: {reason}'])
    def cancel_pending_order(self, order_id: str, reason: CancelReason) -> dict[str, Any]:
        """Cancel a pending order; everything paid is refunded to the methods that paid it.

        Args:
            order_id: The order's id.
            reason: Why the customer cancels.
        """
        order = self._order_in(order_id, "pending", "be cancelled")
        self._refund_all(order)
        self.execute("UPDATE orders SET status = 'cancelled', cancel_reason = ? WHERE order_id = ?", reason, order_id)
        return self._order(order_id)

    def _start_return(self, order: dict[str, Any], kind: str, method: dict[str, Any]) -> str:
        return_id = self.new_id("returns", "ret_")
        self.execute("INSERT INTO returns VALUES (?, ?, ?, ?, ?)", return_id, order["order_id"], kind,
                     method["payment_method_id"], self.now().strftime(TIME_FORMAT))
        return return_id

    @tool(writes=True, phrase=[
        'return {item_ids} from {order_id} and refund it to {payment_method_id}',
        'send back {item_ids} of {order_id}, with the refund going to {payment_method_id}'])
    def return_delivered_order_items(self, order_id: str, item_ids: list[str],
                                     payment_method_id: str) -> dict[str, Any]:
        """Return items of a delivered order and refund their price.

        The refund goes to the order's original payment method or to one of the customer's gift cards.

        Args:
            order_id: The order's id.
            item_ids: Items of the order to return.
            payment_method_id: Where the refund goes: the original payment method or a gift card of the customer.
        """
        order = self._order_in(order_id, "delivered", "have items returned")
        method = self._payment_method(order["user_id"], payment_method_id)
        if method["kind"] != "gift_card" and payment_method_id != order["payment_method_id"]:
            raise ToolError(f"refunds go to the order's original payment method ('{order['payment_method_id']}')"
                            " or to one of the customer's gift cards")
        lines = self._lines(order, item_ids)
        return_id = self._start_return(order, "return", method)
        self.executemany("INSERT INTO return_lines VALUES (?, ?, ?, NULL)",
                         [(return_id, order_id, line["line"]) for line in lines])
        self._record(order_id, method, "refund", sum(line["price"] for line in lines))
        return self._order(order_id)

    @tool(writes=True, phrase=[
        'exchange {item_ids} from {order_id} for {new_item_ids}, settling the difference with {payment_method_id}',
        'swap the delivered {item_ids} of {order_id} for {new_item_ids}; the difference goes on {payment_method_id}'])
    def exchange_delivered_order_items(self, order_id: str, item_ids: list[str], new_item_ids: list[str],
                                       payment_method_id: str) -> dict[str, Any]:
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
        return self._order(order_id)

    # ---------------------------------------------------------------- scenarios
    def _identify(self, user: dict[str, Any], rng: random.Random,
                  hide: bool = True) -> tuple[str, Any, tuple[UserFact, ...]]:
        """How the customer introduces themself, the lookup call, and what they only say when asked."""
        full = f"{user['first_name']} {user['last_name']}"
        by_email = call("find_user_by_email", email=user["email"])
        by_name = call("find_user_by_name_zip", first_name=user["first_name"], last_name=user["last_name"],
                       zip_code=user["zip_code"])
        style = rng.choice((0, 1, 0, 1, 2, 3) if hide else (0, 1))
        if style == 0:
            return f"My email is {user['email']}.", by_email, ()
        if style == 1:
            return f"I'm {full}, zip code {user['zip_code']}.", by_name, ()
        if style == 2:
            return f"This is {full}.", by_name, (UserFact("zip code", user["zip_code"], ("zip", "postal")),)
        return rng.choice(["Hi.", "Hello!"]), by_email, (UserFact("email", user["email"], ("email", "e-mail")),)

    def _orders_of(self, user_id: str) -> list[dict[str, Any]]:
        return [self._order(r["order_id"]) for r in self.rows(
            "SELECT order_id FROM orders WHERE user_id = ? ORDER BY created_at", user_id)]

    @staticmethod
    def _products_phrase(names: list[str]) -> str:
        names = [f"the {n}" for n in names]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def _order_phrase(self, order: dict[str, Any], rng: random.Random) -> str | None:
        """Words that single out one of a customer's orders (its date or its products), or None."""
        siblings = self._orders_of(order["user_id"])
        date = order["created_at"][:10]
        products = sorted(line["product_name"] for line in order["items"])
        ways = []
        if sum(o["created_at"][:10] == date for o in siblings) == 1:
            ways.append(f"my order from {date}")
        if sum(sorted(x["product_name"] for x in o["items"]) == products for o in siblings) == 1:
            ways.append(f"my order with {self._products_phrase(products)}")
        return rng.choice(ways) if ways else None

    def _some_order(self, rng: random.Random, status: str) -> tuple[dict[str, Any], dict[str, Any], str] | None:
        """A random order in a status, its customer and a phrase that singles it out."""
        order_ids = [r["order_id"] for r in self.rows("SELECT order_id FROM orders WHERE status = ? ORDER BY order_id",
                                                      status)]
        order = self._order(rng.choice(order_ids))
        phrase = self._order_phrase(order, rng)
        if phrase is None:
            return None
        return self._user(order["user_id"]), order, phrase

    @staticmethod
    def _order_ref(step: int, order: dict[str, Any]) -> Ref:
        """The id of an order, found in the order list of an earlier step by the order's date."""
        return Ref(step, then=pick("order_id", created_at=order["created_at"]))

    @staticmethod
    def _method_phrase(method: dict[str, Any]) -> str:
        if method["kind"] == "credit_card":
            return f"my {method['brand']} ending in {method['last_four']}"
        return "my PayPal account" if method["kind"] == "paypal" else "my gift card"

    @staticmethod
    def _method_ref(step: int, method: dict[str, Any]) -> Ref:
        """The id of a payment method, found in get_user_details' result the way the customer described it."""
        traits = {k: method[k] for k in ("kind", "brand", "last_four") if method[k] is not None}
        return Ref(step, "payment_methods", then=pick("payment_method_id", **traits))

    def _wallet(self, user_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM payment_methods WHERE user_id = ? ORDER BY payment_method_id", user_id)

    @staticmethod
    def _single_lines(order: dict[str, Any]) -> list[dict[str, Any]]:
        """Order lines whose product occurs once in the order, so naming the product names the line."""
        names = [line["product_name"] for line in order["items"]]
        return [line for line in order["items"] if names.count(line["product_name"]) == 1]

    def _swap_draft(self, rng: random.Random, status: str, tool_name: str, note: str) -> Draft | None:
        """Swap one item of an order for an in-stock variant of its product differing in exactly one option."""
        found = self._some_order(rng, status)
        if found is None:
            return None
        user, order, phrase = found
        line = rng.choice(self._single_lines(order))
        candidates = []
        for item in self.rows("SELECT * FROM items WHERE product_id = ? AND available = 1 ORDER BY item_id",
                              line["product_id"]):
            options = json.loads(item["options"])
            changed = [name for name in options if options[name] != line["options"][name]]
            if len(changed) == 1:
                candidates.append((options, changed[0]))
        if not candidates:
            return None
        options, option = rng.choice(candidates)
        method = rng.choice(self._wallet(user["user_id"]))
        intro, lookup, ask = self._identify(user, rng)
        request = rng.choice([
            "In {order}, I'd like to swap the {product} ({options}) for the one with {option} {value}; everything"
            " else the same. Any price difference goes on {method}.",
            "Could you change the {product} in {order} to the {option} {value} version? Currently it's"
            " {options}. Use {method} for any difference in price.",
        ]).format(order=phrase, product=line["product_name"], options=options_text(line["options"]), option=option,
                  value=options[option], method=self._method_phrase(method))
        return Draft(
            request=f"{intro} {request} {note}",
            calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id")),
                   call("list_user_orders", user_id=Ref(0, "user_id"), status=status),
                   call("get_order_details", order_id=self._order_ref(2, order)),
                   call("get_product_details",
                        product_id=Ref(3, "items", then=pick("product_id", product_name=line["product_name"]))),
                   call(tool_name, order_id=Ref(3, "order_id"),
                        item_ids=[Ref(3, "items", then=pick("item_id", product_name=line["product_name"]))],
                        new_item_ids=[Ref(4, "items", then=pick("item_id", options=options))],
                        payment_method_id=self._method_ref(1, method))),
            ask=ask)

    @scenario
    def gift_card_balance(self, rng: random.Random) -> Draft:
        card = rng.choice(self.rows("SELECT * FROM payment_methods WHERE kind = 'gift_card' ORDER BY payment_method_id"))
        intro, lookup, ask = self._identify(self._user(card["user_id"]), rng)
        return Draft(
            request=f"{intro} " + rng.choice(["How much money is left on my gift card?",
                                              "Can you tell me my gift card balance?"]),
            calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id"))),
            answer=(str(card["balance"]),), ask=ask)

    @scenario
    def order_status(self, rng: random.Random) -> Draft | None:
        found = self._some_order(rng, rng.choice(list(ORDER_AGES)))
        if found is None:
            return None
        user, order, phrase = found
        intro, lookup, ask = self._identify(user, rng)
        return Draft(
            request=f"{intro} " + rng.choice(["What's the status of {o}, and what was its total?",
                                              "Where does {o} stand? Also remind me how much it cost in total."]
                                             ).format(o=phrase),
            calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id")),
                   call("get_order_details", order_id=self._order_ref(1, order))),
            answer=(order["status"], str(order["total_amount"])), ask=ask)

    @scenario
    def cancel_order(self, rng: random.Random) -> Draft | None:
        found = self._some_order(rng, "pending")
        if found is None:
            return None
        user, order, phrase = found
        intro, lookup, ask = self._identify(user, rng)
        reason, why = rng.choice([("ordered by mistake", "I ordered it by mistake"),
                                  ("no longer needed", "I don't need it anymore")])
        return Draft(
            request=f"{intro} " + rng.choice(["Please cancel {o}, {why}.", "{Why}, so cancel {o} please."]
                                             ).format(o=phrase, why=why, Why=why[0].upper() + why[1:]),
            calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
                   call("cancel_pending_order", order_id=self._order_ref(1, order),
                        reason=reason)),
            ask=ask)

    @scenario
    def move_house(self, rng: random.Random) -> Draft:
        user_id = rng.choice([r["user_id"] for r in self.rows(
            "SELECT DISTINCT user_id FROM orders WHERE status = 'pending' ORDER BY user_id")])
        pending = self.value("SELECT COUNT(*) FROM orders WHERE user_id = ? AND status = 'pending'", user_id)
        intro, lookup, ask = self._identify(self._user(user_id), rng)
        street, city, state, zip_code = rng.choice(NEW_ADDRESSES)
        address = {"address": street, "city": city, "state": state, "country": "USA", "zip_code": zip_code}
        return Draft(
            request=f"{intro} " + rng.choice([
                "I just moved to {a}, {c}, {s} {z}. Please update my account, and make sure every order of mine"
                " that hasn't shipped yet goes to the new place.",
                "New address: {a}, {c}, {s} {z}, USA. Update it on my profile and on my pending orders, please.",
            ]).format(a=street, c=city, s=state, z=zip_code),
            calls=(lookup, call("modify_user_address", user_id=Ref(0, "user_id"), **address),
                   call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
                   *(call("modify_pending_order_address", order_id=Ref(2, f"{n}.order_id"), **address)
                     for n in range(pending))),
            ask=ask)

    @scenario
    def redirect_order(self, rng: random.Random) -> Draft | None:
        found = self._some_order(rng, "pending")
        if found is None:
            return None
        user, order, phrase = found
        intro, lookup, _ = self._identify(user, rng, hide=False)
        street, city, state, zip_code = rng.choice(NEW_ADDRESSES)
        return Draft(
            request=f"{intro} " + rng.choice(["I need {o} shipped to a different address.",
                                              "Can {o} go to another address? I won't be home."]).format(o=phrase),
            calls=(lookup, call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
                   call("modify_pending_order_address",
                        order_id=self._order_ref(1, order), address=street,
                        city=city, state=state, country="USA", zip_code=zip_code)),
            ask=(UserFact("new shipping address", f"{street}, {city}, {state} {zip_code}, USA", ("address", "where")),))

    @scenario
    def return_items(self, rng: random.Random) -> Draft | None:
        found = self._some_order(rng, "delivered")
        if found is None:
            return None
        user, order, phrase = found
        lines = self._single_lines(order)
        names = [x["product_name"] for x in rng.sample(lines, min(len(lines), rng.randint(1, 2)))]
        gift_card = next((m for m in self._wallet(user["user_id"]) if m["kind"] == "gift_card"), None)
        to_gift_card = gift_card is not None and rng.random() < 0.5
        products, it = self._products_phrase(names), "it" if len(names) == 1 else "them"
        intro, lookup, ask = self._identify(user, rng)
        lookups = (lookup, call("get_user_details", user_id=Ref(0, "user_id"))) if to_gift_card else (lookup,)
        listing = len(lookups)
        return Draft(
            request=f"{intro} " + rng.choice(["I'd like to return {p} from {o}. Refund {it} {w}, please.",
                                              "{P} from {o} didn't work out for me. I want to send {it} back;"
                                              " the refund should go {w}."]).format(
                p=products, o=phrase, it=it, P=products[0].upper() + products[1:],
                w="to my gift card" if to_gift_card else "to the card or account I paid with"),
            calls=(*lookups, call("list_user_orders", user_id=Ref(0, "user_id"), status="delivered"),
                   call("get_order_details",
                        order_id=self._order_ref(listing, order)),
                   call("return_delivered_order_items", order_id=Ref(listing + 1, "order_id"),
                        item_ids=[Ref(listing + 1, "items", then=pick("item_id", product_name=n)) for n in names],
                        payment_method_id=self._method_ref(1, gift_card) if to_gift_card
                        else Ref(listing + 1, "payment_method_id"))),
            ask=ask)

    @scenario
    def exchange_item(self, rng: random.Random) -> Draft | None:
        return self._swap_draft(rng, "delivered", "exchange_delivered_order_items", "The order was delivered already.")

    @scenario
    def change_pending_item(self, rng: random.Random) -> Draft | None:
        return self._swap_draft(rng, "pending", "modify_pending_order_items", "It hasn't shipped yet.")

    @scenario
    def switch_payment(self, rng: random.Random) -> Draft | None:
        found = self._some_order(rng, "pending")
        if found is None:
            return None
        user, order, phrase = found
        others = [m for m in self._wallet(user["user_id"]) if m["payment_method_id"] != order["payment_method_id"]
                  and (m["kind"] != "gift_card" or m["balance"] >= order["total_amount"])]
        if not others:
            return None
        method = rng.choice(others)
        intro, lookup, ask = self._identify(user, rng)
        return Draft(
            request=f"{intro} " + rng.choice(["Please pay for {o} with {m} instead.",
                                              "I'd rather have {o} charged to {m}. Can you switch it?"]
                                             ).format(o=phrase, m=self._method_phrase(method)),
            calls=(lookup, call("get_user_details", user_id=Ref(0, "user_id")),
                   call("list_user_orders", user_id=Ref(0, "user_id"), status="pending"),
                   call("modify_pending_order_payment",
                        order_id=self._order_ref(2, order),
                        payment_method_id=self._method_ref(1, method))),
            ask=ask)

    @scenario
    def cheapest_variant(self, rng: random.Random) -> Draft | None:
        product = rng.choice(self.rows("SELECT * FROM products ORDER BY product_id"))
        prices = self.rows("SELECT * FROM items WHERE product_id = ? AND available = 1 ORDER BY price",
                           product["product_id"])
        if len(prices) < 2 or prices[0]["price"] == prices[1]["price"]:
            return None
        cheapest = json.loads(prices[0]["options"])
        return Draft(
            request=rng.choice(["What's the cheapest {p} you have in stock right now? Which options, and what price?",
                                "I'm on a budget. Which in-stock {p} variant costs the least, and how much is"
                                " it?"]).format(p=product["name"]),
            calls=(call("list_product_types"),
                   call("get_product_details", product_id=Ref(0, then=pick("product_id", name=product["name"])))),
            answer=(str(prices[0]["price"]), *(v for v in cheapest.values() if len(v) > 2)))
