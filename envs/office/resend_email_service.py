"""ResendEmailService: a Resend account: sending domains, emails (sent, scheduled, cancelled) and batch sends."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

STAMP = "%Y-%m-%dT%H:%M"
EMAIL = r"^[^@\s,<>]+@[^@\s,<>]+\.[A-Za-z]{2,}$"
Email = Annotated[str, Field(pattern=EMAIL, max_length=254)]
Sender = Annotated[str, UserKnown, Field(pattern=r"^([^<>]*<)?[^@\s,<>]+@[^@\s,<>]+\.[A-Za-z]{2,}>?$")]
Recipients = Annotated[list[Annotated[Email, UserKnown]], Field(min_length=1, max_length=50)]
When = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$")]
REGIONS = ("us-east-1", "eu-west-1", "sa-east-1", "ap-northeast-1")
DELIVERED = ["delivered"] * 6 + ["opened"] * 4 + ["clicked"] * 2 + ["bounced", "complained", "delivery_delayed"]


def uuid_like(hex10: str, salt: str = "4") -> str:
    """A UUID-shaped id built from ten hex digits."""
    return f"{hex10[:8]}-{hex10[8:]}{hex10[:2]}-{salt}{hex10[2:5]}-a{hex10[5:8]}-{hex10}{hex10[3:5]}"


class Created(TypedDict):
    id: str


class BatchEmail(TypedDict):
    from_email: Sender
    to: Recipients
    subject: NonEmptyStr
    html: NotRequired[str]
    text: NotRequired[str]
    reply_to: NotRequired[Email]


class BatchResult(TypedDict):
    data: list[Created]


class EmailSummary(TypedDict):
    id: str
    to: list[str]
    from_email: str
    subject: str
    created_at: str
    scheduled_at: str | None
    last_event: str


class EmailDetail(EmailSummary):
    object: str
    html: str | None
    text: str | None
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]


class EmailList(TypedDict):
    object: str
    data: list[EmailSummary]


class Scheduled(TypedDict):
    id: str
    scheduled_at: str | None
    last_event: str


class Domain(TypedDict):
    id: str
    name: str
    status: str
    region: str
    created_at: str


class ResendEmailService(World):
    """A Resend account: sending domains (an email may only be sent from a verified domain) and the emails sent
    through the API, including scheduled ones, which can be rescheduled or cancelled until they go out. Times
    are UTC, 'YYYY-MM-DDTHH:MM'."""

    domain = "Office"
    schema = """
    CREATE TABLE domains (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, status TEXT NOT NULL CHECK (status IN
                          ('not_started', 'pending', 'verified', 'failed', 'temporary_failure')),
                          region TEXT NOT NULL, dns_configured INTEGER NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE emails (id TEXT PRIMARY KEY, domain_id TEXT NOT NULL REFERENCES domains, from_email TEXT NOT NULL,
                         subject TEXT NOT NULL, html TEXT, text TEXT, created_at TEXT NOT NULL, scheduled_at TEXT,
                         last_event TEXT NOT NULL);
    CREATE INDEX emails_by_domain ON emails (domain_id, created_at);
    CREATE INDEX emails_by_event ON emails (last_event, scheduled_at);
    CREATE TABLE recipients (email_id TEXT NOT NULL REFERENCES emails, address TEXT NOT NULL,
                             field TEXT NOT NULL CHECK (field IN ('to', 'cc', 'bcc', 'reply_to')),
                             PRIMARY KEY (email_id, field, address));
    CREATE INDEX recipients_by_address ON recipients (address);
    """
    volatile = {"emails": ("created_at",), "domains": ("created_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        at = lambda minutes: (cls.start_time + dt.timedelta(minutes=minutes)).strftime(STAMP)  # noqa: E731
        names = sorted({fake.domain_name() for _ in range(7)})[:6]
        statuses = ["verified", "verified", "verified", "pending", "not_started", "failed"]
        domains = [{"id": uuid_like(f"{rng.getrandbits(40):010x}", "d"), "name": ("updates." if i == 1 else "") + n,
                    "status": s, "region": rng.choice(REGIONS), "dns_configured": int(s == "verified" or rng.random()
                                                                                       < 0.5 or i == 3),
                    "created_at": at(-1440 * rng.randrange(30, 500))} for i, (n, s) in enumerate(zip(names, statuses))]
        db["domains"].insert_all(domains)
        people = sorted({fake.free_email() for _ in range(60)})
        emails, recipients = [], []
        for i in range(110):
            domain = rng.choice(domains[:3])
            created = -rng.randrange(10, 60 * 24 * 30)
            scheduled = None
            event = rng.choice(DELIVERED)
            if i % 6 == 0:  # scheduled: most still pending, some already gone out or cancelled
                created = -rng.randrange(10, 60 * 24 * 2)
                scheduled = created + rng.randrange(60, 60 * 24 * 6)
                event = "scheduled" if scheduled > 0 else rng.choice(DELIVERED)
                event = "canceled" if i % 24 == 0 else event
            id_ = uuid_like(f"{rng.getrandbits(40):010x}")
            subject = rng.choice(["Your receipt from", "Reset your password for", "Welcome to", "Invoice from",
                                  "Weekly update from", "Your order at", "Event reminder:"]) + " " + fake.company()
            emails.append({"id": id_, "domain_id": domain["id"], "subject": subject,
                           "from_email": f"{rng.choice(['Acme <onboarding', 'Billing <billing', 'hello'])}"
                                         f"@{domain['name']}" + (">" if rng.random() < 0.6 else ""),
                           "html": f"<p>{fake.sentence()}</p>", "text": None, "created_at": at(created),
                           "scheduled_at": scheduled if scheduled is None else at(scheduled), "last_event": event})
            for address in rng.sample(people, rng.choice([1, 1, 1, 2, 3])):
                recipients.append({"email_id": id_, "address": address, "field": "to"})
            if rng.random() < 0.2:
                recipients.append({"email_id": id_, "address": rng.choice(people), "field": "cc"})
        for e in emails:
            if e["from_email"].count("<") != e["from_email"].count(">"):
                e["from_email"] = e["from_email"].split("<")[-1].rstrip(">")
        db["emails"].insert_all(emails)
        db["recipients"].insert_all(recipients, ignore=True)

    # ------------------------------------------------------------------ helpers
    def _sending_domain(self, sender: str) -> dict[str, Any]:
        host = sender.rstrip(">").rpartition("@")[2].lower()
        found = self.row("SELECT * FROM domains WHERE name = ?", host)
        if found is None or found["status"] != "verified":
            raise ToolError(f"validation_error: The {host} domain is not verified. Please, add and verify your "
                            "domain (create_domain, verify_domain) before sending from it")
        return found

    def _time(self, value: str, what: str) -> str:
        when = dt.datetime.fromisoformat(value.replace(" ", "T").rstrip("Z")[:16])
        now = self.now()
        if when <= now:
            raise ToolError(f"validation_error: {what} must be in the future (now is {now.strftime(STAMP)})")
        if when > now + dt.timedelta(days=30):
            raise ToolError(f"validation_error: {what} can be at most 30 days from now")
        return when.strftime(STAMP)

    def _create(self, sender: str, to: list[str], subject: str, html: str | None, text: str | None,
                cc: list[str], bcc: list[str], reply_to: list[str], scheduled_at: str | None) -> str:
        if not (html or text):
            raise ToolError("validation_error: Missing `html` or `text` field.")
        if len(to) + len(cc) + len(bcc) > 50:
            raise ToolError("validation_error: an email can have at most 50 recipients in to, cc and bcc together")
        domain = self._sending_domain(sender)
        email_id = self.new_id("emails", "")
        full = uuid_like(email_id)
        self.mark_generated("emails", full)
        self.execute("INSERT INTO emails VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", full, domain["id"], sender.strip(),
                     subject.strip(), html, text, self.now().strftime(STAMP), scheduled_at,
                     "scheduled" if scheduled_at else "sent")
        self.executemany("INSERT OR IGNORE INTO recipients VALUES (?, ?, ?)",
                         [(full, a.lower(), f) for f, group in (("to", to), ("cc", cc), ("bcc", bcc),
                                                                ("reply_to", reply_to)) for a in group])
        return full

    def _email(self, email_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM emails WHERE id = ?", email_id.strip(),
                            error=f"not_found: Email {email_id} not found; list_emails shows the ids")

    def _summary(self, email: dict[str, Any], full: bool = False) -> dict[str, Any]:
        groups: dict[str, list[str]] = {"to": [], "cc": [], "bcc": [], "reply_to": []}
        for r in self.rows("SELECT address, field FROM recipients WHERE email_id = ? ORDER BY address", email["id"]):
            groups[r["field"]].append(r["address"])
        out = {k: email[k] for k in ("id", "from_email", "subject", "created_at", "scheduled_at", "last_event")}
        out["to"] = groups["to"]
        if full:
            out.update(object="email", html=email["html"], text=email["text"], cc=groups["cc"], bcc=groups["bcc"],
                       reply_to=groups["reply_to"])
        return out

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["email {to} from {from_email} with the subject {subject}[ at {scheduled_at}]",
                               "schedule an email to {to} from {from_email} about {subject} for {scheduled_at}"])
    def send_email(self, to: Recipients, subject: NonEmptyStr, from_email: Sender, html: str | None = None,
                   text: str | None = None, reply_to: Email | None = None, cc: list[Email] | None = None,
                   bcc: list[Email] | None = None, scheduled_at: When | None = None) -> Created:
        """Send an email now, or schedule it (up to 30 days ahead); give html or text.

        Args:
            to: Recipient addresses (at most 50 with cc and bcc).
            subject: Subject line.
            from_email: Sender, 'Name <address>' or an address, on a verified domain.
            html: HTML body.
            text: Plain-text body.
            reply_to: Reply-to address.
            cc: Cc addresses.
            bcc: Bcc addresses.
            scheduled_at: Send at this UTC time (YYYY-MM-DDTHH:MM) instead of now.
        """
        when = scheduled_at and self._time(scheduled_at, "scheduled_at")
        return {"id": self._create(from_email, to, subject, html, text, cc or [], bcc or [],
                                   [reply_to] if reply_to else [], when)}

    @tool(writes=True, phrase=["send these emails in one batch"])
    def send_batch_emails(self, emails: Annotated[list[BatchEmail], Field(min_length=1, max_length=100)]
                          ) -> BatchResult:
        """Send up to 100 emails in one request; batches cannot be scheduled, and if any email is invalid none
        is sent.

        Args:
            emails: The emails, each with from_email, to, subject and html or text.
        """
        ids = []
        for number, email in enumerate(emails):
            try:
                ids.append(self._create(email["from_email"], email["to"], email["subject"], email.get("html"),
                                        email.get("text"), [], [], [email["reply_to"]] if email.get("reply_to")
                                        else [], None))
            except ToolError as error:
                raise ToolError(f"emails[{number}]: {error}; nothing in the batch was sent") from None
        return {"data": [{"id": i} for i in ids]}

    @tool(phrase=["look up {email_id}", "check what happened to {email_id}"])
    def get_email(self, email_id: str) -> EmailDetail:
        """One email with its recipients, bodies and last delivery event.

        Args:
            email_id: The email's id.
        """
        return self._summary(self._email(email_id), full=True)

    @tool(phrase=["list my recent emails[ from {domain_id}][ with status {last_event}]",
                  "show the[ {last_event}] emails I sent[ from {domain_id}]"])
    def list_emails(self, domain_id: str | None = None, last_event: Literal[
            "scheduled", "canceled", "sent", "delivered", "opened", "clicked", "bounced", "complained",
            "delivery_delayed"] | None = None, recipient: Annotated[Email, UserKnown] | None = None,
                    limit: Annotated[int, Field(ge=1, le=100)] = 20) -> EmailList:
        """Emails sent through the account, newest first.

        Args:
            domain_id: Only emails sent from this domain.
            last_event: Only emails whose last event is this one.
            recipient: Only emails to this address.
            limit: At most this many, 1-100.
        """
        if domain_id is not None:
            self._domain(domain_id)
        rows = self.rows("SELECT * FROM emails WHERE (?1 IS NULL OR domain_id = ?1) AND (?2 IS NULL OR last_event = ?2)"
                         " AND (?3 IS NULL OR id IN (SELECT email_id FROM recipients WHERE address = lower(?3)))"
                         " ORDER BY created_at DESC, id LIMIT ?4", domain_id, last_event, recipient, limit)
        return {"object": "list", "data": [self._summary(r) for r in rows]}

    def _pending(self, email_id: str) -> dict[str, Any]:
        email = self._email(email_id)
        if email["last_event"] == "canceled":
            raise ToolError(f"validation_error: email {email['id']} was cancelled; send a new one instead")
        if email["last_event"] != "scheduled":
            raise ToolError(f"validation_error: email {email['id']} was not scheduled or has already been sent "
                            f"(last event: {email['last_event']}); only scheduled emails can be changed")
        return email

    @tool(writes=True, phrase=["move the scheduled email {email_id} to {scheduled_at}",
                               "reschedule {email_id} for {scheduled_at}"])
    def update_email(self, email_id: str, scheduled_at: When) -> Scheduled:
        """Reschedule an email that has not gone out yet.

        Args:
            email_id: The scheduled email's id.
            scheduled_at: New UTC send time, YYYY-MM-DDTHH:MM, within 30 days.
        """
        email = self._pending(email_id)
        when = self._time(scheduled_at, "scheduled_at")
        self.execute("UPDATE emails SET scheduled_at = ? WHERE id = ?", when, email["id"])
        return {"id": email["id"], "scheduled_at": when, "last_event": "scheduled"}

    @tool(writes=True, phrase=["cancel the scheduled email {email_id}", "stop {email_id} from going out"])
    def cancel_email(self, email_id: str) -> Scheduled:
        """Cancel a scheduled email before it is sent.

        Args:
            email_id: The scheduled email's id.
        """
        email = self._pending(email_id)
        self.execute("UPDATE emails SET last_event = 'canceled' WHERE id = ?", email["id"])
        return {"id": email["id"], "scheduled_at": email["scheduled_at"], "last_event": "canceled"}

    def _domain(self, domain_id: str) -> dict[str, Any]:
        return self.require("SELECT id, name, status, region, created_at FROM domains WHERE id = ?", domain_id.strip(),
                            error=f"not_found: Domain {domain_id} not found; list_domains shows the ids")

    @tool(phrase=["list my Resend domains", "show which sending domains I have and whether they are verified"])
    def list_domains(self) -> list[Domain]:
        """The account's domains with their verification status and region."""
        return self.rows("SELECT id, name, status, region, created_at FROM domains ORDER BY name")

    @tool(writes=True, phrase=["add the domain {name} to Resend[ in {region}]",
                               "set up {name} as a sending domain[ in the {region} region]"])
    def create_domain(self, name: Annotated[str, UserKnown, Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")],
                      region: Literal[REGIONS] = "us-east-1") -> Domain:  # type: ignore[valid-type]
        """Add a sending domain (status not_started until its DNS records are verified).

        Args:
            name: The domain, e.g. updates.example.com.
            region: Where emails from it are sent.
        """
        if self.row("SELECT 1 FROM domains WHERE name = ?", name):
            raise ToolError(f"validation_error: the domain {name} is already registered; list_domains shows it")
        domain_id = self.new_id("domains", "")
        full = uuid_like(domain_id, "d")
        self.mark_generated("domains", full)
        self.execute("INSERT INTO domains VALUES (?, ?, 'not_started', ?, 0, ?)", full, name, region,
                     self.now().strftime(STAMP))
        return self._domain(full)

    @tool(writes=True, phrase=["verify my domain {domain_id}", "check the DNS records of {domain_id} again"])
    def verify_domain(self, domain_id: str) -> Domain:
        """Check a domain's DNS records (SPF, DKIM, MX); with them in place the domain becomes verified.

        Args:
            domain_id: The domain's id.
        """
        domain = self._domain(domain_id)
        if domain["status"] == "verified":
            raise ToolError(f"validation_error: {domain['name']} is already verified")
        if not self.value("SELECT dns_configured FROM domains WHERE id = ?", domain["id"]):
            self.execute("UPDATE domains SET status = 'pending' WHERE id = ?", domain["id"])
        else:
            self.execute("UPDATE domains SET status = 'verified' WHERE id = ?", domain["id"])
        return self._domain(domain["id"])
