"""The Ray environment pool on a one-machine Ray cluster (``ray.init(num_cpus=2)``): thousands of oracle episodes
across several actors with the in-process env's observations and rewards, bounded live episodes, and failures
(an actor killed mid-run, an actor that stops answering) reported for exactly the episodes that actor held."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import time

import pytest

ray = pytest.importorskip("ray", reason="the Ray pool needs the 'ray' extra (pip install 'envfactory-gym[ray]')")

from envfactory_gym.episode.env import ToolUseEnv  # noqa: E402
from envfactory_gym.integrations.ray_pool import (  # noqa: E402
    EpisodeLostError,
    PoolFullError,
    RayEnvPool,
    UnknownEpisodeError,
    drive,
    oracle_scripts,
    requests_for,
)

NAMES = ["Calendar", "Retail"]
ENV_KWARGS = {"split": None}


@pytest.fixture(scope="module", autouse=True)
def cluster():
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    if started:
        ray.shutdown()


@pytest.fixture
def make_pool():
    pools = []

    def make(actors, max_episodes, **kwargs):
        kwargs.setdefault("num_cpus", 0.1)
        pool = RayEnvPool(actors, max_episodes, env_kwargs=ENV_KWARGS, **kwargs)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.shutdown()


def replayer(scripts):
    """A policy that replays each request's in-process oracle actions."""
    taken = [0] * len(scripts)

    def policy(index, observation, info):
        taken[index] += 1
        return scripts[index][0][taken[index] - 1]

    return policy


def test_thousands_of_oracle_episodes_match_the_in_process_env(make_pool):
    requests = requests_for(NAMES, 2000, split=None)
    scripts = oracle_scripts(requests, **ENV_KWARGS)
    pool = make_pool(4, 64)
    peaks = [0] * 4

    def watch(round_):
        for actor in range(4):
            peaks[actor] = max(peaks[actor], len(pool.live(actor)))

    results = asyncio.run(drive(pool, requests, replayer(scripts), concurrency=200, on_round=watch))
    assert [r.error for r in results] == [None] * len(requests)
    for result, (_, observations, rewards) in zip(results, scripts):
        assert result.observations == observations and result.rewards == rewards
    assert {r.reward for r in results} == {1.0}  # the oracle succeeds everywhere, in process and through Ray
    assert {r.handle.actor for r in results} == {0, 1, 2, 3}
    assert max(peaks) <= 64 and min(peaks) > 0
    stats = asyncio.run(pool.stats())
    assert [s["live"] for s in stats] == [0, 0, 0, 0] and all(s["slots"] <= 64 for s in stats)
    assert sum(s["steps"] for s in stats) == sum(len(r.rewards) for r in results)


def test_step_results_and_infos_equal_the_in_process_env(make_pool):
    pool = make_pool(2, 8)
    requests = requests_for(NAMES, 300, split=None)[::30]
    scripts = oracle_scripts(requests, **ENV_KWARGS)
    local = {name: ToolUseEnv(name, **ENV_KWARGS) for name in NAMES}

    async def play():
        for (name, seed, task_id), (actions, _, _) in zip(requests, scripts):
            handle, observation, info = await pool.reset_one(name, seed, task_id)
            expected = local[name].reset(seed=seed, options={"task_id": task_id})
            assert (observation, info) == pickle.loads(pickle.dumps(expected))
            for action in actions:
                step = await pool.step_one(handle, action)
                expected = pickle.loads(pickle.dumps(local[name].step(action)))
                assert (step.observation, step.reward, step.terminated, step.truncated, step.info) == expected
            with pytest.raises(UnknownEpisodeError, match="not live"):
                await pool.step_one(handle, actions[-1])  # finished: its slot went back to the actor

    asyncio.run(play())


