"""Bulk loading of synthetic residents: a system batch that writes households, residents and their first
history rows as fast as the database allows.

It bypasses the per-row ORM (and so the session-level tenant guard) for speed, but it writes only the
given ``tenant_id``, and every key and check digit comes from the same rules the handlers use (see
``handlers.synthetic.rows``).  On PostgreSQL it streams rows with psycopg 3 ``COPY``; on SQLite it uses
``executemany`` in one transaction.  The tenant's 宛名番号/世帯番号 counters are locked for the whole load
and advanced past the numbers used, so normal registrations continue after them.

Given an ``Engine`` the load is one transaction committed at the end; given a ``Connection`` it runs in
the caller's transaction and the caller commits.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from handlers.synthetic.copy_writer import CopyEncoder, PostgresWriter
from handlers.synthetic.generator import SyntheticBatch, generate_residents
from handlers.synthetic.places import Place
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    RESIDENT,
    RESIDENT_COLUMNS,
    SEQUENCES,
    assign_ids,
    serialise_snapshots,
)
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
) -> LoadReport:
    """Generate ``count`` residents for the tenant and write them with their households and history."""
    started = time.perf_counter()
    with _transaction(target) as conn:
        place = place_of(conn, tenant_id)
        first_atena = _locked_counter(conn, tenant_id, "atena")
        first_household = _locked_counter(conn, tenant_id, "household")
        postgres = conn.dialect.name == "postgresql"
        arguments = dict(place=place, as_of=as_of, first_atena=first_atena, first_household=first_household,
                         batch=batch)  # fmt: skip
        households = history = 0
        if postgres:
            writer = PostgresWriter(conn)
            encode = CopyEncoder.reserving(conn, count)
            for copy_batch in _prepared_batches(tenant_id, count, seed, arguments, encode, count > batch):
                writer.write(copy_batch)
                households += copy_batch.household_count
                history += copy_batch.history_count
            writer.finish()
        else:
            sqlite = _SqliteWriter(conn)
            for chunk in _prepared_batches(
                tenant_id, count, seed, arguments, serialise_snapshots, count > batch
            ):
                sqlite.write(chunk)
                households += len(chunk.households)
                history += len(chunk.history)
        _set_counter(conn, tenant_id, "atena", first_atena + count)
        _set_counter(conn, tenant_id, "household", first_household + households)
    return LoadReport(tenant_id, count, households, history, time.perf_counter() - started,
                      first_atena, first_household)  # fmt: skip


Prepare = Callable[[SyntheticBatch], Any]


def _produce(queue: Any, tenant_id: int, count: int, seed: int, arguments: dict[str, Any],
             prepare: Prepare) -> None:  # fmt: skip
    # The rows are plain dicts without cycles: the cyclic collector would only rescan the heap inherited from
    # the loader, again and again (~10 % of the generator's CPU).  Frozen, and collected once per batch.
    gc.freeze()
    gc.disable()
    try:
        for chunk in generate_residents(tenant_id, count, seed, **arguments):
            queue.put(prepare(chunk))
            del chunk
            gc.collect()
    finally:
        queue.put(None)


def _prepared_batches(tenant_id: int, count: int, seed: int, arguments: dict[str, Any], prepare: Prepare,
                      in_background: bool) -> Iterator[Any]:  # fmt: skip
    """The generator's batches passed through ``prepare`` (for PostgreSQL: finished COPY text), made in a
    forked process while this one writes (generation and writing overlap; the order and content are the
    same as inline)."""
    if not in_background:
        for chunk in generate_residents(tenant_id, count, seed, **arguments):
            yield prepare(chunk)
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=1)  # bounds memory: one batch made, one queued, one written
    producer = context.Process(target=_produce, args=(queue, tenant_id, count, seed, arguments, prepare),
                               daemon=True)  # fmt: skip
    producer.start()
    try:
        while (chunk := queue.get()) is not None:
            yield chunk
    finally:
        producer.join(timeout=5)
        if producer.exitcode not in (0, None):
            raise RuntimeError(f"synthetic generator process failed (exit code {producer.exitcode})")


class _SqliteWriter:
    """executemany on the DBAPI cursor.  Households go in without their head, which is set once the
    residents exist, so no foreign key is ever pending (a pending one makes SQLite scan child tables)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Take the write lock before reading max(id), so no other writer can take the same ids.
        conn.execute(update(SEQUENCES).where(SEQUENCES.c.id == -1).values(next_value=0))
        self.next_household = self._next_id(HOUSEHOLD)
        self.next_resident = self._next_id(RESIDENT)

    def _next_id(self, table: Table) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        self.conn.exec_driver_sql(sql, rows)

    def write(self, chunk: SyntheticBatch) -> None:
        n_households, n_residents = len(chunk.households), len(chunk.residents)
        household_ids = list(range(self.next_household, self.next_household + n_households))
        resident_ids = list(range(self.next_resident, self.next_resident + n_residents))
        self.next_household += n_households
        self.next_resident += n_residents
        assign_ids(chunk, household_ids, resident_ids)
        heads = [(h["head_resident_id"], h["id"]) for h in chunk.households]
        for row in chunk.households:
            row["head_resident_id"] = None
        self._insert("household", HOUSEHOLD_COLUMNS, _sqlite_rows(chunk.households, HOUSEHOLD_COLUMNS))
        self._insert("resident", RESIDENT_COLUMNS, _sqlite_rows(chunk.residents, RESIDENT_COLUMNS))
        self._insert("resident_history", HISTORY_COLUMNS, _sqlite_rows(chunk.history, HISTORY_COLUMNS))
        self.conn.exec_driver_sql("UPDATE household SET head_resident_id = ? WHERE id = ?", heads)
        for row, (head, _id) in zip(chunk.households, heads, strict=True):
            row["head_resident_id"] = head


_PLAIN = (str, int, bool)


def _sqlite_rows(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Dates as ISO text (SQLAlchemy's SQLite storage format), JSON bytes as text, everything else as is."""
    values = itemgetter(*columns)
    return [
        tuple([v if v is None or type(v) in _PLAIN else v.isoformat() if isinstance(v, dt.date)
               else v.decode() if isinstance(v, bytes) else v for v in values(row)])
        for row in rows
    ]  # fmt: skip
