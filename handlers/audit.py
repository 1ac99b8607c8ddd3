"""Access log (j1370): every search, view, change, print and export writes one row in the caller's
transaction.  Rows are hash-chained per tenant; ``handlers.audit_verify.verify_chain`` detects any edit,
insertion or deletion.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from handlers.context import Actor
from handlers.uow import UnitOfWork
from models.audit import AccessLog, AccessLogHead

GENESIS_HASH = "0" * 64
LOCKED_HEADS_KEY = "access_log_locked_heads"
ACTIONS = ("search", "view", "change", "print", "export", "auth", "setting", "batch")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back naive; they were stored as UTC wall time.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _canonical(row: AccessLog) -> bytes:
    body = {
        "tenant_id": row.tenant_id,
        "seq": row.seq,
        "occurred_at": _as_utc(row.occurred_at).isoformat(timespec="microseconds"),
        "user_id": row.user_id,
        "login_id": row.login_id,
        "client_address": row.client_address,
        "terminal": row.terminal,
        "function": row.function,
        "action": row.action,
        "targets": list(row.targets),
        "my_number_shown": bool(row.my_number_shown),
        "detail": row.detail,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def row_hash(row: AccessLog) -> str:
    """The row's hash; a result row selected with the same column names hashes alike (used by verify)."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def _ensure_head(session: Session, tenant_id: int) -> None:
    """Create the tenant's head row if missing, without failing when a concurrent transaction does too."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"tenant_id": tenant_id, "last_seq": 0, "last_hash": GENESIS_HASH}
    session.execute(insert(AccessLogHead).values(values).on_conflict_do_nothing(index_elements=["tenant_id"]))


def _lock_head(session: Session, tenant_id: int) -> AccessLogHead:
    """The tenant's head, locked FOR UPDATE and re-read from the database (never a stale cached copy).

    Once locked, the head stays locked to this transaction until it ends, so later rows of the same
    transaction use the head they hold (``session.info``); any rollback, even of a SAVEPOINT (which releases
    the row lock taken inside it), or the end of the transaction forgets it."""
    held: dict[int, AccessLogHead] = session.info.setdefault(LOCKED_HEADS_KEY, {})
    if tenant_id in held and held[tenant_id] in session:  # not expunged meanwhile
        return held[tenant_id]
    held[tenant_id] = head = _select_locked_head(session, tenant_id)
    return head


@event.listens_for(Session, "after_soft_rollback")
def _forget_heads_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(LOCKED_HEADS_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_heads_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(LOCKED_HEADS_KEY, None)


def _select_locked_head(session: Session, tenant_id: int) -> AccessLogHead:
    locking = (
        select(AccessLogHead)
        .where(AccessLogHead.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalars(locking).one_or_none()
    if head is None:
        _ensure_head(session, tenant_id)
        head = session.scalars(locking).one()
    return head


def append(
    session: Session,
    actor: Actor,
    function: str,
    action: str,
    targets: Iterable[str] = (),
    *,
    my_number_shown: bool = False,
    detail: dict[str, Any] | None = None,
    tenant_id: int | None = None,
) -> AccessLog:
    """Append one row to the tenant's chain inside the current transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    tenant = tenant_id if tenant_id is not None else actor.tenant_id
    head = _lock_head(session, tenant)
    row = AccessLog(
        tenant_id=tenant,
        seq=head.last_seq + 1,
        occurred_at=_now(),
        user_id=actor.user_id,
        login_id=actor.login_id,
        client_address=actor.client_address,
        terminal=actor.terminal,
        function=function,
        action=action,
        targets=sorted(set(targets)),
        my_number_shown=my_number_shown,
        detail=detail or {},
        prev_hash=head.last_hash,
    )
    row.hash = row_hash(row)
    head.last_seq = row.seq
    head.last_hash = row.hash
    session.add(row)
    return row


def record_access(
    uow: UnitOfWork,
    function: str,
    action: str,
    targets: Iterable[str] = (),
    *,
    my_number_shown: bool = False,
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """The one call every door's handler makes: log ``function`` on ``targets`` (宛名番号) for the actor."""
    return append(
        uow.session, uow.actor, function, action, targets, my_number_shown=my_number_shown, detail=detail
    )
