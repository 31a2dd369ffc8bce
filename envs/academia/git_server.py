"""GitServer: local git repositories of a researcher, with working trees, an index, branches, history and a remote."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, strptime

TIME_FORMAT = "%Y-%m-%d %H:%M"
BRANCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,79}")
REVISION_BACK = re.compile(r"(.+?)(?:~(\d*)|(\^+))$")
Tree = dict[str, str]
Change = tuple[str, str, str]  # (path, text appended to the file, commit message)
Project = tuple[Tree, list[Callable[[], Change]]]  # initial files, makers of plausible follow-up commits

TOPICS = ["Related work", "Methodology", "Experimental setup", "Limitations", "Future work", "Background",
          "Evaluation", "Data collection", "Threats to validity", "Discussion", "Ablation study", "Error analysis"]
VERBS = ["clip", "scale", "filter", "merge", "resample", "smooth", "encode", "deduplicate", "bin", "rank"]
NOUNS = ["outliers", "features", "labels", "timestamps", "sessions", "sensors", "batches", "weights", "scores"]
WEEK_TOPICS = ["Linear regression", "Hypothesis testing", "Bootstrap", "Bayesian inference", "Mixed models",
               "Survival analysis", "Causal graphs", "Time series", "Resampling", "Model selection"]
COMMIT_MESSAGES = ["Tidy up wording", "Address reviewer comments", "Fix typos", "Update notes after meeting",
                   "Clarify assumptions", "Polish formatting", "Add TODO markers", "Incorporate feedback from advisor"]
NEW_FILES = [("NOTES.md", "Meeting notes"), ("TODO.md", "Open tasks"), ("docs/setup.md", "Setup guide"),
             ("CONTRIBUTORS.md", "Contributors")]


# --------------------------------------------------------------------------------------------- seeded projects
def _thesis(rng: random.Random, fake: Any) -> Project:
    title = f"{rng.choice(['Learning', 'Modelling', 'Estimating', 'Understanding'])} {rng.choice(NOUNS).title()}"
    files = {
        "README.md": f"# {title}\n\nPhD thesis of {fake.name()}.\n\nBuild the PDF with `make`.\n",
        "thesis.tex": (f"\\documentclass{{report}}\n\\title{{{title}}}\n\\date{{Spring 2026}}\n\\begin{{document}}\n"
                       "\\maketitle\n\\input{chapters/intro}\n\\end{document}\n"),
        "chapters/intro.tex": "\\chapter{Introduction}\n",
        "refs.bib": "@book{knuth1984,\n  title={The TeXbook},\n  author={Knuth, Donald},\n  year={1984}\n}\n",
        "Makefile": "all:\n\tlatexmk -pdf thesis.tex\n",
    }

    def section() -> Change:
        topic = rng.choice(TOPICS)
        return "chapters/intro.tex", f"\\section{{{topic}}}", f"Add section on {topic.lower()}"

    def reference() -> Change:
        key = f"{fake.last_name().lower()}{rng.randrange(2015, 2026)}"
        return "refs.bib", f"@article{{{key},\n  title={{{rng.choice(TOPICS)}}},\n}}", f"Add reference {key}"

    def readme() -> Change:
        return "README.md", f"- {rng.choice(TOPICS)}: draft {rng.randrange(1, 5)}", rng.choice(COMMIT_MESSAGES)

    return files, [section, reference, readme]


def _pipeline(rng: random.Random, fake: Any) -> Project:
    files = {
        "README.md": f"# Data pipeline\n\nPreprocessing for the {fake.last_name()} lab.\n",
        "pipeline/config.yaml": (f"dataset: {rng.choice(NOUNS)}_v{rng.randrange(1, 4)}\nbatch_size: 32\n"
                                 "learning_rate: 0.001\nepochs: 20\n"),
        "pipeline/preprocess.py": "import pandas as pd\n\n\ndef load(path):\n    return pd.read_csv(path)\n",
        "requirements.txt": "pandas==2.2.0\nnumpy==1.26.4\n",
        "tests/test_preprocess.py": "from pipeline.preprocess import load\n",
    }

    def step() -> Change:
        name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        return "pipeline/preprocess.py", f"\n\ndef {name}(df):\n    return df", f"Add {name} step"

    def test() -> Change:
        name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        return "tests/test_preprocess.py", f"\n\ndef test_{name}():\n    assert load", f"Test {name}"

    def dependency() -> Change:
        package = rng.choice(["scipy", "scikit-learn", "matplotlib", "seaborn", "pyarrow", "tqdm", "statsmodels"])
        return "requirements.txt", f"{package}=={rng.randrange(1, 4)}.{rng.randrange(0, 12)}", f"Add {package}"

    return files, [step, test, dependency]


def _paper(rng: random.Random, fake: Any) -> Project:
    files = {
        "paper.tex": (f"\\documentclass{{article}}\n\\title{{{rng.choice(TOPICS)} of {rng.choice(NOUNS)}}}\n"
                      "\\begin{document}\n\\input{sections/method}\n\\input{sections/results}\n\\end{document}\n"),
        "sections/method.tex": "\\section{Method}\n",
        "sections/results.tex": "\\section{Results}\n",
        "figures/plot_results.py": "import matplotlib.pyplot as plt\n\nDPI = 150\n",
        "refs.bib": f"@inproceedings{{{fake.last_name().lower()}2023,\n  title={{{rng.choice(TOPICS)}}},\n}}\n",
    }

    def method() -> Change:
        topic = rng.choice(TOPICS)
        return "sections/method.tex", f"\\subsection{{{topic}}}", f"Describe {topic.lower()}"

    def result() -> Change:
        score = f"{rng.uniform(60, 95):.1f}"
        return "sections/results.tex", f"Our model reaches {score}\\% accuracy.", f"Report {score}% accuracy"

    def figure() -> Change:
        kind = rng.choice(["bar", "line", "scatter", "violin"])
        return "figures/plot_results.py", f"plt.{kind}([], [])", f"Switch results figure to a {kind} plot"

    return files, [method, result, figure]


def _simulation(rng: random.Random, fake: Any) -> Project:
    package = rng.choice(["oceansim", "cellsim", "gridflow", "popdyn"])
    files = {
        "README.md": f"# {package}\n\nA small simulation package by {fake.name()}.\n",
        "setup.cfg": f"[metadata]\nname = {package}\nversion = 0.3.1\n",
        f"src/{package}/model.py": "class Model:\n    dt = 0.01\n",
        "CHANGELOG.md": "# Changelog\n\n## 0.3.1\n- First public release\n",
    }

    def method() -> Change:
        name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        return f"src/{package}/model.py", f"\n    def {name}(self):\n        return None", f"Add Model.{name}"

    def changelog() -> Change:
        name = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}"
        return "CHANGELOG.md", f"- Support to {name}", f"Changelog: {name}"

    return files, [method, changelog]


def _course(rng: random.Random, fake: Any) -> Project:
    files = {
        "README.md": f"# Statistics course notes\n\nTeaching assistant: {fake.name()}.\n",
        "syllabus.md": "# Syllabus\n\nOffice hours: Tuesday 14:00\nGrading: 40% homework, 60% exam\n",
        "week01.md": "# Week 1: Descriptive statistics\n",
        "week02.md": "# Week 2: Probability\n",
    }

    def week() -> Change:
        path = rng.choice(["week01.md", "week02.md"])
        topic = rng.choice(WEEK_TOPICS)
        return path, f"## {topic}", f"Notes on {topic.lower()}"

    def syllabus() -> Change:
        return "syllabus.md", f"Reading: {fake.last_name()} et al., chapter {rng.randrange(1, 12)}", "Add reading"

    return files, [week, syllabus]


PROJECTS = {
    "thesis": (_thesis, "PhD thesis sources (LaTeX)"),
    "lab-pipeline": (_pipeline, "Data preprocessing pipeline of the lab"),
    "neurips-paper": (_paper, "Conference paper draft with figures"),
    "ocean-sim": (_simulation, "Simulation package"),
    "stats-course": (_course, "Teaching notes for the statistics course"),
}


def commit_hash(repo_path: str, parent: str | None, author: str, message: str, tree: Tree) -> str:
    """A commit's id: derived from its repository, parent, author, message and file tree (never from the clock)."""
    payload = json.dumps([repo_path, parent, author, message, sorted(tree.items())], ensure_ascii=False)
    return hashlib.blake2b(payload.encode(), digest_size=20).hexdigest()


