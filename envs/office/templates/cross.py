"""Cross-environment task templates of the Office domain: a user's errands that chain two or three of its services.

- Meetings: a Zoom meeting whose join link goes to a Slack channel or out by mail (Resend).
- Help desk: a ticket put on a to-do list (Google Tasks, TickTick), a Slack report filed as a ticket, a resolved
  ticket mailed to its customer (Postmark).
- Teaching: students who missed a Canvas deadline mailed through SES; upcoming deadlines put on Google Tasks.
- Sheets and bases: an Excel sheet copied into a Google spreadsheet; low stock in Excel turned into tasks; a guest of
  a Google Sheet added to an Airtable base; a contact of a sheet mailed through Resend.
- Files: a Drive file shared and announced on Slack; a Drive file moved to OneDrive; a OneDrive link mailed through
  Mailgun; PDFs merged (Adobe) and announced on Slack.
- Jobs: a LinkedIn job saved with a prep task (Google Tasks) or a Notion page of its skills; a Dice application
  with a follow-up task in TickTick.

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`. Tools that two members share
(``send_email``, ``list_files``, ``get_job_details``...) are offered under prefixed names, so every gold call goes
through :func:`member_call`. Templates read the member worlds with plain SQL.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.office.dice import EXPIRES_AFTER
from envs.office.templates.tick_tick import login as ticktick_login

#: Topics of new meetings.
TOPICS = ["Quarterly planning", "Design review", "Customer kickoff", "Hiring sync", "Release retro", "Budget check-in"]


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def today(world: WorldSet, environment: str) -> dt.date:
    return world.worlds[environment].start_time.date()


def spoken(day: dt.date, rng: random.Random) -> str:
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}"])


def unique(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """The rows whose values of ``keys`` no other row shares."""
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        seen[tuple(row[k] for k in keys)] = seen.get(tuple(row[k] for k in keys), 0) + 1
    return [row for row in rows if seen[tuple(row[k] for k in keys)] == 1]


# ------------------------------------------------------------------------------------------------ member reads
def slack_channels(world: WorldSet) -> list[dict[str, Any]]:
    """Open channels where @me may post."""
    slack = world.worlds["SlackServer"]
    return slack.rows("SELECT c.* FROM channels c JOIN members m ON m.channel_id = c.channel_id AND m.user_id = ?"
                      " WHERE c.is_archived = 0 AND c.posting = 'everyone' ORDER BY c.name", slack.me)


def post(world: WorldSet, channel: dict[str, Any], payload: Any) -> tuple[Call, ...]:
    """Find a channel by name, then post to it."""
    return (member_call(world, "SlackServer", "channels_list"),
            member_call(world, "SlackServer", "conversations_add_message", channel_id=channel["channel_id"],
                        payload=payload))


def ses_sender(world: WorldSet, rng: random.Random) -> str | None:
    """A sender SES accepts (outside the sandbox only: recipients need not be verified)."""
    ses = world.worlds["AmazonSES"]
    if ses.value("SELECT sandbox FROM account"):
        return None
    return rng.choice(ses.rows("SELECT DISTINCT source FROM messages ORDER BY source"))["source"]


def resend_sender(world: WorldSet, rng: random.Random) -> str:
    return rng.choice(world.worlds["ResendEmailService"].rows(
        "SELECT DISTINCT e.from_email FROM emails e JOIN domains d ON d.id = e.domain_id WHERE d.status = 'verified'"
        " ORDER BY e.from_email"))["from_email"]


def postmark_sender(world: WorldSet, rng: random.Random) -> str:
    return rng.choice(world.worlds["PostmarkEmailService"].rows(
        "SELECT from_email FROM signatures WHERE confirmed = 1 ORDER BY from_email"))["from_email"]


def mailgun_sender(world: WorldSet, rng: random.Random) -> str:
    return rng.choice(world.worlds["MailgunCommunication"].rows(
        "SELECT DISTINCT m.from_email FROM messages m JOIN domains d ON d.name = m.domain WHERE d.state = 'active'"
        " ORDER BY m.from_email"))["from_email"]


def task_list(world: WorldSet, rng: random.Random) -> dict[str, Any]:
    return rng.choice(world.worlds["GoogleTasks"].rows("SELECT * FROM task_lists ORDER BY tasklist_id"))


def ticket_user(world: WorldSet) -> str:
    return world.worlds["TicketManagementSystem"].value("SELECT username FROM sessions WHERE active = 1")


def spreadsheet(world: WorldSet, title: str) -> str | None:
    return world.worlds["GoogleSheets"].value("SELECT spreadsheet_id FROM spreadsheets WHERE title = ?", title)


def sheet_rows(world: WorldSet, spreadsheet_id: str, sheet: str) -> list[list[Any]]:
    """A Google sheet's rows (header first) as lists of values."""
    sheets = world.worlds["GoogleSheets"]
    sheet_id = sheets.value("SELECT sheet_id FROM sheets WHERE spreadsheet_id = ? AND sheet = ?", spreadsheet_id, sheet)
    grid: dict[int, dict[int, Any]] = {}
    for cell in sheets.rows("SELECT * FROM cells WHERE spreadsheet_id = ? AND sheet_id = ?", spreadsheet_id, sheet_id):
        grid.setdefault(cell["row"], {})[cell["col"]] = cell["value"]
    width = max((max(r) for r in grid.values()), default=0)
    return [[grid[r].get(c) for c in range(1, width + 1)] for r in sorted(grid)]


