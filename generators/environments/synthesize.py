"""Offline synthesis: an :class:`~generators.environments.spec.ApiSpec` becomes an environment module (format v2).

No model is asked anything; the module follows from the names and shapes of the description:

1. **Entities and tables.** An identifier (``meeting_id``, ``userId``, ``sku``, ``id`` in what ``get_meeting``
   returns) names an entity, whose table is keyed by it. An array of objects in a result is a table of rows
   (``retailers`` in ``compare_price``: rows under the product asked for); a list of scalars is a column of such
   rows (``categories``: the distinct categories of the products) or a JSON column. Every other field a tool returns
   is a column of the table its row comes from, and so is every parameter a write stores or a read filters on. A
   column named like another table's key refers to that table (its seeded values are that table's keys). Tools
   without any identifier that read one object share one single-row table: the service's own state (a vehicle's
   engine, an account's balance).
2. **Operations**, by the verb of the name (after a prefix all tools share) and the source's hints (HTTP method,
   MCP ``readOnlyHint``): *get* one row by key; *list* / *search* with filters, ranges, sorting, paging and a text
   query (trigram-indexed); *create*; *update*; *delete*; *transitions* such as cancel, approve, archive or complete
   (a status column with the states it may leave); *login* / *logout* / session status (tokens in an ungraded
   table). What cannot be placed gets a generic behaviour that still reads or writes real rows:
   - *lookup* (a read): the first row of its table matching every argument given, or an error naming them;
   - *record* (a write): a new row of its own table holding the arguments, under the row they name.
   Also: batch creates (``create_entities(entities=[...])``, one row per object), deletes by a list of names or
   objects, updates that add to a number (``refuel_data(gb_amount)``), and enable/disable on a flag column.
3. **Seeded data**: Faker providers and choice lists picked by column name and type, dates as offsets from the
   episode clock (never Faker's relative dates), 20-200 rows per table, and values that meet what the parameters
   declare (enums, bounds, lengths, and patterns: ``^DB\\d{5}$`` keys are generated from the pattern). Time
   series (a ticker's prices) are consecutive days per series; rows listed by a small position (``pos``) exist at
   every position. Hidden columns, never returned, give the task generator consistent arguments: the term each
   row is searched by, and the bounds of a date or price window each row falls within.
4. **Rendering**: TypedDict returns, ``Annotated`` limits from the shapes, :class:`UserKnown` inputs (names,
   emails, free text, identifiers no tool lists), phrases for the task generator, ToolError messages naming the
   tool that lists what was not found.
"""

from __future__ import annotations

import keyword
import random
import re
import string
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from envfactory_gym.core.world import World
from generators.environments.spec import ApiSpec, Operation, Param, Shape, normalize_name
from generators.values import singular

# ------------------------------------------------------------------------------------------------ vocabulary
READ_VERBS = frozenset("""
get list search find query fetch retrieve read show view describe lookup look check browse compare estimate
calculate analyze analyse validate count download track trace preview inspect summarize recommend convert explore
discover print display see open cat ls pwd du wc tail head grep sort diff status whois is has can
""".split())
CREATE_VERBS = frozenset("""
create add new insert post upload send book place make register submit schedule save write push commit fork append
reserve record log report purchase buy sell invite comment reply share apply mkdir touch import combine duplicate copy
cp clone echo generate request order deposit withdraw transfer pay contact
""".split())
UPDATE_VERBS = frozenset("""
update modify edit set change rename move mv patch replace assign configure adjust reschedule rate tag label star
mark fill press toggle put upsert refuel increase decrease cd checkout switch select recharge topup credit
debit reduce deduct boost drain consume renew extend
""".split())
DELETE_VERBS = frozenset("delete remove rm rmdir clear drop destroy purge discard trash erase revoke".split())
#: Transition verbs and the state they lead to.
TRANSITIONS = {
    "cancel": "cancelled", "approve": "approved", "reject": "rejected", "archive": "archived", "unarchive": "active",
    "complete": "completed", "close": "closed", "reopen": "open", "resolve": "resolved", "confirm": "confirmed",
    "suspend": "suspended", "resume": "active", "activate": "active", "deactivate": "inactive",
    "enable": "enabled", "disable": "disabled", "lock": "locked", "unlock": "unlocked", "publish": "published",
    "unpublish": "draft", "merge": "merged", "capture": "captured", "authorize": "authorized", "refund": "refunded",
    "return": "returned", "accept": "accepted", "decline": "declined", "start": "running", "stop": "stopped",
    "pause": "paused", "block": "blocked", "unblock": "active", "finish": "finished", "finalize": "finalized",
    "void": "voided", "ship": "shipped", "deliver": "delivered", "release": "released", "engage": "engaged",
    "verify": "verified", "expire": "expired", "restore": "active", "hold": "on_hold", "submit_for": "submitted",
}
#: Update verbs that add to a number (1) or take from it (-1) rather than set it.
INCREMENTS = {"refuel": 1, "fill": 1, "recharge": 1, "topup": 1, "top": 1, "increase": 1, "credit": 1, "load": 1,
              "add": 1, "raise": 1, "boost": 1, "decrease": -1, "reduce": -1, "deduct": -1, "debit": -1,
              "lower": -1, "consume": -1, "spend": -1, "drain": -1}
#: States a row cannot leave by a transition (only a transition back, such as reopen, may).
FINAL_STATES = frozenset({"cancelled", "closed", "completed", "rejected", "refunded", "returned", "voided",
                          "merged", "expired", "deleted", "delivered", "finished", "resolved"})
#: Transitions that bring a row back from a final state.
REVIVERS = frozenset({"reopen", "unarchive", "resume", "restore", "unblock", "activate", "unlock", "enable"})
#: First words of names made from an HTTP method and a path (``get_books_book_id``).
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete"})
LOGIN_VERBS = frozenset({"login", "signin", "authenticate", "auth", "log_in", "sign_in"})
LOGOUT_VERBS = frozenset({"logout", "signout", "log_out", "sign_out"})
#: Words of operation names that say nothing about the entity.
NOUN_STOP = frozenset("""
by for of the a an all to from with in on at and or my me current new details detail info information data
available popular trending top latest recent upcoming nearby specific single multiple many batch one item_ is as
into using via about any each own other more most raw full basic simple quick
""".split())
#: Result fields of a list that count, page or echo rather than hold rows.
TOTAL_FIELDS = frozenset({"total", "total_count", "totalcount", "total_results", "totalresults", "count_total",
                          "total_items", "totalitems", "hits_total", "result_count", "resultcount", "num_results",
                          "totalsize", "total_size", "total_records", "found"})
COUNT_FIELDS = frozenset({"count", "returned", "size", "length", "num", "number_of_results", "results_count"})
CURSOR_FIELDS = frozenset({"next_cursor", "nextcursor", "next_page_token", "nextpagetoken", "cursor", "next",
                           "next_token", "nexttoken", "offset", "next_offset", "odata_next_link", "next_link",
                           "nextlink", "page_token", "continuation", "continuation_token"})
MORE_FIELDS = frozenset({"has_more", "hasmore", "more", "has_next", "hasnext", "incomplete_search",
                         "incompletesearch", "truncated"})
PAGE_FIELDS = frozenset({"page", "current_page", "currentpage"})
PAGES_FIELDS = frozenset({"total_pages", "totalpages", "pages", "page_count", "num_pages"})
#: Array fields whose name says only "the rows" (their table is the operation's own entity).
GENERIC_ARRAYS = frozenset({"results", "items", "data", "records", "entries", "hits", "list", "rows", "matches",
                            "value", "values", "documents", "objects", "elements", "nodes", "edges", "result",
                            "response", "content", "contents", "collection", "output", "payload", "page_items"})
WRITE_FLAGS = frozenset({"success", "ok", "deleted", "removed", "cancelled", "canceled", "updated", "created",
                         "applied", "acknowledged", "archived", "saved", "sent", "accepted", "queued", "done",
                         "completed", "closed", "resolved", "merged", "confirmed", "moved", "copied", "renamed",
                         "added", "marked_read", "marked", "stored", "posted", "submitted", "executed"})
MESSAGE_FIELDS = frozenset({"message", "msg", "detail", "details_message", "confirmation", "result_message",
                            "status_message", "notification", "info"})
LIMIT_PARAMS = frozenset({"limit", "max_results", "maxresults", "page_size", "pagesize", "per_page", "perpage",
                          "max_count", "maxcount", "max_records", "maxrecords", "hits_per_page", "hitsperpage",
                          "top", "count", "size", "num_results", "results_per_page", "max_items", "first",
                          "max_comments", "n", "number", "rows", "k", "max"})
OFFSET_PARAMS = frozenset({"offset", "skip", "start", "start_index", "from_index", "startindex"})
PAGE_PARAMS = frozenset({"page", "page_number", "pagenumber", "item_page", "page_num", "pageno", "page_index"})
CURSOR_PARAMS = frozenset({"cursor", "start_cursor", "startcursor", "page_token", "pagetoken", "next_token",
                           "nexttoken", "continuation_token", "after_cursor", "next_page_token", "nextpagetoken"})
QUERY_PARAMS = frozenset({"query", "q", "keyword", "keywords", "search", "search_query", "searchquery", "term",
                          "terms", "search_term", "text_query", "key_words", "keyword_query", "search_text",
                          "filter_text", "phrase", "text"})
SORT_PARAMS = frozenset({"sort", "sort_by", "sortby", "order_by", "orderby", "sort_field", "sorts", "sort_order"})
DIRECTION_PARAMS = frozenset({"order", "direction", "sort_direction", "sortdirection", "sort_dir", "dir",
                              "ascending", "descending", "desc", "asc"})
#: Presentation options: accepted and documented, the rows returned are the same whatever they say.
PRESENTATION = frozenset({"format", "response_format", "output_format", "fields", "resources", "pretty", "verbose",
                          "encoding", "show_style", "showstyle", "show_formula", "showformula", "human_readable",
                          "include_metadata", "expand", "projection", "locale", "timezone", "tz", "units", "unit",
                          "context_lines", "max_depth", "depth", "output_type", "view", "mode_format", "callback",
                          "acknowledge_abuse", "dry_run", "dryrun", "fuzzy", "a", "all", "recursive", "hl"})
TOKEN_PARAMS = frozenset({"access_token", "session_token", "token", "auth_token", "authtoken", "accesstoken",
                          "sessiontoken", "session_id", "sessionid", "api_token"})
#: Range parameters: (pattern over the normalized name, bound); the group names the column.
RANGES = (
    (re.compile(r"^(?:min|from|start|since|after|begin|lower|low)_(.+)$"), "min"),
    (re.compile(r"^(?:max|to|end|until|before|upper|high)_(.+)$"), "max"),
    (re.compile(r"^(.+)_(?:min|from|start|since|after|gte|gt|begin|lower|low)$"), "min"),
    (re.compile(r"^(.+)_(?:max|to|end|until|before|lte|lt|upper|high)$"), "max"),
)
DATE_MIN = frozenset({"from", "since", "after", "start", "start_date", "startdate", "from_date", "fromdate",
                      "date_from", "begin", "begin_date", "start_time", "starttime", "time_min", "timemin",
                      "begin_time", "after_date", "min_date", "start_timestamp", "filter_date_after", "date_min",
                      "min_created", "created_after", "updated_after", "since_date", "due_min", "from_time"})
DATE_MAX = frozenset({"to", "until", "before", "end", "end_date", "enddate", "to_date", "todate", "date_to",
                      "end_time", "endtime", "time_max", "timemax", "before_date", "max_date", "end_timestamp",
                      "filter_date_before", "date_max", "max_created", "created_before", "updated_before",
                      "due_max", "to_time", "until_date"})
#: Parameters counting people (a search for rooms for 2 adults): rows whose capacity is at least that.
PARTY_PARAMS = frozenset({"adults", "kids", "children", "guests", "people", "persons", "passengers", "travelers",
                          "travellers", "party_size", "people_count", "num_guests", "num_people", "seats", "occupants",
                          "infants", "number_of_guests", "number_of_people"})
DISTANCE_PARAMS = frozenset({"radius", "max_distance", "maxdistance", "within", "distance_max", "range_km"})
#: Names of columns that label a row for a person (the task generator names rows by these).
LABELS = ("name", "title", "summary", "subject", "full_name", "display_name", "username", "label", "email",
          "filename", "path", "headline", "topic", "city", "code", "symbol", "number")
#: Stems of ``<stem>_id`` names that are no entity of their own (a request id, an idempotency key).
NOT_KEYED = frozenset({"api", "access", "secret", "client_secret", "session", "request", "trace", "correlation",
                       "idempotency", "external", "parent", "thread"})
#: Stems of ``<stem>_number`` / ``_code`` names that identify nobody's row here (a phone number, a zip code).
NOT_ENTITIES = frozenset({"phone", "mobile", "zip", "postal", "card", "house", "street", "version", "model", "tax",
                          "vat", "ip", "tracking", "country", "area", "postcode", "currency", "language", "status",
                          "error", "verification", "promo", "discount", "coupon", "color", "product_type"})
#: Short names that identify an entity although they do not end in "id".
NAMED_KEYS = {"pid": "product", "sku": "product", "asin": "product", "zpid": "property", "pmid": "article",
              "isbn": "book", "upc": "product", "ean": "product", "arxiv_id": "paper", "doi": "article",
              "iata": "airport", "icao": "airport", "imdb_id": "movie", "nct_id": "study"}
SQL_RESERVED = frozenset("""
abort action add after all alter analyze and as asc attach autoincrement before begin between by cascade case cast
check collate column commit conflict constraint create cross current current_date current_time current_timestamp
database default deferrable deferred delete desc detach distinct do drop each else end escape except exclusive exists
explain fail filter following for foreign from full glob group groups having if ignore immediate in index indexed
initially inner insert instead intersect into is isnull join key last left like limit match natural no not nothing
notnull null nulls of offset on or order others outer over partition plan pragma preceding primary query raise range
recursive references regexp reindex release rename replace restrict right rollback row rows savepoint select set table
temp temporary then ties to transaction trigger unbounded union unique update using vacuum values view virtual when
where window with without
""".split())
#: Local names of generated tool bodies: a parameter so named gets a trailing underscore.
BODY_NAMES = frozenset({"row", "rows", "key", "batch", "first", "where", "total", "shown", "match", "terms",
                        "account", "changes", "column", "value", "ended", "signed_in", "parent_row", "self", "json",
                        "dt", "random"})
#: Attributes of World and Python names a tool method must not shadow.
RESERVED_METHODS = frozenset(dir(World)) | frozenset(keyword.kwlist) | frozenset({"self", "cls"})


# ------------------------------------------------------------------------------------------------- names
def words(name: str) -> list[str]:
    """Lower-case words of a snake_case or camelCase name (``getStoryWithComments`` -> get story with comments)."""
    return [w for w in normalize_name(name).split("_") if w]


def norm(name: str) -> str:
    """The form names are compared in (``userId`` and ``user_id`` alike)."""
    return normalize_name(name)


def plural(word: str) -> str:
    """A table name for an entity that the task generator's ``singular`` maps back to the entity."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        candidate = word[:-1] + "ies"
    elif word.endswith(("s", "x", "ch", "sh")):
        candidate = word + "es"
    else:
        candidate = word + "s"
    return candidate if singular(candidate) == word else word


def human(name: str) -> str:
    """A name as words (``start_time`` -> start time, ``userId`` -> user id)."""
    return " ".join(words(name)) or name


def camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(name)) or "Value"


def id_stem(name: str) -> str | None:
    """The entity an identifier names (``meeting_id`` -> meeting, ``userIds`` -> user, ``sku`` -> product), or
    None for anything else (also for a bare ``id``, whose entity is that of the row holding it)."""
    key = norm(name)
    if key in NAMED_KEYS:
        return NAMED_KEYS[key]
    match = re.match(r"^(.+?)_(id|ids|uuid|key|code|num|number)$", key)
    if not match:
        return None
    stem, suffix = match.groups()
    if stem in NOT_KEYED or stem.startswith("x_") or len(stem) < 2:
        return None
    if suffix not in ("id", "ids", "uuid", "key") and (stem in NOT_ENTITIES or stem.split("_")[-1] in NOT_ENTITIES):
        return None
    return singular(stem)


def entity_column_of(table: Table, name: str) -> str | None:
    """The column of ``table`` a parameter or field names: itself, the key for ``id`` or ``<entity>_id``, the label
    for ``<entity>`` or ``<entity>_name``."""
    found = table.column(name)
    if found is not None:
        return found.name
    if norm(name) in ("id", f"{table.entity}_id", f"{table.entity}_key", f"{table.entity}_code"):
        return table.key
    return None


def column_name(name: str) -> str:
    """A column for a field: its own name when it is an identifier (SQL keywords included: every statement quotes
    column names, and the task generator finds a parameter's values by the column's name), else a snake_case
    form (``@odata.nextLink`` -> ``odata_next_link``)."""
    return name if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else normalize_name(name)


def python_name(name: str, taken: Iterable[str] = ()) -> str:
    """A Python identifier for a service's name: keywords and shadowed names get a trailing underscore."""
    base = name if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else normalize_name(name)
    while keyword.iskeyword(base) or base in ("self", "cls") or base in taken:
        base += "_"
    return base


# ------------------------------------------------------------------------------------------------- model
@dataclass
class Column:
    """A column of a table: its name (as tools return it), JSON shape and role."""

    name: str
    shape: Shape
    key: bool = False
    unique: bool = False
    #: The table whose key this column holds.
    ref: str | None = None
    #: Set from the episode clock by writes (a volatile column).
    stamp: bool = False
    #: Some write may leave it empty.
    nullable: bool = False
    #: Kept for the task generator's choice of consistent arguments, never returned: a range parameter's value
    #: that the row falls within (``derive``: the column it bounds and "min" or "max").
    hidden: bool = False
    derive: tuple[str, str] | None = None
    #: Seeded from 1 to this (a position among a few).
    domain: int | None = None

    @property
    def type(self) -> str:
        return self.shape.type

    @property
    def sql(self) -> str:
        return {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}.get(self.type, "TEXT")

    @property
    def document(self) -> bool:
        """Stored as JSON text (arrays and objects)."""
        return self.type in ("array", "object")


