"""支援措置責任者の画面 (j160, j410, j440, j1290, j1380) and the 閲覧用リスト page for clerks (j1320).

Thin doors: read the form, call the handler, render.  Each page declares its permission (support.view /
support.set / support.release / support.lift_temporarily; resident.search for the inspection list); the
handlers check again.  Other municipalities' ids are simply not found (tenant scope).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers.errors import ValidationError
from handlers.rules.dates import format_wareki
from handlers.rules.disclosure import PURPOSES, REQUESTER_KINDS
from handlers.support_measure_flow import (
    open_support_measure_case,
    support_task,
    support_tasks,
    work_support_task,
)
from handlers.support_measures import (
    ADDRESS_LABELS,
    SERVICE_LABELS,
    TERMINATION_REASON_LABELS,
    VICTIM_KIND_LABELS,
    extend_support_measure,
    terminate_support_measure,
    view_support_measure,
)
from handlers.suppression_controls import (
    LEVEL_LABELS,
    PROCESS_LABELS,
    grant_release,
    lift_minutes_limit,
    lift_temporarily,
    pending_releases,
    release_suppression,
    set_suppression,
    suppressions_for,
)
from handlers.suppression_lists import inspection_list, suppressed_persons
from webui.security import login_required, permission_required
from webui.support_measures.forms import date_field, int_field, optional_date_field, support_request
from webui.uow import web_uow

bp = Blueprint("support_measures", __name__, template_folder="templates", url_prefix="/support-measures")
inspection_bp = Blueprint("inspection", __name__, template_folder="templates")

REASON_LABELS = {"support_measure:in_force": "支援措置中", "support_measure:provisional": "仮支援措置中",
                 "support_measure:requested": "申出受付"}  # fmt: skip


def reason_label(code: str) -> str:
    if code in REASON_LABELS:
        return REASON_LABELS[code]
    kind, process, level = (code.split(":") + ["", ""])[:3]
    scope = "世帯" if kind == "household_suppression" else "個人"
    return f"{PROCESS_LABELS.get(process, process)}抑止（{scope}・{LEVEL_LABELS.get(level, level)}）"


def init_app(app: Flask) -> None:
    """The inspection list is a clerk's page outside /support-measures: its own blueprint."""
    app.register_blueprint(inspection_bp)
    app.add_template_filter(reason_label, "suppression_reason")


def _measure_page(measure_id: int, problems: list[Any], status: int = 200) -> tuple[str, int]:
    with web_uow() as uow:
        measure = view_support_measure(uow, measure_id)
    return render_template("support_measures/show.html", measure=measure, problems=problems, form=request.form,
                           termination_reasons=TERMINATION_REASON_LABELS), status  # fmt: skip


@bp.get("/<int:measure_id>")
@login_required
@permission_required("support.view")
def show(measure_id: int) -> tuple[str, int]:
    return _measure_page(measure_id, [])


# --- 延長・終了 (j440) -------------------------------------------------------------------------------------


@bp.post("/<int:measure_id>/extend")
@login_required
@permission_required("support.set")
def extend(measure_id: int) -> Response | tuple[str, int]:
    try:
        with web_uow() as uow:
            end = extend_support_measure(uow, measure_id).end_date
    except ValidationError as err:
        return _measure_page(measure_id, err.problems, 422)
    flash(f"支援措置の期間を延長しました（終了年月日 {format_wareki(end)}）。", "info")
    return redirect(url_for("support_measures.show", measure_id=measure_id))


@bp.post("/<int:measure_id>/terminate")
@login_required
@permission_required("support.release")
def terminate(measure_id: int) -> Response | tuple[str, int]:
    form = request.form
    try:
        day = date_field(form, "termination_date", "終了年月日")
        with web_uow() as uow:
            terminate_support_measure(uow, measure_id, reason=form.get("reason", ""), date=day)
    except ValidationError as err:
        return _measure_page(measure_id, err.problems, 422)
    flash(f"支援措置を終了しました（終了年月日 {format_wareki(day)}）。", "info")
    return redirect(url_for("support_measures.show", measure_id=measure_id))


