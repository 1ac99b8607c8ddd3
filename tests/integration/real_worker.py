"""Harness for tests and the benchmark with a REAL Celery worker on Redis: a committed database of its own
(a file SQLite, or a schema of its own on the suite's PostgreSQL), the worker as a subprocess, and a producer
that dispatches deliveries through the broker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = 13
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
# A queue of this process only: two suites (SQLite and PostgreSQL, or two checkouts) may run their workers on the
# same Redis at once, and neither may take, or flush away, the other's messages.
QUEUE = f"jumin-test-{uuid.uuid4().hex[:12]}"


def redis_answers(timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def flush_broker() -> None:
    """Drop this process's queue (its messages, priority lists and exchange bindings), and nothing else."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    try:
        keys = [QUEUE, *client.scan_iter(f"{QUEUE}\x06\x16*"), *client.scan_iter(f"_kombu.binding*.{QUEUE}")]
        client.delete(*keys)
    finally:
        client.close()


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


def dispatch_through_broker(db: Database) -> Callable[[str, list[Any]], None]:
    """Install a dispatcher on ``db`` that queues the delivery task on Redis; returns a task sender."""
    producer = make_celery(Settings(database_url="unused", celery_broker_url=BROKER_URL))

    def send(task: str, args: list[Any]) -> None:
        producer.send_task(task, args=args, queue=QUEUE)

    install_dispatcher(
        db,
        lambda tenant_id, destinations: send("jumin.outbox.deliver_destinations", [tenant_id, destinations]),
    )
    return send


class Worker:
    """``celery -A worker.celery_app worker --pool=solo`` as a subprocess, stopped by its own pid."""

    def __init__(self, database_url: str, log_path: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "CELERY_BROKER_URL": BROKER_URL,
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
             "--concurrency=1", "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
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
