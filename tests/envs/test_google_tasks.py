"""Behaviour of the GoogleTasks environment: lists, tasks, subtasks and positions, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "GoogleTasks"


def list_id(world: Any, title: str = "My Tasks") -> str:
    return world.value("SELECT tasklist_id FROM task_lists WHERE title = ?", title)


def a_parent(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM tasks WHERE task_id IN (SELECT parent FROM tasks) ORDER BY task_id")


def test_create_task_goes_on_top_and_renumbers(world: Any) -> None:
    mine = list_id(world)
    first = world.value("SELECT task_id FROM tasks WHERE tasklist_id = ? AND parent IS NULL ORDER BY position", mine)
    created = world.call("create_task", {"tasklist_id": mine, "title": " Buy milk ", "due": "2026-03-05T10:00:00Z"})
    assert (created["title"], created["due"], created["status"], created["position"]) == (
        "Buy milk", "2026-03-05", "needsAction", "0" * 20)
    assert world.value("SELECT position FROM tasks WHERE task_id = ?", first) == 1
    listed = world.call("list_tasks", {"tasklist_id": mine, "max_results": 1})["tasks"]
    assert listed[0]["task_id"] == created["task_id"]


def test_subtask_rules_and_previous_sibling(env: Any, world: Any) -> None:
    parent = a_parent(world)
    child = world.value("SELECT task_id FROM tasks WHERE parent = ? ORDER BY position", parent["task_id"])
    args = {"tasklist_id": parent["tasklist_id"], "title": "Nested"}
    assert fails(env, world, "create_task", {**args, "task_parent": child}) == (
        f"task '{child}' is itself a subtask; subtasks cannot have subtasks")
    assert fails(env, world, "create_task", {**args, "task_previous": child}) == (
        f"previous task '{child}' is not a sibling under the same parent; it must share the parent (or be "
        "top-level when no parent is given)")
    made = world.call("create_task", {**args, "task_parent": parent["task_id"], "task_previous": child})
    assert (made["parent"], made["position"]) == (parent["task_id"], f"{1:020d}")


def test_update_task_completion_round_trip(world: Any) -> None:
    task = world.row("SELECT * FROM tasks WHERE status = 'needsAction' AND parent IS NULL ORDER BY task_id")
    done = world.call("update_task", {"tasklist_id": task["tasklist_id"], "task_id": task["task_id"],
                                      "status": "completed"})
    assert (done["status"], done["completed"], done["title"]) == ("completed", "2026-03-02T09:00:00.000Z",
                                                                  task["title"])
    again = world.call("update_task", {"tasklist_id": task["tasklist_id"], "task_id": task["task_id"],
                                       "status": "needsAction"})
    assert (again["status"], again["completed"], again["notes"]) == ("needsAction", None, task["notes"])


def test_move_task_to_another_list_takes_its_subtasks(env: Any, world: Any) -> None:
    parent = a_parent(world)
    target = world.value("SELECT tasklist_id FROM task_lists WHERE tasklist_id != ? ORDER BY title",
                         parent["tasklist_id"])
    other = world.value("SELECT task_id FROM tasks WHERE tasklist_id = ? AND parent IS NULL AND task_id != ?"
                        " ORDER BY task_id", parent["tasklist_id"], parent["task_id"])
    assert fails(env, world, "move_task", {"tasklist_id": parent["tasklist_id"], "task_id": parent["task_id"],
                                           "parent": other}) == (
        f"task '{parent['task_id']}' has subtasks, so it cannot become a subtask")
    moved = world.call("move_task", {"tasklist_id": parent["tasklist_id"], "task_id": parent["task_id"],
                                     "destination_tasklist": target})
    assert moved == {"task_id": parent["task_id"], "tasklist_id": target, "parent": None, "position": "0" * 20}
    assert world.value("SELECT COUNT(*) FROM tasks WHERE parent = ? AND tasklist_id != ?", parent["task_id"],
                       target) == 0


def test_delete_and_clear_rules(env: Any, world: Any) -> None:
    assert fails(env, world, "delete_task_list", {"tasklist_id": list_id(world)}) == (
        "the default task list cannot be deleted; delete its tasks or clear_tasks instead")
    parent = a_parent(world)
    assert world.call("delete_task", {"tasklist_id": parent["tasklist_id"], "task_id": parent["task_id"]}) == {
        "id": parent["task_id"], "deleted": True}
    assert world.value("SELECT COUNT(*) FROM tasks WHERE parent = ?", parent["task_id"]) == 0
    lst = world.value("SELECT tasklist_id FROM tasks WHERE status = 'completed' AND hidden = 0 ORDER BY task_id")
    cleared = world.call("clear_tasks", {"tasklist_id": lst})
    assert cleared["cleared"] > 0
    assert world.call("list_tasks", {"tasklist_id": lst, "max_results": 100, "show_completed": True}
                      )["tasks"] == [t for t in world.call("list_tasks", {"tasklist_id": lst, "max_results": 100,
                                                                         "show_completed": False})["tasks"]]
    assert fails(env, world, "clear_tasks", {"tasklist_id": lst}) == (
        f"task list '{lst}' has no visible completed tasks to clear")
    assert fails(env, world, "get_task_list", {"tasklist_id": "tl_nope"}) == (
        "no task list with id 'tl_nope'; list_task_lists shows the ids")


def test_task_list_crud_and_schema_limits(env: Any, world: Any) -> None:
    made = world.call("create_task_list", {"tasklist_title": "Garden"})
    renamed = world.call("update_task_list", {"tasklist_id": made["tasklist_id"], "title": "Garden 2026"})
    assert renamed["title"] == world.value("SELECT title FROM task_lists WHERE tasklist_id = ?",
                                           made["tasklist_id"]) == "Garden 2026"
    assert world.call("delete_task_list", {"tasklist_id": made["tasklist_id"]})["deleted"] is True
    assert fails(env, world, "get_upcoming_tasks", {"tasklist_id": list_id(world), "days_ahead": 91}) == (
        "invalid arguments for 'get_upcoming_tasks': days_ahead must be between 1 and 90")
    schema = world_set(ENV)(0).tools["list_tasks"][1].parameters["properties"]["max_results"]
    assert (schema["minimum"], schema["maximum"]) == (1, 100)


def test_upcoming_tasks_window(world: Any) -> None:
    lst = list_id(world)
    world.call("create_task", {"tasklist_id": lst, "title": "Soon", "due": "2026-03-04"})
    world.call("create_task", {"tasklist_id": lst, "title": "Later", "due": "2026-04-30"})
    titles = [t["title"] for t in world.call("get_upcoming_tasks", {"tasklist_id": lst, "days_ahead": 7})["tasks"]]
    assert "Soon" in titles and "Later" not in titles


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "update_task_list" and not t.answer_facts
                and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "title": arguments["title"] + " x"})]) == 0.0
    assert play(env, task.id, []) == 0.0
