"""LLM mode of the environment generator: a chat model behind any OpenAI-compatible endpoint rewrites the offline
module with richer tool logic, data and phrases. Every draft goes through the same gate (static sandbox check,
then the executed checks in a sandboxed child); a failed gate's messages are fed back for the next round, and a
module is only accepted when it passes. The model's code is never imported in this process."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generators.environments.gate import GateReport, gate
from generators.environments.spec import ApiSpec
from generators.llm import chat

PROMPT = """You write EnvFactory-Gym environments: Python modules with one World subclass whose tools model a real \
service over an in-memory SQLite state. Improve the module below for the service described by this API \
specification: richer tool logic (the service's real rules, with ToolError messages that say what is wrong and \
what to do), more realistic seeded data, better phrases. Keep the class name {name}, every tool name, parameter \
and declared return type. Import only what the module already imports; no files, network, clock, exec or eval.

API specification (JSON):
{spec}

Current module:
```python
{source}
```
{feedback}
Reply with the complete new module in one ```python block."""

FEEDBACK = """
Your previous draft failed the gate; fix every one of these problems:
{failures}
"""
CODE_BLOCK = re.compile(r"```(?:python|py)?\n(.*?)```", re.S)


@dataclass
class Reviser:
    """Revision rounds against ``model`` at ``base_url``."""

    base_url: str
    model: str
    api_key: str = "EMPTY"
    timeout: float = 300.0

    def revise(self, spec: ApiSpec, source: str, report: GateReport, rounds: int, tasks: int = 30,
               seed: int = 0) -> tuple[str, GateReport] | None:
        """The first model draft that passes the gate (with its report), or None when no round produced one."""
        failures: list[str] = []
        for _ in range(rounds):
            feedback = FEEDBACK.format(failures="\n".join(f"- {f}" for f in failures[:40])) if failures else ""
            reply = chat(self.base_url, self.model, PROMPT.format(
                name=spec.name, spec=spec.model_dump_json(exclude_defaults=True), source=source, feedback=feedback),
                self.api_key, self.timeout, temperature=0.2)
            found = CODE_BLOCK.search(reply or "")
            if found is None:
                failures = ["the reply held no ```python block with the complete module"]
                continue
            draft = gate(found.group(1), spec.name, tasks, seed=seed)
            if draft.passed:
                return found.group(1), draft
            failures = draft.failures() or [f"{c.name}: {c.detail}" for c in draft.checks if not c.passed]
        return None
