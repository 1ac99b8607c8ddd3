"""Driving the household flows (転居, 転出, 転入通知の受理, 世帯変更) through the case doors on their real BPMN
files, each step in its own unit of work, and reading back the register, the outbox and the access log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.cases import doors
from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.case import Case, CaseTask
from models.change import OutboxMessage, PendingChange
from models.resident import Household, Resident, ResidentHistory
from tests.workflows.conftest import Step
from workflows.engine import runner


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


def issue_documents(step: Step, clerk: Actor, case: Case) -> list[str]:
    task = open_task(step, clerk, case.id, "issue_documents")
    documents = list(step(clerk, runner.task_data, task.id)["registration"]["documents"])
    step(clerk, runner.claim_task, task.id)
    step(clerk, runner.complete_task, task.id, {"issued": documents})
    assert case_status(step, clerk, case.id) == "completed"
    return documents


def case_status(step: Step, actor: Actor, case_id: int) -> str:
    return step(actor, lambda uow: uow.session.get(Case, case_id).status)


def history(uow: UnitOfWork, atena_number: str) -> list[tuple[int, str, str, str]]:
    """(履歴番号, 異動事由, 世帯番号, status) of each history row of the person."""
    rows = uow.session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.atena_number == atena_number)
        .order_by(ResidentHistory.history_no)
    )
    return [(r.history_no, r.change_reason, r.household_number, r.status) for r in rows]


def history_rows(uow: UnitOfWork, atena_number: str) -> list[ResidentHistory]:
    return list(
        uow.session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.atena_number == atena_number)
            .order_by(ResidentHistory.history_no)
        )
    )


def resident(uow: UnitOfWork, atena_number: str) -> Resident:
    return uow.session.scalars(select(Resident).where(Resident.atena_number == atena_number)).one()


def household(uow: UnitOfWork, number: str) -> Household:
    return uow.session.scalars(select(Household).where(Household.household_number == number)).one()


def members(uow: UnitOfWork, number: str) -> list[tuple[str, str]]:
    """(名, 続柄) of the household's present members in order."""
    found = household(uow, number)
    return [(m.given_name or "", m.relation_to_head) for m in found.members if m.status != "removed"]


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
