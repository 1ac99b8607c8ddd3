"""The review shows an entered item as the record will show it once registered (j530)."""

from __future__ import annotations

import pytest

from handlers.residents.entered_display import display_entered


@pytest.mark.req("j530")
def test_a_furigana_typed_in_hiragana_or_half_width_kana_is_shown_in_the_katakana_it_is_stored_in() -> None:
    assert display_entered("family_name_kana", "やまだ", "japanese") == "ヤマダ"
    assert display_entered("given_name_kana", "ﾀﾛｳ", "japanese") == "タロウ"
    assert display_entered("family_name", "やまだ", "japanese") == "やまだ", "a name is shown as typed"


@pytest.mark.req("j90")
def test_an_entered_date_is_shown_in_wareki_but_a_foreign_residents_birth_date_in_seireki() -> None:
    assert display_entered("birth_date", "1980-04-01", "japanese") == "昭和55年4月1日"
    assert display_entered("birth_date", "1980-04-01", "foreign").startswith("1980")
