"""Behaviour of the Maps environment: saved lists, reviews, routes by mode, exact errors, limits and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Maps"


def place(world: Any, where: str = "category != 'locality'", *params: Any) -> dict[str, Any]:
    return world.row(f"SELECT * FROM places WHERE {where} ORDER BY place_id", *params)


def unsaved(world: Any, list_name: str) -> dict[str, Any]:
    return place(world, "category != 'locality' AND place_id NOT IN (SELECT place_id FROM saved_places"
                        " WHERE list_name = ?)", list_name)


def test_save_place_adds_it_to_the_list_once(env: Any, world: Any) -> None:
    spot = unsaved(world, "Favorites")
    before = world.value("SELECT COUNT(*) FROM saved_places WHERE list_name = 'Favorites'")
    result = world.call("maps_save_place", {"place_id": spot["place_id"], "list_name": "favorites",
                                            "note": " try brunch "})
    assert result["list_name"] == "Favorites" and result["count"] == before + 1
    row = world.row("SELECT * FROM saved_places WHERE list_name = 'Favorites' AND place_id = ?", spot["place_id"])
    assert row == {"list_name": "Favorites", "place_id": spot["place_id"], "note": "try brunch",
                   "saved_at": "2026-03-02T09:00"}
    again = {"place_id": spot["place_id"], "list_name": "Favorites"}
    assert fails(env, world, "maps_save_place", again) == f"{spot['name']} is already saved in 'Favorites'"
    assert fails(env, world, "maps_save_place", {**again, "list_name": "Bars"}) == (
        "you have no saved list called 'Bars'; lists: Coffee spots, Favorites, Travel plans, Want to go")


def test_remove_saved_place_takes_it_off_only_that_list(env: Any, world: Any) -> None:
    saved = world.row("SELECT * FROM saved_places WHERE list_name = 'Want to go' ORDER BY place_id")
    others = world.value("SELECT COUNT(*) FROM saved_places WHERE list_name != 'Want to go'")
    result = world.call("maps_remove_saved_place", {"place_id": saved["place_id"], "list_name": "Want to go"})
    assert saved["place_id"] not in [p["place_id"] for p in result["places"]]
    assert world.row("SELECT 1 FROM saved_places WHERE list_name = 'Want to go' AND place_id = ?",
                     saved["place_id"]) is None
    assert world.value("SELECT COUNT(*) FROM saved_places WHERE list_name != 'Want to go'") == others
    name = world.value("SELECT name FROM places WHERE place_id = ?", saved["place_id"])
    assert fails(env, world, "maps_remove_saved_place", {"place_id": saved["place_id"], "list_name": "Want to go"}
                 ) == f"{name} is not in your 'Want to go' list; maps_list_saved_places shows what is"


def test_create_list_is_unique_and_capped(env: Any, world: Any) -> None:
    made = world.call("maps_create_list", {"list_name": " Date night ", "description": "Dinner ideas"})
    assert made == {"list_name": "Date night", "description": "Dinner ideas", "count": 0, "places": []}
    assert world.row("SELECT * FROM lists WHERE list_name = 'Date night'") == {
        "list_name": "Date night", "description": "Dinner ideas", "created": "2026-03-02T09:00"}
    assert fails(env, world, "maps_create_list", {"list_name": "DATE NIGHT"}) == (
        "you already have a list called 'DATE NIGHT'")
    for n in range(7):
        world.call("maps_create_list", {"list_name": f"List {n}"})
    assert fails(env, world, "maps_create_list", {"list_name": "One too many"}) == (
        "you have 12 lists, the most allowed; delete one first")


def test_write_review_updates_the_average_and_replaces_an_earlier_review(env: Any, world: Any) -> None:
    spot = place(world)
    first = world.call("maps_write_review", {"place_id": spot["place_id"], "rating": 5, "text": "Great"})
    total = spot["user_ratings_total"] + 1
    average = round((spot["rating"] * spot["user_ratings_total"] + 5) / total, 1)
    assert first == {"place_id": spot["place_id"], "name": spot["name"], "rating": 5, "text": "Great",
                     "place_rating": average, "user_ratings_total": total, "updated": False}
    second = world.call("maps_write_review", {"place_id": spot["place_id"], "rating": 1})
    assert second["updated"] and second["user_ratings_total"] == total
    assert second["place_rating"] == round((average * total - 5 + 1) / total, 1)
    mine = world.rows("SELECT rating, text, author FROM reviews WHERE place_id = ? AND mine = 1", spot["place_id"])
    assert mine == [{"rating": 1, "text": "", "author": "You"}]
    city = place(world, "category = 'locality'")
    assert fails(env, world, "maps_write_review", {"place_id": city["place_id"], "rating": 4}) == (
        f"{city['name']} is a city; only businesses and points of interest take reviews")


def test_routes_depend_on_the_travel_mode(env: Any, world: Any) -> None:
    sf = place(world, "city = 'San Francisco' AND category != 'locality'")
    other_sf = place(world, "city = 'San Francisco' AND category != 'locality' AND place_id != ?", sf["place_id"])
    boston = place(world, "city = 'Boston' AND category != 'locality'")
    car = world.call("maps_directions", {"origin_place_id": sf["place_id"], "destination_place_id": boston["place_id"]})
    assert len(car["routes"]) == 2 and car["routes"][0]["distance_meters"] > 4_000_000
    walk = world.call("maps_directions", {"origin_place_id": sf["place_id"],
                                          "destination_place_id": other_sf["place_id"], "mode": "walking"})
    assert walk["routes"][0]["duration_seconds"] > car["routes"][0]["duration_seconds"] / 1000
    trip = {"origin_place_id": sf["place_id"], "destination_place_id": boston["place_id"]}
    assert fails(env, world, "maps_directions", {**trip, "mode": "transit"}) == (
        f"no transit route from {sf['name']} to {boston['name']}: no transit connects San Francisco and Boston;"
        " try driving")
    assert fails(env, world, "maps_directions", {**trip, "mode": "walking"}).startswith(
        f"no walking route from {sf['name']} to {boston['name']}: walking routes cover up to 50 km and this trip is")
    assert fails(env, world, "maps_directions", {**trip, "destination_place_id": sf["place_id"]}) == (
        "origin and destination are the same place")
    matrix = world.call("maps_distance_matrix", {"origin_place_ids": [sf["place_id"]], "mode": "bicycling",
                                                 "destination_place_ids": [other_sf["place_id"], boston["place_id"]]})
    assert [r["status"] for r in matrix["rows"]] == ["OK", "ZERO_RESULTS"]
    assert matrix["rows"][1]["distance"] == "" and matrix["rows"][0]["distance"].endswith(("km", " m"))


def test_geocoding_both_ways(env: Any, world: Any) -> None:
    spot = place(world, "city = 'Denver' AND category != 'locality'")
    found = world.call("maps_geocode", {"city": "denver", "address": spot["address"].upper()})
    assert found["place_id"] == spot["place_id"]
    assert found["formatted_address"] == f"{spot['address']}, Denver, CO {spot['postal_code']}, USA"
    back = world.call("maps_reverse_geocode", {"latitude": spot["latitude"], "longitude": spot["longitude"]})
    assert (back["place_id"], back["distance_meters"]) == (spot["place_id"], 0)
    assert fails(env, world, "maps_geocode", {"city": "Atlantis"}) == (
        "unknown city 'Atlantis'; covered: San Francisco, Seattle, Denver, Boston")
    assert fails(env, world, "maps_geocode", {"city": "Paris", "country": "France"}) == (
        "no mapped places in 'France'; this service covers the USA")
    assert fails(env, world, "maps_reverse_geocode", {"latitude": 0, "longitude": 0}).startswith(
        "nothing mapped within 500 m of 0.0, 0.0; the nearest place is")


def test_schema_limits_are_visible_and_enforced(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    rating = tools["maps_write_review"][1].parameters["properties"]["rating"]
    assert (rating["minimum"], rating["maximum"]) == (1, 5)
    assert tools["maps_elevation"][1].parameters["properties"]["place_ids"]["maxItems"] == 10
    assert tools["maps_directions"][1].parameters["properties"]["mode"]["enum"] == [
        "driving", "walking", "bicycling", "transit"]
    assert tools["maps_save_place"][1].user_known == frozenset({"list_name"})
    spot = place(world)
    assert fails(env, world, "maps_write_review", {"place_id": spot["place_id"], "rating": 6}) == (
        "invalid arguments for 'maps_write_review': rating must be between 1 and 5")
    assert fails(env, world, "maps_place_details", {"place_id": "pl_nope"}) == (
        "no place with place_id 'pl_nope'; maps_search_places or maps_geocode find a place's id")


def test_write_task_gold_earns_one_and_another_list_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "maps_save_place" and not t.answer_facts
                and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = next(n for n in ("Favorites", "Want to go", "Travel plans") if n != arguments["list_name"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "list_name": other})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "maps_elevation" and len(t.answer_facts) == 1)
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"It is {task.answer_facts[0]} m above sea level.") == 1.0
    assert play(env, task.id, calls, answer="It is fairly high up.") == 0.0
