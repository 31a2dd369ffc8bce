"""Behaviour of the HotelBooking environment: prices, availability, refunds, changes, reviews, errors, rewards."""

from __future__ import annotations

from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from envfactory_gym.registration import world_set
from tests.envs.support import gold_calls, play, scenario_task

ENV = "HotelBooking"


def room(world: Any, condition: str = "1") -> dict[str, Any]:
    """The first room type (by id) meeting an SQL condition that has no bookings at all."""
    return world.row(f"SELECT * FROM room_types WHERE {condition} AND room_type_id NOT IN"
                     " (SELECT room_type_id FROM bookings) ORDER BY room_type_id")


def book(world: Any, offer: dict[str, Any], checkin: str, checkout: str, adults: int = 1, kids: int = 0,
         guests: list[str] | None = None) -> dict[str, Any]:
    return world.call("book_hotel", {"hotel_id": offer["hotel_id"], "room_type_id": offer["room_type_id"],
                                     "checkin_date": checkin, "checkout_date": checkout, "adults": adults,
                                     "kids": kids, "guest_names": guests or ["Ada Lovelace"]})


def test_booking_prices_weekend_nights_higher_and_records_guests(world: Any) -> None:
    offer = room(world, "max_adults >= 2")
    # Thursday 2026-03-12 to Sunday 2026-03-15: one weekday night, then Friday and Saturday nights at +20%.
    booked = book(world, offer, "2026-03-12", "2026-03-15", adults=2, guests=[" Ada Lovelace ", "Charles Babbage"])
    rate = offer["price_per_night"]
    assert booked["total_price"] == round(rate + 2 * round(rate * 1.2, 2), 2)
    assert (booked["status"], booked["guests"]) == ("confirmed", ["Ada Lovelace", "Charles Babbage"])
    assert world.rows("SELECT position, guest_name FROM booking_guests WHERE booking_id = ? ORDER BY position",
                      booked["booking_id"]) == [{"position": 1, "guest_name": "Ada Lovelace"},
                                                {"position": 2, "guest_name": "Charles Babbage"}]
    assert [b["booking_id"] for b in world.call("list_bookings", {"guest_name": "babbage"})] == [booked["booking_id"]]
    assert world.call("list_bookings", {"guest_name": "%"}) == []


def test_a_full_room_type_cannot_be_booked_and_the_failure_changes_nothing(env: Any, world: Any) -> None:
    offer = room(world)
    for _ in range(offer["total_rooms"]):
        book(world, offer, "2026-03-10", "2026-03-12")
    before = env.state_digest()
    with pytest.raises(ToolError) as full:
        book(world, offer, "2026-03-11", "2026-03-13")
    assert str(full.value) == (f"no {offer['name']} is free from 2026-03-11 to 2026-03-13; get_hotels shows what is "
                               "free")
    assert env.state_digest() == before
    book(world, offer, "2026-03-12", "2026-03-13")  # the rooms are free again from checkout day


def test_booking_input_errors(env: Any, world: Any) -> None:
    single = room(world, "max_kids = 0")
    before = env.state_digest()
    with pytest.raises(ToolError, match=f"^a {single['name']} holds at most {single['max_adults']} adults and 0 kids$"):
        book(world, single, "2026-03-10", "2026-03-12", kids=1)
    with pytest.raises(ToolError, match="^checkin_date 2026-02-10 is in the past$"):
        book(world, single, "2026-02-10", "2026-02-12")
    with pytest.raises(ToolError, match="^checkout_date must be after checkin_date$"):
        book(world, single, "2026-03-10", "2026-03-10")
    with pytest.raises(ToolError, match=f"^hotel '{single['hotel_id']}' has no room type 'rm_x'"):
        book(world, {**single, "room_type_id": "rm_x"}, "2026-03-10", "2026-03-12")
    with pytest.raises(ToolError, match="^2 guest names given but the booking is for 1 people$"):
        book(world, single, "2026-03-10", "2026-03-12", guests=["A B", "C D"])
    assert env.state_digest() == before


