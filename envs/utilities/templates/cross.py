"""Cross-environment task templates of the Utilities domain: errands where a user chains two of its services.

- Maps + Weather: the forecast at a place found on the map, saved as a weather location; how high up a place is
  and how warm it is there right now.
- Kuaidi100 + MemoryKnowledgeGraph: track a parcel sent to a friend and remember where it is; book a courier
  pickup for a friend and remember its waybill.
- Whois + MongoDBServer: WHOIS records of domains stored as documents of a new collection.
- Whois + MemoryKnowledgeGraph: a domain an organization uses, remembered with its registrar and expiry.
- HugeiconsServer + Filesystem: icons saved to a project's collection and their code points written to a file.

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`; tools two members share (Hugeicons'
and MongoDB's ``create_collection``...) are offered under prefixed names, so every gold call goes through
:func:`member_call`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, UserFact, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.utilities.kuaidi100 import CITIES as CHINA_CITIES
from envs.utilities.kuaidi100 import COURIERS, DISTRICTS, GIVEN, STREETS, SURNAMES

#: Maps metros that a Weather station covers (San Francisco and Boston have none within 50 km).
WEATHER_METROS = ("Seattle", "Denver")


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def spoken(day: dt.date, rng: random.Random) -> str:
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}"])


def mapped_places(world: WorldSet) -> list[dict[str, Any]]:
    """Places (not whole cities) in the metros the weather service covers."""
    marks = ", ".join("?" * len(WEATHER_METROS))
    return world.worlds["Maps"].rows(f"SELECT * FROM places WHERE category != 'locality' AND city IN ({marks})"
                                     " ORDER BY place_id", *WEATHER_METROS)


def people(world: WorldSet) -> list[str]:
    """People the knowledge graph remembers (not the user themself)."""
    return [r["name"] for r in world.worlds["MemoryKnowledgeGraph"].rows(
        "SELECT name FROM entities WHERE entityType = 'person' AND name != 'default_user' ORDER BY name")]


def china_address(rng: random.Random, city: str | None = None) -> str:
    return (f"{rng.randrange(1, 999)} {rng.choice(STREETS)}, {rng.choice(DISTRICTS)} District, "
            f"{city or rng.choice(sorted(CHINA_CITIES))}")


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


# ------------------------------------------------------------------------------------------ Maps + Weather
@scenario
def place_forecast_saved(world: WorldSet, rng: random.Random) -> Draft | None:
    place = rng.choice(mapped_places(world))
    taken = {r["alias"].lower() for r in world.worlds["Weather"].rows("SELECT alias FROM saved_locations")}
    alias = rng.choice([a for a in ("day trip", "saturday plan", "date night", "team outing", "weekend spot")
                        if a not in taken])
    return Draft(
        request=rng.choice([
            ("I'm going to {p} in {c} tomorrow. What high and low temperatures are forecast there for tomorrow? "
             "Also save the spot in my weather locations as '{a}', named '{p}'."),
            ("Tomorrow I'll be at {p} ({c}). Save its location to my weather app under the alias '{a}' with the "
             "name '{p}', and tell me tomorrow's forecast high and low there."),
        ]).format(p=place["name"], c=place["city"], a=alias),
        calls=(member_call(world, "Maps", "maps_search_places", query=place["name"], city=place["city"]),
               member_call(world, "Maps", "maps_place_details",
                           place_id=Ref(0, then=pick("place_id", name=place["name"]))),
               member_call(world, "Weather", "get_forecast", latitude=Ref(1, "location.lat"),
                           longitude=Ref(1, "location.lng"), days=2),
               member_call(world, "Weather", "save_location", alias=alias, latitude=Ref(1, "location.lat"),
                           longitude=Ref(1, "location.lng"), name=place["name"])),
        answer=(Ref(2, "daily.1.temperature_max"), Ref(2, "daily.1.temperature_min")))


@scenario
def place_height_and_weather(world: WorldSet, rng: random.Random) -> Draft | None:
    spots = [p for p in mapped_places(world) if p["category"] in ("park", "museum", "cafe", "restaurant", "hotel")]
    if not spots:
        return None
    place = rng.choice(spots)
    return Draft(
        request=rng.choice([
            "How high above sea level is {p} in {c}, and what's the temperature there right now?",
            "Heading to {p} in {c} now: tell me its elevation and the current temperature at that spot.",
        ]).format(p=place["name"], c=place["city"]),
        calls=(member_call(world, "Maps", "maps_search_places", query=place["name"], city=place["city"]),
               member_call(world, "Maps", "maps_elevation",
                           place_ids=[Ref(0, then=pick("place_id", name=place["name"]))]),
               member_call(world, "Weather", "get_current_weather", latitude=Ref(1, "elevation_data.0.location.lat"),
                           longitude=Ref(1, "elevation_data.0.location.lng"))),
        answer=(Ref(1, "elevation_data.0.elevation"), Ref(2, "temperature")))


# ---------------------------------------------------------------------- Kuaidi100 + MemoryKnowledgeGraph
@scenario
def parcel_status_remembered(world: WorldSet, rng: random.Random) -> Draft | None:
    couriers = world.worlds["Kuaidi100"]
    shipments = couriers.rows("SELECT * FROM shipments WHERE state NOT IN ('cancelled', 'awaiting_pickup')"
                              " ORDER BY kuaidi_num")
    friends = people(world)
    if not shipments or not friends:
        return None
    sf = [s for s in shipments if s["kuaidi_company"] == "shunfeng"]
    parcel = rng.choice(sf if sf and rng.random() < 0.5 else shipments)  # SF Express asks for the phone digits
    friend = rng.choice(friends)
    needs_phone = parcel["kuaidi_company"] == "shunfeng"
    last4 = parcel["sender_phone"][-4:]
    note = lambda state: f"parcel {parcel['kuaidi_num']}: {state}"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("I sent {f} a parcel, waybill {w}. Where is it right now (which city)? Then add a note to {f} in your "
             "memory worded 'parcel {w}: <its tracking state exactly as Kuaidi100 reports it>'."),
            ("Track waybill {w} for me; it's the parcel I sent {f}. Tell me the city of its latest scan and "
             "remember on {f}'s entry: 'parcel {w}: <tracking state as reported, e.g. in_transit>'."),
        ]).format(f=friend, w=parcel["kuaidi_num"]),
        calls=(member_call(world, "Kuaidi100", "query_trace", kuaidi_num=parcel["kuaidi_num"],
                           **({"phone": last4} if needs_phone else {})),
               member_call(world, "MemoryKnowledgeGraph", "add_observations", observations=[
                   {"entityName": friend, "contents": [Ref(0, "state", then=note)]}])),
        answer=(Ref(0, "data.0.location"),),
        ask=(UserFact("sender phone", f"my phone ends in {last4}", ("phone", "digits", "number")),)
        if needs_phone else ())


@scenario
def pickup_for_friend(world: WorldSet, rng: random.Random) -> Draft | None:
    friends = people(world)
    if not friends:
        return None
    friend = rng.choice(friends)
    code = rng.choice(sorted(COURIERS))
    courier = COURIERS[code][0]
    sender = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
    sender_phone, friend_phone = mobile(rng), mobile(rng)
    origin, target = rng.sample(sorted(c for c in CHINA_CITIES if CHINA_CITIES[c][1] != "Remote"), 2)
    from_addr, to_addr = china_address(rng, origin), china_address(rng, target)
    weight = rng.choice([0.5, 1.0, 2.0, 3.5, 5.0])
    day = world.worlds["Kuaidi100"].start_time.date() + dt.timedelta(days=rng.randint(1, 5))
    note = lambda waybill: f"parcel on its way, waybill {waybill}"  # noqa: E731
    return Draft(
        request=(f"I'm {sender} ({sender_phone}). Book {courier} ({code}) to collect a {weight:g} kg parcel from "
                 f"{from_addr} on {spoken(day, rng)}, standard service, for {friend}: {to_addr}, phone "
                 f"{friend_phone}. Then note on {friend}'s entry in your memory: 'parcel on its way, waybill "
                 "<the new waybill number>'."),
        calls=(member_call(world, "Kuaidi100", "create_pickup_order", kuaidi_company=code, sender_name=sender,
                           sender_phone=sender_phone, from_addr=from_addr, recipient_name=friend,
                           recipient_phone=friend_phone, to_addr=to_addr, weight=weight,
                           pickup_date=day.isoformat(), exp_type="standard"),
               member_call(world, "MemoryKnowledgeGraph", "add_observations", observations=[
                   {"entityName": friend, "contents": [Ref(0, "kuaidi_num", then=note)]}])))


# ------------------------------------------------------------------------------------------- Whois + others
def outside_domains(world: WorldSet) -> list[str]:
    """Registered domains that are not in the user's registrar account."""
    return [r["domain"] for r in world.worlds["Whois"].rows(
        "SELECT domain FROM registrations WHERE domain NOT IN (SELECT domain FROM domains) ORDER BY domain")]


