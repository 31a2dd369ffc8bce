"""The runtime's contracts, on a toy world: schemas, validation, atomic calls, snapshots, digests, diffs."""

from __future__ import annotations

import gc
import sqlite3

import pytest

from envfactory_gym.core import state
from envfactory_gym.core.tools import ToolError
from envfactory_gym.core.world import CHANGE_LOG, paths_below
from tests.toy import Bank


@pytest.fixture
def bank() -> Bank:
    return Bank(seed=3)


def owners(bank: Bank) -> list[dict]:
    return bank.rows("SELECT owner, account_id, balance FROM accounts ORDER BY owner")


def test_schema_comes_from_signature_and_docstring() -> None:
    schema = Bank.tools["transfer"].schema()
    assert schema["type"] == "function"
    function = schema["function"]
    assert function["name"] == "transfer"
    assert function["description"] == "Move money between two accounts."
    params = function["parameters"]
    assert params["required"] == ["source", "target", "amount"]
    assert params["properties"]["amount"] == {"description": "Amount in whole units, positive.", "type": "integer"}
    assert params["properties"]["speed"]["enum"] == ["normal", "instant"]
    assert params["additionalProperties"] is False
    assert Bank.tools["transfer"].writes and not Bank.tools["find_account"].writes


def test_tool_without_docstring_is_refused() -> None:
    from envfactory_gym.core.tools import build_spec

    def undocumented(self, x: int) -> int:
        return x

    with pytest.raises(TypeError, match="needs a docstring"):
        build_spec(undocumented, writes=False)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"source": "a", "target": "b"}, "invalid arguments for 'transfer': amount: required argument is missing"),
        ({"source": "a", "target": "b", "amount": "ten"},
         "invalid arguments for 'transfer': amount: Input should be a valid integer, unable to parse string as an integer"),
        ({"source": "a", "target": "b", "amount": 1, "bogus": 1}, "invalid arguments for 'transfer': bogus: unknown argument"),
        ({"source": "a", "target": "b", "amount": 1, "speed": "slow"},
         "invalid arguments for 'transfer': speed: Input should be 'normal' or 'instant'"),
        (["a"], "arguments of 'transfer' must be a JSON object, got list"),
    ],
)
def test_invalid_arguments_are_rejected_before_the_body(bank: Bank, arguments: object, message: str) -> None:
    before = bank.digest()
    with pytest.raises(ToolError) as raised:
        bank.call("transfer", arguments)
    assert str(raised.value) == message
    assert bank.digest() == before


def test_unknown_tool_lists_the_available_ones(bank: Bank) -> None:
    with pytest.raises(ToolError, match="unknown tool 'nope'; available tools: find_account, transfer"):
        bank.call("nope", {})


def test_write_changes_state_and_failed_write_rolls_back(bank: Bank) -> None:
    alice, bob = owners(bank)[:2]
    result = bank.call("transfer", {"source": alice["account_id"], "target": bob["account_id"], "amount": 5})
    after = owners(bank)
    assert after[0]["balance"] == alice["balance"] - 5 and after[1]["balance"] == bob["balance"] + 5
    assert result["transfer_id"].startswith("tr_")
    digest = bank.digest()
    clock = bank.now()
    with pytest.raises(ToolError, match="insufficient balance"):
        bank.call("transfer", {"source": alice["account_id"], "target": bob["account_id"], "amount": 10**6})
    assert owners(bank) == after  # the two UPDATEs ran, then were rolled back
    assert bank.digest() == digest and bank.now() == clock


def test_after_a_failed_write_the_episode_goes_on_as_if_it_had_not_been_tried(bank: Bank) -> None:
    """The failed call is undone by replaying the calls before it: balances, the clock and the generated ids of later
    calls are those of an episode that never tried it."""
    alice, bob = owners(bank)[:2]
    transfer = {"source": alice["account_id"], "target": bob["account_id"], "amount": 5}
    first = bank.call("transfer", transfer)
    with pytest.raises(ToolError, match="^insufficient balance$"):
        bank.call("transfer", transfer | {"amount": 10**6})
    second = bank.call("transfer", transfer)
    digest, clock = bank.digest(), bank.now()
    bank.reset(bank.seed)
    assert bank.call("transfer", transfer) == first and bank.call("transfer", transfer) == second
    assert bank.digest() == digest and bank.now() == clock


