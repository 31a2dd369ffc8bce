"""MeditationServer: a meditation app's library (guided sessions, sleep content, breathing exercises), the daily
pick, and each member's listening sessions with streaks and stats."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

CATEGORIES = {  # category -> titles
    "focus": ["Clear Mind Before Work", "Single-Tasking", "Deep Work Warm-Up", "Focus Reset"],
    "anxiety": ["Calming the Storm", "Grounding in the Body", "Letting Worries Pass", "Steady Heart"],
    "stress": ["Release the Day", "Midday Unwind", "Soft Shoulders", "Pressure Valve"],
    "gratitude": ["Three Good Things", "Thank-You Walk", "Kind Morning"],
    "body-scan": ["Head-to-Toe Scan", "Lying-Down Body Scan", "Quick Body Check-In"],
    "loving-kindness": ["Circle of Kindness", "Befriending Yourself", "Metta for Difficult People"],
}
LEVELS = ("beginner", "intermediate", "advanced")
NARRATORS = ["Maya Lindqvist", "Daniel Osei", "Priya Raman", "Tomas Ferreira", "Hannah Cole"]
SLEEP = {"story": ["The Lighthouse Keeper", "Night Train to Lisbon", "The Quiet Orchard", "Snowfall in Kyoto"],
         "soundscape": ["Rain on a Tin Roof", "Ocean at Midnight", "Forest After Dusk"],
         "music": ["Slow Piano Drift", "Low Cello Lullaby"], "wind-down": ["Unclench Your Jaw", "Turning Off the Day"]}
BREATHING = [("Box Breathing", "focus", "4-4-4-4"), ("4-7-8 Breath", "sleep", "4-7-8"),
             ("Coherent Breathing", "calm", "5-5"), ("Energizing Breath", "energy", "2-0-2"),
             ("Physiological Sigh", "calm", "2-1-6"), ("Extended Exhale", "sleep", "4-0-8"),
             ("Triangle Breath", "focus", "3-3-3"), ("Bellows Warm-Up", "energy", "1-0-1")]
MOODS = ("calm", "anxious", "stressed", "tired", "unfocused")
MOOD_CATEGORY = {"calm": "gratitude", "anxious": "anxiety", "stressed": "stress", "tired": "body-scan",
                 "unfocused": "focus"}
MILESTONES = ((1, "First session"), (10, "10 sessions"), (50, "50 sessions"), (100, "100 sessions"))
STREAK_MILESTONES = ((3, "3-day streak"), (7, "7-day streak"), (30, "30-day streak"))
UserId = Annotated[str, UserKnown, Field(min_length=3, max_length=30)]

Meditation = TypedDict("Meditation", {"meditation_id": str, "title": str, "category": str, "duration": int,
                                      "experience_level": str, "narrator": str, "premium": bool})
Library = TypedDict("Library", {"meditations": list[Meditation]})
Daily = TypedDict("Daily", {"meditation_id": str, "title": str, "description": str, "duration": int,
                            "recommended_for": str, "theme": str, "new_content": bool, "date": str})
SleepItem = TypedDict("SleepItem", {"content_id": str, "title": str, "content_type": str, "narrator": str,
                                    "duration": int})
Sleep = TypedDict("Sleep", {"sleep_content": list[SleepItem]})
Exercise = TypedDict("Exercise", {"exercise_id": str, "name": str, "goal": str, "pattern": str, "duration": int,
                                  "cycles": int})
Exercises = TypedDict("Exercises", {"exercises": list[Exercise]})
Started = TypedDict("Started", {"session_id": str, "meditation_id": str, "started_at": str, "streaming_url": str,
                                "progress_tracking": bool, "allow_background_play": bool,
                                "completion_reward": str})
StatsUpdate = TypedDict("StatsUpdate", {"total_sessions": int, "total_minutes": int, "current_streak": int})
Completion = TypedDict("Completion", {"logged": bool, "session_id": str, "minutes": int, "counted": bool,
                                      "stats_updated": StatsUpdate, "insights": str})
Abandoned = TypedDict("Abandoned", {"session_id": str, "status": str})
Stats = TypedDict("Stats", {"user_id": str, "period": str, "total_sessions": int, "total_minutes": int,
                            "current_streak": int, "longest_streak": int, "favorite_category": str,
                            "average_session_length": float, "milestones_achieved": list[str],
                            "mindfulness_score": int})


def streaks(days_on: set[str], today: dt.date) -> tuple[int, int]:
    """The current and longest runs of consecutive days among ISO dates (the current one ends today or
    yesterday)."""
    days = sorted({dt.date.fromisoformat(d) for d in days_on})
    longest = run = 0
    for i, day in enumerate(days):
        run = run + 1 if i and (day - days[i - 1]).days == 1 else 1
        longest = max(longest, run)
    current = run if days and (today - days[-1]).days <= 1 else 0
    return current, longest


class MeditationServer(World):
    """A meditation app: browse guided meditations, sleep content and breathing exercises, get the daily pick,
    and play sessions. A member has at most one session in progress; a session counts towards stats and the
    daily streak when it is completed at 50% or more. Premium content needs a premium subscription."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE members (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL,
                          experience_level TEXT NOT NULL);
    CREATE TABLE meditations (meditation_id TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL,
                              duration INTEGER NOT NULL, experience_level TEXT NOT NULL, narrator TEXT NOT NULL,
                              premium INTEGER NOT NULL, description TEXT NOT NULL, added_on TEXT NOT NULL);
    CREATE INDEX meditations_by_category ON meditations (category, duration);
    CREATE TABLE daily_picks (date TEXT NOT NULL, mood TEXT NOT NULL, meditation_id TEXT NOT NULL
                              REFERENCES meditations, theme TEXT NOT NULL, PRIMARY KEY (date, mood));
    CREATE TABLE sleep_content (content_id TEXT PRIMARY KEY, title TEXT NOT NULL, content_type TEXT NOT NULL,
                                narrator TEXT NOT NULL, duration INTEGER NOT NULL);
    CREATE INDEX sleep_by_type ON sleep_content (content_type, narrator);
    CREATE TABLE breathing (exercise_id TEXT PRIMARY KEY, name TEXT NOT NULL, goal TEXT NOT NULL,
                            pattern TEXT NOT NULL, duration INTEGER NOT NULL);
    CREATE INDEX breathing_by_goal ON breathing (goal, duration);
    CREATE TABLE sessions (session_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES members,
                           meditation_id TEXT NOT NULL REFERENCES meditations, started_at TEXT NOT NULL,
                           status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'abandoned')),
                           completion_percent REAL, notes TEXT);
    CREATE INDEX sessions_by_user ON sessions (user_id, status, started_at, completion_percent);
    """
    volatile = {"sessions": ("started_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        meditations = []
        for category, titles in CATEGORIES.items():
            for title in titles:
                level = rng.choice(LEVELS)
                meditations.append({
                    "meditation_id": fake_id(rng, "med_"), "title": title, "category": category,
                    "duration": rng.choice([3, 5, 10, 15, 20, 30]), "experience_level": level,
                    "narrator": rng.choice(NARRATORS), "premium": int(rng.random() < 0.35),
                    "description": f"{'An' if level[0] == 'i' else 'A'} {level} {category.replace('-', ' ')} practice",
                    "added_on": cls.days_before_start(rng, 0, 400).isoformat()})
        db["meditations"].insert_all(meditations)
        picks = []
        for back in range(-7, 15):
            day = (cls.start_time.date() - dt.timedelta(days=back)).isoformat()
            for mood in MOODS:
                pick = rng.choice([m for m in meditations if m["category"] == MOOD_CATEGORY[mood]])
                picks.append({"date": day, "mood": mood, "meditation_id": pick["meditation_id"],
                              "theme": rng.choice(["Beginnings", "Patience", "Letting go", "Presence", "Rest"])})
        db["daily_picks"].insert_all(picks)
        db["sleep_content"].insert_all(
            {"content_id": fake_id(rng, "slp_"), "title": title, "content_type": kind, "narrator": rng.choice(NARRATORS),
             "duration": rng.choice([20, 30, 45, 60])} for kind, titles in SLEEP.items() for title in titles)
        db["breathing"].insert_all({"exercise_id": fake_id(rng, "br_"), "name": name, "goal": goal, "pattern": pattern,
                                    "duration": rng.choice([2, 3, 5, 10])} for name, goal, pattern in BREATHING)
        members, sessions = [], []
        while len(members) < 20:
            user = fake.user_name()
            if any(m["user_id"] == user for m in members):
                continue
            members.append({"user_id": user, "name": fake.name(), "plan": rng.choice(["free", "free", "premium"]),
                            "experience_level": rng.choice(LEVELS)})
            days = sorted(rng.sample(range(1, 60), rng.randrange(4, 30)), reverse=True)
            if rng.random() < 0.6:  # an unbroken run up to yesterday
                days += list(range(rng.randrange(1, 6), 0, -1))
            for back in sorted(set(days), reverse=True):
                med = rng.choice(meditations)
                at = dt.datetime.combine(cls.days_before_start(rng, back, back), dt.time(rng.randrange(6, 23), 0))
                done = rng.random() < 0.85
                sessions.append({"session_id": fake_id(rng, "ses_"), "user_id": user,
                                 "meditation_id": med["meditation_id"], "started_at": at.strftime("%Y-%m-%dT%H:%M"),
                                 "status": "completed" if done else "abandoned",
                                 "completion_percent": rng.choice([60, 80, 100, 100]) if done else None, "notes": None})
        db["members"].insert_all(members)
        db["sessions"].insert_all(sessions)

    def _member(self, user_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM members WHERE user_id = ?", user_id, error=f"no member '{user_id}'")

    def _meditation(self, meditation_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM meditations WHERE meditation_id = ?", meditation_id,
                            error=f"no meditation '{meditation_id}'; get_meditation_library lists them")

    def _current_streak(self, user_id: str, today: dt.date) -> int:
        """The current streak of :func:`streaks`, reading counted sessions backwards from the latest only as far
        as the run goes."""
        last = None
        run = 0
        for (started_at,) in self.conn.execute(
                "SELECT started_at FROM sessions WHERE user_id = ? AND status = 'completed' AND completion_percent"
                " >= 50 ORDER BY started_at DESC", (user_id,)):
            day = dt.date.fromisoformat(started_at[:10])
            if last is None:
                if (today - day).days > 1:
                    return 0
            elif day == last:
                continue
            elif (last - day).days != 1:
                break
            last, run = day, run + 1
        return run


    @tool(phrase=["browse the {category} meditations[ of about {duration} minutes][ for {experience_level}s]",
                  "find[ {experience_level}] meditations[ in {category}][ that take {duration} minutes]"])
    def get_meditation_library(self, category: Literal[tuple(CATEGORIES)] | None = None,
                               duration: Annotated[int, Field(ge=1, le=60)] | None = None,
                               experience_level: Literal[LEVELS] | None = None) -> Library:
        """Guided meditations, optionally of one category, at most a duration (minutes) and one level.

        Args:
            category: The category.
            duration: Longest duration in minutes.
            experience_level: beginner, intermediate or advanced.
        """
        rows = self.rows("SELECT meditation_id, title, category, duration, experience_level, narrator, premium"
                         " FROM meditations WHERE (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR duration <= ?2)"
                         " AND (?3 IS NULL OR experience_level = ?3) ORDER BY category, duration, title",
                         category, duration, experience_level)
        return {"meditations": [{**r, "premium": bool(r["premium"])} for r in rows]}

    @tool(phrase=["tell me today's meditation for {user_id}[ when feeling {mood}]",
                  "get the daily meditation of {user_id}[ for a {mood} mood]"])
    def get_daily_meditation(self, user_id: UserId, mood: Literal[MOODS] | None = None) -> Daily:
        """Today's pick for a member (one per mood each day; without a mood, the pick for their usual mood calm).

        Args:
            user_id: The member's user id.
            mood: How the member feels right now.
        """
        self._member(user_id)
        today = self.now().date().isoformat()
        pick = self.row("SELECT * FROM daily_picks WHERE date = ? AND mood = ?", today, mood or "calm")
        med = self._meditation(pick["meditation_id"])
        return {"meditation_id": med["meditation_id"], "title": med["title"], "description": med["description"],
                "duration": med["duration"], "recommended_for": mood or "calm", "theme": pick["theme"],
                "new_content": (self.now().date() - dt.date.fromisoformat(med["added_on"])).days <= 30,
                "date": today}

    @tool(phrase=["find sleep {content_type}s[ narrated by {narrator}]", "show sleep content[ read by {narrator}]"])
    def get_sleep_content(self, content_type: Literal[tuple(SLEEP)] | None = None,
                          narrator: str | None = None) -> Sleep:
        """Sleep stories, soundscapes, music and wind-downs, optionally of one type or narrator.

        Args:
            content_type: story, soundscape, music or wind-down.
            narrator: The narrator's full name.
        """
        return {"sleep_content": self.rows(
            "SELECT content_id, title, content_type, narrator, duration FROM sleep_content WHERE (?1 IS NULL OR"
            " content_type = ?1) AND (?2 IS NULL OR narrator = ?2) ORDER BY content_type, title", content_type,
            narrator.strip() if narrator else None)}

    @tool(phrase=["show breathing exercises[ for {goal}][ up to {duration} minutes]",
                  "find a breathing exercise[ of at most {duration} minutes] to help with {goal}"])
    def get_breathing_exercises(self, goal: Literal["calm", "focus", "sleep", "energy"] | None = None,
                                duration: Annotated[int, Field(ge=1, le=30)] | None = None) -> Exercises:
        """Breathing exercises, optionally for one goal and at most a duration in minutes.

        Args:
            goal: calm, focus, sleep or energy.
            duration: Longest duration in minutes.
        """
        rows = self.rows("SELECT * FROM breathing WHERE (?1 IS NULL OR goal = ?1) AND (?2 IS NULL OR duration <= ?2)"
                         " ORDER BY goal, duration, name", goal, duration)
        return {"exercises": [{**r, "cycles": r["duration"] * 60 // sum(map(int, r["pattern"].split("-")))}
                              for r in rows]}

    @tool(writes=True, phrase=["start {meditation_id} for {user_id}", "play {meditation_id} for {user_id}"])
    def start_meditation_session(self, meditation_id: str, user_id: UserId) -> Started:
        """Start playing a meditation; a member can have only one session in progress.

        Args:
            meditation_id: The meditation to play.
            user_id: The member's user id.
        """
        member, med = self._member(user_id), self._meditation(meditation_id)
        if med["premium"] and member["plan"] != "premium":
            raise ToolError(f"'{med['title']}' is premium content and '{user_id}' is on the free plan")
        active = self.value("SELECT session_id FROM sessions WHERE user_id = ? AND status = 'in_progress'", user_id)
        if active:
            raise ToolError(f"'{user_id}' already has session '{active}' in progress; complete or abandon it first")
        now = self.now()
        session, at = self.new_id("sessions", "ses_"), now.strftime("%Y-%m-%dT%H:%M")
        self.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, 'in_progress', NULL, NULL)", session, user_id,
                     meditation_id, at)
        return {"session_id": session, "meditation_id": meditation_id, "started_at": at,
                "streaming_url": f"https://stream.meditation.example/{meditation_id}/{session}.m3u8",
                "progress_tracking": True, "allow_background_play": member["plan"] == "premium",
                "completion_reward": "streak +1" if self._current_streak(user_id, now.date()) else "streak started"}

    @tool(writes=True, phrase=["mark {session_id} as {completion_percent}% complete[ with the note '{notes}']",
                               "log that {session_id} was finished at {completion_percent} percent"])
    def log_meditation_completion(self, session_id: str, completion_percent: Annotated[float, Field(ge=0, le=100)],
                                  notes: Annotated[str, Field(max_length=500)] | None = None) -> Completion:
        """Finish a session in progress; it counts towards stats and streak at 50% or more.

        Args:
            session_id: The session (from start_meditation_session).
            completion_percent: How much of it was listened to, 0-100.
            notes: How it went.
        """
        session = self.require("SELECT s.*, m.duration FROM sessions s LEFT JOIN meditations m USING (meditation_id)"
                               " WHERE s.session_id = ?", session_id, error=f"no session '{session_id}'")
        if session["status"] != "in_progress":
            raise ToolError(f"session '{session_id}' is {session['status']}; only a session in progress can be"
                            " completed")
        self.execute("UPDATE sessions SET status = 'completed', completion_percent = ?, notes = ? WHERE session_id"
                     " = ?", completion_percent, notes, session_id)
        duration = session["duration"]
        if duration is None:
            duration = self._meditation(session["meditation_id"])["duration"]  # raises the error
        stats = self._stats(session["user_id"], "all")
        return {"logged": True, "session_id": session_id, "minutes": round(duration * completion_percent / 100),
                "counted": completion_percent >= 50,
                "stats_updated": {k: stats[k] for k in ("total_sessions", "total_minutes", "current_streak")},
                "insights": f"{stats['current_streak']}-day streak" if stats["current_streak"] else "no streak yet"}

    @tool(writes=True, phrase=["abandon {session_id}", "stop {session_id} without finishing it"])
    def abandon_meditation_session(self, session_id: str) -> Abandoned:
        """Stop a session in progress without counting it.

        Args:
            session_id: The session to stop.
        """
        status = self.require("SELECT status FROM sessions WHERE session_id = ?", session_id,
                              error=f"no session '{session_id}'")["status"]
        if status != "in_progress":
            raise ToolError(f"session '{session_id}' is {status}; only a session in progress can be abandoned")
        self.execute("UPDATE sessions SET status = 'abandoned' WHERE session_id = ?", session_id)
        return {"session_id": session_id, "status": "abandoned"}

    @tool(phrase=["show the meditation stats of {user_id}[ for the last {period}]",
                  "check how {user_id} is doing with meditation[ this {period}]"])
    def get_meditation_stats(self, user_id: UserId, period: Literal["week", "month", "all"] = "all") -> Stats:
        """A member's counted sessions, minutes, streaks, favourite category and milestones over a period.

        Args:
            user_id: The member's user id.
            period: The last 7 days, the last 30 days or all time.
        """
        self._member(user_id)
        return self._stats(user_id, period)

    def _stats(self, user_id: str, period: str) -> Stats:
        now = self.now()
        since = (now - dt.timedelta(days={"week": 7, "month": 30, "all": 100000}[period])).strftime(
            "%Y-%m-%dT%H:%M")
        # every counted session in start order: the period's ones (with their meditation) and the streak days
        counted = self.conn.execute(
            "SELECT s.started_at, m.category, m.duration * s.completion_percent / 100 FROM sessions s LEFT JOIN"
            " meditations m USING (meditation_id) WHERE s.user_id = ? AND s.status = 'completed' AND"
            " s.completion_percent >= 50", (user_id,)).fetchall()
        done = [{"category": c, "minutes": m} for at, c, m in counted if c is not None and at >= since]
        current, longest = streaks({at[:10] for at, _, _ in counted}, now.date())
        minutes = round(sum(r["minutes"] for r in done))
        counts: dict[str, int] = {}
        for r in done:
            counts[r["category"]] = counts.get(r["category"], 0) + 1
        favorite = min(counts, key=lambda c: (-counts[c], c)) if counts else "none yet"
        total = len(done)
        return {"user_id": user_id, "period": period, "total_sessions": total, "total_minutes": minutes,
                "current_streak": current, "longest_streak": longest, "favorite_category": favorite,
                "average_session_length": round(minutes / total, 1) if total else 0.0,
                "milestones_achieved": [m for n, m in MILESTONES if total >= n]
                + [m for n, m in STREAK_MILESTONES if longest >= n],
                "mindfulness_score": min(100, total * 2 + current * 5)}
