"""The Gymnasium environment: observations are dialogue turns (JSON), actions are tool calls or messages."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import gymnasium as gym

from envfactory_gym.actions import parse_action
from envfactory_gym.registration import load_tasks, world_set
from envfactory_gym.reward import RewardBreakdown, grade
from envfactory_gym.spaces import DialogueText
from envfactory_gym.state import Change
from envfactory_gym.tasks import Task
from envfactory_gym.tools import ToolError
from envfactory_gym.user import ScriptedUser, UserSimulator
from envfactory_gym.worldset import WorldSet

if TYPE_CHECKING:
    from envfactory_gym.mcp_client import McpToolBackend

MAX_RESULT_CHARS = 16_000
# Encoders built once: json.dumps with non-default options builds a new encoder on every call.
_encode_result = json.JSONEncoder(ensure_ascii=False, default=str).encode
_encode_observation = json.JSONEncoder(default=str).encode

TOOL_PROMPT = """# Tools

You may call one or more functions to assist with the user query.

You are provided with function signatures within <tools></tools> XML tags:
<tools>
{tools}
</tools>

For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
<tool_call>
{{"name": <function-name>, "arguments": <args-json-object>}}
</tool_call>"""

SYSTEM_PROMPT = """You are an assistant that completes the user's request by calling tools.
Environment: {environments}
The current time is {now}.
Look up ids and details with the tools instead of asking the user for them; ask the user only for what only they \
know. When the request is complete, reply to the user without a tool call and state the facts they asked for.

{tool_prompt}"""


def system_prompt(worlds: WorldSet) -> str:
    tools = "\n".join(json.dumps(schema, ensure_ascii=False) for schema in worlds.schemas())
    now = min(cls.start_time for cls in worlds.members).strftime("%Y-%m-%d %H:%M")
    return SYSTEM_PROMPT.format(
        environments=worlds.describe(), now=now, tool_prompt=TOOL_PROMPT.format(tools=tools)
    )


_EXPECTED: dict[tuple[str, str, int, str], Counter[Change]] = {}
_RNG_STATES: dict[int, dict[str, Any]] = {}


def expected_changes(name: str, task: Task) -> Counter[Change]:
    """The canonical change set the task's gold calls produce (replayed once per process and task)."""
    key = (name, task.id, task.seed, json.dumps(task.gold, sort_keys=True))
    if key not in _EXPECTED:
        worlds = world_set(name)(task.seed)
        for gold in task.gold:
            worlds.call(translate(worlds, task, gold["name"]), gold["arguments"])
        _EXPECTED[key] = worlds.changes()
    return _EXPECTED[key]


def translate(worlds: WorldSet, task: Task, tool: str) -> str:
    """A gold call's tool name as offered in ``worlds`` (member tasks inside a domain may be prefixed)."""
    return worlds.public_name(task.env, tool) if task.env in worlds.worlds else tool


@functools.cache
def _catalog(name: str, split: str | None) -> tuple[list[Task], dict[str, Task]]:
    tasks = load_tasks(name, split)
    if not tasks:
        raise ValueError(f"no tasks for '{name}' (split={split!r})")
    return tasks, {t.id: t for t in tasks}


@functools.cache
def _prompt(name: str) -> tuple[list[dict[str, Any]], str, str]:
    """Tool schemas, system prompt, and the system message already encoded as an observation fragment."""
    worlds = world_set(name)(0)
    prompt = system_prompt(worlds)
    return worlds.schemas(), prompt, json.dumps({"role": "system", "content": prompt})