def test_a_failed_write_keeps_what_was_written_outside_calls(bank: Bank) -> None:
    """Replaying the calls would lose a write made outside them, so from then on each write call takes a savepoint."""
    alice, bob = owners(bank)[:2]
    bank.call("transfer", {"source": alice["account_id"], "target": bob["account_id"], "amount": 5})
    bank.conn.execute("UPDATE accounts SET balance = balance + 100 WHERE account_id = ?", (bob["account_id"],))
    after, digest = owners(bank), bank.digest()
    with pytest.raises(ToolError, match="^insufficient balance$"):
        bank.call("transfer", {"source": alice["account_id"], "target": bob["account_id"], "amount": 10**6})
    assert owners(bank) == after and bank.digest() == digest
    assert [o["balance"] for o in after[:2]] == [alice["balance"] - 5, bob["balance"] + 105]


def test_a_replayed_call_gets_its_arguments_as_first_given() -> None:
    """Neither the tool (using up a list it was given) nor the caller (reusing its dict for other arguments) changes
    what a replay runs."""
    from envfactory_gym.core.tools import tool

    class Payroll(Bank):
        @tool(writes=True)
        def pay_everyone(self, amounts: list[int]) -> int:
            """Pay the sum of the amounts into every account (using the list up).

            Args:
                amounts: Amounts to add up.
            """
            total = 0
            while amounts:
                total += amounts.pop()
            self.execute("UPDATE accounts SET balance = balance + ?", total)
            return total

    payroll = Payroll(seed=3)
    before = owners(payroll)
    arguments = {"amounts": [1, 2]}
    assert payroll.call("pay_everyone", arguments) == 3
    arguments["amounts"] = [100]  # the caller reuses its dict
    with pytest.raises(ToolError, match="^insufficient balance$"):
        payroll.call("transfer", {"source": before[0]["account_id"], "target": before[1]["account_id"],
                                  "amount": 10**6})
    assert [o["balance"] for o in owners(payroll)] == [o["balance"] + 3 for o in before]


def test_a_tool_that_fails_when_replayed_is_reported() -> None:
    from envfactory_gym.core.tools import tool

    class Flaky(Bank):
        tries = 0

        @tool(writes=True)
        def touch_once(self) -> None:
            """Write a row; fail on every later try."""
            Flaky.tries += 1
            if Flaky.tries > 1:
                raise ToolError("not again")
            self.execute("UPDATE accounts SET balance = balance + 1")

    flaky = Flaky(seed=3)
    flaky.call("touch_once", {})
    alice, bob = owners(flaky)[:2]
    with pytest.raises(RuntimeError, match="^tool 'touch_once' failed when replayed with the same state and "
                                           "arguments: its effect depends on something outside them$"):
        flaky.call("transfer", {"source": alice["account_id"], "target": bob["account_id"], "amount": 10**6})


def test_read_tools_cannot_write(bank: Bank) -> None:
    before = bank.digest()
    with pytest.raises(Exception, match="not authorized"):
        bank.call("sneaky_write", {})
    assert bank.digest() == before


def test_reset_restores_the_snapshot_and_seeds_differ(bank: Bank) -> None:
    initial = bank.digest()
    a, b = owners(bank)[:2]
    bank.call("transfer", {"source": a["account_id"], "target": b["account_id"], "amount": 1})
    assert bank.digest() != initial
    bank.reset(3)
    assert bank.digest() == initial and owners(bank)[0] == a
    assert Bank(seed=3).digest() == initial
    assert Bank(seed=4).digest() != initial


def test_digest_is_independent_of_insertion_order(bank: Bank) -> None:
    """Dirty tables are rescanned; a table changed and changed back digests as before."""
    initial = bank.digest()
    a, b = owners(bank)[:2]
    made = bank.call("transfer", {"source": a["account_id"], "target": b["account_id"], "amount": 1})
    bank.call("cancel_transfer", {"transfer_id": made["transfer_id"]})
    assert bank.dirty() == {"accounts", "transfers"}
    assert bank.rows("SELECT owner, account_id, balance FROM accounts ORDER BY owner")[:2] == [a, b]
    assert bank.digest() != initial  # the clock, id counter and generated-id log moved on
    assert not bank.diff()  # but no domain table differs from the initial state


