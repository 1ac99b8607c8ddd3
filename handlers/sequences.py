"""Per-tenant counters (``NumberSequence``): 宛名番号, 世帯番号, 受付番号, outbox order and the like.

A value is taken with one ``UPDATE … RETURNING``: the row lock it takes lasts until the transaction ends, so
two transactions never get the same value, and the counter costs one round trip instead of a locked SELECT
and an UPDATE.  The first use of a name creates its row.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, update
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
