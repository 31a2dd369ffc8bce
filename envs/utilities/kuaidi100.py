"""Kuaidi100: China's parcel-tracking aggregator: waybill traces across couriers, route quotes and pickup orders."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, strptime

TIME_FORMAT = "%Y-%m-%d %H:%M"
#: city -> (province, region); Xinjiang and Tibet are the remote zone.
CITIES = {
    "Beijing": ("Beijing", "North"), "Tianjin": ("Tianjin", "North"), "Shijiazhuang": ("Hebei", "North"),
    "Shanghai": ("Shanghai", "East"), "Hangzhou": ("Zhejiang", "East"), "Ningbo": ("Zhejiang", "East"),
    "Yiwu": ("Zhejiang", "East"), "Nanjing": ("Jiangsu", "East"), "Suzhou": ("Jiangsu", "East"),
    "Guangzhou": ("Guangdong", "South"), "Shenzhen": ("Guangdong", "South"), "Dongguan": ("Guangdong", "South"),
    "Xiamen": ("Fujian", "South"), "Chengdu": ("Sichuan", "West"), "Chongqing": ("Chongqing", "West"),
    "Xi'an": ("Shaanxi", "West"), "Kunming": ("Yunnan", "West"), "Wuhan": ("Hubei", "Central"),
    "Changsha": ("Hunan", "Central"), "Zhengzhou": ("Henan", "Central"), "Shenyang": ("Liaoning", "Northeast"),
    "Harbin": ("Heilongjiang", "Northeast"), "Urumqi": ("Xinjiang", "Remote"), "Lhasa": ("Tibet", "Remote"),
}
DISTRICTS = ["Gaoxin", "Xincheng", "Jingkai", "Chengnan", "Chengbei", "Chengdong", "Chengxi", "Gulou", "Binhu"]
STREETS = ["Wensan Road", "Zhongshan Road", "Jiefang Avenue", "Renmin Road", "Keji Road", "Huaihai Road",
           "Binhai Avenue", "Xueyuan Road", "Chang'an Street", "Jianshe Road", "Heping Road", "Yan'an Road"]
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Hu", "Guo"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Tao", "Hao", "Xin", "Yu", "Jun", "Ling", "Qiang", "Mei"]
#: code -> (name, waybill prefix, first kg by zone, each further kg by zone, standard days by zone, services)
COURIERS = {
    "shunfeng": ("SF Express", "SF", (12, 13, 18, 23, 28), (2, 3, 5, 8, 12), (1, 1, 2, 2, 4),
                 "express,standard,economy"),
    "jd": ("JD Logistics", "JDVA", (10, 12, 15, 20, 25), (2, 3, 4, 7, 10), (1, 1, 2, 3, 4), "express,standard"),
    "ems": ("China Post EMS", "EM", (10, 12, 15, 20, 22), (2, 3, 5, 6, 8), (1, 2, 3, 3, 5), "express,standard,economy"),
    "zhongtong": ("ZTO Express", "75", (5, 6, 8, 10, 18), (1, 1, 2, 4, 9), (1, 2, 2, 3, 5), "standard,economy"),
    "yuantong": ("YTO Express", "YT", (5, 6, 8, 10, 18), (1, 1, 2, 4, 9), (1, 2, 3, 3, 5), "standard,economy"),
    "yunda": ("Yunda Express", "43", (5, 6, 7, 9, 17), (1, 1, 2, 4, 9), (1, 2, 3, 4, 6), "standard,economy"),
    "shentong": ("STO Express", "77", (5, 6, 7, 9, 17), (1, 1, 2, 4, 9), (1, 2, 3, 4, 6), "standard,economy"),
    "jtexpress": ("J&T Express", "JT", (4, 5, 7, 9, 20), (1, 1, 2, 4, 10), (1, 2, 3, 4, 6), "standard"),
}
ExpType = Literal["express", "standard", "economy"]
Courier = Literal["shunfeng", "jd", "ems", "zhongtong", "yuantong", "yunda", "shentong", "jtexpress"]
Waybill = Annotated[str, UserKnown, Field(pattern=r"^[A-Z0-9]{10,18}$")]
Mobile = Annotated[str, Field(pattern=r"^1\d{10}$")]
SenderPhone = Annotated[str, UserKnown, Field(pattern=r"^1\d{10}$")]
PhoneCheck = Annotated[str, UserKnown, Field(pattern=r"^(\d{4}|1\d{10})$")]
Address = Annotated[NonEmptyStr, Field(max_length=200)]
Weight = Annotated[float, Field(ge=0.1, le=50)]
CLOSED = ("delivered", "returned", "cancelled")
#: How many of the usual trace steps a seeded parcel in each state has passed, and how a stalled one ended.
REACHED = {"awaiting_pickup": 1, "collected": 2, "in_transit": 4, "out_for_delivery": 5, "delivered": 6,
           "exception": 5, "returned": 5}
ENDINGS = {"exception": "Delivery failed: recipient unreachable; the parcel is held at the station",
           "returned": "Refused by the recipient; returning to the sender"}
SIGNED = ["Signed for by the recipient", "Left in a Hive Box parcel locker", "Signed for at the reception desk"]

TraceEvent = TypedDict("TraceEvent", {"time": str, "location": str, "context": str})
Trace = TypedDict("Trace", {"kuaidi_num": str, "kuaidi_company": str, "state": str, "delivery_address": str,
                            "data": list[TraceEvent]})
Arrival = TypedDict("Arrival", {"kuaidi_company": str, "exp_type": str, "arrivalTime": str,
                                "remaining_transit_time": int})
Quote = TypedDict("Quote", {"kuaidi_company": str, "exp_type": str, "billable_weight": int, "price": float,
                            "currency": str, "estimated_days": int})
Order = TypedDict("Order", {"order_id": str, "kuaidi_company": str, "kuaidi_num": str, "status": str,
                            "recipient_name": str, "to_addr": str, "weight": float, "exp_type": str,
                            "pickup_date": str, "price": float})
Subscription = TypedDict("Subscription", {"subscription_id": str, "kuaidi_num": str, "phone": str, "state": str})
Redirect = TypedDict("Redirect", {"kuaidi_num": str, "old_addr": str, "new_addr": str, "state": str,
                                  "extra_fee": float})


#: A sender's pickup orders with their shipments, as list_pickup_orders returns them (newest first).
ORDERS_OF_SENDER = """SELECT o.order_id, s.kuaidi_company, s.kuaidi_num, o.status, s.recipient_name, s.to_addr,
    s.weight, s.exp_type, o.pickup_date, s.price FROM orders o JOIN shipments s ON s.kuaidi_num = o.kuaidi_num
    WHERE o.sender_phone = ?1 AND (?2 IS NULL OR o.status = ?2) ORDER BY o.created_at DESC, o.order_id"""
#: A waybill's state, and whether a phone is subscribed to it already.
SHIPMENT_SUBSCRIBED = """SELECT kuaidi_num, state, EXISTS (SELECT 1 FROM subscriptions u
    WHERE u.kuaidi_num = s.kuaidi_num AND u.phone = ?2) AS subscribed FROM shipments s WHERE kuaidi_num = ?1"""
#: A pickup order with the fields of its shipment that cancelling needs.
ORDER_WITH_SHIPMENT = """SELECT o.*, s.kuaidi_company, s.recipient_name, s.to_addr, s.weight, s.exp_type, s.price,
    s.from_addr FROM orders o JOIN shipments s ON s.kuaidi_num = o.kuaidi_num WHERE o.order_id = ?"""


def city_of(address: str, field: str) -> str:
    """The city an address names (the longest match), or an error naming ``field``."""
    lowered = address.lower()
    found = [c for c in CITIES if c.lower() in lowered]
    if not found:
        raise ToolError(f"{field} '{address}' names no city Kuaidi100 quotes for; include one of: {', '.join(CITIES)}")
    return max(found, key=len)


def zone(origin: str, destination: str) -> int:
    (p1, r1), (p2, r2) = CITIES[origin], CITIES[destination]
    return 4 if "Remote" in (r1, r2) else 0 if origin == destination else 1 if p1 == p2 else 2 if r1 == r2 else 3


class Kuaidi100(World):
    """Kuaidi100 parcel tracking and shipping: query any courier's waybill trace, quote price and
    transit time between cities, place and cancel courier pickup orders, subscribe a phone to tracking updates
    and redirect a parcel before it leaves the origin. Couriers are given by Kuaidi100 code (shunfeng = SF
    Express, jd, ems, zhongtong = ZTO, yuantong = YTO, yunda, shentong = STO, jtexpress = J&T); prices in CNY."""

    domain = "Utilities"
    schema = """
    CREATE TABLE couriers (code TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, services TEXT NOT NULL);
    CREATE TABLE shipments (kuaidi_num TEXT PRIMARY KEY, kuaidi_company TEXT NOT NULL REFERENCES couriers,
                            sender_name TEXT NOT NULL, sender_phone TEXT NOT NULL, recipient_name TEXT NOT NULL,
                            recipient_phone TEXT NOT NULL, from_addr TEXT NOT NULL, to_addr TEXT NOT NULL,
                            weight REAL NOT NULL, exp_type TEXT NOT NULL, state TEXT NOT NULL, price REAL NOT NULL);
    CREATE TABLE trace_events (kuaidi_num TEXT NOT NULL REFERENCES shipments, time TEXT NOT NULL,
                               location TEXT NOT NULL, context TEXT NOT NULL);
    CREATE INDEX trace_by_waybill ON trace_events (kuaidi_num, time);
    CREATE TABLE orders (order_id TEXT PRIMARY KEY, kuaidi_num TEXT NOT NULL UNIQUE REFERENCES shipments,
                                sender_phone TEXT NOT NULL, pickup_date TEXT NOT NULL, status TEXT NOT NULL,
                                cancel_reason TEXT, created_at TEXT NOT NULL);
    CREATE INDEX orders_by_sender ON orders (sender_phone);
    CREATE TABLE subscriptions (subscription_id TEXT PRIMARY KEY, kuaidi_num TEXT NOT NULL REFERENCES shipments,
                                phone TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (kuaidi_num, phone));
    CREATE TABLE address_changes (change_id TEXT PRIMARY KEY, kuaidi_num TEXT NOT NULL REFERENCES shipments,
                                  old_addr TEXT NOT NULL, new_addr TEXT NOT NULL, changed_at TEXT NOT NULL);
    """
    volatile = {"trace_events": ("time",), "orders": ("created_at",), "subscriptions": ("created_at",),
                "address_changes": ("changed_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["couriers"].insert_all({"code": c, "name": v[0], "services": v[5]} for c, v in COURIERS.items())
        person = lambda: f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}{rng.choice(['', *GIVEN]).lower()}"  # noqa: E731
        mobile = lambda: f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"  # noqa: E731
        address = lambda city: (f"{rng.randrange(1, 999)} {rng.choice(STREETS)}, "  # noqa: E731
                                f"{rng.choice(DISTRICTS)} District, {city}")
        regulars = [(person(), mobile(), address(rng.choice(list(CITIES)))) for _ in range(8)]
        shipments, events, orders, subs, changes = [], [], [], [], []
        now = cls.start_time
        for n in range(80):
            code = rng.choice(list(COURIERS))
            name, prefix, *_ = COURIERS[code]
            waybill = prefix + str(rng.randrange(10**12, 10**13))[: 15 - len(prefix)]
            regular = n % 2 == 0  # regular senders book pickups through Kuaidi100; others only track
            sender = regulars[n // 2 % 8] if regular else (lambda c: (person(), mobile(), address(c)))(
                rng.choice(list(CITIES)))
            to = address(rng.choice(list(CITIES)))
            exp = rng.choice(COURIERS[code][5].split(","))
            weight = rng.choice([0.3, 0.5, 1.0, 1.2, 2.0, 2.5, 3.0, 4.5, 6.0, 8.0, 12.0])
            state = rng.choice(["awaiting_pickup", "collected", "in_transit", "in_transit", "out_for_delivery",
                                "delivered", "delivered", "delivered", "exception", "returned"])
            shipments.append({"kuaidi_num": waybill, "kuaidi_company": code, "sender_name": sender[0],
                              "sender_phone": sender[1], "recipient_name": person(), "recipient_phone": mobile(),
                              "from_addr": sender[2], "to_addr": to, "weight": weight, "exp_type": exp,
                              "state": state, "price": quote(code, city_of(sender[2], ""), city_of(to, ""),
                                                             weight, exp)[1]})
            start = now - dt.timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 10))
            o, d = city_of(sender[2], ""), city_of(to, "")
            steps = [("Order placed; waiting for the courier to collect the parcel", o),
                     (f"Collected by {name} courier {person()} ({mobile()})", o), (f"Departed {o} sorting hub", o),
                     (f"Arrived at {d} sorting hub", d), (f"Out for delivery with courier {person()} ({mobile()})", d),
                     (rng.choice(SIGNED), d)][:REACHED[state]] + [(ENDINGS[s], d) for s in [state] if s in ENDINGS]
            for i, (context, city) in enumerate(steps):
                at = start + dt.timedelta(hours=7 * i + rng.randrange(0, 5), minutes=rng.randrange(60))
                events.append({"kuaidi_num": waybill, "time": min(at, now).strftime(TIME_FORMAT),
                               "location": city, "context": context})
            if regular:
                picked = state != "awaiting_pickup"
                orders.append({"order_id": fake_id(rng, "ord_"), "kuaidi_num": waybill, "sender_phone": sender[1],
                               "pickup_date": (start if picked else now + dt.timedelta(days=rng.randrange(0, 4)))
                               .strftime("%Y-%m-%d"), "status": "collected" if picked else "pending",
                               "cancel_reason": None, "created_at": start.strftime(TIME_FORMAT)})
            if state not in CLOSED and rng.random() < 0.5:
                subs.append({"subscription_id": fake_id(rng, "sub_"), "kuaidi_num": waybill,
                             "phone": shipments[-1]["recipient_phone"], "created_at": start.strftime(TIME_FORMAT)})
            if state in ("delivered", "in_transit") and rng.random() < 0.2:
                changes.append({"change_id": fake_id(rng, "chg_"), "kuaidi_num": waybill, "new_addr": to,
                                "old_addr": address(rng.choice(list(CITIES))),
                                "changed_at": start.strftime(TIME_FORMAT)})
        db["shipments"].insert_all(shipments)
        db["trace_events"].insert_all(events)
        db["orders"].insert_all(orders)
        db["subscriptions"].insert_all(subs)
        db["address_changes"].insert_all(changes)

    # ------------------------------------------------------------------ helpers
    def _shipment(self, kuaidi_num: str, phone: str | None, required: bool | None) -> dict[str, Any]:
        """A waybill, checking the phone digits (``required`` None: only SF Express needs them)."""
        found = self.require("SELECT * FROM shipments WHERE kuaidi_num = ?", kuaidi_num.upper(),
                             error=f"no trace found for waybill '{kuaidi_num}'; check the number on the label")
        if phone is None and (required or required is None and found["kuaidi_company"] == "shunfeng"):
            raise ToolError(f"{COURIERS[found['kuaidi_company']][0]} waybills need the last 4 digits of the "
                            "sender's or recipient's phone number; pass them as phone")
        if phone is not None and phone[-4:] not in (found["recipient_phone"][-4:], found["sender_phone"][-4:]):
            raise ToolError(f"phone '{phone}' matches neither the sender nor the recipient of waybill '{kuaidi_num}'")
        return found

    def _event(self, kuaidi_num: str, location: str, context: str) -> None:
        self.execute("INSERT INTO trace_events VALUES (?, ?, ?, ?)", kuaidi_num, self.now().strftime(TIME_FORMAT),
                     location, context)

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find out where my parcel {kuaidi_num} is[ (phone {phone})]",
                  "track waybill {kuaidi_num}[ (phone {phone})]"])
    def query_trace(self, kuaidi_num: Waybill, phone: PhoneCheck | None = None) -> Trace:
        """Get the tracking history of a waybill from any courier (newest event first) and its current state:
        awaiting_pickup, collected, in_transit, out_for_delivery, delivered, exception, returned or cancelled.

        Args:
            kuaidi_num: The waybill (tracking) number.
            phone: Last 4 digits (or the whole number) of the sender's or recipient's phone; SF Express needs it.
        """
        ship = self._shipment(kuaidi_num, phone, required=None)
        return {"kuaidi_num": ship["kuaidi_num"], "kuaidi_company": ship["kuaidi_company"], "state": ship["state"],
                "delivery_address": ship["to_addr"], "data": self.rows(
                    "SELECT time, location, context FROM trace_events WHERE kuaidi_num = ? ORDER BY time DESC, rowid"
                    " DESC", ship["kuaidi_num"])}

    @tool(phrase=["check when a {kuaidi_company} parcel from {from_addr} to {to_addr} would arrive"
                  "[ if handed over at {order_time}][ with {exp_type} service]",
                  "find out how long {kuaidi_company} takes from {from_addr} to {to_addr}[ by {exp_type}]"])
    def estimate_time(self, kuaidi_company: Courier, from_addr: Address, to_addr: Address,
                      exp_type: ExpType = "standard",
                      order_time: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$")] | None = None,
                      ) -> Arrival:
        """Estimate when a parcel handed over at order_time arrives; parcels handed over after 17:00 leave the
        next day. Express arrives by 12:00, other services by 18:00.

        Args:
            kuaidi_company: Courier code.
            from_addr: Sender's address or city.
            to_addr: Recipient's address or city.
            exp_type: Service level; not every courier offers every level.
            order_time: Hand-over time, 'YYYY-MM-DD HH:MM' (default: now).
        """
        days = quote(kuaidi_company, city_of(from_addr, "from_addr"), city_of(to_addr, "to_addr"), 1, exp_type)[2]
        try:
            start = strptime(order_time.replace("T", " "), TIME_FORMAT) if order_time else self.now()
        except ValueError:
            raise ToolError(f"order_time '{order_time}' is not a real time; use 'YYYY-MM-DD HH:MM'") from None
        arrival = (start + dt.timedelta(days=days + (start.hour >= 17))).replace(
            hour=12 if exp_type == "express" else 18, minute=0)
        return {"kuaidi_company": kuaidi_company, "exp_type": exp_type, "arrivalTime": arrival.strftime(TIME_FORMAT),
                "remaining_transit_time": math.ceil((arrival - start).total_seconds() / 3600)}

    @tool(phrase=["check what {kuaidi_company} charges for a[ {weight} kg] parcel from {from_addr} to {to_addr}"
                  "[ by {exp_type}]",
                  "get a {kuaidi_company} price quote for sending[ {weight} kg] from {from_addr} to {to_addr}"
                  "[ with {exp_type} service]"])
    def estimate_price(self, kuaidi_company: Courier, from_addr: Address, to_addr: Address, weight: Weight = 1.0,
                       exp_type: ExpType = "standard") -> Quote:
        """Quote the price of a parcel: a first-kilogram rate plus a rate per further kilogram, both by distance
        (same city, same province, same region, nationwide, Xinjiang/Tibet); weight is rounded up to whole kg.

        Args:
            kuaidi_company: Courier code.
            from_addr: Sender's address or city.
            to_addr: Recipient's address or city.
            weight: Parcel weight in kg (up to 50; heavier goods go as freight).
            exp_type: Service level: express costs 50% more, economy 15% less.
        """
        billable, price, days = quote(kuaidi_company, city_of(from_addr, "from_addr"), city_of(to_addr, "to_addr"),
                                      weight, exp_type)
        return {"kuaidi_company": kuaidi_company, "exp_type": exp_type, "billable_weight": billable, "price": price,
                "currency": "CNY", "estimated_days": days}

    @tool(phrase=["show my pickup orders (my phone is {sender_phone})[ that are {status}]",
                  "list the courier pickups I booked with {sender_phone}[ that are {status}]"])
    def list_pickup_orders(self, sender_phone: SenderPhone,
                           status: Literal["pending", "collected", "cancelled"] | None = None) -> list[Order]:
        """List the pickup orders placed with a sender phone number, newest first.

        Args:
            sender_phone: The sender's mobile number used when ordering.
            status: Only orders in this status.
        """
        return self.rows(ORDERS_OF_SENDER, sender_phone, status)

    @tool(writes=True, phrase=[
        "book {kuaidi_company} to pick up on {pickup_date} and send {weight} kg from {from_addr} to {recipient_name}"
        " ({recipient_phone}) at {to_addr}[ by {exp_type}]; I am {sender_name}, {sender_phone}",
        "have {kuaidi_company} collect a {weight} kg parcel at {from_addr} on {pickup_date} for {recipient_name},"
        " {recipient_phone}, {to_addr}[, {exp_type} service] (sender {sender_name}, {sender_phone})"])
    def create_pickup_order(self, kuaidi_company: Courier, sender_name: NonEmptyStr, sender_phone: Mobile,
                            from_addr: Address, recipient_name: NonEmptyStr, recipient_phone: Mobile,
                            to_addr: Address, weight: Weight,
                            pickup_date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")],
                            exp_type: ExpType = "standard") -> Order:
        """Book a courier to collect a parcel at the sender's address on a day from today to 7 days ahead; the
        waybill number is assigned at once and the quoted price is paid to the courier at pickup.

        Args:
            kuaidi_company: Courier code.
            sender_name: Sender's name.
            sender_phone: Sender's mobile number (11 digits).
            from_addr: Pickup address, with the city.
            recipient_name: Recipient's name.
            recipient_phone: Recipient's mobile number (11 digits).
            to_addr: Delivery address, with the city.
            weight: Parcel weight in kg.
            pickup_date: Pickup day, YYYY-MM-DD.
            exp_type: Service level.
        """
        now = self.now()
        today = now.date()
        if not today.isoformat() <= pickup_date <= (today + dt.timedelta(days=7)).isoformat():
            raise ToolError(f"pickup_date must be between {today} and {today + dt.timedelta(days=7)}")
        origin = city_of(from_addr, "from_addr")
        price = quote(kuaidi_company, origin, city_of(to_addr, "to_addr"), weight, exp_type)[1]
        order_id, prefix = self.new_id("orders", "ord_"), COURIERS[kuaidi_company][1]
        waybill = prefix + str(int(order_id[4:], 16) % 10**12).zfill(15 - len(prefix))[: 15 - len(prefix)]
        self.mark_generated("shipments", waybill)
        recipient, destination, stamp = recipient_name.strip(), to_addr.strip(), now.strftime(TIME_FORMAT)
        self.execute("INSERT INTO shipments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'awaiting_pickup', ?)", waybill,
                     kuaidi_company, sender_name.strip(), sender_phone, recipient, recipient_phone,
                     from_addr.strip(), destination, weight, exp_type, price)
        self.execute("INSERT INTO orders VALUES (?, ?, ?, ?, 'pending', NULL, ?)", order_id, waybill,
                     sender_phone, pickup_date, stamp)
        self.execute("INSERT INTO trace_events VALUES (?, ?, ?, ?)", waybill, stamp, origin,
                     f"Order placed; courier pickup booked for {pickup_date}")
        # The stored values read back unchanged (REAL columns keep Python floats exactly).
        return {"order_id": order_id, "kuaidi_company": kuaidi_company, "kuaidi_num": waybill, "status": "pending",
                "recipient_name": recipient, "to_addr": destination, "weight": float(weight), "exp_type": exp_type,
                "pickup_date": pickup_date, "price": price}

    @tool(writes=True, phrase=["cancel {order_id} (my phone is {sender_phone})[, reason: {reason}]",
                               "call off the courier pickup for {order_id}; I booked it with {sender_phone}"
                               "[ (reason {reason})]"])
    def cancel_pickup_order(self, order_id: NonEmptyStr, sender_phone: SenderPhone, reason: Literal[
            "no_longer_needed", "wrong_address", "courier_late", "chose_another_courier", "other"] = "other") -> Order:
        """Cancel a pickup order the courier has not collected yet; its waybill is voided.

        Args:
            order_id: The pickup order.
            sender_phone: The sender's mobile number the order was placed with.
            reason: Why it is cancelled.
        """
        order = self.require(ORDER_WITH_SHIPMENT, order_id,
                             error=f"no pickup order '{order_id}'; list_pickup_orders shows your orders")
        if order["sender_phone"] != sender_phone:
            raise ToolError(f"pickup order '{order_id}' was not placed with the phone number {sender_phone}")
        if order["status"] != "pending":
            hint = "; once collected, ask the courier to return the parcel" * (order["status"] == "collected")
            raise ToolError(f"pickup order '{order_id}' is already {order['status']} and cannot be cancelled{hint}")
        self.execute("UPDATE orders SET status = 'cancelled', cancel_reason = ? WHERE order_id = ?",
                     reason, order_id)
        self.execute("UPDATE shipments SET state = 'cancelled' WHERE kuaidi_num = ?", order["kuaidi_num"])
        self._event(order["kuaidi_num"], city_of(order["from_addr"], "from_addr"),
                    "Pickup order cancelled; waybill voided")
        return {"order_id": order["order_id"], "kuaidi_company": order["kuaidi_company"],
                "kuaidi_num": order["kuaidi_num"], "status": "cancelled", "recipient_name": order["recipient_name"],
                "to_addr": order["to_addr"], "weight": order["weight"], "exp_type": order["exp_type"],
                "pickup_date": order["pickup_date"], "price": order["price"]}

    @tool(writes=True, phrase=["text {phone} whenever parcel {kuaidi_num} moves",
                               "subscribe {phone} to tracking updates of waybill {kuaidi_num}"])
    def subscribe_tracking(self, kuaidi_num: Waybill, phone: Mobile) -> Subscription:
        """Subscribe a mobile number to SMS updates of a waybill until it is delivered.

        Args:
            kuaidi_num: The waybill number.
            phone: Mobile number that receives the updates (11 digits).
        """
        ship = self.require(SHIPMENT_SUBSCRIBED, kuaidi_num.upper(), phone,
                            error=f"no trace found for waybill '{kuaidi_num}'; check the number on the label")
        if ship["state"] in CLOSED:
            raise ToolError(f"waybill '{ship['kuaidi_num']}' is already {ship['state']}; there are no more updates")
        if ship["subscribed"]:
            raise ToolError(f"{phone} is already subscribed to waybill '{ship['kuaidi_num']}'")
        sub_id = self.new_id("subscriptions", "sub_")
        self.execute("INSERT INTO subscriptions VALUES (?, ?, ?, ?)", sub_id, ship["kuaidi_num"], phone,
                     self.now().strftime(TIME_FORMAT))
        return {"subscription_id": sub_id, "kuaidi_num": ship["kuaidi_num"], "phone": phone, "state": ship["state"]}

    @tool(writes=True, phrase=["deliver parcel {kuaidi_num} to {new_addr} instead (phone {phone})",
                               "change the delivery address of waybill {kuaidi_num} to {new_addr}; "
                               "my phone is {phone}"])
    def change_delivery_address(self, kuaidi_num: Waybill, phone: PhoneCheck, new_addr: Address) -> Redirect:
        """Change where a parcel goes, before it leaves the origin (state awaiting_pickup or collected); a dearer
        destination adds the price difference as a fee payable by the sender.

        Args:
            kuaidi_num: The waybill number.
            phone: Last 4 digits (or the whole number) of the sender's or recipient's phone.
            new_addr: The new delivery address, with the city.
        """
        ship = self._shipment(kuaidi_num, phone, required=True)
        if ship["state"] not in ("awaiting_pickup", "collected"):
            raise ToolError(f"waybill '{ship['kuaidi_num']}' is {ship['state']}; the address can only be changed "
                            "before the parcel leaves the origin (awaiting_pickup or collected)")
        if new_addr.strip() == ship["to_addr"]:
            raise ToolError(f"'{new_addr}' is already the delivery address of waybill '{ship['kuaidi_num']}'")
        city = city_of(new_addr, "new_addr")
        price = quote(ship["kuaidi_company"], city_of(ship["from_addr"], "from_addr"), city, ship["weight"],
                      ship["exp_type"])[1]
        self.execute("UPDATE shipments SET to_addr = ?, price = ? WHERE kuaidi_num = ?", new_addr.strip(),
                     max(price, ship["price"]), ship["kuaidi_num"])
        stamp = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO address_changes VALUES (?, ?, ?, ?, ?)", self.new_id("address_changes", "chg_"),
                     ship["kuaidi_num"], ship["to_addr"], new_addr.strip(), stamp)
        self.execute("INSERT INTO trace_events VALUES (?, ?, ?, ?)", ship["kuaidi_num"], stamp, city,
                     "Delivery address changed at the customer's request")
        return {"kuaidi_num": ship["kuaidi_num"], "old_addr": ship["to_addr"], "new_addr": new_addr.strip(),
                "state": ship["state"], "extra_fee": round(max(0.0, price - ship["price"]), 2)}


def quote(code: str, origin: str, destination: str, weight: float, exp_type: str) -> tuple[int, float, int]:
    """(billable kg, price in CNY, transit days) of a courier's service between two cities."""
    name, _, first, extra, days, services = COURIERS[code]
    if exp_type not in services.split(","):
        raise ToolError(f"{name} ({code}) offers no {exp_type} service; it offers {services.replace(',', ', ')}")
    z, billable = zone(origin, destination), max(1, math.ceil(weight - 1e-9))
    factor = {"express": 1.5, "standard": 1.0, "economy": 0.85}[exp_type]
    price = round((first[z] + (billable - 1) * extra[z]) * factor, 2)
    return billable, price, max(1, days[z] + {"express": -1, "standard": 0, "economy": 1}[exp_type])
