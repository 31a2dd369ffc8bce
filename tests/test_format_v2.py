"""Format v2: registration by discovery, declared limits, returns and user-known inputs, robust generation."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import gymnasium as gym
import pytest
from pydantic import Field
from typing_extensions import TypedDict

import envfactory_gym
from envfactory_gym import registration
from envfactory_gym.core.tools import ToolError, UserKnown, build_spec
from envfactory_gym.core.world import World
from envfactory_gym.core.worldset import WorldSet
from generators.graph import build

PROBE_MODULE = textwrap.dedent('''
    """A throwaway environment written by tests/test_format_v2.py."""

    from __future__ import annotations

    import random
    from typing import Any

    from typing_extensions import TypedDict

    from envfactory_gym.core.tools import tool
    from envfactory_gym.core.world import World


    class Plant(TypedDict):
        plant_id: str
        name: str
        water_ml: int


    class Greenhouse(World):
        """Plants and how much water each got."""

        schema = "CREATE TABLE plants (plant_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, water_ml INTEGER);"

        @classmethod
        def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
            db["plants"].insert_all({"plant_id": f"p{i}", "name": fake.unique.first_name(), "water_ml": 0}
                                    for i in range(6))

        @tool(phrase="show me my plants")
        def list_plants(self) -> list[Plant]:
            """List the plants."""
            return self.rows("SELECT * FROM plants ORDER BY name")

        @tool(writes=True, phrase="water {plant_id} with {water_ml} ml")
        def water_plant(self, plant_id: str, water_ml: int) -> Plant:
            """Water a plant.

            Args:
                plant_id: The plant's id.
                water_ml: How much water.
            """
            BODY
''')


@pytest.fixture
def added_module(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Drop an environment module into envs/lifestyle/, then remove it; the param names the class and gives the
    body of ``water_plant`` (each test its own name: modules and graphs are cached per process)."""
    name, body = request.param
    path = registration.ENVS_ROOT / "lifestyle" / f"zz_{name.lower()}_probe.py"
    path.write_text(PROBE_MODULE.replace("BODY", body).replace("Greenhouse", name), encoding="utf-8")
    try:
        envfactory_gym.register_all()
        yield path
    finally:
        path.unlink()
        envfactory_gym.register_all()


WORKING = ('self.execute("UPDATE plants SET water_ml = water_ml + ? WHERE plant_id = ?", water_ml, plant_id)\n'
           '        return self.require("SELECT * FROM plants WHERE plant_id = ?", plant_id, error="no such plant")')
BROKEN = 'return {"plant_id": plant_id, "name": 1 / 0, "water_ml": water_ml}'


@pytest.mark.parametrize("added_module", [("Greenhouse", WORKING)], indirect=True)
def test_adding_a_module_to_a_domain_folder_registers_it(added_module: Path) -> None:
    assert registration.ENVIRONMENTS["Greenhouse"] == ("Lifestyle", "envs.lifestyle.zz_greenhouse_probe:Greenhouse")
    assert gym.make("EnvFactory/Lifestyle-v0") is not None
    assert "Greenhouse" in registration.members("Lifestyle")
    env = gym.make("EnvFactory/Lifestyle-v0").unwrapped
    assert "water_plant" in env.worlds.tools and env.worlds.worlds["Greenhouse"].domain == "Lifestyle"
    worlds = registration.world_set("Greenhouse")(0)
    plant = worlds.call("list_plants", {})[0]
    assert worlds.call("water_plant", {"plant_id": plant["plant_id"], "water_ml": 250})["water_ml"] == 250
    assert registration.templates("Greenhouse") == {}


def test_a_removed_module_is_unregistered() -> None:
    assert "Greenhouse" not in registration.ENVIRONMENTS
    assert "EnvFactory/Greenhouse-v0" not in gym.registry


