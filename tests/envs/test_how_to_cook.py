"""Behaviour of the HowToCook environment: favourites, meal plan rules, shopping list scaling, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "HowToCook"


def dish(world: Any, name: str) -> dict[str, Any]:
    return world.row("SELECT * FROM recipes WHERE name = ?", name)


def test_favourites_add_and_remove(env: Any, world: Any) -> None:
    recipe = world.row("SELECT * FROM recipes WHERE recipe_id NOT IN (SELECT recipe_id FROM favourites)"
                       " AND category = '素菜' ORDER BY recipe_id")
    added = world.call("add_favorite", {"recipe_id": recipe["recipe_id"]})
    assert added == {"recipe_id": recipe["recipe_id"], "name": recipe["name"], "category": "素菜",
                     "added_on": "2026-03-02"}
    assert fails(env, world, "add_favorite", {"recipe_id": recipe["recipe_id"]}) == (
        f"{recipe['name']} is already in your favourites")
    assert world.call("remove_favorite", {"recipe_id": recipe["recipe_id"]})["name"] == recipe["name"]
    assert world.row("SELECT * FROM favourites WHERE recipe_id = ?", recipe["recipe_id"]) is None
    assert fails(env, world, "remove_favorite", {"recipe_id": recipe["recipe_id"]}) == (
        f"{recipe['name']} is not in your favourites")


def test_meal_plan_rules(env: Any, world: Any) -> None:
    pork, eggs = dish(world, "红烧肉"), dish(world, "西红柿炒鸡蛋")
    entry = world.call("add_to_meal_plan", {"recipe_id": pork["recipe_id"], "meal_date": "2026-03-03",
                                            "meal": "breakfast", "people_count": 4})
    assert (entry["name"], entry["people_count"], entry["on_shopping_list"]) == ("红烧肉", 4, False)
    base = {"meal_date": "2026-03-03", "meal": "breakfast"}
    assert fails(env, world, "add_to_meal_plan", {**base, "recipe_id": pork["recipe_id"], "people_count": 4}) == (
        "红烧肉 is already planned for breakfast on 2026-03-03")
    assert fails(env, world, "add_to_meal_plan", {**base, "recipe_id": eggs["recipe_id"], "people_count": 3}) == (
        "breakfast on 2026-03-03 is planned for 4 people; use that head count")
    late = {"recipe_id": eggs["recipe_id"], "meal_date": "2026-03-30", "meal": "lunch", "people_count": 2}
    assert fails(env, world, "add_to_meal_plan", late) == (
        "meal_date must be between today (2026-03-02) and 14 days ahead")
    sauce = dish(world, "油泼辣子")
    assert fails(env, world, "add_to_meal_plan", {**base, "recipe_id": sauce["recipe_id"], "people_count": 4}) == (
        "油泼辣子 is a condiment (调料), not a dish; plan a dish that uses it")


def test_shopping_list_scales_to_the_head_count(env: Any, world: Any) -> None:
    pork = dish(world, "红烧肉")
    world.call("add_to_meal_plan", {"recipe_id": pork["recipe_id"], "meal_date": "2026-03-03", "meal": "dinner",
                                    "people_count": pork["servings"] * 2})
    meat = world.value("SELECT quantity FROM ingredients WHERE recipe_id = ? AND name = '五花肉'", pork["recipe_id"])
    items = {i["item"]: i for i in world.call("build_shopping_list", {"meal_date": "2026-03-03"})}
    assert items["五花肉"] == {"item": "五花肉", "quantity": meat * 2, "unit": "g"}
    assert items["大米"]["quantity"] == 2000.0
    assert fails(env, world, "build_shopping_list", {"meal_date": "2026-03-03"}) == (
        "the dishes planned on 2026-03-03 are already on the shopping list")
    assert fails(env, world, "build_shopping_list", {"meal_date": "2026-03-16"}) == (
        "nothing is planned on 2026-03-16; add_to_meal_plan first")


def test_recommend_meal_counts_and_avoids(world: Any) -> None:
    meal = world.call("recommend_meal", {"people_count": 4, "avoid_items": ["猪"]})
    assert meal["dish_count"] == 5 and any(d["category"] == "汤与粥" for d in meal["dishes"])
    for d in meal["dishes"]:
        assert not world.value("SELECT 1 FROM ingredients WHERE recipe_id = ? AND name LIKE '%猪%'", d["recipe_id"])
    assert world.call("recommend_meal", {"people_count": 4, "avoid_items": ["猪"]}) == meal


def test_schema_limits_and_text_search(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    people = tools["recommend_meal"][1].parameters["properties"]["people_count"]
    assert (people["minimum"], people["maximum"]) == (1, 20)
    over = fails(env, world, "recommend_meal", {"people_count": 21})
    assert over == "invalid arguments for 'recommend_meal': people_count must be between 1 and 20"
    world.conn.execute("INSERT INTO recipes VALUES ('staple-99', '螺蛳粉', '主食', 3, 2, 30, '柳州螺蛳粉', '酸笋要够')")
    assert [r["name"] for r in world.call("search_recipes", {"query": "柳州螺"})] == ["螺蛳粉"]


def test_favourite_task_gold_earns_one_and_short_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] in ("add_favorite", "add_to_meal_plan")
                and not t.answer_facts and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["recommend_meal"] and not t.user_facts)
    assert_answer_is_graded(env, task)
