"""``envfactory bench``: the bounds it checks and the batched run it compares (figures themselves are not tested)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from envfactory_gym.cli.bench import (Sample, _text, _work, bench_batch, bench_environment, flags, misses, pin,
                                      render_tools)
from envfactory_gym.core.tasks import Task
from envfactory_gym.core.tools import tool
from envfactory_gym.core.worldset import WorldSet
from envfactory_gym.episode.env import ToolUseEnv
from tests.toy import Bank


def test_misses_names_each_bound_an_environment_misses() -> None:
    row = {"name": "X", "keyed_us": 20.0, "search_us": 41.0, "write_us": 40.0, "first_step_us": 50.0,
           "first_later_us": 20.0, "grade_us": 1.0, "floor_us": 5.0}
    assert misses(row) == ["search > 2x keyed read", "reset+first step > 2x same call later"]
    assert misses({**row, "search_us": None, "first_step_us": 40.0}) == []
    counted = {**row, "write_us": 50.0, "keyed_statements": 1, "search_statements": 1, "write_statements": 6,
               "search_records": 30}
    assert misses(counted) == ["search > 2x keyed read (30 records)", "write > 2x keyed read (6 statements vs 1)",
                               "reset+first step > 2x same call later"]


class ListingBank(Bank):
    @tool
    def list_accounts(self) -> list[dict[str, Any]]:
        """Every account, by owner."""
        return self.rows("SELECT * FROM accounts ORDER BY owner")


def test_a_step_counts_each_statement_once_however_many_triggers_it_starts() -> None:
    """A transfer runs six statements (its two updates and its insert start change-log triggers); a search counts
    the records it returns."""
    task = Task("bank-0", "Bank", 3, "train", "Move 5 from one account to another.", ())
    env = ToolUseEnv("Bank", worlds=WorldSet.of("Bank", (ListingBank,)), tasks=[task], max_turns=100)
    env.reset(options={"task_id": task.id})
    accounts = env.worlds.worlds["ListingBank"].column("SELECT account_id FROM accounts ORDER BY owner")
    played: list[Sample] = []

    def play(sample: Sample) -> None:
        env.reset(options={"task_id": sample.task_id})
        played.append(sample)

    transfer = {"source": accounts[0], "target": accounts[1], "amount": 5}
    write = Sample(task.id, [], _text(("transfer", transfer)), "transfer", transfer)
    search = Sample(task.id, [], _text(("list_accounts", {})), "list_accounts", {})
    assert len(accounts) > 1
    assert _work(env, write, play) == (6, None) and _work(env, search, play) == (1, len(accounts))
    assert played == [write, search]


def test_flags_an_environment_far_above_its_peers() -> None:
    rows = [{"name": n, "keyed_us": k, "search_us": None, "write_us": 10.0, "first_step_us": None,
             "first_later_us": None, "grade_us": 10.0, "floor_us": 1.0} for n, k in (("A", 10.0), ("B", 11.0),
                                                                                       ("C", 12.0), ("D", 40.0))]
    assert flags(rows) == {"A": [], "B": [], "C": [], "D": ["keyed read 40x floor (peers 12x)"]}


def test_bench_environment_measures_every_kind_of_step() -> None:
    figures = bench_environment("Calendar", repeat=5)
    assert figures["name"] == "Calendar" and figures["tools"] >= 10
    for key in ("keyed_us", "search_us", "write_us", "reset_us", "grade_us", "floor_us"):
        assert figures[key] > 0, key
    # every live episode holds its own database (Calendar's is over 100 KiB), none taken from the idle pool
    assert 64 < figures["episode_kib"] < 4096
    tools = figures["per_tool"]
    assert {t["kind"] for t in tools} == {"keyed", "search", "write"} and len(tools) == figures["tools"]
    assert all(t["us"] > 0 and t["statements"] >= 0 for t in tools)
    assert all((t["records"] is None) == (t["kind"] == "write") for t in tools)


def test_render_tools_prints_a_line_per_measured_tool() -> None:
    rows = [{"name": "X", "per_tool": [{"tool": "find", "kind": "keyed", "us": 20.04, "statements": 1, "records": 1},
                                       {"tool": "pay", "kind": "write", "us": 61.0, "statements": 6, "records": None}]}]
    assert render_tools(rows).splitlines() == [
        "| environment   | tool   | kind   |   µs per step |   statements | records   |",
        "|---------------|--------|--------|---------------|--------------|-----------|",
        "| X             | find   | keyed  |          20.0 |            1 | 1         |",
        "| X             | pay    | write  |          61.0 |            6 | -         |"]


def test_batched_run_is_solved_and_compared_with_the_same_episodes_one_at_a_time() -> None:
    figures = bench_batch(["Calendar", "Retail"], episodes=8)
    assert figures["batch_episodes"] == 8 and figures["batch_solved"] == figures["single_solved"] == 8
    # the rates compare the same work: the same episodes take the same steps played together and one at a time
    assert figures["batch_steps"] == figures["single_steps"] > 8


def test_pin_keeps_the_process_on_one_cpu() -> None:
    allowed = os.sched_getaffinity(0)
    try:
        assert pin(None) == min(allowed) and os.sched_getaffinity(0) == {min(allowed)}
        with pytest.raises(SystemExit, match=rf"^--cpu 4096: this process may only run on CPUs \[{min(allowed)}\]$"):
            pin(4096)
    finally:
        os.sched_setaffinity(0, allowed)
