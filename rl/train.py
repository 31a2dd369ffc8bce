"""``python -m rl.train``: SFT warm start on gold trajectories, then multi-turn GRPO (or PPO) through the suite's envs.

Read top to bottom (CleanRL style): every hyperparameter is a field of :class:`Config` (``--help`` lists them), the
run is seeded, and it writes into ``--out``: ``metrics.jsonl``, ``reward_curve.png``, ``sft/`` and ``checkpoint/``
(Hugging Face layout with the tokenizer; ``--model PATH`` loads either again).

With no arguments it builds a tokenizer and a 0.9M-parameter Qwen3 from scratch and trains on tasks of three
environments (about 19 minutes on two CPU cores): greedy success per environment on held-out tasks of unseen worlds
and of an environment never trained on, after SFT and after GRPO.

Why a hand-written loop rather than TRL's trainers: TRL's environment rollouts (``environment_factory``) expose an
environment's methods as tools, render them with ``tools=`` through the chat template and parse calls with their
own parser, and end an episode on a message to the user. Our envs take raw model text (tools already in the system
prompt, a scripted user answering questions) and the token stream must stay token-in-token-out under a
prefix-preserving template (:mod:`rl.tokens`); the GRPO/PPO update itself is a few lines (:mod:`rl.algo`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import random
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import torch
import transformers
from tqdm import tqdm

from envfactory_gym.core import world
from envfactory_gym.core.tasks import Task
from envfactory_gym.registration import templates, world_set
from rl import algo, envs
from rl import model as models
from rl.config import Config, parse_args, resolve_defaults
from rl.report import Log, Phases, plot, read_records, report
from rl.rollout import EnvPool, Job, model_actor, oracle_actor, play, play_in_processes
from rl.tokenizer import load_tokenizer, train_tokenizer
from rl.tokens import ChatFormat, Episode


def phase_plan(cfg: Config) -> list[str]:
    """The phases of a local run in order (the evaluation phases included), for the ``[i/n]`` of the bars."""
    generated = cfg.tasks == "generated"
    phases = ["generate tasks"] if generated else []
    if not (cfg.resume or cfg.model):
        phases.append("tokenizer")
    if not cfg.resume:
        if evaluated_before_sft(cfg):
            phases.append("eval before SFT")
        if cfg.sft_epochs != 0:  # None: scaled to the model, never 0
            phases += ["gold trajectories", "SFT"]
        if cfg.eval_start:  # a resumed run reports its earlier evaluations from metrics.jsonl
            phases.append("eval after SFT")
            if cfg.train_eval:
                phases.append("train eval after SFT")
    if cfg.steps:  # without steps the model is the one already evaluated
        phases += ["control gold trajectories", "SFT control"] if cfg.control else ["RL"]
        phases.append(f"eval {rl_stage(cfg)}")
        if cfg.train_eval:
            phases.append(f"train eval {rl_stage(cfg)}")
    return phases


def evaluated_before_sft(cfg: Config) -> bool:
    """Whether the run has a 'before SFT' row: SFT runs, and the model is a --model start or --eval-before-sft asks
    (a model built from scratch scores 0; without SFT the 'after SFT' row is the same model)."""
    return cfg.sft_epochs != 0 and bool(cfg.eval_before_sft or cfg.model)


def rl_stage(cfg: Config) -> str:
    """The table row after the RL phase: 'after RL', or 'after SFT control' for the SFT-only control arm."""
    return "after SFT control" if cfg.control else "after RL"


def env_names(spec: str) -> list[str]:
    return [s.strip().removeprefix("EnvFactory/").removesuffix("-v0") for s in spec.split(",") if s.strip()]


def heldout_names(cfg: Config, names: list[str]) -> list[str]:
    """The ``--heldout-envs`` that load; one that is also trained on (in ``--envs``, or a member of a domain there)
    is an error."""
    from envfactory_gym.registration import members

    wanted = env_names(cfg.heldout_envs)
    trained = {member for name in names for member in (name, *members(name))}
    if set(wanted) & trained:
        raise ValueError(f"{', '.join(sorted(set(wanted) & trained))} cannot be both trained on (--envs) and "
                         "held out (--heldout-envs)")
    return envs.available(wanted) if wanted else []


def build_tokenizer(names: list[str], vocab_size: int, max_turns: int, train: list[tuple[str, Task]] | None = None,
                    phrase_min_count: int = 0, qwen3_split: bool = False, bar: tqdm | None = None,
                    prompts_only: list[tuple[str, Task]] = ()) -> Any:
    """Train the BPE on the system prompts and the gold trajectories of the train tasks (never the test tasks).

    ``train``: the (env, task) pairs to use (default: the committed train tasks of ``names``). ``prompts_only``:
    (env, task) pairs of environments never trained on, whose system prompt alone is added, counted
    ``phrase_min_count`` times so that its schema lines become phrase tokens as a trained environment's do (none of
    their episodes is seen). ``bar`` counts the gold trajectories played (its total is set here: one per task, plus
    one for training the BPE).
    """
    train = envs.tasks(names, "train") if train is None else train
    if bar is not None:
        bar.reset(total=len(train) + 1)
    texts = []
    for name in dict.fromkeys(n for n, _ in prompts_only):
        task = next(t for n, t in prompts_only if n == name)
        _, info = envs.make(name, max_turns, tasks=[task]).reset(seed=task.seed, options={"task_id": task.id})
        texts += [m["content"] for m in info["messages"] if m["role"] == "system"] * max(phrase_min_count, 1)
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
    """The (env, task) pairs to train on (of ``names``) and to evaluate on (of ``names`` and of the held-out
    environments, :func:`heldout_names`), per ``--tasks`` (see :class:`Config`); ``bar`` counts the worlds generated
    (its total is set here)."""
    heldout = heldout_names(cfg, names)
    if cfg.tasks == "suite":
        return envs.tasks(names, "train", cfg.max_tasks), envs.tasks(names + heldout, "test", cfg.max_tasks)
    train_seeds = range(cfg.train_worlds)
    test_seeds = range(cfg.test_world_start, cfg.test_world_start + cfg.test_worlds)
    if set(train_seeds) & set(test_seeds):
        raise ValueError("--test-world-start must keep the test worlds disjoint from the train worlds")
    if not 0 <= cfg.sft_worlds < cfg.train_worlds:
        raise ValueError("--sft-worlds must be 0 or fewer than --train-worlds (RL needs worlds of its own)")
    committed_test = {t.id for _, t in envs.tasks(names, "test")}  # the suite's own test tasks stay unseen
    scenarios = frozenset(s.strip() for s in cfg.scenarios.split(",") if s.strip()) or None
    if unknown := sorted((scenarios or set()) - {s for name in names for s in templates(name)}):
        raise ValueError(f"--scenarios names no task template of {', '.join(names)}: {', '.join(unknown)}")
    heldout_seeds = test_seeds[: cfg.heldout_worlds or None]
    if bar is not None:
        bar.reset(total=len(names) * (len(train_seeds) + len(test_seeds)) + len(heldout) * len(heldout_seeds))
    # the workers hand the worlds they build back to this process, where every later phase walks them again
    world.keep_snapshots(sum(len(world_set(name).members) * len(seeds) for name, seeds in
                             [*((n, train_seeds) for n in names), *((n, test_seeds) for n in names),
                              *((n, heldout_seeds) for n in heldout)]))
    split = {}
    # worlds are built in --threads processes (task generation calibrates every task: ~0.2 s of CPU per world);
    # forked, since the children only build tasks (spawn would re-import the caller's main module), so Linux only
    parallel = cfg.threads > 1 and sys.platform == "linux"
    with (ProcessPoolExecutor(cfg.threads, mp_context=multiprocessing.get_context("fork")) if parallel
          else contextlib.nullcontext()) as pool:
        for part, seeds, of, label in (("train", train_seeds, names, "train"), ("test", test_seeds, names, "test"),
                                       ("heldout", heldout_seeds, heldout, "test")):
            split[part] = [(name, task) for name in of for task in capped(cfg, [
                t for t in envs.generated_tasks(name, seeds, label, cfg.max_calls, cfg.conversational,
                                                bar.update if bar is not None else None, pool,
                                                scenarios if name in names else None)
                if t.id not in committed_test])]
    return split["train"], split["test"] + split["heldout"]


def capped(cfg: Config, tasks: list[Task]) -> list[Task]:
    """At most ``--max-tasks`` of an environment's tasks (all when 0); for train tasks that many of the SFT worlds
    and that many of the RL worlds."""
    if not cfg.max_tasks:
        return tasks
    if tasks and tasks[0].split == "train" and cfg.sft_worlds:
        return ([t for t in tasks if t.seed < cfg.sft_worlds][: cfg.max_tasks]
                + [t for t in tasks if t.seed >= cfg.sft_worlds][: cfg.max_tasks])
    return tasks[: cfg.max_tasks]


def make_curricula(cfg: Config, names: list[str], saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """One curriculum per environment with ``--curriculum`` (restored from ``saved`` on ``--resume``), else none."""
    if not cfg.curriculum:
        return {}
    from envfactory_gym.curriculum import Curriculum, ladder

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


def rollouts(model: Any, fmt: ChatFormat, jobs: list[Job], pool: EnvPool, cfg: Config,
             generator: torch.Generator) -> list[Episode]:
    """Play the jobs with the model sampling at ``cfg.temperature`` (RL)."""
    model.eval()
    with threads(cfg.decode_threads):
        return play(jobs, model_actor(model, fmt, cfg.max_new_tokens, cfg.temperature, generator=generator), fmt, pool,
                    cfg.max_len, cfg.max_new_tokens)


def evaluate(model: Any, fmt: ChatFormat, jobs: list[Job], pool: EnvPool, cfg: Config,
             bar: tqdm | None = None) -> list[Episode]:
    """Greedy episodes of the given tasks, the environments split over ``--threads`` processes of
    ``--decode-threads`` threads (the same episodes as in one process: see :func:`rl.rollout.play_in_processes`)."""
    model.eval()
    with threads(cfg.decode_threads):
        return play_in_processes(jobs, model_actor(model, fmt, cfg.max_new_tokens, greedy=True), fmt, pool, cfg.max_len,
                                 cfg.max_new_tokens, max(cfg.threads // cfg.decode_threads, 1),
                                 progress=bar.update if bar is not None else None)


def success(episodes: list[Episode]) -> float:
    return sum(e.reward >= 1.0 for e in episodes) / max(len(episodes), 1)


def by_env(episodes: list[Episode]) -> dict[str, dict[str, float]]:
    """Mean reward and success of the episodes of each environment."""
    groups = {n: [e for e in episodes if e.info["env"] == n] for n in dict.fromkeys(e.info["env"] for e in episodes)}
    return {"reward_by_env": {n: round(sum(e.reward for e in g) / len(g), 4) for n, g in groups.items()},
            "success_by_env": {n: round(success(g), 4) for n, g in groups.items()}}


def write_transcripts(path: Path, episodes: list[Episode], tokenizer: Any) -> None:
    """One JSON line per evaluated episode: its task, reward, partial credit and the dialogue after the prompt as
    the model saw it (its turns and the environment's replies, control tokens included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for e in episodes:
            start = e.turns[0][0] if e.turns else len(e.ids)
            fh.write(json.dumps({"env": e.info["env"], "task_id": e.info["task_id"], "seed": e.info["seed"],
                                 "reward": e.reward, "partial": e.info.get("reward_info", {}).get("partial", 0.0),
                                 "dialogue": tokenizer.decode(e.ids[start:])}) + "\n")


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


def minibatches(n: int, size: int, epochs: int, rng: random.Random) -> list[list[int]]:
    """The episode indices of an update's optimizer steps: ``epochs`` passes over ``n`` episodes, each shuffled with
    the run's ``rng`` and cut into minibatches of at most ``size``."""
    steps = []
    for _ in range(epochs):
        order = rng.sample(range(n), n)
        steps += [order[i:i + size] for i in range(0, n, size)]
    return steps


def overlong(episode: Episode) -> bool:
    """Whether the episode was cut by a limit: the context (``max_len``) or the env's turn limit."""
    return bool(episode.info.get("overflow") or episode.info.get("truncated"))


def supervised_step(model: Any, opt: torch.optim.Optimizer, batch: list[Episode], context_weight: float = 0.0) -> float:
    """One optimizer step of cross-entropy on the batch's model tokens (token mean; ``context_weight`` on the
    others); returns the loss."""
    scores = algo.token_logprobs(model, batch, context_weight=context_weight)
    loss = -(scores.logprobs * scores.mask).sum() / scores.mask.sum()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


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
            loss = supervised_step(model, opt, [shuffled[i] for i in rows], cfg.sft_context_weight)
            sched.step()
            step += 1
            log("sft", epoch=epoch, step=step, loss=round(loss, 4))
            if bar is not None:
                bar.update()
                bar.set_postfix(epoch=epoch + 1, loss=round(loss, 4), refresh=False)


def control_update(model: Any, opt: torch.optim.Optimizer, episodes: list[Episode], cfg: Config,
                   rng: random.Random) -> dict[str, float]:
    """The SFT control's step: supervised steps on gold trajectories, as many as :func:`rl_update` takes on a batch
    of this size (the same minibatches); returns the mean loss."""
    model.train()
    steps = minibatches(len(episodes), cfg.minibatch_size, cfg.update_epochs, rng)
    losses = [supervised_step(model, opt, [episodes[i] for i in rows], cfg.sft_context_weight) for rows in steps]
    return {"loss": round(sum(losses) / len(losses), 4), "optimizer_steps": len(steps)}


def padded(rows: list[torch.Tensor], width: int) -> torch.Tensor:
    """1-D tensors right-padded with 0 to ``width`` and stacked."""
    return torch.stack([torch.nn.functional.pad(r, (0, width - len(r))) for r in rows])


def rl_update(model: Any, value_head: Any, ref: Any, opt: torch.optim.Optimizer, episodes: list[Episode],
              cfg: Config, rng: random.Random) -> dict[str, float]:
    """One GRPO/PPO update on a batch of finished episodes: ``--update-epochs`` shuffled passes in minibatches of
    ``--minibatch-size`` episodes, one optimizer step each, against the behaviour log-probs computed before the first
    pass; every term aggregated per ``--loss-agg`` (:func:`rl.algo.episode_weights`).

    Returns the statistics to log, each aggregated like the loss and averaged over the optimizer steps: the policy
    loss, the clip fraction, the approximate KL to the behaviour policy, the KL to the reference (``--kl``), the
    value loss (PPO), and the entropy of the behaviour policy over the batch's model tokens.
    """
    rewards = [rl_reward(e, cfg.partial_credit) for e in episodes]
    lengths = [e.model_tokens for e in episodes]
    constant = cfg.max_turns * cfg.max_new_tokens  # --loss-agg sum: the most model tokens an episode can have
    group_adv = algo.group_advantages(rewards, [e.info["group"] for e in episodes], cfg.baseline)
    weights = algo.episode_weights(lengths, cfg.loss_agg, constant)
    model.eval()
    old: list[dict[str, torch.Tensor]] = [{} for _ in episodes]  # per episode, over its ids
    entropy = 0.0
    with torch.no_grad():  # behaviour log-probs, reference log-probs, and for PPO values and GAE
        for rows in batches(episodes, cfg.micro_batch_size):
            batch = [episodes[i] for i in rows]
            scores = algo.token_logprobs(model, batch, cfg.temperature, value_head, entropy=True)
            entropy += float(algo.aggregate(scores.entropy, scores.mask, weights[rows]))
            columns = {"lp": scores.logprobs, "mask": scores.mask}
            if cfg.algo == "grpo":
                columns["adv"] = group_adv[rows][:, None].to(scores.mask.device) * scores.mask
            else:
                token_rewards = torch.stack([algo.token_rewards(e, rewards[i], scores.mask.shape[1])
                                             for i, e in zip(rows, batch)]).to(scores.mask.device)
                columns["adv"], columns["ret"] = algo.gae(token_rewards, scores.values, scores.mask, 1.0,
                                                          cfg.gae_lambda)
            if ref is not None:
                columns["ref"] = algo.token_logprobs(ref, batch, cfg.temperature).logprobs
            for j, i in enumerate(rows):
                old[i] = {key: value[j, :len(episodes[i].ids)] for key, value in columns.items()}
    if cfg.algo == "ppo":
        algo.whiten([o["adv"] for o in old], [o["mask"].bool() for o in old])
    if cfg.overlong_mask:
        for o, e in zip(old, episodes):
            o["adv"] *= not overlong(e)
    model.train()
    params = [p for g in opt.param_groups for p in g["params"]]
    totals: dict[str, float] = {}
    steps = minibatches(len(episodes), cfg.minibatch_size, cfg.update_epochs, rng)
    for step in steps:
        step_weights = algo.episode_weights([lengths[i] for i in step], cfg.loss_agg, constant)
        opt.zero_grad()
        for rows in batches([episodes[i] for i in step], cfg.micro_batch_size):
            chosen = [step[r] for r in rows]
            scores = algo.token_logprobs(model, [episodes[i] for i in chosen], cfg.temperature, value_head)
            stored = {key: padded([old[i][key] for i in chosen], scores.mask.shape[1])
                      for key in old[chosen[0]] if key != "mask"}
            policy, clipped = algo.clipped_policy_loss(scores.logprobs, stored["lp"], stored["adv"], cfg.clip)
            terms = {"policy_loss": policy, "clip_frac": clipped,
                     "approx_kl": algo.kl_k3(stored["lp"], scores.logprobs.detach())}
            if ref is not None:
                terms["kl"] = algo.kl_k3(scores.logprobs, stored["ref"])
            if cfg.algo == "ppo":
                terms["value_loss"] = (scores.values - stored["ret"]) ** 2
            agg = {key: algo.aggregate(value, scores.mask, step_weights[rows]) for key, value in terms.items()}
            loss = agg["policy_loss"] + cfg.kl * agg.get("kl", 0.0) + cfg.vf_coef * agg.get("value_loss", 0.0)
            loss.backward()
            for key, value in agg.items():
                totals[key] = totals.get(key, 0.0) + value.item() / len(steps)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return {**{key: round(value, 5) for key, value in totals.items()}, "entropy": round(entropy, 4),
            "optimizer_steps": len(steps)}


def save(model: Any, tokenizer: Any, path: Path) -> None:
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)


