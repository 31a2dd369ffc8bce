"""Tasks generated at reset: a fresh, verified task per episode, shaped by a difficulty.

The pipeline of :mod:`generators.synthesis` (graph -> sample -> ground -> render -> calibrate), run for one task
at a time and steered by a :class:`Difficulty`:

- ``calls``: the number of gold calls, exactly (the sampler plans chains of at most that many calls);
- ``envs``: how many environments of a domain the chain crosses (1 for a single environment);
- ``conversational``: whether the request leaves facts only the user knows (the agent must ask for them);
- ``distractors``: the least number of competing rows the chain's look-ups show from the world (rows of the same
  result list beside the one the task is about: more rows to tell apart, more values that compete with the
  answer facts);
- ``carry_ids``: whether some call must take a value (an id) from an earlier call's result (``None``: either);
- ``worlds``: the world seeds drawn from (``0 .. worlds-1``; their snapshots and value pools are built once per
  process, so a reset only restores one).

Every task is calibrated as a task file's is: the gold calls earn 1 when replayed, doing nothing and stopping one
call short earn 0, a perturbed argument fails, no tool-only value is in the request, and every built-in adversary
(:data:`envfactory_gym.agents.ADVERSARIES`) earns 0 when played as an episode. A task whose gold calls or whose
request shape (values masked) equals one of the committed test tasks is rejected, so evaluation stays clean.
The alternative-path search of :func:`~generators.synthesis.synthesize` is skipped (it only tags a task).

Determinism: :meth:`LiveGenerator.task` is a function of the difficulty and an integer key (the env draws it from
its seeded generator). The chain sampler's learned success rates come from a fixed warm-up run when a difficulty
is first used and are copied, never updated, per task, so what one reset generates does not depend on earlier
resets.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from envfactory_gym.agents import ADVERSARIES, final_message, run_episode
from envfactory_gym.core.tasks import Draft, Task, mask_request
from envfactory_gym.episode.reward import grade
from generators.graph import ToolGraph, tool_graph
from generators.grounding import Grounded, GroundingFailed, ground
from generators.rendering import find_leaks, render, secrets
from generators.sampling import MAX_LENGTH, ChainSampler
from generators.scenarios import Rejected, calibrate, run_draft
from generators.synthesis import _perturbed_fails, difficulty as difficulty_label, masked
from generators.values import pools

#: Attempts per task before :meth:`LiveGenerator.task` gives up (each is one sampled chain).
MAX_ATTEMPTS = 400
#: Sampled chains run once per (environment, difficulty) to learn which links ground.
WARMUP = 40
#: The largest ``distractors`` and ``worlds`` accepted.
MAX_DISTRACTORS = 50
MAX_WORLDS = 256


@dataclass(frozen=True)
class Difficulty:
    """What a generated task demands (see the module docstring for each axis)."""

    calls: int = 1
    envs: int = 1
    conversational: bool = False
    distractors: int = 0
    carry_ids: bool | None = None
    worlds: int = 8

    @classmethod
    def of(cls, value: Difficulty | Mapping[str, Any] | None, base: Difficulty | None = None) -> Difficulty:
        """A difficulty from a dict of axes (missing axes from ``base``), checked; :class:`ValueError` on a bad
        axis or value, :class:`TypeError` on a value that is not a dict."""
        base = base or cls()
        if value is None:
            return base
        if isinstance(value, Difficulty):
            value = asdict(value)
        if not isinstance(value, Mapping):
            raise TypeError(f"difficulty must be a dict of axes such as {{'calls': 2, 'envs': 1}}, "
                            f"got {type(value).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"unknown difficulty axis {', '.join(map(repr, unknown))}; axes: {', '.join(names)}")
        merged = {**asdict(base), **value}
        for axis, low, high in (("calls", 1, MAX_LENGTH), ("envs", 1, 3), ("distractors", 0, MAX_DISTRACTORS),
                                ("worlds", 1, MAX_WORLDS)):
            v = merged[axis]
            if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
                raise ValueError(f"difficulty {axis!r} must be an integer from {low} to {high}, got {v!r}")
        if not isinstance(merged["conversational"], bool):
            raise ValueError(f"difficulty 'conversational' must be True or False, got {merged['conversational']!r}")
        if merged["carry_ids"] not in (True, False, None):
            raise ValueError(f"difficulty 'carry_ids' must be True, False or None (either), got "
                             f"{merged['carry_ids']!r}")
        if merged["carry_ids"] and merged["calls"] < 2:
            raise ValueError("difficulty 'carry_ids': True needs 'calls' >= 2 (an id is carried from one call's "
                             "result to a later call)")
        if merged["envs"] > merged["calls"]:
            raise ValueError(f"difficulty 'envs' ({merged['envs']}) cannot exceed 'calls' ({merged['calls']}): "
                             "each environment needs a call")
        return cls(**merged)

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def competitors(grounded: Grounded) -> int:
    """Competing rows the chain's look-ups show: per read step, the rows of its longest result list but one."""
    total = 0
    for step in grounded.steps:
        if step.writes:
            continue
        total += max(0, _longest_list(step.result) - 1)
    return total


