"""verl's agent-loop interface driven against the suite: :class:`envfactory_gym.integrations.verl.EnvFactoryAgentLoop`
built the way verl's ``AgentLoopWorker`` builds it (hydra ``instantiate`` of the registry entry, verl's own composed
``ppo_trainer`` config), fed rows that verl's ``RLHFDataset`` read from the exported parquet, generating through a
stub of verl's server-manager interface (``async generate(request_id, prompt_ids=, sampling_params=) -> TokenOutput``).

Needs ``pip install verl==0.9.1 --no-deps`` plus ``hydra-core``, ``tensordict==0.10.0``, ``codetiming`` (the full
install pins transformers<5.11 and pulls CUDA-side packages); skipped with the reason when the agent loop module
does not import.
"""

from __future__ import annotations

import asyncio
import os

import pytest

pytest.importorskip("torch", reason="needs the 'rl' extra (torch, transformers)")
try:
    from verl.experimental.agent_loop.agent_loop import DictConfigWrap, ToolListWrap, _agent_loop_registry
    from verl.utils.dataset.rl_dataset import RLHFDataset
    from verl.workers.rollout.replica import TokenOutput
except Exception as exc:  # noqa: BLE001 (verl absent, or one of the packages its agent loop imports)
    pytest.skip(f"verl's agent loop does not import here: {type(exc).__name__}: {exc}", allow_module_level=True)

from envfactory_gym.integrations import verl as integration  # noqa: E402 (after the skip, outside it: our bugs fail)
from rl import envs

ENV = "Calendar"


@pytest.fixture(scope="module")
def tokenizer():
    from rl.train import build_tokenizer

    return build_tokenizer([ENV], vocab_size=1024, max_turns=12, phrase_min_count=8)


@pytest.fixture(scope="module")
def fmt(tokenizer):
    from rl.tokens import ChatFormat

    return ChatFormat(tokenizer)


def _config(response_length=4096):
    import verl
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=os.path.join(os.path.dirname(verl.__file__), "trainer", "config"),
                               version_base=None):
        return compose(config_name="ppo_trainer", overrides=[
            "actor_rollout_ref.rollout.prompt_length=4096",
            f"actor_rollout_ref.rollout.response_length={response_length}",
            "data.max_prompt_length=4096", "data.return_raw_chat=True", "data.filter_overlong_prompts=False"])


@pytest.fixture(scope="module")
def config():
    return _config()


@pytest.fixture(scope="module")
def dataset(tokenizer, config, tmp_path_factory):
    path = integration.export_parquet(tmp_path_factory.mktemp("verl") / "train.parquet", [ENV], split="test",
                                      limit=3, seed=0, max_turns=12)
    return RLHFDataset(str(path), tokenizer, config.data)


class StubServer:
    """verl's server-manager interface, answering each call with the next scripted turn (as token ids)."""

    def __init__(self, fmt, texts, include_eos=True):
        self.fmt, self.texts, self.include_eos = fmt, list(texts), include_eos
        self.calls = []

    async def generate(self, request_id, *, prompt_ids, sampling_params, **kwargs):
        self.calls.append((request_id, list(prompt_ids), dict(sampling_params)))
        text = self.texts.pop(0) if self.texts else "I can't help with that."
        ids = self.fmt.encode(text) + ([self.fmt.eos_id] if self.include_eos else [])
        ids = ids[: sampling_params["max_tokens"]]
        return TokenOutput(token_ids=ids, log_probs=[-0.5] * len(ids), stop_reason="completed")


def _loop(config, tokenizer, server):
    """Instantiate the agent loop exactly as verl's AgentLoopWorker._run_agent_loop does."""
    import hydra

    return hydra.utils.instantiate(
        config=_agent_loop_registry[integration.AGENT_NAME], trainer_config=DictConfigWrap(config=config),
        server_manager=server, tokenizer=tokenizer, processor=None, hf_model_type="qwen3",
        dataset_cls=RLHFDataset, data_config=DictConfigWrap(config.data), tools=ToolListWrap([]))


def _run(config, tokenizer, server, row):
    params = {"temperature": 1.0, "top_p": 1.0, "top_k": -1, "repetition_penalty": 1.0, "logprobs": True}
    return asyncio.run(_loop(config, tokenizer, server).run(params, **row))


def _oracle(task_id):
    conversation, reward = envs.oracle_conversation(envs.make(ENV, 12, split=None), task_id)
    assert reward == 1.0
    return conversation, [m["content"] for m in conversation if m["role"] == "assistant"]


def test_exported_rows_read_by_verls_dataset_name_env_task_and_seed(dataset):
    assert len(dataset) == 3
    row = dataset[0]
    assert row["agent_name"] == integration.AGENT_NAME and row["data_source"] == f"envfactory/{ENV}"
    assert {k: row["extra_info"][k] for k in ("env", "seed", "max_turns")} == {"env": ENV, "seed": 0, "max_turns": 12}
    assert row["reward_model"]["ground_truth"] == row["extra_info"]["task_id"]
    assert [m["role"] for m in row["raw_prompt"]] == ["system", "user"]
    assert integration.write_agent_loop_config  # the registry file is written below


