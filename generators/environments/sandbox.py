"""Generated code is untrusted: a static allow-list before anything imports it, and a confined child process to run it.

:func:`check_source` reads a module's AST and lists what it may not do (imports outside :data:`ALLOWED_IMPORTS`,
``exec``/``eval``/``open``, dunder attributes, modules reached through attributes, strings that typing or pydantic
would evaluate...). A static check of Python cannot be complete, so :func:`run_isolated` also contains whatever slips
through: it runs ``"package.module:function"(payload)`` in a fresh interpreter with CPU-time, memory, file-size and
wall-clock limits, in a temporary directory that is removed afterwards, and confined in layers:

- resource limits (``RLIMIT_CPU``, ``RLIMIT_AS``, ``RLIMIT_FSIZE``, ``RLIMIT_CORE`` = 0, ``RLIMIT_NPROC`` where the
  kernel applies it, i.e. not for root);
- Landlock, where the kernel has it: files are written only under the work directory and read only from the
  interpreter, the project and system libraries; TCP is closed; signals and abstract sockets stay inside;
- seccomp (x86-64, AArch64): no ``execve``, no new processes (threads are fine), no ``socket``, no ``ptrace``;
- in Python: ``socket`` functions raise, SQLite refuses to ``ATTACH`` files (``VACUUM INTO`` included), and an
  audit hook refuses processes, sockets, ``ctypes`` and writes outside the work directory.

Payload and result travel as JSON files (never through stdout, which the code may print to). Known limit: code
running in the child shares the interpreter with the code that reports its result, so code hostile enough to slip
past the static check could forge that report; the confinement keeps it from changing anything outside the work
directory.
"""

from __future__ import annotations

import ast
import errno
import importlib
import json
import math
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Module prefixes generated code may import (a prefix covers its submodules: ``json`` allows ``json.decoder``).
ALLOWED_IMPORTS: frozenset[str] = frozenset({
    "__future__", "typing", "typing_extensions", "datetime", "random", "re", "json", "math", "decimal",
    "dataclasses", "collections", "itertools", "functools", "hashlib", "string", "pydantic",
    "envfactory_gym.core.tools", "envfactory_gym.core.world",
    "enum", "statistics", "calendar", "difflib", "fnmatch", "textwrap", "bisect", "heapq", "base64", "fractions",
    "numbers", "abc", "ipaddress", "unicodedata", "urllib.parse",
})

#: Builtins that may not be named at all, with why.
FORBIDDEN_BUILTINS: dict[str, str] = {
    "exec": "runs code built at run time", "eval": "runs code built at run time",
    "compile": "builds code at run time", "open": "opens files", "__import__": "imports around the allow-list",
    "input": "reads the terminal", "breakpoint": "starts a debugger", "help": "starts the interactive help",
    "exit": "ends the interpreter", "quit": "ends the interpreter",
    "globals": "exposes a namespace", "locals": "exposes a namespace", "vars": "exposes a namespace",
}

#: Modules outside the allow-list whose names may not appear as names, attributes or ``global`` declarations.
FORBIDDEN_MODULES: frozenset[str] = frozenset({
    "os", "sys", "subprocess", "socket", "ctypes", "importlib", "builtins", "shutil", "pathlib", "threading",
    "multiprocessing", "signal", "pickle", "marshal", "posix", "gc", "inspect", "sqlite3", "tempfile",
})

