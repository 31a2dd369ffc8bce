"""Task templates of AirDNA: questions about the analyst's comp sets."""

from __future__ import annotations

import random

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.travel.air_dna import AirDNA


@scenario
def comp_set_average(world: AirDNA, rng: random.Random) -> Draft:
    name = world.value("SELECT name FROM comp_sets ORDER BY name")
    listing = rng.choice(world.rows("SELECT l.* FROM listings l JOIN comp_sets c USING (market_id) WHERE"
                                    " l.property_id NOT IN (SELECT property_id FROM comp_set_listings) ORDER BY"
                                    " property_id"))
    return Draft(
        request=(f"Add the '{listing['title']}' rental to my '{name}' comp set, then tell me the set's new"
                 " average daily rate."),
        calls=(call("search_markets", query=world.value("SELECT city FROM markets WHERE market_id = ?",
                                                        listing["market_id"])),
               call("list_listings", market_id=listing["market_id"], limit=50),
               call("add_to_comp_set", comp_set_name=name, airbnb_property_id=listing["property_id"]),
               call("get_comp_set", comp_set_name=name)),
        answer=(Ref(3, "average_adr"),))


@scenario
def comp_set_occupancy(world: AirDNA, rng: random.Random) -> Draft:
    name = world.value("SELECT name FROM comp_sets ORDER BY name")
    return Draft(request=f"What's the average occupancy and the average yearly revenue of my '{name}' comp set?",
                 calls=(call("get_comp_set", comp_set_name=name),),
                 answer=(Ref(0, "average_occupancy"), Ref(0, "average_revenue")))
