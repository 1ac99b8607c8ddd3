"""Writing notices to the outbox at 本登録 (delivery after commit is issue 7's worker).

Each row has an idempotency key ``"<受付番号>:<n>"`` (writing the same notices twice adds nothing) and a
sequence number per destination, issued from the tenant's ``NumberSequence`` ``"outbox:<destination>"``, so a
receiver can apply the notices of one municipality in order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
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


def _seq_blocks(uow: UnitOfWork, destinations: list[str]) -> dict[str, Iterator[int]]:
    """Consecutive sequence numbers per destination for these notices, each block taken in one statement
    (destinations in order of first appearance, as one by one would lock them)."""
    blocks: dict[str, Iterator[int]] = {}
    for destination, count in Counter(destinations).items():
        first = take_next(uow.session, sequence_name(destination), uow.actor.tenant_id, count)
        blocks[destination] = iter(range(first, first + count))
    return blocks


def queue_case_notices(
    uow: UnitOfWork, case: Case, notices: Sequence[Mapping[str, Any]]
) -> list[OutboxMessage]:
    """One pending OutboxMessage per notice ({destination, kind, payload}), keys ``<受付番号>:1``, ``:2`` …"""
    existing = {
        row.idempotency_key: row
        for row in uow.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id))
    }
    missing = [n for i, n in enumerate(notices, start=1) if f"{case.case_number}:{i}" not in existing]
    seqs = _seq_blocks(uow, [str(n["destination"]) for n in missing])
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
            seq=next(seqs[destination]),
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
