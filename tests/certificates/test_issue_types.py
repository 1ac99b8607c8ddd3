"""Each certificate type's printed text, item by item, for Japanese and foreign residents, with and without each
option (j1000–j1060); issuance history and access log rows (j300)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import models
from handlers.certificates import CertificateOptions
from handlers.context import Actor
from handlers.db import Database
from handlers.errors import ValidationError
from tests import factories
from tests.certificates.conftest import FIXED_NOW, atena_numbers, issue
from tests.certificates.pdf_tools import flat, has_item, pages_text, pdf_text


def member_snapshot(household: models.Household, index: int) -> models.Resident:
    return sorted(household.members, key=lambda m: m.household_order)[index]


@pytest.mark.req("j1000", "j1030", "j1040", "j30")
def test_individual_copy_prints_the_basic_items_and_omits_the_optional_ones(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    issued = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW)
    text = pdf_text(issued.pdf)
    assert "住民票の写し" in flat(text)
    for label, value in [
        ("氏名", "山田　太郎"),
        ("住所", "神奈川県横浜市中区港町1丁目1番地"),
        ("方書", "港ハイツ101号室"),
        ("生年月日", "昭和55年4月1日"),
        ("性別", "男"),
        ("住民となった年月日", "令和2年4月1日"),
        ("前住所", "東京都千代田区千代田1番1号"),
    ]:
        assert has_item(text, label, value), label
    for absent in ("本籍", "筆頭者", "住民票コード", "個人番号", "続柄", "世帯主", "（ヤマダ"):
        assert absent not in flat(text), absent
    assert f"発行番号{flat(issued.issue_numbers[0])}1/1" in flat(text)
    assert issued.issue_numbers[0].startswith("20261126 横浜市 ")
    assert "この写しは、住民票の原本と相違ないことを証明する。" in flat(text)
    assert "神奈川県横浜市長山中竹春" in flat(text)


@pytest.mark.req("j1000", "j1020")
def test_each_option_adds_only_its_own_items(db: Database, clerk_a: Actor, family: models.Household) -> None:
    hanako = member_snapshot(family, 1)
    options = CertificateOptions(
        include_head_relation=True, include_honseki=True, include_resident_code=True,
        include_my_number=True, include_kana=True,
    )  # fmt: skip
    text = pdf_text(
        issue(db, clerk_a, "copy_individual", [hanako.atena_number], options=options, now=FIXED_NOW).pdf
    )
    assert has_item(text, "氏名", "山田　花子　（ヤマダ　ハナコ）")
    assert has_item(text, "世帯主", "山田 太郎")
    assert has_item(text, "続柄", "妻")
    assert has_item(text, "本籍", "東京都千代田区千代田1番")
    assert has_item(text, "筆頭者", "山田 太郎")
    assert has_item(text, "住民票コード", hanako.resident_code or "")
    assert has_item(text, "個人番号", hanako.my_number or "")


@pytest.mark.req("j1000", "j1010", "j1040", "j30")
def test_household_copy_lists_members_in_order_four_a_sheet_with_the_statement_on_the_last_page(
    db: Database, clerk_a: Actor, certifying_city: models.Municipality
) -> None:
    members = [
        factories.japanese_member(),
        *[
            factories.japanese_member(given_name=name, given_name_kana=kana, birth_date=born, relation_to_head="子")
            for name, kana, born in [("次郎", "ジロウ", "平成24年5月5日"), ("一郎", "イチロウ", "平成22年1月20日"),
                                     ("三郎", "サブロウ", "平成26年7月7日"), ("四郎", "シロウ", "平成28年8月8日")]
        ],
        factories.japanese_member(given_name="花子", given_name_kana="ハナコ", birth_date="昭和57年6月15日", sex="2",
                                  relation_to_head="妻"),
    ]  # fmt: skip
    household = factories.make_household(db, clerk_a, members)
    head = atena_numbers(household)[0]
    issued = issue(db, clerk_a, "copy_household", [head], whole_household=True, now=FIXED_NOW)
    pages = pages_text(issued.pdf)
    assert len(pages) == 2 and issued.copies[0].pages == 2
    order = [flat(pages[0]).index(n) for n in ("山田太郎", "山田花子", "山田一郎", "山田次郎")]
    assert order == sorted(order)
    assert "山田三郎" in flat(pages[1]) and "山田四郎" in flat(pages[1])
    statement = "この写しは、世帯の住民票の原本と相違ないことを証明する。"
    assert statement not in flat(pages[0]) and statement in flat(pages[1])
    assert flat(issued.issue_numbers[0]) + "1/2" in flat(pages[0])
    assert flat(issued.issue_numbers[0]) + "2/2" in flat(pages[1])
    assert "（次葉に続く）" in flat(pages[0])


@pytest.mark.req("j1000", "j1020", "j90")
def test_foreign_resident_copy_prints_the_foreign_items_unless_omitted(
    db: Database, clerk_a: Actor, certifying_city: models.Municipality
) -> None:
    household = factories.make_household(db, clerk_a, foreign=True)
    smith = atena_numbers(household)[0]
    text = pdf_text(
        issue(
            db,
            clerk_a,
            "copy_individual",
            [smith],
            options=CertificateOptions(include_kana=True),
            now=FIXED_NOW,
        ).pdf
    )
    assert has_item(text, "氏名", "SMITH JOHN　（スミス　ジョン）")
    assert has_item(text, "生年月日", "1990年7月15日")  # 西暦 for foreign residents (j90)
    assert has_item(text, "国籍・地域", "アメリカ合衆国")
    assert has_item(text, "法第30条の45に規定する区分", "中長期在留者")
    assert has_item(text, "在留資格", "技術・人文知識・国際業務")
    assert has_item(text, "在留期間等", "3年")
    assert has_item(text, "在留期間の満了の日", "2026年3月31日")
    assert has_item(text, "在留カード等の番号", "AB12345678CD")
    # every other date of a foreign resident is 和暦 (j90 実装しない機能: 西暦で記載すること)
    assert has_item(text, "住民となった年月日", "令和5年4月1日")
    assert has_item(text, "外国人住民となった年月日", "令和5年4月1日")
    assert "2023年4月1日" not in flat(text)
    omitted = CertificateOptions(include_foreign_items=False)
    text = pdf_text(issue(db, clerk_a, "copy_individual", [smith], options=omitted, now=FIXED_NOW).pdf)
    assert "在留資格" not in flat(text) and "国籍・地域" not in flat(text)
    assert has_item(text, "氏名", "SMITH JOHN")


@pytest.mark.req("j1000")
def test_history_option_prints_the_registered_changes(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    plain = pdf_text(issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW).pdf)
    with_history = pdf_text(
        issue(
            db,
            clerk_a,
            "copy_individual",
            [taro],
            options=CertificateOptions(include_history=True),
            now=FIXED_NOW,
        ).pdf
    )
    assert "履歴1" not in flat(plain)
    assert "履歴1令和2年4月1日" in flat(with_history)


@pytest.mark.req("j1030", "j1060")
def test_katagaki_is_omitted_only_on_an_entry_certificate_and_official_use_is_marked(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    asked = CertificateOptions(omit_katagaki=True, official_use=True)
    copy = pdf_text(
        issue(
            db, clerk_a, "copy_individual", [taro], options=asked, requester_kind="official", now=FIXED_NOW
        ).pdf
    )
    entry = pdf_text(issue(db, clerk_a, "entry_certificate", [taro], options=asked, now=FIXED_NOW).pdf)
    assert has_item(copy, "方書", "港ハイツ101号室") and "公用" in flat(copy)
    assert "方書" not in flat(entry) and "住民票記載事項証明書" in flat(entry)
    assert "上記の事項は、住民票に記載されていることを証明する。" in flat(entry)


@pytest.mark.req("j1050", "j310", "j290")
def test_acting_mayor_signs_within_the_acting_period_and_the_mayor_outside(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = atena_numbers(family)[0]
    inside = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)
    after = dt.datetime(2026, 12, 11, 1, 0, tzinfo=dt.UTC)
    acting = flat(pdf_text(issue(db, clerk_a, "copy_individual", [taro], now=inside).pdf))
    mayor = flat(pdf_text(issue(db, clerk_a, "copy_individual", [taro], now=after).pdf))
    assert "神奈川県横浜市長職務代理者副市長平原敏英" in acting and "山中竹春" not in acting
    assert "神奈川県横浜市長山中竹春" in mayor and "平原" not in mayor
    chosen = CertificateOptions(official="mayor", seal=False)
    text = flat(pdf_text(issue(db, clerk_a, "copy_individual", [taro], options=chosen, now=inside).pdf))
    assert "神奈川県横浜市長山中竹春" in text and "公印省略" in text


@pytest.mark.req("j1000")
def test_removed_record_copy_and_move_out_certificates(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    removed = factories.make_removed_resident(
        setup_session, certifying_city, number=777, removal_date=dt.date(2026, 10, 1)
    )
    setup_session.flush()
    text = flat(pdf_text(issue(db, clerk_a, "removed_copy", [removed.atena_number], now=FIXED_NOW).pdf))
    assert "住民票の除票の写し" in text and "消除事由" in text and "令和8年10月1日" in text
    assert "転出先長野県佐久市中込1番地" in text
    entry = flat(
        pdf_text(issue(db, clerk_a, "removed_entry_certificate", [removed.atena_number], now=FIXED_NOW).pdf)
    )
    assert "上記の事項は、住民票の除票に記載されていることを証明する。" in entry
    equivalent = flat(
        pdf_text(issue(db, clerk_a, "move_out_equivalent", [removed.atena_number], now=FIXED_NOW).pdf)
    )
    assert "転出証明書に準ずる証明書" in equivalent
    with pytest.raises(ValidationError) as refused:
        issue(db, clerk_a, "copy_individual", [removed.atena_number], now=FIXED_NOW)
    assert refused.value.problems[0].code == "wrong_status"


@pytest.mark.req("j1000")
def test_move_out_items_are_omitted_before_the_planned_date(
    db: Database, clerk_a: Actor, setup_session: Session, certifying_city: models.Municipality
) -> None:
    household = factories.make_household_row(setup_session, certifying_city, number=880)
    leaving = factories.make_resident_row(setup_session, household, number=881)
    leaving.status = "moving_out"
    leaving.move_out_planned_date = dt.date(2026, 12, 20)
    leaving.destination_planned_address = "長野県佐久市中込2番地"
    factories.add_history_row(
        setup_session, leaving, reason_code="domestic_move_out", change_date=dt.date(2026, 11, 20)
    )
    setup_session.flush()
    before = flat(pdf_text(issue(db, clerk_a, "copy_individual", [leaving.atena_number], now=FIXED_NOW).pdf))
    on_the_day = dt.datetime(2026, 12, 20, 1, 0, tzinfo=dt.UTC)
    after = flat(pdf_text(issue(db, clerk_a, "copy_individual", [leaving.atena_number], now=on_the_day).pdf))
    assert "転出予定" not in before and "佐久市" not in before
    assert "転出予定年月日令和8年12月20日" in after and "長野県佐久市中込2番地" in after
    certificate = flat(
        pdf_text(issue(db, clerk_a, "move_out_certificate", [leaving.atena_number], now=FIXED_NOW).pdf)
    )
    assert "転出証明書" in certificate and "長野県佐久市中込2番地" in certificate


@pytest.mark.req("j1000")
def test_resident_code_notices_and_support_end_notice(
    db: Database, clerk_a: Actor, family: models.Household
) -> None:
    taro = member_snapshot(family, 0)
    for code, title in [("resident_code_notice", "住民票コード通知票"), ("resident_code_change_notice", "住民票コード変更通知票"),
                        ("resident_code_correction_notice", "住民票コード修正通知票")]:  # fmt: skip
        text = flat(pdf_text(issue(db, clerk_a, code, [taro.atena_number], now=FIXED_NOW).pdf))
        assert title in text and f"住民票コード{taro.resident_code}" in text
    with pytest.raises(ValidationError):
        issue(
            db,
            clerk_a,
            "resident_code_notice",
            [taro.atena_number],
            requester_kind="third_party",
            now=FIXED_NOW,
        )
    ending = CertificateOptions(measure_end_date=dt.date(2027, 3, 31))
    text = flat(
        pdf_text(
            issue(db, clerk_a, "support_end_notice", [taro.atena_number], options=ending, now=FIXED_NOW).pdf
        )
    )
    assert "支援措置期間終了通知" in text and "支援措置の終了日令和9年3月31日" in text


@pytest.mark.req("j300", "j1040")
def test_each_copy_gets_its_own_number_and_history_row_and_the_print_is_logged(
    db: Database, clerk_a: Actor, family: models.Household, setup_session: Session
) -> None:
    hanako = atena_numbers(family)[1]
    options = CertificateOptions(include_my_number=True)
    issued = issue(
        db,
        clerk_a,
        "copy_individual",
        [hanako],
        options=options,
        copies=2,
        purpose="勤務先提出",
        now=FIXED_NOW,
    )
    assert len(set(issued.issue_numbers)) == 2 and issued.fee_total == 600
    rows = setup_session.scalars(
        select(models.CertificateIssuance).order_by(models.CertificateIssuance.id)
    ).all()
    assert [r.issue_number for r in rows] == issued.issue_numbers
    row = rows[0]
    assert (row.subjects, row.certificate_type, row.pages, row.fee, row.status) == (
        [hanako],
        "copy_individual",
        1,
        300,
        "issued",
    )
    assert "my_number" in row.items_printed and row.login_id == clerk_a.login_id and row.terminal
    assert row.place == "本庁" and row.purpose == "勤務先提出"
    log = setup_session.scalars(
        select(models.AccessLog).where(models.AccessLog.function == "certificate_printed")
    ).one()
    assert log.action == "print" and log.my_number_shown
    assert log.detail["issue_numbers"] == issued.issue_numbers


@pytest.mark.req("j1070")
def test_overflowing_text_shrinks_then_alerts_and_truncates_or_blanks(
    db: Database, clerk_a: Actor, certifying_city: models.Municipality, setup_session: Session
) -> None:
    medium, long = "グランドメゾン港の見える丘公園前" * 3, "グランドメゾン港の見える丘公園前" * 5
    shrunk_household = factories.make_household(
        db, clerk_a, household=factories.default_address(address_katagaki=medium)
    )
    shrunk = issue(db, clerk_a, "copy_individual", atena_numbers(shrunk_household)[:1], now=FIXED_NOW)
    assert shrunk.alerts == () and medium in flat(pdf_text(shrunk.pdf))
    household = factories.make_household(
        db, clerk_a, household=factories.default_address(address_katagaki=long)
    )
    taro = atena_numbers(household)[0]
    issued = issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW)
    assert [a.code for a in issued.alerts] == ["overflow"] and issued.alerts[0].item == "方書"
    text = flat(pdf_text(issued.pdf))
    assert long[:50] in text and long not in text
    certifying_city.settings = {**certifying_city.settings, "certificate_overflow": "blank"}
    setup_session.flush()
    blank = flat(pdf_text(issue(db, clerk_a, "copy_individual", [taro], now=FIXED_NOW).pdf))
    assert "方書" in blank and long[:16] not in blank
