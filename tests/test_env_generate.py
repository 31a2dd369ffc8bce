"""``envfactory generate env``: the command writes a gated module and its task file that register with
``register_path``; LLM mode gates every draft, feeds failures back and never accepts hostile or broken code."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gymnasium as gym
import pytest

import envfactory_gym
from envfactory_gym import registration
from envfactory_gym.agents import OracleAgent, run_episode
from envfactory_gym.cli import main
from generators.environments.inputs import from_reference
from generators.environments.synthesis import synthesize

DATA = Path(__file__).resolve().parent / "data" / "envgen" / "synthesis.json"
FOLDER = from_reference(DATA, "Library").domain.lower()
MARKER = "# revised by the model"


def generate(*extra: str) -> int:
    return main(["generate", "env", "--from-reference", str(DATA), "--env", "Library", *extra])


def test_a_gated_module_is_written_and_registers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate("--out", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "PASSED the gate" in out and "1 of 1 passed the gate" in out
    module = tmp_path / FOLDER / "library.py"
    tasks = tmp_path / FOLDER / "tasks" / "Library.jsonl"
    assert module.read_text() == synthesize(from_reference(DATA, "Library"))
    assert len(tasks.read_text().splitlines()) >= 30
    try:
        assert envfactory_gym.register_path(tmp_path) == ["Library"]
        env = gym.make("EnvFactory/Library-v0", split=None)
        assert run_episode(env, OracleAgent(), env.unwrapped.tasks[0].id).success
    finally:
        registration.EXTRA_ROOTS.clear()
        envfactory_gym.register_all()
    with pytest.raises(SystemExit, match="library.py exists; remove it or choose --out / --name"):
        generate("--out", str(tmp_path))


def test_a_dry_run_writes_nothing_and_usage_errors_are_clear(tmp_path: Path) -> None:
    assert generate("--out", str(tmp_path), "--dry-run") == 0
    assert not any(tmp_path.iterdir())
    with pytest.raises(SystemExit, match="--from-reference needs --env NAME"):
        main(["generate", "env", "--from-reference", str(DATA)])
    with pytest.raises(SystemExit, match="no environment 'Libary'; did you mean Library"):
        main(["generate", "env", "--from-reference", str(DATA), "--env", "Libary"])
    with pytest.raises(SystemExit, match="--llm-base-url needs --llm-model"):
        generate("--llm-base-url", "http://127.0.0.1:9")


class StubModel:
    """An OpenAI-compatible endpoint answering with canned replies, in order, recording the prompts."""

    def __init__(self, replies: list[str]) -> None:
        self.replies, self.prompts = list(replies), []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.prompts.append(body["messages"][0]["content"])
                reply = stub.replies.pop(0) if stub.replies else "no more drafts"
                data = json.dumps({"choices": [{"message": {"content": reply}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def offline() -> str:
    return synthesize(from_reference(DATA, "Library"))


@pytest.fixture
def stub(request: pytest.FixtureRequest) -> Iterator[StubModel]:
    model = StubModel(request.param)
    yield model
    model.server.shutdown()


def block(code: str) -> str:
    return f"Here is the module:\n```python\n{code}```\n"


HOSTILE = "import os\nos.system('touch /tmp/envfactory-pwned')\n"
BROKEN = "from envfactory_gym.core.world import World\n\n\nclass Library(World):\n    schema = 'CREATE TABLE t (x)'\n"


@pytest.mark.parametrize("stub", [["I would rather not.", block(HOSTILE), block(BROKEN), "DRAFT"]], indirect=True)
def test_llm_drafts_are_gated_and_failures_fed_back(stub: StubModel, offline: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    stub.replies[-1] = block(offline.replace('"""', f'"""{MARKER}\n', 1))  # the fourth draft passes
    assert generate("--out", str(tmp_path), "--llm-base-url", stub.url, "--llm-model", "stub",
                    "--revisions", "4") == 0
    written = (tmp_path / FOLDER / "library.py").read_text()
    assert MARKER in written and "| llm " in capsys.readouterr().out
    assert len(stub.prompts) == 4 and all("class name Library" in p and offline in p for p in stub.prompts)
    assert "the reply held no ```python block" in stub.prompts[1]
    assert "line 1: " in stub.prompts[2] and "os" in stub.prompts[2].split("failed the gate")[1]
    assert "failed the gate" in stub.prompts[3] and "line 1: " not in stub.prompts[3]
    assert not Path("/tmp/envfactory-pwned").exists()


@pytest.mark.parametrize("stub", [[block(HOSTILE), block(BROKEN)]], indirect=True)
def test_the_offline_module_stays_when_no_draft_passes(stub: StubModel, offline: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert generate("--out", str(tmp_path), "--llm-base-url", stub.url, "--llm-model", "stub",
                    "--revisions", "2") == 0
    assert (tmp_path / FOLDER / "library.py").read_text() == offline
    assert "| offline " in capsys.readouterr().out and len(stub.prompts) == 2


def _gated(*source: str) -> str:
    """The summary table of ``envfactory generate env SOURCE --dry-run``."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "envfactory_gym.cli", "generate", "env", *source, "--dry-run"],
                            capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parent.parent)
    return result.stdout + result.stderr


def test_round_trip_through_the_suites_own_mcp_server() -> None:
    out = _gated("--from-mcp", "envfactory serve Calendar", "--name", "CalendarCopy", "--domain", "Office")
    assert "CalendarCopy: PASSED the gate" in out and "1 of 1 passed the gate" in out, out[-3000:]


def test_an_openapi_document_of_a_realistic_service() -> None:
    out = _gated("--from-openapi", str(DATA.parent / "library.yaml"))
    assert "LibraryLending: PASSED the gate" in out, out[-3000:]


def test_a_saved_tools_list_of_a_third_party_server() -> None:
    out = _gated("--from-mcp", str(DATA.parent / "memory.tools.json"))
    assert "Memory: PASSED the gate" in out, out[-3000:]


def test_the_memory_server_tools_list_as_npm_serves_it_today() -> None:
    """tools/list of @modelcontextprotocol/server-memory as `npx` started it on 2026-12-06 (inline item schemas, no
    additionalProperties): an entity table also answers to entityName, so object items take their fields from the
    tool's own table (observations), else delete_observations never met an existing observation."""
    out = _gated("--from-mcp", str(DATA.parent / "memory_server.tools.json"))
    assert "MemoryServer: PASSED the gate" in out, out[-3000:]


def test_the_public_memory_server_from_npm() -> None:
    import shutil

    if shutil.which("npx") is None:
        pytest.skip("npx is not installed: the reference memory server (@modelcontextprotocol/server-memory) needs npm")
    out = _gated("--from-mcp", "npx -y @modelcontextprotocol/server-memory")
    if "passed the gate" not in out:  # the server never answered tools/list (no npm registry here, say)
        pytest.skip(f"the npm package could not be fetched or started here: {out.strip().splitlines()[-1]}")
    assert "MemoryServer: PASSED the gate" in out, out[-3000:]
