"""Behaviour of the Filesystem environment: path rules, write tools, exact errors, atomicity and rewards."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from envfactory_gym.registration import templates, world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "Filesystem"


@pytest.fixture
def home(world: Any) -> str:
    return world.value("SELECT path FROM roots WHERE label = 'home'")


def entry(world: Any, path: str) -> dict[str, Any] | None:
    return world.row("SELECT * FROM entries WHERE path = ?", path)


def test_paths_are_normalized_and_confined_to_the_roots(env: Any, world: Any, home: str) -> None:
    todo = f"{home}/notes/todo.md"
    for spelled in ("notes/todo.md", "~/notes/todo.md", f"{home}/projects/../notes/./todo.md", f"/{todo}"):
        assert world.call("read_text_file", {"path": spelled})["path"] == todo
    message = fails(env, world, "read_text_file", {"path": "../../etc/passwd"})
    assert message == f"access denied: /etc/passwd is outside the allowed directories ({home}, /srv/shared)"
    assert fails(env, world, "write_file", {"path": "/tmp/x", "content": "x"}).startswith("access denied: /tmp/x")
    assert fails(env, world, "read_text_file", {"path": "notes/nope.md"}) == (
        f"no such file or directory: {home}/notes/nope.md")


def test_read_text_file_head_tail_and_binary_refusal(env: Any, world: Any, home: str) -> None:
    lines = entry(world, f"{home}/notes/todo.md")["content"].splitlines(keepends=True)
    assert world.call("read_text_file", {"path": "notes/todo.md", "head": 2})["content"] == "".join(lines[:2])
    tail = world.call("read_text_file", {"path": "notes/todo.md", "tail": 3})
    assert (tail["content"], tail["total_lines"]) == ("".join(lines[-3:]), len(lines))
    assert fails(env, world, "read_text_file", {"path": "notes/todo.md", "head": 1, "tail": 1}) == (
        "give head or tail, not both")
    assert fails(env, world, "read_text_file", {"path": "pictures/profile.png"}) == (
        f"{home}/pictures/profile.png is a binary file (image/png); read_media_file returns its bytes")


def test_read_media_file_returns_the_stored_bytes(env: Any, world: Any, home: str) -> None:
    media = world.call("read_media_file", {"path": "pictures/profile.png"})
    assert media["mime_type"] == "image/png"
    assert base64.b64decode(media["data"]) == entry(world, f"{home}/pictures/profile.png")["data"]
    assert fails(env, world, "read_media_file", {"path": "notes/todo.md"}) == (
        f"{home}/notes/todo.md is a text file; read_text_file returns its content")


def test_read_multiple_files_reports_errors_per_file(world: Any, home: str) -> None:
    results = world.call("read_multiple_files", {"paths": ["notes/todo.md", "notes/missing.md"]})
    assert results[0]["content"].startswith("# To do")
    assert results[1] == {"path": "notes/missing.md", "error": f"no such file or directory: {home}/notes/missing.md"}


def test_write_file_creates_and_overwrites(env: Any, world: Any, home: str) -> None:
    created = world.call("write_file", {"path": "notes/plan.txt", "content": "ship it\n"})
    assert created == {"path": f"{home}/notes/plan.txt", "size": 8, "created": True}
    row = entry(world, f"{home}/notes/plan.txt")
    assert (row["parent"], row["kind"], row["content"], row["size"], row["writable"]) == (
        f"{home}/notes", "file", "ship it\n", 8, 1)
    stamped_at = world.now() - dt.timedelta(minutes=1)  # the clock advances after each successful write
    assert row["created"] == row["modified"] == stamped_at.strftime("%Y-%m-%d %H:%M")
    assert world.call("write_file", {"path": "notes/plan.txt", "content": "é"})["created"] is False
    rewritten = entry(world, f"{home}/notes/plan.txt")
    assert (rewritten["content"], rewritten["size"]) == ("é", 2)


def test_write_file_errors(env: Any, world: Any, home: str) -> None:
    assert fails(env, world, "write_file", {"path": "nowhere/a.txt", "content": "x"}) == (
        f"parent directory {home}/nowhere does not exist; create_directory creates it first")
    assert fails(env, world, "write_file", {"path": "notes", "content": "x"}) == (
        f"{home}/notes is a directory, not a file")
    assert fails(env, world, "write_file", {"path": "/srv/shared/templates/weekly-report.md", "content": "x"}) == (
        "permission denied: /srv/shared/templates/weekly-report.md is read-only")
    assert fails(env, world, "write_file", {"path": "/srv/shared/templates/new.md", "content": "x"}) == (
        "permission denied: /srv/shared/templates is read-only")


def test_edit_file_exact_unique_match_and_dry_run(env: Any, world: Any, home: str) -> None:
    path = f"{home}/notes/todo.md"
    original = entry(world, path)["content"]
    item = next(line for line in original.splitlines() if line.startswith("- [ ] "))
    preview = world.call("edit_file", {"path": path, "oldText": item, "newText": item.replace("[ ]", "[x]"),
                                       "dryRun": True})
    assert preview["applied"] is False and f"-{item}\n" in preview["diff"] and entry(world, path)["content"] == original
    done = world.call("edit_file", {"path": path, "oldText": item, "newText": item.replace("[ ]", "[x]")})
    assert done["applied"] is True
    assert entry(world, path)["content"] == original.replace(item, item.replace("[ ]", "[x]"), 1)


def test_edit_file_errors_leave_the_file_alone(env: Any, world: Any, home: str) -> None:
    path = f"{home}/notes/todo.md"
    assert fails(env, world, "edit_file", {"path": path, "oldText": "- [ ] no such chore", "newText": "x"}) == (
        f"oldText was not found in {path}; the match is exact (case, spaces, line breaks), read_text_file shows "
        "the current content")
    content = entry(world, path)["content"]
    lines = [str(i) for i, line in enumerate(content.splitlines(), 1) if "- [ ]" in line]
    assert fails(env, world, "edit_file", {"path": path, "oldText": "- [ ]", "newText": "- [x]"}) == (
        f"oldText occurs {len(lines)} times in {path} (lines {', '.join(lines)}); include more surrounding text so "
        "that it matches exactly once")
    assert fails(env, world, "edit_file", {"path": path, "oldText": "# To do", "newText": "# To do"}) == (
        "newText is identical to oldText; nothing would change")


def test_create_directory(env: Any, world: Any, home: str) -> None:
    assert world.call("create_directory", {"path": "notes/2026"}) == {"path": f"{home}/notes/2026", "created": True}
    assert entry(world, f"{home}/notes/2026")["kind"] == "directory"
    assert world.call("list_directory", {"path": "notes/2026"}) == []
    assert fails(env, world, "create_directory", {"path": "notes/2026"}) == (
        f"{home}/notes/2026 already exists; choose another name or remove it first")
    assert fails(env, world, "create_directory", {"path": "a/b"}) == (
        f"parent directory {home}/a does not exist; create_directory creates it first")


def test_move_file_moves_a_folder_with_its_contents(env: Any, world: Any, home: str) -> None:
    project = world.value("SELECT path FROM entries WHERE parent = ? ORDER BY path", f"{home}/projects")
    inside = world.rows("SELECT path, content FROM entries WHERE path LIKE ? ORDER BY path", project + "/%")
    world.call("create_directory", {"path": "old"})
    world.call("move_file", {"source": project, "destination": "old/project"})
    assert entry(world, project) is None
    moved = world.rows("SELECT path, parent, content FROM entries WHERE path LIKE ? ORDER BY path",
                       f"{home}/old/project/%")
    assert [(m["path"], m["content"]) for m in moved] == [
        (r["path"].replace(project, f"{home}/old/project", 1), r["content"]) for r in inside]
    assert all(m["parent"] == m["path"].rsplit("/", 1)[0] for m in moved)


def test_move_file_refuses_to_overwrite(env: Any, world: Any, home: str) -> None:
    assert fails(env, world, "move_file", {"source": "notes/ideas.txt", "destination": "notes/todo.md"}) == (
        f"{home}/notes/todo.md already exists; choose another name or remove it first")
    assert fails(env, world, "move_file", {"source": "notes/ideas.txt", "destination": "data"}) == (
        f"{home}/data already exists; to move into that folder give the full new path, e.g. {home}/data/ideas.txt")
    assert fails(env, world, "move_file", {"source": "notes", "destination": "notes/archive/notes"}) == (
        f"cannot move {home}/notes into itself")
    assert fails(env, world, "move_file", {"source": "/srv/shared/templates/weekly-report.md",
                                           "destination": "weekly.md"}) == (
        "permission denied: /srv/shared/templates/weekly-report.md is read-only")
    assert fails(env, world, "move_file", {"source": "~", "destination": "/srv/shared/home"}) == (
        f"{home} is an allowed root and cannot be moved or deleted")


def test_copy_file_copies_bytes_into_a_writable_file(env: Any, world: Any, home: str) -> None:
    world.call("copy_file", {"source": "/srv/shared/templates/weekly-report.md", "destination": "report.md"})
    copy, template = entry(world, f"{home}/report.md"), entry(world, "/srv/shared/templates/weekly-report.md")
    assert (copy["content"], copy["size"], copy["writable"], template["writable"]) == (
        template["content"], template["size"], 1, 0)
    world.call("copy_file", {"source": "pictures/profile.png", "destination": "profile-copy.png"})
    assert entry(world, f"{home}/profile-copy.png")["data"] == entry(world, f"{home}/pictures/profile.png")["data"]
    assert fails(env, world, "copy_file", {"source": "notes", "destination": "notes-copy"}) == (
        f"{home}/notes is a directory, not a file; list_directory shows its contents")


def test_delete_file_and_directory(env: Any, world: Any, home: str) -> None:
    assert world.call("delete_file", {"path": "notes/ideas.txt"}) == {"deleted": f"{home}/notes/ideas.txt"}
    assert entry(world, f"{home}/notes/ideas.txt") is None
    assert fails(env, world, "delete_file", {"path": "notes"}) == f"{home}/notes is a directory; use delete_directory"
    count = world.value("SELECT COUNT(*) FROM entries WHERE path LIKE ?", f"{home}/notes/%")
    assert fails(env, world, "delete_directory", {"path": "notes"}) == (
        f"{home}/notes is not empty ({count} entries); pass recursive=true to delete it with its contents")
    assert world.call("delete_directory", {"path": "notes", "recursive": True})["entries_removed"] == count + 1
    assert world.value("SELECT COUNT(*) FROM entries WHERE path = ? OR path LIKE ?", f"{home}/notes",
                       f"{home}/notes/%") == 0
    assert fails(env, world, "delete_directory", {"path": "/srv/shared/templates", "recursive": True}) == (
        "permission denied: /srv/shared/templates is read-only")


def test_search_files_globs_and_excludes(world: Any, home: str) -> None:
    logs = world.call("search_files", {"path": "~", "pattern": "*.log"})
    assert logs and all(p.endswith(".log") for p in logs) and f"{home}/projects" in " ".join(logs)
    kept = world.call("search_files", {"path": "~", "pattern": "*.log", "excludePatterns": ["build"]})
    assert kept == [p for p in logs if "/build/" not in p]
    assert world.call("search_files", {"path": "projects", "pattern": "src/*.py"}) == []  # relative to projects
    mains = world.call("search_files", {"path": "projects", "pattern": "*/src/main.py"})
    assert len(mains) == 3


def test_search_file_contents_and_directory_tree(world: Any, home: str) -> None:
    hits = world.call("search_file_contents", {"text": "password"})
    assert [h["path"] for h in hits] == [f"{home}/notes/wifi.txt"] and hits[0]["line"] == 2
    tree = world.call("directory_tree", {"path": "/srv/shared", "excludePatterns": ["reports"]})
    assert tree == [{"name": "templates", "type": "directory", "children": [
        {"name": "meeting-notes.md", "type": "file"}, {"name": "weekly-report.md", "type": "file"}]}]
    info = world.call("get_file_info", {"path": "/srv/shared/templates"})
    assert (info["type"], info["items"], info["permissions"]) == ("directory", 2, "r-xr-xr-x")


def test_limits_are_declared_in_the_schema_and_enforced(env: Any, world: Any) -> None:
    assert world_set(ENV)(0).tools["read_multiple_files"][1].parameters["properties"]["paths"]["maxItems"] == 20
    properties = {name: spec.parameters["properties"] for name, spec in world.tools.items()}
    assert properties["read_multiple_files"]["paths"]["minItems"] == 1
    assert properties["read_text_file"]["head"]["minimum"] == properties["read_text_file"]["tail"]["minimum"] == 1
    assert properties["write_file"]["content"]["maxLength"] == 100_000
    assert properties["move_file"]["destination"]["maxLength"] == 1024
    assert fails(env, world, "read_multiple_files", {"paths": ["notes/todo.md"] * 21}) == (
        "invalid arguments for 'read_multiple_files': paths: List should have at most 20 items after validation, "
        "not 21")
    assert fails(env, world, "read_text_file", {"path": "notes/todo.md", "tail": 0}) == (
        "invalid arguments for 'read_text_file': tail: Input should be greater than or equal to 1")
    assert fails(env, world, "search_files", {"path": "~", "pattern": " "}) == (
        "invalid arguments for 'search_files': pattern must not be empty")
    assert fails(env, world, "search_file_contents", {"text": ""}) == (
        "invalid arguments for 'search_file_contents': text must not be empty")
    assert fails(env, world, "edit_file", {"path": "notes/todo.md", "oldText": "", "newText": "x"}) == (
        "invalid arguments for 'edit_file': oldText: String should have at least 1 character")
    assert fails(env, world, "write_file", {"path": " ", "content": "x"}) == (
        "invalid arguments for 'write_file': path must not be empty")
    assert fails(env, world, "read_text_file", {"path": "notes/\x00todo.md"}) == (
        "invalid path: it must not contain NUL bytes")


def test_results_match_their_declared_types(world: Any, home: str) -> None:
    """Result shapes the gold calls do not reach: error entries, nested trees, folders' info and sizes."""
    calls = [("read_multiple_files", {"paths": ["notes/todo.md", "notes/missing.md"]}),
             ("directory_tree", {"path": "~"}), ("get_file_info", {"path": "notes"}),
             ("get_file_info", {"path": "notes/todo.md"}), ("list_directory", {"path": "~"}),
             ("search_file_contents", {"text": "ERROR", "pattern": "*.log"}),
             ("edit_file", {"path": "notes/todo.md", "oldText": "# To do", "newText": "# Later", "dryRun": True})]
    for name, arguments in calls:
        result = world.call(name, arguments)
        assert result and world.tools[name].nonconformity(result) is None, name
    tree = world.call("directory_tree", {"path": "~"})
    assert any(child.get("children") for node in tree for child in node.get("children", []))


