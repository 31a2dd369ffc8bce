"""Behaviour of the Dice environment: alerts, application rules, salary insights, trends, search and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play

ENV = "Dice"
LIVE = "posted_date > '2026-01-31'"


def job(world: Any, where: str) -> dict[str, Any]:
    return world.row(f"SELECT * FROM jobs WHERE {where} ORDER BY job_id")


def test_apply_once_to_a_live_posting(env: Any, world: Any) -> None:
    posting = job(world, f"{LIVE} AND work_authorization != 'US Citizen' AND job_id NOT IN"
                         " (SELECT job_id FROM applications)")
    result = world.call("apply_to_job", {"job_id": posting["job_id"], "cover_letter": " Keen to join. "})
    assert (result["status"], result["applied_date"], result["title"]) == ("Applied", "2026-03-02", posting["title"])
    assert world.value("SELECT cover_letter FROM applications WHERE job_id = ?", posting["job_id"]) == "Keen to join."
    assert world.call("get_job_details", {"job_id": posting["job_id"]})["applied"] is True
    assert fails(env, world, "apply_to_job", {"job_id": posting["job_id"]}) == (
        f"you already applied to '{posting['title']}' on 2026-03-02")


def test_apply_rules_expired_and_work_authorization(env: Any, world: Any) -> None:
    old = job(world, "posted_date <= '2026-01-31'")
    assert fails(env, world, "apply_to_job", {"job_id": old["job_id"]}) == (
        f"'{old['title']}' expired (posted {old['posted_date']}); Dice postings stay live 30 days")
    citizens = job(world, f"{LIVE} AND work_authorization = 'US Citizen'")
    assert fails(env, world, "apply_to_job", {"job_id": citizens["job_id"]}) == (
        f"'{citizens['title']}' requires US citizenship; your profile's work authorization is Green Card")
    assert fails(env, world, "apply_to_job", {"job_id": "f" * 32}) == (
        f"no Dice posting with id '{'f' * 32}'; search_tech_jobs shows the ids")


def test_alerts_limit_duplicates_and_delete(env: Any, world: Any) -> None:
    created = world.call("create_job_alert", {"keywords": "Golang", "frequency": "weekly", "location": "Dallas"})
    assert (created["name"], created["remote_only"], created["created_date"]) == (
        "Golang jobs in Dallas", False, "2026-03-02")
    assert fails(env, world, "create_job_alert", {"keywords": "golang", "frequency": "daily",
                                                  "location": "dallas"}) == (
        "you already have an alert for 'golang' with these filters; list_job_alerts")
    for word in ("Rust", "Scala"):
        world.call("create_job_alert", {"keywords": word, "frequency": "daily"})
    assert fails(env, world, "create_job_alert", {"keywords": "Elixir", "frequency": "daily"}) == (
        "Dice allows at most 5 job alerts; delete one with delete_job_alert first")
    assert world.call("delete_job_alert", {"alert_id": created["alert_id"]}) == {"deleted": created["alert_id"]}
    assert len(world.call("list_job_alerts", {})) == 4
    assert fails(env, world, "delete_job_alert", {"alert_id": created["alert_id"]}) == (
        f"no job alert with id '{created['alert_id']}'; list_job_alerts shows the ids")


def test_salary_insights_come_from_the_postings(env: Any, world: Any) -> None:
    insight = world.call("get_salary_insights", {"job_title": "Data Engineer"})
    assert insight["salary_range_low"] <= insight["salary_range_mid"] <= insight["salary_range_high"]
    counted = world.value(f"SELECT COUNT(*) FROM jobs WHERE title LIKE '%Data Engineer%' AND {LIVE}")
    assert insight["factors"]["postings_analyzed"] == counted
    assert fails(env, world, "get_salary_insights", {"job_title": "Cobol Wizard"}) == (
        "too few live postings match 'Cobol Wizard' for salary insights (2 needed); try a broader title or no location")
    years = world_set(ENV)(0).tools["get_salary_insights"][1].parameters["properties"]["years_experience"]
    assert years["maximum"] == 40
    assert fails(env, world, "get_salary_insights", {"job_title": "Java", "years_experience": 41}) == (
        "invalid arguments for 'get_salary_insights': years_experience must be between 0 and 40")


def test_trends_and_skills(world: Any) -> None:
    week, quarter = (world.call("get_tech_trends", {"time_period": p}) for p in ("7 days", "90 days"))
    assert week["postings"] < quarter["postings"] == world.value("SELECT COUNT(*) FROM jobs")
    found = world.call("search_by_skills", {"skills": ["Kubernetes", "Terraform"]})
    assert found["skill_demand"]["Kubernetes"] == world.value(
        f"SELECT COUNT(*) FROM job_skills JOIN jobs USING (job_id) WHERE skill = 'Kubernetes' AND {LIVE}")
    assert all(set(j["matched_skills"]) <= {"Kubernetes", "Terraform"} for j in found["jobs"])


def test_search_excludes_expired_and_filters_remote(world: Any) -> None:
    old = job(world, "posted_date <= '2026-01-31'")
    assert old["job_id"] not in [j["job_id"] for j in world.call("search_tech_jobs", {"keywords": old["title"]})["jobs"]]
    remote = world.call("search_tech_jobs", {"keywords": "Engineer", "remote_only": True, "page_size": 50})
    assert remote["total_results"] > 0 and {j["workplace"] for j in remote["jobs"]} == {"Remote"}


def test_gold_earns_one_and_wrong_alert_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags["chain"][-1] == "create_job_alert" and not t.user_facts
                and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    wrong = {**calls[-1][1], "frequency": "daily" if calls[-1][1]["frequency"] == "weekly" else "weekly"}
    assert play(env, task.id, [*calls[:-1], ("create_job_alert", wrong)]) == 0.0
    assert play(env, task.id, []) == 0.0
