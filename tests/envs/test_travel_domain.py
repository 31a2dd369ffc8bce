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
from tests.envs.support import gold_calls, play, scenario_task


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Travel-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str) -> Any:
    return scenario_task(env, scenario, lambda t: t.env == "Travel")


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"TravelBooking_cancel_booking", "HotelBooking_cancel_booking", "TravelBooking_list_bookings",
            "HotelBooking_list_bookings"} <= names
    assert not {"cancel_booking", "list_bookings"} & names
    assert {"authenticate", "book_flight", "book_hotel", "modify_booking", "search_destinations"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_both_worlds_share_cities_and_travellers(env: Any) -> None:
    airline, hotels = env.worlds.worlds["TravelBooking"], env.worlds.worlds["HotelBooking"]
    assert sorted(r["city"] for r in airline.rows("SELECT city FROM airports")) == sorted(CITY_NAMES)
    assert sorted(r["city"] for r in hotels.rows("SELECT city FROM destinations")) == sorted(CITY_NAMES)
    travellers = {f"{r['first_name']} {r['last_name']}" for r in airline.rows("SELECT * FROM accounts")}
    hotel_guests = {r["guest_name"] for r in hotels.rows("SELECT guest_name FROM booking_guests")}
    assert len(travellers & hotel_guests) >= 6  # the planned trips with a hotel stay


def test_domain_offers_member_and_cross_tasks(env: Any) -> None:
    by_env = {name: [t for t in env.tasks if t.env == name] for name in ("TravelBooking", "HotelBooking", "Travel")}
    assert all(by_env.values())
    assert len(by_env["Travel"]) >= 80
    assert all(t.tags["envs"] == 2 for t in by_env["Travel"])
    assert len(env.tasks) == len(load_tasks("TravelBooking")) + len(load_tasks("HotelBooking")) + len(by_env["Travel"])


def test_member_task_gold_runs_under_prefixed_names(env: Any) -> None:
    task = scenario_task(env, "cancel_stay", lambda t: t.env == "HotelBooking")
    env.reset(options={"task_id": task.id})
    assert [name for name, _ in env.gold_calls()] == ["HotelBooking_list_bookings", "HotelBooking_cancel_booking"]
    assert play(env, task.id, env.gold_calls(), "Refund: " + "; ".join(task.answer_facts)) == 1.0


def test_cancel_trip_needs_both_cancellations(env: Any) -> None:
    task = cross_task(env, "cancel_trip")
    gold = gold_calls(task)
    answer = "Refunds: " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    assert play(env, task.id, gold[:3], answer) == 0.0  # the hotel stay is still booked
    assert play(env, task.id, [gold[0], *gold[3:]], answer) == 0.0  # the flight is still booked


def test_fly_and_stay_checks_in_on_the_landing_day(env: Any) -> None:
    task = cross_task(env, "fly_and_stay")
    gold = gold_calls(task)
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
    gold = gold_calls(task)
    assert play(env, task.id, gold, "Flight, hotel, total: " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, gold, "Flight, hotel: " + "; ".join(task.answer_facts[:2])) == 0.0
