"""Every source of variation flows from the seed: no environment's data may depend on the day it is built."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from envfactory_gym import registration

#: Faker methods whose result depends on today's date unless both bounds are given as dates.
WALL_CLOCK_FAKER = frozenset({
    "date_between", "date_time_between", "date_of_birth", "past_date", "future_date", "past_datetime",
    "future_datetime", "date_this_year", "date_this_month", "date_this_decade", "date_this_century",
    "date_time_this_year", "date_time_this_month", "date_time_this_decade", "date_time_this_century", "date",
    "date_time", "date_object", "time", "unix_time", "iso8601", "year", "month", "day_of_month", "date_time_ad",
    # drawn from a date between the epoch and now, so they change as time passes
    "day_of_week", "month_name", "am_pm", "time_object", "time_delta", "time_series",
})
MODULES = sorted(p for domain in registration.DOMAINS for p in (registration.ENVS_ROOT / domain.lower()).rglob("*.py"))


def wall_clock_calls(path: Path) -> list[str]:
    """``fake.<method>(...)`` calls that read the wall clock (relative bounds such as "-1y", or none at all)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WALL_CLOCK_FAKER
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "fake"):
            bounds = [*node.args, *(k.value for k in node.keywords)]
            relative = len(bounds) < 2 or any(isinstance(b, ast.Constant) and isinstance(b.value, str) for b in bounds)
            if node.func.attr != "date_time_between" or relative:
                found.append(f"{path.name}:{node.lineno}: fake.{node.func.attr}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_seeded_data_does_not_read_the_wall_clock(path: Path) -> None:
    assert wall_clock_calls(path) == []


def test_the_check_catches_relative_faker_dates(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("a = fake.date_between('-1y', '-1d')\nb = fake.date_of_birth()\n"
                      "c = fake.date_time_between(start, end)\nd = fake.first_name()\n", encoding="utf-8")
    assert wall_clock_calls(module) == ["m.py:1: fake.date_between", "m.py:2: fake.date_of_birth"]


DIGESTS = """
import json
from envfactory_gym.registration import ENVIRONMENTS, world_set
print(json.dumps({f"{n}/{s}": world_set(n)(s).digest() for n in ENVIRONMENTS for s in (0, 1)}))
"""


def test_initial_states_do_not_depend_on_string_hashing() -> None:
    """Two interpreters with different hash seeds build every environment's seeds 0 and 1 identically (iterating
    a set of strings, for one, follows the hash seed)."""
    import json
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", DIGESTS], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout
        digests.append(json.loads(out))
    differ = sorted(name for name in digests[0] if digests[0][name] != digests[1][name])
    assert not differ, f"initial states that change with PYTHONHASHSEED: {differ}"
