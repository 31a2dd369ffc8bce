"""The LLM-backed user simulator against a local OpenAI-compatible endpoint."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401
from envfactory_gym.episode.user import DONE_REPLY, LLMUser


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[dict]]]:
    """A chat-completions server on 127.0.0.1 that answers 'DONE' once the agent says 'booked'."""
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"path": self.path, "auth": self.headers["Authorization"], **body})
            last = body["messages"][-1]["content"]
            text = "DONE" if "booked" in last.lower() else "The 14th, please."
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", requests
    server.shutdown()


def test_llm_user_plays_the_user_through_the_env(endpoint: tuple[str, list[dict]]) -> None:
    url, requests = endpoint
    env = gym.make("EnvFactory/Calendar-v0", user=functools.partial(LLMUser, base_url=url, model="sim", api_key="k"))
    env.reset(seed=0)
    observation, _, terminated, _, _ = env.step("Which day?")
    assert json.loads(observation) == [{"role": "user", "content": "The 14th, please."}] and not terminated
    observation, _, terminated, _, _ = env.step("All booked.")
    assert json.loads(observation) == [{"role": "user", "content": DONE_REPLY}] and terminated
    first = requests[0]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer k" and first["model"] == "sim"
    assert env.unwrapped.task.request in first["messages"][0]["content"]
    assert [m["role"] for m in requests[1]["messages"]] == ["system", "user", "assistant", "user"]


def test_llm_user_prompt_lists_hidden_facts() -> None:
    from envfactory_gym.core.tasks import Task, UserFact

    task = Task(id="t", env="X", seed=0, split="train", request="Book it.", gold=(),
                user_facts=(UserFact("travel date", "2026-03-14", ("date",)),))
    user = LLMUser(task, base_url="http://127.0.0.1:9/v1", model="m")
    assert "- travel date: 2026-03-14" in user.history[0]["content"]
