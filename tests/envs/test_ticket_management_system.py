"""Behaviour of TicketManagementSystem: sessions, status transitions, permissions, comments, search, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "TicketManagementSystem"


def me(world: Any) -> str:
    return world.value("SELECT username FROM sessions WHERE active = 1")


def ticket(world: Any, where: str, *params: Any) -> dict[str, Any]:
    return world.row(f"SELECT * FROM tickets WHERE {where} ORDER BY ticket_id", *params)


def test_create_ticket_and_find_it_by_search(world: Any) -> None:
    created = world.call("create_ticket", {"title": "Quokka sync fails", "description": "Nightly job",
                                           "priority": 3, "category": "technical"})
    row = world.row("SELECT * FROM tickets WHERE ticket_id = ?", created["ticket_id"])
    assert (row["status"], row["created_by"], row["priority"], row["assignee"]) == ("open", me(world), 3, None)
    found = world.call("search_tickets", {"query": "quokka"})
    assert [t["ticket_id"] for t in found["tickets"]] == [created["ticket_id"]]


def test_status_transitions_and_resolution(env: Any, world: Any) -> None:
    mine = ticket(world, "status = 'open' AND assignee = ?", me(world))
    message = fails(env, world, "resolve_ticket", {"ticket_id": mine["ticket_id"], "resolution": "x"})
    assert message == (f"ticket {mine['ticket_id']} is open; only in_progress tickets can be resolved"
                       " (set it in_progress with update_ticket first)")
    assert fails(env, world, "close_ticket", {"ticket_id": mine["ticket_id"]}) == (
        f"ticket {mine['ticket_id']} is open; resolve it before closing it")
    world.call("update_ticket", {"ticket_id": mine["ticket_id"], "status": "in_progress"})
    resolved = world.call("resolve_ticket", {"ticket_id": mine["ticket_id"], "resolution": "Patched"})
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "Patched")
    world.call("close_ticket", {"ticket_id": mine["ticket_id"]})
    assert world.value("SELECT status FROM tickets WHERE ticket_id = ?", mine["ticket_id"]) == "closed"
    assert fails(env, world, "update_ticket", {"ticket_id": mine["ticket_id"], "priority": 4}) == (
        f"ticket {mine['ticket_id']} is closed and cannot be changed; create a new ticket instead")
    assert fails(env, world, "add_comment", {"ticket_id": mine["ticket_id"], "comment": "hi"}) == (
        f"ticket {mine['ticket_id']} is closed and cannot be changed; create a new ticket instead")


def test_only_assignee_or_admin_resolves(env: Any, world: Any) -> None:
    other = ticket(world, "status = 'in_progress' AND assignee != ?", me(world))
    assert fails(env, world, "resolve_ticket", {"ticket_id": other["ticket_id"], "resolution": "x"}) == (
        f"only the assignee ({other['assignee']}) or an admin can resolve ticket {other['ticket_id']}")
    admin = world.row("SELECT * FROM users WHERE role = 'admin'")
    assert fails(env, world, "login", {"username": admin["username"], "password": "wrong"}) == (
        "invalid username or password")
    world.call("login", {"username": admin["username"], "password": admin["password"]})
    assert world.call("check_login_status", {}) == {"is_authenticated": True, "username": admin["username"],
                                                     "role": "admin"}
    world.call("resolve_ticket", {"ticket_id": other["ticket_id"], "resolution": "Done by admin"})
    assert world.value("SELECT status FROM tickets WHERE ticket_id = ?", other["ticket_id"]) == "resolved"
    world.call("logout", {})
    assert fails(env, world, "list_tickets", {}) == "not logged in; call login with your username and password first"


def test_customers_see_only_their_tickets_and_no_internal_notes(env: Any, world: Any) -> None:
    note = world.row("SELECT c.*, t.created_by FROM comments c JOIN tickets t USING (ticket_id) WHERE c.is_internal = 1"
                     " AND t.status != 'closed' ORDER BY comment_id")
    customer = world.row("SELECT * FROM users WHERE username = ?", note["created_by"])
    world.call("login", {"username": customer["username"], "password": customer["password"]})
    shown = world.call("get_ticket_comments", {"ticket_id": note["ticket_id"], "include_internal": True})
    assert note["comment_id"] not in [c["comment_id"] for c in shown["comments"]]
    assert fails(env, world, "add_comment", {"ticket_id": note["ticket_id"], "comment": "x", "is_internal": True}) == (
        "customers cannot write internal notes")
    assert fails(env, world, "update_ticket", {"ticket_id": note["ticket_id"], "priority": 4}) == (
        "customers can only change the title and description of their tickets")
    foreign = ticket(world, "created_by != ?", customer["username"])
    assert fails(env, world, "get_ticket", {"ticket_id": foreign["ticket_id"]}) == (
        f"ticket {foreign['ticket_id']} not found; search_tickets or list_tickets show ticket ids")
    assert {t["created_by"] for t in world.call("list_tickets", {"limit": 100})["tickets"]} == {customer["username"]}
    added = world.call("add_comment", {"ticket_id": note["ticket_id"], "comment": "Any news?"})
    assert world.row("SELECT author, is_internal FROM comments WHERE comment_id = ?", added["comment_id"]) == {
        "author": customer["username"], "is_internal": 0}


def test_schema_limits_and_statistics(env: Any, world: Any) -> None:
    assert fails(env, world, "create_ticket", {"title": "x", "priority": 5}) == (
        "invalid arguments for 'create_ticket': priority must be between 1 and 4")
    spec = world_set(ENV)(0).tools["update_ticket"][1]
    assert spec.parameters["properties"]["status"]["enum"] == ["open", "in_progress"]
    stats = world.call("get_ticket_statistics", {"time_period": "all"})
    assert stats["total_tickets"] == world.value("SELECT COUNT(*) FROM tickets")
    assert sum(stats["tickets_by_category"].values()) == stats["total_tickets"]


def test_admin_task_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = scenario_task(env, "admin_resolves")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[1:]) == 0.0
