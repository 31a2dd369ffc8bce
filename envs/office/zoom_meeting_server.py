"""ZoomMeetingServer: a Zoom account's hosts, scheduled and recurring meetings, and cloud recordings."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from typing import Annotated, Any, Literal, get_args

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: Longest meeting a host's plan allows, in minutes (Basic meetings end after 40 minutes).
PLAN_MINUTES = {"basic": 40, "pro": 1800, "business": 1800}
STEP = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(weeks=1), "monthly": dt.timedelta(days=28)}
INTERNAL = ["weekly sync", "sprint planning", "design review", "all hands", "office hours", "training session",
            "incident postmortem", "standup", "budget review", "roadmap review", "retro", "1:1"]
EXTERNAL = ["Customer onboarding", "Vendor demo", "Quarterly business review", "Partner check-in",
            "Contract negotiation", "Product demo", "Candidate interview"]
TEAMS = ["Platform", "Growth", "Mobile", "Finance", "Sales EMEA", "Support", "Data", "Design", "Marketing", "People",
         "Legal", "Security", "Infra", "Checkout"]
FILES = [("MP4", "shared_screen_with_speaker_view", 9_000_000), ("M4A", "audio_only", 900_000),
         ("TRANSCRIPT", "audio_transcript", 20_000), ("CHAT", "chat_file", 3_000)]
Host = Annotated[str, UserKnown, Field(min_length=3)]
Timezone = Literal["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
                   "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney"]
StartTime = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")]
Passcode = Annotated[str, Field(pattern=r"^[A-Za-z0-9@_*-]{1,10}$")]
Minutes = Annotated[int, Field(ge=1, le=1800)]


Occurrence = TypedDict("Occurrence", {"occurrence_id": str, "start_time": str, "status": str})
Settings = TypedDict("Settings", {"waiting_room": bool, "join_before_host": bool, "mute_upon_entry": bool,
                                  "auto_recording": str})
MeetingSummary = TypedDict("MeetingSummary", {"meeting_id": int, "topic": str, "type": str, "start_time": str,
                                              "duration": int, "timezone": str, "status": str})
Meeting = TypedDict("Meeting", {**MeetingSummary.__annotations__, "host_id": str, "password": str, "join_url": str,
                                "start_url": str, "recurrence": str | None, "settings": Settings,
                                "occurrences": list[Occurrence]})
Meetings = TypedDict("Meetings", {"meetings": list[MeetingSummary], "total_records": int})
RecordingFile = TypedDict("RecordingFile", {"id": str, "file_type": str, "recording_type": str, "file_size": int,
                                            "play_url": str})
RecordingSummary = TypedDict("RecordingSummary", {"meeting_id": int, "topic": str, "recording_start": str,
                                                  "duration": int, "total_size": int, "recording_count": int})
Recording = TypedDict("Recording", {**RecordingSummary.__annotations__, "status": str,
                                    "recording_files": list[RecordingFile]})
Recordings = TypedDict("Recordings", {"recordings": list[RecordingSummary], "total_records": int})
Done = TypedDict("Done", {"success": bool, "message": str})


def occurrence_id(start: dt.datetime) -> str:
    """Zoom names an occurrence by its start time in epoch milliseconds."""
    return str(calendar.timegm(start.timetuple()) * 1000)


def topic(rng: random.Random, fake: Any) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(TEAMS)} {rng.choice(INTERNAL)}"
    return f"{rng.choice(EXTERNAL)}: {fake.company()}"


def join_url(meeting_id: int, password: str) -> str:
    return f"https://us06web.zoom.us/j/{meeting_id}?pwd={password}"


class ZoomMeetingServer(World):
    """A company Zoom account: hosts (identified by their email address, each on a Basic, Pro or Business plan),
    their scheduled and recurring meetings (times 'YYYY-MM-DDTHH:MM:SS' in the meeting's timezone) and the cloud
    recordings of past meetings (sizes in bytes). Deleted recordings go to the trash, from which they can be
    recovered; Basic hosts have no cloud recording and 40-minute meetings."""

    domain = "Office"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT NOT NULL, timezone TEXT NOT NULL);
    CREATE TABLE meetings (meeting_id INTEGER PRIMARY KEY, host_id TEXT NOT NULL REFERENCES users,
                           topic TEXT NOT NULL, type TEXT NOT NULL, start_time TEXT NOT NULL, duration INTEGER NOT NULL,
                           timezone TEXT NOT NULL, password TEXT NOT NULL, status TEXT NOT NULL,
                           recurrence TEXT, waiting_room INTEGER NOT NULL, join_before_host INTEGER NOT NULL,
                           mute_upon_entry INTEGER NOT NULL, auto_recording TEXT NOT NULL);
    CREATE INDEX meetings_by_host ON meetings (host_id, status, start_time);
    CREATE TABLE occurrences (occurrence_id TEXT NOT NULL, meeting_id INTEGER NOT NULL REFERENCES meetings,
                              start_time TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (meeting_id, occurrence_id));
    CREATE TABLE recordings (meeting_id INTEGER PRIMARY KEY, host_id TEXT NOT NULL REFERENCES users,
                             topic TEXT NOT NULL, recording_start TEXT NOT NULL, duration INTEGER NOT NULL,
                             status TEXT NOT NULL);
    CREATE INDEX recordings_by_host ON recordings (host_id, status, recording_start);
    CREATE TABLE recording_files (id TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL REFERENCES recordings,
                                  file_type TEXT NOT NULL, recording_type TEXT NOT NULL, file_size INTEGER NOT NULL);
    CREATE INDEX files_by_meeting ON recording_files (meeting_id);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users, meetings, occurrences, recordings, files = [], [], [], [], []
        domain = fake.domain_name()
        for plan in ["business"] * 3 + ["pro"] * 5 + ["basic"] * 4:
            first, last = fake.unique.first_name(), fake.unique.last_name()
            users.append({"user_id": f"{first}.{last}@{domain}".lower(), "name": f"{first} {last}", "plan": plan,
                          "timezone": rng.choice(get_args(Timezone))})
        taken: set[int] = set()
        for _ in range(110):
            host = rng.choice(users)
            meeting_id = rng.randrange(81_000_000_000, 99_999_999_999)
            if meeting_id in taken:
                continue
            taken.add(meeting_id)
            past = rng.random() < 0.35
            day = cls.days_before_start(rng, 1, 60) if past else (cls.start_time + dt.timedelta(
                days=rng.randrange(1, 45))).date()
            start = dt.datetime.combine(day, dt.time(rng.randrange(7, 18), rng.choice([0, 15, 30, 45])))
            recurrence = None if past or rng.random() < 0.7 else rng.choice(list(STEP))
            limit = PLAN_MINUTES[host["plan"]]
            recorded = host["plan"] != "basic" and rng.random() < 0.6
            meetings.append({
                "meeting_id": meeting_id, "host_id": host["user_id"],
                "topic": topic(rng, fake), "start_time": start.strftime(TIME_FORMAT),
                "type": "recurring" if recurrence else "scheduled", "timezone": host["timezone"],
                "duration": min(limit, rng.choice([30, 45, 60, 90])), "status": "ended" if past else "waiting",
                "password": fake.password(length=8, special_chars=False), "recurrence": recurrence,
                "waiting_room": rng.random() < 0.6, "join_before_host": rng.random() < 0.3,
                "mute_upon_entry": rng.random() < 0.5, "auto_recording": "cloud" if recorded else "none"})
            for n in range(rng.randrange(4, 9) if recurrence else 0):
                at = start + STEP[recurrence] * n
                occurrences.append({"occurrence_id": occurrence_id(at), "meeting_id": meeting_id,
                                    "start_time": at.strftime(TIME_FORMAT), "status": "available"})
            if past and recorded:
                row = meetings[-1]
                recordings.append({k: row[k] for k in ("meeting_id", "host_id", "topic", "duration")}
                                  | {"recording_start": row["start_time"], "status": "trashed" if rng.random() < 0.25 else "completed"})
                for kind, use, size in FILES[:rng.randrange(2, 5)]:
                    files.append({"id": fake.uuid4(), "meeting_id": meeting_id, "file_type": kind,
                                  "recording_type": use, "file_size": size * row["duration"] + rng.randrange(9999)})
        for name, rows in (("users", users), ("meetings", meetings), ("occurrences", occurrences),
                           ("recordings", recordings), ("recording_files", files)):
            db[name].insert_all(rows)

    # ------------------------------------------------------------------ helpers
    def _host(self, user_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM users WHERE user_id = ?", user_id.strip().lower(),
                            error=f"no Zoom user '{user_id}' on this account; give the host's email address")

    def _meeting(self, meeting_id: int) -> Meeting:
        row = self.require("SELECT * FROM meetings WHERE meeting_id = ?", meeting_id,
                           error=f"meeting {meeting_id} does not exist; list_meetings shows a host's meetings")
        settings = {k: bool(row.pop(k)) for k in ("waiting_room", "join_before_host", "mute_upon_entry")}
        row["settings"] = {**settings, "auto_recording": row.pop("auto_recording")}
        row["join_url"] = join_url(meeting_id, row["password"])
        row["start_url"] = f"https://us06web.zoom.us/s/{meeting_id}"
        row["occurrences"] = self.rows("SELECT occurrence_id, start_time, status FROM occurrences"
                                       " WHERE meeting_id = ? ORDER BY start_time", meeting_id)
        return row

    def _start(self, value: str) -> str:
        start = dt.datetime.fromisoformat(value)
        if start.date() < self.now().date():
            raise ToolError(f"start_time {value} is in the past; give a future date and time")
        return start.strftime(TIME_FORMAT)

    def _duration(self, host: dict[str, Any], minutes: int) -> int:
        if minutes > PLAN_MINUTES[host["plan"]]:
            raise ToolError(f"{host['user_id']} is on the {host['plan'].title()} plan, which limits meetings to "
                            f"{PLAN_MINUTES[host['plan']]} minutes; shorten the meeting or upgrade the plan")
        return minutes

    def _recording(self, meeting_id: int, status: str = "completed") -> dict[str, Any]:
        found = self.require("SELECT * FROM recordings WHERE meeting_id = ?", meeting_id,
                             error=f"meeting {meeting_id} has no cloud recording; list_recordings shows them")
        if found["status"] != status:
            raise ToolError(f"the recording of meeting {meeting_id} is in the trash; recover_recording restores it"
                            if found["status"] == "trashed" else f"the recording of meeting {meeting_id} is not in"
                            " the trash")
        return found

    def _summary(self, recording: dict[str, Any]) -> RecordingSummary:
        size, count = self.conn.execute("SELECT COALESCE(SUM(file_size), 0), COUNT(*) FROM recording_files"
                                        " WHERE meeting_id = ?", (recording["meeting_id"],)).fetchone()
        keys = ("meeting_id", "topic", "recording_start", "duration")
        return {**{k: recording[k] for k in keys}, "total_size": size, "recording_count": count}

    # -------------------------------------------------------------------- tools
    @tool(writes=True, phrase=[
        "schedule a Zoom meeting {topic} for {user_id} at {start_time}[ lasting {duration} minutes]"
        "[ in the {timezone} timezone][ with passcode {password}]",
        "set up a {recurrence} Zoom meeting called {topic} hosted by {user_id}, first one at {start_time}"
        "[, {duration} minutes long][, {end_times} sessions in all]",
        "book a Zoom call {topic} on {user_id}'s account for {start_time}[, {duration} minutes]"])
    def create_meeting(self, user_id: Host, topic: NonEmptyStr, start_time: StartTime, duration: Minutes = 60,
                       timezone: Timezone | None = None, password: Passcode | None = None,
                       recurrence: Literal["daily", "weekly", "monthly"] | None = None,
                       end_times: Annotated[int, Field(ge=1, le=60)] = 4) -> Meeting:
        """Schedule a meeting for a host; with a recurrence it becomes a recurring meeting with end_times occurrences.

        Args:
            user_id: The host's email address.
            topic: The meeting's title.
            start_time: First start, YYYY-MM-DDTHH:MM[:SS], in the meeting's timezone.
            duration: Length in minutes (Basic plan: at most 40).
            timezone: IANA timezone of start_time (the host's own by default).
            password: Passcode, up to 10 letters, digits or @ - _ * (generated when left out).
            recurrence: Repeat daily, weekly or monthly.
            end_times: Number of occurrences of a recurring meeting.
        """
        host = self._host(user_id)
        start = self._start(start_time)
        minutes = self._duration(host, duration)
        if self.row("SELECT 1 FROM meetings WHERE host_id = ? AND start_time = ? AND status = 'waiting'",
                    host["user_id"], start):
            raise ToolError(f"{host['user_id']} already hosts a meeting starting at {start}; pick another time")
        token = self.new_id("meetings", "zm")
        meeting_id = 81_000_000_000 + int(token[2:], 16) % 18_999_999_999
        self.mark_generated("meetings", meeting_id)
        self.execute("INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, 1, 0, 0, 'none')", meeting_id,
                     host["user_id"], topic.strip(), "recurring" if recurrence else "scheduled", start, minutes,
                     timezone or host["timezone"], password or token[-6:], recurrence)
        first = strptime(start, TIME_FORMAT)
        for n in range(end_times if recurrence else 0):
            at = first + STEP[recurrence] * n
            self.execute("INSERT INTO occurrences VALUES (?, ?, ?, 'available')", occurrence_id(at), meeting_id,
                         at.strftime(TIME_FORMAT))
        return self._meeting(meeting_id)

    @tool(phrase=["look up {meeting_id}", "get the join link and passcode of {meeting_id}"])
    def get_meeting(self, meeting_id: int) -> Meeting:
        """Get a meeting's details: time, passcode, join link, settings and the occurrences of a recurring one.

        Args:
            meeting_id: The meeting's numeric id.
        """
        return self._meeting(meeting_id)

    @tool(phrase=["list the {type} Zoom meetings of {user_id}", "show what Zoom meetings {user_id} has coming up"])
    def list_meetings(self, user_id: Host, type: Literal["scheduled", "upcoming", "previous_meetings"] = "upcoming",
                      page_size: Annotated[int, Field(ge=1, le=300)] = 30) -> Meetings:
        """List a host's meetings by start time: all scheduled ones, the upcoming ones or the previous (ended) ones.

        Args:
            user_id: The host's email address.
            type: scheduled (all), upcoming (not started yet) or previous_meetings (ended).
            page_size: At most this many meetings.
        """
        host = self._host(user_id)["user_id"]
        status = {"scheduled": None, "upcoming": "waiting", "previous_meetings": "ended"}[type]
        where = "host_id = ?1 AND (?2 IS NULL OR status = ?2)"
        found = self.rows("SELECT meeting_id, topic, type, start_time, duration, timezone, status FROM meetings"
                          f" WHERE {where} ORDER BY start_time, meeting_id LIMIT ?3", host, status, page_size)
        return {"meetings": found, "total_records": self.value(f"SELECT COUNT(*) FROM meetings WHERE {where}",
                                                               host, status)}

    @tool(writes=True, phrase=[
        "change {meeting_id}[ to the topic {topic}][ to start at {start_time}]"
        "[ to last {duration} minutes]",
        "move {meeting_id} to {start_time}", "make {meeting_id} {duration} minutes long",
        "rename {meeting_id} to {topic}", "set {meeting_id} to record automatically to the {auto_recording}"])
    def update_meeting(self, meeting_id: int, topic: NonEmptyStr | None = None, start_time: StartTime | None = None,
                       duration: Minutes | None = None, password: Passcode | None = None,
                       waiting_room: bool | None = None, join_before_host: bool | None = None,
                       mute_upon_entry: bool | None = None,
                       auto_recording: Literal["none", "local", "cloud"] | None = None) -> Meeting:
        """Change a meeting that has not ended yet: topic, time, length, passcode or settings; the rest is kept.

        Args:
            meeting_id: The meeting's numeric id.
            topic: New title.
            start_time: New start, YYYY-MM-DDTHH:MM[:SS] (a recurring meeting's remaining occurrences shift too).
            duration: New length in minutes.
            password: New passcode.
            waiting_room: Hold participants in a waiting room.
            join_before_host: Let participants join before the host.
            mute_upon_entry: Mute participants when they join.
            auto_recording: Record automatically: none, local or cloud (cloud needs a Pro or Business plan).
        """
        meeting = self._meeting(meeting_id)
        if meeting["status"] == "ended":
            raise ToolError(f"meeting {meeting_id} has already ended and cannot be changed; schedule a new one")
        host = self._host(meeting["host_id"])
        if auto_recording == "cloud" and host["plan"] == "basic":
            raise ToolError(f"cloud recording needs a Pro or Business plan; {host['user_id']} is on Basic")
        new = {"topic": topic and topic.strip(), "duration": duration and self._duration(host, duration),
               "start_time": start_time and self._start(start_time), "password": password,
               "waiting_room": waiting_room, "join_before_host": join_before_host,
               "mute_upon_entry": mute_upon_entry, "auto_recording": auto_recording}
        new = {k: v for k, v in new.items() if v is not None}
        if not new:
            raise ToolError("give at least one field to change")
        for column, value in new.items():
            self.execute(f"UPDATE meetings SET {column} = ? WHERE meeting_id = ?", value, meeting_id)
        if "start_time" in new and meeting["recurrence"]:
            shift = strptime(new["start_time"], TIME_FORMAT) - strptime(
                meeting["start_time"], TIME_FORMAT)
            self.execute("DELETE FROM occurrences WHERE meeting_id = ?", meeting_id)
            for occ in meeting["occurrences"]:
                at = strptime(occ["start_time"], TIME_FORMAT) + shift
                self.execute("INSERT INTO occurrences VALUES (?, ?, ?, ?)", occurrence_id(at), meeting_id,
                             at.strftime(TIME_FORMAT), occ["status"])
        return self._meeting(meeting_id)

    @tool(writes=True, phrase=["cancel {meeting_id}", "delete {meeting_id}",
                               "cancel only {occurrence_id} of {meeting_id}"])
    def delete_meeting(self, meeting_id: int, occurrence_id: str | None = None,
                       cancel_meeting_reminder: bool = False) -> Done:
        """Delete a meeting, or with occurrence_id only one occurrence of a recurring meeting.

        Args:
            meeting_id: The meeting's numeric id.
            occurrence_id: The occurrence to cancel (from get_meeting).
            cancel_meeting_reminder: Email the host and invitees that it was cancelled.
        """
        meeting = self._meeting(meeting_id)
        note = " and the invitees were notified" if cancel_meeting_reminder else ""
        if occurrence_id is not None:
            if not any(o["occurrence_id"] == occurrence_id and o["status"] == "available"
                       for o in meeting["occurrences"]):
                raise ToolError(f"meeting {meeting_id} has no occurrence '{occurrence_id}' left to cancel;"
                                " get_meeting lists its occurrences")
            self.execute("UPDATE occurrences SET status = 'deleted' WHERE meeting_id = ? AND occurrence_id = ?",
                         meeting_id, occurrence_id)
            return {"success": True, "message": f"occurrence {occurrence_id} of meeting {meeting_id} deleted{note}"}
        self.execute("DELETE FROM occurrences WHERE meeting_id = ?", meeting_id)
        self.execute("DELETE FROM meetings WHERE meeting_id = ?", meeting_id)
        return {"success": True, "message": f"meeting {meeting_id} deleted{note}"}

    @tool(phrase=["list the cloud recordings of {user_id}[ from {from_date}][ to {to}]",
                  "show which meetings of {user_id} were recorded[ since {from_date}]",
                  "show what is in the recordings trash of {user_id}"])
    def list_recordings(self, user_id: Host, from_date: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
                        = None, to: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
                        trash: bool = False, page_size: Annotated[int, Field(ge=1, le=300)] = 30) -> Recordings:
        """List a host's cloud recordings between two days, newest first (with trash=true: those in the trash).

        Args:
            user_id: The host's email address.
            from_date: First day, YYYY-MM-DD (default: 30 days ago).
            to: Last day, YYYY-MM-DD (default: today).
            trash: List the recordings in the trash instead.
            page_size: At most this many recordings.
        """
        host = self._host(user_id)["user_id"]
        first = from_date or (self.now() - dt.timedelta(days=30)).strftime("%Y-%m-%d")
        last = to or self.now().strftime("%Y-%m-%d")
        if last < first:
            raise ToolError("'to' must not be before the first day")
        found = self.rows("SELECT * FROM recordings WHERE host_id = ? AND status = ? AND recording_start >= ?"
                          " AND substr(recording_start, 1, 10) <= ? ORDER BY recording_start DESC LIMIT ?",
                          host, "trashed" if trash else "completed", first, last, page_size)
        return {"recordings": [self._summary(r) for r in found], "total_records": len(found)}

    @tool(phrase=["show the recorded files of {meeting_id}", "find out how big {meeting_id} is in the cloud"])
    def get_recording(self, meeting_id: int) -> Recording:
        """Get a meeting's cloud recording with its files (video, audio, transcript, chat) and sizes in bytes.

        Args:
            meeting_id: The meeting's numeric id.
        """
        recording = self._recording(meeting_id)
        files = self.rows("SELECT id, file_type, recording_type, file_size FROM recording_files WHERE meeting_id = ?"
                          " ORDER BY file_size DESC", meeting_id)
        for f in files:
            f["play_url"] = f"https://us06web.zoom.us/rec/play/{f['id']}"
        return {**self._summary(recording), "status": recording["status"], "recording_files": files}

    @tool(writes=True, phrase=["put {meeting_id} in the recordings trash", "{action} {meeting_id} from the cloud recordings"])
    def delete_recording(self, meeting_id: int, action: Literal["trash", "delete"] = "trash") -> Done:
        """Delete a meeting's cloud recording: move it to the trash (recoverable) or delete it permanently.

        Args:
            meeting_id: The meeting's numeric id.
            action: trash (recoverable for 30 days) or delete (permanent).
        """
        found = self.require("SELECT status FROM recordings WHERE meeting_id = ?", meeting_id,
                             error=f"meeting {meeting_id} has no cloud recording; list_recordings shows them")
        if action == "delete":
            self.execute("DELETE FROM recording_files WHERE meeting_id = ?", meeting_id)
            self.execute("DELETE FROM recordings WHERE meeting_id = ?", meeting_id)
            return {"success": True, "message": f"the recording of meeting {meeting_id} was deleted permanently"}
        if found["status"] == "trashed":
            raise ToolError(f"the recording of meeting {meeting_id} is already in the trash; use action 'delete'"
                            " to remove it for good")
        self.execute("UPDATE recordings SET status = 'trashed' WHERE meeting_id = ?", meeting_id)
        return {"success": True, "message": f"the recording of meeting {meeting_id} was moved to the trash"}

    @tool(writes=True, phrase=["restore {meeting_id} from the recordings trash", "recover {meeting_id} from the Zoom trash"])
    def recover_recording(self, meeting_id: int) -> Done:
        """Restore a cloud recording from the trash.

        Args:
            meeting_id: The meeting's numeric id.
        """
        self._recording(meeting_id, status="trashed")
        self.execute("UPDATE recordings SET status = 'completed' WHERE meeting_id = ?", meeting_id)
        return {"success": True, "message": f"the recording of meeting {meeting_id} was recovered"}
