"""Each destination's one sequence of outbox numbers (``NumberSequence`` ``"outbox:<destination>"``): every
notice to a destination, whoever queues it (a case's 本登録, a support measure, a batch, CS requests), takes its
number here, so a receiver applies one municipality's notices in order and no two share a number."""

from __future__ import annotations

import hashlib

from handlers.sequences import take_next
from handlers.uow import UnitOfWork

SEQUENCE_NAME_LIMIT = 30  # NumberSequence.name length (models.resident)


def sequence_name(destination: str) -> str:
    """``outbox:<destination>``; a destination too long for the counter name is shortened by its hash."""
    name = f"outbox:{destination}"
    if len(name) <= SEQUENCE_NAME_LIMIT:
        return name
    return "outbox:#" + hashlib.sha256(destination.encode()).hexdigest()[: SEQUENCE_NAME_LIMIT - 8]


def next_outbox_seq(uow: UnitOfWork, destination: str) -> int:
    return take_next(uow.session, sequence_name(destination), uow.actor.tenant_id)
