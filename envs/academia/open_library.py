"""OpenLibrary: a catalogue of works, editions (ISBNs, OCLC and LCCN numbers), authors and covers, and a reader's
reading log (want-to-read, currently-reading, already-read) and reading lists."""

from __future__ import annotations

import calendar
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

COVERS = "https://covers.openlibrary.org"
Shelf = Literal["want-to-read", "currently-reading", "already-read"]
IdType = Literal["isbn", "oclc", "lccn", "olid"]
ADJECTIVES = ["Silent", "Broken", "Golden", "Hidden", "Last", "Northern", "Burning", "Quiet", "Winter", "Glass",
              "Distant", "Salt", "Iron", "Paper", "Crimson", "Lost", "Wild", "Hollow", "Midnight", "Summer"]
NOUNS = {"River": "Rivers", "Garden": "Gardens", "Harbor": "Harbors", "Orchard": "Orchards", "Lantern": "Lanterns",
         "Kingdom": "Kingdoms", "Archive": "Archives", "Atlas": "Atlases", "Meridian": "Meridians", "Tide": "Tides",
         "Cartographer": "Cartographers", "Orchestra": "Orchestras", "Lighthouse": "Lighthouses", "Empire": "Empires",
         "Inheritance": "Inheritances", "Frontier": "Frontiers", "Labyrinth": "Labyrinths", "Compass": "Compasses"}
SUBJECTS = {"Fiction": ["Family", "Love", "Friendship", "Coming of age"], "History": ["Europe", "War", "Empires"],
            "Science": ["Physics", "Evolution", "Astronomy"], "Mystery": ["Detectives", "Crime", "Suspense"],
            "Fantasy": ["Magic", "Dragons", "Quests"], "Biography": ["Artists", "Politicians", "Scientists"],
            "Philosophy": ["Ethics", "Metaphysics", "Stoicism"], "Poetry": ["Nature", "Grief", "Sonnets"]}
PUBLISHERS = ["Penguin Books", "Vintage", "HarperCollins", "Faber & Faber", "Knopf", "Picador", "Scribner",
              "Oxford University Press", "Bloomsbury", "Norton", "Random House", "Macmillan", "Tor Books"]
FORMATS = ["Paperback", "Hardcover", "Mass Market Paperback", "E-book", "Audio CD"]
ROLES = ["novelist", "historian", "poet", "essayist", "science writer", "journalist", "philosopher"]
Limit = Annotated[int, Field(ge=1, le=50)]


def check_isbn13(body: str) -> str:
    return body + str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10)


