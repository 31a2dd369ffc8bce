"""The gate: the executed checks a generated environment module must pass to be accepted (never a model's opinion).

:func:`gate` first runs the sandbox's static check (:func:`~generators.environments.sandbox.check_source`); nothing
imports a module that fails it. Every other check runs in :func:`run_checks`, in a confined child process
(:func:`~generators.environments.sandbox.run_isolated`) with CPU, memory, wall-clock and file-size limits:

- ``builds``: the module imports, defines one World subclass, and its seeded state builds for seeds 0, 1 and 2 and
  for the world seeds ``envfactory verify`` builds (:data:`envfactory_gym.evaluation.verify.WORLD_SEEDS`);
- ``tools``: every tool runs on seeded states (arguments from real rows, JSON objects built from their schemas;
  then the gold calls of the generated tasks), at least once without a ToolError, never crashes, returns JSON and
  returns what its annotation declares (``ToolSpec.nonconformity``);
- ``determinism``: the same seed builds the same state, and the same calls give the same results and digest;
- ``adversarial``: :func:`envfactory_gym.evaluation.verify.adversarial_actions` (garbage, wrong types, SQL
  fragments, huge strings...) raise nothing, reach no tool bug and leave the state unchanged when rejected;
- ``reachable``: every tool is reachable in the tool graph (:mod:`generators.graph`);
- ``tasks``: the tool-graph task generator (:func:`generators.synthesis.synthesize`) keeps at least ``tasks``
  verified tasks;
- ``adversaries``: on every kept task the oracle earns 1 and every built-in reward hacker
  (:data:`envfactory_gym.agents.ADVERSARIES`) earns 0.

The report says what failed, per check and per tool, and carries the kept tasks as JSON lines.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generators.environments.sandbox import Limits, check_source, run_isolated

CHECKS = ("static", "builds", "tools", "determinism", "adversarial", "reachable", "tasks", "adversaries")
#: Calls per tool when probing it on seeded states.
PROBE_CALLS = 30
#: Adversarial actions played against the environment.
ADVERSARIAL_ACTIONS = 300


@dataclass
class CheckResult:
    """One check: whether it passed, a one-line summary and what failed."""

    name: str
    passed: bool
    detail: str = ""
    failures: list[str] = field(default_factory=list)


@dataclass
class ToolStatus:
    """One tool: how synthesis read it, whether it passed, and its first error."""

    name: str
    kind: str = ""
    status: str = "ok"
    error: str = ""
    #: Successful calls on seeded states (probing and gold calls).
    calls: int = 0


@dataclass
class GateReport:
    """The verdict on a module: the checks, the tools, the kept tasks (JSON lines) and the time taken."""

    name: str
    passed: bool
    checks: list[CheckResult]
    tools: list[ToolStatus] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def tasks_kept(self) -> int:
        return len(self.tasks)

    def failures(self) -> list[str]:
        return [f for check in self.checks for f in check.failures]

    def render(self) -> str:
        """The checks and the tools as tables, then what failed."""
        from tabulate import tabulate

        checks = tabulate([[c.name, "PASS" if c.passed else "FAIL", c.detail] for c in self.checks],
                          headers=[self.name, "", ""], tablefmt="github")
        tools = tabulate([[t.name, t.kind, t.status, t.calls, t.error[:100]] for t in self.tools],
                         headers=["tool", "inferred", "status", "calls", "first error"], tablefmt="github")
        verdict = (f"{self.name}: {'PASSED' if self.passed else 'FAILED'} the gate in {self.seconds:.1f} s, "
                   f"{self.tasks_kept} tasks kept")
        failures = self.failures()
        text = f"{checks}\n\n{tools}\n\n{verdict}"
        if failures:
            text += "\n\nFailures:\n" + "\n".join(f"- {f}" for f in failures[:60])
            if len(failures) > 60:
                text += f"\n- ... and {len(failures) - 60} more"
        return text

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def gate(source: str, name: str, tasks: int = 30, limits: Limits | None = None, seed: int = 0) -> GateReport:
    """Run every check on the module ``source`` whose environment class is ``name``; ``tasks`` verified tasks are
    required. The static check runs here; the rest in a sandboxed child with ``limits``."""
    started = time.perf_counter()
    problems = check_source(source)
    static = CheckResult("static", not problems, "sandbox allow-list" if not problems else
                         f"{len(problems)} violations", problems)
    if problems:
        return GateReport(name, False, [static, *(CheckResult(c, False, "not run: the static check failed")
                                                  for c in CHECKS[1:])], seconds=time.perf_counter() - started)
    outcome = run_isolated("generators.environments.gate:run_checks",
                           {"source": source, "name": name, "tasks": tasks, "seed": seed}, limits or Limits())
    if not outcome.ok:
        why = outcome.error or "the checks did not finish"
        return GateReport(name, False, [static, CheckResult("sandbox", False, why[:200], [why])],
                          seconds=time.perf_counter() - started)
    value = outcome.value
    report = GateReport(name, all(c["passed"] for c in value["checks"]) and static.passed,
                        [static, *(CheckResult(**c) for c in value["checks"])],
                        [ToolStatus(**t) for t in value["tools"]], value["tasks"])
    report.seconds = time.perf_counter() - started
    return report


# --------------------------------------------------------------------------------------- in the sandbox
def run_checks(payload: dict[str, Any]) -> dict[str, Any]:
    """The child's side of :func:`gate`: import the module from the work directory and run the executed checks.

    Returns ``{"checks": [...], "tools": [...], "tasks": [JSON line, ...]}``."""
    name, wanted, seed = payload["name"], int(payload["tasks"]), int(payload.get("seed", 0))
    run = _Run(name)
    world = run.build(payload["source"])
    if world is None:
        return run.result()
    from envfactory_gym.core.worldset import WorldSet

    worlds = WorldSet.of(name, (world,))
    run.tools = {public: ToolStatus(public, str(run.inferred.get(spec.name, ""))) for public, (_, spec)
                 in worlds(0).tools.items()}
    for check in (run.check_tools, run.check_determinism, run.check_adversarial):
        run.guarded(check.__name__.removeprefix("check_"), lambda c=check: c(worlds))
    graph = run.guarded("reachable", lambda: run.check_reachable(worlds))
    tasks = []
    if graph is not None:
        tasks = run.guarded("tasks", lambda: run.check_tasks(graph, wanted, seed)) or []
    else:
        run.checks.append(CheckResult("tasks", False, "not run: the tool graph could not be built"))
    if tasks:
        run.guarded("adversaries", lambda: run.check_adversaries(worlds, tasks))
        run.replay_gold(worlds, tasks)
    else:
        run.checks.append(CheckResult("adversaries", False, "not run: no tasks"))
    run.finish_tools()
    return run.result([t.to_json() for t in tasks])


class _Run:
    """The state of one gate run in the child: the checks so far and each tool's status."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.checks: list[CheckResult] = []
        self.tools: dict[str, ToolStatus] = {}
        self.inferred: dict[str, str] = {}
        #: Calls that worked: (seed, tool, arguments); replayed by the determinism check, chained by the tools check.
        self.calls: list[tuple[int, str, dict[str, Any]]] = []

    def result(self, tasks: list[str] | None = None) -> dict[str, Any]:
        return {"checks": [asdict(c) for c in self.checks], "tools": [asdict(t) for t in self.tools.values()],
                "tasks": tasks or []}

    def guarded(self, check: str, body: Any) -> Any:
        """Run one check; an exception is that check's failure (the other checks still run)."""
        try:
            return body()
        except Exception as exc:  # noqa: BLE001 - whatever the module does wrong is the finding
            self.checks.append(CheckResult(check, False, f"{type(exc).__name__}: {str(exc)[:160]}",
                                           [f"{check}: {type(exc).__name__}: {exc}"]))
            return None

    def fail_tool(self, tool: str, error: str) -> None:
        status = self.tools.get(tool)
        if status is not None and status.status != "failed":
            status.status, status.error = "failed", error

    # -------------------------------------------------------------------- build
    def build(self, source: str) -> Any:
        """The module's World class (seeds 0-2 built), or None with a failed ``builds`` check."""
        from envfactory_gym.core.world import World

        module_name = "envgen_" + re.sub(r"\W", "_", self.name.lower())
        path = Path.cwd() / f"{module_name}.py"
        path.write_text(source, encoding="utf-8")
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001
            self.checks.append(CheckResult("builds", False, f"import failed: {type(exc).__name__}",
                                           [f"import: {type(exc).__name__}: {exc}"]))
            return None
        classes = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, World)
                   and v is not World and v.__module__ == module_name]
        if len(classes) != 1:
            self.checks.append(CheckResult("builds", False, f"{len(classes)} World subclasses",
                                           [f"the module defines {len(classes)} World subclasses, not one"]))
            return None
        world = classes[0]
        if world.__name__ != self.name:
            self.checks.append(CheckResult("builds", False, "wrong class name",
                                           [f"the World subclass is {world.__name__}, not {self.name}"]))
            return None
        self.inferred = dict(getattr(module, "INFERRED", {}))
        from envfactory_gym.evaluation.verify import WORLD_SEEDS

        sizes: dict[str, int] = {}
        seed = 0
        try:
            for seed in (0, 1, 2):
                instance = world(seed)
                for table in instance.tables:
                    if not table.bookkeeping:
                        sizes[table.name] = instance.value(f'SELECT COUNT(*) FROM "{table.name}"')
            for seed in WORLD_SEEDS:
                world.snapshot(seed)
        except Exception as exc:  # noqa: BLE001
            self.checks.append(CheckResult("builds", False, f"seeding failed: {type(exc).__name__}",
                                           [f"populate (seed {seed}): {type(exc).__name__}: {exc}"]))
            return None
        seeded = ", ".join(f"{t} {n}" for t, n in sizes.items())
        self.checks.append(CheckResult("builds", True, f"{len(world.tools)} tools; rows: {seeded}"[:200]))
        return world

    # -------------------------------------------------------------------- tools
    def check_tools(self, worlds: Any) -> None:
        """Every tool succeeds on seeded states at least once and returns what it declares."""
        from generators.values import Chooser, pools

        rng = random.Random(f"gate:{self.name}")
        seeds = (0, 1, 2)
        instance = worlds(0)
        choosers = {seed: Chooser(pools(worlds, seed), rng) for seed in seeds}
        for public, (world, spec) in instance.tools.items():
            table = self.inferred.get(spec.name, "").partition(" ")[2] or None
            for attempt in range(PROBE_CALLS):
                seed = seeds[attempt % len(seeds)]
                instance.reset(seed)
                arguments = probe_arguments(choosers[seed], world.name, spec, attempt / PROBE_CALLS, table)
                if not self.attempt(instance, public, spec, arguments, seed):
                    break
        self.probe_with_preconditions(worlds)
        self.probe_chains(worlds, choosers, rng)
        failures = [f"tool '{t.name}': {t.error}" for t in self.tools.values() if t.status == "failed"]
        working = sum(1 for t in self.tools.values() if t.calls)
        self.checks.append(CheckResult("tools", not failures, f"{working}/{len(self.tools)} tools ran on seeded "
                                                              "states", failures))

    def probe_with_preconditions(self, worlds: Any) -> None:
        """Tools that never worked on a fresh state, tried the task generator's way (:func:`generators.graph.probe`):
        after a write that makes them work, such as a login whose token they take."""
        from generators.graph import probe

        if all(t.calls for t in self.tools.values()):
            return
        crashes: list[Any] = []
        results, _ = probe(worlds, 0, [], crashes=crashes)
        for crash in crashes:
            self.fail_tool(crash.tool, f"crashed while probed: {crash.error}")
        for public, found in results.items():
            status = self.tools[public]
            if status.calls or status.status == "failed":
                continue
            spec = worlds(0).tools[public][1]
            for result in found:
                mismatch = spec.nonconformity(result)
                if mismatch:
                    self.fail_tool(public, f"returned what it does not declare: {mismatch}")
                    break
                status.calls += 1

    def probe_chains(self, worlds: Any, choosers: dict[int, Any], rng: random.Random) -> None:
        """Tools that still never worked, called after one to three calls that did (writes first), their inputs
        taken from those calls' results by name: a card's balance once the login gave a token and the card list
        gave the card's id."""
        from generators.graph import leaves

        instance = worlds(0)
        for public, status in self.tools.items():
            if status.calls or status.status == "failed":
                continue
            world, spec = instance.tools[public]
            wanted = set(spec.parameters.get("properties", {}))
            feeders = {t for t, (_, other) in instance.tools.items() if t != public and wanted & _fields(
                other.output_schema or {})}
            for attempt in range(3 * PROBE_CALLS):
                seed = attempt % 3
                known = [(t, a) for s, t, a in self.calls if s == seed and t in feeders] or [
                    (t, a) for s, t, a in self.calls if s == seed and t != public]
                if not known:
                    continue
                instance.reset(seed)
                made: dict[str, list[Any]] = {}
                steps = rng.sample(known, min(len(known), rng.randint(1, 3)))
                for tool, arguments in sorted(steps, key=lambda step: not instance.writes(step[0])):
                    try:
                        result = instance.call(tool, _fed(arguments, made, rng))
                    except Exception:  # noqa: BLE001 - a step that does not work here is skipped
                        continue
                    for path, _, value in leaves(result):
                        made.setdefault(path.rsplit(".", 1)[-1], []).append(value)
                arguments = _fed(probe_arguments(choosers[seed], world.name, spec, 0.5), made, rng,
                                 spec.parameters.get("properties", {}))
                if not self.attempt(instance, public, spec, arguments, seed) or status.calls:
                    break

    def attempt(self, instance: Any, public: str, spec: Any, arguments: dict[str, Any], seed: int) -> bool:
        """One call on the state of ``seed``; False once the tool is found broken."""
        from envfactory_gym.core.tools import ToolError

        try:
            result = instance.call(public, arguments)
        except ToolError:
            return True
        except Exception as exc:  # noqa: BLE001
            self.fail_tool(public, f"crashed on {json.dumps(arguments, default=str)[:120]}: "
                                   f"{type(exc).__name__}: {exc}")
            return False
        try:
            json.dumps(result)
        except (TypeError, ValueError) as exc:
            self.fail_tool(public, f"returned non-JSON: {exc}")
            return False
        mismatch = spec.nonconformity(result)
        if mismatch:
            self.fail_tool(public, f"returned what it does not declare: {mismatch}")
            return False
        self.tools[public].calls += 1
        if len(self.calls) < 200 and (seed, public, arguments) not in self.calls:
            self.calls.append((seed, public, arguments))
        return True

    def replay_gold(self, worlds: Any, tasks: list[Any]) -> None:
        """The tasks' gold calls count as runs of their tools (and are checked like probe calls)."""
        instance = worlds(0)
        for task in tasks:
            instance.reset(task.seed)
            for call in task.gold:
                spec = instance.tools[call["name"]][1]
                if not self.attempt(instance, call["name"], spec, call["arguments"], task.seed):
                    break

    def finish_tools(self) -> None:
        """Tools that never ran fail; the tools check is updated with what the gold calls showed."""
        for status in self.tools.values():
            if status.status == "ok" and not status.calls:
                status.status, status.error = "failed", "never succeeded on a seeded state (every call was refused)"
        failures = [f"tool '{t.name}': {t.error}" for t in self.tools.values() if t.status == "failed"]
        check = next(c for c in self.checks if c.name == "tools")
        working = sum(1 for t in self.tools.values() if t.calls)
        failures += [f for f in check.failures if not f.startswith("tool '")]  # the check itself raised
        check.passed, check.failures = not failures, failures
        check.detail = f"{working}/{len(self.tools)} tools ran on seeded states"

    # -------------------------------------------------------------- determinism
    def check_determinism(self, worlds: Any) -> None:
        world = worlds.members[0]
        failures = []
        if world.build_initial(0)[1] != world.build_initial(0)[1]:
            failures.append("building seed 0 twice gives different data (populate must use only rng and fake)")
        runs = []
        for _ in range(2):
            instance = worlds(0)
            results = []
            for seed, public, arguments in self.calls[:60]:
                if seed:
                    continue
                try:
                    results.append(json.dumps(instance.call(public, arguments), sort_keys=True, default=str))
                except Exception as exc:  # noqa: BLE001
                    results.append(f"{type(exc).__name__}: {exc}")
            runs.append((results, instance.digest()))
        if runs[0] != runs[1]:
            first = next((i for i, (a, b) in enumerate(zip(runs[0][0], runs[1][0])) if a != b), None)
            where = f" (call {first + 1})" if first is not None else " (the final state)"
            failures.append(f"the same calls on seed 0 gave different results or states{where}")
        self.checks.append(CheckResult("determinism", not failures, f"2 builds, {len(runs[0][0])} calls x 2 runs",
                                       failures))

    # -------------------------------------------------------------- adversarial
    def check_adversarial(self, worlds: Any) -> None:
        from envfactory_gym.core.state import describe_tables
        from envfactory_gym.core.tasks import Task
        from envfactory_gym.episode.env import ToolUseEnv
        from envfactory_gym.evaluation.verify import adversarial_actions

        probe = Task(id=f"{self.name}-gate-probe", env=self.name, seed=0, split="train", request="Help me.", gold=())
        env = ToolUseEnv(self.name, split=None, tasks=[probe], worlds=worlds, max_turns=10_000)
        specs = {public: spec for public, (_, spec) in env.worlds.tools.items()}
        failures: list[str] = []
        env.reset(seed=0)
        baseline = env.state_digest()
        tables = {n: len(w.tables) for n, w in env.worlds.worlds.items()}
        actions = adversarial_actions(specs, ADVERSARIAL_ACTIONS, random.Random(0))
        for index, action in enumerate(actions):
            try:
                _, _, terminated, truncated, info = env.step(action)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"action {index}: the episode raised {type(exc).__name__}: {exc}")
                env.reset(seed=0)
                baseline = env.state_digest()
                continue
            for error in info["errors"]:
                if "internal error" in error:
                    tool = next((c.get("name", "?") if isinstance(c, dict) else getattr(c, "name", "?")
                                 for c in info["calls"]), "?")
                    failures.append(f"action {index}: tool bug in '{tool}': {error[:200]}")
                    self.fail_tool(tool, f"bug under adversarial input: {error[:160]}")
            if info["calls"] and not info["errors"]:
                baseline = env.state_digest()
            elif env.state_digest() != baseline:
                failures.append(f"action {index}: a rejected action changed the state")
                baseline = env.state_digest()
            if terminated or truncated:
                env.reset(seed=0)
                baseline = env.state_digest()
        for member, world in env.worlds.worlds.items():
            if len(describe_tables(world.conn)) != tables[member]:
                failures.append("the tables changed under adversarial input")
        env.close()
        self.checks.append(CheckResult("adversarial", not failures, f"{len(actions)} actions", failures))

    # ------------------------------------------------------------ graph and tasks
    def check_reachable(self, worlds: Any) -> Any:
        from generators.graph import UNREACHABLE, build

        graph = build(self.name, worlds)
        unreachable = [t for t in graph.tools if graph.cost[t] == UNREACHABLE]
        for tool in unreachable:
            needs = [p.name for p in graph.tools[tool].params.values() if p.required and p.kind == "unreachable"]
            self.fail_tool(tool, f"unreachable in the tool graph: no tool produces {', '.join(needs) or 'its inputs'}")
        for crash in graph.crashes:
            self.fail_tool(crash.tool, f"crashed while probed: {crash.error}")
        self.checks.append(CheckResult("reachable", not unreachable, f"{len(graph.tools) - len(unreachable)}/"
                                                                     f"{len(graph.tools)} tools reachable, "
                                                                     f"{graph.graph.number_of_edges()} edges",
                                       [f"tool '{t}' is unreachable" for t in unreachable]))
        return graph

    def check_tasks(self, graph: Any, wanted: int, seed: int) -> list[Any]:
        from generators.synthesis import synthesize

        tasks, report = synthesize(graph, wanted, seed=seed, max_attempts=40 * wanted + 200)
        for crash in report.crashes:
            self.fail_tool(crash.tool, f"crashed during task generation: {crash.error}")
        reasons = ", ".join(f"{reason} {count}" for reason, count in report.rejected.most_common(3))
        unused = [t for t in report.tools if not report.used[t]]
        detail = (f"{len(tasks)}/{wanted} verified tasks in {report.attempts} attempts"
                  + (f"; rejected: {reasons}" if reasons else "")
                  + (f"; unused: {', '.join(unused)}" if unused else ""))
        failures = [] if len(tasks) >= wanted else [f"only {len(tasks)} verified tasks (need {wanted}); "
                                                    f"top rejections: {reasons or 'none'}"]
        failures += [f"tool '{c.tool}' crashed during task generation: {c.error}" for c in report.crashes[:5]]
        self.checks.append(CheckResult("tasks", not failures, detail[:300], failures))
        return tasks

    def check_adversaries(self, worlds: Any, tasks: list[Any]) -> None:
        from envfactory_gym.agents import ADVERSARIES, OracleAgent, run_episode
        from envfactory_gym.episode.env import ToolUseEnv

        env = ToolUseEnv(self.name, split=None, tasks=tasks, worlds=worlds)
        failures = []
        earned: Counter[str] = Counter()
        for task in tasks:
            if not run_episode(env, OracleAgent(), task.id).success:
                failures.append(f"task {task.id}: the oracle (gold calls) does not earn 1")
            for hacker, make in ADVERSARIES.items():
                if run_episode(env, make(), task.id).success:
                    earned[hacker] += 1
                    failures.append(f"task {task.id}: the '{hacker}' adversary earns 1")
        env.close()
        self.checks.append(CheckResult("adversaries", not failures,
                                       f"oracle and {len(ADVERSARIES)} adversaries x {len(tasks)} tasks", failures))


