"""Optional paraphrasing of generated requests by a chat model behind any OpenAI-compatible endpoint.

The rewrite is accepted only if it still states every value the template stated (the values the gold calls
depend on) and contains none of the values a user could not know (ids, generated or tool-only values);
otherwise the template's request is kept. Uses the standard library only (``urllib``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

from generators.rendering import find_leaks

PROMPT = """Rewrite the request below the way a real user would type it to an assistant: natural, varied, \
concise. Keep every one of these values exactly as written (same spelling, same digits): {keep}
Do not add any ids, codes, numbers or other values that are not in the request. Reply with the rewritten \
request only.

Request: {request}"""


@dataclass
class LLMRewriter:
    """Paraphrase requests with ``model`` at ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    base_url: str
    model: str
    api_key: str = "EMPTY"
    timeout: float = 60.0
    temperature: float = 0.7

    def __call__(self, request: str, keep: Sequence[str], forbidden: set[str]) -> str | None:
        """The paraphrase, or None when the endpoint fails or the paraphrase drops a value or leaks one."""
        text = self.complete(PROMPT.format(keep="; ".join(f"'{v}'" for v in keep) or "(none)", request=request))
        if text is None:
            return None
        return text if accepted(text, keep, forbidden) else None

    def complete(self, prompt: str) -> str | None:
        text = chat(self.base_url, self.model, prompt, self.api_key, self.timeout, self.temperature)
        text = " ".join(str(text or "").split())
        if len(text) > 1 and text[0] == text[-1] == '"':
            text = text[1:-1]
        return text or None


def chat(base_url: str, model: str, prompt: str, api_key: str = "EMPTY", timeout: float = 60.0,
         temperature: float = 0.7) -> str | None:
    """The reply of a chat model at an OpenAI-compatible ``base_url`` to one user message (None on any failure)."""
    body = json.dumps({"model": model, "temperature": temperature,
                       "messages": [{"role": "user", "content": prompt}]}).encode()
    http = urllib.request.Request(base_url.rstrip("/") + "/chat/completions", data=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            return json.load(response)["choices"][0]["message"]["content"]
    except (urllib.error.URLError, TimeoutError, KeyError, IndexError, TypeError, ValueError):
        return None


def accepted(text: str, keep: Sequence[str], forbidden: set[str]) -> bool:
    """Whether a rewrite keeps every needed value (case-insensitive) and leaks none."""
    lowered = text.lower()
    return 0 < len(text) <= 2000 and all(v.lower() in lowered for v in keep) and not find_leaks(text, forbidden)
