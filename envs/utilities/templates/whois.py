"""Task templates of Whois: what a registrar customer asks for (new names, nameserver moves, renewals)."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.utilities.whois import CF, OUR_NS, Whois


def some_brand(world: Whois, rng: random.Random) -> str:
    """The name part of one of the user's domains."""
    return rng.choice(sorted({r["domain"].split(".")[0] for r in world.rows("SELECT domain FROM domains")}))


def new_name(world: Whois, rng: random.Random, brand: str) -> tuple[str, dict[str, Any]] | None:
    """An affordable, available name ``brand.tld`` the account may register, with its TLD's row."""
    balance = world.value("SELECT balanceCents FROM account")
    options = []
    for tld in world.rows("SELECT * FROM tlds WHERE status = 'active' ORDER BY tld"):
        name = f"{brand}.{tld['tld']}"
        check = world.check_availability(name)
        if check["available"] and not check["premium"] and tld["registerCents"] * tld["minYears"] < balance // 2:
            options.append((name, tld))
    return rng.choice(options) if options else None


def mine(world: Whois, where: str = "1", *params: Any) -> list[dict[str, Any]]:
    return world.rows("SELECT r.* FROM registrations r JOIN domains USING (domain) WHERE " + where
                      + " ORDER BY r.domain", *params)


def active(world: Whois) -> list[dict[str, Any]]:
    return mine(world, "r.expires >= ?", world.start_time.date().isoformat())


@scenario
def register_brand_elsewhere(world: Whois, rng: random.Random) -> Draft | None:
    brand = some_brand(world, rng)
    found = new_name(world, rng, brand)
    if found is None:
        return None
    name, tld = found
    years = max(tld["minYears"], rng.choice([1, 1, 2, 3]))
    privacy = bool(tld["privacyAllowed"]) and rng.random() < 0.7
    wish = "" if privacy or not tld["privacyAllowed"] else rng.choice(
        [" I want my details public in WHOIS, no privacy.", " Leave WHOIS privacy off."])
    plural = "s" if years > 1 else ""
    request = rng.choice([f"I'd like to own {name} too. Register it for {years} year{plural} and tell me what "
                          f"it cost.{wish}",
                          f"Please grab {name} for {years} year{plural} before someone else does, and let me "
                          f"know the charge.{wish}"])
    return Draft(request=request, calls=(call("register_domain", domain=name, years=years, privacy=privacy),),
                 answer=(Ref(0, "charged"),))


@scenario
def register_if_cheap(world: Whois, rng: random.Random) -> Draft | None:
    found = new_name(world, rng, some_brand(world, rng))
    if found is None or found[1]["minYears"] > 1 or not found[1]["privacyAllowed"]:
        return None
    name, tld = found
    price = tld["registerCents"] / 100
    limit = rng.choice([price + rng.randrange(2, 10), max(1, int(price) - rng.randrange(1, 3))])
    request = (f"How much is {name} for the first year? If it's under ${limit:.0f}, register it for a year "
               f"with privacy on; otherwise just tell me the price.")
    calls = [call("check_availability", domain=name)]
    if price < limit:
        calls.append(call("register_domain", domain=name, years=1, privacy=True))
    return Draft(request=request, calls=tuple(calls), answer=(Ref(0, "registrationPrice"),))


@scenario
def register_with_sibling_nameservers(world: Whois, rng: random.Random) -> Draft | None:
    siblings = [r for r in active(world) if r["nameservers"] != OUR_NS]
    rng.shuffle(siblings)
    for sibling in siblings:
        found = new_name(world, rng, sibling["domain"].split(".")[0])
        if found is None or found[1]["minYears"] > 1 or not found[1]["privacyAllowed"]:
            continue
        name = found[0]
        return Draft(
            request=rng.choice([f"Register {name} for one year and set it up with the same nameservers that "
                                f"{sibling['domain']} uses.",
                                f"Buy {name} (one year) and point it at the same DNS as {sibling['domain']}."]),
            calls=(call("whois_domain", domain=sibling["domain"]),
                   call("register_domain", domain=name, years=1, privacy=True),
                   call("update_domain_nameservers", domain=name, nameservers=Ref(0, "nameServers"))))
    return None


@scenario
def copy_nameservers(world: Whois, rng: random.Random) -> Draft | None:
    domains = active(world)
    pairs = [(a, b) for a in domains for b in domains if a["domain"] != b["domain"]
             and a["nameservers"] != b["nameservers"]]
    if not pairs:
        return None
    target, source = rng.choice(pairs)
    return Draft(
        request=rng.choice([f"Make {target['domain']} use the same nameservers as {source['domain']}.",
                            f"I'm consolidating DNS: {target['domain']} should be served by whatever nameservers "
                            f"{source['domain']} has."]),
        calls=(call("whois_domain", domain=source["domain"]),
               call("update_domain_nameservers", domain=target["domain"], nameservers=Ref(0, "nameServers"))))


@scenario
def move_to_cloudflare(world: Whois, rng: random.Random) -> Draft | None:
    target = rng.choice(active(world))
    hosts = sorted(f"{n}.ns.cloudflare.com" for n in rng.sample(CF, 2))
    if ",".join(hosts) == target["nameservers"]:
        return None
    return Draft(
        request=rng.choice([f"I've moved {target['domain']} to Cloudflare. Set its nameservers to {hosts[0]} and "
                            f"{hosts[1]}.", f"Cloudflare gave me {hosts[1]} and {hosts[0]} for {target['domain']};"
                                            " please switch the domain over to them."]),
        calls=(call("update_domain_nameservers", domain=target["domain"], nameservers=hosts),))


@scenario
def renew_expiring(world: Whois, rng: random.Random) -> Draft | None:
    today = world.start_time.date()
    cutoff = today.replace(month=today.month + rng.choice([1, 2]))
    due = [r for r in world.list_my_domains(cutoff.isoformat()) if "redemptionPeriod" not in r["status"]]
    cost = sum(world.value("SELECT renewCents FROM tlds WHERE tld = ?", r["domainName"].rsplit(".", 1)[1])
               for r in due)
    if not 2 <= len(due) <= 6 or cost > world.value("SELECT balanceCents FROM account"):
        return None
    return Draft(
        request=rng.choice([f"Renew for one year every domain of mine that expires before {cutoff}, as long as it "
                            "can still be renewed.", f"Anything in my account expiring before {cutoff} that can "
                                                     "still be saved: renew it for a year."]),
        calls=(call("list_my_domains", before_date=cutoff.isoformat()),
               *(call("renew_domain", domain=r["domainName"], years=1) for r in due)))
