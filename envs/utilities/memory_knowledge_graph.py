"""MemoryKnowledgeGraph: the MCP memory server's knowledge graph of what an assistant remembers about its user."""

from __future__ import annotations

import calendar
import random
import re
from typing import Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World

MAX_OBSERVATIONS = 40
EntityName = Annotated[str, UserKnown, Field(min_length=1, max_length=80, pattern=r"\S")]
EntityType = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,29}$")]
RelationType = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Observation = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
#: Relation types in passive voice ("employed_by"): stored the other way round, in active voice.
PASSIVE = re.compile(r"(?:^|_)by$")

Entity = TypedDict("Entity", {"name": str, "entityType": str, "observations": list[str]})
Relation = TypedDict("Relation", {"from": str, "to": str, "relationType": str})
Graph = TypedDict("Graph", {"entities": list[Entity], "relations": list[Relation]})
NewEntity = TypedDict("NewEntity", {"name": EntityName, "entityType": EntityType,
                                    "observations": Annotated[list[Observation], Field(max_length=20)]})
NewRelation = TypedDict("NewRelation", {"from": EntityName, "to": EntityName, "relationType": RelationType})
NewObservations = TypedDict("NewObservations", {"entityName": EntityName,
                                                "contents": Annotated[list[Observation], Field(min_length=1,
                                                                                               max_length=20)]})
Deletion = TypedDict("Deletion", {"entityName": EntityName,
                                  "observations": Annotated[list[Observation], Field(min_length=1, max_length=20)]})
CreatedEntities = TypedDict("CreatedEntities", {"created": list[Entity], "skipped": list[str]})
CreatedRelations = TypedDict("CreatedRelations", {"created": list[Relation], "skipped": list[Relation]})
Added = TypedDict("Added", {"entityName": str, "addedObservations": list[str]})
AddedObservations = TypedDict("AddedObservations", {"added": list[Added]})
DeletedEntities = TypedDict("DeletedEntities", {"deleted": list[str], "relationsRemoved": int})
DeletedObservations = TypedDict("DeletedObservations", {"entityName": str, "remaining": list[str]})
DeletedRelations = TypedDict("DeletedRelations", {"deleted": list[Relation]})

CITIES = ["Lisbon", "Berlin", "Toronto", "Austin", "Melbourne", "Edinburgh", "Osaka", "Copenhagen", "Seattle"]
ORGS = [("Northwind Analytics", "company", "data consultancy"), ("Brightline Health", "company", "telehealth startup"),
        ("Harbor & Pine Architects", "company", "architecture firm"), ("Ledgerly", "company", "fintech scale-up"),
        ("Riverside Climbing Gym", "organization", "bouldering gym"), ("St. Aldric Hospital", "organization",
        "teaching hospital"), ("Open Mapping Collective", "organization", "open-source nonprofit"),
        ("Kestrel Robotics", "company", "warehouse robotics maker"), ("Lakeview Montessori", "organization",
        "primary school"), ("Copperleaf Coffee", "company", "roastery and cafe chain")]
PROJECTS = ["Atlas migration", "Q3 pricing study", "Community garden", "Kitchen renovation", "Marathon training",
            "Home server rebuild", "Wedding planning", "Transit map app", "Patient triage bot", "Book club reboot"]
ROLES = ["data engineer", "product manager", "nurse", "architect", "UX designer", "accountant", "teacher",
         "robotics engineer", "barista", "site reliability engineer", "research scientist", "sales lead"]
HOBBIES = ["plays the cello", "runs half marathons", "is learning Japanese", "bakes sourdough", "climbs twice a week",
           "collects vinyl records", "volunteers at the food bank", "is vegetarian", "is allergic to peanuts",
           "prefers tea over coffee", "has two cats", "restores old bikes", "plays chess online"]


def job(role: str) -> str:
    """The observation that records a person's job ("works as an architect")."""
    return f"works as {'an' if role[0] in 'aeiou' else 'a'} {role}"


