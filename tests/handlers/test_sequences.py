"""Per-tenant counters: ``take_blocks`` gives what ``take_next`` one counter after the other gives."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.sequences import take_blocks, take_next
from handlers.uow import unit_of_work
from models import Municipality
from models.resident import NumberSequence
from tests.statements import recorded_statements


def _values(db: Database, tenant_id: int) -> dict[str, int]:
    with unit_of_work(db, Actor.system(tenant_id)) as uow:
        rows = uow.session.execute(select(NumberSequence.name, NumberSequence.next_value)).all()
    return {str(name): int(value) for name, value in rows}


def test_blocks_are_the_values_one_counter_after_the_other_gives(db: Database, city_a: Municipality) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        take_next(uow.session, "outbox:cs", count=4)  # cs at 5, municipality at 2; "outbox:new" unused
        take_next(uow.session, "outbox:municipality:202118")
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        firsts = take_blocks(
            uow.session, [("outbox:municipality:202118", 1), ("outbox:new", 2), ("outbox:cs", 3)]
        )
    assert firsts == [2, 1, 5]
    assert _values(db, city_a.id) == {"outbox:cs": 8, "outbox:municipality:202118": 3, "outbox:new": 3}


def test_existing_counters_are_counted_up_in_one_statement_of_the_sessions_tenant(
    db: Database, city_a: Municipality, city_b: Municipality
) -> None:
    for tenant in (city_a.id, city_b.id):
        with unit_of_work(db, Actor.system(tenant)) as uow:
            take_next(uow.session, "household")
            take_next(uow.session, "atena", count=2)
    with (
        unit_of_work(db, Actor.system(city_a.id)) as uow,
        recorded_statements(uow.session.connection()) as sent,
    ):
        assert take_blocks(uow.session, [("household", 1), ("atena", 3)]) == [2, 3]
    counting = [s for s in sent if "number_sequence" in s]
    postgresql = db.dialect == "postgresql"
    assert len(counting) == (1 if postgresql else 2)
    assert _values(db, city_a.id) == {"household": 3, "atena": 6}
    assert _values(db, city_b.id) == {"household": 2, "atena": 3}  # the other municipality's: untouched


def test_one_counter_named_twice_is_counted_up_twice(db: Database, city_a: Municipality) -> None:
    with unit_of_work(db, Actor.system(city_a.id)) as uow:
        assert take_blocks(uow.session, [("atena", 2), ("atena", 1)]) == [1, 3]
    assert _values(db, city_a.id) == {"atena": 4}


def test_a_block_of_no_values_is_refused(db: Database, city_a: Municipality) -> None:
    with pytest.raises(ValueError), unit_of_work(db, Actor.system(city_a.id)) as uow:
        take_blocks(uow.session, [("atena", 1), ("household", 0)])
