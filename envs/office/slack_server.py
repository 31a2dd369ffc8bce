"""SlackServer: a Slack workspace seen by one member: channels, messages, threads, reactions and search."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World

CHANNELS = [  # name, private, archived, posting, purpose
    ("general", 0, 0, "everyone", "Company-wide announcements and work-based matters"),
    ("random", 0, 0, "everyone", "Non-work banter and water cooler conversation"),
    ("announcements", 0, 0, "admins", "Official news from leadership; only admins post here"),
    ("engineering", 0, 0, "everyone", "Engineering discussion, code reviews and releases"),
    ("incidents", 0, 0, "everyone", "Production incidents and on-call handoffs"),
    ("design", 0, 0, "everyone", "Design critiques and Figma links"),
    ("marketing", 0, 0, "everyone", "Campaigns, launches and content calendar"),
    ("sales", 0, 0, "everyone", "Deals, pipeline and customer wins"),
    ("customer-support", 0, 0, "everyone", "Escalations from the help desk"),
    ("data-platform", 0, 0, "everyone", "Warehouse, pipelines and dashboards"),
    ("social", 0, 0, "everyone", "Team lunches, birthdays and events"),
    ("hiring-committee", 1, 0, "everyone", "Candidate debriefs (confidential)"),
    ("leadership", 1, 0, "everyone", "Leadership team coordination"),
    ("finance-ops", 1, 0, "everyone", "Budgets, invoices and approvals"),
    ("proj-atlas", 0, 1, "everyone", "Atlas migration (finished, archived)"),
    ("office-move-2025", 0, 1, "everyone", "Office move logistics (archived)"),
]
LINES = ["Heads up: {thing} is going out {when}.", "Can someone review the {thing} changes before {when}?",
         "Reminder: {thing} sync {when}.", "I pushed a fix for {thing}; please verify.",
         "Who owns {thing}? I have a question about the rollout.", "Great work on {thing}, everyone!",
         "{thing} dashboard looks off since {when}, investigating.", "Notes from the {thing} meeting are in the doc.",
         "Is {thing} blocked on anything?", "Customer asked about {thing} again, any ETA?"]
THINGS = ["the billing service", "the onboarding flow", "the Q2 roadmap", "the pricing page", "the mobile app",
          "the SSO integration", "the search index", "the data export", "the release notes", "the hiring plan",
          "the support macros", "the partner portal", "the status page", "the analytics pipeline"]
WHEN = ["today", "tomorrow", "on Friday", "next week", "after standup", "end of day", "Monday morning"]
EMOJI = ["thumbsup", "eyes", "white_check_mark", "tada", "pray", "fire", "rocket", "raised_hands"]
ChannelId = Annotated[str, Field(pattern=r"^[CG][A-Z0-9]{8,10}$")]
Ts = Annotated[str, Field(pattern=r"^\d{10}\.\d{6}$")]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]

Channel = TypedDict("Channel", {"channel_id": str, "name": str, "is_private": bool, "is_archived": bool, "is_member": bool,
                                "topic": str, "purpose": str, "num_members": int})
Channels = TypedDict("Channels", {"channels": list[Channel], "next_cursor": str})
Message = TypedDict("Message", {"ts": str, "user": str, "user_name": str, "text": str, "thread_ts": str | None,
                                "reply_count": int, "reactions": list[str]})
History = TypedDict("History", {"messages": list[Message], "next_cursor": str})
Replies = TypedDict("Replies", {"messages": list[Message], "next_cursor": str, "thread_ts": str})
Found = TypedDict("Found", {"ts": str, "channel": str, "channel_name": str, "user_name": str, "text": str,
                            "thread_ts": str | None, "permalink": str})
Search = TypedDict("Search", {"messages": list[Found], "next_cursor": str, "total": int})
Posted = TypedDict("Posted", {"ok": bool, "channel": str, "ts": str, "message": Message})
Membership = TypedDict("Membership", {"ok": bool, "channel": Channel})
Reacted = TypedDict("Reacted", {"ok": bool, "channel": str, "ts": str, "reactions": list[str]})


def epoch(moment: dt.datetime) -> int:
    return calendar.timegm(moment.timetuple())


class SlackServer(World):
    """The Acme Slack workspace as seen by its member @me: public and private channels (ids like C0123ABCD),
    messages identified by their ts ('1772442000.000100') with threads, emoji reactions and search. You can read
    public channels and the private ones you belong to; posting needs membership, archived channels accept no posts
    and #announcements is for admins only."""

    domain = "Office"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, real_name TEXT NOT NULL,
                        title TEXT NOT NULL, is_admin INTEGER NOT NULL);
    CREATE TABLE channels (channel_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, is_private INTEGER NOT NULL,
                           is_archived INTEGER NOT NULL, posting TEXT NOT NULL, topic TEXT NOT NULL,
                           purpose TEXT NOT NULL, created INTEGER NOT NULL);
    CREATE TABLE members (channel_id TEXT NOT NULL REFERENCES channels, user_id TEXT NOT NULL REFERENCES users,
                          PRIMARY KEY (channel_id, user_id));
    CREATE INDEX members_by_user ON members (user_id);
    CREATE TABLE messages (ts TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels,
                           user_id TEXT NOT NULL REFERENCES users, text TEXT NOT NULL, thread_ts TEXT,
                           subtype TEXT, day TEXT NOT NULL);
    CREATE INDEX messages_by_channel ON messages (channel_id, ts);
    CREATE INDEX messages_by_thread ON messages (thread_ts, ts);
    CREATE TABLE reactions (ts TEXT NOT NULL REFERENCES messages, user_id TEXT NOT NULL, name TEXT NOT NULL,
                            PRIMARY KEY (ts, name, user_id));
    """
    text_search = {"messages": ("text",)}
    me = "U04MEAUTH1"

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users = [{"user_id": cls.me, "name": "me", "real_name": fake.name(), "title": "Product Manager", "is_admin": 0}]
        while len(users) < 30:
            first, last = fake.unique.first_name(), fake.unique.last_name()
            users.append({"user_id": f"U0{rng.getrandbits(36):09X}"[:10], "name": f"{first[0]}{last}".lower(),
                          "real_name": f"{first} {last}", "title": fake.job()[:40], "is_admin": int(len(users) < 4)})
        channels, members, messages, reactions = [], [], [], []
        start = epoch(cls.start_time)
        for name, private, archived, posting, purpose in CHANNELS:
            channel_id = f"{'G' if private else 'C'}0{rng.getrandbits(32):08X}"
            channels.append({"channel_id": channel_id, "name": name, "is_private": private, "is_archived": archived,
                             "posting": posting, "topic": rng.choice(["", f"Focus: {rng.choice(THINGS)}"]),
                             "purpose": purpose, "created": start - rng.randrange(200, 900) * 86400})
            joined = users if name == "general" else rng.sample(users[1:], rng.randrange(4, 16)) + (
                [users[0]] if name not in ("leadership", "design", "proj-atlas") and rng.random() < 0.8 else [])
            members += [{"channel_id": channel_id, "user_id": u["user_id"]} for u in joined]
            seconds = sorted(rng.sample(range(start - (400 if archived else 30) * 86400, start - 3600, 60),
                                        rng.randrange(12, 30)))
            roots: list[str] = []
            for at in seconds:
                author = rng.choice(joined)
                ts = f"{at}.{rng.randrange(100, 999999):06d}"
                parent = rng.choice(roots[-3:]) if roots and rng.random() < 0.35 else None
                roots += [] if parent else [ts]
                text = rng.choice(LINES).format(thing=rng.choice(THINGS), when=rng.choice(WHEN))
                messages.append({"ts": ts, "channel_id": channel_id, "user_id": author["user_id"], "text": text,
                                 "thread_ts": parent, "subtype": None,
                                 "day": dt.datetime.fromtimestamp(at, dt.timezone.utc).strftime("%Y-%m-%d")})
                for emoji in rng.sample(EMOJI, rng.choice([0, 0, 1, 2])):
                    reactions.append({"ts": ts, "user_id": rng.choice(joined)["user_id"], "name": emoji})
        for name, rows in (("users", users), ("channels", channels), ("members", members), ("messages", messages),
                           ("reactions", reactions)):
            db[name].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _channel(self, channel_id: str, member: bool = False, post: bool = False) -> dict[str, Any]:
        found = self.row("SELECT c.*, EXISTS (SELECT 1 FROM members m WHERE m.channel_id = c.channel_id AND"
                         " m.user_id = ?) AS is_member FROM channels c WHERE channel_id = ?", self.me, channel_id)
        if found is None or (found["is_private"] and not found["is_member"]):
            raise ToolError(f"channel_not_found: no channel '{channel_id}' you can see; channels_list shows the ids")
        if post and found["is_archived"]:
            raise ToolError(f"is_archived: #{found['name']} is archived and accepts no messages")
        if member and not found["is_member"]:
            raise ToolError(f"not_in_channel: you are not a member of #{found['name']}; conversations_join it first")
        return found

    def _info(self, row: dict[str, Any]) -> Channel:
        count = self.value("SELECT COUNT(*) FROM members WHERE channel_id = ?", row["channel_id"])
        return {"channel_id": row["channel_id"], "name": row["name"], "is_private": bool(row["is_private"]),
                "is_archived": bool(row["is_archived"]), "is_member": bool(row["is_member"]), "topic": row["topic"],
                "purpose": row["purpose"], "num_members": count}

    def _messages(self, where: str, *params: Any, limit: int, cursor: str | None, newest: bool) -> History:
        rows = self.rows(
            "SELECT m.ts, m.user_id AS user, u.name AS user_name, m.text, m.thread_ts, (SELECT COUNT(*) FROM"
            " messages r WHERE r.thread_ts = m.ts) AS reply_count FROM messages m JOIN users u USING (user_id)"
            f" WHERE {where} AND (?{len(params) + 1} IS NULL OR m.ts {'<' if newest else '>'} ?{len(params) + 1})"
            f" ORDER BY m.ts {'DESC' if newest else ''} LIMIT ?{len(params) + 2}", *params, cursor, limit + 1)
        for row in rows:
            row["reactions"] = [r["name"] for r in self.rows("SELECT DISTINCT name FROM reactions WHERE ts = ?"
                                                             " ORDER BY name", row["ts"])]
        return {"messages": rows[:limit], "next_cursor": rows[limit - 1]["ts"] if len(rows) > limit else ""}

    def _post(self, channel_id: str, text: str, thread_ts: str | None = None, subtype: str | None = None) -> str:
        moment = self.now()
        ts = f"{epoch(moment)}.{self.value('SELECT COUNT(*) FROM messages') % 10**6:06d}"
        self.mark_generated("messages", ts)
        self.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)", ts, channel_id, self.me, text, thread_ts,
                     subtype, moment.strftime("%Y-%m-%d"))
        return ts

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me the Slack channels[ sorted by {sort}]", "list the channels in our Slack workspace"])
    def channels_list(self, channel_types: Literal["public_channel", "private_channel", "public_channel,private_channel"]
                      = "public_channel,private_channel", sort: Literal["name", "popularity"] = "name",
                      limit: Annotated[int, Field(ge=1, le=1000)] = 100, cursor: str | None = None) -> Channels:
        """List the channels you can see (public ones, and private ones you belong to), archived ones included.

        Args:
            channel_types: public_channel, private_channel or both, comma-separated.
            sort: By name, or by popularity (member count).
            limit: At most this many channels.
            cursor: next_cursor of a previous page.
        """
        kinds = [int(k == "private_channel") for k in channel_types.split(",")]
        rows = [self._info(r) for r in self.rows(
            "SELECT c.*, EXISTS (SELECT 1 FROM members m WHERE m.channel_id = c.channel_id AND m.user_id = ?)"
            " AS is_member FROM channels c ORDER BY name", self.me)]
        rows = [r for r in rows if int(r["is_private"]) in kinds and (r["is_member"] or not r["is_private"])]
        if sort == "popularity":
            rows.sort(key=lambda r: -r["num_members"])
        first = int(cursor) if cursor and cursor.isdigit() else 0
        more = len(rows) > first + limit
        return {"channels": rows[first:first + limit], "next_cursor": str(first + limit) if more else ""}

    @tool(phrase=["show the latest[ {limit}] messages in {channel_id}", "tell me what has been said in {channel_id} lately"])
    def conversations_history(self, channel_id: ChannelId, limit: Annotated[int, Field(ge=1, le=200)] = 30,
                              cursor: str | None = None, include_activity_messages: bool = False) -> History:
        """Messages of a channel, newest first (thread replies are read with conversations_replies).

        Args:
            channel_id: The channel's id.
            limit: At most this many messages.
            cursor: next_cursor of a previous page (older messages).
            include_activity_messages: Also show joins and leaves.
        """
        self._channel(channel_id)
        return self._messages("m.channel_id = ?1 AND m.thread_ts IS NULL AND (?2 OR m.subtype IS NULL)",
                              channel_id, include_activity_messages, limit=limit, cursor=cursor, newest=True)

    @tool(phrase=["show the replies in the thread of {thread_ts} in {channel_id}",
                  "read the thread under {thread_ts}"])
    def conversations_replies(self, channel_id: ChannelId, thread_ts: Ts,
                              limit: Annotated[int, Field(ge=1, le=200)] = 50, cursor: str | None = None,
                              include_activity_messages: bool = False) -> Replies:
        """A thread: its parent message and the replies, oldest first.

        Args:
            channel_id: The channel's id.
            thread_ts: ts of the thread's parent message.
            limit: At most this many messages.
            cursor: next_cursor of a previous page.
            include_activity_messages: Also show activity messages.
        """
        self._channel(channel_id)
        self.require("SELECT 1 FROM messages WHERE ts = ? AND channel_id = ? AND thread_ts IS NULL", thread_ts,
                     channel_id, error=f"thread_not_found: no message {thread_ts} starts a thread in {channel_id}")
        page = self._messages("(m.ts = ?1 OR m.thread_ts = ?1) AND (?2 OR m.subtype IS NULL)", thread_ts,
                              include_activity_messages, limit=limit, cursor=cursor, newest=False)
        return {**page, "thread_ts": thread_ts}

    @tool(phrase=["search Slack for messages about {search_query}[ in {filter_in_channel}][ from {filter_users_from}]",
                  "find the Slack messages mentioning {search_query}[ posted after {filter_date_after}]"])
    def conversations_search_messages(
            self, search_query: NonEmptyStr, filter_in_channel: str | None = None, filter_users_from: str | None = None,
            filter_date_after: Day | None = None, filter_date_before: Day | None = None,
            filter_threads_only: bool = False, limit: Annotated[int, Field(ge=1, le=100)] = 20,
            cursor: str | None = None) -> Search:
        """Search the messages you can see, newest first, by text and filters.

        Args:
            search_query: Text the message contains (case-insensitive).
            filter_in_channel: Only this channel (id, or name like #design).
            filter_users_from: Only messages by this user (id, or handle like @jsmith).
            filter_date_after: Only messages after this day (YYYY-MM-DD).
            filter_date_before: Only messages before this day (YYYY-MM-DD).
            filter_threads_only: Only messages that are part of a thread.
            limit: At most this many messages.
            cursor: next_cursor of a previous page.
        """
        where, params = ["(c.is_private = 0 OR c.channel_id IN (SELECT channel_id FROM members WHERE user_id = ?))",
                         "m.subtype IS NULL"], [self.me]
        matches, found = self.text_filter("messages", search_query)
        where.append(matches.replace('"messages"', "m"))
        params += found
        if filter_in_channel:
            where.append("? IN (c.name, c.channel_id)")
            params.append(filter_in_channel.lstrip("#"))
        if filter_users_from:
            where.append("? IN (u.name, u.user_id)")
            params.append(filter_users_from.lstrip("@"))
        for op, day in ((">", filter_date_after), ("<", filter_date_before)):
            if day:
                where.append(f"m.day {op} ?")
                params.append(day)
        if filter_threads_only:
            where.append("(m.thread_ts IS NOT NULL OR EXISTS (SELECT 1 FROM messages r WHERE r.thread_ts = m.ts))")
        sql = (" FROM messages m JOIN channels c USING (channel_id) JOIN users u USING (user_id)"
               f" WHERE {' AND '.join(where)}")
        first = int(cursor) if cursor and cursor.isdigit() else 0
        rows = self.rows("SELECT m.ts, m.channel_id AS channel, c.name AS channel_name, u.name AS user_name, m.text,"
                         f" m.thread_ts{sql} ORDER BY m.ts DESC LIMIT ? OFFSET ?", *params, limit, first)
        for row in rows:
            row["permalink"] = f"https://acme.slack.com/archives/{row['channel']}/p{row['ts'].replace('.', '')}"
        total = self.value(f"SELECT COUNT(*){sql}", *params)
        return {"messages": rows, "total": total, "next_cursor": str(first + limit) if total > first + limit else ""}

    @tool(writes=True, phrase=["post {payload} in {channel_id}", "send a message to {channel_id} saying {payload}",
                               "reply {payload} in the thread of {thread_ts} in {channel_id}"])
    def conversations_add_message(self, channel_id: ChannelId, payload: NonEmptyStr, thread_ts: Ts | None = None,
                                  content_type: Literal["text/markdown", "text/plain"] = "text/markdown") -> Posted:
        """Post a message as @me to a channel you are a member of, or as a reply in one of its threads.

        Args:
            channel_id: The channel's id.
            payload: The message text.
            thread_ts: ts of a thread's parent message, to reply in that thread.
            content_type: text/markdown or text/plain.
        """
        channel = self._channel(channel_id, member=True, post=True)
        if channel["posting"] == "admins":
            raise ToolError(f"restricted_action: only workspace admins can post in #{channel['name']}")
        if thread_ts is not None:
            self.require("SELECT 1 FROM messages WHERE ts = ? AND channel_id = ? AND thread_ts IS NULL", thread_ts,
                         channel_id, error=f"thread_not_found: no message {thread_ts} to reply to in #{channel['name']}")
        ts = self._post(channel_id, payload.strip(), thread_ts)
        message = self._messages("m.ts = ?1", ts, limit=1, cursor=None, newest=True)["messages"][0]
        return {"ok": True, "channel": channel_id, "ts": ts, "message": message}

    @tool(writes=True, phrase=["join {channel_id}", "add me to {channel_id}"])
    def conversations_join(self, channel_id: ChannelId) -> Membership:
        """Join a public channel (private channels need an invitation from a member).

        Args:
            channel_id: The channel's id.
        """
        channel = self._channel(channel_id, post=True)
        if channel["is_member"]:
            raise ToolError(f"already_in_channel: you are already a member of #{channel['name']}")
        self.execute("INSERT INTO members VALUES (?, ?)", channel_id, self.me)
        self._post(channel_id, f"<@{self.me}> has joined the channel", subtype="channel_join")
        return {"ok": True, "channel": self._info({**channel, "is_member": 1})}

    @tool(writes=True, phrase=["leave {channel_id}", "take me out of {channel_id}"])
    def conversations_leave(self, channel_id: ChannelId) -> Membership:
        """Leave a channel you are a member of (#general cannot be left).

        Args:
            channel_id: The channel's id.
        """
        channel = self._channel(channel_id, member=True)
        if channel["name"] == "general":
            raise ToolError("cant_leave_general: everybody stays in #general")
        self.execute("DELETE FROM members WHERE channel_id = ? AND user_id = ?", channel_id, self.me)
        if not channel["is_archived"]:
            self._post(channel_id, f"<@{self.me}> has left the channel", subtype="channel_leave")
        return {"ok": True, "channel": self._info({**channel, "is_member": 0})}

    @tool(writes=True, phrase=["react with :{name}: to {ts} in {channel_id}", "add a {name} reaction to {ts}"])
    def reactions_add(self, channel_id: ChannelId, ts: Ts,
                      name: Annotated[str, Field(pattern=r"^[a-z0-9_+-]{1,40}$")]) -> Reacted:
        """Add an emoji reaction (name without colons, e.g. thumbsup) to a message.

        Args:
            channel_id: The channel's id.
            ts: The message's ts.
            name: The emoji's name.
        """
        channel = self._channel(channel_id, post=True)
        self.require("SELECT 1 FROM messages WHERE ts = ? AND channel_id = ?", ts, channel_id,
                     error=f"message_not_found: no message {ts} in #{channel['name']}")
        if self.row("SELECT 1 FROM reactions WHERE ts = ? AND name = ? AND user_id = ?", ts, name, self.me):
            raise ToolError(f"already_reacted: you already reacted with :{name}: to that message")
        self.execute("INSERT INTO reactions VALUES (?, ?, ?)", ts, self.me, name)
        names = [r["name"] for r in self.rows("SELECT DISTINCT name FROM reactions WHERE ts = ? ORDER BY name",
                                              ts)]
        return {"ok": True, "channel": channel_id, "ts": ts, "reactions": names}

    @tool(writes=True, phrase=["set the topic of {channel_id} to {topic}", "change the topic of {channel_id} to {topic}"])
    def conversations_set_topic(self, channel_id: ChannelId, topic: Annotated[str, Field(max_length=250)]) -> Membership:
        """Set a channel's topic (you must be a member; archived channels cannot be changed).

        Args:
            channel_id: The channel's id.
            topic: The new topic, up to 250 characters (empty clears it).
        """
        channel = self._channel(channel_id, member=True, post=True)
        self.execute("UPDATE channels SET topic = ? WHERE channel_id = ?", topic.strip(), channel_id)
        return {"ok": True, "channel": self._info({**channel, "topic": topic.strip()})}
