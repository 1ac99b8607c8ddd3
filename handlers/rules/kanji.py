"""Search keys for kanji names and addresses (j330 異体字検索, j320).

Stored names keep every variant as entered (with IVS); only the *search key* folds variants.  We normalise with
NFC only, never NFKC: NFKC rewrites compatibility characters and would destroy distinctions the register keeps.
(NFC does map the CJK compatibility ideographs that have a canonical decomposition, e.g. U+FA10 塚 → 塚; that is
what a search key wants.  The twelve unified ideographs of that block, such as 﨑 U+FA11, survive NFC and are
folded by the table below.)
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

from handlers.characters import jis_x0208_fallback
from handlers.rules.digits import ascii_digits

# Old, variant and simplified forms → the representative used in search keys.  Keys and values are single code
# points; a name is folded character by character.  Extend freely: it only widens search, never changes data.
VARIANT_TO_REPRESENTATIVE = {
    # 高 / 崎 / 辺 / 斎 / 沢 / 浜 — the most frequent surname variants
    "髙": "高", "﨑": "崎", "嵜": "崎", "碕": "崎", "㟢": "崎",
    "邊": "辺", "邉": "辺", "边": "辺",
    "齋": "斎", "齊": "斎", "斉": "斎",
    "澤": "沢", "濱": "浜", "濵": "浜", "滨": "浜",
    "廣": "広", "德": "徳", "𠮷": "吉", "國": "国", "櫻": "桜", "龍": "竜", "眞": "真", "惠": "恵",
    "藏": "蔵", "實": "実", "壽": "寿", "與": "与", "萬": "万", "彌": "弥", "榮": "栄", "圓": "円",
    "淺": "浅", "瀨": "瀬", "冨": "富", "峯": "峰", "嶋": "島", "嶌": "島", "槇": "槙", "凛": "凜",
    "籘": "藤", "籐": "藤", "䕨": "藤",
    "瀧": "滝", "黑": "黒", "曾": "曽", "舘": "館", "桒": "桑", "栁": "柳", "淵": "渕", "渊": "渕",
    "澁": "渋", "嶽": "岳", "巖": "巌", "埜": "野", "鷗": "鴎", "檜": "桧", "槗": "橋", "穗": "穂",
    "鄕": "郷", "鄉": "郷", "增": "増", "藪": "薮", "蘆": "芦", "橫": "横", "靑": "青", "郞": "郎",
    # 旧字体 common in given names and old surnames
    "會": "会", "關": "関", "鐵": "鉄", "學": "学", "寶": "宝", "寳": "宝", "團": "団", "樂": "楽",
    "來": "来", "戶": "戸", "淸": "清", "靜": "静", "豐": "豊", "禮": "礼", "龜": "亀", "壯": "壮",
    "將": "将", "晉": "晋", "條": "条", "乘": "乗", "應": "応", "繪": "絵", "緣": "縁", "氣": "気",
    "縣": "県", "權": "権", "兒": "児", "濟": "済", "滿": "満", "佛": "仏", "發": "発", "變": "変",
    "步": "歩", "譽": "誉", "餘": "余", "亞": "亜", "圍": "囲", "壹": "壱", "衞": "衛", "嚴": "厳",
    "恆": "恒", "黃": "黄", "從": "従", "愼": "慎", "粹": "粋", "聲": "声", "專": "専", "錢": "銭",
    "莊": "荘", "續": "続", "臺": "台", "彈": "弾", "傳": "伝", "轉": "転", "燈": "灯", "當": "当",
    "稻": "稲", "讀": "読", "髮": "髪", "竝": "並", "藥": "薬", "樣": "様", "賴": "頼", "綠": "緑",
    "靈": "霊", "曆": "暦", "歷": "歴", "勞": "労", "樓": "楼",
}  # fmt: skip

_VARIANT_TABLE = str.maketrans(VARIANT_TO_REPRESENTATIVE)
# Ideographic variation selectors (IVS, U+E0100–U+E01EF) and standardized variation selectors (U+FE00–U+FE0F).
_VARIATION_SELECTORS = re.compile("[\U000e0100-\U000e01ef\ufe00-\ufe0f]")
_SPACES = re.compile(r"[\s\u3000]+")


def _fold_by_mj(char: str) -> str:
    """A character outside JIS X 0208 → its JIS X 0208 form from the MJ 縮退 tables (𦚰 → 脇, 𩵋 → 魚)."""
    if char.isascii() or not unicodedata.category(char).startswith("Lo"):
        return char
    return jis_x0208_fallback(char) or char


def fold_name(text: str) -> str:
    """The kanji-name search key: NFC, no spaces, no variation selectors, variants → representatives.

    First pass: the hand-written table above; second pass: every character still outside JIS X 0208 goes
    to its MJ 縮退 candidate (thousands of variants), and the table is applied once more to the result."""
    normalized = unicodedata.normalize("NFC", text)
    plain = _VARIATION_SELECTORS.sub("", _SPACES.sub("", normalized))
    folded = plain.translate(_VARIANT_TABLE)
    return "".join(_fold_by_mj(c) for c in folded).translate(_VARIANT_TABLE)


# --- addresses -----------------------------------------------------------------------------------------

_FULLWIDTH_ASCII = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF5B) if chr(c - 0xFEE0).isalpha()}
)
_ADDRESS_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－﹣"})
_LONG_MARK_AFTER_DIGIT = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUMBER_BEFORE_UNIT = re.compile(r"([〇一二三四五六七八九十]+)(丁目|番地|番|号)")


def kanji_number(text: str) -> int:
    """'三' → 3, '十二' → 12, '二十' → 20, '二十三' → 23, '一〇' → 10 (used before 丁目・番地・番・号)."""
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        raise ValueError(f"not a kanji number below 100: {text!r}")
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[units] if units else 0)


def _arabic_before_unit(match: re.Match[str]) -> str:
    try:
        return f"{kanji_number(match.group(1))}{match.group(2)}"
    except ValueError:
        return match.group(0)


def fold_address(text: str) -> str:
    """The address search key: NFC; spaces removed; full-width digits and letters → ASCII; half-width kana →
    full-width; every dash (and ー between digits) → '-'; kanji numbers before 丁目・番地・番・号 → digits
    (三丁目 → 3丁目; 三田 stays); 丁目・番地・番・号 kept; kanji variants folded as in ``fold_name``."""
    folded = unicodedata.normalize("NFC", text)
    folded = _VARIATION_SELECTORS.sub("", _SPACES.sub("", folded))
    folded = jaconv.h2z(folded, kana=True, ascii=False, digit=False)
    folded = ascii_digits(folded).translate(_FULLWIDTH_ASCII).translate(_ADDRESS_DASHES)
    folded = _LONG_MARK_AFTER_DIGIT.sub("-", folded)
    folded = _KANJI_NUMBER_BEFORE_UNIT.sub(_arabic_before_unit, folded)
    return folded.translate(_VARIANT_TABLE)
