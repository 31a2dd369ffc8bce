"""HKBus: Hong Kong franchised buses (KMB and Citybus): routes, stops, arrival times, favourites and alerts."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, kept_prepared

DISTRICTS = {  # district -> (centre lat, lng, stops in corridor order)
    "Yau Tsim Mong": (22.305, 114.171, ["Star Ferry", "Tsim Sha Tsui Police Station", "Haiphong Road", "Jordan Road",
                                        "Yau Ma Tei Station", "Mong Kok Police Station", "Prince Edward Station"]),
    "Sham Shui Po": (22.331, 114.160, ["Sham Shui Po Station", "Cheung Sha Wan Road", "Lai Chi Kok Station",
                                       "Mei Foo Station", "So Uk Estate"]),
    "Kowloon City": (22.316, 114.187, ["Hung Hom Station", "Whampoa Garden", "To Kwa Wan Market",
                                       "Kowloon City Plaza", "Kai Tak Cruise Terminal"]),
    "Kwun Tong": (22.313, 114.226, ["Kwun Tong Ferry", "APM Kwun Tong", "Lam Tin Station", "Sau Mau Ping Estate",
                                    "Choi Hung Station"]),
    "Wong Tai Sin": (22.342, 114.195, ["Diamond Hill Station", "Wong Tai Sin Temple", "Lok Fu Place"]),
    "Central and Western": (22.282, 114.158, ["Central (Exchange Square)", "Central Pier 5", "Admiralty Station",
                                              "The Peak Tower", "Western Market"]),
    "Wan Chai": (22.278, 114.176, ["Wan Chai Road", "Causeway Bay (Times Square)", "Happy Valley",
                                   "Convention Centre"]),
    "Eastern": (22.287, 114.205, ["Tin Hau", "North Point Ferry Pier", "Quarry Bay", "Chai Wan Station"]),
    "Southern": (22.240, 114.180, ["Aberdeen Centre", "Ocean Park", "Repulse Bay", "Stanley Village"]),
    "Sha Tin": (22.382, 114.190, ["Tai Wai Station", "Sha Tin Central", "City One Shatin", "Hong Kong Science Park"]),
    "Tsuen Wan": (22.371, 114.114, ["Kwai Fong Station", "Tsuen Wan Nina Tower", "Tsuen Wan West Station"]),
    "Islands": (22.289, 113.941, ["Tung Chung Station", "AsiaWorld-Expo", "Airport (Ground Transportation Centre)"]),
}
ROUTES = [  # (company, route, outbound stops), inbound runs the other way; N routes run overnight only
    ("KMB", "1A", ["Star Ferry", "Haiphong Road", "Jordan Road", "Mong Kok Police Station", "Kowloon City Plaza",
                   "Choi Hung Station", "Sau Mau Ping Estate"]),
    ("KMB", "2", ["Star Ferry", "Haiphong Road", "Jordan Road", "Yau Ma Tei Station", "Prince Edward Station",
                  "Sham Shui Po Station", "Cheung Sha Wan Road", "So Uk Estate"]),
    ("KMB", "6", ["Star Ferry", "Tsim Sha Tsui Police Station", "Yau Ma Tei Station", "Mong Kok Police Station",
                  "Sham Shui Po Station", "Lai Chi Kok Station", "Mei Foo Station"]),
    ("KMB", "5C", ["Star Ferry", "Tsim Sha Tsui Police Station", "Hung Hom Station", "Whampoa Garden",
                   "To Kwa Wan Market", "Kowloon City Plaza", "Lok Fu Place"]),
    ("KMB", "11", ["Kai Tak Cruise Terminal", "Kowloon City Plaza", "Lok Fu Place", "Wong Tai Sin Temple",
                   "Diamond Hill Station"]),
    ("KMB", "14", ["Yau Ma Tei Station", "Jordan Road", "Hung Hom Station", "Kwun Tong Ferry", "APM Kwun Tong",
                   "Lam Tin Station"]),
    ("KMB", "80K", ["Kowloon City Plaza", "Diamond Hill Station", "Tai Wai Station", "Sha Tin Central",
                    "City One Shatin"]),
    ("KMB", "272A", ["Tai Wai Station", "Sha Tin Central", "Hong Kong Science Park"]),
    ("KMB", "30X", ["Whampoa Garden", "Jordan Road", "Mei Foo Station", "Kwai Fong Station", "Tsuen Wan Nina Tower",
                    "Tsuen Wan West Station"]),
    ("KMB", "104", ["Mong Kok Police Station", "Jordan Road", "Hung Hom Station", "Wan Chai Road", "Admiralty Station",
                    "Central (Exchange Square)", "Western Market"]),
    ("KMB", "N216", ["Yau Ma Tei Station", "Hung Hom Station", "Kwun Tong Ferry", "Lam Tin Station"]),
    ("CTB", "6X", ["Central (Exchange Square)", "Admiralty Station", "Happy Valley", "Repulse Bay", "Stanley Village"]),
    ("CTB", "15", ["Central Pier 5", "Central (Exchange Square)", "Admiralty Station", "The Peak Tower"]),
    ("CTB", "8", ["Wan Chai Road", "Causeway Bay (Times Square)", "Tin Hau", "North Point Ferry Pier", "Quarry Bay",
                  "Chai Wan Station"]),
    ("CTB", "629", ["Central Pier 5", "Admiralty Station", "Aberdeen Centre", "Ocean Park"]),
    ("CTB", "A21", ["Airport (Ground Transportation Centre)", "Tsuen Wan West Station", "Mei Foo Station",
                    "Prince Edward Station", "Mong Kok Police Station", "Jordan Road", "Hung Hom Station"]),
    ("CTB", "E23", ["Tung Chung Station", "AsiaWorld-Expo", "Tsuen Wan West Station", "Convention Centre",
                    "Causeway Bay (Times Square)"]),
    ("CTB", "5B", ["Central Pier 5", "Central (Exchange Square)", "Wan Chai Road", "Causeway Bay (Times Square)",
                   "Happy Valley"]),
    ("CTB", "N11", ["Central (Exchange Square)", "Tsuen Wan West Station", "Tung Chung Station",
                    "Airport (Ground Transportation Centre)"]),
]
MINUTES_PER_STOP = 3
MAX_FAVOURITES, MAX_ALERTS = 12, 3
Route = Annotated[str, UserKnown, Field(min_length=1, max_length=5)]
StopName = Annotated[str, UserKnown, Field(min_length=1, max_length=60)]
Direction = Literal["outbound", "inbound"]

Arrival = TypedDict("Arrival", {"route": str, "company": str, "direction": str, "destination": str,
                                "stop_name": str, "estimated_arrival_time": str, "minutes": int,
                                "distance_from_stop": int})
Arrivals = TypedDict("Arrivals", {"arrivals": list[Arrival]})
RouteInfo = TypedDict("RouteInfo", {"route": str, "company": str, "direction": str, "origin": str,
                                    "destination": str})
Routes = TypedDict("Routes", {"routes": list[RouteInfo]})
Trip = TypedDict("Trip", {"route": str, "company": str, "direction": str, "destination": str, "stops": int,
                          "ride_minutes": int})
Trips = TypedDict("Trips", {"routes": list[Trip]})
StopOnRoute = TypedDict("StopOnRoute", {"seq": int, "stop_name": str, "district": str})
RouteStops = TypedDict("RouteStops", {"route": str, "direction": str, "destination": str, "first_bus": str,
                                      "last_bus": str, "stops": list[StopOnRoute]})
Stop = TypedDict("Stop", {"stop_id": str, "stop_name": str, "district": str, "lat": float, "lng": float,
                          "routes": list[str]})
Stops = TypedDict("Stops", {"stops": list[Stop]})
Favourite = TypedDict("Favourite", {"favourite_id": str, "route": str, "direction": str, "stop_name": str,
                                    "label": str, "next_bus_minutes": int})
Journey = TypedDict("Journey", {"label": str, "from_stop_name": str, "to_stop_name": str})
Favourites = TypedDict("Favourites", {"favourites": list[Favourite], "journeys": list[Journey]})
Alert = TypedDict("Alert", {"alert_id": str, "route": str, "direction": str, "stop_name": str,
                            "minutes_before": int, "status": str})


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


class HKBus(World):
    """Hong Kong bus companion app for KMB and Citybus (CTB): routes (outbound and inbound), stops, real-time
    arrival estimates, favourite stops of routes and arrival alerts. Routes starting with N run overnight only."""

    schema = """
    CREATE TABLE stops (stop_id TEXT PRIMARY KEY, stop_name TEXT NOT NULL UNIQUE, district TEXT NOT NULL,
                        lat REAL NOT NULL, lng REAL NOT NULL);
    CREATE TABLE routes (route TEXT NOT NULL, direction TEXT NOT NULL, company TEXT NOT NULL, origin TEXT NOT NULL,
                         destination TEXT NOT NULL, first_bus INTEGER NOT NULL, last_bus INTEGER NOT NULL,
                         headway INTEGER NOT NULL, PRIMARY KEY (route, direction));
    CREATE TABLE route_stops (route TEXT NOT NULL, direction TEXT NOT NULL, seq INTEGER NOT NULL,
                              stop_name TEXT NOT NULL REFERENCES stops (stop_name), PRIMARY KEY (route, direction, seq));
    CREATE INDEX route_stops_by_stop ON route_stops (stop_name);
    CREATE INDEX stops_by_name ON stops (stop_name COLLATE NOCASE);
    CREATE TABLE favourites (favourite_id TEXT PRIMARY KEY, route TEXT NOT NULL, direction TEXT NOT NULL,
                             stop_name TEXT NOT NULL, label TEXT NOT NULL, UNIQUE (route, direction, stop_name));
    CREATE TABLE journeys (label TEXT PRIMARY KEY, from_stop_name TEXT NOT NULL, to_stop_name TEXT NOT NULL);
    CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, route TEXT NOT NULL, direction TEXT NOT NULL,
                         stop_name TEXT NOT NULL, minutes_before INTEGER NOT NULL, status TEXT NOT NULL);
    CREATE INDEX alerts_by_status ON alerts (status);
    """
    text_search = {"stops": ("stop_name", "district")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["stops"].insert_all({"stop_id": f"{rng.getrandbits(64):016X}", "stop_name": name, "district": d,
                                "lat": round(lat + rng.uniform(-.012, .012), 5),
                                "lng": round(lng + rng.uniform(-.012, .012), 5)}
                               for d, (lat, lng, names) in DISTRICTS.items() for name in names)
        routes, calls = [], []
        for company, route, stops in ROUTES:
            night = route.startswith("N")
            first, last = (20, 320) if night else (rng.randrange(330, 400, 5), rng.randrange(1380, 1450, 5))
            headway = rng.choice([15, 20, 30]) if night else rng.choice([6, 8, 10, 12, 15, 20])
            for direction, order in (("outbound", stops), ("inbound", stops[::-1])):
                routes.append({"route": route, "direction": direction, "company": company, "origin": order[0],
                               "destination": order[-1], "first_bus": first + rng.randrange(0, 10),
                               "last_bus": last, "headway": headway})
                calls += [{"route": route, "direction": direction, "seq": i + 1, "stop_name": s}
                          for i, s in enumerate(order)]
        db["routes"].insert_all(routes)
        db["route_stops"].insert_all(calls)
        picks = rng.sample([c for c in calls if not c["route"].startswith("N")], 7)
        db["favourites"].insert_all({"favourite_id": fake_id(rng, "fav_"), **{k: c[k] for k in
                                    ("route", "direction", "stop_name")}, "label": label}
                                    for c, label in zip(picks[:5], ["Home", "Work", "Gym", "Mum's place", "School"]))
        labels = ["Home to work", "Work to home", "To the gym", "Weekend hike", "Visit grandma"]
        journeys = []
        day_routes = [number for _, number, _ in ROUTES if not number.startswith("N")]
        for label in labels:
            number = rng.choice(day_routes)
            route = [c for c in calls if c["route"] == number and c["direction"] == "outbound"]
            a, b = sorted(rng.sample(range(len(route)), 2))
            journeys.append({"label": label, "from_stop_name": route[a]["stop_name"],
                             "to_stop_name": route[b]["stop_name"]})
        db["journeys"].insert_all(journeys)
        db["alerts"].insert({"alert_id": fake_id(rng, "alt_"), **{k: picks[5][k] for k in
                            ("route", "direction", "stop_name")}, "minutes_before": 5, "status": "active"})

    def _route(self, route: str) -> str:
        code = route.strip().upper()
        if not self.value("SELECT 1 FROM routes WHERE route = ?", code):
            raise ToolError(f"no KMB or Citybus route '{route}'; find_buses_to_destination finds routes by place")
        return code

    def _stop(self, stop_name: str) -> str:
        name = self.value("SELECT stop_name FROM stops WHERE stop_name = ? COLLATE NOCASE", stop_name.strip())
        if name is None:
            raise ToolError(f"no bus stop called '{stop_name}'; find_stop_by_name finds stops by part of the name")
        return name

    def _direction(self, route: str, stop: str, direction: str | None) -> dict[str, Any]:
        """The route row (with the stop's seq) serving ``stop`` in ``direction`` or in its only direction."""
        found = self.rows("SELECT r.*, s.seq, s.stop_name FROM route_stops s JOIN routes r USING (route, direction)"
                          " WHERE s.route = ? AND s.stop_name = ? AND (?3 IS NULL OR s.direction = ?3)"
                          " ORDER BY r.direction DESC", route, stop, direction)
        return self._pick_direction(found, route, stop, direction)

    @staticmethod
    def _pick_direction(found: list[dict[str, Any]], route: str, stop: str, direction: str | None
                        ) -> dict[str, Any]:
        if not found:
            raise ToolError(f"route {route} does not stop at {stop}" + (f" {direction}" if direction else "")
                            + "; get_route_stops_info lists its stops")
        if len(found) > 1:  # at a terminus only the departing direction boards
            found = [r for r in found if r["destination"] != stop] or found
        if len(found) > 1:
            raise ToolError(f"route {route} stops at {stop} in both directions (outbound to {found[0]['destination']},"
                            f" inbound to {found[1]['destination']}); give the direction")
        return found[0]

    def _minute_of_day(self) -> int:
        """The episode clock's minute of the day."""
        now = self.now()
        return now.hour * 60 + now.minute

    def _resolve(self, route: str, stop_name: str, direction: str | None, overall: tuple[str, ...] = (),
                 per_stop: str = "") -> tuple[dict[str, Any], str, tuple[Any, ...]]:
        """What ``_direction(_route(route), _stop(stop_name), direction)`` gives (same errors, in the same order),
        the stop's name, and the values of the ``overall`` expressions, read in one query; the route row also holds
        the ``per_stop`` columns (SQL over the route_stops row ``s``)."""
        code = route.strip().upper()
        cursor = self.conn.execute(kept_prepared(
            f"SELECT x.known, x.stop{''.join(', ' + e for e in overall)}, r.route, r.direction, r.company,"
            f" r.destination, r.first_bus, r.last_bus, r.headway, s.seq, s.stop_name{per_stop}"
            " FROM (SELECT (SELECT 1 FROM routes WHERE route = ?1) AS known,"
            " (SELECT stop_name FROM stops WHERE stop_name = ?2 COLLATE NOCASE) AS stop) x"
            " LEFT JOIN route_stops s ON s.route = ?1"
            " AND s.stop_name = x.stop AND (?3 IS NULL OR s.direction = ?3) LEFT JOIN routes r USING (route,"
            " direction) ORDER BY r.direction DESC"), (code, stop_name.strip(), direction))
        rows = cursor.fetchall()
        known, stop = rows[0][0], rows[0][1]
        if not known:
            raise ToolError(f"no KMB or Citybus route '{route}'; find_buses_to_destination finds routes by place")
        if stop is None:
            raise ToolError(f"no bus stop called '{stop_name}'; find_stop_by_name finds stops by part of the name")
        first_route_column = 2 + len(overall)
        names = [column[0] for column in cursor.description[first_route_column:]]
        found = [dict(zip(names, row[first_route_column:])) for row in rows if row[first_route_column] is not None]
        return self._pick_direction(found, code, stop, direction), stop, rows[0][2:first_route_column]

    @staticmethod
    def _times(r: dict[str, Any], now: int, count: int) -> list[int]:
        """The next ``count`` arrival minutes of a route row (from :meth:`_direction`) at its stop, those before its
        last bus; a ToolError when the route is not running now."""
        offset = (r["seq"] - 1) * MINUTES_PER_STOP
        first = r["first_bus"] + offset
        if not r["first_bus"] + offset - 60 <= now <= r["last_bus"] + offset:
            raise ToolError(f"route {r['route']} is not running now: it runs from {clock(r['first_bus'])} to"
                            f" {clock(r['last_bus'])}")
        n = max(0, -(-(now - first) // r["headway"]))
        times = [first + (n + i) * r["headway"] for i in range(count)]
        return [t for t in times if t <= r["last_bus"] + offset]

    def _next_minutes(self, r: dict[str, Any], now: int) -> int:
        """Minutes to a route row's next bus at its stop, -1 when none is running."""
        try:
            return self._times(r, now, 1)[0] - now
        except (ToolError, IndexError):
            return -1

    def _arrivals(self, r: dict[str, Any], count: int) -> list[Arrival]:
        now = self._minute_of_day()
        # r["stop_name"] is the stop of the route_stops row (route, direction, seq) that _direction matched
        return [{"route": r["route"], "company": r["company"], "direction": r["direction"],
                 "destination": r["destination"], "stop_name": r["stop_name"], "estimated_arrival_time": clock(t),
                 "minutes": t - now, "distance_from_stop": (t - now) * 350}
                for t in self._times(r, now, count)]

    @tool(phrase=["find out when the next {route} bus reaches {stop_name}[ going {direction}]",
                  "check how far the next {route} is from {stop_name}"])
    def get_next_bus(self, route: Route, stop_name: StopName, direction: Direction | None = None) -> Arrival:
        """The next bus of a route at a stop: arrival time (HH:MM), minutes away and distance (m).

        Args:
            route: Route number, e.g. 1A.
            stop_name: The stop's name.
            direction: outbound or inbound; needed when the route stops there both ways.
        """
        return self._arrivals(self._direction(self._route(route), self._stop(stop_name), direction), 1)[0]

    @tool(phrase=["get the next {count} arrivals of route {route} at {stop_name}[ {direction}]",
                  "show the bus times of {route} at {stop_name}"])
    def get_bus_eta(self, route: Route, stop_name: StopName, direction: Direction | None = None,
                    count: Annotated[int, Field(ge=1, le=3)] = 3) -> Arrivals:
        """The next arrivals (up to 3, as the real-time board shows) of a route at a stop.

        Args:
            route: Route number.
            stop_name: The stop's name.
            direction: outbound or inbound; needed when the route stops there both ways.
            count: How many arrivals, 1-3.
        """
        return {"arrivals": self._arrivals(self._direction(self._route(route), self._stop(stop_name), direction),
                                           count)}

    @tool(phrase=["find which buses go to {destination}[ from {origin}]", "look for a bus to {destination}[ from {origin}]"])
    def find_buses_to_destination(self, destination: NonEmptyStr, origin: str | None = None) -> Routes:
        """Routes that stop at a place (matched by part of the stop name or district), optionally also passing
        an origin before it.

        Args:
            destination: Where to, e.g. 'Stanley' or 'Airport'.
            origin: Where from (optional).
        """
        matches, params = self.text_filter("stops", destination)
        sql = (f"SELECT DISTINCT r.route, r.company, r.direction, r.origin, r.destination FROM route_stops d"
               f" JOIN routes r USING (route, direction) WHERE d.stop_name IN (SELECT stop_name FROM stops"
               f" WHERE {matches})")
        if origin:
            o_match, o_params = self.text_filter("stops", origin)
            sql += (f" AND EXISTS (SELECT 1 FROM route_stops o WHERE o.route = d.route AND o.direction = d.direction"
                    f" AND o.seq < d.seq AND o.stop_name IN (SELECT stop_name FROM stops WHERE {o_match}))")
            params += o_params
        return {"routes": self.rows(sql + " ORDER BY r.company, r.route, r.direction", *params)}

    @tool(phrase=["list the stops of route {route}[ {direction}]", "show me the stops the {route} makes[ {direction}]"])
    def get_route_stops_info(self, route: Route, direction: Direction = "outbound") -> RouteStops:
        """A route's stops in order for one direction, with its first and last bus times.

        Args:
            route: Route number.
            direction: outbound (from the first terminus) or inbound.
        """
        r = self.row("SELECT * FROM routes WHERE route = ? AND direction = ?", self._route(route), direction)
        stops = self.rows("SELECT s.seq, s.stop_name, t.district FROM route_stops s JOIN stops t USING (stop_name)"
                          " WHERE s.route = ? AND s.direction = ? ORDER BY s.seq", r["route"], direction)
        return {"route": r["route"], "direction": direction, "destination": r["destination"],
                "first_bus": clock(r["first_bus"]), "last_bus": clock(r["last_bus"]), "stops": stops}

    def _stop_view(self, s: dict[str, Any]) -> Stop:
        routes = [r["route"] for r in self.rows("SELECT DISTINCT route FROM route_stops WHERE stop_name = ?"
                                                " ORDER BY route", s["stop_name"])]
        return {**s, "routes": routes}

    @tool(phrase=["find bus stops called {stop_name}", "search for the {stop_name} bus stop"])
    def find_stop_by_name(self, stop_name: NonEmptyStr) -> Stops:
        """Stops whose name or district contains the text.

        Args:
            stop_name: Part of the stop name, e.g. 'Ferry'.
        """
        matches, params = self.text_filter("stops", stop_name)
        return {"stops": [self._stop_view(s) for s in self.rows(
            f"SELECT * FROM stops WHERE {matches} ORDER BY stop_name LIMIT 20", *params)]}

    @tool(phrase=["find the routes that stop at {stop_name}", "list every bus at {stop_name}"])
    def get_all_routes_at_stop(self, stop_name: StopName) -> Routes:
        """All routes (both companies, both directions) calling at a stop.

        Args:
            stop_name: The stop's exact name.
        """
        return {"routes": self.rows("SELECT DISTINCT r.route, r.company, r.direction, r.origin, r.destination FROM"
                                    " route_stops s JOIN routes r USING (route, direction) WHERE s.stop_name = ?"
                                    " ORDER BY r.company, r.route, r.direction", self._stop(stop_name))}

    @tool(phrase=["check for a direct bus from {from_stop_name} to {to_stop_name}",
                  "find buses from {from_stop_name} to {to_stop_name}"])
    def search_route_by_stops(self, from_stop_name: StopName, to_stop_name: StopName) -> Trips:
        """Direct routes from one stop to another, with the number of stops and the ride time.

        Args:
            from_stop_name: Boarding stop.
            to_stop_name: Alighting stop.
        """
        a, b = self._stop(from_stop_name), self._stop(to_stop_name)
        return {"routes": self.rows(
            f"SELECT r.route, r.company, r.direction, r.destination, t.seq - f.seq AS stops,"
            f" (t.seq - f.seq) * {MINUTES_PER_STOP} AS ride_minutes FROM route_stops f JOIN route_stops t"
            " ON t.route = f.route AND t.direction = f.direction AND t.seq > f.seq JOIN routes r"
            " ON r.route = f.route AND r.direction = f.direction WHERE f.stop_name = ? AND t.stop_name = ?"
            " ORDER BY stops, r.route", a, b)}

    @tool(phrase=["show my favourite stops and saved journeys", "list my bus favourites"])
    def list_favourites(self) -> Favourites:
        """Your favourite route stops (with the next bus in minutes, -1 when not running) and saved journeys."""
        # one query: each favourite with the route row serving its stop in its direction (a route calls at a stop
        # at most once per direction, so there is at most one; none gives -1, as _direction's error did)
        now = self._minute_of_day()
        out = []
        for (fid, route, direction, stop_name, label, seq, first_bus, last_bus, headway) in self.conn.execute(
                kept_prepared(
                    "SELECT f.favourite_id, f.route, f.direction, f.stop_name, f.label, s.seq, r.first_bus,"
                    " r.last_bus, r.headway FROM favourites f LEFT JOIN route_stops s ON s.route = f.route"
                    " AND s.direction = f.direction AND s.stop_name = f.stop_name LEFT JOIN routes r"
                    " ON r.route = s.route AND r.direction = s.direction ORDER BY f.label, f.favourite_id")):
            minutes = -1 if seq is None else self._next_minutes(
                {"route": route, "seq": seq, "first_bus": first_bus, "last_bus": last_bus, "headway": headway}, now)
            out.append({"favourite_id": fid, "route": route, "direction": direction, "stop_name": stop_name,
                        "label": label, "next_bus_minutes": minutes})
        return {"favourites": out, "journeys": self.rows("SELECT * FROM journeys ORDER BY label")}

    @tool(writes=True, phrase=["save route {route} at {stop_name}[ ({direction})] to my favourites[ as {label}]",
                               "add the {route} at {stop_name} to my favourites[ under {label}]"])
    def add_favourite(self, route: Route, stop_name: StopName, direction: Direction | None = None,
                      label: Annotated[str, Field(max_length=30)] = "") -> Favourite:
        """Save a route at a stop as a favourite (at most 12).

        Args:
            route: Route number.
            stop_name: The stop's name.
            direction: outbound or inbound; needed when the route stops there both ways.
            label: A name for it, e.g. 'Home'.
        """
        # with the same favourite's label and the number of favourites (checked in that order)
        r, stop, (count,) = self._resolve(
            route, stop_name, direction, overall=("(SELECT COUNT(*) FROM favourites)",),
            per_stop=", (SELECT label FROM favourites f WHERE f.route = s.route AND f.direction = s.direction"
                     " AND f.stop_name = s.stop_name) AS favourite")
        old = r["favourite"]
        if old is not None:
            raise ToolError(f"route {r['route']} at {stop} is already a favourite ('{old}')")
        if count >= MAX_FAVOURITES:
            raise ToolError(f"you already have {MAX_FAVOURITES} favourites; remove one first")
        fid = self.new_id("favourites", "fav_")
        self.execute("INSERT INTO favourites VALUES (?, ?, ?, ?, ?)", fid, r["route"], r["direction"], stop,
                     label.strip() or stop)
        # what list_favourites shows for it: r is the route row serving the stop in the favourite's direction
        return {"favourite_id": fid, "route": r["route"], "direction": r["direction"], "stop_name": stop,
                "label": label.strip() or stop,
                "next_bus_minutes": self._next_minutes(r, self._minute_of_day())}

    @tool(writes=True, phrase=["remove {favourite_id} from my favourites", "delete the favourite {favourite_id}"])
    def remove_favourite(self, favourite_id: str) -> Favourites:
        """Remove a favourite; returns what is left.

        Args:
            favourite_id: From list_favourites.
        """
        if not self.execute("DELETE FROM favourites WHERE favourite_id = ?", favourite_id):
            raise ToolError(f"no favourite '{favourite_id}'; list_favourites shows them")
        return self.list_favourites()

    @tool(phrase=["show my bus arrival alerts", "check my arrival alerts"])
    def list_arrival_alerts(self) -> list[Alert]:
        """Your arrival alerts, active ones first."""
        return self.rows("SELECT * FROM alerts ORDER BY status, route, alert_id")

    @tool(writes=True, phrase=["alert me {minutes_before} minutes before the {route} reaches {stop_name}[ ({direction})]",
                               "notify me when route {route} is {minutes_before} minutes from {stop_name}"])
    def set_arrival_alert(self, route: Route, stop_name: StopName, minutes_before: Annotated[int, Field(ge=1, le=30)],
                          direction: Direction | None = None) -> Alert:
        """Get notified when a route's next bus is some minutes from a stop (at most 3 active alerts).

        Args:
            route: Route number.
            stop_name: The stop's name.
            minutes_before: Minutes before arrival, 1-30.
            direction: outbound or inbound; needed when the route stops there both ways.
        """
        # with the same active alert and the number of active alerts (checked in that order)
        r, stop, (count,) = self._resolve(
            route, stop_name, direction, overall=("(SELECT COUNT(*) FROM alerts WHERE status = 'active')",),
            per_stop=", EXISTS (SELECT 1 FROM alerts a WHERE a.route = s.route AND a.direction = s.direction"
                     " AND a.stop_name = s.stop_name AND a.status = 'active') AS alerted")
        self._times(r, self._minute_of_day(), 1)
        if r["alerted"]:
            raise ToolError(f"you already have an active alert for route {r['route']} at {stop}")
        if count >= MAX_ALERTS:
            raise ToolError(f"you already have {MAX_ALERTS} active alerts; cancel one first")
        aid = self.new_id("alerts", "alt_")
        self.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, 'active')", aid, r["route"], r["direction"], stop,
                     minutes_before)
        return {"alert_id": aid, "route": r["route"], "direction": r["direction"], "stop_name": stop,
                "minutes_before": minutes_before, "status": "active"}

    @tool(writes=True, phrase=["cancel {alert_id}", "switch off {alert_id}"])
    def cancel_arrival_alert(self, alert_id: str) -> Alert:
        """Cancel an active arrival alert.

        Args:
            alert_id: From list_arrival_alerts.
        """
        alert = self.require("SELECT * FROM alerts WHERE alert_id = ?", alert_id,
                             error=f"no alert '{alert_id}'; list_arrival_alerts shows them")
        if alert["status"] != "active":
            raise ToolError(f"alert '{alert_id}' is already {alert['status']}")
        self.execute("UPDATE alerts SET status = 'cancelled' WHERE alert_id = ?", alert_id)
        return {**alert, "status": "cancelled"}
