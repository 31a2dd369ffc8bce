"""Behaviour of the AirtableMcpServer environment: typed fields, permissions, formulas, search, errors, rewards."""

from __future__ import annotations

import json
from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "AirtableMcpServer"


def base(world: Any, name: str) -> str:
    return world.value("SELECT base_id FROM bases WHERE name = ?", name)


def test_create_record_validates_types_and_fills_autonumber(env: Any, world: Any) -> None:
    roadmap = base(world, "Product Roadmap")
    args = {"base_id": roadmap, "table_id": "Features"}
    assert fails(env, world, "create_record", {**args, "fields": {"Status": "Done"}}) == (
        "'Done' is not an option of field 'Status'; options: Backlog, In progress, Shipped")
    assert fails(env, world, "create_record", {**args, "fields": {"Estimate (days)": "three"}}) == (
        "field 'Estimate (days)' is a number field and needs a number, got 'three'")
    assert fails(env, world, "create_record", {**args, "fields": {"ID": 7}}) == (
        "field 'ID' cannot accept a value because it is computed (autoNumber)")
    assert fails(env, world, "create_record", {**args, "fields": {"Colour": "red"}}) == (
        "unknown field names: Colour; list_tables shows the table's fields")
    top = world.value("SELECT MAX(json_extract(fields, '$.ID')) FROM records r JOIN tables t USING (table_id)"
                      " WHERE t.name = 'Features'")
    made = world.call("create_record", {**args, "fields": {"Name": "Dark mode", "Estimate (days)": 4.0,
                                                          "Status": "Backlog", "Notes": ""}})
    assert made["fields"] == {"Name": "Dark mode", "Estimate (days)": 4, "Status": "Backlog", "ID": top + 1}
    assert made["createdTime"] == "2026-03-02T09:00:00.000Z"


def test_update_record_merges_and_clears(world: Any) -> None:
    crm = base(world, "Sales CRM")
    deal = world.row("SELECT r.* FROM records r JOIN tables t USING (table_id) WHERE t.name = 'Deals'"
                     " ORDER BY record_id")
    before = json.loads(deal["fields"])
    updated = world.call("update_record", {"base_id": crm, "table_id": "Deals", "record_id": deal["record_id"],
                                           "fields": {"Stage": "Won", "Owner": None}})
    expected = {k: v for k, v in {**before, "Stage": "Won"}.items() if k != "Owner"}
    assert updated["fields"] == expected == json.loads(world.value(
        "SELECT fields FROM records WHERE record_id = ?", deal["record_id"]))


def test_permissions(env: Any, world: Any) -> None:
    directory, events = base(world, "Company Directory"), base(world, "Event Planning")
    assert fails(env, world, "create_record", {"base_id": directory, "table_id": "Employees",
                                               "fields": {"Name": "Ann"}}) == (
        "you have read-only access to base 'Company Directory'; ask its owner for edit access")
    spec = [{"name": "Name", "type": "singleLineText"}]
    assert fails(env, world, "create_table", {"base_id": events, "name": "Sponsors", "fields": spec}) == (
        "creating tables in base 'Event Planning' needs creator access; you have edit access")


def test_create_table_rules_and_result(env: Any, world: Any) -> None:
    roadmap = base(world, "Product Roadmap")
    bad = [{"name": "Done", "type": "checkbox"}]
    assert fails(env, world, "create_table", {"base_id": roadmap, "name": "Bugs", "fields": bad}) == (
        "the primary (first) field cannot be of type checkbox")
    assert fails(env, world, "create_table", {"base_id": roadmap, "name": "features", "fields": [
        {"name": "Name", "type": "singleLineText"}]}) == "a table named 'features' already exists in this base"
    made = world.call("create_table", {"base_id": roadmap, "name": "Bugs", "fields": [
        {"name": "Title", "type": "singleLineText"}, {"name": "Sev", "type": "singleSelect", "choices": ["S1", "S2"]}]})
    assert [(f["name"], f["type"], f["choices"]) for f in made["fields"]] == [
        ("Title", "singleLineText", None), ("Sev", "singleSelect", ["S1", "S2"])]
    assert made["views"][0]["name"] == "Grid view"
    world.call("create_record", {"base_id": roadmap, "table_id": made["id"], "fields": {"Title": "Crash", "Sev": "S1"}})
    assert len(world.call("list_records", {"base_id": roadmap, "table_id": "Bugs"})["records"]) == 1


def test_formula_filters_views_and_paging(env: Any, world: Any) -> None:
    crm = base(world, "Sales CRM")
    rows = [json.loads(r["fields"]) for r in world.rows(
        "SELECT fields FROM records r JOIN tables t USING (table_id) WHERE t.name = 'Deals'")]
    won = world.call("list_records", {"base_id": crm, "table_id": "Deals",
                                      "filter_by_formula": "AND({Stage} = 'Won', {Value} >= 10000)"})["records"]
    assert len(won) == sum(1 for r in rows if r["Stage"] == "Won" and r["Value"] >= 10000)
    view = world.call("list_records", {"base_id": crm, "table_id": "Deals", "view": "Won only"})["records"]
    assert len(view) == sum(1 for r in rows if r["Stage"] == "Won")
    page = world.call("list_records", {"base_id": crm, "table_id": "Deals", "page_size": 5})
    assert len(page["records"]) == 5 and page["offset"] == "itr5"
    assert fails(env, world, "list_records", {"base_id": crm, "table_id": "Deals",
                                              "filter_by_formula": "{Nope} = 1"}) == (
        "invalid filter_by_formula at '{Nope}': compare a known field like {Name} = 'x'")
    assert fails(env, world, "list_records", {"base_id": crm, "table_id": "Deals", "page_size": 101}) == (
        "invalid arguments for 'list_records': page_size must be between 1 and 100")


def test_search_finds_a_record_written_in_the_episode(world: Any) -> None:
    events = base(world, "Event Planning")
    made = world.call("create_record", {"base_id": events, "table_id": "Vendors",
                                        "fields": {"Vendor": "Zyxwv Florals", "Service": "Flowers"}})
    found = world.call("search_records", {"base_id": events, "table_id": "Vendors", "search_term": "zyxwv flo"})
    assert [r["id"] for r in found["records"]] == [made["id"]]
    world.call("delete_record", {"base_id": events, "table_id": "Vendors", "record_id": made["id"]})
    assert world.call("search_records", {"base_id": events, "table_id": "Vendors",
                                         "search_term": "Zyxwv"})["records"] == []


def test_schema_declares_search_and_limits() -> None:
    tools = world_set(ENV)(0).tools
    assert tools["list_records"][1].parameters["properties"]["max_records"]["maximum"] == 1000
    assert world_set(ENV)(0).worlds[ENV].text_search == {"records": ("search_text",)}


def test_gold_earns_one_and_a_wrong_value_zero(env: Any) -> None:
    task = scenario_task(env, "won_deal")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "fields": {"Stage": "Lost"}})]) == 0.0


def test_read_task_needs_the_total(env: Any) -> None:
    task = scenario_task(env, "feature_owner")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="Owner and estimate: " + ", ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, calls, answer="Someone owns it.") == 0.0
