"""PostgreSQL side of the bulk loader: psycopg 3 ``COPY`` through the SQLAlchemy connection's own driver
connection, in the caller's transaction.

The history snapshots arrive as JSON text serialised by the generator process.  (Building them in SQL with
``to_jsonb`` instead was tried and measured: it cost the single database backend ~45 % more CPU than parsing
the text, and the backend is the bottleneck.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

from handlers.synthetic.generator import SyntheticBatch
from handlers.synthetic.tables import (
    HISTORY_COLUMNS,
    HOUSEHOLD_COLUMNS,
    RESIDENT_COLUMNS,
    as_tuples,
    assign_ids,
)


class PostgresWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        conn.execute(text("SET LOCAL default_toast_compression = lz4"))  # snapshots: far faster than pglz
        conn.execute(
            text("CREATE TEMP TABLE IF NOT EXISTS synthetic_heads (household_id bigint, head bigint)")
        )
        self.raw = conn.connection.driver_connection

    def _ids(self, table: str, how_many: int) -> list[int]:
        rows = self.conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table, "n": how_many},
        )
        return [int(r[0]) for r in rows]

    def _copy(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.raw.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, chunk: SyntheticBatch) -> None:
        household_ids = self._ids("household", len(chunk.households))
        assign_ids(chunk, household_ids, self._ids("resident", len(chunk.residents)))
        heads = [(h["id"], h["head_resident_id"]) for h in chunk.households]
        for row in chunk.households:
            row["head_resident_id"] = None  # the link is circular: set once the residents exist
        self._copy("household", HOUSEHOLD_COLUMNS, as_tuples(chunk.households, HOUSEHOLD_COLUMNS))
        self._copy("resident", RESIDENT_COLUMNS, as_tuples(chunk.residents, RESIDENT_COLUMNS))
        self.conn.execute(text("TRUNCATE synthetic_heads"))
        self._copy("synthetic_heads", ("household_id", "head"), heads)
        self.conn.execute(text(
            "UPDATE household h SET head_resident_id = s.head FROM synthetic_heads s WHERE h.id = s.household_id"
        ))  # fmt: skip
        for (_id, head), row in zip(heads, chunk.households, strict=True):
            row["head_resident_id"] = head
        self._copy("resident_history", HISTORY_COLUMNS, as_tuples(chunk.history, HISTORY_COLUMNS))

    def finish(self) -> None:
        self.conn.execute(text("DROP TABLE IF EXISTS synthetic_heads"))
