"""Behaviour of the WhatsApp environment: sending, receipts, groups and admins, deletion rules, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "WhatsApp"


def me(world: Any) -> str:
    return world.value("SELECT phone FROM profile")


def person(world: Any, registered: bool = True) -> dict[str, Any]:
    return world.row("SELECT * FROM people WHERE saved_name IS NOT NULL AND (push_name IS NOT NULL) = ?"
                     " ORDER BY phone", int(registered))


def group(world: Any, admin: int) -> dict[str, Any]:
    return world.row("SELECT g.* FROM groups g JOIN members m ON m.group_id = g.group_id AND m.phone = ?"
                     " WHERE m.is_admin = ? ORDER BY g.group_id", me(world), admin)


def test_send_text_adds_a_message_and_opens_the_chat(world: Any) -> None:
    friend = person(world)
    seeded = world.value("SELECT COUNT(*) FROM messages")
    sent = world.call("whatsapp_send_text_message", {"phone": friend["phone"], "message": "Ferry leaves at 8:15"})
    assert sent == {"message_id": sent["message_id"], "phone": friend["phone"], "type": "text", "status": "sent",
                    "timestamp": "2026-03-02T09:00"}
    assert world.value("SELECT COUNT(*) FROM messages") == seeded + 1
    row = world.row("SELECT * FROM messages WHERE message_id = ?", sent["message_id"])
    assert (row["chat_id"], row["sender"], row["body"], row["status"]) == (
        friend["phone"], me(world), "Ferry leaves at 8:15", "sent")
    assert world.row("SELECT * FROM chats WHERE chat_id = ?", friend["phone"])["last_activity"] == "2026-03-02T09:00"
    found = world.call("whatsapp_search_messages", {"query": "ferry leaves"})["messages"]
    assert [m["message_id"] for m in found] == [sent["message_id"]]
    assert found[0]["from_me"] is True and found[0]["sender_name"] is None


def test_sending_rules_have_clear_errors(env: Any, world: Any) -> None:
    stranger = person(world, registered=False)
    assert fails(env, world, "whatsapp_send_text_message", {"phone": stranger["phone"], "message": "hi"}) == (
        f"{stranger['phone']} is not on WhatsApp; check numbers with whatsapp_check_phone")
    assert fails(env, world, "whatsapp_send_image", {"phone": person(world)["phone"],
                                                     "image_path": "/sdcard/notes.pdf"}) == (
        "'/sdcard/notes.pdf' is not an image (.jpg, .jpeg, .png, .webp); send it with whatsapp_send_file instead")
    assert "pattern" in fails(env, world, "whatsapp_send_text_message", {"phone": "0044 77", "message": "hi"})
    assert world.call("whatsapp_check_phone", {"phone": stranger["phone"]}) == {
        "phone": stranger["phone"], "is_registered": False, "is_valid": True}
    assert world.call("whatsapp_check_phone", {"phone": "12345"})["is_valid"] is False


def test_admin_only_actions_and_settings(env: Any, world: Any) -> None:
    member_of = group(world, 0)
    outsider = person(world)["phone"]
    assert fails(env, world, "whatsapp_add_group_participants",
                 {"group_id": member_of["group_id"], "participants": [outsider]}) == (
        f"only admins of '{member_of['name']}' can add participants; ask one of its admins")
    restricted = world.row("SELECT g.* FROM groups g JOIN members m ON m.group_id = g.group_id AND m.phone = ?"
                           " WHERE m.is_admin = 0 AND g.only_admins_edit = 1", me(world))
    if restricted:
        assert fails(env, world, "whatsapp_update_group_name", {"group_id": restricted["group_id"], "name": "X"}) == (
            f"only admins of '{restricted['name']}' can edit the group info; ask one of its admins")
    left = world.row("SELECT * FROM groups WHERE group_id NOT IN (SELECT group_id FROM members WHERE phone = ?)",
                     me(world))
    assert fails(env, world, "whatsapp_send_text_message", {"phone": left["group_id"], "message": "hello"}) == (
        f"you are not a participant of '{left['name']}' any more")


def test_admin_adds_and_removes_participants(world: Any) -> None:
    mine = group(world, 1)
    inside = {r["phone"] for r in world.rows("SELECT phone FROM members WHERE group_id = ?", mine["group_id"])}
    newcomer = world.value("SELECT phone FROM people WHERE push_name IS NOT NULL AND phone NOT IN (%s) ORDER BY phone"
                           % ",".join("?" * len(inside)), *inside)
    stranger = person(world, registered=False)["phone"]
    added = world.call("whatsapp_add_group_participants",
                       {"group_id": mine["group_id"], "participants": [newcomer, stranger]})
    assert added == {"group_id": mine["group_id"], "added_participants": [newcomer], "failed_participants": [stranger]}
    removed = world.call("whatsapp_remove_group_participants",
                         {"group_id": mine["group_id"], "participants": [newcomer, me(world)]})
    assert removed == {"group_id": mine["group_id"], "removed_participants": [newcomer],
                       "failed_participants": [me(world)]}
    assert world.value("SELECT COUNT(*) FROM members WHERE group_id = ?", mine["group_id"]) == len(inside)


def test_last_admin_leaving_promotes_the_longest_member(world: Any) -> None:
    mine = world.row("SELECT g.* FROM groups g WHERE (SELECT COUNT(*) FROM members m WHERE m.group_id = g.group_id"
                     " AND m.is_admin = 1) = 1 AND EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.group_id"
                     " AND m.phone = ? AND m.is_admin = 1)", me(world))
    if mine is None:
        return
    heir = world.value("SELECT phone FROM members WHERE group_id = ? AND phone != ? ORDER BY joined_at, phone",
                       mine["group_id"], me(world))
    assert world.call("whatsapp_leave_group", {"group_id": mine["group_id"]}) == {
        "group_id": mine["group_id"], "left": True, "new_admin": heir}
    assert world.value("SELECT is_admin FROM members WHERE group_id = ? AND phone = ?", mine["group_id"], heir) == 1


def test_create_group_limits_and_state(env: Any, world: Any) -> None:
    friend = person(world)["phone"]
    long = fails(env, world, "whatsapp_create_group", {"name": "x" * 26, "participants": [friend]})
    assert long.startswith("invalid arguments for 'whatsapp_create_group': name:")
    schema = world_set(ENV)(0).tools["whatsapp_update_group_description"][1].parameters
    assert schema["properties"]["description"]["maxLength"] == 512
    made = world.call("whatsapp_create_group", {"name": "Ski Weekend", "participants": [friend]})
    info = world.call("whatsapp_get_group_info", {"group_id": made["group_id"]})
    assert [(p["phone"], p["is_admin"]) for p in info["participants"]] == [(me(world), True), (friend, False)]
    assert world.row("SELECT archived, is_group FROM chats WHERE chat_id = ?", made["group_id"]) == {
        "archived": 0, "is_group": 1}


def test_delete_for_everyone_only_own_recent_messages(env: Any, world: Any) -> None:
    friend = person(world)["phone"]
    sent = world.call("whatsapp_send_text_message", {"phone": friend, "message": "wrong chat, sorry"})
    old = world.row("SELECT * FROM messages WHERE sender = ? ORDER BY timestamp", me(world))
    theirs = world.row("SELECT * FROM messages WHERE sender != ? ORDER BY timestamp", me(world))
    assert fails(env, world, "whatsapp_delete_message", {"phone": old["chat_id"], "message_id": old["message_id"],
                                                         "for_everyone": True}) == (
        "messages can be deleted for everyone only within 60 hours of sending; delete it for you instead")
    assert fails(env, world, "whatsapp_delete_message", {"phone": theirs["chat_id"],
                                                         "message_id": theirs["message_id"], "for_everyone": True}) == (
        "only your own messages can be deleted for everyone; delete it for you instead")
    world.call("whatsapp_delete_message", {"phone": friend, "message_id": sent["message_id"], "for_everyone": True})
    row = world.row("SELECT type, body, hidden FROM messages WHERE message_id = ?", sent["message_id"])
    assert row == {"type": "revoked", "body": "This message was deleted", "hidden": 0}


def test_mark_read_sends_receipts(env: Any, world: Any) -> None:
    chat = world.value("SELECT chat_id FROM messages WHERE status = 'delivered' AND sender != ? ORDER BY chat_id",
                       me(world))
    result = world.call("whatsapp_mark_message_read", {"phone": chat})
    assert result["marked_read"] is True and result["messages_marked"] >= 1
    assert fails(env, world, "whatsapp_mark_message_read", {"phone": chat}) == (
        f"no unread messages in the chat with {chat}")


def test_archive_moves_the_chat_between_lists(env: Any, world: Any) -> None:
    chat = world.value("SELECT chat_id FROM chats WHERE archived = 0 ORDER BY chat_id")
    assert world.call("whatsapp_archive_chat", {"phone": chat, "archive": True}) == {"phone": chat, "archived": True}
    assert chat in [c["phone"] for c in world.call("whatsapp_list_chats", {"archived": True, "limit": 100})["chats"]]
    assert fails(env, world, "whatsapp_archive_chat", {"phone": chat}) == f"the chat with {chat} is already archived"


def test_gold_earns_one_and_a_wrong_recipient_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "share_photo")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    other = world.value("SELECT phone FROM people WHERE push_name IS NOT NULL AND phone != ? ORDER BY phone",
                        calls[1][1].get("phone", ""))
    env.reset(options={"task_id": task.id})
    assert play(env, task.id, [calls[0], ("whatsapp_send_image", {**calls[1][1], "phone": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
