"""Task templates of SlackServer: finding a message by its words, reacting to it and replying in its thread."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.office.slack_server import EMOJI, SlackServer

REPLIES = ["On it, will report back by end of day.", "Thanks, looks good to me.", "Let's discuss at standup.",
           "I can take this one.", "Following up with the customer now."]


def some_message(world: SlackServer, rng: random.Random, root: bool = False) -> dict[str, Any] | None:
    """A top-level message in a channel @me belongs to (not archived) whose text is unique in the workspace."""
    rows = world.rows(
        "SELECT m.*, c.name AS channel_name, u.real_name FROM messages m JOIN channels c USING (channel_id)"
        " JOIN users u USING (user_id) JOIN members k ON k.channel_id = m.channel_id AND k.user_id = ?"
        " WHERE c.is_archived = 0 AND c.posting = 'everyone' AND m.subtype IS NULL AND (?2 = 0 OR m.thread_ts IS NULL)"
        " AND m.text IN (SELECT text FROM messages GROUP BY text HAVING COUNT(*) = 1) ORDER BY m.ts",
        world.me, int(root))
    return rng.choice(rows) if rows else None


def find(message: dict[str, Any]) -> Any:
    return call("conversations_search_messages", search_query=message["text"])


@scenario
def who_said_it(world: SlackServer, rng: random.Random) -> Draft | None:
    message = some_message(world, rng)
    if message is None:
        return None
    return Draft(request=f"Someone wrote \"{message['text']}\" on Slack. In which channel was that, and who posted it?",
                 calls=(find(message),), answer=(message["channel_name"],
                                                 world.value("SELECT name FROM users WHERE user_id = ?",
                                                             message["user_id"])))


@scenario
def react_to_message(world: SlackServer, rng: random.Random) -> Draft | None:
    message = some_message(world, rng)
    if message is None:
        return None
    emoji = rng.choice([e for e in EMOJI if not world.row(
        "SELECT 1 FROM reactions WHERE ts = ? AND name = ? AND user_id = ?", message["ts"], e, world.me)])
    return Draft(request=rng.choice(["Add a :{e}: reaction to the message \"{t}\" in #{c}.",
                                     "React with {e} to \"{t}\" over in #{c}, please."]).format(
                     e=emoji, t=message["text"], c=message["channel_name"]),
                 calls=(find(message), call("reactions_add", channel_id=message["channel_id"], ts=message["ts"],
                                            name=emoji)))


@scenario
def reply_in_thread(world: SlackServer, rng: random.Random) -> Draft | None:
    message = some_message(world, rng, root=True)
    if message is None:
        return None
    reply = rng.choice(REPLIES)
    emoji = rng.choice([e for e in EMOJI if not world.row(
        "SELECT 1 FROM reactions WHERE ts = ? AND name = ? AND user_id = ?", message["ts"], e, world.me)])
    return Draft(request=f"Reply \"{reply}\" in the thread of the message \"{message['text']}\" in #"
                         f"{message['channel_name']}, and put a :{emoji}: on that message too.",
                 calls=(find(message), call("conversations_add_message", channel_id=message["channel_id"],
                                            payload=reply, thread_ts=message["ts"]),
                        call("reactions_add", channel_id=message["channel_id"], ts=message["ts"], name=emoji)))


@scenario
def search_then_thread(world: SlackServer, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT m.*, c.name AS channel_name FROM messages m JOIN channels c USING (channel_id)"
                      " WHERE c.is_private = 0 AND m.thread_ts IS NULL AND m.text IN (SELECT text FROM messages"
                      " GROUP BY text HAVING COUNT(*) = 1) AND (SELECT COUNT(*) FROM messages r WHERE r.thread_ts = m.ts)"
                      " >= 2 ORDER BY m.ts")
    if not rows:
        return None
    message = rng.choice(rows)
    replies = world.rows("SELECT u.name FROM messages r JOIN users u USING (user_id) WHERE r.thread_ts = ?"
                         " ORDER BY r.ts", message["ts"])
    return Draft(request=f"Who replied in the thread under \"{message['text']}\" in #{message['channel_name']}?"
                         " Give me their handles.",
                 calls=(find(message), call("conversations_replies", channel_id=message["channel_id"],
                                            thread_ts=message["ts"])),
                 answer=tuple(dict.fromkeys(r["name"] for r in replies)))
