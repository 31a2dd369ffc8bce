"""NationalParks: the National Park Service's parks, alerts, campgrounds and visitor centers, with campsite
reservations and visit plans of one visitor."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

PARKS = [  # parkCode, name, states, vehicle entrance fee (USD)
    ("acad", "Acadia", "ME", 35), ("arch", "Arches", "UT", 30), ("badl", "Badlands", "SD", 30),
    ("bibe", "Big Bend", "TX", 30), ("brca", "Bryce Canyon", "UT", 35), ("cany", "Canyonlands", "UT", 30),
    ("care", "Capitol Reef", "UT", 20), ("crla", "Crater Lake", "OR", 30), ("deva", "Death Valley", "CA,NV", 30),
    ("dena", "Denali", "AK", 15), ("ever", "Everglades", "FL", 35), ("glac", "Glacier", "MT", 35),
    ("grca", "Grand Canyon", "AZ", 35), ("grte", "Grand Teton", "WY", 35), ("grsm", "Great Smoky Mountains", "NC,TN", 0),
    ("jotr", "Joshua Tree", "CA", 30), ("mora", "Mount Rainier", "WA", 30), ("olym", "Olympic", "WA", 30),
    ("romo", "Rocky Mountain", "CO", 35), ("seki", "Sequoia & Kings Canyon", "CA", 35), ("shen", "Shenandoah", "VA", 30),
    ("yell", "Yellowstone", "WY,MT,ID", 35), ("yose", "Yosemite", "CA", 35), ("zion", "Zion", "UT", 35),
    ("chis", "Channel Islands", "CA", 0), ("lavo", "Lassen Volcanic", "CA", 30), ("redw", "Redwood", "CA", 0),
    ("noca", "North Cascades", "WA", 0), ("gumo", "Guadalupe Mountains", "TX", 10), ("meve", "Mesa Verde", "CO", 30),
    ("pefo", "Petrified Forest", "AZ", 25), ("sagu", "Saguaro", "AZ", 25), ("grba", "Great Basin", "NV", 0),
    ("isro", "Isle Royale", "MI", 7), ("voya", "Voyageurs", "MN", 0), ("cuva", "Cuyahoga Valley", "OH", 0),
    ("maca", "Mammoth Cave", "KY", 0), ("hosp", "Hot Springs", "AR", 0), ("cong", "Congaree", "SC", 0),
    ("neri", "New River Gorge", "WV", 0),
]
ACTIVITIES = ["Hiking", "Camping", "Stargazing", "Wildlife Watching", "Fishing", "Boating", "Horseback Riding",
              "Biking", "Rock Climbing", "Snowshoeing", "Scenic Driving", "Kayaking", "Swimming", "Birdwatching"]
LANDSCAPE = ["granite cliffs", "old-growth forest", "desert canyons", "alpine lakes", "sandstone arches",
             "coastal wetlands", "volcanic peaks", "river gorges", "glaciated valleys", "limestone caves"]
CAMP_A = ["Aspen", "Juniper", "Cedar", "Willow", "Granite", "Pinyon", "Elk", "Falcon", "Sunset", "Bluebird",
          "Riverbend", "Lakeshore", "Moraine", "Cottonwood", "Ponderosa"]
CAMP_B = ["Flat", "Loop", "Meadow", "Creek", "Point", "Hollow", "Ridge", "Springs", "Basin", "Mesa"]
ALERTS = [("Park Closure", "{place} closed for {why}"), ("Caution", "Bear activity near {place}"),
          ("Caution", "Flash flood risk at {place}"), ("Information", "Timed entry reservations for {place}"),
          ("Danger", "Rockfall hazard on the trail to {place}"), ("Information", "Water shut off at {place}")]
WHY = ["road repairs", "snow", "bridge work", "wildfire recovery", "habitat restoration"]
BOOKING_WINDOW_DAYS = 180
CANCEL_FEE = 10.0
Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Limit = Annotated[int, Field(ge=1, le=50)]
Start = Annotated[int, Field(ge=0, le=1000)]
Party = Annotated[int, Field(ge=1, le=12)]

ParkSummary = TypedDict("ParkSummary", {"parkCode": str, "name": str, "fullName": str, "states": str,
                                        "designation": str, "activities": list[str]})
ParkPage = TypedDict("ParkPage", {"total": int, "limit": int, "start": int, "data": list[ParkSummary]})
Fee = TypedDict("Fee", {"title": str, "cost": float})
Contacts = TypedDict("Contacts", {"phone": str, "email": str})
ParkDetails = TypedDict("ParkDetails", {"parkCode": str, "fullName": str, "description": str, "directionsInfo": str,
                                        "operatingHours": list[str], "entranceFees": list[Fee], "contacts": Contacts,
                                        "addresses": list[str]})
Alert = TypedDict("Alert", {"title": str, "parkCode": str, "category": str, "description": str,
                            "lastIndexedDate": str})
AlertPage = TypedDict("AlertPage", {"total": int, "data": list[Alert]})
Campground = TypedDict("Campground", {"campgroundId": str, "name": str, "parkCode": str, "description": str,
                                      "totalSites": int, "feePerNight": float, "reservable": bool, "season": str,
                                      "maxStayNights": int, "maxPartySize": int})
CampPage = TypedDict("CampPage", {"total": int, "data": list[Campground]})
Center = TypedDict("Center", {"name": str, "parkCode": str, "description": str, "hours": str, "closedOn": str})
CenterPage = TypedDict("CenterPage", {"total": int, "data": list[Center]})
Availability = TypedDict("Availability", {"campgroundId": str, "name": str, "arrivalDate": str,
                                          "departureDate": str, "sitesLeft": int, "totalCost": float})
Reservation = TypedDict("Reservation", {"reservationId": str, "campgroundName": str, "siteNumber": int,
                                        "arrivalDate": str, "departureDate": str, "partySize": int,
                                        "totalCost": float, "status": str})
Visit = TypedDict("Visit", {"visitId": str, "parkName": str, "visitDate": str, "partySize": int,
                            "entranceFee": float, "status": str})
Trips = TypedDict("Trips", {"reservations": list[Reservation], "visits": list[Visit]})


def month_name(month: int) -> str:
    return dt.date(2026, month, 1).strftime("%b")


class NationalParks(World):
    """The National Park Service: parks (by 4-letter parkCode), alerts, campgrounds and visitor centers, and your
    own campsite reservations and visit plans. Campsites are booked 1 day to 180 days ahead, within a
    campground's season, stay and party limits; dates are YYYY-MM-DD."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE parks (parkCode TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, fullName TEXT NOT NULL,
                        states TEXT NOT NULL, designation TEXT NOT NULL, activities TEXT NOT NULL,
                        description TEXT NOT NULL, directionsInfo TEXT NOT NULL, vehicleFee REAL NOT NULL,
                        phone TEXT NOT NULL, email TEXT NOT NULL, address TEXT NOT NULL);
    CREATE TABLE park_states (parkCode TEXT NOT NULL REFERENCES parks, stateCode TEXT NOT NULL,
                              PRIMARY KEY (stateCode, parkCode));
    CREATE TABLE park_activities (parkCode TEXT NOT NULL REFERENCES parks, activity TEXT NOT NULL COLLATE NOCASE,
                                  PRIMARY KEY (activity, parkCode));
    CREATE TABLE alerts (title TEXT PRIMARY KEY, parkCode TEXT NOT NULL REFERENCES parks, category TEXT NOT NULL,
                         description TEXT NOT NULL, lastIndexedDate TEXT NOT NULL);
    CREATE INDEX alerts_by_park ON alerts (parkCode, lastIndexedDate);
    CREATE TABLE campgrounds (campgroundId TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                              parkCode TEXT NOT NULL REFERENCES parks, description TEXT NOT NULL,
                              totalSites INTEGER NOT NULL, feePerNight REAL NOT NULL, reservable INTEGER NOT NULL,
                              openMonth INTEGER NOT NULL, closeMonth INTEGER NOT NULL, maxStayNights INTEGER NOT NULL,
                              maxPartySize INTEGER NOT NULL);
    CREATE INDEX campgrounds_by_park ON campgrounds (parkCode);
    CREATE TABLE visitor_centers (name TEXT PRIMARY KEY, parkCode TEXT NOT NULL REFERENCES parks,
                                  description TEXT NOT NULL, hours TEXT NOT NULL, closedOn TEXT NOT NULL);
    CREATE INDEX centers_by_park ON visitor_centers (parkCode);
    CREATE TABLE reservations (reservationId TEXT PRIMARY KEY, campgroundId TEXT NOT NULL REFERENCES campgrounds,
                               siteNumber INTEGER NOT NULL, arrivalDate TEXT NOT NULL, departureDate TEXT NOT NULL,
                               partySize INTEGER NOT NULL, totalCost REAL NOT NULL, status TEXT NOT NULL,
                               mine INTEGER NOT NULL);
    CREATE INDEX reservations_by_site ON reservations (campgroundId, arrivalDate);
    CREATE INDEX reservations_mine ON reservations (mine, arrivalDate);
    CREATE TABLE visits (visitId TEXT PRIMARY KEY, parkCode TEXT NOT NULL REFERENCES parks, visitDate TEXT NOT NULL,
                         partySize INTEGER NOT NULL, entranceFee REAL NOT NULL, status TEXT NOT NULL);
    CREATE INDEX visits_by_park ON visits (parkCode, visitDate);
    """
    text_search = {"parks": ("fullName", "description"), "alerts": ("title", "description"),
                   "campgrounds": ("name", "description"), "visitor_centers": ("name", "description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        parks, alerts, camps, centers, bookings = [], [], [], [], []
        names = [f"{a} {b}" for a in CAMP_A for b in CAMP_B]
        camp_names = rng.sample(names, 90)
        spare = [n for n in names if n not in camp_names]  # for a world with more than 90 campgrounds
        for code, name, states, fee in PARKS:
            land = rng.sample(LANDSCAPE, 2)
            parks.append({"parkCode": code, "name": name, "fullName": f"{name} National Park", "states": states,
                          "designation": "National Park",
                          "activities": ",".join(sorted(rng.sample(ACTIVITIES, rng.randint(4, 8)))),
                          "description": f"{name} protects {land[0]} and {land[1]} in {states.split(',')[0]}.",
                          "directionsInfo": f"From {fake.city()}, follow {fake.street_name()} "
                                            f"{rng.randint(10, 90)} miles to the main entrance.",
                          "vehicleFee": float(fee), "phone": fake.numerify("(###) ###-####"),
                          "email": f"{code}_information@nps.gov",
                          "address": f"{fake.building_number()} {fake.street_name()}, {states.split(',')[0]}"})
            places = rng.sample([f"{rng.choice(CAMP_A)} {w}" for w in ("Trail", "Overlook", "Road", "Falls")], 3)
            for place in places[:rng.randint(0, 3)]:
                category, title = rng.choice(ALERTS)
                alerts.append({"title": f"{name}: " + title.format(place=place, why=rng.choice(WHY)),
                               "parkCode": code, "category": category, "description": fake.sentence(nb_words=12),
                               "lastIndexedDate": cls.days_before_start(rng, 0, 40).isoformat()})
            for _ in range(rng.randint(1, 3)):
                camp = (camp_names or spare).pop()
                seasonal = rng.random() < 0.5
                camps.append({"campgroundId": str(rng.randrange(230000, 260000)), "name": camp, "parkCode": code,
                              "description": f"{camp} sits among {rng.choice(land)}, {rng.randint(1, 15)} miles"
                                             f" from the entrance.", "totalSites": rng.choice([2, 3, 4, 8, 20, 40]),
                              "feePerNight": float(rng.choice([15, 20, 25, 30, 35])),
                              "reservable": int(rng.random() < 0.8), "openMonth": 5 if seasonal else 1,
                              "closeMonth": rng.choice([9, 10]) if seasonal else 12,
                              "maxStayNights": rng.choice([7, 14]), "maxPartySize": rng.choice([6, 8])})
            centers.append({"name": f"{name} Visitor Center", "parkCode": code,
                            "description": f"Exhibits, maps and ranger talks about {land[0]}.",
                            "hours": rng.choice(["09:00-17:00", "08:00-18:00", "10:00-16:00"]),
                            "closedOn": rng.choice(["none", "Mondays", "Tuesdays", "Thanksgiving and Christmas"])})
            if rng.random() < 0.4:
                centers.append({"name": f"{rng.choice(CAMP_A)} Ranger Station ({name})", "parkCode": code,
                                "description": "Permits, weather updates and trail conditions.",
                                "hours": "08:00-16:30", "closedOn": rng.choice(["Sundays", "none"])})
        start = cls.start_time.date()
        for camp in camps:
            if not camp["reservable"]:
                continue
            for _ in range(rng.randint(0, 12 if camp["totalSites"] <= 4 else 4)):
                month = rng.randint(max(camp["openMonth"], 3), camp["closeMonth"])
                arrive = dt.date(2026, month, rng.randint(1, 20))
                if not start < arrive <= start + dt.timedelta(days=BOOKING_WINDOW_DAYS):
                    continue
                nights = rng.randint(1, 4)
                bookings.append({"reservationId": f"{rng.randrange(10**9):09d}-{rng.randint(1, 9)}",
                                 "campgroundId": camp["campgroundId"], "siteNumber": rng.randint(1, camp["totalSites"]),
                                 "arrivalDate": arrive.isoformat(),
                                 "departureDate": (arrive + dt.timedelta(days=nights)).isoformat(),
                                 "partySize": rng.randint(1, camp["maxPartySize"]),
                                 "totalCost": camp["feePerNight"] * nights, "status": "confirmed",
                                 "mine": int(rng.random() < 0.035)})
        visits = [{"visitId": f"V{rng.randrange(10**6):06d}", "parkCode": p["parkCode"],
                   "visitDate": (start + dt.timedelta(days=rng.randint(5, 150))).isoformat(),
                   "partySize": rng.randint(1, 6), "entranceFee": p["vehicleFee"], "status": "planned"}
                  for p in rng.sample(parks, 4)]
        db["parks"].insert_all(parks)
        db["park_states"].insert_all({"parkCode": p["parkCode"], "stateCode": st} for p in parks
                                     for st in p["states"].split(","))
        db["park_activities"].insert_all({"parkCode": p["parkCode"], "activity": a} for p in parks
                                         for a in p["activities"].split(","))
        db["alerts"].insert_all(alerts, pk="title", replace=True)
        db["campgrounds"].insert_all(camps, pk="campgroundId", replace=True)
        db["visitor_centers"].insert_all(centers, pk="name", replace=True)
        db["reservations"].insert_all(bookings)
        db["visits"].insert_all(visits)

    # ------------------------------------------------------------------ helpers
    def _park(self, park_code: str) -> dict[str, Any]:
        return self.require("SELECT * FROM parks WHERE parkCode = ?", park_code.strip().lower(),
                            error=f"no park with parkCode '{park_code}'; findParks shows the codes")

    def _camp(self, campground_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM campgrounds WHERE campgroundId = ?", campground_id.strip(),
                            error=f"no campground with id '{campground_id}'; getCampgrounds lists them per park")

    def _page(self, table: str, columns: str, park_code: str | None, q: str | None, order: str, limit: int,
              start: int) -> dict[str, Any]:
        if park_code is not None:
            park_code = self._park(park_code)["parkCode"]
        matches, params = self.text_filter(table, q) if q and q.strip() else ("1", ())
        where = f"WHERE {matches} AND (? IS NULL OR parkCode = ?)"
        total = self.value(f"SELECT COUNT(*) FROM {table} {where}", *params, park_code, park_code)
        rows = self.rows(f"SELECT {columns} FROM {table} {where} ORDER BY {order} LIMIT ? OFFSET ?",
                         *params, park_code, park_code, limit, start)
        return {"total": total, "data": rows}

    def _stay(self, camp: dict[str, Any], arrival_date: str, nights: int) -> tuple[dt.date, dt.date, int]:
        """Check the date rules of a stay; returns arrival, departure and the number of free sites."""
        arrive, depart = self._stay_dates(camp, arrival_date, nights, self.now().date())
        taken = self.value("SELECT COUNT(DISTINCT siteNumber) FROM reservations WHERE campgroundId = ?"
                           " AND status = 'confirmed' AND arrivalDate < ? AND departureDate > ?",
                           camp["campgroundId"], depart.isoformat(), arrive.isoformat())
        return arrive, depart, camp["totalSites"] - taken

    @staticmethod
    def _stay_dates(camp: dict[str, Any], arrival_date: str, nights: int, today: dt.date) -> tuple[dt.date, dt.date]:
        """Check the date rules of a stay; returns arrival and departure."""
        try:
            arrive = dt.date.fromisoformat(arrival_date)
        except ValueError:
            raise ToolError(f"arrivalDate must be a real date like 2026-06-14, got {arrival_date!r}") from None
        depart = arrive + dt.timedelta(days=nights)
        if arrive <= today:
            raise ToolError(f"arrivalDate must be after today ({today.isoformat()})")
        if arrive > today + dt.timedelta(days=BOOKING_WINDOW_DAYS):
            raise ToolError(f"sites open for booking {BOOKING_WINDOW_DAYS} days ahead; the last bookable arrival"
                            f" is {(today + dt.timedelta(days=BOOKING_WINDOW_DAYS)).isoformat()}")
        if not camp["reservable"]:
            raise ToolError(f"{camp['name']} is first-come, first-served and takes no reservations")
        last_night = depart - dt.timedelta(days=1)
        if not (camp["openMonth"] <= arrive.month and last_night.month <= camp["closeMonth"]
                and last_night.year == arrive.year):
            raise ToolError(f"{camp['name']} is open {month_name(camp['openMonth'])}-"
                            f"{month_name(camp['closeMonth'])} only; pick dates in its season")
        if nights > camp["maxStayNights"]:
            raise ToolError(f"{camp['name']} allows at most {camp['maxStayNights']} nights per stay")
        return arrive, depart

    def _trips(self, where: str, *params: Any) -> Trips:
        reservations = self.rows(
            "SELECT r.reservationId, c.name AS campgroundName, r.siteNumber, r.arrivalDate, r.departureDate,"
            " r.partySize, r.totalCost, r.status FROM reservations r JOIN campgrounds c USING (campgroundId)"
            f" WHERE r.mine = 1 AND {where} ORDER BY r.arrivalDate, r.reservationId", *params)
        visits = self.rows("SELECT v.visitId, p.fullName AS parkName, v.visitDate, v.partySize, v.entranceFee,"
                           " v.status FROM visits v JOIN parks p USING (parkCode) ORDER BY v.visitDate, v.visitId")
        return {"reservations": reservations, "visits": visits}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find national parks in {stateCode}[ matching {q}][ where I can go {activities}]",
                  "look for parks[ in {stateCode}][ about {q}][ offering {activities}]"])
    def findParks(self, stateCode: Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z]{2}$")] | None = None,
                  q: str | None = None, limit: Limit = 10, start: Start = 0,
                  activities: str | None = None) -> ParkPage:
        """Search parks by state, free text (name or description) and activity.

        Args:
            stateCode: Two-letter state code, e.g. "CA".
            q: Text to look for in the park's name or description.
            limit: At most this many parks.
            start: Skip this many results (paging).
            activities: Only parks offering this activity, e.g. "Hiking".
        """
        matches, params = self.text_filter("parks", q) if q and q.strip() else ("1", ())
        state = stateCode.upper() if stateCode else None
        activity = activities.strip() if activities else None
        where = (f"WHERE {matches} AND (? IS NULL OR parkCode IN (SELECT parkCode FROM park_states WHERE stateCode = ?))"
                 " AND (? IS NULL OR parkCode IN (SELECT parkCode FROM park_activities WHERE activity = ?))")
        args = (*params, state, state, activity, activity)
        rows = self.rows(f"SELECT parkCode, name, fullName, states, designation, activities FROM parks {where}"
                         " ORDER BY name LIMIT ? OFFSET ?", *args, limit, start)
        for row in rows:
            row["activities"] = row["activities"].split(",")
        return {"total": self.value(f"SELECT COUNT(*) FROM parks {where}", *args), "limit": limit, "start": start,
                "data": rows}

    @tool(phrase=["get the details of the park with code {parkCode}", "tell me about visiting the park with code {parkCode}"])
    def getParkDetails(self, parkCode: NonEmptyStr) -> ParkDetails:
        """A park's description, directions, hours, entrance fees, contacts and address.

        Args:
            parkCode: The park's 4-letter code from findParks, e.g. "yose".
        """
        park = self._park(parkCode)
        fees = [{"title": "Private Vehicle", "cost": park["vehicleFee"]},
                {"title": "Per Person (walk-in or bike)", "cost": round(park["vehicleFee"] / 2, 2)}]
        return {"parkCode": park["parkCode"], "fullName": park["fullName"], "description": park["description"],
                "directionsInfo": park["directionsInfo"], "operatingHours": ["Open 24 hours, all year"],
                "entranceFees": fees, "contacts": {"phone": park["phone"], "email": park["email"]},
                "addresses": [park["address"]]}

    @tool(phrase=["check the current park alerts[ for the park with code {parkCode}][ about {q}]",
                  "look up closures and warnings[ at the park with code {parkCode}][ mentioning {q}]"])
    def getAlerts(self, parkCode: str | None = None, limit: Limit = 10, start: Start = 0,
                  q: str | None = None) -> AlertPage:
        """Current alerts (closures, cautions, dangers, information), newest first.

        Args:
            parkCode: Only alerts of this park.
            limit: At most this many alerts.
            start: Skip this many results.
            q: Text to look for in the title or description.
        """
        return self._page("alerts", "title, parkCode, category, description, lastIndexedDate", parkCode, q,
                          "lastIndexedDate DESC, title", limit, start)

    @tool(phrase=["list the campgrounds[ of the park with code {parkCode}][ matching {q}]",
                  "show where I can camp[ in the park with code {parkCode}][ near {q}]"])
    def getCampgrounds(self, parkCode: str | None = None, limit: Limit = 10, start: Start = 0,
                       q: str | None = None) -> CampPage:
        """Campgrounds with sites, nightly fee, season, stay and party limits, and whether they take reservations.

        Args:
            parkCode: Only campgrounds of this park.
            limit: At most this many campgrounds.
            start: Skip this many results.
            q: Text to look for in the name or description.
        """
        page = self._page("campgrounds", "*", parkCode, q, "name", limit, start)
        page["data"] = [{"campgroundId": c["campgroundId"], "name": c["name"], "parkCode": c["parkCode"],
                         "description": c["description"], "totalSites": c["totalSites"],
                         "feePerNight": c["feePerNight"], "reservable": bool(c["reservable"]),
                         "season": f"{month_name(c['openMonth'])}-{month_name(c['closeMonth'])}",
                         "maxStayNights": c["maxStayNights"], "maxPartySize": c["maxPartySize"]}
                        for c in page["data"]]
        return page

    @tool(phrase=["find the visitor centers[ of the park with code {parkCode}][ matching {q}] and their hours",
                  "look up the opening hours of the visitor centers[ at the park with code {parkCode}][ matching {q}]"])
    def getVisitorCenters(self, parkCode: str | None = None, limit: Limit = 10, start: Start = 0,
                          q: str | None = None) -> CenterPage:
        """Visitor centers and ranger stations with their opening hours and closing days.

        Args:
            parkCode: Only centers of this park.
            limit: At most this many centers.
            start: Skip this many results.
            q: Text to look for in the name or description.
        """
        return self._page("visitor_centers", "name, parkCode, description, hours, closedOn", parkCode, q, "name",
                          limit, start)

    @tool(phrase=["check whether {campgroundId} has a site free for {nights} night(s) from {arrivalDate}",
                  "see if I can camp at {campgroundId} from {arrivalDate} for {nights} night(s)"])
    def checkAvailability(self, campgroundId: str, arrivalDate: Date,
                          nights: Annotated[int, Field(ge=1, le=14)]) -> Availability:
        """How many sites of a campground are free for a stay, and what it would cost.

        Args:
            campgroundId: The campground's id from getCampgrounds.
            arrivalDate: First night, YYYY-MM-DD.
            nights: Number of nights.
        """
        camp = self._camp(campgroundId)
        arrive, depart, free = self._stay(camp, arrivalDate, nights)
        return {"campgroundId": camp["campgroundId"], "name": camp["name"], "arrivalDate": arrive.isoformat(),
                "departureDate": depart.isoformat(), "sitesLeft": free, "totalCost": camp["feePerNight"] * nights}

    @tool(writes=True, phrase=[
        "reserve a site at {campgroundId} for a party of {partySize}, {nights} night(s) from {arrivalDate}",
        "book {campgroundId} from {arrivalDate} for {nights} night(s), party of {partySize}",
        "get me a campsite at {campgroundId} arriving {arrivalDate}, {nights} night(s), {partySize} of us"])
    def reserveCampsite(self, campgroundId: str, arrivalDate: Date, nights: Annotated[int, Field(ge=1, le=14)],
                        partySize: Party) -> Reservation:
        """Book the lowest-numbered free site of a campground (paid now: nights x nightly fee).

        Args:
            campgroundId: The campground's id from getCampgrounds.
            arrivalDate: First night, YYYY-MM-DD.
            nights: Number of nights.
            partySize: People staying on the site.
        """
        camp = self.row("SELECT * FROM campgrounds WHERE campgroundId = ?", campgroundId.strip())
        if camp is None:
            self._camp(campgroundId)
        arrive, depart = self._stay_dates(camp, arrivalDate, nights, self.now().date())
        # The sites booked over the stay (their number is what checkAvailability subtracts from the total).
        taken = {r[0] for r in self.conn.execute(
            "SELECT siteNumber FROM reservations WHERE campgroundId = ? AND status = 'confirmed'"
            " AND arrivalDate < ? AND departureDate > ?", (camp["campgroundId"], depart.isoformat(),
                                                           arrive.isoformat()))}
        if partySize > camp["maxPartySize"]:
            raise ToolError(f"sites at {camp['name']} hold at most {camp['maxPartySize']} people")
        if camp["totalSites"] - len(taken) <= 0:
            raise ToolError(f"{camp['name']} is fully booked from {arrive.isoformat()} to {depart.isoformat()};"
                            " try other dates or another campground")
        site = min(set(range(1, camp["totalSites"] + 1)) - taken)
        reservation_id = self.new_id("reservations", "")
        booking = {"reservationId": reservation_id, "campgroundName": camp["name"], "siteNumber": site,
                   "arrivalDate": arrive.isoformat(), "departureDate": depart.isoformat(), "partySize": partySize,
                   "totalCost": camp["feePerNight"] * nights, "status": "confirmed"}
        self.execute("INSERT INTO reservations VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', 1)", reservation_id,
                     camp["campgroundId"], site, booking["arrivalDate"], booking["departureDate"], partySize,
                     booking["totalCost"])
        return booking  # type: ignore[return-value]

    @tool(phrase=["show my campsite reservations and planned visits", "list my upcoming trips"])
    def getMyTrips(self) -> Trips:
        """Your campsite reservations and planned park visits, by date."""
        return self._trips("1")

    @tool(writes=True, phrase=["cancel {reservationId}", "call off {reservationId}"])
    def cancelReservation(self, reservationId: str) -> Reservation:
        """Cancel one of your campsite reservations before its arrival date; the refund is the cost minus a
        $10 service fee.

        Args:
            reservationId: The reservation's id from getMyTrips.
        """
        booking = self.require(
            "SELECT r.reservationId, c.name AS campgroundName, r.siteNumber, r.arrivalDate, r.departureDate, "
            "r.partySize, r.totalCost, r.status FROM reservations r LEFT JOIN "
            "campgrounds c USING (campgroundId) WHERE r.reservationId = ? AND r.mine = 1", reservationId,
            error=f"you have no reservation '{reservationId}'; getMyTrips lists yours")
        if booking["status"] == "cancelled":
            raise ToolError(f"reservation '{reservationId}' is already cancelled")
        if booking["arrivalDate"] <= self.now().date().isoformat():
            raise ToolError(f"reservation '{reservationId}' has started and can no longer be cancelled")
        self.execute("UPDATE reservations SET status = 'cancelled' WHERE reservationId = ?", reservationId)
        booking["status"] = "cancelled"
        return booking  # type: ignore[return-value]

    @tool(writes=True, phrase=["plan a visit to the park with code {parkCode} on {visitDate} for a party of {partySize}",
                               "add a day at the park with code {parkCode} on {visitDate} to my trips (we are {partySize})"])
    def planVisit(self, parkCode: str, visitDate: Date, partySize: Party) -> Visit:
        """Plan a day visit to a park (one plan per park and day; the private vehicle fee is due at the gate).
        A park with a current 'Park Closure' alert cannot be planned.

        Args:
            parkCode: The park's code from findParks.
            visitDate: Day of the visit, YYYY-MM-DD, from today to a year ahead.
            partySize: People in the group.
        """
        # The park, its closure alert and whether that day is planned already, in one query (visitDate
        # has the YYYY-MM-DD form, so a valid one is its own isoformat()).
        park = self.row(
            "SELECT p.parkCode, p.fullName, p.vehicleFee, (SELECT title FROM alerts "
            "WHERE parkCode = p.parkCode AND category = 'Park Closure') AS _closure, EXISTS (SELECT 1 FROM visits "
            "WHERE parkCode = p.parkCode AND visitDate = ? AND status = 'planned') AS _planned FROM parks p "
            "WHERE p.parkCode = ?", visitDate, parkCode.strip().lower())
        if park is None:
            self._park(parkCode)
        today = self.now().date()
        try:
            day = dt.date.fromisoformat(visitDate)
        except ValueError:
            raise ToolError(f"visitDate must be a real date like 2026-06-14, got {visitDate!r}") from None
        if not today <= day <= today + dt.timedelta(days=365):
            raise ToolError(f"visitDate must be between today ({today.isoformat()}) and a year ahead")
        if closure := park["_closure"]:
            raise ToolError(f"{park['fullName']} has a closure alert ('{closure}'); check getAlerts and pick"
                            " another park")
        if park["_planned"]:
            raise ToolError(f"you already plan to visit {park['fullName']} on {day.isoformat()}")
        visit_id = self.new_id("visits", "V")
        self.execute("INSERT INTO visits VALUES (?, ?, ?, ?, ?, 'planned')", visit_id, park["parkCode"],
                     day.isoformat(), partySize, park["vehicleFee"])
        return {"visitId": visit_id, "parkName": park["fullName"], "visitDate": day.isoformat(),
                "partySize": partySize, "entranceFee": park["vehicleFee"], "status": "planned"}
