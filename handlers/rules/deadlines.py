"""Legal deadlines of notifications (届出期間, notes §2.5, j560): 14 days from the event, rolled to an open day.

民法 140条: the day of the event is not counted, so the period starts the next day and a 14-day period for an
event on 4/1 ends on 4/15.  民法 142条 (and the municipal practice of the 行政機関の休日): when the last day is a
Saturday, a Sunday, a national holiday or a day of the municipal year-end closure (12/29–1/3), the period ends on
the next open day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import jpholiday

NOTIFICATION_DAYS = 14
# (month, day) of the municipal year-end and new-year closure (行政機関の休日に関する法律 1条).
YEAR_END_CLOSURE: frozenset[tuple[int, int]] = frozenset(
    {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}
)


def is_open_day(day: dt.date, closures: Collection[tuple[int, int]] = YEAR_END_CLOSURE) -> bool:
    """True when the town hall is open: a weekday, not a national holiday, not a closure day."""
    if day.weekday() >= 5:
        return False
    if jpholiday.is_holiday(day):
        return False
    return (day.month, day.day) not in closures


def next_open_day(day: dt.date, closures: Collection[tuple[int, int]] = YEAR_END_CLOSURE) -> dt.date:
    """``day`` itself when open, else the first open day after it."""
    while not is_open_day(day, closures):
        day += dt.timedelta(days=1)
    return day


def legal_deadline(
    event_date: dt.date,
    days: int = NOTIFICATION_DAYS,
    closures: Collection[tuple[int, int]] = YEAR_END_CLOSURE,
) -> dt.date:
    """The last day to notify an event of ``event_date`` (the first day is not counted)."""
    return next_open_day(event_date + dt.timedelta(days=days), closures)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


def at_risk(due: dt.date | None, today: dt.date, days: int = 3) -> bool:
    """True when the due date is ``days`` days away or less (overdue cases are at risk too)."""
    return due is not None and (due - today).days <= days
