"""One person's items are checked before anything is written: every problem in Japanese (j60, j80, j110,
j130, j180, j1440)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.residents.validation import validate_household_input, validate_resident_input
from tests.factories import foreign_member, japanese_member


def problems_of(data: dict[str, Any], kind: str = "japanese", removed: bool = False) -> dict[str, Any]:
    _, problems = validate_resident_input(data, kind=kind, removed=removed)
    return {p.field: p for p in problems}


@pytest.mark.req("j60")
def test_a_complete_japanese_member_has_no_problem_and_is_parsed() -> None:
    parsed, problems = validate_resident_input(japanese_member(family_name_kana="やまだ"), kind="japanese")
    assert problems == []
    assert parsed.values["birth_date"] == dt.date(1980, 4, 1)
    assert parsed.values["birth_date_text"] is None
    assert parsed.values["family_name_kana"] == "ヤマダ"  # hiragana converted (j180)


@pytest.mark.req("j60")
@pytest.mark.parametrize(
    ("field", "item"),
    [
        ("birth_date", "生年月日"),
        ("became_resident_date", "住民となった年月日"),
        ("resident_code", "住民票コード"),
        ("honseki", "本籍"),
    ],
)
def test_each_mandatory_item_left_blank_is_refused_by_name(field: str, item: str) -> None:
    found = problems_of(japanese_member(**{field: ""}))
    assert found[field].item == item
    assert found[field].reason == "入力されていません"
    assert item in found[field].remedy
    assert found[field].code == "required"


@pytest.mark.req("j60", "j120")
@pytest.mark.parametrize("placeholder", ["なし", "不明"])
def test_honseki_may_be_none_or_unknown_without_a_hittosha(placeholder: str) -> None:
    assert problems_of(japanese_member(honseki=placeholder, hittosha="")) == {}


@pytest.mark.req("j60")
def test_a_removed_record_may_lack_its_resident_code() -> None:
    assert "resident_code" not in problems_of(japanese_member(resident_code=""), removed=True)


@pytest.mark.req("j60", "j20")
def test_foreign_resident_needs_the_date_and_the_category_items() -> None:
    found = problems_of(foreign_member(foreign_resident_date="", residence_card_number=""), kind="foreign")
    assert found["foreign_resident_date"].item == "外国人住民となった年月日"
    assert found["residence_card_number"].code == "required"
    assert "honseki" not in found  # 戸籍の表示 is for Japanese residents only


@pytest.mark.req("j60", "j20")
def test_foreign_resident_without_category_is_refused() -> None:
    found = problems_of(foreign_member(foreign_category=""), kind="foreign")
    assert found["foreign_category"].code == "required"


@pytest.mark.req("j130")
def test_my_number_with_a_wrong_check_digit_is_refused_with_the_remedy() -> None:
    good = japanese_member()["my_number"]
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    problem = problems_of(japanese_member(my_number=bad))["my_number"]
    assert (problem.item, problem.reason) == ("個人番号", "検査用数字が一致しません")
    assert problem.remedy == "個人番号カード等で12桁を確認して入力してください"


@pytest.mark.req("j130")
def test_my_number_of_the_wrong_length_and_resident_code_check_digit_are_refused() -> None:
    code = japanese_member()["resident_code"]
    bad_code = code[:10] + str((int(code[10]) + 1) % 10)
    found = problems_of(japanese_member(my_number="1234", resident_code=bad_code))
    assert found["my_number"].reason == "12桁の数字ではありません"
    assert found["resident_code"].reason == "検査用数字が一致しません"
    assert found["resident_code"].item == "住民票コード"


@pytest.mark.req("j130")
def test_full_width_digits_and_hyphens_in_my_number_are_accepted() -> None:
    number = japanese_member()["my_number"]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    parsed, problems = validate_resident_input(
        japanese_member(my_number=f"{wide[:4]}－{wide[4:8]}－{wide[8:]}"), kind="japanese"
    )
    assert problems == []
    assert parsed.values["my_number"] == number


@pytest.mark.req("j20", "j130")
def test_residence_card_number_of_the_wrong_form_is_refused() -> None:
    found = problems_of(foreign_member(residence_card_number="A1234567"), kind="foreign")
    assert found["residence_card_number"].code == "format"


@pytest.mark.req("j80")
def test_flexible_dates_accept_unknown_forms_and_keep_the_wording() -> None:
    parsed, problems = validate_resident_input(
        japanese_member(birth_date="昭和25年 月日不詳", became_resident_date="2021年2月29日"), kind="japanese"
    )
    assert problems == []
    assert parsed.values["birth_date_text"] is not None
    assert parsed.values["became_resident_date"] == dt.date(2021, 2, 28)
    assert parsed.values["became_resident_date_text"] == "2021年2月29日"


@pytest.mark.req("j80")
def test_strict_dates_refuse_non_calendar_days() -> None:
    found = problems_of(japanese_member(notified_date="2021年2月29日", nhi_acquired_date="きのう"))
    assert found["notified_date"].item == "届出の年月日"
    assert found["notified_date"].code == "date_invalid"
    assert found["nhi_acquired_date"].item == "国民健康保険の資格取得日"


@pytest.mark.req("j110")
def test_forbidden_relationship_is_refused_with_the_allowed_wording() -> None:
    found = problems_of(japanese_member(relation_to_head="孫"))
    assert found["relation_to_head"].item == "続柄"
    assert "孫" in found["relation_to_head"].reason


@pytest.mark.req("j110")
def test_five_link_relationship_is_refused_and_points_to_enkosha() -> None:
    found = problems_of(japanese_member(relation_to_head="子の子の子の子の子"))
    assert "縁故者" in found["relation_to_head"].remedy


@pytest.mark.req("j180")
def test_furigana_with_kanji_is_refused_and_half_width_is_converted() -> None:
    found = problems_of(japanese_member(given_name_kana="太郎"))
    assert found["given_name_kana"].reason == "カタカナ以外の文字が含まれています"
    assert found["given_name_kana"].remedy == "名（フリガナ）はカタカナで入力してください"
    parsed, problems = validate_resident_input(japanese_member(given_name_kana="ﾀﾛｳ"), kind="japanese")
    assert problems == []
    assert parsed.values["given_name_kana"] == "タロウ"


def test_sex_must_be_one_or_two() -> None:
    assert problems_of(japanese_member(sex="3"))["sex"].item == "性別"
    parsed, _ = validate_resident_input(japanese_member(sex="女"), kind="japanese")
    assert parsed.values["sex"] == "2"


def test_every_problem_is_collected_not_only_the_first() -> None:
    found = problems_of(japanese_member(birth_date="", sex="x", my_number="1", given_name_kana="abc"))
    assert {"birth_date", "sex", "my_number", "given_name_kana"} <= set(found)


@pytest.mark.req("j60")
def test_household_needs_an_address_and_a_real_postal_code() -> None:
    parsed, problems = validate_household_input(
        {"address": "横浜市中区港町1丁目1番地", "postal_code": "２３１－００１７"}
    )
    assert problems == []
    assert parsed.values["postal_code"] == "2310017"
    _, problems = validate_household_input({"address": "", "postal_code": "12-34"})
    assert {p.field: p.item for p in problems} == {"address": "住所", "postal_code": "郵便番号"}
