"""The outbox messages of a case are numbered per destination (j1380, j1440): after the destination's messages
queued before, in the order given, the 送付先情報 (j1120) after the case's own notices; on PostgreSQL, once every
destination's counter exists, the counters, the messages and the rows kept with them are one statement."""

from __future__ import annotations

from typing import Any, cast

import pytest
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from handlers import cases
from handlers.cases.outbox import queue_case_notices
from handlers.context import Actor
from handlers.db import Database
from handlers.uow import UnitOfWork
from models.case import Case
from models.change import OutboxMessage
from models.juki_net import CardDestinationSent
from models.resident import NumberSequence
from tests import factories
from tests.cases.conftest import PROBE, Step
from tests.cases.test_case_framework import atena, intake  # noqa: F401 - fixture
from tests.statements import recorded_statements

pytestmark = [pytest.mark.req("j1380", "j1440"), pytest.mark.usefixtures("probe_flow")]
SENT = cast(Table, CardDestinationSent.__table__)


def _notices(*destinations: str) -> list[dict[str, Any]]:
    return [
        {"destination": d, "kind": "identity_change", "payload": {"n": n}} for n, d in enumerate(destinations)
    ]


def _follower(case: Case, n: int) -> dict[str, Any]:
    return {"destination": "cs", "kind": "card_destination", "payload": {"n": n},
            "idempotency_key": f"{case.case_number}:card:{n}", "case_id": None}  # fmt: skip


def _kept(case: Case, n: int) -> dict[str, Any]:
    return {"tenant_id": case.tenant_id, "atena_number": f"000000000{n}", "resident_code": None, "trigger": "change",
            "case_id": case.id, "outbox_key": f"{case.case_number}:card:{n}", "address": "横浜市中区港町1丁目1番地",
            "address_katagaki": None, "postal_code": None, "is_residence": False}  # fmt: skip


def _another(db: Database, clerk: Actor) -> str:
    return factories.make_household(db, clerk).members[0].atena_number


def _queue(
    step: Step, actor: Actor, case_id: int, notices: list[dict[str, Any]], connection: Connection
) -> list[str]:
    def queue(uow: UnitOfWork) -> list[str]:
        case = uow.session.get(Case, case_id)
        assert case is not None
        with recorded_statements(connection) as sent:
            queue_case_notices(uow, case, notices, [_follower(case, 1)], [(SENT, [_kept(case, 1)])])
        return sent

    return step(actor, queue)


def _queued(step: Step, actor: Actor) -> list[tuple[str, int, str]]:
    def read(uow: UnitOfWork) -> list[tuple[str, int, str]]:
        found = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(m.destination, m.seq, m.idempotency_key) for m in found]

    return step(actor, read)


def _two_cases(step: Step, db: Database, clerk: Actor, first_atena: str) -> tuple[int, int]:
    first = step(clerk, cases.open_case, PROBE, intake(first_atena)).id
    return first, step(clerk, cases.open_case, PROBE, intake(_another(db, clerk))).id


def test_messages_are_numbered_after_the_ones_before_and_written_with_their_kept_rows_in_order(
    step: Step,
    connection: Connection,
    db: Database,
    clerk_a: Actor,
    atena: str,  # noqa: F811
) -> None:
    first, second = _two_cases(step, db, clerk_a, atena)
    # the first case: no counter exists yet; the second: cs and municipality:202118 exist, department:x is new
    _queue(step, clerk_a, first, _notices("cs", "municipality:202118", "cs"), connection)
    sent = _queue(step, clerk_a, second, _notices("department:x", "cs", "municipality:202118"), connection)
    numbers = [(d, s) for d, s, _key in _queued(step, clerk_a)]
    assert numbers == [("cs", 1), ("municipality:202118", 1), ("cs", 2), ("cs", 3),
                       ("department:x", 1), ("cs", 4), ("municipality:202118", 2), ("cs", 5)]  # fmt: skip
    kept = step(clerk_a, lambda uow: uow.session.scalars(select(CardDestinationSent.case_id)).all())
    assert sorted(kept) == [first, second]

    def counters(uow: UnitOfWork) -> dict[str, int]:
        found = uow.session.execute(select(NumberSequence.name, NumberSequence.next_value)).all()
        return {str(name): int(value) for name, value in found if str(name).startswith("outbox:")}

    assert step(clerk_a, counters) == {
        "outbox:cs": 6,
        "outbox:municipality:202118": 3,
        "outbox:department:x": 2,
    }
    if connection.dialect.name == "postgresql":  # counted, nothing written; the new counter; then the rows
        writes = [s for s in sent if "outbox_message" in s and not s.lstrip().upper().startswith("SELECT")]
        assert len(writes) == 2 and "number_sequence" in writes[0] and "number_sequence" not in writes[1]


def test_with_every_counter_there_the_numbers_and_the_rows_are_one_statement_on_postgresql(
    step: Step,
    connection: Connection,
    db: Database,
    clerk_a: Actor,
    atena: str,  # noqa: F811
) -> None:
    first, second = _two_cases(step, db, clerk_a, atena)
    _queue(step, clerk_a, first, _notices("cs", "municipality:202118"), connection)
    sent = _queue(step, clerk_a, second, _notices("municipality:202118", "cs"), connection)
    assert [(d, s) for d, s, _key in _queued(step, clerk_a)][3:] == [
        ("municipality:202118", 2), ("cs", 3), ("cs", 4)
    ]  # fmt: skip
    writes = [s for s in sent if not s.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    if connection.dialect.name == "postgresql":
        assert len(writes) == 1 and "number_sequence" in writes[0] and "card_destination_sent" in writes[0]