#: Attribute (and imported) names that are dangerous on whatever object they are found, with why.
FORBIDDEN_ATTRIBUTES: dict[str, str] = {
    **dict.fromkeys(("gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code",
                     "ag_await", "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "tb_frame", "tb_next"),
                    "frames and code objects reach interpreter internals"),
    **dict.fromkeys(("ForwardRef", "get_type_hints", "evaluate_forwardref", "create_model", "TypeAdapter",
                     "update_forward_refs"), "it evaluates strings as code"),
    **dict.fromkeys(("import_string", "ImportString", "PyObject"), "it imports a module named by a string"),
    "get_field": "it looks attributes up by a computed name",
    **dict.fromkeys(("parse_raw", "parse_file", "parse_raw_as", "parse_file_as", "load_file", "load_str_bytes"),
                    "it can unpickle, which runs code"),
    **dict.fromkeys(("attach", "enable_load_extension", "load_extension", "init_spatialite"),
                    "it opens database files or native code"),
}

#: Dunder attributes generated code may use.
ALLOWED_DUNDERS: frozenset[str] = frozenset({"__name__", "__doc__", "__init__", "__init_subclass__"})
#: Dunder names (not attributes) generated code may use: a module's name and docstring, ``__all__``, ``__slots__``.
NAME_DUNDERS: frozenset[str] = ALLOWED_DUNDERS | {"__all__", "__slots__"}

DUNDER = re.compile(r"__\w+__")
#: A dunder a string could be used to look up: the whole string, or after "." or "[" (format fields, paths).
DUNDER_REFERENCE = re.compile(r"^\s*(__\w+__)\s*$|[.\[]\s*['\"]?(__\w+__)")
#: Generic types whose string arguments typing evaluates as forward references.
BUILTIN_GENERICS = frozenset({"list", "dict", "tuple", "set", "frozenset", "type"})
#: Modules whose subscripted objects evaluate string arguments as forward references.
TYPING_MODULES = frozenset({"typing", "typing_extensions", "collections.abc", "collections", "pydantic"})
FILE_SQL = re.compile(r"\bATTACH\s+(?:DATABASE\b|['\"])|\bVACUUM\s+INTO\b|\bload_extension\s*\(", re.IGNORECASE)
ATTRIBUTE_BY_NAME = ("getattr", "setattr", "delattr")
#: The repository root (put first on the child's ``sys.path``).
PROJECT = Path(__file__).resolve().parents[2]


def _allowed(module: str) -> bool:
    """Whether ``module`` is one of :data:`ALLOWED_IMPORTS` or inside one of them."""
    return any(module == prefix or module.startswith(prefix + ".") for prefix in ALLOWED_IMPORTS)


def _private(name: str) -> bool:
    return name.startswith("_") and name not in ALLOWED_DUNDERS


class _Checker(ast.NodeVisitor):
    """Collects what the allow-list refuses, with where and why."""

    def __init__(self, modules: dict[str, tuple[types.ModuleType, set[str]]] | None = None,
                 values: dict[str, Any] | None = None) -> None:
        #: (line, column, end column, what, why) of each refusal.
        self.problems: list[tuple[int, int, int, str, str]] = []
        #: Names bound to modules by imports -> (module, full names imported through that binding).
        self.modules = {} if modules is None else modules
        #: Names bound by ``from module import name`` to what they stand for.
        self.values = {} if values is None else values
        #: Parameters of the functions being visited, innermost last.
        self.parameters: list[set[str]] = []
        #: Name nodes accounted for: the base of a module attribute, the function of ``getattr(x, "name")``.
        self.consumed: set[int] = set()

    def refuse(self, node: ast.AST, what: str, why: str) -> None:
        self.problems.append((getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                              getattr(node, "end_col_offset", 0) or 0, what, why))

    # imports

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = self._import(node, alias.name)
            if module is None:
                continue
            bound = alias.asname or alias.name.partition(".")[0]
            self._check_name(node, bound)
            root = module if alias.asname else importlib.import_module(bound)
            self.modules.setdefault(bound, (root, set()))[1].add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.refuse(node, "relative import", "only absolute imports of allowed modules")
            return
        source = node.module or ""
        if any(alias.name == "*" for alias in node.names):
            self.refuse(node, f"star import from {source}", "it hides what is imported")
            return
        for alias in node.names:
            full = f"{source}.{alias.name}"
            if not (_allowed(source) or _allowed(full)):
                self.refuse(node, f"import of {source}", "not in the allowed imports")
                return
            if _private(alias.name):
                self.refuse(node, f"import of {full}", "private names of a module")
                continue
            if alias.name in FORBIDDEN_ATTRIBUTES:
                self.refuse(node, f"import of {full}", FORBIDDEN_ATTRIBUTES[alias.name])
                continue
            value = self._import_from(node, source, alias.name)
            if isinstance(value, types.ModuleType):
                if not _allowed(value.__name__):
                    self.refuse(node, f"import of {full}",
                                f"it is {value.__name__}, a module outside the allowed imports")
                    continue
                self.modules[alias.asname or alias.name] = (value, {value.__name__})
            self.values[alias.asname or alias.name] = value
            self._check_name(node, alias.asname or alias.name)

    def _import(self, node: ast.AST, name: str) -> types.ModuleType | None:
        """The allowed module ``name`` (imported here: every allowed module is trusted), or None after a refusal."""
        if not _allowed(name):
            self.refuse(node, f"import of {name}", "not in the allowed imports")
            return None
        if any(_private(part) for part in name.split(".")[1:]):
            self.refuse(node, f"import of {name}", "private names of a module")
            return None
        try:
            return importlib.import_module(name)
        except ImportError:
            self.refuse(node, f"import of {name}", "no such module")
            return None

    def _import_from(self, node: ast.AST, source: str, name: str) -> Any:
        """What ``from source import name`` binds (None when that cannot be known)."""
        try:
            module = importlib.import_module(source)
        except ImportError:
            self.refuse(node, f"import of {source}", "no such module")
            return None
        if hasattr(module, name):
            return getattr(module, name)
        try:
            return importlib.import_module(f"{source}.{name}")
        except ImportError:
            return None

    # names and attributes

    def _check_name(self, node: ast.AST, name: str, shown: str | None = None, attribute: bool = False) -> bool:
        """Refuse a forbidden identifier (a name or binding, or with ``attribute`` an attribute, which may share a
        builtin's name: ``re.compile``); True when it was refused."""
        shown = shown or name
        if name in FORBIDDEN_BUILTINS and not attribute:
            self.refuse(node, shown, FORBIDDEN_BUILTINS[name])
        elif name.lstrip("_") in FORBIDDEN_MODULES:
            self.refuse(node, shown, "names a module outside the allowed imports")
        elif name in FORBIDDEN_ATTRIBUTES:
            self.refuse(node, shown, FORBIDDEN_ATTRIBUTES[name])
        elif DUNDER.fullmatch(name) and name not in (ALLOWED_DUNDERS if attribute else NAME_DUNDERS):
            self.refuse(node, shown, "dunder names reach interpreter internals")
        else:
            return False
        return True

    def visit_Name(self, node: ast.Name) -> None:
        if any(node.id in scope for scope in self.parameters):
            return
        if node.id in ATTRIBUTE_BY_NAME:
            if id(node) not in self.consumed:
                self.refuse(node, f"{node.id} as a value", "only a call with a literal attribute name")
        elif self._check_name(node, node.id):
            pass
        elif node.id in self.modules and id(node) not in self.consumed:
            self.refuse(node, f"the module {node.id} as a value", "modules are used only through their attributes")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        shown = ast.unparse(node)
        base = self._static(node.value)
        module = base[0] if base is not None and isinstance(base[0], types.ModuleType) else None
        if module is not None:
            self.consumed.add(id(node.value))
        if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
                and node.value.func.id == "type" and node.attr == "__name__":
            self.consumed.add(id(node.value))
        if not self._check_name(node, node.attr, shown, attribute=True) and module is not None:
            self._module_step(node, shown, module, base[1])
        self.generic_visit(node)

    def _static(self, node: ast.AST) -> tuple[Any, set[str]] | None:
        """What an import-rooted ``a.b.c`` stands for, with the full names imported through its root (None past a
        refused step, so that one refusal is reported once)."""
        if isinstance(node, ast.Name) and node.id in self.modules:
            return self.modules[node.id]
        if isinstance(node, ast.Attribute):
            base = self._static(node.value)
            if base is not None and isinstance(base[0], types.ModuleType) and hasattr(base[0], node.attr) \
                    and _step_problem(base[0], node.attr, base[1]) is None:
                return getattr(base[0], node.attr), base[1]
        return None

    def _module_step(self, node: ast.Attribute, shown: str, module: types.ModuleType, imported: set[str]) -> None:
        problem = _step_problem(module, node.attr, imported)
        if problem is not None:
            self.refuse(node, shown, problem)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ATTRIBUTE_BY_NAME:
            self.consumed.add(id(func))
            name = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                self.refuse(node, f"{func.id} with a computed name", "it could reach a dunder attribute")
            else:
                self._check_name(node, name.value, f"{func.id} of {name.value}", attribute=True)
        if isinstance(func, ast.Name) and func.id == "type" and len(node.args) == 1 and id(node) not in self.consumed:
            self.refuse(node, "type() of a value", "like __class__, it reaches the class of an object passed in")
        for keyword in node.keywords:
            if keyword.arg == "allow_pickle":
                self.refuse(keyword.value, "the keyword allow_pickle", "unpickling runs code")
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        keyword = "global" if isinstance(node, ast.Global) else "nonlocal"
        for name in node.names:
            self._check_name(node, name, f"{keyword} {name}")

    visit_Nonlocal = visit_Global

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for name in node.kwd_attrs:  # ``case C(attr=...)`` reads ``subject.attr``
            self._check_name(node, name, f"the pattern attribute {name}", attribute=True)
        self.generic_visit(node)

    # strings

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str):
            return
        dunder = next((d for match in DUNDER_REFERENCE.finditer(node.value) for d in match.groups()
                       if d and d not in ALLOWED_DUNDERS), None)
        if dunder:
            self.refuse(node, f"the string {_short(node.value)}", f"it names the dunder {dunder}")
        sql = FILE_SQL.search(node.value)
        if sql:
            self.refuse(node, f"the SQL {sql.group(0)!r}", "it opens a database file")

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._generic(node.value):
            self._type_strings(node)
        self.generic_visit(node)

    def _generic(self, node: ast.AST) -> bool:
        """Whether ``node`` names a builtin generic or an object of a typing module (subscripting it with a string
        makes a forward reference); dict and list subscripts by string keys are no such thing."""
        if isinstance(node, ast.Name) and node.id in BUILTIN_GENERICS:
            return True
        if isinstance(node, ast.Attribute):
            static = self._static(node)
            value = None if static is None else static[0]
        else:
            value = self.values.get(getattr(node, "id", ""))
        return getattr(value, "__module__", None) in TYPING_MODULES

    def visit_arg(self, node: ast.arg) -> None:
        if node.annotation is not None:
            self._type_strings(node.annotation)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if node.returns is not None:
            self._type_strings(node.returns)
            self.visit(node.returns)
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._scope(node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node.args, [node.body])

    def _scope(self, arguments: ast.arguments, body: list[ast.AST]) -> None:
        """Visit a function: its defaults and annotations outside it, its body with its parameters in scope (a
        parameter named ``input`` or ``os`` is no builtin nor module)."""
        self.visit(arguments)
        self.parameters.append({arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                                    arguments.vararg, arguments.kwarg) if arg is not None})
        for child in body:
            self.visit(child)
        self.parameters.pop()

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._type_strings(node.annotation)
        self.generic_visit(node)

    def _type_strings(self, node: ast.AST) -> None:
        """Checks strings in type positions as code: typing and pydantic evaluate them as forward references."""
        for text in _type_positions(node):
            shown = _short(text.value)
            try:
                tree = ast.parse(text.value.strip(), mode="eval")
            except SyntaxError:
                self.refuse(text, f"the type string {shown}", "it does not parse as an expression")
                continue
            inner = _Checker(self.modules, self.values)
            inner.visit(tree)
            for *_, what, why in inner.problems:
                self.refuse(text, f"{what} in the type string {shown}", why)


