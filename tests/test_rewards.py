"""Grading: end-state match, facts, partial credit."""

from __future__ import annotations

from collections import Counter

from envfactory_gym.episode.reward import grade, normalize_text

EXPECTED = Counter({("added", "t", (("a", 1),)): 1, ("changed", "t", (("k", 2),), (("b", 3),)): 1})


def test_exact_match_with_facts_succeeds() -> None:
    result = grade(EXPECTED, Counter(EXPECTED), ["1,250.50 USD"], "It cost 1250.50 usd in total.")
    assert result.success and result.state_match and result.facts_found and result.partial == 1.0


def test_missing_change_fails_with_partial_credit() -> None:
    actual = Counter({("added", "t", (("a", 1),)): 1})
    result = grade(EXPECTED, actual, [], "")
    assert not result.success and result.partial == 0.5 and result.achieved_changes == 1
    assert len(result.missing_changes) == 1 and not result.unexpected_changes


def test_unexpected_change_costs_credit() -> None:
    actual = Counter(EXPECTED) + Counter({("removed", "t", (("z", 0),)): 1})
    result = grade(EXPECTED, actual, [], "")
    assert not result.success and result.partial == 0.5 and len(result.unexpected_changes) == 1


def test_missing_fact_fails() -> None:
    result = grade(Counter(), Counter(), ["Room B", "2026-03-13T09:00"], "It is in room b.")
    assert not result.success and result.state_match and result.missing_facts == ["2026-03-13T09:00"]
    assert result.partial == 0.5


def test_nothing_expected_and_nothing_done_is_success_only_without_facts() -> None:
    assert grade(Counter(), Counter(), [], "").success
    assert not grade(Counter(), Counter({("added", "t", ()): 1}), [], "").success


def test_normalize_text() -> None:
    assert normalize_text("  Total:\n 1,234,567  EUR ") == "total: 1234567 eur"
