"""Grading: end-state match, facts, partial credit."""

from __future__ import annotations

from collections import Counter

import pytest

from envfactory_gym.episode.answers import grade_facts, seen_values
from envfactory_gym.episode.reward import grade

EXPECTED = Counter({("added", "t", (("a", 1),)): 1, ("changed", "t", (("k", 2),), (("b", 3),)): 1})


def test_exact_match_with_facts_succeeds() -> None:
    result = grade(EXPECTED, Counter(EXPECTED), ["1,250.50 USD"], "It cost 1250.50 usd in total.")
    assert result.success and result.state_match and result.facts_found and result.partial == 1.0


def test_missing_change_fails_with_partial_credit() -> None:
    actual = Counter({("added", "t", (("a", 1),)): 1})
    result = grade(EXPECTED, actual, [], "")
    assert not result.success and result.partial == 0.5 and result.achieved_changes == 1
    assert len(result.missing_changes) == 1 and not result.unexpected_changes


def test_unexpected_change_costs_credit() -> None:
    actual = Counter(EXPECTED) + Counter({("removed", "t", (("z", 0),)): 1})
    result = grade(EXPECTED, actual, [], "")
    assert not result.success and result.partial == 0.5 and len(result.unexpected_changes) == 1


def test_missing_fact_fails() -> None:
    result = grade(Counter(), Counter(), ["Room B", "2026-03-13T09:00"], "It is in room b.")
    assert not result.success and result.state_match and result.missing_facts == ["2026-03-13T09:00"]
    assert result.partial == 0.5


def test_nothing_expected_and_nothing_done_is_success_only_without_facts() -> None:
    assert grade(Counter(), Counter(), [], "").success
    assert not grade(Counter(), Counter({("added", "t", ()): 1}), [], "").success


@pytest.mark.parametrize(("fact", "answer"), [
    ("2026-03-05T14:30", "It starts on March 5, 2026 at 2:30 PM."),
    ("2026-03-05T14:30", "2026-03-05 at 14:30"),
    ("2026-03-05", "on 5 March 2026"),
    ("14:30", "at 2:30pm"),
    ("1250.5", "about 1,250.50 in total"),
    ("full size", "It is a full-size bed."),
    ("in_progress", "The job is in progress."),
])
def test_facts_match_in_common_forms(fact: str, answer: str) -> None:
    assert grade_facts([fact], answer, {})[0].passed


def test_money_in_minor_units_matches_the_major_amount() -> None:
    seen = seen_values([{"amount": 7500, "currency": "cad"}, {"amount": 1200, "currency": "cad"}])
    (result,) = grade_facts(["7500"], "You were refunded 75.00 CAD.", seen, frozenset({"amount"}))
    assert result.passed and result.kind == "money"
    assert not grade_facts(["7500"], "You were refunded 75.00 CAD.", seen)[0].passed  # not declared: a number


def test_competing_values_of_the_same_field_fail_the_fact() -> None:
    seen = seen_values([[{"summary": "Retro", "start_time": "2026-03-05T14:30", "location": "Room A"},
                         {"summary": "Sync", "start_time": "2026-03-06T09:00", "location": "Room B"}]])
    honest = grade(Counter(), Counter(), ["2026-03-05T14:30", "Room A"], "Retro is on 2026-03-05 at 14:30 in Room A.",
                   seen)
    assert honest.success
    dump = grade(Counter(), Counter(), ["2026-03-05T14:30", "Room A"],
                 "Retro 2026-03-05T14:30 Room A; Sync 2026-03-06T09:00 Room B", seen)
    assert not dump.success and dump.missing_facts == ["2026-03-05T14:30", "Room A"]
    assert dump.as_dict()["facts"][1] == {"fact": "Room A", "kind": "text", "found": True, "competing": ["Room B"]}


def test_details_that_do_not_compete_are_allowed() -> None:
    seen = seen_values([{"summary": "Retro", "start_time": "2026-03-05T14:30", "calendar": "Work"},
                        {"summary": "Sync", "start_time": "2026-03-06T09:00", "calendar": "Work"}])
    assert grade(Counter(), Counter(), ["2026-03-05T14:30"], "Retro (Work calendar) starts 2026-03-05 14:30.",
                 seen).success


