"""Maps: a Google-Maps-like service: geocoding, place details, routes by travel mode, elevation, saved lists, reviews."""

from __future__ import annotations

import hashlib
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

# metro: (state, country, latitude, longitude, base elevation m, area code, zip prefix, arterial roads)
METROS = {
    "San Francisco": ("CA", "USA", 37.7749, -122.4194, 20, "415", "941", ["US-101 N", "I-280 S", "Geary Blvd",
                                                                        "Market St", "19th Ave", "Van Ness Ave"]),
    "Seattle": ("WA", "USA", 47.6062, -122.3321, 50, "206", "981", ["I-5 N", "SR 99", "Aurora Ave N",
                                                                   "Rainier Ave S", "Westlake Ave N"]),
    "Denver": ("CO", "USA", 39.7392, -104.9903, 1609, "303", "802", ["I-25 S", "Colfax Ave", "Speer Blvd",
                                                                    "Broadway", "6th Ave Fwy"]),
    "Boston": ("MA", "USA", 42.3601, -71.0589, 15, "617", "021", ["I-93 N", "Storrow Dr", "Massachusetts Ave",
                                                                 "Commonwealth Ave", "Columbus Ave"]),
}
KINDS = {  # category: (name patterns, hours, rises above the city by up to this many metres)
    "cafe": (["{s} Coffee", "{s} Espresso Bar"], "Mon-Sun 07:00-18:00", 40),
    "restaurant": (["{s}'s Kitchen", "Trattoria {s}", "{s} Noodle House"], "Tue-Sun 11:30-22:00", 40),
    "bakery": (["{s} Bakery"], "Mon-Sat 06:30-15:00", 40),
    "museum": (["{s} Museum of Art", "{s} History Museum"], "Wed-Mon 10:00-17:00", 60),
    "park": (["{s} Park", "{s} Hill Overlook"], "Open 24 hours", 260),
    "hotel": (["Hotel {s}", "The {s} Inn"], "Open 24 hours", 40),
    "pharmacy": (["{s} Pharmacy"], "Mon-Fri 08:00-21:00", 30),
    "bookstore": (["{s} Books"], "Mon-Sun 10:00-20:00", 30),
}
SAYINGS = {5: ["Absolutely loved it.", "Best in town, will be back."], 4: ["Really good, a bit crowded.",
           "Friendly staff and a nice spot."], 3: ["Fine, nothing special.", "Okay, but overpriced."],
           2: ["Slow service.", "Not worth the wait."], 1: ["Closed when the hours said open.", "Rude staff."]}
MODES = {"driving": None, "walking": (4.8, 50), "bicycling": (15.0, 150), "transit": (22.0, 80)}
Mode = Literal["driving", "walking", "bicycling", "transit"]
ListName = Annotated[str, UserKnown, Field(min_length=1, max_length=40, pattern=r"\S")]
PlaceIds = Annotated[list[str], Field(min_length=1, max_length=10)]

Point = TypedDict("Point", {"lat": float, "lng": float})
Geocoded = TypedDict("Geocoded", {"place_id": str, "name": str, "formatted_address": str, "location": Point})
Reverse = TypedDict("Reverse", {"place_id": str, "name": str, "formatted_address": str, "coordinates": Point,
                                "distance_meters": int})
Review = TypedDict("Review", {"author": str, "rating": int, "text": str, "time": str})
PlaceSummary = TypedDict("PlaceSummary", {"place_id": str, "name": str, "category": str,
                                          "formatted_address": str, "rating": float})
Details = TypedDict("Details", {"place_id": str, "name": str, "category": str, "formatted_address": str,
                                "location": Point, "phone_number": str, "website": str, "rating": float,
                                "user_ratings_total": int, "opening_hours": str, "reviews": list[Review]})
Element = TypedDict("Element", {"origin": str, "destination": str, "status": str, "distance": str,
                                "duration": str, "distance_meters": int, "duration_seconds": int})
