"""The text space of observations and actions, with a correct shared-memory path for ``AsyncVectorEnv``.

Gymnasium decodes a ``Text`` space's shared memory once, when the vector env is built, so every later
observation read through it is stale. ``DialogueText`` registers its own shared-memory functions: the buffer is
read through a view that decodes the current bytes on every access.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from multiprocessing.sharedctypes import SynchronizedArray
from types import ModuleType
from typing import Any

import multiprocessing as mp
import numpy as np
from gymnasium.spaces import Text
from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

CHARSET = string.printable


class DialogueText(Text):
    """Printable-ASCII text (observations are ASCII-escaped JSON)."""

    def __init__(self, max_length: int = 2**18, seed: Any = None) -> None:
        super().__init__(max_length=max_length, min_length=0, charset=CHARSET, seed=seed)


class ActionSpace(DialogueText):
    """Actions: model text (sampled as text), and the structured forms ``step`` accepts as well: a call
    ``{"name", "arguments"}``, a list of calls, or an OpenAI-style assistant message with ``tool_calls``."""

    def contains(self, x: Any) -> bool:
        if isinstance(x, str):
            return super().contains(x)
        from envfactory_gym.episode.actions import parse_action

        if not isinstance(x, dict | list | tuple):
            return False
        parsed = parse_action(x)
        return bool(parsed.calls or parsed.content) and not any(call.error for call in parsed.calls)


class SharedTextView(Sequence[str]):
    """The current strings of a shared buffer of ``n`` texts, decoded on access."""

    def __init__(self, space: DialogueText, buffer: SynchronizedArray, n: int) -> None:
        self.space, self.buffer, self.n = space, buffer, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self.n)))
        if not -self.n <= index < self.n:
            raise IndexError(index)
        size = self.space.max_length + 4
        raw = np.frombuffer(self.buffer.get_obj(), dtype=np.uint8)[(index % self.n) * size :]
        length = int(raw[:4].view(np.uint32)[0])
        return raw[4 : 4 + length].tobytes().decode("ascii")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(self.n))

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return repr(tuple(self))


@create_shared_memory.register(DialogueText)
def _create(space: DialogueText, n: int = 1, ctx: ModuleType = mp) -> SynchronizedArray:
    return ctx.Array("B", n * (space.max_length + 4))


@read_from_shared_memory.register(DialogueText)
def _read(space: DialogueText, shared_memory: SynchronizedArray, n: int = 1) -> SharedTextView:
    return SharedTextView(space, shared_memory, n)


@write_to_shared_memory.register(DialogueText)
def _write(space: DialogueText, index: int, value: str, shared_memory: SynchronizedArray) -> None:
    data = value.encode("ascii")[: space.max_length]
    size = space.max_length + 4
    destination = np.frombuffer(shared_memory.get_obj(), dtype=np.uint8)[index * size : (index + 1) * size]
    destination[:4] = np.frombuffer(np.uint32(len(data)).tobytes(), dtype=np.uint8)
    destination[4 : 4 + len(data)] = np.frombuffer(data, dtype=np.uint8)
