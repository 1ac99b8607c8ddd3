"""Access log (j1370): every search, view, change, print and export writes one row in the caller's
transaction.  Rows are hash-chained per tenant; ``handlers.audit_verify.verify_chain`` detects any edit,
insertion or deletion.

``append`` only keeps the row on the session; the commit step (``before_commit``) locks the heads of the
tenants concerned, gives the rows their place in the chain and lets the commit's flush write them.  The head
is therefore held from the end of the transaction's work to its COMMIT only, so a long transaction (a CSV
intake) does not hold up the municipality's other audited requests.  Seq order is commit order.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import String, Table, TextClause, bindparam, event, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeEngine

from handlers.context import Actor
from handlers.row_writes import run_prebuilt
from handlers.rules.instants import as_utc
from handlers.tenancy import check_row_tenant
from handlers.uow import UnitOfWork
from models.audit import AccessLog, AccessLogHead

GENESIS_HASH = "0" * 64
PENDING_KEY = "access_log_pending"
ACTIONS = ("search", "view", "change", "print", "export", "auth", "setting", "batch")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _body(row: AccessLog) -> dict[str, Any]:
    return {
        "tenant_id": row.tenant_id,
        "seq": row.seq,
        "occurred_at": as_utc(row.occurred_at).isoformat(timespec="microseconds"),
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


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _canonical(row: AccessLog) -> bytes:
    return _dumps(_body(row)).encode()


def canonical_around_link(row: AccessLog) -> tuple[str, str, str]:
    """The row's canonical text cut where its link goes: ``before + prev_hash + between + str(seq) + after``
    is ``_canonical(row)`` (the keys are sorted and nothing sorts between ``prev_hash`` and ``seq``), so the
    database can hash a row whose link it reads itself."""
    body = _body(row)
    del body["prev_hash"], body["seq"]
    first = {key: value for key, value in body.items() if key < "prev_hash"}
    last = {key: value for key, value in body.items() if key > "seq"}
    if len(first) + len(last) != len(body) or not first or not last:
        raise AssertionError("the canonical form no longer has prev_hash and seq side by side")
    return _dumps(first)[:-1] + ',"prev_hash":"', '","seq":', "," + _dumps(last)[1:]


def row_hash(row: AccessLog) -> str:
    """The row's hash; a result row selected with the same column names hashes alike (used by verify)."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def _ensure_head(session: Session, tenant_id: int) -> None:
    """Create the tenant's head row if missing, without failing when a concurrent transaction does too."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"tenant_id": tenant_id, "last_seq": 0, "last_hash": GENESIS_HASH}
    session.execute(insert(AccessLogHead).values(values).on_conflict_do_nothing(index_elements=["tenant_id"]))


_HEADS = cast(Table, AccessLogHead.__table__)
_ROWS = cast(Table, AccessLog.__table__)
_ROW_COLUMNS = tuple(c.key for c in _ROWS.columns if c.key != "id")
# Built once (their cache keys are kept): the chain is written with Core, outside the ORM's unit of work.
_LOCK_HEAD = (
    select(_HEADS.c.last_seq, _HEADS.c.last_hash)
    .where(_HEADS.c.tenant_id == bindparam("tenant"))
    .with_for_update()
)
_UPDATE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.tenant_id == bindparam("tenant"))
    .values(last_seq=bindparam("seq"), last_hash=bindparam("hash"))
)
_INSERT_ROWS = insert(_ROWS)
_GIVEN_COLUMNS = tuple(key for key in _ROW_COLUMNS if key not in ("seq", "prev_hash", "hash"))
# PostgreSQL: up to this many rows of one tenant are chained by one statement (``_chained``); more (a CSV
# intake), or rows of several tenants, take the head lock, one INSERT of the rows and one UPDATE of the heads.
MAX_ROWS_IN_ONE_STATEMENT = 16
_CHAINED: dict[int, TextClause] = {}


def _cast_type(kind: TypeEngine[Any]) -> str:
    """The PostgreSQL type a value is cast to; a string without its length (the column's own check refuses a
    value too long, where ``CAST(… AS VARCHAR(n))`` would cut it)."""
    return "VARCHAR" if isinstance(kind, String) else kind.compile(dialect=postgresql.dialect())


def _chained(count: int) -> TextClause:
    """PostgreSQL: ``count`` rows appended to their tenant's chain in one statement, built once per count.
    The head is locked ``FOR UPDATE`` (its newest version, when another transaction moved it meanwhile);
    ``link_<i>`` gives row i its seq, prev_hash and hash — the sha256 of the canonical text around its link
    (``canonical_around_link``, bound as ``before_<i>``, ``between_<i>``, ``after_<i>``), the bytes
    ``row_hash`` hashes; the rows are inserted and the head moved to the last link.  It returns the head as it
    was before (no row when the tenant has no head yet)."""
    statement = _CHAINED.get(count)
    if statement is not None:
        return statement
    links, rows = [], []
    for index in range(count):
        prev = (
            "head.last_seq, head.last_hash" if index == 0 else f"link_{index - 1}.seq, link_{index - 1}.hash"
        )
        seq, last = prev.split(", ")
        text_of_row = f":before_{index} || {last} || :between_{index} || ({seq} + 1)::text || :after_{index}"
        source = "head" if index == 0 else f"link_{index - 1}"
        links.append(
            f"link_{index} AS (SELECT {seq} + 1 AS seq, {last} AS prev_hash, "
            f"encode(sha256(convert_to({text_of_row}, 'UTF8')), 'hex') AS hash FROM {source})"
        )
        given = ", ".join(
            f"CAST(:{key}_{index} AS {_cast_type(_ROWS.c[key].type)})" for key in _GIVEN_COLUMNS
        )
        rows.append(f"SELECT {given}, seq, prev_hash, hash FROM link_{index}")
    last_link = f"link_{count - 1}"
    sql = (
        "WITH head AS (SELECT last_seq, last_hash FROM access_log_head WHERE tenant_id = :tenant FOR UPDATE), "
        + ", ".join(links)
        + f", appended AS (INSERT INTO access_log ({', '.join(_GIVEN_COLUMNS)}, seq, prev_hash, hash) "
        + " UNION ALL ".join(rows)
        + f") UPDATE access_log_head SET last_seq = {last_link}.seq, last_hash = {last_link}.hash FROM {last_link}, head "
        + "WHERE access_log_head.tenant_id = :tenant RETURNING head.last_seq, head.last_hash, "
        + f"{last_link}.hash"
    )
    typed = [
        bindparam(f"{key}_{index}", type_=_ROWS.c[key].type)
        for index in range(count)
        for key in ("targets", "detail")
    ]
    statement = _CHAINED[count] = text(sql).bindparams(*typed)
    return statement


def _append_chained(session: Session, rows: list[AccessLog]) -> bool:
    """Chain and write ``rows`` (one tenant's, at most MAX_ROWS_IN_ONE_STATEMENT) by one statement; False
    when the tenant has no head yet (nothing written).  The rows' links are computed here too, from the head
    the statement locked; a last hash that differs from the database's or from ``row_hash`` (what the
    verification computes) refuses the commit: the chain would not verify."""
    params: dict[str, Any] = {"tenant": rows[0].tenant_id}
    texts = []
    for index, row in enumerate(rows):
        for key in _GIVEN_COLUMNS:
            params[f"{key}_{index}"] = getattr(row, key)
        texts.append(canonical_around_link(row))
        before, between, after = texts[-1]
        params.update({f"before_{index}": before, f"between_{index}": between, f"after_{index}": after})
    found = run_prebuilt(session, _chained(len(rows)), params).rows
    if not found:
        return False
    head = found[0]
    seq, last = int(head[0]), str(head[1])
    for row, (before, between, after) in zip(rows, texts, strict=True):
        seq += 1
        row.seq, row.prev_hash = seq, last
        row.hash = last = hashlib.sha256((before + last + between + str(seq) + after).encode()).hexdigest()
    if not last == head[2] == row_hash(rows[-1]):
        raise RuntimeError("the database's access-log hash differs from row_hash: the chain would not verify")
    _keep_held_head(session, rows[0].tenant_id, seq, last)
    return True


def _select_locked_head(session: Session, tenant_id: int) -> tuple[int, str]:
    """The tenant's head (last seq, last hash), locked FOR UPDATE and read from the database."""
    head = session.connection().execute(_LOCK_HEAD, {"tenant": tenant_id}).first()
    if head is None:
        _ensure_head(session, tenant_id)
        head = session.connection().execute(_LOCK_HEAD, {"tenant": tenant_id}).one()
    return int(head[0]), str(head[1])


