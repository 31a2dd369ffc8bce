"""Behaviour of the GitHubServer environment: commits through the API, permissions, issues, reviews and merges."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "GitHubServer"


def me(world: Any) -> str:
    return world.value("SELECT login FROM viewer")


def own_repo(world: Any) -> dict[str, Any]:
    return world.row("SELECT * FROM repos WHERE owner = ? AND private = 0 ORDER BY repo", me(world))


def foreign_repo(world: Any) -> dict[str, Any]:
    return next(r for r in world.rows("SELECT * FROM repos WHERE private = 0 ORDER BY owner, repo")
                if not world._writer(r))


def open_pull(world: Any, state: str, writable: bool = True) -> dict[str, Any]:
    """An open pull request whose mergeable state is ``state`` (on a repository the user can push to)."""
    return next(p for p in world.rows("SELECT * FROM pulls WHERE state = 'open' ORDER BY owner, repo, pull_number")
                if world._mergeable(p, world._compare(p)) == state
                and world._writer(world.row("SELECT * FROM repos WHERE owner = ? AND repo = ?", p["owner"],
                                            p["repo"])) == writable)


def test_create_file_commits_and_updates_need_the_current_sha(env: Any, world: Any) -> None:
    repo = own_repo(world)
    where = {"owner": repo["owner"], "repo": repo["repo"]}
    head = world.value("SELECT sha FROM branches WHERE owner = ? AND repo = ? AND branch = 'main'", *where.values())
    made = world.call("create_file", {**where, "path": "NOTES.md", "content": "hello\n", "message": "Add notes",
                                      "branch": "main"})
    assert made["path"] == "NOTES.md" and made["branch"] == "main"
    commit = world.row("SELECT * FROM commits WHERE owner = ? AND repo = ? AND sha = ?", *where.values(),
                       made["commit_sha"])
    assert (commit["parents"], commit["message"], commit["author"], commit["paths"]) == (
        head, "Add notes", me(world), '["NOTES.md"]')
    assert world.value("SELECT sha FROM branches WHERE owner = ? AND repo = ? AND branch = 'main'",
                       *where.values()) == made["commit_sha"]
    read = world.call("get_file_contents", {**where, "path": "NOTES.md"})
    assert (read["content"], read["sha"]) == ("hello\n", made["file_sha"])
    again = {**where, "path": "NOTES.md", "content": "bye\n", "message": "Edit", "branch": "main"}
    assert fails(env, world, "create_file", again) == (
        "'NOTES.md' already exists on main: pass its current sha (get_file_contents) to update it")
    assert fails(env, world, "create_file", {**again, "sha": "0000"}) == (
        "sha '0000' does not match the current version of 'NOTES.md' on main; read it again")
    world.call("create_file", {**again, "sha": read["sha"]})
    assert world.call("get_file_contents", {**where, "path": "NOTES.md"})["content"] == "bye\n"


def test_only_owners_and_collaborators_push_and_protected_branches_need_a_pull_request(env: Any, world: Any) -> None:
    repo = foreign_repo(world)
    args = {"owner": repo["owner"], "repo": repo["repo"], "path": "x.md", "content": "x", "message": "m",
            "branch": "main"}
    assert fails(env, world, "create_file", args) == (
        f"you ({me(world)}) have no push access to {repo['owner']}/{repo['repo']}: only its owner and "
        "collaborators can change it; fork it and open a pull request instead")
    shared = world.row("SELECT r.* FROM repos r JOIN collaborators c USING (owner, repo) WHERE c.login = ? "
                       "ORDER BY r.owner, r.repo", me(world))
    protected = {**args, "owner": shared["owner"], "repo": shared["repo"]}
    assert fails(env, world, "create_file", protected) == (
        f"branch 'main' of {shared['owner']}/{shared['repo']} is protected: commit to another branch "
        "(create_branch) and open a pull request")
    assert fails(env, world, "create_file", {**protected, "branch": "nope"}) == (
        f"branch 'nope' not found in {shared['owner']}/{shared['repo']}; list_branches shows its branches")
    hidden = world.row("SELECT * FROM repos WHERE private = 1 AND owner != ? AND owner NOT IN "
                       "(SELECT org FROM members WHERE login = ?) AND repo NOT IN (SELECT repo FROM collaborators "
                       "WHERE login = ?) ORDER BY owner", me(world), me(world), me(world))
    assert fails(env, world, "list_branches", {"owner": hidden["owner"], "repo": hidden["repo"]}) == (
        f"repository {hidden['owner']}/{hidden['repo']} not found (or it is private and you have no access); "
        "search_repositories finds repositories")


def test_create_repository_refuses_duplicates_and_delete_needs_the_owner(env: Any, world: Any) -> None:
    made = world.call("create_repository", {"name": "Thesis code", "private": True, "autoInit": True})
    assert (made["owner"], made["repo"], made["private"]) == (me(world), "Thesis-code", True)
    assert world.call("list_branches", {"owner": me(world), "repo": "Thesis-code"})["branches"][0]["branch"] == "main"
    assert fails(env, world, "create_repository", {"name": "thesis-code"}) == (
        f"name already exists on this account: {me(world)}/thesis-code; pick another name")
    shared = world.row("SELECT r.* FROM repos r JOIN collaborators c USING (owner, repo) WHERE c.login = ? "
                       "ORDER BY r.owner", me(world))
    assert fails(env, world, "delete_repository", {"owner": shared["owner"], "repo": shared["repo"]}) == (
        f"only the owner of {shared['owner']}/{shared['repo']} can delete it; you are not its admin")
    assert world.call("delete_repository", {"owner": me(world), "repo": "Thesis-code"})["deleted"] is True
    assert world.row("SELECT 1 FROM branches WHERE owner = ? AND repo = 'Thesis-code'", me(world)) is None


def test_fork_branch_push_and_pull_request_from_the_fork(world: Any) -> None:
    repo = foreign_repo(world)
    fork = world.call("fork_repository", {"owner": repo["owner"], "repo": repo["repo"]})
    assert (fork["owner"], fork["fork_of"]) == (me(world), f"{repo['owner']}/{repo['repo']}")
    assert world.value("SELECT forks FROM repos WHERE owner = ? AND repo = ?", repo["owner"], repo["repo"]) == (
        repo["forks"] + 1)
    world.call("create_branch", {"owner": me(world), "repo": fork["repo"], "branch": "add-faq"})
    world.call("push_files", {"owner": me(world), "repo": fork["repo"], "branch": "add-faq", "message": "FAQ",
                              "files": [{"path": "docs/faq.md", "content": "# FAQ\n"}]})
    pull = world.call("create_pull_request", {"owner": repo["owner"], "repo": repo["repo"], "title": "Add FAQ",
                                              "head": f"{me(world)}:add-faq", "base": "main"})
    assert (pull["head"], pull["state"], pull["author"]) == (f"{me(world)}:add-faq", "open", me(world))
    files = world.call("get_pull_request_files", {"owner": repo["owner"], "repo": repo["repo"],
                                                  "pull_number": pull["pull_number"]})
    assert files == {"files": [{"filename": "docs/faq.md", "status": "added", "additions": 1, "deletions": 0}]}


def test_closing_a_closed_issue_and_labels_need_push_access(env: Any, world: Any) -> None:
    issue = world.row("SELECT * FROM issues WHERE state = 'closed' AND owner = ? ORDER BY repo", me(world))
    where = {"owner": issue["owner"], "repo": issue["repo"], "issue_number": issue["issue_number"]}
    assert fails(env, world, "close_issue", where) == (
        f"issue #{issue['issue_number']} of {issue['owner']}/{issue['repo']} is already closed")
    reopened = world.call("update_issue", {**where, "state": "open"})
    assert (reopened["state"], reopened["closed_at"]) == ("open", None)
    repo = foreign_repo(world)
    assert fails(env, world, "create_issue", {"owner": repo["owner"], "repo": repo["repo"], "title": "Bug",
                                              "labels": ["bug"]}) == (
        f"only collaborators of {repo['owner']}/{repo['repo']} can set labels or assignees")
    made = world.call("create_issue", {"owner": repo["owner"], "repo": repo["repo"], "title": "Bug report"})
    last = world.value("SELECT MAX(n) FROM (SELECT issue_number n FROM issues WHERE owner = ?1 AND repo = ?2 UNION "
                       "SELECT pull_number FROM pulls WHERE owner = ?1 AND repo = ?2)", repo["owner"], repo["repo"])
    assert (made["issue_number"], made["author"], made["labels"]) == (last, me(world), [])


def test_reviews_on_own_pull_requests_are_refused(env: Any, world: Any) -> None:
    repo = own_repo(world)
    where = {"owner": repo["owner"], "repo": repo["repo"]}
    world.call("create_branch", {**where, "branch": "docs/faq"})
    world.call("push_files", {**where, "branch": "docs/faq", "message": "FAQ",
                              "files": [{"path": "docs/faq.md", "content": "# FAQ\n"}]})
    pull = world.call("create_pull_request", {**where, "title": "FAQ", "head": "docs/faq", "base": "main"})
    where["pull_number"] = pull["pull_number"]
    assert fails(env, world, "create_pull_request_review", {**where, "body": "ok", "event": "APPROVE"}) == (
        "you cannot approve your own pull request; ask a collaborator to review it")
    review = world.call("create_pull_request_review", {**where, "body": "note to self", "event": "COMMENT"})
    assert (review["state"], review["reviewer"]) == ("COMMENTED", me(world))
    assert world.call("get_pull_request_reviews", where)["reviews"] == [review]


def test_merge_refuses_conflicts_and_merges_a_clean_pull_request(env: Any, world: Any) -> None:
    dirty = open_pull(world, "dirty")
    cmp = world._compare(dirty)
    assert fails(env, world, "merge_pull_request", {"owner": dirty["owner"], "repo": dirty["repo"],
                                                    "pull_number": dirty["pull_number"]}) == (
        f"pull request #{dirty['pull_number']} has merge conflicts in {', '.join(cmp['conflicts'])}; "
        "resolve them on the head branch first")
    clean = open_pull(world, "behind")
    where = {"owner": clean["owner"], "repo": clean["repo"], "pull_number": clean["pull_number"]}
    changed = {path: world._compare(clean)["head_tree"].get(path) for path in world._compare(clean)["head_paths"]}
    merged = world.call("merge_pull_request", {**where, "merge_method": "squash"})
    assert merged["merged"] is True
    base = world._tree(clean["owner"], clean["repo"], clean["base"])
    assert {path: base.get(path) for path in changed} == changed
    after = world.call("get_pull_request", where)
    assert (after["state"], after["merged"], after["merge_commit_sha"]) == ("closed", True,
                                                                             merged["merge_commit_sha"])
    assert fails(env, world, "merge_pull_request", where) == (
        f"pull request #{clean['pull_number']} of {clean['owner']}/{clean['repo']} is already merged")


def test_schema_shows_limits_and_user_known_inputs() -> None:
    tools = world_set(ENV)(0).tools
    per_page = tools["list_issues"][1].parameters["properties"]["per_page"]
    assert (per_page["minimum"], per_page["maximum"]) == (1, 100)
    assert tools["create_pull_request_review"][1].parameters["properties"]["event"]["enum"] == [
        "APPROVE", "REQUEST_CHANGES", "COMMENT"]
    assert {"owner", "repo", "issue_number"} <= tools["close_issue"][1].user_known
    assert len(tools) == 32


def test_per_page_over_the_limit_is_refused(env: Any, world: Any) -> None:
    repo = own_repo(world)
    message = fails(env, world, "list_issues", {"owner": repo["owner"], "repo": repo["repo"], "per_page": 500})
    assert message == "invalid arguments for 'list_issues': per_page must be between 1 and 100"


def test_fork_task_gold_earns_one_and_a_wrong_base_zero(env: Any) -> None:
    task = scenario_task(env, "contribute_through_fork")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[-1]
    assert play(env, task.id, [*calls[:-1], (name, {**arguments, "title": "Something else"})]) == 0.0
    assert play(env, task.id, calls[:-1]) == 0.0


def test_read_task_needs_the_answer(env: Any) -> None:
    task = scenario_task(env, "most_starred")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It is " + ", ".join(task.answer_facts) + ".") == 1.0
    assert play(env, task.id, calls, answer="One of them, I think.") == 0.0


def test_a_repository_listing_me_as_member_and_collaborator_still_gets_its_reviews() -> None:
    # seed 101: I am both a member and a collaborator of a repository, and the author of one of its pull requests;
    # populate used to ask for more reviewers than the other writers
    world = world_set(ENV)(101).worlds[ENV]
    reviews = world.rows("SELECT r.reviewer, p.author FROM reviews r JOIN pulls p USING (owner, repo, pull_number)")
    assert reviews and all(r["reviewer"] != r["author"] for r in reviews)
