"""Cross-environment task templates of the Academia domain: research errands chaining two of its services.

- ClinicalTrialsGov + DrugBank: the trials testing a drug for a condition and how it interacts with a medication
  the user takes; a trial saved with a note and the pregnancy category of the drug it tests.
- SimpleArxiv + PubMedServer: an arXiv paper and a PubMed article on clinical trials saved to the reading lists.
- WikipediaServer + OpenLibrary: a town's article watched and a book put on the want-to-read shelf.

GithubTrending and GitHubServer share no repository, so no template chains them. ``world`` is the domain's
:class:`~envfactory_gym.core.worldset.WorldSet`; every gold call goes through :func:`member_call`.
"""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def drug_trials(world: WorldSet) -> list[dict[str, Any]]:
    """(intervention, condition, count) of the trials whose tested drug DrugBank knows, most trials first."""
    known = {r["name"].lower() for r in world.worlds["DrugBank"].rows("SELECT name FROM drugs")}
    found = world.worlds["ClinicalTrialsGov"].rows(
        "SELECT intervention, condition, COUNT(*) AS n FROM studies GROUP BY intervention, condition"
        " ORDER BY n DESC, intervention, condition")
    return [r for r in found if r["intervention"].lower() in known]


def matching_studies(world: WorldSet, condition: str, intervention: str) -> list[dict[str, Any]]:
    """The studies clinicaltrials_search_studies returns for a condition and a drug (same LIKE matching)."""
    return world.worlds["ClinicalTrialsGov"].rows(
        "SELECT nctId FROM studies WHERE condition LIKE ? AND intervention LIKE ? ORDER BY startDate DESC, nctId",
        f"%{condition}%", f"%{intervention}%")


# ------------------------------------------------------------------------------ ClinicalTrialsGov + DrugBank
@scenario
def trials_and_interaction(world: WorldSet, rng: random.Random) -> Draft | None:
    pairs = drug_trials(world)
    several = [p for p in pairs if p["n"] >= 2]
    meds = [r["name"] for r in world.worlds["DrugBank"].rows(
        "SELECT d.name FROM medications m JOIN drugs d USING (drugbank_id) ORDER BY d.name")]
    if not pairs or not meds:
        return None
    pair = rng.choice(several or pairs)
    drug, condition = pair["intervention"], pair["condition"]
    mine = rng.choice([m for m in meds if m.lower() != drug.lower()] or [None])
    if mine is None:
        return None
    studies = matching_studies(world, condition, drug)
    if not studies or len(studies) > 20:
        return None
    return Draft(
        request=rng.choice([
            ("My doctor mentioned {d} for my {c}. Which clinical trials are testing {d} for {c}? Give me their NCT "
             "ids, and check whether {d} interacts with the {m} I already take: how severe is it at worst?"),
            ("I take {m}. Find the {c} trials that test {d} (list their NCT numbers) and tell me the highest "
             "severity of any interaction between {d} and {m}."),
        ]).format(d=drug, c=condition, m=mine),
        calls=(member_call(world, "ClinicalTrialsGov", "clinicaltrials_search_studies", condition=condition,
                           intervention=drug),
               member_call(world, "DrugBank", "check_drug_interactions", drugs=[drug, mine])),
        answer=(*(Ref(0, f"studies.{i}.nctId") for i in range(len(studies))), Ref(1, "highest_severity")))


@scenario
def trial_saved_drug_pregnancy(world: WorldSet, rng: random.Random) -> Draft | None:
    trials = world.worlds["ClinicalTrialsGov"]
    saved = {r["nctId"] for r in trials.rows("SELECT nctId FROM saved_studies")}
    pairs = drug_trials(world)
    rng.shuffle(pairs)
    for pair in pairs:
        drug, condition = pair["intervention"], pair["condition"]
        studies = matching_studies(world, condition, drug)
        free = [s for s in studies if s["nctId"] not in saved]
        if free and len(studies) <= 20:
            break
    else:
        return None
    study = rng.choice(free)
    note = rng.choice(["ask Dr. Patel at the next visit", "for my mother", "check eligibility", "discuss with team"])
    return Draft(
        request=rng.choice([
            ("Save trial {n} (it tests {d} for {c}) to my saved studies with the note '{note}', and tell me the "
             "pregnancy category of {d}."),
            ("What pregnancy category is {d} in? Also bookmark the {c} study {n} in my ClinicalTrials.gov list, "
             "noting '{note}'."),
        ]).format(n=study["nctId"], d=drug, c=condition, note=note),
        calls=(member_call(world, "ClinicalTrialsGov", "clinicaltrials_save_study", nctId=study["nctId"], note=note),
               member_call(world, "DrugBank", "search_drugs", query=drug),
               member_call(world, "DrugBank", "get_drug_details",
                           drugbank_id=Ref(1, "drugs", then=lambda rows, d=drug: next(
                               r["drugbank_id"] for r in rows if r["name"].lower() == d.lower())))),
        answer=(Ref(2, "pregnancy_category"),))


