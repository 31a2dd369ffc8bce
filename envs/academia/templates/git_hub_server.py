"""Task templates of GitHubServer: contributions through forks and branches, file removals and code searches."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario

NOTES = [("CONTRIBUTING.md", "# Contributing\n\nOpen an issue before a large change.\n"),
         ("docs/faq.md", "# FAQ\n\nHow do I cite this project? See CITATION.cff.\n"),
         ("CITATION.cff", "cff-version: 1.2.0\nmessage: Please cite this software.\n")]


def me(world: Any) -> str:
    return world.value("SELECT login FROM viewer")


def can_push(world: Any, owner: str, repo: str) -> bool:
    """Whether the signed-in user owns the repository, collaborates on it or belongs to its organization."""
    return bool(world.row("SELECT 1 FROM viewer WHERE login = ?1 UNION SELECT 1 FROM collaborators WHERE owner = ?1"
                          " AND repo = ?2 AND login = (SELECT login FROM viewer) UNION SELECT 1 FROM members"
                          " WHERE org = ?1 AND login = (SELECT login FROM viewer)", owner, repo))


def outside_repo(world: Any, rng: random.Random) -> dict[str, Any] | None:
    """A public repository of someone else that the signed-in user cannot push to and has not forked."""
    rows = [r for r in world.rows("SELECT * FROM repos WHERE private = 0 ORDER BY owner, repo")
            if not can_push(world, r["owner"], r["repo"]) and not world.row("SELECT 1 FROM repos WHERE fork_of = ?",
                                                      f"{r['owner']}/{r['repo']}")]
    return rng.choice(rows) if rows else None


@scenario
def contribute_through_fork(world: Any, rng: random.Random) -> Draft | None:
    repo = outside_repo(world, rng)
    if repo is None:
        return None
    path, content = rng.choice(NOTES)
    branch, title = f"add-{path.rsplit('/', 1)[-1].split('.')[0].lower()}", f"Add {path}"
    full = f"{repo['owner']}/{repo['repo']}"
    return Draft(
        request=rng.choice([
            "I can't push to {full}, so fork it, add {path} on a new branch {branch} of my fork with this content: "
            "{text} and open a pull request into their main titled '{title}'.",
            "Please contribute {path} to {full} through a fork: branch {branch}, content {text} "
            "pull request '{title}' against main."]).format(full=full, path=path, branch=branch, title=title,
                                                             text=repr(content)),
        calls=(call("fork_repository", owner=repo["owner"], repo=repo["repo"]),
               call("create_branch", owner=me(world), repo=Ref(0, "repo"), branch=branch),
               call("push_files", owner=me(world), repo=Ref(0, "repo"), branch=branch, message=title,
                    files=[{"path": path, "content": content}]),
               call("create_pull_request", owner=repo["owner"], repo=repo["repo"], title=title,
                    head=f"{me(world)}:{branch}", base="main")))


@scenario
def branch_and_pull_request(world: Any, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT * FROM repos WHERE owner = ? AND repo IN (SELECT repo FROM branches WHERE owner = ?) "
                      "ORDER BY repo", me(world), me(world))
    if not rows:
        return None
    repo = rng.choice(rows)
    (path, content), branch = rng.choice(NOTES), rng.choice(["docs/contributing", "docs/faq", "chore/citation"])
    title = f"Add {path}"
    return Draft(
        request=f"In my repo {repo['owner']}/{repo['repo']}, put {path} ({content!r}) on a new branch {branch} "
                f"and open a pull request into main called '{title}'.",
        calls=(call("create_branch", owner=repo["owner"], repo=repo["repo"], branch=branch),
               call("push_files", owner=repo["owner"], repo=repo["repo"], branch=branch, message=title,
                    files=[{"path": path, "content": content}]),
               call("create_pull_request", owner=repo["owner"], repo=repo["repo"], title=title, head=branch,
                    base="main")))


@scenario
def remove_file(world: Any, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT f.owner, f.repo, f.path FROM files f JOIN repos r USING (owner, repo) WHERE "
                      "f.owner = ? AND f.ref = r.default_branch AND f.path IN ('docs/usage.md', 'LICENSE') "
                      "ORDER BY f.repo, f.path", me(world))
    if not rows:
        return None
    f = rng.choice(rows)
    return Draft(
        request=f"Delete {f['path']} from the main branch of my repository {f['owner']}/{f['repo']}; "
                f"commit message 'Remove {f['path']}'.",
        calls=(call("get_file_contents", owner=f["owner"], repo=f["repo"], path=f["path"]),
               call("delete_file", owner=f["owner"], repo=f["repo"], path=f["path"], branch="main",
                    message=f"Remove {f['path']}", sha=Ref(0, "sha"))))


@scenario
def most_starred(world: Any, rng: random.Random) -> Draft | None:
    owners = world.rows("SELECT owner FROM repos WHERE private = 0 GROUP BY owner HAVING COUNT(*) >= 2 "
                        "ORDER BY owner")
    if not owners:
        return None
    owner = rng.choice(owners)["owner"]
    top = world.row("SELECT repo FROM repos WHERE owner = ? AND private = 0 ORDER BY stars DESC", owner)
    return Draft(request=f"Which public repository of {owner} on GitHub has the most stars?",
                 calls=(call("search_repositories", q=f"user:{owner}", sort="stars"),),
                 answer=(f"{owner}/{top['repo']}",))


@scenario
def where_is_function(world: Any, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT f.owner, f.repo, f.path, f.content FROM files f JOIN repos r USING (owner, repo) "
                      "WHERE r.private = 0 AND f.ref = r.default_branch AND f.path LIKE '%/core.py' "
                      "ORDER BY f.owner, f.repo")
    if not rows:
        return None
    f = rng.choice(rows)
    name = f["content"].split("(")[0].removeprefix("def ")
    return Draft(request=f"In which file of {f['owner']}/{f['repo']} is {name} defined?",
                 calls=(call("search_code", q=f"def {name} repo:{f['owner']}/{f['repo']}"),),
                 answer=(f["path"],))


@scenario
def branch_without_pull_request(world: Any, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT b.owner, b.repo, b.branch FROM branches b JOIN repos r USING (owner, repo) WHERE "
                      "r.private = 0 AND b.branch != r.default_branch AND NOT EXISTS (SELECT 1 FROM pulls p WHERE "
                      "p.owner = b.owner AND p.repo = b.repo AND p.head = b.branch) AND (SELECT COUNT(*) FROM pulls p "
                      "WHERE p.owner = b.owner AND p.repo = b.repo AND p.state = 'open') >= 1 ORDER BY 1, 2, 3")
    if not rows:
        return None
    b = rng.choice(rows)
    return Draft(request=f"Which branch of {b['owner']}/{b['repo']} has no pull request yet?",
                 calls=(call("list_branches", owner=b["owner"], repo=b["repo"]),
                        call("list_pull_requests", owner=b["owner"], repo=b["repo"], state="all")),
                 answer=(b["branch"],))


@scenario
def refresh_pull_request(world: Any, rng: random.Random) -> Draft | None:
    """A pull request whose base moved on without conflicts, on a repository the user can push to."""
    pulls = [p for p in world.rows("SELECT * FROM pulls WHERE state = 'open' ORDER BY owner, repo, pull_number")
             if can_push(world, p["owner"], p["repo"])
             and world.get_pull_request(p["owner"], p["repo"], p["pull_number"])["mergeable_state"] == "behind"]
    if not pulls:
        return None
    p = rng.choice(pulls)
    return Draft(request=f"Pull request #{p['pull_number']} on {p['owner']}/{p['repo']} is behind {p['base']}; "
                         "bring its branch up to date, please.",
                 calls=(call("update_pull_request_branch", owner=p["owner"], repo=p["repo"],
                             pull_number=p["pull_number"]),))
