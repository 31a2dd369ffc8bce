"""The OpenRLHF agent module driven by OpenRLHF's real multi-turn executor and a fake generation engine.

Needs ``pip install openrlhf==0.11.2 --no-deps`` beside the test extra (its agent module imports no GPU package);
skipped with the reason when that import fails, except under ``ENVFACTORY_REQUIRE_OPENRLHF=1`` (CI), where it fails.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import pytest

from rl import envs, openrlhf_launch
from rl.rollout import EnvPool, Job, play
from rl.tokens import ChatFormat
from rl.train import rl_reward

ROOT = Path(__file__).resolve().parents[2]
CAP = 96  # --rollout.max_new_tokens


@pytest.fixture(scope="module")
def fmt(tokenizer):
    """The default run's format: thinking off (every assistant turn opens with an empty think block)."""
    return ChatFormat(tokenizer, thinking=False)


def _require_openrlhf() -> None:
    try:
        import openrlhf.utils.agent  # noqa: F401
    except Exception as exc:  # noqa: BLE001 (openrlhf absent, or a dependency of its utils package missing)
        if os.environ.get("ENVFACTORY_REQUIRE_OPENRLHF") == "1":
            raise
        pytest.skip(f"openrlhf's agent module does not import here: {type(exc).__name__}: {exc}")


