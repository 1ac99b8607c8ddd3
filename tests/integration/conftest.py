"""Fixtures for the delivery tests: delivery switched on for the test database (Celery eager), a local
receiver, and helpers to configure destinations and queue messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.integration.subscribers import queue_copy
from handlers.outbox_dispatch import install_dispatcher, schedule_delivery
from handlers.uow import UnitOfWork, unit_of_work
from models.change import OutboxMessage
from models.integration import IntegrationDestination
from tests.integration.receiver import Receiver
from worker.tasks import enable_delivery


@pytest.fixture
def delivering(db: Database) -> Iterator[Database]:
    enable_delivery(db)
    yield db
    install_dispatcher(db, None)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def configure(session: Session, tenant_id: int, name: str, kind: str = "http_json", **values: Any) -> None:
    session.add(IntegrationDestination(tenant_id=tenant_id, name=name, kind=kind, enabled=True, **values))
    session.flush()


def queue(uow: UnitOfWork, destination: str, count: int, prefix: str = "T") -> list[str]:
    """``count`` pending messages for ``destination`` (keys ``<prefix>:<n>``), delivered after commit."""
    keys = [f"{prefix}:{n}" for n in range(1, count + 1)]
    for key in keys:
        payload = {"atena_number": "0000000019", "name": "髙橋 一郎", "n": key}
        queue_copy(uow, destination, "identity_change", payload, key, None)
    uow.session.flush()
    schedule_delivery(uow, [destination])
    return keys


def queue_messages(db: Database, actor: Actor, destination: str, count: int, prefix: str = "T") -> list[str]:
    with unit_of_work(db, actor) as uow:
        return queue(uow, destination, count, prefix)


def messages(db: Database, actor: Actor, destination: str) -> list[OutboxMessage]:
    with unit_of_work(db, actor) as uow:
        return list(
            uow.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.destination == destination)
                .order_by(OutboxMessage.seq)
            )
        )
