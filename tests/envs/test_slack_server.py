"""Behaviour of SlackServer: membership, archived and restricted channels, threads, reactions, search, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "SlackServer"


def channel(world: Any, name: str) -> str:
    return world.value("SELECT channel_id FROM channels WHERE name = ?", name)


def member_of(world: Any, member: bool, private: int = 0) -> dict[str, Any]:
    return world.row("SELECT * FROM channels WHERE is_archived = 0 AND is_private = ? AND posting = 'everyone' AND"
                     f" channel_id {'' if member else 'NOT'} IN (SELECT channel_id FROM members WHERE user_id = ?)"
                     " ORDER BY name", private, world.me)


def test_post_and_find_it_by_search_in_the_same_episode(world: Any) -> None:
    target = member_of(world, True)
    posted = world.call("conversations_add_message", {"channel_id": target["channel_id"],
                                                      "payload": "Zebra launch moved to Thursday"})
    row = world.row("SELECT * FROM messages WHERE ts = ?", posted["ts"])
    assert (row["channel_id"], row["user_id"], row["text"], row["thread_ts"]) == (
        target["channel_id"], world.me, "Zebra launch moved to Thursday", None)
    found = world.call("conversations_search_messages", {"search_query": "zebra LAUNCH"})
    assert [m["ts"] for m in found["messages"]] == [posted["ts"]] and found["total"] == 1
    assert found["messages"][0]["channel_name"] == target["name"]
    assert world.call("conversations_search_messages", {"search_query": "%"})["total"] == 0


def test_reply_in_a_thread_and_read_it(world: Any) -> None:
    root = world.row("SELECT m.* FROM messages m JOIN members k ON k.channel_id = m.channel_id AND k.user_id = ?"
                     " JOIN channels c ON c.channel_id = m.channel_id WHERE c.is_archived = 0 AND"
                     " c.posting = 'everyone' AND m.thread_ts IS NULL ORDER BY m.ts", world.me)
    world.call("conversations_add_message", {"channel_id": root["channel_id"], "payload": "Done", "thread_ts": root["ts"]})
    thread = world.call("conversations_replies", {"channel_id": root["channel_id"], "thread_ts": root["ts"]})
    assert thread["messages"][0]["ts"] == root["ts"] and thread["messages"][-1]["text"] == "Done"


def test_posting_rules(env: Any, world: Any) -> None:
    outside = member_of(world, False)
    assert fails(env, world, "conversations_add_message", {"channel_id": outside["channel_id"], "payload": "hi"}) == (
        f"not_in_channel: you are not a member of #{outside['name']}; conversations_join it first")
    archived = channel(world, "proj-atlas")
    assert fails(env, world, "conversations_add_message", {"channel_id": archived, "payload": "hi"}) == (
        "is_archived: #proj-atlas is archived and accepts no messages")
    assert fails(env, world, "conversations_join", {"channel_id": archived}) == (
        "is_archived: #proj-atlas is archived and accepts no messages")
    if world.row("SELECT 1 FROM members WHERE channel_id = ? AND user_id = ?", channel(world, "announcements"),
                 world.me):
        assert fails(env, world, "conversations_add_message", {"channel_id": channel(world, "announcements"),
                                                               "payload": "hi"}) == (
            "restricted_action: only workspace admins can post in #announcements")
    hidden = channel(world, "leadership")
    assert fails(env, world, "conversations_history", {"channel_id": hidden}) == (
        f"channel_not_found: no channel '{hidden}' you can see; channels_list shows the ids")
    assert fails(env, world, "conversations_leave", {"channel_id": channel(world, "general")}) == (
        "cant_leave_general: everybody stays in #general")
    assert "limit must be between 1 and 200" in fails(env, world, "conversations_history",
                                                      {"channel_id": channel(world, "general"), "limit": 500})
    assert world_set(ENV)(0).tools["conversations_history"][1].parameters["properties"]["limit"]["maximum"] == 200


def test_join_leave_topic_and_reactions_change_state(env: Any, world: Any) -> None:
    target = member_of(world, False)
    joined = world.call("conversations_join", {"channel_id": target["channel_id"]})
    assert joined["channel"]["is_member"] is True
    assert world.value("SELECT subtype FROM messages WHERE channel_id = ? ORDER BY ts DESC", target["channel_id"]) \
        == "channel_join"
    assert fails(env, world, "conversations_join", {"channel_id": target["channel_id"]}) == (
        f"already_in_channel: you are already a member of #{target['name']}")
    world.call("conversations_set_topic", {"channel_id": target["channel_id"], "topic": "Launch week"})
    assert world.value("SELECT topic FROM channels WHERE channel_id = ?", target["channel_id"]) == "Launch week"
    ts = world.value("SELECT ts FROM messages WHERE channel_id = ? AND subtype IS NULL ORDER BY ts", target["channel_id"])
    world.call("reactions_add", {"channel_id": target["channel_id"], "ts": ts, "name": "zap"})
    assert world.row("SELECT 1 FROM reactions WHERE ts = ? AND name = 'zap' AND user_id = ?", ts, world.me)
    assert fails(env, world, "reactions_add", {"channel_id": target["channel_id"], "ts": ts, "name": "zap"}) == (
        "already_reacted: you already reacted with :zap: to that message")
    world.call("conversations_leave", {"channel_id": target["channel_id"]})
    assert not world.row("SELECT 1 FROM members WHERE channel_id = ? AND user_id = ?", target["channel_id"], world.me)


def test_reaction_task_gold_earns_one_and_a_wrong_emoji_zero(env: Any) -> None:
    task = scenario_task(env, "react_to_message")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "name": "skull"})]) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    assert_answer_is_graded(env, scenario_task(env, "who_said_it"))
