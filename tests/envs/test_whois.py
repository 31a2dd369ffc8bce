"""Behaviour of the Whois environment: look-ups, registrar writes and their rules, exact errors and rewards."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from envfactory_gym.registration import world_set
from tests.envs.support import assert_answer_is_graded, fails, gold_calls, play

ENV = "Whois"
TODAY = "2026-03-02"


def mine(world: Any, where: str = "1", *params: Any) -> dict[str, Any]:
    """The first domain of the account (by name) meeting ``where``."""
    return world.row("SELECT r.* FROM registrations r JOIN domains USING (domain) WHERE " + where
                     + " ORDER BY r.domain", *params)


def expired_days(row: dict[str, Any]) -> int:
    return (dt.date.fromisoformat(TODAY) - dt.date.fromisoformat(row["expires"])).days


def balance(world: Any) -> int:
    return world.value("SELECT balanceCents FROM account")


def test_register_domain_charges_the_balance_and_adds_the_domain(world: Any) -> None:
    brand = mine(world)["domain"].split(".")[0]
    name = next(f"{brand}.{t}" for t in ("xyz", "info", "me", "tech", "shop")
                if world.call("check_availability", {"domain": f"{brand}.{t}"})["available"])
    tld = world.row("SELECT * FROM tlds WHERE tld = ?", name.split(".")[1])
    before, account = balance(world), world.row("SELECT * FROM account")
    result = world.call("register_domain", {"domain": name.upper(), "years": 2, "privacy": False})
    cost = tld["registerCents"] + tld["renewCents"]
    assert result == {"domainName": name, "years": 2, "charged": cost / 100, "expirationDate": "2028-03-02",
                      "balance": (before - cost) / 100}
    assert balance(world) == before - cost
    assert world.row("SELECT * FROM registrations WHERE domain = ?", name) == {
        "domain": name, "tld": tld["tld"], "registrar": "Northgate Registrar LLC", "registrant": account["name"],
        "organization": "", "country": account["country"], "email": account["email"], "created": TODAY,
        "updated": TODAY, "expires": "2028-03-02", "nameservers": "ns1.northgate-dns.net,ns2.northgate-dns.net",
        "privacy": 0, "locked": 1, "holds": "", "ip": ""}
    assert world.row("SELECT * FROM domains WHERE domain = ?", name) == {
        "accountId": account["accountId"], "domain": name, "added": TODAY}
    record = world.call("whois_domain", {"domain": name})
    assert (record["registrant"]["name"], record["status"]) == (account["name"], ["clientTransferProhibited"])
    assert world.call("check_availability", {"domain": name})["status"] == "already registered"


def test_register_domain_rules(env: Any, world: Any) -> None:
    taken = world.value("SELECT domain FROM registrations WHERE domain NOT IN (SELECT domain FROM domains)")
    assert fails(env, world, "register_domain", {"domain": taken}) == f"{taken} cannot be registered: already registered"
    assert fails(env, world, "register_domain", {"domain": "whois.io"}) == (
        "whois.io cannot be registered: reserved by the registry")
    assert fails(env, world, "register_domain", {"domain": "www.zzqexample.com"}) == (
        "www.zzqexample.com cannot be registered: only second-level names (name.tld) can be registered")
    assert fails(env, world, "register_domain", {"domain": "zzq.an"}) == (
        "zzq.an cannot be registered: the .an TLD is retired")
    assert fails(env, world, "register_domain", {"domain": "zzq.ai"}) == ".ai registrations run 2 to 10 year(s)"
    assert fails(env, world, "register_domain", {"domain": "zzq.de", "years": 2}) == (
        ".de registrations run 1 to 1 year(s)")
    assert fails(env, world, "register_domain", {"domain": "zzq.bogus"}) == (
        "'.bogus' is not a top-level domain in the registry data; whois_tld describes a TLD")
    assert fails(env, world, "register_domain", {"domain": "-zzq.com"}) == (
        "'-zzq.com' is not a valid domain: a label must not begin or end with a hyphen")
    country = world.value("SELECT country FROM account")
    assert country != "US"
    assert fails(env, world, "register_domain", {"domain": "zzq.us", "privacy": False}) == (
        "zzq.us cannot be registered: .us is limited to registrants in US")
    premium = world.row("SELECT * FROM premium ORDER BY priceCents DESC")
    assert premium["priceCents"] > balance(world)
    assert fails(env, world, "register_domain", {"domain": premium["domain"]}) == (
        f"registering {premium['domain']} for 1 year(s) costs ${premium['priceCents'] / 100:.2f} but the account "
        f"balance is ${balance(world) / 100:.2f}; top up the account or choose fewer years")


def test_renew_domain_extends_expiry_and_charges(world: Any) -> None:
    row = mine(world, "r.expires > ?", TODAY)
    renew = world.value("SELECT renewCents FROM tlds WHERE tld = ?", row["tld"])
    before = balance(world)
    result = world.call("renew_domain", {"domain": row["domain"], "years": 2})
    year, rest = int(row["expires"][:4]), row["expires"][4:]
    assert result == {"domainName": row["domain"], "years": 2, "charged": 2 * renew / 100,
                      "expirationDate": f"{year + 2}{rest}", "balance": (before - 2 * renew) / 100}
    assert world.row("SELECT * FROM registrations WHERE domain = ?", row["domain"]) == {
        **row, "expires": f"{year + 2}{rest}", "updated": TODAY}


def test_renew_domain_rules(env: Any, world: Any) -> None:
    gone = next(r for r in world.rows("SELECT r.*, t.graceDays FROM registrations r JOIN domains USING (domain)"
                                      " JOIN tlds t USING (tld) ORDER BY r.domain") if expired_days(r) > r["graceDays"])
    assert fails(env, world, "renew_domain", {"domain": gone["domain"]}) == (
        f"{gone['domain']} expired on {gone['expires']} and is past its {gone['graceDays']}-day grace period "
        "(in redemption); it can no longer be renewed")
    other = world.value("SELECT domain FROM registrations WHERE domain NOT IN (SELECT domain FROM domains)")
    assert fails(env, world, "renew_domain", {"domain": other}) == (
        f"'{other}' is not in your account; list_my_domains shows the domains you hold")
    far = mine(world, "r.tld = 'com' AND r.expires > ?", TODAY)
    later = [dt.date.fromisoformat(f"{int(far['expires'][:4]) + y}{far['expires'][4:]}") for y in range(11)]
    room = max(y for y in range(10) if later[y] <= dt.date(2036, 3, 2))
    assert fails(env, world, "renew_domain", {"domain": far["domain"], "years": 10}) == (
        f"renewing {far['domain']} by 10 year(s) would run it to {later[10]}, more than 10 year(s) ahead; at most "
        f"{room} year(s) can be added now")


def test_renew_in_grace_clears_the_hold(world: Any) -> None:
    late = next(r for r in world.rows("SELECT r.*, t.graceDays FROM registrations r JOIN domains USING (domain)"
                                      " JOIN tlds t USING (tld) ORDER BY r.domain") if 0 < expired_days(r) <= r["graceDays"])
    assert "clientHold" in world.call("whois_domain", {"domain": late["domain"]})["status"]
    world.call("renew_domain", {"domain": late["domain"]})
    assert "clientHold" not in world.call("whois_domain", {"domain": late["domain"]})["status"]


def test_update_nameservers_stores_them_canonically(env: Any, world: Any) -> None:
    row = mine(world, "r.expires > ?", TODAY)
    result = world.call("update_domain_nameservers", {"domain": row["domain"],
                                                      "nameservers": ["Bob.NS.cloudflare.com.", "ada.ns.cloudflare.com"]})
    assert result["nameServers"] == ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
    assert world.row("SELECT * FROM registrations WHERE domain = ?", row["domain"]) == {
        **row, "nameservers": "ada.ns.cloudflare.com,bob.ns.cloudflare.com", "updated": TODAY}
    assert fails(env, world, "update_domain_nameservers", {
        "domain": row["domain"], "nameservers": ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]}) == (
        f"{row['domain']} already uses these nameservers")
    assert fails(env, world, "update_domain_nameservers", {
        "domain": row["domain"], "nameservers": ["a.example.net", "A.example.net"]}) == (
        "give at least two different nameservers")
    late = mine(world, "r.expires < ?", TODAY)
    assert fails(env, world, "update_domain_nameservers", {
        "domain": late["domain"], "nameservers": ["a.example.net", "b.example.net"]}) == (
        f"{late['domain']} expired on {late['expires']}; renew it before changing its nameservers")


def test_privacy_toggle_redacts_the_whois_registrant(env: Any, world: Any) -> None:
    row = mine(world, "r.privacy = 0")
    assert world.call("whois_domain", {"domain": row["domain"]})["registrant"]["name"] == row["registrant"]
    result = world.call("set_domain_privacy", {"domain": row["domain"], "whois_privacy": "on"})
    assert result["privacy"] is True
    assert world.row("SELECT * FROM registrations WHERE domain = ?", row["domain"]) == {
        **row, "privacy": 1, "updated": TODAY}
    shown = world.call("whois_domain", {"domain": row["domain"]})["registrant"]
    assert shown == {"name": "REDACTED FOR PRIVACY", "organization": "Privacy service of Northgate Registrar LLC",
                     "country": row["country"], "email": "REDACTED FOR PRIVACY"}
    assert fails(env, world, "set_domain_privacy", {"domain": row["domain"], "whois_privacy": "on"}) == (
        f"privacy protection of {row['domain']} is already on")


def test_transfer_lock_rules(env: Any, world: Any) -> None:
    fresh = mine(world, "r.created > ? AND r.locked = 1", "2026-01-01")
    until = dt.date.fromisoformat(fresh["created"]) + dt.timedelta(days=60)
    assert fails(env, world, "set_domain_transfer_lock", {"domain": fresh["domain"], "transfer_lock": "off"}) == (
        f"{fresh['domain']} was registered on {fresh['created']}; it cannot be unlocked for transfer before "
        f"{until} (60-day lock after registration)")
    old = mine(world, "r.created < ? AND r.locked = 1", "2025-01-01")
    result = world.call("set_domain_transfer_lock", {"domain": old["domain"], "transfer_lock": "off"})
    assert (result["transferLock"], "clientTransferProhibited" in result["status"]) == (False, False)
    assert world.row("SELECT * FROM registrations WHERE domain = ?", old["domain"]) == {
        **old, "locked": 0, "updated": TODAY}
    assert fails(env, world, "set_domain_transfer_lock", {"domain": old["domain"], "transfer_lock": "off"}) == (
        f"{old['domain']} is already unlocked")


def test_ip_and_as_lookups(env: Any, world: Any) -> None:
    row = world.row("SELECT * FROM registrations WHERE ip != '' ORDER BY domain")
    found = world.call("whois_ip", {"ip": f" {row['ip']} "})
    net = world.row("SELECT * FROM networks WHERE cidr = ?", found["cidr"])
    assert net["first"] < int(ipaddress.IPv4Address(row["ip"])) < net["last"]
    assert found["asn"] == net["asn"]
    system = world.call("whois_as", {"asn": found["asn"].lower().removeprefix("as")})
    assert system["asn"] == net["asn"] and found["cidr"] in system["routes"]
    assert system["organization"] == found["organization"]
    assert fails(env, world, "whois_ip", {"ip": "192.168.1.10"}) == (
        "192.168.1.10 is a private or reserved address; it has no public WHOIS record")
    assert fails(env, world, "whois_ip", {"ip": "300.1.1.1"}) == "'300.1.1.1' is not an IPv4 address (each part is 0-255)"
    assert fails(env, world, "whois_as", {"asn": "AS64512"}) == "AS64512 is not assigned to anyone in the registry data"
    assert world.call("whois_tld", {"tld": ".AN"})["status"] == "retired"
    assert fails(env, world, "whois_domain", {"domain": "zzq-not-here.com"}) == (
        'No match for "zzq-not-here.com": it is not registered; check_availability tells whether it can be registered')


def test_agent_schema_shows_the_limits_and_what_the_user_knows(env: Any, world: Any) -> None:
    tools = world_set(ENV)(0).tools
    years = tools["renew_domain"][1].parameters["properties"]["years"]
    assert (years["minimum"], years["maximum"]) == (1, 10)
    servers = tools["update_domain_nameservers"][1].parameters["properties"]["nameservers"]
    assert (servers["minItems"], servers["maxItems"]) == (2, 13)
    assert tools["set_domain_privacy"][1].parameters["properties"]["whois_privacy"]["enum"] == ["on", "off"]
    assert tools["whois_ip"][1].user_known == frozenset({"ip"})
    row = mine(world)
    assert fails(env, world, "renew_domain", {"domain": row["domain"], "years": 11}) == (
        "invalid arguments for 'renew_domain': years must be between 1 and 10")
    assert fails(env, world, "update_domain_nameservers", {"domain": row["domain"], "nameservers": ["a.b.com"]}
                 ).startswith("invalid arguments for 'update_domain_nameservers': nameservers:")


def test_gold_tasks_earn_one_and_a_wrong_path_zero(env: Any) -> None:
    task = next(t for t in env.tasks if t.tags.get("scenario") == "move_to_cloudflare")
    calls = gold_calls(task)
    assert play(env, task.id, calls) == 1.0
    name, arguments = calls[0]
    assert play(env, task.id, [(name, {**arguments, "nameservers": ["x.ns.cloudflare.com", "y.ns.cloudflare.com"]})]
                ) == 0.0
    assert play(env, task.id, []) == 0.0
    renewal = next(t for t in env.tasks if t.tags.get("scenario") == "renew_expiring")
    calls = gold_calls(renewal)
    assert play(env, renewal.id, calls) == 1.0
    assert play(env, renewal.id, calls[:-1]) == 0.0


def test_read_task_needs_its_answer(env: Any) -> None:
    task = next(t for t in env.tasks if tuple(t.tags.get("chain", ())) == ("whois_tld",) and t.answer_facts)
    assert_answer_is_graded(env, task)


def test_a_world_that_draws_one_as_number_twice_gives_each_system_its_own() -> None:
    # seed 1040 draws an AS number already taken; populate used to fail on the primary key
    world = world_set(ENV)(1040).worlds[ENV]
    assert world.value("SELECT COUNT(*) FROM autonomous_systems") == 32
    assert world.value("SELECT COUNT(*) FROM networks WHERE asn NOT IN (SELECT asn FROM autonomous_systems)") == 0
