"""Width folding for digits, hyphens and spaces typed by clerks (全角/半角).

Only these characters are folded; names are never passed through NFKC (it destroys variant characters).
"""

from __future__ import annotations

FULLWIDTH_DIGITS = "０１２３４５６７８９"
ASCII_DIGITS = "0123456789"

# Every dash a clerk may type for a hyphen in a number or an address (j320 入力ゆらぎ).
HYPHENS = "-‐‑‒–—―−－ｰー"

_DIGITS_TABLE = str.maketrans(FULLWIDTH_DIGITS, ASCII_DIGITS)
_HYPHENS_TABLE = str.maketrans({h: "-" for h in HYPHENS})


def ascii_digits(text: str) -> str:
    """Full-width digits → ASCII digits; everything else unchanged."""
    return text.translate(_DIGITS_TABLE)


def ascii_hyphens(text: str) -> str:
    """Every hyphen, dash, minus and long-vowel mark → '-'."""
    return text.translate(_HYPHENS_TABLE)
