"""Behaviour of the LeagueOfLegends environment: saved builds, follows, skin purchases, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "LeagueOfLegends"


def test_save_build_stores_it_and_enforces_the_item_rules(env: Any, world: Any) -> None:
    before = world.value("SELECT COUNT(*) FROM builds")
    args = {"champion_name": "jinx", "lane": "adc", "build_name": "Crit rush", "keystone": "Lethal Tempo",
            "items": ["Infinity Edge", "berserker's greaves"]}
    saved = world.call("lol_save_build", args)
    assert saved == {"build_id": saved["build_id"], "build_name": "Crit rush", "champion_name": "Jinx", "lane": "adc",
                     "keystone": "Lethal Tempo", "items": ["Infinity Edge", "Berserker's Greaves"], "total_gold": 4550}
    assert world.value("SELECT COUNT(*) FROM builds") == before + 1
    assert world.call("lol_list_saved_builds", {"champion_name": "Jinx"})["builds"] == [saved]
    assert fails(env, world, "lol_save_build", args) == "you already have a Jinx build named 'Crit rush'; pick another name"
    boots = {**args, "build_name": "Two boots", "items": ["Plated Steelcaps", "Sorcerer's Shoes"]}
    assert fails(env, world, "lol_save_build", boots) == "a build can hold only one boots item"
    basic = {**args, "build_name": "Parts", "items": ["Long Sword"]}
    assert fails(env, world, "lol_save_build", basic) == "'Long Sword' is a basic component; save finished items instead"
    twice = {**args, "build_name": "Twice", "items": ["Infinity Edge", "Infinity Edge"]}
    assert fails(env, world, "lol_save_build", twice) == "a build cannot hold the same item twice"
    world.call("lol_save_build", {**args, "build_name": "Second"})
    world.call("lol_save_build", {**args, "build_name": "Third"})
    full = fails(env, world, "lol_save_build", {**args, "build_name": "Fourth"})
    assert full == "you already have 3 builds for Jinx; delete one with lol_delete_build first"
    assert world.call("lol_delete_build", {"build_id": saved["build_id"]}) == {
        "build_id": saved["build_id"], "build_name": "Crit rush", "deleted": True}
    assert world.value("SELECT COUNT(*) FROM builds WHERE champion_name = 'Jinx'") == 2


def test_follow_limit_and_unfollow(env: Any, world: Any) -> None:
    followed = world.value("SELECT pro_player_name FROM follows ORDER BY pro_player_name")
    assert fails(env, world, "lol_follow_pro_player", {"pro_player_name": followed}) == f"you already follow {followed}"
    others = [r["pro_player_name"] for r in world.rows(
        "SELECT pro_player_name FROM pros WHERE pro_player_name NOT IN (SELECT pro_player_name FROM follows)"
        " ORDER BY pro_player_name")]
    count = world.value("SELECT COUNT(*) FROM follows")
    result = world.call("lol_follow_pro_player", {"pro_player_name": others[0]})
    assert result == {"pro_player_name": others[0], "followed": True, "following_count": count + 1}
    assert world.call("lol_get_pro_player_riot_id", {"pro_player_name": others[0]})["followed"] is True
    for name in others[1:20 - count]:
        world.call("lol_follow_pro_player", {"pro_player_name": name})
    assert fails(env, world, "lol_follow_pro_player", {"pro_player_name": others[-1]}) == (
        "you already follow 20 pro players, the most allowed; unfollow one first")
    world.call("lol_unfollow_pro_player", {"pro_player_name": followed})
    assert fails(env, world, "lol_unfollow_pro_player", {"pro_player_name": followed}) == f"you do not follow {followed}"


def test_purchase_skin_pays_the_sale_price(env: Any, world: Any) -> None:
    skin = world.row("SELECT * FROM skins WHERE discount_percent > 0 AND skin_id NOT IN (SELECT skin_id FROM owned_skins)"
                     " ORDER BY price_rp, skin_name")
    rp = world.value("SELECT rp FROM wallet")
    price = skin["price_rp"] * (100 - skin["discount_percent"]) // 100
    assert world.call("lol_purchase_skin", {"skin_name": skin["skin_name"]}) == {
        "skin_name": skin["skin_name"], "paid_rp": price, "rp_balance": rp - price}
    assert world.value("SELECT paid_rp FROM owned_skins WHERE skin_id = ?", skin["skin_id"]) == price
    assert fails(env, world, "lol_purchase_skin", {"skin_name": skin["skin_name"]}) == f"you already own {skin['skin_name']}"
    world.execute("UPDATE wallet SET rp = 10")
    other = world.row("SELECT * FROM skins WHERE skin_id NOT IN (SELECT skin_id FROM owned_skins) ORDER BY skin_name")
    cost = other["price_rp"] * (100 - other["discount_percent"]) // 100
    assert fails(env, world, "lol_purchase_skin", {"skin_name": other["skin_name"]}) == (
        f"{other['skin_name']} costs {cost} RP and you have 10 RP; top up RP first")


def test_lookup_errors_and_schema_limits(env: Any, world: Any) -> None:
    assert fails(env, world, "lol_get_summoner_profile", {"summoner_name": "Nobody#NA1", "region": "NA"}) == (
        "no summoner 'Nobody#NA1' on the NA server; check the name#tag and region")
    assert fails(env, world, "lol_esports_list_team_standings", {"league": "LCK", "region": "NA"}) == (
        "the LCK is played in KR, not NA")
    assert fails(env, world, "lol_list_items", {"limit": 51}) == (
        "invalid arguments for 'lol_list_items': limit must be between 1 and 50")
    spec = world_set(ENV)(0).tools["lol_save_build"][1]
    assert spec.parameters["properties"]["items"]["maxItems"] == 6
    assert "Conqueror" in spec.parameters["properties"]["keystone"]["enum"]
    assert spec.user_known == frozenset({"champion_name"})


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["lol_follow_pro_player"])
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, []) == 0.0
    world = env.worlds.worlds[ENV]
    other = world.value("SELECT pro_player_name FROM pros WHERE pro_player_name NOT IN (SELECT pro_player_name FROM"
                        " follows) AND pro_player_name != ? ORDER BY pro_player_name", calls[0][1]["pro_player_name"])
    assert play(env, task.id, [("lol_follow_pro_player", {"pro_player_name": other})]) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    assert_answer_is_graded(env, next(t for t in env.tasks if t.answer_facts and not t.tags["writes"]))
