"""``python -m rl.train``: SFT warm start on gold trajectories, then multi-turn GRPO (or PPO) through the suite's envs.

Read top to bottom (CleanRL style): every hyperparameter is a field of :class:`Config` (``--help`` lists them), the
run is seeded, and it writes into ``--out``: ``metrics.jsonl``, ``reward_curve.png``, ``sft/`` and ``checkpoint/``
(Hugging Face layout with the tokenizer; ``--model PATH`` loads either again).

With no arguments it builds a tokenizer and a 0.9M-parameter Qwen3 from scratch and runs on two CPU cores in about
six minutes: greedy success on 100 Calendar tasks of unseen worlds before SFT, after SFT and after GRPO.

Why a hand-written loop rather than TRL's trainers: TRL's environment rollouts (``environment_factory``) expose an
environment's methods as tools, render them with ``tools=`` through the chat template and parse calls with their
own parser, and end an episode on a message to the user. Our envs take raw model text (tools already in the system
prompt, a scripted user answering questions) and the token stream must stay token-in-token-out under a
prefix-preserving template (:mod:`rl.tokens`); the GRPO/PPO update itself is a few lines (:mod:`rl.algo`).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import random
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import transformers
from tqdm import tqdm

from envfactory_gym.core.tasks import Task
from rl import algo, envs
from rl import model as models
from rl.rollout import EnvPool, Job, model_actor, oracle_actor, play
from rl.tokenizer import load_tokenizer, train_tokenizer
from rl.tokens import ChatFormat, Episode


def _help(text: str, **kwargs: Any) -> Any:
    return field(metadata={"help": text}, **kwargs)


@dataclass
class Config:
    """Hyperparameters of a run; each is a command-line flag (``group_size`` -> ``--group-size``)."""

    envs: str = _help("comma-separated environments or domains (names or EnvFactory/<Name>-v0 ids)",
                      default="Calendar")
    model: str | None = _help("local checkpoint or Qwen3 weights to start from (default: build a small Qwen3 and "
                              "a tokenizer from scratch)", default=None)
    size: str = _help(f"model config when building from scratch: {', '.join(models.SIZES)}", default="mini")
    vocab_size: int = _help("BPE vocabulary size when training the tokenizer", default=1024)
    algo: str = _help("grpo (group-normalized advantages) or ppo (value head + GAE)", default="grpo")
    backend: str = _help("local (this process, torch) or openrlhf (write the dataset, launch OpenRLHF)",
                         default="local")
    device: str = _help("cpu or cuda", default="cpu")
    seed: int = _help("seed of everything (model init, data order, sampling)", default=0)
    out: str = _help("output directory", default="runs/rl")
    resume: str | None = _help("resume RL from a run directory (its checkpoint/ and trainer_state.pt)", default=None)
    dry_run: bool = _help("openrlhf backend: write the dataset and print the command without running it",
                          default=False)
    env_pool: int = _help("openrlhf backend: play the episodes in this many Ray env actors shared by the vLLM engines "
                          "(envfactory_gym.integrations.ray_pool, 256 live episodes each) instead of in each "
                          "engine's process (0: in process)", default=0)
    threads: int = _help("torch CPU threads for the SFT/RL updates", default=2)
    decode_threads: int = _help("torch CPU threads while sampling (one token per step: too little work to split)",
                                default=1)
    max_tasks: int = _help("use at most this many train and test tasks per environment (0: all; for smoke runs)",
                           default=0)
    # task distribution
    tasks: str = _help("generated: tasks built in memory from the envs' scenario templates, train and test on "
                       "disjoint world seeds; suite: the committed train/test task files", default="generated")
    train_worlds: int = _help("generated: train tasks come from world seeds 0 .. N-1", default=800)
    sft_worlds: int = _help("generated: SFT on the train tasks of world seeds 0 .. N-1 and RL on those of the other "
                            "train worlds, so RL learns from tasks SFT has not memorised (0, or --tasks suite: both "
                            "on all)", default=400)
    test_worlds: int = _help("generated: test tasks come from world seeds --test-world-start .. +N-1", default=100)
    test_world_start: int = _help("generated: first world seed of the test tasks (disjoint from the train seeds)",
                                  default=1000)
    max_calls: int = _help("generated: keep tasks with at most this many gold tool calls (0: any)", default=1)
    conversational: bool = _help("generated: also keep tasks that need facts only the user knows", default=False)
    phrase_min_count: int = _help("tokenizer from scratch: lines recurring this often in its training text (the "
                                  "system prompt's) become single tokens (0: plain BPE)", default=8)
    qwen3_split: bool = _help("tokenizer from scratch: pre-tokenize like Qwen3 (single digits, letter runs) rather "
                              "than like GPT-2", default=True)
    curriculum: bool = _help("RL on tasks generated at each step (generators.live) at a difficulty that follows the "
                             "policy's success (envfactory_gym.curriculum: up above 0.65, down below 0.35 over the "
                             "last --curriculum-window episodes of a level) instead of the fixed train tasks; SFT "
                             "and the held-out tasks are unchanged", default=False)
    curriculum_window: int = _help("curriculum: outcomes kept per level; a move needs half as many since the last",
                                   default=20)
    curriculum_start: int = _help("curriculum: first level (0: one call, no id to carry)", default=0)
    train_eval: int = _help("also report greedy success on this many RL train tasks after SFT and after RL, the "
                            "figure to tune on (0: no)", default=40)
    # supervised warm start
    sft_epochs: int = _help("passes over the gold trajectories of the train tasks (0: skip SFT)", default=30)
    sft_batch_size: int = _help("trajectories per SFT step", default=8)
    sft_lr: float = _help("SFT learning rate (AdamW)", default=3e-3)
    sft_context_weight: float = _help("SFT loss weight of the non-model tokens (prompt, tool responses) relative to "
                                      "the model's: language modelling of the environment's text, where the values "
                                      "the agent must copy recur (0: the model's tokens only)", default=0.0)
    # reinforcement learning
    steps: int = _help("RL steps (one batch of rollouts and one update each)", default=40)
    tasks_per_step: int = _help("train tasks per RL step (rollout batch = tasks_per_step * group_size)", default=4)
    group_size: int = _help("samples per task; all start from the same task and seed", default=8)
    micro_batch_size: int = _help("episodes per forward/backward pass", default=8)
    lr: float = _help("RL learning rate (AdamW)", default=3e-4)
    loss_agg: str = _help("grpo: token (every model token weighs the same) or sequence (every episode weighs the "
                          "same, whatever its length, as in the GRPO paper)", default="sequence")
    kl: float = _help("weight of the k3 KL penalty to the SFT reference (0: no reference model)", default=0.0)
    clip: float = _help("PPO clip range of the probability ratio", default=0.2)
    update_epochs: int = _help("passes over each rollout batch", default=1)
    vf_coef: float = _help("ppo: weight of the value loss", default=0.5)
    gae_lambda: float = _help("ppo: GAE lambda (gamma is 1)", default=0.95)
    temperature: float = _help("sampling temperature of rollouts (evaluation is greedy)", default=1.0)
    partial_credit: float = _help("RL reward of a failed episode = this times the env's partial credit (share of "
                                  "expected state changes and facts achieved); success earns 1", default=0.0)
    max_turns: int = _help("agent turns before an episode is truncated", default=6)
    max_new_tokens: int = _help("tokens per assistant turn", default=96)
    max_len: int = _help("tokens per episode (context limit)", default=4096)
    progress: bool = _help("progress bars with totals and ETA for every phase, on stderr", default=True)


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m rl.train", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for f in dataclasses.fields(Config):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=f.metadata["help"])
        else:
            kind = {"int": int, "float": float}.get(str(f.type), str)
            parser.add_argument(flag, type=kind, default=f.default, help=f.metadata["help"])
    cfg = Config(**vars(parser.parse_args(argv)))
    if (cfg.algo not in ("grpo", "ppo") or cfg.backend not in ("local", "openrlhf")
            or cfg.tasks not in ("generated", "suite") or cfg.loss_agg not in ("token", "sequence")):
        parser.error("--algo must be grpo or ppo, --backend local or openrlhf, --tasks generated or suite, "
                     "--loss-agg token or sequence")
    return cfg


class Log:
    """Metrics as JSON Lines, echoed briefly to stdout."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: Any = None  # opened by the first record (a run that exits on a usage error leaves none open)
        self.start = time.time()

    def __call__(self, phase: str, **values: Any) -> dict[str, Any]:
        record = {"phase": phase, "time": round(time.time() - self.start, 2), **values}
        if self.file is None:
            self.file = self.path.open("a", encoding="utf-8")
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()
        shown = " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items())
        tqdm.write(shown, file=sys.stdout)  # above the progress bars rather than through them
        sys.stdout.flush()
        return record


