"""Delivering the outbox (j1090, j1150, j1190, j1200): after the unit of work that wrote notices commits, one
delivery per destination sends that destination's pending messages strictly in ``seq`` order.

* Only one delivery of a destination runs at a time: each message is sent inside a transaction holding a
  PostgreSQL advisory lock on (tenant, destination) and the head row FOR UPDATE (SQLite: BEGIN IMMEDIATE).
  A crash between the send and the commit resends the message with the same idempotency key.
* A failure adds an attempt, keeps the error and waits ``policy.delay(attempts)`` (exponential backoff); after
  ``policy.max_attempts`` the message is dead and the destination stops behind it (CS needs the order of
  changes, j1090) until a supervisor resends it (``resend``).
* ``addressee`` messages are copied to every 宛名連携 delta subscriber first (handlers.integration.subscribers).
* A near-real-time subscriber gets its pending messages as one batch per run (handlers.outbox_batch).
* A destination without configuration keeps its messages pending without counting attempts.

How deliveries are started is the Database's dispatcher (``install_dispatcher``); the worker installs Celery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

from sqlalchemy import select, text

from handlers.context import Actor
from handlers.db import Database
from handlers.integration.destinations import destination_config, transmit
from handlers.integration.messages import envelope
from handlers.integration.subscribers import ADDRESSEE, fan_out
from handlers.integration.transport import Delivery
from handlers.outbox_batch import is_batched, send_batch
from handlers.outbox_dispatch import schedule_delivery
from handlers.rules.instants import as_utc
from handlers.uow import UnitOfWork, unit_of_work
from models.change import OutboxMessage

DELIVERY_ACTOR = "outbox"


@dataclass(frozen=True)
class DeliveryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0  # seconds before the 2nd attempt; doubles each time
    max_delay: float = 600.0
    batch_limit: int = 1000  # messages per run before the run re-dispatches itself

    @classmethod
    def from_env(cls) -> DeliveryPolicy:
        env = os.environ
        return cls(
            max_attempts=int(env.get("OUTBOX_MAX_ATTEMPTS", "8")),
            base_delay=float(env.get("OUTBOX_RETRY_BASE_SECONDS", "2")),
            max_delay=float(env.get("OUTBOX_RETRY_MAX_SECONDS", "600")),
            batch_limit=int(env.get("OUTBOX_BATCH_LIMIT", "1000")),
        )

    def delay(self, attempts: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** max(attempts - 1, 0)))


@dataclass
class DeliveryRun:
    """What one run did: ``state`` is idle (nothing left), more (batch limit hit), retry (the head failed in
    this run: retry in ``retry_in`` seconds), waiting (the head waits for the backoff of an earlier failure;
    the run that failed retries it), dead (blocked behind a dead letter) or unconfigured."""

    destination: str
    sent: int = 0
    state: str = "idle"
    retry_in: float | None = None
    failures: list[str] = field(default_factory=list)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- delivering one destination ----------------------------------------------------------------------------


def lock_destination(uow: UnitOfWork, destination: str) -> None:
    """Serialise deliveries of one destination (PostgreSQL advisory lock, released at commit)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the database's write lock
    digest = hashlib.sha256(f"outbox:{uow.actor.tenant_id}:{destination}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def head_message(uow: UnitOfWork, destination: str) -> OutboxMessage | None:
    """The first message of the destination not sent yet (pending or dead), locked FOR UPDATE."""
    return uow.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.destination == destination, OutboxMessage.status.in_(("pending", "dead")))
        .order_by(OutboxMessage.seq)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def record_failure(
    message: OutboxMessage, error: Exception, policy: DeliveryPolicy, now: dt.datetime
) -> None:
    message.attempts = (message.attempts or 0) + 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= policy.max_attempts:
        message.status = "dead"
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + dt.timedelta(seconds=policy.delay(message.attempts))


def mark_sent(message: OutboxMessage, now: dt.datetime) -> None:
    message.status = "sent"
    message.sent_at = now
    message.next_attempt_at = None


def deliver_head(uow: UnitOfWork, destination: str, policy: DeliveryPolicy, now: dt.datetime) -> DeliveryRun:
    """Send the destination's head message (one transaction).  ``state`` "sent" means: go on."""
    lock_destination(uow, destination)
    head = head_message(uow, destination)
    if head is None:
        return DeliveryRun(destination, state="idle")
    if head.status == "dead":
        return DeliveryRun(destination, state="dead")
    if head.next_attempt_at is not None and as_utc(head.next_attempt_at) > now:
        waiting = (as_utc(head.next_attempt_at) - now).total_seconds()
        return DeliveryRun(destination, state="waiting", retry_in=waiting)
    copies = fan_out(uow, head) if destination == ADDRESSEE else None
    if copies is not None:
        schedule_delivery(uow, copies.realtime)
    config = destination_config(uow, destination)
    if config is None:
        if copies is None:
            return DeliveryRun(destination, state="unconfigured")
        mark_sent(head, now)  # no 団体内統合宛名 configured: the subscribers' copies were the delivery
        return DeliveryRun(destination, sent=1, state="sent")
    sent = [head]
    try:
        if is_batched(config):
            sent = send_batch(uow, head, config, policy.batch_limit, now)
        else:
            transmit(Delivery(uow, head, config, envelope(uow, head)))
    except Exception as error:  # noqa: BLE001 - every failure is an attempt, kept with its reason
        record_failure(head, error, policy, now)
        state = "dead" if head.status == "dead" else "retry"
        return DeliveryRun(
            destination, state=state, retry_in=policy.delay(head.attempts), failures=[str(error)]
        )
    for message in sent:
        mark_sent(message, now)
    return DeliveryRun(destination, sent=len(sent), state="sent")


def deliver_destination(
    db: Database, tenant_id: int, destination: str, policy: DeliveryPolicy | None = None
) -> DeliveryRun:
    """Send the destination's pending messages in ``seq`` order, one transaction each (a near-real-time
    subscriber's: one batch each), until none is left, the head fails or waits, or ``policy.batch_limit``
    messages went out."""
    policy = policy or DeliveryPolicy.from_env()
    run = DeliveryRun(destination)
    while run.sent < policy.batch_limit:
        with unit_of_work(db, Actor.system(tenant_id, DELIVERY_ACTOR)) as uow:
            step = deliver_head(uow, destination, policy, utcnow())
        if step.state != "sent":
            run.state, run.retry_in, run.failures = step.state, step.retry_in, step.failures
            return run
        run.sent += step.sent
    run.state = "more"
    return run
