"""Token-in-token-out bookkeeping: the token stream equals the template's render, masks are the model's tokens."""

from __future__ import annotations

import pytest

from rl.rollout import EnvPool, Job, oracle_actor, play
from rl.tokenizer import EMPTY_THINK, END_OF_TURN, SPECIAL_TOKENS
from rl.tokens import ChatFormat, Episode

TOOL = {"role": "tool", "name": "search_events", "content": '[{"event_id": "evt_1"}]'}
MAX_TURNS = 12  # as in conftest.py
THOUGHT = "<think>\nLook it up first.\n</think>\n\n"


def _through_last_assistant(messages):
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return messages[: last + 1]


def _jobs(episodes):
    return [Job(e.info["env"], e.info["task_id"], e.info["seed"]) for e in episodes]


@pytest.fixture(scope="module")
def by_mode(fmt, oracle_episodes):
    """Chat format and the oracle's episodes of every Calendar task, with thinking on (the conftest's) and off."""
    off = ChatFormat(fmt.tokenizer, thinking=False)
    gold = play(_jobs(oracle_episodes), oracle_actor(off), off, EnvPool(MAX_TURNS), max_len=8192, max_new_tokens=256,
                oracle=True)
    return {True: (fmt, oracle_episodes), False: (off, gold)}


def test_special_tokens_are_single_tokens(tokenizer):
    for token in SPECIAL_TOKENS:
        assert len(tokenizer.encode(token, add_special_tokens=False)) == 1
    ids = tokenizer.encode("<tool_call>x</tool_call><|im_end|>", add_special_tokens=False)
    assert tokenizer.decode(ids, skip_special_tokens=True) == "<tool_call>x</tool_call>"


@pytest.mark.parametrize("thinking", [True, False])
def test_oracle_tokens_equal_full_render(by_mode, thinking):
    fmt, episodes = by_mode[thinking]
    assert episodes and all(e.reward == 1.0 for e in episodes)
    # thinking off: every assistant turn opens with Qwen3's empty think block, part of its generation prompt
    opening = fmt.encode("<|im_start|>assistant\n" + ("" if thinking else EMPTY_THINK))
    for episode in episodes:
        conversation = _through_last_assistant(episode.info["messages"])
        # the episode ends on the model's final <|im_end|>; the render adds the newline that follows it
        assert episode.ids == fmt.encode(fmt.render(conversation).removesuffix("\n"))
        assert all(episode.ids[start - len(opening):start] == opening for start, _ in episode.turns)


def test_generation_prompts_differ_from_qwen3s_own_only_by_the_think_blocks_it_drops(by_mode):
    """Before every turn, the token stream against what Qwen3's own template renders for the conversation so far.

    Thinking on, a model that thinks at every turn: its think blocks stay in the stream, and Qwen3's template keeps
    them too within one user query (its tool calls), so the two are the same there; it drops those of turns before
    a later user message (a scripted user's reply), the stream keeps them (the context those turns were sampled
    in). Thinking off: the first prompt is Qwen3's; later ones keep the empty think block of each earlier turn,
    where Qwen3's template drops them."""
    for thinking in (True, False):
        fmt, gold = by_mode[thinking]
        oracle = oracle_actor(fmt)
        thought = THOUGHT if thinking else ""

        def act(episodes, budgets):
            return [fmt.encode(thought) + tokens for tokens in oracle(episodes, budgets)]

        qwen3 = fmt.tokenizer.chat_template["default"]
        episodes = play(_jobs(gold[:40]), act, fmt, EnvPool(MAX_TURNS), max_len=8192, max_new_tokens=256, oracle=True)
        same = dropped = 0
        for episode in episodes:
            assert episode.reward == 1.0  # the environment reads the reply past the think block
            messages = [{**m, "content": thought + m["content"]} if m["role"] == "assistant" else m
                        for m in _through_last_assistant(episode.info["messages"])]
            assert episode.ids == fmt.encode(fmt.render(messages).removesuffix("\n"))
            assistant = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
            for k, (i, (start, _)) in enumerate(zip(assistant, episode.turns)):
                stock = fmt.tokenizer.apply_chat_template(messages[:i], chat_template=qwen3, tokenize=False,
                                                          add_generation_prompt=True, enable_thinking=thinking)
                stream = fmt.decode(episode.ids[:start])
                if thinking:
                    query = max(j for j, m in enumerate(messages[:i]) if m["role"] == "user")
                    old = sum(j < query for j in assistant)  # turns before the last user query
                    assert stream.replace(thought, "", old) == stock
                else:
                    old = k
                    assert stream.count(EMPTY_THINK) == k + 1
                    assert stream.replace(EMPTY_THINK, "") + EMPTY_THINK == stock
                if not old:
                    assert episode.ids[:start] == fmt.encode(stock)
                same += not old
                dropped += bool(old)
        # thinking on: the same at every turn of a tool-call chain; off: at the first turn only
        assert dropped and (same > len(episodes) if thinking else same == len(episodes))


