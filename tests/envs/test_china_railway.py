"""Behaviour of the ChinaRailway environment: booking, refund fees, changing once, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.travel.china_railway import CLASSES
from tests.envs.support import fails, gold_calls, play

ENV = "ChinaRailway"


def open_leg(world: Any, kind: str = "G") -> dict[str, Any]:
    """A train (of ``kind``) leaving its first station on 2026-03-09 with a second/hard seat left, first to last stop."""
    seat = "second" if kind != "K" else "hard_seat"
    train = world.value("SELECT train_no FROM seats WHERE date = '2026-03-09' AND seat_class = ? AND remaining > 1"
                        " ORDER BY train_no", seat)
    stops = world.rows("SELECT * FROM stops WHERE train_no = ? ORDER BY seq", train)
    return {"train_no": train, "date": "2026-03-09", "from_station_code": stops[0]["station_code"],
            "to_station_code": stops[-1]["station_code"], "seat_class": seat}


def test_book_takes_a_seat_and_writes_an_order(env: Any, world: Any) -> None:
    leg, who = open_leg(world), world.value("SELECT name FROM passengers ORDER BY name")
    left = world.value("SELECT remaining FROM seats WHERE train_no = ? AND date = ? AND seat_class = ?",
                       leg["train_no"], leg["date"], leg["seat_class"])
    order = world.call("book_ticket", {**leg, "passenger_name": who.upper()})
    assert (order["passenger_name"], order["status"], order["changed"]) == (who, "paid", False)
    assert world.value("SELECT remaining FROM seats WHERE train_no = ? AND date = ? AND seat_class = ?",
                       leg["train_no"], leg["date"], leg["seat_class"]) == left - 1
    assert world.row("SELECT status FROM orders WHERE order_id = ?", order["order_id"]) == {"status": "paid"}
    assert fails(env, world, "book_ticket", {**leg, "passenger_name": who}) == (
        f"{who} already holds a ticket on {leg['train_no']} on 2026-03-09")
    assert fails(env, world, "book_ticket", {**leg, "passenger_name": "Nobody Here"}) == (
        "'Nobody Here' is not a saved passenger of this account; list_passengers shows them")
    other = world.value("SELECT name FROM passengers WHERE name != ? ORDER BY name", who)
    assert fails(env, world, "book_ticket", {**leg, "seat_class": "hard_sleeper", "passenger_name": other}) == (
        f"{leg['train_no']} has no hard_sleeper seats; it sells {', '.join(CLASSES[leg['train_no'][0]])}")
    backwards = {**leg, "from_station_code": leg["to_station_code"], "to_station_code": leg["from_station_code"]}
    assert fails(env, world, "book_ticket", {**backwards, "passenger_name": who}) == (
        f"train {leg['train_no']} does not run from {leg['to_station_code']} to {leg['from_station_code']};"
        " get_train_route_stations lists its stops")
    assert fails(env, world, "book_ticket", {**leg, "date": "2026-03-20", "passenger_name": who}) == (
        "tickets go on sale 15 days ahead; 2026-03-20 is not on sale yet")


def test_refund_fee_and_seat_back(env: Any, world: Any) -> None:
    leg, who = open_leg(world), world.value("SELECT name FROM passengers ORDER BY name")
    order = world.call("book_ticket", {**leg, "passenger_name": who})
    refund = world.call("refund_ticket", {"order_id": order["order_id"]})  # 7 days ahead: 5%
    fee = round(order["price"] * 0.05 * 2) / 2
    assert refund == {"order_id": order["order_id"], "status": "refunded", "price": order["price"], "fee": fee,
                      "refund_amount": order["price"] - fee}
    assert world.value("SELECT status FROM orders WHERE order_id = ?", order["order_id"]) == "refunded"
    assert fails(env, world, "refund_ticket", {"order_id": order["order_id"]}) == (
        f"ticket {order['order_id']} is already refunded")


def test_change_only_once(env: Any, world: Any) -> None:
    leg, who = open_leg(world), world.value("SELECT name FROM passengers ORDER BY name")
    order = world.call("book_ticket", {**leg, "passenger_name": who})
    changed = world.call("change_ticket", {"order_id": order["order_id"], "new_train_no": leg["train_no"],
                                           "new_date": "2026-03-10", "seat_class": "first"})
    assert changed["order"]["changed"] is True and changed["order"]["date"] == "2026-03-10"
    assert changed["price_difference"] == changed["order"]["price"] - order["price"] > 0
    assert fails(env, world, "change_ticket", {"order_id": order["order_id"], "new_train_no": leg["train_no"],
                                               "new_date": "2026-03-11"}) == (
        f"ticket {order['order_id']} was already changed once; refund it and book again instead")


def test_schema_limits_and_lookups(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    assert tools["get_tickets"][1].parameters["properties"]["from_station_code"]["pattern"] == "^[A-Z]{3}$"
    assert fails(env, world, "get_station_by_code", {"station_code": "vnp"}).startswith(
        "invalid arguments for 'get_station_by_code': station_code:")
    assert world.call("get_station_code_by_name", {"station_name": "beijing south station"})["station_code"] == "VNP"
    codes = [s["station_code"] for s in world.call("get_stations_code_in_city", {"city": "Shanghai"})["stations"]]
    assert codes == ["SHH", "AOH"]


def test_gold_earns_one_and_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "book_ticket" and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = "first" if arguments["seat_class"] != "first" else "second"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "seat_class": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
