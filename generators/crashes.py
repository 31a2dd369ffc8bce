"""Tool bodies that crash while tasks are generated: found, named and reported, never fatal.

A tool signals a refusal with :class:`~envfactory_gym.core.tools.ToolError`; any other exception is a bug in the
environment. Probing, grounding, templates and calibration catch it, record which tool crashed with which
arguments (read from the tool's frame in the traceback), and go on; ``envfactory tasks`` then exits non-zero
with the report.
"""

from __future__ import annotations

import inspect
import traceback
from dataclasses import dataclass
from typing import Any

from envfactory_gym.core.worldset import WorldSet


@dataclass(frozen=True)
class ToolCrash:
    """One crash: the environment, the tool (or the template that crashed outside any tool), its arguments,
    the exception and the last lines of its traceback."""

    env: str
    tool: str
    arguments: dict[str, Any]
    error: str
    traceback_head: str

    def __str__(self) -> str:
        return (f"{self.env}: tool '{self.tool}' crashed with arguments {self.arguments!r}: {self.error}\n"
                f"{self.traceback_head}")


def crash_of(exc: BaseException, worlds: type[WorldSet], where: str = "") -> ToolCrash:
    """Describe an exception raised while running ``worlds``' tools (``where``: the template or stage)."""
    tools = {spec.function.__code__: (cls.name, spec) for cls in worlds.members for spec in cls.tools.values()}
    env, tool, arguments = worlds.name, where or "(outside any tool)", {}
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code in tools:
            env, spec = tools[frame.f_code]
            names = list(inspect.signature(spec.function).parameters)[1:]
            tool, arguments = spec.name, {k: frame.f_locals.get(k) for k in names}
            break
    lines = traceback.format_exception(exc)
    return ToolCrash(env, tool, arguments, f"{type(exc).__name__}: {exc}", "".join(lines[-3:]).rstrip())


def report(crashes: list[ToolCrash], limit: int = 5) -> str:
    """A readable report of crashes, grouped by tool (first ``limit`` tools in full)."""
    by_tool: dict[tuple[str, str], list[ToolCrash]] = {}
    for crash in crashes:
        by_tool.setdefault((crash.env, crash.tool), []).append(crash)
    parts = [f"{len(crashes)} crash(es) in {len(by_tool)} tool(s) while generating tasks:"]
    for (env, tool), found in list(by_tool.items())[:limit]:
        parts.append(f"- {env}.{tool}: {len(found)} time(s); first: {found[0]}")
    return "\n".join(parts)
