"""Behaviour of the GitServer environment: working tree, index, commits, branches, push/pull and rewards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from envfactory_gym.core.tools import ToolError
from envs.academia.git_server import commit_hash
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "GitServer"


def repo_where(world: Any, condition: Callable[[dict[str, Any]], bool]) -> str:
    """The path of the first repository whose git_status satisfies a condition."""
    for repo in world.call("list_repositories", {}):
        if condition(world.call("git_status", {"repo_path": repo["repo_path"]})):
            return repo["repo_path"]
    raise AssertionError("no repository in that state")


def upstream(ahead: bool, behind: bool) -> Callable[[dict[str, Any]], bool]:
    return lambda s: bool(s["upstream"]) and (s["upstream"]["ahead"] > 0) == ahead and (
        s["upstream"]["behind"] > 0) == behind


def clean(status: dict[str, Any]) -> bool:
    return not status["staged"] and not status["unstaged"]


def head(world: Any, path: str) -> str:
    return world.value("SELECT head_hash FROM branches b JOIN repositories r ON r.repo_path = b.repo_path"
                       " AND r.current_branch = b.name WHERE r.repo_path = ?", path)


def test_edit_add_commit_records_a_content_addressed_commit(world: Any) -> None:
    path = repo_where(world, lambda s: not s["staged"])
    repo = world.row("SELECT * FROM repositories WHERE repo_path = ?", path)
    parent = head(world, path)
    world.call("write_file", {"repo_path": path, "path": "notes/plan.md", "content": "Plan\n\n\n"})
    assert world.call("git_status", {"repo_path": path})["untracked"][-1] == "notes/plan.md"
    staged = world.call("git_add", {"repo_path": path, "files": ["notes"]})["staged_files"]
    assert staged == [{"path": "notes/plan.md", "change": "added"}]
    result = world.call("git_commit", {"repo_path": path, "message": " Add plan "})
    tree = {r["path"]: r["content"] for r in world.rows("SELECT path, content FROM index_files WHERE repo_path = ?",
                                                        path)}
    assert tree["notes/plan.md"] == "Plan\n"
    assert result["commit_hash"] == commit_hash(path, parent, repo["user_name"], "Add plan", tree)
    assert head(world, path) == result["commit_hash"]
    assert world.call("git_log", {"repo_path": path, "max_count": 1})["commits"][0]["parent"] == parent
    assert world.call("git_show", {"repo_path": path, "revision": "HEAD"})["files"] == staged
    assert world.call("git_show", {"repo_path": path, "revision": "HEAD~1"})["hash"] == parent


def test_commit_with_nothing_staged_is_refused(env: Any, world: Any) -> None:
    path = repo_where(world, lambda s: not s["staged"])
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("git_commit", {"repo_path": path, "message": "Empty"})
    assert str(error.value) == "nothing to commit: no changes are staged; stage files with git_add first"
    with pytest.raises(ToolError) as unknown:
        world.call("git_status", {"repo_path": "/tmp/nowhere"})
    assert str(unknown.value) == "no repository at '/tmp/nowhere'; list_repositories shows the repository paths"
    with pytest.raises(ToolError) as pathspec:
        world.call("git_add", {"repo_path": path, "files": ["missing.txt"]})
    assert str(pathspec.value) == "pathspec 'missing.txt' did not match any files; git_status lists changed files"
    assert env.state_digest() == before


def test_reset_mixed_keeps_edits_and_hard_discards_them(world: Any) -> None:
    path = repo_where(world, lambda s: bool(s["staged"]))
    staged = world.call("git_status", {"repo_path": path})["staged"][0]["path"]
    edited = world.call("read_file", {"repo_path": path, "path": staged})["content"]
    world.call("write_file", {"repo_path": path, "path": "scratch.txt", "content": "tmp"})
    status = world.call("git_reset", {"repo_path": path, "files": [staged]})
    assert staged in [c["path"] for c in status["unstaged"]] and not status["staged"]
    assert world.call("read_file", {"repo_path": path, "path": staged})["content"] == edited
    status = world.call("git_reset", {"repo_path": path, "mode": "hard"})
    assert clean(status) and "scratch.txt" in status["untracked"]
    committed = world.value("SELECT content FROM commit_files WHERE commit_hash = ? AND path = ?", head(world, path),
                            staged)
    assert world.call("read_file", {"repo_path": path, "path": staged})["content"] == committed


def test_delete_file_and_add_dot_stage_the_deletion(world: Any) -> None:
    path = repo_where(world, clean)
    doomed = world.call("list_files", {"repo_path": path})[0]
    world.call("delete_file", {"repo_path": path, "path": doomed})
    staged = world.call("git_add", {"repo_path": path, "files": ["."]})["staged_files"]
    assert {"path": doomed, "change": "deleted"} in staged
    world.call("git_commit", {"repo_path": path, "message": "Drop a file"})
    assert world.value("SELECT 1 FROM commit_files WHERE commit_hash = ? AND path = ?", head(world, path),
                       doomed) is None


def test_checkout_refuses_with_uncommitted_changes(env: Any, world: Any) -> None:
    path = repo_where(world, lambda s: s["branch"] == "main" and bool(s["staged"] or s["unstaged"]))
    feature = world.value("SELECT name FROM branches WHERE repo_path = ? AND name != 'main'", path)
    dirty = world.call("git_status", {"repo_path": path})
    paths = sorted({c["path"] for c in dirty["staged"] + dirty["unstaged"]})
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("git_checkout", {"repo_path": path, "branch_name": feature})
    assert str(error.value) == (f"cannot switch to '{feature}': you have uncommitted changes to {', '.join(paths)};"
                                " commit them (git_add, git_commit) or discard them (git_reset with mode='hard')"
                                " first")
    with pytest.raises(ToolError, match="^a branch named 'main' already exists; git_checkout switches to it$"):
        world.call("git_create_branch", {"repo_path": path, "branch_name": "main"})
    with pytest.raises(ToolError, match="^'bad..name' is not a valid branch name"):
        world.call("git_create_branch", {"repo_path": path, "branch_name": "bad..name"})
    assert env.state_digest() == before
    world.call("git_create_branch", {"repo_path": path, "branch_name": "exp/try"})
    assert world.call("git_checkout", {"repo_path": path, "branch_name": "exp/try"})["current_branch"] == "exp/try"
    assert world.call("git_status", {"repo_path": path})["staged"] == dirty["staged"]  # same commit: edits carried


def test_checkout_switches_the_working_tree(world: Any) -> None:
    path = repo_where(world, lambda s: clean(s) and not s["untracked"] and s["branch"] == "main")
    feature = world.value("SELECT name FROM branches WHERE repo_path = ? AND name != 'main'", path)
    world.call("git_checkout", {"repo_path": path, "branch_name": feature})
    tip = world.rows("SELECT path, content FROM commit_files WHERE commit_hash = ?", head(world, path))
    assert {r["path"]: r["content"] for r in tip} == {
        f: world.call("read_file", {"repo_path": path, "path": f})["content"]
        for f in world.call("list_files", {"repo_path": path})}


def test_push_rejects_non_fast_forward_unless_forced(env: Any, world: Any) -> None:
    path = repo_where(world, upstream(ahead=True, behind=True))
    before = env.state_digest()
    with pytest.raises(ToolError) as error:
        world.call("git_push", {"repo_path": path})
    assert str(error.value) == ("push rejected (non-fast-forward): origin/main has commits your branch does not have;"
                                " git_pull them first, or push with force=true to overwrite them")
    with pytest.raises(ToolError, match="^no remote named 'upstream' in this repository; its remote is 'origin'$"):
        world.call("git_push", {"repo_path": path, "remote": "upstream"})
    assert env.state_digest() == before
    world.call("git_push", {"repo_path": path, "force": True})
    assert world.value("SELECT head_hash FROM remote_branches WHERE repo_path = ? AND name = 'main'",
                       path) == head(world, path)


def test_pull_fast_forwards_and_rebases_diverged_history(world: Any) -> None:
    behind = repo_where(world, lambda s: upstream(ahead=False, behind=True)(s) and clean(s))
    remote = world.value("SELECT head_hash FROM remote_branches WHERE repo_path = ? AND name = 'main'", behind)
    result = world.call("git_pull", {"repo_path": behind})
    assert result["status"].startswith("fast-forward") and head(world, behind) == remote
    assert world.call("git_pull", {"repo_path": behind})["status"] == "Already up to date"

    diverged = repo_where(world, lambda s: upstream(ahead=True, behind=True)(s) and clean(s))
    local = world.call("git_log", {"repo_path": diverged, "max_count": 1})["commits"][0]
    with pytest.raises(ToolError, match="^your branch and origin/main have diverged; pull with rebase=true"):
        world.call("git_pull", {"repo_path": diverged})
    world.call("git_pull", {"repo_path": diverged, "rebase": True})
    replayed = world.call("git_log", {"repo_path": diverged, "max_count": 1})["commits"][0]
    theirs = world.value("SELECT head_hash FROM remote_branches WHERE repo_path = ? AND name = 'main'", diverged)
    assert (replayed["message"], replayed["author"], replayed["parent"]) == (local["message"], local["author"], theirs)
    assert world.call("git_status", {"repo_path": diverged})["upstream"] == {
        "remote_branch": "origin/main", "ahead": 1, "behind": 0}


def test_checkout_of_a_remote_only_branch_creates_it(env: Any) -> None:
    task = scenario_task(env, "checkout_colleague_branch")
    assert play(env, task.id, gold_calls(task)) == 1.0
    path, branch = task.gold[-1]["arguments"]["repo_path"], task.gold[-1]["arguments"]["branch_name"]
    world = env.worlds.worlds["GitServer"]
    assert world.value("SELECT current_branch FROM repositories WHERE repo_path = ?", path) == branch
    # creating the branch from origin's copy, then switching, is an equally valid path
    other_path = [("git_create_branch", {"repo_path": path, "branch_name": branch, "base_branch": f"origin/{branch}"}),
                  ("git_checkout", {"repo_path": path, "branch_name": branch})]
    assert play(env, task.id, other_path) == 1.0


def test_edit_task_any_valid_path_earns_one_and_a_wrong_message_earns_zero(env: Any, world: Any) -> None:
    task = scenario_task(env, "edit_and_commit")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    edit = calls[1][1]
    env.reset(options={"task_id": task.id})
    content = world.call("read_file", {"repo_path": edit["repo_path"], "path": edit["path"]})["content"]
    rewrite = ("write_file", {"repo_path": edit["repo_path"], "path": edit["path"],
                              "content": content.replace(edit["old_text"], edit["new_text"])})
    assert play(env, task.id, [rewrite, *calls[2:]]) == 1.0  # rewriting the whole file is as good as editing it
    wrong = [*calls[:-1], ("git_commit", {**calls[-1][1], "message": "wip"})]
    assert play(env, task.id, wrong) == 0.0


def test_read_task_needs_the_answer_facts(env: Any) -> None:
    task = scenario_task(env, "last_commit")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer="It was " + "; ".join(task.answer_facts)) == 1.0
    assert play(env, task.id, calls, answer="Someone committed recently.") == 0.0


def test_limits_are_declared_in_the_schema_and_enforced_before_the_body(env: Any, world: Any) -> None:
    from envfactory_gym.registration import world_set

    tools = world_set(ENV)(0).tools
    assert tools["git_log"][1].parameters["properties"]["max_count"]["maximum"] == 100
    assert tools["git_show"][1].parameters["properties"]["context_lines"]["maximum"] == 20
    assert tools["git_add"][1].parameters["properties"]["files"]["minItems"] == 1
    assert tools["git_status"][1].user_known == {"repo_path"}
    path = repo_where(world, lambda s: bool(s["staged"]))
    assert fails(env, world, "git_log", {"repo_path": path, "max_count": 101}) == (
        "invalid arguments for 'git_log': max_count must be between 1 and 100")
    assert fails(env, world, "git_diff_staged", {"repo_path": path, "context_lines": -1}) == (
        "invalid arguments for 'git_diff_staged': context_lines must be between 0 and 20")
    assert fails(env, world, "git_commit", {"repo_path": path, "message": "  "}) == (
        "invalid arguments for 'git_commit': message must not be empty")
    assert fails(env, world, "git_add", {"repo_path": path, "files": []}) == (
        "invalid arguments for 'git_add': files: List should have at least 1 item after validation, not 0")
    edit = {"repo_path": path, "path": "README.md", "old_text": "", "new_text": "x"}
    assert fails(env, world, "edit_file", edit) == (
        "invalid arguments for 'edit_file': old_text: String should have at least 1 character")


def test_results_match_their_declared_returns(world: Any) -> None:
    def conforms(name: str, arguments: dict[str, Any]) -> Any:
        result = world.call(name, arguments)
        assert world.tools[name].nonconformity(result) is None, name
        return result

    for repo in conforms("list_repositories", {}):
        path = repo["repo_path"]
        status = conforms("git_status", {"repo_path": path})
        conforms("git_branch", {"repo_path": path, "branch_type": "all"})
        conforms("git_show", {"repo_path": path, "revision": "HEAD~1"})
        conforms("git_diff", {"repo_path": path})
        conforms("git_diff_unstaged", {"repo_path": path})
        conforms("git_diff_staged", {"repo_path": path})
        conforms("git_log", {"repo_path": path, "max_count": 100})
        conforms("read_file", {"repo_path": path, "path": conforms("list_files", {"repo_path": path})[0]})
        if status["upstream"] is None or not status["upstream"]["behind"]:
            conforms("git_push", {"repo_path": path})
    path = repo_where(world, lambda s: bool(s["staged"]))
    conforms("git_reset", {"repo_path": path})
    conforms("write_file", {"repo_path": path, "path": "notes/new.md", "content": "New"})
    conforms("git_add", {"repo_path": path, "files": ["."]})
    conforms("git_commit", {"repo_path": path, "message": "Everything"})
    conforms("git_create_branch", {"repo_path": path, "branch_name": "exp/next"})
    conforms("git_checkout", {"repo_path": path, "branch_name": "exp/next"})
    behind = repo_where(world, lambda s: upstream(ahead=False, behind=True)(s) and clean(s))
    conforms("git_pull", {"repo_path": behind})


def test_templates_live_beside_the_environment_in_their_order() -> None:
    from envfactory_gym.registration import templates

    names = list(templates(ENV))
    assert names[:3] == ["commit_staged", "commit_staged_ask_message", "edit_and_commit"] and len(names) == 20
    assert names[-1] == "checkout_colleague_branch"
