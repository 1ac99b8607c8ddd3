"""Register A use cases: record a new household with its members, amend a person, remove a person (除票).

Each call checks ``resident.change``, validates everything first (nothing is written when any problem is
found), appends one full history row per person touched and writes one access-log row.  The 処理日 is always
today (j480); it is never taken from input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from handlers.audit import record_access
from handlers.errors import ConflictError, Problem, ValidationError
from handlers.permissions import require
from handlers.residents.change_records import append_change, record_household_change
from handlers.residents.created_here import remember_created
from handlers.residents.events import check_change_request
from handlers.residents.history import HistoryDates
from handlers.residents.household_members import HEAD, reorder_members, set_head_from_relations
from handlers.residents.items import REMOVAL_ITEMS, RESIDENT_ITEMS
from handlers.residents.lookup import find_resident
from handlers.residents.numbering import issue_number
from handlers.residents.parsing import parse_items
from handlers.residents.search_keys import refresh_household_keys, refresh_resident_keys
from handlers.residents.validation import (
    ResidentInput,
    check_postal,
    validate_household_input,
    validate_resident_input,
)
from handlers.uow import UnitOfWork
from models.resident import Household, Resident

NOT_AMENDABLE = {"atena_number", "household_id", "status", "history_no", "resident_kind", "version", "id"}


def _member_problems(index: int, problems: list[Problem]) -> list[Problem]:
    """Name the member a problem belongs to (「（2人目）」) and where it sits in the request."""
    return [
        Problem(
            field=f"members[{index}].{p.field}",
            item=f"{p.item}（{index + 1}人目）",
            reason=p.reason,
            remedy=p.remedy,
            code=p.code,
            level=p.level,
        )
        for p in problems
    ]


def _check_shape(household: object, members: object) -> None:
    """The household is one object and the members a list of objects (as a JSON request may not be): anything
    else is refused before any item is read."""
    problems = []
    if not isinstance(household, Mapping):
        problems.append(Problem("household", "世帯", "項目名と値の組（オブジェクト）ではありません",
                                "住所などの世帯の項目をオブジェクトで送信してください", "format"))  # fmt: skip
    if (
        not isinstance(members, Sequence)
        or isinstance(members, str)
        or not all(isinstance(m, Mapping) for m in members)
    ):
        problems.append(Problem("members", "世帯員", "世帯員ごとのオブジェクトの配列ではありません",
                                "世帯員の項目を一人ずつオブジェクトにして配列で送信してください", "format"))  # fmt: skip
    if problems:
        raise ValidationError(problems)


def _validate_members(members: Sequence[Mapping[str, Any]]) -> tuple[list[ResidentInput], list[Problem]]:
    inputs: list[ResidentInput] = []
    problems: list[Problem] = []
    if not members:
        problems.append(
            Problem(
                "members",
                "世帯員",
                "世帯員が一人も入力されていません",
                "世帯員を入力してください",
                "required",
            )
        )
    for index, member in enumerate(members):
        kind = str(member.get("resident_kind") or "japanese")
        parsed, found = validate_resident_input(member, kind=kind)
        inputs.append(parsed)
        problems.extend(_member_problems(index, found))
    heads = [m for m in inputs if m.values.get("relation_to_head") == HEAD]
    if len(heads) > 1:
        problems.append(
            Problem(
                "members",
                "世帯主との続柄",
                "世帯主が複数入力されています",
                "世帯主は一人だけにしてください",
                "duplicate_head",
            )
        )
    return inputs, problems


def _new_resident(
    uow: UnitOfWork, household: Household, member: ResidentInput, notified: dt.date | None
) -> Resident:
    values = dict(member.values)
    if notified is not None and values.get("notified_date") is None:
        values["notified_date"] = notified
    resident = Resident(
        atena_number=issue_number(uow.session, "atena"),
        resident_kind=member.kind,
        status="resident",
        history_no=0,
        household=household,
        **values,
    )
    refresh_resident_keys(resident)
    uow.session.add(resident)
    return resident


def register_household(
    uow: UnitOfWork,
    household: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    *,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
) -> Household:
    """記載: a new household (new 世帯番号) and its members (new 宛名番号), with the first history rows."""
    require(uow.actor, "resident.change")
    _check_shape(household, members)
    kinds = [str(m.get("resident_kind") or "japanese") for m in members]
    request, problems = check_change_request(
        reason_code, change_date, notified_date, category="record", kinds=kinds
    )
    household_input, household_problems = validate_household_input(household)
    member_inputs, member_problems = _validate_members(members)
    problems += household_problems + member_problems
    if problems:
        raise ValidationError(problems)
    new_household = Household(
        household_number=issue_number(uow.session, "household"), **household_input.values
    )
    refresh_household_keys(new_household)
    uow.session.add(new_household)
    residents = [_new_resident(uow, new_household, m, request.notified_date) for m in member_inputs]
    uow.session.flush()
    remember_created(uow.session, residents)
    set_head_from_relations(new_household, residents)
    reorder_members(residents)
    record_household_change(uow, "household_registered", new_household, residents, request, note)
    return new_household


def _check_version(resident: Resident, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != resident.version:
        raise ConflictError(
            "この住民の記録は他の操作で更新されています。画面を開き直してから入力してください。"
        )


def current_items(resident: Resident) -> dict[str, Any]:
    """The person's stored items as ``validate_resident_input`` reads them (flexible dates with their text)."""
    items: dict[str, Any] = {}
    for spec in RESIDENT_ITEMS:
        items[spec.field] = getattr(resident, spec.field)
        if spec.kind == "flex_date":
            items[f"{spec.field}_text"] = getattr(resident, f"{spec.field}_text")
    return items


