"""The 支援措置 application as a case (j160, j440), run by ``workflows/support_measure.bpmn``:

intake (窓口: the request is recorded, provisional protection from this moment) → confirmation (支援措置: the
opinion of the police, consultation centre or child guidance centre) → decision by the support-measure officer
→ in force (start date; end date one year less a day unless edited) or refused (the provisional protection
ends, with a reason).

The service operators below are registered at import.  An operator that refuses (bad input, a measure already
decided) leaves its error in ``session.info``; the doors here raise it as it was, so the unit of work rolls
back and nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.clock import japan_today
from handlers.errors import DomainError, NotFoundError, Problem, ValidationError
from handlers.permissions import require
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.support_measures import (
    create_support_measure,
    decide_support_measure,
    terminate_support_measure,
)
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.support import SupportMeasure
from workflows.engine import registry, runner
from workflows.engine.registry import ServiceContext

PROCESS_ID = "support_measure"
FAILURE_KEY = "support_measure_flow_error"
REQUEST_KEYS = ("applicant", "co_applicants", "perpetrators", "protected_services", "protected_addresses",
                "request_date", "victim_kind", "opinion_source", "opinion_text")  # fmt: skip


def _date(value: Any, field: str, item: str, *, required: bool = True) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if value in (None, "") and not required:
        return None
    try:
        return parse_calendar_date(str(value or ""))
    except DateInputError as err:
        raise ValidationError([err.to_problem(field, item)]) from err


def _guarded(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def operator(ctx: ServiceContext, **params: Any) -> dict[str, Any]:
        try:
            return fn(ctx, **params)
        except DomainError as err:
            ctx.uow.session.info[FAILURE_KEY] = err
            raise

    operator.__qualname__ = fn.__qualname__
    return operator


def _measure_id(ctx: ServiceContext) -> int:
    return int(ctx.data["measure"]["measure_id"])


def record_request(ctx: ServiceContext) -> dict[str, Any]:
    request = dict(ctx.data.get("support_request") or {})
    request["request_date"] = _date(request.get("request_date"), "request_date", "申出年月日")
    measure = create_support_measure(ctx.uow, **{k: request[k] for k in REQUEST_KEYS if k in request})
    return {"measure_id": measure.id, "status": measure.status}


def record_opinion(ctx: ServiceContext) -> dict[str, Any]:
    require(ctx.actor, "support.set")
    source = str(ctx.data.get("opinion_source") or "").strip()
    if not source:
        reason, remedy = (
            "入力されていません",
            "警察・相談センター・児童相談所など意見を求めた先を入力してください",
        )
        raise ValidationError([Problem("opinion_source", "意見を求めた機関", reason, remedy, "required")])
    measure = ctx.uow.session.get(SupportMeasure, _measure_id(ctx))
    if measure is None or measure.status != "provisional":
        raise NotFoundError("意見を記録できる仮支援措置が見つかりません。")
    measure.opinion_source = source
    measure.opinion_text = str(ctx.data.get("opinion_text") or "").strip() or None
    ctx.uow.session.flush()
    targets = [p.atena_number for p in measure.parties if p.atena_number]
    record_access(
        ctx.uow, "support_measure_opinion_recorded", "change", targets, detail={"measure_id": measure.id}
    )
    return {"measure_id": measure.id, "opinion_source": source}


def put_in_force(ctx: ServiceContext) -> dict[str, Any]:
    start = _date(ctx.data.get("start_date"), "start_date", "支援措置の開始年月日")
    end = _date(ctx.data.get("end_date"), "end_date", "支援措置の終了年月日", required=False)
    assert start is not None
    measure = decide_support_measure(ctx.uow, _measure_id(ctx), start_date=start, end_date=end)
    assert measure.end_date is not None
    return {"measure_id": measure.id, "status": measure.status, "start_date": start.isoformat(),
            "end_date": measure.end_date.isoformat()}  # fmt: skip


def refuse(ctx: ServiceContext) -> dict[str, Any]:
    reason = str(ctx.data.get("refusal_reason") or "").strip()
    if not reason:
        why, remedy = "入力されていません", "支援の必要性が認められない理由を入力してください"
        raise ValidationError([Problem("refusal_reason", "不承認の理由", why, remedy, "required")])
    today = _date(ctx.data.get("decided_date"), "decided_date", "決定日", required=False) or japan_today()
    measure = terminate_support_measure(ctx.uow, _measure_id(ctx), reason="officer", date=today)
    return {"measure_id": measure.id, "status": measure.status, "refusal_reason": reason}


OPERATORS = {
    "support_measure.record_request": record_request,
    "support_measure.record_opinion": record_opinion,
    "support_measure.put_in_force": put_in_force,
    "support_measure.refuse": refuse,
}
for _name, _fn in OPERATORS.items():
    registry.register(_name)(_guarded(_fn))


# --- doors -----------------------------------------------------------------------------------------------


def _raise_stashed(uow: UnitOfWork, case: Case) -> None:
    error = uow.session.info.pop(FAILURE_KEY, None)
    if case.status == "incident" and isinstance(error, DomainError):
        raise error


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def open_support_measure_case(uow: UnitOfWork, request: Mapping[str, Any]) -> Case:
    """Take in a 支援措置申出 (applicant, co-applicants, perpetrators, services, request date, kind): the measure
    is recorded as provisional protection at once, and the case waits for the officer's confirmation."""
    require(uow.actor, "support.set")
    unknown = sorted(set(request) - set(REQUEST_KEYS))
    if unknown:
        raise ValidationError(
            [
                Problem(k, k, "支援措置申出の項目ではありません", "項目名を確認してください", "unknown_item")
                for k in unknown
            ]
        )
    protected = [request.get("applicant") or {}, *(request.get("co_applicants") or [])]
    subjects = [str(p["atena_number"]) for p in protected if isinstance(p, Mapping) and p.get("atena_number")]
    uow.session.info.pop(FAILURE_KEY, None)
    case = runner.start_case(
        uow,
        PROCESS_ID,
        data={"support_request": _plain(dict(request))},
        subjects=subjects,
        change_type=PROCESS_ID,
    )
    _raise_stashed(uow, case)
    return case