def _write_heads(session: Session, heads: dict[int, tuple[int, str]]) -> None:
    session.connection().execute(
        _UPDATE_HEAD, [{"tenant": tenant, "seq": seq, "hash": last} for tenant, (seq, last) in heads.items()]
    )
    for tenant, (seq, last) in heads.items():
        _keep_held_head(session, tenant, seq, last)


def _keep_held_head(session: Session, tenant: int, seq: int, last: str) -> None:
    """A head row the session holds (data import) stays true."""
    held = session.identity_map.get(session.identity_key(AccessLogHead, tenant))
    if held is not None:
        set_committed_value(held, "last_seq", seq)
        set_committed_value(held, "last_hash", last)


@dataclass
class _Pending:
    row: AccessLog  # seq, prev_hash and hash still empty
    owner: SessionTransaction | None  # the SAVEPOINT it was appended in; None: the transaction itself


def _pending(session: Session) -> list[_Pending]:
    pending: list[_Pending] = session.info.setdefault(PENDING_KEY, [])
    return pending


def _chain(session: Session, entries: list[_Pending]) -> None:
    """Link ``entries`` (append order) to their tenants' chains: heads locked in tenant-id order, the rows
    inserted in one statement, the heads moved on."""
    tenants = sorted({e.row.tenant_id for e in entries})
    for tenant in tenants:
        check_row_tenant(session, tenant)
    if (
        len(tenants) == 1
        and len(entries) <= MAX_ROWS_IN_ONE_STATEMENT
        and session.get_bind().dialect.name == "postgresql"
    ):
        rows = [entry.row for entry in entries]
        if not _append_chained(session, rows):
            _ensure_head(session, tenants[0])
            if not _append_chained(session, rows):
                raise RuntimeError("the access-log head could not be created")
        return
    heads = {tenant: _select_locked_head(session, tenant) for tenant in tenants}
    values = []
    for entry in entries:
        row = entry.row
        row.seq, row.prev_hash = heads[row.tenant_id][0] + 1, heads[row.tenant_id][1]
        row.hash = row_hash(row)
        heads[row.tenant_id] = (row.seq, row.hash)
        values.append({key: getattr(row, key) for key in _ROW_COLUMNS})
    session.connection().execute(_INSERT_ROWS, values)
    _write_heads(session, heads)


