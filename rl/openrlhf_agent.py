"""OpenRLHF 0.11.x agent module: the suite's environments behind OpenRLHF's multi-turn agent interface.

Loaded by OpenRLHF's vLLM engines from ``--train.agent_func_path`` (the launcher, :mod:`rl.openrlhf_launch`, ships
the project to the Ray workers and points that flag at a one-line file importing this module). OpenRLHF builds one
:class:`AgentInstance` per sample. Its dataset label is JSON holding the task itself (generated tasks are in no task
file), the env, the turn limit, the partial-credit weight and whether the row is held-out evaluation, so every
sample of a GRPO group starts from the same state and the agent needs no task catalog. ``step`` parses the model's
text (Qwen3/Hermes tool calls), runs it in the environment in a worker thread (the executor lives in the vLLM
engine's event loop and must not block), and returns the reward as a tensor, the next turns rendered by the
prefix-preserving training template, and ``done``.

The episode is the local driver's (:func:`rl.rollout.play`), token for token and reward for reward:

* each turn samples at most ``--rollout.max_new_tokens`` tokens, and never more than the context has left less
  one token for the end of turn (OpenRLHF's executor alone would ask for all of the remaining context every turn);
* an episode whose context has no room left for another turn after the environment's reply ends there, as local
  play's overflow does, with the reward of an unfinished episode (0: no partial credit, as locally) instead of
  running into OpenRLHF's own budget check, which ends it without the episode's logs (and its replay buffer then
  raises ``ValueError`` on a batch whose episodes carry different log keys);
* the chat format is the run's: the label says whether thinking is on (``--thinking``), as in the prompts;
* the reward is :func:`rl.train.rl_reward` of the finished episode (success 1, else ``--partial-credit`` times the
  env's partial credit); on held-out rows it is success, so OpenRLHF's ``eval_<env>_pass1`` is greedy held-out
  success per environment, the local table's figure.

With ``--env-pool N`` the labels also carry ``pool`` (actors, live episodes per actor, a name): the episodes then
run in the named :class:`~envfactory_gym.integrations.ray_pool.RayEnvPool` (N Ray actors spread over the cluster,
shared by every vLLM engine) instead of in each engine's process; same observations and rewards, and a dead env
actor fails its episodes with ``EpisodeLostError`` instead of hanging them.

The executor concatenates ``action tokens + tokenize(feedback)``. vLLM may or may not include the end-of-turn token
in the action tokens (OpenRLHF issue #1128), and a turn cut at the token limit has none: :class:`AgentExecutor`
watches the engine's outputs and the feedback then starts with ``<|im_end|>`` itself, so every turn is closed.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
from typing import Any

import torch
from openrlhf.utils.agent import AgentInstanceBase, MultiTurnAgentExecutor

from envfactory_gym.core.tasks import Task
from rl import envs
from rl.tokenizer import END_OF_TURN
from rl.tokens import ChatFormat, Episode
from rl.train import rl_reward

#: (turn watcher, chat format) of the sample this asyncio task is executing.
_CURRENT: contextvars.ContextVar[tuple[_Turns, ChatFormat]] = contextvars.ContextVar("envfactory_agent")
_FORMATS: dict[tuple[int, bool], ChatFormat] = {}
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

    async def close(self) -> None:
        await self.pool.close([self.handle])


class _Turns:
    """Wraps the generation engine for one episode: caps every turn as local play does (``cap`` tokens, and never
    more than the context left less one token for the end of turn), counts the context used, and remembers whether
    the last action ended with the end-of-turn token."""

    def __init__(self, engine: Any, eos_id: int, cap: int, max_length: int) -> None:
        self.engine, self.eos_id, self.cap, self.max_length = engine, eos_id, cap, max_length
        self.closed, self.used = True, 0

    async def generate(self, prompt_token_ids: list[int], sampling_params: Any, **kwargs: Any) -> Any:
        # OpenRLHF sets max_tokens to the whole remaining context before every turn (its own copy of the params)
        sampling_params.max_tokens = min(sampling_params.max_tokens - 1, self.cap)
        output = await self.engine.generate(prompt_token_ids, sampling_params, **kwargs)
        tokens = list(output.outputs[0].token_ids)
        self.closed = bool(tokens) and tokens[-1] == self.eos_id
        self.used = len(prompt_token_ids) + len(tokens)
        return output


class AgentInstance(AgentInstanceBase):
    """One episode of one task."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.env: Any = None
        self.label: dict[str, Any] = {}

    async def reset(self, states: dict, **kwargs: Any) -> dict:
        self.label = label = json.loads(states["label"])
        task = Task.from_dict(label["task"])
        if "pool" in label:
            pool = _pool(label["pool"])
            handle, _, info = await pool.reset_one(label["env"], task.seed, task.id, max_turns=label["max_turns"])
            self.env = _PooledEpisode(pool, handle)
        else:
            self.env = await asyncio.to_thread(envs.make, label["env"], label["max_turns"], tasks=[task])
            _, info = await asyncio.to_thread(self.env.reset, seed=task.seed, options={"task_id": task.id})
        _, fmt = _CURRENT.get()
        return {"observation": fmt.render(info["messages"], add_generation_prompt=True)}

    async def step(self, states: dict, **kwargs: Any) -> dict:
        turns, fmt = _CURRENT.get()
        text = states["action_text"].split(END_OF_TURN)[0]
        if isinstance(self.env, _PooledEpisode):
            _, reward, terminated, truncated, info = await self.env.step(text)
        else:
            _, reward, terminated, truncated, info = await asyncio.to_thread(self.env.step, text)
        feedback = "" if turns.closed else END_OF_TURN
        done, overflow = terminated or truncated, False
        if not done:
            more = fmt.feedback_text(info["new_messages"])
            # local play's rule: stop when the feedback leaves no room for a token and the end of turn
            overflow = turns.max_length - (turns.used + len(fmt.encode(feedback + more))) - 1 < 1
            if overflow and isinstance(self.env, _PooledEpisode):
                await self.env.close()
            feedback = feedback if overflow else feedback + more
        # an unfinished episode (overflow, or not over yet) has no reward_info: reward 0, as in local play
        episode = Episode([], reward=float(reward) if done else 0.0,
                          info={"reward_info": info.get("reward_info", {})} if done else {})
        value = rl_reward(episode, 0.0 if self.label["eval"] else self.label["partial_credit"])
        # the same keys at every step: OpenRLHF keeps the last step's, and batches them across episodes
        logs = {"success": float(episode.reward >= 1.0), "overflow": float(overflow),
                "partial": float(episode.info.get("reward_info", {}).get("partial", 0.0)),
                "turn_limit": float(truncated and not terminated)}
        return {"rewards": torch.tensor(value), "scores": torch.tensor(value), "environment_feedback": feedback,
                "done": done or overflow, "extra_logs": {k: torch.tensor(v) for k, v in logs.items()}}


class AgentExecutor(MultiTurnAgentExecutor):
    """OpenRLHF's multi-turn executor over :class:`AgentInstance`, with a per-turn token cap."""

    def __init__(self) -> None:
        super().__init__(AgentInstance)

    async def execute(self, prompt: Any, label: Any, sampling_params: Any, max_length: int, hf_tokenizer: Any,
                      llm_engine: Any, images: Any = None) -> dict:
        thinking = json.loads(label)["thinking"]
        key = (id(hf_tokenizer), thinking)
        fmt = _FORMATS.get(key) or _FORMATS.setdefault(key, ChatFormat(hf_tokenizer, thinking=thinking))
        # the samples of a prompt share one params object, whose max_tokens OpenRLHF's loop overwrites
        sampling_params = copy.deepcopy(sampling_params)
        turns = _Turns(llm_engine, fmt.eos_id, sampling_params.max_tokens or max_length, max_length)
        _CURRENT.set((turns, fmt))
        return await super().execute(prompt, label, sampling_params, max_length, hf_tokenizer, turns, images)