def test_an_insert_may_fill_a_field_the_request_left_open() -> None:
    expected = Counter({("added", "refunds", (("amount", 500), ("reason", None))): 1})
    with_reason = Counter({("added", "refunds", (("amount", 500), ("reason", "requested_by_customer"))): 1})
    assert grade(expected, with_reason, [], "").success
    wrong_amount = Counter({("added", "refunds", (("amount", 600), ("reason", None))): 1})
    assert not grade(expected, wrong_amount, [], "").success


# ------------------------------------------------------------------ the audit's cases, played on real environments
class _Script:
    """Plays a fixed list of actions (tool calls as dicts, messages as text)."""

    def __init__(self, *actions: object) -> None:
        self.actions = list(actions)

    def reset(self, env: object, info: object) -> None:
        pass

    def act(self, info: object) -> object:
        return self.actions.pop(0) if self.actions else "Done."


def _play(name: str, task: object, *actions: object) -> float:
    from envfactory_gym.agents import run_episode
    from envfactory_gym.episode.env import ToolUseEnv

    env = ToolUseEnv(name, tasks=[task])
    return run_episode(env, _Script(*actions), task.id).reward


def _task(name: str, seed: int, gold: list[dict[str, object]], facts: tuple[str, ...] = ()) -> object:
    from envfactory_gym.core.tasks import Task

    return Task(id=f"{name}-audit", env=name, seed=seed, split="test", request="(audit case)", gold=tuple(gold),
                answer_facts=facts)


def test_stripe_amount_stated_in_major_units_earns_1() -> None:
    from envfactory_gym.registration import world_set

    world = world_set("StripePaymentServer")(1).worlds["StripePaymentServer"]
    intent = world.rows("SELECT id, amount, currency FROM payment_intents ORDER BY amount = 7500 AND currency = 'cad'"
                        " DESC, id LIMIT 1")[0]
    look = {"name": "retrieve_payment_intent", "arguments": {"payment_intent_id": intent["id"]}}
    task = _task("StripePaymentServer", 1, [look], (str(intent["amount"]),))
    said = f"{intent['amount'] / 100:.2f} {intent['currency'].upper()}"  # "75.00 CAD"
    assert _play("StripePaymentServer", task, look, f"That payment was {said}.") == 1.0
    assert _play("StripePaymentServer", task, look, f"That payment was {intent['amount'] + 100} cents.") == 0.0


def test_logging_out_at_the_end_of_a_message_task_earns_1() -> None:
    from envfactory_gym.registration import world_set

    world = world_set("Message")(0).worlds["Message"]
    assert "session" in world.ungraded
    pair = world.rows("SELECT owner_id, contact_id FROM contacts ORDER BY owner_id, contact_id LIMIT 1")[0]
    gold = [{"name": "login", "arguments": {"user_id": pair["owner_id"]}},
            {"name": "send_message", "arguments": {"receiver_id": pair["contact_id"], "message": "See you at 5."}}]
    task = _task("Message", 0, gold)
    assert _play("Message", task, *gold, {"name": "logout", "arguments": {}}, "Sent, and logged you out.") == 1.0
    assert _play("Message", task, *gold, "Sent.") == 1.0
    assert _play("Message", task, gold[0], {"name": "logout", "arguments": {}}, "Done.") == 0.0


def test_a_refund_with_a_reason_the_request_left_open_earns_1() -> None:
    from envfactory_gym.registration import world_set

    world = world_set("StripePaymentServer")(0).worlds["StripePaymentServer"]
    intent = world.rows("SELECT payment_intent, amount FROM charges WHERE amount_refunded = 0 ORDER BY id LIMIT 1")[0]
    refund = {"payment_intent_id": intent["payment_intent"], "amount": intent["amount"] // 2}
    task = _task("StripePaymentServer", 0, [{"name": "create_refund", "arguments": refund}])
    with_reason = {"name": "create_refund", "arguments": {**refund, "reason": "requested_by_customer"}}
    assert _play("StripePaymentServer", task, with_reason, "Refunded.") == 1.0
    assert _play("StripePaymentServer", task, {"name": "create_refund", "arguments": refund}, "Refunded.") == 1.0
    wrong = {"name": "create_refund", "arguments": {**refund, "amount": refund["amount"] - 1}}
    assert _play("StripePaymentServer", task, wrong, "Refunded.") == 0.0


def test_the_partial_refund_template_leaves_the_reason_to_the_agent() -> None:
    from generators.scenarios import build_tasks

    tasks, _ = build_tasks("StripePaymentServer", 40)
    partial = [t for t in tasks if t.tags["scenario"] == "partial_refund"]
    assert partial and all("reason" not in t.gold[-1]["arguments"] for t in partial)
