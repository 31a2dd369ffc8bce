"""The Python blocks of the README's "Use with your trainer" section run as written, each in a fresh interpreter
(the OpenEnv block against a real ``envfactory serve Calendar --protocol openenv``, on the port that server picked)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_readme import ROOT, SECTIONS, python_blocks

BLOCKS = python_blocks(SECTIONS["Use with your trainer"])
#: The package each block needs, by the first import it names.
NEEDS = {"ray": "ray", "trl": "trl", "envfactory_gym.integrations.verl": "verl", "openenv": "openenv"}
DEFAULT_URL = "http://127.0.0.1:8001"


def needed(block: str) -> str:
    return next(package for module, package in NEEDS.items() if re.search(rf"^(from|import) {re.escape(module)}\b",
                                                                             block, re.M))


@pytest.fixture(scope="module")
def openenv_url() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "envfactory_gym.cli", "serve", "Calendar", "--protocol",
                                "openenv", "--port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        found = None
        for line in process.stderr:  # the URL line comes after the slow openenv import
            found = re.search(r"http://127\.0\.0\.1:\d+", line)
            if found:
                break
        assert found, "the OpenEnv server announced no URL"
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(30)


def test_the_section_has_one_block_per_integration() -> None:
    assert sorted(needed(block) for block in BLOCKS) == ["openenv", "ray", "trl", "verl"]


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_block_runs_as_written(index: int, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    block = BLOCKS[index]
    package = needed(block)
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed (the test extra installs it)")
    if package == "openenv":
        block = block.replace(DEFAULT_URL, request.getfixturevalue("openenv_url"))
    script = tmp_path / "block.py"
    script.write_text(block, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    if package == "openenv":
        assert result.stdout.strip() == "0.0 True 2"
    if package == "verl":
        assert (tmp_path / "data" / "train.parquet").stat().st_size > 0 and (tmp_path / "data" / "agent.yaml").exists()
