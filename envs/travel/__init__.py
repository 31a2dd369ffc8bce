"""Travel domain environments, and the Travel domain's cross-environment tasks (flights plus hotel stays)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from envfactory_gym.core.tasks import Draft, Ref, UserFact, call, scenario
from envfactory_gym.core.worldset import WorldSet
from envs.travel.cities import spoken_date
from envs.travel.hotel_booking import HotelBooking
from envs.travel.travel_booking import TravelBooking


def arrival_day(flight: dict[str, Any]) -> dt.date:
    """The day a flight lands (overnight flights land the day after departure)."""
    return dt.date.fromisoformat(flight["arrival_time"][:10])


class Travel(WorldSet):
    """The Travel domain: TravelBooking and HotelBooking share cities and travellers, so a trip spans both."""

    name = "Travel"
    members = (TravelBooking, HotelBooking)

    @property
    def airline(self) -> TravelBooking:
        return self.worlds["TravelBooking"]

    @property
    def hotels(self) -> HotelBooking:
        return self.worlds["HotelBooking"]

    def _call(self, environment: str, tool: str, **arguments: Any) -> Any:
        """A gold call under the tool's name in this domain (prefixed where both environments have it)."""
        return call(self.public_name(environment, tool), **arguments)

    def _trips(self, with_hotel: bool) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Travellers' only confirmed flight to a city, each with their one confirmed stay there (or no stay at all)."""
        trips = []
        stays = self.hotels.nameable_bookings("confirmed")
        for flight in self.airline.unique_bookings():
            flights_there = self.airline.value(
                "SELECT COUNT(*) FROM bookings JOIN flights USING (flight_id) WHERE account_id = ?"
                " AND arrival_airport = ? AND status = 'confirmed'", flight["account_id"], flight["arrival_airport"])
            if flights_there > 1:
                continue
            guest = f"{flight['first_name']} {flight['last_name']}"
            found = [s for s in stays if s["lead_guest"] == guest and s["city"] == flight["arrival_city"]]
            booked = self.hotels.value("SELECT COUNT(*) FROM booking_guests JOIN bookings USING (booking_id)"
                                       " WHERE guest_name = ? AND status = 'confirmed'", guest)
            if with_hotel and len(found) == 1:
                trips.append((flight, found[0]))
            elif not with_hotel and not booked:
                trips.append((flight, None))
        return trips

    def _flight_with_stay(self, rng: random.Random, nights: int) -> tuple[dict[str, Any], Any] | None:
        """The cheapest economy flight of a route and day, and the hotel offers in its city from landing day."""
        flight = self.airline.cheapest_fare(rng)
        if flight is None:
            return None
        checkin = arrival_day(flight)
        return flight, self.hotels.offers(flight["arrival_city"], checkin, checkin + dt.timedelta(days=nights))

    def _book_stay(self, offer: dict[str, Any], checkin: dt.date, nights: int, guest: str) -> tuple[Any, ...]:
        """Gold calls from the city to a booked room for one guest."""
        checkout = checkin + dt.timedelta(days=nights)
        return (*self.hotels.stay_search(offer, checkin, checkout),
                call("book_hotel", hotel_id=offer["hotel_id"], room_type_id=offer["room_type_id"],
                     checkin_date=checkin.isoformat(), checkout_date=checkout.isoformat(), adults=1,
                     guest_names=[guest]))

    @scenario
    def fly_and_stay(self, rng: random.Random) -> Draft | None:
        nights = rng.randint(2, 4)
        found = self._flight_with_stay(rng, nights)
        if found is None or not found[1]:
            return None
        flight, offers = found
        hotel = rng.choice(offers)["hotel_id"]
        room = self.hotels.cheapest([o for o in offers if o["hotel_id"] == hotel])
        if room is None:
            return None
        account = self.airline.some_account(rng)
        card = self.airline.some_card(rng, account["account_id"])
        return Draft(
            request=rng.choice([
                ("{who} Book me the cheapest economy flight from {a} to {b} on {d} with my card ending in {last4}, "
                 "and the cheapest room at {h} for {n} nights from the day I land."),
                ("{who} I'm going to {b}: get me the cheapest economy seat from {a} on {d} (card ending {last4}), "
                 "then a room at {h}, the cheapest they have, for {n} nights starting on my arrival day."),
            ]).format(who=self.airline.credentials(account, rng), a=flight["departure_city"],
                      b=flight["arrival_city"], d=spoken_date(flight["travel_date"], rng),
                      last4=card["card_number"][-4:], h=room["hotel_name"], n=nights),
            calls=(self.airline.login(account), *self.airline.flight_search(flight, "economy"),
                   call("list_credit_cards", access_token=Ref(0, "access_token")),
                   call("book_flight", access_token=Ref(0, "access_token"), card_id=card["card_id"],
                        flight_id=flight["flight_id"], travel_class="economy"),
                   *self._book_stay(room, arrival_day(flight), nights,
                                    f"{account['first_name']} {account['last_name']}")))

    @scenario
    def cancel_trip(self, rng: random.Random) -> Draft | None:
        trips = self._trips(with_hotel=True)
        if not trips:
            return None
        flight, stay = rng.choice(trips)
        return Draft(
            request=rng.choice([
                ("{who} My trip to {c} on {d} is off. Cancel both the flight and the hotel, and tell me what "
                 "each refund is."),
                ("{who} I'm no longer going to {c} ({d}). Please cancel my flight and my hotel stay there; how much "
                 "comes back for each?"),
            ]).format(who=self.airline.credentials(flight, rng), c=flight["arrival_city"],
                      d=spoken_date(flight["travel_date"], rng)),
            calls=(self.airline.login(flight),
                   self._call("TravelBooking", "list_bookings", access_token=Ref(0, "access_token"),
                              status="confirmed"),
                   self._call("TravelBooking", "cancel_booking", access_token=Ref(0, "access_token"),
                              booking_id=flight["booking_id"]),
                   self._call("HotelBooking", "list_bookings", guest_name=stay["lead_guest"]),
                   self._call("HotelBooking", "cancel_booking", booking_id=stay["booking_id"])),
            answer=(Ref(2, "refund_amount"), Ref(4, "refund_amount")))

    @scenario
    def trip_cost(self, rng: random.Random) -> Draft | None:
        trips = self._trips(with_hotel=True)
        if not trips:
            return None
        flight, stay = rng.choice(trips)
        total = round(flight["cost"] + stay["total_price"], 2)
        return Draft(
            request=(f"{self.airline.credentials(flight, rng)} What does my trip to {flight['arrival_city']} cost "
                     "altogether? Give me the flight price, the hotel price and the total."),
            calls=(self.airline.login(flight, "read"),
                   self._call("TravelBooking", "list_bookings", access_token=Ref(0, "access_token"),
                              status="confirmed"),
                   self._call("HotelBooking", "list_bookings", guest_name=stay["lead_guest"], status="confirmed")),
            answer=(flight["cost"], stay["total_price"], total))

    @scenario
    def postpone_trip(self, rng: random.Random) -> Draft | None:
        trips = self._trips(with_hotel=True)
        if not trips:
            return None
        flight, stay = rng.choice(trips)
        days = rng.choice([1, 2])
        new_day = (dt.date.fromisoformat(flight["travel_date"]) + dt.timedelta(days=days)).isoformat()
        options = self.airline.rows(
            "SELECT f.flight_id, fa.price FROM flights f JOIN fares fa USING (flight_id) WHERE f.departure_airport = ?"
            " AND f.arrival_airport = ? AND f.travel_date = ? AND fa.travel_class = ? AND fa.seats_left > 0",
            flight["departure_airport"], flight["arrival_airport"], new_day, flight["travel_class"])
        if not options or [o["price"] for o in options].count(min(o["price"] for o in options)) > 1:
            return None
        new_flight = min(options, key=lambda o: o["price"])
        move = dt.timedelta(days=days)
        token = Ref(0, "access_token")
        return Draft(
            request=(f"{self.airline.credentials(flight, rng)} My trip to {flight['arrival_city']} on "
                     f"{spoken_date(flight['travel_date'], rng)} slips by {days} day{'s' if days > 1 else ''}. "
                     f"Cancel my flight, book the cheapest {flight['travel_class']} seat on the same route on the new "
                     "day with the same card, and shift my hotel stay by the same number of days."),
            calls=(self.airline.login(flight),
                   self._call("TravelBooking", "list_bookings", access_token=token, status="confirmed"),
                   call("search_flights", departure_airport=flight["departure_airport"],
                        arrival_airport=flight["arrival_airport"], travel_date=new_day,
                        travel_class=flight["travel_class"]),
                   self._call("TravelBooking", "cancel_booking", access_token=token, booking_id=flight["booking_id"]),
                   call("book_flight", access_token=token, card_id=flight["card_id"],
                        flight_id=new_flight["flight_id"], travel_class=flight["travel_class"]),
                   self._call("HotelBooking", "list_bookings", guest_name=stay["lead_guest"], status="confirmed"),
                   call("modify_booking", booking_id=stay["booking_id"],
                        checkin_date=(dt.date.fromisoformat(stay["checkin_date"]) + move).isoformat(),
                        checkout_date=(dt.date.fromisoformat(stay["checkout_date"]) + move).isoformat())))

    @scenario
    def hotel_for_booked_flight(self, rng: random.Random) -> Draft | None:
        trips = self._trips(with_hotel=False)
        if not trips:
            return None
        flight, _ = rng.choice(trips)
        nights = rng.randint(2, 4)
        checkin = arrival_day(flight)
        room = self.hotels.cheapest(self.hotels.offers(flight["arrival_city"], checkin,
                                                       checkin + dt.timedelta(days=nights)))
        if room is None:
            return None
        guest = f"{flight['first_name']} {flight['last_name']}"
        conversational = rng.random() < 0.5
        length = "for the number of nights I'll tell you" if conversational else f"for {nights} nights"
        return Draft(
            request=(f"{self.airline.credentials(flight, rng)} I have a flight booked to {flight['arrival_city']}. "
                     f"Book me the cheapest hotel room in {flight['arrival_city']} from the day that flight lands, "
                     f"{length}."),
            calls=(self.airline.login(flight, "read"),
                   self._call("TravelBooking", "list_bookings", access_token=Ref(0, "access_token"),
                              status="confirmed"),
                   *self._book_stay(room, checkin, nights, guest)),
            ask=(UserFact("length of stay", f"{nights} nights", ("night", "how long", "check-out", "checkout")),)
            if conversational else ())

    @scenario
    def trip_within_budget(self, rng: random.Random) -> Draft | None:
        nights = rng.randint(2, 4)
        found = self._flight_with_stay(rng, nights)
        accounts = self.airline.rows("SELECT * FROM accounts WHERE budget_limit IS NOT NULL ORDER BY account_id")
        if found is None or not accounts:
            return None
        flight, offers = found
        account = rng.choice(accounts)
        left = account["budget_limit"] - self.airline.net_spent(account["account_id"]) - flight["price"]
        by_hotel: dict[str, list[dict[str, Any]]] = {}
        for offer in offers:
            by_hotel.setdefault(offer["hotel_id"], []).append(offer)
        cheapest = [self.hotels.cheapest(group) for group in by_hotel.values()]
        affordable = [o for o in cheapest if o and o["total_price"] <= left and o["rating"] is not None]
        if not affordable:
            return None
        best = max(affordable, key=lambda o: o["rating"])
        if [o["rating"] for o in affordable].count(best["rating"]) > 1:
            return None
        card = self.airline.some_card(rng, account["account_id"])
        token = Ref(0, "access_token")
        return Draft(
            request=(f"{self.airline.credentials(account, rng)} Book the cheapest economy flight from "
                     f"{flight['departure_city']} to {flight['arrival_city']} on "
                     f"{spoken_date(flight['travel_date'], rng)} on my card ending in {card['card_number'][-4:]}. "
                     f"Then, with what is left of my travel budget, book the best-rated hotel in "
                     f"{flight['arrival_city']} I can still afford for {nights} nights from the day I land "
                     "(its cheapest room)."),
            calls=(self.airline.login(account), call("get_budget_info", access_token=token),
                   *self.airline.flight_search(flight, "economy"),
                   call("list_credit_cards", access_token=token),
                   call("book_flight", access_token=token, card_id=card["card_id"], flight_id=flight["flight_id"],
                        travel_class="economy"),
                   *self._book_stay(best, arrival_day(flight), nights,
                                    f"{account['first_name']} {account['last_name']}")))
