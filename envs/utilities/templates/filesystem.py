"""Task templates of the Filesystem environment: requests about the user's projects, notes, logs, data and files.

Templates read the seeded state through plain SQL; the gold calls they propose are the agent's tools.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, scenario
from envs.utilities.filesystem import CITIES, LOG_LEVELS, PACKAGES, SHARED_ROOT, Filesystem, sniff

#: The usual file extension of each MIME type the environment's binary files have.
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf", "application/zip": ".zip",
              "image/gif": ".gif"}


# ----------------------------------------------------------------- transforms (for Ref)
def ending_with(suffix: str, extension: str = "") -> Any:
    """A transform picking the path of a search result that ends with ``suffix``, plus ``extension``."""
    return lambda paths: next(p for p in paths if p.endswith(suffix)) + extension


def appended(line: str) -> Any:
    """A transform adding a line at the end of read_text_file's content."""
    return lambda content: content + ("" if content.endswith("\n") or not content else "\n") + line + "\n"


def moved_into(folder: str) -> Any:
    """A transform from a path to the same name inside ``folder``."""
    return lambda path: f"{folder}/{posixpath.basename(path)}"


# ----------------------------------------------------------------------- state helpers
def home_folder(world: Filesystem) -> str:
    """The user's home folder."""
    return world.value("SELECT path FROM roots WHERE label = 'home'")


def project_names(world: Filesystem) -> list[str]:
    """The names of the user's project folders, in order."""
    return [posixpath.basename(r["path"]) for r in world.rows(
        "SELECT path FROM entries WHERE parent = ? AND kind = 'directory' ORDER BY path",
        f"{home_folder(world)}/projects")]


def project_config(world: Filesystem, project: str) -> dict[str, Any]:
    """A project's parsed config.json."""
    return json.loads(world.value("SELECT content FROM entries WHERE path = ?",
                                  f"{home_folder(world)}/projects/{project}/config.json"))


def files_in(world: Filesystem, folder: str, pattern: str = "*") -> list[dict[str, Any]]:
    """The files directly inside a folder whose name matches a glob pattern, in path order."""
    return [r for r in world.rows("SELECT * FROM entries WHERE parent = ? AND kind = 'file' ORDER BY path", folder)
            if fnmatch.fnmatchcase(posixpath.basename(r["path"]), pattern)]


def descendants(world: Filesystem, folder: str) -> list[dict[str, Any]]:
    """Every entry below a folder, in path order."""
    return world.rows("SELECT * FROM entries WHERE substr(path, 1, ?) = ? ORDER BY path", len(folder) + 1,
                      folder + "/")


def unique_name(world: Filesystem, path: str) -> bool:
    """Whether no other entry anywhere has the same name (so a request naming it is unambiguous)."""
    name = posixpath.basename(path)
    return world.value("SELECT COUNT(*) FROM entries WHERE path = ?1 OR substr(path, -?2) = '/' || ?3",
                       path, len(name) + 1, name) == 1


def find_and_read(world: Filesystem, pattern: str) -> tuple[Call, Call]:
    """Gold calls searching the home folder for a file name and reading the first match."""
    return (call("search_files", path=home_folder(world), pattern=pattern), call("read_text_file", path=Ref(0, "0")))


def find_config(world: Filesystem, project: str, extension: str = "") -> tuple[Call, Ref]:
    """Gold steps locating a project's config: the search call, and a Ref to the path it finds (+ extension)."""
    return (call("search_files", path=home_folder(world), pattern="config.json"),
            Ref(0, then=ending_with(f"/{project}/config.json", extension)))


# --------------------------------------------------------------------------- templates
@scenario
def config_port(world: Filesystem, rng: random.Random) -> Draft:
    project = rng.choice(project_names(world))
    search, config = find_config(world, project)
    return Draft(
        request=rng.choice(["Which port is my {p} project configured to use?",
                            "What port does the {p} service listen on, according to its config file?"]
                           ).format(p=project),
        calls=(search, call("read_text_file", path=config)),
        answer=(str(project_config(world, project)["port"]),))


@scenario
def change_port(world: Filesystem, rng: random.Random) -> Draft:
    project = rng.choice(project_names(world))
    used = {project_config(world, p)["port"] for p in project_names(world)}
    port = rng.choice([p for p in (3001, 4000, 5050, 7000, 8088, 8888, 9443) if p not in used])
    search, config = find_config(world, project)
    return Draft(
        request=rng.choice(["Switch my {p} project to port {n}; the port is set in its config file.",
                            "Port clash: please change the port in the {p} project's config to {n}."]
                           ).format(p=project, n=port),
        calls=(search, call("read_text_file", path=config),
               call("edit_file", path=config, oldText=f'"port": {project_config(world, project)["port"]}',
                    newText=f'"port": {port}')))


