"""Names for other systems: MJ characters as stored (Unicode with IVS, notes §8), or, for 住基ネット CS,
characters that exist in JIS X 0208.

``to_network_charset`` is the hook the CS adapter applies to every name: it drops ideographic variation
selectors, keeps each character JIS X 0208 can encode, replaces any other by its first JIS X 0208 fallback
from the MJ 縮退 tables of ``jntajis`` (髙 → 高, 𠮷 → 吉, 﨑 → 崎) and by 〓 (下駄記号) when none exists.
The mapping to the real 住基ネット統一文字 table (not public) would replace this function.
"""

from __future__ import annotations

import functools

import jntajis

from handlers import characters

GETA = "〓"
_COMBO = (
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.INFERENCE_BY_READING_AND_GLYPH
    | jntajis.MJShrinkSchemeCombo.MOJ_NOTICE_582
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)


def is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def strip_ivs(text: str) -> str:
    return "".join(c for c in text if not is_variation_selector(c))


def in_jis_x0208(char: str) -> bool:
    if char.isascii():
        return True
    try:
        jntajis.jnta_encode("shift_jis", char, jntajis.ConversionMode.JISX0208)
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def jis_fallback(char: str) -> str:
    """``char`` itself when JIS X 0208 has it, else its first JIS X 0208 縮退 candidate, else 〓."""
    return characters.to_network_charset(char).text


def to_network_charset(name: str | None) -> str | None:
    """The name as 住基ネット can carry it (IVS stripped, non-JIS characters replaced).  The rule lives in
    ``handlers.characters.to_network_charset`` (one place); this hook keeps the CS adapter's str interface."""
    if name is None:
        return None
    return characters.to_network_charset(name).text
