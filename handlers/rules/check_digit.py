"""Check digits and number formats (j130 and the numbers of j10/j20).

* 全国地方公共団体コード: 5 digits + check digit (weights 6..2, modulus 11).
* 宛名番号 / 世帯番号 / 住民票コード: modulus 11, weights 2–7 (M11W2-7).
* 個人番号: the statutory check digit of 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令
  第8条.  Its weights (Qn = n+1 for n ≤ 6, n-5 for n ≥ 7) are exactly the M11W2-7 weights, and its
  "remainder ≤ 1 → 0" rule is the one we use for M11W2-7, so both share one implementation.
"""

from __future__ import annotations

import re
from itertools import cycle
from operator import mul

from handlers.rules.digits import ascii_digits, ascii_hyphens

_MUNICIPALITY_WEIGHTS = (6, 5, 4, 3, 2)
_M11_WEIGHTS = (2, 3, 4, 5, 6, 7)
_CARD_NUMBER = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")


def _require_digits(value: str, length: int | None, what: str) -> None:
    if not (value.isascii() and value.isdigit()) or (length is not None and len(value) != length):
        size = f"{length} digits" if length is not None else "digits"
        raise ValueError(f"{what} must be {size}, got {value!r}")


def _is_ascii_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


# --- 全国地方公共団体コード ------------------------------------------------------------------------


def municipality_code_check_digit(first5: str) -> str:
    """Check digit of a 全国地方公共団体コード: r = Σ(digit × 6,5,4,3,2) mod 11, check = (11 − r) mod 10."""
    _require_digits(first5, 5, "municipality code body")
    remainder = sum(int(d) * w for d, w in zip(first5, _MUNICIPALITY_WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def municipality_code_valid(code: str) -> bool:
    """True for a 6-digit 全国地方公共団体コード whose last digit is its check digit."""
    if not _is_ascii_digits(code, 6):
        return False
    return municipality_code_check_digit(code[:5]) == code[5]


# --- M11W2-7 (宛名番号, 世帯番号, 住民票コード) -----------------------------------------------------


def m11w27_check_digit(body: str) -> str:
    """Modulus 11, weights 2,3,4,5,6,7,2,3,… from the rightmost body digit.

    r = Σ weight × digit mod 11.  r = 0 → 0 (the standard, j130).  r = 1 would give the two-digit value 10;
    the standard is silent on it, and we follow the 個人番号 rule (令第8条) and the common M11 practice: 0.
    Otherwise the check digit is 11 − r.
    """
    _require_digits(body, None, "M11W2-7 body")
    if not body:
        raise ValueError("M11W2-7 body must not be empty")
    total = sum(map(mul, map(int, body[::-1]), cycle(_M11_WEIGHTS)))
    remainder = total % 11
    return "0" if remainder <= 1 else str(11 - remainder)


def with_m11w27(body: str) -> str:
    """The body followed by its M11W2-7 check digit (e.g. a 9-digit sequence → a 10-digit 宛名番号)."""
    return body + m11w27_check_digit(body)


def m11w27_valid(number: str) -> bool:
    """True when ``number`` is at least 2 ASCII digits and its last digit is the M11W2-7 check of the rest."""
    if len(number) < 2 or not (number.isascii() and number.isdigit()):
        return False
    return m11w27_check_digit(number[:-1]) == number[-1]


# --- 個人番号 and 住民票コード --------------------------------------------------------------------------


def my_number_check_digit(body11: str) -> str:
    """個人番号 check digit (令第8条): Pn = n-th digit from the right, Qn = n+1 (n ≤ 6) or n−5 (n ≥ 7),
    r = Σ Pn·Qn mod 11, check = 0 if r ≤ 1 else 11 − r."""
    _require_digits(body11, 11, "個人番号 body")
    return m11w27_check_digit(body11)  # Qn = 2..7, 2..6 is the M11W2-7 cycle, and the r ≤ 1 rule is the same


def my_number_valid(s: str) -> bool:
    """True for 12 ASCII digits whose last digit is the 個人番号 check digit."""
    return _is_ascii_digits(s, 12) and my_number_check_digit(s[:11]) == s[11]


def resident_code_valid(s: str) -> bool:
    """住民票コード: 11 ASCII digits = 10 digits + M11W2-7 check digit."""
    return _is_ascii_digits(s, 11) and m11w27_valid(s)


# --- card numbers and postal codes -------------------------------------------------------------------


def residence_card_number_valid(s: str) -> bool:
    """在留カード番号: 2 uppercase letters + 8 digits + 2 uppercase letters (e.g. AB12345678CD)."""
    return _CARD_NUMBER.fullmatch(s) is not None


def special_permanent_certificate_number_valid(s: str) -> bool:
    """特別永住者証明書番号: same pattern as the 在留カード番号."""
    return _CARD_NUMBER.fullmatch(s) is not None


def postal_code_normalize(s: str) -> str | None:
    """'123-4567', '1234567', '〒１２３－４５６７' → '1234567'; None when it is not a 7-digit postal code."""
    text = ascii_hyphens(ascii_digits(s)).strip().removeprefix("〒").strip()
    if re.fullmatch(r"[0-9]{3}-?[0-9]{4}", text) is None:
        return None
    return text.replace("-", "")


def format_postal_code(value: str | None) -> str:
    """A stored postal code as screens show it: '1234567' → '123-4567'; anything else as it is."""
    text = value or ""
    return f"{text[:3]}-{text[3:]}" if re.fullmatch(r"[0-9]{7}", text) else text
