"""The Office domain: its members, prefixed tool names, cross-environment tasks over them and their rewards."""

from __future__ import annotations

import re
from typing import Any

import gymnasium as gym
import pytest

import envfactory_gym  # noqa: F401  (registers the ids)
from envfactory_gym.registration import load_tasks, templates
from tests.envs.support import Calls, play

NEW_MEMBERS = ("Canvas", "ExcelServer", "GoogleSheets", "GoogleTasks", "TickTick", "AirtableMcpServer", "Notion",
               "AdobePDFServices", "GoogleDrive", "OneDrive", "AmazonSES", "MailgunCommunication", "ResendEmailService",
               "PostmarkEmailService", "ZoomMeetingServer", "SlackServer", "TicketManagementSystem", "LinkedInJobs",
               "Dice")
MEMBERS = ("Calendar", *NEW_MEMBERS)


@pytest.fixture(scope="module")
def env() -> Any:
    """The domain env, built once for the module (it overrides the per-environment fixture of conftest.py)."""
    return gym.make("EnvFactory/Office-v0", split=None).unwrapped


def gold_calls(env: Any, task: Any) -> Calls:
    """A cross task's gold calls under the names the domain offers them (prefixed where members share a tool)."""
    return [(env.worlds.public_name(g["env"], g["name"]), g["arguments"]) for g in task.gold]


def cross(env: Any) -> list[Any]:
    return [t for t in env.tasks if t.env == "Office"]


def cross_task(env: Any, scenario: str) -> Any:
    return next(t for t in cross(env) if t.tags["scenario"] == scenario)


def test_domain_lists_every_member_and_prefixes_shared_tools(env: Any) -> None:
    assert {w for w in env.worlds.worlds} == set(MEMBERS)
    names = set(env.worlds.tools)
    assert {"AmazonSES_send_email", "ResendEmailService_send_email", "PostmarkEmailService_send_email",
            "MailgunCommunication_send_email", "GoogleDrive_list_files", "Canvas_list_files",
            "LinkedInJobs_get_job_details", "Dice_get_job_details", "Dice_apply_to_job"} <= names
    assert not {"send_email", "list_files", "get_job_details", "apply_to_job", "upload_file"} & names
    assert {"create_meeting", "conversations_add_message", "create_ticket", "ticktick_create_task",
            "create_record", "combine_pdfs", "excel_read_sheet"} <= names
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) for name in names)


def test_domain_offers_member_and_cross_tasks(env: Any) -> None:
    tasks = cross(env)
    assert len(tasks) >= 25
    assert all(t.tags["envs"] >= 2 for t in tasks)
    assert sum(t.tags["writes"] for t in tasks) == len(tasks)
    spanned = {g["env"] for t in tasks for g in t.gold}
    assert set(NEW_MEMBERS) <= spanned  # every new member takes part in some cross task
    assert len(env.tasks) == sum(len(load_tasks(m)) for m in MEMBERS) + len(tasks)


def test_every_template_yields_tasks(env: Any) -> None:
    made = {t.tags["scenario"] for t in cross(env)}
    assert set(templates("Office")) == made


@pytest.mark.parametrize("scenario", sorted(templates("Office")))
def test_gold_earns_one_and_stopping_short_earns_zero(env: Any, scenario: str) -> None:
    task = cross_task(env, scenario)
    gold = gold_calls(env, task)
    answer = "Done: " + "; ".join(task.answer_facts)
    assert play(env, task.id, gold, answer) == 1.0
    assert play(env, task.id, gold[:-1], answer) == 0.0


def test_meeting_link_must_be_the_new_meeting(env: Any) -> None:
    task = cross_task(env, "meeting_link_in_slack")
    gold = gold_calls(env, task)
    name, message = gold[-1]
    wrong = {**message, "payload": message["payload"].rsplit(": ", 1)[0] + ": https://zoom.us/j/1"}
    assert play(env, task.id, [*gold[:-1], (name, wrong)]) == 0.0


def test_ticket_task_needs_the_ticket_title(env: Any) -> None:
    task = cross_task(env, "ticket_to_google_task")
    gold = gold_calls(env, task)
    index = next(i for i, (n, _) in enumerate(gold) if n == "create_task")
    name, args = gold[index]
    wrong = [*gold[:index], (name, {**args, "title": args["title"].split(":")[0]}), *gold[index + 1:]]
    assert play(env, task.id, wrong) == 0.0


def test_missing_work_mail_goes_to_exactly_the_missing_students(env: Any) -> None:
    task = cross_task(env, "missing_work_by_ses")
    gold = gold_calls(env, task)
    name, mail = gold[-1]
    extra = {**mail, "to_addresses": [*mail["to_addresses"], "someone.else@students.example.edu"]}
    assert play(env, task.id, [*gold[:-1], (name, extra)]) == 0.0


def test_moved_file_needs_the_share_link_in_the_answer(env: Any) -> None:
    task = cross_task(env, "drive_file_to_onedrive")
    gold = gold_calls(env, task)
    assert play(env, task.id, gold, "Moved and shared: " + task.answer_facts[0]) == 1.0
    assert play(env, task.id, gold, "Moved it and made a link.") == 0.0
