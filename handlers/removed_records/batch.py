"""The yearly 除票 batch as a system job (j1300): for one municipality, or for every one, each in its own unit of
work as that municipality's system actor.  Called by ``jumin batch archive-removed`` and by workers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import NotFoundError
from handlers.removed_records.archive import ArchiveReport, archive_old_removed_records
from handlers.uow import unit_of_work
from models.tenant import Municipality

BATCH_ACTOR_NAME = "batch:archive-removed"


@dataclass(frozen=True)
class TenantRun:
    code: str
    name: str
    report: ArchiveReport


def _tenants(db: Database, code: str | None) -> list[tuple[int, str, str]]:
    """(id, code, name) of the municipality with ``code``, or of every municipality (a system read)."""
    with unit_of_work(db, Actor.system(0, BATCH_ACTOR_NAME), cross_tenant=True) as uow:
        stmt = select(Municipality.id, Municipality.code, Municipality.name).order_by(Municipality.code)
        if code is not None:
            stmt = stmt.where(Municipality.code == code)
        rows = [(r.id, r.code, r.name) for r in uow.session.execute(stmt)]
    if code is not None and not rows:
        raise NotFoundError(f"市区町村コード {code} の団体は登録されていません。")
    return rows


def run_yearly_archive(
    db: Database, *, today: dt.date, tenant_code: str | None = None, batch_size: int = 1000
) -> list[TenantRun]:
    """Archive old 除票 for ``tenant_code`` (or every municipality when None): one transaction per tenant, so
    one municipality's failure leaves the others' completed runs in place."""
    runs = []
    for tenant_id, code, name in _tenants(db, tenant_code):
        with unit_of_work(db, Actor.system(tenant_id, BATCH_ACTOR_NAME)) as uow:
            report = archive_old_removed_records(uow, today=today, batch_size=batch_size)
        runs.append(TenantRun(code, name, report))
    return runs