Matrix = TypedDict("Matrix", {"mode": str, "rows": list[Element]})
Step = TypedDict("Step", {"instruction": str, "distance": str})
Route = TypedDict("Route", {"duration": str, "distance": str, "summary": str, "duration_seconds": int,
                            "distance_meters": int, "steps": list[Step]})
Directions = TypedDict("Directions", {"origin": str, "destination": str, "mode": str, "routes": list[Route]})
Height = TypedDict("Height", {"place_id": str, "name": str, "elevation": float, "location": Point})
Elevations = TypedDict("Elevations", {"elevation_data": list[Height]})
Saved = TypedDict("Saved", {"place_id": str, "name": str, "category": str, "city": str, "formatted_address": str,
                            "note": str})
SavedList = TypedDict("SavedList", {"list_name": str, "description": str, "count": int, "places": list[Saved]})
MyReview = TypedDict("MyReview", {"place_id": str, "name": str, "rating": int, "text": str, "place_rating": float,
                                  "user_ratings_total": int, "updated": bool})


def distance_text(meters: int) -> str:
    return f"{meters / 1000:.1f} km" if meters >= 1000 else f"{meters} m"


def duration_text(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def haversine(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle metres between two places."""
    return great_circle(a["latitude"], a["longitude"], b["latitude"], b["longitude"])


def great_circle(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    """Great-circle metres between two points."""
    p1, p2 = math.radians(latitude_a), math.radians(latitude_b)
    dp, dl = p2 - p1, math.radians(longitude_b - longitude_a)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


class Maps(World):
    """A maps service over four US metros (San Francisco, Seattle, Denver, Boston): places with addresses,
    coordinates and elevations, routes by car, on foot, by bike and by transit, the user's saved lists and
    reviews. Distances are metric; a place is referred to by its place_id (maps_search_places finds it)."""

    domain = "Utilities"
    schema = """
    CREATE TABLE places (place_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
                         address TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL, postal_code TEXT NOT NULL,
                         country TEXT NOT NULL, latitude REAL NOT NULL, longitude REAL NOT NULL,
                         elevation_meters REAL NOT NULL, phone_number TEXT NOT NULL, website TEXT NOT NULL,
                         rating REAL NOT NULL, user_ratings_total INTEGER NOT NULL, opening_hours TEXT NOT NULL);
    CREATE INDEX places_by_city ON places (city, category);
    CREATE INDEX places_by_city_nocase ON places (city COLLATE NOCASE, rating);
    CREATE TABLE reviews (review_id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places, author TEXT NOT NULL,
                          rating INTEGER NOT NULL, text TEXT NOT NULL, time TEXT NOT NULL, mine INTEGER NOT NULL);
    CREATE INDEX reviews_by_place ON reviews (place_id, time);
    CREATE TABLE lists (list_name TEXT PRIMARY KEY COLLATE NOCASE, description TEXT NOT NULL, created TEXT NOT NULL);
    CREATE TABLE saved_places (list_name TEXT NOT NULL REFERENCES lists, place_id TEXT NOT NULL REFERENCES places,
                               note TEXT NOT NULL, saved_at TEXT NOT NULL, PRIMARY KEY (list_name, place_id));
    """
    text_search = {"places": ("name", "category", "address")}
    volatile = {"reviews": ("time",), "lists": ("created",), "saved_places": ("saved_at",)}
    MAX_LISTS = 12

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        places, reviews, names = [], [], set()
        for city, (state, country, lat, lng, base, area, zip3, _) in METROS.items():
            places.append({"place_id": fake_id(rng, "pl_"), "name": city, "category": "locality", "address": "",
                           "city": city, "state": state, "postal_code": "", "country": country, "latitude": lat,
                           "longitude": lng, "elevation_meters": float(base), "phone_number": "", "website": "",
                           "rating": 0.0, "user_ratings_total": 0, "opening_hours": ""})
            while len(places) % 17:
                category = rng.choice(list(KINDS))
                patterns, hours, rise = KINDS[category]
                name = rng.choice(patterns).format(s=fake.last_name())
                if name in names:
                    continue
                names.add(name)
                place_id = fake_id(rng, "pl_")
                stars = [rng.choices([5, 4, 3, 2, 1], [5, 6, 3, 1, 1])[0] for _ in range(rng.randrange(2, 6))]
                for at, star in zip(sorted(cls.days_before_start(rng, 3, 730) for _ in stars), stars, strict=True):
                    reviews.append({"review_id": fake_id(rng, "rev_"), "place_id": place_id, "author": fake.name(),
                                    "rating": star, "text": rng.choice(SAYINGS[star]), "time": f"{at}T12:00",
                                    "mine": 0})
                places.append({
                    "place_id": place_id, "name": name, "category": category,
                    "address": f"{rng.randrange(1, 2999)} {fake.street_name()}", "city": city, "state": state,
                    "postal_code": f"{zip3}{rng.randrange(1, 99):02d}", "country": country,
                    "latitude": round(lat + rng.uniform(-0.06, 0.06), 4),
                    "longitude": round(lng + rng.uniform(-0.07, 0.07), 4),
                    "elevation_meters": round(base + rng.uniform(0, rise), 1),
                    "phone_number": f"({area}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
                    "website": "" if category == "park" else
                    f"https://www.{''.join(c for c in name.lower() if c.isalnum())}.com",
                    "rating": round(sum(stars) / len(stars) * 0.3 + rng.uniform(2.6, 3.4), 1),
                    "user_ratings_total": rng.randrange(15, 2400), "opening_hours": hours})
        db["places"].insert_all(places)
        db["reviews"].insert_all(reviews)
        lists = [("Favorites", "Places I love"), ("Want to go", "Places to try"), ("Travel plans", "Trip ideas"),
                 ("Coffee spots", "Good coffee")]
        db["lists"].insert_all({"list_name": n, "description": d, "created": "2025-11-02T10:00"} for n, d in lists)
        spots = [p for p in places if p["category"] != "locality"]
        db["saved_places"].insert_all(
            {"list_name": n, "place_id": p["place_id"], "note": rng.choice(["", "", "go on a weekday", "try brunch",
                                                                              "recommended by Sam"]),
             "saved_at": f"{cls.days_before_start(rng, 1, 365)}T18:00"}
            for n, _ in lists for p in rng.sample([s for s in spots if n != "Coffee spots" or s["category"] in (
                "cafe", "bakery")], rng.randrange(3, 7)))

    # ------------------------------------------------------------------ helpers
    def _place(self, place_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM places WHERE place_id = ?", place_id, error=f"no place with place_id "
                            f"'{place_id}'; maps_search_places or maps_geocode find a place's id")

    def _list(self, list_name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM lists WHERE list_name = ?", list_name.strip(), error=f"you have no saved "
                            f"list called '{list_name}'; lists: {', '.join(self._list_names())}")

    def _list_names(self) -> list[str]:
        return [r["list_name"] for r in self.rows("SELECT list_name FROM lists ORDER BY created, list_name")]

    @staticmethod
    def _address(p: dict[str, Any]) -> str:
        if p["category"] == "locality":
            return f"{p['city']}, {p['state']}, {p['country']}"
        return f"{p['address']}, {p['city']}, {p['state']} {p['postal_code']}, {p['country']}"

    def _geocoded(self, p: dict[str, Any]) -> Geocoded:
        return {"place_id": p["place_id"], "name": p["name"], "formatted_address": self._address(p),
                "location": {"lat": p["latitude"], "lng": p["longitude"]}}

    def _leg(self, a: dict[str, Any], b: dict[str, Any], mode: str) -> tuple[int, int] | str:
        """Road metres and seconds from a to b by mode, or why the mode has no route between them."""
        seed = f"{min(a['place_id'], b['place_id'])}|{max(a['place_id'], b['place_id'])}|{mode}"
        detour = 1.15 + hashlib.blake2b(seed.encode(), digest_size=2).digest()[0] / 850
        meters = round(haversine(a, b) * detour)
        if mode == "driving":
            return meters, round(meters / (min(25 + meters / 400, 95) / 3.6)) + 120 * (meters > 0)
        speed, limit = MODES[mode]
        if mode == "transit" and a["city"] != b["city"]:
            return f"no transit connects {a['city']} and {b['city']}; try driving"
        if meters > limit * 1000:
            return f"{mode} routes cover up to {limit} km and this trip is {meters / 1000:.0f} km; try driving"
        return meters, round(meters / (speed / 3.6)) + (420 if mode == "transit" else 0)

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find the coordinates of {address} in {city}[, {country}]", "geocode {city}[, {country}]",
                  "get the exact location of {address}, {city}"])
    def maps_geocode(self, city: NonEmptyStr, address: str | None = None, country: str | None = None) -> Geocoded:
        """Turn a street address (or just a city) into a place with its coordinates and formatted address.

        Args:
            city: The city, e.g. "Denver".
            address: Street address within the city, e.g. "1234 Main St"; without it the city centre is returned.
            country: Country, e.g. "USA" (all mapped places are in the USA).
        """
        if country and country.strip().upper() not in ("USA", "US", "UNITED STATES"):
            raise ToolError(f"no mapped places in '{country}'; this service covers the USA")
        where = "category != 'locality' AND address = ? COLLATE NOCASE" if address else "category = 'locality'"
        place = self.row(f"SELECT * FROM places WHERE city = ? COLLATE NOCASE AND {where}", city.strip(),
                         *([address.strip()] if address else []))
        if place is None:
            raise ToolError(f"no match for '{address}' in {city}; check the street number or try maps_search_places"
                            if address else f"unknown city '{city}'; covered: {', '.join(METROS)}")
        return self._geocoded(place)

    @tool(phrase=["find out what is at {latitude}, {longitude}", "tell me the address at coordinates "
                  "{latitude}, {longitude}"])
    def maps_reverse_geocode(self, latitude: Annotated[float, Field(ge=-90, le=90)],
                             longitude: Annotated[float, Field(ge=-180, le=180)]) -> Reverse:
        """The mapped place nearest to a point (within 500 m), with its address.

        Args:
            latitude: Latitude in degrees.
            longitude: Longitude in degrees.
        """
        located = self.conn.execute("SELECT rowid, latitude, longitude FROM places WHERE category != 'locality'"
                                    " ORDER BY rowid")  # the first of the nearest, as in row order
        rowid = min(located, key=lambda p: great_circle(p[1], p[2], latitude, longitude))[0]
        nearest = self.row("SELECT * FROM places WHERE rowid = ?", rowid)
        if (meters := round(great_circle(nearest["latitude"], nearest["longitude"], latitude, longitude))) > 500:
            raise ToolError(f"nothing mapped within 500 m of {latitude}, {longitude}; the nearest place is "
                            f"{meters / 1000:.1f} km away")
        return {"place_id": nearest["place_id"], "name": nearest["name"], "formatted_address": self._address(nearest),
                "coordinates": {"lat": nearest["latitude"], "lng": nearest["longitude"]}, "distance_meters": meters}

    @tool(phrase=["search the map for {query}[ in {city}]", "look for {query}[ in {city}] on the map"])
    def maps_search_places(self, query: NonEmptyStr, city: str | None = None,
                           max_results: Annotated[int, Field(ge=1, le=20)] = 10) -> list[PlaceSummary]:
        """Find places whose name, category or street matches the query, best rated first.

        Args:
            query: Text such as a name ("Hotel Ortiz") or a category ("cafe").
            city: Only places in this city.
            max_results: At most this many places.
        """
        matches, params = self.text_filter("places", query)
        rows = self.rows(f"SELECT * FROM places WHERE {matches} AND (? IS NULL OR city = ? COLLATE NOCASE)"
                         " ORDER BY rating DESC, name LIMIT ?", *params, city, city, max_results)
        return [{"place_id": p["place_id"], "name": p["name"], "category": p["category"],
                 "formatted_address": self._address(p), "rating": p["rating"]} for p in rows]

    @tool(phrase=["look up the details of {place_id}", "pull up {place_id} on the map"])
    def maps_place_details(self, place_id: str) -> Details:
        """Everything about a place: address, location, phone, website, rating, opening hours, latest reviews.

        Args:
            place_id: The place's id.
        """
        p = self._place(place_id)
        reviews = self.rows("SELECT author, rating, text, time FROM reviews WHERE place_id = ? ORDER BY time DESC,"
                            " review_id LIMIT 3", place_id)
        return {**self._geocoded(p), "category": p["category"], "phone_number": p["phone_number"],
                "website": p["website"], "rating": p["rating"], "user_ratings_total": p["user_ratings_total"],
                "opening_hours": p["opening_hours"], "reviews": reviews}

    @tool(phrase=["find how far it is from {origin_place_ids} to {destination_place_ids}[ by {mode}]",
                  "check the travel distance and time from {origin_place_ids} to {destination_place_ids}"
                  "[ by {mode}]"])
    def maps_distance_matrix(self, origin_place_ids: PlaceIds, destination_place_ids: PlaceIds,
                             mode: Mode = "driving") -> Matrix:
        """Road distance and travel time for every origin-destination pair (status ZERO_RESULTS where the mode
        has no route: walking over 50 km, cycling over 150 km, transit outside one metro area).

        Args:
            origin_place_ids: Place ids to start from (1-10).
            destination_place_ids: Place ids to go to (1-10).
            mode: Travel mode.
        """
        origins = [self._place(i) for i in origin_place_ids]
        targets = [self._place(i) for i in destination_place_ids]
        if origin_place_ids == destination_place_ids and len(set(origin_place_ids)) == 1:
            raise ToolError("origin and destination are the same place")
        rows = []
        for a in origins:
            for b in targets:
                leg = self._leg(a, b, mode)
                meters, seconds = (0, 0) if isinstance(leg, str) else leg
                rows.append({"origin": a["name"], "destination": b["name"], "status": "ZERO_RESULTS" if isinstance(
                    leg, str) else "OK", "distance": "" if meters == seconds == 0 else distance_text(meters),
                    "duration": "" if meters == seconds == 0 else duration_text(seconds), "distance_meters": meters, "duration_seconds": seconds})
        return {"mode": mode, "rows": rows}

    @tool(phrase=["find out the elevation of {place_ids}", "tell me how high above sea level {place_ids} is"])
    def maps_elevation(self, place_ids: PlaceIds) -> Elevations:
        """Elevation above sea level in metres of places.

        Args:
            place_ids: The places' ids (1-10).
        """
        return {"elevation_data": [{"place_id": p["place_id"], "name": p["name"], "elevation":
                                    p["elevation_meters"], "location": {"lat": p["latitude"], "lng": p["longitude"]}}
                                   for p in map(self._place, place_ids)]}

    @tool(phrase=["get {mode} directions from {origin_place_id} to {destination_place_id}",
                  "show me how to get from {origin_place_id} to {destination_place_id}[ by {mode}]"])
    def maps_directions(self, origin_place_id: str, destination_place_id: str, mode: Mode = "driving") -> Directions:
        """Turn-by-turn route between two places; driving also offers an alternative route.

        Args:
            origin_place_id: Where the trip starts.
            destination_place_id: Where it ends.
            mode: Travel mode.
        """
        a, b = self._place(origin_place_id), self._place(destination_place_id)
        if a["place_id"] == b["place_id"]:
            raise ToolError("origin and destination are the same place")
        if isinstance(leg := self._leg(a, b, mode), str):
            raise ToolError(f"no {mode} route from {a['name']} to {b['name']}: {leg}")
        roads = METROS[a["city"]][7]
        start = int(hashlib.blake2b(f"{a['place_id']}{b['place_id']}".encode(), digest_size=2).hexdigest(), 16)
        routes = []
        for n, factor in enumerate((1.0, 1.12) if mode == "driving" else (1.0,)):
            via = roads[(start + n) % len(roads)]
            meters, seconds = round(leg[0] * factor), round(leg[1] * factor * (1 - 0.04 * n))
            steps = [(f"Head out from {a['address'] or a['name']}", meters // 10), (f"Continue on {via}", meters * 8
                     // 10), (f"Arrive at {b['name']}, {b['address'] or b['city']}", meters - meters // 10 * 9)]
            routes.append({"duration": duration_text(seconds), "distance": distance_text(meters), "summary":
                           f"via {via}", "duration_seconds": seconds, "distance_meters": meters,
                           "steps": [{"instruction": s, "distance": distance_text(m)} for s, m in steps]})
        return {"origin": a["name"], "destination": b["name"], "mode": mode, "routes": routes}

    @tool(phrase=["show me the places saved in my {list_name} list", "check what I have on my {list_name} list"])
    def maps_list_saved_places(self, list_name: ListName) -> SavedList:
        """The places saved in one of the user's lists (Favorites, Want to go, ... or one they created).

        Args:
            list_name: The list's name.
        """
        return self._saved_list(self._list(list_name))

    def _saved_list(self, saved: dict[str, Any]) -> SavedList:
        """maps_list_saved_places's answer for a list (its row of lists: list_name and description)."""
        places = [{"place_id": p["place_id"], "name": p["name"], "category": p["category"], "city": p["city"],
                   "formatted_address": self._address(p), "note": p["note"]} for p in self.rows(
                       "SELECT p.place_id, p.name, p.category, p.city, p.address, p.state, p.postal_code, p.country,"
                       " s.note FROM saved_places s JOIN places p USING (place_id) WHERE s.list_name = ?"
                       " ORDER BY s.saved_at, p.name", saved["list_name"])]
        return {"list_name": saved["list_name"], "description": saved["description"], "count": len(places),
                "places": places}

    def _place_and_list(self, place_id: str, list_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """A place's name and one of the user's lists (what :meth:`_place` and :meth:`_list` check, in that
        order), with ``saved``: whether the place is in the list."""
        found = self.row("SELECT p.name, l.list_name, l.description, EXISTS (SELECT 1 FROM saved_places s WHERE"
                         " s.list_name = l.list_name AND s.place_id = p.place_id) AS saved FROM (SELECT 1)"
                         " LEFT JOIN places p ON p.place_id = ?1 LEFT JOIN lists l ON l.list_name = ?2",
                         place_id, list_name.strip())
        if found["name"] is None:
            self._place(place_id)  # raises its error
        if found["list_name"] is None:
            self._list(list_name)  # raises its error
        return found, found

    @tool(writes=True, phrase=["save {place_id} to my {list_name} list[ with the note {note}]",
                               "add {place_id} to my {list_name} list[, noting {note}]"])
    def maps_save_place(self, place_id: str, list_name: ListName,
                        note: Annotated[str, Field(max_length=200)] = "") -> SavedList:
        """Save a place to one of the user's lists, with an optional private note.

        Args:
            place_id: The place's id.
            list_name: The list to save it to.
            note: A private note shown with the saved place.
        """
        place, saved = self._place_and_list(place_id, list_name)
        if saved["saved"]:
            raise ToolError(f"{place['name']} is already saved in '{saved['list_name']}'")
        self.execute("INSERT INTO saved_places VALUES (?, ?, ?, ?)", saved["list_name"], place_id, note.strip(),
                     self.now().isoformat(timespec="minutes"))
        return self._saved_list(saved)

    @tool(writes=True, phrase=["take {place_id} off my {list_name} list", "remove {place_id} from my "
                               "{list_name} list"])
    def maps_remove_saved_place(self, place_id: str, list_name: ListName) -> SavedList:
        """Remove a place from one of the user's lists.

        Args:
            place_id: The place's id.
            list_name: The list to remove it from.
        """
        place, saved = self._place_and_list(place_id, list_name)
        if not self.execute("DELETE FROM saved_places WHERE list_name = ? AND place_id = ?", saved["list_name"],
                            place_id):
            raise ToolError(f"{place['name']} is not in your '{saved['list_name']}' list; maps_list_saved_places "
                            "shows what is")
        return self._saved_list(saved)

    @tool(writes=True, phrase=["create a new saved list called {list_name}[ described as {description}]",
                               "start a list named {list_name} in my saved places[ for {description}]"])
    def maps_create_list(self, list_name: ListName, description: Annotated[str, Field(max_length=200)] = ""
                         ) -> SavedList:
        """Create a new, empty list of saved places (at most 12 lists).

        Args:
            list_name: Name of the new list.
            description: What the list is for.
        """
        found = self.row("SELECT EXISTS (SELECT 1 FROM lists WHERE list_name = ?) AS taken,"
                         " (SELECT COUNT(*) FROM lists) AS lists", list_name.strip())
        if found["taken"]:
            raise ToolError(f"you already have a list called '{list_name.strip()}'")
        if found["lists"] >= self.MAX_LISTS:
            raise ToolError(f"you have {self.MAX_LISTS} lists, the most allowed; delete one first")
        self.execute("INSERT INTO lists VALUES (?, ?, ?)", list_name.strip(), description.strip(),
                     self.now().isoformat(timespec="minutes"))
        # the row just inserted, as _list would read it back
        return self._saved_list({"list_name": list_name.strip(), "description": description.strip()})

    @tool(writes=True, phrase=["leave a {rating}-star review for {place_id}[ saying {text}]",
                               "rate {place_id} {rating} out of 5 stars[ and write {text}]",
                               "give {place_id} a {rating}-star rating[ with the comment {text}]"])
    def maps_write_review(self, place_id: str, rating: Annotated[int, Field(ge=1, le=5)],
                          text: Annotated[str, Field(max_length=2000)] = "") -> MyReview:
        """Post the user's review of a place (a second review of the same place replaces the first); the place's
        average rating is updated. Cities cannot be reviewed.

        Args:
            place_id: The place's id.
            rating: Stars, 1-5.
            text: What the user says about it.
        """
        # the place, with the user's earlier review of it (there is at most one: a new one replaces it)
        place = self.row("SELECT p.*, r.review_id AS oldReviewId, r.rating AS oldRating FROM places p LEFT JOIN"
                         " reviews r ON r.place_id = p.place_id AND r.mine = 1 WHERE p.place_id = ?", place_id)
        if place is None:
            self._place(place_id)  # raises its error
        if place["category"] == "locality":
            raise ToolError(f"{place['name']} is a city; only businesses and points of interest take reviews")
        old = place["oldReviewId"] is not None
        total, score = place["user_ratings_total"], place["rating"] * place["user_ratings_total"]
        if old:
            score -= place["oldRating"]
            self.execute("DELETE FROM reviews WHERE review_id = ?", place["oldReviewId"])
        else:
            total += 1
        average = round((score + rating) / total, 1)
        self.execute("INSERT INTO reviews VALUES (?, ?, 'You', ?, ?, ?, 1)", self.new_id("reviews", "rev_"),
                     place_id, rating, text.strip(), self.now().isoformat(timespec="minutes"))
        self.execute("UPDATE places SET rating = ?, user_ratings_total = ? WHERE place_id = ?", average, total,
                     place_id)
        return {"place_id": place_id, "name": place["name"], "rating": rating, "text": text.strip(),
                "place_rating": average, "user_ratings_total": total, "updated": old}
