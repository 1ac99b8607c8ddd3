"""Load benchmark: a mixed counter workload over HTTP against gunicorn (4 workers) on the register loaded by
``bench.load_residents`` (PostgreSQL), the app connecting as the non-owner role (row-level security on).

    .venv/bin/python -m bench.load_test [--seconds 60] [--users 16] [--workers 4] [--kill-midway]
                                        [--per-operation N] [--app-role NAME] [--web-threads N] [--warmup N]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench (the owner; default)

Mix per request (--mix counter, the default; --mix reads: searches and views only): resident search 40 %,
record view 30 %, 転入 intake (case opened, numbers proposed) 10 %, approval of an opened case (本登録: 宛名番号,
世帯番号, 住民票コード from the pool, notices) 10 %, certificate issuance (発行番号, PDF rendered) 10 %.  Closed
loop: ``--users`` client processes (``bench.load_client``), each waiting for its answer.  Traffic goes to
127.0.0.1 only and stops after ``--seconds`` or ``--max-requests``; ``--warmup`` requests of the mix go first,
unmeasured (each worker's first certificate lays its form out, statement caches fill); then the tables the mix
writes are vacuumed and analysed (``settle_statistics``: this machine's PostgreSQL runs without autovacuum).

CPU per request (the figure that holds on a shared machine): the gunicorn master and workers and the app
role's PostgreSQL backends from /proc, the client processes from their own getrusage; printed for the mix and,
with ``--per-operation N`` (default 200; 0 skips it), for N requests of each operation run alone afterwards.

``--kill-midway``: half-way through, one gunicorn worker is killed with SIGKILL (gunicorn starts another);
afterwards every acknowledged write (2xx) is looked up in the database: none may be missing.

Prints throughput and p50/p95/p99 per operation, errors, CPU per request and the load average; writes
bench/out/load_test_<mix>.json.  Adds a municipality's bench users, tokens, officials and pool codes to the
register (idempotent).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import random
import resource
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

import models
from bench import cluster
from bench.cpu import CpuSplit, ServerSample, backend_cpu, process_tree_cpu
from bench.load_client import HttpConnection, Prepared, Tally, Workload
from handlers.api_tokens import issue_token
from handlers.context import Actor
from handlers.db import Database
from handlers.passwords import hash_password
from handlers.residents.resident_code_pool import free_code_count, load_pool
from handlers.rules.check_digit import with_m11w27
from handlers.uow import unit_of_work

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench"
OUT = Path(__file__).resolve().parent / "out"
MIXES = {
    "counter": (("search", 40), ("view", 30), ("intake", 10), ("approve", 10), ("certificate", 10)),
    "reads": (("search", 55), ("view", 45)),  # the read side alone, for comparison
}
APP_ROLE = "jumin_app_bench"
BROKER = "redis://127.0.0.1:6379/0"  # notices are published to a queue of the run's own that nobody consumes


def catch_up_schema(db: Database) -> list[str]:
    """The register was loaded with the models of its day: create the tables and add the (nullable) columns
    the models have gained since, so the app of today runs on it.  A benchmark's shortcut, not a migration."""
    from sqlalchemy import inspect

    models.Base.metadata.create_all(db.bind)
    added = []
    with db.bind.begin() as conn:
        inspector = inspect(conn)
        for table in models.Base.metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=conn.dialect)
                    default = column.server_default.arg if column.server_default is not None else None
                    suffix = f" DEFAULT {default.text}" if hasattr(default, "text") else ""
                    conn.execute(
                        text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{suffix}')
                    )
                    added.append(f"{table.name}.{column.name}")
    return added


