"""OneDrive: a OneDrive for Business drive through Microsoft Graph: driveItems with paths, quota, sharing links."""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World, like_pattern, paths_below

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SITE = "https://contoso-my.sharepoint.com/personal/{user}/Documents"
MIB = 1024 * 1024
CHUNK = 320 * 1024  # upload session fragments are multiples of 320 KiB
QUOTA = 25 * 1024 * MIB
TYPES = {".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", 20, 900),
         ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 15, 3000),
         ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", 500, 40000),
         ".pdf": ("application/pdf", 60, 9000), ".jpg": ("image/jpeg", 800, 6000),
         ".mp4": ("video/mp4", 300_000, 2_600_000), ".txt": ("text/plain", 1, 40)}  # sizes in KiB
TREE = {"Documents": ["Reports", "Contracts", "Confidential", "Invoices"], "Pictures": ["Offsite", "Screenshots"],
        "Desktop": [], "Recordings": [], "Attachments": []}
STEMS = ["Quarterly report", "Budget", "Roadmap", "Minutes", "Statement of work", "Invoice", "Offer letter",
         "Team photo", "Screen recording", "Training", "Forecast", "Checklist", "Handbook", "Architecture"]
BAD_NAME = re.compile(r'["*:<>?/\\|]|^\s|[\s.]$|^(?:CON|PRN|AUX|NUL|COM\d|LPT\d|desktop\.ini|\.lock)$|_vti_', re.I)
Behavior = Literal["fail", "replace", "rename"]

ParentReference = TypedDict("ParentReference", {"driveId": str, "id": str | None, "path": str | None})
Item = TypedDict("Item", {"id": str, "name": str, "size": int, "webUrl": str, "downloadUrl": str | None,
                          "createdDateTime": str, "lastModifiedDateTime": str, "parentReference": ParentReference,
                          "folder": dict[str, int] | None, "file": dict[str, str] | None})
Children = TypedDict("Children", {"value": list[Item], "@odata.nextLink": str | None})
Download = TypedDict("Download", {"content": str, "name": str, "size": int, "content_type": str})
LargeUpload = TypedDict("LargeUpload", {"id": str, "name": str, "size": int, "webUrl": str,
                                        "upload_session_id": str, "fragments": int})
Link = TypedDict("Link", {"type": str, "scope": str, "webUrl": str})
Permission = TypedDict("Permission", {"id": str, "roles": list[str], "link": Link})
Quota = TypedDict("Quota", {"total": int, "used": int, "deleted": int, "remaining": int, "state": str})
Drive = TypedDict("Drive", {"id": str, "driveType": str, "owner": str, "quota": Quota})


@functools.lru_cache(maxsize=4096)
def _mime(name: str) -> str:
    return next((m for ext, (m, *_) in TYPES.items() if name.lower().endswith(ext)), "application/octet-stream")


def item_id(rng: random.Random) -> str:
    return "01" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))