def _load_agent_module():
    """Load rl/openrlhf_agent.py the way OpenRLHF's vLLM engine does (from the file path)."""
    _require_openrlhf()
    from openrlhf.utils.agent import AgentExecutorBase

    spec = importlib.util.spec_from_file_location("agent_module", ROOT / "rl" / "openrlhf_agent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert issubclass(module.AgentExecutor, AgentExecutorBase)
    return module


class FakeEngine:
    """Answers each generate call with the next scripted text as vLLM would: at most ``max_tokens`` tokens (then
    ``finish_reason`` "length" and no EOS id), optionally without the EOS id even when the turn ended."""

    def __init__(self, fmt, texts: list[str], include_eos: bool = True) -> None:
        self.fmt, self.texts, self.include_eos = fmt, list(texts), include_eos
        self.max_tokens: list[int] = []

    async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
        self.max_tokens.append(sampling_params.max_tokens)
        text = self.texts.pop(0)
        ids = self.fmt.encode(text) + [self.fmt.eos_id]
        finish = "stop"
        if len(ids) > sampling_params.max_tokens:
            ids, finish = ids[: sampling_params.max_tokens], "length"
        elif not self.include_eos:
            ids = ids[:-1]
        output = SimpleNamespace(token_ids=ids, text=self.fmt.decode([t for t in ids if t != self.fmt.eos_id]),
                                 finish_reason=finish, logprobs=None)
        return SimpleNamespace(outputs=[output])


def _task(task_id: str):
    return next(t for _, t in envs.tasks(["Calendar"], "test") if t.id == task_id)


def _gold_texts(task, max_turns: int = 12) -> list[str]:
    conversation, _ = envs.oracle_conversation(envs.make("Calendar", max_turns, tasks=[task]), task.id, task.seed)
    return [m["content"] for m in conversation if m["role"] == "assistant"]


def _execute(module, fmt, task, texts, include_eos=True, max_turns=8, max_length=8192, partial_credit=0.0,
             evaluation=False):
    cfg = SimpleNamespace(max_turns=max_turns, partial_credit=partial_credit, thinking=fmt.thinking)
    row = openrlhf_launch.prompt_rows([("Calendar", task)], fmt, cfg, evaluation)[0]
    engine = FakeEngine(fmt, texts, include_eos)
    params = SimpleNamespace(max_tokens=CAP, logprobs=None)
    result = asyncio.run(module.AgentExecutor().execute(row["prompt"], row["label"], params, max_length,
                                                        fmt.tokenizer, engine))
    return result, engine


@pytest.mark.parametrize("include_eos", [True, False])
def test_oracle_earns_reward_one_and_tokens_match_the_render(fmt, include_eos):
    module = _load_agent_module()
    task = envs.tasks(["Calendar"], "test")[0][1]
    conversation, _ = envs.oracle_conversation(envs.make("Calendar", 8), task.id)
    texts = [m["content"] for m in conversation if m["role"] == "assistant"]
    result, engine = _execute(module, fmt, task, texts, include_eos)
    assert result["reward"] == 1.0 and len(engine.max_tokens) == len(texts)
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
    assert result["reward"] == 0.0 and engine.max_tokens


def test_every_turn_is_capped_at_max_new_tokens_not_at_the_remaining_context(fmt):
    """OpenRLHF's executor sets ``max_tokens`` to all the context left before every turn; the agent keeps the
    per-turn cap (and the min of both near the end of the context)."""
    module = _load_agent_module()
    task = envs.tasks(["Calendar"], "test")[0][1]
    texts = _gold_texts(task)
    result, engine = _execute(module, fmt, task, texts)
    assert result["reward"] == 1.0
    assert engine.max_tokens == [CAP] * len(texts)


def _through_openrlhf_replay_buffer(results: list[dict]) -> list:
    """OpenRLHF's path from executor results to its replay buffer: ``SamplesGenerator``'s conversion into
    experiences (vLLM stubbed: only its ``SamplingParams`` name is imported), their concatenation, and
    ``NaiveReplayBuffer.append``, which splits the batch per sample."""
    from openrlhf.trainer.ppo_utils.experience import Experience
    from openrlhf.trainer.ppo_utils.replay_buffer import NaiveReplayBuffer

    stubs = {"vllm": types.ModuleType("vllm"), "openrlhf.trainer.ray": types.ModuleType("openrlhf.trainer.ray"),
             "openrlhf.trainer.ray.vllm_engine": types.ModuleType("openrlhf.trainer.ray.vllm_engine")}
    stubs["vllm"].SamplingParams = SimpleNamespace
    stubs["openrlhf.trainer.ray.vllm_engine"].batch_vllm_engine_call = None
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        import openrlhf.trainer.ppo_utils as package

        spec = importlib.util.spec_from_file_location("_samples_generator",
                                                      Path(package.__file__).parent / "samples_generator.py")
        generator = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(generator)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    experiences = [generator.SamplesGenerator._process_response_into_experience(None, r, max_len=8192)
                   for r in results]
    buffer = SimpleNamespace(cpu_offload=False, items=[], limit=0)
    NaiveReplayBuffer.append(buffer, Experience.concat_experiences(experiences, 0))
    return buffer.items


def test_an_episode_cut_by_the_context_ends_with_reward_and_the_logs_of_every_episode(fmt):
    """The context runs out after a few tool calls: the episode ends with reward 0 (local play's overflow rule)
    and the same log keys as a finished episode, so OpenRLHF's replay buffer takes the batch (it raised
    ``ValueError: Size of info[partial] ...`` when the cut episode had none)."""
    module = _load_agent_module()
    task = envs.tasks(["Calendar"], "test")[0][1]
    call = _gold_texts(task)[0]
    cfg = SimpleNamespace(max_turns=8, partial_credit=0.0, thinking=False)
    prompt = len(fmt.encode(openrlhf_launch.prompt_rows([("Calendar", task)], fmt, cfg, False)[0]["prompt"]))
    cut, engine = _execute(module, fmt, task, [call] * 8, max_length=prompt + 2 * CAP + 150, partial_credit=0.5)
    assert 1 <= len(engine.max_tokens) < 8
    assert cut["reward"] == 0.0 and cut["extra_logs"]["overflow"].item() == 1.0
    finished, _ = _execute(module, fmt, task, _gold_texts(task))
    assert set(cut["extra_logs"]) == set(finished["extra_logs"]) == {"success", "partial", "overflow", "turn_limit"}
    items = _through_openrlhf_replay_buffer([finished, cut])
    assert [i.info["overflow"].item() for i in items] == [0.0, 1.0]
    assert [i.rewards.item() for i in items] == [1.0, 0.0]


def test_a_turn_limited_episode_earns_the_local_partial_credit_reward(fmt):
    """The turn limit ends an episode whose writes are half done: the agent's reward is the local driver's
    ``rl_reward`` of the same episode played by local rollouts, and so are its tokens."""
    module = _load_agent_module()
    task = _task("Calendar-gen-f6cbb73f97")
    texts = _gold_texts(task)[:-1]  # every gold call, no answer: the turn limit ends it
    result, _ = _execute(module, fmt, task, texts, max_turns=len(texts), partial_credit=0.5)

    def scripted(episodes, limits):
        return [fmt.encode(texts[len(e.turns)]) + [fmt.eos_id] for e in episodes]

    pool = EnvPool(len(texts), {"Calendar": [task]})
    local = play([Job("Calendar", task.id, task.seed)], scripted, fmt, pool, max_len=8192, max_new_tokens=CAP)[0]
    assert 0.0 < local.info["reward_info"]["partial"] < 1.0
    assert result["reward"] == pytest.approx(rl_reward(local, 0.5)) and result["reward"] > 0
    assert result["extra_logs"]["turn_limit"].item() == 1.0
    assert result["observation_tokens"] == local.ids
    evaluation, _ = _execute(module, fmt, task, texts, max_turns=len(texts), partial_credit=0.5, evaluation=True)
    assert evaluation["reward"] == 0.0  # held-out rows score success, the local table's figure