def flush_pending(session: Session) -> None:
    """Chain and write this session's pending rows now, for the rare caller that must read its own rows
    before commit.  The heads stay locked until the transaction ends, as they were before the rows were
    chained at commit.  Not inside a SAVEPOINT: a rollback of it could not give the rows back."""
    entries = session.info.pop(PENDING_KEY, [])
    if not entries:
        return
    if session.get_nested_transaction() is not None:
        session.info[PENDING_KEY] = entries
        raise RuntimeError("access-log rows can be chained early only outside a SAVEPOINT")
    session.flush()
    _chain(session, entries)


@event.listens_for(Session, "before_commit")
def _chain_at_commit(session: Session) -> None:
    """Chain the transaction's rows in its commit step.  Everything else is flushed first, so the heads are
    locked last: the lock lasts from here to COMMIT, and no other row lock is awaited while it is held."""
    if not session.info.get(PENDING_KEY) or session.get_nested_transaction() is not None:
        return  # nothing to chain, or only a SAVEPOINT being released: its rows wait for the real commit
    session.flush()
    _chain(session, session.info.pop(PENDING_KEY))


def _inside(owner: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while owner is not None:
        if owner is ended:
            return True
        owner = owner.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_rows(session: Session, previous: SessionTransaction) -> None:
    """Rows appended inside a rolled-back SAVEPOINT (or its children) disappear, as written rows would."""
    entries = session.info.get(PENDING_KEY)
    if not entries:
        return
    if previous.parent is None:
        session.info.pop(PENDING_KEY, None)
        return
    session.info[PENDING_KEY] = [e for e in entries if not _inside(e.owner, previous)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


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
    """Append one row to the tenant's chain when the current transaction commits.

    No SQL and no lock here: the row waits on the session (``seq``, ``prev_hash`` and ``hash`` empty until
    the commit step chains it).  A rollback of the transaction, or of the SAVEPOINT it was appended in,
    drops it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    row = AccessLog(
        tenant_id=tenant_id if tenant_id is not None else actor.tenant_id,
        occurred_at=_now(),
        user_id=actor.user_id,
        login_id=actor.login_id,
        client_address=actor.client_address,
        terminal=actor.terminal,
        function=function,
        action=action,
        targets=sorted(set(targets)),
        my_number_shown=my_number_shown,
        detail=copy.deepcopy(detail) if detail else {},  # the content as it was when the access happened
    )
    _pending(session).append(_Pending(row, session.get_nested_transaction()))
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
