"""Behaviour of HugeiconsServer: icon search and glyphs, collections and favourites, exact errors, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "HugeiconsServer"


def own(world: Any) -> str:
    return world.value("SELECT collection_name FROM collections WHERE built_in = 0 ORDER BY collection_name")


def unsaved(world: Any, collection: str, style: str = "stroke") -> str:
    return world.value("SELECT icon_name FROM glyphs WHERE style = ? AND icon_name NOT IN (SELECT icon_name FROM"
                       " saved_icons WHERE collection_name = ?) ORDER BY icon_name", style, collection)


def test_search_matches_names_tags_and_categories(world: Any) -> None:
    found = world.call("search_icons", {"query": "Cart"})["icons"]
    assert found and all("cart" in i["icon_name"] for i in found)
    assert {i["icon_name"] for i in world.call("search_icons", {"query": "money", "limit": 50})["icons"]} >= {
        i["icon_name"] for i in found if "money" in i["tags"]}
    tagged = world.call("search_icons", {"query": "weather", "tags": ["sky"]})["icons"]
    assert tagged and all(i["category"] == "weather" and "sky" in i["tags"] for i in tagged)
    page = world.call("list_icons", {"limit": 5, "offset": 5})
    assert page["total"] == world.value("SELECT COUNT(*) FROM icons") and len(page["icons"]) == 5


def test_glyph_by_style_and_missing_styles(env: Any, world: Any) -> None:
    glyph = world.row("SELECT * FROM glyphs WHERE style = 'stroke' ORDER BY icon_name")
    assert world.call("get_icon_glyph_by_style", {"icon_name": glyph["icon_name"]}) == {
        "icon_name": glyph["icon_name"], "style": "stroke", "glyph": chr(int(glyph["unicode"][2:], 16)),
        "unicode": glyph["unicode"]}
    newer = world.row("SELECT icon_name, version_added FROM icons WHERE (SELECT COUNT(*) FROM glyphs g WHERE"
                      " g.icon_name = icons.icon_name) < 5 ORDER BY icon_name")
    missing = world.value("SELECT s FROM (SELECT 'solid' s UNION SELECT 'duotone' UNION SELECT 'twotone' UNION"
                          " SELECT 'bulk') WHERE s NOT IN (SELECT style FROM glyphs WHERE icon_name = ?) ORDER BY s",
                          newer["icon_name"])
    have = ", ".join(s for s in ("stroke", "solid", "duotone", "twotone", "bulk") if world.row(
        "SELECT 1 FROM glyphs WHERE icon_name = ? AND style = ?", newer["icon_name"], s))
    assert fails(env, world, "get_icon_glyph_by_style", {"icon_name": newer["icon_name"], "style": missing}) == (
        f"'{newer['icon_name']}' (added in {newer['version_added']}) has no {missing} glyph yet;"
        f" available styles: {have}")
    assert fails(env, world, "get_icon_glyph_by_style", {"icon_name": "unicorn-99"}) == (
        "no icon named 'unicorn-99'; search_icons finds icons by keyword")


def test_free_plan_gets_the_stroke_style_only() -> None:
    free = next(seed for seed in range(20) if world_set(ENV)(seed).worlds[ENV].value("SELECT plan FROM account")
                == "free")
    world = world_set(ENV)(free).worlds[ENV]
    icon = world.value("SELECT icon_name FROM glyphs WHERE style = 'solid' ORDER BY icon_name")
    try:
        world.call("get_icon_glyph_by_style", {"icon_name": icon, "style": "solid"})
    except Exception as exc:  # noqa: BLE001
        assert str(exc) == "the solid style needs a Hugeicons Pro plan; the Free plan includes the stroke style"
    else:
        raise AssertionError("a Free plan got a solid glyph")
    assert world.call("get_icon_glyph_by_style", {"icon_name": icon})["style"] == "stroke"


def test_create_add_remove_delete_a_collection(world: Any) -> None:
    made = world.call("create_collection", {"collection_name": "Sprint board", "description": "Jira widgets"})
    assert made == {"collection_name": "Sprint board", "description": "Jira widgets", "icon_count": 0,
                    "built_in": False}
    row = world.row("SELECT collection_name, description, built_in FROM collections WHERE collection_name ="
                    " 'Sprint board'")
    assert row == {"collection_name": "Sprint board", "description": "Jira widgets", "built_in": 0}
    icon = unsaved(world, "Sprint board", "solid")
    assert world.call("add_icon_to_collection", {"collection_name": "sprint board", "icon_name": icon,
                                                 "style": "solid"}) == {
        "collection_name": "Sprint board", "icon_name": icon, "style": "solid", "icon_count": 1}
    assert world.rows("SELECT icon_name, saved_style FROM saved_icons WHERE collection_name = 'Sprint board'") == [
        {"icon_name": icon, "saved_style": "solid"}]
    listed = world.call("get_collection", {"collection_name": "Sprint board"})["icons"]
    assert [(i["icon_name"], i["style"]) for i in listed] == [(icon, "solid")]
    assert world.call("remove_icon_from_collection", {"collection_name": "Sprint board", "icon_name": icon}) == {
        "collection_name": "Sprint board", "removed": icon, "icon_count": 0}
    assert world.call("delete_collection", {"collection_name": "Sprint board"}) == {"deleted": "Sprint board",
                                                                                   "icons_removed": 0}
    assert world.row("SELECT 1 FROM collections WHERE collection_name = 'Sprint board'") is None


def test_deleting_a_collection_drops_its_saved_icons(world: Any) -> None:
    name = own(world)
    count = world.value("SELECT COUNT(*) FROM saved_icons WHERE collection_name = ?", name)
    assert world.call("delete_collection", {"collection_name": name}) == {"deleted": name, "icons_removed": count}
    assert world.value("SELECT COUNT(*) FROM saved_icons WHERE collection_name = ?", name) == 0


def test_collection_rules(env: Any, world: Any) -> None:
    name = own(world)
    assert fails(env, world, "create_collection", {"collection_name": name.upper()}) == (
        f"you already have a collection named '{name.upper()}'; pick another name")
    assert fails(env, world, "delete_collection", {"collection_name": "favourites"}) == (
        "'Favourites' is built in and cannot be deleted; remove its icons instead")
    entry = world.row("SELECT * FROM saved_icons WHERE collection_name = ? ORDER BY icon_name", name)
    assert fails(env, world, "add_icon_to_collection", {"collection_name": name, "icon_name": entry["icon_name"]}) == (
        f"'{entry['icon_name']}' is already in '{name}' ({entry['saved_style']} style); remove it first to save it"
        " in another style")
    absent = unsaved(world, name)
    assert fails(env, world, "remove_icon_from_collection", {"collection_name": name, "icon_name": absent}) == (
        f"'{absent}' is not in '{name}'; get_collection lists what it holds")
    assert fails(env, world, "get_collection", {"collection_name": "Nope"}) == (
        "no collection named 'Nope'; list_collections shows yours")
    while world.value("SELECT COUNT(*) FROM collections") < 12:
        world.call("create_collection", {"collection_name": f"Set {world.value('SELECT COUNT(*) FROM collections')}"})
    assert fails(env, world, "create_collection", {"collection_name": "One more"}) == (
        "you have 12 collections, the most allowed; delete_collection one first")


def test_schema_shows_limits_and_styles() -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["list_icons"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 100)
    assert tools["get_icon_glyph_by_style"][1].parameters["properties"]["style"]["enum"] == [
        "stroke", "solid", "duotone", "twotone", "bulk"]
    assert tools["add_icon_to_collection"][1].user_known == frozenset({"collection_name", "icon_name"})
    assert sum(spec.writes for _, spec in tools.values()) == 4


def test_move_task_gold_earns_one_and_a_wrong_style_zero(env: Any) -> None:
    task = scenario_task(env, "move_between_collections")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    saved_style = arguments["style"]
    assert play(env, task.id, [*calls[1:-1], (name, arguments)]) == 1.0  # without looking the collection up
    other = "bulk" if saved_style != "bulk" else "solid"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "style": other})]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    task = scenario_task(env, "styles_in_a_collection")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"It is saved as {task.answer_facts[0]}.") == 1.0
    assert play(env, task.id, calls, answer="It is saved in some style.") == 0.0
