"""Review (審査・決裁): the register and the proposed change side by side, the alerts to acknowledge, approve or
reject with a reason; and the printable confirmation sheet (確認用帳票, j540) before 本登録."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from handlers import cases
from handlers.cases.queues import review_context
from handlers.errors import PermissionDeniedError, Problem, ValidationError
from webui.counter import bp
from webui.counter.form_support import ErrorItem
from webui.security import login_required, permission_required
from webui.uow import web_uow


def _subjects(diff: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The difference rows grouped by person or household, in the order they come."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in diff:
        groups.setdefault(str(row.get("subject") or ""), []).append(row)
    return list(groups.items())


def subject_label(subject: str) -> str:
    kind, _, key = subject.partition(":")
    if kind == "resident":
        return f"宛名番号 {key}"
    if kind == "household":
        return "新しい世帯" if key == "new" else f"世帯番号 {key}"
    if kind == "new":
        return f"新しく記載する人（{key}人目）"
    return subject or "変更内容"


bp.add_app_template_global(
    subject_label
)  # the case page names the subjects of its difference rows the same way


def _render(
    task_id: int, summary: list[ErrorItem], *, status: int = 200, reason: str = ""
) -> tuple[str, int]:
    with web_uow() as uow:
        view = review_context(uow, task_id)
    diff = (view["pending_change"] or {}).get("diff", [])
    page = render_template(
        "counter/review.html", view=view, groups=_subjects(diff), subject_label=subject_label,
        summary=summary, reason=reason, acknowledged=set(request.form.getlist("acknowledgements")),
    )  # fmt: skip
    return page, status


@bp.get("/tasks/<int:task_id>/review")
@login_required
@permission_required("resident.view")
def review(task_id: int) -> tuple[str, int]:
    return _render(task_id, [])


def _problem_items(problems: list[Problem]) -> list[ErrorItem]:
    items = []
    for p in problems:
        target = (
            "f-reason" if p.field == "reason" else ("alerts" if p.code == "alert_not_acknowledged" else None)
        )
        items.append(ErrorItem(target, f"{p.item}：{p.reason}。{p.remedy}"))
    return items


@bp.post("/tasks/<int:task_id>/review")
@login_required
@permission_required("resident.approve")
def decide(task_id: int) -> Response | tuple[str, int]:
    decision = request.form.get("decision")
    reason = request.form.get("reason", "")
    try:
        with web_uow() as uow:
            if decision == "approve":
                case = cases.approve(uow, task_id, request.form.getlist("acknowledgements"))
            elif decision == "reject":
                case = cases.reject(uow, task_id, reason)
            else:
                return _render(task_id, [ErrorItem("decision-approve", "決裁：承認か差戻しを選択してください。")],
                               status=422)  # fmt: skip
            case_id, stopped = case.id, case.incident_error if case.status == "incident" else None
    except ValidationError as err:
        return _render(task_id, _problem_items(err.problems), status=422, reason=reason)
    except PermissionDeniedError as err:
        return _render(task_id, [ErrorItem(None, str(err))], status=403, reason=reason)
    if stopped is not None:  # the decision is kept; a later step of the flow failed and waits for a retry
        flash(
            f"決裁しましたが、その後の処理がエラーで停止しました：{stopped}　この画面の「再実行」で続けてください。",
            "error",
        )
    else:
        flash(
            "決裁しました（本登録）。" if decision == "approve" else "差し戻しました。入力担当に戻ります。",
            "success",
        )
    return redirect(url_for("counter.case", case_id=case_id))


@bp.get("/tasks/<int:task_id>/confirmation")
@login_required
@permission_required("resident.view")
def confirmation(task_id: int) -> str:
    with web_uow() as uow:
        view = review_context(uow, task_id)
    diff = (view["pending_change"] or {}).get("diff", [])
    return render_template(
        "counter/confirmation.html", view=view, groups=_subjects(diff), subject_label=subject_label
    )
