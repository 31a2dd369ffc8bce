"""Sanvello: mood check-ins, guided journeys of lessons, coping tools, progress reports and peer community groups."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

Category = Literal["anxiety", "low_mood", "stress", "sleep", "mindfulness", "self_esteem"]
Feeling = Literal["anxious", "calm", "stressed", "sad", "happy", "tired", "lonely", "grateful", "angry", "hopeful",
                  "overwhelmed", "motivated", "irritable", "content"]
ToolType = Literal["breathing", "meditation", "grounding", "thought_record", "hypnosis", "activity"]
Situation = Literal["panic", "work_stress", "insomnia", "low_mood", "social_anxiety", "anger", "overthinking"]
Topic = Literal["anxiety", "depression", "stress", "sleep", "parenting", "students", "grief", "chronic_pain",
                "workplace", "relationships", "lgbtq", "veterans"]
FEELING_NEEDS = {"anxious": "panic", "stressed": "work_stress", "overwhelmed": "overthinking", "sad": "low_mood",
                 "lonely": "low_mood", "tired": "insomnia", "angry": "anger", "irritable": "anger"}
FEELING_CATEGORY = {"anxious": "anxiety", "overwhelmed": "stress", "stressed": "stress", "sad": "low_mood",
                    "lonely": "low_mood", "tired": "sleep", "angry": "mindfulness", "irritable": "mindfulness"}
JOURNEYS = [  # (title, category, lessons, premium)
    ("Untangling Worry", "anxiety", 8, False), ("Steady Through Panic", "anxiety", 6, True),
    ("Small Steps Out of Low Mood", "low_mood", 7, False), ("Rebuilding Motivation", "low_mood", 5, True),
    ("Managing Work Pressure", "stress", 6, False), ("Stress Less at Home", "stress", 5, True),
    ("Sleep Reset", "sleep", 7, False), ("Wind-Down Nights", "sleep", 4, True),
    ("Present Moment Basics", "mindfulness", 5, False), ("Everyday Awareness", "mindfulness", 9, True),
    ("Kinder Self-Talk", "self_esteem", 6, False), ("Confidence Foundations", "self_esteem", 8, True)]
LESSON_TOPICS = ["Noticing your patterns", "The thought-feeling loop", "Spotting thinking traps",
                 "Breathing for balance",
                 "Reframing with evidence", "Facing it in small steps", "Values and action", "Building routines",
                 "Body scan practice", "Planning for setbacks"]
COPING = [  # (name, type, minutes, situations)
    ("Box Breathing", "breathing", 4, "panic work_stress anger"),
    ("4-7-8 Breath", "breathing", 3, "insomnia panic"),
    ("Paced Exhale", "breathing", 5, "social_anxiety panic"),
    ("Five Senses Check", "grounding", 3, "panic overthinking"),
    ("Cold Water Reset", "grounding", 2, "anger panic"), ("Name the Room", "grounding", 2, "social_anxiety"),
    ("Thought Record", "thought_record", 10, "overthinking low_mood social_anxiety"),
    ("Worry Time", "thought_record", 15, "overthinking insomnia"), ("Evidence Check", "thought_record", 8, "low_mood"),
    ("Body Scan", "meditation", 12, "insomnia work_stress"), ("Loving Kindness", "meditation", 10, "low_mood anger"),
    ("Mindful Minute", "meditation", 1, "work_stress"), ("Drift Off", "hypnosis", 20, "insomnia"),
    ("Quiet Confidence", "hypnosis", 15, "social_anxiety low_mood"),
    ("Ten-Minute Walk", "activity", 10, "low_mood"),
    ("Pleasant Activity Plan", "activity", 7, "low_mood overthinking"), ("Desk Stretch", "activity", 5, "work_stress")]
GROUP_NAMES = {"anxiety": "Anxiety Allies", "depression": "Brighter Days", "stress": "Pressure Valve",
               "sleep": "Night Owls Anonymous", "parenting": "Parents Recharge", "students": "Campus Calm",
               "grief": "Holding Memories", "chronic_pain": "Living With Pain", "workplace": "Burnout Breakroom",
               "relationships": "Better Together", "lgbtq": "Pride & Peace", "veterans": "Homefront Circle"}
THREADS = ["What helped you this week?", "Small wins thread", "Tips for rough mornings", "How do you explain it to "
           "family?", "Sunday check-in", "Sleep routine swap", "Getting back on track after a setback",
           "Favourite grounding exercise?", "Introduce yourself", "Coping with holidays"]
UserId = Annotated[str, UserKnown, Field(min_length=3, max_length=40)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]

Lesson = TypedDict("Lesson", {"lesson_number": int, "title": str, "minutes": int})
Goal = TypedDict("Goal", {"lessons_per_week": int, "finish_by": str})
Journey = TypedDict("Journey", {"journey_id": str, "title": str, "category": str, "lesson_count": int,
                                "premium": bool, "description": str})
Journeys = TypedDict("Journeys", {"journeys": list[Journey]})
CheckIn = TypedDict("CheckIn", {"check_in_id": str, "timestamp": str, "insights": str, "recommended_tools": list[str],
                                "guided_journey_suggestion": str})
Enrollment = TypedDict("Enrollment", {"enrollment_id": str, "current_step": int, "progress_percent": float,
                                      "weekly_goal": Goal, "next_activity": Lesson | None})
CopingTool = TypedDict("CopingTool", {"tool_id": str, "name": str, "tool_type": str, "minutes": int,
                                      "situations": list[str]})
CopingTools = TypedDict("CopingTools", {"tools": list[CopingTool]})
Overview = TypedDict("Overview", {"start_date": str, "end_date": str, "check_ins": int, "average_mood": float | None,
                                  "current_streak_days": int})
Trends = TypedDict("Trends", {"top_feelings": list[str], "best_day": str | None, "lowest_day": str | None})
JourneyProgress = TypedDict("JourneyProgress", {"journey_id": str, "title": str, "completed_lessons": int,
                                                "lesson_count": int, "progress_percent": float, "status": str})
Weekly = TypedDict("Weekly", {"week_start": str, "check_ins": int, "average_mood": float | None})
Progress = TypedDict("Progress", {"overview": Overview, "mood_trends": Trends,
                                  "journey_progress": list[JourneyProgress], "weekly_report": Weekly})
Discussion = TypedDict("Discussion", {"title": str, "replies": int, "posted_on": str})
Group = TypedDict("Group", {"group_id": str, "group_name": str, "topic": str, "member_count": int, "capacity": int,
                            "moderated": bool, "premium_only": bool})
Joined = TypedDict("Joined", {"group_id": str, "group_name": str, "member_count": int, "moderated": bool,
                              "recent_discussions": list[Discussion], "guidelines": str})
Left = TypedDict("Left", {"group_id": str, "group_name": str, "member_count": int, "message": str})


def average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


class SanvelloMentalHealthServer(World):
    """Sanvello, a self-care app: one mood check-in per member per day (mood 1-5 and feelings), guided journeys
    whose lessons unlock one after another (premium journeys need the premium plan; at most 3 active at once),
    coping tools, progress reports over a date range, and moderated peer community groups."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE members (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL, joined_on TEXT NOT NULL);
    CREATE TABLE check_ins (check_in_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES members,
                            day TEXT NOT NULL, timestamp TEXT NOT NULL, mood_rating INTEGER NOT NULL,
                            feelings TEXT NOT NULL, notes TEXT NOT NULL, UNIQUE (user_id, day));
    CREATE TABLE journeys (journey_id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE, category TEXT NOT NULL,
                           lesson_count INTEGER NOT NULL, premium INTEGER NOT NULL, description TEXT NOT NULL);
    CREATE INDEX journeys_by_category ON journeys (category);
    CREATE TABLE lessons (journey_id TEXT NOT NULL REFERENCES journeys, lesson_number INTEGER NOT NULL,
                          title TEXT NOT NULL, minutes INTEGER NOT NULL, PRIMARY KEY (journey_id, lesson_number));
    CREATE TABLE enrollments (enrollment_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES members,
                              journey_id TEXT NOT NULL REFERENCES journeys, completed_lessons INTEGER NOT NULL,
                              status TEXT NOT NULL, started_on TEXT NOT NULL, UNIQUE (user_id, journey_id));
    CREATE TABLE coping_tools (tool_id TEXT PRIMARY KEY, name TEXT NOT NULL, tool_type TEXT NOT NULL,
                               minutes INTEGER NOT NULL, situations TEXT NOT NULL);
    CREATE INDEX coping_by_type ON coping_tools (tool_type);
    CREATE TABLE groups (group_id TEXT PRIMARY KEY, group_name TEXT NOT NULL, topic TEXT NOT NULL UNIQUE,
                         member_count INTEGER NOT NULL, capacity INTEGER NOT NULL, moderated INTEGER NOT NULL,
                         premium_only INTEGER NOT NULL, guidelines TEXT NOT NULL);
    CREATE TABLE memberships (user_id TEXT NOT NULL REFERENCES members, group_id TEXT NOT NULL REFERENCES groups,
                              joined_on TEXT NOT NULL, PRIMARY KEY (user_id, group_id));
    CREATE TABLE discussions (post_id TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups,
                              title TEXT NOT NULL, replies INTEGER NOT NULL, posted_on TEXT NOT NULL);
    CREATE INDEX discussions_by_group ON discussions (group_id, posted_on);
    """
    volatile = {"check_ins": ("timestamp",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        journeys, lessons = [], []
        for title, category, count, premium in JOURNEYS:
            journey_id = fake_id(rng, "jr_")
            journeys.append({"journey_id": journey_id, "title": title, "category": category, "lesson_count": count,
                             "premium": int(premium), "description": f"A {count}-lesson {category.replace('_', ' ')}"
                             f" program built on CBT and mindfulness skills."})
            lessons += [{"journey_id": journey_id, "lesson_number": n + 1, "title": topic,
                         "minutes": rng.choice([5, 8, 10, 12, 15])}
                        for n, topic in enumerate(rng.sample(LESSON_TOPICS, count))]
        tools = [{"tool_id": fake_id(rng, "ct_"), "name": n, "tool_type": t, "minutes": m,
                  "situations": json.dumps(s.split())} for n, t, m, s in COPING]
        groups = [{"group_id": fake_id(rng, "grp_"), "group_name": name, "topic": topic, "capacity": cap,
                   "member_count": rng.randrange(cap // 2, cap) if rng.random() < 0.75 else cap,
                   "moderated": int(rng.random() < 0.7), "premium_only": int(rng.random() < 0.25),
                   "guidelines": "Be kind, share from your own experience, no medical advice; in a crisis call"
                                 " your local emergency number."}
                  for topic, name in GROUP_NAMES.items() for cap in [rng.choice([50, 150, 300, 500])]]
        members, check_ins, enrollments, memberships = [], [], [], []
        for _ in range(40):
            first, last = fake.first_name(), fake.last_name()
            user_id = f"{first[0]}{last}{rng.randrange(10, 99)}".lower()
            if any(m["user_id"] == user_id for m in members):
                continue
            plan = "premium" if rng.random() < 0.4 else "free"
            members.append({"user_id": user_id, "name": f"{first} {last}", "plan": plan,
                            "joined_on": str(cls.days_before_start(rng, 70, 900))})
            baseline = rng.randrange(2, 5)
            for offset in sorted(rng.sample(range(1, 61), rng.randrange(10, 40)), reverse=True):
                day = cls.start_time.date() - dt.timedelta(days=offset)
                mood = max(1, min(5, baseline + rng.choice([-2, -1, 0, 0, 1, 1])))
                feelings = rng.sample(["sad", "lonely", "tired", "anxious", "overwhelmed", "irritable"] if mood <= 2
                                      else ["calm", "happy", "grateful", "hopeful", "motivated", "content", "tired",
                                            "stressed"], rng.randrange(1, 4))
                check_ins.append({"check_in_id": fake_id(rng, "chk_"), "user_id": user_id, "day": str(day),
                                  "timestamp": f"{day} {rng.randrange(7, 23):02d}:{rng.randrange(60):02d}",
                                  "mood_rating": mood, "feelings": json.dumps(feelings),
                                  "notes": rng.choice(["", "", "Long day at work.", "Slept badly.", "Went for a walk.",
                                                       "Called my sister.", "Deadline stress.",
                                                       "Good therapy session."])})
            for journey in rng.sample(journeys, rng.randrange(0, 4)):
                if journey["premium"] and plan == "free":
                    continue
                done = rng.randrange(0, journey["lesson_count"] + 1)
                enrollments.append({"enrollment_id": fake_id(rng, "enr_"), "user_id": user_id,
                                    "journey_id": journey["journey_id"], "completed_lessons": done,
                                    "status": "completed" if done == journey["lesson_count"] else "active",
                                    "started_on": str(cls.days_before_start(rng, 3, 60))})
            for group in rng.sample(groups, rng.randrange(0, 3)):
                memberships.append({"user_id": user_id, "group_id": group["group_id"],
                                    "joined_on": str(cls.days_before_start(rng, 3, 60))})
        discussions = [{"post_id": fake_id(rng, "post_"), "group_id": g["group_id"], "title": title,
                        "replies": rng.randrange(0, 60), "posted_on": str(cls.days_before_start(rng, 0, 20))}
                       for g in groups for title in rng.sample(THREADS, 4)]
        for table, rows in (("members", members), ("journeys", journeys), ("lessons", lessons), ("groups", groups),
                            ("coping_tools", tools), ("check_ins", check_ins), ("enrollments", enrollments),
                            ("memberships", memberships), ("discussions", discussions)):
            db[table].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _member(self, user_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM members WHERE user_id = ?", user_id.strip().lower(),
                            error=f"no Sanvello member with user id '{user_id}'")

    def _journey(self, journey_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM journeys WHERE journey_id = ?", journey_id,
                            error=f"no guided journey '{journey_id}'; get_guided_journeys lists them")

    def _lesson(self, journey_id: str, number: int) -> dict[str, Any] | None:
        return self.row("SELECT lesson_number, title, minutes FROM lessons WHERE journey_id = ? AND lesson_number = ?",
                        journey_id, number)

    def _group(self, topic: str) -> dict[str, Any]:
        return self.require("SELECT * FROM groups WHERE topic = ?", topic, error=f"no community group on '{topic}'")

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=["log today's mood as {mood_rating} out of 5 for {user_id}, feeling {feelings}"
                               "[, with the note {notes}]",
                               "check in for {user_id}: mood {mood_rating}/5, feelings {feelings}[, note {notes}]"])
    def daily_check_in(self, user_id: UserId, mood_rating: Annotated[int, Field(ge=1, le=5)],
                       feelings: Annotated[list[Feeling], Field(min_length=1, max_length=6)],
                       notes: Annotated[str, Field(max_length=500)] | None = None) -> CheckIn:
        """Record today's mood check-in (one per member per day): a mood from 1 (very low) to 5 (great) and feelings.

        Args:
            user_id: The member's Sanvello user id.
            mood_rating: Mood from 1 (very low) to 5 (great).
            feelings: One to six feelings that describe today.
            notes: An optional private note (at most 500 characters).
        """
        member, now = self._member(user_id), self.now()
        today = str(now.date())
        if (earlier := self.row("SELECT timestamp FROM check_ins WHERE user_id = ? AND day = ?",
                                member["user_id"], today)):
            raise ToolError(f"{member['user_id']} already checked in today at {earlier['timestamp'][11:]}; only one"
                            " check-in per day is allowed, check in again tomorrow")
        names = list(dict.fromkeys(feelings))
        week = [r["mood_rating"] for r in self.rows("SELECT mood_rating FROM check_ins WHERE user_id = ? AND day >= ?",
                                                    member["user_id"], str(now.date() - dt.timedelta(days=7)))]
        check_in_id, stamp = self.new_id("check_ins", "chk_"), now.strftime("%Y-%m-%d %H:%M")
        self.execute("INSERT INTO check_ins VALUES (?, ?, ?, ?, ?, ?, ?)", check_in_id, member["user_id"], today,
                     stamp, mood_rating, json.dumps(names), (notes or "").strip())
        mean = average(week)
        insights = ("first check-in this week" if mean is None else
                    f"mood {mood_rating}/5 against a 7-day average of {mean}"
                    f" ({'up' if mood_rating > mean else 'down' if mood_rating < mean else 'steady'})")
        needs = {FEELING_NEEDS[f] for f in names if f in FEELING_NEEDS} or {"work_stress"}
        tools = [t["name"] for t in self.rows("SELECT name, situations FROM coping_tools ORDER BY minutes, name")
                 if needs & set(json.loads(t["situations"]))][:3]
        category = next((FEELING_CATEGORY[f] for f in names if f in FEELING_CATEGORY), "mindfulness")
        suggestion = self.value("SELECT title FROM journeys WHERE category = ? AND journey_id NOT IN (SELECT journey_id"
                                " FROM enrollments WHERE user_id = ?) AND (premium = 0 OR ? = 'premium')"
                                " ORDER BY title", category, member["user_id"], member["plan"]) or ""
        return {"check_in_id": check_in_id, "timestamp": stamp, "insights": insights, "recommended_tools": tools,
                "guided_journey_suggestion": suggestion}

    @tool(phrase=["list the guided journeys[ for {category}]", "show me Sanvello's journeys[ about {category}]"])
    def get_guided_journeys(self, category: Category | None = None) -> Journeys:
        """List the guided journeys, optionally of one category.

        Args:
            category: Only journeys of this category.
        """
        rows = self.rows("SELECT * FROM journeys WHERE (?1 IS NULL OR category = ?1) ORDER BY category, title",
                         category)
        return {"journeys": [{**r, "premium": bool(r["premium"])} for r in rows]}

    def _enrollment(self, user_id: str, journey_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM enrollments WHERE user_id = ? AND journey_id = ?", user_id, journey_id,
                            error=f"{user_id} has not started this journey; start_journey enrolls them")

    def _progress(self, enrollment: dict[str, Any], journey: dict[str, Any]) -> Enrollment:
        done, total = enrollment["completed_lessons"], journey["lesson_count"]
        left = total - done
        finish = self.now().date() + dt.timedelta(weeks=-(-left // 3))
        return {"enrollment_id": enrollment["enrollment_id"], "current_step": min(done + 1, total),
                "progress_percent": round(100 * done / total, 1),
                "weekly_goal": {"lessons_per_week": min(3, left), "finish_by": str(finish)},
                "next_activity": self._lesson(journey["journey_id"], done + 1)}

    @tool(writes=True, phrase=["start {journey_id} for {user_id}", "enroll {user_id} in {journey_id}"])
    def start_journey(self, user_id: UserId, journey_id: str) -> Enrollment:
        """Enroll a member in a guided journey; it starts at lesson 1. Premium journeys need the premium plan, and a
        member can have at most 3 active journeys.

        Args:
            user_id: The member's Sanvello user id.
            journey_id: The journey's id (from get_guided_journeys).
        """
        member, journey = self._member(user_id), self._journey(journey_id)
        uid = member["user_id"]
        if journey["premium"] and member["plan"] != "premium":
            raise ToolError(f"'{journey['title']}' is a premium journey and {uid} is on the free plan; choose a"
                            " free journey or upgrade to premium")
        if (existing := self.row("SELECT status FROM enrollments WHERE user_id = ? AND journey_id = ?", uid,
                                 journey_id)):
            raise ToolError(f"{uid} has already {'completed' if existing['status'] == 'completed' else 'started'}"
                            f" '{journey['title']}'; complete_lesson continues an active journey")
        if self.value("SELECT COUNT(*) FROM enrollments WHERE user_id = ? AND status = 'active'", uid) >= 3:
            raise ToolError(f"{uid} already has 3 active journeys; finish one before starting '{journey['title']}'")
        enrollment = {"enrollment_id": self.new_id("enrollments", "enr_"), "user_id": uid, "journey_id": journey_id,
                      "completed_lessons": 0, "status": "active", "started_on": str(self.now().date())}
        self.execute("INSERT INTO enrollments VALUES (?, ?, ?, ?, ?, ?)", *enrollment.values())
        return self._progress(enrollment, journey)

    @tool(writes=True, phrase=["mark lesson {lesson_number} of {journey_id} done for {user_id}",
                               "record that {user_id} finished lesson {lesson_number} of {journey_id}"])
    def complete_lesson(self, user_id: UserId, journey_id: str,
                        lesson_number: Annotated[int, Field(ge=1, le=20)]) -> Enrollment:
        """Mark the next lesson of an active journey complete; lessons unlock in order, one after another.

        Args:
            user_id: The member's Sanvello user id.
            journey_id: The journey's id.
            lesson_number: The lesson finished; must be the journey's next lesson.
        """
        member, journey = self._member(user_id), self._journey(journey_id)
        enrollment = self._enrollment(member["user_id"], journey_id)
        done = enrollment["completed_lessons"]
        if enrollment["status"] == "completed":
            raise ToolError(f"'{journey['title']}' is already completed; all {done} lessons are done")
        if lesson_number > journey["lesson_count"]:
            raise ToolError(f"'{journey['title']}' has only {journey['lesson_count']} lessons")
        if lesson_number <= done:
            raise ToolError(f"lesson {lesson_number} of '{journey['title']}' is already completed; the next one is"
                            f" lesson {done + 1}")
        if lesson_number > done + 1:
            raise ToolError(f"lesson {lesson_number} of '{journey['title']}' is locked; finish lesson {done + 1}"
                            " first")
        status = "completed" if lesson_number == journey["lesson_count"] else "active"
        self.execute("UPDATE enrollments SET completed_lessons = ?, status = ? WHERE enrollment_id = ?",
                     lesson_number, status, enrollment["enrollment_id"])
        return self._progress({**enrollment, "completed_lessons": lesson_number}, journey)

    @tool(phrase=["find {tool_type} coping tools[ for {situation}]", "suggest coping tools for {situation}",
                  "list the coping tools"])
    def get_coping_tools(self, tool_type: ToolType | None = None, situation: Situation | None = None) -> CopingTools:
        """List coping tools, optionally of one type and helping with one situation, shortest first.

        Args:
            tool_type: Only tools of this type.
            situation: Only tools that help in this situation.
        """
        rows = self.rows("SELECT * FROM coping_tools WHERE (?1 IS NULL OR tool_type = ?1) ORDER BY minutes, name",
                         tool_type)
        return {"tools": [{**r, "situations": s} for r in rows for s in [json.loads(r["situations"])]
                          if situation is None or situation in s]}

    @tool(phrase=["show the progress of {user_id} from {start_date} to {end_date}",
                  "show how {user_id} has been doing[ since {start_date}][ until {end_date}]",
                  "report the {metric_type} progress of {user_id}"])
    def track_progress(self, user_id: UserId, metric_type: Literal["all", "mood", "journeys"] = "all",
                       start_date: Day | None = None, end_date: Day | None = None) -> Progress:
        """A member's progress: check-ins and mood over a date range (default: the last 30 days), journey
        progress, and the current week's report.

        Args:
            user_id: The member's Sanvello user id.
            metric_type: mood (leaves journey_progress empty), journeys (mood figures cover no days) or all.
            start_date: First day of the range (YYYY-MM-DD).
            end_date: Last day of the range (YYYY-MM-DD), default today.
        """
        uid, today = self._member(user_id)["user_id"], self.now().date()
        end = end_date or str(today)
        start = start_date or str(dt.date.fromisoformat(end) - dt.timedelta(days=29))
        if start > end:
            raise ToolError("start_date must not be after end_date")
        rows = [] if metric_type == "journeys" else self.rows(
            "SELECT day, mood_rating, feelings FROM check_ins WHERE user_id = ? AND day BETWEEN ? AND ? ORDER BY day",
            uid, start, end)
        days, streak = {r["day"] for r in self.rows("SELECT day FROM check_ins WHERE user_id = ?", uid)}, 0
        while str(today - dt.timedelta(days=streak + (str(today) not in days))) in days:
            streak += 1
        counts = Counter(f for r in rows for f in json.loads(r["feelings"]))
        ranked = sorted(rows, key=lambda r: (r["mood_rating"], r["day"]))
        monday = today - dt.timedelta(days=today.weekday())
        week = [r["mood_rating"] for r in self.rows("SELECT mood_rating FROM check_ins WHERE user_id = ? AND day >= ?",
                                                    uid, str(monday))]
        journeys = [] if metric_type == "mood" else self.rows(
            "SELECT e.journey_id, j.title, e.completed_lessons, j.lesson_count, ROUND(100.0 * e.completed_lessons"
            " / j.lesson_count, 1) AS progress_percent, e.status FROM enrollments e JOIN journeys j USING (journey_id)"
            " WHERE e.user_id = ? ORDER BY e.started_on, j.title", uid)
        return {"overview": {"start_date": start, "end_date": end, "check_ins": len(rows),
                             "average_mood": average([r["mood_rating"] for r in rows]), "current_streak_days": streak},
                "mood_trends": {"top_feelings": [f for f, _ in sorted(counts.items(),
                                                                      key=lambda kv: (-kv[1], kv[0]))][:3],
                                "best_day": ranked[-1]["day"] if ranked else None,
                                "lowest_day": ranked[0]["day"] if ranked else None},
                "journey_progress": journeys,
                "weekly_report": {"week_start": str(monday), "check_ins": len(week), "average_mood": average(week)}}

    @tool(phrase=["list the community groups", "show which peer support groups there are"])
    def get_community_groups(self) -> list[Group]:
        """List the community groups with their topic, size, capacity and who may join."""
        return [{**g, "moderated": bool(g["moderated"]), "premium_only": bool(g["premium_only"])} for g in self.rows(
            "SELECT group_id, group_name, topic, member_count, capacity, moderated, premium_only FROM groups"
            " ORDER BY group_name")]

    @tool(writes=True, phrase=["join the {group_topic} community group as {user_id}",
                               "sign {user_id} up for the {group_topic} support group"])
    def join_community_group(self, user_id: UserId, group_topic: Topic) -> Joined:
        """Join the community group of a topic. Full groups take no new members; premium-only groups need the
        premium plan.

        Args:
            user_id: The member's Sanvello user id.
            group_topic: The group's topic.
        """
        member, group = self._member(user_id), self._group(group_topic)
        name = group["group_name"]
        if self.value("SELECT 1 FROM memberships WHERE user_id = ? AND group_id = ?", member["user_id"],
                      group["group_id"]):
            raise ToolError(f"{member['user_id']} is already a member of {name}")
        if group["premium_only"] and member["plan"] != "premium":
            raise ToolError(f"{name} is open to premium members only and {member['user_id']} is on the free plan")
        if group["member_count"] >= group["capacity"]:
            raise ToolError(f"{name} is full ({group['capacity']} members); try again when someone leaves")
        self.execute("INSERT INTO memberships VALUES (?, ?, ?)", member["user_id"], group["group_id"],
                     str(self.now().date()))
        self.execute("UPDATE groups SET member_count = member_count + 1 WHERE group_id = ?", group["group_id"])
        return {"group_id": group["group_id"], "group_name": name, "member_count": group["member_count"] + 1,
                "moderated": bool(group["moderated"]), "guidelines": group["guidelines"],
                "recent_discussions": self.rows("SELECT title, replies, posted_on FROM discussions WHERE group_id = ?"
                                                " ORDER BY posted_on DESC, title LIMIT 3", group["group_id"])}

    @tool(writes=True, phrase=["leave the {group_topic} group for {user_id}",
                               "take {user_id} out of the {group_topic} community group"])
    def leave_community_group(self, user_id: UserId, group_topic: Topic) -> Left:
        """Leave a community group the member belongs to.

        Args:
            user_id: The member's Sanvello user id.
            group_topic: The group's topic.
        """
        member, group = self._member(user_id), self._group(group_topic)
        if not self.execute("DELETE FROM memberships WHERE user_id = ? AND group_id = ?", member["user_id"],
                            group["group_id"]):
            raise ToolError(f"{member['user_id']} is not a member of {group['group_name']}")
        self.execute("UPDATE groups SET member_count = member_count - 1 WHERE group_id = ?", group["group_id"])
        return {"group_id": group["group_id"], "group_name": group["group_name"],
                "member_count": group["member_count"] - 1, "message": f"left {group['group_name']}"}
