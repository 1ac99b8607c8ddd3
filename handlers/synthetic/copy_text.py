"""PostgreSQL ``COPY … FROM STDIN`` text format, made in the generator process, and database ids reserved
before the generator starts, so the loading process only hands finished bytes to the database.

Text format: one line per row, fields separated by a tab, ``\\N`` for null, and a backslash, tab, newline or
carriage return inside a value written as ``\\\\``, ``\\t``, ``\\n``, ``\\r``.  Dates are ISO, booleans
``t``/``f``.  Values that need no escaping (all synthetic ones) take a fast path checked once per line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, text

_DATE = dt.date
_NUL = "\x00"  # cannot occur in PostgreSQL text: marks a null until the line is checked
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _plain(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return _NUL
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"no COPY text form for {kind.__name__}")


def _escaped(value: Any) -> str:
    return "\\N" if value is None else _plain(value).translate(_ESCAPES)


def copy_line(values: Sequence[Any]) -> str:
    """One row of COPY text, with its newline."""
    line = "\t".join([
        v if (kind := type(v)) is str else _NUL if v is None else ("t" if v else "f") if kind is bool
        else v.isoformat() if kind is _DATE else _plain(v)
        for v in values
    ])  # fmt: skip
    if line.count("\t") != len(values) - 1 or "\\" in line or "\n" in line or "\r" in line:
        return "\t".join([_escaped(v) for v in values]) + "\n"
    return line.replace(_NUL, "\\N") + "\n"


def copy_payload(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """The rows as COPY text, one ``copy_line`` each."""
    values = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    return "".join([copy_line(values(row)) for row in rows]).encode("utf-8")


class IdBlocks:
    """Database ids reserved in advance, as runs of consecutive values, handed out in order."""

    def __init__(self, runs: list[tuple[int, int]]) -> None:
        self.runs = runs  # (first id, how many)
        self.run = 0
        self.used = 0  # of the current run

    def at(self, offset: int, how_many: int) -> list[int]:
        """The ids at positions ``offset`` … ``offset + how_many - 1`` of the reserved order."""
        ids: list[int] = []
        for first, size in self.runs:
            if offset < size and len(ids) < how_many:
                step = min(size - offset, how_many - len(ids))
                ids.extend(range(first + offset, first + offset + step))
            offset = max(0, offset - size)
        if len(ids) < how_many:
            raise RuntimeError("more ids taken than reserved")
        return ids

    def take(self, how_many: int) -> list[int]:
        ids: list[int] = []
        while len(ids) < how_many:
            if self.run >= len(self.runs):
                raise RuntimeError("more ids taken than reserved")
            first, size = self.runs[self.run]
            step = min(size - self.used, how_many - len(ids))
            ids.extend(range(first + self.used, first + self.used + step))
            self.used += step
            if self.used == size:
                self.run, self.used = self.run + 1, 0
        return ids


def reserve_ids(conn: Connection, table: str, how_many: int) -> IdBlocks:
    """``how_many`` values of the table's id sequence (consecutive unless another session takes some at the
    same moment: then in several runs).

    The i-th ``nextval`` minus i is constant along a run of consecutive values, so grouping by it gives the
    runs without sorting the values (sorting them cost the backend ~3 µs a value; so did looking the sequence
    up by name for every value).  Each run is checked to be consecutive."""
    sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar_one()
    rows = conn.execute(
        text(
            "SELECT min(v), max(v), count(*) FROM (SELECT i, nextval(CAST(:s AS regclass)) AS v "
            "FROM generate_series(1, :n) AS i) s GROUP BY v - i ORDER BY 1"
        ),
        {"s": sequence, "n": how_many},
    )
    runs = [(int(first), int(last), int(size)) for first, last, size in rows]
    if sum(size for _f, _l, size in runs) != how_many or any(
        last - first + 1 != size for first, last, size in runs
    ):
        raise RuntimeError(f"reserved ids of {table} are not runs of consecutive values")
    return IdBlocks([(first, size) for first, _last, size in runs])
