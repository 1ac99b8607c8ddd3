"""Instants are stored in UTC and shown in Japan time on every page (the ``japan_time`` filter)."""

from __future__ import annotations

import datetime as dt

import pytest

from webui.filters import japan_time


@pytest.mark.req("j1420")
@pytest.mark.parametrize(
    "stored",
    [
        dt.datetime(2026, 11, 26, 23, 30, 5),  # SQLite: UTC wall time without a zone
        dt.datetime(2026, 11, 26, 23, 30, 5, tzinfo=dt.UTC),  # PostgreSQL
        "2026-11-26T23:30:05+00:00",  # a JSON view's ISO text
        dt.datetime(2026, 11, 27, 8, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=9))),  # already Japan time
    ],
)
def test_an_instant_is_shown_in_japan_time_whatever_form_it_is_stored_in(stored: dt.datetime | str) -> None:
    assert japan_time(stored) == "令和8年11月27日 08:30:05"  # the day in 和暦 (j90)
    assert japan_time(stored, seconds=False) == "令和8年11月27日 08:30"
    assert japan_time(stored, "%H:%M") == "08:30"


def test_no_instant_shows_nothing() -> None:
    assert japan_time(None) == "" and japan_time("") == ""
