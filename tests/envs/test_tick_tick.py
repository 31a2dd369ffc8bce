"""Behaviour of the TickTick environment: OAuth login and scopes, projects, tasks, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "TickTick"
LOGIN = "ticktick_oauth2_authorization_step1"


def login(world: Any, scope: str = "tasks:read tasks:write") -> str:
    app = world.row("SELECT * FROM apps ORDER BY client_id")
    return world.call(LOGIN, {"scope": scope, "client_id": app["client_id"],
                              "redirect_uri": app["redirect_uri"]})["access_token"]


def open_task(world: Any, kind: str = "TASK") -> dict[str, Any]:
    return world.row("SELECT t.* FROM tasks t JOIN projects p USING (project_id) WHERE t.status = 0 AND p.kind = ?"
                     " ORDER BY task_id", kind)


def test_login_checks_the_app_and_scope(env: Any, world: Any) -> None:
    app = world.row("SELECT * FROM apps ORDER BY client_id")
    assert fails(env, world, LOGIN, {"scope": "tasks:read", "client_id": app["client_id"],
                                     "redirect_uri": "https://evil.example.com"}) == (
        f"redirect_uri does not match the one registered for app '{app['name']}'")
    assert fails(env, world, "ticktick_get_user_project", {"access_token": "nope"}) == (
        "invalid access token; log in with ticktick_oauth2_authorization_step1 first")
    token = login(world, "tasks:read")
    assert len(world.call("ticktick_get_user_project", {"access_token": token})["projects"]) == 7
    assert fails(env, world, "ticktick_create_project", {"access_token": token, "name": "X"}) == (
        "this access token lacks the tasks:write scope; log in again with scope 'tasks:read tasks:write'")
    assert env.worlds.changes() == world.changes()  # the session table is ungraded
    assert not world.changes()


def test_create_task_with_checklist_in_inbox(world: Any) -> None:
    token = login(world)
    made = world.call("ticktick_create_task", {"access_token": token, "title": "Call Ana", "due_date": "2026-03-05",
                                               "priority": 3, "items": ["Find number", "Prepare notes"]})
    inbox = world.value("SELECT project_id FROM projects WHERE inbox = 1")
    assert (made["project_id"], made["due_date"], made["isAllDay"], made["priority"]) == (
        inbox, "2026-03-05T00:00:00+0000", True, 3)
    assert [i["title"] for i in made["items"]] == ["Find number", "Prepare notes"]
    data = world.call("ticktick_get_project_with_data", {"access_token": token, "project_id": inbox})
    assert data["tasks"][0]["task_id"] == made["task_id"]


def test_complete_task_once_and_not_notes(env: Any, world: Any) -> None:
    token = login(world)
    task = open_task(world)
    args = {"access_token": token, "task_id": task["task_id"], "project_id": task["project_id"]}
    result = world.call("ticktick_complete_task", args)
    assert result == {**{k: args[k] for k in ("task_id", "project_id")}, "status": "completed",
                      "completedTime": "2026-03-02T09:01:00+0000"}
    assert world.value("SELECT status FROM tasks WHERE task_id = ?", task["task_id"]) == 2
    assert fails(env, world, "ticktick_complete_task", args) == f"task '{task['title']}' is already completed"
    note = open_task(world, "NOTE")
    if note is not None:
        assert fails(env, world, "ticktick_complete_task", {
            "access_token": token, "task_id": note["task_id"], "project_id": note["project_id"]}) == (
            "notes cannot be completed; delete the note instead")


def test_update_task_dates_and_priority(env: Any, world: Any) -> None:
    token = login(world)
    task = open_task(world)
    args = {"access_token": token, "task_id": task["task_id"], "project_id": task["project_id"]}
    assert fails(env, world, "ticktick_update_task", {**args, "start_date": "2026-03-10",
                                                      "due_date": "2026-03-09"}) == (
        "the due date must not be before the start date")
    assert "priority" in fails(env, world, "ticktick_update_task", {**args, "priority": 2})
    updated = world.call("ticktick_update_task", {**args, "due_date": "2026-03-09T17:00:00+02:00", "priority": 5})
    assert (updated["due_date"], updated["isAllDay"], updated["priority"], updated["title"]) == (
        "2026-03-09T15:00:00+0000", False, 5, task["title"])


def test_project_rules(env: Any, world: Any) -> None:
    token = login(world)
    inbox = world.value("SELECT project_id FROM projects WHERE inbox = 1")
    assert fails(env, world, "ticktick_delete_project", {"access_token": token, "project_id": inbox}) == (
        "the Inbox is built in and cannot be changed or deleted")
    existing = world.value("SELECT name FROM projects WHERE inbox = 0 ORDER BY name")
    assert fails(env, world, "ticktick_create_project", {"access_token": token, "name": existing.upper()}) == (
        f"a list named '{existing.upper()}' already exists; choose another name")
    for name in ("A", "B", "C"):
        world.call("ticktick_create_project", {"access_token": token, "name": name, "viewMode": "kanban"})
    assert fails(env, world, "ticktick_create_project", {"access_token": token, "name": "D"}) == (
        "the free plan allows at most 9 lists; delete one or upgrade to Premium")
    victim = world.value("SELECT project_id FROM projects WHERE name = 'A'")
    assert world.call("ticktick_delete_project", {"access_token": token, "project_id": victim})["deleted"] is True
    assert world.call("ticktick_create_project", {"access_token": token, "name": "D"})["viewMode"] == "list"


def test_schema_shows_priority_levels_and_user_known_login() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["ticktick_create_task"][1].parameters["properties"]["priority"]["enum"] == [0, 1, 3, 5]
    assert tools[LOGIN][1].user_known == frozenset({"client_id", "redirect_uri"})


def test_gold_earns_one_and_another_task_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "finish_task", lambda t: t.seed == 0)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_unchecked_items(env: Any) -> None:
    task = scenario_task(env, "unchecked_items")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="Still open: " + ", ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="Some items are left.") == 0.0
