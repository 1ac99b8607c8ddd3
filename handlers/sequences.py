"""Per-tenant counters (``NumberSequence``): 宛名番号, 世帯番号, 受付番号, outbox order and the like.

A value is taken with one ``UPDATE … RETURNING``: the row lock it takes lasts until the transaction ends, so
two transactions never get the same value, and the counter costs one round trip instead of a locked SELECT
and an UPDATE.  The first use of a name creates its row.  ``take_blocks`` counts up several counters in one
statement on PostgreSQL, locking them in the order given, as one call per counter would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, text, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from handlers.errors import TenancyError
from handlers.row_writes import run_prebuilt
from handlers.tenancy import CROSS_TENANT_KEY, session_tenant
from models.resident import NumberSequence


def take_next(session: Session, name: str, tenant_id: int | None = None, count: int = 1) -> int:
    """The next value (1, 2, …) of the session tenant's counter ``name``, counted up in this transaction;
    with ``count``, that many consecutive values, of which the first is returned."""
    if count < 1:
        raise ValueError("count must be at least 1")
    after = _count_up(session, name, count)
    if after is not None:
        return after - count
    _create_counter(session, name, tenant_id)  # first use; then count up like any other call
    after = _count_up(session, name, count)
    if after is None:
        raise NoResultFound(f"counter {name!r} was not created")
    return after - count


_COUNTERS = cast(Table, NumberSequence.__table__)
_COUNT_UP = (  # built once (its cache key is kept); Core, so the tenant is in its WHERE clause explicitly
    update(_COUNTERS)
    .where(_COUNTERS.c.tenant_id == bindparam("tenant"), _COUNTERS.c.name == bindparam("counter"))
    .values(next_value=_COUNTERS.c.next_value + bindparam("count"))
    .returning(_COUNTERS.c.next_value)
)


def _count_up(session: Session, name: str, count: int) -> int | None:
    if session.info.get(CROSS_TENANT_KEY):  # no tenant to scope by: the ORM statement, as tenancy sees it
        stmt = (
            update(NumberSequence)
            .where(NumberSequence.name == name)
            .values(next_value=NumberSequence.next_value + count)
            .returning(NumberSequence.next_value)
            .execution_options(synchronize_session=False)
        )
        after = session.execute(stmt).scalar_one_or_none()
    else:
        tenant = session_tenant(session)
        if tenant is None:
            raise TenancyError("テナント（市区町村）が設定されていないため、住民データにアクセスできません。")
        if session.autoflush:
            session.flush()  # as the ORM statement's autoflush did
        params = {"tenant": tenant, "counter": name, "count": count}
        after = run_prebuilt(session, _COUNT_UP, params).scalar_one_or_none()
    return None if after is None else int(after)


def _create_counter(session: Session, name: str, tenant_id: int | None) -> None:
    """Create the counter at 1.  Two processes using a name for the first time at once both get here: the
    second INSERT waits for the first transaction and then does nothing (ON CONFLICT DO NOTHING)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    tenant = tenant_id if tenant_id is not None else session_tenant(session)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(NumberSequence)
        .values(tenant_id=tenant, name=name, next_value=1)
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
    )


# Several counters of the session's tenant in one round trip, locked one after the other in the order
# given (``locked`` returns its rows sorted, and PostgreSQL locks each as it is returned), so that lock order
# stays what one ``take_next`` per counter gives.  The UPDATE writes only rows ``locked`` holds, and a row
# another transaction changed meanwhile is counted up from its latest value (READ COMMITTED recheck).
# ``counted`` gives each counter's name, the label given with it and the first value of its block; a statement
# may go on from it (``handlers.cases.outbox`` numbers and writes the outbox messages in the same statement).
COUNTED_BLOCKS = (
    "WITH wanted AS MATERIALIZED ("
    " SELECT w.name, w.count, w.label, w.ord FROM unnest(CAST(:counters AS VARCHAR[]),"
    " CAST(:counts AS INTEGER[]), CAST(:labels AS VARCHAR[])) WITH ORDINALITY AS w(name, count, label, ord)),"
    " locked AS MATERIALIZED ("
    " SELECT s.id FROM number_sequence AS s JOIN wanted AS w ON w.name = s.name"
    " WHERE s.tenant_id = :tenant ORDER BY w.ord FOR UPDATE OF s),"
    " counted AS ("
    " UPDATE number_sequence AS s SET next_value = s.next_value + w.count FROM wanted AS w"
    " WHERE s.tenant_id = :tenant AND s.name = w.name AND s.id IN (SELECT id FROM locked)"
    " RETURNING s.name, w.label, s.next_value - w.count AS first)"
)
_COUNT_UP_SEVERAL = text(COUNTED_BLOCKS + " SELECT name, first FROM counted")


def blocks_in_one_statement(session: Session, names: Sequence[str]) -> bool:
    """Whether ``COUNTED_BLOCKS`` serves these counters: PostgreSQL, a session of one tenant, distinct names."""
    return (
        len(set(names)) == len(names)
        and session_tenant(session) is not None
        and not session.info.get(CROSS_TENANT_KEY)
        and session.get_bind().dialect.name == "postgresql"
    )


def take_blocks(
    session: Session, wanted: Sequence[tuple[str, int]], tenant_id: int | None = None
) -> list[int]:
    """``take_next(session, name, tenant_id, count)`` for each (name, count) of ``wanted``, in that order: the
    first value of each block.  On PostgreSQL, for a session of one tenant and distinct names, the counters
    that exist already are counted up in one statement; a counter used for the first time is created and
    counted up after them."""
    for _name, count in wanted:
        if count < 1:
            raise ValueError("count must be at least 1")
    if len(wanted) < 2 or not blocks_in_one_statement(session, [name for name, _count in wanted]):
        return [take_next(session, name, tenant_id, count) for name, count in wanted]
    if session.autoflush:
        session.flush()  # as the ORM statement's autoflush did
    params = {"tenant": session_tenant(session), "counters": [name for name, _ in wanted],
              "counts": [c for _, c in wanted], "labels": [name for name, _ in wanted]}  # fmt: skip
    firsts = {str(name): int(first) for name, first in run_prebuilt(session, _COUNT_UP_SEVERAL, params).rows}
    return [
        firsts[name] if name in firsts else take_next(session, name, tenant_id, count)
        for name, count in wanted
    ]