@pytest.mark.parametrize(("condition", "checkin", "expected"), [
    ("free_cancellation_days = 1", "2026-03-20", "full"),
    ("free_cancellation_days = 7", "2026-03-05", "all but the first night"),
    ("free_cancellation_days IS NULL", "2026-03-20", "nothing"),
])
def test_cancellation_refund_rules(world: Any, condition: str, checkin: str, expected: str) -> None:
    offer = room(world, condition)
    booked = book(world, offer, checkin, checkin[:-2] + f"{int(checkin[-2:]) + 2:02d}")
    details = world.call("get_booking", {"booking_id": booked["booking_id"]})
    refund = {"full": booked["total_price"], "nothing": 0.0,
              "all but the first night": round(booked["total_price"] - offer["price_per_night"], 2)}[expected]
    assert details["refund_if_cancelled_now"] == refund
    cancelled = world.call("cancel_booking", {"booking_id": booked["booking_id"]})
    assert cancelled == {"booking_id": booked["booking_id"], "status": "cancelled", "refund_amount": refund,
                         "currency": "USD"}
    assert world.value("SELECT refund_amount FROM bookings WHERE booking_id = ?", booked["booking_id"]) == refund
    with pytest.raises(ToolError, match=f"^booking '{booked['booking_id']}' is cancelled; only confirmed"):
        world.call("cancel_booking", {"booking_id": booked["booking_id"]})


def test_modify_booking_moves_dates_reprices_and_replaces_guests(env: Any, world: Any) -> None:
    offer = room(world, "free_cancellation_days IS NOT NULL AND max_adults >= 2")
    booked = book(world, offer, "2026-03-09", "2026-03-10")
    changed = world.call("modify_booking", {"booking_id": booked["booking_id"], "checkin_date": "2026-03-13",
                                            "checkout_date": "2026-03-15", "adults": 2,
                                            "guest_names": ["Ada Lovelace", "Mary Somerville"]})
    weekend = round(offer["price_per_night"] * 1.2, 2)
    assert (changed["checkin_date"], changed["total_price"], changed["guests"]) == (
        "2026-03-13", round(2 * weekend, 2), ["Ada Lovelace", "Mary Somerville"])
    assert changed["price_difference"] == round(changed["total_price"] - booked["total_price"], 2)
    with pytest.raises(ToolError, match="^nothing to change: give new dates, party size or guest names$"):
        world.call("modify_booking", {"booking_id": booked["booking_id"]})
    locked = book(world, room(world, "free_cancellation_days IS NULL"), "2026-03-09", "2026-03-10")
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("modify_booking", {"booking_id": locked["booking_id"], "checkin_date": "2026-03-08"})
    assert str(error.value) == (f"booking '{locked['booking_id']}' is on a non-refundable rate and cannot be "
                                "changed")
    assert env.state_digest() == before


def test_reviews_only_for_completed_stays_once(env: Any, world: Any) -> None:
    stay = world.row("SELECT * FROM bookings WHERE status = 'completed' AND booking_id NOT IN"
                     " (SELECT booking_id FROM reviews WHERE booking_id IS NOT NULL) ORDER BY booking_id")
    upcoming = world.value("SELECT booking_id FROM bookings WHERE status = 'confirmed' ORDER BY booking_id")
    with pytest.raises(ToolError, match=f"^booking '{upcoming}' is confirmed; only completed stays can be reviewed$"):
        world.call("add_review", {"booking_id": upcoming, "rating": 4, "comment": "Nice"})
    with pytest.raises(ToolError) as bad:
        world.call("add_review", {"booking_id": stay["booking_id"], "rating": 6, "comment": " "})
    assert str(bad.value) == ("invalid arguments for 'add_review': rating must be between 1 and 5; "
                              "comment must not be empty")
    count = world.value("SELECT COUNT(*) FROM reviews WHERE hotel_id = ?", stay["hotel_id"])
    review = world.call("add_review", {"booking_id": stay["booking_id"], "rating": 5, "comment": " Lovely "})
    assert (review["rating"], review["review_count"]) == (5, count + 1)
    assert review["hotel_rating"] == world.value("SELECT ROUND(AVG(rating), 1) FROM reviews WHERE hotel_id = ?",
                                                 stay["hotel_id"])
    lead = world.value("SELECT guest_name FROM booking_guests WHERE booking_id = ? AND position = 1",
                       stay["booking_id"])
    assert world.row("SELECT reviewer, rating, comment FROM reviews WHERE review_id = ?", review["review_id"]) == {
        "reviewer": lead, "rating": 5, "comment": "Lovely"}
    before = env.state_digest()
    with pytest.raises(ToolError, match=f"^booking '{stay['booking_id']}' has already been reviewed$"):
        world.call("add_review", {"booking_id": stay["booking_id"], "rating": 1, "comment": "Changed my mind"})
    assert env.state_digest() == before


