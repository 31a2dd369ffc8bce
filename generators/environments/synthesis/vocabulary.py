"""The words synthesis reads names by: verbs of operations, result fields and parameters that count, page, sort,
filter or authenticate, words that never name an entity, and names generated code must not take."""

from __future__ import annotations

import keyword
import re

from envfactory_gym.core.world import World

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