def _merged(resident: Resident, changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    fields = {spec.field: spec for spec in RESIDENT_ITEMS}
    merged = current_items(resident)
    problems = []
    for key, value in changes.items():
        base = key.removesuffix("_text")
        if key in NOT_AMENDABLE or base not in fields:
            problems.append(
                Problem(
                    key,
                    key,
                    "この項目は変更できません",
                    "変更できる項目だけを指定してください",
                    "not_amendable",
                )
            )
            continue
        merged[key] = value
        if fields[base].kind == "flex_date" and key == base and f"{key}_text" not in changes:
            merged.pop(f"{key}_text", None)
    return merged, problems


def amend_resident(
    uow: UnitOfWork,
    atena_number: str,
    changes: Mapping[str, Any],
    *,
    reason_code: str,
    change_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    dates: HistoryDates | None = None,
) -> Resident:
    """修正: validate the merged state, apply it and append a full snapshot (history is never overwritten).

    ``dates`` are the history row's 通知日 / 申出日 / 請求日 (``handlers.residents.history.HistoryDates``)."""
    require(uow.actor, "resident.change")
    resident = find_resident(uow.session, atena_number)
    _check_version(resident, expected_version)
    request, problems = check_change_request(
        reason_code, change_date, notified_date, category="amendment", kinds=[resident.resident_kind]
    )
    merged, key_problems = _merged(resident, changes)
    parsed, found = validate_resident_input(
        merged, kind=resident.resident_kind, removed=resident.status == "removed"
    )
    problems += key_problems + found
    was_head = resident.household.head_resident_id == resident.id
    if parsed.values.get("relation_to_head") == HEAD and not was_head and resident.household.head is not None:
        problems.append(
            Problem(
                "relation_to_head",
                "世帯主との続柄",
                "この世帯には既に世帯主がいます",
                "世帯主の変更は世帯主変更の届出で行ってください",
                "duplicate_head",
            )
        )
    if problems:
        raise ValidationError(problems)
    for key, value in parsed.values.items():
        setattr(resident, key, value)
    refresh_resident_keys(resident)
    _keep_head_consistent(resident, was_head)
    append_change(uow, resident, request, note, dates)
    record_access(
        uow, "resident_amended", "change", [resident.atena_number], detail={"reason": request.reason.code}
    )
    return resident


def _keep_head_consistent(resident: Resident, was_head: bool) -> None:
    household = resident.household
    is_head = resident.relation_to_head == HEAD and resident.status != "removed"
    if is_head and not was_head:
        household.head = resident
    elif was_head and not is_head:
        household.head = None  # the head may be unset (j100)
    reorder_members([m for m in household.members if m.status != "removed"])


def remove_resident(
    uow: UnitOfWork,
    atena_number: str,
    *,
    reason_code: str,
    removal_date: str | dt.date,
    notified_date: str | dt.date | None = None,
    destination_planned_address: str | None = None,
    destination_planned_code: str | None = None,
    destination_planned_postal_code: str | None = None,
    move_out_planned_date: str | dt.date | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Resident:
    """消除: the person becomes a 除票 in the live tables (status ``removed``, j50) with the removal items."""
    require(uow.actor, "resident.change")
    resident = find_resident(uow.session, atena_number)
    _check_version(resident, expected_version)
    if resident.status == "removed":
        raise ConflictError("この住民は既に消除されています。")
    request, problems = check_change_request(
        reason_code, removal_date, notified_date, category="removal", kinds=[resident.resident_kind]
    )
    removal = {
        "destination_planned_address": destination_planned_address,
        "destination_planned_code": destination_planned_code,
        "destination_planned_postal_code": destination_planned_postal_code,
        "move_out_planned_date": move_out_planned_date,
    }
    values = parse_items(REMOVAL_ITEMS, {k: v for k, v in removal.items() if v is not None}, problems)
    problems += check_postal(values, "destination_planned_postal_code", "転出先郵便番号（予定）")
    if problems:
        raise ValidationError(problems)
    was_head = resident.household.head_resident_id == resident.id
    for key, value in values.items():
        setattr(resident, key, value)
    resident.status = "removed"
    resident.removal_reason = request.reason.code
    resident.removal_date = request.change_date
    _keep_head_consistent(resident, was_head)
    if all(m.status == "removed" for m in resident.household.members):
        resident.household.status = "dissolved"
    append_change(uow, resident, request, note)
    record_access(
        uow, "resident_removed", "change", [resident.atena_number], detail={"reason": request.reason.code}
    )
    return resident
