"""Exports of generated tasks: the runtime's task JSON Lines, SFT conversations and RL prompts.

SFT rows are real episodes: each task is played through :class:`~envfactory_gym.episode.env.ToolUseEnv` by the
:class:`~envfactory_gym.agents.OracleAgent` (tool responses are what the environment returned), and only episodes
that earn reward 1 are kept. A row is ``{"messages", "tools", "env", "task_id", "seed", "split"}`` in the OpenAI
chat format common SFT trainers load: tool-call arguments and ``tools`` are JSON strings (Arrow needs one schema
for every row; TRL decodes a string ``tools`` column), and the system message leaves the tool list to the chat
template, which renders it from ``tools`` exactly as the environment's prompt does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from envfactory_gym.agents import OracleAgent, run_episode
from envfactory_gym.registration import env_id
from envfactory_gym.core.tasks import Task

TOOLS_HEADER = "\n\n# Tools\n"


@contextlib.contextmanager
def playing(name: str, tasks: Sequence[Task]) -> Iterator[Any]:
    """A ``ToolUseEnv`` of ``name`` playing ``tasks`` (they need not be in its task file yet)."""
    from envfactory_gym.episode.env import ToolUseEnv

    env = ToolUseEnv(name, tasks=tasks)
    try:
        yield env
    finally:
        env.close()


def sft_rows(name: str, tasks: Sequence[Task], progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """One chat row per task whose oracle episode earns reward 1."""
    rows = []
    with playing(name, tasks) as env:
        tools = json.dumps(env.tool_schemas, ensure_ascii=False)
        for task in tasks:
            result = run_episode(env, OracleAgent(), task.id)
            if result.success:
                rows.append({"messages": [chat_message(m) for m in result.messages], "tools": tools, "env": name,
                             "task_id": task.id, "seed": task.seed, "split": task.split})
            if progress:
                progress(1)
    return rows


def chat_message(message: dict[str, Any]) -> dict[str, Any]:
    """An environment message in the OpenAI chat format (string arguments; no tool list in the system prompt)."""
    role = message["role"]
    if role == "system":
        return {"role": "system", "content": message["content"].split(TOOLS_HEADER, 1)[0]}
    if role == "tool":
        return {"role": "tool", "tool_call_id": message["tool_call_id"], "name": message["name"],
                "content": message["content"]}
    out: dict[str, Any] = {"role": role, "content": message.get("content") or ""}
    if message.get("tool_calls"):
        out["tool_calls"] = [
            {"id": c["id"], "type": "function",
             "function": {"name": c["function"]["name"],
                          "arguments": json.dumps(c["function"]["arguments"], ensure_ascii=False)}}
            for c in message["tool_calls"]
        ]
    return out


def rl_rows(name: str, tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """RL prompts: env id, task id, the task's world seed, and the initial messages ``reset`` returns."""
    rows = []
    with playing(name, tasks) as env:
        for task in tasks:
            _, info = env.reset(options={"task_id": task.id})
            rows.append({"env_id": env_id(name), "env": name, "task_id": task.id, "seed": task.seed,
                         "split": task.split, "messages": [dict(m) for m in info["messages"]]})
    return rows


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON Lines; returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
