"""Task templates of UUPaoTui: cancelling or tipping an open delivery the user names by its addresses."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.travel.uu_pao_tui import UUPaoTui


def open_order(world: UUPaoTui, rng: random.Random, states: tuple[str, ...]) -> dict[str, Any] | None:
    rows = world.rows("SELECT * FROM orders WHERE state IN (?, ?, ?) ORDER BY orderCode", *(states * 3)[:3])
    return rng.choice(rows) if rows else None


@scenario
def cancel_delivery(world: UUPaoTui, rng: random.Random) -> Draft | None:
    order = open_order(world, rng, ("pending", "accepted", "arrived_at_pickup"))
    if order is None:
        return None
    reason = rng.choice(["The parcel is not ready yet", "I will deliver it myself", "Wrong drop-off address"])
    return Draft(
        request=f"Cancel my open UU delivery from {order['fromAddress']} to {order['toAddress']} ({reason.lower()})"
                " and tell me how much of the fee is kept.",
        calls=(call("list_orders", state=order["state"]),
               call("cancel_order", orderCode=order["orderCode"], reason=reason)),
        answer=(f"{ {'pending': 0, 'accepted': 3, 'arrived_at_pickup': 5}[order['state']]} yuan",))


@scenario
def tip_delivery(world: UUPaoTui, rng: random.Random) -> Draft | None:
    order = open_order(world, rng, ("pending", "accepted"))
    if order is None:
        return None
    tip = rng.choice([2, 5, 8, 10])
    return Draft(
        request=f"My UU order {order['orderCode']} is taking a while. Add a {tip} yuan tip to it, then tell me"
                " what the tip comes to in total.",
        calls=(call("add_tip", orderCode=order["orderCode"], tip=tip),),
        answer=(f"{order['tip'] + tip} yuan",))


@scenario
def cancel_by_code(world: UUPaoTui, rng: random.Random) -> Draft | None:
    order = open_order(world, rng, ("pending", "accepted", "arrived_at_pickup"))
    if order is None:
        return None
    return Draft(
        request=f"Please check on UU order {order['orderCode']} and cancel it, the receiver is not home today.",
        calls=(call("query_order", orderCode=order["orderCode"]),
               call("cancel_order", orderCode=order["orderCode"], reason="the receiver is not home today")))
