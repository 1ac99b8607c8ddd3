"""Load benchmark: a mixed counter workload over HTTP against gunicorn (4 workers) on the register loaded by
``bench.load_residents`` (PostgreSQL), the app connecting as the non-owner role (row-level security on).

    .venv/bin/python -m bench.load_test [--seconds 60] [--users 16] [--workers 4] [--kill-midway]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench (the owner; default)

Mix per request (--mix counter, the default; --mix reads: searches and views only): resident search 40 %, record view 30 %, 転入 intake (case opened, numbers proposed) 10 %,
approval of an opened case (本登録: 宛名番号, 世帯番号, 住民票コード from the pool, notices) 10 %, certificate
issuance (発行番号, PDF rendered) 10 %.  Closed loop: ``--users`` client threads, each waiting for its answer.
Traffic goes to 127.0.0.1 only and stops after ``--seconds`` or ``--max-requests``.

``--kill-midway``: half-way through, one gunicorn worker is killed with SIGKILL (gunicorn starts another);
afterwards every acknowledged write (2xx) is looked up in the database: none may be missing.

Prints throughput and p50/p95/p99 per operation, errors, and the load average; writes bench/out/load_test.json.
Adds a municipality's bench users, tokens, officials and pool codes to the register (idempotent).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select, text

import models
from bench import cluster
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


@dataclass
class Prepared:
    tokens: dict[str, str]
    atena_numbers: list[str]
    kana_prefixes: list[str]
    serial_base: int


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
    return Prepared(tokens, [a for a, _k in sample], prefixes, 500_000 + run * 20_000)


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    acknowledged: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    review_tasks: list[int] = field(default_factory=list)  # opened cases waiting for approval (client side)
    samples: dict[str, str] = field(default_factory=dict)  # the first answer of each kind of error


class Client:
    def __init__(self, port: int, prepared: Prepared, tally: Tally, serials: Any) -> None:
        self.port, self.p, self.tally, self.serials = port, prepared, tally, serials
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, op: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
        started = time.perf_counter()
        try:
            status, payload = cluster.request(
                "127.0.0.1", self.port, method, path, body, token, conn=self.conn
            )
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.tally.errors[f"{op}:connection"] += 1
            return 0, None
        self.tally.timings[op].append(time.perf_counter() - started)
        if status >= 400:
            self.tally.errors[f"{op}:{status}"] += 1
            self.tally.samples.setdefault(f"{op}:{status}", str(payload)[:300])
        return status, payload

    def run_one(self, op: str) -> None:  # noqa: C901 - one branch per operation of the mix
        clerk, supervisor = self.p.tokens["clerk"], self.p.tokens["supervisor"]
        if op == "approve" and not self.tally.review_tasks:
            op = "intake"
        if op == "search":
            self.call(op, "GET", f"/api/residents?kana={quote(random.choice(self.p.kana_prefixes))}", clerk)
        elif op == "view":
            self.call(op, "GET", f"/api/residents/{random.choice(self.p.atena_numbers)}", clerk)
        elif op == "intake":
            status, case = self.call(op, "POST", "/api/cases", clerk,
                                     {"change_type": "move_in", "intake": cluster.move_in_intake(next(self.serials))})  # fmt: skip
            if status == 201:
                self.tally.acknowledged["cases"].append(case["id"])
                review = [t["id"] for t in case["tasks"] if t["bpmn_id"] == "review_move_in"]
                self.tally.review_tasks.extend(review)
        elif op == "approve":
            try:
                task_id = self.tally.review_tasks.pop()
            except IndexError:  # another client thread took the last one
                return self.run_one("intake")
            status, _ = self.call(op, "POST", f"/api/tasks/{task_id}/complete", supervisor,
                                  {"decision": "approve", "acknowledgements": []})  # fmt: skip
            if status == 200:
                self.tally.acknowledged["approved_tasks"].append(task_id)
        elif op == "certificate":
            status, issued = self.call(op, "POST", "/api/certificates", clerk,
                                       {"certificate_type": "copy_individual",
                                        "subjects": [random.choice(self.p.atena_numbers)]})  # fmt: skip
            if status == 201:
                self.tally.acknowledged["issue_numbers"].extend(issued["issue_numbers"])


def drive(port: int, prepared: Prepared, users: int, seconds: float, max_requests: int,
          on_half: Any = None, mix: str = "counter") -> tuple[Tally, float]:  # fmt: skip
    tally, serial_counter = Tally(), iter(range(prepared.serial_base, prepared.serial_base + 10**6))
    serials = _SharedIter(serial_counter)
    ops = [op for op, weight in MIXES[mix] for _ in range(weight)]
    stop_at, budget = time.time() + seconds, _Budget(max_requests)

    def user() -> None:
        client = Client(port, prepared, tally, serials)
        while time.time() < stop_at and budget.take():
            client.run_one(random.choice(ops))

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    if on_half:
        time.sleep(seconds / 2)
        on_half()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - started


class _SharedIter:
    """Hands out serial numbers to the client threads (the client's bookkeeping, not the system under test)."""

    def __init__(self, source: Any) -> None:
        self.source, self.lock = source, threading.Lock()

    def __next__(self) -> int:
        with self.lock:
            return next(self.source)


class _Budget:
    def __init__(self, total: int) -> None:
        self.left, self.lock = total, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--kill-midway", action="store_true")
    parser.add_argument("--mix", choices=sorted(MIXES), default="counter")
    args = parser.parse_args()
    owner_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    owner = Database.from_url(owner_url)
    print("schema caught up:", catch_up_schema(owner) or "nothing to add")
    with owner.bind.begin() as conn:
        from handlers import rls

        rls.enable_row_level_security(conn)
    app_url = cluster.app_role_url(owner_url, APP_ROLE)
    prepared = prepare(owner, codes=5_000)
    queue = f"jumin-load-{uuid.uuid4().hex[:8]}"
    port, logdir = cluster.free_port(), Path(tempfile.mkdtemp(prefix="jumin-load-"))
    env = cluster.process_env(app_url, "redis://127.0.0.1:6379/0", queue, {"WEB_CONCURRENCY": str(args.workers),
                              "LOG_LEVEL": "WARNING", "PROMETHEUS_MULTIPROC_DIR": str(logdir / "metrics")})  # fmt: skip
    procs = cluster.Processes(logdir, env)
    web = procs.start("web", cluster.gunicorn_argv(port, args.workers))
    killed: list[int] = []
    try:
        cluster.wait_for_http(port)
        load_before = os.getloadavg()
        on_half = (lambda: killed.append(kill_one_worker(web.pid))) if args.kill_midway else None
        tally, elapsed = drive(port, prepared, args.users, args.seconds, args.max_requests, on_half, args.mix)
        load_after = os.getloadavg()
    finally:
        procs.stop_all()
        _drop_queue(queue)
    report = summarize(tally, elapsed)
    report.update(mix=args.mix, workers=args.workers, users=args.users, killed_worker=killed or None,
                  load_before=[round(x, 2) for x in load_before], load_after=[round(x, 2) for x in load_after],
                  acknowledged={k: len(v) for k, v in tally.acknowledged.items()},
                  missing_acknowledged=missing_acknowledged(owner, tally), logs=str(logdir))  # fmt: skip
    with unit_of_work(owner, Actor.system(0, "bench:check"), cross_tenant=True) as uow:
        report["residents"] = int(uow.session.execute(text("SELECT count(*) FROM resident")).scalar_one())
    OUT.mkdir(exist_ok=True)
    name = f"load_test_{args.mix}{'_kill' if args.kill_midway else ''}.json"
    (OUT / name).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


def _drop_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    client.delete(queue)
    for key in client.scan_iter(f"_kombu.binding.{queue}*"):
        client.delete(key)


if __name__ == "__main__":
    main()
