"""SimpleArxiv: a seeded arXiv (papers with ids, versions, authors, categories, abstracts, dates, withdrawals) and
a registered reader's library of saved papers with tags and notes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, like_pattern

TAXONOMY = {  # sub-category -> (archive, name, methods, tasks)
    "cs.LG": ("cs", "Machine Learning", ["Contrastive Pretraining", "Sparse Mixture-of-Experts", "Diffusion Models"],
              ["Tabular Data", "Continual Learning", "Out-of-Distribution Detection"]),
    "cs.CL": ("cs", "Computation and Language", ["Retrieval-Augmented Generation", "Instruction Tuning",
              "Speculative Decoding"], ["Low-Resource Translation", "Long-Context Question Answering", "Summarization"]),
    "cs.CV": ("cs", "Computer Vision and Pattern Recognition", ["Vision Transformers", "Neural Radiance Fields",
              "Masked Autoencoders"], ["Semantic Segmentation", "3D Reconstruction", "Video Object Tracking"]),
    "cs.CR": ("cs", "Cryptography and Security", ["Differential Privacy", "Fuzzing", "Zero-Knowledge Proofs"],
              ["Federated Learning", "Smart Contracts", "Browser Extensions"]),
    "math.PR": ("math", "Probability", ["Stochastic Coupling", "Martingale Methods", "Large Deviations"],
                ["Random Graphs", "Interacting Particle Systems", "Random Matrices"]),
    "math.OC": ("math", "Optimization and Control", ["Mirror Descent", "Interior-Point Methods", "ADMM"],
                ["Nonconvex Optimization", "Optimal Transport", "Model Predictive Control"]),
    "stat.ML": ("stat", "Machine Learning (Statistics)", ["Gaussian Processes", "Conformal Prediction",
                "Variational Inference"], ["Causal Effect Estimation", "Uncertainty Quantification", "Bandits"]),
    "stat.ME": ("stat", "Methodology", ["Bayesian Hierarchical Models", "Bootstrap Methods", "Sequential Testing"],
                ["Clinical Trials", "Missing Data", "Survey Sampling"]),
    "q-bio.NC": ("q-bio", "Neurons and Cognition", ["Spiking Networks", "Predictive Coding", "Recurrent Models"],
                 ["Working Memory", "Grid Cells", "Motor Control"]),
    "econ.EM": ("econ", "Econometrics", ["Synthetic Control", "Double Machine Learning", "Instrumental Variables"],
                ["Panel Data", "Labor Markets", "Policy Evaluation"]),
    "astro-ph.GA": ("astro-ph", "Astrophysics of Galaxies", ["Cosmological Simulations", "Spectral Fitting",
                    "Weak Lensing"], ["Dwarf Galaxies", "Galaxy Mergers", "Star Formation"]),
    "eess.SP": ("eess", "Signal Processing", ["Compressed Sensing", "Graph Signal Processing", "Kalman Filtering"],
                ["Radar Imaging", "Wireless Channels", "EEG Decoding"]),
}
TEMPLATES = ["{method} for {task}", "Scalable {method} for {task}", "On the Robustness of {method} in {task}",
             "Revisiting {method}: Lessons from {task}", "{task} with {method}", "A Theory of {method} for {task}"]
JOURNALS = ["NeurIPS 2024", "ICML 2025", "Phys. Rev. E 109, 034102 (2024)", "Ann. Statist. 52(3) (2024)",
            "JMLR 25 (2024)", "ACL 2025", "CVPR 2025", "Astrophys. J. 961, 42 (2024)", "IEEE Trans. Signal Process."]
CLAIMS = ["Existing approaches to {task} scale poorly and lack guarantees.", "We propose a simple estimator built on"
          " {method} and prove non-asymptotic bounds under mild assumptions.", "Our analysis explains when {method}"
          " fails and how to repair it.", "We release code and a benchmark of {n} datasets for {task}."]
TAGS = ["to-read", "thesis", "reproduce", "reading-group", "baseline", "survey", "cite"]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,29}$")]
Limit = Annotated[int, Field(ge=1, le=50)]
Codes = Annotated[list[NonEmptyStr], Field(max_length=10)]

Hit = TypedDict("Hit", {"arxiv_id": str, "title": str, "authors": list[str], "published_date": str,
                        "primary_category": str})
Grouped = TypedDict("Grouped", {"results_by_category": dict[str, list[Hit]], "total": int})
Meta = TypedDict("Meta", {"arxiv_id": str, "title": str, "authors": list[str], "primary_category": str,
                          "categories": list[str], "published_date": str, "version": int, "withdrawn": bool})
Papers = TypedDict("Papers", {"papers": list[Meta]})
Details = TypedDict("Details", {"arxiv_id": str, "title": str, "authors": list[str], "published_date": str,
                                "updated_date": str, "version": int, "categories": list[str], "journal_ref": str,
                                "comments": str, "abstract": str, "pdf_url": str, "withdrawn": bool})
Saved = TypedDict("Saved", {"arxiv_id": str, "title": str, "tags": list[str], "note": str, "saved_on": str})


class SimpleArxiv(World):
    """arXiv search (full text or metadata, filtered by archives such as 'cs' or categories such as 'cs.LG'),
    paper details with versions, and the signed-in reader's library: saved papers with tags and a note.
    Withdrawn papers stay listed but cannot be saved; a saved paper holds at most 5 tags."""

    domain = "Academia"
    schema = """
    CREATE TABLE categories (sub_category TEXT PRIMARY KEY, category TEXT NOT NULL, name TEXT NOT NULL);
    CREATE TABLE papers (arxiv_id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE, abstract TEXT NOT NULL,
                         primary_category TEXT NOT NULL REFERENCES categories, cross_lists TEXT NOT NULL,
                         published_date TEXT NOT NULL, updated_date TEXT NOT NULL, version INTEGER NOT NULL,
                         journal_ref TEXT NOT NULL, comments TEXT NOT NULL, withdrawn INTEGER NOT NULL);
    CREATE TABLE paper_authors (arxiv_id TEXT NOT NULL REFERENCES papers, position INTEGER NOT NULL,
                                author TEXT NOT NULL, PRIMARY KEY (arxiv_id, position));
    CREATE TABLE saved_papers (arxiv_id TEXT PRIMARY KEY REFERENCES papers, note TEXT NOT NULL, saved_on TEXT NOT NULL);
    CREATE TABLE paper_tags (arxiv_id TEXT NOT NULL REFERENCES saved_papers, tag TEXT NOT NULL,
                             PRIMARY KEY (arxiv_id, tag));
    CREATE INDEX authors_by_name ON paper_authors (author);
    """
    text_search = {"papers": ("title", "abstract")}
    volatile = {"saved_papers": ("saved_on",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["categories"].insert_all({"sub_category": code, "category": archive, "name": name}
                                    for code, (archive, name, _, _) in TAXONOMY.items())
        people = [f"{fake.first_name()} {fake.last_name()}" for _ in range(90)]
        papers, authors, seen = [], [], set()
        while len(papers) < 180:
            code = rng.choice(sorted(TAXONOMY))
            _, _, methods, tasks = TAXONOMY[code]
            method, task = rng.choice(methods), rng.choice(tasks)
            title = rng.choice(TEMPLATES).format(method=method, task=task)
            published = cls.days_before_start(rng, 20, 2200)
            arxiv_id = f"{published:%y%m}.{rng.randrange(100, 24000):05d}"
            if title in seen or arxiv_id in seen:
                continue
            seen |= {title, arxiv_id}
            version = rng.choice([1, 1, 1, 2, 2, 3, 4])
            updated = published + dt.timedelta(days=rng.randrange(20, 300)) if version > 1 else published
            withdrawn = len(papers) % 25 == 7
            cross = rng.sample([c for c in TAXONOMY if c != code and TAXONOMY[c][0] == TAXONOMY[code][0]]
                               or ["stat.ML"], rng.randrange(0, 2))
            papers.append({
                "arxiv_id": arxiv_id, "title": title, "primary_category": code, "cross_lists": " ".join(cross),
                "abstract": f"We study {task.lower()} through the lens of {method.lower()}. " + " ".join(c.format(
                    task=task.lower(), method=method.lower(), n=rng.randrange(5, 40)) for c in rng.sample(CLAIMS, 2)) +
                            f" Experiments show improvements of {rng.randrange(2, 40)}% over strong baselines.",
                "published_date": str(published), "updated_date": str(min(updated, cls.start_time.date())),
                "version": version, "journal_ref": rng.choice(JOURNALS) if rng.random() < .3 else "",
                "comments": "This paper has been withdrawn by the authors due to an error in the main proof"
                if withdrawn else f"{rng.randrange(8, 40)} pages, {rng.randrange(2, 12)} figures", "withdrawn": int(withdrawn)})
            for position, name in enumerate(rng.sample(people, rng.randrange(1, 6))):
                authors.append({"arxiv_id": arxiv_id, "position": position, "author": name})
        db["papers"].insert_all(papers)
        db["paper_authors"].insert_all(authors)
        for paper in rng.sample([p for p in papers if not p["withdrawn"]], 22):
            db["saved_papers"].insert({"arxiv_id": paper["arxiv_id"], "saved_on": str(cls.days_before_start(rng, 1, 400)),
                                       "note": rng.choice(["", "", "Compare with our baseline",
                                                           "Check the appendix proofs", "Suggested by advisor"])})
            db["paper_tags"].insert_all({"arxiv_id": paper["arxiv_id"], "tag": t} for t in rng.sample(TAGS, rng.randrange(0, 3)))

    # ------------------------------------------------------------------ helpers
    def _authors(self, arxiv_id: str) -> list[str]:
        return [r["author"] for r in self.rows("SELECT author FROM paper_authors WHERE arxiv_id = ? ORDER BY position",
                                               arxiv_id)]

    def _paper(self, arxiv_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM papers WHERE arxiv_id = ?", arxiv_id.removeprefix("arXiv:").split("v")[0],
                            error=f"no arXiv paper '{arxiv_id}'; ids look like 2403.01234 (search_metadata finds them)")

    def _filter(self, categories: list[str] | None, sub_categories: list[str] | None) -> list[str] | None:
        """The sub-categories a search may return (None: all), checking every code against the taxonomy."""
        archives = {a for a, *_ in TAXONOMY.values()}
        for code in categories or []:
            if code not in archives:
                raise ToolError(f"unknown arXiv archive '{code}'; use one of {', '.join(sorted(archives))}")
        for code in sub_categories or []:
            if code not in TAXONOMY:
                raise ToolError(f"unknown arXiv category '{code}'; use codes such as {', '.join(sorted(TAXONOMY))}")
        if not categories and not sub_categories:
            return None
        return [c for c, (a, *_) in TAXONOMY.items() if a in (categories or []) or c in (sub_categories or [])]

    def _search(self, where: str, params: list[str], limit: int, allowed: list[str] | None) -> list[dict[str, Any]]:
        """Papers matching ``where``, newest first."""
        found = self.rows(f"SELECT * FROM papers WHERE {where} ORDER BY published_date DESC, arxiv_id", *params)
        return [p for p in found if allowed is None or p["primary_category"] in allowed
                or set(p["cross_lists"].split()) & set(allowed)][:limit]

    def _saved(self, arxiv_id: str) -> Saved:
        entry = self.row("SELECT s.arxiv_id, p.title, s.note, s.saved_on FROM saved_papers s JOIN papers p"
                         " USING (arxiv_id) WHERE s.arxiv_id = ?", arxiv_id)
        if entry is None:
            raise ToolError(f"'{self._paper(arxiv_id)['title']}' is not in your library; save it with save_paper")
        entry["tags"] = [r["tag"] for r in self.rows("SELECT tag FROM paper_tags WHERE arxiv_id = ? ORDER BY tag",
                                                     arxiv_id)]
        return entry

    # -------------------------------------------------------------------- search
    @tool(phrase=["search arXiv for papers about {query}[ in {categories}][ in {sub_categories}]",
                  "find recent arXiv papers on {query}[ within {sub_categories}]"])
    def search_arxiv(self, query: NonEmptyStr, limit: Limit = 10, categories: Codes | None = None,
                     sub_categories: Codes | None = None) -> Grouped:
        """Full-text search (every word in the title or abstract), newest first, grouped by primary category.

        Args:
            query: Words to look for, e.g. "conformal prediction".
            limit: At most this many papers in all.
            categories: Only these archives, e.g. ["cs", "stat"].
            sub_categories: Only these categories, e.g. ["cs.LG"] (cross-lists count).
        """
        filters = [self.text_filter("papers", word) for word in query.split()]
        found = self._search(" AND ".join(m for m, _ in filters), [p for _, params in filters for p in params], limit,
                             self._filter(categories, sub_categories))
        grouped: dict[str, list[Hit]] = {}
        for p in found:
            grouped.setdefault(p["primary_category"], []).append({
                "arxiv_id": p["arxiv_id"], "title": p["title"], "authors": self._authors(p["arxiv_id"]),
                "published_date": p["published_date"], "primary_category": p["primary_category"]})
        return {"results_by_category": grouped, "total": len(found)}

    @tool(phrase=["look up the arXiv listing of {query}[ in {sub_categories}]",
                  "find arXiv papers by {query}", "search arXiv metadata for {query}"])
    def search_metadata(self, query: NonEmptyStr, limit: Limit = 10, categories: Codes | None = None,
                        sub_categories: Codes | None = None) -> Papers:
        """Metadata search: every word in the title, an author's name or the arXiv id; newest first.

        Args:
            query: Title words, an author's name or an arXiv id.
            limit: At most this many papers.
            categories: Only these archives, e.g. ["math"].
            sub_categories: Only these categories, e.g. ["math.PR"].
        """
        words = query.split()
        where = " AND ".join(
            f"(papers.title LIKE ?{i} ESCAPE '\\' OR papers.arxiv_id LIKE ?{i} ESCAPE '\\' OR EXISTS (SELECT 1 FROM"
            f" paper_authors a WHERE a.arxiv_id = papers.arxiv_id AND a.author LIKE ?{i} ESCAPE '\\'))"
            for i in range(1, len(words) + 1))
        papers = self._search(where, [like_pattern(w) for w in words], limit,
                              self._filter(categories, sub_categories))
        return {"papers": [{"arxiv_id": p["arxiv_id"], "title": p["title"], "authors": self._authors(p["arxiv_id"]),
                            "primary_category": p["primary_category"],
                            "categories": [p["primary_category"], *p["cross_lists"].split()],
                            "published_date": p["published_date"], "version": p["version"],
                            "withdrawn": bool(p["withdrawn"])} for p in papers]}

    @tool(phrase=["get the details of {arxiv_id}", "show me the abstract page of {arxiv_id}"])
    def get_paper_details(self, arxiv_id: NonEmptyStr) -> Details:
        """A paper's abstract page: authors, dates of v1 and the latest version, journal reference, PDF link.

        Args:
            arxiv_id: The arXiv id, e.g. "2403.01234" (a version suffix such as v2 is accepted).
        """
        p = self._paper(arxiv_id)
        return {"arxiv_id": p["arxiv_id"], "title": p["title"], "authors": self._authors(p["arxiv_id"]),
                "published_date": p["published_date"], "updated_date": p["updated_date"], "version": p["version"],
                "categories": [p["primary_category"], *p["cross_lists"].split()], "journal_ref": p["journal_ref"],
                "comments": p["comments"], "abstract": p["abstract"],
                "pdf_url": f"https://arxiv.org/pdf/{p['arxiv_id']}v{p['version']}", "withdrawn": bool(p["withdrawn"])}

    # ------------------------------------------------------------------- library
    @tool(phrase=["show my saved papers[ tagged {tag}]", "list what's in my arXiv library[ under {tag}]"])
    def get_library(self, tag: Tag | None = None) -> list[Saved]:
        """The reader's saved papers, most recently saved first, optionally only those with a tag.

        Args:
            tag: Only papers with this tag.
        """
        # The entries as _saved reads them, in two queries rather than two per paper.
        entries = self.rows("SELECT s.arxiv_id, p.title, s.note, s.saved_on FROM saved_papers s LEFT JOIN papers p"
                            " USING (arxiv_id) WHERE ?1 IS NULL OR EXISTS (SELECT 1 FROM paper_tags t WHERE"
                            " t.arxiv_id = s.arxiv_id AND t.tag = ?1) ORDER BY s.saved_on DESC, s.arxiv_id", tag)
        if any(entry["title"] is None for entry in entries):  # a saved paper not on arXiv: _saved says which
            return [self._saved(entry["arxiv_id"]) for entry in entries]
        tags: dict[str, list[str]] = {}
        for arxiv_id, name in self.conn.execute("SELECT arxiv_id, tag FROM paper_tags ORDER BY tag"):
            tags.setdefault(arxiv_id, []).append(name)
        for entry in entries:
            entry["tags"] = tags.get(entry["arxiv_id"], [])
        return entries  # type: ignore[return-value]

    @tool(writes=True, phrase=["save {arxiv_id} to my library[ tagged {tags}][ with the note {note}]",
                               "add {arxiv_id} to my reading list[ with tags {tags}]"])
    def save_paper(self, arxiv_id: NonEmptyStr, tags: Annotated[list[Tag], Field(max_length=5)] | None = None,
                   note: Annotated[str, Field(max_length=500)] = "") -> Saved:
        """Save a paper to the library, with up to 5 tags and a note; withdrawn papers cannot be saved.

        Args:
            arxiv_id: The arXiv id.
            tags: Tags such as "to-read" (lowercase letters, digits, hyphens).
            note: A private note.
        """
        paper = self._paper(arxiv_id)
        if paper["withdrawn"]:
            raise ToolError(f"'{paper['title']}' ({paper['arxiv_id']}) has been withdrawn by its authors and cannot"
                            " be saved")
        if self.value("SELECT 1 FROM saved_papers WHERE arxiv_id = ?", paper["arxiv_id"]):
            raise ToolError(f"'{paper['title']}' is already in your library; use tag_paper to add tags")
        self.execute("INSERT INTO saved_papers VALUES (?, ?, ?)", paper["arxiv_id"], note.strip(), str(self.now().date()))
        self.executemany("INSERT OR IGNORE INTO paper_tags VALUES (?, ?)", [(paper["arxiv_id"], t) for t in tags or []])
        return self._saved(paper["arxiv_id"])

    @tool(writes=True, phrase=["tag {arxiv_id} in my library with {tags}", "add the tags {tags} to {arxiv_id}"])
    def tag_paper(self, arxiv_id: NonEmptyStr, tags: Annotated[list[Tag], Field(min_length=1, max_length=5)]) -> Saved:
        """Add tags to a saved paper (a paper holds at most 5 distinct tags).

        Args:
            arxiv_id: The arXiv id of a saved paper.
            tags: Tags to add.
        """
        entry = self._saved(self._paper(arxiv_id)["arxiv_id"])
        new = sorted(set(tags) - set(entry["tags"]))
        if not new:
            raise ToolError(f"'{entry['title']}' already has the tags {', '.join(sorted(set(tags)))}")
        if len(entry["tags"]) + len(new) > 5:
            raise ToolError(f"'{entry['title']}' has {len(entry['tags'])} tags ({', '.join(entry['tags'])}); a paper"
                            " holds at most 5")
        self.executemany("INSERT INTO paper_tags VALUES (?, ?)", [(entry["arxiv_id"], t) for t in new])
        return self._saved(entry["arxiv_id"])

    @tool(writes=True, phrase=["remove {arxiv_id} from my library", "unsave {arxiv_id}"])
    def remove_paper(self, arxiv_id: NonEmptyStr) -> Saved:
        """Remove a paper (and its tags) from the library; returns what was removed.

        Args:
            arxiv_id: The arXiv id of a saved paper.
        """
        entry = self._saved(self._paper(arxiv_id)["arxiv_id"])
        self.execute("DELETE FROM paper_tags WHERE arxiv_id = ?", entry["arxiv_id"])
        self.execute("DELETE FROM saved_papers WHERE arxiv_id = ?", entry["arxiv_id"])
        return entry
