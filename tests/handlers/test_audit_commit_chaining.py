"""Access-log rows are chained when their transaction commits (j1370): seq follows commit order, rows of a
rolled-back SAVEPOINT or transaction never reach the chain, and the chain head is locked only in the commit
step, so a transaction left open (a long CSV intake) does not hold up the municipality's other requests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import models
from handlers.audit import GENESIS_HASH, MAX_ROWS_WITH_HEAD, append, flush_pending, record_access
from handlers.audit_verify import verify_all, verify_chain
from handlers.context import Actor
from handlers.csv_intake import import_csv
from handlers.db import Database, make_engine
from handlers.errors import DomainError
from handlers.residents.search import ResidentQuery, search_residents
from handlers.tenancy import bind_session
from handlers.uow import unit_of_work
from models.audit import AccessLog, AccessLogHead
from tests import factories
from tests.statements import recorded_statements
from tests.statistics.test_csv_intake import csv_bytes, notice_row

pytestmark = pytest.mark.req("j1370")


@pytest.fixture
def clerk_b(users_b: dict[str, models.User]) -> Actor:
    return factories.actor_for(users_b["clerk"])


def functions_in_chain(session: Session, tenant_id: int) -> list[str]:
    rows = session.scalars(
        select(AccessLog)
        .where(AccessLog.tenant_id == tenant_id)
        .order_by(AccessLog.seq)
        .execution_options(populate_existing=True)
    ).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    return [r.function for r in rows]


def assert_chain_verifies(session: Session, tenant_id: int, rows: int) -> None:
    result = verify_chain(session, tenant_id)
    assert result.ok, [b.message for b in result.breaks]
    assert (result.rows_checked, result.head_seq) == (rows, rows)


def test_seq_follows_commit_order_not_append_order(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as first:
        record_access(first, "resident_viewed", "view", ["000000011"])
        with unit_of_work(db, clerk_a) as second:
            record_access(second, "resident_searched", "search")
        record_access(first, "resident_changed", "change", ["000000011"])

    functions = functions_in_chain(setup_session, clerk_a.tenant_id)
    assert functions == ["resident_searched", "resident_viewed", "resident_changed"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 3)


def _duplicate_head_row(session: Session) -> None:
    insert = text("INSERT INTO access_log_head (tenant_id, last_seq, last_hash) VALUES (999999, 0, :h)")
    session.execute(insert, {"h": GENESIS_HASH})
    session.execute(insert, {"h": GENESIS_HASH})


def test_rows_of_a_rolled_back_savepoint_and_of_its_children_never_reach_the_chain(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        record_access(uow, "kept_before", "view")
        savepoint = uow.session.begin_nested()
        record_access(uow, "dropped_with_savepoint", "view")
        child = uow.session.begin_nested()
        record_access(uow, "dropped_with_parent", "view")
        child.commit()
        savepoint.rollback()
        with pytest.raises(IntegrityError), uow.session.begin_nested():
            record_access(uow, "dropped_on_integrity_error", "view")
            _duplicate_head_row(uow.session)
        with uow.session.begin_nested():
            record_access(uow, "kept_from_released_savepoint", "view")
        record_access(uow, "kept_after", "view")

    functions = functions_in_chain(setup_session, clerk_a.tenant_id)
    assert functions == ["kept_before", "kept_from_released_savepoint", "kept_after"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 3)


def test_rows_of_a_refused_unit_of_work_never_reach_the_chain(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    with pytest.raises(DomainError), unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_viewed", "view", ["000000011"])
        raise DomainError("refused after logging")
    with unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_searched", "search")

    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["resident_searched"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 1)


def test_one_transaction_extends_the_chains_of_two_municipalities(
    db: Database, setup_session: Session, clerk_a: Actor, clerk_b: Actor
) -> None:
    with unit_of_work(db, clerk_b) as uow:
        record_access(uow, "resident_viewed", "view")
    system = Actor.system(clerk_a.tenant_id)
    with unit_of_work(db, system, cross_tenant=True) as uow:
        append(uow.session, system, "settings_changed", "setting", tenant_id=clerk_b.tenant_id)
        append(uow.session, system, "settings_changed", "setting", tenant_id=clerk_a.tenant_id)
        append(uow.session, system, "tenant_exported", "export", tenant_id=clerk_b.tenant_id)

    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["settings_changed"]
    chain_b = functions_in_chain(setup_session, clerk_b.tenant_id)
    assert chain_b == ["resident_viewed", "settings_changed", "tenant_exported"]
    results = verify_all(setup_session)
    assert all(r.ok for r in results.values())
    assert (results["141003"].rows_checked, results["202118"].rows_checked) == (1, 3)


def test_rows_chained_early_can_be_read_back_before_commit(
    db: Database, setup_session: Session, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_viewed", "view")
        assert uow.session.scalars(select(AccessLog)).all() == []  # still waiting for the commit
        flush_pending(uow.session)
        (row,) = uow.session.scalars(select(AccessLog)).all()
        assert (row.seq, row.prev_hash) == (1, GENESIS_HASH)
        record_access(uow, "resident_searched", "search")
        with uow.session.begin_nested(), pytest.raises(RuntimeError, match="SAVEPOINT"):
            flush_pending(uow.session)

    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["resident_viewed", "resident_searched"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 2)


def _is_head_read(statement: str) -> bool:
    return "access_log_head" in statement and statement.lstrip().upper().startswith("SELECT")


def test_a_search_touches_the_access_log_only_in_its_commit_step(
    db: Database, connection: Connection, setup_session: Session, clerk_a: Actor
) -> None:
    setup_session.flush()
    with recorded_statements(connection) as statements:
        with unit_of_work(db, clerk_a) as uow:
            search_residents(uow, ResidentQuery(kana="ヤマダ"))
            before_commit = list(statements)
        in_commit = statements[len(before_commit) :]

    assert before_commit, "the search ran no statement at all"
    assert not [s for s in before_commit if "access_log" in s]
    head_reads = [s for s in in_commit if _is_head_read(s)]
    if connection.dialect.name == "postgresql":
        assert head_reads and all("FOR UPDATE" in s for s in head_reads)
    assert len(head_reads) in (1, 2)  # 2 only when the head row had to be created first
    assert any(_inserts_access_log_rows(s) for s in in_commit)


def _inserts_access_log_rows(statement: str) -> bool:
    text = " ".join(statement.split()).upper()
    return text.startswith("INSERT INTO ACCESS_LOG ") or text.startswith(
        "WITH APPENDED AS (INSERT INTO ACCESS_LOG "
    )


def _chain_writes(db: Database, connection: Connection, actor: Actor, functions: list[str]) -> list[str]:
    """The statements after the head's lock of a unit of work that logged ``functions`` (one row each)."""
    with unit_of_work(db, actor) as uow:  # the head row exists from here on
        record_access(uow, "warm_up", "view")
    with recorded_statements(connection) as statements, unit_of_work(db, actor) as uow:
        for function in functions:
            record_access(uow, function, "view", ["000000011"])
    locked = max(i for i, s in enumerate(statements) if _is_head_read(s))
    written = [" ".join(s.split()).upper() for s in statements[locked + 1 :]]
    return [s for s in written if "ACCESS_LOG" in s]


