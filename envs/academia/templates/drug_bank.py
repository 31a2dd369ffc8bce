"""Task templates of DrugBank: questions about interactions and changes to the medication list, with gold calls."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.academia.drug_bank import DrugBank

DOSES = ["5 mg once daily", "10 mg at bedtime", "25 mg twice daily", "1 tablet each morning", "200 mg as needed"]


def listed(world: DrugBank) -> list[dict[str, Any]]:
    return world.rows("SELECT d.drugbank_id, d.name FROM medications m JOIN drugs d USING (drugbank_id) ORDER BY name")


def brand_or_name(world: DrugBank, rng: random.Random, drug_id: str, name: str) -> str:
    brands = [r["brand"] for r in world.rows("SELECT brand FROM brands WHERE drugbank_id = ? ORDER BY brand", drug_id)]
    return rng.choice([name, *brands])


def unlisted(world: DrugBank, rng: random.Random, severity: str | None) -> tuple[dict[str, Any], list] | None:
    """An approved drug not on the list, with its interactions against the listed drugs (the highest of them
    ``severity``; None: no interaction at all)."""
    mine = [m["drugbank_id"] for m in listed(world)]
    options = []
    for drug in world.rows("SELECT drugbank_id, name FROM drugs WHERE groups = 'approved' AND drugbank_id NOT IN"
                           " (SELECT drugbank_id FROM medications) ORDER BY drugbank_id"):
        found = [i for i in world._interactions([drug["drugbank_id"], *mine]) if drug["name"] in (i["drug_a"],
                                                                                                  i["drug_b"])]
        if world._highest(found) == (severity or "none") and len(world.search_drugs(drug["name"])["drugs"]) == 1:
            options.append((drug, found))
    return rng.choice(options) if options else None


@scenario
def how_serious_is_it(world: DrugBank, rng: random.Random) -> Draft | None:
    """Several interactions among three drugs; the user asks about one pair."""
    names = [r["name"] for r in world.rows("SELECT name FROM drugs ORDER BY name")]
    for _ in range(200):
        trio = rng.sample(names, 3)
        found = world.check_drug_interactions(trio)["interactions"]
        pairs = [i for i in found if trio[2] in (i["drug_a"], i["drug_b"])]
        if len(found) >= 2 and len(pairs) == 1 and len({i["severity"] for i in found}) >= 2:
            other = pairs[0]["drug_a"] if pairs[0]["drug_b"] == trio[2] else pairs[0]["drug_b"]
            return Draft(
                request=rng.choice([
                    "I take {a} and {b}, and I was just prescribed {c}. Do any of these interact, and how serious is"
                    " the interaction that involves {c}?",
                    "Could you check {a}, {b} and {c} against each other? I mostly care about {c}: what does it"
                    " interact with and how severe is it?"]).format(a=trio[0], b=trio[1], c=trio[2]),
                calls=(call("check_drug_interactions", drugs=trio),),
                answer=(other, pairs[0]["severity"]))
    return None


@scenario
def add_if_safe(world: DrugBank, rng: random.Random) -> Draft | None:
    """Check a new drug against the medication list and add it (no major interaction)."""
    picked = unlisted(world, rng, rng.choice([None, "moderate", "minor"]))
    if picked is None:
        return None
    drug, _ = picked
    dose = rng.choice(DOSES)
    said = brand_or_name(world, rng, drug["drugbank_id"], drug["name"])
    return Draft(
        request=f"My doctor wants me to start {said}, {dose}. Check it against the medicines on my list and, if"
                " nothing major comes up, add it to my list.",
        calls=(call("list_medications"), call("search_drugs", query=said),
               call("check_drug_interactions", drugs=[drug["name"], *(m["name"] for m in listed(world))]),
               call("add_medication", drugbank_id=Ref(1, "drugs.0.drugbank_id"), dosage=dose)))


@scenario
def add_despite_major(world: DrugBank, rng: random.Random) -> Draft | None:
    """The new drug has a major interaction; the user says (when asked) to add it anyway."""
    picked = unlisted(world, rng, "major")
    if picked is None:
        return None
    drug, found = picked
    major = next(i for i in found if i["severity"] == "major")
    return Draft(
        request=f"Please put {drug['name']} on my medication list. If it clashes with something I take, tell me"
                " what and ask me before adding it.",
        calls=(call("search_drugs", query=drug["name"]),
               call("add_medication", drugbank_id=Ref(0, "drugs.0.drugbank_id"), acknowledge_major=True)),
        answer=(major["drug_a"] if major["drug_b"] == drug["name"] else major["drug_b"],),
        ask=(UserFact("add anyway", "yes, add it anyway, my cardiologist knows", ("anyway", "still", "proceed",
                                                                                  "confirm", "add it")),))


@scenario
def switch_medication(world: DrugBank, rng: random.Random) -> Draft | None:
    """Replace a listed drug with another one for the same condition."""
    mine = listed(world)
    old = rng.choice(mine)
    same = world.rows(
        "SELECT DISTINCT d.drugbank_id, d.name FROM indications i JOIN drugs d USING (drugbank_id) WHERE i.condition"
        " IN (SELECT condition FROM indications WHERE drugbank_id = ?) AND d.groups = 'approved' AND"
        " d.drugbank_id NOT IN (SELECT drugbank_id FROM medications) ORDER BY d.name", old["drugbank_id"])
    same = [d for d in same if len(world.search_drugs(d["name"])["drugs"]) == 1 and not any(
        i["severity"] == "major" for i in world._interactions([d["drugbank_id"], *(m["drugbank_id"] for m in mine
                                                                                   if m != old)]))]
    if not same:
        return None
    new, dose = rng.choice(same), rng.choice(DOSES)
    return Draft(
        request=f"My doctor switched me from {old['name']} to {new['name']} ({dose}). Please update my medication"
                " list.",
        calls=(call("list_medications"), call("remove_medication", drugbank_id=Ref(0, "medications", then=lambda
               meds, n=old["name"]: next(m["drugbank_id"] for m in meds if m["name"] == n))),
               call("search_drugs", query=new["name"]),
               call("add_medication", drugbank_id=Ref(2, "drugs.0.drugbank_id"), dosage=dose)))


@scenario
def scanned_box_interactions(world: DrugBank, rng: random.Random) -> Draft | None:
    """A scanned box: which of my medicines does its ingredient interact with, and how badly?"""
    mine = listed(world)
    options = []
    for product in world.rows("SELECT p.barcode, d.name, d.drugbank_id FROM products p JOIN drugs d USING"
                              " (drugbank_id) WHERE d.drugbank_id NOT IN (SELECT drugbank_id FROM medications)"
                              " ORDER BY p.barcode"):
        found = world.check_drug_interactions([product["name"], *(m["name"] for m in mine)])["interactions"]
        hits = [i for i in found if product["name"] in (i["drug_a"], i["drug_b"])]
        if len(hits) == 1 and len(found) >= 2:
            options.append((product, hits[0]))
    if not options:
        return None
    product, hit = rng.choice(options)
    return Draft(
        request=f"I found a box with barcode {product['barcode']} in the cabinet. Does what's in it interact with"
                " any of the medicines on my list? Tell me which one and how serious it is.",
        calls=(call("get_drug_by_barcode", barcode=product["barcode"]), call("list_medications"),
               call("check_drug_interactions", drugs=[product["name"], *(m["name"] for m in mine)])),
        answer=(hit["drug_a"] if hit["drug_b"] == product["name"] else hit["drug_b"], hit["severity"]))
