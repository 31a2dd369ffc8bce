"""Task templates of GameTrending: finding a game's store id by its name before acting on it."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario


def some_game(world: Any, rng: random.Random, where: str) -> dict[str, Any] | None:
    games = world.rows(f"SELECT * FROM games WHERE {where} ORDER BY app_id")
    return rng.choice(games) if games else None


def first_id(matches: dict[str, Any]) -> int:
    return matches["matches"][0]["app_id"]


@scenario
def price_and_rating(world: Any, rng: random.Random) -> Draft | None:
    game = some_game(world, rng, "release_date < '2026-03-02'")
    final = game["price_cents"] * (100 - game["discount_pct"]) // 100
    return Draft(request=f"How much is {game['name']} on {game['platform'].title()} right now, and who made it?",
                 calls=(call("get_app_id", game_name=game["name"]),
                        call("get_game_details", app_id=Ref(0, "", first_id))),
                 answer=(f"{final / 100:.2f}", game["developer"]))


@scenario
def wishlist_by_name(world: Any, rng: random.Random) -> Draft | None:
    game = some_game(world, rng, "app_id NOT IN (SELECT app_id FROM library UNION SELECT app_id FROM wishlist)")
    return Draft(request=f"I keep hearing about {game['name']}. Put it on my wishlist, please.",
                 calls=(call("get_app_id", game_name=game["name"]), call("add_to_wishlist", app_id=Ref(0, "", first_id))))


@scenario
def follow_asked(world: Any, rng: random.Random) -> Draft | None:
    game = some_game(world, rng, "platform = 'steam' AND app_id NOT IN (SELECT app_id FROM follows)")
    return Draft(request="I want news about a Steam game in my feed. Can you follow it for me?",
                 calls=(call("get_app_id", game_name=game["name"], platform="steam"),
                        call("follow_game", app_id=Ref(0, "", first_id))),
                 ask=(UserFact("game", game["name"], ("game", "which", "name", "title")),))


@scenario
def claim_then_library(world: Any, rng: random.Random) -> Draft | None:
    free = world.rows("SELECT g.* FROM promotions p JOIN games g USING (app_id) WHERE p.start_at <= '2026-03-02 09:00'"
                      " AND p.end_at > '2026-03-02 09:00' AND app_id NOT IN (SELECT app_id FROM library)"
                      " ORDER BY app_id")
    if not free:
        return None
    game = rng.choice(free)
    owned = world.value("SELECT COUNT(*) FROM library JOIN games USING (app_id) WHERE platform = 'epic'") + 1
    return Draft(request=f"Is {game['name']} really free on Epic this week? If so claim it, and tell me how many "
                         "Epic games I own after that.",
                 calls=(call("get_epic_free_games", include_upcoming=False), call("claim_free_game", app_id=game["app_id"]),
                        call("get_library", platform="epic")),
                 answer=(owned,))