@pytest.mark.parametrize("rows", [1, 3])
def test_the_rows_and_the_head_are_written_by_one_statement_on_postgresql(
    db: Database, connection: Connection, setup_session: Session, clerk_a: Actor, rows: int
) -> None:
    setup_session.flush()
    functions = [f"resident_viewed_{n}" for n in range(rows)]
    writes = _chain_writes(db, connection, clerk_a, functions)

    if connection.dialect.name == "postgresql":
        assert len(writes) == 1
        assert writes[0].startswith("WITH APPENDED AS (INSERT INTO ACCESS_LOG ")
        assert "UPDATE ACCESS_LOG_HEAD" in writes[0]
    else:  # SQLite keeps its two statements
        assert [w.split(" ")[0] for w in writes] == ["INSERT", "UPDATE"]
    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["warm_up", *functions]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, rows + 1)
    head = setup_session.get(AccessLogHead, clerk_a.tenant_id, populate_existing=True)
    last = setup_session.scalars(select(AccessLog).where(AccessLog.seq == rows + 1)).one()
    assert (head.last_seq, head.last_hash) == (rows + 1, last.hash)


def test_many_rows_of_one_transaction_are_inserted_together_and_the_head_moved_after(
    db: Database, connection: Connection, setup_session: Session, clerk_a: Actor
) -> None:
    setup_session.flush()
    functions = [f"resident_viewed_{n}" for n in range(MAX_ROWS_WITH_HEAD + 1)]
    writes = _chain_writes(db, connection, clerk_a, functions)

    assert [w.split(" ")[0] for w in writes] == ["INSERT", "UPDATE"]
    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["warm_up", *functions]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, len(functions) + 1)


