"""TFTServer: Teamfight Tactics set data (champions with costs and traits, item recipes, augments), meta decks
and play styles, and the signed-in player's saved team comps (boards with units and items)."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

COMPONENTS = ["B.F. Sword", "Recurve Bow", "Needlessly Large Rod", "Tear of the Goddess", "Chain Vest",
              "Negatron Cloak", "Giant's Belt", "Sparring Gloves"]
COMPLETED = """Deathblade Giant_Slayer Hextech_Gunblade Spear_of_Shojin Edge_of_Night Bloodthirster Sterak's_Gage
Infinity_Edge Red_Buff Guinsoo's_Rageblade Statikk_Shiv Titan's_Resolve Runaan's_Hurricane Nashor's_Tooth
Last_Whisper Rabadon's_Deathcap Archangel's_Staff Crownguard Ionic_Spark Morellonomicon Jeweled_Gauntlet Blue_Buff
Protector's_Vow Adaptive_Helm Redemption Hand_of_Justice Bramble_Vest Gargoyle_Stoneplate Sunfire_Cape
Steadfast_Heart Dragon's_Claw Evenshroud Quicksilver Warmog's_Armor Guardbreaker Thief's_Gloves""".split()
RECIPES = {name.replace("_", " "): pair for name, pair in zip(COMPLETED, (
    (a, b) for i, a in enumerate(COMPONENTS) for b in COMPONENTS[i:]))}
ORIGINS = {"Rebel": "3/5/7", "Academy": "3/5/7", "Syndicate": "3/5/7", "Chrome": "2/4/6", "Ember": "2/4/6",
           "Frost": "3/6"}
CLASSES = {"Sniper": "2/4/6", "Bruiser": "2/4/6", "Sorcerer": "2/4/6", "Bastion": "2/4/6", "Duelist": "2/4/6",
           "Enforcer": "2/4", "Visionary": "2/4/6"}
UNITS = ["Ahri", "Akali", "Ashe", "Blitzcrank", "Braum", "Caitlyn", "Camille", "Darius", "Ekko", "Ezreal", "Garen",
         "Gwen", "Heimerdinger", "Illaoi", "Jayce", "Jinx", "Kai'Sa", "Katarina", "LeBlanc", "Leona", "Lux", "Malzahar",
         "Morgana", "Nami", "Nunu", "Orianna", "Poppy", "Renata", "Rell", "Samira", "Sett", "Silco", "Singed",
         "Sion", "Swain", "Twitch", "Vex", "Vi", "Zeri", "Ziggs"]
COSTS = [1] * 10 + [2] * 9 + [3] * 9 + [4] * 7 + [5] * 5
AUGMENTS = ["Cybernetic Implants", "Jeweled Lotus", "Pandora's Items", "Rich Get Richer", "Level Up!",
            "Thrill of the Hunt", "Think Fast", "Tiny Titans", "Combat Training", "Featherweights",
            "Celestial Blessing", "Metabolic Accelerator", "Cluttered Mind", "Component Grab Bag", "Portable Forge",
            "Buried Treasures", "Item Grab Bag", "Golden Ticket", "Blue Battery", "Second Wind", "Preparation",
            "Sunfire Board", "Tons of Stats", "Trade Sector", "Salvage Bin", "Hedge Fund", "Birthday Present",
            "Scoped Weapons", "Exiles", "Stand United", "Ascension", "Lategame Specialist", "Patient Study",
            "Unified Resistance", "Knowledge Download", "Made to Order", "Shopping Spree", "Pumping Up"]
STYLES = {"Fast 8": "Econ to 50 gold, level on 4-1 and 4-2 to reach level 8 and find 4-cost carries.",
          "Reroll": "Stay at level 5-7 and roll down gold to three-star 1- to 3-cost units early.",
          "Slow roll": "Keep 50 gold and roll the interest above it while levelling slowly.",
          "Lose streak": "Sell early strength to bank gold and loss-streak bonuses, then spike at stage 4.",
          "Hyper roll": "Spend every gold on rolls from stage 2 to hit three-star 1-costs."}
