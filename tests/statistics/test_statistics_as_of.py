"""Statistics for past dates from the history (j1080)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.errors import PermissionDeniedError
from handlers.statistics import changes_between, population_on, report_csv, report_xlsx
from handlers.uow import unit_of_work
from models import AccessLog
from tests.statistics.conftest import D

pytestmark = pytest.mark.req("j1080")


def _population(db, actor, on):  # type: ignore[no-untyped-def]
    with unit_of_work(db, actor) as uow:
        return population_on(uow, on)


def test_population_on_a_past_date_counts_planned_move_out_and_not_the_unborn(db, small_register, analyst_a):
    report = _population(db, analyst_a, D)
    # present + leaving (planned 2024-08-01 > D) + foreign; moved_out (2023) and newborn (2024-07-15) are not
    assert report.total == 3
    assert report.population[("japanese", "1")] == 2
    assert report.population[("foreign", "2")] == 1
    assert report.households["japanese"] == 2 and report.households["foreign"] == 1
    assert report.by_age[("japanese", "1", "40～44歳")] == 1  # born 1980-01-01 → 44 on 2024-06-30
    assert report.by_age[("japanese", "1", "20～24歳")] == 1  # born 2000-07-01 → 23 on D
    assert report.mid_long_term[("mid_long_term", "技能実習", "ベトナム")] == 1


def test_population_before_a_move_out_counts_the_person_and_after_the_planned_date_not(
    db, small_register, analyst_a
):
    assert (
        _population(db, analyst_a, dt.date(2023, 2, 28)).total == 4
    )  # moved_out still here (removed 2023-03-01)
    after = _population(db, analyst_a, dt.date(2024, 9, 1))
    assert after.total == 3  # present, newborn, foreign; leaving gone on 2024-08-01


def test_changes_in_a_period_by_category(db, small_register, analyst_a):
    with unit_of_work(db, analyst_a) as uow:
        changes = changes_between(uow, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert changes.counts[("birth", "japanese", "2")] == 1
    # the 転出届 on 2024-06-01 (a 転出予定者) is not a 転出; the 除票 on 2024-08-01 is
    assert changes.counts[("move_out", "japanese", "1")] == 1
    assert changes.by_month[("2024-08", "move_out")] == 1
    assert sum(v for (m, _c), v in changes.by_month.items() if m == "2024-06") == 0


def test_statistics_are_logged_and_exported_as_csv_and_xlsx(db, small_register, analyst_a):
    with unit_of_work(db, analyst_a) as uow:
        report = population_on(uow, D)
        changes = changes_between(uow, dt.date(2024, 1, 1), D)
    with unit_of_work(db, analyst_a) as uow:  # the rows are chained when the report's unit of work commits
        logged = uow.session.scalars(
            select(AccessLog).where(AccessLog.function == "statistics_computed")
        ).all()
    assert len(logged) == 2
    text = report_csv(report, changes).decode("utf-8-sig")
    assert "日本人,2,0,2" in text
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(report_xlsx(report, changes)))
    first = [[c.value for c in row] for row in book["1"].iter_rows()]
    assert first[2] == ["日本人", 2, 0, 2]


def test_a_clerk_may_not_compute_statistics(db, small_register, clerk_a):
    with pytest.raises(PermissionDeniedError), unit_of_work(db, clerk_a) as uow:
        population_on(uow, D)
