"""Parse and validate BPMN, and keep the per-municipality version store (ProcessDefinition).

A definition is immutable: deploying a changed file adds a new version, and a case keeps running on the
version it started with.  The first time a municipality uses a process, the file shipped in
``workflows/<process_id>.bpmn`` is deployed as its version 1.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask
from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.row_writes import run_prebuilt
from handlers.tenancy import built_once, check_row_tenant
from models.case import ProcessDefinition
from workflows.engine import registry
from workflows.engine.elements import read_flow
from workflows.engine.flow_rules import check_flow_rules
from workflows.engine.safe_env import check_expression, check_script

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent
PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class BpmnError(Exception):
    """The BPMN could not be parsed."""


def _as_bytes(xml: str | bytes) -> bytes:
    return xml.encode("utf-8") if isinstance(xml, str) else xml


def parse_bpmn(xml: str | bytes) -> SpiffBpmnParser:
    """Parse ``xml`` with the spiff extensions, checked against the BPMN and spiff XSDs."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_str(_as_bytes(xml))
    except Exception as exc:
        raise BpmnError(f"BPMNを読み込めません：{exc}") from exc
    return parser


def parse_bpmn_file(path: str | Path) -> SpiffBpmnParser:
    return parse_bpmn(Path(path).read_bytes())


Specs = tuple[Any, dict[str, Any]]
MAX_SPECS = 64
# (sha256 of the XML, process id) → (spec, subprocess specs): parsed once per process, shared by every
# workflow of that XML (definitions never change, and a spec is never changed by a running workflow).
_SPECS: dict[tuple[str, str], Specs] = {}


def process_specs(xml: str | bytes, process_id: str) -> Specs:
    """(spec, subprocess specs) of ``process_id`` in ``xml``; cached, since definitions never change."""
    data = _as_bytes(xml)
    return _parsed(hashlib.sha256(data).hexdigest(), data, process_id)


def _parsed(sha: str, data: bytes, process_id: str) -> Specs:
    specs = _SPECS.get((sha, process_id))
    if specs is None:
        parser = parse_bpmn(data)
        specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
        if len(_SPECS) >= MAX_SPECS:
            _SPECS.clear()
        _SPECS[(sha, process_id)] = specs
    return specs


def definition_specs(
    definition: ProcessDefinition | Deployed, read_xml: Callable[[], str] | None = None
) -> Specs:
    """The specs of a stored definition, found by the XML's sha256 the row carries; the XML itself (the
    row's, or ``read_xml()``'s for a ``Deployed``) is read and checked against that sha256 only the first
    time this process meets it."""
    specs = _SPECS.get((definition.sha256, definition.process_id))
    if specs is not None:
        return specs
    if isinstance(definition, ProcessDefinition):
        xml = definition.bpmn_xml
    else:
        assert read_xml is not None
        xml = read_xml()
    data = _as_bytes(xml)
    sha = hashlib.sha256(data).hexdigest()
    if sha != definition.sha256:  # never written so (deploy_definition computes it): parse what is there
        return process_specs(data, definition.process_id)
    return _parsed(sha, data, definition.process_id)


class FlowProblem(str):
    """One reason a flow cannot be deployed: the BPMN id of the element (empty for the whole file) and the
    Japanese message.  It is also the string ``"<element id>: <message>"`` (older callers print it)."""

    element_id: str
    message: str
    code: str

    def __new__(cls, element_id: str | None, message: str, code: str = "bpmn_invalid") -> FlowProblem:
        text = f"{element_id}: {message}" if element_id else message
        problem = super().__new__(cls, text)
        problem.element_id, problem.message, problem.code = element_id or "", message, code
        return problem


def _task_problems(spec: Any) -> list[FlowProblem]:
    problems: list[FlowProblem] = []
    for task_spec in spec.task_specs.values():
        bpmn_id = task_spec.bpmn_id
        if bpmn_id is None:
            continue
        if isinstance(task_spec, UserTask) and task_spec.lane is None:
            problems.append(
                FlowProblem(bpmn_id, "ユーザータスクがどのレーンにも属していません", "flow_no_lane")
            )
        if isinstance(task_spec, ServiceTask):
            if not registry.is_registered(task_spec.operation_name or ""):
                problems.append(
                    FlowProblem(
                        bpmn_id,
                        f"サービス処理「{task_spec.operation_name}」は登録されていません",
                        "flow_unknown_operator",
                    )
                )
            for name, param in task_spec.operation_params.items():
                problems += _expression_problems(bpmn_id, f"パラメータ {name}", param["value"])
        event_definition = getattr(task_spec, "event_definition", None)
        if isinstance(event_definition, TimerEventDefinition):
            problems += _expression_problems(bpmn_id, "タイマー式", event_definition.expression)
        for label, script in (
            ("スクリプト", getattr(task_spec, "script", None)),
            ("事前スクリプト", getattr(task_spec, "prescript", None)),
            ("事後スクリプト", getattr(task_spec, "postscript", None)),
        ):
            problem = check_script(script) if script else None
            if problem:
                problems.append(FlowProblem(bpmn_id, f"{label}：{problem}", "flow_bad_script"))
    return problems


def _expression_problems(bpmn_id: str, label: str, expression: str) -> list[FlowProblem]:
    problem = check_expression(expression or "")
    return (
        [FlowProblem(bpmn_id, f"{label}「{expression}」：{problem}", "flow_bad_expression")]
        if problem
        else []
    )


