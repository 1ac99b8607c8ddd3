"""CSV intake pages (j1430) for staff who may enter changes (resident.change): upload → result by row, column
and reason, with links to the created cases; and the bulk address change (j1340): upload → provisional list
(before / after) → confirm → final run, with the 事前・事後通知 to the persons concerned made in the background
and downloaded as PDF and CSV.  Thin: read the upload, call handlers.csv_intake, queue, render."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.changes.minor_correction import MINOR_CATEGORIES
from handlers.csv_intake.bulk_address import LAYOUTS as BULK_LAYOUTS
from handlers.csv_intake.bulk_address import apply_bulk_change, plan_bulk_change
from handlers.csv_intake.bulk_notice_jobs import notice_file, notices_of_change, request_bulk_notices
from handlers.csv_intake.bulk_notices import TIMINGS
from handlers.csv_intake.intake import import_csv
from handlers.csv_intake.layouts import KIND_LABELS, LAYOUTS
from handlers.csv_intake.results import bulk_change, import_summary
from handlers.csv_intake.withheld_notices import (
    OFFICER,
    outputs_holding_notices,
    print_withheld_notice,
    withheld_of_output,
)
from handlers.errors import Problem, ValidationError
from handlers.rules.date_input import DateInputError, parse_calendar_date
from webui.csv_intake.forms import (
    BULK_TARGETS,
    DATE_HINT,
    BulkUploadForm,
    ConfirmForm,
    NoticeForm,
    UploadForm,
)
from webui.security import current_actor, login_required, permission_required
from webui.uow import current_db, web_uow
from worker.tasks import queue_bulk_notices

bp = Blueprint("csv_intake", __name__, url_prefix="/csv-intake")
log = logging.getLogger(__name__)
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
                               categories=MINOR_CATEGORIES, targets=BULK_TARGETS, notice_form=NoticeForm(),
                               notices=notices_of_change(uow, change.id), timings=TIMINGS)  # fmt: skip
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


@bp.post("/bulk-address/<int:change_id>/notices")
@login_required
@permission_required(CHANGE)
def bulk_notices(change_id: int) -> WerkzeugResponse:
    """事前通知 (after the 仮処理) or 事後通知 (after the 本処理): queued, made in the background."""
    form = NoticeForm()
    if not form.validate_on_submit():
        flash("通知の出力の送信が無効です。もう一度お試しください。", "error")
        return redirect(url_for("csv_intake.bulk_show", change_id=change_id))
    try:
        with web_uow() as uow:
            job_id = request_bulk_notices(uow, change_id, form.timing.data).id
    except ValidationError as err:
        flash("／".join(p.message for p in err.problems), "error")
        return redirect(url_for("csv_intake.bulk_show", change_id=change_id))
    try:
        queue_bulk_notices(current_db(), current_actor().tenant_id, job_id)
    except Exception:  # noqa: BLE001 - run eagerly (no broker): the job row records the failure, the page shows it
        log.exception("bulk address notices %s failed", job_id)
    flash(
        f"{TIMINGS[form.timing.data]}の作成を開始しました。作成が終わるとこの画面からダウンロードできます。",
        "info",
    )
    return redirect(url_for("csv_intake.bulk_show", change_id=change_id))


@bp.get("/bulk-address/notices/<int:job_id>.<any(pdf, csv):kind>")
@login_required
@permission_required(CHANGE)
def bulk_notice_file(job_id: int, kind: str) -> Response:
    with web_uow() as uow:
        body, media, name = notice_file(uow, job_id, kind)
    return Response(body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/bulk-address/withheld")
@login_required
@permission_required(OFFICER)
def bulk_withheld_outputs() -> str:
    """The support-measure officer's way in: the bulk-change outputs that held notices back."""
    with web_uow() as uow:
        jobs = outputs_holding_notices(uow)
        page = render_template("csv_intake/withheld_outputs.html", jobs=jobs, timings=TIMINGS)
    return page


@bp.get("/bulk-address/notices/<int:job_id>/withheld")
@login_required
@permission_required(OFFICER)
def bulk_withheld_notices(job_id: int) -> str:
    """The support-measure officer's page: the notices an output held back, each printable one by one."""
    with web_uow() as uow:
        job, withheld = withheld_of_output(uow, job_id)
        page = render_template(
            "csv_intake/withheld_notices.html", job=job, withheld=withheld, timings=TIMINGS
        )
    return page


@bp.get("/bulk-address/notices/<int:job_id>/withheld/<key>.pdf")
@login_required
@permission_required(OFFICER)
def bulk_withheld_notice_file(job_id: int, key: str) -> Response:
    with web_uow() as uow:
        body, name = print_withheld_notice(uow, job_id, key)
    return Response(
        body, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
