"""Behaviour of the TradingBot environment: cash, limit orders and fills, sessions, market hours, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "TradingBot"


def cash(world: Any) -> int:
    return world.value("SELECT balance_cents FROM account")


def tradable(world: Any) -> dict[str, Any]:
    """A stock that is not halted, has no open orders and is not held."""
    return world.row("SELECT * FROM listings WHERE halted = 0 AND symbol NOT IN (SELECT symbol FROM positions)"
                     " AND symbol NOT IN (SELECT symbol FROM orders WHERE status IN ('Open', 'Pending'))"
                     " ORDER BY symbol")


def test_deposit_and_withdrawal_change_cash_and_history(env: Any, world: Any) -> None:
    before = cash(world)
    done = world.call("make_transaction", {"transaction_type": "deposit", "amount": 250.5})
    assert cash(world) == before + 25050
    assert done == {"status": "Completed", "transaction_id": done["transaction_id"],
                    "new_balance": round((before + 25050) / 100, 2), "timestamp": "2026-03-03 10:30:00"}
    row = world.row("SELECT * FROM transactions WHERE transaction_id = ?", done["transaction_id"])
    assert (row["type"], row["amount"]) == ("deposit", 250.5)
    listed = world.call("get_transaction_history", {"start_date": "2026-03-03"})["transactions"]
    assert [t["transaction_id"] for t in listed] == [done["transaction_id"]]
    free = world.call("get_account_info", {})["buying_power"]
    message = fails(env, world, "make_transaction", {"transaction_type": "withdrawal", "amount": 50_000})
    assert message == (f"insufficient funds: you can withdraw at most {free:.2f} USD "
                       "(cash reserved by open buy orders excluded)")


def test_limit_buy_rests_then_fills_when_the_price_reaches_it(world: Any) -> None:
    stock = tradable(world)
    limit = round(stock["price"] * 0.9, 2)
    power = world.call("get_account_info", {})["buying_power"]
    order = world.call("place_order", {"order_type": "Buy", "symbol": stock["symbol"].lower(), "price": limit,
                                       "quantity": 3})
    assert (order["status"], order["execution_price"], order["symbol"]) == ("Open", None, stock["symbol"])
    assert world.call("get_account_info", {})["buying_power"] == round(power - limit * 3, 2)
    assert world.value("SELECT 1 FROM positions WHERE symbol = ?", stock["symbol"]) is None
    before = cash(world)
    moved = world.call("update_stock_price", {"symbol": stock["symbol"], "new_price": limit - 1})
    assert moved["filled_orders"] == [order["order_id"]]
    filled = world.call("get_order_details", {"order_id": order["order_id"]})
    assert (filled["status"], filled["execution_price"]) == ("Completed", round(limit - 1, 2))
    assert cash(world) == before - round((limit - 1) * 100) * 3
    assert world.row("SELECT quantity, average_cost FROM positions WHERE symbol = ?", stock["symbol"]) == {
        "quantity": 3, "average_cost": round(limit - 1, 2)}


def test_marketable_sell_fills_at_the_quote_and_oversell_is_refused(env: Any, world: Any) -> None:
    held = world.row("SELECT p.*, s.price FROM positions p JOIN listings s USING (symbol) WHERE s.halted = 0"
                     " AND p.symbol NOT IN (SELECT symbol FROM orders WHERE status IN ('Open', 'Pending'))"
                     " ORDER BY symbol")
    message = fails(env, world, "place_order", {"order_type": "Sell", "symbol": held["symbol"], "price": 1,
                                                "quantity": held["quantity"] + 1})
    assert message == (f"you can sell at most {held['quantity']} shares of {held['symbol']} "
                       f"({held['quantity']} held, the rest reserved by open sell orders)")
    before = cash(world)
    sold = world.call("place_order", {"order_type": "Sell", "symbol": held["symbol"], "price": 1, "quantity": 2})
    assert (sold["status"], sold["execution_price"]) == ("Completed", held["price"])
    assert cash(world) == before + round(held["price"] * 100) * 2
    assert world.value("SELECT quantity FROM positions WHERE symbol = ?", held["symbol"]) == held["quantity"] - 2


def test_rules_on_cancel_halts_market_hours_and_sessions(env: Any, world: Any) -> None:
    done = world.value("SELECT order_id FROM orders WHERE status = 'Completed' ORDER BY order_id")
    assert fails(env, world, "cancel_order", {"order_id": done}) == (
        f"order {done} is Completed and can no longer be cancelled")
    open_order = world.value("SELECT order_id FROM orders WHERE status = 'Open' ORDER BY order_id")
    assert world.call("cancel_order", {"order_id": open_order})["status"] == "Cancelled"
    assert world.value("SELECT status FROM orders WHERE order_id = ?", open_order) == "Cancelled"
    halted = world.value("SELECT symbol FROM listings WHERE halted = 1 ORDER BY symbol")
    if halted:
        assert fails(env, world, "place_order", {"order_type": "Buy", "symbol": halted, "price": 1, "quantity": 1}) == (
            f"trading in {halted} is halted; no orders are accepted for it now")
    account = world.row("SELECT username, password FROM account")
    assert fails(env, world, "login", {"username": account["username"], "password": "nope"}) == "wrong username or password"
    assert world.call("logout", {}) == {"status": "Logged out"}
    assert world.call("check_login_status", {}) == {"is_authenticated": False, "username": None}
    assert fails(env, world, "get_account_info", {}) == (
        "you are not logged in; call login with your username and password first")
    assert world.call("login", account)["status"] == "Logged in"
    world.clock = 400  # 17:10, after the close
    assert world.call("get_market_status", {}) == {"status": "Closed", "current_time": "2026-03-03 17:10:00"}
    stock = tradable(world)
    assert fails(env, world, "place_order", {"order_type": "Buy", "symbol": stock["symbol"], "price": 1,
                                             "quantity": 1}) == (
        "the market is closed (open 09:30-16:00 ET, Monday to Friday); place the order then")


def test_watchlist_and_symbol_search(env: Any, world: Any) -> None:
    watched = world.call("get_watchlist", {})["watchlist_symbols"]
    new = world.value(f"SELECT symbol FROM listings WHERE symbol NOT IN ({', '.join('?' * len(watched))})"
                      " ORDER BY symbol", *watched)
    assert world.call("add_to_watchlist", {"symbol": new})["watchlist"] == sorted([*watched, new])
    assert fails(env, world, "add_to_watchlist", {"symbol": new}) == f"{new} is already on your watchlist"
    assert world.call("remove_from_watchlist", {"symbol": new})["watchlist"] == watched
    assert fails(env, world, "remove_from_watchlist", {"symbol": new}) == (
        f"{new} is not on your watchlist; get_watchlist shows it")
    assert world.call("get_stock_symbol", {"company_name": "motor"})["company_name"] in ("Ford Motor", "General Motors",
                                                                                         "Honda Motor", "Toyota Motor")
    assert world.call("get_stock_symbol", {"company_name": "tesla"}) == {"symbol": "TSLA", "company_name": "Tesla"}


def test_agent_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    quantity = tools["place_order"][1].parameters["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 10_000)
    amount = tools["make_transaction"][1].parameters["properties"]["amount"]
    assert (amount["minimum"], amount["maximum"]) == (1, 50_000)
    assert tools["login"][1].user_known == frozenset({"username", "password"})


def test_order_task_gold_earns_one_and_a_wrong_quantity_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["place_order"] or
                (t.tags["chain"][-1] == "place_order" and not t.user_facts and not t.answer_facts))
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "quantity": arguments["quantity"] + 1})]) == 0.0
    assert play(env, task.id, []) == 0.0