@pytest.mark.parametrize("thinking", [True, False])
def test_feedback_uses_the_template_tool_response_form(by_mode, thinking):
    fmt = by_mode[thinking][0]
    opening = "<|im_start|>assistant\n" + ("" if thinking else EMPTY_THINK)
    assert fmt.feedback_text([TOOL]) == (
        '\n<|im_start|>user\n<tool_response>\n[{"event_id": "evt_1"}]\n</tool_response><|im_end|>\n' + opening)
    two = fmt.feedback_text([TOOL, {**TOOL, "content": "2"}])
    assert two.count("<|im_start|>user") == 1 and two.count("<tool_response>") == 2
    assert fmt.feedback_text([{"role": "user", "content": "May 3."}]) == (
        "\n<|im_start|>user\nMay 3.<|im_end|>\n" + opening)


def test_model_tokens_are_kept_not_retokenized(fmt):
    episode = Episode([1, 2, 3])
    text = '<tool_call>\n{"name": "list_calendars", "arguments": {}}\n</tool_call>'
    canonical = fmt.encode(text)
    odd = [t for ch in text for t in fmt.encode(ch)]  # a valid but non-canonical tokenization
    assert odd != canonical and fmt.decode(odd) == text
    kept = episode.add_model_turn(odd + [fmt.eos_id, 7, 7], fmt.eos_id)
    assert kept == odd + [fmt.eos_id]  # cut at the end-of-turn id, never re-encoded
    episode.add_feedback(fmt, [TOOL])
    assert episode.ids == [1, 2, 3] + odd + [fmt.eos_id] + fmt.feedback_ids([TOOL])
    assert episode.mask == [0, 0, 0] + [1] * (len(odd) + 1) + [0] * len(fmt.feedback_ids([TOOL]))


def test_truncated_turn_is_closed_outside_the_mask(fmt):
    episode = Episode([1, 2])
    episode.add_model_turn([10, 11, 12], fmt.eos_id)
    assert episode.ids == [1, 2, 10, 11, 12, fmt.eos_id]
    assert episode.mask == [0, 0, 1, 1, 1, 0]
    assert episode.truncated_turns == 1 and episode.turns == [(2, 5)]


def test_training_template_is_prefix_preserving_and_default_is_not(fmt):
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
                {"role": "assistant", "content": "<think>\nplan\n</think>\n\nA1"}]
    grown = messages + [{"role": "user", "content": "Q2"}]
    assert fmt.render(grown).startswith(fmt.render(messages))
    stock = fmt.tokenizer.chat_template["default"]
    render = lambda m: fmt.tokenizer.apply_chat_template(m, chat_template=stock, tokenize=False)
    assert not render(grown).startswith(render(messages))
    assert END_OF_TURN in render(grown)


def test_tools_argument_renders_the_qwen3_block(fmt):
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    text = fmt.tokenizer.apply_chat_template([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}],
                                             tools=tools, chat_template=fmt.template, tokenize=False)
    assert text.startswith("<|im_start|>system\nS\n\n# Tools\n") and "<tools>\n" + '{"type": "function"' in text
    assert text.count("<|im_start|>system") == 1


def test_recurring_lines_become_single_phrase_tokens(fmt, oracle_episodes):
    from rl.tokenizer import recurring_lines

    assert recurring_lines(["a long line that recurs here\nshort", "a long line that recurs here\nx"] * 2, 4) == [
        "a long line that recurs here"]
    system = oracle_episodes[0].info["messages"][:1]
    ids = fmt.encode(fmt.render(system))
    assert len(ids) < len(system[0]["content"].splitlines()) * 3  # ~a token per line instead of ~one per word
    assert fmt.decode(ids) == fmt.render(system)


def test_qwen3_split_keeps_digits_apart_and_tokens_equal_full_render():
    from rl import envs
    from rl.train import build_tokenizer

    env, max_turns = "Calendar", 12
    tokenizer = build_tokenizer([env], vocab_size=1024, max_turns=max_turns, qwen3_split=True)

    def pieces(text):
        return [tokenizer.decode([i]) for i in tokenizer.encode(text, add_special_tokens=False)]

    assert pieces("2026-03-10") == ["2", "0", "2", "6", "-", "0", "3", "-", "1", "0"]
    assert pieces("evt_7ce28")[-2:] == ["2", "8"]
    fmt = ChatFormat(tokenizer)
    jobs = [Job(env, t.id, t.seed) for _, t in envs.tasks([env], "test")[:20]]
    episodes = play(jobs, oracle_actor(fmt), fmt, EnvPool(max_turns), max_len=8192, max_new_tokens=256, oracle=True)
    for episode in episodes:
        assert episode.reward == 1.0
        rendered = fmt.render(_through_last_assistant(episode.info["messages"])).removesuffix("\n")
        assert episode.ids == fmt.encode(rendered)
