"""Cross-environment task templates of the Lifestyle domain: a user chains two or three of its services.

- NationalParks + WhatsApp (+ VehicleControl): plan a park day and text a friend the entrance fee; book a campsite
  and tell a group chat the site number; set the car's navigation to a park's address and tell the group; check
  that the fuel covers the drive to a park's gateway city (filling up when it does not) before planning the visit.
- MovieRecommender + Posting / WhatsApp: a watchlist built from a movie's recommendations and tweeted; a movie
  rated and tweeted; a genre's most popular movie queued for a movie night announced in a group chat.
- LeagueOfLegends + Valorant / WhatsApp / Posting: a friend's recent form across both games decides a party invite;
  a pro followed and his solo-queue Riot id sent to a friend; a skin bought in the sale and tweeted.
- GameTrending + WhatsApp / Posting: this week's free Epic games claimed and passed on; the top trending Steam game
  wishlisted and tweeted.
- TFTServer / Valorant + WhatsApp: a meta deck saved as a comp and shared; a map's most picked composition saved
  and posted in a group.
- WuWa + Posting: a resonator levelled to its cap and the milestone tweeted.
- MetMuseum + WhatsApp: an artwork saved to a new My Met collection and its image link sent to a friend.
- MeditationServer + SanvelloMentalHealthServer / Posting, Sanvello + WhatsApp: today's meditation played and the
  day's mood check-in noting it; a meditation streak tweeted; a month's average mood sent to a friend.
- HowToCook + FatSecretPlatform / FruityviceServer: a dish planned for dinner and the user's share of one of its
  ingredients logged in the food diary or the fruit log.

``world`` is the domain's :class:`~envfactory_gym.core.worldset.WorldSet`. Every gold call goes through
:func:`member_call`, which names a tool by its environment, so that templates keep working when a new member makes
a tool name ambiguous (Posting's and Message's ``login`` are offered as ``Posting_login`` and ``Message_login``).
Templates read the worlds through their read tools (:func:`read`) or plain SQL, never through private methods.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Call, Draft, Ref, call, pick, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.lifestyle.valorant import MY_RANK
from envs.lifestyle.wu_wa import POTIONS, exp_to_next

TODAY = dt.date(2026, 3, 2)  # the episode clock's start day, shared by every member


def member_call(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Call:
    """A gold call under the tool's name in this domain (prefixed where two members share it)."""
    return call(world.public_name(environment, tool), **arguments)


def read(world: WorldSet, environment: str, tool: str, **arguments: Any) -> Any:
    """What a member's read tool returns on the initial state (templates only read)."""
    return world.call(world.public_name(environment, tool), arguments)


def spoken(day: dt.date, rng: random.Random) -> str:
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}"])


def joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ----------------------------------------------------------------------------------------------- WhatsApp
def friend(world: WorldSet, rng: random.Random) -> dict[str, Any]:
    """A saved WhatsApp contact whose name the contact search finds alone."""
    wa = world.worlds["WhatsApp"]
    rows = [r for r in wa.rows("SELECT * FROM people WHERE saved_name IS NOT NULL AND push_name IS NOT NULL"
                               " ORDER BY phone")
            if len(wa.rows("SELECT 1 FROM people WHERE saved_name LIKE ?1 OR push_name LIKE ?1",
                           f"%{r['saved_name']}%")) == 1]
    return rng.choice(rows)


def find_friend(world: WorldSet, person: dict[str, Any]) -> Call:
    return member_call(world, "WhatsApp", "whatsapp_get_contacts", query=person["saved_name"])


def text_friend(world: WorldSet, step: int, message: Any) -> Call:
    """Send a text to the contact found by the call at ``step``."""
    return member_call(world, "WhatsApp", "whatsapp_send_text_message", phone=Ref(step, "contacts.0.phone"),
                       message=message)


def chat_group(world: WorldSet, rng: random.Random) -> dict[str, Any] | None:
    """A group in the main chat list that the user may post in."""
    rows = world.worlds["WhatsApp"].rows(
        "SELECT g.* FROM groups g JOIN chats c ON c.chat_id = g.group_id JOIN members m ON m.group_id = g.group_id"
        " AND m.phone = (SELECT phone FROM profile) WHERE c.archived = 0 AND (g.only_admins_send = 0 OR"
        " m.is_admin = 1) ORDER BY g.group_id")
    return rng.choice(rows) if rows else None


def group_chats(world: WorldSet) -> Call:
    return member_call(world, "WhatsApp", "whatsapp_list_chats", limit=100)


def text_group(world: WorldSet, step: int, name: str, message: Any) -> Call:
    """Send a text to the group named ``name`` in the chat list returned by the call at ``step``."""
    return member_call(world, "WhatsApp", "whatsapp_send_text_message",
                       phone=Ref(step, "chats", then=pick("phone", name=name)),
                       message=message)


# ------------------------------------------------------------------------------------------------ Posting
def poster(world: WorldSet, rng: random.Random) -> dict[str, Any]:
    return rng.choice(world.worlds["Posting"].rows("SELECT * FROM users ORDER BY username"))


def sign_in(world: WorldSet, user: dict[str, Any]) -> Call:
    return member_call(world, "Posting", "login", username=user["username"], password=user["password"])


def tweet(world: WorldSet, content: Any, hashtags: list[str] | None = None) -> Call:
    return member_call(world, "Posting", "create_tweet", content=content,
                       **({"hashtags": hashtags} if hashtags else {}))


def who(user: dict[str, Any]) -> str:
    return f"@{user['username']} (password {user['password']})"


# ---------------------------------------------------------------------------------------- NationalParks
def open_parks(world: WorldSet) -> list[dict[str, Any]]:
    """Parks without a closure alert (those can be planned)."""
    return world.worlds["NationalParks"].rows(
        "SELECT * FROM parks WHERE parkCode NOT IN (SELECT parkCode FROM alerts WHERE category = 'Park Closure')"
        " ORDER BY parkCode")


def find_park(world: WorldSet, park: dict[str, Any]) -> Call:
    return member_call(world, "NationalParks", "findParks", q=park["fullName"])


