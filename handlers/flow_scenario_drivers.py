"""How a flow scenario drives each kind of flow through its real doors.

A scenario's ``change_type`` names what it starts: a registered change type (転入, 出生, 転出…) opens a case
through ``handlers.cases`` (受付 → 審査・決裁 → 本登録 …); ``certificate_request`` opens a 証明書交付請求 through
``handlers.certificate_requests``; ``support_measure`` a 支援措置申出 through ``handlers.support_measure_flow``.
Each open task named by a step is then worked as the user of its lane would: the review task by a supervisor
(approve with acknowledgements, or reject with a reason), the intake task by a clerk (resubmit), any other
task through its kind's own door (a change case's task door; the 証明書交付請求's issuance, which prints the copies;
the support-measure task door) by a user of the task's role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers import cases
from handlers.certificate_requests import PROCESS_ID as CERTIFICATE_REQUEST
from handlers.certificate_requests import issue_requested_certificate, open_certificate_request
from handlers.changes.base import change_types
from handlers.errors import Problem, ValidationError
from handlers.flow_scenario_setup import scenario_actor
from handlers.support_measure_flow import PROCESS_ID as SUPPORT_MEASURE
from handlers.support_measure_flow import complete_support_task, open_support_measure_case
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from workflows.engine import runner


class ScenarioFailure(Exception):
    """The flow did not do what the scenario expects."""


@dataclass(frozen=True)
class FlowDriver:
    """Opens a case of one kind of flow and completes its tasks other than review and intake."""

    opener_role: str
    open: Callable[[UnitOfWork, dict[str, Any]], Case]
    complete: Callable[[UnitOfWork, int, dict[str, Any]], Any]


def _open_change(code: str) -> Callable[[UnitOfWork, dict[str, Any]], Case]:
    return lambda uow, intake: cases.open_case(uow, code, intake)


def _complete_change_task(uow: UnitOfWork, task_id: int, data: dict[str, Any]) -> None:
    """A change case's task other than review and intake, through the case door the counter uses."""
    cases.doors.complete_case_task(uow, task_id, data)


def _issue_requested(uow: UnitOfWork, task_id: int, data: dict[str, Any]) -> None:
    """The 交付 task of a 証明書交付請求: the copies are printed as at the counter (the disclosure question asked
    again), whatever the step's data says."""
    runner.claim_task(uow, task_id)
    issue_requested_certificate(uow, task_id)


def _work_support_task(uow: UnitOfWork, task_id: int, data: dict[str, Any]) -> None:
    runner.claim_task(uow, task_id)
    complete_support_task(uow, task_id, data)


SPECIAL_DRIVERS: dict[str, FlowDriver] = {
    CERTIFICATE_REQUEST: FlowDriver("clerk", open_certificate_request, _issue_requested),
    SUPPORT_MEASURE: FlowDriver("support_officer", open_support_measure_case, _work_support_task),
}


def driver_for(code: str) -> FlowDriver:
    """The driver of the flow a scenario's ``change_type`` starts (refused when nothing starts it)."""
    if code in SPECIAL_DRIVERS:
        return SPECIAL_DRIVERS[code]
    if code not in change_types():
        __import__("handlers.changes.catalog")
    if code in change_types():
        return FlowDriver("clerk", _open_change(code), _complete_change_task)
    raise ValidationError(
        [
            Problem(
                "change_type",
                "異動の種類",
                f"「{code}」で始まる業務フローはありません",
                "異動の種類（または certificate_request / support_measure）を指定してください。",
                "unknown_change_type",
            )
        ]
    )


def process_of(code: str) -> str:
    """The BPMN process a scenario starting ``code`` runs."""
    if code in SPECIAL_DRIVERS:
        return code
    driver_for(code)
    return change_types()[code].process_id


def open_task(uow: UnitOfWork, case_id: int, bpmn_id: str) -> CaseTask:
    rows = uow.session.scalars(
        select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.state.in_(("ready", "claimed")))
    ).all()
    for row in rows:
        if row.bpmn_id == bpmn_id:
            return row
    open_ids = ", ".join(sorted(r.bpmn_id for r in rows)) or "なし"
    raise ScenarioFailure(f"タスク {bpmn_id} が開いていません（開いているタスク：{open_ids}）")


def work_task(
    uow: UnitOfWork, driver: FlowDriver, row: CaseTask, step: Mapping[str, Any], intake: dict[str, Any]
) -> None:
    """Work one open task as the scenario step says."""
    data = dict(step.get("data") or {})
    if row.bpmn_id.startswith(cases.doors.REVIEW_PREFIX):
        reviewer = scenario_actor(uow, "supervisor")
        if data.get("approved", True):
            cases.approve(reviewer, row.id, list(step.get("acknowledge") or []))
        else:
            cases.reject(reviewer, row.id, str(data.get("reason") or "差戻し"))
    elif row.bpmn_id.startswith(cases.doors.INTAKE_PREFIX):
        cases.resubmit_intake(scenario_actor(uow, "clerk"), row.id, data.get("intake") or intake)
    else:
        driver.complete(scenario_actor(uow, row.role or driver.opener_role), row.id, data)
