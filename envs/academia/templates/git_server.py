"""Task templates of the GitServer environment: a researcher names a repository and asks for git work on it."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Literal

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envs.academia.git_server import COMMIT_MESSAGES, NEW_FILES, NOUNS, TOPICS, VERBS, GitServer, Tree, tree_changes

Condition = Callable[[dict[str, Any], dict[str, Any]], bool]

#: Settings the seeded files hold once: (what a user calls it, its text, its value, values a user may want instead).
EDITS = [("thesis date", "\\date{Spring 2026}", "Spring 2026", ["\\date{Summer 2026}", "\\date{Fall 2026}"]),
         ("batch size", "batch_size: 32", "32", ["batch_size: 64", "batch_size: 16"]),
         ("number of epochs", "epochs: 20", "20", ["epochs: 50", "epochs: 10"]),
         ("figure DPI", "DPI = 150", "150", ["DPI = 300", "DPI = 600"]),
         ("package version", "version = 0.3.1", "0.3.1", ["version = 0.3.2", "version = 0.4.0"]),
         ("simulation time step", "dt = 0.01", "0.01", ["dt = 0.005", "dt = 0.02"]),
         ("office hours", "Office hours: Tuesday 14:00", "Tuesday 14:00",
          ["Office hours: Thursday 10:00", "Office hours: Friday 15:00"]),
         ("grading scheme", "Grading: 40% homework, 60% exam", "40% homework, 60% exam",
          ["Grading: 50% homework, 50% exam"])]


# -------------------------------------------------------------------------------------------------- helpers
def files(world: GitServer, table: Literal["working_files", "index_files"], repo_path: str) -> Tree:
    """A repository's working tree (``working_files``) or index (``index_files``)."""
    return {r["path"]: r["content"] for r in world.rows(
        f"SELECT path, content FROM {table} WHERE repo_path = ?", repo_path)}


def tree(world: GitServer, commit: str) -> Tree:
    """The files of a commit."""
    return {r["path"]: r["content"] for r in world.rows(
        "SELECT path, content FROM commit_files WHERE commit_hash = ?", commit)}


def repos(world: GitServer, condition: Condition) -> list[dict[str, Any]]:
    """Repositories (with their git_status) satisfying a condition on (repository, status)."""
    found = []
    for repo in world.rows("SELECT * FROM repositories ORDER BY repo_path"):
        status = world.git_status(repo_path=repo["repo_path"])
        if condition(repo, status):
            found.append({**repo, "status": status})
    return found


def some_repo(world: GitServer, rng: random.Random, condition: Condition) -> dict[str, Any] | None:
    """A random repository (with its status) satisfying a condition, or None when none does."""
    found = repos(world, condition)
    return rng.choice(found) if found else None


def dirty_tracked(status: dict[str, Any]) -> bool:
    return bool(status["staged"] or status["unstaged"])


def tracks(status: dict[str, Any], ahead: bool | None = None, behind: bool | None = None) -> bool:
    """Whether the branch has an origin counterpart and is (or is not) ahead of / behind it, as asked."""
    upstream = status["upstream"]
    return bool(upstream) and all(wanted is None or (upstream[key] > 0) == wanted
                                  for key, wanted in (("ahead", ahead), ("behind", behind)))


def after_status(repo: dict[str, Any], tool_name: str, **arguments: Any) -> tuple[Call, ...]:
    """Gold calls finding the repository, checking its status, then calling a tool on it."""
    return (call("list_repositories"), call("git_status", repo_path=repo["repo_path"]),
            call(tool_name, repo_path=repo["repo_path"], **arguments))


def commit_staged_draft(world: GitServer, rng: random.Random, asked: bool) -> Draft | None:
    """Commit what a repository has staged, with a message given in the request or only when asked."""
    repo = some_repo(world, rng, lambda r, s: bool(s["staged"]))
    if repo is None:
        return None
    message = rng.choice(COMMIT_MESSAGES)
    if asked:
        return Draft(
            request=f"Commit my staged work in the {repo['name']} repository. I'll give you the commit message.",
            calls=(call("list_repositories"), call("git_diff_staged", repo_path=repo["repo_path"]),
                   call("git_commit", repo_path=repo["repo_path"], message=message)),
            ask=(UserFact("commit message", message, ("message", "wording")),))
    return Draft(
        request=rng.choice(["In my {name} repo, commit what I've already staged with the message '{m}'.",
                            "Please commit the staged changes in {name}; message: '{m}'."]
                           ).format(name=repo["name"], m=message),
        calls=after_status(repo, "git_commit", message=message))