def excel_rows(world: WorldSet, path: str, sheet: str) -> list[list[Any]]:
    excel = world.worlds["ExcelServer"]
    grid: dict[int, dict[int, Any]] = {}
    for cell in excel.rows("SELECT * FROM cells WHERE fileAbsolutePath = ? AND sheetName = ?", path, sheet):
        grid.setdefault(cell["row"], {})[cell["col"]] = cell["value"]
    width = max((max(r) for r in grid.values()), default=0)
    return [[grid[r].get(c) for c in range(1, width + 1)] for r in range(1, max(grid, default=0) + 1)
            ] if grid else []


# ---------------------------------------------------------------------------------------------------- meetings
def new_meeting(world: WorldSet, rng: random.Random) -> tuple[dict[str, Any], str, int, dt.date, str] | None:
    """A host, a topic, a length the host's plan allows, a day and a time."""
    host = rng.choice(world.worlds["ZoomMeetingServer"].rows("SELECT * FROM users ORDER BY user_id"))
    duration = rng.choice([30, 40]) if host["plan"] == "basic" else rng.choice([30, 45, 60])
    zoom = world.worlds["ZoomMeetingServer"]
    busy = {r["day"] for r in zoom.rows("SELECT substr(start_time, 1, 10) AS day FROM meetings WHERE host_id = ?"
                                        " UNION SELECT substr(o.start_time, 1, 10) FROM occurrences o JOIN meetings m"
                                        " USING (meeting_id) WHERE m.host_id = ?", host["user_id"], host["user_id"])}
    days = [d for d in (today(world, "ZoomMeetingServer") + dt.timedelta(days=n) for n in range(1, 13))
            if d.isoformat() not in busy]
    if not days:
        return None
    day = rng.choice(days)  # a day the host has nothing on Zoom
    hour, minute = rng.choice([9, 10, 11, 14, 15, 16]), rng.choice(["00", "30"])
    return host, rng.choice(TOPICS), duration, day, f"{hour}:{minute}"


def meeting_call(world: WorldSet, host: dict[str, Any], topic: str, duration: int, day: dt.date, time: str) -> Call:
    return member_call(world, "ZoomMeetingServer", "create_meeting", user_id=host["user_id"], topic=topic,
                       start_time=f"{day.isoformat()}T{int(time[:-3]):02d}:{time[-2:]}", duration=duration)


@scenario
def meeting_link_in_slack(world: WorldSet, rng: random.Random) -> Draft | None:
    found = new_meeting(world, rng)
    if found is None:
        return None
    host, topic, duration, day, time = found
    channel = rng.choice(slack_channels(world))
    when = f"{day.isoformat()} {time}"
    return Draft(
        request=rng.choice([
            ("Set up a {d}-minute Zoom meeting '{t}' hosted by {h} on {day} at {time} (the host's time zone), then "
             "post its join link in #{c} worded '{t} on {when}: <join link>'."),
            ("Schedule '{t}' on Zoom for {h}: {day}, {time} in the host's time zone, {d} minutes. Let #{c} on "
             "Slack know with the message '{t} on {when}: <the join URL>'."),
        ]).format(d=duration, t=topic, h=host["user_id"], day=spoken(day, rng), time=time, c=channel["name"],
                  when=when),
        calls=(meeting_call(world, host, topic, duration, day, time),
               *post(world, channel, Ref(0, "join_url", then=lambda url: f"{topic} on {when}: {url}"))))


@scenario
def meeting_invite_by_resend(world: WorldSet, rng: random.Random) -> Draft | None:
    found = new_meeting(world, rng)
    if found is None:
        return None
    host, topic, duration, day, time = found
    sender = resend_sender(world, rng)
    guests = rng.sample([r["address"] for r in world.worlds["ResendEmailService"].rows(
        "SELECT DISTINCT address FROM recipients ORDER BY address")], rng.choice([1, 2]))
    text = lambda m: f"Join {topic}: {m['join_url']} (passcode {m['password']})"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Create a Zoom meeting '{t}' for {h} on {day} at {time}, {d} minutes, and invite {g} by email from {s} "
             "through Resend: subject 'Invitation: {t}', text 'Join {t}: <join link> (passcode <passcode>)'."),
            ("I need a {d}-minute Zoom call '{t}' ({h} hosting) on {day} at {time}. Send the invitation from {s} "
             "with Resend to {g}, one email, subject 'Invitation: {t}' and the text "
             "'Join {t}: <join link> (passcode <passcode>)'."),
        ]).format(t=topic, h=host["user_id"], day=spoken(day, rng), time=time, d=duration, g=" and ".join(guests),
                  s=sender),
        calls=(meeting_call(world, host, topic, duration, day, time),
               member_call(world, "ResendEmailService", "send_email", to=guests, subject=f"Invitation: {topic}",
                           from_email=sender, text=Ref(0, then=text))))


