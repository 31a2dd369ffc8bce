"""The suite's catalogue and Gymnasium registration. Cheap: nothing here imports an environment module."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import gymnasium as gym

from envfactory_gym.core.tasks import Task, read_tasks

DOMAINS = ("Commerce", "Finance", "Travel", "Office", "Lifestyle", "Academia", "Utilities")

#: Environment name -> (domain, "module:Class") of its World.
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "Retail": ("Commerce", "envs.commerce.retail:Retail"),
    "StripePaymentServer": ("Finance", "envs.finance.stripe_payment_server:StripePaymentServer"),
    "TravelBooking": ("Travel", "envs.travel.travel_booking:TravelBooking"),
    "HotelBooking": ("Travel", "envs.travel.hotel_booking:HotelBooking"),
    "Calendar": ("Office", "envs.office.calendar:Calendar"),
    "Message": ("Lifestyle", "envs.lifestyle.message:Message"),
    "GitServer": ("Academia", "envs.academia.git_server:GitServer"),
    "Filesystem": ("Utilities", "envs.utilities.filesystem:Filesystem"),
}

#: Domains with cross-environment scenarios: domain -> "module:Class" of its WorldSet subclass.
DOMAIN_SETS: dict[str, str] = {
    "Travel": "envs.travel:Travel",
}

ENVS_ROOT = Path(__file__).resolve().parent.parent / "envs"


def env_id(name: str) -> str:
    return f"EnvFactory/{name}-v0"


def members(name: str) -> tuple[str, ...]:
    """The environments an id-name stands for: itself, or every registered member of a domain."""
    if name in ENVIRONMENTS:
        return (name,)
    if name in DOMAINS:
        return tuple(env for env, (domain, _) in ENVIRONMENTS.items() if domain == name)
    raise KeyError(f"unknown environment or domain '{name}'; known: {', '.join([*ENVIRONMENTS, *DOMAINS])}")


def _load(target: str) -> type:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@functools.cache
def world_set(name: str) -> type:
    """The :class:`~envfactory_gym.core.worldset.WorldSet` class of an environment or domain (imports its modules)."""
    from envfactory_gym.core.worldset import WorldSet

    if name in DOMAIN_SETS:
        return _load(DOMAIN_SETS[name])
    return WorldSet.of(name, tuple(_load(ENVIRONMENTS[m][1]) for m in members(name)))


def task_file(name: str) -> Path:
    """Where the tasks of an environment (or the cross-environment tasks of a domain) are stored."""
    domain = ENVIRONMENTS[name][0] if name in ENVIRONMENTS else name
    return ENVS_ROOT / domain.lower() / "tasks" / f"{name}.jsonl"


@functools.cache
def _tasks(name: str) -> tuple[Task, ...]:
    own = read_tasks(task_file(name)) if name in DOMAIN_SETS or name in ENVIRONMENTS else []
    if name in DOMAINS:
        return tuple(t for m in members(name) for t in read_tasks(task_file(m))) + tuple(own)
    return tuple(own)


def load_tasks(name: str, split: str | None = None) -> list[Task]:
    """The tasks an environment or domain draws from (a domain: its members' and its cross tasks)."""
    members(name)
    return [t for t in _tasks(name) if split is None or t.split == split]


def register_all() -> None:
    for name in [*ENVIRONMENTS, *DOMAINS]:
        if env_id(name) not in gym.registry:
            gym.register(
                id=env_id(name),
                entry_point="envfactory_gym.episode.env:ToolUseEnv",
                kwargs={"name": name},
                disable_env_checker=False,
            )
