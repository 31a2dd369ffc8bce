"""AirDNA: short-term rental analytics: markets, Airbnb listings with trailing-year ADR, occupancy and revenue,
rental estimates for an address, smart nightly rates, and the analyst's saved markets and comp sets."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World
from envs.travel.cities import parse_date

# city, state, base ADR (USD), base occupancy, seasonal peak months
MARKETS = [
    ("Austin", "TX", 212, 0.58, (3, 10)), ("Nashville", "TN", 248, 0.64, (4, 6, 10)), ("Miami", "FL", 265, 0.61, (1, 2, 3)),
    ("Orlando", "FL", 198, 0.66, (3, 6, 7)), ("Denver", "CO", 174, 0.62, (6, 7, 8)), ("Scottsdale", "AZ", 305, 0.55, (1, 2, 3)),
    ("San Diego", "CA", 281, 0.70, (6, 7, 8)), ("Asheville", "NC", 189, 0.60, (6, 10)), ("Savannah", "GA", 203, 0.63, (3, 4, 10)),
    ("New Orleans", "LA", 231, 0.57, (2, 3, 10)), ("Gatlinburg", "TN", 226, 0.59, (6, 7, 10)),
    ("Park City", "UT", 412, 0.47, (1, 2, 12)), ("Charleston", "SC", 259, 0.65, (4, 5, 10)),
    ("Santa Fe", "NM", 196, 0.54, (7, 8, 9)), ("Portland", "OR", 157, 0.61, (7, 8)), ("Chicago", "IL", 183, 0.63, (6, 7, 8)),
    ("Palm Springs", "CA", 338, 0.52, (1, 2, 3)), ("Destin", "FL", 354, 0.56, (6, 7)),
]
MARKET_IDS = {(city, state): f"mkt_{state.lower()}_{city.lower().replace(' ', '_')}" for city, state, *_ in MARKETS}
KINDS = ["Condo", "Bungalow", "Loft", "Cottage", "Townhouse", "Cabin", "Studio", "Farmhouse", "Villa", "Apartment"]
HOOKS = ["Cozy", "Sunny", "Modern", "Charming", "Historic", "Stylish", "Quiet", "Spacious", "Rustic", "Bright"]
PERKS = ["with Hot Tub", "near Downtown", "with Rooftop Deck", "by the Water", "with Fire Pit", "with Pool",
         "Walk to Everything", "with Mountain Views", "with Free Parking", "with Garden Patio"]
WEEKDAY_FACTOR = (0.88, 0.86, 0.87, 0.93, 1.16, 1.24, 1.01)  # Monday first
MarketId = Annotated[str, Field(pattern=r"^mkt_[a-z_]+$")]
PropertyId = Annotated[str, Field(pattern=r"^\d{6,10}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]

MarketHit = TypedDict("MarketHit", {"market_id": str, "city": str, "state": str, "active_listings": int})
Markets = TypedDict("Markets", {"markets": list[MarketHit]})
Market = TypedDict("Market", {"market_id": str, "city": str, "state": str, "market_score": int, "average_adr": float,
                              "average_occupancy": float, "active_listings": int, "revpar": float})
Listing = TypedDict("Listing", {"property_id": str, "market_id": str, "title": str, "address": str, "bedrooms": int,
                                "bathrooms": int, "revenue_ltm": float, "occupancy_ltm": float, "adr_ltm": float,
                                "number_of_reviews": int, "rating": float})
Estimate = TypedDict("Estimate", {"address": str, "market_id": str, "bedrooms": int, "bathrooms": int,
                                  "estimated_revenue": float, "average_daily_rate": float, "occupancy_rate": float,
                                  "confidence_score": float, "comparables": int})
Rate = TypedDict("Rate", {"date": str, "recommended_rate": float, "min_rate": float, "demand": str})
Rates = TypedDict("Rates", {"property_id": str, "recommendations": list[Rate]})
Saved = TypedDict("Saved", {"market_id": str, "city": str, "state": str, "note": str, "saved_at": str})
CompSet = TypedDict("CompSet", {"comp_set_id": str, "name": str, "market_id": str, "listings": list[Listing],
                                "average_adr": float, "average_occupancy": float, "average_revenue": float})


def mean(values: list[float], digits: int = 2) -> float:
    return round(sum(values) / len(values), digits) if values else 0.0


class AirDNA(World):
    """AirDNA short-term rental analytics for US vacation-rental markets. Money is in US dollars; occupancy is a
    fraction of nights booked (0.62 = 62%) over the last twelve months (LTM); ADR is the average daily rate."""

    schema = """
    CREATE TABLE markets (market_id TEXT PRIMARY KEY, city TEXT NOT NULL, state TEXT NOT NULL,
                          market_score INTEGER NOT NULL, peak_months TEXT NOT NULL);
    CREATE TABLE listings (property_id TEXT PRIMARY KEY, market_id TEXT NOT NULL REFERENCES markets, title TEXT NOT NULL,
                           address TEXT NOT NULL, bedrooms INTEGER NOT NULL, bathrooms INTEGER NOT NULL,
                           revenue_ltm REAL NOT NULL, occupancy_ltm REAL NOT NULL, adr_ltm REAL NOT NULL,
                           number_of_reviews INTEGER NOT NULL, rating REAL NOT NULL);
    CREATE INDEX listings_by_market ON listings (market_id, bedrooms);
    CREATE TABLE saved_markets (market_id TEXT PRIMARY KEY REFERENCES markets, note TEXT NOT NULL, saved_at TEXT NOT NULL);
    CREATE TABLE comp_sets (comp_set_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, market_id TEXT NOT NULL REFERENCES markets);
    CREATE TABLE comp_set_listings (comp_set_id TEXT NOT NULL REFERENCES comp_sets, property_id TEXT NOT NULL
                                    REFERENCES listings, PRIMARY KEY (comp_set_id, property_id));
    """
    text_search = {"markets": ("city", "state")}
    volatile = {"saved_markets": ("saved_at",)}
    MAX_SAVED, MAX_COMPS = 8, 10

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        markets, listings = [], []
        for city, state, adr, occupancy, peaks in MARKETS:
            market_id = MARKET_IDS[city, state]
            markets.append({"market_id": market_id, "city": city, "state": state, "market_score": rng.randint(48, 96),
                            "peak_months": ",".join(map(str, peaks))})
            titles: set[str] = set()
            for _ in range(rng.randint(9, 16)):
                bedrooms = rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 4, 2, 1])[0]
                title = f"{rng.choice(HOOKS)} {bedrooms}BR {rng.choice(KINDS)} {rng.choice(PERKS)}"
                if title in titles:
                    continue
                titles.add(title)
                nightly = round(adr * (0.55 + 0.32 * bedrooms) * rng.uniform(0.8, 1.25), 2)
                occ = round(min(0.92, max(0.25, occupancy + rng.uniform(-0.15, 0.15))), 3)
                listings.append({
                    "property_id": str(rng.randrange(10**7, 10**9)), "market_id": market_id, "title": title,
                    "address": f"{fake.building_number()} {fake.street_name()}, {city}, {state}",
                    "bedrooms": bedrooms, "bathrooms": max(1, bedrooms - rng.randint(0, 1)), "adr_ltm": nightly,
                    "occupancy_ltm": occ, "revenue_ltm": round(nightly * occ * 365, 2),
                    "number_of_reviews": rng.randint(3, 420), "rating": round(rng.uniform(4.1, 5.0), 2)})
        db["markets"].insert_all(markets)
        db["listings"].insert_all(listings)
        db["saved_markets"].insert_all({"market_id": m["market_id"], "note": rng.choice(["buy box", "watch", "client"]),
                                        "saved_at": f"{cls.days_before_start(rng, 5, 90)} 10:00"}
                                       for m in rng.sample(markets, 3))
        home = rng.choice(markets)["market_id"]
        db["comp_sets"].insert({"comp_set_id": "cs_0001", "name": "Portfolio comps", "market_id": home})
        db["comp_set_listings"].insert_all({"comp_set_id": "cs_0001", "property_id": p["property_id"]}
                                           for p in [p for p in listings if p["market_id"] == home][:3])

    def _market(self, city: str, state: str) -> dict[str, Any]:
        return self.require("SELECT * FROM markets WHERE city = ? COLLATE NOCASE AND state = ? COLLATE NOCASE",
                            city.strip(), state.strip(), error=f"AirDNA covers no market '{city}, {state}';"
                            " search_markets lists the markets by name")

    def _listing(self, property_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM listings WHERE property_id = ?", property_id,
                            error=f"no Airbnb listing {property_id} is tracked; list_listings shows a market's listings")

    def _stats(self, market_id: str) -> Market:
        market = self.require("SELECT * FROM markets WHERE market_id = ?", market_id,
                              error=f"no market '{market_id}'; search_markets gives market ids")
        got = self.row("SELECT COUNT(*) AS n, AVG(adr_ltm) AS adr, AVG(occupancy_ltm) AS occ FROM listings"
                       " WHERE market_id = ?", market_id)
        return {"market_id": market_id, "city": market["city"], "state": market["state"],
                "market_score": market["market_score"], "average_adr": round(got["adr"], 2),
                "average_occupancy": round(got["occ"], 3), "active_listings": got["n"],
                "revpar": round(got["adr"] * got["occ"], 2)}

    @tool(phrase=["find the AirDNA markets matching '{query}'", "look up which AirDNA markets match {query}"])
    def search_markets(self, query: NonEmptyStr) -> Markets:
        """Search the covered markets by city or state name (a substring, case-insensitive).

        Args:
            query: Part of a city or state name, e.g. "Nash" or "FL".
        """
        matches, params = self.text_filter("markets", query)
        return {"markets": self.rows(
            "SELECT market_id, city, state, (SELECT COUNT(*) FROM listings l WHERE l.market_id = markets.market_id)"
            f" AS active_listings FROM markets WHERE {matches} ORDER BY city", *params)}

    @tool(phrase=["get the short-term rental market figures for {city}, {state}",
                  "pull the Airbnb market data for {city}, {state}"])
    def get_market_data(self, city: Annotated[str, UserKnown, Field(min_length=2)],
                        state: Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2}$")]) -> Market:
        """Market summary: AirDNA market score (0-100), average ADR, average occupancy, active listings and RevPAR.

        Args:
            city: The city, e.g. "Austin".
            state: Two-letter state code, e.g. "TX".
        """
        return self._stats(self._market(city, state)["market_id"])

    @tool(phrase=["list the tracked {bedrooms}-bedroom rentals in {market_id}",
                  "show the top-earning Airbnbs in {market_id}"])
    def list_listings(self, market_id: MarketId, bedrooms: Annotated[int, Field(ge=1, le=6)] | None = None,
                      limit: Annotated[int, Field(ge=1, le=50)] = 20) -> list[Listing]:
        """Listings of a market, highest trailing-year revenue first.

        Args:
            market_id: The market's id (from search_markets).
            bedrooms: Only listings with this many bedrooms.
            limit: At most this many listings.
        """
        rows = self.rows("SELECT * FROM listings WHERE market_id = ? AND (?2 IS NULL OR bedrooms = ?2)"
                         " ORDER BY revenue_ltm DESC LIMIT ?3", market_id, bedrooms, limit)
        if not rows:  # a listing's market exists, so only an empty result needs the check
            self.require("SELECT 1 FROM markets WHERE market_id = ?", market_id,
                         error=f"no market '{market_id}'; search_markets gives market ids")
        return rows

    @tool(phrase=["pull the last-twelve-months performance of {airbnb_property_id}"])
    def get_listing_data(self, airbnb_property_id: PropertyId) -> Listing:
        """Trailing-twelve-month revenue, occupancy, ADR, review count and rating of one Airbnb listing.

        Args:
            airbnb_property_id: The Airbnb listing number.
        """
        return self._listing(airbnb_property_id)

    @tool(phrase=["estimate what a {bedrooms}-bedroom, {bathrooms}-bath rental at {address} would earn",
                  "run a rental estimate for {address} as a {bedrooms}-bed, {bathrooms}-bath Airbnb"])
    def get_rental_estimate(self, address: Annotated[str, UserKnown, Field(min_length=5)],
                            bedrooms: Annotated[int, Field(ge=1, le=6)],
                            bathrooms: Annotated[int, Field(ge=1, le=6)]) -> Estimate:
        """Projected annual revenue, ADR and occupancy of a property, from comparable listings of its market.

        Args:
            address: Street address ending in "City, ST", e.g. "12 Oak St, Austin, TX".
            bedrooms: Bedrooms of the property.
            bathrooms: Bathrooms of the property.
        """
        parts = [p.strip() for p in address.split(",")]
        if len(parts) < 3:
            raise ToolError("address must end with the city and two-letter state, e.g. '12 Oak St, Austin, TX'")
        market = self._market(parts[-2], parts[-1])
        comps = self.rows("SELECT adr_ltm, occupancy_ltm FROM listings WHERE market_id = ? AND bedrooms"
                          " BETWEEN ? AND ?", market["market_id"], bedrooms - 1, bedrooms + 1)
        if not comps:
            raise ToolError(f"no comparable listings near {bedrooms} bedrooms in {market['city']}; try fewer bedrooms")
        adr = mean([c["adr_ltm"] for c in comps]) * (1 + 0.04 * (bathrooms - max(1, bedrooms - 1)))
        occupancy = mean([c["occupancy_ltm"] for c in comps], 3)
        return {"address": address, "market_id": market["market_id"], "bedrooms": bedrooms, "bathrooms": bathrooms,
                "estimated_revenue": round(adr * occupancy * 365, 2), "average_daily_rate": round(adr, 2),
                "occupancy_rate": occupancy, "confidence_score": round(min(0.95, 0.4 + 0.07 * len(comps)), 2),
                "comparables": len(comps)}

    @tool(phrase=["get smart nightly rates for {airbnb_property_id} from {start_date} to {end_date}"])
    def get_smart_rates(self, airbnb_property_id: PropertyId, start_date: Day, end_date: Day) -> Rates:
        """Recommended nightly prices of a listing for each night from start_date to end_date (at most 31 nights).

        Args:
            airbnb_property_id: The Airbnb listing number.
            start_date: First night, YYYY-MM-DD.
            end_date: Last night, YYYY-MM-DD.
        """
        listing = self._listing(airbnb_property_id)
        first, last = parse_date(start_date, "start_date"), parse_date(end_date, "end_date")
        if not 0 <= (last - first).days <= 30:
            raise ToolError("end_date must be on or after start_date and at most 30 days after it")
        peaks = self.value("SELECT peak_months FROM markets WHERE market_id = ?", listing["market_id"]).split(",")
        out = []
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            factor = WEEKDAY_FACTOR[day.weekday()] * (1.22 if str(day.month) in peaks else 0.94)
            out.append({"date": day.isoformat(), "recommended_rate": round(listing["adr_ltm"] * factor, 2),
                        "min_rate": round(listing["adr_ltm"] * 0.7, 2),
                        "demand": "high" if factor > 1.1 else "low" if factor < 0.85 else "normal"})
        return {"property_id": airbnb_property_id, "recommendations": out}

    @tool(writes=True, phrase=["save {city}, {state} to my AirDNA markets[ with the note '{note}']",
                               "add {city}, {state} to my watched markets[ tagged '{note}']"])
    def save_market(self, city: Annotated[str, UserKnown, Field(min_length=2)],
                    state: Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2}$")],
                    note: Annotated[str, Field(max_length=60)] = "") -> Saved:
        """Save a market to the account's watch list (at most 8 saved markets).

        Args:
            city: The market's city.
            state: Two-letter state code.
            note: A short note shown beside the market.
        """
        market = self._market(city, state)
        saved, count = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM saved_markets WHERE market_id = ?), (SELECT COUNT(*) FROM saved_markets)",
            (market["market_id"],)).fetchone()
        if saved:
            raise ToolError(f"{market['city']}, {market['state']} is already saved; list_saved_markets shows it")
        if count >= self.MAX_SAVED:
            raise ToolError(f"the plan allows {self.MAX_SAVED} saved markets; remove one with unsave_market first")
        saved_at = self.now().strftime("%Y-%m-%d %H:%M")
        self.execute("INSERT INTO saved_markets VALUES (?, ?, ?)", market["market_id"], note.strip(), saved_at)
        return {**{k: market[k] for k in ("market_id", "city", "state")}, "note": note.strip(), "saved_at": saved_at}

    @tool(writes=True, phrase=["stop watching {market_id}", "remove {market_id} from my saved markets"])
    def unsave_market(self, market_id: MarketId) -> list[Saved]:
        """Remove a market from the watch list; returns the markets still saved.

        Args:
            market_id: The saved market's id.
        """
        if not self.execute("DELETE FROM saved_markets WHERE market_id = ?", market_id):
            raise ToolError(f"market '{market_id}' is not saved; list_saved_markets shows the saved ones")
        return self.list_saved_markets()

    @tool(phrase=["show my saved AirDNA markets", "list the markets I am watching"])
    def list_saved_markets(self) -> list[Saved]:
        """The markets saved to the account's watch list, oldest first."""
        return self.rows("SELECT s.market_id, m.city, m.state, s.note, s.saved_at FROM saved_markets s"
                         " JOIN markets m USING (market_id) ORDER BY s.saved_at, s.market_id")

    @tool(writes=True, phrase=["add {airbnb_property_id} to my comp set '{comp_set_name}'",
                               "put {airbnb_property_id} into the '{comp_set_name}' comp set"])
    def add_to_comp_set(self, comp_set_name: Annotated[str, UserKnown, Field(min_length=1, max_length=40)], airbnb_property_id: PropertyId) -> CompSet:
        """Add a listing to a comp set (a named group of comparable listings of one market, at most 10),
        creating the set with the listing's market when no set has that name.

        Args:
            comp_set_name: The comp set's name, e.g. "Lake houses".
            airbnb_property_id: The Airbnb listing number to add.
        """
        listing, name = self._listing(airbnb_property_id), comp_set_name.strip()
        # the set, whether it holds the listing already, and how many listings it holds
        found = self.row("SELECT *, EXISTS (SELECT 1 FROM comp_set_listings c WHERE c.comp_set_id = s.comp_set_id"
                         " AND c.property_id = ?2) AS _held, (SELECT COUNT(*) FROM comp_set_listings c"
                         " WHERE c.comp_set_id = s.comp_set_id) AS _count FROM comp_sets s"
                         " WHERE name = ?1 COLLATE NOCASE", name, airbnb_property_id)
        if found is not None:
            held, count = found.pop("_held"), found.pop("_count")
        if found is None:
            found = {"comp_set_id": self.new_id("comp_sets", "cs_"), "name": name, "market_id": listing["market_id"]}
            self.execute("INSERT INTO comp_sets VALUES (?, ?, ?)", *found.values())
        elif found["market_id"] != listing["market_id"]:
            raise ToolError(f"comp set '{found['name']}' holds listings of {found['market_id']}; listing "
                            f"{airbnb_property_id} is in {listing['market_id']}: use another comp set")
        elif held:
            raise ToolError(f"listing {airbnb_property_id} is already in comp set '{found['name']}'")
        elif count >= self.MAX_COMPS:
            raise ToolError(f"comp set '{found['name']}' already has {self.MAX_COMPS} listings; remove one first")
        self.execute("INSERT INTO comp_set_listings VALUES (?, ?)", found["comp_set_id"], airbnb_property_id)
        return self._comp_set(found)

    @tool(phrase=["show how my comp set '{comp_set_name}' performs", "summarize the comp set '{comp_set_name}'"])
    def get_comp_set(self, comp_set_name: Annotated[str, UserKnown, Field(min_length=1, max_length=40)]) -> CompSet:
        """A comp set's listings and their average ADR, occupancy and trailing-year revenue.

        Args:
            comp_set_name: The comp set's name.
        """
        found = self.require("SELECT * FROM comp_sets WHERE name = ? COLLATE NOCASE", comp_set_name.strip(),
                             error=f"no comp set named '{comp_set_name}'")
        return self._comp_set(found)

    def _comp_set(self, found: dict[str, Any]) -> CompSet:
        """A comp set (its comp_sets row) with its listings and their averages."""
        rows = self.rows("SELECT l.* FROM comp_set_listings c JOIN listings l USING (property_id)"
                         " WHERE c.comp_set_id = ? ORDER BY l.revenue_ltm DESC", found["comp_set_id"])
        return {**found, "listings": rows, "average_adr": mean([r["adr_ltm"] for r in rows]),
                "average_occupancy": mean([r["occupancy_ltm"] for r in rows], 3),
                "average_revenue": mean([r["revenue_ltm"] for r in rows])}
