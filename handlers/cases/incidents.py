"""Cases stopped in an incident (エラー停止): a service task, script or expression failed after the earlier steps
were kept (a 本登録 whose notices could not be written, say).  Supervisors see them with the error and run the
failed step again once its cause is fixed (``retry``), or cancel the case (``handlers.cases.cancel``)."""

from __future__ import annotations

from typing import Any

from handlers.audit import record_access
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.case import Case
from workflows.engine import runner, task_queue


def incident_cases(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The municipality's stopped cases, oldest first, with the failed step and its error."""
    require(uow.actor, "resident.approve")
    stopped = task_queue.incidents(uow)
    return [
        {"id": c.id, "case_number": c.case_number, "change_type": c.change_type, "task": c.incident_task,
         "error": c.incident_error, "since": c.updated_at}
        for c in stopped
    ]  # fmt: skip


def retry(uow: UnitOfWork, case_id: int) -> Case:
    """再実行: the failed step runs again; the case goes on, or stops again with the new error (both logged)."""
    require(uow.actor, "resident.approve")
    before = uow.session.get(Case, case_id)
    failed_task = before.incident_task if before is not None else None
    case = runner.retry_incident(uow, case_id)
    record_access(
        uow, "case_retried", "change", list(case.subject_atena_numbers or []),
        detail={"case_number": case.case_number, "change_type": case.change_type, "task": failed_task,
                "stopped_again": case.status == "incident"},
    )  # fmt: skip
    return case
