"""The suite's catalogue and Gymnasium registration, by discovery.

Every ``class Name(World)`` in a module of ``envs/<domain>/`` is the environment ``EnvFactory/<Name>-v0`` of that
domain; every domain is ``EnvFactory/<Domain>-v0`` over its members. Discovery reads the module files as text
(no environment module is imported until an environment is made). Task templates live beside the environments,
in ``envs/<domain>/templates/<module>.py`` (cross-environment ones of a domain in ``templates/cross.py``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym

from envfactory_gym.core.domains import DOMAINS
from envfactory_gym.core.tasks import Task, read_tasks

ENVS_ROOT = Path(__file__).resolve().parent.parent / "envs"
#: ``class Name(World)`` at the start of a line of an environment module.
WORLD_CLASS = re.compile(r"^class (\w+)\((?:[\w.]+\.)?World\):", re.MULTILINE)
CROSS_TEMPLATES = "cross"

#: Environment name -> (domain, "module:Class") of its World (filled by :func:`register_all`); environments of
#: a directory added with :func:`register_path` have "path/to/module.py:Class".
ENVIRONMENTS: dict[str, tuple[str, str]] = {}
#: Directories laid out like ``envs/`` (``<domain>/<module>.py``, ``<domain>/tasks/<Name>.jsonl``) whose
#: environments register too: :func:`register_path`, and the ``ENVFACTORY_PATH`` environment variable.
EXTRA_ROOTS: list[Path] = []


def discover(root: Path = ENVS_ROOT) -> dict[str, tuple[str, str]]:
    """Environment name -> (domain, target) for every World subclass under ``root/<domain>/``."""
    found: dict[str, tuple[str, str]] = {}
    for domain in DOMAINS:
        for path in sorted((root / domain.lower()).glob("*.py")):
            for name in WORLD_CLASS.findall(path.read_text(encoding="utf-8")):
                module = f"{root.name}.{domain.lower()}.{path.stem}" if root == ENVS_ROOT else str(path.resolve())
                target = f"{module}:{name}"
                if name in found:
                    raise ValueError(f"environment '{name}' is defined twice: {found[name][1]} and {target}")
                found[name] = (domain, target)
    return found


def register_path(directory: str | Path) -> list[str]:
    """Register the environments of a directory laid out like ``envs/`` (e.g. the output of ``envfactory generate
    env --out DIR``) without touching the package; returns their names."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no such directory: {root}")
    if root not in EXTRA_ROOTS:
        EXTRA_ROOTS.append(root)
    register_all()
    return list(discover(root))


def cross_domains() -> tuple[str, ...]:
    """Domains with cross-environment tasks or templates of their own."""
    return tuple(d for d in DOMAINS if task_file(d).exists()
                 or (ENVS_ROOT / d.lower() / "templates" / f"{CROSS_TEMPLATES}.py").exists())


def env_id(name: str) -> str:
    return f"EnvFactory/{name}-v0"


def members(name: str) -> tuple[str, ...]:
    """The environments an id-name stands for: itself, or every registered member of a domain."""
    if name in ENVIRONMENTS:
        return (name,)
    if name in DOMAINS:
        return tuple(env for env, (domain, _) in ENVIRONMENTS.items() if domain == name)
    raise KeyError(f"unknown environment or domain '{name}'; known: {', '.join([*ENVIRONMENTS, *DOMAINS])}")


def unknown_names(names: list[str]) -> tuple[list[str], str | None]:
    """The names as environment or domain names (a Gymnasium id such as ``EnvFactory/Calendar-v0`` stripped to
    ``Calendar``), and a command's usage error naming those that name neither (None when all are known)."""
    stripped = [n.removeprefix("EnvFactory/").removesuffix("-v0") for n in names]
    unknown = [n for n in stripped if n not in ENVIRONMENTS and n not in DOMAINS]
    if not unknown:
        return stripped, None
    return stripped, (f"unknown environment or domain: {', '.join(unknown)}; known: "
                      f"{', '.join([*ENVIRONMENTS, *DOMAINS])}")


