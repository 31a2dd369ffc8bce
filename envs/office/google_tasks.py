"""GoogleTasks: Google Tasks (task lists; tasks with notes, due dates, completion, one level of subtasks and
positions; moving between lists; clearing completed tasks)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id

STAMP = "%Y-%m-%dT%H:%M:%S.000Z"
Title = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"\S")]
Notes = Annotated[str, Field(max_length=8192)]
Due = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$")]
Stamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$")]
Status = Annotated[str, Field(pattern=r"^(needsAction|completed)$")]
Limit = Annotated[int, Field(ge=1, le=100)]
LISTS = {  # list title -> task titles a user keeps there
    "My Tasks": "Renew passport; Call the dentist; Pay the electricity bill; Book car service; Return library books;"
                " Cancel gym trial; Order printer ink; Send birthday card to Mom; Back up laptop; File expense report",
    "Work": "Draft Q2 roadmap; Review pull requests; Prepare board slides; Write onboarding doc; Fix staging alerts;"
            " Reply to vendor contract; Schedule team retro; Finalize budget forecast; Migrate CI pipeline;"
            " Plan offsite agenda; Audit access permissions; Renew SSL certificates",
    "Groceries": "Oat milk; Sourdough bread; Free-range eggs; Greek yogurt; Bananas; Coffee beans; Spinach;"
                 " Chicken thighs; Basmati rice; Olive oil; Cheddar; Dish soap; Tomatoes",
    "Home renovation": "Get three plumber quotes; Pick kitchen tiles; Order paint samples; Book electrician;"
                       " Measure living room windows; Choose bathroom vanity; Remove old carpet; Seal the deck",
    "Travel prep": "Book airport parking; Check visa requirements; Buy travel adapter; Print boarding passes;"
                   " Exchange currency; Arrange pet sitter; Download offline maps; Pack first-aid kit",
    "Reading list": "Finish Deep Work; Start The Pragmatic Programmer; Read Thinking Fast and Slow;"
                    " Return Sapiens to Alex; Try Project Hail Mary; Read Atomic Habits",
    "Side project": "Set up domain name; Design landing page; Write privacy policy; Configure analytics;"
                    " Record demo video; Collect beta feedback; Price the Pro plan",
}
LISTS = {name: titles.split("; ") for name, titles in LISTS.items()}
SUBTASKS = ["Collect receipts", "Ask for a second opinion", "Compare prices", "Confirm the date", "Send a reminder",
            "Write a short summary", "Double-check the numbers", "Find the reference number"]

TaskList = TypedDict("TaskList", {"tasklist_id": str, "title": str, "updated": str})
TaskLists = TypedDict("TaskLists", {"task_lists": list[TaskList], "next_page_token": str | None})
Task = TypedDict("Task", {"task_id": str, "tasklist_id": str, "title": str, "notes": str, "status": str,
                          "due": str | None, "completed": str | None, "parent": str | None, "position": str,
                          "hidden": bool, "updated": str})
Link = TypedDict("Link", {"type": str, "description": str, "link": str})
TaskDetail = TypedDict("TaskDetail", {**Task.__annotations__, "links": list[Link]})
Tasks = TypedDict("Tasks", {"tasklist_id": str, "tasks": list[Task]})
Moved = TypedDict("Moved", {"task_id": str, "tasklist_id": str, "parent": str | None, "position": str})
Deleted = TypedDict("Deleted", {"id": str, "deleted": bool})
Cleared = TypedDict("Cleared", {"tasklist_id": str, "cleared": int})
TASK_COLUMNS = "task_id, tasklist_id, title, notes, status, due, completed, parent, position, hidden, updated"
#: TASK_COLUMNS of ``tasks t`` (in a query joining task_lists).
TASK_IN_LIST = ", ".join(f"t.{column}" for column in TASK_COLUMNS.split(", "))


def due_date(value: str | None) -> str | None:
    """Google Tasks keeps only the date of a due time."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise ToolError(f"due must be a date like 2026-03-05 (or an RFC 3339 time), got {value!r}") from None


