"""Real Qwen3 checkpoints: Qwen3's thinking switch, per-turn token budgets, defaults scaled to the model, bf16 on
CUDA, log-probs of a 150k vocabulary, and one rollout and one update of a Qwen3-0.6B-shaped model on CPU."""

from __future__ import annotations

import json
from copy import deepcopy

import pytest
import torch
from safetensors.torch import load_file
from transformers import Qwen3Config, Qwen3ForCausalLM

from rl import model as models
from rl import train
from rl.rollout import EnvPool, Job, generate, play
from rl.tokenizer import EMPTY_THINK
from rl.tokens import ChatFormat

#: Qwen3-0.6B's config.json (28 layers): 596,049,920 parameters.
QWEN3_0_6B = dict(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                  num_attention_heads=16, num_key_value_heads=8, head_dim=128, tie_word_embeddings=True,
                  rope_theta=1_000_000.0, max_position_embeddings=40960)
#: The defaults of a model built from scratch (the default run's mini).
MINI = {"lr": 5e-5, "sft_lr": 3e-3, "sft_epochs": 20, "sft_context_weight": 0.5, "max_new_tokens": 96}

CALL = {"role": "assistant", "content": "<think>\nplan\n</think>\n\n",
        "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}
CONVERSATION = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
                {"role": "assistant", "content": "<think>\nold\n</think>\n\nA1"}, {"role": "user", "content": "Q2"},
                CALL, {"role": "tool", "name": "f", "content": "R"}]


def _qwen3(fmt, messages, **kwargs):
    """Render with the tokenizer's ``default`` template, our implementation of Qwen3's."""
    return fmt.tokenizer.apply_chat_template(messages, chat_template=fmt.tokenizer.chat_template["default"],
                                             tokenize=False, **kwargs)


def test_the_default_template_behaves_as_qwen3s(fmt):
    history = ("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n"
               "<|im_start|>assistant\nA1<|im_end|>\n"  # before the last user query: its think block dropped
               "<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n<think>\nplan\n</think>\n\n"
               '<tool_call>\n{"name": "f", "arguments": {"x": 1}}\n</tool_call><|im_end|>\n'
               "<|im_start|>user\n<tool_response>\nR\n</tool_response><|im_end|>\n<|im_start|>assistant\n")
    assert _qwen3(fmt, CONVERSATION, add_generation_prompt=True) == history  # thinking unset: on, as in Qwen3
    assert _qwen3(fmt, CONVERSATION, add_generation_prompt=True, enable_thinking=True) == history
    assert _qwen3(fmt, CONVERSATION, add_generation_prompt=True, enable_thinking=False) == history + EMPTY_THINK
    # the last turn gets a think block even when empty; reasoning_content is Qwen3's other way to give one
    chat = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]
    assert _qwen3(fmt, chat) == "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n" + EMPTY_THINK + "A<|im_end|>\n"
    chat[1]["reasoning_content"] = "\nr\n"
    assert _qwen3(fmt, chat).endswith("<|im_start|>assistant\n<think>\nr\n</think>\n\nA<|im_end|>\n")


def test_thinking_off_opens_every_training_turn_with_the_empty_think_block(fmt):
    off = ChatFormat(fmt.tokenizer, thinking=False)
    rendered = off.render(CONVERSATION, add_generation_prompt=True)
    assert rendered.count("<|im_start|>assistant\n" + EMPTY_THINK) == 3  # two turns and the generation prompt
    assert rendered.startswith(off.render(CONVERSATION[:3]))  # prefix-preserving
    assert off.prompt_ids(CONVERSATION[:2])[-len(off.encode(EMPTY_THINK)):] == off.encode(EMPTY_THINK)
    assert "<|im_start|>assistant\n<think>\nold" in fmt.render(CONVERSATION)  # on: every think block kept


def _jobs() -> list[Job]:
    """The first Calendar train task."""
    from rl import envs

    return [Job("Calendar", t.id, t.seed) for _, t in envs.tasks(["Calendar"], "train")[:1]]


