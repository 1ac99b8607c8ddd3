"""Today as the municipality's clerks see it: the calendar date in Japan, whatever the server's time zone.

A server on UTC (the container default) would otherwise still be on yesterday from 00:00 to 09:00 in Japan, and
a 異動日 of today entered when the counter opens would be refused as a future date (j480, j570).  Every rule
that needs "today" asks this module; Japan has one time zone and no daylight saving time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def to_jst(moment: dt.datetime) -> dt.datetime:
    """An instant in Japan time; a naive value is taken as UTC (how SQLite returns stored instants)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(JST)


def japan_today() -> dt.date:
    """処理日 and the "not after today" limit of every date rule."""
    return dt.datetime.now(JST).date()
