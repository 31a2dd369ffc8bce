"""Whois: WHOIS/RDAP look-ups of domains, IP networks, autonomous systems and TLDs, plus a registrar account."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field
from typing_extensions import TypedDict

from envfactory_gym.core.tools import ToolError, UserKnown, tool
from envfactory_gym.core.world import World, draw_unique

REGISTRAR = "Northgate Registrar LLC"
OUR_NS = "ns1.northgate-dns.net,ns2.northgate-dns.net"
EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK"
# tld type status delegated register/renew price (cents) min/max years grace days privacy-allowed whois-server|registry|
# countries a registrant must be in (empty: anyone); retired TLDs have no prices
TLDS = """com generic active 1985-01-01 1098 1098 1 10 40 1 whois.verisign-grs.com|VeriSign Global Registry Services|
net generic active 1985-01-01 1298 1398 1 10 40 1 whois.verisign-grs.com|VeriSign Global Registry Services|
org generic active 1985-01-01 998 1298 1 10 40 1 whois.publicinterestregistry.org|Public Interest Registry|
info generic active 2001-06-26 299 2298 1 10 30 1 whois.identity.digital|Identity Digital Limited|
io country-code active 1997-09-16 3998 4998 1 10 30 1 whois.nic.io|Internet Computer Bureau Limited|
ai country-code active 1995-02-16 7998 7998 2 10 30 1 whois.nic.ai|Government of Anguilla|
co country-code active 1991-12-24 1198 2998 1 5 30 1 whois.nic.co|.CO Internet S.A.S.|
dev generic active 2014-12-17 1298 1698 1 10 30 1 whois.nic.google|Charleston Road Registry Inc.|
app generic active 2015-06-25 1498 1898 1 10 30 1 whois.nic.google|Charleston Road Registry Inc.|
xyz generic active 2014-02-14 198 1398 1 10 30 1 whois.nic.xyz|XYZ.COM LLC|
shop generic active 2016-08-30 198 3298 1 10 30 1 whois.nic.shop|GMO Registry, Inc.|
tech generic active 2015-03-12 698 4898 1 10 30 1 whois.nic.tech|Radix FZC|
me country-code active 2007-09-24 498 1998 1 10 30 1 whois.nic.me|Government of Montenegro|
de country-code active 1986-11-05 698 698 1 1 30 1 whois.denic.de|DENIC eG|
uk country-code active 1985-07-24 798 798 1 10 30 1 whois.nic.uk|Nominet UK|
nl country-code active 1986-04-25 698 898 1 1 30 1 whois.domain-registry.nl|SIDN|
eu country-code active 2005-04-22 598 998 1 10 30 1 whois.eu|EURid vzw|{eu}
fr country-code active 1986-09-02 898 1098 1 10 30 1 whois.nic.fr|AFNIC|{eu} CH
ca country-code active 1987-05-14 1298 1398 1 10 30 1 whois.cira.ca|Canadian Internet Registration Authority|CA
us country-code active 1985-02-15 798 898 1 10 30 0 whois.nic.us|Registry Services, LLC|US
an country-code retired 1993-09-09 - - 1 1 0 0 -|University of Curacao (Netherlands Antilles, retired 2015-07-31)|
tp country-code retired 1997-03-25 - - 1 1 0 0 -|Timor-Leste (replaced by .tl, retired 2015-02-28)|""".format(eu=EU).splitlines()
TLD_COLUMNS = ("tld", "type", "status", "created", "registerCents", "renewCents", "minYears", "maxYears",
               "graceDays", "privacyAllowed")
RESERVED = {"nic", "whois", "www", "example", "test", "localhost", "invalid", "registry", "rdap", "iana"}
REGISTRARS = ["GoDaddy.com, LLC", "Namecheap, Inc.", "Tucows Domains Inc.", "MarkMonitor Inc.", "Gandi SAS",
              "Cloudflare, Inc.", "Porkbun LLC", "IONOS SE", "OVH SAS", "Squarespace Domains II LLC"]
PREFIXES = ["bright", "blue", "north", "swift", "clear", "urban", "pixel", "green", "quiet", "solar", "river",
            "iron", "maple", "cedar", "lumen", "nova", "atlas", "harbor", "summit", "orbit", "copper", "velvet"]
SUFFIXES = ["path", "labs", "works", "forge", "stack", "leaf", "nest", "wave", "bay", "field", "mint", "hub",
            "craft", "studio", "line", "box", "cart", "byte", "loop", "grove", "pilot", "desk"]
PREMIUM_WORDS = ["cloud", "pay", "shop", "ai", "data", "crypto", "bank", "health", "travel", "games", "news", "food"]
COUNTRIES = {"US": "ARIN", "CA": "ARIN", "DE": "RIPE NCC", "NL": "RIPE NCC", "FR": "RIPE NCC", "GB": "RIPE NCC",
             "SE": "RIPE NCC", "JP": "APNIC", "SG": "APNIC", "AU": "APNIC", "IN": "APNIC", "BR": "LACNIC",
             "AR": "LACNIC", "ZA": "AFRINIC", "KE": "AFRINIC"}
BOGONS = (100, 127, 169, 172, 192, 198, 203)  # first octets holding private, shared or documentation space
CF = ["ada", "bob", "chad", "dana", "elle", "fred", "gina", "hank", "ivy", "jack", "kate", "lana", "milo", "nora"]

Domain = Annotated[str, UserKnown, Field(pattern=r"^\s*[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+\.?\s*$",
                                         max_length=253)]
Host = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+\.?$", max_length=253)]
Years = Annotated[int, Field(ge=1, le=10)]
OnOff = Literal["on", "off"]

Registrant = TypedDict("Registrant", {"name": str, "organization": str, "country": str, "email": str})
DomainRecord = TypedDict("DomainRecord", {
    "domainName": str, "registrar": str, "creationDate": str, "updatedDate": str, "expirationDate": str,
    "nameServers": list[str], "status": list[str], "registrant": Registrant, "ipAddress": str})
IpRecord = TypedDict("IpRecord", {"ip": str, "range": str, "cidr": str, "netName": str, "organization": str,
                                  "country": str, "asn": str, "rir": str, "abuseEmail": str, "allocatedDate": str,
                                  "updatedDate": str})
AsRecord = TypedDict("AsRecord", {"asn": str, "name": str, "organization": str, "country": str, "rir": str,
                                  "routes": list[str], "registeredDate": str, "updatedDate": str})
TldRecord = TypedDict("TldRecord", {
    "tld": str, "type": str, "sponsor": str, "whoisServer": str, "status": str, "createdDate": str,
    "updatedDate": str, "registrationPrice": float | None, "renewalPrice": float | None, "minYears": int,
    "maxYears": int, "graceDays": int, "privacyAllowed": bool, "eligibleCountries": list[str]})
Availability = TypedDict("Availability", {"domain": str, "available": bool, "status": str,
                                          "registrationPrice": float | None, "renewalPrice": float | None,
                                          "premium": bool})
Account = TypedDict("Account", {"accountId": str, "name": str, "email": str, "country": str, "balance": float,
                                "domainCount": int})
MyDomain = TypedDict("MyDomain", {"domainName": str, "expirationDate": str, "status": list[str], "privacy": bool,
                                  "transferLock": bool})
Purchase = TypedDict("Purchase", {"domainName": str, "years": int, "charged": float, "expirationDate": str,
                                  "balance": float})
Settings = TypedDict("Settings", {"domainName": str, "nameServers": list[str], "privacy": bool,
                                  "transferLock": bool, "status": list[str]})


def usd(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


#: A TLD's rules, the account balance and, when the name is a domain of the account, its registration (NULLs
#: otherwise).
MINE = """SELECT t.graceDays, t.privacyAllowed, t.renewCents, t.maxYears,
    (SELECT balanceCents FROM account) AS balanceCents, r.* FROM tlds t
    LEFT JOIN registrations r ON r.domain = ?2 AND r.domain IN (SELECT domain FROM domains) WHERE t.tld = ?1"""


def checked_name(name: str, tld: dict[str, Any] | None) -> dict[str, Any]:
    """``tld`` (the row looked up by the TLD of a canonical name), or the error for an unknown TLD or a bad label."""
    if tld is None:
        raise ToolError(f"'.{name.rsplit('.', 1)[1]}' is not a top-level domain in the registry data; "
                        "whois_tld describes a TLD")
    if any(label.startswith("-") or label.endswith("-") for label in name.split(".")):
        raise ToolError(f"'{name}' is not a valid domain: a label must not begin or end with a hyphen")
    return tld


def status_of(reg: dict[str, Any], grace: int, today: dt.date) -> list[str]:
    """The EPP status of a registration row: its lock and holds, and clientHold / redemptionPeriod once expired
    (within / past the TLD's ``grace`` days)."""
    status = ["clientTransferProhibited"] * reg["locked"] + reg["holds"].split()
    expired = (today - dt.date.fromisoformat(reg["expires"])).days
    if expired > 0:
        status.append("redemptionPeriod" if expired > grace else "clientHold")
    return status or ["ok"]


def availability(name: str, tld: dict[str, Any], premium: int | None, country: str | None,
                 registered: Callable[[], bool]) -> dict[str, Any]:
    """check_availability's answer for a canonical name, from the TLD row, the premium price, the account's
    country and ``registered()`` (whether the name is registered; asked only when the earlier rules pass)."""
    out = {"domain": name, "available": False, "registrationPrice": usd(premium or tld["registerCents"]),
           "renewalPrice": usd(tld["renewCents"]), "premium": premium is not None}
    if tld["status"] != "active":
        return {**out, "status": f"the .{tld['tld']} TLD is retired"}
    if name.count(".") != 1:
        return {**out, "status": "only second-level names (name.tld) can be registered"}
    if name.split(".")[0] in RESERVED:
        return {**out, "status": "reserved by the registry"}
    if registered():
        return {**out, "status": "already registered"}
    if tld["eligible"] and country not in tld["eligible"].split():
        return {**out, "status": f".{tld['tld']} is limited to registrants in {tld['eligible']}"}
    return {**out, "available": True, "status": "premium name" if premium else "available"}


def between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange(max(1, (last - first).days + 1)))


