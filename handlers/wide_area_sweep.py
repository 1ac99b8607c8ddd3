"""The scheduled sweep of 広域交付 requests (j1210): every municipality's requests still waiting for the home
municipality past their answer time are marked 交付不能（回答なし）, so the counter's list is right even when nobody
opens them (``handlers.wide_area.expire_overdue`` also runs whenever a request is read or an answer arrives)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from handlers.wide_area import expire_overdue
from models.wide_area import WideAreaRequest

SWEEPER = "wide-area-sweep"


def expire_overdue_everywhere(db: Database, now: dt.datetime | None = None) -> int:
    """Expire the overdue requests of every municipality, one unit of work each; how many were marked."""
    with unit_of_work(db, Actor.system(0, SWEEPER), cross_tenant=True) as uow:
        waiting = select(WideAreaRequest.tenant_id).where(WideAreaRequest.status == "sent").distinct()
        tenants = sorted(uow.session.scalars(waiting))
    marked = 0
    for tenant_id in tenants:
        with unit_of_work(db, Actor.system(tenant_id, SWEEPER)) as uow:
            rows = list(uow.session.scalars(select(WideAreaRequest).where(WideAreaRequest.status == "sent")))
            marked += len(expire_overdue(uow, rows, now))
    return marked
