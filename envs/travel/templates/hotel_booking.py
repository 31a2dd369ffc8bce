"""Task templates of HotelBooking: what hotel guests ask for (stays, changes, cancellations, reviews), with gold calls.

The helpers here (free offers of a city for a stay, the city-to-hotels search, nameable bookings) also serve the
Travel domain's cross-environment templates (:mod:`envs.travel.templates.cross`).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envs.travel.cities import CITIES, FIRST_TRAVEL_DAY, TRAVEL_DAYS, spoken_date
from envs.travel.hotel_booking import REVIEW_COMMENTS, HotelBooking


def offers(world: HotelBooking, city: str, checkin: dt.date, checkout: dt.date, adults: int = 1, kids: int = 0
           ) -> list[dict[str, Any]]:
    """Every free room type fitting the party in a city for a stay (by room type id), as get_hotels shows it, with
    its hotel's id, name, destination and rating."""
    destination_id = world.value("SELECT destination_id FROM destinations WHERE city = ?", city)
    hotels = world.get_hotels(destination_id=destination_id, checkin_date=checkin.isoformat(),
                              checkout_date=checkout.isoformat(), adults=adults, kids=kids, limit=50)
    found = [{**room, "hotel_id": hotel["hotel_id"], "hotel_name": hotel["name"], "destination_id": destination_id,
              "rating": hotel["rating"], "review_count": hotel["review_count"]}
             for hotel in hotels for room in hotel["rooms"]]
    return sorted(found, key=lambda offer: offer["room_type_id"])


