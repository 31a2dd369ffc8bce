"""Tasks: the JSON Lines format episodes are specified in, and the scenario templates environments declare."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Split = Literal["train", "test"]


@dataclass(frozen=True)
class UserFact:
    """Something the user knows but did not say: revealed by the scripted user when asked with a keyword."""

    name: str
    value: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    """One episode specification (a line of a task file)."""

    id: str
    env: str
    seed: int
    split: Split
    request: str
    gold: tuple[dict[str, Any], ...]
    answer_facts: tuple[str, ...] = ()
    user_facts: tuple[UserFact, ...] = ()
    tags: dict[str, Any] = field(default_factory=dict)

    @property
    def conversational(self) -> bool:
        return bool(self.user_facts)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        data = dict(data)
        data["gold"] = tuple(data["gold"])
        data["answer_facts"] = tuple(data.get("answer_facts", ()))
        data["user_facts"] = tuple(
            UserFact(f["name"], f["value"], tuple(f["keywords"])) for f in data.get("user_facts", ())
        )
        return cls(**data)


# ----------------------------------------------------------------------------------------- request shapes
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
#: (pattern, placeholder), applied in order: a placeholder is never matched by a later pattern.
MASKS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.IGNORECASE), r) for p, r in (
    (r"(?<!\w)'[^'\n]+?'(?!\w)|\"[^\"\n]+\"|“[^”\n]+”|‘[^’\n]+’", "<str>"),
    (r"\bhttps?://\S+", "<url>"),
    (r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", "<email>"),
    (r"(?<![\w/])~?(?:/[\w.-]+)+/?", "<path>"),
    (r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?", "<date>"),
    (rf"\b{_MONTH}\.? {_DAY}(?:,? \d{{4}})?\b|\b{_DAY} {_MONTH}\b(?:,? \d{{4}})?", "<date>"),
    (r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", "<date>"),
    (r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}\s*[ap]\.?m\b\.?", "<time>"),
    (r"\b(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9]+(?:[_-][a-z0-9]+)*\b", "<id>"),
    (r"\d+(?:[.,]\d+)*", "<num>"),
))


def mask_request(text: str) -> str:
    """A request's shape: its values replaced by placeholders, spacing collapsed, lower case.

    >>> mask_request("Move 'Vendor demo' (evt_1a2b3c4d5e) to 2026-03-22 at 14:30, 90 minutes.")
    'move <str> (<id>) to <date> at <time>, <num> minutes.'
    """
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split()).lower()


def read_tasks(path: str | Path) -> list[Task]:
    """Read a task file; a missing file is an empty task set."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [Task.from_dict(json.loads(line)) for line in fh if line.strip()]


def write_tasks(path: str | Path, tasks: Iterable[Task]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(t.to_json() + "\n" for t in tasks), encoding="utf-8")


# ---------------------------------------------------------------------------------------- scenario templates
@dataclass(frozen=True)
class Ref:
    """A value taken from the result of an earlier call of the same draft: step index, dotted path, transform."""

    step: int
    path: str = ""
    then: Callable[[Any], Any] | None = None

    def resolve(self, results: Sequence[Any]) -> Any:
        value = results[self.step]
        for part in filter(None, self.path.split(".")):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return self.then(value) if self.then else value


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


def call(tool: str, /, **arguments: Any) -> Call:
    """A gold call of a scenario draft; argument values may be :class:`Ref`."""
    return Call(tool, arguments)


@dataclass(frozen=True)
class Draft:
    """What a scenario proposes: the request, the gold calls, the answer facts and the hidden user facts.

    ``alternatives`` are other valid call sequences to the same outcome (finding an event by listing its day
    instead of searching its title); their :class:`Ref` point into their own results. Calibration replays each
    and keeps the task only if every one earns reward 1 as well.
    """

    request: str
    calls: tuple[Call, ...]
    answer: tuple[Any, ...] = ()
    ask: tuple[UserFact, ...] = ()
    alternatives: tuple[tuple[Call, ...], ...] = ()


ScenarioFn = Callable[[Any, Any], Draft | None]


def scenario(function: ScenarioFn) -> ScenarioFn:
    """Mark a function ``(world, rng) -> Draft | None`` of a templates module as a task template.

    ``world`` is the initial state of one seed (a :class:`~envfactory_gym.core.world.World`, or for a domain's
    cross-environment templates a :class:`~envfactory_gym.core.worldset.WorldSet`); a template reads it through
    its tools or plain SQL (``world.rows(...)``), never writes, and returns a draft, or None when this state offers
    no instance.
    """
    function.__envfactory_scenario__ = True  # type: ignore[attr-defined]
    return function


def load_templates(module: str) -> dict[str, ScenarioFn]:
    """The templates of a templates module, in definition order (none when the module does not exist)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            return {}
        raise
    return {name: fn for name, fn in vars(loaded).items() if getattr(fn, "__envfactory_scenario__", False)}


def pick(field: str, **match: Any) -> Callable[[list[dict[str, Any]]], Any]:
    """A transform for :class:`Ref`: ``field`` of the first row of a result list having all the ``match`` values."""

    def choose(rows: list[dict[str, Any]]) -> Any:
        for row in rows:
            if all(row.get(key) == value for key, value in match.items()):
                return row[field]
        raise KeyError(f"no row with {match}")

    return choose


def resolve(value: Any, results: Sequence[Any]) -> Any:
    """Replace every :class:`Ref` inside ``value`` by what it points at."""
    if isinstance(value, Ref):
        return value.resolve(results)
    if isinstance(value, list | tuple):
        return [resolve(v, results) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, results) for k, v in value.items()}
    return value


def marked(cls: type, marker: str) -> dict[str, tuple[Callable[..., Any], Any]]:
    """The functions of a class and its bases carrying ``marker`` (tools, scenarios), in definition order."""
    found: dict[str, tuple[Callable[..., Any], Any]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if hasattr(value, marker):
                found[attr] = (value, getattr(value, marker))
    return found
