"""What 旧氏 (請求) and 通称 (申出) changes share (j70): the kind of change asked for, the person it concerns,
the new items checked against the person's whole record, and the one history row with its notice.

旧氏 is recorded only for Japanese residents (令第30条の13) and 通称 only for foreign residents (令第30条の16):
the kinds' reasons (``handlers.rules.change_reasons``) say so, and ``kind_of_person_problems`` refuses the
other kind of person at intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.changes.base import Assessment, RegistrationResult
from handlers.changes.ex_officio import cs_notice, flag, past_or_today
from handlers.changes.ex_officio_removal import subject_resident
from handlers.errors import Problem
from handlers.residents.history import HistoryDates
from handlers.residents.items import RESIDENT_ITEM_BY_FIELD
from handlers.residents.parsing import clean_text
from handlers.residents.registration import amend_resident, current_items
from handlers.residents.validation import validate_resident_input
from handlers.rules.change_reasons import REASONS
from handlers.uow import UnitOfWork
from models.resident import Resident


@dataclass(frozen=True)
class NameRequest:
    """One kind of intake: the 請求/申出 (``asked_field`` its date), the kinds offered and their reasons."""

    item: str  # 旧氏 / 通称
    asked_field: str  # claim_date (請求日) / requested_date (申出日)
    asked_label: str  # 請求日 / 申出日
    kinds: Mapping[str, str]  # kind → 異動事由 code
    resident_kind: str  # japanese / foreign


# (person, kind, intake, problems, 異動日) → the items to change; problems of the person's state are appended
ChangesOf = Callable[[Resident, str, Mapping[str, Any], list[Problem], dt.date | None], dict[str, Any]]


def read_kind(request: NameRequest, intake: Mapping[str, Any], problems: list[Problem]) -> str:
    kind = str(intake.get("kind") or "").strip()
    if kind not in request.kinds:
        wanted = "・".join(REASONS[code].label for code in request.kinds.values())
        problems.append(
            Problem(
                "kind", "異動事由", f"{request.item}の異動の種類が選択されていません",
                f"{wanted}のいずれかを選択してください", "required",
            )
        )  # fmt: skip
    return kind


def kind_of_person_problems(request: NameRequest, resident: Resident) -> list[Problem]:
    if resident.resident_kind == request.resident_kind:
        return []
    who = "日本人住民" if request.resident_kind == "japanese" else "外国人住民"
    return [
        Problem(
            "atena_number", "宛名番号", f"{request.item}は{who}にのみ記載できます",
            "対象者を確認してください", "wrong_resident_kind",
        )
    ]  # fmt: skip


def entered_text(intake: Mapping[str, Any], field: str, item: str, problems: list[Problem]) -> str | None:
    """A required text item of the intake; a problem when blank."""
    text = clean_text(intake.get(field))
    if text is None:
        problems.append(Problem(field, item, "入力されていません", f"{item}を入力してください", "required"))
    return text


def kana_confirmed(intake: Mapping[str, Any], field: str, kana: str | None) -> bool:
    """The フリガナ確認フラグ (j180) of the intake's ``field``: only a フリガナ entered can be confirmed."""
    return kana is not None and flag(intake.get(field))


def item_problems(resident: Resident, changes: Mapping[str, Any]) -> list[Problem]:
    """The new items checked as part of the person's whole record (length, katakana フリガナ …)."""
    merged = {**current_items(resident), **changes}
    _parsed, problems = validate_resident_input(
        merged, kind=resident.resident_kind, removed=resident.status == "removed"
    )
    return [p for p in problems if p.field in changes]


def assess_name_request(
    uow: UnitOfWork,
    request: NameRequest,
    intake: Mapping[str, Any],
    changes_of: ChangesOf,
) -> Assessment:
    """The common assessment: kind, person, 請求日/申出日 and 異動日 (today when blank, never later), and the
    changes ``changes_of`` derives from the person's current record."""
    problems: list[Problem] = []
    kind = read_kind(request, intake, problems)
    resident = subject_resident(uow.session, intake, problems)
    asked = past_or_today(intake.get(request.asked_field), request.asked_field, request.asked_label, problems)
    when = past_or_today(intake.get("change_date"), "change_date", "異動日", problems)
    changes: dict[str, Any] = {}
    subjects: list[str] = []
    if resident is not None:
        wrong_kind = kind_of_person_problems(request, resident)
        problems += wrong_kind
        if kind in request.kinds and not wrong_kind:
            changes = changes_of(resident, kind, intake, problems, when)
            problems += item_problems(resident, changes)
        subjects = [f"resident:{resident.atena_number}", f"household:{resident.household.household_number}"]
    proposal = {
        "atena_number": str(intake.get("atena_number") or "").strip(),
        "kind": kind,
        "changes": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()},
        request.asked_field: asked.isoformat() if asked else None,
        "change_date": when.isoformat() if when else None,
    }
    return Assessment(proposal, problems, [], subjects, when)


def register_name_request(
    uow: UnitOfWork, request: NameRequest, proposal: Mapping[str, Any]
) -> RegistrationResult:
    """本登録: one history row with the reason and the 請求日/申出日, a notice to 住基ネット (CS)."""
    reason = request.kinds[str(proposal["kind"])]
    asked = dt.date.fromisoformat(str(proposal[request.asked_field]))
    if request.asked_field == "claim_date":
        dates = HistoryDates(claim_date=asked)
    else:
        dates = HistoryDates(requested_date=asked)
    label = REASONS[reason].label
    resident = amend_resident(
        uow,
        str(proposal["atena_number"]),
        dict(proposal["changes"]),
        reason_code=reason,
        change_date=str(proposal["change_date"]),
        note=f"{label}（{request.asked_label} {asked.isoformat()}）",
        dates=dates,
    )
    notice = cs_notice("identity_change", resident, reason, change_date=str(proposal["change_date"]))
    return RegistrationResult(
        atena_numbers=[resident.atena_number],
        household_numbers=[resident.household.household_number],
        notices=[notice],
        documents=[],
        summary={"atena_number": resident.atena_number, "reason": reason},
    )


def describe_name_changes(uow: UnitOfWork, proposal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The review's rows (審査): each changed item of the person, as registered and as proposed."""
    number = str(proposal.get("atena_number") or "")
    person = uow.session.scalars(select(Resident).where(Resident.atena_number == number)).first()
    rows = []
    for field, after in dict(proposal.get("changes") or {}).items():
        before = getattr(person, field, None) if person is not None else None
        before = before.isoformat() if isinstance(before, dt.date) else before
        if before != after:
            label = RESIDENT_ITEM_BY_FIELD[field].label
            rows.append({"subject": f"resident:{number}", "field": field, "label": label, "before": before,
                         "after": after})  # fmt: skip
    return rows