def park_code(step: int, park: dict[str, Any]) -> Ref:
    return Ref(step, "data", then=pick("parkCode", fullName=park["fullName"]))


def free_day(world: WorldSet, rng: random.Random, park: dict[str, Any], least: int = 7, most: int = 120) -> dt.date:
    taken = {r["visitDate"] for r in world.worlds["NationalParks"].rows(
        "SELECT visitDate FROM visits WHERE parkCode = ? AND status = 'planned'", park["parkCode"])}
    days = [TODAY + dt.timedelta(days=n) for n in range(least, most)]
    return rng.choice([d for d in days if d.isoformat() not in taken])


@scenario
def park_day_tell_friend(world: WorldSet, rng: random.Random) -> Draft | None:
    parks = [p for p in open_parks(world) if p["vehicleFee"] > 0 and p["vehicleFee"] == int(p["vehicleFee"])]
    if not parks:
        return None
    park, person = rng.choice(parks), friend(world, rng)
    day, party = free_day(world, rng, park), rng.randint(2, 6)
    def fee(visit: dict[str, Any]) -> str:
        return f"{park['name']} on {day.isoformat()}: entrance is ${visit['entranceFee']:.0f} per car"

    return Draft(
        request=rng.choice([
            ("Plan a day at {p} on {d} for {n} of us, then WhatsApp {f} the details as '{name} on {iso}: entrance "
             "is $<vehicle fee in whole dollars> per car'."),
            ("{f} and I want to go to {p} on {d} ({n} people in total). Add the visit to my park trips and text "
             "{f} on WhatsApp: '{name} on {iso}: entrance is $<the private vehicle fee, whole dollars> per car'."),
        ]).format(p=park["fullName"], d=spoken(day, rng), n=party, f=person["saved_name"], name=park["name"],
                  iso=day.isoformat()),
        calls=(find_park(world, park),
               member_call(world, "NationalParks", "planVisit", parkCode=park_code(0, park),
                           visitDate=day.isoformat(), partySize=party),
               find_friend(world, person),
               text_friend(world, 2, Ref(1, then=fee))))


@scenario
def campsite_tell_group(world: WorldSet, rng: random.Random) -> Draft | None:
    parks = world.worlds["NationalParks"]
    g = chat_group(world, rng)
    camps = parks.rows("SELECT c.*, p.fullName FROM campgrounds c JOIN parks p USING (parkCode) WHERE reservable = 1"
                       " AND openMonth <= 8 AND closeMonth >= 4 ORDER BY campgroundId")
    if g is None or not camps:
        return None
    camp = rng.choice(camps)
    month = rng.randint(max(camp["openMonth"], 4), min(camp["closeMonth"], 8))
    nights = rng.randint(1, min(3, camp["maxStayNights"]))
    arrive = dt.date(2026, month, rng.randint(1, 25))
    party = rng.randint(1, min(6, camp["maxPartySize"]))
    if (arrive - TODAY).days > 180 or (arrive + dt.timedelta(days=nights - 1)).month > camp["closeMonth"]:
        return None
    stay = f"{nights} night{'s' if nights > 1 else ''}"
    message = lambda booking: (f"Camping is booked: {camp['name']}, site {booking['siteNumber']}, "  # noqa: E731
                               f"from {arrive.isoformat()} for {stay}")
    return Draft(
        request=rng.choice([
            ("Reserve a campsite at {c} in {p} from {d} for {k}, party of {n}, then post in my '{g}' "
             "WhatsApp group: 'Camping is booked: {c}, site <site number>, from {iso} for {k}'. What did "
             "the booking cost?"),
            ("Book us a site at the {c} campground ({p}) arriving {d}, {k}, {n} people. Tell the '{g}' "
             "group 'Camping is booked: {c}, site <our site number>, from {iso} for {k}' and let me know "
             "the total I paid."),
        ]).format(c=camp["name"], p=camp["fullName"], d=spoken(arrive, rng), k=stay, n=party, g=g["name"],
                  iso=arrive.isoformat()),
        calls=(member_call(world, "NationalParks", "getCampgrounds", q=camp["name"]),
               member_call(world, "NationalParks", "reserveCampsite",
                           campgroundId=Ref(0, "data", then=pick("campgroundId", name=camp["name"])),
                           arrivalDate=arrive.isoformat(), nights=nights, partySize=party),
               group_chats(world), text_group(world, 2, g["name"], Ref(1, then=message))),
        answer=(Ref(1, "totalCost"),))


@scenario
def navigate_to_park(world: WorldSet, rng: random.Random) -> Draft | None:
    g = chat_group(world, rng)
    if g is None:
        return None
    park = rng.choice(world.worlds["NationalParks"].rows("SELECT * FROM parks ORDER BY parkCode"))
    line = rng.choice(["Heading to {p} now, see you at the entrance!", "On my way to {p}, leaving in 10 minutes",
                       "Driving to {p} now, save me a spot at the trailhead"]).format(p=park["name"])
    return Draft(
        request=rng.choice([
            "Set my car's navigation to {p}'s address as the park service lists it, and tell my '{g}' WhatsApp "
            "group: \"{m}\"",
            "I'm driving to {p}. Put the park's official address into the car's navigation and post \"{m}\" in the "
            "'{g}' group chat.",
        ]).format(p=park["fullName"], g=g["name"], m=line),
        calls=(find_park(world, park),
               member_call(world, "NationalParks", "getParkDetails", parkCode=park_code(0, park)),
               member_call(world, "VehicleControl", "set_navigation_destination", destination=Ref(1, "addresses.0")),
               group_chats(world), text_group(world, 3, g["name"], line)))


