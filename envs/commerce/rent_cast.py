"""RentCast: US property records, value and rent estimates, sale and rental listings, zip-code market statistics."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, kept_prepared

# city -> (state, zip codes, sale price per sq ft, monthly rent per sq ft)
MARKETS = {"San Antonio": ("TX", ["78209", "78230", "78244"], 175, 1.15),
           "Phoenix": ("AZ", ["85008", "85016", "85032"], 285, 1.35),
           "Atlanta": ("GA", ["30306", "30318", "30331"], 250, 1.45),
           "Nashville": ("TN", ["37206", "37211", "37215"], 310, 1.5),
           "Charlotte": ("NC", ["28203", "28210", "28269"], 240, 1.3)}
TYPES = {"Single Family": (1100, 3200), "Condo": (600, 1400), "Townhouse": (1000, 2100), "Multi-Family": (1800, 3600)}
LISTING_TYPES = ["Standard", "Standard", "Standard", "New Construction", "Foreclosure", "Short Sale"]
MONTHS = [f"{2025 + (m >= 12)}-{m % 12 + 1:02d}" for m in range(2, 14)]  # 2025-03 .. 2026-02
MAX_PORTFOLIO, MAX_SEARCHES = 15, 5
FullAddress = Annotated[str, UserKnown, Field(min_length=8, max_length=150)]
City = Annotated[str, UserKnown, Field(min_length=2, max_length=60)]
State = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2}$")]
Price = Annotated[int, Field(ge=0, le=20_000_000)]
Rent = Annotated[int, Field(ge=0, le=50_000)]

PropertyRecord = TypedDict("PropertyRecord", {"id": str, "address": str, "city": str, "state": str, "zipcode": str,
                                              "bedrooms": int, "bathrooms": float, "sqft": int, "year_built": int,
                                              "property_type": str, "owner_name": str})
Estimate = TypedDict("Estimate", {"id": str, "estimated_value": int, "value_range_low": int, "value_range_high": int,
                                  "confidence_score": float, "valuation_date": str})
RentEstimate = TypedDict("RentEstimate", {"id": str, "rent": int, "rent_range_low": int, "rent_range_high": int,
                                          "comparable_count": int})
SaleListing = TypedDict("SaleListing", {"id": str, "address": str, "price": int, "listing_type": str,
                                        "property_type": str, "bedrooms": int, "bathrooms": float, "sqft": int,
                                        "listed_date": str, "days_on_market": int})
RentalListing = TypedDict("RentalListing", {"id": str, "address": str, "rent": int, "property_type": str,
                                            "bedrooms": int, "bathrooms": float, "sqft": int, "listed_date": str,
                                            "days_on_market": int})
SaleListings = TypedDict("SaleListings", {"total": int, "listings": list[SaleListing]})
RentalListings = TypedDict("RentalListings", {"total": int, "listings": list[RentalListing]})
Market = TypedDict("Market", {"zip_code": str, "month": str, "average_sale_price": int, "average_rent": int,
                              "price_per_sqft": float, "inventory_count": int, "days_on_market_avg": int})
Holding = TypedDict("Holding", {"id": str, "address": str, "purchase_price": int, "purchase_date": str,
                                "monthly_rent": int | None, "estimated_value": int, "equity": int})
Portfolio = TypedDict("Portfolio", {"properties": list[Holding], "total_value": int, "total_equity": int})
SavedSearch = TypedDict("SavedSearch", {"search_id": str, "name": str, "listing_type": str, "city": str,
                                        "state": str, "min_price": int | None, "max_price": int | None,
                                        "created": str})
Removed = TypedDict("Removed", {"id": str, "removed": bool})


def slug(address: str) -> str:
    """RentCast's property id: the formatted address with spaces as dashes."""
    return address.replace(" ", "-")


