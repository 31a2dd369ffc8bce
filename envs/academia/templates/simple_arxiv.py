"""Task templates of SimpleArxiv: finding papers by topic, author or title, then keeping them in the library."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.academia.simple_arxiv import TAGS, TAXONOMY, SimpleArxiv

NOTES = ["Related work for chapter 2", "Discuss at Friday reading group", "Compare against our method",
         "Check the proofs in the appendix"]


def unsaved(world: SimpleArxiv, paper: dict) -> bool:
    return not paper["withdrawn"] and not world.value("SELECT 1 FROM saved_papers WHERE arxiv_id = ?",
                                                      paper["arxiv_id"])


@scenario
def newest_on_topic(world: SimpleArxiv, rng: random.Random) -> Draft | None:
    code = rng.choice(sorted(TAXONOMY))
    method = rng.choice(TAXONOMY[code][2])
    found = world._search("(p.title LIKE ?1 ESCAPE '\\' OR p.abstract LIKE ?1 ESCAPE '\\')", method, 10, [code])
    if len(found) < 2 or not unsaved(world, found[0]):
        return None
    newest, tag = found[0], rng.choice(TAGS)
    return Draft(
        request=rng.choice(["Find the most recent {name} ({code}) paper on arXiv about {m} and save it to my library"
                            " tagged {t}. What's its title, and the PDF link?",
                            "I need the newest {code} preprint on {m}: put it in my arXiv library with the tag {t}"
                            " and give me the title and the PDF link."]).format(name=TAXONOMY[code][1], code=code, m=method, t=tag),
        calls=(call("search_arxiv", query=method, sub_categories=[code]),
               call("get_paper_details", arxiv_id=newest["arxiv_id"]),
               call("save_paper", arxiv_id=newest["arxiv_id"], tags=[tag])),
        answer=(newest["title"], f"https://arxiv.org/pdf/{newest['arxiv_id']}v{newest['version']}"))


@scenario
def latest_by_author(world: SimpleArxiv, rng: random.Random) -> Draft | None:
    authors = world.rows("SELECT author FROM paper_authors GROUP BY author HAVING COUNT(*) >= 2 ORDER BY author")
    author = rng.choice(authors)["author"]
    papers = world.call("search_metadata", {"query": author})["papers"]
    if len(papers) < 2 or any(author not in p["authors"] for p in papers):
        return None
    latest = world._paper(papers[0]["arxiv_id"])
    if not unsaved(world, latest):
        return None
    note = rng.choice(NOTES)
    return Draft(
        request=f"What is {author}'s latest paper on arXiv, and when was its latest version posted? Save it to my"
                f" library with the note '{note}'.",
        calls=(call("search_metadata", query=author), call("get_paper_details", arxiv_id=latest["arxiv_id"]),
               call("save_paper", arxiv_id=latest["arxiv_id"], note=note)),
        answer=(latest["title"], latest["updated_date"]))


@scenario
def journal_version(world: SimpleArxiv, rng: random.Random) -> Draft | None:
    papers = world.rows("SELECT * FROM papers WHERE journal_ref != '' AND withdrawn = 0 ORDER BY arxiv_id")
    paper = rng.choice(papers)
    if not unsaved(world, paper):
        return None
    words = paper["title"]
    return Draft(
        request=f"Has the arXiv paper '{words}' been published in a journal or conference, and which version is the"
                " latest? Add it to my library tagged cite.",
        calls=(call("search_metadata", query=words), call("get_paper_details", arxiv_id=paper["arxiv_id"]),
               call("save_paper", arxiv_id=paper["arxiv_id"], tags=["cite"])),
        answer=(paper["journal_ref"], f"v{paper['version']}"))


@scenario
def tag_topic_in_library(world: SimpleArxiv, rng: random.Random) -> Draft | None:
    saved = world.rows("SELECT p.* FROM saved_papers s JOIN papers p USING (arxiv_id) ORDER BY arxiv_id")
    paper = rng.choice(saved)
    tags = [r["tag"] for r in world.rows("SELECT tag FROM paper_tags WHERE arxiv_id = ?", paper["arxiv_id"])]
    tag = rng.choice([t for t in TAGS if t not in tags])
    return Draft(
        request=f"In my arXiv library there's '{paper['title']}'. Tag it {tag}, and tell me who the first author is.",
        calls=(call("get_library"), call("tag_paper", arxiv_id=paper["arxiv_id"], tags=[tag]),
               call("get_paper_details", arxiv_id=paper["arxiv_id"])),
        answer=(world._authors(paper["arxiv_id"])[0],))
