"""Behaviour of the WuWa environment: echo cost limits, equip/unequip, levelling and ascension, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.lifestyle.wu_wa import CAPS, ECHOES
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "WuWa"


def spare(world: Any, cost: int) -> dict[str, Any]:
    return next(e for e in world.call("list_owned_echoes", {"unequipped_only": True}) if e["cost"] == cost)


def bare(world: Any) -> str:
    return world.value("SELECT character_name FROM roster WHERE character_name NOT IN"
                       " (SELECT equipped_on FROM echo WHERE equipped_on IS NOT NULL) ORDER BY character_name")


def test_equip_and_unequip_move_the_echo(env: Any, world: Any) -> None:
    name, echo = bare(world), spare(world, 3)
    profile = world.call("equip_echo", {"character_name": name, "echo_id": echo["echo_id"]})
    assert [e["echo_id"] for e in profile["echoes"]] == [echo["echo_id"]] and profile["total_cost"] == 3
    assert world.row("SELECT equipped_on, slot FROM echo WHERE echo_id = ?", echo["echo_id"]) == {
        "equipped_on": name, "slot": 1}
    assert fails(env, world, "equip_echo", {"character_name": name, "echo_id": echo["echo_id"]}) == (
        f"{echo['name']} is already equipped on {name}")
    assert world.call("unequip_echo", {"echo_id": echo["echo_id"]})["equipped_on"] is None
    assert fails(env, world, "unequip_echo", {"echo_id": echo["echo_id"]}) == f"{echo['name']} is not equipped on anyone"


def test_cost_limit_of_twelve(env: Any, world: Any) -> None:
    name = bare(world)
    fours = [e for e in world.call("list_owned_echoes", {"unequipped_only": True, "cost": 4})]
    for echo in fours[:3]:
        world.call("equip_echo", {"character_name": name, "echo_id": echo["echo_id"]})
    assert world.call("get_character_profile", {"character_name": name})["total_cost"] == 12
    one = spare(world, 1)
    assert fails(env, world, "equip_echo", {"character_name": name, "echo_id": one["echo_id"]}) == (
        f"{one['name']} costs 1 but {name} has only 0 of 12 cost left; unequip an echo first")


def test_echo_worn_by_another_must_be_unequipped_first(env: Any, world: Any) -> None:
    worn = world.row("SELECT * FROM echo WHERE equipped_on IS NOT NULL ORDER BY echo_id")
    other = world.value("SELECT character_name FROM roster WHERE character_name != ? ORDER BY 1", worn["equipped_on"])
    assert fails(env, world, "equip_echo", {"character_name": other, "echo_id": worn["echo_id"]}) == (
        f"{worn['name']} is equipped on {worn['equipped_on']}; unequip it first")
    assert fails(env, world, "get_character_profile", {"character_name": "Nobody"}) == (
        "no resonator named 'Nobody'; list_resonators shows the catalogue")


def test_level_up_spends_potions_and_credits(env: Any, world: Any) -> None:
    row = world.row("SELECT * FROM roster WHERE level + 2 <= ? AND ascension_rank = 2 ORDER BY 1", CAPS[2]) or \
        world.row("SELECT * FROM roster WHERE ascension_rank < 6 AND level < 60 ORDER BY level")
    credits = world.value("SELECT quantity FROM materials WHERE item = 'Shell Credit'")
    result = world.call("level_up_resonator", {"character_name": row["character_name"], "levels": 2})
    assert result["level"] == row["level"] + 2 and result["credits_spent"] == result["exp_used"] // 2
    assert world.value("SELECT quantity FROM materials WHERE item = 'Shell Credit'") == credits - result["credits_spent"]
    assert world.value("SELECT level FROM roster WHERE character_name = ?", row["character_name"]) == row["level"] + 2
    capped = world.row("SELECT * FROM roster WHERE level = 90")
    if capped:
        message = fails(env, world, "level_up_resonator", {"character_name": capped["character_name"], "levels": 1})
        assert message == (f"{capped['character_name']} is level 90 and capped at 90 by ascension rank 6;"
                           " level up at most 0 or ascend first")


def test_ascension_needs_the_level_cap(env: Any, world: Any) -> None:
    low = world.row("SELECT * FROM roster WHERE ascension_rank < 6 AND level < 50 ORDER BY 1")
    cap = CAPS[low["ascension_rank"]]
    assert fails(env, world, "ascend_resonator", {"character_name": low["character_name"]}) == (
        f"{low['character_name']} must reach level {cap} before ascending (now level {low['level']})")


def test_schema_limits_and_catalogue() -> None:
    tools = world_set(ENV)(0).tools
    levels = tools["level_up_resonator"][1].parameters["properties"]["levels"]
    assert (levels["minimum"], levels["maximum"]) == (1, 89)
    assert tools["equip_echo"][1].user_known == frozenset({"character_name"})
    assert "[1, 3, 4]" in str(tools["list_owned_echoes"][1].parameters["properties"]["cost"])
    assert ECHOES["Inferno Rider"][0] == 4


def test_equip_task_gold_earns_one_and_another_echo_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "equip_echo" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["get_character_info"] and not t.user_facts)
    assert_answer_is_graded(env, task)
