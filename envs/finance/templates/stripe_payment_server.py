"""Task templates of StripePaymentServer: a merchant who charges, refunds and looks after their customers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, pick, scenario
from envs.finance.stripe_payment_server import (
    BRAND_NAMES,
    MINIMUM_AMOUNT,
    ONE_OFF_CHARGES,
    OPEN_STATUSES,
    StripePaymentServer,
    expired,
)

NEW_FIRST_NAMES = ["Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas"]
NEW_LAST_NAMES = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Castellano", "Novak", "Brennan", "Haddad"]

#: The id of the customer found by a template's first call (list_customers or search_customers).
CUSTOMER = Ref(0, "data.0.id")


# ---------------------------------------------------------------------------------------------------- helpers
def money(amount: int, currency: str) -> str:
    """How a person writes an amount in minor units: '49.00 USD'."""
    return f"{amount / 100:.2f} {currency.upper()}"


def card_with(brand: str, last4: str) -> Callable[[list[dict[str, Any]]], str]:
    """A transform (for Ref) taking the id of the card with this brand and last four digits from a card list."""
    return lambda cards: pick("id", brand=brand, last4=last4)([{"id": c["id"], **c["card"]} for c in cards])


def card_in(step: int, card: dict[str, Any]) -> Ref:
    """The id of a saved card (a payment_methods row) in the card list returned by call ``step``."""
    return Ref(step, "data", then=card_with(card["brand"], card["last4"]))


def described(step: int, description: str) -> Ref:
    """The id of the payment (intent or charge) with this description in a listing returned by call ``step``."""
    return Ref(step, "data", then=pick("id", description=description))


def who(world: StripePaymentServer, customer: dict[str, Any], rng: random.Random) -> tuple[str, Any]:
    """How the merchant names a customer (email, or name when a search finds only them) and the lookup."""
    ways = [(customer["email"], call("list_customers", email=customer["email"]))]
    if len(world.search_customers(query=customer["name"])["data"]) == 1:
        ways.append((customer["name"], call("search_customers", query=customer["name"])))
    return rng.choice(ways)


def who_owns(world: StripePaymentServer, row: dict[str, Any], rng: random.Random) -> tuple[str, Any]:
    """How the merchant names the customer of a card or charge, and the lookup call."""
    return who(world, world.retrieve_customer(customer_id=row["customer"]), rng)


def some_intent(world: StripePaymentServer, rng: random.Random, where: str, *params: Any,
                keep: Callable[[dict[str, Any]], bool] = bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """A payment intent matching an SQL condition (and the ``keep`` predicate), and its customer."""
    intent = rng.choice([i for i in world.rows(f"SELECT * FROM payment_intents WHERE {where} ORDER BY id", *params)
                         if keep(i)])
    return intent, world.retrieve_customer(customer_id=intent["customer"])


def usable_cards(world: StripePaymentServer) -> list[dict[str, Any]]:
    """Every saved card that has not expired."""
    return [c for c in world.rows("SELECT * FROM payment_methods ORDER BY id") if not expired(c, world.now())]


def card_phrase(card: dict[str, Any]) -> str:
    return f"{BRAND_NAMES[card['brand']]} ending in {card['last4']}"


# -------------------------------------------------------------------------------------------------- templates
@scenario
def payment_card(world: StripePaymentServer, rng: random.Random) -> Draft:
    intent, customer = some_intent(world, rng, "payment_method IS NOT NULL")
    name, lookup = who(world, customer, rng)
    card = world.row("SELECT * FROM payment_methods WHERE id = ?", intent["payment_method"])
    return Draft(
        request=rng.choice(["What's the status of {w}'s '{d}' payment, and which card (last four digits) is on it?",
                            "Check {w}'s payment for '{d}' for me: where does it stand and what card was used?"]
                           ).format(w=name, d=intent["description"]),
        calls=(lookup, call("list_payment_intents", customer_id=CUSTOMER),
               call("retrieve_payment_intent", payment_intent_id=described(1, intent["description"])),
               call("list_payment_methods", customer_id=CUSTOMER)),
        answer=(intent["status"], card["last4"]))


@scenario
def charge_saved_card(world: StripePaymentServer, rng: random.Random) -> Draft:
    card = rng.choice(usable_cards(world))
    name, lookup = who_owns(world, card, rng)
    description = rng.choice(ONE_OFF_CHARGES)
    amount, currency = rng.choice([2500, 4000, 12500, 30000, 8750]), rng.choice(["usd", "usd", "eur", "gbp"])
    hidden = rng.random() < 0.35
    request = rng.choice(["Charge {w} {m} on their {c}, description '{d}'.",
                          "Please take a payment of {m} from {w} for '{d}' (use that as the description) with"
                          " their {c}."])
    return Draft(
        request=request.format(w=name, m="an amount I'll give you" if hidden else money(amount, currency),
                               c=card_phrase(card), d=description),
        calls=(lookup, call("list_payment_methods", customer_id=CUSTOMER),
               call("create_payment_intent", amount=amount, currency=currency, customer_id=CUSTOMER,
                    payment_method_id=card_in(1, card), description=description),
               call("confirm_payment_intent", payment_intent_id=Ref(2, "id"))),
        ask=(UserFact("amount", money(amount, currency), ("amount", "how much")),) if hidden else ())


@scenario
def bill_product(world: StripePaymentServer, rng: random.Random) -> Draft:
    card = rng.choice([c for c in usable_cards(world)
                       if world.value("SELECT 1 FROM customers WHERE default_payment_method = ?", c["id"])])
    name, lookup = who_owns(world, card, rng)
    price = rng.choice(world.rows("SELECT p.*, pr.name FROM prices p JOIN products pr ON pr.id = p.product"
                                  " WHERE pr.active = 1 AND p.active = 1 ORDER BY p.id"))
    plan = {"month": "monthly", "year": "yearly", None: "one-time"}[price["recurring_interval"]]
    return Draft(
        request=rng.choice(["Bill {w} for the {p} at our {i} {c} price, on their default card. Put the product"
                            " name as the description.",
                            "{w} bought the {p} ({i}, in {c}). Charge their default card for it; description"
                            " should just be the product name."]).format(
            w=name, p=price["name"], i=plan, c=price["currency"].upper()),
        calls=(lookup, call("retrieve_customer", customer_id=CUSTOMER), call("list_products"),
               call("list_prices", product_id=Ref(2, "data", then=pick("id", name=price["name"]))),
               call("create_payment_intent", amount=Ref(3, "data", then=pick(
                    "unit_amount", currency=price["currency"], recurring_interval=price["recurring_interval"])),
                    currency=price["currency"], customer_id=CUSTOMER,
                    payment_method_id=Ref(1, "default_payment_method"), description=price["name"]),
               call("confirm_payment_intent", payment_intent_id=Ref(4, "id"))))


@scenario
def partial_refund(world: StripePaymentServer, rng: random.Random) -> Draft:
    charge = rng.choice(world.rows("SELECT * FROM charges WHERE amount - amount_refunded >= 200 ORDER BY id"))
    name, lookup = who_owns(world, charge, rng)
    amount = (charge["amount"] - charge["amount_refunded"]) // 200 * 100
    return Draft(
        request=rng.choice(["Refund {m} of {w}'s '{d}' payment; the customer asked for a partial refund.",
                            "{w} asked for {m} back on the '{d}' payment. Please refund that much."]
                           ).format(m=money(amount, charge["currency"]), w=name, d=charge["description"]),
        calls=(lookup, call("list_payment_intents", customer_id=CUSTOMER, status="succeeded"),
               call("create_refund", payment_intent_id=described(1, charge["description"]), amount=amount)))


@scenario
def refund_rest(world: StripePaymentServer, rng: random.Random) -> Draft:
    charge = rng.choice(world.rows("SELECT * FROM charges WHERE amount > amount_refunded ORDER BY id"))
    name, lookup = who_owns(world, charge, rng)
    reason, why = rng.choice([("duplicate", "we charged them twice"), ("fraudulent", "the card was stolen"),
                              ("requested_by_customer", "the customer asked for their money back")])
    rest = "everything not yet refunded on" if charge["amount_refunded"] else "all of"
    return Draft(
        request=f"Refund {rest} {name}'s '{charge['description']}' payment, {why}.",
        calls=(lookup, call("list_charges", customer_id=CUSTOMER),
               call("create_refund", charge_id=described(1, charge["description"]), reason=reason)))


@scenario
def cancel_open_payment(world: StripePaymentServer, rng: random.Random) -> Draft:
    intent, customer = some_intent(world, rng, "status IN (?, ?)", *OPEN_STATUSES)
    name, lookup = who(world, customer, rng)
    reason, why = rng.choice([("abandoned", "they abandoned checkout"), ("duplicate", "it's a duplicate"),
                              ("requested_by_customer", "the customer asked us to")])
    return Draft(
        request=rng.choice(["Cancel {w}'s unpaid '{d}' payment, {y}.", "{w}'s '{d}' payment never went through"
                            " and shouldn't: cancel it, {y}."]).format(w=name, d=intent["description"], y=why),
        calls=(lookup, call("list_payment_intents", customer_id=CUSTOMER),
               call("cancel_payment_intent", payment_intent_id=described(1, intent["description"]),
                    cancellation_reason=reason)))


@scenario
def complete_open_payment(world: StripePaymentServer, rng: random.Random) -> Draft:
    cards = usable_cards(world)
    usable, owners = {c["id"] for c in cards}, {c["customer"] for c in cards}
    intent, customer = some_intent(world, rng, "status IN (?, ?)", *OPEN_STATUSES, keep=lambda i: (
        i["payment_method"] in usable or (not i["payment_method"] and i["customer"] in owners)))
    name, lookup = who(world, customer, rng)
    if intent["status"] == "requires_confirmation":
        return Draft(
            request=f"{name}'s '{intent['description']}' payment is still waiting for confirmation. Confirm it"
                    " with the card already on it.",
            calls=(lookup, call("list_payment_intents", customer_id=CUSTOMER, status=intent["status"]),
                   call("confirm_payment_intent", payment_intent_id=described(1, intent["description"]))))
    card = rng.choice([c for c in cards if c["customer"] == customer["id"]])
    return Draft(
        request=f"{name}'s '{intent['description']}' payment has no card yet. Complete it with their"
                f" {card_phrase(card)}.",
        calls=(lookup, call("list_payment_methods", customer_id=CUSTOMER),
               call("list_payment_intents", customer_id=CUSTOMER, status=intent["status"]),
               call("confirm_payment_intent", payment_intent_id=described(2, intent["description"]),
                    payment_method_id=card_in(1, card))))


@scenario
def new_customer_payment(world: StripePaymentServer, rng: random.Random) -> Draft:
    first, last = rng.choice(NEW_FIRST_NAMES), rng.choice(NEW_LAST_NAMES)
    email = f"{first}.{last}@example.org".lower()
    description = rng.choice(ONE_OFF_CHARGES)
    amount, currency = rng.choice([5000, 15000, 45000]), rng.choice(["usd", "eur", "cad"])
    return Draft(
        request=rng.choice(["Add {n} as a new customer and set up a {m} payment for '{d}' for them (that's the"
                            " description). They'll add a card later.",
                            "New client: {n}. Create them as a customer, then open a payment of {m} with the"
                            " description '{d}'; no card yet."]).format(n=f"{first} {last}",
                                                                       m=money(amount, currency), d=description),
        calls=(call("create_customer", email=email, name=f"{first} {last}"),
               call("create_payment_intent", amount=amount, currency=currency, customer_id=Ref(0, "id"),
                    description=description)),
        ask=(UserFact("customer's email", email, ("email", "e-mail")),))


@scenario
def set_default_card(world: StripePaymentServer, rng: random.Random) -> Draft:
    card = rng.choice([c for c in usable_cards(world)
                       if not world.value("SELECT 1 FROM customers WHERE default_payment_method = ?", c["id"])])
    name, lookup = who_owns(world, card, rng)
    return Draft(
        request=rng.choice(["Make {w}'s {c} their default card.",
                            "From now on {w} should be charged on their {c} by default. Please set that up."]
                           ).format(w=name, c=card_phrase(card)),
        calls=(lookup, call("list_payment_methods", customer_id=CUSTOMER),
               call("update_customer", customer_id=CUSTOMER, default_payment_method=card_in(1, card))))


@scenario
def update_phone(world: StripePaymentServer, rng: random.Random) -> Draft:
    name, lookup = who(world, rng.choice(world.rows("SELECT * FROM customers ORDER BY id")), rng)
    phone = f"+1 {rng.randint(201, 989)}-555-{rng.randint(100, 9999):04d}"
    return Draft(
        request=rng.choice(["{w} has a new phone number. Please update their customer record.",
                            "Update the phone number we have for {w}."]).format(w=name),
        calls=(lookup, call("update_customer", customer_id=CUSTOMER, phone=phone)),
        ask=(UserFact("customer's new phone number", phone, ("phone", "number")),))


@scenario
def refunded_payments(world: StripePaymentServer, rng: random.Random) -> Draft:
    customer = world.retrieve_customer(customer_id=rng.choice(world.rows(
        "SELECT DISTINCT customer FROM charges WHERE amount_refunded > 0 ORDER BY customer"))["customer"])
    name, lookup = who(world, customer, rng)
    refunded = world.rows("SELECT description FROM charges WHERE customer = ? AND amount_refunded > 0 ORDER BY id",
                          customer["id"])
    return Draft(
        request=rng.choice(["Which of {w}'s payments have been refunded, fully or partly? Tell me what they"
                            " were for.", "Did we refund anything to {w}? List the payments, by description."]
                           ).format(w=name),
        calls=(lookup, call("list_charges", customer_id=CUSTOMER)),
        answer=tuple(r["description"] for r in refunded))


@scenario
def add_price(world: StripePaymentServer, rng: random.Random) -> Draft | None:
    product = rng.choice(world.rows("SELECT * FROM products WHERE active = 1 ORDER BY id"))
    interval = rng.choice(["month", "year", None])
    currency = rng.choice(list(MINIMUM_AMOUNT))
    if world.value("SELECT 1 FROM prices WHERE product = ? AND currency = ? AND recurring_interval IS ?",
                   product["id"], currency, interval):
        return None
    amount = rng.choice([900, 2900, 5900, 12900, 39900])
    plan = {"month": "a monthly", "year": "a yearly", None: "a one-time"}[interval]
    return Draft(
        request=rng.choice(["Add {p} price of {m} to our {n} product.",
                            "We're launching {n} with {p} price in {c}: {m}. Please create it."]).format(
            p=plan, m=money(amount, currency), n=product["name"], c=currency.upper()),
        calls=(call("list_products", active=True),
               call("create_price", product_id=Ref(0, "data", then=pick("id", name=product["name"])),
                    unit_amount=amount, currency=currency, interval=interval)))


@scenario
def cards_on_file(world: StripePaymentServer, rng: random.Random) -> Draft:
    customer = world.retrieve_customer(customer_id=rng.choice(world.rows(
        "SELECT DISTINCT customer FROM payment_methods ORDER BY customer"))["customer"])
    cards = world.rows("SELECT * FROM payment_methods WHERE customer = ? ORDER BY id", customer["id"])
    name, lookup = who(world, customer, rng)
    return Draft(
        request=rng.choice(["Which cards does {w} have on file? Give me the last four digits of each.",
                            "List the saved cards of {w} (last four digits)."]).format(w=name),
        calls=(lookup, call("list_payment_methods", customer_id=CUSTOMER)),
        answer=tuple(c["last4"] for c in cards))
