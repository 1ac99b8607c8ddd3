"""支援措置の期間 (j440) and 除票 retention dates (j1300) as tables of cases."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.rules import retention
from handlers.rules.support_period import (
    default_end_date,
    extension_allowed,
    extension_period,
    period_alert,
)

D = dt.date


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2020, 4, 1), D(2021, 3, 31)),  # the standard's own example (令和2年4月1日 → 令和3年3月31日)
        (D(2020, 2, 29), D(2021, 2, 28)),  # leap day start
        (D(2019, 3, 1), D(2020, 2, 29)),  # ends on a leap day
        (D(2021, 1, 1), D(2021, 12, 31)),
        (D(2023, 12, 31), D(2024, 12, 30)),
    ],
)
def test_end_date_is_one_year_less_a_day_after_the_start(start: dt.date, end: dt.date) -> None:
    assert default_end_date(start) == end


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("old_end", "new_start", "new_end"),
    [
        (D(2021, 3, 31), D(2021, 4, 1), D(2022, 3, 31)),
        (D(2020, 2, 28), D(2020, 2, 29), D(2021, 2, 28)),
        (D(2020, 12, 31), D(2021, 1, 1), D(2021, 12, 31)),
    ],
)
def test_extension_runs_a_year_from_the_day_after_the_old_end(
    old_end: dt.date, new_start: dt.date, new_end: dt.date
) -> None:
    assert extension_period(old_end) == (new_start, new_end)


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("old_end", "today", "allowed"),
    [
        (D(2021, 3, 31), D(2021, 2, 27), False),
        (D(2021, 3, 31), D(2021, 2, 28), True),  # 3/31 − 1 month = 2/28
        (D(2021, 3, 31), D(2021, 3, 31), True),
        (D(2021, 3, 31), D(2021, 4, 10), True),  # still possible after the end, until terminated
        (D(2021, 6, 15), D(2021, 5, 14), False),
        (D(2021, 6, 15), D(2021, 5, 15), True),
    ],
)
def test_extension_is_allowed_from_one_month_before_the_end(
    old_end: dt.date, today: dt.date, allowed: bool
) -> None:
    assert extension_allowed(old_end, today) is allowed


@pytest.mark.req("j440")
@pytest.mark.parametrize(
    ("end", "today", "alert"),
    [
        (D(2021, 3, 31), D(2021, 1, 1), None),
        (D(2021, 3, 31), D(2021, 2, 28), "ending_soon"),
        (D(2021, 3, 31), D(2021, 3, 31), "ending_soon"),
        (D(2021, 3, 31), D(2021, 4, 1), "expired"),
        (None, D(2021, 4, 1), None),
    ],
)
def test_period_alert_warns_a_month_ahead_and_after_expiry(
    end: dt.date | None, today: dt.date, alert: str | None
) -> None:
    assert period_alert(end, today) == alert


@pytest.mark.req("j1300")
@pytest.mark.parametrize(
    ("removal", "until"),
    [
        (D(2020, 4, 1), D(2170, 4, 1)),
        (D(2020, 2, 29), D(2170, 2, 28)),  # 2170 is not a leap year
        (D(2000, 2, 29), D(2150, 2, 28)),
    ],
)
def test_removed_records_are_kept_150_years(removal: dt.date, until: dt.date) -> None:
    assert retention.retain_until(removal) == until


@pytest.mark.req("j1300")
@pytest.mark.parametrize(
    ("removal", "today", "due"),
    [
        (D(2019, 4, 1), D(2024, 4, 1), False),  # exactly five years: not yet passed
        (D(2019, 4, 1), D(2024, 4, 2), True),
        (D(2019, 3, 31), D(2024, 4, 1), True),
        (D(2020, 2, 29), D(2025, 2, 28), False),
        (D(2020, 2, 29), D(2025, 3, 1), True),
        (D(2019, 2, 28), D(2024, 2, 29), True),
        (D(2019, 3, 1), D(2024, 2, 29), False),
    ],
)
def test_archive_cutoff_selects_exactly_the_records_past_five_years(
    removal: dt.date, today: dt.date, due: bool
) -> None:
    assert retention.five_years_passed(removal, today) is due
    assert (removal < retention.archive_cutoff(today)) is due


@pytest.mark.req("j1300")
@pytest.mark.parametrize(
    ("until", "today", "allowed"),
    [
        (D(2170, 4, 1), D(2170, 4, 1), False),
        (D(2170, 4, 1), D(2170, 4, 2), True),
        (D(2170, 4, 1), D(2030, 1, 1), False),
    ],
)
def test_archived_records_are_purged_only_after_retention(
    until: dt.date, today: dt.date, allowed: bool
) -> None:
    assert retention.may_purge(until, today) is allowed
