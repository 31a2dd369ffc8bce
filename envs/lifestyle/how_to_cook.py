"""HowToCook: a Chinese home-cooking recipe collection with meal recommendations, a meal plan, a shopping list
and favourites."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World

DISHES = {  # category: (folder, dishes as "name:main ingredients")
    "荤菜": ("meat_dish", "红烧肉:五花肉,冰糖 可乐鸡翅:鸡翅,可乐 宫保鸡丁:鸡胸肉,花生米,干辣椒 鱼香肉丝:猪里脊,木耳,胡萝卜"
             " 回锅肉:五花肉,青蒜,豆瓣酱 糖醋排骨:猪小排,白醋 小炒黄牛肉:牛肉,小米辣 青椒肉丝:猪里脊,青椒"
             " 黄焖鸡:鸡腿,土豆,香菇 土豆炖排骨:猪小排,土豆 西红柿牛腩:牛腩,西红柿 梅菜扣肉:五花肉,梅干菜"
             " 辣子鸡:鸡腿,干辣椒,花椒 孜然羊肉:羊肉,孜然,洋葱"),
    "素菜": ("vegetable_dish", "西红柿炒鸡蛋:西红柿,鸡蛋 麻婆豆腐:豆腐,牛肉末,豆瓣酱 地三鲜:茄子,土豆,青椒"
             " 手撕包菜:包菜,干辣椒 蒜蓉西兰花:西兰花 酸辣土豆丝:土豆,白醋 干煸四季豆:四季豆,猪肉末"
             " 红烧茄子:茄子 凉拌黄瓜:黄瓜,白醋 虎皮青椒:青椒 蚝油生菜:生菜,蚝油 韭菜炒鸡蛋:韭菜,鸡蛋"),
    "水产": ("aquatic", "清蒸鲈鱼:鲈鱼,蒸鱼豉油 红烧鱼:草鱼 油焖大虾:大虾 水煮鱼:草鱼,豆芽,干辣椒"
             " 蒜蓉粉丝蒸扇贝:扇贝,粉丝 白灼虾:大虾 葱姜炒蟹:螃蟹"),
    "汤与粥": ("soup", "西红柿鸡蛋汤:西红柿,鸡蛋 紫菜蛋花汤:紫菜,鸡蛋 玉米排骨汤:猪小排,玉米 冬瓜丸子汤:冬瓜,猪肉末"
               " 酸辣汤:豆腐,木耳,鸡蛋,白醋 皮蛋瘦肉粥:大米,皮蛋,猪里脊 小米粥:小米"),
    "主食": ("staple", "蛋炒饭:米饭,鸡蛋 葱油拌面:面条 炸酱面:面条,猪肉末,黄豆酱 扬州炒饭:米饭,鸡蛋,虾仁,火腿"
             " 韭菜盒子:面粉,韭菜,鸡蛋 猪肉白菜饺子:面粉,猪肉末,白菜 阳春面:面条"),
    "早餐": ("breakfast", "茶叶蛋:鸡蛋,红茶 鸡蛋灌饼:面粉,鸡蛋 煎饺:速冻饺子 豆浆:黄豆 葱花鸡蛋饼:面粉,鸡蛋"),
    "甜品": ("dessert", "双皮奶:牛奶,鸡蛋 红豆沙:红豆,冰糖 芒果班戟:芒果,淡奶油,面粉 烤红薯:红薯"),
    "饮品": ("drink", "酸梅汤:乌梅,山楂,冰糖 柠檬水:柠檬,蜂蜜 姜撞奶:牛奶,姜"),
    "调料": ("condiment", "油泼辣子:辣椒面,白芝麻 糖醋汁:白醋,白糖,番茄酱"),
}
UNITS = {"鸡蛋": "个", "皮蛋": "个", "柠檬": "个", "芒果": "个", "玉米": "根", "可乐": "ml", "牛奶": "ml",
         "淡奶油": "ml", "白醋": "ml", "蚝油": "ml", "蒸鱼豉油": "ml", "蜂蜜": "ml", "螃蟹": "只", "扇贝": "个"}
SEASONINGS = [("盐", 3, "g"), ("生抽", 15, "ml"), ("料酒", 15, "ml"), ("葱", 1, "根"), ("姜", 3, "片"),
              ("蒜", 3, "瓣"), ("白糖", 5, "g"), ("食用油", 15, "ml")]
CATEGORIES = tuple(DISHES)
Category = Literal["荤菜", "素菜", "水产", "汤与粥", "主食", "早餐", "甜品", "饮品", "调料"]
Meal = Literal["breakfast", "lunch", "dinner"]
People = Annotated[int, Field(ge=1, le=20)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
PLAN_DAYS, MAX_DISHES, MAX_FAVOURITES = 14, 6, 30

Ingredient = TypedDict("Ingredient", {"name": str, "quantity": float, "unit": str})
Summary = TypedDict("Summary", {"recipe_id": str, "name": str, "category": str, "difficulty": int, "minutes": int})
Recipe = TypedDict("Recipe", {"recipe_id": str, "name": str, "description": str, "category": str,
                              "difficulty": int, "servings": int, "ingredients": list[Ingredient],
                              "steps": list[str], "tips": list[str]})
CategoryCount = TypedDict("CategoryCount", {"category": str, "folder": str, "recipes": int})
Categories = TypedDict("Categories", {"categories": list[CategoryCount]})
MealIdea = TypedDict("MealIdea", {"people_count": int, "dish_count": int, "dishes": list[Summary]})
Entry = TypedDict("Entry", {"entry_id": str, "meal_date": str, "meal": str, "name": str, "people_count": int,
                            "on_shopping_list": bool})
Favourite = TypedDict("Favourite", {"recipe_id": str, "name": str, "category": str, "added_on": str})
Item = TypedDict("Item", {"item": str, "quantity": float, "unit": str})


def scaled(quantity: float, unit: str, factor: float) -> float:
    """A quantity for another head count: whole pieces (个, 根, 片...) round up, weights and volumes to 0.1."""
    amount = quantity * factor
    return float(math.ceil(amount - 1e-9)) if unit not in ("g", "ml") else round(amount, 1)


class HowToCook(World):
    """HowToCook (程序员做饭指南): Chinese home-cooking recipes by category (荤菜, 素菜, 水产, 汤与粥, 主食, 早餐,
    甜品, 饮品, 调料) with difficulty 1-5 stars, ingredients for the stated servings and steps; meal ideas by head
    count; your meal plan for the next 14 days, shopping list (quantities scaled to the people planned) and
    favourites (at most 30)."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE recipes (recipe_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
                          difficulty INTEGER NOT NULL, servings INTEGER NOT NULL, minutes INTEGER NOT NULL,
                          description TEXT NOT NULL, tips TEXT NOT NULL);
    CREATE INDEX recipes_by_category ON recipes (category, difficulty);
    CREATE TABLE ingredients (recipe_id TEXT NOT NULL REFERENCES recipes, position INTEGER NOT NULL,
                              name TEXT NOT NULL, quantity REAL NOT NULL, unit TEXT NOT NULL,
                              PRIMARY KEY (recipe_id, position));
    CREATE INDEX ingredients_by_name ON ingredients (name);
    CREATE TABLE steps (recipe_id TEXT NOT NULL REFERENCES recipes, step_no INTEGER NOT NULL, text TEXT NOT NULL,
                        PRIMARY KEY (recipe_id, step_no));
    CREATE TABLE favourites (recipe_id TEXT PRIMARY KEY REFERENCES recipes, added_on TEXT NOT NULL);
    CREATE TABLE meal_plan (entry_id TEXT PRIMARY KEY, meal_date TEXT NOT NULL, meal TEXT NOT NULL,
                            recipe_id TEXT NOT NULL REFERENCES recipes, people_count INTEGER NOT NULL,
                            listed INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX meal_plan_by_day ON meal_plan (meal_date, meal);
    CREATE TABLE shopping_list (item TEXT PRIMARY KEY, quantity REAL NOT NULL, unit TEXT NOT NULL);
    """
    volatile = {"favourites": ("added_on",)}
    text_search = {"recipes": ("name", "description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        recipes, ingredients, steps = [], [], []
        for category, (folder, specs) in DISHES.items():
            for number, spec in enumerate(specs.split(), 1):
                name, mains = spec.split(":")
                mains, servings = mains.split(","), rng.choice([2, 2, 3, 4])
                recipe_id = f"{folder}-{number:02d}"
                recipes.append({"recipe_id": recipe_id, "name": name, "category": category,
                                "difficulty": rng.randint(1, 5), "servings": servings,
                                "minutes": rng.choice([10, 15, 20, 30, 40, 60, 90]),
                                "description": f"{name}是一道家常{category}，主料是{'、'.join(mains)}，{servings}人份。",
                                "tips": rng.choice(["火候要小，避免糊锅", "调料可按口味增减", "主料提前腌制更入味",
                                                    "出锅前尝一下咸淡"])})
                parts = [(m, float(rng.choice([2, 3, 4]) if UNITS.get(m) in ("个", "根", "只") else
                                   rng.choice([100, 150, 200, 300]) * servings // 2), UNITS.get(m, "g"))
                         for m in mains]
                parts += [(s, float(q), u) for s, q, u in rng.sample(SEASONINGS, rng.randint(2, 4))]
                ingredients += [{"recipe_id": recipe_id, "position": i, "name": n, "quantity": q, "unit": u}
                                for i, (n, q, u) in enumerate(parts, 1)]
                texts = [f"准备{'、'.join(mains)}，洗净切好。", f"热锅加入{parts[-1][0]}，放入{mains[0]}。",
                         f"中火烹制约{rng.randint(3, 20)}分钟，按口味调味。", "出锅装盘。"]
                steps += [{"recipe_id": recipe_id, "step_no": i, "text": t} for i, t in enumerate(texts, 1)]
        db["recipes"].insert_all(recipes)
        db["ingredients"].insert_all(ingredients)
        db["steps"].insert_all(steps)
        dishes = [r for r in recipes if r["category"] != "调料"]
        db["favourites"].insert_all({"recipe_id": r["recipe_id"], "added_on": cls.days_before_start(rng, 3, 200)
                                     .isoformat()} for r in rng.sample(dishes, 8))
        plan, today = [], cls.start_time.date()
        for offset in sorted(rng.sample(range(1, PLAN_DAYS), 4)):
            meal, people = rng.choice(["lunch", "dinner"]), rng.randint(2, 6)
            for number, recipe in enumerate(rng.sample(dishes, rng.randint(1, 3))):
                plan.append({"entry_id": f"mp{offset:02d}{number}{rng.randrange(1000):03d}",
                             "meal_date": (today + dt.timedelta(days=offset)).isoformat(), "meal": meal,
                             "recipe_id": recipe["recipe_id"], "people_count": people, "listed": 0})
        db["meal_plan"].insert_all(plan)
        db["shopping_list"].insert_all([{"item": "大米", "quantity": 2000.0, "unit": "g"},
                                        {"item": "鸡蛋", "quantity": 6.0, "unit": "个"}])

    # ------------------------------------------------------------------ helpers
    def _recipe(self, recipe_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM recipes WHERE recipe_id = ?", recipe_id.strip(),
                            error=f"no recipe with id '{recipe_id}'; search_recipes or list_recipes_by_category"
                                  " show the ids")

    def _details(self, recipe: dict[str, Any], people: int | None = None) -> Recipe:
        scale = 1.0 if people is None else people / recipe["servings"]
        parts = self.rows("SELECT name, quantity, unit FROM ingredients WHERE recipe_id = ? ORDER BY position",
                          recipe["recipe_id"])
        for part in parts:
            part["quantity"] = scaled(part["quantity"], part["unit"], scale)
        return {"recipe_id": recipe["recipe_id"], "name": recipe["name"], "description": recipe["description"],
                "category": recipe["category"], "difficulty": recipe["difficulty"],
                "servings": people or recipe["servings"], "ingredients": parts,
                "steps": [r["text"] for r in self.rows("SELECT text FROM steps WHERE recipe_id = ? ORDER BY step_no",
                                                       recipe["recipe_id"])],
                "tips": [recipe["tips"]]}

    def _day(self, meal_date: str) -> str:
        try:
            day = dt.date.fromisoformat(meal_date)
        except ValueError:
            raise ToolError(f"meal_date must be a real date like 2026-03-05, got {meal_date!r}") from None
        return day.isoformat()

    def _entries(self, where: str, *params: Any) -> list[Entry]:
        rows = self.rows("SELECT m.entry_id, m.meal_date, m.meal, r.name, m.people_count, m.listed FROM meal_plan m"
                         f" JOIN recipes r USING (recipe_id) WHERE {where} ORDER BY m.meal_date, m.meal, m.entry_id",
                         *params)
        return [{**{k: v for k, v in r.items() if k != "listed"}, "on_shopping_list": bool(r["listed"])} for r in rows]

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list the recipe categories", "show me what kinds of dishes the collection has"])
    def list_all_categories(self) -> Categories:
        """The recipe categories and how many recipes each has."""
        rows = self.rows("SELECT category, COUNT(*) AS recipes FROM recipes GROUP BY category"
                         " ORDER BY COUNT(*) DESC, category")
        return {"categories": [{"category": r["category"], "folder": DISHES[r["category"]][0],
                                "recipes": r["recipes"]} for r in rows]}

    @tool(phrase=["list the {category} recipes", "show me the recipes in the category {category}"])
    def list_recipes_by_category(self, category: Category | None = None) -> list[Summary]:
        """Recipes of a category (all recipes when none is given), easiest first.

        Args:
            category: One of the categories.
        """
        return self.rows("SELECT recipe_id, name, category, difficulty, minutes FROM recipes"
                         " WHERE ?1 IS NULL OR category = ?1 ORDER BY difficulty, recipe_id", category)

    @tool(phrase=["find recipes for {query}", "search the recipes for {query}"])
    def search_recipes(self, query: NonEmptyStr) -> list[Summary]:
        """Recipes whose name or description contains the text (a dish or an ingredient, e.g. 鸡蛋).

        Args:
            query: Text to look for.
        """
        matches, params = self.text_filter("recipes", query)
        return self.rows(f"SELECT recipe_id, name, category, difficulty, minutes FROM recipes WHERE {matches}"
                         " ORDER BY difficulty, recipe_id LIMIT 20", *params)

    @tool(phrase=["show me how to cook {recipe_id}", "get the ingredients and steps of {recipe_id}"])
    def get_recipe_details(self, recipe_id: str) -> Recipe:
        """A recipe's description, ingredients for its servings, steps and tips.

        Args:
            recipe_id: The recipe's id.
        """
        return self._details(self._recipe(recipe_id))

    @tool(phrase=["suggest a meal for {people_count} people[ from {category}][ without {avoid_items}]",
                  "recommend dishes for {people_count} diners[ in the category {category}][, avoiding {avoid_items}]"])
    def recommend_meal(self, people_count: People, category: Category | None = None,
                       avoid_items: list[NonEmptyStr] | None = None) -> MealIdea:
        """A set of dishes for a head count: one dish per person plus one, meat and vegetables balanced, a soup
        from 4 people on; dishes with an avoided ingredient are left out.

        Args:
            people_count: How many people eat.
            category: Only dishes of this category.
            avoid_items: Ingredients to leave out, e.g. ["香菜", "牛肉"].
        """
        avoid = [a.strip() for a in avoid_items or []]
        rows = [r for r in self.rows("SELECT recipe_id, name, category, difficulty, minutes FROM recipes"
                                     " WHERE category != '调料' AND (?1 IS NULL OR category = ?1) ORDER BY recipe_id",
                                     category)
                if not any(self.value("SELECT 1 FROM ingredients WHERE recipe_id = ? AND instr(name, ?) > 0",
                                      r["recipe_id"], a) for a in avoid)]
        rng, count = random.Random(f"{self.seed}:{people_count}:{category}"), people_count + 1
        rng.shuffle(rows)
        wanted = [] if category else ["荤菜"] * ((count + 1) // 2) + ["汤与粥"] * (people_count >= 4)
        picked = []
        for kind in wanted:
            found = next((r for r in rows if r["category"] == kind and r not in picked), None)
            picked += [found] if found else []
        fill = [r for r in rows if r not in picked and (category or r["category"] in ("素菜", "水产"))]
        picked += fill[:count - len(picked)]
        if not picked:
            raise ToolError("no dishes fit; avoid fewer ingredients or drop the category")
        return {"people_count": people_count, "dish_count": len(picked), "dishes": picked}

    @tool(phrase=["pick a random dish for {people_count} people", "surprise me with a dish for {people_count}"])
    def get_random_dish_recommendation(self, people_count: People) -> Recipe:
        """Today's surprise dish, with ingredients scaled to the head count.

        Args:
            people_count: How many people eat.
        """
        ids = [r["recipe_id"] for r in self.rows("SELECT recipe_id FROM recipes WHERE category != '调料'"
                                                  " ORDER BY recipe_id")]
        chosen = random.Random(f"{self.seed}:{self.now().date()}:{people_count}").choice(ids)
        return self._details(self._recipe(chosen), people_count)

    @tool(phrase=["show my favourite recipes", "list what I saved as favourites"])
    def list_favorites(self) -> list[Favourite]:
        """Your favourite recipes, most recently added first."""
        return self.rows("SELECT f.recipe_id, r.name, r.category, f.added_on FROM favourites f JOIN recipes r"
                         " USING (recipe_id) ORDER BY f.added_on DESC, f.recipe_id")

    @tool(writes=True, phrase=["save {recipe_id} to my favourites", "add {recipe_id} to my favourites",
                               "bookmark {recipe_id} for later"])
    def add_favorite(self, recipe_id: str) -> Favourite:
        """Save a recipe to your favourites (at most 30).

        Args:
            recipe_id: The recipe's id.
        """
        recipe = self._recipe(recipe_id)
        if self.row("SELECT 1 FROM favourites WHERE recipe_id = ?", recipe["recipe_id"]):
            raise ToolError(f"{recipe['name']} is already in your favourites")
        if self.value("SELECT COUNT(*) FROM favourites") >= MAX_FAVOURITES:
            raise ToolError(f"you have {MAX_FAVOURITES} favourites already; remove one first")
        self.execute("INSERT INTO favourites VALUES (?, ?)", recipe["recipe_id"], self.now().date().isoformat())
        return next(f for f in self.list_favorites() if f["recipe_id"] == recipe["recipe_id"])

    @tool(writes=True, phrase=["remove {recipe_id} from my favourites", "unfavourite {recipe_id}",
                               "take {recipe_id} off my saved recipes"])
    def remove_favorite(self, recipe_id: str) -> Summary:
        """Remove a recipe from your favourites.

        Args:
            recipe_id: The recipe's id.
        """
        recipe = self._recipe(recipe_id)
        if not self.execute("DELETE FROM favourites WHERE recipe_id = ?", recipe["recipe_id"]):
            raise ToolError(f"{recipe['name']} is not in your favourites")
        return {k: recipe[k] for k in ("recipe_id", "name", "category", "difficulty", "minutes")}

    @tool(phrase=["show my meal plan[ for {meal_date}]", "what have I planned to cook[ on {meal_date}]"])
    def get_meal_plan(self, meal_date: Day | None = None) -> list[Entry]:
        """Your planned meals (from today on), or those of one day.

        Args:
            meal_date: Only this day, YYYY-MM-DD.
        """
        if meal_date is not None:
            return self._entries("m.meal_date = ?", self._day(meal_date))
        return self._entries("m.meal_date >= ?", self.now().date().isoformat())

    @tool(writes=True, phrase=["add {recipe_id} to my {meal} on {meal_date} for {people_count} people",
                               "plan to cook {recipe_id} for {meal} on {meal_date}, {people_count} people eating",
                               "put {recipe_id} on the {meal} menu for {meal_date} ({people_count} people)"])
    def add_to_meal_plan(self, recipe_id: str, meal_date: Day, meal: Meal, people_count: People) -> Entry:
        """Plan a dish for a meal from today to 14 days ahead. One meal has at most 6 dishes, each once, and
        one head count; condiments (调料) are not dishes.

        Args:
            recipe_id: The recipe's id.
            meal_date: The day, YYYY-MM-DD.
            meal: breakfast, lunch or dinner.
            people_count: How many people eat at this meal.
        """
        recipe, day, today = self._recipe(recipe_id), self._day(meal_date), self.now().date()
        if not today.isoformat() <= day <= (today + dt.timedelta(days=PLAN_DAYS)).isoformat():
            raise ToolError(f"meal_date must be between today ({today.isoformat()}) and {PLAN_DAYS} days ahead")
        if recipe["category"] == "调料":
            raise ToolError(f"{recipe['name']} is a condiment (调料), not a dish; plan a dish that uses it")
        planned = self.rows("SELECT recipe_id, people_count FROM meal_plan WHERE meal_date = ? AND meal = ?", day, meal)
        if any(p["recipe_id"] == recipe["recipe_id"] for p in planned):
            raise ToolError(f"{recipe['name']} is already planned for {meal} on {day}")
        if len(planned) >= MAX_DISHES:
            raise ToolError(f"{meal} on {day} already has {MAX_DISHES} dishes; remove one or pick another meal")
        if planned and planned[0]["people_count"] != people_count:
            raise ToolError(f"{meal} on {day} is planned for {planned[0]['people_count']} people; use that head count")
        entry_id = self.new_id("meal_plan", "mp")
        self.execute("INSERT INTO meal_plan VALUES (?, ?, ?, ?, ?, 0)", entry_id, day, meal, recipe["recipe_id"],
                     people_count)
        return self._entries("m.entry_id = ?", entry_id)[0]

    @tool(writes=True, phrase=["put the ingredients for my meals on {meal_date} on my shopping list",
                               "make a shopping list for what I cook on {meal_date}",
                               "add what I need for {meal_date} to the shopping list"])
    def build_shopping_list(self, meal_date: Day) -> list[Item]:
        """Add the ingredients of a day's planned dishes (not listed yet) to the shopping list, scaled to each
        meal's head count; returns the whole list.

        Args:
            meal_date: The planned day, YYYY-MM-DD.
        """
        day = self._day(meal_date)
        entries = self.rows("SELECT m.entry_id, m.people_count, r.recipe_id, r.servings FROM meal_plan m JOIN"
                            " recipes r USING (recipe_id) WHERE m.meal_date = ?", day)
        if not entries:
            raise ToolError(f"nothing is planned on {day}; add_to_meal_plan first")
        fresh = [e for e in entries if not self.value("SELECT listed FROM meal_plan WHERE entry_id = ?", e["entry_id"])]
        if not fresh:
            raise ToolError(f"the dishes planned on {day} are already on the shopping list")
        for entry in fresh:
            for part in self.rows("SELECT name, quantity, unit FROM ingredients WHERE recipe_id = ?",
                                  entry["recipe_id"]):
                amount = scaled(part["quantity"], part["unit"], entry["people_count"] / entry["servings"])
                self.execute("INSERT INTO shopping_list VALUES (?, ?, ?) ON CONFLICT (item) DO UPDATE"
                             " SET quantity = round(quantity + excluded.quantity, 1)", part["name"], amount,
                             part["unit"])
            self.execute("UPDATE meal_plan SET listed = 1 WHERE entry_id = ?", entry["entry_id"])
        return self.rows("SELECT item, quantity, unit FROM shopping_list ORDER BY item")
