"""MailgunCommunication: a Mailgun account: sending domains, messages, events, stats, suppressions, validation."""

from __future__ import annotations

import datetime as dt
import random
from email import message_from_string
from email.utils import getaddresses, parseaddr
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

STAMP = "%Y-%m-%d %H:%M:%S"
EMAIL = r"^[^@\s,]+@[^@\s,]+\.[A-Za-z]{2,}$"
Email = Annotated[str, UserKnown, Field(pattern=EMAIL, max_length=254)]
DomainName = Annotated[str, UserKnown, Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]
EventType = Literal["accepted", "delivered", "failed", "opened", "clicked", "unsubscribed", "complained"]
EVENT_TYPES = ("accepted", "delivered", "failed", "opened", "clicked", "unsubscribed", "complained")
TYPOS = {"gmial.com": "gmail.com", "gmail.co": "gmail.com", "gamil.com": "gmail.com", "yaho.com": "yahoo.com",
         "hotmial.com": "hotmail.com", "outlok.com": "outlook.com", "yahoo.co": "yahoo.com"}
DISPOSABLE = frozenset({"mailinator.com", "10minutemail.com", "guerrillamail.com", "trashmail.com"})
ROLES = frozenset({"admin", "info", "support", "sales", "noreply", "no-reply", "postmaster", "abuse", "billing"})
MAILBOX_HOSTS = frozenset({"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"})
TAGS = ["newsletter", "receipt", "password-reset", "onboarding", "invoice", "promo"]


class Queued(TypedDict):
    id: str
    message: str
    status: str


class Event(TypedDict):
    id: str
    event: str
    timestamp: str
    recipient: str
    message_id: str
    subject: str
    tags: list[str]
    severity: str
    reason: str


class Paging(TypedDict):
    returned: int
    total: int


class Events(TypedDict):
    items: list[Event]
    paging: Paging


class Parts(TypedDict):
    display_name: str
    local_part: str
    domain: str


class Validation(TypedDict):
    address: str
    is_valid: bool
    mailbox_verification: str
    is_disposable_address: bool
    is_role_address: bool
    risk: str
    parts: Parts
    did_you_mean: str | None


class DayStats(TypedDict):
    time: str
    accepted: int
    delivered: int
    failed: int
    opened: int
    clicked: int


class Stats(TypedDict):
    stats: list[DayStats]
    total_stats: dict[str, int]


class Domain(TypedDict):
    name: str
    state: str
    spam_action: str
    created_at: str
    dns_records_valid: bool


class Suppression(TypedDict):
    address: str
    kind: str
    code: str
    error: str
    created_at: str


