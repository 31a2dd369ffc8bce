"""PubMedServer: a PubMed-like citation database (titles, abstracts, authors, journals, MeSH terms) with a
signed-in My NCBI account's collections and saved searches."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, like_pattern

JOURNALS = [  # name, ISO abbreviation, ISSN
    ("The New England Journal of Medicine", "N Engl J Med", "0028-4793"), ("The Lancet", "Lancet", "0140-6736"),
    ("JAMA", "JAMA", "0098-7484"), ("BMJ", "BMJ", "0959-8138"), ("Circulation", "Circulation", "0009-7322"),
    ("Diabetes Care", "Diabetes Care", "0149-5992"), ("Nature Medicine", "Nat Med", "1078-8956"),
    ("Clinical Infectious Diseases", "Clin Infect Dis", "1058-4838"), ("Annals of Oncology", "Ann Oncol", "0923-7534"),
    ("Journal of Clinical Oncology", "J Clin Oncol", "0732-183X"), ("Neurology", "Neurology", "0028-3878"),
    ("PLoS Medicine", "PLoS Med", "1549-1277")]
TOPICS = [  # condition, MeSH heading, interventions, exposures, outcomes, population
    ("type 2 diabetes", "Diabetes Mellitus, Type 2", ["metformin", "semaglutide", "empagliflozin"],
     "glycated hemoglobin", "adults"),
    ("atrial fibrillation", "Atrial Fibrillation", ["apixaban", "catheter ablation", "rivaroxaban"],
     "stroke", "older adults"),
    ("heart failure", "Heart Failure", ["dapagliflozin", "sacubitril-valsartan", "cardiac rehabilitation"],
     "hospitalization", "outpatients"),
    ("sepsis", "Sepsis", ["early vasopressin", "balanced crystalloids", "procalcitonin-guided therapy"],
     "28-day mortality", "critically ill patients"),
    ("major depressive disorder", "Depressive Disorder, Major", ["esketamine", "cognitive behavioral therapy",
     "sertraline"], "remission", "adolescents"),
    ("non-small-cell lung cancer", "Carcinoma, Non-Small-Cell Lung", ["osimertinib", "pembrolizumab",
     "stereotactic radiotherapy"], "progression-free survival", "patients with EGFR mutations"),
    ("Alzheimer disease", "Alzheimer Disease", ["lecanemab", "aerobic exercise", "donanemab"],
     "cognitive decline", "older adults"),
    ("COVID-19", "COVID-19", ["nirmatrelvir", "remdesivir", "dexamethasone"], "hospital admission",
     "vaccinated adults"),
    ("hypertension", "Hypertension", ["intensive blood pressure control", "chlorthalidone", "renal denervation"],
     "cardiovascular events", "adults"),
    ("asthma", "Asthma", ["budesonide-formoterol", "dupilumab", "mepolizumab"], "exacerbations", "children"),
    ("chronic kidney disease", "Renal Insufficiency, Chronic", ["finerenone", "dapagliflozin", "dietary protein"
     " restriction"], "kidney function decline", "patients with diabetes"),
    ("breast cancer", "Breast Neoplasms", ["trastuzumab deruxtecan", "adjuvant endocrine therapy", "ribociclib"],
     "invasive disease-free survival", "postmenopausal women")]
DESIGNS = [("Randomized Controlled Trial", "{i} versus placebo for {c} in {p}: a randomized controlled trial"),
           ("Meta-Analysis", "Efficacy and safety of {i} in {c}: a systematic review and meta-analysis"),
           ("Observational Study", "Association of {i} with {o} in {p} with {c}: a nationwide cohort study"),
           ("Clinical Trial, Phase III", "{i} in {p} with {c} (the {acr} trial): a phase 3 trial"),
           ("Review", "Advances in the management of {c}: the role of {i}"),
           ("Multicenter Study", "Long-term outcomes after {i} for {c}: a multicentre study")]
SPECIALTY = {"Circulation": ("atrial fibrillation", "heart failure", "hypertension"),
             "Diabetes Care": ("type 2 diabetes", "chronic kidney disease"), "Neurology": ("Alzheimer disease",),
             "Clinical Infectious Diseases": ("sepsis", "COVID-19"),
             "Annals of Oncology": ("non-small-cell lung cancer", "breast cancer"),
             "Journal of Clinical Oncology": ("non-small-cell lung cancer", "breast cancer")}
EXTRA_MESH = ["Humans", "Female", "Male", "Middle Aged", "Aged", "Treatment Outcome", "Risk Factors",
              "Prospective Studies", "Retrospective Studies", "Cohort Studies", "Double-Blind Method"]
FREQUENCIES = ("none", "daily", "weekly", "monthly")
COLLECTION_LIMIT = 25  # My NCBI: at most this many collections besides Favorites (here)
ITEM_LIMIT = 40  # items per collection
Pmid = Annotated[str, Field(pattern=r"^\d{7,8}$")]
KnownPmid = Annotated[str, UserKnown, Field(pattern=r"^\d{7,8}$")]
CollectionName = Annotated[str, UserKnown, Field(min_length=1, max_length=100, pattern=r"\S")]

Summary = TypedDict("Summary", {"pmid": str, "title": str, "first_author": str, "journal": str, "pub_date": str})
Search = TypedDict("Search", {"query": str, "count": int, "articles": list[Summary]})
Article = TypedDict("Article", {"pmid": str, "title": str, "authors": list[str], "journal": str, "pub_date": str,
                                "publication_types": list[str], "mesh_terms": list[str], "keywords": list[str],
                                "abstract": str, "doi": str})
Fetched = TypedDict("Fetched", {"articles": list[Article], "missing_pmids": list[str]})
ByAuthor = TypedDict("ByAuthor", {"author": str, "articles": list[Summary], "count": int})
ByJournal = TypedDict("ByJournal", {"journal": str, "year": int | None, "articles": list[Summary], "count": int})
Collection = TypedDict("Collection", {"collection": str, "description": str, "visibility": str, "items": int})
Items = TypedDict("Items", {"collection": str, "articles": list[Summary]})
SavedSearch = TypedDict("SavedSearch", {"name": str, "key_words": str, "frequency": str, "results": int})

SUMMARY = ("SELECT c.pmid, c.title, (SELECT author FROM authors a WHERE a.pmid = c.pmid AND position = 1)"
           " AS first_author, c.journal, c.pub_date FROM citations c")


class PubMedServer(World):
    """PubMed: biomedical citations (PMID, title, abstract, authors as 'Surname Initials', journal, publication date,
    MeSH terms and author keywords), and the signed-in user's My NCBI collections ('Favorites' is built in) and
    saved searches."""

    schema = """
    CREATE TABLE journals (journal TEXT PRIMARY KEY, iso_abbrev TEXT NOT NULL, issn TEXT NOT NULL);
    CREATE TABLE citations (pmid TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL,
                            journal TEXT NOT NULL REFERENCES journals, year INTEGER NOT NULL, pub_date TEXT NOT NULL,
                            publication_type TEXT NOT NULL, doi TEXT NOT NULL);
    CREATE TABLE authors (pmid TEXT NOT NULL REFERENCES citations, position INTEGER NOT NULL, author TEXT NOT NULL,
                          PRIMARY KEY (pmid, position));
    CREATE TABLE mesh (pmid TEXT NOT NULL REFERENCES citations, heading TEXT NOT NULL, PRIMARY KEY (pmid, heading));
    CREATE TABLE keywords (pmid TEXT NOT NULL REFERENCES citations, key_words TEXT NOT NULL,
                           PRIMARY KEY (pmid, key_words));
    CREATE TABLE collections (collection TEXT PRIMARY KEY COLLATE NOCASE, description TEXT NOT NULL,
                              visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')));
    CREATE TABLE collection_items (collection TEXT NOT NULL REFERENCES collections, pmid TEXT NOT NULL
                                   REFERENCES citations, added TEXT NOT NULL, PRIMARY KEY (collection, pmid));
    CREATE TABLE saved_searches (name TEXT PRIMARY KEY COLLATE NOCASE, key_words TEXT NOT NULL,
                                 frequency TEXT NOT NULL, saved TEXT NOT NULL);
    CREATE INDEX authors_by_name ON authors (author);
    CREATE INDEX citations_by_journal ON citations (journal, year);
    """
    volatile = {"collection_items": ("added",), "saved_searches": ("saved",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["journals"].insert_all({"journal": j, "iso_abbrev": a, "issn": i} for j, a, i in JOURNALS)
        people = sorted({f"{fake.last_name()} {rng.choice('ABCDEFGHJKLMPRST')}{rng.choice(['', *'ABCEHJKLMRS'])}"
                         for _ in range(70)})
        pmids = rng.sample(range(30_000_000, 39_900_000), 160)
        citations, authors, mesh, keywords = [], [], [], []
        for n, pmid in enumerate(map(str, sorted(pmids))):
            condition, heading, drugs, outcome, population = TOPICS[n % len(TOPICS)]
            drug, (kind, pattern) = rng.choice(drugs), rng.choice(DESIGNS)
            acronym = "".join(rng.choice("ABCDEFGHKLMNPRSTV") for _ in range(rng.randint(4, 6)))
            title = pattern.format(i=drug, c=condition, p=population, o=outcome, acr=acronym)
            journal = rng.choice([j for j in JOURNALS if condition in SPECIALTY.get(j[0], (condition,))])
            year = 2014 + (int(pmid) - 30_000_000) * 12 // 9_900_000
            month = rng.randint(1, 12)
            count, ratio = rng.randint(120, 9000), round(rng.uniform(0.55, 0.95), 2)
            low, high = round(ratio - rng.uniform(0.05, 0.15), 2), round(ratio + rng.uniform(0.03, 0.12), 2)
            abstract = (f"Background: The benefit of {drug} on {outcome} in {population} with {condition} is uncertain."
                        f" Methods: We enrolled {count} participants at {rng.randint(3, 140)} sites and followed them"
                        f" for a median of {rng.randint(6, 60)} months. Results: {drug[0].upper() + drug[1:]} was"
                        f" associated with a hazard ratio for {outcome} of {ratio} (95% CI, {low}-{high})."
                        f" Conclusions: In {population} with {condition}, {drug} "
                        f"{'reduced' if high < 1 else 'did not significantly reduce'} {outcome}.")
            citations.append({"pmid": pmid, "title": title[0].upper() + title[1:], "abstract": abstract,
                              "journal": journal[0], "year": year, "pub_date": f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
                              "publication_type": kind, "doi": f"10.{rng.randint(1000, 1099)}/{journal[1].lower().replace(' ', '')}"
                                                                f".{year}.{rng.randint(1000, 99999)}"})
            authors += [{"pmid": pmid, "position": k + 1, "author": a}
                        for k, a in enumerate(rng.sample(people, rng.randint(3, 7)))]
            mesh += [{"pmid": pmid, "heading": h} for h in {heading, *rng.sample(EXTRA_MESH, 3)}]
            keywords += [{"pmid": pmid, "key_words": k} for k in {condition, drug, outcome}]
        db["citations"].insert_all(citations)
        db["authors"].insert_all(authors)
        db["mesh"].insert_all(mesh)
        db["keywords"].insert_all(keywords)
        db["collections"].insert_all([
            {"collection": "Favorites", "description": "Articles starred from search results", "visibility": "private"},
            {"collection": "Journal club", "description": "Papers for the Thursday journal club", "visibility": "public"},
            {"collection": "Thesis background", "description": "Chapter 2 literature review", "visibility": "private"},
            {"collection": "Cardiology reading", "description": "Trials to discuss with the team", "visibility": "private"}])
        picks = rng.sample(citations, 24)
        db["collection_items"].insert_all(
            {"collection": ("Favorites", "Journal club", "Thesis background", "Cardiology reading")[k % 4],
             "pmid": c["pmid"], "added": f"2026-0{1 + k % 2}-{10 + k:02d} 10:{k:02d}"} for k, c in enumerate(picks))
        db["saved_searches"].insert_all([
            {"name": "SGLT2 heart failure", "key_words": "dapagliflozin heart failure", "frequency": "weekly",
             "saved": "2025-11-04 08:30"},
            {"name": "Sepsis fluids", "key_words": "balanced crystalloids", "frequency": "monthly",
             "saved": "2025-12-15 17:05"}])

    # ------------------------------------------------------------------------------------------ helpers
    def _summaries(self, where: str, *params: Any, order: str = "c.pub_date DESC, c.pmid",
                   limit: int = 20) -> list[Summary]:
        return self.rows(f"{SUMMARY} WHERE {where} ORDER BY {order} LIMIT ?", *params, limit)

    def _count(self, key_words: str) -> int:
        """How many citations hold every word of ``key_words`` (see :meth:`_matching`)."""
        patterns = [like_pattern(w) for w in key_words.split()]
        return self.value(f"SELECT COUNT(*) FROM citations c WHERE {self._matching(len(patterns))}", *patterns)

    @staticmethod
    def _matching(words: int) -> str:
        """A WHERE clause for citations whose title, abstract, MeSH headings or keywords hold each of ``words``
        words (LIKE patterns ?1 to ?words); each word's headings and keywords are looked up once, not per
        citation."""
        return " AND ".join(f"(c.title LIKE ?{i} ESCAPE '\\' OR c.abstract LIKE ?{i} ESCAPE '\\'"
                            f" OR c.pmid IN (SELECT pmid FROM mesh WHERE heading LIKE ?{i} ESCAPE '\\')"
                            f" OR c.pmid IN (SELECT pmid FROM keywords WHERE key_words LIKE ?{i} ESCAPE '\\'))"
                            for i in range(1, words + 1))

    def _collection(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM collections WHERE collection = ?", name.strip(),
                            error=f"you have no My NCBI collection named '{name}'; list_collections shows yours")

    def _citation(self, pmid: str) -> dict[str, Any]:
        return self.require("SELECT * FROM citations WHERE pmid = ?", pmid, error=f"no PubMed article with PMID {pmid}")

    # ------------------------------------------------------------------------------------------ search
    @tool(phrase=["search PubMed for {key_words}[, sorted by {sort}]", "find papers about {key_words}"])
    def search_pubmed_key_words(self, key_words: NonEmptyStr, max_results: Annotated[int, Field(ge=1, le=100)] = 10,
                                sort: Literal["relevance", "pub_date", "journal"] = "relevance") -> Search:
        """Search PubMed: citations whose title, abstract, MeSH terms or keywords contain every given word.

        Args:
            key_words: Words to look for, e.g. "apixaban stroke".
            max_results: At most this many citations (1-100).
            sort: relevance (words in the title first, then newest), pub_date (newest first) or journal (A-Z).
        """
        patterns = [like_pattern(w) for w in key_words.split()]
        title_hits = " + ".join(f"(c.title LIKE ?{i} ESCAPE '\\')" for i in range(1, len(patterns) + 1))
        order = {"relevance": f"{title_hits} DESC, c.pub_date DESC, c.pmid", "pub_date": "c.pub_date DESC, c.pmid",
                 "journal": "c.journal, c.pub_date DESC, c.pmid"}[sort]
        found = self.rows(f"{SUMMARY} WHERE {self._matching(len(patterns))} ORDER BY {order}"
                          f" LIMIT ?{len(patterns) + 1}", *patterns, max_results)
        return {"query": key_words, "count": self._count(key_words), "articles": found}

    @tool(phrase=["show me the abstract and MeSH terms of PMID {pmid}", "open the PubMed record of PMID {pmid}"])
    def get_pubmed_article(self, pmid: KnownPmid) -> Article:
        """The full PubMed record of one citation: authors, journal, types, MeSH terms, keywords, abstract and DOI.

        Args:
            pmid: The PubMed identifier, 7-8 digits.
        """
        c = self._citation(pmid)
        column = lambda sql: [r[0] for r in self.conn.execute(sql, (pmid,))]  # noqa: E731
        return {"pmid": pmid, "title": c["title"], "journal": c["journal"], "pub_date": c["pub_date"],
                "authors": column("SELECT author FROM authors WHERE pmid = ? ORDER BY position"),
                "publication_types": ["Journal Article", c["publication_type"]],
                "mesh_terms": column("SELECT heading FROM mesh WHERE pmid = ? ORDER BY heading"),
                "keywords": column("SELECT key_words FROM keywords WHERE pmid = ? ORDER BY key_words"),
                "abstract": c["abstract"], "doi": c["doi"]}

    @tool(phrase=["pull the full PubMed records of PMIDs {pmids}", "fetch the citations {pmids} from PubMed"])
    def fetch_pubmed_articles(self, pmids: Annotated[list[KnownPmid], UserKnown, Field(min_length=1, max_length=20)]) -> Fetched:
        """Several PubMed records at once (up to 20 PMIDs); unknown PMIDs are listed as missing.

        Args:
            pmids: PubMed identifiers.
        """
        known = [p for p in dict.fromkeys(pmids) if self.row("SELECT 1 FROM citations WHERE pmid = ?", p)]
        return {"articles": [self.get_pubmed_article(p) for p in known],
                "missing_pmids": [p for p in dict.fromkeys(pmids) if p not in known]}

    @tool(phrase=["list the papers by {author}", "find what {author} has published"])
    def search_pubmed_by_author(self, author: Annotated[str, UserKnown, Field(min_length=2, pattern=r"\S")],
                                max_results: Annotated[int, Field(ge=1, le=100)] = 10) -> ByAuthor:
        """Citations with an author whose name starts with the given text ('Surname Initials', e.g. "Smith JA"),
        newest first.

        Args:
            author: Author as PubMed writes it: surname, then initials.
            max_results: At most this many citations (1-100).
        """
        where = "c.pmid IN (SELECT pmid FROM authors WHERE author LIKE ? ESCAPE '\\')"
        pattern = like_pattern(author.strip())[1:]
        return {"author": author, "count": self.value(f"SELECT COUNT(*) FROM citations c WHERE {where}", pattern),
                "articles": self._summaries(where, pattern, limit=max_results)}

    @tool(phrase=["list what {journal} published[ in {year}]", "show me the {journal} papers[ from {year}]"])
    def search_pubmed_by_journal(self, journal: Annotated[str, UserKnown, Field(min_length=2, pattern=r"\S")],
                                 year: Annotated[int, Field(ge=1950, le=2026)] | None = None,
                                 max_results: Annotated[int, Field(ge=1, le=100)] = 10) -> ByJournal:
        """Citations of one journal (full title or ISO abbreviation), optionally of one publication year, newest first.

        Args:
            journal: The journal, e.g. "The Lancet" or "N Engl J Med".
            year: Only this publication year.
            max_results: At most this many citations (1-100).
        """
        found = self.row("SELECT journal FROM journals WHERE journal = ?1 COLLATE NOCASE OR iso_abbrev = ?1"
                         " COLLATE NOCASE", journal.strip())
        if found is None:
            raise ToolError(f"no journal '{journal}' is indexed; give its full title or ISO abbreviation")
        where = "c.journal = ? AND (? IS NULL OR c.year = ?)"
        return {"journal": found["journal"], "year": year, "articles": self._summaries(
                    where, found["journal"], year, year, limit=max_results),
                "count": self.value(f"SELECT COUNT(*) FROM citations c WHERE {where}", found["journal"], year, year)}

    # ------------------------------------------------------------------------------------------ My NCBI
    @tool(phrase=["show me my My NCBI collections", "list my saved PubMed collections"])
    def list_collections(self) -> list[Collection]:
        """The signed-in user's My NCBI collections with their item counts."""
        return self.rows("SELECT c.collection, description, visibility, COUNT(i.pmid) AS items FROM collections c"
                         " LEFT JOIN collection_items i USING (collection) GROUP BY c.collection ORDER BY c.collection")

    @tool(phrase=["show me what is in my {collection} collection", "list the papers saved in {collection}"])
    def list_collection_items(self, collection: CollectionName) -> Items:
        """The citations saved in one of the user's collections, most recently added first.

        Args:
            collection: The collection's name, e.g. "Favorites".
        """
        name = self._collection(collection)["collection"]
        return {"collection": name, "articles": self._summaries(
            "c.pmid IN (SELECT pmid FROM collection_items WHERE collection = ?)", name, limit=ITEM_LIMIT)}

    @tool(writes=True, phrase=["create a[ {visibility}] My NCBI collection called {collection}[ described as"
                               " {description}]", "start a new[ {visibility}] collection named {collection}"])
    def create_collection(self, collection: CollectionName, description: Annotated[str, Field(max_length=200)] = "",
                          visibility: Literal["private", "public"] = "private") -> Collection:
        """Create a My NCBI collection (names are unique, case-insensitive; at most 25 besides Favorites).

        Args:
            collection: Name of the new collection (1-100 characters).
            description: A short description.
            visibility: private (only you) or public (anyone with the link).
        """
        if self.row("SELECT 1 FROM collections WHERE collection = ?", collection.strip()):
            raise ToolError(f"you already have a collection named '{collection.strip()}'; pick another name")
        if self.value("SELECT COUNT(*) FROM collections WHERE collection != 'Favorites'") >= COLLECTION_LIMIT:
            raise ToolError(f"My NCBI allows at most {COLLECTION_LIMIT} collections; delete one first")
        self.execute("INSERT INTO collections VALUES (?, ?, ?)", collection.strip(), description, visibility)
        return {"collection": collection.strip(), "description": description, "visibility": visibility, "items": 0}

    @tool(writes=True, phrase=["save the paper to my {collection} collection", "add the article to {collection}",
                               "put the paper in my {collection} collection"])
    def save_to_collection(self, collection: CollectionName, pmid: Pmid) -> Collection:
        """Save a citation to one of the user's collections (once; at most 40 items per collection).

        Args:
            collection: The collection's name.
            pmid: The citation's PubMed identifier.
        """
        target, article = self._collection(collection), self._citation(pmid)
        name = target["collection"]
        if self.row("SELECT 1 FROM collection_items WHERE collection = ? AND pmid = ?", name, pmid):
            raise ToolError(f"PMID {pmid} is already in your collection '{name}'")
        if self.value("SELECT COUNT(*) FROM collection_items WHERE collection = ?", name) >= ITEM_LIMIT:
            raise ToolError(f"collection '{name}' is full ({ITEM_LIMIT} items); remove some or use another collection")
        self.execute("INSERT INTO collection_items VALUES (?, ?, ?)", name, article["pmid"],
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return self._collection_info(name)

    @tool(writes=True, phrase=["take the paper out of my {collection} collection",
                               "remove the article from {collection}"])
    def remove_from_collection(self, collection: CollectionName, pmid: Pmid) -> Collection:
        """Remove a citation from one of the user's collections.

        Args:
            collection: The collection's name.
            pmid: The citation's PubMed identifier.
        """
        name = self._collection(collection)["collection"]
        if not self.execute("DELETE FROM collection_items WHERE collection = ? AND pmid = ?", name, pmid):
            raise ToolError(f"PMID {pmid} is not in your collection '{name}'; list_collection_items shows what is")
        return self._collection_info(name)

    def _collection_info(self, name: str) -> Collection:
        return next(c for c in self.list_collections() if c["collection"] == name)

    @tool(writes=True, phrase=["save my PubMed search for {key_words} as {name}[ with {frequency} email alerts]",
                               "keep the search {key_words} under the name {name}[ and email me {frequency}]"])
    def save_search(self, name: Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")],
                    key_words: NonEmptyStr, frequency: Literal[FREQUENCIES] = "none") -> SavedSearch:  # type: ignore[valid-type]
        """Save a search in My NCBI, optionally with e-mail alerts of new results (names are unique).

        Args:
            name: Name of the saved search.
            key_words: The search words, as for search_pubmed_key_words.
            frequency: How often new results are e-mailed: none, daily, weekly or monthly.
        """
        if self.row("SELECT 1 FROM saved_searches WHERE name = ?", name.strip()):
            raise ToolError(f"you already have a saved search named '{name.strip()}'; pick another name")
        count = self._count(key_words)
        if count == 0 and frequency != "none":
            raise ToolError(f"'{key_words}' finds no citations; alerts need a search with results")
        self.execute("INSERT INTO saved_searches VALUES (?, ?, ?, ?)", name.strip(), key_words.strip(), frequency,
                     self.now().strftime("%Y-%m-%d %H:%M"))
        return {"name": name.strip(), "key_words": key_words.strip(), "frequency": frequency, "results": count}