def settings(world: GitServer, found: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str, tuple[Any, ...]]]:
    """(repository, file, EDITS entry) for every setting found exactly once in a working-tree file."""
    return [(repo, path, edit) for repo in found
            for path, content in sorted(files(world, "working_files", repo["repo_path"]).items())
            for edit in EDITS if content.count(edit[1]) == 1]


# ------------------------------------------------------------------------------------------------ templates
@scenario
def commit_staged(world: GitServer, rng: random.Random) -> Draft | None:
    return commit_staged_draft(world, rng, asked=False)


@scenario
def commit_staged_ask_message(world: GitServer, rng: random.Random) -> Draft | None:
    return commit_staged_draft(world, rng, asked=True)


@scenario
def edit_and_commit(world: GitServer, rng: random.Random) -> Draft | None:
    choices = [(repo, path, edit) for repo, path, edit in settings(world, repos(world, lambda r, s: not s["staged"]))
               if path not in {c["path"] for c in repo["status"]["unstaged"]}]
    if not choices:
        return None
    repo, path, (_, old, _, news) = rng.choice(choices)
    new = rng.choice(news)
    message = rng.choice([f"Update {path.rsplit('/', 1)[-1]}", f"Use {new}"])
    return Draft(
        request=(f"In {repo['name']}, change '{old}' to '{new}' in {path}, then commit just that file with the"
                 f" message '{message}'."),
        calls=(call("list_repositories"),
               call("edit_file", repo_path=repo["repo_path"], path=path, old_text=old, new_text=new),
               call("git_add", repo_path=repo["repo_path"], files=[path]),
               call("git_commit", repo_path=repo["repo_path"], message=message)))


@scenario
def look_up_setting(world: GitServer, rng: random.Random) -> Draft | None:
    choices = settings(world, repos(world, lambda r, s: True))
    if not choices:
        return None
    repo, path, (label, _, value, _) = rng.choice(choices)
    return Draft(
        request=rng.choice(["What {label} is set in my {name} repo right now?",
                            "Can you check the current {label} in {name}? I forget which file it's in."]
                           ).format(label=label, name=repo["name"]),
        calls=(call("list_repositories"), call("list_files", repo_path=repo["repo_path"]),
               call("read_file", repo_path=repo["repo_path"], path=path)),
        answer=(value,))


@scenario
def remove_file(world: GitServer, rng: random.Random) -> Draft | None:
    choices = [(repo, path) for repo in repos(world, lambda r, s: not dirty_tracked(s))
               for path in sorted(files(world, "index_files", repo["repo_path"])) if path != "README.md"]
    if not choices:
        return None
    repo, path = rng.choice(choices)
    message = f"Remove {path.rsplit('/', 1)[-1]}"
    return Draft(
        request=f"Delete {path} from {repo['name']} and commit the removal with the message '{message}'.",
        calls=(call("list_repositories"), call("delete_file", repo_path=repo["repo_path"], path=path),
               call("git_add", repo_path=repo["repo_path"], files=[path]),
               call("git_commit", repo_path=repo["repo_path"], message=message)))


@scenario
def unstaged_edit(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: bool(s["unstaged"]))
    if repo is None:
        return None
    path = rng.choice(repo["status"]["unstaged"])["path"]
    before = files(world, "index_files", repo["repo_path"]).get(path)
    after = files(world, "working_files", repo["repo_path"]).get(path)
    added = [line for line in after.removeprefix(before).splitlines() if line.strip()]
    if not after.startswith(before) or not added:
        return None
    return Draft(
        request=f"What did I add to {path} in {repo['name']} that I haven't staged yet? Quote the new lines.",
        calls=(call("list_repositories"), call("git_diff_unstaged", repo_path=repo["repo_path"])),
        answer=tuple(line.strip() for line in added))


