"""A pool of environment episodes hosted by Ray actors, for trainers that scale rollouts with Ray.

``pip install 'envfactory-gym[ray]'``. Each actor (:class:`EnvActor`) holds a :class:`~envfactory_gym.vector.BatchedEnv`
of at most ``max_episodes`` live episodes of any environments; the actors are spread over the nodes of the cluster.
A trainer's rollout workers talk to them through :class:`RayEnvPool`, an asyncio client:

- ``await pool.reset(names, seeds=, task_ids=)`` starts episodes and returns ``[(handle, observation, info)]``;
  each episode is pinned to the actor that started it, so its state never moves.
- ``await pool.step({handle: action})`` steps the listed episodes (one remote call per actor, concurrent across
  actors) and returns ``{handle: SlotStep}``, the same ``SlotStep`` as ``BatchedEnv.step``: same observation,
  reward, flags and info as the in-process env. A finished episode frees its place on the actor.
- Calls from many coroutines at once (one per sample, as OpenRLHF's agent instances make them) are coalesced: the
  requests of one event-loop turn go to each actor as one batched call.
- Live episodes are bounded per actor: ``reset`` waits (up to ``wait`` seconds) for a place, then raises
  :class:`PoolFullError`.
- An actor that dies (or does not answer within ``timeout`` seconds) is never waited on again: every episode this
  client held there is reported lost with :class:`EpisodeLostError` (the pending call's and any later call's), and
  only those; the other actors' episodes go on, and new episodes go to the actors still alive.

The pool is picklable (a copy in another process, e.g. a vLLM engine actor, is a new client of the same actors),
and named pools (``name=``) are shared: every process that builds ``RayEnvPool(name="x", ...)`` gets the same actors.

Throughput: ``python -m envfactory_gym.integrations.ray_pool`` replays oracle episodes in process and through the
pool and prints steps/s of both.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ray
from ray.exceptions import GetTimeoutError, NodeDiedError, ObjectLostError, RayActorError, WorkerCrashedError

from envfactory_gym.vector import BatchedEnv, SlotStep

__all__ = ["EnvActor", "EpisodeHandle", "EpisodeLostError", "PoolError", "PoolFullError", "RayEnvPool",
           "UnknownEpisodeError", "SlotStep", "EpisodeResult", "drive"]

#: Ray errors that mean an actor (its process or its node) is gone with the episodes it held.
ACTOR_GONE = (RayActorError, WorkerCrashedError, NodeDiedError, ObjectLostError)


# ------------------------------------------------------------------------------------------------ errors
class PoolError(RuntimeError):
    """Base class of the pool's errors."""


class PoolFullError(PoolError):
    """No actor had room for a new episode within the wait."""


class UnknownEpisodeError(PoolError, LookupError):
    """A handle that this client does not hold live: finished, closed, never started here, or with a step in flight."""


class EpisodeLostError(PoolError):
    """Episodes whose actor died or stopped answering: their state is gone; start new episodes instead.

    ``handles`` are the episodes lost; ``results`` holds what the same ``step`` call returned for the episodes
    of other actors (they were applied, so they are not lost with the exception).
    """

    def __init__(self, message: str, handles: Sequence[EpisodeHandle], results: Mapping[Any, Any] | None = None):
        super().__init__(message)
        self.handles = tuple(handles)
        self.results = dict(results or {})


@dataclass(frozen=True, slots=True)
class EpisodeHandle:
    """One episode: the actor that holds it, its slot there and the actor's serial number of the episode."""

    actor: int
    slot: int
    serial: int
    env: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.env or 'episode'}@actor{self.actor}/slot{self.slot}#{self.serial}"


# ------------------------------------------------------------------------------------------------ actor
def _error(exc: BaseException) -> tuple[str, str, str]:
    return ("error", type(exc).__name__, str(exc))


