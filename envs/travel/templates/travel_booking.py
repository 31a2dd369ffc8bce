"""Task templates of TravelBooking: what registered travellers ask of a flight-booking service, with gold calls.

The helpers here (logging in, a traveller's credentials, nameable bookings, cheapest fares, the airport-to-flight
search) also serve the Travel domain's cross-environment templates (:mod:`envs.travel.templates.cross`).
"""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envs.travel.cities import city, spoken_date
from envs.travel.travel_booking import INSURANCE, TravelBooking, luhn_complete

#: In gold calls: the access token that the first call (authenticate) returned.
TOKEN = Ref(0, "access_token")


def login(account: dict[str, Any], grant_type: str = "read_write") -> Call:
    """The gold authenticate call for an account (its row, or any row with its credentials and names)."""
    return call("authenticate", client_id=account["client_id"], client_secret=account["client_secret"],
                grant_type=grant_type, first_name=account["first_name"], last_name=account["last_name"])


def credentials(account: dict[str, Any], rng: random.Random) -> str:
    """How a traveller introduces themselves with their API credentials."""
    return rng.choice([
        "I'm {first} {last}; my client id is {id} and my secret is {secret}.",
        "This is {first} {last} (client id {id}, client secret {secret}).",
        "Name: {first} {last}. Client id: {id}. Secret: {secret}.",
    ]).format(first=account["first_name"], last=account["last_name"], id=account["client_id"],
              secret=account["client_secret"])


def some_account(world: TravelBooking, rng: random.Random) -> dict[str, Any]:
    return rng.choice(world.rows("SELECT * FROM accounts ORDER BY account_id"))


def some_card(world: TravelBooking, rng: random.Random, account_id: str) -> dict[str, Any]:
    return rng.choice(world.rows("SELECT * FROM credit_cards WHERE account_id = ? ORDER BY card_id", account_id))


