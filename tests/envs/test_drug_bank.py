"""Behaviour of the DrugBank environment: the medication list and its interaction rules, look-ups and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.academia.drug_bank import upc
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "DrugBank"


def drug(world: Any, name: str) -> dict[str, Any]:
    return world.row("SELECT * FROM drugs WHERE name = ?", name)


def clear_list(world: Any) -> None:
    for med in world.rows("SELECT drugbank_id FROM medications"):
        world.call("remove_medication", {"drugbank_id": med["drugbank_id"]})


def test_add_medication_warns_and_stores_the_dosage(world: Any) -> None:
    clear_list(world)
    aspirin, ibuprofen = drug(world, "Aspirin"), drug(world, "Ibuprofen")
    first = world.call("add_medication", {"drugbank_id": aspirin["drugbank_id"], "dosage": " 81 mg  daily "})
    assert first["warnings"] == []
    assert world.row("SELECT drugbank_id, dosage FROM medications") == {"drugbank_id": aspirin["drugbank_id"],
                                                                        "dosage": "81 mg daily"}
    second = world.call("add_medication", {"drugbank_id": ibuprofen["drugbank_id"]})
    assert second["warnings"] == [{"drug_a": "Aspirin", "drug_b": "Ibuprofen", "severity": "moderate",
                                   "description": "may reduce the cardioprotective effect of aspirin"}]
    listed = world.call("list_medications", {})
    assert [m["name"] for m in listed["medications"]] == ["Aspirin", "Ibuprofen"]
    assert listed["highest_severity"] == "moderate"


def test_major_interaction_needs_acknowledgement(env: Any, world: Any) -> None:
    clear_list(world)
    world.call("add_medication", {"drugbank_id": drug(world, "Warfarin")["drugbank_id"]})
    aspirin = drug(world, "Aspirin")["drugbank_id"]
    assert fails(env, world, "add_medication", {"drugbank_id": aspirin}) == (
        "Aspirin has a major interaction (Warfarin + Aspirin); ask the user and call again with"
        " acknowledge_major=true to add it anyway")
    added = world.call("add_medication", {"drugbank_id": aspirin, "acknowledge_major": True})
    assert added["warnings"][0]["severity"] == "major"
    assert world.value("SELECT COUNT(*) FROM medications") == 2


def test_add_rules_and_remove(env: Any, world: Any) -> None:
    vioxx = drug(world, "Rofecoxib")["drugbank_id"]
    assert fails(env, world, "add_medication", {"drugbank_id": vioxx}) == (
        "Rofecoxib has been withdrawn from the market and cannot be added")
    mine = world.row("SELECT m.drugbank_id, d.name FROM medications m JOIN drugs d USING (drugbank_id)"
                     " ORDER BY d.name")
    assert fails(env, world, "add_medication", {"drugbank_id": mine["drugbank_id"]}) == (
        f"{mine['name']} is already on your medication list; remove it first to change it")
    count = world.value("SELECT COUNT(*) FROM medications")
    assert world.call("remove_medication", {"drugbank_id": mine["drugbank_id"]}) == {
        "removed": mine["name"], "remaining": count - 1}
    assert world.row("SELECT 1 FROM medications WHERE drugbank_id = ?", mine["drugbank_id"]) is None
    assert fails(env, world, "remove_medication", {"drugbank_id": mine["drugbank_id"]}) == (
        f"{mine['name']} is not on your medication list; list_medications shows it")
    assert fails(env, world, "get_drug_details", {"drugbank_id": "DB99999"}) == (
        "no drug with DrugBank id 'DB99999'; search_drugs finds a drug's id by name or brand")


def test_interactions_by_brand_and_errors(env: Any, world: Any) -> None:
    found = world.call("check_drug_interactions", {"drugs": ["Coumadin", "aspirin", "Tylenol"]})
    assert found["highest_severity"] == "major" and found["interactions"][0]["drug_a"] == "Warfarin"
    assert fails(env, world, "check_drug_interactions", {"drugs": ["Coumadin", "Warfarin"]}) == (
        "name at least two different drugs (a brand and its generic are the same drug)")
    assert fails(env, world, "check_drug_interactions", {"drugs": ["Warfarin", "Unobtainium"]}) == (
        "no drug named 'Unobtainium'; search_drugs finds drugs by partial or misspelled names")


def test_search_barcode_and_condition(env: Any, world: Any) -> None:
    assert world.call("search_drugs", {"query": "metformine"})["drugs"] == []
    assert [d["name"] for d in world.call("search_drugs", {"query": "metformine", "fuzzy": True})["drugs"]] == [
        "Metformin"]
    assert [d["name"] for d in world.call("search_drugs", {"query": "Lipitor"})["drugs"]] == ["Atorvastatin"]
    product = world.row("SELECT * FROM products ORDER BY ndc_code")
    assert product["barcode"] == upc(product["ndc_code"])
    by_code = world.call("get_drug_by_barcode", {"barcode": product["ndc_code"]})
    assert by_code == world.call("get_drug_by_barcode", {"barcode": product["barcode"]})
    assert fails(env, world, "get_drug_by_barcode", {"barcode": "000000000000"}) == (
        "no product with barcode or NDC code '000000000000'; check the digits on the package")
    gout = world.call("search_by_condition", {"condition": "gout"})["drugs"]
    assert [d["name"] for d in gout] == ["Allopurinol"]


def test_schema_shows_the_limits() -> None:
    tools = world_set(ENV)(0).tools
    drugs = tools["check_drug_interactions"][1].parameters["properties"]["drugs"]
    assert (drugs["minItems"], drugs["maxItems"]) == (2, 10)
    assert tools["get_drug_by_barcode"][1].user_known == frozenset({"barcode"})
    limit = tools["search_drugs"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)


def test_switch_task_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = scenario_task(env, "switch_medication")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, calls[:-1]) == 0.0
    assert play(env, task.id, [*calls[:-1], (calls[-1][0], {**calls[-1][1], "dosage": "999 mg"})]) == 0.0


def test_interaction_question_needs_the_committed_answer(env: Any) -> None:
    task = scenario_task(env, "how_serious_is_it")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It interacts with " + " and is ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="Severities: minor, moderate and major.") == 0.0
