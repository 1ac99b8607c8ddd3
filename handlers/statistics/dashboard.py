"""The statistics dashboard: the population pyramid on a date, changes per month in a period, the open task
queues (CaseTask) and the overdue cases (Case.due_date), as server-side SVG charts and tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from handlers.rules.dates import format_wareki_month
from handlers.statistics import svg
from handlers.statistics.report import (
    CHANGE_LABELS,
    SEXES,
    age_group_labels,
    changes_between,
    population_on,
    require_statistics,
)
from handlers.uow import UnitOfWork
from models.case import Case, CaseTask

OPEN_TASK_STATES = ("ready", "claimed")
OPEN_CASE_STATUSES = ("running", "waiting", "incident")


def queue_load(uow: UnitOfWork) -> list[tuple[str, int]]:
    """Open tasks per task name (受付, 審査 …), the busiest first."""
    rows = uow.session.execute(
        select(CaseTask.name, func.count())
        .where(CaseTask.state.in_(OPEN_TASK_STATES))
        .group_by(CaseTask.name)
        .order_by(func.count().desc(), CaseTask.name)
    ).all()
    return [(str(name), int(count)) for name, count in rows]


def overdue_cases(uow: UnitOfWork, today: dt.date) -> list[tuple[str, int]]:
    """Open cases past their legal due date, per change type."""
    rows = uow.session.execute(
        select(Case.change_type, func.count())
        .where(Case.status.in_(OPEN_CASE_STATUSES), Case.due_date < today)
        .group_by(Case.change_type)
        .order_by(Case.change_type)
    ).all()
    return [(str(kind or "（なし）"), int(count)) for kind, count in rows]


def _pyramid_rows(by_age: Any) -> list[tuple[str, int, int]]:
    rows = []
    for label in age_group_labels():
        if label == "不詳":
            continue
        men = sum(v for (_k, sex, group), v in by_age.items() if group == label and sex == "1")
        women = sum(v for (_k, sex, group), v in by_age.items() if group == label and sex == "2")
        rows.append((label, men, women))
    return rows


def _month_rows(by_month: Any) -> list[tuple[str, int]]:
    """(month in 和暦, count) per 'YYYY-MM' month of the period, in order (j90: no 西暦 on screen)."""
    months = sorted({month for month, _category in by_month})
    return [
        (_wareki_month(month), sum(v for (m, _c), v in by_month.items() if m == month)) for month in months
    ]


def _wareki_month(month: str) -> str:
    year, number = month.split("-")
    return format_wareki_month(int(year), int(number))


def dashboard(uow: UnitOfWork, on: dt.date, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    """Everything the dashboard page shows: figures, tables and the SVG charts."""
    require_statistics(uow.actor)
    population = population_on(uow, on)
    changes = changes_between(uow, start, end)
    queues = queue_load(uow)
    overdue = overdue_cases(uow, today)
    change_totals = [
        (label, sum(v for (c, _k, _s), v in changes.counts.items() if c == code))
        for code, label in CHANGE_LABELS.items()
    ]
    return {
        "population": population,
        "changes": changes,
        "sexes": SEXES,
        "change_totals": change_totals,
        "queues": queues,
        "overdue": overdue,
        "charts": {
            "pyramid": svg.pyramid(_pyramid_rows(population.by_age)),
            "months": svg.bars(_month_rows(changes.by_month), title="月別異動件数"),
            "queues": svg.bars(queues, title="タスク滞留件数"),
            "overdue": svg.bars(overdue, title="期限超過の案件"),
        },
    }
