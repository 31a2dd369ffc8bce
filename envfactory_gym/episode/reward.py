"""Grading an episode: order-independent end-state match, required answer facts, partial credit."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.core.state import Change

_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lower case, no thousands separators, single spaces: how answers and facts are compared."""
    return _SPACES.sub(" ", _DIGIT_COMMA.sub("", text.lower())).strip()


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

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["missing_changes"] = [repr(c) for c in self.missing_changes]
        out["unexpected_changes"] = [repr(c) for c in self.unexpected_changes]
        return out


def grade(expected: Counter[Change], actual: Counter[Change], facts: Sequence[str], answer: str) -> RewardBreakdown:
    """Compare the canonical change sets and look for every fact in the agent's messages to the user."""
    missing = expected - actual
    unexpected = actual - expected
    achieved = sum(expected.values()) - sum(missing.values())
    said = normalize_text(answer)
    missing_facts = [f for f in facts if normalize_text(f) not in said]
    targets = sum(expected.values()) + len(facts)
    if targets:
        score = (achieved + len(facts) - len(missing_facts) - sum(unexpected.values())) / targets
    else:
        score = 0.0 if unexpected else 1.0
    state_match = not missing and not unexpected
    return RewardBreakdown(
        success=state_match and not missing_facts,
        state_match=state_match,
        facts_found=not missing_facts,
        partial=max(0.0, score),
        expected_changes=sum(expected.values()),
        achieved_changes=achieved,
        missing_changes=sorted(missing.elements(), key=repr),
        unexpected_changes=sorted(unexpected.elements(), key=repr),
        missing_facts=missing_facts,
    )