@dataclass
class Table:
    """A table of the world: one entity's rows."""

    name: str
    entity: str
    key: str
    columns: dict[str, Column] = field(default_factory=dict)
    #: The owning table (rows are made per parent row) and the column holding the parent's key.
    parent: str | None = None
    parent_column: str | None = None
    singleton: bool = False
    #: Rows only writes make (sessions, sent messages still get seeded rows unless this is set).
    empty: bool = False
    #: Users state this table's keys themselves (no tool lists them).
    known_key: bool = False
    #: Not the user's outcome (sessions).
    ungraded: bool = False
    rows: int = 40
    #: A time series: (the column naming the series, the date column); seeded as consecutive days per series.
    series: tuple[str, str] | None = None
    #: A column of small numbers (1 to GRID) that every parent row has a row at, for lists filtered by it.
    grid: str | None = None
    text: list[str] = field(default_factory=list)
    #: Tools whose results show this table's keys (for error messages).
    listers: list[str] = field(default_factory=list)

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (compared in normalized form)."""
        found = self.columns.get(name) or self.columns.get(column_name(name))
        if found is not None:
            return found
        wanted = norm(name)  # SQL names are case-insensitive too: nameServers is nameservers
        return next((c for c in self.columns.values() if norm(c.name) == wanted or
                     c.name.lower() == column_name(name).lower()), None)

    def add(self, name: str, shape: Shape, **flags: Any) -> Column:
        """The column ``name``, added when missing (an existing column keeps its shape)."""
        name = column_name(name)
        found = self.column(name)
        if found is None:
            found = Column(name, shape.model_copy(deep=True), **flags)
            self.columns[name] = found
        else:
            for flag, value in flags.items():
                if value and not getattr(found, flag):
                    setattr(found, flag, value)
            if found.type == shape.type:  # what a parameter demands of the values, the seeded rows must meet
                for limit in ("pattern", "minimum", "maximum", "max_length", "format"):
                    if getattr(shape, limit) is not None and getattr(found.shape, limit) is None:
                        setattr(found.shape, limit, getattr(shape, limit))
                if shape.enum and not found.shape.enum:
                    found.shape.enum = list(shape.enum)
        return found

    @property
    def label(self) -> str | None:
        """The column that names a row for a person."""
        for wanted in (*LABELS, self.entity, f"{self.entity}_name", f"{self.entity}_title"):
            column = self.column(wanted)
            if column is not None and column.type == "string" and not column.key and not column.hidden and not (
                    wanted not in LABELS and is_text_name(column.name)):  # a message's text names no message
                return column.name
        return next((c.name for c in self.columns.values() if c.unique and c.type == "string" and not c.key), None)


@dataclass
class Arg:
    """A parameter of a tool and what the body does with it."""

    param: Param
    py: str
    #: key (locates the row), parent (locates the owner), filter, min, max, query, limit, offset, page, cursor,
    #: sort, direction, value (stored), new (stored into ``column``), option (presentation), token, only, include,
    #: credential
    role: str
    column: str | None = None
    #: The table a key or parent argument locates a row of.
    table: str | None = None

    @property
    def name(self) -> str:
        return self.param.name


@dataclass
class Out:
    """A field of a tool's result and where its value comes from.

    ``source``: column (of the row), param (the argument echoed), rows (the listed rows), values (a column of the
    listed rows), children (rows under the row), ids (keys of rows under the row), count (rows under the row),
    total / shown / cursor / more / page / pages (of a list), flag (true once a write is done), message, token.
    """

    name: str
    shape: Shape
    source: str
    table: str | None = None
    column: str | None = None
    arg: str | None = None


@dataclass
class ToolPlan:
    """How one operation becomes a tool."""

    op: Operation
    method: str
    kind: str
    noun: str
    verb: str | None
    #: The words of the name after any shared prefix and the verb.
    words: list[str] = field(default_factory=list)
    table: Table | None = None
    #: The row an argument locates (the anchor), when the tool's rows are under it or are it.
    anchor: Table | None = None
    args: list[Arg] = field(default_factory=list)
    #: For lists: the table of the rows listed, and the result field holding them ("" for a bare list).
    rows_table: Table | None = None
    rows_field: str | None = None
    #: For transitions: the column and the state it is set to.
    state_column: str | None = None
    state_value: Any = None
    returns: Shape = field(default_factory=lambda: Shape(type="object"))
    #: The result's fields (empty for a bare list or value).
    outs: list[Out] = field(default_factory=list)
    #: The result is a bare list of rows (or of one column's values), or one row, when the description gave none.
    bare: str | None = None

    def arg(self, role: str) -> Arg | None:
        return next((a for a in self.args if a.role == role), None)

    def roles(self, *roles: str) -> list[Arg]:
        return [a for a in self.args if a.role in roles]


@dataclass
class Model:
    spec: ApiSpec
    tables: dict[str, Table]
    plans: list[ToolPlan]
    #: Name of the single-row table of the service's own state, if any.
    singleton: str | None = None
    #: The login tool's account table and the session table, if the service has a login.
    accounts: str | None = None
    sessions: str | None = None
    #: States each (table, column) is set to by transitions (seeded rows mostly start elsewhere).
    states: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- analysis
def shape_of(text: str) -> Shape:
    return Shape(type=text)


STRING, INTEGER, NUMBER, BOOLEAN = (shape_of(t) for t in ("string", "integer", "number", "boolean"))


def is_object_array(shape: Shape) -> bool:
    return shape.type == "array" and shape.items is not None and shape.items.type == "object"


def is_scalar(shape: Shape) -> bool:
    return shape.type in ("string", "integer", "number", "boolean")


def common_prefix(names: list[str]) -> str:
    """A first word most operation names share (``notion_``, ``lol_``), dropped when reading verbs and nouns."""
    if len(names) < 2:
        return ""
    firsts = [words(n)[0] for n in names if words(n)]
    best = max(set(firsts), key=firsts.count)
    if firsts.count(best) >= max(2, (len(names) + 1) // 2) and best not in READ_VERBS | CREATE_VERBS | \
            UPDATE_VERBS | DELETE_VERBS | set(TRANSITIONS):
        return best
    return ""


class Analyzer:
    """Reads an ApiSpec into a :class:`Model`: tables, columns and one plan per operation."""

    def __init__(self, spec: ApiSpec, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(f"{spec.name}:{seed}")
        self.tables: dict[str, Table] = {}
        self.by_entity: dict[str, str] = {}
        self.prefix = common_prefix([op.name for op in spec.operations])
        self.notes: list[str] = []
        self.param_names = {p.name for op in spec.operations for p in op.params}
        #: Tables whose rows results show without naming their fields -> words of the tools showing them.
        self.open: dict[str, set[str]] = {}
        #: One JSON type per column name across the service (parameters win over results).
        self.types = self._types()
        self.model = Model(spec, self.tables, [])

    # ------------------------------------------------------------------ types
    def _types(self) -> dict[str, str]:
        """Parameters and results sometimes disagree on an identifier's type (``meeting_id`` a string in, an
        integer out): one type per normalized name, that of the parameters."""
        seen: dict[str, list[str]] = {}
        for op in self.spec.operations:
            for param in op.params:
                if is_scalar(param.shape):
                    seen.setdefault(norm(param.name), []).insert(0, param.shape.type)
                elif param.shape.type == "array" and param.shape.items is not None and is_scalar(param.shape.items):
                    seen.setdefault(norm(singular(param.name)), []).append(param.shape.items.type)
        return {name: kinds[0] for name, kinds in seen.items()}

    def canonical(self, name: str, shape: Shape) -> Shape:
        """``shape`` with the service-wide type of ``name`` where that is a scalar of another type."""
        wanted = self.types.get(norm(name))
        if wanted and is_scalar(shape) and shape.type != wanted and {shape.type, wanted} != {"integer", "number"}:
            if shape.type != "boolean" and wanted != "boolean":
                self.notes.append(f"{name} is a {wanted} everywhere (the description also gives it as {shape.type})")
                return Shape(type=wanted, description=shape.description)
        return shape

    # ----------------------------------------------------------------- tables
    def table(self, entity: str, key: str | None = None, key_shape: Shape | None = None) -> Table:
        """The table of ``entity``, made on first use (keyed by ``key``, or ``<entity>_id``)."""
        entity = normalize_name(entity)
        compact = entity.replace("_", "")
        for known, name in self.by_entity.items():  # task_list and tasklist are one entity
            if known == entity or known.replace("_", "") == compact:
                return self.tables[name]
        name = plural(entity)
        if name in self.tables or name in ("sessions",):
            name = f"{entity}_rows"
        key = key or f"{entity}_id"
        if norm(key) in SQL_RESERVED or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            key = f"{entity}_key"
        shape = key_shape or Shape(type=self.types.get(norm(key), "string"))
        table = Table(name, entity, key)
        table.columns[key] = Column(key, shape, key=True, unique=True)
        table.rows = self.rng.randint(30, 60)
        self.tables[name] = table
        self.by_entity[entity] = name
        return table

    def entity_of_id(self, name: str) -> Table | None:
        stem = id_stem(name)
        return self.table(stem, key=name) if stem else None

    # ------------------------------------------------------------------ verbs
    def op_words(self, op: Operation) -> list[str]:
        found = words(op.name)
        if self.prefix and found[:1] == [self.prefix] and len(found) > 1:
            found = found[1:]
        return found

    def verb_and_noun(self, op: Operation) -> tuple[str | None, str]:
        found = self.op_words(op)
        verb = found[0] if found else None
        known = READ_VERBS | CREATE_VERBS | UPDATE_VERBS | DELETE_VERBS | set(TRANSITIONS) | LOGIN_VERBS | \
            LOGOUT_VERBS
        if op.path and verb in HTTP_VERBS and len(found) > 2 and found[-1] in known - HTTP_VERBS:
            # post_loans_loan_id_renew (POST /loans/{loanId}/renew): the action is the path's last word
            verb, found = found[-1], [found[-1], *found[1:-1]]
        if verb not in known:
            if len(found) > 1 and "_".join(found[:2]) in LOGIN_VERBS | LOGOUT_VERBS:
                verb, found = "_".join(found[:2]), found[1:]
            else:
                verb, found = None, [None, *found]
        rest = [w for w in found[1:] if w and w not in NOUN_STOP and w not in ("id", "ids")]
        rest = [w for i, w in enumerate(rest) if i == 0 or singular(w) != singular(rest[i - 1])]
        # "get_pull_request_by_number": the noun is before "by"
        if "by" in found[1:]:
            head = found[1:found.index("by")]
            rest = [w for w in head if w and w not in NOUN_STOP] or rest
        noun = "_".join(singular(w) for w in rest[-2:]) if rest else ""
        return verb, noun

    def kind_of(self, op: Operation, verb: str | None) -> str:
        """read, create, update, delete, transition, login or logout."""
        if verb in LOGIN_VERBS:
            return "login"
        if verb in LOGOUT_VERBS:
            return "logout"
        hinted = op.read_only
        if hinted is None and op.method:
            hinted = op.method.upper() in ("GET", "HEAD", "OPTIONS")
        if verb in DELETE_VERBS or (op.method or "").upper() == "DELETE":
            return "delete"
        if verb in TRANSITIONS and hinted is not True:
            return "transition"
        if verb in CREATE_VERBS and hinted is not True:
            return "create"
        if verb in UPDATE_VERBS and hinted is not True:
            return "update"
        if hinted is False:
            return "create" if (op.method or "").upper() == "POST" else "update"
        return "read"

    # ---------------------------------------------------------------- roles
    def is_key_param(self, param: Param) -> bool:
        """A parameter naming one row (or, as an array, several rows) by an identifier."""
        shape = param.shape.items if param.shape.type == "array" and param.shape.items else param.shape
        return is_scalar(shape) and shape.type != "boolean" and id_stem(singular(param.name) if
                                                                       param.shape.type == "array" else
                                                                       param.name) is not None

    def entity_column(self, table: Table, name: str) -> str | None:
        return entity_column_of(table, name)

    def output_column(self, table: Table, name: str) -> str | None:
        """The column a result field shows (a hidden column a result names is shown from then on)."""
        column = entity_column_of(table, name)
        if column is not None:
            table.columns[column].hidden = False
        return column

    def label_of(self, table: Table) -> str:
        """The table's label column, ``name`` added when it has none."""
        label = table.label
        if label is None:
            kind = table.entity.split("_")[-1]
            label = "subject" if kind in ("message", "email", "mail", "thread", "conversation", "chat") else \
                "title" if kind in ("task", "event", "issue", "page", "document", "note", "post", "article", "story",
                                    "book", "movie", "job", "ticket", "video", "song", "paper", "listing", "project",
                                    "course", "comment", "review", "recording", "meeting") else "name"
            table.add(label, STRING, unique=True)
        return label

    def noun_table(self, noun: str, fallback: str) -> Table:
        """The table an operation's noun names: an existing entity named by one of its words (longest match
        first), else a new one."""
        parts = [p for p in noun.split("_") if p]
        compact = {entity.replace("_", ""): entity for entity in self.by_entity}
        for size in range(len(parts), 0, -1):
            for start in range(len(parts) - size, -1, -1):
                candidate = "".join(parts[start:start + size])  # "task_list" is the tasklist of tasklist_id
                if candidate in compact:
                    return self.tables[self.by_entity[compact[candidate]]]
        return self.table(noun or fallback)

    def known_noun(self, noun: str) -> bool:
        """Whether a word of ``noun`` names a table already."""
        parts = noun.split("_")
        compact = {entity.replace("_", "") for entity in self.by_entity}
        return any("".join(parts[i:j]) in compact for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))

    def singleton_table(self) -> Table:
        """The single-row table of the service's own state."""
        if self.model.singleton is None:
            base = re.sub(r"(Server|Service|Api|API|Mcp|MCP|Processor|Platform|System|Manager|Management|Bot|"
                          r"Control|Controller|Client)$", "", self.spec.name) or self.spec.name
            entity = normalize_name(base) or "service"
            if entity in self.by_entity:
                entity = f"{entity}_state"
            table = self.table(entity)
            table.singleton, table.rows = True, 1
            self.model.singleton = table.name
        return self.tables[self.model.singleton]

    def accounts_table(self) -> Table:
        """The accounts a login checks (the table of users when the service has one)."""
        if self.model.accounts is None:
            existing = next((t for t in self.tables.values() if t.entity in ("user", "account", "customer",
                                                                               "member", "client")), None)
            table = existing or self.table("account")
            self.model.accounts = table.name
            sessions = Table("sessions", "session", "token", ungraded=True, empty=True)
            sessions.columns["token"] = Column("token", STRING, key=True, unique=True)
            sessions.columns["account"] = Column("account", table.columns[table.key].shape, ref=table.name)
            sessions.columns["created_at"] = Column("created_at", STRING, stamp=True)
            self.tables["sessions"] = sessions
            self.model.sessions = "sessions"
        return self.tables[self.model.accounts]

    @staticmethod
    def flag_column(table: Table, name: str) -> str:
        """A true/false column called ``name`` (``is_<name>`` when ``name`` holds something else)."""
        found = table.column(name)
        if found is not None and found.type != "boolean":
            name = f"is_{normalize_name(name)}"
        return table.add(name, BOOLEAN).name

    def bounded(self, table: Table, name: str, bound: str, column: str) -> str:
        """``column``, which the range parameter ``name`` bounds; the table keeps a hidden column of that name whose
        seeded values the row falls within, so a task's window can be taken from one row."""
        if norm(name) != norm(column) and table.column(name) is None:
            table.columns[name] = Column(name, table.columns[column].shape.model_copy(), hidden=True,
                                         derive=(column, bound))
        return column

    def filter_role(self, param: Param, table: Table, kind: str,
                    siblings: frozenset[str] = frozenset()) -> tuple[str, str | None]:
        """(role, column) of a non-key parameter of a read over ``table`` (``siblings``: the tool's other
        parameters, for start/end pairs)."""
        name, key = param.name, norm(param.name)
        shape = param.shape
        if key in TOKEN_PARAMS and self.model.accounts:
            return "token", None
        if key.startswith("x_"):
            return "option", None  # X-Request-Id and other headers
        if key in QUERY_PARAMS and shape.type == "string":
            label = self.label_of(table)
            if table.column(name) is None:  # a term each row is found by, for the task generator to search with
                table.columns[name] = Column(name, STRING, hidden=True, derive=(label, "term"))
            return "query", None
        if key in PRESENTATION:
            return "option", None
        if key in SORT_PARAMS and shape.type == "string":
            return "sort", None
        if key in DIRECTION_PARAMS and shape.type in ("string", "boolean"):
            return "direction", None
        if kind == "list":
            if key in CURSOR_PARAMS or (key in OFFSET_PARAMS and shape.type == "string"):
                return "cursor", None
            if key in OFFSET_PARAMS and shape.type == "integer":
                return "offset", None
            if key in PAGE_PARAMS and shape.type in ("integer", "string"):
                return "page", None
            if key in LIMIT_PARAMS or key.startswith(("max_", "num_")) and key[4:] in (table.name, table.entity) \
                    or key in (f"max_{norm(table.name)}", f"max_{table.entity}s"):
                if shape.type in ("integer", "string", "number"):
                    return "limit", None
        if shape.type == "boolean" and table.column(name) is not None and table.column(name).type != "boolean":
            return "option", None  # "title": true searches titles only; the rows are those the query finds
        if shape.type == "boolean":
            match = re.match(r"^(?:include|show|with)_(.+)$", key)
            if match:
                return "include", self.flag_column(table, match.group(1))
            match = re.match(r"^(.+)_only$|^only_(.+)$", key)
            if match:
                return "only", self.flag_column(table, match.group(1) or match.group(2))
            return "filter", self.flag_column(table, name)
        date_kind = "max" if key in DATE_MAX else "min" if key in DATE_MIN else pair_bound(key, siblings)
        if date_kind and shape.type in ("string", "integer", "number") and (
                key in DATE_MAX | DATE_MIN or is_time_name(name) or re.search(r"date|time|day", key)):
            return date_kind, self.bounded(table, name, date_kind, self.date_column(table, key, shape))
        if shape.type == "integer" and key in PARTY_PARAMS:
            # how many people: rows that can take at least that many
            return "min", table.add(f"max_{name}", INTEGER).name
        if key in DISTANCE_PARAMS and shape.type in ("integer", "number"):
            return "max", self.bounded(table, name, "max", table.add("distance", NUMBER).name)
        for pattern, bound in RANGES:
            match = pattern.match(key)
            if match and shape.type in ("integer", "number", "string"):
                stem = match.group(1)
                existing = self.entity_column(table, stem) or self.entity_column(table, singular(stem))
                timed = bool(re.search(r"date|time|created|updated|due", stem))
                if shape.type == "string" and not timed:
                    continue
                column = existing or table.add(stem, self.canonical(stem, Shape(type=shape.type))).name
                return bound, self.bounded(table, name, bound, column)
        if shape.type == "array":
            item = shape.items or STRING
            if not is_scalar(item):
                return "option", None
            base = singular(name)
            column = self.entity_column(table, base) or self.entity_column(table, name)
            if column is None:
                column = table.add(base, self.canonical(base, item)).name
            return "any", column
        if shape.type == "object":
            return "option", None
        column = self.entity_column(table, name)
        if column is None:
            owner = self.entity_of_id(name) if id_stem(name) and is_scalar(shape) else None
            column = table.add(name, self.canonical(name, shape), ref=owner.name if owner is not None and
                               owner is not table else None).name
        return "filter", column

    def date_column(self, table: Table, key: str, shape: Shape) -> str:
        """The column a date bound filters: named alike (``created_at_min`` -> created_at), else the table's
        first date or time column, else a new ``date``."""
        stem = re.sub(r"^(?:min|max|from|to|start|end|since|until|after|before|begin|filter_date)_|"
                      r"_(?:min|max|from|to|after|before)$", "", key)
        for candidate in (stem, f"{stem}_at", f"{stem}_date", f"{stem}_time"):
            found = table.column(candidate)
            if found is not None and found.type in ("string", "integer", "number") and not found.key:
                return found.name
        for column in table.columns.values():
            if is_time_name(column.name) and column.type == ("string" if shape.type == "string" else column.type):
                return column.name
        name = "date" if "date" in key or shape.type != "string" else "timestamp"
        if shape.type == "string" and "time" not in key:
            name = "date"
        return table.add(name, Shape(type=shape.type)).name

    # ---------------------------------------------------------------- planning
    def analyze(self) -> Model:
        ops = self.spec.operations
        heads = [(op, *self.verb_and_noun(op)) for op in ops]
        kinds = {op.name: self.kind_of(op, verb) for op, verb, _ in heads}
        for op in ops:  # parameters first: a key column is spelled as the tools taking it spell it
            for param in op.params:
                if self.is_key_param(param):
                    self.entity_of_id(singular(param.name) if param.shape.type == "array" else param.name)
        for op in ops:
            for name, shape in op.returns.fields.items():
                if is_scalar(shape) or (shape.type == "array" and shape.items is not None and
                                        is_scalar(shape.items) and norm(name).endswith("_ids")):
                    self.entity_of_id(singular(name) if shape.type == "array" else name)
        if "login" in kinds.values():
            self.accounts_table()
        methods: set[str] = set()
        plans = []
        for op, verb, noun in heads:
            plans.append(ToolPlan(op, self.method_name(op, methods), kinds[op.name], noun, verb,
                                  self.op_words(op)[1 if verb else 0:]))
            methods.add(plans[-1].method)
        # reads that return one row's fields first: their fields say what the columns are (a "title" is text
        # before a search's "title" flag is read)
        for plan in sorted(plans, key=lambda p: (p.kind != "read", -sum(is_scalar(s) for s in
                                                                         p.op.returns.fields.values()))):
            self.plan(plan)
            self.model.plans.append(plan)
        self.model.plans.sort(key=plans.index)
        self.finish()
        self.model.notes = list(dict.fromkeys(self.notes))
        return self.model

    def method_name(self, op: Operation, taken: set[str]) -> str:
        """The Python method of a tool: the service's name where it is a free identifier (else ``@tool(name=)``
        keeps the service's name)."""
        base = op.name if re.match(r"^[A-Za-z][A-Za-z0-9_]*$", op.name) else normalize_name(op.name)
        if base in RESERVED_METHODS or base.startswith("_"):
            base = f"{normalize_name(base)}_tool"
        while base in taken or base in RESERVED_METHODS:
            base += "_"
        return base

    def anchor_param(self, plan: ToolPlan) -> Param | None:
        """The required identifier naming the row a tool is about: the one naming the tool's noun, else the
        last (``get_task(task_id, tasklist_id)`` is about the task; ``get_usage(customer_id, line_id)`` the line)."""
        keys = [p for p in plan.op.params if p.required and p.shape.type != "array" and self.is_key_param(p)]
        if not keys:
            return None
        nouns = set(plan.noun.split("_")) | {plan.noun}
        named = [p for p in keys if id_stem(p.name) in nouns]
        return (named or keys)[-1]

    def plan(self, plan: ToolPlan) -> None:
        op = plan.op
        names: set[str] = set()
        anchor_param = self.anchor_param(plan)
        plan.anchor = self.entity_of_id(anchor_param.name) if anchor_param else None
        token = next((p for p in op.params if norm(p.name) in TOKEN_PARAMS), None)
        if plan.anchor is None and token is not None and self.model.accounts and plan.kind != "login":
            plan.anchor = self.tables[self.model.accounts]
        for param in op.params:
            py = python_name(param.name, names | BODY_NAMES)
            names.add(py)
            plan.args.append(Arg(param, py, "", None))
        if plan.kind == "login":
            self.plan_login(plan)
        elif plan.kind == "logout":
            plan.table = self.tables[self.model.sessions] if self.model.sessions else self.accounts_table()
            for arg in plan.args:
                arg.role = "token" if norm(arg.name) in TOKEN_PARAMS else "option"
            self.outputs(plan, plan.table, write=True)
        elif plan.kind == "read":
            self.plan_read(plan, anchor_param)
        else:
            self.plan_write(plan, anchor_param)

    # ------------------------------------------------------------------ reads
    def plan_read(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        op = plan.op
        fields = op.returns.fields if op.returns.type == "object" else {}
        params = {norm(p.name) for p in op.params}
        arrays = [f for f, s in fields.items() if is_object_array(s)]
        value_arrays = [f for f, s in fields.items() if s.type == "array" and is_scalar(s.items or STRING)]
        substantive = [f for f, s in fields.items() if is_scalar(s) and not envelope(f) and norm(f) not in params] \
            + [f for f, s in fields.items() if s.type == "object" or (s.type == "array" and s.items is not None
                                                                       and s.items.type == "array")]
        listy = plan.verb in ("list", "search", "find", "browse", "query", "ls", "grep", "explore", "discover") or \
            plural_word(self.op_words(op)[-1] if self.op_words(op) else "")
        status_read = plan.noun.endswith(("login_status", "auth_status")) or norm(op.name).endswith(
            ("login_status", "is_logged_in", "auth_status"))
        if status_read and self.model.sessions:
            plan.kind, plan.table = "session", self.tables[self.model.sessions]
            for arg in plan.args:
                arg.role = "token" if norm(arg.name) in TOKEN_PARAMS else "option"
            self.outputs(plan, self.accounts_table(), write=False)
            return
        if op.returns.type == "array" or (arrays and not substantive) or (not fields and listy) or \
                (value_arrays and not arrays and not substantive and len(fields) - len(value_arrays) <= 2):
            self.plan_list(plan, anchor_param, fields, arrays, value_arrays)
            return
        optional_key = next((p for p in op.params if not p.required and self.is_key_param(p) and
                             p.shape.type != "array"), None)
        if plan.anchor is not None:
            plan.kind, plan.table = "get", plan.anchor
        else:
            plan.kind = "lookup"
            required = [p for p in op.params if p.required]
            if required:
                plan.table = self.lookup_table(plan)
            elif optional_key is not None:  # taxi_query_order(order_id=None): that order, else the first
                plan.table = self.entity_of_id(optional_key.name)
            else:
                plan.table = self.singleton_table()
        self.locate(plan, anchor_param)
        for arg in plan.args:
            if arg.role:
                continue
            if plan.table.singleton:
                column = self.entity_column(plan.table, arg.name)
                arg.role, arg.column = ("filter", column) if column else ("option", None)
                continue
            arg.role, arg.column = self.filter_role(arg.param, plan.table, "get", self.siblings(plan))
            if arg.role in ("limit", "offset", "page", "cursor"):
                arg.role = "child_limit" if arg.role == "limit" else "option"
        self.outputs(plan, plan.table, write=False)

    @staticmethod
    def siblings(plan: ToolPlan) -> frozenset[str]:
        return frozenset(norm(a.name) for a in plan.args)

    def lookup_table(self, plan: ToolPlan) -> Table:
        """The table a read without identifier looks a row up in: that of an earlier lookup by the same required
        parameters, or the rows a search by the same parameters lists, else its noun's."""
        required = tuple(sorted(norm(p.name) for p in plan.op.params if p.required))
        for other in self.model.plans:
            if other.kind == "lookup" and other.table is not None and not other.table.singleton and tuple(sorted(
                    norm(p.name) for p in other.op.params if p.required)) == required:
                return other.table
        for op in self.spec.operations:  # search_arxiv finds what search_metadata lists
            listed = [f for f, s in op.returns.fields.items() if is_object_array(s) and norm(f) not in GENERIC_ARRAYS]
            if op is not plan.op and listed and required and tuple(sorted(
                    norm(p.name) for p in op.params if p.required)) == required:
                return self.table(singular(norm(listed[0])))
        fields = plan.op.returns.fields
        keyed = [self.entity_of_id(f) for f, s in fields.items() if is_scalar(s) and id_stem(f)]
        nouns = set(plan.noun.split("_"))
        found = next((t for t in keyed if t.entity in nouns), keyed[0] if keyed else None)
        if found is not None:
            return found
        if len(required) == 1 and not self.known_noun(plan.noun) and plan.noun:
            param = next(p for p in plan.op.params if p.required)
            if is_scalar(param.shape) and norm(param.name) not in SQL_RESERVED and re.match(
                    r"^[A-Za-z_][A-Za-z0-9_]*$", param.name):
                return self.table(plan.noun, key=param.name, key_shape=self.canonical(param.name, param.shape))
        return self.noun_table(plan.noun, "record")

    def locate(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        """Mark the arguments naming the row (the anchor's key, its owners' keys, a token)."""
        for arg in plan.args:
            key = norm(arg.name)
            if anchor_param is not None and arg.param is anchor_param:
                arg.role, arg.table, arg.column = "key", plan.anchor.name, plan.anchor.key
            elif key in TOKEN_PARAMS and self.model.accounts:
                arg.role = "token"
            elif arg.param.required and arg.param.shape.type != "array" and self.is_key_param(arg.param) and \
                    plan.anchor is not None:
                owner = self.entity_of_id(arg.name)
                if owner is plan.anchor:
                    continue
                arg.role, arg.table = "parent", owner.name
                arg.column = plan.anchor.add(arg.name, owner.columns[owner.key].shape, ref=owner.name).name
                if plan.anchor.parent is None and owner is not plan.anchor:
                    plan.anchor.parent, plan.anchor.parent_column = owner.name, arg.column
            elif arg.param.required and is_scalar(arg.param.shape) and plan.anchor is not None and \
                    plan.kind in ("read", "list") and plan.anchor.column(arg.name) is not None and \
                    not plan.anchor.column(arg.name).key and anchor_param is not None and \
                    not (plan.kind == "list" and arg.param.shape.type == "integer"):
                # owner and repo name a pull request's repository: checked on the pull request
                arg.role, arg.table, arg.column = "match", plan.anchor.name, plan.anchor.column(arg.name).name

    def plan_list(self, plan: ToolPlan, anchor_param: Param | None, fields: dict[str, Shape], arrays: list[str],
                  value_arrays: list[str]) -> None:
        op = plan.op
        plan.kind = "list"
        if op.returns.type == "array":
            plan.rows_field = ""
            items = op.returns.items or STRING
            if not is_scalar(items):
                table = self.noun_table(plan.noun, "record")
            else:
                table, column = self.values_table(plan, singular(plan.noun or "value"), items)
                plan.state_column = column
        elif arrays:
            nouns = {plan.noun, *plan.noun.split("_")}
            field_name = next((f for f in arrays if singular(norm(f)) in nouns), None) or next(
                (f for f in arrays if singular(norm(f)) in self.by_entity), arrays[0])
            plan.rows_field = field_name
            table = self.rows_table(plan, field_name)
        elif value_arrays:
            field_name = value_arrays[0]
            plan.rows_field = field_name
            item = fields[field_name].items or STRING
            table, column = self.values_table(plan, singular(norm(field_name)), item)
            plan.state_column = column
        else:
            plan.rows_field = ""
            table = self.noun_table(plan.noun, "record")
        if plan.anchor is not None and table is not plan.anchor:
            column = table.add(plan.anchor.key if plan.anchor.name == self.model.accounts else
                               (anchor_param.name if anchor_param else plan.anchor.key),
                               plan.anchor.columns[plan.anchor.key].shape, ref=plan.anchor.name)
            if table.parent is None:
                table.parent, table.parent_column = plan.anchor.name, column.name
        plan.rows_table = table
        plan.table = table
        self.locate(plan, anchor_param)
        for arg in plan.args:
            if arg.role == "key":
                arg.role, arg.column = "parent", table.column(anchor_param.name).name if anchor_param and \
                    table.column(anchor_param.name) else table.parent_column
            if not arg.role:
                arg.role, arg.column = self.filter_role(arg.param, table, "list", self.siblings(plan))
        same = [a for a in plan.args if a.role == "filter" and a.param.required and a.column]
        window = [a for a in plan.args if a.role in ("min", "max") and a.column and is_time_name(a.column)]
        if same and window and table.series is None and not table.parent:
            table.series = (same[0].column, window[0].column)  # prices of a ticker, day after day
        slots = [a for a in same if table.columns[a.column].type == "integer" and plan.anchor is not None and
                 table.parent == plan.anchor.name and plan.anchor.column(a.column) is not None]
        if slots and table.grid is None:
            # compare_price(pid, pos): every product has rows at each of a few positions
            table.grid = slots[0].column
            for owner in (table, plan.anchor):
                owner.columns[slots[0].column].domain = GRID
        if any(a.role == "query" for a in plan.args):
            plan.kind = "search"
            label = self.label_of(table)
            table.text = list(dict.fromkeys([*table.text, label, *(c.name for c in table.columns.values() if
                                                                    is_text_name(c.name) and c.type == "string")]))
        self.outputs(plan, table, write=False)

    def rows_table(self, plan: ToolPlan, field_name: str) -> Table:
        """The table whose rows a list result's array holds."""
        key = norm(field_name)
        if key in GENERIC_ARRAYS or singular(key) in GENERIC_ARRAYS:
            signature = self.signature(plan)
            for other in self.model.plans:  # get_stock_ohlcv and get_stock_market_cap list one kind of row
                if signature and other.kind in ("list", "search") and other.rows_table is not None and \
                        other.rows_field and norm(other.rows_field) in GENERIC_ARRAYS and \
                        self.signature(other) == signature:
                    return other.rows_table
            return self.noun_table(plan.noun, "record") if plan.noun else (plan.anchor or self.table("record"))
        entity = singular(key)
        if self.known_noun(entity) and entity.replace("_", "") in {e.replace("_", "") for e in self.by_entity}:
            return self.table(entity)
        if plan.anchor is not None and entity.startswith(plan.anchor.entity + "_") and \
                entity[len(plan.anchor.entity) + 1:] in self.by_entity:
            return self.tables[self.by_entity[entity[len(plan.anchor.entity) + 1:]]]
        return self.table(entity)

    @staticmethod
    def signature(plan: ToolPlan) -> tuple[str, ...]:
        return tuple(sorted(norm(p.name) for p in plan.op.params if p.required))

    def values_table(self, plan: ToolPlan, value: str, item: Shape) -> tuple[Table, str]:
        """(table, column) whose distinct values a list of scalars shows (``categories`` -> the category of the
        products, ``sheet_names`` -> the sheets' names, ``airport_codes`` -> the airports' keys)."""
        stem = id_stem(value)
        if stem:
            table = self.table(stem, key=value)
            return table, table.key
        preferred = [self.tables[self.by_entity[e]] for e in (plan.noun, *plan.noun.split("_")) if e in self.by_entity]
        if plan.anchor is not None:
            preferred += [t for t in self.tables.values() if t.parent == plan.anchor.name]
        for table in [*preferred, *self.tables.values()]:
            column = self.entity_column(table, value)
            if column is not None and not table.ungraded:
                return table, column
        base = value.removeprefix(plan.noun + "_") if plan.noun else value
        table = self.noun_table(plan.noun, base) if plan.noun else self.table(base)
        column = self.entity_column(table, base) or table.add(base, self.canonical(base, item)).name
        return table, column

    # ----------------------------------------------------------------- writes
    def plan_write(self, plan: ToolPlan, anchor_param: Param | None) -> None:
        op = plan.op
        noun = plan.noun or (VERB_NOUNS.get(plan.verb or "", "") if plan.kind == "create" else "")
        anchor = plan.anchor
        required_plain = [p for p in op.params if p.required and is_scalar(p.shape) and not self.is_key_param(p)
                          and norm(p.name) not in TOKEN_PARAMS]
        if plan.kind == "create":
            shown = [self.entity_of_id(f) for f, s in op.returns.fields.items() if is_scalar(s) and id_stem(f)]
            nouns = set(noun.split("_"))
            made = next((t for t in shown if t is not anchor and t.entity in nouns), None) or next(
                (t for t in shown if t is not anchor), None)  # borrowBook(bookId) returns the loan it makes
            table = made or (self.noun_table(noun, plan.verb or "record") if noun else (
                self.table(f"{anchor.entity}_{plan.verb}") if anchor and plan.verb else self.table("record")))
            if table is anchor and anchor is not None:
                others = [p for p in op.params if p.required and p is not anchor_param and
                          norm(p.name) not in TOKEN_PARAMS]
                keyed = [p for p in others if self.is_key_param(p) and p.shape.type != "array"]
                if plan.verb in GENERIC_CREATES and others and len(keyed) < len(others):
                    plan.anchor = anchor = anchor_param = None  # addBook(isbn, title...): the caller names the book
                elif keyed:  # add_to_list(list_id, work_id): a work on the list
                    table = self.table(f"{anchor.entity}_{self.entity_of_id(keyed[0].name).entity}")
                elif plan.verb in VERB_NOUNS and plan.verb not in GENERIC_CREATES:
                    table = self.table(VERB_NOUNS[plan.verb])
                else:  # save_job(job_id): a saved job
                    table = self.table(f"{past(plan.verb or 'record')}_{anchor.entity}")
            plan.table = table
        elif anchor is not None and anchor.entity not in noun.split("_") and self.known_noun(noun) and not (
                anchor.name == self.model.accounts and noun in ("user", "account", "profile")):
            plan.table = self.noun_table(noun, "record")
        elif anchor is not None:
            plan.table = anchor
        elif required_plain and noun:
            plan.table = self.noun_table(noun, "record")
        elif required_plain:
            plan.table = self.lookup_table(plan)
        elif plan.kind == "delete":  # the service's own state is never deleted: delete_entities removes entities
            plan.table = self.noun_table(noun or "record", "record")
        else:
            plan.table = self.singleton_table()
        table = plan.table
        self.locate(plan, anchor_param)
        if anchor is not None and table is not anchor:
            column = table.add(anchor_param.name if anchor_param else anchor.key,
                               anchor.columns[anchor.key].shape, ref=anchor.name)
            if table.parent is None:
                table.parent, table.parent_column = anchor.name, column.name
            for arg in plan.args:
                if arg.role == "key":
                    arg.role, arg.column = "parent", column.name
        if plan.kind != "create" and not table.singleton and anchor is None or (
                plan.kind != "create" and anchor is not None and table is not anchor and required_plain):
            locator = next((a for a in plan.args if a.param in required_plain and not norm(a.name).startswith(
                ("new_", "old_"))), None)
            if locator is not None:
                locator.role = "locate"
                locator.column = self.entity_column(table, locator.name) or table.add(
                    locator.name, self.canonical(locator.name, locator.param.shape)).name
        if plan.kind == "transition":
            self.plan_state(plan, table)
        if plan.kind == "delete" and not any(a.role in ("key", "locate", "parent", "token") for a in plan.args):
            self.plan_purge(plan, table)
        if plan.kind == "create":
            self.plan_batch(plan, table)
        for arg in plan.args:
            if arg.role:
                continue
            key = norm(arg.name)
            if key in TOKEN_PARAMS and self.model.accounts:
                arg.role = "token"
            elif key in PRESENTATION or key.startswith("x_") or plan.kind == "delete":
                # a header says nothing about the row; a delete removes the row whatever else is said
                arg.role = "option"
            elif key in PRESENTATION:
                arg.role = "option"
            elif self.is_key_param(arg.param):
                owner = self.entity_of_id(singular(arg.name) if arg.param.shape.type == "array" else arg.name)
                if owner is table and arg.param.shape.type != "array":
                    # the row's own key: chosen by the caller in a create, narrowing the rows acted on otherwise
                    arg.role, arg.column = ("value" if plan.kind == "create" else "narrow"), table.key
                    continue
                arg.role, arg.table = "ref", owner.name
                shape = self.canonical(arg.name, arg.param.shape)
                arg.column = table.add(arg.name, shape, ref=owner.name, nullable=not arg.param.required).name
            else:
                target = re.sub(r"^(?:new|updated|set)_", "", key) if key.startswith(("new_", "updated_", "set_")) \
                    else arg.name
                column = self.entity_column(table, target)
                if column is not None and not same_kind(table.columns[column].shape, arg.param.shape):
                    # a text address beside the address object, a completion date beside a completed flag
                    target, column = f"{target}_{'text' if arg.param.shape.type == 'string' else 'value'}", None
                arg.role = "value"
                arg.column = column or table.add(target, self.canonical(target, arg.param.shape),
                                                 nullable=not arg.param.required).name
        if plan.kind == "update" and plan.verb in INCREMENTS:
            self.plan_increment(plan, table)
        if plan.kind == "update" and not any(a.role in ("value", "ref", "amount") for a in plan.args):
            # nothing to set: "mark_message_read" moves the message to the state its name says
            rest = [w for w in plan.words if w not in table.entity.split("_") and w not in NOUN_STOP]
            plan.kind = "transition"
            self.plan_state(plan, table, rest[-1] if rest else past(plan.verb or "done"))
        self.outputs(plan, table, write=True)

    def plan_batch(self, plan: ToolPlan, table: Table) -> None:
        """``create_entities(entities=[...])``: a list of objects named like the table makes one row per object
        (their fields are columns)."""
        for arg in plan.args:
            shape = arg.param.shape
            if arg.role or not arg.param.required or not is_object_array(shape) or not shape.items.fields:
                continue
            if singular(norm(arg.name)) in (table.entity, singular(norm(table.name))) or norm(arg.name) == norm(
                    table.name):
                for name, item in shape.items.fields.items():
                    self.item_column(table, name, item)
                arg.role = "batch"
                return

    def plan_purge(self, plan: ToolPlan, table: Table) -> None:
        """A delete naming its rows by a list: ``delete_entities(entityNames)`` removes the rows whose name is one
        of them, ``delete_relations(relations)`` those equal to one of the given objects in every field given."""
        for arg in plan.args:
            shape = arg.param.shape
            if not arg.param.required or shape.type != "array" or shape.items is None:
                continue
            if is_scalar(shape.items):
                base = singular(arg.name)
                arg.role = "purge"
                arg.column = self.entity_column(table, base) or (
                    self.label_of(table) if re.search(r"name|title|label", norm(base)) else table.add(
                        base, self.canonical(base, shape.items)).name)
                if table.column(base) is None:  # entityNames: the names, under the name the task generator asks
                    table.columns[base] = Column(base, STRING, hidden=True, derive=(arg.column, "copy"))
                return
            if shape.items.fields:
                for field_name, field_shape in shape.items.fields.items():
                    if is_scalar(field_shape):
                        self.item_column(table, field_name, field_shape)
                arg.role = "purge"
                return

    def plan_increment(self, plan: ToolPlan, table: Table) -> None:
        """``refuel_data(gb_amount)`` adds to what its result calls ``new_data_refueling_gb``: the first number the
        result names that is a column (less ``new_``/``current_``/``_after``), else the amount's own column."""
        amounts = [a for a in plan.args if a.role == "value" and a.param.shape.type in ("integer", "number")]
        if not amounts:
            return
        amount = amounts[0]
        target = amount.column
        for name, shape in plan.op.returns.fields.items():
            stripped = re.sub(r"^(?:new|current|updated|total|remaining)_|_(?:after|now)$", "", norm(name))
            column = self.entity_column(table, stripped)
            if shape.type in ("integer", "number") and column and column != amount.column and \
                    table.columns[column].type in ("integer", "number"):
                target = column
                break
        amount.role, amount.column = "amount", target
        plan.state_value = INCREMENTS[plan.verb or ""]

    def plan_state(self, plan: ToolPlan, table: Table, target: str | None = None) -> None:
        """The column a transition sets and its new value (the spelling of the declared enum when there is one)."""
        target = target or TRANSITIONS[plan.verb or ""]
        fields = plan.op.returns.fields
        if plan.verb in ("enable", "disable", "lock", "unlock", "activate", "deactivate", "engage", "release"):
            flag = next((f for f, s in fields.items() if s.type == "boolean" and norm(f) not in WRITE_FLAGS), None)
            if flag is not None:
                plan.state_column = table.add(flag, BOOLEAN).name
                plan.state_value = plan.verb in ("enable", "lock", "activate", "engage")
                return
        status = next((f for f, s in fields.items() if s.type in ("string", "integer") and re.search(
            r"(^|_)(status|state)$", norm(f))), None)
        kind = fields[status].type if status else "string"
        column = table.add(status or "status", Shape(type=kind))
        kind = column.type  # an existing column keeps its type
        value: Any = target
        enum = fields[status].enum if status and fields[status].enum else None
        if enum:
            value = next((e for e in enum if str(e).lower() == target), enum[0] if len(enum) == 1 else target)
        if kind == "integer" and not isinstance(value, int):
            value = enum[-1] if enum and isinstance(enum[-1], int) else 2  # TickTick: 2 is completed
        plan.state_column, plan.state_value = column.name, value
        self.model.states.setdefault((table.name, column.name), set()).add(value)

    def plan_login(self, plan: ToolPlan) -> None:
        accounts = self.accounts_table()
        plan.table = accounts
        for arg in plan.args:
            if arg.param.required and is_scalar(arg.param.shape) and not arg.param.shape.enum:
                arg.role = "credential"
                arg.column = self.entity_column(accounts, arg.name) or accounts.add(
                    arg.name, self.canonical(arg.name, arg.param.shape), unique=norm(arg.name) in (
                        "username", "email", "client_id", "login", "user_name")).name
            else:
                arg.role = "option"
        self.outputs(plan, accounts, write=True)
        sessions = self.tables[self.model.sessions]
        for out in plan.outs:
            if out.source == "column" and out.table == accounts.name and not accounts.columns[out.column].ref and \
                    accounts.columns[out.column].name not in self.login_columns(plan, accounts):
                # token_type, expires_in, scope: of the session, not of the account
                column = sessions.add(out.name, accounts.columns[out.column].shape)
                out.table, out.column = sessions.name, column.name

    @staticmethod
    def login_columns(plan: ToolPlan, accounts: Table) -> set[str]:
        """Account columns a login result shows as they are (its credentials, labels, keys)."""
        return {a.column for a in plan.args if a.column} | {accounts.key} | {
            c for c in accounts.columns if c in LABELS or norm(c) in ("user_id", "account_id", "name")}

    # ---------------------------------------------------------------- results
    def outputs(self, plan: ToolPlan, table: Table, write: bool) -> None:
        """The result's fields and their sources (columns a result names are added to the tables)."""
        shape = plan.op.returns
        kind = plan.kind
        if shape.type == "object" and not shape.fields:
            plan.bare = "row" if kind not in ("list", "search", "delete", "login", "logout", "session") else None
            if kind in ("list", "search"):
                plan.bare = "values" if plan.state_column and plan.rows_table and plan.rows_field == "" and \
                    plan.op.returns.type == "array" else "rows"
                plan.returns = Shape(type="array", items=Shape(type="object"))
                self.open_rows(table, plan, "", plan.returns)
                return
            if plan.bare == "row":
                plan.returns = Shape(type="object")
                return
            fields = {"login": {"token": STRING}, "logout": {"success": BOOLEAN},
                      "session": {"is_authenticated": BOOLEAN}}.get(kind) or {
                table.key: table.columns[table.key].shape, "deleted": BOOLEAN}
            shape = Shape(type="object", fields=fields)
        if shape.type == "array":
            plan.bare = "values" if plan.state_column else "rows"
            plan.returns = shape
            if plan.bare == "rows" and shape.items is not None and shape.items.fields:
                for name, item in shape.items.fields.items():
                    self.item_column(table, name, item)
            return
        if shape.type != "object":
            plan.bare = "scalar"
            plan.returns = shape
            plan.outs = [self.field_source(plan, table, normalize_name(plan.noun or "value"), shape, write)]
            return
        plan.returns = shape
        plan.outs = [self.field_source(plan, table, name, item, write) for name, item in shape.fields.items()]
        named = {o.name for o in plan.outs}
        for out in list(plan.outs):
            alias = norm(out.name)
            if alias != out.name and alias in self.param_names and id_stem(alias) and alias not in named:
                # "taskId" out, "task_id" in: the result also carries the name the other tools take
                plan.outs.append(Out(alias, out.shape, out.source, out.table, out.column, out.arg))
                self.notes.append(f"{plan.op.name} also returns {out.name} as {alias}, the name other tools take")

    def item_column(self, table: Table, name: str, shape: Shape) -> None:
        """A column for a field of listed rows (an identifier of another table refers to it)."""
        if self.output_column(table, name) is not None:
            return
        stem = id_stem(name)
        ref = self.entity_of_id(name) if stem and stem != table.entity else None
        if ref is not None and ref is not table:
            table.add(name, ref.columns[ref.key].shape, ref=ref.name)
        else:
            table.add(name, self.canonical(name, shape))

    def field_source(self, plan: ToolPlan, table: Table, name: str, shape: Shape, write: bool) -> Out:
        key = norm(name)
        args = {norm(a.name): a for a in plan.args}
        listing = plan.kind in ("list", "search")
        if listing:
            found = self.list_field(plan, table, name, shape, args)
            if found is not None:
                return found
            table = plan.anchor or table
        if plan.kind == "login" and shape.type == "string" and re.search(r"token|session|key$", key):
            return Out(name, shape, "token")
        if plan.kind == "logout":
            return Out(name, shape, {"boolean": "flag", "integer": "ended"}.get(shape.type, "message"))
        if plan.kind == "session" and shape.type == "boolean":
            return Out(name, shape, "flag")
        if write and shape.type == "boolean" and key in WRITE_FLAGS:
            return Out(name, shape, "flag")
        if write and shape.type == "string" and key in MESSAGE_FIELDS:
            return Out(name, shape, "message")
        if plan.kind == "transition" and norm(name) == norm(plan.state_column or ""):
            return Out(name, self.column_shape(table, plan.state_column, shape), "column", table.name,
                       plan.state_column)
        column = self.output_column(table, name)
        if column is None and write:
            stripped = re.sub(r"^(?:new|updated|current|old|previous|total|remaining)_", "", key)
            column = self.output_column(table, stripped) if stripped != key else None
        if column is not None and table.columns[column].document == (shape.type in ("array", "object")):
            declared = self.canonical(name, shape) if is_scalar(shape) else self.column_shape(table, column, shape)
            return Out(name, declared, "column", table.name, column)
        if key in args and is_scalar(shape) and args[key].param.shape.type == shape.type:
            return Out(name, self.canonical(name, shape), "param", arg=args[key].py)
        if write and shape.type == "array" and re.search(r"(^|_)(skipped|failed|errors|conflicts|rejected|missing)$",
                                                           key):
            return Out(name, shape, "none")
        if write and is_object_array(shape) and (key.endswith("ed") or key in GENERIC_ARRAYS or
                                                 singular(key) == table.entity or key == norm(table.name)):
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(table, item, item_shape)
            return Out(name, shape, "written", table.name)
        if is_object_array(shape):
            child = self.child_table(table, name)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(child, item, item_shape)
            self.open_rows(child, plan, name, shape)
            fk = next(c.name for c in child.columns.values() if c.ref == table.name)
            return Out(name, shape, "children", child.name, fk)
        if shape.type == "array" and key.endswith("_ids"):
            target = self.entity_of_id(singular(key))
            if target is not None and target is not table:
                column = target.add(table.key if table.key != "id" else f"{table.entity}_id",
                                    table.columns[table.key].shape, ref=table.name)
                if target.parent is None:
                    target.parent, target.parent_column = table.name, column.name
                if target.parent == table.name:
                    return Out(name, shape, "ids", target.name, target.parent_column)
        counted = re.match(r"^(?:num_|number_of_)?(.+?)(?:_count|count)?$", key)
        if shape.type == "integer" and counted and key.endswith(("_count", "count")) and counted.group(1):
            child = next((t for t in self.tables.values() if t.parent == table.name and norm(t.name) in (
                counted.group(1), plural(counted.group(1)))), None)
            if child is not None:
                return Out(name, shape, "count", child.name)
        column = table.add(name, self.canonical(name, shape) if is_scalar(shape) else shape).name
        return Out(name, self.column_shape(table, column, shape), "column", table.name, column)

    def column_shape(self, table: Table, column: str, declared: Shape) -> Shape:
        """The declared shape of a result field read from a column (arrays and objects as the column has them)."""
        found = table.columns[column]
        if is_scalar(declared):
            return Shape(type=found.type, enum=declared.enum, description=declared.description) \
                if found.type != declared.type and is_scalar(found.shape) else declared
        return declared if declared.type == found.type else found.shape

    def list_field(self, plan: ToolPlan, table: Table, name: str, shape: Shape, args: dict[str, Arg]) -> Out | None:
        """The source of a field of a list result, or None for a field of the row the list is under."""
        key = norm(name)
        if name == plan.rows_field:
            if plan.state_column:
                return Out(name, shape, "values", table.name, plan.state_column)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(table, item, item_shape)
            self.open_rows(table, plan, name, shape)
            return Out(name, shape, "rows", table.name)
        if shape.type == "integer" or (shape.type == "number" and key in TOTAL_FIELDS | COUNT_FIELDS):
            if key in TOTAL_FIELDS or re.match(r"^total_\w+$", key) and not table.column(name):
                return Out(name, shape, "total")
            if key in COUNT_FIELDS:
                return Out(name, shape, "shown")
            if key in PAGE_FIELDS:
                return Out(name, shape, "page")
            if key in PAGES_FIELDS:
                return Out(name, shape, "pages")
        if shape.type == "string" and key in CURSOR_FIELDS:
            return Out(name, shape, "cursor")
        if shape.type == "boolean" and key in MORE_FIELDS:
            return Out(name, shape, "more")
        if key in args and is_scalar(shape) and args[key].param.shape.type == shape.type:
            return Out(name, Shape(type=shape.type, enum=shape.enum), "param", arg=args[key].py)
        if is_object_array(shape):
            extra = self.rows_table(plan, name)
            for item, item_shape in (shape.items.fields if shape.items else {}).items():
                self.item_column(extra, item, item_shape)
            for arg in plan.args:
                if arg.role in ("filter", "any", "min", "max", "only", "include") and arg.column and \
                        extra.column(arg.column) is None:
                    extra.add(arg.column, table.columns[arg.column].shape)
                if arg.role == "parent" and arg.column and extra.column(arg.column) is None:
                    extra.add(arg.column, table.columns[arg.column].shape, ref=table.columns[arg.column].ref)
            if extra is not table:
                return Out(name, shape, "rows", extra.name)
        if shape.type == "array" and shape.items is not None and is_scalar(shape.items):
            column = self.output_column(table, singular(key)) or self.output_column(table, key)
            if column is None:
                column = table.add(singular(key), self.canonical(singular(key), shape.items)).name
            if not table.columns[column].document:
                return Out(name, shape, "values", table.name, column)
        if plan.anchor is None:
            column = self.output_column(table, name) or table.add(name, self.canonical(name, shape) if is_scalar(
                shape) else shape).name
            return Out(name, self.column_shape(table, column, shape), "first", table.name, column)
        return None

    def child_table(self, table: Table, name: str) -> Table:
        """The table of rows under ``table`` that a result's array of objects holds."""
        key = norm(name)
        entity = singular(key)
        if key in GENERIC_ARRAYS or entity in GENERIC_ARRAYS:
            entity = f"{table.entity}_{entity}"
        child = self.tables[self.by_entity[entity]] if entity in self.by_entity else self.table(entity)
        if child is table:
            child = self.table(f"{table.entity}_{entity}")
        column = child.add(table.key if table.key not in ("id",) else f"{table.entity}_id",
                           table.columns[table.key].shape, ref=table.name)
        if child.parent is None:
            child.parent, child.parent_column = table.name, column.name
        return child

    # ----------------------------------------------------------------- finish
    def open_rows(self, table: Table, plan: ToolPlan, field_name: str, shape: Shape) -> None:
        """Note a table whose rows a result shows without naming their fields (their columns are then ours to
        choose: the words of the tool and the field suggest some, see :meth:`enrich`)."""
        items = shape.items if shape.type == "array" else shape
        if items is None or not items.fields:
            self.open.setdefault(table.name, set()).update([*plan.words, *words(field_name)])

    def enrich(self, table: Table, said: set[str]) -> None:
        """Columns for rows whose fields no description names: measures the tool's words mention (``compare_price``
        rows get a price, ``get_stock_ohlcv`` rows open, high, low, close and volume), a date for histories and
        trends, and a description when the row would hold nothing else."""
        for word in sorted(said):
            for name, kind in MEASURES.get(singular(word), MEASURES.get(word, ())):
                table.add(name, Shape(type=kind))
        if said & {"history", "histories", "trend", "trends", "timeline", "series", "schedule", "schedules",
                   "forecast", "events", "log", "logs", "activity", "chart", "prices", "news", "data"} and not any(
                is_time_name(c.name) for c in table.columns.values()):
            table.add("date", STRING)
        data = [c for c in table.columns.values() if not (c.key or c.ref or c.hidden) and c.name != table.label]
        if len(data) < 2:
            table.add("description", STRING)

    def prune(self) -> None:
        """Drop tables no tool works on, reads or names by a column (an identifier only a delete took)."""
        used = {t.name for p in self.model.plans for t in (p.table, p.anchor, p.rows_table) if t is not None}
        used |= {o.table for p in self.model.plans for o in p.outs if o.table}
        used |= {a.table for p in self.model.plans for a in p.args if a.table}
        while True:
            needed = used | {c.ref for name in used for c in self.tables[name].columns.values() if c.ref} | {
                self.tables[name].parent for name in used if self.tables[name].parent}
            if needed <= used:
                break
            used |= {n for n in needed if n in self.tables}
        for name in [n for n in self.tables if n not in used]:
            del self.tables[name]
            self.by_entity = {e: t for e, t in self.by_entity.items() if t != name}

    def constrain(self) -> None:
        """What a parameter declares about its values (a pattern, an enum, bounds, a length) holds for the column
        it reads or writes, so that seeded rows are values the tools accept."""
        for plan in self.model.plans:
            for arg in plan.args:
                shape = arg.param.shape
                if shape.type == "array" and shape.items is not None and is_scalar(shape.items):
                    shape = shape.items
                if not is_scalar(shape) or not arg.column:
                    continue
                home = plan.rows_table if plan.kind in ("list", "search") and plan.rows_table is not None else \
                    plan.table
                if arg.role in ("key", "parent", "ref", "match") and arg.table in self.tables:
                    owner = self.tables[arg.table]
                    target = owner.key if arg.role != "match" else arg.column
                    if owner.column(target) is not None and owner.column(target).type == shape.type:
                        owner.add(target, shape)
                if home is not None and arg.role not in ("min", "max", "option", "token") and \
                        home.column(arg.column) is not None and home.column(arg.column).type == shape.type:
                    home.add(arg.column, shape)
                hidden = home.column(arg.name) if home is not None else None
                if hidden is not None and hidden.hidden and hidden.type == shape.type:
                    home.add(arg.name, shape)
                if arg.role not in ("min", "max") and (shape.pattern or shape.enum or shape.minimum is not None or
                                                       shape.maximum is not None or shape.max_length):
                    # a train number is a train number in every table: each column so named meets the constraint
                    for table in self.tables.values():
                        for column in list(table.columns.values()):
                            if norm(column.name) == norm(arg.column) and column.type == shape.type:
                                table.add(column.name, shape)

    def finish(self) -> None:
        """Labels, listers, user-known keys, text columns and table sizes once every tool is planned."""
        self.prune()
        self.constrain()
        for table in self.tables.values():
            if table.columns[table.key].shape.enum:
                table.rows = len(dict.fromkeys(table.columns[table.key].shape.enum))
        for table in self.tables.values():
            if not table.singleton and not table.ungraded:
                self.label_of(table)
        for name, said in self.open.items():
            self.enrich(self.tables[name], said)
        shown: dict[str, list[str]] = {}
        for plan in self.model.plans:
            for name in self.shown_tables(plan):
                shown.setdefault(name, []).append(plan.op.name)
        for table in self.tables.values():
            table.listers = list(dict.fromkeys(shown.get(table.name, [])))
            # keys that only tools needing them already show, or only bare lists of keys, are what the user states
            # (their card number, the number on a museum label)
            table.known_key = not any(not self.needs_key(p, table) and not self.takes_objects(p) and
                                      table.name in self.shown_tables(p, named=True) for p in self.model.plans)
            if table.parent:
                table.rows = min(200, max(20, self.tables[table.parent].rows * self.rng.randint(2, 3)))
            if table.series:
                table.rows = SERIES * DAYS
            if table.grid and table.parent:
                table.rows = min(200, self.tables[table.parent].rows * GRID)
        for plan in self.model.plans:
            if plan.kind in ("list", "search") and plan.rows_table is not None and plan.rows_table.text:
                continue
            if plan.kind in ("list", "search") and any(a.role == "query" for a in plan.args):
                table = plan.rows_table
                table.text = [self.label_of(table)]

    @staticmethod
    def takes_objects(plan: ToolPlan) -> bool:
        """Whether a tool requires a JSON object (or a list of them): a request states no such thing, so the keys
        such a tool alone gives out (a taxi estimate's trace id) are ones users hold themselves."""
        return any(a.param.required and (a.param.shape.type == "object" or is_object_array(a.param.shape))
                   for a in plan.args)

    @staticmethod
    def needs_key(plan: ToolPlan, table: Table) -> bool:
        """Whether a tool requires the key of a row of ``table`` as an argument."""
        return any(a.param.required and a.table == table.name and a.role in ("key", "parent", "ref")
                   for a in plan.args)

    def shown_tables(self, plan: ToolPlan, named: bool = False) -> list[str]:
        """Tables whose keys a tool's result shows (``named``: only beside something a user could name the row by,
        not in a bare list of identifiers)."""
        found = []
        if plan.bare in ("rows", "row") and plan.table is not None:
            found.append(plan.table.name)
        for out in plan.outs:
            if out.source in ("rows", "children") and out.table:
                found.append(out.table)
            elif out.source == "values" and out.table and self.tables[out.table].key == out.column and not named:
                found.append(out.table)
            elif out.source == "ids" and out.table and not named:
                found.append(out.table)
            elif out.source == "column" and out.table and out.column == self.tables[out.table].key:
                found.append(out.table)
            elif out.source in ("column", "first") and out.table and self.tables[out.table].columns[out.column].ref:
                found.append(self.tables[out.table].columns[out.column].ref)
        if plan.kind == "create" and plan.table is not None and any(
                o.source == "column" and o.column == plan.table.key for o in plan.outs):
            found.append(plan.table.name)
        return found


#: Create verbs that make a row of the very entity they name (a ``book_hotel`` makes a booking, ``addBook`` a book).
GENERIC_CREATES = frozenset({"create", "add", "new", "insert", "make", "save", "put", "post", "upload", "import",
                             "register", "write", "append"})
#: Nouns of write verbs, for a write whose name says only the verb (``git_commit`` makes a commit).
VERB_NOUNS = {"book": "booking", "reserve": "reservation", "order": "order", "purchase": "purchase",
              "buy": "purchase", "sell": "sale", "pay": "payment", "apply": "application", "register": "registration",
              "invite": "invitation", "share": "share", "send": "message", "report": "report", "record": "record",
              "log": "log_entry", "fork": "fork", "copy": "copy", "clone": "clone", "transfer": "transfer",
              "deposit": "deposit", "withdraw": "withdrawal", "request": "request", "submit": "submission",
              "commit": "commit", "comment": "comment", "reply": "reply", "post": "post", "push": "push",
              "upload": "upload", "schedule": "schedule", "rate": "rating", "review": "review",
              "subscribe": "subscription", "checkout": "checkout", "mkdir": "directory", "touch": "file",
              "echo": "file", "cp": "file", "generate": "generation", "combine": "combination", "place": "order",
              "make": "record", "add": "item", "create": "item", "new": "item", "save": "item", "write": "file",
              "import": "import", "append": "entry", "insert": "entry", "duplicate": "copy"}


#: Columns that words of a tool's name suggest for rows whose fields it does not name.
MEASURES: dict[str, tuple[tuple[str, str], ...]] = {
    "price": (("price", "number"), ("currency", "string")), "cost": (("cost", "number"),),
    "fare": (("fare", "number"),), "rate": (("rate", "number"),), "rent": (("rent", "number"),),
    "ohlcv": (("open", "number"), ("high", "number"), ("low", "number"), ("close", "number"),
              ("volume", "integer")),
    "volume": (("volume", "integer"),), "cap": (("market_cap", "number"),), "fundamental": (
        ("per", "number"), ("pbr", "number"), ("eps", "number")),
    "rating": (("rating", "number"),), "review": (("rating", "number"), ("comment", "string")),
    "score": (("score", "number"),), "revenue": (("revenue", "number"),), "salary": (("salary", "number"),),
    "temperature": (("temperature", "number"),), "weather": (("temperature", "number"), ("conditions", "string")),
    "forecast": (("temperature", "number"), ("conditions", "string")), "discount": (("discount_percent", "number"),),
    "balance": (("balance", "number"),), "fee": (("fee", "number"),), "stat": (("count", "integer"),),
    "statistic": (("count", "integer"),), "trend": (("value", "number"),), "dividend": (("amount", "number"),),
    "earning": (("eps", "number"),), "statement": (("revenue", "number"), ("net_income", "number")),
    "income": (("revenue", "number"), ("net_income", "number")), "cashflow": (("operating_cash_flow", "number"),),
    "news": (("title", "string"), ("source", "string")), "article": (("title", "string"),),
    "recommendation": (("rating", "string"),), "option": (("strike", "number"), ("premium", "number")),
    "quote": (("price", "number"),), "ticket": (("price", "number"),), "stop": (("stop_name", "string"),),
    "route": (("distance", "number"), ("duration", "integer")), "direction": (("distance", "number"),
                                                                               ("duration", "integer")),
    "eta": (("eta_minutes", "integer"),), "arrival": (("arrival_time", "string"),),
    "build": (("win_rate", "number"),), "counter": (("win_rate", "number"),), "synergy": (("win_rate", "number"),),
    "leaderboard": (("rank", "integer"), ("score", "number")), "standing": (("rank", "integer"), ("wins", "integer")),
    "match": (("result", "string"), ("duration", "integer")), "game": (("rating", "number"),),
    "skin": (("price", "number"),), "item": (("price", "number"),), "nutrition": (("calories", "number"),),
    "recipe": (("calories", "number"), ("cook_time", "integer")), "ingredient": (("quantity", "string"),),
    "interaction": (("severity", "string"),), "alert": (("severity", "string"),), "repository": (
        ("stars", "integer"), ("language", "string")), "developer": (("followers", "integer"),),
    "job": (("company", "string"), ("location", "string")), "usage": (("used", "number"),),
    "bill": (("amount", "number"), ("due_date", "string")), "charge": (("amount", "number"),),
    "transaction": (("amount", "number"),), "order": (("total", "number"),), "bounce": (("email", "string"),),
    "elevation": (("elevation", "number"),), "distance": (("distance", "number"),),
}
#: Pairs of words naming the two ends of a range (``checkin_date`` / ``checkout_date``).
PAIRS = (("start", "end"), ("checkin", "checkout"), ("check_in", "check_out"), ("from", "to"), ("departure", "return"),
         ("begin", "end"), ("since", "until"), ("min", "max"), ("after", "before"), ("first", "last"),
         ("earliest", "latest"), ("lower", "upper"), ("low", "high"), ("arrival", "departure"))


def pair_bound(key: str, siblings: frozenset[str]) -> str | None:
    """"min" or "max" for one end of a pair of parameters (``start_date`` with ``end_date``), else None."""
    parts = key.split("_")
    for low, high in PAIRS:
        for word, other, bound in ((low, high, "min"), (high, low, "max")):
            if word in parts or (("_" in word) and word in key):
                twin = key.replace(word, other, 1)
                if twin != key and twin in siblings:
                    return bound
    return None


def compatible(a: str, b: str) -> bool:
    """Whether values of JSON types ``a`` and ``b`` can share a column."""
    return a == b or {a, b} == {"integer", "number"}


def same_kind(a: Shape, b: Shape) -> bool:
    """Whether values of two shapes can share a column (lists of objects with lists of objects, not of text)."""
    if not compatible(a.type, b.type):
        return False
    if a.type == "array":
        return compatible((a.items or STRING).type, (b.items or STRING).type)
    return True


def past(verb: str) -> str:
    """A verb's past participle, roughly (``reset`` -> reset, ``archive`` -> archived)."""
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith(("set", "put", "cut")):
        return verb
    return verb + "ed"


def envelope(name: str) -> bool:
    """Whether a result field counts, pages or reports rather than holding data."""
    key = norm(name)
    return key in TOTAL_FIELDS | COUNT_FIELDS | CURSOR_FIELDS | MORE_FIELDS | PAGE_FIELDS | PAGES_FIELDS | \
        WRITE_FLAGS | MESSAGE_FIELDS or key in ("status", "query", "object", "kind", "type", "ok", "error")


def plural_word(word: str) -> bool:
    return len(word) > 3 and singular(word) != word and not word.endswith("ss")


def is_text_name(name: str) -> bool:
    key = norm(name)
    return bool(re.search(r"(^|_)(description|summary|body|content|text|notes|note|overview|abstract|about|bio|"
                          r"message|comment|snippet|excerpt|details)$", key))


def is_time_name(name: str) -> bool:
    key = norm(name)
    return bool(re.search(r"(^|_)(date|time|day|at|timestamp|created|updated|modified|since|until|dob|birthday|"
                          r"deadline|due|expires|expiry|expiration|tsz|bought|purchased|joined|born|posted|"
                          r"published|registered|shipped|delivered|opened|started|ended|finished|on)$", key))


# ----------------------------------------------------------------------------------------------- seeding
PEOPLE = frozenset("""
user customer member author person student employee contact patient driver passenger guest player summoner developer
owner account client traveler traveller cardholder seller buyer recipient sender follower friend doctor teacher
instructor speaker artist actor reviewer assignee participant attendee subscriber candidate applicant host agent
""".split())
STATUS_LISTS = {
    "order": ["pending", "processing", "shipped", "delivered", "cancelled"],
    "ticket": ["open", "in_progress", "resolved", "closed"], "issue": ["open", "closed"],
    "pull_request": ["open", "closed", "merged"], "task": ["needsAction", "in_progress", "completed"],
    "booking": ["confirmed", "pending", "cancelled"], "reservation": ["confirmed", "pending", "cancelled"],
    "payment": ["succeeded", "pending", "failed"], "charge": ["succeeded", "pending", "failed"],
    "invoice": ["paid", "open", "void"], "meeting": ["scheduled", "started", "finished"],
    "event": ["confirmed", "tentative", "cancelled"], "line": ["active", "suspended"],
    "study": ["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING"],
    "job": ["open", "closed"], "listing": ["active", "sold", "inactive"], "flight": ["scheduled", "delayed",
                                                                                         "departed", "landed"],
    "shipment": ["in_transit", "delivered", "pending"], "bill": ["unpaid", "paid", "overdue"],
    "message": ["sent", "delivered", "read"], "email": ["sent", "delivered", "bounced"],
    "application": ["submitted", "under_review", "accepted", "rejected"],
}
CHOICE_LISTS = {
    "currency": ["USD", "EUR", "GBP", "JPY", "CNY", "CAD"],
    "language": ["en", "es", "fr", "de", "zh", "ja"],
    "code_language": ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C++"],
    "category": ["electronics", "books", "home", "clothing", "sports", "toys", "beauty", "garden"],
    "genre": ["Drama", "Comedy", "Action", "Thriller", "Documentary", "Romance", "Science Fiction"],
    "priority": ["low", "medium", "high", "urgent"], "role": ["admin", "editor", "viewer", "owner"],
    "region": ["na", "euw", "eune", "kr", "br", "jp"], "tier": ["bronze", "silver", "gold", "platinum"],
    "level": ["beginner", "intermediate", "advanced"], "gender": ["female", "male", "nonbinary"],
    "size": ["small", "medium", "large"], "condition": ["new", "used", "refurbished"],
    "department": ["Engineering", "Sales", "Marketing", "Finance", "Support", "Operations"],
    "industry": ["Software", "Healthcare", "Finance", "Retail", "Manufacturing", "Education"],
    "difficulty": ["easy", "medium", "hard"], "period": ["daily", "weekly", "monthly", "yearly"],
    "interval": ["1d", "1wk", "1mo"], "unit": ["metric", "imperial"], "visibility": ["public", "private"],
    "channel": ["email", "sms", "push", "web"], "platform": ["web", "ios", "android", "desktop"],
    "method": ["card", "bank_transfer", "paypal", "cash"], "type": ["standard", "premium", "basic"],
    "timezone": ["America/New_York", "Europe/London", "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin"],
    "mode": ["standard", "eco", "sport"], "employment_type": ["full-time", "part-time", "contract",
                                                               "internship"],
    "experience_level": ["entry", "mid", "senior", "lead"], "cuisine": ["Italian", "Chinese", "Mexican",
                                                                         "Indian", "French", "Japanese"],
    "weather": ["sunny", "cloudy", "rainy", "snowy", "windy"],
}
FUTURE = re.compile(r"due|deadline|expir|start|depart|arriv|check_?in|check_?out|scheduled|upcoming|next|end|"
                    r"return|travel|deliver|eta|cycle_end|valid|renew|appointment|event|meeting|publish_at")
DATE_ONLY = re.compile(r"date|day|dob|birth|deadline|due|expir|year_month")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower()) or "service"


def person_table(table: Table) -> bool:
    return table.entity.split("_")[-1] in PEOPLE


def choices(model: Model, table: Table, column: Column) -> list[Any] | None:
    """The values a column is seeded from, when it takes one of a few (enums, statuses, categories...)."""
    states = sorted(model.states.get((table.name, column.name), set()), key=str)
    if column.shape.enum:
        found = list(dict.fromkeys([*column.shape.enum, *states]))
        return found
    key = norm(column.name)
    last = key.split("_")[-1]
    if column.type != "string":
        return None
    if last in ("status", "state") and not (last == "state" and (table.column("city") or table.column("zip_code") or
                                                               table.column("address") or "address" in key)):
        base = STATUS_LISTS.get(table.entity) or STATUS_LISTS.get(table.entity.split("_")[-1]) or [
            "active", "pending", "inactive"]
        return list(dict.fromkeys([*base, *states]))
    if states:
        return states
    if last == "language" or key == "lang":
        coded = re.search(r"repo|code|develop|project|snippet|commit|gist|package", table.name)
        return CHOICE_LISTS["code_language" if coded else "language"]
    for name in (key, last):
        if name in CHOICE_LISTS:
            return CHOICE_LISTS[name]
    if last in ("type", "kind", "category", "class") and key not in CHOICE_LISTS:
        return [f"{word}" for word in ("standard", "premium", "basic")] if last != "category" else \
            CHOICE_LISTS["category"]
    return None


def time_expr(name: str, kind: str) -> str:
    """A seeded moment for a time-like column: past for most, ahead of the clock for due dates and starts."""
    key = norm(name)
    low, high = (1, 60) if FUTURE.search(key) else (-365, -1)
    if re.search(r"birth|dob|born", key):
        low, high = -30000, -6600  # 18 to 82 years ago
    moment = f"_when(start, rng, {low}, {high})"
    if kind in ("integer", "number"):
        return f"int(({moment} - EPOCH).total_seconds())"
    return f"{moment}.strftime({'DAY' if DATE_ONLY.search(key) else 'TIME'})"


def string_expr(model: Model, table: Table, column: Column) -> str:
    """An expression (over ``rng``, ``fake``, ``i``, ``key``, ``start``) for a seeded text value."""
    key = norm(column.name)
    last = key.split("_")[-1]
    service = slug(model.spec.name)
    person = person_table(table)
    if is_time_name(column.name):
        return time_expr(column.name, "string")
    rules: list[tuple[str, str]] = [
        (r"e_?mail|mail$", 'f"{fake.first_name().lower()}.{fake.last_name().lower()}{i}@example.com"'
                           '.replace("\'", "")'),
        (r"phone|mobile|^tel", 'fake.numerify("+1-###-###-####")'),
        (r"url|link|href|website|homepage|uri$|image|thumbnail|avatar|photo|cover|logo",
         f'f"https://{service}.example.com/{table.name}/{{key}}"'),
        (r"^first_?name$|given_name", "fake.first_name()"), (r"^last_?name$|surname|family_name", "fake.last_name()"),
        (r"user_?name|login$|handle|screen_name|riot_id|nickname", 'f"{fake.user_name()}{i}"'),
        (r"password|passcode|secret|^pin$", 'fake.bothify("??##??##")'),
        (r"full_?name|display_?name|author|owner|assignee|creator|reporter|sender|recipient|driver_name|"
         r"cardholder|contact_name|customer_name|patient|player_name|pro_player|artist|painter|composer|director|"
         r"photographer|designer|architect|actor|instructor|teacher|speaker|host_name|guest_name",
         "fake.name()"),
        (r"company|organization|organisation|employer|manufacturer|brand|publisher|vendor|merchant|seller|"
         r"store|shop|team|registrar|sponsor|carrier|airline|kuaidi_company", "fake.company()"),
        (r"job_title|occupation|profession|^position$", "fake.job()"),
        (r"title|headline|subject|topic|caption", "fake.sentence(nb_words=4).rstrip('.')"),
        (r"description|summary|overview|abstract|bio$|about|body|content|text|notes?$|comment|message|details|"
         r"snippet|excerpt|review|extract|instructions|synopsis|reason|resolution|output|diff|html|markdown",
         "fake.sentence(nb_words=10)"),
        (r"street|address|location|place|venue|destination|origin|from_addr|to_addr", "fake.street_address()"),
        (r"city|town", "fake.city()"), (r"country", "fake.country()"),
        (r"^state$|province", "fake.state_abbr()"), (r"zip|postal|postcode", "fake.zipcode()"),
        (r"symbol|ticker", 'fake.lexify("???").upper()'),
        (r"^ip$|ip_address|^ip_", "fake.ipv4()"), (r"domain|hostname|^host$", "fake.domain_name()"),
        (r"mime|content_type|media_type", "fake.mime_type()"), (r"file_?name", "fake.file_name()"),
        (r"path|directory|folder", 'f"/home/user/{fake.word()}/{fake.file_name()}"'),
        (r"sha|hash|commit|revision|checksum|etag|fingerprint", "fake.sha1()[:12]"),
        (r"version", 'f"{rng.randint(0, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"'),
        (r"isbn", "fake.isbn13()"), (r"doi", 'f"10.{rng.randint(1000, 9999)}/{fake.lexify(\'????????\').lower()}"'),
        (r"plate", "fake.license_plate()"), (r"barcode|upc|ean|gtin", "fake.ean13()"),
        (r"color|colour", "fake.color_name()"),
        (r"code$|_code_|^code", 'fake.bothify("??-####").upper()'),
        (r"^(?:name|label|nickname|alias|display)$", ""),
    ]
    for pattern, expression in rules:
        if re.search(pattern, key):
            if expression:
                return expression
            break
    if last in ("name", "label", "alias"):
        if person:
            return "fake.name()"
        if re.search(r"city|place|location|station|stop|airport|destination|park|region", table.entity):
            return "fake.city()"
        if re.search(r"file|document|attachment", table.entity):
            return "fake.file_name()"
        if re.search(r"repo|project|package|branch|channel|folder|directory|database|collection|sheet|tag|label|"
                     r"base|bucket|workspace|list", table.entity):
            return 'f"{fake.word()}-{fake.word()}"'
        if re.search(r"company|organization|shop|store|brand|team|publisher|vendor", table.entity):
            return "fake.company()"
        return "fake.catch_phrase()"
    return '" ".join(fake.words(rng.randint(2, 3)))'


def number_expr(column: Column) -> str:
    key = norm(column.name)
    integer = column.type == "integer"
    if is_time_name(column.name) and re.search(r"created|updated|modified|timestamp|_at$|tsz|time$|date$", key):
        return time_expr(column.name, column.type)
    ranges: list[tuple[str, tuple[float, float]]] = [
        (r"^max_(adults|guests|people|persons|passengers|travel+ers|seats|occupants|party_size)", (2, 8)),
        (r"^max_(kids|children|infants)", (0, 4)),
        (r"adults|kids|children|guests|people|persons|passengers|travel+ers|party|seats|occupants|infants|"
         r"nights|rooms_count", (1, 4)),
        (r"year", (1990, 2025)), (r"lat(itude)?$", (25, 50)), (r"lng$|lon(gitude)?$", (-125, -70)),
        (r"rating|stars_avg|average_rating|vote_average|score$", (1, 5)), (r"priority", (1, 5)),
        (r"percent|pct|_rate$|ratio|occupancy|probability|confidence|humidity|win_rate|share", (0, 100)),
        (r"change", (-10, 10)), (r"temperature|temp$", (-5, 35)), (r"voltage", (11.5, 14.5)),
        (r"salary|income", (40000, 180000)), (r"revenue|market_cap|volume|valuation|estimated_value|"
                                              r"assessed|zestimate|sale_price|home_value", (50000, 2000000)),
        (r"price|cost|amount|fee|total|balance|value|budget|spent|charge|refund|payment|rent|fare|subtotal|"
         r"tax|adr|revpar|open$|close$|high$|low$", (5, 500)),
        (r"population", (5000, 9000000)), (r"duration|minutes", (15, 120)), (r"age$", (18, 80)),
        (r"size|bytes", (1000, 5000000)), (r"page", (1, 400)), (r"bed|bath|room|floor|stor(y|ies)", (1, 6)),
        (r"sqft|square|area|lot", (500, 9000)), (r"capacity|seats", (10, 300)), (r"speed", (0, 130)),
        (r"distance|radius|range", (1, 500)), (r"fuel|level|battery", (5, 100)), (r"weight|kg", (1, 30)),
        (r"_gb$|gb_|data_", (1, 50)), (r"pressure", (28, 36)), (r"elevation|altitude", (0, 3000)),
        (r"quantity|qty|stock|inventory", (0, 200)), (r"rank|position|pos$", (1, 100)),
        (r"count|views|likes|followers|karma|points|stars|forks|watchers|downloads|comments|reviews|members|"
         r"subscribers|votes|total|num|visits|plays|sales", (0, 5000)),
    ]
    low, high = next((r for pattern, r in ranges if re.search(pattern, key)), (1, 500))
    least, most = column.shape.minimum, column.shape.maximum  # declared limits win
    if least is not None or most is not None:
        low, high = max(low, least) if least is not None else low, min(high, most) if most is not None else high
        if low > high:
            low, high = (least if least is not None else high - 10), (most if most is not None else low + 10)
    if integer:
        return f"rng.randint({int(low)}, {int(high)})"
    return f"round(rng.uniform({low}, {high}), 2)"


def document_expr(model: Model, table: Table, column: Column, depth: int = 0) -> str:
    """A seeded JSON value for an array or object column."""
    shape = column.shape
    key = norm(column.name)
    if shape.type == "array":
        item = shape.items or STRING
        if column.ref:
            return f"rng.sample({keys_name(column.ref)}, min(len({keys_name(column.ref)}), rng.randint(1, 3)))"
        if item.type == "object":
            if item.fields and depth < 2:
                inner = ", ".join(f"{name!r}: {field_expr(model, table, name, sub, depth + 1)}"
                                  for name, sub in item.fields.items())
                return f"[{{{inner}}} for _ in range(rng.randint(1, 3))]"
            return ('[{"code": fake.bothify("??-####").upper(), "quantity": rng.randint(1, 5)} '
                    'for _ in range(rng.randint(1, 3))]')
        return f"[{field_expr(model, table, singular(column.name), item, depth + 1)} for _ in range(rng.randint(1, 3))]"
    if shape.fields and depth < 2:
        inner = ", ".join(f"{name!r}: {field_expr(model, table, name, sub, depth + 1)}"
                          for name, sub in shape.fields.items())
        return f"{{{inner}}}"
    if re.search(r"address", key):
        return ('{"street": fake.street_address(), "city": fake.city(), "state": fake.state_abbr(), '
                '"zip_code": fake.zipcode(), "country": "USA"}')
    if re.search(r"location|coordinates|coord|position|geo", key):
        return '{"latitude": round(rng.uniform(25, 50), 5), "longitude": round(rng.uniform(-125, -70), 5)}'
    if re.search(r"price|total|amount|cost", key):
        return '{"value": round(rng.uniform(5, 500), 2), "currency": "USD"}'
    if re.search(r"rating", key):
        return '{"rate": round(rng.uniform(1, 5), 1), "count": rng.randint(1, 900)}'
    if key == "name":
        return '{"first_name": fake.first_name(), "last_name": fake.last_name()}'
    return '{"code": fake.bothify("??-####").upper(), "tag": fake.bothify("??##").upper()}'


def field_expr(model: Model, table: Table, name: str, shape: Shape, depth: int) -> str:
    """A seeded value of one field inside a JSON value."""
    column = Column(name, shape)
    if shape.type in ("array", "object"):
        return document_expr(model, table, column, depth)
    return scalar_expr(model, table, column)


def scalar_expr(model: Model, table: Table, column: Column) -> str:
    found = choices(model, table, column)
    if found:
        targets = model.states.get((table.name, column.name), set())
        waiting = [c for c in found if c not in FINAL_STATES and c not in targets]
        if table.singleton:  # the one row starts where some transition can take it
            return f"rng.choice({tuple(waiting or [c for c in found if c not in FINAL_STATES] or found)!r})"
        if not targets or not waiting:
            return f"rng.choice({tuple(found)!r})"
        weighted = waiting * 3 + [c for c in found if c not in waiting]  # most rows can still make the transition
        return f"rng.choice({tuple(weighted)!r})"
    if column.type == "boolean":
        return "rng.random() < 0.6"
    if column.type in ("integer", "number"):
        return number_expr(column)
    return constrained(column, string_expr(model, table, column))


#: A value of the kind each text expression makes, to test against a declared pattern.
SAMPLES = (("strftime(DAY)", "2026-03-05"), ("strftime(TIME)", "2026-03-05T14:30"),
           ("@example.com", "ann.lee3@example.com"),
           ("https://", "https://svc.example.com/items/k1"), ('numerify("+1', "+1-555-555-0101"),
           ('lexify("???").upper()', "ABC"), ('bothify("??-####").upper()', "AB-1234"), ("fake.name()", "Ann Lee"),
           ("sha1()", "a1b2c3d4e5f6"), ("ipv4()", "10.0.0.1"), ("domain_name()", "example.com"),
           ("file_name()", "report.pdf"), ("/home/user/", "/home/user/docs/report.pdf"))


def constrained(column: Column, expression: str) -> str:
    """``expression``, or one that meets the column's declared pattern and length instead (an id shaped
    ``^DB\\d{5}$``, a date where a pattern wants one without a time)."""
    pattern = column.shape.pattern
    if pattern and "strftime(" not in expression and not matches(pattern, "Sample text value") and (
            matches(pattern, "2026-03-05") or matches(pattern, "2026-03-05T14:30")):
        expression = time_expr(column.name, "string")  # a date the pattern wants: a real one, not digits
    if pattern:
        sample = next((value for marker, value in SAMPLES if marker in expression), "Sample text value")
        try:
            compiled = re.compile(pattern)
        except re.error:
            compiled = None
        if compiled is not None and not compiled.search(sample):
            swapped = expression.replace("strftime(TIME)", "strftime(DAY)") if "TIME" in expression else \
                expression.replace("strftime(DAY)", "strftime(TIME)")
            other = "2026-03-05" if "strftime(TIME)" in expression else "2026-03-05T14:30"
            if "strftime(" in expression and compiled.search(other):
                expression = swapped
            else:
                expression = pattern_expr(pattern) or expression
    if column.shape.max_length:
        if column.shape.max_length <= 12 and re.search(r"words|sentence|catch_phrase|company|name\(\)", expression):
            expression = 'fake.bothify("#?#?#?#?#?#?").upper()'  # a short code (a bus route), not cut-off words
        expression = f"({expression})[:{column.shape.max_length}]"
    return expression


def matches(pattern: str, text: str) -> bool:
    """Whether ``text`` matches a declared pattern the way validation reads it (a search; a bad pattern matches
    nothing)."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def pattern_expr(pattern: str) -> str | None:
    """An expression (over ``rng``) making strings that match ``pattern``, for the patterns ids and codes have
    (literals, classes, repeats, groups; the first branch of an alternation); None for anything else."""
    import re._constants as C  # noqa: N812 - the parser's opcodes
    import re._parser as parser

    alphabet = string.ascii_letters + string.digits
    categories = {C.CATEGORY_DIGIT: string.digits, C.CATEGORY_WORD: alphabet + "_", C.CATEGORY_SPACE: " "}

    def chars(items: Any) -> str:
        found: list[str] = []
        for op, value in items:
            if op == C.NEGATE:
                return alphabet
            if op == C.LITERAL:
                found.append(chr(value))
            elif op == C.RANGE:
                found.extend(chr(c) for c in range(value[0], min(value[1], value[0] + 94) + 1))
            elif op == C.CATEGORY:
                found.extend(categories.get(value, alphabet))
        return "".join(dict.fromkeys(found)) or alphabet

    def build(parsed: Any) -> str | None:
        parts = []
        for op, value in parsed:
            if op == C.LITERAL:
                parts.append(repr(chr(value)))
            elif op in (C.ANY, C.NOT_LITERAL, C.IN, C.CATEGORY):
                pool = chars(value) if op == C.IN else categories.get(value, alphabet) if op == C.CATEGORY else \
                    alphabet.replace(chr(value), "") if op == C.NOT_LITERAL else alphabet
                parts.append(f"rng.choice({pool!r})" if len(pool) > 1 else repr(pool))
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                low, high, sub = value
                high = min(low + 8 if high == C.MAXREPEAT else high, low + 8)
                inner = build(sub)
                if inner is None:
                    return None
                count = str(low) if low == high else f"rng.randint({low}, {high})"
                parts.append(inner if count == "1" else f'"".join({inner} for _ in range({count}))')
            elif op == C.SUBPATTERN:
                inner = build(value[-1])
                if inner is None:
                    return None
                parts.append(inner)
            elif op == C.BRANCH:
                inner = build(value[1][0])
                if inner is None:
                    return None
                parts.append(inner)
            elif op != C.AT:
                return None
        return " + ".join(parts) if parts else '""'

    try:
        return build(parser.parse(pattern))
    except (re.error, TypeError, ValueError, OverflowError):
        return None


def keys_name(table: str) -> str:
    return f"{table}_keys"


# ---------------------------------------------------------------------------------------------- rendering
HELPERS = {
    "_when": '''
def _when(start: dt.datetime, rng: random.Random, low: int, high: int) -> dt.datetime:
    """A seeded moment ``low``-``high`` days from the episode clock's start, in working hours."""
    day = start.replace(hour=0, minute=0) + dt.timedelta(days=rng.randint(low, high))
    return day + dt.timedelta(hours=rng.randint(8, 18), minutes=rng.choice((0, 15, 30, 45)))
''',
    "_distinct": '''
def _distinct(make: Any, count: int) -> list[Any]:
    """``count`` distinct values of ``make()`` (a value made twice is numbered)."""
    found: list[Any] = []
    seen: set[Any] = set()
    for index in range(count):
        value = make()
        for _ in range(20):
            if value not in seen:
                break
            value = make()
        if value in seen:
            value = f"{value} {index + 1}"
        seen.add(value)
        found.append(value)
    return found
''',
    "_decoded": '''
def _decoded(rows: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    """Rows as tools return them: flag columns as booleans, JSON columns as values."""
    for row in rows:
        for name in FLAGS.get(table, ()):
            if row.get(name) is not None:
                row[name] = bool(row[name])
        for name in DOCUMENTS.get(table, ()):
            if row.get(name) is not None:
                row[name] = json.loads(row[name])
    return rows
''',
    "_bound": '''
def _bound(value: Any, direction: int, rng: random.Random, day: bool = False) -> Any:
    """A range bound a seeded row falls within: a little below (direction -1) or above (+1) its value (``day``:
    as a date without a time)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value) + dt.timedelta(days=direction * rng.randint(0, 3))
        except ValueError:
            return value
        return moment.strftime(DAY if day or len(value) == 10 else TIME)
    if isinstance(value, int):
        return value + direction * rng.randint(0, max(1, abs(value) // 5))
    return round(value + direction * rng.uniform(0, abs(value) / 5), 2)
''',
    "_term": '''
def _term(label: Any) -> Any:
    """What a user would search a row by: the first two words of its label."""
    return " ".join(str(label).split()[:2]) if label is not None else None
''',
    "_start": '''
def _start(cursor: str | None) -> int:
    """The offset a cursor from an earlier page stands for."""
    if cursor in (None, ""):
        return 0
    if not cursor.isdigit():
        raise ToolError(f"cursor '{cursor}' is not one this service gave; pass the next_cursor of an earlier call "
                        "or leave it out to start from the first page")
    return int(cursor)
''',
    "_stored": '''
def _stored(value: Any) -> Any:
    """A value as a column holds it: lists and objects as JSON text, booleans as 0/1."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value
''',
}
TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"


class Code:
    """Lines of Python at an indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, indent: int, text: str) -> None:
        self.lines.extend(("    " * indent + line) if line else "" for line in text.split("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)


def literal(value: Any) -> str:
    return repr(value)


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Renderer:
    """Writes the module of a :class:`Model`."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.tables = model.tables
        self.typed: dict[str, str] = {}
        self.typed_by_body: dict[str, str] = {}
        self.helpers: set[str] = set()
        self.lookups: set[str] = set()
        self.service = slug(model.spec.name)

    # ---------------------------------------------------------------- types
    def annotation(self, shape: Shape, hint: str, nullable: bool = False, enum: bool = False) -> str:
        if shape.type == "array":
            text = f"list[{self.annotation(shape.items or STRING, hint + 'Item')}]"
        elif shape.type == "object":
            if shape.fields:
                text = self.typed_dict(hint, {name: self.annotation(sub, hint + camel(name), False, enum)
                                              for name, sub in shape.fields.items()}, total=not enum)
            else:
                text = "dict[str, Any]"
        elif enum and shape.enum and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in shape.enum):
            text = f"Literal[{', '.join(literal(v) for v in shape.enum)}]"
        else:
            text = {"integer": "int", "number": "float", "boolean": "bool"}.get(shape.type, "str")
        return f"{text} | None" if nullable else text

    def typed_dict(self, name: str, fields: dict[str, str], total: bool = True) -> str:
        """The name of a TypedDict with these fields (one definition per distinct set of fields)."""
        body = ", ".join(f"{key!r}: {value}" for key, value in fields.items())
        signature = body + ("" if total else ", total=False")
        if signature in self.typed_by_body:
            return self.typed_by_body[signature]
        base, index = name, 2
        while name in self.typed:
            name, index = f"{base}{index}", index + 1
        definition = f'{name} = TypedDict("{name}", {{{body}}}{"" if total else ", total=False"})'
        if len(definition) > 116:
            pad = " " * len(f'{name} = TypedDict("{name}", {{')
            definition = f'{name} = TypedDict("{name}", {{' + f",\n{pad}".join(
                f"{key!r}: {value}" for key, value in fields.items()) + "}" + ("" if total else ", total=False") + ")"
        self.typed[name] = definition
        self.typed_by_body[signature] = name
        return name

    def column_annotation(self, table: Table, column: str, nullable: bool = False) -> str:
        found = table.columns[column]
        return self.annotation(found.shape, camel(table.entity) + camel(column), nullable or found.nullable)

    def row_type(self, table: Table) -> str:
        return self.typed_dict(camel(table.entity), {c.name: self.column_annotation(table, c.name)
                                                     for c in table.columns.values() if not c.hidden})

    @staticmethod
    def select_list(table: Table) -> str:
        """The columns tools return (all but hidden ones), for a SELECT."""
        if not any(c.hidden for c in table.columns.values()):
            return "*"
        return ", ".join(sql_name(c.name) for c in table.columns.values() if not c.hidden)

    def projection(self, table: Table, fields: dict[str, Shape], hint: str) -> tuple[str, dict[str, str]]:
        """(TypedDict, field -> column) of listed rows showing the given fields."""
        mapping = {}
        for name in fields:
            mapping[name] = entity_column_of(table, name)
        annotation = self.typed_dict(hint, {name: self.column_annotation(table, column)
                                            for name, column in mapping.items()})
        return annotation, mapping

    def out_annotation(self, plan: ToolPlan, out: Out) -> str:
        hint = camel(plan.method) + camel(out.name)
        source = out.source
        if source == "column":
            table = self.tables[out.table]
            return self.column_annotation(table, out.column, nullable=plan.kind == "session")
        if source == "first":
            return self.column_annotation(self.tables[out.table], out.column, nullable=True)
        if source == "param":
            arg = next(a for a in plan.args if a.py == out.arg)
            return self.annotation(out.shape, hint, nullable=not arg.param.required)
        if source == "none":
            return self.annotation(out.shape, hint)
        if source in ("rows", "children", "written"):
            table = self.tables[out.table]
            items = out.shape.items if out.shape.items is not None else None
            if items is not None and items.fields:
                return f"list[{self.projection(table, items.fields, hint + 'Item')[0]}]"
            return f"list[{self.row_type(table)}]"
        if source == "values":
            table = self.tables[out.table]
            found = table.columns[out.column]
            inner = found.shape.items if found.document and found.shape.items else found.shape
            return f"list[{self.annotation(inner, hint)}]"
        if source == "ids":
            table = self.tables[out.table]
            return f"list[{self.column_annotation(table, table.key)}]"
        if source in ("count", "total", "shown", "page", "pages"):
            return "float" if out.shape.type == "number" else "int"
        if source in ("more", "flag"):
            return "bool"
        return "str"

    def result_annotation(self, plan: ToolPlan) -> str:
        table = plan.table
        if plan.bare == "rows":
            items = plan.returns.items
            if items is not None and items.fields:
                return f"list[{self.projection(table, items.fields, camel(plan.method) + 'Item')[0]}]"
            return f"list[{self.row_type(table)}]"
        if plan.bare == "values":
            found = table.columns[plan.state_column]
            inner = found.shape.items if found.document and found.shape.items else found.shape
            return f"list[{self.annotation(inner, camel(plan.method))}]"
        if plan.bare == "row":
            return self.row_type(table)
        if plan.bare == "scalar":
            return self.out_annotation(plan, plan.outs[0])
        return self.typed_dict(camel(plan.method) + "Result", {o.name: self.out_annotation(plan, o)
                                                                for o in plan.outs})

    def param_annotation(self, plan: ToolPlan, arg: Arg) -> str:
        param = arg.param
        shape = param.shape
        hint = camel(plan.method) + camel(arg.name)
        base = self.annotation(shape, hint, enum=True)
        if arg.role == "sort" and not shape.enum and shape.type == "string":
            base = f"Literal[{', '.join(literal(v) for v in self.sort_options(plan, arg))}]"
        constraints = []
        if arg.role == "limit" and shape.type == "integer":
            constraints.append(f"ge={int(shape.minimum) if shape.minimum is not None else 1}, "
                               f"le={int(shape.maximum) if shape.maximum is not None else 100}")
        elif arg.role in ("offset",) and shape.type == "integer":
            constraints.append("ge=0")
        elif arg.role == "page" and shape.type == "integer":
            constraints.append("ge=1")
        elif shape.type in ("integer", "number") and (shape.minimum is not None or shape.maximum is not None):
            bounds = [f"ge={shape.minimum!r}" if shape.minimum is not None else "",
                      f"le={shape.maximum!r}" if shape.maximum is not None else ""]
            constraints.append(", ".join(b for b in bounds if b))
        elif shape.type == "string" and not shape.enum:
            if shape.pattern:
                constraints.append(f"pattern={shape.pattern!r}")
            elif arg.role == "limit":
                constraints.append('pattern=r"^\\d+$"')
            elif self.is_time_arg(arg):
                constraints.append(f"pattern={TIME_PATTERN!r}")
            elif arg.role in ("key", "parent", "ref", "locate", "credential", "value") and param.required:
                constraints.append("min_length=1")
            if shape.max_length is not None:
                constraints.append(f"max_length={shape.max_length}")
        known = self.user_known(arg)
        extras = (["UserKnown"] if known else []) + [f"Field({', '.join(constraints)})"] * bool(constraints)
        text = f"Annotated[{base}, {', '.join(extras)}]" if extras else base
        if not param.required and not (self.numbered(arg) or param.default is not None):
            text = f"{text} | None"
        return text

    def is_time_arg(self, arg: Arg) -> bool:
        if arg.param.shape.type != "string" or arg.param.shape.format not in (None, "date", "date-time"):
            return False
        if arg.role in ("min", "max"):
            column = arg.column and any(arg.column in t.columns and is_time_name(arg.column) for t in
                                        self.tables.values())
            return bool(column) or is_time_name(arg.name)
        return arg.role in ("value", "filter") and is_time_name(arg.name) and not re.search(
            r"period|range|zone|frame|span", norm(arg.name))

    def user_known(self, arg: Arg) -> bool:
        """Whether the user states this input themselves: names, emails, free text, credentials, and identifiers
        of rows no tool lists."""
        if arg.role in ("credential", "locate", "query"):
            return True
        if arg.role in ("key", "parent", "ref"):
            return arg.table is not None and self.tables[arg.table].known_key
        key = norm(arg.name)
        return arg.param.shape.type == "string" and bool(re.search(
            r"(^|_)(name|title|email|username|user_name|address|phone|phone_number|number|city|country|subject|"
            r"description|text|body|"
            r"message|content|notes?|comment|reason|password|symbol|ticker|query|keywords?|location|destination|"
            r"origin|summary|topic|label)$", key))

    def default(self, arg: Arg) -> str:
        """The default of an optional parameter ("" for a required one)."""
        param = arg.param
        if param.required:
            return ""
        if param.default is not None and not isinstance(param.default, (dict, list)):
            return literal(param.default)
        if self.numbered(arg):
            high = int(param.shape.maximum) if param.shape.maximum is not None else 100
            return {"limit": str(min(20, high)), "offset": "0", "page": "1"}[arg.role]
        return "None"

    @staticmethod
    def numbered(arg: Arg) -> bool:
        """An optional integer limit, offset or page: it gets a number as default instead of None."""
        return arg.role in ("limit", "offset", "page") and arg.param.shape.type == "integer" and not \
            arg.param.required

    # --------------------------------------------------------------- phrases
    def phrases(self, plan: ToolPlan) -> list[str]:
        """How a user asks for a call: an imperative clause per kind, placeholders for what they state."""
        table = plan.table
        thing = human(table.entity) if table is not None else "record"
        things = human(plan.rows_table.name) if plan.rows_table is not None else human(plural(thing))
        args = {a.role: a for a in plan.args}
        key = next((a for a in plan.args if a.role == "key"), None) or args.get("locate")
        parents = [a for a in plan.args if a.role == "parent"]
        owner = "".join(f" of {{{a.py}}}" for a in parents if a.param.required)
        values = [a for a in plan.args if a.role in ("value", "ref", "credential")]
        filters = [a for a in plan.args if a.role in ("filter", "any", "min", "max", "only", "include",
                                                      "child_limit") or (a.role == "parent" and not a.param.required)]
        tail = "".join(self.phrase_part(a) for a in filters if a.param.required)
        tail += "".join(f"[{self.phrase_part(a)}]" for a in filters if not a.param.required)
        limit = args.get("limit")
        verb = (plan.verb or "get").replace("_", " ")
        if plan.kind == "login":
            said = ", ".join(f"{human(a.name)} {{{a.py}}}" for a in values)
            return [f"log in with {said}" if said else "log in", f"sign in using {said}" if said else "sign in"]
        if plan.kind == "logout":
            return ["log out", "sign me out"]
        if plan.kind == "session":
            return ["check whether I'm logged in", "tell me if my session is still active"]
        if plan.kind in ("get", "lookup"):
            if key is not None:
                subject = f"{{{key.py}}}" if key.role == "key" else f"the {thing} with {human(key.name)} {{{key.py}}}"
                return [f"look up {subject}{owner}{tail}", f"show me the details of {subject}{owner}{tail}"]
            if table is not None and table.singleton and not tail:
                words_ = " ".join(self_words(plan)) or thing
                return [f"check the {words_}", f"tell me the {words_}"]
            return [f"look up the {thing}{tail}", f"find the {thing}{tail}"]
        if plan.kind in ("list", "search"):
            query = args.get("query")
            shown = f"[ (at most {{{limit.py}}})]" if limit is not None else ""
            if query is not None:
                q = f"{{{query.py}}}" if query.param.required else f"[ matching {{{query.py}}}]"
                if query.param.required:
                    return [f"search the {things}{owner} for {q}{tail}{shown}",
                            f"find {things}{owner} matching {q}{tail}{shown}"]
                return [f"list the {things}{owner}{q}{tail}{shown}", f"show me the {things}{owner}{q}{tail}{shown}"]
            return [f"list the {things}{owner}{tail}{shown}", f"show me the {things}{owner}{tail}{shown}"]
        target = f"{{{key.py}}}" if key is not None and key.role == "key" else (
            f"the {thing} with {human(key.name)} {{{key.py}}}" if key is not None else
            (f"the {thing}{owner}" if owner else f"the {thing}"))
        if key is not None:
            target += owner
        required = [a for a in values if a.param.required]
        optional = [a for a in values if not a.param.required]
        said = ", ".join(f"the {human(a.name)} {{{a.py}}}" for a in required)
        extra = "".join(f"[, the {human(a.name)} {{{a.py}}}]" for a in optional)
        if plan.kind == "create":
            article = "an" if thing[:1] in "aeiou" else "a"
            subject = f"{article} {thing}{owner}"
            with_ = f" with {said}" if said else ""
            return [f"{verb} {subject}{with_}{extra}", f"{verb} a new {thing}{owner}{with_}{extra}"]
        rest = " ".join(w for w in plan.words if w not in thing.split() and w not in NOUN_STOP)
        action = f"{verb} {rest}".strip()  # "enable roaming", "refuel data", "mark read"
        amounts = [a for a in plan.args if a.role == "amount"]
        if amounts:
            settings = "".join(f"[, setting the {human(a.name)} to {{{a.py}}}]" for a in values)
            return [f"{action} for {target} by {{{amounts[0].py}}}{settings}",
                    f"{action} of {target}: {{{amounts[0].py}}} more{settings}" if plan.state_value == 1 else
                    f"{action} of {target}: {{{amounts[0].py}}} less{settings}"]
        if plan.kind == "update":
            settings = [a for a in values]
            if not settings:
                return [f"{verb} {target}"]
            combined = f"update {target}" + "".join(f"[, setting the {human(a.name)} to {{{a.py}}}]" if not
                                                    a.param.required else f", setting the {human(a.name)} to "
                                                    f"{{{a.py}}}" for a in settings)
            single = [f"change the {human(a.name)} of {target} to {{{a.py}}}" for a in settings
                      if all(b.param.required is False or b is a for b in settings)]
            return [combined, *single[:4]]
        if plan.kind == "delete":
            return [f"delete {target}", f"remove {target}"]
        lead = f"{action} for" if rest else verb
        return [f"{lead} {target}{(' with ' + said) if said else ''}{extra}",
                f"please {lead} {target}{(' with ' + said) if said else ''}{extra}"]

    def phrase_part(self, arg: Arg) -> str:
        name = human(arg.column or arg.name)
        if arg.role == "min":
            return f" from {{{arg.py}}}" if self.is_time_arg(arg) else f" with {name} at least {{{arg.py}}}"
        if arg.role == "max":
            return f" until {{{arg.py}}}" if self.is_time_arg(arg) else f" with {name} at most {{{arg.py}}}"
        if arg.role == "only":
            return f" (only {name}: {{{arg.py}}})"
        if arg.role == "include":
            return f" (including {name}: {{{arg.py}}})"
        if arg.role == "child_limit":
            return f" showing at most {{{arg.py}}} of them"
        if arg.role == "parent":
            return f" of {{{arg.py}}}"
        return f" with {human(arg.name)} {{{arg.py}}}"

    # ------------------------------------------------------------- docstrings
    def summary(self, plan: ToolPlan) -> str:
        text = " ".join(plan.op.description.split())
        if text:
            return text if text.endswith(".") else text + "."
        table = plan.table
        thing = human(table.entity) if table is not None else "record"
        things = human(plan.rows_table.name) if plan.rows_table is not None else thing
        return {
            "get": f"Get one {thing} by its identifier.",
            "lookup": f"Look up the {thing} matching the given values." if table is not None and not table.singleton
            else f"Get the current {' '.join(self_words(plan)) or thing}.",
            "list": f"List {things}, filtered and paged.",
            "search": f"Search {things} by text, filtered and paged.",
            "create": f"Create {'an' if thing[:1] in 'aeiou' else 'a'} {thing}.",
            "update": (f"Change {'an' if thing[:1] in 'aeiou' else 'a'} {thing}; only the values given change."
                       if not plan.arg("amount") else
                       f"{'Add to' if plan.state_value == 1 else 'Take from'} the {human(plan.arg('amount').column)} "
                       f"of {'an' if thing[:1] in 'aeiou' else 'a'} {thing}."),
            "delete": f"Delete {'an' if thing[:1] in 'aeiou' else 'a'} {thing}.",
            "transition": (f"Mark {'an' if thing[:1] in 'aeiou' else 'a'} {thing} as {plan.state_value}."
                           if not isinstance(plan.state_value, bool) else
                           f"Turn {human(plan.state_column or '')} {'on' if plan.state_value else 'off'} for "
                           f"{'an' if thing[:1] in 'aeiou' else 'a'} {thing}."),
            "login": "Log in; the token returned identifies the session.",
            "logout": "Log out (end the session).",
            "session": "Whether someone is logged in.",
        }.get(plan.kind, f"{human(plan.op.name).capitalize()}.")

    def describe_arg(self, plan: ToolPlan, arg: Arg) -> str:
        if arg.param.shape.description:
            text = " ".join(arg.param.shape.description.split())
            return text if text.endswith(".") else text + "."
        name = human(arg.name)
        things = human(plan.rows_table.name) if plan.rows_table is not None else "results"
        table = self.tables.get(arg.table or "") if arg.table else None
        role = arg.role
        if role in ("key", "parent", "ref"):
            owner = table or plan.table
            listers = ", ".join(owner.listers[:2]) if owner is not None and owner.listers else ""
            return f"The {human(owner.entity) if owner else name}'s {human(owner.key) if owner else 'id'}" + (
                f" (as {listers} show{'s' if len(owner.listers) == 1 else ''})." if listers else ".")
        texts = {
            "filter": f"Only {things} whose {human(arg.column or arg.name)} is this.",
            "any": f"Only {things} whose {human(arg.column or arg.name)} is one of these.",
            "min": f"Only {things} whose {human(arg.column or arg.name)} is at least this.",
            "max": f"Only {things} whose {human(arg.column or arg.name)} is at most this.",
            "only": f"True: only {things} that are {human(arg.column or arg.name)}.",
            "include": f"False: leave out {things} that are {human(arg.column or arg.name)}.",
            "query": f"Text to look for in the {things} (case-insensitive).",
            "limit": f"At most this many {things}.",
            "child_limit": "At most this many rows in each list of the result.",
            "offset": f"Skip this many {things} first.",
            "page": "Page number, from 1.",
            "cursor": "The cursor an earlier call returned, to go on from there.",
            "sort": "Field to order by.",
            "direction": "asc or desc.",
            "option": "How the result is presented (the data returned is the same).",
            "token": "The access token the login returned.",
            "credential": f"The account's {name}.",
            "locate": f"The {name} of the {human(plan.table.entity) if plan.table else 'record'}.",
            "value": f"The {name}.",
        }
        return texts.get(role, f"The {name}.")

    # ----------------------------------------------------------------- bodies
    def entity_helper(self, table: Table) -> str:
        """The name of the method returning a row of ``table`` by key (or raising a ToolError)."""
        self.lookups.add(table.name)
        return f"_{table.entity}"

    def missing(self, table: Table, what: str) -> str:
        """An error message's advice: which tools show what was not found."""
        listers = [t for t in table.listers][:2]
        if listers:
            return f"{' or '.join(listers)} show{'s' if len(listers) == 1 else ''} the {what}"
        return f"check the {what}"

    def where(self, plan: ToolPlan, table: Table, code: Code, indent: int) -> tuple[str, list[str], bool]:
        """(SQL condition, its argument expressions, whether it is an f-string) for the filters of a read."""
        clauses: list[str] = []
        values: list[str] = []
        dynamic = False
        for arg in plan.args:
            role, py = arg.role, arg.py
            column = table.column(arg.column) if arg.column else None
            if arg.role == "query":
                self.ensure_text(table)
                if arg.param.required:
                    code.add(indent, f"match, terms = self.text_filter({table.name!r}, {py})")
                else:
                    code.add(indent, f"match, terms = self.text_filter({table.name!r}, {py}) if {py} else "
                                     "(\"1\", ())")
                clauses.append("{match}")
                values.append("*terms")
                dynamic = True
                continue
            if arg.role == "token" and plan.anchor is not None and plan.anchor.name == self.model.accounts:
                owner = next((c for c in table.columns.values() if c.ref == plan.anchor.name), None)
                if owner is not None and table is not plan.anchor:
                    code.add(indent, f"account = self._signed_in({py})")
                    clauses.append(f"{sql_name(owner.name)} = ?")
                    values.append(f"account[{plan.anchor.key!r}]")
                continue
            if column is None or role not in ("filter", "any", "min", "max", "only", "include", "parent"):
                continue
            name = f'{sql_name(table.name)}.{sql_name(column.name)}'
            optional = not arg.param.required
            text = column.type == "string"
            if role == "parent":
                condition, args = f"{name} = ?", [py]
            elif role == "filter":
                if column.document:
                    condition = f"EXISTS (SELECT 1 FROM json_each({name}) WHERE value = ?)"
                else:
                    condition = f"{name} = ?" + (" COLLATE NOCASE" if text else "")
                args = [py if arg.param.shape.type != "boolean" else f"_stored({py})"]
                if arg.param.shape.type == "boolean":
                    self.helpers.add("_stored")
            elif role == "any":
                self.helpers.add("_stored")
                inner = "SELECT value FROM json_each(?)"
                condition = (f"EXISTS (SELECT 1 FROM json_each({name}) WHERE value IN ({inner}))" if column.document
                             else f"{name} IN ({inner})")
                args = [f"_stored({py})"]
            elif role in ("min", "max"):
                op = ">=" if role == "min" else "<="
                if text:
                    condition, args = f"substr({name}, 1, length(?)) {op} ?", [py, py]
                else:
                    condition, args = f"{name} {op} ?", [py]
            elif role == "only":
                condition, args = f"(NOT ? OR {name} = 1)", [py]
            else:
                condition, args = f"(? OR {name} = 0)", [py]
            if optional:
                condition = f"(? IS NULL OR {condition})"
                args = [args[0], *args]
            clauses.append(condition)
            values.extend(args)
        return (" AND ".join(clauses) or "1"), values, dynamic

    def ensure_text(self, table: Table) -> None:
        if not table.text:
            table.text = [c for c in (table.label,) if c] or [next(c.name for c in table.columns.values()
                                                                   if c.type == "string")]

    def order_by(self, plan: ToolPlan, table: Table, code: Code) -> str:
        """The ORDER BY of a list: the sort argument's column, else the label, then the key."""
        default = table.label or table.key
        sort = plan.arg("sort")
        direction = plan.arg("direction")
        column = sql_name(default)
        if sort is not None:
            options = self.sort_options(plan, sort)
            mapping = ", ".join(f"{value!r}: {sql_name(col)!r}" for value, col in options.items())
            code.add(0, f"column = {{{mapping}}}.get({sort.py} or '', {sql_name(default)!r})")
            column = "{column}"
        text = f"{sql_name(table.name)}.{column}"
        if direction is not None:
            text += ' {"DESC" if ' + self.descending(direction) + ' else "ASC"}'
        if default != table.key:
            text += f", {sql_name(table.name)}.{sql_name(table.key)}"
        return text

    def sort_options(self, plan: ToolPlan, sort: Arg) -> dict[str, str]:
        """Accepted sort values -> columns (the declared enum's values that name columns, else every column)."""
        table = plan.rows_table
        if sort.param.shape.enum:
            found = {str(v): entity_column_of(table, str(v)) or entity_column_of(table, norm(str(v)))
                     for v in sort.param.shape.enum}
            return {v: c for v, c in found.items() if c}
        return {c.name: c.name for c in table.columns.values() if not c.document}

    @staticmethod
    def descending(arg: Arg) -> str:
        if arg.param.shape.type == "boolean":
            return f"{arg.py}" if norm(arg.name) in ("descending", "desc") else f"{arg.py} is False"
        return f"str({arg.py}).lower().startswith(\"desc\")"

    def out_expr(self, plan: ToolPlan, out: Out, row: str) -> str:
        """The expression of one result field."""
        source = out.source
        if source in ("column", "first"):
            return f"{row}[{out.column!r}]"
        if source == "param":
            return out.arg
        if source == "written":
            return self.project(out, self.tables[out.table], "created" if plan.arg("batch") else f"[{row}]")
        if source == "none":
            return "[]"
        if source in ("children", "ids", "count"):
            table = self.tables[out.table]
            parent = self.tables[table.columns[out.column].ref or plan.table.name] if source == "children" else (
                self.tables[table.parent] if table.parent else plan.table)
            fk = out.column if source == "children" else (table.parent_column or next(
                (c.name for c in table.columns.values() if c.ref == parent.name), table.key))
            key = f"{row}[{parent.key!r}]"
            if source == "count":
                return f"self.value('SELECT COUNT(*) FROM {sql_name(table.name)} WHERE {sql_name(fk)} = ?', {key})"
            if source == "ids":
                return (f"[r[{table.key!r}] for r in self.rows('SELECT {sql_name(table.key)} FROM "
                        f"{sql_name(table.name)} WHERE {sql_name(fk)} = ? ORDER BY {sql_name(table.key)}', {key})]")
            limit = plan.arg("child_limit")
            limit_sql, limit_arg = (" LIMIT ?", f", {limit.py} or 50") if limit is not None else (" LIMIT 50", "")
            self.helpers.add("_decoded")
            fetched = (f"_decoded(self.rows('SELECT {self.select_list(table)} FROM {sql_name(table.name)} "
                       f"WHERE {sql_name(fk)} = ? "
                       f"ORDER BY rowid{limit_sql}', {key}{limit_arg}), {table.name!r})")
            return self.project(out, table, fetched)
        if source == "flag":
            return "True" if plan.kind != "session" else "row is not None"
        if source == "message":
            thing = human(plan.table.entity) if plan.table is not None else "record"
            done = {"create": "created", "update": "updated", "delete": "deleted", "transition": "updated",
                    "login": "logged in", "logout": "logged out"}.get(plan.kind, "done")
            key = plan.table.key if plan.table is not None else None
            if plan.kind in ("transition",):
                done = f"now {plan.state_value}"
            if key and plan.kind not in ("logout",):
                return f'f"{thing} {{{row}[{key!r}]}} {done}"'
            return f'"{thing} {done}"'
        if source == "token":
            return "token"
        return "None"

    def project(self, out: Out, table: Table, fetched: str) -> str:
        """Listed rows showing the declared fields (all columns when the description names none)."""
        items = out.shape.items
        if items is None or not items.fields:
            if self.select_list(table) == "*" or "SELECT" in fetched:
                return fetched
            body = ", ".join(f"{c.name!r}: r[{c.name!r}]" for c in table.columns.values() if not c.hidden)
            return f"[{{{body}}} for r in {fetched}]"
        mapping = {name: entity_column_of(table, name) for name in items.fields}
        if all(name == column for name, column in mapping.items()) and list(mapping) == list(table.columns):
            return fetched
        body = ", ".join(f"{name!r}: r[{column!r}]" for name, column in mapping.items())
        return f"[{{{body}}} for r in {fetched}]"

    def result_dict(self, plan: ToolPlan, row: str) -> str:
        if plan.bare == "row":
            if self.select_list(plan.table) == "*":
                return row
            return "{" + ", ".join(f"{c.name!r}: {row}[{c.name!r}]" for c in plan.table.columns.values()
                                   if not c.hidden) + "}"
        if plan.bare == "scalar":
            return self.out_expr(plan, plan.outs[0], row)
        parts = [f"{o.name!r}: {self.out_expr(plan, o, row)}" for o in plan.outs]
        return "{" + ", ".join(parts) + "}"

    def locate(self, plan: ToolPlan, code: Code, indent: int, var: str = "row") -> str:
        """Lines that fetch the row a tool acts on into ``var``; returns how it is keyed ("key", "scope" for every
        row under an owner, "state" for the single row)."""
        table = plan.table
        key = next((a for a in plan.args if a.role == "key" and a.table == table.name), None)
        locator = plan.arg("locate")
        parents = [a for a in plan.args if a.role == "parent" and a.param.required]
        token = plan.arg("token")
        for parent in parents:
            owner = self.tables[parent.table] if parent.table else None
            if owner is not None and owner is not table:
                code.add(indent, f"self.{self.entity_helper(owner)}({parent.py})")
        if table.singleton:
            code.add(indent, f"{var} = self._state()")
            self.lookups.add("_state")
            return "state"
        if token is not None and self.model.accounts == table.name:
            code.add(indent, f"{var} = self._signed_in({token.py})")
            return "key"
        if key is not None:
            code.add(indent, f"{var} = self.{self.entity_helper(table)}({key.py})")
            for parent in parents:
                column = parent.column
                if column and table.column(column) is not None:
                    code.add(indent, f"if {var}[{column!r}] != {parent.py}:")
                    code.add(indent + 1, f'raise ToolError(f"{human(table.entity)} \'{{{key.py}}}\' does not belong '
                                         f'to {human(parent.name)} \'{{{parent.py}}}\'")')
            return "key"
        conditions, values = [], []
        if locator is not None:
            text = table.columns[locator.column].type == "string"
            conditions.append(f"{sql_name(locator.column)} = ?" + (" COLLATE NOCASE" if text else ""))
            values.append(locator.py)
        for parent in parents:
            if parent.column and table.column(parent.column) is not None:
                conditions.append(f"{sql_name(parent.column)} = ?")
                values.append(parent.py)
        narrow = [a for a in plan.args if a.role == "narrow"]
        for arg in narrow:
            conditions.append(f"(? IS NULL OR {sql_name(arg.column)} = ?)")
            values.extend([arg.py, arg.py])
        if token is not None and self.model.accounts:
            owner = next((c for c in table.columns.values() if c.ref == self.model.accounts), None)
            if owner is not None:
                code.add(indent, f"account = self._signed_in({token.py})")
                conditions.append(f"{sql_name(owner.name)} = ?")
                values.append(f"account[{self.tables[self.model.accounts].key!r}]")
        said = " and ".join(f"{human(a.name)} '{{{a.py}}}'" for a in [locator, *parents] if a is not None)
        what = f"no {human(table.entity)} with {said}" if said else f"no {human(table.entity)} found"
        self.helpers.add("_decoded")
        condition = " AND ".join(conditions) or "1"
        code.add(indent, f"{var} = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition} ORDER BY rowid'"
                         f"{''.join(', ' + v for v in values)})")
        code.add(indent, f"if {var} is None:")
        code.add(indent + 1, f'raise ToolError(f"{what}; {self.missing(table, human(table.entity) + "s")}")')
        code.add(indent, f"{var} = _decoded([{var}], {table.name!r})[0]")
        return "scope" if locator is None and parents and not narrow else "key"

    def body(self, plan: ToolPlan) -> Code:
        code = Code()
        kind = plan.kind
        if kind in ("get", "lookup"):
            self.body_get(plan, code)
        elif kind in ("list", "search"):
            self.body_list(plan, code)
        elif kind == "create":
            self.body_create(plan, code)
        elif kind in ("update", "transition"):
            self.body_update(plan, code)
        elif kind == "delete":
            self.body_delete(plan, code)
        elif kind == "login":
            self.body_login(plan, code)
        elif kind == "logout":
            self.body_logout(plan, code)
        else:
            self.body_session(plan, code)
        return code

    def body_get(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        if plan.kind == "lookup" and not table.singleton and not plan.arg("locate"):
            where, values, dynamic = self.where(plan, table, code, 0)
            self.helpers.add("_decoded")
            prefix = "f" if dynamic else ""
            code.add(0, f"row = self.row({prefix}'SELECT * FROM {sql_name(table.name)} WHERE {where} "
                        f"ORDER BY rowid'{''.join(', ' + v for v in values)})")
            said = " and ".join(f"{human(a.name)} '{{{a.py}}}'" for a in plan.args
                                if a.role in ("filter", "any", "min", "max") and a.param.required)
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError(f"no {human(table.entity)} {("with " + said) if said else "matches"}; '
                        f'{self.missing(table, human(table.name))}")')
            code.add(0, f"row = _decoded([row], {table.name!r})[0]")
        else:
            self.locate(plan, code, 0)
            for arg in plan.args:
                if arg.role in ("filter", "match") and arg.column and not table.singleton:
                    code.add(0, f"if {arg.py} is not None and row[{arg.column!r}] != {arg.py}:")
                    code.add(1, f'raise ToolError(f"{human(table.entity)} has {human(arg.column)} '
                                f'\'{{row[{arg.column!r}]}}\', not \'{{{arg.py}}}\'")')
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_list(self, plan: ToolPlan, code: Code) -> None:
        table = plan.rows_table
        parents = [a for a in plan.args if a.role == "parent" and a.param.required and a.table]
        for parent in parents:
            owner = self.tables[parent.table]
            if owner is table:
                continue
            matched = [a for a in plan.args if a.role == "match" and a.table == owner.name]
            if not matched:
                code.add(0, f"self.{self.entity_helper(owner)}({parent.py})")
                continue
            code.add(0, f"parent_row = self.{self.entity_helper(owner)}({parent.py})")
            for arg in matched:
                code.add(0, f"if parent_row[{arg.column!r}] != {arg.py}:")
                code.add(1, f'raise ToolError(f"{human(owner.entity)} \'{{{parent.py}}}\' has {human(arg.column)} '
                            f'\'{{parent_row[{arg.column!r}]}}\', not \'{{{arg.py}}}\'")')
        where, values, dynamic = self.where(plan, table, code, 0)
        limit, offset, page, cursor = plan.arg("limit"), plan.arg("offset"), plan.arg("page"), plan.arg("cursor")
        size = "20"
        if limit is not None:
            size = limit.py if limit.param.shape.type == "integer" and (limit.param.required or self.numbered(
                limit)) else f"int({limit.py} or 20)"
        code.add(0, f"batch = {size}")
        if cursor is not None:
            self.helpers.add("_start")
            code.add(0, f"first = _start({cursor.py})")
        elif offset is not None:
            code.add(0, f"first = {offset.py}" + ("" if self.numbered(offset) or offset.param.required else " or 0"))
        elif page is not None:
            page_value = page.py if self.numbered(page) or page.param.required else f"int({page.py} or 1)"
            code.add(0, f"first = ({page_value} - 1) * batch")
        else:
            code.add(0, "first = 0")
        args = "".join(", " + v for v in values)
        code.add(0, f"where = f'{where}'" if dynamic else f"where = '{where}'")
        order = self.order_by(plan, table, code)
        self.helpers.add("_decoded")
        source = sql_name(table.name)
        if plan.bare == "values" or any(o.source == "values" and o.name == plan.rows_field for o in plan.outs):
            column = table.columns[plan.state_column]
            if column.document:
                select = (f"SELECT DISTINCT j.value AS value FROM {source}, json_each({source}."
                          f"{sql_name(column.name)}) AS j WHERE {{where}}")
            else:
                select = f"SELECT DISTINCT {source}.{sql_name(column.name)} AS value FROM {source} WHERE {{where}}"
            code.add(0, f"total = self.value(f'SELECT COUNT(*) FROM ({select})'{args})")
            code.add(0, f"shown = [r['value'] for r in self.rows(f'{select} ORDER BY value LIMIT ? OFFSET ?'"
                        f"{args}, batch, first)]")
            listed = "shown"
        else:
            code.add(0, f"total = self.value(f'SELECT COUNT(*) FROM {source} WHERE {{where}}'{args})")
            code.add(0, f"rows = _decoded(self.rows(f'SELECT {self.select_list(table)} FROM {source} WHERE {{where}} "
                        f"ORDER BY {order} "
                        f"LIMIT ? OFFSET ?'{args}, batch, first), {table.name!r})")
            listed = "rows"
        if plan.bare in ("rows", "values"):
            items = plan.returns.items
            if plan.bare == "rows" and items is not None and items.fields:
                mapping = {name: entity_column_of(table, name) for name in items.fields}
                body = ", ".join(f"{name!r}: r[{column!r}]" for name, column in mapping.items())
                code.add(0, f"return [{{{body}}} for r in rows]")
            else:
                code.add(0, f"return {listed}")
            return
        parts = []
        for out in plan.outs:
            parts.append(f"{out.name!r}: {self.list_out(plan, out, listed)}")
        code.add(0, "return {" + ", ".join(parts) + "}")

    def list_out(self, plan: ToolPlan, out: Out, listed: str) -> str:
        source = out.source
        if source == "rows":
            table = self.tables[out.table]
            if out.table == plan.rows_table.name:
                return self.project(out, table, listed)
            return self.project(out, table, self.extra_rows(plan, table))
        if source == "values":
            if out.name == plan.rows_field:
                return listed
            column = self.tables[out.table].columns[out.column]
            if column.document:
                return f"sorted({{v for r in {listed} for v in (r[{out.column!r}] or [])}}, key=str)"
            return f"[r[{out.column!r}] for r in {listed}]"
        if source == "total":
            return "total"
        if source == "shown":
            return f"len({listed})"
        if source == "cursor":
            return f"str(first + len({listed})) if first + len({listed}) < total else \"\""
        if source == "more":
            return f"first + len({listed}) < total"
        if source == "page":
            return "first // batch + 1"
        if source == "pages":
            return "(total + batch - 1) // batch"
        if source == "first":
            return f"{listed}[0][{out.column!r}] if {listed} else None"
        if source == "param":
            return out.arg
        if plan.anchor is not None and out.source == "column":
            owner = next((a for a in plan.args if a.role == "parent" and a.table == plan.anchor.name), None)
            token = plan.arg("token")
            if owner is not None:
                return f"self.{self.entity_helper(plan.anchor)}({owner.py})[{out.column!r}]"
            if token is not None and self.model.accounts == plan.anchor.name:
                return f"self._signed_in({token.py})[{out.column!r}]"
        return self.out_expr(plan, out, "row")

    def extra_rows(self, plan: ToolPlan, table: Table) -> str:
        """Rows of a second array of a list result (``upcoming_games`` beside ``current_games``), filtered alike
        (a text query only filters the first)."""
        self.helpers.add("_decoded")
        where, values, dynamic = self.where(plan, table, Code(), 0)
        if dynamic:
            where, values = "1", []
        args = "".join(", " + v for v in values)
        return (f"_decoded(self.rows('SELECT {self.select_list(table)} FROM {sql_name(table.name)} WHERE {where} "
                f"ORDER BY rowid LIMIT ?'"
                f"{args}, batch), {table.name!r})")

    def insert_value(self, table: Table, column: Column) -> str:
        """What a create stores in a column no argument fills."""
        key = norm(column.name)
        if column.key:
            return "key"
        if column.hidden:
            return "None"
        if (column.stamp or is_time_name(column.name)) and column.type == "string":
            column.stamp = True
            fmt = "DAY" if DATE_ONLY.search(key) else "TIME"
            return f"self.now().strftime({fmt})"
        if is_time_name(column.name) and column.type in ("integer", "number"):
            column.stamp = True
            return "int((self.now() - EPOCH).total_seconds())"
        found = choices(self.model, table, column)
        if found:
            start = [c for c in found if c not in FINAL_STATES and c not in ("inactive", "suspended")] or found
            return literal(start[0])
        if key in SESSION_DEFAULTS and table.name == self.model.sessions:
            return SESSION_DEFAULTS[key]
        if column.type == "boolean":
            return "0"
        if column.type in ("integer", "number"):
            return "0"
        if column.type == "array":
            return literal("[]")
        if column.document and not column.shape.fields:
            return literal("{}")
        if column.document:  # an object whose fields nothing given fills
            column.nullable = True
            return "None"
        if column.name == table.label or column.unique:
            return f'f"{human(table.entity).title()} {{key}}"'
        if re.search(r"url|link|href|uri$", key):
            return f'f"https://{self.service}.example.com/{table.name}/{{key}}"'
        column.nullable = True
        return "None"

    def new_key(self, table: Table, code: Code) -> None:
        """A fresh key for a row about to be inserted."""
        key = table.columns[table.key]
        if key.type == "integer":  # in the table's own range, never a key given out before (and deleted since)
            code.add(0, f"key = self.value('SELECT MAX(COALESCE(MAX({sql_name(table.key)}), 0), {self.base(table)}, "
                        f"(SELECT COALESCE(MAX(value), 0) FROM _generated WHERE tbl = ?)) + 1 FROM "
                        f"{sql_name(table.name)}', {table.name!r})")
            code.add(0, f"self.mark_generated({table.name!r}, key)")
        elif key.type == "number":
            code.add(0, f"key = float(self.value('SELECT COALESCE(MAX({sql_name(table.key)}), 0) + 1 FROM "
                        f"{sql_name(table.name)}'))")
        else:
            code.add(0, f"key = self.new_id({table.name!r}, {prefix_of(table)!r})")

    def check_refs(self, plan: ToolPlan, code: Code) -> None:
        """Lines raising a ToolError for an argument naming a row that does not exist."""
        for arg in plan.args:
            if arg.role not in ("ref", "parent") or not arg.table or arg.table == plan.table.name:
                continue
            if arg.role == "parent" and arg.param.required:
                continue  # checked by locate
            helper = self.entity_helper(self.tables[arg.table])
            if arg.param.shape.type == "array":
                code.add(0, f"for value in {arg.py} or []:")
                code.add(1, f"self.{helper}(value)")
            elif arg.param.required:
                code.add(0, f"self.{helper}({arg.py})")
            else:
                code.add(0, f"if {arg.py} is not None:")
                code.add(1, f"self.{helper}({arg.py})")

    def stored(self, arg: Arg) -> str:
        if arg.param.shape.type in ("array", "object", "boolean"):
            self.helpers.add("_stored")
            return f"_stored({arg.py})"
        return arg.py

    def body_create(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        for parent in [a for a in plan.args if a.role == "parent" and a.param.required and a.table]:
            code.add(0, f"self.{self.entity_helper(self.tables[parent.table])}({parent.py})")
        self.check_refs(plan, code)
        token = plan.arg("token")
        if token is not None and self.model.accounts:
            code.add(0, f"account = self._signed_in({token.py})")
        for arg in plan.args:
            column = table.column(arg.column) if arg.column and arg.role in ("value", "locate") else None
            if column is not None and (column.unique or column.key) and is_scalar(arg.param.shape):
                code.add(0, f"if {arg.py} is not None and self.row('SELECT 1 FROM {sql_name(table.name)} WHERE "
                            f"{sql_name(column.name)} = ? COLLATE NOCASE', {arg.py}):")
                code.add(1, f'raise ToolError(f"a {human(table.entity)} with {human(column.name)} \'{{{arg.py}}}\' '
                            f'already exists")')
        own = next((a for a in plan.args if a.role == "value" and a.column == table.key), None)
        if own is not None and own.param.required:
            code.add(0, f"key = {own.py}")
        elif plan.arg("batch") is None:
            self.new_key(table, code)
            if own is not None:
                code.add(0, f"if {own.py} is not None:")
                code.add(1, f"key = {own.py}")
        given: dict[str, str] = {}
        for arg in plan.args:
            if arg.column and arg.role in ("value", "ref", "parent", "locate") and table.column(arg.column):
                column = table.column(arg.column)
                value = self.stored(arg)
                if not arg.param.required and arg.role == "value" and not column.key:
                    fallback = self.insert_value(table, column)
                    value = value if fallback == "None" else f"{value} if {arg.py} is not None else {fallback}"
                given.setdefault(column.name, value)
        if token is not None and self.model.accounts:
            owner = next((c for c in table.columns.values() if c.ref == self.model.accounts), None)
            if owner is not None:
                given.setdefault(owner.name, f"account[{self.tables[self.model.accounts].key!r}]")
        batch = plan.arg("batch")
        if batch is not None:  # one row per object given
            fields = batch.param.shape.items.fields
            for name, shape in fields.items():
                column = table.column(name)
                if column is not None and not column.key:
                    self.helpers.add("_stored")
                    value = f"item.get({name!r})"
                    given.setdefault(column.name, value if is_scalar(shape) else f"_stored({value})")
        values = {}
        for column in table.columns.values():
            values[column.name] = "key" if column.key else given.get(column.name) or self.insert_value(
                table, column)
        names = ", ".join(sql_name(n) for n in values)
        marks = ", ".join("?" for _ in values)
        insert = (f"self.execute('INSERT INTO {sql_name(table.name)} ({names}) VALUES ({marks})', "
                  f"{', '.join(values.values())})")
        if batch is None:
            code.add(0, insert)
            code.add(0, f"row = self.{self.entity_helper(table)}(key)")
        else:
            code.add(0, "created = []")
            code.add(0, f"for item in {batch.py}:")
            if own is None:
                body = Code()
                self.new_key(table, body)
                code.add(1, body.text())
            code.add(1, insert)
            code.add(1, f"created.append(self.{self.entity_helper(table)}(key))")
            code.add(0, "if not created:")
            code.add(1, f'raise ToolError("give at least one {human(table.entity)} to create")')
            code.add(0, "row = created[0]")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_update(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        keyed = self.locate(plan, code, 0)
        self.check_refs(plan, code)
        where = f"{sql_name(table.key)} = ?"
        target = f"row[{table.key!r}]"
        if keyed == "scope":
            parent = self.scope_arg(plan)
            where, target = f"{sql_name(parent.column)} = ?", parent.py
        settings = [a for a in plan.args if a.role in ("value", "ref") and a.column]
        for arg in plan.args:
            if arg.role != "amount":
                continue
            column, sign = sql_name(arg.column), "+" if plan.state_value == 1 else "-"
            if sign == "-":
                code.add(0, f"if (row[{arg.column!r}] or 0) < {arg.py}:")
                code.add(1, f'raise ToolError(f"not enough {human(arg.column)}: {{row[{arg.column!r}] or 0}} left, '
                            f'{{{arg.py}}} asked")')
            code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {column} = COALESCE({column}, 0) {sign} ? "
                        f"WHERE {where}', {arg.py}, {target})")
        if plan.kind == "transition":
            state, value = plan.state_column, plan.state_value
            current = f"row[{state!r}]"
            code.add(0, f"if {current} == {literal(value)}:")
            already = value if not isinstance(value, bool) else f"{'on' if value else 'off'} ({human(state)})"
            code.add(1, f'raise ToolError("the {human(table.entity)} is already {already}")')
            if plan.verb not in REVIVERS and isinstance(value, str):
                final = sorted({c for c in choices(self.model, table, table.columns[state]) or []
                                if c in FINAL_STATES and c != value})
                if final:
                    code.add(0, f"if {current} in {tuple(final)!r}:")
                    code.add(1, f'raise ToolError(f"the {human(table.entity)} is {{{current}}} and can no longer be '
                                f'{value}")')
            changes = {state: literal(value)}
            for arg in settings:
                changes[arg.column] = self.stored(arg)
            for column in table.columns.values():
                if is_time_name(column.name) and column.type == "string" and plan.verb and \
                        plan.verb[:5] in norm(column.name):
                    column.stamp = True
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) else "TIME"
                    changes[column.name] = f"self.now().strftime({fmt})"
            assignments = ", ".join(f"{sql_name(c)} = COALESCE(?, {sql_name(c)})" if c != state else
                                    f"{sql_name(c)} = ?" for c in changes)
            code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {assignments} WHERE {where}', "
                        f"{', '.join(changes.values())}, {target})")
        else:
            entries = ", ".join(f"{a.column!r}: {self.stored(a)}" for a in settings)
            if settings:
                code.add(0, f"changes = {{{entries}}}")
            if settings and any(not a.param.required for a in settings):
                code.add(0, "changes = {column: value for column, value in changes.items() if value is not None}")
                names = [a.name for a in settings]
                listed = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
                code.add(0, "if not changes:")
                code.add(1, f'raise ToolError("give at least one of {listed} to change")')
            if settings:
                code.add(0, "for column, value in changes.items():")
                code.add(1, f"self.execute(f'UPDATE {sql_name(table.name)} SET \"{{column}}\" = ? WHERE {where}', "
                            f"value, {target})")
            for column in table.columns.values():
                if column.stamp and re.search(r"updated|modified|edited|changed", norm(column.name)):
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) else "TIME"
                    code.add(0, f"self.execute('UPDATE {sql_name(table.name)} SET {sql_name(column.name)} = ? "
                                f"WHERE {where}', self.now().strftime({fmt}), {target})")
        if keyed == "scope":
            code.add(0, f"row = _decoded([self.row('SELECT * FROM {sql_name(table.name)} WHERE {where} "
                        f"ORDER BY rowid', {target})], {table.name!r})[0]")
        else:
            code.add(0, f"row = self.{self.entity_helper(table)}(row[{table.key!r}])")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    @staticmethod
    def scope_arg(plan: ToolPlan) -> Arg:
        """The argument naming the owner of every row a scoped write acts on (the one the table has a column of)."""
        scoped = [a for a in plan.args if a.role == "parent" and a.param.required and a.column
                  and plan.table.column(a.column) is not None]
        return next((a for a in scoped if a.column == plan.table.parent_column), scoped[-1])

    def body_delete(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        purge = plan.arg("purge")
        if purge is not None:
            self.body_purge(plan, purge, code)
            return
        keyed = self.locate(plan, code, 0)
        if keyed == "scope":
            parent = self.scope_arg(plan)
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {sql_name(parent.column)} = ?', "
                        f"{parent.py})")
        else:
            for child in self.descendants(table):
                code.add(0, child)
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {sql_name(table.key)} = ?', "
                        f"row[{table.key!r}])")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_purge(self, plan: ToolPlan, purge: Arg, code: Code) -> None:
        """Delete the rows a list names (by one column, or objects by their scalar fields)."""
        table = plan.table
        things = human(table.name)
        self.helpers.add("_decoded")
        if purge.column:
            self.helpers.add("_stored")
            condition = f"{sql_name(purge.column)} IN (SELECT value FROM json_each(?))"
            code.add(0, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition} ORDER BY rowid', "
                        f"_stored({purge.py}))")
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError("none of the given {things} exists; {self.missing(table, things)}")')
            code.add(0, f"row = _decoded([row], {table.name!r})[0]")
            code.add(0, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {condition}', _stored({purge.py}))")
        else:
            fields = [f for f, shape in (purge.param.shape.items.fields or {}).items() if is_scalar(shape)
                      and table.column(f) is not None]
            condition = " AND ".join(f"{sql_name(table.column(f).name)} IS ?" for f in fields)
            values = ", ".join(f"item.get({f!r})" for f in fields)
            code.add(0, "row = None")
            code.add(0, f"for item in {purge.py}:")
            code.add(1, f"found = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition}', {values})")
            code.add(1, "if found is not None:")
            code.add(2, f"row = row or _decoded([found], {table.name!r})[0]")
            code.add(2, f"self.execute('DELETE FROM {sql_name(table.name)} WHERE {condition}', {values})")
            code.add(0, "if row is None:")
            code.add(1, f'raise ToolError("none of the given {things} exists; {self.missing(table, things)}")')
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def descendants(self, table: Table, depth: int = 0) -> list[str]:
        """DELETE statements for the rows under a row of ``table`` (two levels down), deepest first."""
        found = []
        for child in self.tables.values():
            if child.parent != table.name or child is table or depth > 1:
                continue
            scope = (f"SELECT {sql_name(child.key)} FROM {sql_name(child.name)} "
                     f"WHERE {sql_name(child.parent_column)} = ?")
            for grandchild in self.tables.values():
                if grandchild.parent == child.name and grandchild is not child:
                    found.append(f"self.execute('DELETE FROM {sql_name(grandchild.name)} WHERE "
                                 f"{sql_name(grandchild.parent_column)} IN ({scope})', row[{table.key!r}])")
            found.append(f"self.execute('DELETE FROM {sql_name(child.name)} "
                         f"WHERE {sql_name(child.parent_column)} = ?', "
                         f"row[{table.key!r}])")
        return found

    def body_login(self, plan: ToolPlan, code: Code) -> None:
        table = plan.table
        credentials = [a for a in plan.args if a.role == "credential"]
        condition = " AND ".join(f"{sql_name(a.column)} = ?" for a in credentials) or "1"
        names = " and ".join(human(a.name) for a in credentials) or "account"
        code.add(0, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {condition}'"
                    f"{''.join(', ' + a.py for a in credentials)})")
        code.add(0, "if row is None:")
        code.add(1, f'raise ToolError("wrong {names}: no account matches them")')
        self.helpers.add("_decoded")
        code.add(0, f"row = _decoded([row], {table.name!r})[0]")
        sessions = self.tables[self.model.sessions]
        values = {"token": "token", "account": f"row[{table.key!r}]", "created_at": "self.now().strftime(TIME)"}
        args = {norm(a.name): a for a in plan.args}
        for column in sessions.columns.values():
            if column.name not in values:
                arg = args.get(norm(column.name))
                values[column.name] = arg.py if arg is not None else self.insert_value(sessions, column)
        names = ", ".join(sql_name(n) for n in values)
        code.add(0, "token = self.new_id('sessions', 'tok_')")
        code.add(0, f"self.execute('INSERT INTO \"sessions\" ({names}) VALUES ({', '.join('?' * len(values))})', "
                    f"{', '.join(values.values())})")
        code.add(0, "session = self.row('SELECT * FROM \"sessions\" WHERE \"token\" = ?', token)")
        parts = [f"{o.name!r}: session[{o.column!r}]" if o.table == sessions.name and o.source == "column" else
                 f"{o.name!r}: {self.out_expr(plan, o, 'row')}" for o in plan.outs]
        code.add(0, "return {" + ", ".join(parts) + "}" if plan.outs else "return {\"token\": token}")

    def body_logout(self, plan: ToolPlan, code: Code) -> None:
        token = plan.arg("token")
        if token is not None:
            code.add(0, f"ended = self.execute('DELETE FROM \"sessions\" WHERE \"token\" = ?', {token.py})")
        else:
            code.add(0, "ended = self.execute('DELETE FROM \"sessions\"')")
        code.add(0, "if not ended:")
        code.add(1, 'raise ToolError("nobody is logged in")')
        code.add(0, "row = None")
        code.add(0, f"return {self.result_dict(plan, 'row')}")

    def body_session(self, plan: ToolPlan, code: Code) -> None:
        accounts = self.tables[self.model.accounts]
        self.helpers.add("_decoded")
        code.add(0, f"row = self.row('SELECT a.* FROM \"sessions\" AS s JOIN {sql_name(accounts.name)} AS a ON "
                    f"a.{sql_name(accounts.key)} = s.\"account\" ORDER BY s.\"created_at\" DESC, s.rowid DESC')")
        code.add(0, f"row = _decoded([row], {accounts.name!r})[0] if row is not None else "
                    f"dict.fromkeys({tuple(accounts.columns)!r})")
        code.add(0, "signed_in = bool(row[" + repr(accounts.key) + "])")
        parts = [f"{o.name!r}: {'signed_in' if o.source == 'flag' else self.out_expr(plan, o, 'row')}"
                 for o in plan.outs]
        code.add(0, "return {" + ", ".join(parts) + "}")


#: Series of a time-series table, and days of each; positions of a grid table.
SERIES, DAYS, GRID = 6, 20, 4
#: What a new session's token fields hold.
SESSION_DEFAULTS = {"token_type": "'Bearer'", "expires_in": "3600", "scope": "'read write'", "status": "'active'"}


def prefix_of(table: Table) -> str:
    """The prefix of a table's generated keys (``meetings`` -> ``mee_``)."""
    letters = re.sub(r"[^a-z]", "", table.entity.lower())
    return (letters[:3] or "row") + "_"


def self_words(plan: ToolPlan) -> list[str]:
    """The words of a tool's name after its verb, minus filler (``get_fuel_level`` -> fuel level)."""
    return [w for w in plan.words if w not in NOUN_STOP]


class ModuleWriter(Renderer):
    """The whole module: docstring, imports, constants, types, helpers and the World class."""

    def source(self) -> str:
        for _ in range(2):  # the first pass settles which columns writes stamp or leave empty
            self.typed, self.typed_by_body, self.helpers, self.lookups = {}, {}, set(), set()
            tools = [self.tool_code(plan) for plan in self.model.plans]
            lookups = self.lookup_code("\n".join(tools))
        populate = self.populate_code()
        cls = self.class_code(tools, lookups, populate)
        constants = self.constants()
        types = "\n".join(self.typed.values())
        used = f"{constants}\n{types}\n{cls}"
        helpers = "\n".join(HELPERS[name] for name in sorted(HELPERS) if f"{name}(" in used)
        body = f"{constants}\n\n{types}\n\n{helpers}\n\n{cls}"
        return f"{self.docstring()}\n\nfrom __future__ import annotations\n\n{self.imports(body)}\n\n{body}\n"

    # ----------------------------------------------------------------- parts
    def docstring(self) -> str:
        spec = self.model.spec
        about = " ".join(spec.description.split()).rstrip(".") or f"the {spec.name} service"
        text = (f"Synthesized offline from {spec.source or 'an API description'} by generators.environments."
                "synthesize: its tables are inferred from the tools' identifiers and results, each tool's behaviour "
                "from its name (INFERRED lists both). Generic behaviours: a read that is no get or list returns the "
                "first row of its table matching every argument given; a write that is no update, delete or "
                "transition stores a new row of its table.")
        if self.model.singleton:
            text += (f" Tools without identifiers share the single row of \"{self.model.singleton}\" (the "
                     "service's own state).")
        notes = [textwrap.fill(f"Note: {note}.", 116) for note in self.model.notes[:8]]
        return "\n".join([f'"""{spec.name}: {about}.', "", textwrap.fill(text, 116), *notes, '"""'])

    def imports(self, body: str) -> str:
        std = [f"import {name}" for name, used in (("datetime as dt", "dt." in body), ("json", "json." in body),
                                                   ("random", True)) if used]
        typing = [n for n in ("Annotated", "Any", "Literal") if re.search(rf"\b{n}\b", body)]
        lines = [*std, f"from typing import {', '.join(typing)}", ""]
        if "Field(" in body:
            lines.append("from pydantic import Field")
        lines += ["from typing_extensions import TypedDict", ""]
        tools = [n for n in ("ToolError", "UserKnown", "tool") if re.search(rf"\b{n}\b", body)]
        lines.append(f"from envfactory_gym.core.tools import {', '.join(tools)}")
        world = ["World"] + (["fake_id"] if "fake_id(" in body else [])
        lines.append(f"from envfactory_gym.core.world import {', '.join(world)}")
        return "\n".join(lines)

    def constants(self) -> str:
        lines = ['TIME = "%Y-%m-%dT%H:%M"', 'DAY = "%Y-%m-%d"', "EPOCH = dt.datetime(1970, 1, 1)"]
        flags = {t.name: tuple(c.name for c in t.columns.values() if c.type == "boolean")
                 for t in self.tables.values()}
        documents = {t.name: tuple(c.name for c in t.columns.values() if c.document) for t in self.tables.values()}
        lines.append("#: Columns holding true/false (stored as 0/1), per table.")
        lines.append(f"FLAGS = {pretty({k: v for k, v in flags.items() if v})}")
        lines.append("#: Columns holding JSON (lists and objects), per table.")
        lines.append(f"DOCUMENTS = {pretty({k: v for k, v in documents.items() if v})}")
        inferred = {plan.op.name: f"{plan.kind} {plan.table.name if plan.table else ''}".strip()
                    for plan in self.model.plans}
        lines.append("#: How each tool was inferred: its kind and the table it works on.")
        lines.append(f"INFERRED = {pretty(inferred)}")
        return "\n".join(lines)

    def tool_code(self, plan: ToolPlan) -> str:
        code = Code()
        writes = plan.kind in ("create", "update", "delete", "transition", "login", "logout")
        options = []
        if writes:
            options.append("writes=True")
        phrases = self.phrases(plan)
        if phrases:
            options.append(f"phrase={pretty(list(dict.fromkeys(phrases)))}")
        if plan.method != plan.op.name:
            options.append(f"name={plan.op.name!r}")
        code.add(1, f"@tool({', '.join(options)})")
        ordered = [a for a in plan.args if a.param.required] + [a for a in plan.args if not a.param.required]
        params = ", ".join(["self"] + [f"{a.py}: {self.param_annotation(plan, a)}" +
                                       (f" = {self.default(a)}" if not a.param.required else "") for a in ordered])
        result = self.result_annotation(plan)
        header = f"def {plan.method}({params}) -> {result}:"
        code.add(1, wrap_signature(header))
        doc = [f'"""{self.summary(plan)}']
        if plan.args:
            doc.append("")
            doc.append("Args:")
            for arg in ordered:
                text = self.describe_arg(plan, arg)
                if arg.py != arg.name:
                    text += f" (the service calls it '{arg.name}')"
                doc.append(f"    {arg.py}: {text}")
        doc.append('"""')
        code.add(2, "\n".join(doc))
        body = self.body(plan)
        code.add(2, body.text())
        return code.text()

    def lookup_code(self, tools: str) -> str:
        """The row helpers the tools call: ``_<entity>(key)``, ``_state()`` and ``_signed_in(token)``."""
        code = Code()
        signed_in = "self._signed_in(" in tools
        if signed_in:
            self.entity_helper(self.tables[self.model.accounts])
        if self.model.singleton and "_state" in self.lookups:
            table = self.tables[self.model.singleton]
            code.add(1, "def _state(self) -> dict[str, Any]:")
            code.add(2, '"""The service\'s own state (the single row of its table)."""')
            code.add(2, f"return _decoded([self.row('SELECT * FROM {sql_name(table.name)} ORDER BY rowid')], "
                        f"{table.name!r})[0]")
            code.add(0, "")
        for name in sorted(self.lookups - {"_state"}):
            table = self.tables[name]
            key = table.key
            kind = self.annotation(table.columns[key].shape, "Key")
            code.add(1, f"def _{table.entity}(self, {python_name(key)}: {kind}) -> dict[str, Any]:")
            code.add(2, f'"""The {human(table.entity)} with this {human(key)}, or a ToolError saying where to '
                        'find one."""')
            code.add(2, f"row = self.row('SELECT * FROM {sql_name(table.name)} WHERE {sql_name(key)} = ?', "
                        f"{python_name(key)})")
            code.add(2, "if row is None:")
            code.add(3, f'raise ToolError(f"no {human(table.entity)} with {human(key)} \'{{{python_name(key)}}}\'; '
                        f'{self.missing(table, human(key) + "s")}")')
            code.add(2, f"return _decoded([row], {table.name!r})[0]")
            code.add(0, "")
        if signed_in:
            accounts = self.tables[self.model.accounts]
            login = next((p.op.name for p in self.model.plans if p.kind == "login"), "the login tool")
            code.add(1, "def _signed_in(self, token: str) -> dict[str, Any]:")
            code.add(2, '"""The account a session token belongs to."""')
            code.add(2, "session = self.row('SELECT \"account\" FROM \"sessions\" WHERE \"token\" = ?', token)")
            code.add(2, "if session is None:")
            code.add(3, f'raise ToolError("invalid or expired access token; log in with {login} first")')
            code.add(2, f"return self.{self.entity_helper(accounts)}(session[\"account\"])")
        return code.text()

    def class_code(self, tools: list[str], lookups: str, populate: str) -> str:
        spec = self.model.spec
        code = Code()
        code.add(0, f"class {spec.name}(World):")
        summary = " ".join(spec.description.split()) or f"The {spec.name} service, simulated on seeded data."
        tables = ", ".join(t.name for t in self.tables.values())
        code.add(1, f'"""{summary}\n\nTables: {tables}."""' if len(summary) + len(tables) < 200 else
                 f'"""{summary}"""')
        code.add(0, "")
        code.add(1, f"domain = {spec.domain!r}")
        code.add(1, 'schema = """')
        code.add(0, self.schema())
        code.add(1, '"""')
        volatile = {t.name: tuple(c.name for c in t.columns.values() if c.stamp) for t in self.tables.values()}
        volatile = {k: v for k, v in volatile.items() if v}
        if volatile:
            code.add(1, f"volatile = {pretty(volatile, 4)}")
        ungraded = tuple(t.name for t in self.tables.values() if t.ungraded)
        if ungraded:
            code.add(1, f"ungraded = {ungraded!r}")
        text = {t.name: tuple(t.text) for t in self.tables.values() if t.text}
        if text:
            code.add(1, f"text_search = {pretty(text, 4)}")
        code.add(0, "")
        code.add(0, populate)
        code.add(0, "")
        if lookups:
            code.add(0, lookups.rstrip("\n"))
            code.add(0, "")
        code.add(0, "\n\n".join(tools))
        return code.text()

    def schema(self) -> str:
        lines = []
        for table in self.tables.values():
            columns = []
            for column in table.columns.values():
                text = f"{sql_name(column.name)} {column.sql}"
                if column.key:
                    text += " PRIMARY KEY"
                if column.ref and column.ref in self.tables and not column.document:
                    text += f" REFERENCES {sql_name(column.ref)}"
                columns.append(text)
            lines.append(f"    CREATE TABLE {sql_name(table.name)} ({', '.join(columns)});")
            for column in self.indexed(table):
                lines.append(f"    CREATE INDEX {sql_name(table.name + '_by_' + column)} ON {sql_name(table.name)} "
                             f"({sql_name(column)});")
        return "\n".join(wrap_sql(line) for line in lines)

    def indexed(self, table: Table) -> list[str]:
        """Columns tools filter ``table`` by (its key is indexed already)."""
        found = []
        for plan in self.model.plans:
            if table not in (plan.table, plan.rows_table):
                continue
            for arg in plan.args:
                if arg.column and arg.role in ("filter", "any", "min", "max", "parent", "locate", "only", "include") \
                        and table.column(arg.column) is not None and not table.columns[arg.column].key \
                        and not table.columns[arg.column].document:
                    found.append(table.columns[arg.column].name)
        for column in table.columns.values():
            if column.ref and not column.key and not column.document:
                found.append(column.name)
        return list(dict.fromkeys(found))

    # --------------------------------------------------------------- seeding
    def order(self) -> list[Table]:
        """Tables with parents after their parents."""
        done: list[Table] = []
        pending = list(self.tables.values())
        while pending:
            ready = [t for t in pending if not t.parent or t.parent not in self.tables or
                     self.tables[t.parent] in done or t.parent == t.name]
            ready = ready or pending[:1]
            for table in ready:
                done.append(table)
                pending.remove(table)
        return done

    def populate_code(self) -> str:
        code = Code()
        code.add(1, "@classmethod")
        code.add(1, "def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:")
        code.add(2, "start = cls.start_time")
        tables = [t for t in self.order() if not t.empty]
        done: set[str] = set()
        for table in tables:
            code.add(2, f"{keys_name(table.name)} = {self.key_values(table, self.base(table))}")
        for table in tables:
            code.add(2, f"{table.name}_rows = []")
            if table.series:
                named = table.columns[table.series[0]]
                source = f"{keys_name(named.ref)}[:{SERIES}]" if named.ref in self.tables else \
                    f"_distinct(lambda: {scalar_expr(self.model, table, named)}, {SERIES})"
                code.add(2, f"{table.name}_series = {source}  # {DAYS} consecutive days of each")
            uniques = [c for c in table.columns.values() if c.unique and not c.key and not c.ref and
                       not c.document and not choices(self.model, table, c) and
                       not re.search(r"\b(key|i)\b", scalar_expr(self.model, table, c))]
            for column in uniques:
                code.add(2, f"{table.name}_{column.name} = _distinct(lambda: {scalar_expr(self.model, table, column)}, "
                            f"len({keys_name(table.name)}))")
                self.helpers.add("_distinct")
            code.add(2, f"for i, key in enumerate({keys_name(table.name)}):")
            entries = []
            for column in table.columns.values():
                if column.derive:
                    continue
                if table.grid and column.name == table.grid:
                    value = f"i % {GRID} + 1"
                elif table.grid and column.name == table.parent_column:
                    value = f"{keys_name(table.parent)}[i // {GRID}]"
                elif column.domain:
                    value = f"rng.randint(1, {column.domain})"
                elif table.series and column.name == table.series[0]:
                    value = f"{table.name}_series[i // {DAYS} % len({table.name}_series)]"
                elif table.series and column.name == table.series[1]:
                    fmt = "DAY" if DATE_ONLY.search(norm(column.name)) or column.name == "date" else "TIME"
                    value = f"(start - dt.timedelta(days=i % {DAYS} + 1)).strftime({fmt})"
                elif column.key:
                    value = "key"
                elif column in uniques:
                    value = f"{table.name}_{column.name}[i]"
                elif column.ref and column.ref in self.tables and not column.document:
                    parent = keys_name(column.ref)
                    if column.name == table.parent_column:
                        value = f"{parent}[i] if i < len({parent}) else rng.choice({parent})"
                    else:
                        value = f"rng.choice({parent})"
                    if not self.tables[column.ref].empty and self.tables[column.ref] is table:
                        value = f"rng.choice({parent})"
                elif column.document:
                    self.helpers.add("_stored")
                    value = f"_stored({document_expr(self.model, table, column)})"
                else:
                    value = scalar_expr(self.model, table, column)
                entries.append(f"{column.name!r}: {value}")
            code.add(3, "row = {")
            for entry in entries:
                code.add(4, entry + ",")
            code.add(3, "}")
            inherited = self.inherited(table) if table.parent in done else []
            if inherited:  # a pull request's comment is in the pull request's repository
                code.add(3, f"parent_row = {table.parent}_by_key[row[{table.parent_column!r}]]")
                for name in inherited:
                    code.add(3, f"row[{name!r}] = parent_row[{name!r}]")
            for column in table.columns.values():
                if column.derive and column.derive[1] == "term":
                    code.add(3, f"row[{column.name!r}] = _term(row[{column.derive[0]!r}])")
                elif column.derive and column.derive[1] == "copy":
                    code.add(3, f"row[{column.name!r}] = row[{column.derive[0]!r}]")
                elif column.derive:
                    direction = -1 if column.derive[1] == "min" else 1
                    day = ", day=True" if column.shape.pattern and matches(column.shape.pattern, "2026-03-05") \
                        and not matches(column.shape.pattern, "2026-03-05T14:30") else ""
                    code.add(3, f"row[{column.name!r}] = _bound(row[{column.derive[0]!r}], {direction}, rng{day})")
            code.add(3, f"{table.name}_rows.append(row)")
            code.add(2, f"db[{table.name!r}].insert_all({table.name}_rows)")
            done.add(table.name)
            if any(self.inherited(child) for child in self.tables.values() if child.parent == table.name):
                code.add(2, f"{table.name}_by_key = {{r[{table.key!r}]: r for r in {table.name}_rows}}")
        return code.text()

    def inherited(self, table: Table) -> list[str]:
        """Columns a child row copies from its parent row (the owner and repository of a pull request's comment)."""
        parent = self.tables.get(table.parent or "")
        if parent is None or parent is table or not table.parent_column or parent.empty:
            return []
        return [c.name for c in table.columns.values() if c.name in parent.columns and not c.key and not c.derive
                and c.name != table.parent_column and not parent.columns[c.name].key and not c.document
                and parent.columns[c.name].shape.type == c.type and not parent.columns[c.name].document
                and not (c.unique or c.name == table.label)]

    def base(self, table: Table) -> int:
        """Where a table's integer keys start (each table its own range of 10000)."""
        return 10000 * (list(self.tables).index(table.name) + 1)

    def key_values(self, table: Table, base: int) -> str:
        """The keys of a table's seeded rows."""
        if table.empty:
            return "[]"
        count = table.rows if not table.singleton else 1
        key = table.columns[table.key]
        if key.shape.enum:  # a marketplace among EBAY_US, EBAY_GB and EBAY_DE: one row each
            return repr(list(dict.fromkeys(key.shape.enum)))
        if key.type in ("integer", "number"):
            step = 1 + (base // 10000) % 7
            if key.shape.minimum is not None and base < key.shape.minimum:
                base = int(key.shape.minimum)
            if key.shape.maximum is not None and base + step * count > key.shape.maximum:
                base, step = int(key.shape.minimum or 1), 1  # a key the declared limits allow
            return f"[{base} + {step} * i for i in range({count})]"
        shaped = pattern_expr(key.shape.pattern) if key.shape.pattern else None
        if shaped:  # keys such as DB00001 (^DB\\d{5}$)
            return f"_distinct(lambda: {shaped}, {count})"
        if table.known_key:
            letters = re.sub(r"[^A-Z]", "", camel(table.entity).upper())[:3] or "ID"
            return f"_distinct(lambda: f\"{letters}-{{rng.randint(10000, 99999)}}\", {count})"
        if table.label == table.key or not is_id_like_name(table.key):
            made = scalar_expr(self.model, table, Column(table.key, key.shape))
            if re.search(r"\bi\b", made) and not re.search(r"\bkey\b", made):
                return f"[{made} for i in range({count})]"  # numbered, hence distinct
            if not re.search(r"\b(i|key)\b", made):
                return f"_distinct(lambda: {made}, {count})"
        self.helpers.add("_distinct")
        return f"_distinct(lambda: fake_id(rng, {prefix_of(table)!r}), {count})"


def is_id_like_name(name: str) -> bool:
    from generators.values import is_id_like

    return is_id_like(name) or id_stem(name) is not None


def pretty(value: Any, indent: int = 0) -> str:
    """A Python literal, wrapped when long."""
    text = repr(value)
    if len(text) <= 100 or not isinstance(value, (dict, list)):
        return text
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        inner = f",\n{pad}".join(f"{k!r}: {v!r}" for k, v in value.items())
        return "{\n" + pad + inner + ",\n" + " " * indent + "}"
    inner = f",\n{pad}".join(repr(v) for v in value)
    return "[\n" + pad + inner + ",\n" + " " * indent + "]"


def wrap_signature(header: str) -> str:
    """A def line, its parameters one per line when it is long."""
    if len(header) <= 116:
        return header
    start = header.index("(") + 1
    end = header.rindex(") ->")
    params = split_top(header[start:end])
    return header[:start] + "\n" + "".join(f"        {p},\n" for p in params) + header[end:]


def split_top(text: str) -> list[str]:
    """``text`` split at commas outside brackets and string literals."""
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote and not current.endswith("\\") else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def wrap_sql(line: str) -> str:
    if len(line) <= 116:
        return line
    head, _, rest = line.partition("(")
    parts = split_top(rest.rstrip(");"))
    return head + "(" + (",\n" + " " * (len(head) + 1)).join(parts) + ");"


def synthesize(spec: ApiSpec, seed: int = 0) -> str:
    """The source of a v2 environment module for ``spec`` (deterministic in ``seed``, which varies table sizes)."""
    model = Analyzer(spec, seed).analyze()
    return ModuleWriter(model).source()
