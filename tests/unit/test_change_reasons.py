"""異動事由 (j210): exactly the standard's reasons, no 転居取消."""

from __future__ import annotations

import pytest

from handlers.rules.change_reasons import REASONS, ChangeReason, reason, reasons_in

STANDARD_REASONS = {
    "record": [
        "国内転入",
        "国外転入等",
        "出生",
        "職権記載（帰化等）",
        "職権記載（国籍喪失）",
        "職権記載",
        "改製",
        "再製",
        "異動の取消し（増）",
    ],
    "removal": [
        "国内転出",
        "国外転出",
        "死亡",
        "職権消除（帰化等）",
        "職権消除（国籍喪失）",
        "職権消除",
        "改製",
        "再製",
        "異動の取消し（減）",
    ],
    "amendment": [
        "転居",
        "軽微な修正",
        "職権修正",
        "誤記修正",
        "個人番号の変更請求",
        "個人番号の職権修正",
        "個人番号の職権記載",
        "住民票コードの変更請求",
        "住民票コードの職権記載",
        "世帯分離",
        "世帯合併",
        "世帯変更",
        "世帯主変更",
        "旧氏の記載",
        "旧氏の変更",
        "旧氏の削除",
        "通称の記載",
        "通称の削除",
        "異動の取消し（修正）",
    ],
}


@pytest.mark.req("j210")
@pytest.mark.parametrize("category", ["record", "removal", "amendment"])
def test_each_category_holds_exactly_the_standards_reasons_in_order(category: str) -> None:
    assert [r.label for r in reasons_in(category)] == STANDARD_REASONS[category]


@pytest.mark.req("j210")
def test_codes_are_unique_and_every_reason_has_a_known_category() -> None:
    assert len(REASONS) == sum(len(labels) for labels in STANDARD_REASONS.values())
    assert all(code == r.code for code, r in REASONS.items())
    assert {r.category for r in REASONS.values()} == {"record", "removal", "amendment"}


@pytest.mark.req("j210")
@pytest.mark.parametrize(
    ("code", "label", "category", "category_label"),
    [
        ("domestic_move_in", "国内転入", "record", "記載"),
        ("move_in_from_abroad", "国外転入等", "record", "記載"),
        ("birth", "出生", "record", "記載"),
        ("reorganization_record", "改製", "record", "記載"),
        ("reorganization_removal", "改製", "removal", "消除"),
        ("domestic_move_out", "国内転出", "removal", "消除"),
        ("death", "死亡", "removal", "消除"),
        ("move_within", "転居", "amendment", "修正"),
        ("household_split", "世帯分離", "amendment", "修正"),
        ("head_change", "世帯主変更", "amendment", "修正"),
        ("cancellation_amendment", "異動の取消し（修正）", "amendment", "修正"),
    ],
)
def test_reason_is_found_by_its_stable_code(
    code: str, label: str, category: str, category_label: str
) -> None:
    found = reason(code)
    assert isinstance(found, ChangeReason)
    assert (found.label, found.category, found.category_label) == (label, category, category_label)


@pytest.mark.req("j210")
@pytest.mark.parametrize("code", ["initial_registration", "move_within_cancellation", "転居取消", ""])
def test_unknown_codes_raise_a_clear_key_error(code: str) -> None:
    with pytest.raises(KeyError, match="unknown change reason code"):
        reason(code)


@pytest.mark.req("j210")
def test_there_is_no_move_within_cancellation_reason() -> None:
    """実装しない機能: a 「転居取消」 reason."""
    assert not any("転居取消" in r.label or "取消" in r.label and "転居" in r.label for r in REASONS.values())
    assert not any("move_within" in r.code and "cancel" in r.code for r in REASONS.values())


@pytest.mark.req("j210")
@pytest.mark.parametrize(
    ("code", "japanese", "foreign"),
    [
        ("naturalization_record", True, False),
        ("nationality_loss_record", False, True),
        ("naturalization_removal", False, True),
        ("nationality_loss_removal", True, False),
        ("former_surname_record", True, False),
        ("alias_record", False, True),
        ("domestic_move_in", True, True),
    ],
)
def test_reasons_limited_to_one_resident_kind(code: str, japanese: bool, foreign: bool) -> None:
    assert reason(code).applies_to("japanese") is japanese
    assert reason(code).applies_to("foreign") is foreign
    assert (reason(code) in reasons_in(reason(code).category, "foreign")) is foreign


@pytest.mark.req("j210")
def test_unknown_category_is_refused() -> None:
    with pytest.raises(KeyError, match="category"):
        reasons_in("cancel")
