"""Calendar: a user's calendars and events, with attendees, search, scheduling and free-slot lookup."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id, like_pattern, strptime

TIME_FORMAT = "%Y-%m-%dT%H:%M"
#: A time already written in TIME_FORMAT's zero-padded form (ASCII digits, a year of four digits from 1000).
CANONICAL_TIME = re.compile(r"[1-9]\d{3}-\d\d-\d\dT\d\d:\d\d", re.ASCII)
TOPICS = ["Budget review", "Design sync", "1:1", "Sprint planning", "Customer call", "Hiring debrief",
          "Quarterly kickoff", "Vendor demo", "Board prep", "Retro", "Lunch", "Dentist", "Gym", "Team offsite"]
PLACES = ["Room A", "Room B", "Main hall", "Cafe", "Zoom", "Client office"]


def parse_time(value: str, field: str) -> dt.datetime:
    try:
        return strptime(value, TIME_FORMAT)
    except ValueError:
        raise ToolError(f"{field} must look like 2026-03-05T14:30, got {value!r}") from None


def canonical_time(value: str, field: str) -> str:
    """The zero-padded form of a time, so stored times compare correctly as text ('2026-3-5T9:00' is accepted).
    A time already in that form is returned as it is once it is known to be a real time (what parsing and
    formatting it again would give); any other text is parsed, and rejected with parse_time's error."""
    if CANONICAL_TIME.fullmatch(value):
        try:
            dt.datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    return parse_time(value, field).strftime(TIME_FORMAT)


class CalendarInfo(TypedDict):
    calendar_id: str
    name: str
    color: str
    is_primary: int


class EventSummary(TypedDict):
    event_id: str
    calendar_id: str
    summary: str
    start_time: str
    end_time: str
    location: str


class Attendee(TypedDict):
    email: str
    response: str


class Event(EventSummary):
    description: str
    status: str
    attendees: list[Attendee]


class Contact(TypedDict):
    email: str
    name: str


