"""Filesystem: a sandboxed tree of files and folders under allowed roots, with reading, editing, search and moves."""

from __future__ import annotations

import calendar
import base64
import datetime as dt
import difflib
import fnmatch
import json
import posixpath
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, paths_below, strptime

STAMP_FORMAT = "%Y-%m-%d %H:%M"
MAX_PATH_CHARS = 1024
MAX_CONTENT_CHARS = 100_000
MAX_RESULTS = 200
SHARED_ROOT = "/srv/shared"

PROJECTS = ["atlas", "harbor", "lumen", "orbit", "quill", "sprout", "tundra", "zephyr", "beacon", "cobalt"]
PACKAGES = ["requests", "flask", "numpy", "pandas", "sqlalchemy", "pydantic", "pytest", "click", "rich", "httpx"]
LOG_LEVELS = ["debug", "info", "warning", "error"]
SCRATCH_FILES = ["scratch.tmp", "debug-dump.tmp", "cache.tmp", "old-output.tmp", "session.tmp"]
CHORES = ["Renew passport", "Book dentist appointment", "Pay electricity bill", "Back up laptop",
          "Return library books", "Buy birthday gift for {name}", "Call {name} about the lease",
          "Submit expense report", "Fix bike tire", "Update CV", "Cancel gym trial", "Email {name} the slides"]
MEETINGS = ["budget-review", "design-sync", "sprint-planning", "vendor-demo", "hiring-debrief", "roadmap",
            "quarterly-kickoff", "customer-call"]
PHOTO_EVENTS = ["lisbon", "wedding", "hiking", "birthday", "concert", "graduation"]
ERRORS = ["Connection to db-{n}.internal timed out after {s}s", "Payment gateway returned HTTP {code}",
          "Worker {n} crashed: out of memory", "Invalid token for user {user}",
          "Failed to write report-{n}.pdf: disk full", "Queue {word} is full ({n} messages dropped)"]
INFOS = ["Request served in {n}ms", "Cache hit ratio {n}%", "Scheduled job {word} finished", "User {user} logged in",
         "Health check ok", "Loaded {n} records"]
CITIES = ["Lisbon", "Denver", "Austin", "Toronto", "Berlin", "Osaka", "Dublin", "Porto", "Seattle", "Lyon"]
EXPENSE_CATEGORIES = ["travel", "meals", "software", "office", "training"]

#: Leading bytes that identify binary formats (checked in order), and the MIME type they mean.
MAGIC = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"%PDF-", "application/pdf"),
         (b"PK\x03\x04", "application/zip"), (b"GIF89a", "image/gif")]

#: A path argument: absolute, '~'-based or relative to the home folder.
PathArg = Annotated[NonEmptyStr, Field(max_length=MAX_PATH_CHARS)]
Kind = Literal["file", "directory"]


def sniff(data: bytes) -> str:
    """The MIME type of binary content, from its leading bytes."""
    return next((mime for magic, mime in MAGIC if data.startswith(magic)), "application/octet-stream")


class Root(TypedDict):
    path: str
    label: str
    owner: str


class TextFile(TypedDict):
    path: str
    content: str
    total_lines: int


class MediaFile(TypedDict):
    path: str
    mime_type: str
    size: int
    data: str


class FileRead(TypedDict):
    """One file of read_multiple_files: its content, or why it could not be read."""

    path: str
    content: NotRequired[str]
    error: NotRequired[str]


class Written(TypedDict):
    path: str
    size: int
    created: bool


class Edited(TypedDict):
    path: str
    diff: str
    applied: bool


class CreatedDirectory(TypedDict):
    path: str
    created: bool


class DirectoryItem(TypedDict):
    name: str
    type: Kind
    size: int | None


class Moved(TypedDict):
    source: str
    destination: str
    moved: bool


class Copied(TypedDict):
    source: str
    destination: str
    size: int


class ContentHit(TypedDict):
    path: str
    line: int
    text: str


class TreeNode(TypedDict):
    """A node of directory_tree; a folder's children are nodes of the same shape (declared loosely: the tool
    graph does not follow self-referencing schemas)."""

    name: str
    type: Kind
    children: NotRequired[list[dict[str, Any]]]


class FileInfo(TypedDict):
    path: str
    type: Kind
    size: int
    created: str
    modified: str
    permissions: str
    items: NotRequired[int]


class Deleted(TypedDict):
    deleted: str


class DeletedDirectory(TypedDict):
    deleted: str
    entries_removed: int