# ------------------------------------------------------------------------------- SimpleArxiv + PubMedServer
@scenario
def trial_methods_reading(world: WorldSet, rng: random.Random) -> Draft | None:
    arxiv, pubmed = world.worlds["SimpleArxiv"], world.worlds["PubMedServer"]
    saved = {r["arxiv_id"] for r in arxiv.rows("SELECT arxiv_id FROM saved_papers")}
    papers = [p for p in arxiv.rows("SELECT arxiv_id, title FROM papers WHERE title LIKE '%Clinical Trials%'"
                                    " AND withdrawn = 0 ORDER BY arxiv_id") if p["arxiv_id"] not in saved]
    collections = [r["collection"] for r in pubmed.rows("SELECT collection FROM collections ORDER BY collection")]
    if not papers or not collections:
        return None
    collection = rng.choice(collections)
    held = {r["pmid"] for r in pubmed.rows("SELECT pmid FROM collection_items WHERE collection = ?", collection)}
    articles = [a for a in pubmed.rows("SELECT pmid, title FROM citations WHERE title LIKE '%randomized%trial%'"
                                       " ORDER BY pmid") if a["pmid"] not in held]
    if not articles:
        return None
    paper, article = rng.choice(papers), rng.choice(articles)
    if len(arxiv.rows("SELECT 1 FROM papers WHERE title = ?", paper["title"])) != 1:
        return None
    tag = rng.choice(["trial-design", "to-read", "methods"])
    return Draft(
        request=rng.choice([
            ("I'm reading up on clinical trial methods. Save the arXiv paper '{t}' to my library tagged '{g}', and "
             "add the PubMed article '{a}' to my '{c}' collection."),
            ("Put the PubMed paper '{a}' in my My NCBI collection '{c}', and save '{t}' from arXiv to my library "
             "with the tag '{g}'."),
        ]).format(t=paper["title"], g=tag, a=article["title"], c=collection),
        calls=(member_call(world, "SimpleArxiv", "search_metadata", query=paper["title"]),
               member_call(world, "SimpleArxiv", "save_paper",
                           arxiv_id=Ref(0, "papers", then=pick("arxiv_id", title=paper["title"])), tags=[tag]),
               member_call(world, "PubMedServer", "search_pubmed_key_words", key_words=article["title"]),
               member_call(world, "PubMedServer", "save_to_collection", collection=collection,
                           pmid=Ref(2, "articles", then=pick("pmid", title=article["title"])))))


# -------------------------------------------------------------------------- WikipediaServer + OpenLibrary
@scenario
def town_watched_book_shelved(world: WorldSet, rng: random.Random) -> Draft | None:
    wiki, library = world.worlds["WikipediaServer"], world.worlds["OpenLibrary"]
    towns = wiki.rows("SELECT title FROM pages WHERE description LIKE 'Town in %' AND pageid NOT IN"
                      " (SELECT pageid FROM watchlist) ORDER BY title")
    books = library.rows("SELECT w.work_id, w.title, a.name AS author FROM books w JOIN authors a ON a.key ="
                         " w.author_key WHERE w.work_id NOT IN (SELECT work_id FROM shelved_books) ORDER BY w.title")
    if not towns or not books:
        return None
    town, book = rng.choice(towns)["title"], rng.choice(books)
    expiry = rng.choice(["1 month", "3 months", "6 months"])
    return Draft(
        request=rng.choice([
            ("I'm writing about {t}. Watch its Wikipedia article for {e}, and put the book '{b}' on my Open Library "
             "want-to-read shelf. Who wrote that book?"),
            ("Add the book '{b}' to my want-to-read shelf and tell me its author; also keep the Wikipedia page of "
             "{t} on my watchlist for {e}."),
        ]).format(t=town, e=expiry, b=book["title"]),
        calls=(member_call(world, "WikipediaServer", "watch_page", title=town, expiry=expiry),
               member_call(world, "OpenLibrary", "get_book_by_title", title=book["title"]),
               member_call(world, "OpenLibrary", "add_to_reading_log",
                           work_id=Ref(1, "matches", then=pick("work_id", title=book["title"])),
                           shelf="want-to-read")),
        answer=(Ref(1, "matches", then=pick("author_name", title=book["title"])),))