def some_account_and_card(world: TravelBooking, rng: random.Random
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    account = some_account(world, rng)
    return account, some_card(world, rng, account["account_id"])


def unique_bookings(world: TravelBooking, status: str = "confirmed") -> list[dict[str, Any]]:
    """Bookings that are the account's only one of that status on their route and day (nameable by a user)."""
    return world.rows(
        "SELECT b.*, a.*, f.*, dep.city AS departure_city, arr.city AS arrival_city"
        " FROM bookings b JOIN accounts a USING (account_id) JOIN flights f USING (flight_id)"
        " JOIN airports dep ON dep.code = f.departure_airport JOIN airports arr ON arr.code = f.arrival_airport"
        " WHERE b.status = ? AND (SELECT COUNT(*) FROM bookings b2 JOIN flights f2 USING (flight_id)"
        "  WHERE b2.account_id = b.account_id AND b2.status = b.status AND f2.arrival_airport = f.arrival_airport"
        "  AND f2.travel_date = f.travel_date) = 1 ORDER BY b.booking_id", status)


def cheapest_fare(world: TravelBooking, rng: random.Random, travel_class: str = "economy"
                  ) -> dict[str, Any] | None:
    """A route and day whose cheapest fare in a class (with seats) is unique, with that flight."""
    fares = world.rows(
        "SELECT f.*, fa.price, dep.city AS departure_city, arr.city AS arrival_city FROM fares fa"
        " JOIN flights f USING (flight_id) JOIN airports dep ON dep.code = f.departure_airport"
        " JOIN airports arr ON arr.code = f.arrival_airport WHERE fa.travel_class = ? AND fa.seats_left > 0"
        " ORDER BY f.flight_id", travel_class)
    if not fares:
        return None
    pick = rng.choice(fares)
    rivals = [f for f in fares if (f["departure_airport"], f["arrival_airport"], f["travel_date"]) ==
              (pick["departure_airport"], pick["arrival_airport"], pick["travel_date"])]
    cheapest = min(rivals, key=lambda f: f["price"])
    return cheapest if [f["price"] for f in rivals].count(cheapest["price"]) == 1 else None


def net_spent(world: TravelBooking, account_id: str) -> float:
    """What an account has spent on its cards, net of refunds (get_budget_info's total_spent)."""
    total = world.value("SELECT SUM(CASE t.kind WHEN 'refund' THEN -t.amount ELSE t.amount END) FROM transactions t"
                        " JOIN credit_cards c USING (card_id) WHERE c.account_id = ?", account_id)
    return round(total or 0.0, 2)


def flight_search(flight: dict[str, Any], travel_class: str | None = None) -> tuple[Call, ...]:
    """Gold calls from two city names to the flights of a day."""
    return (call("get_airport_by_city", city_name=flight["departure_city"]),
            call("get_airport_by_city", city_name=flight["arrival_city"]),
            call("search_flights", departure_airport=flight["departure_airport"],
                 arrival_airport=flight["arrival_airport"], travel_date=flight["travel_date"],
                 **({"travel_class": travel_class} if travel_class else {})))


def booking_calls(account: dict[str, Any], flight: dict[str, Any], card: dict[str, Any],
                  travel_class: str, **traveler: str) -> tuple[Call, ...]:
    """Gold calls from logging in to a seat booked on a flight and paid with a card."""
    return (login(account), *flight_search(flight, travel_class),
            call("list_credit_cards", access_token=TOKEN),
            call("book_flight", access_token=TOKEN, card_id=card["card_id"], flight_id=flight["flight_id"],
                 travel_class=travel_class, **traveler))


@scenario


def widen_access(world: TravelBooking, rng: random.Random) -> Draft:
    account = some_account(world, rng)
    first, then = rng.choice([("read", "write"), ("write", "read")])
    return Draft(
        request=(f"{credentials(account, rng)} Log me in with {first} access only, then also grant the "
                 f"session {then} access, and check my login status: what scope does it have now?"),
        calls=(login(account, first), login(account, then),
               call("check_login_status", access_token=TOKEN)),
        answer=("read_write",))


@scenario


def book_cheapest_flight(world: TravelBooking, rng: random.Random) -> Draft | None:
    travel_class = rng.choice(["economy", "economy", "business"])
    flight = cheapest_fare(world, rng, travel_class)
    if flight is None:
        return None
    account, card = some_account_and_card(world, rng)
    request = rng.choice([
        "{who} Book me the cheapest {cls} seat from {a} to {b} on {d}, paid with my card ending in {last4}.",
        ("{who} I need to fly {a} -> {b} on {d}. Take the cheapest {cls} option and charge my card ending "
         "in {last4}."),
    ]).format(who=credentials(account, rng), cls=travel_class, a=flight["departure_city"],
              b=flight["arrival_city"], d=spoken_date(flight["travel_date"], rng), last4=card["card_number"][-4:])
    return Draft(request=request, calls=booking_calls(account, flight, card, travel_class))


@scenario


def book_for_companion(world: TravelBooking, rng: random.Random) -> Draft | None:
    flight = cheapest_fare(world, rng)
    if flight is None:
        return None
    account, card = some_account_and_card(world, rng)
    companion = (rng.choice(["Alex", "Jordan", "Sam", "Robin"]), account["last_name"])
    return Draft(
        request=(f"Hi, I'm {account['first_name']} {account['last_name']} (client id {account['client_id']}). "
                 f"Please book the cheapest economy seat from {flight['departure_city']} to "
                 f"{flight['arrival_city']} on {spoken_date(flight['travel_date'], rng)} for {companion[0]} "
                 f"{companion[1]}, on my card ending in {card['card_number'][-4:]}."),
        calls=booking_calls(account, flight, card, "economy", traveler_first_name=companion[0],
                                 traveler_last_name=companion[1]),
        ask=(UserFact("client secret", account["client_secret"], ("secret", "password", "credential")),))


@scenario


def cancel_flight(world: TravelBooking, rng: random.Random) -> Draft:
    booking = rng.choice(unique_bookings(world))
    request = rng.choice([
        "{who} Please cancel my flight to {c} on {d} and tell me how much I get back.",
        "{who} My plans changed: cancel the {c} flight on {d}. How much will be refunded?",
    ]).format(who=credentials(booking, rng), c=booking["arrival_city"],
              d=spoken_date(booking["travel_date"], rng))
    return Draft(request=request, calls=(
        login(booking),
        call("list_bookings", access_token=TOKEN, status="confirmed"),
        call("cancel_booking", access_token=TOKEN, booking_id=booking["booking_id"])),
        answer=(Ref(2, "refund_amount"),))


@scenario


def invoice_lookup(world: TravelBooking, rng: random.Random) -> Draft:
    booking = rng.choice(unique_bookings(world, rng.choice(["confirmed", "confirmed", "cancelled"])))
    return Draft(
        request=(f"{credentials(booking, rng)} I need the invoice number and the payment status of my "
                 f"{booking['status']} booking to {booking['arrival_city']} on "
                 f"{spoken_date(booking['travel_date'], rng)}."),
        calls=(login(booking, "read"),
               call("list_bookings", access_token=TOKEN),
               call("get_booking_invoice", access_token=TOKEN, booking_id=booking["booking_id"])),
        answer=(Ref(2, "invoice_number"), Ref(2, "payment_status")))


@scenario


def card_balance(world: TravelBooking, rng: random.Random) -> Draft:
    account, card = some_account_and_card(world, rng)
    return Draft(
        request=rng.choice([
            "{who} What's the available balance on my card ending in {last4}?",
            "{who} How much can I still spend on the card that ends with {last4}?",
        ]).format(who=credentials(account, rng), last4=card["card_number"][-4:]),
        calls=(login(account, "read"),
               call("list_credit_cards", access_token=TOKEN),
               call("get_credit_card_balance", access_token=TOKEN, card_id=card["card_id"])),
        answer=(Ref(2, "balance"),))


@scenario


def insure_flight(world: TravelBooking, rng: random.Random) -> Draft | None:
    insured = {r["booking_id"] for r in world.rows("SELECT booking_id FROM insurance_policies")}
    bookings = [b for b in unique_bookings(world) if b["booking_id"] not in insured]
    if not bookings:
        return None
    booking = rng.choice(bookings)
    card = some_card(world, rng, booking["account_id"])
    plan = rng.choice(list(INSURANCE))
    return Draft(
        request=(f"{credentials(booking, rng)} Add {plan} travel insurance to my flight to "
                 f"{booking['arrival_city']} on {spoken_date(booking['travel_date'], rng)}; put it on my card "
                 f"ending in {card['card_number'][-4:]} and tell me what it cost."),
        calls=(login(booking),
               call("list_bookings", access_token=TOKEN, status="confirmed"),
               call("get_insurance_quote", access_token=TOKEN, booking_id=booking["booking_id"],
                    insurance_type=plan),
               call("list_credit_cards", access_token=TOKEN),
               call("purchase_insurance", access_token=TOKEN, booking_id=booking["booking_id"],
                    insurance_type=plan, card_id=card["card_id"])),
        answer=(Ref(4, "insurance_cost"),))


@scenario


def set_budget(world: TravelBooking, rng: random.Random) -> Draft:
    account = some_account(world, rng)
    limit = float(rng.randrange(20, 120) * 100)
    return Draft(
        request=rng.choice([
            "{who} Cap my travel spending at {limit:.0f} dollars and tell me how much of it is left.",
            "{who} Set my budget limit to ${limit:.0f}. How much room do I have left after what I've spent?",
        ]).format(who=credentials(account, rng), limit=limit),
        calls=(login(account),
               call("set_budget_limit", access_token=TOKEN, budget_limit=limit),
               call("get_budget_info", access_token=TOKEN)),
        answer=(Ref(2, "remaining_budget"),))


@scenario


def register_card(world: TravelBooking, rng: random.Random) -> Draft | None:
    account = some_account(world, rng)
    number = luhn_complete(rng.choice("45") + "".join(rng.choice("0123456789") for _ in range(14)))
    spaced = " ".join(number[i:i + 4] for i in range(0, 16, 4))
    expiry = f"{rng.randint(1, 12):02d}/{rng.randint(27, 31)}"
    cvv = rng.randrange(100, 1000)
    request = (f"{credentials(account, rng)} Register my new card {spaced} (security code {cvv}), in "
               f"my name as it appears on the card: {account['first_name']} {account['last_name']}.")
    if expiry in request:
        return None
    return Draft(
        request=request,
        calls=(login(account),
               call("register_credit_card", access_token=TOKEN, card_number=number,
                    expiration_date=expiry, cardholder_name=f"{account['first_name']} {account['last_name']}",
                    cvv=cvv)),
        ask=(UserFact("card expiration date", expiry, ("expiration date", "expir", "valid until")),))


@scenario


def fare_in_currency(world: TravelBooking, rng: random.Random) -> Draft | None:
    flight = cheapest_fare(world, rng)
    if flight is None:
        return None
    currency = city(flight["arrival_city"]).currency
    if currency == "USD":
        currency = rng.choice(["EUR", "GBP", "JPY"])
    return Draft(
        request=(f"How much is the cheapest economy ticket from {flight['departure_city']} to "
                 f"{flight['arrival_city']} on {spoken_date(flight['travel_date'], rng)}, in {currency}?"),
        calls=(*flight_search(flight, "economy"),
               call("convert_currency", amount=flight["price"], from_currency="USD", to_currency=currency)),
        answer=(Ref(3, "converted_amount"),))


@scenario


def support_request(world: TravelBooking, rng: random.Random) -> Draft:
    booking = rng.choice(unique_bookings(world))
    category, need = rng.choice([
        ("special_assistance", "I will need a wheelchair at the gate"),
        ("baggage", "I want to bring a bicycle as checked baggage"),
        ("schedule_change", "I'd like to know if an earlier flight that day is possible"),
    ])
    return Draft(
        request=(f"{credentials(booking, rng)} For my flight to {booking['arrival_city']} on "
                 f"{spoken_date(booking['travel_date'], rng)}: {need}. Please open a {category.replace('_', ' ')} "
                 "request with support about that booking."),
        calls=(login(booking),
               call("list_bookings", access_token=TOKEN, status="confirmed"),
               call("contact_support", access_token=TOKEN, category=category,
                    message=need, booking_id=booking["booking_id"])))
