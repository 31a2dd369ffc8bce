"""The policy: a tiny Qwen3 built from a config, or a local checkpoint (ours or real Qwen3 weights).

Also what depends on the model's size and device: default hyperparameters scaled to its parameter count
(:func:`scaled_defaults`), its precision (:func:`compute_dtype`: bf16 compute on CUDA over fp32 weights), and
log-probabilities of chosen tokens that do not copy a 150k-wide vocabulary to float32 (:func:`selected_logprobs`).
"""

from __future__ import annotations

import functools
import math
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (AutoConfig, AutoModelForCausalLM, PretrainedConfig, PreTrainedModel, Qwen3Config,
                          Qwen3ForCausalLM)


@dataclass
class ModelSize:
    """Shape of a Qwen3 built from scratch."""

    hidden: int = 64
    layers: int = 2
    heads: int = 2
    kv_heads: int = 2
    head_dim: int = 32
    intermediate: int = 256
    max_positions: int = 4096


SIZES = {
    "tiny": ModelSize(),
    "mini": ModelSize(hidden=128, layers=4, heads=4, kv_heads=2, head_dim=32, intermediate=384),
    "small": ModelSize(hidden=512, layers=8, heads=8, kv_heads=4, head_dim=64, intermediate=1536, max_positions=8192),
}

#: Defaults by parameter count, the first row whose bound exceeds it. The models built from scratch keep what was
#: tuned on the mini (0.9M); the "small" row (25M) scales its learning rates by its 4x width, untuned; pretrained
#: checkpoints (Qwen3-0.6B and up) get fine-tuning rates, 2 SFT epochs, no loss on the environment's text (they copy
#: already) and room for a tool call with arguments.
SCALES: list[tuple[float, dict[str, Any]]] = [
    # mini: RL lr for 8 minibatch steps per batch (3e-4, tuned for one full-batch step, collapsed); 20 epochs of the
    # default's 1,198 SFT tasks are 3,000 steps; half-weight loss on the tool responses and the request, where the
    # titles and ids to copy recur, is what made copying appear within them (rl/README.md: 0.427 vs 0.007 held out)
    (1e7, {"lr": 5e-5, "sft_lr": 3e-3, "sft_epochs": 20, "sft_context_weight": 0.5, "max_new_tokens": 96}),
    (1e8, {"lr": 2e-5, "sft_lr": 1e-3, "sft_epochs": 20, "sft_context_weight": 0.5, "max_new_tokens": 96}),
    (3e9, {"lr": 1e-6, "sft_lr": 1e-5, "sft_epochs": 2, "sft_context_weight": 0.0, "max_new_tokens": 512}),
    (math.inf, {"lr": 5e-7, "sft_lr": 5e-6, "sft_epochs": 2, "sft_context_weight": 0.0, "max_new_tokens": 512}),
]
#: With thinking on, a turn holds a ``<think>`` block before the reply: this many times the per-turn budget.
THINKING_BUDGET = 4


def scaled_defaults(parameters: int, thinking: bool = False) -> dict[str, Any]:
    """``lr``, ``sft_lr``, ``sft_epochs``, ``sft_context_weight`` and ``max_new_tokens`` that fit a model of
    ``parameters`` parameters (:data:`SCALES`); ``thinking`` multiplies the per-turn token budget by
    :data:`THINKING_BUDGET`."""
    defaults = dict(next(values for bound, values in SCALES if parameters < bound))
    if thinking:
        defaults["max_new_tokens"] *= THINKING_BUDGET
    return defaults


def parameter_count(source: str | Path | PretrainedConfig) -> int:
    """Parameters of the model a checkpoint directory's ``config.json`` (or a config) describes, tied weights once;
    built on the meta device, so no weights are read or allocated."""
    config = source if isinstance(source, PretrainedConfig) else AutoConfig.from_pretrained(str(source))
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())


def compute_dtype(device: str) -> torch.dtype:
    """bf16 on CUDA (tensor cores, half the activation memory), fp32 elsewhere (CPUs gain nothing from bf16)."""
    return torch.bfloat16 if torch.device(device).type == "cuda" else torch.float32


def mixed_precision(model: PreTrainedModel, device_type: str, dtype: torch.dtype) -> PreTrainedModel:
    """Run every forward pass of ``model`` under autocast to ``dtype``, its weights staying fp32.

    Why not bf16 weights: an AdamW step moves a weight by about the learning rate, and at 1e-6 that is far below
    bf16's resolution for weights of ~1e-2 (8 bits of mantissa: steps of ~1e-4), so bf16 weights would not move.
    """
    original = type(model).forward

    @functools.wraps(original)
    def forward(self: PreTrainedModel, *args: Any, **kwargs: Any) -> Any:
        with torch.autocast(device_type=device_type, dtype=dtype):
            return original(self, *args, **kwargs)

    model.forward = types.MethodType(forward, model)  # a bound method: a deep copy binds it to the copy
    return model


