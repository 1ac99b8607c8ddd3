"""The generator's table-driven check digits are the M11W2-7 / 個人番号 rule of handlers.rules.check_digit."""

from __future__ import annotations

import random

import pytest

from handlers.rules.check_digit import m11w27_check_digit, my_number_check_digit
from handlers.synthetic.numbers import m11w27_digit, numbered


@pytest.mark.parametrize("width", [9, 10])
def test_m11w27_digit_is_the_rule_for_zero_padded_bodies(width: int) -> None:
    rng = random.Random(width)
    bodies = [0, 1, 10**width - 1, *(rng.randrange(10**width) for _ in range(20_000))]
    for body in bodies:
        text = f"{body:0{width}d}"
        assert numbered(body, width) == text + m11w27_check_digit(text)


def test_m11w27_digit_is_the_my_number_rule_for_eleven_digit_bodies() -> None:
    rng = random.Random(11)
    for body in [0, 10**11 - 1, *(rng.randrange(10**11) for _ in range(20_000))]:
        assert m11w27_digit(body) == my_number_check_digit(f"{body:011d}")
