"""Behaviour of ZoomMeetingServer: meetings, plan limits, ended meetings, recordings and the trash, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "ZoomMeetingServer"


def host(world: Any, plan: str) -> str:
    return world.value("SELECT user_id FROM users WHERE plan = ? ORDER BY user_id", plan)


def meeting(world: Any, status: str, recurring: bool = False) -> dict[str, Any]:
    return world.row("SELECT * FROM meetings WHERE status = ? AND (recurrence IS NOT NULL) = ? ORDER BY meeting_id",
                     status, recurring)


def test_create_recurring_meeting_adds_its_occurrences(world: Any) -> None:
    user = host(world, "pro")
    created = world.call("create_meeting", {"user_id": user.upper(), "topic": " Growth retro ",
                                            "start_time": "2026-03-10T10:00", "duration": 45,
                                            "recurrence": "weekly", "end_times": 3, "password": "abc123"})
    row = world.row("SELECT * FROM meetings WHERE meeting_id = ?", created["meeting_id"])
    assert row["host_id"] == user and row["topic"] == "Growth retro" and row["type"] == "recurring"
    assert (row["start_time"], row["duration"], row["status"]) == ("2026-03-10T10:00:00", 45, "waiting")
    assert [o["start_time"] for o in created["occurrences"]] == [
        "2026-03-10T10:00:00", "2026-03-17T10:00:00", "2026-03-24T10:00:00"]
    assert created["join_url"] == f"https://us06web.zoom.us/j/{created['meeting_id']}?pwd=abc123"
    listed = world.call("list_meetings", {"user_id": user, "page_size": 300})["meetings"]
    assert created["meeting_id"] in [m["meeting_id"] for m in listed]


def test_plan_limit_past_start_and_schema_limits(env: Any, world: Any) -> None:
    basic = host(world, "basic")
    long_call = {"user_id": basic, "topic": "Long", "start_time": "2026-03-10T10:00", "duration": 60}
    assert fails(env, world, "create_meeting", long_call) == (
        f"{basic} is on the Basic plan, which limits meetings to 40 minutes; shorten the meeting or upgrade the plan")
    past = {**long_call, "duration": 30, "start_time": "2026-02-01T10:00"}
    assert fails(env, world, "create_meeting", past) == (
        "start_time 2026-02-01T10:00 is in the past; give a future date and time")
    assert fails(env, world, "create_meeting", {**long_call, "duration": 2000}) == (
        "invalid arguments for 'create_meeting': duration must be between 1 and 1800")
    assert fails(env, world, "list_meetings", {"user_id": "nobody@nowhere.io"}) == (
        "no Zoom user 'nobody@nowhere.io' on this account; give the host's email address")
    schema = world_set(ENV)(0).tools["create_meeting"][1]
    assert schema.parameters["properties"]["duration"]["maximum"] == 1800
    assert "user_id" in schema.user_known


def test_update_meeting_and_ended_meetings(env: Any, world: Any) -> None:
    upcoming = meeting(world, "waiting", recurring=True)
    before = world.rows("SELECT start_time FROM occurrences WHERE meeting_id = ? ORDER BY start_time",
                        upcoming["meeting_id"])
    day = upcoming["start_time"][:10]
    updated = world.call("update_meeting", {"meeting_id": upcoming["meeting_id"], "start_time": f"{day}T06:00",
                                            "waiting_room": False})
    assert updated["start_time"] == f"{day}T06:00:00" and updated["settings"]["waiting_room"] is False
    after = world.rows("SELECT start_time FROM occurrences WHERE meeting_id = ? ORDER BY start_time",
                       upcoming["meeting_id"])
    assert len(after) == len(before) and after[0]["start_time"] == f"{day}T06:00:00"
    ended = meeting(world, "ended")
    assert fails(env, world, "update_meeting", {"meeting_id": ended["meeting_id"], "topic": "New"}) == (
        f"meeting {ended['meeting_id']} has already ended and cannot be changed; schedule a new one")
    basic_meeting = world.row("SELECT m.* FROM meetings m JOIN users u ON u.user_id = m.host_id WHERE u.plan = 'basic'"
                              " AND m.status = 'waiting' ORDER BY meeting_id")
    assert fails(env, world, "update_meeting", {"meeting_id": basic_meeting["meeting_id"],
                                                "auto_recording": "cloud"}) == (
        f"cloud recording needs a Pro or Business plan; {basic_meeting['host_id']} is on Basic")


def test_delete_meeting_or_one_occurrence(env: Any, world: Any) -> None:
    recurring = meeting(world, "waiting", recurring=True)
    occurrence = world.value("SELECT occurrence_id FROM occurrences WHERE meeting_id = ? ORDER BY start_time",
                             recurring["meeting_id"])
    world.call("delete_meeting", {"meeting_id": recurring["meeting_id"], "occurrence_id": occurrence})
    assert world.value("SELECT status FROM occurrences WHERE occurrence_id = ?", occurrence) == "deleted"
    assert fails(env, world, "delete_meeting", {"meeting_id": recurring["meeting_id"], "occurrence_id": occurrence}) \
        .startswith(f"meeting {recurring['meeting_id']} has no occurrence '{occurrence}' left to cancel")
    result = world.call("delete_meeting", {"meeting_id": recurring["meeting_id"], "cancel_meeting_reminder": True})
    assert result["message"] == f"meeting {recurring['meeting_id']} deleted and the invitees were notified"
    assert world.row("SELECT 1 FROM meetings WHERE meeting_id = ?", recurring["meeting_id"]) is None
    assert world.row("SELECT 1 FROM occurrences WHERE meeting_id = ?", recurring["meeting_id"]) is None


def test_recording_trash_recover_and_permanent_delete(env: Any, world: Any) -> None:
    rec = world.row("SELECT * FROM recordings WHERE status = 'completed' ORDER BY meeting_id")
    files = world.call("get_recording", {"meeting_id": rec["meeting_id"]})
    assert files["total_size"] == sum(f["file_size"] for f in files["recording_files"])
    world.call("delete_recording", {"meeting_id": rec["meeting_id"]})
    assert world.value("SELECT status FROM recordings WHERE meeting_id = ?", rec["meeting_id"]) == "trashed"
    assert fails(env, world, "get_recording", {"meeting_id": rec["meeting_id"]}) == (
        f"the recording of meeting {rec['meeting_id']} is in the trash; recover_recording restores it")
    trash = world.call("list_recordings", {"user_id": rec["host_id"], "from_date": "2025-01-01", "trash": True})
    assert rec["meeting_id"] in [r["meeting_id"] for r in trash["recordings"]]
    assert fails(env, world, "delete_recording", {"meeting_id": rec["meeting_id"]}).startswith(
        f"the recording of meeting {rec['meeting_id']} is already in the trash")
    world.call("recover_recording", {"meeting_id": rec["meeting_id"]})
    assert world.value("SELECT status FROM recordings WHERE meeting_id = ?", rec["meeting_id"]) == "completed"
    world.call("delete_recording", {"meeting_id": rec["meeting_id"], "action": "delete"})
    assert world.row("SELECT 1 FROM recording_files WHERE meeting_id = ?", rec["meeting_id"]) is None


def test_recover_task_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = scenario_task(env, "recover_trashed")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    assert play(env, task.id, [*calls[:-1], ("delete_recording", {**calls[-1][1], "action": "delete"})]) == 0.0
