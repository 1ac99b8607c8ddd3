"""The doors of a case (every web view, API endpoint and script goes through these): open a case with its
intake, resubmit the intake after a rejection, approve (決裁, with the four-eyes rule and acknowledged
alerts), reject, cancel.

Each runs in the caller's unit of work; when the engine stops on a refusing operator the door raises that
refusal, so the whole call rolls back and nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from handlers.audit import record_access
from handlers.cases.change_input_gate import change_input_check
from handlers.cases.intake_shape import intake_shape_problems
from handlers.cases.locks import lock_conflicts, release_locks
from handlers.cases.notifier import read_notifier
from handlers.cases.operators import remember_assessment, take_failure
from handlers.cases.pending import pending_change_of, require_pending, utcnow
from handlers.changes.base import ChangeType, change_type, change_types
from handlers.errors import ConflictError, NotFoundError, PermissionDeniedError, Problem, ValidationError
from handlers.permissions import require
from handlers.row_writes import assign_changed
from handlers.rules.deadlines import legal_deadline
from handlers.rules.digits import fold_register_numbers
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.change import PendingChange
from workflows.engine import runner
from workflows.engine.timeline import record_event

INTAKE_PREFIX = "intake_"
REVIEW_PREFIX = "review_"
FOUR_EYES_MESSAGE = "入力者本人は決裁できません（四つの目の原則）。"
SIMULTANEOUS_DECISION_MESSAGE = "この案件は他の職員が同時に決裁しました。画面を開き直してください。"


def _change_type(code: str) -> ChangeType:
    if code not in change_types():
        __import__("handlers.changes.catalog")
    try:
        return change_type(code)
    except KeyError:
        raise ValidationError(
            [
                Problem(
                    "change_type",
                    "異動の種類",
                    f"「{code}」は登録されていません",
                    "異動の種類を選択してください。",
                    "unknown_change_type",
                )
            ]
        ) from None


def due_date_for(kind: ChangeType, event_date: dt.date | None) -> dt.date | None:
    """The case's legal due date from the type's deadline rule (event_plus_14 / planned_date / none)."""
    if event_date is None:
        return None
    if kind.deadline == "event_plus_14":
        return legal_deadline(event_date)
    if kind.deadline == "planned_date":
        return event_date
    return None


def _plain(intake: Mapping[str, Any]) -> dict[str, Any]:
    """The intake as a dict in the shape the change types read (``intake_shape``), or the refusal."""
    if not isinstance(intake, Mapping):
        raise ValidationError(
            [
                Problem(
                    "intake",
                    "届出内容",
                    "形式が正しくありません",
                    "届出内容を項目ごとに入力してください。",
                    "intake_format",
                )
            ]
        )
    problems = intake_shape_problems(intake)
    if problems:
        raise ValidationError(problems)
    return fold_register_numbers(dict(intake))  # ０００…１９ typed at the counter is 宛名番号 0000000019


def _assess_or_refuse(uow: UnitOfWork, kind: ChangeType, intake: dict[str, Any], case_id: int | None) -> Any:
    """Assess the intake; refuse on its errors, lock conflicts or an error-level 異動入力 suppression (whose
    refusal keeps its access-log row when nothing else refuses); suppression alerts join the alerts."""
    assessment = kind.assess(uow, intake)
    remember_assessment(uow, kind.code, intake, assessment)
    _notifier, wrong_notifier = read_notifier(
        kind.code, intake
    )  # 届出人 (j580), stored at record_provisional
    problems = list(assessment.problems) + wrong_notifier + lock_conflicts(uow, assessment.subjects, case_id)
    suppressed, alerts = change_input_check(uow, assessment.subjects)
    assessment.alerts.extend(a for a in alerts if a.code not in {b.code for b in assessment.alerts})
    if suppressed and not problems and case_id is None:
        uow.keep_refusal_log()
    problems += suppressed
    if problems:
        raise ValidationError(problems)
    return assessment


def _finish_task(uow: UnitOfWork, task: CaseTask, data: dict[str, Any]) -> Case:
    """Claim ``task`` if the actor has not yet, complete it, and raise any refusal of the engine run."""
    take_failure(uow)
    try:
        if task.state == "claimed" and task.claimed_by == uow.actor.login_id:
            runner.complete_task(uow, task.id, data)
        elif task.state == "ready":
            runner.claim_and_complete_task(uow, task.id, data)
        else:  # claimed by someone else: the claim refuses as it always did
            runner.complete_task(uow, runner.claim_task(uow, task.id).id, data)
    except StaleDataError as exc:  # a row this call changed was decided by someone else meanwhile (j1380)
        raise ConflictError(SIMULTANEOUS_DECISION_MESSAGE) from exc
    case = uow.session.get(Case, task.case_id)  # the row the engine run just wrote, when still held
    assert case is not None
    failure = take_failure(uow)
    if case.status == "incident" and failure is not None:
        raise failure
    return case


def _raise_incident(case: Case) -> None:
    if case.status == "incident":
        raise _incident_refusal(case.incident_error or "")


def _incident_refusal(error: str) -> ConflictError:
    return ConflictError(f"入力内容を仮登録できませんでした：{error}")


def _completed_task(uow: UnitOfWork, case_id: int, prefix: str) -> CaseTask:
    """The completed task of a case opened in this transaction whose id has ``prefix`` (no read: the engine
    run saved the case's rows); none: the case did not wait on such a task first."""
    for row in runner.case_task_rows(uow, case_id):
        if row.state == "completed" and row.bpmn_id.startswith(prefix):
            return row
    raise ConflictError("この案件には該当する未完了のタスクがありません。")


def open_case(uow: UnitOfWork, change_type_code: str, intake: Mapping[str, Any]) -> Case:
    """受付: assess the intake (errors refuse with nothing written), open the case with its legal due date,
    and complete its intake task so the change is recorded provisionally and waits for review."""
    require(uow.actor, "resident.change")
    kind = _change_type(change_type_code)
    data = _plain(intake)
    assessment = _assess_or_refuse(uow, kind, data, None)
    take_failure(uow)
    try:
        case = runner.start_case(
            uow,
            kind.process_id,
            data={"change_type": kind.code},
            change_type=kind.code,
            due_date=due_date_for(kind, assessment.event_date),
            first_task=(INTAKE_PREFIX, {"intake": data}),
            all_or_nothing=True,  # any failure refuses the whole call: no SAVEPOINT, no incident to save
        )  # the intake task is completed in the same engine run: the case is saved once
    except runner.RunFailedError as failed:
        raise take_failure(uow) or _incident_refusal(failed.message) from failed
    _completed_task(uow, case.id, INTAKE_PREFIX)
    _log(uow, "change_entered", case)
    return case


def _task_and_case(uow: UnitOfWork, task_id: int, prefix: str) -> tuple[CaseTask, Case]:
    """The task and its case, locked; the task row and the locked case in one statement when it can."""
    found = runner.lock_case_of_task(uow, task_id)  # decisions on one case wait for each other from here
    task, case = found if found is not None else _task_then_case(uow, task_id)
    if case is None or case.change_type is None:
        raise NotFoundError("案件が見つかりません。")
    if not task.bpmn_id.startswith(prefix) or task.state not in ("ready", "claimed"):
        raise ConflictError(f"このタスク（{task.name}）はこの操作の対象ではありません。")
    return task, case


def _task_then_case(uow: UnitOfWork, task_id: int) -> tuple[CaseTask, Case | None]:
    task = runner.get_task(uow, task_id)
    return task, runner.lock_case(uow, task.case_id)


def resubmit_intake(uow: UnitOfWork, task_id: int, intake: Mapping[str, Any]) -> Case:
    """再入力: the corrected intake after a rejection, assessed again and recorded provisionally again."""
    require(uow.actor, "resident.change")
    task, case = _task_and_case(uow, task_id, INTAKE_PREFIX)
    kind = _change_type(case.change_type or "")
    data = _plain(intake)
    _assess_or_refuse(uow, kind, data, case.id)
    case = _finish_task(uow, task, {"intake": data})
    _raise_incident(case)
    _log(uow, "change_entered", case)
    return case


def _same_user(pending: PendingChange, uow: UnitOfWork) -> bool:
    if pending.entered_by is not None and uow.actor.user_id is not None:
        return pending.entered_by == uow.actor.user_id
    return pending.entered_by_login == uow.actor.login_id


def _unacknowledged(alerts: Sequence[Mapping[str, Any]], acknowledged: set[str]) -> list[Problem]:
    return [
        Problem(
            str(alert.get("field") or "alerts"),
            str(alert.get("item") or "アラート"),
            f"アラート「{alert.get('reason')}」が確認されていません",
            "内容を確認し、確認済みとしてから決裁してください。",
            "alert_not_acknowledged",
        )
        for alert in alerts
        if alert.get("code") not in acknowledged
    ]


def approve(uow: UnitOfWork, task_id: int, acknowledgements: Sequence[str] = ()) -> Case:
    """決裁: another user than the one who entered the change, every alert acknowledged, no new error."""
    require(uow.actor, "resident.approve")
    task, case = _task_and_case(uow, task_id, REVIEW_PREFIX)
    pending = require_pending(uow, case.id)
    if _same_user(pending, uow):
        _log(uow, "approval_refused_same_user", case)
        uow.keep_refusal_log()
        raise PermissionDeniedError(FOUR_EYES_MESSAGE)
    kind = _change_type(case.change_type or "")
    intake = runner.task_data(uow, task.id).get("intake") or {}
    assessment = _assess_or_refuse(uow, kind, dict(intake), case.id)
    alerts = [alert.to_json() for alert in assessment.alerts]
    acknowledged = {str(code) for code in acknowledgements}
    missing = _unacknowledged(alerts, acknowledged)
    if missing:
        raise ValidationError(missing)
    now = utcnow().isoformat()
    acknowledged_by: list[dict[str, Any]] = [
        {
            "code": a["code"],
            "field": a["field"],
            "by_user_id": uow.actor.user_id,
            "by_login": uow.actor.login_id,
            "at": now,
        }
        for a in alerts
    ]
    assign_changed(pending, alerts=alerts, acknowledgements=acknowledged_by)  # the same: the row stays clean
    try:
        uow.session.flush()
    except StaleDataError as exc:  # another reviewer decided this case meanwhile (j1380)
        raise ConflictError(SIMULTANEOUS_DECISION_MESSAGE) from exc
    case = _finish_task(uow, task, {"approved": True})
    _log(uow, "change_approved", case)
    return case


def reject(uow: UnitOfWork, task_id: int, reason: str) -> Case:
    """差戻し: the case goes back to intake with the reason; the provisional change stays, marked rejected."""
    require(uow.actor, "resident.approve")
    if not reason or not reason.strip():
        raise ValidationError(
            [
                Problem(
                    "reason", "差戻し理由", "入力されていません", "差戻し理由を入力してください。", "required"
                )
            ]
        )
    task, case = _task_and_case(uow, task_id, REVIEW_PREFIX)
    pending = require_pending(uow, case.id)
    pending.status = "rejected"
    case = _finish_task(uow, task, {"approved": False, "rejection_reason": reason.strip()})
    record_event(uow, case, "rejected", task=task.bpmn_id, reason=reason.strip())  # shown on the case's 経過
    _log(uow, "change_rejected", case, reason=reason.strip())
    return case


def cancel(uow: UnitOfWork, case_id: int, reason: str) -> Case:
    """取消: the case is withdrawn, its provisional change cancelled and its locks released.  A 個人番号の変更請求
    waiting for CS is withdrawn only once CS has answered its 変更要求 (CS may be generating the number)."""
    require(uow.actor, "resident.change")
    from handlers.juki_net.change_requests import unanswered  # noqa: PLC0415 - juki_net imports this package

    if unanswered(uow, case_id):
        raise ConflictError(
            "住基ネット（CS）が個人番号の変更要求に応答していないため、取り消せません。応答を待ってください。"
        )
    case = runner.cancel_case(uow, case_id, reason)
    pending = pending_change_of(uow, case.id)
    if pending is not None and pending.status != "registered":
        pending.status = "cancelled"
    release_locks(uow, case.id)
    _log(uow, "change_cancelled", case, reason=reason.strip())
    return case


def _log(uow: UnitOfWork, function: str, case: Case, **detail: Any) -> None:
    record_access(
        uow,
        function,
        "change",
        list(case.subject_atena_numbers or []),
        detail={"case_number": case.case_number, "change_type": case.change_type, **detail},
    )


def complete_case_task(uow: UnitOfWork, task_id: int, body: Mapping[str, Any]) -> Case:
    """One door for any task of a case: a review task takes {"decision": "approve"|"reject", "acknowledgements",
    "reason"}, an intake task {"intake": {...}}, any other task (交付物の発行 …) its form data."""
    task = runner.get_task(uow, task_id)
    if task.bpmn_id.startswith(REVIEW_PREFIX):
        decision = body.get("decision")
        if decision == "approve":
            return approve(uow, task_id, [str(c) for c in body.get("acknowledgements") or []])
        if decision == "reject":
            return reject(uow, task_id, str(body.get("reason") or ""))
        raise ValidationError(
            [
                Problem(
                    "decision",
                    "決裁",
                    "選択されていません",
                    "承認（approve）か差戻し（reject）を選択してください。",
                    "required",
                )
            ]
        )
    if task.bpmn_id.startswith(INTAKE_PREFIX):
        return resubmit_intake(uow, task_id, body.get("intake") or {})
    data = dict(body)
    case = _finish_task(uow, task, data)
    _raise_incident(case)
    return case


def claim(uow: UnitOfWork, task_id: int) -> CaseTask:
    return runner.claim_task(uow, task_id)
