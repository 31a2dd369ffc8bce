"""Parsing agent actions: call dicts, lists of them, OpenAI assistant messages, or raw Qwen3/Hermes text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_THINK = re.compile(r"<think>.*?(?:</think>|$)\s*|^.*?</think>\s*", re.DOTALL)
_OPEN, _CLOSE = "<tool_call>", "</tool_call>"


@dataclass
class ParsedCall:
    name: str
    arguments: Any
    error: str | None = None


@dataclass
class ParsedAction:
    """An action normalized into the text said to the user and the tool calls (some possibly malformed)."""

    content: str = ""
    calls: list[ParsedCall] = field(default_factory=list)


def parse_action(action: Any) -> ParsedAction:
    """Normalize any accepted action form; never raises (problems become malformed calls)."""
    if isinstance(action, str):
        return _parse_text(action)
    if isinstance(action, dict):
        if "tool_calls" in action or action.get("role") == "assistant":
            content = action.get("content") or ""
            parsed = _parse_text(content) if isinstance(content, str) else ParsedAction()
            tool_calls = action.get("tool_calls") or []
            if not isinstance(tool_calls, list):
                parsed.calls.append(ParsedCall("", tool_calls, "'tool_calls' must be a list of calls"))
                return parsed
            for item in tool_calls:
                function = item.get("function", item) if isinstance(item, dict) else item
                parsed.calls.append(_call_from_object(function))
            return parsed
        return ParsedAction(calls=[_call_from_object(action)])
    if isinstance(action, list | tuple):
        return ParsedAction(calls=[_call_from_object(item) for item in action])
    return ParsedAction(calls=[ParsedCall("", None, f"unsupported action type {type(action).__name__}")])


def _parse_text(text: str) -> ParsedAction:
    if "think>" in text:
        text = _THINK.sub("", text)
    if _OPEN not in text:
        return ParsedAction(content=text.strip())
    calls, content, end = [], [], 0
    start = text.find(_OPEN)
    while start != -1:  # each <tool_call> block runs to its </tool_call> or to the end of the text
        content.append(text[end:start])
        close = text.find(_CLOSE, start)
        end = len(text) if close == -1 else close + len(_CLOSE)
        calls.append(_call_from_json(text[start + len(_OPEN) : len(text) if close == -1 else close]))
        start = text.find(_OPEN, end)
    content.append(text[end:])
    return ParsedAction(content="".join(content).strip(), calls=calls)


def _call_from_json(body: str) -> ParsedCall:
    try:
        data = json.loads(body)
    except ValueError as exc:
        return ParsedCall("", body.strip(), f"the tool call is not valid JSON ({exc})")
    return _call_from_object(data)


def _call_from_object(data: Any) -> ParsedCall:
    if not isinstance(data, dict):
        return ParsedCall("", data, 'a tool call must be a JSON object {"name": ..., "arguments": {...}}')
    name = data.get("name")
    arguments = data.get("arguments", data.get("parameters", {}))
    if not isinstance(name, str) or not name:
        return ParsedCall("", arguments, "the tool call has no 'name'")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            return ParsedCall(name, arguments, f"the arguments of '{name}' are not valid JSON ({exc})")
    if arguments is None:
        arguments = {}
    return ParsedCall(name, arguments)
