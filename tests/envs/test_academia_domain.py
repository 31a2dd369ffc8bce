"""The Academia domain: cross-environment tasks over its members and their rewards."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from tests.envs.support import gold_calls, play, scenario_task


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Academia-v0", split=None).unwrapped


def test_domain_offers_cross_tasks_over_several_members(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Academia"]
    assert len(cross) >= 20
    assert all(t.tags["envs"] >= 2 for t in cross)
    assert all(len({env.worlds.tools[g["name"]][0].name for g in t.gold}) >= 2 for t in cross)
    spanned = {env.worlds.tools[g["name"]][0].name for t in cross for g in t.gold}
    assert {"ClinicalTrialsGov", "DrugBank", "WikipediaServer", "OpenLibrary"} <= spanned


def test_shelved_book_needs_the_right_shelf_and_the_author(env: Any) -> None:
    task = scenario_task(env, "town_watched_book_shelved", lambda t: t.env == "Academia")
    gold = gold_calls(task, env)
    answer = "Done. The book is by " + task.answer_facts[0]
    assert play(env, task.id, gold, answer) == 1.0
    name, shelve = gold[-1]
    assert play(env, task.id, [*gold[:-1], (name, {**shelve, "shelf": "already-read"})], answer) == 0.0
    assert play(env, task.id, gold[1:], answer) == 0.0  # the article was not watched


def test_trial_interaction_answer_needs_every_trial(env: Any) -> None:
    task = scenario_task(env, "trials_and_interaction", lambda t: t.env == "Academia")
    gold = gold_calls(task, env)
    assert play(env, task.id, gold, "Trials: " + ", ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, gold, "Trials: " + ", ".join(task.answer_facts[1:])) == 0.0
