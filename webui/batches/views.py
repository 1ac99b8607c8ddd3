"""Batch pages (j1280) for batch.run: the registry with each schedule and the last parameters, one batch's
schedule form, run-now form (edited parameters highlighted) and recent runs, and a run's log.  Thin: read the
form, call handlers.batches, queue the run after commit, render."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from handlers.batches import BATCHES, FREQUENCIES, WEEKDAYS, batch_overview, batch_run, save_schedule
from handlers.batches.operations import batch_detail, prepare_manual_run
from handlers.errors import NotFoundError, Problem, ValidationError
from handlers.staff_names import staff_names
from webui.batches.forms import ScheduleForm, run_form
from webui.security import current_actor, login_required, permission_required
from webui.uow import current_db, web_uow
from worker.tasks import queue_batch

bp = Blueprint("batches", __name__, url_prefix="/batches")
RUN = "batch.run"


def _labels() -> dict[str, object]:
    return {"frequencies": FREQUENCIES, "weekdays": WEEKDAYS, "batches": BATCHES}


@bp.get("")
@login_required
@permission_required(RUN)
def index() -> str:
    with web_uow() as uow:
        overview = batch_overview(uow)
        page = render_template("batches/index.html", overview=overview, **_labels())
    return page


def _show(code: str, schedule_form: ScheduleForm | None = None, problems: list[Problem] | None = None) -> str:
    with web_uow() as uow:
        detail = batch_detail(uow, code)
        if schedule_form is None:
            schedule_form = ScheduleForm(obj=detail.schedule) if detail.schedule else ScheduleForm()
            if detail.schedule and detail.schedule.weekday is not None:
                schedule_form.weekday.data = str(detail.schedule.weekday)
        page = render_template(
            "batches/show.html", detail=detail, schedule_form=schedule_form,
            run_form=run_form(detail.definition, detail.parameters), problems=problems or [], **_labels(),
        )  # fmt: skip
    return page


@bp.get("/<code>")
@login_required
@permission_required(RUN)
def show(code: str) -> str:
    return _show(code)


@bp.post("/<code>/schedule")
@login_required
@permission_required(RUN)
def schedule(code: str) -> str | WerkzeugResponse:
    if code not in BATCHES:
        raise NotFoundError(f"バッチ「{code}」は登録されていません。")
    form = ScheduleForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        values = form.schedule(problems)
        if not problems:
            try:
                with web_uow() as uow:
                    save_schedule(uow, code, **values)
            except ValidationError as err:
                problems = err.problems
            else:
                flash("スケジュールを保存しました。", "info")
                return redirect(url_for("batches.show", code=code))
    return _show(code, form, problems)


@bp.post("/<code>/run")
@login_required
@permission_required(RUN)
def start(code: str) -> WerkzeugResponse | tuple[str, int]:
    if code not in BATCHES:
        raise NotFoundError(f"バッチ「{code}」は登録されていません。")
    form = run_form(BATCHES[code], BATCHES[code].defaults)
    form.validate_on_submit()
    try:
        with web_uow() as uow:
            parameters = prepare_manual_run(uow, code, dict(form.parameters.data))
    except ValidationError as err:
        return _show(code, problems=err.problems), 422
    actor = current_actor()
    queue_batch(current_db(), actor.tenant_id, code, parameters, actor.login_id)
    flash(f"「{BATCHES[code].label}」を開始しました。結果は実行ログで確認できます。", "info")
    return redirect(url_for("batches.show", code=code))


@bp.get("/runs/<int:run_id>")
@login_required
@permission_required(RUN)
def run(run_id: int) -> str:
    with web_uow() as uow:
        found = batch_run(uow, run_id)
        staff = staff_names(uow, [found.started_by])
        page = render_template("batches/run.html", run=found, staff=staff, **_labels())
    return page


@bp.get("/runs/<int:run_id>/result")
@login_required
@permission_required(RUN)
def run_result(run_id: int) -> Response:
    with web_uow() as uow:
        found = batch_run(uow, run_id)
        if found.result is None:
            raise NotFoundError(f"バッチ実行 {run_id} の出力ファイルはありません。")
        body, name = found.result, found.result_name or f"batch-{run_id}"
    return Response(body, mimetype="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
