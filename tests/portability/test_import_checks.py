"""The import refuses what it cannot take whole: a file that disagrees with its manifest, bad rows (every one
reported with file, line, column and a Japanese reason), a tenant that already holds data; and it writes
into the test database (PostgreSQL COPY when the suite runs on PostgreSQL) losslessly."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

import models
from handlers.audit_verify import verify_chain
from handlers.db import Database
from handlers.portability import ImportRefusedError, TenantNotEmptyError, export_tenant, import_tenant
from handlers.portability.bulk import BulkSink
from handlers.portability.codec import canonical_json
from handlers.portability.export import SNAPSHOT_IDS
from handlers.uow import unit_of_work
from models.snapshot import snapshot_keys
from tests.portability.registers import (
    TENANT_ID,
    PersonPlan,
    add_municipality,
    build_source,
    files_of,
    fresh_database,
    make_template,
    system_actor,
)

PLANS = [[PersonPlan("髙橋", "邊\U000e0104", "タカハシ", False, None, "昭和10年頃", "世帯主", False, ["a,b"], 2),
          PersonPlan(None, "𠮷", "キチ", True, None, None, "子の子の子", True, [], 1)]]  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("checks")
    source = build_source(make_template(where / "template.sqlite3"), where / "source.sqlite3", PLANS)
    with unit_of_work(source, system_actor()) as uow:
        export_tenant(uow, where / "export", "csv")
    return where


def _target(where: Path, name: str) -> Database:
    database = fresh_database(where / "template.sqlite3", where / f"{name}.sqlite3")
    with unit_of_work(database, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    return database


def _residents(database: Database) -> int:
    with unit_of_work(database, system_actor()) as uow:
        return int(uow.session.scalar(select(func.count(models.Resident.id))) or 0)


def _copy_export(exported: Path, name: str) -> Path:
    copy = exported / name
    copy.mkdir()
    for path in (exported / "export").iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    return copy


def _rewrite_residents(directory: Path, edit: dict[tuple[int, str], str]) -> None:
    """Change fields of residents.csv ((data row index, column) → raw text) and re-sign the manifest, as a
    vendor's faulty but consistent file would be."""
    rows = _rows(directory, "residents")
    for (index, column), value in edit.items():
        rows[index + 1][rows[0].index(column)] = value
    _write_signed(directory, "residents", rows)


def _rows(directory: Path, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((directory / f"{name}.csv").read_text("utf-8"), newline="")))


def _write_signed(directory: Path, name: str, rows: list[list[str]]) -> None:
    """Write ``name``.csv as the export writes CSV and put its new checksum in the manifest."""
    path = directory / f"{name}.csv"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode())
    manifest = json.loads((directory / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["name"] == name)
    entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))


@pytest.mark.req("j1410")
def test_a_file_that_disagrees_with_its_checksum_is_refused_before_anything_is_written(
    exported: Path,
) -> None:
    directory = _copy_export(exported, "tampered")
    (directory / "households.csv").write_bytes((directory / "households.csv").read_bytes() + b"")
    data = (directory / "residents.csv").read_bytes()
    (directory / "residents.csv").write_bytes(data.replace("髙橋".encode(), "高橋".encode()))
    target = _target(exported, "tampered")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    assert [(p.file, p.line) for p in refused.value.problems] == [("residents.csv", 0)]
    assert "sha256" in refused.value.problems[0].reason
    assert _residents(target) == 0


@pytest.mark.req("j1410", "j1440")
def test_every_bad_row_is_reported_with_file_line_column_and_reason(exported: Path) -> None:
    directory = _copy_export(exported, "bad")
    _rewrite_residents(directory, {(0, "birth_date"): "1980-02-30", (0, "atena_number"): "0000000010",
                                   (1, "household_number"): "9999999999", (1, "sex"): "\\N"})  # fmt: skip
    target = _target(exported, "bad")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    found = {(p.file, p.line, p.column) for p in refused.value.problems}
    assert found >= {("residents.csv", 2, "birth_date"), ("residents.csv", 2, "atena_number"),
                     ("residents.csv", 3, "household_number"), ("residents.csv", 3, "sex")}  # fmt: skip
    reasons = " ".join(p.reason for p in refused.value.problems)
    assert "YYYY-MM-DD" in reasons and "検査数字" in reasons and "世帯ファイルにありません" in reasons
    assert "必須" in reasons
    assert _residents(target) == 0


