"""Export of a whole tenant in the standard layout (j1360 EUC data source, j1410 移行用データ抽出).

Rows are streamed (``yield_per``) from the database to the files, so a register of a million people never
sits in memory.  Each file's sha256 and row count go into ``manifest.json``; the export time is in the
manifest only, never in a checksummed file, so exporting the same data twice gives identical files.  The
export's own access-log row is written after the log was read: it appears in the next export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import aliased

from handlers.audit import record_access
from handlers.permissions import require
from handlers.portability.layout import (
    LAYOUT_NAME,
    LAYOUT_VERSION,
    SPECS,
    FileSpec,
    file_name,
    login_source,
)
from handlers.portability.rowfiles import RowWriter, open_writer
from handlers.tenants import municipality_of
from handlers.uow import UnitOfWork
from models.audit import AccessLog
from models.resident import Household, Resident, ResidentHistory
from models.support import SupportMeasure, SupportMeasureParty
from models.user import User

FORMATS = ("csv", "jsonl")
BATCH_ROWS = 5000
MANIFEST = "manifest.json"
SNAPSHOT_IDS = ("id", "household_id")  # database ids inside history snapshots: not part of the layout


@dataclass
class ExportReport:
    directory: Path
    fmt: str
    counts: dict[str, int] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def _reference_expressions(spec: FileSpec) -> tuple[dict[str, Any], list[tuple[Any, Any]]]:
    """Expressions for the reference columns of ``spec`` and the outer joins they need."""
    model = spec.model
    exprs: dict[str, Any] = {}
    joins: list[tuple[Any, Any]] = []
    for column in spec.columns:
        if column.reference is None:
            continue
        if column.reference == "users.login_id":
            user = aliased(User)
            joins.append((user, getattr(model, login_source(column.name)) == user.id))
            exprs[column.name] = user.login_id
        elif column.name == "head_atena_number":
            head = aliased(Resident)
            joins.append((head, Household.head_resident_id == head.id))
            exprs[column.name] = head.atena_number
        elif column.name == "household_number":
            joins.append((Household, Resident.household_id == Household.id))
            exprs[column.name] = Household.household_number
        elif column.name == "resident_atena_number":
            person = aliased(Resident)
            joins.append((person, SupportMeasureParty.resident_id == person.id))
            exprs[column.name] = person.atena_number
        elif column.name == "measure_no":
            exprs[column.name] = SupportMeasure.id if model is SupportMeasure else model.measure_id
    return exprs, joins


def export_statement(spec: FileSpec, through_seq: int | None = None) -> Select[Any]:
    """One SELECT giving the file's columns in order (ORM attributes, so tenant scoping applies)."""
    exprs, joins = _reference_expressions(spec)
    columns = [exprs[c.name] if c.name in exprs else getattr(spec.model, c.name) for c in spec.columns]
    stmt = select(*(expr.label(c.name) for expr, c in zip(columns, spec.columns, strict=True)))
    stmt = stmt.select_from(spec.model)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    if spec.model is AccessLog and through_seq is not None:
        stmt = stmt.where(AccessLog.seq <= through_seq)
    if spec.model is ResidentHistory:
        return stmt.order_by(ResidentHistory.atena_number, ResidentHistory.history_no)
    if spec.order_by_id:
        return stmt.order_by(spec.model.id)
    return stmt.order_by(*(getattr(spec.model, k) for k in spec.key))


def _rows(uow: UnitOfWork, spec: FileSpec, through_seq: int) -> Iterator[dict[str, Any]]:
    stmt = export_statement(spec, through_seq).execution_options(yield_per=BATCH_ROWS)
    measure_numbers: dict[int, int] = {}
    if spec.model is SupportMeasureParty:
        ids = uow.session.scalars(select(SupportMeasure.id).order_by(SupportMeasure.id))
        measure_numbers = {measure_id: n for n, measure_id in enumerate(ids, start=1)}
    for n, row in enumerate(uow.session.execute(stmt), start=1):
        values = row._asdict()
        if spec.model is SupportMeasure:
            values["measure_no"] = n
        elif spec.model is SupportMeasureParty:
            values["measure_no"] = measure_numbers[values["measure_no"]]
        elif spec.model is ResidentHistory:
            snapshot = dict(values["snapshot"])
            for key in SNAPSHOT_IDS:
                snapshot.pop(key, None)
            values["snapshot"] = snapshot
        yield values


def _write_file(uow: UnitOfWork, spec: FileSpec, directory: Path, fmt: str, through: int) -> dict[str, Any]:
    path = directory / file_name(spec, fmt)
    writer: RowWriter
    with path.open("wb") as handle, open_writer(fmt, handle, spec) as writer:
        for values in _rows(uow, spec, through):
            writer.write(values)
    return {"name": spec.name, "file": path.name, "rows": writer.rows, "sha256": writer.sha256,
            "columns": list(spec.column_names)}  # fmt: skip


def _log_head(uow: UnitOfWork) -> int:
    """The last access-log seq written before this export started."""
    return int(uow.session.scalar(select(func.max(AccessLog.seq))) or 0)


def export_tenant(
    uow: UnitOfWork, directory: Path | str, fmt: str = "csv", *, access_log_through: int | None = None
) -> ExportReport:
    """Write every register of the actor's municipality to ``directory`` (created if missing).

    The access log is exported up to the last row written before this call, or up to
    ``access_log_through`` when given (to compare with an earlier export of the same chain)."""
    require(uow.actor, "export.run")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    municipality = municipality_of(uow.session, uow.actor.tenant_id)
    if (
        uow.session.get_bind().dialect.name == "postgresql"
    ):  # plan the streamed joins for all rows, not the first
        uow.session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    through = _log_head(uow) if access_log_through is None else min(access_log_through, _log_head(uow))
    files = [_write_file(uow, spec, target, fmt, through) for spec in SPECS]
    manifest = {
        "layout": LAYOUT_NAME,
        "layout_version": LAYOUT_VERSION,
        "format": fmt,
        "encoding": "UTF-8",
        "municipality_code": municipality.code,
        "municipality_name": municipality.name,
        "chain_tenant_id": municipality.id,  # the access-log hashes were computed under this tenant id
        "files": files,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    counts = {f["name"]: f["rows"] for f in files}
    record_access(uow, "tenant_exported", "export", detail={"format": fmt, "rows": counts,
                                                            "manifest_sha256": _digest(target / MANIFEST)})  # fmt: skip
    return ExportReport(target, fmt, counts, manifest)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
