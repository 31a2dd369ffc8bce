"""The Commerce domain: its members, prefixed tool names, cross-environment tasks over the new members and rewards."""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks, templates
from envfactory_gym.episode.replay import translate
from tests.envs.support import play

NEW_MEMBERS = ("PriceComparison", "CarPrice", "AmazonProduct", "AttomRealEstate", "FakeStoreServer", "BestBuyServer",
               "EbayServer", "EtsyServer", "RentCast", "ShopifyEcommerce", "ZillowRealEstate")
MEMBERS = ("Retail", *NEW_MEMBERS)


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Commerce-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str, last: str | None = None) -> Any:
    """The first cross task of a template (whose last gold call is ``last``, when given)."""
    return next(t for t in env.tasks if t.env == "Commerce" and t.tags["scenario"] == scenario
                and (last is None or t.gold[-1]["name"] == last))


def calls(env: Any, task: Any) -> list[tuple[str, dict[str, Any]]]:
    """A task's gold calls under the domain's tool names."""
    return [(translate(env.worlds, task, g), g["arguments"]) for g in task.gold]


def member(env: Any, task: Any, name: str) -> Any:
    """A member world in the task's initial state (to read what a wrong path would use)."""
    env.reset(options={"task_id": task.id})
    return env.worlds.worlds[name]


def test_domain_lists_every_member(env: Any) -> None:
    assert set(env.worlds.worlds) == set(MEMBERS)


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"AmazonProduct_search_items", "EbayServer_search_items", "AmazonProduct_add_to_cart",
            "FakeStoreServer_add_to_cart", "EbayServer_create_listing", "EtsyServer_create_listing",
            "AttomRealEstate_get_property_valuation", "RentCast_get_property_valuation"} <= names
    assert not {"search_items", "add_to_cart", "create_listing", "get_property_valuation"} & names
    assert {"reserve_for_pickup", "create_price_alert", "buy_item", "favorite_listing", "adjust_inventory",
            "save_favorite", "save_search"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_cross_tasks_chain_the_new_members(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Commerce"]
    assert len(cross) >= 20
    assert all(t.tags["envs"] >= 2 and t.tags["writes"] for t in cross)
    spanned = {g["env"] for t in cross for g in t.gold}
    assert set(NEW_MEMBERS) - {"CarPrice"} <= spanned  # CarPrice (Brazilian vehicle prices) has no partner
    assert {t.tags["scenario"] for t in cross} == set(templates("Commerce"))  # every template yields tasks
    assert len(env.tasks) == sum(len(load_tasks(m)) for m in MEMBERS) + len(cross)


@pytest.mark.parametrize("scenario", sorted(templates("Commerce")))
def test_gold_earns_one_and_stopping_short_earns_zero(env: Any, scenario: str) -> None:
    task = cross_task(env, scenario)
    gold = calls(env, task)
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, gold[:-1]) == 0.0


def test_headphones_bought_at_the_dearer_store_earn_zero(env: Any) -> None:
    task = cross_task(env, "headphones_where_cheaper", "reserve_for_pickup")
    gold = calls(env, task)
    amazon = member(env, task, "AmazonProduct")
    colour = next(c for c in ("Black", "Midnight Blue") if f" in {c.lower()}" in task.request)
    asin = amazon.value("SELECT asin FROM items WHERE title = ?", f"Sony WH-1000XM5 Wireless Noise Canceling "
                        f"Headphones, {colour}")
    assert play(env, task.id, [*gold[:3], ("AmazonProduct_add_to_cart", {"asin": asin, "quantity": 1})]) == 0.0


def test_price_alert_must_sit_at_the_record_low(env: Any) -> None:
    task = cross_task(env, "amazon_price_or_alert", "create_price_alert")
    gold = calls(env, task)
    name, alert = gold[-1]
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, [*gold[:-1], (name, {**alert, "target_price": alert["target_price"] - 1})]) == 0.0


def test_resale_price_follows_the_tracker(env: Any) -> None:
    task = cross_task(env, "resell_under_retail")
    gold = calls(env, task)
    name, listing = gold[-1]
    assert play(env, task.id, [*gold[:-1], (name, {**listing, "price": listing["price"] + 5})]) == 0.0
    assert play(env, task.id, [*gold[:-1], (name, {**listing, "condition": "NEW"})]) == 0.0


def test_etsy_order_takes_exactly_its_units_off_shopify(env: Any) -> None:
    task = cross_task(env, "ship_etsy_order_from_shopify")
    gold = calls(env, task)
    adjust = next(i for i, (name, _) in enumerate(gold) if name == "adjust_inventory")
    name, change = gold[adjust]
    wrong = [*gold[:adjust], (name, {**change, "delta": change["delta"] - 1}), *gold[adjust + 1:]]
    assert play(env, task.id, wrong) == 0.0
    assert play(env, task.id, [g for i, g in enumerate(gold) if i != adjust]) == 0.0  # shipped, stock untouched


def test_copied_listing_must_be_live_at_the_etsy_price(env: Any) -> None:
    task = cross_task(env, "copy_etsy_listing_to_shopify")
    gold = calls(env, task)
    name, product = gold[-1]
    assert play(env, task.id, [*gold[:-1], (name, {**product, "status": "draft"})]) == 0.0
    variant = {**product["variants"][0], "price": product["variants"][0]["price"] + 1}
    assert play(env, task.id, [*gold[:-1], (name, {**product, "variants": [variant]})]) == 0.0


def test_rent_yield_saves_only_the_winner(env: Any) -> None:
    task = cross_task(env, "better_rent_yield")
    gold = calls(env, task)
    search = next(args for name, args in gold if name == "search_properties")
    zillow, rentcast_world = member(env, task, "ZillowRealEstate"), member(env, task, "RentCast")
    loser = ("save_favorite", {"zpid": zillow.search_properties(
        search["city"], search["state"], status="FOR_SALE", min_beds=search["min_beds"])["results"][0]["zpid"]})
    rentcast = next(args for name, args in gold if name == "search_sale_listings")
    other = ("save_search", {"name": f"{rentcast['city']} rentals to buy", "listing_type": "sale",
                             "city": rentcast["city"], "state": rentcast["state"],
                             "max_price": rentcast_world.search_sale_listings(
                                 rentcast["city"], rentcast["state"], bedrooms=rentcast["bedrooms"])["listings"][0]
                             ["price"]})
    wrong = other if gold[-1][0] == "save_favorite" else loser
    assert play(env, task.id, [*gold[:-1], wrong]) == 0.0
    assert play(env, task.id, [*gold, wrong]) == 0.0  # saving both is not what was asked
