"""Grading the final answer for commitment, not volume.

A required fact has a kind, read from the value and from where it appears in the tool results the agent saw:

- ``datetime`` / ``date`` / ``time`` (``2026-03-05T14:30``, ``2026-03-05``, ``14:30``): the answer may write it in
  any common form (``2026-03-05 at 14:30``, ``March 5, 2026, 2:30 PM``, ``5 March 2026``);
- ``money``: a number under a field the environment declares in minor units (``World.minor_units``, e.g. Stripe's
  ``amount``): ``7500`` matches "75.00", "$75.00", "75.00 CAD" (and the raw "7500");
- ``number``: matches the same number in the answer (thousands separators allowed, "7.0" = "7");
- ``text`` (names, enumeration values, free text): matches case-insensitively at word boundaries, with hyphens,
  underscores and runs of spaces equivalent ("full-size" = "full size").

A fact fails when it is missing, **or when the answer also states a competing value**: a value the agent was shown
that is not itself a required fact and is either under the same field as the fact (another event's location,
another item's colour) or, for dates, times, numbers and money, of the same kind anywhere (another price, another
date). Dumping everything read therefore fails, while a correct answer may add details that do not compete (the
event's title next to its time).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
MONTHS |= {name[:3]: number for name, number in list(MONTHS.items())}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::\d{2})?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")

_DATE_IN_TEXT = [
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), ("y", "m", "d")),
    (re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"), ("mon", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})\b"), ("d", "mon", "y")),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])"), ("m", "d", "y")),
]
_TIME_IN_TEXT = re.compile(r"(?<![\d:])(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*([ap])\.?\s?m\b\.?|(?<![\d:])(\d{1,2}):(\d{2})(?![\d])")
#: A number standing alone (not part of "6-218", "v1.2.3", "a/12" or an id).
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.\-/])-?\d+(?:\.\d+)?(?![\w\-/]|\.\d)")
#: What may stand between a date and its time: spaces, a comma, "T", "at", "on", "from", "@".
_JOINER = re.compile(r"^[\s,]*(?:t|at|on|from|@)?[\s,]*$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_SEPARATORS = re.compile(r"[\s_\-‐-―]+")


#: Kinds whose values compete wherever they were shown (a text value competes only within its own field).
MEASURED = frozenset({"datetime", "date", "time", "number", "money"})


@dataclass(frozen=True)
class Fact:
    """A required fact: its original text, kind and canonical value."""

    text: str
    kind: str
    value: Any


@dataclass(frozen=True)
class FactResult:
    fact: str
    kind: str
    found: bool
    competing: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.found and not self.competing


def parse_value(text: str, money: bool = False) -> Fact:
    """The kind and canonical value of a fact or of a value the agent saw."""
    stripped = text.strip()
    if m := _ISO_DATETIME.match(stripped):
        y, mo, d, h, mi = map(int, m.groups())
        return Fact(text, "datetime", (dt.date(y, mo, d), (h, mi)))
    if m := _ISO_DATE.match(stripped):
        try:
            return Fact(text, "date", dt.date(*map(int, m.groups())))
        except ValueError:
            return Fact(text, "text", _text(stripped))
    if m := _CLOCK.match(stripped):
        return Fact(text, "time", (int(m.group(1)), int(m.group(2))))
    if _NUMBER.match(stripped):
        number = Decimal(stripped)
        return Fact(text, "money" if money else "number", number.normalize())
    return Fact(text, "text", _text(stripped))


def _text(text: str) -> str:
    return _SEPARATORS.sub(" ", _THOUSANDS.sub("", text.lower())).strip()


class Answer:
    """What an answer states, extracted once: dates, times, date-time pairs, numbers and its normalized text."""

    #: Most characters between a date and the time that goes with it ("2026-03-05 at 14:30", "2:30 PM on March 5").
    PAIR_GAP = 16

    def __init__(self, text: str) -> None:
        self.text = f" {_text(text)} "
        lowered = _THOUSANDS.sub("", text.lower())
        masked = list(lowered)  # matched dates and times blanked out, offsets kept
        dates: list[tuple[int, int, dt.date]] = []
        for pattern, order in _DATE_IN_TEXT:
            for m in pattern.finditer(lowered):
                parts = dict(zip(order, m.groups()))
                month = MONTHS[parts["mon"].rstrip(".")] if "mon" in parts else int(parts["m"])
                try:
                    dates.append((m.start(), m.end(), dt.date(int(parts["y"]), month, int(parts["d"]))))
                except ValueError:
                    continue
                masked[m.start():m.end()] = " " * (m.end() - m.start())
        times: list[tuple[int, int, tuple[int, int]]] = []
        for m in _TIME_IN_TEXT.finditer("".join(masked)):
            if m.group(3):
                hour, minute = int(m.group(1)) % 12 + (12 if m.group(3) == "p" else 0), int(m.group(2) or 0)
            else:
                hour, minute = int(m.group(4)), int(m.group(5))
            if hour < 24 and minute < 60:
                times.append((m.start(), m.end(), (hour, minute)))
            masked[m.start():m.end()] = " " * (m.end() - m.start())
        self.dates = {d for _, _, d in dates}
        self.times = {t for _, _, t in times}
        self.datetimes: set[tuple[dt.date, tuple[int, int]]] = set()
        for d_start, d_end, day in dates:  # each date with its closest time joined to it ("at", "on", "T", ",")
            gaps = [(t_start - d_end, 0, clock) for t_start, _, clock in times
                    if 0 <= t_start - d_end <= self.PAIR_GAP and _JOINER.match(lowered[d_end:t_start])]
            gaps += [(d_start - t_end, 1, clock) for _, t_end, clock in times
                     if 0 <= d_start - t_end <= self.PAIR_GAP and _JOINER.match(lowered[t_end:d_start])]
            if gaps:
                self.datetimes.add((day, min(gaps)[2]))
        self.numbers: set[Decimal] = set()
        rest = "".join(masked).replace("$", " ").replace("€", " ").replace("£", " ")
        for m in _NUMBER_IN_TEXT.finditer(rest):
            try:
                self.numbers.add(Decimal(m.group(0)).normalize())
            except InvalidOperation:
                continue

    def states(self, fact: Fact) -> bool:
        """Whether the answer states the fact in any accepted form."""
        if fact.kind == "datetime":
            return fact.value in self.datetimes
        if fact.kind == "date":
            return fact.value in self.dates
        if fact.kind == "time":
            return fact.value in self.times
        if fact.kind == "number":
            return fact.value in self.numbers
        if fact.kind == "money":
            return fact.value in self.numbers or (fact.value / 100).normalize() in self.numbers
        return bool(fact.value) and re.search(rf"(?<!\w){re.escape(fact.value)}(?!\w)", self.text) is not None


def seen_values(results: Iterable[Any]) -> dict[str, set[str]]:
    """Every scalar the agent was shown, by the field it appeared under (list items under their list's field)."""
    by_field: dict[str, set[str]] = {}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif value is not None and not isinstance(value, bool):
            by_field.setdefault(key, set()).add(str(value))

    for result in results:
        walk(result, "")
    return by_field


def tool_results(messages: Sequence[dict[str, Any]]) -> list[Any]:
    """The parsed results of the successful tool calls of an episode."""
    out = []
    for message in messages:
        if message.get("role") == "tool" and not message.get("content", "").startswith("Error:"):
            try:
                out.append(json.loads(message["content"]))
            except (ValueError, TypeError):
                continue
    return out


def grade_facts(facts: Sequence[str], answer: str, seen: dict[str, set[str]],
                minor_units: frozenset[str] = frozenset()) -> list[FactResult]:
    """Each required fact: stated, and without competing values of its field (see the module doc)."""
    stated = Answer(answer)
    required = {str(f) for f in facts}
    inside = " | ".join(_text(f) for f in required)  # a rival within a required fact is stated with it, not against it
    results = []
    for text in facts:
        text = str(text)
        fields = [name for name, values in seen.items() if text in values]
        fact = parse_value(text, money=any(name in minor_units for name in fields))
        if not stated.states(fact):
            results.append(FactResult(text, fact.kind, False))
            continue
        rivals = {v for name in fields for v in seen[name]}
        if fact.kind in MEASURED:
            rivals |= {v for name, values in seen.items() for v in values
                       if parse_value(v, money=name in minor_units).kind == fact.kind}
        rivals -= required
        competing = sorted(v for v in rivals if _text(v) not in inside
                           and _competes(parse_value(v, money=fact.kind == "money"), fact, stated))
        results.append(FactResult(text, fact.kind, True, tuple(competing)))
    return results


def _competes(rival: Fact, fact: Fact, stated: Answer) -> bool:
    """Whether a rival value is stated in the answer (and is not the fact itself, nor part of it)."""
    if rival.value == fact.value or (rival.kind == "text" and fact.kind == "text"
                                     and (rival.value in fact.value or len(rival.value) < 2)):
        return False
    return stated.states(rival)
