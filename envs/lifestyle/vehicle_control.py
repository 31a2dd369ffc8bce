"""VehicleControl: the connected-car app of one vehicle: engine, fuel, doors, climate, lights, brakes, cruise
control, tires and navigation, with unit converters and lookups over a table of cities."""

from __future__ import annotations

import functools
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

LITERS_PER_GALLON = 3.78541
KM_PER_MILE = 1.60934
TIRE_PSI = (32.0, 36.0)
DOORS = ("driver", "passenger", "rear_left", "rear_right")
TIRES = ("front_left", "front_right", "rear_left", "rear_right")
MODELS = [("Toyota Camry Hybrid", 13.2, 48), ("Ford F-150", 26.0, 21), ("Honda CR-V", 14.0, 30),
          ("Subaru Outback", 18.5, 28), ("Chevrolet Malibu", 15.8, 31), ("Jeep Grand Cherokee", 23.0, 22)]
CITIES = [  # name, state, zip code, latitude, longitude
    ("Seattle", "WA", "98101", 47.61, -122.33), ("Portland", "OR", "97201", 45.52, -122.68),
    ("San Francisco", "CA", "94102", 37.77, -122.42), ("Sacramento", "CA", "95814", 38.58, -121.49),
    ("Los Angeles", "CA", "90012", 34.05, -118.24), ("San Diego", "CA", "92101", 32.72, -117.16),
    ("Las Vegas", "NV", "89101", 36.17, -115.14), ("Reno", "NV", "89501", 39.53, -119.81),
    ("Phoenix", "AZ", "85004", 33.45, -112.07), ("Tucson", "AZ", "85701", 32.22, -110.97),
    ("Salt Lake City", "UT", "84101", 40.76, -111.89), ("Boise", "ID", "83702", 43.62, -116.20),
    ("Denver", "CO", "80202", 39.74, -104.99), ("Albuquerque", "NM", "87102", 35.08, -106.65),
    ("Dallas", "TX", "75201", 32.78, -96.80), ("Austin", "TX", "78701", 30.27, -97.74),
    ("Houston", "TX", "77002", 29.76, -95.37), ("San Antonio", "TX", "78205", 29.42, -98.49),
    ("Oklahoma City", "OK", "73102", 35.47, -97.52), ("Kansas City", "MO", "64106", 39.10, -94.58),
    ("Omaha", "NE", "68102", 41.26, -95.94), ("Minneapolis", "MN", "55401", 44.98, -93.27),
    ("Chicago", "IL", "60601", 41.88, -87.63), ("St. Louis", "MO", "63101", 38.63, -90.20),
    ("Nashville", "TN", "37201", 36.16, -86.78), ("Memphis", "TN", "38103", 35.15, -90.05),
    ("Atlanta", "GA", "30303", 33.75, -84.39), ("Miami", "FL", "33130", 25.76, -80.19),
    ("Orlando", "FL", "32801", 28.54, -81.38), ("Charlotte", "NC", "28202", 35.23, -80.84),
    ("Washington", "DC", "20001", 38.91, -77.02), ("Philadelphia", "PA", "19103", 39.95, -75.17),
    ("New York", "NY", "10001", 40.75, -73.99), ("Boston", "MA", "02108", 42.36, -71.06),
    ("Pittsburgh", "PA", "15222", 40.44, -80.00), ("Cleveland", "OH", "44113", 41.50, -81.69),
    ("Detroit", "MI", "48226", 42.33, -83.05), ("Indianapolis", "IN", "46204", 39.77, -86.16),
    ("Columbus", "OH", "43215", 39.96, -83.00), ("Milwaukee", "WI", "53202", 43.04, -87.91),
]
SHOP_BRANDS = ["Discount Tire", "Les Schwab", "Firestone Complete Auto Care", "Big O Tires", "Goodyear Auto Service",
               "Mavis Tires & Brakes", "Tire Kingdom", "NTB"]
