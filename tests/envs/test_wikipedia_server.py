"""Behaviour of the WikipediaServer environment: reading, the watchlist, section edits with revisions, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "WikipediaServer"


def page(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM pages WHERE {where} ORDER BY title")


def test_edit_section_appends_and_records_a_revision(world: Any) -> None:
    target = page(world, "protection = 'none' AND pageid IN (SELECT pageid FROM sections WHERE section = 'History')")
    before = world.row("SELECT * FROM sections WHERE pageid = ? AND section = 'History'", target["pageid"])
    top = world.value("SELECT MAX(revid) FROM revisions")
    result = world.call("edit_section", {"title": target["title"], "section": "history",
                                         "text": "A marker was dedicated in 2022.", "summary": "add fact"})
    assert result == {"title": target["title"], "section": "History", "revid": top + 1,
                      "parentid": world.value("SELECT MAX(revid) FROM revisions WHERE pageid = ? AND revid <= ?",
                                              target["pageid"], top) or 0,
                      "summary": "add fact", "minor": False, "timestamp": "2026-03-02 09:00"}
    after = world.row("SELECT * FROM sections WHERE pageid = ? AND section = 'History'", target["pageid"])
    assert after == {**before, "content": before["content"] + " A marker was dedicated in 2022."}
    assert world.row("SELECT * FROM revisions WHERE revid = ?", top + 1) == {
        "revid": top + 1, "pageid": target["pageid"], "section": "History", "user": "Quillfeather",
        "summary": "add fact", "text": "A marker was dedicated in 2022.", "minor": 0, "timestamp": "2026-03-02 09:00"}


def test_edit_rules(env: Any, world: Any) -> None:
    full = page(world, "protection = 'full'")
    assert fails(env, world, "edit_section", {"title": full["title"], "section": "History", "text": "x",
                                              "summary": "y"}) == (
        f"'{full['title']}' is full-protected: only administrators can edit it; propose the change on its talk page"
        " instead")
    free = page(world, "protection = 'none'")
    assert fails(env, world, "edit_section", {"title": free["title"], "section": "Discography", "text": "x",
                                              "summary": "y"}) == (
        f"'{free['title']}' has no section 'Discography'; get_page_sections lists its headings")
    section = world.row("SELECT * FROM sections WHERE pageid = ? ORDER BY idx", free["pageid"])
    same = {"title": free["title"], "section": section["section"], "text": section["content"], "summary": "noop",
            "mode": "replace"}
    assert fails(env, world, "edit_section", same) == (
        "the new text is the same as the section's current text; nothing to save")
    assert fails(env, world, "get_article", {"title": "Atlantis"}) == (
        "English Wikipedia has no article titled 'Atlantis'; search_wikipedia finds titles")
    blank = fails(env, world, "edit_section", {**same, "summary": " "})
    assert blank.startswith("invalid arguments for 'edit_section': summary")


def test_watch_and_unwatch(env: Any, world: Any) -> None:
    target = page(world, "pageid NOT IN (SELECT pageid FROM watchlist)")
    watched = world.call("watch_page", {"title": target["title"], "expiry": "1 month"})
    assert watched == {"title": target["title"], "expiry": "1 month", "last_edited": target["touched"]}
    assert world.row("SELECT * FROM watchlist WHERE pageid = ?", target["pageid"]) == {
        "pageid": target["pageid"], "expiry": "1 month", "added": "2026-03-02"}
    assert fails(env, world, "watch_page", {"title": target["title"]}) == (
        f"'{target['title']}' is already on your watchlist")
    assert target["title"] in [w["title"] for w in world.call("list_watchlist", {})]
    world.call("unwatch_page", {"title": target["title"]})
    assert world.row("SELECT * FROM watchlist WHERE pageid = ?", target["pageid"]) is None
    assert fails(env, world, "unwatch_page", {"title": target["title"]}) == (
        f"'{target['title']}' is not on your watchlist")


def test_reading_tools(world: Any) -> None:
    town = page(world, "description LIKE 'Town in %'")
    article = world.call("get_article", {"title": town["title"]})
    assert [s["section"] for s in article["sections"]] == [
        "History", "Geography", "Demographics", "Economy", "Notable people"]
    assert article["url"] == "https://en.wikipedia.org/wiki/" + town["title"].replace(" ", "_")
    toc = world.call("get_page_sections", {"title": town["title"]})["sections"]
    assert toc[0] == {"index": 1, "level": 2, "section": "History"}
    assert world.call("get_summary", {"title": town["title"]})["extract"] == town["extract"]
    related = world.call("get_related_pages", {"title": town["title"], "limit": 20})["related"]
    river = world.value("SELECT title FROM pages WHERE pageid IN (SELECT to_page FROM links WHERE from_page = ?)",
                        town["pageid"])
    assert river in [r["title"] for r in related]
    hits = world.call("search_wikipedia", {"query": town["title"].split(",")[0], "limit": 5})["results"]
    assert hits[0]["title"].startswith(town["title"].split(",")[0])


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["get_related_pages"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 20)
    assert tools["watch_page"][1].parameters["properties"]["expiry"]["enum"][0] == "permanent"
    assert tools["edit_section"][1].parameters["properties"]["summary"]["maxLength"] == 500
    assert tools["edit_section"][1].user_known == frozenset({"title", "section"})


def test_gold_earns_one_and_the_wrong_expiry_zero(env: Any) -> None:
    task = scenario_task(env, "find_and_watch")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = "1 week" if arguments["expiry"] != "1 week" else "1 month"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "expiry": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