class OneDrive(World):
    """The user's OneDrive for Business (Microsoft Graph driveItems): folders and files addressed by item id
    ('root' is the drive's top folder), a storage quota, and sharing links. Names must be unique in a folder."""

    domain = "Office"
    schema = """
    CREATE TABLE drive (id TEXT PRIMARY KEY, owner TEXT NOT NULL, upn TEXT NOT NULL, total INTEGER NOT NULL);
    CREATE TABLE items (id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT, path TEXT NOT NULL,
                        is_folder INTEGER NOT NULL,
                        size INTEGER NOT NULL DEFAULT 0, mime TEXT, content TEXT, label TEXT,
                        createdDateTime TEXT NOT NULL, lastModifiedDateTime TEXT NOT NULL,
                        deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX items_by_parent ON items (parent_id, name);
    CREATE INDEX items_by_path ON items (path COLLATE NOCASE);
    CREATE TABLE links (id TEXT PRIMARY KEY, item_id TEXT NOT NULL REFERENCES items, type TEXT NOT NULL,
                        scope TEXT NOT NULL, webUrl TEXT NOT NULL);
    CREATE INDEX links_by_item ON links (item_id, type, scope);
    CREATE TABLE upload_sessions (id TEXT PRIMARY KEY, item_id TEXT NOT NULL, fragments INTEGER NOT NULL,
                                  expirationDateTime TEXT NOT NULL);
    """
    volatile = {"items": ("createdDateTime", "lastModifiedDateTime"), "links": ("webUrl",)}
    ungraded = ("upload_sessions",)

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        first, last = fake.first_name(), fake.last_name()
        db["drive"].insert({"id": "b!" + item_id(rng)[2:24], "owner": f"{first} {last}", "total": QUOTA,
                            "upn": f"{first}.{last}@contoso.com".lower().replace("'", "")})
        items: list[dict[str, Any]] = []

        def add(name: str, parent: str | None, size: int = 0, ext: str = "", label: str | None = None) -> str:
            created = dt.datetime.combine(cls.days_before_start(rng, 5, 500), dt.time(rng.randrange(7, 20)))
            items.append({"id": item_id(rng), "name": name + ext, "parent_id": parent, "is_folder": int(not ext),
                          "size": size, "mime": TYPES[ext][0] if ext else None, "label": label,
                          "content": fake.paragraph(nb_sentences=3) if ext else None,
                          "createdDateTime": created.strftime(TIME_FORMAT),
                          "lastModifiedDateTime": min(created + dt.timedelta(days=rng.randrange(30)),
                                                     cls.start_time - dt.timedelta(hours=2)).strftime(TIME_FORMAT), "deleted": int(bool(ext) and rng.random() < 0.05)})
            return items[-1]["id"]

        add("root", None)
        items[0].update(id="root", deleted=0)
        folders = []
        for top, subs in TREE.items():
            folders.append(add(top, "root"))
            folders += [add(sub, folders[-1], label="Confidential" if sub == "Confidential" else None) for sub in subs]
        confidential = next(r["id"] for r in items if r.get("label"))
        for _ in range(120):
            ext = rng.choice(list(TYPES)[:-2] * 3 + [".mp4", ".txt"])
            folder = rng.choice(folders)
            add(f"{rng.choice(STEMS)} {fake.word().title()} {rng.randrange(2023, 2027)}", folder,
                rng.randrange(TYPES[ext][1], TYPES[ext][2]) * 1024, ext, "Confidential" if folder == confidential
                else None)
        add("Mailbox archive", folders[-1], 0, ".txt")  # the rest of the account's stored bytes
        items[-1].update(name="Mailbox archive.zip", mime="application/zip", deleted=0,
                         size=QUOTA - sum(r.get("size", 0) for r in items) - rng.randrange(400, 1500) * MIB)
        names, paths = set(), {}
        for row in items:  # OneDrive refuses two items of one name in a folder
            while (row["parent_id"], row["name"].lower()) in names:
                row["name"] = row["name"].replace(" ", " 1 ", 1)
            names.add((row["parent_id"], row["name"].lower()))
            row["path"] = "/" if row["id"] == "root" else paths[row["parent_id"]].rstrip("/") + "/" + row["name"]
            paths[row["id"]] = row["path"]
        db["items"].insert_all(items)
        db["links"].insert_all({"id": item_id(rng)[2:18].lower(), "item_id": r["id"], "scope": "organization",
                                "type": rng.choice(["view", "edit"]), "webUrl": "https://contoso-my.sharepoint.com"
                                f"/:w:/g/{item_id(rng)[2:24]}"} for r in rng.sample(items[14:-1], 15))

    # ------------------------------------------------------------------ helpers
    def _item(self, item_id: str, alive: bool = True) -> dict[str, Any]:
        row = self.require("SELECT * FROM items WHERE id = ?", item_id,
                           error=f"itemNotFound: no driveItem with id '{item_id}'; list_children or search_items "
                                 "show the ids")
        if alive and row["deleted"]:
            raise ToolError(f"itemNotFound: '{row['name']}' is in the recycle bin; restore it first")
        return row

    def _drive(self) -> tuple[str, str]:
        """The drive's id and the webUrl prefix of its items."""
        def read() -> tuple[str, str]:
            drive = self.row("SELECT id, upn FROM drive")
            return drive["id"], SITE.format(user=re.sub(r"[@.]", "_", drive["upn"]))
        return self.derived("drive", read)

    @staticmethod
    def _child(parent_path: str, name: str) -> str:
        """The path of ``name`` in the folder at ``parent_path`` (every item's path is built this way)."""
        return parent_path.rstrip("/") + "/" + name

    def _folder_at(self, path: str) -> dict[str, Any]:
        path = "/" + path.strip().strip("/")
        folder = self.require("SELECT * FROM items WHERE path = ? COLLATE NOCASE AND deleted = 0", path,
                              error=f"itemNotFound: no folder at path '{path}'; list_children shows the folders")
        if not folder["is_folder"]:  # what _folder(folder["id"]) checks; the row is alive already
            raise ToolError(f"invalidRequest: '{folder['name']}' is a file; the parent must be a folder")
        return folder

    def _tree_size(self, folder: dict[str, Any]) -> int:
        """Bytes of the live items in a live folder, at any depth: the live items of the folder's path range (a live
        item's folders are all live, and names are unique in a folder whatever their case, so no other live item is
        in that range; deleted ones may also be in a deleted folder that had the same path)."""
        return self.value("SELECT COALESCE(SUM(size), 0) FROM items WHERE path >= ? COLLATE NOCASE"
                          " AND path < ? COLLATE NOCASE AND deleted = 0", *paths_below(folder["path"]))

    def _render(self, row: dict[str, Any], empty: bool = False) -> Item:
        """An item as Graph shows it (``empty``: a folder just created or deleted, so its size and child count
        are 0)."""
        drive_id, site = self._drive()
        path = row["path"].rstrip("/")
        folder = row["is_folder"]
        # An item's path is its parent's path + "/" + its name, so the parent's path is the item's without its name.
        parent_path = row["parent_id"] and "/drive/root:" + path[: len(path) - len(row["name"]) - 1]
        return {"id": row["id"], "name": row["name"],
                "size": (0 if empty else self._tree_size(row)) if folder else row["size"],
                "webUrl": site + path.replace(" ", "%20"),
                "downloadUrl": None if folder else f"https://contoso-my.sharepoint.com/download.aspx?id={row['id']}",
                "createdDateTime": row["createdDateTime"], "lastModifiedDateTime": row["lastModifiedDateTime"],
                "parentReference": {"driveId": drive_id, "id": row["parent_id"], "path": parent_path},
                "folder": {"childCount": 0 if empty else self.value(
                    "SELECT COUNT(*) FROM items WHERE parent_id = ? AND deleted = 0", row["id"])} if folder else None,
                "file": None if folder else {"mimeType": row["mime"]}}

    def _folder(self, folder_id: str) -> dict[str, Any]:
        folder = self._item(folder_id)
        if not folder["is_folder"]:
            raise ToolError(f"invalidRequest: '{folder['name']}' is a file; the parent must be a folder")
        return folder

    def _quota(self) -> Quota:
        used = self.value("SELECT SUM(size) FROM items")
        deleted, total = self.value("SELECT COALESCE(SUM(size), 0) FROM items WHERE deleted = 1"), QUOTA
        share = used / total
        return {"total": total, "used": used, "deleted": deleted, "remaining": total - used,
                "state": "exceeded" if share >= 1 else "critical" if share >= 0.99 else "nearing"
                if share >= 0.9 else "normal"}

    def _place(self, name: str, parent_id: str, behavior: Behavior, size: int) -> tuple[str, str | None]:
        """The name to use in the folder (after the conflict rule) and the id of an item it replaces (the folder
        ``parent_id`` comes from _folder_at, which checked that it is a live folder)."""
        name = name.strip()
        if BAD_NAME.search(name):
            raise ToolError(f"invalidRequest: '{name}' is not a valid OneDrive name (no \" * : < > ? / \\ |, no "
                            "leading or trailing space or trailing dot, not a reserved name)")
        remaining = QUOTA - self.value("SELECT SUM(size) FROM items")  # the quota's "remaining"
        if size > remaining:
            raise ToolError(f"quotaLimitReached: {size} bytes do not fit in the {remaining} bytes "
                            "left; empty the recycle bin or delete files first")
        taken = self.row("SELECT * FROM items WHERE parent_id = ? AND lower(name) = lower(?) AND deleted = 0",
                         parent_id, name)
        if taken is None:
            return name, None
        if behavior == "fail":
            raise ToolError(f"nameAlreadyExists: an item named '{taken['name']}' is already in that folder; pass "
                            "conflict_behavior 'replace' or 'rename'")
        if behavior == "replace":
            if taken["is_folder"]:
                raise ToolError(f"nameAlreadyExists: '{taken['name']}' is a folder and cannot be replaced")
            return name, taken["id"]
        stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
        n = 1
        while self.value("SELECT 1 FROM items WHERE parent_id = ? AND lower(name) = lower(?) AND deleted = 0",
                         parent_id, f"{stem} {n}{dot}{ext}"):
            n += 1
        return f"{stem} {n}{dot}{ext}", None

    def _write(self, name: str, content: str, parent: dict[str, Any], behavior: Behavior) -> dict[str, Any]:
        size = len(content.encode())
        parent_id = parent["id"]
        name, replaced = self._place(name, parent_id, behavior, size)
        now = self.clock_text(TIME_FORMAT)
        if replaced:
            return self.rows("UPDATE items SET content = ?, size = ?, lastModifiedDateTime = ? WHERE id = ?"
                             " RETURNING *", content, size, now, replaced)[0]
        new = self.new_id("items", "01")
        return self.rows("INSERT INTO items (id, name, parent_id, path, is_folder, size, mime, content,"
                         " createdDateTime, lastModifiedDateTime) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING *",
                         new, name, parent_id, self._child(parent["path"], name), size, _mime(name), content, now,
                         now)[0]

    # -------------------------------------------------------------------- tools
    @tool(phrase=["check how much OneDrive storage I have left", "check my OneDrive quota"])
    def get_drive(self) -> Drive:
        """The drive: its owner and storage quota in bytes (the recycle bin counts against it)."""
        drive = self.row("SELECT * FROM drive")
        return {"id": drive["id"], "driveType": "business", "owner": drive["owner"], "quota": self._quota()}

    @tool(phrase=["show what is in {item_id}", "list the contents of {item_id}[, at most {top} items]",
                  "show me what is in my OneDrive[, the first {top} items]"])
    def list_children(self, item_id: str = "root", top: Annotated[int, Field(ge=1, le=200)] = 50,
                      skip: Annotated[int, Field(ge=0)] = 0) -> Children:
        """The items in a folder, folders first, by name.

        Args:
            item_id: The folder's id; 'root' for the top of the drive.
            top: At most this many items.
            skip: Items to skip (from @odata.nextLink).
        """
        self._folder(item_id)
        rows = self.rows("SELECT * FROM items WHERE parent_id = ? AND deleted = 0 ORDER BY is_folder DESC, name"
                         " LIMIT ? OFFSET ?", item_id, top + 1, skip)
        more = f"/me/drive/items/{item_id}/children?$top={top}&$skip={skip + top}" if len(rows) > top else None
        return {"value": [self._render(r) for r in rows[:top]], "@odata.nextLink": more}

    @tool(phrase=["find {q} in my OneDrive", "search OneDrive for {q}"])
    def search_items(self, q: NonEmptyStr, top: Annotated[int, Field(ge=1, le=50)] = 20) -> list[Item]:
        """Find files and folders whose name contains the text (not the recycle bin).

        Args:
            q: Text in the name.
            top: At most this many items.
        """
        # A scan of the names (a drive of ~140 items) costs less than a trigram index lookup.
        return [self._render(r) for r in self.rows("SELECT * FROM items WHERE name LIKE ? ESCAPE '\\' AND deleted = 0"
                                                   " ORDER BY lastModifiedDateTime DESC, id LIMIT ?",
                                                   like_pattern(q.strip()), top)]

    @tool(phrase=["show me the details of {item_id}", "how big is {item_id}"])
    def get_item(self, item_id: str) -> Item:
        """A driveItem's metadata: size (a folder's is the total of its contents), times, path and type.

        Args:
            item_id: The item's id ('root' for the top folder).
        """
        return self._render(self._item(item_id))

    @tool(phrase=["download {item_id}", "open {item_id} and show me what it says"])
    def download_file(self, item_id: str) -> Download:
        """A file's content.

        Args:
            item_id: The file's id.
        """
        row = self._item(item_id)
        if row["is_folder"]:
            raise ToolError(f"invalidRequest: '{row['name']}' is a folder; download its files one by one")
        return {"content": row["content"], "name": row["name"], "size": row["size"], "content_type": row["mime"]}

    @tool(writes=True, phrase=["upload {name} with the text {content}[ to {parent_path}]",
                               "save {content} as {name} in my OneDrive[ folder {parent_path}]"])
    def upload_file(self, name: NonEmptyStr, content: str, parent_path: str = "/",
                    conflict_behavior: Behavior = "fail") -> Item:
        """Upload a small file (simple upload, up to 4 MB) into a folder.

        Args:
            name: The file name, e.g. 'notes.txt'.
            content: The file's text.
            parent_path: The folder's path from the top of the drive, e.g. '/Documents/Reports'; '/' by default.
            conflict_behavior: When the name is taken: fail, replace the file, or rename the new one ('name 1.txt').
        """
        return self._render(self._write(name, content, self._folder_at(parent_path), conflict_behavior))

    @tool(writes=True, phrase=["upload the large file {name} with the text {content}[ to {parent_path}]",
                               "upload {name} in chunks[ of {chunk_size} bytes] with the text {content}[ into {parent_path}]"])
    def upload_large_file(self, name: NonEmptyStr, content: str, parent_path: str = "/",
                          chunk_size: Annotated[int, Field(ge=CHUNK, le=192 * CHUNK)] = 10 * CHUNK,
                          conflict_behavior: Behavior = "fail") -> LargeUpload:
        """Upload a file through an upload session, in fragments of chunk_size bytes (a multiple of 327680).

        Args:
            name: The file name.
            content: The file's text.
            parent_path: The folder's path, e.g. '/Documents'; '/' by default.
            chunk_size: Fragment size in bytes: a multiple of 327680 (320 KiB), at most 60 MiB.
            conflict_behavior: When the name is taken: fail, replace or rename.
        """
        if chunk_size % CHUNK:
            raise ToolError(f"invalidRequest: chunk_size {chunk_size} is not a multiple of 327680 (320 KiB); "
                            f"use {chunk_size // CHUNK * CHUNK or CHUNK}")
        row = self._write(name, content, self._folder_at(parent_path), conflict_behavior)
        session = self.new_id("upload_sessions", "us_")
        fragments = max(1, -(-row["size"] // chunk_size))
        self.execute("INSERT INTO upload_sessions VALUES (?, ?, ?, ?)", session, row["id"], fragments,
                     (self.now() + dt.timedelta(days=1)).strftime(TIME_FORMAT))
        return {"id": row["id"], "name": row["name"], "size": row["size"],
                "webUrl": self._drive()[1] + row["path"].rstrip("/").replace(" ", "%20"),
                "upload_session_id": session, "fragments": fragments}

    @tool(writes=True, phrase=["create a folder {name}[ in {parent_path}]",
                               "make a new OneDrive folder {name}[ under {parent_path}]"])
    def create_folder(self, name: NonEmptyStr, parent_path: str = "/", conflict_behavior: Behavior = "fail") -> Item:
        """Create a folder.

        Args:
            name: The folder's name.
            parent_path: The parent folder's path, e.g. '/Pictures'; '/' by default.
            conflict_behavior: When the name is taken: fail or rename (folders cannot be replaced).
        """
        parent = self._folder_at(parent_path)
        parent_id = parent["id"]
        name, _ = self._place(name, parent_id, conflict_behavior, 0)
        new, now = self.new_id("items", "01"), self.clock_text(TIME_FORMAT)
        row = self.rows("INSERT INTO items (id, name, parent_id, path, is_folder, createdDateTime,"
                        " lastModifiedDateTime) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING *", new, name, parent_id,
                        self._child(parent["path"], name), now, now)[0]
        return self._render(row, empty=True)

    @tool(writes=True, phrase=["move {item_id} into {parent_path}", "put {item_id} in the folder {parent_path}"])
    def move_item(self, item_id: str, parent_path: str, name: str | None = None) -> Item:
        """Move an item to another folder (optionally renaming it); the name must be free there.

        Args:
            item_id: The item's id.
            parent_path: The destination folder's path, e.g. '/Documents/Contracts'.
            name: A new name; the current one by default.
        """
        row, folder = self._item(item_id), self._folder_at(parent_path)
        parent_id = folder["id"]
        if item_id == "root" or (folder["path"] + "/").startswith(row["path"] + "/"):
            raise ToolError("invalidRequest: an item cannot be moved into itself or its own subfolder")
        if row["parent_id"] == parent_id and name in (None, row["name"]):
            raise ToolError(f"'{row['name']}' is already in that folder")
        new_name, _ = self._place(name or row["name"], parent_id, "fail", 0)
        new_path = self._child(folder["path"], new_name)
        self.execute("UPDATE items SET path = ?1 || substr(path, ?2) WHERE path >= ?3 COLLATE NOCASE AND path < ?4"
                     " COLLATE NOCASE AND substr(path, 1, ?2) = ?3", new_path, len(row["path"]) + 1,
                     *paths_below(row["path"]))
        moved = self.rows("UPDATE items SET parent_id = ?, name = ?, path = ?, lastModifiedDateTime = ? WHERE id = ?"
                          " RETURNING *", parent_id, new_name, new_path, self.clock_text(TIME_FORMAT), item_id)[0]
        return self._render(moved)

    @tool(writes=True, phrase=["make a copy of {item_id} in {parent_path}", "copy {item_id} into {parent_path}"])
    def copy_item(self, item_id: str, parent_path: str, name: str | None = None) -> Item:
        """Copy a file into a folder (the copy counts against the storage quota).

        Args:
            item_id: The file's id.
            parent_path: The destination folder's path, e.g. '/Desktop'.
            name: The copy's name; the original's by default.
        """
        row, parent = self._item(item_id), self._folder_at(parent_path)
        parent_id = parent["id"]
        if row["is_folder"]:
            raise ToolError(f"invalidRequest: '{row['name']}' is a folder; copy its files one by one")
        new_name, _ = self._place(name or row["name"], parent_id, "fail", row["size"])
        new, now = self.new_id("items", "01"), self.clock_text(TIME_FORMAT)
        copy = self.rows("INSERT INTO items (id, name, parent_id, path, is_folder, size, mime, content, label,"
                         " createdDateTime, lastModifiedDateTime) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING *",
                         new, new_name, parent_id, self._child(parent["path"], new_name), row["size"], row["mime"],
                         row["content"], row["label"], now, now)[0]
        return self._render(copy)

    @tool(writes=True, phrase=["delete {item_id}", "send {item_id} to the recycle bin"])
    def delete_item(self, item_id: str) -> Item:
        """Move an item (with its contents) to the recycle bin; it still counts against the quota there.

        Args:
            item_id: The item's id.
        """
        if item_id == "root":
            raise ToolError("accessDenied: the root folder cannot be deleted")
        row = self._item(item_id)
        self.execute("UPDATE items SET deleted = 1 WHERE id = ? OR path >= ? COLLATE NOCASE"
                     " AND path < ? COLLATE NOCASE", item_id, *paths_below(row["path"]))
        # Everything in the tree is in the recycle bin now: the folder's live size and child count are 0.
        return self._render({**row, "deleted": 1}, empty=True)

    @tool(writes=True, phrase=["create a {type} link for {item_id} that works for {scope}",
                               "share {item_id} with a {scope} {type} link", "get a sharing link for {item_id}"])
    def create_share_link(self, item_id: str, type: Literal["view", "edit", "embed"] = "view",
                          scope: Literal["anonymous", "organization"] = "organization") -> Permission:
        """Create a sharing link (an existing link of the same type and scope is returned instead of a new one).

        Args:
            item_id: The item's id.
            type: view (read-only), edit, or embed.
            scope: anonymous (anyone with the link) or organization (people signed in at contoso.com).
        """
        row = self._item(item_id)
        if type == "embed":
            raise ToolError("invalidRequest: embed links exist only in OneDrive personal; use a view link")
        if scope == "anonymous" and row["label"] == "Confidential":
            raise ToolError(f"accessDenied: '{row['name']}' carries the Confidential sensitivity label, which "
                            "blocks anonymous links; create an organization link")
        link = self.row("SELECT * FROM links WHERE item_id = ? AND type = ? AND scope = ?", item_id, type, scope)
        if link is None:
            link_id = self.new_id("links", "")
            link = {"id": link_id, "webUrl": f"https://contoso-my.sharepoint.com/:{'f' if row['is_folder'] else 'w'}"
                                             f":/{'g' if scope == 'organization' else 's'}/{link_id}"}
            self.execute("INSERT INTO links VALUES (?, ?, ?, ?, ?)", link_id, item_id, type, scope, link["webUrl"])
        return {"id": link["id"], "roles": ["write" if type == "edit" else "read"],
                "link": {"type": type, "scope": scope, "webUrl": link["webUrl"]}}
