"""Behaviour of the VehicleControl environment: the start sequence, fuel, cruise, climate, tires, trips, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "VehicleControl"
ALL_DOORS = ["driver", "passenger", "rear_left", "rear_right"]


def car(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM car")


def start(world: Any) -> None:
    world.call("lock_doors", {"door_positions": ALL_DOORS})
    world.call("press_brake_pedal", {"pedal_position": 1.0})
    world.call("start_engine", {})


def test_engine_start_needs_brake_and_locked_doors(env: Any, world: Any) -> None:
    world.call("unlock_doors", {"door_positions": ["rear_left"]})
    assert fails(env, world, "start_engine", {}) == "press the brake pedal (press_brake_pedal) before starting the engine"
    assert world.call("press_brake_pedal", {"pedal_position": 0.5}) == {
        "brake_pedal_status": "pressed", "brake_pedal_force": 500.0}
    assert fails(env, world, "start_engine", {}) == "lock every door before starting the engine; unlocked: rear_left"
    locked = world.call("lock_doors", {"door_positions": ALL_DOORS})
    assert locked == {"lock_status": "locked", "door_status": dict.fromkeys(ALL_DOORS, "locked"),
                      "remaining_unlocked_doors": 0}
    assert world.call("start_engine", {})["engine_state"] == "running"
    assert car(world)["engine"] == "running"
    assert fails(env, world, "start_engine", {}) == "the engine is already running"


def test_fill_fuel_respects_the_tank_and_logs_the_refuel(env: Any, world: Any) -> None:
    before = car(world)
    room = round(before["tank"] - before["fuel"], 1)
    assert fails(env, world, "fill_fuel_tank", {"fuel_amount": room + 1}) == (
        f"the tank holds {before['tank']:g} gallons and has {before['fuel']:g}; at most {room:g} more gallons fit")
    logged = world.value("SELECT COUNT(*) FROM refuels")
    assert world.call("fill_fuel_tank", {"fuel_amount": 1.5}) == {
        "fuel_level": round(before["fuel"] + 1.5, 1), "tank_capacity": before["tank"]}
    assert world.value("SELECT COUNT(*) FROM refuels") == logged + 1
    start(world)
    assert fails(env, world, "fill_fuel_tank", {"fuel_amount": 1}) == "stop the engine before refuelling"
    over = fails(env, world, "fill_fuel_tank", {"fuel_amount": 51})
    assert over == "invalid arguments for 'fill_fuel_tank': fuel_amount: Input should be less than or equal to 50"


def test_cruise_control_rules(env: Any, world: Any) -> None:
    args = {"speed": 90, "activate": True}
    assert fails(env, world, "set_cruise_control", args) == "start the engine before turning on cruise control"
    start(world)
    world.call("set_parking_brake", {"action": "engage"})
    assert fails(env, world, "set_cruise_control", args) == "release the parking brake before turning on cruise control"
    world.call("set_parking_brake", {"action": "release"})
    assert fails(env, world, "set_cruise_control", {**args, "speed": 92}) == (
        "cruise speed must be a multiple of 5 from 30 to 150 km/h, not 92")
    assert world.call("set_cruise_control", {**args, "distance_to_next_vehicle": 60}) == {
        "cruise_status": "active", "current_speed": 90.0, "distance_to_next_vehicle": 60.0}
    assert fails(env, world, "stop_engine", {}) == "the car is moving at 90 km/h; bring it to a stop first"
    assert fails(env, world, "unlock_doors", {"door_positions": ["driver"]}) == (
        "doors cannot be unlocked while the car is moving")
    world.call("press_brake_pedal", {})
    assert car(world)["cruise"] == "inactive"


def test_climate_converts_fahrenheit_and_keeps_the_range(env: Any, world: Any) -> None:
    result = world.call("set_climate_control", {"temperature": 72, "unit": "fahrenheit", "mode": "cool",
                                                "fan_speed": 40})
    assert (result["current_temperature"], result["climate_mode"], result["fan_speed"]) == (22.2, "cool", 40)
    assert (car(world)["cabin_temp"], car(world)["climate"]) == (22.2, "cool")
    assert fails(env, world, "set_climate_control", {"temperature": 35}) == (
        "35 celsius is outside the cabin range of 16-30 celsius (61-86 fahrenheit)")


def test_tires_and_shops(world: Any) -> None:
    tires = {r["position"]: r["psi"] for r in world.rows("SELECT * FROM tires")}
    check = world.call("check_tire_pressure", {})
    assert check["healthy_tire_pressure"] == all(32 <= p <= 36 for p in tires.values())
    assert world.call("get_tire_pressure", {"tire_position": "rear_right"})["tire_pressure"] == {
        "rear_right": tires["rear_right"]}
    shop = world.call("find_nearest_tire_shop", {})
    nearest = world.row("SELECT * FROM tire_shops WHERE city = ? ORDER BY distance_miles, shop_id", car(world)["city"])
    assert shop == {"shop_location": nearest["address"], "name": nearest["name"],
                    "distance_miles": nearest["distance_miles"]}


def test_city_lookups_and_distance(env: Any, world: Any) -> None:
    assert world.call("get_city_zipcode", {"city_name": "denver"}) == {"city_zipcode": "80202"}
    assert fails(env, world, "get_city_zipcode", {"city_name": "Atlantis"}) == (
        "no city with name 'Atlantis' in the car's map data")
    trip = world.call("estimate_distance_between_cities", {"city_a_zipcode": "98101", "city_b_zipcode": "94102"})
    assert 800 < trip["distance"] < 1000 and "Portland" in trip["intermediary_cities"]
    schema = world_set(ENV)(0).tools["estimate_distance_between_cities"][1].parameters
    assert schema["properties"]["city_a_zipcode"]["pattern"] == r"^\d{5}$"
    assert world.call("convert_gallon_to_liter", {"gallons": 10}) == {"liters": 37.85}


def test_navigation_is_written(world: Any) -> None:
    assert world.call("set_navigation_destination", {"destination": "Denver"}) == {
        "destination": "Denver", "navigation_status": "navigating"}
    assert world.call("get_navigation_status", {}) == {"destination": "Denver", "navigation_status": "navigating"}


def test_gold_earns_one_and_a_wrong_speed_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "start_and_cruise")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "speed": arguments["speed"] + 10})]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0
