"""Task templates of Airline: what members ask the reservation desk (book, change, upgrade, fix a name)."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.travel.airline import FREE_BAGS, CABINS, Airline
from envs.travel.cities import spoken_date


def flight_on(world: Airline, rng: random.Random, cabin: str, seats: int = 1, **match: Any) -> dict[str, Any] | None:
    """A bookable flight (2-19 days ahead) with seats in the cabin, the only one of its route that day."""
    rows = world.rows(
        "SELECT f.*, d.date FROM flights f JOIN flight_dates d USING (flight_number) WHERE d.status = 'available'"
        f" AND d.{cabin} >= ? AND d.date > '2026-03-03' AND (SELECT COUNT(*) FROM flights g WHERE g.origin = f.origin"
        " AND g.destination = f.destination) = 1 AND (?2 IS NULL OR f.origin = ?2) AND (?3 IS NULL OR"
        " f.destination = ?3) ORDER BY f.flight_number, d.date", seats, match.get("origin"), match.get("destination"))
    return rng.choice(rows) if rows else None


def city_of(world: Airline, code: str) -> str:
    return world.value("SELECT city FROM airports WHERE code = ?", code)


def a_reservation(world: Airline, rng: random.Random, where: str) -> dict[str, Any] | None:
    rows = world.rows("SELECT r.* FROM reservations r WHERE status = 'active' AND NOT EXISTS (SELECT 1 FROM legs l"
                      " WHERE l.reservation_id = r.reservation_id AND l.date <= '2026-03-02') AND " + where +
                      " ORDER BY reservation_id")
    return rng.choice(rows) if rows else None


@scenario
def book_one_way(world: Airline, rng: random.Random) -> Draft | None:
    user = rng.choice(world.rows("SELECT * FROM users ORDER BY user_id"))
    cabin = rng.choice(["economy", "business"])
    flight = flight_on(world, rng, cabin)
    if flight is None:
        return None
    card = world.row("SELECT * FROM payment_methods WHERE user_id = ? AND source = 'credit_card'", user["user_id"])
    free = FREE_BAGS[user["membership"]][CABINS.index(cabin)]
    bags = free + 1
    first, last = user["name"].split(" ", 1)
    return Draft(
        request=(f"Hi, I'm {user['name']} (user id {user['user_id']}, born {user['dob']}). Book me a one-way {cabin}"
                 f" seat from {city_of(world, flight['origin'])} to {city_of(world, flight['destination'])} on"
                 f" {spoken_date(flight['date'], rng)}, with {bags} checked bags and no insurance, on my credit card."),
        calls=(call("get_user_details", user_id=user["user_id"]), call("list_airports"),
               call("search_flights", origin=flight["origin"], destination=flight["destination"], date=flight["date"]),
               call("book_reservation", user_id=user["user_id"], origin=flight["origin"],
                    destination=flight["destination"], flight_type="one_way", cabin=cabin,
                    flights=[{"flight_number": flight["flight_number"], "date": flight["date"]}],
                    passengers=[{"first_name": first, "last_name": last, "dob": user["dob"]}],
                    payment_method=card["payment_id"], total_baggages=bags, nonfree_baggages=1, insurance=False)))


@scenario
def upgrade_to_business(world: Airline, rng: random.Random) -> Draft | None:
    found = a_reservation(world, rng, "cabin = 'economy' AND flight_type = 'one_way'")
    if found is None:
        return None
    legs = world.rows("SELECT flight_number, date FROM legs WHERE reservation_id = ? ORDER BY seq",
                      found["reservation_id"])
    card = world.value("SELECT payment_id FROM payment_methods WHERE user_id = ? AND source = 'credit_card'",
                       found["user_id"])
    return Draft(
        request=(f"I'm {found['user_id']}. Please upgrade my reservation {found['reservation_id']} to business class,"
                 " same flights, and put the difference on my credit card. How much extra did it cost?"),
        calls=(call("get_user_details", user_id=found["user_id"]),
               call("get_reservation_details", reservation_id=found["reservation_id"]),
               call("update_reservation_flights", reservation_id=found["reservation_id"], cabin="business",
                    flights=[dict(leg) for leg in legs], payment_method=card)),
        answer=(Ref(2, "additional_charge"),))


@scenario
def move_to_later_day(world: Airline, rng: random.Random) -> Draft | None:
    found = a_reservation(world, rng, "cabin != 'basic_economy' AND flight_type = 'one_way'")
    if found is None:
        return None
    leg = world.row("SELECT l.*, f.origin, f.destination FROM legs l JOIN flights f USING (flight_number)"
                    " WHERE reservation_id = ?", found["reservation_id"])
    count = world.value("SELECT COUNT(*) FROM passengers WHERE reservation_id = ?", found["reservation_id"])
    later = world.row(f"SELECT * FROM flight_dates WHERE flight_number = ? AND date > ? AND status = 'available'"
                      f" AND {found['cabin']} >= ? ORDER BY date", leg["flight_number"], leg["date"], count)
    if later is None:
        return None
    card = world.value("SELECT payment_id FROM payment_methods WHERE user_id = ? AND source = 'credit_card'",
                       found["user_id"])
    return Draft(
        request=(f"User {found['user_id']} here. On reservation {found['reservation_id']} I need to fly one day"
                 f" later... actually on {spoken_date(later['date'], rng)}, same flight number and cabin. Charge or"
                 " refund any fare difference to my credit card."),
        calls=(call("get_user_details", user_id=found["user_id"]),
               call("get_reservation_details", reservation_id=found["reservation_id"]),
               call("update_reservation_flights", reservation_id=found["reservation_id"], cabin=found["cabin"],
                    flights=[{"flight_number": leg["flight_number"], "date": later["date"]}], payment_method=card)))


@scenario
def fix_passenger_name(world: Airline, rng: random.Random) -> Draft | None:
    found = a_reservation(world, rng, "(SELECT COUNT(*) FROM passengers p WHERE p.reservation_id ="
                                      " r.reservation_id) = 2")
    if found is None:
        return None
    people = world.rows("SELECT first_name, last_name, dob FROM passengers WHERE reservation_id = ? ORDER BY seq",
                        found["reservation_id"])
    new_first = rng.choice(["Alexandra", "Jonathan", "Katherine", "Nicholas", "Elizabeth"])
    fixed = [dict(people[0]), {**people[1], "first_name": new_first}]
    return Draft(
        request=(f"On booking {found['reservation_id']} the second traveller, {people[1]['first_name']}"
                 f" {people[1]['last_name']}, should be listed as {new_first} {people[1]['last_name']}; the rest"
                 " stays the same."),
        calls=(call("get_reservation_details", reservation_id=found["reservation_id"]),
               call("update_reservation_passengers", reservation_id=found["reservation_id"], passengers=fixed)))


@scenario
def add_bags(world: Airline, rng: random.Random) -> Draft | None:
    found = a_reservation(world, rng, "1 = 1")
    if found is None:
        return None
    user = world.row("SELECT * FROM users WHERE user_id = ?", found["user_id"])
    count = world.value("SELECT COUNT(*) FROM passengers WHERE reservation_id = ?", found["reservation_id"])
    total = found["total_baggages"] + rng.randint(1, 3)
    nonfree = max(0, total - FREE_BAGS[user["membership"]][CABINS.index(found["cabin"])] * count)
    card = world.value("SELECT payment_id FROM payment_methods WHERE user_id = ? AND source = 'credit_card'",
                       found["user_id"])
    return Draft(
        request=(f"I'm {found['user_id']}. We'll bring {total} checked bags in total on reservation"
                 f" {found['reservation_id']}; add them and pay any bag fee with my credit card."),
        calls=(call("get_user_details", user_id=found["user_id"]),
               call("get_reservation_details", reservation_id=found["reservation_id"]),
               call("update_reservation_baggage", reservation_id=found["reservation_id"], total_baggages=total,
                    nonfree_baggages=nonfree, payment_method=card)))


@scenario
def cancel_refundable(world: Airline, rng: random.Random) -> Draft | None:
    found = a_reservation(world, rng, "(cabin = 'business' OR insurance = 1 OR created_at > '2026-03-01T09:00')")
    if found is None:
        return None
    return Draft(
        request=(f"Please cancel my reservation {found['reservation_id']} (user {found['user_id']}). How much do"
                 " I get back?"),
        calls=(call("get_reservation_details", reservation_id=found["reservation_id"]),
               call("cancel_reservation", reservation_id=found["reservation_id"])),
        answer=(Ref(1, "refund_amount"),))
