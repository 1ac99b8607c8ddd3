"""Benchmark: bulk-load N synthetic residents into PostgreSQL and SQLite and print the figures.

    .venv/bin/python -m bench.load_residents --count 1000000
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench (default)

Each database gets a fresh schema (Base.metadata.create_all).  As pg_restore loads a database, the three
loaded tables' secondary indexes and foreign keys are dropped before the load and made again afterwards:
the indexes built (two at a time), then each foreign key added back and so checked over every loaded row
in one pass.  Primary keys, unique keys and the deferrable household-head link stay during the load.  SQLite
keeps its foreign keys during the load (checking them there costs its writer nothing measurable; measured
90 against 91 CPU-µs per resident) and only rebuilds the indexes.  Both times are printed, and the total rate counts both.
Not a test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, ForeignKeyConstraint, Index, text
from sqlalchemy.schema import AddConstraint, DropConstraint

import models
from bench.cpu import BackendWatch, CpuSample, load_average
from handlers.db import make_engine
from handlers.synthetic import LoadReport, bulk_load
from tests.pg_available import ensure_database

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench"
OUT = Path(__file__).resolve().parent / "out"
LOADED_TABLES = ("household", "resident", "resident_history")
YOKOHAMA_WARDS = (("141011", "鶴見区"), ("141020", "神奈川区"), ("141038", "西区"), ("141046", "中区"))


def fresh_schema(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    models.Base.metadata.create_all(engine)


def secondary_indexes() -> list[Index]:
    tables = models.Base.metadata.tables
    return [index for name in LOADED_TABLES for index in tables[name].indexes if not index.unique]


def foreign_keys() -> list[ForeignKeyConstraint]:
    """The loaded tables' foreign keys, but the deferrable household-head link (the loader defers it itself)."""
    tables = models.Base.metadata.tables
    return [fk for name in LOADED_TABLES for fk in tables[name].foreign_key_constraints if not fk.deferrable]


def drop_for_load(engine: Engine) -> tuple[list[Index], list[ForeignKeyConstraint]]:
    indexes, links = secondary_indexes(), foreign_keys()
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
        if engine.dialect.name == "postgresql":
            for link in links:
                conn.execute(DropConstraint(link))
    return indexes, links


def remake_after_load(engine: Engine, indexes: list[Index], links: list[ForeignKeyConstraint]) -> None:
    """Indexes (two builds at a time on PostgreSQL, one per core), then the foreign keys: each ADD checks
    every row at once."""
    if engine.dialect.name == "postgresql":

        def build(index: Index) -> None:
            with engine.begin() as conn:
                index.create(conn)

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(build, indexes))
        with engine.begin() as conn:
            for link in links:
                conn.execute(AddConstraint(link))
            conn.execute(text("ANALYZE"))
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA threads = 2")  # SQLite sorts an index's keys with a helper thread
        for index in indexes:
            index.create(conn)
        conn.execute(text("ANALYZE"))


def add_municipality(engine: Engine) -> int:
    with engine.begin() as conn:
        tenant_id = conn.execute(
            models.Municipality.__table__.insert().returning(models.Municipality.id),
            {
                "code": "141003",
                "name": "横浜市",
                "prefecture": "神奈川県",
                "kind": "designated_city",
                "settings": {},
            },
        ).scalar_one()
        conn.execute(
            models.Ward.__table__.insert(),
            [{"municipality_id": tenant_id, "code": code, "name": name} for code, name in YOKOHAMA_WARDS],
        )
    return int(tenant_id)


def load(engine: Engine, count: int, seed: int, batch: int, processes: int) -> tuple[LoadReport, float]:
    fresh_schema(engine)
    tenant_id = add_municipality(engine)
    indexes, links = drop_for_load(engine)
    watch = BackendWatch.on(engine)
    print(f"load average before: {load_average()}")
    before = CpuSample.take(watch)
    report = bulk_load(engine, tenant_id, count, seed, batch, processes=processes)
    loaded = CpuSample.take(watch)
    print(f"load average after:  {load_average()}")
    print(f"CPU of the load: {loaded.since(before).per_row(count)}")
    started = time.perf_counter()
    remake_after_load(engine, indexes, links)
    print(f"CPU of indexes + foreign keys + ANALYZE: {CpuSample.take(watch).since(loaded).per_row(count)}")
    return report, time.perf_counter() - started


def print_report(label: str, report: LoadReport, index_seconds: float) -> None:
    total = report.seconds + index_seconds
    print(f"[{label}] residents      {report.residents:>12,}")
    print(
        f"[{label}] households     {report.households:>12,}  ({report.residents / report.households:.2f} persons each)"
    )
    print(f"[{label}] history rows   {report.history_rows:>12,}")
    print(
        f"[{label}] load           {report.seconds:>12.1f} s   {report.residents_per_second:>10,.0f} residents/s"
    )
    print(f"[{label}] indexes+keys   {index_seconds:>12.1f} s   (indexes, foreign keys checked, ANALYZE)")
    print(f"[{label}] total          {total:>12.1f} s   {report.residents / total:>10,.0f} residents/s")


def peak_rss_mib() -> tuple[float, float]:
    """Peak RSS of this process and of its (generator) children, MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2, help="generator processes")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_pg:
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
        ensure_database(url)
        engine = make_engine(url)
        report, index_seconds = load(engine, args.count, args.seed, args.batch, args.processes)
        print_report("postgresql", report, index_seconds)
        engine.dispose()
    if not args.skip_sqlite:
        path = OUT / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        report, index_seconds = load(engine, args.count, args.seed, args.batch, args.processes)
        print_report("sqlite", report, index_seconds)
        print(f"[sqlite] file size      {path.stat().st_size / 2**20:>12,.0f} MiB")
        engine.dispose()
    own, children = peak_rss_mib()
    print(f"peak RSS: loader {own:,.0f} MiB, largest generator process {children:,.0f} MiB")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"CPU: loader {me.ru_utime + me.ru_stime:,.0f} s, generators {kids.ru_utime + kids.ru_stime:,.0f} s "
          f"(database server not included)")  # fmt: skip


if __name__ == "__main__":
    main()
