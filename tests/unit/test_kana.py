"""フリガナ storage (j180) and fuzzy kana search keys (j320)."""

from __future__ import annotations

import pytest

from handlers.rules.kana import fold_kana, is_katakana_name, to_katakana


@pytest.mark.req("j180")
@pytest.mark.parametrize(
    ("text", "katakana"),
    [
        ("さとう たろう", "サトウ\u3000タロウ"),
        ("ｻﾄｳ ﾀﾛｳ", "サトウ\u3000タロウ"),
        ("ｶﾞｸ ﾊﾟﾝ", "ガク\u3000パン"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("サトウ　　タロウ", "サトウ\u3000タロウ"),
        ("  さとう\u3000 たろう ", "サトウ\u3000タロウ"),
        ("ｻﾄｰ", "サトー"),
        ("サト－", "サトー"),
        ("サト―", "サトー"),
        ("サト-", "サトー"),
        ("すみす・じょん", "スミス・ジョン"),
        ("ゐゑを", "ヰヱヲ"),
        ("サトウ", "サトウ"),
    ],
)
def test_furigana_is_stored_in_full_width_katakana(text: str, katakana: str) -> None:
    assert to_katakana(text) == katakana


@pytest.mark.req("j180")
@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("サトウ", True),
        ("サトウ\u3000タロウ", True),
        ("スミス・ジョン", True),
        ("ヴァレリー", True),
        ("キッカワ", True),
        ("ヶ", True),
        ("さとう", False),
        ("ｻﾄｳ", False),
        ("サトウ タロウ", False),  # half-width space
        ("佐藤", False),
        ("SATO", False),
        ("サトウ1", False),
        ("", False),
        ("\u3000", False),
        ("ー", False),
    ],
)
def test_only_katakana_long_vowel_middle_dot_and_full_width_space_make_a_furigana(
    text: str, valid: bool
) -> None:
    assert is_katakana_name(text) is valid


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("サイトウ", "サイトー"),
        ("サイトウ", "サイトオ"),
        ("ヨウコ", "ヨーコ"),
        ("オオノ", "オーノ"),
        ("オオノ", "オウノ"),
        ("オオノ", "オノ"),
        ("コウ", "コオ"),
        ("コウ", "コー"),
        ("ヴァイオリン", "バイオリン"),
        ("ヴィンセント", "ビンセント"),
        ("ヴェルデ", "ベルデ"),
        ("ヴォルフ", "ボルフ"),
        ("ヴ", "ブ"),
        ("ジュン", "ヂュン"),
        ("スズキ", "スヅキ"),
        ("キッカワ", "キツカワ"),
        ("シャチ", "シヤチ"),
        ("リュウ", "リユウ"),
        ("キョウコ", "キヨコ"),
        ("ｻﾄｳ", "さとう"),
        ("ｻﾄｳ", "サトウ"),
        ("サトウ タロウ", "サトウ\u3000タロウ"),
        ("サトウ　タロウ", "サトウタロウ"),
        ("スミス・ジョン", "スミスジョン"),
        ("カオル", "カヲル"),
        ("イワオ", "イハオ"),
        ("ハシモト", "バシモト"),
        ("ヒロシ", "ピロシ"),
        ("ガク", "カク"),
        ("ヱミ", "エミ"),
        ("ヰド", "イド"),
        ("サトー", "サト－"),
        ("サトー", "サト―"),
        ("サトー", "サト‐"),
        ("サトー", "ｻﾄｰ"),
        ("サトー", "サト-"),
        ("ケイ", "ヶイ"),
        ("ショウヘイ", "ショーヘイ"),
    ],
)
def test_names_that_differ_only_as_j320_allows_share_a_search_key(left: str, right: str) -> None:
    assert fold_kana(left) == fold_kana(right)


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("サトウ", "サイトウ"),
        ("タナカ", "タカナ"),
        ("ユウキ", "ユキ"),  # ウ after ユ (ウ段) is a real sound
        ("エイコ", "エコ"),
        ("スズキ", "ススキノ"),
        ("アオキ", "アキ"),  # オ after ア (ア段) is kept
        ("サトウ オサム", "サトウサム"),  # parts are folded on their own
    ],
)
def test_different_names_keep_different_search_keys(left: str, right: str) -> None:
    assert fold_kana(left) != fold_kana(right)


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("サイトウ", "サイト"),
        ("ヴァイオリン", "ハイオリン"),
        ("キッカワ", "キツカハ"),
        ("ジュン", "シユン"),
        ("オオノ", "オノ"),
        ("ウエノ", "ウエノ"),  # a leading ウ is never dropped
        ("サトウ\u3000オサム", "サトオサム"),
        ("", ""),
    ],
)
def test_search_key_is_the_documented_folding(text: str, key: str) -> None:
    assert fold_kana(text) == key
