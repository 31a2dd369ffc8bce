"""The suite's benchmark (``envfactory bench`` or ``python -m envfactory_gym.cli.bench``).

Measures, in CPU time of this process (wall time on an idle core; unaffected by other jobs on a loaded one): steps/s
of a typical read call through the Gymnasium env; for every environment, the median step time of its keyed reads (a
read returning one record), searches (a read returning a list) and writes (taken from its tasks' gold calls, each
timed in its episode), with the time its tool takes alone and the time encoding its result takes (the rest is the
runtime's share), the SQL statements each kind of step runs and the records a search returns, reset and reset + first
step, grading, memory per live episode and its floor (a keyed select turned into a dict and JSON), with ratios to the
floor and flags; and oracle steps/s of 2,048 concurrent episodes of mixed environments through
:class:`~envfactory_gym.vector.BatchedEnv` against the same episodes played one at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes.util
import dataclasses
import gc
import json
import os
import sqlite3
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from envfactory_gym.cli.plans import traced

BENCH_ENV = "Calendar"
#: Step timings per environment: calls per timing round, and rounds (the best round counts: time the machine spent
#: elsewhere only ever adds to a round, so the more rounds, the likelier one of them ran undisturbed).
STEP_REPEAT = 300
ROUNDS = 5
#: An environment is flagged when its time for a measure, as a multiple of its floor, is this many times the
#: median multiple over all environments.
OUTLIER = 3.0
#: The done-when bounds of a step: (measure, reference, multiple): search and write steps against the
#: environment's keyed read step; reset + first step against a later step of the same call.
BOUNDS = (("search_us", "keyed_us", 2.0), ("write_us", "keyed_us", 2.0), ("first_step_us", "first_later_us", 2.0))
#: The parts of a step: its tool alone (see _bare), the encoding of the tool's result into the observation (the
#: result's size and the observation format fix it) and the runtime's share (the rest: parsing, validation,
#: atomicity, the change log, messages).
PARTS = ("alone", "encoding", "runtime")


@dataclass
class Timed:
    """One timing: ``setup`` (untimed) puts the env where ``fn`` can run ``repeat`` times in a row."""

    fn: Callable[[], Any]
    repeat: int
    setup: Callable[[], Any] = lambda: None


def _interleaved(timings: dict[Any, Timed]) -> dict[Any, float]:
    """CPU seconds of this process per call of each timing's ``fn``: the best of :data:`ROUNDS` rounds, each round
    running every timing once in turn. CPU time is the same as wall time on an idle core and is not inflated by
    other jobs on a loaded one; but a virtual machine also runs slower for seconds at a time when its host is busy,
    and interleaving lets such a stretch fall on all timings alike instead of on whichever ran then, so the ratios
    between them hold. The garbage collector is off while a timing runs (as in ``timeit``): a collection of the
    whole process's objects would land on whichever call it interrupts."""
    best = dict.fromkeys(timings, float("inf"))
    collecting = gc.isenabled()
    try:
        for _ in range(ROUNDS):
            for key, timing in timings.items():
                timing.setup()
                gc.disable()
                start = time.process_time()
                for _ in range(timing.repeat):
                    timing.fn()
                best[key] = min(best[key], (time.process_time() - start) / timing.repeat)
                if collecting:
                    gc.enable()
    finally:
        if collecting:
            gc.enable()
    return best


def _per_call(fn: Callable[[], Any], repeat: int) -> float:
    """CPU seconds per call of ``fn`` (see :func:`_interleaved`)."""
    return _interleaved({fn: Timed(fn, repeat)})[fn]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _text(call: tuple[str, dict[str, Any]]) -> str:
    """A call as a raw Qwen3 text action."""
    return f'<tool_call>{json.dumps({"name": call[0], "arguments": call[1]})}</tool_call>'


@dataclass
class Sample:
    """One gold call of a task and the gold calls before it (a tool call valid at that point of the task)."""

    task_id: str
    before: list[str]
    call: str
    tool: str
    arguments: dict[str, Any]
    #: The gold calls before it as (tool, arguments).
    before_calls: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)


