"""CPU per request of each operation of the load mix, in process: the Flask test client against the register
of ``bench.load_test`` (PostgreSQL, the app as the non-owner role, row-level security on), no HTTP server.

    .venv/bin/python -m bench.api_profile [--requests 200] [--profile DIR] [--ops search,view,...]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench (the owner; default)

For each operation: ``--warmup`` requests, then ``--requests`` measured ones; prints the process CPU and the
PostgreSQL backend CPU per request (``/proc``), the SQL statements per request and the load average.
``--profile DIR`` writes one cProfile file per operation (``DIR/<op>.prof``) and prints its top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench import load_test
from bench.cpu import BackendWatch, load_average
from bench.load_client import Workload
from handlers.db import Database


def _count_statements(engine: Any, shown: list[str]) -> list[int]:
    counter = [0]

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counter[0] += 1
        shown.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", count)
    return counter


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--ops", default="search,view,intake,approve,certificate")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument(
        "--show-statements", action="store_true", help="print the SQL of one request per operation"
    )
    parser.add_argument("--app-role", default=load_test.APP_ROLE)
    args = parser.parse_args()
    owner_url = os.environ.get("BENCH_DATABASE_URL", load_test.DEFAULT_URL)
    owner, app_url = load_test.set_up_register(owner_url, args.app_role)
    # each approval takes three codes (a family of three): warm-up and measured approvals, with a margin
    prepared = load_test.prepare(owner, codes=max(500, 4 * (args.requests + args.warmup)))
    load_test.settle_statistics(owner)
    # Notices are published to a queue nobody consumes, as in bench.load_test (no delivery in the request).
    queue = f"jumin-profile-{uuid.uuid4().hex[:8]}"
    os.environ.update(DATABASE_URL=app_url, SECRET_KEY="profile-secret", LOG_LEVEL="WARNING",
                      CELERY_BROKER_URL=load_test.BROKER, CELERY_QUEUE=queue)  # fmt: skip
    try:
        _profile(args, prepared, app_url)
    finally:
        load_test.drop_queue(queue)


def _profile(args: argparse.Namespace, prepared: Any, app_url: str) -> None:
    from webui.app import create_app

    db = Database.from_url(app_url)
    watch = BackendWatch.on(db.bind)
    shown: list[str] = []
    statements = _count_statements(db.bind, shown)
    app = create_app({"RATE_LIMITS_ENABLED": False}, db=db)
    client = app.test_client()
    workload = Workload(prepared)

    def call(method: str, path: str, token: str, body: Any) -> tuple[int, Any]:
        response = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.get_json(silent=True)

    print(f"load average {load_average()}")
    for op in args.ops.split(","):
        for _ in range(args.warmup):
            workload.run(op, call)
        if op == "approve":
            workload.ensure_open_cases(args.requests, call)
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        cpu0, backend0, stmts0, wall0 = (
            time.process_time(),
            watch.seconds(),
            statements[0],
            time.perf_counter(),
        )
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            workload.run(op, call)
        if profiler:
            profiler.disable()
        n = args.requests
        cpu, backend = time.process_time() - cpu0, watch.seconds() - backend0
        print(f"{op:12s} {1000 * cpu / n:6.2f} + backend {1000 * backend / n:5.2f} CPU-ms per request, "
              f"{(statements[0] - stmts0) / n:5.1f} statements, {1000 * (time.perf_counter() - wall0) / n:6.1f} "
              f"ms wall, errors {dict(workload.tally.errors) or 0}, load {load_average()}")  # fmt: skip
        if args.show_statements:
            shown.clear()
            workload.run(op, call)
            print("\n".join(f"    {line}" for line in shown))
        if profiler and args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(args.profile / f"{op}.prof")
            stats = pstats.Stats(profiler)
            print(f"{op:12s} {stats.total_calls / n:,.0f} Python calls per request (cProfile)")  # type: ignore[attr-defined]
            stats.sort_stats("cumulative").print_stats(12)


if __name__ == "__main__":
    main()
