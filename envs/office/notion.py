"""Notion: a workspace's pages, blocks, databases, users and comments, as an integration (bot) sees them."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, fake_id

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"
DOMAIN = "lumenfield.io"
BlockType = Literal["paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item",
                    "to_do", "quote", "divider"]
PropertyType = Literal["title", "rich_text", "select", "status", "number", "checkbox", "date", "people"]
CHILDLESS = frozenset({"heading_1", "heading_2", "heading_3", "divider"})
#: Markdown shorthand of a block line (append / update_page_content), in match order.
SHORTHAND = [("### ", "heading_3"), ("## ", "heading_2"), ("# ", "heading_1"), ("- ", "bulleted_list_item"),
             ("1. ", "numbered_list_item"), ("[ ] ", "to_do"), ("[x] ", "to_do"), ("> ", "quote")]
TEAMSPACES = ["Engineering Wiki", "Product Roadmap", "Marketing Hub", "People Ops", "Sales Playbook",
              "Design System", "Finance", "Customer Success"]
TOPICS = ["Onboarding", "Postmortem", "Architecture notes", "Release checklist", "Brand guidelines", "OKR draft",
          "Interview guide", "Pricing research", "Retro notes", "Runbook", "Competitor scan", "Travel policy"]
DATABASES = {  # title -> {property: (type, options)}; the first property is the title
    "Sprint Tasks": {"Task": ("title", ""), "Status": ("status", "Backlog|In progress|In review|Shipped"),
                     "Priority": ("select", "P1|P2|P3"), "Assignee": ("people", ""), "Due": ("date", ""),
                     "Points": ("number", ""), "Blocked": ("checkbox", "")},
    "Content Calendar": {"Headline": ("title", ""), "Stage": ("status", "Idea|Drafting|Copyedit|Published"),
                         "Channel": ("select", "Blog|Newsletter|LinkedIn|Webinar"), "Owner": ("people", ""),
                         "Publish date": ("date", "")},
    "Hiring Pipeline": {"Candidate": ("title", ""), "Stage": ("status", "Applied|Phone screen|Onsite|Offer sent"),
                        "Role": ("select", "Backend engineer|Product designer|Account executive|Data analyst"),
                        "Recruiter": ("people", ""), "Applied on": ("date", "")},
    "Vendor Contracts": {"Vendor": ("title", ""), "Category": ("select", "Software|Facilities|Legal|Travel"),
                         "Annual cost": ("number", ""), "Renewal": ("date", ""), "Contract owner": ("people", ""),
                         "Auto-renew": ("checkbox", "")},
}
Value = str | float | bool | None
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Cursor = Annotated[str, Field(pattern=r"^\d+$")]
PageSize = Annotated[int, Field(ge=1, le=100)]

Block = TypedDict("Block", {"block_id": str, "parent_id": str, "type": str, "content": str, "checked": bool | None,
                            "has_children": bool, "archived": bool, "created_time": str, "last_edited_time": str})
Blocks = TypedDict("Blocks", {"results": list[Block], "next_cursor": str | None, "has_more": bool})
Appended = TypedDict("Appended", {"block_id": str, "children_count": int, "results": list[Block]})
Page = TypedDict("Page", {"page_id": str, "title": str, "parent_type": str, "parent_id": str | None,
                          "properties": dict[str, Value], "archived": bool, "url": str, "created_by": str,
                          "created_time": str, "last_edited_time": str, "content": list[Block]})
Pages = TypedDict("Pages", {"results": list[Page], "next_cursor": str | None, "has_more": bool})
PropertySpec = TypedDict("PropertySpec", {"type": PropertyType, "options": NotRequired[list[str]]})
Schema = TypedDict("Schema", {"type": str, "options": list[str]})
Database = TypedDict("Database", {"database_id": str, "title": str, "description": str, "parent_page_id": str,
                                  "properties": dict[str, Schema], "archived": bool, "url": str,
                                  "created_time": str, "last_edited_time": str})
Hit = TypedDict("Hit", {"object": str, "page_id": str | None, "database_id": str | None, "title": str,
                        "url": str, "last_edited_time": str})
Hits = TypedDict("Hits", {"results": list[Hit], "next_cursor": str | None, "has_more": bool})
User = TypedDict("User", {"user_id": str, "name": str, "email": str | None, "type": str})
Users = TypedDict("Users", {"results": list[User], "next_cursor": str | None, "has_more": bool})
Owner = TypedDict("Owner", {"type": str, "user_id": str, "workspace_name": str})
Bot = TypedDict("Bot", {"user_id": str, "name": str, "owner": Owner})
Comment = TypedDict("Comment", {"comment_id": str, "discussion_id": str, "parent_id": str, "author": str,
                                "rich_text": str, "resolved": bool, "created_time": str, "last_edited_time": str})
Comments = TypedDict("Comments", {"results": list[Comment], "next_cursor": str | None, "has_more": bool})
Resolution = TypedDict("Resolution", {"comment_id": str, "discussion_id": str, "resolved": bool,
                                      "resolved_time": str | None, "resolved_by": User | None})
Deleted = TypedDict("Deleted", {"id": str, "object": str, "deleted": bool, "archived": bool})
Filter = TypedDict("Filter", {"property": str, "condition": Literal["equals", "does_not_equal", "contains", "before",
                                                                    "after", "is_empty", "is_not_empty"],
                              "value": NotRequired[str | float | bool]})
Sort = TypedDict("Sort", {"property": str, "direction": Literal["ascending", "descending"]})


_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A database row's property values with the name of the member a people value names (NULL otherwise).
PAGE_VALUES = ("SELECT v.page_id, v.name, v.value, u.name FROM page_values v LEFT JOIN users u ON u.user_id = v.value"
               " WHERE v.page_id")


def parse_line(line: str) -> tuple[str, str, bool | None]:
    """A markdown shorthand line as (block type, text, checked)."""
    if line.strip() == "---":
        return "divider", "", None
    for prefix, kind in SHORTHAND:
        if line.startswith(prefix):
            return kind, line[len(prefix):].strip(), (prefix == "[x] ") if kind == "to_do" else None
    return "paragraph", line.strip(), None


class Notion(World):
    """A Notion workspace seen through the 'Ops Sync' integration: pages (in teamspace pages, or rows of a
    database), their blocks, databases with typed properties, members and comment discussions. The integration
    sees only what is shared with it, and edits or deletes only the comments it wrote. Times are UTC."""

    domain = "Office"
    schema = """
    CREATE TABLE users (user_id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, email TEXT UNIQUE,
                        owner_id TEXT);
    CREATE TABLE pages (page_id TEXT PRIMARY KEY, parent_type TEXT NOT NULL, parent_id TEXT, title TEXT NOT NULL,
                        shared INTEGER NOT NULL, archived INTEGER NOT NULL DEFAULT 0, created_by TEXT NOT NULL,
                        created_time TEXT NOT NULL, last_edited_time TEXT NOT NULL);
    CREATE INDEX pages_by_parent ON pages (parent_id, archived);
    CREATE TABLE databases (database_id TEXT PRIMARY KEY, parent_page_id TEXT NOT NULL REFERENCES pages,
                            title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', shared INTEGER NOT NULL,
                            archived INTEGER NOT NULL DEFAULT 0, created_time TEXT NOT NULL,
                            last_edited_time TEXT NOT NULL);
    CREATE TABLE properties (database_id TEXT NOT NULL REFERENCES databases, name TEXT NOT NULL, type TEXT NOT NULL,
                             options TEXT NOT NULL DEFAULT '', PRIMARY KEY (database_id, name));
    CREATE TABLE page_values (page_id TEXT NOT NULL REFERENCES pages, name TEXT NOT NULL, value,
                              PRIMARY KEY (page_id, name));
    CREATE TABLE blocks (block_id TEXT PRIMARY KEY, parent_id TEXT NOT NULL, position INTEGER NOT NULL,
                         type TEXT NOT NULL, content TEXT NOT NULL, checked INTEGER,
                         archived INTEGER NOT NULL DEFAULT 0, created_time TEXT NOT NULL,
                         last_edited_time TEXT NOT NULL);
    CREATE INDEX blocks_by_parent ON blocks (parent_id, archived, position);
    CREATE TABLE comments (comment_id TEXT PRIMARY KEY, discussion_id TEXT NOT NULL, parent_id TEXT NOT NULL,
                           author_id TEXT NOT NULL REFERENCES users, rich_text TEXT NOT NULL,
                           resolved INTEGER NOT NULL DEFAULT 0, resolved_by TEXT, resolved_time TEXT,
                           created_time TEXT NOT NULL, last_edited_time TEXT NOT NULL);
    CREATE INDEX comments_by_parent ON comments (parent_id, created_time);
    CREATE INDEX comments_by_discussion ON comments (discussion_id);
    """
    text_search = {"pages": ("title",), "databases": ("title",)}
    volatile = {"pages": ("created_time", "last_edited_time"), "databases": ("created_time", "last_edited_time"),
                "blocks": ("created_time", "last_edited_time"),
                "comments": ("created_time", "last_edited_time", "resolved_time")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        people = {}
        while len(people) < 14:
            first, last = fake.first_name(), fake.last_name()
            people[f"{first}.{last}@{DOMAIN}".lower().replace("'", "")] = f"{first} {last}"
        users = [{"user_id": fake_id(rng, "user_"), "type": "person", "name": n, "email": e, "owner_id": None}
                 for e, n in people.items()]
        users.append({"user_id": fake_id(rng, "user_"), "type": "bot", "name": "Ops Sync", "email": None,
                      "owner_id": users[0]["user_id"]})
        humans = [u["user_id"] for u in users[:-1]]
        pages, dbs, props, values, blocks, comments = [], [], [], [], [], []

        def when(least: int, most: int) -> str:
            return dt.datetime.combine(cls.days_before_start(rng, least, most),
                                       dt.time(rng.randrange(8, 19), rng.randrange(60))).strftime(TIME_FORMAT)

        def page(parent_type: str, parent: str | None, title: str, shared: int) -> str:
            created = when(30, 500)
            pages.append({"page_id": fake_id(rng, "page_"), "parent_type": parent_type, "parent_id": parent,
                          "title": title, "shared": shared, "created_by": rng.choice(humans),
                          "archived": int(parent_type == "page" and rng.random() < 0.06),
                          "created_time": created, "last_edited_time": max(created, when(1, 40))})
            return pages[-1]["page_id"]

        def discuss(parent: str) -> None:
            discussion, resolved = fake_id(rng, "disc_"), rng.random() < 0.3
            for i in range(rng.randrange(1, 4)):
                at = when(1, 30)
                comments.append({"comment_id": fake_id(rng, "cmt_"), "discussion_id": discussion, "parent_id": parent,
                                 "author_id": users[-1]["user_id"] if rng.random() < 0.2 else rng.choice(humans),
                                 "rich_text": fake.sentence(nb_words=9), "resolved": int(resolved),
                                 "resolved_by": rng.choice(humans) if resolved else None,
                                 "resolved_time": at if resolved else None, "created_time": at,
                                 "last_edited_time": at})

        for space in TEAMSPACES + ["Private notes", "Board prep"]:
            shared = int(space in TEAMSPACES)
            top = page("workspace", None, space, shared)
            for topic in rng.sample(TOPICS, rng.randrange(3, 6)):
                child = page("page", top, f"{topic} {fake.word().title()}", shared)
                if rng.random() < 0.5:
                    discuss(child)
                for position in range(rng.randrange(3, 9)):
                    kind = rng.choice(["paragraph", "paragraph", "heading_2", "bulleted_list_item", "to_do", "quote"])
                    at = when(1, 60)
                    blocks.append({"block_id": fake_id(rng, "blk_"), "parent_id": child, "position": position,
                                   "type": kind, "content": fake.sentence(nb_words=rng.randrange(4, 12)).rstrip("."),
                                   "checked": int(rng.random() < 0.4) if kind == "to_do" else None,
                                   "created_time": at, "last_edited_time": at})
                    if kind != "heading_2" and rng.random() < 0.15:
                        discuss(blocks[-1]["block_id"])
        shared_tops = [p for p in pages if p["parent_type"] == "workspace" and p["shared"]]
        for title, columns in DATABASES.items():
            at, database_id = when(100, 400), fake_id(rng, "db_")
            dbs.append({"database_id": database_id, "parent_page_id": rng.choice(shared_tops)["page_id"],
                        "title": title, "description": fake.sentence(nb_words=8), "shared": 1, "created_time": at,
                        "last_edited_time": at})
            props += [{"database_id": database_id, "name": n, "type": t, "options": o} for n, (t, o) in columns.items()]
            titles = set()
            while len(titles) < rng.randrange(16, 26):
                titles.add(fake.name() if title == "Hiring Pipeline" else fake.company() if title == "Vendor Contracts"
                           else f"{fake.bs().capitalize()}")
            for name in sorted(titles):
                row = page("database", database_id, name, 1)
                for prop, (kind, options) in columns.items():
                    value = {"title": name, "status": rng.choice(options.split("|")) if options else None,
                             "select": rng.choice(options.split("|")) if options else None,
                             "people": rng.choice(humans), "date": cls.days_before_start(rng, -60, 90).isoformat(),
                             "number": float(rng.choice([1, 2, 3, 5, 8])) if title == "Sprint Tasks"
                             else float(rng.randrange(12, 900) * 100), "checkbox": rng.random() < 0.25,
                             "rich_text": fake.sentence()}[kind]
                    values.append({"page_id": row, "name": prop, "value": value})
        db["users"].insert_all(users)
        db["pages"].insert_all(pages)
        db["databases"].insert_all(dbs)
        db["properties"].insert_all(props)
        db["page_values"].insert_all(values)
        db["blocks"].insert_all(blocks)
        db["comments"].insert_all(comments)

    # ------------------------------------------------------------------ helpers
    def _missing(self, kind: str, object_id: str) -> ToolError:
        return ToolError(f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and databases "
                         "are shared with your integration (notion_search lists what it can see).")

    def _page(self, page_id: str, editing: bool = False) -> dict[str, Any]:
        return self._check_page(self.row("SELECT * FROM pages WHERE page_id = ? AND shared = 1", page_id), page_id,
                                editing)

    def _check_page(self, row: dict[str, Any] | None, page_id: str, editing: bool) -> dict[str, Any]:
        """The shared page ``row`` (None: not found) of ``page_id``, or the error of _page."""
        if row is None:
            raise self._missing("page", page_id)
        if editing and row["archived"]:
            raise ToolError(f"page '{row['title']}' is archived (in the trash); restore it in Notion before editing")
        return row

    def _database(self, database_id: str, editing: bool = False) -> dict[str, Any]:
        row = self.row("SELECT * FROM databases WHERE database_id = ? AND shared = 1", database_id)
        if row is None:
            raise self._missing("database", database_id)
        if editing and row["archived"]:
            raise ToolError(f"database '{row['title']}' is archived; restore it in Notion before using it")
        return row

    def _block(self, block_id: str, editing: bool = False) -> dict[str, Any]:
        """A block, or a page used as a block (a page is the parent block of its content)."""
        # The block with what _container(parent) looks up first: the parent's own parent (None: the parent is a
        # page), and whether the parent is a page shared with the integration (what _page(parent) checks).
        # When there is no such block, the shared page of that id in the same statement (what _page looks up).
        row = self.row("SELECT b.*, (SELECT p.parent_id FROM blocks p WHERE p.block_id = b.parent_id) AS _above,"
                       " EXISTS (SELECT 1 FROM pages WHERE page_id = b.parent_id AND shared = 1) AS _visible,"
                       " g.title AS _title, g.archived AS _archived FROM (SELECT ?1 AS id) LEFT JOIN blocks b ON"
                       " b.block_id = id LEFT JOIN pages g ON b.block_id IS NULL AND g.page_id = id AND g.shared = 1",
                       block_id)
        above, visible, title, archived = (row.pop(key) for key in ("_above", "_visible", "_title", "_archived"))
        if row["block_id"] is None:
            page = self._check_page(None if archived is None else {"title": title, "archived": archived}, block_id,
                                    editing)
            return {"block_id": block_id, "type": "child_page", "archived": page["archived"], "parent_id": None}
        if above is not None:
            self._container(above)
        elif not visible:
            raise self._missing("page", row["parent_id"])
        if editing and row["archived"]:
            raise ToolError(f"block {block_id} is archived; restore it with notion_update_block(archived=false)")
        return row

    def _container(self, block_id: str) -> None:
        """Check the page a block belongs to is visible (walking up nested blocks)."""
        parent = self.value("SELECT parent_id FROM blocks WHERE block_id = ?", block_id)
        self._page(block_id) if parent is None else self._container(parent)

    def _render_block(self, row: dict[str, Any]) -> Block:
        return {"block_id": row["block_id"], "parent_id": row["parent_id"], "type": row["type"],
                "content": row["content"], "checked": None if row["checked"] is None else bool(row["checked"]),
                "archived": bool(row["archived"]), "created_time": row["created_time"],
                "last_edited_time": row["last_edited_time"],
                "has_children": bool(self.value("SELECT 1 FROM blocks WHERE parent_id = ? AND archived = 0",
                                                row["block_id"]))}

    def _children(self, parent_id: str) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM blocks WHERE parent_id = ? AND archived = 0 ORDER BY position", parent_id)

    def _schema(self, database_id: str) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in self.rows("SELECT * FROM properties WHERE database_id = ? ORDER BY rowid",
                                                database_id)}

    def _render_page(self, row: dict[str, Any], content: bool = True, schema: dict[str, dict[str, Any]] | None = None,
                     values: list[tuple[Any, ...]] | None = None) -> Page:
        """A page; a database row's ``schema`` and ``values`` (rows of PAGE_VALUES) are read here unless given."""
        properties: dict[str, Value] = {"title": row["title"]}
        if row["parent_type"] == "database":
            schema = schema or self._schema(row["parent_id"])
            if values is None:
                values = self.conn.execute(PAGE_VALUES + " = ? ORDER BY v.name", (row["page_id"],)).fetchall()
            properties = {name: None for name in schema}
            for _, name, value, person in values:
                kind = schema.get(name, {}).get("type")
                properties[name] = bool(value) if kind == "checkbox" else value if kind != "people" else person
        return {"page_id": row["page_id"], "title": row["title"], "parent_type": row["parent_type"],
                "parent_id": row["parent_id"], "properties": properties, "archived": bool(row["archived"]),
                "url": self._url(row["title"], row["page_id"]), "created_by": row["created_by"],
                "created_time": row["created_time"], "last_edited_time": row["last_edited_time"],
                "content": [self._render_block(b) for b in self._children(row["page_id"])] if content else []}

    def _render_database(self, row: dict[str, Any], schema: dict[str, dict[str, Any]] | None = None) -> Database:
        return {"database_id": row["database_id"], "title": row["title"], "description": row["description"],
                "parent_page_id": row["parent_page_id"], "archived": bool(row["archived"]),
                "url": self._url(row["title"], row["database_id"]), "created_time": row["created_time"],
                "last_edited_time": row["last_edited_time"],
                "properties": {n: {"type": p["type"], "options": p["options"].split("|") if p["options"] else []}
                               for n, p in (schema or self._schema(row["database_id"])).items()}}

    def _url(self, title: str, object_id: str) -> str:
        return f"https://www.notion.so/{_NON_WORD.sub('-', title).strip('-')}-{object_id.split('_')[-1]}"

    def _touch(self, page_id: str) -> None:
        self.execute("UPDATE pages SET last_edited_time = ? WHERE page_id = ?", self.clock_text(TIME_FORMAT), page_id)

    def _insert_blocks(self, parent_id: str, lines: list[str]) -> list[Block]:
        if not lines:
            return []
        start = self.value("SELECT COALESCE(MAX(position), -1) + 1 FROM blocks WHERE parent_id = ?", parent_id)
        now = self.clock_text(TIME_FORMAT)
        made = []
        for offset, line in enumerate(lines):
            kind, text, checked = parse_line(line)
            made.append(self._add_block(parent_id, start + offset, kind, text, checked, now))
        return made

    def _add_block(self, parent_id: str, position: int, kind: str, text: str, checked: bool | None,
                   now: str | None = None) -> Block:
        if len(text) > 2000:
            raise ToolError("a block's text is limited to 2000 characters; split it into several blocks")
        block_id, now = self.new_id("blocks", "blk_"), now or self.clock_text(TIME_FORMAT)
        checked = None if kind != "to_do" else int(bool(checked))
        self.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)", block_id, parent_id, position, kind,
                     text, checked, now, now)
        # The row just inserted; a fresh id has no blocks under it.
        return {"block_id": block_id, "parent_id": parent_id, "type": kind, "content": text,
                "checked": None if checked is None else bool(checked), "archived": False, "created_time": now,
                "last_edited_time": now, "has_children": False}

    def _parent_for_children(self, block_id: str) -> dict[str, Any]:
        block = self._block(block_id, editing=True)
        if block["type"] in CHILDLESS:
            raise ToolError(f"a {block['type']} block cannot have children; append to its page or to a paragraph, "
                            "list item or to-do instead")
        return block

    def _set_values(self, database_id: str, page_id: str, properties: dict[str, Value]) -> list[str]:
        schema = self._schema(database_id)
        for name, value in properties.items():
            spec = schema.get(name)
            if spec is None:
                raise ToolError(f"no property '{name}' in this database; its properties are: {', '.join(schema)}")
            kind, options = spec["type"], spec["options"].split("|") if spec["options"] else []
            if value is not None and kind in ("select", "status") and value not in options:
                raise ToolError(f"'{value}' is not an option of '{name}' ({', '.join(options)}); add it with "
                                "notion_update_database first")
            if kind == "title" and not str(value or "").strip():
                raise ToolError(f"the title property '{name}' cannot be empty")
            if value is not None and kind == "number":
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    raise ToolError(f"'{name}' is a number property; got {value!r}") from None
            if value is not None and kind == "date" and not _DATE.fullmatch(str(value)):
                raise ToolError(f"'{name}' is a date property; give a date like 2026-03-15")
            if value is not None and kind == "checkbox" and not isinstance(value, bool):
                raise ToolError(f"'{name}' is a checkbox property; give true or false")
            if value is not None and kind == "people":
                value = self.value("SELECT user_id FROM users WHERE type = 'person' AND (user_id = ?1 OR"
                                   " lower(email) = lower(?1) OR lower(name) = lower(?1))", str(value))
                if value is None:
                    raise ToolError(f"no workspace member '{properties[name]}' for '{name}'; notion_list_all_users "
                                    "lists the members")
            self.execute("INSERT OR REPLACE INTO page_values VALUES (?, ?, ?)", page_id, name,
                         value.strip() if isinstance(value, str) else value)
            if kind == "title":
                self.execute("UPDATE pages SET title = ? WHERE page_id = ?", str(value).strip(), page_id)
        self._touch(page_id)
        return list(properties)

    def _comment(self, comment_id: str, own: bool = False) -> dict[str, Any]:
        row = self.row("SELECT * FROM comments WHERE comment_id = ?", comment_id)
        if row is None:
            raise self._missing("comment", comment_id)
        self._block(row["parent_id"])
        if own and row["author_id"] != self._bot()["user_id"]:
            raise ToolError("an integration can only edit or delete the comments it wrote; this comment is by "
                            f"{self.value('SELECT name FROM users WHERE user_id = ?', row['author_id'])}")
        return row

    def _render_comment(self, row: dict[str, Any]) -> Comment:
        return {"comment_id": row["comment_id"], "discussion_id": row["discussion_id"], "parent_id": row["parent_id"],
                "author": self.value("SELECT name FROM users WHERE user_id = ?", row["author_id"]),
                "rich_text": row["rich_text"], "resolved": bool(row["resolved"]), "created_time": row["created_time"],
                "last_edited_time": row["last_edited_time"]}

    def _bot(self) -> dict[str, Any]:
        """The integration's user row."""
        return dict(self.derived("bot", lambda: self.row("SELECT * FROM users WHERE type = 'bot'")))

    @staticmethod
    def _paged(rows: list[Any], start_cursor: str | None, page_size: int) -> dict[str, Any]:
        offset = int(start_cursor or 0)
        more = len(rows) > offset + page_size
        return {"results": rows[offset:offset + page_size], "next_cursor": str(offset + page_size) if more else None,
                "has_more": more}

    # --------------------------------------------------------------- blocks
    @tool(writes=True, phrase=["add {children} under {block_id}", "append {children} to {block_id}"])
    def notion_append_block_children(self, block_id: str,
                                     children: Annotated[list[Text], Field(min_length=1, max_length=100)]) -> Appended:
        """Append blocks at the end of a page or under a block. Each child is one line in markdown shorthand:
        '# ', '## ', '### ' headings, '- ' bullet, '1. ' numbered item, '[ ] ' / '[x] ' to-do, '> ' quote, '---'
        divider, anything else a paragraph.

        Args:
            block_id: The page or block to add to.
            children: The new blocks, one line each (at most 100).
        """
        self._parent_for_children(block_id)
        made = self._insert_blocks(block_id, children)
        self._touch(block_id)
        return {"block_id": block_id, "children_count": len(made), "results": made}

    @tool(phrase=["show what is inside {block_id}", "list the blocks under {block_id}"])
    def notion_retrieve_block_children(self, block_id: str, start_cursor: Cursor | None = None,
                                       page_size: PageSize = 100) -> Blocks:
        """The blocks directly under a page or block, in order (archived blocks left out).

        Args:
            block_id: The page or block.
            start_cursor: next_cursor of the previous page of results.
            page_size: At most this many blocks.
        """
        self._block(block_id)
        return self._paged([self._render_block(b) for b in self._children(block_id)], start_cursor, page_size)

    @tool(writes=True, phrase=["add a {block_type} saying {content} to {parent_id}",
                               "put a {block_type} block with {content} in {parent_id}"])
    def notion_create_block(self, parent_id: str, block_type: BlockType, content: Annotated[str, Field(max_length=2000)],
                            checked: bool = False) -> Block:
        """Create one block of a given type at the end of a page or block.

        Args:
            parent_id: The page or block to add it to.
            block_type: The kind of block.
            content: Its text (empty for a divider).
            checked: For a to_do block, whether it is ticked.
        """
        self._parent_for_children(parent_id)
        if block_type != "divider" and not content.strip():
            raise ToolError(f"a {block_type} block needs some text in content")
        start = self.value("SELECT COALESCE(MAX(position), -1) + 1 FROM blocks WHERE parent_id = ?", parent_id)
        self._touch(parent_id)
        return self._add_block(parent_id, start, block_type, content.strip(), checked)

    @tool(writes=True, phrase=["change the text of {block_id} to {content}", "tick off {block_id}[ ({checked})]",
                               "restore {block_id}[ (archived: {archived})]"])
    def notion_update_block(self, block_id: str, block_type: BlockType | None = None,
                            content: Annotated[str, Field(max_length=2000)] | None = None, checked: bool | None = None,
                            archived: bool | None = None) -> Block:
        """Edit a block's text, tick or untick a to-do, or archive / restore it. A block's type cannot change.

        Args:
            block_id: The block.
            block_type: The block's current type (optional check; it must match).
            content: New text.
            checked: For to_do blocks: ticked or not.
            archived: True archives the block, false restores it.
        """
        block = self._block(block_id, editing=archived is None)
        if block["type"] == "child_page":
            raise ToolError(f"{block_id} is a page; change pages with notion_update_page_properties")
        if block_type is not None and block_type != block["type"]:
            raise ToolError(f"a block's type cannot be changed ({block['type']} to {block_type}); delete it and "
                            "create a new block instead")
        if checked is not None and block["type"] != "to_do":
            raise ToolError(f"only to_do blocks can be checked; this is a {block['type']}")
        if content is None and checked is None and archived is None:
            raise ToolError("give content, checked or archived to change")
        return self._render_block(self.rows(
            "UPDATE blocks SET content = COALESCE(?, content), checked = COALESCE(?, checked),"
            " archived = COALESCE(?, archived), last_edited_time = ? WHERE block_id = ? RETURNING *",
            content.strip() if content is not None else None, checked, archived, self.clock_text(TIME_FORMAT), block_id)[0])

    @tool(writes=True, phrase=["delete {block_id}", "remove {block_id} from its page"])
    def notion_delete_block(self, block_id: str) -> Deleted:
        """Delete (archive) a block and what is nested under it.

        Args:
            block_id: The block.
        """
        if self._block(block_id, editing=True)["type"] == "child_page":
            raise ToolError(f"{block_id} is a page; delete pages with notion_delete_page")
        self.execute("WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT b.block_id FROM blocks b JOIN tree ON"
                     " b.parent_id = tree.id) UPDATE blocks SET archived = 1, last_edited_time = ? WHERE block_id"
                     " IN tree", block_id, self.clock_text(TIME_FORMAT))
        return {"id": block_id, "object": "block", "deleted": True, "archived": True}

    # ---------------------------------------------------------------- pages
    @tool(phrase=["open {page_id}", "show me {page_id} and its properties"])
    def notion_retrieve_page(self, page_id: str) -> Page:
        """A page's title, parent, properties (for a database row, its property values) and top-level blocks.

        Args:
            page_id: The page.
        """
        return self._render_page(self._page(page_id))

    @tool(writes=True, phrase=["create a page called {title} under {parent_page_id}[ with the lines {children}]",
                               "add a subpage {title} to {parent_page_id}"])
    def notion_create_page(self, parent_page_id: str, title: Annotated[str, Field(min_length=1, max_length=2000)],
                           children: Annotated[list[Text], Field(max_length=100)] | None = None) -> Page:
        """Create a page inside another page, with optional content (lines in the shorthand of
        notion_append_block_children). Rows of a database are made with notion_create_database_item.

        Args:
            parent_page_id: The page to create it in.
            title: The new page's title.
            children: Its content, one line per block.
        """
        if self.value("SELECT 1 FROM databases WHERE database_id = ?", parent_page_id):
            raise ToolError(f"{parent_page_id} is a database; add rows to it with notion_create_database_item")
        self._page(parent_page_id, editing=True)
        page_id, now = self.new_id("pages", "page_"), self.clock_text(TIME_FORMAT)
        page = self.rows("INSERT INTO pages VALUES (?, 'page', ?, ?, 1, 0, ?, ?, ?) RETURNING *", page_id,
                         parent_page_id, title.strip(), self._bot()["user_id"], now, now)[0]
        if not children:  # a fresh page id has no blocks under it
            return self._render_page(page, content=False)
        self._insert_blocks(page_id, children)
        return self._render_page(page)

    @tool(writes=True, phrase=["delete {page_id}", "move {page_id} to the trash"])
    def notion_delete_page(self, page_id: str) -> Deleted:
        """Archive a page (it goes to the trash with its subpages).

        Args:
            page_id: The page.
        """
        self._page(page_id, editing=True)
        self.execute("WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT p.page_id FROM pages p JOIN tree ON"
                     " p.parent_id = tree.id AND p.parent_type = 'page') UPDATE pages SET archived = 1,"
                     " last_edited_time = ? WHERE page_id IN tree", page_id, self.clock_text(TIME_FORMAT))
        return {"id": page_id, "object": "page", "deleted": True, "archived": True}

    @tool(writes=True, phrase=["set {properties} on {page_id}", "update {page_id} with {properties}"])
    def notion_update_page_properties(self, page_id: str, properties: Annotated[dict[str, Value],
                                                                                Field(min_length=1)]) -> Page:
        """Change property values of a database row (by property name: text, option name, number, true/false,
        date YYYY-MM-DD, or a member's name or email for people), or the 'title' of a plain page.

        Args:
            page_id: The page.
            properties: Property name to new value, e.g. {"Status": "In review", "Points": 3}.
        """
        page = self._page(page_id, editing=True)
        if page["parent_type"] == "database":
            self._database(page["parent_id"], editing=True)
            self._set_values(page["parent_id"], page_id, properties)
        elif set(properties) != {"title"} or not str(properties["title"] or "").strip():
            raise ToolError("a page outside a database has only a 'title' property; give a non-empty title")
        else:
            self.execute("UPDATE pages SET title = ?, last_edited_time = ? WHERE page_id = ?",
                         str(properties["title"]).strip(), self.clock_text(TIME_FORMAT), page_id)
        return self._render_page(self._page(page_id), content=False)

    @tool(writes=True, phrase=["replace the content of {page_id} with {children}",
                               "rewrite {page_id} so it just says {children}"])
    def notion_update_page_content(self, page_id: str,
                                   children: Annotated[list[Text], Field(max_length=100)]) -> Appended:
        """Replace a page's whole content: its current blocks are archived and the given lines become its blocks.

        Args:
            page_id: The page.
            children: The new content, one line per block (shorthand of notion_append_block_children).
        """
        self._page(page_id, editing=True)
        self.execute("UPDATE blocks SET archived = 1, last_edited_time = ? WHERE parent_id = ? AND archived = 0",
                     self.clock_text(TIME_FORMAT), page_id)
        made = self._insert_blocks(page_id, children)
        self._touch(page_id)
        return {"block_id": page_id, "children_count": len(made), "results": made}

    # ------------------------------------------------------------ databases
    @tool(writes=True, phrase=["create a database called {title} in {parent_page_id}",
                               "set up a new {title} database under {parent_page_id}"])
    def notion_create_database(self, parent_page_id: str, title: Annotated[str, Field(min_length=1, max_length=200)],
                               properties: dict[str, PropertySpec] | None = None) -> Database:
        """Create a database (a table of pages) inside a page. It needs exactly one 'title' property; by default it
        gets just {"Name": {"type": "title"}}.

        Args:
            parent_page_id: The page to create it in.
            title: The database's name.
            properties: Property name to {"type": ..., "options": [...]} (options for select and status).
        """
        self._page(parent_page_id, editing=True)
        properties = properties or {"Name": {"type": "title"}}
        if [s["type"] for s in properties.values()].count("title") != 1:
            raise ToolError("a database needs exactly one property of type 'title'")
        database_id, now = self.new_id("databases", "db_"), self.clock_text(TIME_FORMAT)
        row = self.rows("INSERT INTO databases VALUES (?, ?, ?, '', 1, 0, ?, ?) RETURNING *", database_id,
                        parent_page_id, title.strip(), now, now)[0]
        columns = [(database_id, name.strip(), spec["type"], "|".join(spec.get("options", [])))
                   for name, spec in properties.items()]
        self.executemany("INSERT INTO properties VALUES (?, ?, ?, ?)", columns)
        return self._render_database(row, {name: {"type": kind, "options": options} for _, name, kind, options
                                           in columns})

    @tool(phrase=["list the rows of {database_id}", "show me the entries in {database_id}"])
    def notion_query_database(self, database_id: str, filter: Filter | None = None, sorts: list[Sort] | None = None,
                              start_cursor: Cursor | None = None, page_size: PageSize = 100) -> Pages:
        """The rows (pages) of a database, optionally filtered on one property and sorted (by title otherwise).

        Args:
            database_id: The database.
            filter: e.g. {"property": "Status", "condition": "equals", "value": "In review"}; before/after compare
                dates, contains matches text, people match a member's name.
            sorts: e.g. [{"property": "Due", "direction": "ascending"}].
            start_cursor: next_cursor of the previous page of results.
            page_size: At most this many rows.
        """
        schema = self._schema(self._database(database_id, editing=True)["database_id"])
        for name in [filter["property"]] if filter else [] + [s["property"] for s in sorts or []]:
            if name not in schema:
                raise ToolError(f"no property '{name}' in this database; its properties are: {', '.join(schema)}")
        live_rows = "FROM pages WHERE parent_type = 'database' AND parent_id = ? AND archived = 0"
        values: dict[str, list[tuple[Any, ...]]] = {}
        for value in self.conn.execute(f"{PAGE_VALUES} IN (SELECT page_id {live_rows}) ORDER BY v.page_id, v.name",
                                       (database_id,)):
            values.setdefault(value[0], []).append(value)
        rows = [self._render_page(row, content=False, schema=schema, values=values.get(row["page_id"], []))
                for row in self.rows(f"SELECT * {live_rows} ORDER BY title", database_id)]
        if filter:
            rows = [r for r in rows if self._matches(r["properties"][filter["property"]], filter)]
        for sort in reversed(sorts or []):
            present = [r for r in rows if r["properties"][sort["property"]] is not None]
            present.sort(key=lambda r: r["properties"][sort["property"]], reverse=sort["direction"] == "descending")
            rows = present + [r for r in rows if r["properties"][sort["property"]] is None]
        return self._paged(rows, start_cursor, page_size)

    @staticmethod
    def _matches(value: Value, spec: Filter) -> bool:
        wanted, condition = spec.get("value"), spec["condition"]
        if condition in ("is_empty", "is_not_empty"):
            return (value in (None, "")) == (condition == "is_empty")
        if wanted is None:
            raise ToolError(f"the {condition} condition needs a value")
        same = str(value).lower() == str(wanted).lower() if isinstance(value, str) else value == wanted
        return {"equals": same, "does_not_equal": not same,
                "contains": value is not None and str(wanted).lower() in str(value).lower(),
                "before": value is not None and str(value) < str(wanted),
                "after": value is not None and str(value) > str(wanted)}[condition]

    @tool(phrase=["show me the properties of {database_id}", "what columns does {database_id} have"])
    def notion_retrieve_database(self, database_id: str) -> Database:
        """A database's title, description and property schema (types and select / status options).

        Args:
            database_id: The database.
        """
        return self._render_database(self._database(database_id))

    @tool(writes=True, phrase=["rename {database_id} to {title}", "change the description of {database_id} to "
                               "{description}"])
    def notion_update_database(self, database_id: str, title: Annotated[str, Field(min_length=1, max_length=200)]
                               | None = None, description: Annotated[str, Field(max_length=2000)] | None = None,
                               properties: dict[str, PropertySpec | None] | None = None) -> Database:
        """Rename a database, change its description, or add / remove properties and add select or status
        options (a property given with its current type keeps its options and gains the new ones; null removes it).

        Args:
            database_id: The database.
            title: New name.
            description: New description.
            properties: Property name to {"type": ..., "options": [...]}, or null to remove the property.
        """
        self._database(database_id, editing=True)
        schema = self._schema(database_id)
        for name, spec in (properties or {}).items():
            current = schema.get(name)
            if current and current["type"] == "title" or spec and spec["type"] == "title" and not current:
                raise ToolError("the title property cannot be removed, retyped or duplicated; rename the database "
                                "or its other properties instead")
            if spec is None:
                if current is None:
                    raise ToolError(f"no property '{name}' to remove; its properties are: {', '.join(schema)}")
                self.execute("DELETE FROM properties WHERE database_id = ? AND name = ?", database_id, name)
                self.execute("DELETE FROM page_values WHERE name = ? AND page_id IN (SELECT page_id FROM pages WHERE"
                             " parent_id = ?)", name, database_id)
            elif current and current["type"] != spec["type"]:
                raise ToolError(f"'{name}' is a {current['type']} property and cannot become {spec['type']}; add a "
                                "new property instead")
            else:
                old = current["options"].split("|") if current and current["options"] else []
                options = old + [o for o in spec.get("options", []) if o not in old]
                self.upsert("properties", {"database_id": database_id, "name": name},
                            {"type": spec["type"], "options": "|".join(options)})
        if title is None and description is None and not properties:
            raise ToolError("give a title, description or properties to change")
        return self._render_database(self.rows(
            "UPDATE databases SET title = COALESCE(?, title), description = COALESCE(?, description),"
            " last_edited_time = ? WHERE database_id = ? RETURNING *", title and title.strip(), description,
            self.clock_text(TIME_FORMAT), database_id)[0], None if properties else schema)  # the schema read above is still current

    @tool(writes=True, phrase=["delete {database_id}", "archive {database_id}"])
    def notion_delete_database(self, database_id: str) -> Deleted:
        """Archive a database (its rows go with it).

        Args:
            database_id: The database.
        """
        self._database(database_id, editing=True)
        self.execute("UPDATE databases SET archived = 1, last_edited_time = ? WHERE database_id = ?", self.clock_text(TIME_FORMAT),
                     database_id)
        return {"id": database_id, "object": "database", "deleted": True, "archived": True}

    @tool(writes=True, phrase=["add a row {properties} to {database_id}", "add {properties} to {database_id}"])
    def notion_create_database_item(self, database_id: str,
                                    properties: Annotated[dict[str, Value], Field(min_length=1)]) -> Page:
        """Add a row (a page) to a database; its title property is required, the others are optional.

        Args:
            database_id: The database.
            properties: Property name to value, as for notion_update_page_properties.
        """
        self._database(database_id, editing=True)
        title = next(n for n, p in self._schema(database_id).items() if p["type"] == "title")
        if not str(properties.get(title) or "").strip():
            raise ToolError(f"give the row's title in the '{title}' property")
        page_id, now = self.new_id("pages", "page_"), self.clock_text(TIME_FORMAT)
        self.execute("INSERT INTO pages VALUES (?, 'database', ?, ?, 1, 0, ?, ?, ?)", page_id, database_id,
                     str(properties[title]).strip(), self._bot()["user_id"], now, now)
        self._set_values(database_id, page_id, properties)
        return self._render_page(self._page(page_id), content=False)

    @tool(phrase=["find the Notion pages called {query}", "search Notion for {query}",
                  "list the pages and databases I can see in Notion",
                  "find the Notion databases named {query}"])
    def notion_search(self, query: str | None = None, filter: Literal["page", "database"] | None = None,
                      sort: Literal["ascending", "descending"] = "descending", start_cursor: Cursor | None = None,
                      page_size: PageSize = 20) -> Hits:
        """Find pages and databases shared with the integration whose title contains the query (all of them
        without one), by last edit time; archived ones are left out.

        Args:
            query: Words of the title.
            filter: Only pages or only databases.
            sort: Last edited time, newest first (descending) or oldest first.
            start_cursor: next_cursor of the previous page of results.
            page_size: At most this many results.
        """
        hits = []
        for kind, table, key in (("page", "pages", "page_id"), ("database", "databases", "database_id")):
            if filter not in (None, kind):
                continue
            matches, params = self.text_filter(table, query) if query and query.strip() else ("1", ())
            for row in self.rows(f"SELECT {key} AS id, title, last_edited_time FROM {table} WHERE {matches} AND"
                                 " shared = 1 AND archived = 0", *params):
                hits.append({"object": kind, "page_id": row["id"] if kind == "page" else None,
                             "database_id": row["id"] if kind == "database" else None, "title": row["title"],
                             "url": self._url(row["title"], row["id"]), "last_edited_time": row["last_edited_time"]})
        hits.sort(key=lambda h: (h["last_edited_time"], h["title"]), reverse=sort == "descending")
        return self._paged(hits, start_cursor, page_size)

    # ---------------------------------------------------------------- users
    @tool(phrase=["list the members of our Notion workspace", "show who is in the workspace"])
    def notion_list_all_users(self, start_cursor: Cursor | None = None, page_size: PageSize = 100) -> Users:
        """The workspace's members and bots, by name.

        Args:
            start_cursor: next_cursor of the previous page of results.
            page_size: At most this many users.
        """
        return self._paged(self.rows("SELECT user_id, name, email, type FROM users ORDER BY name"), start_cursor,
                           page_size)

    @tool(phrase=["look up {user_id}", "get the email of {user_id}"])
    def notion_retrieve_user(self, user_id: str) -> User:
        """One member or bot: name, email and type.

        Args:
            user_id: The user.
        """
        return self.require("SELECT user_id, name, email, type FROM users WHERE user_id = ?", user_id,
                            error=f"Could not find user with ID: {user_id}; notion_list_all_users lists them")

    @tool(phrase=["check which integration I'm connected as", "find out who installed this Notion integration"])
    def notion_retrieve_bot_user(self) -> Bot:
        """The integration's own bot user and the member who installed it."""
        bot = self._bot()
        return {"user_id": bot["user_id"], "name": bot["name"],
                "owner": {"type": "user", "user_id": bot["owner_id"], "workspace_name": "Lumenfield"}}

    # ------------------------------------------------------------- comments
    @tool(writes=True, phrase=["comment {rich_text} on {page_id}", "reply {rich_text} in {discussion_id}",
                               "leave the comment {rich_text} on {page_id}"])
    def notion_create_comment(self, rich_text: Text, page_id: str | None = None,
                              discussion_id: str | None = None) -> Comment:
        """Start a discussion on a page, or reply in an existing discussion (give one of page_id, discussion_id).

        Args:
            rich_text: The comment's text (at most 2000 characters).
            page_id: The page to comment on (a new discussion).
            discussion_id: The discussion to reply in.
        """
        if (page_id is None) == (discussion_id is None):
            raise ToolError("give exactly one of page_id (new discussion) or discussion_id (reply)")
        if discussion_id is not None:
            thread = self.row("SELECT * FROM comments WHERE discussion_id = ? ORDER BY created_time", discussion_id)
            if thread is None:
                raise self._missing("discussion", discussion_id)
            self._block(thread["parent_id"], editing=True)
            if thread["resolved"]:
                raise ToolError("this discussion is resolved; reopen it with notion_resolve_comment(resolved=false)"
                                " before replying")
            parent = thread["parent_id"]
        else:
            parent, discussion_id = self._page(page_id, editing=True)["page_id"], self.new_id("comments", "disc_")
        comment_id, now, bot = self.new_id("comments", "cmt_"), self.clock_text(TIME_FORMAT), self._bot()
        self.execute("INSERT INTO comments VALUES (?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?)", comment_id, discussion_id,
                     parent, bot["user_id"], rich_text.strip(), now, now)
        return {"comment_id": comment_id, "discussion_id": discussion_id, "parent_id": parent, "author": bot["name"],
                "rich_text": rich_text.strip(), "resolved": False, "created_time": now, "last_edited_time": now}

    @tool(phrase=["show the comments on {block_id}", "read the discussion on {block_id}"])
    def notion_retrieve_comments(self, block_id: str, include_resolved: bool = True,
                                 start_cursor: Cursor | None = None, page_size: PageSize = 100) -> Comments:
        """The comments on a page or block, oldest first.

        Args:
            block_id: The page or block.
            include_resolved: Whether to include comments of resolved discussions.
            start_cursor: next_cursor of the previous page of results.
            page_size: At most this many comments.
        """
        self._block(block_id)
        rows = self.rows("SELECT * FROM comments WHERE parent_id = ? AND (? OR resolved = 0) ORDER BY created_time,"
                         " comment_id", block_id, include_resolved)
        return self._paged([self._render_comment(r) for r in rows], start_cursor, page_size)

    @tool(writes=True, phrase=["change {comment_id} to say {rich_text}", "edit {comment_id} to read {rich_text}"])
    def notion_update_comment(self, comment_id: str, rich_text: Text) -> Comment:
        """Edit the text of a comment the integration wrote.

        Args:
            comment_id: The comment.
            rich_text: The new text.
        """
        row, now = self._comment(comment_id, own=True), self.clock_text(TIME_FORMAT)
        self.execute("UPDATE comments SET rich_text = ?, last_edited_time = ? WHERE comment_id = ?",
                     rich_text.strip(), now, comment_id)
        # As _render_comment(_comment(comment_id)) shows it; the author is the integration (own=True checked it).
        return {"comment_id": row["comment_id"], "discussion_id": row["discussion_id"], "parent_id": row["parent_id"],
                "author": self._bot()["name"], "rich_text": rich_text.strip(), "resolved": bool(row["resolved"]),
                "created_time": row["created_time"], "last_edited_time": now}

    @tool(writes=True, phrase=["delete {comment_id}", "remove {comment_id}"])
    def notion_delete_comment(self, comment_id: str) -> Deleted:
        """Delete a comment the integration wrote.

        Args:
            comment_id: The comment.
        """
        self._comment(comment_id, own=True)
        self.execute("DELETE FROM comments WHERE comment_id = ?", comment_id)
        return {"id": comment_id, "object": "comment", "deleted": True, "archived": False}

    @tool(writes=True, phrase=["resolve the thread of {comment_id}", "mark {comment_id} as resolved",
                               "reopen the discussion of {comment_id}[ (resolved: {resolved})]"])
    def notion_resolve_comment(self, comment_id: str, resolved: bool = True) -> Resolution:
        """Resolve (or reopen) the whole discussion a comment belongs to.

        Args:
            comment_id: Any comment of the discussion.
            resolved: True resolves, false reopens.
        """
        row = self._comment(comment_id)
        if bool(row["resolved"]) == resolved:
            raise ToolError(f"this discussion is already {'resolved' if resolved else 'open'}")
        bot, now = self._bot(), self.clock_text(TIME_FORMAT)
        self.execute("UPDATE comments SET resolved = ?, resolved_by = ?, resolved_time = ? WHERE discussion_id = ?",
                     int(resolved), bot["user_id"] if resolved else None, now if resolved else None,
                     row["discussion_id"])
        return {"comment_id": comment_id, "discussion_id": row["discussion_id"], "resolved": resolved,
                "resolved_time": now if resolved else None,
                "resolved_by": {"user_id": bot["user_id"], "name": bot["name"], "email": None, "type": "bot"}
                if resolved else None}
