"""Behaviour of the GoogleDrive environment: uploads, sharing, trash and moves, exact errors, query and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.office.google_drive import FOLDER
from tests.envs.support import fails, gold_calls, play

ENV = "GoogleDrive"


def me(world: Any) -> str:
    return world.value("SELECT email FROM users WHERE is_me = 1")


def mine(world: Any, role: str, folder: bool = False) -> dict[str, Any]:
    return world.row("SELECT f.* FROM files f JOIN permissions p ON p.file_id = f.id WHERE p.emailAddress = ?"
                     " AND p.role = ? AND f.trashed = 0 AND (f.mimeType = ?) = ? ORDER BY f.id", me(world), role,
                     FOLDER, folder)


def test_upload_creates_an_owned_file_found_by_search(world: Any) -> None:
    folder = mine(world, "owner", folder=True)
    result = world.call("upload_file", {"name": "Zephyr minutes.txt", "content": "hello", "parents": [folder["id"]]})
    assert (result["name"], result["size"], result["parents"], result["owners"]) == (
        "Zephyr minutes.txt", "5", [folder["id"]], [me(world)])
    assert world.row("SELECT role FROM permissions WHERE file_id = ?", result["id"]) == {"role": "owner"}
    found = world.call("list_files", {"q": "zephyr"})["files"]
    assert [f["id"] for f in found] == [result["id"]]
    query = f"name contains 'Zephyr' and '{folder['id']}' in parents"
    assert [f["id"] for f in world.call("list_files", {"q": query})["files"]] == [result["id"]]


def test_upload_into_a_read_only_folder_or_a_file_is_refused(env: Any, world: Any) -> None:
    document = mine(world, "owner")
    assert fails(env, world, "upload_file", {"name": "x", "content": "y", "parents": [document["id"]]}) == (
        f"'{document['name']}' is not a folder; upload into it needs a folder id")
    reader = mine(world, "reader", folder=True) or mine(world, "commenter", folder=True)
    if reader:
        assert fails(env, world, "upload_file", {"name": "x", "content": "y", "parents": [reader["id"]]}) == (
            f"you need writer access to folder '{reader['name']}' to upload into it")


def test_sharing_rules(env: Any, world: Any) -> None:
    document = mine(world, "owner")
    result = world.call("create_permission", {"file_id": document["id"], "role": "reader", "type": "user",
                                              "email_address": "Pat.Lee@example.org"})
    assert (result["role"], result["emailAddress"]) == ("reader", "pat.lee@example.org")
    upgrade = world.call("create_permission", {"file_id": document["id"], "role": "writer", "type": "user",
                                               "email_address": "pat.lee@example.org"})
    assert upgrade["id"] == result["id"]
    assert world.value("SELECT role FROM permissions WHERE file_id = ? AND emailAddress = 'pat.lee@example.org'",
                       document["id"]) == "writer"
    again = {"file_id": document["id"], "role": "reader", "type": "user", "email_address": "pat.lee@example.org"}
    assert fails(env, world, "create_permission", again) == (
        f"pat.lee@example.org already has writer access to '{document['name']}'")
    assert fails(env, world, "create_permission", {"file_id": document["id"], "role": "reader", "type": "user"}) == (
        "email_address is required for type user or group, and not allowed for domain or anyone")
    reader = mine(world, "reader")
    assert fails(env, world, "create_permission", {"file_id": reader["id"], "role": "reader", "type": "anyone"}) == (
        f"you only have read or comment access to '{reader['name']}'; only its owner or a writer can share it")


def test_trash_is_for_owners_and_takes_the_contents(env: Any, world: Any) -> None:
    writer = mine(world, "writer")
    assert fails(env, world, "trash_file", {"file_id": writer["id"]}) == (
        f"only the owner ({writer['owner']}) can move '{writer['name']}' to the trash")
    folder = world.row("SELECT * FROM files WHERE mimeType = ? AND trashed = 0 AND owner = ? AND id IN"
                       " (SELECT folder FROM files) ORDER BY id", FOLDER, me(world))
    assert world.call("trash_file", {"file_id": folder["id"]})["trashed"] is True
    assert world.value("SELECT MIN(trashed) FROM files WHERE folder = ?", folder["id"]) == 1
    assert fails(env, world, "trash_file", {"file_id": folder["id"]}) == f"'{folder['name']}' is already in the trash"


def test_move_and_its_cycle_rule(env: Any, world: Any) -> None:
    child = world.row("SELECT * FROM files WHERE mimeType = ? AND folder IS NOT NULL AND owner = ? AND trashed = 0"
                      " ORDER BY id", FOLDER, me(world))
    assert fails(env, world, "move_file", {"file_id": child["folder"], "folder_id": child["id"]}) == (
        "a folder cannot be moved into itself or one of its subfolders")
    document, target = mine(world, "owner"), mine(world, "owner", folder=True)
    if document["folder"] == target["id"]:
        target = child
    assert world.call("move_file", {"file_id": document["id"], "folder_id": target["id"]})["parents"] == [target["id"]]
    assert world.value("SELECT folder FROM files WHERE id = ?", document["id"]) == target["id"]


def test_downloads_need_binary_content(env: Any, world: Any) -> None:
    native = world.row("SELECT * FROM files WHERE mimeType = 'application/vnd.google-apps.document' ORDER BY id")
    assert fails(env, world, "download_file", {"file_id": native["id"]}).startswith(
        f"'{native['name']}' (application/vnd.google-apps.document) has no binary content")
    assert fails(env, world, "get_file", {"file_id": "1missing"}) == (
        "File not found: 1missing. list_files finds files by name")
    assert fails(env, world, "list_files", {"q": "owner = 'x'"}).startswith("unsupported query clause")


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    props = tools["create_permission"][1].parameters["properties"]
    assert props["role"]["enum"] == ["reader", "commenter", "writer", "owner"]
    assert tools["list_files"][1].parameters["properties"]["page_size"]["maximum"] == 100


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "file_into_folder")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    write = next(t for t in env.tasks if t.gold[-1]["name"] == "create_permission" and not t.user_facts
                 and not t.answer_facts)
    calls = gold_calls(write)
    assert play(env, write.id, calls) == 1.0
    name, arguments = calls[-1]
    other = "commenter" if arguments["role"] != "commenter" else "writer"
    assert play(env, write.id, [*calls[:-1], (name, {**arguments, "role": other})]) == 0.0
