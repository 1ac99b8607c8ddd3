"""The files received from the regional platform's units (j1170), for the supervisors' page: which were
applied, which rejected and why, so a rejected file is followed up with its unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.other_systems.catalog import PF_UNITS
from handlers.permissions import require
from handlers.rules.dates import format_instant
from handlers.uow import UnitOfWork
from models.other_systems import PlatformFileReceipt

STATUS_LABELS = {"applied": "取込済み", "rejected": "取込不可（差戻し）"}


def recent_receipts(uow: UnitOfWork, *, limit: int = 200) -> list[dict[str, Any]]:
    """The latest received files, newest first (``resident.approve``, logged)."""
    require(uow.actor, "resident.approve")
    rows = uow.session.scalars(
        select(PlatformFileReceipt).order_by(PlatformFileReceipt.received_at.desc()).limit(limit)
    ).all()
    record_access(uow, "platform_receipts_viewed", "view", [], detail={"count": len(rows)})
    return [
        {
            "unit": row.unit,
            "unit_label": PF_UNITS.get(row.unit, row.unit),
            "file_name": row.file_name,
            "message_key": row.message_key,
            "received_at": format_instant(row.received_at, seconds=False),
            "status": row.status,
            "status_label": STATUS_LABELS.get(row.status, row.status),
            "record_count": row.record_count,
            "encoding": row.encoding or "",
            "errors": list(row.errors or []),
        }
        for row in rows
    ]