def appended(tree: Tree, change: Change) -> Tree:
    """The tree with a change's text appended to its file."""
    path, text, _ = change
    return {**tree, path: tree.get(path, "") + text + "\n"}


def tree_changes(old: Tree, new: Tree) -> list[FileChange]:
    """Files added, modified or deleted between two trees, by path."""
    out = []
    for path in sorted(old.keys() | new.keys()):
        if path not in old:
            out.append({"path": path, "change": "added"})
        elif path not in new:
            out.append({"path": path, "change": "deleted"})
        elif old[path] != new[path]:
            out.append({"path": path, "change": "modified"})
    return out


def unified_diff(old: Tree, new: Tree, context_lines: int) -> str:
    """A unified diff of two trees (a/ and b/ prefixes, /dev/null for added or deleted files)."""
    chunks = []
    for entry in tree_changes(old, new):
        path = entry["path"]
        before = old.get(path, "").splitlines(keepends=True)
        after = new.get(path, "").splitlines(keepends=True)
        chunks.append(f"diff --git a/{path} b/{path}\n")
        chunks.extend(difflib.unified_diff(before, after, "/dev/null" if path not in old else f"a/{path}",
                                           "/dev/null" if path not in new else f"b/{path}", n=context_lines))
    return "".join(chunks)


def check_path(path: str) -> str:
    """A normalized relative file path inside a repository, or a ToolError."""
    clean = path.strip().removeprefix("./")
    parts = clean.split("/")
    if not clean or clean.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts) or len(clean) > 200:
        raise ToolError(f"'{path}' is not a valid file path; use a path relative to the repository root like"
                        " 'src/main.py'")
    return clean


def parse_timestamp(value: str, end: bool) -> str:
    """A YYYY-MM-DD or YYYY-MM-DD HH:MM bound in the commit-date format (a bare end date covers its whole day)."""
    text = value.strip().replace("T", " ")
    for layout in (TIME_FORMAT, "%Y-%m-%d"):
        try:
            moment = strptime(text, layout)
        except ValueError:
            continue
        if layout != TIME_FORMAT and end:
            moment = moment.replace(hour=23, minute=59)
        return moment.strftime(TIME_FORMAT)
    raise ToolError(f"timestamp must look like 2026-02-14 or 2026-02-14 09:30, got {value!r}")


# ------------------------------------------------------------------------------------------- declared returns
RepoPath = Annotated[str, UserKnown]
ContextLines = Annotated[int, Field(ge=0, le=20)]


class FileChange(TypedDict):
    path: str
    change: Literal["added", "modified", "deleted"]


class Repository(TypedDict):
    repo_path: str
    name: str
    description: str
    current_branch: str


class FileContent(TypedDict):
    path: str
    content: str


class FileWritten(TypedDict):
    path: str
    created: bool
    size: int


class FileEdited(TypedDict):
    path: str
    replaced: int


class FileDeleted(TypedDict):
    path: str
    deleted: bool


class Tracking(TypedDict):
    remote_branch: str
    ahead: int
    behind: int


class Status(TypedDict):
    branch: str
    staged: list[FileChange]
    unstaged: list[FileChange]
    untracked: list[str]
    clean: bool
    upstream: Tracking | None


class CommitInfo(TypedDict):
    hash: str
    short_hash: str
    author: str
    date: str
    message: str
    parent: str | None


class Log(TypedDict):
    branch: str
    commits: list[CommitInfo]


class Branch(TypedDict):
    name: str
    current: bool
    head: str
    last_commit: str


class Branches(TypedDict):
    branches: list[Branch]


