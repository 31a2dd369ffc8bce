"""Behaviour of the EtsyServer environment: drafts, publishing and renewal fees, ownership, favorites, shipping."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from envfactory_gym.registration import world_set
from envs.commerce.etsy_server import MY_SHOP
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "EtsyServer"


def shop_id(world: Any, mine: bool = True) -> int:
    return world.value(f"SELECT shop_id FROM shops WHERE owner {'=' if mine else '!='} 'me' ORDER BY shop_id")


def listing(world: Any, state: str, mine: bool = True) -> dict[str, Any]:
    return world.row(f"SELECT l.* FROM listings l JOIN shops s USING (shop_id) WHERE l.state = ?"
                     f" AND s.owner {'=' if mine else '!='} 'me' ORDER BY listing_id", state)


def test_create_listing_makes_a_draft_found_by_search_after_publishing(env: Any, world: Any) -> None:
    args = {"shop_id": shop_id(world), "title": "Heather Wool Felted Slippers", "description": "Warm.",
            "price": 54.5, "quantity": 6, "taxonomy_id": 1210, "tags": ["Cozy", "felt"]}
    made = world.call("create_listing", args)
    row = world.row("SELECT * FROM listings WHERE listing_id = ?", made["listing_id"])
    assert (row["state"], row["price_cents"], row["quantity"], row["tags"], row["ending"]) == (
        "draft", 5450, 6, "cozy,felt", None)
    assert world.call("search_listings", {"keywords": "felted slippers"})["count"] == 0
    fees = world.value("SELECT COUNT(*) FROM ledger")
    published = world.call("publish_listing", {"listing_id": made["listing_id"]})
    assert published == {"listing_id": made["listing_id"], "state": "active", "ending": "2026-06-30",
                         "quantity": 6, "fee_charged": 0.2}
    assert world.value("SELECT COUNT(*) FROM ledger") == fees + 1
    assert world.value("SELECT amount_cents FROM ledger ORDER BY entry_id DESC") == -20
    found = world.call("search_listings", {"keywords": "felted slippers"})["results"]
    assert [r["listing_id"] for r in found] == [made["listing_id"]]
    assert fails(env, world, "publish_listing", {"listing_id": made["listing_id"]}) == (
        f"listing {made['listing_id']} is active; only draft or inactive listings can be published "
        "(it is already live)")


def test_create_listing_rules(env: Any, world: Any) -> None:
    args = {"shop_id": shop_id(world), "title": "Old Brass Key", "description": "Found at a market.",
            "price": 12, "quantity": 1, "taxonomy_id": 1380}
    assert fails(env, world, "create_listing", {**args, "who_made": "someone_else"}).startswith(
        "Etsy only allows items someone else made when they are vintage")
    other = world.row("SELECT * FROM shops WHERE owner != 'me' ORDER BY shop_id")
    assert fails(env, world, "create_listing", {**args, "shop_id": other["shop_id"]}) == (
        f"you do not own the shop {other['shop_name']}; only its owner can add listings to it")
    assert fails(env, world, "create_listing", {**args, "taxonomy_id": 5}) == (
        "no taxonomy_id 5; get_taxonomy lists the categories")
    cheap = fails(env, world, "create_listing", {**args, "price": 0.1})
    assert cheap == "invalid arguments for 'create_listing': price must be between 0.2 and 50000"
    made = world.call("create_listing", {**args, "who_made": "someone_else", "when_made": "1990s"})
    assert made["state"] == "draft"


def test_renew_expired_and_sold_out(env: Any, world: Any) -> None:
    expired = listing(world, "expired")
    renewed = world.call("renew_listing", {"listing_id": expired["listing_id"]})
    assert (renewed["state"], renewed["ending"], renewed["fee_charged"]) == ("active", "2026-06-30", 0.2)
    assert world.value("SELECT state FROM listings WHERE listing_id = ?", expired["listing_id"]) == "active"
    sold_out = listing(world, "sold_out")
    assert fails(env, world, "renew_listing", {"listing_id": sold_out["listing_id"]}) == (
        f"listing {sold_out['listing_id']} is sold out; give the quantity you have in stock to renew it")
    assert fails(env, world, "update_listing", {"listing_id": sold_out["listing_id"], "price": 9}) == (
        f"listing {sold_out['listing_id']} is sold_out; renew_listing brings it back first")
    assert world.call("renew_listing", {"listing_id": sold_out["listing_id"], "quantity": 4})["quantity"] == 4
    draft = listing(world, "draft")
    assert fails(env, world, "renew_listing", {"listing_id": draft["listing_id"]}) == (
        f"listing {draft['listing_id']} is draft; use publish_listing for draft or inactive listings")


def test_update_listing_changes_only_given_fields(env: Any, world: Any) -> None:
    active = listing(world, "active")
    assert fails(env, world, "update_listing", {"listing_id": active["listing_id"]}) == (
        "give at least one of price, quantity or title to change")
    world.call("update_listing", {"listing_id": active["listing_id"], "price": 19.99})
    after = world.row("SELECT * FROM listings WHERE listing_id = ?", active["listing_id"])
    assert after == {**active, "price_cents": 1999}


def test_favorite_rules(env: Any, world: Any) -> None:
    theirs = world.row("SELECT l.* FROM listings l JOIN shops s USING (shop_id) WHERE s.owner != 'me' AND"
                       " l.state = 'active' AND listing_id NOT IN (SELECT listing_id FROM favorites) ORDER BY listing_id")
    result = world.call("favorite_listing", {"listing_id": theirs["listing_id"]})
    assert result["num_favorers"] == theirs["num_favorers"] + 1
    assert world.value("SELECT COUNT(*) FROM favorites WHERE listing_id = ?", theirs["listing_id"]) == 1
    assert fails(env, world, "favorite_listing", {"listing_id": theirs["listing_id"]}) == (
        f"listing {theirs['listing_id']} is already in your favorites")
    mine = listing(world, "active")
    assert fails(env, world, "favorite_listing", {"listing_id": mine["listing_id"]}) == (
        f"listing {mine['listing_id']} is in your own shop; you can only favorite other shops' items")


def test_receipts_and_shipment_need_ownership(env: Any, world: Any) -> None:
    other = world.row("SELECT * FROM shops WHERE owner != 'me' ORDER BY shop_id")
    assert fails(env, world, "get_receipts", {"shop_id": other["shop_id"]}) == (
        f"you do not own the shop {other['shop_name']}; only its owner can see its orders")
    assert fails(env, world, "get_shop_listings", {"shop_id": other["shop_id"], "status": "draft"}) == (
        f"you do not own the shop {other['shop_name']}; only its owner can see its draft listings")
    paid = world.row("SELECT r.* FROM receipts r JOIN shops s USING (shop_id) WHERE s.owner = 'me' AND"
                     " r.status = 'paid' ORDER BY receipt_id")
    args = {"receipt_id": paid["receipt_id"], "carrier_name": "usps", "tracking_code": "9400111899223197428490"}
    shipped = world.call("create_receipt_shipment", args)
    assert (shipped["status"], shipped["is_shipped"], shipped["tracking_code"]) == (
        "completed", True, "9400111899223197428490")
    assert fails(env, world, "create_receipt_shipment", args) == (
        f"order {paid['receipt_id']} is completed; only paid orders can be marked shipped")
    recent = world.call("get_receipts", {"shop_id": shop_id(world), "min_created": paid["created"],
                                         "max_created": paid["created"]})["results"]
    assert paid["receipt_id"] in [r["receipt_id"] for r in recent]


def test_schema_limits_and_shop_lookup(world: Any) -> None:
    tools = world_set(ENV)(0).tools
    assert tools["create_listing"][1].parameters["properties"]["title"]["maxLength"] == 140
    assert tools["create_receipt_shipment"][1].user_known == frozenset({"receipt_id"})
    assert [s["shop_name"] for s in world.call("find_shops", {"shop_name": "thistleand"})] == [MY_SHOP]


def test_gold_earns_one_and_wrong_listing_zero(world: Any) -> None:
    env = gym.make(f"EnvFactory/{ENV}-v0", split=None).unwrapped
    task = next(t for t in env.tasks if t.gold[-1]["name"] == "publish_listing" and not t.user_facts
                and isinstance(t.gold[-1]["arguments"]["listing_id"], int) and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    world = env.worlds.worlds[ENV]
    other = world.value("SELECT listing_id FROM listings l JOIN shops s USING (shop_id) WHERE s.owner = 'me' AND"
                        " l.state = 'draft' AND listing_id != ? ORDER BY listing_id", calls[-1][1]["listing_id"])
    assert play(env, task.id, [*calls[:-1], ("publish_listing", {"listing_id": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
    assert_answer_is_graded(env, next(t for t in env.tasks if t.answer_facts and len(t.gold) == 1))