def _step_problem(module: types.ModuleType, name: str, imported: set[str]) -> str | None:
    """Why ``module.name`` is refused (None when it is fine): no private names, no modules outside the allow-list; a
    package that is not allowed itself (``envfactory_gym`` of ``import envfactory_gym.core.world``) leads only to
    the modules imported through it."""
    if _private(name):
        return "private names of a module"
    if not _allowed(module.__name__):
        step = f"{module.__name__}.{name}"
        if not any(full == step or full.startswith(step + ".") for full in imported):
            return f"{module.__name__} is outside the allowed imports and leads only to {', '.join(sorted(imported))}"
        return None
    value = getattr(module, name, None)
    if isinstance(value, types.ModuleType) and not _allowed(value.__name__):
        return f"reaches {value.__name__}, a module outside the allowed imports"
    return None


def _type_positions(node: ast.AST) -> list[ast.Constant]:
    """String constants that typing turns into forward references: the annotation itself, the arguments of a
    subscript (none of ``Literal[...]``, the first of ``Annotated[...]``), both sides of ``|``, list items."""
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, ast.Subscript):
        base = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Literal":
            return []
        return [text for item in (items[:1] if base == "Annotated" else items) for text in _type_positions(item)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _type_positions(node.left) + _type_positions(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return [text for item in node.elts for text in _type_positions(item)]
    return []


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def check_source(source: str) -> list[str]:
    """What the allow-list refuses in ``source``: one ``"line N: <what> is not allowed (<why>)"`` per violation, in
    line order ([] when the module is clean). Allowed modules are imported here to resolve what their names reach."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno or 0}: the source does not parse ({error.msg})"]
    checker = _Checker()
    checker.visit(tree)
    problems = dict.fromkeys(f"line {line}: {what} is not allowed ({why})"
                             for line, *_, what, why in sorted(checker.problems, key=lambda problem: problem[:3]))
    return list(problems)


@dataclass
class Limits:
    """What a sandboxed run may use: CPU seconds, address space, wall-clock seconds and the largest file written."""

    cpu_s: float = 120
    memory_mb: int = 2048
    wall_s: float = 300
    file_mb: int = 16


@dataclass
class Outcome:
    """How a sandboxed run ended: its JSON result, or an error; ``killed`` names the limit that stopped it
    (``"cpu"``, ``"memory"``, ``"wall"``, ``"file size"`` or ``"signal N"``)."""

    ok: bool
    value: Any = None
    error: str = ""
    killed: str | None = None


def run_isolated(function: str, payload: dict, limits: Limits = Limits(), workdir: Path | None = None) -> Outcome:
    """Run ``"package.module:function"(payload)`` in a fresh, confined interpreter (see the module docstring) and
    return its JSON result. The child's working directory, the only place it may write, is a new temporary
    directory removed afterwards, or ``workdir`` when given (kept, and put on the child's ``sys.path`` so a module
    written there imports). ``payload`` and the return value must be JSON."""
    module, _, name = function.partition(":")
    if not module or not name:
        raise ValueError(f"function must read 'package.module:function', got {function!r}")
    root = Path(tempfile.mkdtemp(prefix="envfactory-sandbox-")).resolve()
    try:
        work = Path(workdir).resolve() if workdir is not None else root / "work"
        work.mkdir(exist_ok=True)
        (root / "request.json").write_text(json.dumps({
            "module": module, "function": name, "payload": payload, "limits": asdict(limits), "work": str(work),
            "readable": _readable(work), "on_path": workdir is not None}))
        env = {"PATH": os.defpath, "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONPATH": str(PROJECT)}
        with open(root / "output.txt", "wb") as output:
            started = time.monotonic()
            child = subprocess.Popen(
                [sys.executable, "-s", "-B", "-P", "-c", "from generators.environments.sandbox import _child; _child()",
                 str(root)],
                cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True)
            try:
                status, usage, timed_out = _wait(child, started + limits.wall_s)
            except BaseException:  # interrupted: never leave the child running unsupervised
                _kill_group(child.pid)
                child.wait()
                raise
        return _outcome(root, limits, status, usage, timed_out)
    finally:
        shutil.rmtree(root, onerror=_force_remove)


def _wait(child: subprocess.Popen, deadline: float) -> tuple[int, resource.struct_rusage, bool]:
    """Wait for ``child`` until it exits or ``deadline`` passes, then kill its process group (so that nothing it
    started outlives it): the child's wait status, its resource usage and whether it ran out of time."""
    timed_out = False
    while os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:  # unreaped: its pid is held
        if time.monotonic() >= deadline:
            timed_out = True
            break
        time.sleep(0.01)
    _kill_group(child.pid)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return status, usage, timed_out


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _outcome(root: Path, limits: Limits, status: int, usage: resource.struct_rusage, timed_out: bool) -> Outcome:
    """Read the child's result, or name the limit that stopped it."""
    if timed_out:
        return Outcome(False, error=f"killed: the wall-clock limit of {limits.wall_s:g} s was reached", killed="wall")
    cpu = usage.ru_utime + usage.ru_stime
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu >= _cpu_seconds(limits) - 0.05):
            return Outcome(False, error=f"killed: the CPU-time limit of {limits.cpu_s:g} s was reached", killed="cpu")
        if number == signal.SIGXFSZ:
            return _file_size(limits)
        return Outcome(False, error=f"killed by signal {number} ({signal.Signals(number).name}){_tail(root)}",
                       killed=f"signal {number}")
    try:
        result = json.loads((root / "result.json").read_text())
    except (OSError, ValueError):
        result = None
    if not isinstance(result, dict) or not result:
        return Outcome(False, error=f"the child exited with status {os.waitstatus_to_exitcode(status)} without a "
                                    f"result{_tail(root)}")
    if result.get("killed") == "memory":
        return Outcome(False, error=f"killed: the memory limit of {limits.memory_mb} MB was reached "
                                    f"({result['error']})", killed="memory")
    if result.get("killed") == "file size":
        return _file_size(limits)
    return Outcome(bool(result.get("ok")), result.get("value"), str(result.get("error", "")))


def _file_size(limits: Limits) -> Outcome:
    return Outcome(False, error=f"killed: the file-size limit of {limits.file_mb} MB was reached", killed="file size")


def _tail(root: Path) -> str:
    """The end of what the child printed, as a suffix for an error message."""
    try:
        text = (root / "output.txt").read_bytes()[-2000:].decode(errors="replace").strip()
    except OSError:
        return ""
    return f": {text}" if text else ""


def _cpu_seconds(limits: Limits) -> int:
    return max(1, math.ceil(limits.cpu_s))


def _force_remove(function: Any, path: str, _: Any) -> None:
    """``rmtree``'s error handler: make what the child locked up writable and try again."""
    os.chmod(os.path.dirname(path), stat.S_IRWXU)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, stat.S_IRWXU)
        shutil.rmtree(path, onerror=_force_remove)
    else:
        os.unlink(path)