@scenario
def drive_to_park(world: WorldSet, rng: random.Random) -> Draft | None:
    car = world.worlds["VehicleControl"].row("SELECT * FROM car")
    cities = world.worlds["VehicleControl"].rows("SELECT * FROM cities WHERE name != ? ORDER BY name", car["city"])
    trips = [(p, c) for p in open_parks(world) for c in cities if c["state"] in p["states"].split(",")]
    if not trips:
        return None
    park, city = rng.choice(trips)
    zips = [world.worlds["VehicleControl"].value("SELECT zipcode FROM cities WHERE name = ?", name)
            for name in (car["city"], city["name"])]
    distance = read(world, "VehicleControl", "estimate_distance_between_cities", city_a_zipcode=zips[0],
                    city_b_zipcode=zips[1])["distance"]
    enough = read(world, "VehicleControl", "estimate_drive_feasibility", distance=distance)["can_drive"]
    day, party = free_day(world, rng, park, 1, 30), rng.randint(1, 5)
    calls = [member_call(world, "VehicleControl", "get_city_zipcode", city_name=car["city"]),
             member_call(world, "VehicleControl", "get_city_zipcode", city_name=city["name"]),
             member_call(world, "VehicleControl", "estimate_distance_between_cities",
                         city_a_zipcode=Ref(0, "city_zipcode"), city_b_zipcode=Ref(1, "city_zipcode")),
             member_call(world, "VehicleControl", "estimate_drive_feasibility", distance=Ref(2, "distance"))]
    if not enough:
        calls += [member_call(world, "VehicleControl", "get_fuel_level"),
                  member_call(world, "VehicleControl", "fill_fuel_tank",
                              fuel_amount=round(car["tank"] - car["fuel"], 1))]
    calls += [member_call(world, "VehicleControl", "set_navigation_destination", destination=city["name"]),
              find_park(world, park),
              member_call(world, "NationalParks", "planVisit", parkCode=park_code(len(calls) + 1, park),
                          visitDate=day.isoformat(), partySize=party)]
    return Draft(
        request=rng.choice([
            ("I'm in {a} and want to drive to {b}, the gateway to {p}, for a visit on {d} ({n} of us). Check "
             "whether my car's fuel covers the road distance between the two cities; if it doesn't, fill the tank "
             "to full first. Then set the navigation to \"{b}\" and plan the park visit."),
            ("Road trip: from {a} to {b} and on to {p} on {d}, party of {n}. If the fuel in the tank won't cover "
             "the drive from {a} to {b}, top it up to a full tank. Set the car's navigation to \"{b}\" and add "
             "the {p} day to my park trips."),
        ]).format(a=car["city"], b=city["name"], p=park["fullName"], d=spoken(day, rng), n=party),
        calls=tuple(calls))


# -------------------------------------------------------------------------------------- MovieRecommender
def movie_named(step: int, title: str) -> Ref:
    return Ref(step, "movies", then=pick("movie_id", title=title))


@scenario
def watchlist_from_recommendations(world: WorldSet, rng: random.Random) -> Draft | None:
    films = world.worlds["MovieRecommender"]
    listed = {r["movie_id"] for r in films.rows("SELECT movie_id FROM watchlist")}
    seeds = [m for m in films.rows("SELECT * FROM films ORDER BY movie_id")
             if len(films.rows("SELECT 1 FROM films WHERE title LIKE ?", f"%{m['title']}%")) == 1]
    rng.shuffle(seeds)
    for seed_movie in seeds[:20]:
        recs = read(world, "MovieRecommender", "get_recommendations", movie_id=seed_movie["movie_id"], limit=3)
        if len(recs["movies"]) == 3 and not {m["movie_id"] for m in recs["movies"]} & listed:
            break
    else:
        return None
    user = poster(world, rng)
    def content(movies: list[dict[str, Any]]) -> str:
        return f"Queued up after {seed_movie['title']}: " + "; ".join(m["title"] for m in movies)

    return Draft(
        request=rng.choice([
            ("I loved {t}. Put the top 3 movies recommended from it on my watchlist, then tweet as {u}: "
             "'Queued up after {t}: <the three titles in recommendation order, separated by '; '>' with the "
             "hashtag #watchlist."),
            ("Find the 3 best recommendations based on {t} and add them to my watchlist. Then log into Posting as "
             "{u} and tweet 'Queued up after {t}: <title 1>; <title 2>; <title 3>' (best match first), hashtag "
             "#watchlist."),
        ]).format(t=seed_movie["title"], u=who(user)),
        calls=(member_call(world, "MovieRecommender", "get_movies", keyword=seed_movie["title"]),
               member_call(world, "MovieRecommender", "get_recommendations",
                           movie_id=movie_named(0, seed_movie["title"]), limit=3),
               *(member_call(world, "MovieRecommender", "add_to_watchlist", movie_id=Ref(1, f"movies.{i}.movie_id"))
                 for i in range(3)),
               sign_in(world, user), tweet(world, Ref(1, "movies", then=content), ["watchlist"])))


@scenario
def rate_and_tweet(world: WorldSet, rng: random.Random) -> Draft | None:
    films = world.worlds["MovieRecommender"]
    watch = [m for m in films.rows("SELECT f.* FROM watchlist w JOIN films f USING (movie_id) WHERE"
                                   " f.release_date <= ? ORDER BY movie_id", TODAY.isoformat())
             if len(films.rows("SELECT 1 FROM films WHERE title LIKE ?", f"%{m['title']}%")) == 1]
    if not watch:
        return None
    movie, user = rng.choice(watch), poster(world, rng)
    rating = rng.choice([6.5, 7, 7.5, 8, 8.5, 9, 9.5])
    text = f"Just watched {movie['title']} and gave it {rating:g}/10"
    return Draft(
        request=rng.choice([
            "I finally watched {t} from my watchlist. Rate it {r:g}/10, and tweet \"{x}\" from {u}. What is its "
            "vote average after my rating?",
            "Give {t} a {r:g} out of 10 (I just saw it) and post \"{x}\" on my Posting account {u}. Tell me the "
            "movie's new vote average.",
        ]).format(t=movie["title"], r=rating, x=text, u=who(user)),
        calls=(member_call(world, "MovieRecommender", "get_movies", keyword=movie["title"]),
               member_call(world, "MovieRecommender", "rate_movie", movie_id=movie_named(0, movie["title"]),
                           rating=rating),
               sign_in(world, user), tweet(world, text)),
        answer=(Ref(1, "vote_average"),))


