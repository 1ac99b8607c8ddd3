"""Kanji-name and address search keys (j330, j320)."""

from __future__ import annotations

import unicodedata

import pytest

from handlers.rules.kanji import VARIANT_TO_REPRESENTATIVE, fold_address, fold_name, kanji_number


@pytest.mark.req("j330")
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("山嵜", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("斉藤", "斎藤"),
        ("澤田", "沢田"),
        ("長濱", "長浜"),
        ("長濵", "長浜"),
        ("廣田", "広田"),
        ("德川", "徳川"),
        ("𠮷田", "吉田"),
        ("國分", "国分"),
        ("櫻井", "桜井"),
        ("龍之介", "竜之介"),
        ("眞理子", "真理子"),
        ("惠子", "恵子"),
        ("大藏", "大蔵"),
        ("實", "実"),
        ("壽子", "寿子"),
        ("與謝野", "与謝野"),
        ("萬田", "万田"),
        ("彌生", "弥生"),
        ("榮一", "栄一"),
        ("圓山", "円山"),
        ("淺野", "浅野"),
        ("瀨戸", "瀬戸"),
        ("冨田", "富田"),
        ("峯岸", "峰岸"),
        ("中嶋", "中島"),
        ("槇原", "槙原"),
        ("凛", "凜"),
        ("佐籘", "佐藤"),
        ("瀧川", "滝川"),
        ("髙﨑　澤子", "高崎沢子"),
        ("山田 太郎", "山田太郎"),
        ("葛\U000e0100飾", "葛飾"),  # IVS stripped
        ("辻\U000e0101", "辻"),
        ("神\ufe00", "神"),  # standardized variation selector stripped
        ("\ufa10田", "塚田"),  # compatibility ideograph 塚 → 塚 by NFC
    ],
)
def test_variant_spellings_of_a_name_share_a_search_key(left: str, right: str) -> None:
    assert fold_name(left) == fold_name(right)


@pytest.mark.req("j330")
@pytest.mark.parametrize(
    ("left", "right"), [("高橋", "高梨"), ("斎藤", "佐藤"), ("沢田", "津田"), ("吉田", "古田")]
)
def test_different_names_keep_different_search_keys(left: str, right: str) -> None:
    assert fold_name(left) != fold_name(right)


@pytest.mark.req("j330")
@pytest.mark.parametrize("text", ["⼭田", "ｻﾄｳ", "Ａ"])
def test_name_key_does_not_apply_nfkc(text: str) -> None:
    """NFKC would rewrite these (⼭ KANGXI RADICAL → 山, half-width kana, full-width letters); we never use it."""
    assert unicodedata.normalize("NFKC", text) != text
    assert fold_name(text) == text


@pytest.mark.req("j330")
def test_variant_table_is_flat_and_maps_single_characters() -> None:
    assert len(VARIANT_TO_REPRESENTATIVE) >= 100
    for variant, representative in VARIANT_TO_REPRESENTATIVE.items():
        assert len(variant) == 1 and len(representative) == 1
        assert variant != representative
        assert representative not in VARIANT_TO_REPRESENTATIVE  # one step reaches the representative
        assert unicodedata.normalize("NFC", variant) == variant  # NFC does not already fold it


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("横浜市中区本町１丁目２番地", "横浜市中区本町1丁目2番地"),
        ("本町一丁目2番3号", "本町1丁目2番3号"),
        ("本町十二番地", "本町12番地"),
        ("本町１－２－３", "本町1-2-3"),
        ("本町1ー2ー3", "本町1-2-3"),
        ("本町1‐2―3", "本町1-2-3"),
        ("本町1−2", "本町1-2"),
        ("本町 1-2 コーポ 201", "本町1-2コーポ201"),
        ("ｺｰﾎﾟ２０１", "コーポ201"),
        ("Ａ棟", "A棟"),
        ("長濱町", "長浜町"),
    ],
)
def test_address_spellings_share_a_search_key(left: str, right: str) -> None:
    assert fold_address(left) == fold_address(right)


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("横浜市中区本町一丁目１番地", "横浜市中区本町1丁目1番地"),
        ("三田二十三番", "三田23番"),  # 三田 is a place name, not a number
        ("センター1-2", "センター1-2"),  # ー of katakana words is kept
        ("1丁目2番地3号", "1丁目2番地3号"),
    ],
)
def test_address_key_keeps_units_and_place_names(text: str, key: str) -> None:
    assert fold_address(text) == key


@pytest.mark.req("j320")
@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一〇", 10),
        ("九十九", 99),
    ],
)
def test_kanji_numbers_below_one_hundred(text: str, number: int) -> None:
    assert kanji_number(text) == number


@pytest.mark.req("j320")
def test_a_kanji_number_it_cannot_read_is_left_as_written() -> None:
    assert kanji_number("二十") == 20
    with pytest.raises(ValueError):
        kanji_number("十十")
    assert fold_address("十十番") == "十十番"