def run_openrlhf(cfg: Config, names: list[str], out: Path) -> None:
    """The local run's experiment on OpenRLHF: the same task split, SFT/RL worlds, reward, loss aggregation and
    step count (:mod:`rl.openrlhf_launch`); writes the job directory and runs (or prints) its Ray job commands."""
    from rl import openrlhf_launch

    if cfg.model is None:
        sys.exit("--backend openrlhf needs --model PATH (e.g. the checkpoint/ of a local run, or Qwen3 weights)")
    problems = openrlhf_launch.unsupported(cfg)
    if problems:
        sys.exit("python -m rl.train --backend openrlhf: " + "; ".join(problems))
    cfg.sft_context_weight = 0.0  # not the scaled default: OpenRLHF's SFT trains on the assistant turns only
    resolve_defaults(cfg, models.parameter_count(cfg.model))
    try:
        train_tasks, test_tasks = task_split(cfg, names)
    except ValueError as exc:
        sys.exit(f"python -m rl.train: {exc}")
    jobs = [Job(name, t.id, t.seed) for name, t in train_tasks]
    pairs = dict(zip(jobs, train_tasks))
    sft_jobs, rl_jobs = split_by_world(jobs, cfg.sft_worlds if cfg.tasks == "generated" else 0)
    if not rl_jobs or (cfg.sft_epochs and not sft_jobs):
        sys.exit(f"python -m rl.train: {len(sft_jobs)} SFT and {len(rl_jobs)} RL tasks: raise --train-worlds or "
                 "--max-tasks, or change --sft-worlds")
    plan = openrlhf_launch.prepare(cfg, [pairs[j] for j in sft_jobs], [pairs[j] for j in rl_jobs], test_tasks,
                                   load_tokenizer(cfg.model), out / "openrlhf")
    print(f"OpenRLHF job directory {plan.job}: " + ", ".join(f"{n} {k} rows" for k, n in plan.rows.items()))
    for command in plan.commands:
        print(shlex.join(command))
    if not cfg.dry_run:
        for command in plan.commands:
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
    if not cfg.resume:
        (out / "metrics.jsonl").unlink(missing_ok=True)
    elif Path(cfg.resume).resolve() != out.resolve():  # a resumed run continues its records, in its new place too
        shutil.copyfile(Path(cfg.resume) / "metrics.jsonl", out / "metrics.jsonl")
    log = Log(out / "metrics.jsonl")
    phases = Phases(phase_plan(cfg), cfg.progress)
    started = time.time()

    # 1. tokenizer and model: from a checkpoint, or built from scratch
    try:
        heldout = heldout_names(cfg, names)
        if cfg.tasks == "generated":
            with phases("generate tasks", 0, "world") as bar:
                train_tasks, test_tasks = task_split(cfg, names, bar)
        else:
            train_tasks, test_tasks = task_split(cfg, names)
    except ValueError as exc:  # bad world ranges, or a name without task templates
        sys.exit(f"python -m rl.train: {exc}")
    # The tokenizer, the gold trajectories and every evaluation walk these worlds again: keep them all built.
    worlds_used = dict.fromkeys((n, t.seed) for n, t in train_tasks + test_tasks)
    world.keep_snapshots(sum(len(world_set(n).members) for n, _ in worlds_used))
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
                                        cfg.qwen3_split, bar, [(n, t) for n, t in test_tasks if n in heldout])
        model = models.build(tokenizer, models.SIZES[cfg.size], cfg.seed, cfg.device)
    resolve_defaults(cfg, sum(p.numel() for p in model.parameters()))
    fmt = ChatFormat(tokenizer, thinking=cfg.thinking)
    catalog = None if cfg.tasks == "suite" else {n: [t for m, t in train_tasks + test_tasks if m == n]
                                                 for n in names + heldout}
    pool = EnvPool(cfg.max_turns, catalog)
    train, test = ([Job(name, t.id, t.seed) for name, t in pairs] for pairs in (train_tasks, test_tasks))
    sft_jobs, rl_jobs = split_by_world(train, cfg.sft_worlds if cfg.tasks == "generated" else 0)
    if (cfg.steps and not rl_jobs) or (cfg.sft_epochs and not sft_jobs):
        sys.exit(f"python -m rl.train: {len(sft_jobs)} SFT and {len(rl_jobs)} RL tasks: raise --train-worlds or "
                 "--max-tasks, or change --sft-worlds")
    log("setup", envs=names, heldout_envs=heldout, sft_tasks=len(sft_jobs), rl_tasks=len(rl_jobs),
        test_tasks={n: sum(j.env == n for j in test) for n in names + heldout}, vocab=len(tokenizer),
        params=sum(p.numel() for p in model.parameters()))
    table: dict[str, float] = {}  # success on the test tasks of the trained environments, per stage
    per_env: dict[str, dict[str, float]] = {}  # stage -> environment -> success on its test tasks
    seen: dict[str, float] = {}  # greedy success on a sample of RL train tasks (--train-eval)

    def held_out(stage: str) -> None:
        with phases(f"eval {stage}", len(test), "episode") as bar:
            episodes = evaluate(model, fmt, test, pool, cfg, bar)
        write_transcripts(out / "transcripts" / f"{stage.replace(' ', '_')}.jsonl", episodes, tokenizer)
        trained = [e for e in episodes if e.info["env"] in names]
        table[stage] = success(trained)
        per_env[stage] = {n: success([e for e in episodes if e.info["env"] == n]) for n in names + heldout}
        log("eval", stage=stage, success=table[stage], reward=sum(e.reward for e in trained) / len(trained),
            partial=sum(e.info.get("reward_info", {}).get("partial", 0.0) for e in trained) / len(trained),
            per_env=per_env[stage], cut_thinking=sum(e.cut_thinking for e in episodes))
        if cfg.train_eval and stage != "before SFT":  # greedy success on RL train tasks: what tuning may look at
            sample = rl_jobs[:: max(len(rl_jobs) // cfg.train_eval, 1)][: cfg.train_eval]
            with phases(f"train eval {stage}", len(sample), "episode") as bar:
                episodes = evaluate(model, fmt, sample, pool, cfg, bar)
            seen[stage] = success(episodes)
            log("train_eval", stage=stage, success=seen[stage])

    # 2. supervised warm start on the oracle's trajectories of the train tasks
    step0 = 0
    mode = {"algo": cfg.algo, "control": cfg.control}
    if cfg.resume:
        state = torch.load(Path(cfg.resume) / "trainer_state.pt", weights_only=False)
        if "mode" not in state:
            sys.exit(f"python -m rl.train: {cfg.resume}/trainer_state.pt was saved by an older rl.train; start anew")
        if state["mode"] != mode:
            saved = state["mode"]
            sys.exit(f"python -m rl.train: {cfg.resume} was trained with --algo {saved['algo']}"
                     + (f" --control {saved['control']}" if saved["control"] else " without --control")
                     + "; resume it with the same")
        step0 = state["step"]
        rng.setstate(state["rng"])
        sampler.set_state(state["sampler"])
        for r in read_records(out / "metrics.jsonl"):  # the table rows of the evaluations already done
            if r["phase"] == "eval":
                table[r["stage"]], per_env[r["stage"]] = r["success"], r["per_env"]
            elif r["phase"] == "train_eval":
                seen[r["stage"]] = r["success"]
    else:
        if evaluated_before_sft(cfg):
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
        if cfg.eval_start:  # off only for a --model start without SFT (parse_args checks)
            held_out("after SFT")

    # 3. RL: groups of samples per train task, group-normalized advantages (GRPO) or a value head (PPO); or, with
    # --control sft, as many supervised steps on gold trajectories of the same tasks
    value_head = torch.nn.Linear(model.config.hidden_size, 1).to(cfg.device) if cfg.algo == "ppo" else None
    if cfg.resume:
        reference = state["reference"]
    elif cfg.sft_epochs:
        reference = str((out / "sft").resolve())
    elif cfg.model:
        reference = str(Path(cfg.model).resolve())
    else:  # built from scratch and no SFT: no checkpoint of the policy as RL starts exists yet
        save(model, tokenizer, out / "reference")
        reference = str((out / "reference").resolve())
    ref = None
    if cfg.kl > 0:
        if not Path(reference).is_dir():
            sys.exit(f"python -m rl.train: --kl {cfg.kl} needs the reference model, the policy as RL started "
                     f"({reference}), which is missing")
        ref = models.load(reference, cfg.device).eval().requires_grad_(False)
    if cfg.control:
        opt = torch.optim.AdamW(model.parameters(), lr=cfg.sft_lr, weight_decay=0.0)
    else:
        params = list(model.parameters()) + (list(value_head.parameters()) if value_head is not None else [])
        opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    order: list[int] = []  # the RL train tasks left in this pass over them, shuffled
    if cfg.resume:
        if value_head is not None:
            value_head.load_state_dict(state["value_head"])
        opt.load_state_dict(state["optimizer"])
        for group in opt.param_groups:  # the learning rate of this invocation, not the saved one
            group["lr"] = cfg.sft_lr if cfg.control else cfg.lr
        order = state["order"]
    curricula = make_curricula(cfg, names, state.get("curriculum") if cfg.resume else None)

    def next_task() -> int:
        if not order:
            order.extend(rng.sample(range(len(rl_jobs)), len(rl_jobs)))
        return order.pop()

    def save_state(step: int) -> None:
        save(model, tokenizer, out / "checkpoint")
        torch.save({"step": step, "mode": mode, "optimizer": opt.state_dict(), "rng": rng.getstate(),
                    "sampler": sampler.get_state(), "order": order, "reference": reference,
                    "value_head": value_head.state_dict() if value_head is not None else None,
                    "curriculum": {n: c.state_dict() for n, c in curricula.items()}}, out / "trainer_state.pt")

    if cfg.control and cfg.steps:
        with phases("control gold trajectories", len(rl_jobs), "episode") as bar:
            gold_rl = play(rl_jobs, oracle_actor(fmt), fmt, pool, cfg.max_len, cfg.max_new_tokens, oracle=True,
                           progress=bar.update)
    bar = phases("SFT control" if cfg.control else "RL", step0 + cfg.steps, "step", step0) if cfg.steps else None
    for step in range(step0, step0 + cfg.steps):
        t0 = time.time()
        if cfg.control:
            episodes = [gold_rl[next_task()] for _ in range(cfg.tasks_per_step * cfg.group_size)]
            stats = control_update(model, opt, episodes, cfg, rng)
            log("control", step=step + 1, episodes=len(episodes), model_tokens=sum(e.model_tokens for e in episodes),
                update_s=round(time.time() - t0, 2), **stats)
            save_state(step + 1)
            bar.update()
            bar.set_postfix(loss=stats["loss"], refresh=False)
            continue
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
            jobs += [dataclasses.replace(rl_jobs[next_task()], group=group)] * cfg.group_size
        pool.env_seconds = 0.0
        episodes = rollouts(model, fmt, jobs, pool, cfg, sampler)
        t1 = time.time()
        curriculum_log = {}
        if curricula:
            for e in episodes:
                name, level = levels[e.info["group"]]
                curricula[name].update(level, e.reward)
            curriculum_log = {"levels": [lv for _, lv in levels], "generate_s": round(generate_s, 3),
                              "level": {n: c.level for n, c in curricula.items()}}
        stats = rl_update(model, value_head, ref, opt, episodes, cfg, rng)
        reward = sum(e.reward for e in episodes) / len(episodes)
        log("rl", step=step + 1, reward=reward, success=success(episodes), **by_env(episodes),
            model_tokens=sum(e.model_tokens for e in episodes), cut_thinking=sum(e.cut_thinking for e in episodes),
            rollout_s=round(t1 - t0, 2),
            update_s=round(time.time() - t1, 2), env_share=round(pool.env_seconds / (time.time() - t0), 4), **stats,
            **curriculum_log)
        save_state(step + 1)
        bar.update()
        bar.set_postfix(reward=round(reward, 3), success=round(success(episodes), 3), refresh=False)
    if bar is not None:
        bar.close()
    else:  # no steps in this invocation: still leave a checkpoint and a state to resume from
        save_state(step0)
    if cfg.steps:
        held_out(rl_stage(cfg))

    # 4. report
    records = read_records(out / "metrics.jsonl")
    plot(records, out / "reward_curve.png")
    log("done", wall_s=round(time.time() - started, 1), **{k.replace(" ", "_"): v for k, v in table.items()})
    print(report(table, per_env, seen, names, heldout, test, min(cfg.train_eval, len(rl_jobs))))
    print(f"outputs in {out}/ (metrics.jsonl, reward_curve.png, checkpoint/)")
    log.file.close()
    log.file = None
    return table


if __name__ == "__main__":
    main()
