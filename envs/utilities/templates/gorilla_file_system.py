"""Task templates of GorillaFileSystem: shell sessions that move into a folder and work there."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envs.utilities.gorilla_file_system import GorillaFileSystem


def files_in(world: GorillaFileSystem, folder: str, like: str = "%") -> list[dict[str, Any]]:
    """Files directly in a folder (given relative to the workspace root), by name."""
    root = world.value("SELECT root FROM volume")
    return world.rows("SELECT * FROM files WHERE parent = ? AND name LIKE ? ORDER BY name", f"{root}/{folder}", like)


def projects(world: GorillaFileSystem) -> list[str]:
    return [r["name"] for r in world.rows("SELECT name FROM directories WHERE dir_name LIKE 'projects/%'"
                                          " AND dir_name NOT LIKE 'projects/%/%' ORDER BY name")]


@scenario
def errors_in_a_log(world: GorillaFileSystem, rng: random.Random) -> Draft | None:
    log = rng.choice(files_in(world, "logs", "%.log"))
    errors = [line for line in log["content"].splitlines() if "ERROR" in line]
    if not 1 <= len(errors) <= 3:
        return None
    return Draft(request=rng.choice(["Go to my logs folder and tell me which ERROR lines {n} has.",
                                     "Which errors are logged in {n}? It's in the logs folder."]).format(n=log["name"]),
                 calls=(call("cd", folder="logs"), call("grep", file_name=log["name"], pattern="ERROR")),
                 answer=tuple(errors))


@scenario
def count_in_a_file(world: GorillaFileSystem, rng: random.Random) -> Draft:
    folder = rng.choice(["notes", "documents", "logs"])
    found = rng.choice(files_in(world, folder))
    mode, word = rng.choice([("l", "lines"), ("w", "words"), ("c", "characters")])
    text = found["content"]
    count = {"l": text.count("\n"), "w": len(text.split()), "c": len(text)}[mode]
    return Draft(request=f"In my {folder} folder, how many {word} does {found['name']} have?",
                 calls=(call("cd", folder=folder), call("wc", file_name=found["name"], mode=mode)), answer=(count,))


@scenario
def what_was_revised(world: GorillaFileSystem, rng: random.Random) -> Draft | None:
    old = rng.choice(files_in(world, "documents/reports", "%_summary.txt"))
    new = old["name"].replace(".txt", "_v2.txt")
    revised = next(line for line in files_in(world, "documents/reports", new)[0]["content"].splitlines()
                   if line.endswith("(revised)"))
    return Draft(request=f"Go into documents/reports and compare {old['name']} with {new}: which line was revised?",
                 calls=(call("cd", folder="documents/reports"), call("diff", file_name1=old["name"], file_name2=new)),
                 answer=(revised,))


@scenario
def drop_the_tests_folder(world: GorillaFileSystem, rng: random.Random) -> Draft:
    project = rng.choice(projects(world))
    return Draft(request=f"I don't need the tests of my {project} project any more: delete its tests folder"
                         " (projects/{p}/tests) together with the test file in it.".replace("{p}", project),
                 calls=(call("cd", folder=f"projects/{project}/tests"), call("rm", file_name="test_main.py"),
                        call("cd", folder=".."), call("rmdir", dir_name="tests")))


@scenario
def file_old_meetings(world: GorillaFileSystem, rng: random.Random) -> Draft | None:
    january = files_in(world, "notes", "meeting-2026-01-%")
    if not 1 <= len(january) <= 4:
        return None
    target = rng.choice(["january", "meetings-2026-01", "jan-meetings"])
    return Draft(request=f"In my notes folder, make a folder '{target}' and move all the January 2026 meeting notes"
                         " into it.",
                 calls=(call("cd", folder="notes"), call("mkdir", dir_name=target),
                        *(call("mv", source=f["name"], destination=target) for f in january)))


@scenario
def back_up_then_rewrite(world: GorillaFileSystem, rng: random.Random) -> Draft:
    project = rng.choice(projects(world))
    task = rng.choice(["ship the release notes", "fix the login bug", "update the dependencies", "write the docs"])
    return Draft(request=f"In projects/{project}, keep a copy of TODO.txt as TODO.bak, then replace TODO.txt with the"
                         f" single line '{task}'.",
                 calls=(call("cd", folder=f"projects/{project}"), call("cp", source="TODO.txt", destination="TODO.bak"),
                        call("echo", content=task, file_name="TODO.txt")))


@scenario
def new_folder_and_where(world: GorillaFileSystem, rng: random.Random) -> Draft:
    project = rng.choice(projects(world))
    name = rng.choice(["utils", "helpers", "fixtures", "assets"])
    root = world.value("SELECT root FROM volume")
    return Draft(request=f"Go to the src folder of my {project} project, create a '{name}' folder there, and tell me"
                         " the full path of the directory you're in.",
                 calls=(call("cd", folder=f"projects/{project}/src"), call("mkdir", dir_name=name), call("pwd")),
                 answer=(f"{root}/projects/{project}/src",))


@scenario
def sorted_shopping_list(world: GorillaFileSystem, rng: random.Random) -> Draft:
    name = rng.choice(["groceries_sorted.txt", "shopping.txt", "groceries-az.txt"])
    return Draft(request=f"Make an alphabetical copy of my groceries list from the notes folder, saved there as"
                         f" {name}.",
                 calls=(call("cd", folder="notes"), call("sort", file_name="groceries.txt"),
                        call("echo", content=Ref(1, "sorted_content"), file_name=name)))


@scenario
def end_of_a_log(world: GorillaFileSystem, rng: random.Random) -> Draft:
    log = rng.choice(files_in(world, "logs", "%.log"))
    lines = rng.choice([2, 3])
    return Draft(request=f"What are the last {lines} entries of {log['name']} in my logs folder?",
                 calls=(call("cd", folder="logs"), call("tail", file_name=log["name"], lines=lines)),
                 answer=tuple(log["content"].splitlines()[-lines:]))


@scenario
def folder_size(world: GorillaFileSystem, rng: random.Random) -> Draft:
    folder = rng.choice(["logs", "notes", "documents", "projects"])
    root = world.value("SELECT root FROM volume")
    size = world.value("SELECT SUM(size) FROM files WHERE path LIKE ?", f"{root}/{folder}/%")
    return Draft(request=f"How many bytes does my {folder} folder take up on disk?",
                 calls=(call("cd", folder=folder), call("du")), answer=(f"{size} bytes",))


@scenario
def hidden_files(world: GorillaFileSystem, rng: random.Random) -> Draft:
    hidden = [r["name"] for r in world.rows("SELECT name FROM files WHERE name LIKE '.%' AND path NOT LIKE '%/.%/%'"
                                            " UNION SELECT name FROM directories WHERE name LIKE '.%' ORDER BY name")]
    return Draft(request="Which hidden files or folders are there at the top of my workspace?",
                 calls=(call("ls", a=True),), answer=tuple(hidden))


@scenario
def drop_a_todo_list(world: GorillaFileSystem, rng: random.Random) -> Draft:
    project = rng.choice(projects(world))
    return Draft(request="Please delete the TODO.txt of one of my projects. I'll tell you which project.",
                 calls=(call("cd", folder=f"projects/{project}"), call("rm", file_name="TODO.txt")),
                 ask=(UserFact("project", project, ("project", "which")),))