# ---------------------------------------------------------------------------------------------------- help desk
@scenario
def ticket_to_google_task(world: WorldSet, rng: random.Random) -> Draft | None:
    desk = world.worlds["TicketManagementSystem"]
    rows = desk.rows("SELECT * FROM tickets WHERE status = 'open' AND assignee = ? ORDER BY ticket_id",
                     ticket_user(world))
    if not rows:
        return None
    ticket = rng.choice(rows)
    tasks = task_list(world, rng)
    due = today(world, "GoogleTasks") + dt.timedelta(days=rng.randint(1, 7))
    number = ticket["ticket_id"]
    asked = rng.random() < 0.5
    return Draft(
        request=rng.choice([
            ("I'm picking up help-desk ticket #{n}. Mark it in progress and put it on my '{l}' list in Google Tasks "
             "as 'Ticket #{n}: <the ticket's title>', due {d}."),
            ("Add ticket #{n} to my Google Tasks list '{l}', titled 'Ticket #{n}: <its title>' and due {d}; then "
             "set the ticket to in progress."),
        ]).format(n=number, l=tasks["title"], d=spoken(due, rng) if not asked else "on the day I'll tell you"),
        calls=(member_call(world, "TicketManagementSystem", "get_ticket", ticket_id=number),
               member_call(world, "GoogleTasks", "list_task_lists"),
               member_call(world, "GoogleTasks", "create_task", tasklist_id=tasks["tasklist_id"],
                           title=Ref(0, "title", then=lambda t: f"Ticket #{number}: {t}"), due=due.isoformat()),
               member_call(world, "TicketManagementSystem", "update_ticket", ticket_id=number,
                           status="in_progress")),
        ask=(UserFact("due date", due.isoformat(), ("due", "date", "when", "day")),) if asked else ())


@scenario
def tickets_to_ticktick(world: WorldSet, rng: random.Random) -> Draft | None:
    desk = world.worlds["TicketManagementSystem"]
    me = ticket_user(world)
    categories = [r["category"] for r in desk.rows(
        "SELECT category FROM tickets WHERE status = 'open' AND assignee = ? GROUP BY category"
        " HAVING COUNT(*) BETWEEN 1 AND 3 ORDER BY category", me)]
    if not categories:
        return None
    category = rng.choice(categories)
    tickets = desk.rows("SELECT * FROM tickets WHERE status = 'open' AND assignee = ? AND category = ?"
                        " ORDER BY ticket_id", me, category)
    words, first = ticktick_login(world.worlds["TickTick"], rng)
    due = today(world, "TickTick") + dt.timedelta(days=rng.randint(1, 5))
    kind = category.replace("_", " ")
    return Draft(
        request=rng.choice([
            ("{w} For every open {k} ticket assigned to me in the help desk, add a task to my TickTick Inbox titled "
             "'#<ticket number> <ticket title>', due {d}, in ticket-number order."),
            ("{w} Copy my open {k} tickets from the help desk into TickTick (Inbox), one task each named "
             "'#<number> <title>' and due {d}; lowest ticket number first."),
        ]).format(w=words, k=kind, d=spoken(due, rng)),
        calls=(member_call(world, "TicketManagementSystem", "list_tickets", status="open", assignee=me,
                           category=category),
               first,
               *(member_call(world, "TickTick", "ticktick_create_task", access_token=Ref(1, "access_token"),
                             title=f"#{t['ticket_id']} {t['title']}", due_date=due.isoformat()) for t in tickets)))


@scenario
def slack_report_to_ticket(world: WorldSet, rng: random.Random) -> Draft | None:
    slack = world.worlds["SlackServer"]
    rows = slack.rows(
        "SELECT m.*, c.name AS channel_name, u.real_name FROM messages m JOIN channels c USING (channel_id)"
        " JOIN users u USING (user_id) JOIN members k ON k.channel_id = m.channel_id AND k.user_id = ?"
        " WHERE c.is_archived = 0 AND c.posting = 'everyone' AND m.subtype IS NULL AND m.thread_ts IS NULL"
        " AND m.user_id != ? AND m.text IN (SELECT text FROM messages GROUP BY text HAVING COUNT(*) = 1)"
        " ORDER BY m.ts", slack.me, slack.me)
    if not rows:
        return None
    message = rng.choice(rows)
    title = f"Reported on Slack by {message['real_name']}"
    category = rng.choice(["bug_report", "technical", "feature_request"])
    return Draft(
        request=rng.choice([
            ("{p} wrote \"{m}\" in #{c}. File it in the help desk as a {k} ticket titled '{t}' with that message as "
             "its description, priority 3, and reply in the message's thread 'Filed as ticket #<ticket number>'."),
            ("Turn the Slack message \"{m}\" (by {p} in #{c}) into a help-desk ticket: title '{t}', description the "
             "message text, category {k}, priority 3. Then answer in its thread: 'Filed as ticket #<number>'."),
        ]).format(p=message["real_name"], m=message["text"], c=message["channel_name"], t=title,
                  k=category.replace("_", " ")),
        calls=(member_call(world, "SlackServer", "conversations_search_messages", search_query=message["text"]),
               member_call(world, "TicketManagementSystem", "create_ticket", title=title,
                           description=message["text"], priority=3, category=category),
               member_call(world, "SlackServer", "conversations_add_message", channel_id=message["channel_id"],
                           thread_ts=message["ts"], payload=Ref(1, "ticket_id", then=lambda n: f"Filed as ticket #{n}"))))


