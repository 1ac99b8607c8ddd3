"""宛名連携 (j1190): other systems subscribe to the resident data, each choosing

* ``realtime_delta``: every ``addressee`` notice is copied to the subscriber's own outbox destination
  (``subscriber:<name>``) and delivered at once after the copy commits;
* ``near_realtime_delta``: the same copies, delivered only by the beat task every five minutes (≤ 10, j1190);
* ``full``: no deltas; a full extract on request (``request_full_extract``).

A business unit of the regional information platform (``platform:<unit>``, j1170) subscribes to the deltas in
the same way; its transport writes them in the platform layout (``handlers.integration.pf_file``).

Each copy has its own sequence and idempotency key (``<original key>@<subscriber>``), so one subscriber that
fails neither blocks nor duplicates another.  Names stay in MJ characters (Unicode with IVS).

The data goes with its support-measure data (支援対象者管理データを含む, j1190): every person in a full extract
or named in a delta carries a ``support_measure`` flag, and a subscriber not configured ``receives_protected``
gets protected persons and their households with the address fields blanked (``handlers.integration.
support_flags``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select

from handlers.audit import record_access
from handlers.errors import NotFoundError
from handlers.integration.pf_file import PLATFORM_PREFIX  # a platform unit subscribes too (j1170)
from handlers.integration.support_flags import SupportFlags, flag_delta, load_support_flags
from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import next_outbox_seq
from handlers.permissions import require
from handlers.residents.history import display_name
from handlers.uow import UnitOfWork
from models.change import OutboxMessage
from models.integration import IntegrationDestination
from models.resident import Resident

ADDRESSEE = "addressee"
SUBSCRIBER_PREFIX = "subscriber:"
DELTA_SUBSCRIPTIONS = ("realtime_delta", "near_realtime_delta")


@dataclass
class FanOut:
    copies: int = 0
    realtime: list[str] = field(default_factory=list)  # destinations to deliver at once


def delta_subscribers(uow: UnitOfWork) -> list[IntegrationDestination]:
    return list(
        uow.session.scalars(
            select(IntegrationDestination)
            .where(
                or_(
                    IntegrationDestination.name.startswith(SUBSCRIBER_PREFIX),
                    IntegrationDestination.name.startswith(PLATFORM_PREFIX),
                ),
                IntegrationDestination.subscription.in_(DELTA_SUBSCRIPTIONS),
                IntegrationDestination.enabled.is_(True),
            )
            .order_by(IntegrationDestination.name)
        )
    )


def queue_copy(
    uow: UnitOfWork, destination: str, kind: str, payload: dict[str, Any], key: str, case_id: int | None
) -> bool:
    """One pending message for ``destination`` unless ``key`` is already queued; True when added."""
    exists = uow.session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))
    if exists is not None:
        return False
    uow.session.add(
        OutboxMessage(
            tenant_id=uow.actor.tenant_id,
            case_id=case_id,
            destination=destination,
            kind=kind,
            payload=payload,
            idempotency_key=key,
            seq=next_outbox_seq(uow, destination),
            status="pending",
            attempts=0,
        )
    )
    return True


def fan_out(uow: UnitOfWork, message: OutboxMessage) -> FanOut | None:
    """Copy an ``addressee`` message to every delta subscriber (None when there is none), each copy flagged
    and, for a subscriber not allowed protected addresses, with them blanked."""
    subscribers = delta_subscribers(uow)
    if not subscribers:
        return None
    flags = load_support_flags(uow.session)
    result = FanOut()
    for subscriber in subscribers:
        key = f"{message.idempotency_key}@{subscriber.name}"[:100]
        payload = flag_delta(flags, message.payload or {}, receives_protected=subscriber.receives_protected)
        if queue_copy(uow, subscriber.name, message.kind, payload, key, message.case_id):
            result.copies += 1
        if subscriber.subscription == "realtime_delta":
            result.realtime.append(subscriber.name)
    uow.session.flush()
    return result


def resident_extract(
    resident: Resident, flags: SupportFlags, *, receives_protected: bool
) -> dict[str, object]:
    """One person of a full extract with their support-measure flag; the address blanked (None) for a
    protected person or a member of their household unless the subscriber ``receives_protected``."""
    household = resident.household
    number = household.household_number if household else None
    withheld = not receives_protected and flags.withholds_address(resident.atena_number, number)
    return {
        "atena_number": resident.atena_number,
        "resident_code": resident.resident_code,
        "name": display_name(resident),
        "family_name_kana": resident.family_name_kana,
        "given_name_kana": resident.given_name_kana,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "sex": resident.sex,
        "status": resident.status,
        "household_number": number,
        "address": household.address if household and not withheld else None,
        "address_withheld": withheld,
        "support_measure": flags.flag(resident.atena_number, number),
    }


def request_full_extract(uow: UnitOfWork, subscriber: str) -> OutboxMessage:
    """全件: one ``full_extract`` message with every resident's items for a ``full`` subscriber."""
    require(uow.actor, "export.run")
    config = uow.session.scalars(
        select(IntegrationDestination).where(
            IntegrationDestination.name == subscriber, IntegrationDestination.subscription == "full"
        )
    ).first()
    if config is None:
        raise NotFoundError(f"全件連携の連携先 {subscriber} は設定されていません。")
    residents = uow.session.scalars(select(Resident).order_by(Resident.atena_number)).all()
    count = uow.session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.destination == subscriber)
        .order_by(OutboxMessage.id.desc())
    )
    key = f"full:{subscriber}:{(count or 0) + 1}"[:100]
    flags = load_support_flags(uow.session)
    allowed = config.receives_protected
    payload = {"residents": [resident_extract(r, flags, receives_protected=allowed) for r in residents]}
    queue_copy(uow, subscriber, "full_extract", payload, key, None)
    uow.session.flush()
    record_access(
        uow,
        "full_extract_requested",
        "export",
        [r.atena_number for r in residents],
        detail={
            "to": subscriber,
            "receives_protected": allowed,
            "address_withheld": sum(1 for r in payload["residents"] if r["address_withheld"]),
        },
    )
    message = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()
    schedule_delivery(uow, [subscriber])
    return message
