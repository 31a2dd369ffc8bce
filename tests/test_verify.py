"""``envfactory verify`` over every registered environment and domain: all checks must pass."""

from __future__ import annotations

import pytest

from envfactory_gym.registration import DOMAINS, ENVIRONMENTS
from envfactory_gym.evaluation.verify import CHECKS, render_table, verify


@pytest.mark.parametrize("name", [*ENVIRONMENTS, *DOMAINS])
def test_environment_passes_every_check(name: str) -> None:
    results = verify([name], progress=False)
    assert [r.check for r in results] == list(CHECKS)
    failed = [r for r in results if not r.passed]
    assert not failed, render_table(results)


def test_failures_name_the_environment_task_and_reason() -> None:
    from envfactory_gym.evaluation.verify import CheckResult

    table = render_table([CheckResult("X", "gold", False, failures=["X task X-1: gold path earned 0.0: {...}"])])
    assert "| X             | FAIL   |" in table and "- X task X-1: gold path earned 0.0" in table


def test_adversarial_check_catches_a_tool_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tool that crashes on odd input is reported, not hidden."""
    from envfactory_gym.registration import world_set
    from envfactory_gym.evaluation.verify import check_adversarial

    calendar = world_set("Calendar").members[0]
    spec = calendar.tools["find_contact"]

    def crashing(self, name: str) -> list:
        raise RuntimeError("boom")

    monkeypatch.setitem(calendar.tools, "find_contact", type(spec)(**{**vars(spec), "function": crashing}))
    result = check_adversarial("Calendar", count=300)
    assert not result.passed
    assert any("tool bug: Error: internal error in tool 'find_contact': RuntimeError: boom" in f for f in result.failures)


def test_worlds_check_reports_a_seed_whose_world_fails_to_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from envfactory_gym.evaluation.verify import check_worlds
    from envfactory_gym.registration import world_set

    calendar = world_set("Calendar").members[0]
    populate = calendar.populate.__func__

    def failing_on_one_seed(cls, db, rng, fake) -> None:  # seeds no other test builds, so none is cached
        populate(cls, db, rng, fake)
        if db["_meta"].get("seed")["value"] == 90_005:
            raise ValueError("Sample larger than population or is negative")

    monkeypatch.setattr(calendar, "populate", classmethod(failing_on_one_seed))
    result = check_worlds("Calendar", seeds=(90_004, 90_005, 90_006))
    assert not result.passed and result.detail == "2 of 3 seeds built"
    assert result.failures == ["Calendar seed 90005: the world failed to build: ValueError: Sample larger than "
                               "population or is negative"]
    assert check_worlds("Office").detail == "a domain: its members' worlds are checked on their own"
