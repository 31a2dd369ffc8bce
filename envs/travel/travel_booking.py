"""TravelBooking: flight search and booking for registered travellers, paid by credit card, with invoices,
insurance, budgets, currency conversion and support tickets. Account tools need an access token."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, kept_prepared
from envs.travel.cities import CITIES, CITY_NAMES, FIRST_TRAVEL_DAY, TRAVEL_DAYS, city, parse_date, plan_travellers

TravelClass = Literal["economy", "business", "first"]
GrantType = Literal["read_write", "read", "write"]
InsuranceType = Literal["basic", "premium", "comprehensive"]
Currency = Literal["USD", "RMB", "EUR", "JPY", "GBP", "CAD", "AUD", "INR", "RUB", "BRL", "MXN"]
SupportCategory = Literal["baggage", "refund", "schedule_change", "special_assistance", "other"]
#: A positive, finite amount of money.
Amount = Annotated[float, Field(gt=0, allow_inf_nan=False)]

#: Units of each currency per US dollar, before the seed's small drift.
BASE_RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 149.5, "RMB": 7.19, "CAD": 1.36, "AUD": 1.52,
              "INR": 83.1, "RUB": 91.5, "BRL": 4.97, "MXN": 17.1}
AIRLINES = (("SkyBridge Airways", "SB"), ("Aurora Air", "AU"), ("Meridian Airlines", "MD"), ("Pacific Crest", "PC"))
INSURANCE = {
    "basic": {"rate": 0.04, "coverage": {"medical_expenses": 10000, "lost_baggage": 500, "trip_delay": 0,
                                         "cancellation_refund": "standard fare rules"}},
    "premium": {"rate": 0.07, "coverage": {"medical_expenses": 50000, "lost_baggage": 1500, "trip_delay": 300,
                                           "cancellation_refund": "standard fare rules"}},
    "comprehensive": {"rate": 0.11, "coverage": {"medical_expenses": 100000, "lost_baggage": 3000, "trip_delay": 600,
                                                 "cancellation_refund": "100% of the fare"}},
}
#: Share of an economy fare kept when the booking is cancelled without comprehensive insurance.
ECONOMY_CANCELLATION_FEE = 0.10
NEW_CARD_CREDIT = 5000.0
TIME_FORMAT = "%Y-%m-%dT%H:%M"


#: A digit doubled by the Luhn check, with the digits of the product summed.
LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_complete(prefix: str) -> str:
    """``prefix`` (15 digits) followed by its Luhn check digit."""
    digits = prefix[::-1]
    total = sum(LUHN_DOUBLED[int(digit)] for digit in digits[::2]) + sum(map(int, digits[1::2]))
    return prefix + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return luhn_complete(number[:-1]) == number


def card_brand(number: str) -> str:
    return {"4": "Visa", "5": "Mastercard", "6": "Discover"}.get(number[0], "Other")


def masked(number: str) -> str:
    return f"**** **** **** {number[-4:]}"


# ------------------------------------------------------------------------------------------- declared returns
class Session(TypedDict):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class TravellerName(TypedDict):
    first_name: str
    last_name: str


class LoginStatus(TypedDict):
    is_logged_in: bool
    #: Without a token: everyone logged in.
    logged_in_travellers: NotRequired[list[TravellerName]]
    #: With a valid token: its scope and whose it is.
    scope: NotRequired[str]
    first_name: NotRequired[str]
    last_name: NotRequired[str]


class Airport(TypedDict):
    code: str
    name: str
    city: str
    country: str


class CityAirport(TypedDict):
    airport_code: str
    name: str
    city_name: str
    country: str


class Fare(TypedDict):
    travel_class: str
    price: float
    seats_left: int


class Flight(TypedDict):
    flight_id: str
    flight_number: str
    airline: str
    departure_airport: str
    arrival_airport: str
    departure_time: str
    arrival_time: str
    fares: list[Fare]


class RegisteredCard(TypedDict):
    card_id: str
    card_number: str
    brand: str
    registration_status: str
    balance: float


class CreditCard(TypedDict):
    card_id: str
    brand: str
    card_number: str
    cardholder_name: str
    expiration_date: str
    last_four: str


class CardBalance(TypedDict):
    card_id: str
    card_number: str
    balance: float
    currency: str


class BookedFlight(TypedDict):
    booking_id: str
    transaction_id: str
    invoice_number: str
    booking_status: str
    cost: float
    currency: str
    flight_number: str
    departure_airport: str
    arrival_airport: str
    travel_date: str
    departure_time: str
    travel_class: str
    traveler: str


class PolicySummary(TypedDict):
    insurance_type: str
    cost: float
    status: str


class Invoice(TypedDict):
    booking_id: str
    invoice_number: str
    flight_number: str
    travel_date: str
    departure_airport: str
    arrival_airport: str
    travel_class: str
    traveler: str
    cost: float
    currency: str
    transaction_id: str
    booking_date: str
    payment_status: str
    insurance: PolicySummary | None


class Cancellation(TypedDict):
    booking_id: str
    cancellation_status: str
    refund_amount: float
    currency: str
    refund_transaction_id: str
    cancellation_date: str


class FlightBooking(TypedDict):
    booking_id: str
    status: str
    flight_number: str
    departure_airport: str
    departure_city: str
    arrival_airport: str
    arrival_city: str
    travel_date: str
    departure_time: str
    arrival_time: str
    travel_class: str
    cost: float
    card_id: str
    traveler: str


class Coverage(TypedDict):
    medical_expenses: int
    lost_baggage: int
    trip_delay: int
    cancellation_refund: str


class InsuranceQuote(TypedDict):
    booking_id: str
    insurance_type: str
    insurance_cost: float
    currency: str
    coverage_details: Coverage


class InsurancePolicy(InsuranceQuote):
    insurance_id: str
    insurance_status: str


class BudgetUpdate(TypedDict):
    budget_limit: float
    currency: str
    status: str


class BudgetInfo(TypedDict):
    budget_limit: float | None
    total_spent: float
    remaining_budget: float | None
    currency: str


class Conversion(TypedDict):
    converted_amount: float
    from_currency: str
    to_currency: str
    exchange_rate: float
    conversion_date: str


class SupportTicket(TypedDict):
    support_ticket_id: str
    status: str
    estimated_response_time: str
    message: str


class TravelBooking(World):
    """Flight booking for registered travellers: authenticate (client id, secret, name) for an access token, then
    search flights between airports, book and cancel them with a registered credit card, get invoices, insurance,
    budgets and support; dates are YYYY-MM-DD, amounts in USD."""

    domain = "Travel"
    schema = """
    CREATE TABLE accounts (account_id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                           email TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL UNIQUE, client_secret TEXT NOT NULL,
                           budget_limit REAL);
    CREATE TABLE sessions (access_token TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE REFERENCES accounts,
                           scope TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE airports (code TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL);
    CREATE TABLE flights (flight_id TEXT PRIMARY KEY, flight_number TEXT NOT NULL UNIQUE, airline TEXT NOT NULL,
                          departure_airport TEXT NOT NULL REFERENCES airports,
                          arrival_airport TEXT NOT NULL REFERENCES airports, travel_date TEXT NOT NULL,
                          departure_time TEXT NOT NULL, arrival_time TEXT NOT NULL);
    CREATE TABLE fares (flight_id TEXT NOT NULL REFERENCES flights, travel_class TEXT NOT NULL, price REAL NOT NULL,
                        seats_left INTEGER NOT NULL, PRIMARY KEY (flight_id, travel_class));
    CREATE TABLE credit_cards (card_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts,
                               card_number TEXT NOT NULL UNIQUE, brand TEXT NOT NULL, cardholder_name TEXT NOT NULL,
                               expiration_date TEXT NOT NULL, balance REAL NOT NULL);
    CREATE TABLE bookings (booking_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts,
                           flight_id TEXT NOT NULL REFERENCES flights, travel_class TEXT NOT NULL,
                           card_id TEXT NOT NULL REFERENCES credit_cards, traveler_first_name TEXT NOT NULL,
                           traveler_last_name TEXT NOT NULL, cost REAL NOT NULL, status TEXT NOT NULL,
                           booked_at TEXT NOT NULL);
    CREATE TABLE transactions (transaction_id TEXT PRIMARY KEY, card_id TEXT NOT NULL REFERENCES credit_cards,
                               booking_id TEXT NOT NULL REFERENCES bookings, kind TEXT NOT NULL,
                               amount REAL NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE invoices (invoice_number TEXT PRIMARY KEY, booking_id TEXT NOT NULL UNIQUE REFERENCES bookings,
                           amount REAL NOT NULL, payment_status TEXT NOT NULL, issued_at TEXT NOT NULL);
    CREATE TABLE insurance_policies (policy_id TEXT PRIMARY KEY, booking_id TEXT NOT NULL UNIQUE REFERENCES bookings,
                                     insurance_type TEXT NOT NULL, cost REAL NOT NULL,
                                     card_id TEXT NOT NULL REFERENCES credit_cards, status TEXT NOT NULL,
                                     purchased_at TEXT NOT NULL);
    CREATE TABLE exchange_rates (currency TEXT PRIMARY KEY, units_per_usd REAL NOT NULL);
    CREATE TABLE support_tickets (ticket_id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts,
                                  booking_id TEXT REFERENCES bookings, category TEXT NOT NULL, subject TEXT NOT NULL,
                                  message TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX flights_route ON flights (departure_airport, arrival_airport, travel_date);
    """
    volatile = {
        "sessions": ("scope", "created_at"),
        "bookings": ("booked_at",),
        "transactions": ("created_at",),
        "invoices": ("issued_at",),
        "insurance_policies": ("purchased_at",),
        "support_tickets": ("subject", "message", "created_at"),
    }
    ungraded = ("sessions",)

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        travellers, trips = plan_travellers(rng, fake)
        db["airports"].insert_all({"code": c.airport_code, "name": c.airport_name, "city": c.name,
                                   "country": c.country} for c in CITIES)
        db["exchange_rates"].insert_all(
            {"currency": code, "units_per_usd": 1.0 if code == "USD" else round(rate * rng.uniform(0.98, 1.02), 4)}
            for code, rate in BASE_RATES.items())
        accounts = {}
        for person in travellers:
            accounts[person.full_name] = {
                "account_id": fake_id(rng, "acc_"), "first_name": person.first_name, "last_name": person.last_name,
                "email": person.email, "client_id": f"TB-{rng.randrange(100000, 1000000)}",
                "client_secret": fake.password(length=12, special_chars=False), "budget_limit": None}
        flights, fares = cls._schedule(rng, trips)
        db["flights"].insert_all(flights)
        cards: dict[str, list[dict[str, Any]]] = {}
        for account in accounts.values():
            owned = cards.setdefault(account["account_id"], [])
            for _ in range(rng.randint(1, 2)):
                while True:
                    number = luhn_complete(rng.choice("456") + "".join(rng.choice("0123456789") for _ in range(14)))
                    if all(number[-4:] != card["card_number"][-4:] for card in owned):
                        break
                owned.append({"card_id": fake_id(rng, "card_"), "account_id": account["account_id"],
                              "card_number": number, "brand": card_brand(number),
                              "cardholder_name": f"{account['first_name']} {account['last_name']}",
                              "expiration_date": "11/25" if owned and rng.random() < 0.2 else
                              f"{rng.randint(1, 12):02d}/{rng.randint(27, 31)}",
                              "balance": float(rng.randrange(1500, 9000, 50))})
        ledger = Ledger(rng)
        for trip in trips:
            flight = next(f for f in flights if f["travel_date"] == trip.date.isoformat()
                          and f["departure_airport"] == city(trip.traveller.home_city).airport_code
                          and f["arrival_airport"] == city(trip.destination).airport_code)
            account = accounts[trip.traveller.full_name]
            ledger.book(account, cards[account["account_id"]][0], flight, trip.travel_class, fares, "confirmed")
        for account in rng.sample(list(accounts.values()), 8):
            flight = rng.choice(flights)
            if not any(b["flight_id"] == flight["flight_id"] for b in ledger.bookings):
                ledger.book(account, rng.choice(cards[account["account_id"]]), flight, "economy", fares,
                            rng.choice(["confirmed", "cancelled"]))
        for booking in rng.sample([b for b in ledger.bookings if b["status"] == "confirmed"], 3):
            ledger.insure(booking, rng.choice(list(INSURANCE)))
        for account in rng.sample(list(accounts.values()), 5):
            spent = ledger.spent(account["account_id"])
            account["budget_limit"] = float(round(spent + rng.randrange(300, 2500), -1))
        for card_list in cards.values():
            for card in card_list:
                card["balance"] = round(max(card["balance"] - ledger.charged(card["card_id"]),
                                            rng.randrange(200, 1500)), 2)
        db["accounts"].insert_all(accounts.values())
        db["fares"].insert_all(fares)
        db["credit_cards"].insert_all(card for card_list in cards.values() for card in card_list)
        db["bookings"].insert_all(ledger.bookings)
        db["transactions"].insert_all(ledger.transactions)
        db["invoices"].insert_all(ledger.invoices)
        db["insurance_policies"].insert_all(ledger.policies)
        ticket_booking = rng.choice(ledger.bookings)
        db["support_tickets"].insert_all([{
            "ticket_id": fake_id(rng, "tkt_"), "account_id": ticket_booking["account_id"],
            "booking_id": ticket_booking["booking_id"], "category": "baggage", "subject": "Extra bag",
            "message": "Can I add a second checked bag to this flight?", "status": "open",
            "created_at": "2026-02-27T10:15"}])

    @staticmethod
    def _schedule(rng: random.Random, trips: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Flights on the trips' routes (on the trip day and the two after) and on some other routes."""
        days = [FIRST_TRAVEL_DAY + dt.timedelta(days=n) for n in range(TRAVEL_DAYS + 2)]
        routes: dict[tuple[str, str], set[dt.date]] = {}
        for trip in trips:
            dates = routes.setdefault((trip.traveller.home_city, trip.destination), set())
            dates.update(trip.date + dt.timedelta(days=n) for n in range(3))
        while len(routes) < 20:
            origin, destination = rng.sample(CITY_NAMES, 2)
            routes.setdefault((origin, destination), set()).update(rng.sample(days, 4))
        flights, fares, numbers = [], [], set()
        for (origin, destination), dates in sorted(routes.items()):
            hours = rng.uniform(1.5, 13)
            base = rng.uniform(90, 180) + hours * rng.uniform(40, 70)
            airline, code = rng.choice(AIRLINES)
            for day in sorted(dates):
                for _ in range(rng.choice([1, 1, 2])):
                    number = f"{code}{rng.randrange(100, 10000)}"
                    while number in numbers:
                        number = f"{code}{rng.randrange(100, 10000)}"
                    numbers.add(number)
                    departure = dt.datetime.combine(day, dt.time(rng.randrange(6, 22), rng.randrange(0, 60, 5)))
                    flight_id = fake_id(rng, "flt_")
                    flights.append({
                        "flight_id": flight_id, "flight_number": number, "airline": airline,
                        "departure_airport": city(origin).airport_code,
                        "arrival_airport": city(destination).airport_code, "travel_date": day.isoformat(),
                        "departure_time": departure.strftime(TIME_FORMAT),
                        "arrival_time": (departure + dt.timedelta(minutes=round(hours * 60))).strftime(TIME_FORMAT)})
                    economy = round(base * rng.uniform(0.8, 1.3), 2)
                    classes = {"economy": (economy, rng.randint(4, 40)),
                               "business": (round(economy * rng.uniform(2.5, 3.5), 2), rng.randint(0, 8))}
                    if rng.random() < 0.6:
                        classes["first"] = (round(economy * rng.uniform(5, 6.5), 2), rng.randint(0, 4))
                    fares.extend({"flight_id": flight_id, "travel_class": travel_class, "price": price,
                                  "seats_left": seats} for travel_class, (price, seats) in classes.items())
        return flights, fares

    # ------------------------------------------------------------------ helpers
    def _account(self, access_token: str, need: Literal["read", "write"], extra: str = "", *params: Any
                 ) -> dict[str, Any]:
        """The account an access token belongs to, if its scope allows ``need``; ``extra``: more columns after the
        account's (SQL over ``a``, with parameters ?2, ?3, ... given in ``params``), read in the same query."""
        session = self.require(
            f"SELECT s.scope, a.*{extra} FROM sessions s JOIN accounts a USING (account_id) WHERE s.access_token = ?1",
            access_token, *params, error="invalid or expired access token; call authenticate to get one")
        if need not in session.pop("scope").split("_"):
            raise ToolError(f"this access token does not grant {need} access; call authenticate again with "
                            "grant_type 'read_write'")
        return session

    def _card(self, account_id: str, card_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM credit_cards WHERE card_id = ? AND account_id = ?", card_id, account_id,
                            error=f"no credit card '{card_id}' on this account; list_credit_cards shows the card ids")

    def _booking(self, account_id: str, booking_id: str) -> dict[str, Any]:
        return self.require(
            "SELECT b.*, f.flight_number, f.airline, f.departure_airport, f.arrival_airport, f.travel_date,"
            " f.departure_time, f.arrival_time FROM bookings b JOIN flights f USING (flight_id)"
            " WHERE b.booking_id = ? AND b.account_id = ?", booking_id, account_id,
            error=f"no booking '{booking_id}' on this account; list_bookings shows the booking ids")

    def _confirmed_booking(self, account_id: str, booking_id: str) -> dict[str, Any]:
        booking = self._booking(account_id, booking_id)
        if booking["status"] != "confirmed":
            raise ToolError(f"booking '{booking_id}' is {booking['status']}, not confirmed")
        return booking

    def _net_spent(self, account_id: str) -> float:
        """Net amount charged to the account's cards (charges minus refunds)."""
        total = self.value(
            "SELECT SUM(CASE t.kind WHEN 'refund' THEN -t.amount ELSE t.amount END) FROM transactions t"
            " JOIN credit_cards c USING (card_id) WHERE c.account_id = ?", account_id)
        return round(total or 0.0, 2)

    def _charge(self, account: dict[str, Any], card: dict[str, Any], amount: float, kind: str,
                booking_id: str) -> str:
        """Charge a card for a booking or a policy, enforcing expiry, balance and the budget limit."""
        month, year = (int(part) for part in card["expiration_date"].split("/"))
        today = self.now().date()
        if (2000 + year, month) < (today.year, today.month):
            raise ToolError(f"card ending in {card['card_number'][-4:]} expired on {card['expiration_date']}; "
                            "use another card")
        if amount > card["balance"]:
            raise ToolError(f"insufficient balance on card ending in {card['card_number'][-4:]}: it has "
                            f"{card['balance']:.2f} USD, the charge is {amount:.2f} USD")
        limit = account["budget_limit"]
        spent = self._net_spent(account["account_id"])
        if limit is not None and spent + amount > limit:
            raise ToolError(f"this charge of {amount:.2f} USD would exceed the budget limit of {limit:.2f} USD "
                            f"({limit - spent:.2f} USD left); raise the limit with set_budget_limit or spend less")
        self.execute("UPDATE credit_cards SET balance = ROUND(balance - ?, 2) WHERE card_id = ?", amount,
                     card["card_id"])
        return self._transaction(card["card_id"], booking_id, kind, amount)

    def _transaction(self, card_id: str, booking_id: str, kind: str, amount: float) -> str:
        transaction_id = self.new_id("transactions", "txn_")
        self.execute("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?)", transaction_id, card_id, booking_id, kind,
                     amount, self.now().strftime(TIME_FORMAT))
        return transaction_id

    def _quote(self, booking: dict[str, Any], insurance_type: str) -> InsuranceQuote:
        plan = INSURANCE[insurance_type]
        return {"booking_id": booking["booking_id"], "insurance_type": insurance_type,
                "insurance_cost": round(booking["cost"] * plan["rate"], 2), "currency": "USD",
                "coverage_details": plan["coverage"]}

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=[
        ("log me in as {first_name} {last_name} (client id {client_id}, secret {client_secret}) with {grant_type} "
         "access"),
        ("sign me in as {first_name} {last_name} with client id {client_id} and secret {client_secret} ({grant_type} "
         "access)"),
    ])
    def authenticate(self, client_id: Annotated[str, UserKnown], client_secret: Annotated[str, UserKnown],
                     grant_type: GrantType, first_name: Annotated[str, UserKnown],
                     last_name: Annotated[str, UserKnown]) -> Session:
        """Log a traveller in and get the access token that account tools need.

        Calling it again for the same traveller returns the same token, with the union of the granted scopes.

        Args:
            client_id: The traveller's client id (like TB-123456).
            client_secret: The traveller's client secret.
            grant_type: Access wanted: 'read', 'write' or 'read_write'.
            first_name: The traveller's first name, as on the account.
            last_name: The traveller's last name, as on the account.
        """
        # the account and its session (at most one: account_id is unique there), in one query
        account = self.row("SELECT a.*, s.access_token, s.scope FROM accounts a LEFT JOIN sessions s"
                           " USING (account_id) WHERE a.client_id = ?", client_id.strip())
        if account is None or account["client_secret"] != client_secret:
            raise ToolError("invalid client credentials: check the client id and client secret")
        if (account["first_name"].lower(), account["last_name"].lower()) != (first_name.strip().lower(),
                                                                              last_name.strip().lower()):
            raise ToolError("the name does not match the account of this client id")
        session = None if account["access_token"] is None else account
        if session is None:
            token = self.new_id("sessions", "tok_")
            scope = grant_type
            self.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", token, account["account_id"], scope,
                         self.now().strftime(TIME_FORMAT))
        else:
            token = session["access_token"]
            granted = set(session["scope"].split("_")) | set(grant_type.split("_"))
            scope = "read_write" if granted == {"read", "write"} else grant_type
            self.execute("UPDATE sessions SET scope = ? WHERE access_token = ?", scope, token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope}

    @tool(phrase=["check the login status", "check who is logged in"])
    def check_login_status(self, access_token: str | None = None) -> LoginStatus:
        """Whether an access token is valid (and whose it is); without a token, whether anyone is logged in.

        Args:
            access_token: The token to check.
        """
        if access_token is None:
            names = self.rows("SELECT a.first_name, a.last_name FROM sessions JOIN accounts a USING (account_id)"
                              " ORDER BY a.last_name, a.first_name")
            return {"is_logged_in": bool(names), "logged_in_travellers": names}
        session = self.row("SELECT s.scope, a.first_name, a.last_name FROM sessions s JOIN accounts a"
                           " USING (account_id) WHERE s.access_token = ?", access_token)
        return {"is_logged_in": session is not None, **(session or {})}

    @tool(phrase=["list the airports you serve", "show me every airport you fly to"])
    def list_airports(self) -> list[Airport]:
        """List every airport served, with its code and city."""
        return self.rows("SELECT code, name, city, country FROM airports ORDER BY city")

    @tool(phrase=["find the airport in {city_name}", "look up the airport code for {city_name}"])
    def get_airport_by_city(self, city_name: NonEmptyStr) -> CityAirport:
        """Find the airport serving a city.

        Args:
            city_name: The city, e.g. 'Paris'.
        """
        return self.require("SELECT code AS airport_code, name, city AS city_name, country FROM airports"
                            " WHERE city = ? COLLATE NOCASE", city_name.strip(),
                            error=f"no airport in '{city_name}'; served cities: {', '.join(CITY_NAMES)}")

    @tool(phrase=[
        "find [{travel_class} ]flights from {departure_airport} to {arrival_airport} on {travel_date}",
        "search for [{travel_class} ]flights {departure_airport} to {arrival_airport} on {travel_date}",
    ])
    def search_flights(self, departure_airport: str, arrival_airport: str, travel_date: str,
                       travel_class: TravelClass | None = None,
                       max_results: Annotated[int, Field(ge=1, le=50)] = 10) -> list[Flight]:
        """Find flights between two airports on a day, by departure time, with each class's price and free seats.

        Args:
            departure_airport: Airport code of departure, e.g. 'JFK'.
            arrival_airport: Airport code of arrival, e.g. 'CDG'.
            travel_date: Day of departure, YYYY-MM-DD.
            travel_class: Only show this class, and only flights with seats left in it.
            max_results: At most this many flights (1-50).
        """
        parse_date(travel_date, "travel_date")
        known = self.conn.execute(kept_prepared("SELECT EXISTS (SELECT 1 FROM airports WHERE code = ?),"
                                                " EXISTS (SELECT 1 FROM airports WHERE code = ?)"),
                                  (departure_airport, arrival_airport)).fetchone()
        for code, exists in zip((departure_airport, arrival_airport), known):
            if not exists:
                raise ToolError(f"unknown airport code '{code}'; get_airport_by_city or list_airports give the codes")
        # the flights with their fares, in one query (a flight's fares by price; a flight without a fare that
        # passes the class filter is left out)
        found: list[dict[str, Any]] = []
        for (flight_id, number, airline, departure, arrival, departs, arrives, travel_class_, price,
             seats) in self.conn.execute(kept_prepared(
                "SELECT f.flight_id, f.flight_number, f.airline, f.departure_airport, f.arrival_airport,"
                " f.departure_time, f.arrival_time, r.travel_class, r.price, r.seats_left FROM flights f"
                " JOIN fares r ON r.flight_id = f.flight_id AND (?4 IS NULL OR (r.travel_class = ?4"
                " AND r.seats_left > 0)) WHERE f.departure_airport = ?1 AND f.arrival_airport = ?2"
                " AND f.travel_date = ?3 ORDER BY f.departure_time, f.flight_number, r.price"),
                (departure_airport, arrival_airport, travel_date, travel_class)):
            if not found or found[-1]["flight_id"] != flight_id:
                found.append({"flight_id": flight_id, "flight_number": number, "airline": airline,
                              "departure_airport": departure, "arrival_airport": arrival, "departure_time": departs,
                              "arrival_time": arrives, "fares": []})
            found[-1]["fares"].append({"travel_class": travel_class_, "price": price, "seats_left": seats})
        return found[:max_results]

    @tool(writes=True, phrase=[
        ("register my new card {card_number} (expires {expiration_date}, security code {cvv}) in the name of "
         "{cardholder_name}"),
        "add my card {card_number}, expiring {expiration_date}, CVV {cvv}, cardholder {cardholder_name}",
    ])
    def register_credit_card(self, access_token: str, card_number: Annotated[str, UserKnown],
                             expiration_date: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])/[0-9]{2}$")],
                             cardholder_name: NonEmptyStr, cvv: Annotated[int, Field(ge=0, le=999)]
                             ) -> RegisteredCard:
        """Add a credit card to the account (it starts with a 5000.00 USD credit line).

        Args:
            access_token: Token from authenticate (write access).
            card_number: The 16-digit card number (spaces allowed).
            expiration_date: Expiry as MM/YY.
            cardholder_name: Name printed on the card.
            cvv: The 3-digit security code (checked, never stored).
        """
        number = card_number.replace(" ", "").replace("-", "")
        # the account and whether the number is registered already, in one query (checked in order)
        account = self._account(access_token, "write", ", EXISTS (SELECT 1 FROM credit_cards"
                                " WHERE card_number = ?2) AS registered", number)
        if len(number) != 16 or not number.isdigit() or not luhn_valid(number):
            raise ToolError("card_number is not a valid 16-digit card number")
        # MM/YY (the field's pattern): strptime's %y puts 00-68 in 2000-2068 and 69-99 in 1969-1999
        month, short_year = int(expiration_date[:2]), int(expiration_date[3:])
        expiry_year = short_year + (2000 if short_year < 69 else 1900)
        today = self.now().date()
        if (expiry_year, month) < (today.year, today.month):
            raise ToolError(f"the card expired on {expiration_date}")
        if account["registered"]:
            raise ToolError(f"the card ending in {number[-4:]} is already registered")
        card_id, brand = self.new_id("credit_cards", "card_"), card_brand(number)
        # expiration_date is already MM/YY, as strftime("%m/%y") writes the parsed date
        self.execute("INSERT INTO credit_cards VALUES (?, ?, ?, ?, ?, ?, ?)", card_id, account["account_id"], number,
                     brand, cardholder_name.strip(), expiration_date, NEW_CARD_CREDIT)
        return {"card_id": card_id, "card_number": masked(number), "brand": brand,
                "registration_status": "registered", "balance": NEW_CARD_CREDIT}

    @tool(phrase=["list my credit cards", "show me the cards on my account"])
    def list_credit_cards(self, access_token: str) -> list[CreditCard]:
        """List the account's credit cards (numbers masked to the last four digits).

        Args:
            access_token: Token from authenticate (read access).
        """
        account = self._account(access_token, "read")
        cards = self.rows("SELECT card_id, brand, card_number, cardholder_name, expiration_date FROM credit_cards"
                          " WHERE account_id = ? ORDER BY card_id", account["account_id"])
        for card in cards:
            card["last_four"] = card["card_number"][-4:]
            card["card_number"] = masked(card["card_number"])
        return cards

    @tool(phrase=["check the balance on {card_id}", "tell me what's available on {card_id}"])
    def get_credit_card_balance(self, access_token: str, card_id: str) -> CardBalance:
        """The available balance of one of the account's cards.

        Args:
            access_token: Token from authenticate (read access).
            card_id: The card's id (from list_credit_cards).
        """
        account = self._account(access_token, "read")
        card = self._card(account["account_id"], card_id)
        return {"card_id": card_id, "card_number": masked(card["card_number"]), "balance": card["balance"],
                "currency": "USD"}

    @tool(writes=True, phrase=[
        ("book {flight_id} in {travel_class}[ for {traveler_first_name}][ (surname {traveler_last_name})], paid with "
         "{card_id}"),
        ("get me a seat in {travel_class} on {flight_id}[ for {traveler_first_name}]"
         "[ (surname {traveler_last_name})] and charge it to {card_id}"),
    ])
    def book_flight(self, access_token: str, card_id: str, flight_id: str, travel_class: TravelClass,
                    traveler_first_name: NonEmptyStr | None = None,
                    traveler_last_name: NonEmptyStr | None = None) -> BookedFlight:
        """Book a seat on a flight and charge the fare to a card (checks seats, card balance and budget limit).

        Args:
            access_token: Token from authenticate (write access).
            card_id: The card to charge (from list_credit_cards).
            flight_id: The flight's id (from search_flights).
            travel_class: 'economy', 'business' or 'first'.
            traveler_first_name: Who flies, if not the account holder.
            traveler_last_name: Who flies, if not the account holder.
        """
        account = self._account(access_token, "write")
        card = self._card(account["account_id"], card_id)
        flight = self.require("SELECT * FROM flights WHERE flight_id = ?", flight_id,
                              error=f"no flight '{flight_id}'; search_flights shows the flight ids")
        if flight["travel_date"] < self.now().date().isoformat():
            raise ToolError(f"flight {flight['flight_number']} has already departed")
        fare = self.require("SELECT * FROM fares WHERE flight_id = ? AND travel_class = ?", flight_id, travel_class,
                            error=f"flight {flight['flight_number']} has no {travel_class} class")
        if fare["seats_left"] <= 0:
            raise ToolError(f"no {travel_class} seats left on flight {flight['flight_number']}")
        first = account["first_name"] if traveler_first_name is None else traveler_first_name.strip()
        last = account["last_name"] if traveler_last_name is None else traveler_last_name.strip()
        if self.row("SELECT 1 FROM bookings WHERE flight_id = ? AND traveler_first_name = ? COLLATE NOCASE"
                    " AND traveler_last_name = ? COLLATE NOCASE AND status = 'confirmed'", flight_id, first, last):
            raise ToolError(f"{first} {last} already has a confirmed seat on flight {flight['flight_number']}")
        booking_id = self.new_id("bookings", "bk_")
        now = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?)", booking_id,
                     account["account_id"], flight_id, travel_class, card_id, first, last, fare["price"], now)
        transaction_id = self._charge(account, card, fare["price"], "charge", booking_id)
        invoice_number = self.new_id("invoices", "INV-")
        self.execute("INSERT INTO invoices VALUES (?, ?, ?, 'paid', ?)", invoice_number, booking_id, fare["price"], now)
        self.execute("UPDATE fares SET seats_left = seats_left - 1 WHERE flight_id = ? AND travel_class = ?",
                     flight_id, travel_class)
        return {"booking_id": booking_id, "transaction_id": transaction_id, "invoice_number": invoice_number,
                "booking_status": "confirmed", "cost": fare["price"], "currency": "USD",
                "flight_number": flight["flight_number"], "departure_airport": flight["departure_airport"],
                "arrival_airport": flight["arrival_airport"], "travel_date": flight["travel_date"],
                "departure_time": flight["departure_time"], "travel_class": travel_class,
                "traveler": f"{first} {last}"}

    @tool(phrase=["get the invoice of my flight booking ({booking_id})", "pull up the flight invoice for {booking_id}"])
    def get_booking_invoice(self, access_token: str, booking_id: str) -> Invoice:
        """The invoice of a booking: number, flight, cost, payment transaction and payment status.

        Args:
            access_token: Token from authenticate (read access).
            booking_id: The booking's id (from list_bookings).
        """
        account = self._account(access_token, "read")
        booking = self._booking(account["account_id"], booking_id)
        invoice = self.row("SELECT * FROM invoices WHERE booking_id = ?", booking_id)
        transaction_id = self.value("SELECT transaction_id FROM transactions WHERE booking_id = ? AND kind = 'charge'",
                                    booking_id)
        policy = self.row("SELECT insurance_type, cost, status FROM insurance_policies WHERE booking_id = ?",
                          booking_id)
        return {"booking_id": booking_id, "invoice_number": invoice["invoice_number"],
                "flight_number": booking["flight_number"], "travel_date": booking["travel_date"],
                "departure_airport": booking["departure_airport"], "arrival_airport": booking["arrival_airport"],
                "travel_class": booking["travel_class"],
                "traveler": f"{booking['traveler_first_name']} {booking['traveler_last_name']}",
                "cost": booking["cost"], "currency": "USD", "transaction_id": transaction_id,
                "booking_date": booking["booked_at"], "payment_status": invoice["payment_status"],
                "insurance": policy}

    @tool(writes=True, phrase=["cancel my flight booking ({booking_id})", "call off my flight ({booking_id})"])
    def cancel_booking(self, access_token: str, booking_id: str) -> Cancellation:
        """Cancel a confirmed flight booking and refund the card it was paid with.

        Business and first class fares are refunded in full; economy fares keep a 10% fee unless the booking has
        comprehensive insurance. Insurance premiums are not refunded.

        Args:
            access_token: Token from authenticate (write access).
            booking_id: The booking's id (from list_bookings).
        """
        account = self._account(access_token, "write")
        booking = self._confirmed_booking(account["account_id"], booking_id)
        if booking["travel_date"] < self.now().date().isoformat():
            raise ToolError(f"flight {booking['flight_number']} has already departed; it cannot be cancelled")
        policy = self.value("SELECT insurance_type FROM insurance_policies WHERE booking_id = ? AND status = 'active'",
                            booking_id)
        fee = ECONOMY_CANCELLATION_FEE if booking["travel_class"] == "economy" and policy != "comprehensive" else 0.0
        refund = round(booking["cost"] * (1 - fee), 2)
        self.execute("UPDATE bookings SET status = 'cancelled' WHERE booking_id = ?", booking_id)
        self.execute("UPDATE credit_cards SET balance = ROUND(balance + ?, 2) WHERE card_id = ?", refund,
                     booking["card_id"])
        refund_id = self._transaction(booking["card_id"], booking_id, "refund", refund)
        self.execute("UPDATE invoices SET payment_status = 'refunded' WHERE booking_id = ?", booking_id)
        self.execute("UPDATE insurance_policies SET status = 'void' WHERE booking_id = ?", booking_id)
        self.execute("UPDATE fares SET seats_left = seats_left + 1 WHERE flight_id = ? AND travel_class = ?",
                     booking["flight_id"], booking["travel_class"])
        return {"booking_id": booking_id, "cancellation_status": "cancelled", "refund_amount": refund,
                "currency": "USD", "refund_transaction_id": refund_id,
                "cancellation_date": self.now().date().isoformat()}

    @tool(phrase=[
        "list my [{status} ]flight bookings[ from {start_date}][ up to {end_date}]",
        "show my [{status} ]flight bookings[ from {start_date}][ until {end_date}]",
    ])
    def list_bookings(self, access_token: str, start_date: str | None = None, end_date: str | None = None,
                      status: Literal["confirmed", "cancelled"] | None = None) -> list[FlightBooking]:
        """List the account's flight bookings by travel date, optionally within dates and by status.

        Args:
            access_token: Token from authenticate (read access).
            start_date: Only flights on or after this day, YYYY-MM-DD.
            end_date: Only flights on or before this day, YYYY-MM-DD.
            status: Only bookings with this status.
        """
        account = self._account(access_token, "read")
        for value, name in ((start_date, "start_date"), (end_date, "end_date")):
            if value is not None:
                parse_date(value, name)
        return self.rows(
            "SELECT b.booking_id, b.status, f.flight_number, f.departure_airport, dep.city AS departure_city,"
            " f.arrival_airport, arr.city AS arrival_city, f.travel_date, f.departure_time, f.arrival_time,"
            " b.travel_class, b.cost, b.card_id,"
            " b.traveler_first_name || ' ' || b.traveler_last_name AS traveler FROM bookings b"
            " JOIN flights f USING (flight_id) JOIN airports dep ON dep.code = f.departure_airport"
            " JOIN airports arr ON arr.code = f.arrival_airport WHERE b.account_id = ?1"
            " AND (?2 IS NULL OR f.travel_date >= ?2) AND (?3 IS NULL OR f.travel_date <= ?3)"
            " AND (?4 IS NULL OR b.status = ?4) ORDER BY f.travel_date, f.departure_time",
            account["account_id"], start_date, end_date, status)

    @tool(phrase=[
        "get a quote for {insurance_type} insurance on {booking_id}",
        "price {insurance_type} travel insurance for {booking_id}",
    ])
    def get_insurance_quote(self, access_token: str, booking_id: str,
                            insurance_type: InsuranceType) -> InsuranceQuote:
        """Price and coverage of travel insurance for a confirmed booking (a share of the fare).

        Args:
            access_token: Token from authenticate (read access).
            booking_id: The booking's id (from list_bookings).
            insurance_type: 'basic', 'premium' or 'comprehensive'.
        """
        account = self._account(access_token, "read")
        return self._quote(self._confirmed_booking(account["account_id"], booking_id), insurance_type)

    @tool(writes=True, phrase=[
        "buy {insurance_type} insurance for {booking_id}, charged to {card_id}",
        "add {insurance_type} travel insurance to {booking_id} and pay with {card_id}",
    ])
    def purchase_insurance(self, access_token: str, booking_id: str, insurance_type: InsuranceType,
                           card_id: str) -> InsurancePolicy:
        """Buy travel insurance for a confirmed booking (one policy per booking), charged to a card.

        Args:
            access_token: Token from authenticate (write access).
            booking_id: The booking's id (from list_bookings).
            insurance_type: 'basic', 'premium' or 'comprehensive'.
            card_id: The card to charge (from list_credit_cards).
        """
        account = self._account(access_token, "write")
        booking = self._confirmed_booking(account["account_id"], booking_id)
        card = self._card(account["account_id"], card_id)
        existing = self.value("SELECT insurance_type FROM insurance_policies WHERE booking_id = ?", booking_id)
        if existing is not None:
            raise ToolError(f"booking '{booking_id}' already has {existing} insurance")
        quote = self._quote(booking, insurance_type)
        self._charge(account, card, quote["insurance_cost"], "insurance", booking_id)
        policy_id = self.new_id("insurance_policies", "pol_")
        self.execute("INSERT INTO insurance_policies VALUES (?, ?, ?, ?, ?, 'active', ?)", policy_id, booking_id,
                     insurance_type, quote["insurance_cost"], card_id, self.now().strftime(TIME_FORMAT))
        return {"insurance_id": policy_id, "insurance_status": "active", **quote}

    @tool(writes=True, phrase=[
        "set my travel budget to {budget_limit} USD",
        "cap my travel spending at {budget_limit} dollars",
    ])
    def set_budget_limit(self, access_token: str, budget_limit: Amount) -> BudgetUpdate:
        """Set the most the account may spend in total on flights and insurance (net of refunds).

        Args:
            access_token: Token from authenticate (write access).
            budget_limit: The limit in USD.
        """
        account = self._account(access_token, "write")
        self.execute("UPDATE accounts SET budget_limit = ? WHERE account_id = ?", round(budget_limit, 2),
                     account["account_id"])
        return {"budget_limit": round(budget_limit, 2), "currency": "USD", "status": "updated"}

    @tool(phrase=["check my travel budget", "show how much of my travel budget is left"])
    def get_budget_info(self, access_token: str) -> BudgetInfo:
        """The account's budget limit, what it has spent (net of refunds) and what remains.

        Args:
            access_token: Token from authenticate (read access).
        """
        account = self._account(access_token, "read")
        limit, spent = account["budget_limit"], self._net_spent(account["account_id"])
        return {"budget_limit": limit, "total_spent": spent,
                "remaining_budget": None if limit is None else round(limit - spent, 2), "currency": "USD"}

    @tool(phrase=[
        "convert {amount} {from_currency} to {to_currency}",
        "tell me what {amount} {from_currency} is in {to_currency}",
    ])
    def convert_currency(self, amount: Amount, from_currency: Currency, to_currency: Currency) -> Conversion:
        """Convert an amount between currencies at today's rate.

        Args:
            amount: The amount to convert.
            from_currency: Currency of the amount.
            to_currency: Currency wanted.
        """
        rates = dict(self.conn.execute("SELECT currency, units_per_usd FROM exchange_rates"))
        rate = rates[to_currency] / rates[from_currency]
        return {"converted_amount": round(amount * rate, 2), "from_currency": from_currency,
                "to_currency": to_currency, "exchange_rate": round(rate, 6),
                "conversion_date": self.now().date().isoformat()}

    @tool(writes=True, phrase=[
        "open a support ticket (category {category})[ about {booking_id}] saying {message}",
        "contact support ({category})[ about {booking_id}] with the message {message}",
    ])
    def contact_support(self, access_token: str, category: SupportCategory, message: NonEmptyStr,
                        subject: str | None = None, booking_id: str | None = None) -> SupportTicket:
        """Open a support ticket, optionally about one of the account's bookings.

        Args:
            access_token: Token from authenticate (write access).
            category: What it is about: 'baggage', 'refund', 'schedule_change', 'special_assistance' or 'other'.
            message: The request for the support team.
            subject: A short subject line.
            booking_id: The booking concerned (from list_bookings).
        """
        # the account and whether the booking is one of the account's (as _booking finds it), in one query
        account = self._account(access_token, "write", ", EXISTS (SELECT 1 FROM bookings b JOIN flights f"
                                " USING (flight_id) WHERE b.booking_id = ?2 AND b.account_id = a.account_id) AS mine",
                                booking_id)
        if booking_id is not None and not account["mine"]:
            raise ToolError(f"no booking '{booking_id}' on this account; list_bookings shows the booking ids")
        ticket_id = self.new_id("support_tickets", "tkt_")
        self.execute("INSERT INTO support_tickets VALUES (?, ?, ?, ?, ?, ?, 'open', ?)", ticket_id,
                     account["account_id"], booking_id, category, (subject or category.replace("_", " ")).strip(),
                     message.strip(), self.now().strftime(TIME_FORMAT))
        return {"support_ticket_id": ticket_id, "status": "open", "estimated_response_time": "24 hours",
                "message": "Your request was received; an agent will reply by email."}