class MailgunCommunication(World):
    """A Mailgun account: sending domains (active once their SPF/DKIM DNS records check out), the messages sent
    through them, the event log (accepted, delivered, failed, opened, clicked, unsubscribed, complained; kept 30
    days), per-day stats by event type, per-domain suppression lists (bounces, unsubscribes, complaints) and email
    address validation. Times are UTC 'YYYY-MM-DD HH:MM:SS'."""

    domain = "Office"
    schema = """
    CREATE TABLE domains (name TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('active', 'unverified',
                          'disabled')), spam_action TEXT NOT NULL, created_at TEXT NOT NULL,
                          dns_records_valid INTEGER NOT NULL);
    CREATE TABLE messages (message_id TEXT PRIMARY KEY, domain TEXT NOT NULL REFERENCES domains,
                           from_email TEXT NOT NULL, to_email TEXT NOT NULL, subject TEXT NOT NULL,
                           tags TEXT NOT NULL, tracking_opens INTEGER NOT NULL, tracking_clicks INTEGER NOT NULL,
                           sent_at TEXT NOT NULL);
    CREATE INDEX messages_by_domain ON messages (domain, sent_at);
    CREATE TABLE events (id TEXT PRIMARY KEY, domain TEXT NOT NULL REFERENCES domains, message_id TEXT NOT NULL
                         REFERENCES messages, event TEXT NOT NULL, recipient TEXT NOT NULL, timestamp TEXT NOT NULL,
                         severity TEXT NOT NULL, reason TEXT NOT NULL);
    CREATE INDEX events_by_domain ON events (domain, event, timestamp);
    CREATE INDEX events_by_message ON events (message_id);
    CREATE TABLE suppressions (domain TEXT NOT NULL REFERENCES domains, address TEXT NOT NULL,
                               kind TEXT NOT NULL CHECK (kind IN ('bounces', 'unsubscribes', 'complaints')),
                               code TEXT NOT NULL, error TEXT NOT NULL, created_at TEXT NOT NULL,
                               PRIMARY KEY (domain, address, kind));
    """
    volatile = {"messages": ("sent_at",), "events": ("timestamp",), "domains": ("created_at",),
                "suppressions": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        at = lambda days: (cls.start_time - dt.timedelta(days=days, seconds=rng.randrange(86400)))  # noqa: E731
        names = sorted({f"{p}.{fake.domain_name()}" for p in ("mg", "mail", "news", "mg")})[:4]
        domains = [{"name": n, "state": s, "spam_action": rng.choice(["disabled", "tag"]), "dns_records_valid": v,
                    "created_at": at(rng.randrange(60, 700)).strftime(STAMP)}
                   for n, s, v in zip(names, ["active", "active", "unverified", "unverified"], [1, 1, 1, 0])]
        db["domains"].insert_all(domains)
        people = sorted({fake.free_email() for _ in range(70)})
        suppressed = {}
        for address in people[:14]:
            kind = rng.choice(["bounces", "bounces", "unsubscribes", "complaints"])
            suppressed[names[rng.randrange(2)], address, kind] = {
                "code": "550" if kind == "bounces" else "", "created_at": at(rng.randrange(1, 40)).strftime(STAMP),
                "error": "5.1.1 The email account that you tried to reach does not exist" if kind == "bounces" else ""}
        db["suppressions"].insert_all({"domain": d, "address": a, "kind": k, **v} for (d, a, k), v in
                                      suppressed.items())
        messages, events = [], []
        for _ in range(120):
            domain, sent = names[rng.randrange(2)], at(rng.randrange(0, 28))
            message_id = f"<{sent:%Y%m%d%H%M%S}.{rng.getrandbits(40):x}@{domain}>"
            to = rng.choice(people)
            opens, clicks = rng.random() < 0.8, rng.random() < 0.6
            messages.append({"message_id": message_id, "domain": domain, "to_email": to,
                             "from_email": f"{rng.choice(['news', 'team', 'no-reply'])}@{domain}",
                             "subject": fake.sentence(nb_words=5).rstrip("."), "tags": rng.choice(TAGS),
                             "tracking_opens": int(opens), "tracking_clicks": int(clicks),
                             "sent_at": sent.strftime(STAMP)})
            blocked = any(key[0] == domain and key[1] == to for key in suppressed)
            fate = "failed" if blocked or rng.random() < 0.08 else "delivered"
            chain = ["accepted", fate] + (["opened"] * (opens and rng.random() < 0.6) if fate == "delivered" else [])
            chain += ["clicked"] if "opened" in chain and clicks and rng.random() < 0.4 else []
            chain += ["complained"] if "opened" in chain and rng.random() < 0.03 else []
            for step, event in enumerate(chain):
                reason = ("suppress-bounce" if blocked else "bounce") if event == "failed" else ""
                events.append({"id": fake_id(rng, ""), "domain": domain, "message_id": message_id, "event": event,
                               "recipient": to, "severity": "permanent" if reason else "", "reason": reason,
                               "timestamp": min(sent + dt.timedelta(minutes=step * rng.randrange(1, 90)),
                                                cls.start_time - dt.timedelta(minutes=1)).strftime(STAMP)})
        db["messages"].insert_all(messages)
        db["events"].insert_all(events)

    # ------------------------------------------------------------------ helpers
    def _domain(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM domains WHERE name = ?", name.strip().lower(),
                            error=f"Domain not found: {name}; list_domains shows the account's domains")

    def _send(self, from_email: str, to_email: str, subject: str, tags: list[str], opens: bool,
              clicks: bool) -> Queued:
        sender = parseaddr(from_email)[1].lower()
        domain = self._domain(sender.rpartition("@")[2])
        if domain["state"] != "active":
            raise ToolError(f"Domain {domain['name']} is {domain['state']}: it cannot send until its DNS records "
                            "are verified (verify_domain)")
        now = self.now()
        message_id = f"{self.new_id('messages', f'<{now:%Y%m%d%H%M%S}.')}@{domain['name']}>"
        self.mark_generated("messages", message_id)
        self.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", message_id, domain["name"], sender,
                     to_email.lower(), subject.strip(), ",".join(tags), int(opens), int(clicks), now.strftime(STAMP))
        blocked = self.row("SELECT kind FROM suppressions WHERE domain = ? AND address = ?", domain["name"],
                           to_email.lower())
        fates = [("accepted", "", "")] + ([("failed", "permanent", f"suppress-{blocked['kind'].rstrip('s')}")]
                                          if blocked else [])
        for event, severity, reason in fates:
            self.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.new_id("events", ""),
                         domain["name"], message_id, event, to_email.lower(), now.strftime(STAMP), severity, reason)
        return {"id": message_id, "message": "Queued. Thank you.", "status": "queued"}

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["email {to_email} from {from_email} with the subject {subject}[ tagged {tags}]",
                               "send {to_email} a message from {from_email} about {subject}[, tag it {tags}]"])
    def send_email(self, to_email: Email, subject: NonEmptyStr, text: NonEmptyStr, from_email: Email,
                   html: str | None = None,
                   tags: Annotated[list[Literal[tuple(TAGS)]], Field(max_length=3)] | None = None,  # type: ignore
                   tracking_clicks: bool = True, tracking_opens: bool = True) -> Queued:
        """Queue a message through the sending domain of from_email; mail to an address on that domain's
        suppression list is accepted and then fails with reason suppress-bounce/unsubscribe/complaint.

        Args:
            to_email: Recipient address.
            subject: Subject line.
            text: Plain-text body.
            from_email: Sender; its domain must be an active domain of the account.
            html: HTML body.
            tags: Up to 3 tags (o:tag) for filtering stats and events.
            tracking_clicks: Rewrite links to track clicks.
            tracking_opens: Add the open-tracking pixel.
        """
        return self._send(from_email, to_email, subject, tags or [], tracking_opens, tracking_clicks)

    @tool(writes=True, phrase=["send this MIME message to {to_email}: {mime_message}"])
    def send_mime_email(self, to_email: Email, mime_message: NonEmptyStr, from_email: Email | None = None) -> Queued:
        """Queue a prebuilt MIME message; the sender comes from its From: header unless from_email is given.

        Args:
            to_email: Recipient address.
            mime_message: The message with headers (From:, Subject:), a blank line, then the body.
            from_email: Overrides the From header.
        """
        parsed = message_from_string(mime_message.replace("\\n", "\n"))
        sender = from_email or (getaddresses(parsed.get_all("From", [])) or [("", "")])[0][1]
        if not sender:
            raise ToolError("'from' parameter is missing: give from_email or a From: header in mime_message")
        return self._send(sender, to_email, parsed.get("Subject", ""), [], True, True)

    @tool(phrase=["show the {event_types} events of {domain}[ since {begin_time}][ until {end_time}]",
                  "list what happened to mail sent from {domain}[ to {recipient}]"])
    def get_events(self, domain: DomainName, event_types: list[EventType] | None = None,
                   begin_time: str | None = None, end_time: str | None = None, recipient: Email | None = None,
                   limit: Annotated[int, Field(ge=1, le=300)] = 100) -> Events:
        """A domain's event log, newest first (events are kept 30 days).

        Args:
            domain: The sending domain.
            event_types: Only these event types.
            begin_time: Only events at or after this time (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS).
            end_time: Only events before this time.
            recipient: Only events of this recipient.
            limit: At most this many events, 1-300.
        """
        name = self._domain(domain)["name"]
        types = list(event_types or EVENT_TYPES)
        begin_time, end_time = (t and t.replace("T", " ") for t in (begin_time, end_time))
        where = (f"e.domain = ? AND e.event IN ({','.join('?' * len(types))}) AND (? IS NULL OR e.timestamp >= ?)"
                 " AND (? IS NULL OR e.timestamp < ?) AND (? IS NULL OR e.recipient = lower(?))")
        params = [name, *types, begin_time, begin_time, end_time, end_time, recipient, recipient]
        items = self.rows(f"SELECT e.id, e.event, e.timestamp, e.recipient, e.message_id, m.subject, m.tags,"
                          f" e.severity, e.reason FROM events e JOIN messages m USING (message_id) WHERE {where}"
                          " ORDER BY e.timestamp DESC, e.id LIMIT ?", *params, limit)
        for item in items:
            item["tags"] = [t for t in item["tags"].split(",") if t]
        return {"items": items, "paging": {"returned": len(items), "total": self.value(
            f"SELECT COUNT(*) FROM events e WHERE {where}", *params)}}

    @tool(phrase=["check whether {email} is a valid address to mail", "validate the email address {email}"])
    def validate_email(self, email: Annotated[str, UserKnown, Field(min_length=3, max_length=254)]) -> Validation:
        """Validate an address: syntax, typo suggestions, disposable and role addresses, and whether the mailbox
        is known to bounce (risk low, medium, high or unknown).

        Args:
            email: The address to check.
        """
        address = email.strip().lower()
        local, _, host = address.rpartition("@")
        syntax = bool(local) and "." in host and " " not in address
        bounced = bool(self.row("SELECT 1 FROM suppressions WHERE address = ? AND kind = 'bounces'", address))
        known = host in MAILBOX_HOSTS or bool(self.row("SELECT 1 FROM domains WHERE name = ?", host))
        valid = syntax and host not in TYPOS and not bounced
        mailbox = "false" if bounced or not syntax else ("true" if host in MAILBOX_HOSTS else "unknown")
        risk = "high" if not valid or host in DISPOSABLE else ("medium" if local in ROLES or not known else "low")
        return {"address": address, "is_valid": valid, "mailbox_verification": mailbox,
                "is_disposable_address": host in DISPOSABLE, "is_role_address": local in ROLES, "risk": risk,
                "parts": {"display_name": "", "local_part": local, "domain": host},
                "did_you_mean": f"{local}@{TYPOS[host]}" if host in TYPOS else None}

    @tool(phrase=["show the sending stats of {domain}[ for {event_types}]",
                  "count per day how many messages from {domain} were delivered, failed and opened"])
    def get_stats(self, domain: DomainName, event_types: list[EventType] | None = None,
                  days: Annotated[int, Field(ge=1, le=30)] = 7) -> Stats:
        """Per-day counts of a domain's events over the last days (today included), with totals.

        Args:
            domain: The sending domain.
            event_types: Count only these event types (all by default).
            days: How many days back, 1-30.
        """
        name = self._domain(domain)["name"]
        start = (self.now() - dt.timedelta(days=days - 1)).strftime("%Y-%m-%d")
        counts = self.rows("SELECT substr(timestamp, 1, 10) AS day, event, COUNT(*) AS n FROM events WHERE domain = ?"
                           " AND timestamp >= ? GROUP BY day, event", name, start)
        wanted = event_types or EVENT_TYPES
        shown = [t for t in ("accepted", "delivered", "failed", "opened", "clicked") if t in wanted]
        table: dict[str, dict[str, int]] = {}
        for row in counts:
            table.setdefault(row["day"], dict.fromkeys(("accepted", "delivered", "failed", "opened", "clicked"), 0))
            if row["event"] in shown:
                table[row["day"]][row["event"]] = row["n"]
        stats = [{"time": day, **values} for day, values in sorted(table.items())]
        return {"stats": stats, "total_stats": {t: sum(s[t] for s in stats) for t in shown}}

    @tool(phrase=["list my Mailgun domains", "show which sending domains I have and their state"])
    def list_domains(self) -> list[Domain]:
        """The account's sending domains with their state."""
        return [{**d, "dns_records_valid": bool(d["dns_records_valid"])}
                for d in self.rows("SELECT * FROM domains ORDER BY name")]

    @tool(writes=True, phrase=["verify the DNS records of {domain} so it can send",
                               "activate my Mailgun domain {domain}"])
    def verify_domain(self, domain: DomainName) -> Domain:
        """Re-check a domain's SPF and DKIM DNS records; an unverified domain with valid records becomes active.

        Args:
            domain: The sending domain.
        """
        found = self._domain(domain)
        if found["state"] == "active":
            raise ToolError(f"Domain {found['name']} is already active")
        if found["state"] == "disabled":
            raise ToolError(f"Domain {found['name']} was disabled by Mailgun support; contact support to re-enable it")
        if not found["dns_records_valid"]:
            raise ToolError(f"Domain {found['name']} is still unverified: the TXT record v=spf1 include:mailgun.org "
                            f"~all and the DKIM record k1._domainkey.{found['name']} were not found in DNS; add them "
                            "at your DNS provider and verify again")
        self.execute("UPDATE domains SET state = 'active' WHERE name = ?", found["name"])
        return next(d for d in self.list_domains() if d["name"] == found["name"])

    @tool(phrase=["show the suppression list of {domain}[ ({kind})]",
                  "list the addresses {domain} no longer mails[ because of {kind}]"])
    def list_suppressions(self, domain: DomainName,
                          kind: Literal["bounces", "unsubscribes", "complaints"] | None = None) -> list[Suppression]:
        """A domain's suppression lists: addresses that bounced, unsubscribed or complained, newest first.

        Args:
            domain: The sending domain.
            kind: Only this list.
        """
        name = self._domain(domain)["name"]
        return self.rows("SELECT address, kind, code, error, created_at FROM suppressions WHERE domain = ?1"
                         " AND (?2 IS NULL OR kind = ?2) ORDER BY created_at DESC, address", name, kind)

    @tool(writes=True, phrase=["take {address} off the {kind} list of {domain}",
                               "let {domain} mail {address} again (remove it from {kind})"])
    def delete_suppression(self, domain: DomainName, address: Email,
                           kind: Literal["bounces", "unsubscribes", "complaints"]) -> Suppression:
        """Remove an address from one of a domain's suppression lists so messages reach it again.

        Args:
            domain: The sending domain.
            address: The suppressed address.
            kind: The list it is on.
        """
        name = self._domain(domain)["name"]
        found = self.require("SELECT address, kind, code, error, created_at FROM suppressions WHERE domain = ?"
                             " AND address = ? AND kind = ?", name, address.lower(), kind,
                             error=f"Address {address} not found in the {kind} list of {name}")
        self.execute("DELETE FROM suppressions WHERE domain = ? AND address = ? AND kind = ?", name,
                     address.lower(), kind)
        return found
