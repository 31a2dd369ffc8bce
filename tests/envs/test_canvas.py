"""Behaviour of the Canvas environment: grading, module publishing, assignment dates, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "Canvas"


def submission(world: Any, state: str, published: int = 1) -> dict[str, Any]:
    return world.row("SELECT s.*, a.course_id, a.points_possible, a.name FROM submissions s JOIN assignments a"
                     " USING (assignment_id) WHERE s.workflow_state = ? AND a.published = ?"
                     " ORDER BY s.assignment_id, s.user_id", state, published)


def test_grade_submission_sets_score_and_state(world: Any) -> None:
    sub = submission(world, "submitted")
    args = {"course_id": sub["course_id"], "assignment_id": sub["assignment_id"], "student_id": sub["user_id"]}
    result = world.call("grade_submission", {**args, "score": sub["points_possible"] - 1})
    assert (result["workflow_state"], result["score"], result["student_id"]) == (
        "graded", sub["points_possible"] - 1, sub["user_id"])
    row = world.row("SELECT * FROM submissions WHERE assignment_id = ? AND user_id = ?", sub["assignment_id"],
                    sub["user_id"])
    assert row == {**{k: sub[k] for k in row}, "workflow_state": "graded", "score": sub["points_possible"] - 1}


def test_grading_rules(env: Any, world: Any) -> None:
    sub = submission(world, "submitted")
    args = {"course_id": sub["course_id"], "assignment_id": sub["assignment_id"], "student_id": sub["user_id"]}
    assert fails(env, world, "grade_submission", {**args, "score": sub["points_possible"] + 1}) == (
        f"score {sub['points_possible'] + 1:g} exceeds the {sub['points_possible']:g} points possible of"
        f" '{sub['name']}'")
    assert fails(env, world, "grade_submission", {**args, "student_id": "1", "score": 1}) == (
        f"student '1' is not enrolled in course '{sub['course_id']}'; get_students_in_course lists them")
    hidden = submission(world, "unsubmitted", published=0)
    assert fails(env, world, "grade_submission", {"course_id": hidden["course_id"], "student_id": hidden["user_id"],
                                                  "assignment_id": hidden["assignment_id"], "score": 1}) == (
        f"assignment '{hidden['name']}' is unpublished; publish it before grading")
    assert fails(env, world, "get_modules", {"course_id": "0"}) == (
        "no course with id '0' among your courses; get_courses lists them")


def test_publish_module_once(env: Any, world: Any) -> None:
    module = world.row("SELECT * FROM modules WHERE published = 0 ORDER BY module_id")
    args = {"course_id": module["course_id"], "module_id": module["module_id"]}
    assert world.call("publish_module", args)["published"] is True
    assert world.value("SELECT published FROM modules WHERE module_id = ?", module["module_id"]) == 1
    assert fails(env, world, "publish_module", args) == f"module '{module['module_id']}' is already published"


def test_assignment_dates_and_lock_rule(env: Any, world: Any) -> None:
    work = world.row("SELECT * FROM assignments WHERE lock_at IS NOT NULL ORDER BY assignment_id")
    args = {"course_id": work["course_id"], "assignment_id": work["assignment_id"]}
    assert fails(env, world, "update_assignment_dates", {**args, "due_at": "2026-04-10T23:59",
                                                         "lock_at": "2026-04-09T23:59"}) == (
        "lock_at 2026-04-09T23:59:00Z is before due_at 2026-04-10T23:59:00Z; students could never submit on time")
    result = world.call("update_assignment_dates", {**args, "due_at": "2026-04-10T23:59",
                                                    "lock_at": "2026-04-12T23:59:00Z"})
    assert (result["due_at"], result["lock_at"]) == ("2026-04-10T23:59:00Z", "2026-04-12T23:59:00Z")
    upcoming = world.call("get_course_assignments", {"course_id": work["course_id"], "bucket": "future"})
    assert work["assignment_id"] in [a["assignment_id"] for a in upcoming["assignments"]]


def test_course_name_search_and_schema_limits(env: Any, world: Any) -> None:
    course = world.row("SELECT * FROM courses ORDER BY course_id")
    found = world.call("get_assignments_by_course_name", {"course_name": course["course_name"].upper()})
    assert found["course_id"] == course["course_id"]
    assert fails(env, world, "get_assignments_by_course_name", {"course_name": "Underwater Basketry"}) == (
        "'Underwater Basketry' matches 0 courses; give more of the name or use get_courses")
    score = world.tools["grade_submission"].parameters["properties"]["score"]
    assert score["minimum"] == 0
    assert world.tools["get_course_assignments"].parameters["properties"]["bucket"]["enum"][0] == "past"


def test_grade_task_gold_earns_one_and_another_score_zero(env: Any) -> None:
    task = scenario_task(env, "grade_a_submission")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "score": arguments["score"] - 1})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = scenario_task(env, "score_of_student")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="The score is " + ", ".join(map(str, task.answer_facts))) == 1.0
    assert play(env, task.id, calls, answer="They did fine.") == 0.0


def test_a_world_that_draws_one_sis_id_twice_gives_each_student_their_own() -> None:
    # seed 279 draws one SIS id for two students; populate used to fail on the unique column
    world = world_set(ENV)(279).worlds[ENV]
    assert world.value("SELECT COUNT(DISTINCT sis_user_id) FROM users") == 140