class Phases:
    """Progress bars of a run's phases (on stderr): each phase numbered among all of them, with its total and ETA.

    Counting only: nothing here touches a random generator or the order of work, so metrics are unchanged."""

    def __init__(self, names: list[str], enabled: bool) -> None:
        self.names = names
        self.enabled = enabled
        self.done = 0

    def __call__(self, name: str, total: int, unit: str) -> tqdm:
        """The bar of the next phase, called ``name`` (one of ``names``, which may repeat: e.g. evaluations)."""
        self.done += 1
        return tqdm(total=total, desc=f"[{self.done}/{len(self.names)}] {name}", unit=unit, file=sys.stderr,
                    disable=not self.enabled, dynamic_ncols=True, leave=True)


def phase_plan(cfg: Config) -> list[str]:
    """The phases of a local run in order (the evaluation phases included), for the ``[i/n]`` of the bars."""
    generated = cfg.tasks == "generated"
    phases = ["generate tasks"] if generated else []
    if not (cfg.resume or cfg.model):
        phases.append("tokenizer")
    if not cfg.resume:
        phases.append("eval before SFT")
        if cfg.sft_epochs:
            phases += ["gold trajectories", "SFT"]
    phases.append("eval after SFT")
    if cfg.train_eval:
        phases.append("train eval after SFT")
    if cfg.steps:
        phases.append("RL")
    phases.append("eval after RL")
    if cfg.train_eval:
        phases.append("train eval after RL")
    return phases


