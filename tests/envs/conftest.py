"""Fixtures of the environment test modules: each module names its environment in a constant ``ENV``."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)


@pytest.fixture
def env(request: pytest.FixtureRequest) -> Any:
    """The module's environment (unwrapped, train and test tasks), reset to one of its seed-0 tasks."""
    environment = gym.make(f"EnvFactory/{request.module.ENV}-v0", split=None).unwrapped
    environment.reset(seed=0, options={"task_id": next(t.id for t in environment.tasks if t.seed == 0)})
    return environment


@pytest.fixture
def world(env: Any, request: pytest.FixtureRequest) -> Any:
    """The module's World inside ``env``."""
    return env.worlds.worlds[request.module.ENV]
