"""SQLite side of the bulk loader: ``executemany`` on the DBAPI cursor, in the caller's transaction.

The ids are fixed before the generator processes start (the loader holds the write lock, so the next ids
after ``max(id)`` are its own), so the generator side makes ready parameter tuples (``SqliteEncoder``) and
the writing process only passes them to SQLite.  Households go in without their head, which is set once the
residents exist, so no foreign key is ever pending (a pending one makes SQLite scan child tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table, func, select, update

from handlers.synthetic.copy_text import IdBlocks
from handlers.synthetic.generator import PersonBatch
from handlers.synthetic.plan import BatchPlan
from handlers.synthetic.rows import first_history_items
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    RESIDENT,
    RESIDENT_COPY_COLUMNS,
    SEQUENCES,
    UNSET_DEFAULTS,
    household_snapshot_json,
    linked_households,
    person_values,
    snapshot_json,
)

_DATE = dt.date
_HOUSEHOLD_VALUES = itemgetter(*HOUSEHOLD_COLUMNS)
_HISTORY_VALUES = itemgetter(*HISTORY_COLUMNS[:-1])  # all but the snapshot
BULK_CACHE_KIB = 262_144  # page cache of the loading connection during the load (then set back)

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class SqliteBatch:
    """One batch as parameter tuples: households (head not set), residents, history, and (head, id) pairs."""

    households: Rows
    residents: Rows
    history: Rows
    heads: list[tuple[int, int]]


def _stored(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Dates as ISO text (SQLAlchemy's SQLite storage format), everything else as is."""
    return tuple([v.isoformat() if type(v) is _DATE else v for v in values])


class SqliteEncoder:
    """Turns generated batches into ``SqliteBatch``es with ids from the given blocks (generator side)."""

    def __init__(self, tenant_id: int, households: IdBlocks, residents: IdBlocks) -> None:
        self.tenant_id = tenant_id
        self.households, self.residents = households, residents
        self.unset = (*UNSET_DEFAULTS, tenant_id)

    def __call__(self, made: PersonBatch) -> SqliteBatch:
        plan, tenant_id, unset = made.plan, self.tenant_id, self.unset
        household_ids = self.households.at(plan.first_household, len(plan.sizes))
        resident_ids = self.residents.at(plan.first_resident, plan.residents)
        batch = SqliteBatch([], [], [], [])
        for household_id, household, members in linked_households(made, household_ids, resident_ids):
            household["id"], household["head_resident_id"] = household_id, None
            batch.households.append(_stored(_HOUSEHOLD_VALUES(household)))
            batch.heads.append((members[0][0], household_id))
            household_part = household_snapshot_json(household, members[0][1])
            number = household["household_number"]
            for resident_id, person, reason, day in members:
                batch.residents.append((resident_id, household_id, *_stored(person_values(person)), *unset))
                items = first_history_items(tenant_id, person, number, reason, day)
                items["resident_id"] = resident_id
                document = snapshot_json(
                    resident_id, household_id, orjson.dumps(person), household_part
                ).decode()
                batch.history.append((*_stored(_HISTORY_VALUES(items)), document))
        return batch

    @staticmethod
    def send(pipe: Pipe, encoded: SqliteBatch) -> None:
        pipe.send(encoded)

    @staticmethod
    def receive(pipe: Pipe, plan: BatchPlan) -> SqliteBatch:
        batch: SqliteBatch = pipe.recv()
        return batch


class SqliteWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Take the write lock before reading max(id), so no other writer can take the same ids.
        conn.execute(update(SEQUENCES).where(SEQUENCES.c.id == -1).values(next_value=0))
        self.cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")

    def reserve_ids(self, count: int) -> tuple[IdBlocks, IdBlocks]:
        """The next ``count`` household and resident ids (this transaction holds the write lock)."""
        return IdBlocks([(self._next_id(HOUSEHOLD), count)]), IdBlocks([(self._next_id(RESIDENT), count)])

    def _next_id(self, table: Table) -> int:
        return int(self.conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1

    def _insert(self, table: str, columns: tuple[str, ...], rows: Rows) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        self.conn.exec_driver_sql(sql, rows)

    def write(self, batch: SqliteBatch) -> None:
        self._insert("household", HOUSEHOLD_COLUMNS, batch.households)
        self._insert("resident", RESIDENT_COPY_COLUMNS, batch.residents)
        self._insert("resident_history", HISTORY_COLUMNS, batch.history)
        self.conn.exec_driver_sql("UPDATE household SET head_resident_id = ? WHERE id = ?", batch.heads)

    def finish(self) -> None:
        """Give the connection its usual page cache back."""
        self.conn.exec_driver_sql(f"PRAGMA cache_size = {int(self.cache_size)}")
