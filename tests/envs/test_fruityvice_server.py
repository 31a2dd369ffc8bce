"""Behaviour of the FruityviceServer environment: admin-only fruits, the fruit log and its sugar limit, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "FruityviceServer"
TODAY = "2026-03-02"


def member(world: Any, role: str = "member") -> dict[str, Any]:
    return world.row("SELECT * FROM members WHERE role = ? ORDER BY username", role)


def test_log_fruit_intake_adds_an_entry_with_sugar(world: Any) -> None:
    who = member(world)
    world.call("set_daily_sugar_limit", {"username": who["username"], "daily_sugar_limit": 200})
    fruit = world.row("SELECT * FROM fruits ORDER BY name")
    before = world.value("SELECT COUNT(*) FROM intake")
    logged = world.call("log_fruit_intake", {"username": who["username"], "fruit_name": fruit["name"].upper(),
                                             "grams": 150, "date": TODAY})
    assert logged["fruit_name"] == fruit["name"] and logged["sugar"] == round(fruit["sugar"] * 1.5, 1)
    row = world.row("SELECT * FROM intake WHERE entry_id = ?", logged["entry_id"])
    assert (row["username"], row["date"], row["grams"]) == (who["username"], TODAY, 150)
    assert world.value("SELECT COUNT(*) FROM intake") == before + 1
    day = world.call("get_daily_intake", {"username": who["username"], "date": TODAY})
    assert logged["entry_id"] in [e["entry_id"] for e in day["entries"]]
    removed = world.call("remove_intake_entry", {"username": who["username"], "entry_id": logged["entry_id"]})
    assert removed["removed"] and world.row("SELECT 1 FROM intake WHERE entry_id = ?", logged["entry_id"]) is None


def test_fruit_log_rules(env: Any, world: Any) -> None:
    who = member(world)
    args = {"username": who["username"], "fruit_name": "Durian", "grams": 100}
    name = world.value("SELECT name FROM fruits ORDER BY sugar DESC")
    assert fails(env, world, "log_fruit_intake", {**args, "fruit_name": "Kumquat", "date": TODAY}) == (
        "no fruit named 'Kumquat'; list_fruits shows the fruits in the database")
    assert fails(env, world, "log_fruit_intake", {**args, "fruit_name": name, "date": "2026-03-03"}) == (
        "cannot log fruit for 2026-03-03: it is in the future (today is 2026-03-02)")
    assert fails(env, world, "log_fruit_intake", {**args, "fruit_name": name, "date": "2026-02-01"}) == (
        "cannot log fruit for 2026-02-01: the log only accepts the last 14 days")
    message = fails(env, world, "log_fruit_intake", {**args, "fruit_name": name, "grams": 1000, "date": TODAY})
    assert message.endswith(f"the daily limit is {who['sugar_limit']} g. Log less or raise the limit first")
    over = fails(env, world, "log_fruit_intake", {**args, "fruit_name": name, "grams": 1001, "date": TODAY})
    assert over == "invalid arguments for 'log_fruit_intake': grams must be between 1 and 1000"


def test_set_daily_sugar_limit_records_history(env: Any, world: Any) -> None:
    who = member(world)
    result = world.call("set_daily_sugar_limit", {"username": who["username"], "daily_sugar_limit": 120})
    assert result == {"username": who["username"], "daily_sugar_limit": 120, "previous_limit": who["sugar_limit"]}
    assert world.value("SELECT sugar_limit FROM members WHERE username = ?", who["username"]) == 120
    assert world.value("SELECT daily_sugar_limit FROM limits WHERE username = ? AND changed_on = ?",
                       who["username"], TODAY) == 120
    assert fails(env, world, "set_daily_sugar_limit", {"username": who["username"], "daily_sugar_limit": 120}) == (
        f"the daily sugar limit of '{who['username']}' is already 120 g")


def test_add_fruit_is_admin_only_and_checked(env: Any, world: Any) -> None:
    fruit = {"name": "Kumquat", "family": "Rutaceae", "genus": "Citrus", "order": "Sapindales", "calories": 71,
             "fat": 0.9, "sugar": 9.4, "carbohydrates": 15.9, "protein": 1.9}
    plain, admin = member(world)["username"], member(world, "admin")["username"]
    assert fails(env, world, "add_fruit", {"username": plain, **fruit}) == (
        f"'{plain}' is not an admin; only admins can add fruits")
    assert fails(env, world, "add_fruit", {"username": admin, **fruit, "sugar": 20}) == (
        "sugar cannot be more than carbohydrates (sugar is part of the carbohydrates)")
    existing = world.value("SELECT name FROM fruits ORDER BY name")
    assert fails(env, world, "add_fruit", {"username": admin, **fruit, "name": existing}) == (
        f"a fruit named '{existing}' already exists; use get_fruit_nutrition to see it")
    added = world.call("add_fruit", {"username": admin, **fruit})
    assert added["name"] == "Kumquat" and added["nutritions"]["sugar"] == 9.4
    citrus = world.call("get_fruits_by_taxonomy", {"genus": "citrus"})["fruits"]
    assert "Kumquat" in [f["name"] for f in citrus]
    found = world.call("search_by_nutrition", {"nutrient": "protein", "min_value": 1.9, "max_value": 1.9})
    assert "Kumquat" in [f["name"] for f in found["fruits"]]
    assert fails(env, world, "get_fruits_by_taxonomy", {"family": "Rutaceae", "genus": "Citrus"}) == (
        "give exactly one of family, genus or order")


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    grams = tools["log_fruit_intake"][1].parameters["properties"]["grams"]
    assert (grams["minimum"], grams["maximum"]) == (1, 1000)
    assert "username" in tools["log_fruit_intake"][1].user_known


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["set_daily_sugar_limit"] and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[0]
    assert play(env, task.id, [(name, {**arguments, "daily_sugar_limit": arguments["daily_sugar_limit"] + 1})]) == 0
    assert play(env, task.id, []) == 0.0
