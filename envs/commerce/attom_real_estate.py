"""AttomRealEstate: ATTOM's property data API: records by ATTOM id and address, AVM, assessments, schools, reports."""

from __future__ import annotations

import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

# county -> (city, state, county FIPS, zip codes, latitude, longitude, value per sq ft, tax rate, reappraisal cycle)
COUNTIES = [("Denver", "CO", "08031", ["80205", "80210", "80212", "80220"], 39.74, -104.99, 430, 0.0062, 2),
            ("Austin", "TX", "48453", ["78702", "78704", "78745", "78751"], 30.27, -97.74, 390, 0.0198, 1),
            ("Columbus", "OH", "39049", ["43201", "43206", "43214", "43220"], 39.96, -83.00, 215, 0.0181, 3),
            ("Raleigh", "NC", "37183", ["27603", "27605", "27609", "27612"], 35.78, -78.64, 290, 0.0108, 4),
            ("Tampa", "FL", "12057", ["33606", "33611", "33629", "33647"], 27.95, -82.46, 335, 0.0171, 1)]
PROPERTY_TYPES = {"SFR": 60, "CONDOMINIUM": 18, "TOWNHOUSE": 14, "DUPLEX": 8}
GARAGES = ["ATTACHED GARAGE", "DETACHED GARAGE", "CARPORT", "NONE"]
SCHOOL_LEVELS = {"Elementary": "K-5", "Middle": "6-8", "High": "9-12"}
REPORTS = {"property_detail": 1, "avm_report": 2, "tax_report": 1, "school_report": 1, "full_property_report": 4}
MAX_LISTS, MAX_LIST_SIZE, TAX_YEARS = 10, 25, range(2021, 2026)
Address = Annotated[str, UserKnown, Field(min_length=5, max_length=120)]
ReportType = Literal["property_detail", "avm_report", "tax_report", "school_report", "full_property_report"]

Profile = TypedDict("Profile", {"property_id": str, "fips": str, "apn": str, "address": str, "city": str,
                                "state": str, "zip": str})
Details = TypedDict("Details", {"property_id": str, "address": str, "sqft": int, "lot_size": int, "bedrooms": int,
                                "bathrooms": float, "year_built": int, "property_type": str, "stories": int,
                                "garage_type": str})
Valuation = TypedDict("Valuation", {"property_id": str, "estimated_value": int, "value_range_low": int,
                                    "value_range_high": int, "confidence_score": str, "valuation_date": str})
Assessment = TypedDict("Assessment", {"tax_year": int, "assessment_year": int, "assessed_value": int,
                                      "assessed_land_value": int, "assessed_improvement_value": int,
                                      "market_value": int, "tax_amount": int})
AssessmentHistory = TypedDict("AssessmentHistory", {"property_id": str, "address": str,
                                                    "assessments": list[Assessment]})
School = TypedDict("School", {"name": str, "school_type": str, "level": str, "grades": str, "rating": int,
                              "distance_miles": float})
Schools = TypedDict("Schools", {"address": str, "radius": int, "schools": list[School]})
PropertyList = TypedDict("PropertyList", {"list_id": str, "name": str, "created": str, "addresses": list[str]})
ListChange = TypedDict("ListChange", {"list_id": str, "name": str, "property_count": int, "message": str})
Order = TypedDict("Order", {"order_id": str, "property_id": str, "address": str, "report_type": str,
                            "credits": int, "status": str, "ordered_at": str})
OrderResult = TypedDict("OrderResult", {"order": Order, "credits_left": int})


def miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles."""
    a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2))
         * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 3958.8 * 2 * math.asin(math.sqrt(a))


class AttomRealEstate(World):
    """ATTOM Data property API for an account with report credits: property records (ATTOM id, county FIPS and
    parcel number) looked up by full address ('4529 Winona Ct, Denver, CO 80212'), AVM valuations, tax
    assessments by year, nearby schools, saved property lists and ordered property reports. Amounts in US dollars."""

    schema = """
    CREATE TABLE properties (attom_id INTEGER PRIMARY KEY, fips TEXT NOT NULL, apn TEXT NOT NULL,
                             address TEXT NOT NULL UNIQUE, street TEXT NOT NULL, city TEXT NOT NULL,
                             state TEXT NOT NULL, zip TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
                             sqft INTEGER NOT NULL, lot_size INTEGER NOT NULL, bedrooms INTEGER NOT NULL,
                             bathrooms REAL NOT NULL, year_built INTEGER NOT NULL, property_type TEXT NOT NULL,
                             stories INTEGER NOT NULL, garage_type TEXT NOT NULL, avm_value INTEGER NOT NULL,
                             avm_score INTEGER NOT NULL, avm_date TEXT NOT NULL, UNIQUE (fips, apn));
    CREATE INDEX properties_by_state ON properties (state, city);
    CREATE INDEX properties_by_address ON properties (address COLLATE NOCASE);
    CREATE TABLE assessments (attom_id INTEGER NOT NULL REFERENCES properties, tax_year INTEGER NOT NULL,
                              assessment_year INTEGER NOT NULL, land INTEGER NOT NULL, improvement INTEGER NOT NULL,
                              ratio REAL NOT NULL, market_value INTEGER NOT NULL, tax_amount INTEGER NOT NULL,
                              PRIMARY KEY (attom_id, tax_year));
    CREATE TABLE schools (school_id TEXT PRIMARY KEY, name TEXT NOT NULL, school_type TEXT NOT NULL,
                          level TEXT NOT NULL, grades TEXT NOT NULL, rating INTEGER NOT NULL, state TEXT NOT NULL,
                          lat REAL NOT NULL, lon REAL NOT NULL);
    CREATE INDEX schools_by_state ON schools (state);
    CREATE TABLE account (account_id TEXT PRIMARY KEY, credits INTEGER NOT NULL CHECK (credits >= 0));
    CREATE TABLE lists (list_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                                 created TEXT NOT NULL);
    CREATE TABLE list_items (list_id TEXT NOT NULL REFERENCES lists, attom_id INTEGER NOT NULL
                             REFERENCES properties, PRIMARY KEY (list_id, attom_id));
    CREATE TABLE reports (order_id TEXT PRIMARY KEY, attom_id INTEGER NOT NULL REFERENCES properties,
                                report_type TEXT NOT NULL, credits INTEGER NOT NULL, status TEXT NOT NULL,
                                ordered_at TEXT NOT NULL);
    CREATE INDEX orders_by_status ON reports (status, attom_id);
    """
    text_search = {"properties": ("address",)}
    volatile = {"lists": ("created",), "reports": ("ordered_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        properties, assessments, schools, seen = [], [], [], set()
        for city, state, fips, zips, lat, lon, per_sqft, rate, cycle in COUNTIES:
            for _ in range(18):
                street = f"{rng.randrange(100, 9900)} {fake.street_name()}"
                if street in seen:
                    continue
                seen.add(street)
                kind = rng.choices(list(PROPERTY_TYPES), weights=list(PROPERTY_TYPES.values()))[0]
                sqft = rng.randrange(700, 1500) if kind == "CONDOMINIUM" else rng.randrange(1100, 3900)
                value = round(sqft * per_sqft * rng.uniform(0.8, 1.25), -3)
                zip_code, attom_id = rng.choice(zips), rng.randrange(10**8, 3 * 10**8) // 7 * 7 + len(properties)
                day = cls.days_before_start(rng, 3, 40).isoformat()
                properties.append({
                    "attom_id": attom_id, "fips": fips, "address": f"{street}, {city}, {state} {zip_code}",
                    "apn": f"{rng.randrange(10**3, 10**4)}-{rng.randrange(10, 99)}-{rng.randrange(100, 999)}-"
                           f"{rng.randrange(10**3, 10**4)}", "street": street, "city": city, "state": state,
                    "zip": zip_code, "lat": round(lat + rng.uniform(-0.09, 0.09), 5),
                    "lon": round(lon + rng.uniform(-0.09, 0.09), 5), "sqft": sqft,
                    "lot_size": 0 if kind == "CONDOMINIUM" else rng.randrange(2500, 14000, 50),
                    "bedrooms": max(1, sqft // 650 + rng.randrange(0, 2)),
                    "bathrooms": rng.choice([1, 1.5, 2, 2, 2.5, 3, 3.5]), "year_built": rng.randrange(1905, 2024),
                    "property_type": kind, "stories": 1 if kind == "CONDOMINIUM" else rng.choice([1, 1, 2, 2, 3]),
                    "garage_type": "NONE" if kind == "CONDOMINIUM" else rng.choice(GARAGES),
                    "avm_value": int(value), "avm_score": rng.randrange(62, 98), "avm_date": day})
                market = value / 1.06 ** 5
                ratio = {"CO": 0.0676, "OH": 0.35, "FL": 0.85}.get(state, 1.0)
                for year in TAX_YEARS:
                    if (year - 2021) % cycle == 0:
                        appraised, assessed_year = int(round(market * rng.uniform(0.98, 1.1), -2)), year
                    land = int(round(appraised * rng.uniform(0.22, 0.4), -2))
                    assessments.append({
                        "attom_id": attom_id, "tax_year": year, "assessment_year": assessed_year, "land": land,
                        "improvement": appraised - land, "ratio": ratio, "market_value": appraised,
                        "tax_amount": round(appraised * rate)})
                    market *= 1.06
            for level, grades in SCHOOL_LEVELS.items():
                for _ in range(3 if level == "Elementary" else 2):
                    kind = rng.choices(["Public", "Charter", "Private"], weights=[7, 2, 2])[0]
                    schools.append({"school_id": f"{fips}{rng.randrange(100, 999)}{len(schools):02d}", "school_type": kind,
                                    "name": f"{fake.last_name()} {level} School", "level": level, "grades": grades,
                                    "rating": rng.randrange(3, 11), "state": state,
                                    "lat": round(lat + rng.uniform(-0.1, 0.1), 5),
                                    "lon": round(lon + rng.uniform(-0.1, 0.1), 5)})
        db["properties"].insert_all(properties)
        db["assessments"].insert_all(assessments)
        db["schools"].insert_all(schools)
        db["account"].insert({"account_id": "ACCT-" + str(rng.randrange(10**5, 10**6)), "credits": rng.randrange(6, 14)})
        names = rng.sample(["Investment shortlist", "Flip candidates", "Client: the Garcias", "Rental comps",
                            "Open house tour", "Retirement shortlist"], 3)
        for n, name in enumerate(names):
            list_id = f"PL-{rng.randrange(10**6, 10**7)}"
            db["lists"].insert({"list_id": list_id, "name": name, "created": f"{cls.days_before_start(rng, 10, 90)}"})
            db["list_items"].insert_all({"list_id": list_id, "attom_id": p["attom_id"]}
                                        for p in rng.sample(properties, rng.randrange(2, 6)))
        db["reports"].insert_all({
            "order_id": f"RPT-{rng.randrange(10**7, 10**8)}", "attom_id": p["attom_id"],
            "report_type": (kind := rng.choice(list(REPORTS))), "credits": REPORTS[kind],
            "status": "delivered" if n > 1 else "processing",
            "ordered_at": f"{cls.days_before_start(rng, 1 if n < 2 else 3, 2 if n < 2 else 60)} 10:00"}
            for n, p in enumerate(rng.sample(properties, 8)))

    # ------------------------------------------------------------------ helpers
    def _property(self, address: str) -> dict[str, Any]:
        """The property at a full address, or at a partial one ('4529 Winona') that matches exactly one record."""
        text = " ".join(address.replace(" ,", ",").split())
        found = self.row("SELECT * FROM properties WHERE address = ? COLLATE NOCASE", text)
        if found is not None:
            return found
        matches, params = self.text_filter("properties", text)
        rows = self.rows(f"SELECT * FROM properties WHERE {matches} ORDER BY address LIMIT 4", *params)
        if len(rows) == 1:
            return rows[0]
        if rows:
            raise ToolError(f"'{address}' matches several properties ({'; '.join(r['address'] for r in rows)});"
                            " give the full address with city, state and ZIP")
        raise ToolError(f"no property record found for '{address}'; give the street address, city, state and ZIP,"
                        " e.g. '4529 Winona Ct, Denver, CO 80212'")

    def _assessment(self, row: dict[str, Any]) -> Assessment:
        total = row["land"] + row["improvement"]
        return {"tax_year": row["tax_year"], "assessment_year": row["assessment_year"],
                "assessed_value": round(total * row["ratio"]), "assessed_land_value": round(row["land"] * row["ratio"]),
                "assessed_improvement_value": round(row["improvement"] * row["ratio"]),
                "market_value": row["market_value"], "tax_amount": row["tax_amount"]}

    def _counted_list(self, list_id: str) -> dict[str, Any]:
        """A list with ``count``, the number of properties on it."""
        return self.require("SELECT l.*, (SELECT COUNT(*) FROM list_items i WHERE i.list_id = l.list_id) AS count"
                            " FROM lists l WHERE l.list_id = ?", list_id,
                            error=f"no saved property list '{list_id}'; get_property_lists shows the list ids")

    def _order(self, order_id: str) -> Order:
        return self.require(
            "SELECT o.order_id, CAST(o.attom_id AS TEXT) AS property_id, p.address, o.report_type, o.credits,"
            " o.status, o.ordered_at FROM reports o JOIN properties p USING (attom_id) WHERE o.order_id = ?",
            order_id, error=f"no report order '{order_id}'; list_report_orders shows your orders")

    # -------------------------------------------------------------------- reads
    @tool(phrase=["look up the county record (FIPS code and parcel number) of {address}",
                  "find the ATTOM property id and APN of {address}"])
    def get_property_profile(self, address: Address) -> Profile:
        """Basic profile of a property: ATTOM id, county FIPS code, assessor's parcel number (APN) and address.

        Args:
            address: Full address, e.g. '4529 Winona Ct, Denver, CO 80212' (a unique partial address also works).
        """
        p = self._property(address)
        return {"property_id": str(p["attom_id"]), "fips": p["fips"], "apn": p["apn"], "address": p["address"],
                "city": p["city"], "state": p["state"], "zip": p["zip"]}

    @tool(phrase=["get the building characteristics of {address}", "look up the size and age of {address}"])
    def get_property_details(self, address: Address) -> Details:
        """Building characteristics: living area (sq ft), lot size (sq ft, 0 for condos), rooms, year built, type.

        Args:
            address: Full address of the property.
        """
        p = self._property(address)
        return {"property_id": str(p["attom_id"]), **{k: p[k] for k in Details.__annotations__ if k in p}}

    @tool(phrase=["get ATTOM's automated valuation of {address}", "find out what {address} is worth according to the AVM"])
    def get_property_valuation(self, address: Address) -> Valuation:
        """ATTOM AVM: estimated market value with its range and confidence score (0-100, higher is surer).

        Args:
            address: Full address of the property.
        """
        p = self._property(address)
        spread = p["avm_value"] * (100 - p["avm_score"]) / 200
        return {"property_id": str(p["attom_id"]), "estimated_value": p["avm_value"],
                "value_range_low": int(round(p["avm_value"] - spread, -3)),
                "value_range_high": int(round(p["avm_value"] + spread, -3)),
                "confidence_score": str(p["avm_score"]), "valuation_date": p["avm_date"]}

    @tool(phrase=["get the {tax_year} tax assessment of {address}", "check the property tax bill of {address}"
                  "[ for {tax_year}]"])
    def get_tax_assessment(self, address: Address,
                           tax_year: Annotated[int, Field(ge=2021, le=2025)] | None = None) -> Assessment:
        """The county's assessment and tax bill of a property for one tax year (default: the latest, 2025).

        Args:
            address: Full address of the property.
            tax_year: Tax year, 2021-2025.
        """
        p = self._property(address)
        row = self.row("SELECT * FROM assessments WHERE attom_id = ? AND tax_year = ?", p["attom_id"], tax_year or 2025)
        return self._assessment(row)

    @tool(phrase=["show how the assessed value and taxes of {address} changed over the years",
                  "get the assessment history of {address}"])
    def get_assessment_history(self, address: Address) -> AssessmentHistory:
        """Every tax year's assessment of a property on file (2021-2025), newest first.

        Args:
            address: Full address of the property.
        """
        p = self._property(address)
        rows = self.rows("SELECT * FROM assessments WHERE attom_id = ? ORDER BY tax_year DESC", p["attom_id"])
        return {"property_id": str(p["attom_id"]), "address": p["address"],
                "assessments": [self._assessment(r) for r in rows]}

    @tool(phrase=["find schools within {radius} miles of {address}", "look up the schools near {address}"])
    def get_nearby_schools(self, address: Address, radius: Annotated[int, Field(ge=1, le=20)] = 5) -> Schools:
        """Schools within a radius of a property, nearest first, with type, grades and a 1-10 rating.

        Args:
            address: Full address of the property.
            radius: Search radius in miles, 1-20.
        """
        p = self._property(address)
        found = []
        for s in self.rows("SELECT * FROM schools WHERE state = ?", p["state"]):
            distance = round(miles(p["lat"], p["lon"], s["lat"], s["lon"]), 2)
            if distance <= radius:
                found.append({**{k: s[k] for k in School.__annotations__ if k in s}, "distance_miles": distance})
        return {"address": p["address"], "radius": radius,
                "schools": sorted(found, key=lambda s: (s["distance_miles"], s["name"]))}

    @tool(phrase=["show my saved property lists", "pull up my saved ATTOM lists"])
    def get_property_lists(self) -> list[PropertyList]:
        """The account's saved property lists with the addresses on each."""
        lists = self.rows("SELECT * FROM lists ORDER BY name")
        addresses: dict[str, list[str]] = {plist["list_id"]: [] for plist in lists}
        for list_id, address in self.conn.execute(
                "SELECT i.list_id, p.address FROM list_items i JOIN properties p USING (attom_id) ORDER BY p.address"):
            if list_id in addresses:
                addresses[list_id].append(address)
        for plist in lists:
            plist["addresses"] = addresses[plist["list_id"]]
        return lists

    @tool(phrase=["show my property report orders[ that are {status}]", "list the reports I ordered"])
    def list_report_orders(self, status: Literal["processing", "delivered", "cancelled"] | None = None) -> list[Order]:
        """The account's property report orders, newest first.

        Args:
            status: Only orders in this status.
        """
        return self.rows(
            "SELECT o.order_id, CAST(o.attom_id AS TEXT) AS property_id, p.address, o.report_type, o.credits,"
            " o.status, o.ordered_at FROM reports o JOIN properties p USING (attom_id) WHERE ?1 IS NULL OR o.status = ?1"
            " ORDER BY o.ordered_at DESC, o.order_id", status)

    # ------------------------------------------------------------------- writes
    @tool(writes=True, phrase=["create a saved property list called {name}", "start a new property list named {name}"])
    def create_property_list(self, name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"\S")]) -> ListChange:
        """Create an empty saved property list (names are unique; at most 10 lists per account).

        Args:
            name: Name of the list, up to 40 characters.
        """
        name = name.strip()
        taken, count = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM lists WHERE name = ?), (SELECT COUNT(*) FROM lists)", (name,)).fetchone()
        if taken:
            raise ToolError(f"a property list named '{name}' already exists; add properties to it instead")
        if count >= MAX_LISTS:
            raise ToolError(f"the account already has {MAX_LISTS} property lists, the most allowed; add to an existing list instead")
        list_id = self.new_id("lists", "PL-")
        self.execute("INSERT INTO lists VALUES (?, ?, ?)", list_id, name,
                     self.now().date().isoformat())
        # a new list holds no properties yet
        return {"list_id": list_id, "name": name, "property_count": 0, "message": "list created"}

    @tool(writes=True, phrase=["save {address} to {list_id}", "put {address} on my saved list {list_id}"])
    def add_property_to_list(self, list_id: NonEmptyStr, address: Address) -> ListChange:
        """Save a property to one of the account's property lists (at most 25 properties per list).

        Args:
            list_id: The list's id (from get_property_lists or create_property_list).
            address: Full address of the property to save.
        """
        plist, p = self._counted_list(list_id), self._property(address)
        already = f"{p['address']} is already on the list '{plist['name']}'"
        if plist["count"] >= MAX_LIST_SIZE:
            if self.row("SELECT 1 FROM list_items WHERE list_id = ? AND attom_id = ?", list_id, p["attom_id"]):
                raise ToolError(already)
            raise ToolError(f"the list '{plist['name']}' is full ({MAX_LIST_SIZE} properties); remove one first")
        # inserted unless the property is on the list already
        if not self.execute("INSERT INTO list_items SELECT ?1, ?2 WHERE NOT EXISTS"
                            " (SELECT 1 FROM list_items WHERE list_id = ?1 AND attom_id = ?2)", list_id, p["attom_id"]):
            raise ToolError(already)
        return {"list_id": plist["list_id"], "name": plist["name"], "property_count": plist["count"] + 1,
                "message": f"added {p['address']}"}

    @tool(writes=True, phrase=["take {address} off {list_id}", "remove {address} from my saved list {list_id}"])
    def remove_property_from_list(self, list_id: NonEmptyStr, address: Address) -> ListChange:
        """Remove a property from a saved property list.

        Args:
            list_id: The list's id.
            address: Full address of the property to remove.
        """
        plist, p = self._counted_list(list_id), self._property(address)
        if not self.execute("DELETE FROM list_items WHERE list_id = ? AND attom_id = ?", list_id, p["attom_id"]):
            raise ToolError(f"{p['address']} is not on the list '{plist['name']}'")
        # (list_id, attom_id) is the key, so exactly one row went
        return {"list_id": plist["list_id"], "name": plist["name"], "property_count": plist["count"] - 1,
                "message": f"removed {p['address']}"}

    @tool(writes=True, phrase=["order the {report_type} for {address}", "buy a {report_type} on {address} with my credits"])
    def order_property_report(self, address: Address, report_type: ReportType) -> OrderResult:
        """Order a property report, paid in account credits (property_detail 1, avm_report 2, tax_report 1,
        school_report 1, full_property_report 4). It is prepared asynchronously (status 'processing').

        Args:
            address: Full address of the property.
            report_type: Which report to order.
        """
        p, cost = self._property(address), REPORTS[report_type]
        open_order, credits = self.conn.execute(
            "SELECT (SELECT order_id FROM reports WHERE attom_id = ? AND report_type = ? AND status = 'processing'),"
            " (SELECT credits FROM account)",
            (p["attom_id"], report_type)).fetchone()
        if open_order:
            raise ToolError(f"a {report_type} report for {p['address']} is already being prepared (order {open_order})")
        if credits < cost:
            raise ToolError(f"a {report_type} report costs {cost} credits but the account has {credits}; "
                            "buy more credits or order a cheaper report")
        order_id = self.new_id("reports", "RPT-")
        ordered_at = self.now().strftime("%Y-%m-%d %H:%M")
        self.execute("UPDATE account SET credits = credits - ?", cost)
        self.execute("INSERT INTO reports VALUES (?, ?, ?, ?, 'processing', ?)", order_id, p["attom_id"],
                     report_type, cost, ordered_at)
        order: Order = {"order_id": order_id, "property_id": str(p["attom_id"]), "address": p["address"],
                        "report_type": report_type, "credits": cost, "status": "processing", "ordered_at": ordered_at}
        return {"order": order, "credits_left": credits - cost}

    @tool(writes=True, phrase=["cancel {order_id} and get the credits back", "call off {order_id}"])
    def cancel_report_order(self, order_id: Annotated[str, Field(min_length=1, max_length=30)]) -> OrderResult:
        """Cancel a report order that is still processing; its credits go back to the account.

        Args:
            order_id: The order number, e.g. 'RPT-48213377'.
        """
        order = self._order(order_id)
        if order["status"] != "processing":
            raise ToolError(f"order {order_id} is {order['status']} and can no longer be cancelled")
        self.execute("UPDATE reports SET status = 'cancelled' WHERE order_id = ?", order_id)
        credits = self.conn.execute("UPDATE account SET credits = credits + ? RETURNING credits",
                                    (order["credits"],)).fetchall()[0][0]
        return {"order": {**order, "status": "cancelled"}, "credits_left": credits}
