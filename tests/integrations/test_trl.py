"""TRL's real GRPOTrainer trains a tiny Qwen3 (built from a config) on the suite's Calendar env through
:class:`envfactory_gym.integrations.trl.EnvRollout`; rewards are the env's.

Needs ``pip install trl`` beside the rl extra; skipped with the reason when ``trl`` does not import.
"""

from __future__ import annotations

import os
import warnings

import pytest

pytest.importorskip("torch", reason="needs the 'rl' extra (torch, transformers)")
try:
    import trl
    from trl import GRPOConfig, GRPOTrainer
except Exception as exc:  # noqa: BLE001 (trl absent or one of its imports missing)
    pytest.skip(f"trl does not import here: {type(exc).__name__}: {exc}", allow_module_level=True)

import torch

from envfactory_gym.episode.env import ToolUseEnv
from envfactory_gym.integrations.trl import EnvRollout, env_reward, grpo_dataset, read_label
from rl import envs

ENV = "Calendar"
os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")


@pytest.fixture(scope="module")
def tokenizer():
    from rl.train import build_tokenizer

    tok = build_tokenizer([ENV], vocab_size=1024, max_turns=12, phrase_min_count=8)
    tok.padding_side = "left"
    return tok


@pytest.fixture(scope="module")
def fmt(tokenizer):
    from rl.tokens import ChatFormat

    return ChatFormat(tokenizer)


def _model(tokenizer):
    from rl import model as models

    return models.build(tokenizer, models.SIZES["tiny"], seed=0)


def _config(tmp_path, **overrides):
    args = dict(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=4, num_generations=2,
                max_completion_length=32, learning_rate=1e-3, logging_steps=1, report_to="none", use_cpu=True,
                save_strategy="no", temperature=1.0, seed=0, disable_tqdm=True)
    args.update(overrides)
    return GRPOConfig(**args)


def _replayed_reward(record) -> float:
    """The reward the in-process env gives the same actions on the same task."""
    env = ToolUseEnv(record.env, split=None, max_turns=12)
    env.reset(seed=record.seed, options={"task_id": record.task_id})
    reward, done = 0.0, False
    for text in record.actions:
        _, reward, terminated, truncated, _ = env.step(text)
        done = terminated or truncated
        if done:
            break
    return float(reward) if done else 0.0


def test_dataset_rows_carry_env_task_and_seed():
    data = grpo_dataset([ENV], split="test", limit=2, seed=3)
    assert len(data) == 2 and set(data.column_names) == {"prompt", "env", "task_id", "seed"}
    label = read_label(data[0]["prompt"])
    assert label == {"env": ENV, "task_id": data[0]["task_id"], "seed": 3}
    with pytest.raises(ValueError, match="no 'envfactory' episode label"):
        read_label([{"role": "user", "content": "hi"}])


def test_grpo_steps_with_model_generation_reward_from_env(tokenizer, tmp_path):
    """A few real GRPO steps: the tiny model generates every turn, the env steps and grades each episode."""
    rollout = EnvRollout(max_turns=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = GRPOTrainer(model=_model(tokenizer), processing_class=tokenizer, reward_funcs=env_reward,
                              train_dataset=grpo_dataset([ENV], split="test", limit=2), rollout_func=rollout,
                              args=_config(tmp_path, max_completion_length=24))
        trainer.train()
    assert trainer.state.global_step == 2
    assert len(rollout.history) == 4 and all(r.actions for r in rollout.history)
    # each group's samples start from the same task and seed
    assert rollout.history[0].task_id == rollout.history[1].task_id
    for record in rollout.history:
        assert record.reward == _replayed_reward(record)
    logged = [h for h in trainer.state.log_history if "reward" in h]
    assert len(logged) == 2
    assert logged[-1]["rewards/env_reward/mean"] == pytest.approx(sum(r.reward for r in rollout.history) / 4)


class _OracleOrNoOp:
    """Stands in for the policy's sampling: in each group the first sample plays the oracle's turns (reward 1),
    the others give up at once (reward 0), so GRPO sees a reward spread that only the env could have produced."""

    def __init__(self, fmt, tasks):
        self.fmt = fmt
        self.scripts = {}
        for task in tasks:
            conversation, reward = envs.oracle_conversation(envs.make(ENV, 12, split=None), task.id)
            assert reward == 1.0
            opening = [m for m in conversation[:2]]
            texts = [m["content"] for m in conversation if m["role"] == "assistant"]
            self.scripts[tuple(fmt.prompt_ids(opening))] = texts

    def __call__(self, inputs, images, multimodal_fields, num_generations, has_tool_images=False):
        out, seen = [], set()
        eos = self.fmt.eos_id
        for ids in inputs:
            prompt = next(p for p in self.scripts if tuple(ids[: len(p)]) == p)
            texts = self.scripts[prompt]
            turn = self.fmt.decode(ids[len(prompt):]).count("<|im_start|>assistant\n")
            good = (prompt not in seen) if turn == 0 else True
            seen.add(prompt)
            text = texts[turn] if good else "I can't help with that."
            out.append(self.fmt.encode(text) + [eos])
        return out, None


def test_grpo_learns_from_env_reward_spread(tokenizer, fmt, tmp_path):
    """Scripted samples (oracle vs give-up) through the real trainer: logged rewards are the env's 1s and 0s, and
    the nonzero advantages move the weights."""
    data = grpo_dataset([ENV], split="test", limit=2)
    from envfactory_gym.registration import load_tasks

    tasks = [t for t in load_tasks(ENV, "test") if t.id in set(data["task_id"])]
    rollout = EnvRollout(max_turns=12)
    model = _model(tokenizer)
    before = [p.detach().clone() for p in model.parameters()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=env_reward, train_dataset=data,
                              rollout_func=rollout, args=_config(tmp_path, max_completion_length=4096,
                                                                 max_steps=1))
        trainer._generate_single_turn = _OracleOrNoOp(fmt, tasks)
        trainer.train()
    rewards = [r.reward for r in rollout.history]
    assert sorted(rewards) == [0.0, 0.0, 1.0, 1.0]
    assert all(r.done for r in rollout.history)
    for record in rollout.history:
        assert record.reward == _replayed_reward(record)
    logged = [h for h in trainer.state.log_history if "reward" in h][-1]
    assert logged["reward"] == pytest.approx(0.5) and logged["rewards/env_reward/mean"] == pytest.approx(0.5)
    assert any(not torch.equal(a, b.detach()) for a, b in zip(before, model.parameters()))
    assert trl.__version__
