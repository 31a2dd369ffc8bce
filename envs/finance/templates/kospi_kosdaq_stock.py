"""Task templates of KospiKosdaqStock: questions about a stock over a span of trading days, named as a user would
(the company, the dates), with the ticker looked up first."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.finance.kospi_kosdaq_stock import KospiKosdaqStock


def some_stock(world: KospiKosdaqStock, rng: random.Random) -> dict[str, Any]:
    """A stock whose full name finds only itself."""
    names = [r for r in world.rows("SELECT ticker, name FROM stocks ORDER BY ticker")
             if len(world.search_stock(r["name"])) == 1]
    return rng.choice(names)


def some_span(world: KospiKosdaqStock, rng: random.Random, least: int = 3, most: int = 8) -> tuple[str, str, list[str]]:
    """A span of trading days: (first, last, the days in it)."""
    days = [r["date"] for r in world.rows("SELECT DISTINCT date FROM daily ORDER BY date")]
    start = rng.randrange(0, len(days) - most)
    span = days[start:start + rng.randint(least, most)]
    return span[0], span[-1], span


def spoken(day: str) -> str:
    return dt.date(int(day[:4]), int(day[4:6]), int(day[6:])).strftime("%B %-d, %Y")


def lookup(stock: dict[str, Any]) -> Any:
    return call("search_stock", name=stock["name"])


@scenario
def highest_close(world: KospiKosdaqStock, rng: random.Random) -> Draft:
    stock, (first, last, _) = some_stock(world, rng), some_span(world, rng)
    rows = world.rows("SELECT date, close FROM daily WHERE ticker = ? AND date BETWEEN ? AND ? ORDER BY close DESC",
                      stock["ticker"], first, last)
    if len(rows) > 1 and rows[0]["close"] == rows[1]["close"]:
        return None  # type: ignore[return-value]
    return Draft(request=f"On which day between {spoken(first)} and {spoken(last)} did {stock['name']} close highest,"
                         " and at what price?",
                 calls=(lookup(stock), call("get_stock_ohlcv", fromdate=first, todate=last, ticker=Ref(0, "0.ticker"))),
                 answer=(rows[0]["date"], rows[0]["close"]))


@scenario
def raw_price_before_split(world: KospiKosdaqStock, rng: random.Random) -> Draft | None:
    stock = world.row("SELECT * FROM stocks WHERE split_date IS NOT NULL ORDER BY ticker")
    day = world.value("SELECT MAX(date) FROM daily WHERE ticker = ? AND date < ?", stock["ticker"],
                      stock["split_date"])
    close = world.value("SELECT close FROM daily WHERE ticker = ? AND date = ?", stock["ticker"], day)
    return Draft(request=f"What did {stock['name']} actually close at on {spoken(day)}, as printed that day, not "
                         "adjusted for the later split?",
                 calls=(lookup(stock), call("get_stock_ohlcv", fromdate=day, todate=day, ticker=Ref(0, "0.ticker"),
                                            adjusted=False)),
                 answer=(close * stock["split_ratio"],))


@scenario
def market_cap_on_day(world: KospiKosdaqStock, rng: random.Random) -> Draft:
    stock, (first, last, days) = some_stock(world, rng), some_span(world, rng)
    day = rng.choice(days)
    info = world.row("SELECT close, shares FROM stocks JOIN daily USING (ticker) WHERE ticker = ? AND date = ?",
                     stock["ticker"], day)
    return Draft(request=f"I'm looking at {stock['name']} from {spoken(first)} to {spoken(last)}. What was its market"
                         f" cap on {spoken(day)}?",
                 calls=(lookup(stock), call("get_stock_market_cap", fromdate=first, todate=last,
                                            ticker=Ref(0, "0.ticker"))),
                 answer=(info["close"] * info["shares"],))


@scenario
def valuation_on_day(world: KospiKosdaqStock, rng: random.Random) -> Draft:
    stock, (first, last, days) = some_stock(world, rng), some_span(world, rng, 2, 5)
    r = world.row("SELECT close, bps FROM daily WHERE ticker = ? AND date = ?", stock["ticker"], last)
    return Draft(request=f"What was the PBR of {stock['name']} at the close on {spoken(last)}? I'm tracking it since "
                         f"{spoken(first)}.",
                 calls=(lookup(stock), call("get_stock_fundamental", fromdate=first, todate=last,
                                            ticker=Ref(0, "0.ticker"))),
                 answer=(round(r["close"] / r["bps"], 2),))


@scenario
def foreign_net_buying(world: KospiKosdaqStock, rng: random.Random) -> Draft:
    stock, (first, last, _) = some_stock(world, rng), some_span(world, rng, 5, 15)
    net = world.value("SELECT SUM(buy) - SUM(sell) FROM investor_flows WHERE ticker = ? AND investor = 'foreign'"
                      " AND date BETWEEN ? AND ?", stock["ticker"], first, last)
    return Draft(request=f"Were foreign investors net buyers or sellers of {stock['name']} between {spoken(first)} and"
                         f" {spoken(last)}? Give me the net number of shares.",
                 calls=(lookup(stock), call("get_stock_trading_volume", fromdate=first, todate=last,
                                            ticker=Ref(0, "0.ticker"))),
                 answer=(net,))


@scenario
def watch_after_rally(world: KospiKosdaqStock, rng: random.Random) -> Draft | None:
    stock, (first, last, _) = some_stock(world, rng), some_span(world, rng, 5, 10)
    group = rng.choice(world.list_interest_groups())
    if any(s["ticker"] == stock["ticker"] for s in group["stocks"]):
        return None
    return Draft(request=f"Check how {stock['name']} traded from {spoken(first)} to {spoken(last)} and add it to my "
                         f"'{group['name']}' interest group.",
                 calls=(lookup(stock), call("get_stock_ohlcv", fromdate=first, todate=last,
                                            ticker=Ref(0, "0.ticker")),
                        call("list_interest_groups"),
                        call("add_to_interest_group", group_id=group["group_id"], ticker=Ref(0, "0.ticker"))))
