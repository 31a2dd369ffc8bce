"""EnvFactory-Gym: stateful, verifiable tool-use environments for training and evaluating LLM agents.

``import envfactory_gym`` registers every ``EnvFactory/<Name>-v0`` and ``EnvFactory/<Domain>-v0`` id with
Gymnasium; environment modules, Faker and the MCP SDK are imported only when an environment is made or served.
"""

from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, env_id, load_tasks, register_all

__version__ = "0.1.0"
__all__ = ["DOMAINS", "ENVIRONMENTS", "env_id", "load_tasks", "__version__"]

register_all()
