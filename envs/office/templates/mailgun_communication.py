"""Task templates of MailgunCommunication: MIME sends, address validation and domain activation."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, UserFact, call, scenario
from envs.office.mailgun_communication import TYPOS, MailgunCommunication

SUBJECTS = ["Your receipt", "Welcome aboard", "Updated terms of service", "Webinar recording", "Spring sale"]


def active_sender(world: MailgunCommunication, rng: random.Random) -> str:
    return rng.choice(world.rows("SELECT DISTINCT from_email FROM messages ORDER BY from_email"))["from_email"]


def clean_recipient(world: MailgunCommunication, rng: random.Random, domain: str) -> str:
    return rng.choice(world.rows("SELECT DISTINCT to_email FROM messages WHERE to_email NOT IN (SELECT address FROM"
                                 " suppressions WHERE domain = ?) ORDER BY to_email", domain))["to_email"]


@scenario
def mime_send(world: MailgunCommunication, rng: random.Random) -> Draft:
    sender = active_sender(world, rng)
    to = clean_recipient(world, rng, sender.rpartition("@")[2])
    mime = (f"From: Team <{sender}>\nSubject: {rng.choice(SUBJECTS)}\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\n\nHello from the team.")
    return Draft(request=f"Send this ready-made MIME message to {to}: {mime}".replace("\n", " | "),
                 calls=(call("send_mime_email", to_email=to, mime_message=mime),))


@scenario
def typo_check(world: MailgunCommunication, rng: random.Random) -> Draft | None:
    sender = active_sender(world, rng)
    person = clean_recipient(world, rng, sender.rpartition("@")[2])
    local, host = person.split("@")
    typos = [t for t, right in TYPOS.items() if right == host]
    if not typos:
        return None
    typo = rng.choice(typos)
    return Draft(request=f"A customer signed up as {local}@{typo}. Check the address; if Mailgun suggests a "
                         f"correction, send the 'Welcome aboard' email from {sender} to the corrected address instead"
                         " (a short greeting is fine).",
                 calls=(call("validate_email", email=f"{local}@{typo}"),
                        call("send_email", to_email=person, subject="Welcome aboard", text="Welcome!",
                             from_email=sender)))


@scenario
def validate_then_send(world: MailgunCommunication, rng: random.Random) -> Draft:
    sender = active_sender(world, rng)
    to = clean_recipient(world, rng, sender.rpartition("@")[2])
    subject = rng.choice(SUBJECTS)
    return Draft(request=f"Check that {to} is a valid address, and if it is, email them '{subject}' from {sender} "
                         "with a short hello; tag it onboarding.",
                 calls=(call("validate_email", email=to),
                        call("send_email", to_email=to, subject=subject, text="Hello!", from_email=sender,
                             tags=["onboarding"])))


@scenario
def activate_and_send(world: MailgunCommunication, rng: random.Random) -> Draft | None:
    ready = world.rows("SELECT name FROM domains WHERE state = 'unverified' AND dns_records_valid = 1")
    if not ready:
        return None
    domain = rng.choice(ready)["name"]
    to = clean_recipient(world, rng, domain)
    asked = rng.random() < 0.4
    return Draft(request=f"I've added the DNS records for {domain}. Get it activated and send the first message "
                         f"from hello@{domain} to {'our pilot customer (ask me for the address)' if asked else to}"
                         " with the subject 'We're live' and a one-line note.",
                 calls=(call("verify_domain", domain=domain),
                        call("send_email", to_email=to, subject="We're live", text="We're live!",
                             from_email=f"hello@{domain}")),
                 ask=(UserFact("pilot customer's address", to, ("address", "email", "customer", "who")),)
                 if asked else ())


@scenario
def unsuppress_resend(world: MailgunCommunication, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT s.domain, s.address, s.kind FROM suppressions s WHERE s.kind != 'complaints'"
                      " AND (SELECT COUNT(*) FROM suppressions t WHERE t.domain = s.domain AND t.address = s.address)"
                      " = 1 ORDER BY s.domain, s.address")
    if not rows:
        return None
    row = rng.choice(rows)
    subject = rng.choice(SUBJECTS)
    return Draft(request=f"{row['address']} says they never get mail from {row['domain']}. If they are on one of "
                         f"its suppression lists, take them off and resend '{subject}' to them from "
                         f"support@{row['domain']}.",
                 calls=(call("list_suppressions", domain=row["domain"]),
                        call("delete_suppression", domain=row["domain"], address=row["address"], kind=row["kind"]),
                        call("send_email", to_email=row["address"], subject=subject, text="Resending as promised.",
                             from_email=f"support@{row['domain']}")))