@pytest.mark.parametrize("include_eos", [True, False])
def test_oracle_turns_earn_the_env_reward_and_tokens_match_the_render(config, tokenizer, fmt, dataset, include_eos):
    row = dataset[0]
    conversation, texts = _oracle(row["extra_info"]["task_id"])
    server = StubServer(fmt, texts, include_eos)
    out = _run(config, tokenizer, server, row)
    assert out.reward_score == 1.0 and out.extra_fields["env_done"] and len(server.calls) == len(texts)
    last = max(i for i, m in enumerate(conversation) if m["role"] == "assistant")
    assert out.prompt_ids + out.response_ids == fmt.encode(fmt.render(conversation[: last + 1]).removesuffix("\n"))
    # the mask is 1 on exactly the model's sampled tokens (the EOS a turn lacked is added with mask 0)
    model_tokens = sum(len(fmt.encode(t)) + include_eos for t in texts)
    assert sum(out.response_mask) == model_tokens and len(out.response_mask) == len(out.response_ids)
    assert out.response_logprobs.count(-0.5) == model_tokens
    # one sticky request id; each call's prompt extends the previous one (token in, token out)
    assert len({c[0] for c in server.calls}) == 1
    assert all(b[1][: len(a[1])] == a[1] for a, b in zip(server.calls, server.calls[1:]))
    as_dict = out.as_dict()  # verl's own conversion: the env's reward lands on the last response token
    assert as_dict["rm_scores"][-1].item() == 1.0 and as_dict["rm_scores"].sum().item() == 1.0


def test_group_samples_start_from_the_same_state_and_are_graded_apart(config, tokenizer, fmt, dataset):
    row = dataset[1]
    _, texts = _oracle(row["extra_info"]["task_id"])
    good, bad = StubServer(fmt, texts), StubServer(fmt, ["I can't help with that."])
    params = {"temperature": 1.0, "logprobs": False}

    async def group():
        return await asyncio.gather(_loop(config, tokenizer, good).run(params, **row),
                                    _loop(config, tokenizer, bad).run(params, **row))

    out_good, out_bad = asyncio.run(group())
    assert good.calls[0][1] == bad.calls[0][1] == out_bad.prompt_ids
    assert (out_good.reward_score, out_bad.reward_score) == (1.0, 0.0)
    assert out_bad.extra_fields["turn_scores"] == [0.0] and out_bad.response_logprobs is not None


def test_episode_cut_by_response_length_earns_zero(tokenizer, fmt, dataset):
    row = dataset[0]
    _, texts = _oracle(row["extra_info"]["task_id"])
    config = _config(response_length=48)
    out = _run(config, tokenizer, StubServer(fmt, texts), row)
    assert out.reward_score == 0.0 and not out.extra_fields["env_done"]
    assert len(out.response_ids) <= 48 and len(out.response_mask) == len(out.response_ids)


def test_row_without_episode_spec_is_a_clear_error(config, tokenizer, fmt):
    with pytest.raises(ValueError, match=r"lacks \['env', 'task_id', 'seed'\]"):
        _run(config, tokenizer, StubServer(fmt, []), {"raw_prompt": [], "extra_info": {"index": 0}})


def test_agent_loop_config_registers_the_loop_by_import_path(tmp_path):
    from omegaconf import OmegaConf

    entries = OmegaConf.load(integration.write_agent_loop_config(tmp_path / "agent.yaml"))
    assert entries[0].name == integration.AGENT_NAME
    assert entries[0]._target_ == "envfactory_gym.integrations.verl.EnvFactoryAgentLoop"


class ScriptedByTask:
    """verl's server-manager interface for a whole batch: the oracle's next turn for the tasks in ``oracle``, a
    give-up message for the others (the task is recognised by its prompt, the turn by the assistant openings)."""

    def __init__(self, fmt, rows, oracle):
        self.fmt, self.scripts = fmt, {}
        for row in rows:
            task_id = row["extra_info"]["task_id"]
            texts = _oracle(task_id)[1] if task_id in oracle else ["I can't help with that."]
            self.scripts[tuple(fmt.prompt_ids(list(row["raw_prompt"])))] = texts

    async def generate(self, request_id, *, prompt_ids, sampling_params, **kwargs):
        prompt = next(p for p in self.scripts if tuple(prompt_ids[: len(p)]) == p)
        turn = self.fmt.decode(prompt_ids[len(prompt):]).count("<|im_start|>assistant\n")
        ids = self.fmt.encode(self.scripts[prompt][turn]) + [self.fmt.eos_id]
        return TokenOutput(token_ids=ids[: sampling_params["max_tokens"]], stop_reason="completed")


def test_verls_agent_loop_worker_batches_the_episodes_with_the_env_rewards(tokenizer, fmt, dataset, tmp_path):
    """verl's own AgentLoopWorker.generate_sequences over a DataProto batch of the exported rows: padding, masks,
    position ids and rm_scores come from verl; the reward of each sample is its env's."""
    from rl import model as models
    from verl.experimental.agent_loop.agent_loop import AgentLoopWorker
    from verl.protocol import DataProto
    from verl.utils.dataset.rl_dataset import collate_fn

    models.build(tokenizer, models.SIZES["tiny"], seed=0).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    config = _config()
    config.actor_rollout_ref.model.path = str(tmp_path)
    config.actor_rollout_ref.rollout.name = "vllm"  # which server it would be; the stub stands in for it
    rows = [dataset[0], dataset[1], dataset[0]]
    server = ScriptedByTask(fmt, rows, oracle={rows[0]["extra_info"]["task_id"]})
    worker = AgentLoopWorker(config, server)
    out = asyncio.run(worker.generate_sequences(DataProto.from_single_dict(collate_fn(rows))))
    assert out.batch["rm_scores"].sum(-1).tolist() == [1.0, 0.0, 1.0]
    assert list(out.non_tensor_batch["task_id"]) == [r["extra_info"]["task_id"] for r in rows]
    mask, attention = out.batch["response_mask"], out.batch["attention_mask"]
    assert mask.shape[1] == 4096 and (mask <= attention[:, -4096:]).all()
    # samples 0 and 2 are the same row: same state, same scripted turns, the same tokens
    assert out.batch["input_ids"][0].tolist() == out.batch["input_ids"][2].tolist()