def _readable(work: Path) -> list[str]:
    """What the child may read: the interpreter and its packages, the project, system libraries, a few /etc files."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(PROJECT), str(work), "/usr", "/lib", "/lib64",
             "/lib32", "/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types", "/dev/null", "/dev/urandom",
             "/dev/zero", "/proc/self", *(entry for entry in sys.path if entry)}
    return sorted(path for path in paths if os.path.exists(path))


# --- the child: everything below runs in the sandboxed interpreter -------------------------------------------------


def _child() -> None:
    """Entry point of the child: confine this process, then call the target and write its result as JSON."""
    root = Path(sys.argv[1])
    request = json.loads((root / "request.json").read_text())
    result = open(root / "result.json", "w")  # opened before writes outside the work directory are closed
    work = request["work"]
    if request["on_path"]:
        sys.path.append(work)
    _limit_resources(Limits(**request["limits"]))
    _landlock(work, request["readable"])
    _seccomp()
    _close_network()
    _guard_sqlite(work)
    _audit(work)
    try:
        target = getattr(importlib.import_module(request["module"]), request["function"])
        answer: dict[str, Any] = {"ok": True, "value": target(request["payload"])}
        text = json.dumps(answer)
    except MemoryError as error:
        text = json.dumps({"ok": False, "killed": "memory", "error": _describe(error)})
    except OSError as error:
        killed = "file size" if error.errno == errno.EFBIG else None
        text = json.dumps({"ok": False, "killed": killed, "error": _describe(error)})
    except BaseException as error:  # noqa: BLE001 - whatever the code raised (SystemExit included) is its result
        text = json.dumps({"ok": False, "error": _describe(error)})
    result.write(text)
    result.close()
    os._exit(0)


def _describe(error: BaseException) -> str:
    """``Type: message`` (the type alone when the message is empty)."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _limit_resources(limits: Limits) -> None:
    """CPU time (SIGXCPU, then SIGKILL a second later), address space, file size, no core dumps, and processes
    where the kernel applies the limit (root is exempt)."""
    cpu = _cpu_seconds(limits)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() != 0:
        tasks = _user_tasks() + 16  # room for threads, none for a fork bomb
        resource.setrlimit(resource.RLIMIT_NPROC, (tasks, tasks))


