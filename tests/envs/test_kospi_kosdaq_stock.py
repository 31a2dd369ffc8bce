"""Behaviour of the KospiKosdaqStock environment: KRX daily data, split adjustment, interest groups, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play, scenario_task

ENV = "KospiKosdaqStock"


def test_ohlcv_accepts_krx_dates_and_unadjusts_splits(env: Any, world: Any) -> None:
    stock = world.row("SELECT * FROM stocks WHERE split_date IS NOT NULL ORDER BY ticker")
    before = world.value("SELECT MAX(date) FROM daily WHERE date < ?", stock["split_date"])
    span = {"fromdate": before, "todate": stock["split_date"], "ticker": stock["ticker"]}
    adjusted = world.call("get_stock_ohlcv", span)["data"]
    raw = world.call("get_stock_ohlcv", {**span, "adjusted": False})["data"]
    assert raw[0]["close"] == adjusted[0]["close"] * stock["split_ratio"] and raw[-1] == adjusted[-1]
    dashed = world.call("get_stock_ohlcv", {**span, "fromdate": f"{before[:4]}-{before[4:6]}-{before[6:]}"})
    assert dashed["data"] == adjusted
    assert fails(env, world, "get_stock_ohlcv", {**span, "fromdate": span["todate"], "todate": before}) == (
        "todate must not be before fromdate")
    assert fails(env, world, "get_stock_market_cap", {"fromdate": "20260228", "todate": "20260301",
                                                      "ticker": "005930"}).startswith(
        "no trading days for 005930 between 20260228 and 20260301; data covers ")
    assert fails(env, world, "get_stock_fundamental", {"fromdate": "20260230", "todate": "20260301",
                                                       "ticker": "005930"}) == (
        "'20260230' is not a calendar date; use YYYYMMDD, e.g. 20260227")
    assert fails(env, world, "get_stock_trading_volume", {"fromdate": "20260201", "todate": "20260227",
                                                          "ticker": "999999"}) == (
        "no KOSPI or KOSDAQ listing with ticker '999999'; search_stock finds a ticker by company name")


def test_market_cap_fundamentals_and_investor_flows(world: Any) -> None:
    span = {"fromdate": "20260223", "todate": "20260227", "ticker": "005930"}
    closes = [d["close"] for d in world.call("get_stock_ohlcv", span)["data"]]
    caps = world.call("get_stock_market_cap", span)["data"]
    assert [c["market_cap"] for c in caps] == [c * 5_969_000_000 for c in closes]
    assert [f["per"] for f in world.call("get_stock_fundamental", span)["data"]] == [round(c / 2130, 2) for c in closes]
    flows = world.call("get_stock_trading_volume", span)["data"]
    assert sorted(f["investor"] for f in flows) == ["foreign", "individual", "institutional", "other_corporations"]
    assert all(f["net_buy"] == f["buy"] - f["sell"] for f in flows)


def test_search_by_name_and_market(world: Any) -> None:
    assert [s["ticker"] for s in world.call("search_stock", {"name": "LG"})] == ["051910", "066570", "373220"]
    assert [s["name"] for s in world.call("search_stock", {"name": "kakao", "market": "KOSDAQ"})] == ["Kakao Games"]


def test_interest_groups_create_add_remove(env: Any, world: Any) -> None:
    assert fails(env, world, "create_interest_group", {"name": "chips"}) == (
        "an interest group named 'chips' already exists")
    group = world.call("create_interest_group", {"name": "K-pop"})
    assert group == {"group_id": 4, "name": "K-pop", "stocks": []}
    added = world.call("add_to_interest_group", {"group_id": 4, "ticker": "035900"})
    assert added["stocks"] == [{"ticker": "035900", "name": "JYP Entertainment", "added_on": "2026-03-02"}]
    assert fails(env, world, "add_to_interest_group", {"group_id": 4, "ticker": "035900"}) == (
        "JYP Entertainment (035900) is already in 'K-pop'")
    assert fails(env, world, "add_to_interest_group", {"group_id": 9, "ticker": "035900"}) == (
        "no interest group 9; list_interest_groups shows yours")
    world.call("remove_from_interest_group", {"group_id": 1, "ticker": "005930"})
    assert world.value("SELECT COUNT(*) FROM group_stocks WHERE group_id = 1 AND ticker = '005930'") == 0
    assert fails(env, world, "remove_from_interest_group", {"group_id": 1, "ticker": "005930"}) == (
        "005930 is not in 'Chips'")


def test_at_most_ten_groups(env: Any, world: Any) -> None:
    for number in range(7):
        world.call("create_interest_group", {"name": f"Group {number}"})
    assert fails(env, world, "create_interest_group", {"name": "One more"}) == (
        "you already have 10 interest groups, the most allowed; delete one first")


def test_schema_shows_the_ticker_pattern(env: Any, world: Any) -> None:
    ticker = world_set(ENV)(0).tools["get_stock_ohlcv"][1].parameters["properties"]["ticker"]
    assert ticker["pattern"] == r"^\d{6}$"
    assert fails(env, world, "get_stock_ohlcv", {"fromdate": "20260202", "todate": "20260203",
                                                 "ticker": "5930"}).startswith(
        "invalid arguments for 'get_stock_ohlcv': ticker:")


def test_gold_tasks_earn_one_and_wrong_paths_zero(env: Any) -> None:
    task = scenario_task(env, "watch_after_rally")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    other = 3 - arguments["group_id"] if arguments["group_id"] < 3 else 1
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "group_id": other})]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0
    assert_answer_is_graded(env, scenario_task(env, "foreign_net_buying"))
