"""verify_chain finds every edit, deletion, insertion and head disagreement in a tenant's access log.

The append-only triggers would refuse the tampering, so each test drops them inside its own transaction
(rolled back afterwards), as an attacker with DDL rights could.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, select, text, update

import models
from handlers import audit_verify
from handlers.audit import record_access, row_hash
from handlers.audit_verify import ChainBreak, VerifyResult, verify_all, verify_chain
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import TenancyError
from handlers.tenancy import bind_session
from handlers.uow import unit_of_work
from models.audit import AccessLog, AccessLogHead
from tests import factories

pytestmark = pytest.mark.req("j1370")

TRIGGERS = {
    "postgresql": ("access_log_append_only",),
    "sqlite": ("access_log_no_update", "access_log_no_delete"),
}


def allow_tampering(connection: Connection) -> None:
    on_table = " ON access_log" if connection.dialect.name == "postgresql" else ""
    for trigger in TRIGGERS[connection.dialect.name]:
        connection.execute(text(f"DROP TRIGGER {trigger}{on_table}"))


def log_rows(db: Database, actor: Actor, count: int) -> None:
    for n in range(count):
        with unit_of_work(db, actor) as uow:
            record_access(uow, "resident_viewed", "view", [f"{n:09d}"])


def verify(db: Database, actor: Actor, **kwargs: Any) -> VerifyResult:
    with unit_of_work(db, actor) as uow:
        return verify_chain(uow.session, actor.tenant_id, **kwargs)


def row_values(connection: Connection, tenant_id: int, seq: int) -> dict[str, Any]:
    table = AccessLog.__table__
    row = connection.execute(select(table).where(table.c.tenant_id == tenant_id, table.c.seq == seq)).one()
    return dict(row._mapping)


def insert_forged(connection: Connection, values: dict[str, Any]) -> None:
    """Insert a row whose own hash is right: what a careful forger would do."""
    values = {k: v for k, v in values.items() if k != "id"}
    values["hash"] = row_hash(AccessLog(**values))
    connection.execute(AccessLog.__table__.insert().values(values))


def tamper(connection: Connection, sql: str, **params: Any) -> None:
    allow_tampering(connection)
    connection.execute(text(sql), params)


@pytest.fixture
def five_rows(db: Database, clerk_a: Actor) -> Actor:
    log_rows(db, clerk_a, 5)
    return clerk_a


def test_untampered_chain_verifies(db: Database, five_rows: Actor) -> None:
    result = verify(db, five_rows)
    assert result.ok
    assert (result.rows_checked, result.head_seq, result.breaks) == (5, 5, [])


def test_empty_log_verifies(db: Database, clerk_a: Actor) -> None:
    result = verify(db, clerk_a)
    assert result.ok
    assert (result.rows_checked, result.head_seq) == (0, 0)


def test_edited_field_is_found(db: Database, connection: Connection, five_rows: Actor) -> None:
    tamper(
        connection,
        "UPDATE access_log SET targets = '[]' WHERE tenant_id = :t AND seq = 3",
        t=five_rows.tenant_id,
    )
    assert verify(db, five_rows).breaks == [ChainBreak(3, "content_edited")]


def test_edit_with_recomputed_hash_breaks_the_next_link(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    values = row_values(connection, five_rows.tenant_id, 3)
    values["login_id"] = "innocent_user"
    tamper(connection, "DELETE FROM access_log WHERE tenant_id = :t AND seq = 3", t=five_rows.tenant_id)
    insert_forged(connection, values)
    assert verify(db, five_rows).breaks == [ChainBreak(4, "link_broken")]


def test_deleted_row_is_found(db: Database, connection: Connection, five_rows: Actor) -> None:
    tamper(connection, "DELETE FROM access_log WHERE tenant_id = :t AND seq = 2", t=five_rows.tenant_id)
    result = verify(db, five_rows)
    assert [(b.seq, b.reason) for b in result.breaks] == [(2, "rows_missing")]
    assert "連番 2〜2" in result.breaks[0].message


def test_deleted_tail_is_found_against_the_head(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    tamper(connection, "DELETE FROM access_log WHERE tenant_id = :t AND seq >= 4", t=five_rows.tenant_id)
    result = verify(db, five_rows)
    assert [(b.seq, b.reason) for b in result.breaks] == [(4, "rows_missing")]
    assert "連番 4〜5" in result.breaks[0].message


def test_row_appended_behind_the_heads_back_is_found(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    values = row_values(connection, five_rows.tenant_id, 5)
    values.update(seq=6, prev_hash=values["hash"], function="resident_searched")
    insert_forged(connection, values)
    assert [(b.seq, b.reason) for b in verify(db, five_rows).breaks] == [(6, "head_mismatch")]


def test_row_slipped_in_before_the_first_is_found(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    values = row_values(connection, five_rows.tenant_id, 1)
    values.update(seq=0)
    insert_forged(connection, values)
    assert [(b.seq, b.reason) for b in verify(db, five_rows).breaks] == [(0, "out_of_order")]


def test_reordered_rows_are_found(db: Database, connection: Connection, five_rows: Actor) -> None:
    t = five_rows.tenant_id
    tamper(connection, "UPDATE access_log SET seq = -1 WHERE tenant_id = :t AND seq = 2", t=t)
    connection.execute(text("UPDATE access_log SET seq = 2 WHERE tenant_id = :t AND seq = 3"), {"t": t})
    connection.execute(text("UPDATE access_log SET seq = 3 WHERE tenant_id = :t AND seq = -1"), {"t": t})
    breaks = verify(db, five_rows).breaks
    assert {(b.seq, b.reason) for b in breaks} >= {(2, "content_edited"), (3, "content_edited")}


def test_head_that_disagrees_with_the_last_row_is_found(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    connection.execute(
        update(AccessLogHead).where(AccessLogHead.tenant_id == five_rows.tenant_id).values(last_seq=4)
    )
    assert [(b.seq, b.reason) for b in verify(db, five_rows).breaks] == [(5, "head_mismatch")]


def test_walk_streams_across_batches(
    db: Database, connection: Connection, five_rows: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_verify, "BATCH_ROWS", 2)
    assert verify(db, five_rows).ok
    tamper(
        connection,
        "UPDATE access_log SET my_number_shown = :v WHERE tenant_id = :t AND seq = 5",
        t=five_rows.tenant_id,
        v=True,
    )
    assert verify(db, five_rows).breaks == [ChainBreak(5, "content_edited")]


def test_tail_check_walks_only_the_newest_rows(
    db: Database, connection: Connection, five_rows: Actor
) -> None:
    t = five_rows.tenant_id
    tamper(connection, "UPDATE access_log SET terminal = 'X' WHERE tenant_id = :t AND seq = 1", t=t)
    tail = verify(db, five_rows, last=2)
    assert tail.ok
    assert (tail.first_seq, tail.rows_checked, tail.head_seq) == (4, 2, 5)
    connection.execute(
        text("UPDATE access_log SET terminal = 'X' WHERE tenant_id = :t AND seq = 4"), {"t": t}
    )
    assert verify(db, five_rows, last=2).breaks == [ChainBreak(4, "content_edited")]
    assert [b.seq for b in verify(db, five_rows).breaks] == [1, 4]


def test_verify_all_reports_each_municipality_by_code(
    db: Database, connection: Connection, clerk_a: Actor, users_b: dict[str, models.User]
) -> None:
    clerk_b = factories.actor_for(users_b["clerk"])
    log_rows(db, clerk_a, 3)
    log_rows(db, clerk_b, 2)
    tamper(connection, "DELETE FROM access_log WHERE tenant_id = :t AND seq = 1", t=clerk_b.tenant_id)

    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    results = verify_all(session)
    session.close()
    assert results["141003"].ok
    assert results["141003"].rows_checked == 3
    assert [(b.seq, b.reason) for b in results["202118"].breaks] == [(1, "rows_missing")]


def test_verification_stays_inside_the_tenant(
    db: Database, clerk_a: Actor, users_b: dict[str, models.User]
) -> None:
    clerk_b = factories.actor_for(users_b["clerk"])
    with pytest.raises(TenancyError), unit_of_work(db, clerk_a) as uow:
        verify_chain(uow.session, clerk_b.tenant_id)
    with pytest.raises(TenancyError), unit_of_work(db, clerk_a) as uow:
        verify_all(uow.session)
