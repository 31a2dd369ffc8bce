"""Every accepted action form, and malformed ones."""

from __future__ import annotations

from envfactory_gym.episode.actions import parse_action
from envfactory_gym.episode.user import DONE_REPLY, ScriptedUser
from envfactory_gym.core.tasks import Task, UserFact


def test_raw_qwen_text_with_think_and_two_calls() -> None:
    parsed = parse_action('<think>plan {"name": "x"}</think>Checking.\n<tool_call>\n{"name": "a", "arguments": {"x": 1}}\n'
                          '</tool_call>\n<tool_call>{"name": "b", "arguments": "{\\"y\\": 2}"}</tool_call>')
    assert parsed.content == "Checking."
    assert [(c.name, c.arguments, c.error) for c in parsed.calls] == [("a", {"x": 1}, None), ("b", {"y": 2}, None)]


def test_unclosed_think_and_unclosed_call() -> None:
    parsed = parse_action('<think>still thinking')
    assert parsed.content == "" and not parsed.calls
    parsed = parse_action('<tool_call>{"name": "a", "arguments": {}}')
    assert [(c.name, c.error) for c in parsed.calls] == [("a", None)]


def test_text_without_call_is_a_message() -> None:
    parsed = parse_action("All done: your meeting is moved.")
    assert parsed.content == "All done: your meeting is moved." and not parsed.calls


def test_dict_list_and_openai_message() -> None:
    assert parse_action({"name": "a", "arguments": {"k": 1}}).calls[0].arguments == {"k": 1}
    assert [c.name for c in parse_action([{"name": "a"}, {"name": "b", "arguments": None}]).calls] == ["a", "b"]
    message = {"role": "assistant", "content": "ok", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "a", "arguments": '{"k": 2}'}}]}
    parsed = parse_action(message)
    assert parsed.content == "ok" and parsed.calls[0].arguments == {"k": 2}


def test_malformed_calls_carry_errors() -> None:
    assert parse_action("<tool_call>{not json</tool_call>").calls[0].error.startswith("the tool call is not valid JSON")
    assert parse_action("<tool_call>[1, 2]</tool_call>").calls[0].error == (
        'a tool call must be a JSON object {"name": ..., "arguments": {...}}')
    assert parse_action({"arguments": {}}).calls[0].error == "the tool call has no 'name'"
    assert parse_action({"name": "a", "arguments": "{oops"}).calls[0].error.startswith(
        "the arguments of 'a' are not valid JSON")
    assert parse_action(42).calls[0].error == "unsupported action type int"
    assert parse_action({"role": "assistant", "tool_calls": 5}).calls[0].error == "'tool_calls' must be a list of calls"


def _task(*facts: UserFact) -> Task:
    return Task(id="t", env="X", seed=0, split="train", request="r", gold=(), user_facts=facts)


def test_scripted_user_reveals_facts_on_keywords_and_ends() -> None:
    user = ScriptedUser(_task(UserFact("travel date", "2026-03-14", ("date", "when")),
                              UserFact("budget", "300 USD", ("budget",))))
    assert user.reply("When do you want to travel?") == ("My travel date is 2026-03-14.", False)
    assert user.reply("Anything else I should know?") == (
        "I'm not sure what you mean. Could you ask more specifically?", False)
    assert user.reply("What's your budget?") == ("My budget is 300 USD.", False)
    assert user.reply("Booked.") == (DONE_REPLY, True)


def test_non_conversational_task_ends_on_first_message() -> None:
    assert ScriptedUser(_task()).reply("Is it the 14th?") == (None, True)