def test_killing_an_actor_mid_run_reports_exactly_its_episodes(make_pool):
    requests = requests_for(NAMES, 600, split=None)
    scripts = oracle_scripts(requests, **ENV_KWARGS)
    pool = make_pool(3, 40)
    held: set = set()

    def kill(round_):
        if round_ == 3:
            held.update(pool.live(actor=1))
            ray.kill(pool.actors[1], no_restart=True)

    start = time.monotonic()
    results = asyncio.run(drive(pool, requests, replayer(scripts), concurrency=75, on_round=kill))
    assert time.monotonic() - start < 45
    assert held and {r.handle for r in results if r.error is not None} == held
    for result in results:
        if result.error is not None:
            assert isinstance(result.error, EpisodeLostError) and result.error.handles == (result.handle,)
            assert "env actor 1 failed" in str(result.error) and "ActorDiedError" in str(result.error)
        else:
            assert result.rewards == scripts[result.index][2] and result.reward == 1.0
    assert len([r for r in results if r.error is None]) == len(requests) - len(held)  # nothing else was lost
    assert set(pool.dead) == {1}

    async def again():
        lost = next(iter(held))
        begin = time.monotonic()
        with pytest.raises(EpisodeLostError, match="env actor 1 failed"):
            await pool.step_one(lost, "hello")  # answered from the client's record at once, never a hang
        assert time.monotonic() - begin < 1
        fresh = await pool.reset(["Calendar"] * 10, list(range(10)))
        assert {h.actor for h, _, _ in fresh} <= {0, 2}

    asyncio.run(again())


def test_an_actor_that_stops_answering_times_out_for_its_episodes_only(make_pool):
    pool = make_pool(2, 4, timeout=120.0)

    async def warm_up():  # an actor's first reset imports and builds the worlds: slow on a loaded machine
        await pool.ready()
        await pool.close([h for h, _, _ in await pool.reset(["Calendar"] * 4, [0, 1, 2, 3])])

    asyncio.run(warm_up())
    pool.timeout = 3.0  # what is measured: a step on warm actors
    pids = [s["pid"] for s in asyncio.run(pool.stats())]

    async def play():
        episodes = await pool.reset(["Calendar"] * 4, [0, 1, 2, 3])
        frozen = [h for h, _, _ in episodes if h.actor == 0]
        others = [h for h, _, _ in episodes if h.actor == 1]
        assert len(frozen) == len(others) == 2
        os.kill(pids[0], signal.SIGSTOP)
        try:
            begin = time.monotonic()
            with pytest.raises(EpisodeLostError, match="did not answer step") as caught:
                await pool.step({h: {"name": "list_calendars", "arguments": {}} for h, _, _ in episodes})
            assert 2.5 < time.monotonic() - begin < 10
        finally:
            os.kill(pids[0], signal.SIGCONT)
        assert set(caught.value.handles) == set(frozen) and set(caught.value.results) == set(others)
        assert all(not r.done for r in caught.value.results.values())
        assert set(pool.live()) == set(others)

    asyncio.run(play())


def test_live_episodes_are_bounded_per_actor_and_reset_waits_for_room(make_pool):
    pool = make_pool(2, 3, wait=0.3)

    async def play():
        episodes = await pool.reset(["Calendar"] * 6, list(range(6)))
        assert sorted(h.actor for h, _, _ in episodes) == [0, 0, 0, 1, 1, 1]
        with pytest.raises(PoolFullError, match="max_episodes=3"):
            await pool.reset(["Retail"], [0])
        assert len(pool.live()) == 6  # the failed reset left nothing behind
        waiting = asyncio.create_task(pool.reset(["Retail"], [0], wait=10))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        ending = episodes[4][0]
        step = await pool.step_one(ending, "I could not find it.")  # ends a non-conversational task
        assert step.done
        (handle, _, info), = await asyncio.wait_for(waiting, 5)
        assert handle.actor == ending.actor and info["env"] == "Retail"  # the freed slot, rebuilt for Retail
        stats = await pool.stats()
        assert [s["live"] for s in stats] == [3, 3] and [s["slots"] for s in stats] == [3, 3]

    asyncio.run(play())


def test_invalid_requests_raise_the_env_error_and_start_nothing(make_pool):
    pool = make_pool(2, 8)

    async def play():
        with pytest.raises(ValueError, match="unknown task_id 'nope'"):
            await pool.reset(["Calendar", "Calendar", "Retail"], [0, 1, 2], [None, "nope", None])
        assert pool.live() == [] and [s["live"] for s in await pool.stats()] == [0, 0]
        mixed = await pool.reset(["Calendar", "NoSuchEnv"], return_exceptions=True)
        assert isinstance(mixed[1], Exception) and "NoSuchEnv" in str(mixed[1])
        handle = mixed[0][0]
        await pool.close([handle])
        with pytest.raises(UnknownEpisodeError):
            await pool.step({handle: "hello"})

    asyncio.run(play())


