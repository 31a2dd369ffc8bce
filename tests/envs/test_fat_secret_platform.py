"""Behaviour of the FatSecretPlatform environment: barcodes, photo recognition, diary rules, saved foods, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "FatSecretPlatform"


def profile(world: Any) -> str:
    return world.value("SELECT username FROM profiles ORDER BY username")


def test_add_diary_entry_inserts_then_adds_up(world: Any) -> None:
    user, serving = profile(world), world.row("SELECT * FROM servings ORDER BY serving_id")
    args = {"username": user, "serving_id": serving["serving_id"], "number_of_units": 1.5, "meal": "lunch",
            "date": "2026-03-02"}
    before = world.value("SELECT COUNT(*) FROM diary")
    first = world.call("add_diary_entry", args)
    assert first["calories"] == round(serving["calories"] * 1.5, 1)
    again = world.call("add_diary_entry", {**args, "number_of_units": 0.5})
    assert again["food_entry_id"] == first["food_entry_id"] and again["number_of_units"] == 2.0
    assert world.value("SELECT COUNT(*) FROM diary") == before + 1
    diary = world.call("get_food_diary", {"username": user, "date": "2026-03-02", "meal": "lunch"})
    assert first["food_entry_id"] in [e["food_entry_id"] for e in diary["entries"]]
    deleted = world.call("delete_diary_entry", {"username": user, "food_entry_id": first["food_entry_id"]})
    assert deleted["deleted"] and world.value("SELECT COUNT(*) FROM diary") == before


def test_diary_rules(env: Any, world: Any) -> None:
    user, serving = profile(world), world.value("SELECT serving_id FROM servings ORDER BY serving_id")
    args = {"username": user, "serving_id": serving, "number_of_units": 1, "meal": "dinner"}
    assert fails(env, world, "add_diary_entry", {**args, "date": "2026-03-05"}) == (
        "cannot log food for 2026-03-05: it is in the future (today is 2026-03-02)")
    assert fails(env, world, "add_diary_entry", {**args, "date": "2025-11-01"}) == (
        "cannot log food for 2025-11-01: the diary only accepts the last 90 days")
    assert fails(env, world, "add_diary_entry", {**args, "serving_id": "1", "date": "2026-03-01"}) == (
        "no serving with serving_id '1'; get_food_details lists a food's servings")
    other = world.row("SELECT * FROM diary WHERE username != ? ORDER BY food_entry_id", user)
    assert fails(env, world, "delete_diary_entry", {"username": user, "food_entry_id": other["food_entry_id"]}) == (
        f"diary entry '{other['food_entry_id']}' belongs to another member")


def test_barcode_check_digit_and_region(env: Any, world: Any) -> None:
    food = world.row("SELECT * FROM foods WHERE barcode IS NOT NULL ORDER BY food_id")
    found = world.call("search_by_barcode", {"barcode": food["barcode"], "region": food["country"]})
    assert found["food_id"] == food["food_id"] and found["brand"] == food["brand_name"]
    wrong = food["barcode"][:12] + str((int(food["barcode"][12]) + 1) % 10)
    assert fails(env, world, "search_by_barcode", {"barcode": wrong}) == (
        f"barcode {wrong} has a wrong check digit; re-read the 13 digits under the bars")
    other = next(r for r in ("US", "UK", "AU") if r != food["country"])
    assert fails(env, world, "search_by_barcode", {"barcode": food["barcode"], "region": other}) == (
        f"barcode {food['barcode']} is a {food['country']} product; search again with region '{food['country']}'")
    assert "barcode" in fails(env, world, "search_by_barcode", {"barcode": "12345"})


def test_image_analysis_returns_the_seeded_foods(env: Any, world: Any) -> None:
    path = world.value("SELECT image_path FROM photos ORDER BY image_path")
    names = [r["name"] for r in world.rows("SELECT f.name FROM photos p JOIN servings s USING (serving_id) JOIN foods"
                                           " f USING (food_id) WHERE p.image_path = ? ORDER BY p.position", path)]
    assert world.call("analyze_food_image", {"image_path": path})["detected_foods"] == names
    assert fails(env, world, "analyze_food_image", {"image_path": "meals/none.jpg"}) == (
        "no stored photo 'meals/none.jpg'; give the path of an uploaded meal photo")


def test_save_food_once_and_search(env: Any, world: Any) -> None:
    user = profile(world)
    food = world.row("SELECT * FROM foods WHERE food_id NOT IN (SELECT food_id FROM saved_foods WHERE username = ?)"
                     " ORDER BY food_id", user)
    saved = world.call("save_food", {"username": user, "food_id": food["food_id"]})
    assert food["food_id"] in [f["food_id"] for f in world.call("list_saved_foods", {"username": user})["foods"]]
    assert saved["saved_count"] == world.value("SELECT COUNT(*) FROM saved_foods WHERE username = ?", user)
    assert fails(env, world, "save_food", {"username": user, "food_id": food["food_id"]}) == (
        f"'{food['name']}' is already in the saved foods of '{user}'")
    hits = world.call("search_foods", {"query": food["name"][:5].lower(), "region": food["country"]})["foods"]
    assert food["food_id"] in [h["food_id"] for h in hits]


def test_recipes_filter_by_diet_and_calories(world: Any) -> None:
    vegan = world.call("search_recipes", {"query": "a", "diet": "vegan"})["recipes"]
    assert vegan and all(r["diet"] == "vegan" for r in vegan)
    low = world.call("search_recipes", {"query": "a", "max_calories": 300})["recipes"]
    assert all(r["calories_per_serving"] <= 300 for r in low)
    details = world.call("get_recipe_details", {"recipe_id": vegan[0]["recipe_id"]})
    assert details["nutrition_per_serving"]["calories"] == vegan[0]["calories_per_serving"]


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["search_by_barcode"][1].parameters["properties"]["barcode"]["pattern"] == r"^\d{13}$"
    assert tools["add_diary_entry"][1].parameters["properties"]["meal"]["enum"] == [
        "breakfast", "lunch", "dinner", "snack"]


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if "add_diary_entry" in t.tags["chain"] and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    at = next(i for i, (name, _) in enumerate(calls) if name == "add_diary_entry")
    arguments = calls[at][1]
    other = "dinner" if arguments["meal"] != "dinner" else "lunch"
    wrong = [*calls[:at], ("add_diary_entry", {**arguments, "meal": other}), *calls[at + 1:]]
    assert play(env, task.id, wrong) == 0.0


def test_a_world_that_draws_one_serving_id_twice_gives_each_serving_its_own() -> None:
    # seed 441 draws one serving id for two servings; populate used to fail on the primary key
    world = world_set(ENV)(441).worlds[ENV]
    assert world.value("SELECT COUNT(*) FROM servings WHERE food_id NOT IN (SELECT food_id FROM foods)") == 0
    assert world.value("SELECT COUNT(*) FROM foods WHERE food_id NOT IN (SELECT food_id FROM servings)") == 0
