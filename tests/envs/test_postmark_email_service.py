"""Behaviour of the PostmarkEmailService environment: signatures, streams, inactive recipients, batches, opens."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "PostmarkEmailService"


def signature(world: Any) -> str:
    return world.value("SELECT from_email FROM signatures WHERE confirmed = 1 ORDER BY from_email")


def inactive(world: Any, kind: str = "HardBounce") -> dict[str, Any]:
    return world.row("SELECT * FROM bounces WHERE inactive = 1 AND type = ? ORDER BY id", kind)


def test_send_and_find_it_by_subject_search(world: Any) -> None:
    result = world.call("send_email", {"to_email": "A@example.com", "subject": "Quarterly zebra update",
                                       "from_email": signature(world), "text_body": "hi", "tag": "digest"})
    assert (result["ErrorCode"], result["Message"], result["SubmittedAt"]) == (0, "OK", "2026-03-02T09:00:00Z")
    found = world.call("search_outbound_messages", {"subject": "zebra"})
    assert [m["MessageID"] for m in found] == [result["MessageID"]]
    assert found[0]["To"] == "a@example.com"


def test_sender_signature_stream_and_body_rules(env: Any, world: Any) -> None:
    unconfirmed = world.value("SELECT from_email FROM signatures WHERE confirmed = 0")
    args = {"to_email": "a@example.com", "subject": "s", "from_email": unconfirmed, "text_body": "t"}
    assert fails(env, world, "send_email", args) == (
        f"ErrorCode 400: The 'From' address you supplied ({unconfirmed}) is not a confirmed Sender Signature on your "
        "account. Add and confirm this address in order to use it in the 'From' field of your messages.")
    args["from_email"] = signature(world)
    assert fails(env, world, "send_email", {**args, "message_stream": "password-resets"}) == (
        "ErrorCode 1236: The message stream 'password-resets' is archived; unarchive it or use another")
    assert fails(env, world, "send_email", {**args, "text_body": None}) == (
        "ErrorCode 300: Provide either email TextBody or HtmlBody or both.")


def test_inactive_recipient_until_reactivated(env: Any, world: Any) -> None:
    bounce = inactive(world)
    args = {"to_email": bounce["email"], "subject": "s", "from_email": signature(world), "text_body": "t"}
    assert fails(env, world, "send_email", args).startswith("ErrorCode 406: You tried to send to recipient(s) that "
                                                            "have been marked as inactive")
    activated = world.call("activate_bounce", {"bounce_id": bounce["id"]})
    assert (activated["Inactive"], activated["CanActivate"]) == (False, False)
    assert world.call("send_email", args)["ErrorCode"] == 0
    assert fails(env, world, "activate_bounce", {"bounce_id": bounce["id"]}) == (
        f"ErrorCode 702: the address of bounce {bounce['id']} ({bounce['email']}) is already active")
    spam = inactive(world, "SpamComplaint")
    assert fails(env, world, "activate_bounce", {"bounce_id": spam["id"]}) == (
        f"ErrorCode 703: {spam['email']} marked a message as spam; Postmark does not allow reactivating spam "
        "complaints")


def test_batch_reports_each_message(world: Any) -> None:
    bounce = inactive(world)
    good = {"to_email": "a@example.com", "subject": "s", "from_email": signature(world), "text_body": "t"}
    before = world.value("SELECT COUNT(*) FROM messages")
    results = world.call("send_email_batch", {"messages": [good, {**good, "to_email": bounce["email"]}]})["results"]
    assert [r["ErrorCode"] for r in results] == [0, 406]
    assert world.value("SELECT COUNT(*) FROM messages") == before + 1


def test_stats_and_opens(env: Any, world: Any) -> None:
    stats = world.call("get_outbound_stats", {"tag": "receipt"})
    assert stats["Sent"] == world.value("SELECT COUNT(*) FROM messages WHERE tag = 'receipt'")
    assert fails(env, world, "get_outbound_stats", {"from_date": "2026-02-10", "to_date": "2026-02-01"}) == (
        "to_date must not be before from_date")
    message = world.value("SELECT message_id FROM opens GROUP BY message_id HAVING COUNT(*) >= 2 ORDER BY message_id")
    opens = world.call("get_message_opens", {"message_id": message})
    assert opens["total_count"] >= 2 and [o["FirstOpen"] for o in opens["opens"]].count(True) == 1
    untracked = world.value("SELECT message_id FROM messages WHERE track_opens = 0 ORDER BY message_id")
    assert fails(env, world, "get_message_opens", {"message_id": untracked}) == (
        f"open tracking was off for message {untracked}, so no opens were recorded")


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["send_email_batch"][1].parameters["properties"]["messages"]["maxItems"] == 500
    assert tools["get_bounces"][1].parameters["properties"]["count"]["maximum"] == 500


def test_gold_earns_one_and_skipping_reactivation_zero(env: Any) -> None:
    task = scenario_task(env, "reactivate_and_resend", lambda t: not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, [calls[0], calls[2]]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    assert_answer_is_graded(env, scenario_task(env, "first_open"))
