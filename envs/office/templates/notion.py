"""Task templates of Notion: database rows by property, to-dos inside pages and comment threads, which need
structured arguments (property maps, filters) or a pick among listed blocks that chains cannot make."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, pick, scenario
from envs.office.notion import Notion


def one(world: Notion, rng: random.Random, sql: str, *params: Any) -> dict[str, Any] | None:
    rows = world.rows(sql + " ORDER BY 1", *params)
    return rng.choice(rows) if rows else None


def unique_page(world: Notion, rng: random.Random, where: str) -> dict[str, Any] | None:
    """A shared, live plain page whose title is in no other title (a search finds it alone)."""
    return one(world, rng, "SELECT p.* FROM pages p WHERE p.shared = 1 AND p.archived = 0 AND p.parent_type = 'page'"
               f" AND {where} AND NOT EXISTS (SELECT 1 FROM pages o WHERE o.page_id != p.page_id AND"
               " instr(lower(o.title), lower(p.title)))")


def find_db(title: str) -> Any:
    return call("notion_search", query=title, filter="database")


def find_row(title: str, key: str, row: str) -> tuple[Any, Any]:
    return (find_db(title), call("notion_query_database", database_id=Ref(0, "results.0.database_id"),
                                 filter={"property": key, "condition": "equals", "value": row}))


@scenario
def move_sprint_task(world: Notion, rng: random.Random) -> Draft | None:
    task = one(world, rng, "SELECT p.title, v.value FROM pages p JOIN databases d ON p.parent_id = d.database_id JOIN"
               " page_values v ON v.page_id = p.page_id AND v.name = 'Status' WHERE d.title = 'Sprint Tasks'"
               " AND p.archived = 0 AND v.value != 'In review'")
    if task is None:
        return None
    points = rng.choice([2, 3, 5, 8])
    return Draft(request=f"The sprint task '{task['title']}' is ready: move it to In review and set its points to "
                         f"{points}.",
                 calls=(*find_row("Sprint Tasks", "Task", task["title"]),
                        call("notion_update_page_properties", page_id=Ref(1, "results.0.page_id"),
                             properties={"Status": "In review", "Points": points})))


@scenario
def plan_post(world: Notion, rng: random.Random) -> Draft | None:
    owner = one(world, rng, "SELECT name FROM users WHERE type = 'person'")
    headline = f"{rng.choice(['How we', 'Why teams', 'Lessons from'])} {rng.choice(['ship', 'hire', 'plan'])} " \
               f"{rng.choice(['faster', 'remotely', 'in 2026'])}"
    channel, day = rng.choice(["Blog", "Newsletter", "LinkedIn"]), f"2026-03-{rng.randrange(10, 28)}"
    return Draft(request=f"Add '{headline}' to our content calendar as a {channel} piece in the Idea stage, owned by "
                         f"{owner['name']}, to go out on {day}.",
                 calls=(find_db("Content Calendar"),
                        call("notion_create_database_item", database_id=Ref(0, "results.0.database_id"),
                             properties={"Headline": headline, "Stage": "Idea", "Channel": channel,
                                         "Owner": owner["name"], "Publish date": day})))


@scenario
def candidates_at_stage(world: Notion, rng: random.Random) -> Draft | None:
    stage = rng.choice(["Phone screen", "Onsite", "Offer sent"])
    names = [r["title"] for r in world.rows(
        "SELECT p.title FROM pages p JOIN databases d ON p.parent_id = d.database_id JOIN page_values v ON"
        " v.page_id = p.page_id AND v.name = 'Stage' WHERE d.title = 'Hiring Pipeline' AND v.value = ? ORDER BY"
        " p.title", stage)]
    if not 1 <= len(names) <= 4:
        return None
    return Draft(request=f"Which candidates in our hiring pipeline are at the {stage} stage right now?",
                 calls=(find_db("Hiring Pipeline"), call("notion_query_database",
                        database_id=Ref(0, "results.0.database_id"),
                        filter={"property": "Stage", "condition": "equals", "value": stage})),
                 answer=tuple(names))


@scenario
def add_todos(world: Notion, rng: random.Random) -> Draft | None:
    page = unique_page(world, rng, "1")
    if page is None:
        return None
    items = rng.sample(["Book the venue", "Send the agenda", "Collect feedback", "Update the budget sheet",
                        "Ping legal", "Draft the summary"], 2)
    return Draft(request=f"Add two to-dos at the end of the Notion page '{page['title']}': '{items[0]}' and "
                         f"'{items[1]}'.",
                 calls=(call("notion_search", query=page["title"], filter="page"),
                        call("notion_append_block_children", block_id=Ref(0, "results.0.page_id"),
                             children=[f"[ ] {items[0]}", f"[ ] {items[1]}"])))


def block_on_page(world: Notion, rng: random.Random, kind: str) -> tuple[dict, dict] | None:
    block = one(world, rng, "SELECT b.* FROM blocks b JOIN pages p ON p.page_id = b.parent_id WHERE b.type = ? AND"
                " b.archived = 0 AND p.shared = 1 AND p.archived = 0 AND (SELECT COUNT(*) FROM blocks o WHERE"
                " o.parent_id = b.parent_id AND o.content = b.content) = 1", kind)
    page = block and unique_page(world, rng, f"p.page_id = '{block['parent_id']}'")
    return (block, page) if page else None


@scenario
def tick_todo(world: Notion, rng: random.Random) -> Draft | None:
    found = block_on_page(world, rng, "to_do")
    if found is None or found[0]["checked"]:
        return None
    block, page = found
    return Draft(request=f"On the page '{page['title']}', tick off the to-do '{block['content']}'.",
                 calls=(call("notion_search", query=page["title"], filter="page"),
                        call("notion_retrieve_block_children", block_id=Ref(0, "results.0.page_id")),
                        call("notion_update_block", block_id=Ref(1, "results", pick("block_id",
                             content=block["content"])), checked=True)))


@scenario
def drop_paragraph(world: Notion, rng: random.Random) -> Draft | None:
    found = block_on_page(world, rng, rng.choice(["paragraph", "quote", "bulleted_list_item"]))
    if found is None:
        return None
    block, page = found
    return Draft(request=f"Remove the line '{block['content']}' from the page '{page['title']}'; it's outdated.",
                 calls=(call("notion_search", query=page["title"], filter="page"),
                        call("notion_retrieve_block_children", block_id=Ref(0, "results.0.page_id")),
                        call("notion_delete_block", block_id=Ref(1, "results", pick("block_id",
                             content=block["content"])))))


def comment_on_page(world: Notion, rng: random.Random, where: str) -> tuple[dict, dict] | None:
    comment = one(world, rng, f"SELECT c.* FROM comments c WHERE {where} AND (SELECT COUNT(*) FROM comments o WHERE"
                  " o.parent_id = c.parent_id) >= 2")
    page = comment and unique_page(world, rng, f"p.page_id = '{comment['parent_id']}'")
    return (comment, page) if page else None


@scenario
def delete_bot_comment(world: Notion, rng: random.Random) -> Draft | None:
    found = comment_on_page(world, rng, "c.author_id = (SELECT user_id FROM users WHERE type = 'bot')")
    if found is None:
        return None
    comment, page = found
    return Draft(request=f"Our integration posted '{comment['rich_text']}' on the page '{page['title']}' by "
                         "mistake. Please delete that comment.",
                 calls=(call("notion_search", query=page["title"], filter="page"),
                        call("notion_retrieve_comments", block_id=Ref(0, "results.0.page_id")),
                        call("notion_delete_comment", comment_id=Ref(1, "results", pick("comment_id",
                             rich_text=comment["rich_text"])))))


@scenario
def resolve_thread(world: Notion, rng: random.Random) -> Draft | None:
    found = comment_on_page(world, rng, "c.resolved = 0")
    if found is None:
        return None
    comment, page = found
    author = world.value("SELECT name FROM users WHERE user_id = ?", comment["author_id"])
    return Draft(request=f"{author}'s comment '{comment['rich_text']}' on '{page['title']}' has been handled. "
                         "Reply 'Handled, thanks!' in that thread and then resolve it.",
                 calls=(call("notion_search", query=page["title"], filter="page"),
                        call("notion_retrieve_comments", block_id=Ref(0, "results.0.page_id")),
                        call("notion_create_comment", rich_text="Handled, thanks!", discussion_id=Ref(
                            1, "results", pick("discussion_id", rich_text=comment["rich_text"]))),
                        call("notion_resolve_comment", comment_id=Ref(2, "comment_id"))))
