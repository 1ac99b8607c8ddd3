"""The yearly 除票 batch (j1300): move every 除票 removed more than five years ago from the live tables to the
除票用データベース (``RemovedRecordArchive``), deleting it from the live tables in the same transaction; and the
purge of archived 除票 whose 150-year retention has ended.

Records are processed in batches of ``batch_size`` (oldest removal first, the order of processing) and the
session is emptied after each batch, so a city with 300,000 除票 a year never holds them all in memory.  All
batches belong to the caller's one transaction: a failure anywhere moves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, selectinload

from handlers.audit import record_access
from handlers.permissions import require
from handlers.residents.history import display_name, snapshot_of
from handlers.rules.retention import archive_cutoff, retain_until
from handlers.uow import UnitOfWork
from models.removed import RemovedRecordArchive
from models.resident import Household, Resident, ResidentHistory, ResidentMemo, ResidentSearchKey
from models.support import SupportMeasureParty

_NOT_KEPT = {"tenant_id", "resident_id"}


@dataclass
class ArchiveReport:
    today: dt.date
    cutoff: dt.date  # every 除票 removed before this day was due
    moved: int = 0
    batches: int = 0
    dissolved_households: int = 0


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _row_dict(row: ResidentHistory | ResidentMemo) -> dict[str, Any]:
    return {
        column.key: _json_safe(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in _NOT_KEPT
    }


def _due_ids(session: Session, cutoff: dt.date, batch_size: int) -> list[int]:
    return list(
        session.scalars(
            select(Resident.id)
            .where(Resident.status == "removed", Resident.removal_date < cutoff)
            .order_by(Resident.removal_date, Resident.id)
            .limit(batch_size)
        )
    )


def _grouped(session: Session, model: Any, order: Any, atena_numbers: list[str]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    rows = session.scalars(select(model).where(model.atena_number.in_(atena_numbers)).order_by(*order))
    for row in rows:
        groups[row.atena_number].append(_row_dict(row))
    return groups


def _archive_row(resident: Resident, history: list[Any], memos: list[Any]) -> RemovedRecordArchive:
    assert resident.removal_date is not None  # selected by removal_date < cutoff
    return RemovedRecordArchive(
        tenant_id=resident.tenant_id,
        atena_number=resident.atena_number,
        household_number=resident.household.household_number,
        removal_reason=resident.removal_reason or "",
        removal_date=resident.removal_date,
        retain_until=retain_until(resident.removal_date),
        display_name=display_name(resident),
        kana_key=resident.kana_key,
        name_key=resident.name_key,
        birth_date=resident.birth_date,
        record=snapshot_of(resident),
        history=history,
        memos=memos,
    )


def _merge_into(existing: RemovedRecordArchive, new: RemovedRecordArchive) -> None:
    """A 宛名番号 archived before and removed again (再転入 then a new removal): keep both removals in one row,
    the newest as the record, the earlier final states under ``earlier_removals``."""
    earlier = list(existing.record.get("earlier_removals", []))
    earlier.append({k: v for k, v in existing.record.items() if k != "earlier_removals"})
    existing.record = {**new.record, "earlier_removals": earlier}
    existing.history = list(existing.history) + list(new.history)
    existing.memos = list(existing.memos) + list(new.memos)
    for attr in (
        "household_number",
        "removal_reason",
        "removal_date",
        "display_name",
        "kana_key",
        "name_key",
    ):
        setattr(existing, attr, getattr(new, attr))
    existing.birth_date = new.birth_date
    existing.retain_until = max(existing.retain_until, new.retain_until)


def _copy_to_archive(session: Session, residents: Sequence[Resident]) -> None:
    atena_numbers = [r.atena_number for r in residents]
    history = _grouped(session, ResidentHistory, (ResidentHistory.history_no,), atena_numbers)
    memos = _grouped(session, ResidentMemo, (ResidentMemo.created_at, ResidentMemo.id), atena_numbers)
    existing = {
        a.atena_number: a
        for a in session.scalars(
            select(RemovedRecordArchive).where(RemovedRecordArchive.atena_number.in_(atena_numbers))
        )
    }
    for resident in residents:
        row = _archive_row(resident, history[resident.atena_number], memos[resident.atena_number])
        if resident.atena_number in existing:
            _merge_into(existing[resident.atena_number], row)
        else:
            session.add(row)
    session.flush()


def _delete_from_live(session: Session, ids: list[int], atena_numbers: list[str]) -> None:
    sync = {"synchronize_session": False}
    session.execute(
        update(SupportMeasureParty).where(SupportMeasureParty.resident_id.in_(ids)).values(resident_id=None),
        execution_options=sync,
    )
    session.execute(
        update(Household).where(Household.head_resident_id.in_(ids)).values(head_resident_id=None),
        execution_options=sync,
    )
    session.execute(
        delete(ResidentHistory).where(ResidentHistory.atena_number.in_(atena_numbers)), execution_options=sync
    )
    session.execute(
        delete(ResidentMemo).where(ResidentMemo.atena_number.in_(atena_numbers)), execution_options=sync
    )
    session.execute(
        delete(ResidentSearchKey).where(ResidentSearchKey.atena_number.in_(atena_numbers)),
        execution_options=sync,
    )
    session.execute(delete(Resident).where(Resident.id.in_(ids)), execution_options=sync)


def _dissolve_empty_households(session: Session, household_ids: set[int]) -> int:
    empty = session.scalars(
        select(Household).where(
            Household.id.in_(household_ids),
            Household.status != "dissolved",
            ~exists().where(Resident.household_id == Household.id),
        )
    ).all()
    for household in empty:
        household.status = "dissolved"
    session.flush()
    return len(empty)


def _move_batch(uow: UnitOfWork, ids: list[int], report: ArchiveReport) -> None:
    session = uow.session
    residents = session.scalars(
        select(Resident)
        .where(Resident.id.in_(ids))
        .options(selectinload(Resident.household).selectinload(Household.head))
        .order_by(Resident.removal_date, Resident.id)
    ).all()
    atena_numbers = [r.atena_number for r in residents]
    household_ids = {r.household_id for r in residents}
    _copy_to_archive(session, residents)
    _delete_from_live(session, ids, atena_numbers)
    session.expunge_all()  # the batch's rows are written; let them go before the next batch
    report.dissolved_households += _dissolve_empty_households(session, household_ids)
    report.moved += len(ids)
    report.batches += 1
    detail = {"today": report.today.isoformat(), "cutoff": report.cutoff.isoformat(), "batch": report.batches}
    record_access(uow, "removed_records_archived", "batch", targets=atena_numbers, detail=detail)
    session.flush()


def archive_old_removed_records(uow: UnitOfWork, *, today: dt.date, batch_size: int = 1000) -> ArchiveReport:
    """Move every 除票 removed more than five years before ``today`` to the 除票用データベース.

    Idempotent: moved records are gone from the live tables, so a second run finds nothing to move.  Each
    batch writes one access-log row naming its 宛名番号; a run with nothing due writes one row saying so.
    """
    require(uow.actor, "batch.run")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    report = ArchiveReport(today=today, cutoff=archive_cutoff(today))
    while ids := _due_ids(uow.session, report.cutoff, batch_size):
        _move_batch(uow, ids, report)
    if report.batches == 0:
        detail = {"today": today.isoformat(), "cutoff": report.cutoff.isoformat(), "moved": 0}
        record_access(uow, "removed_records_archived", "batch", targets=[], detail=detail)
    return report


def purge_expired_archive(uow: UnitOfWork, *, today: dt.date, batch_size: int = 1000) -> int:
    """Delete archived 除票 whose retention (150 years after removal) ended before ``today``.  Nothing still
    within its retention is ever deleted.  Returns the number deleted; logs each batch."""
    require(uow.actor, "batch.run")
    session = uow.session
    purged = 0
    while True:
        rows = session.execute(
            select(RemovedRecordArchive.id, RemovedRecordArchive.atena_number)
            .where(RemovedRecordArchive.retain_until < today)
            .order_by(RemovedRecordArchive.retain_until, RemovedRecordArchive.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        session.execute(
            delete(RemovedRecordArchive).where(RemovedRecordArchive.id.in_([r.id for r in rows])),
            execution_options={"synchronize_session": False},
        )
        purged += len(rows)
        detail = {"today": today.isoformat(), "purged": len(rows)}
        record_access(
            uow, "removed_records_purged", "batch", targets=[r.atena_number for r in rows], detail=detail
        )
    return purged
