"""Cross-environment task templates of the Travel domain: trips that span a flight (TravelBooking) and a hotel stay
(HotelBooking). Both worlds of a seed hold the same travellers and planned trips (see :mod:`envs.travel.cities`).

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`; tools both environments have are offered
under prefixed names, so gold calls of those go through :func:`member_call`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.travel.cities import spoken_date
from envs.travel.hotel_booking import HotelBooking
from envs.travel.templates.hotel_booking import book_call, cheapest, nameable_bookings, offers, stay_search
from envs.travel.templates.travel_booking import (
    TOKEN, cheapest_fare, credentials, flight_search, login, net_spent, some_account, some_card, unique_bookings,
)
from envs.travel.travel_booking import TravelBooking


def airline(world: WorldSet) -> TravelBooking:
    return world.worlds["TravelBooking"]


def hotels(world: WorldSet) -> HotelBooking:
    return world.worlds["HotelBooking"]


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where both environments have it)."""
    return call(world.public_name(environment, tool), **arguments)


def arrival_day(flight: dict[str, Any]) -> dt.date:
    """The day a flight lands (overnight flights land the day after departure)."""
    return dt.date.fromisoformat(flight["arrival_time"][:10])


def full_name(person: dict[str, Any]) -> str:
    return f"{person['first_name']} {person['last_name']}"


def trips(world: WorldSet, with_hotel: bool) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Travellers' only confirmed flight to a city, each with their one confirmed stay there (or no stay at all)."""
    found = []
    stays = nameable_bookings(hotels(world), "confirmed")
    for flight in unique_bookings(airline(world)):
        flights_there = airline(world).value(
            "SELECT COUNT(*) FROM bookings JOIN flights USING (flight_id) WHERE account_id = ?"
            " AND arrival_airport = ? AND status = 'confirmed'", flight["account_id"], flight["arrival_airport"])
        if flights_there > 1:
            continue
        guest = full_name(flight)
        there = [s for s in stays if s["lead_guest"] == guest and s["city"] == flight["arrival_city"]]
        booked = hotels(world).value("SELECT COUNT(*) FROM booking_guests JOIN bookings USING (booking_id)"
                                     " WHERE guest_name = ? AND status = 'confirmed'", guest)
        if with_hotel and len(there) == 1:
            found.append((flight, there[0]))
        elif not with_hotel and not booked:
            found.append((flight, None))
    return found