@scenario
def movie_night_group(world: WorldSet, rng: random.Random) -> Draft | None:
    films = world.worlds["MovieRecommender"]
    g = chat_group(world, rng)
    if g is None:
        return None
    genres = ["Action", "Comedy", "Drama", "Horror", "Romance", "Science Fiction", "Thriller", "Animation",
              "Mystery", "Adventure", "Family", "Fantasy"]
    rng.shuffle(genres)
    for genre in genres:
        top = read(world, "MovieRecommender", "get_popular_movies", filter=genre, limit=1)["movies"]
        if top and not films.row("SELECT 1 FROM watchlist WHERE movie_id = ?1 UNION SELECT 1 FROM rated_films"
                                 " WHERE movie_id = ?1", top[0]["movie_id"]):
            break
    else:
        return None
    day = rng.choice(["Friday", "Saturday"])
    line = lambda movie: f"Movie night {day}: {movie['title']} ({movie['duration']} min)"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Find the most popular {g} movie out now, add it to my watchlist and invite the '{c}' WhatsApp group: "
             "'Movie night {d}: <title> (<runtime> min)'."),
            ("Movie night {d} with the '{c}' group: pick the most popular released {g} film, put it on my "
             "watchlist, and message the group 'Movie night {d}: <title> (<runtime in minutes> min)'."),
        ]).format(g=genre.lower() if genre != "Science Fiction" else "science fiction", c=g["name"], d=day),
        calls=(member_call(world, "MovieRecommender", "get_popular_movies", filter=genre, limit=1),
               member_call(world, "MovieRecommender", "add_to_watchlist", movie_id=Ref(0, "movies.0.movie_id")),
               member_call(world, "MovieRecommender", "get_movie_details", movie_id=Ref(0, "movies.0.movie_id")),
               group_chats(world), text_group(world, 3, g["name"], Ref(2, then=line))))


# ------------------------------------------------------------------------------ LeagueOfLegends, Valorant
def invitable(ranks: list[int]) -> bool:
    """Whether a Valorant party with these rank indexes may queue competitive (a five-stack always may; 2-4
    players must be within 2 ranks of each other, three divisions to a rank)."""
    return len(ranks) >= 5 or max(ranks) // 3 - min(ranks) // 3 <= 2


@scenario
def cross_game_form_invite(world: WorldSet, rng: random.Random) -> Draft | None:
    lol, val = world.worlds["LeagueOfLegends"], world.worlds["Valorant"]
    party = [r["rank_index"] for r in val.rows("SELECT rank_index FROM party JOIN players USING (player_name)")]
    friends = [f for f in val.rows(
        "SELECT f.player_name, p.rank_index FROM friends f JOIN players p USING (player_name) WHERE f.player_name"
        " NOT IN (SELECT player_name FROM party) AND (SELECT COUNT(*) FROM matches m WHERE m.player_name ="
        " f.player_name) >= 5 ORDER BY player_name") if invitable([MY_RANK, *party, f["rank_index"]])]
    summoners = lol.rows("SELECT s.* FROM summoners s WHERE (SELECT COUNT(*) FROM participants p WHERE"
                         " p.riot_id = s.summoner_name) >= 5 ORDER BY summoner_name")
    if not friends or not summoners:
        return None
    mate = rng.choice(friends)["player_name"]
    same = [s for s in summoners if s["summoner_name"].split("#")[0] == mate.split("#")[0]]
    summoner = rng.choice(same or summoners)
    league = read(world, "LeagueOfLegends", "lol_list_summoner_matches", summoner_name=summoner["summoner_name"],
                  region=summoner["region"], limit=5)["matches"]
    valorant = read(world, "Valorant", "valorant_list_player_matches", player_name=mate, limit=5)["matches"]
    lol_wins, val_wins = sum(m["win"] for m in league), sum(m["result"] == "win" for m in valorant)
    calls = [member_call(world, "LeagueOfLegends", "lol_list_summoner_matches",
                         summoner_name=summoner["summoner_name"], region=summoner["region"], limit=5),
             member_call(world, "Valorant", "valorant_list_player_matches", player_name=mate, limit=5)]
    if lol_wins + val_wins >= 5:  # (an invite the party rules refuse is rejected when the draft is grounded)
        calls.append(member_call(world, "Valorant", "valorant_invite_friend", player_name=mate))
    return Draft(
        request=rng.choice([
            ("My friend plays League as {s} ({r}) and Valorant as {v}. How many of his last 5 League games and of "
             "his last 5 Valorant matches did he win? If that's at least 5 wins out of the 10, invite him to my "
             "Valorant party."),
            ("Check my buddy's form: {s} on League ({r} server), {v} on Valorant. Count his wins in his 5 most "
             "recent games of each and tell me both numbers; with 5 or more wins in total, send him a Valorant "
             "party invite."),
        ]).format(s=summoner["summoner_name"], r=summoner["region"], v=mate),
        calls=tuple(calls),
        answer=(lol_wins, val_wins))


@scenario
def follow_pro_share_id(world: WorldSet, rng: random.Random) -> Draft | None:
    lol = world.worlds["LeagueOfLegends"]
    pros = lol.rows("SELECT * FROM pros WHERE pro_player_name NOT IN (SELECT pro_player_name FROM follows)"
                    " AND pro_player_name IN (SELECT pro_player_name FROM pros GROUP BY pro_player_name"
                    " HAVING COUNT(*) = 1) ORDER BY riot_id")
    if not pros or lol.value("SELECT COUNT(*) FROM follows") >= 20:
        return None
    pro, person = rng.choice(pros), friend(world, rng)
    line = lambda found: f"{pro['pro_player_name']} plays solo queue as {found['riot_id']}"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Follow the pro {p} on League for me, and WhatsApp {f} his solo-queue Riot id as '{p} plays solo "
             "queue as <riot id>'."),
            ("{f} wants to spectate {p}. Follow {p} in the League app and send {f} on WhatsApp: '{p} plays solo "
             "queue as <his Riot id>'."),
        ]).format(p=pro["pro_player_name"], f=person["saved_name"]),
        calls=(member_call(world, "LeagueOfLegends", "lol_get_pro_player_riot_id",
                           pro_player_name=pro["pro_player_name"]),
               member_call(world, "LeagueOfLegends", "lol_follow_pro_player", pro_player_name=pro["pro_player_name"]),
               find_friend(world, person), text_friend(world, 2, Ref(0, then=line))))