class EnvActor:
    """The episodes of one actor: a :class:`BatchedEnv` whose slots are reused by environment (and env kwargs).

    Holds at most ``max_episodes`` slots; a slot whose episode ended is reused for the next episode of the same
    environment, or rebuilt for another environment when every slot is taken. Remote methods take and return
    batches; an exception in one episode is returned for that episode only.
    """

    def __init__(self, index: int, max_episodes: int, env_kwargs: dict[str, Any] | None = None,
                 info_keys: Sequence[str] | None = None) -> None:
        if max_episodes < 1:
            raise ValueError(f"max_episodes must be at least 1, got {max_episodes}")
        self.index = index
        self.max_episodes = max_episodes
        self.env_kwargs = dict(env_kwargs or {})
        self.info_keys = None if info_keys is None else tuple(info_keys)
        self.batch = BatchedEnv([])
        self.keys: list[tuple[Any, ...]] = []       # slot -> (env name, sorted env kwargs)
        self.idle: dict[tuple[Any, ...], list[int]] = {}
        self.live: dict[int, int] = {}              # slot -> serial of its running episode
        self.serials = itertools.count()
        self.steps = 0
        self.calls = 0  # remote reset/step/close calls served (batching shows as few calls for many episodes)

    def ready(self) -> dict[str, Any]:
        context = ray.get_runtime_context()
        return {"index": self.index, "pid": os.getpid(), "node": context.get_node_id(),
                "max_episodes": self.max_episodes}

    def stats(self) -> dict[str, Any]:
        return {**self.ready(), "live": len(self.live), "slots": len(self.keys), "steps": self.steps,
                "calls": self.calls}

    # ---------------------------------------------------------------- slots
    def _slot(self, name: str, overrides: dict[str, Any]) -> int:
        from envfactory_gym.episode.env import ToolUseEnv

        kwargs = {**self.env_kwargs, **overrides}
        key = (name, tuple(sorted(kwargs.items())))
        if self.idle.get(key):
            return self.idle[key].pop()
        env = ToolUseEnv(name, **kwargs)
        if len(self.keys) < self.max_episodes:
            self.batch.envs.append(env)
            self.keys.append(key)
            return len(self.keys) - 1
        other = next(k for k, slots in self.idle.items() if slots)  # live < max_episodes == slots: one is idle
        slot = self.idle[other].pop()
        self.batch.envs[slot].close()
        self.batch.envs[slot] = env
        self.keys[slot] = key
        return slot

    def _release(self, slot: int) -> None:
        del self.live[slot]
        self.idle.setdefault(self.keys[slot], []).append(slot)

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        return info if self.info_keys is None else {k: info[k] for k in self.info_keys if k in info}

    # ------------------------------------------------------------- remote API
    def reset(self, requests: list[tuple[str, int | None, str | None, dict[str, Any]]]) -> list[tuple]:
        """``[(env name, seed, task id, env kwargs)]`` -> ``[("ok", slot, serial, observation, info)]``, or
        ``("full",)`` when the actor holds ``max_episodes`` live episodes, or ``("error", type, message)``."""
        self.calls += 1
        out: list[tuple] = []
        for name, seed, task_id, overrides in requests:
            if len(self.live) >= self.max_episodes:
                out.append(("full",))
                continue
            try:
                slot = self._slot(name, overrides)
            except Exception as exc:  # noqa: BLE001 (unknown env, bad kwargs: that request's error)
                out.append(_error(exc))
                continue
            try:
                observation, info = self.batch.reset([slot], [seed], [task_id])[slot]
            except Exception as exc:  # noqa: BLE001 (unknown task id, bad seed)
                self.idle.setdefault(self.keys[slot], []).append(slot)
                out.append(_error(exc))
                continue
            serial = next(self.serials)
            self.live[slot] = serial
            out.append(("ok", slot, serial, observation, info))
        return out

    def step(self, items: list[tuple[int, int, Any]]) -> list[tuple]:
        """``[(slot, serial, action)]`` -> ``[("ok", SlotStep)]`` (a finished episode frees its slot), or
        ``("unknown",)`` for an episode not live here, or ``("error", type, message)`` (the episode is ended)."""
        self.calls += 1
        out: list[tuple] = []
        for slot, serial, action in items:
            if self.live.get(slot) != serial:
                out.append(("unknown",))
                continue
            try:
                result = self.batch.step({slot: action})[slot]
            except Exception as exc:  # noqa: BLE001 (a bug below env.step: end that episode, keep the others)
                self._release(slot)
                out.append(_error(exc))
                continue
            self.steps += 1
            if result.done:
                self._release(slot)
            result.info = self._info(result.info)
            out.append(("ok", result))
        return out

    def close(self, items: list[tuple[int, int]]) -> list[bool]:
        """End the listed episodes early (``[(slot, serial)]``); True for each that was live."""
        self.calls += 1
        out = []
        for slot, serial in items:
            live = self.live.get(slot) == serial
            if live:
                self._release(slot)
            out.append(live)
        return out


