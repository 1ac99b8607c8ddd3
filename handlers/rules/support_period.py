"""支援措置の期間 (j440): one year from the start date, extensions from one month before the end.

- The end date is set automatically to start + 1 year − 1 day (令和2年4月1日 → 令和3年3月31日) and may be edited.
- An extension runs from the day after the old end for one more year (less a day).
- It may be processed from one month before the end date; the end date passing never ends the measure by itself
  (only a termination does), so a late extension still starts on the day after the old end.
"""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def add_years(value: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` later; 2/29 falls on 2/28 in a common year (民法143条)."""
    year = value.year + years
    day = min(value.day, calendar.monthrange(year, value.month)[1])
    return value.replace(year=year, day=day)


def add_months(value: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier); a missing day falls on the month's last day."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def default_end_date(start: dt.date) -> dt.date:
    """支援措置の終了年月日 set automatically: the day before the same date a year later; when that date does
    not exist (a 2/29 start), the last day of that month (民法143条2項), so 2020-02-29 → 2021-02-28."""
    year = start.year + 1
    if start.day > calendar.monthrange(year, start.month)[1]:
        return dt.date(year, start.month, calendar.monthrange(year, start.month)[1])
    return start.replace(year=year) - ONE_DAY


def extension_period(old_end: dt.date) -> tuple[dt.date, dt.date]:
    """The period after an extension: from the day after the old end, one year less a day."""
    start = old_end + ONE_DAY
    return start, default_end_date(start)


def extension_opens_on(old_end: dt.date) -> dt.date:
    """The first day an extension may be processed: one month before the end date."""
    return add_months(old_end, -1)


def extension_allowed(old_end: dt.date, today: dt.date) -> bool:
    """From one month before the end date on (and after it, until the measure is terminated)."""
    return today >= extension_opens_on(old_end)


def period_alert(end_date: dt.date | None, today: dt.date) -> str | None:
    """The alert shown on the supported person's record: ``ending_soon`` from one month before the end,
    ``expired`` once the end date has passed without extension, else None."""
    if end_date is None:
        return None
    if today > end_date:
        return "expired"
    if today >= extension_opens_on(end_date):
        return "ending_soon"
    return None


PERIOD_ALERT_LABELS = {
    "ending_soon": "支援措置の期間が1か月以内に終了します",
    "expired": "支援措置の期間が終了しています（延長されていません）",
}