# ------------------------------------------------------------------------------------------- arguments
def probe_arguments(chooser: Any, world: str, spec: Any, optional: float, table: str | None = None) -> dict[str, Any]:
    """Schema-valid arguments for one call: scalars named like columns of one row of ``table`` (the tool's own,
    else the table naming most of them), the others from the task generator's chooser, JSON objects and arrays
    of objects built field by field from their schemas."""
    defs = spec.parameters.get("$defs", {})
    properties = {name: _resolved(schema, defs) for name, schema in spec.parameters.get("properties", {}).items()}
    required = set(spec.parameters.get("required", []))
    wanted = [p for p in properties if p in required or chooser.rng.random() < 0.2 + optional / 2]
    scalars = [p for p in wanted if _kind(properties[p]) not in ("object", "array-object")]
    arguments = _one_row(chooser, world, {p: properties[p] for p in scalars}, table)
    rest = [p for p in scalars if p not in arguments]
    arguments.update(chooser.arguments(world, table, spec.writes, {p: properties[p] for p in rest}, rest))
    for name in wanted:
        if name not in arguments:
            value = _built(chooser, world, name, properties[name], spec.parameters.get("$defs", {}), 0, table)
            if value is not None:
                arguments[name] = value
    return arguments


def _one_row(chooser: Any, world: str, properties: dict[str, Any], table: str | None) -> dict[str, Any]:
    """Values of the parameters named like columns of one random row (of ``table`` when it has any of them)."""
    from generators.values import json_type

    def filled(name: str) -> set[str]:
        """The parameters named like columns of table ``name`` that hold a value in some row."""
        rows = chooser.pools.rows[(world, name)]
        return {p for p in properties if p in chooser.pools.tables.get((world, name), {})
                and any(row.get(p) is not None for row in rows)}

    names = [t for w, t in chooser.pools.tables if w == world and chooser.pools.rows.get((w, t))]
    best = max(names, key=lambda name: (len(filled(name)), name == table), default=None)
    if best is None or not filled(best):
        return {}
    wanted = filled(best)
    rows = chooser.pools.rows[(world, best)]
    row = chooser.rng.choice([r for r in rows if all(r.get(p) is not None for p in wanted)] or rows)
    found = {}
    for name, schema in properties.items():
        value = row.get(name)
        kind = _concrete(schema).get("type")
        if isinstance(value, str) and kind in ("array", "object"):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if value is not None and (json_type(value) == kind or kind == "number" and json_type(value) == "integer"):
            found[name] = value
    return found


