"""Flow scenarios run for real (real operators, real register) inside a rolled-back SAVEPOINT: they pass on
the standard flows, fail on a broken flow, and leave nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.flow_scenarios import SCENARIO_DIR, run_scenario, run_scenarios, standard_scenarios
from handlers.flows import standard_process_ids
from models.case import Case, ProcessDefinition
from models.resident import Resident
from tests.flows.conftest import Step, standard

pytestmark = [pytest.mark.req("j530"), pytest.mark.usefixtures("certifying_city_a")]

SCENARIO_FLOWS = sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))
SCENARIOS = [(pid, i) for pid in SCENARIO_FLOWS for i in range(len(standard_scenarios(pid)))]


def test_every_standard_flow_carries_scenarios_and_one_for_each_rejection_branch() -> None:
    assert sorted(standard_process_ids()) == SCENARIO_FLOWS
    for process_id in SCENARIO_FLOWS:
        xml = standard(process_id)
        paths = [s["expected_path"] for s in standard_scenarios(process_id)]
        assert paths, process_id
        if 'name="差戻し"' in xml:  # the review can send the case back to its intake
            assert any(p.count(f"intake_{process_id}") == 2 for p in paths), process_id
        if 'id="end_refused"' in xml:  # a refusal branch ends the case
            assert any("issue_certificate" not in p and "put_support_in_force" not in p for p in paths)


@pytest.mark.parametrize(("process_id", "index"), SCENARIOS)
def test_every_scenario_of_a_standard_flow_passes_and_leaves_the_register_untouched(
    step: Step, analyst_a: Actor, process_id: str, index: int
) -> None:
    scenario = standard_scenarios(process_id)[index]
    result = step(analyst_a, run_scenario, process_id, scenario)
    assert result.passed, f"{result.name}: {result.message} path={result.path}"
    assert result.path == scenario["expected_path"]
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


def _scenario(process_id: str, name_part: str) -> dict[str, Any]:
    return next(s for s in standard_scenarios(process_id) if name_part in s["name"])


@pytest.mark.req("j1000")
def test_certificate_scenarios_fail_when_the_disclosure_condition_is_inverted(
    step: Step, analyst_a: Actor
) -> None:
    broken = standard("certificate_request").replace(
        'disclosure["allowed"] == True', 'disclosure["allowed"] == False'
    )
    assert broken != standard("certificate_request")
    allowed = step(
        analyst_a, run_scenario, "certificate_request", _scenario("certificate_request", "交付可"), broken
    )
    assert not allowed.passed and "タスク issue_certificate が開いていません" in allowed.message
    refused = step(
        analyst_a, run_scenario, "certificate_request", _scenario("certificate_request", "交付不可"), broken
    )
    assert not refused.passed and refused.path == ["check_disclosure"]
    assert "状態：waiting" in refused.message or "状態：running" in refused.message


@pytest.mark.req("j440")
def test_a_support_measure_scenario_fails_when_the_officers_confirmation_is_removed(
    step: Step, analyst_a: Actor
) -> None:
    broken = standard("support_measure").replace(
        'sourceRef="record_support_request" targetRef="confirm_support_need"',
        'sourceRef="record_support_request" targetRef="record_support_opinion"',
    )
    start = broken.index('<bpmn:userTask id="confirm_support_need"')
    broken = broken[:start] + broken[broken.index("</bpmn:userTask>", start) + len("</bpmn:userTask>") :]
    broken = broken.replace("<bpmn:flowNodeRef>confirm_support_need</bpmn:flowNodeRef>", "")
    broken = broken.replace(
        '<bpmn:sequenceFlow id="flow_to_record_opinion" sourceRef="confirm_support_need" '
        'targetRef="record_support_opinion"/>',
        "",
    )
    results = step(analyst_a, run_scenarios, "support_measure", broken)
    assert len(results) == 2 and not any(r.passed for r in results)
    # without the officer's confirmation the opinion is recorded blank: the real operator refuses at intake
    assert all("意見を求めた機関" in r.message and r.path == [] for r in results)


@pytest.mark.req("j870")
def test_an_alert_scenario_fails_when_the_alert_no_longer_stops_the_approval(
    step: Step, analyst_a: Actor
) -> None:
    scenario = dict(_scenario("birth", "警告"))
    scenario["given"] = {**scenario["given"], "settings": {"resident_code_pool_alert": 0}}
    result = step(analyst_a, run_scenario, "birth", scenario)
    assert not result.passed and "拒否（alert_not_acknowledged）を期待しましたが" in result.message


def test_a_scenario_of_another_flow_or_with_a_missing_given_person_fails_with_its_reason(
    step: Step, analyst_a: Actor
) -> None:
    death = _scenario("death", "承認")
    wrong_flow = step(analyst_a, run_scenario, "birth", death)
    assert not wrong_flow.passed and "業務フロー birth のものではありません" in wrong_flow.message
    no_household = {**death, "given": {}}
    missing = step(analyst_a, run_scenario, "death", no_household)
    assert not missing.passed and "前提の世帯 0 がありません" in missing.message


def test_a_rolled_back_scenario_leaves_no_live_object_behind_even_one_loaded_again(
    step: Step, analyst_a: Actor
) -> None:
    """An object made inside the scenario's SAVEPOINT, dropped and loaded again by a query (as a case loads
    its definition), is expired by the rollback, and the next scenario's row (SQLite hands the same id out
    again) takes its place without a clash."""
    import gc
    import warnings

    from sqlalchemy import inspect

    from handlers.flow_scenarios import rolled_back
    from workflows.engine.loader import deploy_definition

    def deploy(uow: Any) -> ProcessDefinition:
        return deploy_definition(uow.session, analyst_a.tenant_id, "move_in", standard("move_in"), author="t")

    def arrange(uow: Any) -> tuple[bool, bool]:
        with rolled_back(uow.session):
            made_id = deploy(uow).id
            gc.collect()
            reloaded = uow.session.get(ProcessDefinition, made_id)
            assert reloaded is not None
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Identity map already had an identity …" would raise here
            with rolled_back(uow.session):
                deploy(uow)
        return inspect(reloaded).expired, uow.session.scalars(select(ProcessDefinition)).first() is not None

    assert step(analyst_a, arrange) == (True, False)
