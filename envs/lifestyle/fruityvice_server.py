"""FruityviceServer: the Fruityvice fruit database (taxonomy and nutrition per 100 g) with a personal fruit log."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

# name, family, genus, order, calories, fat, sugar, carbohydrates, protein (per 100 g)
FRUITS = [
    ("Apple", "Rosaceae", "Malus", "Rosales", 52, 0.4, 10.3, 11.4, 0.3),
    ("Apricot", "Rosaceae", "Prunus", "Rosales", 48, 0.4, 9.2, 11.1, 1.4),
    ("Avocado", "Lauraceae", "Persea", "Laurales", 160, 14.7, 0.7, 8.5, 2.0),
    ("Banana", "Musaceae", "Musa", "Zingiberales", 96, 0.2, 17.2, 22.0, 1.0),
    ("Blackberry", "Rosaceae", "Rubus", "Rosales", 40, 0.4, 4.5, 9.0, 1.3),
    ("Blueberry", "Ericaceae", "Vaccinium", "Ericales", 57, 0.3, 10.0, 14.5, 0.7),
    ("Cherry", "Rosaceae", "Prunus", "Rosales", 50, 0.3, 8.0, 12.0, 1.0),
    ("Cranberry", "Ericaceae", "Vaccinium", "Ericales", 46, 0.1, 4.0, 12.2, 0.4),
    ("Dragonfruit", "Cactaceae", "Selenicereus", "Caryophyllales", 60, 1.5, 8.0, 9.0, 9.0),
    ("Durian", "Malvaceae", "Durio", "Malvales", 147, 5.3, 6.8, 27.1, 1.5),
    ("Feijoa", "Myrtaceae", "Sellowiana", "Myrtales", 44, 0.4, 3.0, 8.0, 0.6),
    ("Fig", "Moraceae", "Ficus", "Rosales", 74, 0.3, 16.3, 19.0, 0.8),
    ("Gooseberry", "Grossulariaceae", "Ribes", "Saxifragales", 44, 0.6, 6.9, 10.0, 0.9),
    ("GreenApple", "Rosaceae", "Malus", "Rosales", 21, 0.1, 6.4, 3.1, 0.4),
    ("Guava", "Myrtaceae", "Psidium", "Myrtales", 68, 1.0, 9.0, 14.0, 2.6),
    ("Grape", "Vitaceae", "Vitis", "Vitales", 69, 0.2, 16.0, 18.1, 0.7),
    ("Hazelnut", "Betulaceae", "Corylus", "Fagales", 628, 61.0, 4.3, 17.0, 15.0),
    ("Jackfruit", "Moraceae", "Artocarpus", "Rosales", 95, 0.6, 19.1, 23.2, 1.7),
    ("Kiwi", "Actinidiaceae", "Actinidia", "Struthioniformes", 61, 0.5, 9.0, 15.0, 1.1),
    ("Lemon", "Rutaceae", "Citrus", "Sapindales", 29, 0.3, 2.5, 9.0, 1.1),
    ("Lime", "Rutaceae", "Citrus", "Sapindales", 25, 0.1, 1.7, 8.4, 0.3),
    ("Lingonberry", "Ericaceae", "Vaccinium", "Ericales", 50, 0.3, 5.6, 11.3, 0.8),
    ("Lychee", "Sapindaceae", "Litchi", "Sapindales", 66, 0.4, 15.0, 17.0, 0.8),
    ("Mango", "Anacardiaceae", "Mangifera", "Sapindales", 60, 0.4, 13.7, 15.0, 0.8),
    ("Melon", "Cucurbitaceae", "Cucumis", "Cucurbitales", 34, 0.0, 8.0, 8.0, 0.0),
    ("Morus", "Moraceae", "Morus", "Rosales", 43, 0.4, 8.1, 9.8, 1.4),
    ("Orange", "Rutaceae", "Citrus", "Sapindales", 43, 0.2, 8.2, 8.3, 1.0),
    ("Papaya", "Caricaceae", "Carica", "Brassicales", 39, 0.1, 5.9, 11.0, 0.5),
    ("Passionfruit", "Passifloraceae", "Passiflora", "Malpighiales", 97, 0.7, 11.2, 22.4, 2.2),
    ("Peach", "Rosaceae", "Prunus", "Rosales", 39, 0.3, 8.4, 9.5, 0.9),
    ("Pear", "Rosaceae", "Pyrus", "Rosales", 57, 0.1, 10.0, 15.0, 0.4),
    ("Persimmon", "Ebenaceae", "Diospyros", "Ericales", 81, 0.0, 18.0, 18.0, 0.0),
    ("Pineapple", "Bromeliaceae", "Ananas", "Poales", 50, 0.1, 9.9, 13.1, 0.5),
    ("Pitahaya", "Cactaceae", "Cactaceae", "Caryophyllales", 36, 0.4, 3.0, 7.0, 1.0),
    ("Plum", "Rosaceae", "Prunus", "Rosales", 46, 0.3, 9.9, 11.4, 0.7),
    ("Pomegranate", "Lythraceae", "Punica", "Myrtales", 83, 1.2, 13.7, 18.7, 1.7),
    ("Raspberry", "Rosaceae", "Rubus", "Rosales", 53, 0.7, 4.4, 12.0, 1.2),
    ("Strawberry", "Rosaceae", "Fragaria", "Rosales", 29, 0.4, 5.4, 5.5, 0.8),
    ("Tomato", "Solanaceae", "Solanum", "Solanales", 74, 0.2, 2.6, 3.9, 0.9),
    ("Watermelon", "Cucurbitaceae", "Citrullus", "Cucurbitales", 30, 0.2, 6.0, 8.0, 0.6),
]
NUTRIENTS = ("calories", "fat", "sugar", "carbohydrates", "protein")
LOG_WINDOW_DAYS = 14
Username = Annotated[str, UserKnown, Field(min_length=3, max_length=30)]
FruitName = Annotated[str, UserKnown, Field(min_length=2, max_length=40)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Amount = Annotated[float, Field(ge=0, le=1000)]

Nutritions = TypedDict("Nutritions", {"calories": float, "fat": float, "sugar": float, "carbohydrates": float,
                                      "protein": float})
Fruit = TypedDict("Fruit", {"name": str, "id": int, "family": str, "genus": str, "order": str,
                            "nutritions": Nutritions})
FruitList = TypedDict("FruitList", {"fruits": list[Fruit]})
NutrientMatch = TypedDict("NutrientMatch", {"name": str, "id": int, "family": str, "amount": float})
NutrientMatches = TypedDict("NutrientMatches", {"nutrient": str, "fruits": list[NutrientMatch]})
Entry = TypedDict("Entry", {"entry_id": str, "fruit_name": str, "grams": int, "calories": float, "sugar": float})
Logged = TypedDict("Logged", {"entry_id": str, "username": str, "date": str, "fruit_name": str, "grams": int,
                              "calories": float, "sugar": float, "sugar_today": float, "sugar_left": float})
Day_ = TypedDict("Day_", {"username": str, "date": str, "entries": list[Entry], "total_calories": float,
                          "total_sugar": float, "daily_sugar_limit": int, "sugar_left": float})
Removed = TypedDict("Removed", {"entry_id": str, "removed": bool, "sugar_today": float})
Limit = TypedDict("Limit", {"username": str, "daily_sugar_limit": int, "previous_limit": int})


def fruit_out(row: dict[str, Any]) -> Fruit:
    return {"name": row["name"], "id": row["id"], "family": row["family"], "genus": row["genus"],
            "order": row["order"], "nutritions": {n: float(row[n]) for n in NUTRIENTS}}


class FruityviceServer(World):
    """Fruityvice: fruits with their family, genus and order and their nutrition per 100 g, plus each member's
    fruit intake log with a personal daily sugar limit. Only admins may add fruits to the database."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE fruits (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, family TEXT NOT NULL,
                         genus TEXT NOT NULL, "order" TEXT NOT NULL, calories REAL NOT NULL, fat REAL NOT NULL,
                         sugar REAL NOT NULL, carbohydrates REAL NOT NULL, protein REAL NOT NULL,
                         added_by TEXT NOT NULL);
    CREATE INDEX fruits_by_family ON fruits (family COLLATE NOCASE);
    CREATE INDEX fruits_by_genus ON fruits (genus COLLATE NOCASE);
    CREATE INDEX fruits_by_order ON fruits ("order" COLLATE NOCASE);
    CREATE TABLE members (username TEXT PRIMARY KEY, full_name TEXT NOT NULL,
                          role TEXT NOT NULL CHECK (role IN ('member', 'admin')), sugar_limit INTEGER NOT NULL);
    -- every change of a member's daily sugar limit, oldest first
    CREATE TABLE limits (change_id TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES members,
                         changed_on TEXT NOT NULL, daily_sugar_limit INTEGER NOT NULL);
    CREATE INDEX limits_by_member ON limits (username);
    CREATE TABLE intake (entry_id TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES members,
                         date TEXT NOT NULL, fruit_name TEXT NOT NULL, grams INTEGER NOT NULL,
                         calories REAL NOT NULL, sugar REAL NOT NULL);
    CREATE INDEX intake_by_member ON intake (username, date);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        chosen = sorted(rng.sample(FRUITS, 34))
        ids = rng.sample(range(1, 120), len(chosen))
        db["fruits"].insert_all({"id": i, **dict(zip(("name", "family", "genus", "order", *NUTRIENTS), f)),
                                 "added_by": "fruityvice"} for i, f in zip(ids, chosen))
        members, entries, history = {}, [], []
        while len(members) < 24:
            name = fake.user_name()
            if name in members or len(name) < 3:
                continue
            members[name] = {"username": name, "full_name": fake.name(), "role": "admin" if len(members) % 8 == 0
                             else "member", "sugar_limit": 0}
            for back in sorted(rng.sample(range(15, 200), rng.randrange(1, 3)), reverse=True):
                members[name]["sugar_limit"] = rng.choice([40, 45, 50, 60, 75, 90])
                history.append({"change_id": fake_id(rng, "lim_"), "username": name, "changed_on":
                                cls.days_before_start(rng, back, back).isoformat(),
                                "daily_sugar_limit": members[name]["sugar_limit"]})
            for _ in range(rng.randrange(6, 20)):
                fruit = rng.choice(chosen)
                grams = rng.choice([50, 80, 100, 120, 150, 200, 250])
                entries.append({"username": name, "date": cls.days_before_start(rng, 0, LOG_WINDOW_DAYS).isoformat(),
                                "fruit_name": fruit[0], "grams": grams, "calories": round(fruit[4] * grams / 100, 1),
                                "sugar": round(fruit[6] * grams / 100, 1)})
        db["members"].insert_all(members.values())
        db["limits"].insert_all(history)
        entries.sort(key=lambda e: (e["date"], e["username"]))
        db["intake"].insert_all({"entry_id": fake_id(rng, "log_"), **e} for e in entries)

    def _fruit(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM fruits WHERE name = ?", name.strip(),
                            error=f"no fruit named '{name}'; list_fruits shows the fruits in the database")

    def _member(self, username: str) -> dict[str, Any]:
        return self.require("SELECT * FROM members WHERE username = ?", username,
                            error=f"no Fruityvice member '{username}'")

    def _sugar(self, username: str, date: str) -> float:
        return round(self.value("SELECT COALESCE(SUM(sugar), 0) FROM intake WHERE username = ? AND date = ?",
                                username, date), 1)

    @tool(phrase=["show me the fruits in the Fruityvice database", "list [{limit} ]fruits Fruityvice knows"])
    def list_fruits(self, limit: Annotated[int, Field(ge=1, le=100)] = 50) -> FruitList:
        """All fruits in the database with taxonomy and nutrition per 100 g, by name.

        Args:
            limit: At most this many fruits.
        """
        return {"fruits": [fruit_out(r) for r in self.rows("SELECT * FROM fruits ORDER BY name LIMIT ?", limit)]}

    @tool(phrase=["look up the nutrition of {fruit_name}", "get the nutrition facts for {fruit_name}"])
    def get_fruit_nutrition(self, fruit_name: FruitName) -> Fruit:
        """One fruit's family, genus, order and nutrition per 100 g (name match ignores case).

        Args:
            fruit_name: The fruit, e.g. "Banana".
        """
        return fruit_out(self._fruit(fruit_name))

    @tool(phrase=["which fruits belong to the {family} family", "list the fruits of the genus {genus}",
                  "find fruits in the order {order}"])
    def get_fruits_by_taxonomy(self, family: str | None = None, genus: str | None = None,
                               order: str | None = None) -> FruitList:
        """Fruits of one botanical family, genus or order (give exactly one of them).

        Args:
            family: A family, e.g. "Rosaceae".
            genus: A genus, e.g. "Citrus".
            order: An order, e.g. "Rosales".
        """
        given = {k: v.strip() for k, v in (("family", family), ("genus", genus), ("order", order)) if v}
        if len(given) != 1:
            raise ToolError("give exactly one of family, genus or order")
        (rank, value), = given.items()
        found = self.rows(f'SELECT * FROM fruits WHERE "{rank}" = ? COLLATE NOCASE ORDER BY name', value)
        if not found:
            raise ToolError(f"no fruits with {rank} '{value}'")
        return {"fruits": [fruit_out(r) for r in found]}

    @tool(phrase=["find fruits by {nutrient} per 100 g[ from {min_value}][ up to {max_value}]",
                  "list fruits with[ at least {min_value}][ at most {max_value}] {nutrient} per 100 g"])
    def search_by_nutrition(self, nutrient: Literal["calories", "fat", "sugar", "carbohydrates", "protein"],
                            min_value: Amount = 0, max_value: Amount = 1000) -> NutrientMatches:
        """Fruits whose amount of a nutrient per 100 g lies in a range (inclusive), lowest first.

        Args:
            nutrient: The nutrient to filter on.
            min_value: Lowest amount (g, or kcal for calories).
            max_value: Highest amount (g, or kcal for calories).
        """
        if min_value > max_value:
            raise ToolError("min_value must not be greater than max_value")
        return {"nutrient": nutrient, "fruits": self.rows(
            f"SELECT name, id, family, {nutrient} AS amount FROM fruits WHERE {nutrient} BETWEEN ? AND ?"
            f" ORDER BY {nutrient}, name", min_value, max_value)}

    @tool(writes=True, phrase=[
        "as admin {username}, add {name} (family {family}, genus {genus}, order {order}) to Fruityvice with "
        "{calories} kcal, {fat} g fat, {sugar} g sugar, {carbohydrates} g carbs and {protein} g protein per 100 g"])
    def add_fruit(self, username: Username, name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z ]{1,39}$")],
                  family: NonEmptyStr, genus: NonEmptyStr, order: NonEmptyStr, calories: Amount, fat: Amount,
                  sugar: Amount, carbohydrates: Amount, protein: Amount) -> Fruit:
        """Add a new fruit to the database (admins only); sugar cannot exceed carbohydrates.

        Args:
            username: The admin's username.
            name: The fruit's name (letters and spaces).
            family: Botanical family.
            genus: Botanical genus.
            order: Botanical order.
            calories: kcal per 100 g.
            fat: Grams of fat per 100 g.
            sugar: Grams of sugar per 100 g.
            carbohydrates: Grams of carbohydrates per 100 g.
            protein: Grams of protein per 100 g.
        """
        if self._member(username)["role"] != "admin":
            raise ToolError(f"'{username}' is not an admin; only admins can add fruits")
        if self.row("SELECT 1 FROM fruits WHERE name = ?", name.strip()):
            raise ToolError(f"a fruit named '{name.strip()}' already exists; use get_fruit_nutrition to see it")
        if sugar > carbohydrates:
            raise ToolError("sugar cannot be more than carbohydrates (sugar is part of the carbohydrates)")
        new = (self.value("SELECT MAX(id) FROM fruits") or 0) + 1
        self.execute("INSERT INTO fruits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new, name.strip(),
                     family.strip(), genus.strip(), order.strip(), calories, fat, sugar, carbohydrates, protein,
                     username)
        self.mark_generated("fruits", new)
        return fruit_out(self._fruit(name))

    @tool(writes=True, phrase=["log {grams} g of {fruit_name} for {username} on {date}",
                               "add {grams} grams of {fruit_name} to the fruit log of {username} for {date}",
                               "record that {username} ate {grams} g of {fruit_name} on {date}"])
    def log_fruit_intake(self, username: Username, fruit_name: FruitName,
                         grams: Annotated[int, Field(ge=1, le=1000)], date: Day) -> Logged:
        """Log fruit eaten on a day (today or up to 14 days back); refused when it would exceed the member's daily
        sugar limit.

        Args:
            username: The member's username.
            fruit_name: The fruit eaten.
            grams: How much was eaten, in grams (1-1000).
            date: The day eaten (YYYY-MM-DD).
        """
        member, fruit = self._member(username), self._fruit(fruit_name)
        today = self.now().date()
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise ToolError(f"'{date}' is not a real date (YYYY-MM-DD)") from None
        if day > today:
            raise ToolError(f"cannot log fruit for {date}: it is in the future (today is {today})")
        if (today - day).days > LOG_WINDOW_DAYS:
            raise ToolError(f"cannot log fruit for {date}: the log only accepts the last {LOG_WINDOW_DAYS} days")
        sugar, before = round(fruit["sugar"] * grams / 100, 1), self._sugar(username, date)
        limit = member["sugar_limit"]
        if before + sugar > limit:
            raise ToolError(f"{grams} g of {fruit['name']} adds {sugar} g sugar; {username} already has {before} g on"
                            f" {date} and the daily limit is {limit} g. Log less or raise the limit first")
        entry = self.new_id("intake", "log_")
        calories = round(fruit["calories"] * grams / 100, 1)
        self.execute("INSERT INTO intake VALUES (?, ?, ?, ?, ?, ?, ?)", entry, username, date, fruit["name"], grams,
                     calories, sugar)
        total = round(before + sugar, 1)
        return {"entry_id": entry, "username": username, "date": date, "fruit_name": fruit["name"], "grams": grams,
                "calories": calories, "sugar": sugar, "sugar_today": total, "sugar_left": round(limit - total, 1)}

    @tool(phrase=["show what {username} ate on {date}", "check the fruit log of {username} for {date}"])
    def get_daily_intake(self, username: Username, date: Day) -> Day_:
        """A member's fruit log for one day with calorie and sugar totals and the sugar still allowed.

        Args:
            username: The member's username.
            date: The day (YYYY-MM-DD).
        """
        member = self._member(username)
        entries = self.rows("SELECT entry_id, fruit_name, grams, calories, sugar FROM intake"
                            " WHERE username = ? AND date = ? ORDER BY entry_id", username, date)
        sugar = self._sugar(username, date)
        return {"username": username, "date": date, "entries": entries,
                "total_calories": round(sum(e["calories"] for e in entries), 1), "total_sugar": sugar,
                "daily_sugar_limit": member["sugar_limit"],
                "sugar_left": round(member["sugar_limit"] - sugar, 1)}

    @tool(writes=True, phrase=["remove {entry_id} from the fruit log of {username}",
                               "take {entry_id} out of {username}'s fruit log"])
    def remove_intake_entry(self, username: Username, entry_id: str) -> Removed:
        """Delete one entry of a member's fruit log.

        Args:
            username: The member's username.
            entry_id: The log entry (from get_daily_intake).
        """
        self._member(username)
        entry = self.require("SELECT * FROM intake WHERE entry_id = ?", entry_id,
                             error=f"no fruit log entry '{entry_id}'")
        if entry["username"] != username:
            raise ToolError(f"entry '{entry_id}' belongs to another member's log")
        self.execute("DELETE FROM intake WHERE entry_id = ?", entry_id)
        return {"entry_id": entry_id, "removed": True, "sugar_today": self._sugar(username, entry["date"])}

    @tool(writes=True, phrase=["set the daily sugar limit of {username} to {daily_sugar_limit} g",
                               "change my daily sugar limit to {daily_sugar_limit} grams (username {username})"])
    def set_daily_sugar_limit(self, username: Username,
                              daily_sugar_limit: Annotated[int, Field(ge=10, le=200)]) -> Limit:
        """Change a member's daily sugar limit (10-200 g) that the fruit log enforces.

        Args:
            username: The member's username.
            daily_sugar_limit: The new limit in grams.
        """
        previous = self._member(username)["sugar_limit"]
        if daily_sugar_limit == previous:
            raise ToolError(f"the daily sugar limit of '{username}' is already {previous} g")
        self.execute("UPDATE members SET sugar_limit = ? WHERE username = ?", daily_sugar_limit, username)
        self.execute("INSERT INTO limits VALUES (?, ?, ?, ?)", self.new_id("limits", "lim_"), username,
                     self.now().date().isoformat(), daily_sugar_limit)
        return {"username": username, "daily_sugar_limit": daily_sugar_limit, "previous_limit": previous}
