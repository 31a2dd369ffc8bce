"""Behaviour of the MeditationServer environment: one session in progress, completion after start, premium
content, streaks and stats, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "MeditationServer"


def member(world: Any, plan: str = "premium") -> str:
    return world.value("SELECT user_id FROM members WHERE plan = ? ORDER BY user_id", plan)


def free_meditation(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM meditations WHERE premium = 0 ORDER BY meditation_id")


def test_start_then_complete_updates_stats(env: Any, world: Any) -> None:
    user, med = member(world), free_meditation(world)
    before = world.call("get_meditation_stats", {"user_id": user})
    started = world.call("start_meditation_session", {"meditation_id": med["meditation_id"], "user_id": user})
    row = world.row("SELECT * FROM sessions WHERE session_id = ?", started["session_id"])
    assert (row["status"], row["started_at"]) == ("in_progress", "2026-03-02T09:00")
    done = world.call("log_meditation_completion", {"session_id": started["session_id"], "completion_percent": 100,
                                                    "notes": "calmer"})
    assert done["counted"] and done["stats_updated"]["total_sessions"] == before["total_sessions"] + 1
    after = world.call("get_meditation_stats", {"user_id": user})
    assert after["total_minutes"] == before["total_minutes"] + med["duration"]
    assert after["current_streak"] >= 1
    assert fails(env, world, "log_meditation_completion", {"session_id": started["session_id"],
                                                           "completion_percent": 50}) == (
        f"session '{started['session_id']}' is completed; only a session in progress can be completed")


def test_one_session_in_progress_and_premium_rules(env: Any, world: Any) -> None:
    user, med = member(world), free_meditation(world)
    started = world.call("start_meditation_session", {"meditation_id": med["meditation_id"], "user_id": user})
    assert fails(env, world, "start_meditation_session", {"meditation_id": med["meditation_id"], "user_id": user}) == (
        f"'{user}' already has session '{started['session_id']}' in progress; complete or abandon it first")
    assert world.call("abandon_meditation_session", {"session_id": started["session_id"]})["status"] == "abandoned"
    assert fails(env, world, "abandon_meditation_session", {"session_id": started["session_id"]}) == (
        f"session '{started['session_id']}' is abandoned; only a session in progress can be abandoned")
    premium = world.row("SELECT * FROM meditations WHERE premium = 1 ORDER BY meditation_id")
    free_user = member(world, "free")
    assert fails(env, world, "start_meditation_session", {"meditation_id": premium["meditation_id"],
                                                          "user_id": free_user}) == (
        f"'{premium['title']}' is premium content and '{free_user}' is on the free plan")


def test_low_completion_does_not_count(world: Any) -> None:
    user, med = member(world), free_meditation(world)
    before = world.call("get_meditation_stats", {"user_id": user})["total_sessions"]
    started = world.call("start_meditation_session", {"meditation_id": med["meditation_id"], "user_id": user})
    done = world.call("log_meditation_completion", {"session_id": started["session_id"], "completion_percent": 30})
    assert not done["counted"] and done["stats_updated"]["total_sessions"] == before


def test_daily_pick_and_library_filters(world: Any) -> None:
    user = member(world)
    pick = world.call("get_daily_meditation", {"user_id": user, "mood": "anxious"})
    assert pick["date"] == "2026-03-02" and pick["recommended_for"] == "anxious"
    assert world.value("SELECT category FROM meditations WHERE meditation_id = ?", pick["meditation_id"]) == "anxiety"
    short = world.call("get_meditation_library", {"category": "focus", "duration": 10})["meditations"]
    assert all(m["category"] == "focus" and m["duration"] <= 10 for m in short)
    assert all(e["goal"] == "sleep" for e in world.call("get_breathing_exercises", {"goal": "sleep"})["exercises"])


def test_schema_shows_limits() -> None:
    tools = world_set(ENV)(0).tools
    percent = tools["log_meditation_completion"][1].parameters["properties"]["completion_percent"]
    assert (percent["minimum"], percent["maximum"]) == (0, 100)
    assert tools["get_meditation_stats"][1].parameters["properties"]["period"]["enum"] == ["week", "month", "all"]


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "log_meditation_completion" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    wrong = {**arguments, "completion_percent": 100 - arguments["completion_percent"] / 2}
    assert play(env, task.id, [*calls[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0