RemoteEnvActor = ray.remote(EnvActor)


# ------------------------------------------------------------------------------------------------ client
class _Batcher:
    """Coalesces the calls of one event-loop turn into one remote call per (actor, method)."""

    def __init__(self, pool: RayEnvPool) -> None:
        self.pool = pool
        self.loop = asyncio.get_running_loop()
        self.pending: dict[tuple[int, str], list[tuple[list[Any], asyncio.Future]]] = {}
        self.tasks: set[asyncio.Task] = set()
        self.ready: asyncio.Task | None = None

    def submit(self, actor: int, method: str, items: list[Any]) -> asyncio.Future:
        future = self.loop.create_future()
        key = (actor, method)
        if key not in self.pending:
            self.pending[key] = []
            task = self.loop.create_task(self._flush(key))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        self.pending[key].append((items, future))
        return future

    async def _flush(self, key: tuple[int, str]) -> None:
        await asyncio.sleep(0)  # one more loop turn: callers resumed by the same event join this call
        batch = self.pending.pop(key)
        actor, method = key
        items = [item for chunk, _ in batch for item in chunk]
        try:
            ref = getattr(self.pool.actors[actor], method).remote(items)
            results = await asyncio.wait_for(_await(ref), self.pool.timeout)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 (handed to every caller of this batch)
            if isinstance(exc, asyncio.TimeoutError):
                exc = GetTimeoutError(f"actor {actor} did not answer {method}() within {self.pool.timeout:g} s")
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        start = 0
        for chunk, future in batch:
            if not future.done():
                future.set_result(results[start:start + len(chunk)])
            start += len(chunk)


async def _await(ref: Any) -> Any:
    return await ref


