"""PostgreSQL side of the bulk loader: psycopg 3 ``COPY`` through the SQLAlchemy connection's own driver
connection, in the caller's transaction.

The generator process does everything but the writing: it takes database ids from blocks the loader
reserved before it started, links the rows, serialises the snapshots and formats the ``COPY`` text
(``CopyEncoder``); the loading process hands those bytes to the database (``PostgresWriter``).  A household
is written with its head although the head's row follows it: the head link is a deferrable foreign key,
deferred for the load and checked once, before the load returns.  Building the
snapshots in SQL with ``to_jsonb`` instead was tried and measured: it cost the single database backend ~45 %
more CPU than parsing the text, and the backend is the bottleneck.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, text

from handlers.synthetic.copy_lines import history_fields_function, resident_line_function
from handlers.synthetic.copy_text import IdBlocks, copy_line, reserve_ids
from handlers.synthetic.generator import PersonBatch
from handlers.synthetic.plan import BatchPlan
from handlers.synthetic.rows import first_history_items
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    RESIDENT_COPY_COLUMNS,
    UNSET_DEFAULTS,
    household_snapshot_json,
    linked_households,
    person_values,
    snapshot_json,
)

_HOUSEHOLD_VALUES = itemgetter(*HOUSEHOLD_COLUMNS)
_HISTORY_VALUES = itemgetter(*HISTORY_COLUMNS[:-1])  # all but the snapshot


@dataclass(frozen=True)
class CopyBatch:
    """One batch as COPY text: households (with their head), residents and history rows."""

    households: bytes
    residents: bytes
    history: bytes
    household_count: int
    history_count: int


class CopyEncoder:
    """Turns generated batches into ``CopyBatch``es, with ids from the reserved blocks (runs in the
    generator processes, for batches in any order).  A resident's line is its ids, the values of the items
    a person may have and one constant tail (the columns no generated person sets, and the tenant), in
    ``RESIDENT_COPY_COLUMNS`` order; its snapshot joins the person's JSON to the JSON of its household's
    items, made once per household.  A person whose JSON holds a backslash (an item that needs escaping)
    is written through ``copy_line``; every other through the compiled lines of ``copy_lines``."""

    def __init__(self, tenant_id: int, households: IdBlocks, residents: IdBlocks) -> None:
        self.tenant_id = tenant_id
        self.households, self.residents = households, residents
        self.resident_line = resident_line_function(tenant_id)
        self.history_fields = history_fields_function(tenant_id)
        self.tail = copy_line((*UNSET_DEFAULTS, tenant_id))

    @classmethod
    def reserving(cls, conn: Connection, tenant_id: int, count: int) -> CopyEncoder:
        """Ids for ``count`` residents and at most as many households (ids a smaller number of households
        leaves unused are a gap in the sequence, as a rolled-back insert leaves)."""
        return cls(tenant_id, reserve_ids(conn, "household", count), reserve_ids(conn, "resident", count))

    def __call__(self, made: PersonBatch) -> CopyBatch:
        plan, resident_line, history_fields = made.plan, self.resident_line, self.history_fields
        household_ids = self.households.at(plan.first_household, len(plan.sizes))
        resident_ids = self.residents.at(plan.first_resident, plan.residents)
        households: list[str] = []
        residents: list[str] = []
        history: list[bytes] = []
        for household_id, household, members in linked_households(made, household_ids, resident_ids):
            household["id"], household["head_resident_id"] = household_id, members[0][0]
            households.append(copy_line(_HOUSEHOLD_VALUES(household)))
            household_part = household_snapshot_json(household, members[0][1])
            number = household["household_number"]
            for resident_id, person, reason, day in members:
                person_json = orjson.dumps(person)
                document = snapshot_json(resident_id, household_id, person_json, household_part)
                if b"\\" in document:
                    residents.append(self._escaped_resident_line(resident_id, household_id, person))
                    fields = self._escaped_history_fields(resident_id, person, number, reason, day)
                    document = document.replace(b"\\", b"\\\\")  # COPY text doubles a backslash
                else:
                    residents.append(resident_line(resident_id, household_id, person, person.get))
                    fields = history_fields(resident_id, person, number, reason, day)
                history.append(b"%b\t%b\n" % (fields.encode(), document))
        return CopyBatch(
            "".join(households).encode(),
            "".join(residents).encode(),
            b"".join(history),
            len(households),
            len(history),
        )

    @staticmethod
    def send(pipe: Pipe, encoded: CopyBatch) -> None:
        """To the loading process: the three payloads as they are (no pickling)."""
        for payload in (encoded.households, encoded.residents, encoded.history):
            pipe.send_bytes(payload)

    @staticmethod
    def receive(pipe: Pipe, plan: BatchPlan) -> CopyBatch:
        households, residents, history = pipe.recv_bytes(), pipe.recv_bytes(), pipe.recv_bytes()
        return CopyBatch(households, residents, history, len(plan.sizes), plan.residents)

    def _escaped_resident_line(self, resident_id: int, household_id: int, person: dict[str, Any]) -> str:
        return f"{copy_line((resident_id, household_id, *person_values(person)))[:-1]}\t{self.tail}"

    def _escaped_history_fields(self, resident_id: int, person: dict[str, Any], number: str, reason: str,
                                day: dt.date) -> str:  # fmt: skip
        items = first_history_items(self.tenant_id, person, number, reason, day)
        items["resident_id"] = resident_id
        return copy_line(_HISTORY_VALUES(items))[:-1]


HEAD_LINK = "fk_household_head_resident_id_resident"  # household.head_resident_id → resident (deferrable)


class PostgresWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SET LOCAL default_toast_compression = lz4"))  # long snapshots: faster than pglz
        conn.execute(text(f"SET CONSTRAINTS {HEAD_LINK} DEFERRED"))
        self.raw = conn.connection.driver_connection

    def _copy(self, table: str, columns: tuple[str, ...], payload: bytes) -> None:
        cursor = self.raw.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(payload)

    def write(self, batch: CopyBatch) -> None:
        self._copy("household", HOUSEHOLD_COLUMNS, batch.households)
        self._copy("resident", RESIDENT_COPY_COLUMNS, batch.residents)
        self._copy("resident_history", HISTORY_COLUMNS, batch.history)

    def finish(self) -> None:
        """Check every head link now (not at the caller's commit), and leave the constraint as it was."""
        self.conn.execute(text(f"SET CONSTRAINTS {HEAD_LINK} IMMEDIATE"))