def test_get_hotels_filters_by_party_and_sorts_by_total(world: Any) -> None:
    destination = world.call("search_destinations", {"city": "rome"})
    assert [d["city"] for d in destination] == ["Rome"]
    found = world.call("get_hotels", {"destination_id": destination[0]["destination_id"],
                                      "checkin_date": "2026-03-10", "checkout_date": "2026-03-12", "adults": 2,
                                      "kids": 1})
    totals = [min(r["total_price"] for r in h["rooms"]) for h in found]
    assert totals == sorted(totals)
    assert all(r["rooms_left"] > 0 for h in found for r in h["rooms"])
    fitting = {r["room_type_id"] for r in world.rows("SELECT room_type_id FROM room_types WHERE max_adults >= 2"
                                                     " AND max_kids >= 1")}
    assert {r["room_type_id"] for h in found for r in h["rooms"]} <= fitting
    with pytest.raises(ToolError, match="^give both checkin_date and checkout_date, or neither$"):
        world.call("get_hotels", {"destination_id": destination[0]["destination_id"], "checkin_date": "2026-03-10"})
    with pytest.raises(ToolError, match="^no destination 'dst_x'; search_destinations gives the ids$"):
        world.call("get_hotels", {"destination_id": "dst_x"})


def test_gold_path_earns_one_and_booking_another_room_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "book_named_room")
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    booked = gold[-1][1]
    other = world.value("SELECT room_type_id FROM room_types WHERE hotel_id = ? AND room_type_id != ? AND"
                        " max_adults >= 2 ORDER BY room_type_id", booked["hotel_id"], booked["room_type_id"])
    assert other is not None
    assert play(env, task.id, [*gold[:-1], (gold[-1][0], {**booked, "room_type_id": other})]) == 0.0
    assert play(env, task.id, [*gold[:-1], (gold[-1][0], {**booked, "guest_names": booked["guest_names"][:1],
                                                           "adults": 1})]) == 0.0


def test_declared_limits_show_in_the_schema_and_are_enforced_before_the_body(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    hotels = tools["get_hotels"][1].parameters["properties"]
    assert (hotels["limit"]["maximum"], hotels["adults"]["maximum"], hotels["kids"]["maximum"]) == (50, 8, 6)
    assert tools["book_hotel"][1].parameters["properties"]["guest_names"]["minItems"] == 1
    assert tools["list_bookings"][1].user_known == frozenset({"guest_name"})
    offer = room(world, "max_adults >= 2")
    before = env.state_digest()
    with pytest.raises(ToolError) as party:
        book(world, offer, "2026-03-10", "2026-03-12", adults=9)
    assert str(party.value) == "invalid arguments for 'book_hotel': adults must be between 1 and 8"
    with pytest.raises(ToolError) as nobody:
        world.call("book_hotel", {"hotel_id": offer["hotel_id"], "room_type_id": offer["room_type_id"],
                                  "checkin_date": "2026-03-10", "checkout_date": "2026-03-12", "adults": 1,
                                  "guest_names": []})
    assert str(nobody.value).startswith("invalid arguments for 'book_hotel': guest_names: List should have at least 1")
    with pytest.raises(ToolError) as blank:
        world.call("list_bookings", {"guest_name": "  "})
    assert str(blank.value) == "invalid arguments for 'list_bookings': guest_name must not be empty"
    assert env.state_digest() == before
