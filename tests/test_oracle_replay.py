"""Speed-ups leave behaviour alone: the oracle's episodes on every committed task hash as committed."""

from __future__ import annotations

import json

import pytest

from tests.oracle_replay import EXPECTED, fingerprints, task_sets

COMMITTED = json.loads(EXPECTED.read_text())


@pytest.mark.parametrize("name", task_sets())
def test_oracle_replay_is_unchanged(name: str) -> None:
    assert name in COMMITTED, f"no committed fingerprints for '{name}'; run: python -m tests.oracle_replay {name}"
    got = fingerprints(name)
    assert got.keys() == COMMITTED[name].keys(), f"tasks of '{name}' changed; run: python -m tests.oracle_replay {name}"
    changed = [task for task, digest in got.items() if COMMITTED[name][task] != digest]
    assert not changed, f"{len(changed)} of {len(got)} episodes of '{name}' differ, e.g. {changed[:3]}"
