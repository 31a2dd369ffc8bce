"""WuWa: Wuthering Waves, a player's account: resonators, echoes with costs and sonata sets, materials."""

from __future__ import annotations

import functools
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

# name: (element, weapon, rarity, faction, role, ascension material)
RESONATORS = {
    "Jiyan": ("Aero", "Broadblade", 5, "Midnight Rangers", "Main DPS", "Roaring Rock Fist"),
    "Calcharo": ("Electro", "Broadblade", 5, "Ghost Hounds", "Main DPS", "Thundering Tacet Core"),
    "Encore": ("Fusion", "Rectifier", 5, "Black Shores", "Main DPS", "Rage Tacet Core"),
    "Jianxin": ("Aero", "Gauntlets", 5, "Fangxin Hermitage", "Support", "Roaring Rock Fist"),
    "Lingyang": ("Glacio", "Gauntlets", 5, "Lion Dance Troupe", "Main DPS", "Sound-Keeping Tacet Core"),
    "Verina": ("Spectro", "Rectifier", 5, "Huaxu Academy", "Healer", "Elegy Tacet Core"),
    "Yinlin": ("Electro", "Rectifier", 5, "Jinzhou Patrol", "Sub DPS", "Group Abomination Tacet Core"),
    "Jinhsi": ("Spectro", "Broadblade", 5, "Jinzhou Magistrate", "Main DPS", "Elegy Tacet Core"),
    "Changli": ("Fusion", "Sword", 5, "Jinzhou Magistrate", "Main DPS", "Rage Tacet Core"),
    "Zhezhi": ("Glacio", "Rectifier", 5, "Jinzhou Painters", "Sub DPS", "Sound-Keeping Tacet Core"),
    "Xiangli Yao": ("Electro", "Gauntlets", 5, "Huaxu Academy", "Main DPS", "Hidden Thunder Tacet Core"),
    "Shorekeeper": ("Spectro", "Rectifier", 5, "Black Shores", "Healer", "Topological Confinement"),
    "Camellya": ("Havoc", "Sword", 5, "Fractsidus", "Main DPS", "Topological Confinement"),
    "Carlotta": ("Glacio", "Pistols", 5, "Montelli Family", "Main DPS", "Platinum Core"),
    "Roccia": ("Havoc", "Gauntlets", 5, "Fabricatorium", "Sub DPS", "Cleansing Conch"),
    "Phoebe": ("Spectro", "Rectifier", 5, "Order of the Deep", "Sub DPS", "Cleansing Conch"),
    "Brant": ("Fusion", "Sword", 5, "Fabricatorium", "Healer", "Blazing Bone"),
    "Cantarella": ("Havoc", "Rectifier", 5, "Fisalia Family", "Sub DPS", "Blazing Bone"),
    "Zani": ("Spectro", "Gauntlets", 5, "Averardo Bank", "Main DPS", "Platinum Core"),
    "Ciaccona": ("Aero", "Pistols", 5, "Rinascita Bards", "Support", "Cleansing Conch"),
    "Chixia": ("Fusion", "Pistols", 4, "Jinzhou Patrol", "Main DPS", "Rage Tacet Core"),
    "Baizhi": ("Glacio", "Rectifier", 4, "Huaxu Academy", "Healer", "Sound-Keeping Tacet Core"),
    "Sanhua": ("Glacio", "Sword", 4, "Jinzhou Magistrate", "Support", "Sound-Keeping Tacet Core"),
    "Yangyang": ("Aero", "Sword", 4, "Midnight Rangers", "Support", "Roaring Rock Fist"),
    "Aalto": ("Aero", "Pistols", 4, "Black Shores", "Sub DPS", "Roaring Rock Fist"),
    "Yuanwu": ("Electro", "Gauntlets", 4, "Jinzhou Patrol", "Sub DPS", "Hidden Thunder Tacet Core"),
    "Mortefi": ("Fusion", "Pistols", 4, "Huaxu Academy", "Sub DPS", "Rage Tacet Core"),
    "Danjin": ("Havoc", "Sword", 4, "Jinzhou Magistrate", "Main DPS", "Strife Tacet Core"),
    "Taoqi": ("Havoc", "Broadblade", 4, "Jinzhou Magistrate", "Support", "Strife Tacet Core"),
    "Lumi": ("Electro", "Broadblade", 4, "Lollo Logistics", "Sub DPS", "Thundering Tacet Core"),
    "Youhu": ("Glacio", "Gauntlets", 4, "Jinzhou Appraisers", "Healer", "Sound-Keeping Tacet Core"),
}
SONATAS = {  # set: (two-piece, five-piece)
    "Freezing Frost": ("Glacio DMG +10%", "Glacio DMG +10% per Basic or Heavy Attack, stacking 3 times"),
    "Molten Rift": ("Fusion DMG +10%", "Fusion DMG +30% for 15s after a Resonance Skill"),
    "Void Thunder": ("Electro DMG +10%", "Electro DMG +15% after a Heavy Attack or Resonance Skill"),
    "Sierra Gale": ("Aero DMG +10%", "Aero DMG +30% for 15s after an Intro Skill"),
    "Celestial Light": ("Spectro DMG +10%", "Spectro DMG +30% for 15s after an Intro Skill"),
    "Sun-sinking Eclipse": ("Havoc DMG +10%", "Havoc DMG +7.5% per Basic or Heavy Attack, stacking 4 times"),
    "Rejuvenating Glow": ("Healing Bonus +10%", "all teammates ATK +15% for 30s after healing"),
    "Moonlit Clouds": ("Energy Regen +10%", "the next resonator's ATK +22.5% for 15s after an Outro Skill"),
    "Lingering Tunes": ("ATK +10%", "ATK +5% per second on field, Outro Skill DMG +60%"),
}
# echo: (cost, class, possible sonata sets)
ECHOES = {
    "Thundering Mephis": (4, "Overlord", ["Void Thunder"]),
    "Tempest Mephis": (4, "Overlord", ["Void Thunder"]),
    "Inferno Rider": (4, "Overlord", ["Molten Rift"]),
    "Lampylumen Myriad": (4, "Overlord", ["Freezing Frost"]),
    "Feilian Beringal": (4, "Overlord", ["Sierra Gale"]),
    "Mourning Aix": (4, "Overlord", ["Celestial Light"]),
    "Impermanence Heron": (4, "Overlord", ["Moonlit Clouds"]),
    "Bell-Borne Geochelone": (4, "Overlord", ["Rejuvenating Glow"]),
    "Crownless": (4, "Overlord", ["Sun-sinking Eclipse"]),
    "Dreamless": (4, "Calamity", ["Sun-sinking Eclipse"]),
    "Fallacy of No Return": (4, "Calamity", ["Moonlit Clouds", "Rejuvenating Glow"]),
    "Carapace": (3, "Elite", ["Sierra Gale", "Lingering Tunes"]),
    "Stonewall Bracer": (3, "Elite", ["Rejuvenating Glow", "Lingering Tunes"]),
    "Chaserazor": (3, "Elite", ["Sierra Gale", "Moonlit Clouds"]),
    "Roseshroom": (3, "Elite", ["Sierra Gale", "Molten Rift"]),
    "Hoochief": (3, "Elite", ["Sierra Gale", "Lingering Tunes"]),
    "Violet-Feathered Heron": (3, "Elite", ["Void Thunder", "Moonlit Clouds"]),
    "Cyan-Feathered Heron": (3, "Elite", ["Freezing Frost", "Rejuvenating Glow"]),
    "Autopuppet Scout": (3, "Elite", ["Freezing Frost", "Celestial Light"]),
    "Rocksteady Guardian": (3, "Elite", ["Celestial Light", "Rejuvenating Glow"]),
    "Flautist": (3, "Elite", ["Void Thunder", "Lingering Tunes"]),
    "Tambourinist": (3, "Elite", ["Sun-sinking Eclipse", "Moonlit Clouds"]),
    "Havoc Dreadmane": (3, "Elite", ["Sun-sinking Eclipse", "Lingering Tunes"]),
    "Vanguard Junrock": (1, "Common", ["Rejuvenating Glow", "Celestial Light"]),
    "Whiff Whaff": (1, "Common", ["Sierra Gale", "Moonlit Clouds"]),
    "Tick Tack": (1, "Common", ["Sun-sinking Eclipse", "Lingering Tunes"]),
    "Hooscamp": (1, "Common", ["Sierra Gale", "Celestial Light"]),
    "Gulpuff": (1, "Common", ["Freezing Frost", "Rejuvenating Glow"]),
    "Chirpuff": (1, "Common", ["Sierra Gale", "Lingering Tunes"]),
    "Glacio Prism": (1, "Common", ["Freezing Frost", "Moonlit Clouds"]),
    "Fusion Warrior": (1, "Common", ["Molten Rift", "Lingering Tunes"]),
    "Electro Predator": (1, "Common", ["Void Thunder", "Lingering Tunes"]),
    "Spectro Prism": (1, "Common", ["Celestial Light", "Rejuvenating Glow"]),
    "Snip Snap": (1, "Common", ["Molten Rift", "Moonlit Clouds"]),
    "Zig Zag": (1, "Common", ["Celestial Light", "Sun-sinking Eclipse"]),
}
MAIN_STATS = {4: ["Crit Rate", "Crit DMG", "ATK%", "HP%", "Healing Bonus"],
              3: ["Element DMG Bonus", "ATK%", "Energy Regen", "HP%"], 1: ["ATK%", "HP%", "DEF%"]}
