"""Driving the household flows (転居, 転出, 転入通知の受理, 世帯変更) through the case doors on their real BPMN
files, each step in its own unit of work, and reading back the register, the outbox and the access log."""

from __future__ import annotations

from sqlalchemy import select

from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.case import Case
from models.resident import Household
from tests.workflows.conftest import Step

# the steps and read-backs every flow's tests share (re-exported for the household flows' tests)
from tests.workflows.ex_officio_steps import (  # noqa: F401
    access_functions,
    approve,
    enter,
    open_task,
    outbox,
    pending,
    reject,
    resident,
    resubmit,
)
from tests.workflows.ex_officio_steps import history as history_rows
from workflows.engine import runner


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
    return [
        (r.history_no, r.change_reason, r.household_number, r.status) for r in history_rows(uow, atena_number)
    ]


def household(uow: UnitOfWork, number: str) -> Household:
    return uow.session.scalars(select(Household).where(Household.household_number == number)).one()


def members(uow: UnitOfWork, number: str) -> list[tuple[str, str]]:
    """(名, 続柄) of the household's present members in order."""
    found = household(uow, number)
    return [(m.given_name or "", m.relation_to_head) for m in found.members if m.status != "removed"]
