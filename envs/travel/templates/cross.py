"""Cross-environment task templates of the Travel domain.

- TravelBooking + HotelBooking: trips that span a flight and a hotel stay. Both worlds of a seed hold the same
  travellers and planned trips (see :mod:`envs.travel.cities`).
- Airline + Didi: a car to the Beijing airport a flight leaves from, its type chosen by the flight's status; a
  flight out of Beijing booked with a quote for the ride to its airport.
- ChinaRailway + Didi: a train ticket out of Beijing today and a car to the station the train leaves from.
- Airline + ChinaRailway: the first train onward from Beijing that leaves two hours after a flight lands there.
- AirDNA + Airline: a rental estimate for a Chicago property decides the cabin of the flight to go and see it.
- ChinaRailway + HKBus: a train to Shenzhen North and the Hong Kong bus route of the trip saved as a favourite.
- ChinaRailway + UUPaoTui: a train ticket for tomorrow whose departure time decides whether a UU errand goes out
  now or is scheduled for tomorrow morning.

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`; tools two members share (TravelBooking's
and Airline's ``search_flights``, ChinaRailway's and UUPaoTui's ``list_orders``...) are offered under prefixed
names, so gold calls go through :func:`member_call`, which names a tool by its environment.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.travel.cities import spoken_date
from envs.travel.hotel_booking import HotelBooking
from envs.travel.templates.airline import city_of, flight_on
from envs.travel.templates.hotel_booking import book_call, cheapest, nameable_bookings, offers, stay_search
from envs.travel.templates.travel_booking import (
    TOKEN, cheapest_fare, credentials, login, net_spent, some_account, some_card, unique_bookings,
)
from envs.travel.travel_booking import TravelBooking


def airline(world: WorldSet) -> TravelBooking:
    return world.worlds["TravelBooking"]


def hotels(world: WorldSet) -> HotelBooking:
    return world.worlds["HotelBooking"]


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where both environments have it)."""
    return call(world.public_name(environment, tool), **arguments)


def flight_search(world: WorldSet, flight: dict[str, Any], travel_class: str | None = None) -> tuple[Call, ...]:
    """Gold calls from two city names to TravelBooking's flights of a day (its ``search_flights`` is prefixed now
    that Airline has one too)."""
    return (member_call(world, "TravelBooking", "get_airport_by_city", city_name=flight["departure_city"]),
            member_call(world, "TravelBooking", "get_airport_by_city", city_name=flight["arrival_city"]),
            member_call(world, "TravelBooking", "search_flights", departure_airport=flight["departure_airport"],
                        arrival_airport=flight["arrival_airport"], travel_date=flight["travel_date"],
                        **({"travel_class": travel_class} if travel_class else {})))


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
        calls=(login(account), *flight_search(world, flight, "economy"),
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
               member_call(world, "TravelBooking", "search_flights", departure_airport=flight["departure_airport"],
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
               *flight_search(world, flight, "economy"),
               call("list_credit_cards", access_token=TOKEN),
               call("book_flight", access_token=TOKEN, card_id=card["card_id"], flight_id=flight["flight_id"],
                    travel_class="economy"),
               *book_stay(world, best, arrival_day(flight), nights, full_name(account))))


# ------------------------------------------------------------------------------------ the newer members
TODAY = dt.date(2026, 3, 2)  # the day every member's clock starts on (09:00)
#: 12306 stations of Beijing -> the Didi place of the same station.
BEIJING_STATIONS = {"Beijing": "Beijing Railway Station", "Beijing South": "Beijing South Railway Station",
                    "Beijing West": "Beijing West Railway Station"}
CHICAGO_STREETS = ("N Clark St", "W Armitage Ave", "S Michigan Ave", "N Milwaukee Ave", "W Belmont Ave",
                   "N Damen Ave", "W Division St", "S Halsted St")
ERRANDS = (("spare keys", 1), ("winter coat", 2), ("box of documents", 6), ("birthday cake", 3), ("laptop", 2))


def minutes_of(clock: str) -> int:
    """'HH:MM' (optionally followed by ' +1') as minutes after midnight."""
    return int(clock[:2]) * 60 + int(clock[3:5])


