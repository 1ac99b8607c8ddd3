"""SQLite side of the bulk loader: ``executemany`` on the DBAPI cursor, in the caller's transaction.

The ids are fixed before the generator processes start (the loader holds the write lock, so the next ids
after ``max(id)`` are its own), so the generator side makes ready parameter tuples (``SqliteEncoder``) and
the writing process only passes them to SQLite.  Households go in without their head, which is set once the
residents exist, so no foreign key is ever pending (a pending one makes SQLite scan child tables).
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table, func, select, update

from handlers.synthetic.copy_text import IdBlocks
from handlers.synthetic.generator import PersonBatch
from handlers.synthetic.plan import BatchPlan
from handlers.synthetic.rows import PERSON_START
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    PERSON_COLUMNS,
    PERSON_DEFAULTS,
    RESIDENT,
    RESIDENT_COPY_COLUMNS,
    SEQUENCES,
    UNSET_DEFAULTS,
    HistoryField,
    first_history_template,
    household_snapshot_json,
    linked_households,
    snapshot_json,
)

_DATE = dt.date
_HOUSEHOLD_VALUES = itemgetter(*HOUSEHOLD_COLUMNS)
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


ResidentValues = Callable[[int, int, dict[str, Any], Callable[[str], Any]], tuple[Any, ...]]
HistoryValues = Callable[[int, str, str, str, str, str, str], tuple[Any, ...]]


def _is_date(column: str) -> bool:
    return RESIDENT.c[column].type.python_type is dt.date


def resident_values_function(tenant_id: int) -> ResidentValues:
    """``(resident_id, household_id, person, person.get) → the resident's parameters`` in
    ``RESIDENT_COPY_COLUMNS`` order: one tuple display compiled once from the column list (as
    ``copy_lines.resident_line_function`` compiles the COPY line), a date column's value as ISO text, an item the
    person lacks as its default (``tables.person_values``, ``_stored``)."""
    fields = ["resident_id", "household_id"]
    for column in PERSON_COLUMNS:
        if not column.isidentifier():
            raise ValueError(f"unexpected column name {column!r}")
        # an item every person has, or the person's item with its default
        value = f"p[{column!r}]" if column in PERSON_START else f"g({column!r}, {PERSON_DEFAULTS[column]!r})"
        fields.append(f"(None if (v := {value}) is None else v.isoformat())" if _is_date(column) else value)
    source = f"lambda resident_id, household_id, p, g: ({', '.join(fields)}, *UNSET)"
    namespace = {"UNSET": (*UNSET_DEFAULTS, tenant_id)}
    values: ResidentValues = eval(source, namespace)  # noqa: S307 - source built above from the column list
    return values


def history_values_function(tenant_id: int) -> HistoryValues:
    """``(resident_id, 宛名番号, 届出日, 状態, 世帯番号, 異動事由, 異動日) → the history row's parameters`` but the
    snapshot (dates as ISO text): ``tables.first_history_template`` made once into a tuple display, its
    constants stored as they are and the varying values named."""
    template = first_history_template(tenant_id)
    constants = {f"c{i}": v for i, v in enumerate(_stored(template))}
    fields = [str(v) if isinstance(v, HistoryField) else f"c{i}" for i, v in enumerate(template)]
    source = ("lambda resident_id, atena_number, notified_date, status, household_number, change_reason, "
              f"change_date: ({', '.join(fields)},)")  # fmt: skip
    values: HistoryValues = eval(source, constants)  # noqa: S307 - source built above from the column list
    return values


class SqliteEncoder:
    """Turns generated batches into ``SqliteBatch``es with ids from the given blocks (generator side)."""

    def __init__(self, tenant_id: int, households: IdBlocks, residents: IdBlocks) -> None:
        self.households, self.residents = households, residents
        self.resident_values = resident_values_function(tenant_id)
        self.history_values = history_values_function(tenant_id)

    def __call__(self, made: PersonBatch) -> SqliteBatch:
        plan, resident_values, history_values = made.plan, self.resident_values, self.history_values
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
                batch.residents.append(resident_values(resident_id, household_id, person, person.get))
                document = snapshot_json(
                    resident_id, household_id, orjson.dumps(person), household_part
                ).decode()
                batch.history.append((*history_values(
                    resident_id, person["atena_number"], person["notified_date"].isoformat(), person["status"],
                    number, reason, day.isoformat()), document))  # fmt: skip
        return batch

    @staticmethod
    def send(pipe: Pipe, encoded: SqliteBatch) -> None:
        """As ``marshal`` bytes (plain values only): about half pickle's cost to make."""
        pipe.send_bytes(
            marshal.dumps((encoded.households, encoded.residents, encoded.history, encoded.heads))
        )

    @staticmethod
    def receive(pipe: Pipe, plan: BatchPlan) -> SqliteBatch:
        return SqliteBatch(*marshal.loads(pipe.recv_bytes()))


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
