"""Behaviour of the YahooFinance environment: market data look-ups, portfolios, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "YahooFinance"


def test_prices_by_date_and_range(env: Any, world: Any) -> None:
    day = world.row("SELECT * FROM prices WHERE symbol = 'KO' ORDER BY date DESC")
    assert world.call("get_stock_price_by_date", {"symbol": "ko", "date": day["date"]}) == {
        "date": day["date"], "open": day["open"], "close": day["close"]}
    assert world.call("get_current_stock_price", {"symbol": "KO"})["current_price"] == day["close"]
    first = world.value("SELECT MIN(date) FROM prices WHERE symbol = 'KO'")
    assert fails(env, world, "get_stock_price_by_date", {"symbol": "KO", "date": "2026-02-28"}) == (
        "no trading data for KO on 2026-02-28: markets were closed that day or it is outside the available history"
        f" (from {first} to the last close)")
    closes = world.call("get_stock_price_date_range", {"symbol": "KO", "start_date": "2026-02-01",
                                                       "end_date": "2026-02-10"})["closing_prices"]
    assert [c["date"] for c in closes] == [r["date"] for r in world.rows(
        "SELECT date FROM prices WHERE symbol = 'KO' AND date BETWEEN '2026-02-01' AND '2026-02-10' ORDER BY date")]
    assert "2026-02-16" not in {r["date"] for r in world.rows("SELECT date FROM prices")}  # Presidents' Day
    assert fails(env, world, "get_dividends", {"symbol": "KO", "start_date": "2026-02-10",
                                               "end_date": "2026-02-01"}) == "end_date must not be before start_date"
    assert fails(env, world, "get_news", {"symbol": "ZZZZ"}) == "no quote found for symbol 'ZZZZ'; check the ticker (e.g. AAPL)"


def test_option_chain_needs_a_listed_expiration(env: Any, world: Any) -> None:
    dates = world.call("get_option_expiration_dates", {"symbol": "AAPL"})["expiration_dates"]
    chain = world.call("get_option_chain", {"symbol": "AAPL", "expiration_date": dates[0]})
    assert len(chain["calls"]) == len(chain["puts"]) == 7
    assert chain["calls"][0]["strike"] < chain["calls"][-1]["strike"]
    assert fails(env, world, "get_option_chain", {"symbol": "AAPL", "expiration_date": "2026-03-04"}) == (
        "AAPL has no options expiring 2026-03-04; get_option_expiration_dates lists the expirations")


def test_portfolio_writes(env: Any, world: Any) -> None:
    created = world.call("create_portfolio", {"portfolio_name": " Kids fund "})
    assert created == {"portfolio_name": "Kids fund", "holdings": [], "total_value": 0.0}
    assert fails(env, world, "create_portfolio", {"portfolio_name": "kids FUND"}) == (
        "a portfolio named 'kids FUND' already exists")
    world.call("add_holding", {"portfolio_name": "kids fund", "symbol": "ko", "shares": 10, "cost_basis": 50})
    after = world.call("add_holding", {"portfolio_name": "Kids fund", "symbol": "KO", "shares": 30, "cost_basis": 60})
    assert [(h["symbol"], h["shares"], h["cost_basis"]) for h in after["holdings"]] == [("KO", 40.0, 57.5)]
    assert world.rows("SELECT portfolio_name, symbol, shares, cost_basis FROM holdings WHERE portfolio_name = "
                      "'Kids fund'") == [{"portfolio_name": "Kids fund", "symbol": "KO", "shares": 40.0,
                                          "cost_basis": 57.5}]
    assert world.call("remove_holding", {"portfolio_name": "Kids fund", "symbol": "KO"})["holdings"] == []
    assert fails(env, world, "remove_holding", {"portfolio_name": "Kids fund", "symbol": "KO"}) == (
        "KO is not in your 'Kids fund' portfolio; get_portfolio shows its holdings")
    assert fails(env, world, "get_portfolio", {"portfolio_name": "Nope"}) == (
        "you have no portfolio named 'Nope'; your portfolios: Dividend income, Kids fund, Retirement, Tech bets")


def test_news_search_uses_the_text_index(world: Any) -> None:
    title = world.value("SELECT title FROM news ORDER BY article_id")
    found = world.call("search_news", {"query": title[3:20].upper(), "limit": 50})["news_articles"]
    assert title in [a["title"] for a in found]
    assert all(title[3:20].lower() in a["title"].lower() for a in found)


def test_agent_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["get_earning_dates"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 12)
    assert tools["get_historical_stock_prices"][1].parameters["properties"]["period"]["enum"] == ["5d", "1mo", "3mo"]
    assert "symbol" in tools["get_news"][1].user_known


def test_portfolio_task_gold_earns_one_and_wrong_shares_zero(env: Any) -> None:
    task = next(t for t in env.tasks if "add_holding" in t.tags["chain"] and not t.user_facts)
    calls = gold_calls(task)
    answer = "Here it is: " + "; ".join(task.answer_facts) + "."
    assert play(env, task.id, calls, answer=answer) == 1.0
    at = next(i for i, (name, _) in enumerate(calls) if name == "add_holding")
    wrong = {**calls[at][1], "shares": calls[at][1]["shares"] + 1}
    assert play(env, task.id, [*calls[:at], ("add_holding", wrong), *calls[at + 1:]], answer=answer) == 0.0
