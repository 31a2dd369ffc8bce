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

The package, in the order a description passes through it: :mod:`.vocabulary` (the words names are read by),
:mod:`.names` (forms and predicates of names), :mod:`.model` (shapes, tables, columns and tool plans),
:mod:`.entities`, :mod:`.results` and :mod:`.analysis` (the :class:`~.analysis.Analyzer`: tables and columns, the
sources of result fields, and each operation's kind and plan), :mod:`.seeding` (expressions for seeded values), and
:mod:`.rendering`, :mod:`.bodies` and :mod:`.writer` (signatures and docstrings, tool bodies, the whole module).
"""

from __future__ import annotations

from generators.environments.spec import ApiSpec
from generators.environments.synthesis.analysis import Analyzer
from generators.environments.synthesis.writer import ModuleWriter

__all__ = ["synthesize"]


def synthesize(spec: ApiSpec, seed: int = 0) -> str:
    """The source of a v2 environment module for ``spec`` (deterministic in ``seed``, which varies table sizes)."""
    model = Analyzer(spec, seed).analyze()
    return ModuleWriter(model).source()
