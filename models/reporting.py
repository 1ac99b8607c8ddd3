"""Back-office work that runs beside the counter: extraction jobs (EUC, j1360), CSV intakes (j1430), bulk
address changes (j1340) with their notices to the persons concerned, and scheduled batches (j1280).  Data
only; the rules are in handlers/extraction, handlers/csv_intake and handlers/batches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantScoped

EXTRACTION_JOB_STATUSES = ("queued", "running", "done", "failed")
CSV_IMPORT_STATUSES = ("imported", "partial", "rejected")
BULK_ADDRESS_STATUSES = ("provisional", "final")  # 仮処理 (checked list) / 本処理
BULK_NOTICE_TIMINGS = ("advance", "after")  # 事前通知 (from the 仮処理's plan) / 事後通知 (from the 本処理)
BATCH_RUN_STATUSES = ("running", "succeeded", "failed")
BATCH_TRIGGERS = ("manual", "schedule")


class ExtractionJob(TenantScoped, Base):
    """One extraction (抽出) run in the background: its conditions, progress and the produced file."""

    __tablename__ = "extraction_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="extraction")  # extraction / sampling
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the condition tree (+ sampling spec)
    output: Mapped[str] = mapped_column(String(20))  # count / csv_utf8 / csv_sjis / xml / labels_pdf
    status: Mapped[str] = mapped_column(String(12), default="queued")  # EXTRACTION_JOB_STATUSES
    progress: Mapped[int] = mapped_column(Integer, default=0)  # rows scanned so far
    total: Mapped[int | None] = mapped_column(Integer)  # rows to scan, when known
    row_count: Mapped[int | None] = mapped_column(Integer)  # persons in the result
    excluded_protected: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    result_name: Mapped[str | None] = mapped_column(String(100))
    result_type: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(60))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CsvImport(TenantScoped, Base):
    """One uploaded CSV file (取込), identified by its sha256 so a re-upload creates nothing twice."""

    __tablename__ = "csv_import"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_csv_import_sha", "tenant_id", "kind", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # change_notice / certificate_application / card_face
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(20))
    all_or_nothing: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12))  # CSV_IMPORT_STATUSES
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(default=list)  # [{row, column, reason}]
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CsvImportRow(TenantScoped, Base):
    """One accepted row, keyed by its content, and what it became (a case or a prepared search)."""

    __tablename__ = "csv_import_row"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "row_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("csv_import.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    row_number: Mapped[int] = mapped_column(Integer)
    row_key: Mapped[str] = mapped_column(String(64))  # sha256 of the normalised row
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # parsed values (never 個人番号 in clear)


class BulkAddressChange(TenantScoped, Base):
    """A bulk address / 本籍 change (住所一括変更, j1340): the provisional plan, then the final run."""

    __tablename__ = "bulk_address_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))  # address / honseki
    minor_category: Mapped[str] = mapped_column(String(40))
    change_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="provisional")  # BULK_ADDRESS_STATUSES
    plan: Mapped[list[Any]] = mapped_column(default=list)  # affected households / persons, before → after
    problems: Mapped[list[Any]] = mapped_column(default=list)
    applied: Mapped[list[Any]] = mapped_column(default=list)  # 宛名番号 changed by the final run
    skipped: Mapped[list[Any]] = mapped_column(default=list)  # excluded at the final run, with the reason
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BulkAddressNotice(TenantScoped, Base):
    """One output of the notices of a bulk address change (j1340) to the persons concerned, made in the
    background: 事前 or 事後, the PDF (one page per notice) and the CSV list, what was left out and why."""

    __tablename__ = "bulk_address_notice"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_bulk_address_notice_change", "tenant_id", "change_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("bulk_address_change.id"))
    timing: Mapped[str] = mapped_column(String(10))  # BULK_NOTICE_TIMINGS
    status: Mapped[str] = mapped_column(String(12), default="queued")  # EXTRACTION_JOB_STATUSES
    progress: Mapped[int] = mapped_column(Integer, default=0)  # notices rendered so far
    notice_count: Mapped[int | None] = mapped_column(Integer)  # notices in the PDF and the CSV
    withheld: Mapped[list[Any]] = mapped_column(default=list)  # keys held back: a protected person concerned
    excluded: Mapped[list[Any]] = mapped_column(default=list)  # keys left out of the run, with the reason
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(60))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BatchSchedule(TenantScoped, Base):
    """When a registered batch runs by itself (j1280) and the parameters it was last given."""

    __tablename__ = "batch_schedule"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (UniqueConstraint("tenant_id", "batch_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(40))
    frequency: Mapped[str] = mapped_column(
        String(12), default="none"
    )  # none/once/daily/weekly/monthly/month_end
    run_at: Mapped[str] = mapped_column(String(5), default="02:00")  # HH:MM, local time (Asia/Tokyo)
    once_on: Mapped[dt.date | None] = mapped_column(Date)  # frequency "once"
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday (weekly)
    day_of_month: Mapped[int | None] = mapped_column(Integer)  # 1–31 (monthly; clipped to the month's end)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)  # last parameters used or saved
    next_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(60))


class BatchRun(TenantScoped, Base):
    """One run of a batch: who or what started it, when, with what, and what came out (j1280)."""

    __tablename__ = "batch_run"
    tenant_id_indexed = False  # a key of this table starts with tenant_id
    __table_args__ = (Index("ix_batch_run_code", "tenant_id", "batch_code", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_code: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(12))  # BATCH_TRIGGERS
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    changed_parameters: Mapped[list[Any]] = mapped_column(default=list)  # names edited since the last run
    status: Mapped[str] = mapped_column(String(12), default="running")  # BATCH_RUN_STATUSES
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    output: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    terminal: Mapped[str | None] = mapped_column(String(60))  # 処理端末
    started_by: Mapped[str] = mapped_column(String(60))
    result: Mapped[bytes | None] = mapped_column(LargeBinary)  # e.g. the statistics XLSX
    result_name: Mapped[str | None] = mapped_column(String(100))
