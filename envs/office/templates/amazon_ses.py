"""Task templates of AmazonSES: templated and raw MIME sends, which need data the tool graph cannot make up."""

from __future__ import annotations

import json
import random

from envfactory_gym.core.tasks import Draft, UserFact, call, scenario
from envs.office.amazon_ses import VARIABLE, AmazonSES

VALUES = {"name": ["Ana", "Tom", "Priya", "Jonas"], "company": ["Acme", "Globex"], "plan": ["Pro", "Team"],
          "code": ["481516", "230942"], "order_id": ["A-1042", "B-7731"], "carrier": ["UPS", "DHL"],
          "month": ["February", "March"], "invoice_no": ["INV-0091", "INV-0107"], "amount": ["$49.00", "$120.00"],
          "days": ["3", "7"]}


def sendable(world: AmazonSES, rng: random.Random) -> tuple[str, str]:
    """A verified sender of a verified domain and a recipient the account may mail (verified in the sandbox)."""
    sender = rng.choice(world.rows("SELECT DISTINCT source FROM messages ORDER BY source"))["source"]
    sandbox = world.value("SELECT sandbox FROM account")
    people = world.rows("SELECT identity FROM identities WHERE identity_type = 'EmailAddress' AND identity LIKE '%@%'"
                        " AND (?1 = 0 OR verification_status = 'Success') AND identity NOT IN"
                        " (SELECT email_address FROM suppressed) ORDER BY identity", sandbox)
    return sender, rng.choice(people)["identity"]


@scenario
def templated_send(world: AmazonSES, rng: random.Random) -> Draft:
    template = rng.choice(world.rows("SELECT * FROM templates ORDER BY template_name"))
    sender, to = sendable(world, rng)
    names = sorted(set(VARIABLE.findall(template["subject_part"] + " " + template["text_part"])))
    data = {n: rng.choice(VALUES.get(n, ["x"])) for n in names}
    said = ", ".join(f"{n.replace('_', ' ')} {v}" for n, v in data.items())
    return Draft(
        request=rng.choice(["Send {to} our {t} email from {s}{w}.", "Use the {t} template to mail {to} from {s}{w}."])
        .format(to=to, t=template["template_name"], s=sender, w=f" ({said})" if said else ""),
        calls=(call("send_templated_email", source=sender, to_addresses=[to], template=template["template_name"],
                    template_data=json.dumps(data)),))


@scenario
def raw_send(world: AmazonSES, rng: random.Random) -> Draft:
    sender, to = sendable(world, rng)
    subject = rng.choice(["Signed contract attached", "Your March statement", "Meeting notes", "Quarterly report"])
    raw = f"From: {sender}\nTo: {to}\nSubject: {subject}\nMIME-Version: 1.0\nContent-Type: text/plain\n\nSee attached."
    return Draft(
        request=f"I have a raw MIME message ready; please send it as is:\n{raw}".replace("\n", " | "),
        calls=(call("send_raw_email", raw_message=raw),))


@scenario
def unsuppress_and_send(world: AmazonSES, rng: random.Random) -> Draft | None:
    sender, _ = sendable(world, rng)
    blocked = world.rows("SELECT email_address FROM suppressed WHERE ?1 = 0 OR email_address IN"
                         " (SELECT identity FROM identities WHERE verification_status = 'Success')"
                         " ORDER BY email_address", world.value("SELECT sandbox FROM account"))
    if not blocked:
        return None
    to = rng.choice(blocked)["email_address"]
    return Draft(
        request=f"My emails to {to} never arrive. If SES is suppressing that address, lift it, then send them "
                f"'Checking in' from {sender} asking whether they still get our mail.",
        calls=(call("get_suppressed_destination", email_address=to),
               call("delete_suppressed_destination", email_address=to),
               call("send_email", source=sender, to_addresses=[to], subject="Checking in",
                    body_text="Do you still get our mail?")))


@scenario
def domain_token(world: AmazonSES, rng: random.Random) -> Draft:
    found = rng.choice(world.rows("SELECT * FROM identities WHERE identity_type = 'Domain'"
                                  " AND verification_status != 'Success' ORDER BY identity"))
    return Draft(
        request=f"Has SES verified my domain {found['identity']} yet? If not, tell me its status and the TXT "
                "token I have to publish in DNS.",
        calls=(call("get_identity_verification_attributes", identities=[found["identity"]]),),
        answer=(found["verification_status"], found["verification_token"]))


@scenario
def clean_failed_senders(world: AmazonSES, rng: random.Random) -> Draft | None:
    failed = [r["identity"] for r in world.rows("SELECT identity FROM identities WHERE identity_type = 'EmailAddress'"
                                                " AND verification_status = 'Failed' ORDER BY identity")]
    if not 1 <= len(failed) <= 8:
        return None
    return Draft(
        request="Tidy up my SES senders: remove every email address identity whose verification failed.",
        calls=(call("list_identities", identity_type="EmailAddress"),
               *(call("delete_identity", identity=f) for f in failed)))


@scenario
def new_template_then_send(world: AmazonSES, rng: random.Random) -> Draft:
    sender, to = sendable(world, rng)
    name, subject = rng.choice([("MaintenanceNotice", "Planned maintenance on {{date}}"),
                                ("EventReminder", "Reminder: {{event}} starts soon"),
                                ("RenewalNotice", "Your plan renews on {{date}}")])
    variable = VARIABLE.findall(subject)[0]
    value = {"date": "March 14", "event": "the spring webinar"}[variable]
    text = f"Hello, a quick note about {{{{{variable}}}}}."
    asked = rng.random() < 0.3
    return Draft(
        request=f"Create an SES template called {name} with the subject '{subject}' and the text '{text}', then "
                f"send it from {sender} to {'a customer (ask me who)' if asked else to} with {variable} set to "
                f"{value}.",
        calls=(call("create_template", template_name=name, subject_part=subject, text_part=text),
               call("send_templated_email", source=sender, to_addresses=[to], template=name,
                    template_data=json.dumps({variable: value}))),
        ask=(UserFact("recipient", to, ("recipient", "who", "send it to", "address")),) if asked else ())
