"""The case timeline (CaseEvent rows) and the clock the engine stamps them with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, insert

from handlers.row_writes import run_prebuilt, run_prebuilt_many
from handlers.tenancy import check_row_tenant
from handlers.uow import UnitOfWork
from models.case import Case, CaseEvent

EVENT_KINDS = (
    "started",
    "task_claimed",
    "task_unclaimed",
    "task_assigned",
    "task_completed",
    "rejected",  # a review sent the case back to intake (差戻し), with its reason
    "incident",
    "retried",
    "cancelled",
    "timer_fired",
    "completed",
    "migrated",
    "migration_reverted",
)


Event = tuple[str, dict[str, Any]]  # (kind, detail)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_event(uow: UnitOfWork, case: Case, kind: str, **detail: Any) -> None:
    record_events(uow, case, [(kind, detail)])


def record_events(uow: UnitOfWork, case: Case, events: Sequence[Event]) -> None:
    """Append ``(kind, detail)`` events to the case's timeline, in order, with one INSERT (Core: the rows
    are written at once and never read back by the engine, so they skip the ORM's unit of work): one
    statement of a VALUES list (PostgreSQL numbers its rows in list order), more events than that holds by
    one ``executemany``."""
    for kind, _detail in events:
        if kind not in EVENT_KINDS:
            raise ValueError(kind)
    check_row_tenant(uow.session, case.tenant_id)
    at = utcnow()
    rows = [
        {"tenant_id": case.tenant_id, "case_id": case.id, "at": at, "actor": uow.actor.login_id, "kind": kind,
         "detail": detail}
        for kind, detail in events
    ]  # fmt: skip
    if not 1 <= len(rows) <= MAX_EVENTS_LISTED:
        run_prebuilt_many(uow.session, _INSERT_EVENT, rows)
        return
    params = {f"{key}_{n}": value for n, row in enumerate(rows) for key, value in row.items()}
    run_prebuilt(uow.session, _insert_listed(len(rows)), params)


_EVENTS = cast(Table, CaseEvent.__table__)
_INSERT_EVENT = insert(_EVENTS)  # built once: its cache key is kept
_LISTED = ("tenant_id", "case_id", "at", "actor", "kind", "detail")
MAX_EVENTS_LISTED = 8  # a run's events (a claim, a completion, its outcome …) fit easily


@cache
def _insert_listed(count: int) -> Insert:
    """INSERT of ``count`` events as one VALUES list (parameters ``<column>_<n>``), built once per count: one
    statement costs less than psycopg's ``executemany`` of a few rows (a pipeline entered and synced)."""
    return insert(_EVENTS).values(
        [{key: bindparam(f"{key}_{n}", type_=_EVENTS.c[key].type) for key in _LISTED} for n in range(count)]
    )