@scenario
def resolve_and_mail_customer(world: WorldSet, rng: random.Random) -> Draft | None:
    desk = world.worlds["TicketManagementSystem"]
    rows = desk.rows("SELECT t.*, u.email FROM tickets t JOIN users u ON u.username = t.created_by WHERE"
                     " t.status = 'in_progress' AND t.assignee = ? AND u.role = 'customer' ORDER BY t.ticket_id",
                     ticket_user(world))
    bounced = {r["email"] for r in world.worlds["PostmarkEmailService"].rows(
        "SELECT email FROM bounces WHERE inactive = 1")}
    rows = [r for r in rows if r["email"] not in bounced]
    if not rows:
        return None
    ticket = rng.choice(rows)
    note = rng.choice(["Cleared the cached session; you can log in again.", "Refunded the duplicate charge.",
                       "Fixed in today's release; please refresh the page.", "Raised your export limit to 50 MB."])
    sender = postmark_sender(world, rng)
    number = ticket["ticket_id"]
    return Draft(
        request=rng.choice([
            ("Ticket #{n} is fixed: resolve it with the note \"{r}\" and tell the customer who raised it ({e}) by "
             "email from {s} through Postmark, subject 'Ticket #{n} resolved' and the note as the text."),
            ("Close the loop on help-desk ticket #{n}: resolve it (\"{r}\") and send {e} a Postmark email from {s} "
             "with the subject 'Ticket #{n} resolved' whose text body is the same note."),
        ]).format(n=number, r=note, e=ticket["email"], s=sender),
        calls=(member_call(world, "TicketManagementSystem", "resolve_ticket", ticket_id=number, resolution=note),
               member_call(world, "PostmarkEmailService", "send_email", to_email=ticket["email"],
                           subject=f"Ticket #{number} resolved", from_email=sender, text_body=note)))


# ----------------------------------------------------------------------------------------------------- teaching
@scenario
def missing_work_by_ses(world: WorldSet, rng: random.Random) -> Draft | None:
    canvas = world.worlds["Canvas"]
    sender = ses_sender(world, rng)
    if sender is None:
        return None
    now = canvas.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    work = canvas.rows(
        "SELECT a.*, c.course_name, (SELECT COUNT(*) FROM submissions s WHERE s.assignment_id = a.assignment_id"
        " AND s.workflow_state = 'unsubmitted') AS missing FROM assignments a JOIN courses c USING (course_id)"
        " WHERE a.published = 1 AND a.due_at < ? ORDER BY a.assignment_id", now)
    work = [w for w in unique(work, "course_id", "name") if 1 <= w["missing"] <= 6]
    if not work:
        return None
    assignment = rng.choice(work)
    emails = [r["email"] for r in canvas.rows(
        "SELECT u.email FROM submissions s JOIN users u USING (user_id) WHERE s.assignment_id = ?"
        " AND s.workflow_state = 'unsubmitted' ORDER BY u.sortable_name", assignment["assignment_id"])]
    suppressed = {r["email_address"] for r in world.worlds["AmazonSES"].rows("SELECT email_address FROM suppressed")}
    if suppressed & set(emails):
        return None
    subject = f"Missing: {assignment['name']}"
    return Draft(
        request=rng.choice([
            ("In {c}, who still hasn't submitted '{a}'? Email all of them in one message from {s} through SES, "
             "subject '{j}', text 'Please submit {a} as soon as you can.'"),
            ("Chase the students of {c} with no submission for '{a}': one SES email from {s} to all of them, subject "
             "'{j}', body 'Please submit {a} as soon as you can.'"),
        ]).format(c=assignment["course_name"], a=assignment["name"], s=sender, j=subject),
        calls=(member_call(world, "Canvas", "get_assignments_by_course_name", course_name=assignment["course_name"],
                           bucket="past"),
               member_call(world, "Canvas", "get_submission_status", course_id=assignment["course_id"],
                           assignment_id=assignment["assignment_id"]),
               member_call(world, "Canvas", "get_students_in_course", course_id=assignment["course_id"]),
               member_call(world, "AmazonSES", "send_email", source=sender, to_addresses=emails, subject=subject,
                           body_text=f"Please submit {assignment['name']} as soon as you can.")))