def _samples(env: Any) -> dict[str, Sample]:
    """The first sample of every tool the environment's tasks use, in task order."""
    found: dict[str, Sample] = {}
    for task in env.tasks:
        env.reset(options={"task_id": task.id})
        gold = env.gold_calls()
        calls = [_text(c) for c in gold]
        for position, (tool, arguments) in enumerate(gold):
            found.setdefault(tool, Sample(task.id, calls[:position], calls[position], tool, arguments, gold[:position]))
    return found


@contextlib.contextmanager
def _bare(world_cls: type, seed: int) -> Iterator[Any]:
    """A world of ``world_cls`` on a connection of its own that holds the initial state of ``seed`` without
    the change-log triggers and with no authorizer: a tool called on it directly costs its own statements and Python
    only, none of the runtime around them (parsing, validation, atomicity, the change log, encoding, messages)."""
    bare = world_cls(seed)
    pooled, bare.conn = bare.conn, sqlite3.connect(":memory:", isolation_level=None)
    try:
        bare.conn.deserialize(world_cls.snapshot(seed))
        triggers = bare.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '\\_log\\_%'"
                                     " ESCAPE '\\'").fetchall()
        for (trigger,) in triggers:
            bare.conn.execute(f'DROP TRIGGER "{trigger}"')
        bare.conn.execute("BEGIN")
        yield bare
    finally:
        bare.conn.close()
        bare.conn = pooled


def _alone(env: Any, bare: Any, sample: Sample) -> tuple[Callable[[], None], Callable[[], Any]]:
    """``(restore, call)`` on ``bare`` (see :func:`_bare`): ``restore`` rolls it back and runs its world's earlier
    gold writes of the sample again, so it holds the state before the sample's call; ``call`` runs the sample's tool
    function directly (a write validates its arguments each time: a tool may use up a list it was given)."""
    world, spec = env.worlds.tools[sample.tool]
    found = [env.worlds.tools[tool] + (arguments,) for tool, arguments in sample.before_calls]
    earlier = [(earlier_spec, arguments) for owner, earlier_spec, arguments in found
               if owner is world and earlier_spec.writes]

    def restore() -> None:
        bare._writes = list(earlier)
        bare._replay_writes()

    if spec.writes:
        return restore, lambda: spec.function(bare, **spec.validate(sample.arguments))
    kwargs = spec.validate(sample.arguments)
    return restore, lambda: spec.function(bare, **kwargs)


def _same_result(env: Any, sample: Sample, play: Callable[..., None], restore: Callable[[], None],
                 call: Callable[[], Any]) -> tuple[bool, Any]:
    """Whether the sample's tool alone on a bare world returns what its call returns in the episode (it need not
    where its result depends on the change log, e.g. a search that stops using a table's index once the episode
    wrote to the table), and that result."""
    restore()
    by_itself = call()
    play(sample)
    result = env.worlds.call(sample.tool, sample.arguments)
    return by_itself == result, result


def _encoding(tool: str, result: Any) -> Callable[[], str]:
    """What a step does with a tool's result: encode it as its tool message's content, and the message into the
    observation."""
    from envfactory_gym.episode.dialogue import encode_observation
    from envfactory_gym.episode.env import encode_result
    from envfactory_gym.episode.prompt import clip

    return lambda: encode_observation([{"role": "tool", "tool_call_id": "call_1_0", "name": tool,
                                        "content": clip(encode_result(result))}])


def _work(env: Any, sample: Sample, play: Callable[[Sample], None]) -> tuple[int, int | None]:
    """The SQL statements the sample's step runs (untimed; a statement counts once, however many change-log trigger
    programs it starts: SQLite reports each with its statement's text) and, for a read, the records its result
    holds (called again on the same state: an observation may shorten a long result)."""
    play(sample)
    with traced(env) as ran:
        env.step(sample.call)
    statements = sum(1 for i, (_, sql) in enumerate(ran) if i == 0 or sql != ran[i - 1][1])
    if env.worlds.writes(sample.tool):
        return statements, None
    result = env.worlds.call(sample.tool, sample.arguments)
    return statements, len(result) if isinstance(result, list) else 1


