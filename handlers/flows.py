"""Analysts edit the flows (業務フローの編集): the list with each flow's deviation from the national standard,
the flow to open in the modeler, deploy with validation, the version history, diffs and roll back.

A deploy adds a new immutable version for the analyst's municipality (``workflows.engine.loader``); new
cases take the newest version, running cases keep theirs.  Every door passes through ``flows.edit``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select

from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.flow_deviation import FlowDiff, diff_flows
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.case import ProcessDefinition
from workflows.engine import registry
from workflows.engine.elements import FlowXmlError, read_flow
from workflows.engine.lanes import LANE_ROLES
from workflows.engine.loader import PROCESS_ID, WORKFLOWS_DIR, deploy_definition

PERMISSION = "flows.edit"
# Modules whose import registers service operators (the generic change-type ones come from a resolver).
OPERATOR_MODULES = (
    "handlers.changes.catalog",
    "handlers.certificate_requests",
    "handlers.support_measure_flow",
)
CHANGE_TYPE_STEPS = ("record_provisional", "register", "queue_notices")
MAX_COMMENT = 400


@dataclass(frozen=True)
class FlowSummary:
    process_id: str
    name: str
    version: int | None  # the municipality's newest version; None: the standard is used as shipped
    author: str | None
    deviations: int  # elements that differ from the national standard


@dataclass(frozen=True)
class FlowVersion:
    id: int
    version: int
    author: str
    comment: str | None
    created_at: str
    sha256: str


def standard_xml(process_id: str) -> str:
    """The national standard flow shipped in ``workflows/<process_id>.bpmn``."""
    path = WORKFLOWS_DIR / f"{process_id}.bpmn"
    if not PROCESS_ID.match(process_id) or not path.is_file():
        raise NotFoundError(f"業務フロー {process_id!r} はありません。")
    return path.read_text(encoding="utf-8")


@cache
def flow_name(process_id: str) -> str:
    """The name the national flow gives itself (its ``<process name>``); NotFoundError for a flow not shipped."""
    try:
        return read_flow(standard_xml(process_id), process_id).name
    except FlowXmlError:
        return process_id


def standard_process_ids() -> list[str]:
    return sorted(p.stem for p in Path(WORKFLOWS_DIR).glob("*.bpmn") if PROCESS_ID.match(p.stem))


def _newest(uow: UnitOfWork, process_id: str) -> ProcessDefinition | None:
    return uow.session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def _deviation(process_id: str, xml: str) -> FlowDiff:
    return diff_flows(standard_xml(process_id), xml, process_id)


def list_flows(uow: UnitOfWork) -> list[FlowSummary]:
    """Every standard flow with this municipality's newest version and how far it departs from the standard."""
    require(uow.actor, PERMISSION)
    summaries: list[FlowSummary] = []
    for process_id in standard_process_ids():
        xml = standard_xml(process_id)
        try:
            name = read_flow(xml, process_id).name
        except FlowXmlError:
            continue
        newest = _newest(uow, process_id)
        deviations = len(_deviation(process_id, newest.bpmn_xml).deviations) if newest else 0
        summaries.append(
            FlowSummary(
                process_id,
                name,
                newest.version if newest else None,
                newest.author if newest else None,
                deviations,
            )
        )
    return summaries


@dataclass(frozen=True)
class FlowDraft:
    """What the modeler page opens: the XML to edit and the choices of the side form."""

    process_id: str
    xml: str
    version: int | None
    deviation: FlowDiff
    operators: list[str]
    lanes: list[str]


def operator_choices() -> list[str]:
    """Every operator a service task may name: the registered ones and each change type's generic steps."""
    for module in OPERATOR_MODULES:
        importlib.import_module(module)
    from handlers.changes.base import change_types

    generic = {f"{code}.{step}" for code in change_types() for step in CHANGE_TYPE_STEPS}
    return sorted(set(registry.names()) | {name for name in generic if registry.is_registered(name)})


def open_flow(uow: UnitOfWork, process_id: str) -> FlowDraft:
    """The municipality's newest version of ``process_id``, or the national standard if it has none."""
    require(uow.actor, PERMISSION)
    standard = standard_xml(process_id)
    newest = _newest(uow, process_id)
    xml = newest.bpmn_xml if newest else standard
    return FlowDraft(
        process_id=process_id,
        xml=xml,
        version=newest.version if newest else None,
        deviation=_deviation(process_id, xml),
        operators=operator_choices(),
        lanes=sorted(LANE_ROLES),
    )


def _comment(comment: str | None) -> str:
    text = (comment or "").strip()
    if not text or len(text) > MAX_COMMENT:
        raise ValidationError(
            [
                Problem(
                    "comment",
                    "変更理由",
                    "入力されていないか長すぎます",
                    "400字以内で入力してください。",
                    "comment",
                )
            ]
        )
    return text


def deploy_flow(uow: UnitOfWork, process_id: str, xml: str, comment: str | None) -> ProcessDefinition:
    """配備: validate ``xml`` (each problem names its element) and store it as the next version."""
    require(uow.actor, PERMISSION)
    standard_xml(process_id)  # only processes that have a national standard
    text = _comment(comment)
    if _newest(uow, process_id) is None:  # version 1 is always the standard, so the history starts there
        deploy_definition(
            uow.session,
            uow.actor.tenant_id,
            process_id,
            standard_xml(process_id),
            author="system",
            comment="初期配備",
        )
    return deploy_definition(
        uow.session, uow.actor.tenant_id, process_id, xml, author=uow.actor.login_id, comment=text
    )


def flow_versions(uow: UnitOfWork, process_id: str) -> list[FlowVersion]:
    require(uow.actor, PERMISSION)
    rows = uow.session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == process_id)
        .order_by(ProcessDefinition.version.desc())
    ).all()
    return [
        FlowVersion(
            r.id, r.version, r.author, r.comment, r.created_at.isoformat() if r.created_at else "", r.sha256
        )
        for r in rows
    ]


def version_of(uow: UnitOfWork, process_id: str, version: int) -> ProcessDefinition:
    require(uow.actor, PERMISSION)
    row = uow.session.scalars(
        select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version
        )
    ).first()
    if row is None:
        raise NotFoundError(f"業務フロー {process_id} の第{version}版はありません。")
    return row


def diff_versions(uow: UnitOfWork, process_id: str, base: int, other: int) -> FlowDiff:
    """What version ``other`` changed relative to version ``base``, element by element."""
    return diff_flows(
        version_of(uow, process_id, base).bpmn_xml, version_of(uow, process_id, other).bpmn_xml, process_id
    )


def deviation_report(uow: UnitOfWork, process_id: str) -> FlowDiff:
    """How the municipality's newest version departs from the national standard."""
    return open_flow(uow, process_id).deviation


def rollback_flow(uow: UnitOfWork, process_id: str, version: int) -> ProcessDefinition:
    """Roll back: deploy an earlier version's XML again, as a new version."""
    earlier = version_of(uow, process_id, version)
    return deploy_definition(
        uow.session,
        uow.actor.tenant_id,
        process_id,
        earlier.bpmn_xml,
        author=uow.actor.login_id,
        comment=f"rollback to v{version}",
    )
