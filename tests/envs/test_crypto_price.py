"""Behaviour of the CryptoPrice environment: quotes, portfolio buys and sells, price alerts, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "CryptoPrice"


def held(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM holdings ORDER BY symbol")


def test_quote_agrees_with_history_and_exchanges(env: Any, world: Any) -> None:
    quote = world.call("get_crypto_price", {"symbol": "btc", "exchanges": ["Kraken"]})
    assert quote["symbol"] == "BTC" and quote["market_rank"] == 1 and list(quote["exchanges_prices"]) == ["Kraken"]
    assert quote["price_usd"] == world.value("SELECT close FROM candles WHERE symbol = 'BTC' ORDER BY hour DESC")
    history = world.call("get_historical_analysis", {"symbol": "BTC", "interval": "1d", "days": 3})
    assert len(history["price_trends"]) == 3 and history["price_trends"][-1] == quote["price_usd"]
    unlisted = world.value("SELECT symbol FROM coins WHERE symbol NOT IN (SELECT symbol FROM listings"
                           " WHERE exchange = 'Gemini') ORDER BY symbol")
    message = fails(env, world, "get_market_analysis", {"symbol": unlisted, "exchanges": ["Gemini"]})
    assert message.startswith(f"{unlisted} is not traded on Gemini; it trades on ")
    assert fails(env, world, "get_crypto_price", {"symbol": "ZZZ"}) == (
        "unknown coin symbol 'ZZZ'; search_coins finds a coin's symbol by name")


def test_buy_updates_quantity_and_average_cost(world: Any) -> None:
    before = held(world)
    trade = world.call("record_buy", {"symbol": before["symbol"], "quantity": 2, "price_usd": 10})
    quantity = round(before["quantity"] + 2, 8)
    assert trade["holding_quantity"] == quantity and trade["side"] == "buy" and trade["time"] == "2026-03-02 09:00"
    after = held(world)
    assert after["quantity"] == quantity
    assert abs(after["average_cost_usd"] - (before["quantity"] * before["average_cost_usd"] + 20) / quantity) < 0.01
    assert world.row("SELECT symbol, side, quantity, price_usd FROM trades WHERE trade_id = ?", trade["trade_id"]) == {
        "symbol": before["symbol"], "side": "buy", "quantity": 2, "price_usd": 10}


def test_sell_is_limited_to_the_holding_and_selling_all_removes_it(env: Any, world: Any) -> None:
    before = held(world)
    too_many = {"symbol": before["symbol"], "quantity": before["quantity"] + 1}
    assert fails(env, world, "record_sell", too_many) == (
        f"cannot sell {before['quantity'] + 1:g} {before['symbol']}: the portfolio holds only {before['quantity']:g}")
    not_held = world.value("SELECT symbol FROM coins WHERE symbol NOT IN (SELECT symbol FROM holdings) ORDER BY 1")
    assert fails(env, world, "record_sell", {"symbol": not_held, "quantity": 1}) == (
        f"the portfolio holds no {not_held}; get_portfolio lists the holdings")
    trade = world.call("record_sell", {"symbol": before["symbol"], "quantity": before["quantity"]})
    assert trade["holding_quantity"] == 0 and held(world)["symbol"] != before["symbol"]


def test_alerts_must_not_fire_at_once_and_cancel_once(env: Any, world: Any) -> None:
    price = world.call("get_crypto_price", {"symbol": "ETH"})["price_usd"]
    message = fails(env, world, "create_price_alert", {"symbol": "ETH", "condition": "above", "target_price": 1})
    assert message == (f"ETH is at {price} USD now, so an alert for 'above 1' would fire at once; choose a target "
                       "higher than that")
    alert = world.call("create_price_alert", {"symbol": "eth", "condition": "above", "target_price": price * 2,
                                              "note": "sell half for the house deposit"})
    assert world.row("SELECT symbol, status, note FROM alerts WHERE alert_id = ?", alert["alert_id"]) == {
        "symbol": "ETH", "status": "active", "note": "sell half for the house deposit"}
    found = world.call("list_price_alerts", {"query": "house deposit"})
    assert [a["alert_id"] for a in found] == [alert["alert_id"]]
    duplicate = {"symbol": "ETH", "condition": "above", "target_price": price * 2}
    assert fails(env, world, "create_price_alert", duplicate) == (
        f"an active alert for ETH above {price * 2:g} already exists")
    assert world.call("cancel_price_alert", {"alert_id": alert["alert_id"]})["status"] == "cancelled"
    assert fails(env, world, "cancel_price_alert", {"alert_id": alert["alert_id"]}) == (
        f"alert '{alert['alert_id']}' is already cancelled; only active alerts can be cancelled")


def test_at_most_five_active_alerts_per_coin(env: Any, world: Any) -> None:
    price = world.call("get_crypto_price", {"symbol": "SOL"})["price_usd"]
    active = world.value("SELECT COUNT(*) FROM alerts WHERE symbol = 'SOL' AND status = 'active'")
    for step in range(5 - active):
        world.call("create_price_alert", {"symbol": "SOL", "condition": "below", "target_price": price / (2 + step)})
    assert fails(env, world, "create_price_alert", {"symbol": "SOL", "condition": "below",
                                                    "target_price": price / 20}) == (
        "SOL already has 5 active alerts; cancel one first")


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    days = tools["get_historical_analysis"][1].parameters["properties"]["days"]
    assert (days["minimum"], days["maximum"]) == (1, 7)
    assert "symbol" in tools["record_buy"][1].user_known


def test_day_limit_is_enforced(env: Any, world: Any) -> None:
    assert fails(env, world, "get_historical_analysis", {"symbol": "BTC", "days": 30}) == (
        "invalid arguments for 'get_historical_analysis': days must be between 1 and 7")


def test_gold_tasks_earn_one_and_wrong_paths_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "record_buy" and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "quantity": arguments["quantity"] + 1})]) == 0.0
    assert play(env, task.id, []) == 0.0
    read = next(t for t in env.tasks if len(t.gold) == 1 and t.answer_facts and not t.user_facts)
    assert_answer_is_graded(env, read)