def test_a_thought_cut_by_the_token_budget_is_counted(fmt):
    """A turn cut inside ``<think>`` gives the env no reply at all; it is counted, not just scored 0."""
    turns = iter([fmt.encode("<think>\nFirst I will"), fmt.encode("<think>\nok\n</think>\n\nI will look")])

    def act(episodes, budgets):
        return [next(turns)]

    [episode] = play(_jobs(), act, fmt, EnvPool(2), max_len=8192, max_new_tokens=64)
    assert (episode.truncated_turns, episode.cut_thinking) == (2, 1)  # the second thought ended, its reply was cut


def test_a_turn_never_gets_more_tokens_than_the_context_has_left(fmt):
    seen = []

    def act(episodes, budgets):  # thinks until cut off: the env sees an empty action and the episode goes on
        seen.append((len(episodes[0].ids), budgets[0]))
        return [[fmt.think_ids[0]] + fmt.encode("x") * (budgets[0] - 1)]

    play(_jobs(), act, fmt, EnvPool(1), max_len=8192, max_new_tokens=30)
    prompt = seen.pop()[0]
    [episode] = play(_jobs(), act, fmt, EnvPool(6), max_len=prompt + 100, max_new_tokens=30)
    assert seen[0] == (prompt, 30)  # --max-new-tokens while it fits, then what is left (one kept for <|im_end|>)
    assert [budget for _, budget in seen] == [min(30, prompt + 100 - length - 1) for length, _ in seen]
    assert seen[-1][1] < 30 and len(episode.ids) <= prompt + 100 and episode.info["overflow"]
    [none] = play(_jobs(), act, fmt, EnvPool(6), max_len=prompt, max_new_tokens=30)
    assert none.info["overflow"] and not none.turns  # a prompt that leaves no room: no turn at all


def test_generate_stops_each_row_at_its_own_budget(tiny_model, fmt):
    context = fmt.prompt_ids([{"role": "user", "content": "hello"}])
    out = generate(tiny_model, [context, context, context], [1, 3, 5], eos_id=-1, pad_id=fmt.tokenizer.pad_token_id,
                   greedy=True)
    assert [len(o) for o in out] == [1, 3, 5] and out[0] == out[2][:1]


def test_defaults_scale_with_the_parameter_count(tokenizer):
    mini = models.build(tokenizer, models.SIZES["mini"], seed=0)
    count = sum(p.numel() for p in mini.parameters())
    assert count == models.parameter_count(mini.config) and count < 1_000_000
    assert models.scaled_defaults(count) == MINI == models.scaled_defaults(count, thinking=False)
    assert models.parameter_count(Qwen3Config(**QWEN3_0_6B)) == 596_049_920
    assert models.scaled_defaults(596_049_920) == {"lr": 1e-6, "sft_lr": 1e-5, "sft_epochs": 2,
                                                   "sft_context_weight": 0.0, "max_new_tokens": 512}
    assert models.scaled_defaults(596_049_920, thinking=True)["max_new_tokens"] == 2048


def test_resolve_defaults_fills_only_what_was_left_to_the_model():
    cfg = train.parse_args([])
    assert (cfg.lr, cfg.sft_lr, cfg.sft_epochs, cfg.sft_context_weight, cfg.max_new_tokens, cfg.thinking) == (
        None, None, None, None, None, False)
    assert {k: getattr(train.resolve_defaults(cfg, 900_000), k) for k in MINI} == MINI
    cfg = train.resolve_defaults(train.parse_args(["--lr", "2e-6", "--thinking"]), 596_049_920)
    assert (cfg.lr, cfg.sft_lr, cfg.sft_epochs, cfg.sft_context_weight, cfg.max_new_tokens) == (
        2e-6, 1e-5, 2, 0.0, 2048)


def test_bf16_is_chosen_for_cuda_only():
    assert models.compute_dtype("cuda") == models.compute_dtype("cuda:1") == torch.bfloat16
    assert models.compute_dtype("cpu") == torch.float32
    assert models.place(torch.nn.Linear(2, 2), "cpu").forward.__func__ is torch.nn.Linear.forward  # fp32 as is


