"""``envfactory bench``: the bounds it checks and the batched run it compares (figures themselves are not tested)."""

from __future__ import annotations

import os
from typing import Any
from unittest.mock import ANY

import pytest

from envfactory_gym.cli.bench import (Sample, _alone, _bare, _same_result, _text, _work, bench_batch,
                                      bench_environment, beyond_runtime, flags, least_step, misses, pin, render,
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
    assert not beyond_runtime(counted)  # nothing known of the tools alone
    timed = {**counted, "first_step_us": 30.0, "keyed_runtime_us": 8.0, "search_alone_us": 20.0,
             "search_encoding_us": 10.0, "write_alone_us": 30.0, "write_encoding_us": 2.0}
    assert misses(timed) == [
        "search > 2x keyed read (30 records; tool alone 1.0x + encoding 0.5x + a keyed read's runtime share 0.4x"
        " = 1.9x)",
        "write > 2x keyed read (6 statements vs 1; tool alone 1.5x + encoding 0.1x + a keyed read's runtime share 0.4x"
        " = 2.0x)"]
    assert least_step(timed, "write_us") == (30.0, 2.0, 8.0) and least_step(timed, "first_step_us") is None
    # the search could meet its bound if it cost the runtime what a keyed read does; the write (40 of 40 µs) too
    assert not beyond_runtime(timed)
    assert beyond_runtime({**timed, "search_encoding_us": 12.5, "write_alone_us": 30.5})
    assert not beyond_runtime({**timed, "search_encoding_us": 12.5})  # the write could still meet its bound
    assert not beyond_runtime({**row, "first_step_us": 30.0})  # nothing known of the tools alone
    assert not beyond_runtime({**timed, "search_us": 30.0, "write_us": 30.0})  # no bound missed


def test_render_sums_up_the_misses_and_the_runtimes_share_of_a_step() -> None:
    common = {"first_step_us": None, "first_later_us": None, "reset_us": 6.0, "grade_us": 50.0, "floor_us": 5.0,
              "episode_kib": 200.0, "search_us": None}
    rows = [{**common, "name": "A", "keyed_us": 20.0, "write_us": 45.0, "keyed_alone_us": 5.0,
             "keyed_encoding_us": 3.0, "keyed_runtime_us": 12.0, "write_alone_us": 30.0, "write_encoding_us": 4.0,
             "write_runtime_us": 12.0},
            {**common, "name": "B", "keyed_us": 20.0, "write_us": 30.0, "keyed_runtime_us": 10.0,
             "write_runtime_us": 16.0}]
    figures = {"per_environment": rows, "typical_call": "find", "step_text_per_s": 21000.0, "step_dict_per_s": 25000.0,
               "batch_episodes": 8, "batch_steps_per_s": 900.0, "single_steps_per_s": 1000.0, "batch_ratio": 0.9,
               "batch_solved": 8}
    lines = render(figures).splitlines()
    assert ("1 of 2 environments miss a step bound (search and write <= 2x keyed read; reset+first step <= 2x the same"
            " call later); in 1 of them every bound missed is out of the runtime's reach: the tool alone (its own"
            " statements and Python on a bare world, after the same steps), the encoding of its result and a keyed"
            " read's runtime share already take longer than the bound allows the whole step.") in lines
    assert ("The runtime's share of a step (the step less its tool alone and the encoding of its result), median"
            " over the environments: keyed read 11.0 µs, write 14.0 µs.") in lines
    row_a = next(line for line in lines if line.startswith("| A "))
    assert "| 5.0/-/30.0 " in row_a and "| 3.0/-/4.0 " in row_a and "| 12.0/-/12.0 " in row_a
    assert row_a.rstrip(" |").endswith("write > 2x keyed read (tool alone 1.5x + encoding 0.2x + a keyed read's "
                                       "runtime share 0.6x = 2.3x)")


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
    # every tool alone returns what it returns in the episode, so each has its time alone and the runtime's share
    assert all(t["alone_us"] > 0 and t["encoding_us"] > 0 for t in tools)
    for kind in ("keyed", "search", "write"):
        assert figures[f"{kind}_alone_us"] > 0 and figures[f"{kind}_encoding_us"] > 0, kind
        assert figures[f"{kind}_runtime_us"] is not None, kind


def test_a_tool_alone_runs_on_a_bare_world_in_the_state_before_its_call() -> None:
    """The bare world has no change log (a write logs nothing) and starts from the state the episode's earlier writes
    left; the episode's own connection keeps its triggers."""
    task = Task("bank-0", "Bank", 3, "train", "Move 5 twice.", ())
    env = ToolUseEnv("Bank", worlds=WorldSet.of("Bank", (Bank,)), tasks=[task], max_turns=100)
    env.reset(options={"task_id": task.id})
    world = env.worlds.worlds["Bank"]
    accounts = world.column("SELECT account_id FROM accounts ORDER BY owner")
    transfer = {"source": accounts[0], "target": accounts[1], "amount": 5}
    first = Sample(task.id, [_text(("transfer", transfer))], _text(("transfer", transfer)), "transfer", transfer,
                   [("transfer", transfer)])

    def play(sample: Sample) -> None:
        env.reset(options={"task_id": sample.task_id})
        for action in sample.before:
            env.step(action)

    log_triggers = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_log\\_%' ESCAPE '\\'"
    with _bare(Bank, 3) as bare:
        assert bare.value(log_triggers) == 0 and world.value(log_triggers) > 0
        restore, call = _alone(env, bare, first)
        restore()
        balance = bare.value("SELECT balance FROM accounts WHERE account_id = ?", accounts[0])
        assert balance == world.value("SELECT balance FROM accounts WHERE account_id = ?", accounts[0]) - 5
        assert call()["balance"] == balance - 5 and bare.dirty() == frozenset()
        assert bare.value("SELECT balance FROM accounts WHERE account_id = ?", accounts[0]) == balance - 5
        assert _same_result(env, first, play, restore, call) == (True, {"transfer_id": ANY, "balance": balance - 5})
    env.reset(options={"task_id": task.id})
    assert world.value(log_triggers) > 0 and Bank(3).value(log_triggers) > 0


def test_render_tools_prints_a_line_per_measured_tool() -> None:
    rows = [{"name": "X", "per_tool": [{"tool": "find", "kind": "keyed", "us": 20.04, "statements": 1, "records": 1},
                                       {"tool": "pay", "kind": "write", "us": 61.0, "statements": 6, "records": None}]}]
    rows[0]["per_tool"][1] |= {"alone_us": 30.04, "encoding_us": 2.51}
    assert render_tools(rows).splitlines() == [
        "| environment   | tool   | kind   |   µs per step | µs alone   | µs encoding   |   statements "
        "| records   |",
        "|---------------|--------|--------|---------------|------------|---------------|--------------|-----------|",
        "| X             | find   | keyed  |          20.0 | -          | -             |            1 | 1         |",
        "| X             | pay    | write  |          61.0 | 30.0       | 2.5           |            6 | -         |"]


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


def test_the_json_output_carries_the_load_it_was_measured_under(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    import json

    from envfactory_gym.cli.bench import configure, run

    parser = argparse.ArgumentParser()
    configure(parser)
    allowed = os.sched_getaffinity(0)
    try:
        assert run(parser.parse_args(["--sections", "core", "--envs", "Calendar", "--episodes", "4", "--repeat", "10",
                                      "--json"])) == 0
    finally:
        os.sched_setaffinity(0, allowed)
    figures = json.loads(capsys.readouterr().out)
    assert figures["cpu"] == min(allowed) and figures["load_average"] >= 0.0
    assert [row["name"] for row in figures["core"]["per_environment"]] == ["Calendar"]
    assert figures["core"]["batch_solved"] == 4 and "mcp" not in figures
