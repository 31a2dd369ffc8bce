"""Behaviour of the Valorant environment: saved compositions, party invites with rank rules, errors and rewards."""

from __future__ import annotations

from typing import Any

from envfactory_gym.registration import world_set
from envs.lifestyle.valorant import MY_RANK
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "Valorant"


def pool_map(world: Any, saved: int) -> str:
    return world.value("SELECT map_name FROM maps WHERE in_pool = 1 AND (SELECT COUNT(*) FROM saved_comps s WHERE"
                       " s.map_name = maps.map_name) = ? ORDER BY map_name", saved)


def test_save_composition_rules(env: Any, world: Any) -> None:
    m = pool_map(world, 0)
    args = {"map_name": m.lower(), "comp_name": "Split exec", "agent_names": ["omen", "Jett", "Sova"]}
    saved = world.call("valorant_save_team_composition", args)
    assert saved == {"comp_id": saved["comp_id"], "comp_name": "Split exec", "map_name": m,
                     "agents": ["Omen", "Jett", "Sova"]}
    assert world.row("SELECT * FROM saved_comps WHERE comp_id = ?", saved["comp_id"])["agents"] == "Omen, Jett, Sova"
    assert fails(env, world, "valorant_save_team_composition", args) == (
        f"you already have a {m} composition named 'Split exec'; pick another name")
    assert fails(env, world, "valorant_save_team_composition", {**args, "comp_name": "B", "agent_names": ["Jett", "jett"]}) == (
        "each agent can be picked only once in a composition")
    off = world.value("SELECT map_name FROM maps WHERE in_pool = 0 ORDER BY map_name")
    assert fails(env, world, "valorant_save_team_composition", {**args, "map_name": off}) == (
        f"{off} is not in the competitive pool; save compositions for pool maps only")
    world.call("valorant_save_team_composition", {**args, "comp_name": "Two"})
    world.call("valorant_save_team_composition", {**args, "comp_name": "Three"})
    assert fails(env, world, "valorant_save_team_composition", {**args, "comp_name": "Four"}) == (
        f"you already have 3 compositions for {m}; delete one first")
    assert world.call("valorant_delete_team_composition", {"comp_id": saved["comp_id"]})["deleted"] is True
    assert world.value("SELECT COUNT(*) FROM saved_comps WHERE map_name = ?", m) == 2


def test_party_invites_follow_the_rank_rule(env: Any, world: Any) -> None:
    far = world.row("SELECT f.player_name, p.rank_index FROM friends f JOIN players p USING (player_name) WHERE"
                    " abs(p.rank_index / 3 - ?) > 2 ORDER BY f.player_name", MY_RANK // 3)
    message = fails(env, world, "valorant_invite_friend", {"player_name": far["player_name"]})
    assert message.endswith("a party of 3 must be within 2 ranks of each other to queue competitive")
    near = world.row("SELECT f.player_name FROM friends f JOIN players p USING (player_name) WHERE p.rank_index / 3"
                     " = ? AND f.player_name NOT IN (SELECT player_name FROM party) ORDER BY f.player_name", MY_RANK // 3)
    party = world.call("valorant_invite_friend", {"player_name": near["player_name"]})
    assert party["size"] == 3 and party["competitive_eligible"] is True
    assert near["player_name"] in [m["player_name"] for m in party["members"]]
    assert fails(env, world, "valorant_invite_friend", {"player_name": near["player_name"]}) == (
        f"{near['player_name']} is already in your party")
    stranger = world.value("SELECT player_name FROM players WHERE player_name NOT IN (SELECT player_name FROM friends)"
                           " ORDER BY player_name")
    assert fails(env, world, "valorant_invite_friend", {"player_name": stranger}) == (
        f"{stranger} is not on your friends list; you can only invite friends")
    assert world.call("valorant_remove_from_party", {"player_name": near["player_name"]})["size"] == 2
    assert fails(env, world, "valorant_remove_from_party", {"player_name": near["player_name"]}) == (
        f"{near['player_name']} is not in your party")


def test_schema_limits_and_lookups(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    agents = tools["valorant_save_team_composition"][1].parameters["properties"]["agent_names"]
    assert (agents["minItems"], agents["maxItems"]) == (1, 5)
    assert tools["valorant_list_leaderboard"][1].parameters["properties"]["region"]["enum"] == [
        "na", "eu", "ap", "kr", "latam", "br"]
    assert fails(env, world, "valorant_list_agent_compositions_for_map", {"map_name": "Dust2"}) == (
        "no map named 'Dust2'; valorant_list_maps lists them")
    assert fails(env, world, "valorant_list_leaderboard", {"region": "eu", "limit": 0}) == (
        "invalid arguments for 'valorant_list_leaderboard': limit must be between 1 and 50")


def test_gold_earns_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if "valorant_delete_team_composition" in t.tags["chain"] and not t.answer_facts)
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    assert play(env, task.id, []) == 0.0
    at = next(i for i, (name, _) in enumerate(calls) if name == "valorant_delete_team_composition")
    world = env.worlds.worlds[ENV]
    other = world.value("SELECT comp_id FROM saved_comps WHERE comp_id != ? ORDER BY comp_id", calls[at][1]["comp_id"])
    wrong = [*calls[:at], ("valorant_delete_team_composition", {"comp_id": other}), *calls[at + 1:]]
    assert play(env, task.id, wrong) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    assert_answer_is_graded(env, next(t for t in env.tasks if t.answer_facts and not t.tags["writes"]))


def test_a_world_whose_friends_all_rank_far_from_mine_still_has_a_party_buddy() -> None:
    # seed 522 draws no friend within 3 rank steps of mine; populate used to stop there (StopIteration)
    world = world_set(ENV)(522).worlds[ENV]
    buddy = world.row("SELECT p.* FROM party JOIN players p USING (player_name)")
    assert abs(buddy["rank_index"] - MY_RANK) <= 3
    assert world.value("SELECT COUNT(*) FROM friends WHERE player_name = ?", buddy["player_name"]) == 1
    assert not world.value("SELECT COUNT(*) FROM leaderboard WHERE player_name = ?", buddy["player_name"])
