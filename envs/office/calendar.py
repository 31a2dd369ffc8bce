"""Calendar: a user's calendars and events, with attendees, search, scheduling and free-slot lookup."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envfactory_gym.core.tools import ToolError, tool
from envfactory_gym.core.world import World, fake_id, like_pattern

TIME_FORMAT = "%Y-%m-%dT%H:%M"
TOPICS = ["Budget review", "Design sync", "1:1", "Sprint planning", "Customer call", "Hiring debrief",
          "Quarterly kickoff", "Vendor demo", "Board prep", "Retro", "Lunch", "Dentist", "Gym", "Team offsite"]
PLACES = ["Room A", "Room B", "Main hall", "Cafe", "Zoom", "Client office"]


def later(minutes: int = 0, days: int = 0) -> Any:
    """A transform adding minutes and days to a YYYY-MM-DDTHH:MM time (for Ref)."""
    return lambda value: (parse_time(value, "time") + dt.timedelta(days=days, minutes=minutes)).strftime(TIME_FORMAT)


def emails_of(attendees: list[dict[str, Any]]) -> list[str]:
    """A transform from get_event's attendee list to its email addresses (for Ref)."""
    return [a["email"] for a in attendees]


def calendar_named(name: str) -> Any:
    """A transform picking the id of the calendar called ``name`` from list_calendars (for Ref)."""
    return lambda calendars: next(c["calendar_id"] for c in calendars if c["name"] == name)


