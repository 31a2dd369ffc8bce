"""The README's Python code blocks run as written, each pasted into a file and run with ``python``, offline.

Run here: the first screen (before the first ``##`` heading), "Episodes", "Vectorization" and "Serving an
environment over MCP". The blocks of "Writing an environment" are run by ``tests/test_format_v2.py``, those of "Use
with your trainer" by ``tests/integrations/test_readme_trainers.py``. Every other
Python block of the README makes :func:`test_every_python_block_is_run_somewhere` fail, so none is left out silently.

A block that talks to ``http://127.0.0.1:8000/mcp`` gets a real ``envfactory serve Calendar --transport http`` process
started with the token in ``ENVFACTORY_MCP_TOKEN`` (the variable the README tells the reader to set); only the port
is changed, to the free one the server picked. ``envfactory`` on the blocks' ``PATH`` runs this checkout's CLI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FIRST_SCREEN = "(first screen)"
RUN_HERE = (FIRST_SCREEN, "Episodes", "Vectorization", "Serving an environment over MCP")
RUN_ELSEWHERE = ("Writing an environment",  # tests/test_format_v2.py
                 "Use with your trainer")  # tests/integrations/test_readme_trainers.py
DEFAULT_URL = "http://127.0.0.1:8000/mcp"
TOKEN = "readme-test-token-5c1e"


def sections(text: str) -> dict[str, str]:
    """Level-2 sections by heading; the text before the first one is the first screen."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {FIRST_SCREEN: parts[0], **{parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}}


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


SECTIONS = sections(README)
BLOCKS = [(name, i, block) for name in RUN_HERE for i, block in enumerate(python_blocks(SECTIONS.get(name, "")))]


def test_every_python_block_is_run_somewhere() -> None:
    assert set(RUN_HERE) <= set(SECTIONS), f"README sections renamed: {sorted(set(RUN_HERE) - set(SECTIONS))}"
    untested = [name for name, text in SECTIONS.items()
                if python_blocks(text) and name not in RUN_HERE and name not in RUN_ELSEWHERE]
    assert not untested, f"Python blocks in README sections no test runs: {untested}"
    counts = {name: len(python_blocks(SECTIONS[name])) for name in RUN_HERE}
    assert counts[FIRST_SCREEN] >= 1 and counts["Vectorization"] >= 1 and counts["Serving an environment over MCP"] >= 4


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with an ``envfactory`` that runs this checkout's CLI with this interpreter."""
    path = tmp_path_factory.mktemp("bin")
    script = path / "envfactory"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m envfactory_gym.cli "$@"\n')
    script.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    """``envfactory serve Calendar --transport http --port 0`` with the token from the environment."""
    env = {**os.environ, "ENVFACTORY_MCP_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "envfactory_gym.cli", "serve", "Calendar", "--transport", "http",
                                "--port", "0"], stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        line = process.stderr.readline() if process.stderr else ""
        found = re.search(r"http://\S+", line)
        assert found, f"the server announced no URL: {line!r}"
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize(("section", "index", "block"), BLOCKS,
                         ids=[f"{name}-{i}" for name, i, _ in BLOCKS])
def test_readme_block_runs(section: str, index: int, block: str, tmp_path: Path, bin_dir: Path,
                           request: pytest.FixtureRequest) -> None:
    if DEFAULT_URL in block:
        block = block.replace(DEFAULT_URL, request.getfixturevalue("mcp_url"))
    elif "ENVFACTORY_MCP_TOKEN" in block or "127.0.0.1" in block:
        pytest.fail(f"{section} block {index} needs a server at an address this test does not provide")
    script = tmp_path / "block.py"
    script.write_text(block, encoding="utf-8")
    env = {**os.environ, "ENVFACTORY_MCP_TOKEN": TOKEN, "PYTHONPATH": str(ROOT),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300)
    assert done.returncode == 0, f"{section} block {index} failed:\n{block}\n--- stderr ---\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]


def test_wrap_mcp_block_shows_the_401_message(tmp_path: Path, bin_dir: Path, mcp_url: str) -> None:
    """The README's wrap_mcp example prints the error a client without the token gets."""
    block = next(b for name, _, b in BLOCKS if name == "Serving an environment over MCP" and "wrap_mcp" in b)
    script = tmp_path / "block.py"
    script.write_text(block.replace(DEFAULT_URL, mcp_url), encoding="utf-8")
    env = {**os.environ, "ENVFACTORY_MCP_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "answered HTTP 401" in done.stdout and "bearer token" in done.stdout
    assert '{"Authorization": "Bearer <token>"}' in done.stdout
