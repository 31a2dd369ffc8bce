"""Behaviour of the NationalParks environment: campsite booking rules, cancellation, visit plans, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "NationalParks"


def camp(world: Any, where: str = "reservable = 1 AND openMonth = 1 AND totalSites >= 8") -> dict[str, Any]:
    return world.row(f"SELECT * FROM campgrounds WHERE {where} ORDER BY campgroundId")


def test_reserve_books_the_first_free_site_and_cancel_releases_it(env: Any, world: Any) -> None:
    site = camp(world)
    before = world.value("SELECT COUNT(*) FROM reservations WHERE mine = 1")
    args = {"campgroundId": site["campgroundId"], "arrivalDate": "2026-03-20", "nights": 2, "partySize": 2}
    free = world.call("checkAvailability", {k: args[k] for k in ("campgroundId", "arrivalDate", "nights")})
    booked = world.call("reserveCampsite", args)
    assert booked["campgroundName"] == site["name"] and booked["status"] == "confirmed"
    assert (booked["arrivalDate"], booked["departureDate"], booked["totalCost"]) == (
        "2026-03-20", "2026-03-22", site["feePerNight"] * 2)
    assert world.value("SELECT COUNT(*) FROM reservations WHERE mine = 1") == before + 1
    after = world.call("checkAvailability", {k: args[k] for k in ("campgroundId", "arrivalDate", "nights")})
    assert after["sitesLeft"] == free["sitesLeft"] - 1
    assert world.call("cancelReservation", {"reservationId": booked["reservationId"]})["status"] == "cancelled"
    assert fails(env, world, "cancelReservation", {"reservationId": booked["reservationId"]}) == (
        f"reservation '{booked['reservationId']}' is already cancelled")


def test_date_and_party_rules(env: Any, world: Any) -> None:
    site = camp(world)
    base = {"campgroundId": site["campgroundId"], "nights": 2, "partySize": 2}
    assert fails(env, world, "reserveCampsite", {**base, "arrivalDate": "2026-03-01"}) == (
        "arrivalDate must be after today (2026-03-02)")
    assert fails(env, world, "reserveCampsite", {**base, "arrivalDate": "2026-12-01"}) == (
        "sites open for booking 180 days ahead; the last bookable arrival is 2026-08-29")
    too_many = {**base, "arrivalDate": "2026-04-01", "partySize": site["maxPartySize"] + 1}
    assert fails(env, world, "reserveCampsite", too_many) == (
        f"sites at {site['name']} hold at most {site['maxPartySize']} people")
    seasonal = camp(world, "reservable = 1 AND openMonth = 5")
    message = fails(env, world, "reserveCampsite", {**base, "campgroundId": seasonal["campgroundId"],
                                                     "arrivalDate": "2026-03-10"})
    assert message.startswith(f"{seasonal['name']} is open May-") and message.endswith("only; pick dates in its season")
    walk_in = camp(world, "reservable = 0")
    assert fails(env, world, "reserveCampsite", {**base, "campgroundId": walk_in["campgroundId"],
                                                  "arrivalDate": "2026-06-10"}) == (
        f"{walk_in['name']} is first-come, first-served and takes no reservations")


def test_full_campground_is_refused(env: Any, world: Any) -> None:
    site = camp(world, "reservable = 1 AND openMonth = 1 AND totalSites = 2") or camp(world, "reservable = 1 AND"
                                                                                       " openMonth = 1")
    args = {"campgroundId": site["campgroundId"], "arrivalDate": "2026-04-21", "nights": 1, "partySize": 1}
    free = world.call("checkAvailability", {k: args[k] for k in ("campgroundId", "arrivalDate", "nights")})["sitesLeft"]
    for _ in range(free):
        world.call("reserveCampsite", args)
    assert fails(env, world, "reserveCampsite", args) == (
        f"{site['name']} is fully booked from 2026-04-21 to 2026-04-22; try other dates or another campground")


def test_plan_visit_rules(env: Any, world: Any) -> None:
    park = world.value("SELECT parkCode FROM parks WHERE parkCode NOT IN"
                       " (SELECT parkCode FROM alerts WHERE category = 'Park Closure') ORDER BY 1")
    visit = world.call("planVisit", {"parkCode": park, "visitDate": "2026-05-01", "partySize": 3})
    assert visit["status"] == "planned" and visit["visitDate"] == "2026-05-01"
    full_name = world.value("SELECT fullName FROM parks WHERE parkCode = ?", park)
    assert fails(env, world, "planVisit", {"parkCode": park, "visitDate": "2026-05-01", "partySize": 3}) == (
        f"you already plan to visit {full_name} on 2026-05-01")
    closed = world.row("SELECT * FROM alerts WHERE category = 'Park Closure' ORDER BY 1")
    if closed:
        message = fails(env, world, "planVisit", {"parkCode": closed["parkCode"], "visitDate": "2026-05-01",
                                                  "partySize": 1})
        assert "has a closure alert" in message
    assert fails(env, world, "getParkDetails", {"parkCode": "zzzz"}) == (
        "no park with parkCode 'zzzz'; findParks shows the codes")


def test_schema_limits_and_text_search(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["findParks"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert "Date" not in str(tools["reserveCampsite"][1].user_known)
    world.conn.execute("INSERT INTO campgrounds VALUES ('999999', 'Quillback Terrace', 'yose', 'new loop', 4, 20.0,"
                       " 1, 1, 12, 7, 6)")
    found = world.call("getCampgrounds", {"q": "quillback"})
    assert [c["name"] for c in found["data"]] == ["Quillback Terrace"]


def test_reserve_task_gold_earns_one_and_short_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "reserveCampsite" and not t.answer_facts
                and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "nights": arguments["nights"] % 5 + 1})]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["getParkDetails"] and not t.user_facts)
    assert_answer_is_graded(env, task)


def test_a_world_with_more_campgrounds_than_drawn_names_still_names_each_one() -> None:
    # seed 1034 draws 91 campgrounds for 90 sampled names; populate used to pop from an empty list
    world = world_set(ENV)(1034).worlds[ENV]
    assert world.value("SELECT COUNT(*) FROM campgrounds") == world.value(
        "SELECT COUNT(DISTINCT name) FROM campgrounds") > 90
