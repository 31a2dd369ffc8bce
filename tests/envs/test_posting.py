"""Behaviour of the Posting environment: login-gated writes, edit window, follows, search and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "Posting"


def login(world: Any, where: str = "1") -> dict[str, Any]:
    user = world.row(f"SELECT * FROM users u WHERE {where} ORDER BY username")
    world.call("login", {"username": user["username"], "password": user["password"]})
    return user


def test_writes_need_a_login_and_the_right_password(env: Any, world: Any) -> None:
    assert fails(env, world, "create_tweet", {"content": "hi"}) == (
        "you are not logged in; call login with your username and password first")
    user = world.row("SELECT * FROM users ORDER BY username")
    assert fails(env, world, "login", {"username": user["username"], "password": "nope"}) == (
        f"wrong password for @{user['username']}")
    assert world.call("check_login_status", {}) == {"is_authenticated": False, "username": None}


def test_create_tweet_inserts_a_row_that_search_finds(env: Any, world: Any) -> None:
    user = login(world)
    before = world.value("SELECT COUNT(*) FROM tweets")
    made = world.call("create_tweet", {"content": "Zucchini bread marathon today", "hashtags": ["#baking"]})
    assert world.value("SELECT COUNT(*) FROM tweets") == before + 1
    row = world.row("SELECT * FROM tweets WHERE tweet_id = ?", made["tweet_id"])
    assert (row["username"], row["content"], row["hashtags"], row["deleted"]) == (
        user["username"], "Zucchini bread marathon today", '["baking"]', 0)
    found = world.call("search_tweets", {"query": "zucchini BREAD"})["tweets"]
    assert [t["tweet_id"] for t in found] == [made["tweet_id"]]


def test_tweet_length_limit_is_in_the_schema(env: Any, world: Any) -> None:
    content = world_set(ENV)(0).tools["create_tweet"][1].parameters["properties"]["content"]
    assert content["maxLength"] == 280
    login(world)
    assert "content" in fails(env, world, "create_tweet", {"content": "x" * 281})


def test_follow_rules(env: Any, world: Any) -> None:
    user = login(world)
    assert fails(env, world, "follow_user", {"username": user["username"]}) == "you cannot follow yourself"
    followed = world.value("SELECT followee FROM follows WHERE follower = ?", user["username"])
    assert fails(env, world, "follow_user", {"username": followed}) == f"you already follow @{followed}"
    stranger = world.value("SELECT username FROM users WHERE username != ?1 AND username NOT IN"
                           " (SELECT followee FROM follows WHERE follower = ?1) ORDER BY username", user["username"])
    assert fails(env, world, "unfollow_user", {"username": stranger}) == (
        f"you do not follow @{stranger}; list_following shows whom you follow")
    count = world.call("get_user_stats", {})["following_count"]
    world.call("follow_user", {"username": "@" + stranger})
    assert world.row("SELECT follower, followee FROM follows WHERE follower = ? AND followee = ?",
                     user["username"], stranger) == {"follower": user["username"], "followee": stranger}
    assert world.call("get_user_stats", {})["following_count"] == count + 1
    world.call("unfollow_user", {"username": stranger})
    assert world.call("get_user_stats", {})["following_count"] == count


def test_edit_rules_and_deleted_tweets(env: Any, world: Any) -> None:
    user = login(world)
    old = world.row("SELECT * FROM tweets WHERE username = ? AND deleted = 0 AND created_at < '2026-03-01'",
                    user["username"])
    assert fails(env, world, "update_tweet", {"tweet_id": old["tweet_id"], "content": "new"}) == (
        f"tweet {old['tweet_id']} was posted at {old['created_at']}, more than 60 minutes ago, and can no longer be"
        " edited; delete it and post a new one instead")
    theirs = world.row("SELECT * FROM tweets WHERE username != ? AND deleted = 0", user["username"])
    assert fails(env, world, "update_tweet", {"tweet_id": theirs["tweet_id"], "content": "x"}) == (
        f"tweet {theirs['tweet_id']} belongs to @{theirs['username']}; you can only edit your own tweets")
    made = world.call("create_tweet", {"content": "Typo tweet"})
    result = world.call("update_tweet", {"tweet_id": made["tweet_id"], "content": "Fixed tweet"})
    assert result["updated_fields"] == ["content"]
    assert world.row("SELECT content, edit_count FROM tweets WHERE tweet_id = ?", made["tweet_id"]) == {
        "content": "Fixed tweet", "edit_count": 1}
    world.call("delete_tweet", {"tweet_id": made["tweet_id"]})
    assert world.value("SELECT deleted FROM tweets WHERE tweet_id = ?", made["tweet_id"]) == 1
    gone = f"tweet {made['tweet_id']} was deleted by its author and can no longer be viewed or used"
    assert fails(env, world, "get_tweet", {"tweet_id": made["tweet_id"]}) == gone
    assert fails(env, world, "retweet", {"tweet_id": made["tweet_id"]}) == gone


def test_retweet_and_comment_change_the_counts(env: Any, world: Any) -> None:
    user = login(world)
    tweet = world.row("SELECT * FROM tweets WHERE deleted = 0 AND tweet_id NOT IN"
                      " (SELECT tweet_id FROM retweets WHERE username = ?) ORDER BY tweet_id", user["username"])
    before = world.call("get_tweet", {"tweet_id": tweet["tweet_id"]})
    world.call("retweet", {"tweet_id": tweet["tweet_id"]})
    reply = world.call("add_comment", {"tweet_id": tweet["tweet_id"], "comment_content": "Nice one"})
    after = world.call("get_tweet", {"tweet_id": tweet["tweet_id"]})
    assert (after["retweet_count"], after["comment_count"]) == (before["retweet_count"] + 1,
                                                                before["comment_count"] + 1)
    assert fails(env, world, "retweet", {"tweet_id": tweet["tweet_id"]}) == (
        f"you have already retweeted tweet {tweet['tweet_id']}")
    listed = world.call("get_tweet_comments", {"tweet_id": tweet["tweet_id"], "limit": 100})["comments"]
    assert listed[-1] == reply


def test_follow_task_gold_earns_one_and_another_account_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "follow_someone")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    target = calls[-1][1]["username"]
    wrong = world.value("SELECT username FROM users WHERE username NOT IN (?, ?) AND username NOT IN"
                        " (SELECT followee FROM follows WHERE follower = ?) ORDER BY username",
                        target, calls[0][1]["username"], calls[0][1]["username"])
    assert play(env, task.id, [calls[0], ("follow_user", {"username": wrong})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_answer_is_graded(env: Any) -> None:
    task = scenario_task(env, "unfollow_and_count")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"You now follow {task.answer_facts[0]} accounts.") == 1.0
    assert play(env, task.id, calls, answer="Done, unfollowed.") == 0.0
