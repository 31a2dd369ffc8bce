"""Rendering a grounded chain as a user's request, and checking that no tool-only value leaks into it.

Each call the request mentions (goals and writes; look-ups stay implicit) becomes a clause: one of the tool's
declared phrases (``@tool(phrase=...)``) with its placeholders filled, or, without a fitting phrase, a clause made
from the tool's description and the values the user states. Derived inputs appear as references to what they
identify ("the event 'Retro wind'"), never as values. Read goals add what to report. Clauses are joined with
varied openers and connectors; a conversational task keeps one stated value back as a hidden user fact.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envfactory_gym.core.tasks import UserFact
from envfactory_gym.core.tools import PLACEHOLDER
from generators.graph import ToolGraph, leaves
from generators.grounding import Grounded, GroundedStep
from generators.values import LABELS, Pools, human, is_id_like, looks_like_id

OPENERS = ("", "Please ", "Could you ", "I need you to ", "Hi! Please ", "Can you ", "I'd like you to ",
           "Quick one: ", "Hey, ")
QUESTION_OPENERS = ("Could you ", "Can you ")
CONNECTORS = (", then ", ". After that, ", ", and then ", ". Then ", "; next, ", ", and also ", ". Also, ")
DETAIL_FORMS = ("{clause} ({details})", "{clause}: {details}", "{clause}, with {details}")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.;]\s|\n")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_TOKEN = re.compile(r"[\w.@:/+-]+")
#: First words of descriptions that already read as a request; other descriptions get "find out".
VERBS = frozenset("""
add apply archive assign book buy calculate cancel change check checkout close commit compare confirm contact convert
copy count create delete download edit exchange fetch find follow get give invite like list log look make mark merge
modify move open pay post publish pull purchase push query rate read refund register remove rename reply reset restore
retrieve return review run save schedule search sell send set share show subscribe tag track transfer
unsubscribe update upload view withdraw write""".split())


@dataclass(frozen=True)
class Rendered:
    request: str
    #: Values the request states (a rewrite must keep them).
    mentions: tuple[str, ...]
    user_facts: tuple[UserFact, ...]


def say(value: Any, quote: bool = False) -> str:
    """A value as a user would write it."""
    if isinstance(value, list):
        parts = [say(v, quote) for v in value]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return f"'{text}'" if quote or (isinstance(value, str) and " " in text) else text


def fill(phrase: str, values: dict[str, str]) -> str | None:
    """A phrase with placeholders filled; ``[...]`` parts whose placeholders lack a value are dropped."""
    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        return inner if all(name in values for name in PLACEHOLDER.findall(inner)) else ""

    text = _OPTIONAL.sub(optional, phrase)
    if any(name not in values for name in PLACEHOLDER.findall(text)):
        return None
    return " ".join(PLACEHOLDER.sub(lambda m: values[m.group(1)], text).split())


def describe(description: str) -> str:
    """The first sentence of a tool description as an imperative clause."""
    first = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip().rstrip(".")
    first = first[:1].lower() + first[1:] if first[1:2].islower() else first
    return first if first.split(" ", 1)[0].lower() in VERBS else f"find out {first}"


def render(graph: ToolGraph, grounded: Grounded, rng: random.Random, conversational: bool = False) -> Rendered:
    """The request for a grounded chain (and its hidden user facts when ``conversational``)."""
    steps = [s for s in grounded.steps if s.rendered]
    hidden: tuple[int, str] | None = None
    if conversational:
        options = [(i, p) for i, s in enumerate(steps) for p, v in s.user.items()
                   if isinstance(v, str | int | float) and not isinstance(v, bool) and len(str(v)) >= 3]
        if options:
            hidden = rng.choice(options)
    clauses, mentions, facts = [], [], []
    for index, step in enumerate(steps):
        keep_back = hidden[1] if hidden and hidden[0] == index else None
        clause, stated = _clause(graph, step, rng, keep_back)
        clauses.append(clause)
        mentions.extend(stated)
        if keep_back is not None:
            words = human(keep_back)
            keywords = (words, *[w for w in words.split() if len(w) > 3 and w != words])
            facts.append(UserFact(words, say(step.user[keep_back]).strip("'"), keywords))
    opener = rng.choice(OPENERS)
    text = clauses[0]
    for clause in clauses[1:]:
        text += rng.choice(CONNECTORS) + clause
    text = opener + text
    text = text[0].upper() + text[1:]
    text += "?" if opener in QUESTION_OPENERS else "."
    if facts:
        text += rng.choice([" I'll tell you the {0} when you ask.", " Ask me for the {0}.",
                            " I haven't said the {0} yet: ask me for it."]).format(facts[0].name)
    return Rendered(" ".join(text.split()), tuple(dict.fromkeys(mentions)), tuple(facts))


def _clause(graph: ToolGraph, step: GroundedStep, rng: random.Random, keep_back: str | None) -> tuple[str, list[str]]:
    """One call as a clause, and the values it states."""
    node = graph.tools[step.tool]
    values: dict[str, str] = {}
    stated: list[str] = []
    for param, value in step.user.items():
        if param == keep_back:
            values[param] = f"the {human(param)} I'll give you"
            continue
        values[param] = say(value, quote=param in LABELS[:8])
        stated.extend(str(v) for v in (value if isinstance(value, list) else [value]))
    for param, selection in step.references.items():
        values[param] = selection.reference
        stated.extend(selection.mentions)
    wanted = {p for p in values if p in step.user or step.references[p].mentions}
    fitting = [p for p in node.phrases
               if fill(p, values) is not None and wanted <= set(PLACEHOLDER.findall(p))]
    if fitting:
        clause = fill(rng.choice(fitting), values) or ""
    else:
        details = [f"{human(p)} {values[p]}" if p in step.user else values[p]
                   for p in values if p in wanted and p != keep_back]
        clause = describe(node.description)
        if details:
            clause = rng.choice(DETAIL_FORMS).format(clause=clause, details=", ".join(details))
    if step.facts:
        clause += " and " + _question(step, rng)
    return clause, stated


def _question(step: GroundedStep, rng: random.Random) -> str:
    """What a read goal must report."""
    fields = list(dict.fromkeys(human(f.field) for f in step.facts if f.field))
    verb = rng.choice(("tell me", "let me know", "give me"))
    if step.each:
        which = "the first three" if step.first else "each one"
        return f"{verb} the {fields[0]} of {which}"
    if not fields:
        return f"{verb} the first three results" if step.first else f"{verb} what you find"
    return f"{verb} the {' and the '.join(fields)}"


# ---------------------------------------------------------------------------------------------- leak check
def secrets(graph: ToolGraph, grounded: Grounded, pools: Pools) -> set[str]:
    """Values a request must never contain: ids, generated values, and anything known only from tool results
    (words of the tool schemas themselves, such as ``HEAD`` in a description, are public)."""
    stated = grounded.stated()
    found: set[str] = set()
    for step in grounded.steps:
        node = graph.tools[step.tool]
        for param, value in step.arguments.items():
            if is_id_like(param) and node.params[param].kind != "user":
                found.update(str(v) for v in (value if isinstance(value, list) else [value]))
        for path, _, value in leaves(step.result):
            text = str(value)
            if is_id_like(path.rsplit(".", 1)[-1]) or text not in pools.known or looks_like_id(text):
                found.add(text)
    for world in grounded.worlds.worlds.values():
        found.update(str(r[0]) for r in world.conn.execute("SELECT value FROM _generated"))
    declared = {str(v) for step in grounded.steps for param, value in step.arguments.items()
                if param in graph.tools[step.tool].placeholders()
                for v in (value if isinstance(value, list) else [value])}
    found = {s for s in found - stated if _distinctive(s) and s.lower() not in graph.public}
    # A generated-looking id is no user's, unless a phrase declares its parameter user-provided (a client id).
    return found | {s for s in stated - declared if looks_like_id(s)}


def _distinctive(text: str) -> bool:
    """Long enough that finding it in a request is no accident (short numbers and words are everywhere)."""
    if text.replace(".", "", 1).lstrip("-").isdigit():
        return len(text) >= 3
    return len(text) >= 4 and text.lower() not in {"true", "false", "none", "null"}


def find_leaks(request: str, forbidden: Iterable[str]) -> list[str]:
    """The forbidden values that appear in ``request`` (as a whole token, or as a phrase for multi-word values)."""
    lowered = request.lower()
    tokens = {t.rstrip(".:/+-").lower() for t in _TOKEN.findall(request)}
    leaked = []
    for value in forbidden:
        needle = value.lower()
        if (needle in tokens) if " " not in needle else (needle in lowered):
            leaked.append(value)
    return sorted(leaked)
