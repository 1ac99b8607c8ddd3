"""Statistics pages (j1080) for supervisors (statistics.view) and analysts: the dashboard with its SVG charts
and tables, the 年報 tables with the 中長期在留者 report, and their CSV / XLSX downloads.  Thin: read the
period, call handlers.statistics in one unit of work (which checks the permission), render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request

from handlers.batches import BATCHES, failed_runs
from handlers.clock import japan_today
from handlers.statistics import (
    changes_between,
    dashboard,
    population_on,
    report_csv,
    report_table,
    report_xlsx,
)
from handlers.statistics.report import CHANGE_LABELS
from webui.security import login_required
from webui.statistics.forms import DATE_HINT, Period, PeriodForm
from webui.uow import web_uow

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period() -> tuple[PeriodForm, Period, list[Any]]:
    form = PeriodForm(request.args)
    period, problems = form.to_period(japan_today())
    return form, period, problems


def _query(period: Period) -> dict[str, str]:
    return {"on": period.on.isoformat(), "start": period.start.isoformat(), "end": period.end.isoformat()}


@bp.get("")
@login_required
def index() -> str:
    form, period, problems = _period()
    with web_uow() as uow:
        data = dashboard(uow, period.on, period.start, period.end, japan_today())
        failures = failed_runs(uow)
    return render_template(
        "statistics/dashboard.html", form=form, period=period, problems=problems, data=data,
        failures=failures, batches=BATCHES, query=_query(period), date_hint=DATE_HINT,
    )  # fmt: skip


@bp.get("/report")
@login_required
def report() -> str:
    form, period, problems = _period()
    with web_uow() as uow:
        population = population_on(uow, period.on)
        changes = changes_between(uow, period.start, period.end)
    return render_template(
        "statistics/report.html", form=form, period=period, problems=problems,
        tables=report_table(population, changes), population=population, changes=changes,
        change_labels=CHANGE_LABELS, query=_query(period), date_hint=DATE_HINT,
    )  # fmt: skip


def _download(kind: str) -> Response:
    _form, period, _problems = _period()
    with web_uow() as uow:
        population = population_on(uow, period.on)
        changes = changes_between(uow, period.start, period.end)
    name = f"statistics-{period.on.isoformat()}"
    if kind == "csv":
        body, media = report_csv(population, changes), "text/csv; charset=utf-8"
    else:
        body, media = report_xlsx(population, changes), XLSX
    return Response(
        body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'}
    )


@bp.get("/report.csv")
@login_required
def report_csv_download() -> Response:
    return _download("csv")


@bp.get("/report.xlsx")
@login_required
def report_xlsx_download() -> Response:
    return _download("xlsx")
