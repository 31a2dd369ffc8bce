"""Behaviour of the Airline environment: booking, bags, flight changes, cancellation rules, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Airline"


def bookable(world: Any, cabin: str = "economy") -> dict[str, Any]:
    return world.row(f"SELECT f.*, d.date FROM flights f JOIN flight_dates d USING (flight_number) WHERE d.status ="
                     f" 'available' AND d.{cabin} >= 2 AND d.date = '2026-03-10' ORDER BY f.flight_number")


def booking(world: Any, cabin: str = "economy", **extra: Any) -> dict[str, Any]:
    user = world.row("SELECT * FROM users WHERE membership = 'regular' ORDER BY user_id")
    card = world.value("SELECT payment_id FROM payment_methods WHERE user_id = ? AND source = 'credit_card'",
                       user["user_id"])
    flight = bookable(world, cabin)
    return {"user_id": user["user_id"], "origin": flight["origin"], "destination": flight["destination"],
            "flight_type": "one_way", "cabin": cabin,
            "flights": [{"flight_number": flight["flight_number"], "date": flight["date"]}],
            "passengers": [{"first_name": "Ana", "last_name": "Ruiz", "dob": "1990-05-01"}],
            "payment_method": card, "total_baggages": 2, "nonfree_baggages": 1, "insurance": False, **extra}


def test_book_charges_and_takes_seats(env: Any, world: Any) -> None:
    args = booking(world)
    leg = args["flights"][0]
    seats = world.value("SELECT economy FROM flight_dates WHERE flight_number = ? AND date = ?", *leg.values())
    made = world.call("book_reservation", args)
    price = made["flights"][0]["price"]
    assert (made["status"], made["total_price"], made["nonfree_baggages"]) == ("active", price + 50, 1)
    assert world.value("SELECT economy FROM flight_dates WHERE flight_number = ? AND date = ?", *leg.values()) == (
        seats - 1)
    assert world.value("SELECT SUM(amount) FROM payments WHERE reservation_id = ?", made["reservation_id"]) == (
        price + 50)
    assert fails(env, world, "book_reservation", {**args, "nonfree_baggages": 2}) == (
        "a regular member gets 1 free bags for 1 passenger(s) in economy; with 2 bags nonfree_baggages must be 1")
    assert fails(env, world, "book_reservation", {**args, "destination": args["origin"]}).startswith(
        "the flights do not make a one-way trip")
    other = world.value("SELECT payment_id FROM payment_methods WHERE user_id != ? ORDER BY payment_id",
                        args["user_id"])
    assert fails(env, world, "book_reservation", {**args, "payment_method": other}) == (
        f"'{other}' is not a payment method of {args['user_id']}; get_user_details lists them")


def test_gift_card_balance_is_enforced(env: Any, world: Any) -> None:
    card = world.row("SELECT * FROM payment_methods WHERE source = 'gift_card' ORDER BY payment_id")
    user = world.row("SELECT * FROM users WHERE user_id = ?", card["user_id"])
    args = booking(world, "business", user_id=user["user_id"], payment_method=card["payment_id"],
                   passengers=[{"first_name": "A", "last_name": "B", "dob": "1990-01-01"}] * 5, total_baggages=0,
                   nonfree_baggages=0)
    message = fails(env, world, "book_reservation", args)
    assert message.startswith(f"{card['payment_id']} has ${card['balance']:.2f} left, not enough for $")


def test_baggage_can_only_grow(env: Any, world: Any) -> None:
    made = world.call("book_reservation", booking(world))
    rid, card = made["reservation_id"], booking(world)["payment_method"]
    assert world.call("update_reservation_baggage", {"reservation_id": rid, "total_baggages": 4,
                                                     "nonfree_baggages": 3, "payment_method": card}) == {
        "reservation_id": rid, "status": "active", "additional_charge": 100.0}
    assert world.row("SELECT total_baggages, nonfree_baggages FROM reservations WHERE reservation_id = ?", rid) == {
        "total_baggages": 4, "nonfree_baggages": 3}
    assert fails(env, world, "update_reservation_baggage", {"reservation_id": rid, "total_baggages": 3,
                                                            "nonfree_baggages": 2, "payment_method": card}) == (
        f"reservation {rid} already has 4 bag(s); bags can only be added")


def test_upgrade_and_passenger_count(env: Any, world: Any) -> None:
    args = booking(world)
    made = world.call("book_reservation", args)
    rid = made["reservation_id"]
    upgraded = world.call("update_reservation_flights", {"reservation_id": rid, "cabin": "business",
                                                         "flights": args["flights"],
                                                         "payment_method": args["payment_method"]})
    assert upgraded["additional_charge"] > 0
    assert world.value("SELECT cabin FROM reservations WHERE reservation_id = ?", rid) == "business"
    two = [args["passengers"][0], {"first_name": "B", "last_name": "C", "dob": "1991-01-01"}]
    assert fails(env, world, "update_reservation_passengers", {"reservation_id": rid, "passengers": two}) == (
        f"reservation {rid} has 1 passenger(s); the number cannot change: cancel and book again to add or remove"
        " travellers")
    renamed = [{**args["passengers"][0], "first_name": "Anna"}]
    world.call("update_reservation_passengers", {"reservation_id": rid, "passengers": renamed})
    assert world.value("SELECT first_name FROM passengers WHERE reservation_id = ?", rid) == "Anna"


def test_cancel_rules(env: Any, world: Any) -> None:
    made = world.call("book_reservation", booking(world))
    cancelled = world.call("cancel_reservation", {"reservation_id": made["reservation_id"]})
    assert cancelled == {"reservation_id": made["reservation_id"], "status": "cancelled",
                         "refund_amount": made["total_price"]}
    assert fails(env, world, "cancel_reservation", {"reservation_id": made["reservation_id"]}) == (
        f"reservation {made['reservation_id']} is already cancelled")
    old = world.row("SELECT * FROM reservations r WHERE cabin = 'economy' AND insurance = 0 AND created_at <"
                    " '2026-03-01' AND NOT EXISTS (SELECT 1 FROM legs l JOIN flight_dates d USING (flight_number, date)"
                    " WHERE l.reservation_id = r.reservation_id AND (d.date <= '2026-03-02' OR d.status = 'cancelled'))"
                    " ORDER BY reservation_id")
    assert fails(env, world, "cancel_reservation", {"reservation_id": old["reservation_id"]}) == (
        f"reservation {old['reservation_id']} is economy without insurance, booked over 24 hours ago, and no flight"
        " was cancelled by the airline: it cannot be refunded")


def test_schema_shows_limits(env: Any, world: Any) -> None:
    spec = world_set(ENV)(0).tools["book_reservation"][1]
    assert spec.parameters["properties"]["passengers"]["maxItems"] == 5
    assert "user_id" in spec.user_known
    message = fails(env, world, "update_reservation_baggage", {"reservation_id": "R0000000000", "total_baggages": 21,
                                                               "nonfree_baggages": 0, "payment_method": "x"})
    assert message == "invalid arguments for 'update_reservation_baggage': total_baggages must be between 0 and 20"


def test_gold_earns_one_and_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "update_reservation_baggage" and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    wrong = {**arguments, "total_baggages": arguments["total_baggages"] + 1, "nonfree_baggages":
             arguments["nonfree_baggages"] + 1}
    assert play(env, task.id, [*calls[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, []) == 0.0
