"""Characters of names (notes §8; j370 文字コード照会, j1090 CS連携, j330 異体字検索).

Names are stored as entered: Unicode with ideographic variation sequences (IVS), never NFKC-normalised.
This module answers three questions from the 文字情報基盤 (MJ) tables shipped by ``jntajis-python``
(MJ文字一覧表 and MJ縮退マップ, 文字情報技術促進協議会, CC BY-SA 2.1 JP):

* ``mj_info("葛󠄂")`` — the character's MJ文字図形名 (``MJ022335``), code point, IVS, JIS X 0213 membership;
* ``to_network_charset(name)`` — the name as the national network can carry it (an approximation of the
  住基ネット統一文字 set, whose table is not public: IVS stripped, characters outside JIS X 0208/0213 replaced by
  their MJ 縮退 candidates), with the characters that could not be mapped;
* ``jis_x0208_fallback(char)`` — the JIS X 0208 form a variant folds to, used by the search keys.

jntajis exposes the MJ shrink maps as functions but the MJ文字一覧表 only as the C table in its shipped
``_jntajis.h``; it is parsed once, on first use (about half a second), and kept in memory.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jntajis

_COMBO = int(
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.INFERENCE_BY_READING_AND_GLYPH
    | jntajis.MJShrinkSchemeCombo.MOJ_NOTICE_582
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)
IVS_BASE = 0xE0100
GETA = "〓"  # 下駄記号: a character the receiving side cannot show


def is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def strip_ivs(text: str) -> str:
    return "".join(c for c in text if not is_variation_selector(c))


def split_characters(text: str) -> list[str]:
    """The name's characters, each with the variation selector that follows it (葛󠄂 is one character)."""
    characters: list[str] = []
    for char in text:
        if is_variation_selector(char) and characters:
            characters[-1] += char
        else:
            characters.append(char)
    return characters


def _encodes(char: str, mode: jntajis.ConversionMode) -> bytes | None:
    try:
        return bytes(jntajis.jnta_encode("shift_jis", char, int(mode)))
    except UnicodeEncodeError:
        return None


@functools.lru_cache(maxsize=8192)
def in_jis_x0208(char: str) -> bool:
    return char.isascii() or _encodes(char, jntajis.ConversionMode.JISX0208) is not None


@functools.lru_cache(maxsize=8192)
def in_jis_x0213(char: str) -> bool:
    return char.isascii() or _encodes(char, jntajis.ConversionMode.SISO) is not None


@functools.lru_cache(maxsize=8192)
def jis_x0208_fallback(char: str) -> str | None:
    """``char`` when JIS X 0208 has it, else its first MJ 縮退 candidate made of JIS X 0208 characters."""
    if in_jis_x0208(char):
        return char
    for candidate in jntajis.mj_shrink_candidates(char, _COMBO):
        if candidate != char and all(in_jis_x0208(c) for c in candidate):
            return str(candidate)
    return None


REPERTOIRES = {"jisx0208": in_jis_x0208, "jisx0213": in_jis_x0213}


@functools.lru_cache(maxsize=8192)
def _network_form(char: str, repertoire: str) -> str | None:
    """A form of one character (no IVS) inside the repertoire, or None when the MJ tables know none."""
    inside = REPERTOIRES[repertoire]
    if inside(char):
        return char
    for candidate in jntajis.mj_shrink_candidates(char, _COMBO):
        if candidate != char and all(inside(c) for c in candidate):
            return str(candidate)
    return None


@dataclass(frozen=True)
class NetworkName:
    text: str  # the name for the network; 〓 where nothing fits
    unmapped: tuple[str, ...]  # characters (as stored) that could not be mapped
    changed: bool  # differs from the stored name (IVS stripped or characters replaced)


def to_network_charset(name: str, repertoire: str = "jisx0208") -> NetworkName:
    """The name for 住基ネット, never silently lossy: an approximation of 統一文字 (JIS X 0208 by default, the
    fixed-width Shift_JIS files need it; ``jisx0213`` keeps 﨑 and the other JIS X 0213 characters) with the
    MJ 縮退 candidates for the rest; what maps to nothing becomes 〓 and is listed in ``unmapped``."""
    out: list[str] = []
    unmapped: list[str] = []
    for char in split_characters(name):
        form = _network_form(strip_ivs(char) or char, repertoire)
        if form is None:
            unmapped.append(char)
        out.append(form if form is not None else GETA)
    text = "".join(out)
    return NetworkName(text, tuple(unmapped), text != name)


# --- MJ文字一覧表 ---------------------------------------------------------------------------------------------

_CHUNK = re.compile(r"chunked_mj_mappings_([0-9a-f]{6})_([0-9a-f]{6})\[\d+\] = \{\n(.*?)\n\};", re.S)
_MAPPING = re.compile(r"\{(\d+), \{((?:\{\d+, \d, \d, \d+\},? ?)+)")
_PAIR = re.compile(r"\{(\d+), (\d), (\d), (\d+)\}")


@dataclass(frozen=True)
class MJInfo:
    mj_code: str  # MJ文字図形名, e.g. MJ022335
    ucs: str  # base code point, e.g. U+845B
    ivs: str | None  # the variation selector of this glyph, e.g. U+E0102 (None: the plain code point)
    sequence: str  # the character as stored (base + selector)
    jis_x_0208: bool
    jis_x_0213: bool
    name: str  # Unicode name of the base character


def _header() -> Path:
    return Path(jntajis.__file__).with_name("_jntajis.h")


@functools.lru_cache(maxsize=1)
def _mj_table() -> dict[int, tuple[tuple[int, tuple[tuple[int, int], ...]], ...]]:
    """code point → ((MJ number, ((code point, selector or -1), …)), …) from jntajis' MJ table."""
    source = _header().read_text("utf-8")
    table: dict[int, dict[int, tuple[tuple[int, int], ...]]] = {}
    for chunk in _CHUNK.finditer(source):
        start = int(chunk.group(1), 16)
        for offset, line in enumerate(chunk.group(3).split("\n")):
            if line.startswith("    {0,"):
                continue
            for number, pairs in _MAPPING.findall(line):
                forms = tuple((int(u), int(s) if sv == "1" else -1)
                              for u, v, sv, s in _PAIR.findall(pairs) if v == "1")  # fmt: skip
                table.setdefault(start + offset, {})[int(number)] = forms
    return {code: tuple(entries.items()) for code, entries in table.items()}


def mj_info(char_or_sequence: str) -> MJInfo | None:
    """The MJ character a stored character (base + optional IVS) is, or None when the MJ table has none."""
    base, rest = char_or_sequence[0], char_or_sequence[1:]
    selector = ord(rest[0]) - IVS_BASE if rest and 0 <= ord(rest[0]) - IVS_BASE < 240 else -1
    entries = _mj_table().get(ord(base), ())
    chosen = next((n for n, forms in entries if (ord(base), selector) in forms), None)
    if chosen is None and selector == -1:  # a plain code point: the MJ glyph it stands for
        chosen = next((n for n, forms in entries if forms and forms[0] == (ord(base), -1)), None)
    if chosen is None:
        return None
    return MJInfo(
        mj_code=f"MJ{chosen:06d}",
        ucs=f"U+{ord(base):04X}",
        ivs=f"U+{IVS_BASE + selector:05X}" if selector >= 0 else None,
        sequence=char_or_sequence,
        jis_x_0208=in_jis_x0208(base),
        jis_x_0213=in_jis_x0213(base),
        name=unicodedata.name(base, ""),
    )