@scenario
def deadlines_to_google_tasks(world: WorldSet, rng: random.Random) -> Draft | None:
    canvas = world.worlds["Canvas"]
    start = canvas.start_time
    soon = (start + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    courses = canvas.rows(
        "SELECT c.* FROM courses c WHERE (SELECT COUNT(*) FROM assignments a WHERE a.course_id = c.course_id AND"
        " a.due_at >= ? AND a.due_at <= ?) BETWEEN 1 AND 3 ORDER BY c.course_id",
        start.strftime("%Y-%m-%dT%H:%M:%SZ"), soon)
    if not courses:
        return None
    course = rng.choice(courses)
    work = canvas.rows("SELECT * FROM assignments WHERE course_id = ? AND due_at >= ? AND due_at <= ?"
                       " ORDER BY due_at, assignment_id", course["course_id"], start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       soon)
    if len({w["due_at"] for w in work}) < len(work):
        return None
    name = f"{course['course_code']} deadlines"
    if world.worlds["GoogleTasks"].row("SELECT 1 FROM task_lists WHERE title = ?", name):
        return None
    return Draft(
        request=rng.choice([
            ("Make a Google Tasks list '{l}' with one task per {c} assignment due in the next 7 days: the "
             "assignment's name as the title and its due day as the due date. Add them latest-due first, so the "
             "earliest ends up on top."),
            ("I keep missing {c} deadlines. Create the task list '{l}' in Google Tasks and add every assignment of "
             "that course due within a week (title = assignment name, due = its due date), adding the one due "
             "last first."),
        ]).format(l=name, c=course["course_name"]),
        calls=(member_call(world, "Canvas", "get_assignments_by_course_name", course_name=course["course_name"],
                           bucket="upcoming"),
               member_call(world, "GoogleTasks", "create_task_list", tasklist_title=name),
               *(member_call(world, "GoogleTasks", "create_task", tasklist_id=Ref(1, "tasklist_id"), title=w["name"],
                             due=w["due_at"][:10]) for w in reversed(work))))


# ------------------------------------------------------------------------------------------ sheets and bases
@scenario
def excel_sheet_to_google(world: WorldSet, rng: random.Random) -> Draft | None:
    excel = world.worlds["ExcelServer"]
    options = []
    for sheet in excel.rows("SELECT * FROM sheets ORDER BY fileAbsolutePath, sheetName"):
        rows = excel_rows(world, sheet["fileAbsolutePath"], sheet["sheetName"])
        if 2 <= len(rows) <= 16 and all(v is not None for r in rows for v in r):
            options.append((sheet, rows))
    if not options:
        return None
    sheet, rows = rng.choice(options)
    stem = sheet["fileAbsolutePath"].rsplit("/", 1)[1].removesuffix(".xlsx")
    title = f"{stem} {sheet['sheetName']}".replace("-", " ").title()
    if spreadsheet(world, title):
        return None
    last = f"{chr(ord('A') + len(rows[0]) - 1)}{len(rows)}"
    return Draft(
        request=rng.choice([
            ("Copy the '{s}' sheet of my workbook {p} into a new Google spreadsheet named '{t}', starting at A1 of "
             "its first sheet."),
            ("I want the data of {p} (sheet '{s}') in Google Sheets: create a spreadsheet '{t}' and put the values "
             "in its Sheet1 from cell A1, exactly as in Excel."),
        ]).format(s=sheet["sheetName"], p=sheet["fileAbsolutePath"], t=title),
        calls=(member_call(world, "ExcelServer", "excel_read_sheet", fileAbsolutePath=sheet["fileAbsolutePath"],
                           sheetName=sheet["sheetName"]),
               member_call(world, "GoogleSheets", "create_spreadsheet", title=title),
               member_call(world, "GoogleSheets", "batch_update_cells", spreadsheet_id=Ref(1, "spreadsheet_id"),
                           sheet="Sheet1", range=f"A1:{last}", data=Ref(0, "values"))))


@scenario
def low_stock_to_tasks(world: WorldSet, rng: random.Random) -> Draft | None:
    path = "/Users/achang/Documents/Ops/inventory.xlsx"
    rows = excel_rows(world, path, "Stock")
    if not rows or rows[0][:5] != ["SKU", "Item", "Warehouse", "On hand", "Reorder level"]:
        return None
    body = rows[1:]
    low = {}
    for row in body:
        if row[3] is not None and row[4] is not None and row[3] <= row[4]:
            low.setdefault(row[2], []).append(row)
    places = sorted(w for w, items in low.items() if 1 <= len(items) <= 3)
    if not places:
        return None
    place = rng.choice(places)
    tasks = world.worlds["GoogleTasks"].rows("SELECT * FROM task_lists WHERE is_default = 1")[0]
    due = today(world, "GoogleTasks") + dt.timedelta(days=rng.randint(2, 6))
    return Draft(
        request=rng.choice([
            ("Check the Stock sheet of {p}: for every item in the {w} warehouse whose on-hand count is at or below "
             "its reorder level, add a task 'Reorder <item> (<SKU>)' due {d} to my default Google Tasks list. Add "
             "them in sheet order."),
            ("Which {w} items in {p} (sheet Stock) have hit their reorder level (on hand at or below it)? Put a "
             "'Reorder <item> (<SKU>)' task for each on my main Google Tasks list, due {d}, going down the sheet."),
        ]).format(p=path, w=place, d=spoken(due, rng)),
        calls=(member_call(world, "ExcelServer", "excel_read_sheet", fileAbsolutePath=path, sheetName="Stock"),
               member_call(world, "GoogleTasks", "list_task_lists"),
               *(member_call(world, "GoogleTasks", "create_task", tasklist_id=tasks["tasklist_id"],
                             title=f"Reorder {r[1]} ({r[0]})", due=due.isoformat()) for r in low[place])))


@scenario
def sheet_guest_to_airtable(world: WorldSet, rng: random.Random) -> Draft | None:
    sid = spreadsheet(world, "Wedding Guest List")
    if sid is None:
        return None
    rows = sheet_rows(world, sid, "Guests")
    if not rows or rows[0][:3] != ["Name", "Email", "RSVP"]:
        return None
    airtable = world.worlds["AirtableMcpServer"]
    table = airtable.row("SELECT t.* FROM tables t JOIN bases b USING (base_id) WHERE b.name = 'Event Planning'"
                         " AND t.name = 'Guests'")
    if table is None:
        return None
    known = {r["fields"] for r in airtable.rows("SELECT fields FROM records WHERE table_id = ?", table["table_id"])}
    names = [r[0] for r in rows[1:]]
    guests = [r for r in rows[1:] if names.count(r[0]) == 1 and r[2] in ("Yes", "No", "Maybe")
              and not any(r[1] in f for f in known)]
    if not guests:
        return None
    guest = rng.choice(guests)
    return Draft(
        request=rng.choice([
            ("Add {g} from my 'Wedding Guest List' Google Sheet to the Guests table of my Event Planning base in "
             "Airtable, with the email and RSVP the sheet has for them."),
            ("{g} is missing from Airtable. Put them in Event Planning > Guests with their Name, Email and RSVP as "
             "listed in my Wedding Guest List spreadsheet."),
        ]).format(g=guest[0]),
        calls=(member_call(world, "GoogleSheets", "list_spreadsheets"),
               member_call(world, "GoogleSheets", "get_sheet_data", spreadsheet_id=sid, sheet="Guests"),
               member_call(world, "AirtableMcpServer", "list_bases"),
               member_call(world, "AirtableMcpServer", "list_tables", base_id=table["base_id"]),
               member_call(world, "AirtableMcpServer", "create_record", base_id=table["base_id"],
                           table_id=table["table_id"],
                           fields={"Name": guest[0], "Email": guest[1], "RSVP": guest[2]})))


@scenario
def sheet_contact_by_resend(world: WorldSet, rng: random.Random) -> Draft | None:
    sid = spreadsheet(world, "Customer Contacts")
    if sid is None:
        return None
    rows = sheet_rows(world, sid, "Contacts")
    if not rows or rows[0][:3] != ["Name", "Company", "Email"]:
        return None
    companies = [r[1] for r in rows[1:]]
    contacts = [r for r in rows[1:] if companies.count(r[1]) == 1 and r[2]]
    if not contacts:
        return None
    contact = rng.choice(contacts)
    sender = resend_sender(world, rng)
    subject = rng.choice(["Renewal of your plan", "Quick check-in", "Your account review", "Invoice question"])
    first = contact[0].split()[0]
    return Draft(
        request=rng.choice([
            ("Email my contact at {c} (see my 'Customer Contacts' sheet) from {s} with Resend: subject '{j}', text "
             "'Hi <their first name>, do you have 15 minutes this week?'"),
            ("Look up who my contact at {c} is in the Customer Contacts spreadsheet and send them a Resend email from "
             "{s}, subject '{j}', text 'Hi <first name>, do you have 15 minutes this week?'."),
        ]).format(c=contact[1], s=sender, j=subject),
        calls=(member_call(world, "GoogleSheets", "list_spreadsheets"),
               member_call(world, "GoogleSheets", "get_sheet_data", spreadsheet_id=sid, sheet="Contacts"),
               member_call(world, "ResendEmailService", "send_email", to=[contact[2]], subject=subject,
                           from_email=sender, text=f"Hi {first}, do you have 15 minutes this week?")))


# -------------------------------------------------------------------------------------------------------- files
def my_drive_files(world: WorldSet, with_content: bool = False) -> list[dict[str, Any]]:
    drive = world.worlds["GoogleDrive"]
    me = drive.value("SELECT email FROM users WHERE is_me = 1")
    rows = drive.rows("SELECT * FROM files WHERE owner = ? AND mimeType != 'application/vnd.google-apps.folder'"
                      " AND trashed = 0 AND name NOT LIKE '%''%' ORDER BY id", me)
    names = [r["name"] for r in drive.rows("SELECT name FROM files")]
    return [r for r in rows if names.count(r["name"]) == 1 and (not with_content or r["content"])]


@scenario
def share_drive_file_on_slack(world: WorldSet, rng: random.Random) -> Draft | None:
    drive = world.worlds["GoogleDrive"]
    files = my_drive_files(world)
    if not files:
        return None
    file = rng.choice(files)
    shared = {r["emailAddress"] for r in drive.rows("SELECT emailAddress FROM permissions WHERE file_id = ?", file["id"])}
    people = [p for p in drive.rows("SELECT * FROM users WHERE is_me = 0 ORDER BY email") if p["email"] not in shared]
    if not people:
        return None
    person = rng.choice(people)
    role = rng.choice(["reader", "commenter", "writer"])
    channel = rng.choice(slack_channels(world))
    text = lambda link: f"Shared {file['name']} with {person['display_name']}: {link}"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Give {p} ({e}) {r} access to '{f}' on my Google Drive, then tell #{c} on Slack: "
             "'Shared {f} with {p}: <link to the file>'."),
            ("Share my Drive file '{f}' with {e} as a {r}, and post 'Shared {f} with {p}: <the file's link>' in "
             "#{c}."),
        ]).format(p=person["display_name"], e=person["email"], r=role, f=file["name"], c=channel["name"]),
        calls=(member_call(world, "GoogleDrive", "list_files", q=f"name = '{file['name']}'"),
               member_call(world, "GoogleDrive", "create_permission", file_id=file["id"], role=role, type="user",
                           email_address=person["email"]),
               *post(world, channel, Ref(1, "link", then=text))))


