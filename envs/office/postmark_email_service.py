"""PostmarkEmailService: one Postmark server: message streams, sender signatures, messages, bounces and opens."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

STAMP = "%Y-%m-%dT%H:%M:%S"
EMAIL = r"^[^@\s,<>]+@[^@\s,<>]+\.[A-Za-z]{2,}$"
Email = Annotated[str, UserKnown, Field(pattern=EMAIL, max_length=254)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
TrackLinks = Literal["None", "HtmlAndText", "HtmlOnly", "TextOnly"]
TAGS = ["welcome", "password-reset", "receipt", "invoice", "digest", "announcement"]
BOUNCES = {  # type -> (description, can be reactivated)
    "HardBounce": ("The server was unable to deliver your message (ex: unknown user, mailbox not found).", True),
    "SoftBounce": ("Unable to temporarily deliver this message (ex: mailbox full).", True),
    "SpamComplaint": ("The subscriber explicitly marked this message as spam.", False),
    "Blocked": ("The ISP blocked this message, perhaps for its content.", True),
}
CLIENTS = [("Gmail", "Android", "Mobile"), ("Apple Mail", "iOS", "Mobile"), ("Outlook 2019", "Windows", "Desktop"),
           ("Chrome", "macOS", "WebMail"), ("Thunderbird", "Linux", "Desktop")]


def message_uuid(hex10: str) -> str:
    return f"{hex10[:8]}-{hex10[8:]}{hex10[2:4]}-{hex10[4:8]}-{hex10[:4]}-{hex10}{hex10[6:8]}"


class SendResult(TypedDict):
    To: str
    SubmittedAt: str
    MessageID: str
    ErrorCode: int
    Message: str


class BatchMessage(TypedDict):
    to_email: Email
    subject: NonEmptyStr
    from_email: Email
    text_body: NotRequired[str]
    html_body: NotRequired[str]
    tag: NotRequired[str]


class BatchResults(TypedDict):
    results: list[SendResult]


class Bounce(TypedDict):
    ID: int
    Type: str
    Email: str
    MessageID: str
    Description: str
    BouncedAt: str
    Inactive: bool
    CanActivate: bool
    Tag: str
    MessageStream: str


class Bounces(TypedDict):
    total_count: int
    bounces: list[Bounce]


class Stats(TypedDict):
    Sent: int
    HardBounces: int
    SoftBounces: int
    TotalBounces: int
    SpamComplaints: int
    Opens: int
    UniqueOpens: int
    Tracked: int


class Open(TypedDict):
    Recipient: str
    ReceivedAt: str
    Client: str
    OS: str
    Platform: str
    FirstOpen: bool


class Opens(TypedDict):
    total_count: int
    opens: list[Open]


class Message(TypedDict):
    MessageID: str
    To: str
    From: str
    Subject: str
    Tag: str
    Status: str
    MessageStream: str
    ReceivedAt: str


class Stream(TypedDict):
    ID: str
    Name: str
    MessageStreamType: str
    Archived: bool


class PostmarkEmailService(World):
    """One Postmark server (its server token): message streams (transactional 'outbound', 'broadcast'), confirmed
    sender signatures, outbound messages, bounces (an address that hard-bounced or complained becomes inactive
    and is not mailed until its bounce is reactivated) and open tracking. Times are UTC."""

    domain = "Office"
    schema = """
    CREATE TABLE streams (id TEXT PRIMARY KEY, name TEXT NOT NULL, stream_type TEXT NOT NULL
                          CHECK (stream_type IN ('Transactional', 'Broadcasts', 'Inbound')), archived INTEGER NOT NULL);
    CREATE TABLE signatures (from_email TEXT PRIMARY KEY, name TEXT NOT NULL, confirmed INTEGER NOT NULL);
    CREATE TABLE messages (message_id TEXT PRIMARY KEY, stream TEXT NOT NULL REFERENCES streams,
                           from_email TEXT NOT NULL, to_email TEXT NOT NULL, subject TEXT NOT NULL, tag TEXT NOT NULL,
                           track_opens INTEGER NOT NULL, track_links TEXT NOT NULL, status TEXT NOT NULL,
                           received_at TEXT NOT NULL);
    CREATE INDEX messages_by_tag ON messages (tag, received_at);
    CREATE INDEX messages_by_recipient ON messages (to_email);
    CREATE TABLE bounces (id INTEGER PRIMARY KEY, type TEXT NOT NULL, email TEXT NOT NULL, message_id TEXT NOT NULL
                          REFERENCES messages, bounced_at TEXT NOT NULL, inactive INTEGER NOT NULL);
    CREATE INDEX bounces_by_email ON bounces (email, inactive);
    CREATE TABLE opens (message_id TEXT NOT NULL REFERENCES messages, recipient TEXT NOT NULL,
                        received_at TEXT NOT NULL, client TEXT NOT NULL, os TEXT NOT NULL, platform TEXT NOT NULL,
                        PRIMARY KEY (message_id, received_at));
    """
    volatile = {"messages": ("received_at",)}
    text_search = {"messages": ("subject",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["streams"].insert_all([
            {"id": "outbound", "name": "Default Transactional Stream", "stream_type": "Transactional", "archived": 0},
            {"id": "broadcast", "name": "Default Broadcast Stream", "stream_type": "Broadcasts", "archived": 0},
            {"id": "password-resets", "name": "Password resets", "stream_type": "Transactional", "archived": 1}])
        company = fake.domain_name()
        signatures = [{"from_email": f"{box}@{company}", "name": name, "confirmed": int(box != "sales")}
                      for box, name in [("support", "Support"), ("receipts", "Receipts"), ("news", "Newsletter"),
                                        ("sales", "Sales team")]]
        db["signatures"].insert_all(signatures)
        people = sorted({fake.free_email() for _ in range(80)})
        messages, bounces, opens = [], [], []
        for _ in range(160):
            sent = cls.start_time - dt.timedelta(days=rng.randrange(0, 30), seconds=rng.randrange(86400))
            stream = rng.choice(["outbound"] * 3 + ["broadcast"])
            tag = "digest" if stream == "broadcast" else rng.choice(TAGS)
            to, message_id = rng.choice(people), message_uuid(f"{rng.getrandbits(40):010x}")
            track = rng.random() < 0.8
            bounced = rng.random() < 0.1
            messages.append({"message_id": message_id, "stream": stream, "to_email": to, "tag": tag,
                             "from_email": signatures[2 if stream == "broadcast" else rng.randrange(2)]["from_email"],
                             "subject": fake.catch_phrase(), "track_opens": int(track),
                             "track_links": rng.choice(["None", "HtmlAndText"]), "received_at": sent.strftime(STAMP),
                             "status": "Sent"})
            if bounced:
                kind = rng.choice(["HardBounce", "HardBounce", "SoftBounce", "SpamComplaint", "Blocked"])
                bounces.append({"id": rng.randrange(10**9, 10**10), "type": kind, "email": to,
                                "message_id": message_id, "inactive": int(kind in ("HardBounce", "SpamComplaint")),
                                "bounced_at": (sent + dt.timedelta(seconds=rng.randrange(5, 600))).strftime(STAMP)})
            elif track:
                for n in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
                    client = rng.choice(CLIENTS)
                    opens.append({"message_id": message_id, "recipient": to, "client": client[0], "os": client[1],
                                  "platform": client[2], "received_at": min(
                                      sent + dt.timedelta(minutes=rng.randrange(1, 600) * (n + 1)),
                                      cls.start_time - dt.timedelta(minutes=1)).strftime(STAMP)})
        db["messages"].insert_all(messages)
        db["bounces"].insert_all(bounces)
        db["opens"].insert_all(opens, ignore=True)

    # ------------------------------------------------------------------ helpers
    def _submit(self, to_email: str, from_email: str, subject: str, text: str | None, html: str | None,
                tag: str | None, track_opens: bool, track_links: str, stream: str) -> SendResult:
        """Send one message, or raise ToolError with Postmark's error code and message."""
        if not (text or html):
            raise ToolError("ErrorCode 300: Provide either email TextBody or HtmlBody or both.")
        # the stream, the sender signature and whether the recipient is inactive, in one query
        stream_type, archived, confirmed, inactive = self.conn.execute(
            "SELECT (SELECT stream_type FROM streams WHERE id = ?1), (SELECT archived FROM streams WHERE id = ?1),"
            " (SELECT confirmed FROM signatures WHERE from_email = ?2),"
            " EXISTS (SELECT 1 FROM bounces WHERE email = ?3 AND inactive = 1)",
            (stream, from_email.lower(), to_email.lower())).fetchone()
        if stream_type is None or stream_type == "Inbound":
            raise ToolError(f"ErrorCode 1235: The message stream '{stream}' does not exist on this server; "
                            "list_message_streams shows the streams")
        if archived:
            raise ToolError(f"ErrorCode 1236: The message stream '{stream}' is archived; unarchive it or use another")
        if confirmed is None or not confirmed:
            raise ToolError(f"ErrorCode 400: The 'From' address you supplied ({from_email}) is not a "
                            f"{'confirmed ' if confirmed is not None else ''}Sender Signature on your account. Add and"
                            " confirm this address in order to use it in the 'From' field of your messages.")
        if inactive:
            raise ToolError(f"ErrorCode 406: You tried to send to recipient(s) that have been marked as inactive "
                            f"({to_email.lower()}). Inactive recipients are ones that have generated a hard bounce or "
                            "a spam complaint; reactivate the bounce (activate_bounce) to mail them again.")
        message_id = self.new_id("messages", "")
        full = message_uuid(message_id)
        self.mark_generated("messages", full)
        now = self.now().strftime(STAMP)
        self.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Sent', ?)", full, stream,
                     from_email.lower(), to_email.lower(), subject.strip(), tag or "", int(track_opens), track_links,
                     now)
        return {"To": to_email.lower(), "SubmittedAt": now + "Z", "MessageID": full, "ErrorCode": 0, "Message": "OK"}

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["email {to_email} from {from_email} with the subject {subject}[, tagged {tag}]",
                               "send {to_email} a message about {subject} from {from_email}"
                               "[ through {message_stream}]"])
    def send_email(self, to_email: Email, subject: NonEmptyStr, from_email: Email, text_body: str | None = None,
                   html_body: str | None = None, tag: Annotated[str, Field(max_length=1000)] | None = None,
                   track_opens: bool = True, track_links: TrackLinks = "None",
                   message_stream: Literal["outbound", "broadcast", "password-resets"] = "outbound") -> SendResult:
        """Send one email through a message stream (transactional 'outbound' by default).

        Args:
            to_email: Recipient address.
            subject: Subject line.
            from_email: Sender; must be a confirmed sender signature.
            text_body: Plain-text body (give it or html_body).
            html_body: HTML body.
            tag: A tag for filtering stats.
            track_opens: Track opens of this message.
            track_links: Which bodies get link tracking.
            message_stream: The stream to send through.
        """
        return self._submit(to_email, from_email, subject, text_body, html_body, tag, track_opens, track_links,
                            message_stream)

    @tool(writes=True, phrase=["send these messages in one batch"])
    def send_email_batch(self, messages: Annotated[list[BatchMessage], Field(min_length=1, max_length=500)]
                         ) -> BatchResults:
        """Send up to 500 messages through the 'outbound' stream in one call; each gets its own result, so a
        message that fails (ErrorCode not 0) does not stop the others.

        Args:
            messages: The messages, each with to_email, from_email, subject and text_body or html_body.
        """
        results: list[SendResult] = []
        for m in messages:
            self.execute("SAVEPOINT batch_message")
            try:
                results.append(self._submit(m["to_email"], m["from_email"], m["subject"], m.get("text_body"),
                                            m.get("html_body"), m.get("tag"), True, "None", "outbound"))
            except ToolError as error:
                code, _, text = str(error).removeprefix("ErrorCode ").partition(": ")
                results.append({"To": m["to_email"].lower(), "SubmittedAt": "", "MessageID": "",
                                "ErrorCode": int(code), "Message": text})
                self.execute("ROLLBACK TO batch_message")
            self.execute("RELEASE batch_message")
        return {"results": results}

    @tool(phrase=["list the[ {type}] bounces[ of {email_filter}]", "show which addresses bounced[ ({type})]",
                  "show the bounces that made addresses inactive"])
    def get_bounces(self, count: Annotated[int, Field(ge=1, le=500)] = 50, offset: Annotated[int, Field(ge=0)] = 0,
                    inactive: bool | None = None, email_filter: str | None = None,
                    type: Literal[tuple(BOUNCES)] | None = None) -> Bounces:  # type: ignore[valid-type]
        """Bounces of the server, newest first.

        Args:
            count: Page size, 1-500.
            offset: Bounces to skip.
            inactive: Only bounces whose address is (true) or is not (false) inactive.
            email_filter: Only addresses containing this text.
            type: Only this bounce type.
        """
        where = ("(?1 IS NULL OR b.inactive = ?1) AND (?2 IS NULL OR instr(b.email, lower(?2)) > 0)"
                 " AND (?3 IS NULL OR b.type = ?3)")
        params = (None if inactive is None else int(inactive), email_filter and email_filter.strip(), type)
        rows = self.rows(f"SELECT b.*, m.tag, m.stream FROM bounces b JOIN messages m USING (message_id) WHERE {where}"
                         " ORDER BY b.bounced_at DESC, b.id LIMIT ?4 OFFSET ?5", *params, count, offset)
        return {"total_count": self.value(f"SELECT COUNT(*) FROM bounces b WHERE {where}", *params),
                "bounces": [{"ID": r["id"], "Type": r["type"], "Email": r["email"], "MessageID": r["message_id"],
                             "Description": BOUNCES[r["type"]][0], "BouncedAt": r["bounced_at"] + "Z",
                             "Inactive": bool(r["inactive"]), "CanActivate": BOUNCES[r["type"]][1] and
                             bool(r["inactive"]), "Tag": r["tag"], "MessageStream": r["stream"]} for r in rows]}

    @tool(writes=True, phrase=["reactivate the bounced address of bounce {bounce_id}",
                               "let Postmark mail the address of bounce {bounce_id} again"])
    def activate_bounce(self, bounce_id: int) -> Bounce:
        """Reactivate the address of a bounce so it can be mailed again (not possible after a spam complaint).

        Args:
            bounce_id: The bounce's ID.
        """
        bounce = self.require("SELECT b.*, m.tag, m.stream FROM bounces b LEFT JOIN messages m USING (message_id)"
                              " WHERE b.id = ?", bounce_id,
                              error=f"ErrorCode 701: bounce {bounce_id} not found; get_bounces lists them")
        if not bounce["inactive"]:
            raise ToolError(f"ErrorCode 702: the address of bounce {bounce_id} ({bounce['email']}) is already active")
        if not BOUNCES[bounce["type"]][1]:
            raise ToolError(f"ErrorCode 703: {bounce['email']} marked a message as spam; Postmark does not allow "
                            "reactivating spam complaints")
        self.execute("UPDATE bounces SET inactive = 0 WHERE email = ?", bounce["email"])
        # the bounce as get_bounces shows it now: active, so it can no longer be activated
        return {"ID": bounce["id"], "Type": bounce["type"], "Email": bounce["email"], "MessageID": bounce["message_id"],
                "Description": BOUNCES[bounce["type"]][0], "BouncedAt": bounce["bounced_at"] + "Z",
                "Inactive": False, "CanActivate": False, "Tag": bounce["tag"], "MessageStream": bounce["stream"]}

    @tool(phrase=["show my outbound stats[ for the {tag} tag][ from {from_date}][ to {to_date}]",
                  "summarize how my[ {tag}] emails performed[ since {from_date}][ until {to_date}]"])
    def get_outbound_stats(self, tag: str | None = None, from_date: Day | None = None,
                           to_date: Day | None = None) -> Stats:
        """Outbound totals: sent, bounces by kind, spam complaints and opens, optionally for one tag and days.

        Args:
            tag: Only messages with this tag.
            from_date: First day, YYYY-MM-DD.
            to_date: Last day, YYYY-MM-DD.
        """
        if from_date and to_date and to_date < from_date:
            raise ToolError("to_date must not be before from_date")
        scope = ("SELECT * FROM messages WHERE (?1 IS NULL OR tag = ?1) AND (?2 IS NULL OR substr(received_at, 1, 10)"
                 " >= ?2) AND (?3 IS NULL OR substr(received_at, 1, 10) <= ?3)")
        args = (tag, from_date, to_date)
        sent = self.row(f"SELECT COUNT(*) AS n, SUM(track_opens) AS tracked FROM ({scope})", *args)
        kinds = {r["type"]: r["n"] for r in self.rows(
            f"SELECT type, COUNT(*) AS n FROM bounces WHERE message_id IN (SELECT message_id FROM ({scope}))"
            " GROUP BY type", *args)}
        opened = self.row(f"SELECT COUNT(*) AS n, COUNT(DISTINCT message_id) AS u FROM opens WHERE message_id IN"
                          f" (SELECT message_id FROM ({scope}))", *args)
        hard, soft = kinds.get("HardBounce", 0), kinds.get("SoftBounce", 0)
        return {"Sent": sent["n"], "HardBounces": hard, "SoftBounces": soft,
                "TotalBounces": hard + soft + kinds.get("Blocked", 0), "SpamComplaints": kinds.get("SpamComplaint", 0),
                "Opens": opened["n"], "UniqueOpens": opened["u"], "Tracked": sent["tracked"] or 0}

    @tool(phrase=["find my sent messages[ to {recipient}][ tagged {tag}][ about {subject}]",
                  "search outbound messages[ with subject {subject}][ sent to {recipient}]"])
    def search_outbound_messages(self, recipient: Email | None = None, tag: str | None = None,
                                 subject: str | None = None,
                                 count: Annotated[int, Field(ge=1, le=500)] = 50) -> list[Message]:
        """Outbound messages, newest first, by recipient, tag or words of the subject.

        Args:
            recipient: Only messages to this address.
            tag: Only messages with this tag.
            subject: Only messages whose subject contains this text.
            count: At most this many, 1-500.
        """
        matches, params = self.text_filter("messages", subject) if subject and subject.strip() else ("1", ())
        return self.rows(
            "SELECT message_id AS MessageID, to_email AS \"To\", from_email AS \"From\", subject AS Subject, tag AS"
            f" Tag, status AS Status, stream AS MessageStream, received_at AS ReceivedAt FROM messages WHERE {matches}"
            " AND (? IS NULL OR to_email = lower(?)) AND (? IS NULL OR tag = ?) ORDER BY received_at DESC,"
            " message_id LIMIT ?", *params, recipient, recipient, tag, tag, count)

    @tool(phrase=["show who opened {message_id} and with what", "list the opens of {message_id}"])
    def get_message_opens(self, message_id: str, count: Annotated[int, Field(ge=1, le=500)] = 50,
                          offset: Annotated[int, Field(ge=0)] = 0) -> Opens:
        """Open events of one message (when open tracking was on), newest first.

        Args:
            message_id: The message's MessageID.
            count: Page size, 1-500.
            offset: Opens to skip.
        """
        message = self.require("SELECT * FROM messages WHERE message_id = ?", message_id.strip(),
                               error=f"ErrorCode 701: message {message_id} not found; search_outbound_messages "
                                     "finds message ids")
        if not message["track_opens"]:
            raise ToolError(f"open tracking was off for message {message_id}, so no opens were recorded")
        rows = self.rows("SELECT * FROM opens WHERE message_id = ? ORDER BY received_at DESC LIMIT ? OFFSET ?",
                         message["message_id"], count, offset)
        first = self.value("SELECT MIN(received_at) FROM opens WHERE message_id = ?", message["message_id"])
        return {"total_count": self.value("SELECT COUNT(*) FROM opens WHERE message_id = ?", message["message_id"]),
                "opens": [{"Recipient": r["recipient"], "ReceivedAt": r["received_at"] + "Z", "Client": r["client"],
                           "OS": r["os"], "Platform": r["platform"], "FirstOpen": r["received_at"] == first}
                          for r in rows]}

    @tool(phrase=["list the message streams of my Postmark server", "show which message streams I have"])
    def list_message_streams(self) -> list[Stream]:
        """The server's message streams with their type and whether they are archived."""
        return [{"ID": r["id"], "Name": r["name"], "MessageStreamType": r["stream_type"],
                 "Archived": bool(r["archived"])}
                for r in self.rows("SELECT * FROM streams ORDER BY id")]
