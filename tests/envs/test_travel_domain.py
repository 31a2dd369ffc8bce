"""The Travel domain: shared cities and travellers, prefixed tool names, cross-environment tasks and rewards."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks
from envs.travel.cities import CITY_NAMES
from tests.envs.support import Calls, play, scenario_task

MEMBERS = ("AirDNA", "Airline", "ChinaRailway", "Didi", "HKBus", "HotelBooking", "TravelBooking", "UUPaoTui")
NEW_MEMBERS = ("AirDNA", "Airline", "ChinaRailway", "Didi", "HKBus", "UUPaoTui")
#: cross templates over the newer members -> the members each chains
NEW_TEMPLATES = {
    "airport_ride_by_flight_status": {"Airline", "Didi"},
    "fly_from_beijing_with_ride_quote": {"Airline", "Didi"},
    "train_and_ride_to_station": {"ChinaRailway", "Didi"},
    "train_after_landing": {"Airline", "ChinaRailway"},
    "rental_estimate_decides_cabin": {"AirDNA", "Airline"},
    "train_to_shenzhen_and_hk_bus": {"ChinaRailway", "HKBus"},
    "train_time_decides_errand": {"ChinaRailway", "UUPaoTui"},
}


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Travel-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str) -> Any:
    return scenario_task(env, scenario, lambda t: t.env == "Travel")


def gold_calls(env: Any, task: Any) -> Calls:
    """A cross task's stored gold calls (each naming its environment) under the names the domain offers."""
    return [(env.worlds.public_name(g["env"], g["name"]), g["arguments"]) for g in task.gold]