def shown(task: dict[str, Any]) -> dict[str, Any]:
    return {**task, "position": f"{task['position']:020d}", "hidden": bool(task["hidden"])}


class GoogleTasks(World):
    """The user's Google Tasks: task lists (the default one is 'My Tasks') and their tasks. Due dates are
    YYYY-MM-DD; a task's status is 'needsAction' or 'completed'; a task may have subtasks (one level deep)."""

    domain = "Office"
    schema = """
    CREATE TABLE task_lists (tasklist_id TEXT PRIMARY KEY, title TEXT NOT NULL, updated TEXT NOT NULL,
                            is_default INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE tasks (task_id TEXT PRIMARY KEY, tasklist_id TEXT NOT NULL REFERENCES task_lists,
                        title TEXT NOT NULL, notes TEXT NOT NULL DEFAULT '',
                        status TEXT NOT NULL CHECK (status IN ('needsAction', 'completed')), due TEXT,
                        completed TEXT, parent TEXT REFERENCES tasks, position INTEGER NOT NULL,
                        hidden INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL);
    CREATE INDEX tasks_by_list ON tasks (tasklist_id, parent, position);
    CREATE INDEX tasks_by_due ON tasks (tasklist_id, status, due);
    CREATE INDEX tasks_by_parent ON tasks (parent);
    -- links Google attaches to tasks created from Gmail or Docs (read-only in the API)
    CREATE TABLE task_links (task_id TEXT NOT NULL REFERENCES tasks, type TEXT NOT NULL, description TEXT NOT NULL,
                             link TEXT NOT NULL, PRIMARY KEY (task_id, link));
    """
    volatile = {"tasks": ("updated", "completed"), "task_lists": ("updated",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        lists, tasks, links = [], [], []
        stamp = lambda days: (cls.start_time - dt.timedelta(days=days, minutes=rng.randrange(600))).strftime(STAMP)  # noqa: E731
        for title in ["My Tasks", *rng.sample([t for t in LISTS if t != "My Tasks"], 5)]:
            list_id = fake_id(rng, "tl_")
            lists.append({"tasklist_id": list_id, "title": title, "updated": stamp(rng.randrange(1, 40)),
                          "is_default": int(title == "My Tasks")})
            for position, name in enumerate(rng.sample(LISTS[title], rng.randrange(len(LISTS[title]) - 4,
                                                                                     len(LISTS[title]) + 1))):
                done = rng.random() < 0.3
                due = None if rng.random() < 0.25 else (cls.start_time + dt.timedelta(
                    days=rng.randrange(-10, 30))).date().isoformat()
                task = {"task_id": fake_id(rng, "t_"), "tasklist_id": list_id, "title": name,
                        "notes": fake.sentence(nb_words=8) if rng.random() < 0.5 else "",
                        "status": "completed" if done else "needsAction", "due": due,
                        "completed": stamp(rng.randrange(1, 15)) if done else None, "parent": None,
                        "position": position, "hidden": int(done and rng.random() < 0.3),
                        "updated": stamp(rng.randrange(0, 20))}
                tasks.append(task)
                nested = title not in ("Groceries", "Reading list") and rng.random() < 0.3
                for sub, sub_title in enumerate(rng.sample(SUBTASKS, rng.choice([2, 3]) if nested else 0)):
                    tasks.append({**task, "task_id": fake_id(rng, "t_"), "title": sub_title, "notes": "",
                                  "parent": task["task_id"], "position": sub, "hidden": 0, "due": None,
                                  "status": "needsAction", "completed": None})
                if title in ("Work", "My Tasks") and rng.random() < 0.25:
                    links.append({"task_id": task["task_id"], "type": "email", "description": f"Re: {name}",
                                  "link": f"https://mail.google.com/mail/#all/{rng.getrandbits(64):016x}"})
        db["task_lists"].insert_all(lists)
        db["tasks"].insert_all(tasks)
        db["task_links"].insert_all(links)

    # ------------------------------------------------------------------ helpers
    def _list(self, tasklist_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM task_lists WHERE tasklist_id = ?", tasklist_id,
                            error=f"no task list with id '{tasklist_id}'; list_task_lists shows the ids")

    def _task(self, tasklist_id: str, task_id: str) -> dict[str, Any]:
        """A task of a list, checking the list first (one query for both)."""
        found = self.row(f"SELECT {TASK_IN_LIST} FROM task_lists l LEFT JOIN tasks t ON t.task_id = ?1 AND"
                         " t.tasklist_id = l.tasklist_id WHERE l.tasklist_id = ?2", task_id, tasklist_id)
        if found is None:  # what _list says
            raise ToolError(f"no task list with id '{tasklist_id}'; list_task_lists shows the ids")
        if found["task_id"] is None:  # task_id is the primary key: no such task in the list
            raise ToolError(f"no task with id '{task_id}' in task list '{tasklist_id}'; list_tasks shows the ids")
        return found

    def _place(self, task_id: str, tasklist_id: str, parent: str | None, previous: str | None,
               updated: str | None = None) -> int:
        """Put a task under ``parent`` right after sibling ``previous`` (first when None) and renumber; with
        ``updated``, stamp it as changed then. Returns the task's new position."""
        siblings = self._siblings(task_id, tasklist_id, parent, previous)
        if updated is not None:
            self.execute("UPDATE tasks SET tasklist_id = ?, parent = ?, updated = ? WHERE task_id = ?", tasklist_id,
                         parent, updated, task_id)
        # Only positions that change are written (the renumbered state is the same).
        self.executemany("UPDATE tasks SET position = ?1 WHERE task_id = ?2 AND position != ?1",
                         list(enumerate(siblings)))
        return siblings.index(task_id)

    def _siblings(self, task_id: str, tasklist_id: str, parent: str | None, previous: str | None) -> list[str]:
        """The ids of the tasks under ``parent`` in their new order once ``task_id`` goes right after ``previous``
        (checking that the move is allowed)."""
        if parent is not None:
            above = self.require("SELECT task_id, parent FROM tasks WHERE task_id = ? AND tasklist_id = ?", parent,
                                 tasklist_id, error=f"parent task '{parent}' is not in task list '{tasklist_id}'")
            if parent == task_id:
                raise ToolError("a task cannot be its own parent")
            if above["parent"] is not None:
                raise ToolError(f"task '{parent}' is itself a subtask; subtasks cannot have subtasks")
            if self.value("SELECT 1 FROM tasks WHERE parent = ?", task_id):
                raise ToolError(f"task '{task_id}' has subtasks, so it cannot become a subtask")
        siblings = [r["task_id"] for r in self.rows(
            "SELECT task_id FROM tasks WHERE tasklist_id = ? AND parent IS ? AND task_id != ? ORDER BY position",
            tasklist_id, parent, task_id)]
        if previous is not None and previous not in siblings:
            raise ToolError(f"previous task '{previous}' is not a sibling under the same parent; it must share "
                            "the parent (or be top-level when no parent is given)")
        siblings.insert(siblings.index(previous) + 1 if previous else 0, task_id)
        return siblings

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me my task lists", "list my Google Tasks lists"])
    def list_task_lists(self, max_results: Limit = 20, page_token: str | None = None) -> TaskLists:
        """List the user's task lists, default list first, then by title.

        Args:
            max_results: At most this many lists per page.
            page_token: The next_page_token of a previous page.
        """
        start = 0
        if page_token:
            if not page_token.startswith("p") or not page_token[1:].isdigit():
                raise ToolError(f"invalid page_token {page_token!r}; use the next_page_token of a previous page")
            start = int(page_token[1:])
        found = self.rows("SELECT tasklist_id, title, updated FROM task_lists ORDER BY is_default DESC, title,"
                          " tasklist_id LIMIT ? OFFSET ?", max_results + 1, start)
        more = len(found) > max_results
        return {"task_lists": found[:max_results], "next_page_token": f"p{start + max_results}" if more else None}

    @tool(phrase=["look up {tasklist_id}", "check when {tasklist_id} was last changed"])
    def get_task_list(self, tasklist_id: str) -> TaskList:
        """Get one task list.

        Args:
            tasklist_id: The task list's id.
        """
        found = self._list(tasklist_id)
        return {"tasklist_id": found["tasklist_id"], "title": found["title"], "updated": found["updated"]}

    @tool(writes=True, phrase=["create a new task list called {tasklist_title}",
                               "start a task list named {tasklist_title}"])
    def create_task_list(self, tasklist_title: Title) -> TaskList:
        """Create a task list.

        Args:
            tasklist_title: Title of the new list (up to 1024 characters).
        """
        list_id, now = self.new_id("task_lists", "tl_"), self.clock_text(STAMP)
        self.execute("INSERT INTO task_lists VALUES (?, ?, ?, 0)", list_id, tasklist_title.strip(), now)
        return {"tasklist_id": list_id, "title": tasklist_title.strip(), "updated": now}  # as get_task_list shows it

    @tool(writes=True, phrase=["rename {tasklist_id} to {title}", "call {tasklist_id} {title} from now on"])
    def update_task_list(self, tasklist_id: str, title: Title) -> TaskList:
        """Rename a task list.

        Args:
            tasklist_id: The task list's id.
            title: Its new title.
        """
        now = self.clock_text(STAMP)
        if not self.execute("UPDATE task_lists SET title = ?, updated = ? WHERE tasklist_id = ?", title.strip(), now,
                            tasklist_id):
            self.refused(self._list, tasklist_id)  # no such list: says so
        # As get_task_list shows it (the key matched exactly, so it is tasklist_id).
        return {"tasklist_id": tasklist_id, "title": title.strip(), "updated": now}

    @tool(writes=True, phrase=["delete {tasklist_id} with everything in it", "get rid of {tasklist_id}"])
    def delete_task_list(self, tasklist_id: str) -> Deleted:
        """Delete a task list and all its tasks. The default list cannot be deleted.

        Args:
            tasklist_id: The task list's id.
        """
        if not self.execute("DELETE FROM task_lists WHERE tasklist_id = ? AND NOT is_default", tasklist_id):
            self._list(tasklist_id)  # no such list: says so; else it is the default one
            raise ToolError("the default task list cannot be deleted; delete its tasks or clear_tasks instead")
        self.execute("DELETE FROM task_links WHERE task_id IN (SELECT task_id FROM tasks WHERE tasklist_id = ?)",
                     tasklist_id)
        self.execute("DELETE FROM tasks WHERE tasklist_id = ?", tasklist_id)
        return {"id": tasklist_id, "deleted": True}

    @tool(phrase=["show the tasks in {tasklist_id}[ due from {due_min}][ due before {due_max}]",
                  "check what's on {tasklist_id}[ that is due on or after {due_min}][ and before {due_max}]"])
    def list_tasks(self, tasklist_id: str, max_results: Limit = 20, show_completed: bool = True,
                   due_min: Due | None = None, due_max: Due | None = None, show_hidden: bool = False) -> Tasks:
        """List the tasks of a list in their order (each top-level task followed by its subtasks).

        Args:
            tasklist_id: The task list's id.
            max_results: At most this many tasks.
            show_completed: Include completed tasks.
            due_min: Only tasks due on or after this date (YYYY-MM-DD).
            due_max: Only tasks due before this date (YYYY-MM-DD).
            show_hidden: Include completed tasks hidden by clear_tasks.
        """
        self._list(tasklist_id)
        low, high = due_date(due_min), due_date(due_max)
        found = self.rows(
            f"SELECT t.{TASK_COLUMNS.replace(', ', ', t.')} FROM tasks t LEFT JOIN tasks p ON p.task_id = t.parent"
            " WHERE t.tasklist_id = ?1 AND (?2 OR t.status != 'completed') AND (?3 OR t.hidden = 0)"
            " AND (?4 IS NULL OR t.due >= ?4) AND (?5 IS NULL OR t.due < ?5)"
            " ORDER BY coalesce(p.position, t.position), coalesce(t.parent, t.task_id), t.parent IS NOT NULL,"
            " t.position LIMIT ?6",
            tasklist_id, show_completed, show_hidden, low, high, max_results)
        return {"tasklist_id": tasklist_id, "tasks": [shown(t) for t in found]}

    @tool(phrase=["pull up the details of {task_id} in {tasklist_id}"])
    def get_task(self, task_id: str, tasklist_id: str) -> TaskDetail:
        """Get one task with its notes and the links (emails, documents) it came from.

        Args:
            task_id: The task's id.
            tasklist_id: The id of the list it is in.
        """
        task = shown(self._task(tasklist_id, task_id))
        return {**task, "links": self.rows("SELECT type, description, link FROM task_links WHERE task_id = ?"
                                           " ORDER BY link", task_id)}

    @tool(writes=True, phrase=[
        "add a task {title} to {tasklist_id}[ due {due}][ with the note {notes}]",
        "put {title} on {tasklist_id}[, due {due}][, noting {notes}]",
        "add {title} as a subtask of {task_parent}[ due {due}]",
    ])
    def create_task(self, tasklist_id: str, title: Title, notes: Notes = "", due: Due | None = None,
                    status: Status = "needsAction", completed: Stamp | None = None,
                    task_parent: str | None = None, task_previous: str | None = None) -> Task:
        """Create a task at the top of a list, or under a parent task, or right after a sibling.

        Args:
            tasklist_id: The list to add it to.
            title: The task's title.
            notes: Notes for the task.
            due: Due date (YYYY-MM-DD; a time of day is dropped, as Google Tasks does).
            status: 'needsAction' or 'completed'.
            completed: When it was completed (RFC 3339; only with status 'completed').
            task_parent: A top-level task of the same list to nest it under.
            task_previous: The sibling task it goes right after.
        """
        self._list(tasklist_id)
        if completed and status != "completed":
            raise ToolError("a completion time needs status 'completed'")
        task_id, now = self.new_id("tasks", "t_"), self.clock_text(STAMP)
        task = {"task_id": task_id, "tasklist_id": tasklist_id, "title": title.strip(), "notes": notes,
                "status": status, "due": due_date(due), "completed": (completed or now) if status == "completed"
                else None, "parent": task_parent, "position": -1, "hidden": 0, "updated": now}
        self.execute(f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", *task.values())
        task["position"] = self._place(task_id, tasklist_id, task_parent, task_previous)
        return shown(task)  # the row as it now is

    @tool(writes=True, phrase=[
        "mark {task_id} in {tasklist_id} as {status}", "change the due date of {task_id} in {tasklist_id} to {due}",
        "update {task_id} in {tasklist_id}[: title {title}][, due {due}][, notes {notes}][, status {status}]",
        "rename {task_id} in {tasklist_id} to {title}", "set the notes of {task_id} in {tasklist_id} to {notes}",
    ])
    def update_task(self, tasklist_id: str, task_id: str, title: Title | None = None, notes: Notes | None = None,
                    due: Due | None = None, status: Status | None = None, completed: Stamp | None = None) -> Task:
        """Change a task's title, notes, due date or status; fields left out stay as they are. Marking a task
        'needsAction' again clears its completion time.

        Args:
            tasklist_id: The id of the list it is in.
            task_id: The task's id.
            title: New title.
            notes: New notes.
            due: New due date (YYYY-MM-DD).
            status: 'needsAction' or 'completed'.
            completed: Completion time (RFC 3339) for a completed task.
        """
        task = self._task(tasklist_id, task_id)
        status = status or task["status"]
        if completed and status != "completed":
            raise ToolError("a completion time needs status 'completed'")
        now = self.clock_text(STAMP)
        done = completed or (task["completed"] if task["status"] == "completed" else now)
        changed = {"title": task["title"] if title is None else title.strip(),
                   "notes": task["notes"] if notes is None else notes,
                   "due": task["due"] if due is None else due_date(due), "status": status,
                   "completed": done if status == "completed" else None,
                   "hidden": task["hidden"] if status == "completed" else 0, "updated": now}
        self.execute("UPDATE tasks SET title = ?, notes = ?, due = ?, status = ?, completed = ?, hidden = ?,"
                     " updated = ? WHERE task_id = ?", *changed.values(), task_id)
        return shown({**task, **changed})  # the row as _task reads it back

    @tool(writes=True, phrase=["delete {task_id} from {tasklist_id}", "remove {task_id} from {tasklist_id}"])
    def delete_task(self, task_id: str, tasklist_id: str) -> Deleted:
        """Delete a task; its subtasks are deleted with it.

        Args:
            task_id: The task's id.
            tasklist_id: The id of the list it is in.
        """
        # The task and its subtasks, when the task is in the list (a task's list always exists).
        doomed = ("(task_id = ?1 OR parent = ?1) AND"
                  " EXISTS (SELECT 1 FROM tasks WHERE task_id = ?1 AND tasklist_id = ?2)")
        self.execute(f"DELETE FROM task_links WHERE task_id IN (SELECT task_id FROM tasks WHERE {doomed})", task_id,
                     tasklist_id)
        if not self.execute(f"DELETE FROM tasks WHERE {doomed}", task_id, tasklist_id):
            self.refused(self._task, tasklist_id, task_id)  # says which is missing
        return {"id": task_id, "deleted": True}

    @tool(writes=True, phrase=["move {task_id} from {tasklist_id} over to {destination_tasklist}",
                               "make {task_id} of {tasklist_id} a subtask of {parent}",
                               "in {tasklist_id}, put {task_id} right after {previous}"])
    def move_task(self, tasklist_id: str, task_id: str, destination_tasklist: str | None = None,
                  parent: str | None = None, previous: str | None = None) -> Moved:
        """Move a task: under another parent (or to the top level), after another sibling, or into another list
        (its subtasks go with it). Without parent and previous it goes to the top of the list.

        Args:
            tasklist_id: The id of the list it is in now.
            task_id: The task's id.
            destination_tasklist: The list to move it to (the same list when left out).
            parent: The top-level task to nest it under (top level when left out).
            previous: The sibling to put it right after (first when left out).
        """
        self._task(tasklist_id, task_id)
        target = destination_tasklist or tasklist_id
        self._list(target)
        position = self._place(task_id, target, parent, previous, updated=self.clock_text(STAMP))
        self.execute("UPDATE tasks SET tasklist_id = ?1 WHERE parent = ?2 AND tasklist_id != ?1", target, task_id)
        return {"task_id": task_id, "tasklist_id": target, "parent": parent, "position": f"{position:020d}"}

    @tool(writes=True, phrase=["clear the completed tasks from {tasklist_id}", "tidy up {tasklist_id}"])
    def clear_tasks(self, tasklist_id: str) -> Cleared:
        """Hide every completed task of a list (they stay retrievable with show_hidden).

        Args:
            tasklist_id: The task list's id.
        """
        count = self.execute("UPDATE tasks SET hidden = 1 WHERE tasklist_id = ? AND status = 'completed'"
                             " AND hidden = 0", tasklist_id)
        if count == 0:
            self._list(tasklist_id)  # no such list: says so
            raise ToolError(f"task list '{tasklist_id}' has no visible completed tasks to clear")
        return {"tasklist_id": tasklist_id, "cleared": count}

    @tool(phrase=["check what in {tasklist_id} is due in the next {days_ahead} days",
                  "show what's coming up in {tasklist_id}[ over the next {days_ahead} days]"])
    def get_upcoming_tasks(self, tasklist_id: str, days_ahead: Annotated[int, Field(ge=1, le=90)] = 7,
                           max_results: Limit = 20) -> Tasks:
        """Open tasks of a list due from today through the next days, soonest first.

        Args:
            tasklist_id: The task list's id.
            days_ahead: How many days ahead to look (1-90).
            max_results: At most this many tasks.
        """
        self._list(tasklist_id)
        today = self.now().date()
        found = self.rows(f"SELECT {TASK_COLUMNS} FROM tasks WHERE tasklist_id = ? AND status = 'needsAction'"
                          " AND due >= ? AND due <= ? ORDER BY due, position, task_id LIMIT ?", tasklist_id,
                          today.isoformat(), (today + dt.timedelta(days=days_ahead)).isoformat(), max_results)
        return {"tasklist_id": tasklist_id, "tasks": [shown(t) for t in found]}
