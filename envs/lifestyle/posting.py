"""Posting: a microblog in the style of X/Twitter: accounts with handles, tweets, replies, retweets and follows."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%d %H:%M"
MAX_CHARS = 280
EDIT_WINDOW = dt.timedelta(minutes=60)
MAX_EDITS = 5
PASSWORD_WORDS = ["tangerine", "juniper", "cobalt", "saffron", "marigold", "quartz", "pebble", "harbor", "willow",
                  "nutmeg", "falcon", "lantern", "clover", "mosaic", "thistle", "walnut"]
BIOS = ["Coffee first, opinions later.", "Runner, reader, reluctant gardener.", "Plant parent of {n}.",
        "Weekend baker and weekday coder.", "Chasing sunsets and good bread.", "Trail miles and dog photos.",
        "Learning to cook one disaster at a time.", "Tea snob. Bike commuter.", "Thrift finds and film photos."]
POSTS = [  # (text, hashtags)
    ("Just finished a {n}k run along the river. Legs are jelly but the view was worth it.", ["running"]),
    ("Sourdough attempt number {n}: finally got an open crumb!", ["sourdough", "baking"]),
    ("Repotted the monstera today. It has {n} new leaves since spring.", ["plants"]),
    ("Farmers market haul: {fruit}, leeks and a ridiculous amount of basil.", ["farmersmarket"]),
    ("Tried the {n}-minute morning stretch routine for a week. My back says thanks.", ["wellness"]),
    ("Meal prep Sunday: {n} lunches of {dish} ready to go.", ["mealprep"]),
    ("Anyone have tips for keeping {fruit} fresh longer? Asking for a friend (me).", ["kitchenhacks"]),
    ("Day {n} of no phone before breakfast. Surprisingly calm mornings.", ["digitaldetox", "habits"]),
    ("Found a {adj} little bookshop downtown and left with {n} paperbacks.", ["books"]),
    ("Hiked {n} miles today and only got lost once. Progress.", ["hiking", "outdoors"]),
    ("Made {dish} from my grandmother's recipe card. Tastes like childhood.", ["homecooking"]),
    ("New record: {n} days in a row of journaling before bed.", ["journaling", "habits"]),
    ("The {adj} weather finally broke, so naturally I cleaned every window.", ["springcleaning"]),
    ("Thrifted a {adj} denim jacket for {n} dollars. Best find of the year.", ["thrifting"]),
    ("Hot take: {dish} is better the next day.", ["foodie"]),
    ("Bike commute clocked at {n} minutes today, beating the bus again.", ["bikecommute"]),
]
FRUITS = ["peaches", "blueberries", "figs", "plums", "avocados", "strawberries", "pears", "cherries"]
DISHES = ["lentil soup", "chicken curry", "shakshuka", "mushroom risotto", "veggie chili", "pad thai", "ramen"]
ADJECTIVES = ["tiny", "cozy", "gloomy", "sunny", "cluttered", "quiet", "charming", "windy"]
REPLIES = ["This is great!", "Saving this for later.", "How long did that take you?", "Goals right here.",
           "Same thing happened to me last week.", "Need the recipe please!", "Love this energy.",
           "Where is this?", "Congrats, well earned!", "Okay now I'm hungry."]

Handle = Annotated[str, UserKnown, Field(min_length=1, max_length=30)]
TweetText = Annotated[NonEmptyStr, Field(max_length=MAX_CHARS)]
Tags = Annotated[list[Annotated[str, Field(pattern=r"^#?\w{1,50}$")]], Field(max_length=10)]
Limit = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=0)]

Session = TypedDict("Session", {"success": bool, "session_token": str, "username": str})
Done = TypedDict("Done", {"success": bool, "message": str})
LoginStatus = TypedDict("LoginStatus", {"is_authenticated": bool, "username": str | None})
Created = TypedDict("Created", {"tweet_id": int, "username": str, "content": str, "hashtags": list[str],
                                "mentions": list[str], "created_at": str})
Tweet = TypedDict("Tweet", {"tweet_id": int, "username": str, "content": str, "hashtags": list[str],
                            "mentions": list[str], "created_at": str, "retweet_count": int, "comment_count": int})
Tweets = TypedDict("Tweets", {"tweets": list[Tweet]})
Updated = TypedDict("Updated", {"tweet_id": int, "success": bool, "updated_at": str, "updated_fields": list[str]})
Deleted = TypedDict("Deleted", {"tweet_id": int, "success": bool, "message": str})
Retweeted = TypedDict("Retweeted", {"success": bool, "message": str, "retweeted_at": str})
Comment = TypedDict("Comment", {"comment_id": int, "tweet_id": int, "username": str, "comment_content": str,
                                "created_at": str})
Comments = TypedDict("Comments", {"comments": list[Comment]})
Followed = TypedDict("Followed", {"success": bool, "message": str, "followed_at": str})
Account = TypedDict("Account", {"username": str, "display_name": str, "bio": str, "since": str})
Following = TypedDict("Following", {"following": list[Account]})
Followers = TypedDict("Followers", {"followers": list[Account]})
Stats = TypedDict("Stats", {"username": str, "tweet_count": int, "following_count": int, "followers_count": int,
                            "retweet_count": int})

TWEET_COLUMNS = ("SELECT tweets.tweet_id, tweets.username, content, hashtags, mentions, created_at,"
                 " (SELECT COUNT(*) FROM retweets r WHERE r.tweet_id = tweets.tweet_id) AS retweet_count,"
                 " (SELECT COUNT(*) FROM comments c WHERE c.tweet_id = tweets.tweet_id) AS comment_count FROM tweets")


def tweet_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "hashtags": json.loads(row["hashtags"]), "mentions": json.loads(row["mentions"])}


class Posting(World):
    """A microblogging service: log in with your handle and password to post tweets (at most 280 characters),
    reply, retweet and follow people; anyone can read public tweets, replies and follower lists. Your own tweets
    can be edited within 60 minutes of posting (at most 5 edits); deleted tweets are gone for good."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE users (username TEXT PRIMARY KEY, password TEXT NOT NULL, display_name TEXT NOT NULL,
                        bio TEXT NOT NULL, joined_at TEXT NOT NULL);
    CREATE TABLE session (slot INTEGER PRIMARY KEY CHECK (slot = 1), username TEXT REFERENCES users,
                          token TEXT);
    CREATE TABLE tweets (tweet_id INTEGER PRIMARY KEY, username TEXT NOT NULL REFERENCES users,
                         content TEXT NOT NULL, hashtags TEXT NOT NULL, mentions TEXT NOT NULL,
                         created_at TEXT NOT NULL, updated_at TEXT, edit_count INTEGER NOT NULL DEFAULT 0,
                         deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX tweets_by_user ON tweets (username, created_at);
    CREATE INDEX tweets_by_time ON tweets (created_at);
    CREATE TABLE comments (comment_id INTEGER PRIMARY KEY, tweet_id INTEGER NOT NULL REFERENCES tweets,
                           username TEXT NOT NULL REFERENCES users, content TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX comments_by_tweet ON comments (tweet_id, created_at);
    CREATE TABLE retweets (username TEXT NOT NULL REFERENCES users, tweet_id INTEGER NOT NULL REFERENCES tweets,
                           retweeted_at TEXT NOT NULL, PRIMARY KEY (username, tweet_id));
    CREATE INDEX retweets_by_tweet ON retweets (tweet_id);
    CREATE TABLE follows (follower TEXT NOT NULL REFERENCES users, followee TEXT NOT NULL REFERENCES users,
                          followed_at TEXT NOT NULL, PRIMARY KEY (follower, followee), CHECK (follower != followee));
    CREATE INDEX follows_by_followee ON follows (followee, followed_at);
    """
    volatile = {"tweets": ("created_at", "updated_at"), "comments": ("created_at",),
                "retweets": ("retweeted_at",), "follows": ("followed_at",)}
    ungraded = ("session",)
    text_search = {"tweets": ("content",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users: dict[str, dict[str, Any]] = {}
        while len(users) < 32:
            first, last = fake.first_name(), fake.last_name()
            handle = rng.choice([f"{first}{last}", f"{first}_{last[0]}", f"{first[0]}{last}{rng.randrange(10, 99)}",
                                 f"{last}{rng.choice(['_eats', '_runs', 'reads', '_outdoors', 'bakes'])}"]).lower()
            if handle in users or not handle.replace("_", "").isalnum():
                continue
            users[handle] = {"username": handle, "display_name": f"{first} {last}",
                             "password": f"{rng.choice(PASSWORD_WORDS)}{rng.randrange(1000, 9999)}",
                             "bio": rng.choice(BIOS).format(n=rng.randrange(3, 40)),
                             "joined_at": str(cls.days_before_start(rng, 200, 2400))}
        handles = sorted(users)
        tweets, comments, retweets, follows = [], [], [], []
        for handle in handles:
            for other in rng.sample([h for h in handles if h != handle], rng.randrange(2, 12)):
                follows.append({"follower": handle, "followee": other, "followed_at": stamp(cls, rng, 30, 400)})
        for handle in handles:
            count = rng.randrange(3, 10)
            for index in range(count):
                text, tags = rng.choice(POSTS)
                content = text.format(n=rng.randrange(2, 30), fruit=rng.choice(FRUITS), dish=rng.choice(DISHES),
                                      adj=rng.choice(ADJECTIVES))
                mentions = [rng.choice(handles)] if rng.random() < 0.2 else []
                mentions = [m for m in mentions if m != handle]
                if mentions:
                    content = f"{content} cc @{mentions[0]}"
                # the newest tweet of some accounts is under an hour old, so it can still be edited
                created = (cls.start_time - dt.timedelta(minutes=rng.randrange(5, 50))
                           if index == count - 1 and rng.random() < 0.4 else
                           dt.datetime.combine(cls.days_before_start(rng, 1, 90), dt.time(rng.randrange(7, 23),
                                                                                          rng.randrange(60))))
                tweets.append({"tweet_id": 1000 + len(tweets) * 7 + rng.randrange(7), "username": handle,
                               "content": content, "hashtags": json.dumps(tags), "mentions": json.dumps(mentions),
                               "created_at": created.strftime(TIME_FORMAT), "updated_at": None, "edit_count": 0,
                               "deleted": int(rng.random() < 0.05)})
        live = [t for t in tweets if not t["deleted"]]
        for tweet in live:
            posted = strptime(tweet["created_at"], TIME_FORMAT)
            later = lambda: min(posted + dt.timedelta(minutes=rng.randrange(3, 600)), cls.start_time).strftime(
                TIME_FORMAT)  # noqa: E731
            fans = rng.sample([h for h in handles if h != tweet["username"]], rng.randrange(0, 5))
            for fan in fans:
                retweets.append({"username": fan, "tweet_id": tweet["tweet_id"], "retweeted_at": later()})
            for _ in range(rng.randrange(0, 4)):
                comments.append({"comment_id": 5000 + len(comments), "tweet_id": tweet["tweet_id"],
                                 "username": rng.choice(handles), "content": rng.choice(REPLIES),
                                 "created_at": later()})
        db["users"].insert_all(users.values())
        db["session"].insert({"slot": 1, "username": None, "token": None})
        db["tweets"].insert_all(tweets)
        db["comments"].insert_all(comments)
        db["retweets"].insert_all(retweets)
        db["follows"].insert_all(follows)

    # ------------------------------------------------------------------ helpers
    def _me(self) -> str:
        username = self.value("SELECT username FROM session WHERE slot = 1")
        if username is None:
            raise ToolError("you are not logged in; call login with your username and password first")
        return username

    def _user(self, username: str) -> dict[str, Any]:
        handle = username.strip().lstrip("@").lower()
        return self.require("SELECT * FROM users WHERE username = ?", handle,
                            error=f"no account with the handle @{handle}; check the spelling of the username")

    def _tweet(self, tweet_id: int) -> dict[str, Any]:
        found = self.require("SELECT * FROM tweets WHERE tweet_id = ?", tweet_id,
                             error=f"no tweet with id {tweet_id}; list_tweets or search_tweets finds tweet ids")
        if found["deleted"]:
            raise ToolError(f"tweet {tweet_id} was deleted by its author and can no longer be viewed or used")
        return found

    def _handles(self, names: list[str] | None, what: str) -> list[str]:
        cleaned = [n.lstrip("#@") for n in (names or [])]
        if what == "mentions":
            cleaned = [self._user(n)["username"] for n in cleaned]
        return list(dict.fromkeys(cleaned))

    def _stamp(self) -> str:
        return self.now().strftime(TIME_FORMAT)

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["log in as @{username} with password {password}",
                               "sign in to my account {username} (password {password})"])
    def login(self, username: Handle, password: Annotated[NonEmptyStr, UserKnown]) -> Session:
        """Log in with your handle and password; posting, replying, retweeting and following need a login.

        Args:
            username: Your handle, with or without the leading @.
            password: Your account password.
        """
        user = self._user(username)
        if user["password"] != password:
            raise ToolError(f"wrong password for @{user['username']}")
        current = self.value("SELECT username FROM session WHERE slot = 1")
        if current is not None and current != user["username"]:
            raise ToolError(f"already logged in as @{current}; call logout first to switch accounts")
        token = self.new_id("session", "st_")
        self.execute("UPDATE session SET username = ?, token = ? WHERE slot = 1", user["username"], token)
        return {"success": True, "session_token": token, "username": user["username"]}

    @tool(writes=True, phrase=["log me out", "sign out of my account"])
    def logout(self) -> Done:
        """End the current login session."""
        me = self._me()
        self.execute("UPDATE session SET username = NULL, token = NULL WHERE slot = 1")
        return {"success": True, "message": f"@{me} logged out"}

    @tool(phrase=["check whether I am logged in", "check which account is signed in"])
    def check_login_status(self) -> LoginStatus:
        """Tell whether someone is logged in, and as which handle."""
        username = self.value("SELECT username FROM session WHERE slot = 1")
        return {"is_authenticated": username is not None, "username": username}

    @tool(writes=True, phrase=["tweet {content}", "post a tweet saying {content}[ with hashtags {hashtags}]",
                               "post {content}[ tagging {mentions}]"])
    def create_tweet(self, content: TweetText, hashtags: Tags | None = None,
                     mentions: Tags | None = None) -> Created:
        """Post a tweet as the logged-in user (at most 280 characters).

        Args:
            content: The tweet's text, 1-280 characters.
            hashtags: Hashtags to attach, with or without '#'.
            mentions: Handles of existing accounts to mention, with or without '@'.
        """
        me = self._me()
        tags, people = self._handles(hashtags, "hashtags"), self._handles(mentions, "mentions")
        created = self._stamp()
        tweet_id = self.value("INSERT INTO tweets (username, content, hashtags, mentions, created_at)"
                              " VALUES (?, ?, ?, ?, ?) RETURNING tweet_id", me, content.strip(), json.dumps(tags),
                              json.dumps(people), created)
        self.mark_generated("tweets", tweet_id)
        return {"tweet_id": tweet_id, "username": me, "content": content.strip(), "hashtags": tags,
                "mentions": people, "created_at": created}

    @tool(phrase=["show me {tweet_id}", "look up {tweet_id}"])
    def get_tweet(self, tweet_id: int) -> Tweet:
        """Get one tweet with its retweet and reply counts.

        Args:
            tweet_id: The tweet's id.
        """
        self._tweet(tweet_id)
        return tweet_out(self.row(f"{TWEET_COLUMNS} WHERE tweets.tweet_id = ?", tweet_id))

    @tool(phrase=["show the latest tweets of @{username}", "list what @{username} has posted",
                  "show my home timeline"])
    def list_tweets(self, username: Annotated[str, UserKnown] | None = None, limit: Limit = 20,
                    offset: Offset = 0) -> Tweets:
        """List a user's tweets newest first; without a username, the logged-in user's home timeline (tweets of
        the accounts they follow).

        Args:
            username: Whose tweets, with or without '@'; omit for your home timeline.
            limit: At most this many tweets (1-100).
            offset: Skip this many of the newest tweets first.
        """
        if username is not None:
            where, params = "tweets.username = ?", (self._user(username)["username"],)
        else:
            where, params = "tweets.username IN (SELECT followee FROM follows WHERE follower = ?)", (self._me(),)
        rows = self.rows(f"{TWEET_COLUMNS} WHERE {where} AND deleted = 0"
                         " ORDER BY created_at DESC, tweets.tweet_id DESC LIMIT ? OFFSET ?", *params, limit, offset)
        return {"tweets": [tweet_out(r) for r in rows]}

    @tool(phrase=["find tweets about {query}", "search tweets mentioning {query}"])
    def search_tweets(self, query: NonEmptyStr, limit: Limit = 20) -> Tweets:
        """Search the text of all live tweets (case-insensitive), newest first.

        Args:
            query: Text the tweet must contain.
            limit: At most this many tweets (1-100).
        """
        matches, params = self.text_filter("tweets", query)
        rows = self.rows(f"{TWEET_COLUMNS} WHERE {matches} AND deleted = 0"
                         " ORDER BY created_at DESC, tweets.tweet_id DESC LIMIT ?", *params, limit)
        return {"tweets": [tweet_out(r) for r in rows]}

    @tool(writes=True, phrase=["change the text of {tweet_id} to {content}", "edit {tweet_id} to say {content}",
                               "fix {tweet_id}[: make it say {content}][, hashtags {hashtags}]"])
    def update_tweet(self, tweet_id: int, content: TweetText | None = None, hashtags: Tags | None = None,
                     mentions: Tags | None = None) -> Updated:
        """Edit one of your own tweets; only within 60 minutes of posting and at most 5 times.

        Args:
            tweet_id: The tweet's id.
            content: New text, 1-280 characters.
            hashtags: New hashtags (replace the old ones).
            mentions: New mentioned handles (replace the old ones).
        """
        me, tweet = self._me(), self._tweet(tweet_id)
        if tweet["username"] != me:
            raise ToolError(f"tweet {tweet_id} belongs to @{tweet['username']}; you can only edit your own tweets")
        tags = None if hashtags is None else json.dumps(self._handles(hashtags, "hashtags"))
        people = None if mentions is None else json.dumps(self._handles(mentions, "mentions"))
        changes = {k: v for k, v in (("content", content.strip() if content else None), ("hashtags", tags),
                                     ("mentions", people)) if v is not None}
        if not changes:
            raise ToolError("give at least one of content, hashtags or mentions to change")
        if self.now() - strptime(tweet["created_at"], TIME_FORMAT) > EDIT_WINDOW:
            raise ToolError(f"tweet {tweet_id} was posted at {tweet['created_at']}, more than 60 minutes ago, and"
                            " can no longer be edited; delete it and post a new one instead")
        if tweet["edit_count"] >= MAX_EDITS:
            raise ToolError(f"tweet {tweet_id} has already been edited {MAX_EDITS} times, the limit")
        updated = self._stamp()
        for column, value in changes.items():
            self.execute(f"UPDATE tweets SET {column} = ? WHERE tweet_id = ?", value, tweet_id)
        self.execute("UPDATE tweets SET updated_at = ?, edit_count = edit_count + 1 WHERE tweet_id = ?",
                     updated, tweet_id)
        return {"tweet_id": tweet_id, "success": True, "updated_at": updated, "updated_fields": list(changes)}

    @tool(writes=True, phrase=["delete {tweet_id}", "take down {tweet_id}"])
    def delete_tweet(self, tweet_id: int) -> Deleted:
        """Delete one of your own tweets for good (its replies and retweets are hidden with it).

        Args:
            tweet_id: The tweet's id.
        """
        me, tweet = self._me(), self._tweet(tweet_id)
        if tweet["username"] != me:
            raise ToolError(f"tweet {tweet_id} belongs to @{tweet['username']}; you can only delete your own tweets")
        self.execute("UPDATE tweets SET deleted = 1 WHERE tweet_id = ?", tweet_id)
        return {"tweet_id": tweet_id, "success": True, "message": "tweet deleted"}

    @tool(writes=True, phrase=["retweet {tweet_id}", "share {tweet_id} with my followers"])
    def retweet(self, tweet_id: int) -> Retweeted:
        """Retweet a tweet to your followers (once per tweet).

        Args:
            tweet_id: The tweet's id.
        """
        me, tweet = self._me(), self._tweet(tweet_id)
        if self.value("SELECT 1 FROM retweets WHERE username = ? AND tweet_id = ?", me, tweet_id):
            raise ToolError(f"you have already retweeted tweet {tweet_id}")
        at = self._stamp()
        self.execute("INSERT INTO retweets VALUES (?, ?, ?)", me, tweet_id, at)
        return {"success": True, "message": f"retweeted @{tweet['username']}'s tweet {tweet_id}", "retweeted_at": at}

    @tool(writes=True, phrase=["reply {comment_content} to {tweet_id}", "comment {comment_content} on {tweet_id}"])
    def add_comment(self, tweet_id: int, comment_content: TweetText) -> Comment:
        """Reply to a tweet as the logged-in user (at most 280 characters).

        Args:
            tweet_id: The tweet's id.
            comment_content: The reply's text, 1-280 characters.
        """
        me = self._me()
        self._tweet(tweet_id)
        at, text = self._stamp(), comment_content.strip()
        comment_id = self.value("INSERT INTO comments (tweet_id, username, content, created_at) VALUES (?, ?, ?, ?)"
                                " RETURNING comment_id", tweet_id, me, text, at)
        self.mark_generated("comments", comment_id)
        return {"comment_id": comment_id, "tweet_id": tweet_id, "username": me, "comment_content": text,
                "created_at": at}

    @tool(phrase=["show the replies to {tweet_id}", "read what people replied to {tweet_id}"])
    def get_tweet_comments(self, tweet_id: int, limit: Limit = 20, offset: Offset = 0) -> Comments:
        """List the replies to a tweet, oldest first.

        Args:
            tweet_id: The tweet's id.
            limit: At most this many replies (1-100).
            offset: Skip this many replies first.
        """
        self._tweet(tweet_id)
        return {"comments": self.rows(
            "SELECT comment_id, tweet_id, username, content AS comment_content, created_at FROM comments"
            " WHERE tweet_id = ? ORDER BY created_at, comment_id LIMIT ? OFFSET ?", tweet_id, limit, offset)}

    @tool(writes=True, phrase=["follow @{username}", "start following {username}"])
    def follow_user(self, username: Handle) -> Followed:
        """Follow an account as the logged-in user.

        Args:
            username: The handle to follow, with or without '@'.
        """
        me, other = self._me(), self._user(username)["username"]
        if other == me:
            raise ToolError("you cannot follow yourself")
        if self.value("SELECT 1 FROM follows WHERE follower = ? AND followee = ?", me, other):
            raise ToolError(f"you already follow @{other}")
        at = self._stamp()
        self.execute("INSERT INTO follows VALUES (?, ?, ?)", me, other, at)
        return {"success": True, "message": f"you now follow @{other}", "followed_at": at}

    @tool(writes=True, phrase=["unfollow @{username}", "stop following {username}"])
    def unfollow_user(self, username: Handle) -> Done:
        """Stop following an account as the logged-in user.

        Args:
            username: The handle to unfollow, with or without '@'.
        """
        me, other = self._me(), self._user(username)["username"]
        if not self.execute("DELETE FROM follows WHERE follower = ? AND followee = ?", me, other):
            raise ToolError(f"you do not follow @{other}; list_following shows whom you follow")
        return {"success": True, "message": f"you no longer follow @{other}"}

    def _people(self, username: str | None, mine: str, theirs: str, limit: int, offset: int) -> list[dict[str, Any]]:
        handle = self._user(username)["username"] if username is not None else self._me()
        return self.rows(f"SELECT u.username, u.display_name, u.bio, f.followed_at AS since FROM follows f"
                         f" JOIN users u ON u.username = f.{theirs} WHERE f.{mine} = ?"
                         " ORDER BY f.followed_at DESC, u.username LIMIT ? OFFSET ?", handle, limit, offset)

    @tool(phrase=["list the accounts @{username} follows", "show whom I follow"])
    def list_following(self, username: Annotated[str, UserKnown] | None = None, limit: Limit = 50,
                       offset: Offset = 0) -> Following:
        """List the accounts a user follows, most recently followed first (yours when no username is given).

        Args:
            username: Whose follows, with or without '@'; omit for the logged-in user.
            limit: At most this many accounts (1-100).
            offset: Skip this many accounts first.
        """
        return {"following": self._people(username, "follower", "followee", limit, offset)}

    @tool(phrase=["list the followers of @{username}", "show who follows me"])
    def list_followers(self, username: Annotated[str, UserKnown] | None = None, limit: Limit = 50,
                       offset: Offset = 0) -> Followers:
        """List the accounts following a user, newest followers first (yours when no username is given).

        Args:
            username: Whose followers, with or without '@'; omit for the logged-in user.
            limit: At most this many accounts (1-100).
            offset: Skip this many accounts first.
        """
        return {"followers": self._people(username, "followee", "follower", limit, offset)}

    @tool(phrase=["get the account stats of @{username}", "count the tweets and followers of @{username}",
                  "show my account stats"])
    def get_user_stats(self, username: Annotated[str, UserKnown] | None = None) -> Stats:
        """Count a user's live tweets, follows, followers and retweets made (yours when no username is given).

        Args:
            username: The handle, with or without '@'; omit for the logged-in user.
        """
        handle = self._user(username)["username"] if username is not None else self._me()
        return {"username": handle,
                "tweet_count": self.value("SELECT COUNT(*) FROM tweets WHERE username = ? AND deleted = 0", handle),
                "following_count": self.value("SELECT COUNT(*) FROM follows WHERE follower = ?", handle),
                "followers_count": self.value("SELECT COUNT(*) FROM follows WHERE followee = ?", handle),
                "retweet_count": self.value("SELECT COUNT(*) FROM retweets r JOIN tweets t ON t.tweet_id = r.tweet_id"
                                            " WHERE r.username = ? AND t.deleted = 0", handle)}


def stamp(cls: type[World], rng: random.Random, least: int, most: int) -> str:
    """A seeded time ``least``-``most`` days before the episode clock starts."""
    day = cls.days_before_start(rng, least, most)
    return dt.datetime.combine(day, dt.time(rng.randrange(6, 23), rng.randrange(60))).strftime(TIME_FORMAT)
