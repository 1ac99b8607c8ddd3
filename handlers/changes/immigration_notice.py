"""出入国在留管理庁長官通知に基づく修正及び消除 (j960): a case that applies one pending notice.

The intake names the notice (``notice_id``); review sees the before/after 確認票
(``handlers.immigration_notices.immigration_notice_view``); 本登録 amends the record (職権修正) or, for a notice
that ends coverage, removes it (職権消除), and marks the notice applied with the case.  A rejected or cancelled
case leaves the notice pending.  The case holds a lock on the notice itself (``immigration_notice:<id>``) so two
cases cannot apply the same notice; at 本登録 that lock names the case that applied it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult, register_change_type
from handlers.changes.foreign_notices import cs_identity_change
from handlers.errors import ConflictError, DomainError, Problem
from handlers.immigration_notices import REMOVING_KINDS, find_notice, notice_changes, target_of
from handlers.residents.events import check_change_request
from handlers.residents.registration import amend_resident, current_items, remove_resident
from handlers.residents.validation import validate_resident_input
from handlers.rules.foreign import foreign_category_problems
from handlers.uow import UnitOfWork
from models.change import SubjectLock
from models.immigration_notice import ImmigrationNotice
from models.resident import Resident

AMEND_REASON = "ex_officio_correction"
REMOVAL_REASON = "ex_officio_removal"
IDENTITY_FIELDS = frozenset({"name_alphabet", "birth_date", "sex"})  # 本人確認情報 sent to CS


def notice_subject(notice_id: int) -> str:
    return f"immigration_notice:{notice_id}"


def _problem(field: str, item: str, reason: str, remedy: str, code: str, level: str = "error") -> Problem:
    return Problem(field, item, reason, remedy, code, level)


def _pending_notice(uow: UnitOfWork, notice_id: Any, problems: list[Problem]) -> ImmigrationNotice | None:
    try:
        notice = find_notice(uow, notice_id)
    except DomainError as err:
        problems.append(
            _problem("notice_id", "長官通知", str(err), "通知を一覧から選んでください", "not_found")
        )
        return None
    if notice.status != "pending":
        problems.append(
            _problem(
                "notice_id",
                "長官通知",
                "この通知は既に取り込まれています",
                "未取込の通知を選んでください",
                "not_pending",
            )
        )
        return None
    return notice


def _foreign_target(uow: UnitOfWork, notice: ImmigrationNotice, problems: list[Problem]) -> Resident | None:
    resident = target_of(uow, notice)
    if resident is None or resident.resident_kind != "foreign":
        problems.append(
            _problem(
                "notice_id",
                "長官通知",
                "通知の対象者が記録中の外国人住民に見つかりません",
                "在留カード番号・宛名番号を確認し、必要なら職権で記載してください",
                "target_not_found",
            )
        )
        return None
    return resident


def _amendment_checks(resident: Resident, changes: dict[str, Any]) -> tuple[list[Problem], list[Problem]]:
    parsed, errors = validate_resident_input(current_items(resident) | changes, kind="foreign")
    alerts = [p for p in foreign_category_problems(parsed.values) if p.level == "alert"]
    if not changes:
        alerts.append(
            _problem(
                "notice_id",
                "長官通知",
                "通知の内容は記録と同じです",
                "修正せずに取込済としてよいか確認してください",
                "no_change",
                "alert",
            )
        )
    return errors, alerts


class ImmigrationNoticeChange:
    code = "immigration_notice"
    label = "出入国在留管理庁長官通知に基づく修正・消除"
    process_id = "immigration_notice"
    deadline = "none"

    def assess(self, uow: UnitOfWork, intake: Mapping[str, Any]) -> Assessment:
        problems: list[Problem] = []
        notice = _pending_notice(uow, intake.get("notice_id"), problems)
        resident = _foreign_target(uow, notice, problems) if notice is not None else None
        if notice is None or resident is None:
            return Assessment({"notice_id": intake.get("notice_id")}, problems)
        removing = notice.kind in REMOVING_KINDS
        request, found = check_change_request(
            REMOVAL_REASON if removing else AMEND_REASON,
            notice.event_date,
            None,
            category="removal" if removing else "amendment",
            kinds=["foreign"],
        )
        problems += found
        changes = {} if removing else notice_changes(resident, notice)
        alerts: list[Problem] = []
        if not removing:
            errors, alerts = _amendment_checks(resident, changes)
            problems += errors
        proposal = {
            "notice_id": notice.id,
            "action": "remove" if removing else "amend",
            "atena_number": resident.atena_number,
            "changes": changes,
            "change_date": notice.event_date.isoformat(),
            "note": intake.get("note"),
        }
        subjects = [f"resident:{resident.atena_number}", notice_subject(notice.id)]
        return Assessment(proposal, problems, alerts, subjects, notice.event_date)

    def register(self, uow: UnitOfWork, proposal: Mapping[str, Any]) -> RegistrationResult:
        notice = find_notice(uow, proposal["notice_id"])
        if notice.status != "pending":
            raise ConflictError("この出入国在留管理庁長官通知は既に取り込まれています。")
        change_date = dt.date.fromisoformat(proposal["change_date"])
        resident, notices = self._apply(uow, proposal, change_date)
        notice.status = "applied"
        notice.applied_at = dt.datetime.now(dt.UTC)
        notice.applied_case_id = uow.session.scalar(
            select(SubjectLock.case_id).where(SubjectLock.subject == notice_subject(notice.id))
        )
        record_access(
            uow,
            "immigration_notice_applied",
            "change",
            [resident.atena_number],
            detail={"notice_id": notice.id},
        )
        return RegistrationResult(
            atena_numbers=[resident.atena_number],
            household_numbers=[resident.household.household_number],
            notices=notices,
            summary={"notice_id": notice.id, "kind": notice.kind, "action": proposal["action"]},
        )

    def _apply(
        self, uow: UnitOfWork, proposal: Mapping[str, Any], change_date: dt.date
    ) -> tuple[Resident, list[NoticeDraft]]:
        atena_number = proposal["atena_number"]
        if proposal["action"] == "remove":
            resident = remove_resident(
                uow,
                atena_number,
                reason_code=REMOVAL_REASON,
                removal_date=change_date,
                note=proposal.get("note"),
            )
            return resident, [
                cs_identity_change(
                    resident, event=self.code, reason_code=REMOVAL_REASON, change_date=change_date
                )
            ]
        changes = proposal["changes"]
        resident = amend_resident(
            uow,
            atena_number,
            changes,
            reason_code=AMEND_REASON,
            change_date=change_date,
            note=proposal.get("note"),
        )
        if IDENTITY_FIELDS & set(changes):
            return resident, [
                cs_identity_change(
                    resident, event=self.code, reason_code=AMEND_REASON, change_date=change_date
                )
            ]
        return resident, []


IMMIGRATION_NOTICE = register_change_type(ImmigrationNoticeChange())
