"""The default run's task distribution: several environments, held-out test worlds, one environment never trained."""

from __future__ import annotations

import pytest

from envfactory_gym import registration
from rl import train
from rl.rollout import Job

TINY = ["--train-worlds", "2", "--sft-worlds", "1", "--test-worlds", "1"]


def test_the_default_trains_two_call_tasks_that_carry_an_id_in_three_environments_and_holds_one_out():
    cfg = train.parse_args(TINY)
    names = train.env_names(cfg.envs)
    assert names == ["Calendar", "MovieRecommender", "GameTrending"]
    assert cfg.scenarios == "cancel_event,rate_by_title,wishlist_by_name"
    assert {registration.world_set(n).members[0].domain for n in names} == {"Office", "Lifestyle"}
    assert train.heldout_names(cfg, names) == ["ExcelServer"]
    train_pairs, test_pairs = train.task_split(cfg, names)
    assert {n for n, _ in train_pairs} == set(names)  # never a task of the held-out environment in training
    assert {n for n, _ in test_pairs} == {*names, "ExcelServer"}
    assert {t.seed for _, t in train_pairs} == {0, 1} and {t.seed for _, t in test_pairs} == {1000}
    # two calls: a search by the name in the request, then a write by the id only its result gives
    calls = {"Calendar": (["search_events", "delete_event"], "query", "event_id"),
             "MovieRecommender": (["get_movies", "rate_movie"], "keyword", "movie_id"),
             "GameTrending": (["get_app_id", "add_to_wishlist"], "game_name", "app_id")}
    for name, task in train_pairs + [(n, t) for n, t in test_pairs if n in names]:
        tools, searched, carried = calls[name]
        assert [c["name"] for c in task.gold] == tools
        assert task.gold[0]["arguments"][searched] in task.request
        assert str(task.gold[1]["arguments"][carried]) not in task.request
    assert train.parse_args([*TINY, "--envs", "Retail"]).scenarios == ""  # another environment: all its templates
    default = train.parse_args([])
    worlds = (default.train_worlds, default.sft_worlds, default.test_worlds, default.heldout_worlds)
    assert worlds == (440, 400, 150, 20)  # 3 x 150 = 450 test tasks of the trained environments


def test_the_held_out_environment_plays_the_first_heldout_worlds_of_the_test_worlds():
    cfg = train.parse_args([*TINY, "--envs", "Calendar", "--test-worlds", "3", "--heldout-worlds", "1"])
    _, test_pairs = train.task_split(cfg, ["Calendar"])
    assert {t.seed for n, t in test_pairs if n == "Calendar"} == {1000, 1001, 1002}
    assert {t.seed for n, t in test_pairs if n == "ExcelServer"} == {1000}
    assert all(t.split == "test" for _, t in test_pairs)
    assert [n for n, _ in test_pairs] == sorted((n for n, _ in test_pairs), key=["Calendar", "ExcelServer"].index)


def test_scenarios_narrow_the_trained_environments_only():
    picked = "cancel_event,relocate_event,restock"
    cfg = train.parse_args([*TINY, "--envs", "Calendar,MongoDBServer", "--scenarios", picked])
    train_pairs, test_pairs = train.task_split(cfg, ["Calendar", "MongoDBServer"])
    for pairs in (train_pairs, [(n, t) for n, t in test_pairs if n != "ExcelServer"]):
        assert {(n, t.tags["scenario"]) for n, t in pairs} == {
            ("Calendar", "cancel_event"), ("Calendar", "relocate_event"), ("MongoDBServer", "restock")}
    assert len({t.tags["scenario"] for n, t in test_pairs if n == "ExcelServer"}) > 3  # held out: all of its own
    cfg = train.parse_args([*TINY, "--envs", "Calendar", "--scenarios", "cancel_event, nope"])
    with pytest.raises(ValueError, match=r"^--scenarios names no task template of Calendar: nope$"):
        train.task_split(cfg, ["Calendar"])
    cfg = train.parse_args([*TINY, "--envs", "Calendar,MongoDBServer", "--scenarios", "cancel_event"])
    with pytest.raises(ValueError, match=r"^none of the scenarios \['cancel_event'\] is a task template of "
                                         r"'MongoDBServer'; its templates: "):
        train.task_split(cfg, ["Calendar", "MongoDBServer"])


def test_an_environment_cannot_be_both_trained_and_held_out():
    cfg = train.parse_args([*TINY, "--envs", "Calendar", "--heldout-envs", "Calendar"])
    with pytest.raises(ValueError, match=r"^Calendar cannot be both trained on \(--envs\) and held out"):
        train.task_split(cfg, ["Calendar"])
    cfg = train.parse_args([*TINY, "--envs", "Office", "--tasks", "suite"])  # the default ExcelServer is in Office
    with pytest.raises(ValueError, match=r"^ExcelServer cannot be both trained on \(--envs\) and held out"):
        train.task_split(cfg, ["Office"])


def test_the_tokenizer_gets_phrases_for_a_held_out_system_prompt_but_sees_none_of_its_episodes():
    cfg = train.parse_args([*TINY, "--envs", "Calendar"])
    train_pairs, test_pairs = train.task_split(cfg, ["Calendar"])
    excel = [(n, t) for n, t in test_pairs if n == "ExcelServer"]
    without = train.build_tokenizer(["Calendar"], 1024, 6, train_pairs, phrase_min_count=8, qwen3_split=True)
    with_prompt = train.build_tokenizer(["Calendar"], 1024, 6, train_pairs, phrase_min_count=8, qwen3_split=True,
                                        prompts_only=excel)
    from rl import envs

    _, info = envs.make("ExcelServer", 6, tasks=[excel[0][1]]).reset(seed=excel[0][1].seed,
                                                                       options={"task_id": excel[0][1].id})
    system = info["messages"][0]["content"]
    assert len(with_prompt.encode(system)) < len(without.encode(system)) / 4
    request = excel[0][1].request  # the request itself is not phrase-coded: its words were never trained on
    assert len(with_prompt.encode(request)) > 3


def test_the_report_has_a_row_per_environment_and_marks_the_held_out_one():
    test = [Job("Calendar", "a", 1000), Job("Calendar", "b", 1000), Job("ExcelServer", "c", 1000)]
    text = train.report({"after SFT": 0.5, "after RL": 1.0},
                        {"after SFT": {"Calendar": 0.5, "ExcelServer": 0.0},
                         "after RL": {"Calendar": 1.0, "ExcelServer": 0.0}},
                        {"after SFT": 0.25}, ["Calendar"], ["ExcelServer"], test, 4)
    lines = text.splitlines()
    assert lines[2].split() == ["test", "tasks", "after", "SFT", "after", "RL"]
    assert lines[3].split() == ["Calendar", "(2)", "0.500", "1.000"]
    assert lines[4].split() == ["all", "trained", "(2)", "0.500", "1.000"]
    assert lines[5].split() == ["ExcelServer", "(1,", "never", "trained)", "0.000", "0.000"]
    assert lines[6].split() == ["RL", "train", "sample", "(4)", "0.250", "-"]