class RentCast(World):
    """RentCast real-estate data for a landlord's account: property records, value (AVM) and long-term rent
    estimates, active sale and rental listings, monthly zip-code market statistics, a tracked portfolio and
    saved listing searches. Addresses are full ('5500 Grand Lake Dr, San Antonio, TX 78244'); a property's id
    is its address with dashes. Prices and rents are whole US dollars."""

    schema = """
    CREATE TABLE properties (id TEXT PRIMARY KEY, address TEXT NOT NULL UNIQUE COLLATE NOCASE,
                             city TEXT NOT NULL COLLATE NOCASE, state TEXT NOT NULL COLLATE NOCASE,
                             zipcode TEXT NOT NULL, bedrooms INTEGER NOT NULL, bathrooms REAL NOT NULL,
                             sqft INTEGER NOT NULL, year_built INTEGER NOT NULL, property_type TEXT NOT NULL,
                             owner_name TEXT NOT NULL, value INTEGER NOT NULL, confidence REAL NOT NULL,
                             rent INTEGER NOT NULL, comparables INTEGER NOT NULL);
    CREATE INDEX properties_by_city ON properties (state, city);
    CREATE TABLE sale_listings (id TEXT PRIMARY KEY REFERENCES properties, price INTEGER NOT NULL,
                                status TEXT NOT NULL, listing_type TEXT NOT NULL, listed_date TEXT NOT NULL);
    CREATE INDEX sale_by_price ON sale_listings (status, price);
    CREATE TABLE rental_listings (id TEXT PRIMARY KEY REFERENCES properties, rent INTEGER NOT NULL,
                                  status TEXT NOT NULL, listed_date TEXT NOT NULL);
    CREATE INDEX rental_by_rent ON rental_listings (status, rent);
    CREATE TABLE markets (zip_code TEXT NOT NULL, month TEXT NOT NULL, average_sale_price INTEGER NOT NULL,
                          average_rent INTEGER NOT NULL, price_per_sqft REAL NOT NULL, inventory_count INTEGER NOT NULL,
                          days_on_market_avg INTEGER NOT NULL, PRIMARY KEY (zip_code, month));
    CREATE TABLE portfolio (id TEXT PRIMARY KEY REFERENCES properties, purchase_price INTEGER NOT NULL,
                            purchase_date TEXT NOT NULL, monthly_rent INTEGER);
    CREATE TABLE saved_searches (search_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                                 listing_type TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL,
                                 min_price INTEGER, max_price INTEGER, created TEXT NOT NULL);
    """
    volatile = {"saved_searches": ("created",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        props, sales, rentals, markets, addresses = [], [], [], [], set()
        for city, (state, zips, per_sqft, rent_sqft) in MARKETS.items():
            for zip_code in zips:
                local = rng.uniform(0.8, 1.25)
                for _ in range(7):
                    kind = rng.choices(list(TYPES), weights=[6, 2, 2, 1])[0]
                    unit = f" Apt {rng.randrange(1, 30)}{rng.choice('ABCD')}" if kind == "Condo" else ""
                    address = f"{rng.randrange(100, 9900)} {fake.street_name()}{unit}, {city}, {state} {zip_code}"
                    if address in addresses:
                        continue
                    addresses.add(address)
                    sqft = rng.randrange(*TYPES[kind], 10)
                    value = int(round(sqft * per_sqft * local * rng.uniform(0.85, 1.2), -3))
                    rent = int(round(sqft * rent_sqft * local * rng.uniform(0.9, 1.1), -1))
                    owner = fake.name() if rng.random() < 0.75 else f"{fake.last_name()} Holdings LLC"
                    props.append({"id": slug(address), "address": address, "city": city, "state": state,
                                  "zipcode": zip_code, "bedrooms": max(1, sqft // 600 + rng.randrange(0, 2)),
                                  "bathrooms": rng.choice([1, 1.5, 2, 2, 2.5, 3]), "sqft": sqft,
                                  "year_built": rng.randrange(1950, 2025), "property_type": kind,
                                  "owner_name": owner, "value": value, "confidence": round(rng.uniform(0.6, 0.97), 2),
                                  "rent": rent, "comparables": rng.randrange(6, 25)})
                    listed = lambda: cls.days_before_start(rng, 1, 120).isoformat()  # noqa: E731
                    if rng.random() < 0.45:
                        sales.append({"id": slug(address), "price": int(round(value * rng.uniform(0.95, 1.1), -3)),
                                      "status": rng.choice(["Active"] * 4 + ["Inactive"]),
                                      "listing_type": rng.choice(LISTING_TYPES), "listed_date": listed()})
                    elif rng.random() < 0.7:
                        rentals.append({"id": slug(address), "rent": int(round(rent * rng.uniform(0.95, 1.1), -1)),
                                        "status": rng.choice(["Active"] * 4 + ["Inactive"]), "listed_date": listed()})
                price, rent_level = per_sqft * local * 1700, rent_sqft * local * 1300
                for month in MONTHS:
                    price, rent_level = price * rng.uniform(0.985, 1.02), rent_level * rng.uniform(0.99, 1.015)
                    markets.append({"zip_code": zip_code, "month": month, "average_sale_price": int(round(price, -3)),
                                    "average_rent": int(round(rent_level, -1)),
                                    "price_per_sqft": round(price / 1700, 2), "inventory_count": rng.randrange(25, 240),
                                    "days_on_market_avg": rng.randrange(18, 75)})
        db["properties"].insert_all(props)
        db["sale_listings"].insert_all(sales)
        db["rental_listings"].insert_all(rentals)
        db["markets"].insert_all(markets)
        db["portfolio"].insert_all({"id": p["id"], "purchase_price": int(round(p["value"] * rng.uniform(0.6, 0.95), -3)),
                                    "purchase_date": cls.days_before_start(rng, 200, 3000).isoformat(),
                                    "monthly_rent": p["rent"] if rng.random() < 0.7 else None}
                                   for p in rng.sample(props, 6))
        for kind, city, top in [("sale", rng.choice(list(MARKETS)), 400000), ("rental", rng.choice(list(MARKETS)), 2500)]:
            db["saved_searches"].insert({
                "search_id": f"ss_{rng.randrange(16**8):08x}", "listing_type": kind, "city": city,
                "name": f"{city} under {top // 1000}k" if kind == "sale" else f"{city} rentals",
                "state": MARKETS[city][0], "min_price": None, "max_price": top,
                "created": f"{cls.days_before_start(rng, 5, 90)} 08:00"})

    # ------------------------------------------------------------------ helpers
    def _record(self, address: str, columns: str = "*") -> dict[str, Any]:
        """The property at a full address (or with that id): its ``columns`` (SQL over ``properties``)."""
        text = " ".join(address.split()).replace(" ,", ",")
        found = self.row(f"SELECT {columns} FROM properties WHERE address = ? OR id = ?", text, text)
        if found is None:
            raise ToolError(f"no property record for '{address}'; give the full address as 'Street, City, State Zip',"
                            " e.g. '5500 Grand Lake Dr, San Antonio, TX 78244'")
        return found

    def _holding(self, row: dict[str, Any]) -> Holding:
        return {"id": row["id"], "address": row["address"], "purchase_price": row["purchase_price"],
                "purchase_date": row["purchase_date"], "monthly_rent": row["monthly_rent"],
                "estimated_value": row["value"], "equity": row["value"] - row["purchase_price"]}

    def _days_on_market(self, listed: str) -> int:
        return (self.start_time.date() - dt.date.fromisoformat(listed)).days

    @staticmethod
    def _check_range(low: int | None, high: int | None) -> None:
        if low is not None and high is not None and high < low:
            raise ToolError(f"the maximum ({high}) is below the minimum ({low}); swap them or widen the range")

    @staticmethod
    def _unknown_city(city: str, state: str) -> ToolError:
        return ToolError(f"RentCast has no data for '{city}, {state.upper()}'; check the city and the 2-letter state")

    def _search(self, kind: str, city: str, state: str, low: int | None, high: int | None,
                bedrooms: int | None, limit: int) -> tuple[int, list[dict[str, Any]]]:
        self._check_range(low, high)
        if not self.row("SELECT 1 FROM properties WHERE city = ? AND state = ?", city.strip(), state):
            raise self._unknown_city(city, state)
        price = "price" if kind == "sale" else "rent"
        where = (f" FROM {kind}_listings l JOIN properties p USING (id) WHERE l.status = 'Active' AND p.city = ?1"
                 f" AND p.state = ?2 AND (?3 IS NULL OR l.{price} >= ?3) AND (?4 IS NULL OR l.{price} <= ?4)"
                 " AND (?5 IS NULL OR p.bedrooms >= ?5)")
        params = (city.strip(), state, low, high, bedrooms)
        rows = self.rows(f"SELECT l.*, p.address, p.property_type, p.bedrooms, p.bathrooms, p.sqft{where}"
                         f" ORDER BY l.{price}, l.id LIMIT {limit}", *params)
        for r in rows:
            r.pop("status")
            r["days_on_market"] = self._days_on_market(r["listed_date"])
        return self.value(f"SELECT COUNT(*){where}", *params), rows

    # -------------------------------------------------------------------- reads
    @tool(phrase=["look up the property record of {address}", "find out who owns {address}"])
    def get_property_by_address(self, address: FullAddress) -> PropertyRecord:
        """Public-record details of a property: owner, bedrooms, bathrooms, square footage, year built, type.

        Args:
            address: Full address, 'Street, City, State Zip' (a unit goes after the street: '12 Oak St Apt 4B').
        """
        p = self._record(address)
        return {k: p[k] for k in PropertyRecord.__annotations__}

    @tool(phrase=["get RentCast's value estimate for {address}", "find out what {address} would sell for"])
    def get_property_valuation(self, address: FullAddress) -> Estimate:
        """Automated value estimate (AVM) of a property with its range and a confidence score between 0 and 1.

        Args:
            address: Full address, 'Street, City, State Zip'.
        """
        p = self._record(address)
        spread = p["value"] * (1 - p["confidence"]) / 2
        return {"id": p["id"], "estimated_value": p["value"], "value_range_low": int(round(p["value"] - spread, -3)),
                "value_range_high": int(round(p["value"] + spread, -3)), "confidence_score": p["confidence"],
                "valuation_date": self.start_time.date().isoformat()}

    @tool(phrase=["estimate the monthly long-term rent of {address}", "find out how much rent {address} could get"])
    def get_rent_estimate(self, address: FullAddress) -> RentEstimate:
        """Long-term monthly rent estimate of a property, from comparable rentals nearby.

        Args:
            address: Full address, 'Street, City, State Zip'.
        """
        p = self._record(address)
        return {"id": p["id"], "rent": p["rent"], "rent_range_low": int(round(p["rent"] * 0.9, -1)),
                "rent_range_high": int(round(p["rent"] * 1.1, -1)), "comparable_count": p["comparables"]}

    @tool(phrase=["find homes for sale in {city}, {state}[ up to {max_price} dollars]",
                  "search active sale listings in {city}, {state}[ with at least {bedrooms} bedrooms]"])
    def search_sale_listings(self, city: City, state: State, min_price: Price | None = None,
                             max_price: Price | None = None, bedrooms: Annotated[int, Field(ge=0, le=10)] | None = None,
                             limit: Annotated[int, Field(ge=1, le=50)] = 10) -> SaleListings:
        """Active for-sale listings in a city, cheapest first.

        Args:
            city: City name, e.g. 'Phoenix'.
            state: Two-letter state code, e.g. 'AZ'.
            min_price: Lowest asking price in dollars.
            max_price: Highest asking price in dollars.
            bedrooms: At least this many bedrooms.
            limit: At most this many listings, 1-50.
        """
        total, rows = self._search("sale", city, state, min_price, max_price, bedrooms, limit)
        return {"total": total, "listings": rows}

    @tool(phrase=["find rentals in {city}, {state}[ with {bedrooms}+ bedrooms]",
                  "search long-term rental listings in {city}, {state}[ with at least {bedrooms} bedrooms]"])
    def search_rental_listings(self, city: City, state: State, min_rent: Rent | None = None,
                               max_rent: Rent | None = None, bedrooms: Annotated[int, Field(ge=0, le=10)] | None = None,
                               limit: Annotated[int, Field(ge=1, le=50)] = 10) -> RentalListings:
        """Active long-term rental listings in a city, cheapest rent first.

        Args:
            city: City name.
            state: Two-letter state code.
            min_rent: Lowest monthly rent in dollars.
            max_rent: Highest monthly rent in dollars.
            bedrooms: At least this many bedrooms.
            limit: At most this many listings, 1-50.
        """
        total, rows = self._search("rental", city, state, min_rent, max_rent, bedrooms, limit)
        return {"total": total, "listings": rows}

    @tool(phrase=["get the market statistics of zip code {zip_code}[ for {month}]",
                  "check average prices and rents in {zip_code}[ in {month}]"])
    def get_market_data(self, zip_code: Annotated[str, UserKnown, Field(pattern=r"^\d{5}$")],
                        month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")] | None = None) -> Market:
        """Monthly market statistics of a zip code: average sale price and rent, price per sq ft, inventory and
        days on market. Months 2025-03 to 2026-02 are on file (default: the latest).

        Args:
            zip_code: Five-digit US zip code.
            month: Month as YYYY-MM.
        """
        if not self.row("SELECT 1 FROM markets WHERE zip_code = ?", zip_code):
            raise ToolError(f"no market data for zip code {zip_code}")
        return self.require("SELECT * FROM markets WHERE zip_code = ? AND month = ?", zip_code, month or MONTHS[-1],
                            error=f"no statistics for {month}; months {MONTHS[0]} to {MONTHS[-1]} are available")

    @tool(phrase=["show my RentCast portfolio", "how much equity do I have across my tracked properties"])
    def get_portfolio(self) -> Portfolio:
        """The properties tracked in the account's portfolio with current value and equity, and the totals."""
        rows = [self._holding(r) for r in self.rows(
            "SELECT * FROM portfolio CROSS JOIN properties USING (id) ORDER BY address")]  # held ones, by key
        return {"properties": rows, "total_value": sum(r["estimated_value"] for r in rows),
                "total_equity": sum(r["equity"] for r in rows)}

    @tool(phrase=["list my saved listing searches"])
    def list_saved_searches(self) -> list[SavedSearch]:
        """The account's saved listing searches (RentCast emails new matches)."""
        return self.rows("SELECT * FROM saved_searches ORDER BY name")

    # ------------------------------------------------------------------- writes
    @tool(writes=True, phrase=["add {address} to my portfolio, bought on {purchase_date} for {purchase_price}"
                               "[, renting at {monthly_rent} a month]",
                               "track {address} in my portfolio (purchase price {purchase_price}, date {purchase_date})"])
    def add_to_portfolio(self, address: FullAddress, purchase_price: Annotated[int, Field(ge=1000, le=20_000_000)],
                         purchase_date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")],
                         monthly_rent: Rent | None = None) -> Holding:
        """Track a property in the portfolio (at most 15) to follow its value and equity.

        Args:
            address: Full address, 'Street, City, State Zip'.
            purchase_price: What was paid, in dollars.
            purchase_date: Purchase date, YYYY-MM-DD (not in the future).
            monthly_rent: Current rent collected, in dollars a month.
        """
        # the property, whether it is tracked already and the portfolio's size, in one query
        p = self._record(address, "id, address, value,"
                                  " EXISTS (SELECT 1 FROM portfolio t WHERE t.id = properties.id) AS tracked,"
                                  " (SELECT COUNT(*) FROM portfolio) AS tracked_count")
        today = self.now().date()
        if purchase_date > today.isoformat():
            raise ToolError(f"purchase_date {purchase_date} is in the future; give the date the property was bought")
        if p["tracked"]:
            raise ToolError(f"{p['address']} is already in the portfolio")
        if p["tracked_count"] >= MAX_PORTFOLIO:
            raise ToolError(f"the portfolio already tracks {MAX_PORTFOLIO} properties, the plan's limit; remove one first")
        self.execute("INSERT INTO portfolio VALUES (?, ?, ?, ?)", p["id"], purchase_price, purchase_date, monthly_rent)
        # the new holding as get_portfolio reads it back
        return self._holding({**p, "purchase_price": purchase_price, "purchase_date": purchase_date,
                              "monthly_rent": monthly_rent})

    @tool(writes=True, phrase=["stop tracking {property_id} in my portfolio", "remove {property_id} from my portfolio"])
    def remove_from_portfolio(self, property_id: Annotated[str, Field(min_length=8, max_length=160)]) -> Removed:
        """Stop tracking a property in the portfolio.

        Args:
            property_id: The property's RentCast id (its address with dashes, as get_portfolio shows it).
        """
        if not self.execute("DELETE FROM portfolio WHERE id = ?", property_id):
            raise ToolError(f"'{property_id}' is not in the portfolio; get_portfolio lists the tracked properties")
        return {"id": property_id, "removed": True}

    @tool(writes=True, phrase=["save a {listing_type} search called {name} for {city}, {state}[ up to {max_price}]",
                               "alert me about new {listing_type} listings in {city}, {state}[ up to {max_price} dollars], as a saved"
                               " search named {name}"])
    def save_search(self, name: Annotated[str, Field(min_length=1, max_length=50, pattern=r"\S")],
                    listing_type: Literal["sale", "rental"], city: City, state: State,
                    min_price: Price | None = None, max_price: Price | None = None) -> SavedSearch:
        """Save a listing search to get alerts of new matches (at most 5 saved searches; names are unique).

        Args:
            name: A name for the search.
            listing_type: 'sale' for homes for sale, 'rental' for long-term rentals.
            city: City name.
            state: Two-letter state code.
            min_price: Lowest price (monthly rent for rentals), in dollars.
            max_price: Highest price (monthly rent for rentals), in dollars.
        """
        # the checks of a search (its listings are not needed), the name's and the count's checks and the
        # city's spelling on file, in one query
        self._check_range(min_price, max_price)
        known, taken, count, city_name = self.conn.execute(kept_prepared(
            "SELECT EXISTS (SELECT 1 FROM properties WHERE city = ?1 AND state = ?2),"
            " EXISTS (SELECT 1 FROM saved_searches WHERE name = ?3), (SELECT COUNT(*) FROM saved_searches),"
            " (SELECT city FROM properties WHERE city = ?1)"),
            (city.strip(), state, name.strip())).fetchone()
        if not known:
            raise self._unknown_city(city, state)
        if taken:
            raise ToolError(f"a saved search named '{name.strip()}' already exists; choose another name")
        if count >= MAX_SEARCHES:
            raise ToolError(f"you already have {MAX_SEARCHES} saved searches; delete one before saving another")
        search_id = self.new_id("saved_searches", "ss_")
        created = self.now().strftime("%Y-%m-%d %H:%M")
        self.execute("INSERT INTO saved_searches VALUES (?, ?, ?, ?, ?, ?, ?, ?)", search_id, name.strip(), listing_type,
                     city_name, state.upper(), min_price, max_price, created)
        # the stored row as it reads back
        return {"search_id": search_id, "name": name.strip(), "listing_type": listing_type, "city": city_name,
                "state": state.upper(), "min_price": min_price, "max_price": max_price, "created": created}

    @tool(writes=True, phrase=["delete {search_id}", "stop the alerts of {search_id}"])
    def delete_saved_search(self, search_id: Annotated[str, Field(min_length=1, max_length=40)]) -> Removed:
        """Delete a saved listing search.

        Args:
            search_id: The saved search's id (from list_saved_searches).
        """
        if not self.execute("DELETE FROM saved_searches WHERE search_id = ?", search_id):
            raise ToolError(f"no saved search '{search_id}'; list_saved_searches shows the ids")
        return {"id": search_id, "removed": True}
