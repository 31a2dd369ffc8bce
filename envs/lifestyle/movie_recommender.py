"""MovieRecommender: a TMDB-style movie catalogue with recommendations, the user's watchlist and their ratings."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

GENRES = {28: "Action", 12: "Adventure", 16: "Animation", 35: "Comedy", 80: "Crime", 99: "Documentary", 18: "Drama",
          10751: "Family", 14: "Fantasy", 36: "History", 27: "Horror", 10402: "Music", 9648: "Mystery",
          10749: "Romance", 878: "Science Fiction", 53: "Thriller", 10752: "War", 37: "Western"}
GENRE_IDS = {name: gid for gid, name in GENRES.items()}
GenreName = Literal["Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
                    "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction", "Thriller", "War", "Western"]
ADJ = ["Silent", "Last", "Burning", "Hidden", "Golden", "Broken", "Midnight", "Distant", "Velvet", "Paper", "Glass",
       "Northern", "Crooked", "Electric", "Wandering", "Lonely", "Savage", "Quiet", "Scarlet", "Endless"]
NOUN = ["Harbor", "Witness", "Summer", "Empire", "Orchard", "Signal", "Highway", "Lighthouse", "Verdict", "Garden",
        "Frontier", "Kingdom", "Ballad", "Circus", "Reckoning", "Tide", "Passenger", "Station", "Mirror", "Heist"]
HOOKS = ["a retired detective", "two estranged sisters", "a young pilot", "a small-town mayor", "an exiled prince",
         "a jazz pianist", "a rookie astronaut", "a con artist", "a grieving father", "a teenage inventor"]
TURNS = ["uncovers a secret that could topple a city", "must cross a frozen continent", "plans one last job",
         "returns home after twenty years", "is hunted by an old rival", "enters a contest nobody has survived"]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Limit = Annotated[int, Field(ge=1, le=50)]

MovieSummary = TypedDict("MovieSummary", {"movie_id": int, "title": str, "release_date": str, "vote_average": float,
                                          "popularity": float, "genres": list[str]})
Movies = TypedDict("Movies", {"movies": list[MovieSummary]})
Details = TypedDict("Details", {"movie_id": int, "title": str, "overview": str, "release_date": str,
                                "duration": int, "genres": list[str], "vote_average": float, "vote_count": int,
                                "views": int, "actors": list[str], "director": str, "user_rating": float | None,
                                "on_watchlist": bool})
WatchItem = TypedDict("WatchItem", {"movie_id": int, "title": str, "release_date": str, "added_on": str,
                                    "duration": int})
Watchlist = TypedDict("Watchlist", {"count": int, "total_minutes": int, "movies": list[WatchItem]})
Rated = TypedDict("Rated", {"movie_id": int, "title": str, "rating": float, "rated_on": str})
RatedList = TypedDict("RatedList", {"count": int, "average_rating": float | None, "movies": list[Rated]})
RatingResult = TypedDict("RatingResult", {"movie_id": int, "title": str, "rating": float,
                                          "previous_rating": float | None, "removed_from_watchlist": bool,
                                          "vote_average": float, "vote_count": int})


class MovieRecommender(World):
    """A movie catalogue like TMDB (movies with genres, cast, release dates, vote averages out of 10, popularity)
    with genre and similarity recommendations, plus the signed-in user's watchlist and their ratings (0.5 to 10
    in steps of 0.5). Rating a movie marks it watched, which takes it off the watchlist."""

    schema = """
    CREATE TABLE films (movie_id INTEGER PRIMARY KEY, title TEXT NOT NULL, overview TEXT NOT NULL,
                         release_date TEXT NOT NULL, runtime INTEGER NOT NULL, vote_average REAL NOT NULL,
                         vote_count INTEGER NOT NULL, popularity REAL NOT NULL, views INTEGER NOT NULL,
                         director TEXT NOT NULL);
    CREATE INDEX movies_by_popularity ON films (popularity);
    CREATE INDEX movies_by_release ON films (release_date);
    CREATE TABLE movie_genres (movie_id INTEGER NOT NULL REFERENCES films, genre_id INTEGER NOT NULL,
                               PRIMARY KEY (movie_id, genre_id));
    CREATE INDEX movie_genres_by_genre ON movie_genres (genre_id);
    CREATE TABLE credits (movie_id INTEGER NOT NULL REFERENCES films, actor TEXT NOT NULL,
                          character TEXT NOT NULL, billing INTEGER NOT NULL, PRIMARY KEY (movie_id, billing));
    CREATE INDEX credits_by_actor ON credits (actor);
    CREATE TABLE watchlist (movie_id INTEGER PRIMARY KEY REFERENCES films, added_on TEXT NOT NULL);
    CREATE TABLE rated_films (movie_id INTEGER PRIMARY KEY REFERENCES films, rating REAL NOT NULL,
                          rated_on TEXT NOT NULL);
    """
    text_search = {"films": ("title", "overview")}
    volatile = {"watchlist": ("added_on",), "rated_films": ("rated_on",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        titles = rng.sample([f"The {a} {n}" for a in ADJ for n in NOUN] + [f"{n} of the {a} {m}" for a in ADJ[:8]
                            for n in NOUN[:6] for m in NOUN[6:12]], 150)
        actors = list(dict.fromkeys(fake.name() for _ in range(90)))[:70]
        ids = rng.sample(range(1_000, 1_300_000), len(titles))
        movies, genres, credits = [], [], []
        for index, (movie_id, title) in enumerate(zip(ids, titles)):
            released = (cls.days_before_start(rng, 10, 16000) if index % 15 else
                        cls.days_before_start(rng, -120, -5))
            votes = rng.randrange(40, 30000) if index % 15 else 0
            movies.append({"movie_id": movie_id, "title": title, "release_date": released.isoformat(),
                           "overview": f"{rng.choice(HOOKS).capitalize()} {rng.choice(TURNS)}.",
                           "runtime": rng.randrange(78, 185), "vote_average": round(rng.uniform(4.2, 8.9), 1)
                           if votes else 0.0, "vote_count": votes, "popularity": round(10 ** rng.uniform(0.5, 3.2), 3),
                           "views": votes * rng.randrange(8, 60), "director": fake.name()})
            genres += [{"movie_id": movie_id, "genre_id": g} for g in rng.sample(list(GENRES), rng.randint(1, 3))]
            credits += [{"movie_id": movie_id, "actor": a, "character": fake.first_name(), "billing": b}
                        for b, a in enumerate(rng.sample(actors, 4), 1)]
        db["films"].insert_all(movies)
        db["movie_genres"].insert_all(genres)
        db["credits"].insert_all(credits)
        out = [m for m in movies if m["vote_count"]]
        seen = rng.sample(out, 30)
        db["rated_films"].insert_all({"movie_id": m["movie_id"], "rating": rng.randrange(2, 21) / 2,
                                  "rated_on": cls.days_before_start(rng, 1, 700).isoformat()} for m in seen[:18])
        db["watchlist"].insert_all({"movie_id": m["movie_id"], "added_on": cls.days_before_start(rng, 1, 300)
                                    .isoformat()} for m in seen[18:] + rng.sample([m for m in movies
                                                                                  if not m["vote_count"]], 3))

    def _movie(self, movie_id: int) -> dict[str, Any]:
        return self.require("SELECT * FROM films WHERE movie_id = ?", movie_id,
                            error=f"no movie with id {movie_id}; get_movies finds a movie's id by its title")

    def _summaries(self, where: str, *params: Any, order: str = "m.popularity DESC") -> list[MovieSummary]:
        found = self.rows(f"SELECT m.movie_id, m.title, m.release_date, m.vote_average, m.popularity FROM films m"
                          f" WHERE {where} ORDER BY {order}, m.movie_id LIMIT ?", *params)
        for movie in found:
            movie["genres"] = self._genres(movie["movie_id"])
        return found

    def _genres(self, movie_id: int) -> list[str]:
        return [GENRES[r["genre_id"]] for r in self.rows(
            "SELECT genre_id FROM movie_genres WHERE movie_id = ? ORDER BY genre_id", movie_id)]

    @tool(phrase=["search the catalogue for {keyword}", "find the movie {keyword}"])
    def get_movies(self, keyword: Annotated[NonEmptyStr, UserKnown], limit: Limit = 10) -> Movies:
        """Search movies whose title or overview contains a keyword, most popular first.

        Args:
            keyword: Words from the title or plot, e.g. "lighthouse".
            limit: At most this many movies (1-50).
        """
        matches, params = self.text_filter("films", keyword)
        return {"movies": self._summaries(matches.replace('"films"', "m"), *params, limit)}

    @tool(phrase=["tell me more about {movie_id}", "look up {movie_id}"])
    def get_movie_details(self, movie_id: int) -> Details:
        """A movie's full details: overview, runtime, genres, votes, cast, and the user's rating and watchlist.

        Args:
            movie_id: The TMDB movie id (get_movies).
        """
        movie = self._movie(movie_id)
        return {"movie_id": movie_id, "title": movie["title"], "overview": movie["overview"],
                "release_date": movie["release_date"], "duration": movie["runtime"], "genres": self._genres(movie_id),
                "vote_average": movie["vote_average"], "vote_count": movie["vote_count"], "views": movie["views"],
                "actors": [r["actor"] for r in self.rows("SELECT actor FROM credits WHERE movie_id = ? ORDER BY"
                                                         " billing", movie_id)], "director": movie["director"],
                "user_rating": self.value("SELECT rating FROM rated_films WHERE movie_id = ?", movie_id),
                "on_watchlist": self.value("SELECT 1 FROM watchlist WHERE movie_id = ?", movie_id) is not None}

    @tool(phrase=["show me the most popular [{filter} ]movies[ released since {date}]",
                  "tell me which [{filter} ]movies are popular right now"])
    def get_popular_movies(self, filter: GenreName | None = None, date: Day | None = None,
                           limit: Limit = 10) -> Movies:
        """The most popular released movies, optionally of one genre and released on or after a date.

        Args:
            filter: Only movies of this genre.
            date: Only movies released on or after this day (YYYY-MM-DD).
            limit: At most this many movies (1-50).
        """
        return {"movies": self._summaries(
            "m.release_date <= ? AND m.release_date >= COALESCE(?, '') AND (? IS NULL OR m.movie_id IN"
            " (SELECT movie_id FROM movie_genres WHERE genre_id = ?))", self.now().date().isoformat(), date,
            filter, GENRE_IDS.get(filter or ""), limit)}

    @tool(phrase=["recommend movies like {movie_id}", "find me something similar to {movie_id}"])
    def get_recommendations(self, movie_id: int, limit: Annotated[int, Field(ge=1, le=20)] = 5) -> Movies:
        """Released movies similar to a movie (shared genres count twice, shared cast once), leaving out the movie
        itself and those the user has rated already; best match first, then by vote average.

        Args:
            movie_id: The movie to find similar ones for.
            limit: At most this many movies (1-20).
        """
        self._movie(movie_id)
        return {"movies": self._summaries(
            "m.movie_id != ?1 AND m.release_date <= ?2 AND m.movie_id NOT IN (SELECT movie_id FROM rated_films)"
            " AND (SELECT 2 * COUNT(*) FROM movie_genres g WHERE g.movie_id = m.movie_id AND g.genre_id IN"
            " (SELECT genre_id FROM movie_genres WHERE movie_id = ?1)) > 0", movie_id, self.now().date().isoformat(),
            limit, order="(SELECT 2 * COUNT(*) FROM movie_genres g WHERE g.movie_id = m.movie_id AND g.genre_id IN"
            " (SELECT genre_id FROM movie_genres WHERE movie_id = ?1)) + (SELECT COUNT(*) FROM credits c WHERE"
            " c.movie_id = m.movie_id AND c.actor IN (SELECT actor FROM credits WHERE movie_id = ?1)) DESC,"
            " m.vote_average DESC")}

    @tool(phrase=["show my watchlist", "tell me what is on my watchlist"])
    def get_watchlist(self) -> Watchlist:
        """The user's watchlist, oldest addition first, with the total running time."""
        movies = self.rows("SELECT w.movie_id, m.title, m.release_date, w.added_on, m.runtime AS duration"
                           " FROM watchlist w JOIN films m USING (movie_id) ORDER BY w.added_on, m.title")
        return {"count": len(movies), "total_minutes": sum(m["duration"] for m in movies), "movies": movies}

    @tool(writes=True, phrase=["add {movie_id} to my watchlist", "save {movie_id} to watch later"])
    def add_to_watchlist(self, movie_id: int) -> Watchlist:
        """Put a movie on the watchlist (upcoming movies too); movies the user has rated were watched already.

        Args:
            movie_id: The movie's id.
        """
        movie = self._movie(movie_id)
        if self.value("SELECT 1 FROM watchlist WHERE movie_id = ?", movie_id):
            raise ToolError(f"'{movie['title']}' is already on your watchlist")
        if (rated := self.value("SELECT rating FROM rated_films WHERE movie_id = ?", movie_id)) is not None:
            raise ToolError(f"you already watched and rated '{movie['title']}' ({rated}/10); delete the rating"
                            " first to put it back on the watchlist")
        self.execute("INSERT INTO watchlist VALUES (?, ?)", movie_id, self.now().date().isoformat())
        return self.get_watchlist()

    @tool(writes=True, phrase=["take {movie_id} off my watchlist", "remove {movie_id} from my watchlist"])
    def remove_from_watchlist(self, movie_id: int) -> Watchlist:
        """Take a movie off the watchlist; returns what remains.

        Args:
            movie_id: The movie's id.
        """
        if not self.execute("DELETE FROM watchlist WHERE movie_id = ?", movie_id):
            raise ToolError(f"'{self._movie(movie_id)['title']}' is not on your watchlist")
        return self.get_watchlist()

    @tool(phrase=["show the movies I have rated", "list my movie ratings"])
    def get_rated_movies(self) -> RatedList:
        """The movies the user has rated, highest rating first, with their average rating."""
        movies = self.rows("SELECT r.movie_id, m.title, r.rating, r.rated_on FROM rated_films r JOIN films m"
                           " USING (movie_id) ORDER BY r.rating DESC, m.title")
        average = round(sum(m["rating"] for m in movies) / len(movies), 2) if movies else None
        return {"count": len(movies), "average_rating": average, "movies": movies}

    def _revote(self, movie: dict[str, Any], add: float | None, remove: float | None) -> tuple[float, int]:
        count = movie["vote_count"] + (add is not None) - (remove is not None)
        total = movie["vote_average"] * movie["vote_count"] + (add or 0) - (remove or 0)
        average = round(total / count, 1) if count else 0.0
        self.execute("UPDATE films SET vote_average = ?, vote_count = ? WHERE movie_id = ?", average, count,
                     movie["movie_id"])
        return average, count

    @tool(writes=True, phrase=["rate {movie_id} {rating} out of 10", "give {movie_id} a {rating}/10"])
    def rate_movie(self, movie_id: int, rating: Annotated[float, Field(ge=0.5, le=10)]) -> RatingResult:
        """Rate a released movie from 0.5 to 10 in steps of 0.5 (rating again replaces the earlier rating). A rated
        movie counts as watched and leaves the watchlist.

        Args:
            movie_id: The movie's id.
            rating: 0.5 to 10, a multiple of 0.5.
        """
        movie = self._movie(movie_id)
        if rating * 2 != int(rating * 2):
            raise ToolError(f"ratings go in steps of 0.5; {rating} is not one (try {round(rating * 2) / 2 or 0.5})")
        if movie["release_date"] > self.now().date().isoformat():
            raise ToolError(f"'{movie['title']}' is not released until {movie['release_date']}; it cannot be"
                            " rated yet (add it to the watchlist instead)")
        previous = self.value("SELECT rating FROM rated_films WHERE movie_id = ?", movie_id)
        if previous == rating:
            raise ToolError(f"you already rated '{movie['title']}' {rating}/10")
        self.upsert("rated_films", {"movie_id": movie_id}, {"rating": rating, "rated_on": self.now().date().isoformat()})
        removed = bool(self.execute("DELETE FROM watchlist WHERE movie_id = ?", movie_id))
        average, count = self._revote(movie, rating, previous)
        return {"movie_id": movie_id, "title": movie["title"], "rating": rating, "previous_rating": previous,
                "removed_from_watchlist": removed, "vote_average": average, "vote_count": count}

    @tool(writes=True, phrase=["delete my rating of {movie_id}", "clear the score I gave {movie_id}"])
    def delete_rating(self, movie_id: int) -> RatedList:
        """Remove the user's rating of a movie; returns the ratings that remain.

        Args:
            movie_id: The movie's id.
        """
        movie = self._movie(movie_id)
        previous = self.value("SELECT rating FROM rated_films WHERE movie_id = ?", movie_id)
        if previous is None:
            raise ToolError(f"you have not rated '{movie['title']}'; get_rated_movies lists your ratings")
        self.execute("DELETE FROM rated_films WHERE movie_id = ?", movie_id)
        self._revote(movie, None, previous)
        return self.get_rated_movies()