def _user_tasks() -> int:
    """How many tasks (threads included: RLIMIT_NPROC counts them all) this user runs now."""
    count = 0
    for process in Path("/proc").iterdir():
        if process.name.isdigit():
            try:
                if process.stat().st_uid == os.getuid():
                    count += len(os.listdir(process / "task"))
            except OSError:  # the process ended meanwhile
                pass
    return count


def _syscall(number: int, *args: Any) -> int:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(ctypes.c_long(number), *args)


def _landlock(work: str, readable: list[str]) -> None:
    """Where the kernel has Landlock: write only under ``work``, read only ``readable``, no TCP, signals and abstract
    unix sockets only within this process (each by the ABI the kernel offers)."""
    import ctypes

    create, add_rule, restrict = 444, 445, 446  # the same numbers on every architecture
    abi = _syscall(create, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return
    file_rights = 1 | 2 | 4 | (1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)  # execute, write, read...
    all_rights = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | file_rights
    read = 1 | 4 | 8  # execute, read file, read dir

    class Ruleset(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]

    ruleset = Ruleset(all_rights, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = _syscall(create, ctypes.byref(ruleset), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        return
    rules = [(path, read) for path in readable] + [(work, all_rights), ("/dev/null", file_rights)]
    for path, rights in rules:
        try:
            target = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        allowed = rights if stat.S_ISDIR(os.fstat(target).st_mode) else rights & file_rights
        _syscall(add_rule, fd, 1, ctypes.byref(PathBeneath(allowed, target)), ctypes.c_uint32(0))
        os.close(target)
    _prctl_no_new_privs()
    _syscall(restrict, fd, ctypes.c_uint32(0))
    os.close(fd)


def _prctl_no_new_privs() -> None:
    import ctypes

    ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS


#: Per machine: audit architecture, then syscall numbers (execve, execveat, fork, vfork, clone, clone3, socket,
#: ptrace, process_vm_writev, kill, tkill, tgkill); None where the architecture has no such call.
SECCOMP_TABLES = {
    "x86_64": (0xC000003E, (59, 322, 57, 58, 56, 435, 41, 101, 311, 62, 200, 234)),
    "aarch64": (0xC00000B7, (221, 281, None, None, 220, 435, 198, 117, 271, 129, 130, 131)),
}


def _seccomp() -> None:
    """A seccomp filter (x86-64, AArch64): no exec, no new processes (threads are fine), no sockets, no ptrace,
    no signals to other processes."""
    import ctypes

    table = SECCOMP_TABLES.get(os.uname().machine)
    if table is None:
        return
    arch, (execve, execveat, fork, vfork, clone, clone3, socket_, ptrace, vm_write, kill, tkill, tgkill) = table
    allow, deny, nosys = 0x7FFF0000, 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    pid = os.getpid()
    program: list[tuple[int, int, int, int]] = [(load, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, deny),
                                                (load, 0, 0, 0)]
    if arch == 0xC000003E:
        program += [(jge, 0, 1, 0x40000000), (ret, 0, 0, deny)]  # the x32 ABI
    for number in (execve, execveat, fork, vfork, socket_, ptrace, vm_write, tkill):
        if number is not None:
            program += [(jeq, 0, 1, number), (ret, 0, 0, deny)]
    program += [(jeq, 0, 1, clone3), (ret, 0, 0, nosys)]  # glibc then falls back to clone, checked below
    program += [(jeq, 0, 4, clone), (load, 0, 0, 16), (jset, 0, 1, 0x10000), (ret, 0, 0, allow), (ret, 0, 0, deny)]
    for number in (kill, tgkill):
        program += [(jeq, 0, 4, number), (load, 0, 0, 16), (jeq, 0, 1, pid), (ret, 0, 0, allow), (ret, 0, 0, deny)]
    program.append((ret, 0, 0, allow))

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*(Filter(*instruction) for instruction in program))
    _prctl_no_new_privs()
    ctypes.CDLL(None).prctl(22, 2, ctypes.byref(Program(len(program), filters)), 0, 0)  # PR_SET_SECCOMP, FILTER


def _refuse_network(*_: Any, **__: Any) -> Any:
    raise PermissionError("sandbox: network access is not allowed")


def _close_network() -> None:
    """Replace the socket module's ways to a connection by refusals (before anything untrusted is imported)."""
    import socket

    class NoSocket(socket.socket):
        def __init__(self, *_: Any, **__: Any) -> None:
            _refuse_network()

    socket.socket = NoSocket
    for name in ("create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo", "gethostbyname",
                 "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
        setattr(socket, name, _refuse_network)


def _guard_sqlite(work: str) -> None:
    """Every SQLite connection refuses to ``ATTACH`` a file (``VACUUM INTO`` attaches too) outside ``work``, whatever
    authorizer its owner sets."""
    import functools
    import sqlite3

    def guarded(inner: Any) -> Any:
        def authorize(action: int, first: Any, *rest: Any) -> int:
            if action == sqlite3.SQLITE_ATTACH and not _in_memory(first) and not _inside(first, work):
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK if inner is None else inner(action, first, *rest)
        return authorize

    class Guarded(sqlite3.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            super().set_authorizer(guarded(None))

        def set_authorizer(self, authorizer: Any) -> None:
            super().set_authorizer(guarded(authorizer))

    sqlite3.connect = functools.partial(sqlite3.connect, factory=Guarded)


def _in_memory(database: Any) -> bool:
    """Whether a SQLite database name stands for a database in memory (or a temporary one)."""
    return isinstance(database, str) and (database in ("", ":memory:") or database.startswith("file::memory:"))


def _inside(path: Any, work: str, dir_fd: Any = None) -> bool:
    """Whether ``path`` (relative to the working directory or to ``dir_fd``) resolves inside ``work``."""
    path = os.fsdecode(os.fspath(path))
    if dir_fd is not None and not os.path.isabs(path):
        path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
    resolved = os.path.realpath(path)
    return resolved == work or resolved.startswith(work.rstrip("/") + "/")


#: Audit events refused outright, by prefix, with why.
REFUSED_EVENTS = {
    **dict.fromkeys(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                     "os.forkpty", "pty.spawn", "os.startfile"), "no processes"),
    **dict.fromkeys(("os.kill", "os.killpg", "signal.pthread_kill"), "no signals"),
    "socket.": "no network",
    "ctypes.": "no native calls",
    **dict.fromkeys(("sqlite3.enable_load_extension", "sqlite3.load_extension"), "no native code"),
    **dict.fromkeys(("gc.get_objects", "gc.get_referrers", "gc.get_referents"), "no reaching hidden objects"),
}
#: Audit events that change the file system -> positions of their path arguments and of the dir_fd that applies.
WRITE_EVENTS = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),), "os.chmod": ((0, 2),),
    "os.chown": ((0, 3),), "os.utime": ((0, 3),), "os.truncate": ((0, None),), "os.mkfifo": ((0, 2),),
    "os.mknod": ((0, 3),), "os.setxattr": ((0, None),), "os.removexattr": ((0, None),),
    "os.rename": ((0, 2), (1, 3)), "os.link": ((0, 2), (1, 3)), "os.symlink": ((1, 2),),
    "shutil.rmtree": ((0, 1),), "sqlite3.connect": ((0, None),),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _audit(work: str) -> None:
    """Install the audit hook (from here, so that no frame of the running code holds it)."""

    def hook(event: str, args: tuple) -> None:
        for prefix, why in REFUSED_EVENTS.items():
            if event.startswith(prefix):
                raise PermissionError(f"sandbox: {event} is not allowed ({why})")
        if event == "open":
            path, mode, flags = (list(args) + [None, None])[:3]
            writes = (flags & WRITE_FLAGS) if isinstance(flags, int) and flags >= 0 \
                else any(c in str(mode or "") for c in "wax+")
            if writes and not isinstance(path, int) and path != os.devnull and not _inside(path, work):
                raise PermissionError(f"sandbox: writing {os.fsdecode(os.fspath(path))} is not allowed "
                                      "(outside the work directory)")
        for position, dir_fd in WRITE_EVENTS.get(event, ()):
            path = args[position]
            if isinstance(path, int) or event == "sqlite3.connect" and _in_memory(path):
                continue
            if not _inside(path, work, args[dir_fd] if dir_fd is not None else None):
                raise PermissionError(f"sandbox: {event} on {os.fsdecode(os.fspath(path))} is not allowed "
                                      "(outside the work directory)")

    sys.addaudithook(hook)