def test_diff_reports_added_and_changed_rows(bank: Bank) -> None:
    a, b = owners(bank)[:2]
    bank.call("transfer", {"source": a["account_id"], "target": b["account_id"], "amount": 7, "memo": "rent"})
    diff = bank.diff()
    assert set(diff) == {"accounts", "transfers"}
    changed = {old["owner"]: (old["balance"], new["balance"]) for old, new in diff["accounts"].changed}
    assert changed == {a["owner"]: (a["balance"], a["balance"] - 7), b["owner"]: (b["balance"], b["balance"] + 7)}
    assert [row["memo"] for row in diff["transfers"].added] == ["rent"]
    assert diff["accounts"].as_dict()["changed"][0]["after"] == {"balance": diff["accounts"].changed[0][1]["balance"]}


def test_changes_compare_generated_ids_by_content_and_ignore_volatile_columns() -> None:
    """Two paths creating the same transfers in a different order (different ids and times) are equivalent."""
    first, second = Bank(seed=3), Bank(seed=3)
    a, b, c = owners(first)[:3]
    pay_b = {"source": a["account_id"], "target": b["account_id"], "amount": 2}
    pay_c = {"source": a["account_id"], "target": c["account_id"], "amount": 3}
    first.call("transfer", pay_b)
    first.call("transfer", pay_c)
    second.call("transfer", pay_c)
    second.call("transfer", {**pay_b, "amount": 1})
    second.call("transfer", {**pay_b, "amount": 1})
    assert first.changes() != second.changes()  # two transfers of 1 are not one of 2
    third = Bank(seed=3)
    made = third.call("transfer", {**pay_b, "amount": 9})  # an extra transfer, cancelled again
    third.call("cancel_transfer", {"transfer_id": made["transfer_id"]})
    third.call("transfer", pay_c)
    third.call("transfer", pay_b)
    assert first.changes() == third.changes()
    assert first.rows("SELECT transfer_id FROM transfers") != third.rows("SELECT transfer_id FROM transfers")


def test_upsert_into_a_dirty_table(bank: Bank) -> None:
    """Dirty-table triggers must not break INSERT ... ON CONFLICT DO UPDATE."""
    upsert = "INSERT INTO accounts VALUES ('acc_x', 'Zed', 1) ON CONFLICT(account_id) DO UPDATE SET balance = balance + 1"
    bank.conn.execute(upsert)
    bank.conn.execute(upsert)
    assert bank.value("SELECT balance FROM accounts WHERE account_id = 'acc_x'") == 2
    assert bank.dirty() == {"accounts"}


def test_the_log_keeps_a_rows_first_version_whatever_conflict_clause_writes_it_again(bank: Bank) -> None:
    """A row written again by a statement with a conflict clause of its own (OR REPLACE, UPSERT, UPDATE OR REPLACE)
    keeps its first logged version. A trigger's "INSERT OR IGNORE" into the log takes the outer statement's clause
    instead (checked): a REPLACE logs a later version, an UPSERT fails on the log's key."""
    a, b = owners(bank)[:2]
    rowid = bank.value("SELECT rowid FROM accounts WHERE account_id = ?", a["account_id"])
    bank.execute("UPDATE accounts SET balance = 1 WHERE account_id = ?", a["account_id"])
    bank.execute("INSERT OR REPLACE INTO accounts VALUES (?, ?, 2)", a["account_id"], a["owner"])
    bank.execute("INSERT INTO accounts VALUES (?, 'Nobody', 3) ON CONFLICT (account_id) DO UPDATE SET balance = 3",
                 a["account_id"])
    bank.execute("UPDATE OR REPLACE accounts SET owner = ? WHERE account_id = ?", a["owner"], b["account_id"])
    assert bank.conn.execute("SELECT _existed, account_id, owner, balance FROM _was_accounts WHERE _rid = ?",
                             (rowid,)).fetchall() == [(1, a["account_id"], a["owner"], a["balance"])]
    diff = bank.diff()["accounts"]  # a's row was replaced, then removed when b's took its owner
    assert diff.removed == [a] and not diff.added
    assert diff.changed == [(b, {**b, "owner": a["owner"]})]
    bank.reset(bank.seed)
    assert not bank.diff()


def test_no_tool_can_attach_a_database_file(bank: Bank, tmp_path) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        bank.conn.execute("ATTACH ? AS other", (str(tmp_path / "x.db"),))
    with pytest.raises(sqlite3.DatabaseError):  # refused: an episode always runs inside a transaction
        bank.conn.execute("VACUUM INTO ?", (str(tmp_path / "copy.db"),))
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("layout", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y%m%d", "%m/%y",
                                    "%Y-%m-%dT%H:%M:%S.%fZ"])
