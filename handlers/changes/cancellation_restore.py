"""異動の取消し (j980): finding the change to cancel and putting a person back as the register held them before it.

The state before a change is the snapshot of the history row just before it (j200: every row is a full
snapshot).  Restoring writes the person's items back from that snapshot; the caller then appends a NEW history
row — nothing is deleted or overwritten.

Where the person goes (j980): back to the former household when it still exists; when it was dissolved (全部
転出, the last member died …), a new household at the former address with a new 世帯番号; when the cancelled
change moved a whole household (転居), the household's address is put back, but when only some of its members
are being cancelled they form a new household at the former address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, inspect, select
from sqlalchemy.orm import Session

from handlers.residents.household_members import reorder_members, set_head_from_relations
from handlers.residents.numbering import issue_number
from handlers.residents.search_keys import refresh_household_keys, refresh_resident_keys
from handlers.rules.change_reasons import REASONS
from handlers.rules.relationship import HEAD
from models.resident import Household, Resident, ResidentHistory

# Items never taken back from a snapshot: identity and bookkeeping, and the numbers CS has invalidated
# (a replaced 住民票コード is never reused; a replaced 個人番号 is void).
NOT_RESTORED = frozenset(
    {
        "id",
        "atena_number",
        "household_id",
        "household_order",
        "history_no",
        "version",
        "resident_code",
        "my_number",
        "kana_key",
        "given_kana_key",
        "name_key",
    }
)
HOUSEHOLD_ITEMS = ("address", "address_katagaki", "postal_code", "address_code", "ward_code")
ACTIVE = ("resident", "moving_out")

INCREASE, DECREASE, AMENDMENT = "cancellation_increase", "cancellation_decrease", "cancellation_amendment"


def history_at(session: Session, atena_number: str, history_no: int) -> ResidentHistory | None:
    return session.scalars(
        select(ResidentHistory).where(
            ResidentHistory.atena_number == atena_number, ResidentHistory.history_no == history_no
        )
    ).one_or_none()


def cancellation_kind(row: ResidentHistory, before: ResidentHistory | None) -> str:
    """取消（増） for a removal (転出, 死亡 …), 取消（減） for a record creation (転入, 出生 …), else 取消（修正）.

    The reason's category decides (j210); a code outside the standard's list is judged by the statuses."""
    known = REASONS.get(row.change_reason)
    if known is not None:
        return {"removal": INCREASE, "record": DECREASE}.get(known.category, AMENDMENT)
    if before is None or (before.status == "removed" and row.status != "removed"):
        return DECREASE
    if row.status == "removed" and before.status != "removed":
        return INCREASE
    return AMENDMENT


def _column_value(column_type: Any, value: Any) -> Any:
    if isinstance(column_type, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def restore_items(resident: Resident, snapshot: Mapping[str, Any]) -> None:
    """The person's items (and status) as in ``snapshot``; numbers and bookkeeping stay as they are."""
    for column in inspect(Resident).columns:
        if column.key in NOT_RESTORED or column.key not in snapshot:
            continue
        setattr(resident, column.key, _column_value(column.type, snapshot[column.key]))
    refresh_resident_keys(resident)


def settle(household: Household) -> None:
    """Head from the 続柄 when unset or gone, the standard order; an empty household is dissolved."""
    members = [m for m in household.members if m.status in ACTIVE]
    if household.head is None or household.head not in members:
        set_head_from_relations(household, members)
    reorder_members(members)
    household.status = "active" if members else "dissolved"
    if not members:
        household.head = None


@dataclass(frozen=True)
class Placement:
    """Where a restored person goes: ``stay``, ``address`` (put the household's address back), ``join`` (the
    former household) or ``new`` (a new household at the former address)."""

    how: str
    former_number: str


def placement_of(
    session: Session, resident: Resident, snapshot: Mapping[str, Any], together: Sequence[str]
) -> Placement:
    """``together``: the 宛名番号 of everybody cancelled in the same case."""
    former = str(snapshot["household_number"])
    current = resident.household
    if current.household_number == former:
        if current.status != "active":
            return Placement("new", former)
        if current.address == snapshot.get("household_address"):
            return Placement("stay", former)
        others = [m for m in current.members if m.status in ACTIVE and m.atena_number not in together]
        return Placement("new" if others else "address", former)
    found = session.scalars(select(Household).where(Household.household_number == former)).one_or_none()
    return Placement("join" if found is not None and found.status == "active" else "new", former)


def head_conflict(
    session: Session, snapshot: Mapping[str, Any], placement: Placement, together: Sequence[str]
) -> bool:
    """The person was head, but the household they return to has another head now (not cancelled with them)."""
    if snapshot.get("relation_to_head") != HEAD or placement.how == "new":
        return False
    household = session.scalars(
        select(Household).where(Household.household_number == placement.former_number)
    ).one_or_none()
    head = household.head if household is not None else None
    return (
        head is not None
        and head.atena_number not in together
        and head.atena_number != snapshot["atena_number"]
    )


def _new_household(session: Session, snapshot: Mapping[str, Any]) -> Household:
    household = Household(
        household_number=issue_number(session, "household"),
        **{item: snapshot.get(f"household_{item}") for item in HOUSEHOLD_ITEMS},
    )
    refresh_household_keys(household)
    session.add(household)
    return household


def place(
    session: Session,
    resident: Resident,
    snapshot: Mapping[str, Any],
    placement: Placement,
    recreated: dict[str, Household],
) -> set[Household]:
    """Move the person as ``placement`` says; ``recreated`` shares one new household per former 世帯番号.
    Returns the households whose membership changed (to settle)."""
    source = resident.household
    if placement.how == "stay":
        return {source}
    if placement.how == "address":
        for item in HOUSEHOLD_ITEMS:
            setattr(source, item, snapshot.get(f"household_{item}"))
        refresh_household_keys(source)
        return {source}
    if placement.how == "join":
        target = session.scalars(
            select(Household).where(Household.household_number == placement.former_number)
        ).one()
    else:
        if placement.former_number not in recreated:
            recreated[placement.former_number] = _new_household(session, snapshot)
        target = recreated[placement.former_number]
    if source.head is resident:
        source.head = None
    resident.household = target
    if resident.relation_to_head == HEAD:
        target.head = resident
    return {source, target}


def remove_person(resident: Resident, removal_date: dt.date) -> Household:
    """取消（減）: the person becomes a 除票 whose 消除事由 is 異動の取消し（減）."""
    resident.status = "removed"
    resident.removal_reason = DECREASE
    resident.removal_date = removal_date
    if resident.household.head is resident:
        resident.household.head = None
    return resident.household
