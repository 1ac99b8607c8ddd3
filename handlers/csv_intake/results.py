"""What the CSV intake pages show after the fact (j1430, j1340): one import with the cases its rows became,
and one bulk address change with its plan or its final result.  Read-only; the permission is the intake's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.csv_intake.layouts import KIND_LABELS
from handlers.errors import NotFoundError
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.case import Case
from models.reporting import BulkAddressChange, CsvImport, CsvImportRow

STATUS_LABELS = {"imported": "全件取込", "partial": "一部取込", "rejected": "取込なし"}


@dataclass(frozen=True)
class AcceptedRow:
    row_number: int
    case_id: int | None
    case_number: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class ImportSummary:
    id: int
    kind: str
    kind_label: str
    file_name: str
    encoding: str | None
    all_or_nothing: bool
    status: str
    status_label: str
    row_count: int
    created_count: int
    problems: list[dict[str, Any]]
    accepted: list[AcceptedRow]


def import_summary(uow: UnitOfWork, import_id: int) -> ImportSummary:
    """One import of the caller's municipality: its counts, refused rows, and each accepted row's case."""
    require(uow.actor, "resident.change")
    record = uow.session.get(CsvImport, import_id)
    if record is None:
        raise NotFoundError(f"CSV取込 {import_id} はありません。")
    rows = uow.session.execute(
        select(CsvImportRow, Case.case_number)
        .outerjoin(Case, Case.id == CsvImportRow.case_id)
        .where(CsvImportRow.import_id == record.id)
        .order_by(CsvImportRow.row_number)
    ).all()
    accepted = [AcceptedRow(row.row_number, row.case_id, number, dict(row.data)) for row, number in rows]
    return ImportSummary(
        record.id, record.kind, KIND_LABELS.get(record.kind, record.kind), record.file_name, record.encoding,
        record.all_or_nothing, record.status, STATUS_LABELS.get(record.status, record.status), record.row_count,
        record.created_count, list(record.problems or []), accepted,
    )  # fmt: skip


def bulk_change(uow: UnitOfWork, change_id: int) -> BulkAddressChange:
    """One 住所一括変更 of the caller's municipality (its provisional plan or its final result)."""
    require(uow.actor, "resident.change")
    change = uow.session.get(BulkAddressChange, change_id)
    if change is None:
        raise NotFoundError(f"住所一括変更 {change_id} はありません。")
    return change