@scenario
def skin_sale_tweet(world: WorldSet, rng: random.Random) -> Draft | None:
    lol = world.worlds["LeagueOfLegends"]
    rp = lol.value("SELECT rp FROM wallet")
    sale = read(world, "LeagueOfLegends", "lol_list_discounted_skins", limit=50)["skins"]
    by_champion: dict[str, list[dict[str, Any]]] = {}
    for skin in sale:
        by_champion.setdefault(skin["champion"], []).append(skin)
    choices = [s[0] for s in by_champion.values() if len(s) == 1 and not s[0]["owned"] and s[0]["sale_price_rp"] <= rp]
    if not choices:
        return None
    skin, user = rng.choice(sorted(choices, key=lambda s: s["skin_name"])), poster(world, rng)
    content = lambda bought: f"Grabbed {bought['skin_name']} for {bought['paid_rp']} RP in the sale!"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("There's a {c} skin in this week's League sale. Buy it, tweet 'Grabbed <skin name> for <RP paid> RP "
             "in the sale!' from {u}, and tell me how much RP I have left."),
            ("Buy the {c} skin that's discounted right now in League, then post 'Grabbed <skin name> for <price "
             "paid> RP in the sale!' as {u}. How much RP remains?"),
        ]).format(c=skin["champion"], u=who(user)),
        calls=(member_call(world, "LeagueOfLegends", "lol_list_discounted_skins", limit=50),
               member_call(world, "LeagueOfLegends", "lol_purchase_skin", skin_name=skin["skin_name"]),
               sign_in(world, user), tweet(world, Ref(1, then=content))),
        answer=(Ref(1, "rp_balance"),))


@scenario
def valorant_comp_to_group(world: WorldSet, rng: random.Random) -> Draft | None:
    val = world.worlds["Valorant"]
    g = chat_group(world, rng)
    maps = val.rows("SELECT map_name FROM maps WHERE in_pool = 1 AND (SELECT COUNT(*) FROM saved_comps s WHERE"
                    " s.map_name = maps.map_name) < 3 ORDER BY map_name")
    if g is None or not maps:
        return None
    map_name = rng.choice(maps)["map_name"]
    comps = read(world, "Valorant", "valorant_list_agent_compositions_for_map", map_name=map_name)["compositions"]
    if not comps or (len(comps) > 1 and comps[1]["pick_rate"] == comps[0]["pick_rate"]):
        return None
    name = rng.choice(["Meta stack", "Scrim plan", "Friday five", "Ranked default"])
    if val.row("SELECT 1 FROM saved_comps WHERE map_name = ? AND lower(comp_name) = lower(?)", map_name, name):
        return None
    line = lambda comp: f"{map_name} comp: {', '.join(comp['agents'])}"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("Save the most picked agent composition on {m} to my Valorant comps as '{n}', then post it in my "
             "'{g}' WhatsApp group as '{m} comp: <agents, comma-separated, as the stats list them>'."),
            ("For {m}, take the composition players pick most, save it as '{n}' in Valorant and send the '{g}' "
             "group '{m} comp: <agent 1>, <agent 2>, ...' in the listed order."),
        ]).format(m=map_name, n=name, g=g["name"]),
        calls=(member_call(world, "Valorant", "valorant_list_agent_compositions_for_map", map_name=map_name),
               member_call(world, "Valorant", "valorant_save_team_composition", map_name=map_name, comp_name=name,
                           agent_names=Ref(0, "compositions.0.agents")),
               group_chats(world), text_group(world, 2, g["name"], Ref(0, "compositions.0", then=line))))


# -------------------------------------------------------------------------------------- other games
@scenario
def free_epic_games_to_friend(world: WorldSet, rng: random.Random) -> Draft | None:
    free = read(world, "GameTrending", "get_epic_free_games")["current_games"]
    owned = {r["app_id"] for r in world.worlds["GameTrending"].rows("SELECT app_id FROM library")}
    if not free or {g["app_id"] for g in free} & owned:
        return None
    person = friend(world, rng)
    names = [g["name"] for g in free]
    line = f"Free on Epic this week: {', '.join(names)}"
    return Draft(
        request=rng.choice([
            ("Claim every game the Epic store is giving away right now, then tell {f} on WhatsApp 'Free on Epic "
             "this week: <the game names, comma-separated, in the store's order>'."),
            ("Grab this week's free Epic games for my library and let {f} know on WhatsApp with 'Free on Epic this "
             "week: <names as the store lists them, separated by commas>'."),
        ]).format(f=person["saved_name"]),
        calls=(member_call(world, "GameTrending", "get_epic_free_games"),
               *(member_call(world, "GameTrending", "claim_free_game", app_id=Ref(0, f"current_games.{i}.app_id"))
                 for i in range(len(free))),
               find_friend(world, person), text_friend(world, len(free) + 1, line)))


@scenario
def trending_wishlist_tweet(world: WorldSet, rng: random.Random) -> Draft | None:
    games = world.worlds["GameTrending"]
    held = {r["app_id"] for r in games.rows("SELECT app_id FROM library UNION SELECT app_id FROM wishlist")}
    chart = read(world, "GameTrending", "get_steam_trending_games", limit=10)["games"]
    fresh = [g for g in chart if g["app_id"] not in held]
    if not fresh:
        return None
    top, user = fresh[0], poster(world, rng)
    text = lambda chart: next(f"Wishlisted {g['name']}, #{g['rank']} on Steam's trending chart"  # noqa: E731
                              for g in chart["games"] if g["app_id"] == top["app_id"])
    return Draft(
        request=rng.choice([
            ("Put the highest-ranked game on Steam's trending chart that I don't own or already wishlist on my "
             "wishlist, then tweet from {u}: 'Wishlisted <game>, #<its chart rank> on Steam's trending chart'."),
            ("What's trending on Steam? Wishlist the top game there that isn't in my library or wishlist yet and "
             "post 'Wishlisted <game>, #<rank> on Steam's trending chart' as {u}."),
        ]).format(u=who(user)),
        calls=(member_call(world, "GameTrending", "get_steam_trending_games", limit=10),
               member_call(world, "GameTrending", "get_library"), member_call(world, "GameTrending", "get_wishlist"),
               member_call(world, "GameTrending", "add_to_wishlist", app_id=top["app_id"]),
               sign_in(world, user), tweet(world, Ref(0, then=text))))