def plus_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


class Whois(World):
    """A WHOIS/RDAP directory (registered domains, IPv4 networks, autonomous systems, TLDs) and the user's account
    at the registrar Northgate Registrar LLC: a prepaid balance in US dollars and the domains held there.
    Dates are YYYY-MM-DD; today is the episode clock's date."""

    domain = "Utilities"
    schema = """
    CREATE TABLE tlds (tld TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
                       registerCents INTEGER, renewCents INTEGER, minYears INTEGER NOT NULL,
                       maxYears INTEGER NOT NULL, graceDays INTEGER NOT NULL, privacyAllowed INTEGER NOT NULL,
                       whoisServer TEXT NOT NULL, registry TEXT NOT NULL, eligible TEXT NOT NULL,
                       updated TEXT NOT NULL);
    -- the registry's record of every registered domain (the WHOIS data)
    CREATE TABLE registrations (domain TEXT PRIMARY KEY, tld TEXT NOT NULL REFERENCES tlds, registrar TEXT NOT NULL,
                                registrant TEXT NOT NULL, organization TEXT NOT NULL, country TEXT NOT NULL,
                                email TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
                                expires TEXT NOT NULL, nameservers TEXT NOT NULL, privacy INTEGER NOT NULL,
                                locked INTEGER NOT NULL, holds TEXT NOT NULL, ip TEXT NOT NULL);
    -- the domains held in the user's registrar account
    CREATE TABLE domains (accountId TEXT NOT NULL, domain TEXT NOT NULL REFERENCES registrations,
                          added TEXT NOT NULL, PRIMARY KEY (accountId, domain));
    CREATE TABLE account (accountId TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
                          country TEXT NOT NULL, balanceCents INTEGER NOT NULL);
    CREATE TABLE premium (domain TEXT PRIMARY KEY, priceCents INTEGER NOT NULL);
    CREATE TABLE organizations (handle TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL,
                                abuseEmail TEXT NOT NULL);
    CREATE TABLE autonomous_systems (asn TEXT PRIMARY KEY, name TEXT NOT NULL, org TEXT NOT NULL REFERENCES
                                     organizations, registered TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE networks (cidr TEXT PRIMARY KEY, first INTEGER NOT NULL, last INTEGER NOT NULL,
                           netName TEXT NOT NULL, asn TEXT NOT NULL REFERENCES autonomous_systems,
                           allocated TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE INDEX networks_by_first ON networks (first);
    CREATE INDEX networks_by_asn ON networks (asn);
    """

    @classmethod
    def populate(cls, db: Any, rng: random.Random, fake: Any) -> None:
        today = cls.start_time.date()
        day = lambda d: d.isoformat()  # noqa: E731
        for line in TLDS:
            head, registry, eligible = line.split("|")
            *fields, server = head.split()
            db["tlds"].insert({**dict(zip(TLD_COLUMNS, [None if f == "-" else f for f in fields])),
                               "whoisServer": server.strip("-"), "registry": registry, "eligible": eligible,
                               "updated": day(between(rng, dt.date(2023, 1, 1), today))})
        grace = {r["tld"]: r["graceDays"] for r in db["tlds"].rows}
        orgs, systems, nets, blocks, asns = [], [], [], set(), set()
        for n in range(24):
            company, country = fake.company().replace(",", ""), rng.choice(sorted(COUNTRIES))
            slug = "".join(ch for ch in company.split()[0].lower() if ch.isalpha())
            orgs.append({"handle": f"ORG-{slug[:4].upper()}{n + 1}-{COUNTRIES[country].split()[0]}",
                         "name": f"{company} {rng.choice(['Hosting', 'Networks', 'Telecom', 'Cloud', 'Internet'])}",
                         "country": country, "abuseEmail": f"abuse@{slug}-{rng.choice(['net', 'hosting'])}.com"})
        for org in orgs + rng.sample(orgs, 8):
            asn = draw_unique(lambda: f"AS{rng.choice([rng.randrange(1000, 60000), rng.randrange(131072, 400000)])}",
                              asns)
            registered = between(rng, dt.date(1996, 1, 1), dt.date(2022, 12, 31))
            systems.append({"asn": asn, "name": f"{org['name'].split()[0].upper()}-AS{len(systems) % 3 or ''}",
                            "org": org["handle"], "registered": day(registered),
                            "updated": day(between(rng, registered, today))})
            for _ in range(rng.randrange(1, 4)):
                while (block := (rng.randrange(11, 223), rng.randrange(256))) in blocks or block[0] in BOGONS:
                    pass
                blocks.add(block)
                size = rng.choice([16, 18, 20, 22, 24])
                net = ipaddress.ip_network(f"{block[0]}.{block[1]}.{rng.randrange(256) * (size == 24)}.0/{size}")
                allocated = between(rng, registered, today)
                nets.append({"cidr": str(net), "first": int(net[0]), "last": int(net[-1]), "asn": asn,
                             "netName": f"{org['name'].split()[0].upper()}-NET-{len(nets) + 1}",
                             "allocated": day(allocated), "updated": day(between(rng, allocated, today))})
        db["organizations"].insert_all(orgs)
        db["autonomous_systems"].insert_all(systems)
        db["networks"].insert_all(nets)

        letter = rng.choice("abcde")
        hosts = {"cf": lambda: sorted(f"{n}.ns.cloudflare.com" for n in rng.sample(CF, 2)),
                 "aws": lambda: sorted(f"ns-{rng.randrange(100, 2000)}.awsdns-{rng.randrange(10, 63)}.{t}"
                                       for t in ("com", "net", "org", "co.uk")),
                 "google": lambda: [f"ns-cloud-{letter}{i}.googledomains.com" for i in range(1, 5)],
                 "do": lambda: [f"ns{i}.digitalocean.com" for i in range(1, 4)], "own": lambda: OUR_NS.split(",")}
        nameservers = lambda registrar: ",".join(sorted(  # noqa: E731
            hosts[rng.choice(["cf", "aws", "google", "do"] + ["own"] * 2 * (registrar == REGISTRAR))]()))

        account = {"accountId": f"NG-{rng.randrange(10**6, 10**7)}", "name": fake.name(),
                   "country": rng.choice(["US", "DE", "CA", "NL", "GB"]), "balanceCents": rng.randrange(6000, 40000)}
        account["email"] = f"{account['name'].split()[0].lower()}@{fake.domain_name()}"
        db["account"].insert(account)
        brands = rng.sample([p + s for p in PREFIXES for s in SUFFIXES], 5)
        mine = [f"{b}.{t}" for b in brands for t in ["com", *rng.sample(["io", "dev", "app", "co", "net", "org",
                                                                          "xyz", "shop", "tech"], 3)]][:20]
        states = ["redemption", "grace", "grace", "soon", "soon", "soon", "new", "new", "new"]
        states += ["normal"] * (len(mine) - len(states))
        rng.shuffle(states)
        rows, owned = {}, []
        for name, state in zip(mine, states, strict=True):
            tld = name.split(".")[1]
            expires = {"redemption": today - dt.timedelta(days=grace[tld] + rng.randrange(5, 20)),
                       "grace": today - dt.timedelta(days=rng.randrange(3, 25)),
                       "soon": today + dt.timedelta(days=rng.randrange(3, 30)),
                       "new": plus_years(today - dt.timedelta(days=rng.randrange(5, 55)), 1),
                       "normal": today + dt.timedelta(days=rng.randrange(60, 900))}[state]
            created = plus_years(expires, -(1 if state == "new" else rng.randrange(2, 9)))
            rows[name] = {"registrar": REGISTRAR, "registrant": account["name"], "organization": "",
                          "country": account["country"], "email": account["email"], "created": created,
                          "expires": expires, "privacy": int(rng.random() < 0.6), "locked": int(rng.random() < 0.7),
                          "holds": ""}
            owned.append({"accountId": account["accountId"], "domain": name, "added": day(created)})
        while len(rows) < 150:
            sld = rng.choice([fake.domain_word(), rng.choice(PREFIXES) + rng.choice(SUFFIXES)])
            name = f"{sld}.{rng.choice([t for t in grace if t not in ('us', 'ca', 'an', 'tp')] + ['com'] * 6)}"
            if name in rows:
                continue
            registrar, created = rng.choice(REGISTRARS), between(rng, dt.date(1997, 1, 1), dt.date(2025, 6, 30))
            expires = plus_years(created, today.year - created.year + rng.randrange(0, 4))
            rows[name] = {"registrar": registrar, "registrant": fake.name(), "organization": rng.choice(
                ["", fake.company()]), "country": rng.choice(sorted(COUNTRIES)), "email": fake.company_email(),
                "created": created, "expires": expires, "privacy": int(rng.random() < 0.5),
                "locked": int(rng.random() < 0.8), "holds": "clientDeleteProhibited clientUpdateProhibited"
                if registrar == "MarkMonitor Inc." else ""}
        for name, row in rows.items():
            net = rng.choice(nets)
            row.update(domain=name, tld=name.rsplit(".", 1)[1], nameservers=nameservers(row["registrar"]),
                       ip=str(ipaddress.ip_address(rng.randrange(net["first"] + 1, net["last"]))),
                       updated=day(between(rng, row["created"], today)), created=day(row["created"]),
                       expires=day(row["expires"]))
        db["registrations"].insert_all(rows.values())
        db["domains"].insert_all(owned)
        premium = {f"{w}.{t}" for w in PREMIUM_WORDS for t in ("io", "dev", "app", "xyz", "shop", "tech")}
        db["premium"].insert_all({"domain": d, "priceCents": rng.randrange(20, 500) * 1000}
                                 for d in rng.sample(sorted(premium - set(rows)), 18))

    # ------------------------------------------------------------------ helpers
    def _name(self, domain: str) -> tuple[str, dict[str, Any]]:
        """A domain in canonical form and its TLD's row."""
        name = domain.strip().lower().rstrip(".")
        return name, checked_name(name, self.row("SELECT * FROM tlds WHERE tld = ?", name.rsplit(".", 1)[1]))

    def _status(self, reg: dict[str, Any]) -> list[str]:
        grace = self.value("SELECT graceDays FROM tlds WHERE tld = ?", reg["tld"])
        return status_of(reg, grace, self.now().date())

    def _mine(self, domain: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """A domain of the account and the rules of its TLD (the TLD of its name, which is its ``tld``), checked as
        :meth:`_name` checks a name; both in one row (the registration's columns and the TLD's rule columns)."""
        name = domain.strip().lower().rstrip(".")
        found = checked_name(name, self.row(MINE, name.rsplit(".", 1)[1], name))
        if found["domain"] is None:
            raise ToolError(f"'{name}' is not in your account; list_my_domains shows the domains you hold")
        return found, found

    def _settings(self, reg: dict[str, Any], tld: dict[str, Any], today: dt.date) -> Settings:
        """The settings of a registration row as written (``reg`` holds the values just stored)."""
        return {"domainName": reg["domain"], "nameServers": reg["nameservers"].split(","),
                "privacy": bool(reg["privacy"]), "transferLock": bool(reg["locked"]),
                "status": status_of(reg, tld["graceDays"], today)}

    def _charge(self, cents: int, what: str, balance: int | None = None) -> int:
        """Take ``cents`` from the balance (``balance``: the balance already read in this call)."""
        if balance is None:
            balance = self.value("SELECT balanceCents FROM account")
        if cents > balance:
            raise ToolError(f"{what} costs ${cents / 100:.2f} but the account balance is ${balance / 100:.2f}; "
                            "top up the account or choose fewer years")
        self.execute("UPDATE account SET balanceCents = ?", balance - cents)
        return balance - cents

    # -------------------------------------------------------------------- look-ups
    @tool(phrase=["look up the WHOIS record[ of {domain}]", "pull up the WHOIS entry for {domain}",
                  "check the registration details of {domain}"])
    def whois_domain(self, domain: Domain) -> DomainRecord:
        """WHOIS record of a registered domain: registrar, dates, nameservers, EPP status, registrant (redacted when
        privacy protection is on) and the IPv4 address its A record points to.

        Args:
            domain: The domain name, e.g. "example.com".
        """
        name, _ = self._name(domain)
        reg = self.require("SELECT * FROM registrations WHERE domain = ?", name,
                           error=f"No match for \"{name}\": it is not registered; check_availability tells whether "
                                 "it can be registered")
        registrant = {"name": reg["registrant"], "organization": reg["organization"], "country": reg["country"],
                      "email": reg["email"]}
        if reg["privacy"]:
            registrant.update(name="REDACTED FOR PRIVACY", email="REDACTED FOR PRIVACY",
                              organization=f"Privacy service of {reg['registrar']}")
        return {"domainName": name, "registrar": reg["registrar"], "creationDate": reg["created"],
                "updatedDate": reg["updated"], "expirationDate": reg["expires"],
                "nameServers": reg["nameservers"].split(","), "status": self._status(reg), "registrant": registrant,
                "ipAddress": reg["ip"]}

    @tool(phrase=["look up the network that holds IP address {ip}", "look up who IP {ip} belongs to",
                  "run a WHOIS on the address {ip}"])
    def whois_ip(self, ip: Annotated[str, UserKnown, Field(pattern=r"^\s*\d{1,3}(\.\d{1,3}){3}\s*$")]) -> IpRecord:
        """WHOIS of an IPv4 address: the most specific allocated network holding it, its organisation, origin AS,
        regional internet registry and abuse contact.

        Args:
            ip: A dotted IPv4 address, e.g. "81.2.69.160".
        """
        try:
            address = ipaddress.IPv4Address(ip.strip())
        except ValueError:
            raise ToolError(f"'{ip.strip()}' is not an IPv4 address (each part is 0-255)") from None
        if not address.is_global:
            raise ToolError(f"{address} is a private or reserved address; it has no public WHOIS record")
        net = self.require(
            "SELECT n.*, a.org, o.name AS organization, o.country, o.abuseEmail FROM networks n JOIN"
            " autonomous_systems a USING (asn) JOIN organizations o ON o.handle = a.org"
            " WHERE n.first <= ?1 AND n.last >= ?1 ORDER BY n.first DESC LIMIT 1", int(address),
            error=f"no allocated network in the registry data holds {address}")
        first, last = ipaddress.IPv4Address(net["first"]), ipaddress.IPv4Address(net["last"])
        return {"ip": str(address), "range": f"{first} - {last}", "cidr": net["cidr"], "netName": net["netName"],
                "organization": net["organization"], "country": net["country"], "asn": net["asn"],
                "rir": COUNTRIES[net["country"]], "abuseEmail": net["abuseEmail"], "allocatedDate": net["allocated"],
                "updatedDate": net["updated"]}

    @tool(phrase=["look up the autonomous system {asn}", "pull up the WHOIS for {asn}"])
    def whois_as(self, asn: Annotated[str, UserKnown, Field(pattern=r"^\s*(AS|as|As)?\d{1,10}\s*$")]) -> AsRecord:
        """WHOIS of an autonomous system: its name, organisation, registry and the IPv4 prefixes (routes) it
        originates.

        Args:
            asn: The AS number, with or without the "AS" prefix, e.g. "AS13335".
        """
        number = "AS" + asn.strip().upper().removeprefix("AS")
        found = self.require("SELECT a.*, o.name AS organization, o.country FROM autonomous_systems a JOIN"
                             " organizations o ON o.handle = a.org WHERE a.asn = ?", number,
                             error=f"{number} is not assigned to anyone in the registry data")
        routes = [r["cidr"] for r in self.rows("SELECT cidr FROM networks WHERE asn = ? ORDER BY first", number)]
        return {"asn": number, "name": found["name"], "organization": found["organization"],
                "country": found["country"], "rir": COUNTRIES[found["country"]], "routes": routes,
                "registeredDate": found["registered"], "updatedDate": found["updated"]}

    @tool(phrase=["look up the .{tld} top-level domain", "find out who runs the .{tld} registry and its rules",
                  "check what a .{tld} domain costs here"])
    def whois_tld(self, tld: Annotated[str, UserKnown, Field(pattern=r"^\s*\.?[A-Za-z]{2,24}\s*$")]) -> TldRecord:
        """IANA-style record of a top-level domain (sponsor, WHOIS server, status, dates) with this registrar's
        prices in USD per year, registration term limits, renewal grace days, whether privacy protection is allowed
        and which registrant countries are eligible (empty: anyone).

        Args:
            tld: The TLD, with or without the dot, e.g. "io".
        """
        name = tld.strip().lower().lstrip(".")
        row = self.require("SELECT * FROM tlds WHERE tld = ?", name,
                           error=f"'.{name}' is not a delegated top-level domain in the registry data")
        return {"tld": name, "type": row["type"], "sponsor": row["registry"], "whoisServer": row["whoisServer"],
                "status": row["status"], "createdDate": row["created"], "updatedDate": row["updated"],
                "registrationPrice": usd(row["registerCents"]), "renewalPrice": usd(row["renewCents"]),
                "minYears": row["minYears"], "maxYears": row["maxYears"], "graceDays": row["graceDays"],
                "privacyAllowed": bool(row["privacyAllowed"]), "eligibleCountries": row["eligible"].split()}

    # -------------------------------------------------------------------- the registrar account
    @tool(phrase=["check whether {domain} is available", "see if I can still register {domain} and what it costs"])
    def check_availability(self, domain: Domain) -> Availability:
        """Whether a domain can be registered here, and its first-year and yearly renewal price in USD.

        Args:
            domain: The domain name, e.g. "example.dev".
        """
        name, tld = self._name(domain)
        premium = self.value("SELECT priceCents FROM premium WHERE domain = ?", name)
        country = self.value("SELECT country FROM account")
        return availability(name, tld, premium, country,
                            lambda: self.row("SELECT 1 FROM registrations WHERE domain = ?", name) is not None)

    @tool(phrase=["pull up my registrar account", "show my Northgate account"])
    def get_account(self) -> Account:
        """The registrar account: holder, country, prepaid balance in USD and how many domains it holds."""
        acc = self.row("SELECT * FROM account")
        return {"accountId": acc["accountId"], "name": acc["name"], "email": acc["email"], "country": acc["country"],
                "balance": usd(acc["balanceCents"]), "domainCount": self.value("SELECT COUNT(*) FROM domains")}

    @tool(phrase=["list the domains in my account[ that expire before {before_date}]",
                  "show which of my domains expire before {before_date}"])
    def list_my_domains(self, before_date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
                        ) -> list[MyDomain]:
        """The domains held in the account, soonest expiry first, with privacy, transfer lock and EPP status.

        Args:
            before_date: Only domains whose expiration date is before this day (YYYY-MM-DD).
        """
        regs = self.rows("SELECT r.domain, r.expires, r.privacy, r.locked, r.holds, t.graceDays FROM registrations r"
                         " JOIN domains d USING (domain) LEFT JOIN tlds t ON t.tld = r.tld WHERE ?1 IS NULL OR"
                         " r.expires < ?1 ORDER BY r.expires, r.domain", before_date)
        today = self.now().date()
        return [{"domainName": r["domain"], "expirationDate": r["expires"],
                 "status": status_of(r, r["graceDays"], today), "privacy": bool(r["privacy"]),
                 "transferLock": bool(r["locked"])} for r in regs]

    @tool(writes=True, phrase=["register {domain}[ for {years} year(s)]", "buy the domain {domain}[ for {years} "
                               "year(s)]", "grab {domain} for me[ for {years} year(s)]"])
    def register_domain(self, domain: Domain, years: Years = 1, privacy: bool = True) -> Purchase:
        """Register an available domain into the account, paid from the balance: the first year at the
        registration (or premium) price, further years at the renewal price. New domains get the registrar's
        nameservers and a transfer lock.

        Args:
            domain: The name to register, "name.tld".
            years: Registration term in years (within the TLD's minimum and maximum).
            privacy: Redact the registrant in WHOIS (not allowed by every TLD).
        """
        name, tld = self._name(domain)
        # What check_availability looks up, and the account, in one query.
        acc = self.row("SELECT a.*, (SELECT priceCents FROM premium WHERE domain = ?1) AS premium, EXISTS (SELECT 1"
                       " FROM registrations WHERE domain = ?1) AS taken FROM (SELECT 1) LEFT JOIN account a", name)
        premium = acc["premium"]
        check = availability(name, tld, premium, acc["country"], lambda: bool(acc["taken"]))
        if not check["available"]:
            raise ToolError(f"{name} cannot be registered: {check['status']}")
        if not tld["minYears"] <= years <= tld["maxYears"]:
            raise ToolError(f".{tld['tld']} registrations run {tld['minYears']} to {tld['maxYears']} year(s)")
        if privacy and not tld["privacyAllowed"]:
            raise ToolError(f".{tld['tld']} does not allow privacy protection; register with privacy false")
        cents = (premium or tld["registerCents"]) + tld["renewCents"] * (years - 1)
        balance = self._charge(cents, f"registering {name} for {years} year(s)", acc["balanceCents"])
        today = self.now().date()
        expires = plus_years(today, years).isoformat()
        self.execute("INSERT INTO registrations VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, 1, '', '')", name,
                     tld["tld"], REGISTRAR, acc["name"], acc["country"], acc["email"], today.isoformat(),
                     today.isoformat(), expires, OUR_NS, int(privacy))
        self.execute("INSERT INTO domains VALUES (?, ?, ?)", acc["accountId"], name, today.isoformat())
        return {"domainName": name, "years": years, "charged": usd(cents), "expirationDate": expires,
                "balance": usd(balance)}

    @tool(writes=True, phrase=["renew {domain}[ for {years} year(s)]", "renew my domain[ {domain}][ for {years} year(s)]",
                               "extend the registration of {domain}[ by {years} year(s)]"])
    def renew_domain(self, domain: Domain, years: Years = 1) -> Purchase:
        """Renew a domain of the account at the TLD's renewal price; an expired domain can be renewed during its
        grace period, not once it is in redemption. The new expiry may not lie more than the TLD's maximum term
        ahead.

        Args:
            domain: A domain held in the account.
            years: Years to add to the current expiration date.
        """
        reg, tld = self._mine(domain)
        expires, today = dt.date.fromisoformat(reg["expires"]), self.now().date()
        if (today - expires).days > tld["graceDays"]:
            raise ToolError(f"{reg['domain']} expired on {reg['expires']} and is past its {tld['graceDays']}-day "
                            "grace period (in redemption); it can no longer be renewed")
        new = plus_years(expires, years)
        if new > plus_years(today, tld["maxYears"]):
            room = max(y for y in range(years) if plus_years(expires, y) <= plus_years(today, tld["maxYears"]))
            raise ToolError(f"renewing {reg['domain']} by {years} year(s) would run it to {new}, more than "
                            f"{tld['maxYears']} year(s) ahead; at most {room} year(s) can be added now")
        balance = self._charge(tld["renewCents"] * years, f"renewing {reg['domain']} for {years} year(s)",
                               reg["balanceCents"])
        self.execute("UPDATE registrations SET expires = ?, updated = ? WHERE domain = ?", new.isoformat(),
                     today.isoformat(), reg["domain"])
        return {"domainName": reg["domain"], "years": years, "charged": usd(tld["renewCents"] * years),
                "expirationDate": new.isoformat(), "balance": usd(balance)}

    @tool(writes=True, phrase=["point {domain} at the nameservers {nameservers}",
                               "change the nameservers of {domain} to {nameservers}"])
    def update_domain_nameservers(self, domain: Domain,
                                  nameservers: Annotated[list[Host], Field(min_length=2, max_length=13)]) -> Settings:
        """Replace the nameservers of a domain of the account (2 to 13 host names). Not possible while the
        domain is expired.

        Args:
            domain: A domain held in the account.
            nameservers: The new nameserver host names, e.g. ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"].
        """
        reg, tld = self._mine(domain)
        hosts = sorted({h.lower().rstrip(".") for h in nameservers})
        if len(hosts) < 2:
            raise ToolError("give at least two different nameservers")
        today = self.now().date()
        if reg["expires"] < today.isoformat():
            raise ToolError(f"{reg['domain']} expired on {reg['expires']}; renew it before changing its nameservers")
        if ",".join(hosts) == reg["nameservers"]:
            raise ToolError(f"{reg['domain']} already uses these nameservers")
        self.execute("UPDATE registrations SET nameservers = ?, updated = ? WHERE domain = ?", ",".join(hosts),
                     today.isoformat(), reg["domain"])
        return self._settings({**reg, "nameservers": ",".join(hosts)}, tld, today)

    @tool(writes=True, phrase=["turn {whois_privacy} WHOIS privacy[ for {domain}]",
                               "switch {whois_privacy} privacy protection on {domain}"])
    def set_domain_privacy(self, domain: Domain, whois_privacy: OnOff) -> Settings:
        """Turn WHOIS privacy protection (registrant redaction) of a domain of the account on or off.

        Args:
            domain: A domain held in the account.
            whois_privacy: "on" redacts the registrant in WHOIS, "off" publishes it.
        """
        (reg, tld), enabled = self._mine(domain), whois_privacy == "on"
        if reg["privacy"] == enabled:
            raise ToolError(f"privacy protection of {reg['domain']} is already {'on' if enabled else 'off'}")
        if enabled and not tld["privacyAllowed"]:
            raise ToolError(f".{reg['tld']} does not allow privacy protection: its registrants must be public")
        today = self.now().date()
        self.execute("UPDATE registrations SET privacy = ?, updated = ? WHERE domain = ?", int(enabled),
                     today.isoformat(), reg["domain"])
        return self._settings({**reg, "privacy": int(enabled)}, tld, today)

    @tool(writes=True, phrase=["turn {transfer_lock} the transfer lock[ of {domain}]",
                               "switch {transfer_lock} the registrar lock on {domain}"])
    def set_domain_transfer_lock(self, domain: Domain, transfer_lock: OnOff) -> Settings:
        """Set or remove the transfer lock (clientTransferProhibited) of a domain of the account. A lock cannot be
        removed within 60 days of registration.

        Args:
            domain: A domain held in the account.
            transfer_lock: "on" prohibits transfers, "off" allows a transfer to another registrar.
        """
        (reg, tld), locked = self._mine(domain), transfer_lock == "on"
        if reg["locked"] == locked:
            raise ToolError(f"{reg['domain']} is already {'locked' if locked else 'unlocked'}")
        until = dt.date.fromisoformat(reg["created"]) + dt.timedelta(days=60)
        today = self.now().date()
        if not locked and today < until:
            raise ToolError(f"{reg['domain']} was registered on {reg['created']}; it cannot be unlocked for transfer "
                            f"before {until} (60-day lock after registration)")
        self.execute("UPDATE registrations SET locked = ?, updated = ? WHERE domain = ?", int(locked),
                     today.isoformat(), reg["domain"])
        return self._settings({**reg, "locked": int(locked)}, tld, today)
