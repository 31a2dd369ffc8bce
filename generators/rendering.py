"""Rendering a grounded chain as a user's request at goal level, and checking that no tool-only value leaks into it.

A request states what the user wants and the values the user knows. Each goal call (a goal of the chain, or a
write) becomes a goal clause: one of the tool's declared phrases (``@tool(phrase=...)``) with its placeholders
filled, or, without a fitting phrase, a clause made from the tool's description; a read goal adds what to report.
Calls whose results only feed later calls (look-ups) are implied, never narrated: what they found is named by the
references of the calls they feed ("the event 'Retro wind'"); a value the user gave only to a look-up qualifies that
reference ("the customer with email 'x@example.com'"). Goal clauses are composed into one or two sentences with
varied openers and joins ("then" only where a goal acts on what an earlier goal made or changed). A conversational
task keeps one stated value back as a hidden user fact. :func:`narrates_lookup` tells whether a stored task's
request narrates a look-up (for the quality figures).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from envfactory_gym.core.tasks import Task, UserFact
from envfactory_gym.core.tools import PLACEHOLDER, ToolError
from generators.graph import ToolGraph, leaves
from generators.grounding import Grounded, GroundedStep, Selection
from generators.values import LABELS, Pools, free_text, human, is_id_like, looks_like_id

#: Openers of a request in the imperative, as a question, and in the first person (a clause that says "me" or
#: asks for a report does not take the first person: "I'd like to ... and tell me" changes the subject).
IMPERATIVE = ("", "", "Please ", "Hi! Please ", "Hey, please ", "I need you to ", "I'd like you to ", "Quick one: ")
QUESTION = ("Could you ", "Can you ", "Would you ", "Hi, could you ", "Hey, can you ")
FIRST_PERSON = ("I want to ", "I'd like to ", "I need to ", "Help me ")
#: Openers of a later sentence: independent goals, and goals that act on what an earlier one did.
ALSO = ("Also, ", "And ", "Please also ", "Besides that, ", "While you're at it, ", "On top of that, ",
        "One more thing: ")
THEN = ("Then ", "After that, ", "Once that's done, ", "When that's done, ")
#: Joins of two goal clauses in one sentence.
AND = (" and ", ", and ", " and also ")
AND_AFTER_REPORT = (", and ", ", and also ", "; also ")
AND_THEN = (", then ", " and then ", ", and after that ")
CLOSINGS = ("", "", "", "", " Thanks!", " Thank you.", " Thanks a lot.")
REPORT_VERBS = ("tell me", "let me know", "give me")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.;]\s|\n")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_TOKEN = re.compile(r"[\w.@:/+-]+")
_ME = re.compile(r"\b(?:me|I)\b")
#: A kept-back value marked ``\0`` after a preposition, at the end or before a preposition or punctuation.
_AFTER_PREPOSITION = re.compile(r"\b(?:from|to|on|at|in|for|via|with|by|into)\s\\0"
                                r"(?:$|[,;:)\[\]]|\s(?:to|from|in|at|on|with|for|and|via)\b)")
#: First words of descriptions that already read as a request.
VERBS = frozenset("""
add apply archive assign book buy calculate cancel change check checkout close commit compare confirm contact convert
copy count create delete download edit exchange fetch find follow get give invite like list log look make mark merge
modify move open pay post publish pull purchase push query rate read refund register remove rename reply reset restore
put retrieve return review run save schedule search sell send set share show subscribe tag track transfer
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
    """The first sentence of a tool description as an imperative clause ("Lists the users" -> "list the users";
    a description that is no verb phrase is what to get: "Current weather" -> "get the current weather")."""
    first = _SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip().rstrip(".")
    first = first[:1].lower() + first[1:] if first[1:2].islower() else first
    verb, _, rest = first.partition(" ")
    if verb.lower() in VERBS:
        return first
    for base in (verb[:-2], verb[:-1]):  # "searches" -> "search", "lists" -> "list"
        if verb.endswith("s") and base.lower() in VERBS:
            return f"{base.lower()} {rest}".strip()
    article = "" if first.lower().startswith(("the ", "a ", "an ", "my ", "all ")) else "the "
    return f"get {article}{first}"


def render(graph: ToolGraph, grounded: Grounded, rng: random.Random, conversational: bool = False) -> Rendered:
    """The request for a grounded chain (and its hidden user facts when ``conversational``)."""
    return _Renderer(graph, grounded.steps, rng).render(conversational)


def goal_steps(steps: list[GroundedStep]) -> list[int]:
    """Indices of the calls a request states as goals: the chain's goals and its writes (a look-up is implied)."""
    return [i for i, s in enumerate(steps) if s.goal or s.writes]