def _fed(arguments: dict[str, Any], made: dict[str, list[Any]], rng: random.Random,
         properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """``arguments`` with values earlier results gave under the same name (for the parameters in ``properties``,
    else for those already given)."""
    names = properties if properties is not None else arguments
    fed = dict(arguments)
    for name in names:
        if made.get(name):
            fed[name] = rng.choice(made[name])
    return fed


def _fields(schema: dict[str, Any]) -> set[str]:
    """Every property name anywhere in a JSON schema (its definitions included)."""
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _resolved(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema with the definitions it and its items refer to put in place (one level each)."""
    schema = _concrete(schema)
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict) and "$ref" in schema["items"]:
        schema = {**schema, "items": defs.get(schema["items"]["$ref"].rsplit("/", 1)[-1], {})}
    return schema


def _kind(schema: dict[str, Any]) -> str:
    schema = _concrete(schema)
    if schema.get("type") == "array" and _concrete(schema.get("items", {})).get("type") == "object":
        return "array-object"
    return str(schema.get("type", "string"))


def _concrete(schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null alternative of an optional schema."""
    if "anyOf" in schema:
        return next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
    return schema


def _built(chooser: Any, world: str, name: str, schema: dict[str, Any], defs: dict[str, Any], depth: int,
           table: str | None = None) -> Any:
    """A value for a schema the chooser cannot fill: objects field by field (their scalars from one row, of the
    tool's ``table`` when it has them), arrays of one item."""
    schema = _concrete(schema)
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    kind = schema.get("type")
    if kind == "object":
        fields = schema.get("properties")
        if not fields:
            return {"name": chooser.value(world, None, False, "name", {"type": "string"}) or "note"}
        if depth > 3:
            return {}
        scalars = {key: sub for key, sub in fields.items() if _kind(sub) not in ("object", "array-object", "array")}
        found = _one_row(chooser, world, scalars, table)  # a relation's from, to and type from one real relation
        return {key: value for key, sub in fields.items()
                if (value := found.get(key, _built(chooser, world, key, sub, defs, depth + 1, table))) is not None}
    if kind == "array":
        item = _built(chooser, world, name, schema.get("items", {"type": "string"}), defs, depth + 1, table)
        return [] if item is None else [item]
    return chooser.value(world, None, False, name, schema)
