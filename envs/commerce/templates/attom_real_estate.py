"""Task templates of AttomRealEstate: requests about an investor's saved property lists, with their gold calls."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.commerce.attom_real_estate import AttomRealEstate


def saved_lists(world: AttomRealEstate) -> list[dict]:
    """The saved lists as get_property_lists shows them (in its order), with their addresses."""
    return world.call("get_property_lists", {})


@scenario
def drop_from_list(world: AttomRealEstate, rng: random.Random) -> Draft | None:
    lists = [(i, plist) for i, plist in enumerate(saved_lists(world)) if plist["addresses"]]
    if not lists:
        return None
    index, plist = rng.choice(lists)
    address = rng.choice(plist["addresses"])
    return Draft(
        request=rng.choice(["Take {a} off my '{n}' list, I'm no longer interested in it.",
                            "Please remove {a} from the saved list '{n}'."]).format(a=address, n=plist["name"]),
        calls=(call("get_property_lists"),
               call("remove_property_from_list", list_id=Ref(0, f"{index}.list_id"), address=address)))


@scenario
def best_valued_on_list(world: AttomRealEstate, rng: random.Random) -> Draft | None:
    lists = [(i, plist) for i, plist in enumerate(saved_lists(world)) if len(plist["addresses"]) >= 2]
    if not lists:
        return None
    _, plist = rng.choice(lists)
    values = {a: world.call("get_property_valuation", {"address": a})["estimated_value"] for a in plist["addresses"]}
    best = max(values, key=values.get)
    if sorted(values.values())[-2] == values[best]:
        return None
    return Draft(
        request=f"Of the homes on my '{plist['name']}' list, which one does ATTOM's AVM value highest, and at how much?",
        calls=(call("get_property_lists"), *(call("get_property_valuation", address=a) for a in plist["addresses"])),
        answer=(best, values[best]))


@scenario
def move_between_lists(world: AttomRealEstate, rng: random.Random) -> Draft | None:
    lists = saved_lists(world)
    source = rng.choice([i for i, plist in enumerate(lists) if plist["addresses"]] or [None])
    if source is None:
        return None
    address = rng.choice(lists[source]["addresses"])
    targets = [i for i, plist in enumerate(lists) if address not in plist["addresses"]]
    if not targets:
        return None
    target = rng.choice(targets)
    return Draft(
        request=f"Move {address} from my '{lists[source]['name']}' list to '{lists[target]['name']}'.",
        calls=(call("get_property_lists"),
               call("remove_property_from_list", list_id=Ref(0, f"{source}.list_id"), address=address),
               call("add_property_to_list", list_id=Ref(0, f"{target}.list_id"), address=address)))
