"""Parse and validate BPMN, and keep the per-municipality version store (ProcessDefinition).

A definition is immutable: deploying a changed file adds a new version, and a case keeps running on the
version it started with.  The first time a municipality uses a process, the file shipped in
``workflows/<process_id>.bpmn`` is deployed as its version 1.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from functools import lru_cache
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.errors import NotFoundError, Problem, ValidationError
from models.case import ProcessDefinition
from workflows.engine import registry
from workflows.engine.lanes import role_for_lane
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


@lru_cache(maxsize=64)
def _specs_by_sha(sha: str, xml: bytes, process_id: str) -> tuple[Any, dict[str, Any]]:
    parser = parse_bpmn(xml)
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def process_specs(xml: str | bytes, process_id: str) -> tuple[Any, dict[str, Any]]:
    """(spec, subprocess specs) of ``process_id`` in ``xml``; cached, since definitions never change."""
    data = _as_bytes(xml)
    return _specs_by_sha(hashlib.sha256(data).hexdigest(), data, process_id)


def _task_problems(spec: Any) -> list[str]:
    problems: list[str] = []
    for task_spec in spec.task_specs.values():
        bpmn_id = task_spec.bpmn_id
        if bpmn_id is None:
            continue
        if task_spec.lane is not None and role_for_lane(task_spec.lane) is None:
            problems.append(f"{bpmn_id}: レーン「{task_spec.lane}」に対応する役割がありません")
        if isinstance(task_spec, UserTask) and task_spec.lane is None:
            problems.append(f"{bpmn_id}: ユーザータスクがどのレーンにも属していません")
        if isinstance(task_spec, ServiceTask):
            if not registry.is_registered(task_spec.operation_name or ""):
                problems.append(f"{bpmn_id}: サービス処理「{task_spec.operation_name}」は登録されていません")
            for name, param in task_spec.operation_params.items():
                problems += _expression_problems(bpmn_id, f"パラメータ {name}", param["value"])
        for condition, _target in getattr(task_spec, "cond_task_specs", []):
            if condition is not None:  # None: the default flow
                problems += _expression_problems(bpmn_id, "条件式", condition.args[0])
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
                problems.append(f"{bpmn_id}: {label}：{problem}")
    return problems


def _expression_problems(bpmn_id: str, label: str, expression: str) -> list[str]:
    problem = check_expression(expression or "")
    return [f"{bpmn_id}: {label}「{expression}」：{problem}"] if problem else []


def _unreachable(spec: Any) -> list[str]:
    seen: set[str] = set()
    queue = deque([spec.start])
    while queue:
        task_spec = queue.popleft()
        if task_spec.name in seen:
            continue
        seen.add(task_spec.name)
        queue.extend(task_spec.outputs)
    return [
        f"{ts.bpmn_id}: 開始イベントから到達できません"
        for name, ts in spec.task_specs.items()
        if ts.bpmn_id is not None and name not in seen
    ]


def validate_bpmn(xml: str | bytes) -> list[str]:
    """Every problem that stops ``xml`` from being deployed (Japanese, one per line); empty if it is fine."""
    try:
        parser = parse_bpmn(xml)
        process_ids = parser.get_process_ids()
        specs = [parser.get_spec(pid) for pid in process_ids]
    except Exception as exc:
        return [str(exc)]
    problems: list[str] = []
    for spec in specs:
        problems += _task_problems(spec) + _unreachable(spec)
    return problems


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
        problems.append(f"プロセス {process_id} が定義されていません")
    if problems:
        raise ValidationError(
            [
                Problem("bpmn_xml", "業務フロー定義", p, "定義を修正してください。", "bpmn_invalid")
                for p in problems
            ]
        )
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
    return deploy_definition(
        session, tenant_id, process_id, path.read_text(encoding="utf-8"), author="system", comment="初期配備"
    )