class _Renderer:
    def __init__(self, graph: ToolGraph, steps: list[GroundedStep], rng: random.Random) -> None:
        self.graph, self.steps, self.rng = graph, steps, rng
        self.goals = goal_steps(steps)
        self.implied = {i for i in range(len(steps)) if i not in self.goals}
        self.hidden: tuple[int, str] | None = None
        self.mentions: list[str] = []

    # -------------------------------------------------------------------------------------- the request
    def render(self, conversational: bool) -> Rendered:
        rng = self.rng
        if conversational:
            self.hidden = self._hide()
        clauses = [self._clause(i) for i in self.goals]
        after = [self._after(n) for n in range(len(self.goals))]
        sentences: list[list[int]] = [[0]] if clauses else []
        for n in range(1, len(clauses)):
            if len(sentences[-1]) < 2 and rng.random() < 0.5:
                sentences[-1].append(n)
            else:
                sentences.append([n])
        reads = [bool(self.steps[i].facts) for i in self.goals]
        texts = []
        used: set[str] = set()
        question = False
        for k, members in enumerate(sentences):
            body = clauses[members[0]]
            for n in members[1:]:
                joins = AND_THEN if after[n] else AND_AFTER_REPORT if reads[members[0]] else AND
                body += rng.choice(joins) + clauses[n]
            if k == 0:
                personal = not any(reads[n] or _ME.search(clauses[n]) for n in members)
                opener = rng.choice(IMPERATIVE + QUESTION + (FIRST_PERSON if personal else ()))
                question = opener in QUESTION
            else:
                openers = THEN if after[members[0]] else ALSO
                opener = rng.choice([o for o in openers if o not in used] or openers)
                used.add(opener)
            text = opener + body
            texts.append(text[0].upper() + text[1:] + ("?" if k == 0 and question else "."))
        request = " ".join(texts) + rng.choice(CLOSINGS)
        facts = []
        if self.hidden is not None:
            index, param = self.hidden
            words = human(param)
            keywords = (words, *[w for w in words.split() if len(w) > 3 and w != words])
            facts.append(UserFact(words, say(self.steps[index].user[param]).strip("'"), keywords))
            request += rng.choice([" I'll tell you the {0} when you ask.", " Ask me for the {0}.",
                                   " I haven't said the {0} yet: ask me for it."]).format(words)
        return Rendered(" ".join(request.split()), tuple(dict.fromkeys(self.mentions)), tuple(facts))

    def _hide(self) -> tuple[int, str] | None:
        """A value of a goal the request keeps back: one it states once (so that it is really not said), and
        that a phrase can leave out or that follows a preposition ("from the start time I'll give you")."""
        counts: dict[str, int] = {}
        for i in self.goals:
            for value in self.steps[i].user.values():
                counts[str(value)] = counts.get(str(value), 0) + 1
        options = [(i, p) for i in self.goals for p, v in self.steps[i].user.items()
                   if isinstance(v, str | int | float) and not isinstance(v, bool) and len(str(v)) >= 3
                   and counts[str(v)] == 1 and self._can_hide(i, p)]
        return self.rng.choice(options) if options else None

    def _can_hide(self, index: int, param: str) -> bool:
        step = self.steps[index]
        others = {p: "x" for p in [*step.user, *step.references] if p != param}
        phrases = self.graph.tools[step.tool].phrases
        if any(fill(p, others) is not None and set(others) <= set(PLACEHOLDER.findall(p)) for p in phrases):
            return True
        return any(_AFTER_PREPOSITION.search(p.replace("{" + param + "}", "\0")) for p in phrases)

    def _after(self, n: int) -> bool:
        """Whether goal ``n`` acts on what an earlier goal made or changed (then the order matters)."""
        step = self.steps[self.goals[n]]
        earlier = self.goals[:n]
        if any(s.step in earlier for s in step.references.values()):
            return True
        named = {s.reference for s in step.references.values()}
        return any(self.steps[i].writes and named & {s.reference for s in self.steps[i].references.values()}
                   for i in earlier)

    # -------------------------------------------------------------------------------------- goal clauses
    def _clause(self, index: int) -> str:
        """Goal ``index`` as an imperative clause (with what to report, for a read)."""
        step = self.steps[index]
        node = self.graph.tools[step.tool]
        values: dict[str, str] = {}
        for param, value in step.user.items():
            if (index, param) == self.hidden:
                continue
            values[param] = say(value, quote=param in LABELS[:8])
            self.mentions.extend(str(v) for v in (value if isinstance(value, list) else [value]))
        implicit = {p for p, sel in step.references.items() if not sel.mentions and sel.step in self.goals}
        for param, selection in step.references.items():
            values[param] = self._refer(selection)
        # what an earlier goal gave ("the session" of a login, "the event" just created) goes unsaid where a
        # phrase can do without it
        if any(fill(p, {k: v for k, v in values.items() if k not in implicit}) is not None and
               set(values) - implicit <= set(PLACEHOLDER.findall(p)) for p in node.phrases):
            values = {k: v for k, v in values.items() if k not in implicit}
        wanted = set(values)
        fitting = [p for p in node.phrases if fill(p, values) is not None and wanted <= set(PLACEHOLDER.findall(p))]
        if not fitting and self.hidden is not None and self.hidden[0] == index:
            # the kept-back value cannot be left out: say that it will come ("from the start time I'll give you")
            values[self.hidden[1]] = f"the {human(self.hidden[1])} I'll give you"
            fitting = [p for p in node.phrases if fill(p, values) is not None and wanted <= set(
                PLACEHOLDER.findall(p)) and _AFTER_PREPOSITION.search(p.replace("{" + self.hidden[1] + "}", "\0"))]
        if fitting:
            clause = fill(self.rng.choice(fitting), values) or ""
        else:
            usable = [p for p in node.phrases if fill(p, values) is not None]
            covered = max((len(wanted & set(PLACEHOLDER.findall(p))) for p in usable), default=0)
            best = [p for p in usable if len(wanted & set(PLACEHOLDER.findall(p))) == covered]
            phrase = self.rng.choice(best) if best else None
            clause = (fill(phrase, values) or "") if phrase else describe(node.description)
            missing = [p for p in values if p not in (PLACEHOLDER.findall(phrase) if phrase else ())
                       and p not in implicit]
            if missing:
                clause += self._details(step, missing, values)
        if step.facts:
            clause += " and " + self._report(step)
        return clause

    def _details(self, step: GroundedStep, missing: list[str], values: dict[str, str]) -> str:
        """Values no phrase names, as a grammatical tail ("..., with the title 'X'", "... for the contact 'Y'")."""
        stated = [f"the {human(p)} {values[p]}" for p in missing if p in step.user]
        named = [values[p] for p in missing if p not in step.user]
        tail = ""
        if named:
            tail += ", namely " + _and(named)
        if stated:
            tail += self.rng.choice((", with ", ", using ", ", setting ")) + _and(stated)
        return tail

    def _refer(self, selection: Selection, depth: int = 0) -> str:
        """How the request names what a derived input identifies; a look-up's own stated values qualify it."""
        self.mentions.extend(selection.mentions)
        text = selection.reference
        if selection.mentions or selection.step not in self.implied or depth > 2:
            return text
        producer = self.steps[selection.step]
        if producer.user:
            parts = []
            for param, value in producer.user.items():
                parts.append(f"{human(param)} {say(value, quote=param in LABELS[:8])}")
                self.mentions.extend(str(v) for v in (value if isinstance(value, list) else [value]))
            return f"{text} with {_and(parts)}"
        if producer.references:
            return f"{text} of {self._refer(next(iter(producer.references.values())), depth + 1)}"
        return text

    def _report(self, step: GroundedStep) -> str:
        """What a read goal must report."""
        rng = self.rng
        fields = list(dict.fromkeys(field_words(f.field) for f in step.facts if f.field))
        verb = rng.choice(REPORT_VERBS)
        if step.each:
            if step.first:
                return rng.choice((f"{verb} the {fields[0]} of the first three",
                                   f"{verb} the {fields[0]} of the top three"))
            return rng.choice((f"{verb} the {fields[0]} of each one", f"{verb} the {fields[0]} of each of them",
                               f"{verb} the {fields[0]} of every one"))
        if not fields:
            return f"{verb} the first three results" if step.first else rng.choice(
                (f"{verb} what you find", f"{verb} the result"))
        if rng.random() < 0.3:
            return f"{verb} its {_and(fields)}"
        return f"{verb} the {' and the '.join(fields)}"


