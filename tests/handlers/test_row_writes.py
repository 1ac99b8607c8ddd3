"""New rows written by one Core INSERT (``handlers.row_writes.insert_rows``) end up as the flush would leave
them: the same stored values, persistent and clean in the session, refused for another tenant, and forgotten
with a rolled-back SAVEPOINT.  A prebuilt statement run by ``run_prebuilt`` gives what ``Connection.execute``
gives, is seen by the statement listeners and fails as SQLAlchemy fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, inspect, select, text, update
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import models
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import TenancyError
from handlers.row_writes import _thin, insert_rows, loaded_row, run_prebuilt, run_prebuilt_many, update_rows
from handlers.uow import UnitOfWork, unit_of_work
from tests.statements import recorded_statements


def _household(number: str, **values: Any) -> models.Household:
    return models.Household(household_number=number, address="テスト町1-1", **values)


def _two_households(uow: UnitOfWork) -> None:
    uow.session.add_all([_household("0000000019"), _household("0000000027")])
    uow.session.flush()


def _stored(db: Database, tenant_id: int, number: str) -> dict[str, Any]:
    with unit_of_work(db, Actor.system(tenant_id)) as uow:
        row = uow.session.scalars(
            select(models.Household).where(models.Household.household_number == number)
        ).one()
        return {c.key: getattr(row, c.key) for c in inspect(models.Household).column_attrs if c.key != "id"}


def test_inserted_rows_store_what_the_flush_stores(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        uow.session.add(_household("0000000019", postal_code="2310017"))
        uow.session.flush()
        row = _household("0000000027", postal_code="2310017")
        uow.session.add(row)
        insert_rows(uow.session, [row])
        assert row.id is not None and row.tenant_id == city_a.id and row.version == 1
        assert row.status == "active" and row.address_key == ""  # the Python defaults, as the flush sets
    flushed, inserted = _stored(db, city_a.id, "0000000019"), _stored(db, city_a.id, "0000000027")
    for key in ("household_number", "created_at"):
        flushed.pop(key), inserted.pop(key)
    assert inserted == flushed


def test_inserted_rows_are_persistent_and_clean(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        rows = [_household(f"00000000{n}9") for n in range(3)]
        uow.session.add_all(rows)
        with recorded_statements(uow.session.connection()) as sent:
            insert_rows(uow.session, rows)
            uow.session.flush()  # nothing left to write
        assert {s.split()[0] for s in sent} == {"INSERT"}  # the flush found nothing left to write
        if uow.session.get_bind().dialect.name == "postgresql":
            assert len(sent) == 1  # (SQLite sends one row per INSERT … RETURNING, as the flush does)
        assert all(inspect(r).persistent and not inspect(r).modified for r in rows)
        assert sorted(r.id for r in rows) == [r.id for r in rows]  # keys in the order the rows were given
        assert isinstance(rows[0].created_at, dt.datetime)  # the server default, read back with the key


def test_a_row_of_another_tenant_is_refused(db: Database, city_a, city_b) -> None:
    with pytest.raises(TenancyError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        row = _household("1", tenant_id=city_b.id)
        uow.session.add(row)
        insert_rows(uow.session, [row])


def test_rows_of_a_rolled_back_savepoint_leave_the_session(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        row = _household("0000000019")
        savepoint = uow.session.begin_nested()
        uow.session.add(row)
        insert_rows(uow.session, [row])
        savepoint.rollback()
        assert row not in uow.session
        assert uow.session.scalars(select(models.Household)).all() == []


def test_a_row_the_helper_cannot_write_is_left_to_the_flush(db: Database, city_a) -> None:
    """A many-to-one whose row is not written yet: the flush writes both, in its order."""
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        household = _household("0000000019")
        person = models.Resident(
            atena_number="0000000019", household=household, resident_kind="japanese", status="resident",
            history_no=1, family_name="試験", given_name="太郎", birth_date=dt.date(1980, 1, 1), sex="1",
            relation_to_head="世帯主",
        )  # fmt: skip
        uow.session.add_all([household, person])
        insert_rows(uow.session, [person])
        assert inspect(person).persistent and person.household_id == household.id


def test_only_pending_rows_are_written(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        written = _household("0000000019")
        uow.session.add(written)
        uow.session.flush()
        with recorded_statements(uow.session.connection()) as sent:
            insert_rows(uow.session, [written])
            insert_rows(uow.session, [])
        assert sent == []


def test_a_changed_row_is_updated_with_its_version_and_left_clean(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        row = _household("0000000019")
        uow.session.add(row)
        uow.session.flush()
        row.address, row.postal_code = "テスト町2-2", None  # the second: unchanged (None before)
        with recorded_statements(uow.session.connection()) as sent:
            update_rows(uow.session, [row])
            uow.session.flush()
        assert len(sent) == 1 and sent[0].lstrip().upper().startswith("UPDATE HOUSEHOLD SET ADDRESS=")
        assert row.version == 2 and not inspect(row).modified
    assert _stored(db, city_a.id, "0000000019")["address"] == "テスト町2-2"
    assert _stored(db, city_a.id, "0000000019")["version"] == 2


def test_a_row_changed_by_another_transaction_meanwhile_is_stale(db: Database, city_a) -> None:
    after: list[str] = []
    with pytest.raises(StaleDataError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        row = _household("0000000019")
        uow.session.add(row)
        uow.session.flush()
        households = models.Household.__table__
        uow.session.connection().execute(update(households).values(version=households.c.version + 1))
        row.address = "テスト町2-2"
        update_rows(uow.session, [row])
        after.append("not refused")
    assert after == []


def _delete_the_other(tenant_id: int) -> tuple[Any, dict[str, Any]]:
    households = models.Household.__table__
    statement = households.delete().where(
        households.c.household_number == bindparam("other"), households.c.tenant_id == bindparam("tenant")
    )
    return statement, {"other": "0000000027", "tenant": tenant_id}


def test_a_statement_along_runs_with_the_update_in_one_statement_on_postgresql(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        row = uow.session.scalars(
            select(models.Household).where(models.Household.household_number == "0000000019")
        ).one()
        row.address = "テスト町2-2"
        with recorded_statements(uow.session.connection()) as sent:
            update_rows(uow.session, [row], along=_delete_the_other(city_a.id))
        assert len(sent) == (1 if db.dialect == "postgresql" else 2)
        assert row.version == 2 and not inspect(row).modified
    assert _stored(db, city_a.id, "0000000019")["address"] == "テスト町2-2"
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        assert uow.session.scalars(select(models.Household.household_number)).all() == ["0000000019"]


def test_a_stale_row_refuses_the_statement_along_with_it(db: Database, city_a) -> None:
    with pytest.raises(StaleDataError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        row = uow.session.scalars(
            select(models.Household).where(models.Household.household_number == "0000000019")
        ).one()
        households = models.Household.__table__
        uow.session.connection().execute(update(households).values(version=households.c.version + 1))
        row.address = "テスト町2-2"
        update_rows(uow.session, [row], along=_delete_the_other(city_a.id))
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        assert uow.session.scalars(select(models.Household)).all() == []  # nothing kept: rolled back whole


def test_a_statement_along_with_nothing_to_update_runs_on_its_own(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        update_rows(uow.session, [], along=_delete_the_other(city_a.id))
        assert uow.session.scalars(select(models.Household.household_number)).all() == ["0000000019"]


def test_an_update_of_a_rolled_back_savepoint_is_forgotten(db: Database, city_a) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        row = _household("0000000019")
        uow.session.add(row)
        uow.session.flush()
        savepoint = uow.session.begin_nested()
        row.address = "テスト町2-2"
        update_rows(uow.session, [row])
        savepoint.rollback()
        assert row.address == "テスト町1-1" and row.version == 1  # read again, as after a flushed change


# --- run_prebuilt: a prebuilt statement sent by the driver's cursor (PostgreSQL) --------------------------

_HOUSEHOLDS = models.Household.__table__
_RENUMBER = (
    update(_HOUSEHOLDS)
    .where(_HOUSEHOLDS.c.household_number == bindparam("number"))
    .values(address=bindparam("address"))
    .returning(_HOUSEHOLDS.c.address, _HOUSEHOLDS.c.version)
)


def test_a_prebuilt_statement_gives_its_rows_and_count_and_is_seen_by_the_statement_listeners(
    db: Database, city_a
) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        with recorded_statements(uow.session.connection()) as sent:
            ran = run_prebuilt(uow.session, _RENUMBER, {"number": "0000000019", "address": "テスト町3-3"})
            missed = run_prebuilt(uow.session, _RENUMBER, {"number": "0000000035", "address": "x"})
        assert [tuple(row) for row in ran.rows] == [("テスト町3-3", 1)] and ran.rowcount == 1
        assert ran.scalar_one_or_none() == "テスト町3-3"
        assert (list(missed.rows), missed.rowcount, missed.scalar_one_or_none()) == ([], 0, None)
        assert len(sent) == 2 and all(s.lstrip().upper().startswith("UPDATE HOUSEHOLD SET") for s in sent)
    assert _stored(db, city_a.id, "0000000019")["address"] == "テスト町3-3"


def test_a_database_error_of_a_prebuilt_statement_is_raised_as_sqlalchemy_raises_it(
    db: Database, city_a
) -> None:
    duplicate = update(_HOUSEHOLDS).values(household_number=bindparam("number"))
    with pytest.raises(IntegrityError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        run_prebuilt(uow.session, duplicate, {"number": "0000000035"})  # both rows: one number twice


def test_a_statement_sqlalchemy_must_complete_is_left_to_it() -> None:
    """A column left out whose Python default the execution computes, or a value to expand: not sent by the
    cursor (``Connection.execute`` runs it); a statement given every column is."""
    dialect = PGDialect_psycopg()
    statement = insert(_HOUSEHOLDS)
    every = tuple(c.key for c in _HOUSEHOLDS.columns if c.key != "id")
    assert _thin(statement, dialect, every) is not None
    assert _thin(statement, dialect, tuple(k for k in every if k != "status")) is None  # default="active"
    expanding = update(_HOUSEHOLDS).where(_HOUSEHOLDS.c.id.in_(bindparam("ids", expanding=True)))
    assert _thin(expanding.values(address=bindparam("address")), dialect, ("ids", "address")) is None
    assert _thin(statement, SQLiteDialect_pysqlite(), every) is None  # other databases: always


def test_prebuilt_rows_are_written_with_one_statement_the_listeners_see(db: Database, city_a) -> None:
    numbers = ["0000000019", "0000000027", "0000000035"]
    rows = [{"tenant_id": city_a.id, "household_number": n, "address": "テスト町1-1", "status": "active",
             "address_key": "", "version": 1} for n in numbers]  # fmt: skip
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        with recorded_statements(uow.session.connection()) as sent:
            run_prebuilt_many(uow.session, insert(_HOUSEHOLDS), rows)
        assert len(sent) == 1 and sent[0].lstrip().upper().startswith("INSERT INTO HOUSEHOLD")
    assert [_stored(db, city_a.id, n)["household_number"] for n in numbers] == numbers


def test_a_database_error_of_prebuilt_rows_is_raised_as_sqlalchemy_raises_it(db: Database, city_a) -> None:
    row = {"tenant_id": city_a.id, "household_number": "0000000019", "address": "テスト町1-1",
           "status": "active", "address_key": "", "version": 1}  # fmt: skip
    with pytest.raises(IntegrityError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        run_prebuilt_many(uow.session, insert(_HOUSEHOLDS), [row, dict(row)])  # one number twice


_ADDRESS_OF = select(_HOUSEHOLDS.c.address, _HOUSEHOLDS.c.version).where(
    _HOUSEHOLDS.c.household_number == bindparam("number")
)
_COUNT_LIKE = text("SELECT count(*) FROM household WHERE household_number LIKE :prefix")


def test_a_prebuilt_select_or_text_statement_gives_its_rows_as_connection_execute_does(
    db: Database, city_a
) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        with recorded_statements(uow.session.connection()) as sent:
            read = run_prebuilt(uow.session, _ADDRESS_OF, {"number": "0000000019"})
            counted = run_prebuilt(uow.session, _COUNT_LIKE, {"prefix": "00000000%"})
        assert [tuple(row) for row in read.rows] == [("テスト町1-1", 1)]
        assert counted.scalar_one_or_none() == 2
        assert len(sent) == 2
    postgresql = PGDialect_psycopg()
    assert _thin(_ADDRESS_OF, postgresql, ("number",)) is not None  # sent by the cursor on PostgreSQL
    assert _thin(_COUNT_LIKE, postgresql, ("prefix",)) is not None


def test_several_rows_store_what_the_flush_stores_each_with_its_own_key(db: Database, city_a) -> None:
    """Several rows in one INSERT (on PostgreSQL the prebuilt ``INSERT … SELECT … FROM (VALUES …)``): each
    row's values, NULLs of every type and its server default as the flush stores them, its key its own."""
    given = [("0000000027", "2310017", None), ("0000000035", None, "1-1-1"), ("0000000043", "2310018", "2")]
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        for number, postal_code, katagaki in given:
            uow.session.add(_household(f"9{number[1:]}", postal_code=postal_code, address_katagaki=katagaki))
        uow.session.flush()
        rows = [_household(n, postal_code=p, address_katagaki=k) for n, p, k in given]
        uow.session.add_all(rows)
        with recorded_statements(uow.session.connection()) as sent:
            insert_rows(uow.session, rows)
        if uow.session.get_bind().dialect.name == "postgresql":
            assert len(sent) == 1 and "FROM (VALUES" in sent[0]
        ids = {r.household_number: r.id for r in rows}
    for number, _postal_code, _katagaki in given:
        inserted, flushed = _stored(db, city_a.id, number), _stored(db, city_a.id, f"9{number[1:]}")
        assert isinstance(inserted.pop("created_at"), dt.datetime)
        flushed.pop("created_at")
        assert (
            inserted.pop("household_number") == number and flushed.pop("household_number") == f"9{number[1:]}"
        )
        assert inserted == flushed
        with unit_of_work(db, Actor.system(city_a.id)) as uow:
            stored_id = uow.session.scalar(
                select(models.Household.id).where(models.Household.household_number == number)
            )
        assert stored_id == ids[number]  # each object got the key of its own row


