"""Backups: a populated database dumped with pg_dump (custom format) and restored with pg_restore into a fresh
database keeps every row, the row-level security policies and an intact access-log hash chain
(docs/operations.md describes the same procedure)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

import models
from bench import cluster
from handlers import cases, rls
from handlers.audit_verify import verify_all
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
COUNTED = ("resident", "household", "resident_history", "access_log", "case", "case_task", "outbox_message",
           "certificate_issuance", "app_user", "resident_code_pool_entry")  # fmt: skip


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def source_and_target(database_url: str) -> Iterator[tuple[str, str]]:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("pg_dump / pg_restore are PostgreSQL tools (SQLite: sqlite3 db '.backup file')")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore are not installed")
    base, suffix = make_url(database_url), uuid.uuid4().hex[:8]
    urls = [base.set(database=f"{base.database}_{kind}_{suffix}").render_as_string(hide_password=False)
            for kind in ("dump", "restored")]  # fmt: skip
    cluster.create_database(urls[0])
    try:
        yield urls[0], urls[1]
    finally:
        for url in urls:
            cluster.drop_database(url)


def _populate(db: Database, count: int) -> None:
    world = cluster.seed_world(db, codes=count * 2 + 200, receiver=None)
    with unit_of_work(db, Actor.system(0, "test"), cross_tenant=True) as uow:
        users = {u.roles[0]: u for u in uow.session.scalars(select(models.User))}
    clerk, supervisor = (
        Actor(
            tenant_id=world.tenant_id, login_id=users[r].login_id, user_id=users[r].id, roles=frozenset({r})
        )
        for r in ("clerk", "supervisor")
    )
    for serial in range(count):
        with unit_of_work(db, clerk) as uow:
            case_id = cases.open_case(uow, "move_in", cluster.move_in_intake(serial)).id
        with unit_of_work(db, supervisor) as uow:
            task = uow.session.scalars(select(models.CaseTask.id).where(
                models.CaseTask.case_id == case_id, models.CaseTask.bpmn_id == "review_move_in")).one()  # fmt: skip
            cases.approve(uow, task, [])


def _counts(db: Database) -> dict[str, int]:
    with unit_of_work(db, Actor.system(0, "test"), cross_tenant=True) as uow:
        return {
            t: int(uow.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()) for t in COUNTED
        }


def _chain(db: Database) -> dict[str, tuple[bool, int]]:
    with unit_of_work(db, Actor.system(0, "test"), cross_tenant=True) as uow:
        return {code: (r.ok, r.rows_checked) for code, r in verify_all(uow.session).items()}


@pytest.mark.req("j1370")
def test_a_dump_restored_into_a_fresh_database_keeps_rows_and_the_access_log_chain(
    source_and_target: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = source_and_target
    source = Database.from_url(source_url)
    _populate(source, 4)
    before, chain_before = _counts(source), _chain(source)
    assert before["resident"] == 8 and before["access_log"] > 8
    assert chain_before == {"141003": (True, before["access_log"])}

    dump = tmp_path / "jumin.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(dump), _libpq(source_url)], check=True, timeout=120
    )
    admin = Database.from_url(
        make_url(target_url).set(database="postgres").render_as_string(hide_password=False)
    )
    with admin.bind.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{make_url(target_url).database}"'))
    admin.bind.dispose()
    subprocess.run(["pg_restore", "--exit-on-error", "--no-owner", "--dbname", _libpq(target_url), str(dump)],
                   check=True, timeout=120)  # fmt: skip

    restored = Database.from_url(target_url)
    assert _counts(restored) == before
    assert _chain(restored) == chain_before
    with restored.bind.connect() as conn:
        state = rls.row_level_security_state(conn)
    assert all(state[t] for t in rls.tenant_scoped_tables())
    source.bind.dispose()
    restored.bind.dispose()


def test_a_tampered_restore_is_caught_by_the_chain(source_and_target: tuple[str, str]) -> None:
    source_url, _ = source_and_target
    db = Database.from_url(source_url)
    _populate(db, 1)
    with db.bind.begin() as conn:  # what an edited dump would carry: one access-log row changed
        conn.execute(text("ALTER TABLE access_log DISABLE TRIGGER USER"))  # a restore does not fire them
        conn.execute(text("UPDATE access_log SET action = 'export' WHERE seq = 2"))
        conn.execute(text("ALTER TABLE access_log ENABLE TRIGGER USER"))
    assert _chain(db)["141003"][0] is False
    db.bind.dispose()
