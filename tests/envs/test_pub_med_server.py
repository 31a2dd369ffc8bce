"""Behaviour of the PubMedServer environment: searches, records, My NCBI collections and saved searches, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "PubMedServer"


def outside(world: Any, collection: str) -> str:
    """A PMID that is not in the collection."""
    return world.value("SELECT pmid FROM citations WHERE pmid NOT IN (SELECT pmid FROM collection_items"
                       " WHERE collection = ?) ORDER BY pmid", collection)


def test_save_to_collection_adds_one_item(env: Any, world: Any) -> None:
    pmid = outside(world, "Journal club")
    before = world.value("SELECT COUNT(*) FROM collection_items WHERE collection = 'Journal club'")
    result = world.call("save_to_collection", {"collection": "journal club", "pmid": pmid})
    assert result == {"collection": "Journal club", "description": "Papers for the Thursday journal club",
                      "visibility": "public", "items": before + 1}
    assert world.row("SELECT * FROM collection_items WHERE collection = 'Journal club' AND pmid = ?", pmid) == {
        "collection": "Journal club", "pmid": pmid, "added": "2026-03-02 09:00"}
    listed = world.call("list_collection_items", {"collection": "Journal club"})["articles"]
    assert pmid in [a["pmid"] for a in listed]
    again = fails(env, world, "save_to_collection", {"collection": "Journal club", "pmid": pmid})
    assert again == f"PMID {pmid} is already in your collection 'Journal club'"


def test_collection_rules(env: Any, world: Any) -> None:
    pmid = outside(world, "Favorites")
    assert fails(env, world, "save_to_collection", {"collection": "Reading", "pmid": pmid}) == (
        "you have no My NCBI collection named 'Reading'; list_collections shows yours")
    assert fails(env, world, "save_to_collection", {"collection": "Favorites", "pmid": "1234567"}) == (
        "no PubMed article with PMID 1234567")
    assert fails(env, world, "remove_from_collection", {"collection": "Favorites", "pmid": pmid}) == (
        f"PMID {pmid} is not in your collection 'Favorites'; list_collection_items shows what is")
    assert fails(env, world, "create_collection", {"collection": "journal CLUB"}) == (
        "you already have a collection named 'journal CLUB'; pick another name")
    for n in range(22):
        world.call("create_collection", {"collection": f"Topic {n}"})
    assert fails(env, world, "create_collection", {"collection": "One too many"}) == (
        "My NCBI allows at most 25 collections; delete one first")


def test_collection_item_limit(env: Any, world: Any) -> None:
    world.call("create_collection", {"collection": "Big review", "visibility": "public"})
    pmids = [r["pmid"] for r in world.rows("SELECT pmid FROM citations ORDER BY pmid LIMIT 41")]
    for pmid in pmids[:40]:
        world.call("save_to_collection", {"collection": "Big review", "pmid": pmid})
    assert fails(env, world, "save_to_collection", {"collection": "Big review", "pmid": pmids[40]}) == (
        "collection 'Big review' is full (40 items); remove some or use another collection")


def test_remove_from_collection(world: Any) -> None:
    pmid = world.value("SELECT pmid FROM collection_items WHERE collection = 'Favorites' ORDER BY pmid")
    before = world.rows("SELECT pmid FROM collection_items WHERE collection = 'Favorites' ORDER BY pmid")
    assert world.call("remove_from_collection", {"collection": "Favorites", "pmid": pmid})["items"] == len(before) - 1
    after = world.rows("SELECT pmid FROM collection_items WHERE collection = 'Favorites' ORDER BY pmid")
    assert after == [r for r in before if r["pmid"] != pmid]


def test_create_collection_and_save_search(env: Any, world: Any) -> None:
    made = world.call("create_collection", {"collection": "Grant background", "description": "R01 aims"})
    assert made == {"collection": "Grant background", "description": "R01 aims", "visibility": "private", "items": 0}
    assert world.row("SELECT * FROM collections WHERE collection = 'Grant background'") == {
        "collection": "Grant background", "description": "R01 aims", "visibility": "private"}
    saved = world.call("save_search", {"name": "Apixaban", "key_words": "apixaban stroke", "frequency": "weekly"})
    count = world.call("search_pubmed_key_words", {"key_words": "apixaban stroke"})["count"]
    assert saved == {"name": "Apixaban", "key_words": "apixaban stroke", "frequency": "weekly", "results": count}
    assert count > 1
    assert fails(env, world, "save_search", {"name": "apixaban", "key_words": "x"}) == (
        "you already have a saved search named 'apixaban'; pick another name")
    assert fails(env, world, "save_search", {"name": "Nothing", "key_words": "zebrafish", "frequency": "daily"}) == (
        "'zebrafish' finds no citations; alerts need a search with results")


def test_searches_and_records(env: Any, world: Any) -> None:
    found = world.call("search_pubmed_key_words", {"key_words": "sepsis", "sort": "pub_date", "max_results": 5})
    dates = [a["pub_date"] for a in found["articles"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5 and found["count"] > 5
    pmid = found["articles"][0]["pmid"]
    record = world.call("get_pubmed_article", {"pmid": pmid})
    assert record["authors"][0] == found["articles"][0]["first_author"]
    fetched = world.call("fetch_pubmed_articles", {"pmids": [pmid, "1234567"]})
    assert fetched == {"articles": [record], "missing_pmids": ["1234567"]}
    author = record["authors"][1]
    assert pmid in [a["pmid"] for a in world.call("search_pubmed_by_author",
                                                  {"author": author, "max_results": 100})["articles"]]
    journal = world.call("search_pubmed_by_journal", {"journal": "lancet", "year": 2020})
    assert journal["journal"] == "The Lancet" and all(a["pub_date"].startswith("2020") for a in journal["articles"])
    assert fails(env, world, "search_pubmed_by_journal", {"journal": "Cell"}) == (
        "no journal 'Cell' is indexed; give its full title or ISO abbreviation")


def test_schema_limits_are_visible() -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["search_pubmed_key_words"][1].parameters["properties"]["max_results"]
    assert (limit["minimum"], limit["maximum"]) == (1, 100)
    assert tools["get_pubmed_article"][1].parameters["properties"]["pmid"]["pattern"] == r"^\d{7,8}$"
    assert tools["save_to_collection"][1].user_known == frozenset({"collection"})


def test_gold_earns_one_and_a_wrong_collection_zero(env: Any) -> None:
    task = scenario_task(env, "save_paper")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"Saved. The DOI is {task.answer_facts[0]}.") == 1.0
    wrong = [(n, {**a, "collection": "Favorites" if a.get("collection") != "Favorites" else "Journal club"})
             if n == "save_to_collection" else (n, a) for n, a in calls]
    assert play(env, task.id, wrong, answer=f"The DOI is {task.answer_facts[0]}.") == 0.0
    assert play(env, task.id, []) == 0.0
