"""Export and import of a whole tenant on PostgreSQL: time, rate and peak memory of each phase.

    .venv/bin/python -m bench.portability [--format csv|jsonl]
    BENCH_DATABASE_URL        source, holding a loaded register (bench.load_residents); default jumin_bench
    BENCH_IMPORT_DATABASE_URL target, DROPPED and recreated; default jumin_bench_portability

Each phase runs in a forked child so its peak RSS is its own: export from the source, import into an empty
municipality of the same code in the target database, export again from the target and compare every file's
sha256 with the first export (the access log up to the first export's last row).  Each phase also prints its
CPU-µs per resident: the phase process and its PostgreSQL backend (read from /proc: same machine only).

    --skip-export   import the files of the previous run's first export again (iterating on the import)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

import models
from bench.cpu import BackendWatch, CpuSample, load_average
from bench.load_residents import DEFAULT_PG, fresh_schema
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.portability import export_tenant, import_tenant
from handlers.uow import unit_of_work
from tests.pg_available import ensure_database

DEFAULT_TARGET = "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench_portability"
OUT = Path(__file__).resolve().parent / "out" / "portability"


def _tenant(db: Database, code: str) -> models.Municipality:
    with unit_of_work(db, Actor.system(0), cross_tenant=True) as uow:
        found = uow.session.scalars(select(models.Municipality).where(models.Municipality.code == code)).one()
        found.wards  # noqa: B018 - loaded before the session closes
        return found


def _export(url: str, code: str, directory: Path, fmt: str, through: int | None) -> dict[str, Any]:
    engine = make_engine(url)
    watch = BackendWatch.on(engine)
    db = Database(engine)
    tenant = _tenant(db, code)
    before = CpuSample.take(watch)
    with unit_of_work(db, Actor.system(tenant.id, "bench-export")) as uow:
        report = export_tenant(uow, directory, fmt, access_log_through=through)
    return {"counts": report.counts, "cpu": CpuSample.take(watch).since(before)}


def _import(url: str, directory: Path) -> dict[str, Any]:
    engine = make_engine(url)
    watch = BackendWatch.on(engine)
    db = Database(engine)
    code = json.loads((directory / "manifest.json").read_text())["municipality_code"]
    tenant = _tenant(db, code)
    before = CpuSample.take(watch)
    report = import_tenant(lambda: unit_of_work(db, Actor.system(tenant.id, "bench-import")), directory)
    return {
        "counts": report.counts,
        "relinked": report.chain_relinked,
        "verified": report.chain_rows_verified,
        "cpu": CpuSample.take(watch).since(before),
    }


def _prepare_target(source_url: str, target_url: str, code: str) -> None:
    ensure_database(target_url)
    engine = make_engine(target_url)
    fresh_schema(engine)
    source = _tenant(Database(make_engine(source_url)), code)
    with engine.begin() as conn:
        conn.execute(models.Municipality.__table__.insert(), {"id": source.id, "code": source.code, "name": source.name,
                     "prefecture": source.prefecture, "kind": source.kind, "settings": source.settings})  # fmt: skip
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('municipality', 'id'), :n)"), {"n": source.id}
        )
        conn.execute(models.Ward.__table__.insert(), [{"municipality_id": source.id, "code": w.code, "name": w.name}
                                                      for w in source.wards])  # fmt: skip
    engine.dispose()


def _child(queue: Any, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    started = time.perf_counter()
    result = work(*args)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((result, time.perf_counter() - started, rss))


def run_phase(label: str, work: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, work, args))
    process.start()
    result, seconds, rss = queue.get()
    process.join()
    print(f"[{label}] {seconds:,.1f} s, peak RSS {rss:,.0f} MiB, load average {load_average()}")
    return result, seconds


def _sizes(directory: Path) -> str:
    return ", ".join(f"{p.name} {p.stat().st_size / 2**20:,.0f} MiB" for p in sorted(directory.iterdir())
                     if p.stat().st_size > 2**20)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", dest="fmt", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--tenant", default="141003")
    parser.add_argument("--skip-export", action="store_true", help="import the previous first export again")
    args = parser.parse_args()
    source = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    target = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_TARGET)
    first, second = OUT / f"first-{args.fmt}", OUT / f"second-{args.fmt}"
    for directory in (first, second) if not args.skip_export else (second,):
        directory.mkdir(parents=True, exist_ok=True)
        for path in directory.iterdir():
            path.unlink()
    if args.skip_export:
        manifest = json.loads((first / "manifest.json").read_text())
        counts = {f["name"]: f["rows"] for f in manifest["files"]}
    else:
        exported, export_seconds = run_phase("export", _export, source, args.tenant, first, args.fmt, None)
        counts = exported["counts"]
        print(
            f"  {counts}\n  {counts['residents'] / export_seconds:,.0f} residents/s; files: {_sizes(first)}"
        )
        print(f"  CPU: {exported['cpu'].per_row(counts['residents'])}")
    residents = counts["residents"]
    _prepare_target(source, target, args.tenant)
    imported, import_seconds = run_phase("import", _import, target, first)
    print(f"  {residents / import_seconds:,.0f} residents/s (target 20,000); chain verified "
          f"{imported['verified']} rows, relinked={imported['relinked']}")  # fmt: skip
    print(f"  CPU: {imported['cpu'].per_row(residents)}")
    again, _seconds = run_phase(
        "re-export", _export, target, args.tenant, second, args.fmt, counts["access_log"]
    )
    print(f"  CPU: {again['cpu'].per_row(residents)}")
    old = {f["name"]: f["sha256"] for f in json.loads((first / "manifest.json").read_text())["files"]}
    new = {f["name"]: f["sha256"] for f in json.loads((second / "manifest.json").read_text())["files"]}
    print(
        f"round trip byte-identical: {old == new}"
        + ("" if old == new else f" (differ: {[k for k in old if old[k] != new[k]]})")
    )


if __name__ == "__main__":
    main()