_RAISED = {"ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError}


def _raise_remote(kind: str, message: str) -> Exception:
    cls = _RAISED.get(kind)
    return cls(message) if cls is not None else PoolError(f"{kind}: {message}")


class RayEnvPool:
    """Client of ``actors`` Ray actors, each holding up to ``max_episodes`` live episodes (see the module doc).

    Args:
        actors: number of env actors.
        max_episodes: live episodes per actor (``reset`` waits for room beyond that).
        env_kwargs: keyword arguments of every episode's ``ToolUseEnv`` (``split=``, ``max_turns=``, ...); a
            ``reset`` may add its own per episode.
        info_keys: keep only these keys of each step's ``info`` (e.g. ``("new_messages", "reward_info")``): less
            to ship per step; ``None`` (the default) returns the env's whole info, as in process. ``reset``
            always returns the whole info (the prompt needs its messages and tools).
        num_cpus: CPUs reserved per actor (Ray resources); actors are spread across nodes.
        timeout: seconds a call may take before its actor counts as failed (its episodes lost): never a hang.
        wait: seconds ``reset`` waits for room on a full pool before :class:`PoolFullError`.
        name: name the actors (``{name}-{i}`` in ``namespace``) so that other processes share them.
        actor_options: extra ``.options()`` of the actors (e.g. ``resources``, ``runtime_env``).
    """

    def __init__(self, actors: int = 2, max_episodes: int = 256, *, env_kwargs: dict[str, Any] | None = None,
                 info_keys: Sequence[str] | None = None, num_cpus: float = 1.0, timeout: float = 60.0,
                 wait: float = 60.0, name: str | None = None, namespace: str = "envfactory",
                 actor_options: dict[str, Any] | None = None) -> None:
        if actors < 1:
            raise ValueError(f"actors must be at least 1, got {actors}")
        if max_episodes < 1:
            raise ValueError(f"max_episodes must be at least 1, got {max_episodes}")
        if not ray.is_initialized():
            ray.init()
        self.max_episodes = max_episodes
        self.timeout = timeout
        self.wait = wait
        self.name = name
        options: dict[str, Any] = {"num_cpus": num_cpus, "scheduling_strategy": "SPREAD", "max_restarts": 0,
                                   **(actor_options or {})}
        if name is not None:
            options.update(namespace=namespace, get_if_exists=True)
        self.actors = [RemoteEnvActor.options(**options, **({"name": f"{name}-{i}"} if name else {})).remote(
            i, max_episodes, env_kwargs, info_keys) for i in range(actors)]
        self._init_client()

    def _init_client(self) -> None:
        #: this client's live episodes per actor, and the (env, task id) of each
        self._live: list[dict[EpisodeHandle, str | None]] = [{} for _ in self.actors]
        self._dead: dict[int, str] = {}
        self._lost: dict[EpisodeHandle, EpisodeLostError] = {}
        self._inflight: set[EpisodeHandle] = set()
        self._placing = [0] * len(self.actors)  # resets sent and not answered yet, per actor
        self._batcher: _Batcher | None = None
        self._ready = False
        self._freed: asyncio.Event | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"actors": self.actors, "max_episodes": self.max_episodes, "timeout": self.timeout,
                "wait": self.wait, "name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._init_client()

    # -------------------------------------------------------------------- state
    def live(self, actor: int | None = None) -> list[EpisodeHandle]:
        """This client's live episodes (of one actor)."""
        groups = self._live if actor is None else [self._live[actor]]
        return [h for group in groups for h in group]

    @property
    def dead(self) -> dict[int, str]:
        """Actors this client no longer uses, with the reason."""
        return dict(self._dead)

    def lost(self) -> dict[EpisodeHandle, EpisodeLostError]:
        """Every episode reported lost so far, with its error."""
        return dict(self._lost)

    async def ready(self) -> list[dict[str, Any] | str]:
        """Wait until every actor has started; returns each one's pid and node (or why it failed: a dead actor's
        episodes go to the others). Raises :class:`PoolError` when none starts or some are still pending after
        ``timeout`` (the cluster lacks the resources they reserve)."""
        async def one(i: int) -> dict[str, Any] | str:
            try:
                return await _await(self.actors[i].ready.remote())
            except ACTOR_GONE as exc:
                self._fail_actor(i, exc)
                return self._dead[i]
        try:
            infos = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(len(self.actors)))), self.timeout)
        except asyncio.TimeoutError:
            raise PoolError(f"the {len(self.actors)} env actors did not start within {self.timeout:g} s: does the "
                            f"cluster have the resources they reserve (ray.available_resources(): "
                            f"{ray.available_resources()})?") from None
        if len(self._dead) == len(self.actors):
            raise PoolError(f"no env actor could start: {self._dead}")
        self._ready = True
        return infos

    async def stats(self) -> list[dict[str, Any] | str]:
        """Per actor: pid, node, live episodes, slots, steps (or why it is dead)."""
        async def one(i: int) -> dict[str, Any] | str:
            if i in self._dead:
                return self._dead[i]
            try:
                return await asyncio.wait_for(_await(self.actors[i].stats.remote()), self.timeout)
            except (asyncio.TimeoutError, *ACTOR_GONE) as exc:
                return f"{type(exc).__name__}: {exc}"
        return list(await asyncio.gather(*(one(i) for i in range(len(self.actors)))))

    def _loop_state(self) -> _Batcher:
        loop = asyncio.get_running_loop()
        if self._batcher is None or self._batcher.loop is not loop:
            self._batcher = _Batcher(self)
            self._freed = asyncio.Event()
        return self._batcher

    def _fail_actor(self, actor: int, exc: BaseException) -> None:
        """Mark an actor failed: every live episode of this client there is lost, with one error naming why."""
        if actor in self._dead:
            return
        reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        self._dead[actor] = reason
        for handle in list(self._live[actor]):
            self._lost[handle] = EpisodeLostError(
                f"episode {handle} was lost: env actor {actor} failed ({reason}); its state is gone, start a new "
                f"episode", [handle])
        self._live[actor].clear()
        if self._freed is not None:
            self._freed.set()

    # ------------------------------------------------------------------- reset
    async def reset(self, names: str | Sequence[str], seeds: Sequence[int | None] | None = None,
                    task_ids: Sequence[str | None] | None = None, *, env_kwargs: dict[str, Any] | None = None,
                    wait: float | None = None, return_exceptions: bool = False,
                    ) -> list[tuple[EpisodeHandle, str, dict[str, Any]]]:
        """Start one episode per name (``seeds[j]``, ``task_ids[j]`` for ``names[j]``), each on the least loaded
        actor alive; returns ``[(handle, observation, info)]`` in order. Waits up to ``wait`` seconds (default:
        the pool's) for room. An invalid request (unknown env or task id) raises its ``ValueError`` after the
        batch's other episodes are closed, or, with ``return_exceptions``, takes that exception's place."""
        names = [names] if isinstance(names, str) else list(names)
        count = len(names)
        seeds = list(seeds) if seeds is not None else [None] * count
        task_ids = list(task_ids) if task_ids is not None else [None] * count
        if len(seeds) != count or len(task_ids) != count:
            raise ValueError(f"reset got {count} names, {len(seeds)} seeds and {len(task_ids)} task ids")
        batcher = self._loop_state()
        if not self._ready:
            if batcher.ready is None:  # one readiness check for every coroutine that resets first
                batcher.ready = batcher.loop.create_task(self.ready())
            await asyncio.shield(batcher.ready)
        deadline = time.monotonic() + (self.wait if wait is None else wait)
        results: list[Any] = [None] * count
        todo = list(range(count))
        full: set[int] = set()
        delay = 0.005
        while todo:
            alive = [a for a in range(len(self.actors)) if a not in self._dead]
            if not alive:
                raise PoolError(f"every env actor has failed: {self._dead}")
            load = {a: len(self._live[a]) + self._placing[a] for a in alive if a not in full}
            groups: dict[int, list[int]] = {}
            waiting = []
            for i in todo:
                actor = min(load, key=load.__getitem__, default=None)
                if actor is None or load[actor] >= self.max_episodes:
                    waiting.append(i)
                    continue
                load[actor] += 1
                groups.setdefault(actor, []).append(i)
            sent = list(groups.items())
            for actor, group in sent:
                self._placing[actor] += len(group)
            try:
                answers = await asyncio.gather(*(batcher.submit(a, "reset", [
                    (names[i], seeds[i], task_ids[i], env_kwargs or {}) for i in group]) for a, group in sent),
                    return_exceptions=True)
            finally:
                for actor, group in sent:
                    self._placing[actor] -= len(group)
            todo = waiting
            for (actor, group), answer in zip(sent, answers):
                if isinstance(answer, BaseException):
                    if not isinstance(answer, (*ACTOR_GONE, GetTimeoutError)):
                        raise answer
                    self._fail_actor(actor, answer)
                    todo += group  # nothing was started for them that will ever answer: place them elsewhere
                    continue
                for i, reply in zip(group, answer):
                    if reply[0] == "ok":
                        _, slot, serial, observation, info = reply
                        handle = EpisodeHandle(actor, slot, serial, names[i])
                        self._live[actor][handle] = task_ids[i]
                        results[i] = (handle, observation, info)
                    elif reply[0] == "full":
                        full.add(actor)
                        todo.append(i)
                    else:
                        results[i] = _raise_remote(reply[1], reply[2])
            if todo:
                todo.sort()
                if len(full) + len(self._dead) < len(self.actors) and any(
                        len(self._live[a]) + self._placing[a] < self.max_episodes for a in load if a not in full):
                    continue  # room left elsewhere: place at once
                if time.monotonic() >= deadline:
                    break
                self._freed.clear()
                try:
                    await asyncio.wait_for(self._freed.wait(), delay)
                except asyncio.TimeoutError:
                    pass
                delay = min(delay * 2, 0.2)
                full.clear()
        for i in todo:
            results[i] = PoolFullError(
                f"no room for a '{names[i]}' episode: every live env actor holds max_episodes={self.max_episodes} "
                f"live episodes (this client holds {len(self.live())}); step or close episodes first")
        if not return_exceptions:
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                await self.close([r[0] for r in results if not isinstance(r, BaseException)])
                raise failures[0]
        return results

    # -------------------------------------------------------------------- step
    async def step(self, actions: Mapping[EpisodeHandle, Any], *, return_exceptions: bool = False
                   ) -> dict[EpisodeHandle, SlotStep]:
        """Apply one action per listed episode; returns ``{handle: SlotStep}``. Episodes of a failed actor raise
        :class:`EpisodeLostError` (after the others were stepped: their results are on the error), or, with
        ``return_exceptions``, map to their own error. A handle not live here raises :class:`UnknownEpisodeError`
        before anything is stepped."""
        batcher = self._loop_state()
        results: dict[EpisodeHandle, Any] = {}
        groups: dict[int, list[EpisodeHandle]] = {}
        for handle in actions:
            if handle in self._lost:
                results[handle] = self._lost[handle]
            elif handle in self._inflight:
                raise UnknownEpisodeError(f"episode {handle} already has a step in flight")
            elif not isinstance(handle, EpisodeHandle) or handle not in self._live[handle.actor]:
                raise UnknownEpisodeError(f"episode {handle} is not live in this pool client (it finished, was "
                                          f"closed, or was started elsewhere)")
            else:
                groups.setdefault(handle.actor, []).append(handle)
        sent = list(groups.items())
        for _, group in sent:
            self._inflight.update(group)
        try:
            answers = await asyncio.gather(*(batcher.submit(a, "step", [
                (h.slot, h.serial, actions[h]) for h in group]) for a, group in sent), return_exceptions=True)
        finally:
            for _, group in sent:
                self._inflight.difference_update(group)
        freed = False
        for (actor, group), answer in zip(sent, answers):
            if isinstance(answer, BaseException):
                if not isinstance(answer, (*ACTOR_GONE, GetTimeoutError)):
                    raise answer
                self._fail_actor(actor, answer)
                results.update((h, self._lost[h]) for h in group)
                continue
            for handle, reply in zip(group, answer):
                if reply[0] == "ok":
                    results[handle] = reply[1]
                    if reply[1].done:
                        del self._live[actor][handle]
                        freed = True
                else:
                    self._live[actor].pop(handle, None)
                    freed = True
                    results[handle] = (UnknownEpisodeError(f"env actor {actor} does not hold episode {handle}")
                                       if reply[0] == "unknown" else _raise_remote(reply[1], reply[2]))
        if freed:
            self._freed.set()
        if not return_exceptions:
            failed = [h for h, r in results.items() if isinstance(r, BaseException)]
            if failed:
                first = results[failed[0]]
                if not all(isinstance(results[h], EpisodeLostError) for h in failed):
                    raise first
                ok = {h: r for h, r in results.items() if not isinstance(r, BaseException)}
                reasons = sorted({self._dead.get(h.actor, "") for h in failed})
                raise EpisodeLostError(
                    f"{len(failed)} episode(s) lost ({', '.join(map(str, failed[:3]))}"
                    f"{', ...' if len(failed) > 3 else ''}): env actor(s) "
                    f"{sorted({h.actor for h in failed})} failed ({'; '.join(reasons)}); {len(ok)} other episode(s) "
                    f"stepped (on .results)", failed, ok)
        return results

    async def close(self, handles: Sequence[EpisodeHandle]) -> None:
        """End live episodes early and free their places (handles not live are ignored)."""
        batcher = self._loop_state()
        groups: dict[int, list[EpisodeHandle]] = {}
        for h in handles:
            if h in self._live[h.actor] and h not in self._inflight:
                groups.setdefault(h.actor, []).append(h)
        for actor, group in groups.items():
            for h in group:
                del self._live[actor][h]
        answers = await asyncio.gather(*(batcher.submit(a, "close", [(h.slot, h.serial) for h in group])
                                         for a, group in groups.items()), return_exceptions=True)
        for actor, answer in zip(groups, answers):
            if isinstance(answer, (*ACTOR_GONE, GetTimeoutError)):
                self._fail_actor(actor, answer)
        if groups:
            self._freed.set()

    # ------------------------------------------------------------- one episode
    async def reset_one(self, name: str, seed: int | None = None, task_id: str | None = None,
                        **env_kwargs: Any) -> tuple[EpisodeHandle, str, dict[str, Any]]:
        """One episode (calls from concurrent coroutines still travel batched)."""
        return (await self.reset([name], [seed], [task_id], env_kwargs=env_kwargs or None))[0]

    async def step_one(self, handle: EpisodeHandle, action: Any) -> SlotStep:
        try:
            return (await self.step({handle: action}))[handle]
        except EpisodeLostError as exc:
            raise self._lost.get(handle, exc) from None

    def shutdown(self) -> None:
        """Kill the actors (their episodes end)."""
        for actor in self.actors:
            ray.kill(actor)
        for i in range(len(self.actors)):
            self._dead.setdefault(i, "shut down")


