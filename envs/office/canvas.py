"""Canvas: the Canvas LMS as a teacher sees it: courses, modules and their items, files, assignments with due and
lock dates, enrolled students, and submissions to grade."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique

STAMP = "%Y-%m-%dT%H:%M:%SZ"
SUBJECTS = [("BIO", "Cell Biology"), ("CHEM", "Organic Chemistry"), ("HIST", "Modern European History"),
            ("CS", "Data Structures"), ("MATH", "Linear Algebra"), ("ECON", "Intermediate Microeconomics"),
            ("PSY", "Cognitive Psychology")]
WORK = ["Problem Set", "Lab Report", "Reading Response", "Quiz", "Essay", "Project Milestone", "Midterm Review"]
SUBMISSION_TYPES = ["online_upload", "online_text_entry", "online_quiz", "on_paper"]
FILE_KINDS = {"pdf": "application/pdf", "pptx": "application/vnd.ms-powerpoint", "docx": "application/msword",
              "csv": "text/csv"}
UNITS = ["Foundations", "Core Concepts", "Methods and Tools", "Case Studies", "Applications", "Review and Synthesis"]
FILE_TOPICS = ["syllabus", "lecture-notes", "slides", "reading", "worksheet", "rubric", "dataset", "solutions"]
Bucket = Literal["past", "upcoming", "future", "undated", "ungraded", "unsubmitted"]
Stamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z?$")]

Course = TypedDict("Course", {"course_id": str, "name": str, "course_code": str, "term": str, "workflow_state": str,
                              "total_students": int})
Courses = TypedDict("Courses", {"courses": list[Course]})
Module = TypedDict("Module", {"module_id": str, "name": str, "position": int, "published": bool, "unlock_at": str | None,
                              "items_count": int})
Modules = TypedDict("Modules", {"modules": list[Module]})
Item = TypedDict("Item", {"item_id": str, "title": str, "type": str, "content_id": str | None, "position": int})
Items = TypedDict("Items", {"items": list[Item]})
FileInfo = TypedDict("FileInfo", {"file_id": str, "display_name": str, "size": int, "content_type": str})
FileUrl = TypedDict("FileUrl", {"file_id": str, "display_name": str, "size": int, "content_type": str,
                                "download_url": str})
Assignment = TypedDict("Assignment", {"assignment_id": str, "name": str, "due_at": str | None, "lock_at": str | None,
                                      "points_possible": float, "submission_types": str, "published": bool,
                                      "needs_grading_count": int})
Assignments = TypedDict("Assignments", {"course_id": str, "assignments": list[Assignment]})
Student = TypedDict("Student", {"student_id": str, "name": str, "sortable_name": str, "email": str, "sis_user_id": str})
Students = TypedDict("Students", {"students": list[Student]})
Submission = TypedDict("Submission", {"student_id": str, "student_name": str, "workflow_state": str,
                                      "submitted_at": str | None, "late": bool, "score": float | None})
Submissions = TypedDict("Submissions", {"assignment_id": str, "points_possible": float,
                                        "submissions": list[Submission]})


def stamp(at: dt.datetime) -> str:
    return at.strftime(STAMP)


def canonical(value: str) -> str:
    """'2026-03-10T23:59' or '2026-03-10T23:59:00Z' -> the stored '2026-03-10T23:59:00Z'."""
    return value.rstrip("Z") + ("Z" if value.count(":") == 2 else ":00Z")


#: An Assignment's fields as _assignments selects them (published as stored), of the table or alias {a} (an
#: UPDATE's RETURNING names the table itself).
ASSIGNMENT_FIELDS = ("{a}.assignment_id, {a}.name, {a}.due_at, {a}.lock_at, {a}.points_possible, {a}.submission_types,"
                     " {a}.published, (SELECT COUNT(*) FROM submissions s WHERE s.assignment_id = {a}.assignment_id"
                     " AND s.workflow_state = 'submitted') AS needs_grading_count")
ASSIGNMENT_COLUMNS = ASSIGNMENT_FIELDS.format(a="a")


#: A Module's fields as get_modules selects them (published as stored), of the table or alias {m}.
MODULE_FIELDS = ("{m}.module_id, {m}.name, {m}.position, {m}.published, {m}.unlock_at, (SELECT COUNT(*) FROM"
                 " module_items i WHERE i.module_id = {m}.module_id) AS items_count")
MODULE_COLUMNS = MODULE_FIELDS.format(m="m")


class Canvas(World):
    """The Canvas LMS account of a teacher: the courses they teach, each with modules (ordered items: files,
    assignments, pages), course files, assignments (due and lock dates in UTC, 'YYYY-MM-DDTHH:MM:SSZ'), enrolled
    students and their submissions (unsubmitted, submitted, graded)."""

    domain = "Office"
    schema = """
    CREATE TABLE courses (course_id TEXT PRIMARY KEY, course_name TEXT NOT NULL, course_code TEXT NOT NULL UNIQUE,
                          term TEXT NOT NULL, workflow_state TEXT NOT NULL);
    CREATE TABLE users (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, sortable_name TEXT NOT NULL,
                        email TEXT NOT NULL UNIQUE, sis_user_id TEXT NOT NULL UNIQUE);
    CREATE TABLE enrollments (course_id TEXT NOT NULL REFERENCES courses, user_id TEXT NOT NULL REFERENCES users,
                              role TEXT NOT NULL, PRIMARY KEY (course_id, user_id));
    CREATE TABLE modules (module_id TEXT PRIMARY KEY, course_id TEXT NOT NULL REFERENCES courses,
                          name TEXT NOT NULL, position INTEGER NOT NULL, published INTEGER NOT NULL,
                          unlock_at TEXT);
    CREATE TABLE module_items (item_id TEXT PRIMARY KEY, module_id TEXT NOT NULL REFERENCES modules,
                               title TEXT NOT NULL, type TEXT NOT NULL, content_id TEXT, position INTEGER NOT NULL);
    CREATE TABLE files (file_id TEXT PRIMARY KEY, course_id TEXT NOT NULL REFERENCES courses,
                        display_name TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT NOT NULL);
    CREATE TABLE assignments (assignment_id TEXT PRIMARY KEY, course_id TEXT NOT NULL REFERENCES courses,
                              name TEXT NOT NULL, due_at TEXT, lock_at TEXT, points_possible REAL NOT NULL,
                              submission_types TEXT NOT NULL, published INTEGER NOT NULL);
    CREATE TABLE submissions (assignment_id TEXT NOT NULL REFERENCES assignments, user_id TEXT NOT NULL
                              REFERENCES users, workflow_state TEXT NOT NULL, submitted_at TEXT, score REAL,
                              PRIMARY KEY (assignment_id, user_id));
    CREATE INDEX enrollments_by_user ON enrollments (user_id);
    CREATE INDEX modules_by_course ON modules (course_id, position);
    CREATE INDEX items_by_module ON module_items (module_id, position);
    CREATE INDEX files_by_course ON files (course_id);
    CREATE INDEX assignments_by_course ON assignments (course_id, due_at);
    """
    text_search = {"courses": ("course_name", "course_code")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        ids = iter(rng.sample(range(10_000, 99_999), 2000))
        users, sis_ids = [], set()
        for n in range(140):
            first, last = fake.first_name(), fake.last_name()
            sis_id = draw_unique(lambda: f"S{rng.randrange(10**7):07d}", sis_ids)
            users.append({"user_id": str(next(ids)), "name": f"{first} {last}", "sortable_name": f"{last}, {first}",
                          "email": f"{first[0]}{last}{n}@students.example.edu".lower().replace("'", ""),
                          "sis_user_id": sis_id})
        courses, enrollments, modules, items, files, assignments, submissions = [], [], [], [], [], [], []
        for code, title in rng.sample(SUBJECTS, 5):
            course_id = str(next(ids))
            number = rng.choice([101, 201, 210, 301, 340])
            courses.append({"course_id": course_id, "course_name": title, "course_code": f"{code}-{number}",
                            "term": "Spring 2026", "workflow_state": "available"})
            roster = rng.sample(users, rng.randrange(14, 26))
            enrollments += [{"course_id": course_id, "user_id": u["user_id"], "role": "StudentEnrollment"}
                            for u in roster]
            course_files = []
            for topic in rng.sample(FILE_TOPICS, rng.randrange(5, 8)):
                ext = rng.choice(list(FILE_KINDS))
                course_files.append({"file_id": str(next(ids)), "course_id": course_id, "size": rng.randrange(20, 9000) * 1024,
                                     "display_name": f"{code.lower()}{number}-{topic}-{fake.word()}.{ext}",
                                     "content_type": FILE_KINDS[ext]})
            files += course_files
            course_work = []
            for n, kind in enumerate(rng.sample(WORK, rng.randrange(5, 8))):
                due = None if rng.random() < 0.12 else cls.start_time.replace(hour=23, minute=59) + dt.timedelta(
                    days=rng.randrange(-35, 28))
                work = {"assignment_id": str(next(ids)), "course_id": course_id, "name": f"{kind} {n + 1}",
                        "due_at": due and stamp(due),
                        "lock_at": due and rng.random() < 0.6 and stamp(due + dt.timedelta(days=rng.choice([2, 3, 7]))) or None,
                        "points_possible": float(rng.choice([10, 20, 25, 50, 100])),
                        "submission_types": rng.choice(SUBMISSION_TYPES), "published": int(rng.random() < 0.85)}
                course_work.append(work)
                past = due is not None and due < cls.start_time
                for student in roster:
                    state = rng.choices(["unsubmitted", "submitted", "graded"],
                                        weights=[2, 3, 8] if past else [8, 2, 0])[0]
                    sent = due - dt.timedelta(hours=rng.randrange(-30, 90)) if due and state != "unsubmitted" else None
                    if sent and sent > cls.start_time:
                        sent = cls.start_time - dt.timedelta(hours=rng.randrange(1, 48))
                    submissions.append({"assignment_id": work["assignment_id"], "user_id": student["user_id"],
                                        "workflow_state": state, "submitted_at": sent and stamp(sent),
                                        "score": round(work["points_possible"] * rng.uniform(0.45, 1.0), 1)
                                        if state == "graded" else None})
            assignments += course_work
            content = [("Assignment", w["assignment_id"], w["name"]) for w in course_work] + [
                ("File", f["file_id"], f["display_name"]) for f in course_files]
            rng.shuffle(content)
            for position in range(1, rng.randrange(4, 7)):
                module_id = str(next(ids))
                modules.append({"module_id": module_id, "course_id": course_id, "position": position,
                                "name": f"Week {position * 2 - 1}-{position * 2}: {UNITS[position - 1]}",
                                "published": int(position < 4 or rng.random() < 0.3),
                                "unlock_at": stamp(cls.start_time.replace(hour=8, minute=0)
                                                   + dt.timedelta(days=7 * (position - 3))) if position > 3 else None})
                chosen = [content.pop() for _ in range(min(len(content), rng.randrange(1, 4)))]
                chosen.insert(0, ("SubHeader", None, f"Overview of week {position * 2 - 1}"))
                for slot, (kind, target, title) in enumerate(chosen, 1):
                    items.append({"item_id": str(next(ids)), "module_id": module_id, "title": title, "type": kind,
                                  "content_id": target, "position": slot})
        for table, rows in [("users", users), ("courses", courses), ("enrollments", enrollments),
                            ("modules", modules), ("module_items", items), ("files", files),
                            ("assignments", assignments), ("submissions", submissions)]:
            db[table].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _course(self, course_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM courses WHERE course_id = ?", course_id,
                            error=f"no course with id '{course_id}' among your courses; get_courses lists them")

    def _in_course(self, table: str, key: str, course_id: str, object_id: str, error: str) -> dict[str, Any]:
        """The row of ``table`` with this ``key`` in the course, looked up with the course in one statement (the
        course's own error first, as _course gives it; then ``error``)."""
        found = self.row(f"SELECT x.* FROM courses c LEFT JOIN {table} x ON x.{key} = ? AND x.course_id = c.course_id"
                         " WHERE c.course_id = ?", object_id, course_id)
        if found is None:
            self._course(course_id)  # raises the course's error
        if found[key] is None:
            raise ToolError(error)
        return found

    def _assignment(self, course_id: str, assignment_id: str) -> dict[str, Any]:
        return self._in_course("assignments", "assignment_id", course_id, assignment_id,
                               f"no assignment '{assignment_id}' in course '{course_id}';"
                               " get_course_assignments lists them")

    def _module(self, course_id: str, module_id: str) -> dict[str, Any]:
        return self._in_course("modules", "module_id", course_id, module_id,
                               f"no module '{module_id}' in course '{course_id}'; get_modules lists them")

    def _assignments(self, course_id: str, bucket: str | None) -> Assignments:
        now = stamp(self.now())
        week = stamp(self.now() + dt.timedelta(days=7))
        rows = self.rows(
            f"SELECT {ASSIGNMENT_COLUMNS}, (SELECT COUNT(*) FROM submissions s WHERE s.assignment_id = a.assignment_id"
            " AND s.workflow_state = 'unsubmitted') AS missing FROM assignments a WHERE a.course_id = ?"
            " ORDER BY a.due_at IS NULL, a.due_at, a.assignment_id", course_id)
        keep = {None: lambda a: True, "undated": lambda a: a["due_at"] is None,
                "past": lambda a: a["due_at"] is not None and a["due_at"] < now,
                "upcoming": lambda a: a["due_at"] is not None and now <= a["due_at"] < week,
                "future": lambda a: a["due_at"] is None or a["due_at"] >= now,
                "ungraded": lambda a: a["needs_grading_count"] > 0,
                "unsubmitted": lambda a: a["due_at"] is not None and a["due_at"] < now and a["missing"] > 0}[bucket]
        return {"course_id": course_id, "assignments": [
            {**{k: v for k, v in a.items() if k != "missing"}, "published": bool(a["published"])}
            for a in rows if keep(a)]}

    # -------------------------------------------------------------------- tools
    @tool(phrase=["show me the courses I teach", "list my Canvas courses"])
    def get_courses(self) -> Courses:
        """List the courses you teach this term, with their ids, codes and student counts."""
        return {"courses": self.rows(
            "SELECT c.course_id, c.course_name AS name, c.course_code, c.term, c.workflow_state, (SELECT COUNT(*) FROM"
            " enrollments e WHERE e.course_id = c.course_id AND e.role = 'StudentEnrollment') AS total_students"
            " FROM courses c ORDER BY c.course_code")}

    @tool(phrase=["show the modules of {course_id}", "list the modules in {course_id}"])
    def get_modules(self, course_id: str) -> Modules:
        """List a course's modules in order, with whether each is published and when it unlocks.

        Args:
            course_id: The course's id.
        """
        self._course(course_id)
        return {"modules": [{**m, "published": bool(m["published"])} for m in self.rows(
            f"SELECT {MODULE_COLUMNS} FROM modules m WHERE m.course_id = ? ORDER BY m.position", course_id)]}

    @tool(phrase=["show what is in {module_id} of {course_id}", "list the items of {module_id} in {course_id}"])
    def get_module_items(self, course_id: str, module_id: str) -> Items:
        """List the items of a module in order (files, assignments, sub-headers); content_id is the file or
        assignment the item points to.

        Args:
            course_id: The course's id.
            module_id: The module's id.
        """
        self._module(course_id, module_id)
        return {"items": self.rows("SELECT item_id, title, type, content_id, position FROM module_items"
                                   " WHERE module_id = ? ORDER BY position", module_id)}

    @tool(phrase=["list the files of {course_id}", "show me the files uploaded to {course_id}"])
    def list_files(self, course_id: str) -> list[FileInfo]:
        """List a course's files by name.

        Args:
            course_id: The course's id.
        """
        self._course(course_id)
        return self.rows("SELECT file_id, display_name, size, content_type FROM files WHERE course_id = ?"
                         " ORDER BY display_name", course_id)

    @tool(phrase=["get me a download link for {file_id} from {course_id}", "give me the download URL of {file_id} in {course_id}"])
    def get_file_url(self, file_id: str, course_id: str) -> FileUrl:
        """Get a download URL for a course file.

        Args:
            file_id: The file's id (a module item's content_id for File items).
            course_id: The course the file belongs to.
        """
        self._course(course_id)
        found = self.require("SELECT * FROM files WHERE file_id = ? AND course_id = ?", file_id, course_id,
                             error=f"no file '{file_id}' in course '{course_id}'; module items of type File name"
                                   " their files in content_id")
        return {"file_id": file_id, "display_name": found["display_name"], "size": found["size"],
                "content_type": found["content_type"],
                "download_url": f"https://canvas.example.edu/files/{file_id}/download?download_frd=1"}

    @tool(phrase=["list the assignments of {course_id}[ in the {bucket} bucket]",
                  "show me the {bucket} assignments of {course_id}"])
    def get_course_assignments(self, course_id: str, bucket: Bucket | None = None) -> Assignments:
        """List a course's assignments by due date, optionally only one bucket: past (due date passed), upcoming
        (due within 7 days), future (not yet due or undated), undated, ungraded (submissions waiting for a grade)
        or unsubmitted (due date passed and some students have not submitted).

        Args:
            course_id: The course's id.
            bucket: Only assignments in this bucket.
        """
        self._course(course_id)
        return self._assignments(course_id, bucket)

    @tool(phrase=["list the assignments of my {course_name} course[ in the {bucket} bucket]",
                  "show me the {bucket} assignments in {course_name}"])
    def get_assignments_by_course_name(self, course_name: Annotated[str, UserKnown, Field(min_length=2)],
                                       bucket: Bucket | None = None) -> Assignments:
        """Like get_course_assignments, finding the course by (part of) its name or course code.

        Args:
            course_name: Part of the course's name or code, e.g. "Linear Algebra" or "MATH-201".
            bucket: Only assignments in this bucket (see get_course_assignments).
        """
        matches, params = self.text_filter("courses", course_name)
        found = self.rows(f"SELECT course_id, course_name AS name FROM courses WHERE {matches} ORDER BY course_code", *params)
        if len(found) != 1:
            names = ", ".join(c["name"] for c in found)
            raise ToolError(f"'{course_name}' matches {len(found)} courses{': ' + names if names else ''};"
                            " give more of the name or use get_courses")
        return self._assignments(found[0]["course_id"], bucket)

    @tool(phrase=["list the students enrolled in {course_id}", "find out who is enrolled in {course_id}"])
    def get_students_in_course(self, course_id: str) -> Students:
        """List the students enrolled in a course, by sortable name.

        Args:
            course_id: The course's id.
        """
        self._course(course_id)
        return {"students": self.rows(
            "SELECT u.user_id AS student_id, u.name, u.sortable_name, u.email, u.sis_user_id FROM enrollments e JOIN users"
            " u ON u.user_id = e.user_id WHERE e.course_id = ? AND e.role = 'StudentEnrollment'"
            " ORDER BY u.sortable_name", course_id)}

    @tool(phrase=["check the submission status of {assignment_id} in {course_id}[ for {student_id}]",
                  "see who has handed in {assignment_id} of {course_id}"])
    def get_submission_status(self, course_id: str, assignment_id: str,
                              student_id: str | None = None) -> Submissions:
        """The submissions of an assignment (one student's, or all): workflow state, submission time, whether it
        was late (after the due date) and the score.

        Args:
            course_id: The course's id.
            assignment_id: The assignment's id.
            student_id: Only this student's submission (a user id from get_students_in_course).
        """
        work = self._assignment(course_id, assignment_id)
        rows = self.rows(
            "SELECT s.user_id AS student_id, u.name AS student_name, s.workflow_state, s.submitted_at, s.score FROM submissions s"
            " JOIN users u ON u.user_id = s.user_id WHERE s.assignment_id = ? AND (?2 IS NULL OR s.user_id = ?2)"
            " ORDER BY u.sortable_name", assignment_id, student_id)
        if student_id is not None and not rows:
            raise ToolError(f"student '{student_id}' is not enrolled in course '{course_id}'")
        due = work["due_at"]
        return {"assignment_id": assignment_id, "points_possible": work["points_possible"], "submissions": [
            {**r, "late": bool(due and r["submitted_at"] and r["submitted_at"] > due)} for r in rows]}

    @tool(writes=True, phrase=["give {student_id} {score} points on {assignment_id} in {course_id}",
                               "grade {assignment_id} ({course_id}) for {student_id} with {score} points",
                               "enter a score of {score} for {student_id} on {assignment_id} of {course_id}"])
    def grade_submission(self, course_id: str, assignment_id: str, student_id: str,
                         score: Annotated[float, Field(ge=0, le=1000)]) -> Submission:
        """Grade (or regrade) a student's submission of a published assignment; the score may not exceed the
        assignment's points possible. A student who has not submitted can be graded too (e.g. a zero).

        Args:
            course_id: The course's id.
            assignment_id: The assignment's id.
            student_id: The student's user id.
            score: Points earned, 0 up to the assignment's points possible.
        """
        # One conditional UPDATE when every check below passes (the same conditions in SQL); otherwise the checks
        # run and raise their error.
        graded = self.rows(
            "UPDATE submissions SET workflow_state = 'graded', score = ?1 WHERE assignment_id = ?2 AND user_id = ?3"
            " AND EXISTS (SELECT 1 FROM courses WHERE course_id = ?4) AND EXISTS (SELECT 1 FROM assignments a"
            " WHERE a.assignment_id = ?2 AND a.course_id = ?4 AND a.published AND a.points_possible >= ?1)"
            " AND EXISTS (SELECT 1 FROM users WHERE user_id = ?3) RETURNING user_id, submitted_at,"
            " (SELECT name FROM users WHERE user_id = ?3) AS name,"
            " (SELECT due_at FROM assignments WHERE assignment_id = ?2) AS due_at",
            score, assignment_id, student_id, course_id)
        if graded:
            return self._graded(graded[0], score)
        work = self._assignment(course_id, assignment_id)
        if not work["published"]:
            raise ToolError(f"assignment '{work['name']}' is unpublished; publish it before grading")
        if score > work["points_possible"]:
            raise ToolError(f"score {score:g} exceeds the {work['points_possible']:g} points possible of"
                            f" '{work['name']}'")
        student = self.row("SELECT s.user_id, s.submitted_at, u.name FROM submissions s LEFT JOIN users u ON"
                           " u.user_id = s.user_id WHERE s.assignment_id = ? AND s.user_id = ?", assignment_id,
                           student_id)
        if student is None:
            raise ToolError(f"student '{student_id}' is not enrolled in course '{course_id}';"
                            " get_students_in_course lists them")
        if student["name"] is None:  # what get_submission_status says of a submission without its user
            raise ToolError(f"student '{student_id}' is not enrolled in course '{course_id}'")
        raise RuntimeError("the conditional UPDATE of grade_submission missed a submission its checks pass")

    @staticmethod
    def _graded(student: dict[str, Any], score: float) -> Submission:
        """The submission just graded as get_submission_status(course_id, assignment_id, student_id) shows it
        (score is a REAL column, so it reads back as a float)."""
        due, sent = student["due_at"], student["submitted_at"]
        return {"student_id": student["user_id"], "student_name": student["name"], "workflow_state": "graded",
                "submitted_at": sent, "score": float(score), "late": bool(due and sent and sent > due)}

    @tool(writes=True, phrase=["publish {module_id} in {course_id}", "make {module_id} of {course_id} visible to the students"])
    def publish_module(self, course_id: str, module_id: str) -> Module:
        """Publish a module so students can see it (its unlock date still applies).

        Args:
            course_id: The course's id.
            module_id: The module's id.
        """
        # One conditional UPDATE when the module is in the course and unpublished; otherwise the checks raise.
        published = self.rows(
            "UPDATE modules SET published = 1 WHERE module_id = ?1 AND course_id = ?2 AND NOT published AND EXISTS"
            f" (SELECT 1 FROM courses WHERE course_id = ?2) RETURNING {MODULE_FIELDS.format(m='modules')}",
            module_id, course_id)
        if published:  # the module as get_modules(course_id) lists it
            return {**published[0], "published": True}
        if self._module(course_id, module_id)["published"]:
            raise ToolError(f"module '{module_id}' is already published")
        raise RuntimeError("the conditional UPDATE of publish_module missed a module its checks pass")

    @tool(writes=True, phrase=["move the due date of {assignment_id} in {course_id} to {due_at}[ and lock it at {lock_at}]",
                               "extend {assignment_id} of {course_id} until {due_at}[, locking at {lock_at}]"])
    def update_assignment_dates(self, course_id: str, assignment_id: str, due_at: Stamp,
                                lock_at: Stamp | None = None) -> Assignment:
        """Change an assignment's due date (and optionally its lock date, after which nobody can submit). The
        lock date must not come before the due date; a lock date left out is cleared if it would.

        Args:
            course_id: The course's id.
            assignment_id: The assignment's id.
            due_at: New due date, YYYY-MM-DDTHH:MM (UTC).
            lock_at: New lock date, YYYY-MM-DDTHH:MM (UTC), not before the due date.
        """
        due = canonical(due_at)
        lock = canonical(lock_at) if lock_at else None
        if not (lock_at and lock < due):
            # One conditional UPDATE when the assignment is in the course: the lock date given, or the current one
            # kept unless it would come before the new due date. Otherwise the checks below raise.
            updated = self.rows(
                "UPDATE assignments SET due_at = ?1, lock_at = CASE WHEN ?2 IS NOT NULL THEN ?2 WHEN lock_at < ?1"
                " THEN NULL ELSE lock_at END WHERE assignment_id = ?3 AND course_id = ?4 AND EXISTS (SELECT 1 FROM"
                f" courses WHERE course_id = ?4) RETURNING {ASSIGNMENT_FIELDS.format(a='assignments')}",
                due, lock, assignment_id, course_id)
            if updated:  # the assignment as _assignments(course_id, None) lists it (RETURNING gives a REAL column's
                # integral values as ints, which a SELECT reads back as floats)
                work = updated[0]
                return {**work, "points_possible": float(work["points_possible"]), "published": bool(work["published"])}
        self._assignment(course_id, assignment_id)
        if lock_at and lock < due:
            raise ToolError(f"lock_at {lock} is before due_at {due}; students could never submit on time")
        raise RuntimeError("the conditional UPDATE of update_assignment_dates missed an assignment its checks pass")
