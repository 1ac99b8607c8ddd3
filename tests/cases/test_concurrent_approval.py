"""Two reviewers completing the same task at the same moment (j1380): one wins, the other gets a clear
conflict, and nothing is registered twice.

The per-test rolled-back transaction cannot be shared by two threads, so this test commits into a database
of its own: a dedicated schema on PostgreSQL (created and dropped here), a file of its own on SQLite, where
``BEGIN IMMEDIATE`` makes the second writer wait for the first and then find the task done.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

import models
from handlers import cases
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.errors import ConflictError
from handlers.residents.resident_code_pool import load_pool
from handlers.rules.check_digit import with_m11w27
from handlers.tenancy import bind_session
from handlers.transaction_memo import transaction_memo
from handlers.uow import UnitOfWork, unit_of_work
from models.case import Case, CaseTask, WorkflowState
from models.change import OutboxMessage, PendingChange
from models.resident import Resident, ResidentHistory
from tests import factories
from tests.cases.test_move_in import intake
from workflows.engine import runner, task_states

pytestmark = [pytest.mark.slow, pytest.mark.req("j1380")]

Decision = Callable[[UnitOfWork], Case]


@pytest.fixture
def committed_db(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """A database whose transactions really commit, visible to every thread's own connection."""
    if database_url.startswith("postgresql"):
        schema = f"concurrency_{uuid.uuid4().hex[:12]}"
        admin = make_engine(database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine: Engine = make_engine(database_url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        admin, schema = None, ""
        engine = make_engine(f"sqlite:///{tmp_path / 'concurrency.sqlite3'}")
    models.Base.metadata.create_all(engine)
    try:
        yield Database(engine)
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def make_staff(db: Database) -> dict[str, Actor]:
    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    city = factories.make_municipality(session, code="141003", name="横浜市", prefecture="神奈川県")
    users = {
        name: factories.make_user(session, city, login_id=f"{name}@141003", roles=[role])
        for name, role in (("clerk", "clerk"), ("first", "supervisor"), ("second", "supervisor"))
    }
    session.commit()
    session.close()
    staff = {name: factories.actor_for(user) for name, user in users.items()}
    with unit_of_work(db, staff["first"]) as uow:
        load_pool(uow, [with_m11w27(f"{8_000_000_000 + n:010d}") for n in range(200)])
    return staff


def decide_together(db: Database, decisions: list[tuple[Actor, Decision]]) -> list[Any]:
    """Each reviewer decides in its own thread and connection, released at the same instant."""
    start = threading.Barrier(len(decisions))
    outcomes: list[Any] = [None] * len(decisions)

    def decide(index: int, actor: Actor, decision: Decision) -> None:
        start.wait()
        try:
            with unit_of_work(db, actor) as uow:
                outcomes[index] = decision(uow).status
        except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts
            outcomes[index] = error

    threads = [threading.Thread(target=decide, args=(i, a, d)) for i, (a, d) in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a decision never finished (deadlock?)"
    return outcomes


LATE = (japan_today() - dt.timedelta(days=40)).isoformat()


@pytest.mark.parametrize(
    ("extra", "acknowledged"),
    [({}, []), ({"change_date": LATE}, ["late_notification"])],
    ids=["no_alert", "alert_acknowledged_by_both"],
)
def test_two_reviewers_approving_the_same_task_at_once_register_the_change_exactly_once(
    committed_db: Database, extra: dict[str, Any], acknowledged: list[str]
) -> None:
    staff = make_staff(committed_db)
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        case_id = cases.open_case(uow, "move_in", intake(**extra)).id
        review = uow.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id == "review_move_in")
        ).one()

    def approve(uow: UnitOfWork) -> Case:
        return cases.approve(uow, review.id, acknowledged)

    outcomes = decide_together(committed_db, [(staff["first"], approve), (staff["second"], approve)])

    winners = [o for o in outcomes if isinstance(o, str)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert winners == ["running"], outcomes  # waiting at 交付物の発行
    assert len(losers) == 1 and isinstance(losers[0], ConflictError), outcomes
    assert str(losers[0])  # a message the reviewer can read
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        people = list(uow.session.scalars(select(Resident).where(Resident.family_name == "転入")))
        history = list(uow.session.scalars(select(ResidentHistory)))
        outbox = list(uow.session.scalars(select(OutboxMessage)))
        pending = uow.session.scalars(select(PendingChange)).one()
    assert len(people) == 3
    assert sorted(h.atena_number for h in history) == sorted(p.atena_number for p in people)
    assert [h.case_id for h in history] == [case_id] * 3
    assert sorted((m.destination, m.kind) for m in outbox) == [("cs", "card_destination")] * 3 + [
        ("cs", "identity_change")
    ] * 3 + [("municipality:202118", "move_in_notice")]  # with each newcomer's 送付先情報 (j1120)
    assert len({m.idempotency_key for m in outbox}) == 7
    assert pending.status == "registered"


def late_reject(uow: UnitOfWork, task_id: int, delay: float) -> Case:
    time.sleep(delay)  # lets the approval take its row locks first
    return cases.reject(uow, task_id, "住所の方書を確認してください")


def both_at_once(first: Callable[[], None], second: Callable[[], None]) -> None:
    """Run two transactions' bodies in two threads and wait for both."""
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.parametrize("rejection_delay", [0.0, 0.2], ids=["together", "rejection_just_after"])
def test_an_approval_and_a_rejection_of_the_same_task_at_once_leave_one_decision(
    committed_db: Database, rejection_delay: float
) -> None:
    staff = make_staff(committed_db)
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        case_id = cases.open_case(uow, "move_in", intake(change_date=LATE)).id
        review = uow.session.scalars(
            select(CaseTask).where(CaseTask.case_id == case_id, CaseTask.bpmn_id == "review_move_in")
        ).one()

    outcomes = decide_together(
        committed_db,
        [
            (staff["first"], lambda uow: cases.approve(uow, review.id, ["late_notification"])),
            (staff["second"], lambda uow: late_reject(uow, review.id, rejection_delay)),
        ],
    )

    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], ConflictError), outcomes
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        pending = uow.session.scalars(select(PendingChange)).one()
        people = list(uow.session.scalars(select(Resident).where(Resident.family_name == "転入")))
        outbox = list(uow.session.scalars(select(OutboxMessage)))
        open_tasks = [
            t.bpmn_id for t in uow.session.scalars(select(CaseTask).where(CaseTask.state == "ready"))
        ]
    if isinstance(outcomes[0], str):  # the approval won
        assert (pending.status, len(people), len(outbox), open_tasks) == (
            "registered",
            3,
            7,  # 3 identity_change, 1 move_in_notice, 3 送付先情報 (j1120)
            ["issue_documents"],
        )
    else:  # the rejection won: nothing registered, the case is back at intake
        assert (pending.status, people, outbox, open_tasks) == ("rejected", [], [], ["intake_move_in"])


