"""Multi-turn rollouts: one environment episode per trajectory, many episodes batched through the model.

Generation is a small sampling loop over a Hugging Face causal LM with a KV cache. Episodes of one batch usually
share a long prefix (the system prompt with the tool schemas; a whole prompt within a GRPO group): it is run once
and its cache is repeated over the batch, then each row's own suffix is prefilled left-padded.
"""

from __future__ import annotations

import functools
import inspect
import multiprocessing
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import gymnasium as gym
import torch
from transformers import DynamicCache

from envfactory_gym.core.tasks import Task
from rl import envs
from rl.tokens import ChatFormat, Episode

#: Produces one assistant turn (token ids) for each of the given unfinished episodes, at most as many tokens as
#: its budget (the second argument, one per episode).
Actor = Callable[[list[Episode], list[int]], list[list[int]]]


@dataclass(frozen=True)
class Job:
    """One episode to play: all samples of a GRPO group share env, task and seed."""

    env: str
    task_id: str
    seed: int = 0
    group: int = 0


@functools.cache
def _cache_name(model_class: type) -> str:
    return "cache" if "cache" in inspect.signature(model_class.forward).parameters else "past_key_values"


def cache_kwargs(model: Any, cache: Any) -> dict[str, Any]:
    """The KV cache as a keyword argument of the model's forward, under the name this transformers takes it by:
    ``cache`` in recent 5.x releases (where ``past_key_values`` still works but raises a FutureWarning and logs a
    deprecation on every run), ``past_key_values`` before. The same cache object either way: results are equal."""
    return {_cache_name(type(model)): cache}


def output_cache(model: Any, output: Any) -> Any:
    """The KV cache a forward pass returned (``output.cache``, or ``output.past_key_values`` before 5.x's rename)."""
    return getattr(output, _cache_name(type(model)))


def common_prefix(seqs: Sequence[Sequence[int]]) -> int:
    """Length of the longest common prefix of token sequences."""
    first, n = seqs[0], min(len(s) for s in seqs)
    for other in seqs[1:]:
        i = 0
        while i < n and other[i] == first[i]:
            i += 1
        n = i
    return n


def shared_prefix_cache(model: Any, prefix: list[int], batch: int) -> DynamicCache:
    """The KV cache of ``prefix`` computed once and repeated ``batch`` times (autograd flows through it)."""
    ids = torch.tensor([prefix], device=model.device)
    cache = output_cache(model, model(input_ids=ids, use_cache=True, logits_to_keep=1))
    cache.batch_repeat_interleave(batch)
    return cache


@torch.no_grad()
def generate(model: Any, contexts: list[list[int]], max_new_tokens: int | Sequence[int], eos_id: int, pad_id: int,
             temperature: float = 1.0, greedy: bool = False, generator: torch.Generator | None = None) -> list[list[int]]:
    """Sample a continuation of every context until ``eos_id`` or ``max_new_tokens`` (one for all, or one per
    context; tokens after eos dropped). Logits are computed for the last position only (a real vocabulary is
    150k wide)."""
    device = model.device
    limits = torch.tensor([max_new_tokens] * len(contexts) if isinstance(max_new_tokens, int) else max_new_tokens,
                          device=device)
    p = max(common_prefix(contexts) - 1, 0)
    cache = shared_prefix_cache(model, contexts[0][:p], len(contexts)) if p else DynamicCache()
    suffixes = [c[p:] for c in contexts]
    width = max(len(s) for s in suffixes)
    ids = torch.tensor([[pad_id] * (width - len(s)) + s for s in suffixes], device=device)
    mask = torch.cat([torch.ones(len(contexts), p, dtype=torch.long, device=device), (torch.arange(width, device=device)
                      >= torch.tensor([width - len(s) for s in suffixes], device=device)[:, None]).long()], dim=1)
    positions = (mask.cumsum(1) - 1).clamp(min=0)[:, p:]
    out: list[list[int]] = [[] for _ in contexts]
    finished = torch.zeros(len(contexts), dtype=torch.bool, device=device)
    for step in range(int(limits.max())):
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                       logits_to_keep=1, **cache_kwargs(model, cache)).logits[:, -1].float()
        if greedy:
            token = logits.argmax(-1)
        else:
            token = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)[:, 0]
        token = torch.where(finished, torch.full_like(token, pad_id), token)
        for row in (~finished).nonzero()[:, 0].tolist():
            out[row].append(int(token[row]))
        finished |= (token == eos_id) | (limits <= step + 1)
        if bool(finished.all()):
            break
        ids = token[:, None]
        positions = positions[:, -1:] + 1
        mask = torch.cat([mask, torch.ones(len(contexts), 1, dtype=torch.long, device=device)], dim=1)
    return out


