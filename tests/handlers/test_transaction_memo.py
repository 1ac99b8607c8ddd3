"""The transaction memo (what a transaction learnt about rows it wrote) never outlives what it describes."""

from __future__ import annotations

import pytest

from handlers.context import Actor
from handlers.db import Database
from handlers.transaction_memo import transaction_memo
from handlers.uow import unit_of_work

pytestmark = pytest.mark.req("j1380")


def test_the_memo_is_forgotten_at_a_savepoint_rollback_and_at_the_end_of_the_transaction(
    db: Database, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        uow.session.connection()  # the transaction has begun
        transaction_memo(uow.session)["known"] = 1
        with uow.session.begin_nested():
            assert transaction_memo(uow.session) == {"known": 1}  # a SAVEPOINT that commits keeps it
        assert transaction_memo(uow.session) == {"known": 1}
        savepoint = uow.session.begin_nested()
        savepoint.rollback()  # rows written inside are gone, locks taken inside released
        assert transaction_memo(uow.session) == {}
        transaction_memo(uow.session)["known"] = 2
        session = uow.session
    assert transaction_memo(session) == {}  # committed and closed
