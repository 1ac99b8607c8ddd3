"""Benchmark (issue 9): statistics as of a past date, an extraction of 100,000 rows to CSV, a CSV intake of
10,000 rows, and the counter's kana-search latency while an extraction runs, on the register loaded by
``bench.load_residents`` (PostgreSQL).

    .venv/bin/python -m bench.statistics [--intake-rows 10000] [--searches 300]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench (default)

Each measured part runs in a fresh interpreter (``--part``), so its peak RSS is that part's own (the import
baseline is printed too).  The parts go through the handlers as the doors do:

- statistics: ``population_on`` (population, ages, households, 中長期在留者) on ``--on`` and ``changes_between``
  over the fiscal year ending that day;
- extraction: an analyst's job (``create_extraction_job`` + ``run_extraction_job``, chunks of 2,000, each chunk
  and each progress update its own transaction) selecting the first 100,000 宛名番号, to CSV UTF-8;
- intake: ``import_csv`` of ``--intake-rows`` 住民異動届 rows (each a 転入 case through ``open_case``), inside an
  outer transaction rolled back at the end so the bench register keeps no cases (the final COMMIT is the only
  work not measured);
- latency: ``bench.search_latency``'s signed-in clerk searches by kana prefix, first idle, then while the
  extraction part runs in another process (the Celery worker's place).

Creates missing tables (the reporting tables) and a bench analyst user; changes nothing else.  Not a test: it
prints, it does not assert.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from sqlalchemy import select, text

import models
from bench.load_residents import DEFAULT_PG
from bench.search_latency import ensure_clerk, percentile, sample_prefixes, signed_in_client
from handlers.auth import actor_for_user
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database
from handlers.passwords import hash_password
from handlers.uow import unit_of_work

ANALYST = "bench.analyst"
EXTRACT_ROWS = 100_000


def bench_db() -> Database:
    return Database.from_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyst(db: Database) -> Actor:
    """The bench analyst of 横浜市 (created once)."""
    with unit_of_work(db, Actor.system(0, "bench"), cross_tenant=True) as uow:
        tenant_id = uow.session.scalar(
            select(models.Municipality.id).where(models.Municipality.code == "141003")
        )
        if tenant_id is None:
            raise SystemExit("no 横浜市 in the database: run bench.load_residents first")
        user = uow.session.scalars(select(models.User).where(models.User.login_id == ANALYST)).one_or_none()
        if user is None:
            user = models.User(tenant_id=tenant_id, login_id=ANALYST, display_name="性能測定（分析）",
                               password_hash=hash_password("bench-analyst-2026"), roles=["analyst"])  # fmt: skip
            uow.session.add(user)
            uow.session.flush()
        return actor_for_user(user)


def part_statistics(db: Database, on: dt.date) -> dict[str, Any]:
    from handlers.statistics import changes_between, population_on

    actor = analyst(db)
    started = time.perf_counter()
    with unit_of_work(db, actor) as uow:
        population = population_on(uow, on)
    middle = time.perf_counter()
    start = dt.date(on.year - 1, on.month, on.day) + dt.timedelta(days=1)
    with unit_of_work(db, actor) as uow:
        changes = changes_between(uow, start, on)
    done = time.perf_counter()
    return {"population_s": middle - started, "changes_s": done - middle, "present": population.total,
            "households": sum(population.households.values()), "changes": sum(changes.counts.values()),
            "period": f"{start}..{on}"}  # fmt: skip


def part_extraction(db: Database) -> dict[str, Any]:
    from handlers.extraction import create_extraction_job, run_extraction_job

    actor = analyst(db)
    with db.bind.connect() as conn:
        last = conn.execute(
            text("SELECT atena_number FROM resident ORDER BY atena_number OFFSET :n LIMIT 1"),
            {"n": EXTRACT_ROWS - 1},
        ).scalar_one()
    started = time.perf_counter()
    with unit_of_work(db, actor) as uow:
        job_id = create_extraction_job(
            uow, {"field": "atena_number", "op": "le", "value": last}, "csv_utf8"
        ).id
    run_extraction_job(db, actor.tenant_id, job_id)
    elapsed = time.perf_counter() - started
    with unit_of_work(db, actor) as uow:
        job = uow.session.get(models.ExtractionJob, job_id)
        assert job is not None and job.status == "done", job and job.error
        return {"seconds": elapsed, "rows": job.row_count, "bytes": len(job.result or b""), "job_id": job_id}


def intake_csv(rows: int) -> bytes:
    from handlers.csv_intake.layouts import CHANGE_NOTICE
    from tests.factories import valid_resident_code

    moved = (japan_today() - dt.timedelta(days=3)).isoformat()
    lines = [",".join(CHANGE_NOTICE)]
    for n in range(rows):
        values = {"申請番号": f"B{n:06d}", "異動日": moved, "届出日": japan_today().isoformat(),
                  "住所": f"神奈川県横浜市中区港町1丁目{n % 50 + 1}番地", "郵便番号": "2310017", "方書": "",
                  "前住所": "長野県佐久市中込1番地", "前住所市区町村コード": "202118", "転出予定日": moved,
                  "氏": "取込", "名": "太郎", "氏フリガナ": "トリコミ", "名フリガナ": "タロウ", "生年月日": "1980-04-01",
                  "性別": "1", "続柄": "世帯主", "本籍": "東京都千代田区千代田1番", "筆頭者": "取込 太郎",
                  "住民票コード": valid_resident_code()}  # fmt: skip
        lines.append(",".join(values[c] for c in CHANGE_NOTICE))
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def part_intake(db: Database, rows: int) -> dict[str, Any]:
    """The import inside an outer transaction that is rolled back (sessions commit into SAVEPOINTs)."""
    from handlers.csv_intake.intake import import_csv

    data = intake_csv(rows)
    with db.bind.connect() as conn:
        outer = conn.begin()
        scoped = Database(conn, join_transaction_mode="create_savepoint")
        with unit_of_work(scoped, Actor.system(0, "bench"), cross_tenant=True) as uow:
            clerk = actor_for_user(
                uow.session.scalars(select(models.User).where(models.User.login_id == "bench.clerk")).one()
            )
        started = time.perf_counter()
        with unit_of_work(scoped, clerk) as uow:
            report = import_csv(uow, "change_notice", "bench.csv", data)
        elapsed = time.perf_counter() - started
        outer.rollback()
    return {"seconds": elapsed, "rows": rows, "created": report.created, "problems": len(report.problems),
            "bytes": len(data)}  # fmt: skip


def run_part(part: str, *extra: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.statistics", "--part", part, *extra], check=True,
                         capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def search_timings(client: Any, prefixes: list[str], keep_going: Any = None) -> list[float]:
    timings: list[float] = []
    for prefix in prefixes:
        if keep_going is not None and not keep_going():
            break
        started = time.perf_counter()
        response = client.get("/residents/search", query_string={"kana": prefix})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (prefix, response.status_code)
    return timings


def latency(db: Database, searches: int) -> dict[str, Any]:
    """Kana search p50/p95 idle, then while the extraction part runs in another process."""
    client = signed_in_client(db)
    prefixes = sample_prefixes(db, 2 * searches + 20, seed=7)
    search_timings(client, prefixes[:20])  # warm-up
    idle = search_timings(client, prefixes[20 : 20 + searches])
    worker = subprocess.Popen([sys.executable, "-m", "bench.statistics", "--part", "extraction"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(2.0)  # past the worker's start-up, into the chunks
    busy = search_timings(client, prefixes[20 + searches :] * 5, keep_going=lambda: worker.poll() is None)
    out, _ = worker.communicate()
    figures = {name: {"p50": percentile(t, 50), "p95": percentile(t, 95), "n": len(t)}
               for name, t in (("idle", idle), ("during_extraction", busy))}  # fmt: skip
    figures["extraction"] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["baseline", "statistics", "extraction", "intake"])
    parser.add_argument("--on", type=dt.date.fromisoformat, default=dt.date(2025, 3, 31))
    parser.add_argument("--intake-rows", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=300)
    args = parser.parse_args()
    db = bench_db()
    if args.part:
        result = {"baseline": lambda: {}, "statistics": lambda: part_statistics(db, args.on),
                  "extraction": lambda: part_extraction(db), "intake": lambda: part_intake(db, args.intake_rows)}[args.part]()  # fmt: skip
        print(json.dumps({**result, "peak_rss_mib": round(peak_rss_mib())}, ensure_ascii=False))
        return
    models.Base.metadata.create_all(db.bind)  # the reporting tables, if the register predates them
    ensure_clerk(db)
    analyst(db)
    with db.bind.connect() as conn:
        residents = conn.execute(text("SELECT count(*) FROM resident")).scalar_one()
    print(f"register: {residents:,} residents; load average {os.getloadavg()}")
    for part, extra in (("baseline", []), ("statistics", ["--on", args.on.isoformat()]), ("extraction", []),
                        ("intake", ["--intake-rows", str(args.intake_rows)])):  # fmt: skip
        print(part, json.dumps(run_part(part, *extra), ensure_ascii=False), f"load {os.getloadavg()[0]:.2f}")
    figures = latency(db, args.searches)
    ratio = figures["during_extraction"]["p50"] / figures["idle"]["p50"]
    print("kana search latency", json.dumps(figures, ensure_ascii=False))
    print(f"p50 during/idle = {ratio:.2f} (limit 1.5); load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