COMP_NAMES = ["Sniper bait", "Chrome wall", "Academy flex", "Frost board", "Ember burn", "Duelist line", "Late Visionary"]
#: Each trait's breakpoints as numbers.
BREAKS = {t: [int(x) for x in b.split("/")] for t, b in {**ORIGINS, **CLASSES}.items()}
Style = Literal["Fast 8", "Reroll", "Slow roll", "Lose streak", "Hyper roll"]
Unit = Annotated[str, UserKnown, Field(min_length=2, max_length=20)]
ItemName = Annotated[str, UserKnown, Field(min_length=3, max_length=30)]
Limit = Annotated[int, Field(ge=1, le=50)]

BuildItem = TypedDict("BuildItem", {"item_name": str, "frequency": float, "avg_placement": float})
ChampBuild = TypedDict("ChampBuild", {"champion_name": str, "items": list[BuildItem]})
PlayStyle = TypedDict("PlayStyle", {"style": str, "description": str, "recommendations": list[str]})
Augment = TypedDict("Augment", {"augment_name": str, "tier": str, "avg_placement": float, "pick_rate": float})
Augments = TypedDict("Augments", {"augments": list[Augment]})
Holder = TypedDict("Holder", {"champion_name": str, "cost": int, "frequency": float, "avg_placement": float})
Holders = TypedDict("Holders", {"item_name": str, "champions": list[Holder]})
Combination = TypedDict("Combination", {"item_name": str, "component_1": str, "component_2": str})
Combinations = TypedDict("Combinations", {"combinations": list[Combination]})
Deck = TypedDict("Deck", {"deck_name": str, "tier": str, "style": str, "carry": str, "units": list[str],
                          "avg_placement": float, "top4_rate": float})
Decks = TypedDict("Decks", {"decks": list[Deck]})
Champion = TypedDict("Champion", {"champion_name": str, "cost": int, "traits": list[str]})
Champions = TypedDict("Champions", {"champions": list[Champion]})
BoardUnit = TypedDict("BoardUnit", {"champion_name": str, "items": list[str]})
Trait = TypedDict("Trait", {"trait": str, "units": int, "active_breakpoint": int})
Comp = TypedDict("Comp", {"comp_id": str, "comp_name": str, "level": int, "units": list[BoardUnit],
                          "active_traits": list[Trait]})
CompList = TypedDict("CompList", {"comps": list[Comp]})
Deleted = TypedDict("Deleted", {"comp_id": str, "comp_name": str, "deleted": bool})