class CommitShown(CommitInfo):
    files: list[FileChange]
    diff: str


class Diff(TypedDict):
    diff_output: str


class TargetDiff(Diff):
    target: str


class Staged(TypedDict):
    staged_files: list[FileChange]


class Committed(TypedDict):
    commit_hash: str
    branch: str
    message: str
    files: list[FileChange]


class ResetDone(Status):
    status: str


class BranchCreated(TypedDict):
    branch_name: str
    base_branch: str
    head: str


class CheckedOut(TypedDict):
    current_branch: str
    message: str


class Pushed(TypedDict):
    status: str
    remote: str
    branch: str


class Pulled(Pushed):
    updated_files: list[str]


class HistoryStore:
    """Seeded rows of the repositories being built, with a clock that moves forward between commits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.known: set[str] = set()

    def start(self, repo_path: str, makers: list[Callable[[], Change]], clock: dt.datetime) -> None:
        self.repo_path, self.makers, self.clock = repo_path, makers, clock

    def add(self, table: str, *rows: dict[str, Any]) -> None:
        self.tables[table].extend(rows)

    def change(self) -> Change:
        return self.rng.choice(self.makers)()

    def commit(self, parent: str | None, tree: Tree, message: str, author: str) -> str:
        self.clock += dt.timedelta(hours=self.rng.randrange(2, 40))
        sha = commit_hash(self.repo_path, parent, author, message, tree)
        if sha not in self.known:  # the same change made twice on the same parent is the same commit
            self.known.add(sha)
            self.add("commits", {"commit_hash": sha, "repo_path": self.repo_path, "parent_hash": parent,
                                 "author": author, "message": message,
                                 "committed_at": self.clock.strftime(TIME_FORMAT)})
            self.add("commit_files", *({"commit_hash": sha, "path": p, "content": c} for p, c in tree.items()))
        return sha

    def extend(self, head: str, tree: Tree, count: int, authors: list[str]) -> tuple[str, Tree]:
        """Add ``count`` plausible commits on top of ``head``; returns the new head and its tree."""
        for _ in range(count):
            step = self.change()
            tree = appended(tree, step)
            head = self.commit(head, tree, step[2], self.rng.choice(authors))
        return head, tree


class GitServer(World):
    """A researcher's git repositories (by path): edit files, stage, commit, branch, diff, and push/pull to origin."""

    domain = "Academia"
    schema = """
    CREATE TABLE repositories (repo_path TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
                               current_branch TEXT NOT NULL, user_name TEXT NOT NULL, user_email TEXT NOT NULL);
    CREATE TABLE commits (commit_hash TEXT PRIMARY KEY, repo_path TEXT NOT NULL REFERENCES repositories,
                          parent_hash TEXT REFERENCES commits, author TEXT NOT NULL, message TEXT NOT NULL,
                          committed_at TEXT NOT NULL);
    CREATE TABLE commit_files (commit_hash TEXT NOT NULL REFERENCES commits, path TEXT NOT NULL,
                               content TEXT NOT NULL, PRIMARY KEY (commit_hash, path));
    CREATE TABLE branches (repo_path TEXT NOT NULL REFERENCES repositories, name TEXT NOT NULL,
                           head_hash TEXT NOT NULL REFERENCES commits, PRIMARY KEY (repo_path, name));
    CREATE TABLE remotes (repo_path TEXT NOT NULL REFERENCES repositories, name TEXT NOT NULL, url TEXT NOT NULL,
                          PRIMARY KEY (repo_path, name));
    CREATE TABLE remote_branches (repo_path TEXT NOT NULL, remote TEXT NOT NULL, name TEXT NOT NULL,
                                  head_hash TEXT NOT NULL REFERENCES commits, PRIMARY KEY (repo_path, remote, name),
                                  FOREIGN KEY (repo_path, remote) REFERENCES remotes);
    CREATE TABLE index_files (repo_path TEXT NOT NULL REFERENCES repositories, path TEXT NOT NULL,
                              content TEXT NOT NULL, PRIMARY KEY (repo_path, path));
    CREATE TABLE working_files (repo_path TEXT NOT NULL REFERENCES repositories, path TEXT NOT NULL,
                                content TEXT NOT NULL, PRIMARY KEY (repo_path, path));
    """
    volatile = {"commits": ("committed_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        owner = fake.name()
        login = owner.split()[0].lower()
        colleagues = [fake.name() for _ in range(3)]
        store = HistoryStore(rng)
        configs = [("clean", "remote_ahead"), ("clean", "diverged"), ("staged", "local_ahead"),
                   ("unstaged", "equal"), ("mixed", rng.choice(["local_ahead", "equal", "diverged"]))]
        rng.shuffle(configs)
        for (name, (build, description)), (tree_state, remote_state) in zip(PROJECTS.items(), configs):
            repo_path = f"/home/{login}/research/{name}"
            files, makers = build(rng, fake)
            store.start(repo_path, makers, cls.start_time - dt.timedelta(days=rng.randrange(20, 45)))
            history = [(store.commit(None, files, "Initial commit", owner), files)]
            for _ in range(rng.randrange(3, 6)):
                history.append(store.extend(*history[-1], 1, [owner, owner, *colleagues]))
            main_head, main_tree = history[-1]
            remote_head = main_head
            if remote_state == "local_ahead":
                main_head, main_tree = store.extend(main_head, main_tree, rng.randrange(1, 3), [owner])
            elif remote_state in ("remote_ahead", "diverged"):
                remote_head, remote_tree = store.extend(main_head, main_tree, 1, colleagues)
            if remote_state == "diverged":  # a local commit touching another file than the remote one
                local = store.change()
                while remote_tree[local[0]] != main_tree[local[0]]:
                    local = store.change()
                main_tree = appended(main_tree, local)
                main_head = store.commit(main_head, main_tree, local[2], owner)
            feature = f"feature/{rng.choice(VERBS)}-{rng.choice(NOUNS)}"
            feature_head, feature_tree = store.extend(*history[rng.randrange(1, len(history))], rng.randrange(1, 3),
                                                      [owner])
            store.add("branches", {"repo_path": repo_path, "name": "main", "head_hash": main_head},
                      {"repo_path": repo_path, "name": feature, "head_hash": feature_head})
            store.add("remotes", {"repo_path": repo_path, "name": "origin",
                                  "url": f"git@git.university.edu:{login}/{name}.git"})
            remote = [("main", remote_head)]
            if rng.random() < 0.5:
                remote.append((feature, feature_head))
            if rng.random() < 0.6:
                colleague = rng.choice(colleagues)
                shared = f"{colleague.split()[0].lower()}/{rng.choice(VERBS)}-{rng.choice(NOUNS)}"
                remote.append((shared, store.extend(*history[-1], 1, [colleague])[0]))
            store.add("remote_branches", *({"repo_path": repo_path, "remote": "origin", "name": branch,
                                            "head_hash": head} for branch, head in remote))
            on_feature = remote_state == "equal" and rng.random() < 0.5
            index = dict(feature_tree if on_feature else main_tree)
            if tree_state in ("staged", "mixed"):
                index = appended(index, store.change())
            working = dict(index)
            if tree_state in ("unstaged", "mixed"):
                working = appended(working, store.change())
                path, title = rng.choice(NEW_FILES)
                working[path] = f"# {title}\n"
            store.add("repositories", {"repo_path": repo_path, "name": name, "description": description,
                                       "current_branch": feature if on_feature else "main", "user_name": owner,
                                       "user_email": f"{login}@university.edu"})
            store.add("index_files", *({"repo_path": repo_path, "path": p, "content": c} for p, c in index.items()))
            store.add("working_files", *({"repo_path": repo_path, "path": p, "content": c} for p, c in working.items()))
        for table in ("repositories", "commits", "commit_files", "branches", "remotes", "remote_branches",
                      "index_files", "working_files"):
            db[table].insert_all(store.tables[table])

    # ------------------------------------------------------------------ helpers
    def _repo(self, repo_path: str) -> dict[str, Any]:
        path = repo_path.strip().rstrip("/") or repo_path
        return self.require("SELECT * FROM repositories WHERE repo_path = ?", path,
                            error=f"no repository at '{repo_path}'; list_repositories shows the repository paths")

    def _tree(self, commit: str) -> Tree:
        return {r["path"]: r["content"] for r in self.rows(
            "SELECT path, content FROM commit_files WHERE commit_hash = ?", commit)}

    def _files(self, table: Literal["index_files", "working_files"], repo_path: str) -> Tree:
        return {r["path"]: r["content"] for r in self.rows(
            f"SELECT path, content FROM {table} WHERE repo_path = ?", repo_path)}

    def _tracked(self, repo_path: str) -> tuple[Tree, Tree]:
        """The index, and the working-tree files it tracks (untracked files left out)."""
        index = self._files("index_files", repo_path)
        return index, {p: c for p, c in self._files("working_files", repo_path).items() if p in index}

    def _store(self, table: Literal["index_files", "working_files"], repo_path: str, tree: Tree) -> None:
        """Replace a repository's index or working tree (only rows that differ change)."""
        current = self._files(table, repo_path)
        self.executemany(f"DELETE FROM {table} WHERE repo_path = ? AND path = ?",
                         [(repo_path, p) for p in current if tree.get(p) != current[p]])
        self.executemany(f"INSERT INTO {table} (repo_path, path, content) VALUES (?, ?, ?)",
                         [(repo_path, p, c) for p, c in tree.items() if current.get(p) != c])

    def _branch_head(self, repo_path: str, branch: str) -> str | None:
        return self.value("SELECT head_hash FROM branches WHERE repo_path = ? AND name = ?", repo_path, branch)

    def _remote_head(self, repo_path: str, remote: str, branch: str) -> str | None:
        return self.value("SELECT head_hash FROM remote_branches WHERE repo_path = ? AND remote = ? AND name = ?",
                          repo_path, remote, branch)

    def _head(self, repo: dict[str, Any]) -> str:
        return self._branch_head(repo["repo_path"], repo["current_branch"])

    def _history(self, commit: str | None) -> list[str]:
        """The commit and its ancestors, newest first."""
        chain = []
        while commit is not None:
            chain.append(commit)
            commit = self.value("SELECT parent_hash FROM commits WHERE commit_hash = ?", commit)
        return chain

    def _commit_info(self, commit: str) -> CommitInfo:
        row = self.row("SELECT commit_hash, author, committed_at, message, parent_hash FROM commits"
                       " WHERE commit_hash = ?", commit)
        return {"hash": row["commit_hash"], "short_hash": row["commit_hash"][:7], "author": row["author"],
                "date": row["committed_at"], "message": row["message"], "parent": row["parent_hash"]}

    def _resolve(self, repo_path: str, revision: str) -> str:
        """A commit hash from HEAD, a branch, remote/branch, a (short) hash, optionally followed by ~N or ^."""
        text = revision.strip()
        back = 0
        match = REVISION_BACK.fullmatch(text)
        if match:
            text = match.group(1)
            back = len(match.group(3)) if match.group(3) else int(match.group(2) or 1)
        if text == "HEAD":
            commit = self._head(self._repo(repo_path))
        else:
            remote, _, branch = text.partition("/")
            commit = self._branch_head(repo_path, text) or self._remote_head(repo_path, remote, branch)
            if commit is None and re.fullmatch(r"[0-9a-f]{4,40}", text):
                found = self.rows("SELECT commit_hash FROM commits WHERE repo_path = ? AND commit_hash LIKE ?",
                                  repo_path, f"{text}%")
                if len(found) > 1:
                    raise ToolError(f"short hash '{text}' is ambiguous; give more characters")
                commit = found[0]["commit_hash"] if found else None
        if commit is None:
            raise ToolError(f"unknown revision '{revision}'; use HEAD, a branch name, origin/<branch> or a commit"
                            " hash from git_log, optionally followed by ~N")
        history = self._history(commit)
        if back >= len(history):
            raise ToolError(f"'{revision}' goes back further than the first commit ({len(history) - 1} ancestors)")
        return history[back]

    def _status(self, repo: dict[str, Any]) -> Status:
        repo_path = repo["repo_path"]
        head = self._tree(self._head(repo))
        index, working = self._files("index_files", repo_path), self._files("working_files", repo_path)
        unstaged = tree_changes(index, {p: c for p, c in working.items() if p in index})
        staged, untracked = tree_changes(head, index), sorted(p for p in working if p not in index)
        return {"branch": repo["current_branch"], "staged": staged, "unstaged": unstaged, "untracked": untracked,
                "clean": not (staged or unstaged or untracked),
                "upstream": self._tracking(repo_path, repo["current_branch"])}

    def _tracking(self, repo_path: str, branch: str) -> Tracking | None:
        """How far a branch is ahead of / behind its origin counterpart (None when origin has no such branch)."""
        remote = self._remote_head(repo_path, "origin", branch)
        if remote is None:
            return None
        local, theirs = self._history(self._branch_head(repo_path, branch)), self._history(remote)
        return {"remote_branch": f"origin/{branch}", "ahead": len(set(local) - set(theirs)),
                "behind": len(set(theirs) - set(local))}

    def _dirty(self, repo: dict[str, Any]) -> list[str]:
        """Tracked files with staged or unstaged changes."""
        status = self._status(repo)
        return sorted({c["path"] for c in status["staged"] + status["unstaged"]})

    def _move_to(self, repo: dict[str, Any], commit: str) -> None:
        """Make the index and working tree match a commit, keeping untracked files that it does not contain."""
        target = self._tree(commit)
        status = self._status(repo)
        clashing = [p for p in status["untracked"] if p in target]
        if clashing:
            raise ToolError(f"untracked files would be overwritten: {', '.join(clashing)}; delete or rename them first")
        working = self._files("working_files", repo["repo_path"])
        self._store("index_files", repo["repo_path"], target)
        self._store("working_files", repo["repo_path"], {**target, **{p: working[p] for p in status["untracked"]}})

    def _require_clean(self, repo: dict[str, Any], action: str) -> None:
        dirty = self._dirty(repo)
        if dirty:
            raise ToolError(f"cannot {action}: you have uncommitted changes to {', '.join(dirty)}; commit them"
                            " (git_add, git_commit) or discard them (git_reset with mode='hard') first")

    def _new_commit(self, repo_path: str, parent: str, author: str, message: str, tree: Tree) -> str:
        sha = commit_hash(repo_path, parent, author, message, tree)
        if self.value("SELECT 1 FROM commits WHERE commit_hash = ?", sha) is None:
            self.execute("INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?)", sha, repo_path, parent, author, message,
                         self.now().strftime(TIME_FORMAT))
            self.executemany("INSERT INTO commit_files VALUES (?, ?, ?)", [(sha, p, c) for p, c in tree.items()])
        return sha

    def _set_branch(self, repo_path: str, branch: str, commit: str) -> None:
        self.upsert("branches", {"repo_path": repo_path, "name": branch}, {"head_hash": commit})

    def _remote(self, repo_path: str, remote: str) -> None:
        self.require("SELECT 1 FROM remotes WHERE repo_path = ? AND name = ?", repo_path, remote,
                     error=f"no remote named '{remote}' in this repository; its remote is 'origin'")

    def _rebase(self, repo: dict[str, Any], local: str, upstream: str) -> str:
        """Replay the commits of ``local`` that ``upstream`` lacks on top of it; returns the new tip."""
        theirs = self._history(upstream)
        mine = self._history(local)
        base = next(c for c in mine if c in theirs)
        changed_upstream = {c["path"] for c in tree_changes(self._tree(base), self._tree(upstream))}
        tip, tree = upstream, self._tree(upstream)
        for commit in reversed(mine[:mine.index(base)]):
            info = self._commit_info(commit)
            before, after = self._tree(info["parent"]), self._tree(commit)
            for change in tree_changes(before, after):
                path = change["path"]
                if path in changed_upstream and tree.get(path) != after.get(path):
                    raise ToolError(f"rebase stopped: '{info['message']}' and the remote both changed {path};"
                                    " resolve the conflict by hand (nothing was changed)")
                if path in after:
                    tree[path] = after[path]
                else:
                    tree.pop(path, None)
            tip = self._new_commit(repo["repo_path"], tip, info["author"], info["message"], tree)
        return tip

    # -------------------------------------------------------------------- tools
    @tool(phrase=["list my repositories", "show me my repos"])
    def list_repositories(self) -> list[Repository]:
        """List the repositories with their paths, current branch and description."""
        return self.rows("SELECT repo_path, name, description, current_branch FROM repositories ORDER BY name")

    @tool(phrase=["list the files in {repo_path}", "show me which files {repo_path} has"])
    def list_files(self, repo_path: RepoPath) -> list[str]:
        """List the files in a repository's working tree.

        Args:
            repo_path: Path of the repository.
        """
        return sorted(self._files("working_files", self._repo(repo_path)["repo_path"]))

    @tool(phrase=["show me {path} in {repo_path}", "read {path} from {repo_path}", "open {path} in {repo_path}"])
    def read_file(self, repo_path: RepoPath, path: str) -> FileContent:
        """Read a file of the working tree.

        Args:
            repo_path: Path of the repository.
            path: File path relative to the repository root.
        """
        repo = self._repo(repo_path)
        path = check_path(path)
        content = self.value("SELECT content FROM working_files WHERE repo_path = ? AND path = ?",
                             repo["repo_path"], path)
        if content is None:
            raise ToolError(f"no file '{path}' in the working tree; list_files shows the files")
        return {"path": path, "content": content}

    @tool(writes=True, phrase=[
        "write {content} to {path} in {repo_path}",
        "create {path} in {repo_path} containing {content}",
    ])
    def write_file(self, repo_path: RepoPath, path: str, content: str) -> FileWritten:
        """Create a file in the working tree or overwrite it (not staged: use git_add).

        Text files are saved ending with exactly one newline.

        Args:
            repo_path: Path of the repository.
            path: File path relative to the repository root.
            content: The whole new content of the file.
        """
        repo = self._repo(repo_path)
        path = check_path(path)
        content = content.rstrip("\n") + "\n" if content.strip() else ""
        existed = self.value("SELECT 1 FROM working_files WHERE repo_path = ? AND path = ?", repo["repo_path"], path)
        self.upsert("working_files", {"repo_path": repo["repo_path"], "path": path}, {"content": content})
        return {"path": path, "created": existed is None, "size": len(content)}

    @tool(writes=True, phrase=[
        "in {path} of {repo_path}, replace {old_text} with {new_text}",
        "change {old_text} to {new_text} in {path} of {repo_path}",
    ])
    def edit_file(self, repo_path: RepoPath, path: str, old_text: Annotated[str, Field(min_length=1)],
                  new_text: str) -> FileEdited:
        """Replace a piece of text that occurs exactly once in a working-tree file (not staged: use git_add).

        Args:
            repo_path: Path of the repository.
            path: File path relative to the repository root.
            old_text: The exact text to replace; it must occur exactly once in the file.
            new_text: The replacement text.
        """
        current = self.read_file(repo_path, path)
        count = current["content"].count(old_text)
        if count != 1:
            raise ToolError(f"old_text occurs {count} times in {current['path']}; it must occur exactly once"
                            " (read_file shows the content)")
        self.execute("UPDATE working_files SET content = ? WHERE repo_path = ? AND path = ?",
                     current["content"].replace(old_text, new_text), self._repo(repo_path)["repo_path"],
                     current["path"])
        return {"path": current["path"], "replaced": 1}

    @tool(writes=True, phrase=["delete {path} from {repo_path}", "remove {path} in {repo_path}"])
    def delete_file(self, repo_path: RepoPath, path: str) -> FileDeleted:
        """Delete a file from the working tree (stage the deletion with git_add).

        Args:
            repo_path: Path of the repository.
            path: File path relative to the repository root.
        """
        current = self.read_file(repo_path, path)
        self.execute("DELETE FROM working_files WHERE repo_path = ? AND path = ?",
                     self._repo(repo_path)["repo_path"], current["path"])
        return {"path": current["path"], "deleted": True}

    @tool(phrase=["check the status of {repo_path}", "run git status on {repo_path}"])
    def git_status(self, repo_path: RepoPath) -> Status:
        """Show the current branch, staged and unstaged changes, untracked files, and how far origin is ahead/behind.

        Args:
            repo_path: Path of the repository.
        """
        return self._status(self._repo(repo_path))

    @tool(phrase=[
        "show the[ last {max_count}] commits of {repo_path}[ since {start_timestamp}][ until {end_timestamp}]",
        "go through the history of {repo_path}[ (at most {max_count} commits)][ from {start_timestamp}]"
        "[ up to {end_timestamp}]",
    ])
    def git_log(self, repo_path: RepoPath, max_count: Annotated[int, Field(ge=1, le=100)] = 10,
                start_timestamp: str | None = None, end_timestamp: str | None = None,
                branch: str | None = None) -> Log:
        """Show commits newest first, from the current branch or another branch or revision.

        Args:
            repo_path: Path of the repository.
            max_count: At most this many commits (1-100).
            start_timestamp: Only commits at or after this time (YYYY-MM-DD or YYYY-MM-DD HH:MM).
            end_timestamp: Only commits at or before this time (YYYY-MM-DD or YYYY-MM-DD HH:MM).
            branch: Branch, origin/<branch> or revision to start from (the current branch by default).
        """
        repo = self._repo(repo_path)
        start = parse_timestamp(start_timestamp, end=False) if start_timestamp else ""
        end = parse_timestamp(end_timestamp, end=True) if end_timestamp else "9999"
        tip = self._resolve(repo["repo_path"], branch or "HEAD")
        commits = [info for info in map(self._commit_info, self._history(tip)) if start <= info["date"] <= end]
        return {"branch": branch or repo["current_branch"], "commits": commits[:max_count]}

    @tool(phrase=[
        "list the branches of {repo_path}[ ({branch_type})]",
        "show me the branches {repo_path} has[ (branch type: {branch_type})]",
    ])
    def git_branch(self, repo_path: RepoPath, branch_type: Literal["local", "remote", "all"] = "local",
                   contains: str | None = None, not_contains: str | None = None) -> Branches:
        """List branches with the commit each points at; the current one is flagged.

        Args:
            repo_path: Path of the repository.
            branch_type: local branches, remote (origin/...) branches, or all.
            contains: Only branches whose history includes this revision.
            not_contains: Only branches whose history does not include this revision.
        """
        repo = self._repo(repo_path)
        path = repo["repo_path"]
        listed = []
        if branch_type in ("local", "all"):
            listed += [(r["name"], r["head_hash"], r["name"] == repo["current_branch"]) for r in self.rows(
                "SELECT name, head_hash FROM branches WHERE repo_path = ? ORDER BY name", path)]
        if branch_type in ("remote", "all"):
            listed += [(f"{r['remote']}/{r['name']}", r["head_hash"], False) for r in self.rows(
                "SELECT remote, name, head_hash FROM remote_branches WHERE repo_path = ? ORDER BY remote, name", path)]
        wanted = self._resolve(path, contains) if contains else None
        unwanted = self._resolve(path, not_contains) if not_contains else None
        branches = []
        for name, head, current in listed:
            history = self._history(head)
            if (wanted is None or wanted in history) and (unwanted is None or unwanted not in history):
                info = self._commit_info(head)
                branches.append({"name": name, "current": current, "head": info["short_hash"],
                                 "last_commit": info["message"]})
        return {"branches": branches}

    @tool(phrase=[
        "show me commit {revision} of {repo_path}[ with {context_lines} lines of context]",
        "show what {revision} changed in {repo_path}",
    ])
    def git_show(self, repo_path: RepoPath, revision: NonEmptyStr,
                 context_lines: ContextLines = 3) -> CommitShown:
        """Show a commit: author, date, message, the files it changed and its diff against its parent.

        Args:
            repo_path: Path of the repository.
            revision: A commit hash (7+ characters), HEAD, HEAD~N, a branch or origin/<branch>.
            context_lines: Lines of context around each change (0-20).
        """
        repo = self._repo(repo_path)
        commit = self._resolve(repo["repo_path"], revision)
        info = self._commit_info(commit)
        before = self._tree(info["parent"]) if info["parent"] else {}
        after = self._tree(commit)
        return {**info, "files": tree_changes(before, after), "diff": unified_diff(before, after, context_lines)}

    @tool(phrase=[
        "show the unstaged changes in {repo_path}[ with {context_lines} lines of context]",
        "diff the edits I have not staged yet in {repo_path}",
    ])
    def git_diff_unstaged(self, repo_path: RepoPath, context_lines: ContextLines = 3) -> Diff:
        """Diff of the working tree against the index: changes not staged yet (untracked files are not shown).

        Args:
            repo_path: Path of the repository.
            context_lines: Lines of context around each change (0-20).
        """
        repo = self._repo(repo_path)
        index, working = self._tracked(repo["repo_path"])
        return {"diff_output": unified_diff(index, working, context_lines)}

    @tool(phrase=[
        "show what is staged in {repo_path}[ with {context_lines} lines of context]",
        "diff the staged changes of {repo_path}",
    ])
    def git_diff_staged(self, repo_path: RepoPath, context_lines: ContextLines = 3) -> Diff:
        """Diff of the index against HEAD: what the next commit would contain.

        Args:
            repo_path: Path of the repository.
            context_lines: Lines of context around each change (0-20).
        """
        repo = self._repo(repo_path)
        head = self._tree(self._head(repo))
        return {"diff_output": unified_diff(head, self._files("index_files", repo["repo_path"]), context_lines)}

    @tool(phrase=["diff the working tree of {repo_path}[ against {target}]", "compare {repo_path}[ with {target}]"])
    def git_diff(self, repo_path: RepoPath, target: NonEmptyStr = "HEAD",
                 context_lines: ContextLines = 3) -> TargetDiff:
        """Diff of the tracked files of the working tree against a revision (a branch, hash, HEAD~N...).

        Args:
            repo_path: Path of the repository.
            target: The revision to compare with (HEAD by default).
            context_lines: Lines of context around each change (0-20).
        """
        repo = self._repo(repo_path)
        base = self._tree(self._resolve(repo["repo_path"], target))
        index, working = self._tracked(repo["repo_path"])
        return {"target": target, "diff_output": unified_diff(base, working, context_lines)}

    @tool(writes=True, phrase=["stage {files} in {repo_path}", "git add {files} in {repo_path}"])
    def git_add(self, repo_path: RepoPath, files: Annotated[list[str], Field(min_length=1)]) -> Staged:
        """Stage files (their current working-tree content, or their deletion); '.' stages every change.

        Args:
            repo_path: Path of the repository.
            files: File paths or folder paths relative to the repository root, or ['.'] for everything.
        """
        repo = self._repo(repo_path)
        path = repo["repo_path"]
        index, working = self._files("index_files", path), self._files("working_files", path)
        for spec in files:
            if spec.strip() in (".", "-A", "--all"):
                matched = set(index) | set(working)
            else:
                name = check_path(spec)
                matched = {p for p in set(index) | set(working) if p == name or p.startswith(name.rstrip("/") + "/")}
            if not matched:
                raise ToolError(f"pathspec '{spec}' did not match any files; git_status lists changed files")
            for name in matched:
                if name in working:
                    index[name] = working[name]
                else:
                    index.pop(name, None)
        self._store("index_files", path, index)
        return {"staged_files": self._status(repo)["staged"]}

    @tool(writes=True, phrase=[
        "commit the staged changes in {repo_path} with the message {message}",
        "commit what is staged in {repo_path} as {message}",
    ])
    def git_commit(self, repo_path: RepoPath, message: NonEmptyStr) -> Committed:
        """Record the staged changes as a new commit on the current branch.

        Args:
            repo_path: Path of the repository.
            message: The commit message.
        """
        repo = self._repo(repo_path)
        staged = self._status(repo)["staged"]
        if not staged:
            raise ToolError("nothing to commit: no changes are staged; stage files with git_add first")
        sha = self._new_commit(repo["repo_path"], self._head(repo), repo["user_name"], message.strip(),
                               self._files("index_files", repo["repo_path"]))
        self._set_branch(repo["repo_path"], repo["current_branch"], sha)
        return {"commit_hash": sha, "branch": repo["current_branch"], "message": message.strip(), "files": staged}

    @tool(writes=True, phrase=[
        "reset[ {files} in] {repo_path}[ (mode: {mode})]",
        "run a[ {mode}] git reset on {repo_path}[ for {files}]",
    ])
    def git_reset(self, repo_path: RepoPath, files: list[str] | None = None,
                  mode: Literal["mixed", "hard"] = "mixed") -> ResetDone:
        """Unstage changes (mixed, keeps your edits) or discard them entirely (hard), for some files or all.

        Args:
            repo_path: Path of the repository.
            files: Only these paths (all tracked files by default).
            mode: mixed resets the index to HEAD; hard also resets the working tree (untracked files stay).
        """
        repo = self._repo(repo_path)
        path = repo["repo_path"]
        head = self._tree(self._head(repo))
        index, working = self._files("index_files", path), self._files("working_files", path)
        targets = set(head) | set(index)
        if files is not None:
            wanted = {check_path(f) for f in files}
            unknown = sorted(wanted - targets)
            if unknown:
                raise ToolError(f"not tracked: {', '.join(unknown)}; only tracked or staged files can be reset")
            targets = wanted
        for name in targets:
            for tree in (index, working) if mode == "hard" else (index,):
                if name in head:
                    tree[name] = head[name]
                else:
                    tree.pop(name, None)
        self._store("index_files", path, index)
        self._store("working_files", path, working)
        return {"status": f"{mode} reset of {len(targets)} path(s) to HEAD", **self._status(repo)}

    @tool(writes=True, phrase=[
        "create a branch {branch_name} in {repo_path}[ from {base_branch}]",
        "start a new branch {branch_name} in {repo_path}[ off {base_branch}]",
    ])
    def git_create_branch(self, repo_path: RepoPath, branch_name: str,
                          base_branch: str | None = None) -> BranchCreated:
        """Create a branch (without switching to it) at the tip of another branch or revision.

        Args:
            repo_path: Path of the repository.
            branch_name: Name of the new branch, e.g. 'feature/new-plot'.
            base_branch: Branch or revision to start from (the current HEAD by default).
        """
        repo = self._repo(repo_path)
        name = branch_name.strip()
        if not BRANCH_NAME.fullmatch(name) or ".." in name or name.endswith(("/", ".lock", ".")) or name == "HEAD":
            raise ToolError(f"'{branch_name}' is not a valid branch name; use letters, digits, '-', '_', '.' and '/'")
        if self._branch_head(repo["repo_path"], name) is not None:
            raise ToolError(f"a branch named '{name}' already exists; git_checkout switches to it")
        base = base_branch or "HEAD"
        commit = self._resolve(repo["repo_path"], base)
        self._set_branch(repo["repo_path"], name, commit)
        return {"branch_name": name, "base_branch": base, "head": commit[:7]}

    @tool(writes=True, phrase=["switch {repo_path} to {branch_name}", "check out {branch_name} in {repo_path}"])
    def git_checkout(self, repo_path: RepoPath, branch_name: str) -> CheckedOut:
        """Switch to a branch; a branch that exists only on origin gets a local copy.

        Refused while tracked files have uncommitted changes, unless the target points at the same commit.

        Args:
            repo_path: Path of the repository.
            branch_name: The branch to switch to.
        """
        repo = self._repo(repo_path)
        path, name = repo["repo_path"], branch_name.strip()
        if name.startswith("origin/") and self._branch_head(path, name) is None:
            name = name.removeprefix("origin/")
        target = self._branch_head(path, name)
        created = target is None
        if created:
            target = self._remote_head(path, "origin", name)
            if target is None:
                raise ToolError(f"no branch named '{branch_name}' locally or on origin; git_branch lists branches,"
                                " git_create_branch makes one")
        if name == repo["current_branch"]:
            return {"current_branch": name, "message": f"already on '{name}'"}
        if target != self._head(repo):
            self._require_clean(repo, f"switch to '{name}'")
            self._move_to(repo, target)
        if created:
            self._set_branch(path, name, target)
        self.execute("UPDATE repositories SET current_branch = ? WHERE repo_path = ?", name, path)
        note = f"new branch '{name}' tracking 'origin/{name}'" if created else f"switched to '{name}'"
        return {"current_branch": name, "message": note}

    @tool(writes=True, phrase=[
        "push {repo_path}[ to {remote}]",
        "push the current branch of {repo_path}[ to {remote}]",
    ])
    def git_push(self, repo_path: RepoPath, remote: str = "origin", branch: str | None = None,
                 force: bool = False) -> Pushed:
        """Push a local branch to the remote; rejected if the remote has commits you lack, unless force.

        Args:
            repo_path: Path of the repository.
            remote: Remote name.
            branch: Local branch to push (the current branch by default).
            force: Overwrite the remote branch even when that discards its commits.
        """
        repo = self._repo(repo_path)
        path = repo["repo_path"]
        self._remote(path, remote)
        name = branch or repo["current_branch"]
        local = self._branch_head(path, name)
        if local is None:
            raise ToolError(f"no local branch named '{name}'; git_branch lists branches")
        theirs = self._remote_head(path, remote, name)
        if theirs == local:
            return {"status": "Everything up-to-date", "remote": remote, "branch": name}
        if theirs is not None and theirs not in self._history(local) and not force:
            raise ToolError(f"push rejected (non-fast-forward): {remote}/{name} has commits your branch does not"
                            " have; git_pull them first, or push with force=true to overwrite them")
        self.upsert("remote_branches", {"repo_path": path, "remote": remote, "name": name}, {"head_hash": local})
        verb = "created" if theirs is None else ("forced update" if theirs not in self._history(local) else "updated")
        return {"status": f"{verb} {remote}/{name} at {local[:7]}", "remote": remote, "branch": name}

    @tool(writes=True, phrase=[
        "pull the latest changes into {repo_path}[ from {remote}]",
        "pull {repo_path}[ from {remote}]",
    ])
    def git_pull(self, repo_path: RepoPath, remote: str = "origin", branch: str | None = None,
                 rebase: bool = False) -> Pulled:
        """Bring a remote branch's commits into the current branch (fast-forward, or rebase when both moved).

        Args:
            repo_path: Path of the repository.
            remote: Remote name.
            branch: Remote branch to pull (the current branch's name by default).
            rebase: When local and remote have both moved, replay your local commits on top of the remote's.
        """
        repo = self._repo(repo_path)
        path = repo["repo_path"]
        self._remote(path, remote)
        name = branch or repo["current_branch"]
        theirs = self._remote_head(path, remote, name)
        if theirs is None:
            raise ToolError(f"{remote} has no branch named '{name}'; git_branch with branch_type='remote' lists them")
        local = self._head(repo)
        mine = self._history(local)
        if theirs in mine:
            return {"status": "Already up to date", "remote": remote, "branch": name, "updated_files": []}
        self._require_clean(repo, "pull")
        if local in self._history(theirs):
            tip, how = theirs, "fast-forward"
        elif rebase:
            tip, how = self._rebase(repo, local, theirs), "rebased"
        else:
            raise ToolError(f"your branch and {remote}/{name} have diverged; pull with rebase=true to replay your"
                            " commits on top of the remote's")
        self._move_to(repo, tip)
        self._set_branch(path, repo["current_branch"], tip)
        updated = [c["path"] for c in tree_changes(self._tree(local), self._tree(tip))]
        return {"status": f"{how} to {tip[:7]}", "remote": remote, "branch": name, "updated_files": updated}
