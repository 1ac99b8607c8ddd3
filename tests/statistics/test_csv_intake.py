"""CSV intake (j1430): encodings, header, malformed files, row problems by row and column, re-upload, all-or-nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from handlers.clock import japan_today
from handlers.csv_intake import LAYOUTS, import_csv
from handlers.errors import ValidationError
from handlers.uow import unit_of_work
from models import Case, CsvImportRow
from tests import factories

pytestmark = pytest.mark.req("j1430")
MOVED = (japan_today() - dt.timedelta(days=3)).isoformat()
TODAY = japan_today().isoformat()


def notice_row(number: str, given: str = "太郎", **changes: str) -> list[str]:
    values = {
        "申請番号": number, "異動日": MOVED, "届出日": TODAY, "住所": "神奈川県横浜市中区港町1丁目1番地",
        "郵便番号": "2310017", "方書": "", "前住所": "長野県佐久市中込1番地", "前住所市区町村コード": "202118",
        "転出予定日": MOVED, "氏": "取込", "名": given, "氏フリガナ": "トリコミ", "名フリガナ": "タロウ",
        "生年月日": "1980-04-01", "性別": "1", "続柄": "世帯主", "本籍": "東京都千代田区千代田1番", "筆頭者": "取込 太郎", "住民票コード": factories.valid_resident_code(),
    }  # fmt: skip
    values.update(changes)
    return [values[c] for c in LAYOUTS["change_notice"]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    lines = [",".join(header or LAYOUTS["change_notice"])] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def cases_count(db, actor) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work(db, actor) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


def run_import(db, actor, data: bytes, kind: str = "change_notice", **options):  # type: ignore[no-untyped-def]
    with unit_of_work(db, actor) as uow:
        return import_csv(uow, kind, "kiosk.csv", data, **options)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_good_rows_become_cases_in_every_encoding_and_a_reupload_creates_nothing(db, clerk_a, encoding):
    data = csv_bytes([notice_row("K1"), notice_row("K2", given="次郎")], encoding)
    report = run_import(db, clerk_a, data)
    assert (report.status, report.created, report.problems) == ("imported", 2, [])
    assert cases_count(db, clerk_a) == 2
    again = run_import(db, clerk_a, data)
    assert again.created == 0 and again.skipped_duplicates == 2 and cases_count(db, clerk_a) == 2


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_still_taken(db, clerk_a):
    rows = [notice_row("K1"), notice_row("K2", 生年月日="2023-02-30"), notice_row("K3", 性別="9", 氏="")]
    report = run_import(db, clerk_a, csv_bytes(rows))
    assert report.status == "partial" and report.created == 1
    cells = {(p["row"], p["column"]) for p in report.problems}
    assert cells == {(3, "生年月日"), (4, "性別"), (4, "氏")}
    assert all(p["reason"] for p in report.problems)
    assert cases_count(db, clerk_a) == 1


def test_all_or_nothing_creates_nothing_when_one_row_is_bad(db, clerk_a):
    rows = [notice_row("K1"), notice_row("K2", 異動日="2099-01-01")]
    report = run_import(db, clerk_a, csv_bytes(rows), all_or_nothing=True)
    assert report.status == "rejected" and report.created == 0
    assert any(p["row"] == 3 and p["column"] == "異動日" for p in report.problems)
    assert cases_count(db, clerk_a) == 0
    with unit_of_work(db, clerk_a) as uow:
        assert uow.session.scalar(select(func.count()).select_from(CsvImportRow)) == 0


def test_a_wrong_header_or_a_malformed_file_is_refused_precisely(db, clerk_a):
    wrong = csv_bytes(
        [notice_row("K1")], header=["申請番号", "異動日"] + LAYOUTS["change_notice"][3:] + ["余分"]
    )
    with pytest.raises(ValidationError) as err:
        run_import(db, clerk_a, wrong)
    assert "見出し" in err.value.problems[0].reason and "届出日" in err.value.problems[0].reason
    broken = csv_bytes([notice_row("K1")]) + b'"K2,"unterminated\r\n'
    with pytest.raises(ValidationError) as err:
        run_import(db, clerk_a, broken)
    assert err.value.problems[0].code in ("malformed", "columns")
    with pytest.raises(ValidationError) as err:
        run_import(db, clerk_a, b"\xff\xfe\x00\x81")
    assert err.value.problems[0].code == "encoding"
    assert cases_count(db, clerk_a) == 0


def test_card_face_rows_match_the_person_by_my_number_and_never_store_it(db, clerk_a):
    household = factories.make_household(db, clerk_a)
    number = household.members[0].my_number
    rows = [["山田 太郎", "神奈川県横浜市中区港町1丁目1番地", "1980-04-01", "1", number],
            ["誤り 花子", "同上", "1980-04-01", "1", "123456789012"]]  # fmt: skip
    report = run_import(db, clerk_a, csv_bytes(rows, header=LAYOUTS["card_face"]), kind="card_face")
    assert report.created == 1 and [(p["row"], p["column"]) for p in report.problems] == [(3, "個人番号")]
    with unit_of_work(db, clerk_a) as uow:
        row = uow.session.scalars(select(CsvImportRow)).one()
    assert row.data["matched_atena_number"] == household.members[0].atena_number
    assert number not in str(row.data)


@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [("certificate_application", "通数", "²"), ("certificate_application", "通数", "１"),
     ("change_notice", "郵便番号", "２３１００１７")],
)  # fmt: skip
def test_a_number_column_takes_ascii_digits_only_and_says_so_instead_of_failing(kind, column, value):
    from handlers.csv_intake.layouts import row_problems

    problems = row_problems(kind, {column: value})
    assert (
        column,
        "通数は1から20までの数字です" if column == "通数" else "郵便番号は7桁の数字です",
    ) in problems
