"""The adaptive curriculum: the level follows a scripted agent's success, and its state round-trips."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest

from envfactory_gym.agents import NoOpAgent, OracleAgent
from envfactory_gym.curriculum import LEVELS, Curriculum, CurriculumWrapper, ladder


def _episodes(env: gym.Env, agent_for_level, n: int) -> list[int]:
    """Play ``n`` episodes through the wrapper; the levels they were played at."""
    levels = []
    for i in range(n):
        _, info = env.reset(seed=1000 + i)
        levels.append(info["curriculum"]["level"])
        agent = agent_for_level(info["curriculum"]["level"])
        agent.reset(env, info)
        done = False
        while not done:
            _, _, terminated, truncated, info = env.step(agent.act(info))
            done = terminated or truncated
    return levels


def test_level_rises_when_the_agent_succeeds_and_falls_when_it_fails():
    levels = [{"calls": 1, "carry_ids": False, "worlds": 2}, {"calls": 2, "worlds": 2}, {"calls": 3, "worlds": 2}]
    curriculum = Curriculum(levels, window=4, min_episodes=2)
    env = CurriculumWrapper(gym.make("EnvFactory/Calendar-v0"), curriculum)
    played = _episodes(env, lambda level: OracleAgent(), 5)
    assert played == [0, 0, 1, 1, 2] and curriculum.level == 2
    assert curriculum.successes[:2] == [2, 2]
    played = _episodes(env, lambda level: NoOpAgent(), 6)
    # level 1 remembers its two successes: 2 of 4 is within the band, a third failure takes it down
    assert played == [2, 2, 1, 1, 1, 0] and curriculum.level == 0
    # an agent that solves the first level only settles between the first two
    played = _episodes(env, lambda level: OracleAgent() if level == 0 else NoOpAgent(), 8)
    assert set(played) == {0, 1}


def test_rule_band_window_and_outcomes_of_other_levels():
    c = Curriculum([{"calls": 1}, {"calls": 2}, {"calls": 3}], window=10, min_episodes=4)
    for reward in (1, 0, 1, 0, 1, 0):  # 50%: stays
        c.update(0, reward)
    assert c.level == 0
    for _ in range(4):
        c.update(0, 1)  # 6 of 9 > 0.65: up (the tenth is then an outcome of another level)
    assert c.level == 1 and c.since_move == 0
    for _ in range(5):
        c.update(0, 0)  # episodes started at level 0 before the move: statistics only
    assert c.level == 1 and c.episodes[0] == 15
    for _ in range(3):
        c.update(1, 0)
    assert c.level == 1  # fewer than min_episodes since the move
    c.update(1, 0)
    assert c.level == 0
    assert c.moves == [(9, 1), (19, 0)]  # 6 of 9 after the ninth episode
    for _ in range(20):
        c.update(c.level, 0)
    assert c.level == 0  # never below the first level


def test_state_round_trips_through_json():
    c = Curriculum(LEVELS, window=6, min_episodes=3)
    for reward in (1, 1, 1, 0, 1, 1, 0, 0, 0):
        c.update(c.level, reward)
    c.mark_unsupported(4)
    state = json.loads(json.dumps(c.state_dict()))
    again = Curriculum.from_state(state)
    assert again.state_dict() == c.state_dict()
    for reward in (1, 1, 1, 1, 0, 1):
        c.update(c.level, reward)
        again.update(again.level, reward)
    assert again.state_dict() == c.state_dict()


def test_unsupported_levels_are_skipped():
    c = Curriculum([{"calls": 1}, {"calls": 2, "conversational": True}, {"calls": 3}], window=2, min_episodes=1)
    c.mark_unsupported(1)
    c.update(0, 1)
    assert c.level == 2
    c.update(2, 0)
    assert c.level == 0


def test_ladder_and_bad_settings():
    assert all(level.get("envs", 1) == 1 for level in ladder(1)) and len(ladder(3)) == len(LEVELS)
    with pytest.raises(ValueError, match="unknown difficulty axis 'speed'"):
        Curriculum([{"speed": 1}])
    with pytest.raises(ValueError, match="min_episodes <= window"):
        Curriculum(LEVELS, window=2, min_episodes=3)
    with pytest.raises(ValueError, match="start level must be from 0"):
        Curriculum(LEVELS, start=len(LEVELS))


def test_rl_train_curriculum_resumes_with_its_state(tmp_path):
    import torch

    from rl import train

    smoke = ["--max-tasks", "3", "--sft-epochs", "0", "--steps", "1", "--tasks-per-step", "2", "--group-size", "2",
             "--max-new-tokens", "4", "--max-turns", "1", "--vocab-size", "600", "--train-worlds", "2",
             "--sft-worlds", "1", "--test-worlds", "1", "--train-eval", "0", "--no-progress", "--curriculum",
             "--curriculum-window", "2", "--envs", "Calendar", "--heldout-envs=", "--out", str(tmp_path)]
    train.main(smoke)
    state = torch.load(tmp_path / "trainer_state.pt", weights_only=False)["curriculum"]["Calendar"]
    assert sum(state["episodes"]) == 4 and state["level"] == 0  # an untrained policy fails: stays at the bottom
    train.main(smoke + ["--resume", str(tmp_path), "--steps", "1"])  # one more step
    state = torch.load(tmp_path / "trainer_state.pt", weights_only=False)["curriculum"]["Calendar"]
    assert sum(state["episodes"]) == 8 and state["window"] == 2
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["levels"] for r in records if r["phase"] == "rl"] == [[0, 0], [0, 0]]  # the first run's record kept