@scenario
def drive_file_to_onedrive(world: WorldSet, rng: random.Random) -> Draft | None:
    files = my_drive_files(world, with_content=True)
    onedrive = world.worlds["OneDrive"]
    folders = [r["path"] for r in onedrive.rows("SELECT path FROM items WHERE is_folder = 1 AND deleted = 0 AND"
                                                " path != '/' AND path NOT LIKE '/%/%/%' ORDER BY path")]
    if not files or not folders:
        return None
    file, folder = rng.choice(files), rng.choice(folders)
    if onedrive.row("SELECT 1 FROM items WHERE path = ?", f"{folder}/{file['name']}"):
        return None
    return Draft(
        request=rng.choice([
            ("Move '{f}' from my Google Drive to the {d} folder of my OneDrive (same name and content), put the Drive "
             "copy in the trash, and give me a view link to the OneDrive file for people in my organization."),
            ("I'm leaving Google Drive: copy '{f}' into OneDrive under {d}, trash it on Drive, and send me an "
             "organization-wide view link of the new OneDrive file."),
        ]).format(f=file["name"], d=folder),
        calls=(member_call(world, "GoogleDrive", "list_files", q=f"name = '{file['name']}'"),
               member_call(world, "GoogleDrive", "download_file", file_id=file["id"]),
               member_call(world, "OneDrive", "upload_file", name=file["name"], content=Ref(1, "content"),
                           parent_path=folder),
               member_call(world, "OneDrive", "create_share_link", item_id=Ref(2, "id"), type="view",
                           scope="organization"),
               member_call(world, "GoogleDrive", "trash_file", file_id=file["id"])),
        answer=(Ref(3, "link.webUrl"),))


