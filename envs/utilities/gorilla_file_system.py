"""GorillaFileSystem: a shell over the user's workspace, with a current directory that commands resolve paths in."""

from __future__ import annotations

import datetime as dt
import difflib
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, paths_below

STAMP = "%Y-%m-%d %H:%M"
PROJECTS = ["atlas", "beacon", "cobalt", "delta", "ember", "falcon", "granite", "harbor"]
PACKAGES = ["numpy", "pandas", "requests", "flask", "pytest", "click", "rich", "httpx", "pyyaml", "sqlalchemy"]
GROCERIES = ["milk", "eggs", "bread", "apples", "coffee", "rice", "butter", "spinach", "yogurt", "onions", "cheese"]
SERVICES = ["auth", "billing", "search", "upload", "gateway", "mailer"]
ERRORS = ["timeout contacting {s} after {n}s", "disk quota exceeded on /var/{s}", "connection refused by {s}:{n}",
          "invalid token for user {u}", "worker {n} crashed: out of memory"]
INFOS = ["request served in {n}ms", "user {u} logged in", "cache warmed ({n} keys)", "job {s}-sync finished"]
#: A path as a command takes it: relative to the current directory, '~' for the workspace root, or absolute.
PathArg = Annotated[NonEmptyStr, UserKnown, Field(max_length=512)]
Content = Annotated[str, Field(max_length=8000)]

#: Write a file's content: create it, or replace the one at its path.
WRITE_FILE = """INSERT INTO files (path, parent, name, file_name, content, size, modified) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (path) DO UPDATE SET parent = excluded.parent, name = excluded.name, file_name = excluded.file_name,
    content = excluded.content, size = excluded.size, modified = excluded.modified"""

#: The quota and the bytes in use (see GorillaFileSystem._room).
ROOM = "(SELECT quota_bytes FROM volume) AS quota, (SELECT COALESCE(SUM(size), 0) FROM files) AS used"
#: What is at a path ?1 whose parent is ?2 (see GorillaFileSystem._probe); PROBE_ROOM adds the quota and the bytes in use.
PROBE = ("SELECT f.writable, f.size, EXISTS (SELECT 1 FROM directories WHERE path = ?1) AS isDir,"
         " EXISTS (SELECT 1 FROM directories WHERE path = ?2) AS parentExists FROM (SELECT 1)"
         " LEFT JOIN files f ON f.path = ?1")
PROBE_ROOM = PROBE.replace(" FROM (SELECT 1)", f", {ROOM} FROM (SELECT 1)", 1)

Cwd = TypedDict("Cwd", {"current_working_directory": str})
Listing = TypedDict("Listing", {"current_directory_content": list[str]})
Created = TypedDict("Created", {"created_directory": str})
Touched = TypedDict("Touched", {"file": str, "created": bool})
Echoed = TypedDict("Echoed", {"terminal_output": NotRequired[str], "file": NotRequired[str], "size": NotRequired[int]})
FileContent = TypedDict("FileContent", {"file_content": str})
Matches = TypedDict("Matches", {"matches": list[str]})
Count = TypedDict("Count", {"count": int, "type": str})
Sorted = TypedDict("Sorted", {"sorted_content": str})
Grep = TypedDict("Grep", {"matching_lines": list[str]})
Usage = TypedDict("Usage", {"disk_usage": str})
Tail = TypedDict("Tail", {"last_lines": str})
Diff = TypedDict("Diff", {"diff_lines": str})
Moved = TypedDict("Moved", {"source": str, "destination": str})
Removed = TypedDict("Removed", {"removed": str})


