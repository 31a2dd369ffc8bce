"""Token-in-token-out bookkeeping: the token stream equals the template's render, masks are the model's tokens."""

from __future__ import annotations

from rl.tokenizer import END_OF_TURN, SPECIAL_TOKENS
from rl.tokens import Episode

TOOL = {"role": "tool", "name": "search_events", "content": '[{"event_id": "evt_1"}]'}


def _through_last_assistant(messages):
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return messages[: last + 1]


def test_special_tokens_are_single_tokens(tokenizer):
    for token in SPECIAL_TOKENS:
        assert len(tokenizer.encode(token, add_special_tokens=False)) == 1
    ids = tokenizer.encode("<tool_call>x</tool_call><|im_end|>", add_special_tokens=False)
    assert tokenizer.decode(ids, skip_special_tokens=True) == "<tool_call>x</tool_call>"


def test_oracle_tokens_equal_full_render(fmt, oracle_episodes):
    assert oracle_episodes and all(e.reward == 1.0 for e in oracle_episodes)
    for episode in oracle_episodes:
        conversation = _through_last_assistant(episode.info["messages"])
        # the episode ends on the model's final <|im_end|>; the render adds the newline that follows it
        assert episode.ids == fmt.encode(fmt.render(conversation).removesuffix("\n"))


def test_mask_is_exactly_the_assistant_spans(fmt, oracle_episodes):
    opening = fmt.encode("<|im_start|>assistant\n")
    for episode in oracle_episodes:
        spans = {i for start, end in episode.turns for i in range(start, end)}
        assert {i for i, m in enumerate(episode.mask) if m} == spans
        assistant_turns = [m for m in episode.info["messages"] if m["role"] == "assistant"]
        assert len(episode.turns) == len(assistant_turns)
        for (start, end), message in zip(episode.turns, assistant_turns):
            assert episode.ids[start - len(opening):start] == opening
            assert episode.ids[end - 1] == fmt.eos_id
            assert fmt.decode(episode.ids[start:end - 1]).startswith(message["content"])


def test_feedback_uses_the_template_tool_response_form(fmt):
    assert fmt.feedback_text([TOOL]) == (
        '\n<|im_start|>user\n<tool_response>\n[{"event_id": "evt_1"}]\n</tool_response><|im_end|>\n'
        "<|im_start|>assistant\n")
    two = fmt.feedback_text([TOOL, {**TOOL, "content": "2"}])
    assert two.count("<|im_start|>user") == 1 and two.count("<tool_response>") == 2
    assert fmt.feedback_text([{"role": "user", "content": "May 3."}]) == (
        "\n<|im_start|>user\nMay 3.<|im_end|>\n<|im_start|>assistant\n")


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
    from rl.rollout import EnvPool, Job, oracle_actor, play
    from rl.tokens import ChatFormat
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
