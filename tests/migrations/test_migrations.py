"""The Alembic migrations build exactly the schema the models describe, on the suite's database engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url

from handlers import migrations
from handlers.db import make_engine
from handlers.synthetic import bulk_load
from models.resident import Resident
from tests.pg_available import ensure_database


@pytest.fixture
def fresh_url(database_url: str, tmp_path) -> Iterator[str]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    target = url.set(database=f"{url.database}_migrations")
    rendered = target.render_as_string(hide_password=False)
    assert ensure_database(rendered)
    engine = make_engine(rendered)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield rendered


def _add_municipality(conn: Connection) -> int:
    """横浜市, written with plain SQL (the models may be ahead of the revision under test)."""
    conn.execute(text(
        "INSERT INTO municipality (code, name, prefecture, kind, settings) "
        "VALUES ('141003', '横浜市', '神奈川県', 'designated_city', '{}')"
    ))  # fmt: skip
    return int(conn.execute(text("SELECT id FROM municipality")).scalar_one())


@contextmanager
def _later_resident_columns(engine: Engine) -> Iterator[None]:
    """The resident columns that later revisions add, present (nullable, SQLite) while the current bulk loader
    writes a register into an older schema, and dropped again so the later revisions can add them."""
    present = {column["name"] for column in inspect(engine).get_columns("resident")}
    later = [column for column in Resident.__table__.columns if column.name not in present]
    with engine.begin() as conn:
        for column in later:
            conn.execute(
                text(f"ALTER TABLE resident ADD COLUMN {column.name} {column.type.compile(engine.dialect)}")
            )
    yield
    with engine.begin() as conn:
        for column in later:
            conn.execute(text(f"ALTER TABLE resident DROP COLUMN {column.name}"))


@pytest.mark.slow
def test_upgrade_to_head_matches_the_models(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)  # raises if autogenerate would find any difference
    engine = make_engine(fresh_url)
    assert "resident_history" in inspect(engine).get_table_names()
    engine.dispose()


@pytest.mark.slow
@pytest.mark.req("j1370", "j300")
def test_the_migrated_access_log_and_issuance_history_are_protected_by_triggers(fresh_url: str) -> None:
    migrations.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        names = {
            row[0]
            for row in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                if engine.dialect.name == "sqlite"
                else text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            )
        }
    engine.dispose()
    assert any(name.startswith("access_log_") for name in names)
    assert any(name.startswith("certificate_issuance_") for name in names)  # j300: issuance history kept


def _snapshot_type_and_head_link(url: str) -> tuple[str, bool]:
    engine = make_engine(url)
    with engine.connect() as conn:
        kind = conn.execute(text(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'resident_history'::regclass AND attname = 'snapshot'"
        )).scalar_one()  # fmt: skip
        deferrable = conn.execute(text(
            "SELECT condeferrable FROM pg_constraint WHERE conname = 'fk_household_head_resident_id_resident'"
        )).scalar_one()  # fmt: skip
    engine.dispose()
    return str(kind), bool(deferrable)


@pytest.mark.slow
def test_migration_0006_stores_snapshots_as_json_with_a_deferrable_head_link_and_goes_back(
    fresh_url: str,
) -> None:
    if make_url(fresh_url).get_backend_name() != "postgresql":
        pytest.skip("0006 changes the column type and the constraint on PostgreSQL only")
    migrations.upgrade(fresh_url, "0005")
    assert _snapshot_type_and_head_link(fresh_url) == ("jsonb", False)
    migrations.upgrade(fresh_url)
    assert _snapshot_type_and_head_link(fresh_url) == ("json", True)
    command.downgrade(migrations.alembic_config(fresh_url), "0005")
    assert _snapshot_type_and_head_link(fresh_url) == ("jsonb", False)
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)


@pytest.mark.slow
def test_migration_0006_keeps_a_populated_register_and_its_links(fresh_url: str) -> None:
    """On SQLite 0006 copies the household table (batch mode) while residents point at it."""
    if make_url(fresh_url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL alters the constraint in place; its bulk loader needs 0006 already")
    migrations.upgrade(fresh_url, "0005")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        tenant_id = _add_municipality(conn)
    with _later_resident_columns(engine):
        report = bulk_load(engine, tenant_id, 200, seed=3)
    engine.dispose()
    migrations.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        households, heads = conn.execute(
            text("SELECT count(*), count(head_resident_id) FROM household")
        ).one()
        residents = conn.execute(text("SELECT count(*) FROM resident")).scalar_one()
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()
    assert (households, heads, residents) == (report.households, report.households, 200)


@pytest.mark.slow
def test_migration_0008_draws_an_order_for_the_codes_already_in_the_pool_and_goes_back(
    fresh_url: str,
) -> None:
    migrations.upgrade(fresh_url, "0007")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        tenant_id = _add_municipality(conn)
        for n in range(50):
            conn.execute(
                text("INSERT INTO resident_code_pool_entry (code, taken, tenant_id, created_at) "
                     "VALUES (:code, :taken, :tenant, CURRENT_TIMESTAMP)"),
                {"code": f"{10_000_000_000 + n}", "taken": n % 5 == 0, "tenant": tenant_id},
            )  # fmt: skip
    engine.dispose()
    migrations.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT draw_key FROM resident_code_pool_entry ORDER BY id")).scalars().all()
        indexes = {i["name"] for i in inspect(conn).get_indexes("resident_code_pool_entry")}
    engine.dispose()
    assert len(keys) == 50 and None not in keys and len(set(keys)) > 40  # drawn, not numbered
    assert keys != sorted(keys)
    assert "ix_resident_code_pool_draw" in indexes and "ix_resident_code_pool_free" not in indexes
    command.downgrade(migrations.alembic_config(fresh_url), "0007")
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM resident_code_pool_entry")).scalar_one() == 50
        assert "draw_key" not in {c["name"] for c in inspect(conn).get_columns("resident_code_pool_entry")}
    engine.dispose()
    migrations.upgrade(fresh_url)
    migrations.check(fresh_url)
