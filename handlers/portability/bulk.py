"""Bulk writing for the import: PostgreSQL ``COPY`` through the session's own driver connection, SQLite
``executemany``; both in the caller's transaction.  Database ids are taken in blocks (the table's sequence
on PostgreSQL, past ``max(id)`` on SQLite after taking the write lock).

On PostgreSQL ``insert_soon`` runs the ``COPY`` of a chunk in a thread while the caller reads and checks the
next chunk, so the database backend works while the importing process decodes (without it, each waited for
the other: the wall-clock time was the sum of both).  Every other call waits for that ``COPY`` first, so the
connection is only ever used by one thread at a time."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, text


def _sqlite_value(value: Any) -> Any:
    """SQLAlchemy's SQLite storage formats: ISO dates, naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, JSON text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class _BackgroundCopy(threading.Thread):
    def __init__(self, table: str, write: Callable[[], None]) -> None:
        super().__init__(name=f"copy-{table}", daemon=True)
        self.write = write
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.write()
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread by BulkSink.wait
            self.error = exc


class BulkSink:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._next_sqlite_id: dict[str, int] = {}
        self._sequences: dict[str, str] = {}
        self._pending: _BackgroundCopy | None = None
        if self.postgres:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SET LOCAL default_toast_compression = lz4"))  # snapshots: far faster than pglz

    def wait(self) -> None:
        """Until the ``COPY`` started by ``insert_soon`` has finished; its error, if any, is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.join()
            if pending.error is not None:
                raise pending.error

    def insert_soon(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """``insert``, in a thread on PostgreSQL (see the module's docstring); ``wait`` before relying on it."""
        self.wait()
        if not self.postgres:
            self.insert(table, columns, rows)
            return
        self._start(table, lambda: self.copy_rows(table, columns, rows))

    def copy_text_soon(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        """PostgreSQL: ``COPY`` of rows already in ``COPY`` text form (each line ending in a newline), in a
        thread like ``insert_soon``."""
        self.wait()
        self._start(table, lambda: self.copy_text(table, columns, lines))

    def _start(self, table: str, write: Callable[[], None]) -> None:
        self._pending = _BackgroundCopy(table, write)
        self._pending.start()

    def ids(self, table: str, how_many: int) -> list[int]:
        self.wait()
        if how_many == 0:
            return []
        if self.postgres:
            if table not in self._sequences:  # named once: resolving it per row cost ~9 µs per id
                found = self.conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
                self._sequences[table] = found.scalar_one().replace("'", "''")
            numbers = self.conn.exec_driver_sql(
                f"SELECT string_agg(nextval('{self._sequences[table]}'::regclass)::text, ',') "
                "FROM generate_series(1, %(n)s)",
                {"n": how_many},
            )
            return list(map(int, numbers.scalar_one().split(",")))
        if table not in self._next_sqlite_id:
            last = self.conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
            self._next_sqlite_id[table] = int(last) + 1
        first = self._next_sqlite_id[table]
        self._next_sqlite_id[table] = first + how_many
        return list(range(first, first + how_many))

    def copy_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)  # JSON values arrive as their text (str)

    def copy_text(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write("".join(lines))

    def insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        self.wait()
        if self.postgres:
            self.copy_rows(table, columns, rows)
            return
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        batch = [tuple(_sqlite_value(v) for v in row) for row in rows]
        if batch:
            self.conn.exec_driver_sql(sql, batch)

    def analyze(self, tables: list[str]) -> None:
        """Fresh planner statistics for the tables just filled (PostgreSQL), so the first queries after an
        import do not plan on empty-table estimates."""
        self.wait()
        if self.postgres:
            for table in tables:
                self.conn.execute(text(f"ANALYZE {table}"))

    def set_heads(self, pairs: list[tuple[int, int]]) -> None:
        """household.head_resident_id, once the residents exist (the link is circular)."""
        self.wait()
        if not pairs:
            return
        if self.postgres:
            self.conn.execute(
                text("CREATE TEMP TABLE IF NOT EXISTS import_heads (household_id bigint, head bigint)")
            )
            self.conn.execute(text("TRUNCATE import_heads"))
            self.insert("import_heads", ("household_id", "head"), pairs)
            self.conn.execute(text("UPDATE household h SET head_resident_id = s.head "
                                   "FROM import_heads s WHERE h.id = s.household_id"))  # fmt: skip
            self.conn.execute(text("DROP TABLE import_heads"))
            return
        self.conn.exec_driver_sql(
            "UPDATE household SET head_resident_id = ? WHERE id = ?", [(h, i) for i, h in pairs]
        )
