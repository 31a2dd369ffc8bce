"""Task templates of PubMedServer: a researcher finds papers and files them in My NCBI collections."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.academia.pub_med_server import PubMedServer


def some_paper(world: PubMedServer, rng: random.Random, where: str = "1", *params: object) -> dict | None:
    """A citation found by searching its drug and condition, whose title is unique, with the search's words."""
    rows = world.rows("SELECT c.pmid, c.title, c.journal, c.year, (SELECT group_concat(key_words, '|') FROM keywords k"
                      " WHERE k.pmid = c.pmid) AS words FROM citations c WHERE " + where +
                      " AND title IN (SELECT title FROM citations GROUP BY title HAVING COUNT(*) = 1) ORDER BY pmid",
                      *params)
    return rng.choice(rows) if rows else None


def lookup(world: PubMedServer, paper: dict) -> tuple:
    """The search a user would run for the paper: its first author (their papers, newest first)."""
    author = world.value("SELECT author FROM authors WHERE pmid = ? AND position = 1", paper["pmid"])
    return author, call("search_pubmed_by_author", author=author, max_results=50)


@scenario
def save_paper(world: PubMedServer, rng: random.Random) -> Draft | None:
    collection = rng.choice(["Journal club", "Favorites", "Thesis background", "Cardiology reading"])
    paper = some_paper(world, rng, "pmid NOT IN (SELECT pmid FROM collection_items WHERE collection = ?)", collection)
    if paper is None:
        return None
    author, search = lookup(world, paper)
    request = rng.choice([
        "There's a {year} paper by {author} in {journal} titled \"{title}\". Save it to my '{collection}' collection.",
        "Please add \"{title}\" ({author}, {journal}, {year}) to my My NCBI collection '{collection}'.",
    ]).format(author=author, collection=collection, **paper)
    doi = world.value("SELECT doi FROM citations WHERE pmid = ?", paper["pmid"])
    return Draft(request=request + " And what's its DOI?", answer=(doi,),
                 calls=(search, call("save_to_collection", collection=collection, pmid=paper["pmid"]),
                        call("get_pubmed_article", pmid=paper["pmid"])))


@scenario
def remove_paper(world: PubMedServer, rng: random.Random) -> Draft | None:
    collection = rng.choice(["Journal club", "Favorites", "Thesis background", "Cardiology reading"])
    paper = some_paper(world, rng, "pmid IN (SELECT pmid FROM collection_items WHERE collection = ?)", collection)
    if paper is None:
        return None
    request = rng.choice([
        "We already discussed \"{title}\"; take it out of my '{collection}' collection.",
        "Remove the {journal} paper \"{title}\" from my collection '{collection}', please.",
    ]).format(collection=collection, **paper)
    return Draft(request=request, calls=(call("list_collection_items", collection=collection),
                                         call("remove_from_collection", collection=collection, pmid=paper["pmid"])))


@scenario
def new_collection_with_paper(world: PubMedServer, rng: random.Random) -> Draft | None:
    paper = some_paper(world, rng)
    name = rng.choice(["Anticoagulation review", "Grant background", "Residents' reading", "Systematic review pool"])
    author, search = lookup(world, paper)
    return Draft(
        request=f"Make a new private collection called '{name}' and put {author}'s {paper['year']} paper "
                f"\"{paper['title']}\" in it.",
        calls=(call("create_collection", collection=name), search,
               call("save_to_collection", collection=name, pmid=paper["pmid"])))


@scenario
def move_paper(world: PubMedServer, rng: random.Random) -> Draft | None:
    source, target = rng.sample(["Journal club", "Favorites", "Thesis background", "Cardiology reading"], 2)
    paper = some_paper(world, rng, "pmid IN (SELECT pmid FROM collection_items WHERE collection = ?) AND pmid NOT IN"
                       " (SELECT pmid FROM collection_items WHERE collection = ?)", source, target)
    if paper is None:
        return None
    return Draft(
        request=f"Move \"{paper['title']}\" from my '{source}' collection to '{target}'.",
        calls=(call("list_collection_items", collection=source),
               call("save_to_collection", collection=target, pmid=paper["pmid"]),
               call("remove_from_collection", collection=source, pmid=paper["pmid"])))
