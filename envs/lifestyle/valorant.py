"""Valorant: agents, maps, per-map agent statistics and compositions, ranked leaderboards by region and act,
player match history, and the signed-in player's saved compositions, friends and party."""

from __future__ import annotations

import datetime as dt
import random
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, fake_id

ME, MY_REGION, MY_RANK = "Kestrel#0417", "eu", 3 * 3 + 1  # Gold 2
AGENTS = {"Astra": "Controller", "Breach": "Initiator", "Brimstone": "Controller", "Chamber": "Sentinel",
          "Clove": "Controller", "Cypher": "Sentinel", "Deadlock": "Sentinel", "Fade": "Initiator",
          "Gekko": "Initiator", "Harbor": "Controller", "Iso": "Duelist", "Jett": "Duelist", "KAY/O": "Initiator",
          "Killjoy": "Sentinel", "Neon": "Duelist", "Omen": "Controller", "Phoenix": "Duelist", "Raze": "Duelist",
          "Reyna": "Duelist", "Sage": "Sentinel", "Skye": "Initiator", "Sova": "Initiator", "Viper": "Controller",
          "Vyse": "Sentinel", "Yoru": "Duelist"}
ORIGINS = ["USA", "Sweden", "Ghana", "France", "Scotland", "Morocco", "Norway", "South Korea", "Japan", "Mexico",
           "Brazil", "China", "Turkey", "India", "Philippines", "Australia", "Russia", "UK", "Germany"]
MAPS = {"Ascent": ("Venice, Italy", "A/B"), "Bind": ("Rabat, Morocco", "A/B"), "Breeze": ("Bermuda Triangle", "A/B"),
        "Fracture": ("Santa Fe, USA", "A/B"), "Haven": ("Thimphu, Bhutan", "A/B/C"), "Icebox": ("Bennett Island", "A/B"),
        "Lotus": ("Western Ghats, India", "A/B/C"), "Pearl": ("Lisbon, Portugal", "A/B"), "Split": ("Tokyo, Japan", "A/B"),
        "Sunset": ("Los Angeles, USA", "A/B"), "Abyss": ("Unknown, Arctic", "A/B")}
RANKS = ["Iron", "Bronze", "Silver", "Gold", "Platinum", "Diamond", "Ascendant", "Immortal", "Radiant"]
ACTS = ("E9A1", "E9A2", "E9A3")
COMP_NAMES = ["Double smoke", "Fast exec", "Retake heavy", "Default control", "Double duelist", "Lurk and flank",
              "Post-plant lock", "Anti-eco", "Info stack", "Triple initiator"]
Region = Literal["na", "eu", "ap", "kr", "latam", "br"]
MapName = Annotated[str, UserKnown, Field(min_length=2, max_length=20)]
AgentName = Annotated[str, UserKnown, Field(min_length=2, max_length=20)]
RiotId = Annotated[str, UserKnown, Field(pattern=r"^[^#]{3,16}#[A-Za-z0-9]{2,5}$")]
Limit = Annotated[int, Field(ge=1, le=50)]

Comp = TypedDict("Comp", {"map_name": str, "agents": list[str], "pick_rate": float, "win_rate": float, "matches": int})
Comps = TypedDict("Comps", {"map_name": str, "compositions": list[Comp]})
Stat = TypedDict("Stat", {"agent_name": str, "map_name": str, "pick_rate": float, "win_rate": float, "kd": float,
                          "avg_combat_score": int, "matches": int})
Stats = TypedDict("Stats", {"statistics": list[Stat]})
Agent = TypedDict("Agent", {"agent_name": str, "role": str, "origin": str, "ultimate_points": int})
Agents = TypedDict("Agents", {"agents": list[Agent]})
Entry = TypedDict("Entry", {"position": int, "player_name": str, "rank_rating": int, "wins": int})
Board = TypedDict("Board", {"region": str, "act": str, "leaderboard": list[Entry]})
Map = TypedDict("Map", {"map_name": str, "location": str, "sites": str, "in_competitive_pool": bool})
Maps = TypedDict("Maps", {"maps": list[Map]})
Match = TypedDict("Match", {"match_id": str, "played_at": str, "mode": str, "map_name": str, "agent_name": str,
                            "result": str, "score": str, "kills": int, "deaths": int, "assists": int,
                            "combat_score": int})
