"""The hyperparameters of a ``python -m rl.train`` run: one dataclass whose fields are the command-line flags."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rl import algo
from rl import model as models

#: The default run's tasks: one scenario in each of three environments of two domains (Office, Lifestyle), each a
#: search by the name in the request, then a write whose id only the search result gives (rl/README.md).
DEFAULT_ENVS = "Calendar,MovieRecommender,GameTrending"
DEFAULT_SCENARIOS = "cancel_event,rate_by_title,wishlist_by_name"
DESCRIPTION = ("SFT warm start on gold trajectories, then multi-turn GRPO (or PPO) through the suite's envs; every "
               "flag below is a field of rl.config.Config.")


def _help(text: str, **kwargs: Any) -> Any:
    return field(metadata={"help": text}, **kwargs)


@dataclass
class Config:
    """Hyperparameters of a run; each is a command-line flag (``group_size`` -> ``--group-size``)."""

    envs: str = _help("comma-separated environments or domains to train on (names or EnvFactory/<Name>-v0 ids)",
                      default=DEFAULT_ENVS)
    heldout_envs: str = _help("comma-separated environments never trained on (no SFT, no RL), evaluated on their test "
                              "tasks beside the others; the tokenizer sees their system prompt only ('': none)",
                              default="ExcelServer")
    model: str | None = _help("local checkpoint or Qwen3 weights to start from (default: build a small Qwen3 and "
                              "a tokenizer from scratch)", default=None)
    size: str = _help(f"model config when building from scratch: {', '.join(models.SIZES)}", default="mini")
    thinking: bool = _help("Qwen3's thinking mode: the model may think in a <think> block before each reply (4x "
                           "the per-turn token budget); off: Qwen3's enable_thinking=False, every assistant turn "
                           "opens with an empty think block", default=False)
    vocab_size: int = _help("BPE vocabulary size when training the tokenizer", default=1024)
    algo: str = _help("grpo (group-normalized advantages) or ppo (value head + GAE)", default="grpo")
    backend: str = _help("local (this process, torch) or openrlhf (write the dataset, launch OpenRLHF)",
                         default="local")
    device: str = _help("cpu or cuda", default="cpu")
    seed: int = _help("seed of everything (model init, data order, sampling)", default=0)
    out: str | None = _help("output directory (default: the --resume directory when resuming, else runs/rl)",
                            default=None)
    resume: str | None = _help("resume RL from a run directory (its checkpoint/ and trainer_state.pt): --steps more "
                               "steps, appended to its metrics.jsonl (written into that directory unless --out "
                               "names another, which gets a copy of the earlier records)", default=None)
    gpus: int = _help("openrlhf backend: GPUs per node (actor, reference, critic and one vLLM engine per GPU, "
                      "colocated; the SFT stage runs on one node of this many)", default=1)
    nodes: int = _help("openrlhf backend: nodes of --gpus GPUs for the RL stage", default=1)
    eval_every: int = _help("openrlhf backend: held-out evaluation every N RL steps (OpenRLHF's --eval.steps; 0: "
                            "after the last step only)", default=0)
    dry_run: bool = _help("openrlhf backend: write the job directory and print the commands without running them",
                          default=False)
    env_pool: int = _help("openrlhf backend: play the episodes in this many Ray env actors shared by the vLLM engines "
                          "(envfactory_gym.integrations.ray_pool, 256 live episodes each) instead of in each "
                          "engine's process (0: in process)", default=0)
    threads: int = _help("torch CPU threads for the SFT/RL updates; evaluation plays the environments in this many "
                         "processes (whole environments each, so the same episodes as in one)", default=2)
    decode_threads: int = _help("torch CPU threads while sampling (one token per step: too little work to split)",
                                default=1)
    max_tasks: int = _help("use at most this many test, SFT and RL tasks per environment (0: all; for smoke runs)",
                           default=0)
    # task distribution
    tasks: str = _help("generated: tasks built in memory from the envs' scenario templates, train and test on "
                       "disjoint world seeds; suite: the committed train/test task files", default="generated")
    train_worlds: int = _help("generated: train tasks come from world seeds 0 .. N-1", default=440)
    sft_worlds: int = _help("generated: SFT on the train tasks of world seeds 0 .. N-1 and RL on those of the other "
                            "train worlds, so RL learns from tasks SFT has not memorised (0, or --tasks suite: both "
                            "on all)", default=400)
    test_worlds: int = _help("generated: test tasks come from world seeds --test-world-start .. +N-1", default=150)
    heldout_worlds: int = _help("generated: the held-out environments' test tasks come from the first N test worlds "
                                "(0: all of them)", default=20)
    test_world_start: int = _help("generated: first world seed of the test tasks (disjoint from the train seeds)",
                                  default=1000)
    max_calls: int = _help("generated: keep tasks with at most this many gold tool calls (0: any)", default=2)
    conversational: bool = _help("generated: also keep tasks that need facts only the user knows", default=False)
    scenarios: str | None = _help("generated: only these task templates (comma-separated scenario names; every "
                                  "trained environment needs one) in the trained environments' train and test tasks; "
                                  "the held-out environments keep all of theirs (empty: all; default: "
                                  f"{DEFAULT_SCENARIOS} with the default --envs, else all)", default=None)
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
    eval_before_sft: bool = _help("also evaluate before SFT when the model is built from scratch (random weights: "
                                  "0 by construction, and the slowest evaluation, every turn running to its token "
                                  "cap); a --model start is evaluated before SFT whenever SFT runs", default=False)
    eval_start: bool = _help("evaluate the policy RL starts from (the 'after SFT' row); off only for a --model start "
                             "without SFT whose figures are known already (rl.compare's arms start from its base run's "
                             "evaluated checkpoint)", default=True)
    # supervised warm start
    sft_epochs: int | None = _help("passes over the gold trajectories of the train tasks (0: skip SFT); default: "
                                   "scaled to the model (see rl.model.scaled_defaults)", default=None)
    sft_batch_size: int = _help("trajectories per SFT step", default=8)
    sft_lr: float | None = _help("SFT learning rate (AdamW); default: scaled to the model (see "
                                 "rl.model.scaled_defaults)", default=None)
    sft_context_weight: float | None = _help("SFT loss weight of the non-model tokens (prompt, tool responses) "
                                             "relative to the model's: language modelling of the environment's text, "
                                             "where the values the agent must copy recur (0: the model's tokens "
                                             "only); default: scaled to the model (see rl.model.scaled_defaults)",
                                             default=None)
    # reinforcement learning
    steps: int = _help("RL steps (one batch of rollouts and one update each); with --resume, steps to add to the "
                       "resumed run's", default=30)
    tasks_per_step: int = _help("train tasks per RL step (rollout batch = tasks_per_step * group_size)", default=4)
    group_size: int = _help("samples per task; all start from the same task and seed", default=8)
    minibatch_size: int = _help("episodes per optimizer step: each pass over a rollout batch is shuffled and split "
                                "into minibatches, so the probability ratio moves and clipping acts", default=8)
    update_epochs: int = _help("passes over each rollout batch (log-probs of the behaviour policy fixed before the "
                               "first)", default=2)
    micro_batch_size: int = _help("episodes per forward/backward pass (gradients accumulate over a minibatch)",
                                  default=8)
    lr: float | None = _help("RL learning rate (AdamW); default: scaled to the model (see rl.model.scaled_defaults)",
                             default=None)
    baseline: str = _help("grpo: advantage = (reward - group mean) / group std; drgrpo (Dr. GRPO): reward - group "
                          "mean; rloo: reward - mean of the group's other rewards", default="grpo")
    loss_agg: str | None = _help("how every term of the loss (policy, KL, value) and its logged statistics average "
                                 "over tokens: token (over all model tokens of a minibatch), sequence (each "
                                 "episode's token mean, then the mean over episodes: every episode weighs the same, "
                                 "as in the GRPO paper) or sum (each episode's token sum / (max-turns x "
                                 "max-new-tokens), then the mean over episodes, as in Dr. GRPO); default: sum with "
                                 "--baseline drgrpo, else sequence", default=None)
    overlong_mask: bool = _help("no policy gradient from episodes cut by the context limit or that used all "
                                "--max-turns turns", default=False)
    kl: float = _help("weight of the k3 KL penalty to the reference: the policy as RL started (the SFT result, or "
                      "the --model checkpoint when SFT is skipped; on --resume, the resumed run's); 0: none",
                      default=0.0)
    clip: float = _help("PPO clip range of the probability ratio", default=0.2)
    control: str | None = _help("sft: an SFT-only control arm of equal compute instead of RL: each step trains on "
                                "tasks_per_step x group_size gold trajectories of the RL train tasks (the oracle's), "
                                "with as many optimizer steps as the RL update would take, at --sft-lr; logged as "
                                "phase 'control', evaluated 'after SFT control'", default=None)
    vf_coef: float = _help("ppo: weight of the value loss", default=0.5)
    gae_lambda: float = _help("ppo: GAE lambda (gamma is 1)", default=0.95)
    temperature: float = _help("sampling temperature of rollouts (evaluation is greedy)", default=1.0)
    partial_credit: float = _help("RL reward of a failed episode = this times the env's partial credit (share of "
                                  "expected state changes and facts achieved); success earns 1", default=0.0)
    max_turns: int = _help("agent turns before an episode is truncated", default=6)
    max_new_tokens: int | None = _help("tokens per assistant turn, never more than what is left of --max-len; "
                                       "default: scaled to the model (see rl.model.scaled_defaults)", default=None)
    max_len: int = _help("tokens per episode (context limit)", default=4096)
    progress: bool = _help("progress bars with totals and ETA for every phase, on stderr", default=True)


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m rl.train", description=DESCRIPTION,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for f in dataclasses.fields(Config):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=f.metadata["help"])
        else:
            kind = {"int": int, "float": float}.get(str(f.type).removesuffix(" | None"), str)
            parser.add_argument(flag, type=kind, default=f.default, help=f.metadata["help"])
    cfg = Config(**vars(parser.parse_args(argv)))
    cfg.loss_agg = cfg.loss_agg or ("sum" if cfg.baseline == "drgrpo" else "sequence")
    cfg.out = cfg.out or cfg.resume or "runs/rl"
    if cfg.scenarios is None:
        cfg.scenarios = DEFAULT_SCENARIOS if cfg.envs == DEFAULT_ENVS else ""
    if (cfg.algo not in ("grpo", "ppo") or cfg.backend not in ("local", "openrlhf")
            or cfg.tasks not in ("generated", "suite") or cfg.loss_agg not in algo.AGGREGATIONS
            or cfg.baseline not in algo.BASELINES or cfg.control not in (None, "sft")):
        parser.error("--algo must be grpo or ppo, --backend local or openrlhf, --tasks generated or suite, "
                     "--loss-agg token, sequence or sum, --baseline grpo, drgrpo or rloo, --control sft")
    if cfg.minibatch_size < 1 or cfg.update_epochs < 1:
        parser.error("--minibatch-size and --update-epochs must be at least 1")
    if cfg.control and cfg.curriculum:
        parser.error("--control sft trains on the gold trajectories of the fixed RL train tasks: drop --curriculum")
    if not cfg.eval_start and not (cfg.model and cfg.sft_epochs == 0 and cfg.steps and not cfg.resume):
        parser.error("--no-eval-start skips evaluating a --model start: it needs --model, --sft-epochs 0 and --steps")
    return cfg


def resolve_defaults(cfg: Config, parameters: int) -> Config:
    """Fill in place the hyperparameters left at None (``lr``, ``sft_lr``, ``sft_epochs``, ``sft_context_weight``,
    ``max_new_tokens``) with :func:`rl.model.scaled_defaults` for a model of ``parameters`` parameters and
    ``cfg.thinking``."""
    for name, value in models.scaled_defaults(parameters, cfg.thinking).items():
        if getattr(cfg, name) is None:
            setattr(cfg, name, value)
    return cfg
