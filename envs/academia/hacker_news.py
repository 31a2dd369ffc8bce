"""HackerNews: stories (top, new, best, Ask HN, Show HN, jobs), threaded comments and users with karma, plus what a
logged-in user does there: vote, favourite, comment and submit."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

VIEWER, DOWNVOTE_KARMA = "quietloop", 501
TIME = "%Y-%m-%d %H:%M"
TOPICS = ["SQLite", "Rust async", "WebAssembly", "Postgres", "RISC-V", "Kubernetes", "LLM inference", "Zig",
          "CRDTs", "eBPF", "home-lab servers", "static typing", "email deliverability", "Emacs", "GPU kernels"]
STORY = ["The case for {t}", "Why {t} is harder than it looks", "What I learned running {t} in production",
         "A deep dive into {t}", "{t} is quietly getting better", "How we cut our cloud bill with {t}",
         "Things nobody tells you about {t}", "{t} in 2026", "A gentle introduction to {t}", "Against {t}"]
ASK = ["Ask HN: How do you learn {t}?", "Ask HN: Is {t} worth it in 2026?", "Ask HN: Best resources on {t}?"]
SHOW = ["Show HN: I built a {t} playground", "Show HN: A tiny {t} debugger", "Show HN: Visualizing {t}"]
Kind = Literal["top", "new", "best", "ask", "show", "job"]
UserName = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z0-9_-]{2,15}$")]

Story = TypedDict("Story", {"id": int, "type": str, "title": str, "url": str, "author": str, "points": int,
                            "comments": int, "created_at": str})
Stories = TypedDict("Stories", {"story_type": str, "stories": list[Story]})
Hit = TypedDict("Hit", {"id": int, "type": str, "title": str, "thread_title": str, "user": str, "points": int,
                        "time": str, "story_id": int, "text": str})
Hits = TypedDict("Hits", {"nb_hits": int, "page": int, "hits": list[Hit]})
Comment = TypedDict("Comment", {"id": int, "parent": int, "depth": int, "user": str, "text": str, "time": str})
Thread = TypedDict("Thread", {"story_id": int, "title": str, "url": str, "text": str, "author": str, "points": int,
                              "created_at": str, "comments": list[Comment]})
User = TypedDict("User", {"user_id": str, "karma": int, "created": str, "about": str, "submitted": int})
Submissions = TypedDict("Submissions", {"user_id": str, "submissions": list[Hit]})
Vote = TypedDict("Vote", {"id": int, "vote": str, "points": int})
Favorites = TypedDict("Favorites", {"count": int, "favorites": list[Hit]})
Created = TypedDict("Created", {"id": int, "type": str, "story_id": int, "created_at": str})


class HackerNews(World):
    """Hacker News: stories, Ask HN and Show HN posts, job ads, threaded comments and users with karma. You are
    logged in as 'quietloop': you can upvote (once per item, never your own), downvote comments (needs more than
    500 karma, not replies to you), unvote, favourite, comment and submit stories."""

    domain = "Academia"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, created TEXT NOT NULL, karma INTEGER NOT NULL, about TEXT NOT NULL);
    CREATE TABLE items (id INTEGER PRIMARY KEY, type TEXT NOT NULL CHECK (type IN ('story', 'comment', 'job')),
                        by TEXT NOT NULL REFERENCES users, time TEXT NOT NULL, title TEXT, url TEXT, text TEXT,
                        score INTEGER NOT NULL, parent INTEGER REFERENCES items, story_id INTEGER REFERENCES items);
    CREATE INDEX items_by_story ON items (story_id, id);
    CREATE INDEX items_by_author ON items (by, time);
    CREATE INDEX items_by_url ON items (url);
    CREATE TABLE votes (item_id INTEGER PRIMARY KEY REFERENCES items, direction TEXT NOT NULL, at TEXT NOT NULL);
    CREATE TABLE favorites (item_id INTEGER PRIMARY KEY REFERENCES items, at TEXT NOT NULL);
    -- what the user typed into the search box lately (hn.algolia.com keeps it; read-only here)
    CREATE TABLE recent_searches (query TEXT PRIMARY KEY, searched_at TEXT NOT NULL);
    """
    volatile = {"items": ("time",), "votes": ("at",), "favorites": ("at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users = {VIEWER: {"user_id": VIEWER, "created": "2019-04-11", "karma": 642, "about": "Backend dev. Lisbon."}}
        while len(users) < 70:
            name = fake.user_name()[:15]
            users.setdefault(name, {"user_id": name, "created": str(cls.days_before_start(rng, 60, 5000)),
                                    "karma": int(rng.lognormvariate(6.5, 1.5)), "about": fake.sentence(nb_words=8)})
        people, items, at, titles = sorted(users), [], cls.start_time - dt.timedelta(days=6), set()
        next_id = 43_210_000
        for n in range(80):
            at += dt.timedelta(minutes=rng.randrange(20, 90))
            next_id += rng.randrange(40, 400)
            topic, form = rng.choice(TOPICS), rng.choices(["story", "ask", "show", "job"], [12, 3, 3, 1])[0]
            author = VIEWER if n % 23 == 7 else rng.choice(people)
            title = rng.choice({"story": STORY, "ask": ASK, "show": SHOW}.get(form, STORY)).format(t=topic)
            if form == "job":
                title = f"{fake.company()} (YC {rng.choice('SW')}{rng.randrange(18, 26)}) is hiring {topic} engineers"
            if title in titles:
                continue
            titles.add(title)
            url = "" if form == "ask" else f"https://{fake.domain_name()}/{'-'.join(re.findall(r'[a-z0-9]+', title.lower())[-3:])}"
            story = {"id": next_id, "type": "job" if form == "job" else "story", "by": author, "title": title,
                     "url": url, "text": fake.paragraph(3) if form == "ask" else "", "time": at.strftime(TIME),
                     "score": int(rng.lognormvariate(3.5, 1.3)) + 1, "parent": None, "story_id": next_id}
            items.append(story)
            thread = [story]
            for _ in range(0 if form == "job" else rng.randrange(1, 5)):
                next_id += rng.randrange(1, 30)
                parent = rng.choice(thread)
                thread.append({"id": next_id, "type": "comment", "by": rng.choice(people), "title": None, "url": None,
                               "text": fake.sentence(rng.randrange(3, 6)).rstrip(".")[:40], "score": rng.randrange(1, 40),
                               "time": (at + dt.timedelta(minutes=5 * len(thread))).strftime(TIME),
                               "parent": parent["id"], "story_id": story["id"]})
            items += thread[1:]
        db["users"].insert_all(users.values())
        db["items"].insert_all(items)
        votable = [i["id"] for i in items if i["by"] != VIEWER and i["type"] != "job"]
        db["votes"].insert_all({"item_id": i, "direction": "up", "at": "2026-03-01 08:00"}
                               for i in rng.sample(votable, 25))
        db["recent_searches"].insert_all({"query": t.split()[0], "searched_at": f"2026-03-0{1 + i % 2} 0{i}:15"}
                                         for i, t in enumerate(rng.sample(TOPICS, 8)))
        db["favorites"].insert_all({"item_id": i, "at": "2026-03-01 08:00"}
                                   for i in rng.sample([i["id"] for i in items if i["type"] != "comment"], 6))

    def _item(self, item_id: int) -> dict[str, Any]:
        return self.require("SELECT * FROM items WHERE id = ?", item_id,
                            error=f"no item {item_id} on Hacker News; find it with search or getStories")

    def _hit(self, row: dict[str, Any]) -> Hit:
        story = row["title"] or self.value("SELECT title FROM items WHERE id = ?", row["story_id"])
        return {"id": row["id"], "type": row["type"], "title": row["title"] or "", "thread_title": story,
                "user": row["by"], "points": row["score"], "time": row["time"], "story_id": row["story_id"],
                "text": row["text"] or ""}

    @tool(phrase=["search Hacker News for {query}[ ({content_type})]", "find HN posts about {query}"])
    def search(self, query: NonEmptyStr, content_type: Literal["story", "comment", "all"] = "all",
               page: Annotated[int, Field(ge=0, le=20)] = 0,
               hits_per_page: Annotated[int, Field(ge=1, le=50)] = 20) -> Hits:
        """Full-text search of story titles and comment texts, most points first.

        Args:
            query: Words to look for.
            content_type: story (stories and jobs), comment, or all.
            page: Page of results, from 0.
            hits_per_page: Results per page, 1-50.
        """
        rows = self.rows("SELECT * FROM items WHERE instr(lower(coalesce(title, '') || ' ' || coalesce(text, '')),"
                         " lower(?1)) AND (?2 = 'all' OR (?2 = 'comment') = (type = 'comment'))"
                         " ORDER BY score DESC, id DESC", query.strip(), content_type)
        start = page * hits_per_page
        return {"nb_hits": len(rows), "page": page, "hits": [self._hit(r) for r in rows[start:start + hits_per_page]]}

    @tool(phrase=["show me the {story_type} stories on Hacker News[, top {limit}]",
                  "show me what's on the HN {story_type} page[ (first {limit})]"])
    def getStories(self, story_type: Kind, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> Stories:
        """Stories of a Hacker News list: top (points decayed by age), new, best (most points), ask, show or job.

        Args:
            story_type: top, new, best, ask, show or job.
            limit: How many stories, 1-50.
        """
        where = {"ask": "type = 'story' AND title LIKE 'Ask HN:%'", "show": "type = 'story' AND title LIKE 'Show HN:%'",
                 "job": "type = 'job'"}.get(story_type, "type = 'story'")
        rows = self.rows(f"SELECT id, type, title, url, by, score, time FROM items WHERE {where}")
        now = self.now()
        age = lambda r: (now - strptime(r["time"], TIME)).total_seconds() / 3600  # noqa: E731
        order = {"new": lambda r: (r["time"], r["id"]), "best": lambda r: (r["score"], r["id"])}.get(
            story_type, lambda r: ((r["score"] - 1) / (age(r) + 2) ** 1.8, r["id"]))
        rows.sort(key=order, reverse=True)
        return {"story_type": story_type, "stories": [
            {"id": r["id"], "type": r["type"], "title": r["title"], "url": r["url"], "author": r["by"],
             "points": r["score"], "comments": self.value(
                 "SELECT COUNT(*) FROM items WHERE story_id = ? AND type = 'comment'", r["id"]),
             "created_at": r["time"]} for r in rows[:limit]]}

    @tool(phrase=["open {story_id} with its comments", "show me the discussion on {story_id}"])
    def getStoryWithComments(self, story_id: int, max_depth: Annotated[int, Field(ge=1, le=10)] = 3,
                             max_comments: Annotated[int, Field(ge=1, le=200)] = 50) -> Thread:
        """A story and its comment thread in reading order (each comment with its parent and depth).

        Args:
            story_id: The story's item id.
            max_depth: Deepest reply level to include (1 = top-level comments only).
            max_comments: Most comments to include.
        """
        story = self._item(story_id)
        if story["type"] == "comment":
            raise ToolError(f"item {story_id} is a comment; its story is item {story['story_id']}")
        children: dict[int, list[dict[str, Any]]] = {}
        for c in self.rows("SELECT * FROM items WHERE story_id = ? AND type = 'comment' ORDER BY id", story_id):
            children.setdefault(c["parent"], []).append(c)
        out: list[Comment] = []

        def walk(parent: int, depth: int) -> None:
            for c in children.get(parent, []):
                if len(out) < max_comments and depth <= max_depth:
                    out.append({"id": c["id"], "parent": parent, "depth": depth, "user": c["by"], "text": c["text"],
                                "time": c["time"]})
                    walk(c["id"], depth + 1)

        walk(story_id, 1)
        return {"story_id": story_id, "title": story["title"], "url": story["url"], "text": story["text"] or "",
                "author": story["by"], "points": story["score"], "created_at": story["time"], "comments": out}

    @tool(phrase=["look up the Hacker News user {user_id}", "check how much karma {user_id} has on HN"])
    def getUser(self, user_id: UserName) -> User:
        """A user's profile: karma, when the account was created, about text and number of submissions.

        Args:
            user_id: The username.
        """
        user = self.require("SELECT * FROM users WHERE user_id = ?", user_id,
                            error=f"no Hacker News user '{user_id}' (usernames are case-sensitive)")
        return {"user_id": user_id, "karma": user["karma"], "created": user["created"], "about": user["about"],
                "submitted": self.value("SELECT COUNT(*) FROM items WHERE by = ?", user_id)}

    @tool(phrase=["show what {user_id} has posted on Hacker News", "list the submissions of HN user {user_id}"])
    def getUserSubmissions(self, user_id: UserName) -> Submissions:
        """A user's stories and comments, newest first.

        Args:
            user_id: The username.
        """
        self.getUser(user_id)
        rows = self.rows("SELECT * FROM items WHERE by = ? ORDER BY time DESC, id DESC", user_id)
        return {"user_id": user_id, "submissions": [self._hit(r) for r in rows]}

    def _vote(self, item_id: int, direction: str) -> Vote:
        item = self._item(item_id)
        if item["by"] == VIEWER:
            raise ToolError(f"item {item_id} is your own; you cannot vote on your own submissions")
        if item["type"] == "job":
            raise ToolError(f"item {item_id} is a job ad; job ads cannot be voted on")
        if self.value("SELECT direction FROM votes WHERE item_id = ?", item_id):
            raise ToolError(f"you have already voted on item {item_id}; unvote it first to change your vote")
        step = 1 if direction == "up" else -1
        self.execute("INSERT INTO votes VALUES (?, ?, ?)", item_id, direction, self.now().strftime(TIME))
        self.execute("UPDATE items SET score = score + ? WHERE id = ?", step, item_id)
        self.execute("UPDATE users SET karma = karma + ? WHERE user_id = ?", step, item["by"])
        return {"id": item_id, "vote": direction, "points": item["score"] + step}

    @tool(writes=True, phrase=["upvote {item_id}", "give {item_id} an upvote on Hacker News"])
    def upvote(self, item_id: int) -> Vote:
        """Upvote a story or comment (one vote per item; not your own items, not job ads).

        Args:
            item_id: The story's or comment's item id.
        """
        return self._vote(item_id, "up")

    @tool(writes=True, phrase=["downvote {item_id}", "vote down {item_id} on Hacker News"])
    def downvote(self, item_id: int) -> Vote:
        """Downvote a comment; needs more than 500 karma, and stories and direct replies to you cannot be downvoted.

        Args:
            item_id: The comment's item id.
        """
        item = self._item(item_id)
        if item["type"] != "comment":
            raise ToolError(f"item {item_id} is a {item['type']}; only comments can be downvoted (flag stories instead)")
        karma = self.value("SELECT karma FROM users WHERE user_id = ?", VIEWER)
        if karma < DOWNVOTE_KARMA:
            raise ToolError(f"downvoting needs at least {DOWNVOTE_KARMA} karma; you have {karma}")
        if self.value("SELECT by FROM items WHERE id = ?", item["parent"]) == VIEWER:
            raise ToolError(f"comment {item_id} is a direct reply to you; you cannot downvote replies to your own items")
        return self._vote(item_id, "down")

    @tool(writes=True, phrase=["take back my vote on {item_id}", "unvote {item_id}"])
    def unvote(self, item_id: int) -> Vote:
        """Withdraw your upvote or downvote on an item.

        Args:
            item_id: The item id.
        """
        item = self._item(item_id)
        direction = self.value("SELECT direction FROM votes WHERE item_id = ?", item_id)
        if direction is None:
            raise ToolError(f"you have not voted on item {item_id}")
        step = -1 if direction == "up" else 1
        self.execute("DELETE FROM votes WHERE item_id = ?", item_id)
        self.execute("UPDATE items SET score = score + ? WHERE id = ?", step, item_id)
        self.execute("UPDATE users SET karma = karma + ? WHERE user_id = ?", step, item["by"])
        return {"id": item_id, "vote": "none", "points": item["score"] + step}

    @tool(writes=True, phrase=["favorite {item_id}", "save {item_id} to my HN favorites"])
    def favorite(self, item_id: int) -> Vote:
        """Add a story or comment to your favourites.

        Args:
            item_id: The item id.
        """
        item = self._item(item_id)
        if self.value("SELECT 1 FROM favorites WHERE item_id = ?", item_id):
            raise ToolError(f"item {item_id} is already in your favorites")
        self.execute("INSERT INTO favorites VALUES (?, ?)", item_id, self.now().strftime(TIME))
        vote = self.value("SELECT direction FROM votes WHERE item_id = ?", item_id) or "none"
        return {"id": item_id, "vote": vote, "points": item["score"]}

    @tool(phrase=["show what I've upvoted on Hacker News", "list the items I voted up on HN"])
    def list_upvoted(self) -> Favorites:
        """The stories and comments you have upvoted, most recent vote first."""
        rows = self.rows("SELECT i.* FROM votes v JOIN items i ON i.id = v.item_id WHERE v.direction = 'up'"
                         " ORDER BY v.at DESC, i.id DESC")
        return {"count": len(rows), "favorites": [self._hit(r) for r in rows]}

    @tool(phrase=["show my Hacker News favorites", "show what I've saved as favorites on HN"])
    def list_favorites(self) -> Favorites:
        """Your favourite stories and comments, most recently saved first."""
        rows = self.rows("SELECT i.* FROM favorites f CROSS JOIN items i ON i.id = f.item_id"  # favorites first
                         " ORDER BY f.at DESC, i.id DESC")
        return {"count": len(rows), "favorites": [self._hit(r) for r in rows]}

    @tool(writes=True, phrase=["reply to {item_id} with {text}", "comment {text} on {item_id}"])
    def post_comment(self, item_id: int, text: Annotated[str, Field(min_length=2, max_length=4000, pattern=r"\S")]
                     ) -> Created:
        """Post a comment on a story or a reply to a comment (not on job ads).

        Args:
            item_id: The story or comment replied to.
            text: The comment.
        """
        parent = self._item(item_id)
        if parent["type"] == "job":
            raise ToolError(f"item {item_id} is a job ad; job ads do not take comments")
        return self._create("comment", None, None, text.strip(), item_id, parent["story_id"])

    @tool(writes=True, phrase=["submit a story titled {title}[ linking to {url}][ with the text {text}]",
                               "post {title} to Hacker News[ ({url})]"])
    def submit_story(self, title: Annotated[str, Field(min_length=3, max_length=80, pattern=r"\S")],
                     url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None,
                     text: Annotated[str, Field(max_length=4000)] | None = None) -> Created:
        """Submit a story: a link, or a text post (Ask HN); titles are at most 80 characters.

        Args:
            title: The title.
            url: The link, for a link post.
            text: The text, for a text post.
        """
        if not url and not (text or "").strip():
            raise ToolError("a submission needs a url or a text")
        if url and (dup := self.row("SELECT id, title FROM items WHERE url = ?", url)):
            raise ToolError(f"that URL was already submitted as item {dup['id']} ('{dup['title']}'); upvote it instead")
        return self._create("story", title.strip(), url or "", (text or "").strip(), None, None)

    def _create(self, kind: str, title: str | None, url: str | None, text: str, parent: int | None,
                story: int | None) -> Created:
        new = self.value("SELECT MAX(id) FROM items") + 1
        self.mark_generated("items", new)
        at = self.now().strftime(TIME)
        self.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)", new, kind, VIEWER, at, title, url,
                     text, parent, story or new)
        return {"id": new, "type": kind, "story_id": story or new, "created_at": at}