Door = Literal["driver", "passenger", "rear_left", "rear_right"]
Tire = Literal["front_left", "front_right", "rear_left", "rear_right"]
Zip = Annotated[str, Field(pattern=r"^\d{5}$")]

Engine = TypedDict("Engine", {"engine_state": str, "fuel_level": float, "battery_voltage": float})
Fuel = TypedDict("Fuel", {"fuel_level": float, "tank_capacity": float})
Feasibility = TypedDict("Feasibility", {"can_drive": bool, "current_fuel_level": float, "estimated_range": float})
Doors = TypedDict("Doors", {"door_status": dict[str, str], "remaining_unlocked_doors": int})
LockResult = TypedDict("LockResult", {"lock_status": str, "door_status": dict[str, str],
                                      "remaining_unlocked_doors": int})
Climate = TypedDict("Climate", {"temperature": float, "fan_speed": int, "mode": str, "humidity_level": float})
ClimateSet = TypedDict("ClimateSet", {"current_temperature": float, "climate_mode": str, "fan_speed": int,
                                      "humidity_level": float})
Outside = TypedDict("Outside", {"outside_temperature": float})
Headlights = TypedDict("Headlights", {"headlight_status": str})
Brakes = TypedDict("Brakes", {"parking_brake_status": str, "parking_brake_force": float, "slope_angle": float,
                              "brake_pedal_status": str, "brake_pedal_force": float})
ParkingBrake = TypedDict("ParkingBrake", {"parking_brake_status": str, "parking_brake_force": float,
                                          "slope_angle": float})
Pedal = TypedDict("Pedal", {"brake_pedal_status": str, "brake_pedal_force": float})
Cruise = TypedDict("Cruise", {"cruise_status": str, "current_speed": float, "distance_to_next_vehicle": float})
Speed = TypedDict("Speed", {"current_speed": float})
TirePressure = TypedDict("TirePressure", {"tire_pressure": dict[str, float], "healthy_tire_pressure": bool})
TireCheck = TypedDict("TireCheck", {"front_left_tire_pressure": float, "front_right_tire_pressure": float,
                                    "rear_left_tire_pressure": float, "rear_right_tire_pressure": float,
                                    "healthy_tire_pressure": bool})
Shop = TypedDict("Shop", {"shop_location": str, "name": str, "distance_miles": float})
Navigation = TypedDict("Navigation", {"destination": str | None, "navigation_status": str})
Gallons = TypedDict("Gallons", {"gallons": float})
Liters = TypedDict("Liters", {"liters": float})
Zipcode = TypedDict("Zipcode", {"city_zipcode": str})
Distance = TypedDict("Distance", {"distance": float, "intermediary_cities": list[str]})


