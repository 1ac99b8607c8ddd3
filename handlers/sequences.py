"""Per-tenant counters (``NumberSequence``): 宛名番号, 世帯番号, 受付番号, outbox order and the like.

A value is taken with one ``UPDATE … RETURNING``: the row lock it takes lasts until the transaction ends, so
two transactions never get the same value, and the counter costs one round trip instead of a locked SELECT
and an UPDATE.  The first use of a name creates its row.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.resident import NumberSequence


def take_next(session: Session, name: str, tenant_id: int | None = None) -> int:
    """The next value (1, 2, …) of the session tenant's counter ``name``, counted up in this transaction."""
    stmt = (
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(next_value=NumberSequence.next_value + 1)
        .returning(NumberSequence.next_value)
        .execution_options(synchronize_session=False)
    )
    after = session.execute(stmt).scalar_one_or_none()
    if after is not None:
        return int(after) - 1
    counter = NumberSequence(name=name, next_value=2)
    if tenant_id is not None:
        counter.tenant_id = tenant_id
    session.add(counter)
    session.flush()
    return 1
