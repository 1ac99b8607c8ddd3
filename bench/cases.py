"""Complete 転入 cases per second: the real path (engine + handlers + PostgreSQL) against bare SpiffWorkflow.

    .venv/bin/python -m bench.cases [--count 500] [--warmup 50] [--members 3] [--profile out.prof]
                                    [--processes N]

Real path: for each case, a clerk opens a 転入 of a family (``handlers.cases.open_case``: assess, case,
intake task completed, provisional change) in one unit of work, then a supervisor — another user — finds
the review task and approves it (``handlers.cases.approve``: assess again, 本登録 with a 住民票コード from the
pool, history rows, outbox rows) in a second unit of work, as two real requests would, without HTTP.
The case then waits at 交付物の発行.  Database: BENCH_DATABASE_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench_cases), its schema **dropped and recreated**.

Ceiling: the same workflows/move_in.bpmn through bare SpiffWorkflow in memory (trivial operators, the default
script engine, a JSON save and restore between the steps: ``workflows.engine.bench_support``).

Prints cases/s of both, their ratio, the SQL statements per case, the CPU per case of this process and of its
PostgreSQL backends (read from /proc, so the database must run on this machine), and the load average around
each run.  On a shared machine the CPU per case is the steadier figure: cases/s falls with the load, CPU per
case much less.  ``--processes N`` (N > 1) runs the same measured cases once more in N forked processes at
once, each with its own connection and its own share of the cases (different persons), and prints that rate
beside the single-process one; the bare engine runs its cases in N processes too, for the ratio both ways.
Then 20 more cases and 20 searches (``search_residents``) run with a statement counter (``bench.statements``):
statements per call, ``SELECT … FOR UPDATE`` of the access-log chain head, and the statements run while the
head is held.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import multiprocessing
import os
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select, text

import models
from bench.cpu import backend_cpu
from bench.statements import StatementCounter
from handlers import cases
from handlers.clock import japan_today
from handlers.context import Actor
from handlers.db import Database, make_engine
from handlers.passwords import hash_password
from handlers.residents.resident_code_pool import load_pool
from handlers.residents.search import ResidentQuery, search_residents
from handlers.rules.check_digit import my_number_check_digit, with_m11w27
from handlers.tenancy import bind_session
from handlers.uow import unit_of_work
from models.case import Case, CaseTask
from models.change import OutboxMessage
from models.resident import ResidentHistory
from tests.pg_available import ensure_database
from workflows.engine.bench_support import BareFlow
from workflows.engine.loader import WORKFLOWS_DIR

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/jumin_bench_cases"
COUNTED = 20  # cases and searches run after the timed run with a statement counter attached
POOL_SPARE = 1_000  # free codes left at the end: stays above the low-stock alert threshold (100)
GIVEN = [("太郎", "タロウ", "1", "世帯主"), ("花子", "ハナコ", "2", "妻"), ("一郎", "イチロウ", "1", "子"),
         ("次郎", "ジロウ", "1", "子"), ("桜", "サクラ", "2", "子")]  # fmt: skip


@dataclass
class World:
    db: Database
    clerk: Actor
    supervisor: Actor
    backend_pids: set[int]
    statements: list[int]  # one counter: SQL statements sent so far by this process

    def server_cpu(self) -> float:
        """CPU seconds the PostgreSQL backends of this run have used so far (same machine, /proc)."""
        return sum(backend_cpu(pid) for pid in self.backend_pids)


def fresh_database(url: str) -> Database:
    """A new schema from the models (everything in it is dropped first)."""
    if not ensure_database(url):
        raise SystemExit(f"PostgreSQL does not answer at {url}")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    models.Base.metadata.create_all(engine)
    return Database(engine)


def _actor(user: models.User) -> Actor:
    return Actor(tenant_id=user.tenant_id, login_id=user.login_id, user_id=user.id,
                 roles=frozenset(user.roles), client_address="127.0.0.1")  # fmt: skip


def _statement_counter(db: Database) -> list[int]:
    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(db.bind, "before_cursor_execute", count)
    return counter


def _backend_pids(db: Database) -> set[int]:
    pids: set[int] = set()

    def remember(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.add(int(cursor.fetchone()[0]))

    event.listen(db.bind, "connect", remember)
    db.bind.dispose()  # connections made before the listener would go unseen
    return pids


def make_world(db: Database, codes_needed: int) -> World:
    """横浜市 with a clerk and a supervisor, and a 住民票コード pool of ``codes_needed`` + spare codes."""
    pids = _backend_pids(db)
    session = db.sessionmaker()
    bind_session(session, None, cross_tenant=True)
    city = models.Municipality(code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city",
                               settings={})  # fmt: skip
    session.add(city)
    session.flush()
    password = hash_password("bench horse battery staple")
    users = [
        models.User(tenant_id=city.id, login_id=f"bench.{role}", display_name=role, password_hash=password,
                    roles=[role], totp_enrolled=False)
        for role in ("clerk", "supervisor")
    ]  # fmt: skip
    session.add_all(users)
    session.commit()
    session.close()
    clerk, supervisor = (_actor(u) for u in users)
    codes = [with_m11w27(f"{7_000_000_000 + n:010d}") for n in range(codes_needed + POOL_SPARE)]
    with unit_of_work(db, supervisor) as uow:
        load_pool(uow, codes)
    return World(db, clerk, supervisor, pids, _statement_counter(db))


def my_number(serial: int) -> str:
    body = f"{40_000_000_000 + serial:011d}"
    return body + my_number_check_digit(body)


def intake(case_no: int, members: int) -> dict[str, Any]:
    """A family 転入 moved in five days ago from 佐久市, each case at its own address."""
    moved = (japan_today() - dt.timedelta(days=5)).isoformat()
    people = [
        {"resident_kind": "japanese", "family_name": "転入", "given_name": given, "family_name_kana": "テンニュウ",
         "given_name_kana": kana, "birth_date": f"{1960 + index * 7}-04-01", "sex": sex, "relation_to_head": relation,
         "honseki": "長野県佐久市中込1番", "hittosha": "転入 太郎", "my_number": my_number(case_no * 10 + index)}
        for index, (given, kana, sex, relation) in enumerate(GIVEN[:members])
    ]  # fmt: skip
    return {
        "kind": "domestic",
        "change_date": moved,
        "notified_date": japan_today().isoformat(),
        "household": {"address": f"神奈川県横浜市中区港町1丁目{case_no + 1}番地", "postal_code": "231-0017"},
        "former_address": {"address": "長野県佐久市中込1番地", "municipality_code": "202118"},
        "move_out_certificate": {"planned_move_out_date": moved},
        "members": people,
    }


def review_task_id(uow: Any, case_id: int) -> int:
    return uow.session.scalars(
        select(CaseTask.id).where(
            CaseTask.case_id == case_id, CaseTask.bpmn_id == "review_move_in", CaseTask.state == "ready"
        )
    ).one()


def real_case(world: World, data: dict[str, Any]) -> None:
    with unit_of_work(world.db, world.clerk) as uow:
        case_id = cases.open_case(uow, "move_in", data).id
    with unit_of_work(world.db, world.supervisor) as uow:
        cases.approve(uow, review_task_id(uow, case_id), [])


@dataclass
class Timing:
    cases: int
    seconds: float
    cpu_seconds: float
    server_cpu_seconds: float
    load_before: float
    load_after: float
    statements: int = 0

    @property
    def rate(self) -> float:
        return self.cases / self.seconds


def timed(
    run_one: Callable[[int], object],
    first: int,
    count: int,
    profile: str | None = None,
    world: World | None = None,
) -> Timing:
    profiler = cProfile.Profile() if profile else None
    load_before = os.getloadavg()[0]
    server = world.server_cpu() if world else 0.0
    statements = world.statements[0] if world else 0
    cpu, start = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for n in range(first, first + count):
        run_one(n)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile or "")
        calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
        print(f"Python function calls per case (cProfile): {calls / count:,.0f}")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Timing(
        count, elapsed, cpu, (world.server_cpu() - server) if world else 0.0, load_before, os.getloadavg()[0],
        (world.statements[0] - statements) if world else 0,
    )  # fmt: skip


def _run_share(world: World, data: list[dict[str, Any]], share: list[int], go: Any, results: Any) -> None:
    """One forked process: its own connections, its share of the cases, its CPU and its backends' CPU."""
    world.db.bind.dispose(close=False)  # the parent's pooled connections stay the parent's
    world.backend_pids.clear()
    for n in share[:1]:  # opens this process's connection before the clock starts
        real_case(world, data[n])
    go.wait()
    server, cpu, statements = world.server_cpu(), time.process_time(), world.statements[0]
    for n in share[1:]:
        real_case(world, data[n])
    results.put((time.process_time() - cpu, world.server_cpu() - server, world.statements[0] - statements))


