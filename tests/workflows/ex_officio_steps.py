"""Driving an ex-officio flow through the case doors on its real BPMN file, each step in its own unit of work
(the workflow is saved and restored between steps), and reading back what the register and outbox hold."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.cases import doors
from handlers.context import Actor
from handlers.residents.resident_code_pool import load_pool
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.change import OutboxMessage, PendingChange
from models.resident import Resident, ResidentHistory
from tests.factories import valid_resident_code
from tests.workflows.conftest import Step
from workflows.engine import runner


def fill_pool(step: Step, supervisor: Actor, count: int = 3) -> list[str]:
    codes = [valid_resident_code() for _ in range(count)]
    step(supervisor, load_pool, codes)
    return codes


def open_task(step: Step, actor: Actor, case_id: int, bpmn_id: str) -> CaseTask:
    tasks = [t for t in step(actor, runner.ready_tasks) if t.case_id == case_id and t.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"expected one open {bpmn_id}, got {[t.bpmn_id for t in tasks]}"
    return tasks[0]


def enter(step: Step, clerk: Actor, code: str, intake: dict[str, Any]) -> Case:
    case = step(clerk, doors.open_case, code, intake)
    open_task(step, clerk, case.id, f"review_{code}")
    return case


def approve(step: Step, supervisor: Actor, case: Case, code: str, acks: tuple[str, ...] = ()) -> Case:
    task = open_task(step, supervisor, case.id, f"review_{code}")
    return step(supervisor, doors.approve, task.id, list(acks))


def reject(step: Step, supervisor: Actor, case: Case, code: str, reason: str) -> Case:
    task = open_task(step, supervisor, case.id, f"review_{code}")
    return step(supervisor, doors.reject, task.id, reason)


def resubmit(step: Step, clerk: Actor, case: Case, code: str, intake: dict[str, Any]) -> Case:
    task = open_task(step, clerk, case.id, f"intake_{code}")
    return step(clerk, doors.resubmit_intake, task.id, intake)


def issue_documents(step: Step, clerk: Actor, case: Case) -> dict[str, Any]:
    task = open_task(step, clerk, case.id, "issue_documents")
    data = step(clerk, runner.task_data, task.id)
    step(clerk, runner.claim_task, task.id)
    step(clerk, runner.complete_task, task.id, {"issued": list(data["registration"]["documents"])})
    finished = step(clerk, lambda uow: uow.session.get(Case, case.id))
    assert finished.status == "completed"
    return data


def history(uow: UnitOfWork, atena_number: str) -> list[ResidentHistory]:
    return list(
        uow.session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.atena_number == atena_number)
            .order_by(ResidentHistory.history_no)
        )
    )


def resident(uow: UnitOfWork, atena_number: str) -> Resident:
    return uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()


def outbox(uow: UnitOfWork, case_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    rows = uow.session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
    )
    return [(r.destination, r.kind, r.payload) for r in rows]


def pending(uow: UnitOfWork, case_id: int) -> PendingChange:
    return uow.session.scalars(select(PendingChange).where(PendingChange.case_id == case_id)).one()


def access_functions(uow: UnitOfWork, atena_number: str) -> list[str]:
    rows = uow.session.scalars(select(AccessLog).order_by(AccessLog.id))
    return [r.function for r in rows if atena_number in (r.targets or [])]
