"""Didi: ride hailing in Beijing: places on the map, directions, fare estimates per car type, and taxi orders."""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime
from envs.travel.cities import city

TIME_FORMAT = "%Y-%m-%d %H:%M"
AIRPORT = city("Beijing").airport_name
# (name, category, district, street, lat, lng): well-known places of Beijing
LANDMARKS = [
    ("Tiananmen Square", "landmark", "Dongcheng", "Chang'an Avenue", 39.9055, 116.3976),
    ("Wangfujing Street", "shopping", "Dongcheng", "Wangfujing Avenue", 39.9142, 116.4108),
    ("Sanlitun Taikoo Li", "mall", "Chaoyang", "Sanlitun Road", 39.9336, 116.4547),
    ("China World Mall", "mall", "Chaoyang", "Jianguomenwai Avenue", 39.9086, 116.4597),
    ("Beijing Railway Station", "railway station", "Dongcheng", "Beijingzhan Street", 39.9029, 116.4270),
    ("Beijing South Railway Station", "railway station", "Fengtai", "Yongdingmenwai Street", 39.8652, 116.3786),
    ("Beijing West Railway Station", "railway station", "Fengtai", "Lianhuachi East Road", 39.8949, 116.3220),
    (AIRPORT, "airport", "Shunyi", "Airport Expressway", 40.0799, 116.6031),
    ("Beijing Daxing International Airport", "airport", "Daxing", "Daxing Airport Expressway", 39.5098, 116.4105),
    ("Summer Palace", "landmark", "Haidian", "Xinjiangongmen Road", 39.9999, 116.2755),
    ("Peking University", "university", "Haidian", "Yiheyuan Road", 39.9928, 116.3055),
    ("Tsinghua University", "university", "Haidian", "Shuangqing Road", 40.0000, 116.3264),
    ("Zhongguancun Plaza", "office", "Haidian", "Zhongguancun Street", 39.9835, 116.3162),
    ("Olympic Forest Park", "park", "Chaoyang", "Kehui Road", 40.0192, 116.3889),
    ("Bird's Nest Stadium", "landmark", "Chaoyang", "National Stadium South Road", 39.9929, 116.3965),
    ("Temple of Heaven", "landmark", "Dongcheng", "Tiantan Road", 39.8822, 116.4066),
    ("Lama Temple", "landmark", "Dongcheng", "Yonghegong Street", 39.9470, 116.4170),
    ("Nanluoguxiang", "shopping", "Dongcheng", "Nanluogu Lane", 39.9372, 116.4030),
    ("798 Art District", "gallery", "Chaoyang", "Jiuxianqiao Road", 39.9842, 116.4951),
    ("Wangjing SOHO", "office", "Chaoyang", "Futong East Avenue", 39.9960, 116.4810),
    ("Guomao CBD", "office", "Chaoyang", "Jianguomenwai Avenue", 39.9087, 116.4605),
    ("Peking Union Medical College Hospital", "hospital", "Dongcheng", "Shuaifuyuan Lane", 39.9127, 116.4163),
    ("Xidan Joy City", "mall", "Xicheng", "Xidan North Street", 39.9106, 116.3737),
    ("Beijing Zoo", "park", "Xicheng", "Xizhimenwai Street", 39.9387, 116.3388),
]
BRANDS = {"restaurant": ["Haidilao Hotpot", "Quanjude Roast Duck", "Da Dong Roast Duck", "Xibei Noodle Village",
                         "Din Tai Fung", "Jin Ding Xuan Dim Sum"],
          "cafe": ["Starbucks", "Luckin Coffee", "Manner Coffee", "Costa Coffee"],
          "hotel": ["Hilton Garden Inn", "Atour Hotel", "Hanting Hotel", "Holiday Inn Express"],
          "pharmacy": ["Tongrentang Pharmacy", "Jinxiang Pharmacy"], "supermarket": ["Wumart", "Hema Fresh"]}