def model_actor(model: Any, fmt: ChatFormat, max_new_tokens: int, temperature: float = 1.0, greedy: bool = False,
                generator: torch.Generator | None = None, batch_size: int = 64) -> Actor:
    """An actor that samples each turn from ``model`` (at most ``max_new_tokens`` and the turn's budget), batching
    episodes of the same environment together."""

    def act(episodes: list[Episode], budgets: list[int]) -> list[list[int]]:
        by_env: dict[str, list[int]] = defaultdict(list)
        for i, episode in enumerate(episodes):
            by_env[episode.info["env"]].append(i)
        result: list[list[int]] = [[] for _ in episodes]
        for rows in by_env.values():
            for start in range(0, len(rows), batch_size):
                chunk = rows[start:start + batch_size]
                limits = [min(max_new_tokens, budgets[i]) for i in chunk]
                tokens = generate(model, [episodes[i].ids for i in chunk], limits, fmt.eos_id,
                                  fmt.tokenizer.pad_token_id, temperature, greedy, generator)
                for i, t in zip(chunk, tokens):
                    result[i] = t
        return result

    return act


def oracle_actor(fmt: ChatFormat) -> Actor:
    """An actor playing the oracle's actions (gold calls, questions, answer), tokenized: the SFT targets."""

    def act(episodes: list[Episode], budgets: list[int]) -> list[list[int]]:
        return [fmt.encode(episode.info["oracle"](episode.info["last_info"])) + [fmt.eos_id] for episode in episodes]

    return act


class EnvPool:
    """Reusable env instances per environment name (one live episode each); counts seconds spent in the envs.

    ``catalog``: the tasks each env plays (e.g. generated in memory); by default an env's committed tasks.
    """

    def __init__(self, max_turns: int, catalog: dict[str, list[Task]] | None = None) -> None:
        self.max_turns = max_turns
        self.catalog = catalog
        self.free: dict[str, list[gym.Env]] = defaultdict(list)
        self.env_seconds = 0.0
        #: Tasks outside the catalog (generated for a curriculum step), by id: played through the env's
        #: ``generated`` tasks, so ``reset(options={"task_id": ...})`` finds them.
        self.extra: dict[str, Task] = {}

    def take(self, name: str) -> gym.Env:
        if self.free[name]:
            return self.free[name].pop()
        return envs.make(name, self.max_turns, tasks=self.catalog[name] if self.catalog is not None else None)

    def give(self, name: str, env: gym.Env) -> None:
        self.free[name].append(env)


def play(jobs: list[Job], act: Actor, fmt: ChatFormat, pool: EnvPool, max_len: int, max_new_tokens: int,
         oracle: bool = False, progress: Callable[[int], Any] | None = None) -> list[Episode]:
    """Play every job to the end, all episodes advancing one turn per model call; returns them in job order.

    A turn gets at most ``max_new_tokens`` and never more than what is left of ``max_len`` (keeping one token for
    the end of turn); an episode with no room left ends with reward 0 (``info["overflow"]``).
    ``progress(1)`` is called as each episode ends.
    """

    def finish(episode: Episode, env: gym.Env, messages: list[dict[str, Any]]) -> None:
        episode.info.pop("oracle", None)
        episode.info["messages"] = list(messages)
        del episode.info["last_info"]
        pool.give(episode.info["env"], env)
        if progress is not None:
            progress(1)

    def room(length: int) -> int:
        return max_len - length - 1

    episodes, live = [], []
    for job in jobs:
        started = time.perf_counter()
        env = pool.take(job.env)
        extra = pool.extra.get(job.task_id)
        if extra is not None:
            known = env.unwrapped.generated
            known[extra.id] = extra
            while len(known) > 256:
                known.popitem(last=False)
        _, info = env.reset(seed=job.seed, options={"task_id": job.task_id})
        pool.env_seconds += time.perf_counter() - started
        episode = Episode.start(fmt, info["messages"], env=job.env, task_id=job.task_id, seed=job.seed,
                                group=job.group, last_info=info)
        if oracle:
            episode.info["oracle"] = envs.OraclePolicy(env, info)
        episodes.append(episode)
        if room(len(episode.ids)) < 1:
            episode.info["overflow"] = True
            finish(episode, env, info["messages"])
        else:
            live.append((episode, env))
    while live:
        actions = act([episode for episode, _ in live],
                      [min(max_new_tokens, room(len(episode.ids))) for episode, _ in live])
        still = []
        for (episode, env), tokens in zip(live, actions):
            kept = episode.add_model_turn(tokens, fmt.eos_id, fmt.think_ids)
            text = fmt.decode([t for t in kept if t != fmt.eos_id])
            started = time.perf_counter()
            _, reward, terminated, truncated, info = env.step(text)
            pool.env_seconds += time.perf_counter() - started
            episode.info["last_info"] = info
            if terminated or truncated:
                episode.reward, episode.done = float(reward), True
                episode.info["reward_info"] = info.get("reward_info", {})
                episode.info["truncated"] = truncated and not terminated  # the turn limit, not the agent, ended it
            elif room(len(episode.ids) + len(fmt.feedback_ids(info["new_messages"]))) < 1:
                episode.info["overflow"] = True
            else:
                episode.add_feedback(fmt, info["new_messages"])
                still.append((episode, env))
                continue
            finish(episode, env, info["messages"])
        live = still
    return episodes


