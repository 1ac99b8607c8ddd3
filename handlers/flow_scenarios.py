"""Flow tests by analysts (業務フローのテストシナリオ): intake data, decisions at each task, and the expected path.

A scenario runs for real: the case is opened and worked through the real doors and operators
(``handlers.flow_scenario_drivers``: change cases, 証明書交付請求, 支援措置申出), against the current register,
inside a SAVEPOINT that is rolled back afterwards, so it proves the flow end to end without changing anything.
Standard flows carry their scenarios in ``workflows/scenarios/<process_id>.json``; a municipality adds its
own (``FlowScenario``).

A scenario::

    {"name": "承認", "change_type": "move_in", "given": {...}, "intake": {...},
     "steps": [{"task": "review_move_in", "data": {"approved": true}, "acknowledge": []},
               {"task": "review_move_in", "data": {"approved": true}, "expect_refusal": "alert_not_acknowledged"},
               {"task": "issue_documents", "data": {}}],
     "expected_path": ["intake_move_in", "record_provisional", ...], "expected_status": "completed"}

``given`` (households, resident-code pool, settings, earlier cases) and the placeholders (``{today-5}``,
``{resident:0.1}``, ``{my_number}``…) are described in ``handlers.flow_scenario_setup``.  A step with
``expect_refusal`` must be refused with that problem code (or field, or part of the message), in its own
SAVEPOINT, and the scenario goes on from where it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.errors import DomainError, Problem, ValidationError
from handlers.flow_scenario_drivers import (
    ScenarioFailure,
    driver_for,
    open_task,
    process_of,
    work_task,
)
from handlers.flow_scenario_setup import Placeholders, arrange, scenario_actor
from handlers.flows import PERMISSION, standard_xml
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.case import Case
from models.flow import FlowScenario
from workflows.engine.loader import WORKFLOWS_DIR, deploy_definition
from workflows.engine.trace import completed_path

SCENARIO_DIR = Path(WORKFLOWS_DIR) / "scenarios"
MAX_STEPS = 30
MAX_GIVEN_CASES = 5

__all__ = ["ScenarioFailure", "ScenarioResult", "run_scenario", "run_scenarios", "save_scenario"]


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


def _refusal_matches(err: DomainError, wanted: str) -> bool:
    if isinstance(err, ValidationError):
        return any(wanted in (p.code, p.field) for p in err.problems)
    return wanted in str(err)


@contextmanager
def rolled_back(session: Session) -> Iterator[None]:
    """Run the block in a SAVEPOINT that is always rolled back, leaving no row and no live object behind.

    A SAVEPOINT's rollback forgets the objects the ORM inserted in it only while they are still referenced,
    and expires only the objects changed in it: rows written by Core statements, or an object collected and
    then loaded again by a query, stay in the session as if they existed, and on SQLite (which hands the
    rolled-back ids out again) the next scenario's insert clashed with them.  Everything is expired
    afterwards: a stale object is then reloaded or replaced, never taken for a row."""
    savepoint = session.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()
        session.expire_all()


def _expect_refusal(uow: UnitOfWork, wanted: str, work: Callable[[], None]) -> None:
    """Run ``work`` in its own SAVEPOINT: it must be refused with ``wanted`` (a problem code, field or part of
    the message) and leaves nothing behind."""
    with rolled_back(uow.session):
        try:
            work()
        except DomainError as err:
            if not _refusal_matches(err, wanted):
                raise ScenarioFailure(
                    f"期待と違う理由で拒否されました（期待：{wanted}、実際：{err}）"
                ) from err
            return
    raise ScenarioFailure(f"拒否（{wanted}）を期待しましたが、処理が進みました")


def _drive(uow: UnitOfWork, scenario: Mapping[str, Any], refs: Placeholders) -> int:
    """Open the scenario's case and work each of its steps; the case's id."""
    code = str(scenario.get("change_type") or "")
    driver = driver_for(code)
    intake = refs.resolve(dict(scenario.get("intake") or {}))
    case = driver.open(scenario_actor(uow, driver.opener_role), intake)
    for raw in list(scenario.get("steps") or [])[:MAX_STEPS]:
        step = refs.resolve(dict(raw))
        row = open_task(uow, case.id, str(step.get("task")))
        wanted = step.get("expect_refusal")
        if wanted:
            _expect_refusal(uow, str(wanted), partial(work_task, uow, driver, row, step, intake))
        else:
            work_task(uow, driver, row, step, intake)
    return case.id


def _arrange(uow: UnitOfWork, given: Mapping[str, Any]) -> Placeholders:
    refs = arrange(uow, given)
    for earlier in list(given.get("cases") or [])[:MAX_GIVEN_CASES]:
        case_id = _drive(uow, earlier, refs)
        case = uow.session.get(Case, case_id)
        if case is None or case.status != "completed":
            raise ScenarioFailure(f"前提の案件（{earlier.get('change_type')}）が完了しませんでした")
    return refs


def _check(uow: UnitOfWork, process_id: str, scenario: Mapping[str, Any], result: ScenarioResult) -> None:
    code = str(scenario.get("change_type") or "")
    if process_of(code) != process_id:
        raise ScenarioFailure(f"このシナリオ（{code}）は業務フロー {process_id} のものではありません")
    refs = _arrange(uow, dict(scenario.get("given") or {}))
    case_id = _drive(uow, scenario, refs)
    result.path = completed_path(uow, case_id)
    case = uow.session.get(Case, case_id)
    status = case.status if case else "missing"
    wanted = str(scenario.get("expected_status") or "completed")
    result.passed = result.path == result.expected_path and status == wanted
    result.message = "" if result.passed else f"経路または状態が違います（状態：{status}、期待：{wanted}）"


def run_scenario(
    uow: UnitOfWork, process_id: str, scenario: dict[str, Any], xml: str | None = None
) -> ScenarioResult:
    """Run ``scenario`` on ``xml`` (default: the newest version, or the standard) and roll everything back."""
    require(uow.actor, PERMISSION)
    expected = [str(t) for t in scenario.get("expected_path") or []]
    result = ScenarioResult(str(scenario.get("name") or ""), False, expected_path=expected)
    with rolled_back(uow.session):
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
            _check(uow, process_id, scenario, result)
        except (ScenarioFailure, DomainError) as err:
            result.message = str(err)
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