def validate_bpmn(xml: str | bytes) -> list[FlowProblem]:
    """Every problem that stops ``xml`` from being deployed, each naming its element; empty if it is fine.

    The file parses (BPMN and spiff XSDs); every service task names a registered operator; every lane maps
    to a role; every expression parses in the restricted evaluator; no task is unreachable; and the steps
    the law needs are there (``flow_rules``: review before 本登録, suppression check before issuance).
    """
    try:
        parser = parse_bpmn(xml)
        process_ids = parser.get_process_ids()
        specs = [parser.get_spec(pid) for pid in process_ids]
        models = [read_flow(xml, pid) for pid in process_ids]
    except Exception as exc:
        return [FlowProblem(None, str(exc), "flow_unparsable")]
    problems: list[FlowProblem] = []
    for spec, model in zip(specs, models, strict=True):
        problems += _task_problems(spec)
        problems += [FlowProblem(c.element_id, c.message, c.code) for c in check_flow_rules(model)]
    return problems


def problem_of(problem: FlowProblem) -> Problem:
    """The refusal shown to the analyst: ``field`` is the BPMN id of the element (the page highlights it)."""
    item = f"業務フロー定義（{problem.element_id}）" if problem.element_id else "業務フロー定義"
    return Problem(
        problem.element_id or "bpmn_xml", item, problem.message, "定義を修正してください。", problem.code
    )


def _latest(session: Session, tenant_id: int, process_id: str) -> ProcessDefinition | None:
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.tenant_id == tenant_id, ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def deploy_definition(
    session: Session, tenant_id: int, process_id: str, xml: str, *, author: str, comment: str | None = None
) -> ProcessDefinition:
    """Store ``xml`` as the next version of ``process_id`` for municipality ``tenant_id``."""
    problems = validate_bpmn(xml)
    if not problems and process_id not in parse_bpmn(xml).get_process_ids():
        problems.append(
            FlowProblem(None, f"プロセス {process_id} が定義されていません", "flow_wrong_process")
        )
    if problems:
        raise ValidationError([problem_of(p) for p in problems])
    current = session.scalar(
        select(func.max(ProcessDefinition.version)).where(
            ProcessDefinition.tenant_id == tenant_id, ProcessDefinition.process_id == process_id
        )
    )
    definition = ProcessDefinition(
        tenant_id=tenant_id,
        process_id=process_id,
        version=(current or 0) + 1,
        bpmn_xml=xml,
        sha256=hashlib.sha256(xml.encode("utf-8")).hexdigest(),
        author=author,
        comment=comment,
    )
    session.add(definition)
    session.flush()
    return definition


@dataclass(frozen=True)
class Deployed:
    """The newest version of a process as a new case needs it: its row without the XML (the specs are found
    by the sha256, ``definition_specs``)."""

    id: int
    process_id: str
    version: int
    sha256: str

    @classmethod
    def of(cls, definition: ProcessDefinition) -> Deployed:
        return cls(definition.id, definition.process_id, definition.version, definition.sha256)


_DEFINITIONS = cast(Table, ProcessDefinition.__table__)
# Built once, Core (its cache key is kept), naming the tenant: the newest version's identity, without the XML.
_NEWEST = (
    select(_DEFINITIONS.c.id, _DEFINITIONS.c.version, _DEFINITIONS.c.sha256)
    .where(_DEFINITIONS.c.tenant_id == bindparam("tenant"), _DEFINITIONS.c.process_id == bindparam("process"))
    .order_by(_DEFINITIONS.c.version.desc())
    .limit(1)
)
_XML = built_once(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == bindparam("definition")))


def newest_deployed(session: Session, tenant_id: int, process_id: str) -> Deployed:
    """``load_definition`` without reading the XML: the newest version at this moment (a version deployed
    by another process a moment ago is found), the shipped file deployed as version 1 the first time."""
    if not PROCESS_ID.match(process_id):
        raise NotFoundError(f"業務フロー {process_id!r} はありません。")
    check_row_tenant(session, tenant_id)  # the case about to be opened must be the session's tenant's
    rows = run_prebuilt(session, _NEWEST, {"tenant": tenant_id, "process": process_id}).rows
    if not rows:
        return Deployed.of(load_definition(session, tenant_id, process_id))
    definition_id, version, sha256 = rows[0]
    return Deployed(definition_id, process_id, version, sha256)


def deployed_specs(session: Session, deployed: Deployed) -> Specs:
    """The specs of ``deployed``; its XML read only when this process has not parsed it yet."""
    return definition_specs(deployed, lambda: session.scalars(_XML, {"definition": deployed.id}).one())


def load_definition(session: Session, tenant_id: int, process_id: str) -> ProcessDefinition:
    """The newest version of ``process_id`` for ``tenant_id``, deploying the shipped file as version 1."""
    if not PROCESS_ID.match(process_id):
        raise NotFoundError(f"業務フロー {process_id!r} はありません。")
    definition = _latest(session, tenant_id, process_id)
    if definition is not None:
        return definition
    path = WORKFLOWS_DIR / f"{process_id}.bpmn"
    if not path.is_file():
        raise NotFoundError(f"業務フロー {process_id!r} はありません。")
    xml = path.read_text(encoding="utf-8")
    try:
        with session.begin_nested():  # several web workers may meet the first case of a process at once
            return deploy_definition(session, tenant_id, process_id, xml, author="system", comment="初期配備")
    except IntegrityError:
        definition = _latest(session, tenant_id, process_id)  # the other transaction's version 1, committed
        if definition is None:
            raise
        return definition
