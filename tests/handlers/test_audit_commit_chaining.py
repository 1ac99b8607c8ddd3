"""Access-log rows are chained when their transaction commits (j1370): seq follows commit order, rows of a
rolled-back SAVEPOINT or transaction never reach the chain, and the chain head is locked only in the commit
step, so a transaction left open (a long CSV intake) does not hold up the municipality's other requests."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import models
from handlers import audit
from handlers.audit import (
    GENESIS_HASH,
    MAX_ROWS_IN_ONE_STATEMENT,
    _canonical,
    append,
    canonical_around_link,
    flush_pending,
    record_access,
    row_hash,
)
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
    text = " ".join(statement.split()).upper()
    return "FROM ACCESS_LOG_HEAD" in text and text.startswith(("SELECT", "WITH HEAD AS"))


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
    assert any("INSERT INTO ACCESS_LOG " in " ".join(s.split()).upper() for s in in_commit)


def _chain_writes(db: Database, connection: Connection, actor: Actor, functions: list[str]) -> list[str]:
    """The access-log statements of a unit of work that logged ``functions`` (one row each), once the
    tenant's head exists."""
    with unit_of_work(db, actor) as uow:
        record_access(uow, "warm_up", "view")
    with recorded_statements(connection) as statements, unit_of_work(db, actor) as uow:
        for function in functions:
            record_access(uow, function, "view", ["000000011"])
    written = [" ".join(s.split()).upper() for s in statements]
    return [s for s in written if "ACCESS_LOG" in s]


@pytest.mark.parametrize("rows", [1, 3])
def test_a_few_rows_are_chained_by_one_statement_on_postgresql(
    db: Database, connection: Connection, setup_session: Session, clerk_a: Actor, rows: int
) -> None:
    setup_session.flush()
    functions = ["resident_viewed", "resident_changed", "certificate_printed"][:rows]
    writes = _chain_writes(db, connection, clerk_a, functions)

    if connection.dialect.name == "postgresql":
        (statement,) = writes
        assert statement.startswith("WITH HEAD AS") and "FOR UPDATE" in statement
        assert "INSERT INTO ACCESS_LOG " in statement and "UPDATE ACCESS_LOG_HEAD" in statement
    else:  # SQLite keeps its three statements
        assert [w.split(" ")[0] for w in writes] == ["SELECT", "INSERT", "UPDATE"]
    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["warm_up", *functions]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, rows + 1)
    head = setup_session.get(AccessLogHead, clerk_a.tenant_id, populate_existing=True)
    last = setup_session.scalars(select(AccessLog).where(AccessLog.seq == rows + 1)).one()
    assert (head.last_seq, head.last_hash) == (rows + 1, last.hash)
    assert last.hash == row_hash(last)


def test_many_rows_of_one_transaction_are_inserted_together_and_the_head_moved_after(
    db: Database, connection: Connection, setup_session: Session, clerk_a: Actor
) -> None:
    setup_session.flush()
    functions = [f"resident_viewed_{n}" for n in range(MAX_ROWS_IN_ONE_STATEMENT + 1)]
    writes = _chain_writes(db, connection, clerk_a, functions)

    assert [w.split(" ")[0] for w in writes] == ["SELECT", "INSERT", "UPDATE"]
    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["warm_up", *functions]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, len(functions) + 1)


ODD_DETAILS = [
    {},
    {"note": '","seq":1,"prev_hash":"', "nested": {"z": [1, None, True], "a": "全角　スペース"}},
    {"text": '改行\nとタブ\tと引用符"と\\', "emoji": "𠮷野家"},
]


@pytest.mark.parametrize("detail", ODD_DETAILS)
def test_the_text_around_the_link_makes_the_canonical_form(detail: dict[str, object]) -> None:
    row = AccessLog(
        tenant_id=7, seq=12345, occurred_at=dt.datetime(2026, 11, 27, 1, 2, 3, 4567, tzinfo=dt.UTC),
        user_id=None, login_id="clerk", client_address="127.0.0.1", terminal=None, function="resident_viewed",
        action="view", targets=["000000011", "000000029"], my_number_shown=True, detail=detail,
        prev_hash="ab" * 32,
    )  # fmt: skip
    before, between, after = canonical_around_link(row)

    assert (before + row.prev_hash + between + str(row.seq) + after).encode() == _canonical(row)
    reference = {key: getattr(row, key) for key in ("tenant_id", "seq", "user_id", "login_id", "client_address",
                 "terminal", "function", "action", "my_number_shown", "detail", "prev_hash")}  # fmt: skip
    reference.update(occurred_at="2026-11-27T01:02:03.004567+00:00", targets=list(row.targets))
    assert (
        _canonical(row)
        == json.dumps(reference, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )


@pytest.mark.parametrize("detail", ODD_DETAILS)
def test_a_row_the_database_hashed_verifies(
    db: Database, setup_session: Session, clerk_a: Actor, detail: dict[str, object]
) -> None:
    setup_session.flush()
    for function in ("resident_viewed", "resident_searched"):
        with unit_of_work(db, clerk_a) as uow:
            record_access(uow, function, "view", ["000000011"], detail=detail)

    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["resident_viewed", "resident_searched"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 2)
    for row in setup_session.scalars(select(AccessLog).where(AccessLog.tenant_id == clerk_a.tenant_id)):
        assert row.detail == detail and row.hash == row_hash(row)


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


def test_a_row_waiting_for_the_head_links_to_the_row_written_meanwhile(committed_pg: Database) -> None:
    """The one-statement append locks the head and reads its newest version after the wait: the rows of two
    transactions of one municipality committing at once chain in commit order."""
    import threading

    clerk = make_clerk(committed_pg)
    with unit_of_work(committed_pg, clerk) as uow:
        record_access(uow, "warm_up", "view")
    waiting = threading.Event()

    def second() -> None:
        with unit_of_work(committed_pg, clerk) as uow:
            record_access(uow, "resident_searched", "search")
            waiting.set()  # its commit step now waits for the first transaction's head

    with unit_of_work(committed_pg, clerk) as first:
        record_access(first, "resident_viewed", "view", ["000000011"])
        flush_pending(first.session)  # chained: the head stays locked until this transaction ends
        thread = threading.Thread(target=second)
        thread.start()
        waiting.wait(5)
        thread.join(0.5)
        assert thread.is_alive()  # held up by the head lock
    thread.join(5)

    assert committed_chain(committed_pg, clerk.tenant_id) == [
        "warm_up",
        "resident_viewed",
        "resident_searched",
    ]


def test_a_hash_the_database_computed_otherwise_refuses_the_commit(
    db: Database,
    connection: Connection,
    setup_session: Session,
    clerk_a: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("the database hashes the rows on PostgreSQL only")
    setup_session.flush()
    with unit_of_work(db, clerk_a) as uow:
        record_access(uow, "warm_up", "view")

    def shifted(row: AccessLog) -> tuple[str, str, str]:
        before, between, after = canonical_around_link(row)
        return before + " ", between, after

    monkeypatch.setattr(audit, "canonical_around_link", shifted)
    with pytest.raises(RuntimeError, match="would not verify"), unit_of_work(db, clerk_a) as uow:
        record_access(uow, "resident_viewed", "view", ["000000011"])

    assert functions_in_chain(setup_session, clerk_a.tenant_id) == ["warm_up"]
    assert_chain_verifies(setup_session, clerk_a.tenant_id, 1)