def field_words(name: str) -> str:
    """A result field as a noun phrase ("created" -> "creation time", "sent_at" -> "time it was sent")."""
    words = human(name)
    special = {"created": "creation time", "created at": "creation time", "updated": "time of the last update",
               "updated at": "time of the last update", "sent at": "sending time", "ts": "time",
               "modified": "modification time", "accessed": "last access time",
               "timestamp": "time"}
    if words in special:
        return special[words]
    if words.endswith(" at") and len(words) > 3:
        return f"{words[:-3]} time"
    return words


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------------------------------------- leak check
def secrets(graph: ToolGraph, grounded: Grounded, pools: Pools) -> set[str]:
    """Values a request must never contain: ids, generated values, anything known only from tool results (words
    of the tool schemas themselves, such as ``HEAD`` in a description, are public), and rows named by a field only
    the database knows (a creation timestamp, a message preview: see :func:`speakable_field`)."""
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
    spoken = {s.lower() for s in stated}  # a tool may echo a stated value in another case ("rice" for "Rice")
    found = {s for s in found if s.lower() not in spoken and _distinctive(s) and s.lower() not in graph.public}
    # A generated-looking id is no user's, unless a phrase declares its parameter user-provided (a client id).
    found |= {s for s in stated - declared if looks_like_id(s)}
    said = {str(v) for step in grounded.steps for value in step.user.values()
            for v in (value if isinstance(value, list) else [value])}
    for step in grounded.steps:
        for selection in step.references.values():
            for mention in selection.mentions:
                name = _field_named(selection.row, mention)
                if name is not None and not speakable_field(graph, name, mention) and mention not in said:
                    found.add(mention)
    return found


