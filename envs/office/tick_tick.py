"""TickTick: the TickTick Open API (OAuth login for an access token; projects with view modes and kanban columns;
tasks with priorities 0/1/3/5, start and due dates, checklist items and completion)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

STAMP = "%Y-%m-%dT%H:%M:%S+0000"
MAX_PROJECTS = 9  # TickTick's free plan: 9 lists besides the Inbox
PROJECTS = {  # name -> (kind, view mode, task titles)
    "Work": ("TASK", "kanban", "Prepare sprint demo; Write API changelog; Review design mockups; Update team wiki;"
             " Send invoice to client; Plan Q3 hiring; Fix flaky login test; Draft quarterly report"),
    "Personal": ("TASK", "list", "Book eye exam; Renew car registration; Call grandma; Pay credit card bill;"
                 " Sort old photos; Cancel streaming trial; Buy birthday gift for Lea"),
    "Shopping": ("TASK", "list", "Running shoes; Phone charger; Coffee filters; Houseplant soil; Winter jacket;"
                 " Printer paper; Batteries"),
    "Fitness": ("TASK", "timeline", "Morning run 5k; Yoga class; Book swim lessons; Stretch routine;"
                " Track protein intake; Sign up for half marathon"),
    "Learning Spanish": ("TASK", "list", "Duolingo streak; Watch a film in Spanish; Irregular verbs drill;"
                         " Book conversation class; Read a short story"),
    "Trip to Lisbon": ("TASK", "kanban", "Book flights; Reserve hotel in Alfama; Buy Lisbon card;"
                       " Plan Sintra day trip; Check museum hours; Pack sunscreen"),
    "Recipes": ("NOTE", "list", "Shakshuka; Lentil soup; Banana bread; Thai green curry; Overnight oats"),
}
INBOX = "Reply to landlord; Scan tax documents; Water the plants; Return parcel; Buy stamps; Pick up keys"
CHECKLIST = ["Gather materials", "Confirm with Sam", "Check the budget", "Set a reminder", "Share the result"]
APPS = [("Zapier Bridge", "https://zapier.com/dashboard/auth/oauth/return/TickTickCLIAPI/"),
        ("Habit Dashboard", "https://habits.example.com/oauth/callback"),
        ("My sync script", "http://localhost:8080/callback")]
COLORS = ["#F18181", "#FFD966", "#86BB6D", "#4CA1FF", "#B45EF7", "#F2B04B", "#6E7FF3"]
Scope = Literal["tasks:read", "tasks:write", "tasks:read tasks:write"]
Token = Annotated[str, Field(min_length=1)]
When = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")]
Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
Priority = Literal[0, 1, 3, 5]

Login = TypedDict("Login", {"authorization_url": str, "access_token": str, "token_type": str, "scope": str,
                            "expires_in": int})
Project = TypedDict("Project", {"project_id": str, "name": str, "color": str, "kind": str, "viewMode": str,
                                "sortOrder": int, "closed": bool})
Projects = TypedDict("Projects", {"projects": list[Project]})
Item = TypedDict("Item", {"id": str, "title": str, "status": int, "sortOrder": int})
Task = TypedDict("Task", {"task_id": str, "project_id": str, "title": str, "content": str, "desc": str,
                          "priority": int, "start_date": str | None, "due_date": str | None, "isAllDay": bool,
                          "status": int, "completedTime": str | None, "column_id": str | None,
                          "items": list[Item]})
Column = TypedDict("Column", {"column_id": str, "name": str, "sortOrder": int})
ProjectData = TypedDict("ProjectData", {"project_id": str, "name": str, "viewMode": str, "tasks": list[Task],
                                        "columns": list[Column]})
Completed = TypedDict("Completed", {"task_id": str, "project_id": str, "status": str, "completedTime": str})
Deleted = TypedDict("Deleted", {"project_id": str, "deleted": bool})
TaskDeleted = TypedDict("TaskDeleted", {"task_id": str, "project_id": str, "deleted": bool})


def stamp(value: str | None) -> tuple[str | None, bool]:
    """A date or time in TickTick's form (yyyy-MM-dd'T'HH:mm:ssZ, UTC) and whether it is all-day (a bare date)."""
    if value is None:
        return None, False
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ToolError(f"dates look like 2026-03-05 or 2026-03-05T17:00:00+0000, got {value!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.strftime(STAMP), len(value) == 10


class TickTick(World):
    """The user's TickTick account through its Open API. Log in first (ticktick_oauth2_authorization_step1 with a
    registered app's client id and redirect URI) and pass the access token to every other call. Priorities: 0 none,
    1 low, 3 medium, 5 high; task status 0 open, 2 completed; times are UTC, yyyy-MM-dd'T'HH:mm:ss+0000."""

    domain = "Office"
    schema = """
    CREATE TABLE apps (client_id TEXT PRIMARY KEY, name TEXT NOT NULL, redirect_uri TEXT NOT NULL);
    CREATE TABLE sessions (access_token TEXT PRIMARY KEY, client_id TEXT NOT NULL REFERENCES apps,
                           scope TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE projects (project_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, color TEXT NOT NULL,
                           kind TEXT NOT NULL CHECK (kind IN ('TASK', 'NOTE')), view_mode TEXT NOT NULL,
                           sort_order INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
                           inbox INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE columns (column_id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects,
                          name TEXT NOT NULL, sort_order INTEGER NOT NULL);
    CREATE INDEX columns_by_project ON columns (project_id, sort_order);
    CREATE TABLE tasks (task_id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects, title TEXT NOT NULL,
                        content TEXT NOT NULL DEFAULT '', "desc" TEXT NOT NULL DEFAULT '',
                        priority INTEGER NOT NULL CHECK (priority IN (0, 1, 3, 5)), start_date TEXT, due_date TEXT,
                        all_day INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL CHECK (status IN (0, 2)),
                        completed_time TEXT, column_id TEXT REFERENCES columns, sort_order INTEGER NOT NULL);
    CREATE INDEX tasks_by_project ON tasks (project_id, status, sort_order);
    CREATE TABLE items (item_id TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES tasks, title TEXT NOT NULL,
                        status INTEGER NOT NULL, sort_order INTEGER NOT NULL);
    CREATE INDEX items_by_task ON items (task_id, sort_order);
    """
    ungraded = ("sessions",)
    volatile = {"tasks": ("completed_time",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["apps"].insert_all({"client_id": "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"
                                                                "23456789", k=16)), "name": name, "redirect_uri": uri}
                              for name, uri in APPS)
        projects, columns, tasks, items = [], [], [], []
        chosen = ["Inbox", *rng.sample(sorted(PROJECTS), 6)]
        for order, name in enumerate(chosen):
            kind, view, titles = PROJECTS.get(name, ("TASK", "list", INBOX))
            project_id = f"inbox{rng.randrange(10**8, 10**9)}" if name == "Inbox" else fake_id(rng, "65f")
            projects.append({"project_id": project_id, "name": name, "color": rng.choice(COLORS), "kind": kind,
                             "view_mode": view, "sort_order": order * 1099511627776, "inbox": int(name == "Inbox")})
            sections = [fake_id(rng, "65f") for _ in range(3 if view == "kanban" else 0)]
            columns.extend({"column_id": c, "project_id": project_id, "name": label, "sort_order": i}
                           for i, (c, label) in enumerate(zip(sections, ["To do", "In progress", "Done"])))
            for position, title in enumerate(titles.split("; ")):
                done = kind == "TASK" and rng.random() < 0.25
                due = None if kind == "NOTE" or rng.random() < 0.3 else cls.start_time.replace(hour=0) + dt.timedelta(
                    days=rng.randrange(-7, 28), hours=rng.choice([0, 0, 9, 14, 17]))
                task_id = fake_id(rng, "65f")
                tasks.append({"task_id": task_id, "project_id": project_id, "title": title,
                              "content": fake.sentence(nb_words=9) if rng.random() < 0.5 else "", "desc": "",
                              "priority": 0 if kind == "NOTE" else rng.choice([0, 0, 1, 3, 5]),
                              "start_date": None, "due_date": due and due.strftime(STAMP),
                              "all_day": int(bool(due) and due.hour == 0), "status": 2 if done else 0,
                              "completed_time": (cls.start_time - dt.timedelta(hours=rng.randrange(2, 200))
                                                 ).strftime(STAMP) if done else None,
                              "column_id": sections[2 if done else rng.randrange(2)] if sections else None,
                              "sort_order": position * 1099511627776})
                items.extend({"item_id": fake_id(rng, "65f"), "task_id": task_id, "title": item, "sort_order": i,
                              "status": int(rng.random() < 0.4)}
                             for i, item in enumerate(rng.sample(CHECKLIST, rng.choice([0, 0, 0, 2, 3]))))
        for table, rows in (("projects", projects), ("columns", columns), ("tasks", tasks), ("items", items)):
            db[table].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _auth(self, access_token: str, need: str) -> None:
        scope = self.value("SELECT scope FROM sessions WHERE access_token = ?", access_token)
        if scope is None:
            raise ToolError("invalid access token; log in with ticktick_oauth2_authorization_step1 first")
        if f"tasks:{need}" not in scope.split():
            raise ToolError(f"this access token lacks the tasks:{need} scope; log in again with scope "
                            "'tasks:read tasks:write'")

    def _project(self, project_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM projects WHERE project_id = ?", project_id,
                            error=f"no project with id '{project_id}'; ticktick_get_user_project lists them")

    def _own_project(self, project_id: str) -> dict[str, Any]:
        project = self._project(project_id)
        if project["inbox"]:
            raise ToolError("the Inbox is built in and cannot be changed or deleted")
        return project

    def _task(self, project_id: str, task_id: str) -> Task:
        self._project(project_id)
        task = self.require(
            "SELECT task_id, project_id, title, content, \"desc\", priority, start_date, due_date, all_day AS isAllDay,"
            " status, completed_time AS completedTime, column_id FROM tasks WHERE task_id = ? AND project_id = ?",
            task_id, project_id, error=f"no task '{task_id}' in project '{project_id}'; "
                                       "ticktick_get_project_with_data lists its tasks")
        items = self.rows("SELECT item_id AS id, title, status, sort_order AS sortOrder FROM items WHERE task_id = ?"
                          " ORDER BY sort_order", task_id)
        return {**task, "isAllDay": bool(task["isAllDay"]), "items": items}

    def _project_out(self, project_id: str) -> Project:
        found = self._project(project_id)
        return {"project_id": project_id, "name": found["name"], "color": found["color"], "kind": found["kind"],
                "viewMode": found["view_mode"], "sortOrder": found["sort_order"], "closed": bool(found["closed"])}

    def _dates(self, start: str | None, due: str | None) -> None:
        if start and due and due < start:
            raise ToolError("the due date must not be before the start date")

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=[
        "log in to TickTick through my app {client_id} (redirect URI {redirect_uri}) with scope {scope}",
        "sign in to TickTick with client id {client_id}, redirect {redirect_uri} and scope {scope}"])
    def ticktick_oauth2_authorization_step1(self, scope: Scope, client_id: Annotated[str, UserKnown],
                                            redirect_uri: Annotated[str, UserKnown],
                                            state: str | None = None) -> Login:
        """Authorize a registered app and get an access token for the other calls (scopes: tasks:read, tasks:write).

        Args:
            scope: 'tasks:read', 'tasks:write' or both, space-separated.
            client_id: The client id of the user's registered TickTick app.
            redirect_uri: The redirect URI registered for that app.
            state: Opaque value echoed back in the authorization URL.
        """
        app = self.require("SELECT * FROM apps WHERE client_id = ?", client_id.strip(),
                           error=f"unknown client_id '{client_id}'; use the id of an app registered on "
                                 "developer.ticktick.com")
        if app["redirect_uri"] != redirect_uri.strip():
            raise ToolError(f"redirect_uri does not match the one registered for app '{app['name']}'")
        token = self.new_id("sessions", "tt_")
        self.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", token, app["client_id"], scope,
                     self.now().strftime(STAMP))
        url = (f"https://ticktick.com/oauth/authorize?scope={scope.replace(' ', '%20')}&client_id={client_id}"
               f"&state={state or ''}&redirect_uri={redirect_uri}&response_type=code")
        return {"authorization_url": url, "access_token": token, "token_type": "bearer", "scope": scope,
                "expires_in": 15551999}

    @tool(phrase=["show me my TickTick lists", "list my TickTick projects"])
    def ticktick_get_user_project(self, access_token: Token) -> Projects:
        """List the user's projects (lists), Inbox first.

        Args:
            access_token: Token from the login.
        """
        self._auth(access_token, "read")
        ids = self.rows("SELECT project_id FROM projects ORDER BY inbox DESC, sort_order, project_id")
        return {"projects": [self._project_out(r["project_id"]) for r in ids]}

    @tool(phrase=["show what's open in {project_id}", "check which tasks are still open in {project_id}"])
    def ticktick_get_project_with_data(self, access_token: Token, project_id: str) -> ProjectData:
        """Get a project with its open (uncompleted) tasks and, for kanban projects, its columns.

        Args:
            access_token: Token from the login.
            project_id: The project's id.
        """
        self._auth(access_token, "read")
        project = self._project(project_id)
        ids = self.rows("SELECT task_id FROM tasks WHERE project_id = ? AND status = 0 ORDER BY sort_order, task_id",
                        project_id)
        return {"project_id": project_id, "name": project["name"], "viewMode": project["view_mode"],
                "tasks": [self._task(project_id, r["task_id"]) for r in ids],
                "columns": self.rows("SELECT column_id, name, sort_order AS sortOrder FROM columns"
                                     " WHERE project_id = ? ORDER BY sort_order", project_id)}

    @tool(phrase=["look up {task_id} in {project_id}", "pull up the checklist of {task_id} in {project_id}"])
    def ticktick_get_task(self, access_token: Token, project_id: str, task_id: str) -> Task:
        """Get one task (open or completed) with its checklist items.

        Args:
            access_token: Token from the login.
            project_id: The id of the project it is in.
            task_id: The task's id.
        """
        self._auth(access_token, "read")
        return self._task(project_id, task_id)

    @tool(writes=True, phrase=["create a TickTick list called {name}[ shown as {viewMode}][ in color {color}]",
                               "make a new {kind} project {name}[ with the {viewMode} view]"])
    def ticktick_create_project(self, access_token: Token, name: NonEmptyStr, kind: Literal["TASK", "NOTE"] = "TASK",
                                color: Color | None = None, viewMode: Literal["list", "kanban", "timeline"] = "list",
                                sortOrder: int | None = None) -> Project:
        """Create a project (list). The free plan allows 9 lists besides the Inbox; names must be unique.

        Args:
            access_token: Token from the login.
            name: The project's name.
            kind: 'TASK' for a task list, 'NOTE' for a notes list.
            color: Hex color like '#F18181'.
            viewMode: 'list', 'kanban' or 'timeline'.
            sortOrder: Position among the projects (lower first).
        """
        self._auth(access_token, "write")
        if self.value("SELECT COUNT(*) FROM projects WHERE inbox = 0") >= MAX_PROJECTS:
            raise ToolError(f"the free plan allows at most {MAX_PROJECTS} lists; delete one or upgrade to Premium")
        if self.value("SELECT 1 FROM projects WHERE lower(name) = lower(?)", name.strip()):
            raise ToolError(f"a list named '{name.strip()}' already exists; choose another name")
        project_id = self.new_id("projects", "65f")
        order = sortOrder if sortOrder is not None else self.value("SELECT MAX(sort_order) FROM projects") + 1
        self.execute("INSERT INTO projects (project_id, name, color, kind, view_mode, sort_order) VALUES"
                     " (?, ?, ?, ?, ?, ?)", project_id, name.strip(), color or "#4CA1FF", kind, viewMode, order)
        return self._project_out(project_id)

    @tool(writes=True, phrase=["rename {project_id} to {name}", "switch {project_id} to the {viewMode} view",
                               "change the color of {project_id} to {color}"])
    def ticktick_update_project(self, access_token: Token, project_id: str, name: NonEmptyStr | None = None,
                                kind: Literal["TASK", "NOTE"] | None = None, color: Color | None = None,
                                viewMode: Literal["list", "kanban", "timeline"] | None = None,
                                sortOrder: int | None = None) -> Project:
        """Change a project's name, kind, color, view mode or position; fields left out stay as they are.

        Args:
            access_token: Token from the login.
            project_id: The project's id.
            name: New name.
            kind: 'TASK' or 'NOTE'.
            color: Hex color like '#F18181'.
            viewMode: 'list', 'kanban' or 'timeline'.
            sortOrder: New position among the projects.
        """
        self._auth(access_token, "write")
        project = self._own_project(project_id)
        if name and self.value("SELECT 1 FROM projects WHERE lower(name) = lower(?) AND project_id != ?",
                               name.strip(), project_id):
            raise ToolError(f"a list named '{name.strip()}' already exists; choose another name")
        if kind == "NOTE" and self.value("SELECT 1 FROM tasks WHERE project_id = ? AND (priority > 0 OR status = 2)",
                                         project_id):
            raise ToolError("a list with prioritized or completed tasks cannot become a NOTE list")
        self.execute("UPDATE projects SET name = ?, kind = ?, color = ?, view_mode = ?, sort_order = ?"
                     " WHERE project_id = ?", (name or project["name"]).strip(), kind or project["kind"],
                     color or project["color"], viewMode or project["view_mode"],
                     project["sort_order"] if sortOrder is None else sortOrder, project_id)
        return self._project_out(project_id)

    @tool(writes=True, phrase=["delete {project_id} with all its tasks", "remove {project_id} from TickTick"])
    def ticktick_delete_project(self, access_token: Token, project_id: str) -> Deleted:
        """Delete a project with its tasks and columns (the Inbox cannot be deleted).

        Args:
            access_token: Token from the login.
            project_id: The project's id.
        """
        self._auth(access_token, "write")
        self._own_project(project_id)
        self.execute("DELETE FROM items WHERE task_id IN (SELECT task_id FROM tasks WHERE project_id = ?)",
                     project_id)
        for table in ("tasks", "columns", "projects"):
            self.execute(f"DELETE FROM {table} WHERE project_id = ?", project_id)
        return {"project_id": project_id, "deleted": True}

    @tool(writes=True, phrase=[
        "add {title} to {project_id}[ due {due_date}][ with priority {priority}][, notes {notes}]",
        "create a TickTick task {title}[ in {project_id}][ starting {start_date}][ due {due_date}]"
        "[ with priority {priority}]"])
    def ticktick_create_task(self, access_token: Token, title: NonEmptyStr, project_id: str | None = None,
                             notes: str = "", description: str = "", start_date: When | None = None,
                             due_date: When | None = None, priority: Priority = 0,
                             items: list[NonEmptyStr] | None = None) -> Task:
        """Create a task (in the Inbox when no project is given), optionally with checklist items. A bare date
        makes it an all-day task. Notes lists take no priority.

        Args:
            access_token: Token from the login.
            title: The task's title.
            project_id: The project to add it to (the Inbox by default).
            notes: The task's content.
            description: Description shown above the checklist.
            start_date: Start, yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss+0000.
            due_date: Due, yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss+0000, not before the start.
            priority: 0 none, 1 low, 3 medium, 5 high.
            items: Checklist item titles.
        """
        self._auth(access_token, "write")
        project = self._project(project_id) if project_id else self.row("SELECT * FROM projects WHERE inbox = 1")
        if project["kind"] == "NOTE" and priority:
            raise ToolError(f"'{project['name']}' is a notes list; notes take no priority")
        (start, _), (due, all_day) = stamp(start_date), stamp(due_date)
        self._dates(start, due)
        task_id = self.new_id("tasks", "65f")
        column = self.value("SELECT column_id FROM columns WHERE project_id = ? ORDER BY sort_order",
                            project["project_id"])
        order = self.value("SELECT coalesce(MIN(sort_order), 0) - 1099511627776 FROM tasks WHERE project_id = ?",
                           project["project_id"])
        self.execute("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)", task_id,
                     project["project_id"], title.strip(), notes, description, priority, start, due, int(all_day),
                     column, order)
        for position, item in enumerate(items or []):
            self.execute("INSERT INTO items VALUES (?, ?, ?, 0, ?)", self.new_id("items", "65f"), task_id,
                         item.strip(), position)
        return self._task(project["project_id"], task_id)

    @tool(writes=True, phrase=[
        "change the due date of {task_id} in {project_id} to {due_date}",
        "set the priority of {task_id} in {project_id} to {priority}",
        "update {task_id} in {project_id}[: title {title}][, due {due_date}][, priority {priority}][, notes {notes}]"])
    def ticktick_update_task(self, access_token: Token, task_id: str, project_id: str,
                             title: NonEmptyStr | None = None, notes: str | None = None,
                             description: str | None = None, start_date: When | None = None,
                             due_date: When | None = None, priority: Priority | None = None) -> Task:
        """Change a task's title, notes, description, dates or priority; fields left out stay as they are.

        Args:
            access_token: Token from the login.
            task_id: The task's id.
            project_id: The id of the project it is in.
            title: New title.
            notes: New content.
            description: New checklist description.
            start_date: New start, yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss+0000.
            due_date: New due date, not before the start.
            priority: 0 none, 1 low, 3 medium, 5 high.
        """
        self._auth(access_token, "write")
        task = self._task(project_id, task_id)
        if priority and self._project(project_id)["kind"] == "NOTE":
            raise ToolError("notes take no priority")
        (start, _), (due, all_day) = stamp(start_date), stamp(due_date)
        start, due = start or task["start_date"], due or task["due_date"]
        self._dates(start, due)
        self.execute("UPDATE tasks SET title = ?, content = ?, \"desc\" = ?, start_date = ?, due_date = ?,"
                     " all_day = ?, priority = ? WHERE task_id = ?", (title or task["title"]).strip(),
                     task["content"] if notes is None else notes, task["desc"] if description is None else description,
                     start, due, int(all_day) if due_date else int(task["isAllDay"]),
                     task["priority"] if priority is None else priority, task_id)
        return self._task(project_id, task_id)

    @tool(writes=True, phrase=["mark {task_id} in {project_id} as done", "complete {task_id} in {project_id}"])
    def ticktick_complete_task(self, access_token: Token, task_id: str, project_id: str) -> Completed:
        """Mark a task completed (it leaves the project's open tasks; kanban tasks move to the last column).

        Args:
            access_token: Token from the login.
            task_id: The task's id.
            project_id: The id of the project it is in.
        """
        self._auth(access_token, "write")
        task = self._task(project_id, task_id)
        if self._project(project_id)["kind"] == "NOTE":
            raise ToolError("notes cannot be completed; delete the note instead")
        if task["status"] == 2:
            raise ToolError(f"task '{task['title']}' is already completed")
        done = self.now().strftime(STAMP)
        last = self.value("SELECT column_id FROM columns WHERE project_id = ? ORDER BY sort_order DESC", project_id)
        self.execute("UPDATE tasks SET status = 2, completed_time = ?, column_id = coalesce(?, column_id)"
                     " WHERE task_id = ?", done, last, task_id)
        return {"task_id": task_id, "project_id": project_id, "status": "completed", "completedTime": done}

    @tool(writes=True, phrase=["delete {task_id} from {project_id}", "remove {task_id} from {project_id}"])
    def ticktick_delete_task(self, access_token: Token, task_id: str, project_id: str) -> TaskDeleted:
        """Delete a task and its checklist.

        Args:
            access_token: Token from the login.
            task_id: The task's id.
            project_id: The id of the project it is in.
        """
        self._auth(access_token, "write")
        self._task(project_id, task_id)
        self.execute("DELETE FROM items WHERE task_id = ?", task_id)
        self.execute("DELETE FROM tasks WHERE task_id = ?", task_id)
        return {"task_id": task_id, "project_id": project_id, "deleted": True}
