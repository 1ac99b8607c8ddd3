"""COPY text made in Python (synthetic generator, tenant import), and ids handed out from reserved blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.copy_text import IdBlocks, copy_line, copy_payload_with_json
from handlers.portability.copy_lines import copy_row, raw_plan
from handlers.portability.layout import SPEC_BY_NAME


@pytest.mark.req("j130")
def test_copy_line_writes_nulls_booleans_dates_and_escapes_special_characters() -> None:
    plain = copy_line(["山田", None, True, False, 42, dt.date(2026, 2, 3)])
    assert plain == "山田\t\\N\tt\tf\t42\t2026-02-03\n"
    tricky = copy_line(["a\\b", "tab\there", "two\nlines", "cr\r", None])
    assert tricky == "a\\\\b\ttab\\there\ttwo\\nlines\tcr\\r\t\\N\n"


@pytest.mark.req("j130")
def test_json_column_is_appended_with_its_backslashes_doubled() -> None:
    rows = [{"name": "髙橋", "snapshot": b'{"note":"say \\"hi\\""}'}, {"name": None, "snapshot": b"{}"}]
    payload = copy_payload_with_json(rows, ("name", "snapshot"))
    assert payload == '髙橋\t{"note":"say \\\\"hi\\\\""}\n\\N\t{}\n'.encode()


@pytest.mark.req("j130")
def test_reserved_id_runs_are_handed_out_in_order_across_runs() -> None:
    blocks = IdBlocks([(10, 3), (50, 2)])
    assert blocks.take(2) == [10, 11]
    assert blocks.take(2) == [12, 50]
    assert blocks.take(1) == [51]
    with pytest.raises(RuntimeError):
        blocks.take(1)


def _resident_record(**fields: str) -> list[str]:
    names = SPEC_BY_NAME["residents"].column_names
    record = ["\\N"] * len(names)
    for name, text in fields.items():
        record[names.index(name)] = text
    return record


@pytest.mark.req("j1410")
def test_import_copies_csv_fields_as_they_are_and_writes_dates_from_their_values() -> None:
    plan = raw_plan("residents", ("atena_number", "family_name", "given_name", "birth_date"))
    record = _resident_record(atena_number="0000000019", family_name="山田", birth_date="1980-01-02")
    values = {"atena_number": "0000000019", "family_name": "山田", "given_name": None,
              "birth_date": dt.date(1980, 1, 2)}  # fmt: skip
    assert copy_row(plan, [5, 7], record, values) == "5\t7\t0000000019\t山田\t\\N\t1980-01-02\n"


@pytest.mark.req("j1410")
def test_import_writes_a_row_with_an_escaped_or_special_field_from_its_decoded_values() -> None:
    plan = raw_plan("residents", ("family_name", "given_name"))
    record = _resident_record(family_name="\\\\山", given_name="花\t子")  # CSV: a leading backslash doubled
    values = {"family_name": "\\山", "given_name": "花\t子"}
    assert copy_row(plan, [5, None], record, values) == "5\t\\N\t\\\\山\t花\\t子\n"