def test_mixed_precision_computes_in_bf16_and_its_fp32_weights_move_at_a_fine_tuning_rate(tokenizer):
    """bf16 compute (here CPU autocast, what :func:`rl.model.place` does on CUDA) over fp32 weights: an AdamW step
    at 1e-6 moves every weight that has a gradient, where bf16 weights would keep all but the few nearest 0."""
    ids = torch.tensor([tokenizer.encode("<|im_start|>user\nhello<|im_end|>")])
    model = models.mixed_precision(models.build(tokenizer, models.SIZES["tiny"], seed=0), "cpu", torch.bfloat16)
    assert model(input_ids=ids).logits.dtype == torch.bfloat16
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    copy = deepcopy(model)  # e.g. a reference model: its forward runs its own weights
    torch.nn.init.zeros_(copy.lm_head.weight)
    assert copy(input_ids=ids).logits.abs().max() == 0 < model(input_ids=ids).logits.abs().max()
    for weights in (model, models.build(tokenizer, models.SIZES["tiny"], seed=0).to(torch.bfloat16)):
        before = [p.detach().clone() for p in weights.parameters()]
        opt = torch.optim.AdamW(weights.parameters(), lr=1e-6, weight_decay=0.0)
        weights(input_ids=ids).logits.float().logsumexp(-1).sum().backward()
        with_gradient = sum(int((p.grad != 0).sum()) for p in weights.parameters())
        opt.step()
        moved = sum(int((p != b).sum()) for p, b in zip(weights.parameters(), before)) / with_gradient
        assert moved == 1.0 if weights is model else moved < 0.05


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_selected_logprobs_equal_log_softmax_in_chunks(dtype):
    torch.manual_seed(0)
    logits = torch.randn(3, 9, 50, dtype=dtype, requires_grad=True)
    ids = torch.randint(0, 50, (3, 8))
    weights = torch.randn(3, 8)
    reference = torch.log_softmax(logits[:, :-1].float() / 0.7, -1).gather(-1, ids[..., None])[..., 0]
    chunked = models.selected_logprobs(logits[:, :-1], ids, 0.7, chunk=120)  # 2 rows a chunk, a strided view
    assert chunked.dtype == torch.float32 and torch.allclose(chunked, reference, atol=1e-5)
    expected, = torch.autograd.grad((reference * weights).sum(), logits)
    got, = torch.autograd.grad((chunked * weights).sum(), logits)
    assert got.dtype == dtype and torch.allclose(got.float(), expected.float(), atol=1e-5 if dtype == torch.float32
                                                 else 1e-2)
    probs = torch.softmax(logits.float() / 0.7, -1)
    entropy = -(probs * probs.log()).sum(-1)
    assert torch.allclose(models.token_entropy(logits, 0.7, chunk=120), entropy, atol=1e-5)


def test_a_qwen3_0_6b_shaped_model_runs_one_rollout_and_one_update_on_cpu(tokenizer, tmp_path):
    """Qwen3-0.6B's heads, widths, vocabulary, tied embeddings and rope theta, random weights, but 2 of its 28
    layers (187M parameters, most of them the 151,936 x 1,024 embedding) so that the test fits in about a minute
    and 5 GB on CPU (35 s, 4.9 GB peak on the 2-core development machine). The local tokenizer's vocabulary is
    smaller than the model's, as Qwen3's own (151,669) is."""
    source, out = tmp_path / "qwen3", tmp_path / "run"
    config = Qwen3Config(**{**QWEN3_0_6B, "num_hidden_layers": 2}, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=None)
    torch.manual_seed(0)
    Qwen3ForCausalLM(config).save_pretrained(source)
    tokenizer.save_pretrained(source)
    parameters = models.parameter_count(source)
    assert 150_000_000 < parameters < 200_000_000  # read from config.json alone
    table = train.main(["--model", str(source), "--sft-epochs", "0", "--steps", "1", "--tasks-per-step", "1",
                        "--group-size", "2", "--algo", "ppo", "--max-new-tokens", "8", "--max-turns", "2",
                        "--envs", "Calendar", "--heldout-envs", "", "--train-worlds", "1", "--sft-worlds", "0",
                        "--test-worlds", "1", "--max-tasks", "3", "--train-eval", "0", "--threads", "1",
                        "--no-progress", "--out", str(out)])
    assert table
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    [rl] = [r for r in records if r["phase"] == "rl"]
    assert rl["model_tokens"] > 0
    key = "model.layers.0.self_attn.q_proj.weight"
    before, after = (load_file(path / "model.safetensors")[key] for path in (source, out / "checkpoint"))
    change = (after - before).abs().max().item()
    assert 0 < change < 1e-5  # updated, at the fine-tuning rate scaled to the model (1e-6), not the mini's 5e-5