def cheapest(candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The single cheapest offer, or None when there is none or a tie."""
    if not candidates:
        return None
    best = min(candidates, key=lambda o: o["total_price"])
    return best if [o["total_price"] for o in candidates].count(best["total_price"]) == 1 else None


def stay_search(world: HotelBooking, offer: dict[str, Any], checkin: dt.date, checkout: dt.date, adults: int = 1,
                kids: int = 0) -> tuple[Call, ...]:
    """Gold calls from a city name to the hotels free for a stay."""
    party = {"adults": adults} if adults != 1 else {}
    party.update({"kids": kids} if kids else {})
    city = world.value("SELECT city FROM destinations WHERE destination_id = ?", offer["destination_id"])
    return (call("search_destinations", city=city),
            call("get_hotels", destination_id=offer["destination_id"], checkin_date=checkin.isoformat(),
                 checkout_date=checkout.isoformat(), **party))


def book_call(offer: dict[str, Any], checkin: dt.date, checkout: dt.date, guests: list[str], adults: int,
              kids: int = 0) -> Call:
    """The gold book_hotel call for an offer and a stay (kids only when there are some)."""
    return call("book_hotel", hotel_id=offer["hotel_id"], room_type_id=offer["room_type_id"],
                checkin_date=checkin.isoformat(), checkout_date=checkout.isoformat(), adults=adults,
                **({"kids": kids} if kids else {}), guest_names=guests)


def nameable_bookings(world: HotelBooking, status: str) -> list[dict[str, Any]]:
    """Bookings of a status whose lead guest's name finds no other booking of that status (a user can name them)."""
    return world.rows(
        "SELECT b.*, g.guest_name AS lead_guest, h.name AS hotel_name, d.city, r.name AS room_type,"
        " r.max_adults, r.max_kids, r.free_cancellation_days FROM bookings b JOIN booking_guests g"
        " ON g.booking_id = b.booking_id AND g.position = 1 JOIN hotels h USING (hotel_id)"
        " JOIN destinations d USING (destination_id) JOIN room_types r USING (room_type_id) WHERE b.status = ?1"
        " AND (SELECT COUNT(*) FROM bookings b2 JOIN booking_guests g2 ON g2.booking_id = b2.booking_id"
        "  WHERE instr(lower(g2.guest_name), lower(g.guest_name)) AND b2.status = ?1) = 1 ORDER BY b.booking_id",
        status)


def guest_names(world: HotelBooking, booking_id: str) -> list[str]:
    """A booking's guests, lead guest first."""
    return [r["guest_name"] for r in world.rows(
        "SELECT guest_name FROM booking_guests WHERE booking_id = ? ORDER BY position", booking_id)]


def or_non_refundable(deadline: str | None) -> str:
    """A transform of get_booking's free_cancellation_until (for Ref): the day, or 'non-refundable'."""
    return deadline or "non-refundable"


def some_city(rng: random.Random) -> str:
    return rng.choice(CITIES).name


def some_stay(rng: random.Random) -> tuple[dt.date, dt.date]:
    checkin = FIRST_TRAVEL_DAY + dt.timedelta(days=rng.randrange(TRAVEL_DAYS))
    return checkin, checkin + dt.timedelta(days=rng.randint(1, 4))


@scenario
def cheapest_stay(world: HotelBooking, rng: random.Random) -> Draft | None:
    city, (checkin, checkout), adults = some_city(rng), some_stay(rng), rng.choice([1, 2])
    best = cheapest(offers(world, city, checkin, checkout, adults))
    if best is None:
        return None
    people = "me" if adults == 1 else "two adults"
    return Draft(
        request=rng.choice([
            ("What's the cheapest hotel room in {c} for {p} from {a} to {b}? Tell me the hotel, its address "
             "and the total price."),
            ("I'm looking at {c}, checking in {a} and out {b}, for {p}. Which hotel has the lowest total price, "
             "where is it, and how much would it be?"),
        ]).format(c=city, p=people, a=spoken_date(checkin, rng), b=spoken_date(checkout, rng)),
        calls=(*stay_search(world, best, checkin, checkout, adults),
               call("get_hotel_details", hotel_id=best["hotel_id"])),
        answer=(best["hotel_name"], Ref(2, "address"), best["total_price"]))


@scenario
def book_named_room(world: HotelBooking, rng: random.Random) -> Draft | None:
    city, (checkin, checkout) = some_city(rng), some_stay(rng)
    free = offers(world, city, checkin, checkout, 2)
    if not free:
        return None
    offer = rng.choice(free)
    guests = [b["lead_guest"] for b in nameable_bookings(world, "completed")]
    lead, companion = rng.sample(guests, 2)
    return Draft(
        request=(f"Please book a {offer['name']} at {offer['hotel_name']} in {city} from "
                 f"{spoken_date(checkin, rng)} to {spoken_date(checkout, rng)} for two adults: {lead} "
                 f"(lead guest) and {companion}."),
        calls=(*stay_search(world, offer, checkin, checkout, 2),
               book_call(offer, checkin, checkout, [lead, companion], adults=2)))


@scenario
def family_booking(world: HotelBooking, rng: random.Random) -> Draft | None:
    city, (checkin, checkout) = some_city(rng), some_stay(rng)
    best = cheapest(offers(world, city, checkin, checkout, 2, 2))
    if best is None:
        return None
    lead = rng.choice(nameable_bookings(world, "completed"))["lead_guest"]
    return Draft(
        request=(f"We're two adults and two kids going to {city}, {spoken_date(checkin, rng)} to "
                 f"{spoken_date(checkout, rng)}. Book the cheapest room that fits all of us, under my name, "
                 f"{lead}."),
        calls=(*stay_search(world, best, checkin, checkout, 2, 2),
               book_call(best, checkin, checkout, [lead], adults=2, kids=2)))


@scenario
def cancel_stay(world: HotelBooking, rng: random.Random) -> Draft:
    booking = rng.choice(nameable_bookings(world, "confirmed"))
    return Draft(
        request=rng.choice([
            "This is {g}. Cancel my stay at {h} starting {d}, and tell me how much I'll get back.",
            "I'm {g} and I can't make it to {h} on {d} after all. Please cancel; what's the refund?",
        ]).format(g=booking["lead_guest"], h=booking["hotel_name"], d=spoken_date(booking["checkin_date"], rng)),
        calls=(call("list_bookings", guest_name=booking["lead_guest"]),
               call("cancel_booking", booking_id=booking["booking_id"])),
        answer=(Ref(1, "refund_amount"),))


@scenario
def shift_stay(world: HotelBooking, rng: random.Random) -> Draft | None:
    bookings = [b for b in nameable_bookings(world, "confirmed") if b["free_cancellation_days"] is not None]
    if not bookings:
        return None
    booking, days = rng.choice(bookings), rng.choice([-1, 1, 2])
    move = dt.timedelta(days=days)
    checkin = dt.date.fromisoformat(booking["checkin_date"]) + move
    checkout = dt.date.fromisoformat(booking["checkout_date"]) + move
    direction = f"{abs(days)} day{'s' if abs(days) > 1 else ''} {'later' if days > 0 else 'earlier'}"
    return Draft(
        request=(f"I'm {booking['lead_guest']}. Could you move my {booking['hotel_name']} booking {direction}, "
                 "keeping the same number of nights?"),
        calls=(call("list_bookings", guest_name=booking["lead_guest"], status="confirmed"),
               call("modify_booking", booking_id=booking["booking_id"], checkin_date=checkin.isoformat(),
                    checkout_date=checkout.isoformat())))


@scenario
def add_guest(world: HotelBooking, rng: random.Random) -> Draft | None:
    bookings = [b for b in nameable_bookings(world, "confirmed")
                if b["free_cancellation_days"] is not None and b["adults"] < b["max_adults"]]
    if not bookings:
        return None
    booking = rng.choice(bookings)
    guests = guest_names(world, booking["booking_id"])
    newcomer = rng.choice([b["lead_guest"] for b in nameable_bookings(world, "completed")
                           if b["lead_guest"] not in guests])
    return Draft(
        request=(f"Hi, {booking['lead_guest']} here. {newcomer} is joining me at {booking['hotel_name']} in "
                 f"{booking['city']}; please add them to my booking as an extra adult."),
        calls=(call("list_bookings", guest_name=booking["lead_guest"]),
               call("get_booking", booking_id=booking["booking_id"]),
               call("modify_booking", booking_id=booking["booking_id"], adults=booking["adults"] + 1,
                    guest_names=[*guests, newcomer])))


@scenario
def review_stay(world: HotelBooking, rng: random.Random) -> Draft | None:
    reviewed = {r["booking_id"] for r in world.rows("SELECT booking_id FROM reviews WHERE booking_id IS NOT NULL")}
    bookings = [b for b in nameable_bookings(world, "completed") if b["booking_id"] not in reviewed]
    if not bookings:
        return None
    booking = rng.choice(bookings)
    rating, comment = rng.randint(1, 5), rng.choice(REVIEW_COMMENTS)
    return Draft(
        request=(f"I'm {booking['lead_guest']}. Please leave a {rating}-star review for my February stay at "
                 f"{booking['hotel_name']} saying: \"{comment}\""),
        calls=(call("list_bookings", guest_name=booking["lead_guest"], status="completed"),
               call("add_review", booking_id=booking["booking_id"], rating=rating, comment=comment)))


@scenario
def stay_details(world: HotelBooking, rng: random.Random) -> Draft:
    booking = rng.choice(nameable_bookings(world, "confirmed"))
    return Draft(
        request=(f"I'm {booking['lead_guest']}. For my upcoming stay in {booking['city']}: what's the hotel's "
                 "address, which room type did I book, and until when can I cancel for free?"),
        calls=(call("list_bookings", guest_name=booking["lead_guest"], status="confirmed"),
               call("get_booking", booking_id=booking["booking_id"]),
               call("get_hotel_details", hotel_id=booking["hotel_id"])),
        answer=(Ref(2, "address"), booking["room_type"],
                Ref(1, "free_cancellation_until", then=or_non_refundable)))


@scenario
def book_asking_checkout(world: HotelBooking, rng: random.Random) -> Draft | None:
    city, (checkin, checkout) = some_city(rng), some_stay(rng)
    free = offers(world, city, checkin, checkout)
    if not free:
        return None
    hotel = rng.choice(free)["hotel_id"]
    best = cheapest([o for o in free if o["hotel_id"] == hotel])
    if best is None:
        return None
    lead = rng.choice(nameable_bookings(world, "completed"))["lead_guest"]
    return Draft(
        request=(f"Book me, {lead}, the cheapest room at {best['hotel_name']} in {city}, arriving "
                 f"{spoken_date(checkin, rng)}. Just me."),
        calls=(*stay_search(world, best, checkin, checkout),
               book_call(best, checkin, checkout, [lead], adults=1)),
        ask=(UserFact("check-out date", checkout.isoformat(), ("check-out", "checkout", "leav", "nights",
                                                               "depart")),))
