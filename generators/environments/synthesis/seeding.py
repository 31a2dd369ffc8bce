"""Seeded data: the expressions a generated module's ``populate`` computes each column's values with (Faker
providers and choice lists by column name and type, dates as offsets from the episode clock, values meeting
the declared enums, bounds, lengths and patterns)."""

from __future__ import annotations

import re
import string
from typing import Any

from generators.environments.spec import Shape
from generators.environments.synthesis.model import STRING, Column, Model, Table
from generators.environments.synthesis.names import is_time_name, norm
from generators.environments.synthesis.vocabulary import FINAL_STATES
from generators.values import singular

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
