"""Behaviour of the ResendEmailService environment: verified domains, scheduling, batches, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "ResendEmailService"


def verified(world: Any) -> str:
    return world.value("SELECT name FROM domains WHERE status = 'verified' ORDER BY name")


def scheduled(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM emails WHERE last_event = 'scheduled' ORDER BY id")


def test_send_and_get_email(world: Any) -> None:
    sender = f"Acme <hi@{verified(world)}>"
    result = world.call("send_email", {"to": ["A@example.com"], "subject": "Hi", "from_email": sender, "text": "yo",
                                       "cc": ["c@example.com"]})
    got = world.call("get_email", {"email_id": result["id"]})
    assert (got["to"], got["cc"], got["from_email"], got["last_event"], got["created_at"]) == (
        ["a@example.com"], ["c@example.com"], sender, "sent", "2026-03-02T09:00")


def test_unverified_domain_and_missing_body_are_refused(env: Any, world: Any) -> None:
    pending = world.value("SELECT name FROM domains WHERE status = 'pending'")
    args = {"to": ["a@example.com"], "subject": "Hi", "from_email": f"x@{pending}", "text": "t"}
    assert fails(env, world, "send_email", args) == (
        f"validation_error: The {pending} domain is not verified. Please, add and verify your domain "
        "(create_domain, verify_domain) before sending from it")
    no_body = {**args, "from_email": f"x@{verified(world)}", "text": None}
    assert fails(env, world, "send_email", no_body) == "validation_error: Missing `html` or `text` field."


def test_schedule_reschedule_and_cancel(env: Any, world: Any) -> None:
    args = {"to": ["a@example.com"], "subject": "Later", "from_email": f"x@{verified(world)}", "text": "t"}
    assert fails(env, world, "send_email", {**args, "scheduled_at": "2026-03-01T10:00"}) == (
        "validation_error: scheduled_at must be in the future (now is 2026-03-02T09:00)")
    assert fails(env, world, "send_email", {**args, "scheduled_at": "2026-05-01T10:00"}) == (
        "validation_error: scheduled_at can be at most 30 days from now")
    email = scheduled(world)
    assert world.call("update_email", {"email_id": email["id"], "scheduled_at": "2026-03-10T08:00"}) == {
        "id": email["id"], "scheduled_at": "2026-03-10T08:00", "last_event": "scheduled"}
    world.call("cancel_email", {"email_id": email["id"]})
    assert world.value("SELECT last_event FROM emails WHERE id = ?", email["id"]) == "canceled"
    assert fails(env, world, "update_email", {"email_id": email["id"], "scheduled_at": "2026-03-11T08:00"}) == (
        f"validation_error: email {email['id']} was cancelled; send a new one instead")
    sent = world.value("SELECT id FROM emails WHERE last_event = 'delivered'")
    assert fails(env, world, "cancel_email", {"email_id": sent}) == (
        f"validation_error: email {sent} was not scheduled or has already been sent (last event: delivered); "
        "only scheduled emails can be changed")


def test_batch_is_all_or_nothing(env: Any, world: Any) -> None:
    good = {"from_email": f"x@{verified(world)}", "to": ["a@example.com"], "subject": "s", "text": "t"}
    before = world.value("SELECT COUNT(*) FROM emails")
    message = fails(env, world, "send_batch_emails", {"emails": [good, {**good, "from_email": "x@gmail.com"}]})
    assert message == ("emails[1]: validation_error: The gmail.com domain is not verified. Please, add and verify your"
                       " domain (create_domain, verify_domain) before sending from it; nothing in the batch was sent")
    result = world.call("send_batch_emails", {"emails": [good, {**good, "to": ["b@example.com"]}]})
    assert len(result["data"]) == 2 and world.value("SELECT COUNT(*) FROM emails") == before + 2


def test_domain_lifecycle(env: Any, world: Any) -> None:
    created = world.call("create_domain", {"name": "news.example.com", "region": "eu-west-1"})
    assert (created["status"], created["region"]) == ("not_started", "eu-west-1")
    assert world.call("verify_domain", {"domain_id": created["id"]})["status"] == "pending"
    assert fails(env, world, "create_domain", {"name": "news.example.com"}) == (
        "validation_error: the domain news.example.com is already registered; list_domains shows it")


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["send_batch_emails"][1].parameters["properties"]["emails"]["maxItems"] == 100
    assert tools["list_emails"][1].parameters["properties"]["limit"]["maximum"] == 100


def test_gold_earns_one_and_wrong_email_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "reschedule", lambda t: t.seed == 0)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, args = calls[-1]
    other = world.value("SELECT id FROM emails WHERE last_event = 'scheduled' AND id != ? ORDER BY id",
                        args["email_id"])
    assert play(env, task.id, [(name, {**args, "email_id": other})]) == 0.0
