"""What one round trip to PostgreSQL costs: N small INSERTs per transaction, each awaited, then the same
sent in psycopg's pipeline mode (one round trip for the lot).

    .venv/bin/python -m bench.round_trips [--statements 38] [--units 300]

The difference is the price of a statement's round trip alone (the wake-ups, reads and writes of both
processes, and the wait between them), apart from what the statement does: the bound on what sending a
unit of work's statements without waiting for each could save (``bench/cases.py`` sends 38 per 転入 case,
most of them awaited because the next one needs their result).  Uses a scratch table ``bench_round_trip``
in BENCH_DATABASE_URL (default …/jumin_bench_cases), dropped at the end; the server must run on this
machine (its CPU is read from /proc).
"""

from __future__ import annotations

import argparse
import os
import time

import psycopg

from bench.cpu import backend_cpu
from tests.pg_available import ensure_database

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench_cases"


def measure(conn: psycopg.Connection, pid: int, statements: int, units: int, pipeline: bool) -> str:
    cpu, server, start = time.process_time(), backend_cpu(pid), time.perf_counter()
    for _ in range(units):
        cursor = conn.cursor()
        if pipeline:
            with conn.pipeline():
                for n in range(statements):
                    cursor.execute("INSERT INTO bench_round_trip (n, note) VALUES (%s, %s)", (n, "x" * 50))
        else:
            for n in range(statements):
                cursor.execute("INSERT INTO bench_round_trip (n, note) VALUES (%s, %s)", (n, "x" * 50))
        conn.commit()
    wall = (time.perf_counter() - start) / units * 1000
    client = (time.process_time() - cpu) / units * 1000
    backend = (backend_cpu(pid) - server) / units * 1000
    mode = "pipeline" if pipeline else "awaited "
    return (
        f"{mode} {statements} INSERTs + COMMIT: {wall:.2f} ms wall, CPU {client:.2f} ms client + {backend:.2f} ms "
        f"PostgreSQL per unit; load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--statements", type=int, default=38)
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not ensure_database(url):
        raise SystemExit(f"PostgreSQL does not answer at {url}")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_round_trip")
        conn.execute("CREATE TABLE bench_round_trip (id serial PRIMARY KEY, n integer, note text)")
        conn.commit()
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        for _ in range(2):
            for pipeline in (False, True):
                print(measure(conn, int(row[0]), args.statements, args.units, pipeline))
        conn.execute("DROP TABLE bench_round_trip")
        conn.commit()


if __name__ == "__main__":
    main()
