"""Task templates of CarPrice: dealer quotes for a model year, the garage with the price paid, quote clean-up."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.commerce.car_price import CURRENT_YEAR, MONTHS, QUOTE_MAX_AGE, CarPrice


def fipe_of(name: str) -> Any:
    """A transform picking the FIPE code of the model called ``name`` from search_car_price (for Ref)."""
    return lambda vehicles: next(v["fipe_id"] for v in vehicles if v["name"] == name)


def vehicle(world: CarPrice, rng: random.Random, newest: int = 0) -> dict[str, Any]:
    """A current price row of a model and year, with its model, brand and vehicle type."""
    return rng.choice(world.rows(
        "SELECT p.*, m.name, m.model, b.brand_name, b.vehicle_type, b.brand_id FROM prices p JOIN models m USING"
        " (fipe_id) JOIN brands b USING (brand_id) WHERE p.month = ? AND p.model_year >= ? ORDER BY p.fipe_id,"
        " p.model_year", MONTHS[-1], newest))


@scenario
def quote_from_best_dealer(world: CarPrice, rng: random.Random) -> Draft | None:
    car = vehicle(world, rng, CURRENT_YEAR - QUOTE_MAX_AGE)
    dealers = world.rows("SELECT * FROM dealers WHERE brand_id = ? ORDER BY rating DESC, name", car["brand_id"])
    if len(dealers) < 2 or dealers[0]["rating"] == dealers[1]["rating"]:
        return None
    payment = rng.choice(["cash", "financing", "trade_in", "consortium"])
    how = {"cash": "paying cash", "financing": "with financing", "trade_in": "trading in my current car",
           "consortium": "through a consórcio"}[payment]
    return Draft(
        request=(f"I want a quote on a {car['model_year']} {car['name']} from the best-rated {car['brand_name']} "
                 f"dealer, {how}. What's its FIPE price, and which dealer did you ask?"),
        calls=(call("search_car_price", brand_name=car["brand_name"], model=car["model"],
                    model_year=car["model_year"], vehicle_type=car["vehicle_type"]),
               call("find_dealers", brand_name=car["brand_name"]),
               call("request_dealer_quote", fipe_id=Ref(0, "", then=fipe_of(car["name"])),
                    model_year=car["model_year"], dealer_id=Ref(1, "0.dealer_id"), payment=payment)),
        answer=(round(car["price_cents"] / 100, 2), dealers[0]["name"]))


@scenario
def save_with_price_paid(world: CarPrice, rng: random.Random) -> Draft | None:
    car = vehicle(world, rng)
    if world.value("SELECT 1 FROM saved_vehicles WHERE fipe_id = ? AND model_year = ?", car["fipe_id"],
                   car["model_year"]):
        return None
    paid = round(car["price_cents"] / 100 * rng.uniform(0.85, 1.2), -2)
    nickname = rng.choice(["the new one", "my commuter", "farm truck", "Sunday bike", "mom's car"])
    asked = rng.random() < 0.4
    return Draft(
        request=(f"Add my {car['model_year']} {car['name']} to my garage as '{nickname}'. " +
                 (f"I paid R$ {paid:,.0f} for it. " if not asked else "I'll tell you what I paid if you need it. ") +
                 "Am I up or down against today's FIPE value, and by how much?"),
        calls=(call("search_car_price", brand_name=car["brand_name"], model=car["model"],
                    model_year=car["model_year"], vehicle_type=car["vehicle_type"]),
               call("save_vehicle", fipe_id=Ref(0, "", then=fipe_of(car["name"])), model_year=car["model_year"],
                    nickname=nickname, paid_price=paid)),
        answer=(round(car["price_cents"] / 100 - paid, 2),),
        ask=(UserFact("price paid", f"R$ {paid:,.0f}", ("paid", "price", "pay")),) if asked else ())


@scenario
def cancel_quote_at_dealer(world: CarPrice, rng: random.Random) -> Draft | None:
    quotes = world.rows("SELECT q.*, m.name AS vehicle, d.name AS dealer FROM quotes q JOIN models m USING (fipe_id)"
                        " JOIN dealers d USING (dealer_id) WHERE status IN ('pending', 'answered') ORDER BY quote_id")
    quote = rng.choice(quotes)
    offer = "I won't take their offer" if quote["status"] == "answered" else "I don't need it anymore"
    return Draft(
        request=f"Cancel my quote request for the {quote['model_year']} {quote['vehicle']} at {quote['dealer']}; "
                f"{offer}.",
        calls=(call("list_quotes", status=quote["status"]), call("cancel_quote", quote_id=quote["quote_id"])),
        alternatives=((call("list_quotes"), call("cancel_quote", quote_id=quote["quote_id"])),))


@scenario
def sold_and_replaced(world: CarPrice, rng: random.Random) -> Draft | None:
    old = rng.choice(world.rows("SELECT s.*, m.name FROM saved_vehicles s JOIN models m USING (fipe_id)"
                                " ORDER BY entry_id"))
    car = vehicle(world, rng, CURRENT_YEAR - 2)
    if car["fipe_id"] == old["fipe_id"]:
        return None
    return Draft(
        request=(f"I sold my '{old['nickname']}' and bought a {car['model_year']} {car['name']}. Swap them in my "
                 "garage and tell me the new one's FIPE value."),
        calls=(call("list_garage"), call("remove_vehicle", entry_id=old["entry_id"]),
               call("search_car_price", brand_name=car["brand_name"], model=car["model"],
                    model_year=car["model_year"], vehicle_type=car["vehicle_type"]),
               call("save_vehicle", fipe_id=Ref(2, "", then=fipe_of(car["name"])), model_year=car["model_year"])),
        answer=(round(car["price_cents"] / 100, 2),))
