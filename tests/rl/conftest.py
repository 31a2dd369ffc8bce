"""Shared fixtures of the RL driver tests: a tokenizer trained on the Calendar suite, its chat format, a tiny model."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="the RL driver needs the 'rl' extra (torch, transformers, tokenizers)")
pytest.importorskip("transformers", reason="the RL driver needs the 'rl' extra")

ENV = "Calendar"
MAX_TURNS = 12  # the longest gold chains have 8 calls, then the answer


#: The smallest complete run of rl.train (three environments, all their templates): every phase, seconds each.
SMOKE = ["--envs", "Calendar,MongoDBServer,KospiKosdaqStock", "--max-tasks", "3", "--sft-epochs", "1", "--steps", "1",
         "--tasks-per-step", "2", "--group-size", "2", "--max-new-tokens", "6", "--max-turns", "2",
         "--vocab-size", "600", "--train-worlds", "2", "--sft-worlds", "1", "--test-worlds", "1", "--eval-before-sft"]


@pytest.fixture
def smoke_flags():
    return list(SMOKE)


@pytest.fixture(scope="session")
def tokenizer():
    from rl.train import build_tokenizer

    return build_tokenizer([ENV], vocab_size=1024, max_turns=MAX_TURNS, phrase_min_count=8)


@pytest.fixture(scope="session")
def fmt(tokenizer):
    from rl.tokens import ChatFormat

    return ChatFormat(tokenizer)


@pytest.fixture(scope="session")
def tiny_model(tokenizer):
    from rl import model as models

    return models.build(tokenizer, models.SIZES["tiny"], seed=0).eval()


@pytest.fixture(scope="session")
def oracle_episodes(fmt):
    """The oracle's episodes of every Calendar task, played through the token bookkeeping."""
    from rl import envs
    from rl.rollout import EnvPool, Job, oracle_actor, play

    jobs = [Job(name, t.id, t.seed) for name, t in envs.tasks([ENV], "train") + envs.tasks([ENV], "test")]
    return play(jobs, oracle_actor(fmt), fmt, EnvPool(MAX_TURNS), max_len=8192, max_new_tokens=256, oracle=True)
