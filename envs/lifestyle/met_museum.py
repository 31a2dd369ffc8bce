"""MetMuseum: The Metropolitan Museum of Art's collection (departments, objects, search) and "My Met" collections."""

from __future__ import annotations

import random
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

# department id -> (name, mediums, title subjects, cultures or nationalities, year range)
DEPARTMENTS = {
    1: ("American Decorative Arts", ["Mahogany, white pine", "Silver", "Blown glass"], ["Side Chair", "Tankard",
        "High Chest of Drawers", "Sugar Bowl"], ["American"], (1680, 1900)),
    4: ("Arms and Armor", ["Steel, gold, leather", "Steel, brass", "Steel, wood, silver"], ["Armor", "Helmet",
        "Rapier", "Shaffron"], ["German", "Italian", "Japanese"], (1400, 1800)),
    6: ("Asian Art", ["Hanging scroll; ink and color on silk", "Porcelain painted in cobalt blue", "Bronze"],
        ["Landscape", "Vase", "Seated Buddha", "Bamboo and Rocks"], ["Chinese", "Japanese", "Korean"], (900, 1900)),
    9: ("Drawings and Prints", ["Etching", "Pen and brown ink", "Woodcut", "Red chalk"], ["Study of a Head",
        "View of a Harbor", "The Annunciation", "Portrait of a Man"], ["French", "Dutch", "German"], (1480, 1900)),
    10: ("Egyptian Art", ["Limestone, paint", "Faience", "Cedar, gesso, paint"], ["Statue of a Scribe", "Amulet",
         "Coffin", "Stela"], ["Egyptian"], (-2600, -300)),
    11: ("European Paintings", ["Oil on canvas", "Oil on wood", "Tempera on wood, gold ground"], ["Portrait of a Woman",
         "Still Life with Flowers", "Landscape with a River", "The Harvesters"], ["Dutch", "French", "Italian",
         "Spanish"], (1300, 1900)),
    13: ("Greek and Roman Art", ["Terracotta", "Marble", "Bronze"], ["Amphora", "Head of a Youth", "Kylix",
         "Funerary Relief"], ["Greek", "Roman"], (-700, 300)),
    14: ("Islamic Art", ["Stonepaste; painted", "Wool, cotton; knotted pile", "Ink, gold on paper"], ["Bowl",
         "Carpet", "Folio from a Shahnama", "Mihrab Tile"], ["Iranian", "Turkish", "Egyptian"], (900, 1700)),
    19: ("Photographs", ["Gelatin silver print", "Albumen silver print", "Daguerreotype"], ["Street Scene",
         "Portrait", "Bridge at Dusk", "Study of Clouds"], ["American", "French", "British"], (1840, 1980)),
    21: ("Modern and Contemporary Art", ["Oil on canvas", "Acrylic on canvas", "Bronze"], ["Composition",
         "Untitled", "Figure in Blue", "City at Night"], ["American", "French", "Spanish"], (1900, 2015)),
}
ANONYMOUS = {10, 13, 14, 1}
QUALIFIERS = ["", "", "with Figures", "in Winter", "at Dawn", "No. 2", "with Horses", "with Birds", "Fragment",
              "of a Priest", "with Lotus Motif", "in Blue", "at Evening", "from a Tomb", "with Vines", "No. 7"]
MAX_ITEMS, MAX_COLLECTIONS, DEFAULT = 50, 20, "Met Favorites"
ObjectId = Annotated[str, Field(pattern=r"^\d{1,7}$"), UserKnown]  # shown in the Met's object URLs
Year = Annotated[int, Field(ge=-5000, le=2030)]

Department = TypedDict("Department", {"departmentId": int, "displayName": str})
Departments = TypedDict("Departments", {"departments": list[Department]})
Hit = TypedDict("Hit", {"objectId": str, "title": str, "artist": str, "objectDate": str})
Search = TypedDict("Search", {"total": int, "objectIds": list[str], "objects": list[Hit]})
MuseumObject = TypedDict("MuseumObject", {
    "objectId": str, "accessionNumber": str, "title": str, "artist": str, "artistBio": str, "department": str,
    "culture": str, "objectDate": str, "medium": str, "dimensions": str, "creditLine": str, "isPublicDomain": bool,
    "primaryImageUrl": str, "galleryNumber": str, "tags": list[str]})
