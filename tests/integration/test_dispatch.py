"""Starting deliveries (j1090): the destinations of one unit of work go out in one dispatch after commit,
one Celery message that delivers each of them, and only a destination that failed or has more left goes on
as its own task."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_delivery import DeliveryRun
from handlers.outbox_dispatch import install_dispatcher, schedule_delivery
from handlers.uow import unit_of_work
from models.tenant import Municipality
from tests.integration.conftest import configure, queue
from tests.integration.receiver import Receiver
from worker import tasks

pytestmark = pytest.mark.req("j1090")


@pytest.fixture
def dispatched(db: Database) -> Any:
    calls: list[tuple[int, list[str]]] = []
    install_dispatcher(db, lambda tenant_id, destinations: calls.append((tenant_id, destinations)))
    yield calls
    install_dispatcher(db, None)


def test_a_unit_of_work_dispatches_all_its_destinations_once_after_commit(
    db: Database, dispatched: list[tuple[int, list[str]]], city_a: Municipality, clerk_a: Actor
) -> None:
    with unit_of_work(db, clerk_a) as uow:
        schedule_delivery(uow, ["cs", "addressee"])
        schedule_delivery(uow, ["tax", "cs"])
        assert dispatched == []  # nothing before the commit
    assert dispatched == [(city_a.id, ["addressee", "cs", "tax"])]
    with unit_of_work(db, clerk_a) as uow:
        schedule_delivery(uow, ["cs"])
    assert dispatched[1:] == [(city_a.id, ["cs"])]  # the next unit of work dispatches on its own


def test_a_unit_of_work_that_rolls_back_dispatches_nothing(
    db: Database, dispatched: list[tuple[int, list[str]]], clerk_a: Actor
) -> None:
    with pytest.raises(RuntimeError), unit_of_work(db, clerk_a) as uow:
        schedule_delivery(uow, ["cs", "tax"])
        raise RuntimeError("registration failed after the notices were queued")
    assert dispatched == []


def test_one_eager_dispatch_delivers_every_destination_of_the_unit_of_work(
    delivering: Database,
    setup_session: Session,
    receiver: Receiver,
    city_a: Municipality,
    clerk_a: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("cs", "tax"):
        configure(setup_session, city_a.id, name, url=receiver.url, secret=receiver.state.secret)
    messages: list[tuple[int, list[str]]] = []
    sent = tasks.deliver_destinations.delay
    monkeypatch.setattr(
        tasks.deliver_destinations, "delay", lambda *args: (messages.append(args), sent(*args))[1]
    )
    with unit_of_work(delivering, clerk_a) as uow:
        keys = queue(uow, "cs", 2, "C") + queue(uow, "tax", 2, "T")
    assert messages == [(city_a.id, ["cs", "tax"])]
    assert sorted(r.key for r in receiver.state.received) == sorted(keys)


def _broker_world(monkeypatch: pytest.MonkeyPatch, runs: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """``deliver_destinations`` as a worker on a broker runs it, each destination's delivery faked by
    ``runs`` (a DeliveryRun, or an exception to raise); returns the follow-up tasks it queues."""
    queued: list[tuple[str, tuple[Any, ...]]] = []

    def deliver(_db: Database, _tenant_id: int, destination: str) -> DeliveryRun:
        outcome = runs[destination]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome  # type: ignore[no-any-return]

    monkeypatch.setattr(tasks, "deliver_now", deliver)
    monkeypatch.setattr(tasks, "task_database", lambda: None)
    monkeypatch.setattr(tasks.deliver_destination, "delay", lambda *a: queued.append(("delay", a)))
    monkeypatch.setattr(
        tasks.deliver_destination,
        "apply_async",
        lambda args, countdown: queued.append(("retry", (*args, countdown))),
    )
    return queued


def test_only_the_destination_that_failed_or_has_more_goes_on_as_its_own_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued = _broker_world(
        monkeypatch,
        {
            "cs": DeliveryRun("cs", sent=2, state="idle"),
            "tax": DeliveryRun("tax", state="retry", retry_in=30.0),
            "addressee": DeliveryRun("addressee", sent=500, state="more"),
        },
    )
    done = tasks.deliver_destinations.run(7, ["addressee", "cs", "tax"])
    assert queued == [("delay", (7, "addressee")), ("retry", (7, "tax", 30.0))]
    assert [(d["destination"], d["state"]) for d in done] == [
        ("addressee", "more"),
        ("cs", "idle"),
        ("tax", "retry"),
    ]


def test_a_destination_that_raises_does_not_stop_the_others_and_its_error_is_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivered: list[str] = []
    boom = RuntimeError("database went away")
    queued = _broker_world(monkeypatch, {"cs": boom, "tax": DeliveryRun("tax", sent=1, state="idle")})
    original = tasks.deliver_now

    def counting(db: Database, tenant_id: int, destination: str) -> DeliveryRun:
        delivered.append(destination)
        return original(db, tenant_id, destination)

    monkeypatch.setattr(tasks, "deliver_now", counting)
    with pytest.raises(RuntimeError, match="database went away"):
        tasks.deliver_destinations.run(7, ["cs", "tax"])
    assert delivered == ["cs", "tax"] and queued == []