class Ledger:
    """Seed-time bookkeeping of bookings, charges, refunds, invoices and policies (mirrors the tools' rules)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bookings: list[dict[str, Any]] = []
        self.transactions: list[dict[str, Any]] = []
        self.invoices: list[dict[str, Any]] = []
        self.policies: list[dict[str, Any]] = []

    def _transaction(self, card_id: str, booking_id: str, kind: str, amount: float, when: str) -> None:
        self.transactions.append({"transaction_id": fake_id(self.rng, "txn_"), "card_id": card_id,
                                  "booking_id": booking_id, "kind": kind, "amount": amount, "created_at": when})

    def book(self, account: dict[str, Any], card: dict[str, Any], flight: dict[str, Any], travel_class: str,
             fares: list[dict[str, Any]], status: str) -> None:
        price = next(f["price"] for f in fares if f["flight_id"] == flight["flight_id"]
                     and f["travel_class"] == travel_class)
        booking_id = fake_id(self.rng, "bk_")
        when = f"2026-02-{self.rng.randint(1, 27):02d}T{self.rng.randint(8, 22):02d}:00"
        self.bookings.append({"booking_id": booking_id, "account_id": account["account_id"],
                              "flight_id": flight["flight_id"], "travel_class": travel_class,
                              "card_id": card["card_id"], "traveler_first_name": account["first_name"],
                              "traveler_last_name": account["last_name"], "cost": price, "status": status,
                              "booked_at": when})
        self._transaction(card["card_id"], booking_id, "charge", price, when)
        if status == "cancelled":
            refund = round(price * (1 - ECONOMY_CANCELLATION_FEE), 2)
            self._transaction(card["card_id"], booking_id, "refund", refund, "2026-02-28T12:00")
        self.invoices.append({"invoice_number": fake_id(self.rng, "INV-"), "booking_id": booking_id, "amount": price,
                              "payment_status": "paid" if status == "confirmed" else "refunded", "issued_at": when})

    def insure(self, booking: dict[str, Any], insurance_type: str) -> None:
        cost = round(booking["cost"] * INSURANCE[insurance_type]["rate"], 2)
        self.policies.append({"policy_id": fake_id(self.rng, "pol_"), "booking_id": booking["booking_id"],
                              "insurance_type": insurance_type, "cost": cost, "card_id": booking["card_id"],
                              "status": "active", "purchased_at": booking["booked_at"]})
        self._transaction(booking["card_id"], booking["booking_id"], "insurance", cost, booking["booked_at"])

    def charged(self, card_id: str) -> float:
        return sum(-t["amount"] if t["kind"] == "refund" else t["amount"] for t in self.transactions
                   if t["card_id"] == card_id)

    def spent(self, account_id: str) -> float:
        cards = {b["card_id"] for b in self.bookings if b["account_id"] == account_id}
        return round(sum(self.charged(card_id) for card_id in cards), 2)