def env_names(spec: str) -> list[str]:
    return [s.strip().removeprefix("EnvFactory/").removesuffix("-v0") for s in spec.split(",") if s.strip()]


def build_tokenizer(names: list[str], vocab_size: int, max_turns: int, train: list[tuple[str, Task]] | None = None,
                    phrase_min_count: int = 0, qwen3_split: bool = False, bar: tqdm | None = None) -> Any:
    """Train the BPE on the system prompts and the gold trajectories of the train tasks (never the test tasks).

    ``train``: the (env, task) pairs to use (default: the committed train tasks of ``names``). ``bar`` counts the
    gold trajectories played (its total is set here: one per task, plus one for training the BPE).
    """
    train = envs.tasks(names, "train") if train is None else train
    if bar is not None:
        bar.reset(total=len(train) + 1)
    texts = []
    for name in names:
        mine = [t for n, t in train if n == name]
        env = envs.make(name, max_turns, tasks=mine)
        for task in mine:
            texts += [m["content"] for m in envs.oracle_conversation(env, task.id, task.seed)[0]]
            if bar is not None:
                bar.update()
    tokenizer = train_tokenizer(texts, vocab_size, phrase_min_count, qwen3_split)
    if bar is not None:
        bar.update()
    return tokenizer


def task_split(cfg: Config, names: list[str], bar: tqdm | None = None
               ) -> tuple[list[tuple[str, Task]], list[tuple[str, Task]]]:
    """The (env, task) pairs to train on and to evaluate on, per ``--tasks`` (see :class:`Config`); ``bar``
    counts the worlds generated (its total is set here)."""
    if cfg.tasks == "suite":
        return envs.tasks(names, "train", cfg.max_tasks), envs.tasks(names, "test", cfg.max_tasks)
    train_seeds = range(cfg.train_worlds)
    test_seeds = range(cfg.test_world_start, cfg.test_world_start + cfg.test_worlds)
    if set(train_seeds) & set(test_seeds):
        raise ValueError("--test-world-start must keep the test worlds disjoint from the train worlds")
    if not 0 <= cfg.sft_worlds < cfg.train_worlds:
        raise ValueError("--sft-worlds must be 0 or fewer than --train-worlds (RL needs worlds of its own)")
    committed_test = {t.id for _, t in envs.tasks(names, "test")}  # the suite's own test tasks stay unseen
    if bar is not None:
        bar.reset(total=len(names) * (len(train_seeds) + len(test_seeds)))
    split = {}
    for part, seeds in (("train", train_seeds), ("test", test_seeds)):
        split[part] = [(name, task) for name in names for task in [
            t for t in envs.generated_tasks(name, seeds, part, cfg.max_calls, cfg.conversational,
                                            bar.update if bar is not None else None)
            if t.id not in committed_test][: cfg.max_tasks or None]]
    return split["train"], split["test"]


