"""The import reads a CSV file's records exactly as ``csv.reader(strict=True)`` does — the same fields, the
same starting line, the same error — while splitting the plain lines (no quote, or one quoted JSON field)
itself (``rowfiles.csv_records``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.portability.rowfiles import csv_records, split_plain_record

PIECES = ("a", "山田", ",", '"', '""', "\r\n", "\r", "\n", "\0", " ", "\\N", '{"k":"v"}', "")


def _by_csv_module(text: str) -> list[tuple[int, list[str]] | str]:
    """(starting line, fields) of every record, then the error's class name if the csv module raises."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, list[str]] | str] = []
    start = 1
    try:
        for record in reader:
            out.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        out.append(type(exc).__name__)
    return out


def _by_import(text: str) -> list[tuple[int, list[str]] | str]:
    out: list[tuple[int, list[str]] | str] = []
    records: Iterator[tuple[int, list[str]]] = csv_records(io.StringIO(text, newline=""))
    try:
        out.extend(records)
    except csv.Error as exc:
        out.append(type(exc).__name__)
    return out


@pytest.mark.req("j1410")
@settings(max_examples=1500, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_text_gives_the_records_and_errors_of_the_csv_module(pieces: list[str]) -> None:
    text = "".join(pieces)

    assert _by_import(text) == _by_csv_module(text)


@pytest.mark.req("j1410")
@settings(max_examples=500, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='a山,"\r\n\\{}: ', max_size=12), min_size=1, max_size=6), max_size=6
    )
)
def test_files_the_csv_writer_makes_read_back_as_the_csv_module_reads_them(rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)

    assert _by_import(out.getvalue()) == _by_csv_module(out.getvalue())


@pytest.mark.req("j1410")
def test_an_exported_history_line_with_its_quoted_snapshot_is_split_without_the_csv_module() -> None:
    snapshot = '{"a":"x, y","b":"","c":"\\"q\\""}'
    line = 'A,1,\\N,"' + snapshot.replace('"', '""') + '",2026-01-05,\\N\r\n'

    assert split_plain_record(line, csv.field_size_limit()) == [
        "A",
        "1",
        "\\N",
        snapshot,
        "2026-01-05",
        "\\N",
    ]
    assert split_plain_record('a,"b","c"\r\n', 1000) is None  # two quoted fields: the csv module reads it
    assert split_plain_record('a,"b\r\n', 1000) is None  # a quoted field going on in the next line
    assert split_plain_record("a,b" + "c" * 20 + "\r\n", 20) is None  # may pass the field size limit
