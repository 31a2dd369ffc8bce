"""HotelBooking: hotels of the Travel domain's cities, room types with nightly prices and limited rooms, bookings with
guests, changes, cancellations with refund rules, and reviews of past stays."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, kept_prepared
from envs.travel.cities import CITIES, FIRST_TRAVEL_DAY, TRAVEL_DAYS, parse_date, plan_travellers

BookingStatus = Literal["confirmed", "cancelled", "completed"]
Adults = Annotated[int, Field(ge=1, le=8)]
Kids = Annotated[int, Field(ge=0, le=6)]
#: A guest list: at least the lead guest, no empty names.
GuestNames = Annotated[list[NonEmptyStr], Field(min_length=1)]

HOTEL_WORDS = ("Aurora", "Harbor", "Linden", "Bellevue", "Regent", "Lantern", "Maple", "Crown", "Juniper",
               "Sterling", "Willow", "Cobalt", "Granite", "Saffron", "Ivory", "Summit", "Beacon", "Marigold",
               "Cypress", "Orchid", "Falcon", "Meadow", "Northgate", "Palisade")
HOTEL_PATTERNS = ("The {w} Hotel", "Hotel {w}", "{w} Suites", "{w} Inn", "{w} Grand", "{w} House")
NEIGHBORHOODS = ("Old Town", "City Centre", "Riverside", "Financial District", "Museum Quarter", "Harbourfront",
                 "University District", "Airport Area")
AMENITIES = ("free wifi", "breakfast included", "gym", "pool", "spa", "airport shuttle", "parking", "restaurant",
             "bar", "pet friendly")
#: name, max adults, max kids, price factor over the hotel's base rate
ROOM_KINDS = (("Single Room", 1, 0, 0.75), ("Standard Queen", 2, 0, 1.0), ("Twin Room", 2, 1, 1.1),
              ("Deluxe King", 2, 1, 1.45), ("Family Suite", 4, 3, 2.1))
REVIEW_COMMENTS = ("Great location and friendly staff.", "Clean rooms, but the walls are thin.",
                   "Breakfast was excellent.", "A bit overpriced for what you get.", "Would happily stay again.",
                   "Check-in took forever.", "Quiet, comfortable and close to the metro.", "The bed was too soft.")
WEEKEND_SURCHARGE = 0.20
MAX_NIGHTS = 30


def nights_of(checkin: dt.date, checkout: dt.date) -> list[dt.date]:
    return [checkin + dt.timedelta(days=n) for n in range((checkout - checkin).days)]


def nightly_price(room: dict[str, Any], night: dt.date) -> float:
    """The room's rate for one night: Friday and Saturday nights cost 20% more."""
    surcharge = 1 + WEEKEND_SURCHARGE if night.weekday() in (4, 5) else 1
    return round(room["price_per_night"] * surcharge, 2)


def stay_price(room: dict[str, Any], checkin: dt.date, checkout: dt.date) -> float:
    """The sum of nightly_price over the stay's nights, in order (each night's weekday counted from checkin's)."""
    price = room["price_per_night"]
    weekday, weekend = round(price * 1, 2), round(price * (1 + WEEKEND_SURCHARGE), 2)
    first = checkin.weekday()
    return round(sum(weekend if (first + n) % 7 in (4, 5) else weekday for n in range((checkout - checkin).days)), 2)


def cancellation_deadline(room: dict[str, Any], checkin: str) -> str | None:
    """Last day a stay can be cancelled for free, or None for a non-refundable rate."""
    days = room["free_cancellation_days"]
    return None if days is None else (dt.date.fromisoformat(checkin) - dt.timedelta(days=days)).isoformat()


# ------------------------------------------------------------------------------------------- declared returns
class Destination(TypedDict):
    destination_id: str
    city: str
    country: str
    description: str
    hotel_count: int


class RoomOffer(TypedDict):
    room_type_id: str
    name: str
    price_per_night: float
    free_cancellation_days: int | None
    #: Only when dates were given.
    rooms_left: NotRequired[int]
    total_price: NotRequired[float]


class HotelOffers(TypedDict):
    hotel_id: str
    name: str
    stars: int
    neighborhood: str
    rating: float | None
    review_count: int
    rooms: list[RoomOffer]


class RoomType(TypedDict):
    room_type_id: str
    name: str
    max_adults: int
    max_kids: int
    price_per_night: float
    free_cancellation_days: int | None


class ReviewExcerpt(TypedDict):
    reviewer: str
    rating: int
    comment: str