class MemoryKnowledgeGraph(World):
    """A persistent memory of the user as a knowledge graph: entities (people, organizations, projects, places)
    with a type and observations (atomic facts), and directed relations between them in active voice
    ("Ana works_at Ledgerly", never "Ledgerly employed_by Ana"). Entity names are unique and case-sensitive."""

    schema = """
    CREATE TABLE entities (name TEXT PRIMARY KEY, entityType TEXT NOT NULL);
    CREATE TABLE observations (entityName TEXT NOT NULL REFERENCES entities, content TEXT NOT NULL,
                               PRIMARY KEY (entityName, content));
    CREATE TABLE relations (source TEXT NOT NULL REFERENCES entities, target TEXT NOT NULL REFERENCES entities,
                            relationType TEXT NOT NULL, PRIMARY KEY (source, target, relationType));
    CREATE INDEX relations_by_target ON relations (target);
    """
    text_search = {"entities": ("name", "entityType"), "observations": ("content",)}

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        entities: dict[str, str] = {}
        facts: list[tuple[str, str]] = []
        links: set[tuple[str, str, str]] = set()

        def add(name: str, kind: str, *notes: str) -> str:
            entities.setdefault(name, kind)
            facts.extend((name, n) for n in notes)
            return name

        me = add("default_user", "person", f"goes by {fake.first_name()}", "prefers short answers")
        cities = [add(c, "city") for c in rng.sample(CITIES, 6)]
        home = cities[0]
        links.add((me, home, "lives_in"))
        orgs = []
        for org, kind, what in rng.sample(ORGS, 8):
            orgs.append(add(org, kind, f"is a {what}", f"founded in {rng.randrange(1978, 2021)}"))
            links.add((org, rng.choice(cities), "headquartered_in"))
        employer = orgs[0]
        links.add((me, employer, "works_at"))
        people = []
        while len(people) < 34:
            name = fake.name().replace("Dr. ", "").replace("Mr. ", "").replace("Mrs. ", "").replace("Ms. ", "")
            name = " ".join(name.split()[:2])
            if name in entities:
                continue
            role = rng.choice(ROLES)
            notes = [job(role), *rng.sample(HOBBIES, rng.randrange(1, 3))]
            if rng.random() < 0.4:
                notes.append(f"birthday on {calendar.month_name[rng.randint(1, 12)]} {rng.randrange(1, 29)}")
            people.append(add(name, "person", *notes))
            links.add((name, rng.choice(orgs), "works_at"))
            links.add((name, rng.choice(cities), "lives_in"))
            links.add((me, name, rng.choice(["knows", "knows", "is_friends_with", "mentors", "is_related_to"])))
        for first, second in (rng.sample(people, 2) for _ in range(14)):
            links.add((first, second, rng.choice(["manages", "is_married_to", "knows", "mentors"])))
        for project in rng.sample(PROJECTS, 8):
            add(project, "project", f"started in {calendar.month_name[rng.randint(1, 12)]} {rng.choice([2024, 2025])}",
                f"status: {rng.choice(['planning', 'active', 'active', 'paused', 'wrapping up'])}")
            links.add((rng.choice(people), project, "leads"))
            for member in rng.sample(people, rng.randrange(1, 4)):
                links.add((member, project, "contributes_to"))
            links.add((rng.choice([me, rng.choice(orgs)]), project, rng.choice(["sponsors", "owns"])))
        db["entities"].insert_all({"name": n, "entityType": t} for n, t in entities.items())
        db["observations"].insert_all(({"entityName": e, "content": c} for e, c in dict.fromkeys(facts)),
                                      ignore=True)
        db["relations"].insert_all({"source": s, "target": t, "relationType": r}
                                   for s, t, r in sorted(links) if s != t)

    # ------------------------------------------------------------------ reading
    def _graph(self, names: list[str], touching: bool) -> Graph:
        """The entities ``names`` (in creation order) and the relations among them (``touching``: relations with
        at least one end among them)."""
        marks = ", ".join("?" * len(names))
        entities = self.rows(f"SELECT name, entityType FROM entities WHERE name IN ({marks}) ORDER BY rowid", *names)
        notes: dict[str, list[str]] = {e["name"]: [] for e in entities}
        for row in self.rows(f"SELECT entityName, content FROM observations WHERE entityName IN ({marks})"
                             " ORDER BY rowid", *names):
            notes[row["entityName"]].append(row["content"])
        join = "OR" if touching else "AND"
        relations = self.rows(f'SELECT source AS "from", target AS "to", relationType FROM relations'
                              f" WHERE source IN ({marks}) {join} target IN ({marks}) ORDER BY rowid", *names, *names)
        return {"entities": [{**e, "observations": notes[e["name"]]} for e in entities], "relations": relations}

    @tool(phrase=["show me everything you remember", "dump the whole knowledge graph"])
    def read_graph(self) -> Graph:
        """The whole knowledge graph: every entity with its observations, and every relation."""
        return self._graph([r["name"] for r in self.rows("SELECT name FROM entities")], touching=False)

    @tool(phrase=["look up what you remember about {query}", "search your memory for {query}"])
    def search_nodes(self, query: Annotated[str, UserKnown, Field(min_length=1, max_length=100, pattern=r"\S")]
                     ) -> Graph:
        """Find entities whose name, type or any observation contains the query (case-insensitive), with the
        relations between the entities found.

        Args:
            query: Text to look for, e.g. "Ledgerly" or "cello".
        """
        entities, entity_params = self.text_filter("entities", query)
        observations, observation_params = self.text_filter("observations", query)
        names = self.rows(f"SELECT name FROM entities WHERE {entities}"
                          f" OR name IN (SELECT entityName FROM observations WHERE {observations})",
                          *entity_params, *observation_params)
        return self._graph([r["name"] for r in names], touching=False)

    @tool(phrase=["tell me what you know about {names}", "open the memory entries for {names}"])
    def open_nodes(self, names: Annotated[list[EntityName], UserKnown, Field(min_length=1, max_length=20)]) -> Graph:
        """The named entities with their observations, and every relation from or to any of them.

        Args:
            names: Exact entity names.
        """
        self._require(names)
        return self._graph(list(dict.fromkeys(names)), touching=True)

    def _require(self, names: list[str]) -> None:
        marks = ", ".join("?" * len(names))
        known = {r["name"] for r in self.rows(f"SELECT name FROM entities WHERE name IN ({marks})", *names)}
        if missing := [n for n in dict.fromkeys(names) if n not in known]:
            hint = "; search_nodes finds entities by part of their name" if len(missing) == len(set(names)) else ""
            raise ToolError(f"no entity named {', '.join(repr(m) for m in missing)} in the graph "
                            f"(names are exact and case-sensitive){hint}")

    # ------------------------------------------------------------------ writing
    @tool(writes=True, phrase=["remember {entities}", "add {entities} to your memory"])
    def create_entities(self, entities: Annotated[list[NewEntity], Field(min_length=1, max_length=20)]
                        ) -> CreatedEntities:
        """Create entities, each with a name, a type (lower case, e.g. person, organization, project, city) and
        initial observations. A name that already exists is skipped, not changed (use add_observations).

        Args:
            entities: The entities to create.
        """
        created, skipped = [], []
        for entity in entities:
            name = entity["name"].strip()
            if self.value("SELECT 1 FROM entities WHERE name = ?", name):
                skipped.append(name)
                continue
            self.execute("INSERT INTO entities VALUES (?, ?)", name, entity["entityType"])
            notes = list(dict.fromkeys(o.strip() for o in entity["observations"]))
            self.executemany("INSERT INTO observations VALUES (?, ?)", ((name, o) for o in notes))
            created.append({"name": name, "entityType": entity["entityType"], "observations": notes})
        return {"created": created, "skipped": skipped}

    @tool(writes=True, phrase=["record that {relations}", "link {relations} in your memory"])
    def create_relations(self, relations: Annotated[list[NewRelation], Field(min_length=1, max_length=30)]
                         ) -> CreatedRelations:
        """Create directed relations between existing entities; relation types are snake_case and in active
        voice ("works_at", "manages"). A relation that already exists is skipped.

        Args:
            relations: The relations to create: from, to and relationType.
        """
        self._require([r["from"] for r in relations] + [r["to"] for r in relations])
        created, skipped = [], []
        for relation in relations:
            source, target, kind = relation["from"], relation["to"], relation["relationType"]
            if PASSIVE.search(kind):
                raise ToolError(f"relation type '{kind}' is in passive voice; relations are stored in active voice: "
                                f"swap from and to and use the active verb (e.g. 'employs' instead of 'employed_by')")
            if source == target:
                raise ToolError(f"a relation needs two different entities; '{source}' cannot {kind} itself")
            if self.value("SELECT 1 FROM relations WHERE source = ? AND target = ? AND relationType = ?",
                          source, target, kind):
                skipped.append(dict(relation))
                continue
            self.execute("INSERT INTO relations VALUES (?, ?, ?)", source, target, kind)
            created.append({"from": source, "to": target, "relationType": kind})
        return {"created": created, "skipped": skipped}

    @tool(writes=True, phrase=["note about {observations}", "remember these new facts: {observations}"])
    def add_observations(self, observations: Annotated[list[NewObservations], Field(min_length=1, max_length=20)]
                         ) -> AddedObservations:
        """Add observations to existing entities; observations an entity already has are left out.

        Args:
            observations: Per entity (entityName), the facts to add (contents).
        """
        self._require([o["entityName"] for o in observations])
        added = []
        for item in observations:
            name, new = item["entityName"], []
            for content in dict.fromkeys(c.strip() for c in item["contents"]):
                if not self.value("SELECT 1 FROM observations WHERE entityName = ? AND content = ?", name, content):
                    new.append(content)
                    self.execute("INSERT INTO observations VALUES (?, ?)", name, content)
            if self.value("SELECT COUNT(*) FROM observations WHERE entityName = ?", name) > MAX_OBSERVATIONS:
                raise ToolError(f"'{name}' would have more than {MAX_OBSERVATIONS} observations; delete outdated "
                                "ones with delete_observations first")
            added.append({"entityName": name, "addedObservations": new})
        return {"added": added}

    @tool(writes=True, phrase=["forget {entityNames} entirely", "delete {entityNames} from your memory"])
    def delete_entities(self, entityNames: Annotated[list[EntityName], UserKnown, Field(min_length=1, max_length=20)]
                        ) -> DeletedEntities:
        """Delete entities with their observations and every relation from or to them.

        Args:
            entityNames: Exact names of the entities to delete.
        """
        self._require(entityNames)
        names = list(dict.fromkeys(entityNames))
        marks = ", ".join("?" * len(names))
        removed = self.execute(f"DELETE FROM relations WHERE source IN ({marks}) OR target IN ({marks})",
                               *names, *names)
        self.execute(f"DELETE FROM observations WHERE entityName IN ({marks})", *names)
        self.execute(f"DELETE FROM entities WHERE name IN ({marks})", *names)
        return {"deleted": names, "relationsRemoved": removed}

    @tool(writes=True, phrase=["forget that {deletions}", "remove the outdated facts {deletions}"])
    def delete_observations(self, deletions: Annotated[list[Deletion], Field(min_length=1, max_length=20)]
                            ) -> list[DeletedObservations]:
        """Delete specific observations of entities (exact text, as open_nodes shows it).

        Args:
            deletions: Per entity (entityName), the observations to delete.
        """
        self._require([d["entityName"] for d in deletions])
        out = []
        for item in deletions:
            name = item["entityName"]
            for content in dict.fromkeys(item["observations"]):
                if not self.execute("DELETE FROM observations WHERE entityName = ? AND content = ?", name, content):
                    raise ToolError(f"'{name}' has no observation {content!r}; open_nodes shows its observations "
                                    "word for word")
            out.append({"entityName": name, "remaining": [r["content"] for r in self.rows(
                "SELECT content FROM observations WHERE entityName = ? ORDER BY rowid", name)]})
        return out

    @tool(writes=True, phrase=["forget that {relations}", "remove the link {relations}"])
    def delete_relations(self, relations: Annotated[list[NewRelation], Field(min_length=1, max_length=30)]
                         ) -> DeletedRelations:
        """Delete relations, each given by from, to and relationType exactly as stored.

        Args:
            relations: The relations to delete.
        """
        deleted = []
        for relation in relations:
            source, target, kind = relation["from"], relation["to"], relation["relationType"]
            if not self.execute("DELETE FROM relations WHERE source = ? AND target = ? AND relationType = ?",
                                source, target, kind):
                raise ToolError(f"there is no relation '{source}' {kind} '{target}'; open_nodes on either entity "
                                "lists its relations")
            deleted.append({"from": source, "to": target, "relationType": kind})
        return {"deleted": deleted}
