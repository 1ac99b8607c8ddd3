"""Bulk loading of synthetic residents: a system batch that writes households, residents and their first
history rows as fast as the database allows.

It bypasses the per-row ORM (and so the session-level tenant guard) for speed, but it writes only the
given ``tenant_id``, and every key and check digit comes from the same rules the handlers use (see
``handlers.synthetic.rows``).  On PostgreSQL it streams rows with psycopg 3 ``COPY``; on SQLite it uses
``executemany`` in one transaction.  The load is planned first (every household's size, so every batch's
first number and id), then two forked generator processes make alternate batches, encoded for the
database, and pass them through pipes; this process only writes them, in order.  The tenant's
宛名番号/世帯番号 counters are locked for the whole load and advanced past the numbers used, so normal
registrations continue after them.

Given an ``Engine`` the load is one transaction committed at the end; given a ``Connection`` it runs in
the caller's transaction and the caller commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import multiprocessing
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert, select, update

from handlers.clock import japan_today
from handlers.synthetic.copy_writer import CopyEncoder, PostgresWriter
from handlers.synthetic.generator import PersonBatch, SyntheticGenerator
from handlers.synthetic.places import Place
from handlers.synthetic.plan import BatchPlan, plan_batches, plan_households
from handlers.synthetic.sqlite_writer import SqliteEncoder, SqliteWriter
from handlers.synthetic.tables import SEQUENCES
from models.tenant import Municipality, Ward


@dataclass(frozen=True)
class LoadReport:
    tenant_id: int
    residents: int
    households: int
    history_rows: int
    seconds: float
    first_atena: int
    first_household: int

    @property
    def residents_per_second(self) -> float:
        return self.residents / self.seconds if self.seconds else 0.0


def place_of(conn: Connection, tenant_id: int) -> Place:
    muni = conn.execute(select(Municipality.code, Municipality.name, Municipality.prefecture)
                        .where(Municipality.id == tenant_id)).one()  # fmt: skip
    wards = conn.execute(
        select(Ward.code, Ward.name).where(Ward.municipality_id == tenant_id).order_by(Ward.code)
    )
    return Place(muni.code, muni.name, muni.prefecture, tuple((w.code, w.name) for w in wards))


def _locked_counter(conn: Connection, tenant_id: int, name: str) -> int:
    where = (SEQUENCES.c.tenant_id == tenant_id) & (SEQUENCES.c.name == name)
    value = conn.execute(select(SEQUENCES.c.next_value).where(where).with_for_update()).scalar()
    if value is None:
        conn.execute(insert(SEQUENCES).values(tenant_id=tenant_id, name=name, next_value=1))
        value = conn.execute(select(SEQUENCES.c.next_value).where(where).with_for_update()).scalar_one()
    return int(value)


def _set_counter(conn: Connection, tenant_id: int, name: str, next_value: int) -> None:
    where = (SEQUENCES.c.tenant_id == tenant_id) & (SEQUENCES.c.name == name)
    conn.execute(update(SEQUENCES).where(where).values(next_value=next_value))


@contextmanager
def _transaction(target: Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Engine):
        with target.begin() as conn:
            yield conn
    else:
        yield target


def bulk_load(
    target: Engine | Connection,
    tenant_id: int,
    count: int,
    seed: int,
    batch: int = 20_000,
    *,
    as_of: dt.date | None = None,
    processes: int = 2,
) -> LoadReport:
    """Generate ``count`` residents for the tenant and write them with their households and history;
    ``processes`` generator processes make the batches while this one writes (none for a single batch)."""
    started = time.perf_counter()
    with _transaction(target) as conn:
        place = place_of(conn, tenant_id)
        first_atena = _locked_counter(conn, tenant_id, "atena")
        first_household = _locked_counter(conn, tenant_id, "household")
        plans = plan_batches(plan_households(tenant_id, count, seed), batch)
        generator = SyntheticGenerator(tenant_id, seed, place, as_of or japan_today(), first_atena,
                                       first_household)  # fmt: skip
        writer: PostgresWriter | SqliteWriter
        if conn.dialect.name == "postgresql":
            writer = PostgresWriter(conn)
            encode: Encode = CopyEncoder.reserving(conn, tenant_id, count)
        else:
            writer = SqliteWriter(conn)
            encode = SqliteEncoder(tenant_id, *writer.reserve_ids(count))
        for encoded in _made_batches(generator, plans, encode, processes if len(plans) > 1 else 0):
            writer.write(encoded)
        writer.finish()
        households = sum(len(plan.sizes) for plan in plans)
        _set_counter(conn, tenant_id, "atena", first_atena + count)
        _set_counter(conn, tenant_id, "household", first_household + households)
    return LoadReport(tenant_id, count, households, count, time.perf_counter() - started,
                      first_atena, first_household)  # fmt: skip


class Encode(Protocol):
    """Turns a generated batch into what the writer takes, and passes it between processes."""

    def __call__(self, made: PersonBatch) -> Any: ...

    def send(self, pipe: Pipe, encoded: Any) -> None: ...

    def receive(self, pipe: Pipe, plan: BatchPlan) -> Any: ...


PIPE_BYTES = 1 << 20  # the pipe from a generator process (Linux's default, 64 KiB, costs many more switches)


def _produce(pipe: Pipe, others: list[Pipe], generator: SyntheticGenerator, plans: list[BatchPlan],
             encode: Encode) -> None:  # fmt: skip
    for inherited in others:  # the loader's ends, copied by the fork: a closed pipe must be seen as closed
        inherited.close()
    # The rows are plain dicts without cycles: the cyclic collector would only rescan the heap inherited from
    # the loader, again and again (~10 % of the generator's CPU).  Frozen, and collected once per batch.
    gc.freeze()
    gc.disable()
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    with pipe:
        for plan in plans:
            encode.send(pipe, encode(generator.batch(plan)))
            gc.collect()


def _made_batches(generator: SyntheticGenerator, plans: list[BatchPlan], encode: Encode,
                  processes: int) -> Iterator[Any]:  # fmt: skip
    """The planned batches, generated and encoded, in plan order: inline, or made by ``processes`` forked
    processes (process k makes batches k, k + processes, …) while this one writes.  The content is the same
    either way: a batch depends only on its plan.  A process blocks on its pipe until this one takes its
    batch, so at most one batch per process waits."""
    if processes < 1:
        for plan in plans:
            yield encode(generator.batch(plan))
        return
    context = multiprocessing.get_context("fork")
    processes = min(processes, len(plans))
    receiving: list[Pipe] = []
    producers = []
    for k in range(processes):
        reader, writer = context.Pipe(duplex=False)
        receiving.append(reader)
        producer = context.Process(target=_produce, args=(writer, receiving, generator, plans[k::processes],
                                                          encode), daemon=True)  # fmt: skip
        producer.start()
        writer.close()  # the producer's end: its exit is then seen here as the end of the pipe
        producers.append(producer)
    finished = False
    try:
        for index, plan in enumerate(plans):
            try:
                encoded = encode.receive(receiving[index % processes], plan)
            except EOFError:
                raise RuntimeError("a synthetic generator process stopped early") from None
            yield encoded
        finished = True
    finally:
        for reader in receiving:
            reader.close()  # a producer still sending (this load failed) stops on the broken pipe
        for producer in producers:
            producer.join(timeout=5)
        failed = [p.exitcode for p in producers if p.exitcode != 0]
        if finished and failed:
            raise RuntimeError(f"synthetic generator process failed (exit codes {failed})")