def test_a_loaded_row_is_what_a_query_gives_and_writes_its_changes_as_one(db: Database, city_a) -> None:
    """``loaded_row``: every column loaded and committed, the session's own row for a key it holds, and a
    later change written by the flush with the version check, like a row a query loaded."""
    table = models.Household.__table__
    every = select(*table.columns).where(table.c.household_number == bindparam("number"))
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        held = _household("0000000019", postal_code="2310017")
        uow.session.add_all([held, _household("0000000027", address_katagaki="2階")])
        uow.session.flush()
        assert (
            loaded_row(
                uow.session,
                models.Household,
                run_prebuilt(uow.session, every, {"number": "0000000019"}).rows[0],
            )
            is held
        )
        uow.session.expunge_all()
        [row] = run_prebuilt(uow.session, every, {"number": "0000000027"}).rows
        loaded = loaded_row(uow.session, models.Household, row)
        state = inspect(loaded)
        assert state.persistent and not state.modified and not state.expired_attributes - {"members", "head"}
        queried = {c.key: getattr(loaded, c.key) for c in inspect(models.Household).column_attrs}
        uow.session.expunge(loaded)
        again = uow.session.scalars(select(models.Household).where(models.Household.id == loaded.id)).one()
        assert {c.key: getattr(again, c.key) for c in inspect(models.Household).column_attrs} == queried
        uow.session.expunge(again)
        loaded = loaded_row(uow.session, models.Household, row)
        loaded.address = "テスト町9-9"
        with recorded_statements(uow.session.connection()) as sent:
            uow.session.flush()
        assert len(sent) == 1 and "version" in sent[0]
    assert _stored(db, city_a.id, "0000000027")["address"] == "テスト町9-9"
    assert _stored(db, city_a.id, "0000000027")["version"] == 2


