"""MongoDBServer: a MongoDB deployment (databases, collections, JSON documents) served to an agent as the MongoDB
MCP server does: queries with filters and projections, aggregation pipelines, inserts, updates and deletes."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

Name = Annotated[str, UserKnown, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
Doc = dict[str, Any]
Filter = Annotated[Doc, Field(description="a MongoDB query filter")]
MAX_DOCUMENT_BYTES = 16_000
COMPARE = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$options", "$size",
           "$all", "$not"}
STAGES = ("$match", "$group", "$sort", "$limit", "$skip", "$project", "$unwind", "$count")
ACCUMULATORS = {"$sum", "$avg", "$min", "$max", "$count", "$push", "$addToSet"}
UPDATES = ("$set", "$unset", "$inc", "$push", "$pull")
TYPES = {"string": str, "number": (int, float), "int": int, "bool": bool, "array": list, "object": dict}

DatabaseInfo = TypedDict("DatabaseInfo", {"name": str, "sizeOnDisk": int, "collections": int, "readOnly": bool})
Databases = TypedDict("Databases", {"databases": list[DatabaseInfo]})
CollectionInfo = TypedDict("CollectionInfo", {"name": str, "documents": int, "uniqueIndexes": list[str],
                                              "requiredFields": dict[str, str]})
Collections = TypedDict("Collections", {"database": str, "collections": list[CollectionInfo]})
Found = TypedDict("Found", {"database": str, "collection": str, "documents": list[Doc], "count": int})
Aggregated = TypedDict("Aggregated", {"database": str, "collection": str, "results": list[Doc], "count": int})
Counted = TypedDict("Counted", {"database": str, "collection": str, "count": int})
Inserted = TypedDict("Inserted", {"acknowledged": bool, "inserted_id": str, "document": Doc})
Updated = TypedDict("Updated", {"acknowledged": bool, "matched_count": int, "modified_count": int,
                                "document": Doc | None})
Deleted = TypedDict("Deleted", {"acknowledged": bool, "deleted_count": int})
Created = TypedDict("Created", {"ok": bool, "database": str, "collection": str})


def canonical(value: Any) -> Any:
    """A document value as stored: integral floats as ints (so 40 and 40.0 are one value)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    return [canonical(v) for v in value] if isinstance(value, list) else value


def lookup(doc: Any, path: str) -> list[Any]:
    """Every value at a dotted path, descending into arrays the way MongoDB does (an array leaf counts as itself
    and as each of its elements)."""
    found = [doc]
    for part in path.split("."):
        step = []
        for value in found:
            if isinstance(value, dict) and part in value:
                step.append(value[part])
            elif isinstance(value, list):
                step.extend(v[part] for v in value if isinstance(v, dict) and part in v)
        found = step
    return found + [x for v in found if isinstance(v, list) for x in v]