def env_groups(jobs: list[Job], groups: int) -> list[list[int]]:
    """The jobs' indices in at most ``groups`` groups of whole environments, each environment (largest first) put in
    the group with the fewest jobs so far."""
    by_env: dict[str, list[int]] = defaultdict(list)
    for i, job in enumerate(jobs):
        by_env[job.env].append(i)
    out: list[list[int]] = [[] for _ in range(min(groups, len(by_env)))]
    for rows in sorted(by_env.values(), key=len, reverse=True):
        min(out, key=len).extend(rows)
    return out


def play_in_processes(jobs: list[Job], act: Actor, fmt: ChatFormat, pool: EnvPool, max_len: int, max_new_tokens: int,
                      processes: int, progress: Callable[[int], Any] | None = None) -> list[Episode]:
    """:func:`play` with the environments split over ``processes`` processes (this one and forked children), each
    playing every episode of its environments.

    The same episodes as one :func:`play` when ``act`` batches an environment's episodes only with each other and
    draws no random numbers (a greedy :func:`model_actor`): evaluation on several cores. Linux only (fork); elsewhere,
    or with one environment, one :func:`play`.
    """
    groups = env_groups(jobs, processes)
    if len(groups) < 2 or sys.platform != "linux":
        return play(jobs, act, fmt, pool, max_len, max_new_tokens, progress=progress)
    context = multiprocessing.get_context("fork")
    children = []
    for rows in groups[1:]:
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_play_and_send, daemon=True, args=(
            writer, [jobs[i] for i in rows], act, fmt, pool, max_len, max_new_tokens))
        child.start()
        writer.close()
        children.append((reader, child))
    received: dict[int, list[Episode]] = {}

    def relay(block: bool) -> None:
        """Pass the children's finished-episode counts on to ``progress``; with ``block``, until each child has sent
        its episodes."""
        for k, (reader, _) in enumerate(children):
            while k not in received and (block or reader.poll()):
                try:
                    message = reader.recv()
                except EOFError:
                    raise RuntimeError(f"a process playing {len(groups[k + 1])} episodes ended without them") from None
                if isinstance(message, BaseException):
                    raise RuntimeError("a process playing episodes failed") from message
                if isinstance(message, int):
                    if progress is not None:
                        progress(message)
                else:
                    received[k] = message

    def mine_done(n: int) -> None:
        if progress is not None:
            progress(n)
        relay(block=False)

    try:
        mine = play([jobs[i] for i in groups[0]], act, fmt, pool, max_len, max_new_tokens, progress=mine_done)
        relay(block=True)
    finally:  # after an error here or in a child, the others are stopped
        for reader, child in children:
            reader.close()
            if len(received) < len(children):
                child.kill()
            child.join()
    episodes: list[Episode | None] = [None] * len(jobs)
    for rows, found in zip(groups, [mine, *(received[k] for k in range(len(children)))]):
        for i, episode in zip(rows, found):
            episodes[i] = episode
    return episodes  # type: ignore[return-value]


def _play_and_send(writer: Connection, jobs: list[Job], act: Actor, fmt: ChatFormat, pool: EnvPool, max_len: int,
                   max_new_tokens: int) -> None:
    """A child of :func:`play_in_processes`: plays its jobs, sending 1 as each episode ends, then the episodes (or
    the exception that stopped it)."""
    try:
        writer.send(play(jobs, act, fmt, pool, max_len, max_new_tokens, progress=writer.send))
    except BaseException as exc:  # handed to the parent, which raises it
        writer.send(exc)
    finally:
        writer.close()
