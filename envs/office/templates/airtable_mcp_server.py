"""Task templates of AirtableMcpServer: requests about a user's bases, tables and records, with their gold calls."""

from __future__ import annotations

import json
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, pick, scenario
from envs.office.airtable_mcp_server import AirtableMcpServer

FIRST = ["Maya", "Jonas", "Priya", "Tom", "Lucia", "Omar", "Hana", "Felix", "Zoe", "Ravi"]
LAST = ["Berg", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Costa", "Novak", "Reyes"]


def base_id(name: str) -> Ref:
    return Ref(0, "bases", then=pick("id", name=name))


def records(world: AirtableMcpServer, base: str, table: str) -> list[dict[str, Any]]:
    rows = world.rows("SELECT r.record_id, r.fields FROM records r JOIN tables t USING (table_id) JOIN bases b"
                      " USING (base_id) WHERE b.name = ? AND t.name = ? ORDER BY r.createdTime, r.record_id",
                      base, table)
    return [{"id": r["record_id"], **json.loads(r["fields"])} for r in rows]


def unique(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [r for r in rows if sum(1 for o in rows if o.get(key) == r.get(key)) == 1 and len(str(r.get(key))) > 3]


def change(base: str, table: str, key: str, row: dict[str, Any], tool: str, **extra: Any) -> tuple[Any, ...]:
    """List the bases, search the table for the row's label, then change the row found."""
    return (call("list_bases"),
            call("search_records", base_id=base_id(base), table_id=table, search_term=row[key]),
            call(tool, base_id=base_id(base), table_id=table,
                 record_id=Ref(1, "records", then=lambda found: next(r["id"] for r in found
                                                                      if r["fields"].get(key) == row[key])), **extra))


@scenario
def add_guest(world: AirtableMcpServer, rng: random.Random) -> Draft:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = name.lower().replace(" ", ".") + "@example.com"
    rsvp, diet = rng.choice(["Yes", "Maybe"]), rng.choice(["Vegan", "Vegetarian", "Gluten-free"])
    return Draft(
        request=f"Add {name} ({email}) to the guest list in my Event Planning base: RSVP {rsvp}, {diet.lower()}, "
                "bringing a plus one.",
        calls=(call("list_bases"), call("list_tables", base_id=base_id("Event Planning")),
               call("create_record", base_id=base_id("Event Planning"),
                    table_id=Ref(1, "tables", then=pick("id", name="Guests")),
                    fields={"Name": name, "Email": email, "RSVP": rsvp, "Plus one": True, "Dietary needs": diet})))


@scenario
def won_deal(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    deals = [d for d in unique(records(world, "Sales CRM", "Deals"), "Deal name") if d["Stage"] not in ("Won", "Lost")]
    if not deals:
        return None
    deal = rng.choice(deals)
    return Draft(request=rng.choice(["We closed '{d}'! Mark it as won in the CRM.",
                                     "The deal '{d}' is won; update its stage in my Sales CRM base."]
                                    ).format(d=deal["Deal name"]),
                 calls=change("Sales CRM", "Deals", "Deal name", deal, "update_record", fields={"Stage": "Won"}))


@scenario
def drop_vendor(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    vendors = unique(records(world, "Event Planning", "Vendors"), "Vendor")
    if not vendors:
        return None
    vendor = rng.choice(vendors)
    return Draft(request=f"We're not working with {vendor['Vendor']} anymore. Remove them from the event's vendor "
                         "table.", calls=change("Event Planning", "Vendors", "Vendor", vendor, "delete_record"))


@scenario
def reschedule_feature(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    features = [f for f in unique(records(world, "Product Roadmap", "Features"), "Name") if f["Status"] != "Shipped"]
    if not features:
        return None
    feature = rng.choice(features)
    day = rng.choice(["2026-04-15", "2026-05-01", "2026-06-30"])
    return Draft(request=f"Push the roadmap feature '{feature['Name']}' to {day} and set it to priority P0; it's "
                         f"{feature['Status'].lower()} for now.",
                 calls=change("Product Roadmap", "Features", "Name", feature, "update_record",
                              fields={"Target date": day, "Priority": "P0"}))


@scenario
def new_table(world: AirtableMcpServer, rng: random.Random) -> Draft:
    base, name = rng.choice([("Product Roadmap", "Bugs"), ("Sales CRM", "Contacts"), ("Product Roadmap", "Experiments")])
    fields = [{"name": "Title" if name != "Contacts" else "Full name", "type": "singleLineText"},
              {"name": "Severity" if name == "Bugs" else "Stage", "type": "singleSelect",
               "choices": ["Low", "Medium", "High"] if name == "Bugs" else ["New", "Active", "Done"]},
              {"name": "Due", "type": "date"}, {"name": "Resolved", "type": "checkbox"}]
    return Draft(
        request=f"Create a '{name}' table in my {base} base with a text field {fields[0]['name']}, a single select "
                f"{fields[1]['name']} ({', '.join(fields[1]['choices'])}), a date field Due and a checkbox Resolved.",
        calls=(call("list_bases"), call("create_table", base_id=base_id(base), name=name, fields=fields)))


@scenario
def plus_ones(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    guests = [g for g in records(world, "Event Planning", "Guests") if g.get("RSVP") == "Yes"]
    bringing = [g["Name"] for g in guests if g.get("Plus one")]
    if not bringing or len(bringing) > 6 or len(bringing) == len(guests):
        return None
    return Draft(request="Of the guests who said yes to my event, who is bringing a plus one? Names please.",
                 calls=(call("list_bases"), call("list_records", base_id=base_id("Event Planning"),
                                                 table_id="Guests", view="Yes only")),
                 answer=tuple(bringing))


@scenario
def won_total(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    won = [d["Value"] for d in records(world, "Sales CRM", "Deals") if d.get("Stage") == "Won"]
    if len(won) < 2:
        return None
    return Draft(request="What's the total value of all the deals we've won so far, according to my Sales CRM?",
                 calls=(call("list_bases"), call("list_records", base_id=base_id("Sales CRM"), table_id="Deals",
                                                 filter_by_formula="{Stage} = 'Won'")),
                 answer=(str(sum(won)),))


@scenario
def rsvp_change(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    guests = [g for g in unique(records(world, "Event Planning", "Guests"), "Name") if g.get("RSVP") != "No"]
    if not guests:
        return None
    guest = rng.choice(guests)
    return Draft(request="One of my event guests just cancelled. Set their RSVP to No; I'll tell you who.",
                 calls=change("Event Planning", "Guests", "Name", guest, "update_record", fields={"RSVP": "No"}),
                 ask=(UserFact("guest's name", guest["Name"], ("who", "name", "guest")),))


@scenario
def engineer_start(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    people = [p for p in unique(records(world, "Company Directory", "Employees"), "Name")
              if p.get("Department") == "Engineering"]
    if len(people) < 3:
        return None
    person = rng.choice(people)
    return Draft(request=f"When did {person['Name']} from Engineering start, and what's their job title? Check the "
                         "company directory.",
                 calls=(call("list_bases"), call("list_records", base_id=base_id("Company Directory"),
                                                 table_id="Employees", view="Engineering only")),
                 answer=(person["Start date"], person["Title"]))


@scenario
def feature_owner(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    features = [f for f in unique(records(world, "Product Roadmap", "Features"), "Name") if f.get("Owner")]
    if not features:
        return None
    feature = rng.choice(features)
    return Draft(request=f"Who owns the roadmap feature '{feature['Name']}' and how many days is it estimated at?",
                 calls=(call("list_bases"), call("list_records", base_id=base_id("Product Roadmap"),
                                                 table_id="Features"),
                        call("get_record", base_id=base_id("Product Roadmap"), table_id="Features",
                             record_id=Ref(1, "records", then=lambda found: next(
                                 r["id"] for r in found if r["fields"].get("Name") == feature["Name"])))),
                 answer=(feature["Owner"], str(feature["Estimate (days)"])))


@scenario
def add_deal(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    companies = unique(records(world, "Sales CRM", "Companies"), "Name")
    if not companies:
        return None
    company = rng.choice(companies)["Name"]
    kind, stage = rng.choice(["pilot", "renewal", "expansion"]), rng.choice(["Lead", "Qualified", "Proposal"])
    value, day = rng.randrange(20, 400) * 100, f"2026-0{rng.randrange(4, 10)}-{rng.randrange(10, 29)}"
    name = f"{company} {kind}"
    if any(d["Deal name"] == name for d in records(world, "Sales CRM", "Deals")):
        return None
    return Draft(request=f"Log a new deal '{name}' with {company} in the CRM: stage {stage}, worth {value} dollars, "
                         f"expected to close {day}.",
                 calls=(call("list_bases"), call("create_record", base_id=base_id("Sales CRM"), table_id="Deals",
                                                 fields={"Deal name": name, "Company": company, "Stage": stage,
                                                         "Value": value, "Close date": day})))


@scenario
def book_vendor(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    vendors = [v for v in unique(records(world, "Event Planning", "Vendors"), "Vendor") if not v.get("Booked")]
    if not vendors:
        return None
    vendor = rng.choice(vendors)
    cost = rng.randrange(10, 90) * 50
    return Draft(request=f"We've booked {vendor['Vendor']} for the event at {cost} dollars. Update the vendor table.",
                 calls=change("Event Planning", "Vendors", "Vendor", vendor, "update_record",
                              fields={"Booked": True, "Cost": cost}))


@scenario
def ship_release(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    releases = [r for r in unique(records(world, "Product Roadmap", "Releases"), "Version") if not r.get("Shipped")]
    if not releases:
        return None
    release = rng.choice(releases)
    day = f"2026-03-0{rng.randrange(2, 9)}"
    return Draft(request=f"Release {release['Version']} went out on {day}. Mark it shipped with that date.",
                 calls=change("Product Roadmap", "Releases", "Version", release, "update_record",
                              fields={"Shipped": True, "Release date": day}))


@scenario
def drop_guest(world: AirtableMcpServer, rng: random.Random) -> Draft | None:
    guests = [g for g in unique(records(world, "Event Planning", "Guests"), "Name") if g.get("RSVP") == "No"]
    if not guests:
        return None
    guest = rng.choice(guests)
    return Draft(request=f"{guest['Name']} declined, so take them off the guest list entirely.",
                 calls=change("Event Planning", "Guests", "Name", guest, "delete_record"))
