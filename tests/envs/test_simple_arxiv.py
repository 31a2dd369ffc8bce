"""Behaviour of the SimpleArxiv environment: search filters, the reader's library and its rules, rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "SimpleArxiv"


def paper(world: Any, withdrawn: int = 0, saved: bool = False) -> dict[str, Any]:
    return world.row("SELECT * FROM papers WHERE withdrawn = ? AND (arxiv_id IN (SELECT arxiv_id FROM saved_papers))"
                     " = ? ORDER BY arxiv_id", withdrawn, int(saved))


def test_save_paper_adds_it_with_tags_and_note(env: Any, world: Any) -> None:
    found = paper(world)
    saved = world.call("save_paper", {"arxiv_id": found["arxiv_id"] + "v1", "tags": ["thesis", "to-read"],
                                      "note": "Chapter 2"})
    assert saved == {"arxiv_id": found["arxiv_id"], "title": found["title"], "note": "Chapter 2",
                     "saved_on": "2026-03-02", "tags": ["thesis", "to-read"]}
    assert world.row("SELECT * FROM saved_papers WHERE arxiv_id = ?", found["arxiv_id"]) == {
        "arxiv_id": found["arxiv_id"], "note": "Chapter 2", "saved_on": "2026-03-02"}
    assert world.call("get_library", {"tag": "thesis"})[0]["arxiv_id"] == found["arxiv_id"]
    assert fails(env, world, "save_paper", {"arxiv_id": found["arxiv_id"]}) == (
        f"'{found['title']}' is already in your library; use tag_paper to add tags")


def test_withdrawn_and_unknown_papers_cannot_be_saved(env: Any, world: Any) -> None:
    gone = paper(world, withdrawn=1)
    assert world.call("get_paper_details", {"arxiv_id": gone["arxiv_id"]})["withdrawn"] is True
    assert fails(env, world, "save_paper", {"arxiv_id": gone["arxiv_id"]}) == (
        f"'{gone['title']}' ({gone['arxiv_id']}) has been withdrawn by its authors and cannot be saved")
    assert fails(env, world, "get_paper_details", {"arxiv_id": "1999.99999"}) == (
        "no arXiv paper '1999.99999'; ids look like 2403.01234 (search_metadata finds them)")


def test_tag_paper_adds_new_tags_up_to_five(env: Any, world: Any) -> None:
    found = paper(world, saved=True)
    before = [r["tag"] for r in world.rows("SELECT tag FROM paper_tags WHERE arxiv_id = ? ORDER BY tag",
                                           found["arxiv_id"])]
    fresh = [t for t in ["alpha", "beta", "gamma", "delta", "eps", "zeta"] if t not in before][:5 - len(before)]
    result = world.call("tag_paper", {"arxiv_id": found["arxiv_id"], "tags": fresh})
    assert result["tags"] == sorted(before + fresh)
    assert world.value("SELECT COUNT(*) FROM paper_tags WHERE arxiv_id = ?", found["arxiv_id"]) == 5
    assert fails(env, world, "tag_paper", {"arxiv_id": found["arxiv_id"], "tags": ["omega"]}) == (
        f"'{found['title']}' has 5 tags ({', '.join(result['tags'])}); a paper holds at most 5")
    assert fails(env, world, "tag_paper", {"arxiv_id": found["arxiv_id"], "tags": [fresh[0]]}) == (
        f"'{found['title']}' already has the tags {fresh[0]}")
    other = paper(world)
    assert fails(env, world, "tag_paper", {"arxiv_id": other["arxiv_id"], "tags": ["x"]}) == (
        f"'{other['title']}' is not in your library; save it with save_paper")


def test_remove_paper_drops_it_and_its_tags(env: Any, world: Any) -> None:
    found = paper(world, saved=True)
    count = world.value("SELECT COUNT(*) FROM saved_papers")
    removed = world.call("remove_paper", {"arxiv_id": found["arxiv_id"]})
    assert removed["arxiv_id"] == found["arxiv_id"]
    assert world.value("SELECT COUNT(*) FROM saved_papers") == count - 1
    assert world.value("SELECT COUNT(*) FROM paper_tags WHERE arxiv_id = ?", found["arxiv_id"]) == 0
    assert fails(env, world, "remove_paper", {"arxiv_id": found["arxiv_id"]}) == (
        f"'{found['title']}' is not in your library; save it with save_paper")


def test_search_filters_and_unknown_categories(env: Any, world: Any) -> None:
    grouped = world.call("search_arxiv", {"query": "conformal prediction", "sub_categories": ["stat.ML"]})
    hits = [h for group in grouped["results_by_category"].values() for h in group]
    assert hits and grouped["total"] == len(hits)
    assert all("Conformal Prediction" in world._paper(h["arxiv_id"])["title"] + world._paper(h["arxiv_id"])[
        "abstract"].title() for h in hits)
    assert fails(env, world, "search_arxiv", {"query": "x", "categories": ["biology"]}).startswith(
        "unknown arXiv archive 'biology'; use one of astro-ph, cs, econ")
    assert fails(env, world, "search_metadata", {"query": "x", "sub_categories": ["cs.XX"]}).startswith(
        "unknown arXiv category 'cs.XX'; use codes such as ")
    author = world.value("SELECT author FROM paper_authors ORDER BY author")
    papers = world.call("search_metadata", {"query": author, "limit": 50})["papers"]
    assert papers and all(author in p["authors"] for p in papers)
    assert [p["published_date"] for p in papers] == sorted((p["published_date"] for p in papers), reverse=True)


def test_agent_schema_shows_limits(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["search_arxiv"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    tags = tools["save_paper"][1].parameters["properties"]["tags"]
    assert tags["maxItems"] == 5 and tags["items"]["pattern"] == "^[a-z0-9][a-z0-9-]{0,29}$"
    assert fails(env, world, "search_arxiv", {"query": "x", "limit": 0}) == (
        "invalid arguments for 'search_arxiv': limit must be between 1 and 50")
    assert "tags" in fails(env, world, "save_paper", {"arxiv_id": paper(world)["arxiv_id"], "tags": ["Bad Tag"]})


def test_save_task_gold_earns_one_and_another_paper_zero(env: Any) -> None:
    task = scenario_task(env, "newest_on_topic")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=" ".join(task.answer_facts)) == 1.0
    world = env.worlds.worlds[ENV]
    saved = calls[-1][1]["arxiv_id"]
    other = world.value("SELECT arxiv_id FROM papers WHERE withdrawn = 0 AND arxiv_id != ? AND arxiv_id NOT IN"
                        " (SELECT arxiv_id FROM saved_papers) ORDER BY arxiv_id", saved)
    wrong = [*calls[:-1], ("save_paper", {**calls[-1][1], "arxiv_id": other})]
    assert play(env, task.id, wrong, answer=" ".join(task.answer_facts)) == 0.0
    assert play(env, task.id, calls, answer="Saved it.") == 0.0
    assert play(env, task.id, []) == 0.0
