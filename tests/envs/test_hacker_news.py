"""Behaviour of the HackerNews environment: votes, favourites, comments, submissions, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "HackerNews"
VIEWER = "quietloop"


def unvoted(world: Any, kind: str) -> dict[str, Any]:
    return world.row("SELECT i.* FROM items i JOIN items p ON p.id = coalesce(i.parent, i.id) WHERE i.type = ?1"
                     " AND i.by != ?2 AND p.by != ?2 AND i.id NOT IN (SELECT item_id FROM votes) ORDER BY i.id",
                     kind, VIEWER)


def karma(world: Any, user: str) -> int:
    return world.value("SELECT karma FROM users WHERE user_id = ?", user)


def test_upvote_adds_a_point_and_karma_once(env: Any, world: Any) -> None:
    story = unvoted(world, "story")
    before = karma(world, story["by"])
    assert world.call("upvote", {"item_id": story["id"]}) == {"id": story["id"], "vote": "up",
                                                              "points": story["score"] + 1}
    assert world.value("SELECT score FROM items WHERE id = ?", story["id"]) == story["score"] + 1
    assert karma(world, story["by"]) == before + 1
    assert world.value("SELECT direction FROM votes WHERE item_id = ?", story["id"]) == "up"
    assert world.call("list_upvoted", {})["favorites"][0]["id"] == story["id"]
    assert fails(env, world, "upvote", {"item_id": story["id"]}) == (
        f"you have already voted on item {story['id']}; unvote it first to change your vote")
    assert world.call("unvote", {"item_id": story["id"]})["points"] == story["score"]
    assert karma(world, story["by"]) == before
    assert fails(env, world, "unvote", {"item_id": story["id"]}) == f"you have not voted on item {story['id']}"


def test_no_votes_on_your_own_items_or_job_ads(env: Any, world: Any) -> None:
    own = world.value("SELECT id FROM items WHERE by = ? ORDER BY id", VIEWER)
    assert fails(env, world, "upvote", {"item_id": own}) == (
        f"item {own} is your own; you cannot vote on your own submissions")
    job = world.value("SELECT id FROM items WHERE type = 'job' ORDER BY id")
    assert fails(env, world, "upvote", {"item_id": job}) == f"item {job} is a job ad; job ads cannot be voted on"
    assert fails(env, world, "post_comment", {"item_id": job, "text": "Still hiring?"}) == (
        f"item {job} is a job ad; job ads do not take comments")
    assert fails(env, world, "upvote", {"item_id": 1}) == "no item 1 on Hacker News; find it with search or getStories"


def test_downvote_rules(env: Any, world: Any) -> None:
    story = unvoted(world, "story")
    assert fails(env, world, "downvote", {"item_id": story["id"]}) == (
        f"item {story['id']} is a story; only comments can be downvoted (flag stories instead)")
    reply = world.value("SELECT c.id FROM items c JOIN items p ON p.id = c.parent WHERE p.by = ? AND c.by != ?"
                        " ORDER BY c.id", VIEWER, VIEWER)
    assert fails(env, world, "downvote", {"item_id": reply}) == (
        f"comment {reply} is a direct reply to you; you cannot downvote replies to your own items")
    comment = unvoted(world, "comment")
    assert world.call("downvote", {"item_id": comment["id"]}) == {"id": comment["id"], "vote": "down",
                                                                  "points": comment["score"] - 1}
    world.conn.execute("UPDATE users SET karma = 120 WHERE user_id = ?", (VIEWER,))
    other = world.value("SELECT i.id FROM items i JOIN items p ON p.id = i.parent WHERE i.type = 'comment'"
                        " AND i.by != ?1 AND p.by != ?1 AND i.id NOT IN (SELECT item_id FROM votes) ORDER BY i.id",
                        VIEWER)
    assert fails(env, world, "downvote", {"item_id": other}) == "downvoting needs at least 501 karma; you have 120"


def test_comment_and_submission_create_items(env: Any, world: Any) -> None:
    story = unvoted(world, "story")
    comment = world.call("post_comment", {"item_id": story["id"], "text": " Nice write-up "})
    assert comment["type"] == "comment" and comment["story_id"] == story["id"]
    row = world.row("SELECT * FROM items WHERE id = ?", comment["id"])
    assert row == {"id": comment["id"], "type": "comment", "by": VIEWER, "time": "2026-03-02 09:00", "title": None,
                   "url": None, "text": "Nice write-up", "score": 1, "parent": story["id"], "story_id": story["id"]}
    thread = world.call("getStoryWithComments", {"story_id": story["id"], "max_comments": 200})
    assert thread["comments"][-1] == {"id": comment["id"], "parent": story["id"], "depth": 1, "user": VIEWER,
                                      "text": "Nice write-up", "time": "2026-03-02 09:00"}
    posted = world.call("submit_story", {"title": "Ask HN: Favourite SQLite tricks?", "text": "Share yours"})
    assert world.row("SELECT type, by, title, url, text, score FROM items WHERE id = ?", posted["id"]) == {
        "type": "story", "by": VIEWER, "title": "Ask HN: Favourite SQLite tricks?", "url": "", "text": "Share yours",
        "score": 1}
    assert world.call("getStories", {"story_type": "new", "limit": 1})["stories"][0]["id"] == posted["id"]
    assert posted["id"] in [s["id"] for s in world.call("getStories", {"story_type": "ask", "limit": 50})["stories"]]
    taken = world.row("SELECT id, title, url FROM items WHERE url != '' AND type = 'story' ORDER BY id")
    assert fails(env, world, "submit_story", {"title": "Repost", "url": taken["url"]}) == (
        f"that URL was already submitted as item {taken['id']} ('{taken['title']}'); upvote it instead")
    assert fails(env, world, "submit_story", {"title": "Empty"}) == "a submission needs a url or a text"


def test_favorite_once(env: Any, world: Any) -> None:
    item = world.value("SELECT id FROM items WHERE id NOT IN (SELECT item_id FROM favorites) ORDER BY id")
    world.call("favorite", {"item_id": item})
    assert world.call("list_favorites", {})["favorites"][0]["id"] == item
    assert fails(env, world, "favorite", {"item_id": item}) == f"item {item} is already in your favorites"


def test_schema_limits_are_visible_to_the_agent(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    title = tools["submit_story"][1].parameters["properties"]["title"]
    assert title["maxLength"] == 80
    assert tools["getStories"][1].parameters["properties"]["story_type"]["enum"] == [
        "top", "new", "best", "ask", "show", "job"]
    assert tools["getUser"][1].user_known == frozenset({"user_id"})
    long_title = fails(env, world, "submit_story", {"title": "x" * 81, "text": "body"})
    assert long_title.startswith("invalid arguments for 'submit_story': title:")
    assert fails(env, world, "search", {"query": "rust", "hits_per_page": 51}) == (
        "invalid arguments for 'search': hits_per_page must be between 1 and 50")


def test_vote_task_gold_earns_one_and_another_item_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.seed == 0 and "upvote" in t.tags["chain"] and not t.user_facts)
    calls = gold_calls(task)
    answer = "Done: " + ", ".join(task.answer_facts) + "." if task.answer_facts else "Done."
    assert play(env, task.id, calls, answer) == 1.0
    voted = next(a["item_id"] for n, a in calls if n == "upvote")
    other = unvoted(world, "story")["id"]
    other = other if other != voted else world.value(
        "SELECT id FROM items WHERE type = 'story' AND by != ? AND id NOT IN (SELECT item_id FROM votes)"
        " AND id != ? ORDER BY id", VIEWER, voted)
    wrong = [(n, {"item_id": other} if n == "upvote" else a) for n, a in calls]
    assert play(env, task.id, wrong, answer) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if not t.tags["writes"] and t.answer_facts and not t.user_facts)
    assert_answer_is_graded(env, task)