def prepare(db: Database, codes: int) -> Prepared:
    """Bench users (clerk, supervisor), their tokens, the mayor as 認証者 and ``codes`` fresh pool codes."""
    run = int(time.time()) % 40_000  # keeps pool codes at 10 digits and serials apart between runs
    with unit_of_work(db, Actor.system(0, "bench:load"), cross_tenant=True) as uow:
        city = uow.session.scalars(
            select(models.Municipality).where(models.Municipality.code == "141003")
        ).one()
        city.settings = {**(city.settings or {}), "officials": cluster.OFFICIALS}
        existing = {
            u.login_id: u
            for u in uow.session.scalars(select(models.User).where(models.User.tenant_id == city.id))
        }
        for role in ("clerk", "supervisor", "administrator"):
            if f"bench.{role}" not in existing:
                uow.session.add(models.User(tenant_id=city.id, login_id=f"bench.{role}", display_name=role,
                                            password_hash=hash_password(uuid.uuid4().hex), roles=[role],
                                            totp_enrolled=False))  # fmt: skip
        uow.session.flush()
        users = {
            u.roles[0]: u
            for u in uow.session.scalars(select(models.User).where(models.User.login_id.like("bench.%")))
        }
        tenant_id = city.id
        sample = uow.session.execute(text(
            "SELECT atena_number, kana_key FROM resident TABLESAMPLE SYSTEM (1) WHERE status = 'resident' LIMIT 5000"
        )).all()  # fmt: skip
    admin = Actor(tenant_id, "bench.administrator", users["administrator"].id, frozenset({"administrator"}))
    with unit_of_work(db, admin) as uow:
        tokens = {
            r: issue_token(uow, name=f"load-{run}-{r}", user_id=users[r].id) for r in ("clerk", "supervisor")
        }
    supervisor = Actor(tenant_id, "bench.supervisor", users["supervisor"].id, frozenset({"supervisor"}))
    with unit_of_work(
        db, supervisor
    ) as uow:  # top the pool up to ``codes`` free codes (a CS delivery's size)
        free = free_code_count(uow.session)
        if free < codes:
            load_pool(
                uow, [with_m11w27(f"{9_000_000_000 + run * 20_000 + n:010d}") for n in range(codes - free)]
            )
    prefixes = [k[: random.randint(2, 4)] for _a, k in sample if k]
    return Prepared(tokens, [a for a, _k in sample], prefixes, 500_000 + run * 100_000)


# The tables the mix writes.  Their statistics are those of when they were (nearly) empty until analysed.
WRITTEN_TABLES = ("case", "case_task", "case_event", "workflow_state", "pending_change", "pending_timer",
                  "subject_lock", "outbox_message", "resident", "resident_history", "household",
                  "resident_code_pool_entry", "certificate_issuance", "access_log", "number_sequence")  # fmt: skip


def settle_statistics(owner: Database) -> None:
    """``VACUUM (ANALYZE)`` of the tables the mix writes, as autovacuum does in production.  This machine's
    PostgreSQL runs with ``autovacuum = off`` (a CI setting): without it the planner keeps the statistics of
    tables that were empty when the register was loaded and picks the wrong index (the approval's
    ``UPDATE case_task … WHERE id = …`` scanned the tenant's completed tasks through
    ``ix_case_task_tenant_state_role``)."""
    if owner.dialect != "postgresql":
        return
    with owner.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE) " + ", ".join(f'"{t}"' for t in WRITTEN_TABLES))


class ServerMeter:
    """CPU of the gunicorn processes (master, workers, reaped workers) and of the app role's PostgreSQL
    backends, from /proc.  A thread looks for new backends every second and remembers the last CPU figure of
    each, so a backend that ends with a killed worker still counts."""

    def __init__(self, owner: Database, role: str, master_pid: int) -> None:
        self.owner, self.role, self.master_pid = owner, role, master_pid
        self.backends: dict[int, float] = {}
        self.lock, self.stopped = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ServerMeter:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stopped.set()
        self.thread.join()

    def _watch(self) -> None:
        while not self.stopped.wait(1.0):
            self._poll()

    def _poll(self) -> None:
        with self.owner.bind.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE usename = :r AND datname = "
                                     "current_database()"), {"r": self.role}).scalars().all()  # fmt: skip
        with self.lock:
            for pid in set(pids) | set(self.backends):
                seconds = backend_cpu(pid)
                if seconds:
                    self.backends[pid] = max(seconds, self.backends.get(pid, 0.0))

    def sample(self) -> ServerSample:
        self._poll()
        with self.lock:
            return ServerSample(process_tree_cpu(self.master_pid), sum(self.backends.values()))


