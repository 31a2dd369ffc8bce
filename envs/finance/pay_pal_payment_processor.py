"""PayPalPaymentProcessor: a merchant's PayPal Orders v2 account: orders, payer approval, authorizations, captures
and refunds."""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ALNUM = string.ascii_uppercase + string.digits
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY")
HONOR_DAYS, REFUND_DAYS = 29, 180  # authorization validity; refund window after a capture
MAX_AMOUNT = 1_000_000  # 10,000.00 in minor units
PRODUCTS = [("Wireless earbuds", 4999), ("Yoga mat", 2950), ("Ceramic mug set", 3400), ("Leather wallet", 5900),
            ("Running socks 3-pack", 1499), ("Desk lamp", 4275), ("Phone case", 1999), ("Scented candle", 1850),
            ("Canvas tote bag", 2200), ("Bluetooth speaker", 8900), ("Notebook bundle", 1200), ("Sunglasses", 6500),
            ("Water bottle", 2495), ("Travel pillow", 3150), ("Gift card", 5000), ("Hoodie", 5495)]
Amount = Annotated[str, Field(pattern=r"^\s*\d{1,5}(\.\d{1,2})?\s*$")]
Currency = Literal["USD", "EUR", "GBP", "CAD", "AUD", "JPY"]


class Item(TypedDict):
    name: str
    quantity: int
    unit_amount: str


Payer = TypedDict("Payer", {"payer_id": str, "email_address": str, "name": str})
Authorization = TypedDict("Authorization", {"id": str, "status": str, "amount": str, "currency": str,
                                            "expiration_time": str})
Capture = TypedDict("Capture", {"id": str, "status": str, "amount": str, "currency": str, "final_capture": bool,
                                "authorization_id": str | None})
Refund = TypedDict("Refund", {"id": str, "status": str, "amount": str, "currency": str, "note_to_payer": str | None})
Payments = TypedDict("Payments", {"authorizations": list[Authorization], "captures": list[Capture],
                                  "refunds": list[Refund]})
Unit = TypedDict("Unit", {"amount": str, "currency": str, "description": str | None, "items": list[Item],
                          "payments": Payments})
OrderDetails = TypedDict("OrderDetails", {"id": str, "status": str, "intent": str, "purchase_units": list[Unit],
                                          "payer": Payer | None, "create_time": str, "update_time": str})
Created = TypedDict("Created", {"id": str, "status": str, "intent": str, "amount": str, "currency": str,
                                "links": list[dict[str, str]]})
Approved = TypedDict("Approved", {"id": str, "status": str, "payer": Payer})
Captured = TypedDict("Captured", {"id": str, "status": str, "capture_id": str, "amount": str, "currency": str,
                                  "payer": Payer})
Authorized = TypedDict("Authorized", {"id": str, "status": str, "authorization_id": str, "amount": str,
                                      "currency": str, "expiration_time": str})
CaptureResult = TypedDict("CaptureResult", {"id": str, "status": str, "amount": str, "currency": str,
                                            "final_capture": bool, "authorization_status": str})
Voided = TypedDict("Voided", {"id": str, "status": str})
CaptureDetails = TypedDict("CaptureDetails", {"id": str, "status": str, "amount": str, "currency": str,
                                              "order_id": str, "refunded": str, "refunds": list[Refund],
                                              "create_time": str})


def paypal_id(rng: random.Random, length: int = 17) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(length))


def decimals(currency: str) -> int:
    return 0 if currency == "JPY" else 2


def money(minor: int, currency: str) -> str:
    return str(minor) if currency == "JPY" else f"{minor / 100:.2f}"


def to_minor(amount: str, currency: str) -> int:
    """A stored decimal string in minor units."""
    whole, _, cents = amount.partition(".")
    return int(whole) if currency == "JPY" else int(whole) * 100 + int(cents.ljust(2, "0"))