PRODUCTS = {  # category -> (name, start fare incl. 3 km, yuan per km, yuan per minute, minimum seats)
    "express": ("Express", 13.0, 2.3, 0.45, 4), "carpool": ("Carpool", 9.0, 1.6, 0.3, 4),
    "taxi": ("Taxi", 13.0, 2.3, 0.5, 4), "premier": ("Premier", 20.0, 3.6, 0.8, 4),
    "six_seater": ("Six-seater", 26.0, 4.6, 1.0, 6), "luxe": ("Luxe", 45.0, 6.0, 1.5, 4),
}
Product = Literal["express", "carpool", "taxi", "premier", "six_seater", "luxe"]
ACTIVE = ("driver_arriving", "in_trip")
FREE_CANCEL_MINUTES = 3
CANCEL_FEES = {"express": 5.0, "carpool": 3.0, "taxi": 5.0, "premier": 10.0, "six_seater": 10.0, "luxe": 20.0}
CARPOOL_MAX_KM = 30
SPEEDS = {"driving": 420, "walking": 80, "bicycling": 230, "transit": 330}  # meters per minute
COORDS = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Sun", "Ma", "Hu", "Guo"]
GIVEN = ["Wei", "Jun", "Lei", "Qiang", "Tao", "Bin", "Gang", "Hui", "Peng", "Hao", "Ming", "Jie", "Yong", "Fei"]
CARS = {"express": ["BYD Qin", "Toyota Corolla", "VW Lavida"], "carpool": ["BYD Qin", "Geely Emgrand"],
        "taxi": ["Hyundai Elantra", "BAIC EU5"], "premier": ["VW Passat", "Toyota Camry", "Buick Regal"],
        "six_seater": ["Buick GL8", "Honda Odyssey"], "luxe": ["Mercedes E-Class", "BMW 5 Series"]}
AVAILABLE_DRIVERS = "SELECT product, lat, lng, driver_id FROM drivers WHERE status = 'available'"
Location = Annotated[str, UserKnown, Field(min_length=1, max_length=120)]
Phone = Annotated[str, Field(pattern=r"^1\d{10}$")]

Point = TypedDict("Point", {"lat": float, "lng": float})
Here = TypedDict("Here", {"location": Point, "name": str, "address": str})
Step = TypedDict("Step", {"instruction": str, "distance": int})
Direction = TypedDict("Direction", {"mode": str, "distance": int, "duration": int, "transfers": int,
                                    "route": list[Step]})
Place = TypedDict("Place", {"name": str, "category": str, "address": str, "location": Point, "distance": int})
Places = TypedDict("Places", {"places": list[Place]})
Address = TypedDict("Address", {"address": str, "province": str, "city": str, "district": str, "street": str})
Quote = TypedDict("Quote", {"product_category": str, "name": str, "price": float, "pickup_eta": int})
Estimate = TypedDict("Estimate", {"estimate_trace_id": str, "from_location": str, "to_location": str,
                                  "distance": int, "duration": int, "products": list[Quote]})
Created = TypedDict("Created", {"order_id": str, "status": str, "estimated_arrival": int, "created_at": str,
                                "price": float, "driver_name": str, "license_plate": str})
Order = TypedDict("Order", {"order_id": str, "status": str, "product_category": str, "origin_location": str,
                            "destination_location": str, "price": float, "created_at": str, "driver_name": str,
                            "driver_phone": str, "license_plate": str, "car_model": str, "estimated_arrival": int,
                            "cancel_fee": float, "rating": int})
Cancelled = TypedDict("Cancelled", {"order_id": str, "cancelled_at": str, "cancel_fee": float,
                                    "refund_status": str})
DriverAt = TypedDict("DriverAt", {"order_id": str, "driver_lat": str, "driver_lng": str, "updated_at": str})
Link = TypedDict("Link", {"deep_link": str, "from_location": str, "to_location": str})
Rated = TypedDict("Rated", {"order_id": str, "rating": int, "comment": str})