def place(model: PreTrainedModel, device: str) -> PreTrainedModel:
    """Move an fp32 model to ``device``, computing in :func:`compute_dtype` there."""
    model = model.to(device)
    dtype = compute_dtype(device)
    return model if dtype == torch.float32 else mixed_precision(model, torch.device(device).type, dtype)


def build(tokenizer: Any, size: ModelSize, seed: int, device: str = "cpu") -> Qwen3ForCausalLM:
    """A randomly initialised Qwen3ForCausalLM sized for ``tokenizer``, on ``device`` (see :func:`place`)."""
    torch.manual_seed(seed)
    config = Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=size.hidden, num_hidden_layers=size.layers,
        num_attention_heads=size.heads, num_key_value_heads=size.kv_heads, head_dim=size.head_dim,
        intermediate_size=size.intermediate, max_position_embeddings=size.max_positions, rope_theta=10000.0,
        tie_word_embeddings=True, bos_token_id=None, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return place(Qwen3ForCausalLM(config), device)


def load(path: str | Path, device: str) -> PreTrainedModel:
    """Load a checkpoint directory (``save_pretrained`` layout) with fp32 weights onto ``device`` (see
    :func:`place`)."""
    return place(AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32), device)


#: Logits turned to float32 at a time by :func:`selected_logprobs` (64M values: 256 MB).
CHUNK = 1 << 26


def _chunks(logits: torch.Tensor, chunk: int) -> list[tuple[int, slice]]:
    rows = max(chunk // logits.shape[-1], 1)
    return [(b, slice(s, s + rows)) for b in range(logits.shape[0]) for s in range(0, logits.shape[1], rows)]


class _SelectedLogprobs(torch.autograd.Function):
    """``log_softmax(logits / temperature)`` at the chosen ids, a chunk of rows at a time in float32; only the
    logits themselves are kept for the backward pass, which recomputes the softmax chunk by chunk."""

    @staticmethod
    def forward(ctx: Any, logits: torch.Tensor, ids: torch.Tensor, temperature: float, chunk: int) -> torch.Tensor:
        out = torch.empty(ids.shape, dtype=torch.float32, device=logits.device)
        lse = torch.empty_like(out)
        for b, rows in _chunks(logits, chunk):
            x = logits[b, rows].float() / temperature
            lse[b, rows] = torch.logsumexp(x, -1)
            out[b, rows] = x.gather(-1, ids[b, rows, None])[:, 0] - lse[b, rows]
        ctx.save_for_backward(logits, ids, lse)
        ctx.temperature, ctx.chunk = temperature, chunk
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        logits, ids, lse = ctx.saved_tensors
        out = torch.empty_like(logits)
        for b, rows in _chunks(logits, ctx.chunk):
            g = grad[b, rows, None]
            d = -torch.exp(logits[b, rows].float() / ctx.temperature - lse[b, rows, None]) * g
            d.scatter_add_(-1, ids[b, rows, None], g)
            out[b, rows] = d / ctx.temperature
        return out, None, None, None


def selected_logprobs(logits: torch.Tensor, ids: torch.Tensor, temperature: float = 1.0,
                      chunk: int = CHUNK) -> torch.Tensor:
    """``log_softmax(logits / temperature, -1).gather(-1, ids[..., None])[..., 0]`` in float32 for ``logits``
    ``[batch, time, vocab]`` of any dtype, without a float32 copy of the whole ``logits`` (forward or backward):
    ``chunk`` values at a time."""
    return _SelectedLogprobs.apply(logits, ids, temperature, chunk)


@torch.no_grad()
def token_entropy(logits: torch.Tensor, temperature: float = 1.0, chunk: int = CHUNK) -> torch.Tensor:
    """The entropy ``[batch, time]`` of ``softmax(logits / temperature)`` in float32, ``chunk`` values at a time
    (for logging: no gradient)."""
    out = torch.empty(logits.shape[:-1], dtype=torch.float32, device=logits.device)
    for b, rows in _chunks(logits, chunk):
        logp = torch.log_softmax(logits[b, rows].float() / temperature, -1)
        out[b, rows] = -(logp.exp() * logp).sum(-1)
    return out
