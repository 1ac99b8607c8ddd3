"""Harness for tests and the benchmark with a REAL Celery worker on Redis or RabbitMQ: a committed database of its own
(a file SQLite, or a schema of its own on the suite's PostgreSQL), the worker as a subprocess, and a producer
that dispatches deliveries through the broker."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

import models
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.outbox_dispatch import install_dispatcher
from handlers.settings import Settings
from handlers.uow import unit_of_work
from models.integration import IntegrationDestination
from models.tenant import Municipality
from worker.celery_app import make_celery

ROOT = Path(__file__).resolve().parents[2]
# A queue of this process only: two suites (SQLite and PostgreSQL, or two checkouts) may run their workers on the
# same broker at once, and neither may take, or flush away, the other's messages.
QUEUE = f"jumin-test-{uuid.uuid4().hex[:12]}"


def _answers(host: str, port: int, greeting: bytes, reply: bytes, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(greeting)
            return conn.recv(16).startswith(reply)
    except OSError:
        return False


@dataclass(frozen=True)
class Broker:
    """A broker the production configuration allows (README: Redis or RabbitMQ), as the tests reach it."""

    name: str
    url: str
    host: str
    port: int

    def answers(self, timeout: float = 1.0) -> bool:
        if self.name == "redis":
            return _answers(self.host, self.port, b"PING\r\n", b"+PONG", timeout)
        amqp_0_9_1, connection_start = b"AMQP\x00\x00\x09\x01", b"\x01\x00\x00"
        return _answers(self.host, self.port, amqp_0_9_1, connection_start, timeout)

    def flush(self) -> None:
        """Drop this process's queue (its messages and bindings) and nothing else."""
        if self.name == "redis":
            import redis

            client = redis.Redis.from_url(self.url)
            try:
                keys = [
                    QUEUE,
                    *client.scan_iter(f"{QUEUE}\x06\x16*"),
                    *client.scan_iter(f"_kombu.binding*.{QUEUE}"),
                ]
                client.delete(*keys)
            finally:
                client.close()
            return
        # Emptied, not deleted: a producer that has declared the queue once does not declare it again, and
        # RabbitMQ would drop what it then publishes to a deleted exchange.  The queue goes at exit.
        self.on_channel(lambda channel: channel.queue_purge(QUEUE))
        _delete_queue_at_exit(self)

    def on_channel(self, action: Callable[[Any], object]) -> None:
        from amqp.exceptions import NotFound
        from kombu import Connection

        with (
            Connection(self.url, connect_timeout=5) as conn,
            contextlib.suppress(NotFound),
        ):  # none declared yet
            action(conn.default_channel)


@functools.cache
def _delete_queue_at_exit(broker: Broker) -> None:
    atexit.register(
        broker.on_channel, lambda channel: (channel.queue_delete(QUEUE), channel.exchange_delete(QUEUE))
    )


REDIS = Broker("redis", "redis://127.0.0.1:6379/13", "127.0.0.1", 6379)
RABBITMQ = Broker("rabbitmq", "amqp://guest:guest@127.0.0.1:5672//", "127.0.0.1", 5672)
BROKERS = (REDIS, RABBITMQ)


def redis_answers(timeout: float = 1.0) -> bool:
    return REDIS.answers(timeout)


def flush_broker(broker: Broker = REDIS) -> None:
    broker.flush()


@contextmanager
def committed_database(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """A database whose data is really committed: a schema of its own on the suite's PostgreSQL
    (JUMIN_TEST_DATABASE_URL), else a file SQLite; dropped afterwards."""
    base = os.environ.get("JUMIN_TEST_DATABASE_URL")
    schema = f"worker_{uuid.uuid4().hex[:10]}"
    if base and base.startswith("postgresql"):
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    else:
        admin, url = None, f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine: Engine = make_engine(url, pool_pre_ping=True)
    models.Base.metadata.create_all(engine)
    try:
        yield url, Database(engine)
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def make_tenant(db: Database, receiver_url: str, secret: str, name: str = "cs") -> int:
    with unit_of_work(db, Actor.system(0, "test"), cross_tenant=True) as uow:
        city = Municipality(code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city")
        uow.session.add(city)
        uow.session.flush()
        uow.session.add(
            IntegrationDestination(
                tenant_id=city.id, name=name, kind="http_json", url=receiver_url, secret=secret, enabled=True
            )
        )
        return city.id


def dispatch_through_broker(db: Database, broker: Broker = REDIS) -> Callable[[str, list[Any]], None]:
    """Install a dispatcher on ``db`` that queues the delivery task on ``broker``; returns a task sender."""
    producer = make_celery(Settings(database_url="unused", celery_broker_url=broker.url))

    def send(task: str, args: list[Any]) -> None:
        producer.send_task(task, args=args, queue=QUEUE)

    install_dispatcher(
        db,
        lambda tenant_id, destinations: send("jumin.outbox.deliver_destinations", [tenant_id, destinations]),
    )
    return send


class Worker:
    """``celery -A worker.celery_app worker --pool=solo`` as a subprocess, stopped by its own pid."""

    def __init__(self, database_url: str, log_path: Path, broker: Broker = REDIS, **env: str) -> None:
        self.env = {
            **os.environ,
            "CELERY_BROKER_URL": broker.url,
            "CELERY_QUEUE": QUEUE,
            "DATABASE_URL": database_url,
            "CELERY_VISIBILITY_TIMEOUT": "5",
            **env,
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "--pool=solo",
             "--concurrency=1", "-n", f"{QUEUE}@%h", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
