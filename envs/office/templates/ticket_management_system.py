"""Task templates of TicketManagementSystem: working tickets through their states, as an agent, admin or customer."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.office.ticket_management_system import TicketManagementSystem

NOTES = ["Cleared the cached credentials and the customer can log in again.", "Refund of the duplicate charge issued.",
         "Patched in release 4.3; confirmed with the customer.", "Walked the customer through the settings page."]


def me(world: TicketManagementSystem) -> str:
    return world.value("SELECT username FROM sessions WHERE active = 1")


def ticket(world: TicketManagementSystem, rng: random.Random, where: str, *params: Any) -> dict[str, Any] | None:
    rows = world.rows(f"SELECT * FROM tickets WHERE {where} ORDER BY ticket_id", *params)
    return rng.choice(rows) if rows else None


def user(world: TicketManagementSystem, rng: random.Random, role: str) -> dict[str, Any]:
    return rng.choice(world.rows("SELECT * FROM users WHERE role = ? ORDER BY username", role))


@scenario
def start_and_resolve(world: TicketManagementSystem, rng: random.Random) -> Draft | None:
    found = ticket(world, rng, "status = 'open' AND assignee = ?", me(world))
    if found is None:
        return None
    note = rng.choice(NOTES)
    return Draft(request=f"I've fixed ticket #{found['ticket_id']} ('{found['title']}'). Mark it resolved with the"
                         f" note \"{note}\" and post the same note as a comment for the customer.",
                 calls=(call("update_ticket", ticket_id=found["ticket_id"], status="in_progress"),
                        call("resolve_ticket", ticket_id=found["ticket_id"], resolution=note),
                        call("add_comment", ticket_id=found["ticket_id"], comment=note)))


@scenario
def close_resolved(world: TicketManagementSystem, rng: random.Random) -> Draft | None:
    found = ticket(world, rng, "status = 'resolved'")
    if found is None:
        return None
    return Draft(request=rng.choice(["The customer confirmed the fix for ticket #{n}; please close it and leave them"
                                     " a comment saying \"Glad it works, closing this now.\"",
                                     "Add the comment \"Glad it works, closing this now.\" to ticket #{n}, then close"
                                     " it."]).format(n=found["ticket_id"]),
                 calls=(call("add_comment", ticket_id=found["ticket_id"], comment="Glad it works, closing this now."),
                        call("close_ticket", ticket_id=found["ticket_id"])))


@scenario
def admin_resolves(world: TicketManagementSystem, rng: random.Random) -> Draft | None:
    found = ticket(world, rng, "status = 'in_progress' AND assignee != ?", me(world))
    admin = user(world, rng, "admin")
    if found is None:
        return None
    note = rng.choice(NOTES)
    return Draft(request=f"{found['assignee']} is out sick. Log in as the admin ({admin['username']}, password"
                         f" {admin['password']}), resolve ticket #{found['ticket_id']} with \"{note}\" and leave the internal note"
                         f" \"Resolved for {found['assignee']}.\"",
                 calls=(call("login", username=admin["username"], password=admin["password"]),
                        call("resolve_ticket", ticket_id=found["ticket_id"], resolution=note),
                        call("add_comment", ticket_id=found["ticket_id"], comment=f"Resolved for {found['assignee']}.",
                             is_internal=True)))


@scenario
def escalate(world: TicketManagementSystem, rng: random.Random) -> Draft | None:
    found = ticket(world, rng, "status IN ('open', 'in_progress') AND priority < 4")
    agent = user(world, rng, "agent")
    if found is None or found["assignee"] == agent["username"]:
        return None
    return Draft(request=f"Ticket #{found['ticket_id']} is urgent now: raise it to the top priority, hand it to"
                         f" {agent['username']} and add an internal note \"Escalated, customer is blocked.\"",
                 calls=(call("update_ticket", ticket_id=found["ticket_id"], priority=4, assignee=agent["username"]),
                        call("add_comment", ticket_id=found["ticket_id"], comment="Escalated, customer is blocked.",
                             is_internal=True)))


@scenario
def customer_files(world: TicketManagementSystem, rng: random.Random) -> Draft:
    customer = user(world, rng, "customer")
    title = rng.choice(["Invoice PDF is blank", "Cannot reset my password", "Export button does nothing"])
    return Draft(request=f"Log in as {customer['username']} (password {customer['password']}), file a"
                         f" {'billing' if 'Invoice' in title else 'technical'} ticket \"{title}\" with high priority,"
                         " and add the comment \"It started this morning.\"",
                 calls=(call("login", username=customer["username"], password=customer["password"]),
                        call("create_ticket", title=title, priority=3,
                             category="billing" if "Invoice" in title else "technical"),
                        call("add_comment", ticket_id=Ref(1, "ticket_id"), comment="It started this morning.")))


@scenario
def reopen_resolved(world: TicketManagementSystem, rng: random.Random) -> Draft | None:
    found = ticket(world, rng, "status = 'resolved'")
    if found is None:
        return None
    return Draft(request=f"The fix on ticket #{found['ticket_id']} didn't hold. Put it back in progress and tell me"
                         " who it is assigned to. Also leave the comment \"Reopened: issue is back.\" on it.",
                 calls=(call("update_ticket", ticket_id=found["ticket_id"], status="in_progress"),
                        call("add_comment", ticket_id=found["ticket_id"], comment="Reopened: issue is back."),
                        call("get_ticket", ticket_id=Ref(0, "ticket_id"))),
                 answer=(found["assignee"],))
