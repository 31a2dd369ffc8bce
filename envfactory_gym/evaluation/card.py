"""The quality card of an environment (``envfactory card``): figures computed by executing, never typed in.

Per environment, and per domain over its cross-environment tasks (those whose ``env`` is the domain):

- tools, read and write, by name;
- tasks by split, the chain-length histogram (gold calls per task), the conversational share;
- request shapes: the requests after masking values (quoted strings, e-mails, paths, dates and times, ids,
  numbers), how many distinct shapes there are, and how many requests repeat an earlier one exactly or after
  masking (a masked duplicate count includes the exact ones);
- success of the oracle, the no-op agent and each built-in adversary (``envfactory_gym.agents.ADVERSARIES``),
  every task (train and test) played once per agent;
- tasks whose alternative-path check passed in calibration (``tags["alt_path"] is True``);
- determinism: the oracle replayed on a sample of tasks in two fresh env instances gives the same observations,
  state digests and rewards.

``envfactory card NAME...`` prints cards; ``envfactory card --all`` writes every environment's and domain's
card, under a summary table, to ``envs/QUALITY.md`` (``--out`` elsewhere).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envfactory_gym.core.tasks import mask_request

#: Tasks the oracle is replayed on (twice, in two fresh env instances) for the determinism figure.
DETERMINISM_SAMPLE = 5
#: Width of the longest bar of the chain-length histogram.
BAR_WIDTH = 30
DEFAULT_OUT = "envs/QUALITY.md"
#: The agent expected to succeed on every task (every other agent is expected to fail every task).
ORACLE = "oracle"
#: Task ids listed per agent with an unexpected outcome.
SHOWN_TASKS = 5

@dataclass(frozen=True)
class RequestStats:
    shapes: int
    exact_duplicates: int
    masked_duplicates: int
    #: the shapes shared by several requests, most frequent first (at most three), with their counts
    repeated: tuple[tuple[str, int], ...] = ()


def request_stats(requests: Iterable[str]) -> RequestStats:
    """Distinct shapes, and requests that repeat an earlier one exactly / after masking values."""
    requests = list(requests)
    shapes = Counter(mask_request(r) for r in requests)
    repeated = tuple((shape, n) for shape, n in shapes.most_common(3) if n > 1)
    return RequestStats(len(shapes), len(requests) - len(set(requests)), len(requests) - len(shapes), repeated)


# ------------------------------------------------------------------------------------------------- card
@dataclass
class Card:
    name: str
    domain: str
    members: tuple[str, ...]
    read_tools: list[str]
    write_tools: list[str]
    splits: dict[str, int]
    chain_lengths: dict[int, int]
    conversational: int
    requests: RequestStats
    #: agent -> (successes, episodes played)
    success: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: agent -> episodes that raised
    crashes: dict[str, int] = field(default_factory=dict)
    #: agent -> tasks with the unexpected outcome (the oracle failing, any other agent succeeding)
    surprises: dict[str, list[str]] = field(default_factory=dict)
    alt_path: int = 0
    determinism: tuple[int, int] = (0, 0)
    determinism_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def tasks(self) -> int:
        return sum(self.splits.values())

    @property
    def is_domain(self) -> bool:
        return self.members != (self.name,)


def default_agents() -> dict[str, Callable[[], Any]]:
    """The agents a card plays: the oracle, the no-op agent and every built-in adversary."""
    from envfactory_gym.agents import ADVERSARIES, NoOpAgent, OracleAgent

    return {ORACLE: OracleAgent, "no-op": NoOpAgent, **ADVERSARIES}


def card_tasks(name: str) -> list[Any]:
    """The tasks a card covers: an environment's own; a domain's cross-environment ones."""
    from envfactory_gym.registration import load_tasks

    return [t for t in load_tasks(name) if t.env == name]


def _make(name: str, tasks: Sequence[Any]) -> Any:
    import gymnasium as gym

    from envfactory_gym.registration import DOMAINS, env_id

    return gym.make(env_id(name), tasks=list(tasks)) if name in DOMAINS else gym.make(env_id(name), split=None)


def _recorder() -> type:
    import gymnasium as gym

    class Recorder(gym.Wrapper):
        """Keeps every observation an episode returns."""

        def reset(self, **kwargs: Any) -> Any:
            observation, info = self.env.reset(**kwargs)
            self.observations = [observation]
            return observation, info

        def step(self, action: Any) -> Any:
            result = self.env.step(action)
            self.observations.append(result[0])
            return result

    return Recorder


def check_determinism(name: str, tasks: Sequence[Any], sample: int = DETERMINISM_SAMPLE) -> tuple[int, list[str]]:
    """Replay the oracle on ``sample`` tasks spread over the set, once in each of two fresh env instances; the
    number of tasks replayed and one line per task whose runs differ."""
    from envfactory_gym.agents import OracleAgent, run_episode

    if not tasks:
        return 0, []
    chosen = list(dict.fromkeys(tasks[i * len(tasks) // sample].id for i in range(min(sample, len(tasks)))))
    recorder = _recorder()
    envs = [recorder(_make(name, tasks)) for _ in range(2)]
    failures = []
    for task_id in chosen:
        runs = []
        for env in envs:
            result = run_episode(env, OracleAgent(), task_id)
            runs.append((env.observations, env.unwrapped.state_digest(), result.reward))
        differ = [what for what, a, b in zip(("observations", "state digests", "rewards"), *runs) if a != b]
        if differ:
            failures.append(f"{task_id}: {', '.join(differ)} differ between two fresh envs")
    for env in envs:
        env.close()
    return len(chosen), failures


def build_card(name: str, agents: dict[str, Callable[[], Any]] | None = None) -> Card:
    """Compute the card of an environment or domain by executing its tasks."""
    from envfactory_gym.agents import run_episode
    from envfactory_gym.registration import ENVIRONMENTS, members, world_set

    start = time.perf_counter()
    agents = default_agents() if agents is None else agents
    tasks = card_tasks(name)
    tools = world_set(name)(tasks[0].seed if tasks else 0).tools
    card = Card(
        name=name,
        domain=ENVIRONMENTS[name][0] if name in ENVIRONMENTS else name,
        members=members(name),
        read_tools=[t for t, (_, spec) in tools.items() if not spec.writes],
        write_tools=[t for t, (_, spec) in tools.items() if spec.writes],
        splits={split: sum(t.split == split for t in tasks) for split in ("train", "test")},
        chain_lengths=dict(sorted(Counter(len(t.gold) for t in tasks).items())),
        conversational=sum(t.conversational for t in tasks),
        requests=request_stats(t.request for t in tasks),
        alt_path=sum(t.tags.get("alt_path") is True for t in tasks),
    )
    if tasks:
        env = _make(name, tasks)
        try:
            for agent, factory in agents.items():
                wins, crashed, surprises = 0, 0, []
                for task in tasks:
                    try:
                        success = run_episode(env, factory(), task.id).success
                    except Exception:  # noqa: BLE001 - a crashing agent is a figure of the card, not its end
                        success, crashed = False, crashed + 1
                    wins += success
                    if success != (agent == ORACLE):
                        surprises.append(task.id)
                card.success[agent] = (wins, len(tasks))
                if crashed:
                    card.crashes[agent] = crashed
                if surprises:
                    card.surprises[agent] = surprises
        finally:
            env.close()
        sampled, card.determinism_failures = check_determinism(name, tasks)
        card.determinism = (sampled - len(card.determinism_failures), sampled)
    card.seconds = time.perf_counter() - start
    return card


# ------------------------------------------------------------------------------------------------ render
def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _rate(card: Card, agent: str) -> str:
    wins, played = card.success.get(agent, (0, 0))
    return _pct(wins, played)


def histogram(counts: dict[int, int], width: int = BAR_WIDTH) -> str:
    """Text bars, one line per chain length."""
    if not counts:
        return "(no tasks)"
    top = max(counts.values())
    label = max(len(f"{n} calls") for n in counts)
    return "\n".join(f"{f'{n} call' + ('s' if n != 1 else ''):<{label}}  "
                     f"{'█' * max(1, round(width * c / top)):<{width}}  {c}" for n, c in counts.items())


def render_card(card: Card, level: int = 2) -> str:
    """One card as markdown."""
    from tabulate import tabulate

    head = "#" * level
    count = f"{len(card.members)} environment{'s' if len(card.members) != 1 else ''}"
    kind = (f"domain {card.name} ({count}: {', '.join(card.members)}); its cross-environment tasks"
            if card.is_domain else f"environment of the {card.domain} domain")
    lines = [f"{head} {card.name}", "", f"`EnvFactory/{card.name}-v0`: {kind}.", ""]
    lines += [f"- **Tools**: {len(card.read_tools) + len(card.write_tools)}: "
              f"{len(card.read_tools)} read, {len(card.write_tools)} write",
              f"  - read: {', '.join(f'`{t}`' for t in card.read_tools) or '-'}",
              f"  - write: {', '.join(f'`{t}`' for t in card.write_tools) or '-'}"]
    if not card.tasks:
        lines += ["- **Tasks**: none of its own (no cross-environment tasks); its episodes draw its members' tasks, "
                  "carded under each member."]
        return "\n".join(lines) + "\n"
    r = card.requests
    lines += [
        f"- **Tasks**: {card.tasks}: {card.splits['train']} train, {card.splits['test']} test",
        f"- **Conversational** (hidden user facts to ask for): {card.conversational} "
        f"({_pct(card.conversational, card.tasks)})",
        f"- **Requests**: {r.shapes} distinct shapes after masking values; duplicates: {r.exact_duplicates} exact, "
        f"{r.masked_duplicates} after masking",
        *(f"  - {n} requests: `{shape}`" for shape, n in r.repeated),
        f"- **Alternative-path check passed**: {card.alt_path} of {card.tasks} tasks",
        f"- **Determinism**: {card.determinism[0]}/{card.determinism[1]} sampled tasks replay identically "
        "(observations, digest, reward) in two fresh envs",
        *(f"  - {f}" for f in card.determinism_failures),
        "",
        "Chain length (gold calls per task):",
        "",
        "```text",
        histogram(card.chain_lengths),
        "```",
        "",
    ]
    rows = [[agent, wins, played, _pct(wins, played), card.crashes.get(agent, 0)]
            for agent, (wins, played) in card.success.items()]
    lines += [tabulate(rows, headers=["agent", "successes", "episodes", "success", "raised"], tablefmt="github"), ""]
    for agent, ids in card.surprises.items():
        what = "failed" if agent == ORACLE else "succeeded on"
        more = f" and {len(ids) - SHOWN_TASKS} more" if len(ids) > SHOWN_TASKS else ""
        lines.append(f"- {agent} {what}: {', '.join(f'`{i}`' for i in ids[:SHOWN_TASKS])}{more}")
    return "\n".join(lines).rstrip() + "\n"


def summary_table(cards: Sequence[Card]) -> str:
    from tabulate import tabulate

    agents = list(dict.fromkeys(a for c in cards for a in c.success))
    rows = []
    for c in cards:
        mean = sum(n * k for n, k in c.chain_lengths.items()) / c.tasks if c.tasks else 0
        rows.append([
            f"[{c.name}](#{c.name.lower()})", c.domain if not c.is_domain else "(domain)",
            f"{len(c.read_tools)}/{len(c.write_tools)}", f"{c.splits['train']}/{c.splits['test']}",
            f"{mean:.1f}" if c.tasks else "-", _pct(c.conversational, c.tasks), c.requests.shapes if c.tasks else "-",
            f"{c.requests.exact_duplicates}/{c.requests.masked_duplicates}" if c.tasks else "-",
            *(_rate(c, a) for a in agents), c.alt_path if c.tasks else "-",
            f"{c.determinism[0]}/{c.determinism[1]}" if c.tasks else "-",
        ])
    headers = ["env", "domain", "tools r/w", "tasks train/test", "mean calls", "conversational", "shapes",
               "dup exact/masked", *agents, "alt path", "deterministic"]
    return tabulate(rows, headers=headers, tablefmt="github")


def render_page(cards: Sequence[Card]) -> str:
    """The quality page: what the figures mean, the summary table, then every card."""
    intro = [
        "# Quality cards",
        "",
        "Written by `envfactory card --all` from the registered environments and their task files: every figure "
        "is computed by executing them. Domains are carded over their cross-environment tasks only (those whose "
        "env is the domain); their members' tasks are carded under each member.",
        "",
        "- *tools r/w*: read and write tools offered to the agent.",
        "- *mean calls*: gold calls per task; each card has the histogram.",
        "- *shapes*: distinct requests after masking values (quoted strings, e-mails, paths, dates, times, ids, "
        "numbers); *dup exact/masked*: requests repeating an earlier one verbatim / after masking.",
        "- *oracle*, *no-op* and the built-in adversaries: share of all tasks (train and test) each succeeds on, "
        "one episode per task. The oracle should be at 100%, every other agent at 0%.",
        "- *alt path*: tasks whose alternative valid path to the same outcome earned 1 in calibration.",
        "- *deterministic*: sampled tasks whose oracle replay gives the same observations, state digest and reward "
        "in two fresh env instances.",
        "",
        "## Summary",
        "",
        summary_table(cards),
        "",
    ]
    return "\n".join(intro + [render_card(c, level=2) for c in cards]).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------- command
def build_cards(names: Sequence[str], progress: bool = True) -> list[Card]:
    from tqdm import tqdm

    return [build_card(n) for n in tqdm(names, desc="card", unit="env", disable=not progress)]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", help="environments or domains to print the card of")
    parser.add_argument("--all", action="store_true",
                        help=f"write the cards of every environment and domain to --out (default {DEFAULT_OUT})")
    parser.add_argument("--out", default=None, help=f"where --all writes the page (default {DEFAULT_OUT})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from envfactory_gym.registration import DOMAINS, ENVIRONMENTS, ENVS_ROOT, unknown_names

    if args.all == bool(args.names):
        print("envfactory card: give environment names, or --all", file=sys.stderr)
        return 2
    if args.out is not None and not args.all:
        print("envfactory card: --out goes with --all", file=sys.stderr)
        return 2
    names, error = unknown_names(args.names or [*ENVIRONMENTS, *DOMAINS])
    if error:
        print(f"envfactory card: {error}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    cards = build_cards(names, progress=not args.no_progress)
    if not args.all:
        print("\n".join(render_card(c) for c in cards), end="")
        return 0
    out = Path(args.out) if args.out else ENVS_ROOT / "QUALITY.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(cards), encoding="utf-8")
    print(f"wrote {out}: {len(cards)} cards in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.evaluation.card")
    configure(parser)
    raise SystemExit(run(parser.parse_args()))