@scenario
def whois_into_mongo(world: WorldSet, rng: random.Random) -> Draft | None:
    domains = rng.sample(outside_domains(world), rng.choice([1, 2]))
    database, collection = rng.choice([("research", "domains"), ("ops", "domain_watch"), ("intel", "whois")])
    lookups = [member_call(world, "Whois", "whois_domain", domain=d) for d in domains]
    inserts = [member_call(world, "MongoDBServer", "insert_one", database=database, collection=collection, document={
        "domain": d, "registrar": Ref(i, "registrar"), "created": Ref(i, "creationDate"),
        "expires": Ref(i, "expirationDate")}) for i, d in enumerate(domains)]
    named = " and ".join(domains)
    return Draft(
        request=rng.choice([
            ("Look up the WHOIS of {d} and keep a record in MongoDB: create a '{c}' collection in a '{b}' database "
             "and add one document per domain with the fields domain, registrar, created and expires (the dates as "
             "WHOIS gives them)."),
            ("I'm tracking competitor domains. Put the WHOIS data of {d} into a new collection {b}.{c}: one document "
             "each with domain, registrar, created (creation date) and expires (expiration date)."),
        ]).format(d=named, b=database, c=collection),
        calls=(*lookups, member_call(world, "MongoDBServer", "create_collection", database=database,
                                     collection=collection), *inserts))


