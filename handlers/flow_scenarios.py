"""Flow tests by analysts (業務フローのテストシナリオ): intake data, decisions at each task, and the expected path.

A scenario runs for real: the change is opened, reviewed and registered through the case doors and the real
operators, against the current register, inside a SAVEPOINT that is rolled back afterwards, so it proves the
flow end to end without changing anything.  Standard flows carry their scenarios in
``workflows/scenarios/<process_id>.json``; a municipality adds its own (``FlowScenario``).

A scenario::

    {"name": "承認", "change_type": "move_in", "intake": {...},
     "steps": [{"task": "review_move_in", "data": {"approved": true}, "acknowledge": []},
               {"task": "issue_documents", "data": {}}],
     "expected_path": ["intake_move_in", "record_provisional", ...], "expected_status": "completed"}

Strings ``"{today}"`` and ``"{today-5}"`` in the intake are replaced with ISO dates.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from handlers import cases
from handlers.context import Actor
from handlers.errors import DomainError, Problem, ValidationError
from handlers.flows import PERMISSION, standard_xml
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask
from models.flow import FlowScenario
from workflows.engine import runner
from workflows.engine.loader import WORKFLOWS_DIR, deploy_definition
from workflows.engine.trace import completed_path

SCENARIO_DIR = Path(WORKFLOWS_DIR) / "scenarios"
TODAY_TOKEN = re.compile(r"^\{today(?:([+-])(\d+))?\}$")
MAX_STEPS = 30


@dataclass
class ScenarioResult:
    name: str
    passed: bool
    path: list[str] = field(default_factory=list)
    expected_path: list[str] = field(default_factory=list)
    message: str = ""


def standard_scenarios(process_id: str) -> list[dict[str, Any]]:
    path = SCENARIO_DIR / f"{process_id}.json"
    return list(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else []


def scenarios_for(uow: UnitOfWork, process_id: str) -> list[dict[str, Any]]:
    """The standard scenarios of ``process_id`` and the municipality's own."""
    require(uow.actor, PERMISSION)
    own = uow.session.scalars(select(FlowScenario).where(FlowScenario.process_id == process_id))
    return standard_scenarios(process_id) + [dict(row.scenario, name=row.name) for row in own]


def _dated(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    match = TODAY_TOKEN.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    days = int(match.group(2) or 0) * (-1 if match.group(1) == "-" else 1)
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def _as(uow: UnitOfWork, role: str) -> UnitOfWork:
    """The same transaction, acting as a distinct scenario user of ``role`` (the four-eyes rule holds)."""
    actor = Actor(tenant_id=uow.actor.tenant_id, login_id=f"scenario-{role}", roles=frozenset({role}))
    return UnitOfWork(uow.session, actor)


def _open_task(uow: UnitOfWork, case_id: int, bpmn_id: str) -> CaseTask:
    rows = uow.session.scalars(
        select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.state.in_(("ready", "claimed")))
    ).all()
    for row in rows:
        if row.bpmn_id == bpmn_id:
            return row
    open_ids = ", ".join(sorted(r.bpmn_id for r in rows)) or "なし"
    raise ScenarioFailure(f"タスク {bpmn_id} が開いていません（開いているタスク：{open_ids}）")


class ScenarioFailure(Exception):
    """The flow did not do what the scenario expects."""


def _work(uow: UnitOfWork, case_id: int, step: dict[str, Any], intake: dict[str, Any]) -> None:
    row = _open_task(uow, case_id, str(step.get("task")))
    data = _dated(dict(step.get("data") or {}))
    if row.bpmn_id.startswith(cases.doors.REVIEW_PREFIX):
        reviewer = _as(uow, "supervisor")
        if data.get("approved", True):
            cases.approve(reviewer, row.id, list(step.get("acknowledge") or []))
        else:
            cases.reject(reviewer, row.id, str(data.get("reason") or "差戻し"))
    elif row.bpmn_id.startswith(cases.doors.INTAKE_PREFIX):
        cases.resubmit_intake(_as(uow, "clerk"), row.id, data.get("intake") or intake)
    else:
        worker = _as(uow, row.role or "clerk")
        runner.claim_task(worker, row.id)
        runner.complete_task(worker, row.id, data)


def _drive(uow: UnitOfWork, scenario: dict[str, Any]) -> int:
    intake = _dated(dict(scenario.get("intake") or {}))
    case = cases.open_case(_as(uow, "clerk"), str(scenario["change_type"]), intake)
    for step in list(scenario.get("steps") or [])[:MAX_STEPS]:
        _work(uow, case.id, step, intake)
    return case.id


def run_scenario(
    uow: UnitOfWork, process_id: str, scenario: dict[str, Any], xml: str | None = None
) -> ScenarioResult:
    """Run ``scenario`` on ``xml`` (default: the newest version, or the standard) and roll everything back."""
    require(uow.actor, PERMISSION)
    expected = [str(t) for t in scenario.get("expected_path") or []]
    result = ScenarioResult(str(scenario.get("name") or ""), False, expected_path=expected)
    savepoint = uow.session.begin_nested()
    try:
        if xml is not None:
            deploy_definition(
                uow.session,
                uow.actor.tenant_id,
                process_id,
                xml,
                author=uow.actor.login_id,
                comment="scenario",
            )
        case_id = _drive(uow, scenario)
        result.path = completed_path(uow, case_id)
        case = uow.session.get(Case, case_id)
        status = case.status if case else "missing"
        wanted = str(scenario.get("expected_status") or "completed")
        result.passed = result.path == expected and status == wanted
        result.message = (
            "" if result.passed else f"経路または状態が違います（状態：{status}、期待：{wanted}）"
        )
    except (ScenarioFailure, DomainError) as err:
        result.message = str(err)
    finally:
        savepoint.rollback()
    return result


def run_scenarios(uow: UnitOfWork, process_id: str, xml: str | None = None) -> list[ScenarioResult]:
    """Every scenario of ``process_id`` against ``xml`` (default: the newest version or the standard)."""
    standard_xml(process_id)
    return [run_scenario(uow, process_id, s, xml) for s in scenarios_for(uow, process_id)]


def save_scenario(uow: UnitOfWork, process_id: str, scenario: dict[str, Any]) -> FlowScenario:
    """Keep a municipality's own scenario for ``process_id`` (replacing one of the same name)."""
    require(uow.actor, PERMISSION)
    standard_xml(process_id)
    name = str(scenario.get("name") or "").strip()
    if not name or not scenario.get("change_type") or not scenario.get("expected_path"):
        raise ValidationError(
            [
                Problem(
                    "scenario",
                    "テストシナリオ",
                    "名称・異動の種類・期待する経路のいずれかがありません",
                    "入力してください。",
                    "scenario",
                )
            ]
        )
    row = uow.session.scalars(
        select(FlowScenario).where(FlowScenario.process_id == process_id, FlowScenario.name == name)
    ).first()
    if row is None:
        row = FlowScenario(
            tenant_id=uow.actor.tenant_id, process_id=process_id, name=name, author=uow.actor.login_id
        )
        uow.session.add(row)
    row.scenario, row.author = dict(scenario), uow.actor.login_id
    uow.session.flush()
    return row
