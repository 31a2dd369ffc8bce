"""Behaviour of the OpenLibrary environment: catalogue look-ups, reading-log shelves, lists, exact errors, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "OpenLibrary"


def unlogged(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM books WHERE work_id NOT IN (SELECT work_id FROM shelved_books) ORDER BY work_id")


def logged(world: Any, shelf: str) -> dict[str, Any]:
    return world.row("SELECT b.*, s.shelf FROM shelved_books s JOIN books b USING (work_id) WHERE s.shelf = ?"
                     " ORDER BY work_id", shelf)


def test_add_to_reading_log_puts_the_work_on_one_shelf(env: Any, world: Any) -> None:
    book = unlogged(world)
    result = world.call("add_to_reading_log", {"work_id": book["work_id"], "shelf": "want-to-read"})
    author = world.value("SELECT name FROM authors WHERE key = ?", book["author_key"])
    assert result == {"work_id": book["work_id"], "title": book["title"], "author_name": author,
                      "shelf": "want-to-read", "logged_on": "2026-03-02"}
    assert world.row("SELECT * FROM shelved_books WHERE work_id = ?", book["work_id"]) == {
        "work_id": book["work_id"], "shelf": "want-to-read", "logged_on": "2026-03-02"}
    again = fails(env, world, "add_to_reading_log", {"work_id": book["work_id"], "shelf": "already-read"})
    assert again == f"'{book['title']}' is already on your want-to-read shelf; use move_reading_log_entry"
    assert fails(env, world, "add_to_reading_log", {"work_id": "OL1W", "shelf": "already-read"}) == (
        "no work with id 'OL1W'; get_book_by_title gives work ids")


def test_move_changes_the_shelf_and_refuses_the_same_shelf(env: Any, world: Any) -> None:
    book = logged(world, "want-to-read")
    count = world.value("SELECT COUNT(*) FROM shelved_books")
    assert fails(env, world, "move_reading_log_entry", {"work_id": book["work_id"], "shelf": "want-to-read"}) == (
        f"'{book['title']}' is already on your want-to-read shelf")
    moved = world.call("move_reading_log_entry", {"work_id": book["work_id"], "shelf": "currently-reading"})
    assert (moved["shelf"], moved["title"]) == ("currently-reading", book["title"])
    assert world.value("SELECT shelf FROM shelved_books WHERE work_id = ?", book["work_id"]) == "currently-reading"
    assert world.value("SELECT COUNT(*) FROM shelved_books") == count
    other = unlogged(world)
    assert fails(env, world, "move_reading_log_entry", {"work_id": other["work_id"], "shelf": "already-read"}) == (
        f"'{other['title']}' is not in your reading log; add it with add_to_reading_log")


def test_remove_from_reading_log_deletes_only_that_entry(env: Any, world: Any) -> None:
    book = logged(world, "already-read")
    count = world.value("SELECT COUNT(*) FROM shelved_books")
    removed = world.call("remove_from_reading_log", {"work_id": book["work_id"]})
    assert (removed["work_id"], removed["shelf"]) == (book["work_id"], "already-read")
    assert world.value("SELECT COUNT(*) FROM shelved_books") == count - 1
    assert fails(env, world, "remove_from_reading_log", {"work_id": book["work_id"]}) == (
        f"'{book['title']}' is not in your reading log")


def test_lists_are_unique_by_name_and_hold_each_work_once(env: Any, world: Any) -> None:
    assert fails(env, world, "create_list", {"name": "book club 2026"}) == (
        "you already have a list named 'book club 2026'; add books to it with add_to_list")
    created = world.call("create_list", {"name": "Holiday reads", "description": "For the train"})
    assert created == {"list_id": created["list_id"], "name": "Holiday reads", "description": "For the train",
                       "books": []}
    book = unlogged(world)
    after = world.call("add_to_list", {"list_id": created["list_id"], "work_id": book["work_id"]})
    assert after["books"] == [book["title"]]
    assert world.rows("SELECT work_id FROM list_seeds WHERE list_id = ?", created["list_id"]) == [
        {"work_id": book["work_id"]}]
    assert fails(env, world, "add_to_list", {"list_id": created["list_id"], "work_id": book["work_id"]}) == (
        f"'{book['title']}' is already on the list 'Holiday reads'")
    for row in world.rows("SELECT work_id FROM books WHERE work_id != ? ORDER BY work_id LIMIT 24", book["work_id"]):
        world.call("add_to_list", {"list_id": created["list_id"], "work_id": row["work_id"]})
    last = world.value("SELECT work_id FROM books ORDER BY work_id DESC")
    assert fails(env, world, "add_to_list", {"list_id": created["list_id"], "work_id": last}) == (
        "the list 'Holiday reads' is full (25 works); create another list")
    assert fails(env, world, "add_to_list", {"list_id": "list_0000000000", "work_id": last}) == (
        "no list with id 'list_0000000000'; get_my_lists shows your lists")


def test_book_by_isbn_with_hyphens_and_covers(env: Any, world: Any) -> None:
    isbn = world.row("SELECT * FROM identifiers WHERE kind = 'isbn_13' ORDER BY identifier")
    hyphenated = f"{isbn['identifier'][:3]}-{isbn['identifier'][3:]}"
    edition = world.call("get_book_by_id", {"identifier": hyphenated})
    assert edition["key"] == isbn["edition_key"] and isbn["identifier"] in edition["identifiers"]["isbn_13"]
    assert fails(env, world, "get_book_by_id", {"identifier": "9780000000000"}) == (
        "no edition with isbn '9780000000000'; get_book_by_title finds books by title")
    bare = world.row("SELECT i.* FROM identifiers i JOIN editions e ON e.key = i.edition_key WHERE e.cover_id IS NULL"
                     " ORDER BY identifier")
    assert fails(env, world, "get_book_cover", {"identifier": bare["identifier"],
                                                "identifier_type": bare["identifier_type"]}) == (
        f"the edition with {bare['identifier_type']} '{bare['identifier']}' has no cover image")
    olid = world.value("SELECT key FROM editions WHERE cover_id IS NOT NULL ORDER BY key")
    assert world.call("get_book_cover", {"identifier": olid, "identifier_type": "olid", "size": "L"})["url"] == (
        f"https://covers.openlibrary.org/b/olid/{olid}-L.jpg")


def test_agent_schema_shows_limits_and_user_known_inputs(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["get_authors_by_name"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert tools["add_to_reading_log"][1].parameters["properties"]["shelf"]["enum"] == [
        "want-to-read", "currently-reading", "already-read"]
    assert tools["get_book_by_id"][1].user_known == frozenset({"identifier"})
    assert fails(env, world, "get_authors_by_name", {"name": "a", "limit": 51}) == (
        "invalid arguments for 'get_authors_by_name': limit must be between 1 and 50")


def test_write_task_gold_earns_one_and_another_shelf_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] in ("add_to_reading_log", "move_reading_log_entry")
                and not t.user_facts and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = next(s for s in ("want-to-read", "currently-reading", "already-read") if s != arguments["shelf"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "shelf": other})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["get_book_by_id"] or (
        t.answer_facts and not t.tags["writes"] and not t.user_facts))
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="Here: " + "; ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="I found it.") == 0.0


def test_an_identifier_drawn_twice_stays_with_its_first_edition() -> None:
    # seed 110 draws one identifier for two editions; populate used to fail on the primary key
    world = world_set(ENV)(110).worlds[ENV]
    assert world.value("SELECT COUNT(*) FROM identifiers WHERE edition_key NOT IN (SELECT key FROM editions)") == 0
    assert world.value("SELECT COUNT(DISTINCT edition_key) FROM identifiers WHERE kind = 'isbn_13'") == world.value(
        "SELECT COUNT(*) FROM identifiers WHERE kind = 'isbn_13'")
