"""The access log is written with the action, chained per tenant, and the database refuses to change it."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import models
from handlers.audit import GENESIS_HASH, record_access, row_hash
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from models.audit import AccessLog, AccessLogHead
from tests import factories

pytestmark = pytest.mark.req("j1370")


@pytest.fixture
def clerk_b(users_b: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_b["clerk"])


def log_access(
    db: Database, actor: Actor, function: str = "resident_viewed", targets: tuple[str, ...] = ()
) -> None:
    with unit_of_work(db, actor) as uow:
        record_access(uow, function, "view", targets)


def chain_of(session: Session, tenant_id: int) -> list[AccessLog]:
    return list(
        session.scalars(
            select(AccessLog)
            .where(AccessLog.tenant_id == tenant_id)
            .order_by(AccessLog.seq)
            .execution_options(populate_existing=True)
        )
    )


def test_interleaved_tenants_keep_separate_chains(
    db: Database, setup_session: Session, clerk_a: Actor, clerk_b: Actor
) -> None:
    for actor in (clerk_a, clerk_b, clerk_a, clerk_a, clerk_b):
        log_access(db, actor, targets=("000000011",))

    rows_a = chain_of(setup_session, clerk_a.tenant_id)
    rows_b = chain_of(setup_session, clerk_b.tenant_id)
    assert [r.seq for r in rows_a] == [1, 2, 3]
    assert [r.seq for r in rows_b] == [1, 2]
    for rows in (rows_a, rows_b):
        assert rows[0].prev_hash == GENESIS_HASH
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.prev_hash == before.hash
        assert all(row_hash(r) == r.hash for r in rows)
    head_a = setup_session.get(AccessLogHead, clerk_a.tenant_id, populate_existing=True)
    assert head_a is not None
    assert (head_a.last_seq, head_a.last_hash) == (3, rows_a[-1].hash)


def test_row_records_who_what_and_whom(db: Database, setup_session: Session, clerk_a: Actor) -> None:
    with unit_of_work(db, clerk_a) as uow:
        record_access(
            uow, "resident_viewed", "view", ["000000029", "000000011", "000000029"], my_number_shown=True
        )

    (row,) = chain_of(setup_session, clerk_a.tenant_id)
    assert row.login_id == clerk_a.login_id
    assert row.user_id == clerk_a.user_id
    assert row.client_address == "127.0.0.1"
    assert (row.function, row.action) == ("resident_viewed", "view")
    assert row.targets == ["000000011", "000000029"]
    assert row.my_number_shown is True


def test_hash_is_stable_after_reading_back(db: Database, setup_session: Session, clerk_a: Actor) -> None:
    with unit_of_work(db, clerk_a) as uow:
        record_access(
            uow,
            "resident_searched",
            "search",
            detail={"query": "山田", "hits": 3, "nested": {"b": 1, "a": [1]}},
        )

    setup_session.expire_all()
    (row,) = chain_of(setup_session, clerk_a.tenant_id)
    assert row_hash(row) == row.hash


def test_a_unit_of_work_that_fails_leaves_no_log_row(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    with pytest.raises(RuntimeError), unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_viewed", "view", ["000000011"])
        uow.flush()
        raise RuntimeError("the action failed after logging")

    assert chain_of(setup_session, clerk_a.tenant_id) == []
    head = setup_session.get(AccessLogHead, clerk_a.tenant_id, populate_existing=True)
    assert head is None or head.last_seq == 0


def test_unknown_action_is_refused(db: Database, clerk_a: Actor) -> None:
    with pytest.raises(ValueError, match="unknown access-log action"), unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_viewed", "peek")


def _log_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(AccessLog)).scalar_one())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET login_id = 'someone_else' WHERE seq = 1",
        "DELETE FROM access_log WHERE seq = 1",
    ],
    ids=["update", "delete"],
)
def test_database_refuses_to_change_or_delete_log_rows(
    db: Database, connection: Connection, clerk_a: Actor, statement: str
) -> None:
    log_access(db, clerk_a)
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text(statement))
    assert _log_count(connection) == 1
    login = connection.execute(select(AccessLog.login_id)).scalar_one()
    assert login == clerk_a.login_id


def test_orm_update_through_a_unit_of_work_is_refused(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    log_access(db, clerk_a)
    with pytest.raises(DBAPIError, match="append-only"), unit_of_work(db, clerk_a) as uow:
        row = uow.session.scalars(select(AccessLog)).one()
        row.function = "nothing_happened"
        uow.flush()

    (row,) = chain_of(setup_session, clerk_a.tenant_id)
    assert row.function == "resident_viewed"


def test_database_refuses_truncate_on_postgresql(
    db: Database, connection: Connection, clerk_a: Actor
) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    log_access(db, clerk_a)
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text("TRUNCATE access_log CASCADE"))
    assert _log_count(connection) == 1
