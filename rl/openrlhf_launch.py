"""The OpenRLHF backend's launcher: prompt datasets whose labels name env, task and seed, and the trainer command.

Imports nothing from OpenRLHF (``--dry-run`` works without it); the agent itself is :mod:`rl.openrlhf_agent`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rl import envs
from rl.tokens import ChatFormat

AGENT = Path(__file__).resolve().parent / "openrlhf_agent.py"


def write_dataset(path: Path, names: list[str], split: str, tokenizer: Any, max_turns: int, seed: int,
                  pool: dict[str, Any] | None = None) -> Path:
    """One JSON line per task: ``prompt`` (the opening turns rendered with the generation prompt) and ``label``.

    ``pool`` (``{"actors", "max_episodes", "name"}``) goes into every label: the agent then plays the episodes in
    that Ray env pool (:mod:`envfactory_gym.integrations.ray_pool`) instead of in the vLLM engine's process."""
    fmt = ChatFormat(tokenizer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for name in names:
            env = envs.make(name, max_turns)
            for _, task in envs.tasks([name], split):
                _, info = env.reset(seed=seed, options={"task_id": task.id})
                label = {"env": name, "task_id": task.id, "seed": seed, "max_turns": max_turns,
                         **({"pool": pool} if pool else {})}
                fh.write(json.dumps({"prompt": fmt.render(info["messages"], add_generation_prompt=True),
                                     "label": json.dumps(label)}) + "\n")
    return path


def command(cfg: Any, train: Path, test: Path, out: Path) -> list[str]:
    """``python -m openrlhf.cli.train_ppo_ray`` with 0.11.x dotted flags for this run's hyperparameters."""
    gpus = "1" if cfg.device == "cuda" else "8"
    cmd = [
        sys.executable, "-m", "openrlhf.cli.train_ppo_ray",
        "--actor.model_name_or_path", cfg.model,
        "--train.agent_func_path", str(AGENT),
        "--data.prompt_dataset", str(train), "--data.input_key", "prompt", "--data.label_key", "label",
        "--eval.dataset", str(test), "--eval.n_samples_per_prompt", "1", "--eval.temperature", "0.0",
        "--rollout.n_samples_per_prompt", str(cfg.group_size),
        "--rollout.batch_size", str(cfg.tasks_per_step),
        "--train.batch_size", str(cfg.tasks_per_step * cfg.group_size),
        "--train.micro_batch_size", str(cfg.micro_batch_size), "--rollout.micro_batch_size", str(cfg.micro_batch_size),
        "--rollout.temperature", str(cfg.temperature),
        "--rollout.max_new_tokens", str(cfg.max_new_tokens), "--data.max_len", str(cfg.max_len),
        "--train.max_epochs", str(cfg.update_epochs), "--train.num_episodes", str(max(cfg.steps, 1)),
        "--actor.adam.lr", str(cfg.lr), "--actor.eps_clip", str(cfg.clip),
        "--algo.kl.init_coef", str(cfg.kl), "--train.seed", str(cfg.seed),
        "--actor.num_gpus_per_node", gpus, "--ref.num_gpus_per_node", gpus, "--vllm.num_engines", "1",
        "--train.colocate_all", "--vllm.enable_sleep", "--vllm.gpu_memory_utilization", "0.5",
        "--ckpt.output_dir", str(out / "checkpoint"), "--ckpt.path", str(out / "ckpt"), "--ckpt.save_hf",
    ]
    if cfg.algo == "grpo":
        cmd += ["--algo.advantage.estimator", "group_norm", "--algo.kl.use_loss", "--algo.kl.estimator", "k3"]
    else:
        cmd += ["--algo.advantage.estimator", "gae", "--critic.model_name_or_path", cfg.model,
                "--critic.num_gpus_per_node", gpus, "--algo.advantage.lambd", str(cfg.gae_lambda)]
    return cmd
