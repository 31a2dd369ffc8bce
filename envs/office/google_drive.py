"""GoogleDrive: the user's Google Drive (files, folders, sharing permissions), in the shape of the Drive v3 API."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import NonEmptyStr, ToolError, tool
from envfactory_gym.core.world import World

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"
DOMAIN = "lumenfield.com"
FOLDER = "application/vnd.google-apps.folder"
NATIVE = {"application/vnd.google-apps.document": "document", "application/vnd.google-apps.spreadsheet":
          "spreadsheets", "application/vnd.google-apps.presentation": "presentation"}
KINDS = {  # mimeType -> (file-name extension, typical names)
    "application/vnd.google-apps.document": ("", ["Meeting notes", "Project brief", "Onboarding guide", "Proposal"]),
    "application/vnd.google-apps.spreadsheet": ("", ["Budget", "Headcount plan", "Sales pipeline", "Inventory"]),
    "application/vnd.google-apps.presentation": ("", ["Quarterly review", "Pitch deck", "Training slides"]),
    "application/pdf": (".pdf", ["Invoice", "Contract", "Signed NDA", "Annual report", "Receipt"]),
    "image/jpeg": (".jpg", ["Team photo", "Whiteboard", "Product shot", "Office floor plan"]),
    "text/csv": (".csv", ["Export", "Survey results", "Customer list"]),
    "text/plain": (".txt", ["Ideas", "Todo", "Changelog"]),
}
FOLDERS = ["Projects", "Finance", "Marketing", "HR", "Photos", "Clients", "Archive", "Design", "Legal", "Sales"]
RANK = {"reader": 1, "commenter": 2, "writer": 3, "owner": 4}
# The parts of the Drive query language understood by list_files: name contains / =, mimeType =, 'id' in parents,
# trashed =, starred =, joined with 'and'.
CLAUSE = re.compile(r"^(?:(name|mimeType|fullText) (contains|=) '((?:[^'\\]|\\.)*)'|'([^']+)' in parents"
                    r"|(trashed|starred) = (true|false))$")


class DriveFile(TypedDict):
    id: str
    name: str
    mimeType: str
    description: str
    size: str | None
    createdTime: str
    modifiedTime: str
    parents: list[str]
    owners: list[str]
    trashed: bool
    webViewLink: str
    webContentLink: str | None


class FileList(TypedDict):
    files: list[DriveFile]
    nextPageToken: str | None
    incompleteSearch: bool


class Download(TypedDict):
    content: str
    name: str
    mimeType: str
    size: str


class Permission(TypedDict):
    id: str
    role: str
    type: str
    emailAddress: str | None
    link: str



def not_found(file_id: str) -> str:
    """The error for an unknown file id."""
    return f"File not found: {file_id}. list_files finds files by name"


def drive_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "1" + "".join(rng.choice(alphabet) for _ in range(32))


class GoogleDrive(World):
    """The signed-in user's Google Drive: files and folders (a folder's mimeType is
    'application/vnd.google-apps.folder'), who owns them and who they are shared with. Times are RFC 3339 UTC."""

    domain = "Office"
    schema = """
    CREATE TABLE users (email TEXT PRIMARY KEY, display_name TEXT NOT NULL, is_me INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE files (id TEXT PRIMARY KEY, name TEXT NOT NULL, mimeType TEXT NOT NULL, folder TEXT,
                        owner TEXT NOT NULL REFERENCES users, description TEXT NOT NULL DEFAULT '', content TEXT,
                        size INTEGER, createdTime TEXT NOT NULL, modifiedTime TEXT NOT NULL,
                        trashed INTEGER NOT NULL DEFAULT 0, starred INTEGER NOT NULL DEFAULT 0,
                        abusive INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX files_by_parent ON files (folder, name);
    CREATE INDEX files_by_type ON files (mimeType);
    CREATE TABLE permissions (id TEXT NOT NULL, file_id TEXT NOT NULL REFERENCES files, role TEXT NOT NULL,
                              type TEXT NOT NULL, emailAddress TEXT, PRIMARY KEY (file_id, id));
    CREATE INDEX permissions_by_file ON permissions (file_id, emailAddress);
    """
    text_search = {"files": ("name", "description")}
    volatile = {"files": ("createdTime", "modifiedTime")}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        users = [{"email": f"{fake.first_name().lower()}.{fake.last_name().lower()}@{DOMAIN}".replace("'", ""),
                  "display_name": "", "is_me": 0} for _ in range(14)]
        users = list({u["email"]: u for u in users}.values())
        for user in users:
            user["display_name"] = user["email"].split("@")[0].replace(".", " ").title()
        users[0]["is_me"] = 1
        users += [{"email": fake.unique.company_email(), "display_name": fake.name(), "is_me": 0} for _ in range(4)]
        me, others = users[0]["email"], [u["email"] for u in users[1:]]
        files, permissions = [], []

        def add(name: str, mime: str, parent: str | None, owner: str) -> dict[str, Any]:
            created = dt.datetime.combine(cls.days_before_start(rng, 20, 700), dt.time(rng.randrange(8, 19)))
            text = None if mime == FOLDER or mime in NATIVE else fake.paragraph(nb_sentences=4)
            row = {"id": drive_id(rng), "name": name, "mimeType": mime, "folder": parent, "owner": owner,
                   "description": fake.sentence(nb_words=8) if rng.random() < 0.5 else "", "content": text,
                   "size": None if text is None else len(text.encode()) * rng.randrange(40, 4000),
                   "createdTime": created.strftime(TIME_FORMAT), "starred": int(rng.random() < 0.15),
                   "modifiedTime": (created + dt.timedelta(days=rng.randrange(0, 20))).strftime(TIME_FORMAT),
                   "trashed": int(rng.random() < 0.06), "abusive": int(text is not None and rng.random() < 0.04)}
            files.append(row)
            permissions.append({"id": f"{rng.randrange(10**19, 10**20)}", "file_id": row["id"], "role": "owner",
                                "type": "user", "emailAddress": owner})
            if owner != me:
                permissions.append({"id": f"{rng.randrange(10**19, 10**20)}", "file_id": row["id"], "type": "user",
                                    "role": rng.choice(["reader", "commenter", "writer"]), "emailAddress": me})
            for email in rng.sample(others, rng.choice([0, 0, 1, 2])):
                if email != owner:
                    permissions.append({"id": f"{rng.randrange(10**19, 10**20)}", "file_id": row["id"],
                                        "type": "user", "role": rng.choice(["reader", "commenter", "writer"]),
                                        "emailAddress": email})
            if rng.random() < 0.08:
                permissions.append({"id": "anyoneWithLink", "file_id": row["id"], "role": "reader",
                                    "type": "anyone", "emailAddress": None})
            return row

        folders = [add(name, FOLDER, None, me) for name in FOLDERS]
        folders += [add(f"{fake.company().split()[0].strip(',')} {rng.choice(['project', 'account', 'review'])}",
                        FOLDER, rng.choice(folders)["id"], me) for _ in range(6)]
        folders += [add(f"{name} (shared)", FOLDER, None, rng.choice(others[:13])) for name in ("Team drive", "Board")]
        for _ in range(110):
            mime = rng.choice(list(KINDS))
            extension, names = KINDS[mime]
            name = f"{rng.choice(names)} {fake.word().title()}{extension}"
            folder = rng.choice(folders + [None])
            owner = me if folder is None or rng.random() < 0.75 else rng.choice(others[:13])
            add(name, mime, folder and folder["id"], owner)
        db["users"].insert_all(users)
        db["files"].insert_all(files)
        db["permissions"].insert_all(permissions)

    # ------------------------------------------------------------------ helpers
    def _me(self) -> str:
        """The signed-in user's email."""
        return self.derived("me", lambda: self.value("SELECT email FROM users WHERE is_me = 1"))

    def _file(self, file_id: str) -> dict[str, Any]:
        return self.require("SELECT * FROM files WHERE id = ?", file_id, error=not_found(file_id))

    def _role(self, file_id: str) -> int:
        role = self.value("SELECT role FROM permissions WHERE file_id = ? AND emailAddress = ?", file_id, self._me())
        return RANK.get(role, 0)

    def _file_and_role(self, file_id: str) -> tuple[dict[str, Any], int]:
        """_file and _role of one file, read in one statement."""
        row = self.require("SELECT *, (SELECT role FROM permissions WHERE file_id = ?1 AND emailAddress = ?2)"
                            " AS _role FROM files WHERE id = ?1", file_id, self._me(), error=not_found(file_id))
        return row, RANK.get(row.pop("_role"), 0)

    @staticmethod
    def _link(row: dict[str, Any]) -> str:
        """A file's webViewLink."""
        kind = NATIVE.get(row["mimeType"])
        return (f"https://drive.google.com/drive/folders/{row['id']}" if row["mimeType"] == FOLDER else
                f"https://docs.google.com/{kind}/d/{row['id']}/edit" if kind else
                f"https://drive.google.com/file/d/{row['id']}/view")

    def _render(self, row: dict[str, Any]) -> DriveFile:
        link = self._link(row)
        return {"id": row["id"], "name": row["name"], "mimeType": row["mimeType"], "description": row["description"],
                "size": None if row["size"] is None else str(row["size"]), "createdTime": row["createdTime"],
                "modifiedTime": row["modifiedTime"], "parents": [row["folder"]] if row["folder"] else [],
                "owners": [row["owner"]], "trashed": bool(row["trashed"]), "webViewLink": link,
                "webContentLink": None if row["content"] is None else
                f"https://drive.google.com/uc?id={row['id']}&export=download"}

    def _folder(self, folder_id: str, action: str) -> dict[str, Any]:
        folder, role = self._file_and_role(folder_id)
        if folder["mimeType"] != FOLDER:
            raise ToolError(f"'{folder['name']}' is not a folder; {action} needs a folder id")
        if folder["trashed"]:
            raise ToolError(f"folder '{folder['name']}' is in the trash; restore it or pick another folder")
        if role < RANK["writer"]:
            raise ToolError(f"you need writer access to folder '{folder['name']}' to {action}")
        return folder

    # -------------------------------------------------------------------- tools
    @tool(phrase=["find my Drive files matching {q}", "search my Drive for {q}",
                  "list my Drive files[ sorted by {order_by}]", "show me[ {page_size} of] the files in my Drive"])
    def list_files(self, q: str | None = None, page_size: Annotated[int, Field(ge=1, le=100)] = 20,
                   order_by: Literal["name", "modifiedTime desc", "createdTime desc"] = "name",
                   page_token: str | None = None) -> FileList:
        """List files and folders the user can see, newest or by name. Trashed files are left out unless the query
        says trashed = true.

        Args:
            q: A Drive query such as "name contains 'budget' and mimeType = 'application/pdf'" (also:
                "'FOLDER_ID' in parents", "trashed = true", "starred = true", "fullText contains 'x'"), or plain
                words to match in names and descriptions.
            page_size: At most this many files per page.
            order_by: Sort order.
            page_token: nextPageToken of the previous page.
        """
        where, params, trashed = ["id IN (SELECT file_id FROM permissions WHERE emailAddress = ?)"], [self._me()], 0
        text_only = q is not None and "'" not in q and "=" not in q
        for clause in [] if text_only or not q else re.split(r"\s+and\s+", q.strip(), flags=re.I):
            found = CLAUSE.match(clause.strip())
            if found is None:
                raise ToolError(f"unsupported query clause {clause!r}; see the q parameter for the syntax")
            if found[1] and found[2] == "contains":
                matches, text = self.text_filter("files", found[3].replace("\\'", "'"))
                where.append(matches)
                params += text
            elif found[1]:
                where.append(f"{'name' if found[1] == 'fullText' else found[1]} = ?")
                params.append(found[3].replace("\\'", "'"))
            elif found[4]:
                where.append("folder = ?")
                params.append(found[4])
            elif found[5] == "trashed":
                trashed = int(found[6] == "true")
            else:
                where.append(f"starred = {int(found[6] == 'true')}")
        if text_only and q.strip():
            matches, text = self.text_filter("files", q)
            where.append(matches)
            params += text
        offset = int(page_token) if page_token and page_token.isdigit() else 0
        rows = self.rows(f"SELECT * FROM files WHERE {' AND '.join(where)} AND trashed = ? ORDER BY {order_by}, id"
                         " LIMIT ? OFFSET ?", *params, trashed, page_size + 1, offset)
        more = len(rows) > page_size
        return {"files": [self._render(r) for r in rows[:page_size]],
                "nextPageToken": str(offset + page_size) if more else None, "incompleteSearch": False}

    @tool(phrase=["show me the details of {file_id}", "when was {file_id} last modified"])
    def get_file(self, file_id: str, fields: str = "*") -> DriveFile:
        """A file's or folder's metadata: type, size (not for Google Docs, Sheets or Slides), times, parent, owner.

        Args:
            file_id: The file's id.
            fields: Which fields to return; all are returned ('*').
        """
        if self._role(file_id) == 0:
            self._file(file_id)
            raise ToolError(f"you have no access to file {file_id}; ask its owner to share it")
        return self._render(self._file(file_id))

    @tool(phrase=["download {file_id}", "get me the contents of {file_id}"])
    def download_file(self, file_id: str, acknowledge_abuse: bool = False) -> Download:
        """Download the content of a file with binary content (not folders, not Google Docs/Sheets/Slides).

        Args:
            file_id: The file's id.
            acknowledge_abuse: Confirm downloading a file Drive flagged as malware or spam.
        """
        row = self._file(file_id)
        if row["mimeType"] == FOLDER or row["mimeType"] in NATIVE:
            raise ToolError(f"'{row['name']}' ({row['mimeType']}) has no binary content: only files with binary "
                            "content can be downloaded; open a Google Docs editors file at its webViewLink")
        if row["abusive"] and not acknowledge_abuse:
            raise ToolError(f"'{row['name']}' was flagged as malware or spam; download it only if you trust it, "
                            "with acknowledge_abuse=true")
        return {"content": row["content"], "name": row["name"], "mimeType": row["mimeType"], "size": str(row["size"])}

    @tool(writes=True, phrase=["upload a file called {name} with the text {content}",
                               "save {content} to my Drive as {name}"])
    def upload_file(self, name: NonEmptyStr, content: str, mime_type: str = "text/plain",
                    parents: list[str] | None = None) -> DriveFile:
        """Upload a new file (Drive allows several files with the same name in a folder).

        Args:
            name: The file name, e.g. 'notes.txt'.
            content: The file's text content.
            mime_type: Its MIME type (folders are made with create_folder).
            parents: The id of the folder to put it in (one); My Drive's root by default.
        """
        if len(parents or []) > 1:
            raise ToolError("a file can have only one parent folder; give one folder id in parents")
        if mime_type == FOLDER or mime_type in NATIVE:
            raise ToolError(f"upload_file cannot create a {mime_type}; use create_folder for folders")
        parent = self._folder(parents[0], "upload into it")["id"] if parents else None
        return self._insert(name, mime_type, parent, content)

    def _insert(self, name: str, mime: str, parent: str | None, content: str | None) -> DriveFile:
        file_id, now, me = self.new_id("files", "1"), self.clock_text(TIME_FORMAT), self._me()
        size = None if content is None else len(content.encode())
        self.execute("INSERT INTO files (id, name, mimeType, folder, owner, content, size, createdTime, modifiedTime)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", file_id, name.strip(), mime, parent, me, content, size,
                     now, now)
        self.execute("INSERT INTO permissions VALUES (?, ?, 'owner', 'user', ?)", self.new_id("permissions", "p"),
                     file_id, me)
        # The row just inserted, as _file reads it back.
        return self._render({"id": file_id, "name": name.strip(), "mimeType": mime, "folder": parent, "owner": me,
                             "description": "", "content": content, "size": size, "createdTime": now,
                             "modifiedTime": now, "trashed": 0, "starred": 0, "abusive": 0})

    @tool(writes=True, phrase=["create a folder named {name}",
                               "make a new Drive folder {name}"])
    def create_folder(self, name: NonEmptyStr, parent_id: str | None = None) -> DriveFile:
        """Create a folder.

        Args:
            name: The folder's name.
            parent_id: The folder to create it in; My Drive's root by default.
        """
        return self._insert(name, FOLDER, parent_id and self._folder(parent_id, "create a folder in it")["id"], None)

    @tool(writes=True, phrase=["share {file_id} with[ the {type}] {email_address} as {role}",
                               "give[ the {type}] {email_address} {role} access to {file_id}",
                               "share {file_id} as {role} with {type}[ {email_address}]"])
    def create_permission(self, file_id: str, role: Literal["reader", "commenter", "writer", "owner"],
                          type: Literal["user", "group", "domain", "anyone"], email_address: str | None = None
                          ) -> Permission:
        """Share a file or folder: grant a role to a user or group (by email), the whole domain, or anyone with the
        link. Granting a higher role to someone who already has access upgrades it; role 'owner' transfers ownership.

        Args:
            file_id: The file's id.
            role: reader, commenter, writer, or owner (transfer; only the owner can, to a user of the domain).
            type: Who gets access.
            email_address: The user's or group's email (for type user or group only).
        """
        row, mine = self._file_and_role(file_id)
        if mine < RANK["writer"]:
            raise ToolError(f"you only have {'no' if mine == 0 else 'read or comment'} access to '{row['name']}'; "
                            "only its owner or a writer can share it")
        if (type in ("user", "group")) != bool(email_address):
            raise ToolError("email_address is required for type user or group, and not allowed for domain or anyone")
        if role == "owner" and (type != "user" or mine != RANK["owner"] or not email_address.endswith(f"@{DOMAIN}")):
            raise ToolError(f"only the owner can transfer ownership of '{row['name']}', and only to a user of {DOMAIN}")
        who = email_address.strip().lower() if email_address else None
        key = who or ("anyoneWithLink" if type == "anyone" else DOMAIN)
        existing = self.row("SELECT * FROM permissions WHERE file_id = ? AND coalesce(emailAddress, id) = ?",
                            file_id, key)
        if existing and RANK[existing["role"]] >= RANK[role]:
            raise ToolError(f"{key} already has {existing['role']} access to '{row['name']}'")
        if role == "owner":
            self.execute("UPDATE permissions SET role = 'writer' WHERE file_id = ? AND role = 'owner'", file_id)
            self.execute("UPDATE files SET owner = ? WHERE id = ?", who, file_id)
        permission_id = existing["id"] if existing else key if who is None else self.new_id("permissions", "p")
        self.upsert("permissions", {"file_id": file_id, "id": permission_id},
                    {"role": role, "type": type, "emailAddress": who})
        return {"id": permission_id, "role": role, "type": type, "emailAddress": who, "link": self._link(row)}

    @tool(phrase=["who has access to {file_id}", "list who {file_id} is shared with"])
    def list_permissions(self, file_id: str) -> list[Permission]:
        """Who a file or folder is shared with, and their roles.

        Args:
            file_id: The file's id.
        """
        link = self._render(self._file(file_id))["webViewLink"]
        return [{**p, "link": link} for p in self.rows(
            "SELECT id, role, type, emailAddress FROM permissions WHERE file_id = ? ORDER BY role, id", file_id)]

    @tool(writes=True, phrase=["move {file_id} into {folder_id}", "put {file_id} in {folder_id}"])
    def move_file(self, file_id: str, folder_id: str) -> DriveFile:
        """Move a file or folder into another folder.

        Args:
            file_id: The file's id.
            folder_id: The destination folder's id.
        """
        row, mine = self._file_and_role(file_id)
        if mine < RANK["writer"] or row["trashed"]:
            raise ToolError(f"'{row['name']}' cannot be moved: it is in the trash or you are not a writer of it")
        self._folder(folder_id, "move files into it")
        if row["folder"] == folder_id:
            raise ToolError(f"'{row['name']}' is already in that folder")
        # The destination and the folders above it (one statement instead of one per level).
        if self.value("WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT f.folder FROM files f JOIN up ON f.id = up.id"
                      " WHERE f.folder IS NOT NULL) SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)", folder_id, file_id):
            raise ToolError("a folder cannot be moved into itself or one of its subfolders")
        now = self.clock_text(TIME_FORMAT)
        self.execute("UPDATE files SET folder = ?, modifiedTime = ? WHERE id = ?", folder_id, now, file_id)
        return self._render({**row, "folder": folder_id, "modifiedTime": now})  # as _file reads it back

    @tool(writes=True, phrase=["move {file_id} to the trash", "trash {file_id}", "delete {file_id} from my Drive"])
    def trash_file(self, file_id: str) -> DriveFile:
        """Move a file or folder (with everything in it) to the trash; only its owner can.

        Args:
            file_id: The file's id.
        """
        row, mine = self._file_and_role(file_id)
        if row["trashed"]:
            raise ToolError(f"'{row['name']}' is already in the trash")
        if mine != RANK["owner"]:
            raise ToolError(f"only the owner ({row['owner']}) can move '{row['name']}' to the trash")
        self.execute("WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT f.id FROM files f JOIN tree ON f.folder ="
                     " tree.id) UPDATE files SET trashed = 1 WHERE id IN tree", file_id)
        return self._render({**row, "trashed": 1})  # the file is in its own tree
