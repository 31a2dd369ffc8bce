"""Names as synthesis compares and forms them: the words of an identifier, table and column names, Python names,
and what a name says (an identifier's entity, a time, a text, one end of a range)."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from generators.environments.spec import normalize_name
from generators.environments.synthesis.vocabulary import (
    COUNT_FIELDS,
    CURSOR_FIELDS,
    MESSAGE_FIELDS,
    MORE_FIELDS,
    NAMED_KEYS,
    NOT_ENTITIES,
    NOT_KEYED,
    PAGE_FIELDS,
    PAGES_FIELDS,
    PAIRS,
    TOTAL_FIELDS,
    WRITE_FLAGS,
)
from generators.values import singular

if TYPE_CHECKING:
    from generators.environments.synthesis.model import Table


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