@pytest.mark.parametrize("added_module", [("BrokenGreenhouse", BROKEN)], indirect=True)
def test_a_broken_tool_body_is_reported_not_fatal(added_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from envfactory_gym.cli import main

    assert main(["tasks", "BrokenGreenhouse", "--chains", "5", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("BrokenGreenhouse: not written: ")
    assert "- BrokenGreenhouse.water_plant: " in err and "ZeroDivisionError: division by zero" in err
    assert "with arguments {'plant_id': 'p" in err


class Account(TypedDict):
    user_id: str
    balance: int


class Wallet(World):
    """A wallet whose tools echo the user's id, as many real APIs do."""

    schema = "CREATE TABLE accounts (user_id TEXT PRIMARY KEY, balance INTEGER NOT NULL);"

    @classmethod
    def populate(cls, db: Any, rng: Any, fake: Any) -> None:
        db["accounts"].insert_all({"user_id": f"u{i}", "balance": 100 * i} for i in range(4))

    def balance(self, user_id: Annotated[str, UserKnown]) -> Account:
        """A user's balance.

        Args:
            user_id: The user's id.
        """
        return self.require("SELECT * FROM accounts WHERE user_id = ?", user_id, error="no such user")

    def top_up(self, user_id: Annotated[str, UserKnown], amount: Annotated[int, Field(gt=0, le=500)]) -> Account:
        """Add money.

        Args:
            user_id: The user's id.
            amount: How much to add.
        """
        self.execute("UPDATE accounts SET balance = balance + ? WHERE user_id = ?", amount, user_id)
        return self.balance(user_id)


def test_declared_limits_returns_and_user_known_inputs() -> None:
    top_up = build_spec(Wallet.top_up, writes=True)
    assert top_up.parameters["properties"]["amount"] == {
        "description": "How much to add.", "exclusiveMinimum": 0, "maximum": 500, "type": "integer"}
    assert top_up.user_known == frozenset({"user_id"})
    assert top_up.output_schema["properties"] == {"user_id": {"type": "string", "title": "User Id"},
                                                   "balance": {"type": "integer", "title": "Balance"}}
    with pytest.raises(ToolError) as error:
        top_up.validate({"user_id": "u1", "amount": 900})
    assert str(error.value) == "invalid arguments for 'top_up': amount: Input should be less than or equal to 500"
    assert top_up.nonconformity({"user_id": "u1", "balance": 5}) is None
    assert top_up.nonconformity({"user_id": "u1", "balance": "5"}) == "balance: Input should be a valid integer"
    assert top_up.nonconformity({"user_id": "u1", "balance": 5, "pin": 1}) == (
        "the result holds fields the declared return type does not name")


def test_a_user_known_id_needs_no_producer_even_when_echoed() -> None:
    from envfactory_gym.core.tools import tool

    class EchoWallet(Wallet):
        name = "EchoWallet"
        balance = tool(Wallet.balance)
        top_up = tool(writes=True)(Wallet.top_up)

    graph = build("EchoWallet", WorldSet.of("EchoWallet", (EchoWallet,)))
    assert graph.tools["top_up"].params["user_id"].kind == "user"
    assert graph.tools["top_up"].outputs["user_id"].type == "string"  # read from the declared return, not probed
    assert not graph.producers("top_up", "user_id")


def readme_example() -> str:
    """The complete environment module of the README's "Writing an environment" section."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing an environment"):]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_environment_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    from envfactory_gym.cli import main

    path = registration.ENVS_ROOT / "lifestyle" / "zz_readme_pantry.py"
    path.write_text(readme_example(), encoding="utf-8")
    try:
        envfactory_gym.register_all()
        assert registration.ENVIRONMENTS["Pantry"][0] == "Lifestyle"
        worlds = registration.world_set("Pantry")(3)
        schema = worlds.tools["list_items"][1].parameters["properties"]["max_results"]
        assert (schema["minimum"], schema["maximum"]) == (1, 50)
        with pytest.raises(ToolError) as error:
            worlds.call("list_items", {"max_results": 51})
        assert str(error.value) == "invalid arguments for 'list_items': max_results must be between 1 and 50"
        assert worlds.call("add_to_list", {"name": "Rice", "quantity": 2}) == {"name": "rice", "quantity": 2}
        assert worlds.call("add_to_list", {"name": "rice"}) == {"name": "rice", "quantity": 3}
        assert main(["tasks", "Pantry", "--chains", "20", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Pantry: ") and " tasks (0 from scenarios)" in out and "Pantry: 0 tasks" not in out
    finally:
        path.unlink()
        envfactory_gym.register_all()


def test_a_registered_directory_adds_its_environments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``register_path(DIR)`` (or ``ENVFACTORY_PATH``) registers a directory laid out like ``envs/``; its task
    files live beside its modules."""
    from envfactory_gym.agents import OracleAgent, run_episode
    from envfactory_gym.cli import main

    for root in (tmp_path, tmp_path / "copy"):
        (root / "lifestyle").mkdir(parents=True)
        (root / "lifestyle" / "larder.py").write_text(readme_example().replace("class Pantry(", "class Larder("),
                                                      encoding="utf-8")
    try:
        assert envfactory_gym.register_path(tmp_path) == ["Larder"]
        assert registration.ENVIRONMENTS["Larder"] == ("Lifestyle", f"{tmp_path / 'lifestyle' / 'larder.py'}:Larder")
        assert main(["tasks", "Larder", "--chains", "20"]) == 0
        assert registration.task_file("Larder") == tmp_path / "lifestyle" / "tasks" / "Larder.jsonl"
        envfactory_gym.register_all()
        env = gym.make("EnvFactory/Larder-v0", split=None)
        task = env.unwrapped.tasks[0]
        assert run_episode(env, OracleAgent(), task.id).success
        with pytest.raises(ValueError, match="environment 'Larder' of .* is already registered"):
            monkeypatch.setenv("ENVFACTORY_PATH", str(tmp_path / "copy"))
            envfactory_gym.register_all()
    finally:
        registration.EXTRA_ROOTS.clear()
        monkeypatch.delenv("ENVFACTORY_PATH", raising=False)
        envfactory_gym.register_all()
    assert "Larder" not in registration.ENVIRONMENTS
    with pytest.raises(FileNotFoundError, match="no such directory"):
        envfactory_gym.register_path(tmp_path / "missing")