POTIONS = {"Premium Resonance Potion": 20000, "Advanced Resonance Potion": 8000,
           "Medium Resonance Potion": 3000, "Basic Resonance Potion": 1000}
CAPS = [20, 40, 50, 60, 70, 80, 90]  # level cap per ascension rank 0-6
ASCENSION = [(4, 5000), (8, 10000), (12, 15000), (16, 20000), (20, 40000), (24, 80000)]  # boss material, credits
MAX_COST, MAX_ECHOES = 12, 5
CREDITS = "Shell Credit"
#: A roster row with the quantities of Shell Credits and the potions (levelling reads them in one statement).
LEVEL_SQL = ("SELECT *, " + ", ".join(f"(SELECT quantity FROM materials WHERE item = ?{i + 2})" for i in range(5))
             + " FROM roster WHERE character_name = ?1 COLLATE NOCASE")
#: A roster row with its ascension material and the quantities of that material and of Shell Credits.
ASCEND_SQL = ("SELECT roster.*, r.ascension_material, m.quantity, (SELECT quantity FROM materials WHERE item = ?2)"
              " FROM roster JOIN resonators r ON r.name = roster.character_name LEFT JOIN materials m ON m.item ="
              " r.ascension_material WHERE roster.character_name = ?1 COLLATE NOCASE")