@scenario
def compare_with_origin(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: tracks(s, behind=True))
    if repo is None:
        return None
    branch = repo["current_branch"]
    remote = tree(world, world.value("SELECT head_hash FROM remote_branches WHERE repo_path = ?"
                                     " AND remote = 'origin' AND name = ?", repo["repo_path"], branch))
    index = files(world, "index_files", repo["repo_path"])
    working = {p: c for p, c in files(world, "working_files", repo["repo_path"]).items() if p in index}
    return Draft(
        request=(f"Before I pull in {repo['name']}: which files in my working copy differ from what's on"
                 f" origin's {branch}?"),
        calls=(call("list_repositories"), call("git_branch", repo_path=repo["repo_path"], branch_type="remote"),
               call("git_diff", repo_path=repo["repo_path"], target=f"origin/{branch}")),
        answer=tuple(c["path"] for c in tree_changes(remote, working)))


@scenario
def start_branch(world: GitServer, rng: random.Random) -> Draft | None:
    found = repos(world, lambda r, s: r["current_branch"] == "main" or not dirty_tracked(s))
    repo = rng.choice(found)
    name = f"exp/{rng.choice(VERBS)}-{rng.choice(NOUNS)}"
    return Draft(
        request=rng.choice(["In {repo}, create a branch '{b}' off main and switch to it.",
                            "Start a new branch called {b} from main in my {repo} repo and check it out."]
                           ).format(repo=repo["name"], b=name),
        calls=(call("list_repositories"),
               call("git_create_branch", repo_path=repo["repo_path"], branch_name=name, base_branch="main"),
               call("git_checkout", repo_path=repo["repo_path"], branch_name=name)))


@scenario
def name_new_branch(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: r["current_branch"] == "main")
    if repo is None:
        return None
    name = f"{rng.choice(['try', 'exp', 'wip'])}-{rng.choice(VERBS)}-{rng.choice(NOUNS)}"
    return Draft(
        request=(f"I want to try something in {repo['name']} without touching main: make a new branch from the"
                 " current commit and switch to it. I'll tell you what to call it."),
        calls=(call("list_repositories"),
               call("git_create_branch", repo_path=repo["repo_path"], branch_name=name),
               call("git_checkout", repo_path=repo["repo_path"], branch_name=name)),
        ask=(UserFact("branch name", name, ("name", "call it")),))


@scenario
def push_commits(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: tracks(s, ahead=True, behind=False))
    if repo is None:
        return None
    return Draft(
        request=rng.choice(["Push my unpushed commits in {name} to origin.",
                            "I have local commits in {name} that aren't on the server yet. Push them, please."]
                           ).format(name=repo["name"]),
        calls=after_status(repo, "git_push"))


@scenario
def pull_updates(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: tracks(s, ahead=False, behind=True) and not dirty_tracked(s))
    if repo is None:
        return None
    return Draft(
        request=rng.choice(["A colleague pushed to {branch} on {name}. Bring my copy up to date.",
                            "Update my {name} checkout with the new commits on origin."]
                           ).format(name=repo["name"], branch=repo["current_branch"]),
        calls=after_status(repo, "git_pull"))


@scenario
def rebase_and_push(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: tracks(s, ahead=True, behind=True) and not dirty_tracked(s))
    if repo is None:
        return None
    return Draft(
        request=(f"My push in {repo['name']} keeps getting rejected. Pull origin's commits, put my local commits"
                 " on top of them (rebase, no merge commit), then push."),
        calls=(call("list_repositories"), call("git_pull", repo_path=repo["repo_path"], rebase=True),
               call("git_push", repo_path=repo["repo_path"])))


@scenario
def overwrite_remote(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: tracks(s, ahead=True, behind=True))
    if repo is None:
        return None
    return Draft(
        request=(f"Origin's {repo['current_branch']} in {repo['name']} has a commit I don't want. Make origin"
                 " match my local branch exactly, even if that throws the remote commit away."),
        calls=after_status(repo, "git_push", force=True))


@scenario
def last_commit(world: GitServer, rng: random.Random) -> Draft:
    repo = rng.choice(repos(world, lambda r, s: True))
    branch = rng.choice(world.rows("SELECT name, head_hash FROM branches WHERE repo_path = ? ORDER BY name",
                                   repo["repo_path"]))
    info = world.row("SELECT author, message FROM commits WHERE commit_hash = ?", branch["head_hash"])
    return Draft(
        request=rng.choice(["Who made the latest commit on the {b} branch of {name}, and what was its message?",
                            "In {name}, what's the most recent commit on {b}? Author and message, please."]
                           ).format(b=branch["name"], name=repo["name"]),
        calls=(call("list_repositories"),
               call("git_log", repo_path=repo["repo_path"], branch=branch["name"], max_count=1)),
        answer=(info["author"], info["message"]))


