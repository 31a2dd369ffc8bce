"""Behaviour of the Message environment: the login session, contacts, sending, reading, deleting and rewards."""

from __future__ import annotations

from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "Message"


def user_with_contact(world: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A user and one of their contacts."""
    pair = world.row("SELECT owner_id, contact_id FROM contacts ORDER BY owner_id, contact_id")
    return (world.row("SELECT * FROM users WHERE user_id = ?", pair["owner_id"]),
            world.row("SELECT * FROM users WHERE user_id = ?", pair["contact_id"]))


def log_in(world: Any, user_id: str) -> None:
    world.call("login", {"user_id": user_id})


def test_tools_need_a_login_and_the_session_lives_in_a_table(world: Any) -> None:
    with pytest.raises(ToolError) as error:
        world.call("view_inbox", {})
    assert str(error.value) == "you are not logged in; call login with your user id first (get_user_id finds it)"
    me, friend = user_with_contact(world)
    assert world.call("get_user_id", {"username": "@" + me["username"].upper()})["user_id"] == me["user_id"]
    log_in(world, me["user_id"])
    assert world.value("SELECT user_id FROM session") == me["user_id"]
    assert world.call("check_login_status", {}) == {"is_logged_in": True, "user_id": me["user_id"],
                                                     "username": me["username"]}
    with pytest.raises(ToolError) as switch:
        log_in(world, friend["user_id"])
    assert str(switch.value) == f"already logged in as '{me['username']}'; call logout first to switch accounts"
    world.call("logout", {})
    assert world.value("SELECT user_id FROM session") is None
    with pytest.raises(ToolError, match="^you are not logged in"):
        world.call("logout", {})


def test_send_message_to_a_contact_stores_an_unread_message(world: Any) -> None:
    me, friend = user_with_contact(world)
    log_in(world, me["user_id"])
    when = world.now().strftime("%Y-%m-%d %H:%M")
    sent = world.call("send_message", {"receiver_id": friend["user_id"], "message": "  See you at 6!  "})
    row = world.row("SELECT * FROM messages WHERE message_id = ?", sent["message_id"])
    assert (row["sender_id"], row["receiver_id"], row["body"], row["is_read"]) == (
        me["user_id"], friend["user_id"], "See you at 6!", 0)
    assert row["sent_at"] == sent["sent_at"] == when
    assert world.value("SELECT tbl FROM _generated WHERE value = ?", sent["message_id"]) == "messages"
    assert world.call("view_sent_messages", {"receiver_id": friend["user_id"], "limit": 1})[0]["message_id"] == (
        sent["message_id"])


def test_sending_to_a_non_contact_is_refused_until_they_are_added(env: Any, world: Any) -> None:
    me, _ = user_with_contact(world)
    stranger = world.row("SELECT * FROM users WHERE user_id != ?1 AND user_id NOT IN"
                         " (SELECT contact_id FROM contacts WHERE owner_id = ?1) ORDER BY user_id", me["user_id"])
    log_in(world, me["user_id"])
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("send_message", {"receiver_id": stranger["user_id"], "message": "Hi"})
    assert str(error.value) == f"{stranger['username']} is not in your contacts; add them with add_contact first"
    with pytest.raises(ToolError) as unknown:
        world.call("send_message", {"receiver_id": "u_nobody", "message": "Hi"})
    assert str(unknown.value) == "receiver_id 'u_nobody' is not a user id; get_user_id or list_users finds user ids"
    assert env.state_digest() == before
    added = world.call("add_contact", {"username": stranger["username"]})
    assert added["user_id"] == stranger["user_id"]
    with pytest.raises(ToolError, match=f"^{stranger['username']} is already in your contacts$"):
        world.call("add_contact", {"username": stranger["username"]})
    world.call("send_message", {"receiver_id": stranger["user_id"], "message": "Hi"})


def test_remove_contact(world: Any) -> None:
    me, friend = user_with_contact(world)
    log_in(world, me["user_id"])
    world.call("remove_contact", {"username": friend["username"]})
    assert friend["user_id"] not in [c["user_id"] for c in world.call("list_contacts", {})]
    with pytest.raises(ToolError) as error:
        world.call("remove_contact", {"username": friend["username"]})
    assert str(error.value) == f"{friend['username']} is not in your contacts; list_contacts shows them"


def test_inbox_shows_previews_and_get_message_the_full_text(world: Any) -> None:
    message = world.row("SELECT * FROM messages WHERE length(body) > 30 ORDER BY message_id")
    log_in(world, message["receiver_id"])
    listed = next(m for m in world.call("view_inbox", {"limit": 100}) if m["message_id"] == message["message_id"])
    assert listed["preview"] == message["body"][:24].rstrip() + "..." and "message" not in listed
    assert world.call("get_message", {"message_id": message["message_id"]})["message"] == message["body"]
    assert world.call("search_messages", {"keyword": "%"}) == []


def test_delete_hides_a_message_only_from_your_own_mailbox(env: Any, world: Any) -> None:
    message = world.row("SELECT * FROM messages ORDER BY message_id")
    outsider = world.value("SELECT user_id FROM users WHERE user_id NOT IN (?, ?) ORDER BY user_id",
                           message["sender_id"], message["receiver_id"])
    log_in(world, outsider)
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("delete_message", {"message_id": message["message_id"]})
    assert str(error.value) == (f"message {message['message_id']} is not in your mailbox; you can only access"
                                " messages you sent or received")
    with pytest.raises(ToolError, match="^no message with id 99999$"):
        world.call("delete_message", {"message_id": 99999})
    assert env.state_digest() == before
    world.call("logout", {})
    log_in(world, message["receiver_id"])
    world.call("delete_message", {"message_id": message["message_id"]})
    row = world.row("SELECT * FROM messages WHERE message_id = ?", message["message_id"])
    assert (row["deleted_by_receiver"], row["deleted_by_sender"]) == (1, 0)
    assert message["message_id"] not in [m["message_id"] for m in world.call("view_inbox", {"limit": 100})]
    world.call("logout", {})
    log_in(world, message["sender_id"])
    assert message["message_id"] in [m["message_id"] for m in world.call("view_sent_messages", {"limit": 100})]


def test_mark_as_read_is_atomic(env: Any, world: Any) -> None:
    me = world.value("SELECT receiver_id FROM messages WHERE is_read = 0 ORDER BY message_id")
    unread = [r["message_id"] for r in world.rows("SELECT message_id FROM messages WHERE receiver_id = ?"
                                                  " AND is_read = 0", me)]
    own = world.value("SELECT message_id FROM messages WHERE sender_id = ?", me)
    log_in(world, me)
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("mark_as_read", {"message_ids": [unread[0], own]})
    assert str(error.value) == f"message {own} was sent by you; only received messages can be marked read"
    assert env.state_digest() == before
    world.call("mark_as_read", {"message_ids": unread})
    assert world.call("view_inbox", {"unread_only": True}) == []
    assert world.call("get_message_stats", {})["unread"] == 0


def test_message_stats_count_both_directions(world: Any) -> None:
    me = world.value("SELECT sender_id FROM messages ORDER BY message_id")
    log_in(world, me)
    stats = world.call("get_message_stats", {"time_period": "all"})
    assert stats["total_sent"] == world.value("SELECT COUNT(*) FROM messages WHERE sender_id = ?", me)
    assert stats["total_received"] == world.value("SELECT COUNT(*) FROM messages WHERE receiver_id = ?", me)
    assert sum(stats["messages_by_contact"].values()) == stats["total_sent"] + stats["total_received"]


def test_gold_path_earns_one_and_messaging_someone_else_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "message_contact")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    me_id = world.value("SELECT user_id FROM users WHERE username = ?", task.gold[0]["arguments"]["username"])
    receiver = calls[-1][1]["receiver_id"]
    other = world.value("SELECT contact_id FROM contacts WHERE owner_id = ? AND contact_id != ? ORDER BY contact_id",
                        me_id, receiver)
    wrong = [*calls[:-1], ("send_message", {**calls[-1][1], "receiver_id": other})]
    assert play(env, task.id, wrong) == 0.0


def test_recovering_from_a_refused_send_still_earns_one(env: Any) -> None:
    task = scenario_task(env, "message_new_person")
    calls = gold_calls(task)
    assert play(env, task.id, [*calls[:2], calls[3], *calls[2:]]) == 1.0  # the early send is refused


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = scenario_task(env, "latest_from_friend")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="They wrote: " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, calls, answer="They sent you something.") == 0.0


def test_limits_are_declared_in_the_schema_and_enforced_before_the_body(env: Any, world: Any) -> None:
    from envfactory_gym.registration import world_set

    tools = world_set(ENV)(0).tools
    inbox = tools["view_inbox"][1].parameters["properties"]
    assert (inbox["limit"]["minimum"], inbox["limit"]["maximum"], inbox["offset"]["minimum"]) == (1, 100, 0)
    assert tools["send_message"][1].parameters["properties"]["message"]["maxLength"] == 1000
    assert tools["login"][1].user_known == frozenset()  # opaque ids are looked up by username, not known
    me, friend = user_with_contact(world)
    log_in(world, me["user_id"])
    assert fails(env, world, "view_inbox", {"limit": 0}) == (
        "invalid arguments for 'view_inbox': limit must be between 1 and 100")
    assert fails(env, world, "view_inbox", {"offset": -1}) == (
        "invalid arguments for 'view_inbox': offset: Input should be greater than or equal to 0")
    assert fails(env, world, "send_message", {"receiver_id": friend["user_id"], "message": "   "}) == (
        "invalid arguments for 'send_message': message must not be empty")
    assert fails(env, world, "search_messages", {"keyword": ""}) == (
        "invalid arguments for 'search_messages': keyword must not be empty")
    assert fails(env, world, "mark_as_read", {"message_ids": []}) == (
        "invalid arguments for 'mark_as_read': message_ids: List should have at least 1 item after validation, not 0")
    assert fails(env, world, "send_message", {"receiver_id": friend["user_id"], "message": "x" * 1001}) == (
        "invalid arguments for 'send_message': message: String should have at most 1000 characters")


def test_results_match_their_declared_returns(world: Any) -> None:
    def conforms(name: str, arguments: dict[str, Any]) -> Any:
        result = world.call(name, arguments)
        assert world.tools[name].nonconformity(result) is None, name
        return result

    assert conforms("check_login_status", {}) == {"is_logged_in": False, "user_id": None}
    me = world.value("SELECT receiver_id FROM messages ORDER BY message_id")
    conforms("login", {"user_id": me})
    conforms("check_login_status", {})
    listed = conforms("view_inbox", {"limit": 100})
    conforms("get_message", {"message_id": listed[0]["message_id"]})
    conforms("search_messages", {"keyword": "a"})
    conforms("view_sent_messages", {})
    conforms("get_message_stats", {"time_period": "all"})
    conforms("list_users", {"query": "a"})
    conforms("list_contacts", {})


def test_templates_live_beside_the_environment_in_their_order() -> None:
    from envfactory_gym.registration import templates

    assert list(templates(ENV)) == [
        "confirm_login", "latest_from_friend", "last_sent_to", "message_contact", "message_new_person",
        "delete_sent_message", "mark_friend_read", "unread_senders", "top_conversation", "clear_from_sender",
        "drop_contact", "reply_to_latest"]
    import envs.lifestyle.message as module

    assert not [n for n, v in vars(module.Message).items() if getattr(v, "__envfactory_scenario__", False)]