@functools.cache
def take_sql(count: int) -> str:
    """One update spending ``count`` (item, quantity) pairs."""
    return ("UPDATE materials SET quantity = quantity - CASE item "
            + " ".join(f"WHEN ?{2 * i + 1} THEN ?{2 * i + 2}" for i in range(count))
            + f" END WHERE item IN ({', '.join(f'?{2 * i + 1}' for i in range(count))})")
Name = Annotated[str, UserKnown, Field(min_length=1, max_length=40)]

Resonator = TypedDict("Resonator", {"name": str, "element": str, "weapon_type": str, "rarity": int, "faction": str,
                                    "role": str, "ascension_material": str})
EchoInfo = TypedDict("EchoInfo", {"echo_name": str, "cost": int, "echo_class": str, "sonata_sets": list[str],
                                  "main_stats": list[str], "set_bonuses": list[str]})
OwnedEcho = TypedDict("OwnedEcho", {"echo_id": str, "name": str, "cost": int, "sonata": str, "main_stat": str,
                                    "echo_level": int, "equipped_on": str | None})
Profile = TypedDict("Profile", {"character_name": str, "level": int, "ascension_rank": int, "level_cap": int,
                                "echoes": list[OwnedEcho], "total_cost": int, "active_bonuses": list[str]})
Material = TypedDict("Material", {"item": str, "quantity": int})
LevelUp = TypedDict("LevelUp", {"character_name": str, "level": int, "level_cap": int, "exp_used": int,
                                "credits_spent": int, "items_used": list[Material]})
Ascended = TypedDict("Ascended", {"character_name": str, "ascension_rank": int, "level_cap": int,
                                  "items_used": list[Material]})


def exp_to_next(level: int) -> int:
    """EXP a resonator needs to go from ``level`` to ``level + 1``."""
    return 200 + 8 * level * level


