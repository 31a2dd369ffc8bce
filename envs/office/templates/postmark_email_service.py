"""Task templates of PostmarkEmailService: batch sends, bounce reactivation and open tracking questions."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.office.postmark_email_service import PostmarkEmailService

SUBJECTS = ["Your receipt #4821", "Scheduled maintenance tonight", "Your password was changed", "Welcome aboard"]


def senders(world: PostmarkEmailService) -> list[str]:
    return [r["from_email"] for r in world.rows("SELECT from_email FROM signatures WHERE confirmed = 1"
                                                " ORDER BY from_email")]


def active_people(world: PostmarkEmailService, rng: random.Random, k: int) -> list[str]:
    rows = world.rows("SELECT DISTINCT to_email FROM messages WHERE to_email NOT IN"
                      " (SELECT email FROM bounces WHERE inactive = 1) ORDER BY to_email")
    return rng.sample([r["to_email"] for r in rows], k)


@scenario
def batch_send(world: PostmarkEmailService, rng: random.Random) -> Draft:
    sender, subject = rng.choice(senders(world)), rng.choice(SUBJECTS)
    to = active_people(world, rng, rng.randrange(2, 5))
    tag = rng.choice(["receipt", "announcement", "welcome"])
    return Draft(request=f"Send '{subject}' from {sender} to each of {', '.join(to)} in one batch, text "
                         f"'Thanks for your business.', tagged {tag}.",
                 calls=(call("send_email_batch", messages=[
                     {"to_email": t, "from_email": sender, "subject": subject, "text_body": "Thanks for your business.",
                      "tag": tag} for t in to]),))


@scenario
def reactivate_and_resend(world: PostmarkEmailService, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT b.*, m.subject FROM bounces b JOIN messages m USING (message_id) WHERE b.inactive = 1"
                      " AND b.type IN ('HardBounce', 'Blocked') AND (SELECT COUNT(*) FROM bounces c WHERE"
                      " c.email = b.email) = 1 ORDER BY b.id")
    if not rows:
        return None
    row, sender = rng.choice(rows), rng.choice(senders(world))
    asked = rng.random() < 0.3
    return Draft(request=f"{row['email']} fixed their mailbox and wants our mail again. Reactivate them in Postmark "
                         f"and resend '{row['subject']}' from {sender}" +
                         (" (ask me for the wording)." if asked else " with the text 'Resending as requested.'"),
                 calls=(call("get_bounces", email_filter=row["email"]),
                        call("activate_bounce", bounce_id=Ref(0, "bounces.0.ID")),
                        call("send_email", to_email=row["email"], subject=row["subject"], from_email=sender,
                             text_body="Resending as requested.")),
                 ask=(UserFact("the text", "Resending as requested.", ("text", "wording", "body", "say")),)
                 if asked else ())


@scenario
def first_open(world: PostmarkEmailService, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT m.message_id, m.subject, m.to_email, COUNT(*) AS n FROM messages m JOIN opens o USING"
                      " (message_id) WHERE m.subject IN (SELECT subject FROM messages GROUP BY subject HAVING"
                      " COUNT(*) = 1) GROUP BY m.message_id HAVING n >= 2 ORDER BY m.message_id")
    if not rows:
        return None
    row = rng.choice(rows)
    first = world.row("SELECT * FROM opens WHERE message_id = ? ORDER BY received_at LIMIT 1", row["message_id"])
    return Draft(request=f"When did {row['to_email']} first open our '{row['subject']}' email, and in which email "
                         "client? Also how many times was it opened in all?",
                 calls=(call("search_outbound_messages", subject=row["subject"]),
                        call("get_message_opens", message_id=Ref(0, "0.MessageID"))),
                 answer=(first["received_at"] + "Z", first["client"], str(row["n"])))


@scenario
def tag_report(world: PostmarkEmailService, rng: random.Random) -> Draft:
    tag = rng.choice(world.rows("SELECT DISTINCT tag FROM messages ORDER BY tag"))["tag"]
    stats = world.call("get_outbound_stats", {"tag": tag})
    return Draft(request=f"How did our '{tag}' emails do? I need the number sent, hard bounces and unique opens.",
                 calls=(call("get_outbound_stats", tag=tag),),
                 answer=(str(stats["Sent"]), str(stats["HardBounces"]), str(stats["UniqueOpens"])))