def make_curricula(cfg: Config, names: list[str], saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """One curriculum per environment with ``--curriculum`` (restored from ``saved`` on ``--resume``), else none."""
    if not cfg.curriculum:
        return {}
    from envfactory_gym.curriculum import Curriculum, ladder
    from envfactory_gym.registration import world_set

    curricula = {}
    for name in names:
        if saved and name in saved:
            curricula[name] = Curriculum.from_state(saved[name])
        else:
            curricula[name] = Curriculum(ladder(len(world_set(name).members)), start=cfg.curriculum_start,
                                         window=cfg.curriculum_window, min_episodes=max(1, cfg.curriculum_window // 2))
    return curricula


def curriculum_job(curricula: dict[str, Any], names: list[str], group: int, rng: random.Random,
                   pool: EnvPool) -> tuple[Job, tuple[str, int]]:
    """A fresh task at the current level of an environment's curriculum (environments taken in turn), made
    playable by the pool; the job and the (environment, level) it was generated at."""
    from generators.live import LiveGenerator

    name = names[group % len(names)]
    curriculum = curricula[name]
    while True:
        level = curriculum.level
        try:
            task = LiveGenerator(name).task(rng.getrandbits(63), curriculum.difficulty())
            break
        except RuntimeError:  # this environment cannot generate the level: skip it
            curriculum.mark_unsupported(level)
    pool.extra[task.id] = task
    return Job(name, task.id, task.seed, group), (name, level)


def split_by_world(train: list[Job], sft_worlds: int) -> tuple[list[Job], list[Job]]:
    """The SFT and RL jobs: worlds below ``sft_worlds`` and the others (a generated task's seed is its world seed);
    both all of ``train`` when ``sft_worlds`` is 0."""
    if not sft_worlds:
        return train, train
    return [j for j in train if j.seed < sft_worlds], [j for j in train if j.seed >= sft_worlds]


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch CPU threads."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def rollouts(model: Any, fmt: ChatFormat, jobs: list[Job], pool: EnvPool, cfg: Config, greedy: bool,
             generator: torch.Generator | None = None, bar: tqdm | None = None) -> list[Episode]:
    """Play the jobs with the model: greedy (evaluation) or sampled at ``cfg.temperature`` (RL); ``bar`` counts
    finished episodes."""
    model.eval()
    with threads(cfg.decode_threads):
        return play(jobs, model_actor(model, fmt, cfg.max_new_tokens, cfg.temperature, greedy, generator), fmt, pool,
                    cfg.max_len, cfg.max_new_tokens, progress=bar.update if bar is not None else None)


def evaluate(model: Any, fmt: ChatFormat, jobs: list[Job], pool: EnvPool, cfg: Config,
             bar: tqdm | None = None) -> list[Episode]:
    """Greedy episodes of the given tasks."""
    return rollouts(model, fmt, jobs, pool, cfg, greedy=True, bar=bar)


def success(episodes: list[Episode]) -> float:
    return sum(e.reward >= 1.0 for e in episodes) / max(len(episodes), 1)


def rl_reward(episode: Episode, partial_credit: float) -> float:
    """The reward RL optimizes: 1 on success, else ``partial_credit`` times the env's partial credit."""
    if episode.reward >= 1.0:
        return 1.0
    return partial_credit * float(episode.info.get("reward_info", {}).get("partial", 0.0))


def batches(episodes: list[Episode], size: int, bucket: int = 0) -> list[list[int]]:
    """Index batches of at most ``size`` episodes, each from one environment and kept in order (shared prefixes).

    ``bucket > 0``: within each run of ``bucket * size`` episodes, batch episodes of similar length (less padding).
    """
    out: list[list[int]] = []
    for name in dict.fromkeys(e.info["env"] for e in episodes):
        rows = [i for i, e in enumerate(episodes) if e.info["env"] == name]
        if bucket:
            window = bucket * size
            rows = [i for w in range(0, len(rows), window)
                    for i in sorted(rows[w:w + window], key=lambda i: len(episodes[i].ids))]
        out += [rows[i:i + size] for i in range(0, len(rows), size)]
    return out


def sft(model: Any, episodes: list[Episode], cfg: Config, log: Log, rng: random.Random,
        bar: tqdm | None = None) -> None:
    """Cross-entropy on the model's tokens of the gold trajectories; ``bar`` counts the steps of all epochs."""
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.sft_lr, weight_decay=0.0)
    total = cfg.sft_epochs * -(-len(episodes) // cfg.sft_batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 10) * (1 - s / max(total, 1)))
    model.train()
    if bar is not None:  # batches never mix environments: an epoch has this many, whatever the shuffle
        bar.reset(total=cfg.sft_epochs * len(batches(episodes, cfg.sft_batch_size)))
    step = 0
    for epoch in range(cfg.sft_epochs):
        order = list(range(len(episodes)))
        rng.shuffle(order)
        shuffled = [episodes[i] for i in order]
        steps = batches(shuffled, cfg.sft_batch_size, bucket=8)
        rng.shuffle(steps)
        for rows in steps:
            lp, mask, _ = algo.token_logprobs(model, [shuffled[i] for i in rows], context_weight=cfg.sft_context_weight)
            loss = -(lp * mask).sum() / mask.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            log("sft", epoch=epoch, step=step, loss=round(loss.item(), 4))
            if bar is not None:
                bar.update()
                bar.set_postfix(epoch=epoch + 1, loss=round(loss.item(), 4), refresh=False)


def rl_update(model: Any, value_head: Any, ref: Any, opt: torch.optim.Optimizer, episodes: list[Episode],
              cfg: Config) -> dict[str, float]:
    """One GRPO/PPO update on a batch of finished episodes (loss over the batch's model tokens; for GRPO with
    ``--loss-agg sequence`` the advantages are scaled so that every episode weighs the same)."""
    tokens = sum(e.model_tokens for e in episodes)
    rewards = [rl_reward(e, cfg.partial_credit) for e in episodes]
    seq_adv = algo.group_advantages(rewards, [e.info["group"] for e in episodes])
    if cfg.loss_agg == "sequence":  # every episode weighs the same in the token-sum / token-count loss
        seq_adv = seq_adv * algo.sequence_weights([e.model_tokens for e in episodes])
    model.eval()
    prepared = []
    with torch.no_grad():  # behaviour log-probs, reference log-probs, and for PPO values and GAE
        for rows in batches(episodes, cfg.micro_batch_size):
            batch = [episodes[i] for i in rows]
            lp, mask, v = algo.token_logprobs(model, batch, cfg.temperature, value_head)
            if cfg.algo == "grpo":
                adv, ret = seq_adv[rows][:, None] * mask, None
            else:
                token_rewards = torch.stack([algo.token_rewards(e, rewards[i], mask.shape[1])
                                             for i, e in zip(rows, batch)])
                adv, ret = algo.gae(token_rewards, v, mask, 1.0, cfg.gae_lambda)
            ref_lp = algo.token_logprobs(ref, batch, cfg.temperature)[0] if ref is not None else None
            prepared.append((batch, lp, adv, ret, ref_lp, mask.bool()))
    if cfg.algo == "ppo":
        algo.whiten([p[2] for p in prepared], [p[5] for p in prepared])
    model.train()
    stats = {"loss": 0.0, "kl": 0.0, "value_loss": 0.0}
    params = [p for g in opt.param_groups for p in g["params"]]
    for _ in range(cfg.update_epochs):
        opt.zero_grad()
        for batch, old_lp, adv, ret, ref_lp, _ in prepared:
            lp, mask, v = algo.token_logprobs(model, batch, cfg.temperature, value_head)
            loss = algo.clipped_policy_loss(lp, old_lp, adv, mask, cfg.clip)
            if ref_lp is not None:
                kl = algo.kl_k3(lp, ref_lp, mask)
                loss = loss + cfg.kl * kl
                stats["kl"] += kl.item() / tokens
            if ret is not None:
                value_loss = ((v - ret) ** 2 * mask).sum()
                loss = loss + cfg.vf_coef * value_loss
                stats["value_loss"] += value_loss.item() / tokens
            (loss / tokens).backward()
            stats["loss"] += loss.item() / tokens
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return {k: round(v / cfg.update_epochs, 4) for k, v in stats.items()}


def save(model: Any, tokenizer: Any, path: Path) -> None:
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)


def plot(records: list[dict[str, Any]], path: Path) -> None:
    """Mean rollout reward per RL step and the held-out success marks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r for r in records if r["phase"] == "rl"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["step"] for r in steps], [r["reward"] for r in steps], marker="o", label="train rollouts (mean reward)")
    for r in records:
        if r["phase"] == "eval":
            ax.axhline(r["success"], linestyle="--", linewidth=1, color={"before SFT": "grey", "after SFT": "tab:orange",
                       "after RL": "tab:green"}.get(r["stage"], "black"), label=f"held-out success, {r['stage']}")
    ax.set_xlabel("RL step")
    ax.set_ylabel("reward / success")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run_openrlhf(cfg: Config, names: list[str], out: Path) -> None:
    """Write the prompt datasets and launch (or print) OpenRLHF's PPO/GRPO trainer with our agent module."""
    from rl import openrlhf_launch

    if cfg.model is None:
        sys.exit("--backend openrlhf needs --model PATH (e.g. the checkpoint/ of a local run, or Qwen3 weights)")
    tokenizer = load_tokenizer(cfg.model)
    pool = {"actors": cfg.env_pool, "max_episodes": 256, "name": f"envfactory-{out.resolve().name}"}
    data = {split: openrlhf_launch.write_dataset(out / "openrlhf" / f"{split}.jsonl", names, split, tokenizer,
                                                cfg.max_turns, cfg.seed, pool if cfg.env_pool else None)
            for split in ("train", "test")}
    command = openrlhf_launch.command(cfg, data["train"], data["test"], out / "openrlhf")
    print(shlex.join(command))
    if not cfg.dry_run:
        subprocess.run(command, check=True)


def main(argv: list[str] | None = None) -> dict[str, float]:
    cfg = parse_args(argv)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    names = envs.available(env_names(cfg.envs))
    if not names:
        sys.exit(f"none of the environments {cfg.envs!r} can be loaded")
    if cfg.backend == "openrlhf":
        run_openrlhf(cfg, names, out)
        return {}
    torch.set_num_threads(cfg.threads)
    transformers.utils.logging.disable_progress_bar()
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    sampler = torch.Generator(device=cfg.device).manual_seed(cfg.seed)
    (out / "metrics.jsonl").unlink(missing_ok=True)
    log = Log(out / "metrics.jsonl")
    phases = Phases(phase_plan(cfg), cfg.progress)
    started = time.time()

    # 1. tokenizer and model: from a checkpoint, or built from scratch
    try:
        if cfg.tasks == "generated":
            with phases("generate tasks", 0, "world") as bar:
                train_tasks, test_tasks = task_split(cfg, names, bar)
        else:
            train_tasks, test_tasks = task_split(cfg, names)
    except ValueError as exc:  # bad world ranges, or a name without task templates
        sys.exit(f"python -m rl.train: {exc}")
    without = [n for n in names if not any(m == n for m, _ in train_tasks)]
    if without:
        sys.exit(f"python -m rl.train: no train tasks for {', '.join(without)} (--tasks {cfg.tasks}, --max-calls "
                 f"{cfg.max_calls}): raise --max-calls (0: any number of calls) or use --tasks suite")
    source = cfg.resume and str(Path(cfg.resume) / "checkpoint") or cfg.model
    if source:
        tokenizer, model = load_tokenizer(source), models.load(source, cfg.device)
    else:
        with phases("tokenizer", 0, "task") as bar:
            tokenizer = build_tokenizer(names, cfg.vocab_size, cfg.max_turns, train_tasks, cfg.phrase_min_count,
                                        cfg.qwen3_split, bar)
        model = models.build(tokenizer, models.SIZES[cfg.size], cfg.seed).to(cfg.device)
    fmt = ChatFormat(tokenizer)
    catalog = None if cfg.tasks == "suite" else {n: [t for m, t in train_tasks + test_tasks if m == n] for n in names}
    pool = EnvPool(cfg.max_turns, catalog)
    train, test = ([Job(name, t.id, t.seed) for name, t in pairs] for pairs in (train_tasks, test_tasks))
    sft_jobs, rl_jobs = split_by_world(train, cfg.sft_worlds if cfg.tasks == "generated" else 0)
    if (cfg.steps and not rl_jobs) or (cfg.sft_epochs and not sft_jobs):
        sys.exit(f"python -m rl.train: {len(sft_jobs)} SFT and {len(rl_jobs)} RL tasks: raise --train-worlds or "
                 "--max-tasks, or change --sft-worlds")
    log("setup", envs=names, sft_tasks=len(sft_jobs), rl_tasks=len(rl_jobs), test_tasks=len(test), vocab=len(tokenizer),
        params=sum(p.numel() for p in model.parameters()))
    table: dict[str, float] = {}
    seen: dict[str, float] = {}  # greedy success on a sample of RL train tasks (--train-eval)

    def held_out(stage: str) -> None:
        with phases(f"eval {stage}", len(test), "episode") as bar:
            episodes = evaluate(model, fmt, test, pool, cfg, bar)
        table[stage] = success(episodes)
        log("eval", stage=stage, success=table[stage], reward=sum(e.reward for e in episodes) / len(episodes),
            partial=sum(e.info.get("reward_info", {}).get("partial", 0.0) for e in episodes) / len(episodes))
        if cfg.train_eval and stage != "before SFT":  # greedy success on RL train tasks: what tuning may look at
            sample = rl_jobs[:: max(len(rl_jobs) // cfg.train_eval, 1)][: cfg.train_eval]
            with phases(f"train eval {stage}", len(sample), "episode") as bar:
                episodes = evaluate(model, fmt, sample, pool, cfg, bar)
            seen[stage] = success(episodes)
            log("train_eval", stage=stage, success=seen[stage])

    # 2. supervised warm start on the oracle's trajectories of the train tasks
    step0 = 0
    if cfg.resume:
        state = torch.load(Path(cfg.resume) / "trainer_state.pt", weights_only=False)
        step0 = state["step"]
        rng.setstate(state["rng"])
    else:
        held_out("before SFT")
        if cfg.sft_epochs:
            with phases("gold trajectories", len(sft_jobs), "episode") as bar:
                gold = play(sft_jobs, oracle_actor(fmt), fmt, pool, cfg.max_len, cfg.max_new_tokens, oracle=True,
                            progress=bar.update)
            log("gold", success=success(gold), model_tokens=sum(e.model_tokens for e in gold),
                max_len=max(len(e.ids) for e in gold))
            with phases("SFT", 0, "step") as bar:
                sft(model, gold, cfg, log, rng, bar)
            save(model, tokenizer, out / "sft")
    held_out("after SFT")

    # 3. RL: groups of samples per train task, group-normalized advantages (GRPO) or a value head (PPO)
    value_head = torch.nn.Linear(model.config.hidden_size, 1).to(cfg.device) if cfg.algo == "ppo" else None
    ref = models.load(out / "sft", cfg.device).eval() if cfg.kl > 0 and (out / "sft").exists() else None
    params = list(model.parameters()) + (list(value_head.parameters()) if value_head is not None else [])
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    if cfg.resume:
        opt.load_state_dict(state["optimizer"])
    curricula = make_curricula(cfg, names, state.get("curriculum") if cfg.resume else None)
    order: list[Job] = []
    rl_bar = phases("RL", cfg.steps, "step") if cfg.steps else None
    if rl_bar is not None:
        rl_bar.update(step0)  # resumed steps
    for step in range(step0, cfg.steps):
        t0 = time.time()
        jobs = []
        levels: list[tuple[str, int]] = []
        generate_s = 0.0
        pool.extra.clear()
        for group in range(cfg.tasks_per_step):
            if curricula:
                generating = time.time()
                job, level = curriculum_job(curricula, names, group, rng, pool)
                generate_s += time.time() - generating
                levels.append(level)
                jobs += [job] * cfg.group_size
                continue
            if not order:
                order = rng.sample(rl_jobs, len(rl_jobs))
            task = order.pop()
            jobs += [dataclasses.replace(task, group=group)] * cfg.group_size
        pool.env_seconds = 0.0
        episodes = rollouts(model, fmt, jobs, pool, cfg, greedy=False, generator=sampler)
        t1 = time.time()
        curriculum_log = {}
        if curricula:
            for e in episodes:
                name, level = levels[e.info["group"]]
                curricula[name].update(level, e.reward)
            curriculum_log = {"levels": [lv for _, lv in levels], "generate_s": round(generate_s, 3),
                              "level": {n: c.level for n, c in curricula.items()}}
        stats = rl_update(model, value_head, ref, opt, episodes, cfg)
        log("rl", step=step + 1, reward=sum(e.reward for e in episodes) / len(episodes), success=success(episodes),
            model_tokens=sum(e.model_tokens for e in episodes), rollout_s=round(t1 - t0, 2),
            update_s=round(time.time() - t1, 2), env_share=round(pool.env_seconds / (time.time() - t0), 4), **stats,
            **curriculum_log)
        save(model, tokenizer, out / "checkpoint")
        torch.save({"step": step + 1, "optimizer": opt.state_dict(), "rng": rng.getstate(),
                    "curriculum": {n: c.state_dict() for n, c in curricula.items()}}, out / "trainer_state.pt")
        if rl_bar is not None:
            rl_bar.update()
            rl_bar.set_postfix(reward=round(sum(e.reward for e in episodes) / len(episodes), 3), refresh=False)
    if rl_bar is not None:
        rl_bar.close()
    held_out("after RL")
    if cfg.steps == step0:
        save(model, tokenizer, out / "checkpoint")

    # 4. report
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    plot(records, out / "reward_curve.png")
    log("done", wall_s=round(time.time() - started, 1), **{k.replace(" ", "_"): v for k, v in table.items()})
    print(f"\ngreedy success on {len(test)} held-out test tasks of {', '.join(names)}"
          + (f" and on {min(cfg.train_eval, len(rl_jobs))} of its RL train tasks:" if seen else ":"))
    print(f"{'stage':<12}{'held-out':>9}" + (f"{'train':>8}" if seen else ""))
    for stage, value in table.items():
        print(f"{stage:<12}{value:>9.3f}" + (f"{seen[stage]:>8.3f}" if stage in seen else "        " * bool(seen)))
    print(f"outputs in {out}/ (metrics.jsonl, reward_curve.png, checkpoint/)")
    log.file.close()
    log.file = None
    return table


if __name__ == "__main__":
    main()
