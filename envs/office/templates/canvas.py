"""Task templates of Canvas: a teacher grading, chasing missing work and checking a course."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.office.canvas import Canvas


def pick(world: Canvas, rng: random.Random, sql: str, *params: Any) -> dict[str, Any] | None:
    rows = world.rows(sql, *params)
    return rng.choice(rows) if rows else None


def student_id_of(name: str) -> Any:
    return lambda students: next(s["student_id"] for s in students if s["name"] == name)


def assignment_id_of(name: str) -> Any:
    return lambda assignments: next(a["assignment_id"] for a in assignments if a["name"] == name)


UNIQUE_STUDENT = ("SELECT s.*, a.name AS work, a.points_possible, c.course_name, u.name AS student FROM submissions s"
                  " JOIN assignments a USING (assignment_id) JOIN courses c USING (course_id)"
                  " JOIN users u ON u.user_id = s.user_id WHERE a.published = 1 AND s.workflow_state = ?"
                  " AND (SELECT COUNT(*) FROM users v WHERE v.name = u.name) = 1"
                  " ORDER BY s.assignment_id, s.user_id")


def grade_calls(row: dict[str, Any], score: float) -> tuple[Any, ...]:
    return (call("get_assignments_by_course_name", course_name=row["course_name"]),
            call("get_students_in_course", course_id=Ref(0, "course_id")),
            call("grade_submission", course_id=Ref(0, "course_id"),
                 assignment_id=Ref(0, "assignments", then=assignment_id_of(row["work"])),
                 student_id=Ref(1, "students", then=student_id_of(row["student"])), score=score))


@scenario
def grade_a_submission(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, UNIQUE_STUDENT, "submitted")
    if row is None:
        return None
    score = float(rng.randrange(int(row["points_possible"] * 0.5), int(row["points_possible"]) + 1))
    return Draft(request=rng.choice([
        "I just finished marking {s}'s {w} in {c}: {p:g} points. Please enter it.",
        "Record {p:g} points for {s} on {w} ({c}).",
        "Grade {s}'s {w} submission in my {c} course with {p:g} points, please."]).format(
            s=row["student"], w=row["work"], c=row["course_name"], p=score), calls=grade_calls(row, score))


@scenario
def zero_for_missing_work(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, UNIQUE_STUDENT + "", "unsubmitted")
    if row is None:
        return None
    return Draft(request=f"{row['student']} never turned in {row['work']} for {row['course_name']}."
                         " Give them a zero on it.", calls=grade_calls(row, 0.0))


@scenario
def regrade_asked(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, UNIQUE_STUDENT, "graded")
    if row is None or row["score"] >= row["points_possible"]:
        return None
    score = float(min(row["points_possible"], int(row["score"]) + rng.choice([2, 3, 5])))
    return Draft(request=f"After a regrade request I'm raising one student's score on {row['work']} in"
                         f" {row['course_name']} to {score:g} points. I'll tell you who.",
                 calls=grade_calls(row, score),
                 ask=(UserFact("student's name", row["student"], ("who", "student", "name")),))


@scenario
def score_of_student(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, UNIQUE_STUDENT, "graded")
    if row is None:
        return None
    return Draft(request=f"What score did {row['student']} get on {row['work']} in {row['course_name']}?",
                 calls=(call("get_assignments_by_course_name", course_name=row["course_name"]),
                        call("get_students_in_course", course_id=Ref(0, "course_id")),
                        call("get_submission_status", course_id=Ref(0, "course_id"),
                             assignment_id=Ref(0, "assignments", then=assignment_id_of(row["work"])),
                             student_id=Ref(1, "students", then=student_id_of(row["student"])))),
                 answer=(row["score"],))


@scenario
def push_deadline(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, "SELECT a.*, c.course_name FROM assignments a JOIN courses c USING (course_id)"
                           " WHERE a.due_at >= '2026-03-02' ORDER BY a.assignment_id")
    if row is None:
        return None
    days = rng.choice([2, 3, 7])
    day = int(row["due_at"][8:10]) + days
    month = int(row["due_at"][5:7])
    if day > 28:
        day, month = day - 28, month + 1
    due = f"2026-{month:02d}-{day:02d}T23:59"
    lock = f"2026-{month:02d}-{day:02d}T23:59" if row["lock_at"] else None
    extra = {"lock_at": lock} if lock else {}
    return Draft(request=f"Give my {row['course_name']} class more time on {row['name']}: due {due.replace('T', ' at ')}"
                         + (", and lock it at the same time." if lock else "."),
                 calls=(call("get_assignments_by_course_name", course_name=row["course_name"]),
                        call("update_assignment_dates", course_id=row["course_id"],
                             assignment_id=Ref(0, "assignments", then=assignment_id_of(row["name"])),
                             due_at=due, **extra)))


@scenario
def publish_next_module(world: Canvas, rng: random.Random) -> Draft | None:
    row = pick(world, rng, "SELECT m.*, c.course_name FROM modules m JOIN courses c USING (course_id)"
                           " WHERE m.published = 0 ORDER BY m.module_id")
    if row is None:
        return None
    return Draft(request=f"Publish the '{row['name']}' module of {row['course_name']} so my students can see it.",
                 calls=(call("get_courses"), call("get_modules", course_id=row["course_id"]),
                        call("publish_module", course_id=row["course_id"], module_id=row["module_id"])))