def test_a_case_locked_after_another_transaction_saved_it_is_read_as_saved(committed_db: Database) -> None:
    """The second of two transactions locking the same case waits for the first and then restores the
    workflow the first saved, not the one it would have read before waiting."""
    staff = make_staff(committed_db)
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        case_id = cases.open_case(uow, "move_in", intake()).id
    first_holds, seen = threading.Event(), {}

    def first() -> None:
        with unit_of_work(committed_db, staff["first"]) as uow:
            runner.lock_case(uow, case_id)
            state = uow.session.get(WorkflowState, case_id)
            assert state is not None
            state.state_json += " "  # still the same JSON: saved again by this transaction
            uow.session.flush()
            first_holds.set()
            time.sleep(0.5)  # the second is waiting for the case lock now

    def second() -> None:
        first_holds.wait(10)
        with unit_of_work(committed_db, staff["second"]) as uow:
            runner.lock_case(uow, case_id)
            state = uow.session.get(WorkflowState, case_id)
            seen["saved_again"] = state is not None and state.state_json.endswith(" ")

    both_at_once(first, second)
    assert seen == {"saved_again": True}


def test_task_rows_read_with_a_lock_that_waited_for_a_change_of_the_case_are_not_trusted(
    committed_db: Database,
) -> None:
    """The lock reads the case's task rows as of its statement's start; the save trusts them only when the
    case locked is still the version that statement saw.  A lock that waited for another transaction's save
    of the case (PostgreSQL) has its rows read again by the save; on SQLite the second transaction begins
    only once the first has committed, so what its lock reads is current."""
    staff = make_staff(committed_db)
    with unit_of_work(committed_db, staff["clerk"]) as uow:
        case_id = cases.open_case(uow, "move_in", intake()).id
    first_holds, known = threading.Event(), {}

    def task_states_known(uow: UnitOfWork) -> bool:
        return case_id in transaction_memo(uow.session).get(task_states.TASK_STATES_KEY, {})

    def first() -> None:
        with unit_of_work(committed_db, staff["first"]) as uow:
            case = runner.lock_case(uow, case_id)
            assert case is not None
            known["first"] = task_states_known(uow)
            case.updated_at = dt.datetime.now(dt.UTC)  # saved again, as every engine run saves it
            uow.session.flush()
            first_holds.set()
            time.sleep(0.5)  # the second is waiting for the case lock now

    def second() -> None:
        first_holds.wait(10)
        with unit_of_work(committed_db, staff["second"]) as uow:
            runner.lock_case(uow, case_id)
            known["second"] = task_states_known(uow)

    both_at_once(first, second)
    postgres = committed_db.bind.dialect.name == "postgresql"
    assert known == {"first": True, "second": not postgres}