class TFTServer(World):
    """Teamfight Tactics companion for the current set: champions (cost 1-5, an origin and a class trait), trait
    breakpoints, item recipes from the eight components, augments (silver, gold, prismatic), meta decks by tier
    (S, A, B, C) and play styles. You can save team comps (a board at a player level with its units and items)."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE champions (champion_name TEXT PRIMARY KEY, cost INTEGER NOT NULL, origin TEXT NOT NULL,
                            class TEXT NOT NULL);
    CREATE INDEX champions_by_cost ON champions (cost);
    CREATE INDEX champions_by_lower_name ON champions (lower(champion_name));
    CREATE TABLE traits (trait TEXT PRIMARY KEY, breakpoints TEXT NOT NULL);
    CREATE TABLE item_recipes (item_name TEXT PRIMARY KEY, component_1 TEXT, component_2 TEXT);
    CREATE INDEX recipes_by_component ON item_recipes (component_1, component_2);
    CREATE INDEX recipes_by_lower_name ON item_recipes (lower(item_name));
    CREATE TABLE builds (champion_name TEXT NOT NULL REFERENCES champions, item_name TEXT NOT NULL,
                         frequency REAL NOT NULL, avg_placement REAL NOT NULL, PRIMARY KEY (champion_name, item_name));
    CREATE INDEX builds_by_item ON builds (item_name);
    CREATE TABLE augments (augment_name TEXT PRIMARY KEY, tier TEXT NOT NULL, avg_placement REAL NOT NULL,
                           pick_rate REAL NOT NULL);
    CREATE TABLE decks (deck_id TEXT PRIMARY KEY, deck_name TEXT NOT NULL, tier TEXT NOT NULL, style TEXT NOT NULL,
                        carry TEXT NOT NULL, units TEXT NOT NULL, avg_placement REAL NOT NULL, top4_rate REAL NOT NULL);
    CREATE INDEX decks_by_tier ON decks (tier, avg_placement);
    -- the signed-in player's saved comps: one board each, its units with up to 3 items
    CREATE TABLE comps (comp_id TEXT PRIMARY KEY, comp_name TEXT NOT NULL, level INTEGER NOT NULL);
    CREATE TABLE units (unit_id TEXT PRIMARY KEY, comp_id TEXT NOT NULL REFERENCES comps, champion_name TEXT NOT NULL,
                        items TEXT NOT NULL);
    CREATE INDEX units_by_comp ON units (comp_id, champion_name);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        origins, classes = sorted(ORIGINS), sorted(CLASSES)
        kinds = rng.sample([classes[i % 7] for i in range(len(UNITS))], len(UNITS))
        champs = [{"champion_name": n, "cost": c, "origin": origins[i % 6], "class": kinds[i]}
                  for i, (n, c) in enumerate(zip(rng.sample(UNITS, len(UNITS)), COSTS))]
        db["champions"].insert_all(champs)
        db["traits"].insert_all({"trait": t, "breakpoints": b} for t, b in {**ORIGINS, **CLASSES}.items())
        db["item_recipes"].insert_all([{"item_name": c, "component_1": None, "component_2": None} for c in COMPONENTS]
                                      + [{"item_name": i, "component_1": a, "component_2": b}
                                         for i, (a, b) in RECIPES.items()])
        db["builds"].insert_all({"champion_name": c["champion_name"], "item_name": item,
                                 "frequency": round(rng.uniform(8, 60), 1), "avg_placement": round(rng.uniform(3.4, 4.8), 2)}
                                for c in champs for item in rng.sample(sorted(RECIPES), 5))
        db["augments"].insert_all({"augment_name": a, "tier": rng.choice(["silver", "gold", "prismatic"]),
                                   "avg_placement": round(rng.uniform(3.6, 4.9), 2), "pick_rate": round(rng.uniform(0.5, 12), 1)}
                                  for a in AUGMENTS)
        decks = []
        for trait in rng.sample(origins + classes, 11):
            members = [c for c in champs if trait in (c["origin"], c["class"])]
            carry = rng.choice(members) if rng.random() < 0.4 else max(members, key=lambda c: (c["cost"], c["champion_name"]))
            style = rng.choice(["Reroll", "Hyper roll"] if carry["cost"] <= 3 else ["Fast 8", "Slow roll", "Lose streak"])
            units = sorted({m["champion_name"] for m in members[:6]} | {carry["champion_name"]})
            decks.append({"deck_id": fake_id(rng, "deck_"), "deck_name": f"{trait} {carry['champion_name']}",
                          "tier": rng.choice("SAABBC"), "style": style, "carry": carry["champion_name"],
                          "units": ", ".join(units), "avg_placement": round(rng.uniform(3.6, 4.8), 2),
                          "top4_rate": round(rng.uniform(45, 65), 1)})
        db["decks"].insert_all(decks)
        for name in rng.sample(COMP_NAMES, 3):
            comp_id, level = fake_id(rng, "tcomp_"), rng.randint(6, 9)
            db["comps"].insert({"comp_id": comp_id, "comp_name": name, "level": level})
            for c in rng.sample(champs, level - 1):
                items = rng.sample(sorted(RECIPES), rng.choice([0, 0, 1, 2])) if c["cost"] >= 3 else []
                db["units"].insert({"unit_id": fake_id(rng, "unit_"), "comp_id": comp_id,
                                    "champion_name": c["champion_name"], "items": "|".join(items)})

    def _champion(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM champions WHERE lower(champion_name) = lower(?)", name.strip(),
                            error=f"no champion '{name}' in this set; tft_list_champions lists them")

    def _item(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM item_recipes WHERE lower(item_name) = lower(?)", name.strip(),
                            error=f"no item '{name}'; tft_list_item_combinations lists the recipes")

    @tool(phrase=["show me the best items for {champion_name}", "find out what to build on {champion_name}"])
    def tft_get_champion_item_build(self, champion_name: Unit) -> ChampBuild:
        """A champion's most built items, by frequency, with the average placement when built.

        Args:
            champion_name: The champion.
        """
        c = self._champion(champion_name)
        items = self.rows("SELECT item_name, frequency, avg_placement FROM builds WHERE champion_name = ?"
                          " ORDER BY frequency DESC", c["champion_name"])
        return {"champion_name": c["champion_name"], "items": items}

    @tool(phrase=["explain the {style} play style and which decks suit it", "tell me how to play {style}"])
    def tft_get_play_style(self, style: Style) -> PlayStyle:
        """How a play style works and the meta decks played with it (best average placement first).

        Args:
            style: Fast 8, Reroll, Slow roll, Lose streak or Hyper roll.
        """
        decks = self.rows("SELECT deck_name FROM decks WHERE style = ? ORDER BY avg_placement", style)
        return {"style": style, "description": STYLES[style], "recommendations": [d["deck_name"] for d in decks]}

    @tool(phrase=["show me the[ {tier}] augments[ (top {limit})]", "find the best[ {tier}] augments[, top {limit}]"])
    def tft_list_augments(self, tier: Literal["silver", "gold", "prismatic"] | None = None, limit: Limit = 20) -> Augments:
        """Augments by average placement (lower is better).

        Args:
            tier: Only silver, gold or prismatic augments.
            limit: How many, 1-50.
        """
        return {"augments": self.rows("SELECT * FROM augments WHERE ?1 IS NULL OR tier = ?1 ORDER BY avg_placement,"
                                      " augment_name LIMIT ?2", tier, limit)}

    @tool(phrase=["find out which champions use {item_name}", "show me who builds {item_name}"])
    def tft_list_champions_for_item(self, item_name: ItemName) -> Holders:
        """The champions that build a completed item, most often first.

        Args:
            item_name: The completed item, e.g. "Infinity Edge".
        """
        item = self._item(item_name)
        if item["component_1"] is None:
            raise ToolError(f"{item['item_name']} is a component; name a completed item")
        rows = self.rows("SELECT b.champion_name, c.cost, b.frequency, b.avg_placement FROM builds b JOIN champions c"
                         " USING (champion_name) WHERE b.item_name = ? ORDER BY b.frequency DESC", item["item_name"])
        return {"item_name": item["item_name"], "champions": rows}

    @tool(phrase=["show me the item recipes[ that use {component}]", "tell me which items I can craft[ from {component}]"])
    def tft_list_item_combinations(self, component: Literal[tuple(COMPONENTS)] | None = None,
                                   limit: Limit = 50) -> Combinations:
        """Completed items and the two components each is combined from.

        Args:
            component: Only recipes that use this component.
            limit: How many, 1-50.
        """
        return {"combinations": self.rows(
            "SELECT * FROM item_recipes WHERE component_1 IS NOT NULL AND (?1 IS NULL OR ?1 IN (component_1,"
            " component_2)) ORDER BY item_name LIMIT ?2", component, limit)}

    @tool(phrase=["show me the[ {tier}-tier] meta decks[ (top {limit})]", "list the best decks[ in tier {tier}]"])
    def tft_list_meta_decks(self, tier: Literal["S", "A", "B", "C"] | None = None, limit: Limit = 10) -> Decks:
        """Meta decks by tier and average placement, with their carry and core units.

        Args:
            tier: Only decks of this tier.
            limit: How many, 1-50.
        """
        rows = self.rows("SELECT * FROM decks WHERE ?1 IS NULL OR tier = ?1 ORDER BY tier, avg_placement LIMIT ?2",
                         tier, limit)
        return {"decks": [{k: v for k, v in {**r, "units": r["units"].split(", ")}.items() if k != "deck_id"}
                          for r in rows]}

    @tool(phrase=["list the {cost}-cost champions", "show me the[ {trait}] champions"])
    def tft_list_champions(self, cost: Annotated[int, Field(ge=1, le=5)] | None = None,
                           trait: Literal[tuple(sorted({**ORIGINS, **CLASSES}))] | None = None) -> Champions:
        """Champions of the set with cost and traits, by cost then name.

        Args:
            cost: Only champions of this gold cost (1-5).
            trait: Only champions with this origin or class.
        """
        rows = self.rows("SELECT * FROM champions WHERE (?1 IS NULL OR cost = ?1) AND (?2 IS NULL OR ?2 IN (origin,"
                         " class)) ORDER BY cost, champion_name", cost, trait)
        return {"champions": [{"champion_name": r["champion_name"], "cost": r["cost"],
                               "traits": [r["origin"], r["class"]]} for r in rows]}

    def _comp(self, comp_id: str) -> Comp:
        comp = self._saved(comp_id)
        return self._render(comp_id, comp, self._units(comp_id))

    def _units(self, comp_id: str) -> list[tuple[str, str, str, str, str]]:
        """A comp's units by champion name, each as a tuple (champion_name, items, origin, class, unit_id)."""
        return self.conn.execute("SELECT u.champion_name, u.items, c.origin, c.class, u.unit_id FROM units u JOIN"
                                 " champions c USING (champion_name) WHERE u.comp_id = ? ORDER BY u.champion_name",
                                 (comp_id,)).fetchall()

    def _saved(self, comp_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM comps WHERE comp_id = ?", comp_id,
                            error=f"no saved comp '{comp_id}'; tft_list_saved_comps lists yours")

    @staticmethod
    def _render(comp_id: str, comp: dict[str, Any], units: list[tuple[str, str, str, str, Any]]) -> Comp:
        """A saved comp with its units (by champion name, as :meth:`_units` reads them) and active traits."""
        counts = Counter([origin for _, _, origin, _, _ in units] + [kind for _, _, _, kind, _ in units])
        # a trait is active from its first breakpoint; the active one is the highest reached (breakpoints ascend)
        active = [{"trait": t, "units": n, "active_breakpoint": breaks[bisect_right(breaks, n) - 1]}
                  for t, n in sorted(counts.items()) if n >= (breaks := BREAKS[t])[0]]
        return {"comp_id": comp_id, "comp_name": comp["comp_name"], "level": comp["level"],
                "units": [{"champion_name": name, "items": [i for i in items.split("|") if i] if items else []}
                          for name, items, *_ in units], "active_traits": active}

    @tool(phrase=["show me my saved team comps", "list the boards I saved with their active traits"])
    def tft_list_saved_comps(self) -> CompList:
        """Your saved comps: level, units with items, and the traits they activate."""
        return {"comps": [self._comp(r["comp_id"]) for r in self.rows("SELECT comp_id FROM comps ORDER BY comp_name")]}

    @tool(writes=True, phrase=["save a level {level} team comp called {comp_name} with {champion_names}",
                               "plan a board {comp_name} at level {level}: {champion_names}"])
    def tft_save_team_comp(self, comp_name: Annotated[str, Field(min_length=1, max_length=32)],
                           level: Annotated[int, Field(ge=1, le=10)],
                           champion_names: Annotated[list[Unit], Field(min_length=1, max_length=10)]) -> Comp:
        """Save a board: at a player level you can field at most that many units, each champion once. Up to 5
        saved comps, each with its own name.

        Args:
            comp_name: Your name for the comp.
            level: The player level the board is for (1-10).
            champion_names: The champions on the board.
        """
        champs = [self._champion(n) for n in champion_names]
        names = [c["champion_name"] for c in champs]
        if len(set(names)) < len(names):
            raise ToolError("each champion can be on a saved board only once")
        if len(names) > level:
            raise ToolError(f"at level {level} you can field only {level} units, not {len(names)}; raise the level"
                            " or drop units")
        taken = self.row("SELECT EXISTS (SELECT 1 FROM comps WHERE lower(comp_name) = lower(?)) AS named,"
                         " (SELECT COUNT(*) FROM comps) AS saved", comp_name.strip())
        if taken["named"]:
            raise ToolError(f"you already have a comp named '{comp_name.strip()}'; pick another name")
        if taken["saved"] >= 5:
            raise ToolError("you already have 5 saved comps; delete one with tft_delete_team_comp first")
        comp_id = self.new_id("comps", "tcomp_")
        self.execute("INSERT INTO comps VALUES (?, ?, ?)", comp_id, comp_name.strip(), level)
        self.executemany("INSERT INTO units VALUES (?, ?, ?, '')",
                         [(self.new_id("units", "unit_"), comp_id, name) for name in names])
        units = [(c["champion_name"], "", c["origin"], c["class"], None)
                 for c in sorted(champs, key=lambda c: c["champion_name"])]
        return self._render(comp_id, {"comp_name": comp_name.strip(), "level": level}, units)

    @tool(writes=True, phrase=["give {item_name} to {champion_name} on {comp_id}",
                               "put {item_name} on {champion_name} in {comp_id}"])
    def tft_add_item_to_unit(self, comp_id: Annotated[str, Field(pattern=r"^tcomp_\w+$")], champion_name: Unit,
                             item_name: ItemName) -> Comp:
        """Equip a completed item on a unit of a saved comp: at most 3 items per unit, and Thief's Gloves takes
        all three slots.

        Args:
            comp_id: The comp's id, from tft_list_saved_comps.
            champion_name: The unit to equip.
            item_name: The completed item.
        """
        # the comp, the champion and the item in one lookup (each error as _saved, _champion and _item raise it)
        found = self.row("SELECT c.comp_name, c.level, ch.champion_name AS champ, i.item_name, i.component_1"
                         " FROM (SELECT 1) LEFT JOIN comps c ON c.comp_id = ?"
                         " LEFT JOIN champions ch ON lower(ch.champion_name) = lower(?)"
                         " LEFT JOIN item_recipes i ON lower(i.item_name) = lower(?)",
                         comp_id, champion_name.strip(), item_name.strip())
        if found["comp_name"] is None:
            self._saved(comp_id)  # raises its error
        comp = found
        units = self._units(comp_id)
        if found["champ"] is None:
            self._champion(champion_name)  # raises its error
        champ = found["champ"]
        position = next((i for i, u in enumerate(units) if u[0] == champ), None)
        if position is None:
            raise ToolError(f"{champ} is not on that board; add it to the comp first")
        if found["item_name"] is None:
            self._item(item_name)  # raises its error
        item = found
        if item["component_1"] is None:
            raise ToolError(f"{item['item_name']} is a component; combine two components into a completed item")
        _, held, origin, kind, unit_id = units[position]
        items = [i for i in held.split("|") if i]
        if "Thief's Gloves" in items or (items and item["item_name"] == "Thief's Gloves"):
            raise ToolError("Thief's Gloves must be a unit's only item")
        if len(items) >= 3:
            raise ToolError(f"{champ} already holds 3 items ({', '.join(items)})")
        equipped = "|".join(items + [item["item_name"]])
        self.execute("UPDATE units SET items = ? WHERE unit_id = ?", equipped, unit_id)
        units[position] = (champ, equipped, origin, kind, unit_id)
        return self._render(comp_id, comp, units)

    @tool(writes=True, phrase=["delete {comp_id} from my saved comps", "remove {comp_id} from my boards"])
    def tft_delete_team_comp(self, comp_id: Annotated[str, Field(pattern=r"^tcomp_\w+$")]) -> Deleted:
        """Delete one of your saved comps with its units.

        Args:
            comp_id: The comp's id, from tft_list_saved_comps.
        """
        # the comp goes first, returning its name (a missing one takes _saved's check, which raises), then its units
        name = self.value("DELETE FROM comps WHERE comp_id = ? RETURNING comp_name", comp_id)
        if name is None:
            self._saved(comp_id)  # raises its error
        self.execute("DELETE FROM units WHERE comp_id = ?", comp_id)
        return {"comp_id": comp_id, "comp_name": name, "deleted": True}
