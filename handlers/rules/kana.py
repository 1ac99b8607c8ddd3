"""フリガナ (j180) and the kana search key (j320).

* ``to_katakana`` — how a フリガナ is stored: full-width katakana, one full-width space between parts.
* ``is_katakana_name`` — whether a stored フリガナ holds only katakana, ー, ・ and full-width spaces.
* ``fold_kana`` — the search key for fuzzy kana search (j320): ignores spaces, small/large kana, voiced marks,
  ヂ/ジ, ヅ/ズ, ヲ/オ, ワ/ハ, ヴァ/バ …, and long vowels (ー, and ウ/オ after an オ段 kana).
"""

from __future__ import annotations

import re

import jaconv

FULLWIDTH_SPACE = "\u3000"
LONG_VOWEL = "ー"
# Dashes clerks type for the long-vowel mark (j320 入力ゆらぎ): ― － ‐ ｰ - and friends.
LONG_VOWEL_VARIANTS = "―－‐‑‒–—−-ｰ"

_LONG_VOWEL_TABLE = str.maketrans({c: LONG_VOWEL for c in LONG_VOWEL_VARIANTS})
_SPACES = re.compile(r"[\s\u3000]+")
_KATAKANA_NAME = re.compile(r"[\u30a1-\u30f6ー・\u3000]+")

# ヴ followed by a small vowel, and the rare ヷヸヹヺ, read as バ行 (j320: ヴァ＝バ, ヴィ＝ビ, ヴ＝ブ).
VU_SOUNDS = {
    "ヴァ": "バ",
    "ヴィ": "ビ",
    "ヴェ": "ベ",
    "ヴォ": "ボ",
    "ヴ": "ブ",
    "ヷ": "バ",
    "ヸ": "ビ",
    "ヹ": "ベ",
    "ヺ": "ボ",
}

# 拗音・促音 and other small kana → their large form.
SMALL_TO_LARGE = {
    "ァ": "ア",
    "ィ": "イ",
    "ゥ": "ウ",
    "ェ": "エ",
    "ォ": "オ",
    "ッ": "ツ",
    "ャ": "ヤ",
    "ュ": "ユ",
    "ョ": "ヨ",
    "ヮ": "ワ",
    "ヵ": "カ",
    "ヶ": "ケ",
}

# Kana that sound alike in names.
SAME_SOUND = {"ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヱ": "エ", "ヰ": "イ", "ワ": "ハ"}

# 濁音・半濁音 → 清音.
VOICED_TO_PLAIN = {
    "ガ": "カ",
    "ギ": "キ",
    "グ": "ク",
    "ゲ": "ケ",
    "ゴ": "コ",
    "ザ": "サ",
    "ジ": "シ",
    "ズ": "ス",
    "ゼ": "セ",
    "ゾ": "ソ",
    "ダ": "タ",
    "ヂ": "チ",
    "ヅ": "ツ",
    "デ": "テ",
    "ド": "ト",
    "バ": "ハ",
    "ビ": "ヒ",
    "ブ": "フ",
    "ベ": "ヘ",
    "ボ": "ホ",
    "パ": "ハ",
    "ピ": "ヒ",
    "プ": "フ",
    "ペ": "ヘ",
    "ポ": "ホ",
}

# オ段 after the folding above (voiced and small forms are gone by then).
O_ROW = frozenset("オコソトノホモヨロ")

_VU_PATTERN = re.compile("|".join(sorted(VU_SOUNDS, key=len, reverse=True)))
_SMALL_TABLE = str.maketrans(SMALL_TO_LARGE)
_SAME_SOUND_TABLE = str.maketrans(SAME_SOUND)
_VOICED_TABLE = str.maketrans(VOICED_TO_PLAIN)


def to_katakana(text: str) -> str:
    """Hiragana and half-width kana → full-width katakana; dashes → ー; each run of spaces → one full-width
    space; no leading or trailing space.  Other characters are left as they are."""
    wide = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    katakana = jaconv.hira2kata(wide).translate(_LONG_VOWEL_TABLE)
    return _SPACES.sub(FULLWIDTH_SPACE, katakana).strip(" " + FULLWIDTH_SPACE)


def is_katakana_name(text: str) -> bool:
    """True when ``text`` holds only katakana, ー, ・ and full-width spaces, and at least one katakana."""
    return _KATAKANA_NAME.fullmatch(text) is not None and text.strip(FULLWIDTH_SPACE + "・ー") != ""


def _drop_long_vowels(part: str) -> str:
    """Drop ー, and a ウ or オ that follows an オ段 kana (コウ, コオ, コー → コ)."""
    kept: list[str] = []
    for char in part:
        if char == LONG_VOWEL:
            continue
        if char in "ウオ" and kept and kept[-1] in O_ROW:
            continue
        kept.append(char)
    return "".join(kept)


def _fold_part(part: str) -> str:
    folded = _VU_PATTERN.sub(lambda m: VU_SOUNDS[m.group(0)], part.replace("・", ""))
    folded = folded.translate(_SMALL_TABLE).translate(_SAME_SOUND_TABLE).translate(_VOICED_TABLE)
    return _drop_long_vowels(folded)


def fold_kana(text: str) -> str:
    """The kana search key (j320).  Each space-separated part (氏, 名) is folded on its own, so that the ウ of
    サトウ does not swallow the オ of オサム, and the parts are then joined without spaces."""
    return "".join(_fold_part(part) for part in to_katakana(text).split(FULLWIDTH_SPACE))
