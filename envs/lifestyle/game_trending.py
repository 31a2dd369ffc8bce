"""GameTrending: Steam and Epic Games Store charts, Epic's weekly free games, and the user's library and wishlist."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

FIRST = ["Hollow", "Crimson", "Silent", "Iron", "Starbound", "Neon", "Frozen", "Ashen", "Gilded", "Feral", "Sunken",
         "Radiant", "Shattered", "Clockwork", "Obsidian", "Verdant", "Phantom", "Solar", "Tidal", "Rusted"]
SECOND = ["Kingdom", "Frontier", "Legion", "Harbor", "Crown", "Protocol", "Drift", "Citadel", "Echoes", "Hunt",
          "Orbit", "Dynasty", "Outpost", "Tides", "Forge", "Requiem", "Expanse", "Vanguard", "Bastion", "Wilds"]
SUFFIX = ["", "", "", "", " II", ": Reborn", ": Origins", " Tactics", " Online", " Remastered", " 2", " Zero"]
GENRES = ["Action", "RPG", "Strategy", "Simulation", "Roguelike", "Racing", "Survival", "Puzzle", "Shooter",
          "Sports", "Adventure", "Metroidvania"]
#: Epic giveaways in the seeded history: two a week this week and next, one or two in each of the ten before
GIVEAWAYS = 24
PRICES = [0, 499, 999, 1499, 1999, 2499, 2999, 3999, 4999, 5999, 6999]
STORE_URL = {"steam": "https://store.steampowered.com/app/{}", "epic": "https://store.epicgames.com/p/{}"}
SCALE = {"steam": "percent of reviews positive", "epic": "average player rating out of 5"}
WEEK = dt.timedelta(days=7)
STAMP = "%Y-%m-%d %H:%M"
Limit = Annotated[int, Field(ge=1, le=50)]

Ranked = TypedDict("Ranked", {"rank": int, "app_id": int, "name": str, "genre": str, "current_players": int,
                              "peak_24h": int, "change_7d_pct": float})
Charts = TypedDict("Charts", {"games": list[Ranked]})
EpicRanked = TypedDict("EpicRanked", {"rank": int, "app_id": int, "name": str, "genre": str, "price_cents": int,
                                      "rating": float})
EpicCharts = TypedDict("EpicCharts", {"games": list[EpicRanked]})
FreeGame = TypedDict("FreeGame", {"app_id": int, "name": str, "developer": str, "original_price_cents": int,
                                  "free_from": str, "free_until": str})
FreeGames = TypedDict("FreeGames", {"current_games": list[FreeGame], "upcoming_games": list[FreeGame]})
Match = TypedDict("Match", {"app_id": int, "name": str, "platform": str, "release_date": str})
Matches = TypedDict("Matches", {"matches": list[Match]})
Price = TypedDict("Price", {"currency": str, "initial": int, "final": int, "discount_percent": int})
Details = TypedDict("Details", {"app_id": int, "name": str, "description": str, "price": Price, "store_url": str,
                                "rating": float, "rating_scale": str, "platform": str, "developer": str,
                                "genre": str, "release_date": str, "current_players": int | None, "owned": bool,
                                "on_wishlist": bool, "followed": bool})
WishItem = TypedDict("WishItem", {"app_id": int, "name": str, "platform": str, "added_on": str,
                                  "final_price_cents": int, "discount_percent": int, "release_date": str})
Wishlist = TypedDict("Wishlist", {"count": int, "games": list[WishItem]})
Owned = TypedDict("Owned", {"app_id": int, "name": str, "platform": str, "acquired_on": str, "source": str,
                            "playtime_hours": float})
Library = TypedDict("Library", {"count": int, "games": list[Owned]})
Followed = TypedDict("Followed", {"app_id": int, "name": str, "followed": bool, "followers": int})
Claim = TypedDict("Claim", {"app_id": int, "name": str, "acquired_on": str, "source": str,
                            "removed_from_wishlist": bool})


class GameTrending(World):
    """Game store data from Steam (app ids, concurrent players, trending and most-played charts, review scores in
    percent positive) and the Epic Games Store (trending chart, weekly free-game promotions, ratings out of 5),
    with the user's own game library, wishlist and followed Steam games. Prices are in US cents."""

    schema = """
    CREATE TABLE games (app_id INTEGER PRIMARY KEY, platform TEXT NOT NULL CHECK (platform IN ('steam', 'epic')),
                        name TEXT NOT NULL, slug TEXT NOT NULL, developer TEXT NOT NULL, genre TEXT NOT NULL,
                        release_date TEXT NOT NULL, price_cents INTEGER NOT NULL, discount_pct INTEGER NOT NULL,
                        rating REAL NOT NULL, description TEXT NOT NULL, current_players INTEGER,
                        peak_24h INTEGER, players_7d_ago INTEGER, epic_rank INTEGER, followers INTEGER NOT NULL);
    CREATE INDEX games_by_platform ON games (platform, current_players);
    CREATE INDEX games_by_epic_rank ON games (epic_rank);
    CREATE TABLE promotions (promo_id TEXT PRIMARY KEY, app_id INTEGER NOT NULL REFERENCES games,
                             start_at TEXT NOT NULL, end_at TEXT NOT NULL);
    CREATE INDEX promotions_by_window ON promotions (start_at, end_at);
    CREATE INDEX promotions_by_app ON promotions (app_id);
    CREATE TABLE library (app_id INTEGER PRIMARY KEY REFERENCES games, acquired_on TEXT NOT NULL,
                          source TEXT NOT NULL, playtime_minutes INTEGER NOT NULL);
    CREATE TABLE wishlist (app_id INTEGER PRIMARY KEY REFERENCES games, added_on TEXT NOT NULL);
    CREATE TABLE follows (app_id INTEGER PRIMARY KEY REFERENCES games, followed_on TEXT NOT NULL);
    """
    text_search = {"games": ("name",)}
    volatile = {"library": ("acquired_on",), "wishlist": ("added_on",), "follows": ("followed_on",)}
    minor_units = frozenset({"price_cents", "original_price_cents", "final_price_cents", "initial", "final"})

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        names = rng.sample([f"{a} {b}{rng.choice(SUFFIX)}" for a in FIRST for b in SECOND], 100)
        steam_ids = rng.sample(range(20_000, 320_000), 70)
        games = []
        for index, name in enumerate(names):
            steam = index < 70
            released = (cls.days_before_start(rng, 20, 4000) if index % 17 else
                        cls.start_time.date() + dt.timedelta(days=rng.randint(20, 200)))
            current = int(10 ** rng.uniform(2.3, 5.8)) if steam and index % 17 else None
            games.append({
                "app_id": steam_ids[index] * 10 if steam else rng.randrange(10**8, 10**9), "name": name,
                "platform": "steam" if steam else "epic", "slug": name.lower().replace(":", "").replace(" ", "-"),
                "developer": fake.company().replace(",", ""), "genre": rng.choice(GENRES),
                "release_date": released.isoformat(), "price_cents": rng.choice(PRICES),
                "discount_pct": rng.choice([0] * 6 + [10, 20, 25, 33, 50, 75]),
                "rating": rng.randrange(38, 98) if steam else round(rng.uniform(3.0, 4.9), 1),
                "description": f"{name} is a {rng.choice(['hand-crafted', 'sprawling', 'fast-paced', 'cozy'])}"
                               f" {rng.choice(GENRES).lower()} game by {rng.choice(['a small team', 'veterans'])}.",
                "current_players": current, "peak_24h": current and int(current * rng.uniform(1.05, 1.9)),
                "players_7d_ago": current and int(current / rng.uniform(0.6, 2.4)), "epic_rank": None,
                "followers": rng.randrange(500, 900_000)})
        epic = [g for g in games if g["platform"] == "epic" and g["release_date"] < cls.start_time.date().isoformat()]
        # the giveaways below need 24 paid Epic games; a world short of them prices some free-to-play ones
        free_to_play = [g for g in epic if not g["price_cents"]]
        for game in free_to_play[:max(0, GIVEAWAYS - len(epic) + len(free_to_play))]:
            game["price_cents"] = rng.choice(PRICES[1:])
        for rank, game in enumerate(rng.sample(epic, 20), 1):
            game["epic_rank"] = rank
        db["games"].insert_all(games)
        # Epic's weekly giveaways start on Thursdays at 16:00 UTC; this week's window runs Feb 26 - Mar 5
        this_week, promos = dt.datetime(2026, 2, 26, 16, 0), []
        free = rng.sample([g for g in epic if g["price_cents"]], GIVEAWAYS)
        for week in range(-10, 2):
            for _ in range(2 if week >= 0 else rng.choice([1, 2])):
                start = this_week + week * WEEK
                promos.append({"promo_id": fake_id(rng, "promo_"), "app_id": free.pop()["app_id"],
                               "start_at": start.strftime(STAMP), "end_at": (start + WEEK).strftime(STAMP)})
        db["promotions"].insert_all(promos)
        released = [g for g in games if g["release_date"] < cls.start_time.date().isoformat()]
        owned = rng.sample([g for g in released if g["app_id"] not in {p["app_id"] for p in promos[-4:]}], 16)
        owned += [g for g in games if g["app_id"] in {p["app_id"] for p in promos[:-4:3]} and g not in owned]
        db["library"].insert_all({
            "app_id": g["app_id"], "acquired_on": cls.days_before_start(rng, 1, 900).isoformat(),
            "source": "purchase" if g["app_id"] not in {p["app_id"] for p in promos} else "free promotion",
            "playtime_minutes": rng.choice([0, rng.randrange(10, 12000)])} for g in owned)
        owned_ids = {g["app_id"] for g in owned}
        others = [g for g in games if g["app_id"] not in owned_ids]
        db["wishlist"].insert_all({"app_id": g["app_id"], "added_on": cls.days_before_start(rng, 1, 400).isoformat()}
                                  for g in rng.sample(others, 10))
        db["follows"].insert_all({"app_id": g["app_id"], "followed_on": cls.days_before_start(rng, 1, 600).isoformat()}
                                 for g in rng.sample([g for g in games if g["platform"] == "steam"], 8))

    def _game(self, app_id: int) -> dict[str, Any]:
        return self.require("SELECT * FROM games WHERE app_id = ?", app_id,
                            error=f"no game with app id {app_id}; get_app_id finds a game's id by its name")

    def _steam_chart(self, order: str, limit: int) -> Charts:
        found = self.rows(
            "SELECT app_id, name, genre, current_players, peak_24h,"
            " ROUND(100.0 * (current_players - players_7d_ago) / players_7d_ago, 1) AS change_7d_pct FROM games"
            f" WHERE platform = 'steam' AND current_players IS NOT NULL ORDER BY {order}, app_id LIMIT ?", limit)
        return {"games": [{"rank": rank, **game} for rank, game in enumerate(found, 1)]}

    @tool(phrase=["show me what is trending on Steam this week", "tell me which Steam games are gaining players fastest"])
    def get_steam_trending_games(self, limit: Limit = 10) -> Charts:
        """Steam games whose concurrent player counts grew most over the last 7 days.

        Args:
            limit: How many games to list (1-50).
        """
        return self._steam_chart("1.0 * current_players / players_7d_ago DESC", limit)

    @tool(phrase=["tell me which Steam games have the most players right now", "show me Steam's most played games"])
    def get_steam_most_played(self, limit: Limit = 10) -> Charts:
        """Steam games by current concurrent players, most first.

        Args:
            limit: How many games to list (1-50).
        """
        return self._steam_chart("current_players DESC", limit)

    @tool(phrase=["check what is free on the Epic Games Store", "tell me which games I can grab for free on Epic"])
    def get_epic_free_games(self, include_upcoming: bool = True) -> FreeGames:
        """The Epic Games Store's free-game promotions running now and, optionally, the next ones announced.

        Args:
            include_upcoming: Also list the promotions that have not started yet.
        """
        now = self.now().strftime(STAMP)
        query = ("SELECT g.app_id, g.name, g.developer, g.price_cents AS original_price_cents,"
                 " p.start_at AS free_from, p.end_at AS free_until FROM promotions p JOIN games g USING (app_id)"
                 " WHERE {} ORDER BY p.start_at, g.name")
        return {"current_games": self.rows(query.format("p.start_at <= ?1 AND p.end_at > ?1"), now),
                "upcoming_games": self.rows(query.format("p.start_at > ?"), now) if include_upcoming else []}

    @tool(phrase=["show me what is trending on the Epic Games Store", "show me Epic's top games right now"])
    def get_epic_trending_games(self, limit: Limit = 10) -> EpicCharts:
        """The Epic Games Store's trending chart.

        Args:
            limit: How many games to list (1-20 are ranked).
        """
        return {"games": self.rows(
            "SELECT epic_rank AS rank, app_id, name, genre, price_cents * (100 - discount_pct) / 100 AS price_cents,"
            " rating FROM games WHERE epic_rank IS NOT NULL ORDER BY epic_rank LIMIT ?", limit)}

    @tool(phrase=["find the store id of {game_name}[ on {platform}]"])
    def get_app_id(self, game_name: Annotated[NonEmptyStr, UserKnown],
                   platform: Literal["steam", "epic"] | None = None) -> Matches:
        """Find games by (part of) their name; a game sold on both stores has a different id on each.

        Args:
            game_name: The game's name or part of it, e.g. "Crimson Forge".
            platform: Only this store.
        """
        matches, params = self.text_filter("games", game_name)
        return {"matches": self.rows(
            f"SELECT app_id, name, platform, release_date FROM games WHERE {matches} AND (? IS NULL OR platform = ?)"
            " ORDER BY name, platform LIMIT 25", *params, platform, platform)}

    @tool(phrase=["pull up the store page of {app_id}", "look up {app_id} in the store"])
    def get_game_details(self, app_id: int) -> Details:
        """A game's store page: description, price, rating, developer, release date and the user's relation to it.

        Args:
            app_id: The game's store id (get_app_id).
        """
        game = self._game(app_id)
        final = game["price_cents"] * (100 - game["discount_pct"]) // 100
        mine = {table: self.value(f"SELECT 1 FROM {table} WHERE app_id = ?", app_id) is not None
                for table in ("library", "wishlist", "follows")}
        return {"app_id": app_id, "name": game["name"], "description": game["description"],
                "price": {"currency": "USD", "initial": game["price_cents"], "final": final,
                          "discount_percent": game["discount_pct"]},
                "store_url": STORE_URL[game["platform"]].format(app_id if game["platform"] == "steam" else game["slug"]),
                "rating": game["rating"], "rating_scale": SCALE[game["platform"]], "platform": game["platform"],
                "developer": game["developer"], "genre": game["genre"], "release_date": game["release_date"],
                "current_players": game["current_players"], "owned": mine["library"],
                "on_wishlist": mine["wishlist"], "followed": mine["follows"]}

    @tool(phrase=["show my wishlist", "go through my wishlist[ on {platform}]"])
    def get_wishlist(self, platform: Literal["steam", "epic"] | None = None) -> Wishlist:
        """The user's wishlist with current prices, most recently added first.

        Args:
            platform: Only this store's wishlist.
        """
        games = self.rows(
            "SELECT w.app_id, g.name, g.platform, w.added_on, g.price_cents * (100 - g.discount_pct) / 100"
            " AS final_price_cents, g.discount_pct AS discount_percent, g.release_date"
            " FROM wishlist w CROSS JOIN games g USING (app_id)"  # the wishlist first, each game by its key
            " WHERE ? IS NULL OR g.platform = ? ORDER BY w.added_on DESC, g.name", platform, platform)
        return {"count": len(games), "games": games}

    @tool(phrase=["show the games I own[ on {platform}]", "list my game library[ on {platform}]"])
    def get_library(self, platform: Literal["steam", "epic"] | None = None) -> Library:
        """The games the user owns, with playtime, most played first.

        Args:
            platform: Only this store's library.
        """
        games = self.rows(
            "SELECT l.app_id, g.name, g.platform, l.acquired_on, l.source, ROUND(l.playtime_minutes / 60.0, 1)"
            " AS playtime_hours FROM library l CROSS JOIN games g USING (app_id) WHERE ? IS NULL OR g.platform = ?"
            " ORDER BY l.playtime_minutes DESC, g.name", platform, platform)
        return {"count": len(games), "games": games}

    @tool(writes=True, phrase=["add {app_id} to my wishlist", "wishlist {app_id} so I can buy it later"])
    def add_to_wishlist(self, app_id: int) -> WishItem:
        """Put a game on the user's wishlist (unreleased games too; not games the user already owns).

        Args:
            app_id: The game's store id.
        """
        game = self._game(app_id)
        if self.value("SELECT 1 FROM library WHERE app_id = ?", app_id):
            raise ToolError(f"'{game['name']}' ({game['platform']} {app_id}) is already in your library;"
                            " owned games cannot be wishlisted")
        if self.value("SELECT 1 FROM wishlist WHERE app_id = ?", app_id):
            raise ToolError(f"'{game['name']}' ({game['platform']} {app_id}) is already on your wishlist")
        self.execute("INSERT INTO wishlist VALUES (?, ?)", app_id, self.now().date().isoformat())
        return next(g for g in self.get_wishlist()["games"] if g["app_id"] == app_id)

    @tool(writes=True, phrase=["take {app_id} off my wishlist", "remove {app_id} from my wishlist"])
    def remove_from_wishlist(self, app_id: int) -> Wishlist:
        """Remove a game from the user's wishlist; returns the wishlist that remains.

        Args:
            app_id: The game's store id.
        """
        if not self.execute("DELETE FROM wishlist WHERE app_id = ?", app_id):
            raise ToolError(f"'{self._game(app_id)['name']}' ({app_id}) is not on your wishlist; get_wishlist lists it")
        return self.get_wishlist()

    def _follow(self, app_id: int, follow: bool) -> Followed:
        game = self._game(app_id)
        if game["platform"] != "steam":
            raise ToolError(f"'{game['name']}' ({app_id}) is an Epic Games Store title; only Steam games can be"
                            " followed (add it to your wishlist instead)")
        if (self.value("SELECT 1 FROM follows WHERE app_id = ?", app_id) is not None) == follow:
            raise ToolError(f"you are {'already' if follow else 'not'} following '{game['name']}'")
        if follow:
            self.execute("INSERT INTO follows VALUES (?, ?)", app_id, self.now().date().isoformat())
        else:
            self.execute("DELETE FROM follows WHERE app_id = ?", app_id)
        followers = game["followers"] + (1 if follow else -1)
        self.execute("UPDATE games SET followers = ? WHERE app_id = ?", followers, app_id)
        return {"app_id": app_id, "name": game["name"], "followed": follow, "followers": followers}

    @tool(writes=True, phrase=["follow {app_id} on Steam", "get news about {app_id} in my Steam feed"])
    def follow_game(self, app_id: int) -> Followed:
        """Follow a Steam game to get its news and updates in the activity feed (a Steam community feature; Epic
        store pages cannot be followed).

        Args:
            app_id: The Steam app id.
        """
        return self._follow(app_id, True)

    @tool(writes=True, phrase=["stop following {app_id} on Steam", "unfollow {app_id}"])
    def unfollow_game(self, app_id: int) -> Followed:
        """Stop following a Steam game.

        Args:
            app_id: The Steam app id.
        """
        return self._follow(app_id, False)

    @tool(writes=True, phrase=["claim {app_id} while it is free on Epic", "grab {app_id} for free on Epic before the offer ends"])
    def claim_free_game(self, app_id: int) -> Claim:
        """Claim a game that the Epic Games Store is giving away right now; it is added to the user's library for
        good (and taken off the wishlist). Only games in a promotion running now can be claimed.

        Args:
            app_id: The Epic game's id (get_epic_free_games).
        """
        game, now = self._game(app_id), self.now().strftime(STAMP)
        if self.value("SELECT 1 FROM library WHERE app_id = ?", app_id):
            raise ToolError(f"'{game['name']}' is already in your library")
        promo = self.row("SELECT * FROM promotions WHERE app_id = ? ORDER BY start_at DESC", app_id)
        if promo is None:
            raise ToolError(f"'{game['name']}' is not part of an Epic free-game promotion; get_epic_free_games"
                            " lists the current ones")
        if promo["start_at"] > now:
            raise ToolError(f"'{game['name']}' is free from {promo['start_at']} UTC only; claim it then")
        if promo["end_at"] <= now:
            raise ToolError(f"the free promotion of '{game['name']}' ended on {promo['end_at']} UTC")
        acquired = self.now().date().isoformat()
        self.execute("INSERT INTO library VALUES (?, ?, 'free promotion', 0)", app_id, acquired)
        removed = bool(self.execute("DELETE FROM wishlist WHERE app_id = ?", app_id))
        return {"app_id": app_id, "name": game["name"], "acquired_on": acquired, "source": "free promotion",
                "removed_from_wishlist": removed}