def complete_support_task(uow: UnitOfWork, task_id: int, data: Mapping[str, Any]) -> CaseTask:
    """Finish the officer's confirmation or decision task; a refusal by an operator is raised as it was."""
    uow.session.info.pop(FAILURE_KEY, None)
    row = runner.complete_task(uow, task_id, _plain(dict(data)))
    case = uow.session.get(Case, row.case_id)
    assert case is not None
    _raise_stashed(uow, case)
    return row


def support_tasks(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The open confirmation and decision tasks of support-measure cases, oldest first (the officer's list)."""
    require(uow.actor, "support.view")
    rows = uow.session.execute(
        select(CaseTask, Case.case_number)
        .join(Case, Case.id == CaseTask.case_id)
        .where(Case.process_id == PROCESS_ID, CaseTask.state.in_(("ready", "claimed")))
        .order_by(CaseTask.id)
    ).all()
    return [{"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "case_number": number,
             "state": task.state, "claimed_by": task.claimed_by} for task, number in rows]  # fmt: skip


def support_task(uow: UnitOfWork, task_id: int) -> dict[str, Any]:
    """One open support-measure task with the measure it concerns (for its form)."""
    require(uow.actor, "support.view")
    row = runner.get_task(uow, task_id)
    case = uow.session.get(Case, row.case_id)
    if case is None or case.process_id != PROCESS_ID or row.state not in ("ready", "claimed"):
        raise NotFoundError("指定された支援措置のタスクはありません。")
    measure = (runner.task_data(uow, task_id).get("measure") or {}).get("measure_id")
    return {"id": row.id, "bpmn_id": row.bpmn_id, "name": row.name, "case_number": case.case_number,
            "measure_id": measure}  # fmt: skip


def work_support_task(uow: UnitOfWork, task_id: int, data: Mapping[str, Any]) -> CaseTask:
    """Claim (if not yet claimed by the actor) and complete a support-measure task: one door for the page."""
    support_task(uow, task_id)
    row = runner.get_task(uow, task_id)
    if not (row.state == "claimed" and row.claimed_by == uow.actor.login_id):
        runner.claim_task(uow, task_id)
    return complete_support_task(uow, task_id, data)
