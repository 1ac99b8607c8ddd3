"""Width folding for digits, hyphens and spaces typed by clerks (全角/半角).

Only these characters are folded; names are never passed through NFKC (it destroys variant characters).
"""

from __future__ import annotations

from typing import Any

FULLWIDTH_DIGITS = "０１２３４５６７８９"
ASCII_DIGITS = "0123456789"

# Every dash a clerk may type for a hyphen in a number or an address (j320 入力ゆらぎ).
HYPHENS = "-‐‑‒–—―−－ｰー"

_DIGITS_TABLE = str.maketrans(FULLWIDTH_DIGITS, ASCII_DIGITS)
_HYPHENS_TABLE = str.maketrans({h: "-" for h in HYPHENS})


def ascii_digits(text: str) -> str:
    """Full-width digits → ASCII digits; everything else unchanged."""
    return text.translate(_DIGITS_TABLE)


def whole_number(text: str) -> int | None:
    """Digits typed in ASCII or full width as an int; None for anything else.  (``str.isdigit`` also takes a
    superscript ² or a circled ①, which ``int`` refuses.)"""
    folded = ascii_digits(text.strip())
    return int(folded) if folded.isascii() and folded.isdigit() else None


def ascii_hyphens(text: str) -> str:
    """Every hyphen, dash, minus and long-vowel mark → '-'."""
    return text.translate(_HYPHENS_TABLE)


# The intake items that hold 宛名番号, 世帯番号 or other numbers of the register, at the top level or in a 転居's
# ``destination``: typed in full width at the counter, they are the same numbers.
REGISTER_NUMBER_KEYS = frozenset({
    "atena_number", "atena_numbers", "household_number", "target_household_number", "new_head",
    "copy_koseki_from", "history_no", "corrected_history_no", "notice_id",
})  # fmt: skip


def fold_register_numbers(intake: dict[str, Any]) -> dict[str, Any]:
    """``intake`` with the full-width digits of its register numbers folded to ASCII (one level deep)."""

    def fold(key: str, value: Any) -> Any:
        if key not in REGISTER_NUMBER_KEYS:
            return fold_register_numbers(value) if isinstance(value, dict) and key == "destination" else value
        if isinstance(value, str):
            return ascii_digits(value).strip()
        if isinstance(value, list):
            return [ascii_digits(v).strip() if isinstance(v, str) else v for v in value]
        return value

    return {key: fold(key, value) for key, value in intake.items()}
