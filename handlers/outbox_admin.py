"""Supervisors' view of undeliverable notices (j1090: error display and resend): the dead-letter list and
resend, which changes nothing but the message's status and attempts (and clears its backoff)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from handlers.audit import record_access
from handlers.errors import ConflictError, NotFoundError
from handlers.outbox_dispatch import schedule_delivery
from handlers.permissions import require
from handlers.uow import UnitOfWork
from models.change import OutboxMessage


@dataclass(frozen=True)
class DeadLetter:
    id: int
    destination: str
    kind: str
    seq: int
    idempotency_key: str
    attempts: int
    last_error: str | None
    created_at: Any
    waiting_behind: int  # messages of the same destination held back by this one


def subjects_of(payload: dict[str, Any]) -> list[str]:
    numbers = [payload.get("atena_number"), *(payload.get("atena_numbers") or [])]
    return sorted({str(n) for n in numbers if n})


def _waiting(uow: UnitOfWork, message: OutboxMessage) -> int:
    rows = uow.session.scalars(
        select(OutboxMessage.id).where(
            OutboxMessage.destination == message.destination,
            OutboxMessage.status == "pending",
            OutboxMessage.seq > message.seq,
        )
    ).all()
    return len(rows)


def dead_letters(uow: UnitOfWork) -> list[DeadLetter]:
    """The messages that stopped after too many failed attempts, by destination and order."""
    require(uow.actor, "resident.approve")
    rows = uow.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "dead")
        .order_by(OutboxMessage.destination, OutboxMessage.seq)
    ).all()
    targets = sorted({n for row in rows for n in subjects_of(row.payload)})
    record_access(uow, "dead_letters_listed", "view", targets, detail={"count": len(rows)})
    return [
        DeadLetter(r.id, r.destination, r.kind, r.seq, r.idempotency_key, r.attempts, r.last_error,
                   r.created_at, _waiting(uow, r))
        for r in rows
    ]  # fmt: skip


def resend(uow: UnitOfWork, message_id: int) -> OutboxMessage:
    """再送信: the dead message goes back to pending with no attempts; delivery restarts after commit."""
    require(uow.actor, "resident.approve")
    message = uow.session.get(OutboxMessage, int(message_id))
    if message is None or message.tenant_id != uow.actor.tenant_id:
        raise NotFoundError("指定された通知は見つかりません。")
    if message.status != "dead":
        raise ConflictError("送信不能（デッドレター）となった通知だけを再送信できます。")
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = None
    uow.session.flush()
    record_access(
        uow,
        "outbox_message_resent",
        "change",
        subjects_of(message.payload),
        detail={"message_id": message.id, "destination": message.destination, "key": message.idempotency_key},
    )
    schedule_delivery(uow, [message.destination])
    return message
