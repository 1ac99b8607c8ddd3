"""Notices of suppression to other systems (j410, j420): setting, releasing and ending a support measure, and
setting or releasing a per-process suppression, queue one outbox row per destination in the same transaction.

Destinations: ``cs`` (住基ネット CS), ``kiosk`` (コンビニ交付) and ``addressee`` (宛名システム).  A per-process
suppression of anything but certificates goes to the addressee system only.  Payloads carry 宛名番号 and the
suppression facts, never an address.  Temporary lifts are never queued (j410).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import next_outbox_seq
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.support import SupportMeasure
from models.suppression import Suppression

MEASURE_DESTINATIONS = ("cs", "kiosk", "addressee")
CERTIFICATE_DESTINATIONS = ("cs", "kiosk", "addressee")
OTHER_DESTINATIONS = ("addressee",)
PROTECTED_ROLES = ("applicant", "co_applicant")


def _queue(
    uow: UnitOfWork, destinations: tuple[str, ...], kind: str, key: str, payload: dict[str, Any]
) -> None:
    queued: set[str] = set()
    for destination in destinations:
        idempotency_key = f"{key}:{destination}"
        exists = uow.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.idempotency_key == idempotency_key)
        )
        if exists is not None:
            continue  # the same event was queued already (a retried task)
        uow.session.add(
            OutboxMessage(
                destination=destination,
                kind=kind,
                payload=payload,
                idempotency_key=idempotency_key,
                seq=next_outbox_seq(uow, destination),  # the destination's one counter
                status="pending",
            )
        )
        uow.session.flush()
        queued.add(destination)
    schedule_delivery(uow, queued)


def queue_measure_notices(uow: UnitOfWork, measure: SupportMeasure, event: str) -> None:
    """``event``: provisional / in_force / terminated / switched (to provisional protection as the former
    address).  Keyed by measure, event and the measure's row version, so a retried step queues nothing twice."""
    protected = sorted(
        p.atena_number for p in measure.parties if p.atena_number and p.role in PROTECTED_ROLES
    )
    start = measure.start_date or measure.provisional_start_date
    payload: dict[str, Any] = {
        "event": event,
        "measure_id": measure.id,
        "status": measure.status,
        "provisional": measure.provisional,
        "atena_numbers": protected,
        "start_date": start.isoformat() if start else None,
        "end_date": measure.end_date.isoformat() if measure.end_date else None,
        "termination_date": measure.termination_date.isoformat() if measure.termination_date else None,
    }
    key = f"support_measure:{measure.id}:{event}:v{measure.version}"
    _queue(uow, MEASURE_DESTINATIONS, f"support_measure_{event}", key, payload)


def queue_suppression_notices(uow: UnitOfWork, suppression: Suppression, event: str) -> None:
    """``event``: set / released."""
    destinations = CERTIFICATE_DESTINATIONS if suppression.process == "certificate" else OTHER_DESTINATIONS
    payload = {
        "event": event,
        "suppression_id": suppression.id,
        "atena_number": suppression.atena_number,
        "household_number": suppression.household_number,
        "process": suppression.process,
        "level": suppression.level,
        "start_date": suppression.start_date.isoformat(),
        "end_date": suppression.end_date.isoformat() if suppression.end_date else None,
    }
    key = f"suppression:{suppression.id}:{event}"
    _queue(uow, destinations, f"suppression_{event}", key, payload)
