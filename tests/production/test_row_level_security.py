"""The database's own tenant wall: PostgreSQL row-level security as the non-owner application role.

The suite itself connects as the tables' owner (superuser ``postgres``), for whom PostgreSQL bypasses row-level
security; these tests switch the per-test transaction to a non-owner role (``SET LOCAL ROLE``) made with the
same grants as ``jumin db create-app-role``, so everything they create is rolled back with the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

import models
from handlers import rls
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories
from tests.statements import recorded_statements

pytestmark = pytest.mark.req("j1410")


@pytest.fixture
def pg_connection(connection: Connection) -> Connection:
    if connection.dialect.name != "postgresql":
        pytest.skip("row-level security exists on PostgreSQL only (SQLite keeps the ORM wall alone)")
    return connection


@pytest.fixture
def two_cities(setup_session: Session, city_a: models.Municipality, city_b: models.Municipality) -> dict:
    rows = {}
    for city, base in ((city_a, 100), (city_b, 200)):
        household = factories.make_household_row(setup_session, city, number=base)
        rows[city.id] = [
            factories.make_resident_row(setup_session, household, number=base + i) for i in (1, 2)
        ]
    setup_session.flush()
    return rows


@pytest.fixture
def as_app_role(pg_connection: Connection, two_cities: dict) -> Iterator[Connection]:
    """The per-test transaction, from here on as a non-owner role with DML grants only."""
    database = pg_connection.execute(text("SELECT current_database()")).scalar_one()
    role = f"jumin_rls_{database}"[:63]
    rls.create_app_role(pg_connection, role)
    pg_connection.execute(text(f"SET LOCAL ROLE {role}"))
    # the arranging session (cross-tenant) set app.cross_tenant in this same transaction: clear it
    pg_connection.execute(text("RESET app.cross_tenant"))
    pg_connection.execute(text("RESET app.tenant_id"))
    yield pg_connection


def _set_tenant(conn: Connection, tenant_id: int | None) -> None:
    rls.scope_transaction(conn, tenant_id, cross_tenant=False)


def test_every_tenant_scoped_table_has_the_policy(pg_connection: Connection) -> None:
    state = rls.row_level_security_state(pg_connection)
    assert rls.tenant_scoped_tables()
    assert {t: state.get(t) for t in rls.tenant_scoped_tables()} == dict.fromkeys(
        rls.tenant_scoped_tables(), True
    )
    assert state["municipality"] is False  # the tenants themselves are not tenant data


def test_the_app_role_sees_only_the_tenant_set_for_the_transaction(
    as_app_role: Connection, two_cities: dict, city_a: models.Municipality
) -> None:
    _set_tenant(as_app_role, city_a.id)
    rows = as_app_role.execute(text("SELECT tenant_id, atena_number FROM resident")).all()
    assert sorted(r.atena_number for r in rows) == sorted(r.atena_number for r in two_cities[city_a.id])
    assert {r.tenant_id for r in rows} == {city_a.id}


def test_with_no_tenant_set_the_app_role_sees_no_rows(as_app_role: Connection) -> None:
    assert as_app_role.execute(text("SELECT count(*) FROM resident")).scalar_one() == 0
    _set_tenant(as_app_role, None)  # set, then emptied: reads '' rather than NULL
    assert as_app_role.execute(text("SELECT count(*) FROM resident")).scalar_one() == 0
    assert as_app_role.execute(text("SELECT count(*) FROM household")).scalar_one() == 0


def test_the_app_role_cannot_write_a_row_of_another_tenant(
    as_app_role: Connection, two_cities: dict, city_a: models.Municipality, city_b: models.Municipality
) -> None:
    _set_tenant(as_app_role, city_a.id)
    household_b = two_cities[city_b.id][0].household_id
    as_app_role.execute(text("SAVEPOINT before_insert"))
    with pytest.raises(ProgrammingError, match="row-level security"):
        as_app_role.execute(
            text(
                "INSERT INTO resident (tenant_id, atena_number, household_id, household_order, resident_kind, "
                "status, history_no, name_kana_confirmed) VALUES (:t, '9999999999', :h, 1, 'japanese', "
                "'resident', 0, false)"
            ),
            {"t": city_b.id, "h": household_b},
        )
    as_app_role.execute(text("ROLLBACK TO SAVEPOINT before_insert"))
    updated = as_app_role.execute(
        text("UPDATE resident SET family_name = '改ざん' WHERE tenant_id = :t"), {"t": city_b.id}
    )
    assert updated.rowcount == 0  # B's rows are invisible, so not even found


def test_cross_tenant_system_transactions_see_every_tenant(as_app_role: Connection, two_cities: dict) -> None:
    rls.scope_transaction(as_app_role, None, cross_tenant=True)
    assert as_app_role.execute(text("SELECT count(DISTINCT tenant_id) FROM resident")).scalar_one() == 2


def test_the_app_role_cannot_change_the_schema_or_policies(as_app_role: Connection) -> None:
    as_app_role.execute(text("SAVEPOINT ddl"))
    with pytest.raises(ProgrammingError, match="must be owner"):
        as_app_role.execute(text("ALTER TABLE resident DISABLE ROW LEVEL SECURITY"))
    as_app_role.execute(text("ROLLBACK TO SAVEPOINT ddl"))


def test_the_unit_of_work_sets_the_tenant_for_the_database(
    db: Database, clerk_a: Actor, two_cities: dict, city_a: models.Municipality, as_app_role: Connection
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        setting = uow.session.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar_one()
        raw = uow.session.execute(text("SELECT DISTINCT tenant_id FROM resident")).scalars().all()
        orm = uow.session.scalars(select(models.Resident.tenant_id).distinct()).all()
    assert setting == str(city_a.id)
    assert raw == [city_a.id] and orm == [city_a.id]
    with unit_of_work(db, Actor.system(0, "batch"), cross_tenant=True) as uow:
        assert uow.session.execute(text("SELECT count(DISTINCT tenant_id) FROM resident")).scalar_one() == 2


def test_a_session_bound_to_a_tenant_mid_transaction_is_rescoped(
    as_app_role: Connection, db: Database, two_cities: dict, city_b: models.Municipality
) -> None:
    from handlers.tenancy import bind_session

    session = db.sessionmaker()
    try:
        session.execute(text("SELECT 1"))  # the transaction has begun with no tenant
        assert session.execute(text("SELECT count(*) FROM resident")).scalar_one() == 0
        bind_session(session, city_b.id)
        assert session.execute(text("SELECT count(*) FROM resident")).scalar_one() == 2
    finally:
        session.rollback()
        session.close()


def test_savepoints_keep_the_transactions_tenant_and_a_rescope_undone_by_a_rollback_is_redone(
    as_app_role: Connection,
    db: Database,
    two_cities: dict,
    city_a: models.Municipality,
    city_b: models.Municipality,
) -> None:
    from handlers.tenancy import bind_session

    def visible(session: Session) -> set[int]:
        return set(session.execute(text("SELECT DISTINCT tenant_id FROM resident")).scalars())

    session = db.sessionmaker()
    try:
        with recorded_statements(as_app_role.engine) as sent:
            bind_session(session, city_a.id)
            assert visible(session) == {city_a.id}
            with session.begin_nested():  # inherits the tenant: no second set_config
                assert visible(session) == {city_a.id}
            assert len([s for s in sent if "set_config" in s]) == 1
            savepoint = session.begin_nested()
            bind_session(session, city_b.id)  # rescoped inside the SAVEPOINT …
            assert visible(session) == {city_b.id}
            savepoint.rollback()  # … which the rollback undoes in the database, not in the session
            with session.begin_nested():  # so the next SAVEPOINT scopes again, to the session's tenant
                assert visible(session) == {city_b.id}
    finally:
        session.rollback()
        session.close()


@pytest.mark.slow
def test_migration_0003_puts_the_policy_on_every_tenant_scoped_table(pg_connection: Connection) -> None:
    from sqlalchemy.engine import make_url

    from handlers import migrations
    from handlers.db import make_engine
    from tests.pg_available import ensure_database

    url = make_url(str(pg_connection.engine.url.render_as_string(hide_password=False)))
    target = url.set(database=f"{url.database}_rls_migrated").render_as_string(hide_password=False)
    assert ensure_database(target)
    engine = make_engine(target)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(target)
        with engine.connect() as conn:
            state = rls.row_level_security_state(conn)
            # 0001 is regenerated from the models by the lead; check the tenant tables it creates today
            present = [t for t in rls.tenant_scoped_tables() if t in state]
            assert "resident" in present and "access_log" in present
            assert all(state[t] for t in present)
        from alembic import command

        command.downgrade(migrations.alembic_config(target), "0002")
        with engine.connect() as conn:
            assert not any(rls.row_level_security_state(conn).values())
    finally:
        engine.dispose()


def test_a_kana_search_can_use_the_index_under_row_level_security(as_app_role: Connection) -> None:
    """Under a policy PostgreSQL turns only leakproof operators into index conditions: LIKE (textlike) is not
    leakproof, the text comparisons are.  So the search must carry the byte range, not only the LIKE (the plan
    itself depends on the table's statistics; bench/RESULTS.md shows the 1M-register effect)."""
    from sqlalchemy.dialects import postgresql

    from handlers.residents.search import ResidentQuery, _statement

    leakproof = dict(
        as_app_role.execute(
            text(
                "SELECT proname, proleakproof FROM pg_proc WHERE proname IN ('textlike', 'text_ge', 'text_lt')"
            )
        ).all()
    )
    assert leakproof == {"textlike": False, "text_ge": True, "text_lt": True}
    shape, values = _statement(ResidentQuery(kana="ヤマ"))
    sql = str(
        shape.params(values).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    assert "resident.kana_key >= 'ヤマ'" in sql and "resident.kana_key < 'ヤマ\U0010ffff'" in sql


@pytest.mark.req("j1120")
def test_the_app_role_writes_a_cases_outbox_rows_in_one_statement_for_its_tenant_only(
    db: Database,
    clerk_a: Actor,
    two_cities: dict,
    city_a: models.Municipality,
    city_b: models.Municipality,
    as_app_role: Connection,
) -> None:
    """The numbered outbox messages and the rows keeping the 送付先情報 (one statement: counters, messages,
    kept rows) pass the policy as the application role, and stay invisible to another tenant."""
    from sqlalchemy import Table

    from handlers.row_batches import insert_batches
    from handlers.sequences import take_next

    sent_table = models.CardDestinationSent.__table__
    assert isinstance(sent_table, Table)
    outbox = models.OutboxMessage.__table__
    assert isinstance(outbox, Table)
    message = {"tenant_id": city_a.id, "case_id": None, "destination": "cs", "kind": "card_destination",
               "payload": {"n": 1}, "idempotency_key": "rls:1", "seq": 1, "status": "pending", "attempts": 0}  # fmt: skip
    kept = {"tenant_id": city_a.id, "atena_number": "0000000019", "resident_code": None, "trigger": "change",
            "case_id": None, "outbox_key": "rls:1", "address": "横浜市", "address_katagaki": None,
            "postal_code": None, "is_residence": False}  # fmt: skip
    with unit_of_work(db, clerk_a) as uow:
        take_next(uow.session, "outbox:cs")
        with recorded_statements(uow.session.connection()) as sent:
            insert_batches(uow.session, [(outbox, [message]), (sent_table, [kept])])
        assert len(sent) == 1
        assert uow.session.execute(text("SELECT count(*) FROM card_destination_sent")).scalar_one() == 1
    _set_tenant(as_app_role, city_b.id)
    assert as_app_role.execute(text("SELECT count(*) FROM outbox_message")).scalar_one() == 0
    assert as_app_role.execute(text("SELECT count(*) FROM card_destination_sent")).scalar_one() == 0
