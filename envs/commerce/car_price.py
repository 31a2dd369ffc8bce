"""CarPrice: a FIPE-style vehicle price table (Brazil): brands, models and reference prices by model year for
cars, motorcycles and trucks, franchised dealers that answer quote requests, and the user's garage."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique, fake_id

VehicleType = Literal["cars", "motorcycles", "trucks"]
#: vehicle type -> brand -> (FIPE brand code, [(model, fuel, price of a new one in BRL)]).
CATALOG: dict[str, dict[str, tuple[int, list[tuple[str, str, int]]]]] = {
    "cars": {
        "Fiat": (21, [("Argo Drive 1.0", "flex", 89990), ("Mobi Like 1.0", "flex", 72490), ("Pulse Drive 1.3",
                 "flex", 109990), ("Strada Freedom 1.3 Cabine Dupla", "flex", 115990), ("Toro Volcano 2.0 Diesel 4x4",
                 "diesel", 209990)]),
        "Volkswagen": (59, [("Polo Track 1.0", "flex", 92990), ("Nivus Highline 200 TSI", "flex", 149990),
                       ("T-Cross Comfortline 200 TSI", "flex", 156990), ("Virtus Exclusive 250 TSI", "flex", 154990),
                       ("Amarok Highline V6 3.0 Diesel", "diesel", 319990)]),
        "Chevrolet": (23, [("Onix 1.0 Turbo LT", "flex", 103990), ("Onix Plus Premier 1.0 Turbo", "flex", 124990),
                      ("Tracker Premier 1.2 Turbo", "flex", 164990), ("S10 High Country 2.8 Diesel", "diesel",
                      309990), ("Spin Activ 1.8", "flex", 124990)]),
        "Toyota": (56, [("Corolla XEi 2.0", "flex", 159990), ("Corolla Cross XRE 2.0", "flex", 179990),
                   ("Hilux SRX 2.8 Diesel 4x4", "diesel", 329990), ("Yaris XS 1.5 Hatch", "flex", 109990)]),
        "Hyundai": (26, [("HB20 Comfort 1.0", "flex", 87990), ("Creta Limited 1.0 Turbo", "flex", 159990)]),
        "Honda": (25, [("City Hatch EXL 1.5", "flex", 129990), ("HR-V EXL 1.5", "flex", 169990),
                  ("Civic Type R 2.0 Turbo", "gasoline", 429990)]),
        "Renault": (48, [("Kwid Zen 1.0", "flex", 69990), ("Duster Iconic 1.3 Turbo", "flex", 149990)]),
        "Jeep": (29, [("Renegade Longitude 1.3 Turbo", "flex", 139990), ("Compass Limited 1.3 Turbo", "flex",
                 199990)]),
        "BYD": (238, [("Dolphin Mini", "electric", 119800), ("Song Plus DM-i", "hybrid", 229800)]),
    },
    "motorcycles": {
        "Honda": (80, [("CG 160 Titan", "flex", 17990), ("Biz 125", "flex", 15290), ("XRE 300 Sahara", "flex",
                  30890), ("CB 500F", "gasoline", 38990)]),
        "Yamaha": (101, [("Fazer FZ25 ABS", "flex", 24690), ("MT-03 ABS", "gasoline", 32990), ("NMax 160 Connected",
                   "gasoline", 20990), ("Factor 150 DX", "flex", 17490)]),
        "Kawasaki": (85, [("Ninja 400", "gasoline", 36990), ("Z900 RS", "gasoline", 76990)]),
        "BMW Motorrad": (123, [("G 310 GS", "gasoline", 37950), ("R 1250 GS Adventure", "gasoline", 124950)]),
        "Triumph": (95, [("Tiger 900 Rally Pro", "gasoline", 82990)]),
    },
    "trucks": {
        "Mercedes-Benz": (109, [("Accelo 1016 3p", "diesel", 389000), ("Atego 2430 6x2", "diesel", 598000),
                          ("Actros 2651 S 6x4", "diesel", 1045000)]),
        "Volvo": (114, [("VM 270 4x2", "diesel", 612000), ("FH 540 6x4 Globetrotter", "diesel", 1089000)]),
        "Scania": (102, [("P 320 B 6x2", "diesel", 735000), ("R 450 A 6x2", "diesel", 958000)]),
        "VW Caminhões": (113, [("Delivery 11.180", "diesel", 352000), ("Constellation 24.280 6x2", "diesel",
                         571000)]),
        "Iveco": (103, [("Daily 35-160 Chassi", "diesel", 298000), ("Tector 240E28 6x2", "diesel", 549000)]),
    },
}
FIPE_PREFIX = {"cars": "0", "motorcycles": "8", "trucks": "5"}
CITIES = [("São Paulo", "SP"), ("Campinas", "SP"), ("Rio de Janeiro", "RJ"), ("Belo Horizonte", "MG"),
          ("Curitiba", "PR"), ("Porto Alegre", "RS"), ("Salvador", "BA"), ("Recife", "PE"), ("Brasília", "DF"),
          ("Goiânia", "GO")]
NICKNAMES = ["daily driver", "family car", "weekend ride", "work truck", "dad's old one", "city runabout",
             "road trip bike", "first car"]
GROUPS = ["Sorana", "Barigui", "Saga", "Carrera", "Amazonas", "Rodobens", "Savol", "Comolatti", "Autostar", "Navesa"]
MONTHS = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]  # FIPE reference months, newest last
CURRENT_YEAR, QUOTE_MAX_AGE, MAX_PENDING_QUOTES, GARAGE_SIZE = 2026, 5, 5, 10
Payment = Literal["cash", "financing", "trade_in", "consortium"]
Year = Annotated[int, UserKnown, Field(ge=1990, le=CURRENT_YEAR)]

Brand = TypedDict("Brand", {"brand_id": int, "brand_name": str, "vehicle_type": str, "models": int})
TypeBrand = TypedDict("TypeBrand", {"brand_id": int, "brand_name": str, "models": int, "cheapest": float,
                                    "most_expensive": float})
Vehicle = TypedDict("Vehicle", {"fipe_id": str, "name": str, "vehicle_type": str, "fuel": str, "model_year": int,
                                "price": float, "reference_month": str})
PricePoint = TypedDict("PricePoint", {"month": str, "price": float})
History = TypedDict("History", {"fipe_id": str, "name": str, "model_year": int, "price": float,
                                "change_6_months_pct": float, "history": list[PricePoint]})
Dealer = TypedDict("Dealer", {"dealer_id": str, "name": str, "brand_name": str, "city": str, "state": str,
                              "rating": float})
Quote = TypedDict("Quote", {"quote_id": str, "vehicle": str, "fipe_id": str, "model_year": int, "dealer": str,
                            "payment": str, "status": str, "fipe_price": float, "offer": float | None,
                            "requested": str})
Entry = TypedDict("Entry", {"entry_id": str, "vehicle": str, "fipe_id": str, "model_year": int, "nickname": str,
                            "paid_price": float | None, "fipe_price": float, "gain_loss": float | None})


def brl(cents: int) -> float:
    return round(cents / 100, 2)


class CarPrice(World):
    """The FIPE vehicle price table of Brazil: brands and models of cars, motorcycles and trucks, the average
    reference price of each model by model year (BRL, reference month 2026-03), franchised dealers that answer
    quote requests, and the user's garage of saved vehicles (at most 10)."""

    domain = "Commerce"
    schema = """
    CREATE TABLE brands (brand_id INTEGER PRIMARY KEY, brand_name TEXT NOT NULL, vehicle_type TEXT NOT NULL);
    CREATE INDEX brands_by_type ON brands (vehicle_type, brand_name);
    CREATE TABLE models (fipe_id TEXT PRIMARY KEY, brand_id INTEGER NOT NULL REFERENCES brands, name TEXT NOT NULL,
                         model TEXT NOT NULL, fuel TEXT NOT NULL);
    CREATE INDEX models_by_brand ON models (brand_id);
    CREATE TABLE prices (fipe_id TEXT NOT NULL REFERENCES models, model_year INTEGER NOT NULL, month TEXT NOT NULL,
                         price_cents INTEGER NOT NULL, PRIMARY KEY (fipe_id, model_year, month));
    CREATE TABLE dealers (dealer_id TEXT PRIMARY KEY, name TEXT NOT NULL, brand_id INTEGER NOT NULL REFERENCES brands,
                          city TEXT NOT NULL, state TEXT NOT NULL, rating REAL NOT NULL);
    CREATE INDEX dealers_by_brand ON dealers (brand_id, city);
    CREATE TABLE quotes (quote_id TEXT PRIMARY KEY, fipe_id TEXT NOT NULL, model_year INTEGER NOT NULL,
                         dealer_id TEXT NOT NULL REFERENCES dealers, payment TEXT NOT NULL, status TEXT NOT NULL,
                         offer_cents INTEGER, requested TEXT NOT NULL);
    CREATE INDEX quotes_by_status ON quotes (status, dealer_id);
    CREATE TABLE saved_vehicles (entry_id TEXT PRIMARY KEY, fipe_id TEXT NOT NULL, model_year INTEGER NOT NULL,
                         nickname TEXT NOT NULL, paid_cents INTEGER, saved TEXT NOT NULL, UNIQUE (fipe_id, model_year));
    """
    text_search = {"models": ("name",)}
    volatile = {"quotes": ("requested",), "saved_vehicles": ("saved",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        brands, models, prices, dealers, codes = [], [], [], [], set()
        for vtype, catalog in CATALOG.items():
            for brand, (code, lineup) in catalog.items():
                brands.append({"brand_id": code, "brand_name": brand, "vehicle_type": vtype})
                for model, fuel, new_price in lineup:
                    fipe = draw_unique(lambda: f"{FIPE_PREFIX[vtype]}{rng.randrange(1000, 99999):05d}-{rng.randrange(10)}",
                                       codes)
                    models.append({"fipe_id": fipe, "brand_id": code, "name": f"{brand} {model}", "model": model,
                                   "fuel": fuel})
                    for year in range(CURRENT_YEAR - rng.randint(4, 9), CURRENT_YEAR + 1):
                        value = new_price * (0.91 ** (CURRENT_YEAR - year)) * rng.uniform(0.96, 1.04)
                        for month in reversed(MONTHS):
                            prices.append({"fipe_id": fipe, "model_year": year, "month": month,
                                           "price_cents": int(value) * 100})
                            value *= rng.uniform(0.995, 1.02)  # older references were a bit higher
                for _ in range(rng.randint(2, 4)):
                    city, state = rng.choice(CITIES)
                    dealers.append({"dealer_id": fake_id(rng, "dlr_"), "brand_id": code, "city": city, "state": state,
                                    "name": f"{rng.choice(GROUPS)} {brand} {city}",
                                    "rating": round(rng.uniform(3.4, 5.0), 1)})
        rng.shuffle(prices)
        db["brands"].insert_all(brands)
        db["models"].insert_all(models)
        db["prices"].insert_all(prices)
        db["dealers"].insert_all(dealers)
        current = [p for p in prices if p["month"] == MONTHS[-1]]
        quotes, garage = [], []
        for n, price in enumerate(rng.sample([p for p in current if p["model_year"] > CURRENT_YEAR - QUOTE_MAX_AGE],
                                             12)):
            brand = next(m["brand_id"] for m in models if m["fipe_id"] == price["fipe_id"])
            dealer = rng.choice([d for d in dealers if d["brand_id"] == brand])
            status = ["pending", "answered", "answered", "cancelled", "expired"][n % 5]
            quotes.append({"quote_id": fake_id(rng, "qt_"), "fipe_id": price["fipe_id"],
                           "model_year": price["model_year"], "dealer_id": dealer["dealer_id"],
                           "payment": rng.choice(list(Payment.__args__)), "status": status,
                           "offer_cents": price["price_cents"] * rng.randint(93, 101) // 10000 * 100
                           if status == "answered" else None, "requested": str(cls.days_before_start(rng, 1, 40))})
        for price, nickname in zip(rng.sample(current, 5), rng.sample(NICKNAMES, 5)):
            garage.append({"entry_id": fake_id(rng, "gar_"), "fipe_id": price["fipe_id"],
                           "model_year": price["model_year"], "nickname": nickname,
                           "paid_cents": rng.choice([None, price["price_cents"] * rng.randint(85, 120) // 10000 * 100]),
                           "saved": str(cls.days_before_start(rng, 5, 300))})
        db["quotes"].insert_all(quotes)
        db["saved_vehicles"].insert_all(garage, ignore=True)

    # ----------------------------------------------------------------- helpers
    def _price(self, fipe_id: str, model_year: int) -> dict[str, Any]:
        model = self.require("SELECT m.*, b.brand_name, b.vehicle_type FROM models m JOIN brands b USING (brand_id)"
                             " WHERE fipe_id = ?", fipe_id,
                             error=f"no vehicle with FIPE code '{fipe_id}'; search_car_price finds it by brand")
        years = [r["model_year"] for r in self.rows("SELECT DISTINCT model_year FROM prices WHERE fipe_id = ?"
                                                    " ORDER BY model_year", fipe_id)]
        if model_year not in years:
            raise ToolError(f"the {model['name']} has no model year {model_year} in the FIPE table; "
                            f"years listed: {years[0]}-{years[-1]}")
        cents = self.value("SELECT price_cents FROM prices WHERE fipe_id = ? AND model_year = ? AND month = ?",
                           fipe_id, model_year, MONTHS[-1])
        return {**model, "model_year": model_year, "price_cents": cents}

    def _brands(self, brand_name: str, vehicle_type: str | None) -> list[dict[str, Any]]:
        found = self.rows("SELECT * FROM brands WHERE lower(brand_name) = lower(?) AND (?2 IS NULL OR vehicle_type"
                          " = ?2) ORDER BY brand_id", brand_name.strip(), vehicle_type)
        if not found:
            raise ToolError(f"no brand '{brand_name}'{' among ' + vehicle_type if vehicle_type else ''} in the FIPE"
                            " table; get_car_brands lists them")
        return found

    def _quote(self, quote_id: str) -> Quote:
        q = self.require("SELECT q.*, d.name AS dealer, m.name AS vehicle FROM quotes q JOIN dealers d USING"
                         " (dealer_id) JOIN models m USING (fipe_id) WHERE quote_id = ?", quote_id,
                         error=f"no quote request '{quote_id}'; list_quotes shows yours")
        fipe = self._price(q["fipe_id"], q["model_year"])["price_cents"]
        return {"quote_id": quote_id, "vehicle": q["vehicle"], "fipe_id": q["fipe_id"], "model_year": q["model_year"],
                "dealer": q["dealer"], "payment": q["payment"], "status": q["status"], "fipe_price": brl(fipe),
                "offer": None if q["offer_cents"] is None else brl(q["offer_cents"]), "requested": q["requested"]}

    def _entry(self, entry: dict[str, Any]) -> Entry:
        price = self._price(entry["fipe_id"], entry["model_year"])["price_cents"]
        paid = entry["paid_cents"]
        return {"entry_id": entry["entry_id"], "vehicle": self.value("SELECT name FROM models WHERE fipe_id = ?",
                entry["fipe_id"]), "fipe_id": entry["fipe_id"], "model_year": entry["model_year"],
                "nickname": entry["nickname"], "paid_price": None if paid is None else brl(paid),
                "fipe_price": brl(price), "gain_loss": None if paid is None else brl(price - paid)}

    # ----------------------------------------------------------------- reads
    @tool(phrase=["list the vehicle brands in the FIPE table", "show me [the first {limit} ]car brands"])
    def get_car_brands(self, limit: Annotated[int, Field(ge=1, le=100)] = 50,
                       vehicle_type: VehicleType | None = None) -> list[Brand]:
        """Brands of the price table with their FIPE brand code and number of models, by name.

        Args:
            limit: At most this many brands.
            vehicle_type: Only brands of cars, motorcycles or trucks.
        """
        return self.rows("SELECT b.*, (SELECT COUNT(*) FROM models m WHERE m.brand_id = b.brand_id) AS models"
                         " FROM brands b WHERE ?1 IS NULL OR vehicle_type = ?1 ORDER BY brand_name, vehicle_type"
                         " LIMIT ?2", vehicle_type, limit)

    @tool(phrase=["look up FIPE prices of {brand_name}[ {model}][ {vehicle_type}][ from {model_year}]",
                  "check what a[ {model_year}] {brand_name}[ {model}] is worth"])
    def search_car_price(self, brand_name: Annotated[NonEmptyStr, UserKnown], model: str | None = None,
                         model_year: Year | None = None, vehicle_type: VehicleType | None = None) -> list[Vehicle]:
        """FIPE reference prices (BRL, current month) of a brand's models, one row per model and model year.

        Args:
            brand_name: The brand, e.g. "Fiat" (Honda, for one, makes cars and motorcycles).
            model: Only models whose name contains this text, e.g. "Onix".
            model_year: Only this model year.
            vehicle_type: Only cars, motorcycles or trucks of the brand.
        """
        ids = [b["brand_id"] for b in self._brands(brand_name, vehicle_type)]
        matches, params = self.text_filter("models", model) if model and model.strip() else ("1", ())
        rows = self.rows(f"SELECT models.*, b.vehicle_type, p.model_year, p.price_cents FROM models JOIN brands b"
                         f" USING (brand_id) JOIN prices p USING (fipe_id) WHERE {matches} AND p.month = ? AND"
                         f" models.brand_id IN ({', '.join('?' * len(ids))}) AND (? IS NULL OR p.model_year = ?)"
                         " ORDER BY models.name, p.model_year DESC", *params, MONTHS[-1], *ids, model_year, model_year)
        return [{"fipe_id": r["fipe_id"], "name": r["name"], "vehicle_type": r["vehicle_type"], "fuel": r["fuel"],
                 "model_year": r["model_year"], "price": brl(r["price_cents"]), "reference_month": MONTHS[-1]}
                for r in rows]

    @tool(phrase=["list the brands of {vehicle_type} in the FIPE table with their price ranges",
                  "compare the brands of {vehicle_type} by price range"])
    def get_vehicles_by_type(self, vehicle_type: VehicleType) -> list[TypeBrand]:
        """Brands of one vehicle type with their model count and cheapest and dearest current reference price.

        Args:
            vehicle_type: cars, motorcycles or trucks.
        """
        rows = self.rows("SELECT b.brand_id, b.brand_name, COUNT(DISTINCT m.fipe_id) AS models, MIN(p.price_cents)"
                         " AS lo, MAX(p.price_cents) AS hi FROM brands b JOIN models m USING (brand_id) JOIN prices p"
                         " USING (fipe_id) WHERE b.vehicle_type = ? AND p.month = ? GROUP BY b.brand_id"
                         " ORDER BY b.brand_name", vehicle_type, MONTHS[-1])
        return [{"brand_id": r["brand_id"], "brand_name": r["brand_name"], "models": r["models"],
                 "cheapest": brl(r["lo"]), "most_expensive": brl(r["hi"])} for r in rows]

    @tool(phrase=["check how the FIPE price of a {model_year} model has moved over the last six months",
                  "show the FIPE price history of a {model_year} model"])
    def get_price_history(self, fipe_id: str, model_year: Year) -> History:
        """The reference price of one model and model year in each of the last six FIPE months (oldest first).

        Args:
            fipe_id: FIPE code of the model, e.g. "004278-1" (from search_car_price).
            model_year: The model year.
        """
        vehicle = self._price(fipe_id, model_year)
        rows = self.rows("SELECT month, price_cents FROM prices WHERE fipe_id = ? AND model_year = ? ORDER BY month",
                         fipe_id, model_year)
        first = rows[0]["price_cents"]
        return {"fipe_id": fipe_id, "name": vehicle["name"], "model_year": model_year,
                "price": brl(vehicle["price_cents"]),
                "change_6_months_pct": round((vehicle["price_cents"] - first) * 100 / first, 1),
                "history": [{"month": r["month"], "price": brl(r["price_cents"])} for r in rows]}

    @tool(phrase=["find {brand_name} dealers[ in {city}]", "which {brand_name} dealerships are there[ in {city}]"])
    def find_dealers(self, brand_name: Annotated[NonEmptyStr, UserKnown],
                     city: Annotated[str, UserKnown] | None = None) -> list[Dealer]:
        """Franchised dealers of a brand, best rated first.

        Args:
            brand_name: The brand, e.g. "Toyota".
            city: Only dealers in this city, e.g. "Curitiba".
        """
        ids = [b["brand_id"] for b in self._brands(brand_name, None)]
        return self.rows(f"SELECT d.dealer_id, d.name, b.brand_name, d.city, d.state, d.rating FROM dealers d JOIN"
                         f" brands b USING (brand_id) WHERE d.brand_id IN ({', '.join('?' * len(ids))}) AND"
                         " (? IS NULL OR lower(d.city) = lower(?)) ORDER BY d.rating DESC, d.name", *ids, city, city)

    @tool(phrase=["show my dealer quote requests", "list my {status} quotes"])
    def list_quotes(self, status: Literal["pending", "answered", "cancelled", "expired"] | None = None) -> list[Quote]:
        """The user's quote requests to dealers with each one's FIPE price and the dealer's offer, newest first.

        Args:
            status: Only quotes in this status.
        """
        return [self._quote(r["quote_id"]) for r in self.rows(
            "SELECT quote_id FROM quotes WHERE ?1 IS NULL OR status = ?1 ORDER BY requested DESC, quote_id", status)]

    @tool(phrase=["show my garage", "check what the vehicles in my garage are worth now"])
    def list_garage(self) -> list[Entry]:
        """The vehicles saved in the user's garage, each with its current FIPE value and gain or loss on the price
        paid."""
        return [self._entry(r) for r in self.rows("SELECT * FROM saved_vehicles ORDER BY saved, entry_id")]

    # ----------------------------------------------------------------- writes
    @tool(writes=True, phrase=["ask a dealer for a {payment} quote on a {model_year} vehicle",
                               "get a dealer to quote me a {model_year} model, paying by {payment}",
                               "request a dealer price for a {model_year} model ({payment})"])
    def request_dealer_quote(self, fipe_id: str, model_year: Year, dealer_id: str, payment: Payment) -> Quote:
        """Ask a franchised dealer for a price on a model. Dealers quote their own brand only, model years up to
        5 years old, one open request per vehicle and dealer; at most 5 requests can wait for an answer.

        Args:
            fipe_id: FIPE code of the model (from search_car_price).
            model_year: The model year wanted.
            dealer_id: The dealer (from find_dealers).
            payment: How the user will pay: cash, financing, trade_in (with a used vehicle) or consortium.
        """
        vehicle = self._price(fipe_id, model_year)
        dealer = self.require("SELECT * FROM dealers WHERE dealer_id = ?", dealer_id,
                              error=f"no dealer '{dealer_id}'; find_dealers lists them by brand")
        if dealer["brand_id"] != vehicle["brand_id"]:
            raise ToolError(f"{dealer['name']} is not a {vehicle['brand_name']} dealer; find_dealers lists the "
                            f"dealers of {vehicle['brand_name']}")
        if model_year < CURRENT_YEAR - QUOTE_MAX_AGE:
            raise ToolError(f"dealers quote vehicles from model year {CURRENT_YEAR - QUOTE_MAX_AGE} on; the "
                            f"{model_year} {vehicle['name']} is too old for a dealer quote")
        open_id = self.value("SELECT quote_id FROM quotes WHERE fipe_id = ? AND model_year = ? AND dealer_id = ? AND"
                             " status IN ('pending', 'answered')", fipe_id, model_year, dealer_id)
        if open_id:
            raise ToolError(f"you already have an open quote ({open_id}) for the {model_year} {vehicle['name']} "
                            f"at {dealer['name']}")
        if self.value("SELECT COUNT(*) FROM quotes WHERE status = 'pending'") >= MAX_PENDING_QUOTES:
            raise ToolError(f"{MAX_PENDING_QUOTES} quote requests are already waiting for an answer; cancel one "
                            "with cancel_quote first")
        quote_id = self.new_id("quotes", "qt_")
        self.execute("INSERT INTO quotes VALUES (?, ?, ?, ?, ?, 'pending', NULL, ?)", quote_id, fipe_id, model_year,
                     dealer_id, payment, self.now().date().isoformat())
        return self._quote(quote_id)

    @tool(writes=True, phrase=["cancel {quote_id}", "withdraw {quote_id}", "decline the dealer's answer to {quote_id}"])
    def cancel_quote(self, quote_id: str) -> Quote:
        """Cancel a pending quote request, or decline a dealer's answered offer.

        Args:
            quote_id: The quote request (from list_quotes).
        """
        quote = self._quote(quote_id)
        if quote["status"] not in ("pending", "answered"):
            raise ToolError(f"quote {quote_id} is already {quote['status']}; only pending or answered quotes can be"
                            " cancelled")
        self.execute("UPDATE quotes SET status = 'cancelled' WHERE quote_id = ?", quote_id)
        return {**quote, "status": "cancelled"}

    @tool(writes=True, phrase=["save my {model_year} vehicle to my garage[ as '{nickname}']",
                               "add a {model_year} model to my garage[ under the nickname '{nickname}']",
                               "follow the FIPE value of my {model_year} vehicle in my garage"])
    def save_vehicle(self, fipe_id: str, model_year: Year, nickname: Annotated[str, Field(max_length=40)] | None = None,
                     paid_price: Annotated[float, UserKnown, Field(gt=0, le=5_000_000)] | None = None) -> Entry:
        """Save a model and year to the user's garage to follow its FIPE value (at most 10 vehicles, each once).

        Args:
            fipe_id: FIPE code of the model (from search_car_price).
            model_year: The vehicle's model year.
            nickname: A name for it, e.g. "daily driver" (default: the model's name).
            paid_price: What the user paid, in BRL, to follow the gain or loss.
        """
        vehicle = self._price(fipe_id, model_year)
        taken = self.value("SELECT entry_id FROM saved_vehicles WHERE fipe_id = ? AND model_year = ?", fipe_id, model_year)
        if taken:
            raise ToolError(f"the {model_year} {vehicle['name']} is already in your garage as {taken}")
        if self.value("SELECT COUNT(*) FROM saved_vehicles") >= GARAGE_SIZE:
            raise ToolError(f"your garage is full ({GARAGE_SIZE} vehicles); remove one with remove_vehicle first")
        entry_id = self.new_id("saved_vehicles", "gar_")
        self.execute("INSERT INTO saved_vehicles VALUES (?, ?, ?, ?, ?, ?)", entry_id, fipe_id, model_year,
                     (nickname or "").strip() or vehicle["name"],
                     None if paid_price is None else round(paid_price * 100), self.now().date().isoformat())
        return self._entry(self.row("SELECT * FROM saved_vehicles WHERE entry_id = ?", entry_id))

    @tool(writes=True, phrase=["remove {entry_id} from my garage", "take {entry_id} out of my garage since I sold it"])
    def remove_vehicle(self, entry_id: str) -> Entry:
        """Remove a vehicle from the user's garage.

        Args:
            entry_id: The garage entry (from list_garage).
        """
        entry = self.require("SELECT * FROM saved_vehicles WHERE entry_id = ?", entry_id,
                             error=f"no garage entry '{entry_id}'; list_garage shows your vehicles")
        self.execute("DELETE FROM saved_vehicles WHERE entry_id = ?", entry_id)
        return self._entry(entry)
