"""User simulators: the scripted one (offline, deterministic) and one backed by an OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import urllib.request
from typing import Protocol

from envfactory_gym.core.tasks import Task

DONE_REPLY = "Thanks, that's all I needed."


class UserSimulator(Protocol):
    def reply(self, message: str) -> tuple[str | None, bool]:
        """Answer the agent's message: (reply text or None, whether the user ends the conversation)."""
        ...


class ScriptedUser:
    """Reveals hidden facts when the agent's message mentions one of their keywords; otherwise ends the chat.

    For a task with no hidden facts, any message to the user ends the episode.
    """

    def __init__(self, task: Task) -> None:
        self.pending = list(task.user_facts)
        self.conversational = bool(task.user_facts)

    def reply(self, message: str) -> tuple[str | None, bool]:
        if not self.conversational:
            return None, True
        text = message.lower()
        asked = [fact for fact in self.pending if any(k in text for k in fact.keywords)]
        if asked:
            self.pending = [fact for fact in self.pending if fact not in asked]
            return " ".join(f"My {fact.name} is {fact.value}." for fact in asked), False
        if "?" in message and self.pending:
            return "I'm not sure what you mean. Could you ask more specifically?", False
        return DONE_REPLY, True


class LLMUser:
    """A user played by a chat model behind any OpenAI-compatible endpoint (e.g. a local vLLM server)."""

    def __init__(self, task: Task, base_url: str, model: str, api_key: str = "EMPTY", timeout: float = 60) -> None:
        facts = "\n".join(f"- {f.name}: {f.value}" for f in task.user_facts) or "- (none)"
        self.history = [
            {
                "role": "system",
                "content": (
                    "You are a user talking to an assistant. Your request was:\n"
                    f"{task.request}\nFacts you know and give only when asked:\n{facts}\n"
                    "Answer briefly. When your request is handled, reply with exactly: DONE"
                ),
            }
        ]
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.api_key, self.timeout = model, api_key, timeout

    def reply(self, message: str) -> tuple[str | None, bool]:
        self.history.append({"role": "user", "content": message})
        body = json.dumps({"model": self.model, "messages": self.history, "temperature": 0}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            text = json.load(response)["choices"][0]["message"]["content"].strip()
        self.history.append({"role": "assistant", "content": text})
        if text.strip().upper().startswith("DONE"):
            return DONE_REPLY, True
        return text, False