Item = TypedDict("Item", {"objectId": str, "title": str, "artist": str, "note": str, "added_on": str})
Collection = TypedDict("Collection", {"collection_id": str, "name": str, "description": str, "created_on": str,
                                      "item_count": int})
CollectionList = TypedDict("CollectionList", {"collections": list[Collection]})
CollectionDetail = TypedDict("CollectionDetail", {"collection_id": str, "name": str, "description": str,
                                                  "created_on": str, "item_count": int, "items": list[Item]})
Deleted = TypedDict("Deleted", {"collection_id": str, "name": str, "items_removed": int})


#: A collection's saved objects, in the order they were added.
_ITEMS = ("SELECT CAST(i.objectID AS TEXT) AS objectId, o.title, o.artist, i.note, i.added_on FROM collection_items i"
          " JOIN objects o USING (objectID) WHERE i.collection_id = ? ORDER BY i.added_on, i.objectID")


class MetMuseum(World):
    """The Met's open collection: departments, objects (object ids, artists, dates, medium, public-domain flag,
    images, galleries) and search with filters, plus the visitor's "My Met" collections of saved objects
    (the default "Met Favorites" collection cannot be deleted; at most 20 collections of 50 objects each)."""

    schema = """
    CREATE TABLE departments (departmentId INTEGER PRIMARY KEY, displayName TEXT NOT NULL);
    CREATE TABLE objects (objectID INTEGER PRIMARY KEY, accessionNumber TEXT NOT NULL, title TEXT NOT NULL,
                          artist TEXT NOT NULL, artistBio TEXT NOT NULL, departmentId INTEGER NOT NULL
                          REFERENCES departments, culture TEXT NOT NULL, objectDate TEXT NOT NULL,
                          beginDate INTEGER NOT NULL, endDate INTEGER NOT NULL, medium TEXT NOT NULL,
                          dimensions TEXT NOT NULL, creditLine TEXT NOT NULL, isPublicDomain INTEGER NOT NULL,
                          primaryImage TEXT NOT NULL, galleryNumber TEXT NOT NULL, tags TEXT NOT NULL);
    CREATE INDEX objects_by_department ON objects (departmentId, objectID);
    CREATE INDEX objects_by_date ON objects (beginDate, endDate);
    CREATE TABLE collections (collection_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                              description TEXT NOT NULL, created_on TEXT NOT NULL);
    CREATE TABLE collection_items (collection_id TEXT NOT NULL REFERENCES collections, objectID INTEGER NOT NULL
                                   REFERENCES objects, note TEXT NOT NULL, added_on TEXT NOT NULL,
                                   PRIMARY KEY (collection_id, objectID));
    """
    text_search = {"objects": ("title", "artist", "culture", "medium", "tags")}
    volatile = {"collections": ("created_on",), "collection_items": ("added_on",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        db["departments"].insert_all({"departmentId": d, "displayName": v[0]} for d, v in DEPARTMENTS.items())
        artists = {d: [(fake.name(), rng.choice(v[3]), rng.randrange(*v[4])) for _ in range(5)]
                   for d, v in DEPARTMENTS.items() if d not in ANONYMOUS}
        objects, titles, ids = [], set(), rng.sample(range(1_000, 900_000), 200)
        for index, object_id in enumerate(ids):
            dept = list(DEPARTMENTS)[index % len(DEPARTMENTS)]
            name, mediums, subjects, cultures, (low, high) = DEPARTMENTS[dept]
            if dept in ANONYMOUS:
                artist, bio, culture, begin = "", "", rng.choice(cultures), rng.randrange(low, high)
            else:
                artist, culture, born = rng.choice(artists[dept])
                bio, begin = f"{culture}, {born}–{born + rng.randrange(35, 85)}", born + rng.randrange(20, 35)
            end = begin + rng.choice([0, 0, 5, 10, 25])
            public = begin < 1900 and rng.random() < 0.85
            year = (f"{-begin} B.C." if begin < 0 else str(begin)) if end == begin else (
                f"ca. {-begin}–{-end} B.C." if end < 0 else f"ca. {begin}–{end}" if begin > 0 else f"ca. {-begin} B.C.")
            title = ""
            while not title or title in titles:
                title = f"{rng.choice(subjects)} {rng.choice(QUALIFIERS)}".strip()
            titles.add(title)
            objects.append({
                "objectID": object_id, "accessionNumber": f"{rng.randrange(1880, 2024)}.{rng.randrange(1, 600)}",
                "title": title, "artist": artist, "artistBio": bio, "departmentId": dept,
                "culture": culture, "objectDate": year, "beginDate": begin, "endDate": end,
                "medium": rng.choice(mediums), "dimensions": f"H. {rng.randrange(5, 240)} cm",
                "creditLine": rng.choice(["Purchase, Rogers Fund", "Gift of " + fake.name(), "Bequest of "
                                          + fake.name(), "Fletcher Fund"]) + f", {rng.randrange(1890, 2024)}",
                "isPublicDomain": int(public), "galleryNumber": str(rng.randrange(100, 999)) if rng.random() < 0.4
                else "", "primaryImage": f"https://images.metmuseum.org/CRDImages/{object_id}.jpg" if public else "",
                "tags": ", ".join(rng.sample(["Women", "Men", "Landscapes", "Animals", "Flowers", "Boats", "Gods",
                                              "Horses", "Portraits", "Architecture", "Musicians"], 2))})
        db["objects"].insert_all(objects)
        names = [DEFAULT, "Dutch Golden Age", "Armor for the class trip", "Egypt wing plan", "Birthday ideas"]
        db["collections"].insert_all({"collection_id": f"col_{rng.getrandbits(40):010x}", "name": n,
                                      "description": ["", "Rembrandt, Vermeer and friends", "Helmets for the students to sketch",
                                                      "What to see on the second floor", "Gift ideas from the shop"][i],
                                      "created_on": cls.days_before_start(rng, 30 * (5 - i), 30 * (6 - i)).isoformat()}
                                     for i, n in enumerate(names))
        items = []
        for row in db["collections"].rows:
            for obj in rng.sample(objects, rng.randrange(3, 9)):
                items.append({"collection_id": row["collection_id"], "objectID": obj["objectID"],
                              "note": rng.choice(["", "", "see in person", "for the essay", "ask the docent"]),
                              "added_on": cls.days_before_start(rng, 1, 29).isoformat()})
        db["collection_items"].insert_all(items)

    def _object(self, object_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM objects WHERE objectID = ?", int(object_id),
                            error=f"no object with id {object_id}; search_museum_objects finds object ids")

    def _collection(self, collection_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM collections WHERE collection_id = ?", collection_id,
                            error=f"no My Met collection '{collection_id}'; list_collections shows yours")

    @tool(phrase=["list the Met's curatorial departments", "tell me which departments the Met has"])
    def list_departments(self) -> Departments:
        """The Met's curatorial departments with their ids."""
        return {"departments": self.rows("SELECT departmentId, displayName FROM departments ORDER BY departmentId")}

    @tool(phrase=["search the Met collection for {q}[ in {departmentId}]",
                  "find Met objects matching {q}[ dated from {dateBegin} to {dateEnd}]"])
    def search_museum_objects(self, q: Annotated[NonEmptyStr, UserKnown], title: bool = False,
                              departmentId: str | None = None, isPublicDomain: bool | None = None,
                              isOnView: bool | None = None, dateBegin: Year | None = None,
                              dateEnd: Year | None = None) -> Search:
        """Search the collection by text in the title, artist, culture, medium or tags; returns matching object
        ids in id order, and the first 20 of them with title, artist and date. Dates are years (negative for B.C.) and must be given together.

        Args:
            q: Search text, e.g. "sunflowers" or an artist's name.
            title: Match the title only.
            departmentId: Only objects of this department (list_departments).
            isPublicDomain: Only objects whose images are (or are not) in the public domain (Open Access).
            isOnView: Only objects on view in a gallery now (or not).
            dateBegin: Only objects made in or after this year.
            dateEnd: Only objects made in or before this year.
        """
        if (dateBegin is None) != (dateEnd is None):
            raise ToolError("dateBegin and dateEnd must be given together")
        if dateBegin is not None and dateEnd is not None and dateEnd < dateBegin:
            raise ToolError("dateEnd must not be before dateBegin")
        if departmentId is not None and not self.value("SELECT 1 FROM departments WHERE departmentId = ?",
                                                       departmentId):
            raise ToolError(f"no department with id '{departmentId}'; list_departments shows the ids")
        matches, params = self.text_filter("objects", q)
        found = self.rows(
            f"SELECT CAST(objectID AS TEXT) AS objectId, title, artist, objectDate FROM objects WHERE {matches} AND (? IS NULL OR departmentId = ?)"
            " AND (? IS NULL OR isPublicDomain = ?) AND (? IS NULL OR (galleryNumber != '') = ?)"
            " AND (? IS NULL OR endDate >= ?) AND (? IS NULL OR beginDate <= ?) ORDER BY objects.objectID", *params,
            departmentId, departmentId, isPublicDomain, isPublicDomain, isOnView, isOnView, dateBegin, dateBegin,
            dateEnd, dateEnd)
        hits = [r for r in found if not title or q.strip().lower() in r["title"].lower()]
        return {"total": len(hits), "objectIds": [r["objectId"] for r in hits], "objects": hits[:20]}

    @tool(phrase=["tell me about {objectId} at the Met", "look up {objectId} in the Met collection"])
    def get_museum_object(self, objectId: ObjectId) -> MuseumObject:
        """An object's record: title, artist, date, medium, credit line, public-domain flag, image and gallery.

        Args:
            objectId: The object's id (search_museum_objects).
        """
        obj = self._object(objectId)
        return {"objectId": objectId, "accessionNumber": obj["accessionNumber"], "title": obj["title"],
                "artist": obj["artist"], "artistBio": obj["artistBio"],
                "department": DEPARTMENTS[obj["departmentId"]][0], "culture": obj["culture"],
                "objectDate": obj["objectDate"], "medium": obj["medium"], "dimensions": obj["dimensions"],
                "creditLine": obj["creditLine"], "isPublicDomain": bool(obj["isPublicDomain"]),
                "primaryImageUrl": obj["primaryImage"], "galleryNumber": obj["galleryNumber"],
                "tags": obj["tags"].split(", ")}

    def _collections(self, where: str = "1", *params: Any) -> list[Collection]:
        return self.rows("SELECT c.*, (SELECT COUNT(*) FROM collection_items i WHERE i.collection_id ="
                         f" c.collection_id) AS item_count FROM collections c WHERE {where} ORDER BY c.created_on,"
                         " c.name", *params)

    @tool(phrase=["show my My Met collections", "list the collections I saved at the Met"])
    def list_collections(self) -> CollectionList:
        """The visitor's My Met collections, oldest first, with how many objects each holds."""
        return {"collections": self._collections()}

    @tool(phrase=["show what is in {collection_id}", "open {collection_id} in My Met"])
    def get_collection(self, collection_id: str) -> CollectionDetail:
        """One My Met collection with its saved objects, in the order they were added.

        Args:
            collection_id: The collection's id (list_collections).
        """
        self._collection(collection_id)
        items = self.rows(_ITEMS, collection_id)
        return {**self._collections("c.collection_id = ?", collection_id)[0], "items": items}

    @tool(writes=True, phrase=["start a new My Met collection called {name}[ described as {description}]",
                               "create a Met collection named {name}"])
    def create_collection(self, name: Annotated[NonEmptyStr, Field(max_length=60)],
                          description: Annotated[str, Field(max_length=300)] | None = None) -> Collection:
        """Create an empty My Met collection; names are unique (ignoring case), at most 20 collections.

        Args:
            name: The collection's name (up to 60 characters).
            description: What the collection is for.
        """
        name = name.strip()
        taken, count = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM collections WHERE name = ?), (SELECT COUNT(*) FROM collections)",
            (name,)).fetchone()
        if taken:
            raise ToolError(f"you already have a collection named '{name}'; pick another name")
        if count >= MAX_COLLECTIONS:
            raise ToolError(f"My Met allows at most {MAX_COLLECTIONS} collections; delete one first")
        collection_id = self.new_id("collections", "col_")
        created = {"collection_id": collection_id, "name": name, "description": (description or "").strip(),
                   "created_on": self.now().date().isoformat()}
        self.execute("INSERT INTO collections VALUES (?, ?, ?, ?)", *created.values())
        # A new id has no saved objects: items are only added to existing collections, and deleted with theirs.
        return {**created, "item_count": 0}  # type: ignore[typeddict-item]

    @tool(writes=True, phrase=["save {objectId} to {collection_id}[ with the note {note}]",
                               "add {objectId} to {collection_id}"])
    def add_to_collection(self, collection_id: str, objectId: ObjectId,
                          note: Annotated[str, Field(max_length=200)] = "") -> CollectionDetail:
        """Save a museum object to a My Met collection (each object once per collection, at most 50 objects).

        Args:
            collection_id: The collection's id.
            objectId: The object's id.
            note: A private note about the object.
        """
        # The collection, the object's title (NULL when there is no such object), whether it is saved there
        # already and the collection's size, in one query.
        object_id = int(objectId)
        collection = self.row(
            "SELECT c.*, (SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.collection_id) AS "
            "item_count, (SELECT title FROM objects WHERE objectID = ?) AS _title, EXISTS (SELECT 1 FROM "
            "collection_items WHERE collection_id = c.collection_id AND objectID = ?) AS _saved FROM collections c "
            "WHERE c.collection_id = ?", object_id, object_id, collection_id)
        if collection is None:
            self._collection(collection_id)
        if collection["_title"] is None:
            self._object(objectId)
        if collection["_saved"]:
            raise ToolError(f"'{collection['_title']}' ({objectId}) is already in '{collection['name']}'")
        if collection["item_count"] >= MAX_ITEMS:
            raise ToolError(f"'{collection['name']}' is full ({MAX_ITEMS} objects); remove one or start a new"
                            " collection")
        self.execute("INSERT INTO collection_items VALUES (?, ?, ?, ?)", collection_id, object_id,
                     note.strip(), self.now().date().isoformat())
        return self._detail(collection, collection["item_count"] + 1)

    def _detail(self, collection: dict[str, Any], item_count: int) -> CollectionDetail:
        """get_collection's result for a collection row read in this call and its item count now."""
        items = self.rows(_ITEMS, collection["collection_id"])
        return {"collection_id": collection["collection_id"], "name": collection["name"],
                "description": collection["description"], "created_on": collection["created_on"],
                "item_count": item_count, "items": items}

    @tool(writes=True, phrase=["take {objectId} out of {collection_id}",
                               "remove {objectId} from {collection_id}"])
    def remove_from_collection(self, collection_id: str, objectId: ObjectId) -> CollectionDetail:
        """Remove a saved object from a My Met collection.

        Args:
            collection_id: The collection's id.
            objectId: The object's id.
        """
        collection = self.row("SELECT c.*, (SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = "
                              "c.collection_id) AS item_count FROM collections c WHERE c.collection_id = ?",
                              collection_id)
        if collection is None:
            self._collection(collection_id)
        if not self.execute("DELETE FROM collection_items WHERE collection_id = ? AND objectID = ?", collection_id,
                            int(objectId)):
            raise ToolError(f"object {objectId} is not in '{collection['name']}'; get_collection lists its objects")
        return self._detail(collection, collection["item_count"] - 1)

    @tool(writes=True, phrase=["delete {collection_id} from My Met", "get rid of {collection_id}"])
    def delete_collection(self, collection_id: str) -> Deleted:
        """Delete a My Met collection and its saved objects (the default "Met Favorites" cannot be deleted).

        Args:
            collection_id: The collection's id.
        """
        collection = self._collection(collection_id)
        if collection["name"] == DEFAULT:
            raise ToolError(f"'{DEFAULT}' is your default collection and cannot be deleted")
        removed = self.execute("DELETE FROM collection_items WHERE collection_id = ?", collection_id)
        self.execute("DELETE FROM collections WHERE collection_id = ?", collection_id)
        return {"collection_id": collection_id, "name": collection["name"], "items_removed": removed}
