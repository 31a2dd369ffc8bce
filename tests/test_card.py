"""``envfactory card``: the quality card's figures come from executing the environment and its task files."""

from __future__ import annotations

from pathlib import Path

import pytest

from envfactory_gym.cli import main
from envfactory_gym.core.tasks import Task, UserFact
from envfactory_gym.evaluation import card as card_module
from envfactory_gym.core.tasks import mask_request
from envfactory_gym.evaluation.card import build_card, render_card, request_stats
from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, load_tasks


@pytest.fixture(scope="module")
def calendar() -> card_module.Card:
    return build_card("Calendar")


def test_card_counts_the_task_file(calendar: card_module.Card) -> None:
    tasks = load_tasks("Calendar")
    assert calendar.tasks == len(tasks)
    assert calendar.splits == {split: len(load_tasks("Calendar", split)) for split in ("train", "test")}
    assert sum(calendar.chain_lengths.values()) == len(tasks)
    assert calendar.chain_lengths == {n: sum(len(t.gold) == n for t in tasks) for n in calendar.chain_lengths}
    assert calendar.conversational == sum(bool(t.user_facts) for t in tasks)
    assert calendar.alt_path == sum(t.tags.get("alt_path") is True for t in tasks)
    assert set(calendar.read_tools).isdisjoint(calendar.write_tools)
    assert "search_events" in calendar.read_tools and "update_event" in calendar.write_tools


def test_oracle_always_succeeds_and_no_op_never(calendar: card_module.Card) -> None:
    from envfactory_gym.agents import ADVERSARIES

    n = len(load_tasks("Calendar"))
    assert calendar.success["oracle"] == (n, n)
    assert calendar.success["no-op"] == (0, n)
    assert set(ADVERSARIES) <= set(calendar.success)
    assert all(played == n for _, played in calendar.success.values())
    assert calendar.determinism == (card_module.DETERMINISM_SAMPLE, card_module.DETERMINISM_SAMPLE)
    text = render_card(calendar)
    assert text.startswith("## Calendar") and f"{n}: {calendar.splits['train']} train" in text
    assert "| oracle " in text and "100.0%" in text


def test_a_domain_card_covers_its_cross_environment_tasks_only() -> None:
    travel = build_card("Travel", agents={})
    cross = [t for t in load_tasks("Travel") if t.env == "Travel"]
    assert travel.tasks == len(cross) < len(load_tasks("Travel"))
    assert {"HotelBooking", "TravelBooking"} <= set(travel.members) and travel.success == {}


def _task(i: int, request: str) -> Task:
    return Task(id=f"T-{i}", env="Calendar", seed=0, split="train", request=request, gold=(),
                user_facts=(UserFact("who", "Ann", ("who",)),) if i == 0 else ())


def test_masked_duplicates_on_hand_made_tasks() -> None:
    tasks = [
        _task(0, "Move 'Vendor demo' to 2026-03-22 at 14:30, same length."),
        _task(1, "Move 'Board prep' to 2026-04-01 at 9:00, same length."),        # same shape as 0
        _task(2, "Move 'Vendor demo' to 2026-03-22 at 14:30, same length."),      # exact duplicate of 0
        _task(3, "Show event evt_1a2b3c4d5e and tell me who attends."),
        _task(4, "Show event evt_99ffee0011 and tell me who   attends."),        # same shape as 3
        _task(5, "Refund 49.00 CAD of Molly's payment."),
        _task(6, "Refund 7 CAD of Molly's payment, please."),                    # a different shape
    ]
    stats = request_stats(t.request for t in tasks)
    assert (stats.shapes, stats.exact_duplicates, stats.masked_duplicates) == (4, 1, 3)
    assert stats.repeated[0] == (mask_request(tasks[0].request), 3)
    assert mask_request(tasks[3].request) == "show event <id> and tell me who attends."
    assert mask_request("On March 18, 2026 at 3 pm, mail ann.lee@example.com /home/ann/a.txt") == \
        "on <date> at <time>, mail <email> <path>"
    assert mask_request("it's Tom's 'Q3 plan'") == "it's tom's <str>"


def test_all_writes_a_page_with_every_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from envfactory_gym.agents import NoOpAgent

    monkeypatch.setattr(card_module, "default_agents", lambda: {"no-op": NoOpAgent})  # figures, not the agents
    out = tmp_path / "QUALITY.md"
    assert main(["card", "--all", "--out", str(out), "--no-progress"]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("# Quality cards") and "## Summary" in page
    for name in [*ENVIRONMENTS, *DOMAINS]:
        assert f"\n## {name}\n" in page
        assert f"| [{name}](#{name.lower()})" in page
    assert "wrote" in capsys.readouterr().err


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["card"]) == 2
    assert main(["card", "--all", "Calendar"]) == 2
    assert main(["card", "Nowhere"]) == 2
    assert main(["card", "Calendar", "--out", "x.md"]) == 2
    assert "unknown environment or domain: Nowhere" in capsys.readouterr().err
