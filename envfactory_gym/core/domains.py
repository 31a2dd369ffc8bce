"""The suite's seven domains; an environment's domain is the folder of its module (``envs/<domain>/``)."""

from __future__ import annotations

DOMAINS = ("Commerce", "Finance", "Travel", "Office", "Lifestyle", "Academia", "Utilities")


def domain_of(module: str) -> str:
    """The domain of an environment module, from its folder (``envs.office.calendar`` -> ``Office``)."""
    folders = module.split(".")
    return next((d for d in DOMAINS if d.lower() in folders), "")
