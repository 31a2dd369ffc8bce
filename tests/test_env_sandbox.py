"""The environment generator's sandbox (issue 13): the static allow-list refuses hostile generated code with an exact
reason, and the confined child contains it at run time (each case runs even where the static check would refuse it),
with nothing outside the child's temporary directory changed."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generators.environments.sandbox import (
    ALLOWED_IMPORTS, SECCOMP_TABLES, Limits, Outcome, check_source, run_isolated,
)

REPO = Path(__file__).resolve().parents[1]
CANARY = REPO / "tests" / "data" / "envgen" / "sandbox_canary.txt"
TARGET = "tests.envgen_targets:run_code"
QUICK = Limits(cpu_s=2, memory_mb=1024, wall_s=20, file_mb=4)

CLEAN = '''"""A generated environment in the v2 format."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

Status = Literal["open", "closed"]


class Ticket(TypedDict):
    ticket_id: str
    status: Status


class Helpdesk(World):
    """Tickets."""

    schema = "CREATE TABLE tickets (ticket_id TEXT PRIMARY KEY, status TEXT, opened TEXT);"

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["tickets"].insert_all({"ticket_id": fake_id(rng, "T"), "status": rng.choice(["open", "closed"]),
                                  "opened": cls.days_before_start(rng, 1, 30).isoformat()} for _ in range(5))

    @tool(phrases=["Show ticket {ticket_id}."])
    def get_ticket(self, ticket_id: Annotated[NonEmptyStr, UserKnown]) -> Ticket:
        """Get a ticket.

        Args:
            ticket_id: The ticket's id.
        """
        row = self.require("SELECT ticket_id, status FROM tickets WHERE ticket_id = ?", ticket_id,
                           error=f"no ticket {ticket_id}")
        if not isinstance(row, dict):
            raise ToolError(f"unexpected {type(row).__name__}")
        return Ticket(ticket_id=row["ticket_id"], status=row["status"])

    @tool()
    def list_tickets(self, limit: Annotated[int, Field(ge=1, le=50)] = 10) -> list[Ticket]:
        """List tickets."""
        rows = self.rows("SELECT ticket_id, status FROM tickets LIMIT ?", limit)
        return json.loads(json.dumps(rows)) if dt.date.today() else []