def _longest_list(value: Any, depth: int = 0) -> int:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict) and depth < 2:
        return max((_longest_list(v, depth + 1) for v in value.values()), default=0)
    return 0


class LiveGenerator:
    """Generates one verified task per call for a registered environment or domain (tool graph cached per
    process, samplers per difficulty)."""

    def __init__(self, name: str, difficulty: Difficulty | Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.difficulty = Difficulty.of(difficulty)
        self.rejected: Counter[str] = Counter()

    @property
    def graph(self) -> ToolGraph:
        return tool_graph(self.name)

    def check(self, difficulty: Difficulty) -> None:
        """Errors for a difficulty this environment cannot meet (more environments than it has)."""
        available = len(self.graph.envs())
        if difficulty.envs > available:
            raise ValueError(f"difficulty 'envs' is {difficulty.envs} but '{self.name}' has {available} "
                             f"environment{'s' * (available != 1)}")

    def task(self, key: int, difficulty: Difficulty | Mapping[str, Any] | None = None) -> Task:
        """The task for ``key`` at ``difficulty`` (default: this generator's); the same arguments give the same
        task in any process. :class:`RuntimeError` when no attempt yields one."""
        wanted = Difficulty.of(difficulty, self.difficulty) if not isinstance(difficulty, Difficulty) else difficulty
        self.check(wanted)
        return _task(self.name, wanted, key, self.rejected)


@functools.cache
def _test_split(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """The gold calls (public tool names) and request shapes of ``name``'s committed test tasks."""
    from envfactory_gym.episode.replay import translate
    from envfactory_gym.registration import load_tasks

    graph = tool_graph(name)
    worlds = graph.worlds(0)
    gold, shapes = set(), set()
    for task in load_tasks(name, "test"):
        calls = [{"name": translate(worlds, task, g), "arguments": g["arguments"]} for g in task.gold]
        gold.add(json.dumps(calls, sort_keys=True))
        shapes.add(mask_request(task.request))
    return frozenset(gold), frozenset(shapes)


def coincides(name: str, task: Task, mentions: tuple[str, ...] = ()) -> str | None:
    """Why ``task`` coincides with a committed test task of ``name`` (same gold calls, or same request once values
    are masked), else None."""
    gold, shapes = _test_split(name)
    if json.dumps(list(task.gold), sort_keys=True) in gold:
        return "same gold calls as a committed test task"
    if mask_request(task.request) in shapes or masked(task.request, mentions) in shapes:
        return "same request shape as a committed test task"
    return None


@functools.cache
def _sampler(name: str, difficulty: Difficulty) -> ChainSampler:
    """A chain sampler for chains of at most ``difficulty.calls`` calls, its link success rates learnt on a fixed
    warm-up run (never updated afterwards)."""
    graph = tool_graph(name)
    sampler = ChainSampler(graph, max_length=difficulty.calls)
    coverage: Counter[str] = Counter()
    for attempt in range(WARMUP):
        rng = random.Random(f"{name}:warmup:{difficulty.key()}:{attempt}")
        chain = sampler.sample(rng, coverage, difficulty.envs, length=difficulty.calls)
        if chain is None:
            continue
        seed = rng.randrange(difficulty.worlds)
        try:
            ground(graph, chain, seed, pools(graph.worlds, seed), rng)
        except GroundingFailed as exc:
            sampler.learn(chain, exc.step)
            continue
        except Exception:  # noqa: BLE001 - a rejected or crashing chain only teaches the sampler
            sampler.learn(chain, 0)
            continue
        sampler.learn(chain, None)
    return sampler


@functools.cache
def _judge(name: str) -> Any:
    """One env per environment to play candidate tasks in (its task list is swapped per task)."""
    from envfactory_gym.episode.env import ToolUseEnv

    graph = tool_graph(name)
    placeholder = Task(id="placeholder", env=name, seed=0, split="train", request="", gold=())
    return ToolUseEnv(name, tasks=[placeholder], worlds=graph.worlds, max_turns=30)


def _task(name: str, difficulty: Difficulty, key: int, rejected: Counter[str]) -> Task:
    graph = tool_graph(name)
    base = _sampler(name, difficulty)
    reasons: Counter[str] = Counter()
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(f"{name}:{difficulty.key()}:{key}:{attempt}")
        sampler = copy.copy(base)
        sampler.outcomes = {k: list(v) for k, v in base.outcomes.items()}
        try:
            return _attempt(graph, sampler, difficulty, rng)
        except Rejected as exc:
            reason = str(exc).split(":")[0]
        except Exception as exc:  # noqa: BLE001 - a tool body crashed: another chain is tried
            reason = f"a tool crashed ({type(exc).__name__})"
        reasons[reason] += 1
        rejected[reason] += 1
    top = ", ".join(f"{r} ({n})" for r, n in reasons.most_common(4))
    raise RuntimeError(f"no task of '{name}' at difficulty {difficulty} after {MAX_ATTEMPTS} attempts; "
                       f"rejected: {top}")


def _attempt(graph: ToolGraph, sampler: ChainSampler, difficulty: Difficulty, rng: random.Random) -> Task:
    world_seed = rng.randrange(difficulty.worlds)
    chain = sampler.sample(rng, Counter(), difficulty.envs, length=difficulty.calls)
    if chain is None:
        raise Rejected("sampling found no chain")
    if len(chain) != difficulty.calls:
        raise Rejected("chain length is not the difficulty's")
    carries = any(step.bindings for step in chain)
    if difficulty.carry_ids is not None and carries != difficulty.carry_ids:
        raise Rejected("chain does not match carry_ids")
    state = pools(graph.worlds, world_seed)
    try:
        grounded = ground(graph, chain, world_seed, state, rng)
    except GroundingFailed:
        raise Rejected("grounding failed") from None
    shown = competitors(grounded)
    if shown < difficulty.distractors:
        raise Rejected("fewer competing rows than the difficulty's distractors")
    rendered = render(graph, grounded, rng, conversational=difficulty.conversational)
    if bool(rendered.user_facts) != difficulty.conversational:
        raise Rejected("conversational does not match")
    request = rendered.request
    leaked = find_leaks(request, secrets(graph, grounded, state))
    if leaked:
        raise Rejected(f"a tool-only value appears in the request: {leaked[0]}")
    draft = Draft(request, tuple(s.call() for s in grounded.steps),
                  tuple(f.ref for s in grounded.steps for f in s.facts), rendered.user_facts)
    _, gold, facts = run_draft(graph.worlds, world_seed, draft)
    tools = [g["name"] for g in gold]
    used_envs = len({graph.tools[t].env for t in tools})
    if used_envs != difficulty.envs:
        raise Rejected("environments used are not the difficulty's")
    expected = calibrate(graph.worlds, world_seed, draft, gold, facts)
    if not grade(expected, grounded.changes, facts, final_message(facts)).success:
        raise Rejected("the gold calls do not reach reward 1 when replayed")
    _perturbed_fails(graph, grounded, draft, expected, facts, world_seed, state, rng)
    digest = hashlib.blake2b((json.dumps(gold, sort_keys=True) + request).encode(), digest_size=6).hexdigest()
    task = Task(
        id=f"{graph.name}-live-{digest}", env=graph.name, seed=world_seed, split="train", request=request,
        gold=tuple(gold), answer_facts=tuple(facts), user_facts=rendered.user_facts,
        tags={"calls": len(gold), "envs": used_envs, "conversational": bool(rendered.user_facts),
              "writes": bool(expected), "distractors": shown, "carry_ids": carries,
              "difficulty": difficulty_label(len(gold), used_envs, bool(rendered.user_facts)),
              "generator": "live", "chain": tools},
    )
    why = coincides(graph.name, task, tuple(rendered.mentions))
    if why:
        raise Rejected(why)
    _adversaries_fail(graph.name, task)
    return task


def _adversaries_fail(name: str, task: Task) -> None:
    """Play every built-in adversary on ``task``; :class:`Rejected` when one earns reward 1."""
    env = _judge(name)
    env.tasks, env.task_index = [task], {task.id: task}
    for hacker, make in ADVERSARIES.items():
        if hacker == "ask_then_dump" and not task.user_facts:
            continue  # with nothing to ask it plays exactly as 'dump'
        if run_episode(env, make(), task.id).success:
            raise Rejected(f"an adversary earns reward 1: {hacker}")