def rank(value: Any) -> tuple[int, Any]:
    """A sort key of MongoDB's type order: null, numbers, strings, objects, arrays, booleans."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, int | float):
        return (1, value)
    return (2, value) if isinstance(value, str) else (3 if isinstance(value, dict) else 4, json.dumps(value))


def comparable(a: Any, b: Any) -> bool:
    return rank(a)[0] == rank(b)[0] and not isinstance(a, dict | list)


#: A top-level field a JSON path names as it is.
PLAIN_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Numbers SQLite and Python compare alike whatever their type (integers and doubles agree exactly below 2**53).
EXACT = 2**53


def narrowing(query: Any) -> tuple[str, list[Any]]:
    """SQL conditions on ``documents`` that every document matching ``query`` meets, from its plain equalities on
    top-level fields (a string, or a number of at most :data:`EXACT`): the stored value equals it or is an array
    (whose elements MongoDB matches too). Documents are then checked with :func:`matches` as before; these only
    spare reading the others. Other parts of the filter add nothing."""
    conditions, params = ["1"], []
    for key, value in query.items() if isinstance(query, dict) else ():
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:  # a lone surrogate cannot be bound to SQL; it is matched by scanning
                continue
        elif isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) < EXACT:
            continue
        if key == "_id":
            conditions.append("_id = ?")
            params.append(value)
        elif PLAIN_FIELD.fullmatch(key):
            conditions.append("(json_extract(body, ?) = ? OR json_type(body, ?) = 'array')")
            params += [f"$.{key}", canonical(value), f"$.{key}"]
    return " AND ".join(conditions), params


def matches(doc: Doc, query: Doc) -> bool:
    """Whether a document matches a (validated) filter."""
    for key, condition in query.items():
        if key in ("$and", "$or", "$nor"):
            hits = [matches(doc, q) for q in condition]
            if not (all(hits) if key == "$and" else any(hits) if key == "$or" else not any(hits)):
                return False
        elif not field_matches(lookup(doc, key), condition):
            return False
    return True


def field_matches(values: list[Any], condition: Any) -> bool:
    if not (isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition)):
        return canonical(condition) in values
    for op, arg in condition.items():
        arg = canonical(arg)
        if op == "$eq":
            ok = arg in values
        elif op == "$ne":
            ok = arg not in values
        elif op in ("$gt", "$gte", "$lt", "$lte"):
            test = {"$gt": lambda v: v > arg, "$gte": lambda v: v >= arg, "$lt": lambda v: v < arg,
                    "$lte": lambda v: v <= arg}[op]
            ok = any(comparable(v, arg) and test(v) for v in values)
        elif op == "$in":
            ok = any(a in values for a in arg) or (not values and None in arg)
        elif op == "$nin":
            ok = not any(a in values for a in arg)
        elif op == "$exists":
            ok = bool(values) == bool(arg)
        elif op == "$regex":
            flags = re.IGNORECASE if "i" in condition.get("$options", "") else 0
            ok = any(isinstance(v, str) and re.search(arg, v, flags) for v in values)
        elif op == "$size":
            ok = any(isinstance(v, list) and len(v) == arg for v in values[:1])
        elif op == "$all":
            ok = all(a in values for a in arg)
        elif op == "$not":
            ok = not field_matches(values, arg)
        else:  # $options, read with $regex
            continue
        if not ok:
            return False
    return True


def check_filter(query: Any, where: str = "filter") -> None:
    """Raise a ToolError naming what is wrong with a filter (unknown operators, wrong argument types)."""
    if not isinstance(query, dict):
        raise ToolError(f"{where} must be an object like {{\"status\": \"paid\"}}")
    for key, condition in query.items():
        if key in ("$and", "$or", "$nor"):
            if not isinstance(condition, list) or not condition:
                raise ToolError(f"{key} in {where} needs a non-empty array of filter objects")
            for part in condition:
                check_filter(part, where)
        elif key.startswith("$"):
            raise ToolError(f"unknown top-level operator '{key}' in {where}; use $and, $or or $nor, or a field name")
        elif isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            check_operators(key, condition, where)


def check_operators(field: str, condition: Doc, where: str) -> None:
    for op, arg in condition.items():
        if op not in COMPARE:
            raise ToolError(f"unknown operator '{op}' on field '{field}' in {where}; supported: "
                            f"{', '.join(sorted(COMPARE))}")
        if op in ("$in", "$nin", "$all") and not isinstance(arg, list):
            raise ToolError(f"{op} on field '{field}' needs an array, got {json.dumps(arg)}")
        if op == "$regex":
            if not isinstance(arg, str):
                raise ToolError(f"$regex on field '{field}' needs a string pattern")
            try:
                re.compile(arg)
            except re.error as exc:
                raise ToolError(f"invalid $regex on field '{field}': {exc}") from None
        if op == "$size" and (not isinstance(arg, int) or isinstance(arg, bool) or arg < 0):
            raise ToolError(f"$size on field '{field}' needs a non-negative integer")
        if op == "$not":
            if not isinstance(arg, dict):
                raise ToolError(f"$not on field '{field}' needs an operator object, e.g. {{\"$gt\": 5}}")
            check_operators(field, arg, where)


def project(doc: Doc, spec: Doc, expressions: bool = False) -> Doc:
    """Apply a projection (inclusion or exclusion; with ``expressions``, also ``"$field"`` references)."""
    modes = {k: v for k, v in spec.items() if k != "_id" or not isinstance(v, bool | int) or v}
    include = [k for k, v in modes.items() if v in (1, True) or (expressions and isinstance(v, str))]
    exclude = [k for k, v in spec.items() if v in (0, False) and not isinstance(v, str)]
    for key, value in spec.items():
        if not (value in (0, 1) or (expressions and isinstance(value, str) and value.startswith("$"))):
            extra = ' or a "$field" reference' if expressions else ""
            raise ToolError(f"projection value of '{key}' must be 0 or 1{extra}")
    if include and [k for k in exclude if k != "_id"]:
        raise ToolError(f"cannot mix inclusion and exclusion: exclusion of '{exclude[-1]}' in an inclusion "
                        "projection (only _id may be excluded there)")
    if not include:
        return {k: v for k, v in doc.items() if k not in exclude}
    out = {} if "_id" in exclude or "_id" not in doc else {"_id": doc["_id"]}
    for key in include:
        source = spec[key][1:] if isinstance(spec[key], str) else key
        found = lookup(doc, source)
        if found:
            out[key] = found[0]
    return out


def sort_docs(docs: list[Doc], spec: Doc) -> list[Doc]:
    for key, direction in reversed(list(spec.items())):
        if direction not in (1, -1):
            raise ToolError(f"sort direction of '{key}' must be 1 (ascending) or -1 (descending)")
        docs = sorted(docs, key=lambda d: rank((lookup(d, key) or [None])[0]), reverse=direction == -1)
    return docs


def evaluate(doc: Doc, expr: Any) -> Any:
    """A $group key or accumulator argument: a "$field" reference, an object of them, or a literal."""
    if isinstance(expr, str) and expr.startswith("$"):
        return (lookup(doc, expr[1:]) or [None])[0]
    return {k: evaluate(doc, v) for k, v in expr.items()} if isinstance(expr, dict) else expr


def group(docs: list[Doc], spec: Doc) -> list[Doc]:
    if "_id" not in spec:
        raise ToolError("$group needs an _id: a \"$field\" to group by, or null for one group of everything")
    for name, acc in spec.items():
        if name != "_id" and not (isinstance(acc, dict) and len(acc) == 1 and next(iter(acc)) in ACCUMULATORS):
            raise ToolError(f"$group field '{name}' must be one accumulator like {{\"$sum\": \"$price\"}}; "
                            f"supported: {', '.join(sorted(ACCUMULATORS))}")
    groups: dict[str, tuple[Any, list[Doc]]] = {}
    for doc in docs:
        key = evaluate(doc, spec["_id"])
        groups.setdefault(json.dumps(key, sort_keys=True), (key, []))[1].append(doc)
    out = []
    for key, members in groups.values():
        row = {"_id": key}
        for name, acc in spec.items():
            if name == "_id":
                continue
            op, arg = next(iter(acc.items()))
            values = [evaluate(d, arg) for d in members]
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            if op == "$sum":
                row[name] = canonical(round(sum(numbers), 6))
            elif op == "$count":
                row[name] = len(members)
            elif op == "$avg":
                row[name] = canonical(round(sum(numbers) / len(numbers), 6)) if numbers else None
            elif op in ("$min", "$max"):
                present = sorted((v for v in values if v is not None), key=rank)
                row[name] = (present[0] if op == "$min" else present[-1]) if present else None
            else:
                row[name] = values if op == "$push" else list({json.dumps(v): v for v in values}.values())
        out.append(row)
    return out


def positive(stage: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < (stage == "$limit"):
        raise ToolError(f"{stage} needs a {'positive' if stage == '$limit' else 'non-negative'} integer")
    return value


def run_pipeline(docs: list[Doc], pipeline: list[Doc]) -> list[Doc]:
    for number, stage in enumerate(pipeline, 1):
        if len(stage) != 1:
            raise ToolError(f"pipeline stage {number} must be an object with exactly one stage operator")
        name, arg = next(iter(stage.items()))
        if name not in STAGES:
            raise ToolError(f"unsupported pipeline stage '{name}' (stage {number}); supported: {', '.join(STAGES)}")
        if name in ("$match", "$group", "$sort", "$project") and not isinstance(arg, dict):
            raise ToolError(f"{name} (stage {number}) needs an object")
        if name == "$match":
            check_filter(arg, f"$match (stage {number})")
            docs = [d for d in docs if matches(d, arg)]
        elif name == "$group":
            docs = group(docs, arg)
        elif name == "$sort":
            docs = sort_docs(docs, arg)
        elif name in ("$limit", "$skip"):
            count = positive(name, arg)
            docs = docs[:count] if name == "$limit" else docs[count:]
        elif name == "$project":
            docs = [project(d, arg, expressions=True) for d in docs]
        elif name == "$count":
            if not isinstance(arg, str) or not arg or arg.startswith("$"):
                raise ToolError("$count needs the name of the output field, e.g. {\"$count\": \"total\"}")
            docs = [{arg: len(docs)}] if docs else []
        else:
            path = arg.get("path") if isinstance(arg, dict) else arg
            if not isinstance(path, str) or not path.startswith("$"):
                raise ToolError("$unwind needs a \"$field\" path of an array field")
            docs = [{**d, path[1:]: item} for d in docs for item in (
                lookup(d, path[1:])[0] if lookup(d, path[1:]) and isinstance(lookup(d, path[1:])[0], list) else [])]
    return docs


CATEGORIES = {"kitchen": ["Cast Iron Skillet", "Chef's Knife", "Pour-Over Kettle", "Bamboo Cutting Board",
                          "Ceramic Mixing Bowls"],
              "office": ["Walnut Desk Organizer", "Ergonomic Mouse", "Mechanical Keyboard", "Monitor Riser",
                         "Noise-Cancelling Headset"],
              "outdoor": ["Trail Daypack", "Insulated Bottle", "Camping Hammock", "Headlamp", "Trekking Poles"],
              "home": ["Linen Throw", "Soy Candle Set", "Wool Rug", "Table Lamp", "Wall Clock"],
              "fitness": ["Yoga Mat", "Adjustable Dumbbells", "Resistance Bands", "Foam Roller", "Jump Rope"]}
ORDER_STATUS = ["pending", "paid", "shipped", "delivered", "cancelled"]
TAGS = ["mongodb", "python", "devops", "career", "design", "testing", "databases", "security", "cloud", "ai"]
TOPICS = ["schema design", "index tuning", "Python packaging", "CI pipelines", "code review", "on-call rotations",
          "feature flags", "API versioning", "Kubernetes upgrades", "unit testing", "data migrations", "caching"]
HEADLINES = ["A practical guide to {0}", "{1} lessons from a year of {0}", "What nobody tells you about {0}",
             "How we rethought {0}", "{1} mistakes to avoid in {0}", "Getting started with {0}"]
REMARKS = ["Great write-up, thanks!", "This saved me hours.", "Could you share the config you used?",
           "I disagree with the second point.", "Buy cheap followers at spam-site dot com", "Bookmarked.",
           "Does this still apply to version 7?", "Typo in the third paragraph.", "Click here for free crypto!!!"]
PAGES = ["/", "/pricing", "/docs", "/blog", "/signup", "/login", "/docs/quickstart", "/changelog"]
COUNTRIES = ["US", "DE", "GB", "IN", "BR", "CA", "FR", "JP"]
#: Per collection: the validator's required fields and their types, and the fields with a unique index.
RULES = {("shop", "customers"): ({"email": "string", "name": "string"}, ["email"]),
         ("shop", "products"): ({"sku": "string", "name": "string", "price": "number", "stock": "int"}, ["sku"]),
         ("shop", "orders"): ({"order_number": "int", "customer": "object", "status": "string", "total": "number"},
                              ["order_number"]),
         ("blog", "users"): ({"username": "string"}, ["username"]),
         ("blog", "posts"): ({"slug": "string", "title": "string", "author": "string", "status": "string"}, ["slug"]),
         ("blog", "comments"): ({"post_slug": "string", "author": "string", "text": "string"}, []),
         ("analytics", "page_views"): ({}, []), ("analytics", "events"): ({}, [])}


class MongoDBServer(World):
    """A MongoDB server holding the databases shop (customers, products, orders), blog (users, posts, comments)
    and analytics (page_views, events; read-only for this user). Documents are JSON; every document has a string
    _id. Filters use MongoDB query syntax ({"status": "paid", "total": {"$gte": 50}}, dotted paths for nested
    fields); collections may require fields (a validator) and keep unique indexes."""

    schema = """
    CREATE TABLE databases (database TEXT PRIMARY KEY, read_only INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE collections (database TEXT NOT NULL REFERENCES databases, collection TEXT NOT NULL,
                              required TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (database, collection));
    CREATE TABLE indexes (database TEXT NOT NULL, collection TEXT NOT NULL, field TEXT NOT NULL,
                          PRIMARY KEY (database, collection, field));
    CREATE TABLE documents (database TEXT NOT NULL, collection TEXT NOT NULL, _id TEXT NOT NULL, body TEXT NOT NULL,
                            PRIMARY KEY (database, collection, _id));
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        docs: dict[tuple[str, str], list[Doc]] = {key: [] for key in RULES}
        day = lambda: (cls.start_time - dt.timedelta(days=rng.randrange(1, 120))).date().isoformat()  # noqa: E731
        for number in range(40):
            name = f"{fake.first_name()} {fake.last_name()}"
            docs["shop", "customers"].append({
                "name": name, "email": f"{name.split()[0].lower()}.{name.split()[-1].lower()}{number}@{fake.free_email_domain()}",
                "city": fake.city(), "tier": rng.choice(["basic", "basic", "silver", "gold"]), "joined": day()})
        products = []
        for category, names in CATEGORIES.items():
            for name in names:
                products.append({"sku": f"{category[:3].upper()}-{1000 + 37 * len(products) + rng.randrange(37)}",
                                 "name": name,
                                 "category": category, "price": rng.randrange(499, 15999) / 100,
                                 "stock": rng.choice([0, 3, 8, *range(12, 150, 7)]),
                                 "tags": rng.sample(["bestseller", "new", "eco", "gift", "sale"], rng.randrange(0, 3))})
        docs["shop", "products"] = products
        for number in range(10231, 10351):
            customer = rng.choice(docs["shop", "customers"])
            items = [{"sku": p["sku"], "qty": rng.randrange(1, 4), "price": p["price"]}
                     for p in rng.sample(products, rng.randrange(1, 4))]
            docs["shop", "orders"].append({
                "order_number": number, "customer": {"email": customer["email"], "name": customer["name"]},
                "items": items, "total": round(sum(i["qty"] * i["price"] for i in items), 2),
                "status": rng.choices(ORDER_STATUS, weights=[2, 3, 3, 8, 1])[0], "created_at": day()})
        users = [fake.unique.user_name() for _ in range(12)]
        docs["blog", "users"] = [{"username": u, "display_name": fake.name(), "role": rng.choice(
            ["author", "author", "editor", "reader"]), "joined": day()} for u in users]
        for _ in range(36):
            title = rng.choice(HEADLINES).format(rng.choice(TOPICS), rng.randrange(3, 11))
            slug = "-".join(re.findall(r"[a-z0-9]+", title.lower()))
            if any(p["slug"] == slug for p in docs["blog", "posts"]):
                continue
            published = rng.random() < 0.75
            docs["blog", "posts"].append({"slug": slug, "title": title, "author": rng.choice(users[:8]),
                                          "tags": rng.sample(TAGS, 2), "status": "published" if published else "draft",
                                          "likes": rng.randrange(0, 400) if published else 0,
                                          "published_at": day() if published else None})
        for post in rng.sample(docs["blog", "posts"], 24):
            for _ in range(rng.randrange(1, 6)):
                text = rng.choice(REMARKS)
                docs["blog", "comments"].append({"post_slug": post["slug"], "author": rng.choice(users),
                                                 "text": text, "flagged": "!" in text or "spam" in text,
                                                 "created_at": day()})
        for _ in range(160):
            docs["analytics", "page_views"].append({"path": rng.choice(PAGES), "country": rng.choice(COUNTRIES),
                                                    "device": rng.choice(["desktop", "mobile", "tablet"]),
                                                    "duration_sec": rng.randrange(3, 600), "day": day()})
        for _ in range(90):
            docs["analytics", "events"].append({"name": rng.choice(["signup", "search", "add_to_cart", "checkout"]),
                                                "user": rng.choice(users), "value": rng.randrange(0, 200), "day": day()})
        db["databases"].insert_all({"database": d, "read_only": int(d == "analytics")}
                                   for d in ("shop", "blog", "analytics"))
        db["collections"].insert_all({"database": d, "collection": c, "required": json.dumps(RULES[d, c][0])}
                                     for d, c in RULES)
        db["indexes"].insert_all({"database": d, "collection": c, "field": f} for (d, c), r in RULES.items()
                                 for f in r[1])
        db["documents"].insert_all({"database": d, "collection": c, "_id": fake_id(rng, "65f"),
                                    "body": json.dumps(canonical(doc), sort_keys=True)}
                                   for (d, c), rows in docs.items() for doc in rows)

    # ------------------------------------------------------------------ helpers
    def _collection(self, database: str, collection: str, write: str = "") -> dict[str, Any]:
        base = self.require("SELECT * FROM databases WHERE database = ?", database,
                            error=f"database '{database}' does not exist; list_databases shows the databases")
        if write and base["read_only"]:
            raise ToolError(f"not authorized on {database} to execute command {write}: the {database} database is "
                            "read-only for this user")
        return self.require("SELECT * FROM collections WHERE database = ? AND collection = ?", database, collection,
                            error=f"collection '{collection}' does not exist in database '{database}'; "
                                  "list_collections shows its collections" + (
                                      ", create_collection creates one" if write == "insert" else ""))

    def _docs(self, database: str, collection: str, query: Any = None) -> list[Doc]:
        """The collection's documents in insertion order; with ``query``, only those that may match it (see
        :func:`narrowing`)."""
        conditions, params = narrowing(query)
        return [{"_id": r["_id"], **json.loads(r["body"])} for r in self.rows(
            f"SELECT _id, body FROM documents WHERE database = ? AND collection = ? AND {conditions} ORDER BY rowid",
            database, collection, *params)]

    def _matching(self, database: str, collection: str, query: Doc | None, write: str = "") -> list[Doc]:
        self._collection(database, collection, write)
        check_filter(query or {})
        return [d for d in self._docs(database, collection, query) if matches(d, query or {})]

    def _store(self, database: str, collection: str, doc: Doc, new: bool) -> None:
        """Validate a document against the collection's rules and write it."""
        rules = self._collection(database, collection)
        for field, kind in json.loads(rules["required"]).items():
            if field not in doc or doc[field] is None:
                raise ToolError(f"document failed validation: {database}.{collection} requires the field '{field}'")
            if not isinstance(doc[field], TYPES[kind]) or (kind != "bool" and isinstance(doc[field], bool)):
                raise ToolError(f"document failed validation: '{field}' must be of type {kind} in "
                                f"{database}.{collection}")
        for index in self.rows("SELECT field FROM indexes WHERE database = ? AND collection = ?", database, collection):
            field = index["field"]
            if any(d[field] == doc.get(field) and d["_id"] != doc["_id"]
                   for d in self._docs(database, collection, {field: doc.get(field)}) if field in d):
                raise ToolError(f"E11000 duplicate key error collection: {database}.{collection} index: {field}_1 "
                                f"dup key: {{ {field}: {json.dumps(doc.get(field))} }}")
        body = json.dumps({k: v for k, v in doc.items() if k != "_id"}, sort_keys=True)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ToolError(f"document is too large ({len(body)} bytes; at most {MAX_DOCUMENT_BYTES})")
        if new:
            self.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", database, collection, doc["_id"], body)
        else:
            self.execute("UPDATE documents SET body = ? WHERE database = ? AND collection = ? AND _id = ?",
                         body, database, collection, doc["_id"])

    # ------------------------------------------------------------------ reading
    @tool(phrase=["list the databases on the server", "show me which databases exist"])
    def list_databases(self) -> Databases:
        """The databases on the server, with their size in bytes, number of collections and whether this user may
        only read them."""
        return {"databases": [{"name": r["database"], "sizeOnDisk": r["size"] or 0, "collections": r["n"],
                               "readOnly": bool(r["read_only"])} for r in self.rows(
            "SELECT d.database, d.read_only, (SELECT COUNT(*) FROM collections c WHERE c.database = d.database) AS n,"
            " (SELECT SUM(length(body)) FROM documents x WHERE x.database = d.database) AS size"
            " FROM databases d ORDER BY d.database")]}

    @tool(phrase=["list the collections of the {database} database", "show what collections {database} has"])
    def list_collections(self, database: Name) -> Collections:
        """The collections of a database: document count, unique indexes and the fields the validator requires.

        Args:
            database: Database name, e.g. "shop".
        """
        self.require("SELECT 1 FROM databases WHERE database = ?", database,
                     error=f"database '{database}' does not exist; list_databases shows the databases")
        return {"database": database, "collections": [
            {"name": r["collection"], "documents": r["n"], "requiredFields": json.loads(r["required"]),
             "uniqueIndexes": [i["field"] for i in self.rows("SELECT field FROM indexes WHERE database = ? AND"
                                                             " collection = ? ORDER BY field", database, r["collection"])]}
            for r in self.rows("SELECT c.collection, c.required, (SELECT COUNT(*) FROM documents d WHERE d.database ="
                               " c.database AND d.collection = c.collection) AS n FROM collections c"
                               " WHERE c.database = ? ORDER BY c.collection", database)]}

    @tool(phrase=["show [{limit} ]documents from {database}.{collection}[, skipping the first {skip}]",
                  "look at [the first {limit} ]records in the {collection} collection of {database}"])
    def find(self, database: Name, collection: Name, filter: Doc | None = None, projection: Doc | None = None,
             sort: Doc | None = None, limit: Annotated[int, Field(ge=1, le=100)] = 10,
             skip: Annotated[int, Field(ge=0, le=10_000)] = 0) -> Found:
        """Query a collection: the documents matching a filter, optionally projected, sorted and paged.

        Args:
            database: Database name.
            collection: Collection name.
            filter: Query filter, e.g. {"status": "paid", "total": {"$gte": 50}} ($eq, $ne, $gt, $gte, $lt, $lte,
                $in, $nin, $exists, $regex with $options, $size, $all, $not; $and, $or, $nor; dotted paths).
            projection: Fields to return ({"name": 1, "price": 1}) or to leave out ({"items": 0}).
            sort: Sort order, e.g. {"created_at": -1} (1 ascending, -1 descending).
            limit: At most this many documents (1-100).
            skip: Documents to skip first (paging).
        """
        docs = sort_docs(self._matching(database, collection, filter), sort or {})[skip:skip + limit]
        docs = [project(d, projection) for d in docs] if projection else docs
        return {"database": database, "collection": collection, "documents": docs, "count": len(docs)}

    @tool(phrase=["count the documents in {database}.{collection}", "tell me how many records {collection} in "
                                                                     "{database} holds"])
    def count(self, database: Name, collection: Name, filter: Doc | None = None) -> Counted:
        """How many documents of a collection match a filter (all of them without one).

        Args:
            database: Database name.
            collection: Collection name.
            filter: Query filter, as for find.
        """
        return {"database": database, "collection": collection,
                "count": len(self._matching(database, collection, filter))}

    @tool(phrase=["run an aggregation on {database}.{collection}"])
    def aggregate(self, database: Name, collection: Name,
                  pipeline: Annotated[list[Doc], Field(min_length=1, max_length=12)]) -> Aggregated:
        """Run an aggregation pipeline over a collection. Stages: $match, $group (accumulators $sum, $avg, $min,
        $max, $count, $push, $addToSet), $sort, $limit, $skip, $project, $unwind, $count.

        Args:
            database: Database name.
            collection: Collection name.
            pipeline: The stages, e.g. [{"$match": {"status": "paid"}}, {"$group": {"_id": "$customer.email",
                "spent": {"$sum": "$total"}}}, {"$sort": {"spent": -1}}, {"$limit": 5}].
        """
        self._collection(database, collection)
        # A leading $match narrows what is read; run_pipeline checks it and applies it as before.
        results = run_pipeline(self._docs(database, collection, pipeline[0].get("$match")), pipeline)[:1000]
        return {"database": database, "collection": collection, "results": results, "count": len(results)}

    # ------------------------------------------------------------------ writing
    @tool(writes=True, phrase=["create a collection named {collection} in {database}",
                               "set up a new {collection} collection in the {database} database"])
    def create_collection(self, database: Name, collection: Name) -> Created:
        """Create an empty collection (and the database, if it does not exist yet).

        Args:
            database: Database name.
            collection: Name of the new collection.
        """
        if self.value("SELECT read_only FROM databases WHERE database = ?", database):
            raise ToolError(f"not authorized on {database} to execute command create: the {database} database is "
                            "read-only for this user")
        if collection.startswith("system"):
            raise ToolError("collection names starting with 'system' are reserved")
        if self.value("SELECT 1 FROM collections WHERE database = ? AND collection = ?", database, collection):
            raise ToolError(f"collection {database}.{collection} already exists")
        self.execute("INSERT OR IGNORE INTO databases (database) VALUES (?)", database)
        self.execute("INSERT INTO collections (database, collection) VALUES (?, ?)", database, collection)
        return {"ok": True, "database": database, "collection": collection}

    @tool(writes=True, phrase=["add a document to {database}.{collection}"])
    def insert_one(self, database: Name, collection: Name, document: Doc) -> Inserted:
        """Insert one document; an _id (string) is generated unless the document has one. The collection must
        exist (create_collection) and the document must satisfy its validator and unique indexes.

        Args:
            database: Database name.
            collection: Collection name.
            document: The document, e.g. {"sku": "KIT-1234", "name": "Tea Towel", "price": 9.5, "stock": 20}.
        """
        self._collection(database, collection, "insert")
        check_keys(document)
        doc = canonical(document)
        if "_id" in doc and not isinstance(doc["_id"], str):
            raise ToolError("_id must be a string")
        if "_id" in doc and self.value("SELECT 1 FROM documents WHERE database = ? AND collection = ? AND _id = ?",
                                       database, collection, doc["_id"]):
            raise ToolError(f"E11000 duplicate key error collection: {database}.{collection} index: _id_ "
                            f"dup key: {{ _id: \"{doc['_id']}\" }}")
        doc = {"_id": doc.get("_id") or self.new_id("documents", "65f"), **{k: v for k, v in doc.items() if k != "_id"}}
        self._store(database, collection, doc, new=True)
        return {"acknowledged": True, "inserted_id": doc["_id"], "document": doc}

    @tool(writes=True, phrase=["update a document in {database}.{collection}"])
    def update_one(self, database: Name, collection: Name, filter: Doc, update: Doc) -> Updated:
        """Update the first document matching a filter with update operators ($set, $unset, $inc, $push, $pull).

        Args:
            database: Database name.
            collection: Collection name.
            filter: Query filter selecting the document, as for find.
            update: Update operators, e.g. {"$set": {"status": "shipped"}, "$inc": {"stock": -1}}.
        """
        found = self._matching(database, collection, filter, "update")
        if not update or any(op not in UPDATES for op in update):
            raise ToolError(f"update needs update operators ({', '.join(UPDATES)}), not a replacement document")
        if not found:
            return {"acknowledged": True, "matched_count": 0, "modified_count": 0, "document": None}
        before = found[0]
        doc = json.loads(json.dumps(before))
        for op, fields in update.items():
            if not isinstance(fields, dict) or not fields:
                raise ToolError(f"{op} needs an object of fields, e.g. {{\"{op}\": {{\"field\": ...}}}}")
            check_keys(fields, dotted=True)
            for path, value in fields.items():
                apply(doc, op, path, canonical(value))
        if doc != before:
            self._store(database, collection, doc, new=False)
        return {"acknowledged": True, "matched_count": 1, "modified_count": int(doc != before), "document": doc}

    @tool(writes=True, phrase=["delete a document from {database}.{collection}"])
    def delete_one(self, database: Name, collection: Name, filter: Doc) -> Deleted:
        """Delete the first document matching a filter (an empty filter is refused).

        Args:
            database: Database name.
            collection: Collection name.
            filter: Query filter selecting the document, as for find.
        """
        if not filter:
            raise ToolError("delete_one needs a non-empty filter naming the document to delete")
        found = self._matching(database, collection, filter, "delete")
        if found:
            self.execute("DELETE FROM documents WHERE database = ? AND collection = ? AND _id = ?",
                         database, collection, found[0]["_id"])
        return {"acknowledged": True, "deleted_count": len(found[:1])}


def check_keys(doc: Any, dotted: bool = False) -> None:
    """Field names may not start with '$' (nor hold '.', except as paths of update operators)."""
    if isinstance(doc, list):
        for item in doc:
            check_keys(item)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            if key.startswith("$") or ("." in key and not dotted) or not key:
                raise ToolError(f"invalid field name '{key}': field names must be non-empty and may not start with "
                                "'$' or contain '.'")
            check_keys(value)


def apply(doc: Doc, op: str, path: str, value: Any) -> None:
    """Apply one update operator to one (dotted) field of a document, in place."""
    if path == "_id" or path.startswith("_id."):
        raise ToolError("performing an update on the path '_id' would modify the immutable field '_id'")
    *parents, leaf = path.split(".")
    node = doc
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ToolError(f"cannot create field '{leaf}' inside '{part}', which is not an object")
    current = node.get(leaf)
    if op == "$set":
        node[leaf] = value
    elif op == "$unset":
        node.pop(leaf, None)
    elif op == "$inc":
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ToolError(f"$inc of '{path}' needs a number")
        if leaf in node and (not isinstance(current, int | float) or isinstance(current, bool)):
            raise ToolError(f"cannot apply $inc to '{path}': it holds a {type(current).__name__}, not a number")
        node[leaf] = canonical(round((current or 0) + value, 6))
    else:
        if leaf in node and not isinstance(current, list):
            raise ToolError(f"cannot apply {op} to '{path}': it is not an array")
        items = list(current or [])
        node[leaf] = items + [value] if op == "$push" else [i for i in items if i != value]
