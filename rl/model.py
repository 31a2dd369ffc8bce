"""The policy: a tiny Qwen3 built from a config, or a local checkpoint (ours or real Qwen3 weights)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel, Qwen3Config, Qwen3ForCausalLM


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


def build(tokenizer, size: ModelSize, seed: int) -> Qwen3ForCausalLM:
    """A randomly initialised Qwen3ForCausalLM sized for ``tokenizer``."""
    torch.manual_seed(seed)
    config = Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=size.hidden, num_hidden_layers=size.layers,
        num_attention_heads=size.heads, num_key_value_heads=size.kv_heads, head_dim=size.head_dim,
        intermediate_size=size.intermediate, max_position_embeddings=size.max_positions, rope_theta=10000.0,
        tie_word_embeddings=True, bos_token_id=None, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return Qwen3ForCausalLM(config)


def load(path: str | Path, device: str) -> PreTrainedModel:
    """Load a checkpoint directory (``save_pretrained`` layout) in float32."""
    return AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32).to(device)
