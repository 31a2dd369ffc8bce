"""PriceComparison: a price tracker across online merchants: store offers per market, price history, coupons and
the user's price alerts."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id

#: Point of sale (the tracker's market number) -> (country, currency, merchants tracked there).
MARKETS = {
    1: ("United States", "USD", ["Amazon", "Best Buy", "Walmart", "Target", "B&H Photo", "Newegg"]),
    2: ("United Kingdom", "GBP", ["Amazon UK", "Currys", "Argos", "John Lewis", "Very"]),
    3: ("Germany", "EUR", ["Amazon.de", "MediaMarkt", "Saturn", "Otto", "Cyberport"]),
    4: ("Canada", "CAD", ["Amazon.ca", "Best Buy Canada", "Walmart Canada", "Staples", "The Source"]),
}
RATE = {1: 1.0, 2: 0.82, 3: 0.95, 4: 1.36}  # local price per US dollar
#: Tracked products: (name, brand, category, typical US price).
PRODUCTS = [
    ("Sony WH-1000XM5 Wireless Headphones", "Sony", "headphones", 399), ("Bose QuietComfort Ultra Earbuds", "Bose",
     "headphones", 299), ("Apple AirPods Pro (2nd generation)", "Apple", "headphones", 249),
    ("Sennheiser Momentum 4 Wireless", "Sennheiser", "headphones", 349), ("Apple iPad Air 11-inch M2", "Apple",
     "tablets", 599), ("Samsung Galaxy Tab S9 FE", "Samsung", "tablets", 449), ("Amazon Kindle Paperwhite 16GB",
     "Amazon", "e-readers", 159), ("Kobo Clara 2E", "Kobo", "e-readers", 139), ("Nintendo Switch OLED Model",
     "Nintendo", "gaming", 349), ("PlayStation 5 Slim Digital Edition", "Sony", "gaming", 449),
    ("Xbox Series S 1TB", "Microsoft", "gaming", 349), ("Logitech MX Master 3S Mouse", "Logitech", "accessories", 99),
    ("Keychron K2 Mechanical Keyboard", "Keychron", "accessories", 89), ("Anker 737 Power Bank", "Anker",
     "accessories", 109), ("Samsung T7 Shield 2TB Portable SSD", "Samsung", "storage", 179),
    ("WD Black SN850X 2TB NVMe SSD", "Western Digital", "storage", 159), ("Dyson V15 Detect Cordless Vacuum",
     "Dyson", "home", 749), ("iRobot Roomba j7+", "iRobot", "home", 599), ("Philips Hue White and Color Starter Kit",
     "Philips", "home", 199), ("Google Nest Thermostat", "Google", "home", 129), ("Instant Pot Duo Plus 6-Quart",
     "Instant Pot", "kitchen", 129), ("Ninja AF101 Air Fryer", "Ninja", "kitchen", 99), ("Breville Bambino Plus",
     "Breville", "kitchen", 499), ("Nespresso Vertuo Next", "Nespresso", "kitchen", 179),
    ("GoPro HERO12 Black", "GoPro", "cameras", 399), ("DJI Mini 4 Pro Drone", "DJI", "cameras", 759),
    ("Canon EOS R50 Kit", "Canon", "cameras", 799), ("Garmin Forerunner 265", "Garmin", "wearables", 449),
    ("Apple Watch Series 9 41mm", "Apple", "wearables", 399), ("Fitbit Charge 6", "Fitbit", "wearables", 159),
    ("LG C3 55-inch OLED TV", "LG", "tv", 1499), ("Samsung 32-inch Odyssey G5 Monitor", "Samsung", "monitors", 299),
]
HISTORY_POINTS = 8  # one recorded price every two weeks per offer
MAX_ALERTS = 8
Period = Literal["active_now", "last_30_days", "last_90_days", "upcoming"]
PERIOD_DAYS = {"last_30_days": 30, "last_90_days": 90}
DAY = "%Y-%m-%d"

Country = Literal["United States", "United Kingdom", "Germany", "Canada"]
Market = TypedDict("Market", {"pos": int, "name": str, "currency": str, "retailers": list[str]})
Match = TypedDict("Match", {"pid": str, "name": str, "brand": str, "category": str, "markets": list[str]})
Offer = TypedDict("Offer", {"retailer": str, "price": float, "shipping": float, "total": float, "in_stock": bool})
Comparison = TypedDict("Comparison", {"pid": str, "pos": int, "name": str, "currency": str, "cheapest_retailer": str,
                                      "lowest_total": float, "retailers": list[Offer]})
TrendPoint = TypedDict("TrendPoint", {"month": str, "lowest": float, "average": float, "highest": float})
Trend = TypedDict("Trend", {"pid": str, "pos": int, "currency": str, "lowest_month": str,
                            "price_data": list[TrendPoint]})
HistoryPoint = TypedDict("HistoryPoint", {"retailer": str, "date": str, "price": float})
History = TypedDict("History", {"pid": str, "pos": int, "currency": str, "lowest_price": float, "lowest_at": str,
                                "price_history": list[HistoryPoint]})
Discount = TypedDict("Discount", {"code": str, "description": str, "percent_off": int, "amount_off": float,
                                  "min_spend": float, "starts": str, "ends": str})
Discounts = TypedDict("Discounts", {"pid": str, "pos": int, "retailer": str, "discounts": list[Discount]})
Alert = TypedDict("Alert", {"alert_id": str, "pid": str, "pos": int, "name": str, "target_price": float,
                            "currency": str, "retailer": str | None, "status": str, "lowest_now": float})


def money(cents: int) -> float:
    return round(cents / 100, 2)


class PriceComparison(World):
    """A price tracker that follows products at the big merchants of several markets (point of sale: 1 United
    States, 2 United Kingdom, 3 Germany, 4 Canada). Prices are in the market's currency. The user keeps price alerts
    that fire when a product drops to a target price."""

    domain = "Commerce"
    schema = """
    CREATE TABLE markets (pos INTEGER PRIMARY KEY, name TEXT NOT NULL, currency TEXT NOT NULL);
    CREATE TABLE products (pid TEXT PRIMARY KEY, name TEXT NOT NULL, brand TEXT NOT NULL, category TEXT NOT NULL);
    CREATE TABLE prices (pid TEXT NOT NULL, pos INTEGER NOT NULL, retailer TEXT NOT NULL,
                         price_cents INTEGER NOT NULL, shipping_cents INTEGER NOT NULL, in_stock INTEGER NOT NULL,
                         PRIMARY KEY (pid, pos, retailer));
    CREATE TABLE price_points (pid TEXT NOT NULL, pos INTEGER NOT NULL, retailer TEXT NOT NULL, day TEXT NOT NULL,
                               price_cents INTEGER NOT NULL, PRIMARY KEY (pid, pos, retailer, day));
    CREATE TABLE discounts (code TEXT NOT NULL, pid TEXT NOT NULL, pos INTEGER NOT NULL, retailer TEXT NOT NULL,
                            description TEXT NOT NULL, percent_off INTEGER NOT NULL, amount_off_cents INTEGER NOT NULL,
                            min_spend_cents INTEGER NOT NULL, starts TEXT NOT NULL, ends TEXT NOT NULL,
                            PRIMARY KEY (code, pid, pos));
    CREATE INDEX discounts_by_offer ON discounts (pid, pos, retailer, starts);
    CREATE TABLE alerts (alert_id TEXT PRIMARY KEY, pid TEXT NOT NULL, pos INTEGER NOT NULL,
                         target_cents INTEGER NOT NULL, retailer TEXT, status TEXT NOT NULL, created TEXT NOT NULL);
    CREATE INDEX alerts_by_offer ON alerts (pid, pos, status);
    """
    text_search = {"products": ("name", "brand")}
    volatile = {"alerts": ("created",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        products, offers, points, discounts, alerts = [], [], [], [], []
        today = cls.start_time.date()
        for name, brand, category, usd in PRODUCTS:
            pid = fake_id(rng, "pid_")
            products.append({"pid": pid, "name": name, "brand": brand, "category": category})
            for pos in sorted(rng.sample(list(MARKETS), rng.randint(2, 3))):
                base = usd * RATE[pos] * 100
                for retailer in sorted(rng.sample(MARKETS[pos][2], rng.randint(3, 5))):
                    price = base * rng.uniform(0.97, 1.06)
                    for step in range(HISTORY_POINTS, -1, -1):
                        if step < HISTORY_POINTS and rng.random() < 0.35:
                            price = base * rng.uniform(0.78, 1.04)
                        cents = int(price) // 100 * 100 + rng.choice([99, 95, 0, 49]) - (rng.random() < .5) * 100
                        points.append({"pid": pid, "pos": pos, "retailer": retailer, "price_cents": max(cents, 999),
                                       "day": (today - dt.timedelta(days=14 * step)).strftime(DAY)})
                    offers.append({"pid": pid, "pos": pos, "retailer": retailer,
                                   "price_cents": points[-1]["price_cents"],
                                   "shipping_cents": rng.choice([0, 0, 0, 499, 999]) if usd < 500 else 0,
                                   "in_stock": int(rng.random() < 0.85)})
                    for _ in range(rng.choice([0, 1, 1, 2])):
                        start = today + dt.timedelta(days=rng.randint(-110, 20))
                        percent = rng.choice([0, 5, 10, 15, 20])
                        off = 0 if percent else rng.choice([10, 20, 25, 50]) * 100
                        discounts.append({
                            "code": f"{fake.word().upper()}{rng.randint(5, 40)}", "pid": pid, "pos": pos,
                            "retailer": retailer, "percent_off": percent, "amount_off_cents": off,
                            "description": f"{percent}% off" if percent else f"{off // 100} {MARKETS[pos][1]} off",
                            "min_spend_cents": rng.choice([0, 0, int(base) // 10000 * 10000]),
                            "starts": start.strftime(DAY),
                            "ends": (start + dt.timedelta(days=rng.choice([3, 7, 14, 30]))).strftime(DAY)})
        watched = {o["pid"]: o for o in rng.sample(offers, 12)}
        for n, offer in enumerate(list(watched.values())[:7]):
            lowest = min(o["price_cents"] for o in offers if (o["pid"], o["pos"]) == (offer["pid"], offer["pos"]))
            alerts.append({"alert_id": fake_id(rng, "alr_"), "pid": offer["pid"], "pos": offer["pos"],
                           "target_cents": lowest * rng.randint(70, 90) // 100 // 100 * 100,
                           "retailer": rng.choice([None, offer["retailer"]]),
                           "status": "paused" if n == 6 else "active",
                           "created": str(cls.days_before_start(rng, 3, 60))})
        db["markets"].insert_all({"pos": pos, "name": m[0], "currency": m[1]} for pos, m in MARKETS.items())
        db["products"].insert_all(products)
        db["prices"].insert_all(offers)
        db["price_points"].insert_all(points)
        db["discounts"].insert_all(discounts, ignore=True)
        db["alerts"].insert_all(alerts)

    # ----------------------------------------------------------------- helpers
    def _listing(self, pid: str, pos: int) -> dict[str, Any]:
        if pos not in MARKETS:
            raise ToolError(f"unknown point of sale {pos}; use 1 (US), 2 (UK), 3 (Germany) or 4 (Canada)")
        product = self.require("SELECT * FROM products WHERE pid = ?", pid,
                               error=f"no tracked product with pid '{pid}'; get_pid_pos_details finds it by name")
        if not self.value("SELECT 1 FROM prices WHERE pid = ? AND pos = ?", pid, pos):
            raise ToolError(f"'{product['name']}' is not tracked in {MARKETS[pos][0]} (pos {pos}); "
                            "get_pid_pos_details lists the markets where it is")
        return {**product, "pos": pos, "currency": MARKETS[pos][1]}

    def _retailer(self, listing: dict[str, Any], retailer: str) -> str:
        sellers = [r["retailer"] for r in self.rows("SELECT retailer FROM prices WHERE pid = ? AND pos = ? "
                                                     "ORDER BY retailer", listing["pid"], listing["pos"])]
        found = next((s for s in sellers if s.lower() == retailer.strip().lower()), None)
        if found is None:
            raise ToolError(f"'{retailer}' does not sell '{listing['name']}' in {MARKETS[listing['pos']][0]}; "
                            f"retailers tracked there: {', '.join(sellers)}")
        return found

    def _lowest(self, pid: str, pos: int, retailer: str | None = None) -> int:
        return self.value("SELECT MIN(price_cents) FROM prices WHERE pid = ? AND pos = ? AND in_stock = 1"
                          " AND (?3 IS NULL OR retailer = ?3)", pid, pos, retailer) or 0

    def _alert(self, alert_id: str) -> Alert:
        alert = self.require("SELECT a.*, p.name FROM alerts a JOIN products p USING (pid) WHERE alert_id = ?",
                             alert_id, error=f"no price alert '{alert_id}'; list_price_alerts shows yours")
        return {"alert_id": alert_id, "pid": alert["pid"], "pos": alert["pos"], "name": alert["name"],
                "target_price": money(alert["target_cents"]), "currency": MARKETS[alert["pos"]][1],
                "retailer": alert["retailer"], "status": alert["status"],
                "lowest_now": money(self._lowest(alert["pid"], alert["pos"], alert["retailer"]))}

    # ----------------------------------------------------------------- reads
    @tool(phrase=["find {name} in the price tracker[ for {country}]", "look up {name}[ in {country}]"])
    def get_pid_pos_details(self, name: NonEmptyStr, country: Country | None = None) -> list[Match]:
        """Find tracked products by (part of) their name or brand: each one's product id (pid) and the countries
        where the tracker follows it (list_markets gives each country's point of sale number, pos).

        Args:
            name: Product name or brand, e.g. "Kindle".
            country: Only products tracked in this country.
        """
        matches, params = self.text_filter("products", name)
        found = self.rows(f"SELECT * FROM products WHERE {matches} ORDER BY name LIMIT 25", *params)
        for product in found:
            product["markets"] = [r["name"] for r in self.rows(
                "SELECT name FROM markets m WHERE EXISTS (SELECT 1 FROM prices WHERE pid = ? AND pos = m.pos)"
                " ORDER BY pos", product["pid"])]
        return [p for p in found if country is None or country in p["markets"]]

    @tool(phrase=["list the countries the tracker covers", "show which markets are tracked"])
    def list_markets(self) -> list[Market]:
        """The markets (points of sale) the tracker covers: pos number, country, currency and retailers followed.
        """
        return [{"pos": pos, "name": country, "currency": currency, "retailers": retailers}
                for pos, (country, currency, retailers) in MARKETS.items()]

    @tool(phrase=["compare the store prices of a product[ (top {max_retailers} stores)]",
                  "find the store that sells a product cheapest"])
    def compare_price(self, pid: str, pos: int, max_retailers: Annotated[int, Field(ge=1, le=10)] = 10) -> Comparison:
        """Current offers of a product in one market, cheapest total (price plus shipping) first.

        Args:
            pid: Product id from get_pid_pos_details.
            pos: Point of sale (market) number.
            max_retailers: At most this many retailers.
        """
        listing = self._listing(pid, pos)
        offers = self.rows("SELECT retailer, price_cents, shipping_cents, in_stock FROM prices WHERE pid = ?"
                           " AND pos = ?"
                           " ORDER BY in_stock DESC, price_cents + shipping_cents, retailer LIMIT ?", pid, pos,
                           max_retailers)
        best = offers[0]
        return {"pid": pid, "pos": pos, "name": listing["name"], "currency": listing["currency"],
                "cheapest_retailer": best["retailer"],
                "lowest_total": money(best["price_cents"] + best["shipping_cents"]),
                "retailers": [{"retailer": o["retailer"], "price": money(o["price_cents"]),
                               "shipping": money(o["shipping_cents"]),
                               "total": money(o["price_cents"] + o["shipping_cents"]),
                               "in_stock": bool(o["in_stock"])} for o in offers]}

    @tool(phrase=["show how a product's price has moved month by month", "check the monthly price trend of a product"])
    def price_trend(self, pid: str, pos: int) -> Trend:
        """Monthly lowest, average and highest recorded price of a product in one market, over all its retailers.

        Args:
            pid: Product id from get_pid_pos_details.
            pos: Point of sale (market) number.
        """
        listing = self._listing(pid, pos)
        rows = self.rows("SELECT substr(day, 1, 7) AS month, MIN(price_cents) AS lo, AVG(price_cents) AS mean,"
                         " MAX(price_cents) AS hi FROM price_points WHERE pid = ? AND pos = ? GROUP BY month"
                         " ORDER BY month", pid, pos)
        return {"pid": pid, "pos": pos, "currency": listing["currency"],
                "lowest_month": min(rows, key=lambda r: (r["lo"], r["month"]))["month"], "price_data": [
            {"month": r["month"], "lowest": money(r["lo"]), "average": money(round(r["mean"])),
             "highest": money(r["hi"])} for r in rows]}

    @tool(phrase=["show a product's price history[ at {retailers}]",
                  "pull up the recorded prices of a product[ at {retailers}]"])
    def get_price_history(self, pid: str, pos: int, retailers: list[NonEmptyStr] | None = None) -> History:
        """Every recorded price (one every two weeks) of a product in one market, newest first.

        Args:
            pid: Product id from get_pid_pos_details.
            pos: Point of sale (market) number.
            retailers: Only these retailers (names as compare_price shows them).
        """
        listing = self._listing(pid, pos)
        names = sorted({self._retailer(listing, r) for r in retailers}) if retailers else None
        rows = self.rows("SELECT retailer, day, price_cents FROM price_points WHERE pid = ? AND pos = ?"
                         " ORDER BY day DESC, retailer", pid, pos)
        rows = [r for r in rows if names is None or r["retailer"] in names]
        low = min(rows, key=lambda r: (r["price_cents"], r["day"]))
        return {"pid": pid, "pos": pos, "currency": listing["currency"], "lowest_price": money(low["price_cents"]),
                "lowest_at": low["retailer"], "price_history": [
                    {"retailer": r["retailer"], "date": r["day"], "price": money(r["price_cents"])} for r in rows]}

    @tool(phrase=["check the {time_period} coupons {retailer} has for a product",
                  "see which {retailer} discount codes apply to a product ({time_period})"])
    def get_discount_info(self, pid: str, pos: int, retailer: NonEmptyStr, time_period: Period) -> Discounts:
        """Coupon codes and promotions of one retailer for a product: active now, ended within the last 30 or 90
        days, or announced for later.

        Args:
            pid: Product id from get_pid_pos_details.
            pos: Point of sale (market) number.
            retailer: The retailer's name, e.g. "Best Buy".
            time_period: Which discounts: active_now, last_30_days, last_90_days or upcoming.
        """
        listing = self._listing(pid, pos)
        name, today = self._retailer(listing, retailer), self.now().strftime(DAY)
        low, high = {"active_now": (today, today), "upcoming": ("9999", "9999")}.get(time_period, (
            (self.now() - dt.timedelta(days=PERIOD_DAYS.get(time_period, 0))).strftime(DAY), today))
        rows = self.rows("SELECT * FROM discounts WHERE pid = ? AND pos = ? AND retailer = ? AND ("
                         " (?4 = 'upcoming' AND starts > ?5) OR (?4 != 'upcoming' AND starts <= ?7 AND ends >= ?6"
                         " AND (?4 = 'active_now' OR ends < ?5))) ORDER BY starts, code", pid, pos, name,
                         time_period, today, low, high)
        return {"pid": pid, "pos": pos, "retailer": name, "discounts": [
            {"code": r["code"], "description": r["description"], "percent_off": r["percent_off"],
             "amount_off": money(r["amount_off_cents"]), "min_spend": money(r["min_spend_cents"]),
             "starts": r["starts"], "ends": r["ends"]} for r in rows]}

    @tool(phrase=["show my price alerts", "list the products I am watching"])
    def list_price_alerts(self, status: Literal["active", "paused", "all"] = "active") -> list[Alert]:
        """The user's price alerts with each product's lowest in-stock price now.

        Args:
            status: Which alerts: active, paused or all.
        """
        ids = self.rows("SELECT alert_id FROM alerts WHERE ?1 = 'all' OR status = ?1 ORDER BY created, alert_id",
                        status)
        return [self._alert(r["alert_id"]) for r in ids]

    # ----------------------------------------------------------------- writes
    @tool(writes=True, phrase=["alert me when a product drops to {target_price}[ at {retailer}]",
                               "set a price alert at {target_price}[ for {retailer}] on a product",
                               "watch a product and tell me once it is {target_price} or less[ at {retailer}]"])
    def create_price_alert(self, pid: str, pos: int, target_price: Annotated[float, Field(gt=0, le=100000)],
                           retailer: NonEmptyStr | None = None) -> Alert:
        """Watch a product in one market and get alerted when an in-stock offer reaches the target price.

        The target must be below today's lowest price (otherwise buy now) and at most 8 alerts can be active.

        Args:
            pid: Product id from get_pid_pos_details.
            pos: Point of sale (market) number.
            target_price: Alert at or below this price, in the market's currency.
            retailer: Only watch this retailer.
        """
        listing = self._listing(pid, pos)
        name = self._retailer(listing, retailer) if retailer else None
        target, lowest = round(target_price * 100), self._lowest(pid, pos, name)
        if self.value("SELECT alert_id FROM alerts WHERE pid = ? AND pos = ?", pid, pos):
            raise ToolError(f"you already watch '{listing['name']}' in {MARKETS[pos][0]}; change that alert with "
                            "update_price_alert")
        if lowest and target >= lowest:
            raise ToolError(f"'{listing['name']}' already sells for {money(lowest):.2f} {listing['currency']}"
                            f"{' at ' + name if name else ''}, at or below the target; no alert needed")
        if self.value("SELECT COUNT(*) FROM alerts WHERE status = 'active'") >= MAX_ALERTS:
            raise ToolError(f"you have {MAX_ALERTS} active alerts, the most allowed; delete or pause one first")
        alert_id = self.new_id("alerts", "alr_")
        self.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, 'active', ?)", alert_id, pid, pos, target, name,
                     self.now().strftime(DAY))
        return self._alert(alert_id)

    @tool(writes=True, phrase=["change the target price of {alert_id} to {target_price}",
                               "pause {alert_id}", "turn {alert_id} back on"])
    def update_price_alert(self, alert_id: str, target_price: Annotated[float, Field(gt=0, le=100000)] | None = None,
                           status: Literal["active", "paused"] | None = None) -> Alert:
        """Change a price alert's target price, or pause or resume it.

        Args:
            alert_id: The alert's id from list_price_alerts.
            target_price: New target price, below today's lowest price.
            status: active or paused.
        """
        alert = self._alert(alert_id)
        if target_price is None and status is None:
            raise ToolError("give a new target_price or status")
        if target_price is not None and alert["lowest_now"] and target_price >= alert["lowest_now"]:
            raise ToolError(f"'{alert['name']}' already sells for {alert['lowest_now']:.2f} {alert['currency']};"
                            " the target must be lower")
        if status == "active" and alert["status"] == "paused" and self.value(
                "SELECT COUNT(*) FROM alerts WHERE status = 'active'") >= MAX_ALERTS:
            raise ToolError(f"you have {MAX_ALERTS} active alerts, the most allowed; pause or delete one first")
        self.execute("UPDATE alerts SET target_cents = COALESCE(?, target_cents), status = COALESCE(?, status)"
                     " WHERE alert_id = ?", None if target_price is None else round(target_price * 100), status,
                     alert_id)
        return self._alert(alert_id)

    @tool(writes=True, phrase=["stop watching {alert_id}", "delete {alert_id} from my alerts"])
    def delete_price_alert(self, alert_id: str) -> Alert:
        """Delete a price alert for good.

        Args:
            alert_id: The alert's id from list_price_alerts.
        """
        alert = self._alert(alert_id)
        self.execute("DELETE FROM alerts WHERE alert_id = ?", alert_id)
        return {**alert, "status": "deleted"}
