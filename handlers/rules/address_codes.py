"""住所コード (j250): 11 digits = 都道府県 (2, JIS X 0401) + 市区町村 (3, JIS X 0402; a designated city's ward) +
大字 (3) + 小字 (3).  The standard leaves the 大字 and 小字 numbers to the municipality: we number the 大字 of
each 市区町村 from 001 and the 小字 of each 大字 from 001 (000 is the 大字 itself), never reusing a number, so a
code once given stays with its place through every refresh.  Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CODE = re.compile(r"^\d{11}$")
LAST_NUMBER = 999


class NumbersExhaustedError(ValueError):
    """Every number of the parent (999 大字 of a 市区町村, or 999 小字 of a 大字) is taken."""


def is_address_code(text: str) -> bool:
    return _CODE.match(text) is not None


def address_code(jis_code: str, oaza: int, koaza: int = 0) -> str:
    """The 11-digit code of 大字 ``oaza`` (and 小字 ``koaza``) of the 5-digit 都道府県+市区町村 ``jis_code``."""
    if (
        len(jis_code) != 5
        or not jis_code.isdigit()
        or not (1 <= oaza <= LAST_NUMBER)
        or not (0 <= koaza <= LAST_NUMBER)
    ):
        raise ValueError(f"no address code for {jis_code!r}, {oaza}, {koaza}")
    return f"{jis_code}{oaza:03d}{koaza:03d}"


def municipality_part(code: str) -> str:
    """都道府県 + 市区町村 (5 digits) of a 住所コード."""
    return code[:5]


def oaza_part(code: str) -> str:
    """The first 8 digits: the 大字 a 小字 belongs to."""
    return code[:8]


def oaza_number(code: str) -> int:
    return int(code[5:8])


def koaza_number(code: str) -> int:
    return int(code[8:11])


def next_number(taken: Iterable[int]) -> int:
    """The number after the highest taken (001 when none): numbers of retired places are not given again."""
    number = max(taken, default=0) + 1
    if number > LAST_NUMBER:
        raise NumbersExhaustedError(number)
    return number
