"""Message: a direct-messaging service with accounts, a login session, contacts, inboxes and read receipts."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id

TIME_FORMAT = "%Y-%m-%d %H:%M"
MAX_MESSAGE_CHARS = 1000
PREVIEW_CHARS = 24
PERIOD_DAYS = {"week": 7, "month": 30, "year": 365}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
THINGS = ["slides", "receipts", "spreadsheet", "photos", "recipe", "lease draft", "packing list", "notes",
          "tickets", "playlist", "invoice", "itinerary"]
ITEMS = ["umbrella", "charger", "jacket", "book", "headphones", "water bottle", "scarf", "keys"]
MEALS = ["lunch", "dinner", "brunch", "coffee", "drinks"]
EVENTS = ["book club", "team dinner", "yoga class", "board game night", "soccer practice", "choir rehearsal"]
TEMPLATES = [
    "Are we still on for {meal} on {day}?",
    "Can you send me the {thing} when you get a chance?",
    "Running about {minutes} minutes late, sorry!",
    "Happy birthday, {first}! Hope it's a great one.",
    "Thanks for the {thing}, it really helped.",
    "I left my {item} at your place, can I grab it on {day}?",
    "The {event} got moved to {day} at {hour}.",
    "Just landed in {city}, will call you later.",
    "Could you water my plants while I'm in {city}?",
    "Did you finish the {thing} for {day}?",
    "Heading to {city} for the weekend, want anything?",
    "{first} says hi! We're doing {meal} on {day} if you want to join.",
]
REPLIES = ["Sounds good, see you then!", "Thanks, got it.", "On my way.", "Can we do {day} instead?",
           "Sure, no problem.", "Perfect, thank you!", "Let me check and get back to you."]


def compose(rng: random.Random, fake: Any, template: str) -> str:
    """A chat line from a template, filled with seeded details."""
    return template.format(meal=rng.choice(MEALS), day=rng.choice(DAYS), thing=rng.choice(THINGS),
                           minutes=rng.choice([5, 10, 15, 20, 30]), first=fake.first_name(), item=rng.choice(ITEMS),
                           event=rng.choice(EVENTS), hour=f"{rng.randrange(8, 21)}:{rng.choice(['00', '30'])}",
                           city=fake.city())


def period_start(now: dt.datetime, period: str) -> dt.datetime:
    """The first moment a stats period covers: midnight of today or of 7, 30 or 365 days ago."""
    if period == "all":
        return dt.datetime.min
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - dt.timedelta(days=PERIOD_DAYS.get(period, 0))


Limit = Annotated[int, Field(ge=1, le=100)]
Offset = Annotated[int, Field(ge=0)]
MessageText = Annotated[NonEmptyStr, Field(max_length=MAX_MESSAGE_CHARS)]


# ------------------------------------------------------------------------------------------- declared returns
class Done(TypedDict):
    success: bool
    message: str


class LoggedIn(Done):
    user_id: str


class LoginStatus(TypedDict):
    is_logged_in: bool
    user_id: str | None
    username: NotRequired[str]


class UserIdentity(TypedDict):
    user_id: str
    username: str
    display_name: str


class UserProfile(UserIdentity):
    status: str


class ContactAdded(Done):
    username: str
    user_id: str


class ContactRemoved(Done):
    username: str


class MessageSent(Done):
    message_id: int
    receiver_id: str
    sent_at: str


class MessageHeader(TypedDict):
    message_id: int
    sender_id: str
    receiver_id: str
    sent_at: str
    is_read: bool
    sender_username: str
    sender_name: str
    receiver_username: str


class MessagePreview(MessageHeader):
    preview: str


class FullMessage(MessageHeader):
    message: str


class MarkedRead(TypedDict):
    success: bool
    marked_read: list[int]


class MessageDeleted(Done):
    message_id: int


class MessageStats(TypedDict):
    time_period: str
    total_sent: int
    total_received: int
    unread: int
    total_contacts: int
    messages_by_contact: dict[str, int]


class Message(World):
    """A messaging app: log in with your user id, manage contacts, send, read, search and delete direct messages."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL UNIQUE,
                        status TEXT NOT NULL DEFAULT '');
    CREATE TABLE session (slot INTEGER PRIMARY KEY CHECK (slot = 1), user_id TEXT REFERENCES users);
    CREATE TABLE contacts (owner_id TEXT NOT NULL REFERENCES users, contact_id TEXT NOT NULL REFERENCES users,
                           PRIMARY KEY (owner_id, contact_id), CHECK (owner_id != contact_id));
    CREATE TABLE messages (message_id INTEGER PRIMARY KEY, sender_id TEXT NOT NULL REFERENCES users,
                           receiver_id TEXT NOT NULL REFERENCES users, body TEXT NOT NULL, sent_at TEXT NOT NULL,
                           is_read INTEGER NOT NULL DEFAULT 0, deleted_by_sender INTEGER NOT NULL DEFAULT 0,
                           deleted_by_receiver INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX messages_by_receiver ON messages (receiver_id, sent_at);
    CREATE INDEX messages_by_sender ON messages (sender_id, sent_at);
    """
    text_search = {"users": ("username", "display_name"), "messages": ("body",)}
    volatile = {"messages": ("sent_at",)}
    ungraded = ("session",)

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users: dict[str, dict[str, Any]] = {}
        names: set[str] = set()
        while len(users) < 20:
            first, last = fake.first_name(), fake.last_name()
            handle = f"{first}.{last}" if rng.random() < 0.6 else f"{first[0]}{last}{rng.randrange(10, 99)}"
            username = handle.lower().replace("'", "").replace(" ", "")
            if f"{first} {last}" in names or any(u["username"] == username for u in users.values()):
                continue
            names.add(f"{first} {last}")
            user_id = fake_id(rng, "u_")
            users[user_id] = {"user_id": user_id, "username": username, "display_name": f"{first} {last}",
                              "status": rng.choice(["", "Available", "Busy", "On vacation", "At the gym", "Working"])}
        db["users"].insert_all(users.values())
        db["session"].insert({"slot": 1, "user_id": None})
        ids = sorted(users)
        contacts: set[tuple[str, str]] = set()
        for owner in ids:
            for other in rng.sample([u for u in ids if u != owner], rng.randrange(3, 7)):
                contacts.add((owner, other))
                if rng.random() < 0.8:
                    contacts.add((other, owner))
        db["contacts"].insert_all({"owner_id": o, "contact_id": c} for o, c in sorted(contacts))
        messages = []
        pairs = sorted({tuple(sorted(pair)) for pair in contacts})
        for first, second in rng.sample(pairs, 45):
            sent_at = cls.start_time - dt.timedelta(minutes=rng.randrange(10, 60 * 24 * 50))
            talkers = [first, second]
            rng.shuffle(talkers)
            for turn in range(rng.randrange(1, 6)):
                sender, receiver = talkers[turn % 2], talkers[(turn + 1) % 2]
                template = rng.choice(TEMPLATES if turn == 0 else REPLIES + TEMPLATES)
                age = cls.start_time - sent_at
                messages.append({
                    "message_id": len(messages) + 1, "sender_id": sender, "receiver_id": receiver,
                    "body": compose(rng, fake, template), "sent_at": sent_at.strftime(TIME_FORMAT),
                    "is_read": int(rng.random() < (0.4 if age < dt.timedelta(days=3) else 0.9)),
                })
                sent_at += dt.timedelta(minutes=rng.randrange(1, 600))
                if sent_at >= cls.start_time:
                    break
        db["messages"].insert_all(messages)

    # ------------------------------------------------------------------ helpers
    def _me(self) -> str:
        """The logged-in user's id, or a ToolError telling the agent to log in."""
        user_id = self.value("SELECT user_id FROM session WHERE slot = 1")
        if user_id is None:
            raise ToolError("you are not logged in; call login with your user id first (get_user_id finds it)")
        return user_id

    def _user(self, user_id: str, field: str = "user_id") -> dict[str, Any]:
        return self.require("SELECT user_id, username, display_name, status FROM users WHERE user_id = ?", user_id,
                            error=f"{field} '{user_id}' is not a user id; get_user_id or list_users finds user ids")

    def _user_by_name(self, username: str) -> dict[str, Any]:
        handle = username.strip().lstrip("@").lower()
        return self.require("SELECT user_id, username, display_name, status FROM users WHERE username = ?", handle,
                            error=f"no user with username '{username}'; list_users shows every user")

    def _matching_users(self, query: str) -> list[dict[str, Any]]:
        matches, params = self.text_filter("users", query)
        return self.rows(f"SELECT user_id, username, display_name, status FROM users WHERE {matches}"
                         " ORDER BY username", *params)

    def _is_contact(self, owner_id: str, contact_id: str) -> bool:
        return self.value("SELECT 1 FROM contacts WHERE owner_id = ? AND contact_id = ?", owner_id, contact_id) == 1

    def _listing(self, where: str, params: tuple[Any, ...], limit: int, offset: int,
                 full: bool = False) -> list[dict[str, Any]]:
        """Messages matching a WHERE clause, newest first, with both parties' names; the text previewed unless full."""
        return [self._present(row, full) for row in self.rows(
            "SELECT m.*, s.username AS sender_username, s.display_name AS sender_name, r.username AS receiver_username"
            " FROM messages m JOIN users s ON s.user_id = m.sender_id JOIN users r ON r.user_id = m.receiver_id"
            f" WHERE {where} ORDER BY m.sent_at DESC, m.message_id DESC LIMIT ? OFFSET ?", *params, limit, offset)]

    @staticmethod
    def _present(row: dict[str, Any], full: bool) -> dict[str, Any]:
        row["is_read"] = bool(row["is_read"])
        body = row.pop("body")
        if full:
            row["message"] = body
        else:
            row["preview"] = body if len(body) <= PREVIEW_CHARS else body[:PREVIEW_CHARS].rstrip() + "..."
        del row["deleted_by_sender"], row["deleted_by_receiver"]
        return row

    def _owned_message(self, message_id: int, me: str) -> dict[str, Any]:
        """A message the logged-in user sent or received (and has not deleted)."""
        found = self.require("SELECT * FROM messages WHERE message_id = ?", message_id,
                             error=f"no message with id {message_id}")
        mine = (found["sender_id"] == me and not found["deleted_by_sender"]) or (
            found["receiver_id"] == me and not found["deleted_by_receiver"])
        if not mine:
            raise ToolError(f"message {message_id} is not in your mailbox; you can only access messages you sent"
                            " or received")
        return found

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["log in as {user_id}", "sign in as {user_id}", "log me in as {user_id}"])
    def login(self, user_id: str) -> LoggedIn:
        """Log in as a user; most tools need a logged-in user.

        Args:
            user_id: Your own user id (get_user_id finds it from your username).
        """
        user = self._user(user_id)
        current = self.value("SELECT user_id FROM session WHERE slot = 1")
        if current is not None and current != user_id:
            raise ToolError(f"already logged in as '{self._user(current)['username']}'; call logout first to switch"
                            " accounts")
        self.execute("UPDATE session SET user_id = ? WHERE slot = 1", user_id)
        return {"success": True, "user_id": user_id, "message": f"logged in as {user['username']}"}

    @tool(writes=True, phrase=["log me out", "sign me out", "log out of my account"])
    def logout(self) -> Done:
        """Log the current user out."""
        user = self._user(self._me())
        self.execute("UPDATE session SET user_id = NULL WHERE slot = 1")
        return {"success": True, "message": f"{user['username']} logged out"}

    @tool(phrase=["check who is logged in", "check whether anyone is signed in"])
    def check_login_status(self) -> LoginStatus:
        """Tell whether someone is logged in, and who."""
        user_id = self.value("SELECT user_id FROM session WHERE slot = 1")
        if user_id is None:
            return {"is_logged_in": False, "user_id": None}
        return {"is_logged_in": True, "user_id": user_id, "username": self._user(user_id)["username"]}

    @tool(phrase=[
        "list the users[ matching {query}]",
        "look up the people on the service[ whose name contains {query}]",
    ])
    def list_users(self, query: str | None = None) -> list[UserProfile]:
        """List the users of the service, optionally only those whose username or display name contains a text.

        Args:
            query: Part of a username or display name (case-insensitive).
        """
        return self._matching_users(query or "")

    @tool(phrase=["look up the account for {username}", "find the account for {username}"])
    def get_user_id(self, username: str) -> UserIdentity:
        """Find a user's id from their exact username.

        Args:
            username: The username (a leading @ is ignored).
        """
        user = self._user_by_name(username)
        return {"user_id": user["user_id"], "username": user["username"], "display_name": user["display_name"]}

    @tool(phrase=["list my contacts", "show me my contact list"])
    def list_contacts(self) -> list[UserProfile]:
        """List the logged-in user's contacts."""
        return self.rows("SELECT u.user_id, u.username, u.display_name, u.status FROM contacts c"
                         " JOIN users u ON u.user_id = c.contact_id WHERE c.owner_id = ? ORDER BY u.username",
                         self._me())

    @tool(writes=True, phrase=["add {username} to my contacts", "save {username} as a contact"])
    def add_contact(self, username: str) -> ContactAdded:
        """Add a user to the logged-in user's contacts; you can only message your contacts.

        Args:
            username: The username of the person to add.
        """
        me = self._me()
        user = self._user_by_name(username)
        if user["user_id"] == me:
            raise ToolError("you cannot add yourself as a contact")
        if self._is_contact(me, user["user_id"]):
            raise ToolError(f"{user['username']} is already in your contacts")
        self.execute("INSERT INTO contacts (owner_id, contact_id) VALUES (?, ?)", me, user["user_id"])
        return {"success": True, "username": user["username"], "user_id": user["user_id"],
                "message": f"{user['display_name']} added to your contacts"}

    @tool(writes=True, phrase=["remove {username} from my contacts", "take {username} off my contact list"])
    def remove_contact(self, username: str) -> ContactRemoved:
        """Remove a user from the logged-in user's contacts (messages already exchanged stay).

        Args:
            username: The username of the contact to remove.
        """
        me = self._me()
        user = self._user_by_name(username)
        if not self.execute("DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?", me, user["user_id"]):
            raise ToolError(f"{user['username']} is not in your contacts; list_contacts shows them")
        return {"success": True, "username": user["username"], "message": f"{user['display_name']} removed"}

    @tool(writes=True, phrase=["send {message} to {receiver_id}", "write {message} to {receiver_id}"])
    def send_message(self, receiver_id: str, message: MessageText) -> MessageSent:
        """Send a direct message to one of your contacts.

        Args:
            receiver_id: The receiver's user id; they must be in your contacts (add_contact adds them).
            message: The text to send (at most 1000 characters).
        """
        me = self._me()
        receiver = self._user(receiver_id, "receiver_id")
        text = message.strip()
        if receiver_id == me:
            raise ToolError("you cannot send a message to yourself")
        if not self._is_contact(me, receiver_id):
            raise ToolError(f"{receiver['username']} is not in your contacts; add them with add_contact first")
        sent_at = self.now().strftime(TIME_FORMAT)
        message_id = self.value("INSERT INTO messages (sender_id, receiver_id, body, sent_at) VALUES (?, ?, ?, ?)"
                                " RETURNING message_id", me, receiver_id, text, sent_at)
        self.mark_generated("messages", message_id)
        return {"success": True, "message_id": message_id, "receiver_id": receiver_id, "sent_at": sent_at,
                "message": text}

    @tool(phrase=[
        "check my inbox[ for messages from {sender_id}][ (latest {limit})]",
        "show me the[ {limit}] newest messages in my inbox[ from {sender_id}]",
    ])
    def view_inbox(self, limit: Limit = 20, offset: Offset = 0, sender_id: str | None = None,
                   unread_only: bool = False) -> list[MessagePreview]:
        """List messages received by the logged-in user, newest first, with a preview of each text.

        Listing does not mark messages read; get_message shows a message's full text.

        Args:
            limit: At most this many messages (1-100).
            offset: Skip this many of the newest messages first.
            sender_id: Only messages from this user id.
            unread_only: Only messages not yet marked read.
        """
        me = self._me()
        if sender_id is not None:
            self._user(sender_id, "sender_id")
        return self._listing("m.receiver_id = ? AND m.deleted_by_receiver = 0 AND (? IS NULL OR m.sender_id = ?)"
                             " AND (? = 0 OR m.is_read = 0)", (me, sender_id, sender_id, int(unread_only)),
                             limit, offset)

    @tool(phrase=[
        "show the messages I sent[ to {receiver_id}][ (latest {limit})]",
        "list my[ {limit}] latest sent messages[ to {receiver_id}]",
    ])
    def view_sent_messages(self, receiver_id: str | None = None, limit: Limit = 20,
                           offset: Offset = 0) -> list[MessagePreview]:
        """List messages sent by the logged-in user, newest first, with a preview and whether it was read.

        Args:
            receiver_id: Only messages to this user id.
            limit: At most this many messages (1-100).
            offset: Skip this many of the newest messages first.
        """
        me = self._me()
        if receiver_id is not None:
            self._user(receiver_id, "receiver_id")
        return self._listing("m.sender_id = ? AND m.deleted_by_sender = 0 AND (? IS NULL OR m.receiver_id = ?)",
                             (me, receiver_id, receiver_id), limit, offset)

    @tool(phrase=["open {message_id}", "show me the full text of {message_id}", "read {message_id} in full"])
    def get_message(self, message_id: int) -> FullMessage:
        """Get the full text and details of one message of your mailbox (sent or received).

        Args:
            message_id: The message's id.
        """
        self._owned_message(message_id, self._me())
        return self._listing("m.message_id = ?", (message_id,), 1, 0, full=True)[0]

    @tool(writes=True, phrase=["mark {message_ids} as read", "mark {message_ids} read"])
    def mark_as_read(self, message_ids: Annotated[list[int], Field(min_length=1)]) -> MarkedRead:
        """Mark received messages as read.

        Args:
            message_ids: Ids of messages in your inbox.
        """
        me = self._me()
        for message_id in message_ids:
            if self._owned_message(message_id, me)["receiver_id"] != me:
                raise ToolError(f"message {message_id} was sent by you; only received messages can be marked read")
        self.executemany("UPDATE messages SET is_read = 1 WHERE message_id = ?", [(i,) for i in message_ids])
        return {"success": True, "marked_read": sorted(set(message_ids))}

    @tool(writes=True, phrase=["delete {message_id}", "remove {message_id} from my mailbox"])
    def delete_message(self, message_id: int) -> MessageDeleted:
        """Delete a message from your own mailbox; the other person keeps their copy.

        Args:
            message_id: The id of a message you sent or received.
        """
        me = self._me()
        found = self._owned_message(message_id, me)
        side = "deleted_by_sender" if found["sender_id"] == me else "deleted_by_receiver"
        self.execute(f"UPDATE messages SET {side} = 1 WHERE message_id = ?", message_id)
        return {"success": True, "message_id": message_id, "message": "message deleted from your mailbox"}

    @tool(phrase=[
        "search my messages for {keyword}[ from {sender_id}][ to {receiver_id}]",
        "find my messages mentioning {keyword}[ from {sender_id}][ to {receiver_id}]",
    ])
    def search_messages(self, keyword: NonEmptyStr, sender_id: str | None = None, receiver_id: str | None = None,
                        limit: Limit = 20) -> list[MessagePreview]:
        """Search the text of the logged-in user's sent and received messages (case-insensitive), newest first.

        Args:
            keyword: Text the message must contain.
            sender_id: Only messages from this user id.
            receiver_id: Only messages to this user id.
            limit: At most this many messages (1-100).
        """
        me = self._me()
        for user_id, field in ((sender_id, "sender_id"), (receiver_id, "receiver_id")):
            if user_id is not None:
                self._user(user_id, field)
        matches, params = self.text_filter("messages", keyword)
        return self._listing(
            "((m.sender_id = ? AND m.deleted_by_sender = 0) OR (m.receiver_id = ? AND m.deleted_by_receiver = 0))"
            f" AND m.message_id IN (SELECT message_id FROM messages WHERE {matches})"
            " AND (? IS NULL OR m.sender_id = ?) AND (? IS NULL OR m.receiver_id = ?)",
            (me, me, *params, sender_id, sender_id, receiver_id, receiver_id), limit, 0)

    @tool(phrase=[
        "get my message statistics[ (period: {time_period})]",
        "count my sent, received and unread messages[ (period: {time_period})]",
    ])
    def get_message_stats(self, time_period: Literal["today", "week", "month", "year", "all"] = "all"
                          ) -> MessageStats:
        """Count the logged-in user's sent, received and unread messages, per contact, over a recent period.

        Args:
            time_period: today, or since midnight 7 (week), 30 (month) or 365 (year) days ago, or all time.
        """
        me = self._me()
        since = period_start(self.now(), time_period)
        rows = self.rows(
            "SELECT m.sender_id, m.is_read, s.username AS sender, r.username AS receiver FROM messages m"
            " JOIN users s ON s.user_id = m.sender_id JOIN users r ON r.user_id = m.receiver_id"
            " WHERE m.sent_at >= ?2 AND ((m.sender_id = ?1 AND m.deleted_by_sender = 0)"
            " OR (m.receiver_id = ?1 AND m.deleted_by_receiver = 0))", me, since.strftime(TIME_FORMAT))
        sent = [r for r in rows if r["sender_id"] == me]
        received = [r for r in rows if r["sender_id"] != me]
        by_person = Counter(r["receiver"] for r in sent) + Counter(r["sender"] for r in received)
        return {"time_period": time_period, "total_sent": len(sent), "total_received": len(received),
                "unread": sum(1 for r in received if not r["is_read"]),
                "total_contacts": self.value("SELECT COUNT(*) FROM contacts WHERE owner_id = ?", me),
                "messages_by_contact": dict(sorted(by_person.items(), key=lambda kv: (-kv[1], kv[0])))}
