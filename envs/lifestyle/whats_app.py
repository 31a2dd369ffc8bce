"""WhatsApp: one account's contacts, 1:1 and group chats, messages with delivery receipts, groups and profile."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, strptime

TIME_FORMAT = "%Y-%m-%dT%H:%M"
E164 = r"^\+[1-9]\d{7,14}$"
GROUP = r"^120363\w+@g\.us$"
DELETE_FOR_EVERYONE_HOURS = 60
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp")
COUNTRIES = [("+1", "{:03d}555{:04d}", 0.5), ("+44", "7700{:03d}{:03d}", 0.15), ("+49", "151{:04d}{:04d}", 0.1),
             ("+34", "612{:03d}{:03d}", 0.1), ("+91", "98{:04d}{:04d}", 0.15)]
GROUP_NAMES = ["Hiking Crew", "Flat 4B", "Soccer Sundays", "Wedding Planning", "Parents of Class 3B", "Cousins",
               "Lunch Club", "Camping Trip 2026", "Running Buddies", "Board Games Night", "Book Swap", "Choir Altos"]
LINES = ["Did the plumber come by today?", "The photos from the hike are up", "Who is bringing the grill on Saturday?",
         "Can you pick up oat milk on the way?", "Train is delayed 20 min", "Happy birthday!! Cake tonight?",
         "Parking is on Elm Street this time", "I booked the cabin for three nights", "Sending the invoice tomorrow",
         "Meet at the north gate at 7", "Rehearsal moved to Thursday", "Whose turn is it to take the bins out?",
         "The landlord answered about the heating", "Kickoff at 10, bring shin pads", "Can someone share the map?",
         "Voting closes Friday: pasta or tacos", "I found your sunglasses in my car", "Flight lands 18:40, gate B"]
ABOUTS = ["Hey there! I am using WhatsApp.", "Available", "At the gym", "Busy", "Urgent calls only",
          "Living one coffee at a time", "On holiday until Monday"]
Limit = Annotated[int, Field(ge=1, le=100)]
# A contact's phone number is the user's to say (a group id comes from whatsapp_list_chats, but one type covers both)
ChatId = Annotated[str, Field(pattern=rf"{E164}|{GROUP}", description="E.164 phone number or group id"), UserKnown]
GroupId = Annotated[str, Field(pattern=GROUP)]
Phones = Annotated[list[Annotated[str, Field(pattern=E164)]], Field(min_length=1, max_length=50)]
Caption = Annotated[str, Field(max_length=1024)]


class Sent(TypedDict):
    message_id: str
    phone: str
    type: str
    status: str
    timestamp: str
    file_path: NotRequired[str]
    url: NotRequired[str]
    latitude: NotRequired[float]
    longitude: NotRequired[float]
    contact_phone: NotRequired[str]


PhoneCheck = TypedDict("PhoneCheck", {"phone": str, "is_registered": bool, "is_valid": bool})
Chat = TypedDict("Chat", {"phone": str, "group_id": str | None, "name": str, "is_group": bool, "archived": bool, "unread_count": int,
                          "last_activity": str, "last_message": str})
Chats = TypedDict("Chats", {"chats": list[Chat]})
Message = TypedDict("Message", {"message_id": str, "chat_id": str, "from_me": bool, "sender": str,
                                "sender_name": str | None, "type": str, "text": str, "attachment": str | None,
                                "status": str, "timestamp": str})
Messages = TypedDict("Messages", {"messages": list[Message]})
Archived = TypedDict("Archived", {"phone": str, "archived": bool})
Participant = TypedDict("Participant", {"phone": str, "name": str | None, "is_admin": bool})
GroupInfo = TypedDict("GroupInfo", {"group_id": str, "name": str, "description": str, "created_at": str,
                                    "participants": list[Participant], "only_admins_send": bool,
                                    "only_admins_edit_info": bool})
Created = TypedDict("Created", {"group_id": str, "name": str, "participants": list[str]})
Added = TypedDict("Added", {"group_id": str, "added_participants": list[str], "failed_participants": list[str]})
Removed = TypedDict("Removed", {"group_id": str, "removed_participants": list[str], "failed_participants": list[str]})
GroupName = TypedDict("GroupName", {"group_id": str, "name": str})
GroupDescription = TypedDict("GroupDescription", {"group_id": str, "description": str})
Left = TypedDict("Left", {"group_id": str, "left": bool, "new_admin": str | None})
Profile = TypedDict("Profile", {"phone": str, "name": str, "status": str, "profile_picture_url": str | None})
PushName = TypedDict("PushName", {"push_name": str, "updated": bool})
Avatar = TypedDict("Avatar", {"updated": bool, "avatar_path": str})
Contact = TypedDict("Contact", {"phone": str, "name": str, "is_registered": bool, "about": str | None})
Contacts = TypedDict("Contacts", {"contacts": list[Contact]})
MarkedRead = TypedDict("MarkedRead", {"phone": str, "marked_read": bool, "messages_marked": int})
Deleted = TypedDict("Deleted", {"message_id": str, "deleted": bool, "for_everyone": bool})

NAME_SQL = "COALESCE(p.saved_name, p.push_name, {col})"
MESSAGE_SQL = (f"SELECT m.message_id, m.chat_id, m.sender = me.phone AS from_me, m.sender,"
               f" CASE WHEN m.sender != me.phone THEN {NAME_SQL.format(col='m.sender')} END AS sender_name,"
               " m.type, m.body AS text, m.attachment, m.status, m.timestamp FROM messages m JOIN profile me"
               " LEFT JOIN people p ON p.phone = m.sender WHERE m.hidden = 0")


def mobile(rng: random.Random) -> str:
    code, pattern, _ = rng.choices(COUNTRIES, weights=[c[2] for c in COUNTRIES])[0]
    return code + pattern.format(rng.randrange(200, 999), rng.randrange(1000))


class WhatsApp(World):
    """The user's WhatsApp account: address-book contacts, 1:1 and group chats (archivable), messages of several
    kinds with receipts (sent, delivered, read), groups with admins and settings, and the user's profile.
    Phone numbers are E.164 (+14155550123); group ids end in @g.us; times are YYYY-MM-DDTHH:MM."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE profile (phone TEXT PRIMARY KEY, push_name TEXT NOT NULL, about TEXT NOT NULL, avatar_path TEXT);
    -- everyone the account knows of: saved_name when in the address book, push_name when on WhatsApp
    CREATE TABLE people (phone TEXT PRIMARY KEY, saved_name TEXT, push_name TEXT, about TEXT, avatar_url TEXT);
    CREATE INDEX people_by_name ON people (saved_name);
    CREATE TABLE groups (group_id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
                         created_at TEXT NOT NULL, only_admins_send INTEGER NOT NULL, only_admins_edit INTEGER NOT NULL);
    CREATE TABLE members (group_id TEXT NOT NULL REFERENCES groups, phone TEXT NOT NULL, is_admin INTEGER NOT NULL,
                          joined_at TEXT NOT NULL, PRIMARY KEY (group_id, phone));
    CREATE INDEX members_by_phone ON members (phone);
    CREATE TABLE chats (chat_id TEXT PRIMARY KEY, is_group INTEGER NOT NULL, archived INTEGER NOT NULL,
                        last_activity TEXT NOT NULL);
    CREATE INDEX chats_by_activity ON chats (archived, last_activity);
    CREATE TABLE messages (message_id TEXT PRIMARY KEY, chat_id TEXT NOT NULL REFERENCES chats, sender TEXT NOT NULL,
                           type TEXT NOT NULL, body TEXT NOT NULL, attachment TEXT, timestamp TEXT NOT NULL,
                           status TEXT NOT NULL CHECK (status IN ('sent', 'delivered', 'read')),
                           hidden INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX messages_by_chat ON messages (chat_id, timestamp);
    """
    volatile = {"messages": ("timestamp",), "chats": ("last_activity",), "groups": ("created_at",),
                "members": ("joined_at",)}
    text_search = {"people": ("saved_name", "push_name"), "messages": ("body",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        me = mobile(rng)
        db["profile"].insert({"phone": me, "push_name": fake.first_name(), "about": rng.choice(ABOUTS),
                              "avatar_path": None})
        people: dict[str, dict[str, Any]] = {}
        while len(people) < 90:
            phone, name = mobile(rng), fake.name()
            on_wa, saved = len(people) % 9 != 4, len(people) < 70
            people.setdefault(phone, {"phone": phone, "saved_name": name if saved else None,
                                      "push_name": name.split()[0] if on_wa else None,
                                      "about": rng.choice(ABOUTS) if on_wa else None,
                                      "avatar_url": f"https://pps.whatsapp.net/v/{rng.getrandbits(32):08x}.jpg"
                                      if on_wa and rng.random() < 0.7 else None})
        db["people"].insert_all(people.values())
        registered = sorted(p for p, v in people.items() if v["push_name"])
        chats, messages = [], []

        def chat(chat_id: str, talkers: list[str], is_group: bool) -> None:
            when = dt.datetime.combine(cls.days_before_start(rng, 1, 60), dt.time(rng.randrange(7, 22)))
            for n in range(rng.randrange(4, 16)):
                when += dt.timedelta(minutes=rng.randrange(3, 900))
                sender = rng.choice([me, *talkers])
                mine, recent = sender == me, n > 1 and rng.random() < 0.3
                messages.append({"message_id": fake_id(rng, "3EB0"), "chat_id": chat_id, "sender": sender,
                                 "type": "text", "body": rng.choice(LINES), "attachment": None,
                                 "timestamp": min(when, cls.start_time).strftime(TIME_FORMAT),
                                 "status": ("delivered" if recent else "read") if not mine
                                 else rng.choice(["sent", "delivered", "read", "read"])})
            chats.append({"chat_id": chat_id, "is_group": int(is_group), "archived": int(rng.random() < 0.15),
                          "last_activity": messages[-1]["timestamp"]})

        for phone in rng.sample(registered, 35):
            chat(phone, [phone], False)
        groups, members = [], []
        for n, name in enumerate(rng.sample(GROUP_NAMES, 10)):
            gid = f"120363{rng.randrange(10**11, 10**12)}@g.us"
            crowd = rng.sample(registered, rng.randrange(3, 14))
            admins = set(crowd[:rng.randrange(1, 3)]) | ({me} if n % 3 == 0 else set())
            groups.append({"group_id": gid, "name": name, "description": f"{name}: {fake.sentence(nb_words=8)}",
                           "created_at": cls.days_before_start(rng, 90, 700).isoformat() + "T12:00",
                           "only_admins_send": int(n % 5 == 4), "only_admins_edit": int(n % 2 == 1)})
            members += [{"group_id": gid, "phone": p, "is_admin": int(p in admins),
                         "joined_at": cls.days_before_start(rng, 61, 89).isoformat() + "T12:00"}
                        for p in ([me] if n != 9 else []) + crowd]
            chat(gid, crowd, True)
        db["groups"].insert_all(groups)
        db["members"].insert_all(members)
        db["chats"].insert_all(chats)
        db["messages"].insert_all(messages)

    # ----------------------------------------------------------------- helpers
    def _me(self) -> str:
        return self.value("SELECT phone FROM profile")

    def _person(self, phone: str) -> dict[str, Any]:
        found = self.row("SELECT * FROM people WHERE phone = ? AND push_name IS NOT NULL", phone)
        if found is None:
            raise ToolError(f"{phone} is not on WhatsApp; check numbers with whatsapp_check_phone")
        return found

    def _group(self, group_id: str, admin: bool = False, action: str = "") -> dict[str, Any]:
        group = self.require("SELECT * FROM groups WHERE group_id = ?", group_id,
                             error=f"no group '{group_id}'; whatsapp_list_chats shows your groups")
        role = self.value("SELECT is_admin FROM members WHERE group_id = ? AND phone = ?", group_id, self._me())
        if role is None:
            raise ToolError(f"you are not a participant of '{group['name']}' any more")
        if admin and not role:
            raise ToolError(f"only admins of '{group['name']}' can {action}; ask one of its admins")
        return group

    def _chat(self, phone: str) -> dict[str, Any]:
        return self.require("SELECT * FROM chats WHERE chat_id = ?", phone,
                            error=f"no chat with {phone}; whatsapp_list_chats shows your chats")

    def _send(self, phone: str, kind: str, body: str, attachment: str | None = None, **extra: Any) -> Sent:
        """Post one message of any kind to a person or group chat (opening a 1:1 chat when needed)."""
        if phone.endswith("@g.us"):
            group = self._group(phone)
            if group["only_admins_send"] and not self.value(
                    "SELECT is_admin FROM members WHERE group_id = ? AND phone = ?", phone, self._me()):
                raise ToolError(f"only admins can send messages to '{group['name']}'")
        else:
            if phone == self._me():
                raise ToolError("that is your own number; choose a contact or group to send to")
            self._person(phone)
        now = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO chats VALUES (?, ?, 0, ?) ON CONFLICT (chat_id) DO UPDATE SET last_activity = ?",
                     phone, int(phone.endswith("@g.us")), now, now)
        message_id = self.new_id("messages", "3EB0")
        self.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', 0)",
                     message_id, phone, self._me(), kind, body, attachment, now)
        return {"message_id": message_id, "phone": phone, "type": kind, "status": "sent", "timestamp": now, **extra}

    # ----------------------------------------------------------------- sending
    @tool(writes=True, phrase=["text {phone} {message}", "send {phone} a WhatsApp message saying {message}",
                               "tell {phone} on WhatsApp: {message}"])
    def whatsapp_send_text_message(self, phone: ChatId,
                                   message: Annotated[NonEmptyStr, Field(max_length=4096)]) -> Sent:
        """Send a text message to a person or a group.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            message: The text, up to 4096 characters.
        """
        return self._send(phone, "text", message)

    @tool(writes=True, phrase=["send the photo {image_path} to {phone}[ with the caption {caption}]",
                               "share the picture {image_path} with {phone}[, captioned {caption}]"])
    def whatsapp_send_image(self, phone: ChatId, image_path: Annotated[str, UserKnown, Field(min_length=5)],
                            caption: Caption = "") -> Sent:
        """Send an image (.jpg, .jpeg, .png or .webp) with an optional caption.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            image_path: Path of the image on the device.
            caption: Text shown under the image, up to 1024 characters.
        """
        if not image_path.lower().endswith(IMAGE_TYPES):
            raise ToolError(f"'{image_path}' is not an image ({', '.join(IMAGE_TYPES)}); send it with "
                            "whatsapp_send_file instead")
        return self._send(phone, "image", caption, image_path)

    @tool(writes=True, phrase=["send the file {file_path} to {phone}[ with the note {caption}]",
                               "share the document {file_path} with {phone}"])
    def whatsapp_send_file(self, phone: ChatId, file_path: Annotated[str, UserKnown, Field(pattern=r"^\S.*\.[A-Za-z0-9]{1,5}$")],
                           caption: Caption = "") -> Sent:
        """Send a document of any type with an optional caption.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            file_path: Path of the file on the device.
            caption: Text sent with the file, up to 1024 characters.
        """
        return self._send(phone, "file", caption, file_path, file_path=file_path)

    @tool(writes=True, phrase=["send {phone} the link {url}[ with the preview {preview_text}]",
                               "share {url} with {phone} on WhatsApp"])
    def whatsapp_send_link(self, phone: ChatId, url: Annotated[str, UserKnown, Field(pattern=r"^https?://\S+$")],
                           preview_text: Caption = "") -> Sent:
        """Send a web link with an optional preview text.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            url: The http(s) address.
            preview_text: Text shown with the link.
        """
        return self._send(phone, "link", preview_text, url, url=url)

    @tool(writes=True, phrase=["send {phone} the location {latitude}, {longitude}[ ({name})]",
                               "share the pin at {latitude},{longitude}[ called {name}] with {phone}"])
    def whatsapp_send_location(self, phone: ChatId, latitude: Annotated[float, Field(ge=-90, le=90)],
                               longitude: Annotated[float, Field(ge=-180, le=180)], name: str = "") -> Sent:
        """Send a map location.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            latitude: Degrees north, -90 to 90.
            longitude: Degrees east, -180 to 180.
            name: Name of the place.
        """
        return self._send(phone, "location", name, f"{latitude},{longitude}", latitude=latitude, longitude=longitude)

    @tool(writes=True, phrase=["send {contact_name}'s number ({contact_phone}) to {phone}",
                               "share the contact card of {contact_name} with {phone}"])
    def whatsapp_send_contact(self, phone: ChatId, contact_phone: Annotated[str, Field(pattern=E164)],
                              contact_name: NonEmptyStr) -> Sent:
        """Send someone's contact card.

        Args:
            phone: Recipient: an E.164 phone number or a group id.
            contact_phone: The shared person's E.164 number.
            contact_name: The shared person's name.
        """
        return self._send(phone, "contact", contact_name, contact_phone, contact_phone=contact_phone)

    # ----------------------------------------------------------------- chats and messages
    @tool(phrase=["check whether {phone} is on WhatsApp", "find out if the number {phone} uses WhatsApp"])
    def whatsapp_check_phone(self, phone: Annotated[str, UserKnown, Field(max_length=32)]) -> PhoneCheck:
        """Whether a phone number is a valid E.164 number and registered on WhatsApp.

        Args:
            phone: The number, e.g. +14155550123.
        """
        valid = re.fullmatch(E164, phone) is not None
        registered = valid and self.row("SELECT 1 FROM people WHERE phone = ? AND push_name IS NOT NULL",
                                        phone) is not None
        return {"phone": phone, "is_registered": registered, "is_valid": valid}

    @tool(phrase=["show my[ archived] WhatsApp chats", "show which chats have unread messages"])
    def whatsapp_list_chats(self, limit: Limit = 20, archived: bool = False) -> Chats:
        """The user's chats, most recent activity first, with unread counts.

        Args:
            limit: At most this many chats.
            archived: List the archived chats instead of the main list.
        """
        rows = self.rows(
            f"SELECT c.chat_id AS phone, g.group_id, COALESCE(g.name, {NAME_SQL.format(col='c.chat_id')}) AS name, c.is_group,"
            " c.archived, c.last_activity, (SELECT COUNT(*) FROM messages m WHERE m.chat_id = c.chat_id AND"
            " m.hidden = 0 AND m.status != 'read' AND m.sender != me.phone) AS unread_count, (SELECT body FROM"
            " messages m WHERE m.chat_id = c.chat_id AND m.hidden = 0 ORDER BY timestamp DESC, rowid DESC LIMIT 1)"
            " AS last_message FROM chats c JOIN profile me LEFT JOIN groups g ON g.group_id = c.chat_id"
            " LEFT JOIN people p ON p.phone = c.chat_id WHERE c.archived = ?"
            " ORDER BY c.last_activity DESC, c.chat_id LIMIT ?", int(archived), limit)
        return {"chats": [{**r, "is_group": bool(r["is_group"]), "archived": bool(r["archived"]),
                           "last_message": r["last_message"] or ""} for r in rows]}

    def _messages(self, where: str, *params: Any) -> list[Message]:
        return [{**m, "from_me": bool(m["from_me"])} for m in self.rows(f"{MESSAGE_SQL} AND {where}", *params)]

    @tool(phrase=["show the latest messages with {phone}", "read my WhatsApp conversation with {phone}"])
    def whatsapp_get_chat_messages(self, phone: ChatId, limit: Limit = 20) -> Messages:
        """Messages of one chat, newest first (message_id, sender, kind, text, attachment, receipt status).

        Args:
            phone: The chat: an E.164 phone number or a group id.
            limit: At most this many messages.
        """
        self._chat(phone)
        return {"messages": self._messages("m.chat_id = ? ORDER BY m.timestamp DESC, m.rowid DESC LIMIT ?",
                                           phone, limit)}

    @tool(phrase=["find the WhatsApp messages mentioning {query}", "search my chats for {query}"])
    def whatsapp_search_messages(self, query: NonEmptyStr, limit: Limit = 20) -> Messages:
        """Messages in any chat whose text or caption contains the query (case-insensitive), newest first.

        Args:
            query: Text to look for.
            limit: At most this many messages.
        """
        matches, params = self.text_filter("messages", query)
        return {"messages": self._messages(f"m.rowid IN (SELECT messages.rowid FROM messages WHERE {matches})"
                                           " ORDER BY m.timestamp DESC, m.rowid DESC LIMIT ?", *params, limit)}

    @tool(writes=True, phrase=["archive my chat with {phone}", "tuck the chat with {phone} away in the archive"])
    def whatsapp_archive_chat(self, phone: ChatId, archive: bool = True) -> Archived:
        """Archive a chat, or bring it back from the archive.

        Args:
            phone: The chat: an E.164 phone number or a group id.
            archive: True to archive, false to unarchive.
        """
        if bool(self._chat(phone)["archived"]) == archive:
            raise ToolError(f"the chat with {phone} is already {'archived' if archive else 'in the main list'}")
        self.execute("UPDATE chats SET archived = ? WHERE chat_id = ?", int(archive), phone)
        return {"phone": phone, "archived": archive}

    @tool(writes=True, phrase=["mark my chat with {phone} as read", "clear the unread messages from {phone}"])
    def whatsapp_mark_message_read(self, phone: ChatId, message_id: str | None = None) -> MarkedRead:
        """Send read receipts: mark a received message and every earlier one in the chat read (all when no
        message_id is given).

        Args:
            phone: The chat: an E.164 phone number or a group id.
            message_id: The newest message to mark read.
        """
        self._chat(phone)
        upto = "9999"
        if message_id is not None:
            target = self.require("SELECT * FROM messages WHERE message_id = ? AND chat_id = ? AND hidden = 0",
                                  message_id, phone, error=f"no message '{message_id}' in the chat with {phone}")
            if target["sender"] == self._me():
                raise ToolError(f"'{message_id}' is a message you sent; its receipt comes from the recipient")
            upto = target["timestamp"]
        marked = self.execute("UPDATE messages SET status = 'read' WHERE chat_id = ? AND sender != ? AND status !="
                              " 'read' AND hidden = 0 AND timestamp <= ?", phone, self._me(), upto)
        if not marked:
            raise ToolError(f"no unread messages in the chat with {phone}")
        return {"phone": phone, "marked_read": True, "messages_marked": marked}

    @tool(writes=True, phrase=["delete the message {message_id} from my chat with {phone}[ for everyone: {for_everyone}]",
                               "unsend my message {message_id} to {phone}"])
    def whatsapp_delete_message(self, phone: ChatId, message_id: str, for_everyone: bool = False) -> Deleted:
        """Delete a message: for me only (any message), or for everyone (only your own, within 60 hours).

        Args:
            phone: The chat: an E.164 phone number or a group id.
            message_id: The message.
            for_everyone: Also remove it from the other participants' phones.
        """
        found = self.require("SELECT * FROM messages WHERE message_id = ? AND chat_id = ? AND hidden = 0",
                             message_id, phone, error=f"no message '{message_id}' in the chat with {phone}")
        if for_everyone:
            if found["sender"] != self._me():
                raise ToolError("only your own messages can be deleted for everyone; delete it for you instead")
            sent = strptime(found["timestamp"], TIME_FORMAT)
            if self.now() - sent > dt.timedelta(hours=DELETE_FOR_EVERYONE_HOURS):
                raise ToolError(f"messages can be deleted for everyone only within {DELETE_FOR_EVERYONE_HOURS} "
                                "hours of sending; delete it for you instead")
            self.execute("UPDATE messages SET type = 'revoked', body = 'This message was deleted', attachment ="
                         " NULL WHERE message_id = ?", message_id)
        else:
            self.execute("UPDATE messages SET hidden = 1 WHERE message_id = ?", message_id)
        return {"message_id": message_id, "deleted": True, "for_everyone": for_everyone}

    # ----------------------------------------------------------------- groups
    def _participants(self, group_id: str) -> list[Participant]:
        return [{**r, "is_admin": bool(r["is_admin"])} for r in self.rows(
            f"SELECT m.phone, CASE WHEN m.phone != me.phone THEN {NAME_SQL.format(col='m.phone')} END"
            " AS name, m.is_admin FROM members m JOIN profile me LEFT JOIN people p ON p.phone = m.phone"
            " WHERE m.group_id = ? ORDER BY m.is_admin DESC, m.joined_at, m.phone", group_id)]

    @tool(writes=True, phrase=["start a WhatsApp group called {name} with {participants}",
                               "create a group {name} and add {participants}"])
    def whatsapp_create_group(self, name: Annotated[NonEmptyStr, Field(max_length=25)], participants: Phones) -> Created:
        """Create a group with the user as its admin; every participant must be on WhatsApp.

        Args:
            name: Group subject, up to 25 characters.
            participants: E.164 numbers of the people to add (at least one).
        """
        chosen = list(dict.fromkeys(p for p in participants if p != self._me()))
        if not chosen:
            raise ToolError("a group needs at least one participant besides you")
        for phone in chosen:
            self._person(phone)
        group_id = self.new_id("groups", "120363") + "@g.us"
        self.mark_generated("groups", group_id)
        now = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO groups VALUES (?, ?, '', ?, 0, 0)", group_id, name.strip(), now)
        self.executemany("INSERT INTO members VALUES (?, ?, ?, ?)",
                         [(group_id, p, int(p == self._me()), now) for p in [self._me(), *chosen]])
        self.execute("INSERT INTO chats VALUES (?, 1, 0, ?)", group_id, now)
        return {"group_id": group_id, "name": name.strip(), "participants": chosen}

    @tool(phrase=["show who is in the group {group_id}", "show the members and admins of {group_id}"])
    def whatsapp_get_group_info(self, group_id: GroupId) -> GroupInfo:
        """A group's subject, description, creation time, settings and participants (admins first).

        Args:
            group_id: The group's id (ends in @g.us).
        """
        group = self.require("SELECT * FROM groups WHERE group_id = ?", group_id, error=f"no group '{group_id}'")
        return {"group_id": group_id, "name": group["name"], "description": group["description"],
                "created_at": group["created_at"], "participants": self._participants(group_id),
                "only_admins_send": bool(group["only_admins_send"]),
                "only_admins_edit_info": bool(group["only_admins_edit"])}

    @tool(writes=True, phrase=["add {participants} to the group {group_id}", "invite {participants} into {group_id}"])
    def whatsapp_add_group_participants(self, group_id: GroupId, participants: Phones) -> Added:
        """Add people to a group (admins only); numbers already in it or not on WhatsApp come back as failed.

        Args:
            group_id: The group's id.
            participants: E.164 numbers to add.
        """
        self._group(group_id, admin=True, action="add participants")
        added, failed, now = [], [], self.now().strftime(TIME_FORMAT)
        for phone in dict.fromkeys(participants):
            known = self.row("SELECT 1 FROM people WHERE phone = ? AND push_name IS NOT NULL", phone)
            if not known or self.row("SELECT 1 FROM members WHERE group_id = ? AND phone = ?", group_id, phone):
                failed.append(phone)
                continue
            self.execute("INSERT INTO members VALUES (?, ?, 0, ?)", group_id, phone, now)
            added.append(phone)
        return {"group_id": group_id, "added_participants": added, "failed_participants": failed}

    @tool(writes=True, phrase=["remove {participants} from the group {group_id}",
                               "kick {participants} out of {group_id}"])
    def whatsapp_remove_group_participants(self, group_id: GroupId, participants: Phones) -> Removed:
        """Remove people from a group (admins only); to take yourself out use whatsapp_leave_group.

        Args:
            group_id: The group's id.
            participants: E.164 numbers to remove.
        """
        self._group(group_id, admin=True, action="remove participants")
        removed, failed = [], []
        for phone in dict.fromkeys(participants):
            gone = phone != self._me() and self.execute(
                "DELETE FROM members WHERE group_id = ? AND phone = ?", group_id, phone)
            (removed if gone else failed).append(phone)
        return {"group_id": group_id, "removed_participants": removed, "failed_participants": failed}

    def _edit(self, group_id: str, column: str, value: str) -> None:
        group = self._group(group_id)
        if group["only_admins_edit"]:
            self._group(group_id, admin=True, action="edit the group info")
        self.execute(f"UPDATE groups SET {column} = ? WHERE group_id = ?", value, group_id)

    @tool(writes=True, phrase=["rename the group {group_id} to {name}", "change the subject of {group_id} to {name}"])
    def whatsapp_update_group_name(self, group_id: GroupId, name: Annotated[NonEmptyStr, Field(max_length=25)]
                                   ) -> GroupName:
        """Change a group's subject (admins only when the group restricts editing its info).

        Args:
            group_id: The group's id.
            name: New subject, up to 25 characters.
        """
        self._edit(group_id, "name", name.strip())
        return {"group_id": group_id, "name": name.strip()}

    @tool(writes=True, phrase=["set the description of {group_id} to {description}",
                               "change what the group {group_id} is about to {description}"])
    def whatsapp_update_group_description(self, group_id: GroupId, description: Annotated[str, Field(max_length=512)]
                                          ) -> GroupDescription:
        """Change a group's description (empty clears it; admins only when the group restricts editing its info).

        Args:
            group_id: The group's id.
            description: New description, up to 512 characters.
        """
        self._edit(group_id, "description", description.strip())
        return {"group_id": group_id, "description": description.strip()}

    @tool(writes=True, phrase=["leave the WhatsApp group {group_id}", "exit the group {group_id}"])
    def whatsapp_leave_group(self, group_id: GroupId) -> Left:
        """Leave a group. When the last admin leaves, the longest-standing participant becomes admin.

        Args:
            group_id: The group's id.
        """
        self._group(group_id)
        self.execute("DELETE FROM members WHERE group_id = ? AND phone = ?", group_id, self._me())
        heir = None
        if not self.value("SELECT COUNT(*) FROM members WHERE group_id = ? AND is_admin = 1", group_id):
            heir = self.value("SELECT phone FROM members WHERE group_id = ? ORDER BY joined_at, phone LIMIT 1",
                              group_id)
            self.execute("UPDATE members SET is_admin = 1 WHERE group_id = ? AND phone = ?", group_id, heir)
        return {"group_id": group_id, "left": True, "new_admin": heir}

    # ----------------------------------------------------------------- profile and contacts
    @tool(phrase=["show my WhatsApp profile", "look up the WhatsApp status of {phone}"])
    def whatsapp_get_profile_info(self, phone: Annotated[str, Field(pattern=E164)] | None = None) -> Profile:
        """A profile: the user's own when no phone is given, else that person's name, about text and picture.

        Args:
            phone: Whose profile, an E.164 number.
        """
        if phone is None or phone == self._me():
            mine = self.row("SELECT * FROM profile")
            return {"phone": mine["phone"], "name": mine["push_name"], "status": mine["about"],
                    "profile_picture_url": mine["avatar_path"]}
        person = self._person(phone)
        return {"phone": phone, "name": person["push_name"], "status": person["about"],
                "profile_picture_url": person["avatar_url"]}

    @tool(writes=True, phrase=["change my WhatsApp name to {push_name}", "make my display name on WhatsApp {push_name}"])
    def whatsapp_change_push_name(self, push_name: Annotated[NonEmptyStr, UserKnown, Field(max_length=25)]) -> PushName:
        """Change the name others see for the user (up to 25 characters).

        Args:
            push_name: The new display name.
        """
        self.execute("UPDATE profile SET push_name = ?", push_name.strip())
        return {"push_name": push_name.strip(), "updated": True}

    @tool(writes=True, phrase=["use {avatar_path} as my WhatsApp profile picture",
                               "change my WhatsApp avatar to {avatar_path}"])
    def whatsapp_change_avatar(self, avatar_path: Annotated[str, UserKnown, Field(min_length=5)]) -> Avatar:
        """Set the user's profile picture from an image file (.jpg, .jpeg, .png or .webp).

        Args:
            avatar_path: Path of the image on the device.
        """
        if not avatar_path.lower().endswith(IMAGE_TYPES):
            raise ToolError(f"'{avatar_path}' is not an image; a profile picture must be {', '.join(IMAGE_TYPES)}")
        self.execute("UPDATE profile SET avatar_path = ?", avatar_path)
        return {"updated": True, "avatar_path": avatar_path}

    @tool(phrase=["find {query} in my WhatsApp contacts", "list my WhatsApp contacts"])
    def whatsapp_get_contacts(self, limit: Limit = 50, query: str | None = None) -> Contacts:
        """Address-book contacts by name, with whether each is on WhatsApp.

        Args:
            limit: At most this many contacts.
            query: Only contacts whose name contains this text.
        """
        matches, params = self.text_filter("people", query) if query and query.strip() else ("1", ())
        rows = self.rows(f"SELECT phone, saved_name AS name, push_name IS NOT NULL AS is_registered, about FROM"
                         f" people WHERE saved_name IS NOT NULL AND {matches} ORDER BY saved_name, phone LIMIT ?",
                         *params, limit)
        return {"contacts": [{**r, "is_registered": bool(r["is_registered"])} for r in rows]}
