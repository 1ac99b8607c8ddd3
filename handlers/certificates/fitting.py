"""文字溢れ (j1070): fit each printed value into its cell by shrinking the type; when even the smallest size
does not fit, raise an alert and print as much as fits (``truncate``) or leave the cell blank (``blank``), as
``Municipality.settings["certificate_overflow"]`` says.

Widths are estimated from character classes (full-width = 1 em, half-width = 0.5 em), which is exact for the
monospaced CJK glyphs of IPAmj明朝 and conservative for Latin text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

PT_TO_MM = 25.4 / 72
SIZES_PT = (10.5, 9.0, 8.0, 7.0, 6.0)  # the normal size first, then the shrink steps
OVERFLOW_BEHAVIOURS = ("truncate", "blank")


@dataclass(frozen=True)
class Fitted:
    text: str
    size_pt: float
    overflowed: bool  # did not fit even at the smallest size


def _is_mark(char: str) -> bool:
    """Variation selectors and combining marks take no width."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or unicodedata.combining(char) > 0


def em_width(text: str) -> float:
    width = 0.0
    for char in text:
        if _is_mark(char):
            continue
        width += 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 0.5
    return width


def _capacity_em(width_mm: float, size_pt: float, lines: int) -> float:
    return lines * width_mm / (size_pt * PT_TO_MM)


def _truncate(text: str, capacity: float) -> str:
    kept, width = [], 0.0
    for char in text:
        step = 0.0 if _is_mark(char) else em_width(char)
        if width + step > capacity:
            break
        kept.append(char)
        width += step
    return "".join(kept)


@dataclass(frozen=True)
class FittedLabel:
    size_pt: float | None  # None: the form's own size holds it
    wraps: bool  # on two lines (only at 7 pt and below, which two lines of the row's height hold)


TWO_LINE_MAX_PT = 7.0


def fit_label(label: str, width_mm: float, form_pt: float) -> FittedLabel:
    """An item's name in its label column: the form's size when it holds the name on one line, else the
    largest smaller size that does, else two lines at the largest size up to 7 pt that holds it (an item's name is
    never cut: 「法第30条の45に規定する区分」 is longer than the column at the form's size)."""
    needed = em_width(label)
    if needed <= _capacity_em(width_mm, form_pt, 1):
        return FittedLabel(None, False)
    smaller = [size for size in SIZES_PT if size < form_pt]
    for size in smaller:
        if needed <= _capacity_em(width_mm, size, 1):
            return FittedLabel(size, False)
    two_lines = [size for size in SIZES_PT if size <= min(form_pt, TWO_LINE_MAX_PT)]
    for size in two_lines:
        if needed <= _capacity_em(width_mm, size, 2):
            return FittedLabel(size, True)
    return FittedLabel(two_lines[-1], True)


def fit_text(text: str, width_mm: float, *, lines: int = 1, behaviour: str = "truncate") -> Fitted:
    needed = em_width(text)
    for size in SIZES_PT:
        if needed <= _capacity_em(width_mm, size, lines):
            return Fitted(text, size, False)
    smallest = SIZES_PT[-1]
    if behaviour == "blank":
        return Fitted("", smallest, True)
    return Fitted(_truncate(text, _capacity_em(width_mm, smallest, lines)), smallest, True)
