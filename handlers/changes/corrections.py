"""修正 ex officio (職権修正 j840, 軽微な修正 j850, 誤記修正 j860): amend a person's items and/or the address of
their household; each appends history (the erroneous rows stay as they are, j860).

Intake: ``atena_number``; ``changes`` (person items → new value); ``household_changes`` (住所, 方書, 郵便番号,
住所コード of the person's household); ``change_date`` (default today, not later); the ex-officio items;
``minor_category`` for 軽微な修正; ``corrected_history_no`` (the erroneous 履歴番号) for 誤記修正.

When the head's 氏名 or フリガナ changes, every other member gets a history row so that their snapshot's
世帯主の氏名 follows (j840).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult
from handlers.changes.ex_officio import (
    cs_notice,
    documents,
    history_dates,
    history_note,
    past_or_today,
    read_ex_officio,
)
from handlers.changes.ex_officio_removal import staying_members
from handlers.changes.same_koseki import describe_correction, same_koseki_members
from handlers.errors import NotFoundError, Problem
from handlers.residents.history import append_history
from handlers.residents.items import HIDDEN_ITEM_FIELDS, HOUSEHOLD_ITEM_BY_FIELD, RESIDENT_ITEM_BY_FIELD
from handlers.residents.lookup import find_resident
from handlers.residents.registration import NOT_AMENDABLE, amend_resident, current_items
from handlers.residents.search_keys import refresh_household_keys
from handlers.residents.validation import validate_household_input, validate_resident_input
from handlers.uow import UnitOfWork
from models.resident import Household, Resident, ResidentHistory

HEAD_NAME_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "name_alphabet")
HOUSEHOLD_FIELDS = ("address", "address_katagaki", "postal_code", "address_code")
HEAD_PROPAGATION_NOTE = "世帯主の氏名の修正に伴い、世帯主の氏名を職権で修正した"


def _person(uow: UnitOfWork, intake: Mapping[str, Any], problems: list[Problem]) -> Resident | None:
    number = str(intake.get("atena_number") or "").strip()
    try:
        return find_resident(uow.session, number)
    except NotFoundError as err:
        problems.append(
            Problem("atena_number", "宛名番号", str(err), "対象者を選択してください", "not_found")
        )
        return None


def _unknown(field: str) -> Problem:
    return Problem(
        field, field, "この項目は修正できません", "修正できる項目だけを指定してください", "not_amendable"
    )


def _person_problems(resident: Resident, changes: Mapping[str, Any]) -> list[Problem]:
    found = [
        _unknown(k)
        for k in changes
        if k in NOT_AMENDABLE or k.removesuffix("_text") not in RESIDENT_ITEM_BY_FIELD
    ]
    if "remarks" in changes:  # 備考 is kept apart from the history (j140), every edit with its author
        found.append(Problem("remarks", "備考", "備考は異動の修正では変更できません",
                             "住民記録照会の「統合記載欄」で編集してください", "remarks_apart"))  # fmt: skip
    merged = {**current_items(resident), **changes}
    for key in changes:
        if key in RESIDENT_ITEM_BY_FIELD and f"{key}_text" not in changes:
            merged.pop(f"{key}_text", None)
    _parsed, problems = validate_resident_input(
        merged, kind=resident.resident_kind, removed=resident.status == "removed"
    )
    return found + problems


def _household_problems(household: Household, changes: Mapping[str, Any]) -> list[Problem]:
    found = [_unknown(k) for k in changes if k not in HOUSEHOLD_FIELDS]
    merged = {f: getattr(household, f) for f in HOUSEHOLD_ITEM_BY_FIELD}
    merged.update({k: v for k, v in changes.items() if k in HOUSEHOLD_FIELDS})
    _parsed, problems = validate_household_input(merged)
    return found + problems


def _check_subject(
    resident: Resident,
    intake: Mapping[str, Any],
    changes: Mapping[str, Any],
    household_changes: Mapping[str, Any],
    problems: list[Problem],
) -> list[Resident]:
    """Add the person's and household's problems; return the members of the same 戸籍 the correction is quoted
    to (j510), whose merged states are checked once the person's own is sound."""
    own = _person_problems(resident, changes)
    problems += own + _household_problems(resident.household, household_changes)
    quoted, quote_problems = same_koseki_members(resident, intake, changes)
    problems += quote_problems
    if not own:
        problems += [p for member in quoted for p in _person_problems(member, changes)]
    return quoted


def assess_correction(
    uow: UnitOfWork, intake: Mapping[str, Any], reason_code: str, *, koseki: bool = False
) -> Assessment:
    """The checked correction; ``koseki`` when it rests on a 戸籍届出・通知 (its date is asked for, j780)."""
    problems: list[Problem] = []
    proposal = read_ex_officio(intake, problems, koseki=koseki)
    resident = _person(uow, intake, problems)
    changes = dict(intake.get("changes") or {})
    household_changes = dict(intake.get("household_changes") or {})
    when = past_or_today(intake.get("change_date"), "change_date", "異動日", problems)
    if not changes and not household_changes:
        problems.append(
            Problem(
                "changes",
                "修正内容",
                "修正する項目がありません",
                "修正後の内容を入力してください",
                "required",
            )
        )
    subjects: list[str] = []
    quoted: list[Resident] = []
    if resident is not None:
        quoted = _check_subject(resident, intake, changes, household_changes, problems)
        subjects = [f"resident:{resident.atena_number}", f"household:{resident.household.household_number}"]
        subjects += [f"resident:{member.atena_number}" for member in quoted]
    proposal.update(
        atena_number=str(intake.get("atena_number") or "").strip(),
        changes=changes,
        household_changes=household_changes,
        change_date=when.isoformat() if when else None,
        reason_code=reason_code,
    )
    if quoted:
        proposal["same_koseki_members"] = [member.atena_number for member in quoted]
    return Assessment(proposal, problems, [], subjects, when)


