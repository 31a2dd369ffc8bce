"""Behaviour of the Notion environment: pages, blocks, database rows, comments, sharing rules and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Notion"


def page(world: Any, where: str = "1") -> dict[str, Any]:
    return world.row(f"SELECT * FROM pages WHERE shared = 1 AND archived = 0 AND parent_type = 'page' AND {where}"
                     " ORDER BY page_id")


def database(world: Any, title: str) -> str:
    return world.value("SELECT database_id FROM databases WHERE title = ?", title)


def test_create_page_with_content_is_found_by_search(world: Any) -> None:
    parent = page(world)
    result = world.call("notion_create_page", {"parent_page_id": parent["page_id"], "title": "Zephyr launch plan",
                                               "children": ["# Goals", "[ ] Book venue", "plain words"]})
    assert [(b["type"], b["content"], b["checked"]) for b in result["content"]] == [
        ("heading_1", "Goals", None), ("to_do", "Book venue", False), ("paragraph", "plain words", None)]
    assert world.row("SELECT parent_id, created_by FROM pages WHERE page_id = ?", result["page_id"]) == {
        "parent_id": parent["page_id"], "created_by": world.value("SELECT user_id FROM users WHERE type = 'bot'")}
    hits = world.call("notion_search", {"query": "zephyr"})["results"]
    assert [h["page_id"] for h in hits] == [result["page_id"]]


def test_unshared_pages_and_databases_as_parents_are_refused(env: Any, world: Any) -> None:
    hidden = world.value("SELECT page_id FROM pages WHERE shared = 0")
    assert fails(env, world, "notion_retrieve_page", {"page_id": hidden}) == (
        f"Could not find page with ID: {hidden}. Make sure the relevant pages and databases are shared with your "
        "integration (notion_search lists what it can see).")
    tasks = database(world, "Sprint Tasks")
    assert fails(env, world, "notion_create_page", {"parent_page_id": tasks, "title": "x"}) == (
        f"{tasks} is a database; add rows to it with notion_create_database_item")


def test_block_rules(env: Any, world: Any) -> None:
    visible = "archived = 0 AND parent_id IN (SELECT page_id FROM pages WHERE shared = 1 AND archived = 0)"
    todo = world.row(f"SELECT * FROM blocks WHERE type = 'to_do' AND checked = 0 AND {visible} ORDER BY block_id")
    heading = world.row(f"SELECT * FROM blocks WHERE type = 'heading_2' AND {visible} ORDER BY block_id")
    assert fails(env, world, "notion_update_block", {"block_id": todo["block_id"], "block_type": "paragraph"}) == (
        "a block's type cannot be changed (to_do to paragraph); delete it and create a new block instead")
    assert fails(env, world, "notion_update_block", {"block_id": heading["block_id"], "checked": True}) == (
        "only to_do blocks can be checked; this is a heading_2")
    assert fails(env, world, "notion_append_block_children", {"block_id": heading["block_id"], "children": ["x"]}) == (
        "a heading_2 block cannot have children; append to its page or to a paragraph, list item or to-do instead")
    world.call("notion_update_block", {"block_id": todo["block_id"], "checked": True})
    assert world.value("SELECT checked FROM blocks WHERE block_id = ?", todo["block_id"]) == 1
    world.call("notion_delete_block", {"block_id": todo["block_id"]})
    assert world.value("SELECT archived FROM blocks WHERE block_id = ?", todo["block_id"]) == 1
    assert fails(env, world, "notion_update_block", {"block_id": todo["block_id"], "content": "x"}) == (
        f"block {todo['block_id']} is archived; restore it with notion_update_block(archived=false)")


def test_database_rows_are_validated(env: Any, world: Any) -> None:
    tasks = database(world, "Sprint Tasks")
    assert fails(env, world, "notion_create_database_item", {"database_id": tasks, "properties": {
        "Task": "Ship it", "Status": "Finished"}}) == (
        "'Finished' is not an option of 'Status' (Backlog, In progress, In review, Shipped); add it with "
        "notion_update_database first")
    assert fails(env, world, "notion_create_database_item", {"database_id": tasks, "properties": {"Points": 3}}) == (
        "give the row's title in the 'Task' property")
    member = world.row("SELECT * FROM users WHERE type = 'person' ORDER BY user_id")
    row = world.call("notion_create_database_item", {"database_id": tasks, "properties": {
        "Task": "Zephyr audit", "Status": "Backlog", "Assignee": member["email"], "Points": 3, "Blocked": True}})
    assert row["properties"]["Assignee"] == member["name"] and row["properties"]["Points"] == 3
    assert world.value("SELECT value FROM page_values WHERE page_id = ? AND name = 'Assignee'", row["page_id"]) == (
        member["user_id"])
    found = world.call("notion_query_database", {"database_id": tasks, "filter": {
        "property": "Task", "condition": "contains", "value": "zephyr"}})["results"]
    assert [r["page_id"] for r in found] == [row["page_id"]]
    world.call("notion_update_database", {"database_id": tasks, "properties": {"Status": {
        "type": "status", "options": ["Finished"]}}})
    world.call("notion_update_page_properties", {"page_id": row["page_id"], "properties": {"Status": "Finished"}})
    assert world.value("SELECT value FROM page_values WHERE page_id = ? AND name = 'Status'", row["page_id"]) == (
        "Finished")
    assert fails(env, world, "notion_update_database", {"database_id": tasks, "properties": {"Task": None}}) == (
        "the title property cannot be removed, retyped or duplicated; rename the database or its other properties "
        "instead")


def test_comment_rules(env: Any, world: Any) -> None:
    theirs = world.row("SELECT * FROM comments WHERE author_id != (SELECT user_id FROM users WHERE type = 'bot')"
                       " AND resolved = 1 AND parent_id IN (SELECT page_id FROM pages WHERE shared = 1 AND"
                       " archived = 0) ORDER BY comment_id")
    author = world.value("SELECT name FROM users WHERE user_id = ?", theirs["author_id"])
    assert fails(env, world, "notion_delete_comment", {"comment_id": theirs["comment_id"]}) == (
        f"an integration can only edit or delete the comments it wrote; this comment is by {author}")
    reply = {"rich_text": "Thanks", "discussion_id": theirs["discussion_id"]}
    assert fails(env, world, "notion_create_comment", reply) == (
        "this discussion is resolved; reopen it with notion_resolve_comment(resolved=false) before replying")
    world.call("notion_resolve_comment", {"comment_id": theirs["comment_id"], "resolved": False})
    made = world.call("notion_create_comment", reply)
    assert world.value("SELECT COUNT(*) FROM comments WHERE discussion_id = ? AND resolved = 0",
                       theirs["discussion_id"]) >= 2
    world.call("notion_update_comment", {"comment_id": made["comment_id"], "rich_text": "Thanks again"})
    assert world.value("SELECT rich_text FROM comments WHERE comment_id = ?", made["comment_id"]) == "Thanks again"


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    children = tools["notion_append_block_children"][1].parameters["properties"]["children"]
    assert (children["minItems"], children["maxItems"]) == (1, 100)
    assert tools["notion_query_database"][1].parameters["properties"]["page_size"]["maximum"] == 100


def test_gold_earns_one_and_a_wrong_path_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "move_sprint_task")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "properties": {"Status": "Shipped"}})]) == 0.0
    assert play(env, task.id, []) == 0.0
    read = next(t for t in env.tasks if t.tags.get("scenario") == "candidates_at_stage")
    assert play(env, read.id, gold_calls(read), answer="They are " + ", ".join(read.answer_facts) + ".") == 1.0
    assert play(env, read.id, gold_calls(read), answer="I checked the pipeline.") == 0.0
