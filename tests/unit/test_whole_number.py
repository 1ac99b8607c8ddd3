"""Numbers typed by staff: ASCII or full-width digits are read, anything ``str.isdigit`` takes but ``int``
refuses (a superscript, a circled digit) is no number."""

from __future__ import annotations

import pytest

from handlers.rules.digits import whole_number


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("15", 15),
        ("１５", 15),
        (" 0 ", 0),
        ("1²", None),
        ("①", None),
        ("-5", None),
        ("", None),
        ("1.5", None),
    ],
)
def test_a_whole_number_is_read_from_ascii_or_full_width_digits_only(typed: str, read: int | None) -> None:
    assert whole_number(typed) == read
