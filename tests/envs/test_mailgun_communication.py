"""Behaviour of the MailgunCommunication environment: domain states, suppressions, events, stats, validation."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "MailgunCommunication"


def active(world: Any) -> str:
    return world.value("SELECT name FROM domains WHERE state = 'active' ORDER BY name")


def test_send_writes_message_and_accepted_event(world: Any) -> None:
    domain = active(world)
    result = world.call("send_email", {"to_email": "Fresh.Person@example.com", "subject": "Hi", "text": "Hello",
                                       "from_email": f"team@{domain}", "tags": ["promo"]})
    assert result["message"] == "Queued. Thank you." and result["id"].endswith(f"@{domain}>")
    row = world.row("SELECT * FROM messages WHERE message_id = ?", result["id"])
    assert (row["to_email"], row["tags"], row["sent_at"]) == ("fresh.person@example.com", "promo",
                                                              "2026-03-02 09:00:00")
    events = world.call("get_events", {"domain": domain, "recipient": "fresh.person@example.com"})
    assert [e["event"] for e in events["items"]] == ["accepted"] and events["paging"]["total"] == 1


def test_suppressed_recipient_is_accepted_then_fails(world: Any) -> None:
    row = world.row("SELECT * FROM suppressions WHERE kind = 'bounces' ORDER BY address")
    result = world.call("send_email", {"to_email": row["address"], "subject": "Hi", "text": "x",
                                       "from_email": f"team@{row['domain']}"})
    events = world.rows("SELECT event, reason FROM events WHERE message_id = ? ORDER BY event", result["id"])
    assert events == [{"event": "accepted", "reason": ""}, {"event": "failed", "reason": "suppress-bounce"}]
    world.call("delete_suppression", {"domain": row["domain"], "address": row["address"], "kind": "bounces"})
    assert world.row("SELECT 1 FROM suppressions WHERE domain = ? AND address = ? AND kind = 'bounces'",
                     row["domain"], row["address"]) is None


def test_unverified_domain_cannot_send_until_verified(env: Any, world: Any) -> None:
    ready = world.value("SELECT name FROM domains WHERE state = 'unverified' AND dns_records_valid = 1")
    broken = world.value("SELECT name FROM domains WHERE state = 'unverified' AND dns_records_valid = 0")
    args = {"to_email": "a@example.com", "subject": "Hi", "text": "x", "from_email": f"hello@{ready}"}
    assert fails(env, world, "send_email", args) == (
        f"Domain {ready} is unverified: it cannot send until its DNS records are verified (verify_domain)")
    assert fails(env, world, "verify_domain", {"domain": broken}) == (
        f"Domain {broken} is still unverified: the TXT record v=spf1 include:mailgun.org ~all and the DKIM record "
        f"k1._domainkey.{broken} were not found in DNS; add them at your DNS provider and verify again")
    assert world.call("verify_domain", {"domain": ready})["state"] == "active"
    world.call("send_email", args)
    assert fails(env, world, "verify_domain", {"domain": ready}) == f"Domain {ready} is already active"
    assert fails(env, world, "get_events", {"domain": "nope.example.com"}) == (
        "Domain not found: nope.example.com; list_domains shows the account's domains")


def test_validation_suggests_typos_and_flags_bounced(world: Any) -> None:
    typo = world.call("validate_email", {"email": "jo@gmial.com"})
    assert (typo["is_valid"], typo["did_you_mean"], typo["risk"]) == (False, "jo@gmail.com", "high")
    bounced = world.value("SELECT address FROM suppressions WHERE kind = 'bounces'")
    assert world.call("validate_email", {"email": bounced})["mailbox_verification"] == "false"
    role = world.call("validate_email", {"email": "support@gmail.com"})
    assert (role["is_valid"], role["is_role_address"], role["risk"]) == (True, True, "medium")


def test_stats_count_events_per_day(world: Any) -> None:
    domain = active(world)
    stats = world.call("get_stats", {"domain": domain, "event_types": ["delivered"], "days": 30})
    expected = world.value("SELECT COUNT(*) FROM events WHERE domain = ? AND event = 'delivered'"
                           " AND timestamp >= '2026-02-01'", domain)
    assert stats["total_stats"] == {"delivered": expected}


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["get_events"][1].parameters["properties"]["limit"]["maximum"] == 300
    assert tools["send_email"][1].parameters["properties"]["tags"]["maxItems"] == 3


def test_gold_earns_one_and_wrong_path_zero(env: Any) -> None:
    task = scenario_task(env, "unsuppress_resend")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:1] + calls[2:]) == 0.0
