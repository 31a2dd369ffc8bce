"""GitHubServer: a hosted GitHub account: repositories, branches, commits, issues and pull requests with reviews."""

from __future__ import annotations

import difflib
import hashlib
import inspect
import json
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id, like_pattern

TIME = "%Y-%m-%dT%H:%M:%SZ"
WORDS = ["graph", "tensor", "paper", "corpus", "lattice", "sparse", "bayes", "quant", "citation", "notebook",
         "kernel", "survey", "signal", "cluster", "token", "vision", "dataset", "sampler", "solver", "proof"]
SUFFIX = ["kit", "lab", "tools", "bench", "viz", "lint", "notes", "flow", "cli", "db", "ml", "py"]
LANGS = ["Python", "Python", "Python", "Rust", "TypeScript", "Julia", "R", "Go", "C++"]
LABELS = ["bug", "enhancement", "documentation", "question", "good first issue", "help wanted", "performance"]
ISSUES = ["{w} fails on empty input", "Add support for {w} export", "Document the {w} options", "Crash when loading "
          "large {w} files", "Speed up {w} indexing", "Typo in {w} README", "Flaky test in {w} module",
          "Wrong default for {w} threshold", "Deprecation warning from {w}", "Unicode paths break {w}"]
BRANCHES = ["feature/{w}-export", "fix/{w}-parsing", "docs/{w}-guide", "perf/{w}-cache", "refactor/{w}-core"]
PER_PAGE = Annotated[int, Field(ge=1, le=100)]
PAGE = Annotated[int, Field(ge=1, le=50)]
Owner = Annotated[str, UserKnown, Field(min_length=1, max_length=39)]
Repo = Annotated[str, UserKnown, Field(min_length=1, max_length=100)]
RepoName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"[A-Za-z0-9]")]
Branch = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")]
Path = Annotated[str, UserKnown, Field(pattern=r"^[^/\s][^\s]{0,199}$")]
Number = Annotated[int, UserKnown, Field(ge=1)]
Query = Annotated[str, Field(min_length=1, max_length=256, pattern=r"\S")]

RepoInfo = TypedDict("RepoInfo", {"owner": str, "repo": str, "full_name": str, "description": str, "private": bool,
                                  "default_branch": str, "language": str, "stars": int, "forks": int,
                                  "fork_of": str | None, "url": str, "created_at": str})
Repos = TypedDict("Repos", {"total_count": int, "repositories": list[RepoInfo]})
Deleted = TypedDict("Deleted", {"owner": str, "repo": str, "deleted": bool})
BranchInfo = TypedDict("BranchInfo", {"branch": str, "sha": str, "protected": bool})
Branches = TypedDict("Branches", {"branches": list[BranchInfo]})
CommitInfo = TypedDict("CommitInfo", {"sha": str, "message": str, "author": str, "date": str, "parents": list[str]})
Commits = TypedDict("Commits", {"commits": list[CommitInfo]})
Contents = TypedDict("Contents", {"path": str, "type": str, "content": str, "encoding": str, "size": int, "sha": str,
                                  "branch": str, "entries": list[str]})
FileWrite = TypedDict("FileWrite", {"commit_sha": str, "file_sha": str, "path": str, "branch": str})
FileDelete = TypedDict("FileDelete", {"commit_sha": str, "path": str, "deleted": bool})
Push = TypedDict("Push", {"commit_sha": str, "files_changed": int, "branch": str})
FileIn = TypedDict("FileIn", {"path": str, "content": str})
Issue = TypedDict("Issue", {"owner": str, "repo": str, "issue_number": int, "title": str, "body": str,
                            "state": str, "author": str, "labels": list[str], "assignees": list[str], "locked": bool,
                            "comments": int, "created_at": str, "updated_at": str, "closed_at": str | None})
Issues = TypedDict("Issues", {"issues": list[Issue]})
Found = TypedDict("Found", {"repository": str, "number": int, "title": str, "state": str, "author": str,
                            "kind": str, "labels": list[str]})
FoundIssues = TypedDict("FoundIssues", {"total_count": int, "issues": list[Found]})
Comment = TypedDict("Comment", {"comment_id": int, "issue_number": int, "author": str, "body": str,
                                "created_at": str})
Pull = TypedDict("Pull", {"owner": str, "repo": str, "pull_number": int, "title": str, "body": str, "state": str,
                          "merged": bool, "draft": bool, "author": str, "head": str, "base": str,
                          "mergeable_state": str, "created_at": str, "updated_at": str, "merged_at": str | None,
                          "merge_commit_sha": str | None})
Pulls = TypedDict("Pulls", {"pull_requests": list[Pull]})
Review = TypedDict("Review", {"review_id": int, "pull_number": int, "reviewer": str, "state": str, "body": str,
                              "commit_id": str, "submitted_at": str})
Reviews = TypedDict("Reviews", {"reviews": list[Review]})
InlineIn = TypedDict("InlineIn", {"path": str, "line": int, "body": str})
Inline = TypedDict("Inline", {"comment_id": int, "review_id": int, "author": str, "path": str, "line": int,
                              "body": str, "created_at": str})
Inlines = TypedDict("Inlines", {"comments": list[Inline]})
PullFile = TypedDict("PullFile", {"filename": str, "status": str, "additions": int, "deletions": int})
PullFiles = TypedDict("PullFiles", {"files": list[PullFile]})
Check = TypedDict("Check", {"context": str, "state": str, "description": str})
PullStatus = TypedDict("PullStatus", {"pull_number": int, "state": str, "sha": str, "mergeable_state": str,
                                      "statuses": list[Check]})
Merge = TypedDict("Merge", {"pull_number": int, "merged": bool, "merge_commit_sha": str, "message": str})
Update = TypedDict("Update", {"pull_number": int, "updated": bool, "head_sha": str, "message": str})
Code = TypedDict("Code", {"repository": str, "path": str, "sha": str, "line": str})
CodeHits = TypedDict("CodeHits", {"total_count": int, "results": list[Code]})
User = TypedDict("User", {"login": str, "name": str, "type": str, "company": str, "location": str, "bio": str,
                          "followers": int})
UserHits = TypedDict("UserHits", {"total_count": int, "users": list[User]})
Me = TypedDict("Me", {"username": str, "name": str, "email": str, "company": str, "location": str, "bio": str,
                      "public_repos": int, "organizations": list[str]})


COMMON = {"owner": "Account (user or organization) that owns the repository.", "repo": "Repository name.",
          "per_page": "Results per page (1-100).", "page": "Page number.", "order": "desc or asc.",
          "direction": "desc or asc.", "pull_number": "The pull request's number.",
          "issue_number": "The issue's number."}


def gh(writes: bool = False, phrase: list[str] | None = None) -> Any:
    """:func:`tool`, with the parameters every GitHub call shares described once (in :data:`COMMON`)."""
    def mark(fn: Any) -> Any:
        doc = inspect.getdoc(fn) or ""
        extra = [f"    {p}: {COMMON[p]}" for p in list(inspect.signature(fn).parameters)[1:]
                 if p in COMMON and f"\n    {p}:" not in doc]
        fn.__doc__ = doc + ("" if not extra else ("\n" if "Args:" in doc else "\n\nArgs:\n") + "\n".join(extra))
        return tool(fn, writes=writes, phrase=phrase)
    return mark


def blob(content: str) -> str:
    return hashlib.sha1(f"blob {len(content)}\0{content}".encode()).hexdigest()[:12]


def parse_query(q: str) -> tuple[str, dict[str, str]]:
    """Free text and ``key:value`` qualifiers of a GitHub search query."""
    words, quals = [], {}
    for token in q.split():
        key, sep, value = token.partition(":")
        if sep and key.lower() in {"user", "org", "repo", "language", "stars", "is", "label", "author", "assignee",
                                   "path", "extension", "type", "location", "in", "fork", "state"} and value:
            quals[key.lower() if key.lower() != "is" or value not in ("issue", "pr") else "kind"] = value
        else:
            words.append(token)
    return " ".join(words).lower(), quals


def number_matches(value: int, spec: str) -> bool:
    try:
        if ".." in spec:
            low, high = spec.split("..")
            return int(low) <= value <= int(high)
        for op, test in ((">=", int.__ge__), ("<=", int.__le__), (">", int.__gt__), ("<", int.__lt__)):
            if spec.startswith(op):
                return test(value, int(spec[len(op):]))
        return value == int(spec)
    except ValueError:
        raise ToolError(f"cannot read the number range '{spec}': use N, >N, >=N, <N or N..M") from None