class Filesystem(World):
    """A sandboxed file system: the user's home folder and a shared team folder ('~' and relative paths start at
    home); paths outside them are refused."""

    domain = "Utilities"
    schema = """
    CREATE TABLE roots (path TEXT PRIMARY KEY, label TEXT NOT NULL UNIQUE, owner TEXT NOT NULL);
    CREATE TABLE entries (path TEXT PRIMARY KEY, parent TEXT REFERENCES entries (path),
                          kind TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
                          content TEXT, data BLOB, size INTEGER NOT NULL DEFAULT 0,
                          writable INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL, modified TEXT NOT NULL,
                          CHECK (kind = 'file' OR (content IS NULL AND data IS NULL)));
    CREATE INDEX entries_parent ON entries (parent);
    """
    volatile = {"entries": ("created", "modified")}

    # ------------------------------------------------------------------ data
    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        first, last = fake.first_name(), fake.last_name()
        owner, home = f"{first} {last}", "/home/" + "".join(c for c in first.lower() if c.isalpha())
        people = [f"{fake.first_name()} {fake.last_name()}" for _ in range(8)]
        start = cls.start_time - dt.timedelta(days=60)
        entries: list[dict[str, Any]] = []

        def moment() -> dt.datetime:
            return start + dt.timedelta(minutes=rng.randrange(0, 58 * 24 * 60))

        def add(path: str, content: str | bytes | None = None, writable: bool = True,
                at: dt.datetime | None = None) -> None:
            """Add an entry, created and last changed at ``at`` when given, else at two random past moments."""
            created, modified = (at, at) if at else sorted((moment(), moment()))
            kind = "directory" if content is None else "file"
            text, data = (content, None) if isinstance(content, str) else (None, content)
            size = len(text.encode()) if text is not None else len(data or b"")
            entries.append({"path": path, "parent": None if path in roots else posixpath.dirname(path),
                            "kind": kind, "content": text, "data": data, "size": size, "writable": int(writable),
                            "created": f"{created:{STAMP_FORMAT}}", "modified": f"{modified:{STAMP_FORMAT}}"})

        def binary(mime: str, length: int) -> bytes:
            magic = next(m for m, kind in MAGIC if kind == mime)
            return magic + rng.randbytes(length)

        roots = [home, SHARED_ROOT]
        db["roots"].insert_all([{"path": home, "label": "home", "owner": owner},
                                {"path": SHARED_ROOT, "label": "shared", "owner": "team"}])
        for root in roots:
            add(root)
        for folder in ["projects", "notes", "notes/archive", "logs", "data", "pictures", "pictures/screenshots",
                       "documents"]:
            add(f"{home}/{folder}")

        projects = rng.sample(PROJECTS, 3)
        ports = rng.sample([3000, 5000, 8000, 8080, 8081, 8443, 9000, 9090], 3)
        for project, port in zip(projects, ports):
            base = f"{home}/projects/{project}"
            for folder in ["", "/src", "/tests", "/build"]:
                add(base + folder)
            add(f"{base}/README.md", f"# {project.title()}\n\n{fake.paragraph(nb_sentences=3)}\n\n"
                f"Maintainer: {rng.choice(people)}\n\n## Setup\n\n    pip install -r requirements.txt\n"
                f"    python src/main.py\n")
            config = {"name": project, "version": f"{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
                      "port": port, "debug": rng.random() < 0.5, "log_level": rng.choice(LOG_LEVELS[1:]),
                      "database": {"host": f"db-{rng.randint(1, 9)}.internal", "name": f"{project}_prod"}}
            add(f"{base}/config.json", json.dumps(config, indent=2) + "\n")
            add(f"{base}/requirements.txt", "".join(
                f"{p}=={rng.randint(1, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}\n"
                for p in sorted(rng.sample(PACKAGES, rng.randint(3, 5)))))
            helper = f"{fake.word()}_helper"
            add(f"{base}/src/main.py", f'"""Entry point of {project}."""\n\nfrom utils import {helper}\n\n\n'
                f"def main() -> None:\n    print({helper}(\"{project} listening on port {port}\"))\n\n\n"
                f'if __name__ == "__main__":\n    main()\n')
            add(f"{base}/src/utils.py", f'def {helper}(value):\n    """{fake.sentence()}"""\n    return value\n')
            add(f"{base}/tests/test_main.py", "def test_starts():\n    assert True\n")
            add(f"{base}/build/{project}-{config['version']}.zip", binary("application/zip", rng.randint(60, 200)))
            add(f"{base}/build/build.log", f"Built {project} {config['version']} in {rng.randint(5, 90)}s\n")
            for scratch in rng.sample(SCRATCH_FILES, rng.randint(2, 3)):
                add(f"{base}/{rng.choice(['', 'src/'])}{scratch}", fake.text(max_nb_chars=80))

        chores = [c.format(name=rng.choice(people).split()[0]) for c in rng.sample(CHORES, 8)]
        add(f"{home}/notes/todo.md", "# To do\n\n" + "".join(
            f"- [{'x' if i % 3 == 2 else ' '}] {chore}\n" for i, chore in enumerate(chores)))
        add(f"{home}/notes/ideas.txt", "\n".join(fake.sentence() for _ in range(5)) + "\n")
        add(f"{home}/notes/wifi.txt", f"Home network: {fake.word()}-{rng.randint(10, 99)}\n"
            f"Password: {fake.password(length=12, special_chars=False)}\n")
        for index, meeting in enumerate(rng.sample(MEETINGS, 5)):
            held = cls.start_time.replace(hour=rng.randint(10, 18)) - dt.timedelta(days=rng.randint(3, 50))
            day = f"{held:%Y-%m-%d}"
            attendees = rng.sample(people, 3)
            folder = "notes/archive" if index == 0 else "notes"
            add(f"{home}/{folder}/{day}-{meeting}.md",
                f"# {meeting.replace('-', ' ').title()}\n\nDate: {day}\nAttendees: {', '.join(attendees)}\n\n"
                f"## Notes\n\n- {fake.sentence()}\n- {fake.sentence()}\n\n## Action items\n\n"
                f"- [ ] {attendees[0]} to send the {fake.word()} {rng.choice(['draft', 'numbers', 'plan'])}"
                f" by {calendar.day_name[rng.randrange(7)]}\n", at=held)

        for project in projects:
            for offset in sorted(rng.sample(range(1, 10), rng.randint(3, 4)), reverse=True):
                day = (cls.start_time - dt.timedelta(days=offset)).strftime("%Y-%m-%d")
                lines = []
                logged = strptime(day, "%Y-%m-%d") + dt.timedelta(hours=8)
                for line in range(rng.randint(6, 12)):
                    logged += dt.timedelta(seconds=rng.randint(30, 3000))
                    error = line % 4 == 1
                    message = rng.choice(ERRORS if error else INFOS).format(
                        n=rng.randint(2, 999), s=rng.choice([10, 30, 60]), code=rng.choice([500, 502, 503]),
                        user=fake.user_name(), word=fake.word())
                    lines.append(f"{logged:%Y-%m-%d %H:%M:%S} {'ERROR' if error else 'INFO'} {message}\n")
                add(f"{home}/logs/{project}-{day}.log", "".join(lines), at=logged)

        customers = [("id", "name", "email", "city")] + [
            (str(1000 + i), name, f"{name.lower().replace(' ', '.').replace(chr(39), '')}@{fake.free_email_domain()}",
             rng.choice(CITIES))
            for i, name in enumerate(sorted({f"{fake.first_name()} {fake.last_name()}" for _ in range(12)}))]
        add(f"{home}/data/customers.csv", "".join(",".join(row) + "\n" for row in customers))
        add(f"{home}/data/sales_2025.csv", "month,region,units,revenue\n" + "".join(
            f"2025-{m:02d},{rng.choice(['north', 'south', 'east', 'west'])},{rng.randint(50, 900)},"
            f"{rng.randint(1000, 90000)}.00\n" for m in range(1, 13)))
        add(f"{home}/data/expenses_2026-02.csv", "date,category,amount,vendor\n" + "".join(
            f"2026-02-{rng.randint(1, 28):02d},{rng.choice(EXPENSE_CATEGORIES)},{rng.randint(5, 900)}."
            f"{rng.randint(0, 99):02d},{fake.company().replace(',', '')}\n" for _ in range(rng.randint(6, 18))))

        for event in rng.sample(PHOTO_EVENTS, 2):
            for number in range(1, rng.randint(3, 5)):
                add(f"{home}/pictures/{event}-{number:02d}.jpg", binary("image/jpeg", rng.randint(100, 400)))
        add(f"{home}/pictures/profile.png", binary("image/png", rng.randint(100, 300)))
        for _ in range(2):
            taken = moment()
            add(f"{home}/pictures/screenshots/Screenshot {taken:%Y-%m-%d %H.%M}.png",
                binary("image/png", rng.randint(80, 200)), at=taken)

        add(f"{home}/documents/cover-letter.txt", f"Dear hiring manager,\n\n{fake.paragraph(nb_sentences=4)}\n\n"
            f"Kind regards,\n{owner}\n")
        add(f"{home}/documents/resume.pdf", binary("application/pdf", rng.randint(200, 500)))
        add(f"{home}/documents/scan-{rng.randint(1000, 9999)}", binary(rng.choice(["application/pdf", "image/png",
                                                                                  "image/jpeg"]), 150))
        add(f"{home}/documents/invoice-{rng.randint(100, 999)}.pdf", binary("application/pdf", rng.randint(100, 300)))

        add(f"{SHARED_ROOT}/templates", writable=False)
        add(f"{SHARED_ROOT}/templates/weekly-report.md", "# Weekly report: week {{week}}\n\nAuthor: {{author}}\n\n"
            "## Done\n\n## Next\n\n## Blockers\n", writable=False)
        add(f"{SHARED_ROOT}/templates/meeting-notes.md", "# {{title}}\n\nDate: {{date}}\nAttendees:\n\n## Notes\n\n"
            "## Action items\n", writable=False)
        add(f"{SHARED_ROOT}/reports")
        for week in range(5, 9):
            friday = dt.datetime.combine(dt.date.fromisocalendar(2026, week, 5), dt.time(16, 30))
            add(f"{SHARED_ROOT}/reports/weekly-2026-w{week:02d}.md", f"# Weekly report: week {week}\n\n"
                f"Author: {rng.choice(people)}\n\n## Done\n\n- {fake.sentence()}\n\n## Next\n\n- {fake.sentence()}\n\n"
                "## Blockers\n\nNone\n", at=friday)
        db["entries"].insert_all(entries)

    # --------------------------------------------------------------- helpers
    def _resolve(self, path: str) -> str:
        """The normalized absolute form of a path inside an allowed root ('~' and relative paths mean home)."""
        return self._resolve_in(path)[0]

    def _root_rows(self) -> list[dict[str, Any]]:
        """The allowed roots with their labels, in label order (no tool changes them)."""
        return self.rows("SELECT path, label FROM roots ORDER BY label")

    def _resolve_in(self, path: str, found: list[dict[str, Any]] | None = None) -> tuple[str, list[str]]:
        """:meth:`_resolve`'s path, and the allowed roots (in label order); ``found``: :meth:`_root_rows`, when
        already read in this call."""
        raw = path.strip()
        if "\x00" in raw:
            raise ToolError("invalid path: it must not contain NUL bytes")
        if found is None:
            found = self._root_rows()
        home = next((r["path"] for r in found if r["label"] == "home"), None)
        if raw == "~" or raw.startswith("~/"):
            raw = home + raw[1:]
        elif not raw.startswith("/"):
            raw = f"{home}/{raw}"
        normal = "/" + posixpath.normpath(raw).lstrip("/")
        roots = [r["path"] for r in found]
        if not any(normal == root or normal.startswith(root + "/") for root in roots):
            raise ToolError(f"access denied: {normal} is outside the allowed directories ({', '.join(roots)})")
        return normal, roots

    def _entry(self, path: str, found: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        resolved = self._resolve_in(path, found)[0]
        return self.require("SELECT * FROM entries WHERE path = ?", resolved,
                            error=f"no such file or directory: {resolved}")

    def _file(self, path: str, found: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        entry = self._entry(path, found)
        if entry["kind"] != "file":
            raise ToolError(f"{entry['path']} is a directory, not a file; list_directory shows its contents")
        return entry

    def _text_file(self, path: str, found: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        entry = self._file(path, found)
        if entry["content"] is None:
            raise ToolError(f"{entry['path']} is a binary file ({sniff(entry['data'])}); "
                            "read_media_file returns its bytes")
        return entry

    def _directory(self, path: str) -> dict[str, Any]:
        entry = self._entry(path)
        if entry["kind"] != "directory":
            raise ToolError(f"{entry['path']} is a file, not a directory")
        return entry

    def _check_writable(self, entry: dict[str, Any]) -> None:
        if not entry["writable"]:
            raise ToolError(f"permission denied: {entry['path']} is read-only")

    def _free_path(self, path: str) -> str:
        """A resolved path where a new entry may be created: it does not exist, its parent is a writable folder."""
        resolved, roots = self._resolve_in(path)
        return self._check_free(resolved, roots, self._free_row(resolved))

    def _free_row(self, resolved: str) -> dict[str, Any]:
        """The kind of the entry at a resolved path (``takenKind``, NULL when there is none) and the columns of its
        parent folder's entry (NULLs when there is none), in one row."""
        return self.row("SELECT (SELECT kind FROM entries WHERE path = ?1) AS takenKind, p.* FROM (SELECT 1)"
                        " LEFT JOIN entries p ON p.path = ?2", resolved, posixpath.dirname(resolved))

    def _check_free(self, resolved: str, roots: list[str], found: dict[str, Any]) -> str:
        """:meth:`_free_path`'s checks of a resolved path, given the roots and its :meth:`_free_row`."""
        if resolved in roots:
            raise ToolError(f"{resolved} is an allowed root and always exists")
        if found["takenKind"] is not None:
            raise ToolError(f"{resolved} already exists; choose another name or remove it first")
        parent = posixpath.dirname(resolved)
        if found["path"] is None:
            raise ToolError(f"parent directory {parent} does not exist; create_directory creates it first")
        if found["kind"] != "directory":
            raise ToolError(f"parent {parent} is a file, not a directory")
        self._check_writable(found)
        return resolved

    def _removable(self, path: str, found: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """An entry that may be deleted or moved away: not a root, writable, in a writable folder. (Its parent's
        path is an entry path, already resolved; the entry comes with ``parentPath`` and ``parentWritable``.)"""
        resolved = self._resolve_in(path, found)[0]
        entry = self.require("SELECT e.*, p.path AS parentPath, p.writable AS parentWritable FROM entries e"
                             " LEFT JOIN entries p ON p.path = e.parent WHERE e.path = ?", resolved,
                             error=f"no such file or directory: {resolved}")
        if entry["parent"] is None:
            raise ToolError(f"{entry['path']} is an allowed root and cannot be moved or deleted")
        self._check_writable(entry)
        if entry["parentPath"] is None:
            raise ToolError(f"no such file or directory: {entry['parent']}")
        self._check_writable({"path": entry["parentPath"], "writable": entry["parentWritable"]})
        return entry

    def _stamp(self) -> str:
        return self.now().strftime(STAMP_FORMAT)

    def _insert(self, path: str, kind: str, content: str | None = None, data: bytes | None = None) -> None:
        size = len(content.encode()) if content is not None else len(data or b"")
        stamp = self._stamp()
        self.execute("INSERT INTO entries (path, parent, kind, content, data, size, created, modified)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", path, posixpath.dirname(path), kind, content, data, size,
                     stamp, stamp)

    def _set_content(self, path: str, content: str) -> None:
        self.execute("UPDATE entries SET content = ?, data = NULL, size = ?, modified = ? WHERE path = ?",
                     content, len(content.encode()), self._stamp(), path)

    def _descendants(self, path: str, columns: str) -> list[dict[str, Any]]:
        """``columns`` (trusted SQL) of every entry below a folder, in path order."""
        return self.rows(f"SELECT {columns} FROM entries WHERE path >= ? AND path < ? ORDER BY path",
                         *paths_below(path))

    @staticmethod
    def _check_content(content: str) -> None:
        if len(content) > MAX_CONTENT_CHARS:
            raise ToolError(f"content is too large: {len(content)} characters, at most {MAX_CONTENT_CHARS}")

    @staticmethod
    def _excluded(relative: str, patterns: list[str]) -> bool:
        """Whether a path relative to the search folder, or one of its folders, matches an exclude pattern."""
        if not patterns:
            return False
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(fnmatch.fnmatchcase(part, p) or fnmatch.fnmatchcase(prefix, p)
                   for p in patterns for part, prefix in zip(parts, prefixes))

    def _info(self, entry: dict[str, Any]) -> FileInfo:
        info: FileInfo = {"path": entry["path"], "type": entry["kind"], "size": entry["size"],
                          "created": entry["created"], "modified": entry["modified"],
                          "permissions": "rw-r--r--" if entry["writable"] else "r--r--r--"}
        if entry["kind"] == "directory":
            info["permissions"] = "rwxr-xr-x" if entry["writable"] else "r-xr-xr-x"
            info["items"] = self.value("SELECT COUNT(*) FROM entries WHERE parent = ?", entry["path"])
        return info

    # ----------------------------------------------------------------- tools
    @tool(phrase=["list the folders you are allowed to access", "show me which root folders you can reach"])
    def list_allowed_directories(self) -> list[Root]:
        """List the root folders this file system may access (and their owners); every path must lie inside one."""
        return self.rows("SELECT path, label, owner FROM roots ORDER BY label")

    @tool(phrase=[
        "read {path}",
        "open the text file {path}",
        "read {path} up to line {head}",
        "show me the last {tail} line(s) of {path}",
    ])
    def read_text_file(self, path: PathArg, head: Annotated[int, Field(ge=1)] | None = None,
                       tail: Annotated[int, Field(ge=1)] | None = None) -> TextFile:
        """Read a text file, whole or only its first or last lines.

        Args:
            path: The file's path (absolute, or relative to the home folder).
            head: Only the first this many lines.
            tail: Only the last this many lines.
        """
        if head is not None and tail is not None:
            raise ToolError("give head or tail, not both")
        entry = self._text_file(path)
        lines = entry["content"].splitlines(keepends=True)
        chosen = lines[:head] if head is not None else lines[-tail:] if tail is not None else lines
        return {"path": entry["path"], "content": "".join(chosen), "total_lines": len(lines)}

    @tool(phrase=["open the binary file {path}", "load {path} as a media file"])
    def read_media_file(self, path: PathArg) -> MediaFile:
        """Read a binary file (image, PDF, archive) as base64 with its MIME type, detected from its content.

        Args:
            path: The file's path (absolute, or relative to the home folder).
        """
        entry = self._file(path)
        if entry["data"] is None:
            raise ToolError(f"{entry['path']} is a text file; read_text_file returns its content")
        return {"path": entry["path"], "mime_type": sniff(entry["data"]), "size": entry["size"],
                "data": base64.b64encode(entry["data"]).decode("ascii")}

    @tool(phrase=["read the contents of {paths}", "pull up {paths} for me"])
    def read_multiple_files(self, paths: Annotated[list[PathArg], Field(min_length=1, max_length=20)]
                            ) -> list[FileRead]:
        """Read several text files at once; a file that cannot be read gets an error entry instead of content.

        Args:
            paths: The files' paths (at most 20).
        """
        results: list[FileRead] = []
        found = self._root_rows()
        for path in paths:
            try:
                entry = self._text_file(path, found)
            except ToolError as exc:
                results.append({"path": path, "error": str(exc)})
            else:
                results.append({"path": entry["path"], "content": entry["content"]})
        return results

    @tool(writes=True, phrase=["write a file at {path} containing {content}", "save {content} to the file {path}"])
    def write_file(self, path: PathArg, content: Annotated[str, Field(max_length=MAX_CONTENT_CHARS)]) -> Written:
        """Create a text file, or replace the whole content of an existing one.

        Args:
            path: The file's path; its folder must exist.
            content: The complete new content.
        """
        resolved, roots = self._resolve_in(path)
        existing = self.row("SELECT * FROM entries WHERE path = ?", resolved)
        if existing is None:
            self._insert(self._check_free(resolved, roots, self._free_row(resolved)), "file", content=content)
        else:
            if existing["kind"] != "file":
                raise ToolError(f"{resolved} is a directory, not a file")
            self._check_writable(existing)
            self._set_content(resolved, content)
        return {"path": resolved, "size": len(content.encode()), "created": existing is None}

    @tool(writes=True, phrase=[
        "in {path}, replace {oldText} with {newText}",
        "edit {path} so that {oldText} becomes {newText}",
    ])
    def edit_file(self, path: PathArg, oldText: Annotated[str, Field(min_length=1)], newText: str,
                  dryRun: bool = False) -> Edited:
        """Replace one exact occurrence of a piece of text in a text file; returns a unified diff of the change.

        The match is exact (case, spaces and line breaks included) and must be unique: include surrounding
        text when the piece occurs more than once.

        Args:
            path: The file's path.
            oldText: The text to replace, exactly as it appears in the file.
            newText: The replacement text (may be empty to delete oldText).
            dryRun: Only show the diff, do not change the file.
        """
        entry = self._text_file(path)
        if oldText == newText:
            raise ToolError("newText is identical to oldText; nothing would change")
        content = entry["content"]
        count = content.count(oldText)
        if count == 0:
            raise ToolError(f"oldText was not found in {entry['path']}; the match is exact (case, spaces, line "
                            "breaks), read_text_file shows the current content")
        if count > 1:
            lines, start = [], content.find(oldText)
            while start != -1:
                lines.append(str(content.count("\n", 0, start) + 1))
                start = content.find(oldText, start + 1)
            raise ToolError(f"oldText occurs {count} times in {entry['path']} (lines {', '.join(lines)}); "
                            "include more surrounding text so that it matches exactly once")
        if not dryRun:
            self._check_writable(entry)
        updated = content.replace(oldText, newText, 1)
        self._check_content(updated)
        diff = "".join(difflib.unified_diff(content.splitlines(keepends=True), updated.splitlines(keepends=True),
                                            fromfile=entry["path"], tofile=entry["path"]))
        if not dryRun:
            self._set_content(entry["path"], updated)
        return {"path": entry["path"], "diff": diff, "applied": not dryRun}

    @tool(writes=True, phrase=["create a folder at {path}", "make a new directory {path}"])
    def create_directory(self, path: PathArg) -> CreatedDirectory:
        """Create a folder; its parent folder must already exist.

        Args:
            path: The new folder's path.
        """
        resolved = self._free_path(path)
        self._insert(resolved, "directory")
        return {"path": resolved, "created": True}

    @tool(phrase=["list what is in {path}", "show me the contents of {path}"])
    def list_directory(self, path: PathArg) -> list[DirectoryItem]:
        """List a folder's direct contents: name, type, and size in bytes for files.

        Args:
            path: The folder's path.
        """
        folder = self._directory(path)
        return [{"name": posixpath.basename(r["path"]), "type": r["kind"],
                 "size": r["size"] if r["kind"] == "file" else None}
                for r in self.rows("SELECT path, kind, size FROM entries WHERE parent = ? ORDER BY path",
                                   folder["path"])]

    @tool(writes=True, phrase=["move {source} to {destination}", "rename {source} to {destination}"])
    def move_file(self, source: PathArg, destination: PathArg) -> Moved:
        """Move or rename a file or folder (with everything inside it); never overwrites an existing entry.

        Args:
            source: The current path.
            destination: The full new path, including the name (its folder must exist).
        """
        found = self._root_rows()
        entry = self._removable(source, found)
        target, roots = self._resolve_in(destination, found)
        if target == entry["path"]:
            raise ToolError("source and destination are the same path")
        if target.startswith(entry["path"] + "/"):
            raise ToolError(f"cannot move {entry['path']} into itself")
        free = self._free_row(target)
        if free["takenKind"] == "directory":
            raise ToolError(f"{target} already exists; to move into that folder give the full new path, "
                            f"e.g. {target}/{posixpath.basename(entry['path'])}")
        self._check_free(target, roots, free)
        stamp = self._stamp()
        self.execute("UPDATE entries SET path = ?, parent = ?, modified = ? WHERE path = ?",
                     target, posixpath.dirname(target), stamp, entry["path"])
        self.executemany("UPDATE entries SET path = ?, parent = ? WHERE path = ?", [
            (target + row["path"][len(entry["path"]):], target + row["parent"][len(entry["path"]):], row["path"])
            for row in self._descendants(entry["path"], "path, parent")])
        return {"source": entry["path"], "destination": target, "moved": True}

    @tool(writes=True, phrase=["copy {source} to {destination}", "make a copy of {source} at {destination}"])
    def copy_file(self, source: PathArg, destination: PathArg) -> Copied:
        """Copy a file to a new path (the copy is writable); never overwrites an existing entry.

        Args:
            source: The file to copy.
            destination: The full path of the copy (its folder must exist).
        """
        found = self._root_rows()
        entry = self._file(source, found)
        target, roots = self._resolve_in(destination, found)
        self._check_free(target, roots, self._free_row(target))
        self._insert(target, "file", content=entry["content"], data=entry["data"])
        return {"source": entry["path"], "destination": target, "size": entry["size"]}

    @tool(phrase=[
        "find files named like {pattern} under {path}[, skipping {excludePatterns}]",
        "search {path} for entries matching {pattern}[ but leave out {excludePatterns}]",
    ])
    def search_files(self, path: PathArg, pattern: NonEmptyStr, excludePatterns: list[str] | None = None
                     ) -> list[str]:
        """Find files and folders below a folder (at any depth) whose name matches a glob pattern.

        A pattern with a '/' is matched against the path relative to the folder instead of the name.

        Args:
            path: The folder to search in.
            pattern: Glob pattern, e.g. '*.csv', 'report-202?-*', 'src/*.py'.
            excludePatterns: Glob patterns of names or relative paths to skip, with everything below them.
        """
        folder = self._directory(path)
        matches = re.compile(fnmatch.translate(pattern)).match  # fnmatchcase's test, looked up once per call
        whole = "/" in pattern
        found = []
        for found_path in self.column("SELECT path FROM entries WHERE path >= ? AND path < ? ORDER BY path",
                                      *paths_below(folder["path"])):
            relative = found_path[len(folder["path"]) + 1:]
            if matches(relative if whole else relative.rpartition("/")[2]) and not self._excluded(
                    relative, excludePatterns or []):
                found.append(found_path)
        return found[:MAX_RESULTS]

    @tool(phrase=[
        "search[ the files in {path}] for the text {text}[ (only files matching {pattern})]",
        "find lines containing {text}[ under {path}][ in files named like {pattern}]",
    ])
    def search_file_contents(self, text: NonEmptyStr, path: PathArg | None = None, pattern: str = "*"
                             ) -> list[ContentHit]:
        """Find the lines of text files that contain a piece of text (case-insensitive).

        Args:
            text: The text to look for.
            path: The folder to search in (the home folder by default).
            pattern: Only files whose name matches this glob pattern.
        """
        folder = self._directory(path or "~")
        needle = text.lower()
        hits = []
        for row in self._descendants(folder["path"], "path, content"):
            if row["content"] is None or not fnmatch.fnmatchcase(posixpath.basename(row["path"]), pattern):
                continue
            hits += [{"path": row["path"], "line": number, "text": line}
                     for number, line in enumerate(row["content"].splitlines(), 1) if needle in line.lower()]
        return hits[:MAX_RESULTS]

    @tool(phrase=["show me the folder tree under {path}", "give me the full tree of {path}"])
    def directory_tree(self, path: PathArg, excludePatterns: list[str] | None = None) -> list[TreeNode]:
        """The nested tree of everything below a folder: name, type, and children for folders.

        Args:
            path: The folder at the top of the tree.
            excludePatterns: Glob patterns of names or relative paths to leave out, with everything below them.
        """
        folder = self._directory(path)
        top: list[TreeNode] = []
        nodes = {folder["path"]: top}
        for row in self._descendants(folder["path"], "path, parent, kind"):
            if row["parent"] not in nodes or self._excluded(row["path"][len(folder["path"]) + 1:],
                                                            excludePatterns or []):
                continue
            node: TreeNode = {"name": posixpath.basename(row["path"]), "type": row["kind"]}
            if row["kind"] == "directory":
                node["children"] = nodes[row["path"]] = []
            nodes[row["parent"]].append(node)
        return top

    @tool(phrase=["get the details of {path}", "check the metadata of {path}"])
    def get_file_info(self, path: PathArg) -> FileInfo:
        """Metadata of a file or folder: type, size in bytes, created and modified times, permissions.

        Args:
            path: The file's or folder's path.
        """
        return self._info(self._entry(path))

    @tool(writes=True, phrase=["delete {path}", "remove the file at {path}"])
    def delete_file(self, path: PathArg) -> Deleted:
        """Delete a file (folders are removed with delete_directory).

        Args:
            path: The file's path.
        """
        entry = self._removable(path)
        if entry["kind"] != "file":
            raise ToolError(f"{entry['path']} is a directory; use delete_directory")
        self.execute("DELETE FROM entries WHERE path = ?", entry["path"])
        return {"deleted": entry["path"]}

    @tool(writes=True, phrase=[
        "delete the folder {path}[ (contents included: {recursive})]",
        "remove the directory {path}[, recursively: {recursive}]",
    ])
    def delete_directory(self, path: PathArg, recursive: bool = False) -> DeletedDirectory:
        """Delete a folder; a folder that is not empty is only deleted with recursive=true.

        Args:
            path: The folder's path.
            recursive: Also delete everything inside it.
        """
        entry = self._removable(path)
        if entry["kind"] != "directory":
            raise ToolError(f"{entry['path']} is a file; use delete_file")
        inside = self.rows("SELECT path, writable FROM entries WHERE path >= ? AND path < ? ORDER BY path",
                           *paths_below(entry["path"]))
        if inside and not recursive:
            raise ToolError(f"{entry['path']} is not empty ({len(inside)} entries); pass recursive=true to delete "
                            "it with its contents")
        for row in inside:
            self._check_writable(row)
        self.execute("DELETE FROM entries WHERE path = ? OR (path >= ? AND path < ?)",
                     entry["path"], *paths_below(entry["path"]))
        return {"deleted": entry["path"], "entries_removed": len(inside) + 1}
