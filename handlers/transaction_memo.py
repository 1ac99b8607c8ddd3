"""What this transaction has already learnt about rows it wrote, so the next step of the same call need not
read them again (a case opened in it has no task rows, no provisional change and no locks yet; the task rows
a save wrote are all the case has).

The memo lives in ``session.info`` and is forgotten at any rollback (also of a SAVEPOINT, whose rows are
gone or expired) and at the end of the transaction: it only ever answers for rows the transaction holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

MEMO_KEY = "transaction_memo"


def transaction_memo(session: Session) -> dict[str, Any]:
    """The current transaction's memo (a dict the callers key by their own names)."""
    memo: dict[str, Any] = session.info.setdefault(MEMO_KEY, {})
    return memo


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(MEMO_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(MEMO_KEY, None)