def test_templates_live_beside_the_environment(world: Any) -> None:
    names = list(templates(ENV))
    assert names[:3] == ["config_port", "change_port", "backup_and_set_log_level"] and len(names) == 19
    assert not any(hasattr(type(world), name) for name in names)


def test_gold_path_earns_one_and_wrong_project_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "change_port")
    gold = gold_calls(task)
    assert play(env, task.id, gold) == 1.0
    edit = task.gold[-1]["arguments"]
    env.reset(options={"task_id": task.id})
    other = next(p for p in world.call("search_files", {"path": "~", "pattern": "config.json"}) if p != edit["path"])
    port = world.call("read_text_file", {"path": other})["content"].split('"port": ')[1].split(",")[0]
    wrong = [("edit_file", {"path": other, "oldText": f'"port": {port}', "newText": edit["newText"]})]
    assert play(env, task.id, wrong) == 0.0


def test_another_valid_path_also_earns_one(env: Any, world: Any) -> None:
    """A dry run first (the clock moves) and write_file instead of edit_file reach the same state."""
    task = scenario_task(env, "tick_todo")
    edit = task.gold[-1]["arguments"]
    env.reset(options={"task_id": task.id})
    content = world.call("read_text_file", {"path": edit["path"]})["content"]
    calls = [("edit_file", {**edit, "dryRun": True}),
             ("write_file", {"path": edit["path"], "content": content.replace(edit["oldText"], edit["newText"])})]
    assert play(env, task.id, calls) == 1.0


def test_read_task_needs_its_answer(env: Any) -> None:
    task = scenario_task(env, "largest_data_file")
    gold = gold_calls(task)
    name, size = task.answer_facts
    assert play(env, task.id, gold, answer=f"The biggest is {name}, {size} bytes.") == 1.0
    assert play(env, task.id, gold, answer=f"The biggest is {name}.") == 0.0
    listing = env.worlds.call("list_directory", gold[0][1])
    others = [e["name"] for e in listing if e["name"] != name and e["type"] == "file"]
    assert others and play(env, task.id, gold, answer=f"{name} or {others[0]}, {size} bytes.") == 0.0  # competing