def check_isbn10(body: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    return body + "0123456789X"[(11 - total % 11) % 11]


WorkMatch = TypedDict("WorkMatch", {"work_id": str, "title": str, "author_name": str, "first_publish_year": int,
                                    "edition_count": int, "subjects": list[str]})
TitleSearch = TypedDict("TitleSearch", {"title": str, "matches": list[WorkMatch]})
AuthorRef = TypedDict("AuthorRef", {"key": str, "name": str})
Identifiers = TypedDict("Identifiers", {"isbn_10": list[str], "isbn_13": list[str], "oclc": list[str], "lccn": list[str]})
Edition = TypedDict("Edition", {"key": str, "title": str, "authors": list[AuthorRef], "publishers": list[str],
                                "publish_date": str, "number_of_pages": int, "physical_format": str,
                                "covers": list[int], "identifiers": Identifiers})
AuthorHit = TypedDict("AuthorHit", {"key": str, "name": str, "birth_date": str, "death_date": str, "top_work": str,
                                    "work_count": int})
AuthorSearch = TypedDict("AuthorSearch", {"authors": list[AuthorHit], "count": int})
Author = TypedDict("Author", {"key": str, "name": str, "bio": str, "birth_date": str, "death_date": str,
                              "photos": list[int], "wikipedia": str})
Cover = TypedDict("Cover", {"url": str, "identifier": str, "identifier_type": str, "size": str})
LogEntry = TypedDict("LogEntry", {"work_id": str, "title": str, "author_name": str, "shelf": str, "logged_on": str})
ReadingList = TypedDict("ReadingList", {"list_id": str, "name": str, "description": str, "books": list[str]})


class OpenLibrary(World):
    """Open Library: search books by title, look editions up by ISBN/OCLC/LCCN/OLID, read author records and
    covers, and keep the signed-in reader's reading log (shelves want-to-read, currently-reading, already-read;
    one shelf per work) and reading lists. Dates are YYYY-MM-DD."""

    domain = "Academia"
    schema = """
    CREATE TABLE authors (key TEXT PRIMARY KEY, name TEXT NOT NULL, bio TEXT NOT NULL, birth_date TEXT NOT NULL,
                          death_date TEXT NOT NULL, photo_id INTEGER, wikipedia TEXT NOT NULL);
    CREATE TABLE books (work_id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE, author_key TEXT NOT NULL
                        REFERENCES authors, first_publish_year INTEGER NOT NULL, subjects TEXT NOT NULL);
    CREATE TABLE editions (key TEXT PRIMARY KEY, work_id TEXT NOT NULL REFERENCES books, publisher TEXT NOT NULL,
                           publish_date TEXT NOT NULL, number_of_pages INTEGER NOT NULL,
                           physical_format TEXT NOT NULL, cover_id INTEGER);
    CREATE TABLE identifiers (identifier TEXT PRIMARY KEY, identifier_type TEXT NOT NULL, kind TEXT NOT NULL,
                              edition_key TEXT NOT NULL REFERENCES editions);
    CREATE TABLE shelved_books (work_id TEXT PRIMARY KEY REFERENCES books, shelf TEXT NOT NULL CHECK
                              (shelf IN ('want-to-read', 'currently-reading', 'already-read')), logged_on TEXT NOT NULL);
    CREATE TABLE lists (list_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL);
    CREATE TABLE list_seeds (list_id TEXT NOT NULL REFERENCES lists, work_id TEXT NOT NULL REFERENCES books,
                             PRIMARY KEY (list_id, work_id));
    CREATE INDEX editions_by_work ON editions (work_id);
    CREATE INDEX books_by_author ON books (author_key);
    CREATE INDEX identifiers_by_edition ON identifiers (edition_key, kind);
    """
    text_search = {"books": ("title",), "authors": ("name",)}
    volatile = {"shelved_books": ("logged_on",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        authors, works, editions, ids = [], [], [], []
        titles: set[str] = set()
        taken: set[str] = set()  # identifiers given out; a number drawn twice stays with its first edition
        serial = iter(range(rng.randrange(10**6, 9 * 10**6), 10**8, 7919))
        surnames = [fake.last_name() for _ in range(12)]
        for a in range(48):
            born = rng.randrange(1850, 1990)
            name = f"{fake.first_name()} {rng.choice(surnames) if a % 3 == 0 else fake.last_name()}"
            died = f"{rng.randrange(1, 29)} {calendar.month_name[rng.randint(1, 12)]} {born + rng.randrange(45, 95)}" if born < 1940 else ""
            key = f"OL{next(serial)}A"
            authors.append({"key": key, "name": name, "birth_date": f"{rng.randrange(1, 29)} {calendar.month_name[rng.randint(1, 12)]} {born}",
                            "death_date": died, "photo_id": rng.randrange(10**6, 10**7) if rng.random() < .7 else None,
                            "wikipedia": f"https://en.wikipedia.org/wiki/{name.replace(' ', '_')}",
                            "bio": f"{rng.choice(ROLES).capitalize()} born in {fake.city()}, {fake.country()}."})
            for _ in range(rng.randrange(1, 6)):
                while True:
                    adjective, (noun, other) = rng.choice(ADJECTIVES), rng.sample(sorted(NOUNS), 2)
                    title = rng.choice([f"The {adjective} {noun}", f"{noun} of {NOUNS[other]}",
                                        f"{'An' if adjective[0] in 'AEIOU' else 'A'} {adjective} {noun}"])
                    if title not in titles:
                        break
                titles.add(title)
                year, genre = max(born + rng.randrange(22, 60), 1875), rng.choice(list(SUBJECTS))
                work = f"OL{next(serial)}W"
                works.append({"work_id": work, "title": title, "author_key": key, "first_publish_year": min(year, 2025),
                              "subjects": "; ".join([genre, *rng.sample(SUBJECTS[genre], 2)])})
                for e in range(rng.randrange(1, 4)):
                    when = min(year + e * rng.randrange(3, 25), 2025)
                    edition = f"OL{next(serial)}M"
                    editions.append({"key": edition, "work_id": work, "publisher": rng.choice(PUBLISHERS),
                                     "publish_date": f"{calendar.month_name[rng.randint(1, 12)]} {when}", "number_of_pages": rng.randrange(90, 900),
                                     "physical_format": rng.choice(FORMATS),
                                     "cover_id": rng.randrange(10**6, 2 * 10**7) if rng.random() < .8 else None})
                    body = f"{rng.randrange(10**8):09d}"
                    isbns = [("isbn_13", check_isbn13("978" + body))] + [("isbn_10", check_isbn10(body))] * (when < 2007)
                    extra = [("oclc", str(rng.randrange(10**7, 10**9)))] * (rng.random() < .5) + [
                        ("lccn", f"{when % 100:02d}{rng.randrange(10**5, 10**6)}")] * (rng.random() < .3)
                    ids += [{"identifier": v, "identifier_type": k[:4], "kind": k, "edition_key": edition}
                            for k, v in isbns + extra if v not in taken]
                    taken.update(v for _, v in isbns + extra)
        for author in authors:
            own = sorted((w["first_publish_year"], w["title"]) for w in works if w["author_key"] == author["key"])
            author["bio"] += f" Author of {len(own)} book{'s' * (len(own) > 1)}, the first '{own[0][1]}' ({own[0][0]})."
        db["authors"].insert_all(authors)
        db["books"].insert_all(works)
        db["editions"].insert_all(editions)
        db["identifiers"].insert_all(ids)
        picked = rng.sample(works, 40)
        db["shelved_books"].insert_all({"work_id": w["work_id"], "shelf": ["want-to-read", "currently-reading",
                                      "already-read"][i % 3], "logged_on": str(cls.days_before_start(rng, 1, 700))}
                                     for i, w in enumerate(picked[:24]))
        for i, (name, about) in enumerate([("Book club 2026", "Picks for the neighbourhood book club"),
                                           ("Summer beach reads", "Light reading for the holidays"),
                                           ("Gifts for Dad", "Ideas for birthdays and Christmas")]):
            list_id = fake_id(rng, "list_")
            db["lists"].insert({"list_id": list_id, "name": name, "description": about})
            db["list_seeds"].insert_all({"list_id": list_id, "work_id": w["work_id"]}
                                        for w in picked[24 + 5 * i: 29 + 5 * i])

    # ------------------------------------------------------------------ helpers
    def _edition_key(self, identifier: str, identifier_type: str) -> str:
        value = identifier.strip().replace("-", "").upper() if identifier_type == "isbn" else identifier.strip()
        if identifier_type == "olid":
            found = self.value("SELECT key FROM editions WHERE key = ?", value)
        else:
            found = self.value("SELECT edition_key FROM identifiers WHERE identifier = ? AND identifier_type = ?",
                               value, identifier_type)
        if found is None:
            raise ToolError(f"no edition with {identifier_type} '{identifier}'; get_book_by_title finds books by title")
        return found

    def _work(self, work_id: str) -> dict[str, Any]:
        return self.require("SELECT w.*, a.name AS author_name FROM books w JOIN authors a ON a.key = w.author_key"
                            " WHERE work_id = ?", work_id,
                            error=f"no work with id '{work_id}'; get_book_by_title gives work ids")

    def _entry(self, work_id: str) -> LogEntry:
        return self.row("SELECT r.work_id, w.title, a.name AS author_name, r.shelf, r.logged_on FROM shelved_books r"
                        " JOIN books w USING (work_id) JOIN authors a ON a.key = w.author_key WHERE r.work_id = ?",
                        work_id)

    # -------------------------------------------------------------------- catalogue
    @tool(phrase=["find the book called {title}", "search Open Library for the title {title}"])
    def get_book_by_title(self, title: NonEmptyStr) -> TitleSearch:
        """Search works by title (words anywhere in the title); at most 20 matches, most editions first.

        Args:
            title: The title or part of it, e.g. "Silent River".
        """
        where, params = self.text_filter("books", title)
        matches = self.rows(
            "SELECT books.work_id, books.title, a.name AS author_name, books.first_publish_year, books.subjects,"
            " (SELECT COUNT(*) FROM editions e WHERE e.work_id = books.work_id) AS edition_count FROM books"
            f" JOIN authors a ON a.key = books.author_key WHERE {where}"
            " ORDER BY edition_count DESC, books.title LIMIT 20", *params)
        for match in matches:
            match["subjects"] = match["subjects"].split("; ")
        return {"title": title, "matches": matches}

    @tool(phrase=["look up the edition with[ {identifier_type}] number {identifier}",
                  "tell me about the book with the[ {identifier_type}] identifier {identifier}"])
    def get_book_by_id(self, identifier: Annotated[str, UserKnown, Field(min_length=1, max_length=40)],
                       identifier_type: IdType = "isbn") -> Edition:
        """Get one edition by an identifier: ISBN-10 or ISBN-13 (hyphens allowed), OCLC, LCCN or edition OLID.

        Args:
            identifier: The identifier's value, e.g. "9780140328721" or "OL7353617M".
            identifier_type: Which identifier it is.
        """
        edition = self.row("SELECT * FROM editions WHERE key = ?", self._edition_key(identifier, identifier_type))
        work = self._work(edition["work_id"])
        found: dict[str, list[str]] = {"isbn_10": [], "isbn_13": [], "oclc": [], "lccn": []}
        for row in self.rows("SELECT kind, identifier FROM identifiers WHERE edition_key = ? ORDER BY kind",
                             edition["key"]):
            found[row["kind"]].append(row["identifier"])
        return {"key": edition["key"], "title": work["title"],
                "authors": [{"key": work["author_key"], "name": work["author_name"]}],
                "publishers": [edition["publisher"]], "publish_date": edition["publish_date"],
                "number_of_pages": edition["number_of_pages"], "physical_format": edition["physical_format"],
                "covers": [edition["cover_id"]] if edition["cover_id"] else [], "identifiers": found}

    @tool(phrase=["find authors named {name}", "search for the author {name}"])
    def get_authors_by_name(self, name: NonEmptyStr, limit: Limit = 10) -> AuthorSearch:
        """Search authors by name (any part of it), with their best-known work.

        Args:
            name: The name or part of it.
            limit: At most this many authors.
        """
        matches, params = self.text_filter("authors", name)
        found = self.rows(
            "SELECT authors.key, authors.name, authors.birth_date, authors.death_date, COUNT(w.work_id) AS work_count,"
            " (SELECT title FROM books t WHERE t.author_key = authors.key ORDER BY first_publish_year LIMIT 1)"
            " AS top_work FROM authors JOIN books w ON w.author_key = authors.key"
            f" WHERE {matches} GROUP BY authors.key ORDER BY authors.name LIMIT ?", *params, limit)
        return {"authors": found, "count": len(found)}

    @tool(phrase=["pull up the Open Library author record {author_key}"])
    def get_author_info(self, author_key: Annotated[str, Field(pattern=r"^OL\d+A$")]) -> Author:
        """An author's record: bio, birth and death dates, photos and Wikipedia page.

        Args:
            author_key: The author's OLID, e.g. "OL23919A".
        """
        author = self.require("SELECT * FROM authors WHERE key = ?", author_key,
                              error=f"no author with key '{author_key}'; get_authors_by_name finds authors")
        photo = author.pop("photo_id")
        return {**author, "photos": [photo] if photo else []}

    @tool(phrase=["get me the cover image[ in size {size}] of the edition with[ {identifier_type}] number {identifier}",
                  "find the cover of the book with the[ {identifier_type}] identifier {identifier}[ in size {size}]"])
    def get_book_cover(self, identifier: Annotated[str, UserKnown, Field(min_length=1, max_length=40)],
                       identifier_type: IdType = "isbn", size: Literal["S", "M", "L"] = "M") -> Cover:
        """The cover image URL of an edition (sizes S, M, L); fails when the edition has no scanned cover.

        Args:
            identifier: The identifier's value, e.g. an ISBN.
            identifier_type: Which identifier it is.
            size: Small, medium or large.
        """
        edition = self._edition_key(identifier, identifier_type)
        if not self.value("SELECT cover_id FROM editions WHERE key = ?", edition):
            raise ToolError(f"the edition with {identifier_type} '{identifier}' has no cover image")
        return {"url": f"{COVERS}/b/{identifier_type}/{identifier.strip()}-{size}.jpg", "identifier": identifier,
                "identifier_type": identifier_type, "size": size}

    # ------------------------------------------------------------- reading log
    @tool(phrase=["show my {shelf} shelf", "show me what's on my reading log"])
    def get_reading_log(self, shelf: Shelf | None = None) -> list[LogEntry]:
        """The reader's reading log, newest first, optionally one shelf.

        Args:
            shelf: Only this shelf.
        """
        return self.rows("SELECT r.work_id, w.title, a.name AS author_name, r.shelf, r.logged_on FROM shelved_books r"
                         " JOIN books w USING (work_id) JOIN authors a ON a.key = w.author_key"
                         " WHERE ?1 IS NULL OR r.shelf = ?1 ORDER BY r.logged_on DESC, w.title", shelf)

    @tool(writes=True, phrase=["put {work_id} on my {shelf} shelf", "add {work_id} to my reading log as {shelf}",
                               "mark {work_id} as {shelf} on Open Library"])
    def add_to_reading_log(self, work_id: str, shelf: Shelf) -> LogEntry:
        """Put a work on one shelf of the reading log; a work already logged must be moved instead.

        Args:
            work_id: The work's key (from get_book_by_title).
            shelf: The shelf.
        """
        work = self._work(work_id)
        if (current := self.value("SELECT shelf FROM shelved_books WHERE work_id = ?", work_id)) is not None:
            raise ToolError(f"'{work['title']}' is already on your {current} shelf; use move_reading_log_entry")
        self.execute("INSERT INTO shelved_books VALUES (?, ?, ?)", work_id, shelf, self.now().date().isoformat())
        return self._entry(work_id)

    @tool(writes=True, phrase=["move {work_id} to my {shelf} shelf", "move {work_id} over to {shelf}"])
    def move_reading_log_entry(self, work_id: str, shelf: Shelf) -> LogEntry:
        """Move a logged work to another shelf (e.g. from want-to-read to currently-reading).

        Args:
            work_id: The work's key.
            shelf: The new shelf.
        """
        work = self._work(work_id)
        current = self.value("SELECT shelf FROM shelved_books WHERE work_id = ?", work_id)
        if current is None:
            raise ToolError(f"'{work['title']}' is not in your reading log; add it with add_to_reading_log")
        if current == shelf:
            raise ToolError(f"'{work['title']}' is already on your {shelf} shelf")
        self.execute("UPDATE shelved_books SET shelf = ?, logged_on = ? WHERE work_id = ?", shelf,
                     self.now().date().isoformat(), work_id)
        return self._entry(work_id)

    @tool(writes=True, phrase=["take {work_id} off my reading log", "remove {work_id} from my shelves"])
    def remove_from_reading_log(self, work_id: str) -> LogEntry:
        """Remove a work from the reading log (whatever its shelf); returns the removed entry.

        Args:
            work_id: The work's key.
        """
        work = self._work(work_id)
        if (entry := self._entry(work_id)) is None:
            raise ToolError(f"'{work['title']}' is not in your reading log")
        self.execute("DELETE FROM shelved_books WHERE work_id = ?", work_id)
        return entry

    # ------------------------------------------------------------------- lists
    @tool(phrase=["show my reading lists", "show me the books on my lists"])
    def get_my_lists(self) -> list[ReadingList]:
        """The reader's lists with the titles on each."""
        lists = self.rows("SELECT * FROM lists ORDER BY name")
        for item in lists:
            item["books"] = [r["title"] for r in self.rows(
                "SELECT w.title FROM list_seeds s JOIN books w USING (work_id) WHERE s.list_id = ? ORDER BY w.title",
                item["list_id"])]
        return lists

    @tool(writes=True, phrase=["create a reading list called {name}[ described as {description}]",
                               "start a new list named {name}"])
    def create_list(self, name: Annotated[str, Field(min_length=1, max_length=60, pattern=r"\S")],
                    description: Annotated[str, Field(max_length=300)] = "") -> ReadingList:
        """Create an empty reading list; list names are unique per reader.

        Args:
            name: The list's name.
            description: What the list is for.
        """
        if self.value("SELECT 1 FROM lists WHERE lower(name) = lower(?)", name.strip()):
            raise ToolError(f"you already have a list named '{name.strip()}'; add books to it with add_to_list")
        list_id = self.new_id("lists", "list_")
        self.execute("INSERT INTO lists VALUES (?, ?, ?)", list_id, name.strip(), description.strip())
        return {"list_id": list_id, "name": name.strip(), "description": description.strip(), "books": []}

    @tool(writes=True, phrase=["add {work_id} to {list_id}", "put {work_id} on {list_id}"])
    def add_to_list(self, list_id: str, work_id: str) -> ReadingList:
        """Add a work to one of the reader's lists (a list holds at most 25 works, each once).

        Args:
            list_id: The list's id (from get_my_lists or create_list).
            work_id: The work's key.
        """
        item = self.require("SELECT * FROM lists WHERE list_id = ?", list_id,
                            error=f"no list with id '{list_id}'; get_my_lists shows your lists")
        work = self._work(work_id)
        if self.value("SELECT 1 FROM list_seeds WHERE list_id = ? AND work_id = ?", list_id, work_id):
            raise ToolError(f"'{work['title']}' is already on the list '{item['name']}'")
        if self.value("SELECT COUNT(*) FROM list_seeds WHERE list_id = ?", list_id) >= 25:
            raise ToolError(f"the list '{item['name']}' is full (25 works); create another list")
        self.execute("INSERT INTO list_seeds VALUES (?, ?)", list_id, work_id)
        return next(x for x in self.get_my_lists() if x["list_id"] == list_id)
