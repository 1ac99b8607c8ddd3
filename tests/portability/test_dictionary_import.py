"""The address dictionary (j250) and the 方書 register (j260) move with the tenant: the import keeps every
住所コード as exported, refuses a dictionary that does not hold together (a 小字 without its 大字, a code twice,
a code that is not one) with file, line and column, writes nothing then, and leaves the dictionary so that the
next entry staff add gets a code never given before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

import models
from handlers.address_entries import save_address_entry
from handlers.db import Database
from handlers.portability import ImportRefusedError, TenantNotEmptyError, export_tenant, import_tenant
from handlers.uow import unit_of_work
from tests.portability.registers import (
    AREA,
    PersonPlan,
    add_municipality,
    build_source,
    fresh_database,
    make_template,
    system_actor,
)
from tests.portability.test_import_checks import _copy_export, _rows, _write_signed

PLANS = [[PersonPlan("鶴見", "一郎", "ツルミ", False, None, None, "世帯主", False, [], 1)]]
# SMALL_DICTIONARY's codes: 鶴見中央 001 with 一丁目 002 and 旧二丁目 003 (retired), then 葛󠄂原 004
CODES = [f"{AREA}001000", f"{AREA}001002", f"{AREA}001003", f"{AREA}004000"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("dictionary")
    source = build_source(make_template(where / "template.sqlite3"), where / "source.sqlite3", PLANS)
    with unit_of_work(source, system_actor()) as uow:
        export_tenant(uow, where / "export", "csv")
    return where


def _target(where: Path, name: str) -> Database:
    database = fresh_database(where / "template.sqlite3", where / f"{name}.sqlite3")
    with unit_of_work(database, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    return database


def _codes(database: Database) -> list[str]:
    with unit_of_work(database, system_actor()) as uow:
        return list(
            uow.session.scalars(select(models.AddressEntry.address_code).order_by(models.AddressEntry.id))
        )


def _refused(
    exported: Path, name: str, file: str, edit: dict[tuple[int, str], str | None]
) -> ImportRefusedError:
    """Import a copy of the export with fields of ``file`` changed ((data row index, column) → text, None
    removes the row), re-signed as a vendor's faulty but consistent file would be; return the refusal."""
    directory = _copy_export(exported, name)
    rows = _rows(directory, file)
    for (index, column), value in edit.items():
        if value is not None:
            rows[index + 1][rows[0].index(column)] = value
    removed = {index + 1 for (index, _column), value in edit.items() if value is None}
    _write_signed(directory, file, [row for n, row in enumerate(rows) if n not in removed])
    manifest = directory / "manifest.json"
    manifest.write_text(
        manifest.read_text().replace(f'"rows": {len(rows) - 1}', f'"rows": {len(rows) - 1 - len(removed)}')
    )
    target = _target(exported, name)
    with pytest.raises(ImportRefusedError) as refused:
        import_tenant(lambda: unit_of_work(target, system_actor()), directory)
    assert _codes(target) == []  # nothing written
    with unit_of_work(target, system_actor()) as uow:
        assert uow.session.scalar(select(func.count(models.Katagaki.id))) == 0
    return refused.value


def _found(refusal: ImportRefusedError) -> set[tuple[str, int, str]]:
    return {(p.file, p.line, p.column) for p in refusal.problems}


@pytest.mark.req("j1410", "j250")
def test_the_dictionary_is_imported_with_its_codes_kept_exactly(exported: Path) -> None:
    target = _target(exported, "kept")
    report = import_tenant(lambda: unit_of_work(target, system_actor()), exported / "export")

    assert (
        _codes(target) == CODES and report.counts["address_entries"] == 4 and report.counts["katagaki"] == 2
    )
    with unit_of_work(target, system_actor()) as uow:
        retired = uow.session.scalars(
            select(models.AddressEntry).where(models.AddressEntry.retired_date.is_not(None))
        )
        staff = uow.session.scalars(
            select(models.AddressEntry.address_code).where(models.AddressEntry.source == "staff")
        )
        assert [e.address_code for e in retired] == [f"{AREA}001003"]
        assert sorted(staff) == [f"{AREA}001002", f"{AREA}004000"]


