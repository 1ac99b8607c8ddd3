"""Re-dispatching what is left: the periodic sweep (Celery beat, or ``jumin outbox sweep`` in the embedded
default) finds every destination with a pending message that is due, and the near-real-time 宛名連携 run
delivers the subscribers that chose batches (j1190)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, or_, select

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_batch import NEAR_REALTIME
from handlers.outbox_delivery import DeliveryPolicy, DeliveryRun, deliver_destination, utcnow
from handlers.uow import unit_of_work
from models.change import OutboxMessage
from models.integration import IntegrationDestination

SWEEP_ACTOR = "outbox:sweep"


def _near_realtime(db: Database) -> set[tuple[int, str]]:
    with unit_of_work(db, Actor.system(0, SWEEP_ACTOR), cross_tenant=True) as uow:
        rows = uow.session.execute(
            select(IntegrationDestination.tenant_id, IntegrationDestination.name).where(
                IntegrationDestination.subscription == NEAR_REALTIME
            )
        ).all()
    return {(row.tenant_id, row.name) for row in rows}


def due_destinations(db: Database, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(tenant, destination) of every destination whose head (first unsent message) is pending and due."""
    now = now or utcnow()
    unsent = OutboxMessage.status.in_(("pending", "dead"))
    heads = (
        select(OutboxMessage.tenant_id, OutboxMessage.destination, func.min(OutboxMessage.seq).label("seq"))
        .where(unsent)
        .group_by(OutboxMessage.tenant_id, OutboxMessage.destination)
        .subquery()
    )
    query = (
        select(OutboxMessage.tenant_id, OutboxMessage.destination)
        .join(
            heads,
            (heads.c.tenant_id == OutboxMessage.tenant_id)
            & (heads.c.destination == OutboxMessage.destination)
            & (heads.c.seq == OutboxMessage.seq),
        )
        .where(
            OutboxMessage.status == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.tenant_id, OutboxMessage.destination)
    )
    with unit_of_work(db, Actor.system(0, SWEEP_ACTOR), cross_tenant=True) as uow:
        rows = uow.session.execute(query).all()
    return [(row.tenant_id, row.destination) for row in rows]


def sweep_targets(db: Database, *, near_realtime: bool = False) -> list[tuple[int, str]]:
    """The due destinations, without (or, for the near-real-time run, only) the batch subscribers."""
    batched = _near_realtime(db)
    return [target for target in due_destinations(db) if (target in batched) == near_realtime]


def sweep(
    db: Database,
    *,
    near_realtime: bool = False,
    policy: DeliveryPolicy | None = None,
    deliver: Callable[[Database, int, str, DeliveryPolicy | None], DeliveryRun] = deliver_destination,
) -> list[DeliveryRun]:
    """Deliver every due destination now, in this process (``jumin outbox sweep``)."""
    return [
        deliver(db, tenant_id, name, policy)
        for tenant_id, name in sweep_targets(db, near_realtime=near_realtime)
    ]