def _kind(spec: Any) -> str:
    """"write", "keyed" (a read that returns one record) or "search" (a read that returns a list)."""
    if spec.writes:
        return "write"
    return "search" if (spec.output_schema or {}).get("type") == "array" else "keyed"


def bench_environment(name: str, repeat: int = STEP_REPEAT) -> dict[str, Any]:
    """Step, reset, grading and memory figures of one environment, and its floor."""
    from envfactory_gym.episode.env import ToolUseEnv

    env = ToolUseEnv(name, split=None, max_turns=10**9)
    samples = _samples(env)

    def play(sample: Sample, with_call: bool = False) -> None:
        env.reset(options={"task_id": sample.task_id})
        for action in sample.before:
            env.step(action)
        if with_call:
            env.step(sample.call)

    # Every step timing of the environment, interleaved (see _interleaved). A step is timed in its episode, as an
    # agent's step runs: replaying its task up to and including the call, minus replaying it up to the call (so a
    # write's figure includes rolling it back at the next reset, and a read runs after other steps, not on caches
    # warmed by the same call a moment before). The tool alone is timed the same way on a bare world (see _bare),
    # after the same replay of the episode (its caches as the step finds them).
    with contextlib.ExitStack() as stack:
        bares: dict[tuple[type, int], Any] = {}
        timings: dict[tuple[str, str], Timed] = {}
        alone: dict[str, tuple[Callable[[], None], Callable[[], Any]]] = {}
        for tool, sample in samples.items():
            key = type(env.worlds.tools[tool][0]), env.task_index[sample.task_id].seed
            if key not in bares:
                bares[key] = stack.enter_context(_bare(*key))
            restore, call = alone[tool] = _alone(env, bares[key], sample)
            rounds = max(repeat // (len(sample.before) + 2), 20)
            # each set up on its task first: the first reset onto another seed's state costs what no step does
            setup = lambda s=sample, r=restore: (play(s), r())  # noqa: E731
            timings["step", tool] = Timed(lambda s=sample: play(s, True), rounds, setup)
            timings["before step", tool] = Timed(lambda s=sample: play(s), rounds, setup)
            timings["alone", tool] = Timed(lambda s=sample, r=restore, c=call: (play(s), r(), c()), rounds, setup)
            timings["before alone", tool] = Timed(lambda s=sample, r=restore: (play(s), r()), rounds, setup)
        keyed = next((s for t, s in samples.items() if _kind(env.worlds.tools[t][1]) == "keyed" and not s.before),
                     None)
        if keyed is not None:
            timings["first step", keyed.tool] = Timed(lambda: play(keyed, True), repeat, lambda: play(keyed))
            timings["later step", keyed.tool] = Timed(lambda: env.step(keyed.call), repeat, lambda: play(keyed))
        checked = {tool: _same_result(env, samples[tool], play, *alone[tool]) for tool in samples}
        for tool, (_, result) in checked.items():
            timings["encoding", tool] = Timed(_encoding(tool, result), repeat)
        best = _interleaved(timings)
    kinds: dict[str, list[float]] = {"keyed": [], "search": [], "write": []}
    work: dict[str, list[tuple[int, int | None]]] = {kind: [] for kind in kinds}
    shares: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in kinds}
    per_tool: list[dict[str, Any]] = []
    for tool in samples:
        kind = _kind(env.worlds.tools[tool][1])
        seconds = max(best["step", tool] - best["before step", tool], 0.0)
        by_itself = max(best["alone", tool] - best["before alone", tool], 0.0) if checked[tool][0] else None
        encoding = best["encoding", tool]
        kinds[kind].append(seconds)
        if by_itself is not None:
            shares[kind].append((by_itself, encoding, max(seconds - by_itself - encoding, 0.0)))
        statements, records = _work(env, samples[tool], play)
        work[kind].append((statements, records))
        per_tool.append({"tool": tool, "kind": kind, "us": seconds * 1e6,
                         "alone_us": None if by_itself is None else by_itself * 1e6, "encoding_us": encoding * 1e6,
                         "statements": statements, "records": records})
    figures: dict[str, Any] = {"name": name, "tools": len(samples),
                               "per_tool": sorted(per_tool, key=lambda t: (t["kind"], t["tool"]))}
    for kind, times in kinds.items():
        figures[f"{kind}_us"] = statistics.median(times) * 1e6 if times else None
        figures[f"{kind}_statements"] = statistics.median(s for s, _ in work[kind]) if times else None
        for position, part in enumerate(PARTS):
            figures[f"{kind}_{part}_us"] = (statistics.median(s[position] for s in shares[kind]) * 1e6
                                            if shares[kind] else None)
    figures["search_records"] = statistics.median(r for _, r in work["search"]) if kinds["search"] else None
    figures["first_step_us"] = figures["first_later_us"] = None
    if keyed is not None:
        figures["first_step_us"] = best["first step", keyed.tool] * 1e6
        figures["first_later_us"] = best["later step", keyed.tool] * 1e6
    figures["reset_us"] = _reset_us(env, env.tasks[0].id, repeat)
    figures["grade_us"] = _grade_us(env)
    figures["floor_us"] = _floor_us(env)
    figures["episode_kib"] = _episode_memory(name, env.tasks) / 1024
    return figures


