"""Executed checks of environments (``envfactory verify``): the contract every environment must meet.

Checks per environment or domain: Gymnasium's ``check_env``; its world builds on seeds beyond those of its task
files; determinism (same seed and actions give the same observations, digest and reward); every tool succeeds on a
seeded state and returns JSON; every task's gold path earns 1; doing nothing and stopping one call short earn 0;
garbage and adversarial actions raise nothing, never reach a tool bug, and leave the state unchanged whenever they
are rejected; every built-in reward hacker (dump everything read, ask then dump, echo, over-act) earns 0 on every
task.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import string
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

CHECKS = ("check_env", "worlds", "determinism", "tools", "gold", "negative", "adversarial", "reward_hacks")


@dataclass
class CheckResult:
    env: str
    check: str
    passed: bool
    detail: str = ""
    failures: list[str] = field(default_factory=list)


#: World seeds the worlds check builds: spread over the ranges training runs draw from (rl.train's train worlds start
#: at 0, its test worlds at 1000), including seeds whose worlds once failed to build (101 GitHubServer, 110
#: OpenLibrary, 279 Canvas, 441 FatSecretPlatform, 513 HKBus, 522 and 589 Valorant, 883 and 926 GameTrending, 1034
#: NationalParks, 1040 Whois).
WORLD_SEEDS = (3, 11, 57, 101, 110, 279, 441, 513, 522, 589, 883, 926, 1000, 1034, 1040, 2026)
#: Tasks of each member a domain's episode checks replay in the domain env (its members verify all of theirs).
MEMBER_SAMPLE = 3


def _make(name: str) -> Any:
    return gym.make(f"EnvFactory/{name}-v0", split=None).unwrapped


def _checked(env: Any) -> list[Any]:
    """The tasks the episode checks play: all of an environment's; a domain's cross-environment tasks and the
    first :data:`MEMBER_SAMPLE` of each member's (enough to show they play under the domain's tool names)."""
    if len(env.worlds.worlds) == 1:
        return env.tasks
    per_member: dict[str, int] = {}
    sample = []
    for task in env.tasks:
        if task.env not in env.worlds.worlds:
            sample.append(task)
        elif per_member.setdefault(task.env, 0) < MEMBER_SAMPLE:
            per_member[task.env] += 1
            sample.append(task)
    return sample


def _play(env: Any, task_id: str, actions: Iterable[Any], seed: int = 0) -> tuple[list[str], float, str]:
    observation, _ = env.reset(seed=seed, options={"task_id": task_id})
    observations, reward = [observation], 0.0
    for action in actions:
        observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(observation)
        if terminated or truncated:
            break
    return observations, reward, env.state_digest()


def _oracle_actions(env: Any, task_id: str) -> list[Any]:
    from envfactory_gym.agents import OracleAgent

    _, info = env.reset(options={"task_id": task_id})
    agent = OracleAgent()
    agent.reset(env, info)
    return list(agent.plan)


def check_env_contract(name: str) -> CheckResult:
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            check_env(_make(name), skip_render_check=False)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            return CheckResult(name, "check_env", False, failures=[f"{name}: {type(exc).__name__}: {exc}"])
    return CheckResult(name, "check_env", True, "gymnasium check_env passed")


def check_worlds(name: str, seeds: Iterable[int] = WORLD_SEEDS) -> CheckResult:
    """The environment's world builds on every seed, not only on the task files' (a domain's members are checked
    on their own)."""
    from envfactory_gym.registration import ENVIRONMENTS, world_set

    if name not in ENVIRONMENTS:
        return CheckResult(name, "worlds", True, "a domain: its members' worlds are checked on their own")
    world, seeds = world_set(name).members[0], tuple(seeds)
    failures = []
    for seed in seeds:
        try:
            world.snapshot(seed)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(f"{name} seed {seed}: the world failed to build: {type(exc).__name__}: {exc}")
    built = f"{len(seeds) - len(failures)} of {len(seeds)} seeds built"
    return CheckResult(name, "worlds", not failures, built, failures)


def check_determinism(name: str, tasks: int = 5) -> CheckResult:
    first, second = _make(name), _make(name)
    failures = []
    for task in first.tasks[:tasks]:
        actions = _oracle_actions(first, task.id)
        runs = [_play(env, task.id, actions, seed=7) for env in (first, second, first)]
        if not runs[0] == runs[1] == runs[2]:
            failures.append(f"{name} task {task.id}: observations, digest or reward differ between runs")
    return CheckResult(name, "determinism", not failures, f"{min(tasks, len(first.tasks))} tasks x 3 runs", failures)


def check_tools(name: str, random_calls: int = 20) -> CheckResult:
    """Every tool must succeed at least once (gold arguments, then random schema-valid ones), return JSON, and
    return what its annotation declares (its output schema); a tool that declares nothing is reported."""
    from envfactory_gym.agents import random_arguments
    from envfactory_gym.core.tools import ToolError

    env = _make(name)
    worlds = env.worlds
    succeeded: set[str] = set()
    failures: list[str] = []

    def attempt(tool: str, arguments: Any, where: str) -> None:
        try:
            result = worlds.call(tool, arguments)
        except ToolError:
            return
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{name} {where}: tool '{tool}' crashed: {type(exc).__name__}: {exc}")
            return
        try:
            json.dumps(result)
        except (TypeError, ValueError) as exc:
            failures.append(f"{name} {where}: tool '{tool}' returned non-JSON: {exc}")
            return
        mismatch = worlds.tools[tool][1].nonconformity(result)
        if mismatch:
            failures.append(f"{name} {where}: tool '{tool}' returned what it does not declare: {mismatch}")
            return
        succeeded.add(tool)

    for task in env.tasks:
        env.reset(options={"task_id": task.id})
        for tool, arguments in env.gold_calls():
            attempt(tool, arguments, f"task {task.id}")
    rng = random.Random(0)
    for tool, (_, spec) in worlds.tools.items():
        for _ in range(random_calls):
            if tool in succeeded:
                break
            worlds.reset(env.tasks[0].seed)
            attempt(tool, random_arguments(spec.parameters, rng), "random arguments")
    failures += [f"{name}: tool '{t}' never succeeded (no task uses it, random calls fail)"
                 for t in worlds.tools if t not in succeeded]
    failures += [f"{name}: tool '{t}' declares no return type (annotate it with a TypedDict or model)"
                 for t, (_, spec) in worlds.tools.items() if spec.output_schema is None]
    return CheckResult(name, "tools", not failures, f"{len(succeeded)}/{len(worlds.tools)} tools ran", failures)


def check_gold(name: str) -> CheckResult:
    env = _make(name)
    failures, tasks = [], _checked(env)
    for task in tasks:
        _, reward, _ = _play(env, task.id, _oracle_actions(env, task.id))
        if reward != 1.0:
            failures.append(f"{name} task {task.id}: gold path earned {reward}: {env.breakdown.as_dict()}")
    return CheckResult(name, "gold", not failures, f"{len(tasks)} tasks", failures)


def check_negative(name: str) -> CheckResult:
    from envfactory_gym.agents import final_message

    env = _make(name)
    failures, tasks = [], _checked(env)
    for task in tasks:
        _, reward, _ = _play(env, task.id, ["I can't help with that."])
        if reward != 0.0:
            failures.append(f"{name} task {task.id}: doing nothing earned {reward}")
        plan = _oracle_actions(env, task.id)
        short = [a for a in plan[:-1] if not isinstance(a, str)][:-1]
        asks = [a for a in plan[:-1] if isinstance(a, str)]
        _, reward, _ = _play(env, task.id, [*asks, *short, final_message(())])
        if reward != 0.0:
            failures.append(f"{name} task {task.id}: stopping one call short earned {reward}")
    return CheckResult(name, "negative", not failures, f"{len(tasks)} tasks x 2 wrong paths", failures)


def adversarial_actions(tools: dict[str, Any], count: int, rng: random.Random) -> list[Any]:
    """Garbage: random text, broken JSON, unknown tools, wrong types, SQL fragments, unicode, huge strings."""
    names = sorted(tools)
    nasty = ["'; DROP TABLE users; --", "1 OR 1=1", "\" OR \"\"=\"", "%", "_", "\\", "NULL", "💥 ñ 漢字 \u202e",
             "\x00", "../../etc/passwd", "A" * 1_000_000]

    def bad_value(kind: str | None) -> Any:
        pool: list[Any] = [None, [], {}, 3.5, -1, True, ["x"], {"a": 1}]
        return rng.choice([v for v in pool if _json_type(v) != kind] or pool)

    makers: list[Callable[[], Any]] = [
        lambda: "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 300))),
        lambda: "<tool_call>{" + "".join(rng.choice(string.printable) for _ in range(40)) + "</tool_call>",
        lambda: {"name": rng.choice(["", "rm -rf /", "DROP", "x" * 100, "__init__", "call"]), "arguments": {}},
        lambda: {"name": rng.choice(names), "arguments": rng.choice([[], "not json", 5, None, "[1,2]"])},
        lambda: _wrong_types(tools, rng, bad_value),
        lambda: _nasty_ids(tools, rng, nasty),
        lambda: rng.choice([None, 42, 3.14, b"bytes", ("tuple",), [1, 2], {"role": "assistant", "tool_calls": 5}]),
        lambda: {"role": "assistant", "content": None, "tool_calls": [{"function": {"name": rng.choice(names),
                                                                                  "arguments": "{broken"}}]},
    ]
    return [rng.choice(makers)() for _ in range(count)]


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null")


def _wrong_types(tools: dict[str, Any], rng: random.Random, bad_value: Callable[[str | None], Any]) -> Any:
    name = rng.choice(sorted(tools))
    props = tools[name].parameters.get("properties", {})
    arguments = {p: bad_value(s.get("type")) for p, s in props.items()}
    arguments[rng.choice(["unknown_arg", "__class__", ""])] = 1
    return {"name": name, "arguments": arguments}


def _nasty_ids(tools: dict[str, Any], rng: random.Random, nasty: list[str]) -> Any:
    """A call whose id-like parameters hold SQL fragments, unicode or huge strings (lookups must fail cleanly)."""
    name = rng.choice(sorted(tools))
    schema = tools[name].parameters
    arguments = {}
    for p in schema.get("required", []):
        kind = schema["properties"][p].get("type")
        arguments[p] = rng.choice(nasty) if kind == "string" else bad_value_for(kind)
    return {"name": name, "arguments": arguments}


def bad_value_for(kind: str | None) -> Any:
    return {"integer": 0, "number": 0.0, "boolean": False, "array": [], "object": {}}.get(kind, "")


def check_reward_hacks(name: str) -> CheckResult:
    """Every built-in reward hacker (:data:`envfactory_gym.agents.ADVERSARIES`) must earn 0 on every task."""
    from envfactory_gym.agents import ADVERSARIES, run_episode

    env = _make(name)
    tasks = _checked(env)
    failures = [f"{name} task {task.id}: the '{hacker}' adversary earned reward 1"
                for task in tasks for hacker, make in ADVERSARIES.items()
                if run_episode(env, make(), task.id).success]
    return CheckResult(name, "reward_hacks", not failures,
                       f"{len(ADVERSARIES)} adversaries x {len(tasks)} tasks", failures)


def check_adversarial(name: str, count: int = 1000, seed: int = 0) -> CheckResult:
    env = _make(name)
    rng = random.Random(seed)
    specs = {public: spec for public, (_, spec) in env.worlds.tools.items()}
    failures: list[str] = []
    env.reset(seed=seed)
    baseline = env.state_digest()
    tables = {name: len(w.tables) for name, w in env.worlds.worlds.items()}
    for index, action in enumerate(adversarial_actions(specs, count, rng)):
        try:
            _, _, terminated, truncated, info = env.step(action)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{name} action {index}: raised {type(exc).__name__}: {exc}")
            env.reset(seed=seed)
            baseline = env.state_digest()
            continue
        errors = info["errors"]
        if any("internal error" in e for e in errors):
            failures.append(f"{name} action {index}: tool bug: {errors[0][:200]}")
        if info["calls"] and not errors:
            baseline = env.state_digest()  # a call the environment accepted as valid may change state
        elif env.state_digest() != baseline:
            failures.append(f"{name} action {index}: a rejected action changed the state")
            baseline = env.state_digest()
        if terminated or truncated:
            env.reset(seed=seed)
            baseline = env.state_digest()
    for member, world in env.worlds.worlds.items():
        from envfactory_gym.core.state import describe_tables

        if len(describe_tables(world.conn)) != tables[member]:
            failures.append(f"{name}: tables of {member} changed under adversarial input")
    return CheckResult(name, "adversarial", not failures, f"{count} actions", failures)


RUNNERS: dict[str, Callable[[str], CheckResult]] = {
    "check_env": check_env_contract,
    "worlds": check_worlds,
    "determinism": check_determinism,
    "tools": check_tools,
    "gold": check_gold,
    "negative": check_negative,
    "adversarial": check_adversarial,
    "reward_hacks": check_reward_hacks,
}


def verify(names: Iterable[str] | None = None, checks: Iterable[str] = CHECKS, progress: bool = True,
           world_seeds: Iterable[int] = WORLD_SEEDS) -> list[CheckResult]:
    """Run the checks over environments (every registered environment and domain by default); the worlds check
    builds ``world_seeds``."""
    from tqdm import tqdm

    from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, load_tasks

    names = list(names) if names else [n for n in [*ENVIRONMENTS, *DOMAINS] if load_tasks(n)]
    jobs = [(n, c) for n in names for c in checks]
    runners = {**RUNNERS, "worlds": functools.partial(check_worlds, seeds=tuple(world_seeds))}
    results = []
    for name, check in tqdm(jobs, desc="verify", disable=not progress, unit="check"):
        try:
            results.append(runners[check](name))
        except Exception as exc:  # noqa: BLE001 - an environment that cannot even load fails every check
            results.append(CheckResult(name, check, False, failures=[f"{name}: {type(exc).__name__}: {exc}"]))
    return results


def render_table(results: list[CheckResult]) -> str:
    from tabulate import tabulate

    names = list(dict.fromkeys(r.env for r in results))
    checks = list(dict.fromkeys(r.check for r in results))
    cell = {(r.env, r.check): ("PASS" if r.passed else "FAIL") for r in results}
    rows = [[n, *(cell.get((n, c), "-") for c in checks)] for n in names]
    text = tabulate(rows, headers=["environment", *checks], tablefmt="github")
    failures = [f for r in results for f in r.failures]
    if failures:
        text += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in failures[:200])
    return text


def seed_range(text: str) -> range:
    """``A-B`` (both included) as the range of seeds it names; a usage error otherwise."""
    first, dash, last = text.partition("-")
    if not (dash and first.isdigit() and last.isdigit() and int(first) <= int(last)):
        raise argparse.ArgumentTypeError(f"expected FIRST-LAST with 0 <= FIRST <= LAST, e.g. 0-999, got '{text}'")
    return range(int(first), int(last) + 1)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", help="environments or domains (default: all with tasks)")
    parser.add_argument("--checks", nargs="+", choices=CHECKS, default=list(CHECKS), help="checks to run")
    parser.add_argument("--world-seeds", type=seed_range, default=WORLD_SEEDS, metavar="FIRST-LAST",
                        help="the seeds the worlds check builds, e.g. 0-999 (default: the 16 of verify.WORLD_SEEDS)")


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import unknown_names

    names, error = unknown_names(args.names)
    if error:  # a usage error, said once (not once per check)
        print(f"envfactory verify: error: {error}", file=sys.stderr)
        return 2
    results = verify(names, args.checks, world_seeds=args.world_seeds)
    print(render_table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.evaluation.verify")
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