@scenario
def tft_deck_to_friend(world: WorldSet, rng: random.Random) -> Draft | None:
    tft = world.worlds["TFTServer"]
    if tft.value("SELECT COUNT(*) FROM comps") >= 5:
        return None
    tier = rng.choice(["S", "A"])
    decks = read(world, "TFTServer", "tft_list_meta_decks", tier=tier, limit=2)["decks"]
    if not decks or (len(decks) > 1 and decks[1]["avg_placement"] == decks[0]["avg_placement"]):
        return None
    deck, person = decks[0], friend(world, rng)
    if tft.row("SELECT 1 FROM comps WHERE lower(comp_name) = lower(?)", deck["deck_name"]):
        return None
    line = f"Try {deck['deck_name']}: carry {deck['carry']}, play it {deck['style'].lower()}"
    return Draft(
        request=rng.choice([
            ("Save the best {t}-tier TFT meta deck (lowest average placement) as a level-8 comp named after the "
             "deck, with its units, and send {f} on WhatsApp 'Try <deck>: carry <carry>, play it <play style in "
             "lower case>'."),
            ("Which {t}-tier TFT deck places best on average? Save it to my comps under its own name for level 8 "
             "with all its units, then WhatsApp {f}: 'Try <deck name>: carry <carry>, play it <style, lower "
             "case>'."),
        ]).format(t=tier, f=person["saved_name"]),
        calls=(member_call(world, "TFTServer", "tft_list_meta_decks", tier=tier),
               member_call(world, "TFTServer", "tft_save_team_comp", comp_name=deck["deck_name"], level=8,
                           champion_names=Ref(0, "decks.0.units")),
               find_friend(world, person), text_friend(world, 2, line)))


@scenario
def resonator_cap_tweet(world: WorldSet, rng: random.Random) -> Draft | None:
    wuwa = world.worlds["WuWa"]
    potions = sum(row["quantity"] * POTIONS[row["item"]] for row in wuwa.rows("SELECT * FROM materials")
                  if row["item"] in POTIONS)
    credits = wuwa.value("SELECT quantity FROM materials WHERE item = 'Shell Credit'") or 0
    roster = wuwa.rows("SELECT * FROM roster ORDER BY character_name")
    rng.shuffle(roster)
    for row in roster:
        profile = read(world, "WuWa", "get_character_profile", character_name=row["character_name"])
        need = sum(exp_to_next(level) for level in range(profile["level"], profile["level_cap"])) - row["exp"]
        if profile["level"] < profile["level_cap"] and need <= potions and (need + 20000) // 2 <= credits:
            break
    else:
        return None
    name, cap, user = profile["character_name"], profile["level_cap"], poster(world, rng)
    text = f"{name} just hit level {cap} in Wuthering Waves!"
    return Draft(
        request=rng.choice([
            "Level my {n} in Wuthering Waves up to the cap of its current ascension rank, then tweet \"{x}\" as "
            "{u}. How many Shell Credits do I have left after levelling?",
            "Max out {n}'s level for its ascension rank in WuWa and post \"{x}\" from {u}; tell me my Shell Credit "
            "balance afterwards.",
        ]).format(n=name, x=text, u=who(user)),
        calls=(member_call(world, "WuWa", "get_character_profile", character_name=name),
               member_call(world, "WuWa", "level_up_resonator", character_name=name,
                           levels=cap - profile["level"]),
               member_call(world, "WuWa", "get_inventory"),
               sign_in(world, user), tweet(world, text)),
        answer=(Ref(2, then=lambda items: next(i["quantity"] for i in items if i["item"] == "Shell Credit")),))


# ------------------------------------------------------------------------------------------- MetMuseum
@scenario
def met_collection_share(world: WorldSet, rng: random.Random) -> Draft | None:
    met = world.worlds["MetMuseum"]
    objects = [o for o in met.rows("SELECT * FROM objects WHERE primaryImage != '' AND artist != '' ORDER BY objectID")
               if met.value("SELECT COUNT(*) FROM objects WHERE title = ?", o["title"]) == 1]
    if not objects or met.value("SELECT COUNT(*) FROM collections") >= 20:
        return None
    art, person = rng.choice(objects), friend(world, rng)
    name = rng.choice(["Gift ideas", "Saturday visit", "For my sketchbook", "Favourite paintings", "To show mom"])
    if met.row("SELECT 1 FROM collections WHERE name = ?", name):
        return None
    return Draft(
        request=rng.choice([
            ("Start a My Met collection called '{c}' with {t} by {a} in it, and send {f} the artwork's image on "
             "WhatsApp as a link with the preview text '{t}'."),
            ("Save {a}'s {t} into a new Met collection named '{c}'. Then share its primary image link with {f} "
             "on WhatsApp, preview text '{t}'."),
        ]).format(c=name, t=art["title"], a=art["artist"], f=person["saved_name"]),
        calls=(member_call(world, "MetMuseum", "search_museum_objects", q=art["title"]),
               member_call(world, "MetMuseum", "get_museum_object",
                           objectId=Ref(0, "objects", then=pick("objectId", title=art["title"]))),
               member_call(world, "MetMuseum", "create_collection", name=name),
               member_call(world, "MetMuseum", "add_to_collection", collection_id=Ref(2, "collection_id"),
                           objectId=Ref(1, "objectId")),
               find_friend(world, person),
               member_call(world, "WhatsApp", "whatsapp_send_link", phone=Ref(4, "contacts.0.phone"),
                           url=Ref(1, "primaryImageUrl"), preview_text=art["title"])))


