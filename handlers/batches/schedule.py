"""When a scheduled batch runs next (j1280): once on a date and time, daily, weekly on a weekday, monthly on a
day (clipped to the month's last day), or on the last day of each month.  Pure; times are Asia/Tokyo."""

from __future__ import annotations

import calendar
import datetime as dt

from handlers.clock import JST

FREQUENCIES = {
    "none": "スケジュールなし（直接起動のみ）",
    "once": "日時指定（1回）",
    "daily": "毎日",
    "weekly": "毎週",
    "monthly": "毎月（日付指定）",
    "month_end": "毎月末",
}
WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def _month_day(year: int, month: int, day: int | None) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_run(
    frequency: str,
    run_at: str,
    after: dt.datetime,
    *,
    once_on: dt.date | None = None,
    weekday: int | None = None,
    day_of_month: int | None = None,
) -> dt.datetime | None:
    """The first run strictly after ``after`` (None when there is none)."""
    local = after.astimezone(JST)
    today = local.date()
    if frequency == "none":
        return None
    if frequency == "once":
        moment = _at(once_on, run_at) if once_on else None
        return moment if moment and moment > local else None
    if frequency in ("daily", "weekly"):
        for offset in range(0, 8):
            day = today + dt.timedelta(days=offset)
            if frequency == "weekly" and day.weekday() != (weekday or 0):
                continue
            if (moment := _at(day, run_at)) > local:
                return moment
        return None
    if frequency in ("monthly", "month_end"):
        wanted = None if frequency == "month_end" else day_of_month
        year, month = today.year, today.month
        for _ in range(3):
            if (moment := _at(_month_day(year, month, wanted), run_at)) > local:
                return moment
            year, month = _next_month(year, month)
        return None
    raise ValueError(f"unknown frequency {frequency!r}")