def _reset_us(env: Any, task_id: str, repeat: int) -> float:
    return _per_call(lambda: env.reset(options={"task_id": task_id}), repeat) * 1e6


def _grade_us(env: Any) -> float | None:
    """Grading at the end of the first task that writes (gold calls replayed)."""
    task = next((t for t in env.tasks if t.tags.get("writes")), None)
    if task is None:
        return None
    env.reset(options={"task_id": task.id})
    for call in env.gold_calls():
        env.step(_text(call))
    return _per_call(env.grade, 200) * 1e6


def _floor_us(env: Any) -> float:
    """The floor: a keyed select of one row of the environment's largest table, turned into a dict and JSON."""
    world = max(env.worlds.worlds.values(), key=lambda w: len(w.tables))
    table = max((t for t in world.tables if not t.bookkeeping),
                key=lambda t: world.value(f'SELECT COUNT(*) FROM "{t.name}"'))
    key = world.value(f'SELECT "{table.key[0]}" FROM "{table.name}" LIMIT 1')
    sql = f'SELECT * FROM "{table.name}" WHERE "{table.key[0]}" = ?'
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    return _per_call(lambda: encode(world.row(sql, key)), 2000) * 1e6


def _sqlite_heap() -> Callable[[], int] | None:
    """SQLite's count of the bytes it has allocated, from the shared library the ``sqlite3`` module uses; None where
    that library cannot be reached (a module with SQLite built in)."""
    path = ctypes.util.find_library("sqlite3")
    if path is None:
        return None
    used = ctypes.CDLL(path).sqlite3_memory_used
    used.restype = ctypes.c_int64
    probe = sqlite3.connect(":memory:")
    try:
        return used if used() > 0 else None  # another copy of SQLite than the module's counts nothing here
    finally:
        probe.close()


def _episode_memory(name: str, tasks: list[Any], episodes: int = 200) -> float:
    """Bytes per live episode (distinct tasks, snapshots already built, none served from the pool of idle
    connections): what SQLite allocates for their databases plus the Python objects they hold (tracemalloc); where
    SQLite's own count is out of reach, the growth of resident memory instead."""
    from envfactory_gym.core.world import close_idle_connections
    from envfactory_gym.episode.env import ToolUseEnv

    chosen = [tasks[i % len(tasks)] for i in range(episodes)]
    warm = ToolUseEnv(name, split=None)
    for task in {t.id: t for t in chosen}.values():
        warm.reset(options={"task_id": task.id})
    del warm
    gc.collect()  # worlds of earlier episodes give their connections to the idle pool, which is then emptied
    close_idle_connections()
    sqlite_heap = _sqlite_heap()
    measure = (lambda: sqlite_heap() + tracemalloc.get_traced_memory()[0]) if sqlite_heap else _rss_bytes
    tracemalloc.start()
    try:
        before = measure()
        live = [ToolUseEnv(name, split=None) for _ in chosen]
        for env, task in zip(live, chosen):
            env.reset(options={"task_id": task.id})
        close_idle_connections()  # the connections the new episodes left on their way to their tasks' seeds
        return (measure() - before) / episodes
    finally:
        tracemalloc.stop()


