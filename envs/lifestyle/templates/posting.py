"""Task templates of Posting: a user signs in with their handle and password, then follows, replies, retweets,
edits or checks their numbers."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, call, scenario
from envs.lifestyle.posting import Posting

REPLY_TEXTS = ["Congrats, that's awesome!", "Totally agree with this.", "Save me a slice next time!",
               "Adding this to my list.", "Ha, same here this week.", "Thanks for sharing the tip!"]


def me(world: Posting, rng: random.Random, where: str = "1") -> dict[str, Any] | None:
    """The requester: a user meeting an SQL condition on ``u``."""
    users = world.rows(f"SELECT * FROM users u WHERE {where} ORDER BY username")
    return rng.choice(users) if users else None


def sign_in(user: dict[str, Any]) -> Call:
    return call("login", username=user["username"], password=user["password"])


def creds(user: dict[str, Any]) -> dict[str, str]:
    return {"me": user["username"], "pw": user["password"]}


def other(world: Posting, rng: random.Random, sql: str, *params: Any) -> dict[str, Any] | None:
    rows = world.rows(sql + " ORDER BY username", *params)
    return rng.choice(rows) if rows else None


@scenario
def follow_someone(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng)
    target = other(world, rng, "SELECT * FROM users WHERE username != ?1 AND username NOT IN"
                   " (SELECT followee FROM follows WHERE follower = ?1)", user["username"])
    if target is None:
        return None
    return Draft(
        request=rng.choice([
            "I'm @{me} (password {pw}). Please follow @{them} for me.",
            "Log into my account {me} with password {pw} and start following {them}'s account, @{them}.",
        ]).format(**creds(user), them=target["username"]),
        calls=(sign_in(user), call("follow_user", username=target["username"])))


@scenario
def unfollow_and_count(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng, "(SELECT COUNT(*) FROM follows WHERE follower = u.username) >= 3")
    if user is None:
        return None
    target = other(world, rng, "SELECT u.* FROM follows f JOIN users u ON u.username = f.followee"
                   " WHERE f.follower = ?", user["username"])
    return Draft(
        request=rng.choice([
            "My handle is {me} and my password is {pw}. Unfollow @{them}, then tell me how many accounts I follow now.",
            "Sign in as @{me} (password {pw}), stop following @{them} and let me know my new following count.",
        ]).format(**creds(user), them=target["username"]),
        calls=(sign_in(user), call("unfollow_user", username=target["username"]), call("get_user_stats")),
        answer=(Ref(2, "following_count"),))


@scenario
def check_then_follow_back(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng, "EXISTS (SELECT 1 FROM follows f WHERE f.followee = u.username AND f.follower NOT IN"
                          " (SELECT followee FROM follows WHERE follower = u.username))")
    if user is None:
        return None
    fan = other(world, rng, "SELECT u.* FROM follows f JOIN users u ON u.username = f.follower WHERE f.followee = ?1"
                " AND f.follower NOT IN (SELECT followee FROM follows WHERE follower = ?1)", user["username"])
    return Draft(
        request=rng.choice([
            "Check whether I'm signed in; if not, log me in as @{me} (password {pw}). Then follow back @{them}, "
            "who follows me.",
            "Am I logged in right now? If not, sign in as {me} with password {pw}, and follow @{them} back.",
        ]).format(**creds(user), them=fan["username"]),
        calls=(call("check_login_status"), sign_in(user), call("follow_user", username=fan["username"])))


@scenario
def reply_to_latest(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng)
    author = other(world, rng, "SELECT * FROM users WHERE username != ? AND EXISTS (SELECT 1 FROM tweets t"
                   " WHERE t.username = users.username AND t.deleted = 0)", user["username"])
    text = rng.choice(REPLY_TEXTS)
    return Draft(
        request=rng.choice([
            "I'm @{me}, password {pw}. Reply \"{text}\" to @{them}'s most recent tweet.",
            "Log in as {me} (password {pw}) and comment \"{text}\" on the latest thing @{them} posted.",
        ]).format(**creds(user), them=author["username"], text=text),
        calls=(sign_in(user), call("list_tweets", username=author["username"], limit=1),
               call("add_comment", tweet_id=Ref(1, "tweets.0.tweet_id"), comment_content=text)))


@scenario
def retweet_latest_and_stats(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng)
    author = other(world, rng, "SELECT * FROM users WHERE username != ?1 AND EXISTS (SELECT 1 FROM tweets t"
                   " WHERE t.username = users.username AND t.deleted = 0 AND t.tweet_id NOT IN"
                   " (SELECT tweet_id FROM retweets WHERE username = ?1))", user["username"])
    latest = world.row("SELECT tweet_id FROM tweets WHERE username = ? AND deleted = 0"
                       " ORDER BY created_at DESC, tweet_id DESC", author["username"])
    if world.row("SELECT 1 FROM retweets WHERE username = ? AND tweet_id = ?", user["username"], latest["tweet_id"]):
        return None
    return Draft(
        request=rng.choice([
            "Handle {me}, password {pw}: retweet @{them}'s newest tweet, then tell me how many retweets it has now.",
            "Log me in as @{me} ({pw}), share the latest tweet from @{them} and tell me its retweet count after that.",
        ]).format(**creds(user), them=author["username"]),
        calls=(sign_in(user), call("list_tweets", username=author["username"], limit=1),
               call("retweet", tweet_id=Ref(1, "tweets.0.tweet_id")),
               call("get_tweet", tweet_id=Ref(1, "tweets.0.tweet_id"))),
        answer=(Ref(3, "retweet_count"),))


@scenario
def fix_fresh_tweet(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng, "(SELECT MAX(created_at) FROM tweets t WHERE t.username = u.username AND t.deleted = 0)"
                          " >= '2026-03-02 08:10'")
    if user is None:
        return None
    latest = world.row("SELECT * FROM tweets WHERE username = ? AND deleted = 0 ORDER BY created_at DESC",
                       user["username"])
    fixed = latest["content"].replace(" the ", " the whole ", 1) if " the " in latest["content"] else (
        latest["content"] + " Worth it.")
    return Draft(
        request=rng.choice([
            "I just posted a tweet from @{me} (password {pw}) and want to change it to: \"{text}\"",
            "Sign in as {me}, password {pw}. Edit the tweet I posted a few minutes ago so it reads \"{text}\".",
        ]).format(**creds(user), text=fixed),
        calls=(sign_in(user), call("list_tweets", username=user["username"], limit=1),
               call("update_tweet", tweet_id=Ref(1, "tweets.0.tweet_id"), content=fixed)))


@scenario
def delete_old_tweet(world: Posting, rng: random.Random) -> Draft | None:
    user = me(world, rng, "(SELECT COUNT(*) FROM tweets t WHERE t.username = u.username AND t.deleted = 0) >= 3")
    if user is None:
        return None
    return Draft(
        request=rng.choice([
            "I'm @{me} with password {pw}. Delete my most recent tweet and tell me how many tweets I have left.",
            "Log in as {me} ({pw}), take down my latest tweet, then give me my tweet count.",
        ]).format(**creds(user)),
        calls=(sign_in(user), call("list_tweets", username=user["username"], limit=1),
               call("delete_tweet", tweet_id=Ref(1, "tweets.0.tweet_id")), call("get_user_stats")),
        answer=(Ref(3, "tweet_count"),))
