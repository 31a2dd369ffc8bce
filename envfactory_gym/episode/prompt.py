"""What the agent reads first: the system prompt with the tool schemas, and how tool results are encoded."""

from __future__ import annotations

import json

from envfactory_gym.core.worldset import WorldSet

#: Longest tool result shown to the agent; longer ones are cut with a hint to narrow the query.
MAX_RESULT_CHARS = 16_000

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


def tool_prompt(schemas: list[dict]) -> str:
    """The tool section of a system prompt (Qwen3/Hermes format), one JSON schema per line."""
    return TOOL_PROMPT.format(tools="\n".join(json.dumps(schema, ensure_ascii=False) for schema in schemas))


def system_prompt(worlds: WorldSet) -> str:
    now = min(cls.start_time for cls in worlds.members).strftime("%Y-%m-%d %H:%M")
    return SYSTEM_PROMPT.format(environments=worlds.describe(), now=now, tool_prompt=tool_prompt(worlds.schemas()))


def clip(text: str) -> str:
    """A tool result as shown to the agent: cut at :data:`MAX_RESULT_CHARS`."""
    if len(text) > MAX_RESULT_CHARS:
        return text[:MAX_RESULT_CHARS] + " ...(truncated; narrow the query)"
    return text