def bench_batch(names: list[str], episodes: int) -> dict[str, float]:
    """Oracle steps/s over ``episodes`` concurrent episodes of mixed environments, and over the same episodes
    played one at a time (the single-episode rate the batch is held to), both after an untimed pass over them."""
    from envfactory_gym.agents import OracleAgent
    from envfactory_gym.vector import BatchedEnv

    slots = [names[i % len(names)] for i in range(episodes)]
    BatchedEnv(names).reset()  # build every snapshot and catalog first

    def play(batch: BatchedEnv, together: bool) -> tuple[int, float, int]:
        started = batch.reset(seeds=list(range(len(batch))))
        agents, infos = [], {}
        for slot, (_, info) in started.items():
            agents.append(OracleAgent())
            agents[-1].reset(batch.envs[slot], info)
            infos[slot] = info
        steps, start = 0, time.process_time()
        groups = [batch.active()] if together else [[slot] for slot in range(len(batch))]
        for group in groups:
            while active := [slot for slot in group if not batch.envs[slot].done]:
                results = batch.step({slot: agents[slot].act(infos[slot]) for slot in active})
                steps += len(results)
                infos.update({slot: r.info for slot, r in results.items()})
        return steps, time.process_time() - start, sum(env.breakdown.success for env in batch.envs if env.breakdown)

    def timed(together: bool) -> tuple[int, float, int]:
        # after an untimed pass over the same episodes, so both runs start from the same caches: the first grading of
        # a task replays its gold calls once per process (~1 ms), and the idle connections a run starts from hold
        # statements the last run prepared
        play(BatchedEnv(slots, max_turns=50), together=False)
        return play(BatchedEnv(slots, max_turns=50), together)

    steps, elapsed, solved = timed(together=True)
    one_steps, one_elapsed, one_solved = timed(together=False)
    return {"batch_episodes": episodes, "batch_steps": steps, "batch_steps_per_s": steps / elapsed,
            "batch_solved": solved, "single_steps": one_steps, "single_steps_per_s": one_steps / one_elapsed,
            "single_solved": one_solved, "batch_ratio": (steps / elapsed) / (one_steps / one_elapsed)}


def bench_typical(repeat: int) -> dict[str, Any]:
    """Text and dict actions of the typical read call (the first gold call of the first Calendar task)."""
    from envfactory_gym.episode.env import ToolUseEnv

    env = ToolUseEnv(BENCH_ENV, max_turns=10**9)
    task = env.tasks[0]
    env.reset(options={"task_id": task.id})
    tool, arguments = env.gold_calls()[0]
    step_text = _per_call(lambda: env.step(_text((tool, arguments))), repeat)
    step_dict = _per_call(lambda: env.step({"name": tool, "arguments": arguments}), repeat)
    return {"step_text_per_s": 1 / step_text, "step_dict_per_s": 1 / step_dict, "typical_call": tool}


#: Generated-task resets: environment, difficulty and how many resets are timed.
GENERATED = ("Calendar", {"calls": 2}, 200)