# --- 抑止対象者一覧 (j1290) --------------------------------------------------------------------------------


@bp.get("/suppressed")
@login_required
@permission_required("support.view")
def suppressed() -> str:
    ward = request.args.get("ward_code", "").strip() or None
    with web_uow() as uow:
        people = suppressed_persons(uow, ward_code=ward)
    return render_template("support_measures/suppressed.html", people=people, ward_code=ward or "")


# --- 個別解除 (j440) ---------------------------------------------------------------------------------------


@bp.get("/releases")
@login_required
@permission_required("support.release")
def releases() -> str:
    with web_uow() as uow:
        return render_template("support_measures/releases.html", releases=pending_releases(uow),
                               purposes=PURPOSES, kinds=REQUESTER_KINDS)  # fmt: skip


@bp.post("/releases/<int:release_id>/grant")
@login_required
@permission_required("support.release")
def grant(release_id: int) -> Response | tuple[str, int]:
    try:
        with web_uow() as uow:
            grant_release(uow, release_id, request.form.get("reason", ""))
    except ValidationError as err:
        with web_uow() as uow:
            page = render_template("support_measures/releases.html", releases=pending_releases(uow),
                                   purposes=PURPOSES, kinds=REQUESTER_KINDS, problems=err.problems)  # fmt: skip
        return page, 422
    flash("解除しました。この請求に限り、同じ内容の請求を1回処理できます。", "info")
    return redirect(url_for("support_measures.releases"))


# --- 一時解除 (j410) ---------------------------------------------------------------------------------------


def _lift_page(problems: list[Any], status: int = 200) -> tuple[str, int]:
    with web_uow() as uow:
        limit = lift_minutes_limit(uow)
    return render_template("support_measures/lift.html", purposes=PURPOSES, limit=limit, problems=problems,
                           form=request.form), status  # fmt: skip


@bp.get("/lift")
@login_required
@permission_required("support.lift_temporarily")
def lift_form() -> tuple[str, int]:
    return _lift_page([])


@bp.post("/lift")
@login_required
@permission_required("support.lift_temporarily")
def lift() -> Response | tuple[str, int]:
    form = request.form
    on_measure = form.get("target") == "measure"
    try:
        target_id = int_field(form, "target_id", "対象の番号")
        with web_uow() as uow:
            lifted = lift_temporarily(
                uow, measure_id=target_id if on_measure else None, suppression_id=None if on_measure else target_id,
                purpose=form.get("purpose", ""), minutes=int_field(form, "minutes", "一時解除の時間", required=False),
                reason=form.get("reason"),
            )  # fmt: skip
            until = lifted.expires_at
    except ValidationError as err:
        return _lift_page(err.problems, 422)
    flash(f"一時解除しました（{until:%H:%M} UTC まで。時間が過ぎると自動的に元に戻ります）。", "info")
    return redirect(url_for("support_measures.lift_form"))


# --- 処理別の抑止設定 (j410) -------------------------------------------------------------------------------


def _target() -> dict[str, str | None]:
    values = request.values
    return {"atena_number": values.get("atena_number", "").strip() or None,
            "household_number": values.get("household_number", "").strip() or None}  # fmt: skip


def _back_to_suppressions() -> Response:
    target = _target()
    return redirect(url_for("support_measures.suppressions", atena_number=target["atena_number"],
                            household_number=target["household_number"]))  # fmt: skip


def _suppressions_page(problems: list[Any], status: int = 200) -> tuple[str, int]:
    target = _target()
    with web_uow() as uow:
        page = render_template("support_measures/suppressions.html", rows=suppressions_for(uow, **target),
                               target=target, processes=PROCESS_LABELS, levels=LEVEL_LABELS, problems=problems,
                               form=request.form)  # fmt: skip
    return page, status


@bp.get("/suppressions")
@login_required
@permission_required("support.view")
def suppressions() -> tuple[str, int]:
    return _suppressions_page([])


