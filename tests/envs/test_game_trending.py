"""Behaviour of the GameTrending environment: wishlist, follows, Epic free-game claims, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "GameTrending"
NOW = "2026-03-02 09:00"


def free_now(world: Any) -> dict[str, Any]:
    return world.row("SELECT g.* FROM promotions p JOIN games g USING (app_id) WHERE p.start_at <= ? AND"
                     " p.end_at > ? AND app_id NOT IN (SELECT app_id FROM library) ORDER BY app_id", NOW, NOW)


def test_add_and_remove_wishlist(env: Any, world: Any) -> None:
    game = world.row("SELECT * FROM games WHERE app_id NOT IN (SELECT app_id FROM library UNION"
                     " SELECT app_id FROM wishlist) ORDER BY app_id")
    before = world.value("SELECT COUNT(*) FROM wishlist")
    added = world.call("add_to_wishlist", {"app_id": game["app_id"]})
    assert (added["app_id"], added["added_on"]) == (game["app_id"], "2026-03-02")
    assert world.value("SELECT COUNT(*) FROM wishlist") == before + 1
    assert fails(env, world, "add_to_wishlist", {"app_id": game["app_id"]}) == (
        f"'{game['name']}' ({game['platform']} {game['app_id']}) is already on your wishlist")
    left = world.call("remove_from_wishlist", {"app_id": game["app_id"]})
    assert left["count"] == before and game["app_id"] not in [g["app_id"] for g in left["games"]]
    owned = world.row("SELECT g.* FROM library JOIN games g USING (app_id) ORDER BY app_id")
    assert fails(env, world, "add_to_wishlist", {"app_id": owned["app_id"]}) == (
        f"'{owned['name']}' ({owned['platform']} {owned['app_id']}) is already in your library;"
        " owned games cannot be wishlisted")


def test_claim_free_game_adds_to_library_once(env: Any, world: Any) -> None:
    game = free_now(world)
    claim = world.call("claim_free_game", {"app_id": game["app_id"]})
    assert claim["source"] == "free promotion" and claim["acquired_on"] == "2026-03-02"
    assert world.row("SELECT source, playtime_minutes FROM library WHERE app_id = ?", game["app_id"]) == {
        "source": "free promotion", "playtime_minutes": 0}
    assert fails(env, world, "claim_free_game", {"app_id": game["app_id"]}) == (
        f"'{game['name']}' is already in your library")
    upcoming = world.row("SELECT g.name, p.* FROM promotions p JOIN games g USING (app_id) WHERE p.start_at > ?"
                         " ORDER BY app_id", NOW)
    assert fails(env, world, "claim_free_game", {"app_id": upcoming["app_id"]}) == (
        f"'{upcoming['name']}' is free from {upcoming['start_at']} UTC only; claim it then")


def test_follow_is_for_steam_only(env: Any, world: Any) -> None:
    game = world.row("SELECT * FROM games WHERE platform = 'steam' AND app_id NOT IN (SELECT app_id FROM follows)"
                     " ORDER BY app_id")
    result = world.call("follow_game", {"app_id": game["app_id"]})
    assert result == {"app_id": game["app_id"], "name": game["name"], "followed": True,
                      "followers": game["followers"] + 1}
    assert fails(env, world, "follow_game", {"app_id": game["app_id"]}) == (
        f"you are already following '{game['name']}'")
    assert world.call("unfollow_game", {"app_id": game["app_id"]})["followers"] == game["followers"]
    epic = world.row("SELECT * FROM games WHERE platform = 'epic' ORDER BY app_id")
    assert fails(env, world, "follow_game", {"app_id": epic["app_id"]}).startswith(
        f"'{epic['name']}' ({epic['app_id']}) is an Epic Games Store title")
    assert fails(env, world, "get_game_details", {"app_id": 7}) == (
        "no game with app id 7; get_app_id finds a game's id by its name")


def test_schema_limits_and_search(env: Any, world: Any) -> None:
    spec = world_set(ENV)(0).tools["get_steam_most_played"][1]
    assert spec.parameters["properties"]["limit"]["maximum"] == 50
    assert fails(env, world, "get_steam_most_played", {"limit": 51}).startswith(
        "invalid arguments for 'get_steam_most_played'")
    assert world_set(ENV)(0).tools["get_app_id"][1].user_known == frozenset({"game_name"})
    name = world.value("SELECT name FROM games WHERE platform = 'steam' ORDER BY app_id")
    assert name in [m["name"] for m in world.call("get_app_id", {"game_name": name[2:].upper()})["matches"]]


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "add_to_wishlist" and not t.user_facts
                and t.seed == 0)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    env.reset(options={"task_id": task.id})
    other = env.worlds.worlds[ENV].value(
        "SELECT app_id FROM games WHERE app_id NOT IN (SELECT app_id FROM library UNION SELECT app_id FROM wishlist)"
        " AND app_id != ? ORDER BY app_id", calls[-1][1]["app_id"])
    assert play(env, task.id, [*calls[:-1], ("add_to_wishlist", {"app_id": other})]) == 0.0
    tools = world_set(ENV)(0).tools
    read = next(t for t in env.tasks if t.answer_facts and not any(tools[g["name"]][1].writes for g in t.gold))
    assert_answer_is_graded(env, read)


def test_a_world_short_of_paid_epic_games_still_has_every_giveaway() -> None:
    # seed 883 draws only 21 paid Epic games among those released; populate used to fail sampling 24 giveaways
    world = world_set(ENV)(883).worlds[ENV]
    promotions = world.rows("SELECT g.price_cents, g.platform FROM promotions p JOIN games g USING (app_id)")
    assert len(promotions) == world.value("SELECT COUNT(DISTINCT app_id) FROM promotions") >= 14
    assert all(p["platform"] == "epic" and p["price_cents"] > 0 for p in promotions)
