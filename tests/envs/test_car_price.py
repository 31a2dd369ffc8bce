"""Behaviour of the CarPrice environment: dealer quotes, the garage, exact errors, search and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "CarPrice"


def current(world: Any, newest: int = 2021) -> dict[str, Any]:
    """A current price row of a model with its brand, not yet quoted or saved."""
    return world.row("SELECT p.*, m.name, m.brand_id FROM prices p JOIN models m USING (fipe_id) WHERE month = '2026-03'"
                     " AND model_year >= ? AND fipe_id NOT IN (SELECT fipe_id FROM quotes)"
                     " AND fipe_id NOT IN (SELECT fipe_id FROM saved_vehicles) ORDER BY fipe_id, model_year", newest)


def dealer_of(world: Any, brand_id: int, same: bool = True) -> dict[str, Any]:
    return world.row(f"SELECT * FROM dealers WHERE brand_id {'=' if same else '!='} ? ORDER BY dealer_id", brand_id)


def test_request_quote_adds_a_pending_quote(world: Any) -> None:
    car = current(world)
    dealer = dealer_of(world, car["brand_id"])
    before = world.value("SELECT COUNT(*) FROM quotes")
    quote = world.call("request_dealer_quote", {"fipe_id": car["fipe_id"], "model_year": car["model_year"],
                                                "dealer_id": dealer["dealer_id"], "payment": "financing"})
    assert quote == {"quote_id": quote["quote_id"], "vehicle": car["name"], "fipe_id": car["fipe_id"],
                     "model_year": car["model_year"], "dealer": dealer["name"], "payment": "financing",
                     "status": "pending", "fipe_price": car["price_cents"] / 100, "offer": None,
                     "requested": "2026-03-02"}
    assert world.value("SELECT COUNT(*) FROM quotes") == before + 1
    assert world.row("SELECT status, dealer_id FROM quotes WHERE quote_id = ?", quote["quote_id"]) == {
        "status": "pending", "dealer_id": dealer["dealer_id"]}


def test_quote_rules(env: Any, world: Any) -> None:
    car = current(world)
    other = dealer_of(world, car["brand_id"], same=False)
    args = {"fipe_id": car["fipe_id"], "model_year": car["model_year"], "payment": "cash"}
    brand = world.value("SELECT brand_name FROM brands WHERE brand_id = ?", car["brand_id"])
    assert fails(env, world, "request_dealer_quote", {**args, "dealer_id": other["dealer_id"]}) == (
        f"{other['name']} is not a {brand} dealer; find_dealers lists the dealers of {brand}")
    dealer = dealer_of(world, car["brand_id"])
    world.call("request_dealer_quote", {**args, "dealer_id": dealer["dealer_id"]})
    open_id = world.value("SELECT quote_id FROM quotes WHERE fipe_id = ? AND status = 'pending'", car["fipe_id"])
    assert fails(env, world, "request_dealer_quote", {**args, "dealer_id": dealer["dealer_id"]}) == (
        f"you already have an open quote ({open_id}) for the {car['model_year']} {car['name']} at {dealer['name']}")
    old = world.row("SELECT p.*, m.name, m.brand_id FROM prices p JOIN models m USING (fipe_id) WHERE model_year < 2021"
                    " AND month = '2026-03' ORDER BY fipe_id")
    too_old = {"fipe_id": old["fipe_id"], "model_year": old["model_year"], "payment": "cash",
               "dealer_id": dealer_of(world, old["brand_id"])["dealer_id"]}
    assert fails(env, world, "request_dealer_quote", too_old) == (
        f"dealers quote vehicles from model year 2021 on; the {old['model_year']} {old['name']} is too old for a"
        " dealer quote")
    missing = fails(env, world, "request_dealer_quote", {**args, "model_year": 1990, "dealer_id": dealer["dealer_id"]})
    assert missing.startswith(f"the {car['name']} has no model year 1990 in the FIPE table; years listed: ")


def test_pending_quotes_are_capped_at_five(env: Any, world: Any) -> None:
    pending = world.value("SELECT COUNT(*) FROM quotes WHERE status = 'pending'")
    cars = world.rows("SELECT p.fipe_id, p.model_year, m.brand_id FROM prices p JOIN models m USING (fipe_id) WHERE"
                      " month = '2026-03' AND model_year = 2026 AND fipe_id NOT IN (SELECT fipe_id FROM quotes)"
                      " ORDER BY fipe_id")
    for car in cars[:5 - pending]:
        world.call("request_dealer_quote", {"fipe_id": car["fipe_id"], "model_year": 2026, "payment": "cash",
                                            "dealer_id": dealer_of(world, car["brand_id"])["dealer_id"]})
    car = cars[5 - pending]
    assert fails(env, world, "request_dealer_quote", {
        "fipe_id": car["fipe_id"], "model_year": 2026, "payment": "cash",
        "dealer_id": dealer_of(world, car["brand_id"])["dealer_id"]}) == (
        "5 quote requests are already waiting for an answer; cancel one with cancel_quote first")


def test_cancel_quote_transitions(env: Any, world: Any) -> None:
    answered = world.value("SELECT quote_id FROM quotes WHERE status = 'answered' ORDER BY quote_id")
    assert world.call("cancel_quote", {"quote_id": answered})["status"] == "cancelled"
    assert world.value("SELECT status FROM quotes WHERE quote_id = ?", answered) == "cancelled"
    assert fails(env, world, "cancel_quote", {"quote_id": answered}) == (
        f"quote {answered} is already cancelled; only pending or answered quotes can be cancelled")
    expired = world.value("SELECT quote_id FROM quotes WHERE status = 'expired' ORDER BY quote_id")
    assert "already expired" in fails(env, world, "cancel_quote", {"quote_id": expired})


def test_garage_save_and_remove(env: Any, world: Any) -> None:
    car = current(world, 2015)
    entry = world.call("save_vehicle", {"fipe_id": car["fipe_id"], "model_year": car["model_year"],
                                        "paid_price": 50000})
    price = car["price_cents"] / 100
    assert entry == {"entry_id": entry["entry_id"], "vehicle": car["name"], "fipe_id": car["fipe_id"],
                     "model_year": car["model_year"], "nickname": car["name"], "paid_price": 50000.0,
                     "fipe_price": price, "gain_loss": round(price - 50000, 2)}
    assert world.row("SELECT paid_cents, saved FROM saved_vehicles WHERE entry_id = ?", entry["entry_id"]) == {
        "paid_cents": 5000000, "saved": "2026-03-02"}
    assert fails(env, world, "save_vehicle", {"fipe_id": car["fipe_id"], "model_year": car["model_year"]}) == (
        f"the {car['model_year']} {car['name']} is already in your garage as {entry['entry_id']}")
    assert world.call("remove_vehicle", {"entry_id": entry["entry_id"]})["entry_id"] == entry["entry_id"]
    assert world.value("SELECT COUNT(*) FROM saved_vehicles WHERE entry_id = ?", entry["entry_id"]) == 0
    assert fails(env, world, "remove_vehicle", {"entry_id": entry["entry_id"]}) == (
        f"no garage entry '{entry['entry_id']}'; list_garage shows your vehicles")


def test_garage_is_capped_at_ten(env: Any, world: Any) -> None:
    rows = world.rows("SELECT fipe_id, model_year FROM prices WHERE month = '2026-03' AND model_year = 2026 AND"
                      " fipe_id NOT IN (SELECT fipe_id FROM saved_vehicles) ORDER BY fipe_id")
    for row in rows[:10 - world.value("SELECT COUNT(*) FROM saved_vehicles")]:
        world.call("save_vehicle", row)
    assert fails(env, world, "save_vehicle", rows[-1]) == (
        "your garage is full (10 vehicles); remove one with remove_vehicle first")


def test_search_finds_by_model_text_and_brand_of_type(env: Any, world: Any) -> None:
    found = world.call("search_car_price", {"brand_name": "honda", "model": "civic"})
    assert {v["name"] for v in found} == {"Honda Civic Type R 2.0 Turbo"}
    bikes = world.call("search_car_price", {"brand_name": "Honda", "vehicle_type": "motorcycles"})
    assert {v["vehicle_type"] for v in bikes} == {"motorcycles"}
    assert fails(env, world, "search_car_price", {"brand_name": "Lada"}) == (
        "no brand 'Lada' in the FIPE table; get_car_brands lists them")


def test_schema_shows_limits_and_user_known_inputs() -> None:
    tools = world_set(ENV)(0).tools
    year = tools["request_dealer_quote"][1].parameters["properties"]["model_year"]
    assert (year["minimum"], year["maximum"]) == (1990, 2026)
    assert tools["get_vehicles_by_type"][1].parameters["properties"]["vehicle_type"]["enum"] == [
        "cars", "motorcycles", "trucks"]
    assert "model_year" in tools["save_vehicle"][1].user_known


def test_quote_task_gold_earns_one_and_another_dealer_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "quote_from_best_dealer", lambda t: t.seed == 0 and not t.user_facts)
    calls = gold_calls(task)
    answer = "Requested: FIPE price " + ", ".join(str(f) for f in task.answer_facts) + "."
    assert play(env, task.id, calls, answer=answer) == 1.0
    name, arguments = calls[-1]
    brand = world.value("SELECT brand_id FROM dealers WHERE dealer_id = ?", arguments["dealer_id"])
    other = world.value("SELECT dealer_id FROM dealers WHERE brand_id = ? AND dealer_id != ? ORDER BY dealer_id",
                        brand, arguments["dealer_id"])
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "dealer_id": other})], answer=answer) == 0.0
    assert play(env, task.id, []) == 0.0
