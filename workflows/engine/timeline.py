"""The case timeline (CaseEvent rows) and the clock the engine stamps them with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.uow import UnitOfWork
from models.case import Case, CaseEvent

EVENT_KINDS = (
    "started",
    "task_claimed",
    "task_unclaimed",
    "task_assigned",
    "task_completed",
    "incident",
    "retried",
    "cancelled",
    "timer_fired",
    "completed",
    "migrated",
    "migration_reverted",
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_event(uow: UnitOfWork, case: Case, kind: str, **detail: Any) -> CaseEvent:
    if kind not in EVENT_KINDS:
        raise ValueError(kind)
    event = CaseEvent(
        tenant_id=case.tenant_id,
        case_id=case.id,
        at=utcnow(),
        actor=uow.actor.login_id,
        kind=kind,
        detail=detail,
    )
    uow.session.add(event)
    return event
