"""消除 ex officio on a 戸籍 notice (死亡 j820, 失踪 j830): the person becomes a 除票, the head rules apply (j490).

The removal date is the event date, which may be a non-calendar or unknown form (j80): the history row keeps
the wording in 異動日 text; the 除票's 消除日 holds the internal date (blank when wholly unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.audit import record_access
from handlers.changes.base import Assessment, NoticeDraft, RegistrationResult
from handlers.changes.ex_officio import (
    cs_notice,
    documents,
    event_of,
    event_proposal,
    history_dates,
    history_note,
    read_event_date,
    read_ex_officio,
)
from handlers.errors import NotFoundError, Problem
from handlers.permissions import require
from handlers.residents.history import append_history
from handlers.residents.household_members import reorder_members
from handlers.residents.lookup import find_resident
from handlers.rules.date_input import FlexDate
from handlers.rules.head_leaving import (
    DISSOLVED,
    EX_OFFICIO_HEAD,
    EX_OFFICIO_HEAD_NOTE,
    HEAD_UNSET,
    head_leaving,
    head_leaving_alert,
)
from handlers.rules.relationship import HEAD
from handlers.uow import UnitOfWork
from models.resident import Resident

HEAD_CHANGE_NOTICE = "head_change_notice"  # 世帯主変更通知書 (j490)
HEAD_CHANGE_REQUEST_NOTICE = "head_change_request_notice"  # 世帯主変更依頼通知書 (j500)
ACTIVE = ("resident", "moving_out")


def subject_resident(session: Any, intake: Mapping[str, Any], problems: list[Problem]) -> Resident | None:
    """The person named by ``atena_number``; a problem when missing, unknown or already removed."""
    number = str(intake.get("atena_number") or "").strip()
    if not number:
        problems.append(
            Problem("atena_number", "宛名番号", "入力されていません", "対象者を選択してください", "required")
        )
        return None
    try:
        resident = find_resident(session, number)
    except NotFoundError as err:
        problems.append(
            Problem("atena_number", "宛名番号", str(err), "宛名番号を確認してください", "not_found")
        )
        return None
    if resident.status == "removed":
        problems.append(
            Problem(
                "atena_number",
                "宛名番号",
                "この住民は既に消除されています（除票）",
                "対象者を確認してください（消除の取消しは異動の取消しで行います）",
                "already_removed",
            )
        )
    return resident


def staying_members(resident: Resident) -> list[Resident]:
    return [m for m in resident.household.members if m is not resident and m.status in ACTIVE]


def _head_outcome(resident: Resident) -> Any:
    head = resident.household.head
    return head_leaving(
        head.atena_number if head is not None else None,
        [resident.atena_number],
        [m.atena_number for m in staying_members(resident)],
    )


@dataclass
class RemovalPlan:
    """The checked intake of a removal: the proposal and what the review must see."""

    proposal: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    alerts: list[Problem] = field(default_factory=list)
    resident: Resident | None = None
    event: FlexDate | None = None


def assess_removal(uow: UnitOfWork, intake: Mapping[str, Any], *, event_item: str) -> RemovalPlan:
    plan = RemovalPlan(proposal={})
    plan.proposal = read_ex_officio(intake, plan.problems, koseki=True)
    plan.resident = subject_resident(uow.session, intake, plan.problems)
    plan.event = read_event_date(intake.get("event_date"), "event_date", event_item, plan.problems)
    plan.proposal.update(
        event_proposal(plan.event), atena_number=str(intake.get("atena_number") or "").strip()
    )
    if plan.resident is not None and plan.resident.status != "removed":
        outcome = _head_outcome(plan.resident)
        if outcome.needs_alert:
            plan.alerts.append(head_leaving_alert(len(staying_members(plan.resident))))
    return plan


def to_assessment(plan: RemovalPlan) -> Assessment:
    subjects = []
    if plan.resident is not None:
        subjects = [
            f"resident:{plan.resident.atena_number}",
            f"household:{plan.resident.household.household_number}",
        ]
    return Assessment(
        proposal=plan.proposal,
        problems=plan.problems,
        alerts=plan.alerts,
        subjects=subjects,
        event_date=plan.event.value if plan.event else None,
    )


def _new_head(uow: UnitOfWork, member: Resident, event: FlexDate) -> None:
    """j490: the one remaining member becomes head ex officio (history row 世帯主変更)."""
    member.household.head = member
    member.relation_to_head = HEAD
    append_history(
        uow.session,
        member,
        reason_code="head_change",
        change_date=event.value,
        change_date_text=event.text,
        effective_date=event.value,
        note=EX_OFFICIO_HEAD_NOTE,
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
    )


def register_removal(uow: UnitOfWork, proposal: Mapping[str, Any], *, reason_code: str) -> RegistrationResult:
    """本登録: the 除票 (status removed, 消除事由, 消除日), the head rules, the notices."""
    require(uow.actor, "resident.change")
    resident = find_resident(uow.session, str(proposal["atena_number"]))
    event = event_of(proposal)
    outcome = _head_outcome(resident)
    staying = staying_members(resident)
    resident.status = "removed"
    resident.removal_reason = reason_code
    resident.removal_date = event.value
    extra: list[str] = []
    if outcome.outcome == DISSOLVED:
        resident.household.status = "dissolved"
    elif outcome.outcome == HEAD_UNSET:
        resident.household.head = None
        extra.append(HEAD_CHANGE_REQUEST_NOTICE)
    elif outcome.outcome == EX_OFFICIO_HEAD:
        resident.household.head = None
    append_history(
        uow.session,
        resident,
        reason_code=reason_code,
        change_date=event.value,
        change_date_text=event.text,
        effective_date=event.value,
        note=history_note(proposal),
        entered_by=uow.actor.user_id,
        input_terminal=uow.actor.terminal,
        **history_dates(proposal),
    )
    changed = [resident.atena_number]
    if outcome.outcome == EX_OFFICIO_HEAD:
        _new_head(uow, staying[0], event)
        changed.append(staying[0].atena_number)
        extra.append(HEAD_CHANGE_NOTICE)
    reorder_members(staying)
    record_access(uow, "resident_changed", "change", changed, detail={"reason": reason_code})
    notices = [cs_notice("identity_change", resident, reason_code), _addressee_notice(resident, reason_code)]
    return RegistrationResult(
        atena_numbers=changed,
        household_numbers=[resident.household.household_number],
        notices=notices,
        documents=documents(proposal, *extra),
        summary={"atena_number": resident.atena_number, "reason": reason_code, "head": outcome.outcome},
    )


def _addressee_notice(resident: Resident, reason_code: str) -> NoticeDraft:
    """団体内統合宛名 learns of the removal."""
    return NoticeDraft(
        "addressee",
        "identity_change",
        {"atena_number": resident.atena_number, "history_no": resident.history_no, "reason": reason_code},
    )
