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

from dataclasses import dataclass

from sqlalchemy import Connection, text

from handlers.synthetic.copy_text import IdBlocks, copy_payload, copy_payload_with_json, reserve_ids
from handlers.synthetic.generator import SyntheticBatch
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    RESIDENT_COLUMNS,
    assign_ids,
    serialise_snapshots,
)


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
    generator process)."""

    def __init__(self, households: IdBlocks, residents: IdBlocks) -> None:
        self.households, self.residents = households, residents

    @classmethod
    def reserving(cls, conn: Connection, count: int) -> CopyEncoder:
        """Ids for ``count`` residents and at most as many households (ids a smaller number of households
        leaves unused are a gap in the sequence, as a rolled-back insert leaves)."""
        return cls(reserve_ids(conn, "household", count), reserve_ids(conn, "resident", count))

    def __call__(self, chunk: SyntheticBatch) -> CopyBatch:
        serialise_snapshots(chunk)
        assign_ids(chunk, self.households.take(len(chunk.households)),
                   self.residents.take(len(chunk.residents)))  # fmt: skip
        return CopyBatch(
            copy_payload(chunk.households, HOUSEHOLD_COLUMNS),
            copy_payload(chunk.residents, RESIDENT_COLUMNS),
            copy_payload_with_json(chunk.history, HISTORY_COLUMNS),
            len(chunk.households),
            len(chunk.history),
        )


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
        self._copy("resident", RESIDENT_COLUMNS, batch.residents)
        self._copy("resident_history", HISTORY_COLUMNS, batch.history)

    def finish(self) -> None:
        """Check every head link now (not at the caller's commit), and leave the constraint as it was."""
        self.conn.execute(text(f"SET CONSTRAINTS {HEAD_LINK} IMMEDIATE"))
