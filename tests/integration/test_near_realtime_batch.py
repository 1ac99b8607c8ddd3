"""Near-real-time 宛名連携 subscribers (j1190): one request per beat run carrying the ordered pending messages,
each with its own key inside a batch with its own key; a failure retries the batch with backoff; a dead head
stops the subscriber until a supervisor resends it, then the whole batch goes again in one request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from handlers.context import Actor
from handlers.db import Database
from handlers.outbox_admin import dead_letters, resend
from handlers.outbox_sweep import sweep
from handlers.uow import unit_of_work
from models.tenant import Municipality
from tests.integration.conftest import configure, messages, queue_messages
from tests.integration.receiver import Receiver
from tests.integration.test_delivery import make_due

pytestmark = pytest.mark.req("j1190")
SUBSCRIBER = "subscriber:nhi"


@pytest.fixture
def subscriber(setup_session: Session, city_a: Municipality) -> Iterator[Receiver]:
    with Receiver("nhi-secret") as running:
        configure(
            setup_session, city_a.id, SUBSCRIBER, url=running.url, secret="nhi-secret",
            subscription="near_realtime_delta",
        )  # fmt: skip
        yield running


def addressee_notices(db: Database, actor: Actor, count: int, prefix: str = "T") -> list[str]:
    """``count`` 団体内統合宛名 notices (no 宛名 system configured: the subscribers' copies are the delivery)."""
    keys = queue_messages(db, actor, "addressee", count, prefix)
    return [f"{k}@{SUBSCRIBER}" for k in keys]


def test_a_near_realtime_run_sends_the_pending_delta_messages_as_one_ordered_batch(
    delivering: Database, subscriber: Receiver, clerk_a: Actor
) -> None:
    keys = addressee_notices(delivering, clerk_a, 3)
    assert subscriber.state.requests == 0  # nothing before the beat run
    [run] = sweep(delivering, near_realtime=True)
    assert (run.destination, run.sent, run.state) == (SUBSCRIBER, 3, "idle")
    [request] = subscriber.state.received
    assert subscriber.state.requests == 1
    body = request.body
    assert (body["format"], body["kind"], body["destination"], body["sender"]["code"]) == (
        "jumin.batch/1",
        "batch",
        SUBSCRIBER,
        "141003",
    )
    assert request.key == body["batch_key"] == f"141003:{SUBSCRIBER}:batch:1-3" and request.signed
    assert (
        request.seq,
        body["payload"]["count"],
        body["payload"]["first_seq"],
        body["payload"]["last_seq"],
    ) == (
        1,
        3,
        1,
        3,
    )
    inner = body["payload"]["messages"]
    assert [(m["format"], m["seq"], m["idempotency_key"]) for m in inner] == [
        ("jumin.notice/1", n, key) for n, key in enumerate(keys, start=1)
    ]
    assert inner[0]["payload"]["name"] == "髙橋 一郎"  # MJ characters kept (j1190)
    assert {(m.status, m.attempts) for m in messages(delivering, clerk_a, SUBSCRIBER)} == {("sent", 0)}

    more = addressee_notices(delivering, clerk_a, 2, prefix="U")
    assert [r.sent for r in sweep(delivering, near_realtime=True)] == [2]
    second = subscriber.state.received[1]
    assert second.key == f"141003:{SUBSCRIBER}:batch:4-5"
    assert [m["idempotency_key"] for m in second.body["payload"]["messages"]] == more
    assert sweep(delivering, near_realtime=True) == [] and subscriber.state.requests == 2


def test_a_failed_batch_is_retried_whole_after_the_backoff(
    delivering: Database, subscriber: Receiver, clerk_a: Actor
) -> None:
    keys = addressee_notices(delivering, clerk_a, 3)
    subscriber.state.failing = True
    [failed] = sweep(delivering, near_realtime=True)
    assert (failed.state, failed.sent) == ("retry", 0)
    head, *rest = messages(delivering, clerk_a, SUBSCRIBER)
    assert (head.status, head.attempts, head.next_attempt_at is not None) == ("pending", 1, True)
    assert "503" in (head.last_error or "")
    assert [(m.status, m.attempts) for m in rest] == [("pending", 0), ("pending", 0)]
    assert sweep(delivering, near_realtime=True) == []  # the backoff holds the batch
    subscriber.state.failing = False
    make_due(delivering, clerk_a)
    [run] = sweep(delivering, near_realtime=True)
    assert (run.sent, run.state) == (3, "idle")
    assert subscriber.state.requests == 2  # the failed request and the retried batch
    [batch] = subscriber.state.received
    assert [m["idempotency_key"] for m in batch.body["payload"]["messages"]] == keys
    assert {m.status for m in messages(delivering, clerk_a, SUBSCRIBER)} == {"sent"}


def test_a_batch_that_keeps_failing_becomes_a_dead_letter_and_resend_delivers_the_whole_batch(
    delivering: Database,
    subscriber: Receiver,
    clerk_a: Actor,
    supervisor_a: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "2")
    keys = addressee_notices(delivering, clerk_a, 3)
    subscriber.state.failing = True
    sweep(delivering, near_realtime=True)
    make_due(delivering, clerk_a)
    [dead] = sweep(delivering, near_realtime=True)
    assert dead.state == "dead"
    head = messages(delivering, clerk_a, SUBSCRIBER)[0]
    assert (head.status, head.attempts) == ("dead", 2)
    subscriber.state.failing = False
    assert sweep(delivering, near_realtime=True) == []  # a dead head is not retried by the run
    with unit_of_work(delivering, supervisor_a) as uow:
        [letter] = dead_letters(uow)
    assert (letter.id, letter.destination, letter.waiting_behind) == (head.id, SUBSCRIBER, 2)
    with unit_of_work(delivering, supervisor_a) as uow:
        resend(uow, head.id)  # delivery restarts after commit: the head and the two behind it
    [batch] = subscriber.state.received
    assert [m["idempotency_key"] for m in batch.body["payload"]["messages"]] == keys
    assert {m.status for m in messages(delivering, clerk_a, SUBSCRIBER)} == {"sent"}


def test_a_file_drop_subscriber_gets_one_file_per_batch(
    delivering: Database, setup_session: Session, city_a: Municipality, clerk_a: Actor, tmp_path: Path
) -> None:
    configure(
        setup_session, city_a.id, "subscriber:stats", "file_drop", directory=str(tmp_path),
        subscription="near_realtime_delta",
    )  # fmt: skip
    keys = queue_messages(delivering, clerk_a, "addressee", 2)
    sweep(delivering, near_realtime=True)
    [written] = [p.name for p in tmp_path.iterdir()]
    assert written == "141003_subscriber_stats_0000000001.dat"
    text = (tmp_path / written).read_bytes().decode("cp932")
    assert "batch" in text.splitlines()[0]
    for key in keys:
        assert f"{key}@subscriber:stats" in text
