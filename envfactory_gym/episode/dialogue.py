"""The one step loop of every env in the suite: an action becomes an assistant turn, its tool calls become tool
turns, a message without a call goes to the user. Subclasses say how a call runs, how the user replies and what
the episode earns; :class:`~envfactory_gym.episode.env.ToolUseEnv` and :class:`~envfactory_gym.mcp.client.McpEnv`
are the two."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import gymnasium as gym

from envfactory_gym.core.tools import ToolError
from envfactory_gym.episode.actions import ParsedCall, parse_action
from envfactory_gym.episode.prompt import clip
from envfactory_gym.episode.spaces import ActionSpace, DialogueText
from envfactory_gym.episode.transcript import render_transcript

#: The error turn of an action with neither a tool call nor text for the user (empty, ``[]``, only a think block).
EMPTY_ACTION = "Error: the action holds no tool call and no message; call a tool or reply to the user."

# Built once: json.dumps with non-default options builds a new encoder on every call.
encode_observation = json.JSONEncoder(default=str).encode


class DialogueEnv(gym.Env[str, Any]):
    """Observations are JSON lists of new turns; actions are tool calls or a message (see
    :func:`~envfactory_gym.episode.actions.parse_action`)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(self, max_turns: int, render_mode: str | None) -> None:
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be a positive integer, got {max_turns!r}")
        self.max_turns = max_turns
        self.render_mode = render_mode
        self.observation_space = DialogueText()
        self.action_space = ActionSpace(max_length=4096)
        self.messages: list[dict[str, Any]] = []
        self.turns = 0
        self.done = True

    # ------------------------------------------------------------ subclass hooks
    def execute(self, call: ParsedCall) -> str:
        """Run one well-formed call and return the text the agent reads; :class:`ToolError` for a refusal."""
        raise NotImplementedError

    def user_reply(self, content: str) -> tuple[str | None, bool]:
        """The user's answer to a message without a tool call, and whether the conversation ends."""
        return None, True

    def after_calls(self, calls: list[ParsedCall], turns: list[dict[str, Any]]) -> None:
        """Called after the tool turns of an action (per-step bookkeeping)."""

    def final_reward(self) -> float:
        """The reward when the episode ends."""
        return 0.0

    def extra_info(self) -> dict[str, Any]:
        return {}

    # ----------------------------------------------------------------- the loop
    def start(self, request: str, prompt: str, system_json: str | None = None) -> str:
        """Open an episode with the system prompt and the user's first turn; returns the first observation
        (``system_json``: the system message already encoded, which a long tool list makes worth reusing)."""
        self.messages = [{"role": "system", "content": prompt}, {"role": "user", "content": request}]
        self.turns = 0
        self.done = False
        if system_json is None:
            return encode_observation(self.messages)
        return f"[{system_json}, {encode_observation(self.messages[1])}]"

    def step(self, action: Any) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self.done:
            turn = {"role": "tool", "tool_call_id": None, "name": "",
                    "content": "Error: the episode has ended; call reset()."}
            return encode_observation([turn]), 0.0, True, False, self.info([turn], [])
        parsed = parse_action(action)
        self.turns += 1
        call_ids = [f"call_{self.turns}_{i}" for i in range(len(parsed.calls))]
        assistant: dict[str, Any] = {"role": "assistant", "content": parsed.content}
        if parsed.calls:
            assistant["tool_calls"] = [
                {"id": cid, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for cid, c in zip(call_ids, parsed.calls)
            ]
        new = [{"role": "tool", "tool_call_id": cid, "name": call.name, "content": self._run(call)}
               for cid, call in zip(call_ids, parsed.calls)]
        terminated = False
        if not parsed.calls and not parsed.content.strip():
            new.append({"role": "tool", "tool_call_id": None, "name": "", "content": EMPTY_ACTION})
        elif not parsed.calls:
            reply, terminated = self.user_reply(parsed.content)
            if reply is not None:
                new.append({"role": "user", "content": reply})
        self.messages.append(assistant)
        self.messages.extend(new)
        self.after_calls(parsed.calls, new)
        truncated = not terminated and self.turns >= self.max_turns
        reward = 0.0
        if terminated or truncated:
            self.done = True
            reward = self.final_reward()
        return encode_observation(new), reward, terminated, truncated, self.info(new, parsed.calls)

    def _run(self, call: ParsedCall) -> str:
        if call.error:
            return f"Error: {call.error}"
        try:
            return clip(self.execute(call))
        except ToolError as exc:
            return f"Error: {exc}"
        except Exception as exc:  # a bug in a tool body: reported, state already rolled back
            return f"Error: internal error in tool '{call.name}': {type(exc).__name__}: {exc}"

    def info(self, new: list[dict[str, Any]], calls: list[ParsedCall]) -> dict[str, Any]:
        return {
            **self.extra_info(),
            "messages": self.messages,
            "new_messages": new,
            "tools": self.tool_schemas,
            "turn": self.turns,
            "calls": [{"name": c.name, "arguments": c.arguments} for c in calls if not c.error],
            "errors": [m["content"] for m in new if m["role"] == "tool" and m["content"].startswith("Error:")],
        }

    def render(self) -> str | None:
        return render_transcript(self.messages) if self.render_mode == "ansi" else None
