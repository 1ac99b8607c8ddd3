"""``jumin audit verify`` prints each municipality's chain status and exits 1 when one is broken."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import Connection, text

import models
from handlers.audit import record_access
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import unit_of_work
from tests import factories

pytestmark = pytest.mark.req("j1370")


def log_rows(db: Database, actor: Actor, count: int) -> None:
    for _ in range(count):
        with unit_of_work(db, actor) as uow:
            record_access(uow, "resident_viewed", "view", ["000000011"])


@pytest.fixture
def two_cities_logged(db: Database, clerk_a: Actor, users_b: dict[str, models.User]) -> tuple[Actor, Actor]:
    clerk_b = factories.actor_for(users_b["clerk"])
    log_rows(db, clerk_a, 3)
    log_rows(db, clerk_b, 2)
    return clerk_a, clerk_b


def drop_update_trigger(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER access_log_append_only ON access_log"))
    else:
        connection.execute(text("DROP TRIGGER access_log_no_update"))


def test_verify_prints_ok_per_municipality(app: Flask, two_cities_logged: tuple[Actor, Actor]) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "141003: 3 行（最終連番 3） OK" in result.output
    assert "202118: 2 行（最終連番 2） OK" in result.output


def test_verify_prints_the_broken_seq_and_exits_1(
    app: Flask, connection: Connection, two_cities_logged: tuple[Actor, Actor]
) -> None:
    _, clerk_b = two_cities_logged
    drop_update_trigger(connection)
    connection.execute(
        text("UPDATE access_log SET login_id = 'x' WHERE tenant_id = :t AND seq = 2"),
        {"t": clerk_b.tenant_id},
    )
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "141003: 3 行（最終連番 3） OK" in result.output
    assert "202118: 2 行（最終連番 2） NG 異常 1 件" in result.output
    assert "連番 2: 行の内容が記録時のハッシュと一致しません" in result.output


def test_verify_one_tenant_only(app: Flask, two_cities_logged: tuple[Actor, Actor]) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--tenant", "202118"])
    assert result.exit_code == 0, result.output
    assert "202118: 2 行" in result.output
    assert "141003" not in result.output


def test_verify_unknown_tenant_is_a_usage_error(app: Flask, two_cities_logged: tuple[Actor, Actor]) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--tenant", "999999"])
    assert result.exit_code == 2
    assert "999999" in result.output