def _load(target: str) -> type:
    module, _, attr = target.rpartition(":")
    if not module.endswith(".py"):
        return getattr(importlib.import_module(module), attr)
    key = "envfactory_external_" + hashlib.blake2b(module.encode(), digest_size=6).hexdigest()
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, module)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[key] = loaded
        spec.loader.exec_module(loaded)
    return getattr(sys.modules[key], attr)


@functools.cache
def world_set(name: str) -> type:
    """The :class:`~envfactory_gym.core.worldset.WorldSet` class of an environment or domain (imports its modules)."""
    from envfactory_gym.core.worldset import WorldSet

    return WorldSet.of(name, tuple(_load(ENVIRONMENTS[m][1]) for m in members(name)))


def templates(name: str) -> dict[str, Any]:
    """The task templates of an environment, or the cross-environment templates of a domain (may be none)."""
    from envfactory_gym.core.tasks import load_templates

    if name in ENVIRONMENTS:
        domain, target = ENVIRONMENTS[name]
        if target.rpartition(":")[0].endswith(".py"):
            return {}  # environments of a registered directory have no templates
        module = target.partition(":")[0].rsplit(".", 1)[1]
    else:
        members(name)
        domain, module = name, CROSS_TEMPLATES
    return load_templates(f"{ENVS_ROOT.name}.{domain.lower()}.templates.{module}")


def task_file(name: str) -> Path:
    """Where the tasks of an environment (or the cross-environment tasks of a domain) are stored."""
    if name in ENVIRONMENTS:
        domain, target = ENVIRONMENTS[name]
        module = target.rpartition(":")[0]
        if module.endswith(".py"):
            return Path(module).parent / "tasks" / f"{name}.jsonl"
        return ENVS_ROOT / domain.lower() / "tasks" / f"{name}.jsonl"
    return ENVS_ROOT / name.lower() / "tasks" / f"{name}.jsonl"


@functools.cache
def _tasks(name: str) -> tuple[Task, ...]:
    own = read_tasks(task_file(name))
    if name in DOMAINS:
        return tuple(t for m in members(name) for t in read_tasks(task_file(m))) + tuple(own)
    return tuple(own)


def load_tasks(name: str, split: str | None = None) -> list[Task]:
    """The tasks an environment or domain draws from (a domain: its members' and its cross tasks)."""
    members(name)
    return [t for t in _tasks(name) if split is None or t.split == split]


def register_all() -> None:
    """Discover the environments under ``envs/`` and register every environment and domain id (again after a
    module was added or removed: ids of environments that are gone are dropped)."""
    ENVIRONMENTS.clear()
    ENVIRONMENTS.update(discover())
    roots = [*(Path(p).resolve() for p in os.environ.get("ENVFACTORY_PATH", "").split(os.pathsep) if p), *EXTRA_ROOTS]
    for root in dict.fromkeys(roots):
        for name, entry in discover(root).items():
            if name in ENVIRONMENTS:
                raise ValueError(f"environment '{name}' of {root} is already registered from {ENVIRONMENTS[name][1]}")
            ENVIRONMENTS[name] = entry
    world_set.cache_clear()
    _tasks.cache_clear()
    ids = {env_id(name) for name in [*ENVIRONMENTS, *DOMAINS]}
    for gone in [i for i in gym.registry if i.startswith("EnvFactory/") and i not in ids]:
        del gym.registry[gone]
    for name in [*ENVIRONMENTS, *DOMAINS]:
        if env_id(name) not in gym.registry:
            gym.register(
                id=env_id(name),
                entry_point="envfactory_gym.episode.env:ToolUseEnv",
                kwargs={"name": name},
                # Gymnasium's passive checker is poisoned for good by one reset that raises (a typo in a
                # task_id); `envfactory verify` runs Gymnasium's full check_env on every id instead.
                disable_env_checker=True,
            )
