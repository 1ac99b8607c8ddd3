"""The import's COPY text path (PostgreSQL): the fast path takes a CSV record only when the ordinary path
(decode every field, check every column) finds it clean, and then writes the very text the ordinary path
writes; and imports through it keep backslashes, tabs and line breaks, and still write all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import models
from handlers.db import Database
from handlers.portability import ImportRefusedError, export_tenant, import_tenant
from handlers.portability.copytext import RAW_SNAPSHOT, FastRows, copy_field
from handlers.portability.layout import SPEC_BY_NAME, Column, FileSpec
from handlers.portability.rowfiles import _decode_csv, read_rows, sha256_of
from handlers.portability.validation import _Limits
from handlers.rules.check_digit import with_m11w27
from handlers.uow import unit_of_work
from tests.portability.registers import (
    TENANT_ID,
    PersonPlan,
    add_municipality,
    build_source,
    files_of,
    make_template,
    system_actor,
)

LOGINS = {"clerk7"}
NUMBERS = (with_m11w27("000000001"), with_m11w27("000000002"))
CLEAN = {  # tokens every column check accepts (a required column is never given the null)
    "text": ("山田", "a", "", "1", "null", "𠮷邊\U000e0104"),
    "int": ("0", "7", "-3", "12345"),
    "bool": ("true", "false"),
    "date": ("2020-01-31", "2020-02-29", "1900-12-01"),
    "datetime": ("2026-01-05T09:30:00.000000+00:00", "2026-11-26T23:59:59.999999+00:00"),
    "json": ('{"a":1}', '{"a":"\\u3042","b":[1,2.5,null]}', '{"k":"\\\\N"}'),
}
AWKWARD = {  # tokens that are wrong, or right but not the fast path's business
    "text": ("\\N", "\\\\x", "\\x", "a\\b", "a\tb", "a\nb", "a\r\nb", "x" * 201),
    "int": ("007", "-0", "+1", "1.0", "", "x", "\\N"),
    "bool": ("True", "1", "", "\\N"),
    "date": ("2020-02-30", "2020-W01-1", "20200101", "2020-1-01", "", "\\N"),
    "datetime": ("2026-01-05T09:30:00+00:00", "2026-01-05T18:30:00.000000+09:00", "2026-01-05T09:30:00.000000",
                 "2026-13-05T09:30:00.000000+00:00", "x", "\\N"),
    "json": ("{}", "[1]", "{bad", "NaN", "\\N", '{"a":1e400}'),
}  # fmt: skip


def _clean_tokens(column: Column) -> tuple[str, ...]:
    if column.reference == "users.login_id":
        tokens: tuple[str, ...] = ("clerk7",)
    elif column.name in ("atena_number", "household_number", "head_atena_number"):
        tokens = NUMBERS
    else:
        tokens = tuple(t for t in CLEAN[column.kind] if len(t) <= (column.max_length or 99))
    return tokens + (("\\N",) if column.nullable else ())


def _first_clean(column: Column) -> str:
    return _clean_tokens(column)[0]


def _awkward_tokens(column: Column) -> tuple[str, ...]:
    if column.reference == "users.login_id":
        return ("ghost", "", "\\N")
    if column.name in ("atena_number", "household_number", "head_atena_number"):
        return ("0000000010", "", "12", "\\N", "\\" + NUMBERS[0])
    return AWKWARD[column.kind] + tuple(CLEAN[column.kind])


def _clean(column: Column) -> st.SearchStrategy[str]:
    return st.sampled_from(_clean_tokens(column))


def _awkward(column: Column) -> st.SearchStrategy[str]:
    return st.sampled_from(_awkward_tokens(column))


@st.composite
def _records(draw: st.DrawFn, spec: FileSpec) -> tuple[list[str], bool]:
    """A record of clean fields with 0–2 of them made awkward (or a column short); True when untouched."""
    raw = [draw(_clean(c)) for c in spec.columns]
    spoiled = draw(st.lists(st.integers(0, len(raw)), max_size=2, unique=True))
    for index in spoiled:
        if index == len(raw):
            raw = raw[:-1]
        elif index < len(raw):
            raw[index] = draw(_awkward(spec.columns[index]))
    return raw, not spoiled


def _agrees_with_the_ordinary_path(spec: FileSpec, fast_rows: FastRows, raw: list[str]) -> bool:
    """False when the fast path declines the record; else asserts it is clean and written alike."""
    fast = fast_rows.read(raw)
    if fast is None:
        return False
    ordinary = _decode_csv([(c.name, c.kind) for c in spec.columns], 2, raw)
    assert not ordinary.errors and _Limits.of(spec).clean(ordinary.values, LOGINS), raw
    assert fast.copy == "\t".join(copy_field(ordinary.values[n]) for n in fast_rows.copy_names)
    assert {n: repr(v) for n, v in fast.values.items()} == {n: repr(ordinary.values[n]) for n in fast.values}
    if (spec.name, "snapshot") == RAW_SNAPSHOT:
        assert "snapshot" in fast.values
    return True


@pytest.mark.req("j1410")
@pytest.mark.parametrize("name", ["households", "residents", "resident_history"])
def test_every_awkward_field_in_every_column_is_declined_or_agrees_with_the_ordinary_path(name: str) -> None:
    spec = SPEC_BY_NAME[name]
    fast_rows = FastRows.for_spec(spec, LOGINS)
    assert fast_rows is not None
    clean = [_first_clean(c) for c in spec.columns]
    assert _agrees_with_the_ordinary_path(spec, fast_rows, clean)
    declined = 0
    for index, column in enumerate(spec.columns):
        for token in _awkward_tokens(column):
            raw = [*clean[:index], token, *clean[index + 1 :]]
            declined += not _agrees_with_the_ordinary_path(spec, fast_rows, raw)
    assert declined > len(spec.columns)


@pytest.mark.req("j1410")
@settings(max_examples=600, deadline=None)
@given(data=st.data(), name=st.sampled_from(("households", "residents", "resident_history")))
def test_the_fast_path_takes_a_record_only_when_the_ordinary_path_finds_it_clean_and_writes_its_text(
    data: st.DataObject, name: str
) -> None:
    spec = SPEC_BY_NAME[name]
    fast_rows = FastRows.for_spec(spec, LOGINS)
    assert fast_rows is not None
    raw, untouched = data.draw(_records(spec))

    taken = _agrees_with_the_ordinary_path(spec, fast_rows, raw)

    assert taken or not untouched


def _plans() -> list[list[PersonPlan]]:
    awkward = ("a\tb", "\\N", "\\", "c\\d", "e\r\nf", "g\nh", '"i,j"')
    return [[PersonPlan("山田", "花子", "ヤマダ", False, dt.date(1980, 2, 29), None, "世帯主", False, ["メモ"], 2),
             PersonPlan(awkward[0], awkward[1], "タブ", True, None, "昭和10年頃", "子", False, list(awkward), 1)],
            [PersonPlan("c\\d", "e\r\nf", "カイギョウ", False, None, None, "世帯主", True, [], 3)]]  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("copytext")
    source = build_source(make_template(where / "template.sqlite3"), where / "source.sqlite3", _plans())
    with unit_of_work(source, system_actor()) as uow:
        export_tenant(uow, where / "export", "csv")
    return where / "export"


@pytest.mark.req("j1410")
def test_clean_exported_rows_take_the_fast_path_and_awkward_ones_the_ordinary_one(exported: Path) -> None:
    taken: dict[str, list[bool]] = {}
    for name in ("households", "residents", "resident_history"):
        spec = SPEC_BY_NAME[name]
        fast = FastRows.for_spec(spec, {"clerk7"})
        assert fast is not None
        taken[name] = [
            row.copy is not None for row in read_rows(exported / f"{name}.csv", spec, "csv", None, fast.read)
        ]

    assert taken["residents"] == [True, False, False]  # tabs, backslashes and line breaks: the ordinary path
    assert True in taken["resident_history"] and False in taken["resident_history"]
    assert FastRows.for_spec(SPEC_BY_NAME["access_log"], set()) is None  # the chain needs every value


def _rewrite_last_history_row(directory: Path, column: str, text: str) -> int:
    """Put ``text`` into ``column`` of the last history row, re-sign the manifest; the row's first line."""
    path = directory / "resident_history.csv"
    reader = csv.reader(io.StringIO(path.read_text("utf-8"), newline=""))
    rows, starts = [], []
    for row in reader:
        rows.append(row)
        starts.append(reader.line_num + 1)  # where the next record starts
    rows[-1][rows[0].index(column)] = text
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode())
    manifest = json.loads((directory / "manifest.json").read_text())
    next(f for f in manifest["files"] if f["name"] == "resident_history")["sha256"] = sha256_of(path)
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return starts[-2]