class WuWa(World):
    """A Wuthering Waves account: the resonator catalogue, the player's roster (levels, ascension ranks, equipped
    echoes) and inventory (echoes, resonance potions, Shell Credits, ascension materials). A resonator carries at
    most 5 echoes whose costs add up to at most 12; levelling spends potions and credits up to the ascension cap."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE resonators (name TEXT PRIMARY KEY, element TEXT NOT NULL, weapon_type TEXT NOT NULL,
                             rarity INTEGER NOT NULL, faction TEXT NOT NULL, role TEXT NOT NULL,
                             ascension_material TEXT NOT NULL);
    CREATE INDEX resonators_by_element ON resonators (element, weapon_type);
    CREATE TABLE roster (character_name TEXT PRIMARY KEY REFERENCES resonators, level INTEGER NOT NULL,
                         ascension_rank INTEGER NOT NULL, exp INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE echo (echo_id TEXT PRIMARY KEY, name TEXT NOT NULL, sonata TEXT NOT NULL,
                               main_stat TEXT NOT NULL, echo_level INTEGER NOT NULL,
                               equipped_on TEXT REFERENCES roster, slot INTEGER);
    CREATE INDEX echoes_by_holder ON echo (equipped_on, slot);
    CREATE INDEX echoes_by_sonata ON echo (sonata);
    CREATE TABLE echo_species (echo_name TEXT PRIMARY KEY, cost INTEGER NOT NULL, echo_class TEXT NOT NULL);
    CREATE TABLE materials (item TEXT PRIMARY KEY, quantity INTEGER NOT NULL CHECK (quantity >= 0));
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["resonators"].insert_all({"name": n, "element": e, "weapon_type": w, "rarity": r, "faction": f, "role": ro,
                                     "ascension_material": m} for n, (e, w, r, f, ro, m) in RESONATORS.items())
        db["echo_species"].insert_all({"echo_name": n, "cost": c, "echo_class": k} for n, (c, k, _) in ECHOES.items())
        owned = sorted(rng.sample(sorted(RESONATORS), 18))
        roster = []
        for name in owned:
            rank = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
            level = CAPS[rank] if rng.random() < 0.25 else rng.randint(CAPS[rank - 1], CAPS[rank] - 6)
            roster.append({"character_name": name, "level": level, "ascension_rank": rank, "exp": 0})
        db["roster"].insert_all(roster)
        echoes, species = [], rng.sample(sorted(ECHOES), 33)
        for name in species:
            cost, _, sets = ECHOES[name]
            echoes.append({"echo_id": fake_id(rng, "echo_"), "name": name, "sonata": rng.choice(sets),
                           "main_stat": rng.choice(MAIN_STATS[cost]), "echo_level": rng.choice([0, 5, 10, 15, 20, 25]),
                           "equipped_on": None, "slot": None})
        # equip a few resonators within the cost limit, leaving room on most of them
        free = list(echoes)
        for row in rng.sample(roster, 5):
            total, slot = 0, 0
            for echo in sorted(rng.sample(free, 3), key=lambda e: -ECHOES[e["name"]][0]):
                if total + ECHOES[echo["name"]][0] <= MAX_COST - 1:
                    total, slot = total + ECHOES[echo["name"]][0], slot + 1
                    echo.update(equipped_on=row["character_name"], slot=slot)
                    free.remove(echo)
        db["echo"].insert_all(echoes)
        materials = {CREDITS: rng.randrange(60, 400) * 1000}
        materials.update({p: rng.randrange(2, 40) for p in POTIONS})
        for item in sorted({v[5] for v in RESONATORS.values()}):
            materials[item] = rng.randrange(0, 50)
        db["materials"].insert_all({"item": k, "quantity": v} for k, v in materials.items())

    # ------------------------------------------------------------------ helpers
    def _owned(self, name: str) -> dict[str, Any]:
        row = self.row("SELECT * FROM roster WHERE character_name = ? COLLATE NOCASE", name.strip())
        if row is None:
            if self.row("SELECT 1 FROM resonators WHERE name = ? COLLATE NOCASE", name.strip()):
                raise ToolError(f"'{name}' is not in your roster yet; get_character_info describes any resonator")
            raise ToolError(f"no resonator named '{name}'; list_resonators shows the catalogue")
        return row

    def _echoes(self, where: str, *params: Any) -> list[OwnedEcho]:
        rows = self.rows(f"SELECT echo_id, name, sonata, main_stat, echo_level, equipped_on FROM echo"
                         f" WHERE {where} ORDER BY slot, name", *params)
        return [{"echo_id": r["echo_id"], "name": r["name"], "cost": ECHOES[r["name"]][0], "sonata": r["sonata"],
                 "main_stat": r["main_stat"], "echo_level": r["echo_level"], "equipped_on": r["equipped_on"]}
                for r in rows]

    @staticmethod
    def _owned_echo(r: dict[str, Any]) -> OwnedEcho:
        return {"echo_id": r["echo_id"], "name": r["name"], "cost": ECHOES[r["name"]][0], "sonata": r["sonata"],
                "main_stat": r["main_stat"], "echo_level": r["echo_level"], "equipped_on": r["equipped_on"]}

    def _take(self, stock: dict[str, int], spend: list[tuple[str, int]], purpose: str) -> None:
        """Spend ``(item, quantity)`` pairs (in order, each checked against ``stock``, the materials' quantities
        read in this call) in one update."""
        for item, quantity in spend:
            have = stock.get(item) or 0
            if have < quantity:
                raise ToolError(f"not enough {item} to {purpose}: needs {quantity}, you have {have}")
        self.execute(take_sql(len(spend)), *(value for pair in spend for value in pair))

    # -------------------------------------------------------------------- tools
    @tool(phrase=["tell me about the resonator {character_name}", "look up {character_name}'s element and weapon"])
    def get_character_info(self, character_name: Name) -> Resonator:
        """Catalogue facts about any resonator: element, weapon type, rarity, faction, role, ascension material.

        Args:
            character_name: The resonator's name, e.g. "Jiyan".
        """
        return self.require("SELECT * FROM resonators WHERE name = ? COLLATE NOCASE", character_name.strip(),
                            error=f"no resonator named '{character_name}'; list_resonators shows the catalogue")

    @tool(phrase=["list the[ {rarity}-star][ {element}] resonators[ with the weapon type {weapon_type}]",
                  "find the[ {rarity}-star][ {element}] resonators[ fighting with {weapon_type}]"])
    def list_resonators(self, element: Literal["Aero", "Electro", "Fusion", "Glacio", "Havoc", "Spectro"] | None
                        = None, weapon_type: Literal["Broadblade", "Sword", "Pistols", "Gauntlets", "Rectifier"] |
                        None = None, rarity: Literal[4, 5] | None = None) -> list[Resonator]:
        """Search the resonator catalogue by element, weapon type and rarity.

        Args:
            element: Only this element.
            weapon_type: Only this weapon type.
            rarity: Only 4-star or 5-star resonators.
        """
        return self.rows("SELECT * FROM resonators WHERE (?1 IS NULL OR element = ?1) AND (?2 IS NULL OR"
                         " weapon_type = ?2) AND (?3 IS NULL OR rarity = ?3) ORDER BY rarity DESC, name",
                         element, weapon_type, rarity)

    @tool(phrase=["show me the echo {echo_name}", "find out which sonata sets the echo {echo_name} can roll"])
    def get_echo_info(self, echo_name: Name) -> EchoInfo:
        """Catalogue facts about an echo: its cost, class, the sonata sets it can roll and their bonuses.

        Args:
            echo_name: The echo's name, e.g. "Inferno Rider".
        """
        name = next((n for n in ECHOES if n.lower() == echo_name.strip().lower()), None)
        if name is None:
            raise ToolError(f"no echo named '{echo_name}' in the data bank")
        cost, kind, sets = ECHOES[name]
        return {"echo_name": name, "cost": cost, "echo_class": kind, "sonata_sets": sets,
                "main_stats": MAIN_STATS[cost], "set_bonuses": [f"{s} 2-pc: {SONATAS[s][0]}; 5-pc: {SONATAS[s][1]}"
                                                                for s in sets]}

    @tool(phrase=["show {character_name}'s build", "check what level {character_name} is and what echoes they wear"])
    def get_character_profile(self, character_name: Name) -> Profile:
        """A resonator of your roster: level, ascension rank, level cap, equipped echoes, total cost, active bonuses.

        Args:
            character_name: A resonator you own.
        """
        row = self._owned(character_name)
        return self._profile(row, self._echoes("equipped_on = ?", row["character_name"]))

    @staticmethod
    def _profile(row: dict[str, Any], echoes: list[OwnedEcho]) -> Profile:
        """The profile of a roster row wearing ``echoes`` (in slot order)."""
        counts: dict[str, int] = {}
        for echo in echoes:
            counts[echo["sonata"]] = counts.get(echo["sonata"], 0) + 1
        bonuses = [f"{s} {n}-pc: {SONATAS[s][n == 5]}" for s, c in sorted(counts.items()) for n in (2, 5) if c >= n]
        return {"character_name": row["character_name"], "level": row["level"], "ascension_rank": row["ascension_rank"],
                "level_cap": CAPS[row["ascension_rank"]], "echoes": echoes,
                "total_cost": sum(e["cost"] for e in echoes), "active_bonuses": bonuses}

    @tool(phrase=["list my[ {sonata}] echoes[ of cost {cost}]", "show my spare[ {sonata}] echoes"])
    def list_owned_echoes(self, sonata: Literal[tuple(SONATAS)] | None = None,  # type: ignore[valid-type]
                          cost: Literal[1, 3, 4] | None = None, unequipped_only: bool = False) -> list[OwnedEcho]:
        """Echoes in your inventory with their sonata set, main stat, level and who wears them.

        Args:
            sonata: Only echoes of this sonata set.
            cost: Only echoes of this cost.
            unequipped_only: Only echoes nobody wears.
        """
        return self._echoes("(?1 IS NULL OR sonata = ?1) AND (?2 = 0 OR equipped_on IS NULL) AND (?3 IS NULL OR"
                            " name IN (SELECT echo_name FROM echo_species WHERE cost = ?3))", sonata,
                            int(unequipped_only), cost)

    @tool(phrase=["check how many potions and Shell Credits I have", "show my upgrade materials"])
    def get_inventory(self) -> list[Material]:
        """Your Shell Credits, resonance potions and ascension materials."""
        return self.rows("SELECT item, quantity FROM materials ORDER BY item")

    @tool(writes=True, phrase=["equip {echo_id} on {character_name}", "put {echo_id} on {character_name}",
                               "give {character_name} {echo_id}"])
    def equip_echo(self, character_name: Name, echo_id: str) -> Profile:
        """Equip an echo of your inventory on a resonator (at most 5 echoes, total cost at most 12). An echo worn by
        another resonator must be unequipped first.

        Args:
            character_name: A resonator you own.
            echo_id: The echo's id from list_owned_echoes.
        """
        row = self._owned(character_name)
        name = row["character_name"]
        # the echo and the resonator's worn echoes in one read (worn ones in profile order: slot, name)
        found = self.rows("SELECT echo_id, name, sonata, main_stat, echo_level, equipped_on, slot FROM echo"
                          " WHERE equipped_on = ?1 OR echo_id = ?2 ORDER BY slot, name", name, echo_id)
        echo = next((e for e in found if e["echo_id"] == echo_id), None)
        if echo is None:
            raise ToolError(f"no echo '{echo_id}' in your inventory; list_owned_echoes shows the ids")
        if echo["equipped_on"] == name:
            raise ToolError(f"{echo['name']} is already equipped on {name}")
        if echo["equipped_on"]:
            raise ToolError(f"{echo['name']} is equipped on {echo['equipped_on']}; unequip it first")
        worn = [e for e in found if e["equipped_on"] == name]
        if len(worn) >= MAX_ECHOES:
            raise ToolError(f"{name} already wears {MAX_ECHOES} echoes; unequip one first")
        total, cost = sum(ECHOES[e["name"]][0] for e in worn), ECHOES[echo["name"]][0]
        if total + cost > MAX_COST:
            raise ToolError(f"{echo['name']} costs {cost} but {name} has only {MAX_COST - total} of {MAX_COST} cost"
                            f" left; unequip an echo first")
        slot = (max((e["slot"] for e in worn if e["slot"] is not None), default=None) or 0) + 1
        self.execute("UPDATE echo SET equipped_on = ?, slot = ? WHERE echo_id = ?", name, slot, echo_id)
        echo["equipped_on"] = name
        return self._profile(row, [self._owned_echo(e) for e in (*worn, echo)])

    @tool(writes=True, phrase=["take {echo_id} off", "unequip {echo_id}", "remove {echo_id} from whoever wears it"])
    def unequip_echo(self, echo_id: str) -> OwnedEcho:
        """Take an echo off the resonator wearing it (it goes back to the inventory).

        Args:
            echo_id: The echo's id.
        """
        echo = self.require("SELECT * FROM echo WHERE echo_id = ?", echo_id,
                            error=f"no echo '{echo_id}' in your inventory; list_owned_echoes shows the ids")
        if echo["equipped_on"] is None:
            raise ToolError(f"{echo['name']} is not equipped on anyone")
        self.execute("UPDATE echo SET equipped_on = NULL, slot = NULL WHERE echo_id = ?", echo_id)
        echo["equipped_on"] = None
        return self._owned_echo(echo)

    @tool(writes=True, phrase=["add {levels} level(s) to {character_name}",
                               "spend potions to raise {character_name}'s level by {levels}",
                               "level up {character_name}, {levels} level(s) up from where they are now"])
    def level_up_resonator(self, character_name: Name, levels: Annotated[int, Field(ge=1, le=89)]) -> LevelUp:
        """Raise a resonator's level, spending resonance potions (largest first) and 1 Shell Credit per 2 EXP.
        The level cannot pass the cap of the ascension rank (20/40/50/60/70/80/90): ascend first.

        Args:
            character_name: A resonator you own.
            levels: How many levels to gain.
        """
        found = self.conn.execute(LEVEL_SQL, (character_name.strip(), CREDITS, *POTIONS)).fetchone()
        if found is None:
            self._owned(character_name)  # raises the error
        name, level, rank, exp, *quantities = found
        row = {"character_name": name, "level": level, "ascension_rank": rank, "exp": exp}
        name, cap, target = row["character_name"], CAPS[row["ascension_rank"]], row["level"] + levels
        if target > cap:
            raise ToolError(f"{name} is level {row['level']} and capped at {cap} by ascension rank"
                            f" {row['ascension_rank']}; level up at most {cap - row['level']} or ascend first")
        need = sum(exp_to_next(level) for level in range(row["level"], target)) - row["exp"]
        stock = {item: quantity for item, quantity in zip((CREDITS, *POTIONS), quantities) if quantity is not None}
        used, left = {}, need
        for potion, exp in POTIONS.items():
            count = min(stock.get(potion, 0), left // exp)
            used[potion], left = count, left - count * exp
        for potion, exp in reversed(POTIONS.items()):  # top up the rest with the smallest potion that covers it
            if left > 0 and stock.get(potion, 0) > used[potion] and exp >= left:
                used[potion], left = used[potion] + 1, left - exp
        if left > 0:
            have = sum(stock.get(p, 0) * e for p, e in POTIONS.items())
            raise ToolError(f"not enough resonance potions: {name} needs {need} EXP for {levels} levels,"
                            f" your potions give {have}")
        exp_used, items = need - left, [{"item": p, "quantity": n} for p, n in used.items() if n]
        credits = exp_used // 2
        self._take(stock, [(CREDITS, credits), *((i["item"], i["quantity"]) for i in items)], f"level up {name}")
        self.execute("UPDATE roster SET level = ?, exp = ? WHERE character_name = ?", target, -left, name)
        return {"character_name": name, "level": target, "level_cap": cap, "exp_used": exp_used,
                "credits_spent": credits, "items_used": [*items, {"item": CREDITS, "quantity": credits}]}

    @tool(writes=True, phrase=["ascend {character_name}", "break {character_name}'s level cap",
                               "raise {character_name}'s ascension rank"])
    def ascend_resonator(self, character_name: Name) -> Ascended:
        """Raise a resonator's ascension rank once it has reached its level cap, spending its ascension material
        and Shell Credits; each rank lifts the cap (20/40/50/60/70/80/90).

        Args:
            character_name: A resonator you own.
        """
        found = self.conn.execute(ASCEND_SQL, (character_name.strip(), CREDITS)).fetchone()
        if found is None:
            self._owned(character_name)  # raises the error
        name, level, rank, _, material, have, credits_have = found
        row = {"character_name": name, "level": level, "ascension_rank": rank}
        if rank >= len(ASCENSION):
            raise ToolError(f"{name} is already at the highest ascension rank")
        if row["level"] < CAPS[rank]:
            raise ToolError(f"{name} must reach level {CAPS[rank]} before ascending (now level {row['level']})")
        count, credits = ASCENSION[rank]
        self._take({material: have, CREDITS: credits_have}, [(material, count), (CREDITS, credits)], f"ascend {name}")
        self.execute("UPDATE roster SET ascension_rank = ? WHERE character_name = ?", rank + 1, name)
        return {"character_name": name, "ascension_rank": rank + 1, "level_cap": CAPS[rank + 1],
                "items_used": [{"item": material, "quantity": count}, {"item": CREDITS, "quantity": credits}]}