def test_concurrent_single_episode_calls_travel_batched_and_the_pool_pickles(make_pool):
    pool = make_pool(2, 64, name="test-pool")
    requests = requests_for(["Calendar"], 100, split=None)
    scripts = oracle_scripts(requests, **ENV_KWARGS)

    async def episode(client, index):
        name, seed, task_id = requests[index]
        handle, _, _ = await client.reset_one(name, seed, task_id)
        rewards = [(await client.step_one(handle, action)).reward for action in scripts[index][0]]
        return rewards

    async def play(client, indices):
        return await asyncio.gather(*(episode(client, i) for i in indices))

    assert asyncio.run(play(pool, range(100))) == [s[2] for s in scripts]
    stats = asyncio.run(pool.stats())
    steps = sum(len(s[0]) for s in scripts)  # 100 resets and ~430 steps, one coroutine each, in ~15 remote calls
    assert sum(s["steps"] for s in stats) == steps and sum(s["calls"] for s in stats) < steps / 8
    assert min(s["steps"] for s in stats) > steps / 4  # concurrent resets were spread over both actors

    copy = pickle.loads(pickle.dumps(pool))  # a new client of the same actors (as in another process)
    assert copy.live() == [] and asyncio.run(play(copy, range(10))) == [s[2] for s in scripts[:10]]
    shared = RayEnvPool(2, 64, env_kwargs=ENV_KWARGS, num_cpus=0.1, name="test-pool")  # same named actors
    assert [s["pid"] for s in asyncio.run(shared.stats())] == [s["pid"] for s in asyncio.run(pool.stats())]


def test_the_openrlhf_agent_plays_through_the_pool():
    """``--env-pool``: the labels name a pool and OpenRLHF's real executor plays the episode there, with the
    tokens and the reward of the in-process agent."""
    import importlib.util
    import json
    from pathlib import Path
    from types import SimpleNamespace

    try:
        from openrlhf.utils.agent import AgentExecutorBase  # noqa: F401
        from rl import envs, openrlhf_launch
        from rl.tokens import ChatFormat
        from rl.train import build_tokenizer
    except Exception as exc:  # noqa: BLE001 (openrlhf or the 'rl' extra absent)
        pytest.skip(f"openrlhf's agent module or the 'rl' extra does not import here: {type(exc).__name__}: {exc}")
    spec = importlib.util.spec_from_file_location("agent_module", Path(envs.__file__).parent / "openrlhf_agent.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fmt = ChatFormat(build_tokenizer(["Calendar"], vocab_size=1024, max_turns=8, phrase_min_count=8), thinking=False)
    pool = {"actors": 1, "max_episodes": 8, "name": "test-openrlhf", "num_cpus": 0.1}
    cfg = SimpleNamespace(max_turns=8, partial_credit=0.0, thinking=False)
    task = envs.tasks(["Calendar"], "test")[0][1]
    rows = {name: openrlhf_launch.prompt_rows([("Calendar", task)], fmt, cfg, False, spec_pool)[0]
            for name, spec_pool in (("local", None), ("pooled", pool))}
    assert json.loads(rows["pooled"]["label"])["pool"] == pool and "pool" not in json.loads(rows["local"]["label"])
    conversation, _ = envs.oracle_conversation(envs.make("Calendar", 8), task.id)
    texts = [m["content"] for m in conversation if m["role"] == "assistant"]

    class Engine:
        def __init__(self):
            self.texts = list(texts)

        async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
            text = self.texts.pop(0)
            ids = fmt.encode(text) + [fmt.eos_id]
            return SimpleNamespace(outputs=[SimpleNamespace(token_ids=ids, text=text, finish_reason="stop",
                                                            logprobs=None)])

    params = SimpleNamespace(max_tokens=None, logprobs=None)
    results = {name: asyncio.run(module.AgentExecutor().execute(row["prompt"], row["label"], params, 8192,
                                                                 fmt.tokenizer, Engine()))
               for name, row in rows.items()}
    assert results["pooled"]["reward"] == results["local"]["reward"] == 1.0
    assert results["pooled"]["observation_tokens"] == results["local"]["observation_tokens"]
    shared = module._POOLS["test-openrlhf"]
    try:
        assert [s["steps"] for s in asyncio.run(shared.stats())] == [len(texts)]
    finally:
        shared.shutdown()
