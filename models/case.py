"""Cases (異動の案件): BPMN process versions, running cases, their saved workflow, task queue, timeline, timers.

The workflow engine (``workflows.engine``) writes these rows; everything else reads them with plain SQL
(a work queue is a query on ``case_task``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

CASE_STATUSES = ("running", "waiting", "incident", "completed", "cancelled")
TASK_STATES = ("ready", "claimed", "completed", "cancelled")


class ProcessDefinition(TenantScoped, Base):
    """One immutable version of one BPMN process of one municipality.  A case stays on its version."""

    __tablename__ = "process_definition"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(60))  # BPMN process id, e.g. move_in
    version: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(60))
    comment: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Case(TenantScoped, Base):
    """One application (届出) or ex-officio change (職権) running through a BPMN process."""

    __tablename__ = "case"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("tenant_id", "case_number"),
        Index("ix_case_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20))  # 受付番号
    process_id: Mapped[str] = mapped_column(String(60))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    status: Mapped[str] = mapped_column(String(12), default="running")  # CASE_STATUSES
    change_type: Mapped[str | None] = mapped_column(String(30))  # 異動事由 code, e.g. move_in
    subject_atena_numbers: Mapped[list[Any]] = mapped_column(default=list)  # 宛名番号 of the persons
    subject_household_numbers: Mapped[list[Any]] = mapped_column(default=list)  # 世帯番号
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    incident_error: Mapped[str | None] = mapped_column(Text)
    incident_task: Mapped[str | None] = mapped_column(String(100))  # BPMN id of the failing task
    cancel_reason: Mapped[str | None] = mapped_column(String(400))
    due_date: Mapped[dt.date | None] = mapped_column()  # legal due date (handlers.rules.deadlines)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkflowState(TenantScoped, Base):
    """The saved SpiffWorkflow instance of a case (serializer output without the spec, which is rebuilt
    from the case's ProcessDefinition)."""

    __tablename__ = "workflow_state"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    state_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseTask(TenantScoped, Base):
    """A human task of a case: the work-queue index, rebuilt from the workflow after every engine step."""

    __tablename__ = "case_task"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (
        UniqueConstraint("case_id", "task_uuid"),
        Index("ix_case_task_tenant_state_role", "tenant_id", "state", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))  # led by the (case_id, task_uuid) key
    task_uuid: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))  # the BPMN name (Japanese)
    lane: Mapped[str | None] = mapped_column(String(60))
    role: Mapped[str | None] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(12), default="ready")  # TASK_STATES
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(String(60))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    form_key: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[dt.date | None] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what was submitted on completion
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseEvent(TenantScoped, Base):
    """The case timeline: who did what to the case, when."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(60))  # login id, or "system"
    kind: Mapped[str] = mapped_column(String(20))  # started, task_claimed, ..., completed
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PendingTimer(TenantScoped, Base):
    """A timer event a case waits on; the scheduler (``jumin cases tick`` / Celery beat) fires due ones."""

    __tablename__ = "pending_timer"
    __table_args__ = (
        UniqueConstraint("case_id", "task_uuid"),
        Index("ix_pending_timer_due", "fired", "fire_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))  # led by the (case_id, task_uuid) key
    task_uuid: Mapped[str] = mapped_column(String(36))
    fire_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # UTC
    fired: Mapped[bool] = mapped_column(Boolean, default=False)
