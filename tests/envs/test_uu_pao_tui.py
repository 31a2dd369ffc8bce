"""Behaviour of the UUPaoTui environment: quotes, orders, tips, cancellation fees, address book and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "UUPaoTui"


def quote(world: Any, weight: int = 1) -> dict[str, Any]:
    home, office = world.rows("SELECT * FROM addresses ORDER BY label LIMIT 2")
    return world.call("estimate_price", {"fromAddress": home["label"], "toAddress": office["address"],
                                         "adCode": home["adCode"], "goodsWeight": weight})


def test_quote_prices_weight_and_order_is_created_pending(env: Any, world: Any) -> None:
    light, heavy = quote(world), quote(world, 9)
    assert heavy["weightFee"] == 8.0 and heavy["needPayMoney"] == light["needPayMoney"] + 8.0
    seeded = world.value("SELECT COUNT(*) FROM orders")
    order = world.call("create_order", {"priceToken": heavy["priceToken"], "receiverPhone": "13900001111",
                                        "senderPhone": "13800002222"})
    row = world.row("SELECT * FROM orders WHERE orderCode = ?", order["orderCode"])
    assert (row["state"], row["goodsWeight"], row["needPayMoney"]) == ("pending", 9, heavy["needPayMoney"])
    assert world.value("SELECT COUNT(*) FROM orders") == seeded + 1
    again = {"priceToken": heavy["priceToken"], "receiverPhone": "13900001111", "senderPhone": "13800002222"}
    assert fails(env, world, "create_order", again) == (
        "this priceToken was already used for an order; call estimate_price again")


def test_cancel_fees_follow_the_state(env: Any, world: Any) -> None:
    for state, fee in (("pending", 0), ("accepted", 3), ("arrived_at_pickup", 5)):
        order = world.row("SELECT * FROM orders WHERE state = ? ORDER BY orderCode", state)
        result = world.call("cancel_order", {"orderCode": order["orderCode"], "reason": "not needed"})
        assert result == {"orderCode": order["orderCode"], "deductFee": fee,
                          "refund": round(order["needPayMoney"] + order["tip"] - fee, 2)}
        assert world.value("SELECT state FROM orders WHERE orderCode = ?", order["orderCode"]) == "cancelled"
    moving = world.value("SELECT orderCode FROM orders WHERE state = 'delivering' ORDER BY orderCode")
    assert fails(env, world, "cancel_order", {"orderCode": moving, "reason": "x"}) == (
        f"order '{moving}' is delivering and can no longer be cancelled; the runner already has the goods,"
        " call the runner instead")


def test_tips_add_up_to_a_limit(env: Any, world: Any) -> None:
    order = world.row("SELECT * FROM orders WHERE state = 'pending' ORDER BY orderCode")
    assert world.call("add_tip", {"orderCode": order["orderCode"], "tip": 10})["tip"] == order["tip"] + 10
    assert world.value("SELECT tip FROM orders WHERE orderCode = ?", order["orderCode"]) == order["tip"] + 10
    assert fails(env, world, "add_tip", {"orderCode": order["orderCode"], "tip": 45}) == (
        f"the tip would be {order['tip'] + 55} yuan; at most 50 yuan per order ({order['tip'] + 10} already added)")
    assert fails(env, world, "add_tip", {"orderCode": order["orderCode"], "tip": 51}) == (
        "invalid arguments for 'add_tip': tip must be between 1 and 50")


def test_addresses_must_be_in_the_city(env: Any, world: Any) -> None:
    home = world.row("SELECT * FROM addresses ORDER BY label")
    other = world.row("SELECT * FROM places WHERE adCode != ? ORDER BY address", home["adCode"])
    bad = {"fromAddress": home["address"], "toAddress": other["address"], "adCode": home["adCode"]}
    assert fails(env, world, "estimate_price", bad).startswith(f"toAddress '{other['address']}' is in ")
    spot = world.value("SELECT address FROM places WHERE adCode = ? AND address NOT IN (SELECT address FROM"
                       " addresses) ORDER BY address", home["adCode"])
    saved = world.call("add_address", {"label": "Gym", "address": spot, "adCode": home["adCode"],
                                       "contactName": "Li Na", "contactPhone": "13700001234"})
    assert saved["label"] == "Gym" and world.row("SELECT * FROM addresses WHERE label = 'Gym'") == saved
    assert fails(env, world, "add_address", {**saved, "contactPhone": "13700001234"}) == (
        "an address labelled 'Gym' already exists; choose another label")
    assert tuple(world_set(ENV)(0).tools["estimate_price"][1].parameters["properties"]["adCode"]["enum"]) == (
        "110100", "310100", "440300", "510100")


def test_gold_earns_one_and_another_reason_or_order_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "cancel_by_code")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:1]) == 0.0