@scenario
def backup_and_set_log_level(world: Filesystem, rng: random.Random) -> Draft:
    project = rng.choice(project_names(world))
    current = project_config(world, project)["log_level"]
    level = rng.choice([lvl for lvl in LOG_LEVELS if lvl != current])
    search, config = find_config(world, project)
    backup = find_config(world, project, ".bak")[1]
    return Draft(
        request=(f"Back up the {project} project's config as config.json.bak in the same folder, then set the "
                 f"log level in the original config to {level}."),
        calls=(search,
               call("copy_file", source=config, destination=backup),
               call("read_text_file", path=config),
               call("edit_file", path=config, oldText=f'"log_level": "{current}"',
                    newText=f'"log_level": "{level}"')))


@scenario
def last_error(world: Filesystem, rng: random.Random) -> Draft:
    log = rng.choice(files_in(world, f"{home_folder(world)}/logs", "*.log"))
    name = posixpath.basename(log["path"])
    project, day = name[:-len(".log")].split("-", 1)
    message = [line for line in log["content"].splitlines() if " ERROR " in line][-1].split(" ERROR ", 1)[1]
    return Draft(
        request=rng.choice(["What was the last error my {p} service logged on {d}?",
                            "Check the {p} log from {d}: what's the most recent ERROR in it?"]
                           ).format(p=project, d=day),
        calls=find_and_read(world, name),
        answer=(message,))


@scenario
def archive_old_logs(world: Filesystem, rng: random.Random) -> Draft | None:
    logs_dir = f"{home_folder(world)}/logs"
    project = rng.choice(project_names(world))
    logs = files_in(world, logs_dir, f"{project}-*.log")
    cut = rng.randrange(1, len(logs))
    cutoff = posixpath.basename(logs[cut]["path"])[len(project) + 1:-len(".log")]
    archive = f"{logs_dir}/archive"
    return Draft(
        request=rng.choice([
            "Move the {p} logs from before {c} into a new folder called 'archive' inside my logs folder.",
            "My logs folder is cluttered: put every {p} log older than {c} into a new 'archive' subfolder of it.",
        ]).format(p=project, c=cutoff),
        calls=(call("search_files", path=logs_dir, pattern=f"{project}-*.log"),
               call("create_directory", path=archive),
               *(call("move_file", source=Ref(0, str(i)),
                      destination=Ref(0, str(i), then=moved_into(archive)))
                 for i in range(cut))))


@scenario
def tick_todo(world: Filesystem, rng: random.Random) -> Draft:
    todo = files_in(world, f"{home_folder(world)}/notes", "todo.md")[0]
    item = rng.choice([line[6:] for line in todo["content"].splitlines() if line.startswith("- [ ] ")])
    return Draft(
        request=rng.choice(["Tick off '{i}' in my to-do list, it's done.", "I finished '{i}'. Mark it as done "
                            "in my todo file."]).format(i=item),
        calls=(*find_and_read(world, "todo.md"),
               call("edit_file", path=Ref(0, "0"), oldText=f"- [ ] {item}", newText=f"- [x] {item}")))


@scenario
def append_todo(world: Filesystem, rng: random.Random) -> Draft:
    item = rng.choice(["Water the plants", "Order printer ink", "Schedule car service", "Pick up dry cleaning",
                       "Plan the team lunch", "Renew car insurance"])
    return Draft(
        request="Add a new unchecked item at the end of my to-do list. I'll tell you what it is.",
        calls=(*find_and_read(world, "todo.md"),
               call("write_file", path=Ref(0, "0"), content=Ref(1, "content", then=appended(f"- [ ] {item}")))),
        ask=(UserFact("to-do item", item, ("item", "what", "task")),))


@scenario
def update_customer_city(world: Filesystem, rng: random.Random) -> Draft:
    customers = files_in(world, f"{home_folder(world)}/data", "customers.csv")[0]
    row = rng.choice(customers["content"].splitlines()[1:])
    name, city = row.split(",")[1], row.split(",")[3]
    moved_to = rng.choice([c for c in CITIES if c != city])
    return Draft(
        request=rng.choice(["My customer {n} has moved to {c}. Update their row in my customers CSV.",
                            "Please change {n}'s city to {c} in customers.csv."]).format(n=name, c=moved_to),
        calls=(*find_and_read(world, "customers.csv"),
               call("edit_file", path=Ref(0, "0"), oldText=row, newText=row[: -len(city)] + moved_to)))


