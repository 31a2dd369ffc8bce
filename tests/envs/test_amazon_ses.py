"""Behaviour of the AmazonSES environment: verified senders, the sandbox, quota, templates, suppression, rewards."""

from __future__ import annotations

import json
from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "AmazonSES"


def sender(world: Any) -> str:
    return world.value("SELECT DISTINCT source FROM messages ORDER BY source")


def verified_person(world: Any) -> str:
    return world.value("SELECT identity FROM identities WHERE identity_type = 'EmailAddress' AND verification_status"
                       " = 'Success' AND identity NOT IN (SELECT email_address FROM suppressed) ORDER BY identity")


def test_send_email_records_message_quota_and_statistics(world: Any) -> None:
    before = world.call("get_send_quota", {})["SentLast24Hours"]
    to = verified_person(world)
    result = world.call("send_email", {"source": sender(world), "to_addresses": [to], "subject": "Hello",
                                       "body_text": "Hi there"})
    row = world.row("SELECT * FROM messages WHERE message_id = ?", result["MessageId"])
    assert row == {"message_id": result["MessageId"], "source": sender(world), "to_address": to, "subject": "Hello",
                   "kind": "Simple", "template_name": None, "status": "Sent", "sent_at": "2026-03-02T09:00:00Z"}
    assert world.call("get_send_quota", {})["SentLast24Hours"] == before + 1
    points = world.call("get_send_statistics", {})["SendDataPoints"]
    assert points[-1]["Timestamp"] == "2026-03-02T09:00:00Z" and points[-1]["DeliveryAttempts"] >= 1


def test_unverified_sender_and_sandbox_recipient_are_rejected(env: Any, world: Any) -> None:
    message = fails(env, world, "send_email", {"source": "ceo@unknown-example.org", "to_addresses": ["a@b.com"],
                                               "subject": "x", "body_text": "y"})
    assert message == ("MessageRejected: Email address is not verified. The following identities failed the check in "
                       "region US-EAST-1: ceo@unknown-example.org. Verify it (verify_email_identity) first")
    world.conn.execute("UPDATE account SET sandbox = 1")
    message = fails(env, world, "send_email", {"source": sender(world), "to_addresses": ["stranger@nowhere-x.com"],
                                               "subject": "x", "body_text": "y"})
    assert message == ("MessageRejected: the account is in the sandbox, so recipients must be verified; these "
                       "identities failed the check in region US-EAST-1: stranger@nowhere-x.com")


def test_daily_quota_is_enforced(env: Any, world: Any) -> None:
    world.conn.execute("UPDATE account SET sent_last_24h = 200")
    message = fails(env, world, "send_email", {"source": sender(world), "to_addresses": [verified_person(world)],
                                               "subject": "x", "body_text": "y"})
    assert message == "Throttling: Daily message quota exceeded (200 of 200 sent in the last 24 hours)"


def test_templated_email_needs_every_variable(env: Any, world: Any) -> None:
    args = {"source": sender(world), "to_addresses": [verified_person(world)], "template": "OrderShipped"}
    message = fails(env, world, "send_templated_email", {**args, "template_data": '{"order_id": "A-1"}'})
    assert message == "InvalidRenderingParameter: template OrderShipped needs a value for carrier in template_data"
    assert fails(env, world, "send_templated_email", {**args, "template": "Nope"}) == (
        "TemplateDoesNotExist: Template Nope does not exist; list_templates shows the stored ones")
    result = world.call("send_templated_email", {**args, "template_data": json.dumps({"order_id": "A-1",
                                                                                        "carrier": "UPS"})})
    assert world.value("SELECT subject FROM messages WHERE message_id = ?", result["MessageId"]) == (
        "Order A-1 has shipped")


def test_verify_identity_and_attributes(env: Any, world: Any) -> None:
    assert world.call("verify_email_identity", {"email_address": "New.Sender@Example.com"}) == {
        "identity": "new.sender@example.com", "status": "Pending"}
    attrs = world.call("get_identity_verification_attributes", {"identities": ["new.sender@example.com", "x.org"]})
    assert attrs == {"VerificationAttributes": {"new.sender@example.com": {"VerificationStatus": "Pending"}}}
    assert fails(env, world, "verify_email_identity", {"email_address": "new.sender@example.com"}) == (
        "new.sender@example.com is already pending verification; get_identity_verification_attributes shows its status")
    assert fails(env, world, "delete_identity", {"identity": "ghost@example.com"}) == (
        "no identity 'ghost@example.com' in this account; list_identities shows them")
    world.call("delete_identity", {"identity": "new.sender@example.com"})
    assert world.row("SELECT 1 FROM identities WHERE identity = 'new.sender@example.com'") is None


def test_suppression_list_and_template_creation(env: Any, world: Any) -> None:
    address = world.value("SELECT email_address FROM suppressed ORDER BY email_address")
    assert world.call("get_suppressed_destination", {"email_address": address})["email_address"] == address
    world.call("delete_suppressed_destination", {"email_address": address})
    assert fails(env, world, "get_suppressed_destination", {"email_address": address}) == (
        f"NotFoundException: {address} is not on the suppression list")
    world.call("create_template", {"template_name": "Promo", "subject_part": "Hi {{name}}", "text_part": "Deal"})
    assert fails(env, world, "create_template", {"template_name": "Promo", "subject_part": "a", "text_part": "b"}) == (
        "AlreadyExists: template Promo already exists; pick another name")


def test_schema_shows_limits_and_user_known_inputs() -> None:
    tools = world_set(ENV)(0).tools
    to = tools["send_email"][1].parameters["properties"]["to_addresses"]
    assert to["maxItems"] == 50 and to["minItems"] == 1
    assert "source" in tools["send_email"][1].user_known


def test_gold_earns_one_and_wrong_recipient_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "templated_send", lambda t: t.seed == 0)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, args = calls[0]
    other = world.value("SELECT identity FROM identities WHERE identity_type = 'EmailAddress' AND verification_status"
                        " = 'Success' AND identity != ? ORDER BY identity", args["to_addresses"][0])
    assert play(env, task.id, [(name, {**args, "to_addresses": [other]})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer() -> None:
    import gymnasium as gym
    env = gym.make(f"EnvFactory/{ENV}-v0", split=None).unwrapped
    assert_answer_is_graded(env, scenario_task(env, "domain_token"))
