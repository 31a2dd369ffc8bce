"""Task templates of ChinaRailway: booking by station names and changing a ticket to another train."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.travel.china_railway import ChinaRailway


@scenario
def book_by_station_names(world: ChinaRailway, rng: random.Random) -> Draft | None:
    train = rng.choice(world.rows("SELECT train_no FROM trains ORDER BY train_no"))["train_no"]
    stops = world.rows("SELECT s.station_code, t.name FROM stops s JOIN stations t ON t.code = s.station_code"
                       " WHERE train_no = ? ORDER BY seq", train)
    a, b = sorted(rng.sample(range(len(stops)), 2))
    date = f"2026-03-{rng.randrange(4, 15):02d}"
    seat = world.row("SELECT seat_class FROM seats WHERE train_no = ? AND date = ? AND remaining > 0 ORDER BY"
                     " seat_class", train, date)
    who = rng.choice(world.rows("SELECT name FROM passengers ORDER BY name"))["name"]
    if seat is None:
        return None
    start, end = stops[a], stops[b]
    return Draft(
        request=(f"Book {who} a {seat['seat_class'].replace('_', ' ')} ticket on train {train} from {start['name']}"
                 f" to {end['name']} on {date}."),
        calls=(call("get_station_code_by_name", station_name=start["name"]),
               call("get_station_code_by_name", station_name=end["name"]),
               call("book_ticket", train_no=train, date=date, from_station_code=start["station_code"],
                    to_station_code=end["station_code"], seat_class=seat["seat_class"], passenger_name=who)))


@scenario
def change_to_another_train(world: ChinaRailway, rng: random.Random) -> Draft | None:
    orders = world.rows("SELECT * FROM orders WHERE status = 'paid' AND changed = 0 AND depart_at > '2026-03-03'"
                        " AND passenger_name IN (SELECT passenger_name FROM orders GROUP BY passenger_name"
                        " HAVING COUNT(*) = 1) ORDER BY order_id")
    if not orders:
        return None
    order = rng.choice(orders)
    offers = world.get_tickets(order["date"], order["from_station_code"], order["to_station_code"])["trains"]
    options = [t for t in offers if t["train_no"] != order["train_no"] and any(
        s["seat_class"] == order["seat_class"] and s["remaining"] > 0 for s in t["seats"])]
    if not options:
        return None
    train = rng.choice(options)
    names = {c: world.value("SELECT name FROM stations WHERE code = ?", c)
             for c in (order["from_station_code"], order["to_station_code"])}
    return Draft(
        request=(f"{order['passenger_name']} has a train ticket from {names[order['from_station_code']]} to"
                 f" {names[order['to_station_code']]} on {order['date']}. Please switch it to {train['train_no']}"
                 f" that same day, same seat class, and tell me the new seat."),
        calls=(call("list_orders", status="paid"),
               call("change_ticket", order_id=order["order_id"], new_train_no=train["train_no"],
                    new_date=order["date"])),
        answer=(Ref(1, "order.seat"),))
