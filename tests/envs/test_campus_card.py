"""Behaviour of the CampusCard environment: top-ups, loss reports, contact updates, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "CampusCard"


def holder(world: Any, status: str = "active") -> dict[str, Any]:
    return world.row("SELECT * FROM cardholders WHERE card_status = ? ORDER BY userId", status)


def chain_task(env: Any, *tools: str) -> Any:
    """The first task whose gold chain is exactly ``tools`` and that hides no user fact."""
    return next(t for t in env.tasks if tuple(t.tags["chain"]) == tools and not t.user_facts)


def test_recharge_adds_money_and_a_transaction(world: Any) -> None:
    card = holder(world)
    seeded = world.value("SELECT COUNT(*) FROM transactions")
    result = world.call("recharge", {"userId": card["userId"], "amount": 50.5, "paymentMethod": "wechat"})
    balance = round(card["balance_cents"] / 100 + 50.5, 2)
    assert result == {"userId": card["userId"], "success": True, "amount": 50.5, "balanceAfter": balance,
                      "transactionId": result["transactionId"], "message": "recharged 50.50 CNY via wechat"}
    assert world.value("SELECT balance_cents FROM cardholders WHERE userId = ?", card["userId"]) == (
        card["balance_cents"] + 5050)
    row = world.row("SELECT * FROM transactions WHERE transactionId = ?", result["transactionId"])
    assert row == {"transactionId": result["transactionId"], "userId": card["userId"], "time": "2026-03-02 09:00",
                   "type": "recharge", "merchant": "WeChat Pay top-up", "amount": 50.5, "balanceAfter": balance}
    assert world.value("SELECT COUNT(*) FROM transactions") == seeded + 1
    listed = world.call("query_transactions", {"userId": card["userId"], "startDate": "2026-03-02"})
    assert listed["transactions"][0]["transactionId"] == result["transactionId"]
    assert world.call("query_balance", {"userId": card["userId"]}) == {
        "userId": card["userId"], "balance": balance, "currency": "CNY"}


def test_recharge_of_a_lost_or_frozen_card_is_refused(env: Any, world: Any) -> None:
    for status in ("lost", "frozen"):
        card = holder(world, status)
        message = fails(env, world, "recharge", {"userId": card["userId"], "amount": 20, "paymentMethod": "alipay"})
        assert message == f"the campus card of '{card['userId']}' is {status} and cannot be recharged"


def test_recharge_amount_limits_come_from_the_schema(env: Any, world: Any) -> None:
    card = holder(world)
    over = fails(env, world, "recharge", {"userId": card["userId"], "amount": 1000.5, "paymentMethod": "alipay"})
    assert over == "invalid arguments for 'recharge': amount must be between 1 and 1000"
    under = fails(env, world, "recharge", {"userId": card["userId"], "amount": 0, "paymentMethod": "alipay"})
    assert under == "invalid arguments for 'recharge': amount must be between 1 and 1000"
    assert "paymentMethod" in fails(env, world, "recharge", {"userId": card["userId"], "amount": 5,
                                                             "paymentMethod": "cash"})
    missing = fails(env, world, "query_balance", {"userId": "1999999999"})
    assert missing == "no campus card account with userId '1999999999'"


def test_agent_schema_shows_the_limits_and_what_the_user_knows() -> None:
    tools = world_set(ENV)(0).tools
    amount = tools["recharge"][1].parameters["properties"]["amount"]
    assert (amount["minimum"], amount["maximum"]) == (1, 1000)
    assert tools["recharge"][1].parameters["properties"]["paymentMethod"]["enum"] == ["alipay", "wechat", "bank_card"]
    assert tools["lostCard"][1].user_known == frozenset({"userId", "password"})
    assert tools["query_transactions"][1].parameters["properties"]["startDate"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"


def test_lost_card_changes_the_status_once(env: Any, world: Any) -> None:
    card = holder(world)
    credentials = {"userId": card["userId"], "password": card["password"]}
    assert world.call("query_basic_info", credentials)["status"] == 0
    assert world.call("lostCard", credentials) == {"userId": card["userId"], "success": True,
                                                   "message": "card reported lost", "status": 1}
    after = world.row("SELECT * FROM cardholders WHERE userId = ?", card["userId"])
    assert after == {**card, "card_status": "lost"}
    info = world.call("query_basic_info", credentials)
    assert (info["status"], info["statusText"]) == (1, "lost")
    prefix = f"the campus card of '{card['userId']}' is"
    assert fails(env, world, "lostCard", credentials) == f"{prefix} already reported lost"
    top_up = {"userId": card["userId"], "amount": 10, "paymentMethod": "bank_card"}
    assert fails(env, world, "recharge", top_up) == f"{prefix} lost and cannot be recharged"


def test_wrong_password_is_refused_without_a_change(env: Any, world: Any) -> None:
    card = holder(world)
    wrong = {"userId": card["userId"], "password": "000000" if card["password"] != "000000" else "111111"}
    expected = f"wrong password for campus card account '{card['userId']}'"
    assert fails(env, world, "lostCard", wrong) == expected
    assert fails(env, world, "query_basic_info", wrong) == expected
    assert fails(env, world, "update_info", {**wrong, "phone": "13900001111"}) == expected
    malformed = fails(env, world, "lostCard", {"userId": card["userId"], "password": "abc"})
    assert malformed.startswith("invalid arguments for 'lostCard': password:")


def test_update_info_changes_only_the_given_fields(env: Any, world: Any) -> None:
    card = holder(world)
    before = world.row("SELECT * FROM info WHERE holder = ?", card["userId"])
    credentials = {"userId": card["userId"], "password": card["password"]}
    assert fails(env, world, "update_info", credentials) == "give at least one of phone, email or address to update"
    other = world.value("SELECT email FROM info WHERE holder != ? ORDER BY holder", card["userId"])
    assert fails(env, world, "update_info", {**credentials, "email": other}) == (
        f"email '{other}' is already used by another cardholder")
    result = world.call("update_info", {**credentials, "phone": "13900001111", "address": "Dorm 1-101, East Campus"})
    assert result == {"userId": card["userId"], "success": True, "updatedFields": ["phone", "address"],
                      "message": "updated phone, address"}
    assert world.row("SELECT * FROM info WHERE holder = ?", card["userId"]) == {
        **before, "phone": "13900001111", "address": "Dorm 1-101, East Campus"}


def test_transactions_filter_by_day_newest_first(env: Any, world: Any) -> None:
    card = holder(world)
    days = {"startDate": "2026-02-10", "endDate": "2026-02-20"}
    found = world.call("query_transactions", {"userId": card["userId"], **days})["transactions"]
    expected = world.rows("SELECT transactionId FROM transactions WHERE userId = ? AND time >= '2026-02-10'"
                          " AND time < '2026-02-21' ORDER BY time DESC, transactionId", card["userId"])
    assert [t["transactionId"] for t in found] == [r["transactionId"] for r in expected]
    reversed_days = {"userId": card["userId"], "startDate": "2026-02-20", "endDate": "2026-02-10"}
    assert fails(env, world, "query_transactions", reversed_days) == "endDate must not be before startDate"


def test_recharge_task_gold_earns_one_and_another_amount_zero(env: Any) -> None:
    task = chain_task(env, "recharge")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[0]
    assert play(env, task.id, [(name, {**arguments, "amount": arguments["amount"] + 1})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_lost_card_task_gold_earns_one_and_the_wrong_card_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "lostCard" and t.seed == 0
                and not t.user_facts and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    reported = calls[-1][1]["userId"]
    other = world.row("SELECT userId, password FROM cardholders WHERE card_status = 'active' AND userId != ?"
                      " ORDER BY userId", reported)
    assert play(env, task.id, [*calls[:-1], ("lostCard", other)]) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = chain_task(env, "query_balance")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="The balance is " + ", ".join(task.answer_facts) + " CNY.") == 1.0
    assert play(env, task.id, calls, answer="Your card has some money on it.") == 0.0
