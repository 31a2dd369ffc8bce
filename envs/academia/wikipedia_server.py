"""WikipediaServer: a seeded English Wikipedia (articles with lead summaries, sections, categories and wikilinks)
seen by a logged-in editor with a watchlist who edits sections with an edit summary."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, like_pattern

EDITOR = "Quillfeather"  # the logged-in account (autoconfirmed, not an administrator)
SECTIONS = {"town": ["History", "Geography", "Demographics", "Economy", "Notable people"],
            "person": ["Early life", "Career", "Personal life", "Legacy"],
            "river": ["Course", "Hydrology", "Ecology", "History"],
            "company": ["History", "Products", "Operations", "Controversies"]}
OCCUPATIONS = [("physicist", "American physicists"), ("painter", "American painters"), ("novelist", "American novelists"),
               ("botanist", "American botanists"), ("architect", "American architects")]
PRODUCTS = ["agricultural machinery", "optical instruments", "canned seafood", "railway signalling equipment",
            "paper and pulp", "outdoor apparel"]
TOWN_STEMS = ["Ash", "Mill", "Cedar", "Elm", "Fair", "Green", "Oak", "Stone", "Maple", "Clear", "Pine", "Red", "Wolf",
              "Bran", "Hart", "Lin", "Rock", "Spring", "Willow", "Burn"]
TOWN_ENDS = ["ford", "brook", "field", "haven", "ville", "ton", "wood", "dale", "bury", "port", " Falls", " Springs"]
RIVER_NAMES = ["Black", "Salmon", "Otter", "Beaver", "Crooked", "Mad", "White", "Little Elk", "Sandy", "Clearwater"]
EXPIRIES = ("permanent", "1 week", "1 month", "3 months", "6 months")
Title = Annotated[str, UserKnown, Field(min_length=1, max_length=255, pattern=r"\S")]
Language = Literal["en"]

Hit = TypedDict("Hit", {"title": str, "pageid": int, "snippet": str, "wordcount": int})
Results = TypedDict("Results", {"query": str, "results": list[Hit]})
Section = TypedDict("Section", {"index": int, "level": int, "section": str})
SectionText = TypedDict("SectionText", {"index": int, "level": int, "section": str, "text": str})
ArticleT = TypedDict("ArticleT", {"title": str, "pageid": int, "summary": str, "text": str, "url": str,
                                  "categories": list[str], "protection": str, "sections": list[SectionText]})
SummaryT = TypedDict("SummaryT", {"title": str, "extract": str, "description": str, "lang": str, "timestamp": str})
Sections = TypedDict("Sections", {"title": str, "sections": list[Section]})
Related = TypedDict("Related", {"title": str, "description": str, "shared_categories": int})
RelatedT = TypedDict("RelatedT", {"title": str, "related": list[Related]})
Watched = TypedDict("Watched", {"title": str, "expiry": str, "last_edited": str})
Edit = TypedDict("Edit", {"title": str, "section": str, "revid": int, "parentid": int, "summary": str, "minor": bool,
                          "timestamp": str})


class WikipediaServer(World):
    """English Wikipedia, read by title, with the logged-in editor's watchlist and section editing. Page
    protection: 'none', 'semi' (autoconfirmed editors may edit), 'extended' (500+ edits) or 'full' (administrators)."""

    schema = """
    CREATE TABLE pages (pageid INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        description TEXT NOT NULL, extract TEXT NOT NULL, protection TEXT NOT NULL,
                        touched TEXT NOT NULL);
    CREATE TABLE sections (pageid INTEGER NOT NULL REFERENCES pages, idx INTEGER NOT NULL, level INTEGER NOT NULL,
                           section TEXT NOT NULL, content TEXT NOT NULL, PRIMARY KEY (pageid, idx));
    CREATE TABLE categories (pageid INTEGER NOT NULL REFERENCES pages, category TEXT NOT NULL,
                             PRIMARY KEY (pageid, category));
    CREATE TABLE links (from_page INTEGER NOT NULL REFERENCES pages, to_page INTEGER NOT NULL REFERENCES pages,
                        PRIMARY KEY (from_page, to_page));
    CREATE TABLE watchlist (pageid INTEGER PRIMARY KEY REFERENCES pages, expiry TEXT NOT NULL, added TEXT NOT NULL);
    CREATE TABLE revisions (revid INTEGER PRIMARY KEY, pageid INTEGER NOT NULL REFERENCES pages, section TEXT NOT NULL,
                            user TEXT NOT NULL, summary TEXT NOT NULL, text TEXT NOT NULL, minor INTEGER NOT NULL,
                            timestamp TEXT NOT NULL);
    CREATE INDEX categories_by_name ON categories (category);
    CREATE INDEX links_to ON links (to_page);
    """
    volatile = {"watchlist": ("added",), "revisions": ("timestamp",), "pages": ("touched",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        pages, sections, categories, links, revisions = [], [], [], [], []
        states = rng.sample(["Vermont", "Oregon", "Ohio", "Maine", "Montana", "Iowa"], 4)
        rivers = {s: f"{n} River ({s})" for s, n in zip(states, rng.sample(RIVER_NAMES, 4))}
        towns: list[tuple[str, str]] = []

        def add(title: str, kind: str, description: str, extract: str, cats: list[str], texts: dict[str, str]) -> int:
            pageid = 10_000 + len(pages) * 137 + rng.randint(0, 99)
            protection = rng.choices(["none", "semi", "extended", "full"], [14, 4, 1, 1])[0]
            pages.append({"pageid": pageid, "title": title, "description": description, "extract": extract,
                          "protection": protection, "touched": str(cls.days_before_start(rng, 1, 400))})
            for k, name in enumerate(SECTIONS[kind], 1):
                sections.append({"pageid": pageid, "idx": k, "level": 2, "section": name, "content": texts[name]})
            categories.extend({"pageid": pageid, "category": c} for c in cats)
            return pageid

        ids: dict[str, int] = {}
        for state in states:
            river = rivers[state]
            length = rng.randint(40, 380)
            ids[river] = add(river, "river", f"River in {state}, United States",
                             f"The {river.split(' (')[0]} is a {length}-mile tributary in {state}.",
                             [f"Rivers of {state}"], {
                                 "Course": f"It rises in the hills of {fake.last_name()} County and flows {length} miles.",
                                 "Hydrology": f"Mean discharge is {rng.randint(200, 9000)} cubic feet per second.",
                                 "Ecology": f"The river supports brook trout and {rng.randint(20, 90)} bird species.",
                                 "History": f"Mills were built along its banks in the {rng.choice([18, 19])}th century."})
            for _ in range(5):
                town, founded, people = (rng.choice(["", "", "", "North ", "East ", "West ", "New "]) + rng.choice(TOWN_STEMS)
                                          + rng.choice(TOWN_ENDS)), rng.randint(1760, 1905), rng.randint(800, 60000)
                title = f"{town}, {state}"
                if title in ids:
                    continue
                towns.append((title, state))
                ids[title] = add(title, "town", f"Town in {state}, United States",
                                 f"{town} is a town in {state}, United States. Its population was {people:,} at the"
                                 f" 2020 census.", [f"Towns in {state}", f"Populated places established in {founded}"],
                                 {"History": f"{town} was settled in {founded} and incorporated in {founded + rng.randint(3, 40)}.",
                                  "Geography": f"The town lies on the {river.split(' (')[0]}.",
                                  "Demographics": f"As of the 2020 census there were {people:,} people.",
                                  "Economy": f"The largest employers are {rng.choice(PRODUCTS)} and health care.",
                                  "Notable people": "See the list of people from the town."})
                links.append((ids[title], ids[river]))
        for _ in range(28):
            name, (job, cat), born = fake.name(), rng.choice(OCCUPATIONS), rng.randint(1890, 1985)
            home, _ = rng.choice(towns)
            if name in ids:
                continue
            ids[name] = add(name, "person", f"American {job} (born {born})", f"{name} (born {born}) is an American {job}"
                            f" from {home}.", [cat, f"{born} births", f"People from {home}"],
                            {"Early life": f"{name.split()[0]} grew up in {home}.",
                             "Career": f"{name.split()[-1]} worked as a {job} for {rng.randint(10, 45)} years.",
                             "Personal life": f"{name.split()[-1]} lives in {rng.choice(towns)[0]}.",
                             "Legacy": f"A {rng.choice(['scholarship', 'prize', 'library'])} in {home} bears the name."})
            links.append((ids[name], ids[home]))
        for _ in range(14):
            company, (home, state), founded = fake.company(), rng.choice(towns), rng.randint(1850, 2010)
            if company in ids:
                continue
            product = rng.choice(PRODUCTS)
            ids[company] = add(company, "company", f"American manufacturer of {product}",
                               f"{company} is an American maker of {product} headquartered in {home}.",
                               [f"Companies based in {state}", f"Manufacturing companies established in {founded}"],
                               {"History": f"The company was founded in {founded}.",
                                "Products": f"Its main line is {product}.",
                                "Operations": f"It employs about {rng.randint(50, 9000):,} people.",
                                "Controversies": "A 2019 labor dispute was settled out of court."})
            links.append((ids[company], ids[home]))
        db["pages"].insert_all(pages)
        db["sections"].insert_all(sections)
        db["categories"].insert_all(categories)
        db["links"].insert_all({"from_page": a, "to_page": b} for a, b in set(links))
        for n, page in enumerate(rng.sample(pages, 40)):
            section = rng.choice([s for s in sections if s["pageid"] == page["pageid"]])
            revisions.append({"revid": 1_180_000_000 + n * 7919, "pageid": page["pageid"], "section": section["section"],
                              "user": rng.choice([EDITOR, fake.user_name(), fake.user_name()]),
                              "summary": rng.choice(["copyedit", "fix typo", "update figures from the 2020 census",
                                                     "add citation", "rm unsourced claim", "wikilink"]),
                              "text": section["content"], "minor": int(rng.random() < 0.4),
                              "timestamp": f"{page['touched']} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"})
        db["revisions"].insert_all(revisions)
        db["watchlist"].insert_all({"pageid": p["pageid"], "expiry": rng.choice(EXPIRIES), "added": p["touched"]}
                                   for p in rng.sample(pages, 8))

    def _page(self, title: str) -> dict[str, Any]:
        return self.require("SELECT * FROM pages WHERE title = ?", title.strip().replace("_", " "),
                            error=f"English Wikipedia has no article titled '{title}'; search_wikipedia finds titles")

    def _sections(self, pageid: int) -> list[SectionText]:
        return self.rows("SELECT idx AS 'index', level, section, content AS text FROM sections WHERE pageid = ?"
                         " ORDER BY idx", pageid)

    @tool(phrase=["search Wikipedia for {query}", "look up {query} on Wikipedia"])
    def search_wikipedia(self, query: NonEmptyStr, limit: Annotated[int, Field(ge=1, le=50)] = 10,
                         language: Language = "en") -> Results:
        """Full-text search of article titles, descriptions and text; title matches rank first.

        Args:
            query: Search words, e.g. "river Vermont".
            limit: At most this many results (1-50).
            language: Wikipedia edition (only "en" is served).
        """
        words = [like_pattern(w) for w in query.split()]
        text = ("(p.title || ' ' || p.description || ' ' || p.extract || ' ' || (SELECT group_concat(content, ' ')"
                " FROM sections s WHERE s.pageid = p.pageid))")
        where = " AND ".join([f"{text} LIKE ? ESCAPE '\\'"] * len(words))
        found = self.rows(f"SELECT p.title, p.pageid, p.description AS snippet, length({text}) / 6 AS wordcount"
                          f" FROM pages p WHERE {where} ORDER BY (p.title LIKE ? ESCAPE '\\') DESC, p.title LIMIT ?",
                          *words, like_pattern(query.strip()), limit)
        return {"query": query, "results": found}

    @tool(phrase=["read me the Wikipedia article {title}", "open the article {title}"])
    def get_article(self, title: Title, language: Language = "en") -> ArticleT:
        """The whole article: lead summary, every section's text, categories and protection level.

        Args:
            title: Exact article title, e.g. "Portland, Maine".
            language: Wikipedia edition (only "en" is served).
        """
        page = self._page(title)
        sections = self._sections(page["pageid"])
        return {"title": page["title"], "pageid": page["pageid"], "summary": page["extract"],
                "text": "\n\n".join(f"== {s['section']} ==\n{s['text']}" for s in sections),
                "url": "https://en.wikipedia.org/wiki/" + page["title"].replace(" ", "_"),
                "categories": [r["category"] for r in self.rows(
                    "SELECT category FROM categories WHERE pageid = ? ORDER BY category", page["pageid"])],
                "protection": page["protection"], "sections": sections}

    @tool(phrase=["give me the Wikipedia summary of {title}", "pull up the short summary of the article {title}"])
    def get_summary(self, title: Title, language: Language = "en") -> SummaryT:
        """The lead extract and short description of an article, with the time it was last edited.

        Args:
            title: Exact article title.
            language: Wikipedia edition (only "en" is served).
        """
        page = self._page(title)
        return {"title": page["title"], "extract": page["extract"], "description": page["description"], "lang": "en",
                "timestamp": page["touched"]}

    @tool(phrase=["list the sections of the article {title}", "show me the table of contents of {title}"])
    def get_page_sections(self, title: Title, language: Language = "en") -> Sections:
        """An article's table of contents: section index, level and heading.

        Args:
            title: Exact article title.
            language: Wikipedia edition (only "en" is served).
        """
        page = self._page(title)
        return {"title": page["title"], "sections": [
            {k: s[k] for k in ("index", "level", "section")} for s in self._sections(page["pageid"])]}

    @tool(phrase=["find pages related to {title}", "show me what else on Wikipedia is related to {title}"])
    def get_related_pages(self, title: Title, limit: Annotated[int, Field(ge=1, le=20)] = 5,
                          language: Language = "en") -> RelatedT:
        """Articles linked with this one (either way) or sharing its categories, most shared categories first.

        Args:
            title: Exact article title.
            limit: At most this many pages (1-20).
            language: Wikipedia edition (only "en" is served).
        """
        page = self._page(title)
        pageid = page["pageid"]
        related = self.rows(
            "SELECT p.title, p.description, (SELECT COUNT(*) FROM categories a JOIN categories b USING (category)"
            " WHERE a.pageid = ?1 AND b.pageid = p.pageid) AS shared_categories FROM pages p WHERE p.pageid != ?1 AND"
            " (p.pageid IN (SELECT to_page FROM links WHERE from_page = ?1) OR p.pageid IN (SELECT from_page FROM links"
            " WHERE to_page = ?1) OR p.pageid IN (SELECT pageid FROM categories WHERE category IN (SELECT category"
            " FROM categories WHERE pageid = ?1))) ORDER BY shared_categories DESC, p.title LIMIT ?2", pageid, limit)
        return {"title": page["title"], "related": related}

    @tool(phrase=["show me my watchlist", "list the pages I'm watching"])
    def list_watchlist(self) -> list[Watched]:
        """The pages on the logged-in editor's watchlist, with when each watch expires and the page's last edit."""
        return self.rows("SELECT title, expiry, touched AS last_edited FROM watchlist JOIN pages USING (pageid)"
                         " ORDER BY title")

    @tool(writes=True, phrase=["add {title} to my watchlist[ for {expiry}]", "watch the article {title}[ for {expiry}]"])
    def watch_page(self, title: Title, expiry: Literal[EXPIRIES] = "permanent") -> Watched:  # type: ignore[valid-type]
        """Put an article on the watchlist, permanently or for a while.

        Args:
            title: Exact article title.
            expiry: How long to watch: permanent, 1 week, 1 month, 3 months or 6 months.
        """
        page = self._page(title)
        if self.row("SELECT 1 FROM watchlist WHERE pageid = ?", page["pageid"]):
            raise ToolError(f"'{page['title']}' is already on your watchlist")
        self.execute("INSERT INTO watchlist VALUES (?, ?, ?)", page["pageid"], expiry, self.now().strftime("%Y-%m-%d"))
        return {"title": page["title"], "expiry": expiry, "last_edited": page["touched"]}

    @tool(writes=True, phrase=["stop watching {title}", "take {title} off my watchlist"])
    def unwatch_page(self, title: Title) -> Watched:
        """Remove an article from the watchlist.

        Args:
            title: Exact article title.
        """
        page = self._page(title)
        watched = self.require("SELECT * FROM watchlist WHERE pageid = ?", page["pageid"],
                               error=f"'{page['title']}' is not on your watchlist")
        self.execute("DELETE FROM watchlist WHERE pageid = ?", page["pageid"])
        return {"title": page["title"], "expiry": watched["expiry"], "last_edited": page["touched"]}

    @tool(writes=True, phrase=[
        "add {text} to the {section} section of {title} with the edit summary {summary}",
        "append {text} to {section} in the article {title}, summary {summary}[, as a minor edit: {minor}]"])
    def edit_section(self, title: Title, section: Annotated[str, UserKnown, Field(min_length=1, pattern=r"\S")],
                     text: Annotated[str, Field(min_length=1, max_length=5000, pattern=r"\S")],
                     summary: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")],
                     mode: Literal["append", "replace"] = "append", minor: bool = False) -> Edit:
        """Edit one section of an article as the logged-in editor: append text to it or replace its text. An edit
        summary is required; pages under extended or full protection are refused.

        Args:
            title: Exact article title.
            section: The section's heading, e.g. "History".
            text: Wikitext to append (a new sentence) or the section's whole new text.
            summary: The edit summary shown in the page history.
            mode: append (default) adds the text at the end of the section; replace overwrites it.
            minor: Mark the edit as minor.
        """
        page = self._page(title)
        if page["protection"] in ("extended", "full"):
            who = "administrators" if page["protection"] == "full" else "extended-confirmed editors (500+ edits)"
            raise ToolError(f"'{page['title']}' is {page['protection']}-protected: only {who} can edit it; "
                            "propose the change on its talk page instead")
        current = self.require("SELECT * FROM sections WHERE pageid = ? AND section = ? COLLATE NOCASE",
                               page["pageid"], section.strip(), error=f"'{page['title']}' has no section '{section}';"
                               " get_page_sections lists its headings")
        new = f"{current['content']} {text.strip()}" if mode == "append" else text.strip()
        if new == current["content"]:
            raise ToolError("the new text is the same as the section's current text; nothing to save")
        parent = self.value("SELECT MAX(revid) FROM revisions WHERE pageid = ?", page["pageid"]) or 0
        revid = self.value("SELECT MAX(revid) FROM revisions") + 1
        now = self.now().strftime("%Y-%m-%d %H:%M")
        self.execute("UPDATE sections SET content = ? WHERE pageid = ? AND idx = ?", new, page["pageid"], current["idx"])
        self.execute("UPDATE pages SET touched = ? WHERE pageid = ?", now[:10], page["pageid"])
        self.execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", revid, page["pageid"],
                     current["section"], EDITOR, summary.strip(), text.strip(), int(minor), now)
        self.mark_generated("revisions", revid)
        return {"title": page["title"], "section": current["section"], "revid": revid, "parentid": parent,
                "summary": summary.strip(), "minor": minor, "timestamp": now}
