"""Evaluating agents on the suite (``envfactory eval``).

Every selected task is played ``k`` times with seeds ``seed .. seed+k-1``. Each episode (messages, calls,
reward breakdown) is appended to ``RUN_DIR/episodes.jsonl`` as soon as it ends, so an interrupted run resumes
where it stopped (episodes already recorded are not replayed; ones that ended in an agent error, or whose task
has been edited since, are played again).
Reported per environment, per domain and overall: pass@1 (mean success over episodes), pass^k (share of tasks
whose k episodes all succeed), mean partial credit, mean turns and mean tool calls. The run directory also
gets ``summary.json`` and ``index.html`` (the episode viewer).

Selection: an environment plays its own tasks; a domain plays its members' tasks plus its cross-environment
tasks (those whose ``env`` is the domain), the latter in the domain env; ``all`` is every environment and
domain with tasks. Each task is counted once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import gymnasium as gym

from envfactory_gym.evaluation.agent_loader import LoadedAgent, load_agent
from envfactory_gym.evaluation.run import EvalRun
from envfactory_gym.agents import run_episode
from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, env_id, load_tasks, members
from envfactory_gym.core.tasks import Task

SPLITS = ("test", "train", "all")
EPISODES_FILE = "episodes.jsonl"
Key = tuple[str, str, int]


# ----------------------------------------------------------------------------------------------- selection
def expand(name: str) -> list[str]:
    """The environments (and domain envs, for their cross tasks) a name on the command line stands for."""
    name = name.removeprefix("EnvFactory/").removesuffix("-v0")
    if name == "all":
        return [*ENVIRONMENTS, *DOMAINS]
    if name in DOMAINS:
        return [*members(name), name]
    if name in ENVIRONMENTS:
        return [name]
    raise ValueError(f"unknown environment or domain '{name}'; known: all, {', '.join([*DOMAINS, *ENVIRONMENTS])}")


def select(names: Iterable[str], split: str | None, limit: int | None = None) -> dict[str, list[Task]]:
    """Tasks to play, keyed by the env that plays them (its own tasks; a domain env: its cross tasks)."""
    chosen: dict[str, list[Task]] = {}
    for raw in names:
        for name in expand(raw):
            tasks = [t for t in load_tasks(name, split) if t.env == name][:limit]
            if tasks and name not in chosen:
                chosen[name] = tasks
    return chosen


def task_fingerprint(task: Task) -> str:
    """A short digest of a task's content: a recorded episode of an edited task is stale and replayed."""
    return hashlib.sha256(task.to_json().encode()).hexdigest()[:16]


def domain_of(env: str) -> str:
    return ENVIRONMENTS[env][0] if env in ENVIRONMENTS else env


# ------------------------------------------------------------------------------------------------- episodes
def episode_record(env: gym.Env, agent: LoadedAgent, task_id: str, seed: int) -> dict[str, Any]:
    """Play one episode and describe it as a JSON-able record; an agent exception is recorded, not raised."""
    base = env.unwrapped
    start = time.perf_counter()
    error = None
    try:
        result = run_episode(env, agent.make(seed), task_id, seed)
        messages, outcome = result.messages, {
            "success": bool(result.success), "reward": result.reward, "partial": result.partial,
            "turns": result.turns, "tool_calls": result.tool_calls, "reward_info": result.reward_info}
    except Exception as exc:  # noqa: BLE001 - a failing agent (endpoint down, model bug) must not stop the run
        error = f"{type(exc).__name__}: {exc}"
        messages = list(base.messages)
        outcome = {"success": False, "reward": 0.0, "partial": 0.0, "turns": getattr(base, "turns", 0),
                   "tool_calls": sum(len(m.get("tool_calls", ())) for m in messages), "reward_info": None}
    record = {"env": base.name, "domain": domain_of(base.name), "task_id": task_id, "seed": seed, **outcome,
              "seconds": round(time.perf_counter() - start, 4), "calls": calls_of(messages), "messages": messages}
    if error:
        record["error"] = error
    return json.loads(json.dumps(record, default=str))


