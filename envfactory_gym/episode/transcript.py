"""Readable transcripts of an episode's messages."""

from __future__ import annotations

import json
from typing import Any


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
