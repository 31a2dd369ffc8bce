"""Task templates of Calendar: requests a user of a calendar app makes, with their gold calls."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.office.calendar import PLACES, TIME_FORMAT, TOPICS, Calendar, parse_time


def later(minutes: int = 0, days: int = 0) -> Any:
    """A transform adding minutes and days to a YYYY-MM-DDTHH:MM time (for Ref)."""
    return lambda value: (parse_time(value, "time") + dt.timedelta(days=days, minutes=minutes)).strftime(TIME_FORMAT)


def emails_of(attendees: list[dict[str, Any]]) -> list[str]:
    """A transform from get_event's attendee list to its email addresses (for Ref)."""
    return [a["email"] for a in attendees]


def calendar_named(name: str) -> Any:
    """A transform picking the id of the calendar called ``name`` from list_calendars (for Ref)."""
    return lambda calendars: next(c["calendar_id"] for c in calendars if c["name"] == name)


def minutes_between(start: str, end: str) -> int:
    return int((parse_time(end, "end_time") - parse_time(start, "start_time")).total_seconds() // 60)


def some_event(world: Calendar, rng: random.Random, with_attendees: bool = False) -> dict[str, Any]:
    """An event whose title is unique, so a request naming it is unambiguous."""
    events = world.rows("SELECT * FROM events WHERE summary IN"
                       " (SELECT summary FROM events GROUP BY summary HAVING COUNT(*) = 1)"
                       " AND (?1 = 0 OR event_id IN (SELECT event_id FROM attendees)) ORDER BY event_id",
                       int(with_attendees))
    return rng.choice(events)


def some_contact(world: Calendar, rng: random.Random, sql: str = "SELECT * FROM contacts",
                  *params: Any) -> dict[str, Any] | None:
    """A contact (among the rows of ``sql``) whose full name finds nobody else, or None."""
    contacts = [c for c in world.rows(sql + " ORDER BY email", *params) if len(world.find_contact(c["name"])) == 1]
    return rng.choice(contacts) if contacts else None


def day_after(world: Calendar, offset: int) -> str:
    """The date ``offset`` days after the start of the episode clock, YYYY-MM-DD."""
    return (world.start_time + dt.timedelta(days=offset)).strftime("%Y-%m-%d")


def some_day(world: Calendar, rng: random.Random, first: int = 1, last: int = 14) -> str:
    return day_after(world, rng.randrange(first, last))


def calendar_name(world: Calendar, calendar_id: str) -> str:
    return world.value("SELECT name FROM calendars WHERE calendar_id = ?", calendar_id)


def other_calendar(world: Calendar, rng: random.Random, event: dict[str, Any]) -> str:
    """The name of a calendar the event is not in."""
    return rng.choice(world.rows("SELECT name FROM calendars WHERE calendar_id != ? ORDER BY name",
                                event["calendar_id"]))["name"]

def on_its_day(event: dict[str, Any], *rest: Any) -> tuple[Any, ...]:
    """An alternative path (``Draft.alternatives``): find the event among the events of its day (list_events)
    instead of searching its title, then make the same calls."""
    day = event["start_time"][:10]
    next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    return (call("list_events", time_min=f"{day}T00:00", time_max=f"{next_day}T00:00", max_results=100), *rest)


def guest_calls(tool_name: str, event: dict[str, Any], contact: dict[str, Any]) -> tuple[Any, ...]:
    """Look the contact and the event up, then add them to or remove them from its guest list."""
    return (call("find_contact", name=contact["name"]), call("search_events", query=event["summary"]),
            call(tool_name, event_id=Ref(1, "0.event_id"), emails=[Ref(0, "0.email")]))


def invite_draft(world: Calendar, rng: random.Random, asked: bool) -> Draft | None:
    """Invite a contact to an event they are not on yet: named in the request, or told only when asked."""
    event = some_event(world, rng)
    contact = some_contact(world, rng, "SELECT * FROM contacts WHERE email NOT IN"
                                      " (SELECT email FROM attendees WHERE event_id = ?)", event["event_id"])
    if contact is None:
        return None
    calls = guest_calls("add_attendees", event, contact)
    if asked:
        return Draft(
            request=f"Please add a colleague of mine to '{event['summary']}'. I'll tell you who.", calls=calls,
            ask=(UserFact("colleague's name", contact["name"], ("name", "who", "colleague")),))
    return Draft(request=f"Add {contact['name']} to the invite list of '{event['summary']}'.", calls=calls)


@scenario

def when_is_event(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    return Draft(
        request=rng.choice(["When is my '{s}' meeting, and where?", "I forgot when '{s}' is. Time and place?"]
                           ).format(s=event["summary"]),
        calls=(call("search_events", query=event["summary"]),),
        answer=(event["start_time"], event["location"]),
        alternatives=(on_its_day(event),))


@scenario

def who_attends(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng, with_attendees=True)
    emails = [r["email"] for r in world.rows("SELECT email FROM attendees WHERE event_id = ?", event["event_id"])]
    return Draft(
        request=f"Who is invited to '{event['summary']}'? Give me their email addresses.",
        calls=(call("search_events", query=event["summary"]), call("get_event", event_id=event["event_id"])),
        answer=tuple(emails))


@scenario

def move_event(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    new_start = later(days=rng.choice([1, 2, 7]))(event["start_time"])
    length = minutes_between(event["start_time"], event["end_time"])
    update = call("update_event", event_id=event["event_id"], start_time=new_start, end_time=later(length)(new_start))
    return Draft(
        request=f"Please move '{event['summary']}' to {new_start.replace('T', ' at ')}, same length as before.",
        calls=(call("search_events", query=event["summary"]), update),
        alternatives=(on_its_day(event, update),))


@scenario

def cancel_event(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    delete = call("delete_event", event_id=event["event_id"])
    return Draft(
        request=rng.choice(["Cancel '{s}', it's not happening.", "Delete the event '{s}' from my calendar."]
                           ).format(s=event["summary"]),
        calls=(call("search_events", query=event["summary"]), delete),
        alternatives=(on_its_day(event, delete),))


@scenario

def schedule_with_contact(world: Calendar, rng: random.Random) -> Draft | None:
    contact = some_contact(world, rng)
    calendar = rng.choice(world.rows("SELECT * FROM calendars ORDER BY calendar_id"))
    day = some_day(world, rng)
    if contact is None or not world.find_free_slots(day, 30):
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

def invite_to_event(world: Calendar, rng: random.Random) -> Draft | None:
    return invite_draft(world, rng, asked=False)


@scenario

def relocate_event(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    place = rng.choice([p for p in PLACES if p != event["location"]])
    update = call("update_event", event_id=event["event_id"], location=place)
    return Draft(
        request=f"Move '{event['summary']}' to {place}. Keep the time.",
        calls=(call("search_events", query=event["summary"]), update),
        alternatives=(on_its_day(event, update),))


@scenario

def book_on_asked_day(world: Calendar, rng: random.Random) -> Draft | None:
    day = some_day(world, rng)
    topic = rng.choice(TOPICS)
    minutes = rng.choice([30, 60])
    if not world.find_free_slots(day, minutes):
        return None
    return Draft(
        request=f"I need a {minutes}-minute '{topic}' block at the earliest free time on a day I'll tell you.",
        calls=(call("find_free_slots", date=day, duration_minutes=minutes),
               call("create_event", summary=topic, start_time=Ref(0, "0"),
                    end_time=Ref(0, "0", then=later(minutes)))),
        ask=(UserFact("day", day, ("day", "date", "when")),))


@scenario

def day_agenda(world: Calendar, rng: random.Random) -> Draft | None:
    calendar = rng.choice(world.rows("SELECT * FROM calendars ORDER BY calendar_id"))
    day = some_day(world, rng, first=0)
    events = world.rows("SELECT summary FROM events WHERE calendar_id = ? AND start_time LIKE ?"
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

def reschedule_meeting_with_contact(world: Calendar, rng: random.Random) -> Draft | None:
    """Find the one meeting with a contact on a day and move it to the first free slot of another day."""
    pairs = world.rows("SELECT a.email, substr(e.start_time, 1, 10) AS day FROM attendees a JOIN events e"
                      " USING (event_id) GROUP BY a.email, day HAVING COUNT(*) = 1 ORDER BY a.email, day")
    rng.shuffle(pairs)
    for pair in pairs:
        contact = some_contact(world, rng, "SELECT * FROM contacts WHERE email = ?", pair["email"])
        event = world.row("SELECT e.* FROM events e JOIN attendees a USING (event_id)"
                         " WHERE a.email = ? AND e.start_time LIKE ?", pair["email"], f"{pair['day']}%")
        new_day = later(days=rng.choice([1, 2, 3]))(f"{pair['day']}T00:00")[:10]
        minutes = minutes_between(event["start_time"], event["end_time"])
        if contact is None or not world.find_free_slots(new_day, minutes):
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

def push_to_free_slot(world: Calendar, rng: random.Random) -> Draft | None:
    event = some_event(world, rng)
    day = some_day(world, rng)
    minutes = minutes_between(event["start_time"], event["end_time"])
    if event["start_time"].startswith(day) or not world.find_free_slots(day, minutes):
        return None
    return Draft(
        request=f"'{event['summary']}' can't happen as planned. Move it to the earliest free slot on {day}, "
                f"keeping its length.",
        calls=(call("search_events", query=event["summary"]),
               call("find_free_slots", date=day, duration_minutes=minutes),
               call("update_event", event_id=Ref(0, "0.event_id"), start_time=Ref(1, "0"),
                    end_time=Ref(1, "0", then=later(minutes)))))


@scenario

def copy_event_to_calendar(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    target = other_calendar(world, rng, event)
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

def change_event_calendar(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng)
    target = other_calendar(world, rng, event)
    return Draft(
        request=rng.choice(["'{s}' is in the wrong calendar; it belongs in my {c} calendar. Please move it.",
                            "Move the event '{s}' over to my {c} calendar."]).format(s=event["summary"], c=target),
        calls=(call("search_events", query=event["summary"]),
               call("list_calendars"),
               call("move_event_to_calendar", event_id=Ref(0, "0.event_id"),
                    calendar_id=Ref(1, then=calendar_named(target)))))


@scenario

def clear_day(world: Calendar, rng: random.Random) -> Draft | None:
    busy = world.rows("SELECT calendar_id, substr(start_time, 1, 10) AS day, COUNT(*) AS n FROM events"
                     " WHERE start_time >= ? AND start_time < ? GROUP BY calendar_id, day"
                     " ORDER BY calendar_id, day", day_after(world, 1), day_after(world, 14))
    if not busy:
        return None
    chosen = rng.choice(busy)
    calendar, day = calendar_name(world, chosen["calendar_id"]), chosen["day"]
    return Draft(
        request=rng.choice(["Clear my {c} calendar on {d}: everything in it that day is off.",
                            "I'm taking {d} off. Delete every event of my {c} calendar on that day."]
                           ).format(c=calendar, d=day),
        calls=(call("list_calendars"),
               call("list_events", calendar_id=Ref(0, then=calendar_named(calendar)),
                    time_min=f"{day}T00:00", time_max=f"{day}T23:59"),
               *(call("delete_event", event_id=Ref(1, f"{i}.event_id")) for i in range(chosen["n"]))))


@scenario

def remove_guest(world: Calendar, rng: random.Random) -> Draft | None:
    event = some_event(world, rng, with_attendees=True)
    contact = some_contact(world, rng, "SELECT * FROM contacts WHERE email IN"
                                      " (SELECT email FROM attendees WHERE event_id = ?)", event["event_id"])
    if contact is None:
        return None
    return Draft(
        request=rng.choice(["Take {n} off the guest list of '{s}'.", "{n} no longer needs to come to '{s}'; "
                            "remove them from the invite."]).format(n=contact["name"], s=event["summary"]),
        calls=guest_calls("remove_attendees", event, contact))


@scenario

def follow_up_meeting(world: Calendar, rng: random.Random) -> Draft:
    event = some_event(world, rng, with_attendees=True)
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

def invite_asked_colleague(world: Calendar, rng: random.Random) -> Draft | None:
    return invite_draft(world, rng, asked=True)


@scenario

def next_meeting_with(world: Calendar, rng: random.Random) -> Draft | None:
    now = world.start_time.strftime(TIME_FORMAT)
    contact = some_contact(world, rng, "SELECT * FROM contacts WHERE email IN (SELECT email FROM attendees)")
    if contact is None:
        return None
    upcoming = world.list_events(time_min=now, attendee=contact["email"], max_results=1)
    if not upcoming:
        return None
    event = world.get_event(upcoming[0]["event_id"])
    others = [a["email"] for a in event["attendees"] if a["email"] != contact["email"]]
    if not others:
        return None
    return Draft(
        request=f"When is my next meeting with {contact['name']}, what is it, and who else is invited?",
        calls=(call("find_contact", name=contact["name"]),
               call("list_events", attendee=Ref(0, "0.email"), time_min=now, max_results=5),
               call("get_event", event_id=Ref(1, "0.event_id"))),
        answer=(event["summary"], event["start_time"], *others))