Matches = TypedDict("Matches", {"player_name": str, "matches": list[Match]})
Saved = TypedDict("Saved", {"comp_id": str, "comp_name": str, "map_name": str, "agents": list[str]})
SavedList = TypedDict("SavedList", {"compositions": list[Saved]})
Deleted = TypedDict("Deleted", {"comp_id": str, "comp_name": str, "deleted": bool})
Friend = TypedDict("Friend", {"player_name": str, "rank": str, "in_party": bool})
Friends = TypedDict("Friends", {"friends": list[Friend]})
Member = TypedDict("Member", {"player_name": str, "rank": str})
Party = TypedDict("Party", {"members": list[Member], "size": int, "competitive_eligible": bool})


def rank_name(index: int) -> str:
    return RANKS[index // 3] + ("" if index >= 24 else f" {index % 3 + 1}")


class Valorant(World):
    """Valorant stats and social service. Agents and their roles, maps (and which are in the competitive pool),
    per-map agent statistics and the most played five-agent compositions, ranked leaderboards per region (na, eu,
    ap, kr, latam, br) and act (E9A1-E9A3, current E9A3), and players' recent matches. You are signed in as
    'Kestrel#0417' (eu, Gold 2): you can save compositions for maps and invite friends to your party."""

    domain = "Lifestyle"
    schema = """
    CREATE TABLE agents (agent_name TEXT PRIMARY KEY, role TEXT NOT NULL, origin TEXT NOT NULL,
                         ultimate_points INTEGER NOT NULL);
    CREATE TABLE maps (map_name TEXT PRIMARY KEY, location TEXT NOT NULL, sites TEXT NOT NULL, in_pool INTEGER NOT NULL);
    CREATE TABLE agent_stats (agent_name TEXT NOT NULL REFERENCES agents, map_name TEXT NOT NULL REFERENCES maps,
                              pick_rate REAL NOT NULL, win_rate REAL NOT NULL, kd REAL NOT NULL,
                              avg_combat_score INTEGER NOT NULL, matches INTEGER NOT NULL,
                              PRIMARY KEY (agent_name, map_name));
    CREATE INDEX stats_by_map ON agent_stats (map_name);
    CREATE TABLE compositions (comp_key TEXT PRIMARY KEY, map_name TEXT NOT NULL REFERENCES maps, agents TEXT NOT NULL,
                               pick_rate REAL NOT NULL, win_rate REAL NOT NULL, matches INTEGER NOT NULL);
    CREATE INDEX compositions_by_map ON compositions (map_name, pick_rate);
    CREATE TABLE players (player_name TEXT PRIMARY KEY, region TEXT NOT NULL, rank_index INTEGER NOT NULL);
    CREATE INDEX players_by_name ON players (lower(player_name));
    CREATE TABLE leaderboard (region TEXT NOT NULL, act TEXT NOT NULL, position INTEGER NOT NULL,
                              player_name TEXT NOT NULL REFERENCES players, rank_rating INTEGER NOT NULL,
                              wins INTEGER NOT NULL, PRIMARY KEY (region, act, position));
    CREATE TABLE matches (match_id TEXT NOT NULL, player_name TEXT NOT NULL REFERENCES players, played_at TEXT NOT NULL,
                          mode TEXT NOT NULL, map_name TEXT NOT NULL, agent_name TEXT NOT NULL, result TEXT NOT NULL,
                          score TEXT NOT NULL, kills INTEGER NOT NULL, deaths INTEGER NOT NULL, assists INTEGER NOT NULL,
                          combat_score INTEGER NOT NULL, PRIMARY KEY (match_id, player_name));
    CREATE INDEX matches_by_player ON matches (player_name, played_at);
    -- the signed-in player's friends, party and saved compositions
    CREATE TABLE friends (friend_id TEXT PRIMARY KEY, player_name TEXT NOT NULL REFERENCES players);
    CREATE TABLE party (member_id TEXT PRIMARY KEY, player_name TEXT NOT NULL REFERENCES players);
    CREATE TABLE saved_comps (comp_id TEXT PRIMARY KEY, comp_name TEXT NOT NULL, map_name TEXT NOT NULL,
                              agents TEXT NOT NULL);
    CREATE INDEX saved_by_map ON saved_comps (map_name);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        agents = sorted(AGENTS)
        db["agents"].insert_all({"agent_name": a, "role": AGENTS[a], "origin": rng.choice(ORIGINS),
                                 "ultimate_points": rng.choice([6, 7, 7, 8, 9])} for a in agents)
        pool = set(rng.sample(sorted(MAPS), 7))
        db["maps"].insert_all({"map_name": m, "location": loc, "sites": sites, "in_pool": int(m in pool)}
                              for m, (loc, sites) in MAPS.items())
        db["agent_stats"].insert_all({"agent_name": a, "map_name": m, "pick_rate": round(rng.uniform(0.5, 38), 1),
                                      "win_rate": round(rng.uniform(44, 56), 1), "kd": round(rng.uniform(0.85, 1.2), 2),
                                      "avg_combat_score": rng.randint(170, 260), "matches": rng.randint(800, 40000)}
                                     for a in agents for m in MAPS)
        by_role = {r: [a for a in agents if AGENTS[a] == r] for r in set(AGENTS.values())}
        comps = []
        for m in MAPS:
            for _ in range(rng.randint(4, 6)):
                roles = ["Controller", "Initiator", "Sentinel", "Duelist", rng.choice(["Controller", "Initiator", "Duelist"])]
                team: set[str] = set()
                for role in roles:
                    team.add(rng.choice([a for a in by_role[role] if a not in team]))
                comps.append({"comp_key": fake_id(rng, "vcomp_"), "map_name": m, "agents": ", ".join(sorted(team)),
                              "pick_rate": round(rng.uniform(1, 18), 1), "win_rate": round(rng.uniform(45, 58), 1),
                              "matches": rng.randint(300, 9000)})
        db["compositions"].insert_all(comps)
        players: dict[str, dict[str, Any]] = {}
        for region in Region.__args__:
            names = []
            while len(names) < 30:
                name = f"{fake.user_name()[:12].capitalize()}#{rng.choice([region.upper(), str(rng.randint(1000, 9999))])}"
                if name not in players:
                    top = len(names) < 15
                    players[name] = {"player_name": name, "region": region,
                                     "rank_index": rng.choice([21, 22, 23, 24]) if top else rng.randint(0, 20)}
                    names.append(name)
            for act in ACTS:
                top = rng.sample(names[:15], 12)
                ratings = sorted((rng.randint(150, 900) for _ in top), reverse=True)
                db["leaderboard"].insert_all({"region": region, "act": act, "position": i + 1, "player_name": p,
                                              "rank_rating": r, "wins": rng.randint(60, 260)}
                                             for i, (p, r) in enumerate(zip(top, ratings)))
        db["players"].insert_all(players.values())
        rows = []
        for name in rng.sample(sorted(players), 60):
            mains = rng.sample(agents, 3)
            for _ in range(rng.randint(5, 9)):
                won, other = rng.random() < 0.5, rng.randint(3, 11)
                at = dt.datetime.combine(cls.days_before_start(rng, 1, 30), dt.time(rng.randint(12, 23), rng.randrange(60)))
                rows.append({"match_id": fake_id(rng, "vm_"), "player_name": name, "played_at": at.strftime("%Y-%m-%d %H:%M"),
                             "mode": rng.choice(["Competitive"] * 3 + ["Unrated", "Premier"]),
                             "map_name": rng.choice(sorted(pool)), "agent_name": rng.choice(mains),
                             "result": "win" if won else "loss", "score": f"13-{other}" if won else f"{other}-13",
                             "kills": rng.randint(4, 30), "deaths": rng.randint(6, 22), "assists": rng.randint(0, 14),
                             "combat_score": rng.randint(90, 360)})
        db["matches"].insert_all(rows)
        mine = [p for p in sorted(players) if players[p]["region"] == MY_REGION]
        friends = rng.sample(mine, 18)
        db["friends"].insert_all({"friend_id": fake_id(rng, "fr_"), "player_name": p} for p in friends)
        buddy = next((p for p in friends if abs(players[p]["rank_index"] - MY_RANK) <= 3), None)
        if buddy is None:  # no friend plays near my rank: one who is off the leaderboards does
            buddy = next(p for p in friends if players[p]["rank_index"] <= 20)
            db["players"].update(buddy, {"rank_index": rng.randint(MY_RANK - 3, MY_RANK + 3)})
        db["party"].insert({"member_id": fake_id(rng, "pm_"), "player_name": buddy})
        for m, title in zip(rng.sample(sorted(pool), 5), rng.sample(COMP_NAMES, 5)):
            team = rng.choice([c for c in comps if c["map_name"] == m])["agents"]
            db["saved_comps"].insert({"comp_id": fake_id(rng, "comp_"), "comp_name": title, "map_name": m, "agents": team})

    def _map(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM maps WHERE lower(map_name) = lower(?)", name.strip(),
                            error=f"no map named '{name}'; valorant_list_maps lists them")

    def _agent(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM agents WHERE lower(agent_name) = lower(?)", name.strip(),
                            error=f"no agent named '{name}'; valorant_list_agents lists them")

    @tool(phrase=["show me the most played team compositions on {map_name}", "find out what teams run on {map_name}"])
    def valorant_list_agent_compositions_for_map(self, map_name: MapName) -> Comps:
        """The five-agent compositions played on a map, most picked first.

        Args:
            map_name: The map, e.g. "Ascent".
        """
        m = self._map(map_name)["map_name"]
        rows = self.rows("SELECT map_name, agents, pick_rate, win_rate, matches FROM compositions WHERE map_name = ?"
                         " ORDER BY pick_rate DESC", m)
        return {"map_name": m, "compositions": [{**r, "agents": r["agents"].split(", ")} for r in rows]}

    @tool(phrase=["show me the agent stats[ for {agent_name}][ on {map_name}]",
                  "check how {agent_name} is doing[ on {map_name}]", "compare how the agents perform on {map_name}"])
    def valorant_list_agent_statistics(self, agent_name: AgentName | None = None,
                                       map_name: MapName | None = None) -> Stats:
        """Agent pick rate, win rate, K/D and average combat score per map, by pick rate; filter by agent or map.

        Args:
            agent_name: Only this agent.
            map_name: Only this map.
        """
        agent = self._agent(agent_name)["agent_name"] if agent_name else None
        m = self._map(map_name)["map_name"] if map_name else None
        return {"statistics": self.rows(
            "SELECT * FROM agent_stats WHERE (?1 IS NULL OR agent_name = ?1) AND (?2 IS NULL OR map_name = ?2)"
            " ORDER BY pick_rate DESC, agent_name, map_name", agent, m)}

    @tool(phrase=["list the agents[ (first {limit})]", "show me which {role} agents there are"])
    def valorant_list_agents(self, role: Literal["Duelist", "Initiator", "Controller", "Sentinel"] | None = None,
                             limit: Limit = 30) -> Agents:
        """Agents with their role, origin and ultimate cost, alphabetically.

        Args:
            role: Only Duelists, Initiators, Controllers or Sentinels.
            limit: How many, 1-50.
        """
        return {"agents": self.rows("SELECT * FROM agents WHERE ?1 IS NULL OR role = ?1 ORDER BY agent_name LIMIT ?2",
                                    role, limit)}

    @tool(phrase=["show me the {region} ranked leaderboard[ for {act}][, top {limit}]",
                  "check who tops the {region} leaderboard[ in {act}][ (top {limit})]"])
    def valorant_list_leaderboard(self, region: Region, act: Literal[ACTS] = "E9A3", limit: Limit = 10) -> Board:
        """The ranked leaderboard (Immortal and Radiant) of a region for an act, by rank rating.

        Args:
            region: na, eu, ap, kr, latam or br.
            act: The act, E9A1 to E9A3 (current: E9A3).
            limit: How many, 1-50.
        """
        return {"region": region, "act": act, "leaderboard": self.rows(
            "SELECT position, player_name, rank_rating, wins FROM leaderboard WHERE region = ? AND act = ?"
            " ORDER BY position LIMIT ?", region, act, limit)}

    @tool(phrase=["list the maps[ (first {limit})]", "show me the maps and which are in the competitive pool"])
    def valorant_list_maps(self, limit: Limit = 20) -> Maps:
        """Maps with their location, bomb sites and whether they are in the current competitive pool.

        Args:
            limit: How many, 1-50.
        """
        rows = self.rows("SELECT * FROM maps ORDER BY map_name LIMIT ?", limit)
        return {"maps": [{"map_name": r["map_name"], "location": r["location"], "sites": r["sites"],
                          "in_competitive_pool": bool(r["in_pool"])} for r in rows]}

    @tool(phrase=["show me the recent matches of {player_name}[ (last {limit})]",
                  "pull up the match history of {player_name}[ in {region}][, last {limit}]"])
    def valorant_list_player_matches(self, player_name: RiotId, region: Region | None = None,
                                     limit: Limit = 10) -> Matches:
        """A player's recent matches, newest first.

        Args:
            player_name: The player's Riot id, name#tag.
            region: The player's region (checked when given).
            limit: How many, 1-50.
        """
        player = self._player(player_name)
        if region and player["region"] != region:
            raise ToolError(f"{player['player_name']} plays in {player['region']}, not {region}")
        rows = self.rows("SELECT match_id, played_at, mode, map_name, agent_name, result, score, kills, deaths, assists,"
                         " combat_score FROM matches WHERE player_name = ? ORDER BY played_at DESC LIMIT ?",
                         player["player_name"], limit)
        return {"player_name": player["player_name"], "matches": rows}

    def _player(self, name: str) -> dict[str, Any]:
        return self.require("SELECT * FROM players WHERE lower(player_name) = lower(?)", name.strip(),
                            error=f"no player '{name}'; give the Riot id as name#tag")

    def _saved(self, map_name: str | None = None) -> list[dict[str, Any]]:
        rows = self.rows("SELECT * FROM saved_comps WHERE ?1 IS NULL OR map_name = ?1 ORDER BY map_name, comp_name",
                         map_name)
        return [{**r, "agents": r["agents"].split(", ")} for r in rows]

    @tool(phrase=["show me my saved compositions[ for {map_name}]", "list the comps I saved[ for {map_name}]"])
    def valorant_list_saved_compositions(self, map_name: MapName | None = None) -> SavedList:
        """Your saved compositions, by map and name.

        Args:
            map_name: Only compositions for this map.
        """
        return {"compositions": self._saved(self._map(map_name)["map_name"] if map_name else None)}

    @tool(writes=True, phrase=["save a composition called {comp_name} for {map_name} with {agent_names}",
                               "save my {map_name} comp {comp_name}: {agent_names}"])
    def valorant_save_team_composition(self, map_name: MapName, comp_name: Annotated[str, Field(min_length=1, max_length=32)],
                                       agent_names: Annotated[list[AgentName], Field(min_length=1, max_length=5)]
                                       ) -> Saved:
        """Save a composition (1-5 different agents; fewer than 5 is a draft) for a map in the competitive pool.
        At most 3 saved compositions per map, each with its own name.

        Args:
            map_name: The map.
            comp_name: Your name for the composition.
            agent_names: The agents.
        """
        m = self._map(map_name)
        if not m["in_pool"]:
            raise ToolError(f"{m['map_name']} is not in the competitive pool; save compositions for pool maps only")
        team = [self._agent(a)["agent_name"] for a in agent_names]
        if len(set(team)) < len(team):
            raise ToolError("each agent can be picked only once in a composition")
        name = comp_name.strip()
        if self.value("SELECT 1 FROM saved_comps WHERE map_name = ? AND lower(comp_name) = lower(?)", m["map_name"], name):
            raise ToolError(f"you already have a {m['map_name']} composition named '{name}'; pick another name")
        if self.value("SELECT COUNT(*) FROM saved_comps WHERE map_name = ?", m["map_name"]) >= 3:
            raise ToolError(f"you already have 3 compositions for {m['map_name']}; delete one first")
        comp_id = self.new_id("saved_comps", "comp_")
        self.execute("INSERT INTO saved_comps VALUES (?, ?, ?, ?)", comp_id, name, m["map_name"], ", ".join(team))
        return {"comp_id": comp_id, "comp_name": name, "map_name": m["map_name"], "agents": team}

    @tool(writes=True, phrase=["delete {comp_id} from my saved compositions", "remove {comp_id} from my comps"])
    def valorant_delete_team_composition(self, comp_id: Annotated[str, Field(pattern=r"^comp_\w+$")]) -> Deleted:
        """Delete one of your saved compositions.

        Args:
            comp_id: The composition's id, from valorant_list_saved_compositions.
        """
        comp = self.require("SELECT * FROM saved_comps WHERE comp_id = ?", comp_id,
                            error=f"no saved composition '{comp_id}'; valorant_list_saved_compositions lists yours")
        self.execute("DELETE FROM saved_comps WHERE comp_id = ?", comp_id)
        return {"comp_id": comp_id, "comp_name": comp["comp_name"], "deleted": True}

    def _party(self) -> Party:
        members = [{"player_name": ME, "rank": rank_name(MY_RANK)}] + [
            {"player_name": r["player_name"], "rank": rank_name(r["rank_index"])} for r in self.rows(
                "SELECT p.player_name, p.rank_index FROM party JOIN players p USING (player_name) ORDER BY p.player_name")]
        ranks = [MY_RANK] + [r["rank_index"] for r in self.rows("SELECT rank_index FROM party JOIN players USING (player_name)")]
        return {"members": members, "size": len(members),
                "competitive_eligible": len(members) == 5 or max(ranks) // 3 - min(ranks) // 3 <= 2}

    @tool(phrase=["show me my friends list", "check which of my friends are in my party"])
    def valorant_list_friends(self) -> Friends:
        """Your friends with their current rank and whether they are in your party."""
        rows = self.rows("SELECT f.player_name, p.rank_index, m.member_id IS NOT NULL AS in_party FROM friends f JOIN"
                         " players p USING (player_name) LEFT JOIN party m USING (player_name) ORDER BY f.player_name")
        return {"friends": [{"player_name": r["player_name"], "rank": rank_name(r["rank_index"]),
                             "in_party": bool(r["in_party"])} for r in rows]}

    @tool(phrase=["show me my party", "check who is in my party and whether we can queue competitive"])
    def valorant_get_party(self) -> Party:
        """Your party: its members with ranks, and whether it may queue competitive."""
        return self._party()

    @tool(writes=True, phrase=["invite {player_name} to my party", "get {player_name} into my lobby"])
    def valorant_invite_friend(self, player_name: RiotId) -> Party:
        """Invite a friend to your party. A party holds 5; for competitive, a party of 2-4 must be within 2 ranks
        of each other (a full five-stack may mix any ranks), so an invite that would break that is refused.

        Args:
            player_name: The friend's Riot id, name#tag.
        """
        player = self._player(player_name)
        name = player["player_name"]
        if not self.value("SELECT 1 FROM friends WHERE player_name = ?", name):
            raise ToolError(f"{name} is not on your friends list; you can only invite friends")
        if self.value("SELECT 1 FROM party WHERE player_name = ?", name):
            raise ToolError(f"{name} is already in your party")
        size = self.value("SELECT COUNT(*) FROM party") + 1
        if size >= 5:
            raise ToolError("your party is full (5 players); remove someone first")
        ranks = [MY_RANK, player["rank_index"]] + [r["rank_index"] for r in self.rows(
            "SELECT rank_index FROM party JOIN players USING (player_name)")]
        if size + 1 < 5 and max(ranks) // 3 - min(ranks) // 3 > 2:
            raise ToolError(f"{name} is {rank_name(player['rank_index'])}: a party of {size + 1} must be within 2 ranks"
                            " of each other to queue competitive")
        self.execute("INSERT INTO party VALUES (?, ?)", self.new_id("party", "pm_"), name)
        return self._party()

    @tool(writes=True, phrase=["remove {player_name} from my party", "kick {player_name} out of my party"])
    def valorant_remove_from_party(self, player_name: RiotId) -> Party:
        """Remove a player from your party.

        Args:
            player_name: The member's Riot id, name#tag.
        """
        if not self.execute("DELETE FROM party WHERE lower(player_name) = lower(?)", player_name.strip()):
            raise ToolError(f"{player_name} is not in your party")
        return self._party()