def _import_into(db: Database, directory: Path) -> None:
    with unit_of_work(db, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    import_tenant(lambda: unit_of_work(db, system_actor()), directory)


@pytest.mark.req("j1410", "j1370")
def test_import_into_the_suite_database_keeps_backslashes_tabs_and_line_breaks(
    exported: Path, db: Database, tmp_path: Path
) -> None:
    """On PostgreSQL: fast and ordinary rows in the same COPY, round trip byte-identical."""
    _import_into(db, exported)
    with unit_of_work(db, system_actor()) as uow:
        rows = json.loads((exported / "manifest.json").read_text())["files"][-1]["rows"]
        export_tenant(uow, tmp_path / "again", "csv", access_log_through=rows)

    assert files_of(tmp_path / "again") == files_of(exported)


@pytest.mark.req("j1410", "j1440")
def test_a_bad_row_in_a_later_chunk_leaves_nothing_in_the_suite_database(
    exported: Path, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handlers.portability.importer.CHUNK_ROWS", 1)
    directory = tmp_path / "bad"
    directory.mkdir()
    for path in exported.iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    line = _rewrite_last_history_row(directory, "change_date", "2001-02-30")

    with pytest.raises(ImportRefusedError) as refused:
        _import_into(db, directory)

    assert [(p.file, p.column) for p in refused.value.problems] == [("resident_history.csv", "change_date")]
    assert refused.value.problems[0].line == line > 2  # the last history row, after rows already written
    with unit_of_work(db, system_actor(TENANT_ID)) as uow:
        for model in (models.Household, models.Resident, models.ResidentHistory):
            assert uow.session.scalar(select(func.count(model.id))) == 0