def test_the_driver_cursor_is_kept_with_its_connection_and_replaced_after_an_error(
    db: Database, city_a
) -> None:
    """On PostgreSQL ``run_prebuilt`` sends every statement of a connection by one kept cursor; a statement
    that fails closes it (as SQLAlchemy closes a failed statement's cursor) and the next one gets a new one."""
    seen: list[Any] = []

    def remember(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if "SAVEPOINT" not in statement:
            seen.append(cursor)  # the prebuilt statements' cursors

    count = text("SELECT count(*) FROM household WHERE household_number LIKE :prefix")
    duplicate = update(_HOUSEHOLDS).values(household_number=bindparam("number"))
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        _two_households(uow)
        connection = uow.session.connection()
        if connection.dialect.name != "postgresql":
            pytest.skip("SQLite's statements go through Connection.execute")
        sqlalchemy_event.listen(connection, "before_cursor_execute", remember)
        try:
            run_prebuilt(uow.session, count, {"prefix": "0%"})
            run_prebuilt(uow.session, count, {"prefix": "00%"})
            with pytest.raises(IntegrityError), uow.session.begin_nested():
                run_prebuilt(uow.session, duplicate, {"number": "0000000035"})
            assert run_prebuilt(uow.session, count, {"prefix": "0%"}).scalar_one_or_none() == 2
        finally:
            sqlalchemy_event.remove(connection, "before_cursor_execute", remember)
    assert len(seen) == 4
    assert seen[0] is seen[1] is seen[2] and seen[2].closed  # one cursor, closed by the failed statement
    assert seen[3] is not seen[0] and not seen[3].closed
