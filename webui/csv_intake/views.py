"""CSV intake pages (j1430) for staff who may enter changes (resident.change): upload → result by row, column
and reason, with links to the created cases; and the bulk address change (j1340): upload → provisional list
(before / after) → confirm → final run.  Thin: read the upload, call handlers.csv_intake, render."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.csv_intake.bulk_address import LAYOUTS as BULK_LAYOUTS
from handlers.csv_intake.bulk_address import apply_bulk_change, plan_bulk_change
from handlers.csv_intake.intake import import_csv
from handlers.csv_intake.layouts import KIND_LABELS, LAYOUTS
from handlers.csv_intake.results import bulk_change, import_summary
from handlers.errors import Problem, ValidationError
from handlers.rules.date_input import DateInputError, parse_calendar_date
from webui.csv_intake.forms import BULK_TARGETS, DATE_HINT, BulkUploadForm, ConfirmForm, UploadForm
from webui.security import login_required, permission_required
from webui.uow import web_uow

bp = Blueprint("csv_intake", __name__, url_prefix="/csv-intake")
CHANGE = "resident.change"


@bp.route("", methods=["GET", "POST"])
@login_required
@permission_required(CHANGE)
def upload() -> str | WerkzeugResponse:
    form = UploadForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            with web_uow() as uow:
                report = import_csv(uow, form.kind.data, form.file.data.filename or "upload.csv", data,
                                    all_or_nothing=bool(form.all_or_nothing.data))  # fmt: skip
        except ValidationError as err:
            problems = err.problems
        else:
            if report.skipped_duplicates:
                flash(f"取込済みの行 {report.skipped_duplicates} 行は、二重に作成しませんでした。", "info")
            return redirect(url_for("csv_intake.result", import_id=report.import_id))
    return render_template(
        "csv_intake/upload.html", form=form, problems=problems, layouts=LAYOUTS, kind_labels=KIND_LABELS
    )


@bp.get("/imports/<int:import_id>")
@login_required
@permission_required(CHANGE)
def result(import_id: int) -> str:
    with web_uow() as uow:
        summary = import_summary(uow, import_id)
    return render_template("csv_intake/result.html", summary=summary)


def _change_date(text: str, problems: list[Problem]) -> dt.date | None:
    try:
        return parse_calendar_date(text)
    except DateInputError as err:
        problems.append(err.to_problem("change_date", "修正日"))
        return None


@bp.route("/bulk-address", methods=["GET", "POST"])
@login_required
@permission_required(CHANGE)
def bulk_upload() -> str | WerkzeugResponse:
    form = BulkUploadForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        change_date = _change_date(form.change_date.data or "", problems)
        if change_date is not None:
            try:
                with web_uow() as uow:
                    change_id = plan_bulk_change(uow, form.target.data, form.file.data.read(),
                                                 minor_category=form.minor_category.data,
                                                 change_date=change_date).id  # fmt: skip
            except ValidationError as err:
                problems = err.problems
            else:
                return redirect(url_for("csv_intake.bulk_show", change_id=change_id))
    return render_template("csv_intake/bulk_upload.html", form=form, problems=problems, layouts=BULK_LAYOUTS,
                           targets=BULK_TARGETS, date_hint=DATE_HINT)  # fmt: skip


@bp.get("/bulk-address/<int:change_id>")
@login_required
@permission_required(CHANGE)
def bulk_show(change_id: int) -> str:
    with web_uow() as uow:
        change = bulk_change(uow, change_id)
        page = render_template("csv_intake/bulk_plan.html", change=change, form=ConfirmForm(),
                               categories=MINOR_CATEGORIES, targets=BULK_TARGETS)  # fmt: skip
    return page


@bp.post("/bulk-address/<int:change_id>/apply")
@login_required
@permission_required(CHANGE)
def bulk_apply(change_id: int) -> WerkzeugResponse:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("確認の送信が無効です。もう一度お試しください。", "error")
        return redirect(url_for("csv_intake.bulk_show", change_id=change_id))
    with web_uow() as uow:
        change = apply_bulk_change(uow, change_id)
        applied, skipped = len(change.applied), len(change.skipped)
    flash(f"本処理を実行しました（修正 {applied} 人、除外 {skipped} 件）。", "info")
    return redirect(url_for("csv_intake.bulk_show", change_id=change_id))
