"""``envfactory eval``, the agents it loads, the leaderboard and the episode viewer. No network: the OpenAI-compatible
endpoint is a local server on 127.0.0.1 and the transformers model is a tiny random one built here."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import pytest

import envfactory_gym
from envfactory_gym import cli
from envfactory_gym.evaluation.agent_loader import load_agent, to_openai_messages
from envfactory_gym.agents import OracleAgent
from envfactory_gym.evaluation.evaluate import EPISODES_FILE, evaluate, pass_hat_k, read_records, select, summarize
from envfactory_gym.evaluation.leaderboard import read_results, render, write_result
from envfactory_gym.registration import load_tasks
from envfactory_gym.core.tasks import Task
from envfactory_gym.evaluation.viewer import write_viewer


def _strip(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "seconds"}


# ------------------------------------------------------------------------------------------ oracle and noop
@pytest.mark.parametrize(("agent", "expected"), [("oracle", 1.0), ("noop", 0.0)])
def test_oracle_solves_and_noop_fails_every_environment(tmp_path: Path, agent: str, expected: float) -> None:
    run = evaluate(agent, ["all"], split="test", k=1, out=tmp_path / agent, progress=False)
    selected = select(["all"], "test")
    assert selected and list(run.summary["environments"]) == list(selected)
    for env, figures in run.summary["environments"].items():
        assert figures["pass@1"] == expected, (env, figures)
        assert figures["pass^k"] == expected and figures["tasks"] == len(selected[env])
    assert run.summary["overall"]["pass@1"] == expected
    assert run.summary["overall"]["errors"] == 0


def test_cli_eval_prints_tables_and_writes_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = cli.main(["eval", "--agent", "oracle", "--envs", "EnvFactory/Calendar-v0", "--k", "2", "--limit", "3",
                     "--out", str(out), "--leaderboard", str(tmp_path / "lb")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "| Calendar " in printed and "pass^2" in printed and "| overall " in printed and "100.0%" in printed
    assert len((out / EPISODES_FILE).read_text().splitlines()) == 6
    assert {p.name for p in out.iterdir()} == {EPISODES_FILE, "run.json", "summary.json", "index.html"}
    result = json.loads((tmp_path / "lb" / "results" / "oracle.json").read_text())
    assert result["overall"]["pass@1"] == 1.0 and result["suite_version"] == envfactory_gym.__version__
    assert cli.main(["eval", "--agent", "oracle", "--envs", "Atlantis", "--out", str(out)]) == 2
    assert "unknown environment or domain 'Atlantis'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ selection
def test_domains_select_member_tasks_and_only_their_own_cross_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    def task(tid: str, env: str) -> Task:
        return Task(tid, env, 0, "test", "r", ())

    fake = {"Calendar": [task("c1", "Calendar")], "Office": [task("c1", "Calendar"), task("x1", "Office")]}
    monkeypatch.setattr("envfactory_gym.evaluation.evaluate.load_tasks", lambda name, split=None: fake.get(name, []))
    for names in (["Office"], ["all"], ["Calendar", "EnvFactory/Office-v0"]):
        assert {env: [t.id for t in tasks] for env, tasks in select(names, "test").items()} == \
            {"Calendar": ["c1"], "Office": ["x1"]}


def test_summary_counts_cross_tasks_once_under_their_domain() -> None:
    def rec(env: str, domain: str, task: str, seed: int, success: bool) -> dict[str, Any]:
        return {"env": env, "domain": domain, "task_id": task, "seed": seed, "success": success,
                "partial": float(success), "turns": 2, "tool_calls": 1}

    records = [rec("Calendar", "Office", "a", s, True) for s in (0, 1)] + \
              [rec("Office", "Office", "x", s, s == 0) for s in (0, 1)] + \
              [rec("Retail", "Commerce", "r", s, False) for s in (0, 1)]
    summary = summarize(records, 2)
    assert summary["domains"]["Office"]["tasks"] == 2 and summary["domains"]["Office"]["episodes"] == 4
    assert summary["domains"]["Office"]["pass@1"] == 0.75 and summary["domains"]["Office"]["pass^k"] == 0.5
    assert summary["overall"]["tasks"] == 3 and summary["overall"]["pass^k"] == pytest.approx(1 / 3)
    assert list(summary["environments"]) == ["Retail", "Calendar", "Office"]


# ---------------------------------------------------------------------------------------------- pass^k math
def test_pass_hat_k() -> None:
    assert pass_hat_k([[True] * 4, [True, True, True, False]], 4) == 0.5
    assert pass_hat_k([[True, False]], 1) == 0.5
    assert pass_hat_k([[True, True, False]], 2) == pytest.approx(1 / 3)  # C(2,2)/C(3,2)
    assert pass_hat_k([[True, True, True, False]], 2) == pytest.approx(0.5)  # C(3,2)/C(4,2)
    assert pass_hat_k([[True], [True, True]], 2) == 1.0  # a task with too few episodes is left out
    assert pass_hat_k([[True]], 2) is None


# -------------------------------------------------------------------------------------------------- resume
def test_resume_skips_finished_episodes_and_retries_errors(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = evaluate("random", ["Calendar"], k=2, limit=3, out=out, progress=False)
    assert first.played == 6
    again = evaluate("random", ["Calendar"], k=2, limit=3, out=out, progress=False)
    assert again.played == 0 and [_strip(r) for r in again.records] == [_strip(r) for r in first.records]
    more = evaluate("random", ["Calendar"], k=3, limit=4, out=out, progress=False)
    assert more.played == 12 - 6 and more.summary["overall"]["episodes"] == 12
    path = out / EPISODES_FILE
    lines = path.read_text().splitlines()
    errored = {**json.loads(lines[0]), "error": "RuntimeError: endpoint down"}
    path.write_text("\n".join([*lines, json.dumps(errored), '{"torn": tr']) + "\n")
    assert read_records(path)[(errored["env"], errored["task_id"], errored["seed"])]["error"]
    retried = evaluate("random", ["Calendar"], k=3, limit=4, out=out, progress=False)
    assert retried.played == 1 and retried.summary["overall"]["errors"] == 0
    with pytest.raises(ValueError, match="another configuration"):
        evaluate("noop", ["Calendar"], k=1, out=out, progress=False)


def test_a_run_directory_holds_one_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from envfactory_gym.evaluation.evaluate import default_run_dir

    out = tmp_path / "run"
    evaluate("noop", ["Calendar"], k=1, limit=1, out=out, progress=False)
    assert {k: v for k, v in json.loads((out / "run.json").read_text()).items() if k in ("envs", "split")} == \
        {"envs": ["Calendar"], "split": "test"}
    assert evaluate("noop", ["EnvFactory/Calendar-v0"], k=1, limit=1, out=out, progress=False).played == 0
    for envs, split in ((["CampusCard"], "test"), (["Calendar", "CampusCard"], "test"), (["Calendar"], "train")):
        with pytest.raises(ValueError, match=r"holds the run of --envs Calendar --split test, not of --envs "):
            evaluate("noop", envs, split=split, k=1, limit=1, out=out, progress=False)
    assert len((out / EPISODES_FILE).read_text().splitlines()) == 1
    assert cli.main(["eval", "--agent", "noop", "--envs", "CampusCard", "--k", "1", "--out", str(out)]) == 2
    assert "rerun with --envs Calendar --split test to resume that run" in capsys.readouterr().err
    # without --out, other selections get directories of their own
    assert default_run_dir("noop") == Path("runs/noop")
    assert default_run_dir("noop", ["Travel", "Calendar"]) == Path("runs/noop-Calendar-Travel")
    assert default_run_dir("noop", ["all"], "train") == Path("runs/noop-train")


def test_episodes_of_edited_tasks_are_replayed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    assert evaluate("noop", ["Calendar"], k=1, limit=2, out=out, progress=False).played == 2
    monkeypatch.setattr("envfactory_gym.evaluation.evaluate.task_fingerprint", lambda task: "edited")
    rerun = evaluate("noop", ["Calendar"], k=1, limit=2, out=out, progress=False)
    assert rerun.played == 2 and {r["task_hash"] for r in rerun.records} == {"edited"}


def test_workers_give_the_same_episodes_as_one_process(tmp_path: Path) -> None:
    one = evaluate("random", ["Calendar"], k=2, limit=4, out=tmp_path / "one", progress=False)
    two = evaluate("random", ["Calendar"], k=2, limit=4, out=tmp_path / "two", workers=2, progress=False)
    assert [_strip(r) for r in two.records] == [_strip(r) for r in one.records]
    assert two.summary == one.summary


# ------------------------------------------------------------------------------------------- module:Class
AGENT_MODULE = '''
from envfactory_gym.agents import OracleAgent


class SeededOracle(OracleAgent):
    """A user's agent: the oracle, recording the seed and an --agent-arg."""

    model = "scripted-v1"

    def __init__(self, seed: int, note: str = "none") -> None:
        self.seed, self.note = seed, note
