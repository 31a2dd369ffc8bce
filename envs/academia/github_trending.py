"""GithubTrending: GitHub's trending pages (repositories and developers by stars gained per period) and what a
signed-in user does there: star repositories and follow developers."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

VIEWER = "sam-ortiz-dev"
LANGUAGES = ["Python", "TypeScript", "Rust", "Go", "JavaScript", "C++", "Java", "Zig", "Kotlin", "Swift"]
SPOKEN = ["en"] * 14 + ["zh"] * 3 + ["ja", "es", "ko", "de"]
HEADS = ["fast", "tiny", "open", "hyper", "deep", "micro", "auto", "neo", "flux", "quill", "nano", "sky", "iron"]
TAILS = ["db", "ui", "kit", "graph", "agent", "lens", "forge", "cache", "flow", "vm", "shell", "bench", "chat",
         "proxy", "router", "notes", "sync", "lint"]
WHAT = ["key-value store", "component library", "LLM agent framework", "terminal UI toolkit", "static site generator",
        "vector database", "HTTP router", "build system", "notebook runtime", "self-hosted chat server",
        "observability stack", "game engine", "compiler toolkit", "package manager", "password manager"]
HOW = ["Blazing fast", "Minimal", "Batteries-included", "Local-first", "Type-safe", "Zero-dependency", "Embeddable"]
ORGS = ["acme-labs", "openfield", "northwind-oss", "hexagon-ai", "tidepool", "cobalt-dev", "lattice-io"]
Period = Literal["daily", "weekly", "monthly"]
GAIN = {"daily": "stars_today", "weekly": "stars_week", "monthly": "stars_month"}
Language = Literal["Python", "TypeScript", "Rust", "Go", "JavaScript", "C++", "Java", "Zig", "Kotlin", "Swift"]
FullName = Annotated[str, UserKnown, Field(pattern=r"^[\w.-]+/[\w.-]+$", max_length=100)]
Username = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z0-9-]{1,39}$")]
Limit = Annotated[int, Field(ge=1, le=50)]

TrendingRepo = TypedDict("TrendingRepo", {"rank": int, "full_name": str, "description": str, "language": str,
                                          "stars": int, "forks": int, "stars_gained": int, "built_by": list[str]})
TrendingRepos = TypedDict("TrendingRepos", {"period": str, "repositories": list[TrendingRepo]})
TrendingDev = TypedDict("TrendingDev", {"rank": int, "username": str, "name": str, "popular_repo": str,
                                        "popular_repo_description": str, "stars_gained": int})
TrendingDevs = TypedDict("TrendingDevs", {"period": str, "developers": list[TrendingDev]})
Repository = TypedDict("Repository", {"full_name": str, "description": str, "language": str, "spoken_language": str,
                                      "stars": int, "forks": int, "stars_today": int, "stars_this_week": int,
                                      "stars_this_month": int, "built_by": list[str], "starred": bool})
Starred = TypedDict("Starred", {"full_name": str, "language": str, "stars": int, "starred_at": str})
StarredList = TypedDict("StarredList", {"count": int, "repositories": list[Starred]})
Developer = TypedDict("Developer", {"username": str, "name": str, "location": str, "followers": int,
                                    "following_since": str})
DeveloperList = TypedDict("DeveloperList", {"count": int, "developers": list[Developer]})
StarResult = TypedDict("StarResult", {"full_name": str, "starred": bool, "stargazers": int})
UnstarResult = TypedDict("UnstarResult", {"full_name": str, "starred": bool, "stargazers": int, "starred_at": str})
FollowResult = TypedDict("FollowResult", {"username": str, "following": bool, "follower_count": int})
UnfollowResult = TypedDict("UnfollowResult", {"username": str, "following": bool, "follower_count": int,
                                              "since": str})


class GithubTrending(World):
    """GitHub trending: repositories and developers ranked by the stars gained today, this week or this month, with
    the repository's language, total stars, forks and the developers who built it. You are signed in as
    'sam-ortiz-dev' and can star or unstar repositories and follow or unfollow developers."""

    domain = "Academia"
    schema = """
    CREATE TABLE users (username TEXT PRIMARY KEY, name TEXT NOT NULL, location TEXT NOT NULL,
                             followers INTEGER NOT NULL);
    CREATE TABLE repos (full_name TEXT PRIMARY KEY, owner TEXT NOT NULL, description TEXT NOT NULL,
                               language TEXT NOT NULL, spoken_language TEXT NOT NULL, stars INTEGER NOT NULL,
                               forks INTEGER NOT NULL, stars_today INTEGER NOT NULL, stars_week INTEGER NOT NULL,
                               stars_month INTEGER NOT NULL);
    CREATE INDEX repos_by_name ON repos (lower(full_name));
    CREATE TABLE built_by (full_name TEXT NOT NULL REFERENCES repos, username TEXT NOT NULL
                           REFERENCES users, position INTEGER NOT NULL, PRIMARY KEY (full_name, username));
    CREATE INDEX built_by_developer ON built_by (username);
    -- the signed-in user's stars and follows (surrogate keys: starring adds a row, it creates no repository)
    CREATE TABLE starred (star_id TEXT PRIMARY KEY, full_name TEXT NOT NULL REFERENCES repos,
                        starred_at TEXT NOT NULL);
    CREATE INDEX starred_by_repo ON starred (full_name);
    CREATE TABLE following (follow_id TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users, since TEXT NOT NULL);
    CREATE INDEX following_by_user ON following (username);
    """
    volatile = {"starred": ("starred_at",), "following": ("since",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        devs: dict[str, dict[str, Any]] = {VIEWER: {"username": VIEWER, "name": "Sam Ortiz", "location": "Lisbon",
                                                    "followers": 14}}
        while len(devs) < 70:
            first, last = fake.first_name(), fake.last_name()
            login = rng.choice([f"{first}{last}", f"{first[0]}{last}", f"{first}-{last}", f"{last}{rng.randrange(99)}"])
            devs.setdefault(login.lower(), {"username": login.lower(), "name": f"{first} {last}",
                                            "location": fake.city(), "followers": int(rng.lognormvariate(6, 1.4))})
        people = [d for d in devs if d != VIEWER]
        repos: dict[str, dict[str, Any]] = {}
        built = []
        while len(repos) < 130:
            owner = rng.choice(ORGS) if rng.random() < 0.25 else rng.choice(people)
            name = rng.choice(HEADS) + rng.choice(["", "-"]) + rng.choice(TAILS)
            full = f"{owner}/{name}"
            if full in repos:
                continue
            month = int(rng.lognormvariate(5.5, 1.1))
            week = rng.randint(month // 6, max(month // 6, month * 2 // 3))
            day = rng.randint(week // 10, max(week // 10, week // 3))
            stars = month + int(rng.lognormvariate(7.5, 1.6))
            language = rng.choice(LANGUAGES)
            repos[full] = {"full_name": full, "owner": owner, "language": language, "spoken_language": rng.choice(SPOKEN),
                           "description": f"{rng.choice(HOW)} {rng.choice(WHAT)} in {language}",
                           "stars": stars, "forks": stars * rng.randint(4, 20) // 100,
                           "stars_today": day, "stars_week": week, "stars_month": month}
            team = ([owner] if owner in devs else []) + rng.sample(people, rng.randint(1, 4))
            built += [{"full_name": full, "username": u, "position": i}
                      for i, u in enumerate(dict.fromkeys(team)) if i < 5]
        db["users"].insert_all(devs.values())
        db["repos"].insert_all(repos.values())
        db["built_by"].insert_all(built)
        db["starred"].insert_all({"star_id": fake_id(rng, "star_"), "full_name": f, "starred_at": str(cls.days_before_start(rng, 1, 400))}
                                 for f in rng.sample(sorted(repos), 12))
        db["following"].insert_all({"follow_id": fake_id(rng, "fol_"), "username": u, "since": str(cls.days_before_start(rng, 1, 700))}
                                   for u in rng.sample(people, 9))

    def _repo(self, full_name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM repos WHERE lower(full_name) = lower(?)", full_name,
                            error=f"no repository '{full_name}'; name it as owner/name, as the trending list shows it")

    def _developer(self, username: str) -> dict[str, Any]:
        return self.require("SELECT * FROM users WHERE username = lower(?)", username,
                            error=f"no GitHub user '{username}'; check the spelling of the username")

    def _built_by(self, full_name: str) -> list[str]:
        return [r["username"] for r in self.rows(
            "SELECT username FROM built_by WHERE full_name = ? ORDER BY position", full_name)]

    @tool(phrase=["show me the[ {period}] trending[ {language}] repositories[ for {spoken_language} speakers]"
                  "[, top {limit}]",
                  "check what's trending on GitHub[ in {language}][ ({period})][, top {limit}]"])
    def get_github_trending_repositories(self, language: Language | None = None, period: Period = "daily",
                                         spoken_language: Literal["en", "zh", "ja", "es", "ko", "de"] | None = None,
                                         limit: Limit = 25) -> TrendingRepos:
        """Trending repositories, ranked by the stars gained in the period (today, this week or this month).

        Args:
            language: Only repositories in this programming language.
            period: daily, weekly or monthly.
            spoken_language: Only repositories whose README is in this spoken language (ISO 639-1 code).
            limit: How many repositories to return, 1-50.
        """
        gain = GAIN[period]
        rows = self.rows(f"SELECT full_name, description, language, stars, forks, {gain} AS stars_gained"
                         " FROM repos WHERE (?1 IS NULL OR language = ?1) AND (?2 IS NULL OR spoken_language"
                         f" = ?2) AND {gain} > 0 ORDER BY {gain} DESC, full_name LIMIT ?3",
                         language, spoken_language, limit)
        return {"period": period, "repositories": [{"rank": i + 1, **r, "built_by": self._built_by(r["full_name"])}
                                                   for i, r in enumerate(rows)]}

    @tool(phrase=["show me the[ {period}] trending[ {language}] developers[, top {limit}]",
                  "check who the trending[ {language}] developers on GitHub are[ ({period})][, top {limit}]"])
    def get_github_trending_developers(self, language: Language | None = None, period: Period = "daily",
                                       limit: Limit = 25) -> TrendingDevs:
        """Trending developers, ranked by the stars gained in the period by the repositories they built, each with
        their most popular repository.

        Args:
            language: Only developers who built repositories in this programming language.
            period: daily, weekly or monthly.
            limit: How many developers to return, 1-50.
        """
        gain = GAIN[period]
        rows = self.rows(
            f"SELECT d.username, d.name, SUM(r.{gain}) AS stars_gained FROM users d JOIN built_by b USING"
            " (username) JOIN repos r USING (full_name) WHERE ?1 IS NULL OR r.language = ?1"
            f" GROUP BY d.username HAVING stars_gained > 0 ORDER BY stars_gained DESC, d.username LIMIT ?2",
            language, limit)
        out = []
        for i, r in enumerate(rows):
            top = self.row("SELECT r.full_name, r.description FROM built_by b JOIN repos r USING (full_name)"
                           " WHERE b.username = ? ORDER BY r.stars DESC, r.full_name", r["username"])
            out.append({"rank": i + 1, "username": r["username"], "name": r["name"], "popular_repo": top["full_name"],
                        "popular_repo_description": top["description"], "stars_gained": r["stars_gained"]})
        return {"period": period, "developers": out}

    @tool(phrase=["look up the GitHub repository {full_name}", "check how {full_name} is doing on GitHub"])
    def get_repository(self, full_name: FullName) -> Repository:
        """A repository's details: language, stars, forks, stars gained per period, who built it, whether you
        starred it.

        Args:
            full_name: The repository as owner/name.
        """
        repo = self._repo(full_name)
        starred = self.value("SELECT 1 FROM starred WHERE full_name = ?", repo["full_name"]) is not None
        gains = {"stars_today": repo.pop("stars_today"), "stars_this_week": repo.pop("stars_week"),
                 "stars_this_month": repo.pop("stars_month")}
        return {**{k: v for k, v in repo.items() if k != "owner"}, **gains, "built_by": self._built_by(repo["full_name"]),
                "starred": starred}

    @tool(writes=True, phrase=["star the repository {full_name}", "give {full_name} a star on GitHub",
                               "add {full_name} to my GitHub stars"])
    def star_repository(self, full_name: FullName) -> StarResult:
        """Star a repository as the signed-in user (a repository can be starred once).

        Args:
            full_name: The repository as owner/name.
        """
        repo = self._repo(full_name)
        if self.value("SELECT 1 FROM starred WHERE full_name = ?", repo["full_name"]):
            raise ToolError(f"you have already starred {repo['full_name']}")
        self.execute("INSERT INTO starred VALUES (?, ?, ?)", self.new_id("starred", "star_"), repo["full_name"], self.now().strftime("%Y-%m-%d"))
        self.execute("UPDATE repos SET stars = stars + 1 WHERE full_name = ?", repo["full_name"])
        return {"full_name": repo["full_name"], "starred": True, "stargazers": repo["stars"] + 1}

    @tool(writes=True, phrase=["unstar {full_name}", "remove my star from {full_name}",
                               "take {full_name} off my starred repositories"])
    def unstar_repository(self, full_name: FullName) -> UnstarResult:
        """Remove the signed-in user's star from a repository.

        Args:
            full_name: The repository as owner/name.
        """
        repo = self._repo(full_name)
        star = self.require("SELECT * FROM starred WHERE full_name = ?", repo["full_name"], error=f"you have not"
                            f" starred {repo['full_name']}; list_starred_repositories shows your stars")
        self.execute("DELETE FROM starred WHERE star_id = ?", star["star_id"])
        self.execute("UPDATE repos SET stars = stars - 1 WHERE full_name = ?", repo["full_name"])
        return {"full_name": repo["full_name"], "starred": False, "stargazers": repo["stars"] - 1,
                "starred_at": star["starred_at"]}

    @tool(phrase=["show the repositories I have starred[ in {language}]", "list my GitHub stars[ in {language}]"])
    def list_starred_repositories(self, language: Language | None = None) -> StarredList:
        """The repositories the signed-in user has starred, most recently starred first.

        Args:
            language: Only starred repositories in this programming language.
        """
        rows = self.rows("SELECT s.full_name, r.language, r.stars, s.starred_at FROM starred s JOIN repos r"
                         " USING (full_name) WHERE ?1 IS NULL OR r.language = ?1"
                         " ORDER BY s.starred_at DESC, s.full_name", language)
        return {"count": len(rows), "repositories": rows}

    @tool(writes=True, phrase=["follow the GitHub developer {username}", "start following {username} on GitHub"])
    def follow_developer(self, username: Username) -> FollowResult:
        """Follow a developer as the signed-in user.

        Args:
            username: The developer's GitHub username.
        """
        dev = self._developer(username)
        if dev["username"] == VIEWER:
            raise ToolError("you cannot follow yourself")
        if self.value("SELECT 1 FROM following WHERE username = ?", dev["username"]):
            raise ToolError(f"you are already following {dev['username']}")
        self.execute("INSERT INTO following VALUES (?, ?, ?)", self.new_id("following", "fol_"), dev["username"], self.now().strftime("%Y-%m-%d"))
        self.execute("UPDATE users SET followers = followers + 1 WHERE username = ?", dev["username"])
        return {"username": dev["username"], "following": True, "follower_count": dev["followers"] + 1}

    @tool(writes=True, phrase=["unfollow {username} on GitHub", "stop following the developer {username}"])
    def unfollow_developer(self, username: Username) -> UnfollowResult:
        """Stop following a developer.

        Args:
            username: The developer's GitHub username.
        """
        dev = self._developer(username)
        follow = self.require("SELECT * FROM following WHERE username = ?", dev["username"], error=f"you are not"
                              f" following {dev['username']}; list_followed_developers shows who you follow")
        self.execute("DELETE FROM following WHERE follow_id = ?", follow["follow_id"])
        self.execute("UPDATE users SET followers = followers - 1 WHERE username = ?", dev["username"])
        return {"username": dev["username"], "following": False, "follower_count": dev["followers"] - 1,
                "since": follow["since"]}

    @tool(phrase=["show the developers I follow on GitHub", "check who I'm following on GitHub"])
    def list_followed_developers(self) -> DeveloperList:
        """The developers the signed-in user follows, most recent first."""
        rows = self.rows("SELECT d.username, d.name, d.location, d.followers, f.since AS following_since FROM"
                         " following f JOIN users d USING (username) ORDER BY f.since DESC, d.username")
        return {"count": len(rows), "developers": rows}