@pytest.mark.req("j1410", "j250")
def test_a_koaza_whose_oaza_is_missing_is_refused(exported: Path) -> None:
    refusal = _refused(exported, "orphan", "address_entries", {(0, "address_code"): None})

    assert _found(refusal) == {
        ("address_entries.csv", 2, "address_code"),
        ("address_entries.csv", 3, "address_code"),
    }
    assert all(
        f"大字（住所コード {AREA}001000）が住所辞書ファイルにありません" in p.reason for p in refusal.problems
    )


@pytest.mark.req("j1410", "j250")
def test_a_duplicate_address_code_is_refused(exported: Path) -> None:
    refusal = _refused(exported, "twice", "address_entries", {(2, "address_code"): f"{AREA}001002"})

    assert _found(refusal) == {("address_entries.csv", 4, "address_code")}
    assert "重複" in refusal.problems[0].reason


@pytest.mark.req("j1410", "j250")
def test_malformed_address_codes_are_refused_each_with_its_reason(exported: Path) -> None:
    refusal = _refused(exported, "malformed", "address_entries", {
        (0, "address_code"): "1410100100", (1, "address_code"): f"{AREA}00100X",
        (2, "address_code"): f"{AREA}001000", (3, "address_code"): "13101004000"})  # fmt: skip

    reasons = {p.line: p.reason for p in refusal.problems}
    assert "11桁の数字ではありません" in reasons[2] and "11桁の数字ではありません" in reasons[3]
    assert "000 で終わっています" in reasons[4]  # a 小字 numbered as a 大字
    assert "別の都道府県" in reasons[5]


@pytest.mark.req("j1410", "j260")
def test_a_katagaki_with_an_unknown_kind_or_a_malformed_code_is_refused(exported: Path) -> None:
    refusal = _refused(
        exported, "katagaki", "katagaki", {(0, "kind"): "castle", (1, "address_code"): "12-34"}
    )

    assert _found(refusal) == {("katagaki.csv", 2, "kind"), ("katagaki.csv", 3, "address_code")}


@pytest.mark.req("j1410", "j250")
def test_a_municipality_with_a_dictionary_already_loaded_is_refused(exported: Path) -> None:
    target = _target(exported, "loaded")
    with unit_of_work(target, system_actor()) as uow:
        save_address_entry(uow, None, {"area": "14100", "oaza": "既存", "oaza_kana": "キソン"})

    with pytest.raises(TenantNotEmptyError, match="住所辞書"):
        import_tenant(lambda: unit_of_work(target, system_actor()), exported / "export")
    assert _codes(target) == ["14100001000"]


@pytest.mark.req("j1410", "j250")
def test_an_entry_added_after_the_import_gets_a_code_never_given_before(exported: Path, db: Database) -> None:
    """Into the suite database (PostgreSQL COPY there): a new 大字 takes the number after the highest, a new
    小字 the number after its 大字's highest — past the retired 003, never a number of the source again."""
    with unit_of_work(db, system_actor(), cross_tenant=True) as uow:
        add_municipality(uow.session)
    import_tenant(lambda: unit_of_work(db, system_actor()), exported / "export")
    with unit_of_work(db, system_actor()) as uow:
        oaza = save_address_entry(uow, None, {"area": AREA, "oaza": "新町", "oaza_kana": "しんまち"})
        koaza = save_address_entry(uow, None, {"area": AREA, "oaza": "鶴見中央", "oaza_kana": "ツルミチュウオウ",
                                               "koaza": "四丁目", "koaza_kana": "ヨンチョウメ"})  # fmt: skip

    assert (oaza.address_code, koaza.address_code) == (f"{AREA}005000", f"{AREA}001004")
    assert _codes(db) == [*CODES, oaza.address_code, koaza.address_code]
