"""Grading an episode: order-independent end-state match, required answer facts, partial credit.

State: the change records of the episode must equal the gold path's, as multisets (any order, any valid path).
An inserted row may differ from the gold one only in columns the gold left empty (NULL): a field the request does
not constrain, such as an optional refund reason, is not graded. Answers: see :mod:`envfactory_gym.episode.answers`.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.core.state import Change
from envfactory_gym.episode.answers import FactResult, grade_facts


@dataclass
class RewardBreakdown:
    success: bool
    state_match: bool
    facts_found: bool
    partial: float
    expected_changes: int
    achieved_changes: int
    missing_changes: list[Change] = field(default_factory=list)
    unexpected_changes: list[Change] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
    #: Per required fact: its kind, whether the answer states it, and the competing values it also states.
    facts: list[FactResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["missing_changes"] = [repr(c) for c in self.missing_changes]
        out["unexpected_changes"] = [repr(c) for c in self.unexpected_changes]
        out["facts"] = [{"fact": f.fact, "kind": f.kind, "found": f.found, "competing": list(f.competing)}
                        for f in self.facts]
        return out


def grade(expected: Counter[Change], actual: Counter[Change], facts: Sequence[str], answer: str,
          seen: dict[str, set[str]] | None = None, minor_units: frozenset[str] = frozenset()) -> RewardBreakdown:
    """Compare the canonical change sets, and grade every fact in the agent's messages to the user against the
    values it was shown (``seen``, by field; see :func:`~envfactory_gym.episode.answers.seen_values`)."""
    missing, unexpected = _compare(expected, actual)
    achieved = sum(expected.values()) - sum(missing.values())
    fact_results = grade_facts(facts, answer, seen or {}, minor_units)
    missing_facts = [f.fact for f in fact_results if not f.passed]
    state_match = not missing and not unexpected
    return RewardBreakdown(
        success=state_match and not missing_facts,
        state_match=state_match,
        facts_found=not missing_facts,
        partial=_partial(expected, missing, unexpected, len(facts), len(missing_facts)),
        expected_changes=sum(expected.values()),
        achieved_changes=achieved,
        missing_changes=sorted(missing.elements(), key=repr),
        unexpected_changes=sorted(unexpected.elements(), key=repr),
        missing_facts=missing_facts,
        facts=fact_results,
    )


def progress(expected: Counter[Change], actual: Counter[Change], facts: Sequence[str], answer: str,
             seen: dict[str, set[str]] | None = None, minor_units: frozenset[str] = frozenset()) -> float:
    """``grade(...).partial`` without building the breakdown (the per-step progress figure)."""
    missing, unexpected = _compare(expected, actual)
    failed = sum(not f.passed for f in grade_facts(facts, answer, seen or {}, minor_units)) if facts else 0
    return _partial(expected, missing, unexpected, len(facts), failed)


def _compare(expected: Counter[Change], actual: Counter[Change]) -> tuple[Counter[Change], Counter[Change]]:
    """Expected changes not made and changes made but not expected."""
    missing = expected - actual
    unexpected = actual - expected
    _pair_unconstrained(missing, unexpected)
    return missing, unexpected


def _partial(expected: Counter[Change], missing: Counter[Change], unexpected: Counter[Change], facts: int,
             missing_facts: int) -> float:
    """Expected changes made and facts stated, less unexpected changes, over all targets."""
    targets = sum(expected.values()) + facts
    if not targets:
        return 0.0 if unexpected else 1.0
    achieved = sum(expected.values()) - sum(missing.values())
    return max(0.0, (achieved + facts - missing_facts - sum(unexpected.values())) / targets)


def _pair_unconstrained(missing: Counter[Change], unexpected: Counter[Change]) -> None:
    """Drop pairs of an expected and an actual inserted row that differ only where the expected row is NULL."""
    for want in list(missing.elements()):
        if want[0] != "added":
            continue
        wanted = dict(want[2])
        for got in list(unexpected):
            if unexpected[got] and got[0] == "added" and got[1] == want[1] and _fills(wanted, dict(got[2])):
                missing[want] -= 1
                unexpected[got] -= 1
                break
    missing += Counter()  # drop zero counts
    unexpected += Counter()


def _fills(wanted: dict[str, Any], got: dict[str, Any]) -> bool:
    return wanted.keys() == got.keys() and all(v is None or _fills_value(v, got[k]) for k, v in wanted.items())


def _fills_value(wanted: Any, got: Any) -> bool:
    """Equal, or both signatures of generated rows of one table (``<table:row>``, see
    :class:`~envfactory_gym.core.state.Canonicalizer`) whose rows differ only where the wanted one is NULL: an
    inserted row's own generated key is the signature of the row, so it differs wherever the row does."""
    if got == wanted:
        return True
    if not (isinstance(wanted, str) and isinstance(got, str) and wanted.startswith("<") and wanted.endswith(">")):
        return False
    table, _, inner = wanted[1:-1].partition(":")
    if not inner or not got.startswith(f"<{table}:") or not got.endswith(">"):
        return False
    try:
        rows = ast.literal_eval(inner), ast.literal_eval(got[len(table) + 2:-1])
        return _fills(dict(rows[0]), dict(rows[1]))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