class ToolUseEnv(gym.Env[str, Any]):
    """One EnvFactory environment (or domain) as a Gymnasium env.

    Args:
        name: an environment name (``"TravelBooking"``) or a domain (``"Travel"``).
        split: draw tasks from ``"train"``, ``"test"`` or both (None).
        max_turns: agent actions before the episode is truncated.
        reward_mode: ``"binary"`` (1 on success, else 0) or ``"partial"`` (the partial-credit figure).
        user: a factory ``task -> UserSimulator``; the scripted user by default.
        render_mode: ``"ansi"`` returns the transcript as text.
        tasks: play these tasks instead of the registered task files (e.g. freshly generated ones).
        backend: ``"local"`` runs tool calls in process; ``"mcp"`` sends them through an MCP client session to
            an in-memory server over this env's state (same observations, digests and rewards).
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        name: str,
        split: Literal["train", "test"] | None = None,
        max_turns: int = 30,
        reward_mode: Literal["binary", "partial"] = "binary",
        user: Any = ScriptedUser,
        render_mode: str | None = None,
        tasks: Sequence[Task] | None = None,
        backend: Literal["local", "mcp"] = "local",
    ) -> None:
        if backend not in ("local", "mcp"):
            raise ValueError(f"backend must be 'local' or 'mcp', got {backend!r}")
        if reward_mode not in ("binary", "partial"):
            raise ValueError(f"reward_mode must be 'binary' or 'partial', got {reward_mode!r}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.name = name
        if tasks is None:
            self.tasks, self.task_index = _catalog(name, split)
        else:
            self.tasks = [t for t in tasks if split is None or t.split == split]
            if not self.tasks:
                raise ValueError(f"no tasks given for '{name}' (split={split!r})")
            self.task_index = {t.id: t for t in self.tasks}
        self.max_turns = max_turns
        self.reward_mode = reward_mode
        self.user_factory = user
        self.render_mode = render_mode
        self.worlds: WorldSet = world_set(name)(self.tasks[0].seed)
        self.mcp: McpToolBackend | None = None
        if backend == "mcp":
            from envfactory_gym.mcp_client import McpToolBackend

            self.mcp = McpToolBackend(name, self.worlds)
        self._call = self.worlds.call if self.mcp is None else self.mcp.call
        self.tool_schemas, self.prompt, self._system_json = _prompt(name)
        self.observation_space = DialogueText()
        self.action_space = DialogueText(max_length=4096)
        self.task: Task = self.tasks[0]
        self.messages: list[dict[str, Any]] = []
        self.done = True
        self.turns = 0
        self.progress = 0.0
        self.breakdown: RewardBreakdown | None = None

    # ------------------------------------------------------------------ API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        self._seed_rng(seed)
        task_id = (options or {}).get("task_id")
        if task_id is not None:
            if task_id not in self.task_index:
                raise ValueError(f"unknown task_id {task_id!r} for '{self.name}'")
            self.task = self.task_index[task_id]
        else:
            self.task = self.tasks[int(self.np_random.integers(len(self.tasks)))]
        self.worlds.reset(self.task.seed)
        self.user: UserSimulator = self.user_factory(self.task)
        self.messages = [
            {"role": "system", "content": self.prompt},
            {"role": "user", "content": self.task.request},
        ]
        self.turns = 0
        self.done = False
        self.breakdown = None
        self.progress = 0.0
        observation = f"[{self._system_json}, {json.dumps(self.messages[1])}]"
        return observation, self._info([], [])

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self.done:
            turn = {"role": "tool", "tool_call_id": None, "name": "", "content": "Error: the episode has ended; call reset()."}
            return self._observe([turn]), 0.0, True, False, self._info([turn], [])
        parsed = parse_action(action)
        self.turns += 1
        call_ids = [f"call_{self.turns}_{i}" for i in range(len(parsed.calls))]
        assistant: dict[str, Any] = {"role": "assistant", "content": parsed.content}
        if parsed.calls:
            assistant["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for cid, c in zip(call_ids, parsed.calls)
            ]
        new: list[dict[str, Any]] = []
        terminated = False
        for cid, call in zip(call_ids, parsed.calls):
            new.append({"role": "tool", "tool_call_id": cid, "name": call.name, "content": self._run(call)})
        if not parsed.calls:
            reply, terminated = self.user.reply(parsed.content)
            if reply is not None:
                new.append({"role": "user", "content": reply})
        self.messages.append(assistant)
        self.messages.extend(new)
        if any(self.worlds.writes(c.name) and not m["content"].startswith("Error:") for c, m in zip(parsed.calls, new)):
            self.progress = self.grade().partial
        truncated = not terminated and self.turns >= self.max_turns
        reward = 0.0
        if terminated or truncated:
            self.done = True
            self.breakdown = self.grade()
            reward = float(self.breakdown.success) if self.reward_mode == "binary" else self.breakdown.partial
        return self._observe(new), reward, terminated, truncated, self._info(new, parsed.calls)

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return render_transcript(self.messages)

    # -------------------------------------------------------------- helpers
    def _seed_rng(self, seed: int | None) -> None:
        """``Env.reset(seed=...)`` semantics, restoring a cached generator state instead of re-deriving it."""
        if seed is None or self._np_random is None:
            super().reset(seed=seed)
        elif seed in _RNG_STATES:
            self._np_random.bit_generator.state = _RNG_STATES[seed]
            self._np_random_seed = seed
        else:
            super().reset(seed=seed)
        if seed is not None:
            _RNG_STATES.setdefault(seed, self._np_random.bit_generator.state)

    def _run(self, call: Any) -> str:
        if call.error:
            return f"Error: {call.error}"
        try:
            result = self._call(call.name, call.arguments)
        except ToolError as exc:
            return f"Error: {exc}"
        except Exception as exc:  # a bug in a tool body: reported, state already rolled back
            return f"Error: internal error in tool '{call.name}': {type(exc).__name__}: {exc}"
        text = _encode_result(result)
        if len(text) > MAX_RESULT_CHARS:
            text = text[:MAX_RESULT_CHARS] + " ...(truncated; narrow the query)"
        return text

    def grade(self) -> RewardBreakdown:
        """Grade the current state and the agent's messages against the task."""
        answer = "\n".join(m["content"] for m in self.messages if m["role"] == "assistant" and m["content"])
        return grade(expected_changes(self.name, self.task), self.worlds.changes(), self.task.answer_facts, answer)

    def _observe(self, turns: list[dict[str, Any]]) -> str:
        return _encode_observation(turns)

    def _info(self, new: list[dict[str, Any]], calls: list[Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "task_id": self.task.id,
            "env": self.name,
            "messages": self.messages,
            "new_messages": new,
            "tools": self.tool_schemas,
            "turn": self.turns,
            "calls": [{"name": c.name, "arguments": c.arguments} for c in calls if not c.error],
            "errors": [m["content"] for m in new if m["role"] == "tool" and m["content"].startswith("Error:")],
            "progress": self.progress,
        }
        if self.done and self.breakdown is not None:
            info["reward_info"] = self.breakdown.as_dict()
        return info

    def close(self) -> None:
        if self.mcp is not None:
            self.mcp.close()

    def state_digest(self) -> str:
        return self.worlds.digest()

    def gold_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """The current task's gold calls under this env's tool names."""
        return [(translate(self.worlds, self.task, g["name"]), g["arguments"]) for g in self.task.gold]


def render_transcript(messages: list[dict[str, Any]]) -> str:
    """A readable transcript (the system prompt is abbreviated)."""
    lines = []
    for m in messages:
        role = m["role"]
        if role == "system":
            lines.append("[system] " + m["content"].splitlines()[0])
            continue
        if m.get("content"):
            lines.append(f"[{role}{':' + m['name'] if role == 'tool' else ''}] {m['content']}")
        for c in m.get("tool_calls", ()):
            args = json.dumps(c["function"]["arguments"], ensure_ascii=False, default=str)
            lines.append(f"[assistant -> {c['function']['name']}] {args}")
    return "\n".join(lines) + "\n"