def _user(index: int, port: int, prepared: Prepared, ops: list[str], deadline: float, budget: int,
          serials: range, review_tasks: list[int], results: Any) -> None:  # fmt: skip
    """One closed-loop user in its own process: ``budget`` requests or until ``deadline``; its tally and its
    own CPU seconds go back through ``results``."""
    rng = random.Random(f"{prepared.serial_base}-{index}-{serials.start}")
    workload = Workload(prepared, iter(serials), rng)
    workload.tally.review_tasks.extend(review_tasks)
    connection = HttpConnection(port)
    for _ in range(budget):
        if time.time() >= deadline:
            break
        workload.run(rng.choice(ops), connection)
    connection.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((index, workload.tally.plain(), usage.ru_utime + usage.ru_stime))


@dataclass
class Drive:
    tally: Tally
    elapsed: float
    cpu: CpuSplit


def drive(port: int, prepared: Prepared, users: int, seconds: float, max_requests: int, ops: list[str],
          meter: ServerMeter, serial_start: int, review_tasks: list[int] | None = None,
          on_half: Any = None) -> Drive:  # fmt: skip
    """``users`` forked client processes over the mix ``ops`` (one entry per weight unit)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    shares = [review_tasks[i::users] for i in range(users)] if review_tasks else [[] for _ in range(users)]
    budgets = [max_requests // users + (1 if i < max_requests % users else 0) for i in range(users)]
    if ops == ["approve"]:  # approvals alone: each user approves the cases it was handed, no intake instead
        budgets = [min(b, len(share)) for b, share in zip(budgets, shares, strict=True)]
    deadline = time.time() + seconds
    before = meter.sample()
    started = time.perf_counter()
    procs = [
        context.Process(
            target=_user,
            args=(
                i,
                port,
                prepared,
                ops,
                deadline,
                budgets[i],
                range(serial_start + i * SERIALS_PER_USER, serial_start + (i + 1) * SERIALS_PER_USER),
                shares[i],
                results,
            ),
        )  # fmt: skip
        for i in range(users)
    ]
    for proc in procs:
        proc.start()
    if on_half:
        time.sleep(seconds / 2)
        on_half()
    tally, tool_cpu = Tally(), 0.0
    for _ in procs:
        _index, part, cpu = results.get()
        tally.merge(part)
        tool_cpu += cpu
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join()
    after = meter.sample()
    return Drive(tally, elapsed, after.since(before, tool_cpu))


SERIALS_PER_USER = 400  # 転入 serials per user and drive: a run's drives stay inside its 100,000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000 if ordered else 0.0


def summarize(tally: Tally, elapsed: float) -> dict[str, Any]:
    ops = {
        op: {"count": len(v), "per_s": round(len(v) / elapsed, 1), "p50_ms": round(percentile(v, 50), 1),
             "p95_ms": round(percentile(v, 95), 1), "p99_ms": round(percentile(v, 99), 1)}
        for op, v in sorted(tally.timings.items())
    }  # fmt: skip
    every = [t for v in tally.timings.values() for t in v]
    return {"seconds": round(elapsed, 1), "requests": len(every), "req_per_s": round(len(every) / elapsed, 1),
            "p50_ms": round(percentile(every, 50), 1), "p95_ms": round(percentile(every, 95), 1),
            "p99_ms": round(percentile(every, 99), 1), "operations": ops, "errors": dict(tally.errors),
            "error_samples": tally.samples}  # fmt: skip


def missing_acknowledged(db: Database, tally: Tally) -> dict[str, int]:
    """Acknowledged writes (2xx) that the database does not hold: must all be zero."""
    ack = tally.acknowledged
    with unit_of_work(db, Actor.system(0, "bench:check"), cross_tenant=True) as uow:
        s = uow.session
        cases = set(s.scalars(select(models.Case.id).where(models.Case.id.in_(ack["cases"] or [0]))))
        tasks = set(s.scalars(select(models.CaseTask.id).where(
            models.CaseTask.id.in_(ack["approved_tasks"] or [0]), models.CaseTask.state == "completed")))  # fmt: skip
        numbers = set(s.scalars(select(models.CertificateIssuance.issue_number).where(
            models.CertificateIssuance.issue_number.in_(ack["issue_numbers"] or [""]))))  # fmt: skip
    return {"cases": len(set(ack["cases"]) - cases), "approved_tasks": len(set(ack["approved_tasks"]) - tasks),
            "issue_numbers": len(set(ack["issue_numbers"]) - numbers)}  # fmt: skip


def kill_one_worker(master_pid: int) -> int:
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    victim = int(children[0])
    os.kill(victim, signal.SIGKILL)
    return victim


def set_up_register(owner_url: str, role: str) -> tuple[Database, str]:
    """The loaded register made ready for today's app (schema caught up, row-level security on) and the URL
    of the non-owner ``role`` the app connects as."""
    from handlers import rls

    owner = Database.from_url(owner_url)
    print("schema caught up:", catch_up_schema(owner) or "nothing to add")
    with owner.bind.begin() as conn:
        rls.enable_row_level_security(conn)
    return owner, cluster.app_role_url(owner_url, role)


def _requests(tally: Tally) -> int:
    return sum(len(v) for v in tally.timings.values()) + sum(
        n for key, n in tally.errors.items() if key.endswith(":connection")
    )


def per_operation(port: int, prepared: Prepared, args: argparse.Namespace, meter: ServerMeter,
                  review_tasks: list[int], every: Tally) -> dict[str, Any]:  # fmt: skip
    """Each operation of the mix alone, ``args.per_operation`` requests by the same users: CPU per request of
    the server, its backends and the tool.  Approvals take the cases the mix and the intakes left open."""
    order = sorted({op for op, _w in MIXES[args.mix]}, key=lambda op: op == "approve")
    serial, open_tasks, table = (
        prepared.serial_base + 3 * args.users * SERIALS_PER_USER,
        list(review_tasks),
        {},
    )
    for op in order:
        count = min(args.per_operation, len(open_tasks)) if op == "approve" else args.per_operation
        run = drive(port, prepared, args.users, 600.0, count, [op], meter, serial,
                    open_tasks if op == "approve" else None)  # fmt: skip
        serial += args.users * SERIALS_PER_USER
        open_tasks = run.tally.review_tasks if op == "approve" else open_tasks + run.tally.review_tasks
        every.merge(dataclasses.replace(run.tally, review_tasks=[]))
        done = _requests(run.tally)
        table[op] = {"requests": done, "req_per_s": round(done / run.elapsed, 1),
                     "p95_ms": round(percentile(run.tally.timings.get(op, []), 95), 1),
                     "errors": dict(run.tally.errors), "cpu_ms_per_request": run.cpu.per_request_ms(done)}  # fmt: skip
    return table


def _print_cpu(label: str, cpu: dict[str, float]) -> None:
    print(f"{label:12s} CPU-ms per request: server {cpu['server']:6.2f} + backend {cpu['backend']:5.2f} + "
          f"tool {cpu['tool']:5.2f} = {cpu['total']:6.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--web-threads", type=int, default=1, help="gunicorn threads per worker (WEB_THREADS)"
    )
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--warmup", type=int, default=200, metavar="N",
                        help="N requests of the mix before the measured run (workers' first-use caches)")  # fmt: skip
    parser.add_argument("--kill-midway", action="store_true")
    parser.add_argument("--mix", choices=sorted(MIXES), default="counter")
    parser.add_argument("--per-operation", type=int, default=200, metavar="N",
                        help="after the mix, N requests of each operation alone, for CPU per request (0: none)")  # fmt: skip
    parser.add_argument("--app-role", default=APP_ROLE, help="the non-owner role the app connects as")
    args = parser.parse_args()
    owner_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    owner, app_url = set_up_register(owner_url, args.app_role)
    prepared = prepare(owner, codes=5_000)
    queue = f"jumin-load-{uuid.uuid4().hex[:8]}"
    port, logdir = cluster.free_port(), Path(tempfile.mkdtemp(prefix="jumin-load-"))
    env = cluster.process_env(app_url, BROKER, queue, {"WEB_CONCURRENCY": str(args.workers),
                              "WEB_THREADS": str(args.web_threads), "LOG_LEVEL": "WARNING",
                              "PROMETHEUS_MULTIPROC_DIR": str(logdir / "metrics")})  # fmt: skip
    procs = cluster.Processes(logdir, env)
    web = procs.start("web", cluster.gunicorn_argv(port, args.workers))
    killed: list[int] = []
    ops = [op for op, weight in MIXES[args.mix] for _ in range(weight)]
    try:
        cluster.wait_for_http(port)
        on_half = (lambda: killed.append(kill_one_worker(web.pid))) if args.kill_midway else None
        with ServerMeter(owner, args.app_role, web.pid) as meter:
            serial = prepared.serial_base + 2 * args.users * SERIALS_PER_USER  # the per-operation runs: after
            every = Tally()
            if args.warmup:
                warm = drive(port, prepared, args.users, args.seconds, args.warmup, ops, meter, serial)
                every.merge(dataclasses.replace(warm.tally, review_tasks=[]))
                print(f"warm-up: {_requests(warm.tally)} requests in {warm.elapsed:.1f} s")
            settle_statistics(owner)  # after the warm-up grew the tables
            load_before = os.getloadavg()
            mixed = drive(port, prepared, args.users, args.seconds, args.max_requests, ops, meter,
                          prepared.serial_base, on_half=on_half)  # fmt: skip
            load_after = os.getloadavg()
            every.merge(mixed.tally)
            phases = (per_operation(port, prepared, args, meter, mixed.tally.review_tasks, every)
                      if args.per_operation else {})  # fmt: skip
    finally:
        procs.stop_all()
        drop_queue(queue)
    report = summarize(mixed.tally, mixed.elapsed)
    report.update(mix=args.mix, workers=args.workers, web_threads=args.web_threads, users=args.users,
                  killed_worker=killed or None, load_before=[round(x, 2) for x in load_before],
                  load_after=[round(x, 2) for x in load_after],
                  cpu_ms_per_request=mixed.cpu.per_request_ms(_requests(mixed.tally)), per_operation=phases,
                  acknowledged={k: len(v) for k, v in every.acknowledged.items()},
                  missing_acknowledged=missing_acknowledged(owner, every), logs=str(logdir))  # fmt: skip
    with unit_of_work(owner, Actor.system(0, "bench:check"), cross_tenant=True) as uow:
        report["residents"] = int(uow.session.execute(text("SELECT count(*) FROM resident")).scalar_one())
    OUT.mkdir(exist_ok=True)
    name = f"load_test_{args.mix}{'_kill' if args.kill_midway else ''}.json"
    (OUT / name).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    _print_cpu(f"{args.mix} mix", report["cpu_ms_per_request"])
    for op, row in phases.items():
        _print_cpu(op, row["cpu_ms_per_request"])


def drop_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(BROKER)
    client.delete(queue)
    for key in client.scan_iter(f"_kombu.binding.{queue}*"):
        client.delete(key)


if __name__ == "__main__":
    main()