@bp.post("/suppressions")
@login_required
@permission_required("support.set")
def set_one() -> Response | tuple[str, int]:
    form = request.form
    try:
        with web_uow() as uow:
            set_suppression(
                uow, **_target(), process=form.get("process", ""), level=form.get("level", ""),
                start_date=date_field(form, "start_date", "抑止の開始日"),
                end_date=optional_date_field(form, "end_date", "抑止の終了日"), reason=form.get("reason", ""),
            )  # fmt: skip
    except ValidationError as err:
        return _suppressions_page(err.problems, 422)
    flash("抑止を設定しました。", "info")
    return _back_to_suppressions()


@bp.post("/suppressions/<int:suppression_id>/release")
@login_required
@permission_required("support.release")
def release_one(suppression_id: int) -> Response | tuple[str, int]:
    try:
        with web_uow() as uow:
            release_suppression(uow, suppression_id, request.form.get("reason", ""))
    except ValidationError as err:
        return _suppressions_page(err.problems, 422)
    flash("抑止を解除しました。", "info")
    return _back_to_suppressions()


# --- 支援措置申出の受付と確認・決定 (j160, j440) ----------------------------------------------------------


def _intake_page(problems: list[Any], status: int = 200) -> tuple[str, int]:
    return render_template("support_measures/new.html", services=SERVICE_LABELS, addresses=ADDRESS_LABELS,
                           kinds=VICTIM_KIND_LABELS, problems=problems, form=request.form), status  # fmt: skip


@bp.get("/new")
@login_required
@permission_required("support.set")
def new() -> tuple[str, int]:
    return _intake_page([])


@bp.post("/new")
@login_required
@permission_required("support.set")
def create() -> Response | tuple[str, int]:
    try:
        with web_uow() as uow:
            case_number = open_support_measure_case(uow, support_request(request.form)).case_number
    except ValidationError as err:
        return _intake_page(err.problems, 422)
    flash(f"支援措置申出を受け付けました（受付番号 {case_number}）。仮支援措置を開始しました。", "info")
    return redirect(url_for("support_measures.tasks"))


@bp.get("/tasks")
@login_required
@permission_required("support.view")
def tasks() -> str:
    with web_uow() as uow:
        rows = support_tasks(uow)
    return render_template("support_measures/tasks.html", tasks=rows)


def _task_page(task_id: int, problems: list[Any], status: int = 200) -> tuple[str, int]:
    with web_uow() as uow:
        task = support_task(uow, task_id)
    return render_template(
        "support_measures/task.html", task=task, problems=problems, form=request.form
    ), status


@bp.get("/tasks/<int:task_id>")
@login_required
@permission_required("support.set")
def task(task_id: int) -> tuple[str, int]:
    return _task_page(task_id, [])


@bp.post("/tasks/<int:task_id>")
@login_required
@permission_required("support.set")
def complete(task_id: int) -> Response | tuple[str, int]:
    form = request.form
    keys = ("opinion_source", "opinion_text", "start_date", "end_date", "refusal_reason")
    data: dict[str, Any] = {k: form.get(k, "").strip() for k in keys if form.get(k, "").strip()}
    if "decision" in form:
        data["approved"] = form.get("decision") == "approve"
    try:
        with web_uow() as uow:
            work_support_task(uow, task_id, data)
    except ValidationError as err:
        return _task_page(task_id, err.problems, 422)
    flash("処理しました。", "info")
    return redirect(url_for("support_measures.tasks"))


# --- 住民基本台帳の一部の写し（閲覧用） (j1320) -------------------------------------------------------------


@inspection_bp.get("/inspection-list")
@login_required
@permission_required("resident.search")
def inspection() -> str:
    area = request.args.get("area", "").strip()
    order = "random" if request.args.get("order") == "random" else "address"
    rows = None
    if area:
        with web_uow() as uow:
            rows = inspection_list(uow, area, order=order)
    return render_template("support_measures/inspection.html", rows=rows, area=area, order=order)
