"""Behaviour of the OneDrive environment: path-addressed uploads, name conflicts, quota, links, exact errors, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "OneDrive"


def a_file(world: Any, sql: str = "1") -> dict[str, Any]:
    return world.row(f"SELECT * FROM items WHERE is_folder = 0 AND deleted = 0 AND {sql} ORDER BY id")


def test_upload_by_path_and_search_finds_it(world: Any) -> None:
    result = world.call("upload_file", {"name": "Zephyr notes.txt", "content": "hello", "parent_path": "documents/"})
    row = world.row("SELECT * FROM items WHERE id = ?", result["id"])
    assert (row["path"], row["size"], row["mime"]) == ("/Documents/Zephyr notes.txt", 5, "text/plain")
    assert result["parentReference"]["path"] == "/drive/root:/Documents"
    assert [i["id"] for i in world.call("search_items", {"q": "zephyr"})] == [result["id"]]


def test_name_conflicts_follow_conflict_behavior(env: Any, world: Any) -> None:
    taken = a_file(world, "parent_id = (SELECT id FROM items WHERE path = '/Documents')")
    args = {"name": taken["name"], "content": "v2", "parent_path": "/Documents"}
    assert fails(env, world, "upload_file", args) == (
        f"nameAlreadyExists: an item named '{taken['name']}' is already in that folder; pass conflict_behavior "
        "'replace' or 'rename'")
    renamed = world.call("upload_file", {**args, "conflict_behavior": "rename"})
    stem, _, ext = taken["name"].rpartition(".")
    assert renamed["name"] == f"{stem} 1.{ext}"
    replaced = world.call("upload_file", {**args, "conflict_behavior": "replace"})
    assert replaced["id"] == taken["id"]
    assert world.value("SELECT content FROM items WHERE id = ?", taken["id"]) == "v2"
    assert fails(env, world, "create_folder", {"name": "a:b"}).startswith("invalidRequest: 'a:b' is not a valid")


def test_chunk_size_and_quota(env: Any, world: Any) -> None:
    assert fails(env, world, "upload_large_file", {"name": "x.txt", "content": "y", "chunk_size": 400000}) == (
        "invalidRequest: chunk_size 400000 is not a multiple of 327680 (320 KiB); use 327680")
    remaining = world.call("get_drive", {})["quota"]["remaining"]
    big = a_file(world, f"size > {remaining}")
    message = fails(env, world, "copy_item", {"item_id": big["id"], "parent_path": "/Desktop"})
    assert message == (f"quotaLimitReached: {big['size']} bytes do not fit in the {remaining} bytes left; empty the "
                       "recycle bin or delete files first")
    schema = world_set(ENV)(0).tools["upload_large_file"][1].parameters["properties"]["chunk_size"]
    assert (schema["minimum"], schema["maximum"]) == (327680, 192 * 327680)


def test_move_updates_paths_below_and_refuses_cycles(env: Any, world: Any) -> None:
    reports = world.row("SELECT * FROM items WHERE path = '/Documents/Reports'")
    assert fails(env, world, "move_item", {"item_id": world.value("SELECT id FROM items WHERE path = '/Documents'"),
                                           "parent_path": "/Documents/Reports"}) == (
        "invalidRequest: an item cannot be moved into itself or its own subfolder")
    world.call("move_item", {"item_id": reports["id"], "parent_path": "/Desktop"})
    assert world.value("SELECT COUNT(*) FROM items WHERE path LIKE '/Documents/Reports/%'") == 0
    assert world.value("SELECT MIN(path LIKE '/Desktop/Reports/%') FROM items WHERE parent_id = ?", reports["id"]) == 1


def test_share_links_reuse_and_label_rule(env: Any, world: Any) -> None:
    document = a_file(world, "label IS NULL")
    first = world.call("create_share_link", {"item_id": document["id"], "type": "edit", "scope": "anonymous"})
    again = world.call("create_share_link", {"item_id": document["id"], "type": "edit", "scope": "anonymous"})
    assert first == again and first["roles"] == ["write"]
    assert world.value("SELECT COUNT(*) FROM links WHERE item_id = ? AND scope = 'anonymous'", document["id"]) == 1
    secret = a_file(world, "label = 'Confidential'")
    assert fails(env, world, "create_share_link", {"item_id": secret["id"], "scope": "anonymous"}) == (
        f"accessDenied: '{secret['name']}' carries the Confidential sensitivity label, which blocks anonymous links; "
        "create an organization link")


def test_delete_goes_to_the_recycle_bin(env: Any, world: Any) -> None:
    document = a_file(world)
    used = world.call("get_drive", {})["quota"]
    world.call("delete_item", {"item_id": document["id"]})
    after = world.call("get_drive", {})["quota"]
    assert (after["used"], after["deleted"]) == (used["used"], used["deleted"] + document["size"])
    assert fails(env, world, "download_file", {"item_id": document["id"]}) == (
        f"itemNotFound: '{document['name']}' is in the recycle bin; restore it first")


def test_a_folder_holds_what_is_below_it_and_not_a_deleted_namesake_or_a_sibling_sharing_its_name(world: Any
                                                                                                  ) -> None:
    old = world.call("create_folder", {"name": "Plans", "parent_path": "/Documents"})
    world.call("upload_file", {"name": "a.txt", "content": "12345", "parent_path": "/Documents/Plans"})
    world.call("delete_item", {"item_id": old["id"]})
    plans = world.call("create_folder", {"name": "plans", "parent_path": "/Documents"})  # the deleted one's path
    world.call("upload_file", {"name": "b.txt", "content": "123", "parent_path": "/Documents/plans"})
    world.call("upload_file", {"name": "Plans 2026.txt", "content": "1234567", "parent_path": "/Documents"})
    world.call("create_folder", {"name": "Plans-old", "parent_path": "/Documents"})
    world.call("upload_file", {"name": "c.txt", "content": "1", "parent_path": "/Documents/Plans-old"})
    shown = world.call("get_item", {"item_id": plans["id"]})
    assert (shown["size"], shown["folder"]) == (3, {"childCount": 1})
    moved = world.call("move_item", {"item_id": plans["id"], "parent_path": "/Desktop"})
    assert moved["size"] == 3
    assert world.rows("SELECT path, deleted FROM items WHERE name IN ('a.txt', 'b.txt', 'c.txt') ORDER BY name") == [
        {"path": "/Documents/Plans/a.txt", "deleted": 1}, {"path": "/Desktop/plans/b.txt", "deleted": 0},
        {"path": "/Documents/Plans-old/c.txt", "deleted": 0}]
    world.call("delete_item", {"item_id": plans["id"]})
    assert world.value("SELECT COUNT(*) FROM items WHERE deleted = 0 AND name IN ('b.txt', 'c.txt', 'Plans 2026.txt',"
                       " 'Plans-old')") == 3


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "move_item" and not t.user_facts and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    name, arguments = calls[-1]
    other = "/Desktop" if arguments["parent_path"] != "/Desktop" else "/Recordings"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "parent_path": other})]) == 0.0
