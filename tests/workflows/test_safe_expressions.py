"""Untrusted BPMN expressions and scripts: hostile ones stop the case with an incident, never the process."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from handlers.context import Actor
from handlers.errors import ValidationError
from handlers.uow import UnitOfWork
from models.case import Case, ProcessDefinition
from tests.workflows.conftest import RecordingOperators, Step
from tests.workflows.test_move_in_paths import open_task, start, work
from workflows.engine import loader, runner, store
from workflows.engine.safe_env import SafeEnvironment, SafeScriptEngine

pytestmark = pytest.mark.req("j530")

MOVE_IN_XML = (Path(loader.WORKFLOWS_DIR) / "move_in.bpmn").read_text(encoding="utf-8")

HOSTILE_EXPRESSIONS = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd').read()",
    "getattr(approved, '__globals__')",
    "[].__class__",
    "(lambda: 1)()",
    "(lambda f: f(f))(lambda f: f(f))",
    "'{0.__class__}'.format(1)",
    "9**9**9",
    "'a'*10**9",
]
HOSTILE_SCRIPTS = [
    "import os\nos.system('id')",
    "while True: pass",
    "for i in range(10**9): pass",
    "x = [i for i in range(10**8)]",
    "data = open('/etc/passwd').read()",
    "x = ().__class__.__base__.__subclasses__()",
    "x = getattr(1, '__class__')",
    "x = '{0.__class__}'.format(1)",
    "x = 9**9**9",
    "x = 'a'*10**9",
    "f = lambda: 1",
    "def f(): return 1",
    "x = [0]*10**9",
]
RUNTIME_ONLY_SCRIPTS = {  # stopped by the step budget or size limits when run, not by validation
    "for i in range(10**9): pass",
    "x = [i for i in range(10**8)]",
    "x = 9**9**9",
    "x = 'a'*10**9",
    "x = [0]*10**9",
}


def mini_bpmn(process_id: str, *, condition: str = "approved == True", script: str | None = None) -> str:
    script_task = (
        f'<bpmn:scriptTask id="calc" name="計算"><bpmn:incoming>f0</bpmn:incoming>'
        f"<bpmn:outgoing>f1</bpmn:outgoing><bpmn:script>{_xml(script)}</bpmn:script></bpmn:scriptTask>"
        if script is not None
        else ""
    )
    first_target = "calc" if script is not None else "decide"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://jumin.example/t">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="窓口">
      <bpmn:flowNodeRef>decide</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="begin"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="begin" targetRef="{first_target}"/>
    {script_task}
    {'<bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="decide"/>' if script is not None else ""}
    <bpmn:userTask id="decide" name="判断"><bpmn:incoming>{"f1" if script is not None else "f0"}</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="route"/>
    <bpmn:exclusiveGateway id="route" default="f_b"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_a</bpmn:outgoing><bpmn:outgoing>f_b</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_a" sourceRef="route" targetRef="end_a">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{_xml(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_b" sourceRef="route" targetRef="end_b"/>
    <bpmn:endEvent id="end_a"><bpmn:incoming>f_a</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>f_b</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def store_unvalidated(uow: UnitOfWork, process_id: str, xml: str) -> None:
    """A definition that slipped past validation (e.g. written before a rule existed)."""
    sha = hashlib.sha256(xml.encode()).hexdigest()
    uow.session.add(
        ProcessDefinition(process_id=process_id, version=1, bpmn_xml=xml, sha256=sha, author="test")
    )
    uow.session.flush()


@pytest.mark.parametrize("expression", HOSTILE_EXPRESSIONS)
def test_hostile_gateway_condition_stops_the_case_with_an_incident(
    step: Step, clerk_a: Actor, expression: str
) -> None:
    if expression not in ("9**9**9", "'a'*10**9"):  # these two are only stopped when evaluated
        assert loader.validate_bpmn(mini_bpmn("hostile_gw", condition=expression)) != []
    step(clerk_a, store_unvalidated, "hostile_gw", mini_bpmn("hostile_gw", condition=expression))
    case = step(clerk_a, runner.start_case, "hostile_gw", data={"approved": True})
    work(step, clerk_a, case.id, "decide", {})
    stopped = step(clerk_a, lambda uow: uow.session.get(Case, case.id))
    assert (stopped.status, stopped.incident_task) == ("incident", "route")
    assert "式" in stopped.incident_error


@pytest.mark.parametrize("script", HOSTILE_SCRIPTS)
def test_hostile_script_stops_the_case_with_an_incident(step: Step, clerk_a: Actor, script: str) -> None:
    if script not in RUNTIME_ONLY_SCRIPTS:
        assert loader.validate_bpmn(mini_bpmn("hostile_script", script=script)) != []
    step(clerk_a, store_unvalidated, "hostile_script", mini_bpmn("hostile_script", script=script))
    began = time.monotonic()
    case = step(clerk_a, runner.start_case, "hostile_script", data={})
    assert time.monotonic() - began < 15
    assert (case.status, case.incident_task) == ("incident", "calc")
    assert "スクリプト" in case.incident_error


def test_plain_script_and_condition_run_and_keep_only_plain_variables(step: Step, clerk_a: Actor) -> None:
    xml = mini_bpmn("tame", script="total = fee * 2\nitems = [i for i in range(3)]", condition="total > 500")
    assert loader.validate_bpmn(xml) == []
    step(
        clerk_a,
        lambda uow: loader.deploy_definition(uow.session, uow.actor.tenant_id, "tame", xml, author="t"),
    )
    case = step(clerk_a, runner.start_case, "tame", data={"fee": 300})
    data = step(clerk_a, runner.task_data, open_task(step, clerk_a, case.id, "decide").id)
    assert data == {"fee": 300, "total": 600, "items": [0, 1, 2]}
    work(step, clerk_a, case.id, "decide", {})
    assert step(clerk_a, lambda uow: uow.session.get(Case, case.id)).status == "completed"


def test_restored_workflow_runs_on_the_safe_engine(
    step: Step, clerk_a: Actor, operators: RecordingOperators
) -> None:
    case = start(step, clerk_a)

    def restore(uow: UnitOfWork) -> None:
        stored = uow.session.get(Case, case.id)
        definition = uow.session.get(ProcessDefinition, stored.definition_id)
        workflow = store.restore_workflow(uow.session, stored, definition, SafeEnvironment())
        assert isinstance(workflow.script_engine, SafeScriptEngine)
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        with pytest.raises(WorkflowTaskException):
            workflow.script_engine.evaluate(task, "__import__('os').getpid()")
        with pytest.raises(WorkflowTaskException):
            workflow.script_engine.execute(task, "import os")

    step(clerk_a, restore)


def test_validation_names_unknown_operators_lanes_and_unreachable_tasks(
    operators: RecordingOperators,
) -> None:
    assert loader.validate_bpmn(MOVE_IN_XML) == []
    broken = MOVE_IN_XML.replace('id="move_in.register"', 'id="move_in.no_such_operator"')
    broken = broken.replace('name="審査"', 'name="謎の部署"')
    broken = broken.replace(
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="issue_documents"',
        '<bpmn:sequenceFlow id="flow_to_end" sourceRef="end_escalation"',
    )
    problems = "\n".join(loader.validate_bpmn(broken))
    assert "move_in.no_such_operator" in problems
    assert "謎の部署" in problems
    assert "end_move_in" not in problems  # still reachable through the escalation branch
    assert loader.validate_bpmn("<not-bpmn/>") != []
    assert loader.validate_bpmn(mini_bpmn("x", condition="approved ==")) != []


def test_a_flow_needs_its_operators_registered(step: Step, clerk_a: Actor) -> None:
    # move_in's operators come from the case framework (handlers.cases.operators); a type nobody registered
    # has none.
    unknown = MOVE_IN_XML.replace('id="move_in.', 'id="no_such_type.')
    problems = loader.validate_bpmn(unknown)
    assert len(problems) == 3 and all("登録されていません" in p for p in problems)
    with pytest.raises(ValidationError):
        step(
            clerk_a,
            lambda uow: loader.deploy_definition(
                uow.session, clerk_a.tenant_id, "move_in", unknown, author="t"
            ),
        )
