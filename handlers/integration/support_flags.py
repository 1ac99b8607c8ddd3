"""The support-measure data that goes with resident data to other systems (宛名連携, j1190: 住民記録データ
（支援対象者管理データを含む）; j410, j420), so that a receiving system can suppress too.

Every person sent gets a flag: protected (by a measure in force or provisional), provisional (protected only by
a measure not yet decided), household_protected (a member of a protected person's household: the same address)
and the processes suppressed for them (per person or per household).  Temporary lifts are never sent (j410).

A destination whose configuration is not marked ``receives_protected`` gets the person and the flag, with the
address fields blanked for every protected person and every member of their household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.clock import japan_today
from handlers.support_measures import protection_statuses
from handlers.suppression import Withheld, households_of
from models.resident import Household, Resident
from models.suppression import Suppression

ADDRESS_MARKERS = ("address", "postal_code")  # address, address_katagaki, address_key, previous_address …
PERSON_KEYS = ("atena_number", "head_atena_number")
PERSON_LIST_KEYS = ("atena_numbers",)


@dataclass(frozen=True)
class SupportFlags:
    """What is known about protection in the municipality at the moment of sending."""

    statuses: Mapping[str, set[str]]  # protected person → statuses of the measures protecting them
    withheld: Withheld  # they and the members of their households
    suppressed: Mapping[str, set[str]]  # person → processes suppressed for them (or their household)

    def flag(self, atena_number: str, household_number: str | None = None) -> dict[str, Any]:
        statuses = self.statuses.get(atena_number, set())
        return {
            "protected": bool(statuses),
            "provisional": bool(statuses) and "in_force" not in statuses,
            "household_protected": self.withheld.withholds(atena_number, household_number),
            "suppressed_processes": sorted(self.suppressed.get(atena_number, set())),
        }

    def withholds_address(self, atena_number: str | None, household_number: str | None = None) -> bool:
        return bool(atena_number) and self.withheld.withholds(str(atena_number), household_number)


def _suppressed_processes(session: Session, today: dt.date) -> dict[str, set[str]]:
    rows = session.scalars(
        select(Suppression).where(Suppression.released_at.is_(None), Suppression.start_date <= today)
    ).all()
    found: dict[str, set[str]] = {}
    by_household: dict[str, set[str]] = {}
    for s in rows:
        if s.atena_number:
            found.setdefault(s.atena_number, set()).add(s.process)
        if s.household_number:
            by_household.setdefault(s.household_number, set()).add(s.process)
    if by_household:
        members = session.execute(
            select(Resident.atena_number, Household.household_number)
            .join(Household, Household.id == Resident.household_id)
            .where(Household.household_number.in_(list(by_household)))
        ).all()
        for atena, number in members:
            found.setdefault(atena, set()).update(by_household[number])
    return found


def load_support_flags(session: Session, *, today: dt.date | None = None) -> SupportFlags:
    statuses = protection_statuses(session)
    withheld = households_of(session, list(statuses)) if statuses else Withheld()
    day = today or japan_today()
    return SupportFlags(statuses, withheld, _suppressed_processes(session, day))


def persons_named(payload: Any) -> Iterator[tuple[str, str | None]]:
    """(宛名番号, 世帯番号) of every person a notice payload names, at any depth."""
    if isinstance(payload, Mapping):
        household = payload.get("household_number")
        number = household if isinstance(household, str) else None
        for key in PERSON_KEYS:
            if isinstance(payload.get(key), str):
                yield payload[key], number
        for key in PERSON_LIST_KEYS:
            for atena in payload.get(key) or []:
                if isinstance(atena, str):
                    yield atena, number
        for value in payload.values():
            if isinstance(value, (Mapping, list)):
                yield from persons_named(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from persons_named(item)


def is_address_field(key: str) -> bool:
    return any(marker in key for marker in ADDRESS_MARKERS)


def blank_addresses(payload: Any) -> Any:
    """A copy of ``payload`` with every address field emptied (None), at any depth."""
    if isinstance(payload, Mapping):
        return {k: None if is_address_field(k) else blank_addresses(v) for k, v in payload.items()}
    if isinstance(payload, list):
        return [blank_addresses(item) for item in payload]
    return payload


def flag_delta(
    flags: SupportFlags, payload: Mapping[str, Any], *, receives_protected: bool
) -> dict[str, Any]:
    """A delta for a subscriber: the payload with ``support_measures`` (one flag per person it names) and, for a
    destination not allowed protected addresses, the address fields blanked when it names a withheld person."""
    named = dict(persons_named(payload))
    out = dict(payload)
    if not receives_protected and any(flags.withholds_address(a, h) for a, h in named.items()):
        out = blank_addresses(out)
        out["address_withheld"] = True
    out["support_measures"] = {atena: flags.flag(atena, named[atena]) for atena in sorted(named)}
    return out