def _in_processes(
    target: Any, leading: tuple[Any, ...], first: int, count: int, processes: int, settle_s: float
) -> tuple[float, float, list[Any]]:
    """Run ``target(*leading, share, go, results)`` in ``processes`` forked processes, each with every
    ``processes``-th case of ``first`` … ``first + count``; the clock starts when all have settled.  Returns
    the elapsed time, the load average before, and what each process put on ``results``."""
    context = multiprocessing.get_context("fork")
    go, results = context.Event(), context.Queue()
    shares = [list(range(first + i, first + count, processes)) for i in range(processes)]
    workers = [context.Process(target=target, args=(*leading, share, go, results)) for share in shares]
    for worker in workers:
        worker.start()
    time.sleep(settle_s)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    go.set()
    measured = [results.get() for _ in workers]
    elapsed = time.perf_counter() - start
    for worker in workers:
        worker.join()
    return elapsed, load_before, measured


def timed_parallel(
    world: World, data: list[dict[str, Any]], first: int, count: int, processes: int
) -> Timing:
    """The cases ``first`` … ``first + count`` in ``processes`` forked processes at once (one case each
    before the clock starts, to connect)."""
    elapsed, load_before, measured = _in_processes(_run_share, (world, data), first, count, processes, 3)
    cases = count - processes
    return Timing(
        cases, elapsed, sum(m[0] for m in measured), sum(m[1] for m in measured), load_before,
        os.getloadavg()[0], sum(m[2] for m in measured),
    )  # fmt: skip


