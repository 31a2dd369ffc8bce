"""verl: the suite's environments as a verl agent loop, and the dataset exporter writing verl's parquet rows.

verl (>= 0.9) runs multi-turn rollouts through *agent loops* (``verl.experimental.agent_loop``): one
``AgentLoopBase`` instance per sample, whose ``async run(sampling_params, **row)`` talks to the rollout servers
through the server manager (``await server_manager.generate(request_id, prompt_ids=..., sampling_params=...)``
returning a ``TokenOutput``) and returns an ``AgentLoopOutput`` (prompt ids, response ids, a response mask that is
1 on the model's tokens, optional logprobs, and optionally the trajectory's ``reward_score``, which verl then uses
instead of calling a reward function). Which loop plays a row is the row's ``agent_name``.

:class:`EnvFactoryAgentLoop` (registered as ``"envfactory_agent"``) plays one episode of the suite per sample:

* the row's ``extra_info`` names the env, the task, the reset seed, the turn limit and the reward mode
  (:func:`export_parquet` writes them), so every sample of a GRPO group starts from the same state;
* the prompt is the env's opening (system prompt with the tool schemas, the user's request) rendered by the
  prefix-preserving training template of :mod:`rl.tokenizer` (Qwen3's format, so real Qwen3 tokenizers work too);
* each model turn is kept as sampled, cut after the end-of-turn token (a turn cut by the token limit is closed by
  an end-of-turn outside the mask); its text goes to ``env.step`` (in a worker thread: the loop shares the event
  loop with every other sample); the env's new turns are appended as tokens rendered by the template, mask 0;
* ``reward_score`` is the env's reward at the end of the episode (binary success or partial credit), 0 for an
  episode cut off by the turn limit or by ``rollout.response_length``; ``extra_fields`` carry ``turn_scores``
  (the env's reward after every step), ``env_done``, ``env_partial`` and the task id.

Use in a verl run: write the agent loop config with :func:`write_agent_loop_config` and pass
``actor_rollout_ref.rollout.agent.agent_loop_config_path=<that file>`` (or import this module in the workers), and
train on the parquet written by :func:`export_parquet` (``data.train_files=...``); ``data.return_raw_chat=True``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopMetrics, AgentLoopOutput, register
from verl.utils.profiler import simple_timer

from envfactory_gym.episode.env import ToolUseEnv

AGENT_NAME = "envfactory_agent"
DATA_SOURCE_PREFIX = "envfactory/"

#: Idle envs per (name, split, max_turns, reward_mode), reused across samples of this worker process.
_IDLE: dict[tuple[str, str | None, int, str], list[ToolUseEnv]] = {}
_FORMATS: dict[int, Any] = {}


def _format(tokenizer: Any) -> Any:
    from rl.tokens import ChatFormat

    fmt = _FORMATS.get(id(tokenizer))
    if fmt is None or fmt.tokenizer is not tokenizer:
        fmt = _FORMATS[id(tokenizer)] = ChatFormat(tokenizer)
    return fmt


def episode_spec(extra_info: Any) -> dict[str, Any]:
    """The episode a row asks for, from its ``extra_info`` (as written by :func:`export_parquet`)."""
    info = dict(extra_info or {})
    missing = [k for k in ("env", "task_id", "seed") if info.get(k) is None]
    if missing:
        raise ValueError(f"row's extra_info lacks {missing}; export the dataset with "
                         f"envfactory_gym.integrations.verl.export_parquet (got keys {sorted(info)})")
    split = info.get("split", None)
    return {"env": str(info["env"]), "task_id": str(info["task_id"]), "seed": int(info["seed"]),
            "max_turns": int(info.get("max_turns") or 8), "reward_mode": str(info.get("reward_mode") or "binary"),
            "split": None if split in (None, "", "all") else str(split)}


@register(AGENT_NAME)
class EnvFactoryAgentLoop(AgentLoopBase):
    """One episode of an EnvFactory env per sample (see the module docstring)."""

    def __init__(self, *args: Any, tools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prompt_length = self.rollout_config.prompt_length
        self.response_length = self.rollout_config.response_length
        self.fmt = _format(self.tokenizer)

    async def run(self, sampling_params: dict[str, Any], **kwargs: Any) -> AgentLoopOutput:
        spec = episode_spec(kwargs.get("extra_info"))
        key = (spec["env"], spec["split"], spec["max_turns"], spec["reward_mode"])
        idle = _IDLE.setdefault(key, [])
        env = idle.pop() if idle else await asyncio.to_thread(
            ToolUseEnv, spec["env"], split=spec["split"], max_turns=spec["max_turns"], reward_mode=spec["reward_mode"])
        try:
            return await self._play(env, spec, sampling_params)
        finally:
            idle.append(env)

    async def _play(self, env: ToolUseEnv, spec: dict[str, Any], sampling_params: dict[str, Any]) -> AgentLoopOutput:
        fmt, eos = self.fmt, self.fmt.eos_id
        _, info = await asyncio.to_thread(env.reset, seed=spec["seed"], options={"task_id": spec["task_id"]})
        prompt_ids = fmt.prompt_ids(info["messages"])
        if len(prompt_ids) > self.prompt_length:
            raise ValueError(f"the opening of {spec['env']} task {spec['task_id']} is {len(prompt_ids)} tokens, over "
                             f"rollout.prompt_length={self.prompt_length}; raise it (the tool schemas must fit)")
        response: list[int] = []
        mask: list[int] = []
        logprobs: list[float] = []
        has_logprobs = False
        turn_scores: list[float] = []
        metrics: dict[str, Any] = {}
        request_id = uuid4().hex
        reward, done, partial, assistant_turns, env_turns = 0.0, False, 0.0, 0, 0
        while len(response) < self.response_length:
            params = {**sampling_params, "max_tokens": self.response_length - len(response)}
            with simple_timer("generate_sequences", metrics):
                output = await self.server_manager.generate(request_id=request_id, prompt_ids=prompt_ids + response,
                                                            sampling_params=params)
            if output.num_preempted is not None:
                metrics["num_preempted"] = metrics.get("num_preempted", 0) + output.num_preempted
            tokens = list(output.token_ids)
            lps = list(output.log_probs) if output.log_probs else [0.0] * len(tokens)
            has_logprobs = has_logprobs or bool(output.log_probs)
            closed = eos in tokens
            if closed:
                cut = tokens.index(eos) + 1
                tokens, lps = tokens[:cut], lps[:cut]
            room = self.response_length - len(response)
            tokens, lps = tokens[:room], lps[:room]
            response += tokens
            mask += [1] * len(tokens)
            logprobs += lps
            assistant_turns += 1
            if not closed and len(response) < self.response_length:
                response.append(eos)  # close a turn cut by the token limit, outside the mask
                mask.append(0)
                logprobs.append(0.0)
            text = fmt.decode(tokens[:-1] if closed else tokens)
            with simple_timer("tool_calls", metrics):
                _, step_reward, terminated, truncated, info = await asyncio.to_thread(env.step, text)
            turn_scores.append(float(step_reward))
            if terminated or truncated:
                done, reward = True, float(step_reward)
                partial = float(info.get("reward_info", {}).get("partial", reward))
                break
            feedback = fmt.feedback_ids(info["new_messages"])
            if len(response) + len(feedback) > self.response_length:
                break  # the env's answer does not fit: cut off, reward 0
            response += feedback
            mask += [0] * len(feedback)
            logprobs += [0.0] * len(feedback)
            env_turns += 1
        metrics.setdefault("num_preempted", -1)
        return AgentLoopOutput(
            prompt_ids=prompt_ids,
            response_ids=response,
            response_mask=mask,
            response_logprobs=logprobs if has_logprobs else None,
            reward_score=reward,
            num_turns=2 + assistant_turns + env_turns,
            metrics=AgentLoopMetrics(**metrics),
            extra_fields={"turn_scores": turn_scores, "tool_rewards": [], "env_done": done, "env_partial": partial,
                          "env": spec["env"], "task_id": spec["task_id"]},
        )


def rows(names: Sequence[str], split: Literal["train", "test"] | None = "train", limit: int = 0, seed: int = 0,
         max_turns: int = 8, reward_mode: Literal["binary", "partial"] = "binary") -> list[dict[str, Any]]:
    """verl dataset rows, one per task of ``names`` (the first ``limit`` per env when > 0).

    Each row: ``data_source`` (``envfactory/<env>``), ``prompt`` (the env's opening messages: system prompt with
    the tool schemas, the user's request), ``ability``, ``reward_model`` (style ``"env"``, the task id as ground
    truth: the env grades), ``agent_name`` (:data:`AGENT_NAME`) and ``extra_info`` (env, task id, reset seed, turn
    limit, reward mode, split, index): what the agent loop resets to, identical for every sample of the group.
    """
    out: list[dict[str, Any]] = []
    for name in names:
        env = ToolUseEnv(name, split=split, max_turns=max_turns, reward_mode=reward_mode)
        for task_id in env.task_ids[: limit or None]:
            _, info = env.reset(seed=seed, options={"task_id": task_id})
            out.append({
                "data_source": DATA_SOURCE_PREFIX + name,
                "prompt": [{"role": m["role"], "content": m["content"]} for m in info["messages"]],
                "ability": "tool_use",
                "reward_model": {"style": "env", "ground_truth": task_id},
                "agent_name": AGENT_NAME,
                "extra_info": {"env": name, "task_id": task_id, "seed": seed, "max_turns": max_turns,
                               "reward_mode": reward_mode, "split": split or "all", "index": len(out)},
            })
    return out


def export_parquet(path: str | Path, names: Sequence[str], split: Literal["train", "test"] | None = "train",
                   limit: int = 0, seed: int = 0, max_turns: int = 8,
                   reward_mode: Literal["binary", "partial"] = "binary") -> Path:
    """Write :func:`rows` as a parquet file verl's ``RLHFDataset`` reads (``data.train_files=path``)."""
    import pandas as pd

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows(names, split, limit, seed, max_turns, reward_mode)).to_parquet(path)
    return path


def write_agent_loop_config(path: str | Path) -> Path:
    """The file for ``actor_rollout_ref.rollout.agent.agent_loop_config_path``: registers the loop in verl's
    workers by its import path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = f"{EnvFactoryAgentLoop.__module__}.{EnvFactoryAgentLoop.__qualname__}"
    path.write_text(f"- name: {AGENT_NAME}\n  _target_: {target}\n")
    return path

