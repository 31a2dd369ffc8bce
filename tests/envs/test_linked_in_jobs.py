"""Behaviour of the LinkedInJobs environment: saving, Easy Apply rules, follows, skills, search and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "LinkedInJobs"
PHONE = "+1 512 555 0148"


def job(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM jobs WHERE {where} ORDER BY job_id")


def test_apply_records_one_application_and_moves_a_saved_job(env: Any, world: Any) -> None:
    posting = job(world, "state = 'open' AND easy_apply = 1 AND job_id IN (SELECT job_id FROM saved_jobs)")
    result = world.call("apply_to_job", {"job_id": posting["job_id"], "phone": PHONE})
    assert result["status"] == "submitted" and result["applied_date"] == "2026-03-02"
    assert world.row("SELECT phone, resume, status FROM applications WHERE job_id = ?", posting["job_id"]) == {
        "phone": PHONE, "resume": "Resume.pdf", "status": "submitted"}
    assert world.row("SELECT 1 FROM saved_jobs WHERE job_id = ?", posting["job_id"]) is None
    assert world.value("SELECT applicants FROM jobs WHERE job_id = ?", posting["job_id"]) == posting["applicants"] + 1
    again = fails(env, world, "apply_to_job", {"job_id": posting["job_id"], "phone": PHONE})
    assert again == f"you already applied to '{posting['title']}' on 2026-03-02; one application per job"
    assert [j["status"] for j in world.call("list_my_jobs", {"status": "applied"})] == ["applied"]


def test_apply_refuses_closed_and_external_postings(env: Any, world: Any) -> None:
    closed = job(world, "state = 'closed'")
    assert fails(env, world, "apply_to_job", {"job_id": closed["job_id"], "phone": PHONE}) == (
        f"'{closed['title']}' is no longer accepting applications")
    external = job(world, "state = 'open' AND easy_apply = 0")
    site = world.value("SELECT website FROM companies WHERE company_id = ?", external["company_id"])
    assert fails(env, world, "apply_to_job", {"job_id": external["job_id"], "phone": PHONE}) == (
        f"'{external['title']}' has no Easy Apply; apply on the company site: {site}/careers/{external['job_id']}")
    assert fails(env, world, "get_job_details", {"job_id": "0000000000"}) == (
        "no job posting with id '0000000000'; search_jobs shows the ids")


def test_save_and_unsave(env: Any, world: Any) -> None:
    posting = job(world, "job_id NOT IN (SELECT job_id FROM saved_jobs)")
    assert world.call("save_job", {"job_id": posting["job_id"]}) == {
        "job_id": posting["job_id"], "title": posting["title"], "saved": True}
    assert world.call("get_job_details", {"job_id": posting["job_id"]})["saved"] is True
    assert fails(env, world, "save_job", {"job_id": posting["job_id"]}) == (
        f"'{posting['title']}' is already in your saved jobs")
    assert world.call("unsave_job", {"job_id": posting["job_id"]})["saved"] is False
    assert fails(env, world, "unsave_job", {"job_id": posting["job_id"]}) == (
        f"'{posting['title']}' is not in your saved jobs; list_my_jobs shows them")


def test_follow_changes_the_follower_count(env: Any, world: Any) -> None:
    company = world.row("SELECT * FROM companies WHERE following = 0 ORDER BY company_id")
    result = world.call("follow_company", {"company_id": company["company_id"]})
    assert (result["following"], result["follower_count"]) == (True, company["follower_count"] + 1)
    assert world.row("SELECT * FROM companies WHERE company_id = ?", company["company_id"]) == {
        **company, "following": 1, "follower_count": company["follower_count"] + 1}
    assert fails(env, world, "follow_company", {"company_id": company["company_id"]}) == (
        f"you already follow {company['name']}")
    world.call("unfollow_company", {"company_id": company["company_id"]})
    assert world.row("SELECT * FROM companies WHERE company_id = ?", company["company_id"]) == company


def test_profile_skill_changes_recommendations(env: Any, world: Any) -> None:
    before = world.call("get_recommended_jobs", {})["jobs"]
    assert all(j["matched_skills"] for j in before)
    world.call("add_profile_skill", {"skill": "Salesforce"})
    assert "Salesforce" in world.call("get_profile", {})["skills"]
    assert fails(env, world, "add_profile_skill", {"skill": "salesforce"}) == "'salesforce' is already on your profile"
    assert fails(env, world, "get_recommended_jobs", {"user_id": "someone-else"}) == (
        "recommendations are private; you are signed in as 'jordan-avery-4821'")


def test_schema_limits_and_search_finds_open_postings(env: Any, world: Any) -> None:
    spec = world_set(ENV)(0).tools["search_jobs"][1]
    assert spec.parameters["properties"]["count"]["maximum"] == 50
    assert spec.parameters["properties"]["workplace_type"]["enum"] == ["On-site", "Hybrid", "Remote"]
    assert fails(env, world, "search_jobs", {"keywords": "engineer", "count": 51}) == (
        "invalid arguments for 'search_jobs': count must be between 1 and 50")
    closed = job(world, "state = 'closed'")
    found = world.call("search_jobs", {"keywords": closed["title"]})
    assert closed["job_id"] not in [j["job_id"] for j in found["jobs"]]
    remote = world.call("search_jobs", {"keywords": "engineer", "workplace_type": "Remote", "count": 50})
    assert remote["total_count"] > 0 and {j["workplace_type"] for j in remote["jobs"]} == {"Remote"}


def test_gold_earns_one_and_a_wrong_job_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "apply_to_job" and not t.user_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    other = job(world, f"state = 'open' AND easy_apply = 1 AND job_id != '{calls[-1][1]['job_id']}'")
    assert play(env, task.id, [*calls[:-1], ("apply_to_job", {**calls[-1][1], "job_id": other["job_id"]})]) == 0.0
    assert play(env, task.id, []) == 0.0


def test_search_still_finds_a_posting_updated_in_the_episode(world: Any) -> None:
    posting = job(world, "state = 'open' AND easy_apply = 1")
    world.call("apply_to_job", {"job_id": posting["job_id"], "phone": PHONE})  # rewrites the row (applicants + 1)
    found = world.call("search_jobs", {"keywords": posting["title"].lower()})
    assert posting["job_id"] in [j["job_id"] for j in found["jobs"]]
    assert world.call("search_companies", {"keywords": "zz"}) == []
