"""The OpenRLHF backend's launcher: the local run's experiment as OpenRLHF datasets and commands, run as Ray jobs.

``python -m rl.train --backend openrlhf`` writes a job directory and two commands (``--dry-run`` prints them):

1. ``ray job submit ... -- torchrun ... -m openrlhf.cli.train_sft``: SFT on the gold trajectories of the SFT tasks
   (OpenRLHF's multi-turn format, rendered by our prefix-preserving training template), into ``openrlhf/sft``;
2. ``ray job submit ... -- python -m openrlhf.cli.train_ppo_ray``: GRPO/PPO from that checkpoint with
   :mod:`rl.openrlhf_agent`, held-out evaluation every ``--eval-every`` steps, into ``openrlhf/checkpoint``.

Both go through a Ray runtime environment: the job directory (datasets, a one-line agent file) is the working
directory, the project's packages travel as ``py_modules`` and its requirements as ``pip``, so no node needs the
project installed. Models (``--model``, the SFT output) are read by path: on several nodes, keep ``--out`` and
``--model`` on storage every node mounts (or give ``--model`` as a Hugging Face id).

Imports nothing from OpenRLHF or Ray (``--dry-run`` works without them).
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from envfactory_gym.core.tasks import Task
from rl import envs
from rl.tokenizer import TRAINING_TEMPLATE
from rl.tokens import ChatFormat

ROOT = Path(__file__).resolve().parents[1]
#: ``--loss-agg`` -> OpenRLHF's ``--actor.loss_agg_mode`` (it has no counterpart of ``sum``).
LOSS_AGG = {"token": "token-mean", "sequence": "seq-mean-token-mean"}
#: ``--baseline`` (GRPO) -> OpenRLHF's ``--algo.advantage.estimator``.
ESTIMATOR = {"grpo": "group_norm", "drgrpo": "dr_grpo", "rloo": "rloo"}
#: Never uploaded with the job directory or the packages.
EXCLUDES = ["__pycache__", "*.pyc", ".pytest_cache"]
#: The file OpenRLHF's vLLM engines load by path: the agent itself comes with the ``rl`` package.
AGENT_FILE = ('"""OpenRLHF loads this file by path (--train.agent_func_path); the agent ships in the rl package."""\n'
              "from rl.openrlhf_agent import AgentExecutor  # noqa: F401\n")


@dataclasses.dataclass
class Plan:
    """A written job directory and the commands that run it, in order."""

    job: Path
    commands: list[list[str]]
    rows: dict[str, int]


def unsupported(cfg: Any) -> list[str]:
    """Why OpenRLHF cannot run ``cfg`` as the local driver would (empty when it can)."""
    world = max(cfg.gpus * cfg.nodes, 1)
    checks = [
        (cfg.steps < 1 or cfg.gpus < 1 or cfg.nodes < 1, "--steps, --gpus and --nodes must be at least 1"),
        (cfg.loss_agg not in LOSS_AGG, f"--loss-agg {cfg.loss_agg} has no OpenRLHF 0.11.2 counterpart (its "
                                       "aggregations are token-mean and seq-mean-token-mean): use token or sequence"),
        (cfg.overlong_mask, "--overlong-mask: OpenRLHF has no per-episode loss mask (its overlong options are reward "
                            "penalties)"),
        (cfg.control is not None, "--control sft is an arm of the local driver"),
        (cfg.curriculum, "--curriculum generates tasks inside the local RL loop"),
        (cfg.resume, "--resume continues a local run (OpenRLHF resumes from its own --ckpt.path)"),
        (cfg.sft_context_weight, "--sft-context-weight: OpenRLHF's SFT trains on the assistant turns only"),
        (cfg.env_pool and cfg.tasks == "generated", "--env-pool plays the committed task files by id: add --tasks "
                                                    "suite"),
        (cfg.eval_every and cfg.steps % cfg.eval_every, "--eval-every must divide --steps (OpenRLHF evaluates at "
                                                        "its multiples only: the last step would go unevaluated)"),
        (cfg.minibatch_size % world, f"--minibatch-size must be a multiple of the {world} GPUs"),
        (cfg.tasks_per_step * cfg.group_size % cfg.minibatch_size, "--tasks-per-step x --group-size must be a "
                                                                   "multiple of --minibatch-size (OpenRLHF drops a "
                                                                   "partial minibatch)"),
        (cfg.sft_epochs and cfg.sft_batch_size % max(cfg.gpus, 1), f"--sft-batch-size must be a multiple of the {cfg.gpus} "
                                                           "GPUs of the SFT node"),
    ]
    return [message for failed, message in checks if failed]


def _per_gpu(total: int, world: int, most: int) -> int:
    """The largest micro-batch of at most ``most`` samples that splits ``total`` samples evenly over ``world``."""
    share = max(total // world, 1)
    return max(d for d in range(1, min(share, most) + 1) if share % d == 0)


def _placement(role: str, cfg: Any) -> list[str]:
    return [f"--{role}.num_nodes", str(cfg.nodes), f"--{role}.num_gpus_per_node", str(cfg.gpus)]


def label(name: str, task: Task, cfg: Any, evaluation: bool, pool: dict[str, Any] | None = None) -> str:
    """The agent's label of one row: the task itself, its env, the turn limit, the reward's partial-credit weight,
    the thinking mode and whether the row is held-out evaluation (reward = success)."""
    return json.dumps({"env": name, "task": dataclasses.asdict(task), "max_turns": cfg.max_turns,
                       "partial_credit": cfg.partial_credit, "thinking": cfg.thinking, "eval": evaluation,
                       **({"pool": pool} if pool else {})}, ensure_ascii=False)


def prompt_rows(pairs: list[tuple[str, Task]], fmt: ChatFormat, cfg: Any, evaluation: bool,
                pool: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """OpenRLHF prompt rows of (env, task) pairs: ``prompt`` (the opening turns with the generation prompt, as the
    agent renders them), ``label`` and ``datasource`` (the env: OpenRLHF reports evaluation per datasource)."""
    rendered: dict[tuple[str, str], dict[str, str]] = {}
    for name in dict.fromkeys(n for n, _ in pairs):
        mine = list({t.id: t for n, t in pairs if n == name}.values())
        env = envs.make(name, cfg.max_turns, tasks=mine)
        for task in mine:
            _, info = env.reset(seed=task.seed, options={"task_id": task.id})
            rendered[name, task.id] = {"prompt": fmt.render(info["messages"], add_generation_prompt=True),
                                       "label": label(name, task, cfg, evaluation, pool), "datasource": name}
    return [rendered[name, task.id] for name, task in pairs]


def rl_stream(pairs: list[tuple[str, Task]], steps: int, tasks_per_step: int, seed: int) -> list[tuple[str, Task]]:
    """The RL tasks as the local loop draws them: passes over them, each pass shuffled, ``steps * tasks_per_step``
    in all, so that one OpenRLHF pass over the rows is ``steps`` rollout batches."""
    rng, order, stream = random.Random(seed), [], []
    while len(stream) < steps * tasks_per_step:
        order = order or rng.sample(pairs, len(pairs))
        stream.append(order.pop())
    return stream


def sft_rows(pairs: list[tuple[str, Task]], max_turns: int) -> list[dict[str, Any]]:
    """OpenRLHF multi-turn SFT rows: ``{"input": messages}``, the oracle's conversation up to its last assistant
    turn (OpenRLHF trains on every assistant turn of it)."""
    rows = []
    for name in dict.fromkeys(n for n, _ in pairs):
        mine = [t for n, t in pairs if n == name]
        env = envs.make(name, max_turns, tasks=mine)
        for task in mine:
            messages, _ = envs.oracle_conversation(env, task.id, task.seed)
            last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
            rows.append({"input": messages[: last + 1]})
    return rows


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def runtime_env(job: Path) -> dict[str, Any]:
    """The Ray runtime environment of both jobs: the job directory as working directory, the project's packages
    (pyproject's package list) as ``py_modules``, its core requirements as ``pip`` (torch, transformers, vLLM and
    OpenRLHF are the cluster's own)."""
    project = _pyproject()
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    return {"working_dir": str(job), "py_modules": [str(ROOT / p) for p in packages], "excludes": EXCLUDES,
            "pip": project["project"]["dependencies"]}


def submit(entrypoint: list[str], job: Path, gpus: int = 0) -> list[str]:
    """``ray job submit`` of ``entrypoint`` in the runtime environment (on a node with ``gpus`` GPUs when given)."""
    return ["ray", "job", "submit", "--runtime-env-json", json.dumps(runtime_env(job)),
            *(["--entrypoint-num-gpus", str(gpus)] if gpus else []), "--", *entrypoint]


def sft_template(thinking: bool) -> str:
    """The training template with the run's thinking mode fixed: OpenRLHF's SFT dataset renders without
    ``enable_thinking``, and with thinking off every assistant turn must open with the empty think block, as in
    the local SFT and in the RL prompts."""
    return f"{{%- set enable_thinking = {str(thinking).lower()} %}}" + TRAINING_TEMPLATE


def sft_command(cfg: Any, model: str, rows: int, output: Path) -> list[str]:
    """OpenRLHF's SFT on one node of ``--gpus`` GPUs with the local SFT's epochs, batch, learning rate and schedule
    (10 warm-up steps, then linear decay to 0)."""
    total = cfg.sft_epochs * math.ceil(rows / cfg.sft_batch_size)
    return [
        "torchrun", "--standalone", f"--nproc_per_node={cfg.gpus}", "-m", "openrlhf.cli.train_sft",
        "--model.model_name_or_path", model, "--data.dataset", "sft.jsonl", "--data.input_key", "input",
        "--data.multiturn", "--data.apply_chat_template", "--data.tokenizer_chat_template", sft_template(cfg.thinking),
        "--data.max_len", str(cfg.max_len), "--train.max_epochs", str(cfg.sft_epochs),
        "--train.batch_size", str(cfg.sft_batch_size),
        "--train.micro_batch_size", str(_per_gpu(cfg.sft_batch_size, cfg.gpus, cfg.micro_batch_size)),
        "--adam.lr", str(cfg.sft_lr), "--adam.betas", "0.9", "0.999", "--lr_scheduler", "linear",
        "--lr_warmup_ratio", str(min(1.0, 10 / max(total, 1))), "--train.seed", str(cfg.seed),
        "--ds.attn_implementation", "sdpa", "--ckpt.output_dir", str(output),
    ]


def ppo_command(cfg: Any, model: str, output: Path) -> list[str]:
    """``python -m openrlhf.cli.train_ppo_ray`` for this run: one OpenRLHF global step = one local step (a rollout
    batch of ``tasks_per_step`` prompts x ``group_size`` samples and its update: ``update_epochs`` passes in
    minibatches of ``minibatch_size``); everything colocated on ``nodes`` x ``gpus`` GPUs, one vLLM engine each."""
    world = cfg.gpus * cfg.nodes
    rollout = cfg.tasks_per_step * cfg.group_size
    cmd = [
        "python", "-m", "openrlhf.cli.train_ppo_ray",
        "--actor.model_name_or_path", model, "--train.agent_func_path", "agent.py",
        "--data.prompt_dataset", "train.jsonl", "--data.input_key", "prompt", "--data.label_key", "label",
        "--eval.dataset", "test.jsonl", "--eval.n_samples_per_prompt", "1", "--eval.temperature", "0.0",
        "--eval.steps", str(cfg.eval_every or cfg.steps), "--ckpt.best_metric_key", "none",
        "--rollout.n_samples_per_prompt", str(cfg.group_size), "--rollout.batch_size", str(cfg.tasks_per_step),
        "--rollout.micro_batch_size", str(min(cfg.micro_batch_size, max(rollout // world, 1))),
        "--rollout.temperature", str(cfg.temperature), "--rollout.max_new_tokens", str(cfg.max_new_tokens),
        "--data.max_len", str(cfg.max_len), "--train.num_episodes", "1", "--train.max_epochs", str(cfg.update_epochs),
        "--train.batch_size", str(cfg.minibatch_size),
        "--train.micro_batch_size", str(_per_gpu(cfg.minibatch_size, world, cfg.micro_batch_size)),
        "--actor.adam.lr", str(cfg.lr), "--actor.adam.betas", "0.9", "0.999", "--actor.lr_scheduler", "constant",
        "--actor.eps_clip", str(cfg.clip), "--actor.loss_agg_mode", LOSS_AGG[cfg.loss_agg],
        "--algo.kl.init_coef", str(cfg.kl), "--algo.kl.use_loss", "--algo.kl.estimator", "k3",
        "--train.seed", str(cfg.seed), "--ds.attn_implementation", "sdpa",
        *_placement("actor", cfg), *_placement("ref", cfg), "--vllm.num_engines", str(world),
        "--train.colocate_all", "--vllm.enable_sleep", "--vllm.gpu_memory_utilization", "0.5",
        "--ckpt.output_dir", str(output / "checkpoint"), "--ckpt.path", str(output / "ckpt"), "--ckpt.save_hf",
    ]
    if cfg.algo == "grpo":
        return cmd + ["--algo.advantage.estimator", ESTIMATOR[cfg.baseline]]
    return cmd + ["--algo.advantage.estimator", "gae", "--critic.model_name_or_path", model,
                  *_placement("critic", cfg), "--critic.adam.lr", str(cfg.lr),
                  "--critic.adam.betas", "0.9", "0.999", "--critic.lr_scheduler", "constant",
                  "--algo.advantage.lambd", str(cfg.gae_lambda), "--algo.advantage.gamma", "1"]


def prepare(cfg: Any, sft: list[tuple[str, Task]], rl: list[tuple[str, Task]], test: list[tuple[str, Task]],
            tokenizer: Any, out: Path) -> Plan:
    """Write the job directory ``out/job`` (datasets and agent file) and return the commands: SFT (when
    ``--sft-epochs``) then RL, each a ``ray job submit``."""
    job = out / "job"
    fmt = ChatFormat(tokenizer, thinking=cfg.thinking)
    pool = {"actors": cfg.env_pool, "max_episodes": 256, "name": f"envfactory-{out.resolve().parent.name}"}
    pool = pool if cfg.env_pool else None
    rows = {"train": write_jsonl(job / "train.jsonl", prompt_rows(
                rl_stream(rl, cfg.steps, cfg.tasks_per_step, cfg.seed), fmt, cfg, False, pool)),
            "test": write_jsonl(job / "test.jsonl", prompt_rows(test, fmt, cfg, True, pool))}
    (job / "agent.py").write_text(AGENT_FILE, encoding="utf-8")
    model = str(Path(cfg.model).resolve()) if Path(cfg.model).exists() else cfg.model
    commands = []
    if cfg.sft_epochs:
        rows["sft"] = write_jsonl(job / "sft.jsonl", sft_rows(sft, cfg.max_turns))
        commands.append(submit(sft_command(cfg, model, rows["sft"], out.resolve() / "sft"), job, cfg.gpus))
        model = str(out.resolve() / "sft")
    commands.append(submit(ppo_command(cfg, model, out.resolve()), job))
    return Plan(job, commands, rows)