def _run_bare_share(
    bare: BareFlow, data: list[dict[str, Any]], share: list[int], go: Any, results: Any
) -> None:
    """One forked process of the bare engine: its share of the cases, its CPU."""
    go.wait()
    cpu = time.process_time()
    for n in share:
        bare.run_case(data[n])
    results.put(time.process_time() - cpu)


def timed_parallel_bare(
    bare: BareFlow, data: list[dict[str, Any]], first: int, count: int, processes: int
) -> Timing:
    """The bare engine's cases ``first`` … ``first + count`` in ``processes`` forked processes at once."""
    elapsed, load_before, measured = _in_processes(_run_bare_share, (bare, data), first, count, processes, 1)
    return Timing(count, elapsed, sum(measured), 0.0, load_before, os.getloadavg()[0])


def check_outcome(world: World, count: int, members: int) -> str:
    """What the real run left in the register; refuses to report a rate for cases that did not happen."""
    with unit_of_work(world.db, world.supervisor) as uow:
        waiting = uow.session.scalar(select(func.count()).select_from(Case).where(Case.status == "running"))
        history = uow.session.scalar(
            select(func.count()).select_from(ResidentHistory).where(ResidentHistory.case_id.is_not(None))
        )
        outbox = uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    # per case: each person's identity_change and 送付先情報 (j1120) to CS, and the household's notice
    expected = (count, count * members, count * (2 * members + 1))
    if (waiting, history, outbox) != expected:
        raise SystemExit(
            f"unexpected outcome (cases, history, outbox) {(waiting, history, outbox)} != {expected}"
        )
    return f"{waiting} cases at 交付物の発行, {history} history rows, {outbox} outbox rows"