class HotelDetails(TypedDict):
    hotel_id: str
    destination_id: str
    name: str
    stars: int
    neighborhood: str
    address: str
    amenities: list[str]
    city: str
    country: str
    rating: float | None
    review_count: int
    room_types: list[RoomType]
    latest_reviews: list[ReviewExcerpt]


class Stay(TypedDict):
    booking_id: str
    hotel_id: str
    room_type_id: str
    checkin_date: str
    checkout_date: str
    adults: int
    kids: int
    total_price: float
    status: str
    refund_amount: float | None
    created_at: str
    cancelled_at: str | None
    hotel_name: str
    city: str
    room_type: str
    free_cancellation_days: int | None
    price_per_night: float
    guests: list[str]
    free_cancellation_until: str | None
    cancellation_policy: str


class StayView(Stay):
    #: Only for confirmed bookings.
    refund_if_cancelled_now: NotRequired[float]


class ChangedStay(Stay):
    price_difference: float


class StayCancellation(TypedDict):
    booking_id: str
    status: str
    refund_amount: float
    currency: str


class StaySummary(TypedDict):
    booking_id: str
    hotel_name: str
    city: str
    room_type: str
    checkin_date: str
    checkout_date: str
    adults: int
    kids: int
    total_price: float
    status: str
    guests: str


class Review(TypedDict):
    review_id: str
    hotel_name: str
    rating: int
    hotel_rating: float
    review_count: int


