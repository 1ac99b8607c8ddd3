"""Night (22:00–06:00 JST) and closed days (weekend, national holiday, 12/29–1/3) for the access-log search."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.clock import JST
from handlers.rules.off_hours import is_closed_day, is_night, is_off_hours, weekday_closures

pytestmark = pytest.mark.req("j1370")

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "night"),
    [
        (dt.datetime(2026, 6, 3, 21, 59, tzinfo=JST), False),
        (dt.datetime(2026, 6, 3, 22, 0, tzinfo=JST), True),
        (dt.datetime(2026, 6, 4, 5, 59, tzinfo=JST), True),
        (dt.datetime(2026, 6, 4, 6, 0, tzinfo=JST), False),
        (dt.datetime(2026, 6, 3, 13, 0, tzinfo=UTC), True),  # 22:00 JST
        (dt.datetime(2026, 6, 3, 13, 0), True),  # naive is UTC
        (dt.datetime(2026, 6, 3, 3, 0, tzinfo=UTC), False),  # 12:00 JST
    ],
)
def test_night_is_from_22_to_6_japan_time(moment: dt.datetime, night: bool) -> None:
    assert is_night(moment) is night


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (dt.date(2026, 6, 3), False),  # Wednesday
        (dt.date(2026, 6, 6), True),  # Saturday
        (dt.date(2026, 6, 7), True),  # Sunday
        (dt.date(2026, 5, 4), True),  # みどりの日
        (dt.date(2026, 5, 6), True),  # 振替休日
        (dt.date(2025, 12, 29), True),  # year-end closure, Monday
        (dt.date(2026, 1, 2), True),  # year-end closure, Friday
        (dt.date(2026, 1, 5), False),  # first business day
    ],
)
def test_closed_days(day: dt.date, closed: bool) -> None:
    assert is_closed_day(day) is closed


def test_off_hours_uses_the_japan_date() -> None:
    # Friday 2026-06-05 16:00 UTC is Saturday 01:00 JST (night and weekend); 01:00 UTC Friday is 10:00 JST.
    assert is_off_hours(dt.datetime(2026, 6, 5, 16, 0, tzinfo=UTC))
    assert not is_off_hours(dt.datetime(2026, 6, 5, 1, 0, tzinfo=UTC))


def test_weekday_closures_lists_holidays_and_year_end_on_weekdays_only() -> None:
    days = weekday_closures(dt.date(2025, 12, 27), dt.date(2026, 1, 13))
    assert days == [
        dt.date(2025, 12, 29),
        dt.date(2025, 12, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 12),  # 成人の日
    ]