@functools.lru_cache(maxsize=4096)
def _radians(lat: float, lng: float) -> tuple[float, float, float]:
    """A point's latitude and longitude in radians and the cosine of its latitude (points repeat: cached)."""
    la = math.radians(lat)
    return la, math.radians(lng), math.cos(la)


def meters(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Road distance: the great-circle distance times a detour factor of 1.3."""
    la1, lo1, c1 = _radians(*a)
    la2, lo2, c2 = _radians(*b)
    h = math.sin((la2 - la1) / 2) ** 2 + c1 * c2 * math.sin((lo2 - lo1) / 2) ** 2
    return round(2 * 6371000 * math.asin(math.sqrt(h)) * 1.3)


def nearest(drivers: Iterable[tuple[Any, ...]], lat: float, lng: float) -> tuple[tuple[Any, ...], int]:
    """The nearest of these available drivers, (lat, lng, driver_id, ...), to a point (by road distance, then by
    driver id) and its minutes to get there."""
    here = (lat, lng)
    (distance, _), best = min(((meters(here, (d[0], d[1])), d[2]), d) for d in drivers)
    return best, max(2, round(distance / SPEEDS["driving"]))


def fare(product: str, distance: int, minutes: int) -> float:
    _, start, per_km, per_min, _ = PRODUCTS[product]
    return round(start + max(0.0, distance / 1000 - 3) * per_km + minutes * per_min, 1)


class Didi(World):
    """Didi ride hailing in Beijing for one passenger: search places around a location, directions, fare estimates
    per car type, and taxi orders (a driver is assigned at once). A place is given by its name or as 'lat,lng'.
    Prices are in yuan (CNY). Cancelling is free within 3 minutes of ordering, then costs a fee; once the
    passenger is picked up an order cannot be cancelled."""

    schema = """
    CREATE TABLE places (name TEXT PRIMARY KEY, category TEXT NOT NULL, district TEXT NOT NULL,
                         street TEXT NOT NULL, lat REAL NOT NULL, lng REAL NOT NULL, location TEXT NOT NULL);
    CREATE INDEX places_by_district ON places (district);
    CREATE INDEX places_by_name ON places (name COLLATE NOCASE);
    CREATE TABLE account (phone TEXT PRIMARY KEY, name TEXT NOT NULL, at_place TEXT NOT NULL REFERENCES places);
    CREATE TABLE drivers (driver_id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, plate TEXT NOT NULL,
                          car_model TEXT NOT NULL, product TEXT NOT NULL, status TEXT NOT NULL,
                          lat REAL NOT NULL, lng REAL NOT NULL);
    CREATE INDEX drivers_by_product ON drivers (product, status);
    CREATE TABLE estimates (trace_id TEXT PRIMARY KEY, origin TEXT NOT NULL, destination TEXT NOT NULL,
                            olat REAL, olng REAL, distance INTEGER NOT NULL, duration INTEGER NOT NULL);
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, product_category TEXT NOT NULL, origin_location TEXT NOT NULL,
                         destination_location TEXT NOT NULL, distance INTEGER NOT NULL, price REAL NOT NULL,
                         status TEXT NOT NULL, driver_id TEXT REFERENCES drivers, caller_car_phone TEXT NOT NULL,
                         created_at TEXT NOT NULL, pickup_eta INTEGER NOT NULL, cancelled_at TEXT,
                         cancel_reason TEXT, cancel_fee REAL NOT NULL DEFAULT 0, rating INTEGER, comment TEXT);
    CREATE INDEX orders_by_status ON orders (status, created_at);
    """
    volatile = {"orders": ("created_at", "cancelled_at")}
    ungraded = ("estimates",)
    text_search = {"places": ("name", "category", "street")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        places = {p[0]: p for p in LANDMARKS}
        anchors = [p for p in LANDMARKS if p[1] in ("mall", "office", "railway station", "university", "shopping")]
        for category, brands in BRANDS.items():
            for brand in brands:
                for anchor in rng.sample(anchors, rng.randint(2, 4)):
                    name = f"{brand} ({anchor[0].split(' (')[0]})"
                    places[name] = (name, category, anchor[2], anchor[3], round(anchor[4] + rng.uniform(-.006, .006),
                                    4), round(anchor[5] + rng.uniform(-.006, .006), 4))
        db["places"].insert_all({"name": n, "category": c, "district": d, "street": s, "lat": la, "lng": lo,
                                 "location": f"{la},{lo}"} for n, c, d, s, la, lo in places.values())
        home = rng.choice([p for p in LANDMARKS if p[1] == "office"])
        phone = f"13{rng.randrange(10**9):09d}"
        db["account"].insert({"phone": phone, "name": fake.name(), "at_place": home[0]})
        drivers = []
        for index in range(54):
            product, spot = list(PRODUCTS)[index % 6], rng.choice(LANDMARKS)
            drivers.append({"driver_id": f"drv{index + 1:04d}", "name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                            "phone": f"1{rng.choice('358')}{rng.randrange(10**9):09d}",
                            "plate": f"京{'B' if product == 'taxi' else rng.choice('ACEFHNPQ')}·"
                                     f"{rng.randrange(10**4, 10**5)}", "car_model": rng.choice(CARS[product]),
                            "product": product, "status": "available", "lat": round(spot[4] + rng.uniform(-.02, .02), 4),
                            "lng": round(spot[5] + rng.uniform(-.02, .02), 4)})
        names, orders = list(places), []
        for index in range(36):
            origin, destination = rng.sample(names, 2)
            if index % 3 == 0:
                origin = home[0]
            product = rng.choice(["express"] * 4 + ["carpool", "taxi", "premier", "six_seater", "luxe"])
            distance = meters(places[origin][4:], places[destination][4:])
            when = dt.datetime.combine(cls.days_before_start(rng, 1, 60), dt.time(rng.randrange(7, 23),
                                                                                   rng.randrange(60)))
            cancelled = index % 9 == 4
            orders.append({"order_id": f"ord{rng.randrange(10**11, 10**12)}", "product_category": product,
                           "origin_location": origin, "destination_location": destination, "distance": distance,
                           "price": fare(product, distance, distance // SPEEDS["driving"]),
                           "status": "cancelled" if cancelled else "completed",
                           "driver_id": rng.choice([d["driver_id"] for d in drivers if d["product"] == product]),
                           "caller_car_phone": phone, "created_at": when.strftime(TIME_FORMAT),
                           "pickup_eta": rng.randint(2, 9), "cancelled_at": None if not cancelled else
                           (when + dt.timedelta(minutes=1)).strftime(TIME_FORMAT), "cancel_reason": None,
                           "cancel_fee": 0.0, "rating": rng.choice([None, None, None, 5, 4]) if not cancelled else None})
        relative = rng.choice([d for d in drivers if d["product"] == "express"])
        relative["status"] = "busy"
        orders.append({**orders[1], "order_id": f"ord{rng.randrange(10**11, 10**12)}", "status": "in_trip",
                       "product_category": "express", "driver_id": relative["driver_id"], "rating": None,
                       "price": fare("express", orders[1]["distance"], orders[1]["distance"] // SPEEDS["driving"]),
                       "caller_car_phone": f"139{rng.randrange(10**8):08d}", "cancelled_at": None,
                       "created_at": (cls.start_time - dt.timedelta(minutes=14)).strftime(TIME_FORMAT)})
        db["drivers"].insert_all(drivers)
        db["orders"].insert_all(orders)

    def _point(self, text: str, field: str) -> tuple[str, float, float]:
        """(label, lat, lng) of a place name or 'lat,lng' coordinates."""
        if match := COORDS.match(text):
            lat, lng = float(match[1]), float(match[2])
            if not (39.4 <= lat <= 41.1 and 115.4 <= lng <= 117.5):
                raise ToolError(f"{field} {text.strip()} is outside the Beijing service area")
            near = self.row("SELECT name FROM places WHERE abs(lat - ?) < 0.0005 AND abs(lng - ?) < 0.0005", lat, lng)
            return (near["name"] if near else f"{lat},{lng}"), lat, lng
        place = self.require("SELECT name, lat, lng FROM places WHERE name = ? COLLATE NOCASE", text.strip(),
                             error=f"no place called '{text.strip()}' for {field}; maps_place_around finds places"
                                   " by keyword, or give coordinates as 'lat,lng'")
        return place["name"], place["lat"], place["lng"]

    def _order(self, order_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM orders WHERE order_id = ?", order_id,
                            error=f"no order '{order_id}'; taxi_list_orders shows your orders")

    @tool(phrase=["find out where I am right now", "check my current location"])
    def get_current_location(self) -> Here:
        """The passenger's current location (from the phone's GPS)."""
        place = self.row("SELECT p.* FROM account a JOIN places p ON p.name = a.at_place")
        return {"location": {"lat": place["lat"], "lng": place["lng"]}, "name": place["name"],
                "address": f"{place['street']}, {place['district']} District, Beijing"}

    @tool(phrase=["find out how long it takes to get from {origin_location} to {destination_location} by {mode}",
                  "get {mode} directions from {origin_location} to {destination_location}"])
    def maps_direction(self, mode: Literal["driving", "walking", "transit", "bicycling"], origin_location: Location,
                       destination_location: Location, city: str | None = None) -> Direction:
        """Directions between two places: distance (meters), duration (minutes), transit transfers and steps.

        Args:
            mode: driving, walking, transit or bicycling.
            origin_location: Where from: a place name or 'lat,lng'.
            destination_location: Where to: a place name or 'lat,lng'.
            city: The city (only Beijing is covered).
        """
        if city and city.strip().lower() not in ("beijing", "北京"):
            raise ToolError(f"directions cover Beijing only, not '{city}'")
        (a, *pa), (b, *pb) = self._point(origin_location, "origin"), self._point(destination_location, "destination")
        distance = meters(tuple(pa), tuple(pb))
        transfers = int(mode == "transit") * min(2, distance // 9000)
        first = {"driving": "Drive", "walking": "Walk", "bicycling": "Cycle", "transit": "Take the subway"}[mode]
        steps = [{"instruction": f"{first} from {a} towards {b}", "distance": distance * 9 // 10},
                 *({"instruction": "Change lines", "distance": 0} for _ in range(transfers)),
                 {"instruction": f"Arrive at {b}", "distance": distance - distance * 9 // 10}]
        return {"mode": mode, "distance": distance, "duration": max(1, round(distance / SPEEDS[mode]) + 4 * transfers),
                "transfers": transfers, "route": steps}

    @tool(phrase=["look for {keywords} within {max_distance} meters of {location}", "find {keywords} near {location}"])
    def maps_place_around(self, keywords: NonEmptyStr, location: Location,
                          max_distance: Annotated[int, Field(ge=100, le=50000)] = 3000) -> Places:
        """Places matching keywords (a name or a kind such as 'cafe', 'hotel') around a location, nearest first.

        Args:
            keywords: What to look for.
            location: Around where: a place name or 'lat,lng'.
            max_distance: Search radius in meters (100-50000).
        """
        _, lat, lng = self._point(location, "location")
        matches, params = self.text_filter("places", keywords)
        found = []
        for p in self.rows(f"SELECT * FROM places WHERE {matches}", *params):
            distance = round(meters((lat, lng), (p["lat"], p["lng"])) / 1.3)
            if distance <= max_distance:
                found.append({"name": p["name"], "category": p["category"], "distance": distance,
                              "address": f"{p['street']}, {p['district']} District", "location":
                              {"lat": p["lat"], "lng": p["lng"]}})
        return {"places": sorted(found, key=lambda p: (p["distance"], p["name"]))[:10]}

    @tool(phrase=["look up the street address at coordinates {location}", "find out what address is at {location}"])
    def maps_regeocode(self, location: Annotated[str, UserKnown, Field(pattern=r"^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$")]
                       ) -> Address:
        """The address at coordinates ('lat,lng'): the nearest known place's street and district.

        Args:
            location: Coordinates as 'lat,lng', e.g. '39.9087,116.4605'.
        """
        _, lat, lng = self._point(location, "location")
        p = self.row("SELECT * FROM places ORDER BY (lat - ?1) * (lat - ?1) + (lng - ?2) * (lng - ?2), name", lat, lng)
        return {"address": f"near {p['name']}, {p['street']}, {p['district']} District, Beijing",
                "province": "Beijing", "city": "Beijing", "district": p["district"], "street": p["street"]}

    @tool(writes=True, phrase=["check what a ride from {origin_location} to {destination_location} would cost",
                               "get a fare estimate from {origin_location} to {destination_location}"])
    def taxi_estimate(self, origin_location: Location, destination_location: Location) -> Estimate:
        """Fare estimates (yuan) and pickup times per car type for a trip; the trace id is needed to order.

        Args:
            origin_location: Pickup: a place name or 'lat,lng'.
            destination_location: Drop-off: a place name or 'lat,lng'.
        """
        (a, *pa), (b, *pb) = self._point(origin_location, "origin"), self._point(destination_location, "destination")
        distance = meters(tuple(pa), tuple(pb))
        if distance < 300:
            raise ToolError(f"{a} and {b} are less than 300 m apart; walk instead")
        minutes, trace = max(1, round(distance / SPEEDS["driving"])), self.new_id("estimates", "est_")
        self.execute("INSERT INTO estimates VALUES (?, ?, ?, ?, ?, ?, ?)", trace, a, b, pa[0], pa[1], distance, minutes)
        available: dict[str, list[tuple[float, float, str]]] = {c: [] for c in PRODUCTS}
        for product, lat, lng, driver_id in self.conn.execute(AVAILABLE_DRIVERS):
            available[product].append((lat, lng, driver_id))
        products = [{"product_category": c, "name": PRODUCTS[c][0], "price": fare(c, distance, minutes),
                     "pickup_eta": nearest(available[c], pa[0], pa[1])[1]} for c in PRODUCTS
                    if c != "carpool" or distance <= CARPOOL_MAX_KM * 1000]
        return {"estimate_trace_id": trace, "from_location": a, "to_location": b, "distance": distance,
                "duration": minutes, "products": products}

    @tool(writes=True, phrase=["book a {product_category} car[ for the passenger on {caller_car_phone}]",
                               "order a {product_category} Didi[ for the rider on {caller_car_phone}]"])
    def taxi_create_order(self, estimate_trace_id: str, product_category: Product,
                          caller_car_phone: Phone | None = None) -> Created:
        """Order a car of one type from a fare estimate; the nearest free driver is assigned at once.

        Args:
            estimate_trace_id: From taxi_estimate.
            product_category: The car type, one of the estimate's products.
            caller_car_phone: The rider's mobile number when ordering for someone else (default: your own).
        """
        # The estimate, the rider's phone (default: the account's) and the rider's order in progress, in one query.
        est = self.require("SELECT e.*, r.phone, (SELECT order_id FROM orders WHERE caller_car_phone = r.phone"
                           " AND status IN ('driver_arriving', 'in_trip')) AS busy FROM estimates e,"
                           " (SELECT coalesce(?2, (SELECT phone FROM account)) AS phone) r WHERE e.trace_id = ?1",
                           estimate_trace_id, caller_car_phone,
                           error=f"no fare estimate '{estimate_trace_id}'; call taxi_estimate first")
        if product_category == "carpool" and est["distance"] > CARPOOL_MAX_KM * 1000:
            raise ToolError(f"carpool is not offered for trips over {CARPOOL_MAX_KM} km; choose another car type")
        phone, busy = est["phone"], est["busy"]
        if busy:
            raise ToolError(f"the rider on {phone} already has order '{busy}' in progress; wait for it to finish or"
                            " cancel it before ordering another car")
        (_, _, driver_id, driver_name, plate), eta = nearest(self.conn.execute(
            "SELECT lat, lng, driver_id, name, plate FROM drivers WHERE product = ? AND status = 'available'",
            (product_category,)), est["olat"], est["olng"])
        order_id, now = self.new_id("orders", "ord_"), self.now().strftime(TIME_FORMAT)
        price = fare(product_category, est["distance"], est["duration"])
        self.execute("UPDATE drivers SET status = 'busy' WHERE driver_id = ?", driver_id)
        self.execute("INSERT INTO orders (order_id, product_category, origin_location, destination_location, distance,"
                     " price, status, driver_id, caller_car_phone, created_at, pickup_eta) VALUES"
                     " (?, ?, ?, ?, ?, ?, 'driver_arriving', ?, ?, ?, ?)", order_id, product_category, est["origin"],
                     est["destination"], est["distance"], price, driver_id, phone, now, eta)
        return {"order_id": order_id, "status": "driver_arriving", "estimated_arrival": eta, "created_at": now,
                "price": price, "driver_name": driver_name, "license_plate": plate}

    def _view(self, o: dict[str, Any]) -> Order:
        d = self.row("SELECT * FROM drivers WHERE driver_id = ?", o["driver_id"])
        return {"order_id": o["order_id"], "status": o["status"], "product_category": o["product_category"],
                "origin_location": o["origin_location"], "destination_location": o["destination_location"],
                "price": o["price"], "created_at": o["created_at"], "driver_name": d["name"], "driver_phone": d["phone"],
                "license_plate": d["plate"], "car_model": d["car_model"], "estimated_arrival": o["pickup_eta"]
                if o["status"] == "driver_arriving" else 0, "cancel_fee": o["cancel_fee"], "rating": o["rating"] or 0}

    @tool(phrase=["check on {order_id}", "find out how {order_id} is going"])
    def taxi_query_order(self, order_id: str) -> Order:
        """An order's status, driver, car, price and the driver's minutes to pickup.

        Args:
            order_id: The order.
        """
        return self._view(self._order(order_id))

    @tool(phrase=["show my[ {status}] Didi rides", "list my recent[ {status}] ride orders"])
    def taxi_list_orders(self, status: Literal["driver_arriving", "in_trip", "completed", "cancelled"] | None = None,
                         limit: Annotated[int, Field(ge=1, le=50)] = 20) -> list[Order]:
        """Your orders (and those you placed for others), newest first.

        Args:
            status: Only orders in this status.
            limit: At most this many orders.
        """
        # One query for the orders and their drivers: the same records as ``_view`` of each order.
        return self.rows(
            "SELECT o.order_id, o.status, o.product_category, o.origin_location, o.destination_location, o.price,"
            " o.created_at, d.name AS driver_name, d.phone AS driver_phone, d.plate AS license_plate, d.car_model,"
            " CASE WHEN o.status = 'driver_arriving' THEN o.pickup_eta ELSE 0 END AS estimated_arrival,"
            " o.cancel_fee, coalesce(o.rating, 0) AS rating"
            " FROM orders o JOIN drivers d ON d.driver_id = o.driver_id WHERE ?1 IS NULL OR o.status = ?1"
            " ORDER BY o.created_at DESC, o.order_id LIMIT ?2", status, limit)

    @tool(writes=True, phrase=["cancel {order_id}[ because {reason}]", "call off {order_id}[, the reason being {reason}]"])
    def taxi_cancel_order(self, order_id: str, reason: str | None = None) -> Cancelled:
        """Cancel an order before pickup: free within 3 minutes of ordering, later a fee by car type.

        Args:
            order_id: The order.
            reason: Why (optional).
        """
        order = self._order(order_id)
        if order["status"] == "in_trip":
            raise ToolError(f"order '{order_id}' cannot be cancelled: the rider is already in the car; an order can"
                            " only be cancelled before pickup")
        if order["status"] != "driver_arriving":
            raise ToolError(f"order '{order_id}' is already {order['status']}")
        now = self.now()
        late = now - strptime(order["created_at"], TIME_FORMAT) > dt.timedelta(minutes=FREE_CANCEL_MINUTES)
        fee = CANCEL_FEES[order["product_category"]] if late else 0.0
        self.execute("UPDATE orders SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?, cancel_fee = ?"
                     " WHERE order_id = ?", now.strftime(TIME_FORMAT), reason, fee, order_id)
        self.execute("UPDATE drivers SET status = 'available' WHERE driver_id = ?", order["driver_id"])
        return {"order_id": order_id, "cancelled_at": now.strftime(TIME_FORMAT), "cancel_fee": fee,
                "refund_status": "fee charged" if fee else "no charge"}

    @tool(phrase=["find out where the driver of {order_id} is now", "track the car of {order_id}"])
    def taxi_get_driver_location(self, order_id: str) -> DriverAt:
        """Where the driver of an ongoing order is now.

        Args:
            order_id: The order.
        """
        order = self._order(order_id)
        if order["status"] not in ACTIVE:
            raise ToolError(f"order '{order_id}' is {order['status']}; drivers can be tracked only on ongoing orders")
        d = self.row("SELECT lat, lng FROM drivers WHERE driver_id = ?", order["driver_id"])
        return {"order_id": order_id, "driver_lat": f"{d['lat']:.4f}", "driver_lng": f"{d['lng']:.4f}",
                "updated_at": self.now().strftime(TIME_FORMAT)}

    @tool(phrase=["make me a Didi app link for a ride from {origin_location} to {destination_location}"
                  "[ in a {product_category} car]", "send me a link that opens Didi with a trip from {origin_location}"
                  " to {destination_location}"])
    def taxi_generate_ride_app_link(self, origin_location: Location, destination_location: Location,
                                    product_category: Product | None = None) -> Link:
        """A link that opens the Didi app with the trip filled in (nothing is ordered).

        Args:
            origin_location: Pickup: a place name or 'lat,lng'.
            destination_location: Drop-off: a place name or 'lat,lng'.
            product_category: Preselected car type.
        """
        (a, *pa), (b, *pb) = self._point(origin_location, "origin"), self._point(destination_location, "destination")
        link = (f"didiglobal://ride?fromlat={pa[0]}&fromlng={pa[1]}&fromname={quote(a)}&tolat={pb[0]}&tolng={pb[1]}"
                f"&toname={quote(b)}" + (f"&product={product_category}" if product_category else ""))
        return {"deep_link": link, "from_location": a, "to_location": b}

    @tool(writes=True, phrase=["rate {order_id} {rating} stars[ with the comment {comment}]",
                               "give {order_id} a {rating}-star rating[ saying {comment}]"])
    def taxi_rate_order(self, order_id: str, rating: Annotated[int, Field(ge=1, le=5)],
                        comment: Annotated[str, Field(max_length=200)] = "") -> Rated:
        """Rate the driver of a completed trip (once per trip).

        Args:
            order_id: The order.
            rating: Stars, 1-5.
            comment: A short remark for the driver.
        """
        order = self._order(order_id)
        if order["status"] != "completed":
            raise ToolError(f"order '{order_id}' is {order['status']}; only completed trips can be rated")
        if order["rating"]:
            raise ToolError(f"order '{order_id}' was already rated {order['rating']} stars")
        self.execute("UPDATE orders SET rating = ?, comment = ? WHERE order_id = ?", rating, comment.strip(), order_id)
        return {"order_id": order_id, "rating": rating, "comment": comment.strip()}
