"""Task templates of VehicleControl: getting the car ready, refuelling, trips between cities, tire care."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.lifestyle.vehicle_control import LITERS_PER_GALLON, VehicleControl


def unlocked(world: VehicleControl) -> list[str]:
    return [r["position"] for r in world.rows("SELECT position FROM doors WHERE locked = 0 ORDER BY rowid")]


def ready_calls(world: VehicleControl) -> tuple[Any, ...]:
    """Lock what is open, press the brake and start the engine."""
    doors = unlocked(world)
    lock = (call("get_door_status"), call("lock_doors", door_positions=doors)) if doors else (call("get_door_status"),)
    return (*lock, call("press_brake_pedal", pedal_position=1.0), call("start_engine"))


@scenario
def start_and_cruise(world: VehicleControl, rng: random.Random) -> Draft:
    speed, gap = rng.choice([80, 90, 100, 110]), rng.choice([40, 60, 80])
    return Draft(request=f"Get the car going: start it, let off the brake pedal and the parking brake, and hold "
                         f"{speed} km/h on cruise control with a {gap} m gap to the car ahead.",
                 calls=(*ready_calls(world), call("release_brake_pedal"), call("set_parking_brake", action="release"),
                        call("set_cruise_control", speed=speed, activate=True, distance_to_next_vehicle=gap)))


@scenario
def warm_up_then_off(world: VehicleControl, rng: random.Random) -> Draft:
    temp = rng.choice([21, 22, 23])
    return Draft(request=f"Start the car so the cabin warms to {temp} °C in heat mode, then switch the engine off "
                         "again and take my foot off the brake.",
                 calls=(*ready_calls(world), call("set_climate_control", temperature=temp, unit="celsius",
                                                  mode="heat"), call("stop_engine"), call("release_brake_pedal")))


@scenario
def fill_it_up(world: VehicleControl, rng: random.Random) -> Draft | None:
    car = world.row("SELECT * FROM car")
    room = round(car["tank"] - car["fuel"], 1)
    if room < 1:
        return None
    return Draft(request="Fill the tank all the way up, and tell me how many gallons that took.",
                 calls=(call("get_fuel_level"), call("fill_fuel_tank", fuel_amount=room)), answer=(f"{room:g}",))


@scenario
def liters_in(world: VehicleControl, rng: random.Random) -> Draft | None:
    car = world.row("SELECT * FROM car")
    liters = rng.choice([10, 15, 20, 25, 30])
    gallons = round(liters / LITERS_PER_GALLON, 2)
    if gallons > car["tank"] - car["fuel"]:
        return None
    return Draft(request=f"I just put {liters} liters of fuel in. Log it in the car in gallons.",
                 calls=(call("convert_liter_to_gallon", liters=liters), call("fill_fuel_tank", fuel_amount=gallons)))


@scenario
def trip_check(world: VehicleControl, rng: random.Random) -> Draft:
    here, there = rng.sample(world.rows("SELECT * FROM cities ORDER BY name"), 2)
    return Draft(request=f"I'm driving from {here['name']} to {there['name']}. How many miles is it by road, "
                         "and is there enough fuel for it? Start the navigation there.",
                 calls=(call("get_city_zipcode", city_name=here["name"]), call("get_city_zipcode", city_name=there["name"]),
                        call("estimate_distance_between_cities", city_a_zipcode=Ref(0, "city_zipcode"),
                             city_b_zipcode=Ref(1, "city_zipcode")),
                        call("estimate_drive_feasibility", distance=Ref(2, "distance"), unit="miles"),
                        call("set_navigation_destination", destination=there["name"])),
                 answer=(Ref(2, "distance"),))


@scenario
def via_cities(world: VehicleControl, rng: random.Random) -> Draft | None:
    here, there = rng.sample(world.rows("SELECT * FROM cities ORDER BY name"), 2)
    return Draft(request=f"Which cities would I pass between {here['name']} and {there['name']}, and how far is it?",
                 calls=(call("get_city_zipcode", city_name=here["name"]), call("get_city_zipcode", city_name=there["name"]),
                        call("estimate_distance_between_cities", city_a_zipcode=Ref(0, "city_zipcode"),
                             city_b_zipcode=Ref(1, "city_zipcode"))),
                 answer=(Ref(2, "distance"),))


@scenario
def one_tire(world: VehicleControl, rng: random.Random) -> Draft | None:
    low = world.rows("SELECT * FROM tires WHERE psi < 32 ORDER BY rowid")
    if not low:
        return None
    tire = rng.choice(low)
    side = tire["position"].replace("_", "-")
    return Draft(request=f"The {side} tire looks soft. What's its pressure? If it's low, navigate me to the nearest "
                         "tire shop.",
                 calls=(call("get_tire_pressure", tire_position=tire["position"]), call("find_nearest_tire_shop"),
                        call("set_navigation_destination", destination=Ref(1, "shop_location"))),
                 answer=(f"{tire['psi']:g}",))


@scenario
def lights_for_night(world: VehicleControl, rng: random.Random) -> Draft | None:
    if world.value("SELECT headlights FROM car") == "on":
        return None
    return Draft(request="It's getting dark. Check what the headlights are set to and switch them on.",
                 calls=(call("get_headlight_status"), call("set_headlights", mode="on")))
