"""Task queues (GET /tasks) with claim, release and assign, and the case page (GET /cases/<id>) with cancel."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers import cases
from handlers.cases.queues import QueueFilter, case_page, task_queues
from handlers.errors import ConflictError, PermissionDeniedError, ValidationError
from handlers.juki_net.change_requests import ask_again
from handlers.permissions import has_permission
from handlers.rules.date_input import DateInputError, parse_calendar_date
from handlers.rules.digits import whole_number
from webui.counter import bp
from webui.security import login_required, permission_required
from webui.uow import web_uow
from workflows.engine import runner

QUEUE_TITLES = {
    "mine": "自分のタスク",
    "unclaimed": "未着手のタスク（担当の役割）",
    "late": "期限超過・期限間近（審査者）",
}


def _filters() -> tuple[QueueFilter, list[str]]:
    args = request.args
    errors: list[str] = []
    due_by: dt.date | None = None
    if args.get("due_by", "").strip():
        try:
            due_by = parse_calendar_date(args["due_by"])
        except DateInputError as err:
            errors.append(f"期限：{err.reason}。{err.remedy}")
    state = args.get("state") if args.get("state") in ("ready", "claimed") else None
    return QueueFilter(args.get("change_type") or None, state, due_by, args.get("person") or None), errors


@bp.get("/tasks")
@login_required
@permission_required("resident.change")
def tasks() -> str:
    filters, errors = _filters()
    with web_uow() as uow:
        data = task_queues(uow, filters)
        stopped = cases.incident_cases(uow) if has_permission(uow.actor, "resident.approve") else []
    return render_template("counter/tasks.html", data=data, titles=QUEUE_TITLES, filter_errors=errors,
                           args=request.args, stopped=stopped)  # fmt: skip


def _back() -> Response:
    target = request.form.get("next") or ""
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else url_for("counter.tasks")
    )


def _queue_action(action: str, task_id: int) -> Response:
    try:
        with web_uow() as uow:
            if action == "claim":
                cases.claim(uow, task_id)
            elif action == "release":
                runner.unclaim_task(uow, task_id)
            else:
                runner.assign_task(uow, task_id, whole_number(request.form.get("user_id") or "") or 0)
    except (ConflictError, PermissionDeniedError) as err:
        flash(str(err), "error")
        return _back()
    flash({"claim": "タスクを担当にしました。", "release": "タスクの担当を外しました。",
           "assign": "タスクを割り当てました。"}[action], "success")  # fmt: skip
    return _back()


@bp.post("/tasks/<int:task_id>/claim")
@login_required
@permission_required("resident.change")
def claim(task_id: int) -> Response:
    return _queue_action("claim", task_id)


@bp.post("/tasks/<int:task_id>/release")
@login_required
@permission_required("resident.change")
def release(task_id: int) -> Response:
    return _queue_action("release", task_id)


@bp.post("/tasks/<int:task_id>/assign")
@login_required
@permission_required("resident.approve")
def assign(task_id: int) -> Response:
    if whole_number(request.form.get("user_id") or "") is None:
        flash("割り当て先の職員を選択してください。", "error")
        return _back()
    return _queue_action("assign", task_id)


@bp.post("/tasks/<int:task_id>/complete")
@login_required
@permission_required("resident.change")
def complete_task(task_id: int) -> Response:
    """交付物の発行 (and any other task without a page of its own) done: the case goes on, usually to 完了."""
    try:
        with web_uow() as uow:
            case = cases.complete_case_task(uow, task_id, {})
            case_id, finished = case.id, case.status == "completed"
    except (ConflictError, PermissionDeniedError, ValidationError) as err:
        flash(str(err), "error")
        return _back()
    flash("交付物の発行を完了しました。" + ("案件は完了です。" if finished else ""), "success")
    return redirect(url_for("counter.case", case_id=case_id))


@bp.get("/cases/<int:case_id>")
@login_required
@permission_required("resident.view")
def case(case_id: int) -> str:
    with web_uow() as uow:
        view = case_page(uow, case_id)
    return render_template("counter/case.html", view=view, problems=[])


@bp.post("/cases/<int:case_id>/my-number/ask-again")
@login_required
@permission_required("resident.change")
def ask_cs_again(case_id: int) -> Response:
    """個人番号の変更請求 (j1130): a new 変更要求 after CS answered the last one in error."""
    try:
        with web_uow() as uow:
            ask_again(uow, case_id)
    except (ConflictError, PermissionDeniedError) as err:  # another municipality's case: NotFoundError, 404
        flash(str(err), "error")
        return redirect(url_for("counter.case", case_id=case_id))
    flash("個人番号の変更要求をCSへ再送信する準備をしました（送信待ち）。", "success")
    return redirect(url_for("counter.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/cancel")
@login_required
@permission_required("resident.change")
def cancel(case_id: int) -> Response | tuple[str, int]:
    reason = request.form.get("reason", "")
    try:
        with web_uow() as uow:
            cases.cancel(uow, case_id, reason)
    except ValidationError as err:
        with web_uow() as uow:
            view = case_page(uow, case_id)
        return render_template("counter/case.html", view=view, problems=err.problems), 422
    except (ConflictError, PermissionDeniedError) as err:
        flash(str(err), "error")
        return redirect(url_for("counter.case", case_id=case_id))
    flash("案件を取り消しました。", "success")
    return redirect(url_for("counter.case", case_id=case_id))


@bp.post("/cases/<int:case_id>/retry")
@login_required
@permission_required("resident.approve")
def retry(case_id: int) -> Response:
    try:
        with web_uow() as uow:
            case = cases.retry(uow, case_id)
            stopped_again = case.incident_error if case.status == "incident" else None
    except (ConflictError, PermissionDeniedError) as err:
        flash(str(err), "error")
        return redirect(url_for("counter.case", case_id=case_id))
    if stopped_again is not None:
        flash(f"再実行しましたが、再びエラーで停止しました：{stopped_again}", "error")
    else:
        flash("停止していた処理を再実行し、案件を続けました。", "success")
    return redirect(url_for("counter.case", case_id=case_id))
