"""StripePaymentServer: a merchant's payments account: customers, cards, products and prices, payments, refunds."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

#: Supported currencies and the smallest amount (in minor units) a payment may have in each.
MINIMUM_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50}
MAXIMUM_AMOUNT = 99_999_999
CARD_BRANDS = ("visa", "mastercard", "amex", "discover")
BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover"}
OPEN_STATUSES = ("requires_payment_method", "requires_confirmation")
RefundReason = Literal["duplicate", "fraudulent", "requested_by_customer"]
CancellationReason = Literal["duplicate", "fraudulent", "requested_by_customer", "abandoned"]
#: Product name -> (description, prices as (amount in cents, currency, interval or None)).
CATALOGUE: dict[str, tuple[str, list[tuple[int, str, str | None]]]] = {
    "Starter plan": ("Hosted analytics for one project.",
                     [(1900, "usd", "month"), (19000, "usd", "year"), (1800, "eur", "month")]),
    "Pro plan": ("Unlimited projects and priority email support.",
                 [(4900, "usd", "month"), (49000, "usd", "year"), (4500, "eur", "month"), (3900, "gbp", "month")]),
    "Team plan": ("Pro plan for up to ten seats with shared dashboards.",
                  [(14900, "usd", "month"), (149000, "usd", "year")]),
    "Onboarding workshop": ("Two-hour live onboarding session.", [(25000, "usd", None), (22000, "eur", None)]),
    "API credits pack": ("100,000 API calls, valid for a year.", [(9900, "usd", None), (7900, "gbp", None)]),
    "Priority support": ("Four-hour response time on business days.", [(9900, "usd", "month"), (7500, "cad", "month")]),
    "Data export add-on": ("Scheduled exports to cloud storage.", [(1500, "usd", "month")]),
}
ONE_OFF_CHARGES = ["Consulting hours", "Custom report", "Setup fee", "Annual conference ticket", "Training seats",
                   "Hardware sensor kit", "Late renewal fee", "Migration service"]
EPOCH = dt.datetime(1970, 1, 1)


def unix(moment: dt.datetime) -> int:
    """Seconds since the epoch of a naive UTC time (Stripe's `created`)."""
    return int((moment - EPOCH).total_seconds())


def expired(card: dict[str, Any], now: dt.datetime) -> bool:
    """Whether a card (a payment_methods row) expired before the month of ``now``."""
    return (card["exp_year"], card["exp_month"]) < (now.year, now.month)


def _lowercase(value: Any) -> Any:
    """Currency codes are accepted in any case and with surrounding blanks (Stripe stores them lowercase)."""
    return value.strip().lower() if isinstance(value, str) else value


# --------------------------------------------------------------------------------------- declared arguments
Currency = Annotated[Literal["usd", "eur", "gbp", "cad"], BeforeValidator(_lowercase)]
#: An amount in the currency's minor unit (the smallest per currency is checked against MINIMUM_AMOUNT).
Amount = Annotated[int, Field(ge=1, le=MAXIMUM_AMOUNT)]
Limit = Annotated[int, Field(ge=1, le=100)]
Email = Annotated[str, Field(pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")]
PaymentStatus = Literal["requires_payment_method", "requires_confirmation", "succeeded", "canceled"]


# ------------------------------------------------------------------------------------------ declared returns
class Customer(TypedDict):
    id: str
    email: str
    name: str | None
    phone: str | None
    description: str | None
    default_payment_method: str | None
    created: int


class CardDetails(TypedDict):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class Card(TypedDict):
    """A saved card (a payment method of type card)."""

    id: str
    customer: str | None
    type: str
    created: int
    card: CardDetails


class Product(TypedDict):
    id: str
    name: str
    description: str
    active: int


class Price(TypedDict):
    id: str
    product: str
    unit_amount: int
    currency: str
    recurring_interval: Literal["month", "year"] | None
    active: int
    created: int


class PaymentIntent(TypedDict):
    id: str
    customer: str | None
    payment_method: str | None
    amount: int
    currency: str
    description: str | None
    status: PaymentStatus
    cancellation_reason: str | None
    canceled_at: int | None
    created: int
    latest_charge: str | None


class Charge(TypedDict):
    id: str
    payment_intent: str
    customer: str | None
    payment_method: str
    amount: int
    amount_refunded: int
    currency: str
    description: str | None
    status: str
    created: int
    refunded: bool


class Refund(TypedDict):
    id: str
    charge: str
    payment_intent: str
    amount: int
    currency: str
    reason: str | None
    status: str
    created: int


class CustomerList(TypedDict):
    object: Literal["list"]
    data: list[Customer]
    has_more: bool


class CardList(TypedDict):
    object: Literal["list"]
    data: list[Card]
    has_more: bool


class ProductList(TypedDict):
    object: Literal["list"]
    data: list[Product]
    has_more: bool


class PriceList(TypedDict):
    object: Literal["list"]
    data: list[Price]
    has_more: bool


class PaymentIntentList(TypedDict):
    object: Literal["list"]
    data: list[PaymentIntent]
    has_more: bool


class ChargeList(TypedDict):
    object: Literal["list"]
    data: list[Charge]
    has_more: bool


class RefundList(TypedDict):
    object: Literal["list"]
    data: list[Refund]
    has_more: bool


class StripePaymentServer(World):
    """A merchant's Stripe account; amounts are integers in the currency's minor unit (cents), currencies lowercase."""

    domain = "Finance"
    schema = """
    CREATE TABLE customers (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, phone TEXT,
                            description TEXT, default_payment_method TEXT REFERENCES payment_methods,
                            created INTEGER NOT NULL);
    CREATE INDEX customers_by_name ON customers (name, id);
    CREATE TABLE payment_methods (id TEXT PRIMARY KEY, customer TEXT REFERENCES customers,
                                  type TEXT NOT NULL DEFAULT 'card', brand TEXT NOT NULL, last4 TEXT NOT NULL,
                                  exp_month INTEGER NOT NULL, exp_year INTEGER NOT NULL, created INTEGER NOT NULL);
    CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
                           active INTEGER NOT NULL);
    CREATE TABLE prices (id TEXT PRIMARY KEY, product TEXT NOT NULL REFERENCES products,
                         unit_amount INTEGER NOT NULL, currency TEXT NOT NULL,
                         recurring_interval TEXT CHECK (recurring_interval IN ('month', 'year')),
                         active INTEGER NOT NULL, created INTEGER NOT NULL);
    CREATE TABLE payment_intents (id TEXT PRIMARY KEY, customer TEXT REFERENCES customers,
                                  payment_method TEXT REFERENCES payment_methods, amount INTEGER NOT NULL,
                                  currency TEXT NOT NULL, description TEXT,
                                  status TEXT NOT NULL CHECK (status IN ('requires_payment_method',
                                      'requires_confirmation', 'succeeded', 'canceled')),
                                  cancellation_reason TEXT, canceled_at INTEGER, created INTEGER NOT NULL);
    CREATE TABLE charges (id TEXT PRIMARY KEY, payment_intent TEXT NOT NULL UNIQUE REFERENCES payment_intents,
                          customer TEXT REFERENCES customers, payment_method TEXT NOT NULL REFERENCES payment_methods,
                          amount INTEGER NOT NULL, amount_refunded INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL,
                          description TEXT, status TEXT NOT NULL DEFAULT 'succeeded', created INTEGER NOT NULL);
    CREATE TABLE refunds (id TEXT PRIMARY KEY, charge TEXT NOT NULL REFERENCES charges,
                          payment_intent TEXT NOT NULL REFERENCES payment_intents, amount INTEGER NOT NULL,
                          currency TEXT NOT NULL, reason TEXT, status TEXT NOT NULL DEFAULT 'succeeded',
                          created INTEGER NOT NULL);
    """
    text_search = {"customers": ("name", "email")}
    volatile = {"customers": ("created",), "prices": ("created",), "payment_intents": ("created", "canceled_at"),
                "charges": ("created",), "refunds": ("created",)}
    minor_units = frozenset({"amount", "unit_amount", "amount_refunded"})

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        def ago(low: int, high: int) -> int:
            return unix(cls.start_time - dt.timedelta(days=rng.randint(low, high), minutes=rng.randrange(1440)))

        products, prices = [], []
        for name, (description, price_list) in CATALOGUE.items():
            product_id = fake_id(rng, "prod_")
            products.append({"id": product_id, "name": name, "description": description,
                             "active": int(rng.random() < 0.9)})
            prices += [{"id": fake_id(rng, "price_"), "product": product_id, "unit_amount": amount,
                        "currency": currency, "recurring_interval": interval, "active": 1, "created": ago(200, 400)}
                       for amount, currency, interval in price_list]
        customers, cards, intents, charges, refunds = [], [], [], [], []
        emails: set[str] = set()
        while len(customers) < 20:
            first, last = fake.first_name(), fake.last_name()
            email = f"{first}.{last}@{fake.free_email_domain()}".lower()
            if email in emails or any(c["name"] == f"{first} {last}" for c in customers):
                continue
            emails.add(email)
            customer = {"id": fake_id(rng, "cus_"), "email": email, "name": f"{first} {last}",
                        "phone": fake.numerify("+1 ###-###-####"),
                        "description": rng.choice([None, "Enterprise lead", "Referred by partner", "Trial convert"]),
                        "default_payment_method": None, "created": ago(60, 400)}
            wallet = cls._fake_cards(rng, customer["id"], ago(30, 60))
            if wallet and rng.random() < 0.85:
                customer["default_payment_method"] = wallet[0]["id"]
            customers.append(customer)
            cards += wallet
            currency = rng.choices(list(MINIMUM_AMOUNT), weights=[6, 2, 1, 1])[0]
            for description in rng.sample(ONE_OFF_CHARGES + list(CATALOGUE), rng.randint(0, 4)):
                intent, charge, refund_rows = cls._fake_payment(rng, customer, wallet, currency, description,
                                                                ago(1, 29))
                intents.append(intent)
                charges += [charge] if charge else []
                refunds += refund_rows
        for table, rows in [("products", products), ("prices", prices), ("customers", customers),
                            ("payment_methods", cards), ("payment_intents", intents), ("charges", charges),
                            ("refunds", refunds)]:
            db[table].insert_all(rows)

    @staticmethod
    def _fake_cards(rng: random.Random, customer_id: str, created: int) -> list[dict[str, Any]]:
        cards: list[dict[str, Any]] = []
        for _ in range(rng.choices([0, 1, 2], weights=[1, 4, 4])[0]):
            brand, last4 = rng.choice(CARD_BRANDS), f"{rng.randrange(10000):04d}"
            if any(c["brand"] == brand and c["last4"] == last4 for c in cards):
                continue
            expired = rng.random() < 0.15
            cards.append({"id": fake_id(rng, "pm_"), "customer": customer_id, "type": "card", "brand": brand,
                          "last4": last4, "exp_month": rng.randint(1, 12),
                          "exp_year": rng.randint(2023, 2025) if expired else rng.randint(2026, 2031),
                          "created": created})
        return cards

    @staticmethod
    def _fake_payment(rng: random.Random, customer: dict[str, Any], wallet: list[dict[str, Any]], currency: str,
                      description: str, created: int) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
        listed = [amount for amount, price_currency, _ in CATALOGUE.get(description, ("", []))[1]
                  if price_currency == currency]
        amount = rng.choice(listed or [1500, 2500, 4900, 9900, 12000, 25000, 48000, 75000])
        usable = [c for c in wallet if c["exp_year"] >= 2026]
        status = rng.choices(["succeeded", "requires_confirmation", "requires_payment_method", "canceled"],
                             weights=[6, 2, 1, 1.5])[0]
        if status in ("succeeded", "requires_confirmation") and not usable:
            status = "requires_payment_method"
        card = rng.choice(usable) if status != "requires_payment_method" and usable else None
        intent = {"id": fake_id(rng, "pi_"), "customer": customer["id"], "payment_method": card and card["id"],
                  "amount": amount, "currency": currency, "description": description, "status": status,
                  "cancellation_reason": None, "canceled_at": None, "created": created}
        if status == "canceled":
            intent.update(cancellation_reason=rng.choice(["abandoned", "requested_by_customer", "duplicate"]),
                          canceled_at=created + 3600)
        if status != "succeeded":
            return intent, None, []
        charge = {"id": fake_id(rng, "ch_"), "payment_intent": intent["id"], "customer": customer["id"],
                  "payment_method": card["id"], "amount": amount, "amount_refunded": 0, "currency": currency,
                  "description": description, "status": "succeeded", "created": created + 60}
        refunds = []
        if rng.random() < 0.3:
            refunded = amount if rng.random() < 0.4 else amount // 100 * rng.randint(10, 60)
            charge["amount_refunded"] = refunded
            refunds.append({"id": fake_id(rng, "re_"), "charge": charge["id"], "payment_intent": intent["id"],
                            "amount": refunded, "currency": currency,
                            "reason": rng.choice(["requested_by_customer", "duplicate", "fraudulent"]),
                            "status": "succeeded", "created": created + 86400})
        return intent, charge, refunds

    # ------------------------------------------------------------------ helpers
    def _customer(self, customer_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM customers WHERE id = ?", customer_id,
                            error=f"No such customer: '{customer_id}'; list_customers or search_customers finds ids")

    def _card(self, payment_method_id: str) -> dict[str, Any]:
        method = self.require("SELECT * FROM payment_methods WHERE id = ?", payment_method_id,
                              error=f"No such payment method: '{payment_method_id}'; list_payment_methods lists a"
                                    " customer's cards")
        return self._card_view(method)

    @staticmethod
    def _card_view(method: dict[str, Any]) -> dict[str, Any]:
        card = {k: method.pop(k) for k in ("brand", "last4", "exp_month", "exp_year")}
        return {**method, "card": card}

    def _intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self.require(
            "SELECT *, (SELECT c.id FROM charges c WHERE c.payment_intent = i.id) AS latest_charge"
            " FROM payment_intents i WHERE i.id = ?", payment_intent_id,
            error=f"No such payment intent: '{payment_intent_id}'; list_payment_intents lists them")

    def _charge_of(self, payment_intent_id: str | None, charge_id: str | None) -> dict[str, Any]:
        if (payment_intent_id is None) == (charge_id is None):
            raise ToolError("give exactly one of payment_intent_id or charge_id")
        if charge_id is not None:
            return self.require("SELECT * FROM charges WHERE id = ?", charge_id,
                                error=f"No such charge: '{charge_id}'; list_charges lists them")
        intent = self._intent(payment_intent_id)
        if intent["status"] != "succeeded":
            raise ToolError(f"payment intent '{payment_intent_id}' has status {intent['status']}; only succeeded"
                            " payments can be refunded (cancel an unpaid one with cancel_payment_intent)")
        return self.row("SELECT * FROM charges WHERE payment_intent = ?", payment_intent_id)

    def _usable_card(self, payment_method_id: str, customer_id: str | None) -> dict[str, Any]:
        """A card that may pay for a customer's payment: it must belong to that customer."""
        card = self._card(payment_method_id)
        self._check_owner(payment_method_id, card["customer"], customer_id)
        return card

    @staticmethod
    def _check_owner(payment_method_id: str, owner_id: str | None, customer_id: str | None) -> None:
        if owner_id != customer_id:
            owner = f"customer '{owner_id}'" if owner_id else "no customer"
            raise ToolError(f"payment method '{payment_method_id}' belongs to {owner}, not to the payment's customer"
                            f" ('{customer_id}'); pass a card of that customer")

    @staticmethod
    def _check_amount(amount: int, currency: str) -> None:
        """The smallest amount depends on the currency (Stripe's minimum charge amounts)."""
        if amount < MINIMUM_AMOUNT[currency]:
            raise ToolError(f"amount must be an integer in the currency's minor unit (cents) between"
                            f" {MINIMUM_AMOUNT[currency]} and {MAXIMUM_AMOUNT} for {currency}, got {amount}")

    def _listing(self, sql: str, limit: int, *params: Any) -> dict[str, Any]:
        """A Stripe-style list: the first ``limit`` rows and whether there are more."""
        rows = self.rows(f"{sql} LIMIT ?", *params, limit + 1)
        return {"object": "list", "data": rows[:limit], "has_more": len(rows) > limit}

    # ------------------------------------------------------------------ tools: customers and cards
    @tool(writes=True, phrase=[
        'create a customer with email {email}[, phone {phone}][ and the note {description}]',
        'add a new customer, email {email}[, phone number {phone}][, noted as {description}]'])
    def create_customer(self, email: Email, name: str | None = None, phone: str | None = None,
                        description: str | None = None) -> Customer:
        """Create a customer; the email must not belong to an existing customer.

        Args:
            email: The customer's email address.
            name: Full name.
            phone: Phone number.
            description: An internal note about the customer.
        """
        email = email.strip().lower()
        (existing,) = self.conn.execute("SELECT (SELECT id FROM customers WHERE email = ?)", (email,)).fetchone()
        if existing:
            raise ToolError(f"customer '{existing}' already has the email '{email}'; use update_customer on it")
        customer_id = self.new_id("customers", "cus_")
        created = unix(self.now())
        self.execute("INSERT INTO customers (id, email, name, phone, description, created) VALUES (?, ?, ?, ?, ?, ?)",
                     customer_id, email, name, phone, description, created)
        # the row just inserted, as a read of it gives it
        return {"id": customer_id, "email": email, "name": name, "phone": phone, "description": description,
                "default_payment_method": None, "created": created}

    @tool(phrase=['look up {customer_id}', 'pull up the customer record of {customer_id}'])
    def retrieve_customer(self, customer_id: str) -> Customer:
        """Get a customer, including their default payment method.

        Args:
            customer_id: The customer's id (cus_...).
        """
        return self._customer(customer_id)

    @tool(phrase=[
        'list the[ {limit}] most recent customers',
        'find the customer with email {email}[ (list at most {limit})]'])
    def list_customers(self, email: Annotated[str | None, UserKnown] = None, limit: Limit = 10) -> CustomerList:
        """List customers, newest first, optionally only the one with an exact email address.

        Args:
            email: Only the customer with this email (case-insensitive).
            limit: At most this many customers (1-100).
        """
        return self._listing("SELECT * FROM customers WHERE (?1 IS NULL OR email = ?1) ORDER BY created DESC, id",
                             limit, email and email.strip().lower())

    @tool(phrase=['search the customers for {query}', 'find the customers matching {query}'])
    def search_customers(self, query: NonEmptyStr) -> CustomerList:
        """Find customers whose name or email contains the query (case-insensitive).

        Args:
            query: Part of a name or an email address.
        """
        matches, params = self.text_filter("customers", query)
        return self._listing(f"SELECT * FROM customers WHERE {matches} ORDER BY name, id", 20, *params)

    @tool(writes=True, phrase=[
        'change the email of {customer_id} to {email}[ and the phone number to {phone}]',
        'update the phone number of {customer_id} to {phone}[ and the email to {email}]'])
    def update_customer(self, customer_id: str, email: Email | None = None, name: str | None = None,
                        phone: str | None = None, default_payment_method: str | None = None) -> Customer:
        """Change a customer's email, name, phone or default card; fields left out stay as they are.

        Args:
            customer_id: The customer's id.
            email: New email address.
            name: New full name.
            phone: New phone number.
            default_payment_method: Id of one of the customer's cards to charge by default.
        """
        if email is not None:
            email = email.strip().lower()
        # the customer and, when the email changes, the other customer that has the new email already
        # the customer, the other customer that has the new email already, and the new default card's owner
        customer = self.require(
            "SELECT *, (SELECT t.id FROM customers t WHERE t.email = ?2 AND t.id != ?1) AS _taken,"
            " EXISTS (SELECT 1 FROM payment_methods WHERE id = ?3) AS _card,"
            " (SELECT customer FROM payment_methods WHERE id = ?3) AS _card_owner"
            " FROM customers WHERE id = ?1", customer_id, email, default_payment_method,
            error=f"No such customer: '{customer_id}'; list_customers or search_customers finds ids")
        taken, card, card_owner = customer.pop("_taken"), customer.pop("_card"), customer.pop("_card_owner")
        if taken:
            raise ToolError(f"customer '{taken}' already has the email '{email}'")
        if default_payment_method is not None:
            if not card:
                self._card(default_payment_method)  # raises: no such payment method
            self._check_owner(default_payment_method, card_owner, customer_id)
        changed = {"email": email or customer["email"], "name": customer["name"] if name is None else name,
                   "phone": customer["phone"] if phone is None else phone,
                   "default_payment_method": default_payment_method or customer["default_payment_method"]}
        given = [column for column, value in (("email", email), ("name", name is not None),
                                              ("phone", phone is not None),
                                              ("default_payment_method", default_payment_method)) if value]
        # the columns given (the others keep their values), or all of them as they are when none is given
        columns = given or list(changed)
        self.execute(f"UPDATE customers SET {', '.join(c + ' = ?' for c in columns)} WHERE id = ?",
                     *(changed[c] for c in columns), customer_id)
        return {**customer, **changed}

    @tool(phrase=['list the saved cards of {customer_id}', 'show me the cards {customer_id} has on file'])
    def list_payment_methods(self, customer_id: str) -> CardList:
        """List a customer's saved cards (brand, last4, expiry).

        Args:
            customer_id: The customer's id.
        """
        self._customer(customer_id)
        cards = self._listing("SELECT * FROM payment_methods WHERE customer = ? ORDER BY created, id", 100,
                              customer_id)
        cards["data"] = [self._card_view(card) for card in cards["data"]]
        return cards

    # ------------------------------------------------------------------ tools: catalogue
    @tool(phrase=['list the products we sell', 'show me our product catalogue'])
    def list_products(self, active: bool | None = None) -> ProductList:
        """List the products the merchant sells.

        Args:
            active: Only active (true) or archived (false) products.
        """
        return self._listing("SELECT * FROM products WHERE (?1 IS NULL OR active = ?1) ORDER BY name", 100,
                             None if active is None else int(active))

    @tool(phrase=[
        'list the prices[ of {product_id}][ in {currency}]',
        'show me what we charge[ for {product_id}][ in {currency}]'])
    def list_prices(self, product_id: str | None = None, currency: Currency | None = None) -> PriceList:
        """List prices (unit amount, currency, billing interval; null interval means one-time).

        Args:
            product_id: Only prices of this product.
            currency: Only prices in this currency.
        """
        return self._listing("SELECT * FROM prices WHERE (?1 IS NULL OR product = ?1) AND (?2 IS NULL OR currency = ?2)"
                             " ORDER BY product, currency, unit_amount, id", 100, product_id, currency)

    @tool(writes=True, phrase=[
        'add a price to {product_id} in {currency} (amount in cents: {unit_amount})[, billing interval: {interval}]',
        'create a new price for {product_id}: {currency}, amount in cents {unit_amount}[, interval: {interval}]'])
    def create_price(self, product_id: str, unit_amount: Amount, currency: Currency,
                     interval: Literal["month", "year"] | None = None) -> Price:
        """Add a price to a product: one-time, or recurring every month or year.

        Args:
            product_id: The product's id (prod_...).
            unit_amount: Price in the currency's minor unit (cents).
            currency: Three-letter currency code, e.g. usd.
            interval: Billing interval of a subscription price; leave out for a one-time price.
        """
        # the product and an active price of it with the same terms, in one query
        product = self.require(
            "SELECT name, active, (SELECT p.id FROM prices p WHERE p.product = ?1 AND p.unit_amount = ?2"
            " AND p.currency = ?3 AND p.recurring_interval IS ?4 AND p.active = 1) AS duplicate"
            " FROM products WHERE id = ?1", product_id, unit_amount, currency, interval,
            error=f"No such product: '{product_id}'; list_products lists them")
        if not product["active"]:
            raise ToolError(f"product '{product['name']}' is archived; prices can only be added to active products")
        self._check_amount(unit_amount, currency)
        if product["duplicate"]:
            raise ToolError(f"product '{product['name']}' already has this price ('{product['duplicate']}')")
        price_id = self.new_id("prices", "price_")
        created = unix(self.now())
        self.execute("INSERT INTO prices VALUES (?, ?, ?, ?, ?, 1, ?)", price_id, product_id, unit_amount, currency,
                     interval, created)
        return {"id": price_id, "product": product_id, "unit_amount": unit_amount, "currency": currency,
                "recurring_interval": interval, "active": 1, "created": created}

    # ------------------------------------------------------------------ tools: payments
    @tool(writes=True, phrase=[
        ('create a payment in {currency} (amount in cents: {amount})[ for {customer_id}]'
         '[ with {payment_method_id}][ described as {description}]'),
        ('set up a payment of {amount} (in cents) in {currency}[ from {customer_id}][ on {payment_method_id}]'
         '[ for {description}]')])
    def create_payment_intent(self, amount: Amount, currency: Currency, customer_id: str | None = None,
                              payment_method_id: str | None = None, description: str | None = None,
                              confirm: bool = False) -> PaymentIntent:
        """Create a payment for an amount; with a card it awaits confirmation, without one it awaits a card.

        Args:
            amount: Amount in the currency's minor unit (cents): 4900 is 49.00.
            currency: Three-letter currency code: usd, eur, gbp or cad.
            customer_id: The paying customer.
            payment_method_id: One of the customer's cards.
            description: What the payment is for (shown on the charge).
            confirm: Confirm immediately (needs payment_method_id).
        """
        self._check_amount(amount, currency)
        if customer_id is not None:
            self._customer(customer_id)
        if payment_method_id is not None:
            self._usable_card(payment_method_id, customer_id)
        elif confirm:
            raise ToolError("confirm=true needs a payment_method_id")
        intent_id = self.new_id("payment_intents", "pi_")
        status = "requires_payment_method" if payment_method_id is None else "requires_confirmation"
        created = unix(self.now())
        self.execute("INSERT INTO payment_intents (id, customer, payment_method, amount, currency, description, status,"
                     " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", intent_id, customer_id, payment_method_id, amount,
                     currency, description, status, created)
        if confirm:
            return self.confirm_payment_intent(intent_id)
        # the row just inserted, with no charge yet
        return {"id": intent_id, "customer": customer_id, "payment_method": payment_method_id, "amount": amount,
                "currency": currency, "description": description, "status": status, "cancellation_reason": None,
                "canceled_at": None, "created": created, "latest_charge": None}

    @tool(writes=True, phrase=[
        'confirm {payment_intent_id}[ with {payment_method_id}]',
        'charge {payment_intent_id}[ to {payment_method_id}] now'])
    def confirm_payment_intent(self, payment_intent_id: str, payment_method_id: str | None = None) -> PaymentIntent:
        """Confirm a payment: charges the card and moves it to succeeded (an expired card is declined).

        Args:
            payment_intent_id: The payment intent's id (pi_...).
            payment_method_id: Card to pay with, if the intent has none yet or should use another.
        """
        intent = self._intent(payment_intent_id)
        if intent["status"] not in OPEN_STATUSES:
            raise ToolError(f"payment intent '{payment_intent_id}' has status {intent['status']}; only payments"
                            f" in {' or '.join(OPEN_STATUSES)} can be confirmed")
        card_id = payment_method_id or intent["payment_method"]
        if card_id is None:
            raise ToolError(f"payment intent '{payment_intent_id}' has no payment method; pass payment_method_id")
        details = self._usable_card(card_id, intent["customer"])["card"]
        now = self.now()
        if expired(details, now):
            raise ToolError(f"card_declined (expired_card): the {BRAND_NAMES[details['brand']]} ending in"
                            f" {details['last4']} expired {details['exp_month']:02d}/{details['exp_year']}; the"
                            " payment was not made, confirm it with another card")
        created = unix(now)
        self.execute("UPDATE payment_intents SET payment_method = ?, status = 'succeeded' WHERE id = ?",
                     card_id, payment_intent_id)
        charge_id = self.new_id("charges", "ch_")
        self.execute("INSERT INTO charges (id, payment_intent, customer, payment_method, amount, currency, description,"
                     " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", charge_id, payment_intent_id,
                     intent["customer"], card_id, intent["amount"], intent["currency"], intent["description"], created)
        # an open intent has no charge (one charge per intent), so this one is its latest
        return {**intent, "payment_method": card_id, "status": "succeeded", "latest_charge": charge_id}

    @tool(writes=True, phrase=[
        'cancel {payment_intent_id}[ as {cancellation_reason}]',
        'call off {payment_intent_id}[ (reason: {cancellation_reason})]'])
    def cancel_payment_intent(self, payment_intent_id: str,
                              cancellation_reason: CancellationReason | None = None) -> PaymentIntent:
        """Cancel a payment that has not been made yet.

        Args:
            payment_intent_id: The payment intent's id.
            cancellation_reason: Why it is cancelled.
        """
        intent = self._intent(payment_intent_id)
        if intent["status"] not in OPEN_STATUSES:
            hint = "; refund it with create_refund instead" if intent["status"] == "succeeded" else ""
            raise ToolError(f"payment intent '{payment_intent_id}' has status {intent['status']}; only payments in"
                            f" {' or '.join(OPEN_STATUSES)} can be canceled{hint}")
        canceled_at = unix(self.now())
        self.execute("UPDATE payment_intents SET status = 'canceled', cancellation_reason = ?, canceled_at = ?"
                     " WHERE id = ?", cancellation_reason, canceled_at, payment_intent_id)
        return {**intent, "status": "canceled", "cancellation_reason": cancellation_reason, "canceled_at": canceled_at}

    @tool(phrase=['look up {payment_intent_id}', 'check on {payment_intent_id}'])
    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        """Get a payment intent with its status and latest charge.

        Args:
            payment_intent_id: The payment intent's id.
        """
        return self._intent(payment_intent_id)

    @tool(phrase=[
        'list the most recent payments[ of {customer_id}]',
        'show me the latest payments[ from {customer_id}]'])
    def list_payment_intents(self, customer_id: str | None = None,
                             status: PaymentStatus | None = None, limit: Limit = 10) -> PaymentIntentList:
        """List payment intents, newest first, each with its latest charge.

        Args:
            customer_id: Only this customer's payments.
            status: Only payments in this status.
            limit: At most this many (1-100).
        """
        return self._listing("SELECT i.*, c.id AS latest_charge FROM payment_intents i"
                             " LEFT JOIN charges c ON c.payment_intent = i.id WHERE (?1 IS NULL OR i.customer = ?1)"
                             " AND (?2 IS NULL OR i.status = ?2) ORDER BY i.created DESC, i.id", limit, customer_id,
                             status)

    @tool(phrase=[
        'list the most recent charges[ of {customer_id}][ for {payment_intent_id}]',
        'show me the latest charges[ from {customer_id}][ of {payment_intent_id}]'])
    def list_charges(self, customer_id: str | None = None, payment_intent_id: str | None = None,
                     limit: Limit = 10) -> ChargeList:
        """List charges (completed card payments) with the amount refunded so far, newest first.

        Args:
            customer_id: Only this customer's charges.
            payment_intent_id: Only the charge of this payment intent.
            limit: At most this many (1-100).
        """
        listing = self._listing("SELECT * FROM charges WHERE (?1 IS NULL OR customer = ?1)"
                                " AND (?2 IS NULL OR payment_intent = ?2) ORDER BY created DESC, id", limit,
                                customer_id, payment_intent_id)
        for charge in listing["data"]:
            charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return listing

    @tool(writes=True, phrase=[
        'refund {payment_intent_id}[ (amount in cents: {amount})][, reason: {reason}]',
        'refund {charge_id}[ (amount in cents: {amount})][, reason: {reason}]',
        'give back the money for {payment_intent_id}[ (amount in cents: {amount})][, reason: {reason}]'])
    def create_refund(self, payment_intent_id: str | None = None, charge_id: str | None = None,
                      amount: Annotated[int, Field(ge=1)] | None = None,
                      reason: RefundReason | None = None) -> Refund:
        """Refund a completed payment, fully or partly; give its payment intent or its charge.

        Args:
            payment_intent_id: The succeeded payment intent to refund.
            charge_id: The charge to refund (instead of payment_intent_id).
            amount: Amount to refund in minor units (cents); by default all that is not refunded yet.
            reason: Why the money goes back.
        """
        charge = self._charge_of(payment_intent_id, charge_id)
        left = charge["amount"] - charge["amount_refunded"]
        if left == 0:
            raise ToolError(f"charge '{charge['id']}' has already been refunded in full")
        amount = left if amount is None else amount
        if not 1 <= amount <= left:
            raise ToolError(f"refund amount must be between 1 and {left}, the part of charge '{charge['id']}'"
                            f" ({charge['amount']} {charge['currency']}) not refunded yet; got {amount}")
        refund_id = self.new_id("refunds", "re_")
        created = unix(self.now())
        self.execute("INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, 'succeeded', ?)", refund_id, charge["id"],
                     charge["payment_intent"], amount, charge["currency"], reason, created)
        self.execute("UPDATE charges SET amount_refunded = amount_refunded + ? WHERE id = ?", amount, charge["id"])
        return {"id": refund_id, "charge": charge["id"], "payment_intent": charge["payment_intent"], "amount": amount,
                "currency": charge["currency"], "reason": reason, "status": "succeeded", "created": created}

    @tool(phrase=[
        'list the most recent refunds[ of {payment_intent_id}][ of {charge_id}]',
        'show me the latest refunds[ for {payment_intent_id}][ for {charge_id}]'])
    def list_refunds(self, payment_intent_id: str | None = None, charge_id: str | None = None,
                     limit: Limit = 10) -> RefundList:
        """List refunds, newest first.

        Args:
            payment_intent_id: Only refunds of this payment intent.
            charge_id: Only refunds of this charge.
            limit: At most this many (1-100).
        """
        return self._listing("SELECT * FROM refunds WHERE (?1 IS NULL OR payment_intent = ?1)"
                             " AND (?2 IS NULL OR charge = ?2) ORDER BY created DESC, id", limit,
                             payment_intent_id, charge_id)
