"""Task templates of WikipediaServer: an editor finds articles by what they are about and tends their watchlist."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, call, scenario
from envs.academia.wikipedia_server import EXPIRIES, WikipediaServer


@scenario
def find_and_watch(world: WikipediaServer, rng: random.Random) -> Draft | None:
    """Find a person by occupation and home town (the search finds exactly one), then watch their article."""
    people = world.rows("SELECT p.title, p.description, c.category FROM pages p JOIN categories c USING (pageid)"
                        " WHERE c.category LIKE 'People from %' AND p.pageid NOT IN (SELECT pageid FROM watchlist)"
                        " ORDER BY p.title")
    rng.shuffle(people)
    for person in people:
        job = person["description"].split(" (")[0].split()[-1]
        town = person["category"].removeprefix("People from ").split(",")[0]
        query = f"{job} {town}"
        if [r["title"] for r in world.call("search_wikipedia", {"query": query})["results"]] == [person["title"]]:
            expiry = rng.choice(EXPIRIES)
            when = "" if expiry == "permanent" else f" for {expiry}"
            return Draft(request=rng.choice([
                f"There's a Wikipedia article about a {job} from {town}. Put it on my watchlist{when}.",
                f"Find the article on the {job} who comes from {town} and watch it{when}, please.",
                f"Add the page of that {job} from {town} to my watchlist{when}; I forget their name."]),
                calls=(call("search_wikipedia", query=query), call("watch_page", title=person["title"], expiry=expiry)))
    return None


@scenario
def prune_watchlist(world: WikipediaServer, rng: random.Random) -> Draft | None:
    """Unwatch every page whose watch has a given expiry."""
    expiries = [r["expiry"] for r in world.rows("SELECT expiry FROM watchlist GROUP BY expiry HAVING COUNT(*) <= 3"
                                                " ORDER BY expiry")]
    if not expiries:
        return None
    expiry = rng.choice(expiries)
    titles = [r["title"] for r in world.rows("SELECT title FROM watchlist JOIN pages USING (pageid) WHERE expiry = ?"
                                             " ORDER BY title", expiry)]
    label = "permanently" if expiry == "permanent" else f"for {expiry}"
    return Draft(request=f"Clean up my watchlist: stop watching every page I'm watching {label}.",
                 calls=(call("list_watchlist"), *(call("unwatch_page", title=t) for t in titles)))


@scenario
def fix_and_watch(world: WikipediaServer, rng: random.Random) -> Draft | None:
    """Append a sentence to a section of an editable, unwatched article, then watch it."""
    page = rng.choice(world.rows("SELECT title FROM pages WHERE protection IN ('none', 'semi') AND pageid NOT IN"
                                 " (SELECT pageid FROM watchlist) AND pageid IN (SELECT pageid FROM sections WHERE section = 'History') ORDER BY title"))
    sentence = rng.choice(["Spring floods in 2023 closed two covered bridges.",
                           "A historical marker was dedicated at the site in 2022.",
                           "The original records were lost in a courthouse fire in 1911.",
                           "A centennial celebration was held in 1976."])
    summary = rng.choice(["add recent history", "expand History", "add sourced fact"])
    request = rng.choice([
        "Add this sentence to the History section of '{t}': \"{x}\" with the edit summary '{m}', then watch the page"
        " so I see replies.",
        "Please append \"{x}\" to History in '{t}' (edit summary: '{m}') and add the article to my watchlist.",
        "I want '{t}' to mention that {y} Put it at the end of its History section, summary '{m}', and watch the"
        " article afterwards.",
        "Edit the History section of '{t}': add \"{x}\" using the summary '{m}'. After that, watch '{t}'."])
    return Draft(request=request.format(t=page["title"], x=sentence, m=summary, y=sentence[0].lower() + sentence[1:]),
                 calls=(call("get_page_sections", title=page["title"]),
                        call("edit_section", title=page["title"], section="History", text=sentence, summary=summary),
                        call("watch_page", title=page["title"])))
