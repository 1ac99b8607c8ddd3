"""COPY text made by the synthetic generator process, and ids handed out from reserved blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.synthetic.copy_text import IdBlocks, copy_line, copy_payload


@pytest.mark.req("j130")
def test_copy_line_writes_nulls_booleans_dates_and_escapes_special_characters() -> None:
    plain = copy_line(["山田", None, True, False, 42, dt.date(2026, 2, 3)])
    assert plain == "山田\t\\N\tt\tf\t42\t2026-02-03\n"
    tricky = copy_line(["a\\b", "tab\there", "two\nlines", "cr\r", None])
    assert tricky == "a\\\\b\ttab\\there\ttwo\\nlines\tcr\\r\t\\N\n"


@pytest.mark.req("j130")
def test_reserved_id_runs_are_handed_out_in_order_across_runs() -> None:
    blocks = IdBlocks([(10, 3), (50, 2)])
    assert blocks.take(2) == [10, 11]
    assert blocks.take(2) == [12, 50]
    assert blocks.take(1) == [51]
    with pytest.raises(RuntimeError):
        blocks.take(1)
    assert IdBlocks([(10, 3), (50, 2)]).at(2, 3) == [12, 50, 51]
    assert IdBlocks([(10, 3), (50, 2)]).at(4, 1) == [51]
    with pytest.raises(RuntimeError):
        IdBlocks([(10, 3), (50, 2)]).at(3, 3)


@pytest.mark.req("j130")
def test_a_batch_is_the_copy_lines_of_its_rows_column_by_column() -> None:
    rows = [
        {"a": "山田", "b": None, "c": True, "d": 42, "e": dt.date(2026, 2, 3), "f": None, "g": "x"},
        {"a": "tab\there", "b": "ok", "c": False, "d": None, "e": None, "f": None, "g": "y"},
        {"a": None, "b": "back\\slash", "c": None, "d": 0, "e": dt.date(1999, 12, 31), "f": None, "g": "z"},
        {"a": "cr\r", "b": "two\nlines", "c": True, "d": -1, "e": None, "f": None, "g": "w"},
    ]
    columns = ("a", "b", "c", "d", "e", "f", "g")
    expected = "".join(copy_line([row[c] for c in columns]) for row in rows).encode()
    assert copy_payload(rows, columns) == expected
    assert copy_payload(rows[:1], columns) == copy_line([rows[0][c] for c in columns]).encode()
    assert copy_payload([], columns) == b""
