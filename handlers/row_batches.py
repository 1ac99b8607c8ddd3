"""New rows of several tables written by one statement (PostgreSQL), where a step writes rows nobody reads back in
its transaction: the outbox messages of a case and the 送付先情報 kept with them (j1120).

Each table's rows go as one JSON document (``INSERT … SELECT <columns> FROM
json_populate_recordset(NULL::<table>, :rows)``: each value converted to its column's type by PostgreSQL, one
``json.dumps`` in C on our side), the tables but the last in data-modifying CTEs, so the statement's text
depends only on the tables and columns: built once per shape and sent by ``run_prebuilt`` (the session's
connection and transaction, so row-level security applies).  Every row must name its tenant, checked against the session's as the flush would
(``tenancy.check_row_tenant``).  Other databases (SQLite), or rows whose keys differ, get one executemany per
table (``run_prebuilt_many``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import TextClause

from handlers.row_writes import run_prebuilt, run_prebuilt_many
from handlers.tenancy import check_row_tenant

Batch = tuple[Table, Sequence[Mapping[str, Any]]]


def insert_batches(session: Session, batches: Sequence[Batch]) -> None:
    """Write each batch's rows (dicts of column values, every row of a batch the same keys, ``tenant_id``
    among them) into its table; on PostgreSQL all in one statement."""
    batches = [(table, rows) for table, rows in batches if rows]
    for _table, rows in batches:
        for tenant in {row["tenant_id"] for row in rows}:
            check_row_tenant(session, tenant)
    shapes = tuple((table, tuple(rows[0])) for table, rows in batches)
    same_keys = all(
        tuple(row) == columns
        for (_t, rows), (_t2, columns) in zip(batches, shapes, strict=True)
        for row in rows
    )
    if session.get_bind().dialect.name != "postgresql" or not same_keys or len(batches) < 2:
        for table, rows in batches:
            run_prebuilt_many(session, _insert(table), [dict(row) for row in rows])
        return
    params = {f"t{t}": json_rows(rows) for t, (_t, rows) in enumerate(batches)}
    run_prebuilt(session, _statement(shapes), params)


@cache
def _insert(table: Table) -> Insert:
    return insert(table)  # built once per table (its cache key is kept)


def _json_value(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def insert_sql(table: Table, columns: Sequence[str], param: str, where: str = "") -> str:
    """``INSERT INTO <table> (<columns>) SELECT <columns> FROM json_populate_recordset(NULL::<table>, :param)
    [WHERE …]``: the rows of one JSON document (``json_rows``) bound as ``param``."""
    names = ", ".join(f'"{name}"' for name in columns)
    return (
        f'INSERT INTO "{table.name}" ({names}) SELECT {names}'
        f' FROM json_populate_recordset(NULL::"{table.name}", CAST(:{param} AS JSON)){where}'
    )


def json_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows (dicts of column values) as the JSON document ``insert_sql`` reads."""
    return json.dumps(rows, ensure_ascii=False, default=_json_value)


@cache
def _statement(shapes: tuple[tuple[Table, tuple[str, ...]], ...]) -> TextClause:
    inserts = [insert_sql(table, columns, f"t{t}") for t, (table, columns) in enumerate(shapes)]
    ctes = ", ".join(f"w{t} AS ({sql})" for t, sql in enumerate(inserts[:-1]))
    return text(f"WITH {ctes} {inserts[-1]}")
