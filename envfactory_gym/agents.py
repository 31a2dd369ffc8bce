"""Baseline agents and the episode runner.

An agent is any object with ``reset(env, info)`` (called after ``env.reset``) and ``act(info) -> action``
(``info`` is the latest info dict: ``info["messages"]`` holds the dialogue so far, ``info["tools"]`` the schemas).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym

ASK_TEMPLATE = "Before I go on, could you tell me the {keyword}?"


class Agent(Protocol):
    def reset(self, env: gym.Env, info: dict[str, Any]) -> None: ...

    def act(self, info: dict[str, Any]) -> Any: ...


def final_message(facts: Iterable[str]) -> str:
    facts = list(facts)
    # no status-like words ("Done", "Complete"): a value the agent was shown that competes with a fact fails it
    return "Here is what you asked for: " + "; ".join(facts) + "." if facts else "All set."


class OracleAgent:
    """Replays the task's gold calls (asking first for hidden user facts), then states the answer facts."""

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        base = env.unwrapped
        task = base.task
        self.plan: list[Any] = [ASK_TEMPLATE.format(keyword=fact.keywords[0]) for fact in task.user_facts]
        self.plan += [{"name": name, "arguments": args} for name, args in base.gold_calls()]
        self.plan.append(final_message(task.answer_facts))

    def act(self, info: dict[str, Any]) -> Any:
        return self.plan.pop(0) if self.plan else final_message(())


class NoOpAgent:
    """Ends the conversation at once without calling a tool."""

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        pass

    def act(self, info: dict[str, Any]) -> Any:
        return "I can't help with that."


class RandomAgent:
    """Makes a few schema-valid calls of random tools with random arguments, then stops."""

    def __init__(self, seed: int = 0, calls: int = 3) -> None:
        self.rng = random.Random(seed)
        self.calls = calls

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        self.left = self.calls
        self.tools = info["tools"]

    def act(self, info: dict[str, Any]) -> Any:
        if self.left == 0:
            return "That is all I can do."
        self.left -= 1
        function = self.rng.choice(self.tools)["function"]
        return {"name": function["name"], "arguments": random_arguments(function["parameters"], self.rng)}