def report(name: str, timing: Timing) -> None:
    per_case = 1000 / timing.cases
    server = f" + PostgreSQL {timing.server_cpu_seconds * per_case:.1f}" if timing.server_cpu_seconds else ""
    statements = (
        f"; {timing.statements / timing.cases:.1f} SQL statements per case" if timing.statements else ""
    )
    print(
        f"{name:<28} {timing.cases} cases in {timing.seconds:6.2f} s = {timing.rate:7.1f} cases/s; "
        f"CPU per case {timing.cpu_seconds * per_case:.1f} ms{server}{statements}; load average "
        f"{timing.load_before:.2f} → {timing.load_after:.2f}"
    )


def count_statements(world: World, first: int, data: list[dict[str, Any]]) -> None:
    """Statements per 転入 case (open + approve) and per search, each in its own unit of work."""
    counter = StatementCounter(world.db.bind)
    for n in range(first, first + COUNTED):
        real_case(world, data[n])
    per_case = counter.take()
    for n in range(COUNTED):
        with unit_of_work(world.db, world.clerk) as uow:
            search_residents(uow, ResidentQuery(kana="テンニュウ", given_kana=GIVEN[n % len(GIVEN)][1]))
    per_search = counter.take()
    counter.close()
    print(f"per 転入 case (open + approve, {COUNTED} cases): {per_case.per(COUNTED)}")
    print(f"per search ({COUNTED} searches):                 {per_search.per(COUNTED)}")


def analyse(db: Database) -> None:
    """``VACUUM (ANALYZE)`` after the warm-up, as autovacuum does in production: this machine's PostgreSQL runs
    with ``autovacuum = off`` (a CI setting), and without statistics the pool's count of free codes read every
    free code by a bitmap scan (≈ 0.3 ms of PostgreSQL twice a case)."""
    if db.dialect == "postgresql":
        with db.bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=500, help="measured cases (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="cases run before measuring (default 50)")
    parser.add_argument("--members", type=int, default=3, choices=range(1, len(GIVEN) + 1))
    parser.add_argument("--profile", help="write a cProfile of the measured real cases to this file")
    parser.add_argument(
        "--processes", type=int, default=1, help="also run the measured cases again in N processes at once"
    )
    args = parser.parse_args()
    measured = args.warmup + args.count * (2 if args.processes > 1 else 1)
    total = measured + COUNTED
    world = make_world(
        fresh_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)), total * args.members
    )
    data = [intake(n, args.members) for n in range(total)]

    bare = BareFlow.from_file(WORKFLOWS_DIR / "move_in.bpmn", "move_in")
    timed(lambda n: bare.run_case(data[n]), 0, args.warmup)
    bare_timing = timed(lambda n: bare.run_case(data[n]), args.warmup, args.count)

    bare_parallel = None
    if args.processes > 1:
        bare_parallel = timed_parallel_bare(bare, data, args.warmup, args.count, args.processes)

    timed(lambda n: real_case(world, data[n]), 0, args.warmup)
    analyse(world.db)
    real_timing = timed(lambda n: real_case(world, data[n]), args.warmup, args.count, args.profile, world)
    parallel = None
    if args.processes > 1:
        parallel = timed_parallel(world, data, args.warmup + args.count, args.count, args.processes)
    count_statements(world, measured, data)
    outcome = check_outcome(world, total, args.members)

    print(f"転入 of {args.members} persons, {args.count} measured cases after {args.warmup} warm-up cases")
    report("bare SpiffWorkflow (ceiling)", bare_timing)
    report("engine + handlers + PG", real_timing)
    print(f"ratio real / bare: {real_timing.rate / bare_timing.rate:.2f}   ({outcome})")
    if parallel is not None and bare_parallel is not None:
        report(f"same, {args.processes} processes at once", parallel)
        report(f"bare, {args.processes} processes at once", bare_parallel)
        print(
            f"ratio ({args.processes} processes) / bare (1 process): {parallel.rate / bare_timing.rate:.2f}; "
            f"/ bare ({args.processes} processes): {parallel.rate / bare_parallel.rate:.2f}"
        )


if __name__ == "__main__":
    main()