class Deleted(TypedDict):
    deleted: str


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
    text_search = {"events": ("summary", "location", "description")}

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
    def _event(self, event_id: str) -> Event:
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

    def _invite(self, event_id: str, emails: list[str], invited: list[dict[str, Any]] | None = None
                ) -> list[dict[str, Any]]:
        """Invite ``emails`` to an event whose attendees are ``invited``; returns its attendees as _event lists
        them (by email; someone already invited keeps their response)."""
        emails = self._check_emails(emails)
        self.executemany("INSERT OR IGNORE INTO attendees (event_id, email) VALUES (?, ?)",
                         [(event_id, e) for e in emails])
        attendees = {a["email"]: a for a in invited or []}
        for email in emails:
            attendees.setdefault(email, {"email": email, "response": "needsAction"})
        return [attendees[email] for email in sorted(attendees)]

    def _exists(self, event_id: str) -> None:
        """The check of _event, without reading the event."""
        self.require("SELECT 1 FROM events WHERE event_id = ?", event_id,
                     error=f"no event with id '{event_id}'; search_events or list_events show the ids")

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list my calendars", "show me which calendars I have"])
    def list_calendars(self) -> list[CalendarInfo]:
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
                    max_results: Annotated[int, Field(ge=1, le=100)] = 20) -> list[EventSummary]:
        """List events ordered by start time, optionally within one calendar, a time window or with one attendee.

        Args:
            calendar_id: Only events of this calendar.
            time_min: Only events starting at or after this time (YYYY-MM-DDTHH:MM).
            time_max: Only events starting before this time (YYYY-MM-DDTHH:MM).
            attendee: Only events this email address is invited to.
            max_results: At most this many events.
        """
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
    def search_events(self, query: NonEmptyStr, calendar_id: str | None = None) -> list[EventSummary]:
        """Find events whose title, location or description contains the query (case-insensitive).

        Args:
            query: Text to look for.
            calendar_id: Only search this calendar.
        """
        if calendar_id is not None:
            self._calendar_id(calendar_id)
        matches, params = self.text_filter("events", query)
        return self.rows(
            "SELECT event_id, calendar_id, summary, start_time, end_time, location FROM events"
            f" WHERE {matches} AND (? IS NULL OR calendar_id = ?) AND status != 'cancelled'"
            " ORDER BY start_time, event_id LIMIT 20", *params, calendar_id, calendar_id)

    @tool(phrase=["look up {event_id}", "pull up the details of {event_id}"])
    def get_event(self, event_id: str) -> Event:
        """Get one event with its description and attendees.

        Args:
            event_id: The event's id.
        """
        return self._event(event_id)

    @tool(phrase=["find the contacts named {name}", "look up the contact {name}"])
    def find_contact(self, name: str) -> list[Contact]:
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
    def find_free_slots(self, date: str, duration_minutes: Annotated[int, Field(ge=15, le=480)],
                        calendar_id: str | None = None) -> list[str]:
        """Start times on a day (08:00-18:00, half-hour steps) when an event of the given length fits.

        Args:
            date: The day, YYYY-MM-DD.
            duration_minutes: Length of the wanted slot in minutes.
            calendar_id: Only consider events of this calendar (all calendars by default).
        """
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
    def create_event(self, summary: NonEmptyStr, start_time: str, end_time: str, calendar_id: str | None = None,
                     location: str = "", description: str = "", attendees: list[str] | None = None) -> Event:
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
        start, end = self._span(start_time, end_time)
        calendar_id = self._calendar_id(calendar_id)
        event_id = self.new_id("events", "evt_")
        self.execute("INSERT INTO events (event_id, calendar_id, summary, start_time, end_time, location, description)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", event_id, calendar_id, summary.strip(), start, end,
                     location, description)
        invited = self._invite(event_id, attendees or [])
        # The event as _event reads it back.
        return {"event_id": event_id, "calendar_id": calendar_id, "summary": summary.strip(), "start_time": start,
                "end_time": end, "location": location, "description": description, "status": "confirmed",
                "attendees": invited}

    @tool(writes=True, phrase=[
        ("update {event_id}[ with the new title {summary}][, new start {start_time}][, new end {end_time}]"
         "[, new location {location}][, new description {description}]"),
        "rename {event_id} to {summary}",
        "change the location of {event_id} to {location}",
        "change the description of {event_id} to {description}",
        "reschedule {event_id} to run from {start_time} to {end_time}",
        "make {event_id} start at {start_time} instead",
    ])
    def update_event(self, event_id: str, summary: NonEmptyStr | None = None, start_time: str | None = None,
                     end_time: str | None = None, location: str | None = None,
                     description: str | None = None) -> Event:
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
        start, end = self._span(start_time or event["start_time"], end_time or event["end_time"])
        changed = {"summary": event["summary"] if summary is None else summary.strip(), "start_time": start,
                   "end_time": end, "location": event["location"] if location is None else location,
                   "description": event["description"] if description is None else description}
        self.execute("UPDATE events SET summary = ?, start_time = ?, end_time = ?, location = ?, description = ?"
                     " WHERE event_id = ?", *changed.values(), event_id)
        return {**event, **changed}  # as _event reads it back

    @tool(writes=True, phrase=["move {event_id} to {calendar_id}", "put {event_id} into {calendar_id} instead"])
    def move_event_to_calendar(self, event_id: str, calendar_id: str) -> Event:
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
        return {**event, "calendar_id": calendar_id}  # as _event reads it back

    @tool(writes=True, phrase=["add guests to {event_id}", "invite more people to {event_id}",
                               "extend the guest list of {event_id}"])
    def add_attendees(self, event_id: str, emails: list[str]) -> Event:
        """Invite more people to an event.

        Args:
            event_id: The event's id.
            emails: Email addresses to invite.
        """
        event = self._event(event_id)
        return {**event, "attendees": self._invite(event_id, emails, event["attendees"])}  # as _event reads it back

    @tool(writes=True, phrase=["take guests off the list of {event_id}", "uninvite people from {event_id}",
                               "shorten the guest list of {event_id}"])
    def remove_attendees(self, event_id: str, emails: list[str]) -> Event:
        """Withdraw the invitation of people to an event.

        Args:
            event_id: The event's id.
            emails: Email addresses to take off the guest list.
        """
        event = self._event(event_id)
        invited = {a["email"] for a in event["attendees"]}
        removed = self._check_emails(emails)
        for email in removed:
            if email not in invited:
                raise ToolError(f"'{email}' is not invited to event '{event_id}'; get_event lists its attendees")
        self.executemany("DELETE FROM attendees WHERE event_id = ? AND email = ?", [(event_id, e) for e in removed])
        return {**event, "attendees": [a for a in event["attendees"] if a["email"] not in removed]}

    @tool(writes=True, phrase=["delete {event_id}", "remove {event_id} from my calendar"])
    def delete_event(self, event_id: str) -> Deleted:
        """Delete an event and its invitations.

        Args:
            event_id: The event's id.
        """
        self._exists(event_id)
        self.execute("DELETE FROM attendees WHERE event_id = ?", event_id)
        self.execute("DELETE FROM events WHERE event_id = ?", event_id)
        return {"deleted": event_id}
