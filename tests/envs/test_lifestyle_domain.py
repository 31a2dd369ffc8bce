"""The Lifestyle domain: its members, prefixed tool names, cross-environment tasks over the new members and their
rewards."""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks, templates
from envfactory_gym.episode.replay import translate
from tests.envs.support import play, scenario_task

NEW_MEMBERS = ("GameTrending", "LeagueOfLegends", "MovieRecommender", "Valorant", "WuWa", "TFTServer", "MetMuseum",
               "NationalParks", "HowToCook", "FruityviceServer", "FatSecretPlatform", "MeditationServer", "Posting",
               "SanvelloMentalHealthServer", "WhatsApp", "VehicleControl")
MEMBERS = ("CampusCard", "Message", *NEW_MEMBERS)


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Lifestyle-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str) -> Any:
    return scenario_task(env, scenario, lambda t: t.env == "Lifestyle")


def gold_calls(env: Any, task: Any) -> list[tuple[str, dict[str, Any]]]:
    """A cross task's gold calls under the domain's tool names (``Posting_login``...)."""
    return [(translate(env.worlds, task, g), g["arguments"]) for g in task.gold]


def answer(task: Any) -> str:
    return "Done. " + "; ".join(task.answer_facts)


def test_domain_lists_every_member(env: Any) -> None:
    assert set(env.worlds.worlds) == set(MEMBERS)


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"Posting_login", "Message_login", "Posting_logout", "Message_logout", "HowToCook_search_recipes",
            "FatSecretPlatform_search_recipes", "HowToCook_get_recipe_details"} <= names
    assert not {"login", "logout", "search_recipes", "get_recipe_details"} & names
    assert {"planVisit", "whatsapp_send_text_message", "create_tweet", "add_to_watchlist", "valorant_invite_friend",
            "set_navigation_destination", "daily_check_in", "log_fruit_intake", "add_diary_entry"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_domain_offers_cross_tasks_over_the_new_members(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Lifestyle"]
    assert len(cross) >= 25
    assert all(t.tags["envs"] >= 2 and t.tags["writes"] for t in cross)
    assert {t.tags["scenario"] for t in cross} == set(templates("Lifestyle"))  # every template yields tasks
    spanned = {g["env"] for t in cross for g in t.gold}
    assert set(NEW_MEMBERS) <= spanned
    assert len(env.tasks) == sum(len(load_tasks(m)) for m in MEMBERS) + len(cross)


@pytest.mark.parametrize("scenario", sorted(templates("Lifestyle")))
def test_gold_earns_one_and_stopping_short_earns_zero(env: Any, scenario: str) -> None:
    task = cross_task(env, scenario)
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, answer(task)) == 1.0
    assert play(env, task.id, gold[:-1], answer(task)) == 0.0


def test_park_day_message_needs_the_real_fee(env: Any) -> None:
    task = cross_task(env, "park_day_tell_friend")
    gold = gold_calls(env, task)
    name, text = gold[-1]
    fee = re.search(r"\$(\d+)", text["message"]).group(1)
    wrong = {**text, "message": text["message"].replace(f"${fee}", f"${int(fee) + 5}")}
    assert play(env, task.id, [*gold[:-1], (name, wrong)]) == 0.0
    assert play(env, task.id, gold[2:]) == 0.0  # the visit itself was never planned


def test_campsite_booking_needs_the_cost_stated(env: Any) -> None:
    task = cross_task(env, "campsite_tell_group")
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, answer(task)) == 1.0
    assert play(env, task.id, gold, "Booked and posted.") == 0.0


def test_watchlist_tweet_keeps_the_recommendation_order(env: Any) -> None:
    task = cross_task(env, "watchlist_from_recommendations")
    gold = gold_calls(env, task)
    name, post = gold[-1]
    head, titles = post["content"].split(": ", 1)
    shuffled = "; ".join(reversed(titles.split("; ")))
    assert play(env, task.id, [*gold[:-1], (name, {**post, "content": f"{head}: {shuffled}"})]) == 0.0


def test_check_in_note_names_the_meditation_played(env: Any) -> None:
    task = cross_task(env, "meditation_then_check_in")
    gold = gold_calls(env, task)
    name, check_in = gold[-1]
    assert play(env, task.id, [*gold[:-1], (name, {**check_in, "notes": "Did a meditation this morning"})]) == 0.0
    assert play(env, task.id, [gold[0], gold[-1]]) == 0.0  # the session was never played


def test_cross_game_form_states_both_win_counts(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "cross_game_form_invite"
                and len(set(t.answer_facts)) == 2)
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, answer(task)) == 1.0
    assert play(env, task.id, gold, "Done. " + task.answer_facts[0]) == 0.0


def test_drive_to_park_sets_the_gateway_city(env: Any) -> None:
    task = cross_task(env, "drive_to_park")
    gold = gold_calls(env, task)
    wrong = [(n, {**a, "destination": a["destination"] + " downtown"}) if n.endswith("set_navigation_destination")
             else (n, a) for n, a in gold]
    assert play(env, task.id, wrong) == 0.0
