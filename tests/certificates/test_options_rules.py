"""Pure rules of a certificate request: narrowed options (12条の3, 広域交付, 方書, 公用), j1070 fitting, the
発行番号 format, pagination and the certifier by date (j310, j1040, j1050, j1070)."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.certificates.content import LABEL_FIT, Cell, PersonBlock, paginate
from handlers.certificates.fitting import SIZES_PT, em_width, fit_label, fit_text
from handlers.certificates.issuance import format_issue_number
from handlers.certificates.officials import NoOfficialError, official_on
from handlers.certificates.options import (
    CertificateOptions,
    CertificateRequest,
    effective_options,
    request_from_case,
)
from models.tenant import Municipality

ALL = CertificateOptions(include_my_number=True, include_resident_code=True, include_honseki=True,
                         omit_katagaki=True, official_use=True)  # fmt: skip


@pytest.mark.req("j1000", "j1030", "j1060")
@pytest.mark.parametrize(
    ("certificate_type", "kind", "my_number", "resident_code", "honseki", "omit_katagaki", "official_use"),
    [
        ("copy_individual", "self", True, True, True, False, True),
        ("copy_individual", "third_party", False, False, True, False, True),
        ("copy_individual", "other_municipality", True, True, False, False, True),
        ("entry_certificate", "self", True, True, True, True, True),
        ("move_out_certificate", "self", True, True, True, False, False),
    ],
)
def test_options_are_narrowed_by_rules_no_request_overrides(
    certificate_type: str, kind: str, my_number: bool, resident_code: bool, honseki: bool, omit_katagaki: bool,
    official_use: bool,
) -> None:  # fmt: skip
    narrowed = effective_options(
        CertificateRequest(certificate_type, ("1",), options=ALL, requester_kind=kind)
    )
    assert (narrowed.include_my_number, narrowed.include_resident_code, narrowed.include_honseki,
            narrowed.omit_katagaki, narrowed.official_use) == (my_number, resident_code, honseki, omit_katagaki,
                                                               official_use)  # fmt: skip


@pytest.mark.req("j1070")
@pytest.mark.parametrize(
    ("text", "width_mm", "size", "overflowed"),
    [
        ("山田 太郎", 60, SIZES_PT[0], False),
        ("あ" * 20, 60, 8.0, False),
        ("あ" * 40, 60, 6.0, True),
        ("A" * 30, 60, SIZES_PT[0], False),
    ],
)
def test_text_shrinks_step_by_step_then_overflows(
    text: str, width_mm: float, size: float, overflowed: bool
) -> None:
    fitted = fit_text(text, width_mm)
    assert (fitted.size_pt, fitted.overflowed) == (size, overflowed)
    if overflowed:
        assert em_width(fitted.text) * size * 25.4 / 72 <= width_mm and text.startswith(fitted.text)
        assert fit_text(text, width_mm, behaviour="blank").text == ""


@pytest.mark.req("j1070")
@pytest.mark.parametrize(
    ("layout", "label", "size", "wraps"),
    [
        ("individual", "氏名", None, False),
        ("individual", "法第30条の45に規定する区分", 8.0, False),  # 13 em: 9 pt would cut it
        ("household", "在留カード等の番号", None, False),
        ("household", "外国人住民となった年月日", 7.0, True),
        ("household", "法第30条の45に規定する区分", 7.0, True),
    ],
)
def test_an_item_name_longer_than_its_label_column_is_set_smaller_or_on_two_lines_never_cut(
    layout: str, label: str, size: float | None, wraps: bool
) -> None:
    width_mm, form_pt = LABEL_FIT[layout]
    fitted = fit_label(label, width_mm, form_pt)
    assert (fitted.size_pt, fitted.wraps) == (size, wraps)
    lines = 2 if wraps else 1
    assert em_width(label) * (size or form_pt) * 25.4 / 72 <= lines * width_mm


@pytest.mark.req("j1070")
def test_variation_selectors_take_no_width() -> None:
    assert em_width("葛\U000e0102") == em_width("葛") == 1.0


@pytest.mark.req("j1040")
def test_issue_number_follows_the_standard_format() -> None:
    number = format_issue_number(dt.date(2020, 5, 2), "●●市", "本庁1", "プリンタ001", 11)
    assert number == "20200502 ●●市 本庁1 プリンタ001 000011"


@pytest.mark.req("j1000")
def test_household_sheets_hold_at_most_four_persons_and_long_history_continues() -> None:
    blocks = [PersonBlock(str(i), [Cell("name", "氏名", "x")] * 8) for i in range(6)]
    sheets = paginate(blocks, "household")
    assert [len(s.persons) for s in sheets] == [4, 2]
    long = PersonBlock(
        "9", [Cell("name", "氏名", "x")] * 5, [Cell("history", f"履歴{i}", "y") for i in range(50)]
    )
    split = paginate([long], "individual")
    assert len(split) >= 2 and split[1].persons[0].continued
    assert sum(len(s.persons[0].history) for s in split) == 50


@pytest.mark.req("j310", "j1050")
def test_the_certifier_switches_by_date_and_carries_the_prefecture() -> None:
    city = Municipality(code="141003", name="横浜市", prefecture="神奈川県", kind="designated_city", settings={
        "officials": [
            {"title": "横浜市長", "name": "山中 竹春", "from": "2021-08-30", "to": "", "acting": False},
            {"title": "横浜市長職務代理者 副市長", "name": "平原 敏英", "from": "2026-12-01", "to": "2026-12-10", "acting": True},
            {"title": "中区長", "name": "中 太郎", "from": "", "to": "", "acting": False, "ward_code": "141046"},
        ]})  # fmt: skip
    assert official_on(city, dt.date(2026, 11, 30)).printed_title == "神奈川県横浜市長"
    acting = official_on(city, dt.date(2026, 12, 10))
    assert (acting.acting, acting.name) == (True, "平原 敏英")
    assert official_on(city, dt.date(2026, 12, 5), "mayor").name == "山中 竹春"
    assert official_on(city, dt.date(2026, 12, 5), ward_code="141046").printed_title == "神奈川県中区長"
    with pytest.raises(NoOfficialError) as refused:
        official_on(city, dt.date(2020, 1, 1))
    assert (
        refused.value.problems[0].reason == "令和2年1月1日に有効な認証者が登録されていません"
    )  # 和暦, not ISO


def test_a_certificate_request_case_becomes_a_certificate_request() -> None:
    request = request_from_case({"requester_kind": "agent", "requester": {"name": "代理 人"}, "subjects": ["1"],
                                 "certificate_type": "copy_household", "options": ["include_head_relation"],
                                 "purpose": "", "copies": 2})  # fmt: skip
    assert request.whole_household and request.copies == 2 and request.options.include_head_relation
    assert not request.options.include_my_number and request.requester.name == "代理 人"
