"""ZillowRealEstate: Zillow homes by zpid: Zestimates and their history, comps, search, saved homes and tour requests."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World

# city -> (state, zip codes, dollars per sq ft)
CITIES = {"Seattle": ("WA", ["98103", "98115", "98118"], 610), "Portland": ("OR", ["97202", "97212", "97217"], 390),
          "Denver": ("CO", ["80206", "80211", "80219"], 450), "Minneapolis": ("MN", ["55406", "55408", "55419"], 270),
          "Boise": ("ID", ["83702", "83705", "83709"], 330)}
HOME_TYPES = {"SINGLE_FAMILY": (1200, 3600), "CONDO": (550, 1400), "TOWNHOUSE": (1000, 2200), "MULTI_FAMILY": (1800, 3400)}
STATUSES = ["FOR_SALE"] * 4 + ["RECENTLY_SOLD"] * 3 + ["FOR_RENT"] * 2 + ["OFF_MARKET"] * 3
FEATURES = ["updated kitchen", "quartz counters", "fenced backyard", "hardwood floors", "mountain view", "new roof",
            "finished basement", "walk-in closet", "solar panels", "detached garage", "open floor plan", "deck",
            "EV charger", "mother-in-law unit", "gas fireplace", "walkable to parks", "vaulted ceilings"]
TOUR_TIMES = [f"{h:02d}:{m:02d}" for h in range(9, 19) for m in (0, 30)]
Street = Annotated[str, UserKnown, Field(min_length=3, max_length=100)]
CityStateZip = Annotated[str, UserKnown, Field(min_length=4, max_length=60)]
Zpid = Annotated[str, Field(pattern=r"^\d{6,10}$")]

Zestimate = TypedDict("Zestimate", {"zpid": str, "zestimate": int, "value_range_low": int, "value_range_high": int,
                                    "rent_zestimate": int, "last_updated": str})
Details = TypedDict("Details", {"zpid": str, "street": str, "city": str, "state": str, "zipcode": str,
                                "bedrooms": int, "bathrooms": float, "sqft": int, "lot_size": int, "year_built": int,
                                "home_type": str, "home_status": str, "price": int, "description": str})
HistoryPoint = TypedDict("HistoryPoint", {"date": str, "zestimate": int})
History = TypedDict("History", {"zpid": str, "history": list[HistoryPoint], "change": int})
Home = TypedDict("Home", {"street": str, "city_state_zip": str, "zpid": str, "home_type": str, "home_status": str,
                          "price": int, "zestimate": int, "bedrooms": int, "bathrooms": float, "sqft": int})
Comparables = TypedDict("Comparables", {"zpid": str, "comparables": list[Home]})
Search = TypedDict("Search", {"results": list[Home], "total_count": int})
Saved = TypedDict("Saved", {"zpid": str, "street": str, "saved": bool, "saved_count": int})
Tour = TypedDict("Tour", {"tour_id": str, "zpid": str, "street": str, "date": str, "time": str, "status": str})

HOME_COLUMNS = "address AS street, city_state_zip, zpid, home_type, home_status, price, zestimate, bedrooms, bathrooms, sqft"


class ZillowRealEstate(World):
    """Zillow for a signed-in home shopper: homes identified by zpid and looked up by street address plus
    'City, ST zip', Zestimates (value and rent) with monthly history, comparable recent sales, search by city with
    price, type and keyword filters, saved (hearted) homes and in-person tour requests. Dollars, whole numbers."""

    schema = """
    CREATE TABLE homes (zpid TEXT PRIMARY KEY, address TEXT NOT NULL COLLATE NOCASE, city TEXT NOT NULL COLLATE NOCASE,
                        state TEXT NOT NULL COLLATE NOCASE, zipcode TEXT NOT NULL, city_state_zip TEXT NOT NULL,
                        bedrooms INTEGER NOT NULL, bathrooms REAL NOT NULL, sqft INTEGER NOT NULL,
                        lot_size INTEGER NOT NULL, year_built INTEGER NOT NULL, home_type TEXT NOT NULL,
                        home_status TEXT NOT NULL, price INTEGER NOT NULL, zestimate INTEGER NOT NULL,
                        rent_zestimate INTEGER NOT NULL, description TEXT NOT NULL, UNIQUE (address, zipcode));
    CREATE INDEX homes_by_city ON homes (state, city, home_status, price);
    CREATE INDEX homes_by_zip ON homes (zipcode, home_status);
    CREATE TABLE zestimate_history (zpid TEXT NOT NULL REFERENCES homes, month TEXT NOT NULL,
                                    zestimate INTEGER NOT NULL, PRIMARY KEY (zpid, month));
    CREATE TABLE favorites (zpid TEXT NOT NULL REFERENCES homes, saved_on TEXT NOT NULL);
    CREATE INDEX favorites_by_home ON favorites (zpid);
    CREATE TABLE tours (tour_id TEXT PRIMARY KEY, zpid TEXT NOT NULL REFERENCES homes, date TEXT NOT NULL,
                        time TEXT NOT NULL, status TEXT NOT NULL, requested_at TEXT NOT NULL);
    CREATE INDEX tours_by_home ON tours (zpid, status);
    """
    text_search = {"homes": ("description",)}
    volatile = {"favorites": ("saved_on",), "tours": ("requested_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        homes, history, streets = [], [], set()
        first = cls.start_time.year * 12 + cls.start_time.month - 2  # months before the current one, newest first
        months = [dt.date((first - k) // 12, (first - k) % 12 + 1, 1) for k in range(12)]
        for city, (state, zips, per_sqft) in CITIES.items():
            for _ in range(26):
                kind = rng.choices(list(HOME_TYPES), weights=[6, 2, 2, 1])[0]
                street = f"{rng.randrange(100, 9999)} {fake.street_name()}" + (
                    f" #{rng.randrange(101, 640)}" if kind == "CONDO" else "")
                if street in streets:
                    continue
                streets.add(street)
                zip_code, sqft = rng.choice(zips), rng.randrange(*HOME_TYPES[kind], 10)
                value, status = sqft * per_sqft * rng.uniform(0.8, 1.25), rng.choice(STATUSES)
                rent = int(round(value * rng.uniform(0.0038, 0.005), -1))
                price = {"FOR_SALE": value * rng.uniform(0.95, 1.08), "RECENTLY_SOLD": value * rng.uniform(0.93, 1.05),
                         "FOR_RENT": rent * rng.uniform(0.97, 1.06), "OFF_MARKET": value * rng.uniform(0.55, 0.85)}
                zpid = str(rng.randrange(10**7, 3 * 10**9) // 100 * 100 + len(homes) % 100)
                words = rng.sample(FEATURES, 3)
                homes.append({"zpid": zpid, "address": street, "city": city, "state": state, "zipcode": zip_code,
                              "city_state_zip": f"{city}, {state} {zip_code}", "bedrooms": max(1, sqft // 620 + rng.randrange(0, 2)),
                              "bathrooms": rng.choice([1, 1.5, 2, 2, 2.5, 3, 3.5]), "sqft": sqft,
                              "lot_size": 0 if kind == "CONDO" else rng.randrange(2800, 12000, 100),
                              "year_built": rng.randrange(1900, 2025), "home_type": kind, "home_status": status,
                              "price": int(round(price[status], -1 if status == "FOR_RENT" else -3)),
                              "zestimate": int(round(value, -2)), "rent_zestimate": rent,
                              "description": f"{words[0].capitalize()}, {words[1]} and {words[2]}. "
                                             f"{fake.sentence(nb_words=8)}"})
                for month in months:
                    history.append({"zpid": zpid, "month": month.isoformat(), "zestimate": int(round(value, -2))})
                    value /= rng.uniform(0.99, 1.015)
        db["homes"].insert_all(homes)
        db["zestimate_history"].insert_all(history)
        open_homes = [h for h in homes if h["home_status"] in ("FOR_SALE", "FOR_RENT")]
        db["favorites"].insert_all({"zpid": h["zpid"], "saved_on": cls.days_before_start(rng, 1, 60).isoformat()}
                                     for h in rng.sample(homes, 9))
        db["tours"].insert_all({"tour_id": f"T{rng.randrange(10**6, 10**7)}", "zpid": h["zpid"],
                                "date": (cls.start_time.date() + dt.timedelta(days=rng.randrange(1, 12))).isoformat(),
                                "time": rng.choice(TOUR_TIMES), "status": rng.choice(["requested", "confirmed"]),
                                "requested_at": cls.days_before_start(rng, 1, 5).isoformat() + " 18:00"}
                               for h in rng.sample(open_homes, 5))

    # ------------------------------------------------------------------ helpers
    def _home(self, zpid: str) -> dict[str, Any]:
        return self.require("SELECT * FROM homes WHERE zpid = ?", zpid,
                            error=f"no home with zpid {zpid}; search_properties or get_property_details give zpids")

    def _lookup(self, address: str, city_state_zip: str) -> dict[str, Any]:
        """The home at a street address in 'City, ST zip' (the zip alone or 'City, ST' also narrow it down)."""
        street, place = " ".join(address.split()), " ".join(city_state_zip.replace(",", " ").split()).lower()
        for home in self.rows("SELECT * FROM homes WHERE address = ? ORDER BY zpid", street):
            parts = {home["zipcode"], f"{home['city']} {home['state']}".lower(),
                     f"{home['city']} {home['state']} {home['zipcode']}".lower()}
            if place in parts:
                return home
        raise ToolError(f"Zillow found no home at '{address}, {city_state_zip}'; give the street address and "
                        "'City, ST zip', e.g. '2114 Bigelow Ave N' and 'Seattle, WA 98109'")

    def _tour(self, tour_id: str) -> Tour:
        return self.require("SELECT tour_id, zpid, address AS street, date, time, status FROM tours JOIN homes USING (zpid)"
                            " WHERE tour_id = ?", tour_id,
                            error=f"no tour request '{tour_id}'; list_tour_requests shows yours")

    # -------------------------------------------------------------------- reads
    @tool(phrase=["get the Zestimate of {address} in {city_state_zip}", "find out what Zillow thinks {address},"
                  " {city_state_zip} is worth"])
    def get_zestimate(self, address: Street, city_state_zip: CityStateZip) -> Zestimate:
        """The current Zestimate (Zillow's estimated market value) with its range, and the Rent Zestimate.

        Args:
            address: Street address, e.g. '2114 Bigelow Ave N' (condos with the unit: '500 Pine St #304').
            city_state_zip: 'City, ST zip', e.g. 'Seattle, WA 98109'.
        """
        h = self._lookup(address, city_state_zip)
        spread = 0.04 if h["home_status"] in ("FOR_SALE", "RECENTLY_SOLD") else 0.07
        return {"zpid": h["zpid"], "zestimate": h["zestimate"],
                "value_range_low": int(round(h["zestimate"] * (1 - spread), -2)),
                "value_range_high": int(round(h["zestimate"] * (1 + spread), -2)),
                "rent_zestimate": h["rent_zestimate"], "last_updated": self.start_time.date().isoformat()}

    @tool(phrase=["look up the home facts of {address}, {city_state_zip}", "get the Zillow listing details of"
                  " {address} in {city_state_zip}"])
    def get_property_details(self, address: Street, city_state_zip: CityStateZip) -> Details:
        """Home facts and listing status: zpid, beds, baths, living area and lot (sq ft), year built, type, status
        (FOR_SALE, RECENTLY_SOLD, FOR_RENT, OFF_MARKET) and price (list, sold or monthly rent; last sale if off market).

        Args:
            address: Street address.
            city_state_zip: 'City, ST zip'.
        """
        h = self._lookup(address, city_state_zip)
        return {k: h["address" if k == "street" else k] for k in Details.__annotations__}

    @tool(phrase=["show how the Zestimate of zpid {zpid} changed over the last {months} months",
                  "get the Zestimate history of the home with zpid {zpid}"])
    def get_zestimate_history(self, zpid: Zpid, months: Annotated[int, Field(ge=2, le=12)] = 12) -> History:
        """Monthly Zestimate history of a home (up to 12 months), oldest first, with the change over the period.

        Args:
            zpid: Zillow property id.
            months: How many months back, 2-12.
        """
        self._home(zpid)
        points = self.rows("SELECT month AS date, zestimate FROM zestimate_history WHERE zpid = ? ORDER BY month DESC LIMIT ?",
                           zpid, months)[::-1]
        return {"zpid": zpid, "history": points, "change": points[-1]["zestimate"] - points[0]["zestimate"]}

    @tool(phrase=["find recent sales comparable to zpid {zpid}", "pull {count} comps for zpid {zpid}"])
    def get_comparables(self, zpid: Zpid, count: Annotated[int, Field(ge=1, le=25)] = 5) -> Comparables:
        """Recently sold homes comparable to a home: same city and home type, closest in living area first.

        Args:
            zpid: Zillow property id of the subject home.
            count: How many comparables, 1-25.
        """
        h = self._home(zpid)
        comps = self.rows(f"SELECT {HOME_COLUMNS} FROM homes WHERE state = ? AND city = ? AND home_type = ?"
                          " AND home_status = 'RECENTLY_SOLD' AND zpid != ? ORDER BY abs(sqft - ?), zpid LIMIT ?",
                          h["state"], h["city"], h["home_type"], zpid, h["sqft"], count)
        return {"zpid": zpid, "comparables": comps}

    @tool(phrase=["search Zillow for homes in {city}, {state}[ in status {status}][ of type {home_type}]"
                  "[ under {max_price} dollars][ with {min_beds}+ bedrooms][ mentioning '{keywords}']",
                  "find {home_type} homes in {city}, {state}[ with {keywords}]",
                  "look for {status} homes in {city}, {state}[ under {max_price} dollars]"])
    def search_properties(self, city: Annotated[str, UserKnown, Field(min_length=2, max_length=60)],
                          state: Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2}$")],
                          min_price: Annotated[int, Field(ge=0)] | None = None,
                          max_price: Annotated[int, Field(ge=0)] | None = None,
                          status: Literal["FOR_SALE", "FOR_RENT", "RECENTLY_SOLD"] = "FOR_SALE",
                          home_type: Literal["SINGLE_FAMILY", "CONDO", "TOWNHOUSE", "MULTI_FAMILY"] | None = None,
                          min_beds: Annotated[int, Field(ge=0, le=8)] | None = None,
                          keywords: Annotated[str, Field(min_length=2, max_length=60)] | None = None) -> Search:
        """Homes in a city by listing status, cheapest first (at most 20 shown); price is the list price, the
        sold price, or the monthly rent for FOR_RENT.

        Args:
            city: City name.
            state: Two-letter state code.
            min_price: Lowest price in dollars.
            max_price: Highest price in dollars.
            status: Listing status to search.
            home_type: Only this type of home.
            min_beds: At least this many bedrooms.
            keywords: Words the listing description must contain, e.g. 'fenced backyard'.
        """
        if min_price is not None and max_price is not None and max_price < min_price:
            raise ToolError("max_price is below min_price; swap them")
        text, params = self.text_filter("homes", keywords) if keywords else ("1", ())
        where = (f" FROM homes WHERE state = ? AND city = ? AND home_status = ? AND {text} AND price >= ? AND price <= ?"
                 " AND (? IS NULL OR home_type = ?) AND bedrooms >= ?")
        args = (state, city.strip(), status, *params, min_price or 0, max_price or 10**10, home_type, home_type,
                min_beds or 0)
        return {"results": self.rows(f"SELECT {HOME_COLUMNS}{where} ORDER BY price, zpid LIMIT 20", *args),
                "total_count": self.value(f"SELECT COUNT(*){where}", *args)}

    @tool(phrase=["show the homes I saved on Zillow", "list my hearted homes"])
    def get_saved_homes(self) -> list[Home]:
        """The homes the user saved (hearted), most recently saved first."""
        return self.rows(f"SELECT {HOME_COLUMNS} FROM favorites s JOIN homes h USING (zpid)"
                         " ORDER BY s.saved_on DESC, zpid")

    @tool(phrase=["show my tour requests", "list the home tours I asked for"])
    def list_tour_requests(self, status: Literal["requested", "confirmed", "cancelled"] | None = None) -> list[Tour]:
        """The user's in-person tour requests, soonest first.

        Args:
            status: Only tours in this status.
        """
        return self.rows("SELECT tour_id, zpid, address AS street, date, time, status FROM tours JOIN homes USING (zpid)"
                         " WHERE ?1 IS NULL OR status = ?1 ORDER BY date, time, tour_id", status)

    # ------------------------------------------------------------------- writes
    @tool(writes=True, phrase=["save the home with zpid {zpid} to my Zillow favorites", "heart zpid {zpid} on Zillow"])
    def save_favorite(self, zpid: Zpid) -> Saved:
        """Save (heart) a home so it shows under saved homes and its updates are emailed.

        Args:
            zpid: Zillow property id.
        """
        h = self._home(zpid)
        if self.row("SELECT 1 FROM favorites WHERE zpid = ?", zpid):
            raise ToolError(f"{h['address']} is already in your saved homes")
        self.execute("INSERT INTO favorites VALUES (?, ?)", zpid, self.now().strftime("%Y-%m-%d %H:%M"))
        return {"zpid": zpid, "street": h["address"], "saved": True,
                "saved_count": self.value("SELECT COUNT(*) FROM favorites")}

    @tool(writes=True, phrase=["unsave zpid {zpid} on Zillow", "take the home with zpid {zpid} off my saved homes"])
    def remove_favorite(self, zpid: Zpid) -> Saved:
        """Remove a home from the saved homes.

        Args:
            zpid: Zillow property id.
        """
        h = self._home(zpid)
        if not self.execute("DELETE FROM favorites WHERE zpid = ?", zpid):
            raise ToolError(f"{h['address']} is not in your saved homes")
        return {"zpid": zpid, "street": h["address"], "saved": False,
                "saved_count": self.value("SELECT COUNT(*) FROM favorites")}

    @tool(writes=True, phrase=["request a tour of the home with zpid {zpid} on {date} at {time}",
                               "book an in-person showing of zpid {zpid} for {date} at {time}"])
    def request_tour(self, zpid: Zpid, date: Annotated[str, UserKnown, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")],
                     time: Annotated[str, UserKnown, Field(pattern=r"^(09|1[0-8]):(00|30)$")]) -> Tour:
        """Ask the listing agent for an in-person tour of a home for sale or for rent, 1 to 14 days ahead,
        between 09:00 and 18:30 on the hour or half hour. One open request per home.

        Args:
            zpid: Zillow property id.
            date: Day of the tour, YYYY-MM-DD.
            time: Start time, HH:MM (24-hour).
        """
        h = self._home(zpid)
        if h["home_status"] not in ("FOR_SALE", "FOR_RENT"):
            raise ToolError(f"{h['address']} is {h['home_status']}; tours can only be requested for homes for sale or rent")
        today = self.now().date()
        if not 1 <= (dt.date.fromisoformat(date) - today).days <= 14:
            raise ToolError(f"tours can be requested 1 to 14 days ahead ({today + dt.timedelta(days=1)} to "
                            f"{today + dt.timedelta(days=14)}); {date} is outside that window")
        if taken := self.value("SELECT tour_id FROM tours WHERE zpid = ? AND status != 'cancelled'", zpid):
            raise ToolError(f"you already have tour request {taken} for {h['address']}; cancel it to pick another time")
        tour_id = self.new_id("tours", "T")
        self.execute("INSERT INTO tours VALUES (?, ?, ?, ?, 'requested', ?)", tour_id, zpid, date, time,
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return self._tour(tour_id)

    @tool(writes=True, phrase=["cancel {tour_id}", "call off {tour_id}"])
    def cancel_tour(self, tour_id: Annotated[str, Field(min_length=2, max_length=20)]) -> Tour:
        """Cancel a tour request (requested or confirmed).

        Args:
            tour_id: The tour request's id (from list_tour_requests).
        """
        if self._tour(tour_id)["status"] == "cancelled":
            raise ToolError(f"tour request {tour_id} is already cancelled")
        self.execute("UPDATE tours SET status = 'cancelled' WHERE tour_id = ?", tour_id)
        return self._tour(tour_id)
