"""Flow scenarios run for real (real operators, real register) inside a rolled-back SAVEPOINT: they pass on
the standard flows, fail on a broken flow, and leave nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.flow_scenarios import SCENARIO_DIR, run_scenarios, standard_scenarios
from handlers.flows import standard_process_ids
from models.case import Case, ProcessDefinition
from models.resident import Resident
from tests.flows.conftest import Step, standard

pytestmark = pytest.mark.req("j530")

SCENARIO_FLOWS = sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


@pytest.mark.parametrize("process_id", SCENARIO_FLOWS)
def test_every_scenario_of_a_standard_flow_passes_and_leaves_the_register_untouched(
    step: Step, analyst_a: Actor, process_id: str
) -> None:
    assert process_id in standard_process_ids()
    results = step(analyst_a, run_scenarios, process_id)
    assert len(results) == len(standard_scenarios(process_id)) >= 1
    for result in results:
        assert result.passed, f"{result.name}: {result.message} path={result.path}"
    assert step(analyst_a, lambda uow: uow.session.scalars(select(Case)).all()) == []
    assert step(analyst_a, lambda uow: uow.session.scalars(select(Resident)).all()) == []
    assert step(analyst_a, lambda uow: uow.session.scalars(select(ProcessDefinition)).all()) == []


def test_a_scenario_fails_when_a_task_is_removed_from_the_flow(step: Step, analyst_a: Actor) -> None:
    broken = standard("move_in").replace(
        '<bpmn:sequenceFlow id="flow_to_documents" sourceRef="queue_notices" targetRef="issue_documents"/>',
        '<bpmn:sequenceFlow id="flow_to_documents" sourceRef="queue_notices" targetRef="end_move_in"/>',
    )
    broken = broken.replace(
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents" targetRef="end_move_in"/>', ""
    )
    start = broken.index('<bpmn:userTask id="issue_documents"')
    broken = broken[:start] + broken[broken.index("</bpmn:userTask>", start) + len("</bpmn:userTask>") :]
    broken = broken.replace("<bpmn:flowNodeRef>issue_documents</bpmn:flowNodeRef>", "")
    results = step(analyst_a, run_scenarios, "move_in", broken)
    assert results and not any(r.passed for r in results)
    assert "タスク issue_documents が開いていません" in results[0].message


def test_a_municipality_scenario_is_kept_and_run_with_the_standard_ones(step: Step, analyst_a: Actor) -> None:
    from handlers.flow_scenarios import save_scenario

    mine = dict(standard_scenarios("move_in")[0], name="横浜市：承認")
    mine["expected_path"] = [*mine["expected_path"], "explain_rules"]  # this flow has no such step: must fail
    step(analyst_a, save_scenario, "move_in", mine)
    results = step(analyst_a, run_scenarios, "move_in")
    assert [(r.name, r.passed) for r in results][-1] == ("横浜市：承認", False)
    assert all(r.passed for r in results[:-1])
