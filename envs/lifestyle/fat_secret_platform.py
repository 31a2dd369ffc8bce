"""FatSecretPlatform: the FatSecret food and recipe database (servings, barcodes, photo recognition) and a
member's food diary and saved foods."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique, fake_id

# name, per 100 g: kcal, carbohydrate, protein, fat, sugar, sodium mg; servings (description, grams); vegan,
# vegetarian, gluten free, allergens
FOODS = [
    ("Rolled Oats", 379, 67.7, 13.2, 6.5, 1.0, 6, [("1/2 cup dry", 40)], 1, 1, 0, "gluten"),
    ("Greek Yogurt", 97, 3.9, 9.0, 5.0, 3.6, 35, [("1 container", 170), ("1 cup", 245)], 0, 1, 1, "milk"),
    ("Whole Milk", 61, 4.8, 3.2, 3.3, 5.1, 43, [("1 cup", 244)], 0, 1, 1, "milk"),
    ("Large Egg", 143, 0.7, 12.6, 9.5, 0.4, 142, [("1 large", 50)], 0, 1, 1, "egg"),
    ("Chicken Breast", 165, 0.0, 31.0, 3.6, 0.0, 74, [("1 breast", 172), ("3 oz", 85)], 0, 0, 1, ""),
    ("Salmon Fillet", 208, 0.0, 20.4, 13.4, 0.0, 59, [("1 fillet", 154), ("3 oz", 85)], 0, 0, 1, "fish"),
    ("Brown Rice", 112, 23.5, 2.3, 0.8, 0.4, 5, [("1 cup cooked", 195)], 1, 1, 1, ""),
    ("White Rice", 130, 28.2, 2.7, 0.3, 0.1, 1, [("1 cup cooked", 158)], 1, 1, 1, ""),
    ("Whole Wheat Bread", 247, 41.3, 13.0, 3.4, 5.6, 400, [("1 slice", 32)], 1, 1, 0, "gluten"),
    ("Spaghetti", 158, 30.9, 5.8, 0.9, 0.6, 1, [("1 cup cooked", 140)], 1, 1, 0, "gluten"),
    ("Black Beans", 132, 23.7, 8.9, 0.5, 0.3, 1, [("1/2 cup", 86)], 1, 1, 1, ""),
    ("Chickpeas", 164, 27.4, 8.9, 2.6, 4.8, 7, [("1/2 cup", 82)], 1, 1, 1, ""),
    ("Firm Tofu", 144, 2.8, 17.3, 8.7, 0.6, 14, [("1/2 cup", 126)], 1, 1, 1, "soy"),
    ("Broccoli", 34, 6.6, 2.8, 0.4, 1.7, 33, [("1 cup chopped", 91)], 1, 1, 1, ""),
    ("Spinach", 23, 3.6, 2.9, 0.4, 0.4, 79, [("1 cup raw", 30)], 1, 1, 1, ""),
    ("Sweet Potato", 86, 20.1, 1.6, 0.1, 4.2, 55, [("1 medium", 130)], 1, 1, 1, ""),
    ("Avocado", 160, 8.5, 2.0, 14.7, 0.7, 7, [("1/2 fruit", 100)], 1, 1, 1, ""),
    ("Banana", 89, 22.8, 1.1, 0.3, 12.2, 1, [("1 medium", 118)], 1, 1, 1, ""),
    ("Apple", 52, 13.8, 0.3, 0.2, 10.4, 1, [("1 medium", 182)], 1, 1, 1, ""),
    ("Blueberries", 57, 14.5, 0.7, 0.3, 10.0, 1, [("1 cup", 148)], 1, 1, 1, ""),
    ("Almonds", 579, 21.6, 21.2, 49.9, 4.4, 1, [("1 oz", 28)], 1, 1, 1, "tree nuts"),
    ("Peanut Butter", 588, 20.0, 25.1, 50.4, 9.2, 17, [("2 tbsp", 32)], 1, 1, 1, "peanuts"),
    ("Cheddar Cheese", 403, 1.3, 24.9, 33.1, 0.5, 621, [("1 slice", 28)], 0, 1, 1, "milk"),
    ("Olive Oil", 884, 0.0, 0.0, 100.0, 0.0, 2, [("1 tbsp", 14)], 1, 1, 1, ""),
    ("Ground Beef", 254, 0.0, 17.2, 20.0, 0.0, 66, [("4 oz", 113)], 0, 0, 1, ""),
    ("Tomato", 18, 3.9, 0.9, 0.2, 2.6, 5, [("1 medium", 123)], 1, 1, 1, ""),
    ("Cucumber", 15, 3.6, 0.7, 0.1, 1.7, 2, [("1 cup sliced", 104)], 1, 1, 1, ""),
    ("Red Lentils", 116, 20.1, 9.0, 0.4, 1.8, 2, [("1/2 cup cooked", 99)], 1, 1, 1, ""),
    ("Quinoa", 120, 21.3, 4.4, 1.9, 0.9, 7, [("1 cup cooked", 185)], 1, 1, 1, ""),
    ("Dark Chocolate", 546, 61.0, 4.9, 31.0, 48.0, 24, [("1 square", 10)], 1, 1, 1, "milk"),
]
BRANDS = {"Greek Yogurt": "Blue Meadow", "Whole Milk": "Clover Ridge", "Rolled Oats": "Hearthstone Mills",
          "Peanut Butter": "Nutty Acres", "Whole Wheat Bread": "Golden Crust", "Almonds": "Sunfield",
          "Dark Chocolate": "Cacao Republic", "Cheddar Cheese": "Old Harbor", "Spaghetti": "Casa Rosso",
          "Black Beans": "Rio Verde", "Firm Tofu": "Lotus Farm", "Quinoa": "Andes Gold"}
COUNTRIES = {"US": ("United States", "0"), "UK": ("United Kingdom", "50"), "AU": ("Australia", "93")}
RECIPES = [  # name, category, difficulty, diet, ingredients (food, units of its first serving)
    ("Overnight Oats with Berries", "Breakfast", "easy", "vegetarian",
     [("Rolled Oats", 1), ("Greek Yogurt", 0.5), ("Blueberries", 0.5)]),
    ("Spinach Omelette", "Breakfast", "easy", "vegetarian", [("Large Egg", 3), ("Spinach", 1), ("Olive Oil", 0.5)]),
    ("Salmon Rice Bowl", "Main Dish", "medium", "pescatarian",
     [("Salmon Fillet", 1), ("White Rice", 1), ("Cucumber", 0.5), ("Avocado", 0.5)]),
    ("Chicken and Broccoli Stir Fry", "Main Dish", "medium", "none",
     [("Chicken Breast", 1), ("Broccoli", 2), ("Brown Rice", 1), ("Olive Oil", 1)]),
    ("Black Bean Quinoa Salad", "Salad", "easy", "vegan",
     [("Black Beans", 2), ("Quinoa", 1), ("Tomato", 1), ("Olive Oil", 1)]),
    ("Red Lentil Dal", "Soup", "medium", "vegan", [("Red Lentils", 3), ("Tomato", 2), ("Spinach", 2)]),
    ("Classic Beef Spaghetti", "Main Dish", "medium", "none", [("Spaghetti", 2), ("Ground Beef", 1), ("Tomato", 3)]),
    ("Tofu Veggie Scramble", "Breakfast", "easy", "vegan", [("Firm Tofu", 1), ("Spinach", 1), ("Tomato", 1)]),
    ("Baked Sweet Potato with Chickpeas", "Main Dish", "easy", "vegan",
     [("Sweet Potato", 2), ("Chickpeas", 2), ("Olive Oil", 0.5)]),
    ("Peanut Butter Banana Toast", "Snack", "easy", "vegan",
     [("Whole Wheat Bread", 2), ("Peanut Butter", 1), ("Banana", 1)]),
    ("Apple Almond Snack Plate", "Snack", "easy", "vegan", [("Apple", 1), ("Almonds", 1), ("Dark Chocolate", 2)]),
    ("Cheesy Egg Toast", "Breakfast", "easy", "vegetarian",
     [("Whole Wheat Bread", 1), ("Large Egg", 1), ("Cheddar Cheese", 1)]),
]
MEALS = ("breakfast", "lunch", "dinner", "snack")
DIARY_DAYS = 90
Username = Annotated[str, UserKnown, Field(min_length=3, max_length=30)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Region = Literal["US", "UK", "AU"]

Nutrition = TypedDict("Nutrition", {"calories": float, "carbohydrate": float, "protein": float, "fat": float,
                                    "sugar": float, "sodium": float})
FoodHit = TypedDict("FoodHit", {"food_id": str, "food_name": str, "brand_name": str, "food_type": str,
                                "food_description": str})
FoodHits = TypedDict("FoodHits", {"foods": list[FoodHit]})
Serving = TypedDict("Serving", {"serving_id": str, "serving_description": str, "metric_serving_amount": float,
                                "calories": float, "carbohydrate": float, "protein": float, "fat": float,
                                "sugar": float, "sodium": float})
Diet = TypedDict("Diet", {"vegan": bool, "vegetarian": bool, "gluten_free": bool})
FoodDetails = TypedDict("FoodDetails", {"food_id": str, "food_name": str, "servings": list[Serving],
                                        "nutrition": Nutrition, "dietary_preferences": Diet, "images": list[str]})
Barcode = TypedDict("Barcode", {"food_id": str, "food_name": str, "brand": str, "package_size": str,
                                "nutrition_per_serving": Nutrition, "ingredients": str, "allergen_info": str,
                                "country": str})
ImageResult = TypedDict("ImageResult", {"detected_foods": list[str], "estimated_weight_g": float,
                                        "confidence": float, "nutrition_estimate": Nutrition,
                                        "suggestions": list[str]})
RecipeHit = TypedDict("RecipeHit", {"recipe_id": str, "recipe_name": str, "recipe_description": str,
                                    "calories_per_serving": float, "diet": str})
RecipeHits = TypedDict("RecipeHits", {"recipes": list[RecipeHit]})
Ingredient = TypedDict("Ingredient", {"food_id": str, "food_name": str, "serving_id": str,
                                      "ingredient_description": str})
Recipe = TypedDict("Recipe", {"recipe_id": str, "recipe_name": str, "recipe_description": str,
                              "prep_time_minutes": int, "cook_time_minutes": int, "servings": int, "difficulty": str,
                              "ingredients": list[Ingredient], "directions": list[str],
                              "nutrition_per_serving": Nutrition, "categories": list[str], "images": list[str]})
DiaryEntry = TypedDict("DiaryEntry", {"food_entry_id": str, "date": str, "meal": str, "food_id": str,
                                      "food_entry_name": str, "serving_id": str, "number_of_units": float,
                                      "calories": float})
Diary = TypedDict("Diary", {"username": str, "date": str, "entries": list[DiaryEntry], "total_calories": float,
                            "calorie_goal": int, "calories_remaining": float})
Deleted = TypedDict("Deleted", {"food_entry_id": str, "deleted": bool, "day_calories": float})
Saved = TypedDict("Saved", {"username": str, "food_id": str, "food_name": str, "saved_count": int})


def gtin13(body: str) -> str:
    """``body`` (12 digits) with its GTIN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def scaled(row: dict[str, Any], factor: float = 1.0) -> Nutrition:
    return {k: round(row[k] * factor, 1) for k in ("calories", "carbohydrate", "protein", "fat", "sugar", "sodium")}


