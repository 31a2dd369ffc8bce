"""Behaviour of the GithubTrending environment: trending ranks, stars and follows, exact errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "GithubTrending"
VIEWER = "sam-ortiz-dev"


def unstarred(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM repos WHERE full_name NOT IN (SELECT full_name FROM starred) ORDER BY full_name")


def test_trending_repositories_rank_by_stars_gained_in_the_period(world: Any) -> None:
    for period, column in (("daily", "stars_today"), ("weekly", "stars_week"), ("monthly", "stars_month")):
        found = world.call("get_github_trending_repositories", {"period": period, "language": "Rust", "limit": 5})
        expected = world.rows(f"SELECT full_name, {column} AS gained FROM repos WHERE language = 'Rust'"
                              f" AND {column} > 0 ORDER BY {column} DESC, full_name LIMIT 5")
        assert [(r["full_name"], r["stars_gained"]) for r in found["repositories"]] == [
            (r["full_name"], r["gained"]) for r in expected]
        assert [r["rank"] for r in found["repositories"]] == list(range(1, len(expected) + 1))
        assert all(r["language"] == "Rust" and r["built_by"] for r in found["repositories"])


def test_trending_developers_carry_their_most_popular_repository(world: Any) -> None:
    developer = world.call("get_github_trending_developers", {"period": "weekly", "limit": 3})["developers"][0]
    top = world.row("SELECT r.full_name FROM built_by b JOIN repos r USING (full_name) WHERE b.username = ?"
                    " ORDER BY r.stars DESC, r.full_name", developer["username"])
    assert developer["popular_repo"] == top["full_name"]
    gained = world.value("SELECT SUM(r.stars_week) FROM built_by b JOIN repos r USING (full_name)"
                         " WHERE b.username = ?", developer["username"])
    assert developer["stars_gained"] == gained


def test_star_adds_a_star_once(env: Any, world: Any) -> None:
    repo = unstarred(world)
    result = world.call("star_repository", {"full_name": repo["full_name"].upper()})
    assert result == {"full_name": repo["full_name"], "starred": True, "stargazers": repo["stars"] + 1}
    assert world.value("SELECT stars FROM repos WHERE full_name = ?", repo["full_name"]) == repo["stars"] + 1
    assert world.row("SELECT full_name, starred_at FROM starred WHERE full_name = ?", repo["full_name"]) == {
        "full_name": repo["full_name"], "starred_at": "2026-03-02"}
    assert world.call("list_starred_repositories", {})["repositories"][0]["full_name"] == repo["full_name"]
    assert world.call("get_repository", {"full_name": repo["full_name"]})["starred"] is True
    again = fails(env, world, "star_repository", {"full_name": repo["full_name"]})
    assert again == f"you have already starred {repo['full_name']}"


def test_unstar_removes_the_star_and_needs_one(env: Any, world: Any) -> None:
    star = world.row("SELECT * FROM starred ORDER BY full_name")
    stars = world.value("SELECT stars FROM repos WHERE full_name = ?", star["full_name"])
    result = world.call("unstar_repository", {"full_name": star["full_name"]})
    assert result == {"full_name": star["full_name"], "starred": False, "stargazers": stars - 1,
                      "starred_at": star["starred_at"]}
    assert world.value("SELECT COUNT(*) FROM starred WHERE full_name = ?", star["full_name"]) == 0
    assert world.value("SELECT stars FROM repos WHERE full_name = ?", star["full_name"]) == stars - 1
    message = fails(env, world, "unstar_repository", {"full_name": star["full_name"]})
    assert message == f"you have not starred {star['full_name']}; list_starred_repositories shows your stars"
    missing = fails(env, world, "star_repository", {"full_name": "nobody/nothing"})
    assert missing == "no repository 'nobody/nothing'; name it as owner/name, as the trending list shows it"


def test_follow_and_unfollow_rules(env: Any, world: Any) -> None:
    dev = world.row("SELECT * FROM users WHERE username NOT IN (SELECT username FROM following) AND username != ?"
                    " ORDER BY username", VIEWER)
    result = world.call("follow_developer", {"username": dev["username"]})
    assert result == {"username": dev["username"], "following": True, "follower_count": dev["followers"] + 1}
    assert world.value("SELECT followers FROM users WHERE username = ?", dev["username"]) == dev["followers"] + 1
    assert world.value("SELECT since FROM following WHERE username = ?", dev["username"]) == "2026-03-02"
    assert fails(env, world, "follow_developer", {"username": dev["username"]}) == (
        f"you are already following {dev['username']}")
    assert fails(env, world, "follow_developer", {"username": VIEWER}) == "you cannot follow yourself"
    assert fails(env, world, "follow_developer", {"username": "ghost-user"}) == (
        "no GitHub user 'ghost-user'; check the spelling of the username")
    undone = world.call("unfollow_developer", {"username": dev["username"]})
    assert undone == {"username": dev["username"], "following": False, "follower_count": dev["followers"],
                      "since": "2026-03-02"}
    assert fails(env, world, "unfollow_developer", {"username": dev["username"]}) == (
        f"you are not following {dev['username']}; list_followed_developers shows who you follow")


def test_schema_limits_are_visible_to_the_agent(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    limit = tools["get_github_trending_repositories"][1].parameters["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    period = tools["get_github_trending_developers"][1].parameters["properties"]["period"]
    assert period["enum"] == ["daily", "weekly", "monthly"]
    assert tools["star_repository"][1].user_known == frozenset({"full_name"})
    over = fails(env, world, "get_github_trending_repositories", {"limit": 51})
    assert over == "invalid arguments for 'get_github_trending_repositories': limit must be between 1 and 50"
    assert "full_name" in fails(env, world, "star_repository", {"full_name": "no-slash"})


def test_star_task_gold_earns_one_and_another_repository_zero(env: Any, world: Any) -> None:
    task = next(t for t in env.tasks if t.seed == 0 and "star_repository" in t.tags["chain"] and not t.user_facts)
    calls = gold_calls(task)
    answer = "Done: " + ", ".join(task.answer_facts) + "." if task.answer_facts else "Done."
    assert play(env, task.id, calls, answer) == 1.0
    starred = next(a["full_name"] for n, a in calls if n == "star_repository")
    other = world.value("SELECT full_name FROM repos WHERE full_name NOT IN (SELECT full_name FROM starred)"
                        " AND full_name != ? ORDER BY full_name", starred)
    wrong = [(n, {"full_name": other} if n == "star_repository" else a) for n, a in calls]
    assert play(env, task.id, wrong, answer) == 0.0
    assert play(env, task.id, []) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = next(t for t in env.tasks if not t.tags["writes"] and t.answer_facts and not t.user_facts)
    assert_answer_is_graded(env, task)