# ------------------------------------------------------------------------------------------- driving
@dataclass
class EpisodeResult:
    """One finished (or lost) episode driven by :func:`drive`."""

    index: int
    handle: EpisodeHandle | None
    observations: list[str]
    rewards: list[float]
    info: dict[str, Any] | None = None
    error: BaseException | None = None

    @property
    def reward(self) -> float:
        return self.rewards[-1] if self.rewards else 0.0


async def drive(pool: RayEnvPool, requests: Sequence[tuple[str, int | None, str | None]],
                policy: Callable[[int, str, dict[str, Any]], Any], concurrency: int = 256,
                on_round: Callable[[int], Awaitable[None] | None] | None = None) -> list[EpisodeResult]:
    """Play ``requests`` (env, seed, task id) to the end, ``concurrency`` episodes at a time, stepping every live
    episode each round in one batched call. ``policy(index, observation, info)`` returns the next action of
    episode ``index``; ``on_round(round)`` runs between rounds. Lost episodes end with their error."""
    results: list[EpisodeResult | None] = [None] * len(requests)
    live: dict[EpisodeHandle, EpisodeResult] = {}
    last: dict[EpisodeHandle, tuple[str, dict[str, Any]]] = {}
    following = 0
    round_ = 0
    while following < len(requests) or live:
        room = min(concurrency - len(live), len(requests) - following)
        if room > 0:
            batch = requests[following:following + room]
            started = await pool.reset([r[0] for r in batch], [r[1] for r in batch], [r[2] for r in batch])
            for offset, (handle, observation, info) in enumerate(started):
                result = EpisodeResult(following + offset, handle, [observation], [])
                live[handle] = results[result.index] = result
                last[handle] = (observation, info)
            following += room
        if on_round is not None:
            maybe = on_round(round_)
            if asyncio.iscoroutine(maybe):
                await maybe
        round_ += 1
        actions = {h: policy(live[h].index, *last[h]) for h in live}
        stepped = await pool.step(actions, return_exceptions=True)
        for handle, step in stepped.items():
            result = live[handle]
            if isinstance(step, BaseException):
                result.error = step
                del live[handle], last[handle]
                continue
            result.observations.append(step.observation)
            result.rewards.append(step.reward)
            last[handle] = (step.observation, step.info)
            if step.done:
                result.info = step.info
                del live[handle], last[handle]
    return results  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------- benchmark