def flight_with_stay(world: WorldSet, rng: random.Random, nights: int
                     ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The cheapest economy flight of a route and day, and the hotel offers in its city from landing day."""
    flight = cheapest_fare(airline(world), rng)
    if flight is None:
        return None
    checkin = arrival_day(flight)
    return flight, offers(hotels(world), flight["arrival_city"], checkin, checkin + dt.timedelta(days=nights))


def book_stay(world: WorldSet, offer: dict[str, Any], checkin: dt.date, nights: int, guest: str) -> tuple[Call, ...]:
    """Gold calls from the city to a booked room for one guest."""
    checkout = checkin + dt.timedelta(days=nights)
    return (*stay_search(hotels(world), offer, checkin, checkout), book_call(offer, checkin, checkout, [guest], 1))


@scenario
def fly_and_stay(world: WorldSet, rng: random.Random) -> Draft | None:
    nights = rng.randint(2, 4)
    found = flight_with_stay(world, rng, nights)
    if found is None or not found[1]:
        return None
    flight, free = found
    hotel = rng.choice(free)["hotel_id"]
    room = cheapest([o for o in free if o["hotel_id"] == hotel])
    if room is None:
        return None
    account = some_account(airline(world), rng)
    card = some_card(airline(world), rng, account["account_id"])
    return Draft(
        request=rng.choice([
            ("{who} Book me the cheapest economy flight from {a} to {b} on {d} with my card ending in {last4}, "
             "and the cheapest room at {h} for {n} nights from the day I land."),
            ("{who} I'm going to {b}: get me the cheapest economy seat from {a} on {d} (card ending {last4}), "
             "then a room at {h}, the cheapest they have, for {n} nights starting on my arrival day."),
        ]).format(who=credentials(account, rng), a=flight["departure_city"], b=flight["arrival_city"],
                  d=spoken_date(flight["travel_date"], rng), last4=card["card_number"][-4:], h=room["hotel_name"],
                  n=nights),
        calls=(login(account), *flight_search(flight, "economy"),
               call("list_credit_cards", access_token=TOKEN),
               call("book_flight", access_token=TOKEN, card_id=card["card_id"], flight_id=flight["flight_id"],
                    travel_class="economy"),
               *book_stay(world, room, arrival_day(flight), nights, full_name(account))))


@scenario
def cancel_trip(world: WorldSet, rng: random.Random) -> Draft | None:
    found = trips(world, with_hotel=True)
    if not found:
        return None
    flight, stay = rng.choice(found)
    return Draft(
        request=rng.choice([
            ("{who} My trip to {c} on {d} is off. Cancel both the flight and the hotel, and tell me what "
             "each refund is."),
            ("{who} I'm no longer going to {c} ({d}). Please cancel my flight and my hotel stay there; how much "
             "comes back for each?"),
        ]).format(who=credentials(flight, rng), c=flight["arrival_city"], d=spoken_date(flight["travel_date"], rng)),
        calls=(login(flight),
               member_call(world, "TravelBooking", "list_bookings", access_token=TOKEN, status="confirmed"),
               member_call(world, "TravelBooking", "cancel_booking", access_token=TOKEN,
                           booking_id=flight["booking_id"]),
               member_call(world, "HotelBooking", "list_bookings", guest_name=stay["lead_guest"]),
               member_call(world, "HotelBooking", "cancel_booking", booking_id=stay["booking_id"])),
        answer=(Ref(2, "refund_amount"), Ref(4, "refund_amount")))


@scenario
def trip_cost(world: WorldSet, rng: random.Random) -> Draft | None:
    found = trips(world, with_hotel=True)
    if not found:
        return None
    flight, stay = rng.choice(found)
    total = round(flight["cost"] + stay["total_price"], 2)
    return Draft(
        request=(f"{credentials(flight, rng)} What does my trip to {flight['arrival_city']} cost altogether? Give "
                 "me the flight price, the hotel price and the total."),
        calls=(login(flight, "read"),
               member_call(world, "TravelBooking", "list_bookings", access_token=TOKEN, status="confirmed"),
               member_call(world, "HotelBooking", "list_bookings", guest_name=stay["lead_guest"],
                           status="confirmed")),
        answer=(flight["cost"], stay["total_price"], total))


@scenario
def postpone_trip(world: WorldSet, rng: random.Random) -> Draft | None:
    found = trips(world, with_hotel=True)
    if not found:
        return None
    flight, stay = rng.choice(found)
    days = rng.choice([1, 2])
    new_day = (dt.date.fromisoformat(flight["travel_date"]) + dt.timedelta(days=days)).isoformat()
    options = airline(world).rows(
        "SELECT f.flight_id, fa.price FROM flights f JOIN fares fa USING (flight_id) WHERE f.departure_airport = ?"
        " AND f.arrival_airport = ? AND f.travel_date = ? AND fa.travel_class = ? AND fa.seats_left > 0",
        flight["departure_airport"], flight["arrival_airport"], new_day, flight["travel_class"])
    if not options or [o["price"] for o in options].count(min(o["price"] for o in options)) > 1:
        return None
    new_flight = min(options, key=lambda o: o["price"])
    move = dt.timedelta(days=days)
    return Draft(
        request=(f"{credentials(flight, rng)} My trip to {flight['arrival_city']} on "
                 f"{spoken_date(flight['travel_date'], rng)} slips by {days} day{'s' if days > 1 else ''}. "
                 f"Cancel my flight, book the cheapest {flight['travel_class']} seat on the same route on the new "
                 "day with the same card, and shift my hotel stay by the same number of days."),
        calls=(login(flight),
               member_call(world, "TravelBooking", "list_bookings", access_token=TOKEN, status="confirmed"),
               call("search_flights", departure_airport=flight["departure_airport"],
                    arrival_airport=flight["arrival_airport"], travel_date=new_day,
                    travel_class=flight["travel_class"]),
               member_call(world, "TravelBooking", "cancel_booking", access_token=TOKEN,
                           booking_id=flight["booking_id"]),
               call("book_flight", access_token=TOKEN, card_id=flight["card_id"], flight_id=new_flight["flight_id"],
                    travel_class=flight["travel_class"]),
               member_call(world, "HotelBooking", "list_bookings", guest_name=stay["lead_guest"],
                           status="confirmed"),
               call("modify_booking", booking_id=stay["booking_id"],
                    checkin_date=(dt.date.fromisoformat(stay["checkin_date"]) + move).isoformat(),
                    checkout_date=(dt.date.fromisoformat(stay["checkout_date"]) + move).isoformat())))


@scenario
def hotel_for_booked_flight(world: WorldSet, rng: random.Random) -> Draft | None:
    found = trips(world, with_hotel=False)
    if not found:
        return None
    flight, _ = rng.choice(found)
    nights = rng.randint(2, 4)
    checkin = arrival_day(flight)
    room = cheapest(offers(hotels(world), flight["arrival_city"], checkin, checkin + dt.timedelta(days=nights)))
    if room is None:
        return None
    conversational = rng.random() < 0.5
    length = "for the number of nights I'll tell you" if conversational else f"for {nights} nights"
    return Draft(
        request=(f"{credentials(flight, rng)} I have a flight booked to {flight['arrival_city']}. Book me the "
                 f"cheapest hotel room in {flight['arrival_city']} from the day that flight lands, {length}."),
        calls=(login(flight, "read"),
               member_call(world, "TravelBooking", "list_bookings", access_token=TOKEN, status="confirmed"),
               *book_stay(world, room, checkin, nights, full_name(flight))),
        ask=(UserFact("length of stay", f"{nights} nights", ("night", "how long", "check-out", "checkout")),)
        if conversational else ())


@scenario
def trip_within_budget(world: WorldSet, rng: random.Random) -> Draft | None:
    nights = rng.randint(2, 4)
    found = flight_with_stay(world, rng, nights)
    accounts = airline(world).rows("SELECT * FROM accounts WHERE budget_limit IS NOT NULL ORDER BY account_id")
    if found is None or not accounts:
        return None
    flight, free = found
    account = rng.choice(accounts)
    left = account["budget_limit"] - net_spent(airline(world), account["account_id"]) - flight["price"]
    by_hotel: dict[str, list[dict[str, Any]]] = {}
    for offer in free:
        by_hotel.setdefault(offer["hotel_id"], []).append(offer)
    cheapest_rooms = [cheapest(group) for group in by_hotel.values()]
    affordable = [o for o in cheapest_rooms if o and o["total_price"] <= left and o["rating"] is not None]
    if not affordable:
        return None
    best = max(affordable, key=lambda o: o["rating"])
    if [o["rating"] for o in affordable].count(best["rating"]) > 1:
        return None
    card = some_card(airline(world), rng, account["account_id"])
    return Draft(
        request=(f"{credentials(account, rng)} Book the cheapest economy flight from {flight['departure_city']} to "
                 f"{flight['arrival_city']} on {spoken_date(flight['travel_date'], rng)} on my card ending in "
                 f"{card['card_number'][-4:]}. Then, with what is left of my travel budget, book the best-rated "
                 f"hotel in {flight['arrival_city']} I can still afford for {nights} nights from the day I land "
                 "(its cheapest room)."),
        calls=(login(account), call("get_budget_info", access_token=TOKEN),
               *flight_search(flight, "economy"),
               call("list_credit_cards", access_token=TOKEN),
               call("book_flight", access_token=TOKEN, card_id=card["card_id"], flight_id=flight["flight_id"],
                    travel_class="economy"),
               *book_stay(world, best, arrival_day(flight), nights, full_name(account))))