def miles_between(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Road distance estimate: great-circle miles times 1.2."""
    p1, p2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dp, dl = p2 - p1, math.radians(b["longitude"] - a["longitude"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 3958.8 * math.asin(math.sqrt(h)) * 1.2, 1)


@functools.cache
def _update_sql(columns: tuple[str, ...]) -> str:
    """The UPDATE of the car that sets these columns (column names come from trusted code)."""
    return f"UPDATE car SET {', '.join(f'{k} = ?' for k in columns)}"


class VehicleControl(World):
    """The user's car as its app sees it. Fuel is in gallons, speeds in km/h, tire pressure in psi (healthy:
    32-36), temperatures in Celsius. Starting the engine needs the brake pedal pressed and every door locked."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE car (vin TEXT PRIMARY KEY, model TEXT NOT NULL, engine TEXT NOT NULL, fuel REAL NOT NULL,
                      tank REAL NOT NULL, mpg REAL NOT NULL, battery REAL NOT NULL, speed REAL NOT NULL,
                      headlights TEXT NOT NULL, cabin_temp REAL NOT NULL, fan INTEGER NOT NULL, climate TEXT NOT NULL,
                      humidity REAL NOT NULL, outside_temp REAL NOT NULL, parking_brake TEXT NOT NULL,
                      slope REAL NOT NULL, pedal_force REAL NOT NULL, cruise TEXT NOT NULL, gap REAL NOT NULL,
                      destination TEXT, city TEXT NOT NULL REFERENCES cities);
    CREATE TABLE doors (position TEXT PRIMARY KEY, locked INTEGER NOT NULL);
    CREATE TABLE tires (position TEXT PRIMARY KEY, psi REAL NOT NULL);
    CREATE TABLE cities (name TEXT PRIMARY KEY, state TEXT NOT NULL, zipcode TEXT NOT NULL UNIQUE,
                         latitude REAL NOT NULL, longitude REAL NOT NULL);
    CREATE TABLE tire_shops (shop_id TEXT PRIMARY KEY, name TEXT NOT NULL, address TEXT NOT NULL,
                             city TEXT NOT NULL REFERENCES cities, distance_miles REAL NOT NULL);
    CREATE INDEX shops_by_city ON tire_shops (city, distance_miles);
    CREATE TABLE refuels (refuel_id INTEGER PRIMARY KEY, day TEXT NOT NULL, gallons REAL NOT NULL);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        model, tank, mpg = rng.choice(MODELS)
        city = rng.choice(CITIES)[0]
        db["cities"].insert_all({"name": n, "state": s, "zipcode": z, "latitude": la, "longitude": lo}
                                for n, s, z, la, lo in CITIES)
        db["car"].insert({
            "vin": "1" + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(16)), "model": model,
            "engine": "stopped", "fuel": round(rng.uniform(0.5, tank * 0.9), 1), "tank": tank, "mpg": mpg,
            "battery": round(rng.uniform(12.1, 12.7), 2), "speed": 0.0, "headlights": rng.choice(["off", "auto"]),
            "cabin_temp": float(rng.randrange(16, 27)), "fan": rng.randrange(0, 6) * 10,
            "climate": rng.choice(["auto", "cool", "heat"]), "humidity": float(rng.randrange(30, 65)),
            "outside_temp": float(rng.randrange(-8, 34)), "parking_brake": "engaged",
            "slope": float(rng.choice([0, 0, 2, 5])), "pedal_force": 0.0, "cruise": "inactive", "gap": 0.0,
            "destination": None, "city": city})
        locked = rng.sample([0, 1, 1, 1], 4) if rng.random() < 0.6 else [1, 1, 1, 1]
        db["doors"].insert_all({"position": d, "locked": v} for d, v in zip(DOORS, locked))
        db["tires"].insert_all({"position": t, "psi": round(rng.choice([rng.uniform(26, 31.5), rng.uniform(32, 36),
                                                                         rng.uniform(32, 36)]), 1)} for t in TIRES)
        shops = []
        for n, (name, *_rest) in enumerate(CITIES):
            for k in range(rng.randrange(1, 4)):
                shops.append({"shop_id": f"ts{n:02d}{k}", "name": rng.choice(SHOP_BRANDS),
                              "address": f"{fake.building_number()} {fake.street_name()}, {name}",
                              "city": name, "distance_miles": round(rng.uniform(0.4, 14.0), 1)})
        db["tire_shops"].insert_all(shops)
        db["refuels"].insert_all({"day": cls.days_before_start(rng, 3 + 9 * i, 8 + 9 * i).isoformat(),
                                  "gallons": round(rng.uniform(6, tank - 1), 1)} for i in range(24))

    # ----------------------------------------------------------------- helpers
    def _car(self) -> dict[str, Any]:
        return self.row("SELECT * FROM car")

    def _set(self, **values: Any) -> None:
        self.execute(_update_sql(tuple(values)), *values.values())

    def _engine(self) -> Engine:
        car = self._car()
        return {"engine_state": car["engine"], "fuel_level": car["fuel"], "battery_voltage": car["battery"]}

    def _doors(self) -> dict[str, Any]:
        status = {position: "locked" if locked else "unlocked"
                  for position, locked in self.conn.execute("SELECT position, locked FROM doors")}
        return {"door_status": status, "remaining_unlocked_doors": list(status.values()).count("unlocked")}

    def _tires(self) -> dict[str, float]:
        return {r["position"]: r["psi"] for r in self.rows("SELECT * FROM tires ORDER BY rowid")}

    def _brakes(self) -> Brakes:
        car = self._car()
        return {"parking_brake_status": car["parking_brake"],
                "parking_brake_force": 1000.0 if car["parking_brake"] == "engaged" else 0.0,
                "slope_angle": car["slope"], "brake_pedal_force": car["pedal_force"],
                "brake_pedal_status": "pressed" if car["pedal_force"] > 0 else "released"}

    def _city(self, column: str, value: str) -> dict[str, Any]:
        return self.require(f"SELECT * FROM cities WHERE {column} = ? COLLATE NOCASE", value.strip(),
                            error=f"no city with {column} '{value}' in the car's map data")

    # ----------------------------------------------------------------- engine and fuel
    @tool(phrase=["check whether the engine is running", "check the engine and battery"])
    def get_engine_status(self) -> Engine:
        """The engine state, fuel level (gallons) and battery voltage."""
        return self._engine()

    @tool(writes=True, phrase=["start the car", "start the engine"])
    def start_engine(self) -> Engine:
        """Start the engine: the brake pedal must be pressed, every door locked and there must be fuel."""
        # One statement when every condition holds; otherwise the checks below say which one failed.
        started = self.row("UPDATE car SET engine = 'running' WHERE engine != 'running' AND pedal_force > 0 AND "
                           "NOT EXISTS (SELECT 1 FROM doors WHERE NOT locked) AND fuel > 0 "
                           "RETURNING engine AS engine_state, CAST(fuel AS REAL) AS fuel_level, "
                           "CAST(battery AS REAL) AS battery_voltage")
        if started is not None:
            return started  # type: ignore[return-value]
        car, doors = self._car(), self._doors()
        if car["engine"] == "running":
            raise ToolError("the engine is already running")
        if car["pedal_force"] <= 0:
            raise ToolError("press the brake pedal (press_brake_pedal) before starting the engine")
        if doors["remaining_unlocked_doors"]:
            open_ = [d for d, s in doors["door_status"].items() if s == "unlocked"]
            raise ToolError(f"lock every door before starting the engine; unlocked: {', '.join(open_)}")
        if car["fuel"] <= 0:
            raise ToolError("the tank is empty; fill it (fill_fuel_tank) before starting the engine")
        self._set(engine="running")
        return self._engine()

    @tool(writes=True, phrase=["turn the engine off", "switch off the car"])
    def stop_engine(self) -> Engine:
        """Stop the engine (the car must be standing still; cruise control is switched off)."""
        stopped = self.row("UPDATE car SET engine = 'stopped', cruise = 'inactive' WHERE engine != 'stopped' AND "
                           "NOT speed > 0 RETURNING engine AS engine_state, CAST(fuel AS REAL) AS fuel_level, "
                           "CAST(battery AS REAL) AS battery_voltage")
        if stopped is not None:
            return stopped  # type: ignore[return-value]
        car = self._car()
        if car["engine"] == "stopped":
            raise ToolError("the engine is already stopped")
        if car["speed"] > 0:
            raise ToolError(f"the car is moving at {car['speed']:g} km/h; bring it to a stop first")
        self._set(engine="stopped", cruise="inactive")
        return self._engine()

    @tool(phrase=["check how much fuel is in the tank", "check my fuel level"])
    def get_fuel_level(self) -> Fuel:
        """Fuel in the tank and the tank's capacity, in gallons."""
        car = self._car()
        return {"fuel_level": car["fuel"], "tank_capacity": car["tank"]}

    @tool(writes=True, phrase=["add {fuel_amount} gallons of fuel", "put {fuel_amount} gallons in the tank"])
    def fill_fuel_tank(self, fuel_amount: Annotated[float, UserKnown, Field(gt=0, le=50)]) -> Fuel:
        """Add fuel, in gallons (the engine must be off and the total may not exceed the tank's capacity).

        Args:
            fuel_amount: Gallons to add.
        """
        car = self.row("SELECT engine, tank, fuel FROM car")
        if car["engine"] == "running":
            raise ToolError("stop the engine before refuelling")
        room = round(car["tank"] - car["fuel"], 1)
        if fuel_amount > room:
            raise ToolError(f"the tank holds {car['tank']:g} gallons and has {car['fuel']:g}; "
                            f"at most {room:g} more gallons fit")
        fuel = round(car["fuel"] + fuel_amount, 1)
        self.execute("UPDATE car SET fuel = ?", fuel)
        self.execute("INSERT INTO refuels (day, gallons) VALUES (?, ?)", self.now().date().isoformat(), fuel_amount)
        return {"fuel_level": fuel, "tank_capacity": car["tank"]}

    @tool(phrase=["check whether I can drive {distance} {unit} on the fuel I have",
                  "find out if there is enough fuel for a {distance} {unit} trip"])
    def estimate_drive_feasibility(self, distance: Annotated[float, UserKnown, Field(gt=0, le=5000)],
                                   unit: Literal["miles", "kilometers"] = "miles") -> Feasibility:
        """Whether the fuel in the tank covers a distance, from the car's average consumption.

        Args:
            distance: Distance to drive.
            unit: Unit of the distance and of the range returned.
        """
        car = self._car()
        reach = car["fuel"] * car["mpg"] * (KM_PER_MILE if unit == "kilometers" else 1)
        return {"can_drive": reach >= distance, "current_fuel_level": car["fuel"], "estimated_range": round(reach, 1)}

    # ----------------------------------------------------------------- doors, climate, lights
    @tool(phrase=["check which doors are unlocked", "check whether the {door_position} door is locked"])
    def get_door_status(self, door_position: Door | None = None) -> Doors:
        """Lock state of every door (or one).

        Args:
            door_position: Only this door.
        """
        doors = self._doors()
        if door_position:
            doors["door_status"] = {door_position: doors["door_status"][door_position]}
        return doors

    def _lock(self, positions: list[str], locked: int) -> LockResult:
        """Lock or unlock doors (only those not in that state already are written; the doors end the same)."""
        doors = tuple(dict.fromkeys(positions))
        marks = ", ".join("?" * len(doors))
        if locked:
            self.execute(f"UPDATE doors SET locked = 1 WHERE position IN ({marks}) AND NOT locked", *doors)
        elif not self.execute(f"UPDATE doors SET locked = 0 WHERE position IN ({marks}) AND locked AND "
                              "NOT (SELECT speed FROM car) > 0", *doors) and self.value("SELECT speed FROM car") > 0:
            raise ToolError("doors cannot be unlocked while the car is moving")
        return {"lock_status": "locked" if locked else "unlocked", **self._doors()}

    @tool(writes=True, phrase=["lock the {door_positions} doors", "lock the car's {door_positions} door"])
    def lock_doors(self, door_positions: Annotated[list[Door], Field(min_length=1)]) -> LockResult:
        """Lock doors.

        Args:
            door_positions: Doors to lock.
        """
        return self._lock(door_positions, 1)

    @tool(writes=True, phrase=["unlock the {door_positions} doors", "open the lock of the {door_positions} door"])
    def unlock_doors(self, door_positions: Annotated[list[Door], Field(min_length=1)]) -> LockResult:
        """Unlock doors (not while the car is moving).

        Args:
            door_positions: Doors to unlock.
        """
        return self._lock(door_positions, 0)

    @tool(phrase=["tell me what the cabin temperature is set to", "check the climate control"])
    def get_climate_status(self) -> Climate:
        """Cabin temperature (Celsius), fan speed (0-100), climate mode and humidity."""
        car = self._car()
        return {"temperature": car["cabin_temp"], "fan_speed": car["fan"], "mode": car["climate"],
                "humidity_level": car["humidity"]}

    @tool(writes=True, phrase=["set the cabin to {temperature} degrees {unit}[ in {mode} mode][ with fan {fan_speed}]",
                               "make it {temperature} {unit} in the car[, {mode} mode]"])
    def set_climate_control(self, temperature: Annotated[float, UserKnown, Field(ge=-10, le=90)],
                            unit: Literal["celsius", "fahrenheit"] = "celsius",
                            fan_speed: Annotated[int, Field(ge=0, le=100)] | None = None,
                            mode: Literal["auto", "cool", "heat", "defrost"] | None = None) -> ClimateSet:
        """Set the cabin temperature (16-30 °C, i.e. 61-86 °F), and optionally the fan speed and mode.

        Args:
            temperature: Target temperature.
            unit: Unit of the temperature.
            fan_speed: Fan speed 0-100.
            mode: Climate mode.
        """
        celsius = round((temperature - 32) * 5 / 9 if unit == "fahrenheit" else temperature, 1)
        if not 16 <= celsius <= 30:
            raise ToolError(f"{temperature:g} {unit} is outside the cabin range of 16-30 celsius (61-86 fahrenheit)")
        self.execute("UPDATE car SET cabin_temp = ?, fan = coalesce(?, fan), climate = coalesce(?, climate)",
                     celsius, fan_speed, mode)
        # The settings as they now are (a narrow read costs less than RETURNING).
        car = self.row("SELECT climate, fan, humidity FROM car")
        return {"current_temperature": celsius, "climate_mode": car["climate"], "fan_speed": car["fan"],
                "humidity_level": car["humidity"]}

    @tool(phrase=["tell me how cold it is outside", "check the temperature outside the car"])
    def get_outside_temperature(self) -> Outside:
        """The outside temperature in Celsius."""
        return {"outside_temperature": self._car()["outside_temp"]}

    @tool(phrase=["check whether my headlights are on"])
    def get_headlight_status(self) -> Headlights:
        """The headlight setting."""
        return {"headlight_status": self._car()["headlights"]}

    @tool(writes=True, phrase=["turn the headlights {mode}", "set the headlights to {mode}"])
    def set_headlights(self, mode: Literal["on", "off", "auto"]) -> Headlights:
        """Set the headlights on, off or automatic.

        Args:
            mode: The new setting.
        """
        self._set(headlights=mode)
        return {"headlight_status": mode}

    # ----------------------------------------------------------------- brakes, cruise, speed
    @tool(phrase=["check whether the parking brake is on", "check the brakes"])
    def get_brake_status(self) -> Brakes:
        """Parking brake (with force in newtons and the slope the car stands on) and brake pedal state."""
        return self._brakes()

    @tool(writes=True, phrase=["{action} the parking brake"])
    def set_parking_brake(self, action: Literal["engage", "release"]) -> ParkingBrake:
        """Engage or release the parking brake (engaging needs the car standing still).

        Args:
            action: engage or release.
        """
        engage = action == "engage"
        status = "engaged" if engage else "released"
        if not self.execute("UPDATE car SET parking_brake = ? WHERE NOT (? AND speed > 0)", status, engage):
            speed = self.value("SELECT speed FROM car")
            raise ToolError(f"the car is moving at {speed:g} km/h; stop before engaging the parking brake")
        return {"parking_brake_status": status, "parking_brake_force": 1000.0 if engage else 0.0,
                "slope_angle": self.value("SELECT slope FROM car")}

    @tool(writes=True, phrase=["press the brake pedal[ to {pedal_position}]", "hold the brake down"])
    def press_brake_pedal(self, pedal_position: Annotated[float, Field(gt=0, le=1)] = 1.0) -> Pedal:
        """Press the brake pedal (position 0-1, 1 fully down); pressing it stops cruise control.

        Args:
            pedal_position: How far down, above 0 and at most 1.
        """
        force = round(pedal_position * 1000, 1)
        self._set(pedal_force=force, cruise="inactive")
        return {"brake_pedal_status": "pressed", "brake_pedal_force": force}

    @tool(writes=True, phrase=["let go of the brake pedal", "release the brake pedal"])
    def release_brake_pedal(self) -> Pedal:
        """Release the brake pedal."""
        self._set(pedal_force=0.0)
        return {"brake_pedal_status": "released", "brake_pedal_force": 0.0}

    @tool(phrase=["check whether cruise control is on", "check the cruise control"])
    def get_cruise_status(self) -> Cruise:
        """Cruise control state, current speed (km/h) and the kept distance to the next vehicle (meters)."""
        car = self._car()
        return {"cruise_status": car["cruise"], "current_speed": car["speed"], "distance_to_next_vehicle": car["gap"]}

    @tool(writes=True, phrase=["set cruise control to {speed} km/h[ keeping {distance_to_next_vehicle} m distance]",
                               "turn cruise control {activate} at {speed} km/h"])
    def set_cruise_control(self, speed: Annotated[float, UserKnown, Field(ge=0, le=150)], activate: bool = True,
                           distance_to_next_vehicle: Annotated[float, Field(ge=20, le=200)] = 50) -> Cruise:
        """Turn cruise control on at a speed (30-150 km/h, a multiple of 5; the engine must run and the parking
        brake be released), or off.

        Args:
            speed: Speed to hold, km/h.
            activate: True to turn cruise control on, false to turn it off.
            distance_to_next_vehicle: Gap to keep to the vehicle ahead, meters.
        """
        if not activate:
            off = self.row("UPDATE car SET cruise = 'inactive' RETURNING cruise AS cruise_status, CAST(speed AS REAL) "
                           "AS current_speed, CAST(gap AS REAL) AS distance_to_next_vehicle")
            return off  # type: ignore[return-value]
        if speed >= 30 and not speed % 5:
            # One statement when the car allows it (the result is what it set); otherwise the checks below say
            # why not.
            cruise: Cruise = {"cruise_status": "active", "current_speed": float(speed),
                              "distance_to_next_vehicle": float(distance_to_next_vehicle)}
            if self.execute("UPDATE car SET cruise = 'active', speed = ?, gap = ?, pedal_force = 0.0 "
                            "WHERE engine = 'running' AND parking_brake != 'engaged'", cruise["current_speed"],
                            cruise["distance_to_next_vehicle"]):
                return cruise
        car = self._car()
        if activate:
            if car["engine"] != "running":
                raise ToolError("start the engine before turning on cruise control")
            if car["parking_brake"] == "engaged":
                raise ToolError("release the parking brake before turning on cruise control")
            if speed < 30 or speed % 5:
                raise ToolError(f"cruise speed must be a multiple of 5 from 30 to 150 km/h, not {speed:g}")
            self._set(cruise="active", speed=float(speed), gap=float(distance_to_next_vehicle), pedal_force=0.0)
        else:
            self._set(cruise="inactive")
        return self.get_cruise_status()

    @tool(phrase=["tell me how fast the car is going"])
    def get_current_speed(self) -> Speed:
        """The current speed in km/h."""
        return {"current_speed": self._car()["speed"]}

    # ----------------------------------------------------------------- tires
    @tool(phrase=["check the pressure of the {tire_position} tire", "show my tire pressures"])
    def get_tire_pressure(self, tire_position: Tire | None = None) -> TirePressure:
        """Tire pressure in psi (one tire or all) and whether all four are in the healthy 32-36 psi range.

        Args:
            tire_position: Only this tire.
        """
        tires = self._tires()
        healthy = all(TIRE_PSI[0] <= p <= TIRE_PSI[1] for p in tires.values())
        return {"tire_pressure": {tire_position: tires[tire_position]} if tire_position else tires,
                "healthy_tire_pressure": healthy}

    @tool(phrase=["check that my tires are ok", "run a tire pressure check"])
    def check_tire_pressure(self) -> TireCheck:
        """All four tire pressures (psi) and whether they are healthy (32-36 psi)."""
        tires = self._tires()
        return {**{f"{t}_tire_pressure": p for t, p in tires.items()},  # type: ignore[typeddict-item]
                "healthy_tire_pressure": all(TIRE_PSI[0] <= p <= TIRE_PSI[1] for p in tires.values())}

    @tool(phrase=["find the nearest tire shop", "find somewhere nearby to get my tires fixed"])
    def find_nearest_tire_shop(self) -> Shop:
        """The tire shop closest to the car's current location."""
        shop = self.row("SELECT * FROM tire_shops WHERE city = ? ORDER BY distance_miles, shop_id", self._car()["city"])
        return {"shop_location": shop["address"], "name": shop["name"], "distance_miles": shop["distance_miles"]}

    # ----------------------------------------------------------------- navigation and lookups
    @tool(phrase=["check where the navigation is taking me", "check the navigation"])
    def get_navigation_status(self) -> Navigation:
        """The navigation destination and status."""
        destination = self._car()["destination"]
        return {"destination": destination, "navigation_status": "navigating" if destination else "idle"}

    @tool(writes=True, phrase=["navigate to {destination}", "set the navigation to {destination}"])
    def set_navigation_destination(self, destination: Annotated[NonEmptyStr, UserKnown, Field(max_length=200)]
                                   ) -> Navigation:
        """Start navigating to a destination (an address or a place).

        Args:
            destination: Where to go.
        """
        destination = destination.strip()
        self._set(destination=destination)
        return {"destination": destination, "navigation_status": "navigating"}

    @tool(phrase=["convert {liters} liters to gallons"])
    def convert_liter_to_gallon(self, liters: Annotated[float, UserKnown, Field(ge=0)]) -> Gallons:
        """Convert liters to US gallons.

        Args:
            liters: Liters.
        """
        return {"gallons": round(liters / LITERS_PER_GALLON, 2)}

    @tool(phrase=["convert {gallons} gallons to liters"])
    def convert_gallon_to_liter(self, gallons: Annotated[float, UserKnown, Field(ge=0)]) -> Liters:
        """Convert US gallons to liters.

        Args:
            gallons: Gallons.
        """
        return {"liters": round(gallons * LITERS_PER_GALLON, 2)}

    @tool(phrase=["find the zip code of {city_name}", "look up the zip code for {city_name}"])
    def get_city_zipcode(self, city_name: Annotated[NonEmptyStr, UserKnown]) -> Zipcode:
        """The main zip code of a city in the car's map data.

        Args:
            city_name: The city, e.g. "Denver".
        """
        return {"city_zipcode": self._city("name", city_name)["zipcode"]}

    @tool(phrase=["estimate the road distance from {city_a_zipcode} to {city_b_zipcode}"])
    def estimate_distance_between_cities(self, city_a_zipcode: Zip, city_b_zipcode: Zip) -> Distance:
        """Estimated road distance in miles between two cities given by zip code, and the cities on the way.

        Args:
            city_a_zipcode: Zip code of the start city.
            city_b_zipcode: Zip code of the end city.
        """
        a, b = self._city("zipcode", city_a_zipcode), self._city("zipcode", city_b_zipcode)
        if a["name"] == b["name"]:
            raise ToolError("the two zip codes are the same city; give two different cities")
        total = miles_between(a, b)
        between = sorted((miles_between(a, c), c["name"]) for c in self.rows("SELECT * FROM cities")
                         if c["name"] not in (a["name"], b["name"])
                         and miles_between(a, c) + miles_between(c, b) <= total * 1.08)
        return {"distance": total, "intermediary_cities": [name for _, name in between[:3]]}
