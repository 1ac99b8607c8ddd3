"""Deterministic synthetic households and residents for demos, tests and benchmarks.

``generate_residents(tenant_id, count, seed)`` yields batches of plain rows (households, residents and one
first history row each).  The output is a function of its arguments only: the same seed, start numbers and
``as_of`` date always give the same rows, whatever the batch size.  The loader uses the parts beneath it:
the load's plan (``plan.py``: household sizes, batches), and ``SyntheticGenerator.batch``, which makes one
planned batch as ``PersonBatch`` (each person only as the items it has), in any order or process.
Numbers carry their check digits (宛名番号/世帯番号 M11W2-7, 個人番号 令第8条, 住民票コード M11W2-7) and
search keys come from the same rules the handlers use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, islice
from typing import Any

from handlers.clock import japan_today
from handlers.synthetic import foreigners, rows
from handlers.synthetic.numbers import numbered
from handlers.synthetic.people import (
    HEAD,
    MALE,
    Member,
    birth_date_for,
    household_members,
    name_japanese_family,
)
from handlers.synthetic.places import Place, areas_of, pick_address, pick_honseki, pick_previous_address
from handlers.synthetic.plan import BLOCK, BatchPlan, block_random, plan_batches, plan_households
from handlers.synthetic.vocabulary import faker_name_pairs

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


@dataclass
class PersonBatch:
    """One batch as generated: the household rows, each person's items (``rows.resident_row``: only the
    items with a value) with the 異動事由 and 異動日 of their first history row, in household order (head
    first), and the batch's plan (where it starts in the load)."""

    plan: BatchPlan
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    changes: list[tuple[str, dt.date]] = field(default_factory=list)


def synthetic_my_number(tenant_id: int, serial: int) -> str:
    """A valid 個人番号, unique per (tenant < 100, serial < 10^9)."""
    body = ((tenant_id % 100) * 10**9 + serial) * _MY_NUMBER_STEP + _MY_NUMBER_OFFSET
    return numbered(body % 10**11, 11)


def synthetic_resident_code(tenant_id: int, serial: int) -> str:
    """A valid 住民票コード (10 digits + M11W2-7), unique per tenant for serial < 10^9."""
    body = ((tenant_id % 10) * 10**9 + serial) * _MY_NUMBER_STEP + _RESIDENT_CODE_OFFSET
    return numbered(body % 10**10, 10)


class SyntheticGenerator:
    """Makes the persons of planned batches (``plan.py``), in any order: a batch's output depends only on its
    plan, the tenant, the seed, the place and ``as_of``."""

    def __init__(self, tenant_id: int, seed: int, place: Place, as_of: dt.date, first_atena: int,
                 first_household: int) -> None:  # fmt: skip
        self.tenant_id, self.seed = tenant_id, seed
        self.rng = block_random(tenant_id, seed, 0)
        self.place = place
        self.areas = areas_of(place)
        self.as_of = as_of
        self.first_atena, self.first_household = first_atena, first_household
        self.next_atena, self.next_household = first_atena, first_household
        surnames, weights, self.male, self.female = faker_name_pairs()
        self.surnames = (surnames, list(accumulate(weights)))

    def batch(self, plan: BatchPlan) -> PersonBatch:
        made = PersonBatch(plan)
        self.next_atena = self.first_atena + plan.first_resident
        self.next_household = self.first_household + plan.first_household
        for start in range(0, len(plan.sizes), BLOCK):
            self.rng = block_random(self.tenant_id, self.seed, (plan.first_household + start) // BLOCK)
            for size in plan.sizes[start : start + BLOCK]:
                self._household(made, size)
        return made

    def _household(self, made: PersonBatch, size: int) -> None:
        rng = self.rng
        if size < 0:
            members = foreigners.foreign_household(rng, -size)
        else:
            members = household_members(rng, size)
            name_japanese_family(rng, members, self.surnames, self.male, self.female)
            self._family_register(members)
        household_number = numbered(self.next_household, 9)
        self.next_household += 1
        address = pick_address(rng, self.place, self.areas)
        moved_in = self._move_in_date(members)
        for order, member in enumerate(members, 1):
            person, reason, day = self._resident(member, order, moved_in)
            made.persons.append(person)
            made.changes.append((reason, day))
        head = made.persons[-len(members)]
        made.households.append(
            rows.household_row(self.tenant_id, household_number, address, head["atena_number"])
        )

    def _family_register(self, members: list[Member]) -> None:
        """本籍 and 筆頭者: the couple's register (the husband heads it); the head's parents, if they live here,
        have their own (drawn only then)."""
        honseki = pick_honseki(self.rng, self.place)
        husband = next((m for m in members if m.sex == MALE and m.relation in (HEAD, "夫")), members[0])
        couple = f"{husband.family[0]}　{husband.given[0]}"
        parents = [m for m in members if m.relation in ("父", "母")]
        for member in members:
            member.extra["honseki"], member.extra["hittosha"] = honseki, couple
        if parents:
            parents_register = pick_honseki(self.rng, self.place)
            father_name = self.rng.choice(self.male)[0]
            for member in parents:
                member.extra["honseki"] = parents_register
                member.extra["hittosha"] = f"{member.family[0]}　{father_name}"

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
    """Yield ``count`` residents in households of 1–6 persons (about 2.15 on average), about ``batch``
    residents at a time (whole blocks of households), as table rows.  ``place`` is the tenant's municipality
    (default: 横浜市); ``first_atena``/``first_household`` are the first sequence values to use (the loader
    reserves them)."""
    generator = SyntheticGenerator(
        tenant_id, seed, place or Place("141003", "横浜市", "神奈川県"), as_of or japan_today(),
        first_atena, first_household,
    )  # fmt: skip
    for plan in plan_batches(plan_households(tenant_id, count, seed), batch):
        yield table_rows(tenant_id, generator.batch(plan))


def table_rows(tenant_id: int, made: PersonBatch) -> SyntheticBatch:
    """A generated batch as complete table rows (every column), its history rows with their snapshots."""
    rows_of = SyntheticBatch(households=made.households)
    persons = iter(zip(made.persons, made.changes, strict=True))
    for household, size in zip(made.households, made.plan.sizes, strict=True):
        members = [
            (rows.full_resident_row(tenant_id, person, household["household_number"]), change)
            for person, change in islice(persons, abs(size))
        ]
        head = members[0][0]
        for resident, (reason, day) in members:
            rows_of.residents.append(resident)
            rows_of.history.append(rows.first_history_row(resident, household, head, reason, day))
    return rows_of
