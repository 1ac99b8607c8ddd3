"""Legal deadlines: 14 days not counting the event day, rolled past weekends, holidays and the year-end
closure (notes §2.5, j560)."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.rules.deadlines import at_risk, is_open_day, is_overdue, legal_deadline

D = dt.date


@pytest.mark.req("j560")
@pytest.mark.parametrize(
    ("event", "deadline", "why"),
    [
        (D(2025, 4, 1), D(2025, 4, 15), "weekday: the first day is not counted (民法140条)"),
        (D(2025, 4, 5), D(2025, 4, 21), "last day Saturday 4/19 → Monday 4/21"),
        (D(2025, 4, 6), D(2025, 4, 21), "last day Sunday 4/20 → Monday 4/21"),
        (D(2025, 4, 15), D(2025, 4, 30), "last day 4/29 昭和の日 → 4/30"),
        (D(2025, 4, 19), D(2025, 5, 7), "last day 5/3 憲法記念日, then 5/4, 5/5, 5/6 振替休日 → 5/7"),
        (D(2025, 12, 16), D(2026, 1, 5), "last day 12/30 year-end closure → 1/5 (1/3 closure, 1/4 Sunday)"),
        (D(2025, 12, 13), D(2026, 1, 5), "last day 12/27 Saturday → closure 12/29–1/3 → 1/4 Sunday → 1/5"),
        (D(2026, 1, 1), D(2026, 1, 15), "event on a holiday: the period still starts the next day"),
    ],
)
def test_legal_deadline_counts_from_the_next_day_and_rolls_to_an_open_day(
    event: dt.date, deadline: dt.date, why: str
) -> None:
    assert legal_deadline(event) == deadline, why


@pytest.mark.req("j560")
@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (D(2025, 4, 15), True),
        (D(2025, 4, 19), False),  # Saturday
        (D(2025, 4, 20), False),  # Sunday
        (D(2025, 4, 29), False),  # 昭和の日
        (D(2025, 12, 29), False),  # closure (Monday)
        (D(2026, 1, 2), False),  # closure (Friday)
        (D(2026, 1, 5), True),
    ],
)
def test_open_days_exclude_weekends_holidays_and_the_year_end_closure(day: dt.date, open_: bool) -> None:
    assert is_open_day(day) is open_


def test_a_municipality_may_pass_its_own_closure_days() -> None:
    assert is_open_day(D(2025, 12, 29), closures=()) is True
    assert legal_deadline(D(2025, 12, 15), closures=()) == D(2025, 12, 29)


@pytest.mark.parametrize(
    ("due", "today", "risk", "overdue"),
    [
        (D(2025, 4, 15), D(2025, 4, 1), False, False),
        (D(2025, 4, 15), D(2025, 4, 12), True, False),
        (D(2025, 4, 15), D(2025, 4, 15), True, False),
        (D(2025, 4, 15), D(2025, 4, 16), True, True),
        (None, D(2025, 4, 16), False, False),
    ],
)
def test_cases_near_or_past_their_due_date_are_at_risk(
    due: dt.date | None, today: dt.date, risk: bool, overdue: bool
) -> None:
    assert at_risk(due, today) is risk
    assert is_overdue(due, today) is overdue
