"""Flow editing by analysts: migrations of running cases to a new process version, and test scenarios.

The versions themselves are ``models.case.ProcessDefinition``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

MIGRATION_JOB_STATUSES = ("queued", "running", "finished", "failed")


class MigrationJob(TenantScoped, Base):
    """One run moving the running cases of a process to a newer version; the page polls its progress."""

    __tablename__ = "migration_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(60))
    target_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    case_ids: Mapped[list[Any]] = mapped_column(default=list)  # the cases the dry run found movable
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # MIGRATION_JOB_STATUSES
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)  # case id → reason
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CaseMigration(TenantScoped, Base):
    """One case moved to another version, with what is needed to put it back exactly as it was."""

    __tablename__ = "case_migration"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("migration_job.id"))
    from_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    to_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    previous_state_json: Mapped[str] = mapped_column(Text)  # WorkflowState.state_json before the move
    previous_serializer_version: Mapped[str] = mapped_column(String(10))
    migrated_by: Mapped[str] = mapped_column(String(60))
    migrated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reverted_by: Mapped[str | None] = mapped_column(String(60))
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FlowScenario(TenantScoped, Base):
    """An analyst's test scenario for a process: intake data, decisions, and the expected path of task ids."""

    __tablename__ = "flow_scenario"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "process_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(100))
    scenario: Mapped[dict[str, Any]] = mapped_column(default=dict)  # see handlers.flow_scenarios
    author: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