def calls_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every tool call of a dialogue with the response it got and whether that was an error."""
    responses = {m["tool_call_id"]: m["content"] for m in messages if m["role"] == "tool"}
    return [{"name": c["function"]["name"], "arguments": c["function"]["arguments"],
             "result": responses.get(c["id"], ""), "ok": not responses.get(c["id"], "").startswith("Error:")}
            for m in messages if m["role"] == "assistant" for c in m.get("tool_calls", ())]


_WORKER: dict[str, Any] = {}


def _init_worker(spec: str, agent_args: dict[str, Any], split: str | None, max_turns: int) -> None:
    """Per process: the agent factory and a cache of envs (each process builds its own)."""
    _WORKER.clear()
    _WORKER.update(agent=load_agent(spec, agent_args), split=split, max_turns=max_turns, envs={})


def _play_job(job: tuple[str, str, list[int]]) -> list[dict[str, Any]]:
    name, task_id, seeds = job
    envs = _WORKER["envs"]
    if name not in envs:
        envs[name] = gym.make(env_id(name), split=_WORKER["split"], max_turns=_WORKER["max_turns"])
    return [episode_record(envs[name], _WORKER["agent"], task_id, seed) for seed in seeds]


def read_records(path: Path) -> dict[Key, dict[str, Any]]:
    """The latest record of each (env, task, seed) in an episodes file (a torn last line is ignored)."""
    records: dict[Key, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            records[(record["env"], record["task_id"], record["seed"])] = record
    return records


# -------------------------------------------------------------------------------------------------- metrics
def pass_hat_k(successes: Iterable[Iterable[bool]], k: int) -> float | None:
    """pass^k: the chance that k episodes of a task all succeed, averaged over tasks.

    Per task with n >= k recorded episodes of which c succeeded, the unbiased estimate C(c, k) / C(n, k)
    (with n == k: 1 when all succeed, else 0). Tasks with fewer than k episodes are left out; None when none remain.
    """
    scores = []
    for outcomes in successes:
        outcomes = list(outcomes)
        if len(outcomes) >= k:
            scores.append(math.comb(sum(outcomes), k) / math.comb(len(outcomes), k))
    return sum(scores) / len(scores) if scores else None


def metrics(records: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """Figures of a group of episodes."""
    by_task: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for r in records:
        by_task[(r["env"], r["task_id"])].append(r["success"])
    n = len(records)

    def mean(field: str) -> float:
        return sum(r[field] for r in records) / n if n else 0.0

    return {"tasks": len(by_task), "episodes": n, "pass@1": mean("success"), "pass^k": pass_hat_k(by_task.values(), k),
            "partial": mean("partial"), "turns": mean("turns"), "tool_calls": mean("tool_calls"),
            "errors": sum(1 for r in records if r.get("error"))}


def summarize(records: list[dict[str, Any]], k: int) -> dict[str, Any]:
    """Figures per environment (a domain's cross tasks under the domain's name), per domain and overall."""
    envs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    domains: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        envs[r["env"]].append(r)
        domains[r["domain"]].append(r)
    env_order = [*ENVIRONMENTS, *DOMAINS]
    return {
        "k": k,
        "environments": {e: metrics(envs[e], k) for e in sorted(envs, key=env_order.index)},
        "domains": {d: metrics(domains[d], k) for d in sorted(domains, key=DOMAINS.index)},
        "overall": metrics(records, k),
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def render_summary(summary: dict[str, Any]) -> str:
    """The summary as two GitHub-style tables: per environment, then per domain and overall."""
    from tabulate import tabulate

    headers = ["tasks", "episodes", "pass@1", f"pass^{summary['k']}", "partial", "turns", "tool calls", "errors"]

    def row(label: str, m: dict[str, Any]) -> list[Any]:
        return [label, m["tasks"], m["episodes"], _pct(m["pass@1"]), _pct(m["pass^k"]), _pct(m["partial"]),
                m["turns"], m["tool_calls"], m["errors"]]

    envs = [row(e if e in ENVIRONMENTS else f"{e} (cross-env)", m) for e, m in summary["environments"].items()]
    groups = [row(d, m) for d, m in summary["domains"].items()] + [row("overall", summary["overall"])]
    return (tabulate(envs, headers=["environment", *headers], tablefmt="github", floatfmt=".2f") + "\n\n"
            + tabulate(groups, headers=["domain", *headers], tablefmt="github", floatfmt=".2f"))


# ------------------------------------------------------------------------------------------------------ run
def env_names(envs: Iterable[str]) -> list[str]:
    """The ``--envs`` of a run as recorded in ``run.json``: names without the id decoration, each once, sorted."""
    return sorted({name.removeprefix("EnvFactory/").removesuffix("-v0") for name in envs})


def default_run_dir(spec: str, envs: Iterable[str] = ("all",), split: str = "test") -> Path:
    """``runs/<agent>`` for the whole suite's test split, ``runs/<agent>-<envs>[-<split>]`` otherwise: runs of
    different selections get directories of their own."""
    names = env_names(envs)
    parts = [spec[:80], *([] if names == ["all"] else names), *([] if split == "test" else [split])]
    return Path("runs") / (re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")[:160] or "agent")


def _check_run_config(run_dir: Path, config: dict[str, Any], selection: dict[str, Any]) -> None:
    """Refuse a run directory that holds another agent configuration or another selection (``--envs``,
    ``--split``): its episodes would end up in the same viewer and run files as this run's."""
    path = run_dir / "run.json"
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if {key: stored.get(key) for key in config} != config:
            shown = {key: stored.get(key) for key in config}
            raise ValueError(f"{run_dir} holds episodes of another configuration ({shown}); choose another --out")
        # run.json files written before the selection was recorded hold no "envs": they are taken as they are
        recorded = {key: stored[key] for key in selection if key in stored}
        if recorded and recorded != {key: selection[key] for key in recorded}:
            theirs = " ".join(f"--{key} {','.join(v) if isinstance(v, list) else v}" for key, v in recorded.items())
            ours = " ".join(f"--{key} {','.join(v) if isinstance(v, list) else v}" for key, v in selection.items())
            raise ValueError(f"{run_dir} holds the run of {theirs}, not of {ours}: episodes of different "
                             f"selections are not merged into one run; rerun with {theirs} to resume that run, or "
                             "give this one another --out")
    run_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**config, **selection}, indent=2) + "\n", encoding="utf-8")