def test_strptime_gives_what_datetime_strptime_gives(layout: str) -> None:
    """Same datetimes and the same errors, for valid, unpadded, out-of-range and malformed texts."""
    import datetime as dt

    from envfactory_gym.core.world import strptime

    def outcome(parse, text: str) -> tuple[str, object]:
        try:
            return "ok", parse(text, layout)
        except ValueError as exc:
            return "error", str(exc)

    texts = ["2026-03-22T14:30", "2026-3-5T9:00", "2026-03-22t14:30", "2026-02-30T10:00", "2026-13-01T10:00",
             "2026-03-22 14:30:00", "2026-03-22   14:30:05", "2026-03-22T14:30:59Z", "2026-03-22T14:30:61Z",
             "2026-03-22T14:30:00.123Z", "20260322", "03/26", "13/26", "2026-03-22 ", "", "x"]
    outcomes = [outcome(strptime, text) for text in texts]
    assert outcomes == [outcome(dt.datetime.strptime, text) for text in texts]
    assert any(kind == "ok" for kind, _ in outcomes) and any(kind == "error" for kind, _ in outcomes)


def test_clock_and_derived_values_follow_the_state(bank: Bank) -> None:
    """now(), clock_text() and derived() values are read again after any change and after a reset."""
    import datetime as dt

    start = bank.now()
    assert bank.clock_text("%H:%M") == start.strftime("%H:%M")
    reads = []
    count = lambda: reads.append(1) or bank.value("SELECT COUNT(*) FROM transfers")  # noqa: E731
    before = bank.derived("transfers", count)
    assert bank.derived("transfers", count) == before and len(reads) == 1
    a, b = owners(bank)[:2]
    bank.call("transfer", {"source": a["account_id"], "target": b["account_id"], "amount": 1})
    assert bank.now() == start + dt.timedelta(minutes=1) and bank.clock == 1
    assert bank.clock_text("%H:%M") == (start + dt.timedelta(minutes=1)).strftime("%H:%M")
    assert bank.derived("transfers", count) == before + 1 and len(reads) == 2
    bank.conn.execute("DELETE FROM transfers")  # a change outside any tool is seen too
    assert bank.derived("transfers", count) == 0 and len(reads) == 3
    bank.reset(3)
    assert bank.now() == start and bank.dirty() == frozenset()


def test_values_derived_inside_a_failed_write_are_not_kept() -> None:
    """A write that fails after writing is rolled back; what it derived from its own writes goes with it."""
    from envfactory_gym.core.tools import tool

    class Nosy(Bank):
        @tool(writes=True)
        def touch_then_fail(self) -> None:
            """Write a row, look at the dirty tables, then fail."""
            self.execute("UPDATE accounts SET balance = balance + 1")
            assert self.dirty() == {"accounts"}
            raise ToolError("changed my mind")

    nosy = Nosy(seed=3)
    with pytest.raises(ToolError, match="^changed my mind$"):
        nosy.call("touch_then_fail", {})
    assert nosy.dirty() == frozenset() and not nosy.diff()


def test_an_update_that_moves_a_row_to_another_rowid_is_logged(bank: Bank) -> None:
    """Both the old and the new rowid are logged, so the diff sees the row's change and moving it back undoes it."""
    rowid, owner, balance = bank.conn.execute("SELECT rowid, owner, balance FROM accounts LIMIT 1").fetchone()
    bank.conn.execute("UPDATE accounts SET rowid = 1000, balance = balance + 5 WHERE owner = ?", (owner,))
    changed = bank.diff()["accounts"].changed
    assert [(old["owner"], old["balance"], new["balance"]) for old, new in changed] == [(owner, balance, balance + 5)]
    assert bank.conn.execute("SELECT _rid, _existed FROM _was_accounts ORDER BY _rid").fetchall() == [(rowid, 1), (1000, 0)]
    bank.conn.execute("UPDATE accounts SET rowid = ?, balance = balance - 5 WHERE owner = ?", (rowid, owner))
    assert not bank.diff()