def bench_generated_reset(name: str = GENERATED[0], difficulty: dict[str, Any] | None = None,
                          resets: int = GENERATED[2]) -> dict[str, Any]:
    """Median and p95 CPU ms of ``reset(seed=i)`` of a ``tasks="generated"`` env (a fresh task generated, grounded
    and calibrated per reset), after the per-process caches are built (tool graph, sampler warm-up, the world
    snapshots and value pools of its world seeds)."""
    import gymnasium as gym

    from envfactory_gym.registration import env_id
    from generators.graph import tool_graph
    from generators.values import pools

    difficulty = dict(GENERATED[1] if difficulty is None else difficulty)
    env = gym.make(env_id(name), tasks="generated", difficulty=difficulty)
    graph = tool_graph(name)
    for seed in range(env.unwrapped.difficulty.worlds):
        pools(graph.worlds, seed)
        graph.worlds(seed)
    env.reset(seed=10**9)
    times = []
    for seed in range(resets):
        started = time.process_time()
        env.reset(seed=seed)
        times.append((time.process_time() - started) * 1e3)
    times.sort()
    return {"generated_env": name, "generated_difficulty": difficulty, "generated_resets": resets,
            "generated_reset_p50_ms": statistics.median(times),
            "generated_reset_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))]}


def measure(repeat: int = 5000, episodes: int = 2048, names: list[str] | None = None) -> dict[str, Any]:
    from tqdm import tqdm

    from envfactory_gym.registration import ENVIRONMENTS, load_tasks, register_all

    register_all()
    every = [n for n in ENVIRONMENTS if load_tasks(n, None)]
    names = names or every
    figures: dict[str, Any] = {"environments": len(every)}
    figures |= bench_typical(repeat)
    figures["per_environment"] = [bench_environment(n) for n in tqdm(names, desc="bench", unit="env")]
    figures |= bench_batch(names, episodes)
    figures |= bench_generated_reset()
    return figures


PER_ENV_COLUMNS = {"keyed_us": "keyed read", "search_us": "search", "write_us": "write",
                   "first_step_us": "reset+first step", "first_later_us": "same call later",
                   "reset_us": "reset", "grade_us": "grade",
                   "floor_us": "floor", "episode_kib": "KiB/episode"}


def misses(row: dict[str, Any]) -> list[str]:
    """The step bounds an environment misses, each with its step's work where the run counted it (medians over the
    environment's tools): a write's SQL statements against a keyed read's, the records a search returns, and the
    least the step could cost (see :func:`least_step`) as a multiple of the keyed read step."""
    missed = []
    for key, reference, bound in BOUNDS:
        if row[key] is not None and row[reference] and row[key] > bound * row[reference]:
            why = []
            if key == "write_us" and row.get("write_statements") is not None:
                why.append(f"{row['write_statements']:g} statements vs {row['keyed_statements']:g}")
            elif key == "search_us" and row.get("search_records") is not None:
                why.append(f"{row['search_records']:g} records")
            least = least_step(row, key)
            if least is not None:
                alone, encoding, runtime = (value / row[reference] for value in least)
                why.append(f"tool alone {alone:.1f}x + encoding {encoding:.1f}x + a keyed read's runtime share "
                           f"{runtime:.1f}x = {alone + encoding + runtime:.1f}x")
            missed.append(f"{PER_ENV_COLUMNS[key]} > {bound:g}x {PER_ENV_COLUMNS[reference]}"
                          + (f" ({'; '.join(why)})" if why else ""))
    return missed


def least_step(row: dict[str, Any], key: str) -> tuple[float, float, float] | None:
    """The least a search or write step (``key``) of the environment could cost the runtime: its tool alone, the
    encoding of its result, and the runtime's share of a keyed read step (a step of any kind is parsed, validated,
    called, recorded and answered as a read is). None where the run did not measure them."""
    if key not in ("search_us", "write_us"):
        return None
    kind = key.removesuffix("_us")
    parts = (row.get(f"{kind}_alone_us"), row.get(f"{kind}_encoding_us"), row.get("keyed_runtime_us"))
    return None if None in parts else parts


def beyond_runtime(row: dict[str, Any]) -> bool:
    """Whether every step bound the environment misses is out of the runtime's reach: a search or write bound whose
    least step (:func:`least_step`) already takes longer than the bound allows the whole step, so that only a faster
    tool or a shorter result could meet it."""
    missed = [(key, reference, bound) for key, reference, bound in BOUNDS
              if row[key] is not None and row[reference] and row[key] > bound * row[reference]]
    return bool(missed) and all(sum(least_step(row, key) or (0.0,)) > bound * row[reference]
                                for key, reference, bound in missed)


def flags(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per environment: the step bounds it misses and the measures far above its peers'."""
    out = {row["name"]: misses(row) for row in rows}
    for key in ("keyed_us", "search_us", "write_us", "first_step_us", "grade_us"):
        ratios = [row[key] / row["floor_us"] for row in rows if row[key] is not None]
        if len(ratios) < 3:
            continue
        median = statistics.median(ratios)
        for row in rows:
            if row[key] is not None and row[key] / row["floor_us"] > OUTLIER * median:
                out[row["name"]].append(f"{PER_ENV_COLUMNS[key]} {row[key] / row['floor_us']:.0f}x floor "
                                        f"(peers {median:.0f}x)")
    return out


def render_tools(rows: list[dict[str, Any]]) -> str:
    """Every measured tool of each environment: its kind, µs per step, of the tool alone and of encoding its result,
    SQL statements and records returned."""
    from tabulate import tabulate

    optional = lambda value: "-" if value is None else f"{value:.1f}"  # noqa: E731
    table = [[row["name"], t["tool"], t["kind"], t["us"], optional(t.get("alone_us")), optional(t.get("encoding_us")),
              t["statements"], "-" if t["records"] is None else t["records"]] for row in rows for t in row["per_tool"]]
    return tabulate(table, headers=["environment", "tool", "kind", "µs per step", "µs alone", "µs encoding",
                                    "statements", "records"], tablefmt="github", floatfmt=".1f")


def render(figures: dict[str, Any]) -> str:
    from tabulate import tabulate

    rows = figures["per_environment"]
    flagged = flags(rows)
    table = []
    for row in rows:
        cells = [row["name"]]
        for key in PER_ENV_COLUMNS:
            value = row[key]
            if value is None:
                cells.append("-")
            elif key in ("floor_us", "episode_kib"):
                cells.append(f"{value:,.1f}")
            else:
                cells.append(f"{value:,.1f} ({value / row['floor_us']:.1f}x)")
        cells.append("/".join("-" if row.get(f"{kind}_statements") is None else f"{row[f'{kind}_statements']:g}"
                              for kind in ("keyed", "search", "write")))
        cells.append("-" if row.get("search_records") is None else f"{row['search_records']:g}")
        for part in PARTS:
            cells.append("/".join("-" if row.get(f"{kind}_{part}_us") is None else f"{row[f'{kind}_{part}_us']:.1f}"
                                  for kind in ("keyed", "search", "write")))
        cells.append("; ".join(flagged[row["name"]]) or "ok")
        table.append(cells)
    head = (f"Per environment, µs per step through the Gymnasium env (text actions), in brackets the multiple of "
            f"the environment's floor (a keyed select turned into a dict and JSON):")
    per_env = tabulate(table, headers=["environment", *PER_ENV_COLUMNS.values(), "statements (keyed/search/write)",
                                       "records (search)", "µs tool alone (keyed/search/write)",
                                       "µs encoding its result (keyed/search/write)",
                                       "µs runtime's share (keyed/search/write)", "flags"],
                       tablefmt="github")
    summary = tabulate([
        [f"steps/s, typical read call ({figures['typical_call']} on {BENCH_ENV}), raw Qwen3 text action",
         f"{figures['step_text_per_s']:,.0f}", ">= 20,000", "yes" if figures["step_text_per_s"] >= 20_000 else "NO"],
        ["steps/s, same call, dict action", f"{figures['step_dict_per_s']:,.0f}", "", ""],
        [f"steps/s, oracle over {figures['batch_episodes']:,} concurrent mixed episodes (BatchedEnv)",
         f"{figures['batch_steps_per_s']:,.0f}", "", ""],
        ["steps/s, the same episodes one at a time", f"{figures['single_steps_per_s']:,.0f}", "", ""],
        ["concurrent / one at a time", f"{figures['batch_ratio']:.0%}", ">= 80%",
         "yes" if figures["batch_ratio"] >= 0.8 else "NO"],
        *_generated_rows(figures),
    ], headers=["measure", "value", "target", "met"], tablefmt="github")
    missed = sum(bool(misses(row)) for row in rows)
    beyond = sum(beyond_runtime(row) for row in rows)
    shares = ", ".join(f"{PER_ENV_COLUMNS[kind + '_us']} {statistics.median(values):.1f} µs" for kind in
                       ("keyed", "search", "write") if (values := [row[f"{kind}_runtime_us"] for row in rows
                                                                   if row.get(f"{kind}_runtime_us") is not None]))
    return (f"{head}\n\n{per_env}\n\n{missed} of {len(rows)} environments miss a step bound "
            f"(search and write <= 2x keyed read; reset+first step <= 2x the same call later); in {beyond} of them "
            f"every bound missed is out of the runtime's reach: the tool alone (its own statements and Python on a "
            f"bare world, after the same steps), the encoding of its result and a keyed read's runtime share already "
            f"take longer than the bound allows the whole step.\nThe runtime's share of a step (the step less its "
            f"tool alone and the encoding of its result), median over the environments: {shares or 'not measured'}."
            f"\n\n{summary}\n"
            f"{figures['batch_solved']} of {figures['batch_episodes']} concurrent episodes solved by the oracle")


def _generated_rows(figures: dict[str, Any]) -> list[list[str]]:
    """The row of :func:`bench_generated_reset` (none in figures measured before it existed)."""
    if "generated_reset_p95_ms" not in figures:
        return []
    p95 = figures["generated_reset_p95_ms"]
    return [[f"ms per reset with a generated task, p95 ({figures['generated_env']}, "
             f"{json.dumps(figures['generated_difficulty'])}, {figures['generated_resets']} resets; "
             f"median {figures['generated_reset_p50_ms']:.1f})", f"{p95:.1f}", "<= 20", "yes" if p95 <= 20 else "NO"]]


SECTIONS = ("core", "mcp", "generation")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="what to measure: the env core, MCP transports, task generation (default: all)")
    parser.add_argument("--repeat", type=int, default=5000, help="calls per timing round of the typical call")
    parser.add_argument("--envs", nargs="+", metavar="NAME", help="environments to measure (default: all)")
    parser.add_argument("--episodes", type=int, default=2048, help="concurrent episodes in the batched run")
    parser.add_argument("--mcp-calls", type=int, default=500, help="calls per MCP transport")
    parser.add_argument("--tasks", type=int, default=1000, help="verified tasks to generate")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--cpu", type=int, help="the CPU to run on (default: the first this process may use)")
    parser.add_argument("--tools", action="store_true",
                        help="also print every measured tool's step time, statements and records")


def pin(cpu: int | None) -> int | None:
    """Keep this process on one CPU (``cpu``, else the first it may use) and return it; None where the system
    cannot pin. Moved between CPUs by the scheduler, a step ran up to 1.5x slower in some runs than in others
    (caches left behind), which no number of timing rounds evens out."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    chosen = min(allowed) if cpu is None else cpu
    if chosen not in allowed:
        raise SystemExit(f"--cpu {chosen}: this process may only run on CPUs {sorted(allowed)}")
    os.sched_setaffinity(0, {chosen})
    return chosen


def run(args: argparse.Namespace) -> int:
    figures: dict[str, Any] = {"cpu": pin(args.cpu)}
    if "core" in args.sections:
        figures["core"] = measure(args.repeat, args.episodes, args.envs)
    if "mcp" in args.sections:
        from envfactory_gym.mcp import bench as bench_mcp

        figures["mcp"] = bench_mcp.measure(BENCH_ENV, args.mcp_calls)
    if "generation" in args.sections:
        from generators import bench as generation

        figures["generation"] = generation.measure(BENCH_ENV, args.tasks)
    figures["load_average"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    if "core" in figures:
        print(render(figures["core"]))
        if args.tools:
            print("\n" + render_tools(figures["core"]["per_environment"]))
    if "mcp" in figures:
        from envfactory_gym.mcp import bench as bench_mcp

        print("\n" + bench_mcp.render(figures["mcp"]))
    if "generation" in figures:
        g = figures["generation"]
        print(f"\nTask generation on one core: {g['tasks']} verified {g['name']} tasks in {g['wall_s']} s "
              f"({g['tasks_per_s']} tasks/s; setup {g['setup_s']} s; tool coverage {g['coverage']:.0%}; "
              f"{g['three_plus_calls']:.0%} with 3+ calls)")
    print(f"\nload average while measuring: {figures['load_average']:.2f}; pinned to CPU {figures['cpu']}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.cli.bench", description=__doc__)
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
