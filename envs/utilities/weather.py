"""Weather: current conditions, daily forecasts, alerts and recent history for cities, and saved locations."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

# name, region, country, latitude, longitude, timezone, population, elevation m, early-March mean °C, wetness
CITIES = [
    ("New York", "New York", "United States", 40.7128, -74.006, "America/New_York", 8336817, 10, 5, 0.35),
    ("Chicago", "Illinois", "United States", 41.8781, -87.6298, "America/Chicago", 2665039, 181, 2, 0.35),
    ("Denver", "Colorado", "United States", 39.7392, -104.9903, "America/Denver", 715522, 1609, 6, 0.2),
    ("Seattle", "Washington", "United States", 47.6062, -122.3321, "America/Los_Angeles", 749256, 50, 8, 0.6),
    ("Miami", "Florida", "United States", 25.7617, -80.1918, "America/New_York", 449514, 2, 24, 0.25),
    ("Phoenix", "Arizona", "United States", 33.4484, -112.074, "America/Phoenix", 1650070, 331, 19, 0.08),
    ("Portland", "Oregon", "United States", 45.5152, -122.6784, "America/Los_Angeles", 652503, 15, 9, 0.55),
    ("Portland", "Maine", "United States", 43.6591, -70.2568, "America/New_York", 68408, 19, 0, 0.4),
    ("Paris", "Texas", "United States", 33.6609, -95.5555, "America/Chicago", 24476, 182, 13, 0.3),
    ("Toronto", "Ontario", "Canada", 43.6532, -79.3832, "America/Toronto", 2794356, 76, 0, 0.35),
    ("Mexico City", "Mexico City", "Mexico", 19.4326, -99.1332, "America/Mexico_City", 9209944, 2240, 17, 0.1),
    ("London", "England", "United Kingdom", 51.5072, -0.1276, "Europe/London", 8866180, 11, 8, 0.5),
    ("Paris", "Ile-de-France", "France", 48.8566, 2.3522, "Europe/Paris", 2102650, 35, 9, 0.45),
    ("Berlin", "Berlin", "Germany", 52.52, 13.405, "Europe/Berlin", 3878100, 34, 5, 0.4),
    ("Madrid", "Madrid", "Spain", 40.4168, -3.7038, "Europe/Madrid", 3332035, 667, 11, 0.25),
    ("Oslo", "Oslo", "Norway", 59.9139, 10.7522, "Europe/Oslo", 709037, 23, -1, 0.35),
    ("Cairo", "Cairo", "Egypt", 30.0444, 31.2357, "Africa/Cairo", 10100166, 23, 18, 0.03),
    ("Nairobi", "Nairobi", "Kenya", -1.2921, 36.8219, "Africa/Nairobi", 4397073, 1795, 20, 0.4),
    ("Mumbai", "Maharashtra", "India", 19.076, 72.8777, "Asia/Kolkata", 12478447, 14, 27, 0.03),
    ("Tokyo", "Tokyo", "Japan", 35.6762, 139.6503, "Asia/Tokyo", 13960236, 40, 9, 0.4),
    ("Singapore", "Singapore", "Singapore", 1.3521, 103.8198, "Asia/Singapore", 5637000, 15, 28, 0.55),
    ("Sydney", "New South Wales", "Australia", -33.8688, 151.2093, "Australia/Sydney", 5450496, 58, 22, 0.45),
    ("Buenos Aires", "Buenos Aires", "Argentina", -34.6037, -58.3816, "America/Argentina/Buenos_Aires",
     3120612, 25, 22, 0.3),
    ("Cape Town", "Western Cape", "South Africa", -33.9249, 18.4241, "Africa/Johannesburg", 4772846, 15, 21, 0.1),
]
ALERTS = {  # event: (applies when, severity, headline)
    "Winter Storm Warning": ("cold", "Severe", "Heavy snow of 20-30 cm expected"),
    "Frost Advisory": ("cold", "Minor", "Temperatures near -2 C overnight"),
    "Wind Advisory": ("any", "Moderate", "Gusts up to 80 km/h"),
    "Flood Watch": ("wet", "Moderate", "Heavy rain may cause flooding of low-lying areas"),
    "Dense Fog Advisory": ("any", "Minor", "Visibility below 200 m"),
    "Heat Advisory": ("hot", "Moderate", "Heat index up to 40 C"),
    "Air Quality Alert": ("dry", "Moderate", "Fine particle levels unhealthy for sensitive groups"),
    "Severe Thunderstorm Warning": ("hot", "Severe", "Hail and damaging winds possible"),
}
HISTORY_DAYS, FORECAST_DAYS, MAX_SAVED, STATION_KM = 30, 10, 10, 50
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Alias = Annotated[str, UserKnown, Field(min_length=1, max_length=30, pattern=r"^[\w' -]*\w[\w' -]*$")]

Place = TypedDict("Place", {"name": str, "region": str, "country": str, "latitude": float, "longitude": float,
                            "timezone": str})
Match = TypedDict("Match", {"name": str, "region": str, "country": str, "latitude": float, "longitude": float,
                            "timezone": str, "population": int, "elevation_m": int})
Matches = TypedDict("Matches", {"results": list[Match]})
Wind = TypedDict("Wind", {"speed_kmh": float, "direction": str})
Current = TypedDict("Current", {"location": Place, "weather_conditions": str, "temperature": float,
                                "feels_like": float, "humidity": int, "wind": Wind, "pressure": int,
                                "uv_index": int, "observed_at": str})
Rain = TypedDict("Rain", {"amount_mm": float, "probability": int})
ForecastDay = TypedDict("ForecastDay", {"weather_conditions": str, "date": str, "temperature_max": float,
                                        "temperature_min": float, "precipitation": Rain, "wind_speed": float,
                                        "humidity": int})
Forecast = TypedDict("Forecast", {"location": Place, "daily": list[ForecastDay]})
Record = TypedDict("Record", {"weather_conditions": str, "date": str, "temperature_max": float,
                              "temperature_min": float, "precipitation_mm": float, "wind_speed": float,
                              "humidity": int})
History = TypedDict("History", {"location": Place, "records": list[Record]})
Alert = TypedDict("Alert", {"event": str, "severity": str, "headline": str, "onset": str, "expires": str,
                            "status": str})
Alerts = TypedDict("Alerts", {"location": Place, "alerts": list[Alert]})
SavedLocation = TypedDict("SavedLocation", {"alias": str, "name": str, "timezone": str, "latitude": float,
                                            "longitude": float})
SavedList = TypedDict("SavedList", {"locations": list[SavedLocation]})
Removed = TypedDict("Removed", {"confirmation": str, "remaining_count": int})


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def conditions(high: float, rain: float, cloud: float) -> str:
    if rain >= 0.2:
        if high <= 1:
            return "Snow" if rain >= 5 else "Light snow"
        return "Thunderstorms" if high >= 26 and rain >= 8 else "Rain" if rain >= 4 else "Light rain"
    return "Sunny" if cloud < 0.3 else "Partly cloudy" if cloud < 0.65 else "Fog" if cloud > 0.95 else "Overcast"


class Weather(World):
    """A weather service for 24 cities worldwide: current conditions, daily forecasts up to 10 days ahead,
    weather alerts and the last 30 days of observations, found by coordinates (within 50 km of a city), plus the
    user's saved locations. Temperatures in degrees Celsius, wind in km/h, pressure in hPa."""

    domain = "Utilities"
    schema = """
    CREATE TABLE cities (city_id TEXT PRIMARY KEY, city TEXT NOT NULL, region TEXT NOT NULL, country TEXT NOT NULL,
                         latitude REAL NOT NULL, longitude REAL NOT NULL, timezone TEXT NOT NULL,
                         population INTEGER NOT NULL, elevation_m INTEGER NOT NULL);
    CREATE TABLE current (city_id TEXT PRIMARY KEY REFERENCES cities, weather_conditions TEXT NOT NULL,
                          temperature REAL NOT NULL, feels_like REAL NOT NULL, humidity INTEGER NOT NULL,
                          wind_speed REAL NOT NULL, wind_direction TEXT NOT NULL, pressure INTEGER NOT NULL,
                          uv_index INTEGER NOT NULL, observed_at TEXT NOT NULL);
    CREATE TABLE daily (city_id TEXT NOT NULL REFERENCES cities, date TEXT NOT NULL, weather_conditions TEXT NOT NULL,
                        temperature_max REAL NOT NULL, temperature_min REAL NOT NULL, precipitation_mm REAL NOT NULL,
                        probability INTEGER NOT NULL, wind_speed REAL NOT NULL, humidity INTEGER NOT NULL,
                        PRIMARY KEY (city_id, date));
    CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, city_id TEXT NOT NULL REFERENCES cities, event TEXT NOT NULL,
                         severity TEXT NOT NULL, headline TEXT NOT NULL, onset TEXT NOT NULL, expires TEXT NOT NULL,
                         status TEXT NOT NULL);
    CREATE INDEX alerts_by_city ON alerts (city_id, onset);
    CREATE TABLE saved_locations (alias TEXT PRIMARY KEY COLLATE NOCASE, name TEXT NOT NULL, latitude REAL NOT NULL,
                                  longitude REAL NOT NULL, timezone TEXT NOT NULL, saved_at TEXT NOT NULL);
    """
    text_search = {"cities": ("city",)}
    volatile = {"saved_locations": ("saved_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        today = cls.start_time.date()
        cities, current, daily, alerts = [], [], [], []
        for name, region, country, lat, lon, tz, population, elevation, mean, wet in CITIES:
            city_id = fake_id(rng, "city_")
            cities.append({"city_id": city_id, "city": name, "region": region, "country": country, "latitude": lat,
                           "longitude": lon, "timezone": tz, "population": population, "elevation_m": elevation})
            drift = 0.0
            for offset in range(-HISTORY_DAYS, FORECAST_DAYS):
                drift = drift * 0.6 + rng.gauss(0, 2.5)
                high = round(mean + 4 + drift + offset * 0.1, 1)
                rain = round(rng.expovariate(1 / 6), 1) if rng.random() < wet else 0.0
                chance = min(100, round(wet * 60 + rain * 6)) // 5 * 5 if offset >= 0 else (100 if rain else 0)
                daily.append({"city_id": city_id, "date": str(today + dt.timedelta(days=offset)),
                              "weather_conditions": conditions(high, rain, rng.random()), "temperature_max": high,
                              "temperature_min": round(high - rng.uniform(4, 11), 1), "precipitation_mm": rain,
                              "probability": chance, "wind_speed": round(rng.uniform(3, 38), 1),
                              "humidity": rng.randrange(25, 96)})
            now = daily[-FORECAST_DAYS]
            temp, wind = round(now["temperature_min"] + rng.uniform(1, 5), 1), round(rng.uniform(2, 35), 1)
            current.append({"city_id": city_id, "weather_conditions": now["weather_conditions"], "temperature": temp,
                            "feels_like": round(temp - wind / 10 if temp < 12 else temp + now["humidity"] / 40, 1),
                            "humidity": now["humidity"], "wind_speed": wind, "wind_direction": rng.choice(
                                ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]), "pressure": rng.randrange(995, 1032),
                            "uv_index": max(0, round((mean + 5) / 4 + rng.uniform(-1, 1))),
                            "observed_at": f"{today}T08:{rng.choice(['00', '30'])}"})
            kind = "cold" if mean <= 6 else "hot" if mean >= 20 else "wet" if wet >= 0.4 else "dry"
            for event in rng.sample([e for e, (k, *_) in ALERTS.items() if k in (kind, "any")], rng.randrange(0, 3)):
                onset = cls.start_time + dt.timedelta(hours=rng.randrange(-120, 72))
                expires = onset + dt.timedelta(hours=rng.choice([12, 24, 36, 48]))
                alerts.append({"alert_id": fake_id(rng, "alert_"), "city_id": city_id, "event": event,
                               "severity": ALERTS[event][1], "headline": f"{ALERTS[event][2]} in {name}",
                               "onset": onset.isoformat(timespec="minutes"), "expires": expires.isoformat(
                                   timespec="minutes"), "status": rng.choice(["issued"] * 5 + ["cancelled"])})
        db["cities"].insert_all(cities)
        db["current"].insert_all(current)
        db["daily"].insert_all(daily)
        db["alerts"].insert_all(alerts)
        saved, local = [], rng.choice(cities)
        aliases = ["home", "office", *rng.sample(["mom's place", "ski cabin", "beach house", "gym", "school"], 3)]
        for alias, city in zip(aliases, [local, local, *rng.sample(cities, 3)], strict=True):
            saved.append({"alias": alias, "name": f"{fake.street_name()}, {city['city']}", "timezone": city["timezone"],
                          "latitude": round(city["latitude"] + rng.uniform(-0.15, 0.15), 4),
                          "longitude": round(city["longitude"] + rng.uniform(-0.15, 0.15), 4),
                          "saved_at": f"{cls.days_before_start(rng, 1, 365)}T20:00"})
        db["saved_locations"].insert_all(saved)

    # ------------------------------------------------------------------ helpers
    def _city(self, latitude: float, longitude: float) -> dict[str, Any]:
        """The covered city nearest to a point (its weather station), within 50 km."""
        city = min(self.rows("SELECT * FROM cities"), key=lambda c: km_between(latitude, longitude, c["latitude"],
                                                                                 c["longitude"]))
        if (km := km_between(latitude, longitude, city["latitude"], city["longitude"])) > STATION_KM:
            raise ToolError(f"no weather station within {STATION_KM} km of {latitude}, {longitude} (the nearest, "
                            f"{city['city']}, is {km:.0f} km away); search_location gives a city's coordinates")
        return city

    @staticmethod
    def _place(city: dict[str, Any]) -> Place:
        return {"name": city["city"], **{k: city[k] for k in ("region", "country", "latitude", "longitude",
                                                              "timezone")}}

    def _saved(self, alias: str) -> dict[str, Any]:
        found = self.row("SELECT alias, name, timezone, latitude, longitude FROM saved_locations WHERE alias = ?",
                         alias.strip())
        if found is None:
            aliases = [r["alias"] for r in self.rows("SELECT alias FROM saved_locations ORDER BY alias")]
            raise ToolError(f"no saved location '{alias}'; saved: {', '.join(aliases) or 'none'}")
        return found

    # -------------------------------------------------------------------- tools
    @tool(phrase=["look up the city {city}", "find the city {city} in the weather service"])
    def search_location(self, city: NonEmptyStr) -> Matches:
        """Find covered cities by name (several cities can share one), with coordinates, population and timezone.

        Args:
            city: The city's name or part of it, e.g. "Portland".
        """
        matches, params = self.text_filter("cities", city)
        return {"results": self.rows(
            "SELECT city AS name, region, country, latitude, longitude, timezone, population, elevation_m FROM cities"
            f" WHERE {matches} ORDER BY population DESC", *params)}

    @tool(phrase=["check the current weather at {latitude}, {longitude}",
                  "find out what the weather is like right now at coordinates {latitude}, {longitude}"])
    def get_current_weather(self, latitude: Lat, longitude: Lon) -> Current:
        """Current conditions at the weather station nearest to a point.

        Args:
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
        """
        city = self._city(latitude, longitude)
        now = self.row("SELECT * FROM current WHERE city_id = ?", city["city_id"])
        return {"location": self._place(city), "weather_conditions": now["weather_conditions"],
                "temperature": now["temperature"], "feels_like": now["feels_like"], "humidity": now["humidity"],
                "wind": {"speed_kmh": now["wind_speed"], "direction": now["wind_direction"]},
                "pressure": now["pressure"], "uv_index": now["uv_index"], "observed_at": now["observed_at"]}

    @tool(phrase=["get the {days}-day forecast for {latitude}, {longitude}",
                  "tell me what the weather will be at {latitude}, {longitude}[ over the next {days} days]"])
    def get_forecast(self, latitude: Lat, longitude: Lon, days: Annotated[int, Field(ge=1, le=10)] = 3) -> Forecast:
        """Daily forecast from today, up to 10 days.

        Args:
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
            days: How many days, starting today.
        """
        city = self._city(latitude, longitude)
        rows = self.rows("SELECT * FROM daily WHERE city_id = ? AND date >= ? ORDER BY date LIMIT ?",
                         city["city_id"], str(self.now().date()), days)
        return {"location": self._place(city), "daily": [
            {"weather_conditions": r["weather_conditions"], "date": r["date"], "temperature_max": r["temperature_max"],
             "temperature_min": r["temperature_min"], "precipitation": {"amount_mm": r["precipitation_mm"],
                                                                        "probability": r["probability"]},
             "wind_speed": r["wind_speed"], "humidity": r["humidity"]} for r in rows]}

    @tool(phrase=["check for weather alerts at {latitude}, {longitude}",
                  "find out if any weather warnings are in force at {latitude}, {longitude}"])
    def get_alerts(self, latitude: Lat, longitude: Lon, active_only: bool = True) -> Alerts:
        """Weather alerts for the area of a point, by onset; active ones have not expired and were not cancelled.

        Args:
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
            active_only: Only alerts still in force or upcoming (false: also expired and cancelled ones).
        """
        city = self._city(latitude, longitude)
        now = self.now().isoformat(timespec="minutes")
        return {"location": self._place(city), "alerts": self.rows(
            "SELECT event, severity, headline, onset, expires, status FROM alerts WHERE city_id = ?1 AND"
            " (?2 = 0 OR (expires > ?3 AND status != 'cancelled')) ORDER BY onset, alert_id", city["city_id"],
            int(active_only), now)}

    @tool(phrase=["get the weather history at {latitude}, {longitude} from {start_date} to {end_date}",
                  "show me what the weather was at {latitude}, {longitude} between {start_date} and {end_date}"])
    def get_historical_weather(self, latitude: Lat, longitude: Lon, start_date: Day, end_date: Day,
                               limit: Annotated[int, Field(ge=1, le=31)] = 31) -> History:
        """Observed daily weather of past days (the last 30 days up to yesterday), oldest first.

        Args:
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
            start_date: First day, YYYY-MM-DD.
            end_date: Last day, YYYY-MM-DD, before today.
            limit: At most this many days.
        """
        today = self.now().date()
        first = str(today - dt.timedelta(days=HISTORY_DAYS))
        if end_date < start_date:
            raise ToolError("end_date must not be before start_date")
        if end_date >= str(today):
            raise ToolError(f"history ends yesterday ({today - dt.timedelta(days=1)}); get_forecast covers today on")
        if start_date < first:
            raise ToolError(f"history goes back {HISTORY_DAYS} days, to {first}")
        city = self._city(latitude, longitude)
        return {"location": self._place(city), "records": self.rows(
            "SELECT weather_conditions, date, temperature_max, temperature_min, precipitation_mm, wind_speed, humidity"
            " FROM daily WHERE city_id = ? AND date BETWEEN ? AND ? ORDER BY date LIMIT ?", city["city_id"],
            start_date, end_date, limit)}

    @tool(writes=True, phrase=["save {latitude}, {longitude} as {alias}[ under the name {name}]",
                               "add {latitude}, {longitude} to my saved locations as {alias}[, named {name}]"])
    def save_location(self, alias: Alias, latitude: Lat, longitude: Lon, name: str | None = None) -> SavedLocation:
        """Save a place under a short alias (at most 10 saved locations); it must be within 50 km of a covered city.

        Args:
            alias: Short name to recall it by, e.g. "home".
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
            name: Display name (the nearest city's name by default).
        """
        if self.row("SELECT 1 FROM saved_locations WHERE alias = ?", alias.strip()):
            raise ToolError(f"the alias '{alias.strip()}' is already saved; remove it first or pick another alias")
        if self.value("SELECT COUNT(*) FROM saved_locations") >= MAX_SAVED:
            raise ToolError(f"you already have {MAX_SAVED} saved locations, the most allowed; remove one first")
        city = self._city(latitude, longitude)
        self.execute("INSERT INTO saved_locations VALUES (?, ?, ?, ?, ?, ?)", alias.strip(),
                     (name or "").strip() or city["city"], latitude, longitude, city["timezone"],
                     self.now().isoformat(timespec="minutes"))
        return self._saved(alias)

    @tool(phrase=["list my saved locations", "show me all the places I saved"])
    def list_saved_locations(self) -> SavedList:
        """The user's saved locations, by alias."""
        return {"locations": self.rows("SELECT alias, name, timezone, latitude, longitude FROM saved_locations"
                                       " ORDER BY alias")}

    @tool(phrase=["look up my saved location {alias}", "tell me where my saved location {alias} is"])
    def get_saved_location(self, alias: Alias) -> SavedLocation:
        """One saved location by its alias (case does not matter).

        Args:
            alias: The alias it was saved under.
        """
        return self._saved(alias)

    @tool(writes=True, phrase=["remove {alias} from my saved locations", "delete my saved location {alias}"])
    def remove_saved_location(self, alias: Alias) -> Removed:
        """Delete a saved location.

        Args:
            alias: The alias it was saved under.
        """
        saved = self._saved(alias)
        self.execute("DELETE FROM saved_locations WHERE alias = ?", saved["alias"])
        return {"confirmation": f"removed '{saved['alias']}' ({saved['name']})",
                "remaining_count": self.value("SELECT COUNT(*) FROM saved_locations")}
