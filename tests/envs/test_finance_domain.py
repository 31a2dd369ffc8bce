"""The Finance domain: its members, prefixed tool names, cross-environment tasks over the new members and their
rewards."""

from __future__ import annotations

import math
import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks, templates
from tests.envs.support import play, scenario_task

NEW_MEMBERS = ("CryptoPrice", "FinancialDatasets", "KospiKosdaqStock", "TradingBot", "YahooFinance",
               "PayPalPaymentProcessor")
MEMBERS = (*NEW_MEMBERS, "StripePaymentServer")
SCENARIOS = tuple(templates("Finance"))

Calls = list[tuple[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Finance-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str, where: Any = lambda task: True) -> Any:
    return scenario_task(env, scenario, lambda t: t.env == "Finance" and where(t))


def gold_of(env: Any, task: Any) -> Calls:
    """A task's gold calls under the names the domain offers them (prefixed where two members share a tool)."""
    env.reset(options={"task_id": task.id})
    return env.gold_calls()


def replace(calls: Calls, tool: str, **changes: Any) -> Calls:
    """The calls with the last call of ``tool`` given other argument values."""
    index = max(i for i, (name, _) in enumerate(calls) if name == tool)
    name, arguments = calls[index]
    return [*calls[:index], (name, {**arguments, **changes}), *calls[index + 1:]]


def test_domain_env_lists_every_member(env: Any) -> None:
    assert set(env.worlds.worlds) == set(MEMBERS)


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"CryptoPrice_get_portfolio", "YahooFinance_get_portfolio", "TradingBot_add_to_watchlist",
            "FinancialDatasets_add_to_watchlist", "PayPalPaymentProcessor_get_order_details",
            "TradingBot_get_order_details", "YahooFinance_get_current_stock_price",
            "FinancialDatasets_get_current_stock_price"} <= names
    assert not {"get_portfolio", "add_to_watchlist", "get_order_details", "get_current_stock_price"} & names
    assert {"record_buy", "place_order", "refund_capture", "add_holding", "create_interest_group",
            "create_payment_intent"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_domain_offers_member_and_cross_tasks(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Finance"]
    assert len(cross) >= 25
    assert all(t.tags["envs"] >= 2 for t in cross)
    spanned = {g["env"] for t in cross for g in t.gold}
    assert set(NEW_MEMBERS) <= spanned
    assert sum(1 for t in cross if len({g["env"] for g in t.gold} & set(NEW_MEMBERS)) >= 2) >= 25
    assert len(env.tasks) == sum(len(load_tasks(m)) for m in MEMBERS) + len(cross)


def test_every_cross_template_yields_tasks(env: Any) -> None:
    assert len(SCENARIOS) >= 15
    made = {t.tags["scenario"] for t in env.tasks if t.env == "Finance"}
    assert set(SCENARIOS) == made


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_gold_earns_one_and_stopping_short_earns_zero(env: Any, scenario: str) -> None:
    task = cross_task(env, scenario)
    gold = gold_of(env, task)
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, gold[:-1]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_best_quote_buy_needs_the_lower_price(env: Any) -> None:
    task = cross_task(env, "crypto_best_quote_buy")
    gold = gold_of(env, task)
    cp, fd = (env.worlds.call(name, args) for name, args in gold[:2])
    higher = max(cp["price_usd"], fd["price"])
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, replace(gold, "record_buy", price_usd=higher)) == 0.0


def test_refund_sells_just_enough_shares_and_withdraws_the_refund(env: Any) -> None:
    task = cross_task(env, "refund_covered_by_shares")
    gold = gold_of(env, task)
    order = next(args for name, args in gold if name == "place_order")
    refund = next(args for name, args in gold if name == "make_transaction")["amount"]
    assert order["order_type"] == "Sell" and order["quantity"] == math.ceil(refund / order["price"])
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, replace(gold, "place_order", quantity=order["quantity"] + 1)) == 0.0
    assert play(env, task.id, [c for c in gold if c[0] != "refund_capture"]) == 0.0  # the buyer got nothing back


def test_margin_budget_buy_spends_the_budget_on_whole_shares(env: Any) -> None:
    task = cross_task(env, "better_margin_budget_buy")
    gold = gold_of(env, task)
    order = gold[-1][1]
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, replace(gold, "place_order", quantity=order["quantity"] + 1)) == 0.0


def test_coin_sale_deposits_whole_dollars(env: Any) -> None:
    task = cross_task(env, "coin_sale_to_broker")
    gold = gold_of(env, task)
    deposit = gold[-1][1]["amount"]
    assert deposit == int(deposit)
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, replace(gold, "make_transaction", amount=deposit + 0.5)) == 0.0


def test_sale_into_coin_rounds_the_quantity_down(env: Any) -> None:
    task = cross_task(env, "sale_into_coin")
    gold = gold_of(env, task)
    quantity = gold[-1][1]["quantity"]
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, replace(gold, "record_buy", quantity=round(quantity + 0.000001, 6))) == 0.0


def test_watchlist_copy_needs_every_missing_stock(env: Any) -> None:
    task = cross_task(env, "fd_watchlist_to_broker", lambda t: t.tags["calls"] >= 4)
    gold = gold_of(env, task)
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, gold[:2] + gold[3:]) == 0.0  # the first missing stock is not added


def test_pe_pick_acts_on_the_cheaper_side_only(env: Any) -> None:
    for task in (t for t in env.tasks if t.env == "Finance" and t.tags["scenario"] == "korea_or_us_on_pe"):
        gold = gold_of(env, task)
        korean = any(name == "create_interest_group" for name, _ in gold)
        us = any(name == "add_holding" for name, _ in gold)
        assert korean != us
        assert play(env, task.id, gold) == 1.0
        assert play(env, task.id, gold[:4]) == 0.0  # compared, but tracked nothing


def test_adversaries_score_zero_on_a_cross_task(env: Any) -> None:
    from envfactory_gym.agents import ADVERSARIES, run_episode

    task = cross_task(env, "sale_into_shares")
    for make in ADVERSARIES.values():
        assert not run_episode(env, make(), task.id).success
