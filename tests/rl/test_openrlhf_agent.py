"""The OpenRLHF agent module driven by OpenRLHF's real multi-turn executor and a fake generation engine.

Needs ``pip install openrlhf==0.11.2 --no-deps`` beside the test extra (its agent module imports no GPU package);
skipped with the reason when that import fails, except under ``ENVFACTORY_REQUIRE_OPENRLHF=1`` (CI), where it fails.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from rl import envs

ROOT = Path(__file__).resolve().parents[2]


def _load_agent_module():
    """Load rl/openrlhf_agent.py the way OpenRLHF's vLLM engine does (from the file path)."""
    try:
        from openrlhf.utils.agent import AgentExecutorBase
    except Exception as exc:  # noqa: BLE001 (openrlhf absent, or a dependency of its utils package missing)
        if os.environ.get("ENVFACTORY_REQUIRE_OPENRLHF") == "1":
            raise
        pytest.skip(f"openrlhf's agent module does not import here: {type(exc).__name__}: {exc}")
    spec = importlib.util.spec_from_file_location("agent_module", ROOT / "rl" / "openrlhf_agent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert issubclass(module.AgentExecutor, AgentExecutorBase)
    return module


class FakeEngine:
    """Answers each generate call with the next scripted text, as vLLM would (optionally without the EOS id)."""

    def __init__(self, fmt, texts: list[str], include_eos: bool) -> None:
        self.fmt, self.texts, self.include_eos = fmt, list(texts), include_eos
        self.calls = 0

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        self.calls += 1
        text = self.texts.pop(0)
        ids = self.fmt.encode(text) + ([self.fmt.eos_id] if self.include_eos else [])
        output = SimpleNamespace(token_ids=ids, text=text, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def _execute(module, fmt, task, texts, include_eos=True):
    env = envs.make("Calendar", 8)
    _, info = env.reset(seed=0, options={"task_id": task.id})
    prompt = fmt.render(info["messages"], add_generation_prompt=True)
    label = json.dumps({"env": "Calendar", "task_id": task.id, "seed": 0, "max_turns": 8})
    engine = FakeEngine(fmt, texts, include_eos)
    params = SimpleNamespace(max_tokens=None, logprobs=None)
    result = asyncio.run(module.AgentExecutor().execute(prompt, label, params, 8192, fmt.tokenizer, engine))
    return result, engine


@pytest.mark.parametrize("include_eos", [True, False])
def test_oracle_earns_reward_one_and_tokens_match_the_render(fmt, include_eos):
    module = _load_agent_module()
    task = envs.tasks(["Calendar"], "test")[0][1]
    conversation, _ = envs.oracle_conversation(envs.make("Calendar", 8), task.id)
    texts = [m["content"] for m in conversation if m["role"] == "assistant"]
    result, engine = _execute(module, fmt, task, texts, include_eos)
    assert result["reward"] == 1.0 and engine.calls == len(texts)
    last = max(i for i, m in enumerate(conversation) if m["role"] == "assistant")
    expected = fmt.encode(fmt.render(conversation[: last + 1]).removesuffix("\n"))
    tokens = result["observation_tokens"]  # without the EOS id from vLLM the feedback closed each turn
    assert tokens == expected
    for start, end in result["action_ranges"]:
        assert fmt.decode(tokens[start:end]).removesuffix("<|im_end|>") in texts


def test_no_op_earns_zero(fmt):
    module = _load_agent_module()
    task = envs.tasks(["Calendar"], "test")[0][1]
    result, engine = _execute(module, fmt, task, ["I can't help with that."] * 8)
    assert result["reward"] == 0.0 and engine.calls >= 1
