"""Behaviour of the FinancialDatasets environment: statements, prices, news search, watchlists, errors, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "FinancialDatasets"


def big_tech(world: Any) -> str:
    return world.value("SELECT watchlist_id FROM watchlists WHERE name = 'Big Tech'")


def test_statements_by_period_and_ttm(env: Any, world: Any) -> None:
    annual = world.call("get_income_statements", {"symbol": "aapl", "limit": 2})["statements"]
    assert [s["fiscal_period"] for s in annual] == ["FY2025", "FY2024"]
    quarters = world.call("get_income_statements", {"symbol": "AAPL", "period": "quarterly", "limit": 4})
    assert sum(q["revenue"] for q in quarters["statements"]) == annual[0]["revenue"]
    ttm = world.call("get_cash_flow_statements", {"symbol": "AAPL", "period": "ttm"})["statements"][0]
    assert ttm["fiscal_period"] == "TTM" and set(ttm) >= {"free_cash_flow", "capital_expenditure"}
    assert fails(env, world, "get_balance_sheets", {"symbol": "ZZZZ"}) == (
        "no data for ticker 'ZZZZ'; get_available_stock_tickers lists the covered tickers")


def test_prices_by_interval_and_date_order(env: Any, world: Any) -> None:
    daily = world.call("get_historical_stock_prices", {"symbol": "MSFT", "start_date": "2026-02-01",
                                                       "end_date": "2026-02-28"})["prices"]
    monthly = world.call("get_historical_stock_prices", {"symbol": "MSFT", "start_date": "2026-02-01",
                                                         "end_date": "2026-02-28", "interval": "month"})["prices"]
    assert monthly == [{"time": daily[0]["time"], "open": daily[0]["open"], "high": max(d["high"] for d in daily),
                        "low": min(d["low"] for d in daily), "close": daily[-1]["close"],
                        "volume": sum(d["volume"] for d in daily)}]
    assert world.call("get_current_stock_price", {"symbol": "MSFT"})["price"] == daily[-1]["close"]
    assert fails(env, world, "get_historical_crypto_prices", {"ticker": "BTC-USD", "start_date": "2026-02-10",
                                                              "end_date": "2026-02-01"}) == (
        "end_date must not be before start_date")
    assert fails(env, world, "get_current_crypto_price", {"ticker": "PEPE-USD"}) == (
        "no crypto ticker 'PEPE-USD'; use the form BTC-USD (get_available_crypto_tickers)")


def test_news_search_uses_the_text_index(world: Any) -> None:
    found = world.call("search_news", {"query": "BUYBACK", "sentiment": "positive"})
    expected = world.value("SELECT COUNT(*) FROM news WHERE title LIKE '%buyback%' AND sentiment = 'positive'")
    assert len(found) == min(expected, 20) and all("buyback" in a["title"].lower() for a in found)


def test_create_watchlist_and_add_and_remove(env: Any, world: Any) -> None:
    assert fails(env, world, "create_watchlist", {"name": "big tech"}) == (
        "a watchlist named 'big tech' already exists; pick another name")
    created = world.call("create_watchlist", {"name": "Chips"})
    assert created["items"] == [] and created["created_at"] == "2026-03-02 09:00"
    after = world.call("add_to_watchlist", {"watchlist_id": created["watchlist_id"], "symbol": "nvda"})
    assert [i["symbol"] for i in after["items"]] == ["NVDA"]
    assert world.rows("SELECT symbol FROM watchlist_items WHERE watchlist_id = ?", created["watchlist_id"]) == [
        {"symbol": "NVDA"}]
    assert fails(env, world, "add_to_watchlist", {"watchlist_id": created["watchlist_id"], "symbol": "NVDA"}) == (
        "NVDA is already on the watchlist 'Chips'")
    assert fails(env, world, "add_to_watchlist", {"watchlist_id": created["watchlist_id"], "symbol": "XYZ"}) == (
        "no data for ticker 'XYZ'; only covered stock and crypto tickers can be watched")
    removed = world.call("remove_from_watchlist", {"watchlist_id": big_tech(world), "symbol": "AAPL"})
    assert "AAPL" not in [i["symbol"] for i in removed["items"]] and len(removed["items"]) == 4
    assert fails(env, world, "remove_from_watchlist", {"watchlist_id": big_tech(world), "symbol": "AAPL"}) == (
        "AAPL is not on the watchlist 'Big Tech'")


def test_watchlist_is_capped_at_twenty(env: Any, world: Any) -> None:
    watchlist = big_tech(world)
    for symbol in world.rows("SELECT symbol FROM companies WHERE symbol NOT IN (SELECT symbol FROM watchlist_items"
                             " WHERE watchlist_id = ?) ORDER BY symbol LIMIT 15", watchlist):
        world.call("add_to_watchlist", {"watchlist_id": watchlist, **symbol})
    assert fails(env, world, "add_to_watchlist", {"watchlist_id": watchlist, "symbol": "BTC-USD"}) == (
        "the watchlist 'Big Tech' is full (20 tickers); remove one first")


def test_schema_shows_limits(env: Any, world: Any) -> None:
    limit = world_set(ENV)(0).tools["get_company_news"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 20)
    assert fails(env, world, "get_company_news", {"symbol": "KO", "limit": 50}) == (
        "invalid arguments for 'get_company_news': limit must be between 1 and 20")


def test_gold_tasks_earn_one_and_wrong_paths_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "add_to_watchlist" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = "KO" if arguments["symbol"] != "KO" else "PEP"
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "symbol": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
    assert_answer_is_graded(env, next(t for t in env.tasks if len(t.gold) == 1 and t.answer_facts))