@scenario
def weekly_report_from_template(world: Filesystem, rng: random.Random) -> Draft:
    owner = world.value("SELECT owner FROM roots WHERE label = 'home'")
    week = rng.randint(9, 14)
    report = f"{SHARED_ROOT}/reports/weekly-2026-w{week:02d}.md"
    return Draft(
        request=(f"Start my weekly report for week {week} from the shared weekly-report template: save the copy "
                 f"in the shared reports folder as {posixpath.basename(report)}, fill in the week number and put "
                 f"my name, {owner}, as the author."),
        calls=(call("search_files", path=SHARED_ROOT, pattern="weekly-report*"),
               call("copy_file", source=Ref(0, "0"), destination=report),
               call("edit_file", path=report, oldText="{{week}}", newText=str(week)),
               call("edit_file", path=report, oldText="{{author}}", newText=owner)))


@scenario
def rename_meeting_note(world: Filesystem, rng: random.Random) -> Draft:
    note = rng.choice(files_in(world, f"{home_folder(world)}/notes", "20*.md"))
    name = posixpath.basename(note["path"])
    day, topic = name[:10], name[11:-len(".md")]
    new_name = f"{topic}-{day}.md"
    return Draft(
        request=rng.choice(["Rename my {t} meeting notes from {d} to '{n}'.",
                            "The notes of the {t} meeting on {d} should be called '{n}'; rename the file."]
                           ).format(t=topic.replace("-", " "), d=day, n=new_name),
        calls=(call("search_files", path=f"{home_folder(world)}/notes", pattern=f"*{topic}.md"),
               call("move_file", source=Ref(0, "0"),
                    destination=Ref(0, "0", then=lambda path: posixpath.join(posixpath.dirname(path), new_name)))))


@scenario
def gather_photos(world: Filesystem, rng: random.Random) -> Draft:
    pictures = f"{home_folder(world)}/pictures"
    events = {posixpath.basename(r["path"]).split("-")[0] for r in files_in(world, pictures, "*.jpg")}
    event = rng.choice(sorted(events))
    photos = files_in(world, pictures, f"{event}-*")
    album = f"{pictures}/{event}"
    return Draft(
        request=rng.choice(["Gather all my {e} photos from the pictures folder into a new subfolder of it "
                            "named '{e}'.", "Make a '{e}' folder inside pictures and move the {e} photos there."]
                           ).format(e=event),
        calls=(call("search_files", path=pictures, pattern=f"{event}-*"),
               call("create_directory", path=album),
               *(call("move_file", source=Ref(0, str(i)),
                      destination=Ref(0, str(i), then=moved_into(album)))
                 for i in range(len(photos)))))


@scenario
def clean_project(world: Filesystem, rng: random.Random) -> Draft:
    project = rng.choice(project_names(world))
    base = f"{home_folder(world)}/projects/{project}"
    scratch = [r for r in descendants(world, base) if r["path"].endswith(".tmp")]
    return Draft(
        request=rng.choice(["Clean up my {p} project: delete its build folder and every .tmp file in it.",
                            "Free some space in the {p} project. Remove the build directory with its contents "
                            "and all the .tmp scratch files."]).format(p=project),
        calls=(call("search_files", path=home_folder(world), pattern=project),
               call("search_files", path=Ref(0, "0"), pattern="*.tmp"),
               *(call("delete_file", path=Ref(1, str(i))) for i in range(len(scratch))),
               call("delete_directory", path=Ref(0, "0", then=lambda path: f"{path}/build"), recursive=True)))


@scenario
def fix_scan_extension(world: Filesystem, rng: random.Random) -> Draft:
    scan = files_in(world, f"{home_folder(world)}/documents", "scan-*")[0]
    return Draft(
        request=(f"There's a file called {posixpath.basename(scan['path'])} in my documents with no extension. "
                 "Work out what kind of file it is and rename it with the usual extension (.pdf, .png or .jpg)."),
        calls=(call("search_files", path=home_folder(world), pattern=posixpath.basename(scan["path"])),
               call("read_media_file", path=Ref(0, "0")),
               call("move_file", source=Ref(0, "0"), destination=scan["path"] + EXTENSIONS[sniff(scan["data"])])))


