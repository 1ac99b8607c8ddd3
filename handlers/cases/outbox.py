"""Writing notices to the outbox at 本登録 (delivery after commit is issue 7's worker).

Each row has an idempotency key ``"<受付番号>:<n>"`` (writing the same notices twice adds nothing) and a
sequence number per destination, issued from the tenant's ``NumberSequence`` ``"outbox:<destination>"``, so a
receiver can apply the notices of one municipality in order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from itertools import count as count_from_zero
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.sql.elements import TextClause

from handlers.outbox_dispatch import schedule_delivery
from handlers.outbox_sequence import sequence_name
from handlers.row_batches import Batch, insert_batches, insert_sql, json_rows
from handlers.row_writes import run_prebuilt
from handlers.sequences import COUNTED_BLOCKS, blocks_in_one_statement, take_next
from handlers.tenancy import check_row_tenant
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import OutboxMessage

NOTHING_QUEUED_KEY = "case_notices_none_queued"


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
    _number_and_write(uow, case.tenant_id, missing, destinations, alongside)
    pending = list(destinations)
    pending += [row.destination for key, row in queued.items() if key in keys and row.status == "pending"]
    schedule_delivery(uow, set(pending))
    return keys


def _number_and_write(
    uow: UnitOfWork,
    tenant_id: int,
    messages: list[dict[str, Any]],
    destinations: list[str],
    alongside: Sequence[Batch],
) -> None:
    """Give the messages their sequence numbers (consecutive per destination, each destination's block taken
    as ``take_blocks`` takes them: locked in order of first appearance) and write them with the ``alongside``
    rows.  On PostgreSQL, when every destination's counter exists, all of it is one
    statement: the counters' CTEs (``sequences.COUNTED_BLOCKS``) and the INSERTs that number the messages from
    them; else the counters and the rows go as before, one after the other."""
    counts = Counter(destinations)
    names = [sequence_name(destination) for destination in counts]
    offsets = {destination: count_from_zero() for destination in counts}
    rows = [
        {**message, "tenant_id": tenant_id, "seq": next(offsets[destination]), "status": "pending", "attempts": 0}
        for message, destination in zip(messages, destinations, strict=True)
    ]  # fmt: skip
    firsts: dict[str, int] = {}
    if rows and blocks_in_one_statement(uow.session, names):
        check_row_tenant(uow.session, tenant_id)
        for _table, kept in alongside:
            for tenant in {row["tenant_id"] for row in kept}:
                check_row_tenant(uow.session, tenant)
        if uow.session.autoflush:
            uow.session.flush()  # as the ORM statement's autoflush did
        shapes = tuple((table, tuple(kept[0])) for table, kept in alongside if kept)
        params: dict[str, Any] = {
            "tenant": tenant_id, "counters": names, "counts": list(counts.values()), "labels": list(counts),
            "wanted_count": len(counts), "messages": json_rows(rows),
            **{f"a{index}": json_rows(kept) for index, (_table, kept) in enumerate(a for a in alongside if a[1])},
        }  # fmt: skip
        found = run_prebuilt(uow.session, _numbered_statement(tuple(rows[0]), shapes), params).rows
        firsts = {str(label): int(first) for label, first in found}
        if len(firsts) == len(counts):
            return  # numbered and written
    # a counter used for the first time (or SQLite, a cross-tenant session): the blocks one after the other
    for destination, count in counts.items():
        if destination not in firsts:
            firsts[destination] = take_next(
                uow.session, sequence_name(destination), uow.actor.tenant_id, count
            )
    for row in rows:
        row["seq"] += firsts[row["destination"]]
    insert_batches(uow.session, [(OUTBOX, rows), *alongside])


@cache
def _numbered_statement(
    columns: tuple[str, ...], shapes: tuple[tuple[Table, tuple[str, ...]], ...]
) -> TextClause:
    """``COUNTED_BLOCKS``, then the messages (their ``seq`` the offset in their destination's block) numbered from
    ``counted`` and written in their order, and the other tables' rows; nothing is written unless every counter
    was counted (a missing one is created and counted after, as ``take_blocks`` does)."""
    every = " WHERE (SELECT count(*) FROM counted) = :wanted_count"
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join("c.first + r.seq" if name == "seq" else f'r."{name}"' for name in columns)
    parts = [
        f'queued AS (INSERT INTO "{OUTBOX.name}" ({names}) SELECT {values}'
        f' FROM json_populate_recordset(NULL::"{OUTBOX.name}", CAST(:messages AS JSON)) WITH ORDINALITY AS r'
        f" JOIN counted AS c ON c.label = r.destination{every} ORDER BY r.ordinality)"
    ]
    parts += [
        f"kept{index} AS ({insert_sql(table, cols, f'a{index}', every)})"
        for index, (table, cols) in enumerate(shapes)
    ]
    return text(f"{COUNTED_BLOCKS}, {', '.join(parts)} SELECT label, first FROM counted")


def case_outbox(uow: UnitOfWork, case_id: int) -> list[OutboxMessage]:
    return list(
        uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    )
