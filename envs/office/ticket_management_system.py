"""TicketManagementSystem: a help desk with agents, customers, tickets, comments and a login session."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%d %H:%M"
Status = Literal["open", "in_progress", "resolved", "closed"]
Category = Literal["technical", "billing", "general", "feature_request", "bug_report"]
Priority = Annotated[int, Field(ge=1, le=4, description="1 low, 2 medium, 3 high, 4 urgent")]
Limit = Annotated[int, Field(ge=1, le=100)]
#: Status changes update_ticket makes (resolving and closing have their own tools).
MOVES = {"open": {"in_progress"}, "in_progress": {"open"}, "resolved": {"in_progress"}, "closed": set()}
PERIODS = {"today": 1, "week": 7, "month": 30, "year": 365, "all": 100_000}
SUBJECTS = {
    "technical": ["Cannot log in after password reset", "VPN drops every few minutes", "2FA codes not arriving",
                  "Outlook keeps asking for credentials", "API returns 502 on large uploads", "SSO redirect loop"],
    "billing": ["Charged twice for the March invoice", "Refund not received", "Need a VAT invoice",
                "Card declined on renewal", "Wrong plan on the latest bill", "Update billing address"],
    "general": ["How do I add a teammate?", "Change the account owner", "Export all our data",
                "Question about the data retention policy", "Where can I find the SLA?"],
    "feature_request": ["Dark mode for the dashboard", "Bulk edit for contacts", "Slack integration for alerts",
                        "Custom fields on reports", "Scheduled CSV exports"],
    "bug_report": ["Dashboard chart shows wrong totals", "Search ignores accents", "Mobile app crashes on upload",
                   "Time zone wrong in email reminders", "Attachments over 10 MB fail silently"],
}
AGENT_NOTES = ["Reproduced on staging, escalating to engineering.", "Asked the customer for a screenshot.",
               "Checked the logs; nothing obvious yet.", "Waiting on the payment provider.",
               "Linked to the known issue in the release notes.", "Customer confirmed the workaround helps."]

Ticket = TypedDict("Ticket", {"ticket_id": int, "title": str, "description": str, "status": str, "priority": int,
                              "category": str, "created_by": str, "created_at": str, "updated_at": str,
                              "assignee": str | None, "resolution": str | None})
Tickets = TypedDict("Tickets", {"tickets": list[Ticket], "total": int})
Login = TypedDict("Login", {"success": bool, "session_token": str, "username": str, "role": str})
LoginStatus = TypedDict("LoginStatus", {"is_authenticated": bool, "username": str | None, "role": str | None})
Updated = TypedDict("Updated", {"ticket_id": int, "status": str, "updated_fields": list[str], "updated_at": str})
Comment = TypedDict("Comment", {"comment_id": int, "ticket_id": int, "comment": str, "author": str,
                                "is_internal": bool, "created_at": str})
Comments = TypedDict("Comments", {"ticket_id": int, "comments": list[Comment]})
Stats = TypedDict("Stats", {"time_period": str, "total_tickets": int, "open_tickets": int,
                            "in_progress_tickets": int, "resolved_tickets": int, "closed_tickets": int,
                            "average_resolution_time": float, "tickets_by_category": dict[str, int],
                            "tickets_by_priority": dict[str, int]})
Done = TypedDict("Done", {"success": bool, "message": str})


class TicketManagementSystem(World):
    """A help desk: agents and an admin work tickets raised by customers. A ticket moves open -> in_progress ->
    resolved -> closed; only its assignee or an admin resolves it, closed tickets cannot change, and customers see
    only their own tickets and no internal notes. You start logged in as an agent; login switches user.
    Times are 'YYYY-MM-DD HH:MM'; priority 1 low, 2 medium, 3 high, 4 urgent."""

    domain = "Office"
    schema = """
    CREATE TABLE users (username TEXT PRIMARY KEY, password TEXT NOT NULL, full_name TEXT NOT NULL,
                        email TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'customer')));
    CREATE TABLE sessions (session_token TEXT PRIMARY KEY, username TEXT NOT NULL, active INTEGER NOT NULL);
    CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
                          status TEXT NOT NULL, priority INTEGER NOT NULL, category TEXT NOT NULL,
                          created_by TEXT NOT NULL REFERENCES users, created_at TEXT NOT NULL,
                          updated_at TEXT NOT NULL, assignee TEXT REFERENCES users, resolution TEXT,
                          resolved_at TEXT);
    CREATE INDEX tickets_by_status ON tickets (status, priority);
    CREATE INDEX tickets_by_assignee ON tickets (assignee, status);
    CREATE INDEX tickets_by_creator ON tickets (created_by, status);
    CREATE INDEX tickets_by_category ON tickets (category);
    CREATE INDEX tickets_by_created ON tickets (created_at);
    CREATE TABLE comments (comment_id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets,
                           author TEXT NOT NULL REFERENCES users, comment TEXT NOT NULL, is_internal INTEGER NOT NULL,
                           created_at TEXT NOT NULL);
    CREATE INDEX comments_by_ticket ON comments (ticket_id, created_at);
    """
    volatile = {"tickets": ("created_at", "updated_at", "resolved_at"), "comments": ("created_at",)}
    ungraded = ("sessions",)
    text_search = {"tickets": ("title", "description")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users = []
        for role in ["admin"] + ["agent"] * 6 + ["customer"] * 40:
            first, last = fake.unique.first_name(), fake.unique.last_name()
            users.append({"username": f"{first[0]}{last}".lower(), "password": fake.password(length=10),
                          "full_name": f"{first} {last}", "role": role,
                          "email": f"{first}.{last}@{'helpdesk.io' if role != 'customer' else fake.free_email_domain()}"
                          .lower()})
        staff = [u["username"] for u in users if u["role"] != "customer"]
        customers = [u["username"] for u in users if u["role"] == "customer"]
        tickets, comments = [], []
        for ticket_id in range(1001, 1161):
            category = rng.choice(list(SUBJECTS))
            created = dt.datetime.combine(cls.days_before_start(rng, 0, 120), dt.time(rng.randrange(7, 20),
                                                                                      rng.randrange(60)))
            status = rng.choices(list(MOVES), weights=[3, 3, 2, 4])[0]
            resolved = created + dt.timedelta(hours=rng.randrange(2, 200)) if status in ("resolved", "closed") else None
            resolved = resolved and min(resolved, cls.start_time - dt.timedelta(minutes=5))
            stamp = (resolved or created + dt.timedelta(minutes=rng.randrange(5, 600)))
            stamp = min(stamp, cls.start_time - dt.timedelta(minutes=1))
            tickets.append({
                "ticket_id": ticket_id, "title": rng.choice(SUBJECTS[category]), "category": category,
                "description": f"{fake.paragraph(nb_sentences=2)} Account: {fake.company()}.", "status": status,
                "priority": rng.choices([1, 2, 3, 4], weights=[3, 5, 3, 1])[0], "created_by": rng.choice(customers),
                "created_at": created.strftime(TIME_FORMAT), "updated_at": stamp.strftime(TIME_FORMAT),
                "assignee": None if status == "open" and rng.random() < 0.5 else rng.choice(staff),
                "resolution": resolved and rng.choice(["Fixed in release 4.2.1.", "Refund issued.",
                                                       "Explained the setting; customer confirmed.",
                                                       "Duplicate of an earlier ticket.", "Reset the account."]),
                "resolved_at": resolved and resolved.strftime(TIME_FORMAT)})
            for n in range(rng.randrange(0, 4)):
                internal = rng.random() < 0.4
                comments.append({"comment_id": 50001 + len(comments), "ticket_id": ticket_id,
                                 "author": rng.choice(staff) if internal or n % 2 == 0 else tickets[-1]["created_by"],
                                 "comment": rng.choice(AGENT_NOTES) if internal else fake.sentence(nb_words=10),
                                 "is_internal": int(internal),
                                 "created_at": (created + dt.timedelta(minutes=n + 1)).strftime(TIME_FORMAT)})
        db["users"].insert_all(users)
        db["sessions"].insert({"session_token": "sess_seeded", "username": staff[1], "active": 1})
        db["tickets"].insert_all(tickets)
        db["comments"].insert_all(comments)

    # ------------------------------------------------------------------ helpers
    def _me(self) -> dict[str, Any]:
        me = self.row("SELECT u.* FROM sessions s JOIN users u USING (username) WHERE s.active = 1")
        if me is None:
            raise ToolError("not logged in; call login with your username and password first")
        return me

    def _ticket(self, ticket_id: int, me: dict[str, Any]) -> Ticket:
        ticket = self.row("SELECT * FROM tickets WHERE ticket_id = ?", ticket_id)
        if ticket is None or (me["role"] == "customer" and ticket["created_by"] != me["username"]):
            raise ToolError(f"ticket {ticket_id} not found; search_tickets or list_tickets show ticket ids")
        del ticket["resolved_at"]
        return ticket

    def _open_for_change(self, ticket_id: int) -> tuple[dict[str, Any], Ticket]:
        me = self._me()
        ticket = self._ticket(ticket_id, me)
        if ticket["status"] == "closed":
            raise ToolError(f"ticket {ticket_id} is closed and cannot be changed; create a new ticket instead")
        return me, ticket

    def _staff(self, username: str) -> str:
        self.require("SELECT 1 FROM users WHERE username = ? AND role != 'customer'", username,
                     error=f"'{username}' is not an agent or admin; tickets can only be assigned to support staff")
        return username

    def _list(self, where: str, params: list[Any], limit: int, offset: int = 0) -> Tickets:
        me = self._me()
        if me["role"] == "customer":
            where += " AND created_by = ?"
            params.append(me["username"])
        rows = self.rows(f"SELECT * FROM tickets WHERE {where} ORDER BY priority DESC, ticket_id LIMIT ? OFFSET ?",
                         *params, limit, offset)
        for row in rows:
            del row["resolved_at"]
        return {"tickets": rows, "total": self.value(f"SELECT COUNT(*) FROM tickets WHERE {where}", *params)}

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["log in as {username} with password {password}",
                               "sign in to the help desk as {username} (password {password})"])
    def login(self, username: Annotated[str, UserKnown], password: Annotated[str, UserKnown]) -> Login:
        """Log in to the help desk (ends the current session).

        Args:
            username: Your username.
            password: Your password.
        """
        user = self.row("SELECT * FROM users WHERE username = ?", username.strip().lower())
        if user is None or user["password"] != password:
            raise ToolError("invalid username or password")
        self.execute("UPDATE sessions SET active = 0")
        token = self.new_id("sessions", "sess_")
        self.execute("INSERT INTO sessions VALUES (?, ?, 1)", token, user["username"])
        return {"success": True, "session_token": token, "username": user["username"], "role": user["role"]}

    @tool(writes=True, phrase=["log me out of the help desk", "sign out of the ticket system"])
    def logout(self) -> Done:
        """End the current session."""
        me = self._me()
        self.execute("UPDATE sessions SET active = 0")
        return {"success": True, "message": f"{me['username']} logged out"}

    @tool(phrase=["check who I am logged in as on the help desk", "check whether I am signed in"])
    def check_login_status(self) -> LoginStatus:
        """Who is logged in, if anyone."""
        me = self.row("SELECT u.* FROM sessions s JOIN users u USING (username) WHERE s.active = 1")
        return {"is_authenticated": me is not None, "username": me and me["username"], "role": me and me["role"]}

    @tool(writes=True, phrase=[
        "open a {category} ticket titled {title}[ with priority {priority}][ assigned to {assignee}]",
        "file a help desk ticket {title}[: {description}][, priority {priority}][, category {category}]"])
    def create_ticket(self, title: NonEmptyStr, description: str = "", priority: Priority = 2,
                      category: Category = "general", assignee: str | None = None) -> Ticket:
        """Create a ticket as the logged-in user; it starts open.

        Args:
            title: Short summary of the problem.
            description: Details.
            priority: 1 low, 2 medium, 3 high, 4 urgent.
            category: technical, billing, general, feature_request or bug_report.
            assignee: Username of the agent to assign (staff only).
        """
        me = self._me()
        if assignee is not None and me["role"] == "customer":
            raise ToolError("customers cannot assign tickets; leave assignee empty")
        ticket_id = self.value("SELECT MAX(ticket_id) + 1 FROM tickets")
        self.mark_generated("tickets", ticket_id)
        now = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO tickets VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, NULL, NULL)", ticket_id,
                     title.strip(), description, priority, category, me["username"], now, now,
                     assignee and self._staff(assignee))
        return self._ticket(ticket_id, me)

    @tool(phrase=["look up ticket {ticket_id}", "check the status of ticket {ticket_id}"])
    def get_ticket(self, ticket_id: Annotated[int, UserKnown]) -> Ticket:
        """Get one ticket.

        Args:
            ticket_id: The ticket number.
        """
        return self._ticket(ticket_id, self._me())

    @tool(phrase=["list the {status} tickets[ with priority {priority}][ in {category}][ assigned to {assignee}]",
                  "show the {category} tickets[ that are {status}]"])
    def list_tickets(self, status: Status | None = None, priority: Priority | None = None,
                     category: Category | None = None, assignee: str | None = None, limit: Limit = 20,
                     offset: Annotated[int, Field(ge=0)] = 0) -> Tickets:
        """List tickets by filters, most urgent first (customers see only their own).

        Args:
            status: Only this status.
            priority: Only this priority.
            category: Only this category.
            assignee: Only tickets assigned to this username.
            limit: At most this many tickets.
            offset: Skip this many (paging).
        """
        return self._list("(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR priority = ?2) AND (?3 IS NULL OR"
                          " category = ?3) AND (?4 IS NULL OR assignee = ?4)", [status, priority, category, assignee],
                          limit, offset)

    @tool(phrase=["search the tickets for {query}[ that are {status}]", "find tickets about {query}"])
    def search_tickets(self, query: NonEmptyStr, status: Status | None = None, limit: Limit = 20) -> Tickets:
        """Find tickets whose title or description contains the text (case-insensitive).

        Args:
            query: Text to look for.
            status: Only this status.
            limit: At most this many tickets.
        """
        matches, params = self.text_filter("tickets", query)
        return self._list(f"{matches} AND (? IS NULL OR status = ?)", [*params, status, status], limit)

    @tool(writes=True, phrase=[
        "change ticket {ticket_id}[ to priority {priority}][ to category {category}][ assigned to {assignee}]",
        "start work on ticket {ticket_id} by setting it {status}", "reassign ticket {ticket_id} to {assignee}",
        "bump ticket {ticket_id} to priority {priority}", "retitle ticket {ticket_id} as {title}"])
    def update_ticket(self, ticket_id: Annotated[int, UserKnown], title: NonEmptyStr | None = None,
                      description: str | None = None, priority: Priority | None = None,
                      category: Category | None = None, assignee: str | None = None,
                      status: Literal["open", "in_progress"] | None = None) -> Updated:
        """Change a ticket's fields or move it between open and in_progress (resolve_ticket and close_ticket do
        the rest). Customers may only edit the title and description of their own tickets.

        Args:
            ticket_id: The ticket number.
            title: New title.
            description: New description.
            priority: New priority.
            category: New category.
            assignee: Username of the agent to assign.
            status: open or in_progress.
        """
        me, ticket = self._open_for_change(ticket_id)
        new = {k: v for k, v in (("title", title and title.strip()), ("description", description),
                                 ("priority", priority), ("category", category), ("assignee", assignee),
                                 ("status", status)) if v is not None and v != ticket[k]}
        if not new:
            raise ToolError(f"nothing to change on ticket {ticket_id}; give a field with a new value")
        if me["role"] == "customer" and set(new) - {"title", "description"}:
            raise ToolError("customers can only change the title and description of their tickets")
        if "status" in new and status not in MOVES[ticket["status"]]:
            raise ToolError(f"ticket {ticket_id} is {ticket['status']} and cannot move to {status}")
        if "assignee" in new:
            self._staff(assignee)
        new["updated_at"] = self.now().strftime(TIME_FORMAT)
        for column, value in new.items():
            self.execute(f"UPDATE tickets SET {column} = ? WHERE ticket_id = ?", value, ticket_id)
        return {"ticket_id": ticket_id, "status": new.get("status", ticket["status"]),
                "updated_fields": [k for k in new if k != "updated_at"], "updated_at": new["updated_at"]}

    @tool(writes=True, phrase=["resolve ticket {ticket_id} with the resolution {resolution}",
                               "mark ticket {ticket_id} as resolved: {resolution}"])
    def resolve_ticket(self, ticket_id: Annotated[int, UserKnown], resolution: NonEmptyStr) -> Ticket:
        """Resolve an in-progress ticket with a note on how it was solved (its assignee or an admin only).

        Args:
            ticket_id: The ticket number.
            resolution: What fixed it.
        """
        me, ticket = self._open_for_change(ticket_id)
        if me["role"] != "admin" and ticket["assignee"] != me["username"]:
            raise ToolError(f"only the assignee ({ticket['assignee'] or 'nobody yet'}) or an admin can resolve"
                            f" ticket {ticket_id}")
        if ticket["status"] != "in_progress":
            raise ToolError(f"ticket {ticket_id} is {ticket['status']}; only in_progress tickets can be resolved"
                            + (" (set it in_progress with update_ticket first)" if ticket["status"] == "open" else ""))
        now = self.now().strftime(TIME_FORMAT)
        self.execute("UPDATE tickets SET status = 'resolved', resolution = ?, resolved_at = ?, updated_at = ?"
                     " WHERE ticket_id = ?", resolution.strip(), now, now, ticket_id)
        return self._ticket(ticket_id, me)

    @tool(writes=True, phrase=["close ticket {ticket_id}", "close out the resolved ticket {ticket_id}"])
    def close_ticket(self, ticket_id: Annotated[int, UserKnown]) -> Ticket:
        """Close a resolved ticket (final: a closed ticket cannot change again).

        Args:
            ticket_id: The ticket number.
        """
        me, ticket = self._open_for_change(ticket_id)
        if ticket["status"] != "resolved":
            raise ToolError(f"ticket {ticket_id} is {ticket['status']}; resolve it before closing it")
        self.execute("UPDATE tickets SET status = 'closed', updated_at = ? WHERE ticket_id = ?",
                     self.now().strftime(TIME_FORMAT), ticket_id)
        return self._ticket(ticket_id, me)

    @tool(phrase=["show the tickets of {username}[ that are {status}]", "list what {username} has raised or owns"])
    def get_user_tickets(self, username: Annotated[str, UserKnown] | None = None, status: Status | None = None,
                         limit: Limit = 20) -> Tickets:
        """Tickets a user raised or is assigned to (yourself by default).

        Args:
            username: Whose tickets (default: the logged-in user).
            status: Only this status.
            limit: At most this many tickets.
        """
        who = username or self._me()["username"]
        self.require("SELECT 1 FROM users WHERE username = ?", who, error=f"no user '{who}'")
        return self._list("(created_by = ?1 OR assignee = ?1) AND (?2 IS NULL OR status = ?2)", [who, status], limit)

    @tool(writes=True, phrase=["comment {comment} on ticket {ticket_id}",
                               "add an internal note {comment} to ticket {ticket_id}",
                               "reply {comment} on ticket {ticket_id}"])
    def add_comment(self, ticket_id: Annotated[int, UserKnown], comment: NonEmptyStr,
                    is_internal: bool = False) -> Comment:
        """Comment on a ticket; internal notes are hidden from customers (staff only).

        Args:
            ticket_id: The ticket number.
            comment: The text.
            is_internal: Make it an internal note.
        """
        me, _ = self._open_for_change(ticket_id)
        if is_internal and me["role"] == "customer":
            raise ToolError("customers cannot write internal notes")
        comment_id = self.value("SELECT MAX(comment_id) + 1 FROM comments") or 50001
        self.mark_generated("comments", comment_id)
        now = self.now().strftime(TIME_FORMAT)
        self.execute("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?)", comment_id, ticket_id, me["username"],
                     comment.strip(), int(is_internal), now)
        self.execute("UPDATE tickets SET updated_at = ? WHERE ticket_id = ?", now, ticket_id)
        return {"comment_id": comment_id, "ticket_id": ticket_id, "comment": comment.strip(),
                "author": me["username"], "is_internal": is_internal, "created_at": now}

    @tool(phrase=["show the comments on ticket {ticket_id}", "read the conversation on ticket {ticket_id}"])
    def get_ticket_comments(self, ticket_id: Annotated[int, UserKnown], include_internal: bool = False) -> Comments:
        """A ticket's comments, oldest first (internal notes only for staff who ask for them).

        Args:
            ticket_id: The ticket number.
            include_internal: Include internal notes.
        """
        me = self._me()
        self._ticket(ticket_id, me)
        internal = include_internal and me["role"] != "customer"
        rows = self.rows("SELECT * FROM comments WHERE ticket_id = ? AND (? OR is_internal = 0)"
                         " ORDER BY created_at, comment_id", ticket_id, internal)
        return {"ticket_id": ticket_id, "comments": [{**r, "is_internal": bool(r["is_internal"])} for r in rows]}

    @tool(phrase=["give me the help desk statistics for the {time_period}", "how many tickets came in this {time_period}"])
    def get_ticket_statistics(self, time_period: Literal["today", "week", "month", "year", "all"] = "all") -> Stats:
        """Counts of tickets created in a period by status, category and priority, and the mean hours to resolve.

        Args:
            time_period: today, week, month, year or all.
        """
        self._me()
        since = (self.now() - dt.timedelta(days=PERIODS[time_period])).strftime(TIME_FORMAT)
        rows = self.rows("SELECT status, category, priority, created_at, resolved_at FROM tickets"
                         " WHERE created_at >= ?", since)
        count = lambda key, value: sum(1 for r in rows if r[key] == value)  # noqa: E731
        hours = [(strptime(r["resolved_at"], TIME_FORMAT) - strptime(
            r["created_at"], TIME_FORMAT)).total_seconds() / 3600 for r in rows if r["resolved_at"]]
        return {"time_period": time_period, "total_tickets": len(rows),
                **{f"{s}_tickets": count("status", s) for s in MOVES},
                "average_resolution_time": round(sum(hours) / len(hours), 1) if hours else 0.0,
                "tickets_by_category": {c: count("category", c) for c in SUBJECTS},
                "tickets_by_priority": {str(p): count("priority", p) for p in range(1, 5)}}
