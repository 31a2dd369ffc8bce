"""LeagueOfLegends: champion statistics by lane, region and rank, summoner profiles and match history, items, the
skin shop, esports, and the signed-in player's saved builds, followed pros and skin purchases."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

ME = "Vesper Lynx#EUW7"
LANES = ("top", "jungle", "mid", "adc", "support")
CHAMPIONS = {  # name -> (class, lanes)
    "Aatrox": ("Fighter", "top"), "Ahri": ("Mage", "mid"), "Akali": ("Assassin", "mid top"), "Amumu": ("Tank", "jungle"),
    "Ashe": ("Marksman", "adc support"), "Blitzcrank": ("Tank", "support"), "Braum": ("Tank", "support"),
    "Caitlyn": ("Marksman", "adc"), "Camille": ("Fighter", "top"), "Darius": ("Fighter", "top"),
    "Diana": ("Assassin", "jungle mid"), "Ekko": ("Assassin", "mid jungle"), "Ezreal": ("Marksman", "adc"),
    "Fiora": ("Fighter", "top"), "Garen": ("Fighter", "top"), "Graves": ("Marksman", "jungle"),
    "Hecarim": ("Fighter", "jungle"), "Jayce": ("Fighter", "top mid"), "Jhin": ("Marksman", "adc"),
    "Jinx": ("Marksman", "adc"), "Kai'Sa": ("Marksman", "adc"), "Karma": ("Mage", "support mid"),
    "Katarina": ("Assassin", "mid"), "Kha'Zix": ("Assassin", "jungle"), "Lee Sin": ("Fighter", "jungle"),
    "Leona": ("Tank", "support"), "Lulu": ("Support", "support"), "Lux": ("Mage", "support mid"),
    "Malphite": ("Tank", "top"), "Milio": ("Support", "support"), "Miss Fortune": ("Marksman", "adc"),
    "Nautilus": ("Tank", "support"), "Orianna": ("Mage", "mid"), "Ornn": ("Tank", "top"), "Rakan": ("Support", "support"),
    "Renekton": ("Fighter", "top"), "Sejuani": ("Tank", "jungle"), "Sylas": ("Mage", "mid jungle"),
    "Syndra": ("Mage", "mid"), "Thresh": ("Support", "support"), "Vayne": ("Marksman", "adc top"),
    "Vi": ("Fighter", "jungle"), "Viego": ("Assassin", "jungle"), "Xayah": ("Marksman", "adc"),
    "Yasuo": ("Fighter", "mid top"), "Yone": ("Assassin", "mid top"), "Zed": ("Assassin", "mid"),
    "Zeri": ("Marksman", "adc"),
}
ITEMS = {  # name -> (gold, category)
    "Doran's Blade": (450, "starter"), "Doran's Ring": (400, "starter"), "Doran's Shield": (450, "starter"),
    "World Atlas": (400, "starter"), "Berserker's Greaves": (1100, "boots"), "Sorcerer's Shoes": (1100, "boots"),
    "Plated Steelcaps": (1200, "boots"), "Mercury's Treads": (1250, "boots"), "Ionian Boots of Lucidity": (900, "boots"),
    "Infinity Edge": (3450, "legendary"), "Kraken Slayer": (3100, "legendary"), "The Collector": (3200, "legendary"),
    "Lord Dominik's Regards": (3000, "legendary"), "Bloodthirster": (3400, "legendary"),
    "Trinity Force": (3333, "legendary"), "Sundered Sky": (3100, "legendary"), "Black Cleaver": (3000, "legendary"),
    "Sterak's Gage": (3200, "legendary"), "Death's Dance": (3300, "legendary"), "Eclipse": (2900, "legendary"),
    "Youmuu's Ghostblade": (2800, "legendary"), "Luden's Companion": (2900, "legendary"),
    "Rabadon's Deathcap": (3600, "legendary"), "Zhonya's Hourglass": (3250, "legendary"),
    "Void Staff": (3000, "legendary"), "Shadowflame": (3200, "legendary"), "Liandry's Torment": (3000, "legendary"),
    "Sunfire Aegis": (2700, "legendary"), "Thornmail": (2450, "legendary"), "Randuin's Omen": (2700, "legendary"),
    "Spirit Visage": (2900, "legendary"), "Moonstone Renewer": (2200, "legendary"), "Redemption": (2300, "legendary"),
    "Locket of the Iron Solari": (2200, "legendary"), "Long Sword": (350, "basic"), "Amplifying Tome": (400, "basic"),
    "Cloth Armor": (300, "basic"), "Ruby Crystal": (400, "basic"),
}
BUILD_POOL = {"Marksman": ["Infinity Edge", "Kraken Slayer", "The Collector", "Lord Dominik's Regards", "Bloodthirster",
                           "Berserker's Greaves"],
              "Mage": ["Luden's Companion", "Rabadon's Deathcap", "Zhonya's Hourglass", "Void Staff", "Shadowflame",
                       "Sorcerer's Shoes"],
              "Assassin": ["Youmuu's Ghostblade", "Eclipse", "The Collector", "Death's Dance", "Shadowflame",
                           "Ionian Boots of Lucidity"],
              "Fighter": ["Trinity Force", "Sundered Sky", "Black Cleaver", "Sterak's Gage", "Death's Dance",
                          "Plated Steelcaps"],
              "Tank": ["Sunfire Aegis", "Thornmail", "Randuin's Omen", "Spirit Visage", "Locket of the Iron Solari",
                       "Mercury's Treads"],
              "Support": ["Moonstone Renewer", "Redemption", "Locket of the Iron Solari", "Zhonya's Hourglass",
                          "World Atlas", "Ionian Boots of Lucidity"]}
KEYSTONES = ("Conqueror", "Press the Attack", "Lethal Tempo", "Electrocute", "Dark Harvest", "Arcane Comet",
             "Summon Aery", "Phase Rush", "Grasp of the Undying", "Aftershock", "Guardian", "First Strike")
BUILD_NAMES = ["Split push", "Lane bully", "Safe scaling", "One-shot combo", "Tank shredder", "Poke siege",
               "Teamfight engage", "Early snowball", "Anti-heal", "Late game carry"]
SKIN_LINES = ["Star Guardian", "Project", "PROJECT: Omega", "Spirit Blossom", "High Noon", "Blood Moon", "Arcade",
              "Battle Academia", "Coven", "Space Groove", "Pool Party", "Lunar Beast", "Winterblessed", "Soul Fighter"]
TIERS = ("IRON", "BRONZE", "SILVER", "GOLD", "PLATINUM", "EMERALD", "DIAMOND", "MASTER")
LEAGUES = {"LCK": ("KR", ["Seoul Tigers", "Busan Ravens", "Incheon Pulse", "Daegu Storm", "Gwangju Arrows",
                          "Suwon Titans"]),
           "LEC": ("EUW", ["Berlin Wolves", "Madrid Comets", "Paris Saints", "Oslo Frost", "Milan Vipers",
                           "Lyon Phantoms"]),
           "LCS": ("NA", ["Austin Outlaws", "Seattle Rain", "Boston Harbor", "Denver Peaks", "Miami Heatwave",
                          "Chicago Sentinels"])}
Region = Literal["NA", "EUW", "KR"]
Lane = Literal["top", "jungle", "mid", "adc", "support"]
RankTier = Literal["all", "emerald_plus", "master_plus"]
Champion = Annotated[str, UserKnown, Field(min_length=2, max_length=30)]
RiotId = Annotated[str, UserKnown, Field(pattern=r"^[^#]{3,16}#[A-Za-z0-9]{2,5}$")]
Limit = Annotated[int, Field(ge=1, le=50)]

Rate = TypedDict("Rate", {"champion_name": str, "lane": str, "win_rate": float, "pick_rate": float,
                          "ban_rate": float, "games": int})
Matchup = TypedDict("Matchup", {"enemy_champion": str, "win_rate": float, "games": int, "gold_diff_15": int})
Synergy = TypedDict("Synergy", {"partner": str, "partner_lane": str, "win_rate": float, "games": int})
BuildItem = TypedDict("BuildItem", {"slot": int, "item": str, "pick_rate": float})
Analysis = TypedDict("Analysis", {"champion_name": str, "lane": str, "region": str, "win_rate": float,
                                  "pick_rate": float, "ban_rate": float, "builds": list[BuildItem],
                                  "counters": list[Matchup], "synergies": list[Synergy]})
Synergies = TypedDict("Synergies", {"champion_name": str, "synergies": list[Synergy]})
MatchupGuide = TypedDict("MatchupGuide", {"lane": str, "champion_name": str, "matchups": list[Matchup]})
ChampDetail = TypedDict("ChampDetail", {"champion_name": str, "class": str, "lanes": list[str], "difficulty": int,
                                        "base_hp": int, "base_armor": int, "attack_range": int, "blue_essence": int})
ChampDetails = TypedDict("ChampDetails", {"champions": list[ChampDetail]})
Board = TypedDict("Board", {"leaderboard": list[Rate]})
LaneMeta = TypedDict("LaneMeta", {"lane": str, "champions": list[Rate]})
Player = TypedDict("Player", {"riot_id": str, "champion": str, "team": str, "lane": str, "kills": int,
                              "deaths": int, "assists": int, "cs": int, "gold": int, "win": bool})
Game = TypedDict("Game", {"game_id": str, "game_mode": str, "played_at": str, "duration": int, "players": list[Player]})
PoolEntry = TypedDict("PoolEntry", {"champion": str, "games": int, "wins": int})
Profile = TypedDict("Profile", {"summoner_name": str, "region": str, "level": int, "rank": str, "tier": str,
                                "lp": int, "wins": int, "losses": int, "win_rate": float,
                                "champion_pool": list[PoolEntry]})
MatchLine = TypedDict("MatchLine", {"game_id": str, "played_at": str, "game_mode": str, "champion": str,
                                    "kills": int, "deaths": int, "assists": int, "win": bool})
Matches = TypedDict("Matches", {"matches": list[MatchLine]})
Skin = TypedDict("Skin", {"skin_name": str, "champion": str, "rarity": str, "price_rp": int, "sale_price_rp": int,
                          "discount_percent": int, "sale_ends": str, "owned": bool})
Skins = TypedDict("Skins", {"skins": list[Skin]})
Item = TypedDict("Item", {"name": str, "gold": int, "category": str})
Items = TypedDict("Items", {"items": list[Item]})
Pro = TypedDict("Pro", {"pro_player_name": str, "riot_id": str, "team": str, "region": str, "role": str,
                        "followed": bool})
EsportsMatch = TypedDict("EsportsMatch", {"match_id": str, "league": str, "start_time": str, "team_1": str,
                                          "team_2": str, "state": str, "score": str, "winner": str})
Schedule = TypedDict("Schedule", {"schedules": list[EsportsMatch]})
Standing = TypedDict("Standing", {"position": int, "team": str, "wins": int, "losses": int})
Standings = TypedDict("Standings", {"league": str, "standings": list[Standing]})
SavedBuild = TypedDict("SavedBuild", {"build_id": str, "build_name": str, "champion_name": str, "lane": str,
                                      "keystone": str, "items": list[str], "total_gold": int})
SavedBuilds = TypedDict("SavedBuilds", {"builds": list[SavedBuild]})
Deleted = TypedDict("Deleted", {"build_id": str, "build_name": str, "deleted": bool})
Follow = TypedDict("Follow", {"pro_player_name": str, "followed": bool, "following_count": int})
Purchase = TypedDict("Purchase", {"skin_name": str, "paid_rp": int, "rp_balance": int})


def rate(value: float) -> float:
    return round(value, 2)


class LeagueOfLegends(World):
    """League of Legends stats and account service. Champion win/pick/ban rates by lane, region (NA, EUW, KR) and
    rank bracket (all, emerald_plus, master_plus); matchups and duo synergies; summoners by Riot id (name#tag) with
    ranked standing and match history; items; the skin shop with its sale (prices in RP); LCK, LEC and LCS
    schedules and standings. You are signed in as 'Vesper Lynx#EUW7': you can save item/rune builds, follow pro
    players and buy skins with your RP."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE champions (champion_name TEXT PRIMARY KEY, class TEXT NOT NULL, lanes TEXT NOT NULL, difficulty INTEGER NOT NULL,
                            base_hp INTEGER NOT NULL, base_armor INTEGER NOT NULL, attack_range INTEGER NOT NULL,
                            blue_essence INTEGER NOT NULL);
    CREATE TABLE champion_stats (champion_name TEXT NOT NULL REFERENCES champions, lane TEXT NOT NULL, region TEXT NOT NULL,
                                 tier TEXT NOT NULL, win_rate REAL NOT NULL, pick_rate REAL NOT NULL,
                                 ban_rate REAL NOT NULL, games INTEGER NOT NULL,
                                 PRIMARY KEY (champion_name, lane, region, tier));
    CREATE INDEX stats_by_lane ON champion_stats (lane, region, tier, win_rate);
    CREATE INDEX stats_by_region ON champion_stats (region, tier, win_rate);
    CREATE TABLE matchups (champion_name TEXT NOT NULL, enemy_champion TEXT NOT NULL, lane TEXT NOT NULL, win_rate REAL NOT NULL,
                           games INTEGER NOT NULL, gold_diff_15 INTEGER NOT NULL, PRIMARY KEY (champion_name, enemy_champion, lane));
    CREATE TABLE synergies (champion_name TEXT NOT NULL, partner TEXT NOT NULL, lane TEXT NOT NULL, partner_lane TEXT NOT NULL,
                            win_rate REAL NOT NULL, games INTEGER NOT NULL, PRIMARY KEY (champion_name, partner, lane));
    CREATE TABLE core_items (champion_name TEXT NOT NULL, slot INTEGER NOT NULL, item TEXT NOT NULL, pick_rate REAL NOT NULL,
                             PRIMARY KEY (champion_name, slot));
    CREATE TABLE items (name TEXT PRIMARY KEY, gold INTEGER NOT NULL, category TEXT NOT NULL);
    CREATE TABLE summoners (summoner_name TEXT PRIMARY KEY, region TEXT NOT NULL, level INTEGER NOT NULL, tier TEXT NOT NULL,
                            division TEXT NOT NULL, lp INTEGER NOT NULL, wins INTEGER NOT NULL, losses INTEGER NOT NULL);
    CREATE TABLE games (game_id TEXT PRIMARY KEY, region TEXT NOT NULL, game_mode TEXT NOT NULL, played_at TEXT NOT NULL,
                        duration INTEGER NOT NULL);
    CREATE TABLE participants (game_id TEXT NOT NULL REFERENCES games, riot_id TEXT NOT NULL, champion TEXT NOT NULL,
                               team TEXT NOT NULL, lane TEXT NOT NULL, kills INTEGER NOT NULL, deaths INTEGER NOT NULL,
                               assists INTEGER NOT NULL, cs INTEGER NOT NULL, gold INTEGER NOT NULL, win INTEGER NOT NULL,
                               PRIMARY KEY (game_id, riot_id));
    CREATE INDEX participants_by_player ON participants (riot_id);
    CREATE TABLE skins (skin_id TEXT PRIMARY KEY, skin_name TEXT NOT NULL, champion TEXT NOT NULL, rarity TEXT NOT NULL, price_rp INTEGER NOT NULL,
                        discount_percent INTEGER NOT NULL, sale_ends TEXT);
    CREATE INDEX skins_on_sale ON skins (discount_percent);
    CREATE INDEX skins_by_name ON skins (lower(skin_name));
    CREATE TABLE pros (riot_id TEXT PRIMARY KEY, pro_player_name TEXT NOT NULL, team TEXT NOT NULL, league TEXT NOT NULL,
                       role TEXT NOT NULL);
    CREATE INDEX pros_by_name ON pros (lower(pro_player_name));
    CREATE TABLE esports_matches (match_id TEXT PRIMARY KEY, league TEXT NOT NULL, start_time TEXT NOT NULL,
                                  team_1 TEXT NOT NULL, team_2 TEXT NOT NULL, state TEXT NOT NULL, score TEXT NOT NULL,
                                  winner TEXT NOT NULL);
    CREATE INDEX esports_by_league ON esports_matches (league, start_time);
    -- the signed-in account: RP wallet, owned skins, saved builds, followed pros
    CREATE TABLE wallet (riot_id TEXT PRIMARY KEY, rp INTEGER NOT NULL);
    CREATE TABLE owned_skins (skin_id TEXT PRIMARY KEY REFERENCES skins, paid_rp INTEGER NOT NULL);
    CREATE TABLE builds (build_id TEXT PRIMARY KEY, build_name TEXT NOT NULL, champion_name TEXT NOT NULL, lane TEXT NOT NULL,
                         keystone TEXT NOT NULL, items TEXT NOT NULL, total_gold INTEGER NOT NULL);
    CREATE INDEX builds_by_champion ON builds (champion_name);
    CREATE TABLE follows (pro_player_name TEXT PRIMARY KEY);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        champs, stats, matchups, synergies, core = [], [], [], [], []
        names = sorted(CHAMPIONS)
        for name in names:
            kind, lanes = CHAMPIONS[name][0], CHAMPIONS[name][1].split()
            champs.append({"champion_name": name, "class": kind, "lanes": ",".join(lanes), "difficulty": rng.randint(1, 3),
                           "base_hp": rng.randrange(570, 700, 5), "base_armor": rng.randint(20, 36),
                           "attack_range": 550 if kind in ("Marksman", "Mage") else rng.choice([125, 150, 175]),
                           "blue_essence": rng.choice([450, 1350, 3150, 4800, 6300, 7800])})
            for lane in lanes:
                base = rng.uniform(47, 53)
                for region in ("global", "NA", "EUW", "KR"):
                    for bracket, shift in (("all", 0), ("emerald_plus", 0.6), ("master_plus", 1.1)):
                        stats.append({"champion_name": name, "lane": lane, "region": region, "tier": bracket,
                                      "win_rate": rate(base + rng.uniform(-1.5, 1.5) + shift * rng.uniform(-1, 1)),
                                      "pick_rate": rate(rng.uniform(0.5, 14)), "ban_rate": rate(rng.uniform(0, 25)),
                                      "games": rng.randint(3000, 90000)})
                rivals = [n for n in names if lane in CHAMPIONS[n][1] and n != name]
                for enemy in rng.sample(rivals, min(6, len(rivals))):
                    matchups.append({"champion_name": name, "enemy_champion": enemy, "lane": lane, "games": rng.randint(300, 9000),
                                     "win_rate": rate(rng.uniform(42, 58)), "gold_diff_15": rng.randint(-600, 600)})
                partners = [n for n in names if n != name and any(l != lane for l in CHAMPIONS[n][1].split())]
                for partner in rng.sample(partners, 4):
                    other = next(l for l in CHAMPIONS[partner][1].split() if l != lane)
                    synergies.append({"champion_name": name, "partner": partner, "lane": lane, "partner_lane": other,
                                      "win_rate": rate(rng.uniform(48, 57)), "games": rng.randint(200, 6000)})
            for slot, item in enumerate(rng.sample(BUILD_POOL[kind], 4), 1):
                core.append({"champion_name": name, "slot": slot, "item": item, "pick_rate": rate(rng.uniform(20, 85))})
        db["champions"].insert_all(champs)
        db["champion_stats"].insert_all(stats)
        db["matchups"].insert_all(matchups)
        db["synergies"].insert_all(synergies)
        db["core_items"].insert_all(core)
        db["items"].insert_all({"name": n, "gold": g, "category": c} for n, (g, c) in ITEMS.items())
        summoners, games, players = {}, [], []
        while len(summoners) < 36:
            region = ("NA", "EUW", "KR")[len(summoners) % 3]
            riot_id = f"{fake.user_name().capitalize()[:14]}#{rng.choice([region + '1', str(rng.randint(100, 9999))])}"
            tier = rng.choice(TIERS)
            summoners[riot_id] = {"summoner_name": riot_id, "region": region,
                                  "level": rng.randint(30, 620), "tier": tier, "lp": rng.randint(0, 99),
                                  "division": "I" if tier == "MASTER" else rng.choice(["I", "II", "III", "IV"]),
                                  "wins": rng.randint(20, 300), "losses": rng.randint(20, 300)}
        for riot_id, summoner in summoners.items():
            pool = rng.sample(names, 3)
            for _ in range(rng.randint(6, 10)):
                game_id = f"{summoner['region']}_{rng.randint(10**9, 10**10 - 1)}"
                at = dt.datetime.combine(cls.days_before_start(rng, 1, 40), dt.time(rng.randint(10, 23), rng.randrange(60)))
                games.append({"game_id": game_id, "region": summoner["region"], "played_at": at.strftime("%Y-%m-%d %H:%M"),
                              "game_mode": rng.choice(["Ranked Solo/Duo"] * 3 + ["Ranked Flex", "Normal Draft"]),
                              "duration": rng.randint(1200, 2400)})
                blue_wins, lineup = rng.random() < 0.5, rng.sample([n for n in names if n not in pool], 9)
                for seat in range(10):
                    lane, team = LANES[seat % 5], "blue" if seat < 5 else "red"
                    players.append({"game_id": game_id, "team": team, "lane": lane,
                                    "riot_id": riot_id if seat == 0 else f"{fake.user_name()[:14]}#{rng.randint(100, 9999)}",
                                    "champion": rng.choice(pool) if seat == 0 else lineup[seat - 1],
                                    "kills": rng.randint(0, 14), "deaths": rng.randint(0, 11), "assists": rng.randint(0, 18),
                                    "cs": rng.randint(20, 300), "gold": rng.randint(6000, 17000),
                                    "win": int(blue_wins == (team == "blue"))})
        db["summoners"].insert_all(summoners.values())
        db["games"].insert_all(games)
        db["participants"].insert_all(players)
        skins = []
        for name in names:
            for line in rng.sample(SKIN_LINES, rng.randint(1, 3)):
                rarity, price = rng.choice([("Epic", 1350), ("Epic", 1350), ("Legendary", 1820), ("Standard", 975)])
                sale = rng.random() < 0.3
                skins.append({"skin_id": fake_id(rng, "skin_"), "skin_name": f"{line} {name}", "champion": name, "rarity": rarity, "price_rp": price,
                              "discount_percent": rng.choice([20, 30, 40, 50]) if sale else 0,
                              "sale_ends": str(cls.start_time.date() + dt.timedelta(days=rng.randint(2, 9))) if sale else None})
        db["skins"].insert_all(skins)
        db["wallet"].insert({"riot_id": ME, "rp": rng.randrange(1200, 3200, 10)})
        db["owned_skins"].insert_all({"skin_id": s["skin_id"], "paid_rp": s["price_rp"]} for s in rng.sample(skins, 6))
        pros, matches = [], []
        for league, (region, teams) in LEAGUES.items():
            for team in teams:
                for role in LANES:
                    handle = fake.unique.first_name() + rng.choice(["", "x", "z", "o"])
                    pros.append({"pro_player_name": handle, "riot_id": f"{team.split()[1][:4]} {handle}#{region}{rng.randint(1, 99)}",
                                 "team": team, "league": league, "role": role})
            rounds = [(a, b) for i, a in enumerate(teams) for b in teams[i + 1:]]
            for week, (a, b) in enumerate(rng.sample(rounds, len(rounds))):
                start = cls.start_time.replace(hour=17) + dt.timedelta(days=week // 2 * 2 - 14, hours=3 * (week % 2))
                done = start < cls.start_time
                first = rng.random() < 0.5
                matches.append({"match_id": fake_id(rng, "esm_"), "league": league, "start_time": start.strftime("%Y-%m-%d %H:%M"),
                                "team_1": a, "team_2": b, "state": "completed" if done else "unstarted",
                                "score": (("2-1" if first else "1-2") if rng.random() < 0.5 else ("2-0" if first else "0-2"))
                                if done else "0-0", "winner": (a if first else b) if done else ""})
        db["pros"].insert_all(pros)
        db["esports_matches"].insert_all(matches)
        db["follows"].insert_all({"pro_player_name": p["pro_player_name"]} for p in rng.sample(pros, 12))
        for champ, title in zip(rng.sample(names, 8), rng.sample(BUILD_NAMES, 8)):
            items = rng.sample(BUILD_POOL[CHAMPIONS[champ][0]], rng.randint(3, 6))
            db["builds"].insert({"build_id": fake_id(rng, "bld_"), "build_name": title, "champion_name": champ,
                                 "lane": CHAMPIONS[champ][1].split()[0], "keystone": rng.choice(KEYSTONES),
                                 "items": "|".join(items), "total_gold": sum(ITEMS[i][0] for i in items)})

    def _champion(self, name: str) -> dict[str, Any]:
        key = name.replace(" ", "").replace("'", "").replace(".", "").lower()
        return self.require("SELECT * FROM champions WHERE replace(replace(replace(lower(champion_name), ' ', ''), '''', ''),"
                            " '.', '') = ?", key,
                            error=f"no champion named '{name}'; lol_list_champions lists them")

    def _stats(self, champion: str, lane: str | None, region: str | None, bracket: str = "all") -> dict[str, Any]:
        lane = lane or self.value("SELECT lanes FROM champions WHERE champion_name = ?", champion).split(",")[0]
        return self.require("SELECT champion_name, lane, win_rate, pick_rate, ban_rate, games FROM"
                            " champion_stats WHERE champion_name = ? AND lane = ? AND region = ? AND tier = ?",
                            champion, lane, region or "global", bracket,
                            error=f"{champion} has no statistics in the {lane} lane; its lanes are"
                                  f" {self.value('SELECT lanes FROM champions WHERE champion_name = ?', champion)}")

    def _synergies(self, champion: str, lane: str) -> list[dict[str, Any]]:
        return self.rows("SELECT partner, partner_lane, win_rate, games FROM synergies WHERE champion_name = ? AND lane = ?"
                         " ORDER BY win_rate DESC", champion, lane)

    def _summoner(self, riot_id: str, region: str) -> dict[str, Any]:
        return self.require("SELECT * FROM summoners WHERE lower(summoner_name) = lower(?) AND region = ?", riot_id, region,
                            error=f"no summoner '{riot_id}' on the {region} server; check the name#tag and region")

    @tool(phrase=["tell me how {champion_name} is doing[ in {lane}][ on {region}]",
                  "pull up the stats, core build and counters of {champion_name}[ {lane}][ in {region}]"])
    def lol_get_champion_analysis(self, champion_name: Champion, lane: Lane | None = None,
                                  region: Region | None = None) -> Analysis:
        """A champion's win, pick and ban rates in a lane, its core items, worst matchups and best duo partners.

        Args:
            champion_name: The champion, e.g. "Ahri".
            lane: top, jungle, mid, adc or support (default: the champion's main lane).
            region: NA, EUW or KR (default: all regions).
        """
        champ = self._champion(champion_name)
        stats = self._stats(champ["champion_name"], lane, region)
        builds = self.rows("SELECT slot, item, pick_rate FROM core_items WHERE champion_name = ? ORDER BY slot", champ["champion_name"])
        counters = self.rows("SELECT enemy_champion, win_rate, games, gold_diff_15 FROM matchups WHERE"
                             " champion_name = ? AND lane = ? ORDER BY win_rate LIMIT 3", champ["champion_name"], stats["lane"])
        return {"champion_name": champ["champion_name"], "lane": stats["lane"], "region": region or "global",
                "win_rate": stats["win_rate"], "pick_rate": stats["pick_rate"], "ban_rate": stats["ban_rate"],
                "builds": builds, "counters": counters, "synergies": self._synergies(champ["champion_name"], stats["lane"])}

    @tool(phrase=["find out who pairs best with {champion_name}[ in {lane}]",
                  "show me the best duo partners for {champion_name}[ {lane}]"])
    def lol_get_champion_synergies(self, champion_name: Champion, lane: Lane | None = None) -> Synergies:
        """The champions that win most often alongside a champion, best first.

        Args:
            champion_name: The champion.
            lane: The champion's lane (default: its main lane).
        """
        champ = self._champion(champion_name)
        lane = lane or champ["lanes"].split(",")[0]
        if lane not in champ["lanes"].split(","):
            raise ToolError(f"{champ['champion_name']} is not played in the {lane} lane; its lanes are {champ['lanes']}")
        return {"champion_name": champ["champion_name"], "synergies": self._synergies(champ["champion_name"], lane)}

    @tool(phrase=["show me how {champion_name} fares in {lane}[ against {enemy_champion}]",
                  "give me the {lane} matchup guide for {champion_name}[ versus {enemy_champion}]"])
    def lol_get_lane_matchup_guide(self, lane: Lane, champion_name: Champion,
                                   enemy_champion: Champion | None = None) -> MatchupGuide:
        """A champion's lane matchups (win rate and gold difference at 15 minutes), hardest first.

        Args:
            lane: The lane.
            champion_name: Your champion.
            enemy_champion: Only the matchup against this champion.
        """
        champ = self._champion(champion_name)
        enemy = self._champion(enemy_champion)["champion_name"] if enemy_champion else None
        rows = self.rows("SELECT enemy_champion, win_rate, games, gold_diff_15 FROM matchups WHERE champion_name = ?"
                         " AND lane = ? AND (?3 IS NULL OR enemy_champion = ?3) ORDER BY win_rate", champ["champion_name"], lane, enemy)
        if enemy and not rows:
            raise ToolError(f"no {lane} matchup data for {champ['champion_name']} against {enemy}")
        return {"lane": lane, "champion_name": champ["champion_name"], "matchups": rows}

    @tool(phrase=["compare the base stats of {champion_names}", "show me the details of the champions {champion_names}"])
    def lol_list_champion_details(self, champion_names: Annotated[list[Champion], Field(min_length=1, max_length=10)]
                                  ) -> ChampDetails:
        """Class, lanes, difficulty (1-3), base stats and Blue Essence price of up to 10 champions.

        Args:
            champion_names: The champions' names.
        """
        rows = [self._champion(n) for n in champion_names]
        return {"champions": [{**r, "lanes": r["lanes"].split(",")} for r in rows]}

    @tool(phrase=["show me the highest win-rate champions[ in {lane}][ on {region}][ at {tier}][, top {limit}]",
                  "find the champions that win most[ in {lane}][ on {region}][ in the {tier} bracket][ (top {limit})]"])
    def lol_list_champion_leaderboard(self, lane: Lane | None = None, region: Region | None = None,
                                      tier: RankTier = "all", limit: Limit = 10) -> Board:
        """Champions ranked by win rate, optionally in one lane, region and rank bracket.

        Args:
            lane: Only this lane.
            region: NA, EUW or KR (default: all regions).
            tier: Rank bracket: all, emerald_plus or master_plus.
            limit: How many, 1-50.
        """
        return {"leaderboard": self.rows(
            "SELECT champion_name, lane, win_rate, pick_rate, ban_rate, games FROM champion_stats WHERE"
            " (?1 IS NULL OR lane = ?1) AND region = ?2 AND tier = ?3 ORDER BY win_rate DESC, champion_name LIMIT ?4",
            lane, region or "global", tier, limit)}

    @tool(phrase=["list the champions[, first {limit}]", "show me the champion roster[ (first {limit})]"])
    def lol_list_champions(self, limit: Limit = 50) -> ChampDetails:
        """All champions, alphabetically.

        Args:
            limit: How many, 1-50.
        """
        return {"champions": [{**r, "lanes": r["lanes"].split(",")}
                              for r in self.rows("SELECT * FROM champions ORDER BY champion_name LIMIT ?", limit)]}

    @tool(phrase=["show me the most picked {lane} champions[ on {region}][ at {tier}]",
                  "check the {lane} meta[ on {region}][ in the {tier} bracket]"])
    def lol_list_lane_meta_champions(self, lane: Lane, region: Region | None = None, tier: RankTier = "all") -> LaneMeta:
        """The champions of a lane by pick rate (the lane's meta).

        Args:
            lane: The lane.
            region: NA, EUW or KR (default: all regions).
            tier: Rank bracket: all, emerald_plus or master_plus.
        """
        return {"lane": lane, "champions": self.rows(
            "SELECT champion_name, lane, win_rate, pick_rate, ban_rate, games FROM champion_stats WHERE"
            " lane = ? AND region = ? AND tier = ? ORDER BY pick_rate DESC, champion_name", lane, region or "global", tier)}

    @tool(phrase=["show me the full scoreboard of {game_id} played by {summoner_name} on {region}",
                  "open the details of {game_id} for {summoner_name} ({region})"])
    def lol_get_summoner_game_detail(self, summoner_name: RiotId, game_id: NonEmptyStr, region: Region) -> Game:
        """The full scoreboard of one of a summoner's games.

        Args:
            summoner_name: The summoner's Riot id, name#tag.
            game_id: The game's id, from lol_list_summoner_matches.
            region: The summoner's server.
        """
        summoner = self._summoner(summoner_name, region)
        game = self.require("SELECT g.* FROM games g JOIN participants p USING (game_id) WHERE g.game_id = ? AND"
                            " p.riot_id = ?", game_id, summoner["summoner_name"],
                            error=f"{summoner['summoner_name']} played no game '{game_id}'; lol_list_summoner_matches lists them")
        players = self.rows("SELECT riot_id, champion, team, lane, kills, deaths, assists, cs, gold, win FROM"
                            " participants WHERE game_id = ? ORDER BY team, rowid", game_id)
        return {"game_id": game_id, "game_mode": game["game_mode"], "played_at": game["played_at"],
                "duration": game["duration"], "players": [{**p, "win": bool(p["win"])} for p in players]}

    @tool(phrase=["look up the summoner {summoner_name} on {region}", "check the ranked profile of {summoner_name} ({region})"])
    def lol_get_summoner_profile(self, summoner_name: RiotId, region: Region) -> Profile:
        """A summoner's level, Solo/Duo rank, LP, season record and most played recent champions.

        Args:
            summoner_name: The summoner's Riot id, name#tag.
            region: The summoner's server: NA, EUW or KR.
        """
        s = self._summoner(summoner_name, region)
        pool = self.rows("SELECT champion, COUNT(*) AS games, SUM(win) AS wins FROM participants WHERE riot_id = ?"
                         " GROUP BY champion ORDER BY games DESC, champion", s["summoner_name"])
        rank = s["tier"].title() + ("" if s["tier"] == "MASTER" else f" {s['division']}")
        return {"summoner_name": s["summoner_name"], "region": region, "level": s["level"], "rank": rank, "tier": s["tier"],
                "lp": s["lp"], "wins": s["wins"], "losses": s["losses"],
                "win_rate": rate(100 * s["wins"] / (s["wins"] + s["losses"])), "champion_pool": pool}

    @tool(phrase=["show me the recent games of {summoner_name} on {region}[ (last {limit})]",
                  "pull up the match history of {summoner_name} ({region})[, last {limit} games]"])
    def lol_list_summoner_matches(self, summoner_name: RiotId, region: Region, limit: Limit = 10) -> Matches:
        """A summoner's recent games, newest first, with their champion, K/D/A and result.

        Args:
            summoner_name: The summoner's Riot id, name#tag.
            region: The summoner's server.
            limit: How many games, 1-50.
        """
        s = self._summoner(summoner_name, region)
        rows = self.rows("SELECT g.game_id, g.played_at, g.game_mode, p.champion, p.kills, p.deaths, p.assists, p.win"
                         " FROM participants p JOIN games g USING (game_id) WHERE p.riot_id = ? ORDER BY g.played_at"
                         " DESC LIMIT ?", s["summoner_name"], limit)
        return {"matches": [{**r, "win": bool(r["win"])} for r in rows]}

    @tool(phrase=["show me the skins on sale[ (top {limit})]", "which skins are discounted right now[, up to {limit}]"])
    def lol_list_discounted_skins(self, limit: Limit = 20) -> Skins:
        """Skins on sale this week, biggest discount first, with whether you own them.

        Args:
            limit: How many, 1-50.
        """
        rows = self.rows("SELECT s.skin_name, s.champion, s.rarity, s.price_rp, s.discount_percent, s.sale_ends, o.skin_id IS NOT NULL AS owned"
                         " FROM skins s LEFT JOIN owned_skins o USING (skin_id) WHERE discount_percent > 0 ORDER BY discount_percent DESC, s.skin_name LIMIT ?", limit)
        return {"skins": [{**r, "owned": bool(r["owned"]),
                           "sale_price_rp": r["price_rp"] * (100 - r["discount_percent"]) // 100} for r in rows]}

    @tool(phrase=["list the items in the shop[ ({category})]", "show me the {category} items"])
    def lol_list_items(self, category: Literal["starter", "boots", "legendary", "basic"] | None = None,
                       limit: Limit = 50) -> Items:
        """Shop items with their gold cost, by name.

        Args:
            category: Only starter, boots, legendary or basic items.
            limit: How many, 1-50.
        """
        return {"items": self.rows("SELECT * FROM items WHERE ?1 IS NULL OR category = ?1 ORDER BY name LIMIT ?2",
                                   category, limit)}

    def _pro(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM pros WHERE lower(pro_player_name) = lower(?)", name,
                            error=f"no pro player '{name}' in the LCK, LEC or LCS")

    @tool(phrase=["find the Riot id of the pro player {pro_player_name}", "look up which account {pro_player_name} plays solo queue on"])
    def lol_get_pro_player_riot_id(self, pro_player_name: Annotated[str, UserKnown, Field(min_length=2, max_length=30)]
                                   ) -> Pro:
        """A pro player's solo-queue Riot id, team, league region and role, and whether you follow them.

        Args:
            pro_player_name: The player's pro handle.
        """
        p = self._pro(pro_player_name)
        return {"pro_player_name": p["pro_player_name"], "riot_id": p["riot_id"], "team": p["team"],
                "region": LEAGUES[p["league"]][0], "role": p["role"],
                "followed": self.value("SELECT 1 FROM follows WHERE pro_player_name = ?", p["pro_player_name"]) is not None}

    @tool(phrase=["show me the[ {league}] esports schedule[ for {region}][ (next {limit})]",
                  "check when the[ {league}] matches are[ in {region}]"])
    def lol_esports_list_schedules(self, league: Literal["LCK", "LEC", "LCS"] | None = None,
                                   region: Region | None = None, limit: Limit = 10) -> Schedule:
        """Esports matches from today on (upcoming first, then results of the last two weeks).

        Args:
            league: LCK, LEC or LCS.
            region: Only the league of this region.
            limit: How many matches, 1-50.
        """
        leagues = [k for k, (r, _) in LEAGUES.items() if (league in (None, k)) and region in (None, r)]
        marks = ",".join("?" * len(leagues)) or "''"
        now = self.now().strftime("%Y-%m-%d %H:%M")
        return {"schedules": self.rows(f"SELECT * FROM esports_matches WHERE league IN ({marks}) ORDER BY"
                                       " start_time < ?, abs(julianday(start_time) - julianday(?)), match_id LIMIT ?",
                                       *leagues, now, now, limit)}

    @tool(phrase=["show me the {league} standings", "check the team standings of the {league}"])
    def lol_esports_list_team_standings(self, league: Literal["LCK", "LEC", "LCS"], region: Region | None = None
                                        ) -> Standings:
        """A league's standings from its completed matches (series wins, then fewer losses).

        Args:
            league: LCK, LEC or LCS.
            region: The league's region (must match the league if given).
        """
        if region and LEAGUES[league][0] != region:
            raise ToolError(f"the {league} is played in {LEAGUES[league][0]}, not {region}")
        record = {t: [0, 0] for t in LEAGUES[league][1]}
        for m in self.rows("SELECT * FROM esports_matches WHERE league = ? AND state = 'completed'", league):
            record[m["winner"]][0] += 1
            record[m["team_2"] if m["winner"] == m["team_1"] else m["team_1"]][1] += 1
        order = sorted(record, key=lambda t: (-record[t][0], record[t][1], t))
        return {"league": league, "standings": [{"position": i + 1, "team": t, "wins": record[t][0],
                                                 "losses": record[t][1]} for i, t in enumerate(order)]}

    def _builds(self, champion: str | None = None) -> list[dict[str, Any]]:
        rows = self.rows("SELECT build_id, build_name, champion_name, lane, keystone, items, total_gold"
                         " FROM builds WHERE ?1 IS NULL OR champion_name = ?1 ORDER BY build_name", champion)
        return [{**r, "items": r["items"].split("|")} for r in rows]

    @tool(phrase=["show me my saved builds[ for {champion_name}]", "list the builds I saved[ for {champion_name}]"])
    def lol_list_saved_builds(self, champion_name: Champion | None = None) -> SavedBuilds:
        """Your saved item/rune builds, by name.

        Args:
            champion_name: Only builds of this champion.
        """
        return {"builds": self._builds(self._champion(champion_name)["champion_name"] if champion_name else None)}

    @tool(writes=True, phrase=[
        "save a {lane} build for {champion_name} called {build_name} with {keystone} and {items}",
        "make me a {champion_name} {lane} build named {build_name}: {keystone}, items {items}"])
    def lol_save_build(self, champion_name: Champion, lane: Lane, build_name: Annotated[str, Field(min_length=1, max_length=40)],
                       keystone: Literal[KEYSTONES], items: Annotated[list[str], Field(min_length=1, max_length=6)]
                       ) -> SavedBuild:
        """Save an item/rune build: a keystone and 1-6 shop items in buy order. Only starter, boots and legendary
        items; no item twice, at most one pair of boots and one starter; at most 3 builds per champion, each
        with its own name.

        Args:
            champion_name: The champion.
            lane: The lane the build is for.
            build_name: Your name for the build (unique among the champion's builds).
            keystone: The keystone rune.
            items: Item names in buy order.
        """
        champ = self._champion(champion_name)["champion_name"]
        found = {i["name"].lower(): i for i in self.rows("SELECT * FROM items")}
        chosen = []
        for name in items:
            item = found.get(name.strip().lower())
            if item is None:
                raise ToolError(f"no item named '{name}'; lol_list_items lists the shop")
            if item["category"] == "basic":
                raise ToolError(f"'{item['name']}' is a basic component; save finished items instead")
            chosen.append(item)
        names = [i["name"] for i in chosen]
        if len(set(names)) < len(names):
            raise ToolError("a build cannot hold the same item twice")
        for category in ("boots", "starter"):
            if sum(i["category"] == category for i in chosen) > 1:
                raise ToolError(f"a build can hold only one {category} item")
        if self.value("SELECT 1 FROM builds WHERE lower(build_name) = lower(?) AND champion_name = ?", build_name.strip(),
                      champ):
            raise ToolError(f"you already have a {champ} build named '{build_name.strip()}'; pick another name")
        if self.value("SELECT COUNT(*) FROM builds WHERE champion_name = ?", champ) >= 3:
            raise ToolError(f"you already have 3 builds for {champ}; delete one with lol_delete_build first")
        build_id = self.new_id("builds", "bld_")
        total = sum(i["gold"] for i in chosen)
        self.execute("INSERT INTO builds VALUES (?, ?, ?, ?, ?, ?, ?)", build_id, build_name.strip(), champ, lane,
                     keystone, "|".join(names), total)
        return {"build_id": build_id, "build_name": build_name.strip(), "champion_name": champ, "lane": lane,
                "keystone": keystone, "items": names, "total_gold": total}

    @tool(writes=True, phrase=["delete {build_id} from my saved builds", "remove {build_id} from my builds"])
    def lol_delete_build(self, build_id: NonEmptyStr) -> Deleted:
        """Delete one of your saved builds.

        Args:
            build_id: The build's id, from lol_list_saved_builds.
        """
        build = self.require("SELECT * FROM builds WHERE build_id = ?", build_id,
                             error=f"no saved build '{build_id}'; lol_list_saved_builds lists yours")
        self.execute("DELETE FROM builds WHERE build_id = ?", build_id)
        return {"build_id": build_id, "build_name": build["build_name"], "deleted": True}

    @tool(writes=True, phrase=["follow the pro player {pro_player_name}", "start following {pro_player_name}"])
    def lol_follow_pro_player(self, pro_player_name: Annotated[str, UserKnown, Field(min_length=2, max_length=30)]
                              ) -> Follow:
        """Follow a pro player (you get notified when they stream or play); you can follow at most 20.

        Args:
            pro_player_name: The player's pro handle.
        """
        pro = self._pro(pro_player_name)["pro_player_name"]
        if self.value("SELECT 1 FROM follows WHERE pro_player_name = ?", pro):
            raise ToolError(f"you already follow {pro}")
        if (count := self.value("SELECT COUNT(*) FROM follows")) >= 20:
            raise ToolError("you already follow 20 pro players, the most allowed; unfollow one first")
        self.execute("INSERT INTO follows VALUES (?)", pro)
        return {"pro_player_name": pro, "followed": True, "following_count": count + 1}

    @tool(writes=True, phrase=["unfollow the pro player {pro_player_name}", "stop following {pro_player_name}"])
    def lol_unfollow_pro_player(self, pro_player_name: Annotated[str, UserKnown, Field(min_length=2, max_length=30)]
                                ) -> Follow:
        """Stop following a pro player.

        Args:
            pro_player_name: The player's pro handle.
        """
        pro = self._pro(pro_player_name)["pro_player_name"]
        if not self.execute("DELETE FROM follows WHERE pro_player_name = ?", pro):
            raise ToolError(f"you do not follow {pro}")
        return {"pro_player_name": pro, "followed": False,
                "following_count": self.value("SELECT COUNT(*) FROM follows")}

    @tool(writes=True, phrase=["buy the {skin_name} skin", "get me {skin_name} with my RP"])
    def lol_purchase_skin(self, skin_name: Annotated[str, UserKnown, Field(min_length=3, max_length=60)]) -> Purchase:
        """Buy a skin with RP at its current price (the sale price while it is discounted).

        Args:
            skin_name: The skin's full name, e.g. "Star Guardian Ahri".
        """
        skin = self.require("SELECT * FROM skins WHERE lower(skin_name) = lower(?)", skin_name.strip(),
                            error=f"no skin named '{skin_name}'")
        if self.value("SELECT 1 FROM owned_skins WHERE skin_id = ?", skin["skin_id"]):
            raise ToolError(f"you already own {skin['skin_name']}")
        price = skin["price_rp"] * (100 - skin["discount_percent"]) // 100
        rp = self.value("SELECT rp FROM wallet WHERE riot_id = ?", ME)
        if price > rp:
            raise ToolError(f"{skin['skin_name']} costs {price} RP and you have {rp} RP; top up RP first")
        self.execute("UPDATE wallet SET rp = rp - ? WHERE riot_id = ?", price, ME)
        self.execute("INSERT INTO owned_skins VALUES (?, ?)", skin["skin_id"], price)
        return {"skin_name": skin["skin_name"], "paid_rp": price, "rp_balance": rp - price}
