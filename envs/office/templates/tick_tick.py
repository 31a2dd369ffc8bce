"""Task templates of TickTick: requests of a user who drives TickTick through its Open API, with their gold calls."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, pick, scenario
from envs.office.tick_tick import TickTick

LOGIN = "ticktick_oauth2_authorization_step1"


def login(world: TickTick, rng: random.Random, scope: str = "tasks:read tasks:write") -> tuple[str, Any]:
    """The words of a login with one of the user's apps, and its gold call."""
    app = rng.choice(world.rows("SELECT * FROM apps ORDER BY client_id"))
    words = rng.choice(["Log in with my app {c} (redirect URI {r}).", "My TickTick app is {c}, redirect URI {r}."])
    return (words.format(c=app["client_id"], r=app["redirect_uri"]),
            call(LOGIN, scope=scope, client_id=app["client_id"], redirect_uri=app["redirect_uri"]))


def task_in(world: TickTick, rng: random.Random, sql: str) -> dict[str, Any] | None:
    """A task (with its project's name) among the rows of ``sql`` whose title is unique in the account."""
    rows = world.rows("SELECT t.*, p.name AS project FROM tasks t JOIN projects p USING (project_id) WHERE " + sql +
                      " AND t.title IN (SELECT title FROM tasks GROUP BY title HAVING COUNT(*) = 1) ORDER BY task_id")
    return rng.choice(rows) if rows else None


def opened(task: dict[str, Any]) -> tuple[Any, ...]:
    """After the login (step 0): find the task's project, then its open tasks."""
    return (call("ticktick_get_user_project", access_token=Ref(0, "access_token")),
            call("ticktick_get_project_with_data", access_token=Ref(0, "access_token"),
                 project_id=Ref(1, "projects", then=pick("project_id", name=task["project"]))))


@scenario
def unchecked_items(world: TickTick, rng: random.Random) -> Draft | None:
    task = task_in(world, rng, "t.status = 0 AND t.task_id IN (SELECT task_id FROM items WHERE status = 0)"
                               " AND t.task_id IN (SELECT task_id FROM items WHERE status = 1)")
    if task is None:
        return None
    words, first = login(world, rng, "tasks:read")
    left = [r["title"] for r in world.rows("SELECT title FROM items WHERE task_id = ? AND status = 0 ORDER BY"
                                           " sort_order", task["task_id"])]
    return Draft(
        request=f"{words} Which checklist items of '{task['title']}' in my {task['project']} list are still unchecked?",
        calls=(first, *opened(task), call("ticktick_get_task", access_token=Ref(0, "access_token"),
                                          project_id=Ref(2, "project_id"),
                                          task_id=Ref(2, "tasks", then=pick("task_id", title=task["title"])))),
        answer=tuple(left))


@scenario
def finish_task(world: TickTick, rng: random.Random) -> Draft | None:
    task = task_in(world, rng, "t.status = 0 AND p.kind = 'TASK'")
    if task is None:
        return None
    words, first = login(world, rng)
    return Draft(
        request=f"{words} I've done '{task['title']}' from my {task['project']} list, please tick it off.",
        calls=(first, *opened(task), call("ticktick_complete_task", access_token=Ref(0, "access_token"),
                                          project_id=Ref(2, "project_id"),
                                          task_id=Ref(2, "tasks", then=pick("task_id", title=task["title"])))))


@scenario
def bump_priority(world: TickTick, rng: random.Random) -> Draft | None:
    task = task_in(world, rng, "t.status = 0 AND p.kind = 'TASK' AND t.priority < 5")
    if task is None:
        return None
    words, first = login(world, rng)
    return Draft(
        request=f"{words} '{task['title']}' in {task['project']} is urgent now: make it high priority, due on a "
                "day I'll give you.",
        calls=(first, *opened(task), call("ticktick_update_task", access_token=Ref(0, "access_token"),
                                          project_id=Ref(2, "project_id"), priority=5, due_date="2026-03-06",
                                          task_id=Ref(2, "tasks", then=pick("task_id", title=task["title"])))),
        ask=(UserFact("due day", "2026-03-06", ("day", "date", "due", "when")),))


@scenario
def trip_list(world: TickTick, rng: random.Random) -> Draft | None:
    words, first = login(world, rng)
    name = rng.choice(["Weekend in Porto", "Moving house", "Garden plans", "Wedding prep"])
    if world.value("SELECT COUNT(*) FROM projects WHERE inbox = 0") >= 8:
        return None
    items = rng.sample(["Book train", "Ask Ana", "Compare prices", "Pack bags", "Set budget"], 3)
    return Draft(
        request=f"{words} Make a kanban list '{name}' and put a high-priority task 'Plan it' in it, due 2026-03-20, "
                f"with the checklist {', '.join(items)}.",
        calls=(first, call("ticktick_create_project", access_token=Ref(0, "access_token"), name=name,
                           viewMode="kanban"),
               call("ticktick_create_task", access_token=Ref(0, "access_token"), title="Plan it",
                    project_id=Ref(1, "project_id"), priority=5, due_date="2026-03-20", items=items)))
