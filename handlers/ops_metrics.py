"""Operational gauges read on each Prometheus scrape: work queues, task ages, outbox lag, dead letters and
overdue cases.  One cross-tenant system read (a true system job), aggregated: counts and ages only, never a
resident's data, never a tenant's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from handlers.clock import JST
from handlers.context import Actor
from handlers.db import Database
from handlers.rules.instants import as_utc
from handlers.uow import unit_of_work
from models.case import Case, CaseTask
from models.change import OutboxMessage

OPEN_TASK_STATES = ("ready", "claimed")
OPEN_CASE_STATES = ("running", "waiting", "incident")
DEAD_OUTBOX_STATES = ("dead",)  # OUTBOX_STATUSES: pending, sent, dead
METRICS_ACTOR = "metrics"


@dataclass
class OpsSnapshot:
    open_tasks: dict[str, int] = field(default_factory=dict)  # by role
    oldest_task_age: dict[str, float] = field(default_factory=dict)  # seconds, by role
    outbox_pending: int = 0
    outbox_lag_seconds: float = 0.0  # age of the oldest pending notice
    outbox_dead_letters: int = 0
    overdue_cases: int = 0


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    if then is None:
        return 0.0
    return max(0.0, (now - as_utc(then)).total_seconds())


def read_ops_snapshot(db: Database, now: dt.datetime | None = None) -> OpsSnapshot:
    now = now or dt.datetime.now(dt.UTC)
    snap = OpsSnapshot()
    with unit_of_work(db, Actor.system(0, METRICS_ACTOR), cross_tenant=True) as uow:
        s = uow.session
        tasks = s.execute(
            select(CaseTask.role, func.count(), func.min(CaseTask.created_at))
            .where(CaseTask.state.in_(OPEN_TASK_STATES))
            .group_by(CaseTask.role)
        ).all()
        for role, count, oldest in tasks:
            snap.open_tasks[role or "none"] = int(count)
            snap.oldest_task_age[role or "none"] = _age(now, oldest)
        pending, oldest_pending = s.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending")
        ).one()
        snap.outbox_pending, snap.outbox_lag_seconds = int(pending), _age(now, oldest_pending)
        snap.outbox_dead_letters = int(
            s.scalar(select(func.count()).where(OutboxMessage.status.in_(DEAD_OUTBOX_STATES))) or 0
        )
        snap.overdue_cases = int(
            s.scalar(
                select(func.count()).where(
                    Case.status.in_(OPEN_CASE_STATES), Case.due_date < now.astimezone(JST).date()
                )
            )
            or 0
        )
    return snap


def database_answers(db: Database) -> bool:
    """Readiness: the database answers a trivial query through an ordinary unit of work."""
    from sqlalchemy import text

    try:
        with unit_of_work(db, Actor.system(0, METRICS_ACTOR)) as uow:
            return uow.session.execute(text("SELECT 1")).scalar_one() == 1
    except Exception:  # any failure means not ready; the probe reports it, it does not raise
        return False


def broker_answers(url: str, timeout: float = 2.0) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False