def speakable_field(graph: ToolGraph, name: str, value: str) -> bool:
    """Whether a user plausibly knows a row by this field's value: a label (name, title, email...), a key column,
    or what some tool lets the user state (an event's start time, a short description they gave), but no long
    free text and nothing only the database sets (a creation timestamp, a message preview)."""
    if name in LABELS or any(name in keys for keys in graph.keys.values()):
        return True
    if free_text(name) and (len(value) > 40 or value.rstrip().endswith((".", "!", "?"))):
        return False
    return any(p.name == name and p.kind == "user" for node in graph.tools.values() for p in node.params.values())


def _field_named(row: Any, value: str) -> str | None:
    if isinstance(row, dict):
        return next((k for k, v in row.items() if isinstance(v, str) and v == value), None)
    return None


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


# --------------------------------------------------------------------------------------- narration figure
def lookups(task: Task, graph: ToolGraph) -> list[int]:
    """Indices of a task's gold calls whose result only feeds later calls: read calls whose result holds no answer
    fact and gives a later call an argument the request does not state."""
    worlds = graph.worlds(task.seed)
    results: list[Any] = []
    for call in task.gold:
        try:
            results.append(worlds.call(call["name"], call["arguments"]))
        except (ToolError, KeyError):
            results.append(None)
    found = [{str(v) for _, _, v in leaves(r)} for r in results]
    reporting = {i for i, values in enumerate(found) if any(str(fact) in values for fact in task.answer_facts)}
    request = task.request.lower()
    out = []
    for i, call in enumerate(task.gold):
        node = graph.tools.get(call["name"])
        if node is None or node.writes or i in reporting:
            continue
        own = {str(v) for v in _flat(call["arguments"])}
        later = {str(v) for c in task.gold[i + 1:] for v in _flat(c["arguments"])}
        if any(v.lower() not in request for v in (found[i] & later) - own):
            out.append(i)
    return out


def narrates_lookup(task: Task, graph: ToolGraph) -> bool:
    """Whether ``task``'s request narrates a call whose result only feeds a later call: a phrase of that tool (or
    its description's clause) appears in the request more often than the tool is called as a goal."""
    feeding = lookups(task, graph)
    if not feeding:
        return False
    request = " ".join(task.request.lower().split())
    for tool in {task.gold[i]["name"] for i in feeding}:
        pattern = _narration(graph, tool)
        if pattern is None:
            continue
        calls = sum(1 for c in task.gold if c["name"] == tool)
        fed = sum(1 for i in feeding if task.gold[i]["name"] == tool)
        if len(pattern.findall(request)) > calls - fed:
            return True
    return False


def _narration(graph: ToolGraph, tool: str) -> re.Pattern[str] | None:
    """A pattern matching the clauses a request may narrate ``tool`` with: its phrases, with any value in a
    placeholder, and the clause made from its description (the words before any value)."""
    node = graph.tools[tool]
    options = []
    for phrase in node.phrases:
        parts, last = [], 0
        for match in _OPTIONAL.finditer(phrase.lower()):
            parts.append(_literal(phrase.lower()[last:match.start()]))
            parts.append(f"(?:{_literal(match.group(1))})?")
            last = match.end()
        parts.append(_literal(phrase.lower()[last:]))
        text = "".join(parts).strip()
        if len(re.sub(r"\.\+\?|\W", "", text)) >= 6:
            options.append(text)
    clause = describe(node.description).lower().split()
    if len(clause) >= 2:
        options.append(r"\s+".join(re.escape(w) for w in clause[:3]))
    return re.compile("|".join(f"(?:{o})" for o in options)) if options else None


def _literal(text: str) -> str:
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out.append(r"\s+".join(re.escape(w) for w in text[last:match.start()].split(" ")))
        out.append(".+?")
        last = match.end()
    out.append(r"\s+".join(re.escape(w) for w in text[last:].split(" ")))
    return "".join(out)


def _flat(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flat(v)]
    if isinstance(value, list):
        return [x for v in value for x in _flat(v)]
    return [value]
