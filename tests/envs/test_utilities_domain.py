"""The Utilities domain: prefixed tool names, cross-environment tasks over its members and their rewards."""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks
from tests.envs.support import gold_calls, play, scenario_task

MEMBERS = ("Filesystem", "GorillaFileSystem", "HugeiconsServer", "Kuaidi100", "Maps", "MemoryKnowledgeGraph",
           "MongoDBServer", "Telecom", "Weather", "Whois")


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Utilities-v0", split=None).unwrapped


def cross_task(env: Any, scenario: str) -> Any:
    return scenario_task(env, scenario, lambda t: t.env == "Utilities")


def test_colliding_tools_are_prefixed_and_the_rest_keep_their_names(env: Any) -> None:
    names = set(env.worlds.tools)
    assert {"HugeiconsServer_create_collection", "MongoDBServer_create_collection",
            "HugeiconsServer_list_collections", "MongoDBServer_list_collections"} <= names
    assert not {"create_collection", "list_collections"} & names
    assert {"get_forecast", "maps_search_places", "query_trace", "add_observations", "whois_domain",
            "write_file"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_domain_offers_member_and_cross_tasks(env: Any) -> None:
    cross = [t for t in env.tasks if t.env == "Utilities"]
    assert len(cross) >= 20
    assert all(t.tags["envs"] >= 2 for t in cross)
    spanned = {g["env"] for t in cross for g in t.gold}
    assert {"Maps", "Weather", "Kuaidi100", "MemoryKnowledgeGraph", "Whois", "MongoDBServer", "HugeiconsServer",
            "Filesystem"} <= spanned
    assert len(env.tasks) == sum(len(load_tasks(m)) for m in MEMBERS) + len(cross)


def test_saved_forecast_spot_needs_the_alias_and_the_forecast(env: Any) -> None:
    task = cross_task(env, "place_forecast_saved")
    gold = gold_calls(task, env)
    answer = "Tomorrow: high, low " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    name, save = gold[-1]
    assert play(env, task.id, [*gold[:-1], (name, {**save, "alias": save["alias"] + " 2"})], answer) == 0.0
    assert play(env, task.id, gold, "Saved it.") == 0.0  # the forecast was asked for


def test_parcel_note_records_the_reported_state(env: Any) -> None:
    task = cross_task(env, "parcel_status_remembered")
    gold = gold_calls(task, env)
    answer = "Latest scan in " + task.answer_facts[0]
    assert play(env, task.id, gold, answer) == 1.0
    name, note = gold[-1]
    entry = note["observations"][0]
    wrong = {"observations": [{**entry, "contents": [entry["contents"][0].rsplit(":", 1)[0] + ": lost"]}]}
    assert play(env, task.id, [gold[0], (name, wrong)], answer) == 0.0


def test_whois_documents_need_every_domain(env: Any) -> None:
    task = next(t for t in env.tasks if t.env == "Utilities" and t.tags["scenario"] == "whois_into_mongo"
                and t.tags["calls"] >= 5)
    gold = gold_calls(task, env)
    assert play(env, task.id, gold) == 1.0
    assert play(env, task.id, gold[:-1]) == 0.0  # the second domain's document is missing