# ----------------------------------------------------------------------- MeditationServer, Sanvello
FEELINGS = ["calm", "grateful", "hopeful", "happy", "tired"]


def meditator(world: WorldSet, rng: random.Random) -> dict[str, Any] | None:
    rows = world.worlds["MeditationServer"].rows(
        "SELECT * FROM members WHERE user_id NOT IN (SELECT user_id FROM sessions WHERE status = 'in_progress')"
        " ORDER BY user_id")
    return rng.choice(rows) if rows else None


def sanvello_member(world: WorldSet, rng: random.Random) -> dict[str, Any] | None:
    rows = world.worlds["SanvelloMentalHealthServer"].rows(
        "SELECT * FROM members WHERE user_id NOT IN (SELECT user_id FROM check_ins WHERE day = ?) ORDER BY user_id",
        TODAY.isoformat())
    return rng.choice(rows) if rows else None


@scenario
def meditation_then_check_in(world: WorldSet, rng: random.Random) -> Draft | None:
    member, sanvello = meditator(world, rng), sanvello_member(world, rng)
    if member is None or sanvello is None:
        return None
    mood = rng.choice(["calm", "anxious", "stressed", "tired", "unfocused"])
    pick_today = read(world, "MeditationServer", "get_daily_meditation", user_id=member["user_id"], mood=mood)
    if world.worlds["MeditationServer"].value("SELECT premium FROM meditations WHERE meditation_id = ?",
                                               pick_today["meditation_id"]) and member["plan"] != "premium":
        return None
    percent, rating = rng.choice([100, 80, 60]), rng.randint(3, 5)
    feelings = sorted(rng.sample(FEELINGS, 2))
    note = lambda daily: f"Did {daily['title']} this morning"  # noqa: E731
    return Draft(
        request=rng.choice([
            ("I'm feeling {m}. Play today's meditation pick for that mood on my meditation app (user {u}); I got "
             "through {p}% of it, so log it that way. Then do my Sanvello check-in (user {s}): mood {r}, feeling "
             "{f1} and {f2}, note 'Did <the meditation's title> this morning'."),
            ("Start the daily meditation recommended for a {m} mood for {u} and mark it {p}% complete. Afterwards "
             "check me in on Sanvello as {s} with mood {r}/5, feelings {f1} and {f2}, and the note 'Did <meditation "
             "title> this morning'."),
        ]).format(m=mood, u=member["user_id"], p=percent, s=sanvello["user_id"], r=rating, f1=feelings[0],
                  f2=feelings[1]),
        calls=(member_call(world, "MeditationServer", "get_daily_meditation", user_id=member["user_id"], mood=mood),
               member_call(world, "MeditationServer", "start_meditation_session",
                           meditation_id=Ref(0, "meditation_id"), user_id=member["user_id"]),
               member_call(world, "MeditationServer", "log_meditation_completion", session_id=Ref(1, "session_id"),
                           completion_percent=percent),
               member_call(world, "SanvelloMentalHealthServer", "daily_check_in", user_id=sanvello["user_id"],
                           mood_rating=rating, feelings=feelings, notes=Ref(0, then=note))))


@scenario
def meditation_streak_tweet(world: WorldSet, rng: random.Random) -> Draft | None:
    members = [m for m in world.worlds["MeditationServer"].rows("SELECT * FROM members ORDER BY user_id")
               if read(world, "MeditationServer", "get_meditation_stats", user_id=m["user_id"])["current_streak"] >= 2]
    if not members:
        return None
    member, user = rng.choice(members), poster(world, rng)
    text = lambda stats: (f"Day {stats['current_streak']} of my meditation streak, "  # noqa: E731
                          f"{stats['total_minutes']} minutes so far")
    return Draft(
        request=rng.choice([
            ("Share my meditation streak: look up my stats on the meditation app (user {m}) and tweet from {u} "
             "'Day <current streak> of my meditation streak, <total minutes> minutes so far' with the hashtag "
             "#mindfulness."),
            ("Tweet as {u}: 'Day <my current meditation streak> of my meditation streak, <all-time minutes> minutes "
             "so far', hashtag #mindfulness, with the numbers from my meditation stats (user id {m})."),
        ]).format(m=member["user_id"], u=who(user)),
        calls=(member_call(world, "MeditationServer", "get_meditation_stats", user_id=member["user_id"]),
               sign_in(world, user), tweet(world, Ref(0, then=text), ["mindfulness"])))


@scenario
def mood_report_to_friend(world: WorldSet, rng: random.Random) -> Draft | None:
    san = world.worlds["SanvelloMentalHealthServer"]
    members = san.rows("SELECT m.* FROM members m WHERE (SELECT COUNT(*) FROM check_ins c WHERE c.user_id = m.user_id"
                       " AND c.day >= ?) >= 3 ORDER BY user_id", (TODAY - dt.timedelta(days=30)).isoformat())
    if not members:
        return None
    member, person = rng.choice(members), friend(world, rng)
    def line(report: dict[str, Any]) -> str:
        overview = report["overview"]
        return (f"Check-in update: {overview['check_ins']} check-ins in the last 30 days, average mood "
                f"{overview['average_mood']}/5")

    return Draft(
        request=rng.choice([
            ("My therapist {f} asked how my month went. Pull my Sanvello progress for the last 30 days (user {u}) "
             "and WhatsApp {f}: 'Check-in update: <number of check-ins> check-ins in the last 30 days, average "
             "mood <average mood as Sanvello reports it>/5'."),
            ("Send {f} on WhatsApp my Sanvello numbers (user id {u}, default 30-day range) as 'Check-in update: <n> "
             "check-ins in the last 30 days, average mood <average>/5'."),
        ]).format(f=person["saved_name"], u=member["user_id"]),
        calls=(member_call(world, "SanvelloMentalHealthServer", "track_progress", user_id=member["user_id"]),
               find_friend(world, person), text_friend(world, 1, Ref(0, then=line))))


