"""Task templates of MovieRecommender: finding a movie by its title, then rating it, saving it or building on it."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario

TODAY = "2026-03-02"


def unique_title(world: Any, rng: random.Random, where: str = "1") -> dict[str, Any] | None:
    """A film whose title is no part of another film's title or overview, so a search for it finds only it."""
    films = world.rows(f"SELECT * FROM films f WHERE {where} AND NOT EXISTS (SELECT 1 FROM films o WHERE"
                       " o.movie_id != f.movie_id AND (instr(lower(o.title), lower(f.title)) OR"
                       " instr(lower(o.overview), lower(f.title)))) ORDER BY movie_id")
    return rng.choice(films) if films else None


def first_id(found: dict[str, Any]) -> int:
    return found["movies"][0]["movie_id"]


@scenario
def who_directed(world: Any, rng: random.Random) -> Draft | None:
    film = unique_title(world, rng)
    if film is None:
        return None
    return Draft(request=f"Who directed {film['title']}, and how long does it run?",
                 calls=(call("get_movies", keyword=film["title"]),
                        call("get_movie_details", movie_id=Ref(0, "", first_id))),
                 answer=(film["director"], film["runtime"]))


@scenario
def rate_by_title(world: Any, rng: random.Random) -> Draft | None:
    film = unique_title(world, rng, f"release_date <= '{TODAY}' AND movie_id NOT IN (SELECT movie_id FROM rated_films)")
    if film is None:
        return None
    rating = rng.randrange(2, 21) / 2
    return Draft(request=f"I just watched {film['title']}. Log it as a {rating:g} out of 10 for me.",
                 calls=(call("get_movies", keyword=film["title"]),
                        call("rate_movie", movie_id=Ref(0, "", first_id), rating=rating)))


@scenario
def watch_later_asked(world: Any, rng: random.Random) -> Draft | None:
    film = unique_title(world, rng, "movie_id NOT IN (SELECT movie_id FROM watchlist UNION"
                                    " SELECT movie_id FROM rated_films)")
    if film is None:
        return None
    return Draft(request="A friend told me about a movie I should see. Save it to my watchlist, please.",
                 calls=(call("get_movies", keyword=film["title"]),
                        call("add_to_watchlist", movie_id=Ref(0, "", first_id))),
                 ask=(UserFact("movie title", film["title"], ("movie", "title", "which", "name", "film")),))


@scenario
def watchlist_from_recommendation(world: Any, rng: random.Random) -> Draft | None:
    film = unique_title(world, rng, f"release_date <= '{TODAY}'")
    if film is None:
        return None
    similar = world.call("get_recommendations", {"movie_id": film["movie_id"], "limit": 1})["movies"]
    if not similar or world.value("SELECT 1 FROM watchlist WHERE movie_id = ?", similar[0]["movie_id"]):
        return None
    return Draft(request=f"I loved {film['title']}. Put the movie most like it on my watchlist and tell me which "
                         "one you picked.",
                 calls=(call("get_movies", keyword=film["title"]),
                        call("get_recommendations", movie_id=Ref(0, "", first_id), limit=1),
                        call("add_to_watchlist", movie_id=Ref(1, "", first_id))),
                 answer=(similar[0]["title"],))
