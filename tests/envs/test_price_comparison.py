"""Behaviour of the PriceComparison environment: store prices, history, coupons, price alerts, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "PriceComparison"


def unwatched(world: Any) -> dict[str, Any]:
    """A product and market with an in-stock offer that no alert watches, with its name and lowest price."""
    return world.row("SELECT p.pid, pr.pos, p.name, MIN(pr.price_cents) AS lowest FROM prices pr JOIN products p"
                     " USING (pid) WHERE pr.in_stock = 1 AND pid NOT IN (SELECT pid FROM alerts)"
                     " GROUP BY p.pid, pr.pos ORDER BY p.pid, pr.pos")


def test_lookup_and_compare_price_cheapest_first(world: Any) -> None:
    found = world.call("get_pid_pos_details", {"name": "paperwhite", "country": "Canada"})
    assert [p["name"] for p in found] == ["Amazon Kindle Paperwhite 16GB"]
    assert "Canada" in found[0]["markets"]
    result = world.call("compare_price", {"pid": found[0]["pid"], "pos": 4})
    totals = [r["total"] for r in result["retailers"] if r["in_stock"]]
    assert totals == sorted(totals) and result["currency"] == "CAD"
    assert (result["cheapest_retailer"], result["lowest_total"]) == (result["retailers"][0]["retailer"], totals[0])
    assert len(world.call("compare_price", {"pid": found[0]["pid"], "pos": 4, "max_retailers": 1})["retailers"]) == 1


def test_create_price_alert_adds_a_row(world: Any) -> None:
    item = unwatched(world)
    target = round((item["lowest"] - 1000) / 100, 2)
    result = world.call("create_price_alert", {"pid": item["pid"], "pos": item["pos"], "target_price": target})
    assert result["target_price"] == target and result["status"] == "active" and result["name"] == item["name"]
    assert world.row("SELECT * FROM alerts WHERE alert_id = ?", result["alert_id"]) == {
        "alert_id": result["alert_id"], "pid": item["pid"], "pos": item["pos"], "target_cents": item["lowest"] - 1000,
        "retailer": None, "status": "active", "created": "2026-03-02"}
    assert result["alert_id"] in [a["alert_id"] for a in world.call("list_price_alerts", {})]


def test_alert_rules(env: Any, world: Any) -> None:
    item = unwatched(world)
    args = {"pid": item["pid"], "pos": item["pos"], "target_price": item["lowest"] / 100}
    currency = world.value("SELECT currency FROM markets WHERE pos = ?", item["pos"])
    assert fails(env, world, "create_price_alert", args) == (
        f"'{item['name']}' already sells for {item['lowest'] / 100:.2f} {currency}, at or below the target;"
        " no alert needed")
    watched = world.row("SELECT a.pid, a.pos, p.name, m.name AS country FROM alerts a JOIN products p USING (pid)"
                        " JOIN markets m USING (pos) ORDER BY alert_id")
    assert fails(env, world, "create_price_alert", {"pid": watched["pid"], "pos": watched["pos"],
                                                    "target_price": 1}) == (
        f"you already watch '{watched['name']}' in {watched['country']}; change that alert with update_price_alert")
    assert fails(env, world, "create_price_alert", {**args, "retailer": "Corner Shop"}).startswith(
        f"'Corner Shop' does not sell '{item['name']}' in ")
    assert fails(env, world, "compare_price", {"pid": item["pid"], "pos": 9}) == (
        "unknown point of sale 9; use 1 (US), 2 (UK), 3 (Germany) or 4 (Canada)")
    assert fails(env, world, "price_trend", {"pid": "pid_0000000000", "pos": 1}) == (
        "no tracked product with pid 'pid_0000000000'; get_pid_pos_details finds it by name")


def test_at_most_eight_active_alerts(env: Any, world: Any) -> None:
    candidates = world.rows("SELECT pid, pos, MIN(price_cents) AS lowest FROM prices WHERE in_stock = 1"
                            " AND pid NOT IN (SELECT pid FROM alerts) GROUP BY pid ORDER BY pid")
    active = world.value("SELECT COUNT(*) FROM alerts WHERE status = 'active'")
    for item in candidates[:8 - active]:
        world.call("create_price_alert", {"pid": item["pid"], "pos": item["pos"], "target_price": 10})
    extra = candidates[8 - active]
    assert fails(env, world, "create_price_alert", {"pid": extra["pid"], "pos": extra["pos"], "target_price": 10}) == (
        "you have 8 active alerts, the most allowed; delete or pause one first")


def test_update_and_delete_alert(env: Any, world: Any) -> None:
    alert = world.call("list_price_alerts", {})[0]
    missing = fails(env, world, "update_price_alert", {"alert_id": alert["alert_id"]})
    assert missing == "give a new target_price or status"
    too_high = alert["lowest_now"] + 5
    assert fails(env, world, "update_price_alert", {"alert_id": alert["alert_id"], "target_price": too_high}) == (
        f"'{alert['name']}' already sells for {alert['lowest_now']:.2f} {alert['currency']}; the target must be lower")
    paused = world.call("update_price_alert", {"alert_id": alert["alert_id"], "status": "paused", "target_price": 12.5})
    assert (paused["status"], paused["target_price"]) == ("paused", 12.5)
    assert world.row("SELECT status, target_cents FROM alerts WHERE alert_id = ?", alert["alert_id"]) == {
        "status": "paused", "target_cents": 1250}
    assert world.call("delete_price_alert", {"alert_id": alert["alert_id"]})["status"] == "deleted"
    assert world.value("SELECT COUNT(*) FROM alerts WHERE alert_id = ?", alert["alert_id"]) == 0
    assert fails(env, world, "delete_price_alert", {"alert_id": alert["alert_id"]}) == (
        f"no price alert '{alert['alert_id']}'; list_price_alerts shows yours")


def test_history_filters_retailers_and_discount_periods(env: Any, world: Any) -> None:
    item = unwatched(world)
    shop = world.value("SELECT retailer FROM prices WHERE pid = ? AND pos = ? ORDER BY retailer", item["pid"],
                       item["pos"])
    history = world.call("get_price_history", {"pid": item["pid"], "pos": item["pos"], "retailers": [shop.upper()]})
    assert {p["retailer"] for p in history["price_history"]} == {shop} and len(history["price_history"]) == 9
    assert history["lowest_price"] == min(p["price"] for p in history["price_history"])
    coupon = world.row("SELECT * FROM discounts WHERE starts <= '2026-03-02' AND ends >= '2026-03-02' ORDER BY code")
    now = world.call("get_discount_info", {"pid": coupon["pid"], "pos": coupon["pos"], "retailer": coupon["retailer"],
                                           "time_period": "active_now"})
    assert coupon["code"] in [d["code"] for d in now["discounts"]]
    later = world.call("get_discount_info", {"pid": coupon["pid"], "pos": coupon["pos"],
                                             "retailer": coupon["retailer"], "time_period": "upcoming"})
    assert all(d["starts"] > "2026-03-02" for d in later["discounts"])


def test_limits_show_in_the_schema() -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["compare_price"][1].parameters["properties"]["max_retailers"]
    assert (limit["minimum"], limit["maximum"]) == (1, 10)
    assert tools["get_discount_info"][1].parameters["properties"]["time_period"]["enum"] == [
        "active_now", "last_30_days", "last_90_days", "upcoming"]


def test_search_finds_a_product_renamed_in_the_episode(world: Any) -> None:
    pid = world.value("SELECT pid FROM products ORDER BY pid")
    world.execute("UPDATE products SET name = 'Zorblax Hyperphone' WHERE pid = ?", pid)
    assert [p["pid"] for p in world.call("get_pid_pos_details", {"name": "zorblax"})] == [pid]


def test_create_alert_task_gold_earns_one_and_another_target_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "create_price_alert" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "target_price": arguments["target_price"] - 1})]) == 0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if "compare_price" in t.tags["chain"] and t.answer_facts
                and not any(g["name"].endswith("alert") for g in t.gold))
    assert_answer_is_graded(env, task)
