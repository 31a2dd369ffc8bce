"""Task templates of MemoryKnowledgeGraph: what a user asks an assistant with a long-term memory to remember,
correct, forget and recall about the people, organizations, projects and places in their life."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, UserFact, call, scenario
from envs.utilities.memory_knowledge_graph import HOBBIES, ROLES, MemoryKnowledgeGraph, job

World = MemoryKnowledgeGraph
NEW_PEOPLE = ["Ines Carvalho", "Tomasz Wrona", "Aiko Tanaka", "Rafael Ortega", "Maeve Gallagher", "Kwame Mensah",
              "Lena Vogel", "Arjun Mehta", "Sofia Lindqvist", "Noah Castellano"]
NEW_PROJECTS = ["Garage studio build", "Spanish immersion trip", "Team offsite 2026", "Grant application",
                "Podcast pilot", "Balcony garden"]
FACTS = ["just adopted a rescue dog", "is training for a triathlon", "moved into a new flat in March",
         "is expecting a baby in the summer", "started a part-time MBA", "is allergic to shellfish",
         "prefers calls after 6 pm", "is learning the guitar"]


def of_type(world: World, kind: str) -> list[str]:
    return [r["name"] for r in world.rows("SELECT name FROM entities WHERE entityType = ? ORDER BY name", kind)]


def targets(world: World, source: str, kind: str) -> list[str]:
    return [r["target"] for r in world.rows("SELECT target FROM relations WHERE source = ? AND relationType = ?"
                                            " ORDER BY target", source, kind)]


def sources(world: World, target: str, kind: str) -> list[str]:
    return [r["source"] for r in world.rows("SELECT source FROM relations WHERE target = ? AND relationType = ?"
                                            " ORDER BY source", target, kind)]


def notes(world: World, name: str) -> list[str]:
    return [r["content"] for r in world.rows("SELECT content FROM observations WHERE entityName = ? ORDER BY rowid",
                                             name)]


def person(world: World, rng: random.Random, unique_first: bool = False) -> str:
    """A person (not the user); with ``unique_first`` one whose first name no other entity name contains."""
    people = [p for p in of_type(world, "person") if p != "default_user"]
    if unique_first:
        people = [p for p in people if world.value("SELECT COUNT(*) FROM entities WHERE name LIKE ?",
                                                   f"%{p.split()[0]}%") == 1]
    return rng.choice(people)


def employer(world: World, name: str) -> str:
    return targets(world, name, "works_at")[0]


@scenario
def remember_new_contact(world: World, rng: random.Random) -> Draft:
    name = rng.choice([n for n in NEW_PEOPLE if not world.value("SELECT 1 FROM entities WHERE name = ?", n)])
    org, role, hobby = rng.choice(of_type(world, "company")), rng.choice(ROLES), rng.choice(HOBBIES)
    return Draft(
        request=rng.choice([
            "I just met {n}, who works at {o}. Please remember them as a person with the notes '{j}' and "
            "'{h}', that they work at {o}, and that I know them.",
            "New contact for your memory: {n} (person). Notes: '{j}', '{h}'. They work at {o}; record "
            "that I know them too."]).format(n=name, j=job(role), o=org, h=hobby),
        calls=(call("create_entities", entities=[{"name": name, "entityType": "person",
                                                  "observations": [job(role), hobby]}]),
               call("create_relations", relations=[{"from": name, "to": org, "relationType": "works_at"},
                                                   {"from": "default_user", "to": name, "relationType": "knows"}])))


@scenario
def add_fact_by_first_name(world: World, rng: random.Random) -> Draft:
    name = person(world, rng, unique_first=True)
    fact = rng.choice([f for f in FACTS if f not in notes(world, name)])
    first, org = name.split()[0], employer(world, name)
    return Draft(
        request=rng.choice(["My contact {f} from {o} {x}. Add that to what you remember about them, word for word: "
                            "'{x}'.", "Remember this about {f} (the one at {o}): '{x}'."]).format(f=first, o=org, x=fact),
        calls=(call("search_nodes", query=first),
               call("add_observations", observations=[{"entityName": name, "contents": [fact]}])))


@scenario
def add_fact_asked(world: World, rng: random.Random) -> Draft:
    name = person(world, rng)
    fact = rng.choice([f for f in FACTS if f not in notes(world, name)])
    return Draft(
        request=f"I have something new to remember about {name}. Ask me what it is.",
        calls=(call("add_observations", observations=[{"entityName": name, "contents": [fact]}]),),
        ask=(UserFact("the new fact", fact, ("what", "fact", "remember", "new")),))


@scenario
def change_job(world: World, rng: random.Random) -> Draft:
    name = person(world, rng)
    old = employer(world, name)
    new = rng.choice([o for o in of_type(world, "company") + of_type(world, "organization") if o != old])
    return Draft(
        request=rng.choice(["{n} has left {a} and now works at {b}. Update your memory.",
                            "Career news: {n} moved from {a} to {b}. Fix where they work."]).format(n=name, a=old, b=new),
        calls=(call("open_nodes", names=[name]),
               call("delete_relations", relations=[{"from": name, "to": old, "relationType": "works_at"}]),
               call("create_relations", relations=[{"from": name, "to": new, "relationType": "works_at"}])))


@scenario
def move_city(world: World, rng: random.Random) -> Draft:
    name = person(world, rng)
    old = targets(world, name, "lives_in")[0]
    new = rng.choice([c for c in of_type(world, "city") if c != old])
    return Draft(
        request=rng.choice(["{n} moved from {a} to {b}. Please update where they live.",
                            "Heads up: {n} doesn't live in {a} anymore, they're in {b} now."]).format(n=name, a=old, b=new),
        calls=(call("open_nodes", names=[name]),
               call("delete_relations", relations=[{"from": name, "to": old, "relationType": "lives_in"}]),
               call("create_relations", relations=[{"from": name, "to": new, "relationType": "lives_in"}])))


@scenario
def correct_role(world: World, rng: random.Random) -> Draft:
    name = person(world, rng)
    old = next(n for n in notes(world, name) if n.startswith("works as "))
    role = rng.choice([r for r in ROLES if job(r) != old])
    return Draft(
        request=rng.choice(["{n} changed jobs, so what you have on file is outdated. Replace the old job note "
                            "with '{j}'.", "Correct your notes on {n}: drop the old job title and note "
                            "'{j}' instead."]).format(n=name, j=job(role)),
        calls=(call("open_nodes", names=[name]),
               call("delete_observations", deletions=[{"entityName": name, "observations": [old]}]),
               call("add_observations", observations=[{"entityName": name, "contents": [job(role)]}])))


@scenario
def forget_person(world: World, rng: random.Random) -> Draft:
    name = person(world, rng, unique_first=True)
    return Draft(
        request=rng.choice(["Please forget everything about {f} from {o}; we've lost touch.",
                            "Remove {f} (works at {o}) from your memory completely."]).format(
            f=name.split()[0], o=employer(world, name)),
        calls=(call("search_nodes", query=name.split()[0]), call("delete_entities", entityNames=[name])))


@scenario
def new_project(world: World, rng: random.Random) -> Draft:
    project = rng.choice(NEW_PROJECTS)
    lead, helper = rng.sample([p for p in of_type(world, "person") if p != "default_user"], 2)
    return Draft(
        request=(f"I'm starting a project called '{project}' (status: planning). Remember it as a project with the "
                 f"note 'status: planning'; I own it, {lead} leads it and {helper} contributes to it."),
        calls=(call("create_entities", entities=[{"name": project, "entityType": "project",
                                                  "observations": ["status: planning"]}]),
               call("create_relations", relations=[
                   {"from": "default_user", "to": project, "relationType": "owns"},
                   {"from": lead, "to": project, "relationType": "leads"},
                   {"from": helper, "to": project, "relationType": "contributes_to"}])))


@scenario
def project_status(world: World, rng: random.Random) -> Draft:
    project = rng.choice(of_type(world, "project"))
    old = next(n for n in notes(world, project) if n.startswith("status: "))
    new = rng.choice([s for s in ("active", "paused", "done", "cancelled") if f"status: {s}" != old])
    return Draft(
        request=f"The {project} project is {new} now. Update its status note to 'status: {new}'.",
        calls=(call("open_nodes", names=[project]),
               call("delete_observations", deletions=[{"entityName": project, "observations": [old]}]),
               call("add_observations", observations=[{"entityName": project, "contents": [f"status: {new}"]}])))


@scenario
def who_works_at(world: World, rng: random.Random) -> Draft | None:
    orgs = [o for o in of_type(world, "company") + of_type(world, "organization") if len(sources(world, o, "works_at"))
            in (2, 3, 4) and "default_user" not in sources(world, o, "works_at")]
    if not orgs:
        return None
    org = rng.choice(orgs)
    return Draft(
        request=rng.choice(["Who do I know at {o}?", "Which of my contacts work at {o}?"]).format(o=org),
        calls=(call("open_nodes", names=[org]),), answer=tuple(sources(world, org, "works_at")))


@scenario
def project_team(world: World, rng: random.Random) -> Draft:
    project = rng.choice(of_type(world, "project"))
    return Draft(
        request=f"Who is leading the {project} project, and where do they work?",
        calls=(call("open_nodes", names=[project]), call("open_nodes", names=sources(world, project, "leads"))),
        answer=(*sources(world, project, "leads"), *(employer(world, p) for p in sources(world, project, "leads"))))


@scenario
def hobby_lookup(world: World, rng: random.Random) -> Draft | None:
    hobby = rng.choice(HOBBIES)
    people = sorted(r["entityName"] for r in world.rows("SELECT entityName FROM observations WHERE content = ?", hobby))
    if not 1 <= len(people) <= 3:
        return None
    keyword = {"plays the cello": "cello", "is learning Japanese": "Japanese", "bakes sourdough": "sourdough"}.get(
        hobby, hobby.split()[-1])
    if world.value("SELECT COUNT(DISTINCT entityName) FROM observations WHERE content LIKE ?", f"%{keyword}%") != len(
            people):
        return None
    return Draft(
        request=f"Which of my contacts {hobby.replace('is ', 'are ').replace('has ', 'have ')}, and where do they "
                f"live?" if not hobby.startswith(("plays", "runs", "bakes", "climbs", "collects", "volunteers",
                                                  "restores", "prefers")) else
        f"Whom do I know who {hobby}? Tell me where each of them works.",
        calls=(call("search_nodes", query=keyword), call("open_nodes", names=people)),
        answer=(*people, *(targets(world, p, "lives_in" if hobby.startswith(("is", "has")) else "works_at")[0]
                           for p in people)))


@scenario
def birthdays_in_month(world: World, rng: random.Random) -> Draft | None:
    rows = world.rows("SELECT entityName, content FROM observations WHERE content LIKE 'birthday on %' ORDER BY 1")
    month = rng.choice(sorted({r["content"].split()[2] for r in rows}))
    people = [r["entityName"] for r in rows if r["content"].split()[2] == month]
    if len(rows) < 3 or len(people) > 3:
        return None
    return Draft(
        request=rng.choice(["Whose birthdays are coming up in {m}? Just the names.",
                            "Do I know anyone with a birthday in {m}?"]).format(m=month),
        calls=(call("search_nodes", query="birthday"),), answer=tuple(people))


@scenario
def stop_mentoring(world: World, rng: random.Random) -> Draft | None:
    mentees = targets(world, "default_user", "mentors")
    if not mentees:
        return None
    name = rng.choice(mentees)
    return Draft(
        request=rng.choice(["I'm no longer mentoring {n}; we just stay in touch. Update that: I still know them.",
                            "My mentoring with {n} has ended. Record that I simply know them now."]).format(n=name),
        calls=(call("open_nodes", names=["default_user"]),
               call("delete_relations", relations=[{"from": "default_user", "to": name, "relationType": "mentors"}]),
               call("create_relations", relations=[{"from": "default_user", "to": name, "relationType": "knows"}])))


@scenario
def introduce(world: World, rng: random.Random) -> Draft | None:
    first, second = rng.sample([p for p in of_type(world, "person") if p != "default_user"], 2)
    if world.value("SELECT 1 FROM relations WHERE source IN (?1, ?2) AND target IN (?1, ?2)", first, second):
        return None
    return Draft(
        request=rng.choice(["I introduced {a} to {b} and {a} now mentors {b}. Remember that.",
                            "Note that {a} has started mentoring {b}."]).format(a=first, b=second),
        calls=(call("create_relations", relations=[{"from": first, "to": second, "relationType": "mentors"}]),))


@scenario
def colleague_city(world: World, rng: random.Random) -> Draft | None:
    name = person(world, rng, unique_first=True)
    city = targets(world, name, "lives_in")[0]
    first = name.split()[0]
    return Draft(
        request=rng.choice(["Which city does {f} live in again? They work at {o}.",
                            "Remind me where {f} from {o} lives."]).format(f=first, o=employer(world, name)),
        calls=(call("search_nodes", query=first), call("open_nodes", names=[name])), answer=(city,))