class HotelBooking(World):
    """Hotel reservations in the Travel domain's cities: search destinations and hotels, check room prices and
    availability for dates (YYYY-MM-DD), book rooms for named guests, change or cancel bookings, review past stays;
    prices in USD."""

    domain = "Travel"
    schema = """
    CREATE TABLE destinations (destination_id TEXT PRIMARY KEY, city TEXT NOT NULL UNIQUE, country TEXT NOT NULL,
                               description TEXT NOT NULL);
    CREATE TABLE hotels (hotel_id TEXT PRIMARY KEY, destination_id TEXT NOT NULL REFERENCES destinations,
                         name TEXT NOT NULL UNIQUE, stars INTEGER NOT NULL, neighborhood TEXT NOT NULL,
                         address TEXT NOT NULL, amenities TEXT NOT NULL);
    CREATE TABLE room_types (room_type_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL REFERENCES hotels,
                             name TEXT NOT NULL, max_adults INTEGER NOT NULL, max_kids INTEGER NOT NULL,
                             price_per_night REAL NOT NULL, total_rooms INTEGER NOT NULL,
                             free_cancellation_days INTEGER, UNIQUE (hotel_id, name));
    CREATE TABLE bookings (booking_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL REFERENCES hotels,
                           room_type_id TEXT NOT NULL REFERENCES room_types, checkin_date TEXT NOT NULL,
                           checkout_date TEXT NOT NULL, adults INTEGER NOT NULL, kids INTEGER NOT NULL,
                           total_price REAL NOT NULL, status TEXT NOT NULL, refund_amount REAL,
                           created_at TEXT NOT NULL, cancelled_at TEXT);
    CREATE TABLE booking_guests (booking_id TEXT NOT NULL REFERENCES bookings, position INTEGER NOT NULL,
                                 guest_name TEXT NOT NULL, PRIMARY KEY (booking_id, position));
    CREATE TABLE reviews (review_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL REFERENCES hotels,
                          booking_id TEXT UNIQUE REFERENCES bookings, reviewer TEXT NOT NULL,
                          rating INTEGER NOT NULL, comment TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX bookings_room ON bookings (room_type_id, checkin_date);
    CREATE INDEX bookings_by_status ON bookings (status, checkin_date);
    """
    text_search = {"destinations": ("city", "country"), "booking_guests": ("guest_name",)}
    volatile = {"bookings": ("created_at", "cancelled_at"), "reviews": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        travellers, trips = plan_travellers(rng, fake)
        destinations, hotels, rooms, names = [], [], [], set()
        for place in CITIES:
            destination_id = fake_id(rng, "dst_")
            destinations.append({"destination_id": destination_id, "city": place.name, "country": place.country,
                                 "description": f"{place.name}, {place.country}"})
            for _ in range(3):
                name = rng.choice(HOTEL_PATTERNS).format(w=rng.choice(HOTEL_WORDS))
                while name in names:
                    name = rng.choice(HOTEL_PATTERNS).format(w=rng.choice(HOTEL_WORDS)) + f" {place.name}"
                names.add(name)
                hotel_id, stars = fake_id(rng, "htl_"), rng.randint(2, 5)
                hotels.append({"hotel_id": hotel_id, "destination_id": destination_id, "name": name, "stars": stars,
                               "neighborhood": rng.choice(NEIGHBORHOODS), "address": fake.street_address(),
                               "amenities": ", ".join(sorted(rng.sample(AMENITIES, 4)))})
                base = stars * 45 + rng.randint(15, 60)
                for kind, max_adults, max_kids, factor in sorted(rng.sample(ROOM_KINDS, 3), key=lambda k: k[3]):
                    rooms.append({"room_type_id": fake_id(rng, "rm_"), "hotel_id": hotel_id, "name": kind,
                                  "max_adults": max_adults, "max_kids": max_kids,
                                  "price_per_night": round(base * factor * rng.uniform(0.95, 1.05), 2),
                                  "total_rooms": rng.randint(1, 4),
                                  "free_cancellation_days": rng.choice([None, 1, 3, 7])})
        db["destinations"].insert_all(destinations)
        db["hotels"].insert_all(hotels)
        db["room_types"].insert_all(rooms)
        stays = Stays(rng, hotels, rooms)
        for trip in trips:
            if trip.with_hotel:
                city_id = next(d["destination_id"] for d in destinations if d["city"] == trip.destination)
                stays.book(city_id, [trip.traveller.full_name], trip.date, trip.checkout, "confirmed")
        guests = [t.full_name for t in travellers[len(trips):]] + [fake.name() for _ in range(20)]
        for index, lead in enumerate(guests):
            party = [lead] + [fake.name() for _ in range(rng.choice([0, 0, 1]))]
            if index % 3 == 0:
                checkin = dt.date(2026, 2, rng.randint(1, 20))
                status = "completed"
            else:
                checkin = FIRST_TRAVEL_DAY + dt.timedelta(days=rng.randrange(TRAVEL_DAYS))
                status = rng.choice(["confirmed", "confirmed", "confirmed", "cancelled"])
            city_id = rng.choice(destinations)["destination_id"]
            stays.book(city_id, party, checkin, checkin + dt.timedelta(days=rng.randint(1, 4)), status)
        reviews = []
        for booking in stays.bookings:
            if booking["status"] == "completed" and rng.random() < 0.4:
                reviews.append(stays.review(booking, rng.randint(3, 5), rng.choice(REVIEW_COMMENTS)))
        for hotel in hotels:
            for _ in range(rng.randint(1, 4)):
                reviews.append({"review_id": fake_id(rng, "rev_"), "hotel_id": hotel["hotel_id"], "booking_id": None,
                                "reviewer": f"{fake.first_name()} {fake.last_name()[0]}.",
                                "rating": rng.choice([2, 3, 3, 4, 4, 4, 5, 5]),
                                "comment": rng.choice(REVIEW_COMMENTS), "created_at": "2026-01-15T12:00"})
        db["bookings"].insert_all(stays.bookings)
        db["booking_guests"].insert_all(stays.guests)
        db["reviews"].insert_all(reviews)

    # ------------------------------------------------------------------ helpers
    def _hotel(self, hotel_id: str) -> dict[str, Any]:
        return self.require("SELECT h.*, d.city, d.country FROM hotels h JOIN destinations d USING (destination_id)"
                            " WHERE h.hotel_id = ?", hotel_id,
                            error=f"no hotel '{hotel_id}'; get_hotels lists the hotels of a destination")

    def _rating(self, hotel_id: str) -> dict[str, Any]:
        return self.row("SELECT ROUND(AVG(rating), 1) AS rating, COUNT(*) AS review_count FROM reviews"
                        " WHERE hotel_id = ?", hotel_id)

    def _stay(self, checkin_date: str, checkout_date: str) -> tuple[dt.date, dt.date]:
        checkin, checkout = parse_date(checkin_date, "checkin_date"), parse_date(checkout_date, "checkout_date")
        if checkin < self.now().date():
            raise ToolError(f"checkin_date {checkin_date} is in the past")
        if checkout <= checkin:
            raise ToolError("checkout_date must be after checkin_date")
        if (checkout - checkin).days > MAX_NIGHTS:
            raise ToolError(f"a stay can last at most {MAX_NIGHTS} nights")
        return checkin, checkout

    def _rooms_left(self, room: dict[str, Any], checkin: dt.date, checkout: dt.date,
                    ignore_booking: str | None = None) -> int:
        """Rooms of a type free on every night of a stay (confirmed bookings hold rooms)."""
        nights = (checkout - checkin).days
        taken = [0] * nights  # bookings holding a room on each night of the stay
        for other_checkin, other_checkout in self.conn.execute(kept_prepared(
                "SELECT checkin_date, checkout_date FROM bookings WHERE room_type_id = ? AND status = 'confirmed'"
                " AND checkin_date < ? AND checkout_date > ? AND booking_id IS NOT ?"), (room["room_type_id"],
                checkout.isoformat(), checkin.isoformat(), ignore_booking)):
            for night in range(max((dt.date.fromisoformat(other_checkin) - checkin).days, 0),
                               min((dt.date.fromisoformat(other_checkout) - checkin).days, nights)):
                taken[night] += 1
        return room["total_rooms"] - max(taken, default=0)

    _BOOKING = ("SELECT b.*, h.name AS hotel_name, d.city, r.name AS room_type, r.free_cancellation_days,"
                " r.price_per_night{} FROM bookings b JOIN hotels h USING (hotel_id) JOIN destinations d"
                " USING (destination_id) JOIN room_types r USING (room_type_id) WHERE b.booking_id = ?")
    #: _booking's query, and the same with the room type's capacity and stock after its columns
    _BOOKING_SQL = _BOOKING.format("")
    _BOOKING_WRITE_SQL = _BOOKING.format(", r.max_adults, r.max_kids, r.total_rooms")

    def _booking(self, booking_id: str, guests: bool = True, write: bool = False) -> dict[str, Any]:
        """A booking with its hotel, city and room type, guests (or [] when ``guests`` is false: for callers that
        do not use them) and cancellation terms; ``write`` adds max_adults, max_kids and total_rooms (popped by
        _room)."""
        booking = self.require(
            self._BOOKING_WRITE_SQL if write else self._BOOKING_SQL, booking_id,
            error=f"no hotel booking '{booking_id}'; list_bookings finds bookings by guest name")
        return self._with_terms(booking, self._guest_names(booking_id) if guests else [])

    def _room(self, booking: dict[str, Any]) -> dict[str, Any]:
        """The room type of a booking read with write=True, with the columns the room helpers use; the extra columns
        are removed from the booking."""
        room = {"room_type_id": booking["room_type_id"], "name": booking["room_type"],
                "max_adults": booking.pop("max_adults"), "max_kids": booking.pop("max_kids"),
                "price_per_night": booking["price_per_night"], "total_rooms": booking.pop("total_rooms"),
                "free_cancellation_days": booking["free_cancellation_days"]}
        return room

    @staticmethod
    def _with_terms(booking: dict[str, Any], guests: list[str]) -> dict[str, Any]:
        """A booking row (bookings columns, then hotel_name, city, room_type, free_cancellation_days,
        price_per_night) completed with its guests and cancellation terms, as _booking returns it."""
        booking["guests"] = guests
        deadline = cancellation_deadline(booking, booking["checkin_date"])
        booking["free_cancellation_until"] = deadline
        booking["cancellation_policy"] = f"free cancellation until {deadline}" if deadline else "non-refundable"
        return booking

    def _guest_names(self, booking_id: str) -> list[str]:
        """A booking's guests, lead guest first."""
        return [r["guest_name"] for r in self.rows(
            "SELECT guest_name FROM booking_guests WHERE booking_id = ? ORDER BY position", booking_id)]

    def _changeable(self, booking_id: str, guests: bool = True, write: bool = False) -> dict[str, Any]:
        booking = self._booking(booking_id, guests, write)
        if booking["status"] != "confirmed":
            raise ToolError(f"booking '{booking_id}' is {booking['status']}; only confirmed bookings can be changed")
        return booking

    def _refund(self, booking: dict[str, Any]) -> float:
        """What cancelling now returns: everything until the free-cancellation day, then all but the first night;
        nothing on a non-refundable rate."""
        deadline = booking["free_cancellation_until"]
        if deadline is None:
            return 0.0
        if self.now().date().isoformat() <= deadline:
            return booking["total_price"]
        return round(booking["total_price"] - nightly_price(booking, dt.date.fromisoformat(booking["checkin_date"])), 2)

    def _set_guests(self, booking_id: str, guest_names: list[str], capacity: int,
                    current: list[str] | None = None) -> list[str]:
        """Store a booking's guest list (``current``: its guests now, None for a new booking); returns the names."""
        names = [name.strip() for name in guest_names]
        if len(names) > capacity:
            raise ToolError(f"{len(names)} guest names given but the booking is for {capacity} people")
        if names == current:  # the same rows: rewriting them would leave the table as it is
            return names
        if current is not None:
            self.execute("DELETE FROM booking_guests WHERE booking_id = ?", booking_id)
        self.executemany("INSERT INTO booking_guests VALUES (?, ?, ?)",
                         [(booking_id, position, name) for position, name in enumerate(names, 1)])
        return names

    def _fit(self, room: dict[str, Any], adults: int, kids: int) -> None:
        if adults > room["max_adults"] or kids > room["max_kids"]:
            raise ToolError(f"a {room['name']} holds at most {room['max_adults']} adults and {room['max_kids']} kids")

    def _reserve(self, room: dict[str, Any], checkin: dt.date, checkout: dt.date, ignore_booking: str | None = None
                 ) -> float:
        """Check that a room type is free for a stay; return the stay's price."""
        if self._rooms_left(room, checkin, checkout, ignore_booking) <= 0:
            raise ToolError(f"no {room['name']} is free from {checkin} to {checkout}; get_hotels shows what is free")
        return stay_price(room, checkin, checkout)

    # -------------------------------------------------------------------- tools
    @tool(phrase=["look up destinations matching {city}", "find the destinations for {city}"])
    def search_destinations(self, city: NonEmptyStr) -> list[Destination]:
        """Find destinations by city or country name (part of it is enough).

        Args:
            city: City or country, e.g. 'Rome'.
        """
        matches, params = self.text_filter("destinations", city)
        return self.rows(
            "SELECT destination_id, destinations.city, destinations.country, destinations.description,"
            " COUNT(h.hotel_id) AS hotel_count FROM destinations LEFT JOIN hotels h USING (destination_id)"
            f" WHERE {matches} GROUP BY destination_id ORDER BY destinations.city", *params)

    @tool(phrase=[
        ("list the hotels at {destination_id}[ from {checkin_date}][ to {checkout_date}][, {adults} adult(s)]"
         "[, {kids} child(ren)]"),
        ("show me hotels at {destination_id}[ for a stay from {checkin_date}][ to {checkout_date}]"
         "[, {adults} adult(s)][, {kids} child(ren)]"),
    ])
    def get_hotels(self, destination_id: str, checkin_date: str | None = None, checkout_date: str | None = None,
                   adults: Adults = 1, kids: Kids = 0, limit: Annotated[int, Field(ge=1, le=50)] = 10
                   ) -> list[HotelOffers]:
        """List a destination's hotels with the room types that fit the party.

        With dates, only rooms free on every night are shown, with the stay's total price (Friday and Saturday nights
        cost 20% more), cheapest hotels first; without dates, nightly prices only, by name.

        Args:
            destination_id: The destination's id (from search_destinations).
            checkin_date: Arrival day, YYYY-MM-DD.
            checkout_date: Departure day, YYYY-MM-DD.
            adults: Number of adults (1-8).
            kids: Number of children (0-6).
            limit: At most this many hotels (1-50).
        """
        self.require("SELECT 1 FROM destinations WHERE destination_id = ?", destination_id,
                     error=f"no destination '{destination_id}'; search_destinations gives the ids")
        if (checkin_date is None) != (checkout_date is None):
            raise ToolError("give both checkin_date and checkout_date, or neither")
        stay = self._stay(checkin_date, checkout_date) if checkin_date and checkout_date else None
        found = []
        for hotel in self.rows("SELECT hotel_id, name, stars, neighborhood FROM hotels WHERE destination_id = ?"
                               " ORDER BY name", destination_id):
            rooms = []
            for room in self.rows("SELECT * FROM room_types WHERE hotel_id = ? AND max_adults >= ? AND max_kids >= ?"
                                  " ORDER BY price_per_night", hotel["hotel_id"], adults, kids):
                offer = {"room_type_id": room["room_type_id"], "name": room["name"],
                         "price_per_night": room["price_per_night"],
                         "free_cancellation_days": room["free_cancellation_days"]}
                if stay:
                    offer["rooms_left"] = self._rooms_left(room, *stay)
                    if offer["rooms_left"] <= 0:
                        continue
                    offer["total_price"] = stay_price(room, *stay)
                rooms.append(offer)
            if rooms:
                found.append({**hotel, **self._rating(hotel["hotel_id"]), "rooms": rooms})
        if stay:
            found.sort(key=lambda h: (min(r["total_price"] for r in h["rooms"]), h["name"]))
        return found[:limit]

    @tool(phrase=["show me the details of {hotel_id}", "tell me about {hotel_id}"])
    def get_hotel_details(self, hotel_id: str) -> HotelDetails:
        """A hotel's address, amenities, rating, room types (capacity, nightly price, cancellation terms) and latest
        reviews.

        Args:
            hotel_id: The hotel's id (from get_hotels).
        """
        hotel = self._hotel(hotel_id)
        hotel["amenities"] = hotel["amenities"].split(", ")
        hotel.update(self._rating(hotel_id))
        hotel["room_types"] = self.rows(
            "SELECT room_type_id, name, max_adults, max_kids, price_per_night, free_cancellation_days"
            " FROM room_types WHERE hotel_id = ? ORDER BY price_per_night", hotel_id)
        hotel["latest_reviews"] = self.rows("SELECT reviewer, rating, comment FROM reviews WHERE hotel_id = ?"
                                            " ORDER BY created_at DESC, review_id LIMIT 3", hotel_id)
        return hotel

    @tool(writes=True, phrase=[
        ("book {room_type_id} at {hotel_id} from {checkin_date} to {checkout_date} for {guest_names} ({adults} "
         "adult(s)[, {kids} child(ren)])"),
        ("reserve {room_type_id} at {hotel_id} for {guest_names}, checking in {checkin_date} and out {checkout_date} "
         "({adults} adult(s)[, {kids} child(ren)])"),
    ])
    def book_hotel(self, hotel_id: str, room_type_id: str, checkin_date: str, checkout_date: str, adults: Adults,
                   guest_names: GuestNames, kids: Kids = 0) -> Stay:
        """Book one room for a stay; the lead guest comes first in guest_names.

        Args:
            hotel_id: The hotel's id.
            room_type_id: The room type's id (from get_hotels or get_hotel_details).
            checkin_date: Arrival day, YYYY-MM-DD.
            checkout_date: Departure day, YYYY-MM-DD.
            adults: Number of adults (1-8).
            guest_names: Full names of the guests, lead guest first.
            kids: Number of children (0-6).
        """
        # the hotel (with its city) and the room type in one query; a missing hotel is reported first
        room = self.require(
            "SELECT r.*, h.name AS hotel_name, d.city FROM hotels h"
            " JOIN destinations d USING (destination_id)"
            " LEFT JOIN room_types r ON r.room_type_id = ? AND r.hotel_id = h.hotel_id WHERE h.hotel_id = ?",
            room_type_id, hotel_id, error=f"no hotel '{hotel_id}'; get_hotels lists the hotels of a destination")
        if room["room_type_id"] is None:
            raise ToolError(f"hotel '{hotel_id}' has no room type '{room_type_id}'; "
                            "get_hotel_details lists its room types")
        checkin, checkout = self._stay(checkin_date, checkout_date)
        self._fit(room, adults, kids)
        price = self._reserve(room, checkin, checkout)
        booking_id = self.new_id("bookings", "hb_")
        created_at = self.now().isoformat(timespec="minutes")
        self.execute("INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', NULL, ?, NULL)", booking_id,
                     hotel_id, room_type_id, checkin.isoformat(), checkout.isoformat(), adults, kids, price,
                     created_at)
        guests = self._set_guests(booking_id, guest_names, adults + kids)
        # the stored booking as _booking would read it back
        return self._with_terms({
            "booking_id": booking_id, "hotel_id": hotel_id, "room_type_id": room_type_id,
            "checkin_date": checkin.isoformat(), "checkout_date": checkout.isoformat(), "adults": adults,
            "kids": kids, "total_price": price, "status": "confirmed", "refund_amount": None,
            "created_at": created_at, "cancelled_at": None, "hotel_name": room["hotel_name"], "city": room["city"],
            "room_type": room["name"], "free_cancellation_days": room["free_cancellation_days"],
            "price_per_night": room["price_per_night"]}, guests)

    @tool(writes=True, phrase=["cancel the hotel reservation ({booking_id})", "call off the hotel stay ({booking_id})"])
    def cancel_booking(self, booking_id: str) -> StayCancellation:
        """Cancel a confirmed hotel booking.

        Refunds the full price until the free-cancellation day, then all but the first night; non-refundable
        rates refund nothing.

        Args:
            booking_id: The hotel booking's id (from list_bookings).
        """
        booking = self._changeable(booking_id, guests=False)
        refund = self._refund(booking)
        self.execute("UPDATE bookings SET status = 'cancelled', refund_amount = ?, cancelled_at = ?"
                     " WHERE booking_id = ?", refund, self.now().isoformat(timespec="minutes"), booking_id)
        return {"booking_id": booking_id, "status": "cancelled", "refund_amount": refund, "currency": "USD"}

    @tool(phrase=[
        "find the [{status} ]hotel bookings of {guest_name}",
        "look up [{status} ]hotel reservations under {guest_name}",
    ])
    def list_bookings(self, guest_name: Annotated[NonEmptyStr, UserKnown], status: BookingStatus | None = None
                      ) -> list[StaySummary]:
        """Find hotel bookings that list a guest (part of the name is enough), by check-in date.

        Args:
            guest_name: A guest's name.
            status: Only bookings with this status.
        """
        matches, params = self.text_filter("booking_guests", guest_name)
        return self.rows(
            "SELECT b.booking_id, h.name AS hotel_name, d.city, r.name AS room_type, b.checkin_date, b.checkout_date,"
            " b.adults, b.kids, b.total_price, b.status, (SELECT GROUP_CONCAT(guest_name, ', ') FROM"
            " (SELECT guest_name FROM booking_guests WHERE booking_id = b.booking_id ORDER BY position)) AS guests"
            " FROM bookings b JOIN hotels h USING (hotel_id) JOIN destinations d USING (destination_id)"
            " JOIN room_types r USING (room_type_id) WHERE b.booking_id IN (SELECT booking_id FROM booking_guests"
            f" WHERE {matches}) AND (? IS NULL OR b.status = ?) ORDER BY b.checkin_date, b.booking_id",
            *params, status, status)

    @tool(phrase=["pull up the hotel reservation ({booking_id})", "show me the hotel stay ({booking_id})"])
    def get_booking(self, booking_id: str) -> StayView:
        """A hotel booking with its guests, price, cancellation terms and what cancelling now would refund.

        Args:
            booking_id: The hotel booking's id (from list_bookings).
        """
        booking = self._booking(booking_id)
        if booking["status"] == "confirmed":
            booking["refund_if_cancelled_now"] = self._refund(booking)
        return booking

    @tool(writes=True, phrase=[
        ("change the hotel reservation ({booking_id})[, new check-in {checkin_date}][, new check-out {checkout_date}]"
         "[, {adults} adult(s)][, {kids} child(ren)][, guest list {guest_names}]"),
        ("update the hotel stay ({booking_id}) with[ check-in {checkin_date},][ check-out {checkout_date},]"
         "[ {adults} adult(s),][ {kids} child(ren),][ guests {guest_names},] the rest unchanged"),
    ])
    def modify_booking(self, booking_id: str, checkin_date: str | None = None, checkout_date: str | None = None,
                       adults: Adults | None = None, kids: Kids | None = None,
                       guest_names: GuestNames | None = None) -> ChangedStay:
        """Change the dates, party size or guest list of a confirmed booking (not possible on non-refundable rates);
        the price is recomputed.

        Args:
            booking_id: The hotel booking's id (from list_bookings).
            checkin_date: New arrival day, YYYY-MM-DD.
            checkout_date: New departure day, YYYY-MM-DD.
            adults: New number of adults.
            kids: New number of children.
            guest_names: The full new guest list, lead guest first.
        """
        booking = self._changeable(booking_id, write=True)
        room = self._room(booking)
        if booking["free_cancellation_days"] is None:
            raise ToolError(f"booking '{booking_id}' is on a non-refundable rate and cannot be changed")
        if checkin_date is None and checkout_date is None and adults is None and kids is None and guest_names is None:
            raise ToolError("nothing to change: give new dates, party size or guest names")
        checkin, checkout = self._stay(booking["checkin_date"] if checkin_date is None else checkin_date,
                                       booking["checkout_date"] if checkout_date is None else checkout_date)
        adults = booking["adults"] if adults is None else adults
        kids = booking["kids"] if kids is None else kids
        self._fit(room, adults, kids)
        price = self._reserve(room, checkin, checkout, ignore_booking=booking_id)
        self.execute("UPDATE bookings SET checkin_date = ?, checkout_date = ?, adults = ?, kids = ?, total_price = ?"
                     " WHERE booking_id = ?", checkin.isoformat(), checkout.isoformat(), adults, kids, price,
                     booking_id)
        guests = self._set_guests(booking_id, booking["guests"] if guest_names is None else guest_names,
                                  adults + kids, current=booking["guests"])
        # the updated booking as _booking would read it back
        updated = dict(booking)
        del updated["guests"], updated["free_cancellation_until"], updated["cancellation_policy"]
        updated.update(checkin_date=checkin.isoformat(), checkout_date=checkout.isoformat(), adults=adults,
                       kids=kids, total_price=price)
        updated = self._with_terms(updated, guests)
        updated["price_difference"] = round(price - booking["total_price"], 2)
        return updated

    @tool(writes=True, phrase=[
        "review the hotel stay ({booking_id}): {rating} out of 5, {comment}",
        "rate the hotel stay ({booking_id}) {rating} stars and say {comment}",
    ])
    def add_review(self, booking_id: str, rating: Annotated[int, Field(ge=1, le=5)], comment: NonEmptyStr) -> Review:
        """Review a completed stay (one review per booking), signed with the lead guest's name.

        Args:
            booking_id: The completed hotel booking's id (from list_bookings).
            rating: 1 (poor) to 5 (excellent).
            comment: What the guest thought of the stay.
        """
        # the booking (as _booking finds it), its lead guest and whether it was reviewed, in one query
        booking = self.require(
            "SELECT b.status, b.hotel_id, h.name AS hotel_name, (SELECT guest_name FROM booking_guests g"
            " WHERE g.booking_id = b.booking_id ORDER BY position LIMIT 1) AS lead,"
            " EXISTS (SELECT 1 FROM reviews WHERE booking_id = b.booking_id) AS reviewed"
            " FROM bookings b JOIN hotels h USING (hotel_id) JOIN destinations d USING (destination_id)"
            " JOIN room_types r USING (room_type_id) WHERE b.booking_id = ?", booking_id,
            error=f"no hotel booking '{booking_id}'; list_bookings finds bookings by guest name")
        if booking["status"] != "completed":
            raise ToolError(f"booking '{booking_id}' is {booking['status']}; only completed stays can be reviewed")
        if booking["reviewed"]:
            raise ToolError(f"booking '{booking_id}' has already been reviewed")
        review_id = self.new_id("reviews", "rev_")
        self.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?)", review_id, booking["hotel_id"], booking_id,
                     booking["lead"], rating, comment.strip(),
                     self.now().isoformat(timespec="minutes"))
        average = self._rating(booking["hotel_id"])
        return {"review_id": review_id, "hotel_name": booking["hotel_name"], "rating": rating,
                "hotel_rating": average["rating"], "review_count": average["review_count"]}