def evaluate(agent: str, envs: Iterable[str] = ("all",), split: str = "test", k: int = 4, seed: int = 0,
             workers: int = 1, out: str | Path | None = None, agent_args: dict[str, Any] | None = None,
             max_turns: int = 30, limit: int | None = None, progress: bool = True) -> EvalRun:
    """Play the selected tasks k times each with an agent (resuming a run directory) and summarize them."""
    from tqdm import tqdm

    from envfactory_gym.evaluation.viewer import write_viewer

    if k < 1 or workers < 1:
        raise ValueError("k and workers must be at least 1")
    agent_args = dict(agent_args or {})
    loaded = load_agent(agent, agent_args)
    task_split = None if split == "all" else split
    envs = list(envs)
    selection = select(envs, task_split, limit)
    if not selection:
        raise ValueError(f"no tasks selected (envs={list(envs)}, split={split})")
    run_dir = Path(out) if out else default_run_dir(loaded.spec, envs, split)
    _check_run_config(run_dir, {"agent": loaded.spec, "agent_args": agent_args, "max_turns": max_turns},
                      {"envs": env_names(envs), "split": split})
    path = run_dir / EPISODES_FILE
    fingerprints = {(name, t.id): task_fingerprint(t) for name, tasks in selection.items() for t in tasks}
    done = {key for key, r in read_records(path).items()
            if not r.get("error") and r.get("task_hash") == fingerprints.get(key[:2])}
    seeds = range(seed, seed + k)
    jobs = [(name, task.id, missing) for name, tasks in selection.items() for task in tasks
            if (missing := [s for s in seeds if (name, task.id, s) not in done])]
    played = 0
    total = sum(len(job[2]) for job in jobs)
    with path.open("a", encoding="utf-8") as fh, \
            tqdm(total=total, desc=f"eval {loaded.name}", unit="ep", disable=not progress) as bar:
        for records in _run_jobs(jobs, loaded.spec, agent_args, task_split, max_turns, workers):
            for record in records:
                record["task_hash"] = fingerprints[(record["env"], record["task_id"])]
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            played += len(records)
            bar.update(len(records))
    everything = read_records(path)
    selected = [everything[(name, t.id, s)] for name, tasks in selection.items() for t in tasks for s in seeds]
    summary = summarize(selected, k)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write_viewer(list(everything.values()), run_dir / "index.html", title=f"EnvFactory-Gym eval: {loaded.spec}")
    return EvalRun(run_dir, loaded, selected, summary, played)