def oracle_scripts(requests: Sequence[tuple[str, int | None, str | None]], **env_kwargs: Any
                   ) -> list[tuple[list[Any], list[str], list[float]]]:
    """Play each request in process with the oracle agent: its actions, observations and rewards."""
    from envfactory_gym.agents import OracleAgent
    from envfactory_gym.episode.env import ToolUseEnv

    envs: dict[str, ToolUseEnv] = {}
    out = []
    for name, seed, task_id in requests:
        env = envs.get(name) or envs.setdefault(name, ToolUseEnv(name, **env_kwargs))
        observation, info = env.reset(seed=seed, options={"task_id": task_id} if task_id else None)
        agent = OracleAgent()
        agent.reset(env, info)
        actions, observations, rewards, done = [], [observation], [], False
        while not done:
            action = agent.act(info)
            observation, reward, terminated, truncated, info = env.step(action)
            actions.append(action)
            observations.append(observation)
            rewards.append(reward)
            done = terminated or truncated
        out.append((actions, observations, rewards))
    return out


def replay_in_process(requests: Sequence[tuple[str, int | None, str | None]], scripts: Sequence[tuple[list, ...]],
                      concurrency: int, **env_kwargs: Any) -> tuple[int, float]:
    """Replay scripted episodes through one in-process :class:`BatchedEnv` the way :func:`drive` plays them through
    the pool (``concurrency`` live episodes, one batched step a round); returns (steps, seconds)."""
    from envfactory_gym.episode.env import ToolUseEnv

    cache: dict[str, list[ToolUseEnv]] = {}
    batch = BatchedEnv([])
    batch.envs = [None] * concurrency  # type: ignore[list-item]  (filled as episodes start)
    start, steps = time.perf_counter(), 0
    free = list(range(concurrency))
    live: dict[int, tuple[int, int]] = {}  # slot -> (request index, actions taken)
    following = 0
    while following < len(requests) or live:
        while free and following < len(requests):
            slot = free.pop()
            name, seed, task_id = requests[following]
            pool = cache.setdefault(name, [])
            env = pool.pop() if pool else ToolUseEnv(name, **env_kwargs)
            if batch.envs[slot] is not None:
                cache.setdefault(batch.envs[slot].name, []).append(batch.envs[slot])
            batch.envs[slot] = env
            batch.reset([slot], [seed], [task_id])
            live[slot] = (following, 0)
            following += 1
        stepped = batch.step({slot: scripts[i][0][k] for slot, (i, k) in live.items()})
        steps += len(stepped)
        for slot, result in stepped.items():
            i, k = live[slot]
            if result.done:
                del live[slot]
                free.append(slot)
            else:
                live[slot] = (i, k + 1)
    return steps, time.perf_counter() - start


