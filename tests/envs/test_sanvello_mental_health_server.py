"""Behaviour of SanvelloMentalHealthServer: daily check-ins, journeys unlocking in order, groups and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "SanvelloMentalHealthServer"


def member(world: Any, plan: str = "free") -> dict[str, Any]:
    return world.row("SELECT * FROM members WHERE plan = ? ORDER BY user_id", plan)


def journey(world: Any, premium: int, user_id: str) -> dict[str, Any]:
    return world.row("SELECT * FROM journeys WHERE premium = ? AND journey_id NOT IN"
                     " (SELECT journey_id FROM enrollments WHERE user_id = ?) ORDER BY title", premium, user_id)


def test_one_check_in_per_day(env: Any, world: Any) -> None:
    user = member(world)
    before = world.value("SELECT COUNT(*) FROM check_ins WHERE user_id = ?", user["user_id"])
    result = world.call("daily_check_in", {"user_id": user["user_id"], "mood_rating": 2,
                                           "feelings": ["anxious", "tired"], "notes": "Rough night"})
    row = world.row("SELECT * FROM check_ins WHERE check_in_id = ?", result["check_in_id"])
    assert (row["day"], row["mood_rating"], row["feelings"], row["notes"]) == (
        "2026-03-02", 2, '["anxious", "tired"]', "Rough night")
    assert world.value("SELECT COUNT(*) FROM check_ins WHERE user_id = ?", user["user_id"]) == before + 1
    assert result["recommended_tools"] and result["timestamp"] == "2026-03-02 09:00"
    again = fails(env, world, "daily_check_in", {"user_id": user["user_id"], "mood_rating": 4, "feelings": ["calm"]})
    assert again == (f"{user['user_id']} already checked in today at 09:00; only one check-in per day is allowed,"
                     " check in again tomorrow")


def test_mood_scale_is_in_the_schema(env: Any, world: Any) -> None:
    mood = world_set(ENV)(0).tools["daily_check_in"][1].parameters["properties"]["mood_rating"]
    assert (mood["minimum"], mood["maximum"]) == (1, 5)
    user = member(world)
    assert fails(env, world, "daily_check_in", {"user_id": user["user_id"], "mood_rating": 6, "feelings": ["calm"]}) \
        == "invalid arguments for 'daily_check_in': mood_rating must be between 1 and 5"


def test_journey_lessons_unlock_in_order(env: Any, world: Any) -> None:
    user = member(world)
    free = journey(world, 0, user["user_id"])
    started = world.call("start_journey", {"user_id": user["user_id"], "journey_id": free["journey_id"]})
    assert (started["current_step"], started["progress_percent"], started["next_activity"]["lesson_number"]) == (
        1, 0.0, 1)
    args = {"user_id": user["user_id"], "journey_id": free["journey_id"]}
    assert fails(env, world, "complete_lesson", {**args, "lesson_number": 3}) == (
        f"lesson 3 of '{free['title']}' is locked; finish lesson 1 first")
    done = world.call("complete_lesson", {**args, "lesson_number": 1})
    assert done["current_step"] == 2
    assert world.value("SELECT completed_lessons FROM enrollments WHERE enrollment_id = ?",
                       started["enrollment_id"]) == 1
    assert fails(env, world, "complete_lesson", {**args, "lesson_number": 1}) == (
        f"lesson 1 of '{free['title']}' is already completed; the next one is lesson 2")
    assert fails(env, world, "start_journey", args) == (
        f"{user['user_id']} has already started '{free['title']}'; complete_lesson continues an active journey")


def test_premium_journey_needs_premium(env: Any, world: Any) -> None:
    user = member(world)
    paid = journey(world, 1, user["user_id"])
    assert fails(env, world, "start_journey", {"user_id": user["user_id"], "journey_id": paid["journey_id"]}) == (
        f"'{paid['title']}' is a premium journey and {user['user_id']} is on the free plan; choose a free journey"
        " or upgrade to premium")


def test_group_join_and_leave(env: Any, world: Any) -> None:
    user = member(world)
    group = world.row("SELECT * FROM groups WHERE premium_only = 0 AND member_count < capacity AND group_id NOT IN"
                      " (SELECT group_id FROM memberships WHERE user_id = ?) ORDER BY topic", user["user_id"])
    joined = world.call("join_community_group", {"user_id": user["user_id"], "group_topic": group["topic"]})
    assert joined["member_count"] == group["member_count"] + 1 and len(joined["recent_discussions"]) == 3
    assert world.value("SELECT member_count FROM groups WHERE group_id = ?", group["group_id"]) == (
        group["member_count"] + 1)
    args = {"user_id": user["user_id"], "group_topic": group["topic"]}
    assert fails(env, world, "join_community_group", args) == (
        f"{user['user_id']} is already a member of {group['group_name']}")
    world.call("leave_community_group", args)
    assert world.value("SELECT COUNT(*) FROM memberships WHERE user_id = ? AND group_id = ?",
                       user["user_id"], group["group_id"]) == 0
    assert fails(env, world, "leave_community_group", args) == (
        f"{user['user_id']} is not a member of {group['group_name']}")
    full = world.row("SELECT * FROM groups WHERE member_count >= capacity AND premium_only = 0 ORDER BY topic")
    if full:
        assert fails(env, world, "join_community_group", {"user_id": user["user_id"], "group_topic": full["topic"]}) \
            == f"{full['group_name']} is full ({full['capacity']} members); try again when someone leaves"


def test_track_progress_over_a_range(env: Any, world: Any) -> None:
    user = member(world)
    report = world.call("track_progress", {"user_id": user["user_id"], "start_date": "2026-02-01",
                                           "end_date": "2026-02-14"})
    moods = [r["mood_rating"] for r in world.rows("SELECT mood_rating FROM check_ins WHERE user_id = ? AND day"
                                                  " BETWEEN '2026-02-01' AND '2026-02-14'", user["user_id"])]
    assert report["overview"]["check_ins"] == len(moods)
    assert report["overview"]["average_mood"] == (round(sum(moods) / len(moods), 2) if moods else None)
    assert fails(env, world, "track_progress", {"user_id": user["user_id"], "start_date": "2026-02-14",
                                                "end_date": "2026-02-01"}) == "start_date must not be after end_date"


def test_start_journey_task_gold_one_and_wrong_journey_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"] == ["get_guided_journeys", "start_journey"]
                and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    chosen = calls[-1][1]
    env.reset(options={"task_id": task.id})
    plan = world.value("SELECT plan FROM members WHERE user_id = ?", chosen["user_id"])
    other = world.value("SELECT journey_id FROM journeys WHERE journey_id != ? AND (premium = 0 OR ? = 'premium')"
                        " AND journey_id NOT IN (SELECT journey_id FROM enrollments WHERE user_id = ?)"
                        " ORDER BY title", chosen["journey_id"], plan, chosen["user_id"])
    assert play(env, task.id, [calls[0], ("start_journey", {**chosen, "journey_id": other})]) == 0.0
    assert play(env, task.id, []) == 0.0
