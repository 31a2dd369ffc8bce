"""Airline: an airline's reservation desk: airports, daily flights with seats and fares per cabin, members with
payment methods, and reservations with passengers and checked bags (book, change, add bags, cancel)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, kept_prepared
from envs.travel.cities import CITIES

CABINS = ("basic_economy", "economy", "business")
FREE_BAGS = {"regular": (0, 1, 2), "silver": (1, 2, 3), "gold": (2, 3, 3)}  # per passenger, by cabin
BAG_FEE, INSURANCE_FEE, MAX_PASSENGERS = 50, 30, 5
FARE_PER_MINUTE = {"basic_economy": 0.55, "economy": 0.8, "business": 2.4}
Cabin = Literal["basic_economy", "economy", "business"]
UserId = Annotated[str, UserKnown, Field(pattern=r"^[a-z]+_[a-z]+_\d{4}$")]
ReservationId = Annotated[str, UserKnown, Field(pattern=r"^R[0-9a-f]{10}$")]
Airport = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Bags = Annotated[int, Field(ge=0, le=20)]


class FlightIn(TypedDict):
    flight_number: str
    date: str


class PassengerIn(TypedDict):
    first_name: Annotated[str, Field(min_length=1)]
    last_name: Annotated[str, Field(min_length=1)]
    dob: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


AirportRow = TypedDict("AirportRow", {"code": str, "name": str, "city": str, "country": str})
Airports = TypedDict("Airports", {"airports": list[AirportRow]})
FlightOffer = TypedDict("FlightOffer", {
    "flight_number": str, "date": str, "origin": str, "destination": str, "depart_time": str, "arrive_time": str,
    "status": str, "available_seats": dict[str, int], "prices": dict[str, float]})
Flights = TypedDict("Flights", {"flights": list[FlightOffer]})
Status = TypedDict("Status", {"flight_number": str, "date": str, "status": str})
Payment = TypedDict("Payment", {"payment_id": str, "source": str, "label": str, "balance": float | None})
User = TypedDict("User", {"user_id": str, "name": str, "email": str, "membership": str,
                          "payment_methods": list[Payment], "reservations": list[str]})
Leg = TypedDict("Leg", {"flight_number": str, "date": str, "origin": str, "destination": str, "price": float})
Reservation = TypedDict("Reservation", {
    "reservation_id": str, "user_id": str, "origin": str, "destination": str, "flight_type": str, "cabin": str,
    "flights": list[Leg], "passengers": list[PassengerIn], "total_baggages": int, "nonfree_baggages": int,
    "insurance": bool, "status": str, "created_at": str, "total_price": float})
Charge = TypedDict("Charge", {"reservation_id": str, "status": str, "additional_charge": float})
Cancelled = TypedDict("Cancelled", {"reservation_id": str, "status": str, "refund_amount": float})


class Airline(World):
    """Reservation desk of Meridian Air (flight numbers MR...): search flights, look up members and reservations,
    book, change flights, passengers or bags, and cancel. Prices are US dollars per passenger; dates YYYY-MM-DD.
    Free checked bags per passenger: regular 0/1/2, silver 1/2/3, gold 2/3/3 (basic economy/economy/business);
    each extra bag is $50; travel insurance is $30 per passenger."""

    schema = """
    CREATE TABLE airports (code TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL);
    CREATE TABLE flights (flight_number TEXT PRIMARY KEY, origin TEXT NOT NULL, destination TEXT NOT NULL,
                          depart_min INTEGER NOT NULL, minutes INTEGER NOT NULL);
    CREATE INDEX flights_by_route ON flights (origin, destination);
    CREATE TABLE flight_dates (flight_number TEXT NOT NULL REFERENCES flights, date TEXT NOT NULL, status TEXT NOT NULL,
                               basic_economy INTEGER NOT NULL, economy INTEGER NOT NULL, business INTEGER NOT NULL,
                               PRIMARY KEY (flight_number, date));
    CREATE TABLE users (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, dob TEXT NOT NULL,
                        membership TEXT NOT NULL);
    CREATE TABLE payment_methods (payment_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users,
                                  source TEXT NOT NULL, label TEXT NOT NULL, balance REAL);
    CREATE INDEX payment_methods_by_user ON payment_methods (user_id);
    CREATE TABLE reservations (reservation_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users,
                               origin TEXT NOT NULL, destination TEXT NOT NULL, flight_type TEXT NOT NULL,
                               cabin TEXT NOT NULL, total_baggages INTEGER NOT NULL, nonfree_baggages INTEGER NOT NULL,
                               insurance INTEGER NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX reservations_by_user ON reservations (user_id, status);
    CREATE TABLE legs (reservation_id TEXT NOT NULL REFERENCES reservations, seq INTEGER NOT NULL,
                       flight_number TEXT NOT NULL, date TEXT NOT NULL, price REAL NOT NULL,
                       PRIMARY KEY (reservation_id, seq));
    CREATE TABLE passengers (reservation_id TEXT NOT NULL REFERENCES reservations, seq INTEGER NOT NULL,
                             first_name TEXT NOT NULL, last_name TEXT NOT NULL, dob TEXT NOT NULL,
                             PRIMARY KEY (reservation_id, seq));
    CREATE TABLE payments (payment_txn TEXT PRIMARY KEY, reservation_id TEXT NOT NULL REFERENCES reservations,
                           payment_id TEXT NOT NULL, amount REAL NOT NULL);
    CREATE INDEX payments_by_reservation ON payments (reservation_id);
    """
    volatile = {"reservations": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["airports"].insert_all({"code": c.airport_code, "name": c.airport_name, "city": c.name,
                                   "country": c.country} for c in CITIES)
        codes, flights, dates = [c.airport_code for c in CITIES], [], []
        pairs = {tuple(rng.sample(codes, 2)) for _ in range(40)}
        for a, b in sorted(pairs | {(b, a) for a, b in pairs}):
            minutes = rng.randrange(70, 900, 5)
            for _ in range(rng.choice([1, 1, 2])):
                number = f"MR{rng.randrange(100, 9999)}"
                if number not in {f["flight_number"] for f in flights}:
                    flights.append({"flight_number": number, "origin": a, "destination": b, "minutes": minutes,
                                    "depart_min": rng.randrange(6 * 60, 22 * 60, 5)})
        for flight in flights:
            for offset in range(-4, 22):
                day = cls.start_time.date() + dt.timedelta(days=offset)
                status = ("landed" if offset < 0 else rng.choice(["on time", "on time", "delayed"]) if offset == 0
                          else "cancelled" if rng.random() < 0.03 else "available")
                dates.append({"flight_number": flight["flight_number"], "date": day.isoformat(), "status": status,
                              **{cabin: rng.choice([0, 1, 2, 4, 9, 15, 20]) for cabin in CABINS}})
        db["flights"].insert_all(flights)
        db["flight_dates"].insert_all(dates)
        by_origin = {code: [f for f in flights if f["origin"] == code] for code in codes}
        users, methods, reservations, legs, people, payments = {}, [], [], [], [], []
        while len(users) < 30:
            first, last = fake.first_name(), fake.last_name()
            user_id = f"{first}_{last}_{rng.randrange(1000, 9999)}".lower()
            if not user_id.replace("_", "").isalnum() or user_id in users:
                continue
            dob = dt.date(rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
            users[user_id] = {"user_id": user_id, "name": f"{first} {last}", "email": f"{user_id}@example.com",
                              "dob": dob, "membership": rng.choice(["regular", "regular", "silver", "gold"])}
            own = [{"payment_id": f"credit_card_{rng.randrange(10**6, 10**7)}", "user_id": user_id,
                    "source": "credit_card", "label": f"{rng.choice(['Visa', 'Mastercard', 'Amex'])} ending in "
                    f"{rng.randrange(1000, 9999)}", "balance": None}]
            for source in rng.sample(["gift_card", "certificate", "paypal"], rng.randint(0, 2)):
                own.append({"payment_id": f"{source}_{rng.randrange(10**6, 10**7)}", "user_id": user_id,
                            "source": source, "label": source.replace("_", " "),
                            "balance": None if source == "paypal" else float(rng.randrange(50, 600, 25))})
            methods.extend(own)
            for _ in range(rng.randint(1, 4)):
                first_leg = rng.choice(flights)
                back = [f for f in by_origin[first_leg["destination"]] if f["destination"] == first_leg["origin"]]
                day = cls.start_time.date() + dt.timedelta(days=rng.randrange(-3, 18))
                cabin, trip = rng.choice(CABINS), rng.choice(["one_way", "round_trip"]) if back else "one_way"
                chosen = [(first_leg, day)] + ([(rng.choice(back), day + dt.timedelta(days=rng.randint(2, 6)))]
                                               if trip == "round_trip" else [])
                rid, count = fake_id(rng, "R"), rng.randint(1, 3)
                bags = rng.randint(0, 3)
                free = FREE_BAGS[users[user_id]["membership"]][CABINS.index(cabin)] * count
                booked = cls.start_time - dt.timedelta(hours=rng.choice([3, 20, 30, 200, 600]))
                reservations.append({"reservation_id": rid, "user_id": user_id, "origin": first_leg["origin"],
                                     "destination": first_leg["destination"], "flight_type": trip, "cabin": cabin,
                                     "total_baggages": bags, "nonfree_baggages": max(0, bags - free),
                                     "insurance": int(rng.random() < 0.3), "status": "active",
                                     "created_at": f"{booked:%Y-%m-%dT%H:%M}"})
                legs.extend({"reservation_id": rid, "seq": i, "flight_number": f["flight_number"],
                             "date": d.isoformat(), "price": fare(f, cabin, rng)} for i, (f, d) in enumerate(chosen))
                people.extend({"reservation_id": rid, "seq": i, "first_name": (n := (users[user_id]["name"] if i == 0
                               else f"{fake.first_name()} {fake.last_name()}").split(" ", 1))[0], "last_name": n[1],
                               "dob": dob if i == 0 else (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000)))
                               .isoformat()} for i in range(count))
                total = sum(l["price"] for l in legs[-len(chosen):]) * count + BAG_FEE * reservations[-1][
                    "nonfree_baggages"] + INSURANCE_FEE * count * reservations[-1]["insurance"]
                payments.append({"payment_txn": fake_id(rng, "pay_"), "reservation_id": rid,
                                 "payment_id": own[0]["payment_id"], "amount": round(total, 2)})
        for table, rows in (("users", users.values()), ("payment_methods", methods), ("reservations", reservations),
                            ("legs", legs), ("passengers", people), ("payments", payments)):
            db[table].insert_all(rows)


    # ------------------------------------------------------------------ helpers
    def _user(self, user_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM users WHERE user_id = ?", user_id,
                            error=f"no member with user id '{user_id}'")

    def _reservation(self, reservation_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM reservations WHERE reservation_id = ?", reservation_id,
                            error=f"no reservation '{reservation_id}'; get_user_details lists a member's reservations")

    def _counted(self, reservation_id: str) -> dict[str, Any]:
        """A reservation (as :meth:`_reservation` reads it, with its error) with its number of passengers and its
        member's tier (None for an unknown member), in one query."""
        return self.require(
            "SELECT *, (SELECT COUNT(*) FROM passengers p WHERE p.reservation_id = r.reservation_id) AS passenger_count,"
            " (SELECT membership FROM users u WHERE u.user_id = r.user_id) AS membership FROM reservations r"
            " WHERE reservation_id = ?", reservation_id,
            error=f"no reservation '{reservation_id}'; get_user_details lists a member's reservations")

    def _departs(self, flight: dict[str, Any], date: str) -> dt.datetime:
        return dt.datetime.fromisoformat(date) + dt.timedelta(minutes=flight["depart_min"])

    def _offer(self, flight: dict[str, Any], day: dict[str, Any]) -> FlightOffer:
        arrive = self._departs(flight, day["date"]) + dt.timedelta(minutes=flight["minutes"])
        return {"flight_number": flight["flight_number"], "date": day["date"], "origin": flight["origin"],
                "destination": flight["destination"], "depart_time": f"{self._departs(flight, day['date']):%H:%M}",
                "arrive_time": f"{arrive:%H:%M}" + (" +1" if arrive.date().isoformat() > day["date"] else ""),
                "status": day["status"], "available_seats": {c: day[c] for c in CABINS},
                "prices": {c: fare(flight, c, date=day["date"]) for c in CABINS}}

    def _itinerary(self, flights: list[FlightIn], origin: str, destination: str, trip: str) -> list[dict[str, Any]]:
        """The flights of an itinerary with their dated rows, checked to connect origin and destination."""
        found = []
        for item in flights:
            # the flight and its dated row (NULLs when it does not operate that day), in one query
            leg = self.require("SELECT f.*, d.date, d.status, d.basic_economy, d.economy, d.business FROM flights f"
                               " LEFT JOIN flight_dates d ON d.flight_number = f.flight_number AND d.date = ?2"
                               " WHERE f.flight_number = ?1", item["flight_number"], item["date"],
                               error=f"no flight {item['flight_number']}; search_flights lists flights")
            if leg["date"] is None:
                raise ToolError(f"flight {item['flight_number']} does not operate on {item['date']}; flights are"
                                " scheduled up to 3 weeks ahead")
            found.append(leg)
        stops = [found[0]["origin"]] + [f["destination"] for f in found]
        linked = all(a["destination"] == b["origin"] and a["date"] <= b["date"] for a, b in zip(found, found[1:]))
        end = origin if trip == "round_trip" else destination
        if not linked or stops[0] != origin or stops[-1] != end or destination not in stops:
            raise ToolError(f"the flights do not make a {trip.replace('_', '-')} trip {origin} -> {destination}"
                            f" (they go {' -> '.join(stops)}); list them in travel order")
        return found

    def _bags(self, user: dict[str, Any], cabin: str, passengers: int, total: int, nonfree: int) -> None:
        free = FREE_BAGS[user["membership"]][CABINS.index(cabin)] * passengers
        if nonfree != max(0, total - free):
            raise ToolError(f"a {user['membership']} member gets {free} free bags for {passengers} passenger(s) in"
                            f" {cabin}; with {total} bags nonfree_baggages must be {max(0, total - free)}")

    def _pay(self, reservation_id: str, user_id: str, payment_id: str, amount: float,
             method: dict[str, Any] | None = None) -> None:
        """Charge (amount > 0) or refund (amount < 0) a payment method of the member (``method``: its row, when the
        caller has read it already; {} when it is not the member's)."""
        if method is None:
            method = self.row("SELECT * FROM payment_methods WHERE payment_id = ? AND user_id = ?", payment_id, user_id)
        if not method:
            raise ToolError(f"'{payment_id}' is not a payment method of {user_id}; get_user_details lists them")
        if method["balance"] is not None:
            if amount > method["balance"]:
                raise ToolError(f"{payment_id} has ${method['balance']:.2f} left, not enough for ${amount:.2f};"
                                " use another payment method")
            self.execute("UPDATE payment_methods SET balance = round(balance - ?, 2) WHERE payment_id = ?",
                         amount, payment_id)
        if amount:
            self.execute("INSERT INTO payments VALUES (?, ?, ?, ?)", self.new_id("payments", "pay_"),
                         reservation_id, payment_id, round(amount, 2))

    def _seats(self, legs: list[dict[str, Any]], cabin: str, change: int) -> None:
        """Change the free seats of ``cabin`` on each leg by ``change``, once every leg is checked (the checks read
        the legs' rows in hand, so checking first raises the same error as checking leg by leg)."""
        for leg in legs:
            if change < 0 and leg["status"] != "available":
                raise ToolError(f"flight {leg['flight_number']} on {leg['date']} is {leg['status']} and cannot"
                                " be booked")
            if leg[cabin] + change < 0:
                raise ToolError(f"flight {leg['flight_number']} on {leg['date']} has only {leg[cabin]} {cabin}"
                                f" seat(s) left, {-change} needed")
        self.executemany(f"UPDATE flight_dates SET {cabin} = {cabin} + ? WHERE flight_number = ? AND date = ?",
                         [(change, leg["flight_number"], leg["date"]) for leg in legs])

    def _held(self, reservation: dict[str, Any]) -> list[dict[str, Any]]:
        return self.rows("SELECT l.flight_number, l.date, l.price, f.*, d.* FROM legs l JOIN flights f USING"
                         " (flight_number) JOIN flight_dates d USING (flight_number, date) WHERE l.reservation_id = ?"
                         " ORDER BY l.seq", reservation["reservation_id"])

    # ------------------------------------------------------------------ reads
    @tool(phrase=["list the airports Meridian Air flies to"])
    def list_airports(self) -> Airports:
        """Every airport the airline serves, with its city."""
        return {"airports": self.rows("SELECT * FROM airports ORDER BY code")}

    @tool(phrase=["find flights from {origin} to {destination} on {date}",
                  "look up what flies {origin} to {destination} on {date}"])
    def search_flights(self, origin: Airport, destination: Airport, date: Day) -> Flights:
        """Direct flights between two airports on a date, with status, seats left and fares per cabin.

        Args:
            origin: Departure airport code, e.g. "JFK".
            destination: Arrival airport code, e.g. "LHR".
            date: Departure date, YYYY-MM-DD.
        """
        rows = self.rows("SELECT f.*, d.* FROM flights f JOIN flight_dates d USING (flight_number) WHERE f.origin = ?"
                         " AND f.destination = ? AND d.date = ? ORDER BY f.depart_min", origin, destination, date)
        return {"flights": [self._offer(r, r) for r in rows]}

    @tool(phrase=["find out whether flight {flight_number} on {date} is on time", "check the status of {flight_number} on {date}"])
    def get_flight_status(self, flight_number: Annotated[str, UserKnown, Field(pattern=r"^MR\d{3,4}$")],
                          date: Day) -> Status:
        """The status of a flight on a date (available, on time, delayed, cancelled, landed).

        Args:
            flight_number: Flight number, e.g. "MR1042".
            date: Date of the flight, YYYY-MM-DD.
        """
        return self.require("SELECT flight_number, date, status FROM flight_dates WHERE flight_number = ? AND date = ?",
                            flight_number, date, error=f"flight {flight_number} does not operate on {date}")

    @tool(phrase=["show my Meridian Air profile (user id {user_id})", "list the payment methods on my account {user_id}"])
    def get_user_details(self, user_id: UserId) -> User:
        """A member's profile: name, email, membership tier, payment methods (with balances) and reservations.

        Args:
            user_id: The member's user id, e.g. "mia_li_3668".
        """
        user = self._user(user_id)
        return {"user_id": user_id, "name": user["name"], "email": user["email"], "membership": user["membership"],
                "payment_methods": self.rows("SELECT payment_id, source, label, balance FROM payment_methods"
                                             " WHERE user_id = ? ORDER BY payment_id", user_id),
                "reservations": [r["reservation_id"] for r in self.rows(
                    "SELECT reservation_id FROM reservations WHERE user_id = ? ORDER BY created_at", user_id)]}

    @tool(phrase=["show the details of my reservation {reservation_id}", "pull up booking {reservation_id}"])
    def get_reservation_details(self, reservation_id: ReservationId) -> Reservation:
        """A reservation's flights, passengers, cabin, bags, insurance, status and total paid.

        Args:
            reservation_id: The reservation code, e.g. "R1a2b3c4d5e".
        """
        found = self._reservation(reservation_id)
        legs = self.rows("SELECT l.flight_number, l.date, f.origin, f.destination, l.price FROM legs l JOIN flights f"
                         " USING (flight_number) WHERE reservation_id = ? ORDER BY seq", reservation_id)
        people = self.rows("SELECT first_name, last_name, dob FROM passengers WHERE reservation_id = ? ORDER BY seq",
                           reservation_id)
        paid = self.value("SELECT COALESCE(SUM(amount), 0) FROM payments WHERE reservation_id = ?", reservation_id)
        return {**found, "insurance": bool(found["insurance"]), "flights": legs, "passengers": people,
                "total_price": round(paid, 2)}

    # ------------------------------------------------------------------ writes
    @tool(writes=True, phrase=[
        "book a {flight_type} {cabin} trip {origin} to {destination} for user {user_id}, paying with {payment_method}",
        "reserve {cabin} seats from {origin} to {destination} on my account {user_id} with {payment_method}"])
    def book_reservation(self, user_id: UserId, origin: Airport, destination: Airport,
                         flight_type: Literal["one_way", "round_trip"], cabin: Cabin,
                         flights: Annotated[list[FlightIn], Field(min_length=1, max_length=4)],
                         passengers: Annotated[list[PassengerIn], Field(min_length=1, max_length=MAX_PASSENGERS)],
                         payment_method: str, total_baggages: Bags, nonfree_baggages: Bags,
                         insurance: bool) -> Reservation:
        """Book flights for up to 5 passengers in one cabin, paid from one of the member's payment methods
        (gift cards and certificates need enough balance).

        Args:
            user_id: The member's user id.
            origin: Airport the trip starts from.
            destination: Airport the trip goes to.
            flight_type: one_way, or round_trip (the flights return to the origin).
            cabin: Cabin for every flight.
            flights: The flights in travel order, each {"flight_number", "date"}.
            passengers: Each {"first_name", "last_name", "dob" (YYYY-MM-DD)}.
            payment_method: A payment_id from get_user_details, e.g. "credit_card_4421093".
            total_baggages: Checked bags of all passengers together.
            nonfree_baggages: Bags beyond the free allowance ($50 each).
            insurance: Travel insurance at $30 per passenger.
        """
        user = self._user(user_id)
        legs, now = self._itinerary(flights, origin, destination, flight_type), self.now()
        if any(self._departs(leg, leg["date"]) <= now for leg in legs):
            raise ToolError("a flight of this itinerary has already departed; choose later flights")
        self._bags(user, cabin, len(passengers), total_baggages, nonfree_baggages)
        self._seats(legs, cabin, -len(passengers))
        rid = self.new_id("reservations", "R")
        booked = {"reservation_id": rid, "user_id": user_id, "origin": origin, "destination": destination,
                  "flight_type": flight_type, "cabin": cabin, "total_baggages": total_baggages,
                  "nonfree_baggages": nonfree_baggages, "insurance": int(insurance), "status": "active",
                  "created_at": f"{now:%Y-%m-%dT%H:%M}"}
        self.execute("INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", *booked.values())
        held = [{"flight_number": leg["flight_number"], "date": leg["date"], "origin": leg["origin"],
                 "destination": leg["destination"], "price": fare(leg, cabin, date=leg["date"])} for leg in legs]
        self.executemany("INSERT INTO legs VALUES (?, ?, ?, ?, ?)", [
            (rid, i, leg["flight_number"], leg["date"], leg["price"]) for i, leg in enumerate(held)])
        people = [{"first_name": p["first_name"].strip(), "last_name": p["last_name"].strip(), "dob": p["dob"]}
                  for p in passengers]
        self.executemany("INSERT INTO passengers VALUES (?, ?, ?, ?, ?)", [
            (rid, i, *person.values()) for i, person in enumerate(people)])
        total = (sum(leg["price"] for leg in held) * len(passengers) + BAG_FEE * nonfree_baggages
                 + INSURANCE_FEE * len(passengers) * insurance)
        self._pay(rid, user_id, payment_method, total)
        # what get_reservation_details reads back: the rows just written, and the one payment (fares are positive)
        return {**booked, "insurance": bool(insurance), "flights": held, "passengers": people,
                "total_price": round(total, 2)}

    @tool(writes=True, phrase=["move reservation {reservation_id} to other flights in {cabin}, paying with"
                               " {payment_method}", "change the cabin of booking {reservation_id} to {cabin}"
                               " (charge or refund {payment_method})"])
    def update_reservation_flights(self, reservation_id: ReservationId, cabin: Cabin,
                                   flights: Annotated[list[FlightIn], Field(min_length=1, max_length=4)],
                                   payment_method: str) -> Charge:
        """Change a reservation's flights and/or cabin, keeping its origin, destination and trip type; flown
        flights stay as they are; basic economy flights cannot be changed (the cabin can be upgraded). The fare
        difference is charged to, or refunded to, the payment method.

        Args:
            reservation_id: The reservation code.
            cabin: Cabin for every flight after the change.
            flights: The whole itinerary after the change, in travel order, each {"flight_number", "date"}.
            payment_method: A payment_id of the member for the difference.
        """
        found = self._counted(reservation_id)
        if found["status"] != "active":
            raise ToolError(f"reservation {reservation_id} is {found['status']}")
        old, count = self._held(found), found["passenger_count"]
        new = self._itinerary(flights, found["origin"], found["destination"], found["flight_type"])
        key = lambda leg: (leg["flight_number"], leg["date"])  # noqa: E731
        if found["cabin"] == "basic_economy" and list(map(key, old)) != list(map(key, new)):
            raise ToolError("basic economy flights cannot be changed; only the cabin of the same flights can be"
                            " upgraded")
        now = self.now()
        flown = [leg for leg in old if self._departs(leg, leg["date"]) <= now]
        if any(key(leg) not in set(map(key, new)) for leg in flown):
            raise ToolError(f"flight {flown[0]['flight_number']} on {flown[0]['date']} has already been flown and"
                            " must stay in the itinerary")
        if cabin == found["cabin"] and list(map(key, old)) == list(map(key, new)):
            raise ToolError(f"reservation {reservation_id} already has these flights in {cabin}")
        kept = {key(leg): leg["price"] for leg in old} if cabin == found["cabin"] else {}
        self._seats([leg for leg in old if key(leg) not in kept], found["cabin"], count)
        self._seats([leg for leg in new if key(leg) not in kept], cabin, -count)
        prices = [kept.get(key(leg), fare(leg, cabin, date=leg["date"])) for leg in new]
        self.execute("DELETE FROM legs WHERE reservation_id = ?", reservation_id)
        self.executemany("INSERT INTO legs VALUES (?, ?, ?, ?, ?)", [
            (reservation_id, i, *key(leg), price) for i, (leg, price) in enumerate(zip(new, prices))])
        difference = round((sum(prices) - sum(leg["price"] for leg in old)) * count, 2)
        self.execute("UPDATE reservations SET cabin = ? WHERE reservation_id = ?", cabin, reservation_id)
        self._pay(reservation_id, found["user_id"], payment_method, difference)
        return {"reservation_id": reservation_id, "status": "active", "additional_charge": difference}

    @tool(writes=True, phrase=["update the passenger details on reservation {reservation_id}"])
    def update_reservation_passengers(self, reservation_id: ReservationId, passengers: Annotated[
            list[PassengerIn], Field(min_length=1, max_length=MAX_PASSENGERS)]) -> Charge:
        """Replace the passengers' names and birth dates; the number of passengers cannot change.

        Args:
            reservation_id: The reservation code.
            passengers: All passengers after the change, each {"first_name", "last_name", "dob"}.
        """
        found = self._counted(reservation_id)
        count = found["passenger_count"]
        if found["status"] != "active":
            raise ToolError(f"reservation {reservation_id} is {found['status']}")
        if len(passengers) != count:
            raise ToolError(f"reservation {reservation_id} has {count} passenger(s); the number cannot change:"
                            " cancel and book again to add or remove travellers")
        self.execute("DELETE FROM passengers WHERE reservation_id = ?", reservation_id)
        self.executemany("INSERT INTO passengers VALUES (?, ?, ?, ?, ?)", [
            (reservation_id, i, p["first_name"].strip(), p["last_name"].strip(), p["dob"])
            for i, p in enumerate(passengers)])
        return {"reservation_id": reservation_id, "status": "active", "additional_charge": 0.0}

    @tool(writes=True, phrase=["bring the checked bags on {reservation_id} to {total_baggages}, paying with"
                               " {payment_method}", "add bags to my booking {reservation_id}: {total_baggages} in"
                               " all, {nonfree_baggages} of them paid, charged to {payment_method}"])
    def update_reservation_baggage(self, reservation_id: ReservationId, total_baggages: Bags, nonfree_baggages: Bags,
                                   payment_method: str) -> Charge:
        """Add checked bags to a reservation (bags cannot be removed); extra bags cost $50 each.

        Args:
            reservation_id: The reservation code.
            total_baggages: All checked bags after the change.
            nonfree_baggages: Bags beyond the free allowance after the change.
            payment_method: A payment_id of the member for the fee.
        """
        found = self._counted(reservation_id)
        if found["status"] != "active":
            raise ToolError(f"reservation {reservation_id} is {found['status']}")
        if total_baggages <= found["total_baggages"]:
            raise ToolError(f"reservation {reservation_id} already has {found['total_baggages']} bag(s); bags can"
                            " only be added")
        member = found if found["membership"] is not None else self._user(found["user_id"])
        self._bags(member, found["cabin"], found["passenger_count"], total_baggages, nonfree_baggages)
        fee = float(BAG_FEE * (nonfree_baggages - found["nonfree_baggages"]))
        self.execute("UPDATE reservations SET total_baggages = ?, nonfree_baggages = ? WHERE reservation_id = ?",
                     total_baggages, nonfree_baggages, reservation_id)
        self._pay(reservation_id, found["user_id"], payment_method, fee)
        return {"reservation_id": reservation_id, "status": "active", "additional_charge": fee}

    @tool(writes=True, phrase=["cancel my reservation {reservation_id}", "I can't travel: cancel {reservation_id}"])
    def cancel_reservation(self, reservation_id: ReservationId) -> Cancelled:
        """Cancel a reservation and refund what was paid to the original payment methods. Allowed before any flight
        is flown, when booked in the last 24 hours, in business, with insurance, or when the airline cancelled a
        flight.

        Args:
            reservation_id: The reservation code.
        """
        found = self._counted(reservation_id)
        if found["status"] != "active":
            raise ToolError(f"reservation {reservation_id} is already {found['status']}")
        legs = self._held(found)
        now = self.now()
        if any(self._departs(leg, leg["date"]) <= now for leg in legs):
            raise ToolError(f"part of reservation {reservation_id} has already been flown; it cannot be cancelled")
        recent = now - dt.datetime.fromisoformat(found["created_at"]) <= dt.timedelta(hours=24)
        if not (recent or found["cabin"] == "business" or found["insurance"]
                or any(leg["status"] == "cancelled" for leg in legs)):
            raise ToolError(f"reservation {reservation_id} is {found['cabin']} without insurance, booked over 24"
                            " hours ago, and no flight was cancelled by the airline: it cannot be refunded")
        self._seats([leg for leg in legs if leg["status"] == "available"], found["cabin"], found["passenger_count"])
        refund = 0.0
        # each method's payments with the member's method row (refunds never change another method's row)
        for payment_id, amount, mine, balance in self.conn.execute(kept_prepared(
                "SELECT p.payment_id, SUM(p.amount), m.payment_id IS NOT NULL, m.balance FROM payments p"
                " LEFT JOIN payment_methods m ON m.payment_id = p.payment_id AND m.user_id = ?2"
                " WHERE p.reservation_id = ?1 GROUP BY p.payment_id ORDER BY p.payment_id"),
                (reservation_id, found["user_id"])).fetchall():
            self._pay(reservation_id, found["user_id"], payment_id, -amount, {"balance": balance} if mine else {})
            refund += amount
        self.execute("UPDATE reservations SET status = 'cancelled' WHERE reservation_id = ?", reservation_id)
        return {"reservation_id": reservation_id, "status": "cancelled", "refund_amount": round(refund, 2)}


def fare(flight: dict[str, Any], cabin: str, rng: random.Random | None = None, date: str = "") -> float:
    """A fare: by flight length and cabin, moved by the day (seeded rows pass their rng instead)."""
    swing = rng.uniform(0.9, 1.3) if rng else 0.9 + (sum(map(ord, flight["flight_number"] + date)) % 40) / 100
    return float(round(flight["minutes"] * FARE_PER_MINUTE[cabin] * swing + 40))