def test_a_table_without_a_key_diffs_as_a_set_of_rows_whichever_untouched_rows_equal_touched_ones() -> None:
    """Rows written to equal rows never touched (first column NULL, or a value shared with other rows) are no
    change; the rest of the table is not read."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE marks (tag TEXT, n INTEGER)")
    conn.executemany("INSERT INTO marks VALUES (?, ?)", [(None, 1), ("a", 1), ("a", 2), ("b", 1), (None, 2)] * 40)
    table = state.describe_tables(conn)[0]
    conn.executescript(CHANGE_LOG.format(table="marks", log=table.log, columns='"tag", "n"', old='old."tag", old."n"'))
    conn.execute("BEGIN")
    conn.execute("UPDATE marks SET n = 2 WHERE rowid IN (1, 2)")  # (None, 1) -> (None, 2), ("a", 1) -> ("a", 2)
    conn.execute("INSERT INTO marks VALUES ('b', 1), ('c', 5)")
    conn.execute("DELETE FROM marks WHERE rowid = 4")  # ("b", 1): one like it is inserted, more are untouched
    change = state.logged_diff(conn, table)
    assert (change.added, change.removed, change.changed) == ([{"tag": "c", "n": 5}], [], [])
    conn.execute("DELETE FROM marks WHERE tag = 'b'")
    assert state.logged_diff(conn, table).removed == [{"tag": "b", "n": 1}]


def test_a_world_nobody_holds_gives_its_connection_back_at_once() -> None:
    """No reference cycle keeps a dropped world alive (its connection's authorizer does not point back to it), so
    the next world of that seed takes the same connection instead of deserializing the snapshot again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        first = Bank(seed=11)
        held = first.conn
        source, target = first.column("SELECT account_id FROM accounts ORDER BY owner LIMIT 2")
        first.call("transfer", {"source": source, "target": target, "amount": 5})
        del first
        second = Bank(seed=11)
        assert second.conn is held and not second.diff()  # rolled back to the seed's initial state
        with pytest.raises(Exception, match="not authorized"):
            second.call("sneaky_write", {})  # and guarded by its new world's authorizer
    finally:
        if collecting:
            gc.enable()


def test_paths_below_a_folder_are_one_index_range() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE entries (path TEXT PRIMARY KEY)")
    paths = ["/a", "/a/b", "/a/b/c", "/a/b c", "/a/b-old", "/a/b0", "/a/bc", "/a/b/d/e", "/z"]
    conn.executemany("INSERT INTO entries VALUES (?)", [(p,) for p in paths])
    below = "SELECT path FROM entries WHERE path >= ? AND path < ? ORDER BY path"
    assert paths_below("/a/b") == paths_below("/a/b/") == ("/a/b/", "/a/b0")
    assert [p for p, in conn.execute(below, paths_below("/a/b"))] == ["/a/b/c", "/a/b/d/e"]
    assert [p for p, in conn.execute(below, paths_below("/"))] == sorted(paths)
    assert "SEARCH entries USING COVERING INDEX" in conn.execute("EXPLAIN QUERY PLAN " + below, ("", "")).fetchone()[3]


def test_clock_and_id_counter_are_state_kept_out_of_sql() -> None:
    """The clock moves on every successful write call (even one that changes no row), never on a failed one; ids a
    failed call generated are handed out again; both take part in the digest and go back to 0 on reset."""
    from envfactory_gym.core.tools import tool

    class Counted(Bank):
        @tool(writes=True)
        def mint_then_fail(self) -> None:
            """Generate an id, then fail."""
            self.new_id("transfers", "tr_")
            raise ToolError("changed my mind")

        @tool(writes=True)
        def touch_nothing(self) -> None:
            """A write call that changes no row."""

    world, control = Counted(seed=3), Counted(seed=3)
    a, b = owners(world)[:2]
    pay = {"source": a["account_id"], "target": b["account_id"], "amount": 1}
    start = world.now()
    with pytest.raises(ToolError, match="^changed my mind$"):
        world.call("mint_then_fail", {})
    assert world.clock == 0 and world.now() == start
    assert world.call("transfer", pay)["transfer_id"] == control.call("transfer", pay)["transfer_id"]
    assert world.clock_text("%H:%M") == "09:01"
    changes = world.conn.total_changes
    world.call("touch_nothing", {})
    assert world.conn.total_changes == changes and world.clock == 2 and world.clock_text("%H:%M") == "09:02"
    assert world.digest() != control.digest()  # a minute apart, nothing else differs
    control.call("touch_nothing", {})
    assert world.digest() == control.digest()
    world.reset(3)
    assert world.clock == 0 and world.digest() == Counted(seed=3).digest()


def test_refused_raises_the_checks_error_or_flags_a_condition_that_disagrees(bank: Bank) -> None:
    """A write conditional on a tool's checks that changed nothing: the checks' error, or a RuntimeError when they
    pass (never a reply as if the write had happened)."""
    def missing() -> None:
        raise ToolError("no such account")

    with pytest.raises(ToolError, match="^no such account$"):
        bank.refused(missing)
    with pytest.raises(RuntimeError, match=r"passed, but the write conditional on the same checks changed nothing$"):
        bank.refused(owners, bank)


def test_snapshot_cache_keeps_the_least_recently_used_and_keep_snapshots_only_raises_it(monkeypatch) -> None:
    from collections import OrderedDict

    from envfactory_gym.core import world

    monkeypatch.setattr(world, "_SNAPSHOTS", OrderedDict())
    monkeypatch.setattr(world, "_snapshot_capacity", 2)
    built: list[int] = []
    real = Bank.build_initial.__func__
    monkeypatch.setattr(Bank, "build_initial", classmethod(lambda cls, seed: built.append(seed) or real(cls, seed)))
    for seed in (1, 2, 3, 1):  # 3 drops 1 (least recently used), then 1 drops 2
        Bank.snapshot(seed)
    assert built == [1, 2, 3, 1]
    world.keep_snapshots(3)
    world.keep_snapshots(1)  # never lowers
    built.clear()
    for seed in (1, 2, 3, 1, 2, 3):
        Bank.snapshot(seed)
    assert built == [2]
    assert Bank(3).digest() == Bank(3).digest() and Bank.snapshot(3) == real(Bank, 3)[0]


def test_an_adopted_initial_state_is_used_as_built_without_building_again(monkeypatch) -> None:
    from collections import OrderedDict

    from envfactory_gym.core import world

    built_elsewhere = Bank.build_initial(7)  # what a worker process hands back
    tables, digest = Bank.tables, Bank(7).digest()
    monkeypatch.setattr(world, "_SNAPSHOTS", OrderedDict())
    monkeypatch.delattr(Bank, "tables")  # a process that never built a Bank world
    monkeypatch.setattr(Bank, "build_initial", classmethod(lambda cls, seed: pytest.fail(f"built seed {seed}")))
    Bank.adopt_initial_state(7, built_elsewhere)
    assert Bank.tables == tables and Bank.initial_state(7) == built_elsewhere
    assert Bank(7).digest() == digest


def test_draw_unique_draws_again_while_the_value_is_taken_and_takes_it() -> None:
    from envfactory_gym.core.world import draw_unique

    draws, taken = iter(["a", "b", "a", "c"]), {"a"}
    assert draw_unique(lambda: next(draws), taken) == "b" and taken == {"a", "b"}
    assert draw_unique(lambda: next(draws), taken) == "c" and taken == {"a", "b", "c"}


def test_a_world_freed_in_the_middle_of_a_change_of_the_idle_pool_leaves_it_to_that_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A world's finalizer may run in the middle of the idle pool's own change (the garbage collector runs at any
    allocation; CI once saw "OrderedDict mutated during iteration" in a reset): it then only queues its connection,
    which the change in progress takes in. Otherwise a freed world's connection goes to the pool at once, and the
    pool closes the least recently used beyond its size."""
    from envfactory_gym.core import world as world_module

    monkeypatch.setattr(world_module, "IDLE_CONNECTIONS", 2)
    world_module.close_idle_connections()
    cyclic = Bank(seed=5)
    cyclic.itself, conn = cyclic, cyclic.conn  # freed by the collector only
    del cyclic
    monkeypatch.setattr(world_module, "_pool_busy", True)  # as inside a change of the pool
    gc.collect()
    assert not world_module._IDLE and [key for key, _ in world_module._FREED] == [(Bank, 5)]
    monkeypatch.setattr(world_module, "_pool_busy", False)
    again = Bank(seed=5)
    assert again.conn is conn and not world_module._FREED and not world_module._IDLE
    conns = {seed: Bank(seed).conn for seed in (6, 7, 8)}  # each world freed at once, its connection idle
    assert list(world_module._IDLE) == [(Bank, 7), (Bank, 8)] and not world_module._FREED
    again.reset(9)
    assert list(world_module._IDLE) == [(Bank, 8), (Bank, 5)]
    for seed in (6, 7):
        with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
            conns[seed].execute("SELECT 1")
    assert conns[8].execute("SELECT 1").fetchone() == (1,)
    world_module.close_idle_connections()
