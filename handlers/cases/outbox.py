"""Writing notices to the outbox at 本登録 (delivery after commit is issue 7's worker).

Each row has an idempotency key ``"<受付番号>:<n>"`` (writing the same notices twice adds nothing) and a
sequence number per destination, issued from the tenant's ``NumberSequence`` ``"outbox:<destination>"``, so a
receiver can apply the notices of one municipality in order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from handlers.outbox_dispatch import schedule_delivery
from handlers.sequences import take_next
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import OutboxMessage

SEQUENCE_NAME_LIMIT = 30  # NumberSequence.name length (models.resident)


def sequence_name(destination: str) -> str:
    """``outbox:<destination>``; a destination too long for the counter name is shortened by its hash."""
    name = f"outbox:{destination}"
    if len(name) <= SEQUENCE_NAME_LIMIT:
        return name
    return "outbox:#" + hashlib.sha256(destination.encode()).hexdigest()[: SEQUENCE_NAME_LIMIT - 8]


def next_outbox_seq(uow: UnitOfWork, destination: str) -> int:
    return take_next(uow.session, sequence_name(destination), uow.actor.tenant_id)


def queue_case_notices(
    uow: UnitOfWork, case: Case, notices: Sequence[Mapping[str, Any]]
) -> list[OutboxMessage]:
    """One pending OutboxMessage per notice ({destination, kind, payload}), keys ``<受付番号>:1``, ``:2`` …"""
    existing = {
        row.idempotency_key: row
        for row in uow.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    }
    rows: list[OutboxMessage] = []
    for index, notice in enumerate(notices, start=1):
        key = f"{case.case_number}:{index}"
        if key in existing:
            rows.append(existing[key])
            continue
        destination = str(notice["destination"])
        row = OutboxMessage(
            tenant_id=case.tenant_id,
            case_id=case.id,
            destination=destination,
            kind=str(notice["kind"]),
            payload=dict(notice.get("payload") or {}),
            idempotency_key=key,
            seq=next_outbox_seq(uow, destination),
            status="pending",
            attempts=0,
        )
        uow.session.add(row)
        rows.append(row)
    uow.session.flush()
    schedule_delivery(uow, {row.destination for row in rows if row.status == "pending"})
    return rows


def case_outbox(uow: UnitOfWork, case_id: int) -> list[OutboxMessage]:
    return list(
        uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    )
