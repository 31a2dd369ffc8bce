"""Behaviour of the MemoryKnowledgeGraph environment: entities, observations, active-voice relations, exact errors
and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "MemoryKnowledgeGraph"


def a_person(world: Any) -> str:
    return world.value("SELECT name FROM entities WHERE entityType = 'person' AND name != 'default_user'"
                       " ORDER BY name")


def employer(world: Any, name: str) -> str:
    return world.value("SELECT target FROM relations WHERE source = ? AND relationType = 'works_at'", name)


def notes(world: Any, name: str) -> list[str]:
    return [r["content"] for r in world.rows("SELECT content FROM observations WHERE entityName = ? ORDER BY rowid",
                                             name)]


def test_create_entities_adds_new_and_skips_existing(env: Any, world: Any) -> None:
    known = a_person(world)
    before = notes(world, known)
    result = world.call("create_entities", {"entities": [
        {"name": "Ines Carvalho", "entityType": "person", "observations": ["works as a nurse", "works as a nurse"]},
        {"name": known, "entityType": "person", "observations": ["likes jazz"]}]})
    assert result == {"created": [{"name": "Ines Carvalho", "entityType": "person",
                                   "observations": ["works as a nurse"]}], "skipped": [known]}
    assert world.row("SELECT * FROM entities WHERE name = 'Ines Carvalho'") == {"name": "Ines Carvalho",
                                                                               "entityType": "person"}
    assert notes(world, "Ines Carvalho") == ["works as a nurse"]
    assert notes(world, known) == before


def test_create_relations_needs_existing_entities_and_active_voice(env: Any, world: Any) -> None:
    person = a_person(world)
    org = employer(world, person)
    assert fails(env, world, "create_relations", {"relations": [
        {"from": org, "to": person, "relationType": "employed_by"}]}) == (
        "relation type 'employed_by' is in passive voice; relations are stored in active voice: swap from and to "
        "and use the active verb (e.g. 'employs' instead of 'employed_by')")
    assert fails(env, world, "create_relations", {"relations": [
        {"from": person, "to": "Nobody Known", "relationType": "knows"}]}) == (
        "no entity named 'Nobody Known' in the graph (names are exact and case-sensitive)")
    assert fails(env, world, "create_relations", {"relations": [
        {"from": person, "to": person, "relationType": "knows"}]}) == (
        f"a relation needs two different entities; '{person}' cannot knows itself")
    result = world.call("create_relations", {"relations": [
        {"from": org, "to": person, "relationType": "employs"},
        {"from": person, "to": org, "relationType": "works_at"}]})
    assert result == {"created": [{"from": org, "to": person, "relationType": "employs"}],
                      "skipped": [{"from": person, "to": org, "relationType": "works_at"}]}
    assert world.row("SELECT * FROM relations WHERE source = ? AND relationType = 'employs'", org) == {
        "source": org, "target": person, "relationType": "employs"}


def test_add_and_delete_observations(env: Any, world: Any) -> None:
    person = a_person(world)
    before = notes(world, person)
    result = world.call("add_observations", {"observations": [
        {"entityName": person, "contents": ["just adopted a rescue dog", before[0]]}]})
    assert result == {"added": [{"entityName": person, "addedObservations": ["just adopted a rescue dog"]}]}
    assert notes(world, person) == [*before, "just adopted a rescue dog"]
    assert fails(env, world, "add_observations", {"observations": [
        {"entityName": "nobody", "contents": ["x"]}]}) == (
        "no entity named 'nobody' in the graph (names are exact and case-sensitive); search_nodes finds entities "
        "by part of their name")
    removed = world.call("delete_observations", {"deletions": [{"entityName": person, "observations": [before[0]]}]})
    assert removed == [{"entityName": person, "remaining": [*before[1:], "just adopted a rescue dog"]}]
    assert fails(env, world, "delete_observations", {"deletions": [
        {"entityName": person, "observations": [before[0]]}]}) == (
        f"'{person}' has no observation {before[0]!r}; open_nodes shows its observations word for word")


def test_observation_limit_per_entity(env: Any, world: Any) -> None:
    person = a_person(world)
    room = 40 - len(notes(world, person))
    world.call("add_observations", {"observations": [
        {"entityName": person, "contents": [f"fact {i}" for i in range(room)][:20]}]})
    if room > 20:
        world.call("add_observations", {"observations": [
            {"entityName": person, "contents": [f"fact {i}" for i in range(20, room)]}]})
    assert fails(env, world, "add_observations", {"observations": [
        {"entityName": person, "contents": ["one too many"]}]}) == (
        f"'{person}' would have more than 40 observations; delete outdated ones with delete_observations first")


def test_delete_entities_cascades_to_relations(env: Any, world: Any) -> None:
    person = a_person(world)
    touching = world.value("SELECT COUNT(*) FROM relations WHERE source = ?1 OR target = ?1", person)
    assert world.call("delete_entities", {"entityNames": [person]}) == {"deleted": [person],
                                                                         "relationsRemoved": touching}
    assert world.value("SELECT COUNT(*) FROM relations WHERE source = ?1 OR target = ?1", person) == 0
    assert notes(world, person) == [] and world.row("SELECT * FROM entities WHERE name = ?", person) is None
    assert fails(env, world, "delete_entities", {"entityNames": [person]}).startswith(f"no entity named '{person}'")


def test_delete_relations_removes_exactly_the_given_one(env: Any, world: Any) -> None:
    person = a_person(world)
    org = employer(world, person)
    relation = {"from": person, "to": org, "relationType": "works_at"}
    assert world.call("delete_relations", {"relations": [relation]}) == {"deleted": [relation]}
    assert employer(world, person) is None
    assert fails(env, world, "delete_relations", {"relations": [relation]}) == (
        f"there is no relation '{person}' works_at '{org}'; open_nodes on either entity lists its relations")


def test_open_nodes_lists_relations_touching_and_search_among_matches(world: Any) -> None:
    person = a_person(world)
    opened = world.call("open_nodes", {"names": [person]})
    expected = world.value("SELECT COUNT(*) FROM relations WHERE source = ?1 OR target = ?1", person)
    assert [e["name"] for e in opened["entities"]] == [person] and len(opened["relations"]) == expected
    found = world.call("search_nodes", {"query": person.upper()})
    assert [e["name"] for e in found["entities"]] == [person] and found["relations"] == []
    graph = world.call("read_graph", {})
    assert len(graph["entities"]) == world.value("SELECT COUNT(*) FROM entities")
    assert len(graph["relations"]) == world.value("SELECT COUNT(*) FROM relations")


def test_schema_shows_limits_and_user_known_names(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    entities = tools["create_entities"][1].parameters["properties"]["entities"]
    assert entities["maxItems"] == 20 and entities["minItems"] == 1
    assert tools["open_nodes"][1].user_known == frozenset({"names"})
    message = fails(env, world, "create_relations", {"relations": [
        {"from": "a", "to": "b", "relationType": "Works At"}]})
    assert message.startswith("invalid arguments for 'create_relations': relations.0.relationType:")


def test_change_job_gold_earns_one_and_adding_without_removing_zero(env: Any) -> None:
    task = scenario_task(env, "change_job")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, [calls[0], calls[2]]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_who_works_at_needs_the_names_without_competitors(env: Any, world: Any) -> None:
    task = scenario_task(env, "who_works_at")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="You know " + " and ".join(task.answer_facts) + ".") == 1.0
    everything = env.worlds.worlds[ENV].call("open_nodes", calls[0][1])
    dump = ", ".join(e for r in everything["relations"] for e in (r["from"], r["to"]))
    assert play(env, task.id, calls, answer=dump) == 0.0
