"""Household primitives every change flow uses (j460, j470, j490, j720, j730): new persons joining a household,
members moving to another or a new household, a household's new address, a new head, the member order.

Each checks ``resident.change``, validates everything before writing (nothing is half-written), appends one
history row per person whose record changed (history is never overwritten) with a reason code from
``handlers.rules.change_reasons.REASONS``, and writes one access-log row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.change_records import append_change, record_household_change
from handlers.residents.household_members import HEAD, reorder_members, settle_household
from handlers.residents.household_problems import head_problem, mover_problems, relation_problems
from handlers.residents.lookup import find_resident
from handlers.residents.new_members import NewMembers, build_new_members, change_request, write_new_members
from handlers.residents.numbering import issue_number, issue_numbers
from handlers.residents.search_keys import refresh_household_keys, refresh_resident_keys
from handlers.residents.validation import validate_household_input, validate_resident_input
from handlers.row_writes import insert_rows
from handlers.rules.relationship import normalize_relationship
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

CREATED_KEY = "households_created"


def find_household(uow: UnitOfWork, household_number: str) -> Household:
    """The active household with this 世帯番号 (one created earlier in this transaction is not read again)."""
    found = uow.session.info.get(CREATED_KEY, {}).get(household_number)
    if found is None or found not in uow.session:
        found = uow.session.scalars(
            select(Household).where(Household.household_number == household_number)
        ).one_or_none()
    if found is None or found.status != "active":
        raise NotFoundError("指定された世帯番号の世帯は見つかりません。")
    return found


def active_members(household: Household) -> list[Resident]:
    return [m for m in household.members if m.status != "removed"]


def add_members_to_household(
    uow: UnitOfWork,
    household_number: str,
    members: Sequence[Mapping[str, Any]],
    *,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
    family_of: Mapping[str, str] | None = None,
    atena_numbers: Sequence[str] | None = None,
    built: NewMembers | None = None,
) -> list[Resident]:
    """New persons (new 宛名番号) join an existing household with their 続柄 (j470).  ``atena_numbers``: the
    persons' numbers, issued by the caller in this transaction (else issued here); ``built``: the persons as
    the caller checked and built them with ``build_new_members`` (else ``members`` are checked here)."""
    require(uow.actor, "resident.change")
    household = find_household(uow, household_number)
    if built is None:
        built = build_new_members(members, reason_code=reason_code, change_date=change_date,
                                  notified_date=notified_date, has_head=household.head is not None)  # fmt: skip
    elif household.head is not None and HEAD in (heads := [p.relation_to_head for p in built.persons]):
        raise ValidationError([head_problem(f"members[{heads.index(HEAD)}].relation_to_head")])
    if atena_numbers is None:
        atena_numbers = issue_numbers(uow.session, "atena", len(built.persons))
    return write_new_members(uow, household, built, atena_numbers, note, family_of)


def _new_household(
    uow: UnitOfWork, data: Mapping[str, Any], like: Household
) -> tuple[Household | None, list[Problem]]:
    fields = dict(data)
    if not fields.get("address"):
        for key in ("address", "address_katagaki", "postal_code", "address_code", "ward_code"):
            fields.setdefault(key, getattr(like, key))
    parsed, problems = validate_household_input(fields)
    if problems:
        return None, problems
    household = Household(household_number=issue_number(uow.session, "household"), **parsed.values)
    refresh_household_keys(household)
    uow.session.add(household)
    return household, []


def move_members(
    uow: UnitOfWork,
    atena_numbers: Sequence[str],
    *,
    to_household_number: str | None = None,
    new_household: Mapping[str, Any] | None = None,
    relations: Mapping[str, str],
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Household:
    """Part or all of a household joins another household or forms a new one (j460, j470, j720).

    A household left empty is dissolved; when its head leaves, the head is unset (j100, j490)."""
    require(uow.actor, "resident.change")
    if (to_household_number is None) == (new_household is None):
        raise ValueError("give either to_household_number or new_household")
    movers = [find_resident(uow.session, number) for number in atena_numbers]
    target = find_household(uow, to_household_number) if to_household_number else None
    request, problems = change_request(
        reason_code, change_date, notified_date, [m.resident_kind for m in movers]
    )
    if not movers:
        problems.append(
            Problem(
                "atena_numbers", "異動者", "選択されていません", "異動する住民を選択してください", "required"
            )
        )
    problems += mover_problems(movers, relations, target)
    if target is None and movers and not problems:
        target, found = _new_household(uow, new_household or {}, movers[0].household)
        problems += found
    if problems or target is None:
        raise ValidationError(problems)
    sources = {m.household.id: m.household for m in movers}
    for mover in movers:
        if mover.household.head is mover:
            mover.household.head = None  # the head left: unset until a 世帯主変更 (j490)
        mover.household = target
        mover.relation_to_head = normalize_relationship(str(relations[mover.atena_number]))
    uow.session.flush()
    for household in [*sources.values(), target]:
        uow.session.refresh(household, ["members"])
        settle_household(household)
    record_household_change(uow, "household_members_moved", target, movers, request, note)
    return target


def change_household_address(
    uow: UnitOfWork,
    household_number: str,
    *,
    address: str,
    address_code: str | None = None,
    postal_code: str | None = None,
    katagaki: str | None = None,
    address_set_date: str | dt.date,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Household:
    """The household moves (転居 and the like): every member gets the new 住所を定めた年月日 and a history row."""
    require(uow.actor, "resident.change")
    household = find_household(uow, household_number)
    members = active_members(household)
    request, problems = change_request(
        reason_code, change_date, notified_date, [m.resident_kind for m in members]
    )
    parsed, found = validate_household_input(
        {"address": address, "address_code": address_code, "postal_code": postal_code, "address_katagaki": katagaki,
         "ward_code": household.ward_code}
    )  # fmt: skip
    set_date, _ = change_request(reason_code, address_set_date, None, [])
    problems += found
    if set_date.change_date is None:
        problems.append(
            Problem(
                "address_set_date",
                "住所を定めた年月日",
                "正しく入力されていません",
                "住所を定めた年月日を入力してください",
                "required",
            )
        )
    if problems:
        raise ValidationError(problems)
    for key, value in parsed.values.items():
        setattr(household, key, value)
    refresh_household_keys(household)
    for member in members:
        member.address_set_date = set_date.change_date
        member.address_set_date_text = None
    record_household_change(uow, "household_address_changed", household, members, request, note)
    return household


def change_head(
    uow: UnitOfWork,
    household_number: str,
    new_head_atena: str,
    *,
    relations: Mapping[str, str],
    reason_code: str = "head_change",
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Household:
    """世帯主変更 (j720, j730): the new head's 続柄 becomes 世帯主; the others take the given 続柄 (the former
    head must be given one); every member gets a history row (the head's name is in each snapshot)."""
    require(uow.actor, "resident.change")
    household = find_household(uow, household_number)
    members = active_members(household)
    by_atena = {m.atena_number: m for m in members}
    request, problems = change_request(
        reason_code, change_date, notified_date, [m.resident_kind for m in members]
    )
    if new_head_atena not in by_atena:
        problems.append(
            Problem(
                "new_head_atena",
                "新しい世帯主",
                "この世帯の世帯員ではありません",
                "世帯員から選択してください",
                "not_member",
            )
        )
    old_head = household.head
    others = [m.atena_number for m in members if m.atena_number != new_head_atena]
    must_give = [a for a in others if a in relations or (old_head is not None and a == old_head.atena_number)]
    problems += relation_problems(relations, must_give)
    if any(normalize_relationship(str(relations.get(a) or "")) == HEAD for a in must_give):
        problems.append(head_problem("relations"))
    if problems:
        raise ValidationError(problems)
    for atena in must_give:
        by_atena[atena].relation_to_head = normalize_relationship(str(relations[atena]))
    new_head = by_atena[new_head_atena]
    new_head.relation_to_head = HEAD
    household.head = new_head
    reorder_members(members)
    record_household_change(uow, "household_head_changed", household, members, request, note)
    return household


def reorder_household(
    uow: UnitOfWork, household_number: str, family_of: Mapping[str, str] | None = None
) -> Household:
    """Put the members in the standard's order (j1010); ``family_of`` places a child's family after the child.
    The order is a display attribute: no history row is appended for it."""
    require(uow.actor, "resident.change")
    household = find_household(uow, household_number)
    reorder_members(active_members(household), family_of)
    uow.session.flush()
    return household


def create_household(
    uow: UnitOfWork, data: Mapping[str, Any], household_number: str | None = None
) -> Household:
    """A new, still empty household (new 世帯番号, or ``household_number`` issued by the caller in this
    transaction) at the given address; members join it afterwards."""
    require(uow.actor, "resident.change")
    parsed, problems = validate_household_input(data)
    if problems:
        raise ValidationError(problems)
    number = household_number if household_number is not None else issue_number(uow.session, "household")
    household = Household(
        household_number=number, members=[], **parsed.values
    )  # a new household has no members: nothing to load when they join
    refresh_household_keys(household)
    uow.session.flush()
    uow.session.add(household)
    insert_rows(uow.session, [household])
    uow.session.info.setdefault(CREATED_KEY, {})[household.household_number] = household
    return household


REMOVAL_FIELDS = (
    "removal_reason", "removal_date", "destination_planned_address", "destination_planned_code",
    "destination_planned_postal_code", "move_out_planned_date", "destination_confirmed_address",
    "destination_confirmed_code", "destination_confirmed_postal_code", "move_out_confirmed_date",
    "move_in_notice_date",
)  # fmt: skip


def readmit_resident(
    uow: UnitOfWork,
    atena_number: str,
    household_number: str,
    member: Mapping[str, Any],
    *,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Resident:
    """再転入 (j600): a removed person (除票 in the live tables) becomes a resident again under the same
    宛名番号, with the entered items; the old history stays and a new row is appended."""
    require(uow.actor, "resident.change")
    resident = find_resident(uow.session, atena_number)
    household = find_household(uow, household_number)
    kind = str(member.get("resident_kind") or resident.resident_kind)
    request, problems = change_request(reason_code, change_date, notified_date, [kind])
    parsed, found = validate_resident_input(member, kind=kind)
    problems += found
    if resident.status != "removed":
        problems.append(
            Problem(
                "re_move_in_of",
                "再転入",
                "この住民は消除されていません",
                "宛名番号を確認してください",
                "not_removed",
            )
        )
    if problems:
        raise ValidationError(problems)
    for field in REMOVAL_FIELDS:
        setattr(resident, field, None)
    for key, value in {"notified_date": request.notified_date, **parsed.values}.items():
        setattr(resident, key, value)
    resident.resident_kind, resident.status, resident.household = kind, "resident", household
    refresh_resident_keys(resident)
    uow.session.flush()
    uow.session.refresh(household, ["members"])
    settle_household(household)
    append_change(uow, resident, request, note)
    record_access(
        uow, "resident_readmitted", "change", [atena_number], detail={"reason": request.reason.code}
    )
    return resident
