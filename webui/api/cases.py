"""Case endpoints of the JSON API: open a case, the work queue, claim and complete tasks, cancel, retry a case
stopped in an incident, ask CS again for a 個人番号の異動's number, view.

Thin: every rule (permissions, four eyes, alerts, locks, tenant scope) is in ``handlers.cases``; errors come
back as structured JSON (``webui.errors``): 422 problems, 403 refusals, 404 another municipality's case, 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from handlers import cases
from handlers.errors import ValidationError
from handlers.juki_net.change_requests import ask_again
from handlers.receipt_notices import ReceiptNoticeRequest, issue_receipt_notice
from handlers.rules.date_input import DateInputError, parse_calendar_date
from webui.api import bp
from webui.api.body import OBJECT, TEXT, TEXTS, check_kinds, json_object
from webui.uow import web_uow

CASE_KINDS = {"change_type": TEXT, "intake": OBJECT}
COMPLETE_KINDS = {"decision": TEXT, "acknowledgements": TEXTS, "reason": TEXT, "intake": OBJECT}
NOTICE_KINDS = dict.fromkeys(
    ("notifier_name", "notifier_kind", "addressee", "notifier_birth_date", "notifier_atena_number"), TEXT
)


def _body(kinds: dict[str, str]) -> dict[str, Any]:
    body = json_object()
    check_kinds(body, kinds)
    return body


@bp.post("/cases")
def open_case_api() -> tuple[Response, int]:
    body = _body(CASE_KINDS)
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
    body = _body({"reason": TEXT})
    with web_uow() as uow:
        case = cases.cancel(uow, case_id, str(body.get("reason") or ""))
        payload = cases.case_summary(case)
    return jsonify(payload)


@bp.post("/cases/<int:case_id>/retry")
def retry_case_api(case_id: int) -> Response:
    with web_uow() as uow:
        case = cases.retry(uow, case_id)
        payload = cases.case_summary(case)
    return jsonify(payload)


@bp.post("/cases/<int:case_id>/my-number/ask-again")
def ask_cs_again_api(case_id: int) -> tuple[Response, int]:
    """個人番号の異動 (j1130): a new 変更要求 after CS answered the case's last one in error."""
    with web_uow() as uow:
        asked = ask_again(uow, case_id)
        payload = {"id": asked.id, "case_id": case_id, "request_key": asked.outbox_key, "status": "queued"}
    return jsonify(payload), 201


def _notice_request(case_id: int, body: dict[str, Any]) -> ReceiptNoticeRequest:
    birth = str(body.get("notifier_birth_date") or "").strip()
    try:
        birth_date = parse_calendar_date(birth) if birth else None
    except DateInputError as err:
        raise ValidationError([err.to_problem("notifier_birth_date", "届出人の生年月日")]) from err
    return ReceiptNoticeRequest(
        case_id=case_id,
        notifier_name=str(body.get("notifier_name") or ""),
        notifier_kind=str(body.get("notifier_kind") or "self"),
        addressee=str(body.get("addressee") or "auto"),
        notifier_birth_date=birth_date,
        notifier_atena_number=str(body.get("notifier_atena_number") or "") or None,
    )


@bp.post("/cases/<int:case_id>/receipt-notice")
def receipt_notice_api(case_id: int) -> Response:
    """住民異動届受理通知 (j580) of a registered case: the PDF itself (errors as JSON)."""
    notice_request = _notice_request(case_id, _body(NOTICE_KINDS))
    with web_uow() as uow:
        issued = issue_receipt_notice(uow, notice_request)
    response = Response(issued.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "attachment; filename=receipt-notice.pdf"
    response.headers["X-Addressed-To"] = issued.addressed_to
    return response


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
    body = _body(COMPLETE_KINDS)
    with web_uow() as uow:
        case = cases.complete_case_task(uow, task_id, body)
        payload = cases.case_tasks(uow, case)
    return jsonify(payload)