def _member_row(uow: UnitOfWork, member: Resident, proposal: Mapping[str, Any], note: str) -> None:
    append_history(
        uow.session,
        member,
        reason_code=str(proposal["reason_code"]),
        change_date=_date(proposal),
        note=note,
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
        **history_dates(proposal),
    )


def _date(proposal: Mapping[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(proposal["change_date"]))


def _apply_household(household: Household, changes: Mapping[str, Any]) -> None:
    parsed, _ = validate_household_input(
        {**{f: getattr(household, f) for f in HOUSEHOLD_ITEM_BY_FIELD}, **changes}
    )
    for key in HOUSEHOLD_FIELDS:
        setattr(household, key, parsed.values.get(key))
    refresh_household_keys(household)


def register_correction(
    uow: UnitOfWork, proposal: Mapping[str, Any], *, extra_note: str = ""
) -> RegistrationResult:
    resident = find_resident(uow.session, str(proposal["atena_number"]))
    reason = str(proposal["reason_code"])
    note = history_note(proposal) + extra_note
    household = resident.household
    if proposal.get("household_changes"):
        _apply_household(household, proposal["household_changes"])
    was_head = household.head_resident_id == resident.id
    changes = dict(proposal.get("changes") or {})
    if changes:
        amend_resident(
            uow,
            resident.atena_number,
            changes,
            reason_code=reason,
            change_date=_date(proposal),
            note=note,
            dates=history_dates(proposal),
        )
    else:
        _member_row(uow, resident, proposal, note)
    touched = [resident] + _quote_to_same_koseki(uow, resident, proposal, note)
    others = staying_members(resident) if resident.status != "removed" else []
    if proposal.get("household_changes"):
        touched += others
        for member in others:
            _member_row(uow, member, proposal, note)
    elif was_head and any(f in changes for f in HEAD_NAME_FIELDS):
        touched += others
        for member in others:
            _member_row(uow, member, proposal, HEAD_PROPAGATION_NOTE)
    numbers = [m.atena_number for m in touched]
    record_access(uow, "resident_changed", "change", numbers, detail={"reason": reason})
    notices: list[NoticeDraft] = [cs_notice("identity_change", m, reason) for m in touched]
    return RegistrationResult(
        numbers, [household.household_number], notices, documents(proposal), {"reason": reason}
    )


def _quote_to_same_koseki(
    uow: UnitOfWork, resident: Resident, proposal: Mapping[str, Any], note: str
) -> list[Resident]:
    """The first person's new 本籍・筆頭者 applied to the members of the same 戸籍 named at intake (j510)."""
    quoted = []
    for number in proposal.get("same_koseki_members") or []:
        quoted.append(amend_resident(
            uow, number, dict(proposal["changes"]), reason_code=str(proposal["reason_code"]),
            change_date=_date(proposal), dates=history_dates(proposal),
            note=f"{note}（宛名番号 {resident.atena_number} の本籍・筆頭者の修正を引用した一括修正）",
        ))  # fmt: skip
    return quoted


def describe_changes(uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the reviewer compares: the person's items and, quoted (j510), the same items of the members of
    the same 戸籍; the household's address changes under the household."""
    numbers = [str(proposal.get("atena_number") or ""), *(proposal.get("same_koseki_members") or [])]
    found = uow.session.scalars(select(Resident).where(Resident.atena_number.in_(numbers)))
    by_number = {person.atena_number: person for person in found}
    hidden = {f for key in uow.actor.hidden_items for f in HIDDEN_ITEM_FIELDS.get(key, ())}
    labels = {field: item.label for field, item in RESIDENT_ITEM_BY_FIELD.items()}
    people = {number: by_number.get(number) for number in numbers}
    rows = describe_correction(people, dict(proposal.get("changes") or {}), labels, hidden)
    person = by_number.get(numbers[0])
    if person is not None and proposal.get("household_changes"):
        household_labels = {field: item.label for field, item in HOUSEHOLD_ITEM_BY_FIELD.items()}
        for row in describe_correction(
            {"": person.household}, proposal["household_changes"], household_labels, set()
        ):
            rows.append({**row, "subject": f"household:{person.household.household_number}"})
    return rows


def history_row(uow: UnitOfWork, atena_number: str, history_no: int) -> ResidentHistory | None:
    return uow.session.scalars(
        select(ResidentHistory).where(
            ResidentHistory.atena_number == atena_number, ResidentHistory.history_no == history_no
        )
    ).one_or_none()
