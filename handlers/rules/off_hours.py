"""Night and closed-day access (j1370 分析例「深夜・休業日におけるアクセス一覧」).

Night is 22:00–06:00 Japan time.  A closed day is a Saturday, a Sunday, a national holiday (jpholiday) or
one of the year-end closure days 12/29–1/3 (not holidays by law, but every municipal office is shut).
"""

from __future__ import annotations

import datetime as dt

import jpholiday

from handlers.clock import to_jst

NIGHT_STARTS_AT = 22  # hour, inclusive
NIGHT_ENDS_AT = 6  # hour, exclusive
YEAR_END_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


def is_night(moment: dt.datetime) -> bool:
    hour = to_jst(moment).hour
    return hour >= NIGHT_STARTS_AT or hour < NIGHT_ENDS_AT


def is_closed_day(day: dt.date) -> bool:
    return day.weekday() >= 5 or (day.month, day.day) in YEAR_END_CLOSURE or jpholiday.is_holiday(day)


def is_off_hours(moment: dt.datetime) -> bool:
    return is_night(moment) or is_closed_day(to_jst(moment).date())


def weekday_closures(start: dt.date, end: dt.date) -> list[dt.date]:
    """Holidays and year-end closure days from ``start`` to ``end`` (inclusive) that fall on weekdays;
    weekends are caught by the day of the week."""
    days: set[dt.date] = {day for day, _name in jpholiday.between(start, end)}
    for year in range(start.year, end.year + 1):
        days |= {dt.date(year, month, day) for month, day in YEAR_END_CLOSURE}
    return sorted(day for day in days if start <= day <= end and day.weekday() < 5)
