"""Delivery by a REAL Celery worker (j1090), on each broker the production configuration allows (Redis and
RabbitMQ): a worker killed mid-delivery loses and duplicates nothing, a receiver that is down gets everything in
order once it is back, and one that keeps failing sends the notice to the dead-letter list until a resend.
A broker that does not answer skips its tests (`.ci/run` starts both)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_admin import resend
from handlers.uow import unit_of_work
from models.change import OutboxMessage
from tests.integration.conftest import queue_messages
from tests.integration.real_worker import (
    BROKERS,
    Broker,
    Worker,
    committed_database,
    dispatch_through_broker,
    make_tenant,
    wait_until,
)
from tests.integration.receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.req("j1090"), pytest.mark.timeout(180)]

World = tuple[str, Database, Receiver, int, Broker]


@pytest.fixture(params=BROKERS, ids=[broker.name for broker in BROKERS])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    broker: Broker = request.param
    if not broker.answers():
        pytest.skip(f"{broker.name} does not answer at {broker.host}:{broker.port} (.ci/run starts it)")
    broker.flush()
    with committed_database(tmp_path) as (url, db), Receiver() as receiver:
        tenant_id = make_tenant(db, receiver.url, receiver.state.secret)
        dispatch_through_broker(db, broker)
        yield url, db, receiver, tenant_id, broker
    broker.flush()


def statuses(db: Database, tenant_id: int) -> list[tuple[str, int]]:
    with unit_of_work(db, Actor.system(tenant_id)) as uow:
        rows = uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.seq)).all()
        return [(r.status, r.attempts) for r in rows]


def all_sent(db: Database, tenant_id: int) -> bool:
    return all(status == "sent" for status, _ in statuses(db, tenant_id))


def test_a_worker_killed_mid_delivery_loses_and_repeats_nothing_and_keeps_the_order(
    world: World, tmp_path: Path
) -> None:
    url, db, receiver, tenant_id, broker = world
    receiver.state.delay = 0.05
    worker = Worker(url, tmp_path / "worker.log", broker).start()
    try:
        keys = queue_messages(db, Actor.system(tenant_id), "cs", 40)
        wait_until(lambda: len(receiver.state.received) >= 5, 60, "the first deliveries")
        worker.kill()
        assert len(receiver.state.received) < 40, "the worker finished before it could be killed"
        worker = Worker(url, tmp_path / "worker.log", broker).start()

        dispatch_through_broker(db, broker)("jumin.outbox.sweep", [])  # what beat does every minute
        wait_until(lambda: all_sent(db, tenant_id), 90, "every notice to be sent")
    finally:
        worker.stop()
    assert receiver.state.keys_in_order() == keys  # each once, none lost, in order
    assert [r.seq for r in receiver.state.received] == list(range(1, 41))


def test_a_receiver_down_for_a_while_gets_everything_in_order_once_it_is_back(
    world: World, tmp_path: Path
) -> None:
    url, db, receiver, tenant_id, broker = world
    receiver.state.failing = True
    worker = Worker(
        url, tmp_path / "worker.log", broker, OUTBOX_RETRY_BASE_SECONDS="0.2", OUTBOX_RETRY_MAX_SECONDS="1"
    ).start()
    try:
        keys = queue_messages(db, Actor.system(tenant_id), "cs", 5)
        wait_until(lambda: statuses(db, tenant_id)[0][1] >= 3, 60, "three failed attempts")
        assert receiver.state.received == []
        receiver.state.failing = False
        wait_until(lambda: all_sent(db, tenant_id), 60, "delivery after the receiver came back")
    finally:
        worker.stop()
    assert receiver.state.keys_in_order() == keys
    assert statuses(db, tenant_id)[0][1] >= 3 and [a for _, a in statuses(db, tenant_id)[1:]] == [0] * 4


def test_a_receiver_that_keeps_failing_dead_letters_the_notice_and_resend_delivers_it(
    world: World, tmp_path: Path
) -> None:
    url, db, receiver, tenant_id, broker = world
    receiver.state.failing = True
    worker = Worker(
        url, tmp_path / "worker.log", broker, OUTBOX_RETRY_BASE_SECONDS="0.1", OUTBOX_MAX_ATTEMPTS="3"
    ).start()
    try:
        keys = queue_messages(db, Actor.system(tenant_id), "cs", 3)
        wait_until(lambda: statuses(db, tenant_id)[0] == ("dead", 3), 60, "the dead letter")
        assert statuses(db, tenant_id)[1:] == [("pending", 0), ("pending", 0)]
        receiver.state.failing = False
        with unit_of_work(db, Actor.system(tenant_id, "supervisor")) as uow:
            head = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead")).one()
            resend(uow, head.id)
        wait_until(lambda: all_sent(db, tenant_id), 60, "delivery after the resend")
    finally:
        worker.stop()
    assert receiver.state.keys_in_order() == keys