# ------------------------------------------------------------------------ HowToCook + food logging
#: HowToCook ingredient -> (FatSecret food, Fruityvice fruit or None), for ingredients measured in grams.
FOODS = {"西红柿": ("Tomato", "Tomato"), "西兰花": ("Broccoli", None), "豆腐": ("Firm Tofu", None),
         "鸡胸肉": ("Chicken Breast", None), "红薯": ("Sweet Potato", None), "黄瓜": ("Cucumber", None)}


def dishes_with(world: WorldSet, ingredients: list[str]) -> list[dict[str, Any]]:
    """Recipes using one of the ingredients in grams, with that ingredient's amount."""
    marks = ", ".join("?" * len(ingredients))
    return world.worlds["HowToCook"].rows(
        "SELECT r.recipe_id, r.name AS dish, r.servings, i.name AS ingredient, i.quantity FROM recipes r JOIN"
        f" ingredients i USING (recipe_id) WHERE i.unit = 'g' AND i.name IN ({marks}) AND r.category != '调料'"
        " ORDER BY r.recipe_id", *ingredients)


def dinner_free(world: WorldSet, dish: dict[str, Any], people: int) -> bool:
    planned = world.worlds["HowToCook"].rows("SELECT * FROM meal_plan WHERE meal_date = ? AND meal = 'dinner'",
                                             TODAY.isoformat())
    return not planned or (planned[0]["people_count"] == people and len(planned) < 6
                           and all(p["recipe_id"] != dish["recipe_id"] for p in planned))


def plan_dinner(world: WorldSet, dish: dict[str, Any], people: int) -> tuple[Call, Call]:
    return (member_call(world, "HowToCook", "search_recipes", query=dish["dish"]),
            member_call(world, "HowToCook", "add_to_meal_plan",
                        recipe_id=Ref(0, then=pick("recipe_id", name=dish["dish"])),
                        meal_date=TODAY.isoformat(), meal="dinner", people_count=people))


@scenario
def dinner_into_food_diary(world: WorldSet, rng: random.Random) -> Draft | None:
    fat = world.worlds["FatSecretPlatform"]
    dishes = [d for d in dishes_with(world, sorted(FOODS)) if (d["quantity"] / d["servings"]) % 25 == 0]
    if not dishes:
        return None
    dish = rng.choice(dishes)
    food = FOODS[dish["ingredient"]][0]
    serving = fat.row("SELECT s.serving_id FROM servings s JOIN foods f USING (food_id) WHERE f.name = ? AND"
                      " s.serving_description = '100 g'", food)
    if serving is None or not dinner_free(world, dish, dish["servings"]):
        return None
    member = rng.choice(fat.rows("SELECT username FROM profiles ORDER BY username"))["username"]
    share = dish["quantity"] / dish["servings"]
    return Draft(
        request=rng.choice([
            ("I'm cooking {d} for dinner tonight for {n} people: add it to today's dinner in my HowToCook meal "
             "plan. Then log my share of its {i} in my FatSecret diary (user {u}) for today's dinner: the recipe's "
             "{i_lower} amount split evenly between the {n} of us, entered as 100 g servings of {i}."),
            ("Plan {d} for tonight's dinner, {n} people. In FatSecret (username {u}) log my portion of the {i_lower} "
             "it uses for dinner today: the amount the recipe lists divided by {n}, as a number of '100 g' "
             "servings of the generic {i}."),
        ]).format(d=dish["dish"], n=dish["servings"], i=food, i_lower=food.lower(), u=member),
        calls=(*plan_dinner(world, dish, dish["servings"]),
               member_call(world, "HowToCook", "get_recipe_details", recipe_id=dish["recipe_id"]),
               member_call(world, "FatSecretPlatform", "search_foods", query=food),
               member_call(world, "FatSecretPlatform", "get_food_details",
                           food_id=fat.value("SELECT food_id FROM foods WHERE name = ?", food)),
               member_call(world, "FatSecretPlatform", "add_diary_entry", username=member,
                           serving_id=serving["serving_id"], number_of_units=share / 100, meal="dinner",
                           date=TODAY.isoformat())))


@scenario
def dinner_into_fruit_log(world: WorldSet, rng: random.Random) -> Draft | None:
    fruity = world.worlds["FruityviceServer"]
    dishes = [d for d in dishes_with(world, [k for k, v in FOODS.items() if v[1]])
              if d["quantity"] % d["servings"] == 0]
    if not dishes:
        return None
    dish = rng.choice(dishes)
    fruit = FOODS[dish["ingredient"]][1]
    grams = int(dish["quantity"] // dish["servings"])
    sugar = fruity.value("SELECT sugar FROM fruits WHERE name = ?", fruit) * grams / 100
    members = [m["username"] for m in fruity.rows(
        "SELECT m.username, m.sugar_limit, COALESCE((SELECT SUM(sugar) FROM intake i WHERE i.username = m.username"
        " AND i.date = ?), 0) AS eaten FROM members m ORDER BY username", TODAY.isoformat())
        if m["eaten"] + sugar <= m["sugar_limit"]]
    if not members or not dinner_free(world, dish, dish["servings"]):
        return None
    member = rng.choice(members)
    return Draft(
        request=rng.choice([
            ("Add {d} to tonight's dinner in my HowToCook plan for {n} people, and log my share of its tomatoes "
             "in my Fruityvice log (user {u}) for today: the recipe's tomato weight split evenly between the {n} "
             "of us, in grams. How much sugar have I had from fruit today after that?"),
            ("We're {n} for dinner tonight and I'm making {d}: put it on today's dinner plan. Log the tomato I'll "
             "eat (the recipe's grams of tomato divided by {n}) in Fruityvice as {u} for today, and tell me my "
             "fruit sugar total for the day."),
        ]).format(d=dish["dish"], n=dish["servings"], u=member),
        calls=(*plan_dinner(world, dish, dish["servings"]),
               member_call(world, "HowToCook", "get_recipe_details", recipe_id=dish["recipe_id"]),
               member_call(world, "FruityviceServer", "log_fruit_intake", username=member, fruit_name=fruit,
                           grams=grams, date=TODAY.isoformat())),
        answer=(Ref(3, "sugar_today"),))