@scenario
def onedrive_link_by_mailgun(world: WorldSet, rng: random.Random) -> Draft | None:
    onedrive = world.worlds["OneDrive"]
    rows = onedrive.rows("SELECT * FROM items WHERE is_folder = 0 AND deleted = 0 AND COALESCE(label, '') !="
                         " 'Confidential' ORDER BY id")
    names = [r["name"] for r in onedrive.rows("SELECT name FROM items")]
    rows = [r for r in rows if names.count(r["name"]) == 1 and not onedrive.row(
        "SELECT 1 FROM links WHERE item_id = ? AND type = 'view' AND scope = 'anonymous'", r["id"])]
    if not rows:
        return None
    item = rng.choice(rows)
    sender = mailgun_sender(world, rng)
    mailgun = world.worlds["MailgunCommunication"]
    domain = sender.split("@")[1]
    people = [r["to_email"] for r in mailgun.rows(
        "SELECT DISTINCT to_email FROM messages WHERE to_email NOT IN (SELECT address FROM suppressions WHERE"
        " domain = ?) ORDER BY to_email", domain)]
    to = rng.choice(people)
    text = lambda url: f"Here is {item['name']}: {url}"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Send {t} a link to my OneDrive file '{f}' that anyone can open (view only), by email from {s} through "
             "Mailgun: subject '{f}', text 'Here is {f}: <link>'."),
            ("Make an anonymous view link for '{f}' on my OneDrive and mail it to {t} with Mailgun from {s}; subject "
             "'{f}', body 'Here is {f}: <the link>'."),
        ]).format(t=to, f=item["name"], s=sender),
        calls=(member_call(world, "OneDrive", "search_items", q=item["name"]),
               member_call(world, "OneDrive", "create_share_link", item_id=item["id"], type="view",
                           scope="anonymous"),
               member_call(world, "MailgunCommunication", "send_email", to_email=to, subject=item["name"],
                           from_email=sender, text=Ref(1, "link.webUrl", then=text))))


@scenario
def merged_pdf_on_slack(world: WorldSet, rng: random.Random) -> Draft | None:
    adobe = world.worlds["AdobePDFServices"]
    docs = unique(adobe.rows("SELECT * FROM documents WHERE encrypted = 0 ORDER BY asset_id"), "filename")
    if len(docs) < 2:
        return None
    first, second = rng.sample(docs, 2)
    if first["page_count"] + second["page_count"] > 1500:
        return None
    out = rng.choice(["Board pack", "Review bundle", "Audit binder", "Handover pack"]) + f" {rng.randint(1, 9)}.pdf"
    channel = rng.choice(slack_channels(world))
    stem = lambda doc: doc["filename"].removesuffix(".pdf")  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Combine '{a}' and '{b}' (in that order) into '{o}' with Adobe, then post in #{c}: '{o} is ready, "
             "<total pages> pages'."),
            ("Merge my PDFs '{a}' then '{b}' into one file called '{o}' and announce it in #{c} on Slack as "
             "'{o} is ready, <number of pages> pages'."),
        ]).format(a=first["filename"], b=second["filename"], o=out, c=channel["name"]),
        calls=(member_call(world, "AdobePDFServices", "list_documents", query=stem(first)),
               member_call(world, "AdobePDFServices", "list_documents", query=stem(second)),
               member_call(world, "AdobePDFServices", "combine_pdfs",
                           asset_ids=[first["asset_id"], second["asset_id"]], output_filename=out),
               *post(world, channel, Ref(2, "total_pages", then=lambda n: f"{out} is ready, {n} pages"))))