def parse_time(value: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise ToolError(f"{field} must look like 2026-03-05T14:30, got {value!r}") from None


def canonical_time(value: str, field: str) -> str:
    """The zero-padded form of a time, so stored times compare correctly as text ('2026-3-5T9:00' is accepted)."""
    return parse_time(value, field).strftime(TIME_FORMAT)


def minutes_between(start: str, end: str) -> int:
    return int((parse_time(end, "end_time") - parse_time(start, "start_time")).total_seconds() // 60)




class Calendar(World):
    """The user's calendars (Work, Personal, Family) and their events, times in 'YYYY-MM-DDTHH:MM'."""

    domain = "Office"
    schema = """
    CREATE TABLE calendars (calendar_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, color TEXT NOT NULL,
                            is_primary INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE events (event_id TEXT PRIMARY KEY, calendar_id TEXT NOT NULL REFERENCES calendars,
                         summary TEXT NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
                         location TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
                         status TEXT NOT NULL DEFAULT 'confirmed');
    CREATE TABLE attendees (event_id TEXT NOT NULL REFERENCES events, email TEXT NOT NULL,
                            response TEXT NOT NULL DEFAULT 'needsAction', PRIMARY KEY (event_id, email));
    CREATE TABLE contacts (email TEXT PRIMARY KEY, name TEXT NOT NULL);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        calendars = [
            {"calendar_id": fake_id(rng, "cal_"), "name": name, "color": color, "is_primary": int(name == "Work")}
            for name, color in [("Work", "blue"), ("Personal", "green"), ("Family", "orange")]
        ]
        db["calendars"].insert_all(calendars)
        contacts = {}
        while len(contacts) < 25:
            first, last = fake.first_name(), fake.last_name()
            contacts[f"{first}.{last}@example.com".lower().replace("'", "")] = f"{first} {last}"
        db["contacts"].insert_all({"email": e, "name": n} for e, n in contacts.items())
        events, attendees = [], []
        day0 = cls.start_time.replace(hour=0)
        for _ in range(60):
            start = day0 + dt.timedelta(days=rng.randrange(0, 21), hours=rng.randrange(8, 18),
                                        minutes=rng.choice([0, 30]))
            summary = f"{rng.choice(TOPICS)} {fake.word()}"
            event_id = fake_id(rng, "evt_")
            events.append({
                "event_id": event_id, "calendar_id": rng.choice(calendars)["calendar_id"], "summary": summary,
                "start_time": start.strftime(TIME_FORMAT),
                "end_time": (start + dt.timedelta(minutes=rng.choice([30, 60, 90]))).strftime(TIME_FORMAT),
                "location": rng.choice(PLACES), "description": fake.sentence(),
            })
            for email in rng.sample(sorted(contacts), rng.randrange(0, 4)):
                attendees.append({"event_id": event_id, "email": email,
                                  "response": rng.choice(["needsAction", "accepted", "declined"])})
        db["events"].insert_all(events)
        db["attendees"].insert_all(attendees)

    # ------------------------------------------------------------------ helpers
    def _event(self, event_id: str) -> dict[str, Any]:
        event = self.require("SELECT * FROM events WHERE event_id = ?", event_id,
                             error=f"no event with id '{event_id}'; search_events or list_events show the ids")
        event["attendees"] = self.rows("SELECT email, response FROM attendees WHERE event_id = ? ORDER BY email",
                                       event_id)
        return event

    def _calendar_id(self, calendar_id: str | None) -> str:
        if calendar_id is None:
            return self.value("SELECT calendar_id FROM calendars WHERE is_primary = 1")
        self.require("SELECT 1 FROM calendars WHERE calendar_id = ?", calendar_id,
                     error=f"no calendar with id '{calendar_id}'; list_calendars shows the ids")
        return calendar_id

    def _span(self, start_time: str, end_time: str) -> tuple[str, str]:
        """The canonical forms of a start and an end time, checking that the end comes after the start."""
        start, end = canonical_time(start_time, "start_time"), canonical_time(end_time, "end_time")
        if end <= start:
            raise ToolError("end_time must be after start_time")
        return start, end

    def _check_emails(self, emails: list[str]) -> list[str]:
        for email in emails:
            if "@" not in email:
                raise ToolError(f"'{email}' is not an email address; find_contact looks addresses up by name")
        return [e.strip().lower() for e in emails]

    def _invite(self, event_id: str, emails: list[str]) -> None:
        self.executemany("INSERT OR IGNORE INTO attendees (event_id, email) VALUES (?, ?)",
                         [(event_id, e) for e in self._check_emails(emails)])

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list my calendars", "show me which calendars I have"])
    def list_calendars(self) -> list[dict[str, Any]]:
        """List the user's calendars with their ids; the primary one is used when no calendar is given."""
        return self.rows("SELECT calendar_id, name, color, is_primary FROM calendars ORDER BY name")

    @tool(phrase=[
        ("list [the first {max_results} of ]my events[ in {calendar_id}][ starting from {time_min}]"
         "[ starting before {time_max}]"),
        ("show me my[ next {max_results}] events[ in {calendar_id}][ that start at or after {time_min}]"
         "[ that start before {time_max}]"),
    ])
    def list_events(self, calendar_id: str | None = None, time_min: str | None = None,
                    time_max: str | None = None, attendee: str | None = None,
                    max_results: int = 20) -> list[dict[str, Any]]:
        """List events ordered by start time, optionally within one calendar, a time window or with one attendee.

        Args:
            calendar_id: Only events of this calendar.
            time_min: Only events starting at or after this time (YYYY-MM-DDTHH:MM).
            time_max: Only events starting before this time (YYYY-MM-DDTHH:MM).
            attendee: Only events this email address is invited to.
            max_results: At most this many events (1-100).
        """
        if not 1 <= max_results <= 100:
            raise ToolError("max_results must be between 1 and 100")
        if calendar_id is not None:
            self._calendar_id(calendar_id)
        time_min = None if time_min is None else canonical_time(time_min, "time_min")
        time_max = None if time_max is None else canonical_time(time_max, "time_max")
        return self.rows(
            "SELECT event_id, calendar_id, summary, start_time, end_time, location FROM events"
            " WHERE (?1 IS NULL OR calendar_id = ?1) AND (?2 IS NULL OR start_time >= ?2)"
            " AND (?3 IS NULL OR start_time < ?3) AND status != 'cancelled'"
            " AND (?4 IS NULL OR event_id IN (SELECT event_id FROM attendees WHERE email = lower(?4)))"
            " ORDER BY start_time, event_id LIMIT ?5",
            calendar_id, time_min, time_max, attendee and attendee.strip(), max_results)

    @tool(phrase=[
        "search my events for {query}[ in {calendar_id}]",
        "look for events matching {query}[ in {calendar_id}]",
    ])
    def search_events(self, query: str, calendar_id: str | None = None) -> list[dict[str, Any]]:
        """Find events whose title, location or description contains the query (case-insensitive).

        Args:
            query: Text to look for.
            calendar_id: Only search this calendar.
        """
        if not query.strip():
            raise ToolError("query must not be empty")
        if calendar_id is not None:
            self._calendar_id(calendar_id)
        return self.rows(
            "SELECT event_id, calendar_id, summary, start_time, end_time, location FROM events"
            " WHERE (summary LIKE ?1 ESCAPE '\\' OR location LIKE ?1 ESCAPE '\\' OR description LIKE ?1 ESCAPE '\\')"
            " AND (?2 IS NULL OR calendar_id = ?2) AND status != 'cancelled' ORDER BY start_time, event_id LIMIT 20",
            like_pattern(query.strip()), calendar_id)

    @tool(phrase=["look up {event_id}", "pull up the details of {event_id}"])
    def get_event(self, event_id: str) -> dict[str, Any]:
        """Get one event with its description and attendees.

        Args:
            event_id: The event's id.
        """
        return self._event(event_id)

    @tool(phrase=["find the contacts named {name}", "look up the contact {name}"])
    def find_contact(self, name: str) -> list[dict[str, Any]]:
        """Look up contacts' email addresses by (part of) their name.

        Args:
            name: Part of the contact's name.
        """
        return self.rows("SELECT email, name FROM contacts WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
                         like_pattern(name.strip()))

    @tool(phrase=[
        "find free {duration_minutes}-minute slots on {date}[ in {calendar_id}]",
        "check when I have {duration_minutes} minutes free on {date}[, looking only at {calendar_id}]",
    ])
    def find_free_slots(self, date: str, duration_minutes: int, calendar_id: str | None = None) -> list[str]:
        """Start times on a day (08:00-18:00, half-hour steps) when an event of the given length fits.

        Args:
            date: The day, YYYY-MM-DD.
            duration_minutes: Length of the wanted slot, 15-480.
            calendar_id: Only consider events of this calendar (all calendars by default).
        """
        if not 15 <= duration_minutes <= 480:
            raise ToolError("duration_minutes must be between 15 and 480")
        if calendar_id is not None:
            self._calendar_id(calendar_id)
        day = parse_time(f"{date}T00:00", "date")
        busy = [(parse_time(r["start_time"], "start"), parse_time(r["end_time"], "end")) for r in self.rows(
            "SELECT start_time, end_time FROM events WHERE start_time < ?1 AND end_time > ?2"
            " AND status != 'cancelled' AND (?3 IS NULL OR calendar_id = ?3)",
            (day + dt.timedelta(days=1)).strftime(TIME_FORMAT), day.strftime(TIME_FORMAT), calendar_id)]
        slots, length = [], dt.timedelta(minutes=duration_minutes)
        start = day.replace(hour=8)
        while start + length <= day.replace(hour=18):
            if all(start + length <= b or start >= e for b, e in busy):
                slots.append(start.strftime(TIME_FORMAT))
            start += dt.timedelta(minutes=30)
        return slots

    @tool(writes=True, phrase=[
        ("create an event {summary} from {start_time} to {end_time}[ in {calendar_id}][ at {location}]"
         "[ with the description {description}]"),
        ("put {summary} on my calendar from {start_time} to {end_time}[ in {calendar_id}][ at {location}]"
         "[, described as {description}]"),
    ])
    def create_event(self, summary: str, start_time: str, end_time: str, calendar_id: str | None = None,
                     location: str = "", description: str = "", attendees: list[str] | None = None) -> dict[str, Any]:
        """Create an event and invite attendees by email.

        Args:
            summary: Title of the event.
            start_time: Start, YYYY-MM-DDTHH:MM.
            end_time: End, YYYY-MM-DDTHH:MM, after the start.
            calendar_id: Calendar to put it in (the primary calendar by default).
            location: Where it takes place.
            description: Notes for the attendees.
            attendees: Email addresses to invite.
        """
        if not summary.strip():
            raise ToolError("summary must not be empty")
        start, end = self._span(start_time, end_time)
        calendar_id = self._calendar_id(calendar_id)
        event_id = self.new_id("events", "evt_")
        self.execute("INSERT INTO events (event_id, calendar_id, summary, start_time, end_time, location, description)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", event_id, calendar_id, summary.strip(), start, end,
                     location, description)
        self._invite(event_id, attendees or [])
        return self._event(event_id)

    @tool(writes=True, phrase=[
        ("update {event_id}[ with the new title {summary}][, new start {start_time}][, new end {end_time}]"
         "[, new location {location}][, new description {description}]"),
        "rename {event_id} to {summary}",
        "change the location of {event_id} to {location}",
        "change the description of {event_id} to {description}",
        "reschedule {event_id} to run from {start_time} to {end_time}",
        "make {event_id} start at {start_time} instead",
    ])
    def update_event(self, event_id: str, summary: str | None = None, start_time: str | None = None,
                     end_time: str | None = None, location: str | None = None,
                     description: str | None = None) -> dict[str, Any]:
        """Change an event's title, time, location or description; fields left out stay as they are.

        Args:
            event_id: The event's id.
            summary: New title.
            start_time: New start, YYYY-MM-DDTHH:MM.
            end_time: New end, YYYY-MM-DDTHH:MM.
            location: New location.
            description: New description.
        """
        event = self._event(event_id)
        if summary is not None and not summary.strip():
            raise ToolError("summary must not be empty; leave it out to keep the current title")
        start, end = self._span(start_time or event["start_time"], end_time or event["end_time"])
        self.execute("UPDATE events SET summary = ?, start_time = ?, end_time = ?, location = ?, description = ?"
                     " WHERE event_id = ?", event["summary"] if summary is None else summary.strip(), start, end,
                     event["location"] if location is None else location,
                     event["description"] if description is None else description, event_id)
        return self._event(event_id)

    @tool(writes=True, phrase=["move {event_id} to {calendar_id}", "put {event_id} into {calendar_id} instead"])
    def move_event_to_calendar(self, event_id: str, calendar_id: str) -> dict[str, Any]:
        """Move an event to another of the user's calendars, keeping its time, details and attendees.

        Args:
            event_id: The event's id.
            calendar_id: The calendar to move it to.
        """
        event = self._event(event_id)
        self._calendar_id(calendar_id)
        if event["calendar_id"] == calendar_id:
            raise ToolError(f"event '{event_id}' is already in calendar '{calendar_id}'")
        self.execute("UPDATE events SET calendar_id = ? WHERE event_id = ?", calendar_id, event_id)
        return self._event(event_id)

    @tool(writes=True, phrase=["add guests to {event_id}", "invite more people to {event_id}"])
    def add_attendees(self, event_id: str, emails: list[str]) -> dict[str, Any]:
        """Invite more people to an event.

        Args:
            event_id: The event's id.
            emails: Email addresses to invite.
        """
        self._event(event_id)
        self._invite(event_id, emails)
        return self._event(event_id)

    @tool(writes=True, phrase=["take guests off the list of {event_id}", "uninvite people from {event_id}"])
    def remove_attendees(self, event_id: str, emails: list[str]) -> dict[str, Any]:
        """Withdraw the invitation of people to an event.

        Args:
            event_id: The event's id.
            emails: Email addresses to take off the guest list.
        """
        invited = {a["email"] for a in self._event(event_id)["attendees"]}
        for email in self._check_emails(emails):
            if email not in invited:
                raise ToolError(f"'{email}' is not invited to event '{event_id}'; get_event lists its attendees")
            self.execute("DELETE FROM attendees WHERE event_id = ? AND email = ?", event_id, email)
        return self._event(event_id)

    @tool(writes=True, phrase=["delete {event_id}", "remove {event_id} from my calendar"])
    def delete_event(self, event_id: str) -> dict[str, str]:
        """Delete an event and its invitations.

        Args:
            event_id: The event's id.
        """
        self._event(event_id)
        self.execute("DELETE FROM attendees WHERE event_id = ?", event_id)
        self.execute("DELETE FROM events WHERE event_id = ?", event_id)
        return {"deleted": event_id}

    # ---------------------------------------------------------------- scenarios
    def _some_event(self, rng: random.Random, with_attendees: bool = False) -> dict[str, Any]:
        """An event whose title is unique, so a request naming it is unambiguous."""
        events = self.rows("SELECT * FROM events WHERE summary IN"
                           " (SELECT summary FROM events GROUP BY summary HAVING COUNT(*) = 1)"
                           " AND (?1 = 0 OR event_id IN (SELECT event_id FROM attendees)) ORDER BY event_id",
                           int(with_attendees))
        return rng.choice(events)

    def _some_contact(self, rng: random.Random, sql: str = "SELECT * FROM contacts",
                      *params: Any) -> dict[str, Any] | None:
        """A contact (among the rows of ``sql``) whose full name finds nobody else, or None."""
        contacts = [c for c in self.rows(sql + " ORDER BY email", *params) if len(self.find_contact(c["name"])) == 1]
        return rng.choice(contacts) if contacts else None

    def _day(self, offset: int) -> str:
        """The date ``offset`` days after the start of the episode clock, YYYY-MM-DD."""
        return (self.start_time + dt.timedelta(days=offset)).strftime("%Y-%m-%d")

    def _some_day(self, rng: random.Random, first: int = 1, last: int = 14) -> str:
        return self._day(rng.randrange(first, last))

    def _calendar_name(self, calendar_id: str) -> str:
        return self.value("SELECT name FROM calendars WHERE calendar_id = ?", calendar_id)

    def _other_calendar(self, rng: random.Random, event: dict[str, Any]) -> str:
        """The name of a calendar the event is not in."""
        return rng.choice(self.rows("SELECT name FROM calendars WHERE calendar_id != ? ORDER BY name",
                                    event["calendar_id"]))["name"]

    @staticmethod
    def _guest_calls(tool_name: str, event: dict[str, Any], contact: dict[str, Any]) -> tuple[Any, ...]:
        """Look the contact and the event up, then add them to or remove them from its guest list."""
        return (call("find_contact", name=contact["name"]), call("search_events", query=event["summary"]),
                call(tool_name, event_id=Ref(1, "0.event_id"), emails=[Ref(0, "0.email")]))

    def _invite_draft(self, rng: random.Random, asked: bool) -> Draft | None:
        """Invite a contact to an event they are not on yet: named in the request, or told only when asked."""
        event = self._some_event(rng)
        contact = self._some_contact(rng, "SELECT * FROM contacts WHERE email NOT IN"
                                          " (SELECT email FROM attendees WHERE event_id = ?)", event["event_id"])
        if contact is None:
            return None
        calls = self._guest_calls("add_attendees", event, contact)
        if asked:
            return Draft(
                request=f"Please add a colleague of mine to '{event['summary']}'. I'll tell you who.", calls=calls,
                ask=(UserFact("colleague's name", contact["name"], ("name", "who", "colleague")),))
        return Draft(request=f"Add {contact['name']} to the invite list of '{event['summary']}'.", calls=calls)

    @scenario
    def when_is_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        return Draft(
            request=rng.choice(["When is my '{s}' meeting, and where?", "I forgot when '{s}' is. Time and place?"]
                               ).format(s=event["summary"]),
            calls=(call("search_events", query=event["summary"]),),
            answer=(event["start_time"], event["location"]))

    @scenario
    def who_attends(self, rng: random.Random) -> Draft:
        event = self._some_event(rng, with_attendees=True)
        emails = [r["email"] for r in self.rows("SELECT email FROM attendees WHERE event_id = ?", event["event_id"])]
        return Draft(
            request=f"Who is invited to '{event['summary']}'? Give me their email addresses.",
            calls=(call("search_events", query=event["summary"]), call("get_event", event_id=event["event_id"])),
            answer=tuple(emails))

    @scenario
    def move_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        new_start = later(days=rng.choice([1, 2, 7]))(event["start_time"])
        length = minutes_between(event["start_time"], event["end_time"])
        return Draft(
            request=f"Please move '{event['summary']}' to {new_start.replace('T', ' at ')}, same length as before.",
            calls=(call("search_events", query=event["summary"]),
                   call("update_event", event_id=event["event_id"], start_time=new_start,
                        end_time=later(length)(new_start))))

    @scenario
    def cancel_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        return Draft(
            request=rng.choice(["Cancel '{s}', it's not happening.", "Delete the event '{s}' from my calendar."]
                               ).format(s=event["summary"]),
            calls=(call("search_events", query=event["summary"]), call("delete_event", event_id=event["event_id"])))

    @scenario
    def schedule_with_contact(self, rng: random.Random) -> Draft | None:
        contact = self._some_contact(rng)
        calendar = rng.choice(self.rows("SELECT * FROM calendars ORDER BY calendar_id"))
        day = self._some_day(rng)
        if contact is None or not self.find_free_slots(day, 30):
            return None
        topic = rng.choice(TOPICS)
        return Draft(
            request=(f"Set up a 30-minute '{topic}' with {contact['name']} on {day} at the first free half hour"
                     f" of that day, in my {calendar['name']} calendar, and invite them."),
            calls=(call("find_contact", name=contact["name"]),
                   call("list_calendars"),
                   call("find_free_slots", date=day, duration_minutes=30),
                   call("create_event", summary=topic, start_time=Ref(2, "0"),
                        end_time=Ref(2, "0", then=later(30)), calendar_id=Ref(1, then=calendar_named(calendar["name"])),
                        attendees=[Ref(0, "0.email")])))

    @scenario
    def invite_to_event(self, rng: random.Random) -> Draft | None:
        return self._invite_draft(rng, asked=False)

    @scenario
    def relocate_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        place = rng.choice([p for p in PLACES if p != event["location"]])
        return Draft(
            request=f"Move '{event['summary']}' to {place}. Keep the time.",
            calls=(call("search_events", query=event["summary"]),
                   call("update_event", event_id=event["event_id"], location=place)))

    @scenario
    def book_on_asked_day(self, rng: random.Random) -> Draft | None:
        day = self._some_day(rng)
        topic = rng.choice(TOPICS)
        minutes = rng.choice([30, 60])
        if not self.find_free_slots(day, minutes):
            return None
        return Draft(
            request=f"I need a {minutes}-minute '{topic}' block at the earliest free time on a day I'll tell you.",
            calls=(call("find_free_slots", date=day, duration_minutes=minutes),
                   call("create_event", summary=topic, start_time=Ref(0, "0"),
                        end_time=Ref(0, "0", then=later(minutes)))),
            ask=(UserFact("day", day, ("day", "date", "when")),))

    @scenario
    def day_agenda(self, rng: random.Random) -> Draft | None:
        calendar = rng.choice(self.rows("SELECT * FROM calendars ORDER BY calendar_id"))
        day = self._some_day(rng, first=0)
        events = self.rows("SELECT summary FROM events WHERE calendar_id = ? AND start_time LIKE ?"
                           " ORDER BY start_time", calendar["calendar_id"], f"{day}%")
        if not events:
            return None
        return Draft(
            request=f"What's on my {calendar['name']} calendar on {day}? List the event titles.",
            calls=(call("list_calendars"),
                   call("list_events", calendar_id=Ref(0, then=calendar_named(calendar["name"])),
                        time_min=f"{day}T00:00", time_max=f"{day}T23:59")),
            answer=tuple(e["summary"] for e in events))

    @scenario
    def reschedule_meeting_with_contact(self, rng: random.Random) -> Draft | None:
        """Find the one meeting with a contact on a day and move it to the first free slot of another day."""
        pairs = self.rows("SELECT a.email, substr(e.start_time, 1, 10) AS day FROM attendees a JOIN events e"
                          " USING (event_id) GROUP BY a.email, day HAVING COUNT(*) = 1 ORDER BY a.email, day")
        rng.shuffle(pairs)
        for pair in pairs:
            contact = self._some_contact(rng, "SELECT * FROM contacts WHERE email = ?", pair["email"])
            event = self.row("SELECT e.* FROM events e JOIN attendees a USING (event_id)"
                             " WHERE a.email = ? AND e.start_time LIKE ?", pair["email"], f"{pair['day']}%")
            new_day = later(days=rng.choice([1, 2, 3]))(f"{pair['day']}T00:00")[:10]
            minutes = minutes_between(event["start_time"], event["end_time"])
            if contact is None or not self.find_free_slots(new_day, minutes):
                continue
            return Draft(
                request=rng.choice([
                    "My meeting with {n} on {d} has to move to {m}. "
                    "Put it at the first free slot that day, same length.",
                    "Push my {d} meeting with {n} to {m}, at the earliest time I'm free that day; keep its duration.",
                ]).format(n=contact["name"], d=pair["day"], m=new_day),
                calls=(call("find_contact", name=contact["name"]),
                       call("list_events", attendee=Ref(0, "0.email"), time_min=f"{pair['day']}T00:00",
                            time_max=f"{pair['day']}T23:59"),
                       call("find_free_slots", date=new_day, duration_minutes=minutes),
                       call("update_event", event_id=Ref(1, "0.event_id"), start_time=Ref(2, "0"),
                            end_time=Ref(2, "0", then=later(minutes)))))
        return None

    @scenario
    def push_to_free_slot(self, rng: random.Random) -> Draft | None:
        event = self._some_event(rng)
        day = self._some_day(rng)
        minutes = minutes_between(event["start_time"], event["end_time"])
        if event["start_time"].startswith(day) or not self.find_free_slots(day, minutes):
            return None
        return Draft(
            request=f"'{event['summary']}' can't happen as planned. Move it to the earliest free slot on {day}, "
                    f"keeping its length.",
            calls=(call("search_events", query=event["summary"]),
                   call("find_free_slots", date=day, duration_minutes=minutes),
                   call("update_event", event_id=Ref(0, "0.event_id"), start_time=Ref(1, "0"),
                        end_time=Ref(1, "0", then=later(minutes)))))

    @scenario
    def copy_event_to_calendar(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        target = self._other_calendar(rng, event)
        return Draft(
            request=rng.choice([
                "Copy '{s}' into my {c} calendar too: same title, time, place, notes and guests.",
                "I want '{s}' to show up in my {c} calendar as well. Make an identical copy there (guests included).",
            ]).format(s=event["summary"], c=target),
            calls=(call("search_events", query=event["summary"]),
                   call("get_event", event_id=Ref(0, "0.event_id")),
                   call("list_calendars"),
                   call("create_event", summary=Ref(1, "summary"), start_time=Ref(1, "start_time"),
                        end_time=Ref(1, "end_time"), calendar_id=Ref(2, then=calendar_named(target)),
                        location=Ref(1, "location"), description=Ref(1, "description"),
                        attendees=Ref(1, "attendees", then=emails_of))))

    @scenario
    def change_event_calendar(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        target = self._other_calendar(rng, event)
        return Draft(
            request=rng.choice(["'{s}' is in the wrong calendar; it belongs in my {c} calendar. Please move it.",
                                "Move the event '{s}' over to my {c} calendar."]).format(s=event["summary"], c=target),
            calls=(call("search_events", query=event["summary"]),
                   call("list_calendars"),
                   call("move_event_to_calendar", event_id=Ref(0, "0.event_id"),
                        calendar_id=Ref(1, then=calendar_named(target)))))

    @scenario
    def clear_day(self, rng: random.Random) -> Draft | None:
        busy = self.rows("SELECT calendar_id, substr(start_time, 1, 10) AS day, COUNT(*) AS n FROM events"
                         " WHERE start_time >= ? AND start_time < ? GROUP BY calendar_id, day"
                         " ORDER BY calendar_id, day", self._day(1), self._day(14))
        if not busy:
            return None
        chosen = rng.choice(busy)
        calendar, day = self._calendar_name(chosen["calendar_id"]), chosen["day"]
        return Draft(
            request=rng.choice(["Clear my {c} calendar on {d}: everything in it that day is off.",
                                "I'm taking {d} off. Delete every event of my {c} calendar on that day."]
                               ).format(c=calendar, d=day),
            calls=(call("list_calendars"),
                   call("list_events", calendar_id=Ref(0, then=calendar_named(calendar)),
                        time_min=f"{day}T00:00", time_max=f"{day}T23:59"),
                   *(call("delete_event", event_id=Ref(1, f"{i}.event_id")) for i in range(chosen["n"]))))

    @scenario
    def remove_guest(self, rng: random.Random) -> Draft | None:
        event = self._some_event(rng, with_attendees=True)
        contact = self._some_contact(rng, "SELECT * FROM contacts WHERE email IN"
                                          " (SELECT email FROM attendees WHERE event_id = ?)", event["event_id"])
        if contact is None:
            return None
        return Draft(
            request=rng.choice(["Take {n} off the guest list of '{s}'.", "{n} no longer needs to come to '{s}'; "
                                "remove them from the invite."]).format(n=contact["name"], s=event["summary"]),
            calls=self._guest_calls("remove_attendees", event, contact))

    @scenario
    def follow_up_meeting(self, rng: random.Random) -> Draft:
        event = self._some_event(rng, with_attendees=True)
        title = f"Follow-up: {event['summary']}"
        return Draft(
            request=(f"Schedule a follow-up to '{event['summary']}' exactly one week later at the same time and for "
                     f"the same length, in the same calendar and place, with the same guests. Title it '{title}'."),
            calls=(call("search_events", query=event["summary"]),
                   call("get_event", event_id=Ref(0, "0.event_id")),
                   call("create_event", summary=title, start_time=Ref(1, "start_time", then=later(days=7)),
                        end_time=Ref(1, "end_time", then=later(days=7)), calendar_id=Ref(1, "calendar_id"),
                        location=Ref(1, "location"), attendees=Ref(1, "attendees", then=emails_of))))

    @scenario
    def invite_asked_colleague(self, rng: random.Random) -> Draft | None:
        return self._invite_draft(rng, asked=True)

    @scenario
    def next_meeting_with(self, rng: random.Random) -> Draft | None:
        now = self.start_time.strftime(TIME_FORMAT)
        contact = self._some_contact(rng, "SELECT * FROM contacts WHERE email IN (SELECT email FROM attendees)")
        if contact is None:
            return None
        upcoming = self.list_events(time_min=now, attendee=contact["email"], max_results=1)
        if not upcoming:
            return None
        event = self._event(upcoming[0]["event_id"])
        others = [a["email"] for a in event["attendees"] if a["email"] != contact["email"]]
        if not others:
            return None
        return Draft(
            request=f"When is my next meeting with {contact['name']}, what is it, and who else is invited?",
            calls=(call("find_contact", name=contact["name"]),
                   call("list_events", attendee=Ref(0, "0.email"), time_min=now, max_results=5),
                   call("get_event", event_id=Ref(1, "0.event_id"))),
            answer=(event["summary"], event["start_time"], *others))