class GorillaFileSystem(World):
    """A Unix-like shell on the user's workspace (the root folder is /<user>). Commands act in the current
    directory: relative paths start there, '..' goes up, '~' is the workspace root, and pwd/cd show and change it.
    Files starting with '.' are hidden from ls unless a=true. Some system files are read-only."""

    domain = "Utilities"
    schema = """
    CREATE TABLE volume (root TEXT PRIMARY KEY, owner TEXT NOT NULL, quota_bytes INTEGER NOT NULL);
    CREATE TABLE directories (path TEXT PRIMARY KEY, parent TEXT, name TEXT NOT NULL, dir_name TEXT NOT NULL,
                              modified TEXT NOT NULL);
    CREATE TABLE files (path TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES directories (path),
                        name TEXT NOT NULL, file_name TEXT NOT NULL, content TEXT NOT NULL, size INTEGER NOT NULL,
                        writable INTEGER NOT NULL DEFAULT 1, modified TEXT NOT NULL);
    CREATE INDEX files_parent ON files (parent);
    CREATE INDEX directories_parent ON directories (parent);
    -- the shell session: where the user is (view state, never graded)
    CREATE TABLE shell (session INTEGER PRIMARY KEY CHECK (session = 1), cwd TEXT NOT NULL);
    """
    volatile = {"files": ("modified",), "directories": ("modified",)}
    ungraded = ("shell",)

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        user = "".join(c for c in fake.first_name().lower() if c.isalpha())
        root, dirs, files = f"/{user}", [], []
        start = cls.start_time - dt.timedelta(days=90)

        def stamp() -> str:
            return (start + dt.timedelta(minutes=rng.randrange(89 * 24 * 60))).strftime(STAMP)

        def folder(rel: str) -> None:
            path = f"{root}/{rel}".rstrip("/")
            dirs.append({"path": path, "parent": path.rsplit("/", 1)[0] if rel else None,
                         "name": path.rsplit("/", 1)[1], "dir_name": rel or ".", "modified": stamp()})

        def file(rel: str, content: str, writable: bool = True) -> None:
            path = f"{root}/{rel}"
            files.append({"path": path, "parent": path.rsplit("/", 1)[0], "name": path.rsplit("/", 1)[1],
                          "file_name": rel, "content": content, "size": len(content.encode()),
                          "writable": int(writable), "modified": stamp()})

        for rel in ["", "documents", "documents/reports", "notes", "logs", "data", "archive", "projects", ".config"]:
            folder(rel)
        editor = rng.choice(["vim", "nano"])
        file(".bashrc", f"export PATH=$HOME/bin:$PATH\nalias ll='ls -la'\nexport EDITOR={editor}\n")
        file(".config/settings.ini", f"[user]\nname = {fake.name()}\nemail = {fake.email()}\n", writable=False)
        for project in rng.sample(PROJECTS, 6):
            folder(f"projects/{project}")
            folder(f"projects/{project}/src")
            folder(f"projects/{project}/tests")
            file(f"projects/{project}/tests/test_main.py", "from src.main import main\n\n\ndef test_main():\n"
                 "    main()\n")
            file(f"projects/{project}/README.md", f"# {project.title()}\n\n{fake.sentence()}\n\n"
                 f"Owner: {fake.name()}\nStatus: {rng.choice(['active', 'paused', 'shipped'])}\n")
            file(f"projects/{project}/requirements.txt", "".join(
                f"{p}=={rng.randint(1, 4)}.{rng.randint(0, 20)}\n" for p in sorted(rng.sample(PACKAGES, 4))))
            file(f"projects/{project}/src/main.py", f"def main():\n    print('{project} v{rng.randint(1, 9)}')\n\n\n"
                 "if __name__ == '__main__':\n    main()\n")
            file(f"projects/{project}/TODO.txt", "".join(f"{fake.bs()}\n" for _ in range(rng.randint(3, 6))))
        for quarter in rng.sample(["q1", "q2", "q3", "q4"], 3):
            lines = [f"{fake.catch_phrase()}: {rng.randint(10, 99)}%" for _ in range(rng.randint(4, 7))]
            file(f"documents/reports/{quarter}_summary.txt", "\n".join(lines) + "\n")
            changed = rng.randrange(len(lines))
            lines[changed] = f"{lines[changed].split(':')[0]}: {rng.randint(10, 99)}% (revised)"
            file(f"documents/reports/{quarter}_summary_v2.txt", "\n".join(lines) + "\n")
        for name in rng.sample(["cover_letter", "lease", "insurance", "passport_scan_notes", "tax_2025"], 4):
            file(f"documents/{name}.txt", fake.paragraph(nb_sentences=rng.randint(3, 6)) + "\n")
        file("notes/groceries.txt", "\n".join(rng.sample(GROCERIES, rng.randint(4, 7))) + "\n")
        file("notes/ideas.txt", "".join(f"{fake.sentence()}\n" for _ in range(rng.randint(4, 8))))
        file("notes/contacts.txt", "".join(f"{fake.name()}, {fake.phone_number()}\n" for _ in range(6)))
        for days in sorted(rng.sample(range(2, 60), 8)):
            day = (cls.start_time - dt.timedelta(days=days)).strftime("%Y-%m-%d")
            people = ", ".join(fake.first_name() for _ in range(3))
            file(f"notes/meeting-{day}.txt", f"Meeting {day}\nAttendees: {people}\n"
                 f"Decision: {fake.sentence()}\n")
        for service in SERVICES:
            lines = []
            for minute in sorted(rng.sample(range(24 * 60), rng.randint(8, 14))):
                error = rng.random() < 0.3
                text = rng.choice(ERRORS if error else INFOS).format(s=rng.choice(SERVICES), n=rng.randint(2, 900),
                                                                     u=fake.user_name())
                lines.append(f"{minute // 60:02d}:{minute % 60:02d} {'ERROR' if error else 'INFO'} {text}\n")
            file(f"logs/{service}.log", "".join(lines))
        file("logs/system.log", "".join(f"boot {i}: kernel {rng.randint(5, 6)}.{rng.randint(0, 15)} ok\n"
                                        for i in range(1, 5)), writable=False)
        file("data/customers.csv", "id,name,city\n" + "".join(
            f"{1000 + i},{fake.name()},{fake.city()}\n" for i in range(rng.randint(6, 12))))
        file("data/sales.csv", "month,units\n" + "".join(f"2025-{m:02d},{rng.randint(40, 900)}\n"
                                                         for m in range(1, 13)))
        for year in (2023, 2024):
            file(f"archive/budget_{year}.txt", f"Budget {year}\nTotal: {rng.randint(20, 90)}000\n")
        used = sum(f["size"] for f in files)
        db["volume"].insert({"root": root, "owner": user, "quota_bytes": used + rng.randrange(6000, 9000)})
        db["directories"].insert_all(dirs)
        db["files"].insert_all(files)
        db["shell"].insert({"session": 1, "cwd": root})

    # ------------------------------------------------------------- helpers
    def _cwd(self) -> str:
        return self.value("SELECT cwd FROM shell WHERE session = 1")

    def _context(self) -> tuple[str, str]:
        """The workspace root and the current directory, read once by a command that resolves several paths."""
        found = self.row("SELECT (SELECT root FROM volume) AS root, (SELECT cwd FROM shell WHERE session = 1) AS cwd")
        return found["root"], found["cwd"]

    def _path(self, cmd: str, arg: str, context: tuple[str, str] | None = None) -> str:
        """The absolute path ``arg`` names from the current directory (shell rules: '.', '..', '~', '/');
        ``context``: :meth:`_context`, when already read in this call."""
        root, raw = self.value("SELECT root FROM volume") if context is None else context[0], arg.strip()
        if raw == "~" or raw.startswith("~/"):
            raw = root + raw[1:]
        parts: list[str] = []
        cwd = (lambda: self._cwd()) if context is None else (lambda: context[1])
        for part in (raw if raw.startswith("/") else f"{cwd()}/{raw}").split("/"):
            if part == "..":
                if len(parts) <= 1:
                    raise ToolError(f"{cmd}: {arg}: Permission denied ({root} is the top of your workspace)")
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        path = "/" + "/".join(parts)
        if path != root and not path.startswith(root + "/"):
            raise ToolError(f"{cmd}: {arg}: No such file or directory (your workspace is {root})")
        return path

    def _dir(self, cmd: str, arg: str, context: tuple[str, str] | None = None) -> str:
        path = self._path(cmd, arg, context)
        if self.row("SELECT 1 FROM directories WHERE path = ?", path):
            return path
        if self.row("SELECT 1 FROM files WHERE path = ?", path):
            raise ToolError(f"{cmd}: {arg}: Not a directory")
        raise ToolError(f"{cmd}: {arg}: No such file or directory (ls shows what is in {self._cwd()})")

    def _file(self, cmd: str, arg: str, write: bool = False, context: tuple[str, str] | None = None
              ) -> dict[str, Any]:
        path = self._path(cmd, arg, context)
        found = self.row("SELECT * FROM files WHERE path = ?", path)
        if found is None:
            if self.row("SELECT 1 FROM directories WHERE path = ?", path):
                raise ToolError(f"{cmd}: {arg}: Is a directory")
            raise ToolError(f"{cmd}: {arg}: No such file or directory (ls shows what is in {self._cwd()})")
        if write:
            self._writable(cmd, arg, found)
        return found

    @staticmethod
    def _writable(cmd: str, arg: str, found: dict[str, Any]) -> None:
        if not found["writable"]:
            raise ToolError(f"{cmd}: {arg}: Permission denied (the file is read-only)")

    def _probe(self, path: str, room: bool = False) -> dict[str, Any]:
        """What is at a path: the file's ``writable`` and ``size`` (NULL when no file is there), ``isDir``, and
        ``parentExists`` (whether its parent directory exists); with ``room``, also :meth:`_room`'s ``quota`` and
        ``used``."""
        return self.row(PROBE_ROOM if room else PROBE, path, path.rsplit("/", 1)[0])

    def _free(self, cmd: str, arg: str, context: tuple[str, str] | None = None,
              probe: dict[str, Any] | None = None) -> str:
        """A path where something new may go: nothing is there and its parent directory exists (``probe``: the
        path's :meth:`_probe`, when already read)."""
        path = self._path(cmd, arg, context)
        parent, name = path.rsplit("/", 1)
        found = self._probe(path) if probe is None else probe
        if found["writable"] is not None or found["isDir"]:
            raise ToolError(f"{cmd}: {arg}: File exists (choose another name or remove it first)")
        if not found["parentExists"]:
            raise ToolError(f"{cmd}: {arg}: No such file or directory (create {parent} with mkdir first)")
        if any(c in name for c in "*?<>|\\\"") or name in (".", ".."):
            raise ToolError(f"{cmd}: {arg}: invalid name; use letters, digits, '.', '-' and '_'")
        return path

    def _room(self, cmd: str, extra: int, found: dict[str, Any] | None = None) -> None:
        """Whether ``extra`` more bytes fit in the quota (``found``: a :meth:`_probe` with ``room``, when read)."""
        if found is None:
            found = self.row(f"SELECT {ROOM}")
        quota, used = found["quota"], found["used"]
        if used + extra > quota:
            raise ToolError(f"{cmd}: No space left on device ({quota - used} bytes free of {quota}; rm files you no"
                            " longer need)")

    def _write(self, path: str, content: str, root: str) -> None:
        parent, name = path.rsplit("/", 1)
        self.execute(WRITE_FILE, path, parent, name, path[len(root) + 1:], content, len(content.encode()),
                     self.now().strftime(STAMP))

    def _relocate(self, old: str, new: str, context: tuple[str, str]) -> None:
        """Give a directory and everything below it a new path."""
        (root, cwd), n = context, len(old)
        for table in ("directories", "files"):
            for row in self.rows(f"SELECT path FROM {table} WHERE path = ?1 OR (path >= ?2 AND path < ?3)", old,
                                 *paths_below(old)):
                path = new + row["path"][n:]
                rel = "dir_name" if table == "directories" else "file_name"
                self.execute(f"UPDATE {table} SET path = ?, parent = ?, name = ?, {rel} = ? WHERE path = ?", path,
                             path.rsplit("/", 1)[0], path.rsplit("/", 1)[1], path[len(root) + 1:], row["path"])
        if cwd == old or cwd.startswith(old + "/"):
            self.execute("UPDATE shell SET cwd = ?", new + cwd[n:])

    # --------------------------------------------------------------- tools
    @tool(phrase=["tell me which directory we are in", "give me the full path of the current folder"])
    def pwd(self) -> Cwd:
        """Print the current working directory."""
        return {"current_working_directory": self._cwd()}

    @tool(phrase=["list what is in my workspace[ (hidden files too: {a})]", "show me the top level of my workspace"])
    def ls(self, a: bool = False) -> Listing:
        """List the names in the current directory, sorted; names starting with '.' only with a=true.

        Args:
            a: Also show hidden entries (names starting with '.').
        """
        names = self.rows("SELECT name FROM directories WHERE parent = ?1 UNION SELECT name FROM files WHERE"
                          " parent = ?1 ORDER BY name", self._cwd())
        return {"current_directory_content": [r["name"] for r in names if a or not r["name"].startswith(".")]}

    @tool(writes=True, phrase=["go into the {folder} folder", "switch to {folder}"])
    def cd(self, folder: PathArg) -> Cwd:
        """Change the current directory ('..' is the parent, '~' the workspace root).

        Args:
            folder: The directory to go to, relative to the current one or absolute.
        """
        path = self._dir("cd", folder, self._context())
        self.execute("UPDATE shell SET cwd = ?", path)
        return {"current_working_directory": path}

    @tool(writes=True, phrase=["create a folder called {dir_name}", "make a new directory {dir_name}"])
    def mkdir(self, dir_name: PathArg) -> Created:
        """Create a directory in the current one (or at a relative path whose parent exists).

        Args:
            dir_name: The new directory's name.
        """
        context = self._context()
        path, root = self._free("mkdir", dir_name, context), context[0]
        self.execute("INSERT INTO directories VALUES (?, ?, ?, ?, ?)", path, path.rsplit("/", 1)[0],
                     path.rsplit("/", 1)[1], path[len(root) + 1:], self.now().strftime(STAMP))
        return {"created_directory": path}

    @tool(writes=True, phrase=["create an empty file {file_name}", "start a blank file at {file_name}"])
    def touch(self, file_name: PathArg) -> Touched:
        """Create an empty file, or update the modification time of an existing one.

        Args:
            file_name: The file's name.
        """
        context = self._context()
        path = self._path("touch", file_name, context)
        found = self._probe(path)
        if found["writable"] is not None:
            self._writable("touch", file_name, found)
            self.execute("UPDATE files SET modified = ? WHERE path = ?", self.now().strftime(STAMP), path)
            return {"file": path, "created": False}
        self._write(self._free("touch", file_name, context, found), "", context[0])
        return {"file": path, "created": True}

    @tool(writes=True, phrase=["replace the contents of {file_name} with {content}",
                               "save the line {content} as {file_name}"])
    def echo(self, content: Content, file_name: PathArg | None = None) -> Echoed:
        """Print text, or with file_name write it (plus a newline) to a file, replacing what it held (like '>').

        Args:
            content: The text.
            file_name: The file to write; created when missing. Without it the text is only printed.
        """
        if file_name is None:
            return {"terminal_output": content}
        context = self._context()
        path, text = self._path("echo", file_name, context), content + "\n"
        found = self._probe(path, room=True)
        if found["writable"] is not None:
            self._writable("echo", file_name, found)
        old = found["size"] if found["writable"] is not None else (self._free("echo", file_name, context, found) and 0)
        self._room("echo", len(text.encode()) - old, found)
        self._write(path, text, context[0])
        return {"file": path, "size": len(text.encode())}

    @tool(phrase=["show me what {file_name} says", "open {file_name} for me"])
    def cat(self, file_name: PathArg) -> FileContent:
        """Print a file's content.

        Args:
            file_name: The file.
        """
        return {"file_content": self._file("cat", file_name)["content"]}

    @tool(phrase=["find everything under {path}[ whose name contains {name}]",
                  "search my workspace for files named like {name}[ under {path}]"])
    def find(self, path: PathArg = ".", name: str | None = None) -> Matches:
        """Find files and directories below a directory (recursively) whose name contains a text.

        Args:
            path: Where to search, relative to the current directory (default '.').
            name: Only names containing this text (case-sensitive); all when omitted.
        """
        base = self._dir("find", path)
        shown = path.rstrip("/") or "/"
        found = self.rows("SELECT path, name FROM directories WHERE substr(path, 1, ?1) = ?2 UNION SELECT path, name"
                          " FROM files WHERE substr(path, 1, ?1) = ?2 ORDER BY path", len(base) + 1, base + "/")
        return {"matches": [shown + r["path"][len(base):] for r in found if name is None or name in r["name"]]}

    @tool(phrase=["count the lines of {file_name}", "get a word count (wc -{mode}) of {file_name}"])
    def wc(self, file_name: PathArg, mode: Literal["l", "w", "c"] = "l") -> Count:
        """Count the lines (l), words (w) or characters (c) of a file.

        Args:
            file_name: The file.
            mode: l for lines, w for words, c for characters.
        """
        text = self._file("wc", file_name)["content"]
        counts = {"l": (text.count("\n"), "lines"), "w": (len(text.split()), "words"), "c": (len(text), "characters")}
        return {"count": counts[mode][0], "type": counts[mode][1]}

    @tool(phrase=["sort the lines of {file_name} alphabetically", "show {file_name} in sorted order"])
    def sort(self, file_name: PathArg) -> Sorted:
        """Show a file's lines sorted alphabetically (the file itself is not changed).

        Args:
            file_name: The file.
        """
        return {"sorted_content": "\n".join(sorted(self._file("sort", file_name)["content"].splitlines()))}

    @tool(phrase=["show me the lines of {file_name} that mention {pattern}", "find {pattern} in {file_name}"])
    def grep(self, file_name: PathArg, pattern: NonEmptyStr) -> Grep:
        """The lines of a file that contain a text (case-sensitive).

        Args:
            file_name: The file.
            pattern: The text to look for.
        """
        return {"matching_lines": [line for line in self._file("grep", file_name)["content"].splitlines()
                                   if pattern in line]}

    @tool(phrase=["check how much disk space my workspace uses", "get the total disk usage of my files"])
    def du(self, human_readable: bool = False) -> Usage:
        """Disk usage of the current directory and everything below it.

        Args:
            human_readable: Show KB/MB instead of bytes.
        """
        cwd = self._cwd()
        size = self.value("SELECT COALESCE(SUM(size), 0) FROM files WHERE substr(path, 1, ?) = ?", len(cwd) + 1,
                          cwd + "/")
        if not human_readable:
            return {"disk_usage": f"{size} bytes"}
        return {"disk_usage": f"{size / 1024:.2f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.2f} MB"}

    @tool(phrase=["show me the last {lines} lines of {file_name}", "read the end of {file_name}"])
    def tail(self, file_name: PathArg, lines: Annotated[int, Field(ge=1, le=1000)] = 10) -> Tail:
        """The last lines of a file.

        Args:
            file_name: The file.
            lines: How many lines (default 10).
        """
        return {"last_lines": "\n".join(self._file("tail", file_name)["content"].splitlines()[-lines:])}

    @tool(name="diff", phrase=["compare {file_name1} with {file_name2}",
                               "show the differences between {file_name1} and {file_name2}"])
    def diff_files(self, file_name1: PathArg, file_name2: PathArg) -> Diff:
        """Line differences between two files (unified format; empty when they are the same).

        Args:
            file_name1: The first (old) file.
            file_name2: The second (new) file.
        """
        old, new = self._file("diff", file_name1), self._file("diff", file_name2)
        return {"diff_lines": "\n".join(difflib.unified_diff(
            old["content"].splitlines(), new["content"].splitlines(), file_name1, file_name2, lineterm=""))}

    def _target(self, cmd: str, source: str, destination: str, context: tuple[str, str]) -> str:
        """Where ``source`` lands: inside ``destination`` when that is a directory, else at ``destination``."""
        target = self._path(cmd, destination, context)
        if self.row("SELECT 1 FROM directories WHERE path = ?", target):
            return self._free(cmd, f"{destination.rstrip('/')}/{self._path(cmd, source, context).rsplit('/', 1)[1]}",
                              context)
        return self._free(cmd, destination, context)

    @tool(writes=True, phrase=["move {source} to {destination}", "rename {source} to {destination}"])
    def mv(self, source: PathArg, destination: PathArg) -> Moved:
        """Move or rename a file or directory; into a directory when destination is one. Never overwrites.

        Args:
            source: What to move.
            destination: The new name, or an existing directory to move it into.
        """
        context = self._context()
        path = self._path("mv", source, context)
        if self.row("SELECT 1 FROM directories WHERE path = ?", path):
            target = self._target("mv", source, destination, context)
            if path == context[0] or target.startswith(path + "/"):
                raise ToolError(f"mv: cannot move '{source}' to a subdirectory of itself, '{destination}'")
            self._relocate(path, target, context)
            return {"source": path, "destination": target}
        self._file("mv", source, write=True, context=context)
        target = self._target("mv", source, destination, context)
        self._relocate(path, target, context)
        return {"source": path, "destination": target}

    @tool(writes=True, phrase=["delete the file {file_name}", "remove {file_name}"])
    def rm(self, file_name: PathArg) -> Removed:
        """Delete a file (directories: rmdir, once empty).

        Args:
            file_name: The file.
        """
        found = self._file("rm", file_name, write=True, context=self._context())
        self.execute("DELETE FROM files WHERE path = ?", found["path"])
        return {"removed": found["path"]}

    @tool(writes=True, phrase=["remove the empty folder {dir_name}", "delete the directory {dir_name}"])
    def rmdir(self, dir_name: PathArg) -> Removed:
        """Remove an empty directory.

        Args:
            dir_name: The directory.
        """
        context = self._context()
        path, cwd = self._dir("rmdir", dir_name, context), context[1]
        if cwd == path or cwd.startswith(path + "/"):
            raise ToolError(f"rmdir: failed to remove '{dir_name}': it is the current directory or above it; cd out"
                            " of it first")
        if self.row("SELECT 1 FROM files WHERE parent = ?1 UNION SELECT 1 FROM directories WHERE parent = ?1", path):
            raise ToolError(f"rmdir: failed to remove '{dir_name}': Directory not empty (rm its files first)")
        self.execute("DELETE FROM directories WHERE path = ?", path)
        return {"removed": path}

    @tool(writes=True, phrase=["copy {source} to {destination}", "duplicate {source} as {destination}"])
    def cp(self, source: PathArg, destination: PathArg) -> Moved:
        """Copy a file, into a directory when destination is one. Never overwrites.

        Args:
            source: The file to copy.
            destination: The copy's name, or an existing directory to copy it into.
        """
        context = self._context()
        if self.row("SELECT 1 FROM directories WHERE path = ?", self._path("cp", source, context)):
            raise ToolError(f"cp: -r not specified; omitting directory '{source}' (copy its files one by one)")
        found = self._file("cp", source, context=context)
        target = self._target("cp", source, destination, context)
        self._room("cp", found["size"])
        self._write(target, found["content"], context[0])
        return {"source": found["path"], "destination": target}
