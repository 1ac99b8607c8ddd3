"""除票 retention (j1300, 住民基本台帳法施行令34条): five years in the live database, then the 除票用データベース
until 150 years after removal.
"""

from __future__ import annotations

import datetime as dt

from handlers.rules.support_period import add_years

LIVE_YEARS = 5
RETENTION_YEARS = 150


def retain_until(removal_date: dt.date) -> dt.date:
    """The last day a 除票 must be kept: removal date + 150 years (2/29 → 2/28)."""
    return add_years(removal_date, RETENTION_YEARS)


def five_years_passed(removal_date: dt.date, today: dt.date) -> bool:
    """True once five years have passed since removal (the day five years on has ended)."""
    return add_years(removal_date, LIVE_YEARS) < today


def archive_cutoff(today: dt.date) -> dt.date:
    """The first removal date that has NOT yet passed five years on ``today``: every 除票 removed
    strictly before it is due for the 除票用データベース."""
    cutoff = add_years(today, -LIVE_YEARS) - dt.timedelta(days=3)
    while five_years_passed(cutoff, today):
        cutoff += dt.timedelta(days=1)
    return cutoff


def may_purge(retain_until_date: dt.date, today: dt.date) -> bool:
    """An archived 除票 may be deleted only after its retention date."""
    return today > retain_until_date
