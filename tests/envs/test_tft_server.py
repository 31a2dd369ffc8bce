"""Behaviour of the TFTServer environment: saved boards, unit items, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "TFTServer"


def test_save_comp_respects_the_level_and_computes_traits(env: Any, world: Any) -> None:
    champs = world.rows("SELECT * FROM champions ORDER BY champion_name LIMIT 4")
    names = [c["champion_name"] for c in champs]
    args = {"comp_name": "Test board", "level": 4, "champion_names": names}
    comp = world.call("tft_save_team_comp", args)
    assert comp["level"] == 4 and [u["champion_name"] for u in comp["units"]] == sorted(names)
    assert world.value("SELECT COUNT(*) FROM units WHERE comp_id = ?", comp["comp_id"]) == 4
    assert fails(env, world, "tft_save_team_comp", {**args, "comp_name": "Small", "level": 3}) == (
        "at level 3 you can field only 3 units, not 4; raise the level or drop units")
    assert fails(env, world, "tft_save_team_comp", args) == "you already have a comp named 'Test board'; pick another name"
    assert fails(env, world, "tft_save_team_comp", {**args, "comp_name": "Dup", "champion_names": names[:1] * 2}) == (
        "each champion can be on a saved board only once")
    world.call("tft_save_team_comp", {**args, "comp_name": "Fifth"})
    assert fails(env, world, "tft_save_team_comp", {**args, "comp_name": "Sixth"}) == (
        "you already have 5 saved comps; delete one with tft_delete_team_comp first")
    assert world.call("tft_delete_team_comp", {"comp_id": comp["comp_id"]})["deleted"] is True
    assert world.value("SELECT COUNT(*) FROM units WHERE comp_id = ?", comp["comp_id"]) == 0
    listed = world.call("tft_list_saved_comps", {})["comps"]
    assert all(t["units"] >= t["active_breakpoint"] for c in listed for t in c["active_traits"])


def test_items_on_units(env: Any, world: Any) -> None:
    champ = world.value("SELECT champion_name FROM champions ORDER BY champion_name")
    comp = world.call("tft_save_team_comp", {"comp_name": "Items", "level": 2, "champion_names": [champ]})
    args = {"comp_id": comp["comp_id"], "champion_name": champ}
    assert fails(env, world, "tft_add_item_to_unit", {**args, "item_name": "Chain Vest"}) == (
        "Chain Vest is a component; combine two components into a completed item")
    for item in ("Deathblade", "Bloodthirster", "Giant Slayer"):
        result = world.call("tft_add_item_to_unit", {**args, "item_name": item})
    assert result["units"][0]["items"] == ["Deathblade", "Bloodthirster", "Giant Slayer"]
    assert fails(env, world, "tft_add_item_to_unit", {**args, "item_name": "Blue Buff"}) == (
        f"{champ} already holds 3 items (Deathblade, Bloodthirster, Giant Slayer)")
    other = world.value("SELECT champion_name FROM champions WHERE champion_name != ? ORDER BY champion_name", champ)
    assert fails(env, world, "tft_add_item_to_unit", {**args, "champion_name": other, "item_name": "Blue Buff"}) == (
        f"{other} is not on that board; add it to the comp first")


def test_schema_limits_and_lookups(env: Any, world: Any) -> None:
    spec = world_set(ENV)(0).tools["tft_save_team_comp"][1]
    assert (spec.parameters["properties"]["level"]["minimum"], spec.parameters["properties"]["level"]["maximum"]) == (1, 10)
    assert fails(env, world, "tft_list_champions_for_item", {"item_name": "Spatula Hat"}) == (
        "no item 'Spatula Hat'; tft_list_item_combinations lists the recipes")
    recipe = world.call("tft_list_item_combinations", {"component": "Sparring Gloves"})["combinations"]
    assert {"item_name": "Thief's Gloves", "component_1": "Sparring Gloves", "component_2": "Sparring Gloves"} in recipe


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["tft_list_saved_comps", "tft_add_item_to_unit"])
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:1]) == 0.0
    name, args = calls[1]
    other = "Deathblade" if args["item_name"] != "Deathblade" else "Blue Buff"
    assert play(env, task.id, [calls[0], (name, {**args, "item_name": other})]) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    assert_answer_is_graded(env, next(t for t in env.tasks if t.answer_facts and not t.tags["writes"]))