def random_arguments(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Values for the required parameters of a JSON schema, drawn from each parameter's type."""
    return {name: _random_value(schema["properties"][name], rng) for name in schema.get("required", [])}


def _random_value(prop: dict[str, Any], rng: random.Random) -> Any:
    if "enum" in prop:
        return rng.choice(prop["enum"])
    if "anyOf" in prop:
        return _random_value(rng.choice([p for p in prop["anyOf"] if p.get("type") != "null"]), rng)
    kind = prop.get("type", "string")
    if kind == "integer":
        return rng.randint(0, 100)
    if kind == "number":
        return round(rng.uniform(0, 1000), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "array":
        return [_random_value(prop.get("items", {}), rng) for _ in range(rng.randint(1, 2))]
    if kind == "object":
        return {}
    return rng.choice(["alpha", "test", "2026-03-05", "x1", "main", "/home/user"])


# ------------------------------------------------------------------------------------------ adversaries
QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")
#: Unquoted values of a request worth trying as arguments: anything with a digit, an @ or a slash.
VALUE_TOKEN = re.compile(r"[\w.@/+:-]*[\d@/][\w.@/+:-]*")


class DumpAgent:
    """Reward hacker: never writes; calls every read tool, fills inputs from the request's quoted values and from
    every value it has seen under the same field name (following ids), then states every value it read."""

    rounds = 6
    seen_limit = 400

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        base = env.unwrapped
        self.worlds = base.worlds
        self.request = info["messages"][1]["content"]
        self.reads = [t["function"] for t in info["tools"] if not self.worlds.writes(t["function"]["name"])]
        self.writes = [t["function"] for t in info["tools"] if self.worlds.writes(t["function"]["name"])]
        self.values: dict[str, list[Any]] = {}
        self.tried: set[str] = set()
        self.round = 0
        self.prelude: list[Any] = []

    def act(self, info: dict[str, Any]) -> Any:
        self._remember(info)
        if self.prelude:
            return self.prelude.pop(0)
        calls = self._calls(self.reads) if self.round < self.rounds else []
        self.round += 1
        return calls or self.finish()

    def finish(self) -> Any:
        """The action once reading is done: the dump."""
        return self.final_message()

    def final_message(self) -> str:
        said = dict.fromkeys(str(v) for values in self.values.values() for v in values)
        return "Here is everything I found: " + "; ".join(list(said)[: self.seen_limit])

    def _remember(self, info: dict[str, Any]) -> None:
        from envfactory_gym.episode.answers import seen_values, tool_results

        for field, values in seen_values(tool_results(info["new_messages"])).items():
            known = self.values.setdefault(field, [])
            known.extend(v for v in sorted(values) if v not in known)
        for message in info["new_messages"]:
            if message["role"] == "user":
                self.values.setdefault("", []).extend(v.rstrip(".") for v in message["content"].split(" is ")[1:])

    def _calls(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One call of each tool whose required inputs can be filled and that was not tried that way before."""
        stated = [a or b for a, b in QUOTED.findall(self.request)]
        stated += [t.rstrip(".,;:") for t in VALUE_TOKEN.findall(self.request)]
        calls = []
        for function in tools:
            arguments = {}
            for name in function["parameters"].get("required", []):
                candidates = self.values.get(name) or self.values.get(name.removesuffix("s")) or stated
                if not candidates:
                    break
                arguments[name] = self._typed(candidates[0], function["parameters"]["properties"][name])
            else:
                key = json.dumps([function["name"], arguments], sort_keys=True, default=str)
                if key not in self.tried:
                    self.tried.add(key)
                    calls.append({"name": function["name"], "arguments": arguments})
        return calls

    @staticmethod
    def _typed(value: Any, schema: dict[str, Any]) -> Any:
        kind = schema.get("type")
        if kind == "array":
            return [value]
        if kind in ("integer", "number"):
            try:
                return int(value) if kind == "integer" else float(value)
            except (TypeError, ValueError):
                return 1
        return str(value)


class AskThenDumpAgent(DumpAgent):
    """Reward hacker: first asks the user for every hidden fact (it knows their keywords), then dumps."""

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        super().reset(env, info)
        self.prelude = [ASK_TEMPLATE.format(keyword=fact.keywords[0]) for fact in env.unwrapped.task.user_facts]


class EchoAgent:
    """Reward hacker: repeats the request back as its answer."""

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        self.request = info["messages"][1]["content"]

    def act(self, info: dict[str, Any]) -> Any:
        return f"You asked: {self.request} Done."


class OverActAgent(DumpAgent):
    """Reward hacker: reads like :class:`DumpAgent`, then calls every write tool once with what it saw, then
    states everything it read."""

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        super().reset(env, info)
        self.acted = False

    def finish(self) -> Any:
        if not self.acted:
            self.acted = True
            calls = self._calls(self.writes)
            if calls:
                return calls
        return self.final_message()


#: The built-in reward hackers; ``envfactory verify`` requires each to earn 0 on every task.
ADVERSARIES: dict[str, Callable[[], Agent]] = {
    "dump": DumpAgent,
    "ask_then_dump": AskThenDumpAgent,
    "echo": EchoAgent,
    "over_act": OverActAgent,
}


@dataclass
class EpisodeResult:
    task_id: str
    env: str
    reward: float
    success: bool
    partial: float
    turns: int
    tool_calls: int
    messages: list[dict[str, Any]]
    reward_info: dict[str, Any]


def run_episode(env: gym.Env, agent: Agent, task_id: str, seed: int = 0) -> EpisodeResult:
    """Play one task to the end with an agent."""
    _, info = env.reset(seed=seed, options={"task_id": task_id})
    agent.reset(env, info)
    reward, done, calls = 0.0, False, 0
    while not done:
        _, reward, terminated, truncated, info = env.step(agent.act(info))
        calls += len(info["calls"])
        done = terminated or truncated
    breakdown = info["reward_info"]
    return EpisodeResult(task_id, env.unwrapped.name, float(reward), breakdown["success"], breakdown["partial"],
                         info["turn"], calls, list(info["messages"]), breakdown)


def evaluate(name: str, agent_factory: Callable[[], Agent], split: str | None = None) -> list[EpisodeResult]:
    """Play every task of an environment or domain once."""
    env = gym.make(f"EnvFactory/{name}-v0", split=split)
    try:
        return [run_episode(env, agent_factory(), task.id) for task in env.unwrapped.tasks]
    finally:
        env.close()
