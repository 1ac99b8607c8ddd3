"""Timers: fire the due timer events of cases.  ``jumin cases tick`` calls ``fire_due_timers`` and so will
the Celery beat task (worker/), with the same factory of units of work.

SpiffWorkflow compares timers with its own clock; we decide with ours (``now``): due timers are marked fired
in the workflow, then ``refresh_timers(); do_engine_steps()`` moves the case on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError
from handlers.uow import UnitOfWork, unit_of_work
from models.case import PendingTimer
from workflows.engine import store
from workflows.engine.execution import load_case, run_engine, settle
from workflows.engine.timeline import Event

UowFactory = Callable[[int | None], AbstractContextManager[UnitOfWork]]


def fire_case_timers(uow: UnitOfWork, case_id: int, now: dt.datetime) -> int:
    """Fire the case's timers due at ``now`` and run the case on; the number fired."""
    now = now.astimezone(dt.UTC)
    loaded = load_case(uow, case_id)
    if loaded.case.status not in ("running", "waiting"):
        return 0
    due = list(
        uow.session.scalars(
            select(PendingTimer).where(
                PendingTimer.case_id == case_id, PendingTimer.fired.is_(False), PendingTimer.fire_at <= now
            )
        )
    )
    fired = store.mark_timers_fired(loaded.workflow, [timer.task_uuid for timer in due])
    for timer in due:
        timer.fired = True
    events: list[Event] = [("timer_fired", {"tasks": [timer.task_uuid for timer in due]})] if fired else []
    error = run_engine(uow, loaded.workflow, first=loaded.workflow.refresh_timers, loaded=loaded)
    settle(uow, loaded, error, events=events)
    return fired


def fire_due_timers(uow_factory: UowFactory, now: dt.datetime) -> int:
    """Fire every due timer of every municipality, one case per unit of work; the number fired.

    ``uow_factory(None)`` must give a cross-tenant unit of work (to find due timers) and
    ``uow_factory(tenant_id)`` a system unit of work for that municipality.  ``jumin cases tick`` and the
    Celery beat task both call this.
    """
    now = now.astimezone(dt.UTC)
    with uow_factory(None) as uow:
        due = uow.session.execute(
            select(PendingTimer.tenant_id, PendingTimer.case_id)
            .where(PendingTimer.fired.is_(False), PendingTimer.fire_at <= now)
            .distinct()
        ).all()
    fired = 0
    for tenant_id, case_id in due:
        try:
            with uow_factory(tenant_id) as uow:
                fired += fire_case_timers(uow, case_id, now)
        except ConflictError:
            continue  # someone is working on this case right now; the next tick fires it
    return fired


def system_uow_factory(db: Database, name: str = "timer") -> UowFactory:
    def factory(tenant_id: int | None) -> AbstractContextManager[UnitOfWork]:
        if tenant_id is None:
            return unit_of_work(db, Actor.system(0, name), cross_tenant=True)
        return unit_of_work(db, Actor.system(tenant_id, name))

    return factory
