"""Behaviour of the MovieRecommender environment: watchlist, ratings and their rules, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "MovieRecommender"


def film(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM films WHERE {where} ORDER BY movie_id")


def test_rating_a_watchlisted_movie_takes_it_off_and_updates_votes(env: Any, world: Any) -> None:
    movie = film(world, "release_date <= '2026-03-02' AND movie_id IN (SELECT movie_id FROM watchlist)")
    result = world.call("rate_movie", {"movie_id": movie["movie_id"], "rating": 8.5})
    assert result["removed_from_watchlist"] and result["previous_rating"] is None
    assert result["vote_count"] == movie["vote_count"] + 1
    assert world.row("SELECT rating, rated_on FROM rated_films WHERE movie_id = ?", movie["movie_id"]) == {
        "rating": 8.5, "rated_on": "2026-03-02"}
    assert world.value("SELECT 1 FROM watchlist WHERE movie_id = ?", movie["movie_id"]) is None
    assert fails(env, world, "rate_movie", {"movie_id": movie["movie_id"], "rating": 8.5}) == (
        f"you already rated '{movie['title']}' 8.5/10")
    assert fails(env, world, "add_to_watchlist", {"movie_id": movie["movie_id"]}) == (
        f"you already watched and rated '{movie['title']}' (8.5/10); delete the rating first to put it back on"
        " the watchlist")
    left = world.call("delete_rating", {"movie_id": movie["movie_id"]})
    assert movie["movie_id"] not in [m["movie_id"] for m in left["movies"]]
    assert world.value("SELECT vote_count FROM films WHERE movie_id = ?", movie["movie_id"]) == movie["vote_count"]


def test_rating_rules(env: Any, world: Any) -> None:
    upcoming = film(world, "release_date > '2026-03-02'")
    assert fails(env, world, "rate_movie", {"movie_id": upcoming["movie_id"], "rating": 7}) == (
        f"'{upcoming['title']}' is not released until {upcoming['release_date']}; it cannot be rated yet"
        " (add it to the watchlist instead)")
    released = film(world, "release_date <= '2026-03-02'")
    assert fails(env, world, "rate_movie", {"movie_id": released["movie_id"], "rating": 7.3}) == (
        "ratings go in steps of 0.5; 7.3 is not one (try 7.5)")
    assert fails(env, world, "rate_movie", {"movie_id": released["movie_id"], "rating": 11}).startswith(
        "invalid arguments for 'rate_movie'")
    spec = world_set(ENV)(0).tools["rate_movie"][1]
    assert spec.parameters["properties"]["rating"]["maximum"] == 10


def test_watchlist_add_and_remove(env: Any, world: Any) -> None:
    movie = film(world, "movie_id NOT IN (SELECT movie_id FROM watchlist UNION SELECT movie_id FROM rated_films)")
    count = world.value("SELECT COUNT(*) FROM watchlist")
    assert world.call("add_to_watchlist", {"movie_id": movie["movie_id"]})["count"] == count + 1
    assert fails(env, world, "add_to_watchlist", {"movie_id": movie["movie_id"]}) == (
        f"'{movie['title']}' is already on your watchlist")
    assert world.call("remove_from_watchlist", {"movie_id": movie["movie_id"]})["count"] == count
    assert fails(env, world, "remove_from_watchlist", {"movie_id": movie["movie_id"]}) == (
        f"'{movie['title']}' is not on your watchlist")


def test_recommendations_share_a_genre_and_skip_rated(world: Any) -> None:
    movie = film(world, "release_date <= '2026-03-02'")
    genres = set(world.call("get_movie_details", {"movie_id": movie["movie_id"]})["genres"])
    found = world.call("get_recommendations", {"movie_id": movie["movie_id"], "limit": 20})["movies"]
    rated = {r["movie_id"] for r in world.rows("SELECT movie_id FROM rated_films")}
    assert found and all(set(m["genres"]) & genres and m["movie_id"] not in rated for m in found)


def test_gold_earns_one_and_a_wrong_rating_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "rate_movie" and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = 1.0 if arguments["rating"] != 1.0 else 2.0
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "rating": other})]) == 0.0
    tools = world_set(ENV)(0).tools
    read = next(t for t in env.tasks if t.answer_facts and not any(tools[g["name"]][1].writes for g in t.gold))
    assert_answer_is_graded(env, read)
