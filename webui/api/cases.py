"""Case endpoints of the JSON API: open a case, the work queue, claim and complete tasks, cancel, view.

Thin: every rule (permissions, four eyes, alerts, locks, tenant scope) is in ``handlers.cases``; errors come
back as structured JSON (``webui.errors``): 422 problems, 403 refusals, 404 another municipality's case, 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from handlers import cases
from handlers.errors import Problem, ValidationError
from webui.api import bp
from webui.uow import web_uow


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError(
            [
                Problem(
                    "body",
                    "リクエスト",
                    "JSONオブジェクトではありません",
                    "JSONオブジェクトを送信してください。",
                    "body_format",
                )
            ]
        )
    return body


@bp.post("/cases")
def open_case_api() -> tuple[Response, int]:
    body = _body()
    with web_uow() as uow:
        case = cases.open_case(uow, str(body.get("change_type") or ""), body.get("intake") or {})
        payload = cases.case_tasks(uow, case)
    return jsonify(payload), 201


@bp.get("/cases/<int:case_id>")
def case_view_api(case_id: int) -> Response:
    with web_uow() as uow:
        view = cases.case_view(uow, case_id)
    return jsonify(view)


@bp.post("/cases/<int:case_id>/cancel")
def cancel_case_api(case_id: int) -> Response:
    body = _body()
    with web_uow() as uow:
        case = cases.cancel(uow, case_id, str(body.get("reason") or ""))
        payload = cases.case_summary(case)
    return jsonify(payload)


@bp.get("/tasks")
def list_tasks_api() -> Response:
    mine = (request.args.get("mine") or "") in ("1", "true", "yes")
    with web_uow() as uow:
        tasks = cases.list_tasks(
            uow, role=request.args.get("role") or None, state=request.args.get("state") or None, mine=mine
        )
    return jsonify({"tasks": tasks})


@bp.post("/tasks/<int:task_id>/claim")
def claim_task_api(task_id: int) -> Response:
    with web_uow() as uow:
        task = cases.claim(uow, task_id)
        payload = {"id": task.id, "state": task.state, "claimed_by": task.claimed_by, "case_id": task.case_id}
    return jsonify(payload)


@bp.post("/tasks/<int:task_id>/complete")
def complete_task_api(task_id: int) -> Response:
    body = _body()
    with web_uow() as uow:
        case = cases.complete_case_task(uow, task_id, body)
        payload = cases.case_tasks(uow, case)
    return jsonify(payload)
