"""OpenRLHF 0.11.x agent module: the suite's environments behind OpenRLHF's multi-turn agent interface.

Given to ``python -m openrlhf.cli.train_ppo_ray --train.agent_func_path rl/openrlhf_agent.py``. OpenRLHF builds one
:class:`AgentInstance` per sample; its dataset label (written by :mod:`rl.openrlhf_launch`) is JSON naming the env,
the task, the seed and the turn limit, so every sample of a GRPO group starts from the same state. ``step`` parses
the model's text (Qwen3/Hermes tool calls), runs it in the environment in a worker thread (the executor lives in the
vLLM engine's event loop and must not block), and returns the reward as a tensor (1/0 at the end of the episode),
the next turns rendered by the prefix-preserving training template, and ``done``.

With ``python -m rl.train --backend openrlhf --env-pool N`` the labels also carry ``pool`` (actors, live episodes per
actor, a name): the episodes then run in the named :class:`~envfactory_gym.integrations.ray_pool.RayEnvPool` (N Ray
actors spread over the cluster, shared by every vLLM engine) instead of in each engine's process; same observations
and rewards, and a dead env actor fails its episodes with ``EpisodeLostError`` instead of hanging them.

The executor concatenates ``action tokens + tokenize(feedback)``. vLLM may or may not include the end-of-turn token
in the action tokens (OpenRLHF issue #1128), and a turn cut at the token limit has none: :class:`AgentExecutor`
watches the engine's outputs and the feedback then starts with ``<|im_end|>`` itself, so every turn is closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from typing import Any

import torch
from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

from rl import envs
from rl.tokenizer import END_OF_TURN
from rl.tokens import ChatFormat

#: (engine watcher, chat format) of the sample this asyncio task is executing.
_CURRENT: contextvars.ContextVar[tuple[_Watcher, ChatFormat]] = contextvars.ContextVar("envfactory_agent")
_FORMATS: dict[int, ChatFormat] = {}
#: Ray env pools of this process, by name (with ``--env-pool``).
_POOLS: dict[str, Any] = {}


def _pool(spec: dict[str, Any]) -> Any:
    """The named env pool of the label (created by the first engine that asks, shared by all)."""
    if spec["name"] not in _POOLS:
        from envfactory_gym.integrations.ray_pool import RayEnvPool

        _POOLS[spec["name"]] = RayEnvPool(spec["actors"], spec["max_episodes"], name=spec["name"],
                                          num_cpus=spec.get("num_cpus", 1.0), env_kwargs={"split": None},
                                          info_keys=("new_messages", "reward_info"))
    return _POOLS[spec["name"]]


class _PooledEpisode:
    """An episode hosted by the Ray env pool, with the in-process env's ``step`` signature (async)."""

    def __init__(self, pool: Any, handle: Any) -> None:
        self.pool, self.handle = pool, handle

    async def step(self, text: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        r = await self.pool.step_one(self.handle, text)
        return r.observation, r.reward, r.terminated, r.truncated, r.info


class _Watcher:
    """Wraps the generation engine and remembers whether the last action ended with the end-of-turn token."""

    def __init__(self, engine: Any, eos_id: int) -> None:
        self.engine, self.eos_id, self.closed = engine, eos_id, True

    async def generate(self, prompt_token_ids: list[int], sampling_params: Any, **kwargs: Any) -> Any:
        output = await self.engine.generate(prompt_token_ids, sampling_params, **kwargs)
        tokens = list(output.outputs[0].token_ids)
        self.closed = bool(tokens) and tokens[-1] == self.eos_id
        return output


class AgentInstance(AgentInstanceBase):
    """One episode of one task."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.env: Any = None

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        label = json.loads(states["label"])
        if "pool" in label:
            pool = _pool(label["pool"])
            handle, _, info = await pool.reset_one(label["env"], label["seed"], label["task_id"],
                                                   max_turns=label["max_turns"])
            self.env = _PooledEpisode(pool, handle)
        else:
            self.env = await asyncio.to_thread(envs.make, label["env"], label["max_turns"])
            _, info = await asyncio.to_thread(self.env.reset, seed=label["seed"],
                                              options={"task_id": label["task_id"]})
        _, fmt = _CURRENT.get()
        return {"observation": fmt.render(info["messages"], add_generation_prompt=True)}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        watcher, fmt = _CURRENT.get()
        text = states["action_text"].split(END_OF_TURN)[0]
        if isinstance(self.env, _PooledEpisode):
            _, reward, terminated, truncated, info = await self.env.step(text)
        else:
            _, reward, terminated, truncated, info = await asyncio.to_thread(self.env.step, text)
        done = terminated or truncated
        feedback = "" if watcher.closed else END_OF_TURN
        if not done:
            feedback += fmt.feedback_text(info["new_messages"])
        extra = {"partial": torch.tensor(info["reward_info"]["partial"])} if done else {}
        return {"rewards": torch.tensor(float(reward)), "scores": torch.tensor(float(reward)),
                "environment_feedback": feedback, "done": done, "extra_logs": extra}


class AgentExecutor(MultiTurnAgentExecutor):
    """OpenRLHF's multi-turn executor over :class:`AgentInstance`."""

    def __init__(self) -> None:
        super().__init__(AgentInstance)

    async def execute(self, prompt: Any, label: Any, sampling_params: Any, max_length: int, hf_tokenizer: Any,
                      llm_engine: Any, images: Any = None) -> dict:
        fmt = _FORMATS.get(id(hf_tokenizer)) or _FORMATS.setdefault(id(hf_tokenizer), ChatFormat(hf_tokenizer))
        watcher = _Watcher(llm_engine, fmt.eos_id)
        _CURRENT.set((watcher, fmt))
        return await super().execute(prompt, label, sampling_params, max_length, hf_tokenizer, watcher, images)