@pytest.mark.req("j1410", "j1440")
def test_a_snapshot_that_is_json_but_not_an_object_is_reported_not_crashed_on(exported: Path) -> None:
    directory = _copy_export(exported, "snapshot-array")
    rows = _rows(directory, "resident_history")
    rows[2][rows[0].index("snapshot")] = "[1,2]"
    _write_signed(directory, "resident_history", rows)
    target = _target(exported, "snapshot-array")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    assert [(p.file, p.line, p.column) for p in refused.value.problems] == [
        ("resident_history.csv", 3, "snapshot")
    ]
    assert "オブジェクト" in refused.value.problems[0].reason and _residents(target) == 0


@pytest.mark.req("j1410")
def test_a_municipality_that_already_holds_residents_is_refused(exported: Path) -> None:
    target = _target(exported, "busy")
    import_tenant(lambda: unit_of_work(target, system_actor()), exported / "export")

    with pytest.raises(TenantNotEmptyError):
        import_tenant(lambda: unit_of_work(target, system_actor()), exported / "export")


@pytest.mark.req("j1410", "j1370")
def test_import_into_the_suite_database_is_lossless(exported: Path, db: Database, tmp_path: Path) -> None:
    """On PostgreSQL this is the COPY path, and the round trip crosses SQLite → PostgreSQL."""
    with unit_of_work(db, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    report = import_tenant(lambda: unit_of_work(db, system_actor()), exported / "export")
    with unit_of_work(db, system_actor()) as uow:
        assert verify_chain(uow.session, TENANT_ID).ok
        export_tenant(uow, tmp_path / "again", "csv", access_log_through=report.counts["access_log"])

    assert files_of(tmp_path / "again") == files_of(exported / "export")
    assert report.counts["residents"] == 2 and not report.chain_relinked


def _as_exported_before_compact_snapshots(directory: Path) -> None:
    """Rewrite the history file as an export made before snapshots were stored compact, from PostgreSQL
    ``jsonb``: every snapshot key present (None included), keys in ``jsonb`` order; re-sign the manifest."""
    rows = _rows(directory, "resident_history")
    column = rows[0].index("snapshot")
    for row in rows[1:]:
        snapshot = {key: None for key in snapshot_keys() if key not in SNAPSHOT_IDS} | json.loads(row[column])
        ordered = dict(sorted(snapshot.items(), key=lambda item: (len(item[0].encode()), item[0].encode())))
        row[column] = json.dumps(ordered, ensure_ascii=False)
    _write_signed(directory, "resident_history", rows)


@pytest.mark.req("j1410", "j200")
def test_an_export_with_full_snapshots_from_before_the_compact_form_still_imports(
    exported: Path, db: Database, tmp_path: Path
) -> None:
    old = _copy_export(exported, "before-compact-snapshots")
    _as_exported_before_compact_snapshots(old)
    assert files_of(old)["resident_history.csv"] != files_of(exported / "export")["resident_history.csv"]
    with unit_of_work(db, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    report = import_tenant(lambda: unit_of_work(db, system_actor()), old)
    with unit_of_work(db, system_actor()) as uow:
        snapshots = [row.snapshot for row in uow.session.scalars(select(models.ResidentHistory))]
        export_tenant(uow, tmp_path / "again", "csv", access_log_through=report.counts["access_log"])

    assert snapshots and all(tuple(s)[: len(snapshot_keys())] == snapshot_keys() for s in snapshots)
    assert files_of(tmp_path / "again") == files_of(exported / "export")  # read whole, in snapshot order


def _with_items_of_another_version(directory: Path) -> None:
    """Give every history snapshot two items this version does not know, one of them null, as an export of
    a newer version would; the file stays canonical (sorted keys), re-signed."""
    rows = _rows(directory, "resident_history")
    column = rows[0].index("snapshot")
    for row in rows[1:]:
        snapshot = json.loads(row[column]) | {"zz_later_item": None, "aa_later_item": "x"}
        row[column] = canonical_json(snapshot)
    _write_signed(directory, "resident_history", rows)


@pytest.mark.req("j1410", "j200")
def test_imported_snapshots_are_stored_compact_and_keep_items_of_another_version(
    exported: Path, db: Database, tmp_path: Path
) -> None:
    """The import stores a snapshot as the application does (no null items under the snapshot's own keys),
    and an item it does not know, null or not, stays and travels on."""
    newer = _copy_export(exported, "newer-version-items")
    _with_items_of_another_version(newer)
    with unit_of_work(db, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    report = import_tenant(lambda: unit_of_work(db, system_actor()), newer)
    with unit_of_work(db, system_actor()) as uow:
        raw = uow.session.scalars(text("SELECT snapshot FROM resident_history")).all()  # as stored
        stored = [json.loads(document) if isinstance(document, str) else document for document in raw]
        export_tenant(uow, tmp_path / "again", "csv", access_log_through=report.counts["access_log"])

    known = set(snapshot_keys())
    assert stored and all(all(v is not None for k, v in s.items() if k in known) for s in stored)
    assert all(s["zz_later_item"] is None and s["aa_later_item"] == "x" for s in stored)
    assert all(s["id"] is not None and s["atena_number"] for s in stored)  # its database ids put in
    assert files_of(tmp_path / "again") == files_of(newer)


def _households(database: Database) -> int:
    with unit_of_work(database, system_actor()) as uow:
        return int(uow.session.scalar(select(func.count(models.Household.id))) or 0)


@pytest.mark.req("j1410", "j1440")
def test_a_bad_row_after_rows_already_written_rolls_the_whole_import_back(
    exported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import validates while it writes: with one row per chunk the households and the first resident
    are in the database before the bad second resident is read; the refusal still leaves nothing."""
    monkeypatch.setattr("handlers.portability.importer.CHUNK_ROWS", 1)
    written: list[str] = []
    insert_soon = BulkSink.insert_soon

    def remember(sink: BulkSink, table: str, columns: tuple[str, ...], rows: Any) -> None:
        written.append(table)
        insert_soon(sink, table, columns, rows)

    monkeypatch.setattr(BulkSink, "insert_soon", remember)
    directory = _copy_export(exported, "late")
    _rewrite_residents(directory, {(1, "birth_date"): "1980-13-01"})
    target = _target(exported, "late")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    assert [(p.file, p.line, p.column) for p in refused.value.problems] == [
        ("residents.csv", 3, "birth_date")
    ]
    # written before the bad row was read: the dictionary (4 entries) and the 方書 (2), then the people
    assert written == ["address_entry"] * 4 + ["katagaki"] * 2 + ["household", "resident"]
    assert _residents(target) == 0 and _households(target) == 0


@pytest.mark.req("j1410")
def test_a_row_count_that_disagrees_with_the_manifest_is_refused_as_a_manifest_problem(
    exported: Path,
) -> None:
    directory = _copy_export(exported, "miscounted")
    manifest = json.loads((directory / "manifest.json").read_text())
    next(f for f in manifest["files"] if f["name"] == "residents")["rows"] = 3
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    target = _target(exported, "miscounted")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    assert [(p.file, p.line) for p in refused.value.problems] == [("residents.csv", 0)]
    assert "行数" in refused.value.problems[0].reason and "マニフェスト" in str(refused.value)
    assert _residents(target) == 0 and _households(target) == 0


@pytest.mark.req("j1410", "j1440")
def test_a_duplicate_atena_number_is_reported_not_left_to_the_database(exported: Path) -> None:
    directory = _copy_export(exported, "duplicate-atena")
    first = _rows(directory, "residents")[1][_rows(directory, "residents")[0].index("atena_number")]
    _rewrite_residents(directory, {(1, "atena_number"): first})
    target = _target(exported, "duplicate-atena")

    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)

    duplicate = [p for p in refused.value.problems if p.file == "residents.csv" and p.line == 3]
    assert [p.column for p in duplicate] == ["atena_number"] and "重複" in duplicate[0].reason
    assert _residents(target) == 0
