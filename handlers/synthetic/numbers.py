"""Check digits of generated numbers, computed from the integer body by table look-up.

The same M11W2-7 rule as ``handlers.rules.check_digit`` (weights 2, 3, 4, 5, 6, 7, 2, … from the rightmost
digit; remainder ≤ 1 → 0, else 11 − remainder; the 個人番号 rule of 令第8条 is the same), without turning the
body into a string of digits first: the body is cut into groups of three digits from the right, and each
group's weighted sum is read from a table (even groups weigh 2, 3, 4; odd groups 5, 6, 7).  Zeros on the
left weigh nothing, so the digit holds for any zero-padded width.  A test checks it against the rule.
"""

from __future__ import annotations

_EVEN = tuple((x % 10) * 2 + (x // 10 % 10) * 3 + (x // 100) * 4 for x in range(1000))
_ODD = tuple((x % 10) * 5 + (x // 10 % 10) * 6 + (x // 100) * 7 for x in range(1000))
_DIGIT = tuple("0" if r <= 1 else str(11 - r) for r in range(11))


def m11w27_digit(body: int) -> str:
    """The M11W2-7 check digit of ``body`` (a non-negative integer of up to 12 digits)."""
    total = _EVEN[body % 1000] + _ODD[body // 1000 % 1000] + _EVEN[body // 1_000_000 % 1000]
    return _DIGIT[(total + _ODD[body // 1_000_000_000 % 1000]) % 11]


def numbered(body: int, width: int) -> str:
    """``body`` zero-padded to ``width`` digits, followed by its M11W2-7 check digit."""
    return f"{body:0{width}d}{m11w27_digit(body)}"