'''


def test_allowed_imports_cover_the_v2_format() -> None:
    assert {"__future__", "typing", "typing_extensions", "datetime", "random", "re", "json", "math", "decimal",
            "dataclasses", "collections", "itertools", "functools", "hashlib", "string", "pydantic",
            "envfactory_gym.core.tools", "envfactory_gym.core.world"} <= ALLOWED_IMPORTS
    assert check_source(CLEAN) == []


HOSTILE_SOURCES = {
    "escape through __builtins__": (
        '__builtins__["__import__"]("os").system("id")\n',
        ["line 1: __builtins__ is not allowed (dunder names reach interpreter internals)",
         "line 1: the string '__import__' is not allowed (it names the dunder __import__)"]),
    "escape through __subclasses__": (
        "().__class__.__subclasses__()\n",
        ["line 1: ().__class__ is not allowed (dunder names reach interpreter internals)",
         "line 1: ().__class__.__subclasses__ is not allowed (dunder names reach interpreter internals)"]),
    "getattr with a built name": (
        'def f():\n    pass\n\n\ng = getattr(f, "__glo" + "bals__")\n',
        ["line 5: getattr with a computed name is not allowed (it could reach a dunder attribute)"]),
    "getattr of a dunder": (
        'x = getattr(print, "__self__")\n',
        ["line 1: getattr of __self__ is not allowed (dunder names reach interpreter internals)",
         "line 1: the string '__self__' is not allowed (it names the dunder __self__)"]),
    "getattr as a value": (
        "import functools\nfetch = functools.partial(getattr, 1)\n",
        ["line 2: getattr as a value is not allowed (only a call with a literal attribute name)"]),
    "__import__": (
        'os = __import__("os")\n',
        ["line 1: os is not allowed (names a module outside the allowed imports)",
         "line 1: __import__ is not allowed (imports around the allow-list)"]),
    "importlib": ("import importlib\n", ["line 1: import of importlib is not allowed (not in the allowed imports)"]),
    "from os import system": ("from os import system\n",
                              ["line 1: import of os is not allowed (not in the allowed imports)"]),
    "a name like an allowed prefix": (
        "import typing_extensions_evil\n",
        ["line 1: import of typing_extensions_evil is not allowed (not in the allowed imports)"]),
    "star import": ("from json import *\n",
                    ["line 1: star import from json is not allowed (it hides what is imported)"]),
    "relative import": ("from . import tools\n",
                        ["line 1: relative import is not allowed (only absolute imports of allowed modules)"]),
    "a module through an allowed one": (
        'import random\nrandom._os.system("id")\n',
        ["line 2: random._os is not allowed (names a module outside the allowed imports)"]),
    "a module reached through attributes": (
        "import envfactory_gym.core.world\nenvfactory_gym.core.world.state.describe_tables(None)\n",
        ["line 2: envfactory_gym.core.world.state is not allowed (reaches envfactory_gym.core.state, a module outside "
         "the allowed imports)"]),
    "a package on the way to an allowed module": (
        "import envfactory_gym.core.world\nenvfactory_gym.make('EnvFactory/Calendar-v0')\n",
        ["line 2: envfactory_gym.make is not allowed (envfactory_gym is outside the allowed imports and leads only to "
         "envfactory_gym.core.world)"]),
    "a module imported from an allowed one": (
        "from envfactory_gym.core.world import sqlite3\n",
        ["line 1: import of envfactory_gym.core.world.sqlite3 is not allowed (it is sqlite3, a module outside the "
         "allowed imports)"]),
    "a module as a value": (
        "import json\nj = json\n",
        ["line 2: the module json as a value is not allowed (modules are used only through their attributes)"]),
    "file write": ('open("/etc/passwd", "w")\n', ["line 1: open is not allowed (opens files)"]),
    "subprocess": (
        'def f():\n    import subprocess\n    subprocess.run(["id"])\n',
        ["line 2: import of subprocess is not allowed (not in the allowed imports)",
         "line 3: subprocess is not allowed (names a module outside the allowed imports)"]),
    "socket": ("import socket\n", ["line 1: import of socket is not allowed (not in the allowed imports)"]),
    "ctypes": ("import ctypes\n", ["line 1: import of ctypes is not allowed (not in the allowed imports)"]),
    "code built at run time": (
        'exec("1")\neval("1")\ncompile("1", "x", "eval")\n',
        ["line 1: exec is not allowed (runs code built at run time)",
         "line 2: eval is not allowed (runs code built at run time)",
         "line 3: compile is not allowed (builds code at run time)"]),
    "namespaces": ("g = globals()\nv = vars()\n", ["line 1: globals is not allowed (exposes a namespace)",
                                                  "line 2: vars is not allowed (exposes a namespace)"]),
    "global of a module": ("def f():\n    global os\n",
                           ["line 2: global os is not allowed (names a module outside the allowed imports)"]),
    "the class of a value": (
        'def f(db):\n    return type(db)("/tmp/x.db")\n',
        ["line 2: type() of a value is not allowed (like __class__, it reaches the class of an object passed in)"]),
    "a dunder through a pattern": (
        "match 1:\n    case object(__class__=c):\n        pass\n",
        ["line 2: the pattern attribute __class__ is not allowed (dunder names reach interpreter internals)"]),
    "a forward reference that runs code": (
        "from typing import List\nX = List[\"__import__('os').system('id')\"]\n",
        ["line 2: __import__ in the type string \"__import__('os').system('id')\" is not allowed (imports around the "
         "allow-list)"]),
    "a string annotation": (
        'def f(x: "os.system") -> None:\n    pass\n',
        ["line 1: os in the type string 'os.system' is not allowed (names a module outside the allowed imports)"]),
    "typing evaluating strings": (
        "import typing\ntyping.get_type_hints(int)\n",
        ["line 2: typing.get_type_hints is not allowed (it evaluates strings as code)"]),
    "unpickling through pydantic": (
        'from pydantic import BaseModel\n\n\nclass M(BaseModel):\n    x: int\n\n\n'
        'M.parse_raw(b"", allow_pickle=True)\n',
        ["line 8: M.parse_raw is not allowed (it can unpickle, which runs code)",
         "line 8: the keyword allow_pickle is not allowed (unpickling runs code)"]),
    "a database file in SQL": (
        "def populate(db):\n    db.execute(\"ATTACH DATABASE '/tmp/x.db' AS y\")\n",
        ["line 2: the SQL 'ATTACH DATABASE' is not allowed (it opens a database file)"]),
    "frames": (
        "def g():\n    yield 1\n\n\nglobs = g().gi_frame.f_globals\n",
        ["line 5: g().gi_frame is not allowed (frames and code objects reach interpreter internals)",
         "line 5: g().gi_frame.f_globals is not allowed (frames and code objects reach interpreter internals)"]),
    "a dunder in a format string": (
        'text = "{0.__class__}".format(1)\n',
        ["line 1: the string '{0.__class__}' is not allowed (it names the dunder __class__)"]),
    "broken source": ("def f(:\n", ["line 1: the source does not parse (invalid syntax)"]),
}


@pytest.mark.parametrize("source,expected", HOSTILE_SOURCES.values(), ids=HOSTILE_SOURCES.keys())
def test_check_source_refuses_hostile_code_with_the_reason(source: str, expected: list[str]) -> None:
    assert check_source(source) == expected


def test_check_source_allows_what_environments_need() -> None:
    source = ("import re\nfrom collections import Counter, abc\nfrom typing import Optional\n\n"
              "PATTERN = re.compile(r'\\d+')\n\n\ndef f(rows: list[dict], kind: Optional['int'] = None) -> str:\n"
              "    counts = Counter(row['open'] for row in rows)\n"
              "    return f\"{type(kind).__name__}: {counts} {isinstance(rows, abc.Sequence)}\"\n\n\n"
              "def g(input: str, os: str = 'linux') -> str:\n    return input + os\n")
    assert check_source(source) == []  # a parameter named like a builtin or a module is neither


@dataclass
class Guard:
    """What hostile code aims at: a sentinel next to the sandbox's temporary directories, a marker path in the
    repository that must never appear, and the canary file of the repository."""

    sentinel: Path
    marker: Path
    sandboxes: Path

    def code(self, template: str) -> str:
        return template.format(sentinel=str(self.sentinel), marker=str(self.marker), canary=str(CANARY))


@pytest.fixture
def guard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    sandboxes = tmp_path / "sandboxes"
    sandboxes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandboxes))  # where run_isolated makes its temporary directories
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text("untouched")
    canary = CANARY.read_bytes()
    guard = Guard(sentinel, REPO / f"sandbox-escape-{tmp_path.name}.txt", sandboxes)
    yield guard
    assert sentinel.read_text() == "untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sandboxes", "sentinel.txt"]
    assert not guard.marker.exists()
    assert CANARY.read_bytes() == canary
    assert list(sandboxes.iterdir()) == []  # each run's temporary directory is gone


def refused(what: str) -> Outcome:
    return Outcome(False, error=f"PermissionError: sandbox: {what}")


RUNTIME = {
    "escape through __builtins__": (
        '__builtins__["__import__"]("os").system("touch {marker}")',
        refused("os.system is not allowed (no processes)")),
    "escape through __subclasses__": (
        'popen = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "Popen"][0]\n'
        'popen(["touch", "{marker}"])',
        refused("subprocess.Popen is not allowed (no processes)")),
    "getattr with a built name": (
        'def f():\n    pass\n'
        'g = getattr(f, "__glo" + "bals__")\n'
        'g["__builtins__"]["open"]("{sentinel}", "w").write("pwned")',
        refused("writing {sentinel} is not allowed (outside the work directory)")),
    "import through importlib": (
        '__import__("importlib").import_module("os").remove("{sentinel}")',
        refused("os.remove on {sentinel} is not allowed (outside the work directory)")),
    "from os import system": (
        'from os import system\nsystem("touch {marker}")',
        refused("os.system is not allowed (no processes)")),
    "a module planted in the work directory": (
        'open("typing_extensions_evil.py", "w").write("import os\\nos.system(\'touch {marker}\')")\n'
        "import typing_extensions_evil",
        Outcome(False, error="ModuleNotFoundError: No module named 'typing_extensions_evil'")),
    "file write": ('open("{sentinel}", "w").write("pwned")',
                   refused("writing {sentinel} is not allowed (outside the work directory)")),
    "file write in the repository": ('open("{canary}", "a").write("pwned")',
                                     refused("writing {canary} is not allowed (outside the work directory)")),
    "file created through pathlib": ('import pathlib\npathlib.Path("{marker}").write_text("pwned")',
                                     refused("writing {marker} is not allowed (outside the work directory)")),
    "file moved away": ('import os\nos.rename("{sentinel}", "stolen.txt")',
                        refused("os.rename on {sentinel} is not allowed (outside the work directory)")),
    "database file attached": (
        "import sqlite3\nsqlite3.connect(':memory:').execute(\"ATTACH DATABASE '{marker}' AS a\")",
        Outcome(False, error="DatabaseError: not authorized")),
    "subprocess": ('import subprocess\nsubprocess.run(["touch", "{marker}"])',
                   refused("subprocess.Popen is not allowed (no processes)")),
    "raw socket": ("import _socket\n_socket.socket()", refused("socket.__new__ is not allowed (no network)")),
    "fork bomb": ("import os\nwhile True:\n    os.fork()", refused("os.fork is not allowed (no processes)")),
    "signal to another process": ("import os, signal\nos.kill(1, signal.SIGTERM)",
                                  refused("os.kill is not allowed (no signals)")),
    "native code": ("import ctypes\nctypes.CDLL(None).system(b'touch {marker}')",
                    refused("ctypes.dlopen is not allowed (no native calls)")),
}


@pytest.mark.parametrize("code,expected", RUNTIME.values(), ids=RUNTIME.keys())
def test_run_isolated_contains_hostile_code(guard: Guard, code: str, expected: Outcome) -> None:
    expected.error = guard.code(expected.error)
    assert run_isolated(TARGET, {"code": guard.code(code)}, QUICK) == expected


def test_socket_connect_is_refused(guard: Guard) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        port = server.getsockname()[1]
        code = f'import socket\nsocket.create_connection(("127.0.0.1", {port}), timeout=1).sendall(b"hello")'
        assert run_isolated(TARGET, {"code": code}, QUICK) == refused("network access is not allowed")
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers (below 1: none)."""
    return ctypes.CDLL(None).syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))


@pytest.mark.skipif(landlock_abi() < 1, reason="the kernel has no Landlock")
def test_reads_outside_the_interpreter_and_project_are_refused(guard: Guard) -> None:
    code = guard.code('result = open("{sentinel}").read()')
    assert run_isolated(TARGET, {"code": code}, QUICK) == Outcome(
        False, error=guard.code("PermissionError: [Errno 13] Permission denied: '{sentinel}'"))


@pytest.mark.skipif(os.uname().machine not in SECCOMP_TABLES, reason="seccomp filter only on x86-64 and AArch64")
def test_processes_are_refused_below_python(guard: Guard) -> None:
    """``_posixsubprocess`` forks without an audit event: the seccomp filter refuses the fork itself."""
    status = 'result = [line for line in open("/proc/self/status") if line.startswith("Seccomp:")]'
    assert run_isolated(TARGET, {"code": status}, QUICK) == Outcome(True, ["Seccomp:\t2\n"])  # a filter is on
    code = guard.code(
        "import _posixsubprocess, os\nr, w = os.pipe()\n"
        '_posixsubprocess.fork_exec([b"/bin/touch", b"{marker}"], [b"/bin/touch"], True, (w,), None, None,'
        " -1, -1, -1, -1, -1, -1, r, w, False, False, -1, None, None, -1, -1, None, False)")
    assert run_isolated(TARGET, {"code": code}, QUICK) == Outcome(
        False, error="PermissionError: [Errno 1] Operation not permitted")


LIMITS = {
    "infinite loop": ("while True:\n    pass", Limits(cpu_s=2, memory_mb=1024, wall_s=30),
                      Outcome(False, error="killed: the CPU-time limit of 2 s was reached", killed="cpu")),
    "10 GB allocation": ("block = bytearray(10 * 2**30)", Limits(cpu_s=5, memory_mb=1024, wall_s=30),
                         Outcome(False, error="killed: the memory limit of 1024 MB was reached (MemoryError)",
                                 killed="memory")),
    "1 GB file": ('with open("big.bin", "wb") as f:\n    for _ in range(1024):\n        f.write(bytes(2**20))',
                  Limits(cpu_s=5, memory_mb=1024, wall_s=30, file_mb=4),
                  Outcome(False, error="killed: the file-size limit of 4 MB was reached", killed="file size")),
    "sleeping forever": ("import time\ntime.sleep(10**6)", Limits(cpu_s=5, memory_mb=1024, wall_s=2),
                         Outcome(False, error="killed: the wall-clock limit of 2 s was reached", killed="wall")),
    "a fatal signal": ("import signal\nsignal.raise_signal(signal.SIGTERM)", QUICK,
                       Outcome(False, error="killed by signal 15 (SIGTERM)", killed=f"signal {signal.SIGTERM.value}")),
}


@pytest.mark.parametrize("code,limits,expected", LIMITS.values(), ids=LIMITS.keys())
def test_run_isolated_names_the_limit_that_stopped_the_code(guard: Guard, code: str, limits: Limits,
                                                            expected: Outcome) -> None:
    assert run_isolated(TARGET, {"code": code}, limits) == expected


def test_run_isolated_returns_the_json_result_and_cleans_up(guard: Guard) -> None:
    code = ('import os\nopen("notes.txt", "w").write("scratch")\nprint(\'{"ok": false}\')\n'
            "result = {'cwd_files': os.listdir('.'), 'sum': sum(range(10))}")
    assert run_isolated(TARGET, {"code": code}, QUICK) == Outcome(True, {"cwd_files": ["notes.txt"], "sum": 45})


def test_run_isolated_reports_errors(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(code: str) -> Outcome:
        return run_isolated(TARGET, {"code": code}, QUICK)

    assert run('raise ValueError("bad row")') == Outcome(False, error="ValueError: bad row")
    assert run("result = {1, 2}") == Outcome(False, error="TypeError: Object of type set is not JSON serializable")
    assert run('import os\nprint("bye", flush=True)\nos._exit(3)') == Outcome(
        False, error="the child exited with status 3 without a result: bye")
    monkeypatch.setenv("ENVGEN_SANDBOX_SECRET", "s3cret")
    assert run('import os\nresult = os.environ.get("ENVGEN_SANDBOX_SECRET")') == Outcome(True, None)
    assert run_isolated("tests.envgen_targets:missing", {}, QUICK) == Outcome(
        False, error="AttributeError: module 'tests.envgen_targets' has no attribute 'missing'")
    with pytest.raises(ValueError, match="function must read 'package.module:function', got 'tests.envgen_targets'"):
        run_isolated("tests.envgen_targets", {}, QUICK)


def test_run_isolated_in_a_given_workdir(guard: Guard) -> None:
    """A given work directory is kept, and a module written there imports in the child."""
    workdir = guard.sandboxes.parent / "work"
    workdir.mkdir()
    (workdir / "envgen_sandbox_probe.py").write_text(
        "def main(payload):\n    open('out.txt', 'w').write('kept')\n    return payload['n'] * 2\n")
    assert run_isolated("envgen_sandbox_probe:main", {"n": 21}, QUICK, workdir=workdir) == Outcome(True, 42)
    assert (workdir / "out.txt").read_text() == "kept"
    shutil.rmtree(workdir)  # the guard expects only its own files next to the sentinel
