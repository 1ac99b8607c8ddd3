"""Deterministic synthetic households and residents for demos, tests and benchmarks.

``generate_residents(tenant_id, count, seed)`` yields batches of plain rows (households, residents and one
first history row each).  The output is a function of its arguments only: the same seed, start numbers and
``as_of`` date always give the same rows.  Numbers carry their check digits (宛名番号/世帯番号 M11W2-7,
個人番号 令第8条, 住民票コード M11W2-7) and search keys come from the same rules the handlers use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from handlers.synthetic import foreigners, rows
from handlers.synthetic.numbers import numbered
from handlers.synthetic.people import (
    HEAD,
    MALE,
    Member,
    SyntheticRandom,
    birth_date_for,
    household_members,
    household_size,
    name_japanese_family,
)
from handlers.synthetic.places import Place, areas_of, pick_address, pick_honseki, pick_previous_address
from handlers.synthetic.vocabulary import faker_name_pairs

FOREIGN_SHARE = 0.025  # share of households of foreign residents
BORN_HERE_SHARE = 0.3  # share of households whose children were born after moving in
_MY_NUMBER_STEP = 73_939_133  # coprime with 10: i ↦ (i·step + offset) mod 10^k is a permutation
_MY_NUMBER_OFFSET = 31_415_926_535
_RESIDENT_CODE_OFFSET = 2_718_281_828


@dataclass
class SyntheticBatch:
    """Rows of one batch: household, resident and history rows as column → value dicts.

    Database ids are not known here: a resident names its household by ``household_number``, a household
    its head by ``head_atena_number`` and a history row its person by ``atena_number``; the snapshot's
    ``id`` and ``household_id`` are filled in by the loader.
    """

    households: list[dict[str, Any]] = field(default_factory=list)
    residents: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def synthetic_my_number(tenant_id: int, serial: int) -> str:
    """A valid 個人番号, unique per (tenant < 100, serial < 10^9)."""
    body = ((tenant_id % 100) * 10**9 + serial) * _MY_NUMBER_STEP + _MY_NUMBER_OFFSET
    return numbered(body % 10**11, 11)


def synthetic_resident_code(tenant_id: int, serial: int) -> str:
    """A valid 住民票コード (10 digits + M11W2-7), unique per tenant for serial < 10^9."""
    body = ((tenant_id % 10) * 10**9 + serial) * _MY_NUMBER_STEP + _RESIDENT_CODE_OFFSET
    return numbered(body % 10**10, 10)


class _Generator:
    def __init__(self, tenant_id: int, seed: int, place: Place, as_of: dt.date, first_atena: int,
                 first_household: int) -> None:  # fmt: skip
        self.tenant_id = tenant_id
        self.rng = SyntheticRandom(f"jumin-synthetic:{tenant_id}:{seed}")
        self.place = place
        self.areas = areas_of(place)
        self.as_of = as_of
        self.next_atena = first_atena
        self.next_household = first_household
        surnames, weights, self.male, self.female = faker_name_pairs()
        self.surnames = (surnames, list(accumulate(weights)))

    def household(self, size: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        if rng.random() < FOREIGN_SHARE:
            members = foreigners.foreign_household(rng, min(size, 4))
        else:
            members = household_members(rng, size)
            name_japanese_family(rng, members, self.surnames, self.male, self.female)
            self._family_register(members)
        household_number = numbered(self.next_household, 9)
        self.next_household += 1
        address = pick_address(rng, self.place, self.areas)
        moved_in = self._move_in_date(members)
        made = [self._resident(m, i + 1, moved_in) for i, m in enumerate(members)]
        residents = [row for row, _reason, _date in made]
        household = rows.household_row(
            self.tenant_id, household_number, address, residents[0]["atena_number"]
        )
        for resident in residents:
            resident["household_number"] = household_number
        history = [
            rows.first_history_row(row, household, residents[0], reason, day) for row, reason, day in made
        ]
        return household, residents, history

    def _family_register(self, members: list[Member]) -> None:
        """本籍 and 筆頭者: the couple's register (the husband heads it); the head's parents have their own."""
        honseki = pick_honseki(self.rng, self.place)
        husband = next((m for m in members if m.sex == MALE and m.relation in (HEAD, "夫")), members[0])
        parents_register = pick_honseki(self.rng, self.place)
        father_name = self.rng.choice(self.male)[0]
        for member in members:
            if member.relation in ("父", "母"):
                member.extra["honseki"] = parents_register
                member.extra["hittosha"] = f"{member.family[0]}　{father_name}"
            else:
                member.extra["honseki"] = honseki
                member.extra["hittosha"] = f"{husband.family[0]}　{husband.given[0]}"

    def _move_in_date(self, members: list[Member]) -> dt.date:
        adult_years = max(1, min(members[0].age - 18, 45))
        if self.rng.random() < BORN_HERE_SHARE:
            adult_years = max(1, min(adult_years, max(m.age for m in members if m.relation != "子") - 18))
        return self.as_of - dt.timedelta(days=self.rng.randint(7, adult_years * 365))

    def _resident(self, member: Member, order: int, moved_in: dt.date) -> tuple[dict[str, Any], str, dt.date]:
        serial = self.next_atena
        self.next_atena += 1
        birth = birth_date_for(self.rng, member.age, self.as_of)
        previous = pick_previous_address(self.rng, self.place.code) if birth < moved_in else None
        return rows.resident_row(
            self.rng,
            tenant_id=self.tenant_id,
            atena_number=numbered(serial, 9),
            order=order,
            member=member,
            birth=birth,
            moved_in=moved_in,
            previous=previous,
            numbers=(
                synthetic_my_number(self.tenant_id, serial),
                synthetic_resident_code(self.tenant_id, serial),
            ),
            as_of=self.as_of,
        )


def generate_residents(
    tenant_id: int,
    count: int,
    seed: int,
    *,
    place: Place | None = None,
    as_of: dt.date | None = None,
    first_atena: int = 1,
    first_household: int = 1,
    batch: int = 20_000,
) -> Iterator[SyntheticBatch]:
    """Yield ``count`` residents in households of 1–6 persons (about 2.15 on average), ``batch`` residents at a
    time (a household never spans two batches).  ``place`` is the tenant's municipality (default: 横浜市);
    ``first_atena``/``first_household`` are the first sequence values to use (the loader reserves them)."""
    generator = _Generator(
        tenant_id, seed, place or Place("141003", "横浜市", "神奈川県"), as_of or dt.date.today(),
        first_atena, first_household,
    )  # fmt: skip
    current = SyntheticBatch()
    remaining = count
    while remaining > 0:
        size = min(household_size(generator.rng), remaining)
        household, residents, history = generator.household(size)
        remaining -= len(residents)
        current.households.append(household)
        current.residents.extend(residents)
        current.history.extend(history)
        if len(current.residents) >= batch:
            yield current
            current = SyntheticBatch()
    if current.residents:
        yield current
