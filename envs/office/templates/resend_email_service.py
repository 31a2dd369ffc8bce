"""Task templates of ResendEmailService: sends, scheduled sends, batches and changes to scheduled emails."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.office.resend_email_service import STAMP, ResendEmailService

SUBJECTS = ["Your March invoice", "Welcome to the beta", "Team offsite agenda", "Password changed",
            "New login from Chrome", "Your trial ends soon"]


def sender(world: ResendEmailService, rng: random.Random) -> str:
    return rng.choice(world.rows("SELECT DISTINCT e.from_email FROM emails e JOIN domains d ON d.id = e.domain_id"
                                 " WHERE d.status = 'verified' ORDER BY e.from_email"))["from_email"]


def people(world: ResendEmailService, rng: random.Random, k: int) -> list[str]:
    return rng.sample([r["address"] for r in world.rows("SELECT DISTINCT address FROM recipients ORDER BY address")],
                      k)


def later(world: ResendEmailService, days: int, hour: int) -> str:
    return (world.start_time + dt.timedelta(days=days)).replace(hour=hour, minute=0).strftime(STAMP)


def pending(world: ResendEmailService) -> list[dict[str, Any]]:
    """Scheduled emails whose subject and first recipient together name one email."""
    rows = world.rows("SELECT e.id, e.subject, e.scheduled_at, MIN(r.address) AS address FROM emails e JOIN"
                      " recipients r ON r.email_id = e.id AND r.field = 'to' WHERE e.last_event = 'scheduled'"
                      " GROUP BY e.id ORDER BY e.id")
    return [r for r in rows if world.value("SELECT COUNT(*) FROM emails e JOIN recipients r ON r.email_id = e.id"
                                           " WHERE r.address = ? AND e.last_event = 'scheduled'", r["address"]) == 1]


@scenario
def send_now(world: ResendEmailService, rng: random.Random) -> Draft:
    to, cc = people(world, rng, 2)
    subject, sent_from = rng.choice(SUBJECTS), sender(world, rng)
    rows = [r for r in pending(world) if r["address"] not in (to, cc)]
    old = rng.choice(rows) if rows else None
    when = old and (dt.datetime.strptime(old["scheduled_at"], STAMP) + dt.timedelta(hours=2)).strftime(STAMP)
    return Draft(request=f"Email {to} from {sent_from} with the subject '{subject}' and the text 'Details inside.';"
                         f" copy {cc}." + (f" Also push the '{old['subject']}' email scheduled for {old['address']} "
                                           "back by two hours." if old else ""),
                 calls=(call("send_email", to=[to], subject=subject, from_email=sent_from, text="Details inside.",
                             cc=[cc]),
                        *((call("list_emails", last_event="scheduled", recipient=old["address"]),
                           call("update_email", email_id=Ref(1, "data.0.id"), scheduled_at=when)) if old else ())))


@scenario
def schedule_send(world: ResendEmailService, rng: random.Random) -> Draft:
    (to,), subject, sent_from = people(world, rng, 1), rng.choice(SUBJECTS), sender(world, rng)
    when = later(world, rng.randrange(1, 6), rng.choice([8, 10, 14, 16]))
    rows = [r for r in pending(world) if r["address"] != to]
    old = rng.choice(rows) if rows else None
    return Draft(request=f"Schedule '{subject}' to {to} from {sent_from} for {when} UTC; the HTML body is "
                         "'<p>See you there!</p>'." + (f" It replaces the '{old['subject']}' email scheduled for "
                                                       f"{old['address']}, so cancel that one." if old else ""),
                 calls=(call("send_email", to=[to], subject=subject, from_email=sent_from,
                             html="<p>See you there!</p>", scheduled_at=when),
                        *((call("list_emails", last_event="scheduled", recipient=old["address"]),
                           call("cancel_email", email_id=Ref(1, "data.0.id"))) if old else ())))


@scenario
def batch_send(world: ResendEmailService, rng: random.Random) -> Draft:
    sent_from, subject = sender(world, rng), rng.choice(SUBJECTS)
    to = people(world, rng, rng.randrange(2, 5))
    asked = rng.random() < 0.3
    return Draft(request=f"In one batch, send each of {', '.join(to)} their own copy of '{subject}' from "
                         f"{sent_from}" + (" (I'll give you the text if you ask)." if asked
                                           else " with the text 'Thanks for being with us.'"),
                 calls=(call("send_batch_emails", emails=[{"from_email": sent_from, "to": [t], "subject": subject,
                                                           "text": "Thanks for being with us."} for t in to]),),
                 ask=(UserFact("the text", "Thanks for being with us.", ("text", "body", "message", "say")),)
                 if asked else ())


@scenario
def reschedule(world: ResendEmailService, rng: random.Random) -> Draft | None:
    rows = pending(world)
    if not rows:
        return None
    row = rng.choice(rows)
    when = (dt.datetime.strptime(row["scheduled_at"], STAMP) + dt.timedelta(days=1)).strftime(STAMP)
    return Draft(request=f"The '{row['subject']}' email scheduled for {row['address']} should go out one day "
                         "later than planned, same time. Please move it.",
                 calls=(call("list_emails", last_event="scheduled", recipient=row["address"]),
                        call("update_email", email_id=Ref(0, "data.0.id"), scheduled_at=when)))


@scenario
def cancel_and_resend(world: ResendEmailService, rng: random.Random) -> Draft | None:
    rows = pending(world)
    if not rows:
        return None
    row = rng.choice(rows)
    sent_from = world.value("SELECT from_email FROM emails WHERE id = ?", row["id"])
    return Draft(request=f"Cancel the scheduled '{row['subject']}' email to {row['address']} and send them "
                         f"'Change of plans' from {sent_from} right away instead, text 'Our plans changed.'",
                 calls=(call("list_emails", last_event="scheduled", recipient=row["address"]),
                        call("cancel_email", email_id=Ref(0, "data.0.id")),
                        call("send_email", to=[row["address"]], subject="Change of plans", from_email=sent_from,
                             text="Our plans changed.")))


@scenario
def new_domain(world: ResendEmailService, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT * FROM domains WHERE status != 'verified' AND dns_configured = 1 ORDER BY name")
    if not rows:
        return None
    row, (me,) = rng.choice(rows), people(world, rng, 1)
    return Draft(request=f"I've finished the DNS setup for {row['name']}. Have Resend check it, and once it is "
                         f"verified send a test email from test@{row['name']} to me at {me} with the subject "
                         "'DNS test' and text 'ok'.",
                 calls=(call("list_domains"), call("verify_domain", domain_id=Ref(0, "", lambda ds, n=row["name"]: next(
                            d["id"] for d in ds if d["name"] == n))),
                        call("send_email", to=[me],
                             subject="DNS test", from_email=f"test@{row['name']}", text="ok")))


@scenario
def add_domain(world: ResendEmailService, rng: random.Random) -> Draft:
    base = rng.choice(world.rows("SELECT name FROM domains WHERE name NOT LIKE '%.%.%' ORDER BY name"))["name"]
    name = f"{rng.choice(['news', 'mail', 'notify', 'receipts'])}.{base}"
    region, where = rng.choice([("eu-west-1", "Ireland"), ("sa-east-1", "Sao Paulo"), ("us-east-1", "Virginia"),
                                ("ap-northeast-1", "Tokyo")])
    return Draft(request=f"Add {name} as a new sending domain, sending from the {region} region ({where}), and "
                         "kick off its DNS verification right away.",
                 calls=(call("create_domain", name=name, region=region),
                        call("verify_domain", domain_id=Ref(0, "id"))))
