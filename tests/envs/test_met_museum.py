"""Behaviour of the MetMuseum environment: search filters, My Met collections and their rules, and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "MetMuseum"


def collection(world: Any, name: str) -> dict[str, Any]:
    return world.row("SELECT * FROM collections WHERE name = ?", name)


def test_create_collection_then_add_and_remove_objects(env: Any, world: Any) -> None:
    created = world.call("create_collection", {"name": "Sunday sketching", "description": "quiet rooms"})
    assert (created["name"], created["item_count"], created["created_on"]) == ("Sunday sketching", 0, "2026-03-02")
    assert fails(env, world, "create_collection", {"name": "sunday SKETCHING"}) == (
        "you already have a collection named 'sunday SKETCHING'; pick another name")
    obj = world.row("SELECT * FROM objects ORDER BY objectID")
    detail = world.call("add_to_collection", {"collection_id": created["collection_id"],
                                              "objectId": str(obj["objectID"]), "note": "north light"})
    assert detail["items"] == [{"objectId": str(obj["objectID"]), "title": obj["title"], "artist": obj["artist"],
                                "note": "north light", "added_on": "2026-03-02"}]
    assert fails(env, world, "add_to_collection", {"collection_id": created["collection_id"],
                                                   "objectId": str(obj["objectID"])}) == (
        f"'{obj['title']}' ({obj['objectID']}) is already in 'Sunday sketching'")
    assert world.call("remove_from_collection", {"collection_id": created["collection_id"],
                                                 "objectId": str(obj["objectID"])})["item_count"] == 0


def test_default_collection_cannot_be_deleted_others_can(env: Any, world: Any) -> None:
    default = collection(world, "Met Favorites")
    assert fails(env, world, "delete_collection", {"collection_id": default["collection_id"]}) == (
        "'Met Favorites' is your default collection and cannot be deleted")
    other = collection(world, "Birthday ideas")
    count = world.value("SELECT COUNT(*) FROM collection_items WHERE collection_id = ?", other["collection_id"])
    assert world.call("delete_collection", {"collection_id": other["collection_id"]}) == {
        "collection_id": other["collection_id"], "name": "Birthday ideas", "items_removed": count}
    assert world.value("SELECT COUNT(*) FROM collection_items WHERE collection_id = ?", other["collection_id"]) == 0


def test_search_filters_and_rules(env: Any, world: Any) -> None:
    assert fails(env, world, "search_museum_objects", {"q": "vase", "dateBegin": 1500}) == (
        "dateBegin and dateEnd must be given together")
    assert fails(env, world, "search_museum_objects", {"q": "vase", "departmentId": "99"}) == (
        "no department with id '99'; list_departments shows the ids")
    found = world.call("search_museum_objects", {"q": "Bronze", "departmentId": "13", "isPublicDomain": True})
    rows = world.rows("SELECT objectID FROM objects WHERE departmentId = 13 AND isPublicDomain = 1 AND"
                      " (medium LIKE '%bronze%' OR title LIKE '%bronze%' OR tags LIKE '%bronze%') ORDER BY objectID")
    assert found["objectIds"] == [str(r["objectID"]) for r in rows]
    assert world_set(ENV)(0).tools["search_museum_objects"][1].parameters["properties"]["dateBegin"]["minimum"] == -5000


def test_text_search_finds_a_written_row(world: Any) -> None:
    created = world.call("create_collection", {"name": "Zebra drawings"})
    assert created["collection_id"] in [c["collection_id"] for c in world.call("list_collections", {})["collections"]]
    world.execute("UPDATE objects SET title = 'Quokka at Play' WHERE objectID = (SELECT MIN(objectID) FROM objects)")
    assert world.call("search_museum_objects", {"q": "quokka", "title": True})["total"] == 1


def test_gold_earns_one_and_a_wrong_collection_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "add_to_collection" and not t.user_facts
                and t.seed == 0 and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    env.reset(options={"task_id": task.id})
    other = env.worlds.worlds[ENV].value("SELECT collection_id FROM collections WHERE collection_id != ? ORDER BY"
                                         " name", arguments["collection_id"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "collection_id": other})]) == 0.0
    tools = world_set(ENV)(0).tools
    read = next(t for t in env.tasks if t.answer_facts and not any(tools[g["name"]][1].writes for g in t.gold))
    assert_answer_is_graded(env, read)