def clock_of(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def station_codes(world: WorldSet, city: str) -> list[str]:
    return [r["code"] for r in world.worlds["ChinaRailway"].rows(
        "SELECT code FROM stations WHERE city = ? ORDER BY name", city)]


def first_train(world: WorldSet, day: dt.date, origin: str, destination: str, after: int, seat: str = "second"
                ) -> tuple[dict[str, Any], tuple[Call, ...]] | None:
    """The earliest G train between two cities on a day leaving at ``after`` (minutes) or later with ``seat`` seats
    left (unique: no other train leaves at that minute), and the gold calls that find it from the city names."""
    railway = world.worlds["ChinaRailway"]
    calls: list[Call] = [member_call(world, "ChinaRailway", "get_stations_code_in_city", city=origin),
                         member_call(world, "ChinaRailway", "get_stations_code_in_city", city=destination)]
    found = []
    for a in station_codes(world, origin):
        for b in station_codes(world, destination):
            calls.append(member_call(world, "ChinaRailway", "get_tickets", date=day.isoformat(), from_station_code=a,
                                     to_station_code=b, train_type="G"))
            for train in railway.get_tickets(day.isoformat(), a, b, "G")["trains"]:
                if minutes_of(train["depart_time"]) >= after and any(
                        s["seat_class"] == seat and s["remaining"] > 0 for s in train["seats"]):
                    found.append(train)
    if not found:
        return None
    best = min(found, key=lambda t: t["depart_time"])
    if [t["depart_time"] for t in found].count(best["depart_time"]) > 1:
        return None
    return best, tuple(calls)


def book_train(world: WorldSet, train: dict[str, Any], day: dt.date, passenger: str, seat: str = "second") -> Call:
    return member_call(world, "ChinaRailway", "book_ticket", train_no=train["train_no"], date=day.isoformat(),
                       from_station_code=train["from_station"], to_station_code=train["to_station"],
                       seat_class=seat, passenger_name=passenger)


def station_name(world: WorldSet, code: str) -> str:
    return world.worlds["ChinaRailway"].value("SELECT name FROM stations WHERE code = ?", code)


def a_passenger(world: WorldSet, rng: random.Random) -> str:
    return rng.choice(world.worlds["ChinaRailway"].rows("SELECT name FROM passengers ORDER BY name"))["name"]


def ride(world: WorldSet, destination: str, product: str) -> tuple[Call, ...]:
    """Gold calls of a Didi car from where the user is now to a place (the estimate is the third call of these)."""
    here = world.worlds["Didi"].get_current_location()["name"]
    return (member_call(world, "Didi", "get_current_location"),
            member_call(world, "Didi", "taxi_estimate", origin_location=here, destination_location=destination),
            member_call(world, "Didi", "taxi_create_order", estimate_trace_id=Ref(-1, "estimate_trace_id"),
                        product_category=product))


def at(calls: tuple[Call, ...], start: int) -> tuple[Call, ...]:
    """Calls whose Ref(-1, ...) point at the call just before them, placed from index ``start`` of a draft."""
    out = []
    for index, step in enumerate(calls, start):
        out.append(Call(step.name, {k: Ref(index - 1, v.path, v.then) if isinstance(v, Ref) and v.step == -1 else v
                                    for k, v in step.arguments.items()}))
    return tuple(out)


def airline_member(world: WorldSet, rng: random.Random) -> tuple[dict[str, Any], str]:
    """A Meridian Air member and the payment id of their credit card."""
    airline_world = world.worlds["Airline"]
    user = rng.choice(airline_world.rows("SELECT * FROM users ORDER BY user_id"))
    card = airline_world.value("SELECT payment_id FROM payment_methods WHERE user_id = ? AND source = 'credit_card'",
                               user["user_id"])
    return user, card


def reserve(world: WorldSet, user: dict[str, Any], card: str, flight: dict[str, Any], cabin: str) -> tuple[Call, ...]:
    """Gold calls from a member and two airports to a one-way seat on one flight, no bags, no insurance."""
    first, last = user["name"].split(" ", 1)
    return (member_call(world, "Airline", "get_user_details", user_id=user["user_id"]),
            member_call(world, "Airline", "list_airports"),
            member_call(world, "Airline", "search_flights", origin=flight["origin"], destination=flight["destination"],
                        date=flight["date"]),
            member_call(world, "Airline", "book_reservation", user_id=user["user_id"], origin=flight["origin"],
                        destination=flight["destination"], flight_type="one_way", cabin=cabin,
                        flights=[{"flight_number": flight["flight_number"], "date": flight["date"]}],
                        passengers=[{"first_name": first, "last_name": last, "dob": user["dob"]}],
                        payment_method=card, total_baggages=0, nonfree_baggages=0, insurance=False))


def member_intro(user: dict[str, Any], rng: random.Random) -> str:
    return rng.choice(["I'm {n} (Meridian Air user id {u}, born {d}).", "This is {n}, Meridian Air member {u},"
                       " date of birth {d}."]).format(n=user["name"], u=user["user_id"], d=user["dob"])


@scenario
def airport_ride_by_flight_status(world: WorldSet, rng: random.Random) -> Draft | None:
    """Airline + Didi: a car to the airport a flight leaves Beijing from today, Premier if on time, else Express."""
    airline_world = world.worlds["Airline"]
    flights = airline_world.rows(
        "SELECT f.*, d.status FROM flights f JOIN flight_dates d USING (flight_number) WHERE f.origin = 'PEK'"
        " AND d.date = ? AND f.depart_min >= 630 AND d.status IN ('on time', 'delayed') ORDER BY flight_number",
        TODAY.isoformat())
    if not flights:
        return None
    flight = rng.choice(flights)
    product = "premier" if flight["status"] == "on time" else "express"
    airport = airline_world.value("SELECT name FROM airports WHERE code = 'PEK'")
    city = airline_world.value("SELECT city FROM airports WHERE code = ?", flight["destination"])
    return Draft(
        request=rng.choice([
            ("I'm on Meridian Air flight {f} to {c} today at {t}, leaving from Beijing. Check its status: if it's on "
             "time I'm in a hurry, so order me a Premier Didi; if it's delayed an Express car is fine. The car goes "
             "from where I am now to the airport the flight leaves from."),
            ("Heading to the airport for flight {f} ({t} today, Beijing to {c}). Get me a Didi from my current spot "
             "to that flight's departure airport: a Premier if the flight is on time, an Express if it's delayed."),
        ]).format(f=flight["flight_number"], c=city, t=clock_of(flight["depart_min"])),
        calls=(member_call(world, "Airline", "get_flight_status", flight_number=flight["flight_number"],
                           date=TODAY.isoformat()),
               member_call(world, "Airline", "list_airports"),
               *at(ride(world, airport, product), 2)))


@scenario
def fly_from_beijing_with_ride_quote(world: WorldSet, rng: random.Random) -> Draft | None:
    """Airline + Didi: book a flight out of Beijing, then what an Express ride to its airport costs."""
    cabin = rng.choice(["economy", "business"])
    flight = flight_on(world.worlds["Airline"], rng, cabin, origin="PEK")
    if flight is None:
        return None
    user, card = airline_member(world, rng)
    city = city_of(world.worlds["Airline"], flight["destination"])
    here = world.worlds["Didi"].get_current_location()["name"]
    airport = world.worlds["Airline"].value("SELECT name FROM airports WHERE code = 'PEK'")
    return Draft(
        request=(f"{member_intro(user, rng)} Book me a one-way {cabin} seat on Meridian Air's flight from Beijing to"
                 f" {city} on {spoken_date(flight['date'], rng)} on my credit card, no checked bags, no insurance."
                 " Then tell me what an Express Didi from where I am right now to the airport that flight leaves"
                 " from would cost."),
        calls=(*reserve(world, user, card, flight, cabin),
               member_call(world, "Didi", "get_current_location"),
               member_call(world, "Didi", "taxi_estimate", origin_location=here, destination_location=airport)),
        answer=(Ref(5, "products", pick("price", product_category="express")),))


@scenario
def train_and_ride_to_station(world: WorldSet, rng: random.Random) -> Draft | None:
    """ChinaRailway + Didi: the first G train out of Beijing today after a time, and a car to its station."""
    destination = rng.choice(["Tianjin", "Jinan", "Nanjing", "Shanghai", "Shijiazhuang", "Zhengzhou", "Wuhan",
                              "Changsha", "Guangzhou", "Shenzhen"])
    after = rng.choice([10 * 60 + 30, 11 * 60, 12 * 60, 13 * 60 + 30, 15 * 60])
    found = first_train(world, TODAY, "Beijing", destination, after)
    if found is None:
        return None
    train, finding = found
    who = a_passenger(world, rng)
    product = rng.choice(["express", "premier", "taxi"])
    car = {"express": "an Express", "premier": "a Premier", "taxi": "a taxi"}[product]
    place = BEIJING_STATIONS[station_name(world, train["from_station"])]
    calls = (*finding, book_train(world, train, TODAY, who))
    return Draft(
        request=rng.choice([
            ("{p} (saved on my 12306 account) is going to {d} today. Book them a second-class seat on the first "
             "high-speed G train from Beijing to {d} leaving at {t} or later that still has second-class seats, then "
             "order {car} Didi from where I am now to the station that train leaves from, so I can drop them off."),
            ("Please get {p} on the earliest G train from Beijing to {d} today that departs no earlier than {t} and "
             "still has second class available (a second-class seat, on my 12306 account). I'll take {p} to the "
             "station: book {car} Didi from my current location to the station it departs from."),
        ]).format(p=who, d=destination, t=clock_of(after), car=car),
        calls=(*calls, *at(ride(world, place, product), len(calls))))


@scenario
def train_after_landing(world: WorldSet, rng: random.Random) -> Draft | None:
    """Airline + ChinaRailway: the first G train onward from Beijing two hours after a flight lands there."""
    airline_world = world.worlds["Airline"]
    flights = airline_world.rows(
        "SELECT f.*, d.date FROM flights f JOIN flight_dates d USING (flight_number) WHERE f.destination = 'PEK'"
        " AND d.status = 'available' AND d.date BETWEEN '2026-03-03' AND '2026-03-14' ORDER BY flight_number, d.date")
    if not flights:
        return None
    flight = rng.choice(flights)
    offer = next(o for o in airline_world.search_flights(flight["origin"], "PEK", flight["date"])["flights"]
                 if o["flight_number"] == flight["flight_number"])
    landing_day = dt.date.fromisoformat(flight["date"]) + dt.timedelta(days=1 if offer["arrive_time"].endswith("+1")
                                                                       else 0)
    after = minutes_of(offer["arrive_time"]) + 120
    destination = rng.choice(["Tianjin", "Jinan", "Nanjing", "Shanghai", "Shijiazhuang", "Zhengzhou", "Wuhan",
                              "Changsha", "Guangzhou", "Shenzhen"])
    if after >= 24 * 60 or landing_day > dt.date(2026, 3, 16):
        return None
    found = first_train(world, landing_day, "Beijing", destination, after)
    if found is None:
        return None
    train, finding = found
    who = a_passenger(world, rng)
    origin_city = city_of(airline_world, flight["origin"])
    return Draft(
        request=rng.choice([
            ("{p} flies into Beijing on Meridian Air flight {f} from {o}, departing {d}, and travels on to {c} by "
             "train. Book {p} (saved on my 12306 account) a second-class seat on the first G train from Beijing to "
             "{c} that leaves at least two hours after the flight lands and still has second-class seats."),
            ("Flight {f} from {o} on {d} brings {p} to Beijing. On my 12306 account, get {p} a second-class seat to "
             "{c} on the earliest high-speed G train with second class left that departs two hours or more after "
             "that flight's arrival."),
        ]).format(p=who, f=flight["flight_number"], o=origin_city, d=spoken_date(flight["date"], rng), c=destination),
        calls=(member_call(world, "Airline", "list_airports"),
               member_call(world, "Airline", "search_flights", origin=flight["origin"], destination="PEK",
                           date=flight["date"]),
               *finding, book_train(world, train, landing_day, who)))


@scenario
def rental_estimate_decides_cabin(world: WorldSet, rng: random.Random) -> Draft | None:
    """AirDNA + Airline: the estimated yearly revenue of a Chicago property decides the cabin of the viewing trip."""
    airline_world, airdna = world.worlds["Airline"], world.worlds["AirDNA"]
    flight = flight_on(airline_world, rng, "business", destination="ORD")
    if flight is None or not airline_world.value("SELECT economy FROM flight_dates WHERE flight_number = ? AND"
                                                 " date = ?", flight["flight_number"], flight["date"]):
        return None
    bedrooms = rng.randint(1, 4)
    bathrooms = rng.randint(1, max(1, bedrooms - 1))
    address = f"{rng.randrange(100, 4999)} {rng.choice(CHICAGO_STREETS)}, Chicago, IL"
    revenue = airdna.get_rental_estimate(address, bedrooms, bathrooms)["estimated_revenue"]
    low = int(revenue // 5000 * 5000)
    if low == revenue:
        return None
    threshold = rng.choice([low, low + 5000])
    cabin = "business" if revenue >= threshold else "economy"
    user, card = airline_member(world, rng)
    saved = airdna.value("SELECT 1 FROM saved_markets WHERE market_id = 'mkt_il_chicago'")
    watch = "" if saved else " Also add Chicago, IL to my watched AirDNA markets with the note 'viewing trip'."
    return Draft(
        request=(f"{member_intro(user, rng)} I'm looking at a {bedrooms}-bedroom, {bathrooms}-bath place at "
                 f"{address} as an Airbnb investment. Run an AirDNA rental estimate on it: if it's projected to earn "
                 f"at least ${threshold:,} a year, book me business class on Meridian Air's flight from "
                 f"{city_of(airline_world, flight['origin'])} to Chicago on {spoken_date(flight['date'], rng)} to go "
                 "and see it, otherwise economy; one way, no bags, no insurance, on my credit card." + watch),
        calls=(member_call(world, "AirDNA", "get_rental_estimate", address=address, bedrooms=bedrooms,
                           bathrooms=bathrooms),
               *(() if saved else (member_call(world, "AirDNA", "save_market", city="Chicago", state="IL",
                                               note="viewing trip"),)),
               *reserve(world, user, card, flight, cabin)))


@scenario
def train_to_shenzhen_and_hk_bus(world: WorldSet, rng: random.Random) -> Draft | None:
    """ChinaRailway + HKBus: a G train to Shenzhen North, and the Hong Kong bus of the trip saved as a favourite."""
    day = TODAY + dt.timedelta(days=rng.randint(1, 12))
    railway, bus = world.worlds["ChinaRailway"], world.worlds["HKBus"]
    trains = [t for t in railway.get_tickets(day.isoformat(), "BXP", "IOQ", "G")["trains"]
              if any(s["seat_class"] == "second" and s["remaining"] > 0 for s in t["seats"])]
    if not trains or [t["depart_time"] for t in trains].count(trains[0]["depart_time"]) > 1:
        return None
    legs = bus.rows("SELECT f.stop_name AS a, t.stop_name AS b FROM route_stops f JOIN route_stops t ON"
                    " t.route = f.route AND t.direction = f.direction AND t.seq > f.seq WHERE f.route NOT LIKE 'N%'"
                    " ORDER BY f.route, f.direction, f.seq, t.seq")
    leg = rng.choice(legs)
    a, b = leg["a"], leg["b"]
    routes = bus.search_route_by_stops(a, b)["routes"]
    if len(routes) != 1 or bus.row("SELECT 1 FROM favourites WHERE route = ? AND direction = ? AND stop_name = ?",
                                   routes[0]["route"], routes[0]["direction"], a):
        return None
    route, who = routes[0], a_passenger(world, rng)
    label = rng.choice(["HK day out", "Hotel run", "Harbour trip", "Shopping day", "Beach day"])
    return Draft(
        request=rng.choice([
            ("We're off to Hong Kong on {d}. Book {p} (on my 12306 account) a second-class seat on the earliest G "
             "train from Beijing West to Shenzhen North that day that still has second-class seats. In Hong Kong "
             "we'll take the bus from {a} to {b}: find the direct route and save it at {a} to my bus favourites as "
             "'{l}'."),
            ("Two things for our Hong Kong trip. First, on {d} {p} needs a second-class seat on the first G train "
             "from Beijing West to Shenzhen North with second-class seats left (12306, my account). Second, add the "
             "bus that goes directly from {a} to {b} to my favourites at the {a} stop, labelled '{l}'."),
        ]).format(d=spoken_date(day, rng), p=who, a=a, b=b, l=label),
        calls=(member_call(world, "ChinaRailway", "get_station_code_by_name", station_name="Beijing West"),
               member_call(world, "ChinaRailway", "get_station_code_by_name", station_name="Shenzhen North"),
               member_call(world, "ChinaRailway", "get_tickets", date=day.isoformat(), from_station_code="BXP",
                           to_station_code="IOQ", train_type="G"),
               book_train(world, trains[0], day, who),
               member_call(world, "HKBus", "search_route_by_stops", from_stop_name=a, to_stop_name=b),
               member_call(world, "HKBus", "add_favourite", route=route["route"], stop_name=a,
                           direction=route["direction"], label=label)))


@scenario
def train_time_decides_errand(world: WorldSet, rng: random.Random) -> Draft | None:
    """ChinaRailway + UUPaoTui: tomorrow's first G train out of the user's city decides whether a UU errand goes
    out now (the train leaves before noon) or is scheduled for 08:00 tomorrow."""
    courier = world.worlds["UUPaoTui"]
    book = courier.rows("SELECT * FROM addresses ORDER BY label")
    ad_code = book[0]["adCode"]
    home = {"110100": "Beijing", "310100": "Shanghai", "440300": "Shenzhen"}.get(ad_code)
    if home is None:
        return None
    day = TODAY + dt.timedelta(days=1)
    destination = rng.choice([c for c in ("Beijing", "Shanghai", "Nanjing", "Hangzhou", "Tianjin", "Guangzhou",
                                          "Wuhan", "Shenzhen") if c != home])
    found = first_train(world, day, home, destination, 0)
    if found is None:
        return None
    train, finding = found
    source, target = rng.sample(book, 2)
    item, weight = rng.choice(ERRANDS)
    me = courier.value("SELECT senderPhone FROM orders ORDER BY orderCode")
    early = minutes_of(train["depart_time"]) < 12 * 60
    timing = {"sendType": "instant"} if early else {"sendType": "scheduled", "sendTime": f"{day.isoformat()} 08:00"}
    who = a_passenger(world, rng)
    calls = (*finding, book_train(world, train, day, who),
             member_call(world, "UUPaoTui", "list_addresses"),
             member_call(world, "UUPaoTui", "estimate_price", fromAddress=source["address"],
                         toAddress=target["address"], adCode=ad_code, goodsWeight=weight, **timing))
    return Draft(
        request=rng.choice([
            ("{p} leaves {h} for {d} tomorrow: book them a second-class seat on the first G train from {h} to {d} "
             "that day with second-class seats left (my 12306 account). They also need the {i} ({w} kg) brought "
             "from my '{s}' address to my '{t}' address by UU: if the train leaves before noon, send it right now; "
             "otherwise schedule the pickup for tomorrow at 08:00. The receiver is the contact saved for '{t}'; I'm "
             "the sender, my number is {me}."),
            ("Tomorrow {p} takes the earliest high-speed G train from {h} to {d} that still has second class: "
             "book that seat on my 12306 account. Then have a UU runner move the {i} ({w} kg) from the '{s}' "
             "address in my UU address book to the '{t}' one, delivered to the contact saved there, with me "
             "({me}) as sender: right away if that train departs before 12:00, else a pickup scheduled for 08:00 "
             "tomorrow."),
        ]).format(p=who, h=home, d=destination, i=item, w=weight, s=source["label"], t=target["label"], me=me),
        calls=(*calls, member_call(world, "UUPaoTui", "create_order", priceToken=Ref(len(calls) - 1, "priceToken"),
                                   receiverPhone=target["contactPhone"], senderPhone=me)))