class Stays:
    """Seed-time bookkeeping of hotel bookings and room occupancy (mirrors the tools' rules)."""

    def __init__(self, rng: random.Random, hotels: list[dict[str, Any]], rooms: list[dict[str, Any]]) -> None:
        self.rng, self.hotels, self.rooms = rng, hotels, rooms
        self.taken: Counter[tuple[str, dt.date]] = Counter()
        self.bookings: list[dict[str, Any]] = []
        self.guests: list[dict[str, Any]] = []

    def book(self, destination_id: str, party: list[str], checkin: dt.date, checkout: dt.date, status: str) -> None:
        """Book a free room fitting the party in a destination (skipped when every fitting room is taken)."""
        hotel_ids = [h["hotel_id"] for h in self.hotels if h["destination_id"] == destination_id]
        nights = nights_of(checkin, checkout)
        fitting = [r for r in self.rooms if r["hotel_id"] in hotel_ids and r["max_adults"] >= len(party)
                   and all(self.taken[r["room_type_id"], n] < r["total_rooms"] for n in nights)]
        if not fitting:
            return
        room = self.rng.choice(fitting)
        if status != "cancelled":
            self.taken.update((room["room_type_id"], night) for night in nights)
        booking_id = fake_id(self.rng, "hb_")
        price = stay_price(room, checkin, checkout)
        refund = None
        if status == "cancelled":
            refund = 0.0 if room["free_cancellation_days"] is None else price
        self.bookings.append({
            "booking_id": booking_id, "hotel_id": room["hotel_id"], "room_type_id": room["room_type_id"],
            "checkin_date": checkin.isoformat(), "checkout_date": checkout.isoformat(), "adults": len(party),
            "kids": 0, "total_price": price, "status": status, "refund_amount": refund,
            "created_at": "2026-01-20T10:00", "cancelled_at": "2026-02-25T09:00" if status == "cancelled" else None})
        self.guests.extend({"booking_id": booking_id, "position": position, "guest_name": name}
                           for position, name in enumerate(party, 1))

    def review(self, booking: dict[str, Any], rating: int, comment: str) -> dict[str, Any]:
        lead = next(g["guest_name"] for g in self.guests if g["booking_id"] == booking["booking_id"])
        return {"review_id": fake_id(self.rng, "rev_"), "hotel_id": booking["hotel_id"],
                "booking_id": booking["booking_id"], "reviewer": lead, "rating": rating, "comment": comment,
                "created_at": booking["checkout_date"] + "T12:00"}
