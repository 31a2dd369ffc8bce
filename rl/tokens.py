"""Token-in-token-out bookkeeping of one multi-turn episode.

The episode is a single token sequence that grows by two kinds of segments:

* the model's own tokens, kept exactly as sampled (never decoded and re-encoded), ending with the end-of-turn
  token ``<|im_end|>``; a turn cut off by the token limit is closed by appending that token (not the model's);
* environment feedback (tool responses, user replies) tokenized from the chat template's own rendering of those
  messages, from just after the previous ``<|im_end|>`` up to the next ``<|im_start|>assistant\\n`` (and, with
  thinking off, the empty think block Qwen3's template puts after it).

Because the training template is prefix-preserving and every segment boundary is a special token (with thinking
off: the newlines after the empty think block, which Qwen3's pre-tokenization keeps apart from the text after them),
the concatenated ids equal the tokenization of the whole conversation rendered by the template (when the model's
tokens are the canonical tokenization of its text); the loss mask is 1 on exactly the model's tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rl.tokenizer import END_OF_TURN, TRAINING_TEMPLATE

_ANCHOR = [{"role": "assistant", "content": ""}]


class ChatFormat:
    """Renders messages with the prefix-preserving training template and tokenizes them.

    ``thinking`` is Qwen3's ``enable_thinking``: off, every assistant turn opens with an empty think block (the
    model answers without thinking); on (Qwen3's default), the model may think in a ``<think>`` block first.
    """

    def __init__(self, tokenizer: Any, template: str = TRAINING_TEMPLATE, thinking: bool = True) -> None:
        self.tokenizer = tokenizer
        self.template = template
        self.thinking = thinking
        self.eos_id: int = tokenizer.convert_tokens_to_ids(END_OF_TURN)
        self.think_ids: tuple[int, int] = tuple(tokenizer.convert_tokens_to_ids(["<think>", "</think>"]))
        before = self.render(_ANCHOR)
        self._cut = before.rindex(END_OF_TURN) + len(END_OF_TURN)

    def render(self, messages: list[dict[str, Any]], add_generation_prompt: bool = False) -> str:
        return self.tokenizer.apply_chat_template(messages, chat_template=self.template, tokenize=False,
                                                  add_generation_prompt=add_generation_prompt,
                                                  enable_thinking=self.thinking)

    def encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)

    def prompt_ids(self, messages: list[dict[str, Any]]) -> list[int]:
        """The opening messages followed by the assistant generation prompt."""
        return self.encode(self.render(messages, add_generation_prompt=True))

    def feedback_text(self, messages: list[dict[str, Any]]) -> str:
        """What follows an assistant turn's ``<|im_end|>`` when ``messages`` come next, up to the next turn's start."""
        return self.render(_ANCHOR + messages, add_generation_prompt=True)[self._cut:]

    def feedback_ids(self, messages: list[dict[str, Any]]) -> list[int]:
        return self.encode(self.feedback_text(messages))


@dataclass
class Episode:
    """One trajectory: token ids, the loss mask (1 = the model's tokens) and where each assistant turn lies."""

    ids: list[int]
    mask: list[int] = field(default_factory=list)
    turns: list[tuple[int, int]] = field(default_factory=list)
    reward: float = 0.0
    done: bool = False
    truncated_turns: int = 0
    #: Truncated turns cut inside a think block: the env saw no reply at all (``<think>`` never closed).
    cut_thinking: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.mask:
            self.mask = [0] * len(self.ids)

    @classmethod
    def start(cls, fmt: ChatFormat, messages: list[dict[str, Any]], **info: Any) -> Episode:
        return cls(fmt.prompt_ids(messages), info=dict(info))

    def add_model_turn(self, tokens: list[int], eos_id: int, think_ids: tuple[int, int] | None = None) -> list[int]:
        """Append the model's tokens up to and including the first end-of-turn; close a cut-off turn (and count it in
        :attr:`cut_thinking` when ``think_ids``, the ids of ``<think>`` and ``</think>``, show it was still thinking).

        Returns the kept model tokens (without the closing token when it was added).
        """
        if eos_id in tokens:
            tokens = tokens[: tokens.index(eos_id) + 1]
            closing: list[int] = []
        else:
            closing = [eos_id]
            self.truncated_turns += 1
            if think_ids is not None and next((t for t in reversed(tokens) if t in think_ids), None) == think_ids[0]:
                self.cut_thinking += 1
        start = len(self.ids)
        self.ids += tokens + closing
        self.mask += [1] * len(tokens) + [0] * len(closing)
        self.turns.append((start, start + len(tokens)))
        return tokens

    def add_feedback(self, fmt: ChatFormat, messages: list[dict[str, Any]]) -> None:
        """Append environment messages (tool results, user replies) and the next assistant turn's opening."""
        feedback = fmt.feedback_ids(messages)
        self.ids += feedback
        self.mask += [0] * len(feedback)

    @property
    def model_tokens(self) -> int:
        return sum(self.mask)
