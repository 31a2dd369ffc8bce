"""Usage errors of the ``envfactory`` command: said once, clearly, with exit status 2, before any work is done."""

from __future__ import annotations

import pytest

from envfactory_gym import cli


@pytest.mark.parametrize(("argv", "message"), [
    (["generate", "tasks", "Calendar", "--n", "-5"], "argument --n: must be a positive integer, got -5"),
    (["generate", "sft", "Calendar", "--n", "0"], "argument --n: must be a positive integer, got 0"),
    (["generate", "tasks", "Calendar", "--n", "many"], "argument --n: must be an integer, got 'many'"),
    (["generate", "tasks", "Calendar", "--test-share", "1.5"], "argument --test-share: must be between 0 and 1"),
    (["generate", "tasks", "Calendar", "--conversational", "-0.1"],
     "argument --conversational: must be between 0 and 1"),
    (["tasks", "Calendar", "--n", "-5"], "argument --n: must be a positive integer, got -5"),
    (["tasks", "Calendar", "--chains", "-1"], "argument --chains: must be 0 or a positive integer, got -1"),
    (["tasks", "Calendar", "--test-share", "2"], "argument --test-share: must be between 0 and 1"),
])
def test_generator_counts_and_shares_are_checked_by_the_parser(argv: list[str], message: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_generator_counts_accept_valid_values() -> None:
    args = cli.build_parser().parse_args(["generate", "tasks", "Calendar", "--n", "3", "--test-share", "0",
                                          "--conversational", "1"])
    assert (args.n, args.test_share, args.conversational) == (3, 0.0, 1.0)
    args = cli.build_parser().parse_args(["tasks", "Calendar", "--n", "1", "--chains", "0"])
    assert (args.n, args.chains) == (1, 0)


def test_verify_an_unknown_name_is_one_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["verify", "Nope", "--checks", "gold"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("Nope") == 1 and "unknown environment or domain: Nope; known: " in captured.err
    assert "FAIL" not in captured.out


def test_verify_accepts_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["verify", "EnvFactory/CampusCard-v0", "--checks", "gold"]) == 0
    assert "| CampusCard" in capsys.readouterr().out


def test_verify_builds_the_worlds_of_a_seed_range(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from envfactory_gym.evaluation import verify

    built: list[tuple[str, tuple[int, ...]]] = []
    check = verify.check_worlds
    monkeypatch.setattr(verify, "check_worlds", lambda name, seeds: built.append((name, tuple(seeds))) or
                        check(name, seeds))
    assert cli.main(["verify", "Valorant", "--checks", "worlds", "--world-seeds", "520-523"]) == 0
    assert built == [("Valorant", (520, 521, 522, 523))] and "| Valorant      | PASS     |" in capsys.readouterr().out
    for bad in ("6-5", "7", "a-9", "3-"):
        with pytest.raises(SystemExit):
            cli.main(["verify", "Valorant", "--checks", "worlds", "--world-seeds", bad])
        assert f"argument --world-seeds: expected FIRST-LAST with 0 <= FIRST <= LAST, e.g. 0-999, got '{bad}'" in (
            capsys.readouterr().err)
