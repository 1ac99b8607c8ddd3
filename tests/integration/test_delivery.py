"""Outbox delivery in eager mode (j1090): order per destination, signature and key, retries with backoff,
dead letters that hold the destination, resend, and nothing sent for rolled-back or provisional changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.cases import doors
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ConflictError, PermissionDeniedError
from handlers.outbox_admin import dead_letters, resend
from handlers.outbox_delivery import deliver_destination
from handlers.outbox_sweep import sweep
from handlers.uow import unit_of_work
from models.audit import AccessLog
from models.change import OutboxMessage
from models.tenant import Municipality
from tests.factories import make_household
from tests.integration.conftest import configure, messages, queue, queue_messages
from tests.integration.receiver import Receiver
from tests.workflows.household_steps import open_task

pytestmark = pytest.mark.req("j1090")


def make_due(db: Database, actor: Actor) -> None:
    """Let every backoff elapse (instead of sleeping)."""
    with unit_of_work(db, actor) as uow:
        uow.session.execute(update(OutboxMessage).values(next_attempt_at=None))


def test_notices_reach_the_receiver_once_in_sequence_order_signed_with_their_keys(
    delivering: Database, setup_session: Session, receiver: Receiver, city_a: Municipality, clerk_a: Actor
) -> None:
    configure(setup_session, city_a.id, "cs", url=receiver.url, secret=receiver.state.secret)
    keys = queue_messages(delivering, clerk_a, "cs", 5)
    got = receiver.state.received
    assert [r.key for r in got] == keys
    assert [r.seq for r in got] == [1, 2, 3, 4, 5]
    assert all(r.signed for r in got)
    first = got[0].body
    assert (first["format"], first["sender"]["code"], first["kind"]) == (
        "jumin.notice/1",
        "141003",
        "identity_change",
    )
    assert (
        first["payload"]["name"] == "高橋 一郎" and first["payload"]["name_mj"] == "髙橋 一郎"
    )  # CS charset
    rows = messages(delivering, clerk_a, "cs")
    assert {(r.status, r.attempts) for r in rows} == {("sent", 0)} and all(r.sent_at for r in rows)


def test_a_unit_of_work_that_rolls_back_sends_nothing(
    delivering: Database, setup_session: Session, receiver: Receiver, city_a: Municipality, clerk_a: Actor
) -> None:
    configure(setup_session, city_a.id, "cs", url=receiver.url, secret=receiver.state.secret)
    with pytest.raises(RuntimeError), unit_of_work(delivering, clerk_a) as uow:
        queue(uow, "cs", 3)
        raise RuntimeError("registration failed after the notices were written")
    assert receiver.state.requests == 0
    assert messages(delivering, clerk_a, "cs") == []


@pytest.mark.req("j530")
def test_a_provisional_change_sends_nothing_and_its_registration_sends_its_notices(
    delivering: Database,
    setup_session: Session,
    receiver: Receiver,
    city_a: Municipality,
    clerk_a: Actor,
    supervisor_a: Actor,
) -> None:
    configure(setup_session, city_a.id, "cs", url=receiver.url, secret=receiver.state.secret)
    home = make_household(delivering, clerk_a)
    ichiro = home.members[2].atena_number
    intake = {
        "atena_numbers": [ichiro],
        "change_date": (japan_today() + dt.timedelta(days=7)).isoformat(),
        "notified_date": japan_today().isoformat(),
        "destination": {"municipality_code": "202177", "address": "中込1番地"},
    }
    with unit_of_work(delivering, clerk_a) as uow:
        case = doors.open_case(uow, "move_out", intake)
    assert receiver.state.requests == 0 and messages(delivering, clerk_a, "cs") == []
    task = open_task(
        lambda actor, fn, *a: _run(delivering, actor, fn, *a), supervisor_a, case.id, "review_move_out"
    )
    with unit_of_work(delivering, supervisor_a) as uow:
        doors.approve(uow, task.id, [])
    assert [(r.body["kind"], r.body["payload"]["atena_number"]) for r in receiver.state.received] == [
        ("identity_change", ichiro)
    ]


def _run(db: Database, actor: Actor, fn: Any, *args: Any) -> Any:
    with unit_of_work(db, actor) as uow:
        return fn(uow, *args)


def test_a_failed_attempt_waits_with_backoff_holds_later_notices_and_the_sweep_delivers_in_order(
    delivering: Database, setup_session: Session, receiver: Receiver, city_a: Municipality, clerk_a: Actor
) -> None:
    configure(setup_session, city_a.id, "cs", url=receiver.url, secret=receiver.state.secret)
    receiver.state.failing = True
    keys = queue_messages(delivering, clerk_a, "cs", 3)
    head, *rest = messages(delivering, clerk_a, "cs")
    assert (head.status, head.attempts, head.next_attempt_at is not None) == ("pending", 1, True)
    assert "503" in (head.last_error or "")
    assert [(r.status, r.attempts) for r in rest] == [("pending", 0), ("pending", 0)]  # held behind the head
    assert [r.destination for r in sweep(delivering)] == []  # not due yet: the backoff holds
    receiver.state.failing = False
    make_due(delivering, clerk_a)
    [run] = sweep(delivering)
    assert (run.sent, run.state) == (3, "idle")
    assert receiver.state.keys_in_order() == keys


def test_a_destination_stops_behind_a_dead_letter_until_a_supervisor_resends_it(
    delivering: Database,
    setup_session: Session,
    receiver: Receiver,
    city_a: Municipality,
    clerk_a: Actor,
    supervisor_a: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "2")
    configure(setup_session, city_a.id, "cs", url=receiver.url, secret=receiver.state.secret)
    receiver.state.failing = True
    keys = queue_messages(delivering, clerk_a, "cs", 3)
    make_due(delivering, clerk_a)
    sweep(delivering)
    head = messages(delivering, clerk_a, "cs")[0]
    assert (head.status, head.attempts) == ("dead", 2)
    receiver.state.failing = False
    assert sweep(delivering) == []  # a dead head is not retried by the sweep
    assert deliver_destination(delivering, city_a.id, "cs").state == "dead"  # later ones wait (order, j1090)
    assert receiver.state.received == []

    with unit_of_work(delivering, supervisor_a) as uow:
        [letter] = dead_letters(uow)
    assert (letter.id, letter.waiting_behind, letter.attempts) == (head.id, 2, 2)
    with pytest.raises(PermissionDeniedError), unit_of_work(delivering, clerk_a) as uow:
        resend(uow, head.id)
    with unit_of_work(delivering, supervisor_a) as uow:
        resend(uow, head.id)
    assert receiver.state.keys_in_order() == keys
    resent = messages(delivering, clerk_a, "cs")[0]
    assert (resent.status, resent.kind, resent.payload, resent.seq) == (
        "sent",
        head.kind,
        head.payload,
        head.seq,
    )
    with pytest.raises(ConflictError), unit_of_work(delivering, supervisor_a) as uow:
        resend(uow, head.id)
    with unit_of_work(delivering, supervisor_a) as uow:
        logged = uow.session.scalars(
            select(AccessLog.function).where(AccessLog.function.like("%dead%"))
        ).all()
        resent_log = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "outbox_message_resent")
        ).one()
    assert logged == ["dead_letters_listed"]
    assert (resent_log.login_id, resent_log.targets) == (supervisor_a.login_id, ["0000000019"])


def test_an_unconfigured_destination_keeps_its_notices_pending_without_counting_attempts(
    delivering: Database, city_a: Municipality, clerk_a: Actor
) -> None:
    queue_messages(delivering, clerk_a, "koseki_fuhyo", 2)
    rows = messages(delivering, clerk_a, "koseki_fuhyo")
    assert [(r.status, r.attempts) for r in rows] == [("pending", 0), ("pending", 0)]
    assert [run.state for run in sweep(delivering)] == ["unconfigured"]
