"""Outbox delivery end to end: one real Celery worker on Redis, a local HTTP receiver, a burst of notices.

    .venv/bin/python -m bench.outbox [--count 10000] [--batch 500]

The burst is written as direct outbox inserts (``OutboxMessage`` rows with their per-destination ``seq``, as
the 本登録 writes them) committed in batches of ``--batch``, each batch dispatching a delivery after commit,
not as 10,000 full registrations through the case flows.  Database: a schema of its own on
JUMIN_TEST_DATABASE_URL (PostgreSQL) when set, else a file SQLite.  Prints notices per second (first commit to
last delivery) and the lag from commit to arrival (p50, p99).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from handlers.context import Actor
from handlers.uow import unit_of_work
from tests.integration.conftest import queue
from tests.integration.real_worker import (
    Worker,
    committed_database,
    dispatch_through_broker,
    flush_broker,
    make_tenant,
    redis_answers,
    wait_until,
)
from tests.integration.receiver import Receiver


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(count: int, batch: int) -> dict[str, float]:
    flush_broker()
    with (
        tempfile.TemporaryDirectory() as tmp,
        committed_database(Path(tmp)) as (url, db),
        Receiver() as receiver,
    ):
        tenant_id = make_tenant(db, receiver.url, receiver.state.secret)
        dispatch_through_broker(db)
        worker = Worker(url, Path(tmp) / "worker.log").start()
        committed: dict[str, float] = {}
        try:
            time.sleep(3)  # let the worker connect before the clock starts
            start = time.monotonic()
            for first in range(0, count, batch):
                size = min(batch, count - first)
                with unit_of_work(db, Actor.system(tenant_id, "bench")) as uow:
                    keys = queue(uow, "cs", size, prefix=f"B{first}")
                now = time.monotonic()
                committed.update(dict.fromkeys(keys, now))
            wait_until(lambda: len(receiver.state.received) >= count, 1800, "every notice")
        finally:
            worker.stop()
        received = receiver.state.received
        lags = [r.at - committed[r.key] for r in received]
        elapsed = max(r.at for r in received) - start
        in_order = [r.seq for r in received] == list(range(1, count + 1))
    return {
        "count": count,
        "per_second": count / elapsed,
        "elapsed": elapsed,
        "p50": statistics.median(lags),
        "p99": percentile(lags, 0.99),
        "in_order": float(in_order),
        "duplicates": float(receiver.state.duplicates),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    if not redis_answers():
        raise SystemExit("Redis does not answer on 127.0.0.1:6379")
    figures = run(args.count, args.batch)
    print(
        f"{figures['count']:.0f} notices in {figures['elapsed']:.1f} s: {figures['per_second']:.0f} notices/s; "
        f"lag p50 {figures['p50']:.2f} s, p99 {figures['p99']:.2f} s; "
        f"in order: {bool(figures['in_order'])}; duplicates at the receiver: {figures['duplicates']:.0f}"
    )


if __name__ == "__main__":
    main()
