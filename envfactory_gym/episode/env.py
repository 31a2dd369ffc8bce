"""The suite's Gymnasium environment: one environment or domain, its tasks, its tool calls and its reward."""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from envfactory_gym.core.tasks import Task
from envfactory_gym.core.worldset import WorldSet
from envfactory_gym.episode.actions import ParsedCall
from envfactory_gym.episode.dialogue import DialogueEnv
from envfactory_gym.episode.prompt import system_prompt
from envfactory_gym.episode.replay import episode_progress, grade_episode, translate
from envfactory_gym.episode.reward import RewardBreakdown
from envfactory_gym.episode.user import ScriptedUser, UserSimulator
from envfactory_gym.registration import load_tasks, world_set

if TYPE_CHECKING:
    from envfactory_gym.mcp.client import McpToolBackend

#: A tool's result as the content of its tool message.
encode_result = json.JSONEncoder(ensure_ascii=False, default=str).encode

#: Keys ``reset(options=...)`` accepts: a task of the catalog, or a freshly generated one (``{"generate": {axes}}``,
#: axes of :class:`generators.live.Difficulty`; ``{"generate": True}`` uses the env's difficulty).
RESET_OPTIONS = frozenset({"task_id", "generate"})
#: Generated tasks an env keeps for ``reset(options={"task_id": ...})`` (least recent dropped first).
GENERATED_KEPT = 256

#: Generator states kept per process for ``reset(seed=...)`` (least recently used dropped first).
RNG_CACHE_SIZE = 4096
_RNG_STATES: OrderedDict[int, dict[str, Any]] = OrderedDict()


@functools.cache
def _catalog(name: str, split: str | None) -> tuple[list[Task], dict[str, Task]]:
    tasks = load_tasks(name, split)
    if not tasks:
        raise ValueError(f"no tasks for '{name}' (split={split!r})")
    return tasks, {t.id: t for t in tasks}


@functools.cache
def _prompt(worlds_cls: type[WorldSet]) -> tuple[list[dict[str, Any]], str, str]:
    """Tool schemas, system prompt, and the system message already encoded as an observation fragment (per
    world-set class, so a re-registration with new members gets a new prompt)."""
    worlds = worlds_cls(0)
    prompt = system_prompt(worlds)
    return worlds.schemas(), prompt, json.dumps({"role": "system", "content": prompt})


_PLACEHOLDER: dict[str, Task] = {}


def _placeholder(name: str) -> Task:
    """The task of a generated-task env before its first reset (no request, no gold)."""
    return _PLACEHOLDER.setdefault(name, Task(id=f"{name}-unset", env=name, seed=0, split="train", request="",
                                              gold=()))


