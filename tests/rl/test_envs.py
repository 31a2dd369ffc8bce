"""Task selection of the RL driver: generated tasks on disjoint world seeds, played by an env over that list."""

from __future__ import annotations

import pytest

from rl import envs, train

ENV = "Calendar"


@pytest.fixture(scope="module")
def generated():
    return (envs.generated_tasks(ENV, range(3), "train", max_calls=2, conversational=False),
            envs.generated_tasks(ENV, range(1000, 1002), "test", max_calls=2, conversational=False))


def test_generated_tasks_are_filtered_and_labelled(generated):
    train_tasks, test_tasks = generated
    assert train_tasks and test_tasks
    assert all(t.tags["calls"] <= 2 and not t.user_facts for t in train_tasks + test_tasks)
    assert {t.split for t in train_tasks} == {"train"} and {t.split for t in test_tasks} == {"test"}
    assert {t.seed for t in train_tasks} == {0, 1, 2} and {t.seed for t in test_tasks} == {1000, 1001}
    everything = envs.generated_tasks(ENV, range(3), "train")
    assert len(everything) > len(train_tasks) and any(t.tags["calls"] > 2 for t in everything)


def test_task_list_env_plays_exactly_its_tasks(generated):
    tasks = generated[0] + generated[1]
    env = envs.make(ENV, max_turns=8, tasks=tasks)
    assert isinstance(env, envs.TaskListEnv) and env.tasks == tasks
    for task in tasks:
        assert envs.oracle_conversation(env, task.id, task.seed)[1] == 1.0
    with pytest.raises(ValueError, match="unknown task_id"):
        env.reset(options={"task_id": "Calendar-no-such-task"})
    _, info = env.reset(seed=3)  # without a task id it draws from its own list
    assert info["task_id"] in env.task_index
    with pytest.raises(ValueError):
        envs.TaskListEnv(ENV, [])


def test_task_split_uses_disjoint_worlds_or_the_committed_files():
    cfg = train.parse_args(["--envs", ENV, "--train-worlds", "2", "--sft-worlds", "1", "--test-worlds", "1"])
    train_tasks, test_tasks = train.task_split(cfg, [ENV])
    assert {t.seed for _, t in train_tasks} == {0, 1} and {t.seed for _, t in test_tasks} == {1000}
    assert not {t.id for _, t in train_tasks} & {t.id for _, t in test_tasks}
    assert not {t.id for _, t in train_tasks} & {t.id for _, t in envs.tasks([ENV], "test")}  # suite's test unseen
    suite = train.task_split(train.parse_args(["--tasks", "suite"]), [ENV])
    assert [t.id for _, t in suite[1]] == [t.id for _, t in envs.tasks([ENV, "ExcelServer"], "test")]  # + held out
    with pytest.raises(ValueError, match="disjoint"):
        train.task_split(train.parse_args(["--train-worlds", "5", "--sft-worlds", "1", "--test-world-start", "3"]),
                         [ENV])


def test_generated_tasks_world_by_world_are_one_build_over_all_worlds():
    """Built one world at a time (to report progress), the tasks are those of one build over every world."""
    import dataclasses

    from generators.scenarios import build_tasks

    calls = []
    by_world = envs.generated_tasks(ENV, range(3), "train", progress=calls.append)
    assert calls == [1, 1, 1]
    at_once = [dataclasses.replace(t, split="train") for t in build_tasks(ENV, 10**6, seeds=[0, 1, 2], max_attempts=1)[0]]
    assert [t.to_json() for t in by_world] == [t.to_json() for t in at_once]


def test_generated_tasks_built_in_a_process_pool_are_the_same_and_their_worlds_are_not_built_again(monkeypatch):
    from collections import OrderedDict
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from envfactory_gym.core import world
    from envfactory_gym.registration import world_set

    monkeypatch.setattr(world, "_SNAPSHOTS", OrderedDict())
    (member,) = world_set(ENV).members
    built: list[int] = []
    real = member.build_initial.__func__
    monkeypatch.setattr(member, "build_initial", classmethod(lambda cls, seed: built.append(seed) or real(cls, seed)))
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        parallel = envs.generated_tasks(ENV, range(3), "train", executor=pool)
    assert built == []  # the workers built them and handed them back
    assert [t.to_json() for t in parallel] == [t.to_json() for t in envs.generated_tasks(ENV, range(3), "train")]
    assert built == []