def replaced(calls: Calls, tool: str, **changes: Any) -> Calls:
    """The calls with the (last) call of a tool given other argument values."""
    index = max(i for i, (name, _) in enumerate(calls) if name == tool)
    return [*calls[:index], (tool, {**calls[index][1], **changes}), *calls[index + 1:]]


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"TravelBooking_cancel_booking", "HotelBooking_cancel_booking", "TravelBooking_list_bookings",
            "HotelBooking_list_bookings"} <= names
    assert not {"cancel_booking", "list_bookings"} & names
    assert {"authenticate", "book_flight", "book_hotel", "modify_booking", "search_destinations"} <= names
    assert {"Airline_search_flights", "TravelBooking_search_flights", "Airline_list_airports",
            "TravelBooking_list_airports", "ChinaRailway_list_orders", "UUPaoTui_list_orders"} <= names
    assert not {"search_flights", "list_airports", "list_orders"} & names
    assert {"book_reservation", "taxi_create_order", "book_ticket", "add_favourite", "create_order",
            "get_rental_estimate"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_both_worlds_share_cities_and_travellers(env: Any) -> None:
    airline, hotels = env.worlds.worlds["TravelBooking"], env.worlds.worlds["HotelBooking"]
    assert sorted(r["city"] for r in airline.rows("SELECT city FROM airports")) == sorted(CITY_NAMES)
    assert sorted(r["city"] for r in hotels.rows("SELECT city FROM destinations")) == sorted(CITY_NAMES)
    travellers = {f"{r['first_name']} {r['last_name']}" for r in airline.rows("SELECT * FROM accounts")}
    hotel_guests = {r["guest_name"] for r in hotels.rows("SELECT guest_name FROM booking_guests")}
    assert len(travellers & hotel_guests) >= 6  # the planned trips with a hotel stay


def test_domain_lists_every_member(env: Any) -> None:
    assert sorted(env.worlds.worlds) == sorted(MEMBERS)


def test_domain_offers_member_and_cross_tasks(env: Any) -> None:
    by_env = {name: [t for t in env.tasks if t.env == name] for name in (*MEMBERS, "Travel")}
    assert all(by_env.values())
    assert len(by_env["Travel"]) >= 80
    assert all(t.tags["envs"] == 2 for t in by_env["Travel"])
    assert len(env.tasks) == sum(len(load_tasks(name)) for name in MEMBERS) + len(by_env["Travel"])


def test_new_members_have_at_least_20_cross_tasks_each_template_some(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Travel"]
    new = [t for t in cross if t.tags["scenario"] in NEW_TEMPLATES]
    assert len(new) >= 20
    for scenario, members in NEW_TEMPLATES.items():
        tasks = [t for t in new if t.tags["scenario"] == scenario]
        assert tasks, scenario
        assert all({g["env"] for g in t.gold} == members for t in tasks), scenario


@pytest.mark.parametrize("scenario", sorted(NEW_TEMPLATES))
def test_new_template_gold_earns_1_and_stopping_short_0(env: Any, scenario: str) -> None:
    task = cross_task(env, scenario)
    gold = gold_calls(env, task)
    answer = "Done: " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    assert play(env, task.id, gold[:-1], "Done.") == 0.0


def test_airport_ride_goes_to_the_flight_airport_in_the_car_its_status_asks_for(env: Any) -> None:
    task = cross_task(env, "airport_ride_by_flight_status")
    gold = gold_calls(env, task)
    estimate = next(args for name, args in gold if name == "taxi_estimate")
    assert estimate["destination_location"] == "Beijing Capital International Airport"
    daxing = replaced(gold, "taxi_estimate", destination_location="Beijing Daxing International Airport")
    assert play(env, task.id, daxing) == 0.0
    product = next(args for name, args in gold if name == "taxi_create_order")["product_category"]
    other = "express" if product == "premier" else "premier"
    assert play(env, task.id, replaced(gold, "taxi_create_order", product_category=other)) == 0.0


def test_ride_quote_needs_the_express_price_and_the_booking(env: Any) -> None:
    task = cross_task(env, "fly_from_beijing_with_ride_quote")
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, f"Booked; an Express ride is {task.answer_facts[0]} yuan.") == 1.0
    reads = [(name, args) for name, args in gold if name != "book_reservation"]
    assert play(env, task.id, reads, f"An Express ride is {task.answer_facts[0]} yuan.") == 0.0


def test_train_ride_goes_to_the_station_the_train_leaves_from(env: Any) -> None:
    task = cross_task(env, "train_and_ride_to_station")
    gold = gold_calls(env, task)
    place = next(args for name, args in gold if name == "taxi_estimate")["destination_location"]
    other = next(p for p in ("Beijing South Railway Station", "Beijing West Railway Station",
                             "Beijing Railway Station") if p != place)
    assert play(env, task.id, replaced(gold, "taxi_estimate", destination_location=other)) == 0.0


def test_train_after_landing_is_the_first_one_two_hours_later(env: Any) -> None:
    task = cross_task(env, "train_after_landing")
    gold = gold_calls(env, task)
    booked = gold[-1][1]
    railway = env.worlds.worlds["ChinaRailway"]
    later = [t for t in railway.get_tickets(booked["date"], booked["from_station_code"], booked["to_station_code"],
                                            "G")["trains"]
             if t["depart_time"] > next(o["depart_time"] for o in railway.get_tickets(
                 booked["date"], booked["from_station_code"], booked["to_station_code"], "G")["trains"]
                 if o["train_no"] == booked["train_no"])
             and any(s["seat_class"] == "second" and s["remaining"] for s in t["seats"])]
    if later:
        assert play(env, task.id, replaced(gold, "book_ticket", train_no=later[0]["train_no"])) == 0.0


def test_rental_estimate_decides_the_cabin(env: Any) -> None:
    task = cross_task(env, "rental_estimate_decides_cabin")
    gold = gold_calls(env, task)
    cabin = next(args for name, args in gold if name == "book_reservation")["cabin"]
    other = "economy" if cabin == "business" else "business"
    assert play(env, task.id, replaced(gold, "book_reservation", cabin=other)) == 0.0


def test_hk_bus_favourite_is_saved_at_the_boarding_stop(env: Any) -> None:
    task = cross_task(env, "train_to_shenzhen_and_hk_bus")
    gold = gold_calls(env, task)
    favourite = next(args for name, args in gold if name == "add_favourite")
    assert play(env, task.id, replaced(gold, "add_favourite", label=favourite["label"] + " 2")) == 0.0


def test_train_time_decides_instant_or_scheduled_errand(env: Any) -> None:
    task = cross_task(env, "train_time_decides_errand")
    gold = gold_calls(env, task)
    quote = next(args for name, args in gold if name == "estimate_price")
    if quote["sendType"] == "instant":
        flipped = {"sendType": "scheduled", "sendTime": "2026-03-03 08:00"}
    else:
        flipped = {"sendType": "instant", "sendTime": None}
    wrong = replaced(gold, "estimate_price", **flipped)
    wrong = [(n, {k: v for k, v in a.items() if v is not None}) for n, a in wrong]
    assert play(env, task.id, wrong) == 0.0


def test_member_task_gold_runs_under_prefixed_names(env: Any) -> None:
    task = scenario_task(env, "cancel_stay", lambda t: t.env == "HotelBooking")
    env.reset(options={"task_id": task.id})
    assert [name for name, _ in env.gold_calls()] == ["HotelBooking_list_bookings", "HotelBooking_cancel_booking"]
    assert play(env, task.id, env.gold_calls(), "Refund: " + "; ".join(task.answer_facts)) == 1.0


def test_cancel_trip_needs_both_cancellations(env: Any) -> None:
    task = cross_task(env, "cancel_trip")
    gold = gold_calls(env, task)
    answer = "Refunds: " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    assert play(env, task.id, gold[:3], answer) == 0.0  # the hotel stay is still booked
    assert play(env, task.id, [gold[0], *gold[3:]], answer) == 0.0  # the flight is still booked


def test_fly_and_stay_checks_in_on_the_landing_day(env: Any) -> None:
    task = cross_task(env, "fly_and_stay")
    gold = gold_calls(env, task)
    assert play(env, task.id, gold) == 1.0
    airline = env.worlds.worlds["TravelBooking"]
    flight = airline.row("SELECT * FROM flights WHERE flight_id = ?", next(
        args["flight_id"] for name, args in gold if name == "book_flight"))
    stay = next(args for name, args in gold if name == "book_hotel")
    assert stay["checkin_date"] == flight["arrival_time"][:10]
    day_late = (dt.date.fromisoformat(stay["checkin_date"]) + dt.timedelta(days=1)).isoformat()
    late = [*gold[:-1], ("book_hotel", {**stay, "checkin_date": day_late})]
    assert play(env, task.id, late) == 0.0


def test_trip_cost_is_read_only_but_needs_the_total(env: Any) -> None:
    task = cross_task(env, "trip_cost")
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, "Flight, hotel, total: " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, gold, "Flight, hotel: " + "; ".join(task.answer_facts[:2])) == 0.0
