"""Instants are stored in UTC and shown in Japan time on every page (the ``japan_time`` filter); days in 和暦
(the ``wareki`` filter), also from another system's ISO text."""

from __future__ import annotations

import datetime as dt

import pytest

from webui.filters import japan_time, wareki


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


@pytest.mark.req("j90")
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 3, 30), "令和8年3月30日"),
        ("2026-03-30", "令和8年3月30日"),  # a JSON view's or another system's ISO text
        ("1985-06-01", "昭和60年6月1日"),
        ("", ""),
        (None, ""),
        ("不明", "不明"),  # text another system sent that is no ISO day: as it came, never an error
    ],
)
def test_a_day_is_shown_in_wareki_whatever_form_it_comes_in(value: dt.date | str | None, shown: str) -> None:
    assert wareki(value) == shown
