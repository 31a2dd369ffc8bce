"""Calendar: a user's calendars and events, with attendees, search, scheduling and free-slot lookup."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.tasks import Draft, Ref, UserFact, call, scenario
from envfactory_gym.tools import ToolError, tool
from envfactory_gym.world import World, fake_id

TIME_FORMAT = "%Y-%m-%dT%H:%M"
TOPICS = ["Budget review", "Design sync", "1:1", "Sprint planning", "Customer call", "Hiring debrief",
          "Quarterly kickoff", "Vendor demo", "Board prep", "Retro", "Lunch", "Dentist", "Gym", "Team offsite"]
PLACES = ["Room A", "Room B", "Main hall", "Cafe", "Zoom", "Client office"]


def later(minutes: int) -> Any:
    """A transform adding minutes to a YYYY-MM-DDTHH:MM time (for Ref)."""
    return lambda value: (parse_time(value, "time") + dt.timedelta(minutes=minutes)).strftime(TIME_FORMAT)


def parse_time(value: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise ToolError(f"{field} must look like 2026-03-05T14:30, got {value!r}") from None


class Calendar(World):
    """The user's calendars (work, personal, shared) and their events, times in 'YYYY-MM-DDTHH:MM'."""

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
            name = fake.name()
            contacts[f"{name.lower().replace(' ', '.')}@example.com"] = name
        db["contacts"].insert_all({"email": e, "name": n} for e, n in contacts.items())
        events, attendees = [], []
        day0 = cls.start_time.replace(hour=0)
        for _ in range(60):
            start = day0 + dt.timedelta(days=rng.randrange(0, 21), hours=rng.randrange(8, 18), minutes=rng.choice([0, 30]))
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
                             error=f"no event with id '{event_id}'")
        event["attendees"] = self.rows("SELECT email, response FROM attendees WHERE event_id = ? ORDER BY email",
                                       event_id)
        return event

    def _calendar_id(self, calendar_id: str | None) -> str:
        if calendar_id is None:
            return self.value("SELECT calendar_id FROM calendars WHERE is_primary = 1")
        self.require("SELECT 1 FROM calendars WHERE calendar_id = ?", calendar_id,
                     error=f"no calendar with id '{calendar_id}'; list_calendars shows the ids")
        return calendar_id

    def _check_span(self, start_time: str, end_time: str) -> None:
        if parse_time(end_time, "end_time") <= parse_time(start_time, "start_time"):
            raise ToolError("end_time must be after start_time")

    # -------------------------------------------------------------------- tools
    @tool
    def list_calendars(self) -> list[dict[str, Any]]:
        """List the user's calendars with their ids; the primary one is used when no calendar is given."""
        return self.rows("SELECT calendar_id, name, color, is_primary FROM calendars ORDER BY name")

    @tool
    def list_events(self, calendar_id: str | None = None, time_min: str | None = None,
                    time_max: str | None = None, max_results: int = 20) -> list[dict[str, Any]]:
        """List events ordered by start time, optionally within one calendar and a time window.

        Args:
            calendar_id: Only events of this calendar.
            time_min: Only events starting at or after this time (YYYY-MM-DDTHH:MM).
            time_max: Only events starting before this time (YYYY-MM-DDTHH:MM).
            max_results: At most this many events (1-100).
        """
        if not 1 <= max_results <= 100:
            raise ToolError("max_results must be between 1 and 100")
        for value, name in ((time_min, "time_min"), (time_max, "time_max")):
            if value is not None:
                parse_time(value, name)
        return self.rows(
            "SELECT event_id, calendar_id, summary, start_time, end_time, location FROM events"
            " WHERE (?1 IS NULL OR calendar_id = ?1) AND (?2 IS NULL OR start_time >= ?2)"
            " AND (?3 IS NULL OR start_time < ?3) AND status != 'cancelled' ORDER BY start_time, event_id LIMIT ?4",
            calendar_id, time_min, time_max, max_results)

    @tool
    def search_events(self, query: str, calendar_id: str | None = None) -> list[dict[str, Any]]:
        """Find events whose title, location or description contains the query (case-insensitive).

        Args:
            query: Text to look for.
            calendar_id: Only search this calendar.
        """
        if not query.strip():
            raise ToolError("query must not be empty")
        pattern = f"%{query.strip()}%"
        return self.rows(
            "SELECT event_id, calendar_id, summary, start_time, end_time, location FROM events"
            " WHERE (summary LIKE ?1 OR location LIKE ?1 OR description LIKE ?1) AND (?2 IS NULL OR calendar_id = ?2)"
            " AND status != 'cancelled' ORDER BY start_time, event_id LIMIT 20", pattern, calendar_id)

    @tool
    def get_event(self, event_id: str) -> dict[str, Any]:
        """Get one event with its description and attendees.

        Args:
            event_id: The event's id.
        """
        return self._event(event_id)

    @tool
    def find_contact(self, name: str) -> list[dict[str, Any]]:
        """Look up contacts' email addresses by (part of) their name.

        Args:
            name: Part of the contact's name.
        """
        return self.rows("SELECT email, name FROM contacts WHERE name LIKE ? ORDER BY name", f"%{name.strip()}%")

    @tool
    def find_free_slots(self, date: str, duration_minutes: int, calendar_id: str | None = None) -> list[str]:
        """Start times on a day (08:00-18:00, half-hour steps) when an event of the given length fits.

        Args:
            date: The day, YYYY-MM-DD.
            duration_minutes: Length of the wanted slot, 15-480.
            calendar_id: Only consider events of this calendar (all calendars by default).
        """
        if not 15 <= duration_minutes <= 480:
            raise ToolError("duration_minutes must be between 15 and 480")
        day = parse_time(f"{date}T00:00", "date")
        busy = [(parse_time(r["start_time"], "start"), parse_time(r["end_time"], "end")) for r in self.rows(
            "SELECT start_time, end_time FROM events WHERE start_time LIKE ? AND status != 'cancelled'"
            " AND (?2 IS NULL OR calendar_id = ?2)", f"{date}%", calendar_id)]
        slots, length = [], dt.timedelta(minutes=duration_minutes)
        start = day.replace(hour=8)
        while start + length <= day.replace(hour=18):
            if all(start + length <= b or start >= e for b, e in busy):
                slots.append(start.strftime(TIME_FORMAT))
            start += dt.timedelta(minutes=30)
        return slots

    @tool(writes=True)
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
        self._check_span(start_time, end_time)
        calendar_id = self._calendar_id(calendar_id)
        event_id = self.new_id("events", "evt_")
        self.execute("INSERT INTO events (event_id, calendar_id, summary, start_time, end_time, location, description)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", event_id, calendar_id, summary.strip(), start_time, end_time,
                     location, description)
        self._invite(event_id, attendees or [])
        return self._event(event_id)

    def _invite(self, event_id: str, emails: list[str]) -> None:
        for email in emails:
            if "@" not in email:
                raise ToolError(f"'{email}' is not an email address; find_contact looks addresses up by name")
        self.executemany("INSERT OR IGNORE INTO attendees (event_id, email) VALUES (?, ?)",
                         [(event_id, e.lower()) for e in emails])

    @tool(writes=True)
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
        start, end = start_time or event["start_time"], end_time or event["end_time"]
        self._check_span(start, end)
        self.execute("UPDATE events SET summary = ?, start_time = ?, end_time = ?, location = ?, description = ?"
                     " WHERE event_id = ?", summary or event["summary"], start, end,
                     event["location"] if location is None else location,
                     event["description"] if description is None else description, event_id)
        return self._event(event_id)

    @tool(writes=True)
    def add_attendees(self, event_id: str, emails: list[str]) -> dict[str, Any]:
        """Invite more people to an event.

        Args:
            event_id: The event's id.
            emails: Email addresses to invite.
        """
        self._event(event_id)
        self._invite(event_id, emails)
        return self._event(event_id)

    @tool(writes=True)
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
    def _some_event(self, rng: random.Random) -> dict[str, Any]:
        """An event whose title is unique, so a request naming it is unambiguous."""
        events = self.rows("SELECT * FROM events WHERE summary IN"
                           " (SELECT summary FROM events GROUP BY summary HAVING COUNT(*) = 1) ORDER BY event_id")
        return rng.choice(events)

    @scenario
    def when_is_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        return Draft(
            request=rng.choice(["When is my '{s}' meeting, and where?", "I forgot when '{s}' is. Time and place?"]
                               ).format(s=event["summary"]),
            calls=(call("search_events", query=event["summary"]),),
            answer=(event["start_time"], event["location"]))

    @scenario
    def who_attends(self, rng: random.Random) -> Draft | None:
        event = self._some_event(rng)
        emails = [r["email"] for r in self.rows("SELECT email FROM attendees WHERE event_id = ?", event["event_id"])]
        if not emails:
            return None
        return Draft(
            request=f"Who is invited to '{event['summary']}'? Give me their email addresses.",
            calls=(call("search_events", query=event["summary"]), call("get_event", event_id=event["event_id"])),
            answer=tuple(emails))

    @scenario
    def move_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        start = parse_time(event["start_time"], "start") + dt.timedelta(days=rng.choice([1, 2, 7]))
        length = parse_time(event["end_time"], "end") - parse_time(event["start_time"], "start")
        new_start = start.strftime(TIME_FORMAT)
        return Draft(
            request=f"Please move '{event['summary']}' to {new_start.replace('T', ' at ')}, same length as before.",
            calls=(call("search_events", query=event["summary"]),
                   call("update_event", event_id=event["event_id"], start_time=new_start,
                        end_time=(start + length).strftime(TIME_FORMAT))))

    @scenario
    def cancel_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        return Draft(request=rng.choice(["Cancel '{s}', it's not happening.", "Delete the event '{s}' from my calendar."]
                                        ).format(s=event["summary"]),
                     calls=(call("search_events", query=event["summary"]),
                            call("delete_event", event_id=event["event_id"])))

    @scenario
    def schedule_with_contact(self, rng: random.Random) -> Draft:
        contact = rng.choice(self.rows("SELECT * FROM contacts ORDER BY email"))
        calendar = rng.choice(self.rows("SELECT * FROM calendars ORDER BY calendar_id"))
        day = (self.start_time + dt.timedelta(days=rng.randrange(1, 14))).strftime("%Y-%m-%d")
        topic = rng.choice(TOPICS)
        return Draft(
            request=(f"Set up a 30-minute '{topic}' with {contact['name']} on {day} at the first free half hour"
                     f" of that day, in my {calendar['name']} calendar, and invite them."),
            calls=(call("find_contact", name=contact["name"]),
                   call("list_calendars"),
                   call("find_free_slots", date=day, duration_minutes=30),
                   call("create_event", summary=topic, start_time=Ref(2, "0"),
                        end_time=Ref(2, "0", then=later(30)), calendar_id=calendar["calendar_id"],
                        attendees=[contact["email"]])))

    @scenario
    def invite_to_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        contact = rng.choice(self.rows("SELECT * FROM contacts WHERE email NOT IN"
                                       " (SELECT email FROM attendees WHERE event_id = ?) ORDER BY email",
                                       event["event_id"]))
        return Draft(
            request=f"Add {contact['name']} to the invite list of '{event['summary']}'.",
            calls=(call("find_contact", name=contact["name"]), call("search_events", query=event["summary"]),
                   call("add_attendees", event_id=event["event_id"], emails=[contact["email"]])))

    @scenario
    def relocate_event(self, rng: random.Random) -> Draft:
        event = self._some_event(rng)
        place = rng.choice([p for p in PLACES if p != event["location"]])
        return Draft(
            request=f"Move '{event['summary']}' to {place}. Keep the time.",
            calls=(call("search_events", query=event["summary"]),
                   call("update_event", event_id=event["event_id"], location=place)))

    @scenario
    def book_on_asked_day(self, rng: random.Random) -> Draft:
        day = (self.start_time + dt.timedelta(days=rng.randrange(1, 14))).strftime("%Y-%m-%d")
        topic = rng.choice(TOPICS)
        minutes = rng.choice([30, 60])
        return Draft(
            request=f"I need a {minutes}-minute '{topic}' block at the earliest free time on a day I'll tell you.",
            calls=(call("find_free_slots", date=day, duration_minutes=minutes),
                   call("create_event", summary=topic, start_time=Ref(0, "0"), end_time=Ref(0, "0", then=later(minutes)))),
            ask=(UserFact("day", day, ("day", "date", "when")),))

    @scenario
    def busiest_calendar_day(self, rng: random.Random) -> Draft:
        calendar = rng.choice(self.rows("SELECT * FROM calendars ORDER BY calendar_id"))
        day = (self.start_time + dt.timedelta(days=rng.randrange(0, 14))).strftime("%Y-%m-%d")
        events = self.rows("SELECT summary FROM events WHERE calendar_id = ? AND start_time LIKE ?"
                           " ORDER BY start_time", calendar["calendar_id"], f"{day}%")
        if not events:
            return None
        return Draft(
            request=f"What's on my {calendar['name']} calendar on {day}? List the event titles.",
            calls=(call("list_calendars"),
                   call("list_events", calendar_id=calendar["calendar_id"], time_min=f"{day}T00:00",
                        time_max=f"{day}T23:59")),
            answer=tuple(e["summary"] for e in events))
