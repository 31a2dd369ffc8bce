"""Reference data shared by the Travel environments: the cities they serve and the travellers both know.

TravelBooking and HotelBooking call :func:`plan_travellers` first in their ``populate`` with the same seeded
``rng`` and ``fake``, so both worlds of one seed hold the same people and the same planned trips (a flight in
one, a hotel stay in the other), and cross-environment tasks can refer to them by name, city and date.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from envfactory_gym.core.tools import ToolError


def parse_date(value: str, field: str) -> dt.date:
    """A YYYY-MM-DD tool argument as a date, or a ToolError naming the field."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ToolError(f"{field} must look like 2026-03-10, got {value!r}") from None


@dataclass(frozen=True)
class City:
    name: str
    country: str
    airport_code: str
    airport_name: str
    currency: str


CITIES: tuple[City, ...] = (
    City("New York", "United States", "JFK", "John F. Kennedy International Airport", "USD"),
    City("Chicago", "United States", "ORD", "O'Hare International Airport", "USD"),
    City("San Francisco", "United States", "SFO", "San Francisco International Airport", "USD"),
    City("Toronto", "Canada", "YYZ", "Toronto Pearson International Airport", "CAD"),
    City("Mexico City", "Mexico", "MEX", "Benito Juarez International Airport", "MXN"),
    City("Sao Paulo", "Brazil", "GRU", "Guarulhos International Airport", "BRL"),
    City("London", "United Kingdom", "LHR", "Heathrow Airport", "GBP"),
    City("Paris", "France", "CDG", "Charles de Gaulle Airport", "EUR"),
    City("Rome", "Italy", "FCO", "Leonardo da Vinci-Fiumicino Airport", "EUR"),
    City("Berlin", "Germany", "BER", "Berlin Brandenburg Airport", "EUR"),
    City("Tokyo", "Japan", "HND", "Haneda Airport", "JPY"),
    City("Beijing", "China", "PEK", "Beijing Capital International Airport", "RMB"),
    City("Mumbai", "India", "BOM", "Chhatrapati Shivaji Maharaj International Airport", "INR"),
    City("Sydney", "Australia", "SYD", "Sydney Kingsford Smith Airport", "AUD"),
)
CITY_NAMES = tuple(city.name for city in CITIES)

#: First day of the planning window (the worlds' clock starts on 2026-03-02).
FIRST_TRAVEL_DAY = dt.date(2026, 3, 4)
TRAVEL_DAYS = 18
TRAVEL_CLASSES = ("economy", "business", "first")


@dataclass(frozen=True)
class Traveller:
    first_name: str
    last_name: str
    home_city: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.com".lower().replace(" ", "")


@dataclass(frozen=True)
class Trip:
    """A planned journey: a flight from home on ``date``, and (when ``with_hotel``) a stay of ``nights``."""

    traveller: Traveller
    destination: str
    date: dt.date
    nights: int
    travel_class: str
    with_hotel: bool

    @property
    def checkout(self) -> dt.date:
        return self.date + dt.timedelta(days=self.nights)


def plan_travellers(rng: random.Random, fake: Any, count: int = 12,
                    trips: int = 9) -> tuple[list[Traveller], list[Trip]]:
    """The seed's travellers (unique full names) and the trips the first ``trips`` of them have booked."""
    travellers: dict[str, Traveller] = {}
    while len(travellers) < count:
        person = Traveller(fake.first_name(), fake.last_name(), rng.choice(CITY_NAMES))
        travellers.setdefault(person.full_name, person)
    people = list(travellers.values())
    planned = [
        Trip(person, rng.choice([c for c in CITY_NAMES if c != person.home_city]),
             FIRST_TRAVEL_DAY + dt.timedelta(days=rng.randrange(TRAVEL_DAYS)), rng.randint(2, 5),
             rng.choice(("economy", "economy", "business")), with_hotel=index % 3 != 2)
        for index, person in enumerate(people[:trips])
    ]
    return people, planned


def city(name: str) -> City:
    """The city of that name (exact, as in :data:`CITY_NAMES`)."""
    return next(c for c in CITIES if c.name == name)


def spoken_date(day: dt.date | str, rng: random.Random) -> str:
    """A date as a person would write it in a request (ISO or 'March 10, 2026')."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return rng.choice([day.isoformat(), f"{day:%B} {day.day}, {day.year}"])