def minor_of(amount: str, currency: str) -> int:
    """An amount string in the currency's minor unit; JPY has no decimals."""
    whole, _, cents = amount.strip().partition(".")
    if currency == "JPY" and cents.strip("0"):
        raise ToolError(f"JPY does not support decimal amounts; got '{amount.strip()}'")
    value = int(whole) if currency == "JPY" else int(whole) * 100 + int(cents.ljust(2, "0") or 0)
    if not 0 < value <= (MAX_AMOUNT if currency != "JPY" else MAX_AMOUNT * 100):
        raise ToolError(f"amount must be greater than 0 and at most 10000.00 {currency}")
    return value


class PayPalPaymentProcessor(World):
    """A merchant's PayPal checkout (Orders API v2). An order is CREATED, becomes APPROVED when the payer confirms
    it with their PayPal account, then COMPLETED: an intent CAPTURE order is captured at once; an intent AUTHORIZE
    order places an authorization (valid 29 days) that is captured later, in one or several parts, or voided.
    Captures can be refunded in full or in part within 180 days. Amounts are decimal strings ("49.99")."""

    domain = "Finance"
    schema = """
    CREATE TABLE payers (payer_id TEXT PRIMARY KEY, payer_email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                         name TEXT NOT NULL, country_code TEXT NOT NULL);
    CREATE TABLE orders (id TEXT PRIMARY KEY, intent TEXT NOT NULL, status TEXT NOT NULL, currency TEXT NOT NULL,
                         amount TEXT NOT NULL, description TEXT, payer_id TEXT REFERENCES payers,
                         create_time TEXT NOT NULL, update_time TEXT NOT NULL);
    CREATE INDEX orders_by_status ON orders (status, intent);
    CREATE TABLE order_items (item_id INTEGER PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders, name TEXT NOT NULL,
                              quantity INTEGER NOT NULL, unit_amount TEXT NOT NULL);
    CREATE INDEX items_by_order ON order_items (order_id);
    CREATE TABLE authorizations (id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders, status TEXT NOT NULL,
                                 amount TEXT NOT NULL, currency TEXT NOT NULL, expiration_time TEXT NOT NULL,
                                 create_time TEXT NOT NULL);
    CREATE INDEX authorizations_by_order ON authorizations (order_id);
    CREATE TABLE captures (id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES orders, authorization_id TEXT,
                           status TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,
                           final_capture INTEGER NOT NULL, create_time TEXT NOT NULL);
    CREATE INDEX captures_by_order ON captures (order_id);
    CREATE INDEX captures_by_authorization ON captures (authorization_id);
    CREATE TABLE refunds (id TEXT PRIMARY KEY, capture_id TEXT NOT NULL REFERENCES captures, status TEXT NOT NULL,
                          amount TEXT NOT NULL, currency TEXT NOT NULL, note_to_payer TEXT, create_time TEXT NOT NULL);
    CREATE INDEX refunds_by_capture ON refunds (capture_id);
    """
    volatile = {"orders": ("create_time", "update_time"), "authorizations": ("expiration_time", "create_time"),
                "captures": ("create_time",), "refunds": ("create_time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        payers = [{"payer_id": paypal_id(rng, 13), "name": fake.name(), "country_code": "US"} for _ in range(30)]
        for i, payer in enumerate(payers):
            first, last = payer["name"].lower().split()[:2]
            payer["payer_email"] = f"{first}.{last}{i}@{rng.choice(['gmail.com', 'outlook.com', 'yahoo.com'])}"
        orders, items, auths, caps, refunds = [], [], [], [], []
        for _ in range(72):
            currency = rng.choices(CURRENCIES, weights=[10, 3, 2, 2, 1, 1])[0]
            intent = rng.choice(["CAPTURE", "CAPTURE", "AUTHORIZE"])
            days = 35 if intent == "AUTHORIZE" else 200
            created = dt.datetime.combine(cls.days_before_start(rng, 0 if rng.random() < 0.3 else 1, days),
                                          dt.time(rng.randrange(7, 23), rng.randrange(60), rng.randrange(60)))
            created = min(created, cls.start_time - dt.timedelta(minutes=rng.randrange(5, 600)))
            order_id, stamp = paypal_id(rng), created.strftime(TIME_FORMAT)
            lines = rng.sample(PRODUCTS, rng.randrange(1, 4))
            rate = 150 if currency == "JPY" else 1
            for name, price in lines:
                items.append({"order_id": order_id, "name": name, "quantity": rng.randrange(1, 4),
                              "unit_amount": price * rate if currency != "JPY" else price * rate // 100})
            total = sum(i["quantity"] * i["unit_amount"] for i in items if i["order_id"] == order_id)
            for item in items[-len(lines):]:
                item["unit_amount"] = money(item["unit_amount"], currency)
            status = rng.choices(["CREATED", "APPROVED", "COMPLETED", "VOIDED"], weights=[2, 8, 8, 1])[0]
            payer = None if status in ("CREATED", "VOIDED") else rng.choice(payers)["payer_id"]
            orders.append({"id": order_id, "intent": intent, "status": status, "currency": currency, "amount": total,
                           "description": f"{lines[0][0]}{' and more' if len(lines) > 1 else ''}",
                           "payer_id": payer, "create_time": stamp, "update_time": stamp})
            if status != "COMPLETED":
                continue
            capture = {"id": paypal_id(rng), "order_id": order_id, "authorization_id": None, "status": "COMPLETED",
                       "amount": total, "currency": currency, "final_capture": 1, "create_time": stamp}
            if intent == "AUTHORIZE":
                expires = (created + dt.timedelta(days=HONOR_DAYS)).strftime(TIME_FORMAT)
                auth_status = rng.choice(["CREATED", "CAPTURED", "CAPTURED", "VOIDED", "PARTIALLY_CAPTURED"])
                if auth_status == "CREATED" and expires < cls.start_time.strftime(TIME_FORMAT):
                    auth_status = "EXPIRED"
                auths.append({"id": paypal_id(rng), "order_id": order_id, "status": auth_status, "amount": total,
                              "currency": currency, "expiration_time": expires, "create_time": stamp})
                if auth_status not in ("CAPTURED", "PARTIALLY_CAPTURED"):
                    continue
                capture.update(authorization_id=auths[-1]["id"], final_capture=int(auth_status == "CAPTURED"),
                               amount=total if auth_status == "CAPTURED" else total // 2)
            caps.append(capture)
            if rng.random() < 0.2:
                part = capture["amount"] if rng.random() < 0.5 else capture["amount"] // 3
                capture["status"] = "REFUNDED" if part == capture["amount"] else "PARTIALLY_REFUNDED"
                refunds.append({"id": paypal_id(rng), "capture_id": capture["id"], "status": "COMPLETED",
                                "amount": part, "currency": currency, "note_to_payer": rng.choice(
                                    [None, "Item returned", "Damaged in transit", "Price adjustment"]),
                                "create_time": stamp})
        for row in orders + auths + caps + refunds:
            row["amount"] = money(row["amount"], row["currency"])
        for table, rows in (("payers", payers), ("orders", orders), ("order_items", items),
                            ("authorizations", auths), ("captures", caps), ("refunds", refunds)):
            db[table].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _new(self, table: str) -> str:
        """A fresh 17-character PayPal-style id (recorded as generated by this episode)."""
        raw = self.new_id(table, "")
        self.mark_generated(table, value := (raw + raw[::-1]).upper()[:17])
        return value

    def _order(self, order_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM orders WHERE id = ?", order_id.strip(),
                            error=f"order '{order_id.strip()}' not found (RESOURCE_NOT_FOUND); check the order id")

    def _payer(self, payer_id: str | None) -> Payer | None:
        return self.row("SELECT payer_id, payer_email AS email_address, name FROM payers WHERE payer_id = ?", payer_id)

    def _ready(self, order: dict[str, Any], intent: str) -> None:
        if order["intent"] != intent:
            other = "capture_order" if order["intent"] == "CAPTURE" else "authorize_order"
            raise ToolError(f"order '{order['id']}' has intent {order['intent']} (ACTION_DOES_NOT_MATCH_INTENT); "
                            f"use {other}")
        if order["status"] == "CREATED":
            raise ToolError(f"order '{order['id']}' is not approved by the payer yet (ORDER_NOT_APPROVED); the payer "
                            "must confirm it first (confirm_payment_source)")
        if order["status"] != "APPROVED":
            raise ToolError(f"order '{order['id']}' is {order['status']} (ORDER_ALREADY_{order['status']}); only an "
                            "APPROVED order can be completed")

    def _complete(self, order_id: str, intent: str, stamp: str, returning: str) -> dict[str, Any]:
        """Complete an APPROVED order of ``intent`` at ``stamp`` in one conditional update and return its columns
        ``returning``; an order that is missing or not ready takes the checks of :meth:`_order` and :meth:`_ready`,
        which raise their errors."""
        order = self.row("UPDATE orders SET status = 'COMPLETED', update_time = ? WHERE id = ? AND intent = ? AND"
                         f" status = 'APPROVED' RETURNING {returning}", stamp, order_id.strip(), intent)
        if order is None:
            self.refused(lambda: self._ready(self._order(order_id), intent))
        return order

    def _with_parts(self, table: str, parts: str, column: str, found_id: str, error: str) -> tuple[dict[str, Any], int]:
        """The row of ``table`` with id ``found_id`` (else a :class:`ToolError` ``error``) and the total amount
        (minor units) of the rows of ``parts`` whose ``column`` names it, read in one query."""
        rows = self.rows(f"SELECT t.*, p.amount AS part FROM {table} t LEFT JOIN {parts} p ON p.{column} = t.id"
                         " WHERE t.id = ?", found_id)
        if not rows:
            raise ToolError(error)
        found = rows[0]
        return found, sum(to_minor(r["part"], found["currency"]) for r in rows if r["part"] is not None)

    def _sum(self, table: str, column: str, value: str, currency: str) -> int:
        """Total amount (minor units) of the rows of ``table`` whose ``column`` is ``value``."""
        return sum(to_minor(r["amount"], currency) for r in self.rows(
            f"SELECT amount FROM {table} WHERE {column} = ?", value))

    def _refunds(self, capture_id: str) -> list[Refund]:
        return [r for r in self.rows(
            "SELECT id, status, amount, currency, note_to_payer FROM refunds WHERE capture_id = ? ORDER BY create_time,"
            " id", capture_id)]

    # ------------------------------------------------------------------ orders
    @tool(writes=True, phrase=["create a PayPal order for {amount} {currency_code}[ for {description}]",
                               "set up a checkout of {amount} {currency_code} with intent {intent}[ ({description})]"])
    def create_order(self, amount: Amount, currency_code: Currency = "USD",
                     intent: Literal["CAPTURE", "AUTHORIZE"] = "CAPTURE", description: NonEmptyStr | None = None,
                     items: Annotated[list[Item], Field(max_length=20)] | None = None) -> Created:
        """Create an order for the payer to approve. With items, their total (quantity x unit_amount) must equal
        the amount. At most 10000.00 per order; JPY amounts have no decimals.

        Args:
            amount: Order total as a decimal string, e.g. "49.99".
            currency_code: Three-letter currency code.
            intent: CAPTURE (take the money on approval) or AUTHORIZE (hold it, capture later).
            description: What the order is for.
            items: Line items (name, quantity, unit_amount as a decimal string).
        """
        total = minor_of(amount, currency_code)
        lines = [(i["name"].strip(), i["quantity"], minor_of(i["unit_amount"], currency_code)) for i in items or ()]
        if lines and any(q < 1 or not n for n, q, _ in lines):
            raise ToolError("each item needs a name and a quantity of at least 1")
        if lines and sum(q * u for _, q, u in lines) != total:
            item_total = money(sum(q * u for _, q, u in lines), currency_code)
            raise ToolError(f"item total {item_total} does not match amount {money(total, currency_code)} "
                            f"{currency_code} (AMOUNT_MISMATCH)")
        order_id, stamp = self._new("orders"), self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO orders VALUES (?, ?, 'CREATED', ?, ?, ?, NULL, ?, ?)", order_id, intent,
                     currency_code, money(total, currency_code), description.strip() if description else None, stamp, stamp)
        self.executemany("INSERT INTO order_items (order_id, name, quantity, unit_amount) VALUES (?, ?, ?, ?)",
                         [(order_id, n, q, money(u, currency_code)) for n, q, u in lines])
        return {"id": order_id, "status": "CREATED", "intent": intent, "amount": money(total, currency_code),
                "currency": currency_code, "links": [
                    {"rel": "approve", "href": f"https://www.paypal.com/checkoutnow?token={order_id}"},
                    {"rel": "self", "href": f"https://api-m.paypal.com/v2/checkout/orders/{order_id}"}]}

    @tool(writes=True, phrase=["have {payer_email} approve {order_id}",
                               "the buyer {payer_email} paid {order_id} with PayPal; record their approval"])
    def confirm_payment_source(self, order_id: str, payer_email: Annotated[str, Field(
            pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")]) -> Approved:
        """Record the payer's approval of a CREATED order with their PayPal account; the order becomes APPROVED.

        Args:
            order_id: The order.
            payer_email: Email of the payer's PayPal account.
        """
        order = self._order(order_id)
        if order["status"] != "CREATED":
            raise ToolError(f"order '{order['id']}' is {order['status']}; only a CREATED order can be approved")
        payer = self.row("SELECT payer_id, payer_email AS email_address, name FROM payers WHERE payer_email = ?", payer_email.strip())
        if payer is None:
            raise ToolError(f"no PayPal account uses '{payer_email.strip()}' (PAYER_ACCOUNT_NOT_FOUND)")
        self.execute("UPDATE orders SET status = 'APPROVED', payer_id = ?, update_time = ? WHERE id = ?",
                     payer["payer_id"], self.now().strftime(TIME_FORMAT), order["id"])
        return {"id": order["id"], "status": "APPROVED", "payer": payer}

    @tool(writes=True, phrase=["capture the payment of {order_id}", "collect the money for {order_id}"])
    def capture_order(self, order_id: str) -> Captured:
        """Capture an APPROVED order of intent CAPTURE: the money moves and the order is COMPLETED.

        Args:
            order_id: The order.
        """
        # the completed order, with its payer as _payer reads it (NULLs when there is none)
        stamp = self.now().strftime(TIME_FORMAT)
        order = self._complete(order_id, "CAPTURE", stamp, "id, amount, currency, payer_id, (SELECT payer_email FROM"
                               " payers p WHERE p.payer_id = orders.payer_id) AS payerEmail, (SELECT name FROM payers p"
                               " WHERE p.payer_id = orders.payer_id) AS payerName")
        capture = self._new("captures")
        self.execute("INSERT INTO captures VALUES (?, ?, NULL, 'COMPLETED', ?, ?, 1, ?)", capture, order["id"],
                     order["amount"], order["currency"], stamp)
        payer = None if order["payerEmail"] is None else {
            "payer_id": order["payer_id"], "email_address": order["payerEmail"], "name": order["payerName"]}
        return {"id": order["id"], "status": "COMPLETED", "capture_id": capture,
                "amount": order["amount"], "currency": order["currency"], "payer": payer}

    @tool(writes=True, phrase=["authorize {order_id} and hold the funds", "put a hold on the money of {order_id}"])
    def authorize_order(self, order_id: str) -> Authorized:
        """Authorize an APPROVED order of intent AUTHORIZE: the funds are held for 29 days and the order is
        COMPLETED; capture the authorization later.

        Args:
            order_id: The order.
        """
        now = self.now()
        stamp = now.strftime(TIME_FORMAT)
        order = self._complete(order_id, "AUTHORIZE", stamp, "id, amount, currency")
        auth = self._new("authorizations")
        expires = (now + dt.timedelta(days=HONOR_DAYS)).strftime(TIME_FORMAT)
        self.execute("INSERT INTO authorizations VALUES (?, ?, 'CREATED', ?, ?, ?, ?)", auth, order["id"],
                     order["amount"], order["currency"], expires, stamp)
        return {"id": order["id"], "status": "COMPLETED", "authorization_id": auth,
                "amount": order["amount"], "currency": order["currency"], "expiration_time": expires}

    @tool(writes=True, phrase=["capture[ {amount} of] {authorization_id}",
                               "take[ {amount} from] the held funds of {authorization_id}"])
    def capture_authorized_payment(self, authorization_id: str, amount: Amount | None = None,
                                   final_capture: bool = True) -> CaptureResult:
        """Capture all or part of an authorization. Captures together cannot exceed the authorized amount;
        final_capture=false keeps the rest capturable, true releases it.

        Args:
            authorization_id: The authorization.
            amount: Amount to capture (default: everything not yet captured).
            final_capture: Whether this is the last capture.
        """
        auth, captured = self._with_parts(
            "authorizations", "captures", "authorization_id", authorization_id.strip(),
            error=f"authorization '{authorization_id.strip()}' not found (RESOURCE_NOT_FOUND)")
        if auth["status"] not in ("CREATED", "PARTIALLY_CAPTURED"):
            raise ToolError(f"authorization '{auth['id']}' is {auth['status']} and cannot be captured "
                            f"(AUTHORIZATION_ALREADY_{auth['status']})")
        stamp = self.now().strftime(TIME_FORMAT)
        if auth["expiration_time"] < stamp:
            raise ToolError(f"authorization '{auth['id']}' expired on {auth['expiration_time'][:10]} "
                            "(AUTHORIZATION_EXPIRED); create a new order")
        currency = auth["currency"]
        left = to_minor(auth["amount"], currency) - captured
        part = left if amount is None else minor_of(amount, currency)
        if part > left:
            raise ToolError(f"cannot capture {money(part, currency)} {currency}: only {money(left, currency)} "
                            f"{currency} of the authorization is left (MAX_CAPTURE_AMOUNT_EXCEEDED)")
        done = final_capture or part == left
        capture = self._new("captures")
        self.execute("INSERT INTO captures VALUES (?, ?, ?, 'COMPLETED', ?, ?, ?, ?)", capture, auth["order_id"],
                     auth["id"], money(part, currency), currency, int(done), stamp)
        status = "CAPTURED" if done else "PARTIALLY_CAPTURED"
        self.execute("UPDATE authorizations SET status = ? WHERE id = ?", status, auth["id"])
        return {"id": capture, "status": "COMPLETED", "amount": money(part, currency), "currency": currency,
                "final_capture": done, "authorization_status": status}

    @tool(writes=True, phrase=["void {authorization_id} and release the held funds",
                               "cancel the hold, {authorization_id}"])
    def void_authorization(self, authorization_id: str) -> Voided:
        """Void an authorization that is not fully captured; the rest of the held funds go back to the payer.

        Args:
            authorization_id: The authorization.
        """
        auth = self.require("SELECT * FROM authorizations WHERE id = ?", authorization_id.strip(),
                            error=f"authorization '{authorization_id.strip()}' not found (RESOURCE_NOT_FOUND)")
        if auth["status"] not in ("CREATED", "PARTIALLY_CAPTURED"):
            raise ToolError(f"authorization '{auth['id']}' is {auth['status']} and cannot be voided")
        self.execute("UPDATE authorizations SET status = 'VOIDED' WHERE id = ?", auth["id"])
        return {"id": auth["id"], "status": "VOIDED"}

    @tool(writes=True, phrase=["refund[ {amount} of] {capture_id}[ with the note {note_to_payer}]",
                               "give the buyer[ {amount}] back for {capture_id}"])
    def refund_capture(self, capture_id: str, amount: Amount | None = None,
                       note_to_payer: Annotated[str, Field(max_length=255)] | None = None) -> Refund:
        """Refund a capture in full (default) or in part, within 180 days of the capture; refunds together cannot
        exceed the captured amount.

        Args:
            capture_id: The capture.
            amount: Amount to refund (default: what is left to refund).
            note_to_payer: Reason shown to the payer.
        """
        cap, refunded = self._with_parts("captures", "refunds", "capture_id", capture_id.strip(),
                                         error=f"capture '{capture_id.strip()}' not found (RESOURCE_NOT_FOUND)")
        if cap["status"] == "REFUNDED":
            raise ToolError(f"capture '{cap['id']}' is already fully refunded (CAPTURE_FULLY_REFUNDED)")
        now = self.now()
        if (now - strptime(cap["create_time"], TIME_FORMAT)).days > REFUND_DAYS:
            raise ToolError(f"capture '{cap['id']}' is more than {REFUND_DAYS} days old (REFUND_TIME_LIMIT_EXCEEDED)")
        currency = cap["currency"]
        left = to_minor(cap["amount"], currency) - refunded
        part = left if amount is None else minor_of(amount, currency)
        if part > left:
            raise ToolError(f"cannot refund {money(part, currency)} {currency}: only {money(left, currency)} "
                            f"{currency} of the capture is left to refund (REFUND_AMOUNT_EXCEEDED)")
        refund, note = self._new("refunds"), note_to_payer.strip() if note_to_payer else None
        self.execute("INSERT INTO refunds VALUES (?, ?, 'COMPLETED', ?, ?, ?, ?)", refund, cap["id"], money(part, currency), currency,
                     note, now.strftime(TIME_FORMAT))
        self.execute("UPDATE captures SET status = ? WHERE id = ?",
                     "REFUNDED" if part == left else "PARTIALLY_REFUNDED", cap["id"])
        return {"id": refund, "status": "COMPLETED", "amount": money(part, currency), "currency": currency,
                "note_to_payer": note}

    # ------------------------------------------------------------------ look-ups
    @tool(phrase=["show me PayPal order {order_id}", "check where order {order_id} stands"])
    def get_order_details(self, order_id: Annotated[str, UserKnown, Field(min_length=1, max_length=40)]) -> OrderDetails:
        """An order with its amount, items, payer and payments (authorizations, captures, refunds).

        Args:
            order_id: The 17-character order id.
        """
        order = self._order(order_id)
        currency = order["currency"]
        items = self.rows("SELECT name, quantity, unit_amount FROM order_items WHERE order_id = ? ORDER BY item_id",
                          order["id"])
        auths = self.rows("SELECT id, status, amount, currency, expiration_time FROM authorizations WHERE order_id = ?",
                          order["id"])
        caps = [{**c, "final_capture": bool(c["final_capture"])}
                for c in self.rows("SELECT id, status, amount, currency, final_capture, authorization_id FROM captures"
                                   " WHERE order_id = ? ORDER BY create_time, id", order["id"])]
        refunds = [r for c in caps for r in self._refunds(c["id"])]
        unit = {"amount": order["amount"], "currency": currency, "description": order["description"],
                "items": items, "payments": {"authorizations": auths, "captures": caps, "refunds": refunds}}
        return {"id": order["id"], "status": order["status"], "intent": order["intent"], "purchase_units": [unit],
                "payer": self._payer(order["payer_id"]), "create_time": order["create_time"],
                "update_time": order["update_time"]}

    @tool(phrase=["look up the captured payment {capture_id} and its refunds"])
    def get_capture_details(self, capture_id: Annotated[str, UserKnown, Field(min_length=1, max_length=40)]
                            ) -> CaptureDetails:
        """A capture with its status, amount, the order it belongs to and its refunds.

        Args:
            capture_id: The capture (transaction) id.
        """
        cap = self.require("SELECT * FROM captures WHERE id = ?", capture_id.strip(),
                           error=f"capture '{capture_id.strip()}' not found (RESOURCE_NOT_FOUND)")
        refunds = self._refunds(cap["id"])
        refunded = self._sum("refunds", "capture_id", cap["id"], cap["currency"])
        return {"id": cap["id"], "status": cap["status"], "amount": cap["amount"],
                "currency": cap["currency"], "order_id": cap["order_id"], "refunded": money(refunded, cap["currency"]),
                "refunds": refunds, "create_time": cap["create_time"]}