'''


def test_module_class_agents_load_from_a_module_or_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_agents.py").write_text(AGENT_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    for spec in ("my_agents:SeededOracle", f"{tmp_path / 'my_agents.py'}:SeededOracle"):
        loaded = load_agent(spec, {"note": "hello"})
        agent = loaded.make(7)
        assert (agent.seed, agent.note, loaded.name, loaded.model) == (7, "hello", "SeededOracle", "scripted-v1")
    run = evaluate("my_agents:SeededOracle", ["Calendar"], k=2, limit=2, out=tmp_path / "run", progress=False)
    assert run.summary["overall"]["pass@1"] == 1.0
    with pytest.raises(ValueError, match="not an agent"):
        load_agent("json:JSONDecoder")
    with pytest.raises(ValueError, match="cannot load agent"):
        load_agent("no_such_module_xyz:Agent")


def test_module_class_agents_load_from_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    (tmp_path / "cwd_agents_mod.py").write_text(AGENT_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "cwd_agents_mod", raising=False)
    loaded = load_agent("cwd_agents_mod:SeededOracle", {"note": "here"})
    assert (loaded.name, loaded.make(3).seed, loaded.make(3).note) == ("SeededOracle", 3, "here")
    assert cli.main(["eval", "--agent", "cwd_agents_mod:SeededOracle", "--envs", "Calendar", "--k", "1",
                     "--limit", "1", "--out", str(tmp_path / "run")]) == 0
    assert "100.0%" in capsys.readouterr().out
    with pytest.raises(ValueError) as caught:
        load_agent("no_such_agents_mod:Agent")
    assert "No module named 'no_such_agents_mod'" in str(caught.value)
    assert f"looked in the current directory {tmp_path}" in str(caught.value)
    assert cli.main(["eval", "--agent", "no_such_agents_mod:Agent", "--envs", "Calendar", "--out",
                     str(tmp_path / "run2")]) == 2
    assert f"looked in the current directory {tmp_path} and on the Python path" in capsys.readouterr().err


# --------------------------------------------------------------------------------------- OpenAI-compatible
class CannedEndpoint(BaseHTTPRequestHandler):
    """A chat-completions server answering with the oracle's moves as OpenAI tool calls (or an HTTP error)."""

    plans: ClassVar[dict[str, list[Any]]] = {}
    requests: ClassVar[list[dict[str, Any]]] = []
    fail = False

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [{"id": "canned-model", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body["authorization"] = self.headers.get("Authorization")
        type(self).requests.append(body)
        if type(self).fail:
            self._send(400, {"error": {"message": "bad request"}})
            return
        plan = type(self).plans[body["messages"][1]["content"]]
        move = plan[sum(m["role"] == "assistant" for m in body["messages"])]
        if isinstance(move, str):
            message = {"role": "assistant", "content": move}
        else:
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function",
                 "function": {"name": move["name"], "arguments": json.dumps(move["arguments"])}}]}
        self._send(200, {"id": "x", "object": "chat.completion", "model": body["model"],
                         "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})


@pytest.fixture
def endpoint() -> Iterator[str]:
    env = gym.make("EnvFactory/Calendar-v0", split=None).unwrapped
    plans = {}
    for task in load_tasks("Calendar", "test")[:3]:
        _, info = env.reset(options={"task_id": task.id})
        oracle = OracleAgent()
        oracle.reset(env, info)
        plans[task.request] = oracle.plan
    assert len(plans) == 3, "the first three test requests must differ"
    CannedEndpoint.plans, CannedEndpoint.requests, CannedEndpoint.fail = plans, [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), CannedEndpoint)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_agent_against_a_local_endpoint(tmp_path: Path, endpoint: str) -> None:
    run = evaluate(f"openai:{endpoint}", ["Calendar"], k=1, limit=3, out=tmp_path / "run", progress=False)
    assert run.agent.model == "canned-model" and run.agent.spec == f"openai:{endpoint}#canned-model"
    assert run.summary["overall"]["pass@1"] == 1.0 and run.summary["overall"]["tool_calls"] > 0
    requests = CannedEndpoint.requests
    assert all(r["model"] == "canned-model" and r["temperature"] == 0 for r in requests)
    assert all(r["authorization"].startswith("Bearer ") for r in requests)
    env = gym.make("EnvFactory/Calendar-v0", split=None).unwrapped
    assert requests[0]["tools"] == env.tool_schemas
    later = next(r for r in requests if any(m["role"] == "tool" for m in r["messages"]))
    assistant = next(m for m in later["messages"] if m.get("tool_calls"))
    call = assistant["tool_calls"][0]
    arguments = call["function"]["arguments"]
    assert isinstance(arguments, str) and isinstance(json.loads(arguments), dict)
    tool = next(m for m in later["messages"] if m["role"] == "tool")
    assert tool["tool_call_id"] == call["id"] and set(tool) == {"role", "tool_call_id", "content"}


def test_openai_errors_are_recorded_then_retried(tmp_path: Path, endpoint: str) -> None:
    CannedEndpoint.fail = True
    out = tmp_path / "run"
    failed = evaluate(f"openai:{endpoint}#canned-model", ["Calendar"], k=1, limit=2, out=out, progress=False)
    assert failed.summary["overall"]["errors"] == 2 and failed.summary["overall"]["pass@1"] == 0.0
    assert "HTTP 400" in failed.records[0]["error"]
    CannedEndpoint.fail = False
    retried = evaluate(f"openai:{endpoint}#canned-model", ["Calendar"], k=1, limit=2, out=out, progress=False)
    assert retried.played == 2 and retried.summary["overall"]["pass@1"] == 1.0


def test_openai_messages_carry_arguments_as_json_strings() -> None:
    messages = [
        {"role": "system", "content": "s"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_1_0", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}},
            {"id": "call_1_1", "type": "function", "function": {"name": "g", "arguments": "{broken"}}]},
        {"role": "tool", "tool_call_id": "call_1_0", "name": "f", "content": "1"},
        {"role": "assistant", "content": ""},
    ]
    converted = to_openai_messages(messages)
    assert converted[1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1_0", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
        {"id": "call_1_1", "type": "function", "function": {"name": "g", "arguments": "{broken"}}]}
    assert converted[2] == {"role": "tool", "tool_call_id": "call_1_0", "content": "1"}
    assert converted[3] == {"role": "assistant", "content": ""}


# ------------------------------------------------------------------------------------------ transformers
CHAT_TEMPLATE = (
    "{%- for m in messages -%}"
    "{%- if m.role == 'assistant' -%}{{ '<|im_start|>assistant\\n' + (m.content or '') }}"
    "{%- for c in m.tool_calls or [] -%}"
    "{{ '\\n<tool_call>\\n{\"name\": \"' + c.function.name + '\", \"arguments\": ' + (c.function.arguments | tojson)"
    " + '}\\n</tool_call>' }}"
    "{%- endfor -%}{{ '<|im_end|>\\n' }}"
    "{%- elif m.role == 'tool' -%}"
    "{{ '<|im_start|>user\\n<tool_response>\\n' + m.content + '\\n</tool_response><|im_end|>\\n' }}"
    "{%- else -%}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


def build_tiny_qwen3(path: Path) -> None:
    """A randomly initialised Qwen3 model and a byte-level BPE tokenizer trained here on the suite's prompts."""
    torch = pytest.importorskip("torch", reason="torch is not installed (pip install -e .[rl])")
    transformers = pytest.importorskip("transformers", reason="transformers is not installed (pip install -e .[rl])")
    tokenizers = pytest.importorskip("tokenizers", reason="tokenizers is not installed (pip install -e .[rl])")
    env = gym.make("EnvFactory/Calendar-v0", split=None).unwrapped
    _, info = env.reset()
    texts = [info["messages"][0]["content"], *(t.request for t in env.tasks)]
    bpe = tokenizers.Tokenizer(tokenizers.models.BPE())
    bpe.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = tokenizers.decoders.ByteLevel()
    bpe.train_from_iterator(texts, tokenizers.trainers.BpeTrainer(
        vocab_size=600, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>",
                                                     pad_token="<|endoftext|>", chat_template=CHAT_TEMPLATE)
    tokenizer.add_tokens(["<tool_call>", "</tool_call>", "<think>", "</think>"])
    torch.manual_seed(0)
    config = transformers.Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=16, max_position_embeddings=8192, tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    transformers.Qwen3ForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)


def test_hf_agent_runs_a_tiny_qwen3_end_to_end(tmp_path: Path) -> None:
    model = tmp_path / "tiny-qwen3"
    build_tiny_qwen3(model)
    run = evaluate(f"hf:{model}", ["Calendar"], k=1, limit=2, out=tmp_path / "run",
                   agent_args={"max_new_tokens": 12}, progress=False)
    assert run.agent.model == f"{tmp_path.name}/tiny-qwen3"  # the folder and its parent: "rl/checkpoint"
    assert run.summary["overall"]["errors"] == 0 and run.summary["overall"]["episodes"] == 2
    assert run.records[0]["messages"][2]["role"] == "assistant"
    # a multi-turn dialogue (assistant tool calls with dict arguments, tool turns) renders and generates too
    oracle = evaluate("oracle", ["Calendar"], k=1, limit=1, out=tmp_path / "oracle", progress=False)
    action = load_agent(f"hf:{model}", {"max_new_tokens": 4}).make(0).act({"messages": oracle.records[0]["messages"]})
    assert isinstance(action, str)
    with pytest.raises(ValueError, match="not a directory"):
        load_agent(f"hf:{tmp_path / 'missing'}")


# -------------------------------------------------------------------------------------------- leaderboard
def test_leaderboard_renders_from_result_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = tmp_path / "lb"
    for agent in ("noop", "oracle", "random"):
        run = evaluate(agent, ["Calendar"], k=2, limit=3, out=tmp_path / agent, progress=False)
        write_result(run, "test", ["Calendar"], 0, board)
    train = json.loads((board / "results" / "oracle.json").read_text())
    assert (train["agent_args"], train["max_turns"], train["k"]) == ({}, 30, 2)  # enough to reproduce the row
    (board / "results" / "oracle-train.json").write_text(json.dumps({**train, "split": "train"}))
    assert read_results(board)[0]["agent"] == "oracle"
    assert cli.main(["leaderboard", "--dir", str(board)]) == 0
    readme = (board / "README.md").read_text()
    test_section = readme[readme.index("## test split"):readme.index("## train split")]
    ranks = [line.split("|")[2].strip() for line in test_section.splitlines()
             if line.startswith("| ") and "agent" not in line]
    assert ranks[:3] == ["oracle", "noop", "random"] or ranks[:3] == ["oracle", "random", "noop"]
    header = readme.split("## test split")[1].splitlines()[2]
    assert "Office" in [cell.strip() for cell in header.split("|")]  # a per-domain column
    assert "| Calendar " in readme and "100.0" in readme
    assert (board / "leaderboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FileNotFoundError):
        render(tmp_path / "empty")


# ------------------------------------------------------------------------------------------------- viewer
class _EpisodeText(HTMLParser):
    """Collects the text inside each ``details.episode`` element, with its data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.episodes: list[dict[str, Any]] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "details":
            return
        classes = (dict(attrs).get("class") or "").split()
        if "episode" in classes:
            self.episodes.append({**dict(attrs), "text": ""})
            self.depth = 1
        elif self.depth:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.episodes[-1]["text"] += data


@pytest.fixture
def viewer_page(tmp_path: Path) -> Path:
    records = [*evaluate("oracle", ["Calendar"], k=1, limit=2, out=tmp_path / "o", progress=False).records,
               *evaluate("noop", ["Calendar"], k=1, limit=2, out=tmp_path / "n", progress=False).records]
    return write_viewer(records, tmp_path / "index.html", title="viewer test")


def test_viewer_page_holds_transcripts_calls_and_rewards(viewer_page: Path) -> None:
    parser = _EpisodeText()
    parser.feed(viewer_page.read_text())
    assert len(parser.episodes) == 4
    assert sorted(e["data-outcome"] for e in parser.episodes) == ["failure", "failure", "success", "success"]
    assert {e["data-env"] for e in parser.episodes} == {"Calendar"}
    task = load_tasks("Calendar", "test")[0]
    solved = next(e for e in parser.episodes if e["data-outcome"] == "success" and task.id in e["text"])
    assert task.request in solved["text"]  # the transcript
    assert task.gold[0]["name"] in solved["text"]  # the calls
    assert "Reward breakdown" in solved["text"] and "state_match" in solved["text"]
    assert "I can't help with that." in next(e for e in parser.episodes if e["data-outcome"] == "failure")["text"]
    assert "<script src" not in viewer_page.read_text() and "http" not in viewer_page.read_text().split("<script>")[1]


def test_viewer_opens_in_a_headless_browser(viewer_page: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        print("chromium is not installed (apt-get install -y chromium): the viewer was not opened in a browser")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,1400"]
    url = viewer_page.as_uri() + "#outcome=success"
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120,
                         check=False).stdout
    assert "2 of 4 episodes shown" in dom  # the filter script ran and applied the outcome filter from the URL
    shot = tmp_path / "viewer.png"
    subprocess.run([*flags, f"--screenshot={shot}", viewer_page.as_uri()], capture_output=True, timeout=120,
                   check=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
