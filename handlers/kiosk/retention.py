"""How long a kiosk answer's certificate PDF is kept for the center's retries (j1210).

An issued answer is kept under the center's request id so that a retry gets the same answer without a second
issuance (``handlers.kiosk.issuance``).  The PDF in it is a copy of a resident's 住民票: it is kept only as long
as a retry can sensibly come, the municipality's ``kiosk_answer_retention_hours`` (``handlers.tenants``; default
24 hours, 1 hour to 30 days).  The center retries while the resident still stands at the kiosk or, after an
outage of the link, when it comes back; a day covers an overnight outage, and past 30 days a "retry" is no
longer one.

``drop_expired_answers`` empties the PDF of every issued answer older than that, keeping the row (outcome,
発行番号, pages, terminal, the answer's JSON) for the record, and writes one access-log row per run with the
count (``kiosk_answer_pdfs_dropped``).  A retry afterwards is answered 410 ``answer_expired`` and issues nothing.
``tenants_with_expired_answers`` is what the hourly sweep asks first, so that only municipalities with
something to drop get a run (``handlers.batches.retention_sweep``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update

from handlers.audit import record_access
from handlers.permissions import require
from handlers.rules.instants import as_utc
from handlers.tenants import setting_of
from handlers.uow import UnitOfWork
from models.kiosk import KioskRequest
from models.tenant import Municipality

RETENTION_KEY = "kiosk_answer_retention_hours"
EXPIRED_CODE = "answer_expired"
EXPIRED_MESSAGE = (
    "この要求IDの証明書は交付済みです。再送に備えて保存していた証明書は保存期間を過ぎたため消去しており、"
    "もう一度お渡しすることはできません。この要求IDは再利用できません。"
)


@dataclass(frozen=True)
class RetentionReport:
    dropped: int
    retention_hours: int
    cutoff: dt.datetime  # answers received before this lost their PDF


def retention_cutoff(settings: dict[str, object] | None, now: dt.datetime) -> tuple[int, dt.datetime]:
    """The municipality's retention in hours and the moment before which a stored PDF is dropped (UTC)."""
    hours = int(setting_of(settings, RETENTION_KEY))
    return hours, now.astimezone(dt.UTC) - dt.timedelta(hours=hours)


def _expired(cutoff: dt.datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        KioskRequest.outcome == "issued",
        KioskRequest.pdf.is_not(None),
        KioskRequest.received_at < cutoff,
    )


def drop_expired_answers(uow: UnitOfWork, now: dt.datetime | None = None) -> RetentionReport:
    """Drop the PDF of this municipality's issued answers older than its retention; the rows stay."""
    require(uow.actor, "batch.run")
    municipality = uow.session.get(Municipality, uow.actor.tenant_id)
    hours, cutoff = retention_cutoff(municipality.settings if municipality else None, now or _now())
    ids = list(uow.session.scalars(select(KioskRequest.id).where(*_expired(cutoff))))
    if ids:
        uow.session.execute(
            update(KioskRequest).where(KioskRequest.id.in_(ids)).values(pdf=None),
            execution_options={"synchronize_session": False},
        )
    record_access(
        uow, "kiosk_answer_pdfs_dropped", "batch", [],
        detail={"dropped": len(ids), "retention_hours": hours, "cutoff": cutoff.isoformat(timespec="seconds")},
    )  # fmt: skip
    return RetentionReport(len(ids), hours, cutoff)


def tenants_with_expired_answers(uow: UnitOfWork, now: dt.datetime | None = None) -> list[int]:
    """Municipalities holding a PDF older than their own retention (a cross-tenant unit of work: the sweep)."""
    moment = now or _now()
    oldest = uow.session.execute(
        select(KioskRequest.tenant_id, func.min(KioskRequest.received_at))
        .where(KioskRequest.outcome == "issued", KioskRequest.pdf.is_not(None))
        .group_by(KioskRequest.tenant_id)
    ).all()
    due = []
    for tenant_id, received in oldest:
        municipality = uow.session.get(Municipality, tenant_id)
        _, cutoff = retention_cutoff(municipality.settings if municipality else None, moment)
        if as_utc(received) < cutoff:
            due.append(tenant_id)
    return sorted(due)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