@scenario
def file_modified(world: Filesystem, rng: random.Random) -> Draft:
    home = home_folder(world)
    candidates = [r for r in world.rows("SELECT * FROM entries WHERE kind = 'file' AND content IS NOT NULL"
                                       " AND substr(path, 1, ?) = ? ORDER BY path", len(home) + 1, home + "/")
                  if "/projects/" not in r["path"] and unique_name(world, r["path"])]
    entry = rng.choice(candidates)
    name = posixpath.basename(entry["path"])
    return Draft(
        request=rng.choice(["When did I last change {n}?", "What's the last-modified time of my file {n}?"]
                           ).format(n=name),
        calls=(call("search_files", path=home, pattern=name), call("get_file_info", path=Ref(0, "0"))),
        answer=(entry["modified"],))


@scenario
def largest_data_file(world: Filesystem, rng: random.Random) -> Draft | None:
    files = sorted(files_in(world, f"{home_folder(world)}/data"), key=lambda r: r["size"], reverse=True)
    if len(files) > 1 and files[0]["size"] == files[1]["size"]:
        return None
    return Draft(
        request=rng.choice(["Which file in my data folder is the biggest, and how many bytes is it?",
                            "What's the largest file in my data directory? Give me its size in bytes too."]),
        calls=(call("list_directory", path=f"{home_folder(world)}/data"),),
        answer=(posixpath.basename(files[0]["path"]), str(files[0]["size"])))


@scenario
def projects_using_package(world: Filesystem, rng: random.Random) -> Draft | None:
    requirements = {p: world.value("SELECT content FROM entries WHERE path = ?",
                                  f"{home_folder(world)}/projects/{p}/requirements.txt") for p in project_names(world)}
    users = {pkg: [p for p, text in requirements.items() if f"{pkg}==" in text] for pkg in PACKAGES}
    choices = [pkg for pkg, projects in users.items() if 0 < len(projects) < len(requirements)]
    if not choices:
        return None
    package = rng.choice(choices)
    return Draft(
        request=rng.choice(["Which of my projects depend on {k}? Check their requirements files.",
                            "I need to upgrade {k}. Which projects list it in requirements.txt?"]
                           ).format(k=package),
        calls=(call("search_files", path=home_folder(world), pattern="requirements.txt"),
               call("read_multiple_files", paths=Ref(0))),
        answer=tuple(users[package]))


@scenario
def build_outputs(world: Filesystem, rng: random.Random) -> Draft:
    project = rng.choice(project_names(world))
    build = f"{home_folder(world)}/projects/{project}/build"
    names = [posixpath.basename(r["path"]) for r in files_in(world, build)]
    return Draft(
        request=f"What's in the build folder of my {project} project? List the file names.",
        calls=(call("search_files", path=home_folder(world), pattern=project),
               call("directory_tree", path=Ref(0, "0", then=lambda path: f"{path}/build"))),
        answer=tuple(names))


@scenario
def move_cover_letter(world: Filesystem, rng: random.Random) -> Draft:
    folder = rng.choice(["applications", "job-search", "letters", "2026-applications"])
    documents = f"{home_folder(world)}/documents"
    return Draft(
        request="Move my cover letter into a new folder inside documents. I'll tell you what to call the folder.",
        calls=(call("search_files", path=home_folder(world), pattern="cover-letter*"),
               call("create_directory", path=f"{documents}/{folder}"),
               call("move_file", source=Ref(0, "0"), destination=f"{documents}/{folder}/cover-letter.txt")),
        ask=(UserFact("folder name", folder, ("name", "folder", "call")),))


@scenario
def archive_note_with_action(world: Filesystem, rng: random.Random) -> Draft | None:
    notes = f"{home_folder(world)}/notes"
    owners: dict[str, list[str]] = {}
    for note in descendants(world, notes):
        for line in (note["content"] or "").splitlines():
            if line.startswith("- [ ] ") and " to send " in line:
                owners.setdefault(line[6:].split(" to send ")[0], []).append(note["path"])
    single = sorted(person for person, paths in owners.items()
                    if len(paths) == 1 and posixpath.dirname(paths[0]) == notes)
    if not single:
        return None
    person = rng.choice(single)
    return Draft(
        request=rng.choice(["Find the meeting notes where {p} has an open action item and move them to my notes "
                            "archive folder.", "Archive the meeting note that gives {p} an action item (it goes "
                            "into notes/archive)."]).format(p=person),
        calls=(call("search_file_contents", path=notes, text=f"- [ ] {person} to"),
               call("move_file", source=Ref(0, "0.path"),
                    destination=Ref(0, "0.path", then=moved_into(f"{notes}/archive")))))
