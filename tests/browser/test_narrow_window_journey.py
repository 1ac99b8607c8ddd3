"""A 768px-wide window: the supervisor's and the administrator's pages with long unbroken values (the
conformance report's test ids, the provisional list's columns) fit the window, so no button or column is
pushed out of sight."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDER_THAN_THE_WINDOW = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
)


@pytest.mark.parametrize(
    ("role", "path"), [("supervisor", "/conformance"), ("supervisor", "/cases/provisional")]
)
def test_a_page_with_long_values_fits_a_768px_window(journey: Any, role: str, path: str) -> None:
    user = journey(role)
    user.page.set_viewport_size({"width": 768, "height": 900})
    user.go(path)
    user.shot("narrow")
    assert not user.page.evaluate(WIDER_THAN_THE_WINDOW)