@scenario
def organization_domain_remembered(world: WorldSet, rng: random.Random) -> Draft | None:
    graph = world.worlds["MemoryKnowledgeGraph"]
    orgs = [r["name"] for r in graph.rows("SELECT name FROM entities WHERE entityType IN ('company',"
                                          " 'organization') ORDER BY name")]
    if not orgs:
        return None
    org, domain = rng.choice(orgs), rng.choice(outside_domains(world))
    return Draft(
        request=rng.choice([
            ("{o} runs its site on {d}. Check who it's registered with and when it expires, and remember it: a "
             "'domain' entity named {d} with the observations 'registrar: <registrar>' and 'expires: <date>', and "
             "the relation {o} owns {d}. Tell me the registrar and the expiry date."),
            ("Remember that {o} owns the domain {d} (relation 'owns'). Store {d} as a 'domain' entity with "
             "the observations 'registrar: <registrar>' and 'expires: <expiration date>' from its WHOIS, and tell "
             "me who the registrar is and when it expires."),
        ]).format(o=org, d=domain),
        calls=(member_call(world, "Whois", "whois_domain", domain=domain),
               member_call(world, "MemoryKnowledgeGraph", "create_entities", entities=[
                   {"name": domain, "entityType": "domain", "observations": [
                       Ref(0, "registrar", then=lambda r: f"registrar: {r}"),
                       Ref(0, "expirationDate", then=lambda d: f"expires: {d}")]}]),
               member_call(world, "MemoryKnowledgeGraph", "create_relations",
                           relations=[{"from": org, "to": domain, "relationType": "owns"}])),
        answer=(Ref(0, "expirationDate"), Ref(0, "registrar")))


# ------------------------------------------------------------------------------ HugeiconsServer + Filesystem
@scenario
def project_icons_file(world: WorldSet, rng: random.Random) -> Draft | None:
    icons = world.worlds["HugeiconsServer"]
    files = world.worlds["Filesystem"]
    home = files.value("SELECT path FROM roots WHERE label = 'home'")
    projects = [r["path"].rsplit("/", 1)[1] for r in files.rows(
        "SELECT path FROM entries WHERE parent = ? AND kind = 'directory' ORDER BY path", f"{home}/projects")]
    if not projects:
        return None
    project = rng.choice(projects)
    collection = f"{project.capitalize()} {rng.choice(['icons', 'UI', 'app icons'])}"
    if icons.row("SELECT 1 FROM collections WHERE collection_name = ?", collection):
        return None
    category = rng.choice(sorted({r["category"] for r in icons.rows("SELECT category FROM icons")}))
    chosen = rng.sample([r for r in icons.rows(
        "SELECT i.icon_name, g.unicode FROM icons i JOIN glyphs g ON g.icon_name = i.icon_name AND"
        " g.style = 'stroke' WHERE i.category = ? ORDER BY i.icon_name", category)], rng.choice([2, 3]))
    names = [c["icon_name"] for c in chosen]
    content = ", ".join(f"{c['icon_name']} {c['unicode']}" for c in chosen)
    path = f"~/projects/{project}/icons.txt"
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return Draft(
        request=rng.choice([
            ("For the {p} project, create a Hugeicons collection '{c}' and save {l} to it in the stroke style. "
             "Then write the file {f} listing them on one line as 'name code point' pairs separated by ', ' "
             "(like 'home-01 U+E001, menu-02 U+E002'), in the order I named them."),
            ("Start an icon collection called '{c}' with the stroke versions of {l}, and record their code points "
             "for the {p} developers in {f}: a single line, 'icon-name U+XXXX' entries joined by ', ', in my "
             "order."),
        ]).format(p=project, c=collection, l=listed, f=path),
        calls=(member_call(world, "HugeiconsServer", "create_collection", collection_name=collection),
               *(member_call(world, "HugeiconsServer", "add_icon_to_collection", collection_name=collection,
                             icon_name=name, style="stroke") for name in names),
               *(member_call(world, "HugeiconsServer", "get_icon_glyph_by_style", icon_name=name, style="stroke")
                 for name in names),
               member_call(world, "Filesystem", "write_file", path=path, content=content)))
