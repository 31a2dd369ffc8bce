"""Behaviour of the Calendar environment: write tools, exact errors, atomicity and rewards."""

from __future__ import annotations

from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from tests.envs.support import gold_calls, play, scenario_task

ENV = "Calendar"


def calendar_id(world: Any, name: str) -> str:
    return world.value("SELECT calendar_id FROM calendars WHERE name = ?", name)


def an_event_with_attendees(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM events WHERE event_id IN (SELECT event_id FROM attendees) ORDER BY event_id")


def test_move_event_to_calendar_changes_only_the_calendar(world: Any) -> None:
    event = world.row("SELECT * FROM events ORDER BY event_id")
    target = world.value("SELECT calendar_id FROM calendars WHERE calendar_id != ? ORDER BY name", event["calendar_id"])
    moved = world.call("move_event_to_calendar", {"event_id": event["event_id"], "calendar_id": target})
    after = world.row("SELECT * FROM events WHERE event_id = ?", event["event_id"])
    assert moved["calendar_id"] == after["calendar_id"] == target
    assert {k: v for k, v in after.items() if k != "calendar_id"} == {
        k: v for k, v in event.items() if k != "calendar_id"}


def test_move_event_to_calendar_errors_leave_state_unchanged(env: Any, world: Any) -> None:
    event = world.row("SELECT * FROM events ORDER BY event_id")
    before = env.state_digest()
    with pytest.raises(ToolError) as same:
        world.call("move_event_to_calendar", {"event_id": event["event_id"], "calendar_id": event["calendar_id"]})
    assert str(same.value) == f"event '{event['event_id']}' is already in calendar '{event['calendar_id']}'"
    with pytest.raises(ToolError) as unknown:
        world.call("move_event_to_calendar", {"event_id": event["event_id"], "calendar_id": "cal_nope"})
    assert str(unknown.value) == "no calendar with id 'cal_nope'; list_calendars shows the ids"
    assert env.state_digest() == before


def test_remove_attendees_withdraws_the_invitation(world: Any) -> None:
    event = an_event_with_attendees(world)
    emails = [r["email"] for r in world.rows("SELECT email FROM attendees WHERE event_id = ?", event["event_id"])]
    result = world.call("remove_attendees", {"event_id": event["event_id"], "emails": [emails[0].upper()]})
    assert [a["email"] for a in result["attendees"]] == sorted(emails[1:])
    assert world.row("SELECT 1 FROM attendees WHERE event_id = ? AND email = ?", event["event_id"], emails[0]) is None


def test_remove_attendees_of_someone_not_invited_is_refused_atomically(env: Any, world: Any) -> None:
    event = an_event_with_attendees(world)
    invited = world.value("SELECT email FROM attendees WHERE event_id = ?", event["event_id"])
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("remove_attendees", {"event_id": event["event_id"], "emails": [invited, "nobody@example.com"]})
    assert str(error.value) == (f"'nobody@example.com' is not invited to event '{event['event_id']}'; "
                                "get_event lists its attendees")
    assert env.state_digest() == before  # the first removal was rolled back


def test_create_event_stores_canonical_times_and_invites(world: Any) -> None:
    created = world.call("create_event", {"summary": " Planning ", "start_time": "2026-3-5T9:00",
                                          "end_time": "2026-03-05T09:30", "attendees": ["Ann.Lee@Example.com"]})
    row = world.row("SELECT * FROM events WHERE event_id = ?", created["event_id"])
    assert (row["summary"], row["start_time"], row["end_time"]) == ("Planning", "2026-03-05T09:00", "2026-03-05T09:30")
    assert row["calendar_id"] == world.value("SELECT calendar_id FROM calendars WHERE is_primary = 1")
    assert created["attendees"] == [{"email": "ann.lee@example.com", "response": "needsAction"}]
    listed = world.call("list_events", {"time_min": "2026-03-05T08:59", "time_max": "2026-03-05T09:01"})
    assert created["event_id"] in [e["event_id"] for e in listed]


def test_create_and_update_reject_bad_input(env: Any, world: Any) -> None:
    event = world.row("SELECT * FROM events ORDER BY event_id")
    before = env.state_digest()
    with pytest.raises(ToolError, match="^end_time must be after start_time$"):
        world.call("create_event", {"summary": "x", "start_time": "2026-03-05T10:00", "end_time": "2026-03-05T10:00"})
    with pytest.raises(ToolError, match=r"^start_time must look like 2026-03-05T14:30, got 'tomorrow'$"):
        world.call("update_event", {"event_id": event["event_id"], "start_time": "tomorrow"})
    with pytest.raises(ToolError) as blank:
        world.call("update_event", {"event_id": event["event_id"], "summary": "  "})
    assert str(blank.value) == "invalid arguments for 'update_event': summary must not be empty"
    with pytest.raises(ToolError) as unknown:
        world.call("delete_event", {"event_id": "evt_missing"})
    assert str(unknown.value) == "no event with id 'evt_missing'; search_events or list_events show the ids"
    assert env.state_digest() == before


def test_update_and_delete_event(world: Any) -> None:
    event = an_event_with_attendees(world)
    updated = world.call("update_event", {"event_id": event["event_id"], "location": "Room Z"})
    assert (updated["location"], updated["start_time"], updated["summary"]) == (
        "Room Z", event["start_time"], event["summary"])
    assert world.call("delete_event", {"event_id": event["event_id"]}) == {"deleted": event["event_id"]}
    assert world.row("SELECT 1 FROM events WHERE event_id = ?", event["event_id"]) is None
    assert world.row("SELECT 1 FROM attendees WHERE event_id = ?", event["event_id"]) is None


def test_list_events_by_attendee_and_unknown_calendar(world: Any) -> None:
    email = world.value("SELECT email FROM attendees ORDER BY email")
    expected = {r["event_id"] for r in world.rows("SELECT event_id FROM attendees WHERE email = ?", email)}
    found = world.call("list_events", {"attendee": email.upper(), "max_results": 100})
    assert {e["event_id"] for e in found} == expected
    with pytest.raises(ToolError, match="^no calendar with id 'cal_x'; list_calendars shows the ids$"):
        world.call("list_events", {"calendar_id": "cal_x"})


def test_search_treats_wildcards_literally(world: Any) -> None:
    assert world.call("search_events", {"query": "%"}) == []
    assert world.call("find_contact", {"name": "_"}) == []


def test_free_slots_skip_busy_times(world: Any) -> None:
    event = world.row("SELECT * FROM events ORDER BY event_id")
    day = event["start_time"][:10]
    slots = world.call("find_free_slots", {"date": day, "duration_minutes": 30})
    assert event["start_time"] not in slots
    assert slots == world.call("find_free_slots", {"date": day.replace("-0", "-"), "duration_minutes": 30})


def test_gold_path_earns_one_and_acting_on_another_event_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "change_event_calendar")
    assert play(env, task.id, gold_calls(task)) == 1.0
    moved = task.gold[-1]["arguments"]
    other = world.value("SELECT event_id FROM events WHERE event_id != ? AND calendar_id != ? ORDER BY event_id",
                        moved["event_id"], moved["calendar_id"])
    wrong = [("move_event_to_calendar", {"event_id": other, "calendar_id": moved["calendar_id"]})]
    assert play(env, task.id, wrong) == 0.0


def test_clear_day_needs_every_event_deleted(env: Any) -> None:
    task = scenario_task(env, "clear_day")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = scenario_task(env, "next_meeting_with")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It is " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, calls, answer="You have a meeting soon.") == 0.0


def test_limits_are_declared_in_the_schema_and_enforced(world: Any) -> None:
    parameters = world.tools["list_events"].parameters["properties"]
    assert (parameters["max_results"]["minimum"], parameters["max_results"]["maximum"]) == (1, 100)
    assert world.tools["find_free_slots"].parameters["properties"]["duration_minutes"]["maximum"] == 480
    with pytest.raises(ToolError) as error:
        world.call("list_events", {"max_results": 101})
    assert str(error.value) == "invalid arguments for 'list_events': max_results must be between 1 and 100"


def test_every_tool_declares_what_it_returns(world: Any) -> None:
    assert all(spec.output_schema is not None for spec in world.tools.values())
    assert world.tools["get_event"].output_schema["properties"]["attendees"]["type"] == "array"
