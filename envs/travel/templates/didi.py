"""Task templates of Didi: rating a past trip, and an app link for the trip back."""

from __future__ import annotations

import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, call, scenario
from envs.travel.didi import Didi


def unrated_trip(world: Didi, rng: random.Random) -> dict[str, Any] | None:
    """A completed, unrated trip whose route (origin and destination) no other order shares."""
    trips = world.rows("SELECT * FROM orders o WHERE status = 'completed' AND rating IS NULL AND NOT EXISTS"
                       " (SELECT 1 FROM orders p WHERE p.order_id != o.order_id AND p.origin_location ="
                       " o.origin_location AND p.destination_location = o.destination_location) ORDER BY order_id")
    return rng.choice(trips) if trips else None


def trip_index(order_id: str) -> Any:
    return lambda orders: next(o["order_id"] for o in orders if o["order_id"] == order_id)


@scenario
def rate_trip(world: Didi, rng: random.Random) -> Draft | None:
    trip = unrated_trip(world, rng)
    if trip is None:
        return None
    stars, comment = rng.choice([(5, "Smooth ride, thanks"), (4, "Good driver"), (2, "Car smelled of smoke")])
    return Draft(
        request=f"Rate my ride from {trip['origin_location']} to {trip['destination_location']} on "
                f"{trip['created_at'][:10]} {stars} stars with the comment '{comment}'.",
        calls=(call("taxi_list_orders", status="completed", limit=50),
               call("taxi_rate_order", order_id=Ref(0, "", trip_index(trip["order_id"])), rating=stars,
                    comment=comment)))


@scenario
def rate_and_link_back(world: Didi, rng: random.Random) -> Draft | None:
    trip = unrated_trip(world, rng)
    if trip is None:
        return None
    product = rng.choice(["express", "premier", "taxi"])
    a, b = trip["destination_location"], trip["origin_location"]
    link = world.call("taxi_generate_ride_app_link", {"origin_location": a, "destination_location": b,
                                                      "product_category": product})["deep_link"]
    return Draft(
        request=f"Give my {trip['created_at'][:10]} ride from {b} to {a} 5 stars, and send me a Didi app link "
                f"for a {product} ride back from {a} to {b}.",
        calls=(call("taxi_list_orders", status="completed", limit=50),
               call("taxi_rate_order", order_id=Ref(0, "", trip_index(trip["order_id"])), rating=5),
               call("taxi_generate_ride_app_link", origin_location=a, destination_location=b,
                    product_category=product)),
        answer=(link,))