@scenario
def files_in_commit(world: GitServer, rng: random.Random) -> Draft:
    repo = rng.choice(repos(world, lambda r, s: True))
    shown = world.git_show(repo_path=repo["repo_path"], revision="HEAD")
    return Draft(
        request=rng.choice([("Which files did the last commit on my current branch in {name} change, and what"
                             " was its message?"),
                            ("What did the most recent commit of my checked-out branch in {name} touch? List the"
                             " files and give its message.")]).format(name=repo["name"]),
        calls=(call("list_repositories"), call("git_log", repo_path=repo["repo_path"], max_count=1),
               call("git_show", repo_path=repo["repo_path"], revision=Ref(1, "commits.0.hash"))),
        answer=(*(f["path"] for f in shown["files"]), shown["message"]))


@scenario
def unstaged_files(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: bool(s["unstaged"] or s["untracked"]))
    if repo is None:
        return None
    status = repo["status"]
    return Draft(
        request=f"In {repo['name']}, which files have I changed or created but not staged yet?",
        calls=(call("list_repositories"), call("git_status", repo_path=repo["repo_path"])),
        answer=tuple([c["path"] for c in status["unstaged"]] + status["untracked"]))


@scenario
def unstage_file(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: bool(s["staged"]))
    if repo is None:
        return None
    path = rng.choice(repo["status"]["staged"])["path"]
    return Draft(
        request=rng.choice(["I staged {p} in {name} by mistake. Unstage it but keep my edits.",
                            "Take {p} out of the staging area in {name}; don't lose the changes in the file."]
                           ).format(p=path, name=repo["name"]),
        calls=after_status(repo, "git_reset", files=[path]))


@scenario
def discard_changes(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: dirty_tracked(s))
    if repo is None:
        return None
    return Draft(
        request=rng.choice(["Throw away all my uncommitted changes to tracked files in {name}; keep new files.",
                            ("Reset {name} to its last commit: discard staged and unstaged edits (leave"
                             " untracked files alone).")]).format(name=repo["name"]),
        calls=after_status(repo, "git_reset", mode="hard"))


@scenario
def add_file_and_push(world: GitServer, rng: random.Random) -> Draft | None:
    repo = some_repo(world, rng, lambda r, s: not s["staged"] and not tracks(s, behind=True))
    if repo is None:
        return None
    working = files(world, "working_files", repo["repo_path"])
    path, title = rng.choice([f for f in NEW_FILES if f[0] not in working])
    line = f"{title}: {rng.choice(TOPICS).lower()}"
    message = f"Add {path}"
    return Draft(
        request=(f"Add a file {path} to {repo['name']} containing the single line '{line}'. Commit only that"
                 f" file as '{message}' and push it to origin."),
        calls=(call("list_repositories"),
               call("write_file", repo_path=repo["repo_path"], path=path, content=line),
               call("git_add", repo_path=repo["repo_path"], files=[path]),
               call("git_commit", repo_path=repo["repo_path"], message=message),
               call("git_push", repo_path=repo["repo_path"])))


@scenario
def checkout_colleague_branch(world: GitServer, rng: random.Random) -> Draft | None:
    candidates = []
    for repo in repos(world, lambda r, s: not dirty_tracked(s) and not s["untracked"]):
        local = {r["name"] for r in world.rows("SELECT name FROM branches WHERE repo_path = ?", repo["repo_path"])}
        for row in world.rows("SELECT name FROM remote_branches WHERE repo_path = ? ORDER BY name",
                              repo["repo_path"]):
            if row["name"] not in local:
                candidates.append((repo, row["name"]))
    if not candidates:
        return None
    repo, branch = rng.choice(candidates)
    return Draft(
        request=(f"My colleague pushed a branch {branch} to origin for {repo['name']}. I don't have it locally"
                 " yet; switch my checkout to it."),
        calls=(call("list_repositories"), call("git_branch", repo_path=repo["repo_path"], branch_type="remote"),
               call("git_checkout", repo_path=repo["repo_path"], branch_name=branch)))
