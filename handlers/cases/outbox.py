"""Writing notices to the outbox at 本登録 (delivery after commit is issue 7's worker).

Each row has an idempotency key ``"<受付番号>:<n>"`` (writing the same notices twice adds nothing) and a
sequence number per destination, issued from the tenant's ``NumberSequence`` ``"outbox:<destination>"``, so a
receiver can apply the notices of one municipality in order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from handlers.outbox_dispatch import schedule_delivery
from handlers.row_batches import Batch, insert_batches
from handlers.sequences import take_blocks, take_next
from handlers.tenancy import check_row_tenant
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import OutboxMessage

SEQUENCE_NAME_LIMIT = 30  # NumberSequence.name length (models.resident)
NOTHING_QUEUED_KEY = "case_notices_none_queued"


def sequence_name(destination: str) -> str:
    """``outbox:<destination>``; a destination too long for the counter name is shortened by its hash."""
    name = f"outbox:{destination}"
    if len(name) <= SEQUENCE_NAME_LIMIT:
        return name
    return "outbox:#" + hashlib.sha256(destination.encode()).hexdigest()[: SEQUENCE_NAME_LIMIT - 8]


def next_outbox_seq(uow: UnitOfWork, destination: str) -> int:
    return take_next(uow.session, sequence_name(destination), uow.actor.tenant_id)


def _seq_blocks(uow: UnitOfWork, destinations: list[str]) -> dict[str, Iterator[int]]:
    """Consecutive sequence numbers per destination for these notices, all blocks taken in one statement
    (destinations locked in order of first appearance, as one by one would lock them)."""
    counts = Counter(destinations)
    wanted = [(sequence_name(destination), count) for destination, count in counts.items()]
    firsts = take_blocks(uow.session, wanted, uow.actor.tenant_id)
    return {
        destination: iter(range(first, first + count))
        for (destination, count), first in zip(counts.items(), firsts, strict=True)
    }


OUTBOX = cast(Table, OutboxMessage.__table__)
# Built once (its cache key is kept): Core, naming the case's tenant.  The rows are written here
# (``insert_batches``) and read back by no one in this transaction (delivery starts after commit).
_QUEUED = select(OUTBOX.c.idempotency_key, OUTBOX.c.destination, OUTBOX.c.status).where(
    OUTBOX.c.case_id == bindparam("case"), OUTBOX.c.tenant_id == bindparam("tenant")
)


def registered_here(uow: UnitOfWork, case_id: int) -> None:
    """The case's change was registered (本登録) in this transaction: no transaction before it could queue its
    notices (they follow the registration), so the first ``queue_case_notices`` of the case in this
    transaction has none to read.  Forgotten at any rollback, also of a SAVEPOINT: then they are read."""
    transaction_memo(uow.session).setdefault(NOTHING_QUEUED_KEY, set()).add(case_id)


def was_registered_here(uow: UnitOfWork, case_id: int) -> bool:
    """Whether the case's notices are known to be unqueued (``registered_here``), without forgetting it."""
    return case_id in transaction_memo(uow.session).get(NOTHING_QUEUED_KEY, set())


def queue_case_notices(
    uow: UnitOfWork,
    case: Case,
    notices: Sequence[Mapping[str, Any]],
    followers: Sequence[Mapping[str, Any]] = (),
    alongside: Sequence[Batch] = (),
) -> list[str]:
    """One pending outbox message per notice ({destination, kind, payload}), keys ``<受付番号>:1``, ``:2`` …
    (a key the case already has is not written again); the keys of all of them, in order.  ``followers``:
    messages queued right after them, each with its own ``idempotency_key`` and ``case_id`` (the 送付先情報
    of the change, j1120), numbered from the same blocks; ``alongside``: other tables' rows (those that keep the
    送付先情報), written by the same statement as the messages (``insert_batches``)."""
    session = uow.session
    check_row_tenant(session, case.tenant_id)
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    nothing_queued: set[int] = transaction_memo(session).get(NOTHING_QUEUED_KEY, set())
    if case.id in nothing_queued:
        nothing_queued.discard(case.id)  # what this call writes is read by the next one
        queued = {}
    else:
        queued = {
            row.idempotency_key: row
            for row in session.connection().execute(_QUEUED, {"case": case.id, "tenant": case.tenant_id})
        }
    keys = [f"{case.case_number}:{index}" for index in range(1, len(notices) + 1)]
    missing: list[dict[str, Any]] = [
        {"destination": str(notice["destination"]), "kind": str(notice["kind"]),
         "payload": dict(notice.get("payload") or {}), "idempotency_key": key, "case_id": case.id}
        for key, notice in zip(keys, notices, strict=True)
        if key not in queued
    ]  # fmt: skip
    missing += [{**follower, "destination": str(follower["destination"])} for follower in followers]
    destinations = [str(message["destination"]) for message in missing]
    seqs = _seq_blocks(uow, destinations)
    rows = [
        {**message, "tenant_id": case.tenant_id, "seq": next(seqs[destination]), "status": "pending", "attempts": 0}
        for message, destination in zip(missing, destinations, strict=True)
    ]  # fmt: skip
    insert_batches(session, [(OUTBOX, rows), *alongside])
    pending = list(destinations)
    pending += [row.destination for key, row in queued.items() if key in keys and row.status == "pending"]
    schedule_delivery(uow, set(pending))
    return keys


def case_outbox(uow: UnitOfWork, case_id: int) -> list[OutboxMessage]:
    return list(
        uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    )
