"""Lists that depend on suppression: the officer's list of suppressed persons (j1290, split by ward in a
designated city) and the inspection list (住民基本台帳の一部の写し（閲覧用）, j1320) without protected persons.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.rules.dates import format_resident_date
from handlers.rules.kanji import fold_address
from handlers.support_measures import protection_statuses
from handlers.suppression import persons_withheld_from_lists
from handlers.uow import UnitOfWork
from models.resident import Household, Resident
from models.suppression import Suppression
from models.tenant import Ward


def _protected_by_measure(uow: UnitOfWork) -> dict[str, list[str]]:
    return {
        atena: [f"support_measure:{status}" for status in sorted(statuses)]
        for atena, statuses in protection_statuses(uow.session).items()
    }


def _suppressed(uow: UnitOfWork) -> dict[str, list[str]]:
    rows = uow.session.scalars(select(Suppression).where(Suppression.released_at.is_(None))).all()
    by_household = {s.household_number: s for s in rows if s.household_number}
    members = uow.session.execute(
        select(Resident.atena_number, Household.household_number)
        .join(Household, Household.id == Resident.household_id)
        .where(Household.household_number.in_(list(by_household)))
    ).all()
    found: dict[str, list[str]] = {}
    for s in rows:
        if s.atena_number:
            found.setdefault(s.atena_number, []).append(f"suppression:{s.process}:{s.level}")
    for atena, number in members:
        s = by_household[number]
        found.setdefault(atena, []).append(f"household_suppression:{s.process}:{s.level}")
    return found


@dataclass(frozen=True)
class SuppressedPerson:
    atena_number: str
    name: str
    ward_code: str | None
    ward_name: str | None  # the 区's name, for the list
    reasons: tuple[
        str, ...
    ]  # support_measure:<status> / suppression:<process>:<level> / household_suppression:…


def suppressed_persons(uow: UnitOfWork, *, ward_code: str | None = None) -> list[SuppressedPerson]:
    """抑止対象者一覧 (j1290): everyone under a support measure (in force or provisional) or an unreleased
    suppression, by ward then 宛名番号; ``ward_code`` keeps one ward (designated cities)."""
    require(uow.actor, "support.view")
    reasons = _protected_by_measure(uow)
    for atena, more in _suppressed(uow).items():
        reasons.setdefault(atena, []).extend(more)
    rows = uow.session.execute(
        select(
            Resident.atena_number,
            Resident.family_name,
            Resident.given_name,
            Resident.name_alphabet,
            Household.ward_code,
            Ward.name,
        )  # fmt: skip
        .join(Household, Household.id == Resident.household_id)
        .outerjoin(Ward, (Ward.municipality_id == uow.actor.tenant_id) & (Ward.code == Household.ward_code))
        .where(Resident.atena_number.in_(list(reasons)))
    ).all()
    known = {r[0]: r for r in rows}
    people = []
    for atena in sorted(reasons):
        row = known.get(atena)
        name = (" ".join(p for p in (row[1], row[2]) if p) or row[3] or "") if row else ""
        ward = row[4] if row else None
        if ward_code is None or ward == ward_code:
            ward_name = row[5] if row else None
            people.append(SuppressedPerson(atena, name, ward, ward_name, tuple(sorted(set(reasons[atena])))))
    people.sort(key=lambda p: (p.ward_code or "", p.atena_number))
    detail = {"ward_code": ward_code, "count": len(people)}
    record_access(
        uow, "suppressed_persons_listed", "export", targets=[p.atena_number for p in people], detail=detail
    )
    return people


# --- 住民基本台帳の一部の写し（閲覧用） (j1320) ------------------------------------------------------------


def _inspection_row(resident: Resident, household: Household) -> dict[str, Any]:
    """The items an inspection list shows (住基法11条): name, birth date, sex, address."""
    name = display_name(resident)
    address = " ".join(p for p in (household.address, household.address_katagaki) if p)
    birth = format_resident_date(
        "birth_date", resident.birth_date, resident.birth_date_text, resident.resident_kind
    )
    return {"atena_number": resident.atena_number, "name": name, "birth_date": birth, "sex": resident.sex,
            "address": address}  # fmt: skip


def inspection_list(
    uow: UnitOfWork, area: str, *, order: str = "address", seed: int | None = None
) -> list[dict[str, Any]]:
    """The inspection list for the area whose address starts with ``area``: current residents only, without
    any household that includes a person protected by a support measure (in force or provisional; the one rule
    ``persons_withheld_from_lists``), in address order or in random order (ランダム順位, reproducible with
    ``seed``).  Logged as an export."""
    require(uow.actor, "resident.search")
    if order not in ("address", "random"):
        raise ValueError(order)
    withheld = persons_withheld_from_lists(uow, "inspection")
    rows = uow.session.execute(
        select(Resident, Household)
        .join(Household, Household.id == Resident.household_id)
        .where(
            Resident.status == "resident",
            Household.address_key.startswith(fold_address(area), autoescape=True),
            Household.household_number.not_in(list(withheld.households)),
            Resident.atena_number.not_in(list(withheld.persons)),
        )
        .order_by(Household.address_key, Household.household_number, Resident.household_order)
    ).all()
    listed = [_inspection_row(resident, household) for resident, household in rows]
    if order == "random":
        random.Random(seed).shuffle(listed)
    detail = {"area": area, "order": order, "count": len(listed), "excludes_protected": True}
    record_access(
        uow, "inspection_list_exported", "export", targets=[r["atena_number"] for r in listed], detail=detail
    )
    return listed
