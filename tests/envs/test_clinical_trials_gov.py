"""Behaviour of the ClinicalTrialsGov environment: saved studies with their rules, results, paging and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "ClinicalTrialsGov"
OPEN = "('RECRUITING', 'NOT_YET_RECRUITING', 'ENROLLING_BY_INVITATION', 'ACTIVE_NOT_RECRUITING', 'SUSPENDED')"


def unsaved(world: Any, where: str = "1", *params: Any) -> dict[str, Any]:
    return world.row(f"SELECT * FROM studies WHERE nctId NOT IN (SELECT nctId FROM saved_studies) AND {where}"
                     " ORDER BY nctId", *params)


def test_save_study_adds_a_row_with_note_and_alerts(world: Any) -> None:
    study = unsaved(world, f"overallStatus IN {OPEN}")
    before = world.value("SELECT COUNT(*) FROM saved_studies")
    saved = world.call("clinicaltrials_save_study", {"nctId": study["nctId"], "note": " ask my GP ",
                                                     "statusAlerts": True})
    assert saved == {"nctId": study["nctId"], "briefTitle": study["briefTitle"],
                     "overallStatus": study["overallStatus"], "note": "ask my GP", "statusAlerts": True,
                     "savedAt": "2026-03-02T09:00"}
    assert world.row("SELECT * FROM saved_studies WHERE nctId = ?", study["nctId"]) == {
        "nctId": study["nctId"], "note": "ask my GP", "alerts": 1, "savedAt": "2026-03-02T09:00"}
    listed = world.call("clinicaltrials_list_saved_studies", {})
    assert listed["count"] == before + 1 and listed["saved"][0]["nctId"] == study["nctId"]


def test_save_study_rules(env: Any, world: Any) -> None:
    done = unsaved(world, "overallStatus = 'COMPLETED'")
    message = fails(env, world, "clinicaltrials_save_study", {"nctId": done["nctId"], "statusAlerts": True})
    assert message == (f"study {done['nctId']} is COMPLETED, so its status will not change; save it without"
                       " statusAlerts")
    mine = world.value("SELECT nctId FROM saved_studies ORDER BY nctId")
    assert fails(env, world, "clinicaltrials_save_study", {"nctId": mine}) == (
        f"study {mine} is already saved; clinicaltrials_update_saved_study changes its note")
    assert fails(env, world, "clinicaltrials_save_study", {"nctId": "NCT09999999"}) == (
        "no study with NCT id 'NCT09999999'; clinicaltrials_search_studies finds studies by condition")
    for study in world.rows("SELECT nctId FROM studies WHERE nctId NOT IN (SELECT nctId FROM saved_studies)"
                            " ORDER BY nctId LIMIT 19"):
        world.call("clinicaltrials_save_study", {"nctId": study["nctId"]})
    assert world.value("SELECT COUNT(*) FROM saved_studies") == 25
    assert fails(env, world, "clinicaltrials_save_study", {"nctId": unsaved(world)["nctId"]}) == (
        "you already have 25 saved studies, the most allowed; remove one first")


def test_update_and_remove_saved_study(env: Any, world: Any) -> None:
    mine = world.row("SELECT * FROM saved_studies ORDER BY nctId")
    updated = world.call("clinicaltrials_update_saved_study", {"nctId": mine["nctId"], "note": "call the site"})
    assert (updated["note"], updated["statusAlerts"]) == ("call the site", bool(mine["alerts"]))
    assert world.row("SELECT * FROM saved_studies WHERE nctId = ?", mine["nctId"]) == {**mine, "note": "call the site"}
    assert fails(env, world, "clinicaltrials_update_saved_study", {"nctId": mine["nctId"]}) == (
        "give a new note or statusAlerts to change")
    count = world.value("SELECT COUNT(*) FROM saved_studies")
    assert world.call("clinicaltrials_remove_saved_study", {"nctId": mine["nctId"]}) == {
        "removed": mine["nctId"], "remaining": count - 1}
    assert world.row("SELECT 1 FROM saved_studies WHERE nctId = ?", mine["nctId"]) is None
    assert fails(env, world, "clinicaltrials_remove_saved_study", {"nctId": mine["nctId"]}) == (
        f"study {mine['nctId']} is not in your saved studies; clinicaltrials_list_saved_studies shows them")


def test_results_only_for_studies_that_posted_them(env: Any, world: Any) -> None:
    posted = world.row("SELECT * FROM studies WHERE hasResults = 1 ORDER BY nctId")
    results = world.call("clinicaltrials_get_results", {"nctId": posted["nctId"]})
    assert {o["arm"] for o in results["outcomeMeasures"]} == {posted["intervention"], "Placebo"}
    flow = results["participantFlow"]
    assert flow["started"] == posted["enrollmentCount"] == flow["completed"] + flow["notCompleted"]
    running = world.row("SELECT * FROM studies WHERE overallStatus = 'RECRUITING' ORDER BY nctId")
    assert fails(env, world, "clinicaltrials_get_results", {"nctId": running["nctId"]}) == (
        f"study {running['nctId']} (RECRUITING) has no posted results; results are posted only after a study is"
        " completed or terminated")


def test_paging_search_and_trends(env: Any, world: Any) -> None:
    first = world.call("clinicaltrials_list_studies", {"pageSize": 7})
    second = world.call("clinicaltrials_list_studies", {"pageSize": 7, "pageToken": first["nextPageToken"]})
    everything = world.call("clinicaltrials_list_studies", {"pageSize": 14})
    assert [s["nctId"] for s in first["studies"] + second["studies"]] == [s["nctId"] for s in everything["studies"]]
    assert fails(env, world, "clinicaltrials_list_studies", {"pageToken": "page2"}) == (
        "invalid pageToken 'page2'; pass the nextPageToken of the previous page")
    assert fails(env, world, "clinicaltrials_search_studies", {}) == (
        "give at least one of condition, intervention, location or status to search")
    found = world.call("clinicaltrials_search_studies", {"condition": "asthma", "pageSize": 100})
    assert found["totalCount"] == world.value("SELECT COUNT(*) FROM studies WHERE condition = 'Asthma'")
    trends = world.call("clinicaltrials_analyze_trends", {"group_by": "status"})
    assert sum(b["count"] for b in trends["buckets"]) == trends["totalCount"] == 110


def test_schema_shows_the_limits() -> None:
    tools = world_set(ENV)(0).tools
    size = tools["clinicaltrials_list_studies"][1].parameters["properties"]["pageSize"]
    assert (size["minimum"], size["maximum"]) == (1, 50)
    note = tools["clinicaltrials_save_study"][1].parameters["properties"]["note"]
    assert note["maxLength"] == 200
    assert tools["clinicaltrials_get_results"][1].parameters["properties"]["nctId"]["pattern"] == r"^NCT\d{8}$"


def test_save_task_gold_earns_one_and_another_study_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "clinicaltrials_save_study" and not t.user_facts)
    calls, answer = gold_calls(task), "Done: " + "; ".join(task.answer_facts)
    assert play(env, task.id, calls, answer) == 1.0
    other = unsaved(world, "nctId != ?", calls[-1][1]["nctId"])
    wrong = ("clinicaltrials_save_study", {**calls[-1][1], "nctId": other["nctId"]})
    assert play(env, task.id, [*calls[:-1], wrong], answer) == 0.0
    assert play(env, task.id, [], answer) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    task = next(t for t in env.tasks if not t.tags["writes"] and t.answer_facts and not t.user_facts)
    assert_answer_is_graded(env, task)
