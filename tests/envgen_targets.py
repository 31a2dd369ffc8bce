"""Test-only targets for :func:`generators.environments.sandbox.run_isolated` (never used outside the tests)."""

from __future__ import annotations

from typing import Any


def run_code(payload: dict[str, Any]) -> Any:
    """Execute ``payload["code"]`` (untrusted on purpose: the sandbox must contain it); return its ``result``."""
    scope: dict[str, Any] = {}
    exec(payload["code"], scope)  # noqa: S102 - the point of the test
    return scope.get("result")
