"""住民票コードの付番・変更・修正 (j870, j880, j890): what the three change types share.

* A code once given and then replaced is never handed out again: it is kept in the pool marked ``taken``
  (added there when it came from elsewhere, e.g. a 転入's 転出証明書), so ``take_resident_code`` and
  ``load_pool`` skip it.
* The change appends one history row (the snapshot carries the new code); the standard forbids keeping any
  further 変更情報 (j880 【実装しない機能】), so there is no separate log of code changes.
* 住基ネット (CS) learns the new code; the 住民票コード通知票 / 変更通知票 / 修正通知票 is issued in the same flow
  and may be printed again later (``reprint_resident_code_notice``, j890) without any change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.audit import record_access
from handlers.changes.base import RegistrationResult
from handlers.changes.ex_officio import cs_notice, past_or_today
from handlers.changes.ex_officio_removal import subject_resident
from handlers.clock import japan_today
from handlers.errors import Problem, ValidationError
from handlers.permissions import require
from handlers.residents.history import HistoryDates, display_name
from handlers.residents.lookup import find_resident
from handlers.residents.registration import amend_resident
from handlers.uow import UnitOfWork
from models.resident import Resident
from models.resident_code_pool import ResidentCodePoolEntry

NOTICES = {
    "issue": "resident_code_notice",  # 住民票コード通知票
    "change": "resident_code_change_notice",  # 住民票コード変更通知票
    "correction": "resident_code_correction_notice",  # 住民票コード修正通知票
}
NOTICE_LABELS = {
    "resident_code_notice": "住民票コード通知票",
    "resident_code_change_notice": "住民票コード変更通知票",
    "resident_code_correction_notice": "住民票コード修正通知票",
}


def pool_entry(session: Session, code: str) -> ResidentCodePoolEntry | None:
    return session.scalars(select(ResidentCodePoolEntry).where(ResidentCodePoolEntry.code == code)).first()


def holder_of(session: Session, code: str) -> Resident | None:
    """The person (resident or 除票 in the live tables) who holds ``code``."""
    return session.scalars(select(Resident).where(Resident.resident_code == code)).first()


def retire_code(uow: UnitOfWork, code: str | None) -> None:
    """Keep a replaced code in the pool as taken, so that it is never given to anybody again."""
    if not code:
        return
    entry = pool_entry(uow.session, code)
    if entry is None:
        entry = ResidentCodePoolEntry(tenant_id=uow.actor.tenant_id, code=code, taken=False)
        uow.session.add(entry)
    if not entry.taken:
        entry.taken = True
        entry.taken_at = dt.datetime.now(dt.UTC)
    uow.session.flush()


def code_problem(field: str, reason: str, remedy: str, code: str) -> Problem:
    return Problem(field, "住民票コード", reason, remedy, code)


def has_code_problem(resident: Resident, *, wanted: bool) -> list[Problem]:
    """付番 needs a person without a code; 変更・修正 a person with one."""
    if wanted and not resident.resident_code:
        return [
            code_problem(
                "atena_number",
                "この住民には住民票コードが付番されていません",
                "住民票コードの付番を行ってください",
                "resident_code_missing",
            )
        ]
    if not wanted and resident.resident_code:
        return [
            code_problem(
                "atena_number",
                "この住民には既に住民票コードが付番されています",
                "変更請求による変更または修正を行ってください",
                "resident_code_already_issued",
            )
        ]
    return []


@dataclass(frozen=True)
class CodeChange:
    """How one code change is registered: its reason, the document, the note of its history row."""

    kind: str  # issue / change / correction
    reason_code: str
    note: str


def register_code(
    uow: UnitOfWork, proposal: Mapping[str, Any], new_code: str, how: CodeChange, dates: HistoryDates
) -> RegistrationResult:
    """Give the person ``new_code`` (one history row), retire the old one, tell CS, issue the notice."""
    resident = find_resident(uow.session, str(proposal["atena_number"]))
    old_code = resident.resident_code
    retire_code(uow, old_code)
    amend_resident(
        uow,
        resident.atena_number,
        {"resident_code": new_code},
        reason_code=how.reason_code,
        change_date=str(proposal["change_date"]),
        note=how.note,
        dates=dates,
    )
    notice = cs_notice(
        "identity_change",
        resident,
        how.reason_code,
        resident_code=new_code,
        previous_resident_code=old_code,
    )
    documents = [NOTICES[how.kind]]
    if proposal.get("notify_person"):
        documents.append("ex_officio_notice")
    return RegistrationResult(
        atena_numbers=[resident.atena_number],
        household_numbers=[resident.household.household_number],
        notices=[notice],
        documents=documents,
        summary={"atena_number": resident.atena_number, "reason": how.reason_code},
    )


@dataclass(frozen=True)
class ResidentCodeNoticeCopy:
    """The content of a reprinted 住民票コード通知票等 (j890): a document, no change to the register."""

    document: str
    title: str
    atena_number: str
    name: str
    address: str
    resident_code: str
    printed_on: dt.date
    reprint: bool = True


def reprint_resident_code_notice(uow: UnitOfWork, atena_number: str, document: str) -> ResidentCodeNoticeCopy:
    """再出力 of a 住民票コード通知票 / 変更通知票 / 修正通知票 with the person's current code (j890)."""
    require(uow.actor, "resident_code.issue")
    if document not in NOTICE_LABELS:
        raise ValidationError(
            [
                Problem(
                    "document",
                    "通知票の種類",
                    "住民票コード通知票等ではありません",
                    "通知票・変更通知票・修正通知票のいずれかを選択してください",
                    "unknown_document",
                )
            ]
        )
    resident = find_resident(uow.session, atena_number)
    if resident.status == "removed" or not resident.resident_code:
        raise ValidationError(
            [
                code_problem(
                    "atena_number",
                    "住民票コードが付番された住民ではありません",
                    "対象者を確認してください",
                    "resident_code_missing",
                )
            ]
        )
    record_access(
        uow,
        "resident_code_notice_reprinted",
        "print",
        [atena_number],
        detail={"document": document},
    )
    return ResidentCodeNoticeCopy(
        document=document,
        title=f"{NOTICE_LABELS[document]}（再出力）",
        atena_number=atena_number,
        name=display_name(resident),
        address=resident.household.address,
        resident_code=resident.resident_code,
        printed_on=japan_today(),
    )


@dataclass
class CodeIntake:
    """The common part of a code change's intake, checked."""

    resident: Resident | None
    proposal: dict[str, Any]
    subjects: list[str]
    change_date: dt.date | None


def read_code_intake(
    uow: UnitOfWork, intake: Mapping[str, Any], problems: list[Problem], *, has_code: bool
) -> CodeIntake:
    """The person (a resident, with or without a code as the change needs) and the 異動日 (default today)."""
    resident = subject_resident(uow.session, intake, problems)
    if resident is not None and resident.status != "removed":
        problems.extend(has_code_problem(resident, wanted=has_code))
    when = past_or_today(intake.get("change_date"), "change_date", "異動日", problems)
    subjects = []
    if resident is not None:
        subjects = [f"resident:{resident.atena_number}", f"household:{resident.household.household_number}"]
    proposal = {
        "atena_number": str(intake.get("atena_number") or "").strip(),
        "change_date": when.isoformat() if when else None,
    }
    return CodeIntake(resident, proposal, subjects, when)
