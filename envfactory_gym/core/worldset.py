"""The state of one episode: the worlds of one environment, or of every member of a domain, behind one tool table.

Tool names are the environments' own unless two members share one; those become ``<Environment>_<tool>``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any, ClassVar

from envfactory_gym.core.state import Change, TableDiff
from envfactory_gym.core.tools import ToolError, ToolSpec
from envfactory_gym.core.world import World


TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class WorldSet:
    """Member worlds of one episode sharing a seed, a tool namespace and a digest."""

    name: ClassVar[str] = ""
    members: ClassVar[tuple[type[World], ...]] = ()

    def __init__(self, seed: int = 0) -> None:
        self.worlds = {cls.name: cls(seed) for cls in self.members}
        self.seed = seed
        self.tools: dict[str, tuple[World, ToolSpec]] = {}
        names = [tool for cls in self.members for tool in cls.tools]
        for world in self.worlds.values():
            for local, spec in world.tools.items():
                public = local if names.count(local) == 1 else f"{world.name}_{local}"
                self.tools[public] = (world, spec)
        self._public = {(w.name, spec.name): public for public, (w, spec) in self.tools.items()}
        invalid = [public for public in self.tools if not TOOL_NAME.fullmatch(public)]
        if invalid:
            raise ValueError(f"tool names outside [A-Za-z0-9_-]{{1,64}}: {', '.join(invalid)}")

    @classmethod
    def of(cls, name: str, members: tuple[type[World], ...]) -> type[WorldSet]:
        """A world-set class with the given members (one member for a single environment)."""
        return type(name, (cls,), {"name": name, "members": members})

    def public_name(self, environment: str, tool: str) -> str:
        """The name a member's tool is offered under in this set."""
        return self._public.get((environment, tool), tool)

    def schemas(self) -> list[dict[str, Any]]:
        return [spec.schema(public) for public, (_, spec) in self.tools.items()]

    def call(self, name: str, arguments: Any) -> Any:
        found = self.tools.get(name)
        if found is None:
            raise ToolError(f"unknown tool '{name}'; available tools: {', '.join(self.tools)}")
        world, spec = found
        return world.call(spec.name, arguments)

    def writes(self, name: str) -> bool:
        found = self.tools.get(name)
        return found is not None and found[1].writes

    def reset(self, seed: int) -> None:
        self.seed = seed
        for world in self.worlds.values():
            world.reset(seed)

    def digest(self) -> str:
        if len(self.worlds) == 1:
            return next(iter(self.worlds.values())).digest()
        return hashlib.blake2b("".join(w.digest() for w in self.worlds.values()).encode(), digest_size=16).hexdigest()

    def diff(self) -> dict[str, TableDiff]:
        """Structured diff against the initial state of the current seed, tables named ``Environment.table``."""
        return {f"{name}.{table}": change for name, world in self.worlds.items() for table, change in world.diff().items()}

    def changes(self) -> Counter[Change]:
        """Canonical change records against the initial state of the current seed."""
        total: Counter[Change] = Counter()
        for name, world in self.worlds.items():
            total += world.changes(prefix=f"{name}.")
        return total

    @property
    def minor_units(self) -> frozenset[str]:
        """Result fields of any member that hold money in minor units."""
        return frozenset().union(*(cls.minor_units for cls in self.members))

    def describe(self) -> str:
        return "\n".join(f"{cls.name}: {' '.join((cls.__doc__ or '').split())}" for cls in self.members)