class ToolUseEnv(DialogueEnv):
    """One EnvFactory environment (or domain) as a Gymnasium env.

    Args:
        name: an environment name (``"TravelBooking"``) or a domain (``"Travel"``).
        split: draw the registered tasks of ``"train"`` (the default, for training), ``"test"`` (evaluation) or
            both (None). Tasks given with ``tasks=`` are played as given.
        max_turns: agent actions before the episode is truncated.
        reward_mode: ``"binary"`` (1 on success, else 0) or ``"partial"`` (the partial-credit figure).
        user: a factory ``task -> UserSimulator``; the scripted user by default.
        render_mode: ``"ansi"`` returns the transcript as text.
        tasks: play these tasks instead of the registered task files (e.g. freshly generated ones), or
            ``"generated"``: every reset generates, grounds and calibrates a fresh task (:mod:`generators.live`),
            deterministic in the reset seed, never one of the committed test tasks.
        difficulty: the axes of generated tasks (``{"calls": 2, "envs": 1, "conversational": False,
            "distractors": 0, "carry_ids": None, "worlds": 8}``, see :class:`generators.live.Difficulty`); also
            the defaults of ``reset(options={"generate": {...}})``.
        backend: ``"local"`` runs tool calls in process; ``"mcp"`` sends them through an MCP client session to
            an in-memory server over this env's state (same observations, digests and rewards).
        worlds: the world-set class to play on instead of the one registered as ``name`` (e.g. a generator's
            unregistered environments).
        progress: put the partial-credit figure of the episode so far in every ``info`` (``info["progress"]``,
            graded after each successful write). Off by default: ``env.unwrapped.progress`` computes the same
            figure when asked, so steps do not pay for a grade nobody reads.
    """

    def __init__(
        self,
        name: str,
        split: Literal["train", "test"] | None = "train",
        max_turns: int = 30,
        reward_mode: Literal["binary", "partial"] = "binary",
        user: Any = ScriptedUser,
        render_mode: str | None = None,
        tasks: Sequence[Task] | Literal["generated"] | None = None,
        difficulty: dict[str, Any] | None = None,
        backend: Literal["local", "mcp"] = "local",
        worlds: type[WorldSet] | None = None,
        progress: bool = False,
    ) -> None:
        if backend not in ("local", "mcp"):
            raise ValueError(f"backend must be 'local' or 'mcp', got {backend!r}")
        if reward_mode not in ("binary", "partial"):
            raise ValueError(f"reward_mode must be 'binary' or 'partial', got {reward_mode!r}")
        if split not in ("train", "test", None):
            raise ValueError(f"split must be 'train', 'test' or None (both), got {split!r}")
        super().__init__(max_turns, render_mode)
        self.name = name
        self.split = split
        self.generator: Any = None
        self.difficulty: Any = None
        #: Tasks generated by recent resets, by id (``reset(options={"task_id": ...})`` replays them).
        self.generated: OrderedDict[str, Task] = OrderedDict()
        if isinstance(tasks, str):
            if tasks != "generated":
                raise ValueError(f"tasks must be a list of tasks, 'generated' or None, got {tasks!r}")
            from generators.live import Difficulty

            self.difficulty = Difficulty.of(difficulty)
            if worlds is not None:
                raise ValueError("tasks='generated' needs a registered environment (worlds= is not supported)")
            self.tasks, self.task_index = [], {}
        elif difficulty is not None:
            raise ValueError("difficulty= applies to generated tasks: pass tasks='generated' as well")
        elif tasks is None:
            self.tasks, self.task_index = _catalog(name, split)
        else:
            self.tasks = list(tasks)
            if not self.tasks:
                raise ValueError(f"no tasks given for '{name}'")
            self.task_index = {t.id: t for t in self.tasks}
        self.reward_mode = reward_mode
        self.user_factory = user
        self.worlds_cls = worlds
        self.worlds: WorldSet = (worlds or world_set(name))(self.tasks[0].seed if self.tasks else 0)
        if self.difficulty is not None and self.difficulty.envs > len(self.worlds.worlds):
            raise ValueError(f"difficulty 'envs' is {self.difficulty.envs} but '{name}' has "
                             f"{len(self.worlds.worlds)} environment(s)")
        self.mcp: McpToolBackend | None = None
        if backend == "mcp":
            from envfactory_gym.mcp.client import McpToolBackend

            self.mcp = McpToolBackend(name, self.worlds)
        self._call = self.worlds.call if self.mcp is None else self.mcp.call
        self.tool_schemas, self.prompt, self._system_json = _prompt(type(self.worlds))
        self.task: Task = self.tasks[0] if self.tasks else _PLACEHOLDER.get(name) or _placeholder(name)
        self.progress_in_info = progress
        #: Messages when the state last changed (progress is graded against those), and the figure once graded.
        self._graded_upto = 0
        self._progress: float | None = 0.0
        self.breakdown: RewardBreakdown | None = None

    @property
    def task_ids(self) -> list[str]:
        """The ids of the tasks this env draws from (its split), for ``reset(options={"task_id": ...})``."""
        return list(self.task_index)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode: the task named by ``options={"task_id": ...}``; a freshly generated one with
        ``options={"generate": {axes}}`` or on a ``tasks="generated"`` env (its key drawn with ``seed``); else a
        catalog task drawn with ``seed``."""
        task_id = self._task_option(options)
        generate = self._generate_option(options)
        self._seed_rng(seed)
        if generate is not None:
            self.task = self._generated(generate)
        elif task_id is not None:
            self.task = self.task_index.get(task_id) or self.generated[task_id]
        else:
            self.task = self.tasks[int(self.np_random.integers(len(self.tasks)))]
        self.worlds.reset(self.task.seed)
        self.user: UserSimulator = self.user_factory(self.task)
        observation = self.start(self.task.request, self.prompt, self._system_json)
        self.breakdown = None
        self._progress = 0.0
        return observation, self.info([], [])

    # ------------------------------------------------------------ step hooks
    def execute(self, call: ParsedCall) -> str:
        return encode_result(self._call(call.name, call.arguments))

    def user_reply(self, content: str) -> tuple[str | None, bool]:
        return self.user.reply(content)

    def after_calls(self, calls: list[ParsedCall], turns: list[dict[str, Any]]) -> None:
        if any(self.worlds.writes(c.name) and not t["content"].startswith("Error:") for c, t in zip(calls, turns)):
            self._graded_upto, self._progress = len(self.messages), None

    @property
    def progress(self) -> float:
        """Partial credit of the episode so far: the state and the messages as of the last successful write
        (graded when first asked for after that write)."""
        if self._progress is None:
            self._progress = episode_progress(self.name, self.task, self.worlds, self.messages[:self._graded_upto],
                                              self.worlds_cls)
        return self._progress

    def final_reward(self) -> float:
        self.breakdown = self.grade()
        return float(self.breakdown.success) if self.reward_mode == "binary" else self.breakdown.partial

    def extra_info(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"task_id": self.task.id, "env": self.name}
        if self.progress_in_info:
            extra["progress"] = self.progress
        if self.done and self.breakdown is not None:
            extra["reward_info"] = self.breakdown.as_dict()
        return extra

    # -------------------------------------------------------------- generated tasks
    def _generate_option(self, options: Any) -> Any:
        """The difficulty of a task to generate at this reset (None: play a catalog task), checked up front."""
        wanted = options.get("generate") if options else None
        if wanted is None or wanted is False:
            if self.difficulty is None or (options and options.get("task_id") is not None):
                return None
            return self.difficulty
        from generators.live import Difficulty

        if options and options.get("task_id") is not None:
            raise ValueError("reset options 'task_id' and 'generate' exclude each other")
        if self.worlds_cls is not None:
            raise ValueError("reset option 'generate' needs a registered environment (this env has worlds=)")
        if wanted is True:
            return self.difficulty or Difficulty()
        if not isinstance(wanted, dict):
            raise TypeError(f"reset option 'generate' must be a dict of difficulty axes or True, got "
                            f"{type(wanted).__name__}")
        return Difficulty.of(wanted, self.difficulty)

    def _generated(self, difficulty: Any) -> Task:
        """A fresh task at ``difficulty``, its key drawn from the env's seeded generator."""
        if self.generator is None:
            from generators.live import LiveGenerator

            self.generator = LiveGenerator(self.name, self.difficulty)
        task = self.generator.task(int(self.np_random.integers(2**63 - 1)), difficulty)
        self.generated[task.id] = task
        self.generated.move_to_end(task.id)
        if len(self.generated) > GENERATED_KEPT:
            self.generated.popitem(last=False)
        return task

    # -------------------------------------------------------------- helpers
    def _task_option(self, options: Any) -> str | None:
        """The task id of the reset options, checked before anything changes (None: draw one)."""
        if options is None:
            return None
        if not isinstance(options, dict):
            raise TypeError(f"reset options must be a dict such as {{'task_id': ...}}, got {type(options).__name__}")
        unknown = sorted(set(options) - RESET_OPTIONS)
        if unknown:
            raise ValueError(f"unknown reset option(s) {', '.join(map(repr, unknown))}; "
                             f"accepted: {', '.join(sorted(RESET_OPTIONS))}")
        task_id = options.get("task_id")
        if task_id is not None and task_id not in self.task_index and task_id not in self.generated:
            known = ", ".join(list(self.task_index)[:3])
            raise ValueError(f"unknown task_id {task_id!r} for '{self.name}' (split={self.split!r}, "
                             f"{len(self.task_index)} tasks, e.g. {known}); env.unwrapped.task_ids lists them all"
                             + (", and split='test' or split=None opens the others" if self.split else ""))
        return task_id

    def _seed_rng(self, seed: int | None) -> None:
        """``Env.reset(seed=...)`` semantics, restoring a cached generator state instead of re-deriving it."""
        if seed is None or self._np_random is None or seed not in _RNG_STATES:
            super().reset(seed=seed)
        else:
            self._np_random.bit_generator.state = _RNG_STATES[seed]
            self._np_random_seed = seed
            _RNG_STATES.move_to_end(seed)
        if seed is not None and seed not in _RNG_STATES:
            _RNG_STATES[seed] = self._np_random.bit_generator.state
            if len(_RNG_STATES) > RNG_CACHE_SIZE:
                _RNG_STATES.popitem(last=False)

    def grade(self) -> RewardBreakdown:
        """Grade the current state and the agent's messages against the task (facts against what it was shown)."""
        return grade_episode(self.name, self.task, self.worlds, self.messages, self.worlds_cls)

    def close(self) -> None:
        if self.mcp is not None:
            self.mcp.close()

    def state_digest(self) -> str:
        return self.worlds.digest()

    def gold_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """The current task's gold calls under this env's tool names."""
        return [(translate(self.worlds, self.task, g), g["arguments"]) for g in self.task.gold]
