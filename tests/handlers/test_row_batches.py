"""Rows of several tables in one statement (``handlers.row_batches``): the same stored rows as one INSERT per
table gives, one statement on PostgreSQL, and a row of another tenant refused before anything is sent."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import Table, select

from handlers.context import Actor
from handlers.db import Database
from handlers.errors import TenancyError
from handlers.row_batches import insert_batches
from handlers.uow import unit_of_work
from models import Municipality
from models.change import OutboxMessage
from models.juki_net import CardDestinationSent
from tests.statements import recorded_statements

OUTBOX = cast(Table, OutboxMessage.__table__)
SENT = cast(Table, CardDestinationSent.__table__)


def _message(tenant_id: int, n: int) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "case_id": None, "destination": "cs", "kind": "card_destination",
            "payload": {"atena_number": f"00000000{n}", "is_residence": n == 2, "name": "転入 太郎"},
            "idempotency_key": f"k:{n}", "seq": n, "status": "pending", "attempts": 0}  # fmt: skip


def _sent(tenant_id: int, n: int) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "atena_number": f"00000000{n}", "resident_code": None, "trigger": "change",
            "case_id": 7, "outbox_key": f"k:{n}", "address": "横浜市中区港町1丁目1番地", "address_katagaki": None,
            "postal_code": "2310017", "is_residence": n == 2}  # fmt: skip


@pytest.mark.req("j1120")
def test_two_tables_rows_are_stored_as_one_insert_each_stores_them_in_one_statement_on_postgresql(
    db: Database, city_a: Municipality
) -> None:
    with (
        unit_of_work(db, Actor.system(city_a.id)) as uow,
        recorded_statements(uow.session.connection()) as sent,
    ):
        insert_batches(uow.session, [(OUTBOX, [_message(city_a.id, n) for n in (1, 2)]),
                                     (SENT, [_sent(city_a.id, n) for n in (1, 2)]), (SENT, [])])  # fmt: skip
    assert len(sent) == (1 if db.dialect == "postgresql" else 2)
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        messages = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.seq)).all()
        kept = uow.session.scalars(select(CardDestinationSent).order_by(CardDestinationSent.outbox_key)).all()
        assert [(m.idempotency_key, m.seq, m.payload, m.tenant_id) for m in messages] == [
            (f"k:{n}", n, _message(city_a.id, n)["payload"], city_a.id) for n in (1, 2)
        ]
        assert [(k.outbox_key, k.is_residence, k.case_id, k.postal_code) for k in kept] == [
            ("k:1", False, 7, "2310017"), ("k:2", True, 7, "2310017")
        ]  # fmt: skip
        assert all(k.created_at is not None for k in kept)  # the server default, as a flush leaves it


def test_a_row_of_another_tenant_is_refused_and_nothing_is_written(
    db: Database, city_a: Municipality, city_b: Municipality
) -> None:
    with pytest.raises(TenancyError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        insert_batches(uow.session, [(OUTBOX, [_message(city_a.id, 1)]), (SENT, [_sent(city_b.id, 1)])])
    for tenant in (city_a.id, city_b.id):
        with unit_of_work(db, Actor.system(tenant)) as uow:
            assert uow.session.scalars(select(OutboxMessage)).all() == []
            assert uow.session.scalars(select(CardDestinationSent)).all() == []
