"""Task templates of HugeiconsServer: a designer curating icon collections."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.utilities.hugeicons_server import FAVOURITES, HugeiconsServer


def saved(world: HugeiconsServer, collection: str | None = None) -> list[dict[str, Any]]:
    """Saved icons (of one collection, or all), in a stable order."""
    return world.rows("SELECT * FROM saved_icons WHERE ?1 IS NULL OR collection_name = ?1"
                      " ORDER BY collection_name, icon_name", collection)


def own_collections(world: HugeiconsServer) -> list[str]:
    return [r["collection_name"] for r in world.rows("SELECT collection_name FROM collections WHERE built_in = 0"
                                                     " ORDER BY collection_name")]


def styles_of(world: HugeiconsServer, icon: str) -> list[str]:
    pro = world.value("SELECT plan FROM account") == "pro"
    return [r["style"] for r in world.rows("SELECT style FROM glyphs WHERE icon_name = ? ORDER BY style", icon)
            if pro or r["style"] == "stroke"]


def style_of(saved_style: str) -> Any:
    """A transform from get_collection's icons to the style one icon was saved in (for Ref)."""
    return lambda icons: next(i["style"] for i in icons if i["icon_name"] == saved_style)


def absent(world: HugeiconsServer, rng: random.Random, collection: str) -> dict[str, Any]:
    """An icon not yet in the collection."""
    have = {r["icon_name"] for r in saved(world, collection)}
    return rng.choice([r for r in world.rows("SELECT * FROM icons ORDER BY icon_name") if r["icon_name"] not in have])


@scenario
def star_an_icon(world: HugeiconsServer, rng: random.Random) -> Draft:
    icon = absent(world, rng, FAVOURITES)
    style = rng.choice(styles_of(world, icon["icon_name"]))
    return Draft(request=f"Star the {icon['icon_name']} icon for me in the {style} style, and tell me its code point.",
                 calls=(call("add_icon_to_collection", collection_name=FAVOURITES, icon_name=icon["icon_name"],
                             style=style),
                        call("get_icon_glyph_by_style", icon_name=icon["icon_name"], style=style)),
                 answer=(world.value("SELECT unicode FROM glyphs WHERE icon_name = ? AND style = ?",
                                     icon["icon_name"], style),))


@scenario
def unstar_an_icon(world: HugeiconsServer, rng: random.Random) -> Draft:
    icon = rng.choice(saved(world, FAVOURITES))
    return Draft(request=f"Unstar {icon['icon_name']}; I don't use it any more.",
                 calls=(call("remove_icon_from_collection", collection_name=FAVOURITES, icon_name=icon["icon_name"]),))


@scenario
def move_between_collections(world: HugeiconsServer, rng: random.Random) -> Draft | None:
    source, target = rng.sample(own_collections(world), 2)
    moving = [r for r in saved(world, source) if r["icon_name"] not in {x["icon_name"] for x in saved(world, target)}]
    if not moving:
        return None
    icon = rng.choice(moving)["icon_name"]
    return Draft(request=f"Move {icon} from my '{source}' collection to '{target}', in the same style it has now.",
                 calls=(call("get_collection", collection_name=source),
                        call("remove_icon_from_collection", collection_name=source, icon_name=icon),
                        call("add_icon_to_collection", collection_name=target, icon_name=icon,
                             style=Ref(0, "icons", then=style_of(icon)))))


@scenario
def restyle_saved_icon(world: HugeiconsServer, rng: random.Random) -> Draft | None:
    entry = rng.choice(saved(world))
    others = [s for s in styles_of(world, entry["icon_name"]) if s != entry["saved_style"]]
    if not others:
        return None
    style = rng.choice(others)
    return Draft(request=f"In my '{entry['collection_name']}' collection, switch {entry['icon_name']} to the {style}"
                         " style.",
                 calls=(call("remove_icon_from_collection", collection_name=entry["collection_name"],
                             icon_name=entry["icon_name"]),
                        call("add_icon_to_collection", collection_name=entry["collection_name"],
                             icon_name=entry["icon_name"], style=style)))


@scenario
def retire_a_collection(world: HugeiconsServer, rng: random.Random) -> Draft | None:
    name = rng.choice(own_collections(world))
    keep = [r for r in saved(world, name)
            if r["icon_name"] not in {x["icon_name"] for x in saved(world, FAVOURITES)}][:2]
    if not keep:
        return None
    return Draft(request=f"I'm done with the '{name}' collection: delete it, but first star "
                         f"{' and '.join(r['icon_name'] for r in keep)} from it, in the style they're saved in there.",
                 calls=(call("get_collection", collection_name=name),
                        *(call("add_icon_to_collection", collection_name=FAVOURITES, icon_name=r["icon_name"],
                               style=Ref(0, "icons", then=style_of(r["icon_name"]))) for r in keep),
                        call("delete_collection", collection_name=name)))


@scenario
def new_collection_from_search(world: HugeiconsServer, rng: random.Random) -> Draft | None:
    subject = rng.choice(world.rows("SELECT title FROM icons WHERE title LIKE '% 2' ORDER BY title"))["title"][:-2]
    icons = world.call("search_icons", {"query": subject.lower()})["icons"]
    if len(icons) < 2:
        return None
    name = rng.choice(["Sprint board", "Client pitch", "Side project", "Email templates", "Help center"])
    return Draft(request=f"Create a collection '{name}' and put the first two {subject.lower()} icons of the library in"
                         " it (stroke style).",
                 calls=(call("create_collection", collection_name=name),
                        call("search_icons", query=subject.lower()),
                        call("add_icon_to_collection", collection_name=name, icon_name=Ref(1, "icons.0.icon_name")),
                        call("add_icon_to_collection", collection_name=name, icon_name=Ref(1, "icons.1.icon_name"))))


@scenario
def save_to_asked_collection(world: HugeiconsServer, rng: random.Random) -> Draft:
    name = rng.choice(own_collections(world))
    icon = absent(world, rng, name)
    return Draft(request=f"Save {icon['icon_name']} (stroke) to one of my collections; I'll tell you which.",
                 calls=(call("add_icon_to_collection", collection_name=name, icon_name=icon["icon_name"]),),
                 ask=(UserFact("collection", name, ("collection", "which")),))


@scenario
def styles_in_a_collection(world: HugeiconsServer, rng: random.Random) -> Draft | None:
    name = rng.choice(own_collections(world))
    icons = saved(world, name)
    if not 2 <= len(icons) <= 8:
        return None
    entry = rng.choice(icons)
    return Draft(request=f"Which style is {entry['icon_name']} saved in, in my '{name}' collection?",
                 calls=(call("get_collection", collection_name=name),), answer=(entry["saved_style"],))
