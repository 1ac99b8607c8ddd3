"""The review's difference for the changes whose proposal names persons and where they go rather than item
values: 転居, 転出, 世帯変更 (``movers``) and the removals 死亡・失踪 (``atena_number`` with an event date).

The supervisor approves what 本登録 will write (j530, j540), so each mover's record items that change are
shown against the register: the new address and 住所を定めた年月日 of a 転居, the planned destination and date of a
転出, the household and 続柄 of a 世帯変更, the new 世帯主, and the 消除事由 and its date of a removal.  Rows are in
the shape of ``handlers.cases.view``'s difference (``subject``, ``field``, ``label``, ``before``, ``after``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from handlers.changes import death, disappearance
from handlers.residents.history import display_name
from handlers.residents.items import HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

ItemDiff = Callable[[Any, Mapping[str, Any], Mapping[str, Any], set[str]], list[dict[str, Any]]]
REMOVAL_REASONS = {
    "death": death.REASON,
    "disappearance": disappearance.REASON,
}  # change type → 消除事由 written
HOUSEHOLD_LABEL = "世帯"
HEAD_LABEL = "世帯主"
NEW_HOUSEHOLD = "新しい世帯"


def movers_diff(
    uow: UnitOfWork, change_type: str, proposal: Mapping[str, Any], item_diff: ItemDiff, hidden: set[str]
) -> list[dict[str, Any]]:
    """The difference of a 転居・転出・世帯変更 (a proposal with ``movers``) or a 死亡・失踪; [] for another."""
    if change_type in REMOVAL_REASONS:
        return _removal_rows(uow, change_type, proposal, item_diff, hidden)
    numbers = [str(n) for n in proposal.get("movers") or []]
    if not numbers:
        return []
    movers = _residents(uow, numbers)
    rows: list[dict[str, Any]] = []
    address = proposal.get("address")
    if isinstance(address, Mapping):  # 転居 (and a 世帯変更 with an address): the household's new address
        rows += _address_rows(uow, proposal, address, movers, item_diff, hidden)
    destination = proposal.get("destination")
    if change_type == "move_out" and isinstance(destination, Mapping):
        planned = {"destination_planned_address": destination.get("address"),
                   "destination_planned_code": destination.get("code"),
                   "destination_planned_postal_code": destination.get("postal_code"),
                   "move_out_planned_date": proposal.get("change_date")}  # fmt: skip
        for number in numbers:
            rows += _person_rows(number, movers.get(number), planned, item_diff, hidden)
    rows += _household_rows(proposal, numbers, movers)
    relations = proposal.get("relations")
    if isinstance(
        relations, Mapping
    ):  # the movers' 続柄 first, then the other members' a head change re-sets
        ordered = [n for n in numbers if n in relations] + [n for n in relations if n not in numbers]
        people = {**_residents(uow, [n for n in ordered if n not in movers]), **movers}
        for number in ordered:
            rows += _person_rows(
                number, people.get(number), {"relation_to_head": relations[number]}, item_diff, hidden
            )
    rows += _head_rows(uow, proposal, movers)
    return rows


def _residents(uow: UnitOfWork, numbers: list[str]) -> dict[str, Resident]:
    found = uow.session.scalars(select(Resident).where(Resident.atena_number.in_(numbers)))
    return {r.atena_number: r for r in found}


def _person_rows(
    number: str, current: Resident | None, items: Mapping[str, Any], item_diff: ItemDiff, hidden: set[str]
) -> list[dict[str, Any]]:
    return [
        {"subject": f"resident:{number}", **row}
        for row in item_diff(current, items, RESIDENT_ITEM_BY_FIELD, hidden)
    ]


def _address_rows(
    uow: UnitOfWork,
    proposal: Mapping[str, Any],
    address: Mapping[str, Any],
    movers: dict[str, Resident],
    item_diff: ItemDiff,
    hidden: set[str],
) -> list[dict[str, Any]]:
    number = proposal.get("source_household")
    household = uow.session.scalars(select(Household).where(Household.household_number == number)).first()
    items = {field: address.get(field) for field in HOUSEHOLD_ITEM_BY_FIELD if field in address}
    subject = f"household:{number}" if number else "household:new"
    rows = [
        {"subject": subject, **row} for row in item_diff(household, items, HOUSEHOLD_ITEM_BY_FIELD, hidden)
    ]
    if proposal.get("change_date"):
        for atena, person in movers.items():
            rows += _person_rows(
                atena, person, {"address_set_date": proposal["change_date"]}, item_diff, hidden
            )
    return rows


def _household_rows(
    proposal: Mapping[str, Any], numbers: list[str], movers: dict[str, Resident]
) -> list[dict[str, Any]]:
    """Each mover's household when the change moves them into another one (or a new one)."""
    source = proposal.get("source_household")
    target = proposal.get("target_household")
    mode = proposal.get("mode") or proposal.get("kind")
    if target is None and mode not in ("new", "household_split"):
        return []
    after = target or NEW_HOUSEHOLD
    if after == source:
        return []
    return [
        {"subject": f"resident:{number}", "field": "household_number", "label": HOUSEHOLD_LABEL,
         "before": _household_number(movers.get(number)) or source, "after": after}
        for number in numbers
    ]  # fmt: skip


def _household_number(resident: Resident | None) -> str | None:
    return resident.household.household_number if resident is not None and resident.household else None


def _head_rows(
    uow: UnitOfWork, proposal: Mapping[str, Any], movers: dict[str, Resident]
) -> list[dict[str, Any]]:
    new_head = proposal.get("new_head")
    if not new_head:
        return []
    head = movers.get(str(new_head)) or _residents(uow, [str(new_head)]).get(str(new_head))
    household = head.household if head is not None else None
    before_head = household.head if household is not None else None
    number = household.household_number if household is not None else proposal.get("source_household")
    return [
        {"subject": f"household:{number}", "field": "head", "label": HEAD_LABEL,
         "before": _name(before_head), "after": _name(head) or str(new_head)}
    ]  # fmt: skip


def _name(resident: Resident | None) -> str | None:
    if resident is None:
        return None
    return f"{display_name(resident)}（{resident.atena_number}）"


def _removal_rows(
    uow: UnitOfWork, change_type: str, proposal: Mapping[str, Any], item_diff: ItemDiff, hidden: set[str]
) -> list[dict[str, Any]]:
    number = str(proposal.get("atena_number") or "")
    if not number:
        return []
    person = _residents(uow, [number]).get(number)
    items = {"removal_reason": REMOVAL_REASONS[change_type],
             "removal_date": proposal.get("event_text") or proposal.get("event_date")}  # fmt: skip
    return _person_rows(number, person, items, item_diff, hidden)
