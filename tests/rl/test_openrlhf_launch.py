"""``python -m rl.train --backend openrlhf --dry-run``: the job directory and the two Ray job commands, checked with
OpenRLHF's and Ray's own code on CPU.

Each command's entrypoint runs through the ``__main__`` block of its OpenRLHF module (its argument parser and every
argument check) and into ``train()`` up to where OpenRLHF would start its first Ray actor: the GPU layout it asks
for is counted there, against a one-GPU machine by default. The SFT rows are read by OpenRLHF's ``SFTDataset`` and
the ``ray job submit`` options by Ray's own job CLI. The run is the local driver's experiment: same task split, SFT
and RL worlds, step count, learning rates scaled to the model (a Qwen3-0.6B-shaped config here), loss aggregation.
Skipped with the reason where OpenRLHF does not import, except under ``ENVFACTORY_REQUIRE_OPENRLHF=1``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import runpy
import shlex
import sys
import types
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from envfactory_gym.core.tasks import Task
from rl import openrlhf_launch, train
from rl import model as models
from rl.rollout import EnvPool, Job, oracle_actor, play
from rl.tokens import ChatFormat, Episode

ARGS = ["--envs", "Calendar", "--heldout-envs", "ExcelServer", "--train-worlds", "8", "--sft-worlds", "4",
        "--test-worlds", "2", "--steps", "4", "--tasks-per-step", "2", "--group-size", "4", "--eval-every", "2"]


def _require(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 (openrlhf absent, or a dependency of its package missing)
        if os.environ.get("ENVFACTORY_REQUIRE_OPENRLHF") == "1":
            raise
        pytest.skip(f"{module} does not import here: {type(exc).__name__}: {exc}")


@pytest.fixture(scope="module")
def qwen3_06b(tokenizer, tmp_path_factory) -> Path:
    """A checkpoint directory with Qwen3-0.6B's config (no weights: the dry run reads the config and the
    tokenizer only) and the test tokenizer."""
    from transformers import Qwen3Config

    path = tmp_path_factory.mktemp("qwen3-0.6b")
    Qwen3Config(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                num_attention_heads=16, num_key_value_heads=8, head_dim=128, max_position_embeddings=40960,
                tie_word_embeddings=True).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def dry_run(qwen3_06b, tmp_path_factory):
    """The dry run's output directory, printed commands, and the run's Config (defaults resolved)."""
    out = tmp_path_factory.mktemp("run")
    argv = ["--backend", "openrlhf", "--dry-run", "--model", str(qwen3_06b), "--out", str(out), *ARGS]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        train.main(argv)
    commands = [shlex.split(line) for line in buffer.getvalue().splitlines() if line.startswith("ray job submit")]
    cfg = train.resolve_defaults(train.parse_args(argv), models.parameter_count(qwen3_06b))
    return SimpleNamespace(out=out, job=out / "openrlhf" / "job", commands=commands, cfg=cfg)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _entrypoint(command: list[str]) -> list[str]:
    return command[command.index("--") + 1:]


class _Launched(Exception):
    """Raised by the stubs where OpenRLHF would start its first Ray actor: every argument check has run."""

    def __init__(self, parsed):
        super().__init__("launched")
        self.parsed = parsed


class _Cluster:
    """Stands in for Ray and OpenRLHF's actor classes, counting the GPUs the launch asks for."""

    def __init__(self):
        self.bundles: list[dict] = []
        self.unplaced_gpus = 0.0

    def placement_group(self, bundles, strategy="PACK"):
        self.bundles += bundles
        return SimpleNamespace(ready=lambda: None)

    def actor_group(self, num_nodes, num_gpus_per_node, cls, pg=None, num_gpus_per_actor=1, duplicate_actors=1):
        if pg is None:
            self.unplaced_gpus += num_nodes * num_gpus_per_node * num_gpus_per_actor
        return SimpleNamespace()

    def vllm_engines(self, num_engines, tensor_parallel_size, *args, **kwargs):
        if args[7] is None:  # no shared placement group: the engines take GPUs of their own
            self.unplaced_gpus += num_engines * tensor_parallel_size
        return [SimpleNamespace()] * num_engines

    @property
    def gpus(self) -> float:
        return sum(b.get("GPU", 0) for b in self.bundles) + self.unplaced_gpus


