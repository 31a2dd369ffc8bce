"""ChinaRailway: the 12306 ticketing service: stations with telegraph codes, G/D/K trains with their stops,
seats left per class and date, and the account's tickets (book, refund, change once)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id
from envs.travel.cities import parse_date

STATIONS = [  # telegraph code, station, city, district
    ("BJP", "Beijing", "Beijing", "Dongcheng"), ("VNP", "Beijing South", "Beijing", "Fengtai"),
    ("BXP", "Beijing West", "Beijing", "Fengtai"), ("TJP", "Tianjin", "Tianjin", "Hebei District"),
    ("TIP", "Tianjin South", "Tianjin", "Xiqing"), ("JGK", "Jinan West", "Jinan", "Huaiyin"),
    ("NKH", "Nanjing South", "Nanjing", "Yuhuatai"), ("NJH", "Nanjing", "Nanjing", "Xuanwu"),
    ("AOH", "Shanghai Hongqiao", "Shanghai", "Minhang"), ("SHH", "Shanghai", "Shanghai", "Jing'an"),
    ("HGH", "Hangzhou East", "Hangzhou", "Shangcheng"), ("SJP", "Shijiazhuang", "Shijiazhuang", "Qiaoxi"),
    ("ZAF", "Zhengzhou East", "Zhengzhou", "Jinshui"), ("ZZF", "Zhengzhou", "Zhengzhou", "Erqi"),
    ("WHN", "Wuhan", "Wuhan", "Hongshan"), ("HKN", "Hankou", "Wuhan", "Jianghan"),
    ("CWQ", "Changsha South", "Changsha", "Yuhua"), ("CSQ", "Changsha", "Changsha", "Furong"),
    ("IZQ", "Guangzhou South", "Guangzhou", "Panyu"), ("GZQ", "Guangzhou", "Guangzhou", "Yuexiu"),
    ("IOQ", "Shenzhen North", "Shenzhen", "Longhua"), ("EAY", "Xi'an North", "Xi'an", "Weiyang"),
    ("ENH", "Hefei South", "Hefei", "Baohe"),
]
LINES = [  # train type, number range, stations with km from the first, share of trains
    ("G", (1, 160), [("VNP", 0), ("TIP", 131), ("JGK", 406), ("NKH", 1023), ("AOH", 1318)]),
    ("G", (501, 680), [("BXP", 0), ("SJP", 281), ("ZAF", 693), ("WHN", 1229), ("CWQ", 1591), ("IZQ", 2298),
                       ("IOQ", 2400)]),
    ("G", (7301, 7399), [("AOH", 0), ("HGH", 159)]),
    ("G", (1901, 1999), [("EAY", 0), ("ZAF", 523), ("ENH", 1170), ("NKH", 1330), ("AOH", 1625)]),
    ("D", (3001, 3099), [("NJH", 0), ("SHH", 301), ("HGH", 470)]),
    ("D", (701, 799), [("BJP", 0), ("TJP", 137), ("JGK", 420), ("NJH", 1030), ("SHH", 1330)]),
    ("K", (1101, 1399), [("BJP", 0), ("SJP", 277), ("ZZF", 689), ("HKN", 1225), ("CSQ", 1587), ("GZQ", 2294)]),
]
CLASSES = {"G": {"business": 1.33, "first": 0.71, "second": 0.42}, "D": {"first": 0.37, "second": 0.31},
           "K": {"soft_sleeper": 0.2, "hard_sleeper": 0.13, "hard_seat": 0.07}}
SPEED = {"G": 4.2, "D": 3.3, "K": 1.3}  # km per minute, stops included
SeatClass = Literal["business", "first", "second", "soft_sleeper", "hard_sleeper", "hard_seat"]
Code = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
TrainNo = Annotated[str, Field(pattern=r"^[GDK]\d{1,4}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
PRESALE_DAYS = 15

StationCode = TypedDict("StationCode", {"station_code": str, "station_name": str, "city": str})
Stations = TypedDict("Stations", {"city": str, "stations": list[StationCode]})
Station = TypedDict("Station", {"station_code": str, "station_name": str, "city": str, "address": str, "phone": str})
Seat = TypedDict("Seat", {"seat_class": str, "price": float, "remaining": int})
TrainOffer = TypedDict("TrainOffer", {"train_no": str, "from_station": str, "to_station": str, "depart_time": str,
                                      "arrive_time": str, "duration": str, "seats": list[Seat]})
Tickets = TypedDict("Tickets", {"date": str, "trains": list[TrainOffer]})
Stop = TypedDict("Stop", {"station_code": str, "station_name": str, "arrive_time": str, "depart_time": str,
                          "day": int, "km": int})
Route = TypedDict("Route", {"train_no": str, "date": str, "route_stations": list[Stop]})
Passenger = TypedDict("Passenger", {"name": str, "id_number": str, "passenger_type": str})
Order = TypedDict("Order", {"order_id": str, "passenger_name": str, "train_no": str, "date": str, "depart_at": str,
                            "from_station_code": str, "to_station_code": str, "seat_class": str, "coach": int,
                            "seat": str, "price": float, "status": str, "changed": bool})
Refund = TypedDict("Refund", {"order_id": str, "status": str, "price": float, "fee": float, "refund_amount": float})
Change = TypedDict("Change", {"order": Order, "price_difference": float})


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


class ChinaRailway(World):
    """China Railway 12306 for one account: look up stations and their telegraph codes, query trains and seats
    left between two stations on a date, and book, refund or change tickets for the account's passengers.
    Prices are in yuan (CNY); times are Beijing time; tickets go on sale 15 days ahead."""

    schema = """
    CREATE TABLE stations (code TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT NOT NULL, address TEXT NOT NULL,
                           phone TEXT NOT NULL);
    CREATE INDEX stations_by_city ON stations (city);
    CREATE TABLE trains (train_no TEXT PRIMARY KEY, train_type TEXT NOT NULL);
    CREATE TABLE stops (train_no TEXT NOT NULL REFERENCES trains, seq INTEGER NOT NULL, station_code TEXT NOT NULL
                        REFERENCES stations, arrive_min INTEGER NOT NULL, depart_min INTEGER NOT NULL, km INTEGER NOT NULL,
                        PRIMARY KEY (train_no, seq));
    CREATE INDEX stops_by_station ON stops (station_code, train_no);
    CREATE TABLE seats (train_no TEXT NOT NULL REFERENCES trains, date TEXT NOT NULL, seat_class TEXT NOT NULL,
                        remaining INTEGER NOT NULL, PRIMARY KEY (train_no, date, seat_class));
    CREATE TABLE passengers (name TEXT PRIMARY KEY, id_number TEXT NOT NULL UNIQUE, passenger_type TEXT NOT NULL);
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, passenger_name TEXT NOT NULL REFERENCES passengers,
                         train_no TEXT NOT NULL, date TEXT NOT NULL, depart_at TEXT NOT NULL, from_station_code TEXT NOT NULL,
                         to_station_code TEXT NOT NULL, seat_class TEXT NOT NULL, coach INTEGER NOT NULL, seat TEXT NOT NULL,
                         price REAL NOT NULL, status TEXT NOT NULL, changed INTEGER NOT NULL);
    -- orders holds a handful of rows: no secondary index (each would cost every booking, refund and change more
    -- than it saves a scan of a few rows)
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["stations"].insert_all(
            {"code": code, "name": name, "city": city, "phone": f"12306-{rng.randrange(1000, 9999)}",
             "address": f"{rng.randrange(1, 400)} {fake.last_name()} Road, {district} District, {city}"}
            for code, name, city, district in STATIONS)
        trains, stops, seats = [], [], []
        days = [(cls.start_time.date() + dt.timedelta(days=d)).isoformat() for d in range(PRESALE_DAYS)]
        for kind, (low, high), line in LINES:
            for number in rng.sample(range(low, high), 10 if kind != "K" else 6):
                route = line if number % 2 else line[::-1]  # odd numbers run away from the line's first station
                keep = [s for i, s in enumerate(route) if i in (0, len(route) - 1) or rng.random() < 0.7]
                start, at, base = rng.randrange(6 * 60, 20 * 60, 5), 0, keep[0][1]
                for seq, (code, km) in enumerate(keep):
                    at = start + round(abs(km - base) / SPEED[kind])
                    dwell = 0 if seq in (0, len(keep) - 1) else rng.choice([2, 3, 5, 8])
                    stops.append({"train_no": f"{kind}{number}", "seq": seq, "station_code": code, "km": abs(km - base),
                                  "arrive_min": at, "depart_min": at + dwell})
                    start += dwell
                trains.append({"train_no": f"{kind}{number}", "train_type": kind})
                seats.extend({"train_no": f"{kind}{number}", "date": day, "seat_class": seat,
                              "remaining": rng.choice([0, 0, 1, 3, 8, 21, 60, 120, 300])}
                             for day in days for seat in CLASSES[kind])
        db["trains"].insert_all(trains)
        db["stops"].insert_all(stops)
        db["seats"].insert_all(seats)
        people: dict[str, dict[str, Any]] = {}
        while len(people) < 6:
            born = dt.date(rng.randrange(1955, 2008), rng.randrange(1, 13), rng.randrange(1, 29))
            name = fake.name()
            people.setdefault(name, {"name": name, "passenger_type": "student" if born.year > 2003 else "adult",
                                     "id_number": f"{rng.randrange(110101, 659001)}{born:%Y%m%d}{rng.randrange(1000, 9999)}"})
        db["passengers"].insert_all(people.values())
        orders = []
        for index in range(9):
            train = rng.choice(trains)["train_no"]
            route = [s for s in stops if s["train_no"] == train]
            a, b = sorted(rng.sample(range(len(route)), 2))
            day = cls.start_time.date() + dt.timedelta(days=rng.randrange(1, PRESALE_DAYS - 1))
            seat = rng.choice(list(CLASSES[train[0]]))
            departs = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=route[a]["depart_min"])
            orders.append({"order_id": fake_id(rng, "E"), "passenger_name": rng.choice(list(people)),
                           "train_no": train, "date": departs.date().isoformat(), "depart_at": f"{departs:%Y-%m-%d %H:%M}",
                           "from_station_code": route[a]["station_code"], "to_station_code": route[b]["station_code"],
                           "seat_class": seat, "coach": rng.randint(1, 16), "seat": f"{rng.randint(1, 20):02d}{rng.choice('ABCDF')}",
                           "price": round(CLASSES[train[0]][seat] * (route[b]["km"] - route[a]["km"]) * 2) / 2,
                           "status": "refunded" if index == 8 else "paid", "changed": int(index == 7)})
        db["orders"].insert_all(orders)

    # ------------------------------------------------------------------ helpers
    def _station(self, code: str) -> dict[str, Any]:
        return self.require("SELECT code AS station_code, name AS station_name, city, address, phone FROM stations"
                            " WHERE code = ?", code.upper(), error=f"no station with telegraph code '{code}';"
                            " get_station_code_by_name gives a station's code")

    def _leg(self, train_no: str, date: str, from_code: str, to_code: str) -> dict[str, Any]:
        """The train's stops at both stations, the train's start date, and its departure as a datetime."""
        # Whether the train exists and its stops at both stations, in one query.
        found = self.require(
            "SELECT leg.depart_min, leg.arrive_min, leg.km FROM trains t LEFT JOIN (SELECT a.depart_min, b.arrive_min,"
            " b.km - a.km AS km FROM stops a JOIN stops b ON a.train_no = b.train_no AND a.seq < b.seq"
            " WHERE a.train_no = ?1 AND a.station_code = ?2 AND b.station_code = ?3) leg WHERE t.train_no = ?1",
            train_no, from_code, to_code, error=f"no train {train_no}")
        leg = None if found["depart_min"] is None else found
        if leg is None:
            raise ToolError(f"train {train_no} does not run from {from_code} to {to_code};"
                            " get_train_route_stations lists its stops")
        day = parse_date(date, "date")
        leg["start"] = (day - dt.timedelta(days=leg["depart_min"] // 1440)).isoformat()
        leg["departs"] = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=leg["depart_min"] % 1440)
        return leg

    def _price(self, train_no: str, seat_class: str, km: int) -> float:
        return round(CLASSES[train_no[0]][seat_class] * km * 2) / 2

    def _order(self, order_id: str) -> dict[str, Any]:
        found = self.require("SELECT * FROM orders WHERE order_id = ?", order_id.strip(),
                             error=f"no ticket order '{order_id}' on this account; list_orders shows them")
        return {**found, "changed": bool(found["changed"])}

    def _take_seat(self, train_no: str, start: str, seat_class: str) -> tuple[int, str]:
        if seat_class not in CLASSES[train_no[0]]:
            raise ToolError(f"{train_no} has no {seat_class} seats; it sells {', '.join(CLASSES[train_no[0]])}")
        # Take a seat where any is left; ``left`` is the count before this one was taken.
        taken = self.rows("UPDATE seats SET remaining = remaining - 1 WHERE train_no = ? AND date = ? AND seat_class = ?"
                          " AND remaining != 0 RETURNING remaining + 1 AS left", train_no, start, seat_class)
        if not taken:
            raise ToolError(f"{seat_class} on {train_no} is sold out; get_tickets shows what is left")
        left = taken[0]["left"]
        return 1 + left % 16, f"{1 + left % 20:02d}{'ABCDF'[left % 5]}"

    def _sellable(self, leg: dict[str, Any], date: str) -> None:
        now = self.now()
        if leg["departs"] <= now:
            raise ToolError(f"that train has already left on {date}; choose a later train")
        if leg["departs"].date() >= now.date() + dt.timedelta(days=PRESALE_DAYS):
            raise ToolError(f"tickets go on sale {PRESALE_DAYS} days ahead; {date} is not on sale yet")

    # ------------------------------------------------------------------ stations and trains
    @tool(phrase=["list the railway stations of {city} with their codes", "look up the train stations of {city}"])
    def get_stations_code_in_city(self, city: Annotated[str, UserKnown, Field(min_length=2)]) -> Stations:
        """All stations of a city with their telegraph codes.

        Args:
            city: City name in pinyin, e.g. "Shanghai".
        """
        found = self.rows("SELECT code AS station_code, name AS station_name, city FROM stations"
                          " WHERE city = ? COLLATE NOCASE ORDER BY name", city.strip())
        if not found:
            raise ToolError(f"no 12306 stations in '{city}'")
        return {"city": found[0]["city"], "stations": found}

    @tool(phrase=["find the telegraph code of {station_name} station"])
    def get_station_code_by_name(self, station_name: Annotated[str, UserKnown, Field(min_length=2)]) -> StationCode:
        """The telegraph code of a station by its exact name.

        Args:
            station_name: Station name, e.g. "Beijing South".
        """
        name = station_name.strip().removesuffix(" Station").removesuffix(" station")
        return self.require("SELECT code AS station_code, name AS station_name, city FROM stations"
                            " WHERE name = ? COLLATE NOCASE", name, error=f"no station named '{station_name}';"
                            " get_stations_code_in_city lists a city's stations")

    @tool(phrase=["get the address and phone of the station {station_code}"])
    def get_station_by_code(self, station_code: Code) -> Station:
        """A station's name, city, address and service phone.

        Args:
            station_code: Three-letter telegraph code, e.g. "VNP".
        """
        return self._station(station_code)

    @tool(phrase=["find trains from {from_station_code} to {to_station_code} on {date}[ ({train_type} trains only)]",
                  "check tickets from {from_station_code} to {to_station_code} for {date}"])
    def get_tickets(self, date: Day, from_station_code: Code, to_station_code: Code,
                    train_type: Literal["G", "D", "K"] | None = None) -> Tickets:
        """Trains from one station to another leaving on a date, earliest first, with price and seats left per class.

        Args:
            date: Departure date from the first station, YYYY-MM-DD.
            from_station_code: Telegraph code of the boarding station.
            to_station_code: Telegraph code of the destination station.
            train_type: Only G (high-speed), D (bullet) or K (conventional) trains.
        """
        self._station(from_station_code), self._station(to_station_code)
        offers = []
        for row in self.rows("SELECT DISTINCT a.train_no FROM stops a JOIN stops b ON a.train_no = b.train_no"
                             " AND a.seq < b.seq WHERE a.station_code = ? AND b.station_code = ?"
                             " AND (?3 IS NULL OR substr(a.train_no, 1, 1) = ?3)",
                             from_station_code, to_station_code, train_type):
            leg = self._leg(row["train_no"], date, from_station_code, to_station_code)
            seats = self.rows("SELECT seat_class, remaining FROM seats WHERE train_no = ? AND date = ?",
                              row["train_no"], leg["start"])
            minutes = leg["arrive_min"] - leg["depart_min"]
            offers.append({"train_no": row["train_no"], "from_station": from_station_code,
                           "to_station": to_station_code, "depart_time": clock(leg["depart_min"]),
                           "arrive_time": clock(leg["arrive_min"]), "duration": f"{minutes // 60}h{minutes % 60:02d}m",
                           "seats": [{"seat_class": s["seat_class"], "remaining": s["remaining"],
                                      "price": self._price(row["train_no"], s["seat_class"], leg["km"])} for s in seats]})
        return {"date": date, "trains": sorted(offers, key=lambda o: (o["depart_time"], o["train_no"]))}

    @tool(phrase=["show every stop of train {train_no}", "list the stations train {train_no} calls at"])
    def get_train_route_stations(self, train_no: Annotated[TrainNo, UserKnown], date: Day | None = None,
                                 from_station_code: Code | None = None,
                                 to_station_code: Code | None = None) -> Route:
        """A train's stops in order with arrival and departure times (day 1 = a stop reached after midnight).

        Args:
            train_no: Train number, e.g. "G101".
            date: Date the train leaves its first station (for the record; the timetable is daily).
            from_station_code: Only the stops from this station on.
            to_station_code: Only the stops up to this station.
        """
        stops = self.rows("SELECT s.station_code, t.name AS station_name, s.arrive_min, s.depart_min, s.km FROM stops s"
                          " JOIN stations t ON t.code = s.station_code WHERE train_no = ? ORDER BY seq", train_no)
        if not stops:
            raise ToolError(f"no train {train_no}; get_tickets lists the trains between two stations")
        codes = [s["station_code"] for s in stops]
        for code in (from_station_code, to_station_code):
            if code and code not in codes:
                raise ToolError(f"train {train_no} does not stop at {code}")
        first = codes.index(from_station_code) if from_station_code else 0
        last = codes.index(to_station_code) if to_station_code else len(codes) - 1
        return {"train_no": train_no, "date": date or self.now().date().isoformat(), "route_stations": [
            {"station_code": s["station_code"], "station_name": s["station_name"], "arrive_time": clock(s["arrive_min"]),
             "depart_time": clock(s["depart_min"]), "day": s["arrive_min"] // 1440, "km": s["km"]}
            for s in stops[first:last + 1]]}

    # ------------------------------------------------------------------ account
    @tool(phrase=["show the passengers saved on my 12306 account"])
    def list_passengers(self) -> list[Passenger]:
        """The passengers saved on the account (tickets can be bought only for them)."""
        return self.rows("SELECT name, id_number, passenger_type FROM passengers ORDER BY name")

    @tool(phrase=["show my train tickets[ that are {status}]", "list my 12306 orders"])
    def list_orders(self, status: Literal["paid", "refunded"] | None = None) -> list[Order]:
        """The account's ticket orders, next departure first.

        Args:
            status: Only paid (valid) or refunded tickets.
        """
        orders = self.rows("SELECT * FROM orders WHERE ?1 IS NULL OR status = ?1 ORDER BY depart_at, order_id", status)
        for order in orders:
            order["changed"] = bool(order["changed"])
        return orders

    @tool(writes=True, phrase=[
        "book a {seat_class} ticket on {train_no} from {from_station_code} to {to_station_code} on {date}"
        " for {passenger_name}",
        "buy {passenger_name} a {seat_class} seat on train {train_no} on {date},"
        " {from_station_code} to {to_station_code}"])
    def book_ticket(self, train_no: TrainNo, date: Day, from_station_code: Code, to_station_code: Code,
                    seat_class: SeatClass, passenger_name: Annotated[str, UserKnown, Field(min_length=2)]) -> Order:
        """Buy a ticket for a saved passenger (paid at once). A passenger holds at most one ticket per train and day.

        Args:
            train_no: Train number.
            date: Departure date from the boarding station, YYYY-MM-DD.
            from_station_code: Boarding station's telegraph code.
            to_station_code: Destination station's telegraph code.
            seat_class: Seat class (G: business/first/second; D: first/second; K: soft_sleeper/hard_sleeper/hard_seat).
            passenger_name: A passenger saved on the account (list_passengers).
        """
        # The passenger and whether they hold a ticket on this train and day already, in one query.
        passenger = self.row("SELECT p.name, EXISTS (SELECT 1 FROM orders WHERE passenger_name = p.name"
                             " AND train_no = ?2 AND date = ?3 AND status = 'paid') AS holds FROM passengers p"
                             " WHERE p.name = ?1 COLLATE NOCASE", passenger_name.strip(), train_no, date)
        if passenger is None:
            raise ToolError(f"'{passenger_name}' is not a saved passenger of this account; list_passengers shows them")
        name = passenger["name"]
        leg = self._leg(train_no, date, from_station_code, to_station_code)
        self._sellable(leg, date)
        if passenger["holds"]:
            raise ToolError(f"{name} already holds a ticket on {train_no} on {date}")
        coach, seat = self._take_seat(train_no, leg["start"], seat_class)
        order_id, departs = self.new_id("orders", "E"), f"{leg['departs']:%Y-%m-%d %H:%M}"
        price = self._price(train_no, seat_class, leg["km"])
        self.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'paid', 0)", order_id, name, train_no,
                     date, departs, from_station_code, to_station_code, seat_class, coach, seat, price)
        # The order as stored (what _order reads back).
        return {"order_id": order_id, "passenger_name": name, "train_no": train_no, "date": date, "depart_at": departs,
                "from_station_code": from_station_code, "to_station_code": to_station_code, "seat_class": seat_class,
                "coach": coach, "seat": seat, "price": price, "status": "paid", "changed": False}

    @tool(writes=True, phrase=["refund my train ticket {order_id}", "cancel the ticket {order_id} and get my money back"])
    def refund_ticket(self, order_id: NonEmptyStr) -> Refund:
        """Refund a ticket before departure. Fee: none 8+ days ahead, 5% 2-8 days, 10% 24-48 hours, 20% under 24 hours.

        Args:
            order_id: The ticket's order number.
        """
        order = self._order(order_id)
        if order["status"] != "paid":
            raise ToolError(f"ticket {order['order_id']} is already {order['status']}")
        hours = (dt.datetime.fromisoformat(order["depart_at"]) - self.now()).total_seconds() / 3600
        if hours <= 0:
            raise ToolError(f"train {order['train_no']} has already departed; tickets cannot be refunded after departure")
        rate = 0 if hours >= 192 else 0.05 if hours >= 48 else 0.1 if hours >= 24 else 0.2
        fee = round(order["price"] * rate * 2) / 2
        leg = self._leg(order["train_no"], order["date"], order["from_station_code"], order["to_station_code"])
        self.execute("UPDATE seats SET remaining = remaining + 1 WHERE train_no = ? AND date = ? AND seat_class = ?",
                     order["train_no"], leg["start"], order["seat_class"])
        self.execute("UPDATE orders SET status = 'refunded' WHERE order_id = ?", order["order_id"])
        return {"order_id": order["order_id"], "status": "refunded", "price": order["price"], "fee": fee,
                "refund_amount": order["price"] - fee}

    @tool(writes=True, phrase=["change my ticket {order_id} to train {new_train_no} on {new_date}[ in {seat_class}]",
                               "move the ticket {order_id} onto {new_train_no} on {new_date}"])
    def change_ticket(self, order_id: NonEmptyStr, new_train_no: TrainNo, new_date: Day,
                      seat_class: SeatClass | None = None) -> Change:
        """Change a ticket (once only) to another train or date between the same stations, before departure; a
        dearer seat is paid for, a cheaper one refunded.

        Args:
            order_id: The ticket's order number.
            new_train_no: The train to move to.
            new_date: Departure date of the new train from the boarding station, YYYY-MM-DD.
            seat_class: New seat class (default: the current one).
        """
        order = self._order(order_id)
        if order["status"] != "paid":
            raise ToolError(f"ticket {order['order_id']} is {order['status']} and cannot be changed")
        if order["changed"]:
            raise ToolError(f"ticket {order['order_id']} was already changed once; refund it and book again instead")
        if dt.datetime.fromisoformat(order["depart_at"]) <= self.now():
            raise ToolError(f"train {order['train_no']} has already departed; the ticket can no longer be changed")
        if (new_train_no, new_date) == (order["train_no"], order["date"]) and seat_class in (None, order["seat_class"]):
            raise ToolError(f"ticket {order['order_id']} is already on {new_train_no} on {new_date}")
        old = self._leg(order["train_no"], order["date"], order["from_station_code"], order["to_station_code"])
        leg = self._leg(new_train_no, new_date, order["from_station_code"], order["to_station_code"])
        self._sellable(leg, new_date)
        seat_class = seat_class or order["seat_class"]
        coach, seat = self._take_seat(new_train_no, leg["start"], seat_class)
        self.execute("UPDATE seats SET remaining = remaining + 1 WHERE train_no = ? AND date = ? AND seat_class = ?",
                     order["train_no"], old["start"], order["seat_class"])
        price, departs = self._price(new_train_no, seat_class, leg["km"]), f"{leg['departs']:%Y-%m-%d %H:%M}"
        self.execute("UPDATE orders SET train_no = ?, date = ?, depart_at = ?, seat_class = ?, coach = ?, seat = ?,"
                     " price = ?, changed = 1 WHERE order_id = ?", new_train_no, new_date,
                     departs, seat_class, coach, seat, price, order["order_id"])
        # The order as stored now (what _order reads back).
        changed = {**order, "train_no": new_train_no, "date": new_date, "depart_at": departs, "seat_class": seat_class,
                   "coach": coach, "seat": seat, "price": price, "changed": True}
        return {"order": changed, "price_difference": price - order["price"]}