def requests_for(names: Sequence[str], episodes: int, split: str | None = None) -> list[tuple[str, int, str]]:
    """``episodes`` requests cycling over every task of ``names`` (seeds 0, 1, ... on each pass)."""
    from envfactory_gym.registration import load_tasks

    tasks = [(name, t.id) for name in names for t in load_tasks(name, split)]
    return [(tasks[i % len(tasks)][0], i // len(tasks), tasks[i % len(tasks)][1]) for i in range(episodes)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m envfactory_gym.integrations.ray_pool",
                                     description="steps/s of oracle episodes through the Ray pool vs in process")
    parser.add_argument("--envs", default="Calendar,Retail")
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--actors", type=int, default=2)
    parser.add_argument("--max-episodes", type=int, default=256, help="live episodes per actor")
    parser.add_argument("--concurrency", type=int, default=256, help="live episodes at a time (client side)")
    parser.add_argument("--num-cpus", type=int, default=2, help="ray.init(num_cpus=...)")
    parser.add_argument("--info-keys", default="", help="comma-separated info keys to ship (default: the whole info)")
    args = parser.parse_args(argv)
    names = args.envs.split(",")
    requests = requests_for(names, args.episodes)
    scripts = oracle_scripts(requests, split=None)
    replay_in_process(requests[:50], scripts, 16, split=None)  # warm the world caches
    steps, seconds = replay_in_process(requests, scripts, args.concurrency, split=None)
    print(f"in process: {steps} steps in {seconds:.2f} s = {steps / seconds:,.0f} steps/s")
    ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
    info_keys = args.info_keys.split(",") if args.info_keys else None
    pool = RayEnvPool(args.actors, args.max_episodes, env_kwargs={"split": None}, info_keys=info_keys,
                      num_cpus=args.num_cpus / args.actors)

    done_steps: list[list[float]] = [[] for _ in requests]

    def policy(i: int, obs: str, info: dict[str, Any]) -> Any:
        action = scripts[i][0][len(done_steps[i])]
        done_steps[i].append(0.0)
        return action

    async def bench() -> tuple[int, float]:
        await drive(pool, requests[:200], policy, args.concurrency)  # warm the actors' world caches
        done_steps[:] = [[] for _ in requests]
        start = time.perf_counter()
        done = await drive(pool, requests, policy, args.concurrency)
        assert all(r.rewards == scripts[r.index][2] for r in done), "pool rewards differ from in-process rewards"
        return sum(len(r.rewards) for r in done), time.perf_counter() - start

    steps, seconds = asyncio.run(bench())
    print(f"ray pool ({args.actors} actors, {args.concurrency} live episodes, info="
          f"{'whole' if info_keys is None else ','.join(info_keys)}): {steps} steps in {seconds:.2f} s = "
          f"{steps / seconds:,.0f} steps/s")
    pool.shutdown()
    ray.shutdown()


if __name__ == "__main__":
    main()