class GitHubServer(World):
    """GitHub as seen by the signed-in user (get_github_user_info): public and private repositories of users and
    organizations, branches with commits and files, issues with labels and comments, pull requests with reviews,
    status checks and merges. Only a repository's owner, its organization's members and its collaborators can
    push, merge, label or assign; anyone may fork a public repository, open issues and comment."""

    schema = """
    CREATE TABLE users (login TEXT PRIMARY KEY, name TEXT, email TEXT, company TEXT, location TEXT, bio TEXT,
                        type TEXT NOT NULL, followers INTEGER NOT NULL);
    CREATE TABLE viewer (login TEXT PRIMARY KEY REFERENCES users);
    CREATE TABLE members (org TEXT NOT NULL, login TEXT NOT NULL, PRIMARY KEY (org, login));
    CREATE TABLE repos (owner TEXT NOT NULL, repo TEXT NOT NULL, description TEXT NOT NULL, private INTEGER NOT NULL,
                        default_branch TEXT NOT NULL, language TEXT NOT NULL, stars INTEGER NOT NULL,
                        forks INTEGER NOT NULL, fork_of TEXT, created_at TEXT NOT NULL, PRIMARY KEY (owner, repo));
    CREATE TABLE collaborators (owner TEXT, repo TEXT, login TEXT, PRIMARY KEY (owner, repo, login));
    CREATE TABLE branches (owner TEXT, repo TEXT, branch TEXT, sha TEXT NOT NULL, protected INTEGER NOT NULL DEFAULT 0,
                           PRIMARY KEY (owner, repo, branch));
    CREATE TABLE commits (owner TEXT, repo TEXT, sha TEXT, parents TEXT NOT NULL, message TEXT NOT NULL,
                          author TEXT NOT NULL, date TEXT NOT NULL, paths TEXT NOT NULL, PRIMARY KEY (owner, repo, sha));
    CREATE TABLE files (owner TEXT, repo TEXT, ref TEXT, path TEXT, content TEXT NOT NULL, sha TEXT NOT NULL,
                        PRIMARY KEY (owner, repo, ref, path));
    CREATE TABLE issues (owner TEXT, repo TEXT, issue_number INTEGER, title TEXT NOT NULL, body TEXT NOT NULL,
                         state TEXT NOT NULL, author TEXT NOT NULL, labels TEXT NOT NULL, assignees TEXT NOT NULL,
                         locked INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, closed_at TEXT,
                         PRIMARY KEY (owner, repo, issue_number));
    CREATE TABLE comments (comment_id INTEGER PRIMARY KEY, owner TEXT, repo TEXT, issue_number INTEGER,
                           author TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE INDEX comments_by_issue ON comments (owner, repo, issue_number);
    CREATE TABLE pulls (owner TEXT, repo TEXT, pull_number INTEGER, title TEXT NOT NULL, body TEXT NOT NULL,
                        state TEXT NOT NULL, merged INTEGER NOT NULL, draft INTEGER NOT NULL, author TEXT NOT NULL,
                        head_owner TEXT NOT NULL, head_repo TEXT NOT NULL, head TEXT NOT NULL, base TEXT NOT NULL,
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, merged_at TEXT, merge_commit_sha TEXT,
                        PRIMARY KEY (owner, repo, pull_number));
    CREATE TABLE reviews (review_id INTEGER PRIMARY KEY, owner TEXT, repo TEXT, pull_number INTEGER,
                          reviewer TEXT NOT NULL, state TEXT NOT NULL, body TEXT NOT NULL, commit_id TEXT NOT NULL,
                          submitted_at TEXT NOT NULL);
    CREATE INDEX reviews_by_pull ON reviews (owner, repo, pull_number);
    CREATE TABLE review_comments (comment_id INTEGER PRIMARY KEY, owner TEXT, repo TEXT, pull_number INTEGER,
                                  review_id INTEGER NOT NULL, author TEXT NOT NULL, path TEXT NOT NULL,
                                  line INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE checks (owner TEXT, repo TEXT, sha TEXT, context TEXT, state TEXT NOT NULL, description TEXT NOT NULL,
                         PRIMARY KEY (owner, repo, sha, context));
    """
    text_search = {"users": ("login", "name"), "files": ("content",), "issues": ("title", "body"),
                   "pulls": ("title", "body")}
    volatile = {"repos": ("created_at",), "commits": ("date",), "issues": ("created_at", "updated_at", "closed_at"),
                "comments": ("created_at",), "pulls": ("created_at", "updated_at", "merged_at"),
                "reviews": ("submitted_at",), "review_comments": ("created_at",)}
    ungraded = ("viewer",)

    # ------------------------------------------------------------------------------------------------ seed data
    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        def when(least: int, most: int) -> str:
            day = cls.days_before_start(rng, least, most)
            return f"{day.isoformat()}T{rng.randrange(7, 23):02d}:{rng.randrange(60):02d}:00Z"

        users, logins = [], []
        while len(users) < 36:
            first, last = fake.first_name(), fake.last_name()
            login = rng.choice([f"{first[0]}{last}", f"{first}-{last}", f"{last}{rng.randrange(10, 99)}"]).lower()
            if login not in logins:
                logins.append(login)
                users.append({"login": login, "name": f"{first} {last}", "email": f"{login}@{fake.free_email_domain()}",
                              "company": fake.company(), "location": f"{fake.city()}, {fake.country_code()}",
                              "bio": f"{fake.job()}.", "type": "User", "followers": rng.randrange(0, 900)})
        orgs = [f"{w}-{s}" for w, s in zip(rng.sample(WORDS, 4), rng.sample(["labs", "group", "project", "ai"], 4))]
        users += [{"login": o, "name": o.replace("-", " ").title(), "email": f"hello@{o}.org", "company": "",
                   "location": fake.city(), "bio": f"Open-source {o.split('-')[0]} research software.",
                   "type": "Organization", "followers": rng.randrange(50, 5000)} for o in orgs]
        me = logins[0]
        members = [(o, m) for o in orgs for m in sorted({*rng.sample(logins[1:], 4), *([me] if o in orgs[:2] else [])})]
        db["users"].insert_all(users)
        db["viewer"].insert({"login": me})
        db["members"].insert_all({"org": o, "login": m} for o, m in members)
        owners = [me] * 5 + orgs * 2 + rng.sample(logins[1:], 17)
        repos, rows = [], {k: [] for k in ("collaborators", "branches", "commits", "files", "issues", "comments",
                                           "pulls", "reviews", "review_comments", "checks")}
        ids = {"comments": 1_500_000_000, "reviews": 2_100_000_000, "review_comments": 1_800_000_000}

        def next_id(kind: str) -> int:
            ids[kind] += rng.randrange(1, 900)
            return ids[kind]

        for index, owner in enumerate(owners):
            name = f"{rng.choice(WORDS)}-{rng.choice(SUFFIX)}"
            if any(r["owner"] == owner and r["repo"] == name for r in repos):
                continue
            people = [u for o, u in members if o == owner] or [owner]
            outsiders = [u for u in logins if u not in people]
            collab = rng.sample(outsiders, rng.randrange(0, 3)) + ([me] if index in (12, 20, 25) else [])
            writers = [*people, *collab]
            key = {"owner": owner, "repo": name}
            repos.append({**key, "description": f"{fake.catch_phrase()} for {rng.choice(WORDS)} research",
                          "private": int(rng.random() < 0.15 or index == 4), "default_branch": "main",
                          "language": rng.choice(LANGS), "stars": rng.randrange(0, 4000), "forks": rng.randrange(0, 300),
                          "fork_of": None, "created_at": when(200, 1500)})
            rows["collaborators"] += [{**key, "login": c} for c in sorted(set(collab))]
            pkg = name.split("-")[0]
            tree = {"README.md": f"# {name}\n\n{repos[-1]['description']}.\n", "LICENSE": "MIT License\n",
                    f"src/{pkg}/__init__.py": '__version__ = "0.1.0"\n',
                    f"src/{pkg}/core.py": f"def run_{pkg}(data):\n    return data\n",
                    f"tests/test_{pkg}.py": f"from {pkg}.core import run_{pkg}\n", "docs/usage.md": "# Usage\n"}
            history: list[str] = []

            def commit(branch_tree: dict[str, str], parents: list[str], paths: list[str], message: str,
                       author: str, date: str) -> str:
                sha = fake_id(rng, "")
                rows["commits"].append({**key, "sha": sha, "parents": " ".join(parents), "message": message,
                                        "author": author, "date": date, "paths": json.dumps(sorted(paths))})
                return sha

            def change(branch_tree: dict[str, str], author: str) -> tuple[str, str]:
                path = rng.choice(sorted(branch_tree))
                word = rng.choice(WORDS)
                branch_tree[path] += f"# {word}: {fake.sentence(nb_words=5)}\n"
                return path, rng.choice([f"Update {path}", f"Handle {word} case in {path.rsplit('/', 1)[-1]}",
                                         f"Tidy {path}", f"Add {word} notes to {path}"])

            days = sorted(rng.sample(range(20, 190), 12), reverse=True)
            history.append(commit(tree, [], list(tree), "Initial commit", owner if owner in logins else people[0],
                                  when(days[0], days[0])))
            for day in days[1:rng.randrange(4, 9)]:
                path, message = change(tree, rng.choice(writers))
                history.append(commit(tree, [history[-1]], [path], message, rng.choice(writers), when(day, day)))
            features = []
            for pattern in rng.sample(BRANCHES, rng.randrange(1, 4)):
                branch, ftree, head = pattern.format(w=rng.choice(WORDS)), dict(tree), history[-1]
                author = rng.choice(writers)
                for _ in range(rng.randrange(1, 4)):
                    path, message = change(ftree, author)
                    head = commit(ftree, [head], [path], message, author, when(8, 15))
                features.append((branch, ftree, head, author))
            for _ in range(rng.randrange(0, 3)):
                path, message = change(tree, rng.choice(writers))
                history.append(commit(tree, [history[-1]], [path], message, rng.choice(writers), when(2, 7)))
            for branch, btree, sha in [("main", tree, history[-1])] + [f[:3] for f in features]:
                rows["branches"].append({**key, "branch": branch, "sha": sha, "protected": int(branch == "main" and owner != me)})
                rows["files"] += [{**key, "ref": branch, "path": p, "content": c, "sha": blob(c)}
                                  for p, c in btree.items()]
            number = 0
            for _ in range(rng.randrange(3, 9)):
                number += 1
                state = rng.choice(["open", "open", "closed"])
                created = when(10, 180)
                rows["issues"].append({**key, "issue_number": number, "title": rng.choice(ISSUES).format(w=pkg),
                                       "body": fake.paragraph(nb_sentences=2), "state": state,
                                       "author": rng.choice(logins), "locked": int(rng.random() < 0.1),
                                       "labels": ",".join(sorted(rng.sample(LABELS, rng.randrange(0, 3)))),
                                       "assignees": ",".join(rng.sample(writers, rng.randrange(0, 2))),
                                       "created_at": created, "updated_at": created,
                                       "closed_at": when(1, 9) if state == "closed" else None})
                rows["comments"] += [{"comment_id": next_id("comments"), **key, "issue_number": number,
                                      "author": rng.choice(logins), "body": fake.sentence(nb_words=10),
                                      "created_at": when(1, 9)} for _ in range(rng.randrange(0, 4))]
            for branch, _, head, author in features:
                number += 1
                title = branch.split("/", 1)[1].replace("-", " ").capitalize()
                pull = {**key, "pull_number": number, "title": title, "body": fake.paragraph(nb_sentences=2),
                        "state": "open", "merged": 0, "draft": int(rng.random() < 0.15), "author": author,
                        "head_owner": owner, "head_repo": name, "head": branch, "base": "main",
                        "created_at": when(6, 8), "updated_at": when(1, 5), "merged_at": None,
                        "merge_commit_sha": None}
                if rng.random() < 0.85:
                    rows["pulls"].append(pull)
                for context in ("ci/tests", "lint"):
                    rows["checks"].append({**key, "sha": head, "context": context, "state": rng.choice(
                        ["success", "success", "success", "failure", "pending"]), "description": f"{context} run"})
                others = [w for w in writers if w != author]  # fewer than len(writers) - 1 when I am listed twice
                for reviewer in rng.sample(others, min(2, len(writers) - 1, len(others))):
                    review = next_id("reviews")
                    verdict = rng.choice(["APPROVED", "CHANGES_REQUESTED", "COMMENTED"])
                    rows["reviews"].append({"review_id": review, **key, "pull_number": number, "reviewer": reviewer,
                                            "state": verdict, "body": fake.sentence(nb_words=8), "commit_id": head,
                                            "submitted_at": when(1, 5)})
                    if verdict != "APPROVED":
                        rows["review_comments"].append({
                            "comment_id": next_id("review_comments"), **key, "pull_number": number,
                            "review_id": review, "author": reviewer, "path": rng.choice(sorted(tree)),
                            "line": 1, "body": fake.sentence(nb_words=9), "created_at": when(1, 5)})
        db["repos"].insert_all(repos)
        for table, items in rows.items():
            if items:
                db[table].insert_all(items)

    # ------------------------------------------------------------------------------------------------- helpers
    def _me(self) -> str:
        return self.value("SELECT login FROM viewer")

    def _writer(self, repo: dict[str, Any], login: str | None = None) -> bool:
        login = login or self._me()
        return login == repo["owner"] or bool(self.row(
            "SELECT 1 FROM collaborators WHERE owner = ?1 AND repo = ?2 AND login = ?3 UNION "
            "SELECT 1 FROM members WHERE org = ?1 AND login = ?3", repo["owner"], repo["repo"], login))

    def _repo(self, owner: str, repo: str, access: Literal["read", "write", "admin"] = "read") -> dict[str, Any]:
        found = self.row("SELECT * FROM repos WHERE owner = ? AND repo = ?", owner, repo)
        if found is None or (found["private"] and not self._writer(found)):
            raise ToolError(f"repository {owner}/{repo} not found (or it is private and you have no access); "
                            "search_repositories finds repositories")
        if access == "write" and not self._writer(found):
            raise ToolError(f"you ({self._me()}) have no push access to {owner}/{repo}: only its owner and "
                            "collaborators can change it; fork it and open a pull request instead")
        if access == "admin" and found["owner"] != self._me() and not self.row(
                "SELECT 1 FROM members WHERE org = ? AND login = ?", owner, self._me()):
            raise ToolError(f"only the owner of {owner}/{repo} can delete it; you are not its admin")
        return found

    def _branch(self, owner: str, repo: str, branch: str) -> dict[str, Any]:
        return self.require("SELECT * FROM branches WHERE owner = ? AND repo = ? AND branch = ?", owner, repo, branch,
                            error=f"branch '{branch}' not found in {owner}/{repo}; list_branches shows its branches")

    def _tree(self, owner: str, repo: str, branch: str) -> dict[str, str]:
        return {r["path"]: r["content"] for r in self.rows(
            "SELECT path, content FROM files WHERE owner = ? AND repo = ? AND ref = ?", owner, repo, branch)}

    def _ancestry(self, owner: str, repo: str, sha: str) -> dict[str, list[str]]:
        """Every commit reachable from ``sha`` with the paths it touched."""
        graph = {r["sha"]: r for r in self.rows("SELECT sha, parents, paths FROM commits WHERE owner = ? AND repo = ?",
                                                owner, repo)}
        seen, todo = {}, [sha]
        while todo:
            current = todo.pop()
            if current in seen or current not in graph:
                continue
            seen[current] = json.loads(graph[current]["paths"])
            todo += graph[current]["parents"].split()
        return seen

    def _commit(self, owner: str, repo: str, branch: str, parents: list[str], paths: list[str], message: str) -> str:
        sha = self.new_id("commits", "")
        self.execute("INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?, ?, ?)", owner, repo, sha, " ".join(parents),
                     message, self._me(), self._at(), json.dumps(sorted(set(paths))))
        self.upsert("branches", {"owner": owner, "repo": repo, "branch": branch}, {"sha": sha})
        return sha

    def _at(self) -> str:
        return self.now().strftime(TIME)

    def _put(self, owner: str, repo: str, branch: str, path: str, content: str | None) -> None:
        if content is None:
            self.execute("DELETE FROM files WHERE owner = ? AND repo = ? AND ref = ? AND path = ?",
                         owner, repo, branch, path)
        else:
            self.upsert("files", {"owner": owner, "repo": repo, "ref": branch, "path": path},
                        {"content": content, "sha": blob(content)})

    def _head_for_write(self, owner: str, repo: str, branch: str) -> list[str]:
        """Parents for a new commit on ``branch``; an empty repository gets its default branch this way."""
        found = self._repo(owner, repo, "write")
        head = self.row("SELECT sha FROM branches WHERE owner = ? AND repo = ? AND branch = ?", owner, repo, branch)
        if head and self.value("SELECT protected FROM branches WHERE owner = ? AND repo = ? AND branch = ?", owner,
                               repo, branch):
            raise ToolError(f"branch '{branch}' of {owner}/{repo} is protected: commit to another branch "
                            "(create_branch) and open a pull request")
        if head:
            return [head["sha"]]
        if branch == found["default_branch"] and not self.value(
                "SELECT COUNT(*) FROM branches WHERE owner = ? AND repo = ?", owner, repo):
            return []
        self._branch(owner, repo, branch)
        return []

    def _repo_info(self, r: dict[str, Any]) -> RepoInfo:
        return {"owner": r["owner"], "repo": r["repo"], "full_name": f"{r['owner']}/{r['repo']}",
                "description": r["description"], "private": bool(r["private"]), "default_branch": r["default_branch"],
                "language": r["language"], "stars": r["stars"], "forks": r["forks"], "fork_of": r["fork_of"],
                "url": f"https://github.com/{r['owner']}/{r['repo']}", "created_at": r["created_at"]}

    def _issue(self, owner: str, repo: str, number: int) -> dict[str, Any]:
        self._repo(owner, repo)
        if self.row("SELECT 1 FROM pulls WHERE owner = ? AND repo = ? AND pull_number = ?", owner, repo, number):
            raise ToolError(f"#{number} in {owner}/{repo} is a pull request, not an issue; use the pull request tools")
        return self.require("SELECT * FROM issues WHERE owner = ? AND repo = ? AND issue_number = ?", owner, repo,
                            number, error=f"issue #{number} not found in {owner}/{repo}; list_issues shows its issues")

    def _issue_out(self, r: dict[str, Any]) -> Issue:
        count = self.value("SELECT COUNT(*) FROM comments WHERE owner = ? AND repo = ? AND issue_number = ?",
                           r["owner"], r["repo"], r["issue_number"])
        return {**{k: r[k] for k in ("owner", "repo", "issue_number", "title", "body", "state", "author",
                                     "created_at", "updated_at", "closed_at")},
                "labels": [x for x in r["labels"].split(",") if x], "locked": bool(r["locked"]),
                "assignees": [x for x in r["assignees"].split(",") if x], "comments": count}

    def _pull(self, owner: str, repo: str, number: int) -> dict[str, Any]:
        self._repo(owner, repo)
        return self.require("SELECT * FROM pulls WHERE owner = ? AND repo = ? AND pull_number = ?", owner, repo,
                            number, error=f"pull request #{number} not found in {owner}/{repo}; "
                                          "list_pull_requests shows its pull requests")

    def _compare(self, p: dict[str, Any]) -> dict[str, Any]:
        """Head and base of a pull request: commits ahead/behind, paths changed on each side, conflicts."""
        head = self.row("SELECT sha FROM branches WHERE owner = ? AND repo = ? AND branch = ?",
                        p["head_owner"], p["head_repo"], p["head"])
        base = self._branch(p["owner"], p["repo"], p["base"])["sha"]
        if head is None:
            return {"head_sha": "", "base_sha": base, "ahead": {}, "behind": {}, "conflicts": [], "head_paths": set(),
                    "base_paths": set(), "head_tree": {}, "base_tree": {}}
        mine = self._ancestry(p["head_owner"], p["head_repo"], head["sha"])
        theirs = self._ancestry(p["owner"], p["repo"], base)
        ahead = {s: v for s, v in mine.items() if s not in theirs}
        behind = {s: v for s, v in theirs.items() if s not in mine}
        head_paths = {x for v in ahead.values() for x in v}
        base_paths = {x for v in behind.values() for x in v}
        head_tree = self._tree(p["head_owner"], p["head_repo"], p["head"])
        base_tree = self._tree(p["owner"], p["repo"], p["base"])
        conflicts = sorted(x for x in head_paths & base_paths if head_tree.get(x) != base_tree.get(x))
        return {"head_sha": head["sha"], "base_sha": base, "ahead": ahead, "behind": behind, "conflicts": conflicts,
                "head_paths": head_paths, "base_paths": base_paths, "head_tree": head_tree, "base_tree": base_tree}

    def _checks(self, p: dict[str, Any], sha: str) -> list[Check]:
        return self.rows("SELECT context, state, description FROM checks WHERE owner = ? AND repo = ? AND sha = ? "
                         "ORDER BY context", p["head_owner"], p["head_repo"], sha)

    def _mergeable(self, p: dict[str, Any], cmp: dict[str, Any]) -> str:
        if p["state"] != "open":
            return "merged" if p["merged"] else "closed"
        if not cmp["head_sha"]:
            return "unknown"
        if cmp["conflicts"]:
            return "dirty"
        if p["draft"]:
            return "draft"
        if any(c["state"] == "failure" for c in self._checks(p, cmp["head_sha"])):
            return "unstable"
        return "behind" if cmp["behind"] else "clean"

    def _pull_out(self, p: dict[str, Any]) -> Pull:
        state = self._mergeable(p, self._compare(p)) if p["state"] == "open" else self._mergeable(p, {})
        head = p["head"] if p["head_owner"] == p["owner"] else f"{p['head_owner']}:{p['head']}"
        return {**{k: p[k] for k in ("owner", "repo", "pull_number", "title", "body", "state", "author", "base",
                                     "created_at", "updated_at", "merged_at", "merge_commit_sha")},
                "merged": bool(p["merged"]), "draft": bool(p["draft"]), "head": head, "mergeable_state": state}

    def _next_number(self, owner: str, repo: str) -> int:
        return 1 + max(self.value("SELECT COALESCE(MAX(issue_number), 0) FROM issues WHERE owner = ? AND repo = ?",
                                  owner, repo),
                       self.value("SELECT COALESCE(MAX(pull_number), 0) FROM pulls WHERE owner = ? AND repo = ?",
                                  owner, repo))

    def _new_row_id(self, table: str, column: str) -> int:
        new = self.value(f"SELECT MAX({column}) FROM {table}") + 1
        self.mark_generated(table, new)
        return new

    def _people(self, repo: dict[str, Any], assignees: list[str], labels: list[str]) -> None:
        if (assignees or labels) and not self._writer(repo):
            raise ToolError(f"only collaborators of {repo['owner']}/{repo['repo']} can set labels or assignees")
        for login in assignees:
            if not self._writer(repo, login):
                raise ToolError(f"cannot assign '{login}': assignees must have push access to "
                                f"{repo['owner']}/{repo['repo']}")

    # ------------------------------------------------------------------------------------------------- users
    @gh(phrase=["show my GitHub profile", "look up the account I am signed in with on GitHub"])
    def get_github_user_info(self) -> Me:
        """The signed-in user's profile: login, name, email, company, location and organizations."""
        me = self.row("SELECT * FROM users WHERE login = ?", self._me())
        return {"username": me["login"], **{k: me[k] for k in ("name", "email", "company", "location", "bio")},
                "public_repos": self.value("SELECT COUNT(*) FROM repos WHERE owner = ? AND private = 0", me["login"]),
                "organizations": [r["org"] for r in self.rows("SELECT org FROM members WHERE login = ? ORDER BY org",
                                                              me["login"])]}

    @gh(phrase=["find GitHub users matching {q}", "look for GitHub accounts named {q}"])
    def search_users(self, q: Query, sort: Literal["followers", "joined"] = "followers",
                     order: Literal["desc", "asc"] = "desc", per_page: PER_PAGE = 30, page: PAGE = 1) -> UserHits:
        """Search users and organizations by login or name; qualifiers type:user|org and location:TEXT.

        Args:
            q: Search text with optional qualifiers, e.g. "smith type:user location:Berlin".
            sort: Order by follower count (joined is by login here)."""
        text, quals = parse_query(q)
        kind = {"user": "User", "org": "Organization"}.get(quals.get("type", "").lower())
        matches, params = self.text_filter("users", text)
        location = like_pattern(quals["location"]) if "location" in quals else None
        rows = self.rows("SELECT login, name, type, company, location, bio, followers FROM users WHERE "
                         f"{matches} AND (? IS NULL OR type = ?) AND (? IS NULL OR location LIKE ? ESCAPE '\\')"
                         " ORDER BY " + ("followers" if sort == "followers" else "login") +
                         (" DESC" if order == "desc" else ""), *params, kind, kind, location, location)
        return {"total_count": len(rows), "users": rows[(page - 1) * per_page:page * per_page]}

    # ------------------------------------------------------------------------------------------------- repositories
    @gh(phrase=["list my repositories", "show the repos I own[, sorted by {sort}]"])
    def list_user_repositories(self, type: Literal["owner", "all", "member", "public", "private"] = "owner",
                               sort: Literal["full_name", "created", "stars"] = "full_name",
                               direction: Literal["asc", "desc"] = "asc", per_page: PER_PAGE = 30,
                               page: PAGE = 1) -> Repos:
        """Repositories of the signed-in user: owned, or where they are a collaborator or organization member.

        Args:
            type: owner (own repositories), member (others' repositories you can push to), all, public or private.
            sort: Order by full name, creation time or stars."""
        me = self._me()
        rows = [r for r in self.rows("SELECT * FROM repos") if self._writer(r)]
        keep = {"owner": lambda r: r["owner"] == me, "member": lambda r: r["owner"] != me,
                "public": lambda r: not r["private"], "private": lambda r: r["private"], "all": lambda r: True}[type]
        order = {"full_name": lambda r: (r["owner"], r["repo"]), "created": lambda r: r["created_at"],
                 "stars": lambda r: r["stars"]}[sort]
        rows = sorted(filter(keep, rows), key=order, reverse=direction == "desc")
        return {"total_count": len(rows),
                "repositories": [self._repo_info(r) for r in rows[(page - 1) * per_page:page * per_page]]}

    @gh(phrase=["search GitHub for repositories about {q}", "find repositories matching {q}[ sorted by {sort}]"])
    def search_repositories(self, q: Query, sort: Literal["stars", "forks", "updated", "best-match"] = "best-match",
                            order: Literal["desc", "asc"] = "desc", per_page: PER_PAGE = 30,
                            page: PAGE = 1) -> Repos:
        """Search repositories you can see by name and description; qualifiers user:, org:, language:, stars:>N,
        fork:true, is:public|private.

        Args:
            q: Search text with optional qualifiers, e.g. "graph language:Python stars:>100".
            sort: stars, forks, updated or best-match (by name)."""
        text, quals = parse_query(q)
        owner = quals.get("user") or quals.get("org")
        rows = []
        for r in self.rows("SELECT * FROM repos ORDER BY owner, repo"):
            visible = not r["private"] or self._writer(r)
            if (visible and (text in f"{r['owner']}/{r['repo']} {r['description']}".lower())
                    and (not owner or r["owner"].lower() == owner.lower())
                    and quals.get("language", r["language"]).lower() == r["language"].lower()
                    and ("stars" not in quals or number_matches(r["stars"], quals["stars"]))
                    and (quals.get("fork") != "true" or r["fork_of"])
                    and quals.get("is", "private" if r["private"] else "public") == ("private" if r["private"]
                                                                                   else "public")):
                rows.append(r)
        if sort != "best-match":
            key = {"stars": "stars", "forks": "forks", "updated": "created_at"}[sort]
            rows.sort(key=lambda r: r[key], reverse=order == "desc")
        return {"total_count": len(rows),
                "repositories": [self._repo_info(r) for r in rows[(page - 1) * per_page:page * per_page]]}

    @gh(writes=True, phrase=["create a new repository called {name}[ described as {description}]",
                               "make a [private ]GitHub repo named {name}[ with the description {description}]"])
    def create_repository(self, name: RepoName, description: str = "", private: bool = False,
                          autoInit: bool = False) -> RepoInfo:
        """Create a repository owned by the signed-in user; autoInit adds a first commit with a README on main.

        Args:
            name: Repository name; other characters than letters, digits, '.', '-', '_' become '-'.
            description: One-line description.
            private: Whether only you and collaborators can see it.
            autoInit: Create the main branch with an initial README.md commit."""
        me, name = self._me(), re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip()).strip("-")
        if self.row("SELECT 1 FROM repos WHERE owner = ? AND repo = ? COLLATE NOCASE", me, name):
            raise ToolError(f"name already exists on this account: {me}/{name}; pick another name")
        self.execute("INSERT INTO repos VALUES (?, ?, ?, ?, 'main', '', 0, 0, NULL, ?)", me, name, description,
                     int(private), self._at())
        if autoInit:
            readme = f"# {name}\n\n{description}\n" if description else f"# {name}\n"
            self._put(me, name, "main", "README.md", readme)
            self._commit(me, name, "main", [], ["README.md"], "Initial commit")
        return self._repo_info(self._repo(me, name))

    @gh(writes=True, phrase=["delete the repository {owner}/{repo}", "permanently remove the repo {owner}/{repo}"])
    def delete_repository(self, owner: Owner, repo: Repo) -> Deleted:
        """Delete a repository with its branches, issues and pull requests (owner or organization member only)."""
        self._repo(owner, repo, "admin")
        for table in ("repos", "collaborators", "branches", "commits", "files", "issues", "comments", "pulls",
                      "reviews", "review_comments", "checks"):
            self.execute(f"DELETE FROM {table} WHERE owner = ? AND repo = ?", owner, repo)
        return {"owner": owner, "repo": repo, "deleted": True}

    @gh(writes=True, phrase=["fork {owner}/{repo}[ into the {organization} organization]",
                               "make my own copy of the repository {owner}/{repo}"])
    def fork_repository(self, owner: Owner, repo: Repo, organization: str | None = None) -> RepoInfo:
        """Fork a repository into your account (or an organization you belong to), with all its branches.

        Args:
            organization: Organization to fork into instead of your account."""
        source, me = self._repo(owner, repo), self._me()
        target = organization or me
        if organization and not self.row("SELECT 1 FROM members WHERE org = ? AND login = ?", organization, me):
            raise ToolError(f"you are not a member of the organization '{organization}'")
        if target == owner:
            raise ToolError(f"{owner}/{repo} already belongs to {target}; a repository cannot be forked into its owner")
        existing = self.row("SELECT * FROM repos WHERE owner = ? AND fork_of = ?", target, f"{owner}/{repo}")
        if existing:
            return self._repo_info(existing)
        name, n = repo, 0
        while self.row("SELECT 1 FROM repos WHERE owner = ? AND repo = ?", target, name):
            n += 1
            name = f"{repo}-{n}"
        self.execute("INSERT INTO repos SELECT ?, ?, description, private, default_branch, language, 0, 0, ?, ? "
                     "FROM repos WHERE owner = ? AND repo = ?", target, name, f"{owner}/{repo}", self._at(), owner, repo)
        for table, columns in (("branches", "branch, sha, protected"), ("files", "ref, path, content, sha"),
                               ("commits", "sha, parents, message, author, date, paths")):
            self.execute(f"INSERT INTO {table} SELECT ?, ?, {columns} FROM {table} WHERE owner = ? AND repo = ?",
                         target, name, owner, repo)
        self.execute("UPDATE repos SET forks = forks + 1 WHERE owner = ? AND repo = ?", owner, repo)
        return self._repo_info(self._repo(target, name))

    # ------------------------------------------------------------------------------------------------- branches
    @gh(phrase=["list the branches of {owner}/{repo}", "show the branches of the {owner}/{repo} repository"])
    def list_branches(self, owner: Owner, repo: Repo, per_page: PER_PAGE = 30, page: PAGE = 1) -> Branches:
        """Branches of a repository with their head commit."""
        self._repo(owner, repo)
        rows = self.rows("SELECT branch, sha, protected FROM branches WHERE owner = ? AND repo = ? ORDER BY branch "
                         "LIMIT ? OFFSET ?", owner, repo, per_page, (page - 1) * per_page)
        return {"branches": [{**r, "protected": bool(r["protected"])} for r in rows]}

    @gh(writes=True, phrase=["create a branch {branch} in {owner}/{repo}[ from {from_branch}]",
                               "start a new branch called {branch} on {owner}/{repo}[ off {from_branch}]"])
    def create_branch(self, owner: Owner, repo: Repo, branch: Branch, from_branch: Branch | None = None) -> BranchInfo:
        """Create a branch pointing at the head of another branch (default: the repository's default branch).

        Args:
            branch: Name of the new branch.
            from_branch: Branch to start from."""
        found = self._repo(owner, repo, "write")
        source = self._branch(owner, repo, from_branch or found["default_branch"])
        if self.row("SELECT 1 FROM branches WHERE owner = ? AND repo = ? AND branch = ?", owner, repo, branch):
            raise ToolError(f"reference already exists: branch '{branch}' is already in {owner}/{repo}")
        self.execute("INSERT INTO branches VALUES (?, ?, ?, ?, 0)", owner, repo, branch, source["sha"])
        self.execute("INSERT INTO files SELECT owner, repo, ?, path, content, sha FROM files WHERE owner = ? AND "
                     "repo = ? AND ref = ?", branch, owner, repo, source["branch"])
        return {"branch": branch, "sha": source["sha"], "protected": False}

    @gh(phrase=["show the recent commits of {owner}/{repo}[ by {author}]",
                  "show who changed {path} in {owner}/{repo} lately"])
    def list_commits(self, owner: Owner, repo: Repo, sha: Annotated[str, Field(min_length=1)] | None = None, path: Path | None = None,
                     author: str | None = None, since: str | None = None, until: str | None = None,
                     per_page: PER_PAGE = 30, page: PAGE = 1) -> Commits:
        """Commits reachable from a branch (default branch unless given), newest first.

        Args:
            sha: Branch name or commit sha to start from.
            path: Only commits that touched this file.
            author: Only commits by this login.
            since: Only commits at or after this ISO time (e.g. 2026-02-01T00:00:00Z).
            until: Only commits at or before this ISO time."""
        found = self._repo(owner, repo)
        start = sha or found["default_branch"]
        head = self.value("SELECT sha FROM branches WHERE owner = ? AND repo = ? AND branch = ?", owner, repo, start)
        if head is None and not self.row("SELECT 1 FROM commits WHERE owner = ? AND repo = ? AND sha = ?",
                                         owner, repo, start):
            raise ToolError(f"no branch or commit '{start}' in {owner}/{repo}; list_branches shows its branches")
        reach = self._ancestry(owner, repo, head or start)
        rows = [r for r in self.rows("SELECT * FROM commits WHERE owner = ? AND repo = ? ORDER BY date DESC, sha",
                                     owner, repo) if r["sha"] in reach and (not path or path in json.loads(r["paths"]))
                and (not author or r["author"] == author) and (not since or r["date"] >= since)
                and (not until or r["date"] <= until)]
        return {"commits": [{"sha": r["sha"], "message": r["message"], "author": r["author"], "date": r["date"],
                             "parents": r["parents"].split()} for r in rows[(page - 1) * per_page:page * per_page]]}

    # ------------------------------------------------------------------------------------------------- files
    @gh(phrase=["show me {path} in {owner}/{repo}[ on {branch}]", "open the file {path} of {owner}/{repo}"])
    def get_file_contents(self, owner: Owner, repo: Repo, path: Path, branch: Branch | None = None) -> Contents:
        """A file's text and blob sha, or a directory's entries, on a branch (default branch unless given).

        Args:
            path: File or directory path, e.g. "src/app.py" or "docs".
            branch: Branch to read."""
        branch = self._branch(owner, repo, branch or self._repo(owner, repo)["default_branch"])["branch"]
        tree = self._tree(owner, repo, branch)
        if path in tree:
            return {"path": path, "type": "file", "content": tree[path], "encoding": "utf-8",
                    "size": len(tree[path].encode()), "sha": blob(tree[path]), "branch": branch, "entries": []}
        prefix = path.rstrip("/") + "/"
        entries = sorted({p[len(prefix):].split("/")[0] for p in tree if p.startswith(prefix)})
        if not entries:
            raise ToolError(f"no file or directory '{path}' on branch '{branch}' of {owner}/{repo}")
        return {"path": path, "type": "dir", "content": "", "encoding": "", "size": 0, "sha": "", "branch": branch,
                "entries": entries}

    @gh(writes=True, phrase=["add a file {path} to {owner}/{repo} on {branch} containing {content}",
                               "commit {path} with the text {content} to the {branch} branch of {owner}/{repo}"])
    def create_file(self, owner: Owner, repo: Repo, path: Path, content: str, message: NonEmptyStr, branch: Branch,
                    sha: str | None = None) -> FileWrite:
        """Create or update one file in a single commit; updating an existing file needs its current blob sha.

        Args:
            path: File path.
            content: The whole new content.
            message: Commit message.
            branch: Branch to commit to.
            sha: Current blob sha of the file (from get_file_contents), required when the file exists."""
        parents = self._head_for_write(owner, repo, branch)
        current = self.row("SELECT sha FROM files WHERE owner = ? AND repo = ? AND ref = ? AND path = ?",
                           owner, repo, branch, path)
        if current and sha is None:
            raise ToolError(f"'{path}' already exists on {branch}: pass its current sha (get_file_contents) to update it")
        if current and sha != current["sha"]:
            raise ToolError(f"sha '{sha}' does not match the current version of '{path}' on {branch}; read it again")
        if not current and sha:
            raise ToolError(f"'{path}' does not exist on {branch}; leave sha out to create it")
        self._put(owner, repo, branch, path, content)
        return {"commit_sha": self._commit(owner, repo, branch, parents, [path], message), "file_sha": blob(content),
                "path": path, "branch": branch}

    @gh(writes=True, phrase=["delete {path} from the {branch} branch of {owner}/{repo}",
                               "remove the file {path} in {owner}/{repo} on {branch}"])
    def delete_file(self, owner: Owner, repo: Repo, path: Path, message: NonEmptyStr, branch: Branch,
                    sha: str) -> FileDelete:
        """Delete one file in a commit; needs the file's current blob sha.

        Args:
            path: File path.
            message: Commit message.
            branch: Branch to commit to.
            sha: Current blob sha of the file (from get_file_contents)."""
        parents = self._head_for_write(owner, repo, branch)
        current = self.require("SELECT sha FROM files WHERE owner = ? AND repo = ? AND ref = ? AND path = ?",
                               owner, repo, branch, path, error=f"no file '{path}' on {branch} of {owner}/{repo}")
        if sha != current["sha"]:
            raise ToolError(f"sha '{sha}' does not match the current version of '{path}' on {branch}; read it again")
        self._put(owner, repo, branch, path, None)
        return {"commit_sha": self._commit(owner, repo, branch, parents, [path], message), "path": path,
                "deleted": True}

    @gh(writes=True, phrase=["push {files} to {branch} of {owner}/{repo} in one commit",
                               "commit these files to {owner}/{repo} on {branch}: {files}"])
    def push_files(self, owner: Owner, repo: Repo, branch: Branch,
                   files: Annotated[list[FileIn], Field(min_length=1, max_length=20)],
                   message: NonEmptyStr) -> Push:
        """Commit several files (created or overwritten) to a branch in one commit.

        Args:
            branch: Branch to commit to.
            files: The files, each {"path", "content"}.
            message: Commit message."""
        parents = self._head_for_write(owner, repo, branch)
        paths = [f["path"] for f in files]
        if len(set(paths)) != len(paths):
            raise ToolError("each path may appear only once in files")
        for f in files:
            if not f["path"].strip() or f["path"].startswith("/"):
                raise ToolError(f"invalid path '{f['path']}': use a relative path such as docs/notes.md")
            self._put(owner, repo, branch, f["path"], f["content"])
        return {"commit_sha": self._commit(owner, repo, branch, parents, paths, message), "files_changed": len(files),
                "branch": branch}

    @gh(phrase=["search code for {q}", "find which files mention {q}"])
    def search_code(self, q: Query, per_page: PER_PAGE = 30, page: PAGE = 1) -> CodeHits:
        """Search file contents on default branches of repositories you can see; qualifiers repo:OWNER/NAME,
        user:, path:, extension:.

        Args:
            q: Text to find with optional qualifiers, e.g. "run_graph repo:alice/graph-kit"."""
        text, quals = parse_query(q)
        if not text:
            raise ToolError("search_code needs some text to look for besides qualifiers")
        hits = []
        matches, params = self.text_filter("files", text)
        for f in self.rows("SELECT files.owner, files.repo, files.path, files.content, files.sha FROM files"
                           " JOIN repos r ON r.owner = files.owner AND r.repo = files.repo"
                           f" AND r.default_branch = files.ref WHERE {matches}"
                           " ORDER BY files.owner, files.repo, files.path", *params):
            full = f"{f['owner']}/{f['repo']}"
            if (quals.get("repo", full).lower() == full.lower() and quals.get("user", f["owner"]) == f["owner"]
                    and quals.get("path", "") in f["path"] and f["path"].endswith(quals.get("extension", ""))
                    and self._visible(f["owner"], f["repo"])):
                line = next((x for x in f["content"].splitlines() if text in x.lower()), f["content"].split("\n")[0])
                hits.append({"repository": full, "path": f["path"], "sha": f["sha"], "line": line.strip()})
        return {"total_count": len(hits), "results": hits[(page - 1) * per_page:page * per_page]}

    def _visible(self, owner: str, repo: str) -> bool:
        found = self.row("SELECT * FROM repos WHERE owner = ? AND repo = ?", owner, repo)
        return bool(found) and (not found["private"] or self._writer(found))

    # ------------------------------------------------------------------------------------------------- issues
    @gh(phrase=["list the {state} issues of {owner}/{repo}[ labelled {labels}]",
                  "show the open issues on {owner}/{repo}"])
    def list_issues(self, owner: Owner, repo: Repo, state: Literal["open", "closed", "all"] = "open",
                    labels: str | None = None, sort: Literal["created", "updated", "comments"] = "created",
                    direction: Literal["desc", "asc"] = "desc", since: str | None = None, per_page: PER_PAGE = 30,
                    page: PAGE = 1) -> Issues:
        """Issues of a repository (pull requests are listed by list_pull_requests).

        Args:
            state: open, closed or all.
            labels: Comma-separated labels an issue must all carry.
            sort: created, updated or comments.
            since: Only issues updated at or after this ISO time."""
        self._repo(owner, repo)
        wanted = {x.strip() for x in (labels or "").split(",") if x.strip()}
        rows = [self._issue_out(r) for r in self.rows("SELECT * FROM issues WHERE owner = ? AND repo = ?", owner, repo)
                if state in ("all", r["state"]) and wanted <= set(r["labels"].split(","))
                and (not since or r["updated_at"] >= since)]
        key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[sort]
        rows.sort(key=lambda r: (r[key], r["issue_number"]), reverse=direction == "desc")
        return {"issues": rows[(page - 1) * per_page:page * per_page]}

    @gh(phrase=["show issue #{issue_number} of {owner}/{repo}", "read issue {issue_number} on {owner}/{repo}"])
    def get_issue(self, owner: Owner, repo: Repo, issue_number: Number) -> Issue:
        """One issue with its labels, assignees and comment count."""
        return self._issue_out(self._issue(owner, repo, issue_number))

    @gh(writes=True, phrase=["open an issue on {owner}/{repo} titled {title}[ saying {body}][ labelled {labels}]",
                               "file a bug report {title} against {owner}/{repo}[: {body}]"])
    def create_issue(self, owner: Owner, repo: Repo, title: NonEmptyStr, body: str = "",
                     assignees: list[str] | None = None, labels: list[str] | None = None,
                     milestone: int | None = None) -> Issue:
        """Open an issue; anyone who can see the repository may, but only collaborators may set labels or assignees.

        Args:
            title: Issue title.
            body: Issue text (Markdown).
            assignees: Logins to assign (must have push access).
            labels: Labels to apply.
            milestone: Milestone number (milestones are not used here; leave empty)."""
        found = self._repo(owner, repo)
        if milestone is not None:
            raise ToolError(f"milestone {milestone} not found in {owner}/{repo}; it has no milestones")
        self._people(found, assignees or [], labels or [])
        number, at = self._next_number(owner, repo), self._at()
        self.execute("INSERT INTO issues VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, 0, ?, ?, NULL)", owner, repo, number,
                     title.strip(), body, self._me(), ",".join(sorted(set(labels or []))),
                     ",".join(sorted(set(assignees or []))), at, at)
        return self.get_issue(owner, repo, number)

    @gh(writes=True, phrase=["change issue #{issue_number} on {owner}/{repo}[: title {title}][, labels {labels}]"
                               "[, assign {assignees}][, state {state}]",
                               "reopen issue #{issue_number} of {owner}/{repo}"])
    def update_issue(self, owner: Owner, repo: Repo, issue_number: Number, title: NonEmptyStr | None = None,
                     body: str | None = None, state: Literal["open", "closed"] | None = None,
                     labels: list[str] | None = None, assignees: list[str] | None = None,
                     milestone: int | None = None) -> Issue:
        """Edit an issue's title, body, state, labels or assignees (labels and assignees replace the old ones).
        Its author may edit title, body and state; collaborators may change everything.

        Args:
            title: New title.
            body: New text.
            state: open or closed.
            labels: The full new list of labels.
            assignees: The full new list of assignees.
            milestone: Milestone number (none exist here)."""
        issue, found = self._issue(owner, repo, issue_number), self._repo(owner, repo)
        if milestone is not None:
            raise ToolError(f"milestone {milestone} not found in {owner}/{repo}; it has no milestones")
        if not self._writer(found) and issue["author"] != self._me():
            raise ToolError(f"only the author of #{issue_number} or collaborators of {owner}/{repo} can edit it")
        self._people(found, assignees or [], labels or [])
        if all(v is None for v in (title, body, state, labels, assignees)):
            raise ToolError("give at least one of title, body, state, labels or assignees to change")
        changes = {"title": title and title.strip(), "body": body, "state": state,
                   "labels": None if labels is None else ",".join(sorted(set(labels))),
                   "assignees": None if assignees is None else ",".join(sorted(set(assignees)))}
        if state and state != issue["state"]:
            changes["closed_at"] = self._at() if state == "closed" else None
            self.execute("UPDATE issues SET closed_at = ? WHERE owner = ? AND repo = ? AND issue_number = ?",
                         changes.pop("closed_at"), owner, repo, issue_number)
        for column, value in changes.items():
            if value is not None:
                self.execute(f"UPDATE issues SET {column} = ? WHERE owner = ? AND repo = ? AND issue_number = ?",
                             value, owner, repo, issue_number)
        self.execute("UPDATE issues SET updated_at = ? WHERE owner = ? AND repo = ? AND issue_number = ?", self._at(),
                     owner, repo, issue_number)
        return self.get_issue(owner, repo, issue_number)

    @gh(writes=True, phrase=["close issue #{issue_number} on {owner}/{repo}", "mark #{issue_number} in "
                               "{owner}/{repo} as done"])
    def close_issue(self, owner: Owner, repo: Repo, issue_number: Number) -> Issue:
        """Close an open issue (its author or a collaborator)."""
        if self._issue(owner, repo, issue_number)["state"] == "closed":
            raise ToolError(f"issue #{issue_number} of {owner}/{repo} is already closed")
        return self.update_issue(owner, repo, issue_number, state="closed")

    @gh(writes=True, phrase=["comment {body} on issue #{issue_number} of {owner}/{repo}",
                               "reply to #{issue_number} in {owner}/{repo} with {body}"])
    def add_issue_comment(self, owner: Owner, repo: Repo, issue_number: Number, body: NonEmptyStr) -> Comment:
        """Comment on an issue or pull request conversation; locked conversations accept only collaborators.

        Args:
            issue_number: The issue or pull request number.
            body: Comment text (Markdown)."""
        found = self._repo(owner, repo)
        issue = self.row("SELECT locked FROM issues WHERE owner = ? AND repo = ? AND issue_number = ?", owner, repo,
                         issue_number) or (self._pull(owner, repo, issue_number) and {"locked": 0})
        if issue["locked"] and not self._writer(found):
            raise ToolError(f"#{issue_number} of {owner}/{repo} is locked: only collaborators can comment")
        comment, at = self._new_row_id("comments", "comment_id"), self._at()
        self.execute("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?)", comment, owner, repo, issue_number,
                     self._me(), body, at)
        self.execute("UPDATE issues SET updated_at = ? WHERE owner = ? AND repo = ? AND issue_number = ?", at, owner,
                     repo, issue_number)
        return {"comment_id": comment, "issue_number": issue_number, "author": self._me(), "body": body,
                "created_at": at}

    @gh(phrase=["search issues for {q}", "find GitHub issues and pull requests about {q}"])
    def search_issues(self, q: Query, sort: Literal["created", "updated", "best-match"] = "best-match",
                      order: Literal["desc", "asc"] = "desc", per_page: PER_PAGE = 30, page: PAGE = 1) -> FoundIssues:
        """Search issues and pull requests by title and body; qualifiers repo:, is:issue|pr, is:open|closed
        (or state:), label:, author:, assignee:.

        Args:
            q: Search text with optional qualifiers, e.g. "crash repo:alice/graph-kit is:open label:bug".
            sort: created, updated or best-match."""
        text, quals = parse_query(q)
        state = quals.get("state") or (quals.get("is") if quals.get("is") in ("open", "closed") else None)
        found = []
        for kind, table, number in (("issue", "issues", "issue_number"), ("pr", "pulls", "pull_number")):
            if quals.get("kind", kind) != kind:
                continue
            matches, params = self.text_filter(table, text)
            for r in self.rows(f"SELECT * FROM {table} WHERE {matches}", *params):
                full, labels = f"{r['owner']}/{r['repo']}", [x for x in r.get("labels", "").split(",") if x]
                if (self._visible(r["owner"], r["repo"]) and quals.get("repo", full).lower() == full.lower()
                        and quals.get("author", r["author"]) == r["author"] and (not state or r["state"] == state)
                        and quals.get("label", "") in ([""] + labels)
                        and quals.get("assignee", "") in ([""] + r.get("assignees", "").split(","))):
                    found.append({"repository": full, "number": r[number], "title": r["title"], "state": r["state"],
                                  "author": r["author"], "kind": kind, "labels": labels, "_at": r["created_at"]})
        if sort != "best-match":
            found.sort(key=lambda r: r["_at"], reverse=order == "desc")
        page_rows = found[(page - 1) * per_page:page * per_page]
        return {"total_count": len(found), "issues": [{k: v for k, v in r.items() if k != "_at"} for r in page_rows]}

    # ------------------------------------------------------------------------------------------------- pull requests
    @gh(phrase=["list the {state} pull requests of {owner}/{repo}[ into {base}]",
                  "show the open pull requests on {owner}/{repo}"])
    def list_pull_requests(self, owner: Owner, repo: Repo, state: Literal["open", "closed", "all"] = "open",
                           head: str | None = None, base: str | None = None,
                           sort: Literal["created", "updated"] = "created", direction: Literal["desc", "asc"] = "desc",
                           per_page: PER_PAGE = 30, page: PAGE = 1) -> Pulls:
        """Pull requests of a repository.

        Args:
            state: open, closed or all.
            head: Only from this head branch ("branch" or "user:branch").
            base: Only into this base branch.
            sort: created or updated."""
        self._repo(owner, repo)
        rows = [self._pull_out(r) for r in self.rows(
            f"SELECT * FROM pulls WHERE owner = ? AND repo = ? ORDER BY {sort}_at {direction.upper()}, pull_number",
            owner, repo) if state in ("all", r["state"]) and (not base or r["base"] == base)]
        rows = [r for r in rows if not head or head in (r["head"], f"{owner}:{r['head']}")]
        return {"pull_requests": rows[(page - 1) * per_page:page * per_page]}

    @gh(phrase=["show pull request #{pull_number} of {owner}/{repo}", "check whether PR {pull_number} on "
                  "{owner}/{repo} is ready to merge"])
    def get_pull_request(self, owner: Owner, repo: Repo, pull_number: Number) -> Pull:
        """One pull request with its head, base and mergeable state (clean, behind, dirty = conflicts, unstable =
        failing checks, draft)."""
        return self._pull_out(self._pull(owner, repo, pull_number))

    @gh(writes=True, phrase=["open a pull request on {owner}/{repo} from {head} into {base} titled {title}",
                               "propose merging {head} into {base} of {owner}/{repo} as {title}"])
    def create_pull_request(self, owner: Owner, repo: Repo, title: NonEmptyStr,
                            head: Annotated[str, UserKnown, Field(pattern=r"^([A-Za-z0-9-]+:)?[A-Za-z0-9][\w./-]*$")],
                            base: Branch,
                            body: str = "", draft: bool = False, maintainer_can_modify: bool = True) -> Pull:
        """Open a pull request from a head branch (in this repository, or "user:branch" from your fork) into base.

        Args:
            title: Pull request title.
            head: Branch with the changes: "branch" or "user:branch" for a fork.
            base: Branch to merge into.
            body: Description (Markdown).
            draft: Open as a draft (cannot be merged until marked ready).
            maintainer_can_modify: Let maintainers push to the head branch."""
        self._repo(owner, repo)
        self._branch(owner, repo, base)
        head_owner, _, head_branch = head.rpartition(":")
        head_owner, head_repo = head_owner or owner, repo
        if head_owner != owner:
            fork = self.require("SELECT repo FROM repos WHERE owner = ? AND fork_of = ?", head_owner,
                                f"{owner}/{repo}", error=f"{head_owner} has no fork of {owner}/{repo}")
            head_repo = fork["repo"]
        self._branch(head_owner, head_repo, head_branch)
        if head_owner == owner and head_branch == base:
            raise ToolError("head and base are the same branch; push your changes to another branch first")
        if self.row("SELECT 1 FROM pulls WHERE owner = ? AND repo = ? AND head_owner = ? AND head = ? AND base = ? "
                    "AND state = 'open'", owner, repo, head_owner, head_branch, base):
            raise ToolError(f"a pull request already exists for {head} into {base}")
        pull = {"owner": owner, "repo": repo, "head_owner": head_owner, "head_repo": head_repo, "head": head_branch,
                "base": base, "state": "open", "draft": draft, "merged": 0}
        if not self._compare(pull)["ahead"]:
            raise ToolError(f"no commits between {base} and {head}; push changes to {head} first")
        number, at = self._next_number(owner, repo), self._at()
        self.execute("INSERT INTO pulls VALUES (?, ?, ?, ?, ?, 'open', 0, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)", owner,
                     repo, number, title.strip(), body, int(draft), self._me(), head_owner, head_repo, head_branch,
                     base, at, at)
        return self.get_pull_request(owner, repo, number)

    @gh(phrase=["list the files changed by pull request #{pull_number} of {owner}/{repo}",
                  "look up which files pull request #{pull_number} in {owner}/{repo} touches"])
    def get_pull_request_files(self, owner: Owner, repo: Repo, pull_number: Number) -> PullFiles:
        """Files changed by a pull request, with added and removed line counts."""
        cmp, out = self._compare(self._pull(owner, repo, pull_number)), []
        for path in sorted(cmp["head_paths"]):
            old, new = cmp["base_tree"].get(path), cmp["head_tree"].get(path)
            lines = list(difflib.ndiff((old or "").splitlines(), (new or "").splitlines()))
            out.append({"filename": path, "status": "added" if old is None else "removed" if new is None else
                        "modified", "additions": sum(x.startswith("+ ") for x in lines),
                        "deletions": sum(x.startswith("- ") for x in lines)})
        return {"files": out}

    @gh(phrase=["check the CI status of pull request #{pull_number} of {owner}/{repo}",
                  "look up the status checks on PR #{pull_number} in {owner}/{repo}"])
    def get_pull_request_status(self, owner: Owner, repo: Repo, pull_number: Number) -> PullStatus:
        """Combined status of the checks on a pull request's head commit (failure, pending or success)."""
        pull = self._pull(owner, repo, pull_number)
        cmp = self._compare(pull)
        checks = self._checks(pull, cmp["head_sha"])
        states = {c["state"] for c in checks}
        combined = "failure" if "failure" in states else "pending" if "pending" in states or not checks else "success"
        return {"pull_number": pull_number, "state": combined, "sha": cmp["head_sha"],
                "mergeable_state": self._mergeable(pull, cmp), "statuses": checks}

    @gh(phrase=["show the review comments on pull request #{pull_number} of {owner}/{repo}",
                  "pull up the inline review notes on PR #{pull_number} in {owner}/{repo}"])
    def get_pull_request_comments(self, owner: Owner, repo: Repo, pull_number: Number) -> Inlines:
        """Line comments left in reviews of a pull request."""
        self._pull(owner, repo, pull_number)
        return {"comments": self.rows("SELECT comment_id, review_id, author, path, line, body, created_at FROM "
                                      "review_comments WHERE owner = ? AND repo = ? AND pull_number = ? ORDER BY "
                                      "created_at, comment_id", owner, repo, pull_number)}

    @gh(phrase=["show the reviews of pull request #{pull_number} of {owner}/{repo}",
                  "look up who reviewed PR #{pull_number} in {owner}/{repo}"])
    def get_pull_request_reviews(self, owner: Owner, repo: Repo, pull_number: Number) -> Reviews:
        """Reviews of a pull request (APPROVED, CHANGES_REQUESTED or COMMENTED)."""
        self._pull(owner, repo, pull_number)
        return {"reviews": self.rows("SELECT review_id, pull_number, reviewer, state, body, commit_id, submitted_at "
                                     "FROM reviews WHERE owner = ? AND repo = ? AND pull_number = ? ORDER BY "
                                     "submitted_at, review_id", owner, repo, pull_number)}

    @gh(writes=True, phrase=["leave a review on pull request #{pull_number} of {owner}/{repo} ({event}) saying {body}",
                               "review PR #{pull_number} on {owner}/{repo} as {event} with the note {body}"])
    def create_pull_request_review(self, owner: Owner, repo: Repo, pull_number: Number, body: str,
                                   event: Literal["APPROVE", "REQUEST_CHANGES", "COMMENT"],
                                   commit_id: str | None = None,
                                   comments: Annotated[list[InlineIn], Field(max_length=20)] | None = None) -> Review:
        """Review an open pull request: approve, request changes or comment, optionally with line comments.
        You cannot approve or request changes on your own pull request.

        Args:
            body: Review text (required to request changes or comment).
            event: APPROVE, REQUEST_CHANGES or COMMENT.
            commit_id: Head commit the review is for (defaults to the current head).
            comments: Line comments, each {"path", "line", "body"} on a file the pull request changes."""
        pull = self._pull(owner, repo, pull_number)
        if pull["state"] != "open":
            raise ToolError(f"pull request #{pull_number} of {owner}/{repo} is {pull['state']}; only open ones can "
                            "be reviewed")
        if event != "COMMENT" and pull["author"] == self._me():
            raise ToolError(f"you cannot {'approve' if event == 'APPROVE' else 'request changes on'} your own pull "
                            "request; ask a collaborator to review it")
        if event != "APPROVE" and not body.strip() and not comments:
            raise ToolError(f"a {event} review needs a body")
        cmp = self._compare(pull)
        if commit_id and commit_id != cmp["head_sha"]:
            raise ToolError(f"commit_id '{commit_id}' is not the head of pull request #{pull_number} "
                            f"({cmp['head_sha']})")
        for c in comments or []:
            if c["path"] not in cmp["head_paths"]:
                raise ToolError(f"'{c['path']}' is not changed by pull request #{pull_number}; comment on one of: "
                                f"{', '.join(sorted(cmp['head_paths']))}")
        review, at = self._new_row_id("reviews", "review_id"), self._at()
        state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}[event]
        self.execute("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", review, owner, repo, pull_number,
                     self._me(), state, body, cmp["head_sha"], at)
        for c in comments or []:
            self.execute("INSERT INTO review_comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         self._new_row_id("review_comments", "comment_id"), owner, repo, pull_number, review,
                         self._me(), c["path"], c["line"], c["body"], at)
        return {"review_id": review, "pull_number": pull_number, "reviewer": self._me(), "state": state, "body": body,
                "commit_id": cmp["head_sha"], "submitted_at": at}

    @gh(writes=True, phrase=["merge pull request #{pull_number} of {owner}/{repo}[ using {merge_method}]",
                               "{merge_method} merge PR #{pull_number} into {owner}/{repo}"])
    def merge_pull_request(self, owner: Owner, repo: Repo, pull_number: Number, commit_title: str | None = None,
                           commit_message: str | None = None,
                           merge_method: Literal["merge", "squash", "rebase"] = "merge") -> Merge:
        """Merge an open pull request into its base branch (push access needed; not drafts, conflicts or failing
        checks).

        Args:
            commit_title: Title of the merge commit.
            commit_message: Extra text of the merge commit.
            merge_method: merge (merge commit), squash (one commit) or rebase."""
        self._repo(owner, repo, "write")
        pull = self._pull(owner, repo, pull_number)
        if pull["state"] != "open":
            raise ToolError(f"pull request #{pull_number} of {owner}/{repo} is already "
                            f"{'merged' if pull['merged'] else 'closed'}")
        cmp = self._compare(pull)
        state = self._mergeable(pull, cmp)
        if state == "unknown":
            raise ToolError(f"the head branch '{pull['head']}' no longer exists; restore it or close the pull request")
        if state == "dirty":
            raise ToolError(f"pull request #{pull_number} has merge conflicts in {', '.join(cmp['conflicts'])}; "
                            "resolve them on the head branch first")
        if state == "draft":
            raise ToolError(f"pull request #{pull_number} is a draft; mark it ready for review before merging")
        if state == "unstable":
            failing = [c["context"] for c in self._checks(pull, cmp["head_sha"]) if c["state"] == "failure"]
            raise ToolError(f"required check {', '.join(failing)} is failing on the head commit; push a fix first")
        for path in cmp["head_paths"]:
            self._put(owner, repo, pull["base"], path, cmp["head_tree"].get(path))
        default = (f"Merge pull request #{pull_number} from {pull['head_owner']}/{pull['head']}"
                   if merge_method == "merge" else f"{pull['title']} (#{pull_number})")
        message = (commit_title or default) + (f"\n\n{commit_message}" if commit_message else "")
        parents = [cmp["base_sha"]] + ([cmp["head_sha"]] if merge_method == "merge" else [])
        if merge_method == "merge":
            for sha in cmp["ahead"]:
                self.execute("INSERT OR IGNORE INTO commits SELECT ?, ?, sha, parents, message, author, date, paths "
                             "FROM commits WHERE owner = ? AND repo = ? AND sha = ?", owner, repo, pull["head_owner"],
                             pull["head_repo"], sha)
        sha, at = self._commit(owner, repo, pull["base"], parents, sorted(cmp["head_paths"]), message), self._at()
        self.execute("UPDATE pulls SET state = 'closed', merged = 1, merged_at = ?, updated_at = ?, merge_commit_sha "
                     "= ? WHERE owner = ? AND repo = ? AND pull_number = ?", at, at, sha, owner, repo, pull_number)
        return {"pull_number": pull_number, "merged": True, "merge_commit_sha": sha,
                "message": "Pull Request successfully merged"}

    @gh(writes=True, phrase=["bring pull request #{pull_number} of {owner}/{repo} up to date with its base",
                               "update the branch of PR #{pull_number} on {owner}/{repo}"])
    def update_pull_request_branch(self, owner: Owner, repo: Repo, pull_number: Number,
                                   expected_head_sha: str | None = None) -> Update:
        """Merge the latest base branch into a pull request's head branch (push access to the head needed).

        Args:
            expected_head_sha: Refuse if the head is no longer this commit."""
        pull = self._pull(owner, repo, pull_number)
        if pull["state"] != "open":
            raise ToolError(f"pull request #{pull_number} of {owner}/{repo} is {pull['state']}; nothing to update")
        self._repo(pull["head_owner"], pull["head_repo"], "write")
        cmp = self._compare(pull)
        if expected_head_sha and expected_head_sha != cmp["head_sha"]:
            raise ToolError(f"expected head sha '{expected_head_sha}' is not the current head ({cmp['head_sha']})")
        if not cmp["behind"]:
            raise ToolError(f"the head branch of #{pull_number} is already up to date with {pull['base']}")
        if cmp["conflicts"]:
            raise ToolError(f"merge conflict in {', '.join(cmp['conflicts'])}: update the branch locally and push")
        head = (pull["head_owner"], pull["head_repo"])
        for path in cmp["base_paths"]:
            self._put(*head, pull["head"], path, cmp["base_tree"].get(path))
        for sha in cmp["behind"]:
            self.execute("INSERT OR IGNORE INTO commits SELECT ?, ?, sha, parents, message, author, date, paths FROM "
                         "commits WHERE owner = ? AND repo = ? AND sha = ?", *head, owner, repo, sha)
        new = self._commit(*head, pull["head"], [cmp["head_sha"], cmp["base_sha"]], sorted(cmp["base_paths"]),
                           f"Merge branch '{pull['base']}' into {pull['head']}")
        self.execute("UPDATE pulls SET updated_at = ? WHERE owner = ? AND repo = ? AND pull_number = ?", self._at(),
                     owner, repo, pull_number)
        return {"pull_number": pull_number, "updated": True, "head_sha": new,
                "message": f"merged {len(cmp['behind'])} commit(s) from {pull['base']}"}