# --- PostgreSQL, committed data on two connections ---------------------------------------------------------


@pytest.fixture
def committed_pg(database_url: str) -> Iterator[Database]:
    """A schema of its own whose transactions really commit; every lock wait gives up after 2 s."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks between two open transactions: PostgreSQL only (SQLite has one writer)")
    schema = f"audit_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = f"-csearch_path={schema} -clock_timeout=2000"
    engine: Engine = make_engine(database_url, connect_args={"options": options})
    models.Base.metadata.create_all(engine)
    try:
        yield Database(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_clerk(db: Database) -> Actor:
    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    city = factories.make_municipality(session, code="141003", name="横浜市", prefecture="神奈川県")
    clerk = factories.make_user(session, city, login_id="clerk@141003", roles=["clerk"])
    session.commit()
    session.close()
    return factories.actor_for(clerk)


def committed_chain(db: Database, tenant_id: int) -> list[str]:
    with unit_of_work(db, Actor.system(tenant_id)) as uow:
        assert_chain_verifies(uow.session, tenant_id, uow.session.get(AccessLogHead, tenant_id).last_seq)
        return functions_in_chain(uow.session, tenant_id)


def test_an_open_transaction_does_not_hold_up_another_commit_of_the_same_municipality(
    committed_pg: Database,
) -> None:
    clerk = make_clerk(committed_pg)
    with unit_of_work(committed_pg, clerk) as long_one:
        record_access(long_one, "resident_viewed", "view", ["000000011"])
        long_one.session.execute(select(1))  # its transaction is open on its own connection
        with unit_of_work(committed_pg, clerk) as quick_one:
            record_access(quick_one, "resident_searched", "search")
        record_access(long_one, "resident_changed", "change", ["000000011"])

    chain = committed_chain(committed_pg, clerk.tenant_id)
    assert chain == ["resident_searched", "resident_viewed", "resident_changed"]


@pytest.mark.slow
def test_an_open_csv_intake_does_not_hold_up_a_search_of_the_same_municipality(
    committed_pg: Database,
) -> None:
    clerk = make_clerk(committed_pg)
    data = csv_bytes([notice_row("K1"), notice_row("K2", given="次郎")])
    with unit_of_work(committed_pg, clerk) as intake:
        report = import_csv(intake, "change_notice", "kiosk.csv", data)
        assert report.created == 2
        with unit_of_work(committed_pg, clerk) as counter:
            search_residents(counter, ResidentQuery(kana="トリコミ"))

    chain = committed_chain(committed_pg, clerk.tenant_id)
    assert chain[0] == "resident_searched"
    assert chain[-1] == "csv_imported"