def _module(name: str, **attrs) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def openrlhf_ppo(monkeypatch, entrypoint: list[str]) -> tuple[SimpleNamespace, float]:
    """Run ``python -m openrlhf.cli.train_ppo_ray ...`` (OpenRLHF's parser, checks and ``train()``) up to the
    trainer's creation; its parsed arguments and the GPUs it asked for."""
    _require("openrlhf.utils")
    _require("ray")
    import ray
    import ray.util.placement_group

    import openrlhf.utils

    assert entrypoint[:3] == ["python", "-m", "openrlhf.cli.train_ppo_ray"]
    cluster = _Cluster()

    def trainer(*args, **kwargs):
        raise _Launched(args[1].args)

    for name, module in {
        "openrlhf.trainer.ray": _module("openrlhf.trainer.ray", create_vllm_engines=cluster.vllm_engines),
        "openrlhf.trainer.ray.launcher": _module("openrlhf.trainer.ray.launcher", RayActorGroup=cluster.actor_group,
                                                 ReferenceModelActor=object, RewardModelActor=object),
        "openrlhf.trainer.ray.ppo_actor": _module("openrlhf.trainer.ray.ppo_actor", PolicyModelActor=object),
        "openrlhf.trainer.ray.ppo_critic": _module("openrlhf.trainer.ray.ppo_critic", CriticModelActor=object),
        "openrlhf.trainer.ppo_trainer": _module("openrlhf.trainer.ppo_trainer",
                                                PPOTrainer=SimpleNamespace(remote=trainer)),
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(openrlhf.utils, "get_strategy", lambda args: SimpleNamespace(args=args, print=lambda *a: None))
    monkeypatch.setattr(ray, "is_initialized", lambda: True)
    monkeypatch.setattr(ray, "get", lambda refs: refs)
    # the function shadows its module as an attribute of ray.util
    monkeypatch.setattr(sys.modules["ray.util.placement_group"], "placement_group", cluster.placement_group)
    monkeypatch.setattr(sys, "argv", entrypoint[2:])
    with pytest.raises(_Launched) as launched:
        runpy.run_module("openrlhf.cli.train_ppo_ray", run_name="__main__")
    return launched.value.parsed, cluster.gpus


def openrlhf_sft(monkeypatch, entrypoint: list[str]) -> SimpleNamespace:
    """Run ``torchrun ... -m openrlhf.cli.train_sft ...`` (OpenRLHF's parser and checks) up to ``train()``'s
    first step; its parsed arguments."""
    _require("openrlhf.datasets")
    import openrlhf.utils

    assert entrypoint[0] == "torchrun" and entrypoint[entrypoint.index("-m") + 1] == "openrlhf.cli.train_sft"
    monkeypatch.setitem(sys.modules, "openrlhf.models", _module("openrlhf.models", Actor=object))
    monkeypatch.setitem(sys.modules, "openrlhf.trainer.sft_trainer",
                        _module("openrlhf.trainer.sft_trainer", SFTTrainer=object))

    def strategy(args):
        raise _Launched(args)

    monkeypatch.setattr(openrlhf.utils, "get_strategy", strategy)
    monkeypatch.setattr(sys, "argv", entrypoint[entrypoint.index("-m") + 1:])
    with pytest.raises(_Launched) as launched:
        runpy.run_module("openrlhf.cli.train_sft", run_name="__main__")
    return launched.value.parsed


def test_the_plan_is_sft_then_rl_as_ray_jobs_that_ship_the_project(dry_run):
    """Both commands are Ray jobs (parsed by Ray's own job CLI) whose runtime environment carries the job
    directory, the project's packages and its requirements; OpenRLHF loads the agent file from the job
    directory and gets our executor."""
    pytest.importorskip("ray", reason="Ray's job CLI needs the 'ray' extra")
    from ray.dashboard.modules.dashboard_sdk import parse_runtime_env_args
    from ray.dashboard.modules.job.cli import submit
    from ray.runtime_env import RuntimeEnv

    sft, rl = dry_run.commands
    assert _entrypoint(sft)[0] == "torchrun" and _entrypoint(rl)[:3] == ["python", "-m", "openrlhf.cli.train_ppo_ray"]
    root = Path(openrlhf_launch.__file__).resolve().parents[1]
    for command, gpus in ((sft, 1), (rl, None)):
        assert command[:3] == ["ray", "job", "submit"]
        params = submit.make_context("submit", command[3:]).params
        assert params["entrypoint_num_gpus"] == gpus
        assert list(params["entrypoint"]) == _entrypoint(command)
        env = RuntimeEnv(**parse_runtime_env_args(runtime_env_json=params["runtime_env_json"]))
        assert Path(env["working_dir"]) == dry_run.job
        packages = ("envfactory_gym", "envs", "generators", "rl")
        assert {Path(p) for p in env["py_modules"]} == {root / p for p in packages}
        assert "gymnasium>=1.0,<2" in env["pip"]["packages"] and not any("torch" in p for p in env["pip"]["packages"])
    assert {p.name for p in dry_run.job.iterdir()} == {"agent.py", "train.jsonl", "test.jsonl", "sft.jsonl"}
    _require("openrlhf.utils.agent")
    from openrlhf.utils.agent import AgentExecutorBase

    spec = importlib.util.spec_from_file_location("agent_module", dry_run.job / "agent.py")
    agent = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(agent)
    assert issubclass(agent.AgentExecutor, AgentExecutorBase) and agent.AgentExecutor.__module__ == "rl.openrlhf_agent"


def test_the_rl_command_passes_openrlhf_checks_on_one_gpu_with_the_local_run_settings(dry_run, monkeypatch):
    """OpenRLHF's parser and checks accept the command on one GPU (it asked for 8 before and failed OpenRLHF's
    colocation check), with the run's learning rate scaled to the 0.6B model, its loss aggregation, GRPO group,
    clip, KL, temperature and per-turn budget, and held-out evaluation every --eval-every steps."""
    args, gpus = openrlhf_ppo(monkeypatch, _entrypoint(dry_run.commands[1]))
    cfg = dry_run.cfg
    assert gpus == 1
    assert args.actor.model_name_or_path == str((dry_run.out / "openrlhf" / "sft").resolve())
    assert args.actor.adam.lr == cfg.lr == 1e-6 and args.actor.lr_scheduler == "constant"
    assert args.rollout.max_new_tokens == cfg.max_new_tokens == models.scaled_defaults(
        models.parameter_count(cfg.model))["max_new_tokens"]
    assert args.actor.loss_agg_mode == "seq-mean-token-mean" and cfg.loss_agg == "sequence"
    assert args.algo.advantage.estimator == "group_norm" and args.rollout.n_samples_per_prompt == cfg.group_size
    assert args.actor.eps_clip_low_high == (cfg.clip, cfg.clip) and args.rollout.temperature == cfg.temperature
    assert args.algo.kl.init_coef == cfg.kl and args.algo.kl.use_loss and args.algo.kl.estimator == "k3"
    assert args.eval.steps == 2 and args.eval.dataset == "test.jsonl" and args.eval.temperature == 0.0
    assert args.eval.n_samples_per_prompt == 1 and args.ckpt.best_metric_key == "none"
    assert args.train.agent_func_path == "agent.py" and args.reward.remote_url == ["agent"]


def test_one_openrlhf_global_step_is_one_local_step(dry_run, monkeypatch):
    """OpenRLHF's trainer runs one global step per rollout batch of ``rollout.batch_size`` prompts over
    ``num_episodes`` passes of the prompt rows: the rows are the local loop's task draws, so it runs --steps
    steps, each with the local update's optimizer steps (--update-epochs passes in minibatches)."""
    args, _ = openrlhf_ppo(monkeypatch, _entrypoint(dry_run.commands[1]))
    cfg = dry_run.cfg
    rows = len(_rows(dry_run.job / "train.jsonl"))
    assert rows % args.rollout.batch_size == 0
    assert rows // args.rollout.batch_size * args.train.num_episodes == cfg.steps == 4
    samples = args.rollout.batch_size * args.rollout.n_samples_per_prompt
    assert samples // args.train.batch_size * args.train.max_epochs == (
        cfg.tasks_per_step * cfg.group_size // cfg.minibatch_size * cfg.update_epochs)


@pytest.mark.parametrize("extra, gpus", [
    ([], 1),
    (["--gpus", "8"], 8),
    (["--gpus", "4", "--nodes", "2"], 8),
    (["--algo", "ppo", "--kl", "0.05"], 1),
    (["--baseline", "rloo", "--loss-agg", "token", "--kl", "0.1"], 1),
])
def test_every_supported_layout_passes_openrlhf_checks(qwen3_06b, tmp_path, monkeypatch, extra, gpus):
    cfg = train.resolve_defaults(train.parse_args(["--backend", "openrlhf", "--model", str(qwen3_06b), *ARGS,
                                                   *extra]), models.parameter_count(qwen3_06b))
    assert openrlhf_launch.unsupported(cfg) == []
    args, asked = openrlhf_ppo(monkeypatch, openrlhf_launch.ppo_command(cfg, str(qwen3_06b), tmp_path))
    assert asked == gpus
    assert args.vllm.num_engines == gpus and args.actor.num_gpus_per_node * args.actor.num_nodes == gpus
    assert args.actor.loss_agg_mode == openrlhf_launch.LOSS_AGG[cfg.loss_agg]
    if cfg.algo == "ppo":
        assert args.critic.model_name_or_path == str(qwen3_06b) and args.algo.advantage.estimator == "gae"
        assert args.algo.advantage.lambd == cfg.gae_lambda and args.critic.adam.lr == cfg.lr
    else:
        assert args.algo.advantage.estimator == openrlhf_launch.ESTIMATOR[cfg.baseline]


def test_settings_openrlhf_cannot_run_stop_the_launch(qwen3_06b, tmp_path):
    with pytest.raises(SystemExit, match="--loss-agg sum has no OpenRLHF 0.11.2 counterpart"):
        train.main(["--backend", "openrlhf", "--dry-run", "--model", str(qwen3_06b), "--out", str(tmp_path),
                    "--loss-agg", "sum"])
    with pytest.raises(SystemExit, match="--minibatch-size must be a multiple of the 3 GPUs"):
        train.main(["--backend", "openrlhf", "--dry-run", "--model", str(qwen3_06b), "--out", str(tmp_path),
                    "--gpus", "3"])


def test_a_model_from_scratch_launches_without_its_local_context_weight(tokenizer, tmp_path):
    """The mini's scaled default (half-weight loss on the environment's text) has no OpenRLHF counterpart: it is
    dropped, not refused; asked for explicitly, it is refused."""
    mini = models.build(tokenizer, models.SIZES["mini"], seed=0)
    mini.config.save_pretrained(tmp_path / "mini")
    tokenizer.save_pretrained(tmp_path / "mini")
    assert models.scaled_defaults(models.parameter_count(tmp_path / "mini"))["sft_context_weight"] == 0.5
    argv = ["--backend", "openrlhf", "--dry-run", "--model", str(tmp_path / "mini"), "--out", str(tmp_path), *ARGS]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        train.main(argv)
    assert "openrlhf.cli.train_sft" in printed.getvalue()
    with pytest.raises(SystemExit, match="--sft-context-weight: OpenRLHF's SFT trains on the assistant turns only"):
        train.main([*argv, "--sft-context-weight", "0.5"])


def test_the_rows_are_the_local_run_tasks(dry_run):
    """Train, test and SFT rows round-trip to the tasks the local driver would use: ``task_split`` and
    ``split_by_world`` of the same Config, the test rows in order (datasource = env, held-out env included), the
    train rows the local loop's draws from the RL worlds; every prompt is the local episode's opening."""
    cfg = dry_run.cfg
    train_tasks, test_tasks = train.task_split(cfg, ["Calendar"])
    jobs = [Job(n, t.id, t.seed) for n, t in train_tasks]
    sft_jobs, rl_jobs = train.split_by_world(jobs, cfg.sft_worlds)
    pairs = dict(zip(jobs, train_tasks))
    labels = {name: [json.loads(r["label"]) for r in _rows(dry_run.job / f"{name}.jsonl")]
              for name in ("train", "test")}
    assert [(lab["env"], Task.from_dict(lab["task"])) for lab in labels["test"]] == test_tasks
    assert {n for n, _ in test_tasks} == {"Calendar", "ExcelServer"}
    assert [r["datasource"] for r in _rows(dry_run.job / "test.jsonl")] == [n for n, _ in test_tasks]
    assert Counter((lab["env"], lab["task"]["id"]) for lab in labels["train"]) == Counter(
        (n, t.id) for n, t in openrlhf_launch.rl_stream([pairs[j] for j in rl_jobs], cfg.steps, cfg.tasks_per_step,
                                                        cfg.seed))
    assert all(lab["task"]["seed"] >= cfg.sft_worlds for lab in labels["train"])
    assert all(not lab["eval"] for lab in labels["train"]) and all(lab["eval"] for lab in labels["test"])
    assert {(lab["max_turns"], lab["partial_credit"], lab["thinking"]) for lab in labels["train"]} == {
        (cfg.max_turns, cfg.partial_credit, cfg.thinking)}
    fmt = ChatFormat(train.load_tokenizer(cfg.model), thinking=cfg.thinking)
    pool = EnvPool(cfg.max_turns, {n: [t for m, t in train_tasks + test_tasks if m == n] for n in
                                   ("Calendar", "ExcelServer")})
    for row in _rows(dry_run.job / "train.jsonl")[:2] + _rows(dry_run.job / "test.jsonl")[-2:]:
        lab = json.loads(row["label"])
        _, info = pool.take(lab["env"]).reset(seed=lab["task"]["seed"], options={"task_id": lab["task"]["id"]})
        assert fmt.encode(row["prompt"]) == Episode.start(fmt, info["messages"]).ids
    sft_rows = _rows(dry_run.job / "sft.jsonl")
    assert [r["input"][1]["content"] for r in sft_rows] == [pairs[j][1].request for j in sft_jobs]


def test_openrlhf_sft_reads_the_gold_trajectories_as_the_local_sft_does(dry_run, monkeypatch):
    """The SFT command passes OpenRLHF's parser and checks with the local SFT's settings, and its ``SFTDataset``
    turns the rows into the local gold episodes' tokens (thinking off: every assistant turn after the empty think
    block), trained on the model's tokens plus the newline the template puts after each ``<|im_end|>``."""
    cfg = dry_run.cfg
    args = openrlhf_sft(monkeypatch, _entrypoint(dry_run.commands[0]))
    assert (args.train.max_epochs, args.adam.lr, args.train.batch_size) == (cfg.sft_epochs, cfg.sft_lr,
                                                                           cfg.sft_batch_size) == (2, 1e-5, 8)
    assert args.data.multiturn and args.data.apply_chat_template and args.model.model_name_or_path == cfg.model
    from openrlhf.datasets import SFTDataset
    from openrlhf.datasets.utils import blending_datasets

    tokenizer = train.load_tokenizer(cfg.model)
    strategy = SimpleNamespace(args=args, print=lambda *a: None, is_rank_0=lambda: True)
    monkeypatch.chdir(dry_run.job)
    data = blending_datasets(args.data.dataset, None, strategy, args.train.seed)
    dataset = SFTDataset(data, tokenizer, args.data.max_len, strategy, input_template=args.data.input_template,
                         multiturn=args.data.multiturn, num_processors=1)
    train_tasks, _ = train.task_split(cfg, ["Calendar"])
    jobs = [Job(n, t.id, t.seed) for n, t in train_tasks]
    sft_jobs, _ = train.split_by_world(jobs, cfg.sft_worlds)
    fmt = ChatFormat(tokenizer, thinking=cfg.thinking)
    gold = play(sft_jobs, oracle_actor(fmt), fmt, EnvPool(cfg.max_turns, {"Calendar": [t for _, t in train_tasks]}),
                cfg.max_len, cfg.max_new_tokens, oracle=True)
    assert len(dataset) == len(gold)
    newline = fmt.encode("\n")
    for i, episode in enumerate(gold):
        ids, _, loss_mask = dataset[i]
        assert ids[0].tolist() == episode.ids
        targets = {p + 1 for p in range(len(episode.ids) - 1) if loss_mask[0, p]}
        model = {p for p, m in enumerate(episode.mask) if m}
        after_eos = {end for _, end in episode.turns[:-1]}
        assert targets == model | after_eos and all(episode.ids[p:p + 1] == newline for p in after_eos)
