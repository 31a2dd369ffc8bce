"""EnvFactory-Gym: stateful, verifiable tool-use environments for training and evaluating LLM agents.

``import envfactory_gym`` registers every ``EnvFactory/<Name>-v0`` and ``EnvFactory/<Domain>-v0`` id with
Gymnasium; environment modules, Faker and the MCP SDK are imported only when an environment is made or served.
"""

from typing import Any

from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, env_id, load_tasks, register_all, register_path

__version__ = "0.1.0"
__all__ = ["DOMAINS", "ENVIRONMENTS", "env_id", "load_tasks", "register_path", "ToolUseEnv", "wrap_mcp",
           "__version__"]


def __getattr__(name: str) -> Any:
    """``wrap_mcp`` and ``ToolUseEnv`` are imported on first use, so ``import envfactory_gym`` stays light."""
    if name == "wrap_mcp":
        from envfactory_gym.mcp.client import wrap_mcp

        return wrap_mcp
    if name == "ToolUseEnv":
        from envfactory_gym.episode.env import ToolUseEnv

        return ToolUseEnv
    raise AttributeError(f"module 'envfactory_gym' has no attribute {name!r}")


register_all()
