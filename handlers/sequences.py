"""Per-tenant counters (``NumberSequence``): 宛名番号, 世帯番号, 受付番号, outbox order and the like.

A value is taken with one ``UPDATE … RETURNING``: the row lock it takes lasts until the transaction ends, so
two transactions never get the same value, and the counter costs one round trip instead of a locked SELECT
and an UPDATE.  The first use of a name creates its row.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.resident import NumberSequence


def take_next(session: Session, name: str, tenant_id: int | None = None, count: int = 1) -> int:
    """The next value (1, 2, …) of the session tenant's counter ``name``, counted up in this transaction;
    with ``count``, that many consecutive values, of which the first is returned."""
    if count < 1:
        raise ValueError("count must be at least 1")
    stmt = (
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(next_value=NumberSequence.next_value + count)
        .returning(NumberSequence.next_value)
        .execution_options(synchronize_session=False)
    )
    after = session.execute(stmt).scalar_one_or_none()
    if after is not None:
        return int(after) - count
    _create_counter(session, name, tenant_id)  # first use; then count up like any other call
    return int(session.execute(stmt).scalar_one()) - count


def _create_counter(session: Session, name: str, tenant_id: int | None) -> None:
    """Create the counter at 1.  Two processes using a name for the first time at once both get here: the
    second INSERT waits for the first transaction and then does nothing (ON CONFLICT DO NOTHING)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from handlers.tenancy import session_tenant

    tenant = tenant_id if tenant_id is not None else session_tenant(session)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(NumberSequence)
        .values(tenant_id=tenant, name=name, next_value=1)
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
    )
