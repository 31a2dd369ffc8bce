"""Task templates of GoogleDrive: filing a file into a folder, which the tool graph cannot chain by itself."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.office.google_drive import FOLDER, RANK, GoogleDrive


def unique(world: GoogleDrive, rng: random.Random, folders: bool) -> dict | None:
    """A file (or folder) the user can write, not trashed, whose name no other file has."""
    rows = world.rows("SELECT f.* FROM files f JOIN permissions p ON p.file_id = f.id AND p.emailAddress ="
                      " (SELECT email FROM users WHERE is_me = 1) WHERE f.trashed = 0 AND p.role IN ('writer', 'owner')"
                      " AND (f.mimeType = ?) = ? AND f.name NOT LIKE '%''%' AND f.name IN"
                      " (SELECT name FROM files GROUP BY name HAVING COUNT(*) = 1) ORDER BY f.id", FOLDER, folders)
    return rng.choice(rows) if rows else None


@scenario
def file_into_folder(world: GoogleDrive, rng: random.Random) -> Draft | None:
    document, folder = unique(world, rng, False), unique(world, rng, True)
    if document is None or folder is None or document["folder"] == folder["id"]:
        return None
    return Draft(
        request=rng.choice(["Please move '{d}' into my '{f}' folder on Drive.", "File '{d}' under the '{f}' folder.",
                            "'{d}' is in the wrong place; put it in the '{f}' folder."]).format(
            d=document["name"], f=folder["name"]),
        calls=(call("list_files", q=f"name = '{document['name']}'"),
               call("list_files", q=f"name = '{folder['name']}' and mimeType = '{FOLDER}'"),
               call("move_file", file_id=Ref(0, "files.0.id"), folder_id=Ref(1, "files.0.id"))))


@scenario
def file_and_share(world: GoogleDrive, rng: random.Random) -> Draft | None:
    document, folder = unique(world, rng, False), unique(world, rng, True)
    if document is None or folder is None or document["folder"] == folder["id"] or RANK.get(world.value(
            "SELECT role FROM permissions WHERE file_id = ? AND emailAddress = (SELECT email FROM users"
            " WHERE is_me = 1)", document["id"])) < RANK["writer"]:
        return None
    colleague = rng.choice(world.rows("SELECT email FROM users WHERE is_me = 0 AND email NOT IN (SELECT"
                                      " emailAddress FROM permissions WHERE file_id = ? AND emailAddress IS NOT NULL)"
                                      " ORDER BY email", document["id"]))["email"]
    return Draft(
        request=f"Move '{document['name']}' into the '{folder['name']}' folder and let {colleague} comment on it.",
        calls=(call("list_files", q=f"name = '{document['name']}'"),
               call("list_files", q=f"name = '{folder['name']}' and mimeType = '{FOLDER}'"),
               call("move_file", file_id=Ref(0, "files.0.id"), folder_id=Ref(1, "files.0.id")),
               call("create_permission", file_id=Ref(0, "files.0.id"), role="commenter", type="user",
                    email_address=colleague)))
