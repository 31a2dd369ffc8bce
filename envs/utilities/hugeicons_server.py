"""HugeiconsServer: the Hugeicons icon library (icons, tags, categories, glyphs per style) and a user's collections."""

from __future__ import annotations

import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, UserKnown, tool
from envfactory_gym.core.world import World

STAMP = "%Y-%m-%d %H:%M"
STYLES = ("stroke", "solid", "duotone", "twotone", "bulk")
FAVOURITES = "Favourites"
MAX_ICONS = 60
MAX_COLLECTIONS = 12
#: category -> (description, subjects, tag words)
CATEGORIES = {
    "arrows": ("Directions and navigation arrows", ["arrow-left", "arrow-right", "arrow-up", "arrow-down",
               "arrow-reload", "arrow-expand", "arrow-shrink"], ["direction", "navigate", "move"]),
    "commerce": ("Shopping, payments and money", ["shopping-cart", "shopping-bag", "credit-card", "wallet",
                 "discount-tag", "invoice", "coins"], ["shop", "money", "payment", "buy"]),
    "communication": ("Messages, calls and mail", ["mail", "message", "chat", "call", "notification", "inbox",
                      "megaphone"], ["talk", "contact", "send", "social"]),
    "files": ("Documents, folders and attachments", ["file", "folder", "document-attachment", "clipboard",
              "note", "archive", "cloud-upload"], ["document", "storage", "paper"]),
    "interface": ("Everyday UI controls", ["home", "search", "settings", "menu", "filter", "dashboard-square",
                  "toggle"], ["ui", "app", "control", "navigation"]),
    "media": ("Audio, video and images", ["play", "pause", "camera", "image", "music-note", "video", "mic"],
              ["multimedia", "sound", "record", "photo"]),
    "users": ("People, profiles and teams", ["user", "user-group", "user-add", "user-circle", "user-lock",
              "profile"], ["person", "account", "people", "avatar"]),
    "weather": ("Weather and nature", ["sun", "moon", "cloud", "rain", "snow", "wind-power", "thermometer"],
                ["forecast", "climate", "sky", "temperature"]),
}
PURPOSES = {"Landing page": "Hero and feature icons for the new landing page", "Mobile app": "Tab bar and toolbar set",
            "Dashboard": "Admin dashboard widgets", "Checkout flow": "Cart, payment and receipt steps",
            "Marketing site": "Blog and pricing page", "Admin panel": "Settings and user management",
            "Onboarding": "Welcome tour screens"}
Style = Literal["stroke", "solid", "duotone", "twotone", "bulk"]
CollectionName = Annotated[NonEmptyStr, UserKnown, Field(max_length=60)]
IconName = Annotated[NonEmptyStr, UserKnown, Field(max_length=80)]

Icon = TypedDict("Icon", {"icon_name": str, "title": str, "category": str, "tags": list[str], "styles": list[str]})
IconPage = TypedDict("IconPage", {"icons": list[Icon], "total": int})
Found = TypedDict("Found", {"icons": list[Icon]})
Glyph = TypedDict("Glyph", {"icon_name": str, "style": str, "glyph": str, "unicode": str})
Category = TypedDict("Category", {"category": str, "description": str, "icon_count": int})
CollectionInfo = TypedDict("CollectionInfo", {"collection_name": str, "description": str, "icon_count": int,
                                              "built_in": bool})
Saved = TypedDict("Saved", {"icon_name": str, "style": str, "glyph": str, "added_at": str})
Collection = TypedDict("Collection", {"collection_name": str, "description": str, "icons": list[Saved]})
Added = TypedDict("Added", {"collection_name": str, "icon_name": str, "style": str, "icon_count": int})
Removed = TypedDict("Removed", {"collection_name": str, "removed": str, "icon_count": int})
Deleted = TypedDict("Deleted", {"deleted": str, "icons_removed": int})


