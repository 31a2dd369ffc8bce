"""AmazonSES: Amazon Simple Email Service (classic v1 API) in one AWS region: identities, templates, quota, sends."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from email import message_from_string
from email.utils import getaddresses
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, strptime

REGION = "us-east-1"
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _stamps(now: dt.datetime) -> tuple[str, str]:
    """A time in STAMP, and the start of its 15-minute send-stats bucket."""
    return now.strftime(STAMP), now.replace(minute=now.minute - now.minute % 15, second=0).strftime(STAMP)


EMAIL = r"^[^@\s,]+@[^@\s,]+\.[A-Za-z]{2,}$"
Email = Annotated[str, Field(pattern=EMAIL, max_length=254)]
Recipients = Annotated[list[Email], Field(min_length=1, max_length=50)]
Sender = Annotated[str, UserKnown, Field(pattern=EMAIL, max_length=254)]
VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
TEMPLATES = {  # name -> (subject, text part)
    "WelcomeEmail": ("Welcome to {{company}}, {{name}}!", "Hi {{name}}, your {{plan}} account is ready."),
    "PasswordReset": ("Reset your password", "Hi {{name}}, use code {{code}} within 15 minutes."),
    "OrderShipped": ("Order {{order_id}} has shipped", "Your order {{order_id}} ships via {{carrier}}."),
    "InvoiceReady": ("Your invoice for {{month}}", "Invoice {{invoice_no}} of {{amount}} is attached."),
    "WeeklyDigest": ("Your weekly digest", "Here is what happened this week at {{company}}."),
    "TrialEnding": ("Your trial ends in {{days}} days", "Upgrade {{name}}'s workspace to keep your data."),
}


class Sent(TypedDict):
    MessageId: str
    RequestId: str


class DataPoint(TypedDict):
    Timestamp: str
    DeliveryAttempts: int
    Bounces: int
    Complaints: int
    Rejects: int


class Statistics(TypedDict):
    SendDataPoints: list[DataPoint]


class Attributes(TypedDict):
    VerificationStatus: str
    VerificationToken: NotRequired[str]


class VerificationAttributes(TypedDict):
    VerificationAttributes: dict[str, Attributes]


class VerifyResult(TypedDict):
    identity: str
    status: str


class Quota(TypedDict):
    Max24HourSend: int
    MaxSendRate: int
    SentLast24Hours: int
    SandboxMode: bool


class Identity(TypedDict):
    identity: str
    identity_type: str
    verification_status: str


class Template(TypedDict):
    template_name: str
    subject_part: str
    text_part: str
    created_at: str


class Suppressed(TypedDict):
    email_address: str
    reason: str
    last_update_time: str


class AmazonSES(World):
    """Amazon SES in us-east-1 for one AWS account: sender identities (email addresses and domains) and their
    verification, email templates, the sending quota, sent messages, 15-minute send statistics and the
    account-level suppression list. A sandboxed account may only send to verified identities."""

    domain = "Office"
    schema = """
    CREATE TABLE account (id INTEGER PRIMARY KEY CHECK (id = 1), sandbox INTEGER NOT NULL,
                          max_24_hour_send INTEGER NOT NULL, max_send_rate INTEGER NOT NULL,
                          sent_last_24h INTEGER NOT NULL);
    CREATE TABLE identities (identity TEXT PRIMARY KEY, identity_type TEXT NOT NULL
                             CHECK (identity_type IN ('EmailAddress', 'Domain')), verification_status TEXT NOT NULL
                             CHECK (verification_status IN ('Pending', 'Success', 'Failed', 'TemporaryFailure')),
                             verification_token TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX identities_by_status ON identities (verification_status, identity_type);
    CREATE INDEX identities_by_type ON identities (identity_type, identity, verification_status);
    CREATE TABLE templates (template_name TEXT PRIMARY KEY, subject_part TEXT NOT NULL, text_part TEXT NOT NULL,
                            created_at TEXT NOT NULL);
    CREATE TABLE messages (message_id TEXT PRIMARY KEY, source TEXT NOT NULL, to_address TEXT NOT NULL,
                           subject TEXT NOT NULL, kind TEXT NOT NULL, template_name TEXT REFERENCES templates,
                           status TEXT NOT NULL, sent_at TEXT NOT NULL);
    CREATE INDEX messages_by_source ON messages (source, sent_at);
    CREATE TABLE send_stats (bucket TEXT PRIMARY KEY, delivery_attempts INTEGER NOT NULL, bounces INTEGER NOT NULL,
                             complaints INTEGER NOT NULL, rejects INTEGER NOT NULL);
    CREATE TABLE suppressed (email_address TEXT PRIMARY KEY, reason TEXT NOT NULL
                             CHECK (reason IN ('BOUNCE', 'COMPLAINT')), last_update_time TEXT NOT NULL);
    """
    volatile = {"messages": ("sent_at",), "identities": ("created_at",), "templates": ("created_at",),
                "suppressed": ("last_update_time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        sandbox = rng.random() < 0.5
        stamp = lambda days: (cls.start_time - dt.timedelta(days=days, minutes=rng.randrange(1440))).strftime(STAMP)
        domains = sorted({fake.domain_name() for _ in range(6)})
        ids = [{"identity": d, "identity_type": "Domain", "verification_status": s} for d, s in
               zip(domains, ["Success", "Success", "Pending", "Failed", "Success", "TemporaryFailure"])]
        senders = [f"{box}@{d}" for d in domains[:2] for box in ("no-reply", "billing", "support")]
        people = sorted({fake.free_email() for _ in range(40)} | {fake.company_email() for _ in range(20)})
        for address in [*rng.sample(senders, 3), *people[:24]]:
            ids.append({"identity": address, "identity_type": "EmailAddress",
                        "verification_status": rng.choice(["Success"] * 5 + ["Pending", "Failed"])})
        for row in ids:
            row.update(verification_token=fake.sha1()[:32] if row["identity_type"] == "Domain" else "",
                       created_at=stamp(rng.randrange(20, 400)))
        db["account"].insert({"id": 1, "sandbox": int(sandbox), "max_24_hour_send": 200,
                              "max_send_rate": 1, "sent_last_24h": rng.randrange(20, 150)})
        db["identities"].insert_all(ids)
        db["templates"].insert_all({"template_name": n, "subject_part": s, "text_part": t,
                                    "created_at": stamp(rng.randrange(30, 300))} for n, (s, t) in TEMPLATES.items())
        db["suppressed"].insert_all({"email_address": a, "reason": rng.choice(["BOUNCE", "BOUNCE", "COMPLAINT"]),
                                     "last_update_time": stamp(rng.randrange(1, 90))} for a in people[40:52])
        verified = [r["identity"] for r in ids if r["identity_type"] == "EmailAddress"
                    and r["verification_status"] == "Success"]
        messages = []
        for _ in range(90):
            name = rng.choice([None, None, *TEMPLATES])
            messages.append({"message_id": fake_id(rng, "0100"), "source": rng.choice(senders),
                             "to_address": rng.choice(verified + people), "template_name": name,
                             "subject": VARIABLE.sub(lambda _: fake.word(), TEMPLATES[name][0]) if name
                             else fake.sentence(nb_words=5).rstrip("."), "kind": "Templated" if name else "Simple",
                             "status": rng.choice(["Delivered"] * 8 + ["Bounced", "Complaint"]),
                             "sent_at": stamp(rng.randrange(0, 14))})
        db["messages"].insert_all(messages)
        buckets: dict[str, dict[str, Any]] = {}
        for m in messages:
            at = strptime(m["sent_at"], STAMP)
            key = at.replace(minute=at.minute - at.minute % 15, second=0).strftime(STAMP)
            point = buckets.setdefault(key, {"bucket": key, "delivery_attempts": 0, "bounces": 0, "complaints": 0,
                                             "rejects": 0})
            point["delivery_attempts"] += 1
            point["bounces"] += m["status"] == "Bounced"
            point["complaints"] += m["status"] == "Complaint"
        db["send_stats"].insert_all(buckets.values())

    # ------------------------------------------------------------------ helpers
    def _verified(self, address: str) -> bool:
        return bool(self.row("SELECT 1 FROM identities WHERE identity IN (?, ?) AND verification_status = 'Success'",
                             address.lower(), address.lower().rpartition("@")[2]))

    def _send(self, source: str, recipients: list[str], subject: str, kind: str,
              template: str | None = None) -> Sent:
        account = self.row("SELECT * FROM account")
        if not self._verified(source):
            raise ToolError(f"MessageRejected: Email address is not verified. The following identities failed the "
                            f"check in region {REGION.upper()}: {source}. Verify it (verify_email_identity) first")
        if account["sandbox"] and (unverified := [r for r in recipients if not self._verified(r)]):
            raise ToolError(f"MessageRejected: the account is in the sandbox, so recipients must be verified; these "
                            f"identities failed the check in region {REGION.upper()}: {', '.join(unverified)}")
        if account["sent_last_24h"] + len(recipients) > account["max_24_hour_send"]:
            raise ToolError(f"Throttling: Daily message quota exceeded ({account['sent_last_24h']} of "
                            f"{account['max_24_hour_send']} sent in the last 24 hours)")
        now, bucket = self._stamps()
        message_id = self.new_id("messages", "0100")
        suppressed = {r["email_address"] for r in self.rows(
            f"SELECT email_address FROM suppressed WHERE email_address IN ({','.join('?' * len(recipients))})",
            *[r.lower() for r in recipients])}
        self.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", message_id, source.lower(),
                     ", ".join(r.lower() for r in recipients), subject, kind, template,
                     "Suppressed" if suppressed else "Sent", now)
        self.execute("UPDATE account SET sent_last_24h = sent_last_24h + ?", len(recipients))
        self.execute("INSERT INTO send_stats VALUES (?, ?, ?, 0, 0) ON CONFLICT (bucket) DO UPDATE SET"
                     " delivery_attempts = delivery_attempts + excluded.delivery_attempts,"
                     " bounces = bounces + excluded.bounces", bucket, len(recipients), len(suppressed))
        return {"MessageId": message_id, "RequestId": f"req-{message_id[4:]}-{len(recipients)}"}

    def _stamps(self) -> tuple[str, str]:
        return self.derived("stamps", lambda: _stamps(self.now()))

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["email {to_addresses} from {source} with the subject {subject}",
                               "send {to_addresses} a message from {source} titled {subject}[ saying {body_text}]"])
    def send_email(self, source: Sender, to_addresses: Recipients, subject: NonEmptyStr, body_text: NonEmptyStr,
                   cc_addresses: list[Email] | None = None,
                   reply_to_addresses: list[Email] | None = None) -> Sent:
        """Send a formatted email (SendEmail) from a verified identity; at most 50 recipients in all.

        Args:
            source: The sender address; it, or its domain, must be a verified identity.
            to_addresses: Destination To addresses.
            subject: Message subject.
            body_text: Plain-text body.
            cc_addresses: Destination Cc addresses.
            reply_to_addresses: Where replies should go.
        """
        recipients = [*to_addresses, *(cc_addresses or [])]
        if len(recipients) > 50:
            raise ToolError("InvalidParameterValue: a message may have at most 50 recipients (To, Cc and Bcc)")
        return self._send(source, recipients, subject.strip(), "Simple")

    @tool(writes=True, phrase=["send this raw MIME message: {raw_message}"])
    def send_raw_email(self, raw_message: NonEmptyStr, source: Sender | None = None,
                       destinations: list[Email] | None = None) -> Sent:
        """Send a raw MIME message (SendRawEmail); From, To and Subject come from its headers unless given.

        Args:
            raw_message: The whole message with headers (From:, To:, Subject:), a blank line, then the body.
            source: Overrides the From header.
            destinations: Overrides the To/Cc headers.
        """
        parsed = message_from_string(raw_message.replace("\\n", "\n"))
        sender = source or (getaddresses([parsed.get("From", "")]) or [("", "")])[0][1]
        if not sender:
            raise ToolError("InvalidParameterValue: no sender: give source or a From: header in raw_message")
        to = destinations or [a for _, a in getaddresses(parsed.get_all("To", []) + parsed.get_all("Cc", [])) if a]
        if not to or not all(re.match(EMAIL, a) for a in to):
            raise ToolError("InvalidParameterValue: no valid recipients: give destinations or To: headers")
        if len(to) > 50:
            raise ToolError("InvalidParameterValue: a message may have at most 50 recipients (To, Cc and Bcc)")
        return self._send(sender, to, parsed.get("Subject", "(no subject)"), "Raw")

    @tool(writes=True, phrase=["send the {template} template to {to_addresses} from {source}",
                               "email {to_addresses} using my {template} template from {source}"])
    def send_templated_email(self, source: Sender, to_addresses: Recipients, template: NonEmptyStr,
                             template_data: NonEmptyStr = "{}") -> Sent:
        """Send an email built from a stored template (SendTemplatedEmail); every {{variable}} needs a value.

        Args:
            source: The sender address; it, or its domain, must be a verified identity.
            to_addresses: Destination To addresses.
            template: Name of the stored template.
            template_data: JSON object of the template's variables, e.g. {"name": "Ann"}.
        """
        found = self.require("SELECT * FROM templates WHERE template_name = ?", template.strip(),
                             error=f"TemplateDoesNotExist: Template {template} does not exist; list_templates "
                                   "shows the stored ones")
        try:
            data = json.loads(template_data)
        except ValueError:
            raise ToolError("InvalidParameterValue: template_data must be a JSON object") from None
        if not isinstance(data, dict):
            raise ToolError("InvalidParameterValue: template_data must be a JSON object")
        needed = VARIABLE.findall(found["subject_part"] + " " + found["text_part"])
        if missing := sorted(set(needed) - set(data)):
            raise ToolError(f"InvalidRenderingParameter: template {found['template_name']} needs a value for "
                            f"{', '.join(missing)} in template_data")
        subject = VARIABLE.sub(lambda m: str(data[m.group(1)]), found["subject_part"])
        return self._send(source, to_addresses, subject, "Templated", found["template_name"])

    @tool(phrase=["show my SES send statistics for the last two weeks",
                  "check how my recent sends went (deliveries, bounces, complaints)"])
    def get_send_statistics(self) -> Statistics:
        """Sending activity of the last two weeks in 15-minute buckets (only buckets with activity), oldest first."""
        return {"SendDataPoints": self.rows(
            "SELECT bucket AS Timestamp, delivery_attempts AS DeliveryAttempts, bounces AS Bounces,"
            " complaints AS Complaints, rejects AS Rejects FROM send_stats ORDER BY bucket")}

    @tool(phrase=["find out how many emails I can still send today", "check my SES sending quota"])
    def get_send_quota(self) -> Quota:
        """The account's sending limits: 24-hour quota, per-second rate, what was sent in the last 24 hours."""
        a = self.row("SELECT * FROM account")
        return {"Max24HourSend": a["max_24_hour_send"], "MaxSendRate": a["max_send_rate"],
                "SentLast24Hours": a["sent_last_24h"], "SandboxMode": bool(a["sandbox"])}

    @tool(writes=True, phrase=["verify the sender address {email_address} in SES",
                               "start verification of {email_address} so I can send from it"])
    def verify_email_identity(self, email_address: Annotated[Email, UserKnown]) -> VerifyResult:
        """Add an email address as an identity and send it a verification link (status Pending until clicked);
        an address that failed verification is retried.

        Args:
            email_address: The address to verify.
        """
        address = email_address.lower()
        # What upsert("identities", {"identity": address}, {...}) runs, as one prepared statement that writes only
        # when the address is new or its verification failed; when it wrote nothing, the status says why.
        if not self.execute('INSERT INTO "identities" ("identity", "identity_type", "verification_status",'
                            ' "verification_token", "created_at") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("identity")'
                            ' DO UPDATE SET "identity_type" = excluded."identity_type",'
                            ' "verification_status" = excluded."verification_status",'
                            ' "verification_token" = excluded."verification_token", "created_at" = excluded."created_at"'
                            ' WHERE "identities"."verification_status" NOT IN (\'Success\', \'Pending\')',
                            address, "EmailAddress", "Pending", "", self.clock_text(STAMP)):
            status = self.value("SELECT verification_status FROM identities WHERE identity = ?", address)
            raise ToolError(f"{address} is already {'verified' if status == 'Success' else 'pending verification'}"
                            "; get_identity_verification_attributes shows its status")
        return {"identity": address, "status": "Pending"}

    @tool(phrase=["check whether {identities} is verified in SES", "check the verification status of {identities}"])
    def get_identity_verification_attributes(
            self, identities: Annotated[list[Annotated[str, UserKnown]], Field(min_length=1, max_length=100)],
    ) -> VerificationAttributes:
        """Verification status (and, for domains, the DNS TXT token) of up to 100 identities; unknown ones are
        left out of the result.

        Args:
            identities: Email addresses or domain names.
        """
        out: dict[str, Attributes] = {}
        for name in identities:
            found = self.row("SELECT * FROM identities WHERE identity = ?", name.strip().lower())
            if found:
                out[found["identity"]] = {"VerificationStatus": found["verification_status"]}
                if found["verification_token"]:
                    out[found["identity"]]["VerificationToken"] = found["verification_token"]
        return {"VerificationAttributes": out}

    @tool(phrase=["list my SES identities[ of type {identity_type}]", "show the senders I have set up in SES"])
    def list_identities(self, identity_type: Literal["EmailAddress", "Domain"] | None = None) -> list[Identity]:
        """List the account's identities with their verification status.

        Args:
            identity_type: Only email addresses or only domains.
        """
        # rows built as dict displays (cheaper than zipping column names per row), read in order off a covering index
        return [{"identity": identity, "identity_type": kind, "verification_status": status}
                for identity, kind, status in self.conn.execute(
                    "SELECT identity, identity_type, verification_status FROM identities"
                    " WHERE ?1 IS NULL OR identity_type = ?1 ORDER BY identity_type, identity", (identity_type,))]

    @tool(writes=True, phrase=["delete the identity {identity} from SES", "stop using {identity} as an SES sender"])
    def delete_identity(self, identity: Annotated[str, UserKnown]) -> VerifyResult:
        """Remove an email address or domain identity; it can no longer be used as a sender.

        Args:
            identity: The email address or domain.
        """
        if not self.execute("DELETE FROM identities WHERE identity = ?", identity.strip().lower()):
            raise ToolError(f"no identity '{identity}' in this account; list_identities shows them")
        return {"identity": identity.strip().lower(), "status": "Deleted"}

    @tool(phrase=["list my SES email templates", "show the email templates I have in SES"])
    def list_templates(self) -> list[Template]:
        """List the stored email templates with their subject and text parts."""
        return self.rows("SELECT * FROM templates ORDER BY template_name")

    @tool(writes=True, phrase=["create an SES template {template_name} with subject {subject_part} and text "
                               "{text_part}", "save a new email template called {template_name}"])
    def create_template(self, template_name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
                        subject_part: NonEmptyStr, text_part: NonEmptyStr) -> Template:
        """Store an email template; {{variable}} placeholders are filled by send_templated_email.

        Args:
            template_name: Letters, digits, '_' and '-', up to 64 characters.
            subject_part: Subject line, may hold {{variables}}.
            text_part: Plain-text body, may hold {{variables}}.
        """
        row = {"template_name": template_name, "subject_part": subject_part.strip(), "text_part": text_part.strip(),
               "created_at": self.clock_text(STAMP)}
        # one statement that inserts only when the name is free and the account below its limit; when it wrote
        # nothing, the checks say why (in this order)
        if not self.execute("INSERT INTO templates SELECT ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM templates) < 10000"
                            " ON CONFLICT (template_name) DO NOTHING", *row.values()):
            taken = self.value("SELECT EXISTS (SELECT 1 FROM templates WHERE template_name = ?)", template_name)
            if taken:
                raise ToolError(f"AlreadyExists: template {template_name} already exists; pick another name")
            raise ToolError("LimitExceeded: an account may store at most 10,000 templates")
        return row  # as SELECT * reads it back

    @tool(phrase=["check whether {email_address} is on my SES suppression list",
                  "find out why SES drops my emails to {email_address}"])
    def get_suppressed_destination(self, email_address: Annotated[Email, UserKnown]) -> Suppressed:
        """Look an address up on the account-level suppression list (bounced or complained addresses get no mail).

        Args:
            email_address: The recipient address.
        """
        return self.require("SELECT * FROM suppressed WHERE email_address = ?", email_address.lower(),
                            error=f"NotFoundException: {email_address} is not on the suppression list")

    @tool(writes=True, phrase=["take {email_address} off my SES suppression list",
                               "let SES deliver to {email_address} again"])
    def delete_suppressed_destination(self, email_address: Annotated[Email, UserKnown]) -> Suppressed:
        """Remove an address from the account-level suppression list so SES delivers to it again.

        Args:
            email_address: The recipient address.
        """
        found = self.get_suppressed_destination(email_address)
        self.execute("DELETE FROM suppressed WHERE email_address = ?", found["email_address"])
        return found