# --------------------------------------------------------------------------------------------------------- jobs
def open_linkedin_jobs(world: WorldSet) -> list[dict[str, Any]]:
    jobs = world.worlds["LinkedInJobs"]
    rows = jobs.rows("SELECT j.*, c.name AS company FROM jobs j JOIN companies c USING (company_id) WHERE"
                     " j.job_id NOT IN (SELECT job_id FROM saved_jobs) AND j.job_id NOT IN (SELECT job_id FROM"
                     " applications) ORDER BY j.job_id")
    return unique([r for r in rows if r["state"] == "open"], "title")


@scenario
def linkedin_job_with_prep_task(world: WorldSet, rng: random.Random) -> Draft | None:
    jobs = open_linkedin_jobs(world)
    if not jobs:
        return None
    job = rng.choice(jobs)
    tasks = task_list(world, rng)
    due = today(world, "GoogleTasks") + dt.timedelta(days=rng.randint(3, 10))
    title = f"Interview prep: {job['title']} at {job['company']}"
    return Draft(
        request=rng.choice([
            ("Save the '{j}' job at {c} on LinkedIn, and add '{t}' to my '{l}' Google Tasks list, due {d}, with the "
             "job's skills in the notes, separated by ', '."),
            ("I'm interested in {c}'s '{j}' opening. Save it on LinkedIn and make me a Google Task '{t}' in '{l}' "
             "due {d}; notes: the skills the posting lists, comma-separated (', ')."),
        ]).format(j=job["title"], c=job["company"], t=title, l=tasks["title"], d=spoken(due, rng)),
        calls=(member_call(world, "LinkedInJobs", "search_jobs", keywords=job["title"]),
               member_call(world, "LinkedInJobs", "get_job_details", job_id=job["job_id"]),
               member_call(world, "LinkedInJobs", "save_job", job_id=job["job_id"]),
               member_call(world, "GoogleTasks", "list_task_lists"),
               member_call(world, "GoogleTasks", "create_task", tasklist_id=tasks["tasklist_id"], title=title,
                           notes=Ref(1, "skills", then=", ".join), due=due.isoformat())))


@scenario
def linkedin_job_notion_page(world: WorldSet, rng: random.Random) -> Draft | None:
    jobs = open_linkedin_jobs(world)
    notion = world.worlds["Notion"]
    parents = unique(notion.rows("SELECT * FROM pages WHERE parent_type = 'workspace' AND shared = 1 AND archived = 0"
                                 " ORDER BY page_id"), "title")
    if not jobs or not parents:
        return None
    job, parent = rng.choice(jobs), rng.choice(parents)
    title = f"{job['title']} at {job['company']}"
    return Draft(
        request=rng.choice([
            ("Create a Notion page '{t}' under my '{p}' page listing the skills of that LinkedIn posting as bullet "
             "points, in the order LinkedIn gives them."),
            ("I'm applying for '{j}' at {c}. Add a page '{t}' inside '{p}' in Notion whose content is one bullet "
             "per skill the LinkedIn job asks for (same order as the posting)."),
        ]).format(t=title, p=parent["title"], j=job["title"], c=job["company"]),
        calls=(member_call(world, "LinkedInJobs", "search_jobs", keywords=job["title"]),
               member_call(world, "LinkedInJobs", "get_job_details", job_id=job["job_id"]),
               member_call(world, "Notion", "notion_search", query=parent["title"]),
               member_call(world, "Notion", "notion_create_page", parent_page_id=parent["page_id"], title=title,
                           children=Ref(1, "skills", then=lambda skills: [f"- {s}" for s in skills]))))


@scenario
def dice_apply_with_follow_up(world: WorldSet, rng: random.Random) -> Draft | None:
    dice = world.worlds["Dice"]
    live_since = (dice.start_time.date() - dt.timedelta(days=EXPIRES_AFTER)).isoformat()
    jobs = dice.rows("SELECT j.*, e.name AS company FROM jobs j JOIN employers e USING (employer_id) WHERE"
                     " j.posted_date > ? AND j.work_authorization != 'US Citizen' AND j.job_id NOT IN"
                     " (SELECT job_id FROM applications) ORDER BY j.job_id",
                     live_since)
    jobs = unique(jobs, "title")
    if not jobs:
        return None
    job = rng.choice(jobs)
    words, first = ticktick_login(world.worlds["TickTick"], rng)
    due = today(world, "TickTick") + dt.timedelta(days=rng.randint(5, 10))
    letter = rng.choice(["I'd love to bring my data pipeline experience to your team.",
                         "Your stack matches what I have shipped for five years.", ""])
    follow = f"Follow up: {job['title']} at {job['company']}"
    return Draft(
        request=rng.choice([
            ("Apply to the Dice posting '{j}' from {c}{l}. {w} Then add '{f}' to my TickTick Inbox due {d}."),
            ("{w} I want the '{j}' job at {c} on Dice: apply{l}, and remind me in TickTick (Inbox) with a task "
             "'{f}' due {d}."),
        ]).format(j=job["title"], c=job["company"], l=f" with the cover letter \"{letter}\"" if letter else "",
                  w=words, f=follow, d=spoken(due, rng)),
        calls=(member_call(world, "Dice", "search_tech_jobs", keywords=job["title"]),
               member_call(world, "Dice", "apply_to_job", job_id=job["job_id"],
                           **({"cover_letter": letter} if letter else {})),
               first,
               member_call(world, "TickTick", "ticktick_create_task", access_token=Ref(2, "access_token"),
                           title=follow, due_date=due.isoformat())))