def _run_jobs(jobs: list[tuple[str, str, list[int]]], spec: str, agent_args: dict[str, Any], split: str | None,
              max_turns: int, workers: int) -> Iterator[list[dict[str, Any]]]:
    """Episode records job by job, in this process or in ``workers`` spawned processes (as they finish)."""
    init = (spec, agent_args, split, max_turns)
    if workers == 1 or len(jobs) <= 1:
        _init_worker(*init)
        yield from map(_play_job, jobs)
        return
    with multiprocessing.get_context("spawn").Pool(min(workers, len(jobs)), _init_worker, init) as pool:
        yield from pool.imap_unordered(_play_job, jobs)


# ---------------------------------------------------------------------------------------------------- CLI
def _agent_arg(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agent", required=True,
                        help="oracle | noop | random | hf:PATH | openai:BASE_URL[#MODEL] | module:Class | "
                             "file.py:Class")
    parser.add_argument("--envs", nargs="+", default=["all"],
                        help="environments, domains or ids (EnvFactory/Calendar-v0), space or comma separated; "
                             "default: all")
    parser.add_argument("--split", choices=SPLITS, default="test", help="task split (default: test)")
    parser.add_argument("--k", type=int, default=4, help="episodes per task, seeds seed..seed+k-1 (default: 4)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default: 0)")
    parser.add_argument("--workers", type=int, default=1, help="processes, each building its own envs (default: 1)")
    parser.add_argument("--out", help="run directory (default: runs/<agent>, runs/<agent>-<envs>[-<split>] for "
                             "other selections); an existing one of the same agent, --envs and --split is resumed")
    parser.add_argument("--agent-arg", type=_agent_arg, action="append", default=[], metavar="KEY=VALUE",
                        help="keyword argument for the agent (JSON value or string), e.g. max_new_tokens=512")
    parser.add_argument("--max-turns", type=int, default=30, help="agent actions before truncation (default: 30)")
    parser.add_argument("--limit", type=int, help="play only the first N tasks of each environment")
    parser.add_argument("--leaderboard", nargs="?", const="leaderboards", metavar="DIR",
                        help="also write the result file to DIR/results/ (default DIR: leaderboards)")


def run(args: argparse.Namespace) -> int:
    envs = [part for value in args.envs for part in value.split(",") if part]
    try:
        result = evaluate(args.agent, envs, args.split, args.k, args.seed, args.workers, args.out,
                          dict(args.agent_arg), args.max_turns, args.limit)
    except ValueError as exc:  # a bad selection, agent spec or run directory: a usage error, not a crash
        print(f"envfactory eval: error: {exc}", file=sys.stderr)
        return 2
    print(render_summary(result.summary))
    print(f"\n{result.played} episodes played, {len(result.records) - result.played} resumed; "
          f"episodes and viewer in {result.run_dir} (open {result.run_dir / 'index.html'})")
    if args.leaderboard:
        from envfactory_gym.evaluation.leaderboard import write_result

        print(f"result file: {write_result(result, args.split, envs, args.seed, args.leaderboard)}")
    errors = result.summary["overall"]["errors"]
    if errors:
        print(f"{errors} episodes ended in an agent error; run the same command again to retry them")
    return 1 if errors else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.evaluation.evaluate")
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
