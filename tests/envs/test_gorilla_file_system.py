"""Behaviour of GorillaFileSystem: a current directory, relative paths, shell-like errors, and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import fails, gold_calls, play, scenario_task

ENV = "GorillaFileSystem"


def root(world: Any) -> str:
    return world.value("SELECT root FROM volume")


def test_cd_changes_where_relative_paths_start_and_is_not_graded(world: Any) -> None:
    top = root(world)
    assert world.call("pwd", {}) == {"current_working_directory": top}
    assert world.call("cd", {"folder": "projects"}) == {"current_working_directory": f"{top}/projects"}
    project = world.call("ls", {})["current_directory_content"][0]
    moved = world.call("cd", {"folder": f"{project}/src"})
    assert moved["current_working_directory"] == f"{top}/projects/{project}/src"
    assert world.call("cat", {"file_name": "main.py"})["file_content"].startswith("def main():")
    assert world.call("cd", {"folder": "../.."})["current_working_directory"] == f"{top}/projects"
    assert world.call("cd", {"folder": "~"})["current_working_directory"] == top
    assert world.changes() == {} and world.dirty() == {"shell"}


def test_ls_hides_dotfiles_unless_asked(world: Any) -> None:
    plain = world.call("ls", {})["current_directory_content"]
    everything = world.call("ls", {"a": True})["current_directory_content"]
    assert ".bashrc" in everything and ".config" in everything
    assert [n for n in everything if not n.startswith(".")] == plain


def test_mkdir_touch_echo_create_in_the_current_directory(world: Any) -> None:
    top = root(world)
    world.call("cd", {"folder": "notes"})
    assert world.call("mkdir", {"dir_name": "travel"}) == {"created_directory": f"{top}/notes/travel"}
    assert world.row("SELECT parent, name, dir_name FROM directories WHERE path = ?", f"{top}/notes/travel") == {
        "parent": f"{top}/notes", "name": "travel", "dir_name": "notes/travel"}
    assert world.call("touch", {"file_name": "travel/packing.txt"}) == {"file": f"{top}/notes/travel/packing.txt",
                                                                       "created": True}
    assert world.call("echo", {"content": "passport", "file_name": "travel/packing.txt"}) == {
        "file": f"{top}/notes/travel/packing.txt", "size": 9}
    row = world.row("SELECT content, size, file_name FROM files WHERE path = ?", f"{top}/notes/travel/packing.txt")
    assert row == {"content": "passport\n", "size": 9, "file_name": "notes/travel/packing.txt"}
    assert world.call("echo", {"content": "just print"}) == {"terminal_output": "just print"}


def test_mv_into_a_directory_cp_and_rm(world: Any) -> None:
    top = root(world)
    world.call("cd", {"folder": "notes"})
    assert world.call("mv", {"source": "groceries.txt", "destination": "../archive"}) == {
        "source": f"{top}/notes/groceries.txt", "destination": f"{top}/archive/groceries.txt"}
    assert world.row("SELECT 1 FROM files WHERE path = ?", f"{top}/notes/groceries.txt") is None
    moved = world.row("SELECT parent, file_name FROM files WHERE path = ?", f"{top}/archive/groceries.txt")
    assert moved == {"parent": f"{top}/archive", "file_name": "archive/groceries.txt"}
    world.call("cp", {"source": "ideas.txt", "destination": "ideas.bak"})
    original, copy = (world.value("SELECT content FROM files WHERE path = ?", f"{top}/notes/{n}")
                      for n in ("ideas.txt", "ideas.bak"))
    assert original == copy
    assert world.call("rm", {"file_name": "ideas.bak"}) == {"removed": f"{top}/notes/ideas.bak"}


def test_moving_the_current_directory_moves_the_shell_with_it(world: Any) -> None:
    top = root(world)
    world.call("cd", {"folder": "notes"})
    world.call("mv", {"source": f"{top}/notes", "destination": f"{top}/journal"})
    assert world.call("pwd", {}) == {"current_working_directory": f"{top}/journal"}
    assert "ideas.txt" in world.call("ls", {})["current_directory_content"]


def test_shell_errors_say_what_is_wrong(env: Any, world: Any) -> None:
    top = root(world)
    assert fails(env, world, "cd", {"folder": "nowhere"}) == (
        f"cd: nowhere: No such file or directory (ls shows what is in {top})")
    assert fails(env, world, "cd", {"folder": ".bashrc"}) == "cd: .bashrc: Not a directory"
    assert fails(env, world, "cd", {"folder": ".."}) == (
        f"cd: ..: Permission denied ({top} is the top of your workspace)")
    assert fails(env, world, "cat", {"file_name": "notes"}) == "cat: notes: Is a directory"
    assert fails(env, world, "mkdir", {"dir_name": "notes"}) == (
        "mkdir: notes: File exists (choose another name or remove it first)")
    assert fails(env, world, "rm", {"file_name": "logs"}) == "rm: logs: Is a directory"
    assert fails(env, world, "rmdir", {"dir_name": "notes"}) == (
        "rmdir: failed to remove 'notes': Directory not empty (rm its files first)")
    assert fails(env, world, "rm", {"file_name": "logs/system.log"}) == (
        "rm: logs/system.log: Permission denied (the file is read-only)")
    assert fails(env, world, "cp", {"source": "notes", "destination": "notes2"}) == (
        "cp: -r not specified; omitting directory 'notes' (copy its files one by one)")
    assert fails(env, world, "mv", {"source": "notes/ideas.txt", "destination": "notes/contacts.txt"}) == (
        "mv: notes/contacts.txt: File exists (choose another name or remove it first)")
    assert fails(env, world, "mv", {"source": "projects", "destination": "projects/inner"}) == (
        "mv: cannot move 'projects' to a subdirectory of itself, 'projects/inner'")
    world.call("cd", {"folder": "archive"})
    assert fails(env, world, "rmdir", {"dir_name": "."}).startswith("rmdir: failed to remove '.': it is the current")


def test_quota_refuses_writes_that_do_not_fit(env: Any, world: Any) -> None:
    quota = world.value("SELECT quota_bytes FROM volume")
    used = world.value("SELECT SUM(size) FROM files")
    big = "x" * 7999
    written = 0
    while used + written + 8000 <= quota:
        world.call("echo", {"content": big, "file_name": f"data/fill{written}.txt"})
        written += 8000
    message = fails(env, world, "echo", {"content": big, "file_name": "data/overflow.txt"})
    assert message == (f"echo: No space left on device ({quota - used - written} bytes free of {quota}; rm files you"
                        " no longer need)")


def test_read_commands(world: Any) -> None:
    world.call("cd", {"folder": "logs"})
    log = world.row("SELECT * FROM files WHERE path = ?", f"{root(world)}/logs/auth.log")
    lines = log["content"].splitlines()
    assert world.call("wc", {"file_name": "auth.log"}) == {"count": len(lines), "type": "lines"}
    assert world.call("tail", {"file_name": "auth.log", "lines": 2}) == {"last_lines": "\n".join(lines[-2:])}
    assert world.call("grep", {"file_name": "auth.log", "pattern": "INFO"}) == {
        "matching_lines": [x for x in lines if "INFO" in x]}
    assert world.call("sort", {"file_name": "auth.log"}) == {"sorted_content": "\n".join(sorted(lines))}
    size = world.value("SELECT SUM(size) FROM files WHERE parent = ?", f"{root(world)}/logs")
    assert world.call("du", {}) == {"disk_usage": f"{size} bytes"}
    assert "./system.log" in world.call("find", {"name": "system"})["matches"]


def test_agent_schema_shows_limits_and_the_reference_names() -> None:
    tools = world_set(ENV)(0).tools
    assert list(tools) == ["pwd", "ls", "cd", "mkdir", "touch", "echo", "cat", "find", "wc", "sort", "grep", "du",
                           "tail", "diff", "mv", "rm", "rmdir", "cp"]
    lines = tools["tail"][1].parameters["properties"]["lines"]
    assert (lines["minimum"], lines["maximum"], lines["default"]) == (1, 1000, 10)
    assert tools["wc"][1].parameters["properties"]["mode"]["enum"] == ["l", "w", "c"]
    assert set(tools["diff"][1].parameters["properties"]) == {"file_name1", "file_name2"}


def test_cd_task_gold_earns_one_and_a_relative_path_path_too(env: Any) -> None:
    task = scenario_task(env, "drop_the_tests_folder")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    project = calls[0][1]["folder"]
    direct = [("rm", {"file_name": f"{project}/test_main.py"}), ("rmdir", {"dir_name": project})]
    assert play(env, task.id, direct) == 1.0
    assert play(env, task.id, calls[:2]) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    task = scenario_task(env, "count_in_a_file")
    calls = gold_calls(task)
    assert play(env, task.id, calls, answer=f"It has {task.answer_facts[0]}.") == 1.0
    assert play(env, task.id, calls, answer=f"It has {int(task.answer_facts[0]) + 1}.") == 0.0