class FatSecretPlatform(World):
    """FatSecret: search foods (generic and branded) with their servings and nutrients, look foods up by
    barcode (GTIN-13), recognise the foods on a stored meal photo, find recipes, and keep a member's food
    diary (one entry per food per meal and day) and saved foods."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE foods (food_id TEXT PRIMARY KEY, name TEXT NOT NULL, brand_name TEXT, food_type TEXT NOT NULL,
                        barcode TEXT UNIQUE, country TEXT NOT NULL, ingredients TEXT NOT NULL, allergens TEXT NOT NULL,
                        vegan INTEGER NOT NULL, vegetarian INTEGER NOT NULL, gluten_free INTEGER NOT NULL);
    CREATE TABLE servings (serving_id TEXT PRIMARY KEY, food_id TEXT NOT NULL REFERENCES foods,
                           serving_description TEXT NOT NULL, metric_serving_amount REAL NOT NULL, calories REAL,
                           carbohydrate REAL, protein REAL, fat REAL, sugar REAL, sodium REAL);
    CREATE INDEX servings_by_food ON servings (food_id);
    CREATE TABLE recipes (recipe_id TEXT PRIMARY KEY, name TEXT NOT NULL, recipe_description TEXT NOT NULL,
                          category TEXT NOT NULL, difficulty TEXT NOT NULL, diet TEXT NOT NULL, servings INTEGER,
                          prep_time_minutes INTEGER, cook_time_minutes INTEGER, calories_per_serving REAL);
    CREATE INDEX recipes_by_diet ON recipes (diet, calories_per_serving);
    CREATE TABLE recipe_ingredients (recipe_id TEXT NOT NULL REFERENCES recipes, position INTEGER NOT NULL,
                                     serving_id TEXT NOT NULL REFERENCES servings, number_of_units REAL NOT NULL,
                                     PRIMARY KEY (recipe_id, position));
    CREATE TABLE photos (image_path TEXT NOT NULL, position INTEGER NOT NULL, serving_id TEXT NOT NULL,
                         grams REAL NOT NULL, confidence REAL NOT NULL, PRIMARY KEY (image_path, position));
    CREATE TABLE profiles (username TEXT PRIMARY KEY, calorie_goal INTEGER NOT NULL);
    CREATE TABLE diary (food_entry_id TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES profiles,
                        date TEXT NOT NULL, meal TEXT NOT NULL, serving_id TEXT NOT NULL REFERENCES servings,
                        number_of_units REAL NOT NULL, UNIQUE (username, date, meal, serving_id));
    CREATE INDEX diary_by_day ON diary (username, date);
    CREATE TABLE saved_foods (username TEXT NOT NULL REFERENCES profiles, food_id TEXT NOT NULL REFERENCES foods,
                              PRIMARY KEY (username, food_id));
    """
    text_search = {"foods": ("name", "brand_name"), "recipes": ("name", "recipe_description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        foods, servings, first, taken = [], [], {}, set()
        ids = rng.sample(range(30000, 99999), 2 * len(FOODS))
        for n, (name, *per100, forms, vegan, vegetarian, gluten_free, allergens) in enumerate(FOODS):
            variants = [(name, None, "US", None)]
            if name in BRANDS:
                region = rng.choice(list(COUNTRIES))
                code = gtin13(COUNTRIES[region][1] + "".join(str(rng.randrange(10)) for _ in range(
                    12 - len(COUNTRIES[region][1]))))
                variants.append((f"{BRANDS[name]} {name}", BRANDS[name], region, code))
            for v, (food_name, brand, region, code) in enumerate(variants):
                food_id = str(ids[2 * n + v])
                foods.append({"food_id": food_id, "name": food_name, "brand_name": brand,
                              "food_type": "Brand" if brand else "Generic", "barcode": code, "country": region,
                              "ingredients": name.lower() if not brand else f"{name.lower()}, natural flavour",
                              "allergens": allergens or "none", "vegan": vegan, "vegetarian": vegetarian,
                              "gluten_free": gluten_free})
                for desc, grams in [*forms, ("100 g", 100)]:
                    serving_id = draw_unique(lambda: str(rng.randrange(10**6, 10**7)), taken)
                    first.setdefault(food_name, serving_id)
                    servings.append({"serving_id": serving_id, "food_id": food_id, "serving_description": desc,
                                     "metric_serving_amount": grams, **dict(zip(
                                         ("calories", "carbohydrate", "protein", "fat", "sugar", "sodium"),
                                         (round(x * grams / 100, 1) for x in per100)))})
        db["foods"].insert_all(foods)
        db["servings"].insert_all(servings)
        kcal = {s["serving_id"]: s["calories"] for s in servings}
        recipes, lines = [], []
        for name, category, difficulty, diet, parts in RECIPES:
            recipe_id, portions = str(rng.randrange(10**5, 10**6)), rng.choice([1, 2, 2, 4])
            units = [(first[f], round(u * portions, 1)) for f, u in parts]
            recipes.append({"recipe_id": recipe_id, "name": name, "category": category,
                            "recipe_description": f"{', '.join(f.lower() for f, _ in parts[:-1])} and {parts[-1][0].lower()}"
                                                  f" ({category.lower()}, {difficulty})",
                            "difficulty": difficulty, "diet": diet, "servings": portions,
                            "prep_time_minutes": rng.choice([5, 10, 15]), "cook_time_minutes": rng.choice([0, 10, 20, 35]),
                            "calories_per_serving": round(sum(kcal[s] * u for s, u in units) / portions, 1)})
            lines += [{"recipe_id": recipe_id, "position": i, "serving_id": s, "number_of_units": u}
                      for i, (s, u) in enumerate(units)]
        db["recipes"].insert_all(recipes)
        db["recipe_ingredients"].insert_all(lines)
        photos = []
        for n in range(12):
            path = f"meals/{cls.days_before_start(rng, 0, 40).isoformat()}_{rng.choice(MEALS)}_{n + 1:02d}.jpg"
            photos += [{"image_path": path, "position": i, "serving_id": s["serving_id"],
                        "grams": s["metric_serving_amount"], "confidence": round(rng.uniform(0.62, 0.97), 2)}
                       for i, s in enumerate(rng.sample(servings, rng.randrange(1, 4)))]
        db["photos"].insert_all(photos)
        profiles, diary, saved = [], {}, []
        while len(profiles) < 20:
            user = fake.user_name()
            if any(p["username"] == user for p in profiles):
                continue
            profiles.append({"username": user, "calorie_goal": rng.choice([1600, 1800, 2000, 2200, 2500])})
            for _ in range(rng.randrange(10, 30)):
                s = rng.choice(servings)
                day, meal = cls.days_before_start(rng, 0, 20).isoformat(), rng.choice(MEALS)
                diary[user, day, meal, s["serving_id"]] = {
                    "food_entry_id": fake_id(rng, "fe_"), "username": user, "date": day, "meal": meal,
                    "serving_id": s["serving_id"], "number_of_units": rng.choice([0.5, 1, 1, 1.5, 2])}
            saved += [{"username": user, "food_id": f["food_id"]} for f in rng.sample(foods, rng.randrange(0, 6))]
        db["profiles"].insert_all(profiles)
        db["diary"].insert_all(diary.values())
        db["saved_foods"].insert_all(saved)

    def _food(self, food_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM foods WHERE food_id = ?", food_id,
                            error=f"no food with food_id '{food_id}'; search_foods finds foods")

    def _profile(self, username: str) -> dict[str, Any]:
        return self.require("SELECT * FROM profiles WHERE username = ?", username,
                            error=f"no FatSecret profile '{username}'")

    def _servings(self, food_id: str) -> list[Serving]:
        return self.rows("SELECT serving_id, serving_description, metric_serving_amount, calories, carbohydrate,"
                         " protein, fat, sugar, sodium FROM servings WHERE food_id = ? ORDER BY rowid", food_id)

    def _day_calories(self, username: str, date: str) -> float:
        return round(self.value("SELECT COALESCE(SUM(s.calories * d.number_of_units), 0) FROM diary d JOIN servings s"
                                " USING (serving_id) WHERE d.username = ? AND d.date = ?", username, date), 1)

    @tool(phrase=["search FatSecret for {query}[ in the {region} database]", "find foods matching {query}"])
    def search_foods(self, query: NonEmptyStr, region: Region = "US", language: Literal["en"] = "en") -> FoodHits:
        """Search generic and branded foods by name or brand; branded foods are limited to the region's market.

        Args:
            query: Words of the food's name or brand.
            region: Market for branded foods (US, UK, AU).
            language: Result language (only en).
        """
        matches, params = self.text_filter("foods", query)
        ids = self.rows(f"SELECT food_id FROM foods WHERE {matches} AND (food_type = 'Generic' OR country = ?)"
                        " ORDER BY food_type DESC, name LIMIT 20", *params, region)
        return {"foods": [self._hit(r["food_id"]) for r in ids]}

    @tool(phrase=["show the servings and nutrients of {food_id}", "get the nutrition details of {food_id}"])
    def get_food_details(self, food_id: str) -> FoodDetails:
        """A food's servings with nutrients, its nutrition per 100 g and dietary flags.

        Args:
            food_id: The food's id (from search_foods or search_by_barcode).
        """
        food, servings = self._food(food_id), self._servings(food_id)
        per100 = next(s for s in servings if s["serving_description"] == "100 g")
        return {"food_id": food_id, "food_name": food["name"], "servings": servings, "nutrition": scaled(per100),
                "dietary_preferences": {k: bool(food[k]) for k in ("vegan", "vegetarian", "gluten_free")},
                "images": [f"https://images.fatsecret.example/food/{food_id}.jpg"]}

    @tool(phrase=["look up the product with barcode {barcode}[ in {region}]", "scan barcode {barcode}"])
    def search_by_barcode(self, barcode: Annotated[str, UserKnown, Field(pattern=r"^\d{13}$")],
                          region: Region = "US") -> Barcode:
        """Find a packaged food by its GTIN-13 barcode (13 digits, last one a check digit).

        Args:
            barcode: The 13-digit barcode.
            region: The market the product is sold in.
        """
        if gtin13(barcode[:12]) != barcode:
            raise ToolError(f"barcode {barcode} has a wrong check digit; re-read the 13 digits under the bars")
        food = self.require("SELECT * FROM foods WHERE barcode = ?", barcode,
                            error=f"no product with barcode {barcode}; try search_foods with its name")
        if food["country"] != region:
            raise ToolError(f"barcode {barcode} is a {food['country']} product; search again with region "
                            f"'{food['country']}'")
        serving = self._servings(food["food_id"])[0]
        return {"food_id": food["food_id"], "food_name": food["name"], "brand": food["brand_name"],
                "package_size": f"{serving['metric_serving_amount']:g} g", "nutrition_per_serving": scaled(serving),
                "ingredients": food["ingredients"], "allergen_info": food["allergens"],
                "country": COUNTRIES[food["country"]][0]}

    @tool(phrase=["analyze my meal photo {image_path}", "what food is on the photo {image_path}"])
    def analyze_food_image(self, image_path: Annotated[str, UserKnown, Field(min_length=1, max_length=200)]
                           ) -> ImageResult:
        """Recognise the foods on a stored meal photo and estimate their weight and nutrition.

        Args:
            image_path: The photo's path, e.g. "meals/2026-02-14_lunch_03.jpg".
        """
        found = self.rows("SELECT p.grams, p.confidence, f.name AS food_name, s.* FROM photos p JOIN servings s USING"
                          " (serving_id) JOIN foods f USING (food_id) WHERE p.image_path = ? ORDER BY p.position",
                          image_path.strip())
        if not found:
            raise ToolError(f"no stored photo '{image_path}'; give the path of an uploaded meal photo")
        total = {k: round(sum(r[k] for r in found), 1) for k in scaled(found[0])}
        return {"detected_foods": [r["food_name"] for r in found],
                "estimated_weight_g": round(sum(r["grams"] for r in found), 1),
                "confidence": round(min(r["confidence"] for r in found), 2), "nutrition_estimate": total,
                "suggestions": [f"log {r['food_name']} ({r['serving_description']}) with serving_id {r['serving_id']}"
                                for r in found]}

    @tool(phrase=["find {diet} recipes for {query}[ under {max_calories} calories]",
                  "search recipes for {query}[ with at most {max_calories} kcal a serving]"])
    def search_recipes(self, query: NonEmptyStr, diet: Literal["vegan", "vegetarian", "pescatarian"] | None = None,
                       max_calories: Annotated[int, Field(ge=50, le=3000)] | None = None) -> RecipeHits:
        """Search recipes by name or description, optionally by diet and calories per serving.

        Args:
            query: Words of the recipe's name or description.
            diet: Only recipes fit for this diet (vegan recipes are also vegetarian).
            max_calories: Highest calories per serving.
        """
        diets = {"vegan": ("vegan",), "vegetarian": ("vegan", "vegetarian"), "pescatarian": (
            "vegan", "vegetarian", "pescatarian")}.get(diet or "", ())
        matches, params = self.text_filter("recipes", query)
        rows = self.rows(f"SELECT recipe_id, name AS recipe_name, recipe_description, calories_per_serving, diet FROM recipes"
                         f" WHERE {matches} AND (? = 0 OR diet IN (SELECT value FROM json_each(?)))"
                         f" AND (? IS NULL OR calories_per_serving <= ?) ORDER BY name", *params,
                         len(diets), str(list(diets)).replace("'", '"'), max_calories, max_calories)
        return {"recipes": rows}

    @tool(phrase=["show the ingredients and directions of {recipe_id}", "open {recipe_id}"])
    def get_recipe_details(self, recipe_id: str) -> Recipe:
        """A recipe with ingredients (food and serving ids), directions and nutrition per serving.

        Args:
            recipe_id: The recipe's id (from search_recipes).
        """
        recipe = self.require("SELECT * FROM recipes WHERE recipe_id = ?", recipe_id,
                              error=f"no recipe with recipe_id '{recipe_id}'; search_recipes finds recipes")
        parts = self.rows("SELECT r.number_of_units, s.*, f.name AS food_name FROM recipe_ingredients r JOIN servings s"
                          " USING (serving_id) JOIN foods f USING (food_id) WHERE r.recipe_id = ? ORDER BY position",
                          recipe_id)
        total = {k: round(sum(p[k] * p["number_of_units"] for p in parts) / recipe["servings"], 1)
                 for k in ("calories", "carbohydrate", "protein", "fat", "sugar", "sodium")}
        return {"recipe_name": recipe["name"], **{k: recipe[k] for k in ("recipe_id", "recipe_description", "prep_time_minutes",
                                          "cook_time_minutes", "servings", "difficulty")},
                "ingredients": [{"food_id": p["food_id"], "food_name": p["food_name"], "serving_id": p["serving_id"],
                                 "ingredient_description": f"{p['number_of_units']:g} x {p['serving_description']}"
                                                           f" {p['food_name'].lower()}"} for p in parts],
                "directions": [f"Prepare the {p['food_name'].lower()}." for p in parts] + ["Combine and serve."],
                "nutrition_per_serving": total, "categories": [recipe["category"]],
                "images": [f"https://images.fatsecret.example/recipe/{recipe_id}.jpg"]}

    @tool(writes=True, phrase=[
        "add {number_of_units} x {serving_id} to the {meal} diary of {username} on {date}",
        "log {number_of_units} of {serving_id} for {meal} on {date} in {username}'s food diary"])
    def add_diary_entry(self, username: Username, serving_id: str,
                        number_of_units: Annotated[float, Field(gt=0, le=20)], meal: Literal[MEALS],
                        date: Day) -> DiaryEntry:
        """Log a food in the diary (today or up to 90 days back); the same serving twice in one meal adds up.

        Args:
            username: The member's username.
            serving_id: The serving eaten (get_food_details lists a food's servings).
            number_of_units: How many servings (e.g. 1.5).
            meal: breakfast, lunch, dinner or snack.
            date: The day (YYYY-MM-DD).
        """
        self._profile(username)
        food = self._food(self.require("SELECT food_id FROM servings WHERE serving_id = ?", serving_id, error=(
            f"no serving with serving_id '{serving_id}'; get_food_details lists a food's servings"))["food_id"])
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise ToolError(f"'{date}' is not a real date (YYYY-MM-DD)") from None
        today = self.now().date()
        if day > today:
            raise ToolError(f"cannot log food for {date}: it is in the future (today is {today})")
        if (today - day).days > DIARY_DAYS:
            raise ToolError(f"cannot log food for {date}: the diary only accepts the last {DIARY_DAYS} days")
        entry = self.value("SELECT food_entry_id FROM diary WHERE username = ? AND date = ? AND meal = ? AND"
                           " serving_id = ?", username, date, meal, serving_id)
        if entry:
            self.execute("UPDATE diary SET number_of_units = number_of_units + ? WHERE food_entry_id = ?",
                         number_of_units, entry)
        else:
            entry = self.new_id("diary", "fe_")
            self.execute("INSERT INTO diary VALUES (?, ?, ?, ?, ?, ?)", entry, username, date, meal, serving_id,
                         number_of_units)
        return self._entry(entry, food["name"])

    def _entry(self, entry: str, name: str) -> DiaryEntry:
        row = self.row("SELECT d.*, s.food_id, s.calories FROM diary d JOIN servings s USING (serving_id)"
                       " WHERE food_entry_id = ?", entry)
        return {"food_entry_id": entry, "date": row["date"], "meal": row["meal"], "food_id": row["food_id"],
                "food_entry_name": name, "serving_id": row["serving_id"], "number_of_units": row["number_of_units"],
                "calories": round(row["calories"] * row["number_of_units"], 1)}

    @tool(phrase=["show the food diary of {username} for {date}[ ({meal} only)]",
                  "what did {username} log[ for {meal}] on {date}"])
    def get_food_diary(self, username: Username, date: Day, meal: Literal[MEALS] | None = None) -> Diary:
        """A member's diary entries for one day (optionally one meal) with the day's calories against the goal.

        Args:
            username: The member's username.
            date: The day (YYYY-MM-DD).
            meal: Only this meal.
        """
        goal = self._profile(username)["calorie_goal"]
        ids = self.rows("SELECT d.food_entry_id, f.name AS food_name FROM diary d JOIN servings s USING (serving_id) JOIN"
                        " foods f USING (food_id) WHERE d.username = ? AND d.date = ? AND (? IS NULL OR d.meal = ?)"
                        " ORDER BY d.meal, f.name", username, date, meal, meal)
        entries, total = [self._entry(r["food_entry_id"], r["food_name"]) for r in ids], self._day_calories(
            username, date)
        return {"username": username, "date": date, "entries": entries, "total_calories": total,
                "calorie_goal": goal, "calories_remaining": round(goal - total, 1)}

    @tool(writes=True, phrase=["delete {food_entry_id} from the food diary of {username}",
                               "remove {food_entry_id} from {username}'s diary"])
    def delete_diary_entry(self, username: Username, food_entry_id: str) -> Deleted:
        """Delete one of the member's diary entries.

        Args:
            username: The member's username.
            food_entry_id: The entry (from get_food_diary).
        """
        self._profile(username)
        row = self.require("SELECT * FROM diary WHERE food_entry_id = ?", food_entry_id,
                           error=f"no diary entry '{food_entry_id}'")
        if row["username"] != username:
            raise ToolError(f"diary entry '{food_entry_id}' belongs to another member")
        self.execute("DELETE FROM diary WHERE food_entry_id = ?", food_entry_id)
        return {"food_entry_id": food_entry_id, "deleted": True,
                "day_calories": self._day_calories(username, row["date"])}

    @tool(writes=True, phrase=["save {food_id} to the favourites of {username}", "add {food_id} to my saved foods"
                               " (username {username})"])
    def save_food(self, username: Username, food_id: str) -> Saved:
        """Add a food to the member's saved foods (at most 25).

        Args:
            username: The member's username.
            food_id: The food to save.
        """
        self._profile(username)
        food = self._food(food_id)
        if self.row("SELECT 1 FROM saved_foods WHERE username = ? AND food_id = ?", username, food_id):
            raise ToolError(f"'{food['name']}' is already in the saved foods of '{username}'")
        count = self.value("SELECT COUNT(*) FROM saved_foods WHERE username = ?", username)
        if count >= 25:
            raise ToolError("saved foods are full (25); remove one in the app first")
        self.execute("INSERT INTO saved_foods VALUES (?, ?)", username, food_id)
        return {"username": username, "food_id": food_id, "food_name": food["name"], "saved_count": count + 1}

    @tool(phrase=["list the saved foods of {username}", "show my saved foods (username {username})"])
    def list_saved_foods(self, username: Username) -> FoodHits:
        """The foods a member saved, by name.

        Args:
            username: The member's username.
        """
        self._profile(username)
        ids = self.rows("SELECT f.food_id FROM saved_foods v JOIN foods f USING (food_id) WHERE v.username = ?"
                        " ORDER BY f.name", username)
        return {"foods": [self._hit(r["food_id"]) for r in ids]}

    def _hit(self, food_id: str) -> FoodHit:
        food, per100 = self._food(food_id), self._servings(food_id)[-1]
        return {"food_id": food_id, "food_name": food["name"], "brand_name": food["brand_name"] or "",
                "food_type": food["food_type"],
                "food_description": f"Per 100g - Calories: {per100['calories']:g}kcal | Fat: {per100['fat']:g}g"
                                    f" | Carbs: {per100['carbohydrate']:g}g | Protein: {per100['protein']:g}g"}