class HugeiconsServer(World):
    """The Hugeicons library: icons by name (e.g. 'home-01'), with a category, tags and a font glyph in each style
    (stroke = outline, solid, duotone, twotone, bulk; newer icons are not drawn in every style yet; a Free plan
    gets the stroke style only), plus the signed-in user's icon collections, including the built-in Favourites."""

    domain = "Utilities"
    schema = """
    CREATE TABLE account (email TEXT PRIMARY KEY, plan TEXT NOT NULL CHECK (plan IN ('free', 'pro')));
    CREATE TABLE categories (category TEXT PRIMARY KEY, description TEXT NOT NULL);
    CREATE TABLE icons (icon_name TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL REFERENCES categories,
                        version_added TEXT NOT NULL);
    CREATE TABLE icon_tags (icon_name TEXT NOT NULL REFERENCES icons, tag TEXT NOT NULL, PRIMARY KEY (icon_name, tag));
    CREATE TABLE glyphs (icon_name TEXT NOT NULL REFERENCES icons, style TEXT NOT NULL, unicode TEXT NOT NULL UNIQUE,
                         PRIMARY KEY (icon_name, style));
    CREATE TABLE collections (collection_name TEXT PRIMARY KEY COLLATE NOCASE, description TEXT NOT NULL,
                              built_in INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
    CREATE TABLE saved_icons (collection_name TEXT NOT NULL REFERENCES collections COLLATE NOCASE,
                              icon_name TEXT NOT NULL, saved_style TEXT NOT NULL, added_at TEXT NOT NULL,
                              PRIMARY KEY (collection_name, icon_name));
    CREATE INDEX icons_category ON icons (category);
    """
    volatile = {"collections": ("created_at",), "saved_icons": ("added_at",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        plan = "free" if rng.random() < 0.25 else "pro"
        db["account"].insert({"email": fake.email(), "plan": plan})
        db["categories"].insert_all({"category": c, "description": d} for c, (d, _, _) in CATEGORIES.items())
        icons, tags, glyphs, point = [], [], [], 0xE000 + rng.randrange(0, 0x400)
        for category, (_, subjects, words) in CATEGORIES.items():
            for subject in subjects:
                for number in range(1, rng.randint(2, 5)):
                    name = f"{subject}-{number:02d}"
                    version = rng.choice(["1.0", "1.0", "1.1", "2.0", "2.1"])
                    tags.extend({"icon_name": name, "tag": t}
                                for t in sorted({*rng.sample(words, 2), *subject.split("-")}))
                    icons.append({"icon_name": name, "title": f"{subject.replace('-', ' ').capitalize()} {number}",
                                  "category": category, "version_added": version})
                    styles = STYLES if version < "2.1" else ("stroke", *rng.sample(STYLES[1:], 2))
                    for style in styles:
                        glyphs.append({"icon_name": name, "style": style, "unicode": f"U+{point:04X}"})
                        point += 1
        db["icons"].insert_all(icons)
        db["icon_tags"].insert_all(tags)
        db["glyphs"].insert_all(glyphs)
        names = [FAVOURITES, *rng.sample(sorted(PURPOSES), rng.randint(3, 5))]
        saved = []
        for index, name in enumerate(names):
            db["collections"].insert({"collection_name": name, "built_in": int(index == 0),
                                      "description": PURPOSES.get(name, "Icons you starred"),
                                      "created_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00"})
            for glyph in rng.sample([g for g in glyphs if plan == "pro" or g["style"] == "stroke"], rng.randint(4, 12)):
                if glyph["icon_name"] not in {s["icon_name"] for s in saved if s["collection_name"] == name}:
                    day = f"2026-0{rng.randint(1, 2)}-{rng.randint(10, 28)}"
                    saved.append({"collection_name": name, "icon_name": glyph["icon_name"],
                                  "saved_style": glyph["style"], "added_at": f"{day} {rng.randint(8, 20):02d}:15"})
        db["saved_icons"].insert_all(saved)

    # ------------------------------------------------------------- helpers
    def _icons(self, where: str, *params: Any) -> list[Icon]:
        rows = self.rows(f"SELECT i.*, (SELECT group_concat(style) FROM glyphs g WHERE g.icon_name = i.icon_name)"
                         f" AS styles, (SELECT group_concat(tag) FROM (SELECT tag FROM icon_tags t WHERE t.icon_name ="
                         f" i.icon_name ORDER BY tag)) AS tags FROM icons i {where}", *params)
        return [{"icon_name": r["icon_name"], "title": r["title"], "category": r["category"],
                 "tags": r["tags"].split(","),
                 "styles": [s for s in STYLES if s in r["styles"].split(",")]} for r in rows]

    def _glyph(self, icon_name: str, style: str) -> dict[str, Any]:
        icon = self.require("SELECT * FROM icons WHERE icon_name = ?", icon_name.strip().lower(),
                            error=f"no icon named '{icon_name}'; search_icons finds icons by keyword")
        glyph = self.row("SELECT * FROM glyphs WHERE icon_name = ? AND style = ?", icon["icon_name"], style)
        if glyph is None:
            have = [r["style"] for r in self.rows("SELECT style FROM glyphs WHERE icon_name = ?", icon["icon_name"])]
            raise ToolError(f"'{icon['icon_name']}' (added in {icon['version_added']}) has no {style} glyph yet;"
                            f" available styles: {', '.join(s for s in STYLES if s in have)}")
        if style != "stroke" and self.value("SELECT plan FROM account") == "free":
            raise ToolError(f"the {style} style needs a Hugeicons Pro plan; the Free plan includes the stroke style")
        return glyph

    def _collection(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM collections WHERE collection_name = ?", name.strip(),
                            error=f"no collection named '{name}'; list_collections shows yours")

    def _count(self, name: str) -> int:
        return self.value("SELECT COUNT(*) FROM saved_icons WHERE collection_name = ?", name)

    # --------------------------------------------------------------- tools
    @tool(phrase=["browse the icon library[ starting at result {offset}]", "list the first {limit} icons"])
    def list_icons(self, limit: Annotated[int, Field(ge=1, le=100)] = 50,
                   offset: Annotated[int, Field(ge=0)] = 0) -> IconPage:
        """Page through every icon of the library, by name.

        Args:
            limit: Icons per page (1-100).
            offset: How many icons to skip.
        """
        return {"icons": self._icons("ORDER BY icon_name LIMIT ? OFFSET ?", limit, offset),
                "total": self.value("SELECT COUNT(*) FROM icons")}

    @tool(phrase=["find icons for {query}[ tagged {tags}]", "search the icon library for {query}"])
    def search_icons(self, query: NonEmptyStr, tags: list[NonEmptyStr] | None = None,
                     limit: Annotated[int, Field(ge=1, le=50)] = 20) -> Found:
        """Search icons whose name, category or tags contain a keyword; tags narrows to icons having all of them.

        Args:
            query: A keyword, e.g. 'cart' or 'weather'.
            tags: Only icons carrying every one of these tags.
            limit: At most this many icons (1-50).
        """
        word = f"%{query.strip().lower()}%"
        found = self._icons("WHERE icon_name LIKE ?1 OR title LIKE ?1 OR category LIKE ?1 OR EXISTS (SELECT 1"
                            " FROM icon_tags t"
                            " WHERE t.icon_name = i.icon_name AND tag LIKE ?1)"
                            " ORDER BY icon_name", word)
        wanted = {t.strip().lower() for t in tags or []}
        return {"icons": [i for i in found if wanted <= set(i["tags"])][:limit]}

    @tool(phrase=["get the glyph of the {icon_name} icon[ in {style} style]",
                  "look up the font character for {icon_name}[ ({style})]"])
    def get_icon_glyph_by_style(self, icon_name: IconName, style: Style = "stroke") -> Glyph:
        """The font glyph (character and its code point) of an icon in one style.

        Args:
            icon_name: The icon, e.g. 'home-01'.
            style: stroke (outline), solid, duotone, twotone or bulk.
        """
        glyph = self._glyph(icon_name, style)
        return {"icon_name": glyph["icon_name"], "style": style, "glyph": chr(int(glyph["unicode"][2:], 16)),
                "unicode": glyph["unicode"]}

    @tool(phrase=["show me the icon categories", "list the categories of the icon library"])
    def list_categories(self) -> list[Category]:
        """The library's categories with how many icons each has."""
        return self.rows("SELECT c.category, c.description, COUNT(i.icon_name) AS icon_count FROM categories c"
                         " LEFT JOIN icons i ON i.category = c.category GROUP BY c.category ORDER BY c.category")

    @tool(phrase=["list my icon collections", "show me the collections I have saved"])
    def list_collections(self) -> list[CollectionInfo]:
        """The user's collections (Favourites first) with their icon counts."""
        rows = self.rows("SELECT c.*, (SELECT COUNT(*) FROM saved_icons x WHERE x.collection_name ="
                         " c.collection_name) AS icon_count FROM collections c ORDER BY built_in DESC, collection_name")
        return [{"collection_name": r["collection_name"], "description": r["description"],
                 "icon_count": r["icon_count"], "built_in": bool(r["built_in"])} for r in rows]

    @tool(phrase=["show me what is in my {collection_name} collection", "open my {collection_name} collection"])
    def get_collection(self, collection_name: CollectionName) -> Collection:
        """The icons saved in one collection, oldest first, with the style each was saved in.

        Args:
            collection_name: The collection, e.g. 'Favourites'.
        """
        found = self._collection(collection_name)
        icons = self.rows("SELECT x.icon_name, x.saved_style AS style, x.added_at, g.unicode FROM saved_icons x"
                          " JOIN glyphs g ON g.icon_name = x.icon_name AND g.style = x.saved_style"
                          " WHERE x.collection_name = ? ORDER BY x.added_at, x.icon_name",
                          found["collection_name"])
        return {"collection_name": found["collection_name"], "description": found["description"],
                "icons": [{"icon_name": i["icon_name"], "style": i["style"], "added_at": i["added_at"],
                           "glyph": chr(int(i["unicode"][2:], 16))} for i in icons]}

    @tool(writes=True, phrase=["create a new icon collection called {collection_name}[ described as {description}]",
                               "start a collection named {collection_name}[ for {description}]"])
    def create_collection(self, collection_name: CollectionName,
                          description: Annotated[str, Field(max_length=200)] = "") -> CollectionInfo:
        """Create an empty collection (names are unique, case-insensitively; at most 12 collections).

        Args:
            collection_name: The new collection's name.
            description: What it is for.
        """
        name = collection_name.strip()
        if self.row("SELECT 1 FROM collections WHERE collection_name = ?", name):
            raise ToolError(f"you already have a collection named '{name}'; pick another name")
        if self.value("SELECT COUNT(*) FROM collections") >= MAX_COLLECTIONS:
            raise ToolError(f"you have {MAX_COLLECTIONS} collections, the most allowed; delete_collection one first")
        self.execute("INSERT INTO collections VALUES (?, ?, 0, ?)", name, description.strip(),
                     self.now().strftime(STAMP))
        return {"collection_name": name, "description": description.strip(), "icon_count": 0, "built_in": False}

    @tool(writes=True, phrase=["delete my {collection_name} collection", "get rid of the {collection_name} collection"])
    def delete_collection(self, collection_name: CollectionName) -> Deleted:
        """Delete a collection and the icons saved in it (the icons stay in the library). Favourites cannot be deleted.

        Args:
            collection_name: The collection.
        """
        found = self._collection(collection_name)
        if found["built_in"]:
            raise ToolError(f"'{found['collection_name']}' is built in and cannot be deleted; remove its icons instead")
        removed = self.execute("DELETE FROM saved_icons WHERE collection_name = ?", found["collection_name"])
        self.execute("DELETE FROM collections WHERE collection_name = ?", found["collection_name"])
        return {"deleted": found["collection_name"], "icons_removed": removed}

    @tool(writes=True, phrase=["save the {icon_name} icon[ in {style} style] to my {collection_name} collection",
                               "add {icon_name}[ ({style})] to {collection_name}"])
    def add_icon_to_collection(self, collection_name: CollectionName, icon_name: IconName,
                               style: Style = "stroke") -> Added:
        """Save an icon, in one style, to a collection ('Favourites' stars it). At most 60 icons per collection.

        Args:
            collection_name: The collection.
            icon_name: The icon.
            style: The style to save it in.
        """
        found, glyph = self._collection(collection_name), self._glyph(icon_name, style)
        name = found["collection_name"]
        have = self.row("SELECT saved_style AS style FROM saved_icons WHERE collection_name = ? AND icon_name = ?",
                        name,
                        glyph["icon_name"])
        if have:
            raise ToolError(f"'{glyph['icon_name']}' is already in '{name}' ({have['style']} style); remove it first"
                            " to save it in another style")
        if self._count(name) >= MAX_ICONS:
            raise ToolError(f"'{name}' is full ({MAX_ICONS} icons); remove some or use another collection")
        self.execute("INSERT INTO saved_icons VALUES (?, ?, ?, ?)", name, glyph["icon_name"], style,
                     self.now().strftime(STAMP))
        return {"collection_name": name, "icon_name": glyph["icon_name"], "style": style,
                "icon_count": self._count(name)}

    @tool(writes=True, phrase=["take the {icon_name} icon out of my {collection_name} collection",
                               "remove {icon_name} from {collection_name}"])
    def remove_icon_from_collection(self, collection_name: CollectionName, icon_name: IconName) -> Removed:
        """Remove an icon from a collection ('Favourites' unstars it).

        Args:
            collection_name: The collection.
            icon_name: The icon.
        """
        name = self._collection(collection_name)["collection_name"]
        if not self.execute("DELETE FROM saved_icons WHERE collection_name = ? AND icon_name = ?", name,
                            icon_name.strip().lower()):
            raise ToolError(f"'{icon_name}' is not in '{name}'; get_collection lists what it holds")
        return {"collection_name": name, "removed": icon_name.strip().lower(), "icon_count": self._count(name)}
