"""A byte-level BPE tokenizer trained locally on the suite's text, carrying Qwen3's special tokens and chat template.

Two templates are saved with it:

* ``default``: Qwen3's own template, for inference: it drops the ``<think>`` block of assistant turns before the
  last user query and normalizes the others', so the render of a turn changes once the conversation grows.
* ``training``: prefix-preserving. Every message renders the same way whatever follows it (assistant text is kept
  verbatim, think blocks included), so ``render(messages[:k])`` is a prefix of ``render(messages)``. The trainer
  builds environment feedback from this template in token space (:mod:`rl.tokens`).

Both take Qwen3's ``enable_thinking`` switch: ``False`` ends the generation prompt with an empty think block
(:data:`EMPTY_THINK`), the training template keeps that block in every assistant turn (the tokens the turn was
generated after), where Qwen3's drops it from all but the last. Within one user query's tool calls (every think
block kept), the two templates give the same generation prompt when thinking is on.

Optionally, lines that recur verbatim many times in the training text (in practice: the lines of an environment's
system prompt, one per tool schema) become single added tokens, "phrase tokens". Byte-level BPE cannot merge across
words, so Calendar's 7.2k-character prompt is 1,854 tokens at a vocabulary of 1,024 (GPT-2 pre-tokenization, trained
on the two-call tasks of 40 worlds); as phrases it is 67, which makes a small model's episodes several times shorter
(decoding cost grows with the context). Phrases are matched before BPE, anywhere, so the ids of a rendered
conversation still equal the concatenation of its segments' ids.

Tool schemas are expected inside the system message already (the suite's envs render them the way Qwen3's template
renders ``tools=``); passing ``tools=`` renders the same block.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

#: Qwen3's control tokens; like Qwen3, only the first three are "special" (dropped by ``skip_special_tokens``),
#: the think/tool markers are plain added tokens so decoded model text keeps them.
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>",
                  "</tool_call>", "<tool_response>", "</tool_response>"]
END_OF_TURN = "<|im_end|>"
#: What Qwen3's template puts after the assistant generation prompt with ``enable_thinking=False``: the model then
#: answers without thinking.
EMPTY_THINK = "<think>\n\n</think>\n\n"

#: Qwen3's pre-tokenization: one token per digit, letters in runs, punctuation apart. Values the agent must copy
#: (ids, dates, words) then split the same way wherever they occur, as short runs of common tokens.
QWEN3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
               r"\s*[\r\n]+|\s+(?!\S)|\s+")

_TOOLS_BLOCK = (
    "{%- if tools %}{{- '<|im_start|>system\\n' }}"
    "{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}"
    "{{- '# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\n"
    "You are provided with function signatures within <tools></tools> XML tags:\\n<tools>' }}"
    "{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}"
    "{{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": "
    "<args-json-object>}\\n</tool_call><|im_end|>\\n' }}{%- endif %}"
)

#: The calls of an assistant message, after a newline unless its reply (its text past any think block) is empty.
_TOOL_CALLS = (
    "{%- for tool_call in message.tool_calls or [] %}"
    "{%- if (loop.first and reply) or not loop.first %}{{- '\\n' }}{%- endif %}"
    "{%- if tool_call.function %}{%- set tool_call = tool_call.function %}{%- endif %}"
    "{{- '<tool_call>\\n{\"name\": \"' + tool_call.name + '\", \"arguments\": ' }}"
    "{%- if tool_call.arguments is string %}{{- tool_call.arguments }}{%- else %}{{- tool_call.arguments | tojson }}"
    "{%- endif %}{{- '}\\n</tool_call>' }}{%- endfor %}"
)


#: :data:`EMPTY_THINK` when the caller passed ``enable_thinking=False`` (unset means thinking, as in Qwen3).
_IF_THINKING_OFF = ("{%- if enable_thinking is defined and enable_thinking is false %}{{- '"
                    + EMPTY_THINK.replace("\n", "\\n") + "' }}{%- endif %}")

#: Qwen3's reasoning split of an assistant message: ``reasoning_content`` when given, else the text before
#: ``</think>`` (and ``content`` becomes the text after it).
_REASONING = (
    "{%- set reasoning = message.reasoning_content if message.reasoning_content is string else '' %}"
    "{%- if message.reasoning_content is not string and '</think>' in content %}"
    "{%- set reasoning = content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') %}"
    "{%- set content = content.split('</think>')[-1].lstrip('\\n') %}{%- endif %}"
)


def _template(inference: bool) -> str:
    """The chat template: Qwen3's own behaviour (``inference``) or the prefix-preserving training variant.

    Both end the generation prompt with Qwen3's :data:`EMPTY_THINK` when ``enable_thinking=False``. For an assistant
    message, ``inference`` does what Qwen3's template does: the last user query is the last user message that is
    not a tool response; turns before it lose their think block; turns after it keep theirs, rendered
    ``<think>\\n{reasoning}\\n</think>\\n\\n{content}``, and so does the last message even with no reasoning (with
    an empty block). The training variant renders every assistant message verbatim, after the empty think block
    its generation prompt had when thinking is off.
    """
    content = "{%- set content = message.content if message.content is string else '' %}"
    if inference:
        head = (
            "{%- set ns = namespace(multi_step_tool=true, last_query=messages|length - 1) %}"
            "{%- for m in messages[::-1] %}"
            "{%- if ns.multi_step_tool and m.role == 'user' and m.content is string and not "
            "(m.content.startswith('<tool_response>') and m.content.endswith('</tool_response>')) %}"
            "{%- set ns.multi_step_tool = false %}{%- set ns.last_query = messages|length - 1 - loop.index0 %}"
            "{%- endif %}{%- endfor %}"
        )
        assistant = (
            _REASONING +
            "{%- if loop.index0 > ns.last_query and (loop.last or reasoning) %}"
            "{{- '<|im_start|>assistant\\n<think>\\n' + reasoning.strip('\\n') + '\\n</think>\\n\\n' "
            "+ content.lstrip('\\n') }}"
            "{%- else %}{{- '<|im_start|>assistant\\n' + content }}{%- endif %}{%- set reply = content %}"
        )
    else:
        head = ""
        assistant = ("{{- '<|im_start|>assistant\\n' }}" + _IF_THINKING_OFF + "{{- content }}"
                     "{%- set reply = content.split('</think>')[-1].lstrip('\\n') %}")
    return (
        head + _TOOLS_BLOCK +
        "{%- for message in messages %}" + content +
        "{%- if message.role == 'system' %}{%- if not (loop.first and tools) %}"
        "{{- '<|im_start|>system\\n' + content + '<|im_end|>\\n' }}{%- endif %}"
        "{%- elif message.role == 'user' %}{{- '<|im_start|>user\\n' + content + '<|im_end|>\\n' }}"
        "{%- elif message.role == 'assistant' %}" + assistant + _TOOL_CALLS + "{{- '<|im_end|>\\n' }}"
        "{%- elif message.role == 'tool' %}"
        "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}"
        "{{- '\\n<tool_response>\\n' + content + '\\n</tool_response>' }}"
        "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}"
        "{%- endif %}{%- endfor %}"
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}" + _IF_THINKING_OFF + "{%- endif %}"
    )


CHAT_TEMPLATE = _template(inference=True)
TRAINING_TEMPLATE = _template(inference=False)


def recurring_lines(texts: Iterable[str], min_count: int, min_chars: int = 24) -> list[str]:
    """Lines of at least ``min_chars`` characters that occur at least ``min_count`` times in ``texts``."""
    counts = Counter(line for text in texts for line in text.split("\n") if len(line) >= min_chars)
    return sorted(line for line, n in counts.items() if n >= min_count)


def train_tokenizer(texts: Iterable[str], vocab_size: int = 2048, phrase_min_count: int = 0,
                    qwen3_split: bool = False) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on ``texts`` and wrap it with the special tokens and both chat templates.

    ``phrase_min_count > 0``: lines recurring that often also become single tokens (see the module docstring).
    ``qwen3_split``: pre-tokenize with Qwen3's regex (:data:`QWEN3_SPLIT`) instead of GPT-2's.
    """
    texts = list(texts)
    bpe = Tokenizer(models.BPE())
    if qwen3_split:
        bpe.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN3_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    else:
        bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(texts, trainer=trainer)
    bpe.add_tokens([AddedToken(t, special=False, normalized=False) for t in SPECIAL_TOKENS[3:]])
    if phrase_min_count:
        bpe.add_tokens([AddedToken(line, special=False, normalized=False)
                        for line in recurring_lines(texts, phrase_min_count)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token=END_OF_TURN, pad_token="<|endoftext|>",
                                        additional_special_tokens=["<|im_start|>"])
    tokenizer.chat_template = {"default": CHAT_TEMPLATE, "training": TRAINING_TEMPLATE}
    return tokenizer


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerFast:
    """Load a saved tokenizer (ours or a real Qwen3 one); the special tokens must be single tokens."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    unknown = [t for t in SPECIAL_TOKENS if len(tokenizer.encode(t, add_special_tokens=False)) != 1]
    if unknown:
        raise ValueError(f"tokenizer at {path} lacks the Qwen3 special tokens {unknown}")
    return tokenizer
