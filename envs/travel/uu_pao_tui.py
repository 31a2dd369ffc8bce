"""UUPaoTui: UU errand runners (same-city courier): price quotes, delivery orders, tips, cancellation fees."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%d %H:%M"
CITIES = {  # adCode -> (city, centre, start price incl. 3 km, yuan per extra km, {district: streets})
    "110100": ("Beijing", (39.91, 116.40), 12, 3, {
        "Chaoyang": ["Jianguo Road", "Chaoyang North Road", "Guanghua Road", "Wangjing Street"],
        "Haidian": ["Zhongguancun Street", "Xueyuan Road", "Suzhou Street"],
        "Dongcheng": ["Dongzhimen Inner Street", "Andingmen East Street"]}),
    "310100": ("Shanghai", (31.23, 121.47), 14, 3, {
        "Huangpu": ["Nanjing East Road", "Middle Huaihai Road"], "Jing'an": ["West Nanjing Road", "Changde Road"],
        "Pudong": ["Century Avenue", "Zhangyang Road", "Lujiazui Ring Road"]}),
    "440300": ("Shenzhen", (22.54, 114.06), 10, 2, {
        "Futian": ["Shennan Middle Road", "Huaqiang North Road"], "Nanshan": ["Keyuan Road", "Houhai Avenue"],
        "Luohu": ["Dongmen Middle Road", "Renmin South Road"]}),
    "510100": ("Chengdu", (30.66, 104.07), 9, 2, {
        "Jinjiang": ["Chunxi Road", "Hongxing Road"], "Wuhou": ["Kehua North Road", "Tianfu Avenue"],
        "Qingyang": ["Kuanzhai Alley", "Renmin Middle Road"]}),
}
STATES = ("pending", "accepted", "arrived_at_pickup", "delivering", "completed", "cancelled")
CANCEL_FEES = {"pending": 0, "accepted": 3, "arrived_at_pickup": 5}  # yuan kept when the sender cancels
#: CANCEL_FEES as an SQL expression of an order's state.
CANCEL_FEE_SQL = f"CASE state {' '.join(f'WHEN {s!r} THEN {fee}' for s, fee in CANCEL_FEES.items())} END"
FREE_KG, PER_KG, MAX_KG, MAX_KM, MAX_TIP = 5, 2, 50, 60, 50
QUOTE_MINUTES = 30
NAMES = ["Wang Qiang", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jie", "Yang Fan", "Zhao Lei", "Huang Min",
         "Zhou Tao", "Wu Hao", "Xu Jing", "Sun Peng", "Ma Li", "Hu Jun", "Guo Xin", "He Bo"]
Phone = Annotated[str, UserKnown, Field(pattern=r"^1\d{10}$")]
AddressText = Annotated[str, UserKnown, Field(min_length=4, max_length=120)]
State = Literal["pending", "accepted", "arrived_at_pickup", "delivering", "completed", "cancelled"]
AdCode = Literal["110100", "310100", "440300", "510100"]

Quote = TypedDict("Quote", {"priceToken": str, "needPayMoney": float, "distance": float, "totalMoney": float,
                            "weightFee": float, "expiresAt": str})
Created = TypedDict("Created", {"orderCode": str, "state": str, "needPayMoney": float})
Order = TypedDict("Order", {"orderCode": str, "fromAddress": str, "toAddress": str, "distance": float,
                            "state": str, "needPayMoney": float, "tip": int, "goodsWeight": int,
                            "receiverPhone": str, "createdAt": str, "runnerName": str, "runnerPhone": str,
                            "deductFee": int})
OrderList = TypedDict("OrderList", {"order_list": list[Order]})
Cancelled = TypedDict("Cancelled", {"orderCode": str, "deductFee": int, "refund": float})
Tipped = TypedDict("Tipped", {"orderCode": str, "tip": int, "needPayMoney": float})
Address = TypedDict("Address", {"label": str, "address": str, "adCode": str, "contactName": str,
                                "contactPhone": str})


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Riding distance in km (great-circle distance times 1.25), one decimal."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return round(2 * 6371 * math.asin(math.sqrt(h)) * 1.25, 1)


def price(ad_code: str, distance: float, weight: int) -> tuple[float, float]:
    """(delivery fee, weight surcharge) in yuan."""
    _, _, start, per_km, _ = CITIES[ad_code]
    return float(start + math.ceil(max(0.0, distance - 3)) * per_km), float(max(0, weight - FREE_KG) * PER_KG)


class UUPaoTui(World):
    """UU Paotui same-city errands: a runner picks goods up at one address and delivers them to another in the
    same city (cities by adCode: 110100 Beijing, 310100 Shanghai, 440300 Shenzhen, 510100 Chengdu). Quote first,
    then order with the quote's priceToken (valid 30 minutes). Prices in yuan; order states: pending (waiting for
    a runner), accepted, arrived_at_pickup, delivering, completed, cancelled. Cancelling is free while pending,
    costs 3 yuan once a runner accepted and 5 once the runner is at the pickup; picked-up goods cannot be recalled."""

    schema = """
    CREATE TABLE places (address TEXT PRIMARY KEY COLLATE NOCASE, adCode TEXT NOT NULL, district TEXT NOT NULL,
                         lat REAL NOT NULL, lng REAL NOT NULL);
    CREATE INDEX places_by_city ON places (adCode);
    CREATE TABLE addresses (label TEXT PRIMARY KEY COLLATE NOCASE, address TEXT NOT NULL REFERENCES places,
                            adCode TEXT NOT NULL, contactName TEXT NOT NULL, contactPhone TEXT NOT NULL);
    CREATE TABLE runners (runner_id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, adCode TEXT NOT NULL);
    CREATE TABLE quotes (priceToken TEXT PRIMARY KEY, fromAddress TEXT NOT NULL, toAddress TEXT NOT NULL,
                         adCode TEXT NOT NULL, sendType TEXT NOT NULL, goodsWeight INTEGER NOT NULL,
                         distance REAL NOT NULL, money REAL NOT NULL, expires TEXT NOT NULL, used INTEGER DEFAULT 0);
    CREATE TABLE orders (orderCode TEXT PRIMARY KEY, fromAddress TEXT NOT NULL, toAddress TEXT NOT NULL,
                         adCode TEXT NOT NULL, sendType TEXT NOT NULL, goodsWeight INTEGER NOT NULL,
                         distance REAL NOT NULL, needPayMoney REAL NOT NULL, tip INTEGER NOT NULL DEFAULT 0,
                         senderPhone TEXT NOT NULL, receiverPhone TEXT NOT NULL, state TEXT NOT NULL,
                         runner_id TEXT REFERENCES runners, createdAt TEXT NOT NULL, reason TEXT,
                         deductFee INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX orders_by_state ON orders (state, createdAt);
    """
    volatile = {"orders": ("createdAt",)}
    ungraded = ("quotes",)

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        places: dict[str, dict[str, Any]] = {}
        for code, (_, (lat, lng), _, _, districts) in CITIES.items():
            for district, streets in districts.items():
                for street in streets:
                    for number in rng.sample(range(1, 400), 3):
                        places[f"{number} {street}, {district}"] = {
                            "address": f"{number} {street}, {district}", "adCode": code, "district": district,
                            "lat": round(lat + rng.uniform(-.08, .08), 5), "lng": round(lng + rng.uniform(-.08, .08), 5)}
        db["places"].insert_all(places.values())
        me = f"13{rng.randrange(10**9):09d}"
        home = rng.choice(list(CITIES))
        local = [p for p in places.values() if p["adCode"] == home]
        book = rng.sample(local, 6)
        db["addresses"].insert_all({"label": label, "address": p["address"], "adCode": home,
                                    "contactName": rng.choice(NAMES), "contactPhone": f"1{rng.choice('3589')}"
                                    f"{rng.randrange(10**9):09d}"} for label, p in
                                   zip(["Home", "Office", "Mum", "Studio", "Warehouse", "Florist"], book))
        runners = [{"runner_id": f"R{rng.randrange(10**7, 10**8)}", "name": rng.choice(NAMES),
                    "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}", "adCode": code}
                   for code in CITIES for _ in range(6)]
        db["runners"].insert_all(runners)
        states = ["completed"] * 26 + ["cancelled"] * 4 + ["pending"] * 2 + ["accepted"] * 2 + \
            ["arrived_at_pickup", "delivering", "delivering"]
        orders = []
        for index, state in enumerate(states):
            code = home if index % 4 else rng.choice(list(CITIES))
            a, b = rng.sample([p for p in places.values() if p["adCode"] == code], 2)
            distance, weight = km((a["lat"], a["lng"]), (b["lat"], b["lng"])), rng.choice([1, 2, 3, 5, 8, 12])
            fee, extra = price(code, distance, weight)
            live = state not in ("completed", "cancelled")
            when = (cls.start_time - dt.timedelta(minutes=rng.randrange(5, 50))) if live else dt.datetime.combine(
                cls.days_before_start(rng, 1, 45), dt.time(rng.randrange(8, 22), rng.randrange(60)))
            orders.append({"orderCode": f"U{rng.randrange(10**11, 10**12)}", "fromAddress": a["address"],
                           "toAddress": b["address"], "adCode": code, "sendType": "instant", "goodsWeight": weight,
                           "distance": distance, "needPayMoney": fee + extra, "tip": rng.choice([0, 0, 0, 2, 5]),
                           "senderPhone": me, "receiverPhone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                           "state": state, "runner_id": None if state in ("pending", "cancelled") else
                           rng.choice([r["runner_id"] for r in runners if r["adCode"] == code]),
                           "createdAt": when.strftime(TIME_FORMAT), "reason": None, "deductFee": 0})
        db["orders"].insert_all(orders)

    def _place(self, address: str, ad_code: str, field: str) -> dict[str, Any]:
        text = address.strip()
        # the place of the saved address labelled so, else the place at that address
        place = self.row("SELECT * FROM places WHERE address = COALESCE("
                         "NULLIF((SELECT address FROM addresses WHERE label = ?1), ''), ?1)", text)
        if place is None:
            raise ToolError(f"cannot locate {field} '{text}'; give a street address such as"
                            f" '{self.value('SELECT address FROM places WHERE adCode = ?', ad_code)}'"
                            " or a label from list_addresses")
        if place["adCode"] != ad_code:
            raise ToolError(f"{field} '{text}' is in {CITIES[place['adCode']][0]}, not in {CITIES[ad_code][0]}"
                            f" (adCode {ad_code}); UU delivers within one city")
        return place

    def _order(self, code: str) -> dict[str, Any]:
        return self.require("SELECT * FROM orders WHERE orderCode = ?", code.strip(),
                            error=f"no order '{code}'; list_orders shows your orders")

    @tool(writes=True, phrase=[
        "get a price for sending[ {goodsWeight} kg] from {fromAddress} to {toAddress}[ in city {adCode}]",
        "find out what a {sendType} UU delivery of[ {goodsWeight} kg] from {fromAddress} to {toAddress} costs"])
    def estimate_price(self, fromAddress: AddressText, toAddress: AddressText, adCode: AdCode,
                       sendType: Literal["instant", "scheduled"] = "instant",
                       goodsWeight: Annotated[int, Field(ge=1, le=MAX_KG)] = 1,
                       sendTime: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")] | None = None,
                       ) -> Quote:
        """Quote a delivery: distance (km), price in yuan and a priceToken for create_order (valid 30 minutes).

        Args:
            fromAddress: Pickup street address, or the label of a saved address.
            toAddress: Drop-off street address, or a saved label.
            adCode: The city: 110100 Beijing, 310100 Shanghai, 440300 Shenzhen, 510100 Chengdu.
            sendType: instant (now) or scheduled (needs sendTime).
            goodsWeight: Weight in kg, 1-50; the first 5 kg are included.
            sendTime: Pickup time 'YYYY-MM-DD HH:MM' for a scheduled order (30 minutes to 2 days ahead).
        """
        a, b = self._place(fromAddress, adCode, "fromAddress"), self._place(toAddress, adCode, "toAddress")
        if a["address"] == b["address"]:
            raise ToolError("fromAddress and toAddress are the same place")
        now = self.now()
        if sendType == "scheduled":
            if not sendTime:
                raise ToolError("a scheduled order needs sendTime ('YYYY-MM-DD HH:MM')")
            when = strptime(sendTime, TIME_FORMAT)
            if not now + dt.timedelta(minutes=30) <= when <= now + dt.timedelta(days=2):
                raise ToolError(f"sendTime must be between 30 minutes and 2 days after now ({now:{TIME_FORMAT}})")
        distance = km((a["lat"], a["lng"]), (b["lat"], b["lng"]))
        if distance > MAX_KM:
            raise ToolError(f"the trip is {distance} km; UU runners deliver within {MAX_KM} km")
        fee, extra = price(adCode, distance, goodsWeight)
        token, expires = self.new_id("quotes", "pt_"), (now + dt.timedelta(minutes=QUOTE_MINUTES)).strftime(TIME_FORMAT)
        self.execute("INSERT INTO quotes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", token, a["address"], b["address"],
                     adCode, sendType, goodsWeight, distance, fee + extra, expires)
        return {"priceToken": token, "needPayMoney": fee + extra, "distance": distance, "totalMoney": fee + extra,
                "weightFee": extra, "expiresAt": expires}

    @tool(writes=True, phrase=["place the UU order for receiver {receiverPhone}, sender {senderPhone}",
                               "send it to {receiverPhone} with me ({senderPhone}) as the sender"])
    def create_order(self, priceToken: str, receiverPhone: Phone, senderPhone: Phone,
                     note: Annotated[str, Field(max_length=100)] = "") -> Created:
        """Place an order from a quote; it waits for a runner to accept (state pending).

        Args:
            priceToken: From estimate_price.
            receiverPhone: The recipient's mobile number (11 digits).
            senderPhone: The sender's mobile number (11 digits).
            note: Instructions for the runner.
        """
        quote = self.require("SELECT * FROM quotes"
                             " WHERE priceToken = ?", priceToken,
                             error=f"no quote '{priceToken}'; call estimate_price first")
        now = self.now().strftime(TIME_FORMAT)
        if quote["used"]:
            raise ToolError("this priceToken was already used for an order; call estimate_price again")
        if now > quote["expires"]:
            raise ToolError(f"the quote expired at {quote['expires']}; call estimate_price again")
        if receiverPhone == senderPhone:
            raise ToolError("receiverPhone must differ from senderPhone")
        code = self.new_id("orders", "U")
        self.execute("UPDATE quotes SET used = 1 WHERE priceToken = ?", priceToken)
        self.execute("INSERT INTO orders (orderCode, fromAddress, toAddress, adCode, sendType, goodsWeight, distance,"
                     " needPayMoney, senderPhone, receiverPhone, state, createdAt, reason) VALUES"
                     " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)", code, quote["fromAddress"],
                     quote["toAddress"], quote["adCode"], quote["sendType"], quote["goodsWeight"], quote["distance"],
                     quote["money"], senderPhone, receiverPhone, now, note.strip() or None)
        return {"orderCode": code, "state": "pending", "needPayMoney": quote["money"]}

    def _view(self, o: dict[str, Any]) -> Order:
        runner = self.row("SELECT name, phone FROM runners WHERE runner_id = ?", o["runner_id"]) or {}
        return {"orderCode": o["orderCode"], "fromAddress": o["fromAddress"], "toAddress": o["toAddress"],
                "distance": o["distance"], "state": o["state"], "needPayMoney": o["needPayMoney"], "tip": o["tip"],
                "goodsWeight": o["goodsWeight"], "receiverPhone": o["receiverPhone"], "createdAt": o["createdAt"],
                "runnerName": runner.get("name", ""), "runnerPhone": runner.get("phone", ""),
                "deductFee": o["deductFee"]}

    @tool(phrase=["show my[ {state}] UU orders", "list my[ {state}] errand orders"])
    def list_orders(self, state: State | None = None,
                    limit: Annotated[int, Field(ge=1, le=50)] = 20) -> OrderList:
        """Your orders, newest first.

        Args:
            state: Only orders in this state.
            limit: At most this many.
        """
        return {"order_list": [self._view(o) for o in self.rows(
            "SELECT * FROM orders WHERE ?1 IS NULL OR state = ?1 ORDER BY createdAt DESC, orderCode LIMIT ?2",
            state, limit)]}

    @tool(phrase=["check on {orderCode}", "find out where {orderCode} is at"])
    def query_order(self, orderCode: Annotated[str, UserKnown, Field(min_length=1)]) -> Order:
        """An order's addresses, distance, state, price, tip and runner.

        Args:
            orderCode: The order code.
        """
        return self._view(self._order(orderCode))

    @tool(writes=True, phrase=["cancel {orderCode} because {reason}", "call off {orderCode}, the reason being {reason}"])
    def cancel_order(self, orderCode: Annotated[str, UserKnown, Field(min_length=1)], reason: NonEmptyStr) -> Cancelled:
        """Cancel an order before pickup: free while pending, 3 yuan after a runner accepted, 5 at the pickup.

        Args:
            orderCode: The order code.
            reason: Why (shown to the runner).
        """
        # cancelled at once when it can be, its fee by its state before (as CANCEL_FEES); else checked below
        done = self.conn.execute(
            f"UPDATE orders SET state = 'cancelled', reason = ?, deductFee = {CANCEL_FEE_SQL} WHERE orderCode = ?"
            f" AND state IN ({', '.join(repr(s) for s in CANCEL_FEES)}) RETURNING orderCode, deductFee, needPayMoney, tip",
            (reason.strip(), orderCode.strip())).fetchall()
        if done:
            code, fee, pay, tip = done[0]
            # (RETURNING gives the REAL needPayMoney's whole numbers as ints; float() as a read gives it)
            return {"orderCode": code, "deductFee": fee, "refund": round(float(pay) + tip - fee, 2)}
        order = self._order(orderCode)
        if order["state"] in ("delivering", "completed", "cancelled"):
            raise ToolError(f"order '{order['orderCode']}' is {order['state']} and can no longer be cancelled"
                            + ("; the runner already has the goods, call the runner instead"
                               if order["state"] == "delivering" else ""))
        fee = CANCEL_FEES[order["state"]]
        self.execute("UPDATE orders SET state = 'cancelled', reason = ?, deductFee = ? WHERE orderCode = ?",
                     reason.strip(), fee, order["orderCode"])
        return {"orderCode": order["orderCode"], "deductFee": fee,
                "refund": round(order["needPayMoney"] + order["tip"] - fee, 2)}

    @tool(writes=True, phrase=["add a {tip} yuan tip to {orderCode}", "tip the runner of {orderCode} {tip} yuan"])
    def add_tip(self, orderCode: Annotated[str, UserKnown, Field(min_length=1)],
                tip: Annotated[int, Field(ge=1, le=MAX_TIP)]) -> Tipped:
        """Add a tip to an order that is not yet picked up, so runners take it sooner (50 yuan at most in all).

        Args:
            orderCode: The order code.
            tip: Yuan to add, 1-50.
        """
        order = self._order(orderCode)
        if order["state"] not in ("pending", "accepted"):
            raise ToolError(f"order '{order['orderCode']}' is {order['state']}; tips can be added only while it is"
                            " pending or accepted")
        if order["tip"] + tip > MAX_TIP:
            raise ToolError(f"the tip would be {order['tip'] + tip} yuan; at most {MAX_TIP} yuan per order"
                            f" ({order['tip']} already added)")
        self.execute("UPDATE orders SET tip = tip + ? WHERE orderCode = ?", tip, order["orderCode"])
        return {"orderCode": order["orderCode"], "tip": order["tip"] + tip, "needPayMoney": order["needPayMoney"]}

    @tool(phrase=["show my saved addresses[ in {adCode}]", "list the addresses in my UU address book"])
    def list_addresses(self, adCode: AdCode | None = None) -> list[Address]:
        """Saved addresses (usable by label in estimate_price).

        Args:
            adCode: Only addresses in this city.
        """
        return self.rows("SELECT * FROM addresses WHERE ?1 IS NULL OR adCode = ?1 ORDER BY label", adCode)

    @tool(writes=True, phrase=["save {address} as my {label} address, contact {contactName} on {contactPhone}",
                               "add {address} to my address book as {label} ({contactName}, {contactPhone})"])
    def add_address(self, label: Annotated[str, Field(min_length=1, max_length=20)], address: AddressText,
                    adCode: AdCode, contactName: NonEmptyStr, contactPhone: Phone) -> Address:
        """Save an address with a contact to the address book (labels are unique; at most 20 addresses).

        Args:
            label: A short name, e.g. 'Office'.
            address: The street address.
            adCode: Its city code.
            contactName: Who to meet there.
            contactPhone: Their mobile number.
        """
        taken, count = self.conn.execute("SELECT EXISTS (SELECT 1 FROM addresses WHERE label = ?),"
                                         " (SELECT COUNT(*) FROM addresses)", (label.strip(),)).fetchone()
        if taken:
            raise ToolError(f"an address labelled '{label.strip()}' already exists; choose another label")
        if count >= 20:
            raise ToolError("the address book is full (20 addresses)")
        place = self._place(address, adCode, "address")
        row = {"label": label.strip(), "address": place["address"], "adCode": adCode,
               "contactName": contactName.strip(), "contactPhone": contactPhone}
        self.execute("INSERT INTO addresses VALUES (?, ?, ?, ?, ?)", *row.values())
        return row
